//! A Function's desired Kubernetes objects: labels, the runtime's environment, the Service and
//! the Deployment. Shared by the local engine and the cluster controller.

pub mod cluster;
pub mod tenant;

use std::collections::BTreeMap;

use kube::Resource;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::api::kinds::{DEFAULT_PORT, Function, PORT_NAME};

/// The function's labels, with `created-by: kubeless` and `function: <name>` always there.
pub fn labels(function: &Function) -> BTreeMap<String, String> {
    let mut labels = function.metadata.labels.clone().unwrap_or_default();
    labels.insert("function".into(), function.name().to_string());
    labels.entry("created-by".into()).or_insert_with(|| "kubeless".into());
    labels
}

/// The port the function listens on (the Service's first targetPort, else 8080).
pub fn target_port(function: &Function) -> u16 {
    u16::try_from(function.spec.port()).unwrap_or(DEFAULT_PORT as u16)
}

/// The Service's first port and its name.
pub fn service_port(function: &Function) -> (u16, String) {
    let first = function.spec.service.ports.as_ref().and_then(|p| p.first());
    (
        first
            .and_then(|p| u16::try_from(p.port).ok())
            .filter(|p| *p > 0)
            .unwrap_or(DEFAULT_PORT as u16),
        first
            .and_then(|p| p.name.clone())
            .unwrap_or_else(|| PORT_NAME.to_string()),
    )
}

/// The Kubeless runtime environment of a Function's container, in the controller's order,
/// then the user's variables (those with a value; `valueFrom` ones are the cluster's).
pub fn runtime_env(function: &Function) -> Vec<(String, String)> {
    let (module, func) = function.spec.handler_parts();
    let container = function.spec.container();
    let memory = container
        .and_then(|c| c.resources.as_ref()?.limits.as_ref()?.get("memory"))
        .map_or("0", |q| q.0.as_str());
    let mut env = vec![
        ("FUNC_HANDLER".to_string(), func),
        ("MOD_NAME".into(), module),
        ("FUNC_TIMEOUT".into(), function.spec.timeout.text()),
        ("FUNC_RUNTIME".into(), function.spec.runtime.clone()),
        ("FUNC_MEMORY_LIMIT".into(), memory.to_string()),
        ("FUNC_PORT".into(), target_port(function).to_string()),
    ];
    for e in container.and_then(|c| c.env.as_ref()).into_iter().flatten() {
        if let Some(v) = &e.value {
            env.push((e.name.clone(), v.clone()));
        }
    }
    env
}

/// A short hash of everything that changes what a replica runs: a new value means new
/// replicas (the pod-template-hash of the local engine, a template annotation on a cluster).
pub fn revision(function: &Function) -> String {
    let spec = &function.spec;
    let container = spec.container();
    let relevant = json!([
        spec.function,
        spec.content_type,
        spec.checksum,
        spec.handler,
        spec.runtime,
        spec.timeout.0,
        spec.deps,
        container.and_then(|c| c.env.as_ref()),
        container.and_then(|c| c.resources.as_ref()),
        target_port(function),
    ]);
    let digest = Sha256::digest(relevant.to_string().as_bytes());
    digest.iter().take(5).map(|b| format!("{b:02x}")).collect()
}

/// A controller owner reference (which makes the API server delete dependents with their owner).
fn reference(api_version: &str, kind: &str, name: &Value, uid: &Value) -> Value {
    json!({
        "apiVersion": api_version, "kind": kind, "name": name, "uid": uid,
        "controller": true, "blockOwnerDeletion": true,
    })
}

/// An owner reference to an object as the API answers it.
pub fn owner_reference(owner: &Value) -> Value {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    reference(
        &text(&owner["apiVersion"]),
        &text(&owner["kind"]),
        &owner["metadata"]["name"],
        &owner["metadata"]["uid"],
    )
}

/// An owner reference to a typed object (a Function, a trigger).
pub fn owned_by<K: Resource<DynamicType = ()>>(owner: &K) -> Value {
    let meta = owner.meta();
    reference(&K::api_version(&()), &K::kind(&()), &json!(meta.name), &json!(meta.uid))
}

/// The function's Service.
pub fn service(function: &Function) -> Value {
    let labels = labels(function);
    let mut spec = serde_json::to_value(&function.spec.service).unwrap_or_else(|_| json!({}));
    if spec["ports"].as_array().is_none_or(Vec::is_empty) {
        spec["ports"] =
            json!([{"name": PORT_NAME, "protocol": "TCP", "port": DEFAULT_PORT, "targetPort": DEFAULT_PORT}]);
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
        "metadata": {"name": function.name(), "namespace": function.namespace(), "labels": labels,
            "ownerReferences": [owned_by(function)]},
        "spec": spec,
    })
}

/// The function's Deployment as the local engine keeps it (the cluster controller adds the
/// init containers and the images).
pub fn deployment(function: &Function, replicas: i64) -> Value {
    let labels = labels(function);
    let fname = function.name();
    let port = target_port(function);
    let env: Vec<Value> = runtime_env(function)
        .into_iter()
        .map(|(k, v)| json!({"name": k, "value": v}))
        .collect();
    let mut container = json!({
        "name": fname,
        "image": format!("kfn-local/{}", function.spec.runtime),
        "env": env,
        "ports": [{"containerPort": port}],
    });
    if let Some(resources) = function.spec.container().and_then(|c| c.resources.as_ref()) {
        container["resources"] = json!(resources);
    }
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": fname, "namespace": function.namespace(), "labels": labels,
            "ownerReferences": [owned_by(function)]},
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

    fn function() -> Function {
        Function::from_object(&json!({"apiVersion": "kubeless.io/v1beta1", "kind": "Function",
            "metadata": {"name": "hello", "namespace": "default", "uid": "u1", "labels": {"created-by": "kubeless", "function": "hello", "tier": "web"}},
            "spec": {"handler": "test.hello", "runtime": "python3.12", "timeout": "", "function": "x", "checksum": "sha256:1",
                "deployment": {"spec": {"template": {"spec": {"containers": [{"env": [{"name": "A", "value": "1"}],
                    "resources": {"limits": {"memory": "128Mi"}}}]}}}},
                "service": {"ports": [{"name": "http-function-port", "port": 8080, "targetPort": 8081, "protocol": "TCP"}]}}})).unwrap()
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
        relabelled
            .metadata
            .labels
            .as_mut()
            .unwrap()
            .insert("x".into(), "y".into());
        assert_eq!(revision(&f), revision(&relabelled));
        let mut changed = f.clone();
        changed.spec.checksum = "sha256:2".into();
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
