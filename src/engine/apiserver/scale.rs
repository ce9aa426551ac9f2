//! The `scale` subresource: an autoscaling/v1 Scale view of `spec.replicas`.

use std::sync::Arc;

use axum::response::Response;
use http::Method;
use serde_json::{Value, json};

use super::patch::{self, PATCH_TYPES, PatchKind};
use super::verbs::{decode, dry_run, get_value};
use super::{ApiError, ApiServer, ResourceRequest, json_response};
use crate::engine::objects::{comparable, keep_server_fields, key_of};
use crate::engine::store::Mutation;
use crate::engine::store::Outcome;

/// The `scale` subresource: an autoscaling/v1 Scale view of `spec.replicas`.
pub fn serve(server: &Arc<ApiServer>, req: &ResourceRequest) -> Result<Response, ApiError> {
    let name = req.name.as_deref().unwrap_or_default();
    let key = key_of(&req.def, req.namespace.as_deref(), name);
    let view = |o: &Value| {
        let mut scale = json!({
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {"name": o["metadata"]["name"], "namespace": o["metadata"]["namespace"], "uid": o["metadata"]["uid"],
                "resourceVersion": o["metadata"]["resourceVersion"], "creationTimestamp": o["metadata"]["creationTimestamp"]},
            "spec": {"replicas": o.pointer("/spec/replicas").cloned().unwrap_or(json!(1))},
            "status": {"replicas": o.pointer("/status/replicas").cloned().unwrap_or(json!(0)),
                "selector": o.pointer("/spec/selector/matchLabels").and_then(Value::as_object)
                    .map(|m| m.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default())).collect::<Vec<_>>().join(","))
                    .unwrap_or_default()},
        });
        // autoscaling/v1's Go types omit a zero `spec.replicas` and an empty selector (a custom
        // resource whose CRD has no labelSelectorPath has none).
        if scale["spec"]["replicas"] == json!(0) {
            scale["spec"] = json!({});
        }
        if scale["status"]["selector"] == json!("") {
            scale["status"].as_object_mut().map(|m| m.remove("selector"));
        }
        scale
    };
    if req.method == Method::GET {
        return Ok(json_response(200, &view(&get_value(server, req)?.value)));
    }
    let body: Value = decode(&req.body, false)?;
    let outcome = server.objects.mutate(&req.def, &key, dry_run(req), |current| {
        let current = current.ok_or_else(|| ApiError::not_found(&req.def.qualified(), &req.def.plural, name))?;
        let mut scale = view(&current.value);
        if req.method == Method::PUT {
            scale = body.clone();
        } else {
            match PatchKind::from_content_type(&req.content_type) {
                Some(PatchKind::Json) => {
                    patch::json_patch(&mut scale, &body).map_err(|e| ApiError::new(422, "Invalid", e))?
                }
                Some(PatchKind::Merge | PatchKind::Apply) => patch::merge_patch(&mut scale, &body),
                Some(PatchKind::Strategic) => patch::strategic_merge(&mut scale, &body),
                None => return Err(ApiError::unsupported_media_type(&req.content_type, PATCH_TYPES)),
            }
        }
        // An absent `spec.replicas` is zero, as Go reads it.
        let replicas = scale
            .pointer("/spec/replicas")
            .map_or(Some(0), Value::as_i64)
            .filter(|r| *r >= 0)
            .ok_or_else(|| {
                ApiError::invalid(
                    "Scale",
                    name,
                    "spec.replicas",
                    format!(
                        "Invalid value: {}: must be greater than or equal to 0",
                        scale["spec"]["replicas"]
                    ),
                )
            })?;
        let mut next = current.value.clone();
        next["spec"]["replicas"] = json!(replicas);
        if comparable(&next) == comparable(&current.value) {
            return Ok(Mutation::Keep);
        }
        keep_server_fields(&req.def, &mut next, &current.value);
        Ok(Mutation::Put(next))
    })?;
    match outcome {
        Outcome::Created(o) | Outcome::Updated(o) | Outcome::Unchanged(Some(o)) | Outcome::Deleted(o) => {
            Ok(json_response(200, &view(&o.value)))
        }
        Outcome::Unchanged(None) => Err(ApiError::not_found(&req.def.qualified(), &req.def.plural, name)),
    }
}
