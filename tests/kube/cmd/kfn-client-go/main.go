// kfn-client-go runs the client matrix's scenario (tests/clients/README.md) with client-go:
// shared informers, with the WatchList feature on (KUBE_FEATURE_WatchListClient=true), so
// each informer starts with a watch that sends the initial events (sendInitialEvents=true)
// and waits for the bookmark that ends them, instead of a list.
//
// Usage: KUBECONFIG=... kfn-client-go. It prints one line per step; a step that fails or
// takes too long ends it with exit code 1 and the reason on stderr.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

const (
	namespace = "default"
	configMap = "matrix"
	function  = "matrix-fn"
)

var functions = schema.GroupVersionResource{Group: "kubeless.io", Version: "v1beta1", Resource: "functions"}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "kfn-client-go: "+format+"\n", args...)
	os.Exit(1)
}

// requests counts the informers' requests: the watches that asked for the initial events,
// and the lists (which a WatchList replaces; a fallback to list would show here).
type requests struct {
	sync.Mutex
	watchLists, lists int
	next              http.RoundTripper
}

func (r *requests) RoundTrip(req *http.Request) (*http.Response, error) {
	q := req.URL.Query()
	if req.Method == http.MethodGet {
		r.Lock()
		switch {
		case q.Get("watch") == "true" && q.Get("sendInitialEvents") == "true":
			r.watchLists++
		case q.Get("watch") == "":
			r.lists++
		}
		r.Unlock()
	}
	return r.next.RoundTrip(req)
}

// changes turns informer notifications into lines read by the scenario, in order.
func changes(describe func(obj any) string) (cache.ResourceEventHandler, chan string) {
	ch := make(chan string, 64)
	name := func(obj any) any {
		if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			return d.Obj
		}
		return obj
	}
	return cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { ch <- "ADDED " + describe(obj) },
		UpdateFunc: func(_, obj any) { ch <- "MODIFIED " + describe(obj) },
		DeleteFunc: func(obj any) { ch <- "DELETED " + describe(name(obj)) },
	}, ch
}

func await(ctx context.Context, ch chan string, what string, done func(string) bool) string {
	for {
		select {
		case line := <-ch:
			if done(line) {
				return line
			}
		case <-ctx.Done():
			fail("%s: not seen in time", what)
		}
	}
}

func main() {
	kubeconfig := os.Getenv("KUBECONFIG")
	if kubeconfig == "" {
		fail("set KUBECONFIG")
	}
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		fail("kubeconfig %s: %v", kubeconfig, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	client := kubernetes.NewForConfigOrDie(config)

	seen := &requests{}
	informed := rest.CopyConfig(config)
	informed.Wrap(func(rt http.RoundTripper) http.RoundTripper { seen.next = rt; return seen })
	informerClient := kubernetes.NewForConfigOrDie(informed)
	informerDynamic := dynamic.NewForConfigOrDie(informed)

	cms := client.CoreV1().ConfigMaps(namespace)
	_, err = cms.Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: configMap, Labels: map[string]string{"app": "matrix"}},
		Data:       map[string]string{"k": "v1"},
	}, metav1.CreateOptions{})
	if err != nil {
		fail("create configmap: %v", err)
	}
	fmt.Println("created configmap", configMap)
	list, err := cms.List(ctx, metav1.ListOptions{LabelSelector: "app=matrix"})
	if err != nil {
		fail("list configmaps: %v", err)
	}
	var names []string
	for _, item := range list.Items {
		names = append(names, item.Name)
	}
	fmt.Printf("listed app=matrix: %s\n", strings.Join(names, " "))

	factory := informers.NewSharedInformerFactoryWithOptions(informerClient, 0,
		informers.WithNamespace(namespace),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = "app=matrix" }))
	cmHandler, cmChanges := changes(func(obj any) string {
		cm := obj.(*corev1.ConfigMap)
		if k, ok := cm.Data["k"]; ok {
			return cm.Name + " k=" + k
		}
		return cm.Name
	})
	if _, err := factory.Core().V1().ConfigMaps().Informer().AddEventHandler(cmHandler); err != nil {
		fail("informer: %v", err)
	}
	deployments := informers.NewSharedInformerFactoryWithOptions(informerClient, 0, informers.WithNamespace(namespace))
	depHandler, depChanges := changes(func(obj any) string {
		d := obj.(*appsv1.Deployment)
		want := int32(1)
		if d.Spec.Replicas != nil {
			want = *d.Spec.Replicas
		}
		return fmt.Sprintf("%s ready %d/%d", d.Name, d.Status.ReadyReplicas, want)
	})
	if _, err := deployments.Apps().V1().Deployments().Informer().AddEventHandler(depHandler); err != nil {
		fail("informer: %v", err)
	}
	dynamicFactory := dynamicinformer.NewFilteredDynamicSharedInformerFactory(informerDynamic, 0, namespace, nil)
	fnHandler, fnChanges := changes(func(obj any) string {
		u := obj.(*unstructured.Unstructured)
		observed, found, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
		if !found {
			return u.GetName()
		}
		return fmt.Sprintf("%s observedGeneration=%d generation=%d", u.GetName(), observed, u.GetGeneration())
	})
	if _, err := dynamicFactory.ForResource(functions).Informer().AddEventHandler(fnHandler); err != nil {
		fail("informer: %v", err)
	}
	for _, f := range []interface{ Start(<-chan struct{}) }{factory, deployments, dynamicFactory} {
		f.Start(ctx.Done())
	}
	for gvr, ok := range dynamicFactory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			fail("the %s informer never synced", gvr)
		}
	}
	if !cache.WaitForCacheSync(ctx.Done(),
		factory.Core().V1().ConfigMaps().Informer().HasSynced,
		deployments.Apps().V1().Deployments().Informer().HasSynced) {
		fail("the configmap and deployment informers never synced")
	}
	await(ctx, cmChanges, "the informer's ADDED "+configMap, func(l string) bool { return l == "ADDED "+configMap+" k=v1" })

	patch := []byte(`{"data":{"k":"v2"}}`)
	if _, err := cms.Patch(ctx, configMap, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		fail("patch configmap: %v", err)
	}
	fmt.Println("patched configmap", configMap)
	fmt.Println("watch:", await(ctx, cmChanges, "MODIFIED "+configMap, func(l string) bool { return strings.HasPrefix(l, "MODIFIED ") }))
	if err := cms.Delete(ctx, configMap, metav1.DeleteOptions{}); err != nil {
		fail("delete configmap: %v", err)
	}
	fmt.Println("deleted configmap", configMap)
	await(ctx, cmChanges, "DELETED "+configMap, func(l string) bool { return strings.HasPrefix(l, "DELETED "+configMap+" ") })
	fmt.Println("watch: DELETED", configMap)

	fmt.Println("waiting for function", function)
	line := await(ctx, fnChanges, "the function's status", func(l string) bool {
		return strings.HasPrefix(l, "ADDED "+function+" observedGeneration=") || strings.HasPrefix(l, "MODIFIED "+function+" observedGeneration=")
	})
	fields := strings.Fields(line)
	fmt.Printf("function %s: status %s\n", function, fields[2])
	line = await(ctx, depChanges, "the function's Deployment ready", func(l string) bool {
		f := strings.Fields(l)
		return len(f) == 4 && f[1] == function && f[3] != "0/1" && strings.Split(f[3], "/")[0] == strings.Split(f[3], "/")[1]
	})
	fmt.Printf("deployment %s: ready %s\n", function, strings.Fields(line)[3])

	seen.Lock()
	fmt.Printf("informers: %d WatchList requests, %d lists\n", seen.watchLists, seen.lists)
	seen.Unlock()
}
