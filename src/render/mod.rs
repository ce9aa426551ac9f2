//! A Function's desired Kubernetes objects: labels, the runtime's environment, the Service and
//! the Deployment. Shared by the local engine and the cluster controller.

pub mod cluster;

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::api::text;
use sha2::{Digest, Sha256};

pub fn name(function: &Value) -> &str {
    text(function, "/metadata/name")
}

pub fn namespace(function: &Value) -> &str {
    text(function, "/metadata/namespace")
}

/// The function's labels, with `created-by: kubeless` and `function: <name>` always there.
pub fn labels(function: &Value) -> BTreeMap<String, String> {
    let mut labels = crate::api::labels_of(function);
    labels.insert("function".into(), name(function).to_string());
    labels.entry("created-by".into()).or_insert_with(|| "kubeless".into());
    labels
}

/// The first container of the Function's Deployment template.
pub fn container(function: &Value) -> &Value {
    function
        .pointer("/spec/deployment/spec/template/spec/containers/0")
        .unwrap_or(&Value::Null)
}

/// The port the function listens on (the Service's first targetPort, else 8080).
pub fn target_port(function: &Value) -> u16 {
    let port = &function
        .pointer("/spec/service/ports/0/targetPort")
        .cloned()
        .unwrap_or(Value::Null);
    port.as_u64()
        .or_else(|| port.as_str().and_then(|p| p.parse().ok()))
        .map(|p| p as u16)
        .unwrap_or(8080)
}

/// The Service's first port and its name.
pub fn service_port(function: &Value) -> (u16, String) {
    let p = function
        .pointer("/spec/service/ports/0")
        .cloned()
        .unwrap_or(Value::Null);
    (
        p["port"].as_u64().map(|p| p as u16).unwrap_or(8080),
        p["name"].as_str().unwrap_or("http-function-port").to_string(),
    )
}

/// `(module, function)` of the handler.
pub fn handler(function: &Value) -> (String, String) {
    let h = text(function, "/spec/handler");
    match h.split_once('.') {
        Some((m, f)) => (m.to_string(), f.to_string()),
        None => (h.to_string(), String::new()),
    }
}

/// The Kubeless runtime environment of a Function's container, in the controller's order,
/// then the user's variables.
pub fn runtime_env(function: &Value) -> Vec<(String, String)> {
    let (module, func) = handler(function);
    let timeout = match text(function, "/spec/timeout") {
        "" => "180",
        t => t,
    };
    let memory = container(function)
        .pointer("/resources/limits/memory")
        .and_then(Value::as_str)
        .unwrap_or("0");
    let mut env = vec![
        ("FUNC_HANDLER".to_string(), func),
        ("MOD_NAME".into(), module),
        ("FUNC_TIMEOUT".into(), timeout.to_string()),
        ("FUNC_RUNTIME".into(), text(function, "/spec/runtime").to_string()),
        ("FUNC_MEMORY_LIMIT".into(), memory.to_string()),
        ("FUNC_PORT".into(), target_port(function).to_string()),
    ];
    for e in container(function)["env"].as_array().into_iter().flatten() {
        if let (Some(k), Some(v)) = (e["name"].as_str(), e["value"].as_str()) {
            env.push((k.to_string(), v.to_string()));
        }
    }
    env
}

/// A short hash of everything that changes what a replica runs: a new value means new
/// replicas (the pod-template-hash of the local engine, a template annotation on a cluster).
pub fn revision(function: &Value) -> String {
    let spec = &function["spec"];
    let relevant = json!([
        spec["function"],
        spec["function-content-type"],
        spec["checksum"],
        spec["handler"],
        spec["runtime"],
        spec["timeout"],
        spec["deps"],
        container(function)["env"],
        container(function)["resources"],
        target_port(function),
    ]);
    let digest = Sha256::digest(relevant.to_string().as_bytes());
    digest.iter().take(5).map(|b| format!("{b:02x}")).collect()
}

/// An owner reference to an object (which makes the API server delete dependents with it).
pub fn owner_reference(owner: &Value) -> Value {
    json!({
        "apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"], "controller": true, "blockOwnerDeletion": true,
    })
}

/// The function's Service.
pub fn service(function: &Value) -> Value {
    let labels = labels(function);
    let mut spec = function.pointer("/spec/service").cloned().unwrap_or_else(|| json!({}));
    if spec["ports"].as_array().is_none_or(Vec::is_empty) {
        spec["ports"] = json!([{"name": "http-function-port", "protocol": "TCP", "port": 8080, "targetPort": 8080}]);
    }
    if spec.get("selector").is_none() {
        spec["selector"] = json!(labels);
    }
    if spec.get("type").is_none() {
        spec["type"] = json!("ClusterIP");
    }
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name(function), "namespace": namespace(function), "labels": labels,
            "ownerReferences": [owner_reference(function)]},
        "spec": spec,
    })
}

/// The function's Deployment as the local engine keeps it (the cluster controller adds the
/// init containers and the images).
pub fn deployment(function: &Value, replicas: i64) -> Value {
    let labels = labels(function);
    let fname = name(function);
    let port = target_port(function);
    let env: Vec<Value> = runtime_env(function)
        .into_iter()
        .map(|(k, v)| json!({"name": k, "value": v}))
        .collect();
    let mut container = json!({
        "name": fname,
        "image": format!("kfn-local/{}", text(function, "/spec/runtime")),
        "env": env,
        "ports": [{"containerPort": port}],
    });
    if let Some(resources) = self::container(function).get("resources") {
        container["resources"] = resources.clone();
    }
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": fname, "namespace": namespace(function), "labels": labels,
            "ownerReferences": [owner_reference(function)]},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"created-by": labels["created-by"], "function": fname}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0}},
            "template": {
                "metadata": {"labels": labels, "annotations": {
                    "prometheus.io/scrape": "true", "prometheus.io/path": "/metrics", "prometheus.io/port": port.to_string(),
                    "kfn.io/revision": revision(function),
                }},
                "spec": {"containers": [container]},
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function() -> Value {
        json!({"apiVersion": "kubeless.io/v1beta1", "kind": "Function",
            "metadata": {"name": "hello", "namespace": "default", "uid": "u1", "labels": {"created-by": "kubeless", "function": "hello", "tier": "web"}},
            "spec": {"handler": "test.hello", "runtime": "python3.12", "timeout": "", "function": "x", "checksum": "sha256:1",
                "deployment": {"spec": {"template": {"spec": {"containers": [{"env": [{"name": "A", "value": "1"}],
                    "resources": {"limits": {"memory": "128Mi"}}}]}}}},
                "service": {"ports": [{"name": "http-function-port", "port": 8080, "targetPort": 8081, "protocol": "TCP"}]}}})
    }

    #[test]
    fn the_runtime_environment_follows_the_controller() {
        let env = runtime_env(&function());
        let names: Vec<&str> = env.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "FUNC_HANDLER",
                "MOD_NAME",
                "FUNC_TIMEOUT",
                "FUNC_RUNTIME",
                "FUNC_MEMORY_LIMIT",
                "FUNC_PORT",
                "A"
            ]
        );
        assert_eq!(env[0].1, "hello");
        assert_eq!(env[1].1, "test");
        assert_eq!(env[2].1, "180");
        assert_eq!(env[4].1, "128Mi");
        assert_eq!(env[5].1, "8081");
    }

    #[test]
    fn the_revision_follows_code_not_labels() {
        let f = function();
        let mut relabelled = f.clone();
        relabelled["metadata"]["labels"]["x"] = json!("y");
        assert_eq!(revision(&f), revision(&relabelled));
        let mut changed = f.clone();
        changed["spec"]["checksum"] = json!("sha256:2");
        assert_ne!(revision(&f), revision(&changed));
        let d = deployment(&f, 2);
        assert_eq!(
            d["spec"]["selector"]["matchLabels"],
            json!({"created-by": "kubeless", "function": "hello"})
        );
        assert_eq!(d["metadata"]["ownerReferences"][0]["uid"], "u1");
        assert_eq!(service(&f)["spec"]["selector"]["tier"], "web");
    }
}
