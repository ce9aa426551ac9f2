//! Scale to zero on the local engine: the idle loop takes a function with
//! `spec.scaling.scaleToZeroAfter` to no replica (no Pod, no process), and the activator wakes
//! it for a call from every way in, holding calls (a bounded queue, the function's timeout)
//! while its replica starts.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{Engine, eventually, example, ok, until, write};

/// Deploys the Python hello (`helloget.foo`) and waits for it.
fn deploy_hello(engine: &Engine, name: &str, extra: &[&str]) {
    let file = example("python/helloget.py");
    let mut args = vec![
        "function",
        "deploy",
        name,
        "--runtime",
        "python3.11",
        "--from-file",
        &file,
        "--handler",
        "helloget.foo",
        "--wait",
    ];
    args.extend_from_slice(extra);
    ok(&engine.kfn(&args), &format!("deploy {name}"));
}

/// Sets `spec.scaling` with a merge patch through the engine's API.
fn scale_to_zero_after(engine: &Engine, name: &str, after: &str) {
    let patch = format!(r#"{{"spec": {{"scaling": {{"scaleToZeroAfter": "{after}"}}}}}}"#);
    ok(
        &engine.kubectl(&["patch", "function", name, "--type", "merge", "-p", &patch]),
        "patch spec.scaling",
    );
}

fn json(engine: &Engine, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["-o", "json"]);
    let run = engine.kubectl(&all);
    serde_json::from_str(&run.stdout).unwrap_or(Value::Null)
}

/// The Events about a function: reason, message and how many times it was seen.
fn events(engine: &Engine, name: &str) -> Vec<(String, String, usize)> {
    json(engine, &["get", "events"])["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["involvedObject"]["kind"] == "Function" && e["involvedObject"]["name"] == name)
        .map(|e| {
            (
                e["reason"].as_str().unwrap_or_default().to_string(),
                e["message"].as_str().unwrap_or_default().to_string(),
                e["count"].as_u64().unwrap_or(1) as usize,
            )
        })
        .collect()
}

fn count(engine: &Engine, name: &str, reason: &str) -> usize {
    events(engine, name)
        .iter()
        .filter(|(r, _, _)| r == reason)
        .map(|(_, _, n)| n)
        .sum()
}

/// Whether a `kfn runtime serve` process of this engine runs the function.
fn has_process(engine: &Engine, function: &str) -> bool {
    let home = engine.state();
    std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
        let Some(pid) = e.file_name().to_str().and_then(|p| p.parse::<u64>().ok()) else {
            return false;
        };
        let env =
            String::from_utf8_lossy(&std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default()).into_owned();
        let cwd = std::fs::read_link(format!("/proc/{pid}/cwd")).unwrap_or_default();
        env.split('\0').any(|v| v == format!("KFN_FUNCTION_NAME={function}"))
            && env.contains("FUNC_PORT=")
            && cwd.starts_with(&home)
    })
}

/// Waits until the function is at zero: Deployment replicas 0, no Pod, no process, status
/// `Idle`, `Ready` still true with reason `Idle`, a `ScaledToZero` Event.
fn wait_idle(engine: &Engine, name: &str) {
    eventually(Duration::from_secs(60), &format!("{name} scales to zero"), || {
        let replicas = engine
            .kubectl(&["get", "deployment", name, "-o", "jsonpath={.spec.replicas}"])
            .stdout;
        let pods = engine
            .kubectl(&["get", "pods", "-l", &format!("function={name}"), "-o", "name"])
            .stdout;
        let f = json(engine, &["get", "function", name]);
        let ready = f["status"]["conditions"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["type"] == "Ready"))
            .cloned()
            .unwrap_or_default();
        let done = replicas == "0"
            && pods.trim().is_empty()
            && f["status"]["scaling"]["state"] == "Idle"
            && ready["status"] == "True"
            && ready["reason"] == "Idle"
            && count(engine, name, "ScaledToZero") > 0
            && !has_process(engine, name);
        match done {
            true => Ok(()),
            false => Err(format!(
                "replicas {replicas:?}, pods {pods:?}, status {}, process {}",
                f["status"],
                has_process(engine, name)
            )),
        }
    });
}

fn gateway(engine: &Engine) -> String {
    let info: Value =
        serde_json::from_str(&std::fs::read_to_string(engine.state().join("engine.json")).unwrap()).unwrap();
    info["gateway"].as_str().expect("the engine has a gateway").to_string()
}

/// A plain HTTP GET: (status, head, body).
fn get(address: &str, host: &str, path: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(address).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (status, head.to_string(), body.to_string())
}

fn http_trigger(engine: &Engine, function: &str, host: &str) {
    ok(
        &engine.kfn(&[
            "trigger",
            "http",
            "create",
            &format!("ing-{function}"),
            "--function-name",
            function,
            "--hostname",
            host,
            "--path",
            "hello",
        ]),
        "create the HTTP trigger",
    );
    let gw = gateway(engine);
    eventually(Duration::from_secs(15), "the gateway routes the trigger", || {
        let (status, _, body) = get(&gw, host, "/hello");
        if status == 200 {
            Ok(())
        } else {
            Err(format!("{status} {body}"))
        }
    });
}

#[test]
fn a_function_goes_to_zero_after_its_window_and_each_way_in_wakes_it() {
    let engine = Engine::start();
    deploy_hello(&engine, "sleepy", &[]);
    http_trigger(&engine, "sleepy", "sleepy.test");
    scale_to_zero_after(&engine, "sleepy", "2s");
    wait_idle(&engine, "sleepy");
    let f = json(&engine, &["get", "function", "sleepy"]);
    let reason = f["status"]["scaling"]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("scale-to-zero-after 2s"), "{}", f["status"]);
    assert!(f["status"]["scaling"]["since"].is_string(), "{}", f["status"]);
    assert!(f["status"]["scaling"]["prediction"].is_string(), "{}", f["status"]);
    let (_, why, _) = events(&engine, "sleepy")
        .into_iter()
        .find(|(r, _, _)| r == "ScaledToZero")
        .unwrap();
    assert!(why.contains("no call for"), "{why}");

    // `kfn function call` (the service proxy).
    let run = engine.kfn(&["function", "call", "sleepy"]);
    ok(&run, "call at zero");
    assert!(run.stdout.contains("hello world"), "{}", run.stdout);
    assert_eq!(
        count(&engine, "sleepy", "Activated"),
        1,
        "{:?}",
        events(&engine, "sleepy")
    );
    until(Duration::from_secs(10), "the status says a call woke it", || {
        json(&engine, &["get", "function", "sleepy"])["status"]["scaling"]["state"] == "Warm"
    });
    wait_idle(&engine, "sleepy");

    // An HTTP trigger (the gateway); the first answer from zero, timed.
    let gw = gateway(&engine);
    let started = Instant::now();
    let (status, _, body) = get(&gw, "sleepy.test", "/hello");
    let took = started.elapsed();
    assert_eq!((status, body.trim()), (200, "hello world"));
    eprintln!("first answer from zero through the gateway: {took:?}");
    assert_eq!(count(&engine, "sleepy", "Activated"), 2);
    wait_idle(&engine, "sleepy");

    // A cron trigger.
    ok(
        &engine.kfn(&[
            "trigger",
            "cronjob",
            "create",
            "wake",
            "--function",
            "sleepy",
            "--schedule",
            "@every 2s",
        ]),
        "create the cron trigger",
    );
    eventually(Duration::from_secs(15), "a cron firing wakes the function", || {
        let logs = engine.kfn(&["function", "logs", "sleepy"]).stdout;
        match count(&engine, "sleepy", "Activated") >= 3 && logs.contains("kfn-cron") {
            true => Ok(()),
            false => Err(logs),
        }
    });
    ok(
        &engine.kfn(&["trigger", "cronjob", "delete", "wake"]),
        "delete the cron trigger",
    );
    wait_idle(&engine, "sleepy");
}

#[test]
fn a_nats_message_wakes_a_function_at_zero() {
    let nats = crate::triggers::nats_server();
    let url = format!("nats://127.0.0.1:{}", nats.1);
    let engine = Engine::new();
    ok(&engine.kfn(&["local", "start", "--nats", &url]), "start with NATS");
    let file = example("python/hellowithdata.py");
    ok(
        &engine.kfn(&[
            "function",
            "deploy",
            "natsleepy",
            "--runtime",
            "python3.11",
            "--from-file",
            &file,
            "--handler",
            "hellowithdata.handler",
            "--label",
            "topic=wake",
            "--wait",
        ]),
        "deploy",
    );
    ok(
        &engine.kfn(&[
            "trigger",
            "nats",
            "create",
            "wake",
            "--function-selector",
            "topic=wake",
            "--trigger-topic",
            "wake",
        ]),
        "create the NATS trigger",
    );
    crate::common::wait_trigger(&engine, "nats", "delivering to natsleepy", 10, "the engine subscribes");
    scale_to_zero_after(&engine, "natsleepy", "2s");
    wait_idle(&engine, "natsleepy");
    let run = engine.kfn(&crate::triggers::nats_publish(&url, "wake", r#"{"payload": "z7q4w"}"#));
    ok(&run, "publish");
    eventually(Duration::from_secs(15), "the message reaches the function", || {
        let logs = engine.kfn(&["function", "logs", "natsleepy"]).stdout;
        if logs.contains("z7q4w") { Ok(()) } else { Err(logs) }
    });
    assert_eq!(count(&engine, "natsleepy", "Activated"), 1);
}

#[test]
fn twenty_concurrent_calls_to_a_function_at_zero_are_all_answered() {
    let engine = Engine::start();
    deploy_hello(&engine, "crowd", &[]);
    scale_to_zero_after(&engine, "crowd", "2s");
    wait_idle(&engine, "crowd");
    let engine = &engine;
    let runs: Vec<_> = std::thread::scope(|s| {
        let calls: Vec<_> = (0..20)
            .map(|_| s.spawn(move || engine.kfn(&["function", "call", "crowd"])))
            .collect();
        calls.into_iter().map(|c| c.join().unwrap()).collect()
    });
    for run in &runs {
        ok(run, "a call at zero");
        assert!(run.stdout.contains("hello world"), "{}", run.stdout);
    }
    assert_eq!(count(engine, "crowd", "Activated"), 1, "one replica started for all");
}

/// A Python function whose module takes `seconds` to load (its replica is not ready before).
fn deploy_slow_start(engine: &Engine, name: &str, seconds: u32, timeout: &str) {
    let code = format!("import time\ntime.sleep({seconds})\n\ndef handler(event, context):\n    return 'awake'\n");
    let path = write(engine.home.path(), &format!("src-{name}/slowstart.py"), code);
    ok(
        &engine.kfn(&[
            "function",
            "deploy",
            name,
            "--runtime",
            "python3.11",
            "--from-file",
            path.to_str().unwrap(),
            "--handler",
            "slowstart.handler",
            "--timeout",
            timeout,
            "--wait",
        ]),
        "deploy",
    );
}

#[test]
fn a_full_queue_answers_503_with_retry_after() {
    let engine = Engine::start_with_env(&[("KFN_ACTIVATOR_QUEUE", "1")]);
    deploy_slow_start(&engine, "queued", 4, "60");
    let gw = gateway(&engine);
    http_trigger(&engine, "queued", "queued.test");
    scale_to_zero_after(&engine, "queued", "2s");
    wait_idle(&engine, "queued");
    std::thread::scope(|s| {
        let first = s.spawn(|| get(&gw, "queued.test", "/hello"));
        // The first call waits for the replica it started (its module takes 4 s to load).
        until(Duration::from_secs(10), "the first call wakes the function", || {
            count(&engine, "queued", "Activated") == 1
        });
        let (status, head, body) = get(&gw, "queued.test", "/hello");
        assert_eq!(status, 503, "{head}\n{body}");
        assert!(head.to_ascii_lowercase().contains("retry-after: 1"), "{head}");
        assert!(body.contains("KFN_ACTIVATOR_QUEUE"), "{body}");
        let (status, _, body) = first.join().unwrap();
        assert_eq!((status, body.trim()), (200, "awake"), "the waiting call is served");
    });
}

#[test]
fn a_call_that_waits_longer_than_the_timeout_gets_the_timeout_answer() {
    let engine = Engine::start();
    deploy_slow_start(&engine, "late", 4, "1");
    // A window longer than the start: the replica the timed-out call started gets ready.
    scale_to_zero_after(&engine, "late", "10s");
    wait_idle(&engine, "late");
    let run = engine.kfn(&["function", "call", "late"]);
    crate::common::fails(&run, "Request timeout exceeded");
    // The replica it started serves the next call once it is ready.
    eventually(Duration::from_secs(20), "the woken replica answers", || {
        let run = engine.kfn(&["function", "call", "late"]);
        if run.stdout.contains("awake") {
            Ok(())
        } else {
            Err(run.stderr)
        }
    });
}

#[test]
fn the_hpa_leaves_a_function_at_zero_alone() {
    let engine = Engine::start_with_env(&[("KFN_HPA_SYNC_PERIOD", "200ms")]);
    deploy_hello(&engine, "governed", &[]);
    ok(
        &engine.kfn(&[
            "autoscale",
            "create",
            "governed",
            "--metric",
            "qps",
            "--value",
            "10",
            "--min",
            "1",
            "--max",
            "3",
        ]),
        "autoscale create",
    );
    scale_to_zero_after(&engine, "governed", "2s");
    wait_idle(&engine, "governed");
    until(Duration::from_secs(10), "the HPA says scaling is disabled", || {
        let hpa = json(&engine, &["get", "hpa", "governed"]);
        hpa["status"]["conditions"][0]["reason"] == "ScalingDisabled"
    });
    // The sync that said so left the Deployment at zero, with no rescale.
    assert_eq!(
        engine
            .kubectl(&["get", "deployment", "governed", "-o", "jsonpath={.spec.replicas}"])
            .stdout,
        "0"
    );
    assert_eq!(
        count(&engine, "governed", "SuccessfulRescale"),
        0,
        "{:?}",
        events(&engine, "governed")
    );
    // A call wakes it; the HPA governs from one replica on.
    let run = engine.kfn(&["function", "call", "governed"]);
    ok(&run, "call");
    assert!(run.stdout.contains("hello world"));
}

#[test]
fn a_call_for_a_replica_that_cannot_start_is_told_why_without_waiting_out_the_timeout() {
    let engine = Engine::start();
    deploy_hello(&engine, "broken", &[]);
    scale_to_zero_after(&engine, "broken", "2s");
    wait_idle(&engine, "broken");
    let code = write(
        engine.home.path(),
        "src-broken/helloget.py",
        "raise RuntimeError('k3v9 cannot load')\n",
    );
    ok(
        &engine.kfn(&["function", "update", "broken", "--from-file", code.to_str().unwrap()]),
        "update with code that cannot load",
    );
    // The timeout is 180 s: the answer comes as soon as the replica's Pod says it cannot start.
    let run = engine.kfn(&["function", "call", "broken"]);
    crate::common::fails(&run, "its replica cannot start");
    assert!(run.stderr.contains("k3v9 cannot load"), "{}", run.stderr);
}
