//! `kfn activator`: holds the calls of functions at zero on clusters. While a function is at
//! zero, the controller points its Service at the activator's pods on a port of its own (the
//! [`crate::render::cluster::ACTIVATOR_PORT_ANNOTATION`] of the Service says which): the port a request arrives on says
//! which function it is for, whatever way it came in (the service proxy, an Ingress, a CronJob's
//! curl, the controller's NATS and Kafka consumers), since none of them reliably says so in a
//! Host header. For each such port the activator listens; a request is held (at most
//! `queue` per function, more get 503 with `Retry-After`), the function's Deployment is scaled
//! to 1 through its scale subresource, and once one of its pods is ready the request is
//! forwarded to it, bodies streamed, as is every request that arrived meanwhile. A request held
//! longer than the function's timeout gets the runtime's timeout answer (408). The activator
//! reports the calls it saw in the [`LAST_CALL_ANNOTATION`] of the function's Service (which
//! the controller reads, so it knows a call woke the function) and on `/metrics`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use http::{HeaderName, StatusCode, header};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ObjectReference, Pod, Service};
use kube::api::{Api, ListParams, Patch, PatchParams};
use kube::runtime::reflector::{self, Store};
use kube::runtime::{WatchStreamExt, watcher};
use parking_lot::Mutex;
use serde_json::json;

use crate::api::kinds::Function;
use crate::client::kubeless;
use crate::render::cluster::LAST_CALL_ANNOTATION;

/// The field manager of what the activator writes.
pub const MANAGER: &str = "kfn-activator";
/// The default bound of calls held per function.
pub const DEFAULT_QUEUE: usize = 100;
/// What a call held longer than the function's timeout gets (the runtime's own words).
pub const TIMEOUT_TEXT: &str = "Timeout while processing the function";
/// How often the activator looks for a ready pod, and reports calls it holds.
const POLL: Duration = Duration::from_millis(500);
const REPORT_EVERY: Duration = Duration::from_secs(2);
/// The largest request body forwarded through the API server (`--via-api-server`).
const MAX_PROXIED_BODY: usize = 16 << 20;

/// How the activator runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// Calls held per function; more get 503 with `Retry-After`.
    pub queue: usize,
    /// The address the function ports are served on.
    pub address: IpAddr,
    /// Port of `/healthz` and `/metrics`.
    pub metrics_port: u16,
    /// Forward through the API server's `pods/<pod>:<port>/proxy` instead of to the pod's
    /// address (for an activator outside the pod network; it needs `pods/proxy` then).
    pub via_api_server: bool,
    /// Functions held on a fixed port whatever their Service says: (namespace, name, port).
    pub hold: Vec<(String, String, u16)>,
}

/// A function's ready pod: its name, address and port.
#[derive(Clone, Debug)]
struct Endpoint {
    pod: String,
    ip: String,
    port: u16,
}

/// One function the activator holds calls for.
struct Held {
    namespace: String,
    name: String,
    /// The port its pods listen on (the Service's first targetPort).
    target_port: std::sync::atomic::AtomicU16,
    waiting: AtomicUsize,
    calls: AtomicU64,
    rejected: AtomicU64,
    timeouts: AtomicU64,
    next: AtomicUsize,
    waking: AtomicBool,
    endpoints: tokio::sync::watch::Sender<Vec<Endpoint>>,
    reported: Mutex<Option<Instant>>,
    timeout: Mutex<Option<(Instant, Duration)>>,
}

/// Counts a call as waiting while it lives.
struct Waiting(Arc<Held>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::SeqCst);
    }
}

struct Activator {
    client: kube::Client,
    options: Options,
    held: Mutex<HashMap<(String, String), Arc<Held>>>,
    http: Client<HttpConnector, Body>,
    events: super::events::Recorder,
}

impl Activator {
    fn held(&self, namespace: &str, name: &str) -> Arc<Held> {
        self.held
            .lock()
            .entry((namespace.to_string(), name.to_string()))
            .or_insert_with(|| {
                Arc::new(Held {
                    namespace: namespace.to_string(),
                    name: name.to_string(),
                    target_port: Default::default(),
                    waiting: AtomicUsize::new(0),
                    calls: AtomicU64::new(0),
                    rejected: AtomicU64::new(0),
                    timeouts: AtomicU64::new(0),
                    next: AtomicUsize::new(0),
                    waking: AtomicBool::new(false),
                    endpoints: tokio::sync::watch::Sender::new(Vec::new()),
                    reported: Mutex::new(None),
                    timeout: Mutex::new(None),
                })
            })
            .clone()
    }

    /// The function's timeout (read again at most every 30 s).
    async fn timeout(&self, held: &Held) -> Duration {
        if let Some((at, t)) = *held.timeout.lock()
            && at.elapsed() < Duration::from_secs(30)
        {
            return t;
        }
        let api = kubeless::api_for(&self.client, &held.namespace, "Function");
        let seconds = match api.get(&held.name).await {
            Ok(obj) => crate::api::kinds::from_object::<Function>(&kubeless::to_value(&obj))
                .ok()
                .and_then(|f| f.spec.timeout.seconds().ok()),
            Err(e) => {
                tracing::warn!("cannot get Function {}/{}: {e}", held.namespace, held.name);
                None
            }
        };
        let t = Duration::from_secs(seconds.unwrap_or(crate::api::kinds::DEFAULT_TIMEOUT_SECONDS));
        *held.timeout.lock() = Some((Instant::now(), t));
        t
    }

    /// Writes when a call was last seen for the function on its Service (at most every
    /// [`REPORT_EVERY`], unless `now`).
    async fn report(&self, held: &Held, now: bool) {
        {
            let mut reported = held.reported.lock();
            if !now && reported.is_some_and(|at| at.elapsed() < REPORT_EVERY) {
                return;
            }
            *reported = Some(Instant::now());
        }
        let api: Api<Service> = Api::namespaced(self.client.clone(), &held.namespace);
        let patch = json!({"metadata": {"annotations": {LAST_CALL_ANNOTATION: crate::api::now()}}});
        let params = PatchParams {
            field_manager: Some(MANAGER.into()),
            ..Default::default()
        };
        if let Err(e) = api.patch(&held.name, &params, &Patch::Merge(&patch)).await {
            tracing::warn!("cannot report a call of {}/{}: {e}", held.namespace, held.name);
        }
    }

    /// Starts the wake-up of a function unless one runs.
    fn wake(self: &Arc<Self>, held: &Arc<Held>) {
        if held.waking.swap(true, Ordering::SeqCst) {
            return;
        }
        let (me, held) = (self.clone(), held.clone());
        tokio::spawn(async move {
            loop {
                me.waking_round(&held).await;
                if held.waiting.load(Ordering::SeqCst) > 0 {
                    tokio::time::sleep(POLL).await;
                    continue;
                }
                held.waking.store(false, Ordering::SeqCst);
                // A call that came in as the round ended is not left waiting.
                if held.waiting.load(Ordering::SeqCst) == 0 || held.waking.swap(true, Ordering::SeqCst) {
                    break;
                }
            }
        });
    }

    /// Reports the calls held, scales the Deployment to 1 when it is at 0, and publishes the
    /// function's ready pods.
    async fn waking_round(&self, held: &Held) {
        let deployments: Api<Deployment> = Api::namespaced(self.client.clone(), &held.namespace);
        let selector = match deployments.get_scale(&held.name).await {
            Ok(scale) => {
                // A Scale at zero leaves `replicas` out (omitempty).
                if scale.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0) == 0 {
                    self.scale_up(held, &deployments).await;
                }
                scale.status.and_then(|s| s.selector).filter(|s| !s.is_empty())
            }
            Err(e) => {
                tracing::warn!(
                    "cannot get the scale of Deployment {}/{}: {e}",
                    held.namespace,
                    held.name
                );
                None
            }
        };
        // Reported after the scale-up: the controller, seeing the call, finds a replica asked for.
        self.report(held, false).await;
        let selector = selector.unwrap_or_else(|| format!("created-by=kubeless,function={}", held.name));
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), &held.namespace);
        match pods.list(&ListParams::default().labels(&selector)).await {
            Ok(list) => {
                let port = held.target_port.load(Ordering::Relaxed);
                let ready: Vec<Endpoint> = list.items.iter().filter_map(|p| endpoint(p, port)).collect();
                held.endpoints.send_replace(ready);
            }
            Err(e) => tracing::warn!("cannot list the pods of {}/{}: {e}", held.namespace, held.name),
        }
    }

    async fn scale_up(&self, held: &Held, deployments: &Api<Deployment>) {
        let params = PatchParams {
            field_manager: Some(MANAGER.into()),
            ..Default::default()
        };
        let patch = Patch::Merge(json!({"spec": {"replicas": 1}}));
        match deployments.patch_scale(&held.name, &params, &patch).await {
            Ok(_) => {
                tracing::info!("a call woke {}/{}: Deployment scaled to 1", held.namespace, held.name);
                let function = ObjectReference {
                    api_version: Some("kubeless.io/v1beta1".into()),
                    kind: Some("Function".into()),
                    name: Some(held.name.clone()),
                    namespace: Some(held.namespace.clone()),
                    ..Default::default()
                };
                let message = "a call woke it: the activator scaled its Deployment to 1";
                if let Err(e) = self.events.normal(function, "Activated", message).await {
                    tracing::warn!("cannot record an Event on {}/{}: {e}", held.namespace, held.name);
                }
            }
            Err(e) => tracing::warn!("cannot scale Deployment {}/{} to 1: {e}", held.namespace, held.name),
        }
    }

    /// Forwards a call to one of the function's ready pods, bodies streamed.
    async fn forward(&self, held: &Held, to: Endpoint, req: Request) -> Response {
        let (mut parts, body) = req.into_parts();
        for h in [
            header::HOST,
            header::CONNECTION,
            header::UPGRADE,
            HeaderName::from_static("keep-alive"),
            header::TRANSFER_ENCODING,
        ] {
            parts.headers.remove(h);
        }
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
            .to_string();
        if self.options.via_api_server {
            parts.headers.remove(header::AUTHORIZATION);
            let body = match axum::body::to_bytes(body, MAX_PROXIED_BODY).await {
                Ok(b) => b,
                Err(e) => {
                    return plain(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        &format!("cannot read the request body: {e}"),
                    );
                }
            };
            let uri = format!(
                "/api/v1/namespaces/{}/pods/{}:{}/proxy{path}",
                held.namespace, to.pod, to.port
            );
            let Ok(uri) = uri.parse() else {
                return plain(
                    StatusCode::BAD_REQUEST,
                    &format!("the path {path:?} cannot be forwarded"),
                );
            };
            parts.uri = uri;
            let req = http::Request::from_parts(parts, kube::client::Body::from(body));
            return match self.client.send(req).await {
                Ok(resp) => resp.map(Body::new).into_response(),
                Err(e) => plain(
                    StatusCode::BAD_GATEWAY,
                    &format!("cannot reach pod {} of {}/{}: {e}", to.pod, held.namespace, held.name),
                ),
            };
        }
        let host = if to.ip.contains(':') {
            format!("[{}]", to.ip)
        } else {
            to.ip.clone()
        };
        let Ok(uri) = format!("http://{host}:{}{path}", to.port).parse() else {
            return plain(
                StatusCode::BAD_REQUEST,
                &format!("the path {path:?} cannot be forwarded"),
            );
        };
        parts.uri = uri;
        match self.http.request(http::Request::from_parts(parts, body)).await {
            Ok(resp) => resp.map(Body::new).into_response(),
            Err(e) => plain(
                StatusCode::BAD_GATEWAY,
                &format!("cannot reach pod {} of {}/{}: {e}", to.pod, held.namespace, held.name),
            ),
        }
    }
}

/// A ready pod's endpoint: its address and the function's port.
fn endpoint(pod: &Pod, port: u16) -> Option<Endpoint> {
    let status = pod.status.as_ref()?;
    let ready = status
        .conditions
        .iter()
        .flatten()
        .any(|c| c.type_ == "Ready" && c.status == "True");
    if !ready || pod.metadata.deletion_timestamp.is_some() {
        return None;
    }
    Some(Endpoint {
        pod: pod.metadata.name.clone()?,
        ip: status.pod_ip.clone()?,
        port,
    })
}

fn plain(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{text}\n"),
    )
        .into_response()
}

/// One call on a function's activator port.
async fn hold(State((me, held)): State<(Arc<Activator>, Arc<Held>)>, req: Request) -> Response {
    held.calls.fetch_add(1, Ordering::Relaxed);
    let queue = me.options.queue;
    if held.waiting.fetch_add(1, Ordering::SeqCst) >= queue {
        held.waiting.fetch_sub(1, Ordering::SeqCst);
        held.rejected.fetch_add(1, Ordering::Relaxed);
        let text = format!(
            "function {}/{} is starting and {queue} calls already wait for it (the activator's queue); retry later",
            held.namespace, held.name
        );
        let mut resp = plain(StatusCode::SERVICE_UNAVAILABLE, &text);
        resp.headers_mut()
            .insert(header::RETRY_AFTER, http::HeaderValue::from_static("1"));
        return resp;
    }
    let waiting = Waiting(held.clone());
    let timeout = me.timeout(&held).await;
    let deadline = tokio::time::Instant::now() + timeout;
    me.wake(&held);
    let mut endpoints = held.endpoints.subscribe();
    let to = match tokio::time::timeout_at(deadline, endpoints.wait_for(|e| !e.is_empty())).await {
        Ok(Ok(eps)) => eps[held.next.fetch_add(1, Ordering::Relaxed) % eps.len()].clone(),
        _ => {
            held.timeouts.fetch_add(1, Ordering::Relaxed);
            return plain(StatusCode::REQUEST_TIMEOUT, TIMEOUT_TEXT);
        }
    };
    let resp = me.forward(&held, to, req).await;
    drop(waiting);
    resp
}

/// The Prometheus text of the activator's counts, per function.
fn metrics(me: &Activator) -> String {
    let mut out = String::from(
        "# TYPE kfn_activator_calls_total counter\n# TYPE kfn_activator_waiting gauge\n# TYPE kfn_activator_rejected_total counter\n# TYPE kfn_activator_timeouts_total counter\n",
    );
    let mut held: Vec<Arc<Held>> = me.held.lock().values().cloned().collect();
    held.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    for h in held {
        let labels = format!("{{namespace=\"{}\",function=\"{}\"}}", h.namespace, h.name);
        out.push_str(&format!(
            "kfn_activator_calls_total{labels} {}\nkfn_activator_waiting{labels} {}\nkfn_activator_rejected_total{labels} {}\nkfn_activator_timeouts_total{labels} {}\n",
            h.calls.load(Ordering::Relaxed),
            h.waiting.load(Ordering::SeqCst),
            h.rejected.load(Ordering::Relaxed),
            h.timeouts.load(Ordering::Relaxed),
        ));
    }
    out
}

/// A function's port the activator serves: which function, and how to stop serving it.
struct Listening {
    function: (String, String),
    stop: tokio::sync::oneshot::Sender<()>,
}

/// The functions at the activator now: port → (namespace, name, target port).
fn wanted(services: &Store<Service>, fixed: &[(String, String, u16)]) -> HashMap<u16, (String, String, u16)> {
    let all = services.state();
    let target = |ns: &str, name: &str| {
        all.iter()
            .find(|s| s.metadata.namespace.as_deref() == Some(ns) && s.metadata.name.as_deref() == Some(name))
            .and_then(|s| target_port(s))
            .unwrap_or(crate::api::kinds::DEFAULT_PORT as u16)
    };
    let mut out: HashMap<u16, (String, String, u16)> = all
        .iter()
        .filter_map(|s| {
            let port = super::zero::port_of(s)?;
            let target = target_port(s).unwrap_or(crate::api::kinds::DEFAULT_PORT as u16);
            Some((port, (s.metadata.namespace.clone()?, s.metadata.name.clone()?, target)))
        })
        .collect();
    for (ns, name, port) in fixed {
        out.insert(*port, (ns.clone(), name.clone(), target(ns, name)));
    }
    out
}

/// The port a Service's first port targets (a number; a named one reads as its port).
fn target_port(s: &Service) -> Option<u16> {
    s.spec
        .as_ref()
        .and_then(|spec| spec.ports.as_ref()?.first().cloned())
        .map(|p| match p.target_port {
            Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(t)) => t,
            _ => p.port,
        })
        .and_then(|t| u16::try_from(t).ok())
}

/// Runs the activator until SIGTERM or SIGINT.
pub async fn run(client: kube::Client, options: Options) -> anyhow::Result<()> {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let me = Arc::new(Activator {
        client: client.clone(),
        options: options.clone(),
        held: Mutex::new(HashMap::new()),
        http: Client::builder(TokioExecutor::new()).build(connector),
        events: super::events::Recorder::new(client.clone(), MANAGER),
    });
    let writer = reflector::store::Writer::<Service>::default();
    let services = writer.as_reader();
    let config = watcher::Config::default().labels("created-by=kubeless");
    let stream =
        reflector::reflector(writer, watcher::watcher(Api::<Service>::all(client.clone()), config)).default_backoff();
    tokio::spawn(stream.for_each(|r| async move {
        if let Err(e) = r {
            tracing::warn!("watch of Services failed (retrying): {e}");
        }
    }));
    let health = {
        let me = me.clone();
        axum::Router::new()
            .route("/healthz", axum::routing::get(|| async { "ok" }))
            .route(
                "/metrics",
                axum::routing::get(move || {
                    let me = me.clone();
                    async move { metrics(&me) }
                }),
            )
    };
    let listener = tokio::net::TcpListener::bind((options.address, options.metrics_port))
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on port {} (--metrics-port): {e}", options.metrics_port))?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, health).await;
    });
    tracing::info!("kfn activator started; metrics on port {}", options.metrics_port);
    let mut listening: HashMap<u16, Listening> = HashMap::new();
    let mut refused: HashMap<u16, String> = HashMap::new();
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        let want = wanted(&services, &options.hold);
        listening.retain(|port, l| {
            let keep = want
                .get(port)
                .is_some_and(|(ns, name, _)| l.function == (ns.clone(), name.clone()));
            if !keep {
                tracing::info!("{}/{} left the activator (port {port})", l.function.0, l.function.1);
            }
            keep
        });
        for (port, (ns, name, target)) in want {
            let held = me.held(&ns, &name);
            held.target_port.store(target, Ordering::Relaxed);
            if listening.contains_key(&port) {
                continue;
            }
            let tcp = match tokio::net::TcpListener::bind((options.address, port)).await {
                Ok(l) => l,
                Err(e) => {
                    let why = e.to_string();
                    if refused.get(&port) != Some(&why) {
                        tracing::warn!("cannot listen on port {port} for {ns}/{name}: {why}");
                        refused.insert(port, why);
                    }
                    continue;
                }
            };
            refused.remove(&port);
            tracing::info!("holding calls of {ns}/{name} on port {port}");
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let router = axum::Router::new().fallback(hold).with_state((me.clone(), held));
            tokio::spawn(async move {
                let _ = axum::serve(tcp, router)
                    .with_graceful_shutdown(async move {
                        let _ = stopped.await;
                    })
                    .await;
            });
            listening.insert(
                port,
                Listening {
                    function: (ns, name),
                    stop,
                },
            );
        }
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tokio::time::sleep(POLL) => {}
        }
    }
    for (_, l) in listening.drain() {
        let _ = l.stop.send(());
    }
    Ok(())
}

/// SIGTERM or SIGINT.
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pod_is_an_endpoint_only_when_ready_with_an_address() {
        let pod = |ready: &str, ip: Option<&str>| -> Pod {
            serde_json::from_value(json!({"metadata": {"name": "p"}, "status": {
                "podIP": ip, "conditions": [{"type": "Ready", "status": ready}]}}))
            .unwrap()
        };
        assert!(endpoint(&pod("False", Some("10.0.0.1")), 8080).is_none());
        assert!(endpoint(&pod("True", None), 8080).is_none());
        let e = endpoint(&pod("True", Some("10.0.0.1")), 8080).unwrap();
        assert_eq!((e.pod.as_str(), e.ip.as_str(), e.port), ("p", "10.0.0.1", 8080));
    }
}
