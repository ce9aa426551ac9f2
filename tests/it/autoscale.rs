//! `kfn autoscale`: rules written into Functions, and the engine scaling replicas under load.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{Engine, fails, ok};

fn replicas(engine: &Engine, name: &str) -> u64 {
    let run = engine.kubectl(&[
        "get",
        "deployment",
        name,
        "-o",
        "jsonpath={.spec.replicas}/{.status.readyReplicas}",
    ]);
    run.stdout.split('/').next().and_then(|r| r.parse().ok()).unwrap_or(0)
}

#[test]
fn rules_are_written_listed_and_removed() {
    let engine = Engine::start_no_run();
    let f = format!("{}/examples/python/helloget.py", env!("CARGO_MANIFEST_DIR"));
    ok(
        &engine.kfn(&[
            "function",
            "deploy",
            "scaled",
            "-r",
            "python3.11",
            "-f",
            &f,
            "--handler",
            "helloget.foo",
        ]),
        "deploy",
    );
    let run = engine.kfn(&[
        "autoscale",
        "create",
        "scaled",
        "--metric",
        "cpu",
        "--value",
        "70",
        "--metric",
        "qps",
        "--value",
        "50",
        "--min",
        "2",
        "--max",
        "5",
    ]);
    ok(&run, "autoscale create");
    assert!(
        run.stderr
            .contains("Autoscaling rule for scaled submitted for deployment")
    );
    let run = engine.kubectl(&["get", "fn", "scaled", "-o", "json"]);
    let hpa: Value = serde_json::from_str::<Value>(&run.stdout).unwrap()["spec"]["horizontalPodAutoscaler"].clone();
    assert_eq!(hpa["apiVersion"], "autoscaling/v2");
    assert_eq!(hpa["spec"]["scaleTargetRef"]["kind"], "Deployment");
    assert_eq!(hpa["spec"]["minReplicas"], 2);
    assert_eq!(
        hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
        70
    );
    assert_eq!(hpa["spec"]["metrics"][1]["object"]["target"]["averageValue"], "50");
    let run = engine.kfn(&["autoscale", "list"]);
    ok(&run, "list");
    let row: Vec<&str> = run.stdout.lines().nth(1).unwrap().split('\t').map(str::trim).collect();
    assert_eq!(
        row,
        ["scaled", "default", "scaled", "2", "5", "cpu,function_calls", "70,50"]
    );
    let bad = engine.kfn(&[
        "autoscale",
        "create",
        "scaled",
        "--metric",
        "qps",
        "--value",
        "5",
        "--min",
        "3",
        "--max",
        "2",
    ]);
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr.contains("max must be greater than or equal to min"),
        "{}",
        bad.stderr
    );
    ok(&engine.kfn(&["autoscale", "delete", "scaled"]), "delete");
    let run = engine.kfn(&["autoscale", "delete", "scaled"]);
    assert!(
        run.stderr.contains("Not found an autoscale definition for scaled"),
        "{}",
        run.stderr
    );
    assert_eq!(
        engine.kfn(&["autoscale", "list"]).stdout.lines().count(),
        1,
        "only the header"
    );
}

#[tokio::test]
async fn qps_load_scales_up_to_max_and_back_down_after_the_window() {
    let engine = Engine::start_with_env(&[
        ("KFN_HPA_SYNC_PERIOD", "1s"),
        ("KFN_HPA_STABILIZATION", "6s"),
        ("KFN_HPA_READINESS_DELAY", "0s"),
    ]);
    let f = format!("{}/examples/python/helloget.py", env!("CARGO_MANIFEST_DIR"));
    ok(
        &engine.kfn(&[
            "function",
            "deploy",
            "busy",
            "-r",
            "python3.11",
            "-f",
            &f,
            "--handler",
            "helloget.foo",
            "--wait",
        ]),
        "deploy",
    );
    ok(
        &engine.kfn(&[
            "autoscale",
            "create",
            "busy",
            "--metric",
            "qps",
            "--value",
            "50",
            "--min",
            "1",
            "--max",
            "4",
        ]),
        "autoscale",
    );

    // A steady 200 calls a second, paced (catching up when the machine is slow), sent through
    // an HTTP trigger over keep-alive connections to the gateway (a replica takes calls only
    // from the engine): the autoscaler divides the function's total call rate by its ready
    // replicas, wherever the calls land.
    ok(
        &engine.kfn(&[
            "trigger",
            "http",
            "create",
            "busy",
            "--function-name",
            "busy",
            "--hostname",
            "busy.local",
            "--path",
            "busy",
        ]),
        "http trigger",
    );
    let info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(engine.state().join("engine.json")).unwrap()).unwrap();
    let gateway = info["gateway"].as_str().expect("the engine has a gateway").to_string();
    let stop = Arc::new(AtomicBool::new(false));
    let load: Vec<_> = (0..4)
        .map(|_| {
            let (stop, gateway) = (stop.clone(), gateway.clone());
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut conn = tokio::net::TcpStream::connect(gateway.as_str()).await.unwrap();
                let mut tick = tokio::time::interval(Duration::from_millis(20));
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
                let mut buf = vec![0u8; 4096];
                while !stop.load(Ordering::Relaxed) {
                    tick.tick().await;
                    conn.write_all(b"GET /busy HTTP/1.1\r\nHost: busy.local\r\n\r\n")
                        .await
                        .unwrap();
                    let n = conn.read(&mut buf).await.unwrap();
                    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
                }
            })
        })
        .collect();
    let started = Instant::now();
    let mut most = 0;
    while started.elapsed() < Duration::from_secs(30) && most < 4 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        most = most.max(replicas(&engine, "busy"));
    }
    stop.store(true, Ordering::Relaxed);
    for t in load {
        t.await.unwrap();
    }
    assert_eq!(most, 4, "200 req/s against 50 per replica reaches the maximum of 4");
    let stopped = Instant::now();
    let mut now = replicas(&engine, "busy");
    while now > 1 && stopped.elapsed() < Duration::from_secs(40) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        now = replicas(&engine, "busy");
    }
    assert_eq!(now, 1, "back to the minimum once the window passed");
    assert!(
        stopped.elapsed() >= Duration::from_secs(5),
        "not before the stabilization window: {:?}",
        stopped.elapsed()
    );
    let events = engine.kubectl(&["get", "events", "--field-selector", "involvedObject.name=busy"]);
    assert!(events.stdout.contains("SuccessfulRescale"), "{}", events.stdout);
    let describe = engine.kfn(&["function", "describe", "busy"]);
    assert!(
        describe.stdout.contains("New size: 4"),
        "describe shows the scaling: {}",
        describe.stdout
    );
    let hpa = engine.kubectl(&["get", "hpa", "busy", "-o", "jsonpath={.spec.maxReplicas}"]);
    assert_eq!(hpa.stdout, "4");
}

/// An API server holding one Function whose first replace is a 409 (someone else wrote it in
/// between): the GETs and the resourceVersions of the PUTs it saw.
#[derive(Default)]
struct Contended {
    rv: u64,
    gets: u64,
    puts: Vec<(String, serde_json::Value)>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autoscale_reads_the_function_again_when_another_writer_got_there_first() {
    use axum::extract::State;
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    type Shared = Arc<std::sync::Mutex<Contended>>;
    fn function(rv: u64) -> serde_json::Value {
        let mut f = crate::common::function("busy");
        f["metadata"]["namespace"] = "default".into();
        f["metadata"]["resourceVersion"] = rv.to_string().into();
        f["metadata"]["annotations"] = serde_json::json!({"writer": rv.to_string()});
        f
    }
    fn json(code: StatusCode, v: serde_json::Value) -> axum::response::Response {
        (
            code,
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            v.to_string(),
        )
            .into_response()
    }
    async fn get(State(s): State<Shared>) -> axum::response::Response {
        let mut s = s.lock().unwrap();
        s.gets += 1;
        json(StatusCode::OK, function(s.rv))
    }
    async fn put(State(s): State<Shared>, body: axum::body::Bytes) -> axum::response::Response {
        let mut s = s.lock().unwrap();
        let sent: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let rv = sent["metadata"]["resourceVersion"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        s.puts.push((rv.clone(), sent.clone()));
        if s.puts.len() == 1 {
            // Another writer's change lands first.
            s.rv += 1;
        }
        if rv != s.rv.to_string() {
            let status = serde_json::json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Conflict", "code": 409,
                "message": "Operation cannot be fulfilled on functions.kubeless.io \"busy\": the object has been modified; please apply your changes to the latest version and try again"});
            return json(StatusCode::CONFLICT, status);
        }
        s.rv += 1;
        json(StatusCode::OK, sent)
    }
    let state: Shared = Arc::new(std::sync::Mutex::new(Contended {
        rv: 7,
        ..Default::default()
    }));
    let app = axum::Router::new()
        .route(
            "/apis/kubeless.io/v1beta1/namespaces/default/functions/busy",
            axum::routing::get(get).put(put),
        )
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let engine = Engine::new();
    let kubeconfig = crate::common::write(
        engine.home.path(),
        "kubeconfig",
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://{addr}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\n    namespace: default\ncurrent-context: c\nusers:\n- name: u\n  user: {{}}\n"
        ),
    );
    let kubeconfig = kubeconfig.to_str().unwrap().to_string();
    let run = tokio::task::block_in_place(|| {
        engine.kfn(&[
            "--kubeconfig",
            &kubeconfig,
            "autoscale",
            "create",
            "busy",
            "--metric",
            "cpu",
            "--value",
            "70",
            "--max",
            "4",
        ])
    });
    ok(&run, "autoscale create after a conflict");
    let s = state.lock().unwrap();
    assert_eq!(s.gets, 2, "read again after the 409");
    let rvs: Vec<&str> = s.puts.iter().map(|(rv, _)| rv.as_str()).collect();
    assert_eq!(rvs, ["7", "8"], "the second write is made on the fresh copy");
    let (_, written) = &s.puts[1];
    assert_eq!(written["spec"]["horizontalPodAutoscaler"]["spec"]["maxReplicas"], 4);
    assert_eq!(
        written["metadata"]["annotations"]["writer"], "8",
        "the other writer's change is kept"
    );
}

fn function_json(engine: &Engine, name: &str) -> Value {
    let run = engine.kubectl(&["get", "fn", name, "-o", "json"]);
    ok(&run, "kubectl get fn");
    serde_json::from_str(&run.stdout).unwrap()
}

fn table(stdout: &str) -> Vec<Vec<String>> {
    stdout
        .lines()
        .map(|l| l.split('\t').map(|c| c.trim().to_string()).collect())
        .collect()
}

#[test]
fn min_zero_scales_to_zero_and_delete_removes_it() {
    let engine = Engine::start_no_run();
    let f = format!("{}/examples/python/helloget.py", env!("CARGO_MANIFEST_DIR"));
    let deploy = [
        "function",
        "deploy",
        "z",
        "-r",
        "python3.11",
        "-f",
        &f,
        "--handler",
        "helloget.foo",
    ];
    ok(&engine.kfn(&deploy), "deploy");
    let create = |extra: &[&str]| {
        let mut args = vec![
            "autoscale",
            "create",
            "z",
            "--metric",
            "qps",
            "--value",
            "10",
            "--max",
            "3",
        ];
        args.extend(extra);
        engine.kfn(&args)
    };
    let run = create(&["--min", "0"]);
    ok(&run, "autoscale create --min 0");
    assert!(
        run.stderr.contains("it scales to zero after 60s with no call"),
        "{}",
        run.stderr
    );
    let stored = function_json(&engine, "z");
    assert_eq!(
        stored["spec"]["horizontalPodAutoscaler"]["spec"]["minReplicas"], 1,
        "an HPA keeps 1; the activator does zero"
    );
    assert_eq!(
        stored["spec"]["scaling"],
        serde_json::json!({"scaleToZeroAfter": "60s"})
    );
    let list = engine.kfn(&["autoscale", "list"]);
    ok(&list, "list");
    assert_eq!(
        table(&list.stdout)[1],
        ["z", "default", "z", "0", "3", "function_calls", "10"]
    );
    ok(
        &create(&["--min", "0", "--scale-to-zero-after", "5m"]),
        "another window",
    );
    assert_eq!(function_json(&engine, "z")["spec"]["scaling"]["scaleToZeroAfter"], "5m");

    // Refused, naming the flag; nothing changed.
    let before = function_json(&engine, "z");
    fails(&create(&["--min", "-1"]), "min can't be negative (--min -1)");
    fails(
        &create(&["--min", "2", "--scale-to-zero-after", "5m"]),
        "--scale-to-zero-after \\\"5m\\\" needs --min 0",
    );
    fails(
        &create(&["--min", "0", "--scale-to-zero-after", "5"]),
        "Invalid --scale-to-zero-after \\\"5\\\"",
    );
    assert_eq!(function_json(&engine, "z"), before, "nothing changed");

    // --min 1 or more: never to zero.
    ok(&create(&["--min", "1"]), "min 1");
    assert!(function_json(&engine, "z")["spec"].get("scaling").is_none());
    ok(&create(&["--min", "0"]), "min 0 again");
    let run = engine.kfn(&["autoscale", "delete", "z"]);
    ok(&run, "delete");
    let stored = function_json(&engine, "z");
    assert_eq!(stored["spec"]["horizontalPodAutoscaler"]["spec"]["maxReplicas"], 0);
    assert!(stored["spec"].get("scaling").is_none(), "scale to zero removed too");
    fails(
        &engine.kfn(&["autoscale", "delete", "z"]),
        "Not found an autoscale definition for z",
    );
}

#[test]
fn scheduled_minimums_are_added_listed_and_removed() {
    let engine = Engine::start_no_run();
    let f = format!("{}/examples/python/helloget.py", env!("CARGO_MANIFEST_DIR"));
    for name in ["a", "b"] {
        let deploy = [
            "function",
            "deploy",
            name,
            "-r",
            "python3.11",
            "-f",
            &f,
            "--handler",
            "helloget.foo",
        ];
        ok(&engine.kfn(&deploy), "deploy");
    }
    let schedule = |name: &str, cron: &str, min: &str, duration: &str| {
        engine.kfn(&[
            "autoscale",
            "schedule",
            name,
            "--cron",
            cron,
            "--min",
            min,
            "--for",
            duration,
        ])
    };
    let run = schedule("a", "0 9 * * 1-5", "3", "8h");
    ok(&run, "schedule");
    assert!(
        run.stderr.contains("0 9 * * 1-5 (UTC): at least 3 replicas for 8h"),
        "{}",
        run.stderr
    );
    ok(&schedule("a", "@daily", "1", "30m"), "a second one");
    ok(&schedule("a", "0 9 * * 1-5", "4", "9h"), "the same --cron replaces");
    ok(&schedule("b", "30 18 * * *", "0", "1h"), "min 0");
    assert_eq!(
        function_json(&engine, "a")["spec"]["scaling"],
        serde_json::json!({"schedules": [
            {"cron": "0 9 * * 1-5", "min": 4, "for": "9h"},
            {"cron": "@daily", "min": 1, "for": "30m"}]}),
        "a schedule alone: no scale to zero"
    );
    let list = engine.kfn(&["autoscale", "schedules"]);
    ok(&list, "schedules");
    assert_eq!(
        table(&list.stdout),
        [
            ["NAME", "NAMESPACE", "CRON", "MIN", "FOR"],
            ["a", "default", "0 9 * * 1-5", "4", "9h"],
            ["a", "default", "@daily", "1", "30m"],
            ["b", "default", "30 18 * * *", "0", "1h"],
        ]
    );
    let json = engine.kfn(&["autoscale", "schedules", "b", "-o", "json"]);
    ok(&json, "schedules -o json");
    assert_eq!(
        serde_json::from_str::<Value>(&json.stdout).unwrap(),
        serde_json::json!([{"function": "b", "namespace": "default", "cron": "30 18 * * *", "min": 0, "for": "1h"}])
    );

    // Refused, naming the flag; nothing changed.
    let before = function_json(&engine, "a");
    fails(
        &schedule("a", "0 25 * * *", "3", "8h"),
        "Invalid --cron \\\"0 25 * * *\\\"",
    );
    fails(&schedule("a", "0 9 * * *", "-1", "8h"), "Invalid --min -1");
    fails(&schedule("a", "0 9 * * *", "3", "8"), "Invalid --for \\\"8\\\"");
    fails(
        &engine.kfn(&["autoscale", "unschedule", "a", "--cron", "@hourly"]),
        "a has no scheduled minimum at --cron \\\"@hourly\\\"; it has \\\"0 9 * * 1-5\\\", \\\"@daily\\\"",
    );
    ok(
        &engine.kfn(&[
            "autoscale",
            "create",
            "a",
            "--metric",
            "qps",
            "--value",
            "5",
            "--max",
            "4",
        ]),
        "a rule",
    );
    fails(
        &schedule("a", "0 9 * * *", "5", "1h"),
        "a's autoscaling rule has at most 4 replicas",
    );
    let after = function_json(&engine, "a");
    assert_eq!(after["spec"]["scaling"], before["spec"]["scaling"], "nothing changed");

    ok(&engine.kfn(&["autoscale", "delete", "a"]), "delete the rule");
    assert_eq!(
        function_json(&engine, "a")["spec"]["scaling"]["schedules"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "autoscale delete leaves the schedules"
    );
    ok(
        &engine.kfn(&["autoscale", "unschedule", "a", "--cron", "@daily"]),
        "unschedule",
    );
    assert_eq!(
        table(&engine.kfn(&["autoscale", "schedules", "a"]).stdout)[1..],
        [["a", "default", "0 9 * * 1-5", "4", "9h"]]
    );
    ok(
        &engine.kfn(&["autoscale", "unschedule", "b", "--all"]),
        "unschedule --all",
    );
    assert!(function_json(&engine, "b")["spec"].get("scaling").is_none());
    fails(
        &engine.kfn(&["autoscale", "unschedule", "b", "--all"]),
        "b has no scheduled minimum",
    );
}
