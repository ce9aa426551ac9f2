//! The review resources that ask the API server about the requester rather than store
//! anything: `authorization.k8s.io/v1` SelfSubjectAccessReview and SelfSubjectRulesReview
//! (`kubectl auth can-i`, `can-i --list`) and `authentication.k8s.io/v1` SelfSubjectReview
//! (`kubectl auth whoami`). They are create-only and never stored; each answers for the
//! caller, with the engine's authorizer (src/engine/auth).

use std::sync::Arc;

use axum::response::Response;
use http::Method;
use k8s_openapi::api::authentication::v1::UserInfo;
use k8s_openapi::api::authorization::v1::{
    NonResourceRule, ResourceRule, SelfSubjectAccessReviewSpec, SelfSubjectRulesReviewSpec,
};
use serde_json::{Value, json};

use super::{ApiError, ApiServer, json_response};
use crate::engine::auth::{Attributes, User};

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
#[allow(clippy::too_many_arguments)]
pub fn serve(
    server: &Arc<ApiServer>,
    user: &User,
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
            let spec: SelfSubjectAccessReviewSpec = serde_json::from_value(spec.clone())
                .map_err(|e| ApiError::bad_request(format!("the review's spec cannot be read: {e}")))?;
            let attrs = match (spec.resource_attributes, spec.non_resource_attributes) {
                (Some(r), _) => Attributes {
                    verb: r.verb.unwrap_or_default(),
                    resource_request: true,
                    group: r.group.unwrap_or_default(),
                    version: r.version.unwrap_or_default(),
                    namespace: r.namespace.unwrap_or_default(),
                    resource: r.resource.unwrap_or_default(),
                    subresource: r.subresource.unwrap_or_default(),
                    name: r.name.unwrap_or_default(),
                    ..Attributes::default()
                },
                (None, Some(n)) => Attributes {
                    verb: n.verb.unwrap_or_default(),
                    path: n.path.unwrap_or_default(),
                    ..Attributes::default()
                },
                (None, None) => unreachable!("checked above"),
            };
            match server.auth.allowed(&server.objects, user, &attrs) {
                Ok(()) => json!({"allowed": true}),
                Err(reason) if reason.is_empty() => json!({"allowed": false}),
                Err(reason) => json!({"allowed": false, "reason": reason}),
            }
        }
        "SelfSubjectRulesReview" => {
            let spec: SelfSubjectRulesReviewSpec = serde_json::from_value(review["spec"].clone()).unwrap_or_default();
            let (rules, errors) =
                server
                    .auth
                    .rules(&server.objects, user, spec.namespace.as_deref().unwrap_or_default());
            let (mut resource_rules, mut non_resource_rules) = (Vec::new(), Vec::new());
            for rule in rules {
                match rule.non_resource_urls {
                    Some(urls) if !urls.is_empty() => non_resource_rules.push(NonResourceRule {
                        verbs: rule.verbs,
                        non_resource_urls: Some(urls),
                    }),
                    _ => resource_rules.push(ResourceRule {
                        verbs: rule.verbs,
                        api_groups: rule.api_groups,
                        resources: rule.resources,
                        resource_names: rule.resource_names,
                    }),
                }
            }
            let mut status = json!({
                "resourceRules": resource_rules,
                "nonResourceRules": non_resource_rules,
                "incomplete": !errors.is_empty(),
            });
            if !errors.is_empty() {
                status["evaluationError"] = json!(errors.join(", "));
            }
            status
        }
        _ => {
            review["metadata"]["creationTimestamp"] = json!(
                k8s_openapi::jiff::Timestamp::now()
                    .strftime("%Y-%m-%dT%H:%M:%SZ")
                    .to_string()
            );
            let info = UserInfo {
                username: Some(user.name.clone()),
                uid: Some(user.uid.clone()).filter(|u| !u.is_empty()),
                groups: Some(user.groups.clone()),
                extra: Some(user.extra.clone()).filter(|e| !e.is_empty()),
            };
            json!({ "userInfo": info })
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
