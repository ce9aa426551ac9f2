//! Creating an object: the server-owned metadata of a new object, its name checked, and its
//! namespace made on demand.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{ApiError, Objects, builtin, gc, key_of, kinds, meta_str, namespaces, quota, validate};
use crate::api::now;
use crate::engine::resources::ResourceDef;
use crate::engine::store::{Mutation, Object, Outcome};

/// Checks kind and apiVersion of a request body against the resource, filling them if absent.
pub fn check_type(def: &ResourceDef, obj: &mut Value) -> Result<(), ApiError> {
    let av = def.api_version();
    match obj["apiVersion"].as_str() {
        None | Some("") => obj["apiVersion"] = json!(av),
        Some(given) if given != av && !(def.custom && given.split('/').next() == Some(def.group.as_str())) => {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({given}) does not match the expected API version ({av})"
            )));
        }
        Some(_) => {}
    }
    match obj["kind"].as_str() {
        None | Some("") => obj["kind"] = json!(def.kind),
        Some(given) if given != def.kind => {
            return Err(ApiError::bad_request(format!(
                "the kind in the data ({given}) does not match the expected kind ({}) for {}",
                def.kind,
                def.qualified()
            )));
        }
        Some(_) => {}
    }
    if !obj["metadata"].is_object() {
        obj["metadata"] = json!({});
    }
    Ok(())
}

/// Fills server-owned metadata of a new object and checks its name and namespace.
pub(super) fn prepare_new(def: &ResourceDef, namespace: Option<&str>, obj: &mut Value) -> Result<(), ApiError> {
    check_type(def, obj)?;
    let meta = obj["metadata"].as_object_mut().expect("checked above");
    if def.namespaced {
        let url_ns = namespace.ok_or_else(|| ApiError::method_not_allowed("POST"))?;
        match meta.get("namespace").and_then(Value::as_str) {
            Some(ns) if !ns.is_empty() && ns != url_ns => {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            _ => {
                meta.insert("namespace".into(), json!(url_ns));
            }
        }
    } else {
        meta.remove("namespace");
    }
    let mut name = meta.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
    let mut generated_from = None;
    if name.is_empty()
        && let Some(prefix) = meta
            .get("generateName")
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty())
    {
        name = format!("{prefix}{}", crate::api::name_suffix());
        generated_from = Some(prefix.to_string());
        meta.insert("name".into(), json!(name));
    }
    if name.is_empty() {
        return Err(builtin::invalid_name(def, "", None, None));
    }
    let check = if def.plural == "namespaces" && def.group.is_empty() {
        validate::dns1123_label(&name)
    } else {
        validate::dns1123_subdomain(&name)
    };
    check.map_err(|detail| builtin::invalid_name(def, &name, generated_from.as_deref(), Some(detail)))?;
    meta.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
    meta.insert("creationTimestamp".into(), json!(now()));
    for f in [
        "resourceVersion",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "selfLink",
    ] {
        meta.remove(f);
    }
    if def.generation {
        meta.insert("generation".into(), json!(1));
    } else {
        meta.remove("generation");
    }
    if def.status_subresource
        && def.custom
        && let Some(m) = obj.as_object_mut()
    {
        m.remove("status");
    }
    kinds::special_fields(def, obj)
}

/// Creates an object in the store (the POST of a resource), creating its namespace on demand.
pub fn create_object(
    objects: &Objects,
    def: &ResourceDef,
    namespace: Option<&str>,
    mut obj: Value,
    dry_run: bool,
) -> Result<Arc<Object>, ApiError> {
    prepare_new(def, namespace, &mut obj)?;
    builtin::Prepared::for_write(objects, def).admit(def, &mut obj, None)?;
    quota::admit_pod(objects, def, namespace, &mut obj)?;
    let name = meta_str(&obj, "name").to_string();
    if def.namespaced {
        namespaces::ensure_namespace(objects, def, &name, namespace.unwrap_or_default(), dry_run)?;
    }
    let key = key_of(def, namespace, &name);
    // Counted against the namespace's quotas, the count held until the object is stored.
    let admitted = quota::admit_create(objects, def, namespace, &obj)?;
    let outcome = objects.store.mutate(&key, dry_run, |current| match current {
        Some(_) => Err(ApiError::already_exists(&def.qualified(), &def.plural, &name)),
        None => Ok(Mutation::Put(obj)),
    })?;
    drop(admitted);
    let Outcome::Created(created) = outcome else {
        return Err(ApiError::internal("create did not create"));
    };
    if !dry_run {
        gc::after_change(objects, def, &key, &Outcome::Created(created.clone()));
        if namespaces::is_namespace(def) {
            namespaces::populate(objects, &name);
        }
    }
    Ok(created)
}
