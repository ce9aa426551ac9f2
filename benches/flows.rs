//! Flows on the local engine: what a Pass state and a Task state cost inside an execution, next
//! to a direct call of the same function, and 1,000 concurrent executions of a 5-state flow.
//!
//! Run: `cargo bench --bench flows` (release binary, a temporary KFN_HOME; the durations of
//! executions are the engine's own, `stopTime - startTime` of each Execution's status; a direct
//! call goes through the service proxy as `kfn function call` sends it; prints Markdown).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use futures::StreamExt;
use kfn::api::kinds::{Execution, Flow, FlowSpec, Phase};
use kube::api::{Api, ListParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::{Value, json};

/// Executions of each sequential flow (the median is reported).
const RUNS: usize = 15;
/// Pass states in the long Pass flow, Task states in the long Task flow.
const PASSES: usize = 100;
const TASKS: usize = 50;
/// Direct calls of the function.
const CALLS: usize = 200;
/// Executions of the 5-state flow started at once.
const CONCURRENT: usize = 1000;

fn kfn(home: &Path, args: &[&str]) {
    let status = Command::new(env!("CARGO_BIN_EXE_kfn"))
        .args(args)
        .env("KFN_HOME", home.join("state"))
        .status()
        .expect("kfn runs");
    assert!(status.success(), "kfn {args:?} failed");
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// A chain of `n` states made by `state(i, next)` (`next` is `None` for the last).
fn chain(n: usize, state: impl Fn(usize, Option<String>) -> Value) -> Value {
    let name = |i: usize| format!("S{i}");
    let states: serde_json::Map<String, Value> = (0..n)
        .map(|i| (name(i), state(i, (i + 1 < n).then(|| name(i + 1)))))
        .collect();
    json!({"StartAt": "S0", "States": states})
}

fn next(state: Value, next: Option<String>) -> Value {
    let mut state = state;
    match next {
        Some(n) => state["Next"] = json!(n),
        None => state["End"] = json!(true),
    }
    state
}

fn pass_chain(n: usize) -> Value {
    chain(n, |i, n| {
        next(json!({"Type": "Pass", "Result": i, "ResultPath": "$.last"}), n)
    })
}

fn task_chain(n: usize) -> Value {
    chain(n, |_, n| {
        next(
            json!({"Type": "Task", "Resource": "hello", "ResultPath": "$.answer"}),
            n,
        )
    })
}

/// Pass → Task → Choice → Wait 1 s → Succeed.
fn five_states() -> Value {
    json!({"StartAt": "Prepare", "States": {
        "Prepare": {"Type": "Pass", "Parameters": {"n.$": "$.n", "kind": "bench"}, "Next": "Call"},
        "Call": {"Type": "Task", "Resource": "hello", "ResultPath": "$.answer", "Next": "Even?"},
        "Even?": {"Type": "Choice", "Choices": [
            {"Variable": "$.answer.kind", "StringEquals": "bench", "Next": "Rest"}], "Default": "Rest"},
        "Rest": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
        "Done": {"Type": "Succeed"}
    }})
}

async fn deploy(flows: &Api<Flow>, name: &str, definition: Value) -> Flow {
    let spec = FlowSpec {
        definition,
        keep_executions: Some(CONCURRENT as u32 + 100),
    };
    flows
        .create(&PostParams::default(), &Flow::new(name, spec))
        .await
        .unwrap_or_else(|e| panic!("cannot create the flow {name}: {e}"))
}

fn parse_time(t: &str) -> k8s_openapi::jiff::Timestamp {
    t.parse().unwrap_or_else(|e| panic!("not a time: {t}: {e}"))
}

/// The engine's own duration of a finished execution.
fn duration(e: &Execution) -> Duration {
    let s = e.status.as_ref().expect("a status");
    let d = parse_time(&s.stop_time).duration_since(parse_time(&s.start_time));
    Duration::try_from(d).unwrap_or_default()
}

/// Waits until `name` has ended; its execution.
async fn finished(executions: &Api<Execution>, name: &str) -> Execution {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let e = executions.get(name).await.expect("the execution is there");
        if e.phase().is_final() {
            assert_eq!(e.phase(), Phase::Succeeded, "{name}: {:?}", e.status);
            return e;
        }
        assert!(Instant::now() < deadline, "{name} did not end");
        // The durations are the engine's own: polling slowly keeps the client's GETs of a
        // growing status from taking the cores the execution runs on.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs `flow` RUNS times, one after another; the engine's durations.
async fn runs(executions: &Api<Execution>, flow: &Flow) -> Vec<Duration> {
    let mut out = Vec::new();
    for _ in 0..RUNS {
        let e = executions
            .create(&PostParams::default(), &Execution::start(flow, json!({"n": 1}), None))
            .await
            .expect("an execution is created");
        out.push(duration(&finished(executions, &e.metadata.name.unwrap()).await));
    }
    out
}

/// One call through the service proxy; how long it took.
async fn call(client: &kube::Client) -> Duration {
    let req = http::Request::post("/api/v1/namespaces/default/services/hello:http-function-port/proxy/")
        .header("content-type", "application/json")
        .body(br#"{"kind":"bench"}"#.to_vec())
        .unwrap();
    let start = Instant::now();
    let resp = client.send(req.map(Into::into)).await.expect("the call is answered");
    assert_eq!(resp.status().as_u16(), 200);
    let _ = http_body_util::BodyExt::collect(resp.into_body()).await;
    start.elapsed()
}

/// The engine's resident memory (VmRSS), from its pid in the state directory's info file.
fn engine_rss(home: &Path) -> String {
    let info: Value = std::fs::read(home.join("state").join("engine.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let Some(pid) = info["pid"].as_u64() else {
        return "?".into();
    };
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .map(|l| l[6..].trim().to_string())
        })
        .unwrap_or_else(|| "?".into())
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    std::fs::write(
        dir.join("hello.py"),
        "def hello(event, context):\n    return event['data']\n",
    )
    .unwrap();
    kfn(dir, &["local", "start"]);
    let code = dir.join("hello.py").to_string_lossy().into_owned();
    kfn(
        dir,
        &[
            "function",
            "deploy",
            "hello",
            "--runtime",
            "python",
            "--handler",
            "hello.hello",
            "--from-file",
            &code,
            "--wait",
        ],
    );
    let kubeconfig = Kubeconfig::read_from(dir.join("state").join("kubeconfig")).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(config).unwrap();
    let flows: Api<Flow> = Api::namespaced(client.clone(), "default");
    let executions: Api<Execution> = Api::namespaced(client.clone(), "default");

    // Warm up: the function's replica and the connections.
    for _ in 0..20 {
        call(&client).await;
    }
    let mut direct = Vec::new();
    for _ in 0..CALLS {
        direct.push(call(&client).await);
    }
    let direct = median(direct);

    let one_pass = deploy(&flows, "one-pass", pass_chain(1)).await;
    let passes = deploy(&flows, "passes", pass_chain(PASSES)).await;
    let one_task = deploy(&flows, "one-task", task_chain(1)).await;
    let tasks = deploy(&flows, "tasks", task_chain(TASKS)).await;
    runs(&executions, &one_pass).await; // warm up
    let one_pass_d = median(runs(&executions, &one_pass).await);
    let passes_d = median(runs(&executions, &passes).await);
    let one_task_d = median(runs(&executions, &one_task).await);
    let tasks_d = median(runs(&executions, &tasks).await);
    let per_pass = passes_d.saturating_sub(one_pass_d) / (PASSES as u32 - 1);
    let per_task = tasks_d / TASKS as u32;

    println!("| figure ({RUNS} executions each, median) | value |");
    println!("|---|---|");
    println!(
        "| direct call of `hello` through the service proxy ({CALLS} calls) | {} |",
        ms(direct)
    );
    println!("| execution of 1 Pass state | {} |", ms(one_pass_d));
    println!("| execution of {PASSES} Pass states | {} |", ms(passes_d));
    println!(
        "| **a Pass state** (difference / {}) | **{}** |",
        PASSES - 1,
        ms(per_pass)
    );
    println!("| execution of 1 Task state | {} |", ms(one_task_d));
    println!("| execution of {TASKS} Task states calling `hello` | {} |", ms(tasks_d));
    println!(
        "| **a Task state** ({TASKS}-Task execution / {TASKS}) | **{}** |",
        ms(per_task)
    );
    let added = per_task.as_secs_f64() - direct.as_secs_f64();
    println!("| **a Task over a direct call** | **{:+.2} ms** |", added * 1000.0);

    // 1,000 executions of a 5-state flow at once.
    let five = deploy(&flows, "five", five_states()).await;
    let started = Instant::now();
    let created: Vec<String> = futures::stream::iter(0..CONCURRENT)
        .map(|i| {
            let (executions, five) = (executions.clone(), five.clone());
            async move {
                let e = Execution::start(&five, json!({"n": i}), Some(&format!("five-{i}")));
                executions
                    .create(&PostParams::default(), &e)
                    .await
                    .map(|e| e.metadata.name.unwrap())
            }
        })
        .buffer_unordered(64)
        .filter_map(|r| async move { r.ok() })
        .collect()
        .await;
    let created_in = started.elapsed();
    let lp = ListParams::default().labels("kfn.io/flow=five");
    let deadline = Instant::now() + Duration::from_secs(600);
    let (succeeded, failed, rss) = loop {
        let list = executions.list(&lp).await.expect("executions are listed");
        let count = |p: Phase| {
            list.items
                .iter()
                .filter(|e| e.phase() == p && e.status.is_some())
                .count()
        };
        let (ok, running) = (
            count(Phase::Succeeded),
            count(Phase::Running) + list.items.iter().filter(|e| e.status.is_none()).count(),
        );
        if running == 0 || Instant::now() > deadline {
            break (ok, list.items.len() - ok - running, engine_rss(dir));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let all_in = started.elapsed();
    println!();
    println!(
        "| {CONCURRENT} concurrent executions of a 5-state flow (Pass, Task, Choice, Wait 1 s, Succeed) | value |"
    );
    println!("|---|---|");
    println!("| created | {} (in {:.1} s) |", created.len(), created_in.as_secs_f64());
    println!("| succeeded | {succeeded} |");
    println!("| failed | {failed} |");
    println!(
        "| lost (created, never ended) | {} |",
        created.len() - succeeded - failed
    );
    println!("| all ended after | {:.1} s |", all_in.as_secs_f64());
    println!("| engine memory (VmRSS) at the end | {rss} |");
    kfn(dir, &["local", "stop"]);
}
