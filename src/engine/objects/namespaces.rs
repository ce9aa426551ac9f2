//! The namespace lifecycle: made the first time something is put in one, refused new content
//! while terminating, emptied and removed once deleted; some are never deleted.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{ApiError, Objects, create, delete, gc, key_of, validate};
use crate::engine::resources::ResourceDef;
use crate::engine::store::{Mutation, Outcome};

pub(super) fn namespaces_def(objects: &Objects) -> Arc<ResourceDef> {
    objects
        .registry()
        .find("", "v1", "namespaces")
        .expect("namespaces are built in")
}

/// Creates a namespace the first time something is put in it; refuses a terminating one.
pub(super) fn ensure_namespace(objects: &Objects, namespace: &str, dry_run: bool) -> Result<(), ApiError> {
    let def = namespaces_def(objects);
    match objects.store.get(&key_of(&def, None, namespace)) {
        Some(ns) if ns.value.pointer("/metadata/deletionTimestamp").is_some() => Err(ApiError::new(
            403,
            "Forbidden",
            format!("unable to create new content in namespace {namespace} because it is being terminated"),
        )),
        Some(_) => Ok(()),
        None => {
            validate::dns1123_label(namespace)
                .map_err(|d| ApiError::invalid("Namespace", namespace, "metadata.name", d))?;
            if dry_run {
                return Ok(());
            }
            let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}});
            match create::create_object(objects, &def, None, ns, false) {
                Ok(_) => Ok(()),
                Err(e) if e.code == 409 => Ok(()),
                Err(e) => Err(e),
            }
        }
    }
}

/// Namespaces the API server never deletes.
pub(super) const PROTECTED_NAMESPACES: &[&str] = &["default", "kube-system", "kube-public"];

pub fn is_namespace(def: &ResourceDef) -> bool {
    def.group.is_empty() && def.plural == "namespaces"
}

pub(super) fn empty_namespace(objects: &Objects, namespace: &str) {
    let registry = objects.registry();
    for key in objects.store.keys_in_namespace(namespace) {
        if let Some(def) = registry.all().iter().find(|d| d.store_key() == key.resource) {
            let _ = delete::delete_object(objects, def, &key, &Value::Null, false);
        }
    }
}

/// Removes a terminating namespace once nothing is left in it.
pub(super) fn finish_namespace(objects: &Objects, namespace: &str) {
    let def = namespaces_def(objects);
    let key = key_of(&def, None, namespace);
    let terminating = objects
        .store
        .get(&key)
        .is_some_and(|ns| ns.value.pointer("/metadata/deletionTimestamp").is_some());
    if terminating
        && objects.store.keys_in_namespace(namespace).is_empty()
        && let Ok(outcome) = objects.store.mutate::<ApiError>(&key, false, |_| Ok(Mutation::Delete))
    {
        gc::collect_dependents(
            objects,
            match &outcome {
                Outcome::Deleted(o) => &o.value,
                _ => return,
            },
        );
    }
}
