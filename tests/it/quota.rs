//! ResourceQuota and LimitRange on the local engine, through the real `kfn` and kubectl: a
//! create over a quota is refused with kube-apiserver's message and changes nothing, a replica
//! the quota refuses is not started (and `kfn function describe` says why) until the quota is
//! raised, and a LimitRange's default limit is on the replica's Pod and enforced.

use std::time::Duration;

use serde_json::Value;

use crate::common::{Engine, eventually, ok};

const HELLO_PY: &str = "def handler(event, context):\n    return 'hello'\n";

fn apply(engine: &Engine, yaml: &str) {
    let run = engine.kubectl_stdin(&["apply", "-f", "-"], Some(yaml));
    ok(&run, &format!("kubectl apply of\n{yaml}"));
}

fn quota(hard: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: team\n  namespace: default\nspec:\n  hard:\n{hard}"
    )
}

fn json_of(engine: &Engine, args: &[&str]) -> Result<Value, String> {
    let args = [args, &["-o", "json"][..]].concat();
    let run = engine.kubectl(&args);
    if run.code != 0 {
        return Err(run.stderr);
    }
    serde_json::from_str(&run.stdout).map_err(|e| e.to_string())
}

/// The names of the function's Pods that are not being deleted.
fn pods(engine: &Engine, function: &str) -> Result<Vec<Value>, String> {
    let list = json_of(engine, &["get", "pods", "-l", &format!("function={function}")])?;
    Ok(list["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
        .collect())
}

#[test]
fn the_function_after_the_quota_is_refused_with_the_kubernetes_message_and_creates_nothing() {
    let engine = Engine::start();
    apply(&engine, &quota("    count/functions.kubeless.io: \"2\"\n"));
    for name in ["one", "two"] {
        let run = crate::common::deploy_code(&engine, name, "python3.11", "hello.py", HELLO_PY, &[]);
        ok(&run, &format!("deploy {name}"));
    }
    let third = crate::common::deploy_code(&engine, "three", "python3.11", "hello.py", HELLO_PY, &[]);
    assert_ne!(third.code, 0, "the third function was deployed: {}", third.stdout);
    // kfn's log line quotes the message (`\"three\"`).
    let stderr = third.stderr.replace("\\\"", "\"");
    assert!(
        stderr.contains(
            "functions.kubeless.io \"three\" is forbidden: exceeded quota: team, requested: count/functions.kubeless.io=1, used: count/functions.kubeless.io=2, limited: count/functions.kubeless.io=2"
        ),
        "{}",
        third.stderr
    );
    let list = json_of(&engine, &["get", "functions.kubeless.io"]).unwrap();
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["one", "two"]);
    let status = eventually(Duration::from_secs(20), "the quota's status counts both", || {
        let q = json_of(&engine, &["get", "resourcequota", "team"])?;
        if q["status"]["used"]["count/functions.kubeless.io"] == "2" {
            Ok(q["status"].clone())
        } else {
            Err(q["status"].to_string())
        }
    });
    assert_eq!(status["hard"]["count/functions.kubeless.io"], "2");
    let describe = engine.kubectl(&["describe", "quota", "team"]);
    ok(&describe, "kubectl describe quota");
    assert!(
        describe
            .stdout
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["count/functions.kubeless.io", "2", "2"]),
        "{}",
        describe.stdout
    );

    // One deleted, the slot is free again.
    ok(&engine.kfn(&["function", "delete", "one"]), "delete one");
    eventually(
        Duration::from_secs(30),
        "a third function fits once one is gone",
        || {
            let run = crate::common::deploy_code(&engine, "three", "python3.11", "hello.py", HELLO_PY, &[]);
            if run.code == 0 { Ok(()) } else { Err(run.stderr) }
        },
    );
}

#[test]
fn a_replica_beyond_the_pods_quota_waits_and_describe_says_why_until_the_quota_is_raised() {
    let engine = Engine::start();
    apply(&engine, &quota("    pods: \"1\"\n"));
    let run = crate::common::deploy_code(
        &engine,
        "web",
        "python3.11",
        "hello.py",
        HELLO_PY,
        &["--wait", "--wait-timeout", "90s"],
    );
    ok(&run, "deploy web");
    ok(
        &engine.kubectl(&["scale", "deployment", "web", "--replicas=2"]),
        "kubectl scale",
    );
    let why = "2 wanted, 1 running: exceeded quota: team, requested: pods=1, used: pods=1, limited: pods=1";
    eventually(
        Duration::from_secs(30),
        "describe says why a replica is missing",
        || {
            let d = engine.kfn(&["function", "describe", "web"]);
            // The table wraps long values: read it as one line of words.
            let words = d.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
            if words.contains(&format!("Replicas: {why}")) {
                Ok(())
            } else {
                Err(d.stdout)
            }
        },
    );
    assert_eq!(
        pods(&engine, "web").unwrap().len(),
        1,
        "the second replica is not started"
    );
    let events = engine.kubectl(&["get", "events", "--field-selector", "reason=FailedCreate"]);
    ok(&events, "kubectl get events");
    assert!(
        events
            .stdout
            .contains("is forbidden: exceeded quota: team, requested: pods=1"),
        "{}",
        events.stdout
    );
    let rs = json_of(&engine, &["get", "replicasets", "-l", "function=web"]).unwrap();
    let conditions = rs["items"][0]["status"]["conditions"].to_string();
    assert!(
        conditions.contains("ReplicaFailure") && conditions.contains("FailedCreate"),
        "{conditions}"
    );

    apply(&engine, &quota("    pods: \"2\"\n"));
    eventually(
        Duration::from_secs(60),
        "the second replica starts once the quota allows",
        || {
            let pods = pods(&engine, "web")?;
            let ready = pods
                .iter()
                .filter(|p| {
                    p["status"]["conditions"]
                        .as_array()
                        .is_some_and(|c| c.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"))
                })
                .count();
            if ready == 2 {
                Ok(())
            } else {
                Err(format!("{ready} ready of {}", pods.len()))
            }
        },
    );
    eventually(
        Duration::from_secs(30),
        "describe no longer says a replica is missing",
        || {
            let d = engine.kfn(&["function", "describe", "web"]);
            if d.stdout.lines().any(|l| l.starts_with("Replicas:")) {
                Err(d.stdout)
            } else {
                Ok(())
            }
        },
    );
}

#[test]
fn a_pod_without_limits_under_a_limits_quota_is_refused_and_a_limit_range_gives_them() {
    let engine = Engine::start();
    apply(&engine, &quota("    limits.memory: 1Gi\n    limits.cpu: \"2\"\n"));
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bare\n  namespace: default\nspec:\n  containers:\n  - name: c\n    image: busybox\n";
    let refused = engine.kubectl_stdin(&["create", "-f", "-"], Some(pod));
    assert_ne!(refused.code, 0, "{}", refused.stdout);
    assert!(
        refused.stderr.contains(
            "pods \"bare\" is forbidden: failed quota: team: must specify limits.cpu for: c; limits.memory for: c"
        ),
        "{}",
        refused.stderr
    );
    apply(
        &engine,
        "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: defaults\n  namespace: default\nspec:\n  limits:\n  - type: Container\n    default:\n      memory: 256Mi\n      cpu: 500m\n    max:\n      memory: 512Mi\n",
    );
    let range = json_of(&engine, &["get", "limitrange", "defaults"]).unwrap();
    assert_eq!(
        range["spec"]["limits"][0]["defaultRequest"]["memory"], "256Mi",
        "the default request is the default limit: {range}"
    );
    ok(
        &engine.kubectl_stdin(&["create", "-f", "-"], Some(pod)),
        "create the pod under a LimitRange",
    );
    let created = json_of(&engine, &["get", "pod", "bare"]).unwrap();
    let resources = &created["spec"]["containers"][0]["resources"];
    assert_eq!(resources["limits"]["memory"], "256Mi", "{created}");
    assert_eq!(resources["requests"]["cpu"], "500m", "{created}");
    assert_eq!(
        created["metadata"]["annotations"]["kubernetes.io/limit-ranger"],
        "LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c"
    );
    let big = pod.replace("bare", "big") + "    resources:\n      limits:\n        memory: 1Gi\n";
    let refused = engine.kubectl_stdin(&["create", "-f", "-"], Some(&big));
    assert!(
        refused
            .stderr
            .contains("pods \"big\" is forbidden: maximum memory usage per Container is 512Mi, but limit is 1Gi"),
        "{}",
        refused.stderr
    );
    let q = eventually(Duration::from_secs(20), "the quota counts the pod", || {
        let q = json_of(&engine, &["get", "quota", "team"])?;
        if q["status"]["used"]["limits.memory"] == "256Mi" {
            Ok(q)
        } else {
            Err(q["status"].to_string())
        }
    });
    assert_eq!(q["status"]["used"]["limits.cpu"], "500m", "{q}");
}

/// Allocates as many MiB as the call's data says.
const HOG_PY: &str = r#"
def handler(event, context):
    data = event["data"]
    if isinstance(data, bytes):
        data = data.decode()
    block = b"x" * (int(str(data).strip() or "0") << 20)
    return "allocated %d MiB" % (len(block) >> 20)
"#;

#[test]
fn a_limit_range_default_memory_limit_is_on_the_replicas_pod_and_enforced() {
    let engine = Engine::start();
    apply(
        &engine,
        "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: defaults\n  namespace: default\nspec:\n  limits:\n  - type: Container\n    default:\n      memory: 64Mi\n",
    );
    let run = crate::common::deploy_code(
        &engine,
        "hog",
        "python3.11",
        "hog.py",
        HOG_PY,
        &["--wait", "--wait-timeout", "90s"],
    );
    ok(&run, "deploy hog without --memory");
    let pod = pods(&engine, "hog").unwrap().remove(0);
    assert_eq!(
        pod["spec"]["containers"][0]["resources"]["limits"]["memory"], "64Mi",
        "{pod}"
    );
    let small = engine.kfn(&["function", "call", "hog", "--data", "8"]);
    ok(&small, "a call under the limit");
    let big = engine.kfn(&["function", "call", "hog", "--data", "600"]);
    assert_ne!(
        big.code, 0,
        "600 MiB under a default 64Mi limit succeeded: {}",
        big.stdout
    );
    eventually(
        Duration::from_secs(20),
        "the pod shows OOMKilled with the limit",
        || {
            let pod = pods(&engine, "hog")?.remove(0);
            let last = &pod["status"]["containerStatuses"][0]["lastState"]["terminated"];
            if last["reason"] == "OOMKilled" && last["message"].as_str().unwrap_or_default().contains("64Mi") {
                Ok(())
            } else {
                Err(last.to_string())
            }
        },
    );
}
