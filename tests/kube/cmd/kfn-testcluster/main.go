// kfn-testcluster starts a Kubernetes control plane for kfn's tests, on 127.0.0.1 only:
// an embedded etcd, kube-apiserver (RBAC, service-account tokens, default admission plugins)
// and kube-controller-manager, with certificates and a service-account signing key generated
// into its directory. It writes an admin kubeconfig, prints one "ready ..." line on stdout,
// and stops everything on SIGTERM or SIGINT (or, with --exit-on-stdin-eof, when its standard
// input closes, so a killed test cannot leave a control plane behind).
//
// There are no nodes and no container runtime: Pods stay Pending.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

// The controllers kfn's cluster path relies on (kube-controller-manager's names).
var controllers = []string{
	"deployment-controller",
	"replicaset-controller",
	"garbage-collector-controller",
	"cronjob-controller",
	"job-controller",
	"namespace-controller",
	"serviceaccount-token-controller",
	"serviceaccount-controller",
	"horizontal-pod-autoscaler-controller",
	"root-ca-certificate-publisher-controller",
	// Fills a ResourceQuota's status.used; until it does, the API server's quota admission
	// refuses every create in its namespace ("status unknown for quota"). kfn tenant makes one.
	"resourcequota-controller",
}

func main() {
	dir := flag.String("dir", "", "directory for certificates, etcd data, logs and the kubeconfig (required)")
	bin := flag.String("bin", "", "directory holding kube-apiserver and kube-controller-manager (default: this program's directory)")
	apiPort := flag.Int("port", 0, "kube-apiserver's port on 127.0.0.1 (0: a free one)")
	timeout := flag.Duration("timeout", 120*time.Second, "how long to wait for the control plane to be ready")
	stdinEOF := flag.Bool("exit-on-stdin-eof", false, "stop everything when standard input closes")
	flag.Parse()
	if *dir == "" {
		fatalf("--dir is required: the directory to keep the control plane's files in")
	}
	if *bin == "" {
		self, err := os.Executable()
		if err != nil {
			fatalf("finding this program's directory: %v (give --bin)", err)
		}
		*bin = filepath.Dir(self)
	}
	c := &cluster{dir: *dir, bin: *bin}
	ctx, cancel := context.WithCancel(context.Background())
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		s := <-signals
		fmt.Fprintf(os.Stderr, "kfn-testcluster: %v: stopping\n", s)
		cancel()
	}()
	if *stdinEOF {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			fmt.Fprintln(os.Stderr, "kfn-testcluster: standard input closed: stopping")
			cancel()
		}()
	}
	err := c.run(ctx, *apiPort, *timeout)
	c.stop()
	if err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "kfn-testcluster: "+format+"\n", args...)
	os.Exit(1)
}

type cluster struct {
	dir, bin string
	etcd     *embed.Etcd
	procs    []*proc
	exited   chan *proc
}

type proc struct {
	name string
	log  string
	cmd  *exec.Cmd
	err  error
}

func (c *cluster) run(ctx context.Context, apiPort int, timeout time.Duration) error {
	started := time.Now()
	for _, name := range []string{"kube-apiserver", "kube-controller-manager"} {
		if _, err := os.Stat(filepath.Join(c.bin, name)); err != nil {
			return fmt.Errorf("%s not found in %s (build it with tests/kube/build.sh): %v", name, c.bin, err)
		}
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return err
	}
	pki := filepath.Join(c.dir, "pki")
	if err := os.MkdirAll(pki, 0o700); err != nil {
		return err
	}
	ports, err := freePorts(4)
	if err != nil {
		return err
	}
	if apiPort == 0 {
		apiPort = ports[0]
	}
	etcdClient, etcdPeer, kcmPort := ports[1], ports[2], ports[3]
	server := fmt.Sprintf("https://127.0.0.1:%d", apiPort)

	// Certificates: one CA for serving and clients, a serving certificate for the API
	// server, client certificates for the admin and the controller manager, and the key
	// service-account tokens are signed with.
	ca, caKey, err := newCA()
	if err != nil {
		return err
	}
	if err := writeCert(pki, "ca", ca, caKey); err != nil {
		return err
	}
	serving, servingKey, err := newCert(ca, caKey, "kube-apiserver", nil, true,
		[]string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
		[]net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("10.0.0.1")})
	if err != nil {
		return err
	}
	if err := writeCert(pki, "apiserver", serving, servingKey); err != nil {
		return err
	}
	admin, adminKey, err := newCert(ca, caKey, "kfn-test-admin", []string{"system:masters"}, false, nil, nil)
	if err != nil {
		return err
	}
	kcm, kcmKey, err := newCert(ca, caKey, "system:kube-controller-manager", nil, false, nil, nil)
	if err != nil {
		return err
	}
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	saPriv, _ := x509.MarshalPKCS8PrivateKey(saKey)
	saPub, _ := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err := os.WriteFile(filepath.Join(pki, "sa.key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: saPriv}), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(pki, "sa.pub"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: saPub}), 0o600); err != nil {
		return err
	}
	adminConfig := filepath.Join(c.dir, "admin.kubeconfig")
	if err := writeKubeconfig(adminConfig, server, ca, admin, adminKey, "kfn-test-admin"); err != nil {
		return err
	}
	kcmConfig := filepath.Join(c.dir, "controller-manager.kubeconfig")
	if err := writeKubeconfig(kcmConfig, server, ca, kcm, kcmKey, "system:kube-controller-manager"); err != nil {
		return err
	}

	// etcd, embedded, plain HTTP on the loopback interface only.
	cfg := embed.NewConfig()
	cfg.Name = "kfn-test"
	cfg.Dir = filepath.Join(c.dir, "etcd")
	cfg.LogLevel = "error"
	cfg.LogOutputs = []string{filepath.Join(c.dir, "etcd.log")}
	cfg.UnsafeNoFsync = true // throwaway test data
	clientURL, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", etcdClient))
	peerURL, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", etcdPeer))
	cfg.ListenClientUrls = []url.URL{*clientURL}
	cfg.AdvertiseClientUrls = []url.URL{*clientURL}
	cfg.ListenPeerUrls = []url.URL{*peerURL}
	cfg.AdvertisePeerUrls = []url.URL{*peerURL}
	cfg.ListenMetricsUrls = nil
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	c.etcd, err = embed.StartEtcd(cfg)
	if err != nil {
		return fmt.Errorf("starting etcd: %v (log: %s)", err, filepath.Join(c.dir, "etcd.log"))
	}
	select {
	case <-c.etcd.Server.ReadyNotify():
	case <-time.After(timeout):
		return fmt.Errorf("etcd was not ready within %v (log: %s)", timeout, filepath.Join(c.dir, "etcd.log"))
	case <-ctx.Done():
		return nil
	}

	c.exited = make(chan *proc, 2)
	p := func(name string) string { return filepath.Join(pki, name) }
	if err := c.spawn("kube-apiserver",
		"--etcd-servers="+clientURL.String(),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", apiPort),
		"--cert-dir="+filepath.Join(c.dir, "apiserver-certs"),
		"--tls-cert-file="+p("apiserver.crt"),
		"--tls-private-key-file="+p("apiserver.key"),
		"--client-ca-file="+p("ca.crt"),
		// Front-proxy headers are trusted from no client kfn-testcluster makes; giving them
		// keeps the extension-apiserver-authentication ConfigMap complete, as on real clusters.
		"--requestheader-client-ca-file="+p("ca.crt"),
		"--requestheader-allowed-names=kfn-test-front-proxy",
		"--requestheader-username-headers=X-Remote-User",
		"--requestheader-group-headers=X-Remote-Group",
		"--requestheader-extra-headers-prefix=X-Remote-Extra-",
		"--authorization-mode=Node,RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+p("sa.pub"),
		"--service-account-signing-key-file="+p("sa.key"),
		"--service-cluster-ip-range=10.0.0.0/16",
		// The only address is the loopback one, which an Endpoints object may not hold.
		"--endpoint-reconciler-type=none",
		"--profiling=false",
	); err != nil {
		return err
	}
	if err := waitHTTP(ctx, c, server+"/readyz", ca, admin, adminKey, timeout-time.Since(started), "kube-apiserver"); err != nil {
		return err
	}
	if err := c.spawn("kube-controller-manager",
		"--kubeconfig="+kcmConfig,
		"--authentication-kubeconfig="+kcmConfig,
		"--authorization-kubeconfig="+kcmConfig,
		"--bind-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", kcmPort),
		"--cert-dir="+filepath.Join(c.dir, "controller-manager-certs"),
		"--controllers="+strings.Join(controllers, ","),
		"--use-service-account-credentials=true",
		"--service-account-private-key-file="+p("sa.key"),
		"--root-ca-file="+p("ca.crt"),
		"--leader-elect=false",
		// Quotas are counted again every 10 s, not 5 min: a quota made right after a CRD
		// (count/functions.kubeless.io) gets its status.used soon after the CRD is discovered.
		"--resource-quota-sync-period=10s",
		"--profiling=false",
	); err != nil {
		return err
	}
	if err := waitHTTP(ctx, c, fmt.Sprintf("https://127.0.0.1:%d/healthz", kcmPort), nil, nil, nil, timeout-time.Since(started), "kube-controller-manager"); err != nil {
		return err
	}
	// The controllers work once the default namespace has its ServiceAccount.
	if err := waitHTTP(ctx, c, server+"/api/v1/namespaces/default/serviceaccounts/default", ca, admin, adminKey, timeout-time.Since(started), "the serviceaccount controller"); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return nil
	}
	fmt.Printf("ready kubeconfig=%s server=%s seconds=%.1f\n", adminConfig, server, time.Since(started).Seconds())
	select {
	case <-ctx.Done():
		return nil
	case p := <-c.exited:
		return c.died(p)
	case err := <-c.etcd.Err():
		return fmt.Errorf("etcd failed: %v", err)
	}
}

func (c *cluster) spawn(name string, args ...string) error {
	logPath := filepath.Join(c.dir, name+".log")
	log, err := os.Create(logPath)
	if err != nil {
		return err
	}
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.Stdout = log
	cmd.Stderr = log
	cmd.Dir = c.dir
	// If this program is killed outright, its components die with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("starting %s: %v", name, err)
	}
	p := &proc{name: name, log: logPath, cmd: cmd}
	c.procs = append(c.procs, p)
	go func() {
		p.err = cmd.Wait()
		log.Close()
		c.exited <- p
	}()
	return nil
}

func (c *cluster) died(p *proc) error {
	return fmt.Errorf("%s exited (%v); the end of %s:\n%s", p.name, p.err, p.log, tail(p.log, 30))
}

// stop ends the components, the controller manager first, then etcd.
func (c *cluster) stop() {
	for i := len(c.procs) - 1; i >= 0; i-- {
		p := c.procs[i]
		if p.cmd.ProcessState != nil {
			continue
		}
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		deadline := time.After(10 * time.Second)
	wait:
		for {
			select {
			case q := <-c.exited:
				if q == p {
					break wait
				}
			case <-deadline:
				_ = p.cmd.Process.Kill()
				<-c.exited
				break wait
			}
		}
	}
	if c.etcd != nil {
		c.etcd.Close()
	}
}

// waitHTTP polls url until it answers 200, failing early when a component exits.
func waitHTTP(ctx context.Context, c *cluster, target string, ca, cert *x509.Certificate, key *ecdsa.PrivateKey, timeout time.Duration, what string) error {
	tlsConfig := &tls.Config{InsecureSkipVerify: ca == nil}
	if ca != nil {
		pool := x509.NewCertPool()
		pool.AddCert(ca)
		tlsConfig.RootCAs = pool
	}
	if cert != nil {
		tlsConfig.Certificates = []tls.Certificate{{Certificate: [][]byte{cert.Raw}, PrivateKey: key}}
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsConfig}}
	deadline := time.Now().Add(timeout)
	last := "no answer yet"
	for {
		resp, err := client.Get(target)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%s: %s", resp.Status, bytes.TrimSpace(body))
		} else {
			last = err.Error()
		}
		select {
		case p := <-c.exited:
			return c.died(p)
		case <-ctx.Done():
			return nil
		case <-time.After(250 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s was not ready within %v: %s answered %s", what, timeout.Round(time.Second), target, last)
		}
	}
}

func freePorts(n int) ([]int, error) {
	var ports []int
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %v", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func newCA() (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "kfn-test-ca"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(30 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

var serial int64 = 1

func newCert(ca *x509.Certificate, caKey *ecdsa.PrivateKey, cn string, orgs []string, server bool, dns []string, ips []net.IP) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial++
	usage := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	if server {
		usage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: cn, Organization: orgs},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(30 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  usage,
		DNSNames:     dns,
		IPAddresses:  ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

func certPEM(cert *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
}

func keyPEM(key *ecdsa.PrivateKey) []byte {
	der, _ := x509.MarshalECPrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
}

func writeCert(dir, name string, cert *x509.Certificate, key *ecdsa.PrivateKey) error {
	if err := os.WriteFile(filepath.Join(dir, name+".crt"), certPEM(cert), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, name+".key"), keyPEM(key), 0o600)
}

func writeKubeconfig(path, server string, ca, cert *x509.Certificate, key *ecdsa.PrivateKey, user string) error {
	b64 := base64.StdEncoding.EncodeToString
	text := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: kfn-test
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: %s
  user:
    client-certificate-data: %s
    client-key-data: %s
contexts:
- name: kfn-test
  context:
    cluster: kfn-test
    user: %s
current-context: kfn-test
`, server, b64(certPEM(ca)), user, b64(certPEM(cert)), b64(keyPEM(key)), user)
	return os.WriteFile(path, []byte(text), 0o600)
}

func tail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	var lines []string
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 64*1024), 1024*1024)
	for s.Scan() {
		lines = append(lines, s.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}
