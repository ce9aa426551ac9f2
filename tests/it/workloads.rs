//! The engine manages Pods as Kubernetes does: Deployment → ReplicaSet → Pods, with their
//! controllers' status and conditions, rollout history, and the garbage collector's policies.

use std::time::Duration;

use serde_json::Value;

use crate::common::{Engine, deploy_code, eventually, ok, until, write};

const CODE: &str = "def handler(event, context):\n    return 'one'\n";

fn json(run: &crate::common::Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// The names of the function's Pods.
fn pods(engine: &Engine, function: &str) -> Vec<String> {
    let run = engine.kubectl(&["get", "pods", "-l", &format!("function={function}"), "-o", "json"]);
    ok(&run, "get pods");
    json(&run)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .collect()
}

fn answers(engine: &Engine, function: &str, want: &str) {
    eventually(Duration::from_secs(60), &format!("{function} answers {want}"), || {
        let run = engine.kfn(&["function", "call", function]);
        if run.code == 0 && run.stdout.trim() == want {
            Ok(())
        } else {
            Err(format!("{} {}", run.stdout, run.stderr))
        }
    });
}

#[test]
fn a_deleted_function_pod_is_replaced_and_the_function_answers_again() {
    let engine = Engine::start();
    ok(
        &deploy_code(&engine, "hello", "python3.12", "one.py", CODE, &["--wait"]),
        "deploy",
    );
    // Deployment → ReplicaSet `<deployment>-<hash>` → Pod `<replicaset>-<5 chars>`, owned.
    let rs = json(&engine.kubectl(&["get", "rs", "-l", "function=hello", "-o", "json"]));
    let rs = &rs["items"][0];
    let rs_name = rs["metadata"]["name"].as_str().unwrap().to_string();
    let hash = rs["metadata"]["labels"]["pod-template-hash"].as_str().unwrap();
    assert_eq!(rs_name, format!("hello-{hash}"));
    assert_eq!(rs["metadata"]["ownerReferences"][0]["kind"], "Deployment");
    assert_eq!(rs["metadata"]["ownerReferences"][0]["controller"], true);
    let before = pods(&engine, "hello");
    assert_eq!(before.len(), 1, "{before:?}");
    assert!(
        before[0].starts_with(&format!("{rs_name}-")) && before[0].len() == rs_name.len() + 6,
        "{before:?}"
    );
    let pod = json(&engine.kubectl(&["get", "pod", &before[0], "-o", "json"]));
    assert_eq!(pod["metadata"]["ownerReferences"][0]["kind"], "ReplicaSet");
    assert_eq!(pod["metadata"]["ownerReferences"][0]["blockOwnerDeletion"], true);

    ok(&engine.kubectl(&["delete", "pod", &before[0]]), "delete pod");
    let after = eventually(Duration::from_secs(30), "a new Pod", || {
        let now = pods(&engine, "hello");
        if now.len() == 1 && now[0] != before[0] {
            Ok(now)
        } else {
            Err(format!("{now:?}"))
        }
    });
    answers(&engine, "hello", "one");
    ok(
        &engine.kubectl(&["wait", "--for=condition=Available", "deployment/hello", "--timeout=60s"]),
        "wait Available",
    );
    let rs = json(&engine.kubectl(&["get", "rs", &rs_name, "-o", "json"]));
    assert_eq!(rs["status"]["readyReplicas"], 1, "{}", rs["status"]);
    assert!(pods(&engine, "hello") == after);
}

#[test]
fn rollout_history_and_undo_follow_function_updates() {
    let engine = Engine::start();
    ok(
        &deploy_code(&engine, "hist", "python3.12", "one.py", CODE, &["--wait"]),
        "deploy",
    );
    let two = write(
        engine.home.path(),
        "src-hist/two.py",
        "def handler(event, context):\n    return 'two'\n",
    );
    ok(
        &engine.kfn(&[
            "function",
            "update",
            "hist",
            "-f",
            two.to_str().unwrap(),
            "--handler",
            "two.handler",
            "--wait",
        ]),
        "update",
    );
    answers(&engine, "hist", "two");
    let run = engine.kubectl(&["rollout", "history", "deployment/hist"]);
    ok(&run, "rollout history");
    let revisions: Vec<&str> = run
        .stdout
        .lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(revisions, ["1", "2"], "{}", run.stdout);
    ok(
        &engine.kubectl(&["rollout", "status", "deployment/hist", "--timeout=60s"]),
        "rollout status",
    );

    ok(&engine.kubectl(&["rollout", "undo", "deployment/hist"]), "rollout undo");
    answers(&engine, "hist", "one");
    ok(
        &engine.kubectl(&["rollout", "status", "deployment/hist", "--timeout=60s"]),
        "rollout status after undo",
    );
    eventually(Duration::from_secs(30), "one Pod left, of the old code", || {
        let now = pods(&engine, "hist");
        if now.len() == 1 {
            Ok(())
        } else {
            Err(format!("{now:?}"))
        }
    });
    let run = engine.kubectl(&["rollout", "history", "deployment/hist"]);
    let revisions: Vec<&str> = run
        .stdout
        .lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(revisions, ["2", "3"], "{}", run.stdout);
}

#[test]
fn a_function_is_ready_only_while_its_current_pods_are() {
    let engine = Engine::start();
    ok(
        &deploy_code(&engine, "rdy", "python3.12", "one.py", CODE, &["--wait"]),
        "deploy",
    );
    let ready = |engine: &Engine| {
        let f = json(&engine.kubectl(&["get", "function", "rdy", "-o", "json"]));
        f["status"]["conditions"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["type"] == "Ready").cloned())
            .unwrap_or(Value::Null)
    };
    eventually(Duration::from_secs(30), "Ready=True", || {
        let c = ready(&engine);
        if c["status"] == "True" && c["reason"] == "ReplicasReady" {
            Ok(())
        } else {
            Err(c.to_string())
        }
    });
    ok(
        &engine.kubectl(&["wait", "--for=condition=Ready", "function/rdy", "--timeout=30s"]),
        "kubectl wait Ready",
    );
    // A new revision that cannot start: not Ready, and not listed READY, while it rolls out.
    let bad = write(
        engine.home.path(),
        "src-rdy/bad.py",
        "def handler(event, context):\n    return 'x'\n",
    );
    ok(
        &engine.kfn(&[
            "function",
            "update",
            "rdy",
            "-f",
            bad.to_str().unwrap(),
            "--handler",
            "bad.missing",
        ]),
        "update",
    );
    eventually(Duration::from_secs(30), "Ready=False during the rollout", || {
        let c = ready(&engine);
        if c["status"] == "False" {
            Ok(())
        } else {
            Err(c.to_string())
        }
    });
    // The old replica still answers meanwhile (maxUnavailable 0).
    answers(&engine, "rdy", "one");
    // Scaled to zero: nothing serves, nothing is READY.
    ok(&engine.kubectl(&["scale", "deployment/rdy", "--replicas=0"]), "scale");
    eventually(Duration::from_secs(30), "no Pod, not READY", || {
        let ls = engine.kfn(&["function", "ls"]);
        if pods(&engine, "rdy").is_empty() && ls.stdout.contains("0/0 NOT READY") {
            Ok(())
        } else {
            Err(ls.stdout)
        }
    });
}

#[test]
fn other_deployments_get_replicasets_and_pending_pods_with_kubernetes_conditions() {
    let engine = Engine::start();
    let web = r#"{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}}"#;
    ok(
        &engine.kubectl_stdin(&["apply", "--server-side", "-f", "-"], Some(web)),
        "create deployment",
    );
    let d = eventually(Duration::from_secs(20), "the Deployment's conditions", || {
        let d = json(&engine.kubectl(&["get", "deployment", "web", "-o", "json"]));
        if d["status"]["conditions"].as_array().is_some_and(|c| c.len() == 2) {
            Ok(d)
        } else {
            Err(d["status"].to_string())
        }
    });
    let condition = |t: &str| {
        d["status"]["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["type"] == t)
            .unwrap()
            .clone()
    };
    assert_eq!(condition("Available")["reason"], "MinimumReplicasUnavailable");
    assert_eq!(condition("Available")["status"], "False");
    assert_eq!(condition("Progressing")["status"], "True");
    assert_eq!(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "1");
    let rs = engine.kubectl(&["get", "rs"]);
    ok(&rs, "get rs");
    let header: Vec<&str> = rs.stdout.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]);
    let pods = eventually(Duration::from_secs(20), "two Pending Pods", || {
        let pods = json(&engine.kubectl(&["get", "pods", "-l", "app=web", "-o", "json"]));
        let items = pods["items"].as_array().unwrap().clone();
        let scheduled = items
            .iter()
            .filter(|p| p.pointer("/status/conditions/0/type") == Some(&"PodScheduled".into()))
            .count();
        if items.len() == 2 && scheduled == 2 {
            Ok(items)
        } else {
            Err(pods.to_string())
        }
    });
    for p in &pods {
        assert_eq!(p["status"]["phase"], "Pending");
        assert_eq!(p["status"]["conditions"][0]["status"], "False");
        assert!(
            p["status"]["conditions"][0]["message"]
                .as_str()
                .unwrap()
                .contains("runs only the Pods of kfn functions")
        );
    }
    // `--cascade=orphan`: the ReplicaSet stays, without its owner.
    ok(
        &engine.kubectl(&["delete", "deployment", "web", "--cascade=orphan"]),
        "delete --cascade=orphan",
    );
    let rs = json(&engine.kubectl(&["get", "rs", "-l", "app=web", "-o", "json"]));
    let items = rs["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{rs}");
    assert!(
        items[0]["metadata"].get("ownerReferences").is_none(),
        "{}",
        items[0]["metadata"]
    );
    // The collector has swept since (it took an object whose owner never existed), and the
    // orphaned Pods are still there.
    let stray = r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "sentinel",
        "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "gone", "uid": "00000000-0000-0000-0000-000000000000"}]}}"#;
    ok(
        &engine.kubectl_stdin(&["create", "-f", "-"], Some(stray)),
        "create a sentinel",
    );
    until(Duration::from_secs(30), "the collector takes the sentinel", || {
        engine.kubectl(&["get", "cm", "sentinel"]).stderr.contains("NotFound")
    });
    assert_eq!(
        json(&engine.kubectl(&["get", "pods", "-l", "app=web", "-o", "json"]))["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Foreground: the ReplicaSet waits for its Pods, then goes with them.
    let name = items[0]["metadata"]["name"].as_str().unwrap().to_string();
    ok(
        &engine.kubectl(&["delete", "rs", &name, "--cascade=foreground"]),
        "delete --cascade=foreground",
    );
    assert_eq!(
        json(&engine.kubectl(&["get", "pods", "-l", "app=web", "-o", "json"]))["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(engine.kubectl(&["get", "rs", &name]).code, 1);
}

#[test]
fn an_object_whose_owner_does_not_exist_is_collected() {
    let engine = Engine::start();
    let orphan = r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "stray",
        "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "gone", "uid": "00000000-0000-0000-0000-000000000000"}]}}"#;
    ok(&engine.kubectl_stdin(&["create", "-f", "-"], Some(orphan)), "create");
    ok(&engine.kubectl(&["create", "configmap", "owner"]), "create owner");
    let uid = engine
        .kubectl(&["get", "cm", "owner", "-o", "jsonpath={.metadata.uid}"])
        .stdout;
    let owned = format!(
        r#"{{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {{"name": "kept",
        "ownerReferences": [{{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": "{uid}"}}]}}}}"#
    );
    ok(
        &engine.kubectl_stdin(&["create", "-f", "-"], Some(&owned)),
        "create owned",
    );
    eventually(Duration::from_secs(20), "the stray ConfigMap collected", || {
        let run = engine.kubectl(&["get", "cm", "stray"]);
        if run.code == 1 && run.stderr.contains("NotFound") {
            Ok(())
        } else {
            Err(run.stdout)
        }
    });
    ok(&engine.kubectl(&["get", "cm", "kept"]), "an owned object stays");
}

#[test]
fn an_orphan_finalizer_orphans_and_a_dependent_with_another_owner_only_loses_its_reference() {
    let engine = Engine::start();
    let uid = |name: &str| {
        engine
            .kubectl(&["get", "cm", name, "-o", "jsonpath={.metadata.uid}"])
            .stdout
    };
    let owned_by = |name: &str, owners: &[&str]| {
        let refs: Vec<String> = owners
            .iter()
            .map(|o| {
                format!(
                    r#"{{"apiVersion": "v1", "kind": "ConfigMap", "name": "{o}", "uid": "{}"}}"#,
                    uid(o)
                )
            })
            .collect();
        format!(
            r#"{{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {{"name": "{name}", "ownerReferences": [{}]}}}}"#,
            refs.join(",")
        )
    };
    ok(&engine.kubectl(&["create", "configmap", "a"]), "create a");
    ok(&engine.kubectl(&["create", "configmap", "b"]), "create b");
    ok(
        &engine.kubectl_stdin(&["create", "-f", "-"], Some(&owned_by("both", &["a", "b"]))),
        "create both",
    );
    ok(
        &engine.kubectl_stdin(&["create", "-f", "-"], Some(&owned_by("of-b", &["b"]))),
        "create of-b",
    );
    // Background: a dependent with another owner stays, without the deleted one.
    ok(&engine.kubectl(&["delete", "cm", "a"]), "delete a");
    let both = json(&engine.kubectl(&["get", "cm", "both", "-o", "json"]));
    let refs = both["metadata"]["ownerReferences"].as_array().unwrap();
    assert_eq!(refs.len(), 1, "{refs:?}");
    assert_eq!(refs[0]["name"], "b");
    // The orphan finalizer on the owner: deleted with no policy (kubectl's `delete` asks for
    // Background, which overrides it, on a cluster too), its dependents stay when it goes.
    ok(
        &engine.kubectl(&[
            "patch",
            "cm",
            "b",
            "--type=merge",
            "-p",
            r#"{"metadata": {"finalizers": ["orphan"]}}"#,
        ]),
        "patch",
    );
    ok(
        &engine.kubectl(&["delete", "--raw", "/api/v1/namespaces/default/configmaps/b"]),
        "delete b",
    );
    assert_eq!(engine.kubectl(&["get", "cm", "b"]).code, 1, "b is gone");
    for name in ["both", "of-b"] {
        let cm = json(&engine.kubectl(&["get", "cm", name, "-o", "json"]));
        assert!(
            cm["metadata"].get("ownerReferences").is_none(),
            "{name}: {}",
            cm["metadata"]
        );
    }
}
