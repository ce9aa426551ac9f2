//! The Pod object of a replica: its metadata (labels, owner, port and revision annotations)
//! and a status that tells the truth about the process, written through the object service.

use std::path::Path;

use serde_json::{Value, json};

use super::podlog;
use crate::engine::names::PORT_ANNOTATION;
use crate::engine::objects::{self, Objects};

/// The Pod of a replica as its kubelet writes it: the stored Pod (made by the ReplicaSet
/// controller from the Deployment's template) on the engine's node, with the port its replica
/// listens on.
pub fn object(pod: &Value, port: u16) -> Value {
    let mut pod = pod.clone();
    if port > 0 {
        if !pod["metadata"]["annotations"].is_object() {
            pod["metadata"]["annotations"] = json!({});
        }
        pod["metadata"]["annotations"][PORT_ANNOTATION] = json!(port.to_string());
    }
    pod["spec"]["nodeName"] = json!("kfn-local");
    pod
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

/// Writes what the kubelet says of a Pod (its node, port and status) into the stored Pod,
/// while it is the same Pod: one deleted is not made again.
pub fn write(objects: &Objects, pod: &Value) {
    let def = objects.registry().find("", "v1", "pods").expect("pods are built in");
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default().to_string();
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let key = crate::engine::store::Key::new(&def.store_key(), &ns, name);
    if objects.store.get(&key).is_none_or(|p| {
        p.value["metadata"]["uid"] != pod["metadata"]["uid"] || p.value.pointer("/metadata/deletionTimestamp").is_some()
    }) {
        return;
    }
    let result = objects::modify(objects, &def, Some(&ns), name, |current| {
        if current["metadata"]["uid"] != pod["metadata"]["uid"] {
            return;
        }
        if let Some(port) = pod
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(PORT_ANNOTATION))
        {
            if !current["metadata"]["annotations"].is_object() {
                current["metadata"]["annotations"] = json!({});
            }
            current["metadata"]["annotations"][PORT_ANNOTATION] = port.clone();
        }
        current["spec"]["nodeName"] = pod["spec"]["nodeName"].clone();
        current["status"] = pod["status"].clone();
    });
    if let Err(e) = result
        && e.code != 404
    {
        tracing::warn!("cannot write pod {name}: {}", e.message);
    }
}

/// Deletes a Pod object, and its log with it (as a kubelet does).
pub fn delete(objects: &Objects, logs: &Path, namespace: &str, name: &str, uid: Option<&str>) {
    let def = objects.registry().find("", "v1", "pods").expect("pods are built in");
    let key = crate::engine::store::Key::new(&def.store_key(), namespace, name);
    // Only the Pod this replica ran for: one made again under the same name is another's.
    let preconditions = uid.map_or(Value::Null, |uid| json!({"uid": uid}));
    let _ = objects::delete_object(objects, &def, &key, &preconditions, false);
    podlog::remove(logs, namespace, name);
}
