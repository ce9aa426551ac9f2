//! Flows on a cluster: while this replica leads, the controller runs every Execution that has
//! not ended with [`flows::driver::run`](crate::flows::driver::run), storing its status (and so
//! its cursor) after each transition in the Execution's status subresource, so that the next
//! leader carries on where it was; it calls the Tasks' functions through an API server's
//! service proxy (the cluster's own, or the one `--functions-kubeconfig` names), writes each
//! Flow's `Ready` condition (no admission webhook refuses an invalid one on a cluster) and
//! deletes the oldest finished executions beyond a Flow's `keepExecutions`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::Service;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use serde_json::Value;
use tokio::sync::{mpsc, watch};

use crate::api::kinds::{Execution, ExecutionStatus, FLOW_LABEL, Flow, Stop};
use crate::flows::driver::{Host, Run, SaveError};
use crate::flows::{FlowError, bookkeeping, errors};

/// The field manager of what the controller writes for flows.
const MANAGER: &str = "kfn-controller";

/// How often a replica that does not lead looks again whether it does.
const LEADER_CHECK: Duration = Duration::from_millis(500);

/// Runs flows while `leader` says this replica leads; `client` is the cluster's, `functions`
/// the one Tasks call functions through.
pub async fn run(client: kube::Client, functions: kube::Client, leader: Arc<AtomicBool>) {
    loop {
        while !leader.load(Ordering::SeqCst) {
            tokio::time::sleep(LEADER_CHECK).await;
        }
        tracing::info!("leading: running flow executions");
        let flows = tokio::spawn(watch_flows(client.clone()));
        lead(&client, &functions, &leader).await;
        flows.abort();
        tracing::info!("no longer leading: flow executions left to the next leader");
    }
}

/// A running execution: how to stop it (`spec.stop`), and its task.
struct Running {
    stop: watch::Sender<Option<Stop>>,
    task: tokio::task::JoinHandle<()>,
}

/// Watches Executions and runs those not ended, until this replica no longer leads.
async fn lead(client: &kube::Client, functions: &kube::Client, leader: &AtomicBool) {
    let api: Api<Execution> = Api::all(client.clone());
    let mut events = watcher::watcher(api, watcher::Config::default())
        .default_backoff()
        .boxed();
    let mut running: HashMap<String, Running> = HashMap::new();
    // Executions whose run ended here: a late event with an earlier status does not start them
    // again.
    let mut ended: HashSet<String> = HashSet::new();
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<String>();
    let mut check = tokio::time::interval(LEADER_CHECK);
    loop {
        tokio::select! {
            _ = check.tick() => {
                if !leader.load(Ordering::SeqCst) {
                    break;
                }
            }
            Some(uid) = done_rx.recv() => {
                running.remove(&uid);
                ended.insert(uid);
            }
            event = events.next() => {
                let Some(event) = event else { break };
                match event {
                    Ok(Event::Apply(e) | Event::InitApply(e)) => {
                        let uid = e.metadata.uid.clone().unwrap_or_default();
                        if let Some(r) = running.get(&uid) {
                            if let Some(stop) = &e.spec.stop {
                                r.stop.send_if_modified(|s| {
                                    let changed = s.as_ref() != Some(stop);
                                    *s = Some(stop.clone());
                                    changed
                                });
                            }
                        } else if !e.phase().is_final() && !ended.contains(&uid) {
                            let (stop, stop_rx) = watch::channel(e.spec.stop.clone());
                            let host = ClusterHost::new(client.clone(), functions.clone(), &e);
                            let done = done_tx.clone();
                            let key = uid.clone();
                            let task = tokio::spawn(async move {
                                // A run that panics (an interpreter bug) is not left Running.
                                let ran = std::panic::AssertUnwindSafe(execute(host, e, stop_rx));
                                if futures::FutureExt::catch_unwind(ran).await.is_err() {
                                    tracing::error!("the flow interpreter failed on execution {key}");
                                }
                                let _ = done.send(key);
                            });
                            running.insert(uid, Running { stop, task });
                        }
                    }
                    Ok(Event::Delete(e)) => {
                        let uid = e.metadata.uid.clone().unwrap_or_default();
                        if let Some(r) = running.remove(&uid) {
                            r.task.abort();
                        }
                        ended.remove(&uid);
                    }
                    Ok(Event::Init | Event::InitDone) => {}
                    Err(e) => tracing::debug!("watch of Executions: {e}"),
                }
            }
        }
    }
    for (_, r) in running.drain() {
        r.task.abort();
    }
}

/// Runs (or resumes) one execution to its end, then deletes its flow's oldest finished
/// executions beyond what the flow keeps.
async fn execute(host: ClusterHost, e: Execution, stop: watch::Receiver<Option<Stop>>) {
    // The latest stored status: the watch's copy may be older than what a run before wrote.
    let e = match host.executions().get_opt(&host.name).await {
        Ok(Some(latest)) => latest,
        Ok(None) => return,
        Err(err) => {
            tracing::warn!("execution {}/{}: cannot read it: {err}", host.namespace, host.name);
            e
        }
    };
    if e.phase().is_final() {
        return;
    }
    let flow = e.spec.flow.clone();
    let run = match flow_definition(&host, &e).await.and_then(|d| Run::of(&e, d)) {
        Ok(run) => run,
        Err(failure) => {
            let now_ms = k8s_openapi::jiff::Timestamp::now().as_millisecond();
            let status = crate::flows::driver::failed_to_start(e.status.clone(), &failure, now_ms);
            if let Err(err) = host.save(&status).await {
                tracing::warn!("{err}");
            }
            return;
        }
    };
    tracing::info!("execution {}/{}: running", host.namespace, host.name);
    let status = crate::flows::driver::run(&host, run, stop).await;
    tracing::info!("execution {}/{}: {}", host.namespace, host.name, status.phase);
    if status.phase.is_final() {
        collect_garbage(&host.client, &host.namespace, &flow).await;
    }
}

/// The definition of the Flow that `e` runs, as it is now (`None`: there is no such Flow);
/// needed only when the execution's status has no definition of its own yet.
async fn flow_definition(host: &ClusterHost, e: &Execution) -> Result<Option<Value>, FlowError> {
    if e.status.as_ref().is_some_and(|s| s.definition.is_some()) {
        return Ok(None);
    }
    let flows: Api<Flow> = Api::namespaced(host.client.clone(), &host.namespace);
    flows
        .get_opt(&e.spec.flow)
        .await
        .map(|f| f.map(|f| f.spec.definition))
        .map_err(|err| {
            FlowError::runtime(format!(
                "cannot read the flow {}/{}: {err}",
                host.namespace, e.spec.flow
            ))
        })
}

fn now() -> String {
    k8s_openapi::jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// Deletes the oldest finished executions of `flow` beyond its `keepExecutions`.
async fn collect_garbage(client: &kube::Client, namespace: &str, flow: &str) {
    let flows: Api<Flow> = Api::namespaced(client.clone(), namespace);
    let keep = match flows.get_opt(flow).await {
        Ok(Some(f)) => f.spec.keep_executions() as usize,
        _ => return,
    };
    let api: Api<Execution> = Api::namespaced(client.clone(), namespace);
    let params = ListParams::default().labels(&format!("{FLOW_LABEL}={flow}"));
    let Ok(list) = api.list(&params).await else {
        return;
    };
    let finished = list
        .items
        .into_iter()
        .filter(|e| e.phase().is_final())
        .map(|e| {
            (
                e.status.map(|s| s.stop_time).unwrap_or_default(),
                e.metadata.name.unwrap_or_default(),
            )
        })
        .collect();
    for name in bookkeeping::beyond_keep(finished, keep) {
        if let Err(e) = api.delete(&name, &DeleteParams::background()).await {
            tracing::debug!("execution {namespace}/{name}: cannot delete it: {e}");
        }
    }
}

/// Writes each Flow's `Ready` condition: `True`, or `False` with the definition's problems.
async fn watch_flows(client: kube::Client) {
    let api: Api<Flow> = Api::all(client.clone());
    let mut events = watcher::watcher(api, watcher::Config::default())
        .default_backoff()
        .applied_objects()
        .boxed();
    while let Some(event) = events.next().await {
        match event {
            Ok(flow) => {
                if let Err(e) = write_flow_status(&client, &flow).await {
                    tracing::warn!("{e}");
                }
            }
            Err(e) => tracing::debug!("watch of Flows: {e}"),
        }
    }
}

async fn write_flow_status(client: &kube::Client, flow: &Flow) -> Result<(), String> {
    let status = bookkeeping::flow_status(flow);
    if flow.status.as_ref() == Some(&status) {
        return Ok(());
    }
    let namespace = flow.metadata.namespace.clone().unwrap_or_default();
    let name = flow.metadata.name.clone().unwrap_or_default();
    let api: Api<Flow> = Api::namespaced(client.clone(), &namespace);
    api.patch_status(
        &name,
        &PatchParams::default(),
        &Patch::Merge(serde_json::json!({"status": status})),
    )
    .await
    .map(|_| ())
    .map_err(|e| format!("cannot write the status of Flow {namespace}/{name}: {e}"))
}

/// What an execution on a cluster runs against: its status in the API server, functions called
/// through a service proxy.
struct ClusterHost {
    client: kube::Client,
    functions: kube::Client,
    namespace: String,
    name: String,
}

/// The fields of a status that a merge patch must clear when the status no longer has them
/// (a merge patch keeps what it does not name).
const CLEARED: &[&str] = &[
    "startTime",
    "stopTime",
    "output",
    "error",
    "cause",
    "definition",
    "cursor",
    "history",
    "historyDropped",
];

impl ClusterHost {
    fn new(client: kube::Client, functions: kube::Client, e: &Execution) -> ClusterHost {
        ClusterHost {
            client,
            functions,
            namespace: e.metadata.namespace.clone().unwrap_or_default(),
            name: e.metadata.name.clone().unwrap_or_default(),
        }
    }

    fn executions(&self) -> Api<Execution> {
        Api::namespaced(self.client.clone(), &self.namespace)
    }

    /// The function's Service port segment (its port's name, else its number).
    async fn port(&self, namespace: &str, name: &str) -> Result<String, FlowError> {
        // Only a function is called: a Task cannot reach any other Service with the
        // controller's credentials.
        let functions: Api<crate::api::kinds::Function> = Api::namespaced(self.functions.clone(), namespace);
        match functions.get_metadata_opt(name).await {
            Ok(Some(_)) => {}
            Ok(None) => {
                return Err(FlowError::new(
                    errors::TASK_FAILED,
                    format!("there is no function {name} in the namespace {namespace}"),
                ));
            }
            Err(e) => {
                return Err(FlowError::new(
                    errors::TASK_FAILED,
                    format!("cannot read the function {namespace}/{name}: {e}"),
                ));
            }
        }
        let services: Api<Service> = Api::namespaced(self.functions.clone(), namespace);
        match services.get_opt(name).await {
            Ok(Some(svc)) => crate::client::proxy::port_segment(&svc).ok_or_else(|| {
                FlowError::new(
                    errors::TASK_FAILED,
                    format!("the Service of {namespace}/{name} has no port"),
                )
            }),
            Ok(None) => Err(FlowError::new(
                errors::TASK_FAILED,
                format!("there is no function {name} in the namespace {namespace} (no Service {name} there)"),
            )),
            Err(e) => Err(FlowError::new(
                errors::TASK_FAILED,
                format!("cannot read the Service of function {namespace}/{name}: {e}"),
            )),
        }
    }

    /// Whether namespace `namespace` of the flows' cluster is a tenant's (labelled
    /// `kfn.io/tenant`); one that is not there is not. One that cannot be read stops the Task.
    async fn is_tenant(&self, namespace: &str) -> Result<bool, FlowError> {
        let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(self.client.clone());
        match namespaces.get_opt(namespace).await {
            Ok(ns) => Ok(ns
                .and_then(|ns| ns.metadata.labels)
                .is_some_and(|l| l.contains_key(crate::api::TENANT_LABEL))),
            Err(e) => Err(FlowError::new(
                errors::PERMISSIONS,
                format!("cannot tell whether namespace {namespace} is a tenant's: {e}"),
            )),
        }
    }

    async fn send(&self, namespace: &str, name: &str, payload: &Value) -> Result<Value, FlowError> {
        let port = self.port(namespace, name).await?;
        let body = serde_json::to_vec(payload).expect("JSON serialises");
        let req = http::Request::post(format!("/api/v1/namespaces/{namespace}/services/{name}:{port}/proxy/"))
            .header("content-type", "application/json")
            .header("event-type", "application/json")
            .header("event-id", crate::client::proxy::event_id())
            .header("event-time", now())
            .header("event-namespace", "flow.kfn.io")
            .header("user-agent", "kfn-flow")
            .body(kube::client::Body::from(body))
            .map_err(|e| FlowError::new(errors::TASK_FAILED, format!("the request cannot be built: {e}")))?;
        let failed = |e: kube::Error| FlowError::new(errors::TASK_FAILED, format!("calling {namespace}/{name}: {e}"));
        let resp = self.functions.send(req).await.map_err(failed)?;
        let status = resp.status();
        let raised = resp
            .headers()
            .get(crate::api::ERROR_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = resp.into_body().collect_bytes().await.map_err(failed)?;
        bookkeeping::answer(
            &format!("{namespace}/{name}"),
            status.as_u16(),
            raised.as_deref(),
            &bytes,
        )
    }
}

impl Host for ClusterHost {
    async fn call(
        &self,
        namespace: &str,
        name: &str,
        payload: Value,
        timeout: Option<Duration>,
    ) -> Result<Value, FlowError> {
        if namespace != self.namespace {
            let from = self.is_tenant(&self.namespace).await?;
            let to = self.is_tenant(namespace).await?;
            bookkeeping::may_call(
                &self.namespace,
                namespace,
                |ns| {
                    if ns == self.namespace { from } else { to }
                },
            )?;
        }
        let call = self.send(namespace, name, &payload);
        match timeout {
            Some(limit) => tokio::time::timeout(limit, call).await.unwrap_or_else(|_| {
                Err(FlowError::new(
                    errors::TIMEOUT,
                    format!(
                        "the function {namespace}/{name} did not answer within {} s",
                        limit.as_secs_f64()
                    ),
                ))
            }),
            None => call.await,
        }
    }

    async fn save(&self, status: &ExecutionStatus) -> Result<(), SaveError> {
        let mut value = serde_json::to_value(status).map_err(|e| SaveError::Failed(e.to_string()))?;
        if let Some(fields) = value.as_object_mut() {
            for field in CLEARED {
                fields.entry(field.to_string()).or_insert(Value::Null);
            }
        }
        let patch = serde_json::json!({"status": value});
        let params = PatchParams {
            field_manager: Some(MANAGER.into()),
            ..Default::default()
        };
        let mut pause = Duration::from_millis(100);
        for attempt in 1.. {
            match self
                .executions()
                .patch_status(&self.name, &params, &Patch::Merge(&patch))
                .await
            {
                Ok(_) => return Ok(()),
                Err(kube::Error::Api(s)) if s.code == 404 => {
                    return Err(SaveError::Gone(format!(
                        "execution {}/{} is gone",
                        self.namespace, self.name
                    )));
                }
                // Refused for what it is (too big, not valid): it will never be stored. Anything
                // else (the API server away, throttled, a conflict) is tried again, as long as
                // this controller leads (the lead loop ends the run when it no longer does).
                Err(kube::Error::Api(s)) if [400, 413, 422].contains(&s.code) => {
                    return Err(SaveError::Failed(format!(
                        "cannot store the status of execution {}/{}: {}",
                        self.namespace, self.name, s.message
                    )));
                }
                Err(e) if attempt % 20 == 0 => {
                    tracing::warn!(
                        "execution {}/{}: cannot store its status ({attempt} tries): {e}; trying again",
                        self.namespace,
                        self.name
                    );
                    tokio::time::sleep(pause).await;
                }
                Err(e) => {
                    tracing::debug!(
                        "execution {}/{}: storing its status: {e}; again",
                        self.namespace,
                        self.name
                    );
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(5));
                }
            }
        }
        unreachable!("the loop returns")
    }
}

/// The metadata of every Flow (none when they cannot be listed, as without the Flow CRD).
pub(crate) async fn flow_metadata(client: &kube::Client) -> Vec<kube::api::ObjectMeta> {
    match Api::<Flow>::all(client.clone()).list(&ListParams::default()).await {
        Ok(list) => list.items.into_iter().map(|f| f.metadata).collect(),
        Err(e) => {
            tracing::debug!("cannot list Flows: {e}");
            Vec::new()
        }
    }
}

/// A message as an execution's input: its JSON, or else the text as a string (an empty
/// message: `{}`), as the local engine reads it.
pub(crate) fn input(body: &[u8]) -> Value {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Value::Object(Default::default());
    }
    serde_json::from_slice(body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

/// Creates an Execution of the Flow `namespace/flow` with `input` through the cluster's API (as a
/// trigger starts one); the controller's watch of Executions then runs it.
pub(crate) async fn start_execution(
    client: &kube::Client,
    namespace: &str,
    flow: &str,
    input: Value,
) -> Result<Execution, String> {
    let flows: Api<Flow> = Api::namespaced(client.clone(), namespace);
    let flow = flows
        .get(flow)
        .await
        .map_err(|e| format!("cannot read the flow: {e}"))?;
    let executions: Api<Execution> = Api::namespaced(client.clone(), namespace);
    executions
        .create(&kube::api::PostParams::default(), &Execution::start(&flow, input, None))
        .await
        .map_err(|e| format!("cannot create an execution: {e}"))
}
