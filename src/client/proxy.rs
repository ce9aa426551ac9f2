//! Calls to a function through the API server's service proxy
//! (`/api/v1/namespaces/<ns>/services/<name>:<port>/proxy/…`), with the event headers Kubeless
//! sends.

use k8s_openapi::api::core::v1::Service;
use kube::api::Api;

use super::{Connection, Error, Result};

/// A function's Service, reached through the API server.
pub struct ServiceProxy<'a> {
    conn: &'a Connection,
    namespace: String,
    name: String,
    port: String,
}

/// What a function answered.
pub struct Answer {
    pub status: http::StatusCode,
    pub headers: http::HeaderMap,
    pub body: Vec<u8>,
}

/// One call of a function: the request line and body `kfn function call` sends.
#[derive(Clone, Debug, Default)]
pub struct Call {
    /// `GET`, `POST`, …; default: GET without data, POST with it.
    pub method: Option<String>,
    pub path: String,
    /// The query string, with or without its leading `?`.
    pub query: Option<String>,
    pub data: Option<Vec<u8>>,
    /// Extra headers; a `Content-Type` among them replaces the one sniffed from the data.
    pub headers: Vec<(String, String)>,
}

impl<'a> ServiceProxy<'a> {
    /// The proxy of function `name`'s Service; `Error::NotFound` when there is no such Service.
    pub async fn find(conn: &'a Connection, namespace: &str, name: &str) -> Result<ServiceProxy<'a>> {
        let services: Api<Service> = Api::namespaced(conn.client.clone(), namespace);
        let svc = match services.get_opt(name).await {
            Ok(Some(s)) => s,
            Ok(None) => {
                return Err(Error::not_found(
                    format!("service {namespace}/{name}"),
                    format!(
                        "Unable to find the service for {name} in namespace {namespace}; is the function deployed? (`kfn function ls`)"
                    ),
                ));
            }
            Err(e) => return Err(conn.explain(e)),
        };
        let port = port_segment(&svc).ok_or_else(|| Error::failed(format!("the service {name} has no port")))?;
        Ok(ServiceProxy {
            conn,
            namespace: namespace.to_string(),
            name: name.to_string(),
            port,
        })
    }

    /// The proxy URI of `path` (with or without its leading slash) and `query`.
    pub fn uri(&self, path: &str, query: Option<&str>) -> String {
        proxy_uri(&self.namespace, &self.name, &self.port, path, query)
    }

    /// Sends `call` with the event headers and returns the answer, whatever its status.
    pub async fn call(&self, call: &Call) -> Result<Answer> {
        let req = request(
            &self.uri(&call.path, call.query.as_deref()),
            call,
            &event_id(),
            &event_time(),
        )?;
        let resp = self.conn.client.send(req).await.map_err(|e| self.conn.explain(e))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp
            .into_body()
            .collect_bytes()
            .await
            .map_err(|e| self.conn.explain(e))?
            .to_vec();
        Ok(Answer { status, headers, body })
    }

    /// A GET of `path` whose answer is text (`/metrics`).
    pub async fn get_text(&self, path: &str) -> Result<String> {
        let req = http::Request::get(self.uri(path, None))
            .body(Vec::new())
            .map_err(|e| Error::failed(format!("the request cannot be built: {e}")))?;
        self.conn
            .client
            .request_text(req)
            .await
            .map_err(|e| self.conn.explain(e))
    }
}

/// The Service port segment of proxy paths: the port's name, else its number.
pub fn port_segment(svc: &Service) -> Option<String> {
    let port = svc.spec.as_ref()?.ports.as_ref()?.first()?;
    Some(
        port.name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| port.port.to_string()),
    )
}

fn proxy_uri(namespace: &str, name: &str, port: &str, path: &str, query: Option<&str>) -> String {
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    let query = query
        .map(|q| format!("?{}", q.trim_start_matches('?')))
        .unwrap_or_default();
    format!("/api/v1/namespaces/{namespace}/services/{name}:{port}/proxy{path}{query}")
}

pub use crate::api::event::{content_type, event_id};

fn event_time() -> String {
    k8s_openapi::jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The HTTP request of `call` at `uri`, with the CLI's event headers.
fn request(uri: &str, call: &Call, id: &str, time: &str) -> Result<http::Request<kube::client::Body>> {
    let method = call
        .method
        .clone()
        .unwrap_or_else(|| if call.data.is_some() { "POST" } else { "GET" }.into())
        .to_uppercase();
    let mut req = http::Request::builder()
        .method(method.as_str())
        .uri(uri)
        .header("event-id", id)
        .header("event-time", time)
        .header("event-namespace", "cli.kubeless.io");
    if let Some(d) = &call.data {
        let kind = content_type(d);
        if !call.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
            req = req.header("content-type", kind);
        }
        req = req.header("event-type", kind);
    }
    for (k, v) in &call.headers {
        req = req.header(k.as_str(), v.as_str());
    }
    req.body(kube::client::Body::from(call.data.clone().unwrap_or_default()))
        .map_err(|e| Error::failed(format!("the request cannot be built: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_are_15_url_safe_characters() {
        let id = event_id();
        assert_eq!(id.len(), 15);
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn proxy_uris_name_the_port_and_keep_path_and_query() {
        assert_eq!(
            proxy_uri("ns", "f", "http-function-port", "a/b", Some("?x=1")),
            "/api/v1/namespaces/ns/services/f:http-function-port/proxy/a/b?x=1"
        );
        assert_eq!(
            proxy_uri("ns", "f", "8080", "/", None),
            "/api/v1/namespaces/ns/services/f:8080/proxy/"
        );
    }

    #[test]
    fn data_decides_method_and_content_type_unless_a_header_does() {
        let call = Call {
            path: "/".into(),
            data: Some(br#"{"a":1}"#.to_vec()),
            ..Default::default()
        };
        let req = request("/x", &call, "id", "t").unwrap();
        assert_eq!(req.method(), "POST");
        assert_eq!(req.headers()["content-type"], "application/json");
        assert_eq!(req.headers()["event-type"], "application/json");
        assert_eq!(req.headers()["event-namespace"], "cli.kubeless.io");
        let call = Call {
            data: Some(b"plain".to_vec()),
            headers: vec![("Content-Type".into(), "text/plain".into())],
            ..call
        };
        let req = request("/x", &call, "id", "t").unwrap();
        assert_eq!(req.headers()["content-type"], "text/plain");
        assert_eq!(req.headers()["event-type"], "application/x-www-form-urlencoded");
        let req = request("/x", &Call::default(), "id", "t").unwrap();
        assert_eq!(req.method(), "GET");
        assert!(req.headers().get("event-type").is_none());
    }
}
