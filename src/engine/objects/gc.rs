//! What a stored change sets off elsewhere: served resources follow CRDs, dependents follow
//! their owners (the garbage collector's background deletion), namespaces empty themselves
//! before they go.

use serde_json::Value;

use super::{ApiError, Objects, delete, meta_str, namespaces};
use crate::engine::names::CRD_RESOURCE;
use crate::engine::resources::ResourceDef;
use crate::engine::store::{Key, Mutation, Outcome};

/// What a change sets off elsewhere: served resources follow CRDs, dependents follow their
/// owners, namespaces empty themselves before they go.
pub(super) fn after_change(objects: &Objects, def: &ResourceDef, key: &Key, outcome: &Outcome) {
    if key.resource == CRD_RESOURCE {
        if let Outcome::Deleted(crd) = outcome {
            delete_instances(objects, &crd.value);
        }
        objects.refresh_registry();
    }
    match outcome {
        Outcome::Deleted(gone) => {
            collect_dependents(objects, &gone.value);
            if def.namespaced {
                namespaces::finish_namespace(objects, &key.namespace);
            }
        }
        Outcome::Updated(o)
            if namespaces::is_namespace(def) && o.value.pointer("/metadata/deletionTimestamp").is_some() =>
        {
            namespaces::empty_namespace(objects, &key.name);
            namespaces::finish_namespace(objects, &key.name);
        }
        _ => {}
    }
}

pub(super) fn delete_instances(objects: &Objects, crd: &Value) {
    let group = crd.pointer("/spec/group").and_then(Value::as_str).unwrap_or_default();
    let plural = crd
        .pointer("/spec/names/plural")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let resource = format!("{group}/{plural}");
    let (instances, _) = objects.store.list(&resource, None);
    for o in instances {
        let key = Key::new(&resource, meta_str(&o.value, "namespace"), meta_str(&o.value, "name"));
        let _ = objects.store.mutate::<ApiError>(&key, false, |_| Ok(Mutation::Delete));
    }
}

/// The garbage collector's background deletion: objects owned by a deleted object go too.
pub(super) fn collect_dependents(objects: &Objects, owner: &Value) {
    let Some(uid) = owner.pointer("/metadata/uid").and_then(Value::as_str) else {
        return;
    };
    let namespace = meta_str(owner, "namespace");
    let registry = objects.registry();
    for key in objects.store.keys_in_namespace(namespace) {
        let Some(obj) = objects.store.get(&key) else {
            continue;
        };
        let owned = obj
            .value
            .pointer("/metadata/ownerReferences")
            .and_then(Value::as_array)
            .is_some_and(|refs| refs.iter().any(|r| r["uid"].as_str() == Some(uid)));
        if !owned {
            continue;
        }
        if let Some(def) = registry.all().iter().find(|d| d.store_key() == key.resource) {
            let _ = delete::delete_object(objects, def, &key, &Value::Null, false);
        }
    }
}
