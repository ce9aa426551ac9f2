//! The Pod object of a replica: its metadata (labels, owner, port and revision annotations)
//! and a status that tells the truth about the process, written through the object service.

use std::path::Path;

use serde_json::{Value, json};

use super::podlog;
use crate::api::kinds::Function;
use crate::engine::names::PORT_ANNOTATION;
use crate::engine::objects::{self, Objects};

/// The Pod object of a replica, before any status.
pub fn object(f: &Function, deployment: &Value, revision: &str, name: &str, port: u16) -> Value {
    let mut labels = crate::render::labels(f);
    labels.insert("pod-template-hash".into(), revision.to_string());
    let container = deployment
        .pointer("/spec/template/spec/containers/0")
        .cloned()
        .unwrap_or(json!({}));
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name, "namespace": f.namespace(), "labels": labels,
            "annotations": {PORT_ANNOTATION: port.to_string(), "kfn.io/revision": revision},
            "ownerReferences": [crate::render::owner_reference(deployment)],
        },
        "spec": {"containers": [container], "nodeName": "kfn-local", "restartPolicy": "Always"},
    })
}

pub struct Status {
    pub phase: &'static str,
    pub ready: bool,
    pub restarts: u32,
    pub state: Value,
    pub last_state: Value,
    pub started: String,
}

pub fn with_status(mut pod: Value, s: &Status) -> Value {
    let name = pod["metadata"]["name"].clone();
    let container = pod.pointer("/spec/containers/0/name").cloned().unwrap_or(name);
    let image = pod.pointer("/spec/containers/0/image").cloned().unwrap_or(json!(""));
    let ready = if s.ready { "True" } else { "False" };
    pod["status"] = json!({
        "phase": s.phase,
        "podIP": "127.0.0.1",
        "hostIP": "127.0.0.1",
        "startTime": s.started,
        "conditions": [
            {"type": "PodScheduled", "status": "True"},
            {"type": "Initialized", "status": "True"},
            {"type": "ContainersReady", "status": ready},
            {"type": "Ready", "status": ready},
        ],
        "containerStatuses": [{
            "name": container, "image": image, "imageID": "", "ready": s.ready, "started": s.phase == "Running",
            "restartCount": s.restarts, "state": s.state, "lastState": s.last_state,
        }],
    });
    pod
}

pub fn write(objects: &Objects, pod: &Value) {
    let def = objects.registry().find("", "v1", "pods").expect("pods are built in");
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default().to_string();
    if let Err(e) = objects::upsert(objects, &def, Some(&ns), pod.clone()) {
        tracing::warn!("cannot write pod {}: {}", pod["metadata"]["name"], e.message);
    }
}

/// Deletes a Pod object, and its log with it (as a kubelet does).
pub fn delete(objects: &Objects, logs: &Path, namespace: &str, name: &str) {
    let def = objects.registry().find("", "v1", "pods").expect("pods are built in");
    let key = crate::engine::store::Key::new(&def.store_key(), namespace, name);
    let _ = objects::delete_object(objects, &def, &key, &Value::Null, false);
    podlog::remove(logs, namespace, name);
}
