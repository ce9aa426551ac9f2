//! Kubernetes Events about objects, as `kubectl get events` and `describe` show them, recorded
//! as client-go's event recorder does: the involved object named with its uid and
//! resourceVersion (as stored), and a repeat of the same event counted on the first one
//! (`count`, `lastTimestamp`) instead of stored again.

use serde_json::{Value, json};

use super::{ApiError, Objects, create, key_of, meta_str, write};
use crate::api::now;

/// Pod events about its container, which name it in `involvedObject.fieldPath` as the
/// kubelet does.
const CONTAINER_REASONS: &[&str] = &[
    "BackOff",
    "OOMKilled",
    "Failed",
    "Started",
    "Created",
    "Killing",
    "Pulling",
];

/// How many events alike but for their message are kept apart before the next ones are
/// combined into one (client-go's aggregator keeps 10).
const MAX_SIMILAR: usize = 10;
/// How a combined event's message begins, as client-go writes it.
const COMBINED: &str = "(combined from similar events): ";

/// The component the engine's own events name as their source.
const ENGINE: &str = "kfn-local-engine";

/// Records a Kubernetes Event about an object (shown by `kubectl get events` and `describe`),
/// from the engine itself.
pub fn record_event(objects: &Objects, object: &Value, kind_type: &str, reason: &str, message: &str) {
    record_event_from(objects, ENGINE, object, kind_type, reason, message);
}

/// Records an Event as `component` (`deployment-controller`, …) does: its source and its
/// reporting component.
pub fn record_event_from(
    objects: &Objects,
    component: &str,
    object: &Value,
    kind_type: &str,
    reason: &str,
    message: &str,
) {
    let registry = objects.registry();
    let Some(def) = registry.find("", "v1", "events") else {
        return;
    };
    let namespace = meta_str(object, "namespace").to_string();
    let name = meta_str(object, "name").to_string();
    let involved = involved_object(objects, object, reason);
    let t = now();
    // The same event about the same object again: counted on the one recorded before. Events
    // alike but for their message (a refused Pod's generated name, say) are combined after
    // MAX_SIMILAR into one, as client-go's aggregator does, so they cannot pile up.
    let (events, _) = objects.store.list(&def.store_key(), Some(&namespace));
    let similar: Vec<_> = events
        .iter()
        .filter(|e| {
            let e = &e.value;
            e["reason"] == json!(reason)
                && e["type"] == json!(kind_type)
                && e["source"]["component"] == json!(component)
                && ["kind", "name", "uid", "apiVersion", "fieldPath"]
                    .iter()
                    .all(|f| e["involvedObject"][f] == involved[f])
        })
        .collect();
    let combined = format!("{COMBINED}{message}");
    let message = match similar.len() >= MAX_SIMILAR {
        true => combined.as_str(),
        false => message,
    };
    let same = similar.iter().find(|e| {
        let said = e.value["message"].as_str().unwrap_or_default();
        said == message || (message.starts_with(COMBINED) && said.starts_with(COMBINED))
    });
    if let Some(existing) = same {
        let event_name = meta_str(&existing.value, "name").to_string();
        let counted = write::modify(objects, &def, Some(&namespace), &event_name, |e| {
            e["count"] = json!(e["count"].as_i64().unwrap_or(1) + 1);
            e["lastTimestamp"] = json!(t);
            e["message"] = json!(message);
            e["involvedObject"]["resourceVersion"] = involved["resourceVersion"].clone();
        });
        match counted {
            Ok(_) => return,
            Err(e) if e.code == 404 => {} // removed meanwhile: recorded anew below
            Err(e) => {
                tracing::warn!("cannot record an event for {name}: {}", e.message);
                return;
            }
        }
    }
    let nanos = k8s_openapi::jiff::Timestamp::now().as_nanosecond();
    let event = json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": format!("{name}.{nanos:x}"), "namespace": namespace},
        "involvedObject": involved,
        "type": kind_type,
        "reason": reason,
        "message": message,
        "source": {"component": component},
        "firstTimestamp": t,
        "lastTimestamp": t,
        "count": 1,
        "reportingComponent": component,
        "reportingInstance": "",
    });
    if let Err(e) = create::create_object(objects, &def, Some(&namespace), event, false) {
        tracing::warn!("cannot record an event for {name}: {}", e.message);
    }
}

/// A core/v1 Event as the API server stores it: with its `source` and reporting fields (empty
/// when not given), its involved object in its own namespace, and, for an Event of the new
/// kind (an `eventTime`), what the events API requires.
pub(super) fn admit(event: &mut Value) -> Result<(), ApiError> {
    if !event.is_object() {
        return Ok(());
    }
    for (field, empty) in [
        ("involvedObject", json!({})),
        ("source", json!({})),
        ("reportingComponent", json!("")),
        ("reportingInstance", json!("")),
    ] {
        if event[field].is_null() {
            event[field] = empty;
        }
    }
    let namespace = meta_str(event, "namespace");
    let involved = event["involvedObject"]["namespace"].as_str().unwrap_or_default();
    let str_of = |f: &str| event[f].as_str().unwrap_or_default();
    let mut errors: Vec<(&str, &str, String)> = vec![];
    let mismatch = || {
        (
            "involvedObject.namespace",
            "FieldValueInvalid",
            format!("Invalid value: {}: does not match event.namespace", json!(involved)),
        )
    };
    if event["eventTime"].is_null() {
        if (involved.is_empty() && !["", "default"].contains(&namespace))
            || (!involved.is_empty() && involved != namespace)
        {
            errors.push(mismatch());
        }
    } else {
        if involved.is_empty() && !["default", "kube-system"].contains(&namespace) {
            errors.push(mismatch());
        }
        for field in ["reportingComponent", "reportingInstance", "action", "reason"] {
            if str_of(field).is_empty() {
                errors.push((field, "FieldValueRequired", "Required value".into()));
            }
        }
    }
    if errors.is_empty() {
        return Ok(());
    }
    let name = meta_str(event, "name");
    let each: Vec<String> = errors.iter().map(|(f, _, m)| format!("{f}: {m}")).collect();
    let summary = match each.as_slice() {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    };
    let causes: Vec<Value> = errors
        .iter()
        .map(|(f, r, m)| json!({"reason": r, "message": m, "field": f}))
        .collect();
    Err(
        ApiError::new(422, "Invalid", format!("Event \"{name}\" is invalid: {summary}"))
            .with_details(json!({"name": name, "kind": "Event", "causes": causes})),
    )
}

/// The event's `involvedObject`: the object as stored (its uid and resourceVersion, which a
/// value built in memory does not carry), and the container of a container's event.
fn involved_object(objects: &Objects, object: &Value, reason: &str) -> Value {
    let namespace = meta_str(object, "namespace");
    let name = meta_str(object, "name");
    let api_version = object["apiVersion"].as_str().unwrap_or_default();
    let kind = object["kind"].as_str().unwrap_or_default();
    let registry = objects.registry();
    let stored = registry
        .all()
        .iter()
        .find(|d| d.kind == kind && d.api_version() == api_version)
        .and_then(|def| objects.store.get(&key_of(def, Some(namespace), name)));
    let meta = stored.as_ref().map_or(&object["metadata"], |o| &o.value["metadata"]);
    let mut involved = json!({"apiVersion": api_version, "kind": kind, "name": name, "namespace": namespace});
    for field in ["uid", "resourceVersion"] {
        if let Some(v) = meta[field].as_str().filter(|v| !v.is_empty()) {
            involved[field] = json!(v);
        }
    }
    if let Some(path) = container_field_path(object, reason) {
        involved["fieldPath"] = json!(path);
    }
    involved
}

/// The fieldPath of a Pod's container event (`spec.containers{name}`), when it has one container.
fn container_field_path(object: &Value, reason: &str) -> Option<String> {
    if object["kind"] != json!("Pod") || !CONTAINER_REASONS.contains(&reason) {
        return None;
    }
    let containers = object.pointer("/spec/containers")?.as_array()?;
    match containers.as_slice() {
        [one] => Some(format!("spec.containers{{{}}}", one["name"].as_str()?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::store::Store;

    #[test]
    fn a_repeated_event_is_counted_on_the_first_and_names_the_stored_object() {
        let dir = tempfile::tempdir().unwrap();
        let objects = Objects::new(Store::open(&dir.path().join("kfn.db")).unwrap());
        let def = objects.registry().find("", "v1", "configmaps").unwrap();
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "default"}});
        let stored = create::create_object(&objects, &def, Some("default"), cm.clone(), false).unwrap();
        record_event(&objects, &cm, "Warning", "Broken", "it broke");
        record_event(&objects, &cm, "Warning", "Broken", "it broke");
        record_event(&objects, &cm, "Warning", "Broken", "it broke differently");
        let (events, _) = objects.store.list("/events", Some("default"));
        assert_eq!(events.len(), 2, "the same event again is not stored again");
        let first = events
            .iter()
            .map(|e| &e.value)
            .find(|e| e["message"] == "it broke")
            .unwrap();
        assert_eq!(first["count"], 2);
        assert_eq!(first["involvedObject"]["uid"], stored.value["metadata"]["uid"]);
        assert_eq!(
            first["involvedObject"]["resourceVersion"],
            stored.value["metadata"]["resourceVersion"]
        );
        assert!(first["firstTimestamp"].is_string() && first["lastTimestamp"].is_string());
    }

    #[test]
    fn events_alike_but_for_their_message_are_combined_after_ten() {
        let dir = tempfile::tempdir().unwrap();
        let objects = Objects::new(Store::open(&dir.path().join("kfn.db")).unwrap());
        let def = objects.registry().find("", "v1", "configmaps").unwrap();
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "default"}});
        create::create_object(&objects, &def, Some("default"), cm.clone(), false).unwrap();
        for i in 0..25 {
            record_event(
                &objects,
                &cm,
                "Warning",
                "FailedCreate",
                &format!("pod c-{i} is forbidden"),
            );
        }
        let (events, _) = objects.store.list("/events", Some("default"));
        assert_eq!(events.len(), MAX_SIMILAR + 1, "ten apart, then one combined");
        let combined = events
            .iter()
            .map(|e| &e.value)
            .find(|e| e["message"].as_str().unwrap().starts_with(COMBINED))
            .unwrap();
        assert_eq!(combined["message"], format!("{COMBINED}pod c-24 is forbidden"));
        assert_eq!(combined["count"], 15);
    }
}
