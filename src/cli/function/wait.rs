//! `--wait`: block until a function's Deployment is ready, stop as soon as a replica's failure is
//! certain, and say why when it is not ready.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use futures::StreamExt;
use futures::stream::BoxStream;
use indicatif::ProgressBar;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::Resource;
use kube::api::{Api, DynamicObject, ListParams, LogParams};
use kube::runtime::{WatchStreamExt, watcher};

use crate::client::Connection;
use crate::output::Printer;

/// Waiting reasons that no retry fixes: the code, its runtime or its dependencies are wrong
/// (the local engine's reasons, and the kubelet's for an image name that cannot be parsed).
const CERTAIN_REASONS: &[&str] = &[
    "InvalidFunction",
    "RuntimeNotSupported",
    "RuntimeUnavailable",
    "ImageNotSupported",
    "DependencyInstallFailed",
    "SourceUnavailable",
    "InvalidImageName",
];

/// What the function's runtime says when the function cannot be loaded (import or syntax
/// error, no such handler): the same on every restart.
const LOAD_FAILURE: &str = "cannot load ";

/// The annotation that names the revision of a Deployment's template and of its pods.
const REVISION: &str = "kfn.io/revision";

/// Ready replicas and wanted replicas, and whether the rollout is complete (as `kubectl
/// rollout status` judges it): the Deployment's generation observed, every wanted replica
/// updated, no old replica left, and the updated ones ready.
fn readiness(d: &Deployment) -> (i32, i32, bool) {
    let wanted = d.spec.replicas.unwrap_or(1);
    let status = d.status.clone().unwrap_or_default();
    let ready = status.ready_replicas.unwrap_or(0);
    let current = status.observed_generation.unwrap_or(0) >= d.metadata.generation.unwrap_or(0);
    let updated = status.updated_replicas.unwrap_or(0);
    let no_old = status.replicas.unwrap_or(0) <= updated;
    let done = current && updated >= wanted && no_old && ready >= wanted.max(1);
    (ready, wanted, done)
}

/// How far a rollout is, in words: `0/1 replicas ready`, or during an update
/// `0/1 replicas of the new version ready (1 old replica still serves)`.
fn progress(d: &Deployment, pods: &[Pod]) -> String {
    let (ready, wanted, _) = readiness(d);
    let status = d.status.clone().unwrap_or_default();
    let old = (status.replicas.unwrap_or(0) - status.updated_replicas.unwrap_or(0)).max(0);
    if old == 0 {
        return format!("{ready}/{wanted} replicas ready");
    }
    let new_ready = match template_revision(d) {
        Some(_) => current_pods(d, pods).filter(|p| pod_ready(p)).count() as i32,
        None => (ready - old).max(0),
    };
    let serves = if old == 1 {
        "replica still serves"
    } else {
        "replicas still serve"
    };
    format!("{new_ready}/{wanted} replicas of the new version ready ({old} old {serves})")
}

fn template_revision(d: &Deployment) -> Option<&str> {
    d.spec
        .template
        .metadata
        .as_ref()?
        .annotations
        .as_ref()?
        .get(REVISION)
        .map(String::as_str)
}

/// The pods that run the Deployment's current template (all of them when it names no revision).
fn current_pods<'a>(d: &'a Deployment, pods: &'a [Pod]) -> impl Iterator<Item = &'a Pod> {
    let revision = template_revision(d);
    pods.iter().filter(move |p| {
        revision.is_none_or(|r| {
            p.metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(REVISION))
                .map(String::as_str)
                == Some(r)
        })
    })
}

fn pod_ready(p: &Pod) -> bool {
    p.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// The message of a log line the runtime wrote (`time=… level=fatal msg="…"`, or the
/// terminal form `FATA[0000] …`); other text as it is.
pub fn plain(line: &str) -> String {
    let mut text = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    // ANSI colour codes out first.
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            text.push(c);
        }
    }
    let text = text.trim();
    if let Some(at) = text.find("msg=") {
        // Text before the record (an event's own words) stays.
        let record = text[..at]
            .rfind("time=")
            .or_else(|| text[..at].rfind("level="))
            .unwrap_or(at);
        let mut out = text[..record].to_string();
        let rest = &text[at + 4..];
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut chars = quoted.chars();
            while let Some(c) = chars.next() {
                match c {
                    '"' => return out,
                    '\\' => match chars.next() {
                        Some('n') => out.push('\n'),
                        Some('t') => out.push('\t'),
                        Some(other) => out.push(other),
                        None => break,
                    },
                    c => out.push(c),
                }
            }
            return out;
        }
        out.push_str(rest.split_whitespace().next().unwrap_or_default());
        return out;
    }
    let tagged = text.len() > 11
        && text.as_bytes()[..4].iter().all(u8::is_ascii_uppercase)
        && text[4..].starts_with('[')
        && text[5..]
            .find("] ")
            .is_some_and(|end| text[5..5 + end].bytes().all(|b| b.is_ascii_digit()));
    if tagged {
        let end = text.find("] ").expect("checked") + 2;
        return text[end..].trim().to_string();
    }
    text.to_string()
}

/// A replica that will never become ready, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub pod: String,
    /// The Pod's waiting reason: `CrashLoopBackOff`, `RuntimeNotSupported`, …
    pub reason: String,
    /// Why, once: the runtime's or the engine's own words.
    pub message: String,
}

/// Whether a pod's status shows a failure no wait mends: a waiting reason among
/// [`CERTAIN_REASONS`], or a crash because the function cannot be loaded.
pub fn certain_failure(pod: &Pod) -> Option<Failure> {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let statuses = pod.status.as_ref()?.container_statuses.as_ref()?;
    for cs in statuses {
        let waiting = cs.state.as_ref().and_then(|s| s.waiting.as_ref());
        let reason = waiting.and_then(|w| w.reason.clone()).unwrap_or_default();
        if CERTAIN_REASONS.contains(&reason.as_str()) {
            let message = waiting
                .and_then(|w| w.message.as_deref())
                .map(plain)
                .unwrap_or_default();
            return Some(Failure {
                pod: name,
                reason,
                message,
            });
        }
        let crashed = cs
            .last_state
            .as_ref()
            .and_then(|s| s.terminated.as_ref())
            .and_then(|t| t.message.as_deref())
            .map(plain)
            .unwrap_or_default();
        let crashed = crashed.strip_prefix("kfn runtime: ").unwrap_or(&crashed);
        if crashed.starts_with(LOAD_FAILURE) {
            return Some(Failure {
                pod: name,
                reason: if reason.is_empty() { "Error".into() } else { reason },
                message: crashed.to_string(),
            });
        }
    }
    None
}

/// One line about a pod for `describe`: phase, readiness, restarts, and why it is waiting (the
/// message only when the failure is not certain: `describe` prints that one as the Reason).
pub fn pod_line(pod: &Pod) -> String {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    let phase = status.phase.clone().unwrap_or_else(|| "Unknown".into());
    let ready = if pod_ready(pod) { "ready" } else { "not ready" };
    let restarts: i32 = status
        .container_statuses
        .iter()
        .flatten()
        .map(|c| c.restart_count)
        .sum();
    let mut line = format!("{name} {phase}, {ready}, {restarts} restarts");
    match certain_failure(pod) {
        // describe gives the message in its Reason row.
        Some(f) => line.push_str(&format!(", {}", f.reason)),
        None => {
            let waiting = status
                .container_statuses
                .iter()
                .flatten()
                .find_map(|c| c.state.as_ref()?.waiting.clone());
            if let Some(w) = waiting {
                line.push_str(&format!(", {}", w.reason.unwrap_or_default()));
                if let Some(m) = w.message.filter(|m| !m.is_empty()) {
                    line.push_str(&format!(": {}", plain(&m)));
                }
            }
        }
    }
    line
}

/// The end of a wait.
enum Outcome {
    Ready { ready: i32, wanted: i32 },
    Failed(Failure),
    NotObserved,
    TimedOut { last: String },
}

/// The objects of one kind a watch mirrors, by name: what the last complete list and the
/// changes after it say.
struct Mirror<K> {
    objects: BTreeMap<String, K>,
    /// A (re)list in progress; it replaces `objects` when it is complete.
    listing: Option<BTreeMap<String, K>>,
    /// Whether a first list is complete (before that, `objects` says nothing).
    listed: bool,
}

impl<K> Default for Mirror<K> {
    fn default() -> Self {
        Mirror {
            objects: BTreeMap::new(),
            listing: None,
            listed: false,
        }
    }
}

impl<K: Resource> Mirror<K> {
    /// The object as read apart from the watch (`None`: it is gone).
    fn set(&mut self, name: &str, object: Option<K>) {
        match object {
            Some(k) => self.objects.insert(name.to_string(), k),
            None => self.objects.remove(name),
        };
    }

    fn apply(&mut self, event: watcher::Event<K>) {
        let key = |k: &K| k.meta().name.clone().unwrap_or_default();
        match event {
            watcher::Event::Apply(k) => {
                self.objects.insert(key(&k), k);
            }
            watcher::Event::Delete(k) => {
                self.objects.remove(&key(&k));
            }
            watcher::Event::Init => self.listing = Some(BTreeMap::new()),
            watcher::Event::InitApply(k) => {
                self.listing.get_or_insert_default().insert(key(&k), k);
            }
            watcher::Event::InitDone => {
                self.objects = self.listing.take().unwrap_or_default();
                self.listed = true;
            }
        }
    }
}

/// A change one of the watches of a function saw.
enum Change {
    Function(watcher::Event<DynamicObject>),
    Deployment(watcher::Event<Deployment>),
    Pod(watcher::Event<Pod>),
}

/// What the watches of a function's Deployment, its pods and (after an update) the Function
/// itself say now.
#[derive(Default)]
struct Seen {
    functions: Mirror<DynamicObject>,
    deployments: Mirror<Deployment>,
    pods: Mirror<Pod>,
}

/// Where a wait stands after the last change.
#[derive(Debug, PartialEq)]
enum Verdict {
    /// The controller has not reported the Function's new generation observed.
    NotActedOn,
    Ready {
        ready: i32,
        wanted: i32,
    },
    Failed(Failure),
    /// No Deployment (yet).
    NoDeployment,
    /// How far the rollout is, in words.
    Progress(String),
}

impl Seen {
    fn apply(&mut self, change: Change) {
        match change {
            Change::Function(e) => self.functions.apply(e),
            Change::Deployment(e) => self.deployments.apply(e),
            Change::Pod(e) => self.pods.apply(e),
        }
    }

    fn pods(&self) -> Vec<Pod> {
        self.pods.objects.values().cloned().collect()
    }

    /// The generation the controller last reported for the Function, when it reports one.
    fn observed(&self, name: &str) -> Option<i64> {
        use crate::api::kinds::{FunctionStatus, StatusView};
        let object = crate::client::kubeless::to_value(self.functions.objects.get(name)?);
        let view = crate::api::kinds::lenient::<StatusView<FunctionStatus>>(&object).object?;
        view.status?.observed_generation
    }

    /// Whether the Function says it is at zero (`status.scaling.state: Idle`): no replica is
    /// wanted, and the next call starts one.
    fn idle(&self, name: &str) -> bool {
        use crate::api::kinds::{FunctionStatus, StatusView};
        let Some(object) = self.functions.objects.get(name) else {
            return false;
        };
        let object = crate::client::kubeless::to_value(object);
        let view = crate::api::kinds::lenient::<StatusView<FunctionStatus>>(&object).object;
        view.and_then(|v| v.status?.scaling).is_some_and(|s| s.state == "Idle")
    }

    /// Where the wait for `name` stands (`generation`: see [`watch`]); `None` until the first
    /// lists are in.
    fn verdict(&self, name: &str, generation: Option<i64>) -> Option<Verdict> {
        if let Some(generation) = generation {
            if !self.functions.listed {
                return None;
            }
            if self.observed(name).is_some_and(|o| o < generation) {
                return Some(Verdict::NotActedOn);
            }
        }
        if !self.deployments.listed {
            return None;
        }
        let Some(d) = self.deployments.objects.get(name) else {
            return Some(Verdict::NoDeployment);
        };
        let (ready, wanted, done) = readiness(d);
        if done || (wanted == 0 && self.idle(name)) {
            return Some(Verdict::Ready { ready, wanted });
        }
        let pods = self.pods();
        if let Some(failure) = current_pods(d, &pods).find_map(certain_failure) {
            return Some(Verdict::Failed(failure));
        }
        Some(Verdict::Progress(progress(d, &pods)))
    }
}

/// Watches of the function's Deployment and pods and, with `function`, of the Function: the
/// changes of all, as they come (a watch that breaks lists again, after a back-off).
fn changes(
    conn: &Connection,
    namespace: &str,
    name: &str,
    function: bool,
) -> BoxStream<'static, Result<Change, watcher::Error>> {
    let by_name = watcher::Config::default().fields(&format!("metadata.name={name}"));
    let by_function = watcher::Config::default().labels(&format!("function={name}"));
    let deployments: Api<Deployment> = Api::namespaced(conn.client.clone(), namespace);
    let pods: Api<Pod> = Api::namespaced(conn.client.clone(), namespace);
    let mut streams = vec![
        watcher::watcher(deployments, by_name.clone())
            .default_backoff()
            .map(|e| e.map(Change::Deployment))
            .boxed(),
        watcher::watcher(pods, by_function)
            .default_backoff()
            .map(|e| e.map(Change::Pod))
            .boxed(),
    ];
    if function {
        streams.push(
            watcher::watcher(crate::client::kubeless::functions(conn, namespace), by_name)
                .default_backoff()
                .map(|e| e.map(Change::Function))
                .boxed(),
        );
    }
    futures::stream::select_all(streams).boxed()
}

/// The error of a watch that no retry mends: the objects cannot be listed, or the credentials
/// may not watch them.
fn lasting(error: watcher::Error) -> Option<kube::Error> {
    match error {
        watcher::Error::InitialListFailed(e) => Some(e),
        watcher::Error::WatchStartFailed(kube::Error::Api(s)) if s.code == 401 || s.code == 403 => {
            Some(kube::Error::Api(s))
        }
        _ => None,
    }
}

/// Watches the function until its Deployment is ready, a replica's failure is certain, or the
/// timeout. `generation`, after an update, is the Function's new generation: until the
/// controller reports it observed (when it reports at all), the Deployment still describes the
/// old code and its readiness says nothing.
async fn watch(
    conn: &Connection,
    namespace: &str,
    name: &str,
    timeout: Duration,
    generation: Option<i64>,
    spinner: Option<&ProgressBar>,
) -> Result<Outcome> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut changes = changes(conn, namespace, name, generation.is_some());
    let mut seen = Seen::default();
    let mut last = String::from("no Deployment yet");
    let deployments: Api<Deployment> = Api::namespaced(conn.client.clone(), namespace);
    let mut not_acted_on = false;
    loop {
        let mut verdict = seen.verdict(name, generation);
        if let Some(Verdict::Ready { .. }) = verdict {
            // The watches do not keep order with one another: the Function may say its new
            // generation is observed before the Deployment's watch brings the new template. The
            // Deployment read now is at least as new as everything seen.
            let fresh = deployments.get_opt(name).await.map_err(|e| conn.explain(e))?;
            seen.deployments.set(name, fresh);
            verdict = seen.verdict(name, generation);
        }
        match verdict {
            Some(Verdict::Ready { ready, wanted }) => return Ok(Outcome::Ready { ready, wanted }),
            Some(Verdict::Failed(failure)) => return Ok(Outcome::Failed(failure)),
            Some(Verdict::NotActedOn) => not_acted_on = true,
            Some(Verdict::Progress(p)) => {
                not_acted_on = false;
                last = p;
            }
            Some(Verdict::NoDeployment) => not_acted_on = false,
            None => {}
        }
        if let Some(bar) = spinner {
            bar.set_message(if not_acted_on {
                format!("waiting for function {name}: the update is not acted on yet")
            } else {
                format!("waiting for function {name}: {last}")
            });
        }
        tokio::select! {
            change = changes.next() => match change {
                Some(Ok(change)) => seen.apply(change),
                Some(Err(e)) => if let Some(e) = lasting(e) {
                    return Err(conn.explain(e).into());
                },
                None => return Ok(Outcome::TimedOut { last }),
            },
            _ = tokio::time::sleep_until(deadline) => {
                return Ok(if not_acted_on { Outcome::NotObserved } else { Outcome::TimedOut { last } });
            }
        }
    }
}

/// Waits for the function's Deployment to be ready (`--wait`); see [`watch`].
pub async fn until_ready(
    printer: Printer,
    conn: &Connection,
    namespace: &str,
    name: &str,
    timeout: Duration,
    generation: Option<i64>,
) -> Result<ExitCode> {
    let bar = printer.spinner(format!("waiting for function {name} to be ready"));
    let started = Instant::now();
    let outcome = watch(conn, namespace, name, timeout, generation, bar.as_ref()).await;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    match outcome? {
        Outcome::Ready { ready, wanted } => {
            let idle = if wanted == 0 {
                ", idle: the next call starts a replica"
            } else {
                ""
            };
            printer.info(&format!(
                "Function {name} is ready ({ready}/{wanted}{idle}) after {:.1}s",
                started.elapsed().as_secs_f64()
            ));
            Ok(ExitCode::SUCCESS)
        }
        Outcome::Failed(failure) => bail!(failed(conn, namespace, name, &failure).await),
        Outcome::NotObserved => bail!(
            "Function {name} is not updated after {}s: no controller has acted on the update yet (is one running for this API server?)",
            timeout.as_secs()
        ),
        Outcome::TimedOut { last } => {
            let why = diagnose(conn, namespace, name).await;
            bail!(
                "Function {name} is not ready after {}s ({last}){why}",
                timeout.as_secs()
            )
        }
    }
}

/// Before a call: waits (at most `timeout`, with a spinner on a terminal) until a replica of the
/// function is ready, when the Deployment wants one and none is, as after the engine started.
/// Returns early when a failure is certain or no pod is on a node and none is being placed (a
/// cluster without a node that fits: no wait mends that soon), and at the timeout lets the call
/// go and answer.
pub async fn until_serving(
    printer: Printer,
    conn: &Connection,
    namespace: &str,
    name: &str,
    timeout: Duration,
) -> Result<()> {
    let deployments: Api<Deployment> = Api::namespaced(conn.client.clone(), namespace);
    let Ok(Some(d)) = deployments.get_opt(name).await else {
        return Ok(());
    };
    // Scaled to zero: the call itself wakes the function.
    if d.spec.replicas.unwrap_or(1) == 0 {
        return Ok(());
    }
    // The pods, not the Deployment's status: that one is stale for a moment after the engine
    // started again.
    let pods: Api<Pod> = Api::namespaced(conn.client.clone(), namespace);
    let by_function = ListParams::default().labels(&format!("function={name}"));
    let Ok(listed) = pods.list(&by_function).await.map(|l| l.items) else {
        return Ok(());
    };
    if listed.iter().any(pod_ready) {
        return Ok(());
    }
    let bar = printer.spinner(format!("waiting for a replica of function {name} to be ready"));
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + timeout;
    let mut changes = changes(conn, namespace, name, false);
    let mut seen = Seen::default();
    // Whether pods wait for a node too long depends on the time as well as on changes.
    let mut again = tokio::time::interval(Duration::from_secs(1));
    let outcome = loop {
        if seen.deployments.listed && seen.pods.listed {
            let listed = seen.pods();
            if listed.iter().any(pod_ready) {
                break None;
            }
            if let Some(failure) = seen
                .deployments
                .objects
                .get(name)
                .and_then(|d| current_pods(d, &listed).find_map(certain_failure))
            {
                break Some(Stop::Failed(failure));
            }
            if not_placed(&listed, started.elapsed()) {
                break Some(Stop::NotPlaced);
            }
        }
        tokio::select! {
            change = changes.next() => match change {
                Some(Ok(change)) => seen.apply(change),
                // The call goes and answers for itself.
                Some(Err(_)) => {}
                None => break None,
            },
            _ = again.tick() => {}
            _ = tokio::time::sleep_until(deadline) => break None,
        }
    };
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    match outcome {
        Some(Stop::Failed(failure)) => bail!(failed(conn, namespace, name, &failure).await),
        Some(Stop::NotPlaced) => bail!(no_ready_pod(conn, namespace, name).await),
        None => Ok(()),
    }
}

/// Why waiting for a replica stopped early.
enum Stop {
    Failed(Failure),
    NotPlaced,
}

/// How long a new pod may go without a node before kfn says so instead of waiting: a
/// scheduler places a pod it can place well within this.
const PLACING: Duration = Duration::from_secs(5);

/// Whether a node took the pod.
pub fn on_node(pod: &Pod) -> bool {
    pod.spec
        .as_ref()
        .and_then(|s| s.node_name.as_deref())
        .is_some_and(|n| !n.is_empty())
}

/// Whether no pod of `pods` (there are some) is on a node, and none is about to be: the
/// scheduler found no node for one (PodScheduled False), or every pod has waited for a node
/// longer than [`PLACING`] (`waited` by us, or since it was created).
pub fn not_placed(pods: &[Pod], waited: Duration) -> bool {
    if pods.is_empty() || pods.iter().any(on_node) {
        return false;
    }
    let refused = pods.iter().any(|p| {
        p.status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| c.iter().any(|c| c.type_ == "PodScheduled" && c.status == "False"))
    });
    let now = k8s_openapi::jiff::Timestamp::now();
    let old = pods.iter().all(|p| {
        p.metadata
            .creation_timestamp
            .as_ref()
            .is_some_and(|t| now.duration_since(t.0).as_secs_f64() >= PLACING.as_secs_f64())
    });
    refused || old || waited >= PLACING
}

/// Pods that are on a node, and so have logs (the API server has none to give for the others).
pub fn with_logs(pods: &[Pod]) -> Vec<&Pod> {
    pods.iter().filter(|p| on_node(p)).collect()
}

/// `Function <name> in namespace <ns> has no ready pod`, and what the pods and events say.
pub async fn no_ready_pod(conn: &Connection, namespace: &str, name: &str) -> String {
    format!(
        "Function {name} in namespace {namespace} has no ready pod{}",
        diagnose(conn, namespace, name).await
    )
}

/// A short account of pods none of which is ready, for a table cell: `1 Pending, not
/// scheduled to a node`.
pub fn not_ready_summary(pods: &[Pod]) -> String {
    if pods.is_empty() {
        return "no pods".into();
    }
    let mut phases: BTreeMap<String, usize> = BTreeMap::new();
    for p in pods {
        let phase = p
            .status
            .as_ref()
            .and_then(|s| s.phase.clone())
            .unwrap_or_else(|| "Unknown".into());
        *phases.entry(phase).or_default() += 1;
    }
    let mut out: Vec<String> = phases.iter().map(|(phase, n)| format!("{n} {phase}")).collect();
    if pods.iter().any(|p| !on_node(p)) {
        out.push("not scheduled to a node".into());
    }
    out.join(", ")
}

/// Whether any of the pods is ready.
pub fn any_ready(pods: &[Pod]) -> bool {
    pods.iter().any(pod_ready)
}

/// The message for a certain failure: the reason once, then the pod's last log lines that add
/// to it (a traceback), then other events, each once.
async fn failed(conn: &Connection, namespace: &str, name: &str, failure: &Failure) -> String {
    let mut out = format!(
        "Function {name} cannot start: {} (pod {}, {})",
        failure.message, failure.pod, failure.reason
    );
    let pods: Api<Pod> = Api::namespaced(conn.client.clone(), namespace);
    let log = pods
        .logs(
            &failure.pod,
            &LogParams {
                tail_lines: Some(30),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_default();
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| !l.trim().is_empty() && (failure.message.is_empty() || !plain(l).contains(&failure.message)))
        .collect();
    let lines = &lines[lines.len().saturating_sub(20)..];
    if !lines.is_empty() {
        out.push_str(&format!("\n  last log lines of {}:", failure.pod));
        for line in lines {
            out.push_str(&format!("\n    {line}"));
        }
    }
    let events = related_events(conn, namespace, name, std::slice::from_ref(&failure.pod)).await;
    let others: Vec<&String> = events
        .iter()
        .filter(|e| failure.message.is_empty() || !e.contains(&failure.message))
        .collect();
    if !others.is_empty() {
        out.push_str("\n  events:");
        for e in others {
            out.push_str(&format!("\n    {e}"));
        }
    }
    out
}

/// The events of the function and of its pods, oldest first, each text once (`(×3)` when it
/// repeats), the last `limit`.
async fn related_events(conn: &Connection, namespace: &str, name: &str, pods: &[String]) -> Vec<String> {
    let events: Api<Event> = Api::namespaced(conn.client.clone(), namespace);
    let mut related: Vec<Event> = events
        .list(&ListParams::default())
        .await
        .map(|l| l.items)
        .unwrap_or_default();
    related.retain(|e| {
        let obj = e.involved_object.name.clone().unwrap_or_default();
        obj == name || pods.contains(&obj)
    });
    event_lines(related, 5)
}

/// Events as lines, sorted by time, repeats folded into one with a count; the last `limit`.
fn event_lines(mut events: Vec<Event>, limit: usize) -> Vec<String> {
    let when = |e: &Event| {
        e.last_timestamp
            .as_ref()
            .map(|t| t.0)
            .or(e.event_time.as_ref().map(|t| t.0))
            .or(e.first_timestamp.as_ref().map(|t| t.0))
            .or(e.metadata.creation_timestamp.as_ref().map(|t| t.0))
    };
    events.sort_by_key(|e| when(e));
    let mut order: Vec<String> = Vec::new();
    let mut counts: BTreeMap<String, i32> = BTreeMap::new();
    for e in &events {
        let text = format!(
            "{} {} {}: {}",
            e.type_.clone().unwrap_or_default(),
            e.reason.clone().unwrap_or_default(),
            e.involved_object.name.clone().unwrap_or_default(),
            plain(e.message.as_deref().unwrap_or_default())
        );
        let count = counts.entry(text.clone()).or_insert(0);
        *count += e.count.unwrap_or(1).max(1);
        // The latest occurrence decides the place.
        order.retain(|t| *t != text);
        order.push(text);
    }
    let start = order.len().saturating_sub(limit);
    order[start..]
        .iter()
        .map(|t| match counts[t] {
            1 => t.clone(),
            n => format!("{t} (×{n})"),
        })
        .collect()
}

/// A pod's phase and what holds it back: its conditions that are not true (`PodScheduled
/// False Unschedulable: 0/3 nodes are available…`), or, for a pending pod no node took and no
/// scheduler looked at, that.
fn pod_state(pod: &Pod) -> String {
    let status = pod.status.clone().unwrap_or_default();
    let phase = status.phase.clone().unwrap_or_else(|| "Unknown".into());
    let mut out = format!("phase {phase}");
    let conditions = status.conditions.unwrap_or_default();
    for c in conditions.iter().filter(|c| c.status != "True") {
        out.push_str(&format!(", {} {}", c.type_, c.status));
        if let Some(reason) = c.reason.as_deref().filter(|r| !r.is_empty()) {
            out.push_str(&format!(" {reason}"));
        }
        if let Some(message) = c.message.as_deref().filter(|m| !m.is_empty()) {
            out.push_str(&format!(": {}", plain(message)));
        }
    }
    if phase == "Pending" && !on_node(pod) && !conditions.iter().any(|c| c.type_ == "PodScheduled") {
        out.push_str(
            ", not scheduled to a node: no scheduler has acted on it yet (does the cluster run one, and has it nodes?)",
        );
    }
    out
}

/// What the pods, their events and their logs say about a function that is not ready, one
/// indented line each.
pub async fn diagnose(conn: &Connection, namespace: &str, name: &str) -> String {
    let pods: Api<Pod> = Api::namespaced(conn.client.clone(), namespace);
    let mut out = String::new();
    let list = pods
        .list(&ListParams::default().labels(&format!("function={name}")))
        .await;
    let pods_found = list.map(|l| l.items).unwrap_or_default();
    if pods_found.is_empty() {
        out.push_str(
            "\n  no pods: is a controller running for this API server (the local engine, or `kfn controller`)?",
        );
    }
    for pod in &pods_found {
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        let status = pod.status.clone().unwrap_or_default();
        out.push_str(&format!("\n  pod {pod_name}: {}", pod_state(pod)));
        for cs in status.container_statuses.unwrap_or_default() {
            let state = cs.state.unwrap_or_default();
            if let Some(w) = state.waiting {
                out.push_str(&format!(
                    ", {} waiting: {} {}",
                    cs.name,
                    w.reason.unwrap_or_default(),
                    plain(&w.message.unwrap_or_default())
                ));
            }
            if let Some(t) = state.terminated {
                out.push_str(&format!(
                    ", {} terminated: {} (exit {}) {}",
                    cs.name,
                    t.reason.unwrap_or_default(),
                    t.exit_code,
                    plain(&t.message.unwrap_or_default())
                ));
            }
        }
        let log = pods
            .logs(
                &pod_name,
                &LogParams {
                    tail_lines: Some(10),
                    ..Default::default()
                },
            )
            .await
            .unwrap_or_default();
        if !log.trim().is_empty() {
            out.push_str(&format!("\n  last log lines of {pod_name}:"));
            for line in log.lines() {
                out.push_str(&format!("\n    {line}"));
            }
        }
    }
    let names: Vec<String> = pods_found.iter().filter_map(|p| p.metadata.name.clone()).collect();
    let events = related_events(conn, namespace, name, &names).await;
    if !events.is_empty() {
        out.push_str("\n  last events:");
        for e in events {
            out.push_str(&format!("\n    {e}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment(generation: i64, spec: i32, status: serde_json::Value) -> Deployment {
        serde_json::from_value(json!({"metadata": {"name": "f", "generation": generation},
            "spec": {"replicas": spec, "selector": {}, "template": {"metadata": {"annotations": {"kfn.io/revision": "new"}}}}, "status": status}))
        .unwrap()
    }

    fn pod(revision: &str, ready: bool, container: serde_json::Value) -> Pod {
        serde_json::from_value(json!({"metadata": {"name": format!("f-{revision}"), "annotations": {"kfn.io/revision": revision}},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}],
                "containerStatuses": [container]}}))
        .unwrap()
    }

    fn crashed(message: &str) -> serde_json::Value {
        json!({"name": "f", "ready": false, "restartCount": 2, "image": "x", "imageID": "",
            "state": {"waiting": {"reason": "CrashLoopBackOff", "message": format!("back-off 2s restarting failed container: {message}")}},
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "message": message}}})
    }

    #[test]
    fn a_mirror_keeps_the_last_complete_list_and_the_changes_after_it() {
        let mut m: Mirror<Pod> = Mirror::default();
        let p = |name: &str| -> Pod { serde_json::from_value(json!({"metadata": {"name": name}})).unwrap() };
        m.apply(watcher::Event::Init);
        m.apply(watcher::Event::InitApply(p("a")));
        assert!(!m.listed && m.objects.is_empty(), "nothing until the list is complete");
        m.apply(watcher::Event::InitDone);
        assert!(m.listed);
        m.apply(watcher::Event::Apply(p("b")));
        m.apply(watcher::Event::Delete(p("a")));
        assert_eq!(m.objects.keys().collect::<Vec<_>>(), ["b"]);
        // A relist replaces what was there, once it is complete.
        m.apply(watcher::Event::Init);
        m.apply(watcher::Event::InitApply(p("c")));
        assert_eq!(m.objects.keys().collect::<Vec<_>>(), ["b"]);
        m.apply(watcher::Event::InitDone);
        assert_eq!(m.objects.keys().collect::<Vec<_>>(), ["c"]);
    }

    #[test]
    fn the_verdict_waits_for_the_lists_then_the_new_generation_then_the_rollout() {
        let function = |observed: i64| -> DynamicObject {
            serde_json::from_value(json!({"apiVersion": "kubeless.io/v1beta1", "kind": "Function",
                "metadata": {"name": "f", "namespace": "default"}, "spec": {}, "status": {"observedGeneration": observed}}))
            .unwrap()
        };
        let listed = |objects: Vec<Change>, seen: &mut Seen| {
            for change in objects {
                seen.apply(change);
            }
        };
        let mut seen = Seen::default();
        assert_eq!(seen.verdict("f", None), None, "nothing listed yet");
        listed(
            vec![
                Change::Function(watcher::Event::Init),
                Change::Function(watcher::Event::InitApply(function(1))),
                Change::Function(watcher::Event::InitDone),
            ],
            &mut seen,
        );
        assert_eq!(seen.verdict("f", Some(2)), Some(Verdict::NotActedOn));
        assert_eq!(seen.verdict("f", None), None, "the Deployments are not listed yet");
        seen.apply(Change::Function(watcher::Event::Apply(function(2))));
        seen.apply(Change::Deployment(watcher::Event::InitDone));
        seen.apply(Change::Pod(watcher::Event::InitDone));
        assert_eq!(seen.verdict("f", Some(2)), Some(Verdict::NoDeployment));
        let status = json!({"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 0});
        seen.apply(Change::Deployment(watcher::Event::Apply(deployment(1, 1, status))));
        assert_eq!(
            seen.verdict("f", Some(2)),
            Some(Verdict::Progress("0/1 replicas ready".into()))
        );
        let logfmt = r#"time="t" level=fatal msg="cannot load f.hello: SyntaxError: bad""#;
        seen.apply(Change::Pod(watcher::Event::Apply(pod("new", false, crashed(logfmt)))));
        assert!(matches!(seen.verdict("f", Some(2)), Some(Verdict::Failed(f)) if f.pod == "f-new"));
        let status = json!({"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1});
        seen.apply(Change::Deployment(watcher::Event::Apply(deployment(1, 1, status))));
        assert_eq!(seen.verdict("f", Some(2)), Some(Verdict::Ready { ready: 1, wanted: 1 }));
    }

    #[test]
    fn a_function_at_zero_is_ready_when_its_status_says_idle() {
        let function = |state: &str| -> DynamicObject {
            serde_json::from_value(json!({"apiVersion": "kubeless.io/v1beta1", "kind": "Function",
                "metadata": {"name": "f", "namespace": "default"}, "spec": {},
                "status": {"observedGeneration": 2, "scaling": {"state": state}}}))
            .unwrap()
        };
        let mut seen = Seen::default();
        seen.apply(Change::Function(watcher::Event::InitApply(function("Warm"))));
        seen.apply(Change::Function(watcher::Event::InitDone));
        seen.apply(Change::Deployment(watcher::Event::InitDone));
        seen.apply(Change::Pod(watcher::Event::InitDone));
        let status = json!({"observedGeneration": 1, "replicas": 0, "updatedReplicas": 0, "readyReplicas": 0});
        seen.apply(Change::Deployment(watcher::Event::Apply(deployment(1, 0, status))));
        assert!(
            matches!(seen.verdict("f", Some(2)), Some(Verdict::Progress(_))),
            "no replica and not idle: still waiting"
        );
        seen.apply(Change::Function(watcher::Event::Apply(function("Idle"))));
        assert_eq!(seen.verdict("f", Some(2)), Some(Verdict::Ready { ready: 0, wanted: 0 }));
    }

    #[test]
    fn a_rollout_is_done_when_no_old_replica_is_left() {
        let done = |d: &Deployment| readiness(d).2;
        let status = |observed, replicas, updated, ready| json!({"observedGeneration": observed, "replicas": replicas, "updatedReplicas": updated, "readyReplicas": ready});
        assert!(
            !done(&deployment(2, 1, status(1, 1, 1, 1))),
            "generation not observed yet"
        );
        assert!(
            !done(&deployment(2, 1, status(2, 2, 1, 1))),
            "the old replica still serves"
        );
        assert!(!done(&deployment(2, 2, status(2, 2, 1, 2))), "one replica not updated");
        assert!(
            !done(&deployment(2, 1, status(2, 1, 1, 0))),
            "the new replica not ready"
        );
        assert!(done(&deployment(2, 1, status(2, 1, 1, 1))));
        assert!(done(&deployment(3, 2, status(3, 2, 2, 2))));
    }

    #[test]
    fn an_update_in_progress_counts_the_new_version_apart() {
        let status = json!({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 1, "readyReplicas": 1});
        let d = deployment(2, 1, status);
        let pods = [
            pod(
                "old",
                true,
                json!({"name": "f", "ready": true, "restartCount": 0, "image": "x", "imageID": ""}),
            ),
            pod("new", false, crashed("x")),
        ];
        assert_eq!(
            progress(&d, &pods),
            "0/1 replicas of the new version ready (1 old replica still serves)"
        );
        let d = deployment(
            1,
            1,
            json!({"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 0}),
        );
        assert_eq!(progress(&d, &pods), "0/1 replicas ready");
    }

    #[test]
    fn certain_failures_are_load_errors_and_artifact_problems() {
        let logfmt = r#"time="2026-01-01T00:00:00Z" level=fatal msg="cannot load bad.hello: ModuleNotFoundError: No module named 'x'""#;
        let f = certain_failure(&pod("new", false, crashed(logfmt))).expect("a load failure is certain");
        assert_eq!(
            f.message,
            "cannot load bad.hello: ModuleNotFoundError: No module named 'x'"
        );
        assert_eq!(f.reason, "CrashLoopBackOff");
        assert!(
            certain_failure(&pod(
                "new",
                false,
                crashed("FATA[0001] cannot load a.b: SyntaxError: bad")
            ))
            .is_some()
        );
        assert!(
            certain_failure(&pod("new", false, crashed("Segmentation fault"))).is_none(),
            "a crash may be transient"
        );
        let waiting = |reason: &str| {
            json!({"name": "f", "ready": false, "restartCount": 0, "image": "x", "imageID": "",
                "state": {"waiting": {"reason": reason, "message": "pip failed"}}})
        };
        let f = certain_failure(&pod("new", false, waiting("DependencyInstallFailed"))).unwrap();
        assert_eq!(
            (f.reason.as_str(), f.message.as_str()),
            ("DependencyInstallFailed", "pip failed")
        );
        assert!(certain_failure(&pod("new", false, waiting("ContainerCreating"))).is_none());
        // An old pod's failure says nothing about the new version.
        let d = deployment(2, 1, json!({}));
        let pods = [pod("old", false, crashed(logfmt))];
        assert!(current_pods(&d, &pods).find_map(certain_failure).is_none());
    }

    #[test]
    fn a_pending_pod_says_what_holds_it() {
        let unschedulable: Pod = serde_json::from_value(json!({"metadata": {"name": "f-1"}, "status": {"phase": "Pending",
            "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/3 nodes are available: 3 Insufficient cpu."}]}}))
        .unwrap();
        assert_eq!(
            pod_state(&unschedulable),
            "phase Pending, PodScheduled False Unschedulable: 0/3 nodes are available: 3 Insufficient cpu."
        );
        let unseen: Pod = serde_json::from_value(
            json!({"metadata": {"name": "f-1"}, "spec": {"containers": []}, "status": {"phase": "Pending"}}),
        )
        .unwrap();
        assert!(
            pod_state(&unseen).starts_with("phase Pending, not scheduled to a node: no scheduler has acted on it yet"),
            "{}",
            pod_state(&unseen)
        );
        let running: Pod = serde_json::from_value(json!({"metadata": {"name": "f-1"}, "spec": {"nodeName": "n1", "containers": []},
            "status": {"phase": "Running", "conditions": [{"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "False", "reason": "ContainersNotReady"}]}}))
        .unwrap();
        assert_eq!(pod_state(&running), "phase Running, Ready False ContainersNotReady");
    }

    #[test]
    fn pods_no_node_takes_are_told_apart_from_pods_starting() {
        let now = k8s_openapi::jiff::Timestamp::now();
        let pending = |created: k8s_openapi::jiff::Timestamp, conditions: serde_json::Value| -> Pod {
            serde_json::from_value(
                json!({"metadata": {"name": "f-1", "creationTimestamp": created.to_string()},
                "spec": {"containers": []}, "status": {"phase": "Pending", "conditions": conditions}}),
            )
            .unwrap()
        };
        let new = pending(now, json!([]));
        assert!(
            !not_placed(std::slice::from_ref(&new), Duration::ZERO),
            "a new pod gets its node"
        );
        assert!(not_placed(std::slice::from_ref(&new), PLACING), "not after we waited");
        let old = pending(now - k8s_openapi::jiff::SignedDuration::from_secs(60), json!([]));
        assert!(not_placed(std::slice::from_ref(&old), Duration::ZERO));
        let refused = pending(
            now,
            json!([{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]),
        );
        assert!(not_placed(std::slice::from_ref(&refused), Duration::ZERO));
        let placed: Pod = serde_json::from_value(
            json!({"metadata": {"name": "f-2"}, "spec": {"nodeName": "n1", "containers": []},
            "status": {"phase": "Pending"}}),
        )
        .unwrap();
        assert!(
            !not_placed(&[old.clone(), placed.clone()], PLACING),
            "one is starting on a node"
        );
        assert!(!not_placed(&[], PLACING), "no pods: nothing to say about nodes");
        assert_eq!(with_logs(&[old.clone(), placed.clone()]).len(), 1);
        assert_eq!(
            not_ready_summary(&[old.clone(), refused, placed]),
            "3 Pending, not scheduled to a node"
        );
        assert_eq!(not_ready_summary(&[]), "no pods");
    }

    #[test]
    fn log_lines_become_their_message() {
        assert_eq!(plain(r#"time="t" level=fatal msg="say \"hi\"""#), "say \"hi\"");
        assert_eq!(plain("time=t level=info msg=plain"), "plain");
        assert_eq!(
            plain("\x1b[31mFATA\x1b[0m[0003] cannot load a.b      "),
            "cannot load a.b"
        );
        assert_eq!(
            plain("Traceback (most recent call last):"),
            "Traceback (most recent call last):"
        );
        assert_eq!(
            plain(r#"Back-off restarting failed container: time="t" level=fatal msg="cannot load a.b""#),
            "Back-off restarting failed container: cannot load a.b"
        );
    }

    #[test]
    fn events_are_sorted_and_repeats_folded() {
        let event = |at: &str, reason: &str, message: &str| -> Event {
            serde_json::from_value(
                json!({"metadata": {"name": format!("e.{at}")}, "type": "Warning", "reason": reason,
                "message": message, "lastTimestamp": at, "involvedObject": {"name": "f-1"}}),
            )
            .unwrap()
        };
        let lines = event_lines(
            vec![
                event(
                    "2026-01-01T00:00:05Z",
                    "BackOff",
                    r#"time="2026-01-01T00:00:05Z" level=fatal msg="cannot load""#,
                ),
                event("2026-01-01T00:00:01Z", "Scheduled", "started"),
                event(
                    "2026-01-01T00:00:03Z",
                    "BackOff",
                    r#"time="2026-01-01T00:00:03Z" level=fatal msg="cannot load""#,
                ),
            ],
            5,
        );
        assert_eq!(
            lines,
            [
                "Warning Scheduled f-1: started",
                "Warning BackOff f-1: cannot load (×2)"
            ]
        );
    }
}
