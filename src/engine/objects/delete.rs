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
    /// The policy a DELETE asks for: `propagationPolicy` (in the body's DeleteOptions or the
    /// query), else the older `orphanDependents`; `None` when it asks for none.
    pub fn from_options(
        options: &Value,
        query: Option<&str>,
        orphan_query: Option<&str>,
    ) -> Result<Option<Self>, ApiError> {
        let policy = options["propagationPolicy"].as_str().or(query);
        let orphan = options["orphanDependents"]
            .as_bool()
            .or_else(|| orphan_query.map(|o| o == "true"));
        if policy.is_some() && orphan.is_some() {
            return Err(ApiError::new(
                422,
                "Invalid",
                "DeleteOptions.orphanDependents: Invalid value: the orphanDependents field is deprecated and cannot be set together with propagationPolicy",
            ));
        }
        match (policy, orphan) {
            (Some("Orphan"), _) | (None, Some(true)) => Ok(Some(Propagation::Orphan)),
            (Some("Background"), _) | (None, Some(false)) => Ok(Some(Propagation::Background)),
            (Some("Foreground"), _) => Ok(Some(Propagation::Foreground)),
            (Some(other), _) => Err(ApiError::new(
                422,
                "Invalid",
                format!(
                    "DeleteOptions.propagationPolicy: Unsupported value: \"{other}\": supported values: \"Foreground\", \"Background\", \"Orphan\""
                ),
            )),
            (None, None) => Ok(None),
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_comes_from_the_options_the_query_or_the_finalizers() {
        let p = |o: Value, q: Option<&str>| Propagation::from_options(&o, q, None);
        assert_eq!(
            p(json!({"propagationPolicy": "Orphan"}), None).unwrap(),
            Some(Propagation::Orphan)
        );
        assert_eq!(p(json!({}), Some("Foreground")).unwrap(), Some(Propagation::Foreground));
        assert_eq!(
            p(json!({"orphanDependents": true}), None).unwrap(),
            Some(Propagation::Orphan)
        );
        assert_eq!(p(json!({}), None).unwrap(), None);
        let bad = p(json!({"propagationPolicy": "Later"}), None).unwrap_err();
        assert!(
            bad.message.contains("\"Later\"") && bad.message.contains("\"Orphan\""),
            "{}",
            bad.message
        );
        assert!(p(json!({"propagationPolicy": "Orphan", "orphanDependents": true}), None).is_err());
        assert_eq!(
            Propagation::of(&json!({"metadata": {"finalizers": ["orphan"]}})),
            Propagation::Orphan
        );
        assert_eq!(Propagation::of(&json!({"metadata": {}})), Propagation::Background);
    }
}
