//! The Service proxy subresource,
//! `/api/v1/namespaces/<ns>/services/<name>[:<port>]/proxy/<path>`: requests go to the ready
//! pods of the Service through [`crate::engine::replicas`].

use std::sync::Arc;

use axum::extract::Request;
use axum::response::Response;

use super::{ApiError, ApiServer};

/// `(namespace, "name[:port]", path after proxy)` when a path is a service proxy request.
pub fn parse(path: &str) -> Option<(String, String, String)> {
    let rest = path.strip_prefix("/api/v1/namespaces/")?;
    let (namespace, rest) = rest.split_once('/')?;
    let rest = rest.strip_prefix("services/")?;
    let (service, rest) = rest.split_once('/')?;
    let tail = rest.strip_prefix("proxy")?;
    if !(tail.is_empty() || tail.starts_with('/')) {
        return None;
    }
    let tail = if tail.is_empty() {
        "/".to_string()
    } else {
        tail.to_string()
    };
    // The namespace and the service's `name[:port]` are decoded as the real server decodes
    // them (`hello%3A8080` is port 8080 of hello); the proxied path goes on as it was sent.
    Some((super::percent_decode(namespace), super::percent_decode(service), tail))
}

pub async fn serve(
    server: &Arc<ApiServer>,
    namespace: &str,
    service: &str,
    path: &str,
    req: Request,
) -> Result<Response, ApiError> {
    let name =
        service_name(service).ok_or_else(|| ApiError::bad_request(format!("invalid service request {service:?}")))?;
    let query = req.uri().query().map(|q| format!("?{q}")).unwrap_or_default();
    crate::engine::replicas::forward(&server.replicas, namespace, name, &format!("{path}{query}"), req).await
}

/// The Service's name in `name`, `name:port` or `scheme:name:port` (scheme `http` or
/// `https`), as the real server's SplitSchemeNamePort reads it; None for anything else.
fn service_name(id: &str) -> Option<&str> {
    let parts: Vec<&str> = id.split(':').collect();
    let (scheme, name) = match parts.as_slice() {
        [name] | [name, _] => ("", *name),
        [scheme, name, _] => (*scheme, *name),
        _ => return None,
    };
    (!name.is_empty() && ["", "http", "https"].contains(&scheme)).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names_with_scheme_and_port() {
        assert_eq!(service_name("hello"), Some("hello"));
        assert_eq!(service_name("hello:8080"), Some("hello"));
        assert_eq!(service_name("http:hello:http"), Some("hello"));
        assert_eq!(service_name("https:hello:"), Some("hello"));
        assert_eq!(service_name("ftp:hello:21"), None);
        assert_eq!(service_name(":8080"), None);
        assert_eq!(service_name("a:b:c:d"), None);
    }

    #[test]
    fn proxy_paths() {
        assert_eq!(
            parse("/api/v1/namespaces/default/services/hello:http-function-port/proxy/"),
            Some(("default".into(), "hello:http-function-port".into(), "/".into()))
        );
        assert_eq!(
            parse("/api/v1/namespaces/ns/services/hello/proxy"),
            Some(("ns".into(), "hello".into(), "/".into()))
        );
        assert_eq!(
            parse("/api/v1/namespaces/ns/services/hello/proxy/a/b"),
            Some(("ns".into(), "hello".into(), "/a/b".into()))
        );
        assert_eq!(
            parse("/api/v1/namespaces/ns/services/hello%3A8080/proxy/a%20b"),
            Some(("ns".into(), "hello:8080".into(), "/a%20b".into()))
        );
        assert_eq!(parse("/api/v1/namespaces/ns/services/hello"), None);
        assert_eq!(parse("/api/v1/namespaces/ns/services/hello/proxyx"), None);
    }
}
