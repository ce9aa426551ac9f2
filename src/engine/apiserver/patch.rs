//! The patch kinds the API server accepts: JSON merge patch, JSON patch, strategic merge patch
//! (for built-in kinds, with the list merge keys kubectl relies on) and server-side apply.

use serde_json::{Map, Value};

/// Media types of PATCH bodies, in the order error messages list them.
pub const PATCH_TYPES: &[&str] = &[
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
];

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PatchKind {
    Json,
    Merge,
    Strategic,
    Apply,
}

impl PatchKind {
    pub fn from_content_type(ct: &str) -> Option<Self> {
        let base = ct.split(';').next().unwrap_or_default().trim();
        match base {
            "application/json-patch+json" => Some(PatchKind::Json),
            "application/merge-patch+json" => Some(PatchKind::Merge),
            "application/strategic-merge-patch+json" => Some(PatchKind::Strategic),
            "application/apply-patch+yaml" => Some(PatchKind::Apply),
            _ => None,
        }
    }
}

/// Applies an RFC 6902 JSON patch. As the API server does, a `test` of a missing path against
/// `null` succeeds (kube's finalizer helper relies on it). The error says which operation
/// failed and why; the caller patches a copy, so a failed patch changes nothing.
pub fn json_patch(target: &mut Value, patch: &Value) -> Result<(), String> {
    let ops: json_patch::Patch =
        serde_json::from_value(patch.clone()).map_err(|e| format!("the JSON patch is malformed: {e}"))?;
    for op in ops.0 {
        if let json_patch::PatchOperation::Test(t) = &op
            && t.value.is_null()
            && target.pointer(t.path.as_str()).is_none()
        {
            continue;
        }
        json_patch::patch(target, &[op]).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// A JSON patch must be a list of operations: anything else is a 400, worded as the API
/// server's Go decoder words it.
pub fn check_json_patch(patch: &Value) -> Result<(), super::ApiError> {
    let given = match patch {
        Value::Array(_) | Value::Null => return Ok(()),
        Value::Object(_) => "object",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
    };
    Err(super::ApiError::bad_request(format!(
        "error decoding patch: json: cannot unmarshal {given} into Go value of type []handlers.jsonPatchOp"
    )))
}

/// Applies an RFC 7386 JSON merge patch.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    json_patch::merge(target, patch);
}

/// The key that identifies an item of a list field under strategic merge, if the field is
/// merged by key in Kubernetes' built-in types.
pub(super) fn merge_key(field: &str, items: &[Value]) -> Option<&'static str> {
    match field {
        "containers" | "initContainers" | "ephemeralContainers" | "env" | "volumes" | "imagePullSecrets" => {
            Some("name")
        }
        "volumeMounts" => Some("mountPath"),
        "ownerReferences" => Some("uid"),
        "conditions" => Some("type"),
        "hostAliases" => Some("ip"),
        "topologySpreadConstraints" => Some("topologyKey"),
        "ports" if items.iter().any(|i| i.get("containerPort").is_some()) => Some("containerPort"),
        "ports" => Some("port"),
        _ => None,
    }
}

/// List fields of primitives that strategic merge unions instead of replacing.
fn merges_primitives(field: &str) -> bool {
    field == "finalizers"
}

/// Applies a strategic merge patch as `kubectl apply` and `kubectl patch` send it.
pub fn strategic_merge(target: &mut Value, patch: &Value) {
    merge(target, patch, true)
}

/// Strategic merge; `reorder`: lists in the order a strategic merge patch leaves them (else,
/// as server-side apply merges, the live items first, then the new ones).
fn merge(target: &mut Value, patch: &Value, reorder: bool) {
    let Some(patch_map) = patch.as_object() else {
        *target = strip_directives(patch);
        return;
    };
    if patch_map.get("$patch").and_then(Value::as_str) == Some("replace") {
        *target = strip_directives(patch);
        return;
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let map = target.as_object_mut().expect("made an object above");
    for (key, value) in patch_map {
        if key == "$patch" || key == "$retainKeys" || key.starts_with("$setElementOrder/") {
            continue;
        }
        if let Some(field) = key.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(list), Some(remove)) = (map.get_mut(field).and_then(Value::as_array_mut), value.as_array()) {
                list.retain(|v| !remove.contains(v));
            }
            continue;
        }
        match value {
            Value::Null => {
                map.remove(key);
            }
            Value::Object(_) if map.get(key).is_some_and(Value::is_object) => {
                merge(map.get_mut(key).expect("checked"), value, reorder);
            }
            Value::Array(items) => {
                let order = patch_map
                    .get(&format!("$setElementOrder/{key}"))
                    .and_then(Value::as_array)
                    .unwrap_or(items);
                let merged = merge_list(key, map.get(key).and_then(Value::as_array), items, order, reorder);
                map.insert(key.clone(), Value::Array(merged));
            }
            _ => {
                map.insert(key.clone(), strip_directives(value));
            }
        }
    }
}

/// Merges a list by its key (primitives: unions it), then, with `reorder`, orders it as a
/// strategic merge patch on the API server does.
fn merge_list(field: &str, live: Option<&Vec<Value>>, patch: &[Value], order: &[Value], reorder: bool) -> Vec<Value> {
    let live = live.cloned().unwrap_or_default();
    if merges_primitives(field) {
        let mut out = live.clone();
        for v in patch {
            if !out.contains(v) {
                out.push(v.clone());
            }
        }
        fn itself(v: &Value) -> Option<&Value> {
            Some(v)
        }
        if !reorder {
            return out;
        }
        return in_server_order(out, &live, patch, order, itself);
    }
    let Some(key) = merge_key(field, patch).filter(|_| patch.iter().all(Value::is_object)) else {
        return patch.iter().map(strip_directives).collect();
    };
    let mut out = live.clone();
    for item in patch {
        let id = &item[key];
        let position = out.iter().position(|l| &l[key] == id);
        let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
        match (position, delete) {
            (Some(i), true) => {
                out.remove(i);
            }
            (None, true) => {}
            (Some(i), false) => merge(&mut out[i], item, reorder),
            (None, false) => out.push(strip_directives(item)),
        }
    }
    if !reorder {
        return out;
    }
    in_server_order(out, &live, patch, order, |v| v.get(key))
}

/// Orders a merged list as the API server does: the items the patch names in the patch's order
/// (`$setElementOrder` if given), the others where they were, each placed before the first
/// patch item that came after it in the live list.
fn in_server_order<'a>(
    merged: Vec<Value>,
    live: &'a [Value],
    patch: &'a [Value],
    order: &'a [Value],
    id: impl Fn(&Value) -> Option<&Value>,
) -> Vec<Value> {
    let index_in = |list: &[Value], item: &Value| list.iter().position(|l| id(l) == id(item));
    let (mut named, server_only): (Vec<Value>, Vec<Value>) =
        merged.into_iter().partition(|item| index_in(patch, item).is_some());
    named.sort_by_key(|item| index_in(order, item).unwrap_or(usize::MAX));
    let (mut named, mut server_only) = (named.into_iter().peekable(), server_only.into_iter().peekable());
    let mut sorted = Vec::new();
    loop {
        let take_server = match (server_only.peek(), named.peek()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(s), Some(n)) => matches!((index_in(live, s), index_in(live, n)), (Some(a), Some(b)) if a < b),
        };
        sorted.extend(if take_server { server_only.next() } else { named.next() });
    }
    sorted
}

fn strip_directives(value: &Value) -> Value {
    match value {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.starts_with('$'))
                .map(|(k, v)| (k.clone(), strip_directives(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(strip_directives).collect()),
        other => other.clone(),
    }
}

/// The set of fields an applied configuration sets, in the `FieldsV1` form server-side apply
/// records in `managedFields` (`f:<field>`, and `k:{...}` for list items merged by key).
pub fn field_set(applied: &Value) -> Value {
    fn walk(value: &Value, field: Option<&str>) -> Value {
        let mut out = Map::new();
        match value {
            Value::Object(m) => {
                for (k, v) in m {
                    out.insert(format!("f:{k}"), walk(v, Some(k)));
                }
            }
            Value::Array(items) => {
                if let Some(key) = field
                    .and_then(|f| merge_key(f, items))
                    .filter(|_| items.iter().all(Value::is_object))
                {
                    for item in items {
                        let id = serde_json::json!({ key: item[key] });
                        out.insert(format!("k:{id}"), walk(item, None));
                    }
                }
            }
            _ => {}
        }
        Value::Object(out)
    }
    let mut set = walk(applied, None);
    if let Some(m) = set.as_object_mut() {
        m.remove("f:apiVersion");
        m.remove("f:kind");
        if let Some(meta) = m.get_mut("f:metadata").and_then(Value::as_object_mut) {
            for f in ["f:name", "f:namespace", "f:resourceVersion", "f:uid", "f:managedFields"] {
                meta.remove(f);
            }
        }
    }
    set
}

/// Server-side apply on an existing object: fields this manager applied before but no longer
/// sets are removed, then the applied configuration is merged in (lists merged by key where
/// Kubernetes does so, replaced otherwise).
pub fn apply(live: &mut Value, applied: &Value, previous_fields: Option<&Value>) {
    if let Some(prev) = previous_fields {
        remove_dropped(live, prev, &field_set(applied));
    }
    merge(live, applied, false);
}

fn remove_dropped(live: &mut Value, prev: &Value, now: &Value) {
    let Some(prev) = prev.as_object() else { return };
    // A node owned as a whole (a leaf, or marked `.`) goes; otherwise only its owned parts.
    let whole = |sub: &Value| sub.as_object().is_none_or(|m| m.is_empty() || m.contains_key("."));
    let nothing = Value::Object(Map::new());
    for (path, sub) in prev {
        let still = now.get(path);
        if let Some(field) = path.strip_prefix("f:") {
            match (still, live.get_mut(field)) {
                (None, Some(live_sub)) if !whole(sub) => remove_dropped(live_sub, sub, &nothing),
                (None, _) => {
                    if let Some(m) = live.as_object_mut() {
                        m.remove(field);
                    }
                }
                (Some(now_sub), Some(live_sub)) => remove_dropped(live_sub, sub, now_sub),
                _ => {}
            }
        } else if let Some(id) = path.strip_prefix("k:") {
            let Ok(Value::Object(id)) = serde_json::from_str::<Value>(id) else {
                continue;
            };
            let Some(items) = live.as_array_mut() else {
                continue;
            };
            let matches = |item: &Value| id.iter().all(|(k, v)| &item[k] == v);
            match still {
                None if !whole(sub) => {
                    if let Some(item) = items.iter_mut().find(|i| matches(i)) {
                        remove_dropped(item, sub, &nothing);
                    }
                }
                None => items.retain(|item| !matches(item)),
                Some(now_sub) => {
                    if let Some(item) = items.iter_mut().find(|i| matches(i)) {
                        remove_dropped(item, sub, now_sub);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strategic_merge_merges_containers_by_name_and_env_by_name() {
        let mut live = json!({"spec": {"containers": [
            {"name": "a", "image": "x", "env": [{"name": "A", "value": "1"}]},
            {"name": "b", "image": "y"}]}});
        let patch = json!({"spec": {"$setElementOrder/containers": [{"name": "a"}, {"name": "b"}], "containers": [
            {"name": "a", "env": [{"name": "B", "value": "2"}]},
            {"name": "b", "$patch": "delete"}]}});
        strategic_merge(&mut live, &patch);
        assert_eq!(
            live,
            json!({"spec": {"containers": [{"name": "a", "image": "x",
                "env": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]}]}})
        );
    }

    #[test]
    fn strategic_merge_replaces_plain_lists_and_unions_finalizers() {
        let mut live = json!({"metadata": {"finalizers": ["a"]}, "spec": {"args": ["1", "2"]}, "data": {"k": "v"}});
        strategic_merge(
            &mut live,
            &json!({"metadata": {"finalizers": ["b"]}, "spec": {"args": ["3"]}, "data": {"k": null}}),
        );
        assert_eq!(
            live,
            json!({"metadata": {"finalizers": ["b", "a"]}, "spec": {"args": ["3"]}, "data": {}})
        );
    }

    #[test]
    fn apply_removes_what_the_same_manager_stopped_setting() {
        let first = json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "data": {"x": "1", "y": "2"}});
        let mut live = first.clone();
        live["data"]["z"] = json!("set by someone else");
        let second = json!({"metadata": {"labels": {"a": "1"}}, "data": {"x": "9"}});
        apply(&mut live, &second, Some(&field_set(&first)));
        assert_eq!(
            live,
            json!({"metadata": {"labels": {"a": "1"}}, "data": {"x": "9", "z": "set by someone else"}})
        );
    }

    #[test]
    fn json_patch_reports_the_failed_operation() {
        let mut doc = json!({"a": 1});
        assert!(json_patch(&mut doc, &json!([{"op": "replace", "path": "/a", "value": 2}])).is_ok());
        assert_eq!(doc, json!({"a": 2}));
        assert!(json_patch(&mut doc, &json!([{"op": "test", "path": "/a", "value": 3}])).is_err());
        assert!(json_patch(&mut doc, &json!({"op": "nonsense"})).is_err());
        // A test of a missing path against null passes, as on the API server.
        let add = json!([{"op": "test", "path": "/metadata/finalizers", "value": null},
            {"op": "add", "path": "/metadata/finalizers", "value": ["f"]}]);
        let mut obj = json!({"metadata": {}});
        assert!(json_patch(&mut obj, &add).is_ok());
        assert_eq!(obj, json!({"metadata": {"finalizers": ["f"]}}));
        assert!(json_patch(&mut obj, &add).is_err(), "present now: the test fails");
    }
}
