//! The namespace lifecycle: made the first time something is put in one, refused new content
//! while terminating, emptied once deleted and removed by the sweep a little later (as the
//! namespace controller does); some are never deleted.

use std::sync::Arc;

use serde_json::{Value, json};

use k8s_openapi::jiff::Timestamp;

use super::{ApiError, Objects, create, delete, gc, key_of, meta_str, validate};
use crate::engine::resources::ResourceDef;
use crate::engine::store::{Mutation, Outcome};

pub(super) fn namespaces_def(objects: &Objects) -> Arc<ResourceDef> {
    objects
        .registry()
        .find("", "v1", "namespaces")
        .expect("namespaces are built in")
}

/// Creates a namespace the first time something is put in it; refuses a terminating one, as
/// the API server's NamespaceLifecycle admission does (`name` is the new object's, of `def`).
pub(super) fn ensure_namespace(
    objects: &Objects,
    def: &ResourceDef,
    name: &str,
    namespace: &str,
    dry_run: bool,
) -> Result<(), ApiError> {
    let ns_def = namespaces_def(objects);
    match objects.store.get(&key_of(&ns_def, None, namespace)) {
        Some(ns) if ns.value.pointer("/metadata/deletionTimestamp").is_some() => Err(terminating(def, name, namespace)),
        Some(_) => Ok(()),
        None => {
            validate::dns1123_label(namespace)
                .map_err(|d| ApiError::invalid("Namespace", namespace, "metadata.name", d))?;
            if dry_run {
                return Ok(());
            }
            let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}});
            match create::create_object(objects, &ns_def, None, ns, false) {
                Ok(_) => Ok(()),
                Err(e) if e.code == 409 => Ok(()),
                Err(e) => Err(e),
            }
        }
    }
}

/// What Kubernetes' controllers put in every namespace once it exists: the `default`
/// ServiceAccount and the `kube-root-ca.crt` ConfigMap with the engine's CA certificate.
pub(super) fn populate(objects: &Objects, namespace: &str) {
    let Some(ca) = objects.root_ca.get() else { return };
    let registry = objects.registry();
    let (Some(sa_def), Some(cm_def)) = (
        registry.find("", "v1", "serviceaccounts"),
        registry.find("", "v1", "configmaps"),
    ) else {
        return;
    };
    let sa =
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": namespace}});
    if objects
        .store
        .get(&key_of(&sa_def, Some(namespace), "default"))
        .is_none()
        && let Err(e) = create::create_object(objects, &sa_def, Some(namespace), sa, false)
        && e.code != 409
    {
        tracing::warn!("cannot make the default ServiceAccount of {namespace}: {}", e.message);
    }
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": ROOT_CA, "namespace": namespace, "annotations": {"kubernetes.io/description": ROOT_CA_DESCRIPTION}},
        "data": {"ca.crt": ca}});
    if let Err(e) = super::upsert(objects, &cm_def, Some(namespace), cm) {
        tracing::warn!("cannot publish {ROOT_CA} in {namespace}: {}", e.message);
    }
}

const ROOT_CA: &str = "kube-root-ca.crt";
const ROOT_CA_DESCRIPTION: &str = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

/// [`populate`] for every namespace that is not terminating.
pub(super) fn populate_all(objects: &Objects) {
    let def = namespaces_def(objects);
    for ns in objects.store.list(&def.store_key(), None).0 {
        if ns.value.pointer("/metadata/deletionTimestamp").is_none() {
            populate(objects, super::meta_str(&ns.value, "name"));
        }
    }
}

/// The 403 for new content in a terminating namespace, worded as the API server words it.
fn terminating(def: &ResourceDef, name: &str, namespace: &str) -> ApiError {
    let mut details = json!({
        "name": name,
        "kind": def.plural,
        "causes": [{"reason": "NamespaceTerminating", "message": format!("namespace {namespace} is being terminated"),
            "field": "metadata.namespace"}],
    });
    if !def.group.is_empty() {
        details["group"] = json!(def.group);
    }
    ApiError::new(
        403,
        "Forbidden",
        format!(
            "{} \"{name}\" is forbidden: unable to create new content in namespace {namespace} because it is being terminated",
            def.qualified()
        ),
    )
    .with_details(details)
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

/// How long a deleted namespace stays Terminating at least, as the namespace controller of a
/// cluster takes its time: what is created in it meanwhile is refused, not put in a new one.
const TERMINATING_AT_LEAST: i64 = 2;

/// Removes a terminating namespace once nothing is left in it and it has been terminating a
/// while ([`TERMINATING_AT_LEAST`], whole seconds of its deletionTimestamp).
pub(super) fn finish_namespace(objects: &Objects, namespace: &str) {
    let def = namespaces_def(objects);
    let key = key_of(&def, None, namespace);
    let terminating_long = objects.store.get(&key).is_some_and(|ns| {
        ns.value
            .pointer("/metadata/deletionTimestamp")
            .and_then(Value::as_str)
            .is_some_and(|t| {
                t.parse::<Timestamp>()
                    .is_ok_and(|t| Timestamp::now().as_second() - t.as_second() >= TERMINATING_AT_LEAST)
            })
    });
    if terminating_long
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

/// The namespace controller's sweep: terminating namespaces are emptied, and go once empty.
pub fn finish_namespaces(objects: &Objects) {
    let def = namespaces_def(objects);
    let (all, _) = objects.store.list(&def.store_key(), None);
    for ns in all {
        if ns.value.pointer("/metadata/deletionTimestamp").is_some() {
            let name = meta_str(&ns.value, "name");
            empty_namespace(objects, name);
            finish_namespace(objects, name);
        }
    }
}
