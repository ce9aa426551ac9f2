//! The engine's controllers, as kube-controller-manager runs them on a cluster: the Deployment
//! controller ([`deployment`]: ReplicaSets per template, rollouts, history, status and
//! conditions), the ReplicaSet controller ([`replicaset`]: Pods, replaced and scaled) and the
//! garbage collector's sweep (objects whose owners are gone). What runs a Pod is the engine's
//! "kubelet": the reconciler for a function's Pods (see [`crate::engine::reconciler`]); any other
//! Pod is left Pending, unscheduled, with a condition that says why ([`unscheduled`]).

mod deployment;
mod quota;
mod replicaset;
pub mod rollout;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::engine::objects::{self, Objects, meta_str};
use crate::engine::store::{Key, Object};

const DEPLOYMENTS: &str = "apps/deployments";
const REPLICASETS: &str = "apps/replicasets";
const PODS: &str = "/pods";

/// Starts the controllers; they run until the process ends.
pub fn start(objects: Arc<Objects>) {
    quota::start(objects.clone());
    tokio::spawn(run(objects));
}

async fn run(objects: Arc<Objects>) {
    let Ok((_, mut events)) = objects.store.watch(DEPLOYMENTS, None, None) else {
        return;
    };
    let mut tick = tokio::time::interval(Duration::from_secs(2));
    let mut dirty: BTreeSet<String> = BTreeSet::new();
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(e) if [DEPLOYMENTS, REPLICASETS, PODS].contains(&e.key.resource.as_str()) => {
                    dirty.insert(e.key.namespace.clone());
                }
                Ok(_) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => dirty.extend(namespaces(&objects)),
                Err(_) => return,
            },
            _ = tick.tick() => {
                dirty.extend(namespaces(&objects));
                objects::collect_dangling(&objects);
                objects::finish_namespaces(&objects);
            }
        }
        // What else is already there joins this pass.
        while let Ok(e) = events.try_recv() {
            if [DEPLOYMENTS, REPLICASETS, PODS].contains(&e.key.resource.as_str()) {
                dirty.insert(e.key.namespace.clone());
            }
        }
        for namespace in std::mem::take(&mut dirty) {
            sync_namespace(&objects, &namespace);
        }
        tokio::task::yield_now().await;
    }
}

/// The namespaces with a Deployment, a ReplicaSet or a Pod.
fn namespaces(objects: &Objects) -> BTreeSet<String> {
    [DEPLOYMENTS, REPLICASETS, PODS]
        .iter()
        .flat_map(|r| objects.store.list(r, None).0)
        .map(|o| meta_str(&o.value, "namespace").to_string())
        .collect()
}

fn sync_namespace(objects: &Objects, namespace: &str) {
    let (deployments, _) = objects.store.list(DEPLOYMENTS, Some(namespace));
    let replicasets = Owned::list(objects, REPLICASETS, namespace);
    for d in &deployments {
        deployment::sync(objects, &d.value, &replicasets.of(objects, meta_str(&d.value, "uid")));
    }
    // The Deployments' pass may have made, adopted or removed ReplicaSets.
    let (replicasets, _) = objects.store.list(REPLICASETS, Some(namespace));
    let pods = Owned::list(objects, PODS, namespace);
    for rs in &replicasets {
        replicaset::sync(objects, &rs.value, &pods.of(objects, meta_str(&rs.value, "uid")));
    }
    let (pods, _) = objects.store.list(PODS, Some(namespace));
    for pod in &pods {
        unscheduled(objects, pod);
    }
}

/// A namespace's objects of one kind, listed once for a pass and grouped by the uid of their
/// controller, so that each owner's sync costs what it owns rather than the whole namespace.
struct Owned {
    by_controller: HashMap<String, Vec<Arc<Object>>>,
    /// Those with no controller, by key: any owner may adopt one, so each is read again for
    /// every owner.
    orphans: Vec<Key>,
}

impl Owned {
    fn list(objects: &Objects, resource: &str, namespace: &str) -> Self {
        let mut owned = Owned {
            by_controller: HashMap::new(),
            orphans: Vec::new(),
        };
        for o in objects.store.list(resource, Some(namespace)).0 {
            match controller_of(&o.value).and_then(|r| r["uid"].as_str()) {
                Some(uid) => owned.by_controller.entry(uid.to_string()).or_default().push(o),
                None => owned
                    .orphans
                    .push(Key::new(resource, namespace, meta_str(&o.value, "name"))),
            }
        }
        owned
    }

    /// What an owner's sync looks at: the objects it controls and those no controller has
    /// (yet: one adopted by an earlier owner of this pass is no longer offered).
    fn of(&self, objects: &Objects, uid: &str) -> Vec<Arc<Object>> {
        let mut those = self.by_controller.get(uid).cloned().unwrap_or_default();
        those.extend(
            self.orphans
                .iter()
                .filter_map(|k| objects.store.get(k))
                .filter(|o| controller_of(&o.value).is_none()),
        );
        those
    }
}

/// The reference to an object's managing controller, if it has one.
pub fn controller_of(object: &Value) -> Option<&Value> {
    object
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)?
        .iter()
        .find(|r| r["controller"] == true)
}

fn controlled_by(object: &Value, uid: &str) -> bool {
    controller_of(object).is_some_and(|r| r["uid"].as_str() == Some(uid))
}

/// A controller reference to `owner` (of kind `kind`, apps/v1), as the controllers write them.
fn reference(owner: &Value, kind: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": kind, "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
        "controller": true, "blockOwnerDeletion": true})
}

fn owner(objects: &Objects, object: &Value, kind: &str, resource: &str) -> Option<Arc<Object>> {
    let r = controller_of(object).filter(|r| r["kind"] == kind)?;
    let o = objects.store.get(&Key::new(
        resource,
        meta_str(object, "namespace"),
        r["name"].as_str().unwrap_or_default(),
    ))?;
    (o.value["metadata"]["uid"] == r["uid"]).then_some(o)
}

/// The Function whose Deployment's ReplicaSet manages `pod` (its name), if there is one: the
/// Pods the engine runs.
pub fn function_of(objects: &Objects, pod: &Value) -> Option<String> {
    let rs = owner(objects, pod, "ReplicaSet", REPLICASETS)?;
    let d = owner(objects, &rs.value, "Deployment", DEPLOYMENTS)?;
    let f = controller_of(&d.value).filter(|r| {
        r["kind"] == "Function" && r["apiVersion"].as_str().is_some_and(|a| a.starts_with("kubeless.io/"))
    })?;
    f["name"].as_str().map(String::from)
}

/// What the engine tells a Pod it will not run (any Pod but a function's).
pub const UNSCHEDULED: &str = "the kfn local engine runs only the Pods of kfn functions: this Pod is not scheduled";

/// A Pod no kubelet of the engine runs stays Pending, with PodScheduled=False saying why.
fn unscheduled(objects: &Objects, pod: &Object) {
    let v = &pod.value;
    if v.pointer("/metadata/deletionTimestamp").is_some()
        || v.pointer("/spec/nodeName")
            .and_then(Value::as_str)
            .is_some_and(|n| !n.is_empty())
        || v.pointer("/status/conditions")
            .and_then(Value::as_array)
            .is_some_and(|c| c.iter().any(|c| c["type"] == "PodScheduled"))
        || function_of(objects, v).is_some()
    {
        return;
    }
    let Some(def) = objects.registry().find("", "v1", "pods") else {
        return;
    };
    let _ = objects::modify(
        objects,
        &def,
        Some(meta_str(v, "namespace")),
        meta_str(v, "name"),
        |p| {
            if !p["status"].is_object() {
                p["status"] = json!({});
            }
            if p["status"]["phase"].is_null() {
                p["status"]["phase"] = json!("Pending");
            }
            p["status"]["conditions"] = json!([{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
            "message": UNSCHEDULED, "lastProbeTime": null, "lastTransitionTime": crate::api::now()}]);
        },
    );
}
