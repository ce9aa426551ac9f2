//! Writes of existing objects as the engine's own controllers make them (`upsert`, `modify`),
//! and the rules every update keeps: server fields kept, the generation bumped on a spec change,
//! no write when nothing changed.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{ApiError, Objects, builtin, create, gc, key_of, meta_str};
use crate::engine::resources::ResourceDef;
use crate::engine::store::{Mutation, Object, Outcome};

/// Writes an object as the engine's own controllers do: created when missing, else replaced
/// whole (status included, kept from the stored object when the new value has none), with the
/// server's metadata kept and the generation bumped on spec changes.
pub fn upsert(
    objects: &Objects,
    def: &ResourceDef,
    namespace: Option<&str>,
    mut value: Value,
) -> Result<Arc<Object>, ApiError> {
    let name = meta_str(&value, "name").to_string();
    let key = key_of(def, namespace, &name);
    if objects.store.get(&key).is_none() {
        match create::create_object(objects, def, namespace, value.clone(), false) {
            Ok(created) => return Ok(created),
            Err(e) if e.code == 409 => {}
            Err(e) => return Err(e),
        }
    }
    create::check_type(def, &mut value)?;
    // The whole object is the desired one; a status it does not carry is kept.
    rewrite(objects, def, namespace, &name, |current| {
        if value.get("status").is_none()
            && let Some(status) = current.get("status")
        {
            value["status"] = status.clone();
        }
        value
    })
}

/// Changes the stored object in place: `change` edits the current value (the status, the
/// replicas, …) and everything else stays as it is now, so a controller's write made from an
/// earlier read cannot undo someone else's change in between.
pub fn modify(
    objects: &Objects,
    def: &ResourceDef,
    namespace: Option<&str>,
    name: &str,
    change: impl FnOnce(&mut Value),
) -> Result<Arc<Object>, ApiError> {
    rewrite(objects, def, namespace, name, |current| {
        let mut value = current.clone();
        change(&mut value);
        value
    })
}

/// Stores `next(current)` in one step with the current object (server fields kept, the
/// generation bumped on a spec change, nothing written when nothing changed).
pub(super) fn rewrite(
    objects: &Objects,
    def: &ResourceDef,
    namespace: Option<&str>,
    name: &str,
    next: impl FnOnce(&Value) -> Value,
) -> Result<Arc<Object>, ApiError> {
    let key = key_of(def, namespace, name);
    let mut prepared = builtin::Prepared::for_write(objects, def);
    let outcome = objects.store.mutate::<ApiError>(&key, false, |current| {
        let current = current.ok_or_else(|| ApiError::not_found(&def.qualified(), &def.plural, name))?;
        let mut value = next(&current.value);
        keep_server_fields(def, &mut value, &current.value);
        if comparable(&value) == comparable(&current.value) {
            return Ok(Mutation::Keep);
        }
        prepared.admit_change(def, Some(&current.value), Mutation::Put(value))
    })?;
    gc::after_change(objects, def, &key, &outcome);
    match outcome {
        Outcome::Created(o) | Outcome::Updated(o) | Outcome::Unchanged(Some(o)) | Outcome::Deleted(o) => Ok(o),
        Outcome::Unchanged(None) => Err(ApiError::not_found(&def.qualified(), &def.plural, name)),
    }
}

/// Without the parts that change on every write, to tell a real change from a no-op.
pub fn comparable(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("resourceVersion");
        if let Some(Value::Array(entries)) = meta.get_mut("managedFields") {
            for e in entries.iter_mut().filter_map(Value::as_object_mut) {
                e.remove("time");
            }
        }
    }
    v
}

pub(super) fn without_meta_and_status(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("metadata");
        m.remove("status");
    }
    v
}

/// Fields only the server sets, kept from the stored object on every update.
const SERVER_FIELDS: &[&str] = &[
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
    "namespace",
];

/// Keeps the server's own metadata from `current`, and bumps the generation when anything
/// outside `metadata` and `status` changed.
pub fn keep_server_fields(def: &ResourceDef, next: &mut Value, current: &Value) {
    let meta = next["metadata"].as_object_mut().expect("objects have metadata");
    for field in SERVER_FIELDS {
        match current["metadata"].get(*field) {
            Some(v) => meta.insert(field.to_string(), v.clone()),
            None => meta.remove(*field),
        };
    }
    if def.generation && without_meta_and_status(next) != without_meta_and_status(current) {
        let generation = current["metadata"]["generation"].as_i64().unwrap_or(0) + 1;
        next["metadata"]["generation"] = json!(generation);
    }
}
