//! The driver and the machine against a fake host: functions as closures, tokio's paused clock
//! (Waits and backoffs take no real time, and the delays between calls are exact).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::time::Instant;

use super::*;
use crate::flows::definition::{
    Catcher, Io, Jitter, Kind, Map, Resource, ResultPath, Retrier, Select, State, Task, Text, Transition, Wait,
};
use crate::flows::errors::{self, FlowError};

pub(super) type Behaviour = Arc<dyn Fn(u32, &Value) -> (Duration, Result<Value, FlowError>) + Send + Sync>;

/// A function that answers at once.
pub(super) fn answers(f: impl Fn(&Value) -> Value + Send + Sync + 'static) -> Behaviour {
    Arc::new(move |_, input| (Duration::ZERO, Ok(f(input))))
}

/// A function that fails its first `n` calls with `error`, then answers `f`.
pub(super) fn fails_first(n: u32, error: &str, f: impl Fn(&Value) -> Value + Send + Sync + 'static) -> Behaviour {
    let error = error.to_string();
    Arc::new(move |call, input| {
        if call <= n {
            (
                Duration::ZERO,
                Err(FlowError::new(error.clone(), format!("call {call}"))),
            )
        } else {
            (Duration::ZERO, Ok(f(input)))
        }
    })
}

/// A function that takes `d` to answer `f`.
pub(super) fn sleeps(d: Duration, f: impl Fn(&Value) -> Value + Send + Sync + 'static) -> Behaviour {
    Arc::new(move |_, input| (d, Ok(f(input))))
}

#[derive(Default)]
pub(super) struct Fake {
    pub(super) functions: HashMap<String, Behaviour>,
    /// (namespace/name, payload, when)
    pub(super) calls: Mutex<Vec<(String, Value, Instant)>>,
    pub(super) in_flight: Arc<AtomicUsize>,
    pub(super) max_in_flight: Arc<AtomicUsize>,
    pub(super) saves: Mutex<Vec<ExecutionStatus>>,
    /// The save (1, 2, …) that fails, if any.
    pub(super) fail_save: Option<usize>,
    /// The save that fails though the execution is there (too big).
    pub(super) refuse_save: Option<usize>,
    pub(super) now: Option<i64>,
}

struct InFlight(Arc<AtomicUsize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Fake {
    pub(super) fn new(functions: &[(&str, Behaviour)]) -> Fake {
        Fake {
            functions: functions.iter().map(|(n, b)| (n.to_string(), b.clone())).collect(),
            ..Default::default()
        }
    }

    pub(super) fn calls_of(&self, name: &str) -> Vec<(Value, Instant)> {
        let calls = self.calls.lock().unwrap();
        calls
            .iter()
            .filter(|(n, _, _)| n.ends_with(&format!("/{name}")))
            .map(|(_, p, t)| (p.clone(), *t))
            .collect()
    }

    pub(super) fn saves(&self) -> Vec<ExecutionStatus> {
        self.saves.lock().unwrap().clone()
    }
}

impl Host for Fake {
    fn call(
        &self,
        namespace: &str,
        name: &str,
        payload: Value,
        timeout: Option<Duration>,
    ) -> impl Future<Output = Result<Value, FlowError>> + Send {
        let full = format!("{namespace}/{name}");
        let behaviour = self.functions.get(name).cloned();
        let number = {
            let mut calls = self.calls.lock().unwrap();
            calls.push((full.clone(), payload.clone(), Instant::now()));
            calls.iter().filter(|(n, _, _)| *n == full).count() as u32
        };
        let in_flight = self.in_flight.clone();
        let max = self.max_in_flight.clone();
        async move {
            let Some(behaviour) = behaviour else {
                return Err(FlowError::new(errors::TASK_FAILED, format!("no function {full}")));
            };
            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            max.fetch_max(now, Ordering::SeqCst);
            let _guard = InFlight(in_flight);
            let (delay, answer) = behaviour(number, &payload);
            if let Some(timeout) = timeout
                && delay > timeout
            {
                tokio::time::sleep(timeout).await;
                return Err(FlowError::new(errors::TIMEOUT, "timed out"));
            }
            tokio::time::sleep(delay).await;
            answer
        }
    }

    fn save(&self, status: &ExecutionStatus) -> impl Future<Output = Result<(), SaveError>> + Send {
        let mut saves = self.saves.lock().unwrap();
        saves.push(status.clone());
        let failed = self.fail_save == Some(saves.len());
        let refused = self.refuse_save == Some(saves.len());
        async move {
            if refused {
                Err(SaveError::Failed("too big".to_string()))
            } else if failed {
                Err(SaveError::Gone("the execution is gone".to_string()))
            } else {
                Ok(())
            }
        }
    }

    fn now_ms(&self) -> i64 {
        self.now.unwrap_or(1_800_000_000_000)
    }
}

fn state(kind: Kind, next: Option<&str>) -> State {
    State {
        kind,
        io: Io::default(),
        transition: next.map_or(Transition::End, |n| Transition::Next(n.to_string())),
        retry: Vec::new(),
        catch: Vec::new(),
        comment: String::new(),
    }
}

fn task(name: &str) -> Kind {
    Kind::Task(Task {
        resource: Resource::Function {
            namespace: None,
            name: name.to_string(),
        },
        timeout: None,
        heartbeat: None,
    })
}

fn pass(result: Value) -> Kind {
    Kind::Pass { result: Some(result) }
}

fn definition(start: &str, states: Vec<(&str, State)>) -> Definition {
    Definition {
        start_at: start.to_string(),
        states: states
            .into_iter()
            .map(|(n, s)| (n.to_string(), s))
            .collect::<BTreeMap<_, _>>(),
        timeout_seconds: None,
        comment: String::new(),
    }
}

fn retrier(errors: &[&str], interval: f64, attempts: u32, backoff: f64) -> Retrier {
    Retrier {
        error_equals: errors.iter().map(|e| e.to_string()).collect(),
        interval_seconds: interval,
        max_attempts: attempts,
        backoff_rate: backoff,
        max_delay_seconds: None,
        jitter: Jitter::None,
    }
}

fn catcher(errors: &[&str], next: &str) -> Catcher {
    Catcher {
        error_equals: errors.iter().map(|e| e.to_string()).collect(),
        next: next.to_string(),
        result_path: ResultPath::Replace,
    }
}

pub(super) fn job(definition: Definition, input: Value) -> Run {
    Run {
        namespace: "shop".into(),
        name: "orders-x1".into(),
        uid: "u-1".into(),
        flow: "orders".into(),
        input,
        source: json!({"StartAt": definition.start_at}),
        definition,
        status: None,
    }
}

pub(super) async fn go(host: &Fake, run: Run) -> ExecutionStatus {
    let (_tx, rx) = watch::channel(None);
    super::run(host, run, rx).await
}

pub(super) fn types(status: &ExecutionStatus) -> Vec<String> {
    status
        .history
        .iter()
        .map(|e| {
            if e.state.is_empty() {
                e.type_.clone()
            } else {
                format!("{} {}", e.type_, e.state)
            }
        })
        .collect()
}

pub(super) fn double() -> Behaviour {
    answers(|v| json!(v.as_i64().unwrap_or(0) * 2))
}

#[tokio::test(start_paused = true)]
async fn a_sequence_of_pass_task_and_succeed_gives_the_task_output_with_its_history() {
    let host = Fake::new(&[("double", double())]);
    let def = definition(
        "Seed",
        vec![
            ("Seed", state(pass(json!(21)), Some("Double"))),
            ("Double", state(task("double"), Some("Done"))),
            ("Done", state(Kind::Succeed, None)),
        ],
    );
    let status = go(&host, job(def, json!({"order": 1}))).await;
    assert_eq!(status.phase, Phase::Succeeded, "{status:?}");
    assert_eq!(status.output, Some(json!(42)));
    assert_eq!(host.calls_of("double")[0].0, json!(21));
    assert_eq!(
        host.calls.lock().unwrap()[0].0,
        "shop/double",
        "the execution's namespace"
    );
    assert_eq!(
        types(&status),
        [
            "ExecutionStarted",
            "PassStateEntered Seed",
            "PassStateExited Seed",
            "TaskStateEntered Double",
            "TaskScheduled Double",
            "TaskSucceeded Double",
            "TaskStateExited Double",
            "SucceedStateEntered Done",
            "SucceedStateExited Done",
            "ExecutionSucceeded",
        ]
    );
    let ids: Vec<u64> = status.history.iter().map(|e| e.id).collect();
    assert_eq!(ids, (1..=10).collect::<Vec<_>>());
    let h = &status.history;
    assert_eq!(h[0].data, Some(json!({"order": 1})));
    assert_eq!(h[2].previous, h[1].id, "an exit follows its entry");
    assert_eq!(h[4].resource, "shop/double");
    assert_eq!(h[4].data, Some(json!(21)), "the payload");
    assert_eq!(h[5].previous, h[4].id);
    assert_eq!(h[5].data, Some(json!(42)), "the result");
    assert!(status.cursor.is_none());
    assert!(!status.start_time.is_empty() && !status.stop_time.is_empty());
    assert_eq!(status.definition, Some(json!({"StartAt": "Seed"})));
    let saves = host.saves();
    assert_eq!(saves.last(), Some(&status), "the last status is stored");
    assert!(
        saves[..saves.len() - 1]
            .iter()
            .all(|s| s.phase == Phase::Running && s.cursor.is_some())
    );
    for pair in saves.windows(2) {
        assert_ne!(pair[0], pair[1], "a status is stored once");
    }
}

#[tokio::test(start_paused = true)]
async fn a_fail_state_fails_the_execution_with_its_error_and_cause() {
    let host = Fake::new(&[]);
    let def = definition(
        "No",
        vec![(
            "No",
            state(
                Kind::Fail {
                    error: Some(Text::Fixed("OutOfStock".into())),
                    cause: Some(Text::Fixed("nothing left".into())),
                },
                None,
            ),
        )],
    );
    let status = go(&host, job(def, json!({}))).await;
    assert_eq!(status.phase, Phase::Failed);
    assert_eq!(
        (status.error.as_str(), status.cause.as_str()),
        ("OutOfStock", "nothing left")
    );
    assert_eq!(
        types(&status),
        ["ExecutionStarted", "FailStateEntered No", "ExecutionFailed"]
    );
    assert_eq!(status.history[2].error, "OutOfStock");
}

#[tokio::test(start_paused = true)]
async fn a_task_is_retried_with_exponential_backoff_then_succeeds() {
    let host = Fake::new(&[("flaky", fails_first(3, "ValueError", |_| json!("ok")))]);
    let mut charge = state(task("flaky"), None);
    charge.retry = vec![
        retrier(&["TypeError"], 100.0, 5, 1.0),
        retrier(&["ValueError"], 1.0, 3, 2.0),
    ];
    let def = definition("Charge", vec![("Charge", charge)]);
    let status = go(&host, job(def, json!({}))).await;
    assert_eq!(status.phase, Phase::Succeeded, "{status:?}");
    let times: Vec<Instant> = host.calls_of("flaky").iter().map(|c| c.1).collect();
    let delays: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(
        delays,
        [1, 2, 4].map(Duration::from_secs),
        "IntervalSeconds × BackoffRate^n"
    );
    let failed = types(&status).iter().filter(|t| t.starts_with("TaskFailed")).count();
    let scheduled = types(&status).iter().filter(|t| t.starts_with("TaskScheduled")).count();
    assert_eq!(
        (failed, scheduled),
        (3, 4),
        "each retry: a failure, then scheduled again"
    );
}

#[tokio::test(start_paused = true)]
async fn max_delay_caps_the_backoff_and_full_jitter_stays_below_it() {
    let host = Fake::new(&[("flaky", fails_first(3, "ValueError", |_| json!("ok")))]);
    let mut charge = state(task("flaky"), None);
    let mut capped = retrier(&["States.ALL"], 1.0, 3, 10.0);
    capped.max_delay_seconds = Some(5.0);
    charge.retry = vec![capped.clone()];
    let def = definition("Charge", vec![("Charge", charge.clone())]);
    go(&host, job(def, json!({}))).await;
    let times: Vec<Instant> = host.calls_of("flaky").iter().map(|c| c.1).collect();
    let delays: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(delays, [1, 5, 5].map(Duration::from_secs));

    let host = Fake::new(&[("flaky", fails_first(3, "ValueError", |_| json!("ok")))]);
    capped.jitter = Jitter::Full;
    charge.retry = vec![capped];
    let def = definition("Charge", vec![("Charge", charge)]);
    let status = go(&host, job(def, json!({}))).await;
    assert_eq!(status.phase, Phase::Succeeded);
    let times: Vec<Instant> = host.calls_of("flaky").iter().map(|c| c.1).collect();
    for (w, cap) in times.windows(2).zip([1, 5, 5]) {
        assert!(
            w[1] - w[0] <= Duration::from_secs(cap),
            "{:?} above {cap} s",
            w[1] - w[0]
        );
    }
}

#[tokio::test(start_paused = true)]
async fn retries_exhausted_the_error_is_caught_and_its_catcher_runs_next() {
    let host = Fake::new(&[("broken", fails_first(100, "ValueError", |_| json!("never")))]);
    let mut charge = state(task("broken"), Some("Unreachable"));
    charge.retry = vec![retrier(&["ValueError"], 1.0, 2, 1.0)];
    charge.catch = vec![
        catcher(&["TypeError"], "Unreachable"),
        catcher(&["States.ALL"], "Refund"),
    ];
    let def = definition(
        "Charge",
        vec![
            ("Charge", charge),
            ("Unreachable", state(Kind::Succeed, None)),
            ("Refund", state(Kind::Pass { result: None }, None)),
        ],
    );
    let status = go(&host, job(def, json!({"order": 7}))).await;
    assert_eq!(status.phase, Phase::Succeeded, "{status:?}");
    assert_eq!(host.calls_of("broken").len(), 3, "the call and 2 retries");
    assert_eq!(status.output, Some(json!({"Error": "ValueError", "Cause": "call 3"})));
    assert!(types(&status).contains(&"PassStateEntered Refund".to_string()));
}

#[tokio::test(start_paused = true)]
async fn an_error_nothing_catches_fails_the_execution_and_max_attempts_0_never_retries() {
    let host = Fake::new(&[("broken", fails_first(100, "ValueError", |_| json!("never")))]);
    let mut charge = state(task("broken"), None);
    charge.retry = vec![retrier(&["ValueError"], 1.0, 0, 1.0)];
    charge.catch = vec![catcher(&["TypeError"], "Other")];
    let def = definition(
        "Charge",
        vec![("Charge", charge), ("Other", state(Kind::Succeed, None))],
    );
    let status = go(&host, job(def, json!({}))).await;
    assert_eq!(status.phase, Phase::Failed);
    assert_eq!((status.error.as_str(), status.cause.as_str()), ("ValueError", "call 1"));
    assert_eq!(host.calls_of("broken").len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_task_beyond_its_timeout_fails_with_states_timeout_which_catch_can_handle() {
    let host = Fake::new(&[("slow", sleeps(Duration::from_secs(3600), |_| json!("late")))]);
    let mut call = state(
        Kind::Task(Task {
            resource: Resource::Function {
                namespace: Some("other".into()),
                name: "slow".into(),
            },
            timeout: Some(crate::flows::definition::Seconds::Fixed(5)),
            heartbeat: None,
        }),
        None,
    );
    call.catch = vec![catcher(&["States.Timeout"], "Late")];
    let def = definition(
        "Call",
        vec![("Call", call), ("Late", state(Kind::Pass { result: None }, None))],
    );
    let started = Instant::now();
    let status = go(&host, job(def, json!({}))).await;
    assert_eq!(status.phase, Phase::Succeeded, "{status:?}");
    assert_eq!(status.output.as_ref().unwrap()["Error"], json!("States.Timeout"));
    assert!(Instant::now() - started < Duration::from_secs(3600));
    assert!(types(&status).contains(&"TaskTimedOut Call".to_string()));
    assert_eq!(host.calls.lock().unwrap()[0].0, "other/slow");
}

#[tokio::test(start_paused = true)]
async fn the_flows_timeout_ends_the_execution_timed_out() {
    let host = Fake::new(&[]);
    let mut def = definition("Nap", vec![("Nap", state(Kind::Wait(Wait::Seconds(600)), None))]);
    def.timeout_seconds = Some(10);
    let started = Instant::now();
    let status = go(&host, job(def, json!({}))).await;
    assert_eq!(status.phase, Phase::TimedOut);
    assert_eq!(status.error, errors::TIMEOUT);
    assert_eq!(Instant::now() - started, Duration::from_secs(10));
    assert_eq!(types(&status).last().unwrap(), "ExecutionTimedOut");
}

#[tokio::test(start_paused = true)]
async fn a_wait_waits_its_seconds_and_a_timestamp_in_the_past_does_not_wait() {
    let host = Fake::new(&[]);
    let def = definition(
        "Nap",
        vec![
            ("Nap", state(Kind::Wait(Wait::Seconds(30)), Some("Past"))),
            (
                "Past",
                state(Kind::Wait(Wait::Timestamp("2001-01-01T00:00:00Z".into())), None),
            ),
        ],
    );
    let started = Instant::now();
    let status = go(&host, job(def, json!({"x": 1}))).await;
    assert_eq!(status.phase, Phase::Succeeded);
    assert_eq!(status.output, Some(json!({"x": 1})));
    assert_eq!(Instant::now() - started, Duration::from_secs(30));
    assert!(types(&status).contains(&"WaitStateExited Past".to_string()));
}

fn parallel(branches: Vec<Definition>) -> Kind {
    Kind::Parallel { branches }
}

#[tokio::test(start_paused = true)]
async fn parallel_branches_run_at_once_and_give_their_outputs_in_order() {
    let host = Fake::new(&[
        ("slow", sleeps(Duration::from_secs(10), |_| json!("slow"))),
        ("fast", sleeps(Duration::from_secs(1), |_| json!("fast"))),
    ]);
    let def = definition(
        "Both",
        vec![(
            "Both",
            state(
                parallel(vec![
                    definition("S", vec![("S", state(task("slow"), None))]),
                    definition("F", vec![("F", state(task("fast"), None))]),
                ]),
                None,
            ),
        )],
    );
    let started = Instant::now();
    let status = go(&host, job(def, json!({}))).await;
    assert_eq!(status.output, Some(json!(["slow", "fast"])));
    assert_eq!(
        Instant::now() - started,
        Duration::from_secs(10),
        "at once, not one after the other"
    );
    assert_eq!(host.max_in_flight.load(Ordering::SeqCst), 2);
    assert!(
        types(&status).contains(&"TaskStateEntered Both/1/F".to_string()),
        "{:?}",
        types(&status)
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_branch_fails_the_parallel_with_its_error_and_stops_the_others() {
    let host = Fake::new(&[
        ("slow", sleeps(Duration::from_secs(3600), |_| json!("slow"))),
        ("broken", fails_first(100, "KeyError", |_| json!(null))),
    ]);
    let def = definition(
        "Both",
        vec![(
            "Both",
            state(
                parallel(vec![
                    definition("S", vec![("S", state(task("slow"), None))]),
                    definition("B", vec![("B", state(task("broken"), None))]),
                ]),
                None,
            ),
        )],
    );
    let started = Instant::now();
    let status = go(&host, job(def, json!({}))).await;
    assert_eq!(status.phase, Phase::Failed);
    assert_eq!(status.error, "KeyError");
    assert!(
        Instant::now() - started < Duration::from_secs(3600),
        "the slow branch was not awaited"
    );
    assert_eq!(host.in_flight.load(Ordering::SeqCst), 0, "its call was dropped");
    assert!(types(&status).contains(&"ParallelStateFailed Both".to_string()));
}

fn map(processor: Definition, max_concurrency: u64) -> Map {
    Map {
        processor,
        items_path: Select::All,
        item_selector: None,
        max_concurrency: Some(crate::flows::definition::Seconds::Fixed(max_concurrency)),
        tolerated_failure_percentage: None,
        tolerated_failure_percentage_path: None,
        tolerated_failure_count: None,
        tolerated_failure_count_path: None,
    }
}

#[tokio::test(start_paused = true)]
async fn a_map_runs_at_most_max_concurrency_iterations_at_once_and_keeps_their_order() {
    let host = Fake::new(&[(
        "double",
        Arc::new(|_, v: &Value| {
            let n = v.as_i64().unwrap_or(0);
            // Later items answer sooner: the output keeps the items' order anyway.
            (Duration::from_secs(10 - n as u64), Ok(json!(n * 2)))
        }) as Behaviour,
    )]);
    let processor = definition("D", vec![("D", state(task("double"), None))]);
    let def = definition(
        "Each",
        vec![("Each", state(Kind::Map(Box::new(map(processor.clone(), 2))), None))],
    );
    let status = go(&host, job(def, json!([1, 2, 3, 4, 5, 6]))).await;
    assert_eq!(status.output, Some(json!([2, 4, 6, 8, 10, 12])), "{status:?}");
    assert_eq!(host.max_in_flight.load(Ordering::SeqCst), 2);

    let host = Fake::new(&[("double", double())]);
    let host = Fake {
        functions: [(
            "double".to_string(),
            sleeps(Duration::from_secs(1), |v| json!(v.as_i64().unwrap_or(0) * 2)),
        )]
        .into(),
        ..host
    };
    let def = definition(
        "Each",
        vec![("Each", state(Kind::Map(Box::new(map(processor, 0))), None))],
    );
    let status = go(&host, job(def, json!([1, 2, 3, 4, 5, 6]))).await;
    assert_eq!(status.output, Some(json!([2, 4, 6, 8, 10, 12])));
    assert_eq!(host.max_in_flight.load(Ordering::SeqCst), 6, "0: no limit");
    let types = types(&status);
    assert!(types.contains(&"MapIterationStarted Each/5".to_string()), "{types:?}");
    assert!(types.contains(&"TaskStateEntered Each/5/D".to_string()));
    assert!(types.contains(&"MapStateSucceeded Each".to_string()));
}

fn odd_fails() -> Behaviour {
    Arc::new(|_, v: &Value| {
        let n = v.as_i64().unwrap_or(0);
        if n % 2 == 1 {
            (Duration::ZERO, Err(FlowError::new("OddError", format!("{n} is odd"))))
        } else {
            (Duration::ZERO, Ok(json!(n)))
        }
    })
}

#[tokio::test(start_paused = true)]
async fn a_map_tolerates_failures_up_to_its_count_or_percentage() {
    let processor = definition("D", vec![("D", state(task("check"), None))]);
    let with = |count: Option<u64>, percentage: Option<f64>| {
        let mut m = map(processor.clone(), 0);
        m.tolerated_failure_count = count;
        m.tolerated_failure_percentage = percentage;
        definition("Each", vec![("Each", state(Kind::Map(Box::new(m)), None))])
    };
    let host = Fake::new(&[("check", odd_fails())]);
    let status = go(&host, job(with(Some(2), None), json!([1, 2, 3, 4]))).await;
    assert_eq!(status.output, Some(json!([null, 2, null, 4])), "{status:?}");

    let status = go(&host, job(with(Some(1), None), json!([1, 2, 3, 4]))).await;
    assert_eq!(status.phase, Phase::Failed);
    assert_eq!(status.error, errors::EXCEEDED_TOLERATED_FAILURE_THRESHOLD);

    let status = go(&host, job(with(None, Some(50.0)), json!([1, 2, 3, 4]))).await;
    assert_eq!(status.phase, Phase::Succeeded, "2 of 4 is 50 %");
    let status = go(&host, job(with(None, Some(49.0)), json!([1, 2, 3, 4]))).await;
    assert_eq!(status.error, errors::EXCEEDED_TOLERATED_FAILURE_THRESHOLD);

    let status = go(&host, job(with(None, None), json!([2, 3]))).await;
    assert_eq!(status.error, "OddError", "no tolerance: the iteration's error");

    let status = go(&host, job(with(None, None), json!({"not": "a list"}))).await;
    assert_eq!(status.error, errors::RUNTIME);
}

#[tokio::test(start_paused = true)]
async fn an_execution_resumed_mid_wait_waits_only_what_is_left() {
    let def = definition(
        "Nap",
        vec![
            ("Nap", state(Kind::Wait(Wait::Seconds(100)), Some("Done"))),
            ("Done", state(Kind::Succeed, None)),
        ],
    );
    let first = Fake {
        fail_save: Some(1),
        ..Fake::new(&[])
    };
    let stopped = go(&first, job(def.clone(), json!({"n": 1}))).await;
    assert_eq!(
        stopped.phase,
        Phase::Running,
        "the run stops when its status cannot be stored"
    );
    let stored = first.saves()[0].clone();
    assert!(stored.cursor.is_some());

    // 30 s later (by the wall clock), the execution resumes from its stored status.
    let second = Fake {
        now: Some(first.now_ms() + 30_000),
        ..Fake::new(&[])
    };
    let started = Instant::now();
    let mut run = job(def, json!({"n": 1}));
    run.status = Some(stored);
    let status = go(&second, run).await;
    assert_eq!(status.phase, Phase::Succeeded);
    assert_eq!(status.output, Some(json!({"n": 1})));
    assert_eq!(Instant::now() - started, Duration::from_secs(70));
    assert_eq!(
        types(&status).iter().filter(|t| *t == "ExecutionStarted").count(),
        1,
        "the history goes on"
    );
    let ids: Vec<u64> = status.history.iter().map(|e| e.id).collect();
    assert!(ids.windows(2).all(|w| w[1] == w[0] + 1), "{ids:?}");
}

#[tokio::test(start_paused = true)]
async fn an_execution_resumed_mid_task_calls_the_function_again() {
    let def = definition("Charge", vec![("Charge", state(task("charge"), None))]);
    let first = Fake {
        fail_save: Some(1),
        ..Fake::new(&[("charge", sleeps(Duration::from_secs(3600), |_| json!("first")))])
    };
    go(&first, job(def.clone(), json!(5))).await;
    let stored = first.saves()[0].clone();

    let second = Fake::new(&[("charge", double())]);
    let mut run = job(def, json!(5));
    run.status = Some(stored);
    let status = go(&second, run).await;
    assert_eq!(status.phase, Phase::Succeeded);
    assert_eq!(status.output, Some(json!(10)));
    assert_eq!(second.calls_of("charge").len(), 1, "called again, at least once");
    assert_eq!(
        types(&status).iter().filter(|t| t.starts_with("TaskScheduled")).count(),
        1
    );
}

#[tokio::test(start_paused = true)]
async fn a_stop_request_aborts_the_execution_and_drops_its_call() {
    let host = Fake::new(&[("slow", sleeps(Duration::from_secs(3600), |_| json!("late")))]);
    let def = definition("Call", vec![("Call", state(task("slow"), None))]);
    let (tx, rx) = watch::channel(None);
    let stopper = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(5)).await;
        tx.send(Some(Stop {
            error: "Cancelled".into(),
            cause: "by the user".into(),
        }))
        .unwrap();
        tx
    });
    let status = super::run(&host, job(def, json!({})), rx).await;
    let _tx = stopper.await.unwrap();
    assert_eq!(status.phase, Phase::Aborted);
    assert_eq!(
        (status.error.as_str(), status.cause.as_str()),
        ("Cancelled", "by the user")
    );
    assert_eq!(types(&status).last().unwrap(), "ExecutionAborted");
    assert!(status.cursor.is_none());
    assert_eq!(host.in_flight.load(Ordering::SeqCst), 0);
    assert_eq!(host.saves().last(), Some(&status));
}

#[tokio::test(start_paused = true)]
async fn the_history_keeps_its_first_and_latest_events_and_counts_those_left_out() {
    let host = Fake::new(&[]);
    let processor = definition("P", vec![("P", state(pass(json!(1)), None))]);
    let def = definition(
        "Each",
        vec![("Each", state(Kind::Map(Box::new(map(processor, 0))), None))],
    );
    let items: Vec<Value> = (0..400).map(|i| json!(i)).collect();
    let status = go(&host, job(def, Value::Array(items))).await;
    assert_eq!(status.phase, Phase::Succeeded);
    // 1 + 2 (Map entered, started) + 400 × 4 + 2 (Map succeeded, exited) + 1
    let total = 1 + 2 + 400 * 4 + 2 + 1;
    assert_eq!(status.history.len(), HISTORY_LIMIT);
    assert_eq!(status.history_dropped, (total - HISTORY_LIMIT) as u64);
    assert_eq!(status.history[0].type_, "ExecutionStarted");
    assert_eq!(status.history.last().unwrap().type_, "ExecutionSucceeded");
    assert_eq!(status.history.last().unwrap().id, total as u64);
    let half = HISTORY_LIMIT / 2;
    assert_eq!(status.history[half - 1].id, half as u64);
    assert_eq!(status.history[half].id, (total - half + 1) as u64);
}

#[tokio::test(start_paused = true)]
async fn lambda_invoke_calls_the_function_name_with_the_payload_and_wraps_the_answer() {
    let host = Fake::new(&[("double", double())]);
    let def = definition(
        "Invoke",
        vec![(
            "Invoke",
            state(
                Kind::Task(Task {
                    resource: Resource::LambdaInvoke,
                    timeout: None,
                    heartbeat: None,
                }),
                None,
            ),
        )],
    );
    let input = json!({"FunctionName": "arn:aws:lambda:eu-west-1:123456789012:function:double:live", "Payload": 4});
    let status = go(&host, job(def.clone(), input)).await;
    assert_eq!(
        status.output,
        Some(json!({"Payload": 8, "StatusCode": 200})),
        "{status:?}"
    );
    assert_eq!(host.calls.lock().unwrap()[0].0, "shop/double");

    let status = go(&host, job(def, json!({"Payload": 4}))).await;
    assert_eq!(status.phase, Phase::Failed);
    assert_eq!(status.error, errors::RUNTIME);
    assert!(status.cause.contains("FunctionName"), "{}", status.cause);
}

#[tokio::test(start_paused = true)]
async fn a_failed_parallel_is_retried_as_a_whole() {
    let host = Fake::new(&[
        ("flaky", fails_first(1, "Busy", |_| json!("b"))),
        ("fine", answers(|_| json!("a"))),
    ]);
    let mut both = state(
        parallel(vec![
            definition("A", vec![("A", state(task("fine"), None))]),
            definition("B", vec![("B", state(task("flaky"), None))]),
        ]),
        None,
    );
    both.retry = vec![retrier(&["Busy"], 2.0, 1, 1.0)];
    let def = definition("Both", vec![("Both", both)]);
    let status = go(&host, job(def, json!({}))).await;
    assert_eq!(status.output, Some(json!(["a", "b"])), "{status:?}");
    assert_eq!(host.calls_of("fine").len(), 2, "every branch runs again");
    let started: Vec<_> = types(&status)
        .into_iter()
        .filter(|t| t.starts_with("ParallelState"))
        .collect();
    assert_eq!(
        started,
        [
            "ParallelStateEntered Both",
            "ParallelStateStarted Both",
            "ParallelStateFailed Both",
            "ParallelStateStarted Both",
            "ParallelStateSucceeded Both",
            "ParallelStateExited Both"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_map_resumed_mid_way_calls_only_the_iterations_not_done() {
    let slow_double = || sleeps(Duration::from_secs(10), |v| json!(v.as_i64().unwrap_or(0) * 2));
    let processor = definition("D", vec![("D", state(task("double"), None))]);
    let def = definition(
        "Each",
        vec![("Each", state(Kind::Map(Box::new(map(processor, 1))), None))],
    );
    // Saves: 1 (item 0 called), 2 (item 0 done, item 1 called), 3 fails: the run stops.
    let first = Fake {
        fail_save: Some(3),
        ..Fake::new(&[("double", slow_double())])
    };
    go(&first, job(def.clone(), json!([1, 2, 3, 4]))).await;
    let stored = first.saves()[1].clone();

    let second = Fake::new(&[("double", slow_double())]);
    let mut run = job(def, json!([1, 2, 3, 4]));
    run.status = Some(stored);
    let status = go(&second, run).await;
    assert_eq!(status.output, Some(json!([2, 4, 6, 8])), "{status:?}");
    let payloads: Vec<Value> = second.calls_of("double").into_iter().map(|c| c.0).collect();
    assert_eq!(payloads, [json!(2), json!(3), json!(4)]);
}

#[tokio::test(start_paused = true)]
async fn a_thousand_executions_at_once_all_complete() {
    let host = Fake::new(&[(
        "double",
        sleeps(Duration::from_millis(50), |v| json!(v.as_i64().unwrap_or(0) * 2)),
    )]);
    let def = definition(
        "A",
        vec![
            ("A", state(Kind::Pass { result: None }, Some("B"))),
            ("B", state(task("double"), Some("C"))),
            ("C", state(Kind::Wait(Wait::Seconds(1)), Some("D"))),
            ("D", state(task("double"), Some("E"))),
            ("E", state(Kind::Succeed, None)),
        ],
    );
    let runs = (0..1000).map(|i| {
        let mut run = job(def.clone(), json!(i));
        run.name = format!("x-{i}");
        go(&host, run)
    });
    let statuses = futures::future::join_all(runs).await;
    for (i, status) in statuses.iter().enumerate() {
        assert_eq!(status.output, Some(json!(i * 4)), "execution {i}: {status:?}");
    }
    assert_eq!(host.max_in_flight.load(Ordering::SeqCst), 1000);
}

#[test]
fn times_are_rfc3339_with_milliseconds() {
    use crate::flows::machine::{parse_time, rfc3339};
    assert_eq!(rfc3339(1_800_000_000_123), "2027-01-15T08:00:00.123Z");
    assert_eq!(rfc3339(1_800_000_000_000), "2027-01-15T08:00:00.000Z");
    assert_eq!(parse_time("2027-01-15T08:00:00.123Z"), Some(1_800_000_000_123));
    assert_eq!(parse_time("2027-01-15T09:00:00+01:00"), Some(1_800_000_000_000));
    assert_eq!(parse_time("yesterday"), None);
}

#[tokio::test(start_paused = true)]
async fn an_execution_resumed_mid_backoff_waits_only_what_is_left_of_it() {
    let mut charge = state(task("flaky"), None);
    charge.retry = vec![retrier(&["Busy"], 60.0, 1, 1.0)];
    let def = definition("Charge", vec![("Charge", charge)]);
    // Save 1: called; save 2: failed, backing off for 60 s; save 3 fails: the run stops.
    let first = Fake {
        fail_save: Some(3),
        ..Fake::new(&[("flaky", fails_first(1, "Busy", |_| json!("ok")))])
    };
    go(&first, job(def.clone(), json!({}))).await;
    let stored = first.saves()[1].clone();
    assert!(
        types(&stored).last().unwrap().starts_with("TaskFailed"),
        "{:?}",
        types(&stored)
    );

    let second = Fake {
        now: Some(first.now_ms() + 45_000),
        ..Fake::new(&[("flaky", answers(|_| json!("ok")))])
    };
    let mut run = job(def, json!({}));
    run.status = Some(stored);
    let started = Instant::now();
    let status = go(&second, run).await;
    assert_eq!(status.output, Some(json!("ok")));
    assert_eq!(Instant::now() - started, Duration::from_secs(15));
}

#[tokio::test(start_paused = true)]
async fn an_execution_stored_as_ended_is_not_run_again_and_a_stop_before_the_start_aborts_it() {
    let host = Fake::new(&[("double", double())]);
    let def = definition("D", vec![("D", state(task("double"), None))]);
    let done = go(&host, job(def.clone(), json!(1))).await;
    let mut again = job(def.clone(), json!(1));
    again.status = Some(done.clone());
    assert_eq!(go(&host, again).await, done);
    assert_eq!(host.calls_of("double").len(), 1);

    let (_tx, rx) = watch::channel(Some(Stop {
        error: "E".into(),
        cause: "C".into(),
    }));
    let status = super::run(&host, job(def, json!(1)), rx).await;
    assert_eq!(status.phase, Phase::Aborted);
    assert_eq!(host.calls_of("double").len(), 1, "nothing called");
}

#[test]
fn a_run_is_what_its_execution_started_with_or_its_flow_now() {
    use crate::api::kinds::{Execution, Flow, FlowSpec};
    let mut flow = Flow::new("orders", FlowSpec::default());
    flow.metadata.namespace = Some("shop".into());
    let mut execution = Execution::start(&flow, json!({"id": 1}), Some("orders-1"));
    // The parse of a definition is helper A's; a missing one is refused before any parse.
    let error = Run::of(&execution, None).unwrap_err();
    assert_eq!(error.error, errors::RUNTIME);
    assert_eq!(error.cause, "there is no flow orders in the namespace shop");

    execution.status = Some(ExecutionStatus {
        start_time: "2027-01-15T08:00:00.000Z".into(),
        ..Default::default()
    });
    let failed = failed_to_start(execution.status.clone(), &error, 1_800_000_001_000);
    assert_eq!(failed.phase, Phase::Failed);
    assert_eq!(failed.start_time, "2027-01-15T08:00:00.000Z");
    assert_eq!(failed.stop_time, "2027-01-15T08:00:01.000Z");
    assert_eq!(failed.cause, error.cause);
}
