//! What a stored change sets off elsewhere: served resources follow CRDs, dependents follow
//! their owners (the garbage collector: Background, Foreground and Orphan propagation, and
//! objects whose owners no longer exist), namespaces empty themselves before they go.

use std::sync::Arc;

use serde_json::{Value, json};

use super::delete::{FOREGROUND, ORPHAN, Propagation};
use super::kinds::CRD_CLEANUP;
use super::{ApiError, Objects, delete, meta_str, namespaces};
use crate::engine::names::CRD_RESOURCE;
use crate::engine::resources::ResourceDef;
use crate::engine::store::{Key, Mutation, Object, Outcome};

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
            owners_may_finish(objects, &gone.value);
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
        Outcome::Updated(o) if o.value.pointer("/metadata/deletionTimestamp").is_some() => {
            if key.resource == CRD_RESOURCE && has_finalizer(&o.value, CRD_CLEANUP) {
                // The API server's CRD finalizer: its objects go, then the finalizer.
                delete_instances(objects, &o.value);
                finish(objects, def, key, CRD_CLEANUP);
            } else if has_finalizer(&o.value, ORPHAN) {
                orphan_dependents(objects, &o.value);
                finish(objects, def, key, ORPHAN);
            } else if has_finalizer(&o.value, FOREGROUND) {
                for (dkey, ddef, _) in dependents(objects, &o.value) {
                    let _ = delete::delete_with(
                        objects,
                        &ddef,
                        &dkey,
                        &Value::Null,
                        Some(Propagation::Foreground),
                        false,
                    );
                }
                foreground_may_finish(objects, def, key);
            }
        }
        _ => {}
    }
}

fn has_finalizer(object: &Value, finalizer: &str) -> bool {
    object["metadata"]["finalizers"]
        .as_array()
        .is_some_and(|f| f.iter().any(|x| x == finalizer))
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

fn refs(object: &Value) -> &[Value] {
    object
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The objects that name `owner` (by uid) among their owners, with their resources.
fn dependents(objects: &Objects, owner: &Value) -> Vec<(Key, Arc<ResourceDef>, Arc<Object>)> {
    let Some(uid) = owner.pointer("/metadata/uid").and_then(Value::as_str) else {
        return vec![];
    };
    let registry = objects.registry();
    objects
        .store
        .keys_in_namespace(meta_str(owner, "namespace"))
        .into_iter()
        .filter_map(|key| {
            let obj = objects.store.get(&key)?;
            if !refs(&obj.value).iter().any(|r| r["uid"].as_str() == Some(uid)) {
                return None;
            }
            let def = registry.all().iter().find(|d| d.store_key() == key.resource)?.clone();
            Some((key, def, obj))
        })
        .collect()
}

/// Removes the references to `uid` from an object's owners.
fn drop_refs(objects: &Objects, def: &ResourceDef, key: &Key, gone: &dyn Fn(&Value) -> bool) {
    let _ = super::write::rewrite(objects, def, Some(&key.namespace), &key.name, |current| {
        let mut next = current.clone();
        let kept: Vec<Value> = refs(current).iter().filter(|r| !gone(r)).cloned().collect();
        if let Some(meta) = next["metadata"].as_object_mut() {
            if kept.is_empty() {
                meta.remove("ownerReferences");
            } else {
                meta.insert("ownerReferences".into(), json!(kept));
            }
        }
        next
    });
}

/// Background deletion: the dependents of a deleted object go too, unless another owner of
/// theirs still exists (then only their reference to it goes).
pub(super) fn collect_dependents(objects: &Objects, owner: &Value) {
    let uid = meta_str(owner, "uid").to_string();
    for (key, def, obj) in dependents(objects, owner) {
        let others_exist = refs(&obj.value)
            .iter()
            .filter(|r| r["uid"].as_str() != Some(uid.as_str()))
            .any(|r| owner_exists(objects, &key.namespace, r) != Some(false));
        if others_exist {
            drop_refs(objects, &def, &key, &|r| r["uid"].as_str() == Some(uid.as_str()));
        } else {
            let _ = delete::delete_object(objects, &def, &key, &Value::Null, false);
        }
    }
}

/// Orphan deletion: the dependents stay, without their reference to the owner.
fn orphan_dependents(objects: &Objects, owner: &Value) {
    let uid = meta_str(owner, "uid").to_string();
    for (key, def, _) in dependents(objects, owner) {
        drop_refs(objects, &def, &key, &|r| r["uid"].as_str() == Some(uid.as_str()));
    }
}

/// Takes one finalizer the garbage collector handles off an object being deleted; the object
/// goes when it was the last.
fn finish(objects: &Objects, def: &ResourceDef, key: &Key, finalizer: &str) {
    let outcome = objects.store.mutate::<ApiError>(key, false, |current| {
        let Some(current) = current else {
            return Ok(Mutation::Keep);
        };
        let mut next = current.value.clone();
        let mut finalizers: Vec<Value> = refs_of(&next["metadata"]["finalizers"]);
        finalizers.retain(|f| f != finalizer);
        if finalizers.is_empty() {
            return Ok(Mutation::Delete);
        }
        next["metadata"]["finalizers"] = json!(finalizers);
        Ok(Mutation::Put(next))
    });
    if let Ok(outcome) = outcome {
        after_change(objects, def, key, &outcome);
    }
}

fn refs_of(v: &Value) -> Vec<Value> {
    v.as_array().cloned().unwrap_or_default()
}

/// A foreground deletion ends once no dependent that blocks its owner's deletion is left.
fn foreground_may_finish(objects: &Objects, def: &ResourceDef, key: &Key) {
    let Some(owner) = objects.store.get(key) else {
        return;
    };
    if !has_finalizer(&owner.value, FOREGROUND) {
        return;
    }
    let uid = meta_str(&owner.value, "uid");
    let blocked = dependents(objects, &owner.value).iter().any(|(_, _, d)| {
        refs(&d.value)
            .iter()
            .any(|r| r["uid"].as_str() == Some(uid) && r["blockOwnerDeletion"] == true)
    });
    if !blocked {
        finish(objects, def, key, FOREGROUND);
    }
}

/// A deleted dependent may have been the last one an owner's foreground deletion waited for.
fn owners_may_finish(objects: &Objects, gone: &Value) {
    let namespace = meta_str(gone, "namespace");
    for r in refs(gone) {
        if let Some((def, key)) = owner_key(objects, namespace, r)
            && let Some(owner) = objects.store.get(&key)
            && owner.value["metadata"]["uid"] == r["uid"]
            && has_finalizer(&owner.value, FOREGROUND)
        {
            foreground_may_finish(objects, &def, &key);
        }
    }
}

/// Where the owner an ownerReference names would be stored; `None` when its kind is not served.
fn owner_key(objects: &Objects, namespace: &str, r: &Value) -> Option<(Arc<ResourceDef>, Key)> {
    let api_version = r["apiVersion"].as_str()?;
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    let kind = r["kind"].as_str()?;
    let name = r["name"].as_str()?;
    let registry = objects.registry();
    let def = registry
        .all()
        .iter()
        .find(|d| d.group == group && d.kind == kind)?
        .clone();
    let key = Key::new(&def.store_key(), if def.namespaced { namespace } else { "" }, name);
    Some((def, key))
}

/// Whether the owner a reference names exists (with its uid); `None` when the engine cannot
/// tell (a kind it does not serve).
fn owner_exists(objects: &Objects, namespace: &str, r: &Value) -> Option<bool> {
    let (_, key) = owner_key(objects, namespace, r)?;
    Some(
        objects
            .store
            .get(&key)
            .is_some_and(|o| o.value["metadata"]["uid"] == r["uid"]),
    )
}

/// The garbage collector's sweep: an object whose owners are all gone (no object with their
/// uid) is deleted; one with some gone loses its references to those.
pub fn collect_dangling(objects: &Objects) {
    let registry = objects.registry();
    let mut seen = std::collections::HashSet::new();
    for def in registry.all() {
        if !seen.insert(def.store_key()) {
            continue;
        }
        let (all, _) = objects.store.list(&def.store_key(), None);
        for o in all {
            let owners = refs(&o.value);
            if owners.is_empty() || o.value.pointer("/metadata/deletionTimestamp").is_some() {
                continue;
            }
            let namespace = meta_str(&o.value, "namespace");
            let gone: Vec<&Value> = owners
                .iter()
                .filter(|r| owner_exists(objects, namespace, r) == Some(false))
                .collect();
            if gone.is_empty() {
                continue;
            }
            let key = Key::new(&def.store_key(), namespace, meta_str(&o.value, "name"));
            if gone.len() == owners.len() {
                tracing::info!(
                    "garbage collector: {} {namespace}/{} has no owner left",
                    def.kind,
                    key.name
                );
                let _ = delete::delete_object(objects, def, &key, &Value::Null, false);
            } else {
                let uids: Vec<Value> = gone.iter().map(|r| r["uid"].clone()).collect();
                drop_refs(objects, def, &key, &|r| uids.contains(&r["uid"]));
            }
        }
    }
}
