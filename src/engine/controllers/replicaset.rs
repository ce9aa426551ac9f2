//! The ReplicaSet controller: as many Pods as the ReplicaSet wants, named `<replicaset>-<5
//! chars>` and owned by it (a deleted one is replaced, extra ones go, the least useful first),
//! and the ReplicaSet's status counted from them.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::rollout;
use super::{controlled_by, controller_of, reference};
use crate::engine::objects::{self, Objects, meta_str};
use crate::engine::store::{Key, Object};

/// The component its events name, as kube-controller-manager's controller does.
const COMPONENT: &str = "replicaset-controller";

/// At most this many Pods are created in one pass (the controller's burst).
const BURST: usize = 500;

fn terminating(pod: &Value) -> bool {
    pod.pointer("/metadata/deletionTimestamp").is_some()
}

fn finished(pod: &Value) -> bool {
    matches!(
        pod.pointer("/status/phase").and_then(Value::as_str),
        Some("Succeeded" | "Failed")
    )
}

pub fn sync(objects: &Objects, rs: &Value, pods: &[Arc<Object>]) {
    let Some(pod_def) = objects.registry().find("", "v1", "pods") else {
        return;
    };
    let Some(rs_def) = objects.registry().find("apps", "v1", "replicasets") else {
        return;
    };
    let namespace = meta_str(rs, "namespace");
    let name = meta_str(rs, "name");
    let uid = meta_str(rs, "uid");
    let selector = &rs["spec"]["selector"];
    let desired = rs.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1).max(0) as usize;
    let deleting = terminating(rs);

    let mut owned: Vec<Value> = Vec::new();
    for p in pods {
        let v = &p.value;
        if controlled_by(v, uid) {
            owned.push(v.clone());
        } else if !deleting
            && controller_of(v).is_none()
            && !terminating(v)
            && !finished(v)
            && rollout::selector_matches(selector, &crate::api::labels_of(v))
            && let Ok(adopted) = objects::modify(objects, &pod_def, Some(namespace), meta_str(v, "name"), |p| {
                let mut refs = p["metadata"]["ownerReferences"].as_array().cloned().unwrap_or_default();
                refs.push(reference(rs, "ReplicaSet"));
                p["metadata"]["ownerReferences"] = json!(refs);
            })
        {
            owned.push(adopted.value.clone());
        }
    }
    let mut active: Vec<&Value> = owned.iter().filter(|p| !terminating(p) && !finished(p)).collect();

    // Why Pods it wants could not be made (kept while it waits to try again), or none.
    let mut failure: Option<Option<String>> = Some(None);
    if !deleting {
        if active.len() < desired && !retry::due(uid) {
            failure = None;
        } else if active.len() < desired {
            for _ in 0..(desired - active.len()).min(BURST) {
                match objects::create_object(objects, &pod_def, Some(namespace), pod(rs), false) {
                    Ok(p) => objects::record_event_from(
                        objects,
                        COMPONENT,
                        rs,
                        "Normal",
                        "SuccessfulCreate",
                        &format!("Created pod: {}", meta_str(&p.value, "name")),
                    ),
                    Err(e) => {
                        objects::record_event_from(
                            objects,
                            COMPONENT,
                            rs,
                            "Warning",
                            "FailedCreate",
                            &format!("Error creating: {}", e.message),
                        );
                        failure = Some(Some(e.message));
                        break;
                    }
                }
            }
            match &failure {
                Some(Some(_)) => retry::failed(uid),
                _ => retry::clear(uid),
            }
        } else if active.len() > desired {
            active.sort_by_key(|p| rollout::deletion_rank(p));
            for p in active.iter().take(active.len() - desired) {
                let key = Key::new(&pod_def.store_key(), namespace, meta_str(p, "name"));
                if objects::delete_object(objects, &pod_def, &key, &Value::Null, false).is_ok() {
                    objects::record_event_from(
                        objects,
                        COMPONENT,
                        rs,
                        "Normal",
                        "SuccessfulDelete",
                        &format!("Deleted pod: {}", meta_str(p, "name")),
                    );
                }
            }
        }
    }

    // The status, of the Pods as they were at the start of this pass (the next pass counts
    // the ones it made).
    let template_labels = rs.pointer("/spec/template/metadata/labels").and_then(Value::as_object);
    let fully_labeled = active
        .iter()
        .filter(|p| {
            let labels = crate::api::labels_of(p);
            template_labels
                .into_iter()
                .flatten()
                .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str())
        })
        .count();
    let ready = active.iter().filter(|p| rollout::pod_ready(p)).count();
    let min_ready = rs.pointer("/spec/minReadySeconds").and_then(Value::as_i64).unwrap_or(0);
    let available = active.iter().filter(|p| available_pod(p, min_ready)).count();
    let mut status = Map::new();
    status.insert("replicas".into(), json!(active.len()));
    for (field, n) in [
        ("fullyLabeledReplicas", fully_labeled),
        ("readyReplicas", ready),
        ("availableReplicas", available),
    ] {
        if n != 0 {
            status.insert(field.into(), json!(n));
        }
    }
    status.insert("observedGeneration".into(), rs["metadata"]["generation"].clone());
    status.insert(
        "terminatingReplicas".into(),
        json!(owned.iter().filter(|p| terminating(p)).count()),
    );
    let mut conditions: Vec<Value> = rs
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    match failure {
        // As the controller sets it: once, with the first error, until Pods can be made again.
        Some(Some(message)) if !conditions.iter().any(|c| c["type"] == REPLICA_FAILURE) => {
            conditions.push(json!({"type": REPLICA_FAILURE, "status": "True",
                "lastTransitionTime": crate::api::now(), "reason": "FailedCreate", "message": message}));
        }
        Some(None) => conditions.retain(|c| c["type"] != REPLICA_FAILURE),
        _ => {}
    }
    if !conditions.is_empty() {
        status.insert("conditions".into(), json!(conditions));
    }
    if rs.get("status") != Some(&Value::Object(status.clone())) {
        let _ = objects::modify(objects, &rs_def, Some(namespace), name, |v| {
            v["status"] = Value::Object(status)
        });
    }
}

/// The condition of a ReplicaSet that could not make or remove Pods (and of its Deployment).
pub const REPLICA_FAILURE: &str = "ReplicaFailure";

/// When a ReplicaSet whose Pods could not be made tries again: after 1 s, then twice as long
/// each time up to 16 s, as the controller's rate-limited queue retries (not in a hot loop).
mod retry {
    use std::collections::HashMap;
    use std::sync::LazyLock;
    use std::time::{Duration, Instant};

    use parking_lot::Mutex;

    const FIRST: Duration = Duration::from_secs(1);
    const MAX: Duration = Duration::from_secs(16);

    /// By ReplicaSet uid: when it may try next, and the wait after the next failure.
    static WAITS: LazyLock<Mutex<HashMap<String, (Instant, Duration)>>> = LazyLock::new(Default::default);

    pub fn due(uid: &str) -> bool {
        WAITS.lock().get(uid).is_none_or(|(at, _)| Instant::now() >= *at)
    }

    pub fn failed(uid: &str) {
        let mut waits = WAITS.lock();
        let wait = waits.get(uid).map_or(FIRST, |(_, w)| *w);
        waits.insert(uid.to_string(), (Instant::now() + wait, (wait * 2).min(MAX)));
    }

    pub fn clear(uid: &str) {
        WAITS.lock().remove(uid);
    }
}

/// Ready for at least `min_ready` seconds.
fn available_pod(pod: &Value, min_ready: i64) -> bool {
    if !rollout::pod_ready(pod) {
        return false;
    }
    if min_ready <= 0 {
        return true;
    }
    let since = pod
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|c| c.iter().find(|c| c["type"] == "Ready"))
        .and_then(|c| c["lastTransitionTime"].as_str())
        .and_then(|t| t.parse::<k8s_openapi::jiff::Timestamp>().ok());
    since.is_some_and(|t| k8s_openapi::jiff::Timestamp::now().as_second() - t.as_second() >= min_ready)
}

/// A new Pod of the ReplicaSet's template.
fn pod(rs: &Value) -> Value {
    let template = &rs["spec"]["template"];
    let mut metadata = json!({
        "generateName": format!("{}-", meta_str(rs, "name")),
        "namespace": meta_str(rs, "namespace"),
        "ownerReferences": [reference(rs, "ReplicaSet")],
    });
    for field in ["labels", "annotations", "finalizers"] {
        if let Some(v) = template["metadata"].get(field) {
            metadata[field] = v.clone();
        }
    }
    json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": metadata,
        "spec": template["spec"].clone(),
        "status": {"phase": "Pending"},
    })
}
