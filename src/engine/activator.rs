//! The activator: every call into a function passes here on its way to a replica (see
//! [`crate::engine::replicas::forward`]). It records each call (its time into the function's
//! idle times, and the calls in flight) for the idle loop's policy, and it holds a call for a
//! function scaled to zero (or starting) while a replica starts: the Deployment is set to one
//! replica, and the call waits, woken by every change to the namespace's Pods, until a replica
//! is ready. A function's waiting calls are bounded ([`QUEUE_ENV`]); a call that waits longer
//! than the function's timeout gets the answer a call that times out in the runtime gets.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Body;
use axum::response::Response;
use http::{HeaderValue, StatusCode, header};
use parking_lot::Mutex;
use serde_json::{Value, json};

use crate::api::kinds::Function;
use crate::engine::objects::{self, Objects};
use crate::engine::store::Key;
use crate::scaling::{IdleTimes, Settings};

/// The environment setting of how many calls may wait for one function's first replica.
pub const QUEUE_ENV: &str = "KFN_ACTIVATOR_QUEUE";
/// Waiting calls per function when [`QUEUE_ENV`] does not say.
pub const DEFAULT_QUEUE: usize = 100;
/// What a call refused for a full queue is told to wait before it tries again.
const RETRY_AFTER_SECONDS: u64 = 1;

const FUNCTIONS: &str = "kubeless.io/functions";
const DEPLOYMENTS: &str = "apps/deployments";
const PODS: &str = "/pods";

/// Now, as the scaling policy counts time: since the Unix epoch.
pub fn now() -> Duration {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
}

/// What the activator knows of one function's calls.
struct Calls {
    idle: Mutex<IdleTimes>,
    in_flight: AtomicUsize,
    waiting: AtomicUsize,
    /// Set when a call took the function from zero; the idle loop takes it (for the status).
    woken: AtomicBool,
}

impl Calls {
    fn new() -> Calls {
        Calls {
            idle: Mutex::new(IdleTimes::new(Settings::default())),
            in_flight: AtomicUsize::new(0),
            waiting: AtomicUsize::new(0),
            woken: AtomicBool::new(false),
        }
    }
}

/// A call on its way: counted in flight until it is dropped (its answer's body has been sent
/// or the caller went away); its end is when the function's idle time starts.
pub struct Call(Option<Arc<Calls>>);

impl Drop for Call {
    fn drop(&mut self) {
        if let Some(c) = &self.0 {
            c.idle.lock().finished(now());
            c.in_flight.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// A call waiting for a replica: counted until dropped.
struct Waiting(Arc<Calls>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What the idle loop reads of a function's calls.
pub struct Snapshot {
    pub idle: IdleTimes,
    /// Calls in flight or waiting for a replica.
    pub busy: usize,
    /// Whether a call took it from zero since the last snapshot.
    pub woken: bool,
}

/// A function's scale-to-zero setting, as far as holding a call needs it.
#[derive(Clone, Copy)]
struct Hold {
    timeout: Duration,
}

/// A function's hold, and the stored version it was read from.
type HoldRead = (u64, Option<Hold>);

pub struct Activator {
    objects: Arc<Objects>,
    queue: usize,
    calls: Mutex<HashMap<(String, String), Arc<Calls>>>,
    /// Each function's hold, by the stored version it was read from.
    holds: Mutex<HashMap<(String, String), HoldRead>>,
}

impl Activator {
    /// An activator whose queue bound comes from [`QUEUE_ENV`].
    pub fn new(objects: Arc<Objects>) -> Activator {
        let queue = match std::env::var(QUEUE_ENV) {
            Err(_) => DEFAULT_QUEUE,
            Ok(v) => match v.trim().parse::<usize>() {
                Ok(n) if n > 0 => n,
                _ => {
                    tracing::warn!(
                        "{QUEUE_ENV}={v:?} is not a number of calls of at least 1; the activator holds up to {DEFAULT_QUEUE}"
                    );
                    DEFAULT_QUEUE
                }
            },
        };
        Activator {
            objects,
            queue,
            calls: Mutex::default(),
            holds: Mutex::default(),
        }
    }

    fn entry(&self, namespace: &str, name: &str) -> Arc<Calls> {
        self.calls
            .lock()
            .entry((namespace.to_string(), name.to_string()))
            .or_insert_with(|| Arc::new(Calls::new()))
            .clone()
    }

    /// Records a call for the Service `name` (a function's has the function's name); calls to
    /// Services of no function are not recorded.
    pub fn arrive(&self, namespace: &str, name: &str) -> Call {
        if self.objects.store.get(&Key::new(FUNCTIONS, namespace, name)).is_none() {
            return Call(None);
        }
        let calls = self.entry(namespace, name);
        calls.in_flight.fetch_add(1, Ordering::SeqCst);
        calls.idle.lock().record(now());
        Call(Some(calls))
    }

    /// A function's calls for the idle loop; a function with no call recorded yet is given
    /// `seed` as its last one (its deployment, or the last call its status remembers).
    pub fn snapshot(&self, namespace: &str, name: &str, seed: impl FnOnce() -> Duration) -> Snapshot {
        let calls = self.entry(namespace, name);
        let mut idle = calls.idle.lock();
        if idle.last_call().is_none() {
            idle.record(seed());
        }
        Snapshot {
            idle: idle.clone(),
            busy: calls.in_flight.load(Ordering::SeqCst) + calls.waiting.load(Ordering::SeqCst),
            woken: calls.woken.swap(false, Ordering::SeqCst),
        }
    }

    /// Calls in flight or waiting for the function now.
    pub fn busy(&self, namespace: &str, name: &str) -> usize {
        let calls = self.calls.lock();
        calls.get(&(namespace.to_string(), name.to_string())).map_or(0, |c| {
            c.in_flight.load(Ordering::SeqCst) + c.waiting.load(Ordering::SeqCst)
        })
    }

    /// Forgets the functions not in `live` (deleted ones).
    pub fn retain(&self, live: &HashSet<(String, String)>) {
        self.calls.lock().retain(|k, _| live.contains(k));
        self.holds.lock().retain(|k, _| live.contains(k));
    }

    /// Whether a call for `name` with no ready replica is held: the function scales to zero.
    fn hold(&self, namespace: &str, name: &str) -> Option<Hold> {
        let stored = self.objects.store.get(&Key::new(FUNCTIONS, namespace, name))?;
        let key = (namespace.to_string(), name.to_string());
        if let Some((rv, hold)) = self.holds.lock().get(&key)
            && *rv == stored.rv
        {
            return *hold;
        }
        let hold = crate::api::kinds::from_object::<Function>(&stored.value)
            .ok()
            .filter(|f| f.spec.scaling.as_ref().and_then(|s| s.idle_window()).is_some())
            .map(|f| Hold {
                timeout: Duration::from_secs(
                    f.spec
                        .timeout
                        .seconds()
                        .unwrap_or(crate::api::kinds::DEFAULT_TIMEOUT_SECONDS),
                ),
            });
        self.holds.lock().insert(key, (stored.rv, hold));
        hold
    }

    /// Holds a call for a function with no ready replica until `endpoints` finds one, starting
    /// a replica when its Deployment has none. `None`: the function does not scale to zero (the
    /// caller answers as it did). `Some(Err(answer))`: the queue is full, or the call waited
    /// longer than the function's timeout.
    pub async fn wait<E>(
        &self,
        namespace: &str,
        name: &str,
        endpoints: impl Fn() -> Vec<E>,
    ) -> Option<Result<Vec<E>, Response>> {
        let hold = self.hold(namespace, name)?;
        let calls = self.entry(namespace, name);
        if calls.waiting.fetch_add(1, Ordering::SeqCst) >= self.queue {
            calls.waiting.fetch_sub(1, Ordering::SeqCst);
            return Some(Err(queue_full(namespace, name, self.queue)));
        }
        let _waiting = Waiting(calls.clone());
        let deadline = Instant::now() + hold.timeout;
        // Subscribed before looking, so no change between the look and the wait is missed.
        let mut changes = self
            .objects
            .store
            .watch(PODS, Some(namespace), Some(self.objects.store.resource_version()))
            .ok()
            .map(|(_, receiver)| receiver);
        loop {
            let found = endpoints();
            if !found.is_empty() {
                return Some(Ok(found));
            }
            if let Some(why) = self.cannot_start(namespace, name) {
                return Some(Err(cannot_start(namespace, name, &why)));
            }
            if self.activate(namespace, name) {
                calls.woken.store(true, Ordering::SeqCst);
            }
            let change = async {
                match changes.as_mut() {
                    Some(rx) => loop {
                        match rx.recv().await {
                            Ok(e)
                                if e.key.namespace == namespace
                                    && [PODS, DEPLOYMENTS].contains(&e.key.resource.as_str()) =>
                            {
                                return;
                            }
                            Ok(_) => {}
                            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => return,
                            Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                                changes = None;
                                return;
                            }
                        }
                    },
                    None => tokio::time::sleep(Duration::from_millis(20)).await,
                }
            };
            tokio::select! {
                _ = change => {}
                _ = tokio::time::sleep_until(deadline.into()) => {
                    tracing::info!(
                        "function {namespace}/{name}: a call waited longer than its timeout ({} s) for a replica",
                        hold.timeout.as_secs()
                    );
                    return Some(Err(timed_out()));
                }
            }
        }
    }

    /// Why the function's replica cannot start, when its Pod says so: a container waiting for
    /// any reason but being created (a crash, a dependency install that failed, …).
    fn cannot_start(&self, namespace: &str, name: &str) -> Option<String> {
        let (pods, _) = self.objects.store.list(PODS, Some(namespace));
        pods.iter()
            .map(|p| &p.value)
            .filter(|p| p.pointer("/metadata/labels/function").and_then(Value::as_str) == Some(name))
            .filter(|p| p.pointer("/metadata/deletionTimestamp").is_none())
            .find_map(|p| {
                let waiting = p.pointer("/status/containerStatuses/0/state/waiting")?;
                let reason = waiting["reason"].as_str().filter(|r| *r != "ContainerCreating")?;
                Some(format!("{reason}: {}", waiting["message"].as_str().unwrap_or_default()))
            })
    }

    /// Sets the function's Deployment to one replica when it has none, with an `Activated`
    /// Event; true when it did.
    fn activate(&self, namespace: &str, name: &str) -> bool {
        let Some(def) = self.objects.registry().find("apps", "v1", "deployments") else {
            return false;
        };
        let at_zero = |d: &Value| d.pointer("/spec/replicas").and_then(Value::as_u64) == Some(0);
        let key = Key::new(&def.store_key(), namespace, name);
        if !self.objects.store.get(&key).is_some_and(|d| at_zero(&d.value)) {
            return false;
        }
        let mut woke = false;
        let resize = |d: &mut Value| {
            if at_zero(d) {
                d["spec"]["replicas"] = json!(1);
                woke = true;
            }
        };
        if objects::modify(&self.objects, &def, Some(namespace), name, resize).is_err() || !woke {
            return false;
        }
        tracing::info!("function {namespace}/{name}: a call woke it from zero");
        if let Some(function) = self.objects.store.get(&Key::new(FUNCTIONS, namespace, name)) {
            objects::record_event(
                &self.objects,
                &function.value,
                "Normal",
                "Activated",
                "a call arrived while the function was scaled to zero: 1 replica started, the call waits for it",
            );
        }
        true
    }
}

/// The answer to a call that found the function's queue of waiting calls full.
fn queue_full(namespace: &str, name: &str, queue: usize) -> Response {
    let text = format!(
        "function {namespace}/{name} is starting from zero and already holds {queue} waiting calls (the activator's queue, {QUEUE_ENV}); try again in {RETRY_AFTER_SECONDS} s\n"
    );
    let mut r = plain(StatusCode::SERVICE_UNAVAILABLE, text);
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
    r
}

/// The answer to a call held for a replica that cannot start.
fn cannot_start(namespace: &str, name: &str, why: &str) -> Response {
    plain(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("function {namespace}/{name} was woken from zero but its replica cannot start: {why}\n"),
    )
}

/// The answer the runtime gives a call that takes longer than the function's timeout.
fn timed_out() -> Response {
    plain(
        StatusCode::REQUEST_TIMEOUT,
        crate::runtime::worker::TIMEOUT_TEXT.to_string(),
    )
}

fn plain(status: StatusCode, text: String) -> Response {
    let mut r = Response::new(Body::from(text));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}
