//! Field ownership in `metadata.managedFields`, as the real server keeps it: every write is
//! recorded for its field manager (an `Update` entry for a create, PUT or patch, an `Apply`
//! entry for server-side apply), an update takes the fields it changes from the other
//! managers, and an apply that would change a field another manager owns is a conflict unless
//! forced.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::ApiError;
use crate::api::now;

/// One owned thing: a path of `f:<field>` / `k:{...}` segments, ending with `.` when it is the
/// map or list item itself (not one of its fields) that is owned.
type FieldPath = Vec<String>;

/// Metadata fields no manager owns (the server sets them, or they name the object).
const UNOWNED_META: &[&str] = &[
    "f:name",
    "f:namespace",
    "f:uid",
    "f:resourceVersion",
    "f:generation",
    "f:creationTimestamp",
    "f:deletionTimestamp",
    "f:deletionGracePeriodSeconds",
    "f:managedFields",
    "f:selfLink",
];

/// The longest manager name kept, as on the real server.
const MANAGER_MAX: usize = 128;

/// The manager of a write: `fieldManager`, else the User-Agent up to its first `/`
/// (`kubectl-edit/v1.37.2 (linux/amd64)` → `kubectl-edit`), else `unknown`.
pub(super) fn manager_of(field_manager: Option<&str>, user_agent: &str) -> String {
    if let Some(m) = field_manager.filter(|m| !m.is_empty()) {
        return m.to_string();
    }
    let prefix = user_agent.split('/').next().unwrap_or_default();
    let prefix = if prefix.is_empty() { "unknown" } else { prefix };
    let mut end = prefix.len().min(MANAGER_MAX);
    while !prefix.is_char_boundary(end) {
        end -= 1;
    }
    prefix[..end].to_string()
}

/// Every owned path of a value, as an update owns it (the maps it sets included), or as an
/// applied configuration does (`applied`: its fields, and its list items, not its maps).
fn paths_of(value: &Value, applied: bool) -> BTreeSet<FieldPath> {
    fn walk(value: &Value, field: Option<&str>, prefix: &mut FieldPath, out: &mut BTreeSet<FieldPath>, applied: bool) {
        match value {
            Value::Object(m) if !m.is_empty() => {
                // The map itself (but not the object, nor its metadata, nor a list item, which
                // is owned as the item) is owned too.
                let item = prefix.last().is_some_and(|s| s.starts_with("k:"));
                if !applied && !item && !prefix.is_empty() && prefix.as_slice() != ["f:metadata"] {
                    out.insert(with(prefix, "."));
                }
                for (k, v) in m {
                    prefix.push(format!("f:{k}"));
                    walk(v, Some(k), prefix, out, applied);
                    prefix.pop();
                }
            }
            Value::Array(items)
                if !items.is_empty()
                    && items.iter().all(Value::is_object)
                    && let Some(key) = field.and_then(|f| super::patch::merge_key(f, items)) =>
            {
                if !applied {
                    out.insert(with(prefix, "."));
                }
                for item in items {
                    prefix.push(format!("k:{}", json!({ key: item[key] })));
                    out.insert(with(prefix, "."));
                    walk(item, None, prefix, out, applied);
                    prefix.pop();
                }
            }
            _ => {
                out.insert(prefix.clone());
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(value, None, &mut Vec::new(), &mut out, applied);
    out.retain(|p| {
        let first = p.first().map(String::as_str);
        let server_meta = first == Some("f:metadata") && p.get(1).is_some_and(|f| UNOWNED_META.contains(&f.as_str()));
        let type_field = matches!(first, Some("f:apiVersion" | "f:kind"));
        !(p.is_empty() || type_field || server_meta)
    });
    out
}

fn with(prefix: &[String], last: &str) -> FieldPath {
    let mut p = prefix.to_vec();
    p.push(last.to_string());
    p
}

/// The value at a path (`None` when absent); the `.` of a container is the container.
fn value_at<'a>(value: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut at = value;
    for seg in path {
        if seg == "." {
            return Some(at);
        }
        at = if let Some(f) = seg.strip_prefix("f:") {
            at.get(f)?
        } else if let Some(id) = seg.strip_prefix("k:") {
            let id: Map<String, Value> = serde_json::from_str(id).ok()?;
            at.as_array()?.iter().find(|i| id.iter().all(|(k, v)| &i[k] == v))?
        } else {
            return None;
        };
    }
    Some(at)
}

/// `FieldsV1` of a set of paths.
fn to_fields(paths: &BTreeSet<FieldPath>) -> Value {
    let mut root = Map::new();
    for path in paths {
        let mut node = &mut root;
        for seg in path {
            node = node
                .entry(seg.clone())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("fields are maps");
        }
    }
    Value::Object(root)
}

/// The paths of a `FieldsV1`.
fn from_fields(fields: &Value) -> BTreeSet<FieldPath> {
    fn walk(node: &Map<String, Value>, prefix: &mut FieldPath, out: &mut BTreeSet<FieldPath>) {
        for (k, v) in node {
            prefix.push(k.clone());
            match v.as_object() {
                Some(children) if !children.is_empty() => walk(children, prefix, out),
                _ => {
                    out.insert(prefix.clone());
                }
            }
            prefix.pop();
        }
    }
    let mut out = BTreeSet::new();
    if let Some(m) = fields.as_object() {
        walk(m, &mut Vec::new(), &mut out);
    }
    out
}

/// A path as the real server prints it in a conflict: `.data.key`, `.spec.containers[name="c"].image`.
fn print_path(path: &[String]) -> String {
    let mut out = String::new();
    for seg in path {
        if let Some(f) = seg.strip_prefix("f:") {
            out.push('.');
            out.push_str(f);
        } else if let Some(id) = seg.strip_prefix("k:") {
            let id: Map<String, Value> = serde_json::from_str(id).unwrap_or_default();
            let parts: Vec<String> = id.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.push_str(&format!("[{}]", parts.join(",")));
        }
    }
    out
}

fn entries(obj: &Value) -> Vec<Value> {
    obj.pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Stores the entries in the real server's order: applies first, then by time, manager and
/// subresource.
fn set_entries(obj: &mut Value, mut list: Vec<Value>) {
    let order = |e: &Value| {
        ["operation", "time", "manager", "subresource"].map(|f| e[f].as_str().unwrap_or_default().to_string())
    };
    list.sort_by_key(order);
    // A body without metadata is refused later, naming what it lacks; nothing to record on it.
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    if list.is_empty() {
        meta.remove("managedFields");
    } else {
        meta.insert("managedFields".into(), Value::Array(list));
    }
}

fn entry(
    manager: &str,
    operation: &str,
    api_version: &str,
    subresource: Option<&str>,
    paths: &BTreeSet<FieldPath>,
) -> Value {
    let mut e = json!({
        "manager": manager,
        "operation": operation,
        "apiVersion": api_version,
        "time": now(),
        "fieldsType": "FieldsV1",
        "fieldsV1": to_fields(paths),
    });
    if let Some(s) = subresource {
        e["subresource"] = json!(s);
    }
    e
}

fn same_entry(e: &Value, manager: &str, operation: &str, subresource: Option<&str>) -> bool {
    e["manager"] == json!(manager) && e["operation"] == json!(operation) && e["subresource"].as_str() == subresource
}

/// The paths a write of `def`'s object (or its status) records: the status only through the
/// status subresource when the kind has one.
fn scoped(paths: BTreeSet<FieldPath>, status_subresource: bool, subresource: Option<&str>) -> BTreeSet<FieldPath> {
    paths
        .into_iter()
        .filter(|p| {
            let is_status = p.first().map(String::as_str) == Some("f:status");
            match subresource {
                Some("status") => is_status,
                _ => !(status_subresource && is_status),
            }
        })
        .collect()
}

/// Records an `Update` of `next` (from `previous`, `None` for a create) by `manager`: it owns
/// what it set or changed, and the other managers lose what it changed or removed.
pub(super) fn record_update(
    next: &mut Value,
    previous: Option<&Value>,
    manager: &str,
    api_version: &str,
    subresource: Option<&str>,
    status_subresource: bool,
) {
    let now_paths = scoped(paths_of(next, false), status_subresource, subresource);
    let (changed, removed): (BTreeSet<FieldPath>, BTreeSet<FieldPath>) = match previous {
        None => (now_paths.clone(), BTreeSet::new()),
        Some(prev) => {
            let before = scoped(paths_of(prev, false), status_subresource, subresource);
            let changed = now_paths
                .iter()
                .filter(|p| {
                    let container = p.last().map(String::as_str) == Some(".");
                    match value_at(prev, p) {
                        None => true,
                        Some(_) if container => false,
                        Some(v) => Some(v) != value_at(next, p),
                    }
                })
                .cloned()
                .collect();
            (changed, before.difference(&now_paths).cloned().collect())
        }
    };
    // The stored object's entries (a PUT body's own managedFields are not trusted).
    let mut list = previous.map(entries).unwrap_or_default();
    if changed.is_empty() && removed.is_empty() {
        set_entries(next, list);
        return;
    }
    let mut mine: BTreeSet<FieldPath> = BTreeSet::new();
    list.retain_mut(|e| {
        let mut paths = from_fields(&e["fieldsV1"]);
        if same_entry(e, manager, "Update", subresource) {
            mine = paths;
            return false;
        }
        let before = paths.len();
        paths.retain(|p| !changed.contains(p) && !removed.contains(p));
        if paths.len() != before {
            e["fieldsV1"] = to_fields(&paths);
        }
        !paths.is_empty()
    });
    mine.extend(changed);
    mine.retain(|p| !removed.contains(p) && value_at(next, p).is_some());
    if !mine.is_empty() {
        list.push(entry(manager, "Update", api_version, subresource, &mine));
    }
    set_entries(next, list);
}

/// What a server-side apply by `manager` does to the managed fields, before the configuration
/// is merged: the conflicts with other managers (a 409 unless `force`, when it takes the
/// fields from them), and the fields it applied before that no one else owns now and it no
/// longer sets (to be removed), as a `FieldsV1`.
pub(super) fn prepare_apply(
    live: &mut Value,
    applied: &Value,
    manager: &str,
    force: bool,
    subresource: Option<&str>,
) -> Result<Option<Value>, ApiError> {
    let wanted = paths_of(applied, true);
    let mut list = entries(live);
    let mut conflicts: Vec<(FieldPath, String)> = Vec::new();
    for e in list.iter().filter(|e| !same_entry(e, manager, "Apply", subresource)) {
        for p in from_fields(&e["fieldsV1"]).intersection(&wanted) {
            if p.last().map(String::as_str) != Some(".") && value_at(live, p) != value_at(applied, p) {
                conflicts.push((p.clone(), print_manager(e)));
            }
        }
    }
    if !conflicts.is_empty() && !force {
        return Err(conflict_error(conflicts));
    }
    let taken: BTreeSet<&FieldPath> = conflicts.iter().map(|(p, _)| p).collect();
    let mut previous = None;
    let mut others = BTreeSet::new();
    list.retain_mut(|e| {
        let mut paths = from_fields(&e["fieldsV1"]);
        if same_entry(e, manager, "Apply", subresource) {
            previous = Some(paths);
            return true;
        }
        if !taken.is_empty() {
            paths.retain(|p| !taken.contains(p));
            e["fieldsV1"] = to_fields(&paths);
        }
        others.extend(paths.iter().cloned());
        !paths.is_empty()
    });
    set_entries(live, list);
    // Fields it no longer sets are removed only when no other manager owns them.
    Ok(previous.map(|prev| {
        let dropped: BTreeSet<FieldPath> = prev
            .into_iter()
            .filter(|p| {
                let base = p.strip_suffix(&[".".to_string()]).unwrap_or(p);
                !others.contains(p) && !others.iter().any(|o| o.starts_with(base))
            })
            .collect();
        to_fields(&dropped)
    }))
}

/// Whether an apply changed the object itself (its managed fields and resourceVersion aside).
pub(super) fn changes_object(before: &Value, after: &Value) -> bool {
    let bare = |v: &Value| {
        let mut v = v.clone();
        if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("managedFields");
            meta.remove("resourceVersion");
        }
        v
    };
    bare(before) != bare(after)
}

/// Sets the manager's `Apply` entry to what it applied. As on the real server, its time is
/// the apply's only when the apply `changed` the object: else an entry keeps the time it had,
/// and a new one has none.
pub(super) fn record_apply(
    obj: &mut Value,
    applied: &Value,
    manager: &str,
    api_version: &str,
    subresource: Option<&str>,
    changed: bool,
) {
    let paths = paths_of(applied, true);
    let mut list = entries(obj);
    let mut new = entry(manager, "Apply", api_version, subresource, &paths);
    match list.iter_mut().find(|e| same_entry(e, manager, "Apply", subresource)) {
        Some(existing) => {
            if !changed {
                match existing.get("time") {
                    Some(time) => new["time"] = time.clone(),
                    None => {
                        new.as_object_mut().map(|m| m.remove("time"));
                    }
                }
            }
            *existing = new;
        }
        None => {
            if !changed {
                new.as_object_mut().map(|m| m.remove("time"));
            }
            list.push(new)
        }
    }
    set_entries(obj, list);
}

/// A manager as a conflict names it: `"kubectl-edit" using v1` for an update.
fn print_manager(e: &Value) -> String {
    let mut out = crate::engine::apiserver::query::go_quote(e["manager"].as_str().unwrap_or_default());
    if let Some(s) = e["subresource"].as_str().filter(|s| !s.is_empty()) {
        out.push_str(&format!(
            " with subresource {}",
            crate::engine::apiserver::query::go_quote(s)
        ));
    }
    if e["operation"] == json!("Update") {
        out.push_str(&format!(" using {}", e["apiVersion"].as_str().unwrap_or_default()));
    }
    out
}

/// The real server's 409 for apply conflicts.
fn conflict_error(mut conflicts: Vec<(FieldPath, String)>) -> ApiError {
    conflicts.sort();
    let message = match conflicts.as_slice() {
        [(path, manager)] => format!(
            "Apply failed with 1 conflict: conflict with {manager}: {}",
            print_path(path)
        ),
        _ => {
            let mut managers: Vec<&String> = conflicts.iter().map(|(_, m)| m).collect();
            managers.sort();
            managers.dedup();
            let mut lines = Vec::new();
            for m in managers {
                lines.push(format!("conflicts with {m}:"));
                for (p, _) in conflicts.iter().filter(|(_, cm)| cm == m) {
                    lines.push(format!("- {}", print_path(p)));
                }
            }
            format!("Apply failed with {} conflicts: {}", conflicts.len(), lines.join("\n"))
        }
    };
    let causes: Vec<Value> = conflicts
        .iter()
        .map(|(p, m)| json!({"reason": "FieldManagerConflict", "message": format!("conflict with {m}"), "field": print_path(p)}))
        .collect();
    ApiError::new(409, "Conflict", message).with_details(json!({"causes": causes}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_create_owns_what_it_set_and_an_update_takes_what_it_changed() {
        let mut created = json!({"metadata": {"name": "m", "labels": {"x": "1"}}, "data": {"key": "a", "other": "b"}});
        record_update(&mut created, None, "kubectl-create", "v1", None, false);
        assert_eq!(
            created["metadata"]["managedFields"][0]["fieldsV1"],
            json!({"f:data": {".": {}, "f:key": {}, "f:other": {}}, "f:metadata": {"f:labels": {".": {}, "f:x": {}}}})
        );
        let mut edited = created.clone();
        edited["data"]["key"] = json!("edited");
        record_update(&mut edited, Some(&created), "kubectl-edit", "v1", None, false);
        let list = edited["metadata"]["managedFields"].as_array().unwrap();
        assert_eq!(list[0]["fieldsV1"]["f:data"], json!({".": {}, "f:other": {}}));
        assert_eq!(list[1]["manager"], "kubectl-edit");
        assert_eq!(list[1]["fieldsV1"], json!({"f:data": {"f:key": {}}}));

        let applied = json!({"data": {"key": "applied", "other": "b2"}});
        let err = prepare_apply(&mut edited.clone(), &applied, "kubectl", false, None).unwrap_err();
        assert_eq!(err.code, 409);
        assert_eq!(
            err.message,
            "Apply failed with 2 conflicts: conflicts with \"kubectl-create\" using v1:\n- .data.other\nconflicts with \"kubectl-edit\" using v1:\n- .data.key"
        );
        let one = json!({"data": {"key": "applied"}});
        let err = prepare_apply(&mut edited.clone(), &one, "kubectl", false, None).unwrap_err();
        assert_eq!(
            err.message,
            "Apply failed with 1 conflict: conflict with \"kubectl-edit\" using v1: .data.key"
        );
        // Forced: the field is taken from its manager (who then owns nothing and is dropped).
        let mut forced = edited.clone();
        prepare_apply(&mut forced, &one, "kubectl", true, None).unwrap();
        let managers: Vec<&str> = forced["metadata"]["managedFields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["manager"].as_str().unwrap())
            .collect();
        assert_eq!(managers, ["kubectl-create"]);
    }

    #[test]
    fn managers_come_from_the_user_agent_as_on_the_real_server() {
        assert_eq!(
            manager_of(None, "kubectl-edit/v1.37.2 (linux/amd64) kubernetes/abc"),
            "kubectl-edit"
        );
        assert_eq!(manager_of(Some("mine"), "kubectl/v1"), "mine");
        assert_eq!(manager_of(None, ""), "unknown");
    }
}
