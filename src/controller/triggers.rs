//! What wakes a reconcile. A watch sends every change of an object, and most of them are the
//! controller's own echo (the status it wrote, the children it just applied) or the controller
//! manager's bookkeeping (a Deployment's conditions); reconciling on each cost a thousand
//! Functions 35 API requests apiece on a real API server (benches/README.md). These streams
//! pass on only what a reconcile acts on.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use futures::{Stream, StreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, DynamicObject};
use kube::runtime::reflector::{self, Store};
use kube::runtime::watcher::{self, Event};
use kube::runtime::{WatchStreamExt, predicates};
use kube::{Resource, ResourceExt};
use serde::de::DeserializeOwned;

fn hash(value: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// A parent (Function or trigger) wants a reconcile when its spec changes (its generation), when
/// it is being deleted, and when its finalizers change (the finalizer helper waits for the echo
/// of the one it adds) — not for its own status writes or label edits.
fn parent_property(obj: &DynamicObject) -> Option<u64> {
    Some(hash((
        predicates::generation(obj),
        obj.metadata.deletion_timestamp.is_some(),
        &obj.metadata.finalizers,
    )))
}

/// The objects of a parent kind, cached in the store the controller reads them from, passed on
/// when [`parent_property`] changes.
pub fn parents(
    api: Api<DynamicObject>,
    resource: kube::api::ApiResource,
) -> (
    Store<DynamicObject>,
    impl Stream<Item = Result<DynamicObject, watcher::Error>> + Send,
) {
    let writer = reflector::store::Writer::new(resource);
    let reader = writer.as_reader();
    let stream = reflector::reflector(writer, watcher::watcher(api, watcher::Config::default()))
        .default_backoff()
        .applied_objects()
        .predicate_filter(parent_property, Default::default());
    (reader, stream)
}

/// What of a Deployment the Function's status reads: how many replicas it has and has ready,
/// and its conditions.
pub fn deployment_property(d: &Deployment) -> u64 {
    let status = d.status.clone().unwrap_or_default();
    let conditions: Vec<_> = status
        .conditions
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.type_, c.status, c.reason))
        .collect();
    hash((status.replicas, status.ready_replicas, conditions))
}

/// Children of a watch that matter to their owner: every deleted one (so it is made again at
/// once), and, with `property`, one whose property changed since it was last seen. A child's
/// first sighting passes nothing on: it is the echo of its creation, or, at start, of a child
/// whose parent is reconciled anyway. With `store`, the children are cached there too.
pub fn children<K>(
    api: Api<K>,
    config: watcher::Config,
    property: Option<fn(&K) -> u64>,
    store: Option<reflector::store::Writer<K>>,
) -> impl Stream<Item = Result<K, watcher::Error>> + Send
where
    K: Resource + Clone + DeserializeOwned + std::fmt::Debug + Send + Sync + 'static,
    K::DynamicType: Default + Eq + Hash + Clone,
{
    let events = watcher::watcher(api, config).default_backoff();
    let events = match store {
        Some(writer) => reflector::reflector(writer, events).boxed(),
        None => events.boxed(),
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    events.filter_map(move |event| {
        let passed = match event {
            Err(e) => Some(Err(e)),
            Ok(Event::Delete(child)) => {
                seen.remove(&key(&child));
                Some(Ok(child))
            }
            Ok(Event::Apply(child) | Event::InitApply(child)) => property.and_then(|p| {
                let now = p(&child);
                match seen.insert(key(&child), now) {
                    Some(before) if before != now => Some(Ok(child)),
                    _ => None,
                }
            }),
            Ok(Event::Init | Event::InitDone) => None,
        };
        std::future::ready(passed)
    })
}

fn key<K: Resource>(obj: &K) -> String {
    obj.uid()
        .unwrap_or_else(|| format!("{}/{}", obj.namespace().unwrap_or_default(), obj.name_any()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment(status: serde_json::Value) -> Deployment {
        serde_json::from_value(json!({"metadata": {"name": "f"}, "status": status})).unwrap()
    }

    #[test]
    fn a_deployment_wakes_its_function_when_readiness_changes_not_for_bookkeeping() {
        let pending = deployment(json!({"replicas": 1, "readyReplicas": 0, "observedGeneration": 1}));
        let later = deployment(json!({"replicas": 1, "readyReplicas": 0, "observedGeneration": 2}));
        let ready = deployment(json!({"replicas": 1, "readyReplicas": 1, "observedGeneration": 2}));
        let unavailable = deployment(json!({"replicas": 1, "readyReplicas": 1,
            "conditions": [{"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable"}]}));
        assert_eq!(deployment_property(&pending), deployment_property(&later));
        assert_ne!(deployment_property(&pending), deployment_property(&ready));
        assert_ne!(deployment_property(&ready), deployment_property(&unavailable));
    }

    #[test]
    fn a_parent_wakes_for_its_spec_deletion_and_finalizers_not_its_status() {
        let f = |generation: i64, status: &str, finalizers: serde_json::Value, deleting: bool| -> DynamicObject {
            let mut meta = json!({"name": "f", "generation": generation, "finalizers": finalizers});
            if deleting {
                meta["deletionTimestamp"] = json!("2026-12-01T00:00:00Z");
            }
            serde_json::from_value(json!({"apiVersion": "kubeless.io/v1beta1", "kind": "Function",
                "metadata": meta, "status": {"message": status}}))
            .unwrap()
        };
        let base = parent_property(&f(1, "a", json!([]), false));
        assert_eq!(base, parent_property(&f(1, "b", json!([]), false)), "status only");
        assert_ne!(base, parent_property(&f(2, "a", json!([]), false)), "spec");
        assert_ne!(
            base,
            parent_property(&f(1, "a", json!(["kubeless.io/function"]), false)),
            "finalizer"
        );
        assert_ne!(base, parent_property(&f(1, "a", json!([]), true)), "deletion");
    }
}
