//! `meta.k8s.io/v1` Table responses, which `kubectl get` asks for to print its columns.

use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};

use crate::engine::resources::{Cell, ResourceDef};

/// What a table row carries besides its cells (the `includeObject` query parameter).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum IncludeObject {
    None,
    Metadata,
    Object,
}

impl IncludeObject {
    pub fn parse(value: Option<&str>) -> Self {
        match value {
            Some("None") => IncludeObject::None,
            Some("Object") => IncludeObject::Object,
            _ => IncludeObject::Metadata,
        }
    }
}

/// Whether an Accept header asks for a Table.
pub fn wants_table(accept: &str) -> bool {
    accept.split(',').next().is_some_and(|first| first.contains("as=Table"))
}

pub fn table<'a>(
    def: &ResourceDef,
    objects: impl IntoIterator<Item = &'a Value>,
    include: IncludeObject,
    list_meta: Value,
    now: Timestamp,
) -> Value {
    let columns: Vec<Value> = def
        .columns
        .iter()
        .map(|c| {
            json!({"name": c.name, "type": c.kind, "format": c.format, "description": c.description, "priority": c.priority})
        })
        .collect();
    let rows: Vec<Value> = objects
        .into_iter()
        .map(|obj| {
            let cells: Vec<Value> = def.columns.iter().map(|c| cell(&c.cell, &c.kind, obj, now)).collect();
            let mut row = json!({"cells": cells});
            match include {
                IncludeObject::None => {}
                IncludeObject::Object => row["object"] = obj.clone(),
                IncludeObject::Metadata => {
                    row["object"] = json!({
                        "kind": "PartialObjectMetadata",
                        "apiVersion": "meta.k8s.io/v1",
                        "metadata": obj["metadata"],
                    })
                }
            }
            row
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_meta,
        "columnDefinitions": columns,
        "rows": rows,
    })
}

fn cell(cell: &Cell, kind: &str, obj: &Value, now: Timestamp) -> Value {
    match cell {
        Cell::Name => obj["metadata"]["name"].clone(),
        Cell::Age => Value::String(age(obj["metadata"]["creationTimestamp"].as_str(), now)),
        Cell::Path(path) => {
            let pointer = format!("/{}", path.trim_start_matches('.').replace('.', "/"));
            match obj.pointer(&pointer) {
                // Date columns print as an age, as the API server renders them.
                Some(Value::String(t)) if kind == "date" => Value::String(age(Some(t), now)),
                Some(v) => v.clone(),
                None => Value::Null,
            }
        }
        Cell::Builtin(name) => Value::String(builtin_cell(name, obj, now)),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn count(v: &Value) -> usize {
    v.as_object()
        .map(|m| m.len())
        .or_else(|| v.as_array().map(Vec::len))
        .unwrap_or(0)
}

fn or_none(s: String) -> String {
    if s.is_empty() { "<none>".into() } else { s }
}

fn builtin_cell(name: &str, o: &Value, now: Timestamp) -> String {
    let status = &o["status"];
    let spec = &o["spec"];
    match name {
        "namespace.status" => text(&status["phase"]),
        "count.data" => (count(&o["data"]) + count(&o["binaryData"]) + count(&o["stringData"])).to_string(),
        "secret.type" => text(&o["type"]),
        "service.type" => text(&spec["type"]),
        "service.clusterip" => or_none(text(&spec["clusterIP"])),
        "service.externalip" => {
            let ips: Vec<String> = spec["externalIPs"].as_array().into_iter().flatten().map(text).collect();
            or_none(ips.join(","))
        }
        "service.ports" => {
            let ports: Vec<String> = spec["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| format!("{}/{}", text(&p["port"]), p["protocol"].as_str().unwrap_or("TCP")))
                .collect();
            or_none(ports.join(","))
        }
        "pod.ready" => {
            let statuses = status["containerStatuses"].as_array().cloned().unwrap_or_default();
            let total = count(&spec["containers"]).max(statuses.len());
            let ready = statuses.iter().filter(|s| s["ready"].as_bool() == Some(true)).count();
            format!("{ready}/{total}")
        }
        "pod.status" => {
            let waiting = status["containerStatuses"]
                .as_array()
                .into_iter()
                .flatten()
                .find_map(|s| {
                    s.pointer("/state/waiting/reason")
                        .and_then(Value::as_str)
                        .map(String::from)
                });
            if o.pointer("/metadata/deletionTimestamp").is_some() {
                "Terminating".into()
            } else {
                waiting.unwrap_or_else(|| text(&status["phase"]))
            }
        }
        "pod.restarts" => status["containerStatuses"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| s["restartCount"].as_i64().unwrap_or(0))
            .sum::<i64>()
            .to_string(),
        "event.lastseen" => {
            let t = o["lastTimestamp"]
                .as_str()
                .or(o["eventTime"].as_str())
                .or(o["metadata"]["creationTimestamp"].as_str());
            age(t, now)
        }
        "event.type" => text(&o["type"]),
        "event.reason" => text(&o["reason"]),
        "event.object" => format!(
            "{}/{}",
            text(&o["involvedObject"]["kind"]).to_lowercase(),
            text(&o["involvedObject"]["name"])
        ),
        "event.message" => text(&o["message"]),
        "deployment.ready" => format!(
            "{}/{}",
            status["readyReplicas"].as_i64().unwrap_or(0),
            spec["replicas"].as_i64().unwrap_or(1)
        ),
        "workload.containers" | "workload.images" => {
            let field = if name == "workload.images" { "image" } else { "name" };
            let list: Vec<String> = spec
                .pointer("/template/spec/containers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|c| text(&c[field]))
                .collect();
            list.join(",")
        }
        "workload.selector" => {
            let mut parts: Vec<String> = spec
                .pointer("/selector/matchLabels")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(k, v)| format!("{k}={}", text(v)))
                .collect();
            parts.sort();
            or_none(parts.join(","))
        }
        "replicaset.desired" => spec["replicas"].as_i64().unwrap_or(1).to_string(),
        "replicaset.current" => status["replicas"].as_i64().unwrap_or(0).to_string(),
        "replicaset.ready" => status["readyReplicas"].as_i64().unwrap_or(0).to_string(),
        "deployment.updated" => status["updatedReplicas"].as_i64().unwrap_or(0).to_string(),
        "deployment.available" => status["availableReplicas"].as_i64().unwrap_or(0).to_string(),
        "hpa.reference" => format!(
            "{}/{}",
            text(&spec["scaleTargetRef"]["kind"]),
            text(&spec["scaleTargetRef"]["name"])
        ),
        "hpa.min" => spec["minReplicas"].as_i64().unwrap_or(1).to_string(),
        "hpa.max" => text(&spec["maxReplicas"]),
        "hpa.replicas" => status["currentReplicas"].as_i64().unwrap_or(0).to_string(),
        "cronjob.schedule" => text(&spec["schedule"]),
        "cronjob.suspend" => if spec["suspend"].as_bool() == Some(true) {
            "True"
        } else {
            "False"
        }
        .into(),
        "cronjob.active" => count(&status["active"]).to_string(),
        "cronjob.last" => match status["lastScheduleTime"].as_str() {
            Some(t) => age(Some(t), now),
            None => "<none>".into(),
        },
        "ingress.class" => or_none(text(&spec["ingressClassName"])),
        "ingress.hosts" => {
            let hosts: Vec<String> = spec["rules"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| text(&r["host"]))
                .collect();
            if hosts.is_empty() { "*".into() } else { hosts.join(",") }
        }
        "ingress.address" => String::new(),
        "ingress.ports" => if count(&spec["tls"]) > 0 { "80, 443" } else { "80" }.into(),
        "lease.holder" => text(&spec["holderIdentity"]),
        "quota.request" | "quota.limit" => {
            let mut names: Vec<&String> = status["hard"].as_object().into_iter().flat_map(|m| m.keys()).collect();
            names.sort();
            let limits = name == "quota.limit";
            names
                .into_iter()
                .filter(|n| n.starts_with("limits.") == limits)
                .map(|n| {
                    let used = status["used"].get(n.as_str()).map(text).unwrap_or_else(|| "0".into());
                    format!("{n}: {used}/{}", text(&status["hard"][n.as_str()]))
                })
                .collect::<Vec<_>>()
                .join(", ")
        }
        "crd.created" => text(&o["metadata"]["creationTimestamp"]),
        _ => String::new(),
    }
}

/// Age the way kubectl prints it (`12s`, `3m4s`, `5h`, `2d3h`, `40d`, `2y`).
pub fn age(created: Option<&str>, now: Timestamp) -> String {
    let Some(created) = created.and_then(|t| t.parse::<Timestamp>().ok()) else {
        return "<unknown>".into();
    };
    let secs = (now.as_second() - created.as_second()).max(0);
    let (m, h, d) = (secs / 60, secs / 3600, secs / 86400);
    if secs < 120 {
        format!("{secs}s")
    } else if m < 10 {
        match secs % 60 {
            0 => format!("{m}m"),
            s => format!("{m}m{s}s"),
        }
    } else if h < 3 {
        format!("{m}m")
    } else if h < 8 {
        match m % 60 {
            0 => format!("{h}h"),
            mm => format!("{h}h{mm}m"),
        }
    } else if h < 48 {
        format!("{h}h")
    } else if d < 8 {
        match h % 24 {
            0 => format!("{d}d"),
            hh => format!("{d}d{hh}h"),
        }
    } else if d < 365 * 2 {
        format!("{d}d")
    } else {
        format!("{}y", d / 365)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_like_kubectl() {
        let now: Timestamp = "2026-01-10T12:00:00Z".parse().unwrap();
        let cases = [
            ("2026-01-10T11:59:55Z", "5s"),
            ("2026-01-10T11:55:30Z", "4m30s"),
            ("2026-01-10T11:00:00Z", "60m"),
            ("2026-01-10T07:30:00Z", "4h30m"),
            ("2026-01-09T12:00:00Z", "24h"),
            ("2026-01-07T09:00:00Z", "3d3h"),
            ("2025-12-01T12:00:00Z", "40d"),
        ];
        for (created, want) in cases {
            assert_eq!(age(Some(created), now), want, "{created}");
        }
    }

    #[test]
    fn only_a_table_first_accept_asks_for_a_table() {
        assert!(wants_table(
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
        ));
        assert!(!wants_table("application/json"));
    }
}
