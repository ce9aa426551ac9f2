//! Flows on the local engine: each Execution that has not ended runs as a tokio task of
//! [`flows::driver::run`] (a Wait holds a timer, no process), calling functions through the
//! replicas (a function scaled to zero is woken) and storing its status after each transition,
//! so that an engine started again resumes it from its cursor (a Task in flight is called
//! again: at-least-once). Each Flow's status says whether its definition is valid; the oldest
//! finished Executions beyond a Flow's `keepExecutions` are deleted.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc, watch};

use super::objects::{self, ApiError, Objects, meta_str};
use super::replicas::{self, Replicas};
use super::resources::ResourceDef;
use super::store::{EventType, Key};
use crate::api::kinds::{
    Execution, ExecutionSpec, ExecutionStatus, FLOW_LABEL, FLOWS_GROUP, FLOWS_VERSION, Flow, Phase, Stop,
};
use crate::flows::driver::{self, Host, Run, SaveError};
use crate::flows::{FlowError, bookkeeping, errors};

/// Where Executions and Flows are stored.
pub const EXECUTIONS: &str = "kfn.io/executions";
pub const FLOWS: &str = "kfn.io/flows";
const FUNCTIONS: &str = "kubeless.io/functions";

/// How long a Task waits for a function that has no replica to answer yet.
const STARTING: Duration = Duration::from_secs(120);

/// The largest answer of a function a Task takes.
const ANSWER_LIMIT: usize = 16 * 1024 * 1024;

fn definition(objects: &Objects, plural: &str) -> Option<Arc<ResourceDef>> {
    objects.registry().find(FLOWS_GROUP, FLOWS_VERSION, plural)
}

/// The engine's side of a running execution: calls through the replicas, saves through the
/// object service.
pub struct EngineHost {
    objects: Arc<Objects>,
    replicas: Arc<Replicas>,
    namespace: String,
    name: String,
    uid: String,
}

impl Host for EngineHost {
    async fn call(
        &self,
        namespace: &str,
        name: &str,
        payload: Value,
        timeout: Option<Duration>,
    ) -> Result<Value, FlowError> {
        bookkeeping::may_call(&self.namespace, namespace, |ns| is_tenant(&self.objects, ns))?;
        call(&self.objects, &self.replicas, namespace, name, payload, timeout).await
    }

    async fn save(&self, status: &ExecutionStatus) -> Result<(), SaveError> {
        let gone = || format!("the execution {}/{} is gone", self.namespace, self.name);
        let def = definition(&self.objects, "executions").ok_or_else(|| SaveError::Gone(gone()))?;
        let key = objects::key_of(&def, Some(&self.namespace), &self.name);
        match self.objects.store.get(&key) {
            Some(o) if meta_str(&o.value, "uid") == self.uid => {}
            _ => return Err(SaveError::Gone(gone())),
        }
        let value = serde_json::to_value(status).map_err(|e| SaveError::Failed(e.to_string()))?;
        objects::modify(&self.objects, &def, Some(&self.namespace), &self.name, |e| {
            e["status"] = value
        })
        .map(|_| ())
        .map_err(|e: ApiError| {
            if e.code == 404 {
                SaveError::Gone(format!("{}: {}", gone(), e.message))
            } else {
                SaveError::Failed(e.message)
            }
        })
    }
}

/// Whether namespace `namespace` is a tenant's (labelled `kfn.io/tenant`).
fn is_tenant(objects: &Objects, namespace: &str) -> bool {
    let Some(def) = objects.registry().find("", "v1", "namespaces") else {
        return false;
    };
    objects
        .store
        .get(&objects::key_of(&def, None, namespace))
        .is_some_and(|ns| crate::api::labels_of(&ns.value).contains_key(crate::api::TENANT_LABEL))
}

/// Calls the function `namespace/name` with `payload` as a Task does (see [`Host::call`]).
pub async fn call(
    objects: &Objects,
    replicas: &Replicas,
    namespace: &str,
    name: &str,
    payload: Value,
    timeout: Option<Duration>,
) -> Result<Value, FlowError> {
    if objects.store.get(&Key::new(FUNCTIONS, namespace, name)).is_none() {
        return Err(FlowError::new(
            errors::TASK_FAILED,
            format!("there is no function {name} in the namespace {namespace}"),
        ));
    }
    let request = || {
        http::Request::builder()
            .method("POST")
            .uri("/")
            .header("content-type", "application/json")
            .header("event-id", uuid::Uuid::new_v4().to_string())
            .header(
                "event-time",
                crate::api::schedule::event_time(k8s_openapi::jiff::Timestamp::now()),
            )
            .header("event-type", "application/json")
            .header("event-namespace", "flow.kfn.io")
            .header("user-agent", "kfn-flow")
            .body(Body::from(payload.to_string()))
            .expect("a valid request")
    };
    let answer = async {
        // A function whose replicas are not there yet (the engine has just started, the
        // function has just been deployed) is waited for, as long as it exists.
        let started = tokio::time::Instant::now();
        let resp = loop {
            match replicas::forward(replicas, namespace, name, "/", request()).await {
                Ok(resp) => break resp,
                Err(e)
                    if [404, 503].contains(&e.code)
                        && started.elapsed() < STARTING
                        && objects.store.get(&Key::new(FUNCTIONS, namespace, name)).is_some() =>
                {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => {
                    return Err(FlowError::new(
                        errors::TASK_FAILED,
                        format!("cannot call the function {namespace}/{name}: {}", e.message),
                    ));
                }
            }
        };
        let status = resp.status();
        let error = resp
            .headers()
            .get(crate::api::ERROR_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = axum::body::to_bytes(resp.into_body(), ANSWER_LIMIT)
            .await
            .map_err(|e| {
                FlowError::new(
                    errors::TASK_FAILED,
                    format!("cannot read the answer of {namespace}/{name}: {e}"),
                )
            })?;
        Ok::<_, FlowError>((status, error, body))
    };
    let (status, error, body) = match timeout {
        Some(limit) => match tokio::time::timeout(limit, answer).await {
            Ok(r) => r?,
            Err(_) => {
                return Err(FlowError::new(
                    errors::TIMEOUT,
                    format!(
                        "the function {namespace}/{name} did not answer within {} s",
                        limit.as_secs_f64()
                    ),
                ));
            }
        },
        None => answer.await?,
    };
    bookkeeping::answer(&format!("{namespace}/{name}"), status.as_u16(), error.as_deref(), &body)
}

/// An Execution's spec and phase, read without its history.
#[derive(Deserialize, Default)]
struct PhaseOnly {
    #[serde(default)]
    phase: Phase,
}

fn phase_of(value: &Value) -> Phase {
    value
        .get("status")
        .and_then(|s| PhaseOnly::deserialize(s).ok())
        .unwrap_or_default()
        .phase
}

fn spec_of(value: &Value) -> Option<ExecutionSpec> {
    value.get("spec").and_then(|s| ExecutionSpec::deserialize(s).ok())
}

/// A running execution's task.
struct Running {
    stop: watch::Sender<Option<Stop>>,
    task: tokio::task::AbortHandle,
}

/// The loop of the engine's executions.
struct Executions {
    objects: Arc<Objects>,
    replicas: Arc<Replicas>,
    /// By uid.
    running: HashMap<String, Running>,
    done: mpsc::UnboundedSender<String>,
    /// Flows (namespace, name) whose finished executions may be too many.
    prune: BTreeSet<(String, String)>,
}

/// Starts running the engine's executions (those stored already too: they resume) and keeping
/// the Flows' status; runs until the process ends.
pub fn start(objects: Arc<Objects>, replicas: Arc<Replicas>) {
    tokio::spawn(async move {
        let Ok((backlog, mut events)) = objects.store.watch(EXECUTIONS, None, None) else {
            return;
        };
        let (done, mut finished) = mpsc::unbounded_channel();
        let mut loop_ = Executions {
            objects: objects.clone(),
            replicas,
            running: HashMap::new(),
            done,
            prune: BTreeSet::new(),
        };
        for flow in objects.store.list(FLOWS, None).0 {
            loop_.flow_status(&flow.value);
        }
        for e in backlog {
            loop_.execution(&e.object.value, None);
        }
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        loop {
            tokio::select! {
                event = events.recv() => match event {
                    Ok(e) if e.key.resource == EXECUTIONS => match e.kind {
                        EventType::Deleted => loop_.deleted(&e.object.value),
                        _ => loop_.execution(&e.object.value, e.previous.as_ref().map(|p| &p.value)),
                    },
                    Ok(e) if e.key.resource == FLOWS && e.kind != EventType::Deleted => {
                        loop_.flow_status(&e.object.value)
                    }
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(_)) => loop_.resync(),
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                Some(uid) = finished.recv() => {
                    loop_.running.remove(&uid);
                }
                _ = tick.tick() => {
                    loop_.prune_finished();
                }
            }
        }
    });
}

impl Executions {
    /// Every stored execution looked at again (after the loop missed events).
    fn resync(&mut self) {
        for e in self.objects.store.list(EXECUTIONS, None).0 {
            self.execution(&e.value, None);
        }
        for flow in self.objects.store.list(FLOWS, None).0 {
            self.flow_status(&flow.value);
        }
    }

    fn deleted(&mut self, value: &Value) {
        if let Some(r) = self.running.remove(meta_str(value, "uid")) {
            r.task.abort();
        }
    }

    /// An execution added or changed: started when it has not ended and does not run yet; a
    /// stop asked for is passed to its run.
    fn execution(&mut self, value: &Value, previous: Option<&Value>) {
        let uid = meta_str(value, "uid").to_string();
        let phase = phase_of(value);
        if phase.is_final() && previous.is_none_or(|p| phase_of(p) != phase) {
            let flow = spec_of(value).map(|s| s.flow).unwrap_or_default();
            self.prune.insert((meta_str(value, "namespace").to_string(), flow));
        }
        if let Some(running) = self.running.get(&uid) {
            if previous.is_none_or(|p| p.get("spec") != value.get("spec"))
                && let Some(spec) = spec_of(value)
            {
                running.stop.send_if_modified(|stop| {
                    let changed = *stop != spec.stop;
                    *stop = spec.stop.clone();
                    changed
                });
            }
            return;
        }
        if phase.is_final() {
            return;
        }
        // The event's copy can be older than what is stored (a run that just ended stored its
        // end after it): what is stored now decides, so an ended execution is not run again.
        let key = Key::new(EXECUTIONS, meta_str(value, "namespace"), meta_str(value, "name"));
        let Some(current) = self.objects.store.get(&key) else {
            return;
        };
        let execution: Execution = match crate::api::kinds::from_object(&current.value) {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!("{e}: the execution cannot run");
                return;
            }
        };
        if execution.metadata.uid.as_deref() != Some(uid.as_str())
            || execution.phase().is_final()
            || execution.metadata.deletion_timestamp.is_some()
        {
            return;
        }
        self.run(execution);
    }

    fn run(&mut self, execution: Execution) {
        let namespace = execution.metadata.namespace.clone().unwrap_or_default();
        let name = execution.metadata.name.clone().unwrap_or_default();
        let uid = execution.metadata.uid.clone().unwrap_or_default();
        let host = EngineHost {
            objects: self.objects.clone(),
            replicas: self.replicas.clone(),
            namespace: namespace.clone(),
            name: name.clone(),
            uid: uid.clone(),
        };
        let (stop, stopped) = watch::channel(execution.spec.stop.clone());
        let run = match Run::of(&execution, self.flow_definition(&namespace, &execution.spec.flow)) {
            Ok(run) => run,
            Err(error) => {
                let status = driver::failed_to_start(execution.status.clone(), &error, host.now_ms());
                tokio::spawn(async move {
                    let _ = host.save(&status).await;
                });
                return;
            }
        };
        let done = self.done.clone();
        let task_uid = uid.clone();
        let task = tokio::spawn(async move {
            // A run that panics (an interpreter bug) ends its execution Failed, not Running forever.
            let status = run.status.clone();
            let ran = std::panic::AssertUnwindSafe(driver::run(&host, run, stopped));
            if futures::FutureExt::catch_unwind(ran).await.is_err() {
                let error = FlowError::runtime("the flow interpreter failed (a bug of kfn's); see the engine's log");
                let _ = host.save(&driver::failed_to_start(status, &error, host.now_ms())).await;
            }
            let _ = done.send(task_uid);
        });
        self.running.insert(
            uid,
            Running {
                stop,
                task: task.abort_handle(),
            },
        );
    }

    /// The definition the Flow `namespace/flow` has now, if it is there and readable.
    fn flow_definition(&self, namespace: &str, flow: &str) -> Option<Value> {
        let stored = self.objects.store.get(&Key::new(FLOWS, namespace, flow))?;
        crate::api::kinds::from_object::<Flow>(&stored.value)
            .ok()
            .map(|f| f.spec.definition)
    }

    /// A Flow's Ready condition from its definition, written when its generation is new.
    fn flow_status(&self, value: &Value) {
        let Ok(flow) = crate::api::kinds::from_object::<Flow>(value) else {
            return;
        };
        let generation = flow.metadata.generation;
        let previous = flow.status.clone().unwrap_or_default();
        if previous.observed_generation.is_some() && previous.observed_generation == generation {
            return;
        }
        let status = bookkeeping::flow_status(&flow);
        let Some(def) = definition(&self.objects, "flows") else {
            return;
        };
        let value = json!(status);
        let _ = objects::modify(
            &self.objects,
            &def,
            flow.metadata.namespace.as_deref(),
            flow.metadata.name.as_deref().unwrap_or_default(),
            |f| f["status"] = value,
        );
    }

    /// Deletes the oldest finished executions of the flows that have more than they keep.
    fn prune_finished(&mut self) {
        let Some(def) = definition(&self.objects, "executions") else {
            return;
        };
        for (namespace, flow) in std::mem::take(&mut self.prune) {
            let keep = self
                .objects
                .store
                .get(&Key::new(FLOWS, &namespace, &flow))
                .and_then(|f| crate::api::kinds::from_object::<Flow>(&f.value).ok())
                .map(|f| f.spec.keep_executions())
                .unwrap_or(crate::api::kinds::DEFAULT_KEEP_EXECUTIONS) as usize;
            let (all, _) = self.objects.store.list(EXECUTIONS, Some(&namespace));
            let finished: Vec<(String, String)> = all
                .iter()
                .filter(|e| crate::api::labels_of(&e.value).get(FLOW_LABEL) == Some(&flow))
                .filter(|e| phase_of(&e.value).is_final())
                .map(|e| {
                    let stopped = e
                        .value
                        .get("status")
                        .and_then(|s| StopTime::deserialize(s).ok())
                        .unwrap_or_default()
                        .stop_time;
                    (stopped, meta_str(&e.value, "name").to_string())
                })
                .collect();
            for name in bookkeeping::beyond_keep(finished, keep) {
                let key = objects::key_of(&def, Some(&namespace), &name);
                let _ = objects::delete_object(&self.objects, &def, &key, &Value::Null, false);
            }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct StopTime {
    #[serde(default)]
    stop_time: String,
}

/// The input of an execution a trigger starts: the request's body (or the message) as JSON, or as a string when it is not
/// JSON, `{}` when empty.
pub fn input(body: &[u8]) -> Value {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Value::Object(Default::default());
    }
    serde_json::from_slice(body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

/// Creates an execution of the flow `namespace/flow` with `input` (as a trigger starts one).
pub fn start_execution(objects: &Objects, namespace: &str, flow: &str, input: Value) -> Result<Execution, ApiError> {
    let stored = objects
        .store
        .get(&Key::new(FLOWS, namespace, flow))
        .ok_or_else(|| ApiError::not_found("flows.kfn.io", "flows", flow))?;
    let flow: Flow = crate::api::kinds::from_object(&stored.value).map_err(|e| ApiError::internal(e.to_string()))?;
    let def = definition(objects, "executions").ok_or_else(|| ApiError::internal("no executions resource"))?;
    let execution = serde_json::to_value(Execution::start(&flow, input, None)).expect("an execution serialises");
    let created = objects::create_object(objects, &def, Some(namespace), execution, false)?;
    crate::api::kinds::from_object(&created.value).map_err(|e| ApiError::internal(e.to_string()))
}

/// Waits until the execution `namespace/name` has ended and gives it (`None`: it is gone).
pub async fn wait_final(objects: &Objects, namespace: &str, name: &str) -> Option<Execution> {
    let key = Key::new(EXECUTIONS, namespace, name);
    let Ok((_, mut events)) = objects.store.watch(EXECUTIONS, Some(namespace), Some(u64::MAX)) else {
        return poll_final(objects, &key).await;
    };
    loop {
        let stored = objects.store.get(&key)?;
        if phase_of(&stored.value).is_final() {
            return crate::api::kinds::from_object(&stored.value).ok();
        }
        loop {
            match events.recv().await {
                Ok(e) if e.key == key => break,
                Ok(_) => continue,
                Err(broadcast::error::RecvError::Lagged(_)) => break,
                Err(broadcast::error::RecvError::Closed) => return poll_final(objects, &key).await,
            }
        }
    }
}

async fn poll_final(objects: &Objects, key: &Key) -> Option<Execution> {
    loop {
        let stored = objects.store.get(key)?;
        if phase_of(&stored.value).is_final() {
            return crate::api::kinds::from_object(&stored.value).ok();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trigger_s_input_is_its_body_as_json_or_a_string_or_empty() {
        assert_eq!(input(br#"{"qty": 2}"#), json!({"qty": 2}));
        assert_eq!(input(b"plain"), json!("plain"));
        assert_eq!(input(b""), json!({}));
        assert_eq!(input(b"  \n"), json!({}));
    }
}
