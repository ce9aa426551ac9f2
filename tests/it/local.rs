//! `kfn local`: starting, stopping, crashing and wiping the engine, and which server commands use.

use std::os::unix::fs::PermissionsExt;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, PostParams};
use serde_json::json;

use crate::common::{Engine, kfn_command};

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn start_is_idempotent_and_status_reports_the_engine() {
    let engine = Engine::start();
    assert_eq!(mode(&engine.kubeconfig()), 0o600, "the kubeconfig holds the token");
    let again = engine.kfn(&["local", "start"]);
    assert_eq!(again.code, 0);
    assert!(
        again.stdout.contains("already running at https://127.0.0.1:"),
        "{}",
        again.stdout
    );
    let status = engine.kfn(&["local", "status"]);
    assert_eq!(status.code, 0);
    for field in [
        "status:     running",
        "address:    https://127.0.0.1:",
        &format!("pid:        {}", engine.pid()),
        "objects:    ",
    ] {
        assert!(
            status.stdout.contains(field),
            "status shows {field:?}:\n{}",
            status.stdout
        );
    }
    assert!(status.stdout.contains(&engine.state().display().to_string()));
    let stop = engine.kfn(&["local", "stop"]);
    assert!(stop.stdout.contains("stopped"), "{}", stop.stdout);
    let status = engine.kfn(&["local", "status"]);
    assert_eq!(status.code, 3, "not running is exit 3");
    assert!(status.stdout.contains("not running"));
}

#[tokio::test]
async fn objects_survive_a_restart_and_a_kill_9() {
    let engine = Engine::start();
    let cms: Api<ConfigMap> = Api::namespaced(engine.client().await, "default");
    let cm = |name: &str| {
        serde_json::from_value::<ConfigMap>(json!({"metadata": {"name": name}, "data": {"k": "v"}})).unwrap()
    };
    cms.create(&PostParams::default(), &cm("before-restart")).await.unwrap();
    assert_eq!(engine.kfn(&["local", "stop"]).code, 0);
    assert_eq!(engine.kfn(&["local", "start"]).code, 0);
    let cms: Api<ConfigMap> = Api::namespaced(engine.client().await, "default");
    assert!(cms.get_opt("before-restart").await.unwrap().is_some());

    cms.create(&PostParams::default(), &cm("before-kill")).await.unwrap();
    let pid = engine.pid();
    // SAFETY: killing the engine this test started.
    unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    while unsafe { libc::kill(pid as i32, 0) } == 0 {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let status = engine.kfn(&["local", "status"]);
    assert_eq!(status.code, 3);
    assert!(
        status.stdout.contains("had crashed"),
        "a stale pid file is detected: {}",
        status.stdout
    );
    assert_eq!(engine.kfn(&["local", "start"]).code, 0);
    let cms: Api<ConfigMap> = Api::namespaced(engine.client().await, "default");
    assert!(
        cms.get_opt("before-kill").await.unwrap().is_some(),
        "an acknowledged write survives kill -9"
    );
    assert!(cms.get_opt("before-restart").await.unwrap().is_some());
}

#[test]
fn reset_asks_first_and_wipes_with_yes() {
    let engine = Engine::start();
    let refused = engine.kfn(&["local", "reset"]);
    assert_ne!(refused.code, 0);
    assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);
    assert!(
        engine.state().join("kfn.db").exists(),
        "nothing is removed without confirmation"
    );
    let reset = engine.kfn(&["local", "reset", "--yes"]);
    assert_eq!(reset.code, 0, "{}", reset.stderr);
    assert!(!engine.state().exists());
    assert_eq!(engine.kfn(&["local", "status"]).code, 3);
}

#[test]
fn commands_use_the_local_engine_when_no_kubeconfig_exists_and_start_it_on_demand() {
    let engine = Engine::new();
    let run = engine.kfn(&["cluster-info"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("Started the local engine at https://127.0.0.1:"),
        "one line says so: {}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1);
    assert!(run.stdout.contains("chosen from: the local engine"), "{}", run.stdout);
    // Running now: no second start line.
    let run = engine.kfn(&["cluster-info"]);
    assert!(run.stderr.is_empty(), "{}", run.stderr);

    // KUBECONFIG wins over the local engine; --kubeconfig over KUBECONFIG; --local over both.
    let kc = engine.kubeconfig();
    let run: crate::common::Run = kfn_command(engine.home.path())
        .env("KUBECONFIG", &kc)
        .args(["cluster-info", "-n", "team"])
        .output()
        .unwrap()
        .into();
    assert!(
        run.stdout
            .contains(&format!("chosen from: KUBECONFIG={}", kc.display())),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("namespace:   team"));
    let run: crate::common::Run = kfn_command(engine.home.path())
        .env("KUBECONFIG", "/nonexistent")
        .args(["cluster-info", "--kubeconfig"])
        .arg(&kc)
        .output()
        .unwrap()
        .into();
    assert!(run.stdout.contains("chosen from: --kubeconfig"), "{}", run.stdout);
    let run: crate::common::Run = kfn_command(engine.home.path())
        .env("KUBECONFIG", "/nonexistent")
        .args(["cluster-info", "--local"])
        .output()
        .unwrap()
        .into();
    assert!(run.stdout.contains("chosen from: the local engine"), "{}", run.stdout);

    let missing = engine.kfn(&["cluster-info", "--kubeconfig", "/nonexistent/config"]);
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("--kubeconfig"),
        "the error names the flag: {}",
        missing.stderr
    );
    let context = engine.kfn(&["cluster-info", "--local", "--context", "nope"]);
    assert_eq!(context.code, 1);
    assert!(context.stderr.contains("--context"), "{}", context.stderr);
}

#[test]
fn two_engines_never_share_a_state_directory() {
    let engine = Engine::start();
    let second = engine.kfn(&["local", "serve"]);
    assert_eq!(second.code, 1);
    assert!(second.stderr.contains("already running"), "{}", second.stderr);
}

#[test]
fn commands_end_quietly_when_their_output_pipe_is_closed() {
    // `kfn local status | true`: the reader is gone before kfn writes.
    let engine = Engine::start_no_run();
    for args in [
        &["local", "status"][..],
        &["local", "kubeconfig"],
        &["local", "start", "--no-run"],
        &["cluster-info"],
        &["function", "ls"],
        &["function", "ls", "-o", "json"],
        &["function", "top"],
        &["trigger", "http", "list"],
        &["autoscale", "list"],
        &["version"],
        &["completion", "bash"],
        &["--help"],
        &["function"],
    ] {
        let run = crate::common::with_closed_stdout(&engine, args);
        assert!(
            !run.stderr.contains("panicked") && !run.stderr.contains("Broken pipe"),
            "kfn {}: {}",
            args.join(" "),
            run.stderr
        );
        assert_eq!(run.code, 0, "kfn {}: {}", args.join(" "), run.stderr);
    }
}

#[test]
fn messages_to_a_closed_stderr_do_not_crash_kfn() {
    // `kfn get-server-config 2>&1 | true`: its messages go nowhere, and it still succeeds.
    let engine = Engine::start_no_run();
    for args in [&["get-server-config"][..], &["function", "ls", "nope"]] {
        let run = crate::common::with_closed_stderr(&engine, args);
        let expected = if args[0] == "function" { 1 } else { 0 };
        assert_eq!(run.code, expected, "kfn {}: {}", args.join(" "), run.stdout);
    }
}

#[test]
fn engine_log_holds_no_colour_codes() {
    let engine = Engine::new();
    // Colours are what a terminal user would get without NO_COLOR: the log file must not.
    let run: crate::common::Run = kfn_command(engine.home.path())
        .env_remove("NO_COLOR")
        .args(["local", "start", "--no-run"])
        .output()
        .expect("kfn runs")
        .into();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let log = std::fs::read_to_string(engine.state().join("engine.log")).expect("engine.log");
    assert!(log.contains("listening on https://"), "{log}");
    assert!(!log.contains('\u{1b}'), "engine.log has ANSI escapes: {log:?}");
}

#[test]
fn an_object_the_store_cannot_read_is_logged_and_kept_not_dropped() {
    let engine = Engine::start_no_run();
    for name in ["kept", "broken"] {
        let run = engine.kubectl(&["create", "configmap", name, "--from-literal=k=v"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    assert_eq!(engine.kfn(&["local", "stop"]).code, 0);
    // A row damaged on disk (by hand, a disk error, another program).
    let db = rusqlite::Connection::open(engine.state().join("kfn.db")).unwrap();
    let changed = db
        .execute("UPDATE objects SET body = '{\"metadata\":' WHERE name = 'broken'", [])
        .unwrap();
    assert_eq!(changed, 1);
    drop(db);
    let run = engine.kfn(&["local", "start", "--no-run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let log = std::fs::read_to_string(engine.state().join("engine.log")).expect("engine.log");
    let line = log
        .lines()
        .find(|l| l.contains("cannot read"))
        .unwrap_or_else(|| panic!("no warning in:\n{log}"));
    assert!(
        line.contains("configmaps default/broken") && line.contains("not JSON"),
        "{line}"
    );
    // The others are served; the damaged one is kept as it was.
    assert_eq!(engine.kubectl(&["get", "configmap", "kept"]).code, 0);
    let db = rusqlite::Connection::open(engine.state().join("kfn.db")).unwrap();
    let body: String = db
        .query_row("SELECT body FROM unreadable WHERE name = 'broken'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(body, "{\"metadata\":");
}
