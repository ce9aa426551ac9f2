//! Discovery documents: `/version`, `/api`, `/apis`, and the resource list of each group/version.

use serde_json::{Value, json};

use super::{ApiError, reviews};
use crate::engine::resources::Registry;

/// The served groups with their versions: the registry's and those of the review resources.
fn groups(registry: &Registry) -> Vec<(String, Vec<String>)> {
    let mut groups = registry.groups();
    for (group, _, _) in reviews::REVIEWS {
        match groups.iter_mut().find(|(g, _)| g == group) {
            Some((_, versions)) if !versions.iter().any(|v| v == "v1") => versions.push("v1".into()),
            Some(_) => {}
            None => groups.push((group.to_string(), vec!["v1".into()])),
        }
    }
    groups
}

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
        "/openapi/v2".into(),
        "/openapi/v3".into(),
        "/version".into(),
    ];
    for (group, versions) in groups(registry) {
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
    let groups: Vec<Value> = groups(registry).iter().map(|(g, v)| group_doc(g, v)).collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

pub fn group(registry: &Registry, group: &str) -> Result<Value, ApiError> {
    let groups = groups(registry);
    let (_, versions) = groups.iter().find(|(g, _)| g == group).ok_or_else(ApiError::no_route)?;
    let mut doc = group_doc(group, versions);
    doc["kind"] = json!("APIGroup");
    doc["apiVersion"] = json!("v1");
    Ok(doc)
}

pub fn known_version(registry: &Registry, group: &str, version: &str) -> Result<(), ApiError> {
    if registry.all().iter().any(|d| d.group == group && d.version == version)
        || !reviews::discovery_entries(group, version).is_empty()
    {
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
                "token" => &["create"],
                _ => &["get", "patch", "update"],
            };
            let mut entry = json!({
                "name": format!("{}/{sub}", d.plural), "singularName": "", "namespaced": d.namespaced,
                "kind": if *sub == "scale" { "Scale" } else { d.kind.as_str() }, "verbs": verbs,
            });
            if *sub == "token" {
                // As the real server lists it: a TokenRequest of authentication.k8s.io/v1.
                entry["kind"] = json!("TokenRequest");
                entry["group"] = json!("authentication.k8s.io");
                entry["version"] = json!("v1");
            }
            resources.push(entry);
        }
    }
    resources.extend(reviews::discovery_entries(group, version));
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources})
}
