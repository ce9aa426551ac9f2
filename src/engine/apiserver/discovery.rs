//! Discovery documents: `/version`, `/api`, `/apis`, and the resource list of each group/version.

use axum::response::Response;
use bytes::Bytes;
use http::{HeaderValue, header};
use serde_json::{Value, json};

use super::{ApiError, bytes_response};
use crate::engine::resources::Registry;

/// The Kubernetes version the engine answers as (the API surface it follows).
pub const KUBE_MAJOR: &str = "1";
pub const KUBE_MINOR: &str = "33";

pub fn version() -> Value {
    json!({
        "major": KUBE_MAJOR,
        "minor": KUBE_MINOR,
        "gitVersion": format!("v{KUBE_MAJOR}.{KUBE_MINOR}.0+kfn-{}", env!("CARGO_PKG_VERSION")),
        "gitCommit": "",
        "gitTreeState": "clean",
        "buildDate": "",
        "goVersion": "",
        "compiler": "rustc",
        "platform": format!("{}/{}", std::env::consts::OS, std::env::consts::ARCH),
    })
}

pub fn root_paths(registry: &Registry) -> Value {
    let mut paths = vec![
        "/api".to_string(),
        "/api/v1".into(),
        "/apis".into(),
        "/healthz".into(),
        "/version".into(),
    ];
    for (group, versions) in registry.groups() {
        paths.push(format!("/apis/{group}"));
        paths.extend(versions.iter().map(|v| format!("/apis/{group}/{v}")));
    }
    json!({ "paths": paths })
}

pub fn core_versions() -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}],
    })
}

fn group_doc(group: &str, versions: &[String]) -> Value {
    let gv: Vec<Value> = versions
        .iter()
        .map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    json!({
        "name": group,
        "versions": gv,
        "preferredVersion": gv.first().cloned().unwrap_or(Value::Null),
    })
}

pub fn group_list(registry: &Registry) -> Value {
    let groups: Vec<Value> = registry.groups().iter().map(|(g, v)| group_doc(g, v)).collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

pub fn group(registry: &Registry, group: &str) -> Result<Value, ApiError> {
    let groups = registry.groups();
    let (_, versions) = groups.iter().find(|(g, _)| g == group).ok_or_else(ApiError::no_route)?;
    let mut doc = group_doc(group, versions);
    doc["kind"] = json!("APIGroup");
    doc["apiVersion"] = json!("v1");
    Ok(doc)
}

pub fn known_version(registry: &Registry, group: &str, version: &str) -> Result<(), ApiError> {
    if registry.all().iter().any(|d| d.group == group && d.version == version) {
        Ok(())
    } else {
        Err(ApiError::no_route())
    }
}

const VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

pub fn resource_list(registry: &Registry, group: &str, version: &str) -> Value {
    let mut resources = Vec::new();
    for d in registry
        .all()
        .iter()
        .filter(|d| d.group == group && d.version == version)
    {
        let mut entry = json!({
            "name": d.plural,
            "singularName": d.singular,
            "namespaced": d.namespaced,
            "kind": d.kind,
            "verbs": VERBS,
        });
        if !d.short_names.is_empty() {
            entry["shortNames"] = json!(d.short_names);
        }
        if !d.categories.is_empty() {
            entry["categories"] = json!(d.categories);
        }
        resources.push(entry);
        if d.status_subresource {
            resources.push(json!({
                "name": format!("{}/status", d.plural), "singularName": "", "namespaced": d.namespaced,
                "kind": d.kind, "verbs": ["get", "patch", "update"],
            }));
        }
        for sub in &d.extra_subresources {
            let verbs: &[&str] = match *sub {
                "log" => &["get"],
                "proxy" => &["create", "delete", "get", "patch", "update"],
                "finalize" => &["update"],
                _ => &["get", "patch", "update"],
            };
            resources.push(json!({
                "name": format!("{}/{sub}", d.plural), "singularName": "", "namespaced": d.namespaced,
                "kind": if *sub == "scale" { "Scale" } else { d.kind.as_str() }, "verbs": verbs,
            }));
        }
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources})
}

/// `/openapi/v2`. The engine publishes no schemas: an empty document tells kubectl there is
/// nothing to validate against (as for a CRD without a schema), in protobuf when it asks for it.
pub fn openapi_v2(accept: &str) -> Response {
    if accept.contains("protobuf") {
        let mut resp = bytes_response(200, Bytes::new());
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/com.github.proto-openapi.spec.v2.v1.0+protobuf"),
        );
        return resp;
    }
    let doc = json!({"swagger": "2.0", "info": {"title": "kfn local engine", "version": format!("v{KUBE_MAJOR}.{KUBE_MINOR}.0")}, "paths": {}, "definitions": {}});
    bytes_response(200, Bytes::from(doc.to_string()))
}
