//! The idle loop: every tick (`KFN_IDLE_SYNC_PERIOD`, a Go duration, default `1s`) each
//! Function with `spec.scaling.scaleToZeroAfter` gets the scale-to-zero decision
//! ([`crate::scaling::decide`]) from the calls the activator recorded: to zero (Deployment
//! replicas 0, a `ScaledToZero` Event), warmed before a predicted call or for a schedule
//! (a `PreWarmed` Event), or left. `status.scaling` says the state, since when, why, the last
//! call and the current prediction; it is written when one of them changes (the last call at
//! most every [`LAST_CALL_EVERY`], so a busy function is not rewritten every tick).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::jiff::{Timestamp, Unit};
use serde_json::{Value, json};

use crate::api::kinds::{Function, Scaling, ScalingStatus};
use crate::engine::activator::{self, Activator};
use crate::engine::objects::{self, Objects, Parsed};
use crate::engine::store::Key;
use crate::scaling::{self, Action, Inputs, schedule};

const FUNCTIONS: &str = "kubeless.io/functions";
/// A change of the last call alone is written at most this often.
pub const LAST_CALL_EVERY: Duration = Duration::from_secs(10);

/// The idle loop's tick, from `KFN_IDLE_SYNC_PERIOD`.
pub fn period_from_env() -> Duration {
    std::env::var("KFN_IDLE_SYNC_PERIOD")
        .ok()
        .and_then(|v| crate::api::schedule::go_duration(&v).ok())
        .unwrap_or(Duration::from_secs(1))
        .max(Duration::from_millis(100))
}

pub fn start(objects: Arc<Objects>, activator: Arc<Activator>, period: Duration) {
    tokio::spawn(async move {
        let mut functions = Parsed::<Function>::default();
        let mut written: HashMap<(String, String), Instant> = HashMap::new();
        loop {
            tokio::time::sleep(period).await;
            let (stored, _) = objects.store.list(FUNCTIONS, None);
            let mut live = HashSet::new();
            for function in functions.read(&stored) {
                let key = (function.namespace().to_string(), function.name().to_string());
                live.insert(key.clone());
                let Some(scaling) = function.spec.scaling.as_ref() else {
                    continue;
                };
                let Some(idle_after) = scaling.idle_window() else {
                    continue;
                };
                if function.metadata.deletion_timestamp.is_some() {
                    continue;
                }
                let last_write = written.get(&key).copied();
                if tick(&objects, &activator, &function, scaling, idle_after, last_write) {
                    written.insert(key, Instant::now());
                }
            }
            activator.retain(&live);
            written.retain(|k, _| live.contains(k));
        }
    });
}

/// The schedules of a function's scaling that read (the API checked them when they were written).
fn rules(scaling: &Scaling) -> Vec<schedule::Rule> {
    scaling
        .schedules
        .iter()
        .filter_map(|s| {
            Some(schedule::Rule {
                schedule: crate::api::schedule::parse(&s.cron).ok()?,
                min: u32::try_from(s.min).unwrap_or(0),
                duration: crate::api::schedule::go_duration(&s.duration).ok()?,
            })
        })
        .collect()
}

fn rfc3339(at: Duration) -> String {
    Timestamp::from_second(at.as_secs() as i64)
        .map(|t| t.round(Unit::Second).unwrap_or(t).to_string())
        .unwrap_or_default()
}

fn since_epoch(text: &str) -> Option<Duration> {
    let t: Timestamp = text.parse().ok()?;
    u64::try_from(t.as_second()).ok().map(Duration::from_secs)
}

/// One function's tick; true when its status was written.
fn tick(
    objects: &Arc<Objects>,
    activator: &Activator,
    function: &Function,
    scaling: &Scaling,
    idle_after: Duration,
    last_write: Option<Instant>,
) -> bool {
    let (ns, name) = (function.namespace(), function.name());
    let Some(dep_def) = objects.registry().find("apps", "v1", "deployments") else {
        return false;
    };
    let Some(deployment) = objects.store.get(&Key::new(&dep_def.store_key(), ns, name)) else {
        return false;
    };
    let replicas = deployment
        .value
        .pointer("/spec/replicas")
        .and_then(Value::as_u64)
        .unwrap_or(1) as u32;
    let previous = function.status.as_ref().and_then(|s| s.scaling.clone());
    let now = activator::now();
    // A function not called since the engine started counts from the last call its status
    // remembers, else from now (its deployment, or the engine's start).
    let remembered = previous
        .as_ref()
        .and_then(|s| s.last_call.as_deref())
        .and_then(since_epoch);
    let calls = activator.snapshot(ns, name, || remembered.unwrap_or(now));
    let scheduled_min = schedule::minimum(&rules(scaling), now);
    let decision = scaling::decide(
        &calls.idle,
        Inputs {
            now,
            replicas,
            busy: calls.busy,
            idle_after,
            proactive: scaling.is_proactive(),
            scheduled_min,
        },
    );
    let applied = match &decision.action {
        Action::Keep => None,
        Action::ScaleToZero(why) => {
            // Not while a call has arrived since the decision (it would find no replica).
            let mut done = false;
            let resize = |d: &mut Value| {
                if activator.busy(ns, name) == 0 {
                    d["spec"]["replicas"] = json!(0);
                    done = true;
                }
            };
            let ok = objects::modify(objects, &dep_def, Some(ns), name, resize).is_ok() && done;
            ok.then(|| {
                tracing::info!("function {ns}/{name}: scaled to zero: {why}");
                event(objects, function, "ScaledToZero", why);
                ("Idle", why.clone())
            })
        }
        Action::Warm(n, why) if *n > replicas => {
            let resize = |d: &mut Value| d["spec"]["replicas"] = json!(n);
            objects::modify(objects, &dep_def, Some(ns), name, resize)
                .is_ok()
                .then(|| {
                    tracing::info!("function {ns}/{name}: {replicas} -> {n} replicas: {why}");
                    event(objects, function, "PreWarmed", why);
                    let state = if scheduled_min > replicas { "Warm" } else { "PreWarmed" };
                    (state, why.clone())
                })
        }
        Action::Warm(..) => None,
    };
    let (state, reason) = match applied {
        Some((state, why)) => (state, why),
        None => settled(previous.as_ref(), replicas, calls.woken),
    };
    let since = match previous.as_ref() {
        Some(p) if p.state == state => p.since.clone(),
        _ => Some(crate::api::now()),
    };
    let status = ScalingStatus {
        state: state.to_string(),
        since,
        reason: Some(reason),
        last_call: calls.idle.last_call().map(rfc3339),
        prediction: Some(decision.windows.describe()),
    };
    let Some(previous) = previous else {
        return write(objects, function, &status);
    };
    let changed = ScalingStatus {
        last_call: previous.last_call.clone(),
        ..status.clone()
    } != previous;
    let call_due = status.last_call != previous.last_call
        && (previous.last_call.is_none() || last_write.is_none_or(|w| w.elapsed() >= LAST_CALL_EVERY));
    (changed || call_due) && write(objects, function, &status)
}

/// The state when this tick changed nothing: what the replicas say, keeping the reason the
/// state was entered with.
fn settled(previous: Option<&ScalingStatus>, replicas: u32, woken: bool) -> (&'static str, String) {
    let kept = |state: &str| previous.filter(|p| p.state == state).and_then(|p| p.reason.clone());
    match previous.map(|p| p.state.as_str()) {
        _ if replicas == 0 => (
            "Idle",
            kept("Idle").unwrap_or_else(|| "the Deployment has 0 replicas".to_string()),
        ),
        _ if woken => ("Warm", "a call woke it from zero".to_string()),
        Some("PreWarmed") => ("PreWarmed", kept("PreWarmed").unwrap_or_default()),
        Some("Warm") => ("Warm", kept("Warm").unwrap_or_default()),
        _ if replicas == 1 => ("Warm", "1 replica".to_string()),
        _ => ("Warm", format!("{replicas} replicas")),
    }
}

fn event(objects: &Objects, function: &Function, reason: &str, message: &str) {
    objects::record_event(
        objects,
        &serde_json::to_value(function).unwrap_or_default(),
        "Normal",
        reason,
        message,
    );
}

fn write(objects: &Objects, function: &Function, status: &ScalingStatus) -> bool {
    let Some(def) = objects
        .registry()
        .find(crate::api::GROUP, crate::api::VERSION, "functions")
    else {
        return false;
    };
    let value = serde_json::to_value(status).unwrap_or_default();
    objects::modify(objects, &def, Some(function.namespace()), function.name(), |f| {
        if f.pointer("/metadata/deletionTimestamp").is_some() {
            return;
        }
        if !f["status"].is_object() {
            f["status"] = json!({});
        }
        f["status"]["scaling"] = value;
    })
    .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(state: &str, reason: &str) -> ScalingStatus {
        ScalingStatus {
            state: state.into(),
            reason: Some(reason.into()),
            ..Default::default()
        }
    }

    #[test]
    fn the_state_follows_the_replicas_and_keeps_the_reason_it_was_entered_with() {
        let idle = status("Idle", "no call for 60s (scale-to-zero-after 60s)");
        assert_eq!(settled(Some(&idle), 0, false).1, idle.reason.clone().unwrap());
        assert_eq!(
            settled(Some(&idle), 1, true),
            ("Warm", "a call woke it from zero".to_string())
        );
        assert_eq!(settled(Some(&idle), 2, false), ("Warm", "2 replicas".to_string()));
        let warm = status("PreWarmed", "pre-warmed 9m after the last call");
        assert_eq!(
            settled(Some(&warm), 1, false),
            ("PreWarmed", warm.reason.clone().unwrap())
        );
        assert_eq!(settled(None, 1, false), ("Warm", "1 replica".to_string()));
        assert_eq!(settled(None, 0, false).0, "Idle");
    }

    #[test]
    fn times_are_whole_seconds_in_rfc3339_both_ways() {
        let at = Duration::from_secs(1_764_600_000);
        assert_eq!(rfc3339(at), "2025-12-01T14:40:00Z");
        assert_eq!(since_epoch(&rfc3339(at)), Some(at));
        assert_eq!(since_epoch("yesterday"), None);
    }
}
