//! Server-side apply's bookkeeping: each field manager's entry in `metadata.managedFields`.

use serde_json::{Value, json};

use super::patch;
use crate::api::now;

pub(super) fn managed_entry(manager: &str, api_version: &str, applied: &Value) -> Value {
    json!({
        "manager": manager,
        "operation": "Apply",
        "apiVersion": api_version,
        "time": now(),
        "fieldsType": "FieldsV1",
        "fieldsV1": patch::field_set(applied),
    })
}

pub(super) fn owned_fields(obj: &Value, manager: &str) -> Option<Value> {
    obj.pointer("/metadata/managedFields")?
        .as_array()?
        .iter()
        .find(|e| e["manager"] == json!(manager) && e["operation"] == json!("Apply"))
        .map(|e| e["fieldsV1"].clone())
}

pub(super) fn set_managed_entry(obj: &mut Value, entry: Value) {
    let meta = obj["metadata"].as_object_mut().expect("objects have metadata");
    let entries = meta.entry("managedFields").or_insert_with(|| json!([]));
    if !entries.is_array() {
        *entries = json!([]);
    }
    let list = entries.as_array_mut().expect("made an array");
    let same = |e: &Value| e["manager"] == entry["manager"] && e["operation"] == entry["operation"];
    match list.iter_mut().find(|e| same(e)) {
        Some(existing) => {
            // Keep the old timestamp when nothing else changed, so a repeated apply is a no-op.
            let mut a = existing.clone();
            let mut b = entry.clone();
            a.as_object_mut().map(|m| m.remove("time"));
            b.as_object_mut().map(|m| m.remove("time"));
            if a != b {
                *existing = entry;
            }
        }
        None => list.push(entry),
    }
}
