//! Kubernetes Events about objects, as `kubectl get events` and `describe` show them.

use serde_json::{Value, json};

use super::{Objects, create, meta_str};
use crate::api::now;

/// Records a Kubernetes Event about an object (shown by `kubectl get events` and `describe`).
pub fn record_event(objects: &Objects, object: &Value, kind_type: &str, reason: &str, message: &str) {
    let Some(def) = objects.registry().find("", "v1", "events") else {
        return;
    };
    let namespace = meta_str(object, "namespace").to_string();
    let name = meta_str(object, "name").to_string();
    let t = now();
    let event = json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"generateName": format!("{name}."), "namespace": namespace},
        "involvedObject": {
            "apiVersion": object["apiVersion"], "kind": object["kind"], "name": name,
            "namespace": namespace, "uid": object["metadata"]["uid"],
        },
        "type": kind_type,
        "reason": reason,
        "message": message,
        "source": {"component": "kfn-local-engine"},
        "firstTimestamp": t,
        "lastTimestamp": t,
        "count": 1,
    });
    if let Err(e) = create::create_object(objects, &def, Some(&namespace), event, false) {
        tracing::warn!("cannot record an event for {name}: {}", e.message);
    }
}
