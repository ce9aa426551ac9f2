//! `kfn install` / `kfn uninstall`: everything a cluster needs to run kfn — the eight CRDs, the
//! namespace, the controller's ServiceAccount and least-privilege RBAC, the controller
//! Deployment, the activator (`kfn activator`, with its own RBAC and Service), and the `kubeless-config` ConfigMap with the runtime catalog.

use serde_json::{Value, json};

use crate::runtimes::{self, Language};

/// The default image of the controller (and of the init container that copies kfn into pods).
pub const DEFAULT_IMAGE: &str = "ghcr.io/kfn-project/kfn:0.1.0";
/// The image cron jobs call functions with.
pub const CURL_IMAGE: &str = "curlimages/curl:8.10.1";
pub const NAME: &str = "kfn-controller";

/// The runtime catalog in the Kubeless `runtime-images` format.
pub fn runtime_images() -> Value {
    let mut ids: Vec<&str> = Vec::new();
    for r in runtimes::CATALOG {
        if !ids.contains(&r.id) {
            ids.push(r.id);
        }
    }
    let entries: Vec<Value> = ids
        .iter()
        .map(|id| {
            let versions: Vec<Value> = runtimes::CATALOG
                .iter()
                .filter(|r| r.id == *id)
                .map(|r| {
                    let mut images = Vec::new();
                    if !r.install_image.is_empty() {
                        images.push(json!({"phase": "installation", "image": r.install_image}));
                    }
                    images.push(json!({"phase": "runtime", "image": r.image}));
                    json!({"name": format!("{}{}", r.id, r.version.replace('.', "")), "version": r.version, "images": images})
                })
                .collect();
            let first = runtimes::CATALOG.iter().find(|r| r.id == *id).expect("listed above");
            let mut entry = json!({"ID": id, "depName": first.dep_file, "fileNameSuffix": first.suffix, "versions": versions});
            if first.language == Language::Other {
                entry["kfn"] = json!("accepted for compatibility; run with --runtime-image");
            }
            entry
        })
        .collect();
    Value::Array(entries)
}

fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> Value {
    json!({"apiGroups": groups, "resources": resources, "verbs": verbs})
}

/// Every object of an installation, in the order they are applied; `env` is extra environment
/// of the controller (its brokers: `NATS_URL`, `KAFKA_BROKERS`).
pub fn manifests(namespace: &str, image: &str, env: &[(&str, &str)]) -> Vec<Value> {
    let mut controller_env =
        vec![json!({"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}})];
    controller_env.extend(env.iter().map(|(name, value)| json!({"name": name, "value": value})));
    let labels = json!({"app.kubernetes.io/name": NAME, "app.kubernetes.io/part-of": "kfn"});
    let manage = ["get", "list", "watch", "create", "update", "patch", "delete"];
    let kinds = [
        "functions",
        "httptriggers",
        "cronjobtriggers",
        "kafkatriggers",
        "natstriggers",
        "kinesistriggers",
    ];
    let statuses: Vec<String> = kinds.iter().map(|k| format!("{k}/status")).collect();
    let statuses: Vec<&str> = statuses.iter().map(String::as_str).collect();
    let mut out = crate::api::crd::all();
    out.extend([
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace, "labels": labels}}),
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": NAME, "namespace": namespace, "labels": labels}}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": NAME, "labels": labels}, "rules": [
            rule(&["kubeless.io"], &kinds, &["get", "list", "watch", "update", "patch"]),
            rule(&["kubeless.io"], &statuses, &["get", "update", "patch"]),
            // The finalizer of a deleted Function deletes its HTTP and cron triggers.
            rule(&["kubeless.io"], &["httptriggers", "cronjobtriggers"], &["delete"]),
            // Flows: executions run (their status written after each transition), started by
            // triggers, and the oldest finished ones deleted; Flows' Ready condition; Tasks call
            // functions through the service proxy.
            rule(&["kfn.io"], &["flows", "executions"], &["get", "list", "watch", "create", "delete"]),
            rule(&["kfn.io"], &["flows/status", "executions/status"], &["get", "update", "patch"]),
            rule(&[""], &["services/proxy"], &["get", "create"]),
            // A Task's call into another namespace: allowed only when neither is a tenant's.
            rule(&[""], &["namespaces"], &["get"]),
            rule(&[""], &["configmaps", "services"], &manage),
            rule(&["apps"], &["deployments"], &manage),
            // Scale to zero: the scale subresource, the ready pods' call counts, and the
            // EndpointSlice that points a function at zero at the activator.
            rule(&["apps"], &["deployments/scale"], &["get", "patch", "update"]),
            rule(&[""], &["pods"], &["list"]),
            rule(&["discovery.k8s.io"], &["endpointslices"], &manage),
            rule(&["autoscaling"], &["horizontalpodautoscalers"], &manage),
            rule(&["networking.k8s.io"], &["ingresses"], &manage),
            rule(&["batch"], &["cronjobs"], &manage),
            rule(&[""], &["events"], &["create", "patch"]),
        ]}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": NAME, "labels": labels},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": NAME},
            "subjects": [{"kind": "ServiceAccount", "name": NAME, "namespace": namespace}]}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": NAME, "namespace": namespace, "labels": labels}, "rules": [
            rule(&["coordination.k8s.io"], &["leases"], &["get", "create", "update"]),
        ]}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": NAME, "namespace": namespace, "labels": labels},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": NAME},
            "subjects": [{"kind": "ServiceAccount", "name": NAME, "namespace": namespace}]}),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kubeless-config", "namespace": namespace, "labels": labels}, "data": {
            "runtime-images": serde_json::to_string_pretty(&runtime_images()).expect("JSON"),
            "deployment": "{}",
            "provision-image": CURL_IMAGE,
            "kfn-image": image,
        }}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": NAME, "namespace": namespace, "labels": labels}, "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app.kubernetes.io/name": NAME}},
            "template": {"metadata": {"labels": labels}, "spec": {
                "serviceAccountName": NAME,
                "securityContext": {"runAsNonRoot": true, "runAsUser": 1000},
                "containers": [{
                    "name": "controller",
                    "image": image,
                    "args": ["controller", "--config-namespace", namespace, "--image", image],
                    "env": controller_env,
                    "ports": [{"name": "health", "containerPort": 8081}],
                    "livenessProbe": {"httpGet": {"path": "/healthz", "port": "health"}, "periodSeconds": 10},
                    "readinessProbe": {"httpGet": {"path": "/healthz", "port": "health"}, "periodSeconds": 5},
                    "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "256Mi"}},
                    "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}},
                }],
            }},
        }}),
    ]);
    out.extend(activator(namespace, image));
    out
}

/// The activator's name (its ServiceAccount, ClusterRole, Deployment and Service).
pub const ACTIVATOR: &str = super::zero::ACTIVATOR;
/// The port of the activator's /healthz and /metrics.
pub const ACTIVATOR_METRICS_PORT: u16 = 8082;

/// `kfn activator` and exactly the rights it uses: it watches functions' Services (and writes
/// the last call it saw on them), reads a Function's timeout, scales a Deployment at zero to one
/// through its scale subresource, lists the function's pods to find a ready one, and records
/// an `Activated` Event. Its Service is how the controller finds the activator's pods.
fn activator(namespace: &str, image: &str) -> Vec<Value> {
    let labels = json!({"app.kubernetes.io/name": ACTIVATOR, "app.kubernetes.io/part-of": "kfn"});
    vec![
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": ACTIVATOR, "namespace": namespace, "labels": labels}}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": ACTIVATOR, "labels": labels}, "rules": [
            rule(&[""], &["services"], &["get", "list", "watch", "patch"]),
            rule(&["kubeless.io"], &["functions"], &["get"]),
            rule(&["apps"], &["deployments/scale"], &["get", "patch", "update"]),
            rule(&[""], &["pods"], &["list"]),
            rule(&[""], &["events"], &["create", "patch"]),
        ]}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": ACTIVATOR, "labels": labels},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": ACTIVATOR},
            "subjects": [{"kind": "ServiceAccount", "name": ACTIVATOR, "namespace": namespace}]}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": ACTIVATOR, "namespace": namespace, "labels": labels}, "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app.kubernetes.io/name": ACTIVATOR}},
            "template": {"metadata": {"labels": labels}, "spec": {
                "serviceAccountName": ACTIVATOR,
                "securityContext": {"runAsNonRoot": true, "runAsUser": 1000},
                "containers": [{
                    "name": "activator",
                    "image": image,
                    "args": ["activator", "--metrics-port", ACTIVATOR_METRICS_PORT.to_string()],
                    "ports": [{"name": "metrics", "containerPort": ACTIVATOR_METRICS_PORT}],
                    "livenessProbe": {"httpGet": {"path": "/healthz", "port": "metrics"}, "periodSeconds": 10},
                    "readinessProbe": {"httpGet": {"path": "/healthz", "port": "metrics"}, "periodSeconds": 5},
                    "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "256Mi"}},
                    "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}},
                }],
            }},
        }}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": ACTIVATOR, "namespace": namespace, "labels": labels}, "spec": {
            "selector": {"app.kubernetes.io/name": ACTIVATOR},
            "ports": [{"name": "metrics", "port": ACTIVATOR_METRICS_PORT, "targetPort": "metrics", "protocol": "TCP"}],
        }}),
    ]
}

/// `apiVersion` split into group and version, and the plural of a kind, for the objects above.
pub fn resource_of(obj: &Value) -> kube::api::ApiResource {
    let api_version = obj["apiVersion"].as_str().unwrap_or_default();
    let kind = obj["kind"].as_str().unwrap_or_default();
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let gvk = kube::api::GroupVersionKind::gvk(group, version, kind);
    let plural = match kind {
        "CustomResourceDefinition" => "customresourcedefinitions".to_string(),
        "Ingress" => "ingresses".to_string(),
        "HorizontalPodAutoscaler" => "horizontalpodautoscalers".to_string(),
        other => format!("{}s", other.to_lowercase()),
    };
    kube::api::ApiResource::from_gvk_with_plural(&gvk, &plural)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_installation_has_crds_rbac_the_controller_and_the_catalog() {
        let objects = manifests("kubeless", "example/kfn:1", &[("KAFKA_BROKERS", "kafka.kubeless:9092")]);
        let kinds: Vec<&str> = objects.iter().map(|o| o["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds.iter().filter(|k| **k == "CustomResourceDefinition").count(), 8);
        for k in [
            "Namespace",
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "ConfigMap",
            "Deployment",
        ] {
            assert!(kinds.contains(&k), "{k}");
        }
        let activator = objects
            .iter()
            .find(|o| o["kind"] == "Deployment" && o["metadata"]["name"] == ACTIVATOR)
            .expect("the activator's Deployment");
        assert_eq!(
            activator["spec"]["template"]["spec"]["containers"][0]["args"][0],
            "activator"
        );
        assert_eq!(activator["spec"]["template"]["spec"]["serviceAccountName"], ACTIVATOR);
        let role = objects
            .iter()
            .find(|o| o["kind"] == "ClusterRole" && o["metadata"]["name"] == ACTIVATOR)
            .unwrap();
        let text = role["rules"].to_string();
        assert!(
            text.contains("deployments/scale") && !text.contains("\"deployments\""),
            "{text}"
        );
        assert!(
            !text.contains("delete") && !text.contains("\"*\""),
            "least privilege: {text}"
        );
        let deployment = objects.iter().find(|o| o["kind"] == "Deployment").unwrap();
        assert_eq!(
            deployment["spec"]["template"]["spec"]["containers"][0]["image"],
            "example/kfn:1"
        );
        assert_eq!(
            deployment["spec"]["template"]["spec"]["containers"][0]["env"][1],
            json!({"name": "KAFKA_BROKERS", "value": "kafka.kubeless:9092"})
        );
        let config = objects.iter().find(|o| o["kind"] == "ConfigMap").unwrap();
        let catalog = crate::client::kubeless::Catalog::parse(
            config["data"]["runtime-images"].as_str().unwrap(),
            crate::client::kubeless::CatalogSource::ConfigMap {
                namespace: "kubeless".into(),
                name: "kubeless-config".into(),
            },
        )
        .unwrap();
        assert_eq!(
            catalog.names().len(),
            runtimes::CATALOG.len(),
            "the ConfigMap carries the whole catalog"
        );
        assert_eq!(resource_of(&objects[0]).plural, "customresourcedefinitions");
    }
}
