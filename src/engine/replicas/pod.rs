//! The pod proxy subresource, `/api/v1/namespaces/<ns>/pods/<name>[:<port>]/proxy/<path>`, as
//! the real server has it: a request to one ready pod, bodies streamed both ways (how
//! `kfn activator --via-api-server` reaches a replica). An engine pod has one port, its
//! replica's, whatever port the request names.

use axum::extract::Request;
use axum::response::Response;
use serde_json::Value;

use super::{Replicas, ready};
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
    super::send(replicas, pod, port, path_and_query, req, || {
        format!("error trying to reach pod \"{pod}\"")
    })
    .await
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
