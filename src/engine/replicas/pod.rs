//! The pod proxy subresource, `/api/v1/namespaces/<ns>/pods/<name>[:<port>]/proxy/<path>`, as
//! the real server has it: a request to one ready pod, bodies streamed both ways (how
//! `kfn activator --via-api-server` reaches a replica). An engine pod has one port, its
//! replica's, whatever port the request names.

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use http::{HeaderName, HeaderValue, header};
use serde_json::Value;

use super::{POD_HEADER, Replicas, ready};
use crate::engine::names::PORT_ANNOTATION;
use crate::engine::objects::ApiError;
use crate::engine::store::Key;

/// `(namespace, pod, path after proxy)` when a path is a pod proxy request.
pub fn parse(path: &str) -> Option<(String, String, String)> {
    let rest = path.strip_prefix("/api/v1/namespaces/")?;
    let (namespace, rest) = rest.split_once('/')?;
    let (pod, rest) = rest.strip_prefix("pods/")?.split_once('/')?;
    let tail = rest.strip_prefix("proxy")?;
    if !(tail.is_empty() || tail.starts_with('/')) {
        return None;
    }
    let pod = pod.split(':').next().filter(|p| !p.is_empty())?;
    let tail = if tail.is_empty() { "/" } else { tail };
    Some((namespace.to_string(), pod.to_string(), tail.to_string()))
}

/// Sends a request to the pod at `path_and_query`; 404 for a pod that is not there, 503 for
/// one that is not ready.
pub async fn forward(
    replicas: &Replicas,
    namespace: &str,
    pod: &str,
    path_and_query: &str,
    req: Request,
) -> Result<Response, ApiError> {
    let obj = replicas
        .objects
        .store
        .get(&Key::new("/pods", namespace, pod))
        .ok_or_else(|| ApiError::not_found("pods", "pods", pod))?;
    let port = obj
        .value
        .pointer(&format!("/metadata/annotations/{}", PORT_ANNOTATION.replace('/', "~1")))
        .and_then(Value::as_str)
        .and_then(|p| p.parse::<u16>().ok())
        .filter(|_| ready(&obj.value))
        .ok_or_else(|| ApiError::new(503, "ServiceUnavailable", format!("pod \"{pod}\" is not ready")))?;
    let uri: http::Uri = format!("http://127.0.0.1:{port}{path_and_query}")
        .parse()
        .map_err(|e| ApiError::bad_request(format!("the proxied path is not valid: {e}")))?;
    let (mut parts, body) = req.into_parts();
    parts.uri = uri;
    for h in [
        header::AUTHORIZATION,
        header::HOST,
        header::CONNECTION,
        header::UPGRADE,
        HeaderName::from_static("keep-alive"),
    ] {
        parts.headers.remove(h);
    }
    parts.headers.remove(crate::runtime::CALL_KEY_HEADER);
    if let Some(key) = replicas.key(port) {
        parts.headers.insert(crate::runtime::CALL_KEY_HEADER, key);
    }
    let resp = replicas
        .client
        .request(http::Request::from_parts(parts, body))
        .await
        .map_err(|e| {
            ApiError::new(
                503,
                "ServiceUnavailable",
                format!("error trying to reach pod \"{pod}\": {e}"),
            )
        })?;
    let (mut parts, body) = resp.into_parts();
    if let Ok(v) = HeaderValue::from_str(pod) {
        parts.headers.insert(POD_HEADER, v);
    }
    Ok(Response::from_parts(parts, Body::new(body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_proxy_paths() {
        assert_eq!(
            parse("/api/v1/namespaces/default/pods/hello-1:8080/proxy/x/y"),
            Some(("default".into(), "hello-1".into(), "/x/y".into()))
        );
        assert_eq!(
            parse("/api/v1/namespaces/default/pods/hello-1/proxy"),
            Some(("default".into(), "hello-1".into(), "/".into()))
        );
        assert_eq!(parse("/api/v1/namespaces/default/pods/hello-1/log"), None);
        assert_eq!(parse("/api/v1/namespaces/default/services/hello/proxy/"), None);
    }
}
