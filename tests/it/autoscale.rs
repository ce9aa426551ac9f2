//! `kfn autoscale`: rules written into Functions, and the engine scaling replicas under load.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{Engine, ok};

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
