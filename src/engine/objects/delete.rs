//! Deleting an object: removed at once, or marked while finalizers remain (namespaces always
//! are, and empty themselves first).

use serde_json::{Value, json};

use super::{ApiError, Objects, gc, namespaces};
use crate::api::now;
use crate::engine::resources::ResourceDef;
use crate::engine::store::{Key, Mutation, Outcome};

/// Deletes one object: removed at once, or marked with a deletionTimestamp while finalizers
/// remain. Returns the outcome, for callers that cascade.
pub fn delete_object(
    objects: &Objects,
    def: &ResourceDef,
    key: &Key,
    preconditions: &Value,
    dry_run: bool,
) -> Result<Outcome, ApiError> {
    if namespaces::is_namespace(def) && namespaces::PROTECTED_NAMESPACES.contains(&key.name.as_str()) {
        return Err(ApiError::new(
            403,
            "Forbidden",
            format!(
                "namespaces \"{}\" is forbidden: this namespace may not be deleted",
                key.name
            ),
        ));
    }
    let outcome = objects.store.mutate(key, dry_run, |current| {
        let current = current.ok_or_else(|| ApiError::not_found(&def.qualified(), &def.plural, &key.name))?;
        let meta = &current.value["metadata"];
        for (field, what) in [("uid", "UID"), ("resourceVersion", "ResourceVersion")] {
            if let Some(want) = preconditions.get(field).and_then(Value::as_str) {
                let have = meta[field].as_str().unwrap_or_default();
                if want != have {
                    return Err(ApiError::new(
                        409,
                        "Conflict",
                        format!("Precondition failed: {what} in precondition: {want}, {what} in object meta: {have}"),
                    ));
                }
            }
        }
        let finalizers = meta["finalizers"].as_array().is_some_and(|f| !f.is_empty());
        if finalizers || namespaces::is_namespace(def) {
            if meta.get("deletionTimestamp").is_some() {
                return Ok(Mutation::Keep);
            }
            let mut next = current.value.clone();
            next["metadata"]["deletionTimestamp"] = json!(now());
            next["metadata"]["deletionGracePeriodSeconds"] = json!(0);
            if namespaces::is_namespace(def) {
                next["status"] = json!({"phase": "Terminating"});
            }
            return Ok(Mutation::Put(next));
        }
        Ok(Mutation::Delete)
    })?;
    if !dry_run {
        gc::after_change(objects, def, key, &outcome);
    }
    Ok(outcome)
}
