//! The review resources that ask the API server about the requester rather than store
//! anything: `authorization.k8s.io/v1` SelfSubjectAccessReview and SelfSubjectRulesReview
//! (`kubectl auth can-i`, `can-i --list`) and `authentication.k8s.io/v1` SelfSubjectReview
//! (`kubectl auth whoami`). They are create-only and never stored. The engine has one
//! credential, its token, and that is an administrator (as a member of `system:masters` is on
//! a cluster): every action is allowed.

use axum::response::Response;
use http::Method;
use serde_json::{Value, json};

use super::{ApiError, json_response};

/// The user the engine's token authenticates as.
pub const USERNAME: &str = "kfn:local-admin";
/// Its groups: `system:masters` is what makes it an administrator on a real cluster.
pub const GROUPS: &[&str] = &["system:masters", "system:authenticated"];

/// The review resources: group, kind, plural, as discovery lists them.
pub const REVIEWS: &[(&str, &str, &str)] = &[
    (
        "authorization.k8s.io",
        "SelfSubjectAccessReview",
        "selfsubjectaccessreviews",
    ),
    (
        "authorization.k8s.io",
        "SelfSubjectRulesReview",
        "selfsubjectrulesreviews",
    ),
    ("authentication.k8s.io", "SelfSubjectReview", "selfsubjectreviews"),
];

/// The review resource a path names (`/apis/<group>/v1/<plural>`), when it is one.
pub fn find(group: &str, version: &str, plural: &str) -> Option<(&'static str, &'static str)> {
    REVIEWS
        .iter()
        .find(|(g, _, p)| *g == group && version == "v1" && *p == plural)
        .map(|(g, k, _)| (*g, *k))
}

/// Answers one request for a review resource.
/// `named` is a path with anything after the plural (a name, a namespace), which has no verb.
pub fn serve(
    group: &str,
    kind: &str,
    method: &Method,
    named: bool,
    content_type: &str,
    body: &[u8],
) -> Result<Response, ApiError> {
    if named {
        return Err(ApiError::no_route());
    }
    if method != Method::POST {
        return Err(ApiError::method_not_allowed(method.as_str()));
    }
    let mut review = super::verbs::decode_content(content_type, body)?;
    let api_version = format!("{group}/v1");
    let (given_version, given_kind) = (
        review["apiVersion"].as_str().unwrap_or(&api_version).to_string(),
        review["kind"].as_str().unwrap_or(kind).to_string(),
    );
    if given_version != api_version || given_kind != kind {
        return Err(ApiError::bad_request(format!(
            "the body is a {given_version} {given_kind}; this resource takes {api_version} {kind}"
        )));
    }
    review["apiVersion"] = json!(api_version);
    review["kind"] = json!(kind);
    if !review["metadata"].is_object() {
        review["metadata"] = json!({});
    }
    let status = match kind {
        "SelfSubjectAccessReview" => {
            let spec = &review["spec"];
            let resource = spec["resourceAttributes"].is_object();
            let non_resource = spec["nonResourceAttributes"].is_object();
            if resource == non_resource {
                // As the real server words it: its kind is blank in the message, and the
                // details name the group only.
                let detail =
                    "Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified";
                return Err(ApiError::new(
                    422,
                    "Invalid",
                    format!(".authorization.k8s.io \"\" is invalid: spec: {detail}"),
                )
                .with_details(json!({
                    "group": "authorization.k8s.io",
                    "causes": [{"reason": "FieldValueInvalid", "message": detail, "field": "spec"}],
                })));
            }
            json!({"allowed": true})
        }
        "SelfSubjectRulesReview" => json!({
            // What every authenticated user may (system:basic-user), then the administrator's `*`.
            "resourceRules": [
                {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
                    "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]},
                {"verbs": ["create"], "apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"]},
                {"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]},
            ],
            "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}],
            "incomplete": false,
        }),
        _ => {
            review["metadata"]["creationTimestamp"] = json!(
                k8s_openapi::jiff::Timestamp::now()
                    .strftime("%Y-%m-%dT%H:%M:%SZ")
                    .to_string()
            );
            json!({"userInfo": {"username": USERNAME, "groups": GROUPS}})
        }
    };
    review["status"] = status;
    Ok(json_response(201, &review))
}

/// The discovery entries of the review resources of one group/version.
pub fn discovery_entries(group: &str, version: &str) -> Vec<Value> {
    REVIEWS
        .iter()
        .filter(|(g, _, _)| *g == group && version == "v1")
        .map(|(_, kind, plural)| {
            json!({"name": plural, "singularName": kind.to_lowercase(), "namespaced": false,
                "kind": kind, "verbs": ["create"]})
        })
        .collect()
}
