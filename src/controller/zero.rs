//! Scale to zero on clusters. Every tick the leader runs [`scaling::decide`] for each Function
//! with `spec.scaling.scaleToZeroAfter`, with the calls it knows of: the activator's reports
//! (the [`LAST_CALL_ANNOTATION`] it writes on the function's Service), the calls the function's
//! ready pods count (`function_calls_total`, scraped from each pod), and a replica appearing on
//! a function at zero (the activator woke it). At zero the Deployment has `replicas: 0`, the
//! Service points at `kfn activator` (no selector, an EndpointSlice with the activator's
//! addresses and the function's own activator port), and the status says Idle; once a replica
//! is ready again, the Service points back at the function's pods.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ObjectReference, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams};
use kube::runtime::reflector::Store;
use serde_json::json;

use super::{Children, Ctx, Error, child};
use crate::api::kinds::{self, Condition, Function};
use crate::client::kubeless;
use crate::render::cluster::{self, ACTIVATOR_PORT_ANNOTATION, LAST_CALL_ANNOTATION};
use crate::scaling::{self, Action, IdleTimes, Inputs, Settings, Windows};

/// How often the scaling policy runs.
pub const TICK: Duration = Duration::from_secs(3);
/// The name of the activator's Deployment, Service, ServiceAccount and ClusterRole.
pub const ACTIVATOR: &str = "kfn-activator";
/// The Ready condition's message while a function is at zero.
pub const IDLE_MESSAGE: &str = "scaled to zero, the next call starts a replica";
/// The activator ports the controller hands out, unless `KFN_ACTIVATOR_PORTS=FIRST-LAST` says.
pub const PORTS: (u16, u16) = (20000, 29999);

/// The activator ports from `KFN_ACTIVATOR_PORTS` (`FIRST-LAST`), else [`PORTS`].
fn port_range() -> (u16, u16) {
    std::env::var("KFN_ACTIVATOR_PORTS")
        .ok()
        .and_then(|r| {
            let (a, b) = r.split_once('-')?;
            let (a, b) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            (a > 0 && a <= b).then_some((a, b))
        })
        .unwrap_or(PORTS)
}

/// Now, since the Unix epoch (the epoch the scaling policy is given times in).
fn now() -> Duration {
    Duration::from_secs(Timestamp::now().as_second().max(0) as u64)
}

fn parse_time(text: &str) -> Option<Duration> {
    let t: Timestamp = text.parse().ok()?;
    Some(Duration::from_secs(t.as_second().max(0) as u64))
}

fn format_time(at: Duration) -> String {
    Timestamp::from_second(at.as_secs() as i64)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// What the controller knows of one function's calls.
struct Tracked {
    history: IdleTimes,
    /// The Deployment's replicas at the last tick.
    replicas: Option<i32>,
    /// The sum of the ready pods' `function_calls_total` at the last scrape.
    pod_calls: Option<f64>,
    /// The EndpointSlice last applied for it at the activator.
    slice: Option<String>,
}

/// The scale-to-zero state of the controller.
pub(super) struct Zero {
    tracked: parking_lot::Mutex<HashMap<String, Tracked>>,
    /// Activator ports handed out (by Function uid) that the Service may not show yet.
    reserved: parking_lot::Mutex<HashMap<String, u16>>,
    /// The EndpointSlices of the activator's own Service.
    activators: Store<EndpointSlice>,
    ports: (u16, u16),
    http: reqwest::Client,
}

impl Zero {
    pub(super) fn new(activators: Store<EndpointSlice>) -> Zero {
        Zero {
            tracked: Default::default(),
            reserved: Default::default(),
            activators,
            ports: port_range(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(2))
                .build()
                .unwrap_or_default(),
        }
    }

    /// The ready addresses of the activator's pods.
    pub(super) fn activator_addresses(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .activators
            .state()
            .iter()
            .flat_map(|s| s.endpoints.clone().into_iter().flatten())
            .filter(|e| e.conditions.as_ref().and_then(|c| c.ready) != Some(false))
            .flat_map(|e| e.addresses)
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The activator port of a function whose Service points at the activator now: one that
    /// scales to zero, has no ready replica, and is at zero or already at the activator (woken,
    /// its replica not ready yet). None: the Service points at the function's pods.
    pub(super) fn activator_port(&self, f: &Function, children: &Children) -> Option<u16> {
        let uid = f.metadata.uid.clone().unwrap_or_default();
        let (name, ns) = (f.name(), f.namespace());
        let service = children.services.get(&child(name, ns));
        let current = service.as_deref().and_then(port_of);
        let at_activator = f.spec.scaling.as_ref().and_then(|s| s.idle_window()).is_some()
            && children.deployments.get(&child(name, ns)).is_some_and(|d| {
                let ready = d.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0);
                let replicas = d.spec.replicas.unwrap_or(1);
                ready == 0 && (replicas == 0 || current.is_some())
            });
        let mut reserved = self.reserved.lock();
        if !at_activator {
            reserved.remove(&uid);
            return None;
        }
        if let Some(port) = current {
            reserved.insert(uid, port);
            return Some(port);
        }
        if let Some(port) = reserved.get(&uid) {
            return Some(*port);
        }
        let mut used: std::collections::HashSet<u16> =
            children.services.state().iter().filter_map(|s| port_of(s)).collect();
        used.extend(reserved.values().copied());
        let port = (self.ports.0..=self.ports.1).find(|p| !used.contains(p))?;
        reserved.insert(uid, port);
        Some(port)
    }
}

/// The activator port a Service's annotation names.
pub fn port_of(service: &Service) -> Option<u16> {
    service
        .metadata
        .annotations
        .as_ref()?
        .get(ACTIVATOR_PORT_ANNOTATION)?
        .parse()
        .ok()
}

/// A reference to a Function, for its Events.
fn reference(f: &Function) -> ObjectReference {
    ObjectReference {
        api_version: Some("kubeless.io/v1beta1".into()),
        kind: Some("Function".into()),
        name: f.metadata.name.clone(),
        namespace: f.metadata.namespace.clone(),
        uid: f.metadata.uid.clone(),
        ..Default::default()
    }
}

/// Runs the scaling policy every [`TICK`] while this controller leads.
pub(super) async fn run(ctx: Arc<Ctx>, functions: Store<DynamicObject>) {
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if !ctx.leader.load(Ordering::SeqCst) {
            continue;
        }
        let mut seen = std::collections::HashSet::new();
        for obj in functions.state() {
            let Ok(f) = kinds::lenient::<Function>(&kubeless::to_value(&obj)).into_result() else {
                continue;
            };
            seen.insert(f.metadata.uid.clone().unwrap_or_default());
            if let Err(e) = step(&ctx, &f).await {
                tracing::warn!("scaling of Function {}/{}: {e}", f.namespace(), f.name());
            }
        }
        ctx.zero.tracked.lock().retain(|uid, _| seen.contains(uid));
    }
}

/// The minimum the function's schedules ask for now.
fn scheduled_min(f: &Function, now: Duration) -> u32 {
    let rules: Vec<scaling::schedule::Rule> = f
        .spec
        .scaling
        .iter()
        .flat_map(|s| s.schedules.iter())
        .filter_map(|s| {
            Some(scaling::schedule::Rule {
                schedule: crate::api::schedule::parse(&s.cron).ok()?,
                min: u32::try_from(s.min).ok()?,
                duration: crate::api::schedule::go_duration(&s.duration).ok()?,
            })
        })
        .collect();
    scaling::schedule::minimum(&rules, now)
}

/// One function's tick: what calls arrived, the decision, and acting on it.
async fn step(ctx: &Ctx, f: &Function) -> Result<(), Error> {
    let Some(spec) = f.spec.scaling.as_ref() else {
        return Ok(());
    };
    let Some(idle_after) = spec.idle_window() else {
        return Ok(());
    };
    if f.metadata.deletion_timestamp.is_some() {
        return Ok(());
    }
    let (ns, name) = (f.namespace(), f.name());
    let uid = f.metadata.uid.clone().unwrap_or_default();
    let Some(d) = ctx.children.deployments.get(&child(name, ns)) else {
        return Ok(());
    };
    let replicas = d.spec.replicas.unwrap_or(1);
    let ready = d.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0);
    let now = now();
    let service = ctx.children.services.get(&child(name, ns));
    let reported = service
        .as_ref()
        .and_then(|s| s.metadata.annotations.as_ref()?.get(LAST_CALL_ANNOTATION).cloned())
        .and_then(|t| parse_time(&t));
    let pod_calls = match ready {
        0 => None,
        _ => pod_calls(ctx, f).await,
    };
    let status = f.status.clone().unwrap_or_default();
    let old = status.scaling.clone().unwrap_or_default();
    let (decision, last_call) = {
        let mut tracked = ctx.zero.tracked.lock();
        let t = tracked.entry(uid.clone()).or_insert_with(|| {
            // A function first seen counts as called then (or when its status says it was).
            let mut history = IdleTimes::new(Settings::default());
            history.record(old.last_call.as_deref().and_then(parse_time).unwrap_or(now).min(now));
            Tracked {
                history,
                replicas: None,
                pod_calls: None,
                slice: None,
            }
        });
        if let Some(at) = reported.map(|a| a.min(now))
            && t.history.last_call().is_none_or(|last| at > last)
        {
            t.history.record(at);
        }
        if t.replicas == Some(0) && replicas > 0 {
            t.history.record(now);
        }
        match pod_calls {
            Some(calls) => {
                if t.pod_calls.is_some_and(|before| calls > before) {
                    t.history.record(now);
                }
                t.pod_calls = Some(calls);
            }
            None => t.pod_calls = None,
        }
        t.replicas = Some(replicas);
        let inputs = Inputs {
            now,
            replicas: u32::try_from(replicas).unwrap_or(0),
            busy: 0,
            idle_after,
            proactive: spec.is_proactive(),
            scheduled_min: scheduled_min(f, now),
        };
        (scaling::decide(&t.history, inputs), t.history.last_call())
    };
    let windows = &decision.windows;
    match decision.action {
        Action::ScaleToZero(why) => {
            scale(ctx, ns, name, 0).await?;
            write_scaling(ctx, f, "Idle", &why, last_call, windows, true, false).await?;
            event(ctx, f, "ScaledToZero", &why).await;
        }
        // A call the activator reported just now: it is waking the function itself.
        Action::Warm(..) if reported.is_some_and(|at| now.saturating_sub(at) < Duration::from_secs(10)) => {}
        Action::Warm(n, why) => {
            scale(ctx, ns, name, n).await?;
            write_scaling(ctx, f, "PreWarmed", &why, last_call, windows, false, false).await?;
            event(ctx, f, "PreWarmed", &why).await;
        }
        Action::Keep => {
            let (state, reason) = match (replicas, ready, old.state.as_str()) {
                (0, _, "Idle") => ("Idle", old.reason.clone().unwrap_or_default()),
                (0, _, _) => ("Idle", "the Deployment has no replica".to_string()),
                (_, 1.., "Idle") => ("Warm", "a call woke it".to_string()),
                (_, _, "") => ("Warm", "has replicas".to_string()),
                (_, _, s) => (s, old.reason.clone().unwrap_or_default()),
            };
            let moved = last_call
                .zip(old.last_call.as_deref().and_then(parse_time))
                .is_none_or(|(known, written)| known.saturating_sub(written) >= Duration::from_secs(30));
            let prediction = windows.describe();
            if state != old.state || old.prediction.as_deref() != Some(&prediction) || moved {
                let keep_since = state == old.state;
                write_scaling(ctx, f, state, &reason, last_call, windows, state == "Idle", keep_since).await?;
            }
        }
    }
    // The activator's addresses change with its pods: the EndpointSlice follows.
    if let Some(port) = ctx.zero.activator_port(f, &ctx.children)
        && ctx.children.services.get(&child(name, ns)).as_deref().and_then(port_of) == Some(port)
    {
        let slice = cluster::activator_slice(f, port, &ctx.zero.activator_addresses());
        let text = slice.to_string();
        let applied = ctx.zero.tracked.lock().get(&uid).and_then(|t| t.slice.clone());
        if applied.as_deref() != Some(&text) {
            super::apply(&ctx.client, slice).await?;
            if let Some(t) = ctx.zero.tracked.lock().get_mut(&uid) {
                t.slice = Some(text);
            }
        }
    }
    Ok(())
}

/// Sets the Deployment's replicas through its scale subresource (so the controller's own
/// server-side apply, which leaves `replicas` out for such functions, never puts them back).
async fn scale(ctx: &Ctx, ns: &str, name: &str, replicas: u32) -> Result<(), Error> {
    let api: Api<Deployment> = Api::namespaced(ctx.client.clone(), ns);
    api.patch_scale(
        name,
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"replicas": replicas}})),
    )
    .await
    .map_err(|source| Error::Call {
        what: format!("scale Deployment {ns}/{name} to {replicas}"),
        source,
    })?;
    Ok(())
}

/// Writes `status.scaling` (and, at zero, Ready=True reason Idle).
#[allow(clippy::too_many_arguments)]
async fn write_scaling(
    ctx: &Ctx,
    f: &Function,
    state: &str,
    reason: &str,
    last_call: Option<Duration>,
    windows: &Windows,
    idle: bool,
    keep_since: bool,
) -> Result<(), Error> {
    let old = f.status.clone().unwrap_or_default();
    let since = match (keep_since, old.scaling.as_ref().and_then(|s| s.since.clone())) {
        (true, Some(since)) => since,
        _ => crate::api::now(),
    };
    let scaling = crate::api::kinds::ScalingStatus {
        state: state.to_string(),
        since: Some(since),
        reason: Some(reason.to_string()),
        last_call: last_call.map(format_time),
        prediction: Some(windows.describe()),
    };
    let mut status = json!({"scaling": scaling});
    if scaling.last_call.is_none() {
        // A merge patch: no call known clears the one stored.
        status["scaling"]["lastCall"] = serde_json::Value::Null;
    }
    if idle {
        status["conditions"] = json!([Condition::ready(&old.conditions, true, "Idle", IDLE_MESSAGE)]);
    }
    let api = kubeless::api_for(&ctx.client, f.namespace(), "Function");
    api.patch_status(
        f.name(),
        &PatchParams::default(),
        &Patch::Merge(json!({"status": status})),
    )
    .await
    .map_err(|source| Error::Status {
        what: format!("Function {}/{}", f.namespace(), f.name()),
        source,
    })?;
    Ok(())
}

async fn event(ctx: &Ctx, f: &Function, reason: &str, message: &str) {
    if let Err(e) = ctx.events.normal(reference(f), reason, message).await {
        tracing::warn!(
            "cannot record an Event on Function {}/{}: {}",
            f.namespace(),
            f.name(),
            super::api_message(&e)
        );
    }
}

/// The sum of `function_calls_total` of the function's ready pods, scraped from each pod's
/// address; None when none answers (the controller cannot reach the pod network, say).
async fn pod_calls(ctx: &Ctx, f: &Function) -> Option<f64> {
    let pods: Api<Pod> = Api::namespaced(ctx.client.clone(), f.namespace());
    let selector = format!("created-by=kubeless,function={}", f.name());
    let list = pods.list(&ListParams::default().labels(&selector)).await.ok()?;
    let port = crate::render::target_port(f);
    let mut total = None;
    for pod in list.items {
        let status = pod.status.unwrap_or_default();
        let ready = status
            .conditions
            .iter()
            .flatten()
            .any(|c| c.type_ == "Ready" && c.status == "True");
        let Some(ip) = status.pod_ip.filter(|_| ready) else {
            continue;
        };
        let host = if ip.contains(':') { format!("[{ip}]") } else { ip };
        let Ok(resp) = ctx.zero.http.get(format!("http://{host}:{port}/metrics")).send().await else {
            continue;
        };
        let Ok(text) = resp.text().await else { continue };
        if let Ok(samples) = crate::runtimes::metrics::parse(&text) {
            *total.get_or_insert(0.0) += crate::runtimes::metrics::totals(&samples).calls;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_as_rfc3339() {
        let at = Duration::from_secs(1_764_600_000);
        let text = format_time(at);
        assert!(text.ends_with('Z'), "{text}");
        assert_eq!(parse_time(&text), Some(at));
    }
}
