//! The TokenRequest subresource (`POST .../serviceaccounts/<name>/token`, what
//! `kubectl create token` sends): a signed token for the ServiceAccount, as the real server
//! answers it (expirationSeconds defaulted to an hour, at least ten minutes; the audiences
//! defaulted to the API server's).

use std::sync::Arc;

use axum::response::Response;
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec, TokenRequestStatus};
use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::jiff::Timestamp;
use serde_json::json;

use super::{ApiError, ApiServer, ResourceRequest, json_response};
use crate::engine::auth::token::ISSUER;

const DEFAULT_SECONDS: i64 = 3600;
const MIN_SECONDS: i64 = 600;
const MAX_SECONDS: i64 = 1 << 32;

pub fn serve(server: &Arc<ApiServer>, req: &ResourceRequest) -> Result<Response, ApiError> {
    let body = super::verbs::decode_content(&req.content_type, &req.body)?;
    let given: TokenRequest = serde_json::from_value(body)
        .map_err(|e| ApiError::bad_request(format!("the request body is not a TokenRequest: {e}")))?;
    let stored = super::verbs::get_value(server, req)?;
    let account: ServiceAccount = serde_json::from_slice(&stored.json)
        .map_err(|e| ApiError::internal(format!("the stored ServiceAccount cannot be read: {e}")))?;
    let spec = given.spec.unwrap_or_default();
    let seconds = spec.expiration_seconds.unwrap_or(DEFAULT_SECONDS);
    let invalid = |detail: &str| {
        let detail = format!("Invalid value: {seconds}: {detail}");
        ApiError::new(
            422,
            "Invalid",
            format!("TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: {detail}"),
        )
        .with_details(json!({
            "group": "authentication.k8s.io",
            "kind": "TokenRequest",
            "causes": [{"reason": "FieldValueInvalid", "message": detail, "field": "spec.expirationSeconds"}],
        }))
    };
    if seconds < MIN_SECONDS {
        return Err(invalid("may not specify a duration less than 10 minutes"));
    }
    if seconds > MAX_SECONDS {
        return Err(invalid("may not specify a duration larger than 2^32 seconds"));
    }
    let audiences = match spec.audiences.clone().unwrap_or_default() {
        given if given.is_empty() => vec![ISSUER.to_string()],
        given => given,
    };
    let namespace = req.namespace.clone().unwrap_or_default();
    let name = account.metadata.name.clone().unwrap_or_default();
    let uid = account.metadata.uid.clone().unwrap_or_default();
    let (token, expires) = server.auth.issue(&namespace, &name, &uid, audiences.clone(), seconds);
    let expires = Timestamp::from_second(expires).map_err(|e| ApiError::internal(e.to_string()))?;
    let answer = TokenRequest {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: Some(namespace),
            creation_timestamp: Some(Time(Timestamp::now())),
            ..ObjectMeta::default()
        },
        spec: Some(TokenRequestSpec {
            audiences: Some(audiences),
            expiration_seconds: Some(seconds),
            ..spec
        }),
        status: Some(TokenRequestStatus {
            token: Some(token),
            expiration_timestamp: Some(Time(expires)),
        }),
    };
    let mut value = serde_json::to_value(&answer).map_err(|e| ApiError::internal(e.to_string()))?;
    value["apiVersion"] = json!("authentication.k8s.io/v1");
    value["kind"] = json!("TokenRequest");
    Ok(json_response(201, &value))
}
