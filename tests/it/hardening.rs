//! Defects a new user meets first, each pinned by a test: a crashing replica, garbage selectors,
//! delete-and-redeploy, the code cache, and what a function can reach of the engine.

use std::time::Duration;

use serde_json::Value;

use crate::common::{Engine, Run, eventually, ok, write};

/// Deploys a Python function from `code` (written as `<module>.py`), without waiting.
fn deploy_py(engine: &Engine, name: &str, module: &str, code: &str, extra: &[&str]) -> Run {
    let file = write(engine.home.path(), &format!("src-{name}/{module}.py"), code);
    let handler = format!("{module}.handler");
    let mut args = vec![
        "function",
        "deploy",
        name,
        "--runtime",
        "python3.11",
        "--from-file",
        file.to_str().unwrap(),
        "--handler",
        &handler,
    ];
    args.extend_from_slice(extra);
    engine.kfn(&args)
}

/// The engine's pods as JSON, read with a bounded wait so a frozen engine fails the test.
fn pods(engine: &Engine) -> Result<Vec<Value>, String> {
    let run = engine.kubectl(&["--request-timeout=5s", "get", "pods", "-o", "json"]);
    if run.code != 0 {
        return Err(run.stderr);
    }
    let list: Value = serde_json::from_str(&run.stdout).map_err(|e| e.to_string())?;
    Ok(list["items"].as_array().cloned().unwrap_or_default())
}

#[test]
fn a_replica_killed_without_a_word_is_restarted_and_the_engine_keeps_answering() {
    let engine = Engine::start();
    // The module kills its runtime at import: the replica dies by SIGKILL, leaving no error line.
    let code = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\ndef handler(e, c):\n    return 'x'\n";
    ok(&deploy_py(&engine, "suicide", "suicide", code, &[]), "deploy");
    eventually(Duration::from_secs(90), "the replica is restarted twice", || {
        let pods = pods(&engine)?;
        let restarts = pods
            .iter()
            .filter_map(|p| p.pointer("/status/containerStatuses/0/restartCount")?.as_u64())
            .max()
            .unwrap_or(0);
        if restarts >= 2 {
            Ok(())
        } else {
            Err(format!("{restarts} restarts"))
        }
    });
    // The engine still serves the API and other functions.
    let good = "def handler(e, c):\n    return 'alive'\n";
    ok(
        &deploy_py(&engine, "good", "good", good, &["--wait", "--wait-timeout", "60s"]),
        "deploy good",
    );
    let run = engine.kfn(&["function", "call", "good"]);
    ok(&run, "call good");
    assert_eq!(run.stdout.trim(), "alive");
    let status = engine.kfn(&["local", "status"]);
    ok(&status, "local status");
}

#[tokio::test]
async fn garbage_field_selectors_are_refused_and_delete_nothing() {
    let engine = Engine::start_no_run();
    for name in ["one", "two"] {
        ok(
            &engine.kubectl(&["create", "configmap", name, "--from-literal=a=b"]),
            "create configmap",
        );
    }
    let client = engine.client().await;
    for selector in ["%3D", "%3D%3D%3D!!", "a%3Db%3Dc", "data.a%3Db"] {
        let req = http::Request::delete(format!(
            "/api/v1/namespaces/default/configmaps?fieldSelector={selector}"
        ))
        .body(Vec::new())
        .unwrap();
        let (code, body) = crate::common::raw(&client, req).await;
        assert_eq!(code, 400, "DELETE with fieldSelector={selector}: {body}");
        assert_eq!(body["kind"], "Status");
        assert_eq!(body["reason"], "BadRequest");
    }
    let run = engine.kubectl(&["get", "configmaps", "-o", "name"]);
    ok(&run, "list configmaps");
    assert!(
        run.stdout.contains("configmap/one") && run.stdout.contains("configmap/two"),
        "{}",
        run.stdout
    );
    let run = engine.kubectl(&["get", "cm", "-A", "--field-selector", "="]);
    assert_ne!(run.code, 0, "kubectl get with '=' lists: {}", run.stdout);
    assert!(run.stderr.contains("field label not supported"), "{}", run.stderr);
    let run = engine.kubectl(&["get", "cm", "--field-selector", "metadata.name=one", "-o", "name"]);
    ok(&run, "a supported field selector");
    assert_eq!(run.stdout.trim(), "configmap/one");
}

#[test]
fn a_function_deleted_and_deployed_again_at_once_runs() {
    let engine = Engine::start();
    for round in 0..3 {
        let code = format!("def handler(e, c):\n    return 'round {round}'\n");
        ok(
            &deploy_py(&engine, "again", "again", &code, &["--wait", "--wait-timeout", "60s"]),
            "deploy",
        );
        let run = engine.kfn(&["function", "call", "again"]);
        ok(&run, "call");
        assert_eq!(run.stdout.trim(), format!("round {round}"));
        ok(&engine.kfn(&["function", "delete", "again"]), "delete");
    }
}

#[test]
fn the_same_file_deployed_under_another_module_name_runs() {
    let engine = Engine::start();
    let code = "def handler(e, c):\n    return 'same'\n";
    ok(
        &deploy_py(&engine, "first", "first", code, &["--wait", "--wait-timeout", "60s"]),
        "deploy first",
    );
    // The same content, now as module `second`: its own files, not first.py's.
    ok(
        &deploy_py(&engine, "second", "second", code, &["--wait", "--wait-timeout", "60s"]),
        "deploy second",
    );
    for name in ["first", "second"] {
        let run = engine.kfn(&["function", "call", name]);
        ok(&run, &format!("call {name}"));
        assert_eq!(run.stdout.trim(), "same");
    }
}
