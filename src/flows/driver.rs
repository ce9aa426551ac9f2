//! Runs one execution to its end: steps the [`machine`](super::machine), calls functions and
//! stores the status after each transition through a [`Host`] (the local engine, or
//! `kfn controller` on a cluster), sleeps through Waits and backoffs without holding anything
//! but a timer, and stops when asked.

//!
//! The status is stored each time the execution has to wait (for a call, a Wait, a backoff, a
//! branch) and at its end: transitions that follow each other without waiting (a chain of Pass
//! or Choice states) are stored together, once, with all their events. Nothing is stored when a
//! step changed nothing.
//!
//! Delivery is at least once: a Task whose call was in flight when the execution was last
//! stored (the engine or the controller stopped) is called again when it resumes, with its
//! full timeout. Waits and retry backoffs resume to their stored deadline.
//!
//! Sizes: a state's input or output over [`DATA_LIMIT`] (256 KiB) fails it with
//! `States.DataLimitExceeded`; an event's `data` over [`EVENT_DATA_LIMIT`] is recorded as
//! `{"truncated": true, "bytes": N}`; a status the host cannot store though the execution is
//! there ([`SaveError::Failed`]) is replaced, once, by a small `Failed` one with the reason.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::future::Future;
use std::time::Duration;

use futures::FutureExt;
use futures::future::{AbortHandle, abortable};
use futures::stream::{FuturesUnordered, StreamExt};
use serde_json::Value;
use tokio::sync::watch;
use tokio::time::Instant;

use super::definition::Definition;
use super::errors::FlowError;
use super::machine::{End, Info, Machine, rfc3339};
use crate::api::kinds::{Execution, ExecutionStatus, HISTORY_LIMIT, HistoryEvent, Phase, Stop};

/// What runs executions provides: calls of functions and a place to store the status.
pub trait Host: Send + Sync + 'static {
    /// Calls the function `namespace/name` with `payload` (JSON) and gives its answer as JSON
    /// (an answer that is not JSON is a string). A function that raised gives the error's
    /// name and message (`ValueError`, `TypeError`); one that ran out of time `States.Timeout`;
    /// any other failure `States.TaskFailed` with what went wrong. `timeout` bounds the call.
    fn call(
        &self,
        namespace: &str,
        name: &str,
        payload: Value,
        timeout: Option<Duration>,
    ) -> impl Future<Output = Result<Value, FlowError>> + Send;

    /// Stores the execution's status (called after each transition, and at the end). An error
    /// means the execution cannot go on: the run stops. When the object is there but the
    /// status could not be stored ([`SaveError::Failed`]: too big, the cluster refused it), the
    /// run tries once to store a small `Failed` status with the reason.
    fn save(&self, status: &ExecutionStatus) -> impl Future<Output = Result<(), SaveError>> + Send;

    /// The time, in milliseconds since the Unix epoch (read once per run: the run counts on from
    /// it with tokio's clock, so tests with a paused clock see Waits and backoffs pass at once).
    fn now_ms(&self) -> i64 {
        k8s_openapi::jiff::Timestamp::now().as_millisecond()
    }
}

/// Why a status was not stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveError {
    /// The execution's object is gone (deleted, or replaced by one with another uid).
    Gone(String),
    /// Anything else (the status is too big, the store refused it).
    Failed(String),
}

impl fmt::Display for SaveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SaveError::Gone(m) | SaveError::Failed(m) => f.write_str(m),
        }
    }
}

/// The largest input or output of a state, as JSON (AWS's limit): beyond it the state fails
/// with `States.DataLimitExceeded`.
pub const DATA_LIMIT: usize = 256 * 1024;

/// The largest `data` of a history event, as JSON: a bigger one is recorded as
/// `{"truncated": true, "bytes": N}` (the status has to fit in a Kubernetes object).
pub const EVENT_DATA_LIMIT: usize = 4 * 1024;

/// One execution to run (or to resume: `status` is what was stored, with its cursor).
#[derive(Clone, Debug)]
pub struct Run {
    pub namespace: String,
    /// The Execution's name and uid, and its Flow's name (the context object's
    /// `$$.Execution.Id`/`Name` and `$$.StateMachine.Name`).
    pub name: String,
    pub uid: String,
    pub flow: String,
    pub input: Value,
    /// The definition, as JSON (stored in the status at the start) and parsed.
    pub source: Value,
    pub definition: Definition,
    pub status: Option<ExecutionStatus>,
}

impl Run {
    /// What `execution` runs: the definition its status keeps (the one it started with: a later
    /// update of its Flow does not change it), else `flow_definition` (its Flow's now, `None`
    /// when there is no such Flow). An error (`States.Runtime`) says why it cannot run; see
    /// [`failed_to_start`].
    pub fn of(execution: &Execution, flow_definition: Option<Value>) -> Result<Run, FlowError> {
        let namespace = execution.metadata.namespace.clone().unwrap_or_default();
        let flow = &execution.spec.flow;
        let status = execution.status.clone();
        let source = status
            .as_ref()
            .and_then(|s| s.definition.clone())
            .or(flow_definition)
            .ok_or_else(|| FlowError::runtime(format!("there is no flow {flow} in the namespace {namespace}")))?;
        let definition = super::parse(&source).map_err(|problems| {
            let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
            FlowError::runtime(format!(
                "the definition of the flow {flow} is not valid: {}",
                lines.join("; ")
            ))
        })?;
        Ok(Run {
            namespace,
            name: execution.metadata.name.clone().unwrap_or_default(),
            uid: execution.metadata.uid.clone().unwrap_or_default(),
            flow: flow.clone(),
            input: execution.spec.input.clone(),
            source,
            definition,
            status,
        })
    }
}

/// The status of an execution that cannot start (or go on): `Failed` now with `error`, its
/// start time kept (or now), no cursor.
pub fn failed_to_start(status: Option<ExecutionStatus>, error: &FlowError, now_ms: i64) -> ExecutionStatus {
    let mut status = status.unwrap_or_default();
    if status.start_time.is_empty() {
        status.start_time = rfc3339(now_ms);
    }
    finish(&mut status, now_ms, End::Failed(error.clone()));
    status
}

/// Wall-clock milliseconds, counted on from the host's time with tokio's clock.
struct Clock {
    wall: i64,
    instant: Instant,
}

impl Clock {
    fn new(wall: i64) -> Clock {
        Clock {
            wall,
            instant: Instant::now(),
        }
    }

    fn now(&self) -> i64 {
        self.wall
            .saturating_add(i64::try_from(self.instant.elapsed().as_millis()).unwrap_or(i64::MAX))
    }

    fn instant(&self, at: i64) -> Instant {
        self.instant + Duration::from_millis(u64::try_from(at.saturating_sub(self.wall)).unwrap_or(0))
    }
}

/// Appends an event, keeping the first half of [`HISTORY_LIMIT`] events and the latest ones;
/// its `data` beyond [`EVENT_DATA_LIMIT`] is replaced by its size.
fn record(status: &mut ExecutionStatus, mut event: HistoryEvent) {
    if let Some(data) = &event.data {
        let bytes = serde_json::to_vec(data).map_or(usize::MAX, |v| v.len());
        if bytes > EVENT_DATA_LIMIT {
            event.data = Some(serde_json::json!({"truncated": true, "bytes": bytes}));
        }
    }
    if status.history.len() >= HISTORY_LIMIT {
        status.history.remove(HISTORY_LIMIT / 2);
        status.history_dropped += 1;
    }
    status.history.push(event);
}

fn finish(status: &mut ExecutionStatus, now: i64, end: End) {
    status.stop_time = rfc3339(now);
    status.cursor = None;
    match end {
        End::Succeeded(output) => {
            status.phase = Phase::Succeeded;
            status.output = Some(output);
        }
        End::Failed(error) => {
            status.phase = Phase::Failed;
            status.error = error.error;
            status.cause = error.cause;
        }
        End::TimedOut(error) => {
            status.phase = Phase::TimedOut;
            status.error = error.error;
            status.cause = error.cause;
        }
    }
}

/// Stores `status`. When that fails but the execution is there, stores instead (once) a small
/// `Failed` status with the reason and gives it: `Err(Some(small))`; `Err(None)` when the
/// execution is gone.
async fn store<H: Host>(host: &H, status: &ExecutionStatus, now: i64) -> Result<(), Option<ExecutionStatus>> {
    match host.save(status).await {
        Ok(()) => Ok(()),
        Err(SaveError::Gone(_)) => Err(None),
        Err(SaveError::Failed(reason)) => {
            let error = FlowError::runtime(format!("the execution's status cannot be stored: {reason}"));
            let mut small = ExecutionStatus {
                start_time: status.start_time.clone(),
                definition: status.definition.clone(),
                history_dropped: status.history_dropped + status.history.len() as u64,
                ..Default::default()
            };
            finish(&mut small, now, End::Failed(error));
            let _ = host.save(&small).await;
            Err(Some(small))
        }
    }
}

/// Runs `run` until it ends (or `stop` says to abort it, or the host cannot store it) and gives
/// the last status written.
pub async fn run<H: Host>(host: &H, run: Run, mut stop: watch::Receiver<Option<Stop>>) -> ExecutionStatus {
    let clock = Clock::new(host.now_ms());
    let Run {
        namespace,
        name,
        flow,
        input,
        source,
        definition,
        status,
        ..
    } = run;
    let mut status = status.unwrap_or_default();
    if status.phase.is_final() {
        return status;
    }
    let now = clock.now();
    if status.start_time.is_empty() {
        status.start_time = rfc3339(now);
    }
    if status.definition.is_none() {
        status.definition = Some(source);
    }
    let info = Info {
        namespace,
        name,
        flow,
        input,
        start_time: status.start_time.clone(),
    };
    let mut machine = match status.cursor.take().map(serde_json::from_value::<Machine>) {
        Some(Ok(machine)) => machine,
        Some(Err(e)) => {
            let error = FlowError::runtime(format!("the stored cursor of the execution cannot be read: {e}"));
            finish(&mut status, now, End::Failed(error));
            let _ = host.save(&status).await;
            return status;
        }
        None => {
            let (machine, started) = Machine::start(&definition, &info, now);
            record(&mut status, started);
            machine
        }
    };
    let mut results: HashMap<u64, Result<Value, FlowError>> = HashMap::new();
    let mut known: HashSet<u64> = HashSet::new();
    let mut handles: HashMap<u64, AbortHandle> = HashMap::new();
    let mut calls = FuturesUnordered::new();
    let mut stop_open = true;
    loop {
        let stopped = stop.borrow_and_update().clone();
        if let Some(request) = stopped {
            let now = clock.now();
            let event = machine.abort(&request, now);
            record(&mut status, event);
            status.phase = Phase::Aborted;
            status.stop_time = rfc3339(now);
            status.cursor = None;
            status.error = request.error;
            status.cause = request.cause;
            for handle in handles.values() {
                handle.abort();
            }
            let _ = host.save(&status).await;
            return status;
        }
        let now = clock.now();
        let step = machine.step(&definition, &info, now, &mut results, &known);
        results.clear();
        let changed = !step.events.is_empty() || !step.calls.is_empty();
        for event in step.events {
            record(&mut status, event);
        }
        if let Some(end) = step.end {
            for handle in handles.values() {
                handle.abort();
            }
            finish(&mut status, now, end);
            return match store(host, &status, now).await {
                Err(Some(small)) => small,
                _ => status,
            };
        }
        for call in step.calls {
            let token = call.token;
            known.insert(token);
            let (future, handle) =
                abortable(async move { host.call(&call.namespace, &call.name, call.payload, call.timeout).await });
            handles.insert(token, handle);
            calls.push(future.map(move |answer| (token, answer)));
        }
        if handles.len() > step.live.len() {
            let live: HashSet<u64> = step.live.iter().copied().collect();
            handles.retain(|token, handle| {
                let keep = live.contains(token);
                if !keep {
                    handle.abort();
                    known.remove(token);
                }
                keep
            });
        }
        if changed {
            status.cursor = match serde_json::to_value(&machine) {
                Ok(cursor) => Some(cursor),
                Err(e) => {
                    let error = FlowError::runtime(format!("the execution's cursor cannot be stored: {e}"));
                    finish(&mut status, now, End::Failed(error));
                    let _ = host.save(&status).await;
                    return status;
                }
            };
            if let Err(stopped) = store(host, &status, now).await {
                return stopped.unwrap_or(status);
            }
        }
        let wake = step.wake.map(|at| clock.instant(at));
        if calls.is_empty() && wake.is_none() && !stop_open {
            let error = FlowError::runtime("the execution waits for nothing (an interpreter bug)");
            finish(&mut status, now, End::Failed(error));
            let _ = host.save(&status).await;
            return status;
        }
        let mut take = |(token, answer): (u64, Result<Result<Value, FlowError>, futures::future::Aborted>)| {
            if let Ok(answer) = answer {
                handles.remove(&token);
                results.insert(token, answer);
            }
        };
        tokio::select! {
            Some(answer) = calls.next(), if !calls.is_empty() => {
                take(answer);
                while let Some(Some(answer)) = calls.next().now_or_never() {
                    take(answer);
                }
            }
            _ = tokio::time::sleep_until(wake.unwrap_or_else(Instant::now)), if wake.is_some() => {}
            changed = stop.changed(), if stop_open => {
                if changed.is_err() {
                    stop_open = false;
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "driver_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "driver_asl_tests.rs"]
mod asl_tests;
