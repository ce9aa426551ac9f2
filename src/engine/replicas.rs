//! The way into a function's replicas: each replica's call key (admitted by the reconciler
//! while it runs), and a request forwarded to a ready pod of a Service (round robin), bodies
//! streamed both ways, as the service proxy, the gateway, cron and messaging send them. Every
//! call passes the [`Activator`] on its way, which records it and holds it while a function
//! scaled to zero starts a replica.

pub mod pod;

pub use crate::api::POD_HEADER;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use parking_lot::RwLock;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use http::{HeaderName, HeaderValue, header};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

use crate::engine::activator::Activator;
use crate::engine::names::PORT_ANNOTATION;
use crate::engine::objects::{ApiError, Objects};
use crate::engine::store::Key;

pub struct Replicas {
    objects: Arc<Objects>,
    client: Client<HttpConnector, Body>,
    next: AtomicUsize,
    /// Each replica's call key, by port: a replica answers calls only with it, so no other
    /// process on the machine can call it past the engine (and an HTTP trigger's auth).
    keys: RwLock<HashMap<u16, HeaderValue>>,
    activator: Arc<Activator>,
}

impl Replicas {
    pub fn new(objects: Arc<Objects>) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        Replicas {
            client: Client::builder(TokioExecutor::new()).build(connector),
            next: AtomicUsize::new(0),
            keys: RwLock::default(),
            activator: Arc::new(Activator::new(objects.clone())),
            objects,
        }
    }

    /// The activator every call passes (the idle loop reads its records).
    pub fn activator(&self) -> Arc<Activator> {
        self.activator.clone()
    }

    pub fn admit(&self, port: u16, key: &str) {
        if let Ok(value) = HeaderValue::from_str(key) {
            self.keys.write().insert(port, value);
        }
    }

    pub fn forget(&self, port: u16) {
        self.keys.write().remove(&port);
    }

    fn key(&self, port: u16) -> Option<HeaderValue> {
        self.keys.read().get(&port).cloned()
    }
}

fn ready(pod: &Value) -> bool {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|c| c.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"))
}

/// The ready pods of a Service: `(pod, port)`.
fn endpoints(replicas: &Replicas, namespace: &str, name: &str) -> Result<Vec<(String, String)>, ApiError> {
    let objects = &replicas.objects;
    let svc = objects
        .store
        .get(&Key::new("/services", namespace, name))
        .ok_or_else(|| ApiError::not_found("services", "services", name))?;
    let selector = svc
        .value
        .pointer("/spec/selector")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let (pods, _) = objects.store.list("/pods", Some(namespace));
    Ok(pods
        .iter()
        .filter(|p| {
            let labels = crate::api::labels_of(&p.value);
            !selector.is_empty()
                && selector
                    .iter()
                    .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str())
                && ready(&p.value)
        })
        .filter_map(|p| {
            let port = p
                .value
                .pointer(&format!("/metadata/annotations/{}", PORT_ANNOTATION.replace('/', "~1")))?
                .as_str()?;
            Some((p.value["metadata"]["name"].as_str()?.to_string(), port.to_string()))
        })
        .collect())
}

/// Sends a request to one ready pod of a Service (in turn) at `path_and_query`, streaming the
/// bodies; the answer names the pod in [`POD_HEADER`]. A function scaled to zero (or starting)
/// is woken and the request held until a replica is ready (see [`Activator::wait`]).
pub async fn forward(
    replicas: &Replicas,
    namespace: &str,
    name: &str,
    path_and_query: &str,
    req: Request,
) -> Result<Response, ApiError> {
    let call = replicas.activator.arrive(namespace, name);
    let mut ready = endpoints(replicas, namespace, name)?;
    if ready.is_empty() {
        let look = || endpoints(replicas, namespace, name).unwrap_or_default();
        match replicas.activator.wait(namespace, name, look).await {
            Some(Ok(found)) => ready = found,
            Some(Err(answer)) => return Ok(answer),
            None => {
                return Err(ApiError::new(
                    503,
                    "ServiceUnavailable",
                    format!("no endpoints available for service \"{name}\""),
                ));
            }
        }
    }
    let (pod, port) = &ready[replicas.next.fetch_add(1, Ordering::Relaxed) % ready.len()];
    let port = port
        .parse()
        .map_err(|_| ApiError::new(503, "ServiceUnavailable", format!("pod {pod} has no port")))?;
    let resp = send(replicas, pod, port, path_and_query, req, || {
        format!("error trying to reach service \"{name}\" (pod {pod})")
    })
    .await?;
    // The call is in flight until its answer's body has been sent (or the caller went away).
    let (parts, body) = resp.into_parts();
    let body = http_body_util::BodyExt::map_frame(body, move |frame| {
        let _ = &call;
        frame
    });
    Ok(Response::from_parts(parts, Body::new(body)))
}

/// Sends a request to the replica of `pod` on `port` at `path_and_query`, with the replica's
/// call key and without the caller's credentials, bodies streamed both ways; the answer names
/// the pod in [`POD_HEADER`]. `failed` says what could not be reached.
pub(crate) async fn send(
    replicas: &Replicas,
    pod: &str,
    port: u16,
    path_and_query: &str,
    req: Request,
    failed: impl FnOnce() -> String,
) -> Result<Response, ApiError> {
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
    let forwarded = http::Request::from_parts(parts, body);
    let resp = replicas
        .client
        .request(forwarded)
        .await
        .map_err(|e| ApiError::new(503, "ServiceUnavailable", format!("{}: {e}", failed())))?;
    let (mut parts, body) = resp.into_parts();
    if let Ok(v) = HeaderValue::from_str(pod) {
        parts.headers.insert(POD_HEADER, v);
    }
    Ok(Response::from_parts(parts, Body::new(body)))
}
