//! An execution as a value: where each of its threads is (a state, a Task in flight, a Wait's
//! deadline, a retry's backoff, the branches of a Parallel, the iterations of a Map), stepped
//! from one transition to the next. It serialises to the `cursor` of an Execution's status, so
//! an execution resumes after a restart where it was (a Task in flight is called again).
//!
//! [`Machine::step`] is pure: given the definition, the time, and the answers of the calls that
//! came back, it moves every thread as far as it can go and says what the driver must do (call
//! these functions, wake at this time) and what happened (history events), or how the
//! execution ended. Times are milliseconds since the Unix epoch, stored as absolute deadlines,
//! so a resumed execution waits only what is left of a Wait or a backoff.
//!
//! History: events are named as AWS Step Functions names them. A retry is recorded as the
//! failure (`TaskFailed`, `ParallelStateFailed`, `MapStateFailed`) followed, once the backoff is
//! over, by a new `TaskScheduled` (`ParallelStateStarted`, `MapStateStarted`); there is no event
//! of its own for it, as in AWS. A Task called again after a restart is not recorded again.
//!
//! The context object (`$$`): `Execution.{Id, Name, Input, StartTime, RoleArn}` (`Id` is
//! `<namespace>/<execution name>`, `RoleArn` empty), `StateMachine.{Id, Name}` (`Id` is
//! `<namespace>/<flow name>`), `State.{Name, EnteredTime, RetryCount}`, and `Map.Item.{Index,
//! Value}` in a Map's `ItemSelector`.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;

use k8s_openapi::jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::choice;
use super::definition::{
    Definition, Io, Jitter, Kind, Resource, ResultPath, Retrier, Seconds, Select, State, Text, Transition, Wait,
};
use super::errors::{self, FlowError};
use super::io;
use super::path::kind_of;
use crate::api::kinds::{HistoryEvent, Stop};

/// What the context object says of the execution (the same for every state).
#[derive(Clone, Debug)]
pub struct Info {
    pub namespace: String,
    /// The Execution's name, and its Flow's.
    pub name: String,
    pub flow: String,
    pub input: Value,
    /// RFC 3339.
    pub start_time: String,
}

/// A function to call: the driver calls it and gives its answer back to [`Machine::step`] under
/// `token`.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub token: u64,
    pub namespace: String,
    pub name: String,
    pub payload: Value,
    pub timeout: Option<Duration>,
}

/// How an execution ended.
#[derive(Clone, Debug, PartialEq)]
pub enum End {
    Succeeded(Value),
    Failed(FlowError),
    /// The flow's `TimeoutSeconds` ran out (`States.Timeout`).
    TimedOut(FlowError),
}

/// What one step did and asks for.
#[derive(Debug, Default)]
pub struct Step {
    /// What happened, in order.
    pub events: Vec<HistoryEvent>,
    /// Calls to make (new ones, and those in flight the driver did not know of: after a resume).
    pub calls: Vec<Call>,
    /// The tokens of every call in flight; calls not among them are no longer awaited (their
    /// branch failed, their state timed out) and can be dropped.
    pub live: Vec<u64>,
    /// When to step again at the latest (a Wait's or backoff's end, a Task's or the flow's
    /// timeout), if nothing comes back before.
    pub wake: Option<i64>,
    /// Set when the execution has ended.
    pub end: Option<End>,
}

/// An execution in progress (see the module's documentation). Serialises to the cursor.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Machine {
    /// The last history event's id, and the last call's token.
    events: u64,
    tokens: u64,
    started: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    deadline: Option<i64>,
    root: Thread,
}

/// One thread of control: the top machine, a Parallel's branch, a Map's iteration.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Thread {
    /// The state it is in, and that state's raw input.
    state: String,
    input: Value,
    /// When it entered the state, and the id of its `…StateEntered` event.
    #[serde(default)]
    entered_at: i64,
    #[serde(default)]
    entered: u64,
    /// Retries so far, by retrier (reset when the state is left).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    retries: Vec<u32>,
    at: At,
}

/// Where a thread is within its state.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", tag = "at")]
enum At {
    /// About to enter it.
    Entering,
    /// A Task's call in flight.
    #[serde(rename_all = "camelCase")]
    Calling {
        token: u64,
        namespace: String,
        name: String,
        payload: Value,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
        /// Set when the driver is given the call (again after a resume).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deadline: Option<i64>,
        /// The `TaskScheduled` event's id.
        scheduled: u64,
        /// `arn:aws:states:::lambda:invoke`: the result is wrapped as AWS wraps it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        lambda: bool,
    },
    /// A Wait state, until then.
    Waiting { until: i64 },
    /// A retry's backoff: the state's work starts again then.
    Backoff { until: i64 },
    /// A Parallel's branches.
    Parallel { branches: Vec<Child> },
    /// A Map's iterations.
    Map(Box<Iterations>),
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
enum Child {
    Running(Box<Thread>),
    Done(Value),
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Iterations {
    /// The `MapStateStarted` event's id.
    started: u64,
    /// Inputs of the iterations not started yet, by index.
    pending: VecDeque<(usize, Value)>,
    running: Vec<(usize, Thread)>,
    /// Outputs by index (`null` until done, and for tolerated failures).
    results: Vec<Value>,
    failed: u64,
    /// 0: no limit.
    max_concurrency: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tolerated_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tolerated_percentage: Option<f64>,
}

/// RFC 3339 with milliseconds, UTC.
pub fn rfc3339(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| format!("{t:.3}"))
        .unwrap_or_default()
}

/// Milliseconds since the epoch of an RFC 3339 time.
pub fn parse_time(text: &str) -> Option<i64> {
    text.parse::<Timestamp>().ok().map(|t| t.as_millisecond())
}

impl Machine {
    /// An execution of `definition` starting now with `info.input`; gives its first event
    /// (`ExecutionStarted`).
    pub fn start(definition: &Definition, info: &Info, now: i64) -> (Machine, HistoryEvent) {
        let mut machine = Machine {
            events: 0,
            tokens: 0,
            started: now,
            deadline: definition
                .timeout_seconds
                .map(|s| now.saturating_add(i64::try_from(s).unwrap_or(i64::MAX).saturating_mul(1000))),
            root: Thread::new(&definition.start_at, info.input.clone()),
        };
        let event = machine.event(now, "ExecutionStarted", "", Some(info.input.clone()));
        (machine, event)
    }

    /// The event that ends an execution stopped by `stop` (`ExecutionAborted`).
    pub fn abort(&mut self, stop: &Stop, now: i64) -> HistoryEvent {
        let mut event = self.event(now, "ExecutionAborted", "", None);
        event.error = stop.error.clone();
        event.cause = stop.cause.clone();
        event
    }

    fn event(&mut self, now: i64, type_: &str, state: &str, data: Option<Value>) -> HistoryEvent {
        self.events += 1;
        HistoryEvent {
            id: self.events,
            previous: 0,
            timestamp: rfc3339(now),
            type_: type_.to_string(),
            state: state.to_string(),
            data,
            ..Default::default()
        }
    }

    /// Moves every thread as far as it goes at `now`, with the answers in `results` (taken out
    /// as they are used; answers for calls no longer awaited stay and can be dropped). `known`
    /// are the calls the driver has made already.
    pub fn step(
        &mut self,
        definition: &Definition,
        info: &Info,
        now: i64,
        results: &mut HashMap<u64, Result<Value, FlowError>>,
        known: &HashSet<u64>,
    ) -> Step {
        let mut cx = Cx {
            now,
            info,
            events: self.events,
            tokens: self.tokens,
            results,
            known,
            step: Step::default(),
        };
        if let Some(deadline) = self.deadline
            && now >= deadline
        {
            let error = FlowError::new(
                errors::TIMEOUT,
                format!(
                    "the execution ran longer than the flow's TimeoutSeconds ({})",
                    definition.timeout_seconds.unwrap_or_default()
                ),
            );
            let id = cx.event("ExecutionTimedOut", "", None, 0);
            cx.describe(id, &error);
            cx.step.end = Some(End::TimedOut(error));
            let step = cx.step;
            self.events = cx.events;
            return step;
        }
        let ended = self.root.advance(definition, &mut cx, "");
        match ended {
            Some(Ok(output)) => {
                cx.event("ExecutionSucceeded", "", Some(output.clone()), 0);
                cx.step.end = Some(End::Succeeded(output));
            }
            Some(Err(error)) => {
                let id = cx.event("ExecutionFailed", "", None, 0);
                cx.describe(id, &error);
                cx.step.end = Some(End::Failed(error));
            }
            None => {
                if let Some(deadline) = self.deadline {
                    cx.wake(deadline);
                }
            }
        }
        self.events = cx.events;
        self.tokens = cx.tokens;
        cx.step
    }
}

/// What a step carries through the threads.
struct Cx<'a> {
    now: i64,
    info: &'a Info,
    events: u64,
    tokens: u64,
    results: &'a mut HashMap<u64, Result<Value, FlowError>>,
    known: &'a HashSet<u64>,
    step: Step,
}

impl Cx<'_> {
    /// Records an event; gives its id.
    fn event(&mut self, type_: &str, state: &str, data: Option<Value>, previous: u64) -> u64 {
        self.events += 1;
        self.step.events.push(HistoryEvent {
            id: self.events,
            previous,
            timestamp: rfc3339(self.now),
            type_: type_.to_string(),
            state: state.to_string(),
            data,
            ..Default::default()
        });
        self.events
    }

    fn last(&mut self) -> &mut HistoryEvent {
        self.step.events.last_mut().expect("an event was just recorded")
    }

    /// Puts an error's name and cause on the event just recorded.
    fn describe(&mut self, _id: u64, error: &FlowError) {
        let event = self.last();
        event.error = error.error.clone();
        event.cause = error.cause.clone();
    }

    fn wake(&mut self, at: i64) {
        self.step.wake = Some(self.step.wake.map_or(at, |w| w.min(at)));
    }

    /// The context object for a state.
    fn context(&self, state: &str, entered: i64, retries: u32, item: Option<(usize, &Value)>) -> Value {
        let info = self.info;
        let mut context = json!({
            "Execution": {
                "Id": format!("{}/{}", info.namespace, info.name),
                "Name": info.name,
                "Input": info.input,
                "StartTime": info.start_time,
                "RoleArn": "",
            },
            "StateMachine": {
                "Id": format!("{}/{}", info.namespace, info.flow),
                "Name": info.flow,
            },
            "State": {
                "Name": state,
                "EnteredTime": rfc3339(entered),
                "RetryCount": retries,
            },
        });
        if let (Some((index, value)), Value::Object(fields)) = (item, &mut context) {
            fields.insert("Map".into(), json!({"Item": {"Index": index, "Value": value}}));
        }
        context
    }
}

/// What a state's work came to.
enum Flow {
    /// Waiting for a call, a time, or children.
    Blocked,
    /// Look again at where the thread is (it moved within the state).
    Again,
    /// The state's output, and where to go (its `Next`, unless a Choice or a Catcher says).
    Out(Value, Option<String>),
    Err(FlowError),
}

impl Thread {
    fn new(state: &str, input: Value) -> Thread {
        Thread {
            state: state.to_string(),
            input,
            entered_at: 0,
            entered: 0,
            retries: Vec::new(),
            at: At::Entering,
        }
    }

    fn retry_count(&self) -> u32 {
        self.retries.iter().sum()
    }

    fn context(&self, cx: &Cx<'_>) -> Value {
        cx.context(&self.state, self.entered_at, self.retry_count(), None)
    }

    /// Moves the thread as far as it goes; gives its output or error once it has ended.
    fn advance(&mut self, definition: &Definition, cx: &mut Cx<'_>, prefix: &str) -> Option<Result<Value, FlowError>> {
        loop {
            let Some(state) = definition.state(&self.state) else {
                return Some(Err(FlowError::runtime(format!(
                    "the definition has no state named {:?}",
                    self.state
                ))));
            };
            let path = format!("{prefix}{}", self.state);
            let kind = state.kind.name();
            let flow = match &mut self.at {
                At::Entering => {
                    self.entered = cx.event(&format!("{kind}StateEntered"), &path, Some(self.input.clone()), 0);
                    self.entered_at = cx.now;
                    self.retries.clear();
                    match too_big(&self.input, "input") {
                        Some(error) => Flow::Err(error),
                        None => self.work(state, cx, &path),
                    }
                }
                At::Backoff { until } => {
                    if cx.now >= *until {
                        self.work(state, cx, &path)
                    } else {
                        cx.wake(*until);
                        Flow::Blocked
                    }
                }
                At::Waiting { until } => {
                    if cx.now >= *until {
                        let context = || self.context(cx);
                        passthrough(&state.io, &self.input, context).map_or_else(Flow::Err, |out| Flow::Out(out, None))
                    } else {
                        cx.wake(*until);
                        Flow::Blocked
                    }
                }
                At::Calling { .. } => self.calling(state, cx, &path),
                At::Parallel { .. } => self.parallel(state, cx, &path),
                At::Map(_) => self.map(state, cx, &path),
            };
            let flow = match flow {
                Flow::Out(output, _) if let Some(error) = too_big(&output, "output") => Flow::Err(error),
                flow => flow,
            };
            match flow {
                Flow::Blocked => return None,
                Flow::Again => continue,
                Flow::Out(output, next) => {
                    if !matches!(state.kind, Kind::Fail { .. }) {
                        cx.event(&format!("{kind}StateExited"), &path, Some(output.clone()), self.entered);
                    }
                    let next = match (next, &state.transition) {
                        (Some(next), _) => next,
                        (None, Transition::Next(next)) => next.clone(),
                        (None, Transition::End) => return Some(Ok(output)),
                    };
                    self.state = next;
                    self.input = output;
                    self.retries.clear();
                    self.at = At::Entering;
                }
                Flow::Err(error) => match self.recover(state, error, cx) {
                    Flow::Blocked => return None,
                    Flow::Again => continue,
                    Flow::Out(output, Some(next)) => {
                        cx.event(&format!("{kind}StateExited"), &path, Some(output.clone()), self.entered);
                        self.state = next;
                        self.input = output;
                        self.retries.clear();
                        self.at = At::Entering;
                    }
                    Flow::Out(output, None) => return Some(Ok(output)),
                    Flow::Err(error) => return Some(Err(error)),
                },
            }
        }
    }

    /// A state's error: retried after a backoff if a Retrier says so, else caught by a
    /// Catcher (its `Next`), else the thread's error.
    fn recover(&mut self, state: &State, error: FlowError, cx: &mut Cx<'_>) -> Flow {
        let task = matches!(state.kind, Kind::Task(_));
        if let Some(index) = state.retry.iter().position(|r| error.matches(&r.error_equals, task)) {
            let retrier = &state.retry[index];
            if self.retries.len() < state.retry.len() {
                self.retries.resize(state.retry.len(), 0);
            }
            let done = self.retries[index];
            if done < retrier.max_attempts {
                self.retries[index] += 1;
                let until = cx.now.saturating_add(backoff_ms(retrier, done));
                self.at = At::Backoff { until };
                return Flow::Again;
            }
        }
        if let Some(catcher) = state.catch.iter().find(|c| error.matches(&c.error_equals, task)) {
            return match put(&catcher.result_path, &self.input, error.to_output()) {
                Ok(output) => Flow::Out(output, Some(catcher.next.clone())),
                Err(error) => Flow::Err(error),
            };
        }
        Flow::Err(error)
    }

    /// Starts a state's work (on entering it, or again after a retry's backoff).
    /// A failure before the work started (input processing: a Parameters path, an intrinsic,
    /// a TimeoutSecondsPath) is recorded as the state's failure (`TaskFailed`,
    /// `ParallelStateFailed`, `MapStateFailed`), so a retry of it is in the history and its
    /// counter and backoff are stored.
    fn work(&mut self, state: &State, cx: &mut Cx<'_>, path: &str) -> Flow {
        match self.work_inner(state, cx, path) {
            Ok(flow) => flow,
            Err(error) => {
                let type_ = match state.kind {
                    Kind::Task(_) => Some("TaskFailed"),
                    Kind::Parallel { .. } => Some("ParallelStateFailed"),
                    Kind::Map(_) => Some("MapStateFailed"),
                    _ => None,
                };
                if let Some(type_) = type_ {
                    let id = cx.event(type_, path, None, self.entered);
                    cx.describe(id, &error);
                }
                Flow::Err(error)
            }
        }
    }

    fn work_inner(&mut self, state: &State, cx: &mut Cx<'_>, path: &str) -> Result<Flow, FlowError> {
        let raw = &self.input;
        let context = || self.context(cx);
        match &state.kind {
            Kind::Pass { result } => {
                let result = match result {
                    Some(result) => result.clone(),
                    None => effective_input(&state.io, raw, context)?,
                };
                Ok(Flow::Out(state_output(&state.io, raw, result, context)?, None))
            }
            Kind::Succeed => Ok(Flow::Out(passthrough(&state.io, raw, context)?, None)),
            Kind::Fail { error, cause } => {
                let text = |text: &Option<Text>, default: &str| -> Result<String, FlowError> {
                    Ok(match text {
                        None => default.to_string(),
                        Some(Text::Fixed(text)) => text.clone(),
                        Some(Text::Path(path)) => match path.select(raw, &context())? {
                            Value::String(text) => text,
                            other => other.to_string(),
                        },
                        Some(Text::Call(call)) => match call.eval(raw, &context())? {
                            Value::String(text) => text,
                            other => {
                                return Err(FlowError::runtime(format!(
                                    "{} gave {}, not a string",
                                    call.as_str(),
                                    kind_of(&other)
                                )));
                            }
                        },
                    })
                };
                // As AWS: a Fail without Error leaves the error empty.
                Ok(Flow::Err(FlowError::new(text(error, "")?, text(cause, "")?)))
            }
            Kind::Choice { choices, default } => {
                let input = select(&state.io.input_path, raw, context)?;
                let context = context();
                let next = choice::choose(choices, default.as_deref(), &input, &context)?;
                let next = next.to_string();
                let output = select(&state.io.output_path, &input, || context)?;
                Ok(Flow::Out(output, Some(next)))
            }
            Kind::Wait(wait) => {
                let input = select(&state.io.input_path, raw, context)?;
                let until = match wait {
                    Wait::Seconds(s) => cx
                        .now
                        .saturating_add(i64::try_from(*s).unwrap_or(i64::MAX).saturating_mul(1000)),
                    Wait::Timestamp(t) => timestamp(t, "Timestamp")?,
                    Wait::SecondsPath(p) => {
                        let seconds = seconds(&p.select(&input, &context())?, p.as_str())?;
                        cx.now.saturating_add((seconds * 1000.0) as i64)
                    }
                    Wait::TimestampPath(p) => match p.select(&input, &context())? {
                        Value::String(t) => timestamp(&t, p.as_str())?,
                        other => {
                            return Err(FlowError::runtime(format!(
                                "TimestampPath {} gave {other}, not an RFC 3339 timestamp",
                                p.as_str()
                            )));
                        }
                    },
                };
                if until <= cx.now {
                    let output = select(&state.io.output_path, &input, context)?;
                    return Ok(Flow::Out(output, None));
                }
                cx.wake(until);
                self.at = At::Waiting { until };
                Ok(Flow::Blocked)
            }
            Kind::Task(task) => {
                let input = effective_input(&state.io, raw, context)?;
                let timeout_ms = match &task.timeout.as_ref().or(task.heartbeat.as_ref()) {
                    None => None,
                    Some(Seconds::Fixed(s)) => Some(s.saturating_mul(1000)),
                    Some(Seconds::Path(p)) => {
                        let s = seconds(&p.select(raw, &context())?, p.as_str())?;
                        Some((s * 1000.0) as u64)
                    }
                };
                let (namespace, name, payload, lambda) = match &task.resource {
                    Resource::Function { namespace, name } => (
                        namespace.clone().unwrap_or_else(|| cx.info.namespace.clone()),
                        name.clone(),
                        input,
                        false,
                    ),
                    Resource::LambdaInvoke => {
                        let Value::Object(mut fields) = input else {
                            return Err(FlowError::runtime(
                                "lambda:invoke takes an object with FunctionName and Payload",
                            ));
                        };
                        let Some(Value::String(function)) = fields.remove("FunctionName") else {
                            return Err(FlowError::runtime(
                                "lambda:invoke takes a FunctionName (a string) in its Parameters",
                            ));
                        };
                        let (namespace, name) = function_name(&function, &cx.info.namespace);
                        let payload = fields.remove("Payload").unwrap_or(json!({}));
                        (namespace, name, payload, true)
                    }
                };
                cx.tokens += 1;
                let token = cx.tokens;
                let scheduled = cx.event("TaskScheduled", path, Some(payload.clone()), self.entered);
                cx.last().resource = format!("{namespace}/{name}");
                self.at = At::Calling {
                    token,
                    namespace,
                    name,
                    payload,
                    timeout_ms,
                    deadline: None,
                    scheduled,
                    lambda,
                };
                Ok(Flow::Again)
            }
            Kind::Parallel { branches } => {
                let input = effective_input(&state.io, raw, context)?;
                cx.event("ParallelStateStarted", path, None, self.entered);
                let branches = branches
                    .iter()
                    .map(|b| Child::Running(Box::new(Thread::new(&b.start_at, input.clone()))))
                    .collect();
                self.at = At::Parallel { branches };
                Ok(Flow::Again)
            }
            Kind::Map(map) => {
                let input = effective_input(&state.io, raw, context)?;
                let items = match select(&map.items_path, &input, context)? {
                    Value::Array(items) => items,
                    other => {
                        return Err(FlowError::runtime(format!(
                            "ItemsPath must select an array; it selected {}",
                            kind_of(&other)
                        )));
                    }
                };
                let number = |fixed: Option<u64>, path: &Option<super::path::Path>, field: &str| match (fixed, path) {
                    (Some(n), _) => Ok(Some(n as f64)),
                    (None, Some(p)) => seconds(&p.select(&input, &context())?, field).map(Some),
                    (None, None) => Ok(None),
                };
                let max_concurrency = match &map.max_concurrency {
                    None => 0,
                    Some(Seconds::Fixed(n)) => *n,
                    Some(Seconds::Path(p)) => seconds(&p.select(&input, &context())?, "MaxConcurrencyPath")? as u64,
                };
                let tolerated_count = number(
                    map.tolerated_failure_count,
                    &map.tolerated_failure_count_path,
                    "ToleratedFailureCountPath",
                )?
                .map(|n| n as u64);
                let tolerated_percentage =
                    match (map.tolerated_failure_percentage, &map.tolerated_failure_percentage_path) {
                        (Some(p), _) => Some(p),
                        (None, Some(p)) => Some(seconds(
                            &p.select(&input, &context())?,
                            "ToleratedFailurePercentagePath",
                        )?),
                        (None, None) => None,
                    };
                let mut pending = VecDeque::with_capacity(items.len());
                let total = items.len();
                for (index, item) in items.into_iter().enumerate() {
                    let item_input = match &map.item_selector {
                        None => item,
                        Some(selector) => {
                            let context =
                                cx.context(&self.state, self.entered_at, self.retry_count(), Some((index, &item)));
                            selector.render(&input, &context)?
                        }
                    };
                    pending.push_back((index, item_input));
                }
                let started = cx.event("MapStateStarted", path, Some(json!({"length": total})), self.entered);
                self.at = At::Map(Box::new(Iterations {
                    started,
                    pending,
                    running: Vec::new(),
                    results: vec![Value::Null; total],
                    failed: 0,
                    max_concurrency,
                    tolerated_count,
                    tolerated_percentage,
                }));
                Ok(Flow::Again)
            }
        }
    }

    /// A Task's call in flight: its answer, or its timeout, or still waiting.
    fn calling(&mut self, state: &State, cx: &mut Cx<'_>, path: &str) -> Flow {
        let At::Calling {
            token,
            namespace,
            name,
            payload,
            timeout_ms,
            deadline,
            scheduled,
            lambda,
        } = &mut self.at
        else {
            return Flow::Blocked;
        };
        let resource = || format!("{namespace}/{name}");
        if let Some(answer) = cx.results.remove(token) {
            let scheduled = *scheduled;
            let lambda = *lambda;
            return match answer {
                Ok(result) => {
                    cx.event("TaskSucceeded", path, Some(result.clone()), scheduled);
                    cx.last().resource = resource();
                    let result = if lambda {
                        json!({"Payload": result, "StatusCode": 200})
                    } else {
                        result
                    };
                    let context = || self.context(cx);
                    match state_output(&state.io, &self.input, result, context) {
                        Ok(output) => Flow::Out(output, None),
                        Err(error) => Flow::Err(error),
                    }
                }
                Err(error) => {
                    let type_ = if error.error == errors::TIMEOUT {
                        "TaskTimedOut"
                    } else {
                        "TaskFailed"
                    };
                    let id = cx.event(type_, path, None, scheduled);
                    cx.describe(id, &error);
                    cx.last().resource = resource();
                    Flow::Err(error)
                }
            };
        }
        if !cx.known.contains(token) {
            *deadline = timeout_ms.map(|t| cx.now.saturating_add(i64::try_from(t).unwrap_or(i64::MAX)));
            cx.step.calls.push(Call {
                token: *token,
                namespace: namespace.clone(),
                name: name.clone(),
                payload: payload.clone(),
                timeout: timeout_ms.map(Duration::from_millis),
            });
        }
        if let Some(deadline) = *deadline {
            if cx.now >= deadline {
                let error = FlowError::new(
                    errors::TIMEOUT,
                    format!(
                        "the function {} did not answer within the state's TimeoutSeconds ({} s)",
                        resource(),
                        timeout_ms.unwrap_or_default() / 1000
                    ),
                );
                let scheduled = *scheduled;
                let id = cx.event("TaskTimedOut", path, None, scheduled);
                cx.describe(id, &error);
                cx.last().resource = resource();
                return Flow::Err(error);
            }
            cx.wake(deadline);
        }
        cx.step.live.push(*token);
        Flow::Blocked
    }

    /// A Parallel's branches: all of them advance; the first to fail fails the state.
    fn parallel(&mut self, state: &State, cx: &mut Cx<'_>, path: &str) -> Flow {
        let (Kind::Parallel { branches: definitions }, At::Parallel { branches }) = (&state.kind, &mut self.at) else {
            return Flow::Blocked;
        };
        for (index, child) in branches.iter_mut().enumerate() {
            let Child::Running(thread) = child else {
                continue;
            };
            let Some(definition) = definitions.get(index) else {
                return Flow::Err(FlowError::runtime("a Parallel branch is missing"));
            };
            match thread.advance(definition, cx, &format!("{path}/{index}/")) {
                None => {}
                Some(Ok(output)) => *child = Child::Done(output),
                Some(Err(error)) => {
                    let id = cx.event("ParallelStateFailed", path, None, self.entered);
                    cx.describe(id, &error);
                    self.at = At::Entering;
                    return Flow::Err(error);
                }
            }
        }
        if branches.iter().any(|c| matches!(c, Child::Running(_))) {
            return Flow::Blocked;
        }
        let outputs: Vec<Value> = std::mem::take(branches)
            .into_iter()
            .map(|c| match c {
                Child::Done(v) => v,
                Child::Running(_) => Value::Null,
            })
            .collect();
        cx.event("ParallelStateSucceeded", path, None, self.entered);
        self.at = At::Entering;
        let context = || self.context(cx);
        match state_output(&state.io, &self.input, Value::Array(outputs), context) {
            Ok(output) => Flow::Out(output, None),
            Err(error) => Flow::Err(error),
        }
    }

    /// A Map's iterations: up to MaxConcurrency at once, in order of their index.
    fn map(&mut self, state: &State, cx: &mut Cx<'_>, path: &str) -> Flow {
        let (Kind::Map(map), At::Map(iterations)) = (&state.kind, &mut self.at) else {
            return Flow::Blocked;
        };
        let total = iterations.results.len() as u64;
        loop {
            while !iterations.pending.is_empty()
                && (iterations.max_concurrency == 0 || (iterations.running.len() as u64) < iterations.max_concurrency)
            {
                let (index, input) = iterations.pending.pop_front().expect("not empty");
                cx.event(
                    "MapIterationStarted",
                    &format!("{path}/{index}"),
                    None,
                    iterations.started,
                );
                iterations
                    .running
                    .push((index, Thread::new(&map.processor.start_at, input)));
            }
            let mut ended = false;
            let mut i = 0;
            while i < iterations.running.len() {
                let (index, thread) = &mut iterations.running[i];
                let index = *index;
                match thread.advance(&map.processor, cx, &format!("{path}/{index}/")) {
                    None => i += 1,
                    Some(result) => {
                        ended = true;
                        iterations.running.remove(i);
                        let at = format!("{path}/{index}");
                        match result {
                            Ok(output) => {
                                cx.event("MapIterationSucceeded", &at, None, iterations.started);
                                iterations.results[index] = output;
                            }
                            Err(error) => {
                                let id = cx.event("MapIterationFailed", &at, None, iterations.started);
                                cx.describe(id, &error);
                                iterations.failed += 1;
                                let tolerant =
                                    iterations.tolerated_count.is_some() || iterations.tolerated_percentage.is_some();
                                let beyond_count = iterations.tolerated_count.is_some_and(|n| iterations.failed > n);
                                let beyond_percentage = iterations
                                    .tolerated_percentage
                                    .is_some_and(|p| (iterations.failed as f64) * 100.0 / (total as f64) > p);
                                if !tolerant || beyond_count || beyond_percentage {
                                    let error = if tolerant {
                                        FlowError::new(
                                            errors::EXCEEDED_TOLERATED_FAILURE_THRESHOLD,
                                            format!(
                                                "{} of {total} iterations failed, more than the Map tolerates; the last: {error}",
                                                iterations.failed
                                            ),
                                        )
                                    } else {
                                        error
                                    };
                                    let id = cx.event("MapStateFailed", path, None, self.entered);
                                    cx.describe(id, &error);
                                    self.at = At::Entering;
                                    return Flow::Err(error);
                                }
                            }
                        }
                    }
                }
            }
            if !ended {
                break;
            }
        }
        if !iterations.pending.is_empty() || !iterations.running.is_empty() {
            return Flow::Blocked;
        }
        let outputs = std::mem::take(&mut iterations.results);
        cx.event("MapStateSucceeded", path, None, self.entered);
        self.at = At::Entering;
        let context = || self.context(cx);
        match state_output(&state.io, &self.input, Value::Array(outputs), context) {
            Ok(output) => Flow::Out(output, None),
            Err(error) => Flow::Err(error),
        }
    }
}

/// A retry's delay: `IntervalSeconds × BackoffRate^retry`, capped by `MaxDelaySeconds`, and with
/// `JitterStrategy: FULL` a random time up to it.
/// `States.DataLimitExceeded` when `value` (a state's input or output) is bigger than
/// [`DATA_LIMIT`](super::driver::DATA_LIMIT) as JSON.
fn too_big(value: &Value, what: &str) -> Option<FlowError> {
    let bytes = serde_json::to_vec(value).map_or(usize::MAX, |v| v.len());
    (bytes > super::driver::DATA_LIMIT).then(|| {
        FlowError::new(
            errors::DATA_LIMIT_EXCEEDED,
            format!(
                "the state's {what} is {bytes} bytes, more than the limit of {} bytes",
                super::driver::DATA_LIMIT
            ),
        )
    })
}

fn backoff_ms(retrier: &Retrier, retry: u32) -> i64 {
    let mut delay = retrier.interval_seconds * retrier.backoff_rate.powi(retry as i32);
    if let Some(max) = retrier.max_delay_seconds {
        delay = delay.min(max);
    }
    if retrier.jitter == Jitter::Full {
        let fraction = getrandom::u64().unwrap_or(0) as f64 / u64::MAX as f64;
        delay *= fraction;
    }
    (delay.max(0.0) * 1000.0).round() as i64
}

/// The effective input: InputPath, then Parameters (the whole raw input when neither is set).
fn effective_input(io: &Io, raw: &Value, context: impl FnOnce() -> Value) -> Result<Value, FlowError> {
    if matches!(io.input_path, Select::All) && io.parameters.is_none() {
        return Ok(raw.clone());
    }
    io::effective_input(io, raw, &context())
}

/// The output from a result: ResultSelector, ResultPath, OutputPath (the result itself when
/// none is set).
fn state_output(io: &Io, raw: &Value, result: Value, context: impl FnOnce() -> Value) -> Result<Value, FlowError> {
    if io.result_selector.is_none()
        && matches!(io.result_path, ResultPath::Replace)
        && matches!(io.output_path, Select::All)
    {
        return Ok(result);
    }
    io::output(io, raw, result, &context())
}

/// The output of a state without a result (Choice, Wait, Succeed): OutputPath of the InputPath.
fn passthrough(io: &Io, raw: &Value, context: impl Fn() -> Value) -> Result<Value, FlowError> {
    let input = select(&io.input_path, raw, &context)?;
    select(&io.output_path, &input, context)
}

fn select(select: &Select, value: &Value, context: impl FnOnce() -> Value) -> Result<Value, FlowError> {
    match select {
        Select::All => Ok(value.clone()),
        _ => io::select(select, value, &context()),
    }
}

/// Where a Catcher's error output goes.
fn put(result_path: &ResultPath, raw: &Value, result: Value) -> Result<Value, FlowError> {
    match result_path {
        ResultPath::Replace => Ok(result),
        ResultPath::Discard => Ok(raw.clone()),
        ResultPath::At(_) => io::place(result_path, raw, result),
    }
}

fn timestamp(text: &str, field: &str) -> Result<i64, FlowError> {
    parse_time(text).ok_or_else(|| FlowError::runtime(format!("{field} gave {text:?}, not an RFC 3339 timestamp")))
}

/// A non-negative number read from the input.
fn seconds(value: &Value, field: &str) -> Result<f64, FlowError> {
    match value.as_f64() {
        Some(n) if n >= 0.0 => Ok(n),
        _ => Err(FlowError::runtime(format!(
            "{field} gave {value}, not a number of at least 0"
        ))),
    }
}

/// A `FunctionName` of `lambda:invoke`: `NAME`, `NAMESPACE/NAME` or an ARN `…:function:NAME[:Q]`.
/// Read as at deploy ([`Resource::function`]); a text that names no function is called as
/// given, and the call fails saying there is no such function.
fn function_name(text: &str, namespace: &str) -> (String, String) {
    match crate::flows::definition::Resource::function(text) {
        Ok(crate::flows::definition::Resource::Function { namespace: ns, name }) => {
            (ns.unwrap_or_else(|| namespace.to_string()), name)
        }
        _ => (namespace.to_string(), text.to_string()),
    }
}
