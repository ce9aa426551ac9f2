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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_are_written_while_another_client_writes_the_function() {
    use kube::api::{Patch, PatchParams, PostParams};
    let engine = Engine::start_no_run();
    let api = crate::common::functions(&engine.client().await, "default");
    api.create(
        &PostParams::default(),
        &serde_json::from_value(crate::common::function("busy")).unwrap(),
    )
    .await
    .unwrap();
    // Another writer (a controller, a second user) changes the Function all the time, so the
    // Function kfn read is often stale by the time it writes it back: a 409 kfn must retry.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (api, stop) = (api.clone(), stop.clone());
        tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                let patch = serde_json::json!({"metadata": {"annotations": {"writer": n.to_string()}}});
                api.patch("busy", &PatchParams::default(), &Patch::Merge(&patch))
                    .await
                    .unwrap();
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            n
        })
    };
    for round in 0..12 {
        let max = (3 + round).to_string();
        let args = [
            "autoscale",
            "create",
            "busy",
            "--metric",
            "cpu",
            "--value",
            "70",
            "--max",
            &max,
        ];
        let run = tokio::task::block_in_place(|| engine.kfn(&args));
        ok(&run, &format!("autoscale create, round {round}"));
        let run = tokio::task::block_in_place(|| engine.kfn(&["autoscale", "delete", "busy"]));
        ok(&run, &format!("autoscale delete, round {round}"));
    }
    let run = tokio::task::block_in_place(|| {
        engine.kfn(&[
            "autoscale",
            "create",
            "busy",
            "--metric",
            "cpu",
            "--value",
            "70",
            "--max",
            "9",
        ])
    });
    ok(&run, "last autoscale create");
    stop.store(true, Ordering::SeqCst);
    let last = writer.await.unwrap();
    // Neither write was lost: the rule and the other writer's last change are both there.
    let f = api.get("busy").await.unwrap();
    assert_eq!(f.data["spec"]["horizontalPodAutoscaler"]["spec"]["maxReplicas"], 9);
    assert_eq!(f.metadata.annotations.unwrap()["writer"], last.to_string());
}
