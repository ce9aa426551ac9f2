//! `--memory` and `--cpu` on the local engine: a replica's limits are enforced (a cgroup where
//! the engine may make one, rlimits otherwise), and an out-of-memory kill shows as `OOMKilled`.

use std::time::Duration;

use serde_json::Value;

use crate::common::{Engine, eventually, ok};

/// Allocates (and writes) as many MiB as the call's data says.
const HOG_PY: &str = r#"
def handler(event, context):
    data = event["data"]
    if isinstance(data, bytes):
        data = data.decode()
    mib = int(str(data).strip() or "0")
    block = b"x" * (mib << 20)
    return "allocated %d MiB" % (len(block) >> 20)
"#;

const HOG_JS: &str = r#"
module.exports = {
  handler: (event, context) => {
    const mib = parseInt(String(event.data || '0'), 10);
    const block = Buffer.alloc(mib << 20, 120);
    return `allocated ${block.length >> 20} MiB`;
  },
};
"#;

fn deploy(engine: &Engine, name: &str, runtime: &str, file: &str, code: &str, extra: &[&str]) {
    let extra = [&["--wait", "--wait-timeout", "90s"][..], extra].concat();
    let run = crate::common::deploy_code(engine, name, runtime, file, code, &extra);
    ok(&run, &format!("deploy {name}"));
}

/// The first pod of a function, as JSON.
fn pod(engine: &Engine, function: &str) -> Result<Value, String> {
    let selector = format!("function={function}");
    let run = engine.kubectl(&["--request-timeout=5s", "get", "pods", "-l", &selector, "-o", "json"]);
    if run.code != 0 {
        return Err(run.stderr);
    }
    let list: Value = serde_json::from_str(&run.stdout).map_err(|e| e.to_string())?;
    list["items"].get(0).cloned().ok_or_else(|| "no pod yet".into())
}

/// A function over its memory limit: the call fails, the replica stays and answers the next
/// call, and the Pod, its Events and `function describe` say `OOMKilled`.
fn over_the_limit_is_oom_killed(engine: &Engine, name: &str) {
    let small = engine.kfn(&["function", "call", name, "--data", "8"]);
    ok(&small, &format!("a call of {name} under the limit"));
    assert_eq!(small.stdout.trim(), "allocated 8 MiB");

    let big = engine.kfn(&["function", "call", name, "--data", "600"]);
    assert_ne!(big.code, 0, "600 MiB under a 64Mi limit succeeded: {}", big.stdout);
    assert!(
        big.stderr.contains("500"),
        "the call should fail with 500: {}",
        big.stderr
    );

    let after = engine.kfn(&["function", "call", name, "--data", "8"]);
    ok(&after, &format!("a call of {name} after the kill"));
    assert_eq!(after.stdout.trim(), "allocated 8 MiB");

    let terminated = eventually(Duration::from_secs(20), "the pod shows OOMKilled", || {
        let pod = pod(engine, name)?;
        let last = pod
            .pointer("/status/containerStatuses/0/lastState/terminated")
            .cloned()
            .unwrap_or(Value::Null);
        if last["reason"] == "OOMKilled" {
            Ok(last)
        } else {
            Err(format!("lastState: {last}"))
        }
    });
    assert_eq!(terminated["exitCode"], 137);
    assert!(
        terminated["message"].as_str().unwrap_or_default().contains("64Mi"),
        "the message names the limit: {terminated}"
    );
    let pod = pod(engine, name).unwrap();
    assert_eq!(
        pod["status"]["containerStatuses"][0]["ready"], true,
        "the replica stays up: {pod}"
    );
    let pod_name = pod["metadata"]["name"].as_str().unwrap().to_string();
    let describe = engine.kubectl(&["describe", "pod", &pod_name]);
    ok(&describe, "kubectl describe pod");
    assert!(describe.stdout.contains("OOMKilled"), "{}", describe.stdout);
    let describe = engine.kfn(&["function", "describe", name]);
    ok(&describe, "function describe");
    assert!(describe.stdout.contains("OOMKilled"), "{}", describe.stdout);
}

#[test]
fn a_function_over_its_memory_limit_is_oom_killed_and_its_replica_stays_up() {
    let engine = Engine::start();
    deploy(&engine, "hog", "python3.11", "hog.py", HOG_PY, &["--memory", "64Mi"]);
    over_the_limit_is_oom_killed(&engine, "hog");
}

#[test]
fn without_a_cgroup_each_worker_gets_the_memory_limit_as_an_rlimit() {
    let engine = Engine::start_with_env(&[("KFN_CGROUP", "off")]);
    deploy(&engine, "pyhog", "python3.11", "hog.py", HOG_PY, &["--memory", "64Mi"]);
    deploy(&engine, "jshog", "nodejs20", "hog.js", HOG_JS, &["--memory", "64Mi"]);
    over_the_limit_is_oom_killed(&engine, "pyhog");
    over_the_limit_is_oom_killed(&engine, "jshog");
    let log = engine.kfn(&["function", "logs", "pyhog"]);
    assert!(
        log.stdout.contains("RLIMIT_DATA"),
        "the log says how memory is limited: {}",
        log.stdout
    );
}

/// Reads the CPU quota of the cgroup the function runs in, as the kernel has it.
const CPU_PY: &str = r#"
import os
def handler(event, context):
    mounts = []
    for line in open("/proc/self/mountinfo"):
        left, right = line.split(" - ", 1)
        if right.split()[0] in ("cgroup", "cgroup2"):
            mounts.append(left.split()[4])
    paths = [l.rstrip("\n").split(":", 2)[2] for l in open("/proc/self/cgroup")]
    for mount in mounts:
        for path in paths:
            d = mount + path
            if "kfn-" not in path:
                continue
            if os.path.exists(d + "/cpu.max"):
                return "cpu.max " + open(d + "/cpu.max").read().strip()
            if os.path.exists(d + "/cpu.cfs_quota_us"):
                quota = open(d + "/cpu.cfs_quota_us").read().strip()
                period = open(d + "/cpu.cfs_period_us").read().strip()
                return "cfs %s %s" % (quota, period)
    return "no cpu cgroup"
"#;

#[test]
fn a_cpu_limit_is_the_quota_of_the_replicas_cgroup() {
    let engine = Engine::start();
    deploy(&engine, "quota", "python3.11", "quota.py", CPU_PY, &["--cpu", "250m"]);
    let log = engine.kfn(&["function", "logs", "quota"]);
    if log.stdout.contains("is not enforced") {
        eprintln!(
            "skipped: no cgroup the engine may write limits CPU on this machine: {}",
            log.stdout
        );
        return;
    }
    let run = engine.kfn(&["function", "call", "quota"]);
    ok(&run, "call quota");
    let out = run.stdout.trim();
    assert!(
        out == "cpu.max 25000 100000" || out == "cfs 25000 100000",
        "the replica's cgroup should allow 25 ms per 100 ms: {out}"
    );
}
