//! The bootstrap policy kube-apiserver stores at start (the parts a ServiceAccount needs):
//! `cluster-admin` for `system:masters`, discovery, self reviews and public info for every
//! authenticated user, and the aggregated `admin`, `edit` and `view` roles (kfn's kinds join
//! them through the aggregation labels). Reconciled as the real server does: a missing object
//! is created; one whose `rbac.authorization.kubernetes.io/autoupdate` annotation is not
//! `"false"` gets back the rules and subjects it lacks, and keeps those it has.

use serde_json::{Value, json};

use crate::engine::objects::{self, ApiError, Objects, key_of};
use k8s_openapi::api::rbac::v1::PolicyRule;

const GROUP: &str = "rbac.authorization.k8s.io";
const AUTOUPDATE: &str = "rbac.authorization.kubernetes.io/autoupdate";
const AGGREGATE: &str = "rbac.authorization.k8s.io/aggregate-to-";

/// cluster-admin's rules, which `system:masters` has (SelfSubjectRulesReview shows them).
pub fn cluster_admin_rules() -> Vec<PolicyRule> {
    serde_json::from_value(json!([
        {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
        {"nonResourceURLs": ["*"], "verbs": ["*"]},
    ]))
    .expect("typed rules")
}

const READ: &[&str] = &["get", "list", "watch"];
const WRITE: &[&str] = &["create", "delete", "deletecollection", "patch", "update"];

fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> Value {
    json!({"apiGroups": groups, "resources": resources, "verbs": verbs})
}

fn cluster_role(name: &str, aggregate_into: &[&str], rules: Vec<Value>) -> Value {
    let mut labels = json!({"kubernetes.io/bootstrapping": "rbac-defaults"});
    for to in aggregate_into {
        labels[format!("{AGGREGATE}{to}")] = json!("true");
    }
    json!({"apiVersion": format!("{GROUP}/v1"), "kind": "ClusterRole",
        "metadata": {"name": name, "labels": labels, "annotations": {AUTOUPDATE: "true"}},
        "rules": rules})
}

fn aggregated(name: &str, from: &str) -> Value {
    let mut role = cluster_role(name, &[], Vec::new());
    role["aggregationRule"] =
        json!({"clusterRoleSelectors": [{"matchLabels": {format!("{AGGREGATE}{from}"): "true"}}]});
    role
}

fn binding(name: &str, role: &str, groups: &[&str]) -> Value {
    let subjects: Vec<Value> = groups
        .iter()
        .map(|g| json!({"apiGroup": GROUP, "kind": "Group", "name": g}))
        .collect();
    json!({"apiVersion": format!("{GROUP}/v1"), "kind": "ClusterRoleBinding",
        "metadata": {"name": name, "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"},
            "annotations": {AUTOUPDATE: "true"}},
        "roleRef": {"apiGroup": GROUP, "kind": "ClusterRole", "name": role},
        "subjects": subjects})
}

/// The ClusterRoles of the bootstrap policy.
pub fn cluster_roles() -> Vec<Value> {
    let discovery = [
        "/api",
        "/api/*",
        "/apis",
        "/apis/*",
        "/healthz",
        "/livez",
        "/openapi",
        "/openapi/*",
        "/readyz",
        "/version",
        "/version/",
    ];
    let public = ["/healthz", "/livez", "/readyz", "/version", "/version/"];
    let viewed_core = [
        "configmaps",
        "endpoints",
        "persistentvolumeclaims",
        "persistentvolumeclaims/status",
        "pods",
        "pods/log",
        "pods/status",
        "replicationcontrollers",
        "replicationcontrollers/scale",
        "replicationcontrollers/status",
        "serviceaccounts",
        "services",
        "services/status",
        "bindings",
        "events",
        "limitranges",
        "namespaces/status",
        "resourcequotas",
        "resourcequotas/status",
    ];
    let apps = [
        "controllerrevisions",
        "daemonsets",
        "daemonsets/status",
        "deployments",
        "deployments/scale",
        "deployments/status",
        "replicasets",
        "replicasets/scale",
        "replicasets/status",
        "statefulsets",
        "statefulsets/scale",
        "statefulsets/status",
    ];
    let edited_core = [
        "configmaps",
        "endpoints",
        "persistentvolumeclaims",
        "pods",
        "replicationcontrollers",
        "replicationcontrollers/scale",
        "secrets",
        "serviceaccounts",
        "services",
        "services/proxy",
        "pods/proxy",
        "pods/attach",
        "pods/exec",
        "pods/portforward",
        "pods/eviction",
    ];
    let apps_edited = [
        "daemonsets",
        "deployments",
        "deployments/scale",
        "replicasets",
        "replicasets/scale",
        "statefulsets",
        "statefulsets/scale",
    ];
    let kfn = ["kubeless.io", "kfn.io"];
    vec![
        cluster_role(
            "cluster-admin",
            &[],
            cluster_admin_rules().iter().map(|r| json!(r)).collect(),
        ),
        cluster_role(
            "system:discovery",
            &[],
            vec![json!({"nonResourceURLs": discovery, "verbs": ["get"]})],
        ),
        cluster_role(
            "system:public-info-viewer",
            &[],
            vec![json!({"nonResourceURLs": public, "verbs": ["get"]})],
        ),
        cluster_role(
            "system:basic-user",
            &[],
            vec![
                rule(
                    &["authorization.k8s.io"],
                    &["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
                    &["create"],
                ),
                rule(&["authentication.k8s.io"], &["selfsubjectreviews"], &["create"]),
            ],
        ),
        aggregated("admin", "admin"),
        aggregated("edit", "edit"),
        aggregated("view", "view"),
        cluster_role(
            "system:aggregate-to-admin",
            &["admin"],
            vec![
                rule(&[GROUP], &["rolebindings", "roles"], &[READ, WRITE].concat()),
                rule(&["authorization.k8s.io"], &["localsubjectaccessreviews"], &["create"]),
            ],
        ),
        cluster_role(
            "system:aggregate-to-edit",
            &["admin", "edit"],
            vec![
                rule(&[""], &edited_core, &[READ, WRITE].concat()),
                rule(&[""], &["serviceaccounts/token"], &["create"]),
                rule(&["apps"], &apps_edited, &[READ, WRITE].concat()),
                rule(&["autoscaling"], &["horizontalpodautoscalers"], &[READ, WRITE].concat()),
                rule(&["batch"], &["cronjobs", "jobs"], &[READ, WRITE].concat()),
                rule(
                    &["networking.k8s.io"],
                    &["ingresses", "networkpolicies"],
                    &[READ, WRITE].concat(),
                ),
                rule(&["policy"], &["poddisruptionbudgets"], &[READ, WRITE].concat()),
            ],
        ),
        cluster_role(
            "system:aggregate-to-view",
            &["admin", "edit", "view"],
            vec![
                rule(&[""], &viewed_core, READ),
                rule(&[""], &["namespaces"], READ),
                rule(&["apps"], &apps, READ),
                rule(
                    &["autoscaling"],
                    &["horizontalpodautoscalers", "horizontalpodautoscalers/status"],
                    READ,
                ),
                rule(
                    &["batch"],
                    &["cronjobs", "cronjobs/status", "jobs", "jobs/status"],
                    READ,
                ),
                rule(&["discovery.k8s.io"], &["endpointslices"], READ),
                rule(
                    &["networking.k8s.io"],
                    &["ingresses", "ingresses/status", "networkpolicies"],
                    READ,
                ),
                rule(
                    &["policy"],
                    &["poddisruptionbudgets", "poddisruptionbudgets/status"],
                    READ,
                ),
            ],
        ),
        cluster_role(
            "kfn:aggregate-to-edit",
            &["admin", "edit"],
            vec![rule(&kfn, &["*"], &[READ, WRITE].concat())],
        ),
        cluster_role(
            "kfn:aggregate-to-view",
            &["admin", "edit", "view"],
            vec![rule(&kfn, &["*"], READ)],
        ),
    ]
}

/// The ClusterRoleBindings of the bootstrap policy.
pub fn cluster_role_bindings() -> Vec<Value> {
    vec![
        binding("cluster-admin", "cluster-admin", &["system:masters"]),
        binding("system:discovery", "system:discovery", &["system:authenticated"]),
        binding("system:basic-user", "system:basic-user", &["system:authenticated"]),
        binding(
            "system:public-info-viewer",
            "system:public-info-viewer",
            &["system:authenticated", "system:unauthenticated"],
        ),
    ]
}

/// Stores the bootstrap policy: creates what is missing, gives back to auto-updated objects
/// the rules and subjects they lack.
pub fn ensure(objects: &Objects) -> Result<(), ApiError> {
    let registry = objects.registry();
    for (plural, wanted, field) in [
        ("clusterroles", cluster_roles(), "rules"),
        ("clusterrolebindings", cluster_role_bindings(), "subjects"),
    ] {
        let def = registry
            .find(GROUP, "v1", plural)
            .ok_or_else(|| ApiError::internal(format!("no {plural} resource")))?;
        for object in wanted {
            let name = object["metadata"]["name"].as_str().unwrap_or_default().to_string();
            let Some(current) = objects.store.get(&key_of(&def, None, &name)) else {
                objects::create_object(objects, &def, None, object, false)?;
                continue;
            };
            let meta: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta =
                serde::Deserialize::deserialize(&current.value["metadata"]).unwrap_or_default();
            let autoupdate = meta.annotations.as_ref().and_then(|a| a.get(AUTOUPDATE));
            if autoupdate.is_some_and(|v| v == "false") {
                continue;
            }
            let have: Vec<Value> = current.value[field].as_array().cloned().unwrap_or_default();
            let missing: Vec<Value> = object[field]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|w| !have.contains(w))
                .cloned()
                .collect();
            if missing.is_empty() {
                continue;
            }
            objects::modify(objects, &def, None, &name, |value| {
                let mut all = have.clone();
                all.extend(missing);
                value[field] = Value::Array(all);
            })?;
        }
    }
    Ok(())
}
