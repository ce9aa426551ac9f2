//! The Deployment controller: one ReplicaSet per pod template (`<deployment>-<pod-template-hash>`),
//! numbered by the `deployment.kubernetes.io/revision` annotation (what `kubectl rollout
//! history|undo` read), scaled by the strategy (RollingUpdate's maxSurge/maxUnavailable, or
//! Recreate), old ones kept up to revisionHistoryLimit, and the Deployment's status with its
//! Available and Progressing conditions.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::rollout::{self, Counts, HASH_LABEL, Progress, REVISION, REVISION_HISTORY, Strategy, Totals};
use super::{controlled_by, controller_of, reference};
use crate::engine::objects::{self, ApiError, Objects, meta_str};
use crate::engine::resources::ResourceDef;
use crate::engine::store::{Key, Object};

/// The component its events name, as kube-controller-manager's controller does.
const COMPONENT: &str = "deployment-controller";

fn int(v: &Value, pointer: &str) -> i64 {
    v.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

fn revision(rs: &Value) -> i64 {
    rs.pointer("/metadata/annotations")
        .and_then(|a| a.get(REVISION))
        .and_then(Value::as_str)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

fn replicas(rs: &Value) -> i64 {
    rs.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1)
}

pub fn sync(objects: &Objects, d: &Value, all: &[Arc<Object>]) {
    if d.pointer("/metadata/deletionTimestamp").is_some() {
        return;
    }
    let registry = objects.registry();
    let (Some(rs_def), Some(d_def)) = (
        registry.find("apps", "v1", "replicasets"),
        registry.find("apps", "v1", "deployments"),
    ) else {
        return;
    };
    let namespace = meta_str(d, "namespace");
    let name = meta_str(d, "name");
    let uid = meta_str(d, "uid");
    let selector = &d["spec"]["selector"];
    let desired = d.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1).max(0);
    let paused = d.pointer("/spec/paused").and_then(Value::as_bool).unwrap_or(false);
    let strategy = rollout::strategy(&d["spec"], desired);
    let now = crate::api::now();
    let mut conditions: Vec<Value> = d
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();

    // Its ReplicaSets, those that match its selector and have no controller adopted.
    let mut owned: Vec<Value> = Vec::new();
    for rs in all {
        let v = &rs.value;
        if controlled_by(v, uid) {
            owned.push(v.clone());
        } else if controller_of(v).is_none()
            && v.pointer("/metadata/deletionTimestamp").is_none()
            && rollout::selector_matches(selector, &crate::api::labels_of(v))
            && let Ok(adopted) = objects::modify(objects, &rs_def, Some(namespace), meta_str(v, "name"), |rs| {
                let mut refs = rs["metadata"]["ownerReferences"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                refs.push(reference(d, "Deployment"));
                rs["metadata"]["ownerReferences"] = json!(refs);
            })
        {
            owned.push(adopted.value.clone());
        }
    }
    owned.sort_by(|a, b| {
        (meta_str(a, "creationTimestamp"), meta_str(a, "name"))
            .cmp(&(meta_str(b, "creationTimestamp"), meta_str(b, "name")))
    });
    let template = &d["spec"]["template"];
    let new_index = owned
        .iter()
        .position(|rs| rollout::same_template(&rs["spec"]["template"], template));
    let mut new = new_index.map(|i| owned.remove(i));
    let olds = owned;
    let max_old = olds.iter().map(revision).max().unwrap_or(0);
    let surge = match strategy {
        Strategy::Rolling { surge, .. } => surge,
        Strategy::Recreate => 0,
    };

    let mut created = false;
    match &mut new {
        Some(rs) => {
            // The revision of a template used again (a rollback) is the newest one.
            let current = revision(rs);
            let mut annotations = rollout::copied_annotations(d);
            let wanted = if current <= max_old { max_old + 1 } else { current };
            annotations.insert(REVISION.into(), json!(wanted.to_string()));
            let mut history = rs["metadata"]["annotations"][REVISION_HISTORY]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if wanted != current && current > 0 {
                if !history.is_empty() {
                    history.push(',');
                }
                history.push_str(&current.to_string());
            }
            if !history.is_empty() {
                annotations.insert(REVISION_HISTORY.into(), json!(history));
            }
            for k in [rollout::DESIRED, rollout::MAX_REPLICAS] {
                if let Some(v) = rs["metadata"]["annotations"].get(k) {
                    annotations.insert(k.into(), v.clone());
                }
            }
            if rs["metadata"]["annotations"].as_object() != Some(&annotations)
                && let Ok(o) = objects::modify(objects, &rs_def, Some(namespace), meta_str(rs, "name"), |v| {
                    v["metadata"]["annotations"] = Value::Object(annotations);
                })
            {
                *rs = o.value.clone();
            }
            if !conditions.iter().any(|c| c["type"] == "Progressing") {
                let message = format!("Found new replica set \"{}\"", meta_str(rs, "name"));
                rollout::set_condition(
                    &mut conditions,
                    rollout::condition("Progressing", true, "FoundNewReplicaSet", &message, &now),
                );
            }
        }
        None if !paused => {
            let old_total: i64 = olds.iter().map(replicas).sum();
            let start = match strategy {
                Strategy::Recreate if olds.iter().any(|o| replicas(o) > 0 || int(o, "/status/replicas") > 0) => 0,
                Strategy::Recreate => desired,
                Strategy::Rolling { surge, .. } => rollout::new_replicas(desired, surge, 0, old_total),
            };
            let collisions = int(d, "/status/collisionCount");
            match create(objects, &rs_def, d, collisions, max_old + 1, start, desired + surge) {
                Ok(rs) => {
                    let message = format!("Created new replica set \"{}\"", meta_str(&rs, "name"));
                    rollout::set_condition(
                        &mut conditions,
                        rollout::condition("Progressing", true, "NewReplicaSetCreated", &message, &now),
                    );
                    if start > 0 {
                        scaled_event(objects, d, &rs, 0, start);
                    }
                    new = Some(rs);
                    created = true;
                }
                Err(e) if e.code == 409 => {
                    // A ReplicaSet of that name with another template: the next hash.
                    let _ = objects::modify(objects, &d_def, Some(namespace), name, |v| {
                        if !v["status"].is_object() {
                            v["status"] = json!({});
                        }
                        v["status"]["collisionCount"] = json!(collisions + 1);
                    });
                    return;
                }
                Err(e) => {
                    tracing::warn!(
                        "deployment {namespace}/{name}: cannot create its ReplicaSet: {}",
                        e.message
                    );
                    return;
                }
            }
        }
        None => {}
    }

    if !created {
        scale(objects, &rs_def, d, new.as_ref(), &olds, desired, strategy, paused);
    }
    if !paused {
        cleanup(objects, &rs_def, d, &olds);
    }

    // The status, from the ReplicaSets as they are now.
    let fresh = |rs: &Value| {
        objects
            .store
            .get(&Key::new(&rs_def.store_key(), namespace, meta_str(rs, "name")))
            .map(|o| o.value.clone())
    };
    let new_now = new.as_ref().and_then(fresh);
    let olds_now: Vec<Value> = olds.iter().filter_map(fresh).collect();
    let every: Vec<&Value> = new_now.iter().chain(olds_now.iter()).collect();
    let sum = |p: &str| every.iter().map(|rs| int(rs, p)).sum::<i64>();
    let spec_total: i64 = every.iter().map(|rs| replicas(rs)).sum();
    let totals = Totals {
        replicas: sum("/status/replicas"),
        updated: new_now.as_ref().map_or(0, |rs| int(rs, "/status/replicas")),
        ready: sum("/status/readyReplicas"),
        available: sum("/status/availableReplicas"),
        unavailable: (spec_total - sum("/status/availableReplicas")).max(0),
        terminating: sum("/status/terminatingReplicas"),
    };
    let before = Totals {
        replicas: int(d, "/status/replicas"),
        updated: int(d, "/status/updatedReplicas"),
        ready: int(d, "/status/readyReplicas"),
        available: int(d, "/status/availableReplicas"),
        ..Default::default()
    };
    let available = totals.available >= desired - rollout::max_unavailable(strategy, desired);
    rollout::set_condition(
        &mut conditions,
        if available {
            rollout::condition(
                "Available",
                true,
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.",
                &now,
            )
        } else {
            rollout::condition(
                "Available",
                false,
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.",
                &now,
            )
        },
    );
    let deadline = d
        .pointer("/spec/progressDeadlineSeconds")
        .and_then(Value::as_i64)
        .unwrap_or(600);
    let progressing = conditions.iter().find(|c| c["type"] == "Progressing").cloned();
    let complete = totals.replicas == totals.updated
        && progressing
            .as_ref()
            .is_some_and(|c| c["reason"] == "NewReplicaSetAvailable");
    let rs_name = new_now.as_ref().map(|rs| meta_str(rs, "name").to_string());
    let what = match &rs_name {
        Some(n) => format!("ReplicaSet \"{n}\""),
        None => format!("Deployment \"{name}\""),
    };
    if !complete && !paused {
        let since = progressing
            .as_ref()
            .and_then(|c| c["lastUpdateTime"].as_str())
            .and_then(|t| t.parse::<k8s_openapi::jiff::Timestamp>().ok())
            .map(|t| k8s_openapi::jiff::Timestamp::now().as_second() - t.as_second());
        match rollout::progress(desired, &before, &totals, true, since, deadline) {
            Progress::Complete => rollout::set_condition(
                &mut conditions,
                rollout::condition(
                    "Progressing",
                    true,
                    "NewReplicaSetAvailable",
                    &format!("{what} has successfully progressed."),
                    &now,
                ),
            ),
            Progress::Progressing => {
                let mut c = rollout::condition(
                    "Progressing",
                    true,
                    "ReplicaSetUpdated",
                    &format!("{what} is progressing."),
                    &now,
                );
                if let Some(current) = &progressing
                    && current["status"] == "True"
                {
                    c["lastTransitionTime"] = current["lastTransitionTime"].clone();
                }
                conditions.retain(|c| c["type"] != "Progressing");
                conditions.push(c);
            }
            Progress::TimedOut => rollout::set_condition(
                &mut conditions,
                rollout::condition(
                    "Progressing",
                    false,
                    "ProgressDeadlineExceeded",
                    &format!("{what} has timed out progressing."),
                    &now,
                ),
            ),
            Progress::Unchanged => {}
        }
    }
    // A ReplicaSet's failure to make Pods shows on the Deployment, as the controller moves it.
    let failed = every.iter().find_map(|rs| {
        rs.pointer("/status/conditions")
            .and_then(Value::as_array)?
            .iter()
            .find(|c| c["type"] == super::replicaset::REPLICA_FAILURE)
    });
    match failed {
        Some(c) => {
            let mut moved = c.clone();
            moved["lastUpdateTime"] = c["lastTransitionTime"].clone();
            rollout::set_condition(&mut conditions, moved);
        }
        None => conditions.retain(|c| c["type"] != super::replicaset::REPLICA_FAILURE),
    }
    let mut status = Map::new();
    status.insert("observedGeneration".into(), d["metadata"]["generation"].clone());
    for (field, n) in [
        ("replicas", totals.replicas),
        ("updatedReplicas", totals.updated),
        ("readyReplicas", totals.ready),
        ("availableReplicas", totals.available),
        ("unavailableReplicas", totals.unavailable),
    ] {
        if n != 0 {
            status.insert(field.into(), json!(n));
        }
    }
    status.insert("terminatingReplicas".into(), json!(totals.terminating));
    status.insert("conditions".into(), json!(conditions));
    if let Some(c) = d.pointer("/status/collisionCount") {
        status.insert("collisionCount".into(), c.clone());
    }
    let revision_now = new_now.as_ref().map(|rs| revision(rs).to_string());
    let _ = objects::modify(objects, &d_def, Some(namespace), name, |v| {
        v["status"] = Value::Object(status);
        if let Some(r) = revision_now {
            if !v["metadata"]["annotations"].is_object() {
                v["metadata"]["annotations"] = json!({});
            }
            v["metadata"]["annotations"][REVISION] = json!(r);
        }
    });
}

/// Creates the ReplicaSet of the Deployment's template.
fn create(
    objects: &Objects,
    rs_def: &ResourceDef,
    d: &Value,
    collisions: i64,
    revision: i64,
    replicas: i64,
    max_replicas: i64,
) -> Result<Value, ApiError> {
    let template = &d["spec"]["template"];
    let hash = rollout::template_hash(template, collisions);
    let name = format!("{}-{hash}", meta_str(d, "name"));
    let mut template = template.clone();
    if !template["metadata"].is_object() {
        template["metadata"] = json!({});
    }
    if !template["metadata"]["labels"].is_object() {
        template["metadata"]["labels"] = json!({});
    }
    template["metadata"]["labels"][HASH_LABEL] = json!(hash);
    let mut selector = d["spec"]["selector"].clone();
    if !selector["matchLabels"].is_object() {
        selector["matchLabels"] = json!({});
    }
    selector["matchLabels"][HASH_LABEL] = json!(hash);
    let mut annotations = rollout::copied_annotations(d);
    annotations.insert(
        rollout::DESIRED.into(),
        json!(d["spec"]["replicas"].as_i64().unwrap_or(1).to_string()),
    );
    annotations.insert(rollout::MAX_REPLICAS.into(), json!(max_replicas.to_string()));
    annotations.insert(REVISION.into(), json!(revision.to_string()));
    let mut spec = json!({"replicas": replicas, "selector": selector, "template": template});
    if let Some(m) = d.pointer("/spec/minReadySeconds") {
        spec["minReadySeconds"] = m.clone();
    }
    let rs = json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": name, "namespace": meta_str(d, "namespace"), "labels": template["metadata"]["labels"],
            "annotations": annotations, "ownerReferences": [reference(d, "Deployment")]},
        "spec": spec,
    });
    objects::create_object(objects, rs_def, Some(meta_str(d, "namespace")), rs, false).map(|o| o.value.clone())
}

fn scaled_event(objects: &Objects, d: &Value, rs: &Value, from: i64, to: i64) {
    let how = if to > from { "up" } else { "down" };
    let message = format!("Scaled {how} replica set {} from {from} to {to}", meta_str(rs, "name"));
    objects::record_event_from(objects, COMPONENT, d, "Normal", "ScalingReplicaSet", &message);
}

fn set_replicas(objects: &Objects, rs_def: &ResourceDef, d: &Value, rs: &Value, to: i64, annotate: Option<(i64, i64)>) {
    let from = replicas(rs);
    let result = objects::modify(
        objects,
        rs_def,
        Some(meta_str(rs, "namespace")),
        meta_str(rs, "name"),
        |v| {
            v["spec"]["replicas"] = json!(to);
            if let Some((desired, max)) = annotate {
                if !v["metadata"]["annotations"].is_object() {
                    v["metadata"]["annotations"] = json!({});
                }
                v["metadata"]["annotations"][rollout::DESIRED] = json!(desired.to_string());
                v["metadata"]["annotations"][rollout::MAX_REPLICAS] = json!(max.to_string());
            }
        },
    );
    if result.is_ok() && from != to {
        scaled_event(objects, d, rs, from, to);
    }
}

/// One step of the rollout: the new ReplicaSet up (as far as the surge allows), the old ones
/// down (as far as availability allows); a plain scale when no old one has replicas.
#[allow(clippy::too_many_arguments)]
fn scale(
    objects: &Objects,
    rs_def: &ResourceDef,
    d: &Value,
    new: Option<&Value>,
    olds: &[Value],
    desired: i64,
    strategy: Strategy,
    paused: bool,
) {
    let old_active = olds.iter().any(|o| replicas(o) > 0);
    let surge = match strategy {
        Strategy::Rolling { surge, .. } => surge,
        Strategy::Recreate => 0,
    };
    let annotate = Some((desired, desired + surge));
    let Some(new) = new else {
        return;
    };
    if !old_active || paused {
        if replicas(new) != desired && (!old_active || replicas(new) > desired) {
            set_replicas(objects, rs_def, d, new, desired, annotate);
        }
        return;
    }
    match strategy {
        Strategy::Recreate => {
            for o in olds.iter().filter(|o| replicas(o) > 0) {
                set_replicas(objects, rs_def, d, o, 0, annotate);
            }
        }
        Strategy::Rolling { surge, unavailable } => {
            let total: i64 = replicas(new) + olds.iter().map(replicas).sum::<i64>();
            let next = rollout::new_replicas(desired, surge, replicas(new), total);
            if next != replicas(new) {
                set_replicas(objects, rs_def, d, new, next, annotate);
                return;
            }
            let counts: Vec<Counts> = olds
                .iter()
                .map(|o| Counts {
                    replicas: replicas(o),
                    available: int(o, "/status/availableReplicas"),
                })
                .collect();
            let new_counts = Counts {
                replicas: replicas(new),
                available: int(new, "/status/availableReplicas"),
            };
            let down = rollout::old_replicas(desired, unavailable, new_counts, &counts);
            for (o, to) in olds.iter().zip(down) {
                if to != replicas(o) {
                    set_replicas(objects, rs_def, d, o, to, annotate);
                }
            }
        }
    }
}

/// Old ReplicaSets with nothing left beyond revisionHistoryLimit go, the oldest revision first.
fn cleanup(objects: &Objects, rs_def: &ResourceDef, d: &Value, olds: &[Value]) {
    let limit = d
        .pointer("/spec/revisionHistoryLimit")
        .and_then(Value::as_i64)
        .unwrap_or(10)
        .max(0);
    let mut done: Vec<&Value> = olds
        .iter()
        .filter(|o| {
            replicas(o) == 0 && int(o, "/status/replicas") == 0 && o.pointer("/metadata/deletionTimestamp").is_none()
        })
        .collect();
    let extra = done.len() as i64 - limit;
    if extra <= 0 {
        return;
    }
    done.sort_by_key(|o| revision(o));
    for o in done.into_iter().take(extra as usize) {
        let key = Key::new(&rs_def.store_key(), meta_str(o, "namespace"), meta_str(o, "name"));
        let _ = objects::delete_object(objects, rs_def, &key, &Value::Null, false);
    }
}
