//! `events.k8s.io/v1` Events: served, as the API server serves them, as another version of the
//! core/v1 Events the engine stores, converted both ways (`regarding` is `involvedObject`,
//! `note` is `message`, `reportingController` is `reportingComponent`, `deprecatedSource`,
//! `deprecatedCount`, `deprecatedFirstTimestamp` and `deprecatedLastTimestamp` the old fields;
//! `eventTime`, `series`, `action`, `related`, `reason` and `type` are the same in both).

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use futures::StreamExt;
use http::header;
use serde_json::{Map, Value};

use super::{ApiError, Query, ResourceRequest};
use crate::engine::resources::{Registry, ResourceDef};

const GROUP: &str = "events.k8s.io";
const API_VERSION: &str = "events.k8s.io/v1";

/// The fields named differently: (events.k8s.io/v1, core/v1).
const RENAMED: &[(&str, &str)] = &[
    ("regarding", "involvedObject"),
    ("note", "message"),
    ("reportingController", "reportingComponent"),
    ("deprecatedSource", "source"),
    ("deprecatedFirstTimestamp", "firstTimestamp"),
    ("deprecatedLastTimestamp", "lastTimestamp"),
    ("deprecatedCount", "count"),
];

/// Fields of events.k8s.io/v1 left out when empty (`omitempty`).
const OMITTED_WHEN_EMPTY: &[&str] = &[
    "reportingController",
    "reportingInstance",
    "action",
    "reason",
    "note",
    "type",
];

/// Whether a request is for the events.k8s.io view.
pub fn is_view(def: &ResourceDef) -> bool {
    def.group == GROUP && def.plural == "events"
}

/// A field selector of the view in the core fields' names (`regarding.name` is
/// `involvedObject.name`).
fn core_selector(selector: &str) -> String {
    selector
        .split(',')
        .map(|term| {
            RENAMED
                .iter()
                .find_map(|(new, old)| {
                    term.strip_prefix(new)
                        .filter(|rest| rest.starts_with(['.', '=', '!']))
                        .map(|rest| format!("{old}{rest}"))
                })
                .unwrap_or_else(|| term.to_string())
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// An events.k8s.io/v1 Event (or part of one, as a merge patch is) as a core/v1 Event.
fn to_core_event(mut event: Value) -> Value {
    if let Some(m) = event.as_object_mut() {
        for (new, old) in RENAMED {
            if let Some(v) = m.remove(*new) {
                m.insert(old.to_string(), v);
            }
        }
        if m.contains_key("apiVersion") {
            m.insert("apiVersion".into(), Value::from("v1"));
        }
    }
    event
}

/// A core/v1 Event as events.k8s.io/v1 shows it.
fn from_core_event(event: &Value) -> Value {
    let Some(m) = event.as_object() else {
        return event.clone();
    };
    let mut out = Map::new();
    for (k, v) in m {
        let name = RENAMED
            .iter()
            .find(|(_, old)| old == k)
            .map_or(k.as_str(), |(new, _)| new);
        out.insert(name.to_string(), v.clone());
    }
    for field in OMITTED_WHEN_EMPTY {
        if out.get(*field).is_some_and(|v| v.as_str() == Some("")) {
            out.remove(*field);
        }
    }
    if out.get("deprecatedCount").is_some_and(|c| c.as_i64() == Some(0)) {
        out.remove("deprecatedCount");
    }
    if out.contains_key("apiVersion") || out.contains_key("kind") {
        out.insert("apiVersion".into(), Value::from(API_VERSION));
    }
    Value::Object(out)
}

/// A response body (an Event, an EventList or a watch event) as the view answers it.
fn from_core_body(body: &Value) -> Value {
    match body["kind"].as_str() {
        Some("Event") => from_core_event(body),
        Some("EventList") => {
            let mut list = body.clone();
            list["apiVersion"] = Value::from(API_VERSION);
            if let Some(items) = list["items"].as_array_mut() {
                for item in items.iter_mut() {
                    *item = from_core_event(item);
                }
            }
            list
        }
        _ if body.get("type").is_some() && body["object"]["kind"] == "Event" => {
            let mut event = body.clone();
            event["object"] = from_core_event(&body["object"]);
            event
        }
        _ => body.clone(),
    }
}

/// The view's request as a request for the core Events.
pub fn to_core(registry: &Registry, mut req: ResourceRequest) -> Result<ResourceRequest, ApiError> {
    req.def = registry.find("", "v1", "events").ok_or_else(ApiError::no_route)?;
    req.query = Query(
        std::mem::take(&mut req.query.0)
            .into_iter()
            .map(|(k, v)| match k.as_str() {
                "fieldSelector" => (k, core_selector(&v)),
                _ => (k, v),
            })
            .collect(),
    );
    let json = matches!(
        req.content_type.split(';').next().unwrap_or_default().trim(),
        "" | "application/json"
            | "application/merge-patch+json"
            | "application/strategic-merge-patch+json"
            | "application/apply-patch+yaml"
    );
    if !req.body.is_empty() && json {
        // A YAML apply body is read as JSON when it is JSON, else left for the core to refuse.
        if let Ok(body) = serde_json::from_slice::<Value>(&req.body) {
            req.body = Bytes::from(serde_json::to_vec(&to_core_event(body)).expect("JSON"));
        }
    }
    Ok(req)
}

/// The core answer as the view answers: its Events (in a list, one, or a watch's events)
/// converted; anything else (a Status, a Table, protobuf) as it is.
pub async fn from_core(resp: Response, watch: bool) -> Response {
    let json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    if !json {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    if watch {
        let stream = body.into_data_stream().map(|chunk| {
            chunk.map(|bytes| {
                let mut out = Vec::with_capacity(bytes.len());
                for line in bytes.split(|b| *b == b'\n') {
                    if line.is_empty() {
                        continue;
                    }
                    match serde_json::from_slice::<Value>(line) {
                        Ok(v) => out.extend(serde_json::to_vec(&from_core_body(&v)).expect("JSON")),
                        Err(_) => out.extend_from_slice(line),
                    }
                    out.push(b'\n');
                }
                Bytes::from(out)
            })
        });
        return Response::from_parts(parts, Body::from_stream(stream));
    }
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let converted = match serde_json::from_slice::<Value>(&bytes) {
        Ok(v) => Bytes::from(serde_json::to_vec(&from_core_body(&v)).expect("JSON")),
        Err(_) => bytes,
    };
    Response::from_parts(parts, Body::from(converted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_event_converts_both_ways() {
        let core = json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"},
            "involvedObject": {"kind": "Pod", "name": "p"}, "message": "m", "reason": "R",
            "source": {"component": "c"}, "count": 2, "reportingComponent": "c", "reportingInstance": "",
            "firstTimestamp": "2026-01-01T00:00:00Z", "eventTime": null});
        let view = from_core_event(&core);
        assert_eq!(view["apiVersion"], API_VERSION);
        assert_eq!(view["regarding"]["name"], "p");
        assert_eq!(view["note"], "m");
        assert_eq!(view["deprecatedCount"], 2);
        assert_eq!(view["reportingController"], "c");
        assert_eq!(view.get("reportingInstance"), None);
        assert_eq!(view["deprecatedFirstTimestamp"], "2026-01-01T00:00:00Z");
        let back = to_core_event(view);
        assert_eq!(back["involvedObject"], core["involvedObject"]);
        assert_eq!(back["message"], "m");
        assert_eq!(back["apiVersion"], "v1");
    }

    #[test]
    fn field_selectors_name_the_core_fields() {
        assert_eq!(
            core_selector("regarding.name=web,type!=Normal,reportingController=x"),
            "involvedObject.name=web,type!=Normal,reportingComponent=x"
        );
    }
}
