//! Deleting an object: removed at once, or marked while finalizers remain (namespaces always
//! are, and empty themselves first). How its dependents follow is the propagation policy:
//! Background (they are collected after it), Foreground (it stays, with the
//! `foregroundDeletion` finalizer, until its blocking dependents are gone) or Orphan (they stay,
//! without their reference to it; the `orphan` finalizer).

use serde_json::{Value, json};

use super::{ApiError, Objects, gc, namespaces};
use crate::api::now;
use crate::engine::resources::ResourceDef;
use crate::engine::store::{Key, Mutation, Outcome};

pub const ORPHAN: &str = "orphan";
pub const FOREGROUND: &str = "foregroundDeletion";

/// How a deleted object's dependents follow it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Propagation {
    Orphan,
    Background,
    Foreground,
}

impl Propagation {
    /// The policy of an object deleted without one: what its finalizers say, else Background.
    fn of(object: &Value) -> Self {
        let finalizers = object["metadata"]["finalizers"].as_array();
        let has = |f: &str| finalizers.is_some_and(|l| l.iter().any(|x| x == f));
        if has(ORPHAN) {
            Propagation::Orphan
        } else if has(FOREGROUND) {
            Propagation::Foreground
        } else {
            Propagation::Background
        }
    }
}

/// Deletes one object with the policy its finalizers say (else Background).
pub fn delete_object(
    objects: &Objects,
    def: &ResourceDef,
    key: &Key,
    preconditions: &Value,
    dry_run: bool,
) -> Result<Outcome, ApiError> {
    delete_with(objects, def, key, preconditions, None, dry_run)
}

/// Deletes one object: removed at once, or marked with a deletionTimestamp while finalizers
/// remain (the policy's own included). Returns the outcome, for callers that cascade.
pub fn delete_with(
    objects: &Objects,
    def: &ResourceDef,
    key: &Key,
    preconditions: &Value,
    policy: Option<Propagation>,
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
        // As the real server's BeforeDelete words it: the conflict is on the kind (qualified
        // by its group), and the details name the kind, not the resource.
        for (field, what, why) in [
            ("uid", "UID", "deleted and then recreated"),
            ("resourceVersion", "ResourceVersion", "modified"),
        ] {
            if let Some(want) = preconditions.get(field).and_then(Value::as_str) {
                let have = meta[field].as_str().unwrap_or_default();
                if want != have {
                    let on = if def.group.is_empty() {
                        def.kind.clone()
                    } else {
                        format!("{}.{}", def.kind, def.group)
                    };
                    let mut details = json!({"name": key.name, "kind": def.kind});
                    if !def.group.is_empty() {
                        details["group"] = json!(def.group);
                    }
                    return Err(ApiError::new(
                        409,
                        "Conflict",
                        format!(
                            "Operation cannot be fulfilled on {on} \"{}\": the {what} in the precondition ({want}) does not match the {what} in record ({have}). The object might have been {why}",
                            key.name
                        ),
                    )
                    .with_details(details));
                }
            }
        }
        if meta.get("deletionTimestamp").is_some() {
            return Ok(Mutation::Keep);
        }
        let policy = policy.unwrap_or_else(|| Propagation::of(&current.value));
        let mut finalizers: Vec<Value> = meta["finalizers"].as_array().cloned().unwrap_or_default();
        // The policy asked for replaces the one a finalizer asked for before.
        finalizers.retain(|f| f != ORPHAN && f != FOREGROUND);
        match policy {
            Propagation::Orphan => finalizers.push(json!(ORPHAN)),
            Propagation::Foreground => finalizers.push(json!(FOREGROUND)),
            Propagation::Background => {}
        }
        if !finalizers.is_empty() || namespaces::is_namespace(def) {
            let mut next = current.value.clone();
            next["metadata"]["deletionTimestamp"] = json!(now());
            next["metadata"]["deletionGracePeriodSeconds"] = json!(0);
            // As on the real server, marking an object deleted is a change of its generation.
            if let Some(generation) = meta["generation"].as_i64().filter(|g| *g > 0) {
                next["metadata"]["generation"] = json!(generation + 1);
            }
            if finalizers.is_empty() {
                if let Some(m) = next["metadata"].as_object_mut() {
                    m.remove("finalizers");
                }
            } else {
                next["metadata"]["finalizers"] = json!(finalizers);
            }
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

/// As on the real server, no finalizer may be added to an object being deleted.
pub fn check_new_finalizers(def: &ResourceDef, current: &Value, next: &Value) -> Result<(), ApiError> {
    if current.pointer("/metadata/deletionTimestamp").is_none() {
        return Ok(());
    }
    let list = |v: &Value| -> Vec<String> {
        v["metadata"]["finalizers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f.as_str().map(str::to_string))
            .collect()
    };
    let old = list(current);
    let added: Vec<String> = list(next).into_iter().filter(|f| !old.contains(f)).collect();
    if added.is_empty() {
        return Ok(());
    }
    let quoted: Vec<String> = added
        .iter()
        .map(|f| serde_json::to_string(f).expect("a string"))
        .collect();
    let detail = format!(
        "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{{{}}}",
        quoted.join(", ")
    );
    let name = current["metadata"]["name"].as_str().unwrap_or_default();
    let kind = if def.group.is_empty() {
        def.kind.clone()
    } else {
        format!("{}.{}", def.kind, def.group)
    };
    let mut details = json!({
        "name": name,
        "kind": def.kind,
        "causes": [{"reason": "FieldValueForbidden", "message": detail, "field": "metadata.finalizers"}],
    });
    if !def.group.is_empty() {
        details["group"] = json!(def.group);
    }
    Err(ApiError::new(
        422,
        "Invalid",
        format!("{kind} \"{name}\" is invalid: metadata.finalizers: {detail}"),
    )
    .with_details(details))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_of_an_object_deleted_without_one_comes_from_its_finalizers() {
        assert_eq!(
            Propagation::of(&json!({"metadata": {"finalizers": ["orphan"]}})),
            Propagation::Orphan
        );
        assert_eq!(Propagation::of(&json!({"metadata": {}})), Propagation::Background);
    }
}
