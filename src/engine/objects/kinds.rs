//! Fields the API server itself maintains for some kinds: a CRD's validation and status, a
//! Secret's type, a Namespace's phase and finalizer.

use serde_json::{Value, json};

use super::{ApiError, meta_str};
use crate::api::now;
use crate::engine::names::CRD_RESOURCE;
use crate::engine::resources::ResourceDef;

/// Fields the API server itself maintains for some kinds.
pub fn special_fields(def: &ResourceDef, obj: &mut Value) -> Result<(), ApiError> {
    if def.store_key() == CRD_RESOURCE {
        crd_status(obj)?;
    } else if def.plural == "secrets" && def.group.is_empty() {
        if obj["type"].as_str().is_none_or(str::is_empty) {
            obj["type"] = json!("Opaque");
        }
    } else if def.plural == "events" && def.group.is_empty() {
        super::events::admit(obj)?;
    } else if def.plural == "namespaces" && def.group.is_empty() {
        if obj.pointer("/metadata/deletionTimestamp").is_none() {
            obj["status"] = json!({"phase": "Active"});
        }
        if obj.pointer("/spec/finalizers").is_none() {
            obj["spec"] = json!({"finalizers": ["kubernetes"]});
        }
    }
    Ok(())
}

/// The finalizer the API server puts on a CRD being deleted until its objects are gone.
pub const CRD_CLEANUP: &str = "customresourcecleanup.apiextensions.k8s.io";

/// The defaults the API server sets in a CRD's spec: the conversion strategy and the names
/// derived from the kind.
fn crd_defaults(crd: &mut Value) {
    let spec = &mut crd["spec"];
    if !spec.is_object() {
        return;
    }
    if spec["conversion"].is_null() {
        spec["conversion"] = json!({"strategy": "None"});
    }
    let kind = spec
        .pointer("/names/kind")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if kind.is_empty() || !spec["names"].is_object() {
        return;
    }
    let names = &mut spec["names"];
    if names["singular"].as_str().is_none_or(str::is_empty) {
        names["singular"] = json!(kind.to_lowercase());
    }
    if names["listKind"].as_str().is_none_or(str::is_empty) {
        names["listKind"] = json!(format!("{kind}List"));
    }
}

/// Validates a CRD and sets its status as an API server does once the names are accepted
/// (and, while it is deleted, that its objects are being deleted).
pub(super) fn crd_status(crd: &mut Value) -> Result<(), ApiError> {
    crd_defaults(crd);
    let name = meta_str(crd, "name").to_string();
    let spec = &crd["spec"];
    let group = spec["group"].as_str().unwrap_or_default();
    let plural = spec
        .pointer("/names/plural")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let invalid = |field: &str, detail: String| ApiError::invalid("CustomResourceDefinition", &name, field, detail);
    if group.is_empty() {
        return Err(invalid("spec.group", "Required value".into()));
    }
    if plural.is_empty() {
        return Err(invalid("spec.names.plural", "Required value".into()));
    }
    if spec
        .pointer("/names/kind")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .is_empty()
    {
        return Err(invalid("spec.names.kind", "Required value".into()));
    }
    if spec["versions"].as_array().is_none_or(Vec::is_empty) {
        return Err(invalid(
            "spec.versions",
            "Required value: must have exactly one version marked as storage version".into(),
        ));
    }
    if !["Namespaced", "Cluster"].contains(&spec["scope"].as_str().unwrap_or_default()) {
        return Err(invalid(
            "spec.scope",
            format!(
                "Unsupported value: {}: supported values: \"Cluster\", \"Namespaced\"",
                spec["scope"]
            ),
        ));
    }
    if name != format!("{plural}.{group}") {
        return Err(invalid(
            "metadata.name",
            format!("Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group"),
        ));
    }
    let t = now();
    let condition = |kind: &str, reason: &str, message: &str| json!({"type": kind, "status": "True", "lastTransitionTime": t, "reason": reason, "message": message});
    let mut accepted = spec["names"].clone();
    if accepted.get("singular").is_none_or(|s| s.as_str() == Some("")) {
        accepted["singular"] = json!(spec["names"]["kind"].as_str().unwrap_or_default().to_lowercase());
    }
    if accepted.get("listKind").is_none() {
        accepted["listKind"] = json!(format!("{}List", spec["names"]["kind"].as_str().unwrap_or_default()));
    }
    let stored: Vec<Value> = spec["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["storage"] == json!(true))
        .map(|v| v["name"].clone())
        .collect();
    let mut conditions = vec![
        condition("NamesAccepted", "NoConflicts", "no conflicts found"),
        condition(
            "Established",
            "InitialNamesAccepted",
            "the initial names have been accepted",
        ),
    ];
    if crd.pointer("/metadata/deletionTimestamp").is_some() {
        conditions.push(crd_terminating());
    }
    crd["status"] = json!({
        "conditions": conditions,
        "acceptedNames": accepted,
        "storedVersions": stored,
    });
    Ok(())
}

/// The condition of a CRD being deleted, as the API server sets it.
pub(super) fn crd_terminating() -> Value {
    json!({"type": "Terminating", "status": "True", "lastTransitionTime": now(), "reason": "InstanceDeletionPending",
        "message": "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon"})
}
