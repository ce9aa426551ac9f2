//! `pods/<name>/log`: a pod's log file, with `tailLines` and `limitBytes`.

use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use http::{HeaderValue, header};

use super::{ApiError, ApiServer, ResourceRequest};
use crate::engine::store::Object;

pub fn serve(server: &Arc<ApiServer>, req: &ResourceRequest, pod: &Arc<Object>) -> Result<Response, ApiError> {
    let namespace = pod.value["metadata"]["namespace"].as_str().unwrap_or_default();
    let name = pod.value["metadata"]["name"].as_str().unwrap_or_default();
    let path = server.logs.join(namespace).join(format!("{name}.log"));
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let text = match req.query.get("tailLines").and_then(|t| t.parse::<usize>().ok()) {
        Some(n) => {
            let lines: Vec<&str> = text.lines().collect();
            let mut tail = lines[lines.len().saturating_sub(n)..].join("\n");
            if !tail.is_empty() {
                tail.push('\n');
            }
            tail
        }
        None => text,
    };
    let mut resp = Response::new(Body::from(text));
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    Ok(resp)
}
