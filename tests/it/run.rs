//! Functions run on the local engine: `function call|logs|top` against real Python and Node.js
//! replicas, updates, dependencies, timeouts, failures, restarts.

use serde_json::Value;

use crate::common::{Engine, Run, example, fails, ok, until, write};

/// Deploys and waits until ready.
fn deploy(engine: &Engine, name: &str, args: &[&str]) {
    let mut full = vec!["function", "deploy", name, "--wait", "--wait-timeout", "60s"];
    full.extend_from_slice(args);
    ok(&engine.kfn(&full), &format!("deploy {name}"));
}

/// Deploys the example that prints its event and returns its data, in Python.
fn deploy_echo(engine: &Engine, name: &str) {
    let file = example("python/hellowithdata.py");
    let args = [
        "--runtime",
        "python3.11",
        "--handler",
        "hellowithdata.handler",
        "--from-file",
        &file,
    ];
    deploy(engine, name, &args);
}

#[test]
fn python_and_node_functions_answer_calls_and_log_the_event() {
    let engine = Engine::start();
    deploy(
        &engine,
        "get-python",
        &[
            "--runtime",
            "python3.11",
            "--handler",
            "helloget.foo",
            "--from-file",
            &example("python/helloget.py"),
        ],
    );
    deploy(
        &engine,
        "get-nodejs",
        &[
            "--runtime",
            "nodejs20",
            "--handler",
            "helloget.foo",
            "--from-file",
            &example("nodejs/helloget.js"),
        ],
    );
    for name in ["get-python", "get-nodejs"] {
        let run = engine.kfn(&["function", "call", name]);
        ok(&run, "call");
        assert_eq!(run.stdout, "hello world\n");
    }
    let run = engine.kfn(&["function", "ls"]);
    assert!(
        run.stdout.lines().skip(1).all(|l| l.contains("1/1 READY")),
        "{}",
        run.stdout
    );
    let run = engine.kubectl(&[
        "get",
        "pods",
        "-l",
        "function=get-python",
        "-o",
        "jsonpath={.items[0].status.phase} {.items[0].status.containerStatuses[0].ready}",
    ]);
    assert_eq!(run.stdout, "Running true");

    for (name, runtime, file) in [
        ("post-python", "python3.11", "python/hellowithdata.py"),
        ("post-nodejs", "nodejs20", "nodejs/hellowithdata.js"),
    ] {
        deploy(
            &engine,
            name,
            &[
                "--runtime",
                runtime,
                "--handler",
                "hellowithdata.handler",
                "--from-file",
                &example(file),
            ],
        );
        let run = engine.kfn(&["function", "call", name, "--data", r#"{"it-s": "alive"}"#]);
        ok(&run, "post");
        let answer: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(answer["it-s"], "alive", "{name}");
        let run = engine.kfn(&["function", "logs", name]);
        ok(&run, "logs");
        for needle in ["alive", "cli.kubeless.io", "application/json"] {
            assert!(run.stdout.contains(needle), "{name} logs show {needle}: {}", run.stdout);
        }
        let time = run.stdout.split("event-time").nth(1).unwrap_or_default();
        assert!(
            time.contains("Z'") || time.contains("Z\""),
            "event-time ends in Z: {}",
            run.stdout
        );
        assert!(run.stdout.contains("event-id"));
    }
    // Non-JSON data reaches the function as text.
    let run = engine.kfn(&["function", "call", "post-python", "--data", "plain words"]);
    ok(&run, "post text");
    assert_eq!(run.stdout, "plain words\n");

    let run = engine.kfn(&["function", "top", "-o", "json"]);
    ok(&run, "top");
    assert!(
        run.stdout.contains("\"total_calls\": 2\n") || run.stdout.contains("\"total_calls\": 2,"),
        "whole numbers as Go writes them: {}",
        run.stdout
    );
    let rows: Value = serde_json::from_str(&run.stdout).unwrap();
    let calls = |f: &str, m: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["function"] == f && r["method"] == m)
            .map(|r| r["total_calls"].as_f64().unwrap())
    };
    assert_eq!(calls("get-python", "GET"), Some(1.0));
    assert_eq!(calls("post-python", "POST"), Some(2.0));
    assert_eq!(
        calls("get-nodejs", "helloget-GET"),
        Some(1.0),
        "Node.js labels are <module>-<method>, as in Kubeless"
    );
    let run = engine.kfn(&["function", "top", "--function", "get-python"]);
    ok(&run, "top table");
    assert!(run.stdout.starts_with("NAME"), "{}", run.stdout);
    assert!(run.stdout.contains("get-python"));
}

#[test]
fn updates_roll_out_without_failed_calls() {
    let engine = Engine::start();
    let dir = engine.home.path();
    let v1 = write(
        dir,
        "hello.py",
        "def hello(event, context):\n    return 'hello world'\n",
    );
    deploy(
        &engine,
        "hello",
        &[
            "--runtime",
            "python3.11",
            "--handler",
            "hello.hello",
            "--from-file",
            v1.to_str().unwrap(),
        ],
    );
    let v2 = write(
        dir,
        "v2.py",
        "def hello(event, context):\n    return 'hello world updated'\n",
    );
    let home = engine.home.path().to_path_buf();
    let caller = std::thread::spawn(move || {
        (0..60)
            .map(|_| {
                let run: Run = crate::common::kfn_command(&home)
                    .args(["function", "call", "hello"])
                    .output()
                    .unwrap()
                    .into();
                (run.code, run.stdout, run.stderr)
            })
            .collect::<Vec<_>>()
    });
    std::thread::sleep(std::time::Duration::from_millis(200));
    ok(
        &engine.kfn(&[
            "function",
            "update",
            "hello",
            "--from-file",
            v2.to_str().unwrap(),
            "--wait",
        ]),
        "update",
    );
    let results = caller.join().unwrap();
    assert!(
        results.iter().all(|(code, _, _)| *code == 0),
        "no call failed during the update: {results:?}"
    );
    let run = engine.kfn(&["function", "call", "hello"]);
    assert_eq!(run.stdout, "hello world updated\n");
    let run = engine.kubectl(&["get", "pods", "-l", "function=hello", "-o", "name"]);
    assert_eq!(run.stdout.lines().count(), 1, "the old replica is gone: {}", run.stdout);
}

/// A Python function that imports `six`, and its requirements.txt.
fn python_with_six(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let py = write(
        dir,
        "withdeps.py",
        "import six\ndef handler(event, context):\n    return 'six ' + six.__version__\n",
    );
    (py, write(dir, "requirements.txt", "six==1.16.0\n"))
}

#[test]
fn dependencies_archives_and_custom_ports() {
    let engine = Engine::start();
    let dir = engine.home.path();
    let (py, reqs) = python_with_six(dir);
    deploy(
        &engine,
        "py-deps",
        &[
            "--runtime",
            "python3.11",
            "--handler",
            "withdeps.handler",
            "--from-file",
            py.to_str().unwrap(),
            "--dependencies",
            reqs.to_str().unwrap(),
        ],
    );
    assert_eq!(engine.kfn(&["function", "call", "py-deps"]).stdout, "six 1.16.0\n");

    let js = write(
        dir,
        "withdeps.js",
        "const isNumber = require('is-number');\nmodule.exports = { handler: (event) => `number: ${isNumber(event.data.n)}` };\n",
    );
    let pkg = write(
        dir,
        "package.json",
        r#"{"name": "withdeps", "version": "1.0.0", "dependencies": {"is-number": "7.0.0"}}"#,
    );
    deploy(
        &engine,
        "node-deps",
        &[
            "--runtime",
            "nodejs20",
            "--handler",
            "withdeps.handler",
            "--from-file",
            js.to_str().unwrap(),
            "--dependencies",
            pkg.to_str().unwrap(),
        ],
    );
    assert_eq!(
        engine
            .kfn(&["function", "call", "node-deps", "--data", r#"{"n": 5}"#])
            .stdout,
        "number: true\n"
    );

    // A zip with two modules.
    let zip_path = dir.join("multi.zip");
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("index.js", options).unwrap();
        std::io::Write::write_all(
            &mut zip,
            b"const helper = require('./helper');\nmodule.exports = { helloGet: () => helper.greeting };\n",
        )
        .unwrap();
        zip.start_file("helper.js", options).unwrap();
        std::io::Write::write_all(&mut zip, b"module.exports = { greeting: 'hello world' };\n").unwrap();
        zip.finish().unwrap();
    }
    deploy(
        &engine,
        "node-multi",
        &[
            "--runtime",
            "nodejs20",
            "--handler",
            "index.helloGet",
            "--from-file",
            zip_path.to_str().unwrap(),
        ],
    );
    assert_eq!(engine.kfn(&["function", "call", "node-multi"]).stdout, "hello world\n");

    deploy(
        &engine,
        "custom-port",
        &[
            "--runtime",
            "python3.11",
            "--handler",
            "helloget.foo",
            "--from-file",
            &example("python/helloget.py"),
            "--port",
            "8081",
        ],
    );
    let run = engine.kubectl(&[
        "get",
        "svc",
        "custom-port",
        "-o",
        "jsonpath={.spec.ports[0].targetPort}",
    ]);
    assert_eq!(run.stdout, "8081");
    assert_eq!(engine.kfn(&["function", "call", "custom-port"]).stdout, "hello world\n");
}

#[test]
fn timeouts_and_exceptions_leave_the_runtime_serving() {
    let engine = Engine::start();
    let dir = engine.home.path();
    let py = write(
        dir,
        "fail.py",
        "def loop(event, context):\n    while True:\n        pass\n\ndef boom(event, context):\n    if event['data'] == b'boom':\n        raise ValueError('boom requested')\n    return 'still here'\n",
    );
    let js = write(
        dir,
        "fail.js",
        "module.exports = { loop: () => { while (true) {} }, boom: (event) => { if (event.data === 'boom') throw new Error('boom requested'); return 'still here'; } };\n",
    );
    for (lang, runtime, file) in [("py", "python3.11", &py), ("js", "nodejs20", &js)] {
        let timeout = format!("timeout-{lang}");
        deploy(
            &engine,
            &timeout,
            &[
                "--runtime",
                runtime,
                "--handler",
                "fail.loop",
                "--from-file",
                file.to_str().unwrap(),
                "--timeout",
                "2",
            ],
        );
        let started = std::time::Instant::now();
        let run = engine.kfn(&["function", "call", &timeout]);
        let took = started.elapsed();
        assert_eq!(run.code, 1, "{lang}");
        assert!(
            run.stderr.contains("Request timeout exceeded"),
            "{lang}: {}",
            run.stderr
        );
        assert!(
            took >= std::time::Duration::from_millis(1900) && took < std::time::Duration::from_secs(5),
            "{lang}: about 2 s, took {took:?}"
        );

        let boom = format!("boom-{lang}");
        deploy(
            &engine,
            &boom,
            &[
                "--runtime",
                runtime,
                "--handler",
                "fail.boom",
                "--from-file",
                file.to_str().unwrap(),
            ],
        );
        let run = engine.kfn(&["function", "call", &boom, "--data", "boom"]);
        assert_eq!(run.code, 1);
        assert!(
            run.stderr.contains("500") && run.stderr.contains("boom requested"),
            "{lang}: {}",
            run.stderr
        );
        assert!(
            !run.stderr
                .contains("the function answered 500 Internal Server Error: Traceback"),
            "no traceback in the body"
        );
        assert!(
            run.stderr.contains("last log lines of"),
            "{lang}: the log follows: {}",
            run.stderr
        );
        let run = engine.kfn(&["function", "call", &boom, "--data", "fine"]);
        ok(&run, "call after an exception");
        assert_eq!(run.stdout, "still here\n");
    }
}

#[test]
fn broken_functions_report_why_and_engine_restarts_bring_functions_back() {
    let engine = Engine::start();
    let dir = engine.home.path();
    let broken = write(dir, "broken.py", "def handler(event, context:\n    return 1\n");
    let run = engine.kfn(&[
        "function",
        "deploy",
        "broken",
        "--runtime",
        "python3.11",
        "--handler",
        "broken.handler",
        "--from-file",
        broken.to_str().unwrap(),
        "--wait",
        "--wait-timeout",
        "5s",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("SyntaxError"),
        "the reason is shown: {}",
        run.stderr
    );
    assert!(run.stderr.contains("CrashLoopBackOff"), "{}", run.stderr);
    let run = engine.kubectl(&[
        "get",
        "pods",
        "-l",
        "function=broken",
        "-o",
        "jsonpath={.items[0].status.containerStatuses[0].state.waiting.reason}",
    ]);
    assert_eq!(run.stdout, "CrashLoopBackOff");

    let run = engine.kfn(&[
        "function",
        "deploy",
        "golang",
        "--runtime",
        "go1.14",
        "--handler",
        "handler.Foo",
        "--from-file",
        broken.to_str().unwrap(),
        "--wait",
        "--wait-timeout",
        "3s",
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("RuntimeNotSupported"), "{}", run.stderr);

    deploy(
        &engine,
        "survivor",
        &[
            "--runtime",
            "python3.11",
            "--handler",
            "helloget.foo",
            "--from-file",
            &example("python/helloget.py"),
        ],
    );
    ok(&engine.kfn(&["local", "stop"]), "stop");
    ok(&engine.kfn(&["local", "start"]), "start");
    let answer = crate::common::eventually(
        std::time::Duration::from_secs(10),
        "the function answers after an engine restart",
        || {
            let run = engine.kfn(&["function", "call", "survivor"]);
            if run.code == 0 { Ok(run) } else { Err(run.stderr) }
        },
    );
    assert_eq!(answer.stdout, "hello world\n");
}

#[test]
fn a_machine_without_the_interpreter_says_so() {
    let engine = Engine::start_with_env(&[("KFN_PYTHON", "/nonexistent/python3")]);
    let run = engine.kfn(&[
        "function",
        "deploy",
        "nopython",
        "--runtime",
        "python3.11",
        "--handler",
        "helloget.foo",
        "--from-file",
        &example("python/helloget.py"),
        "--wait",
        "--wait-timeout",
        "3s",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("RuntimeUnavailable")
            && run.stderr.contains("KFN_PYTHON=/nonexistent/python3 is not a file"),
        "{}",
        run.stderr
    );
    let pod = engine.kubectl(&[
        "get",
        "pods",
        "-l",
        "function=nopython",
        "-o",
        "jsonpath={.items[0].status.containerStatuses[0].state.waiting.reason}",
    ]);
    assert_eq!(pod.stdout, "RuntimeUnavailable");
}

/// `kfn function logs <name> -f`, its lines arriving on a channel.
fn follow_logs(engine: &Engine, name: &str) -> (std::process::Child, std::sync::mpsc::Receiver<String>) {
    let mut follower = crate::common::kfn_command(engine.home.path())
        .args(["function", "logs", name, "-f"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = follower.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    (follower, rx)
}

#[test]
fn logs_follow_new_lines() {
    let engine = Engine::start();
    deploy_echo(&engine, "followed");
    let (mut follower, rx) = follow_logs(&engine, "followed");
    std::thread::sleep(std::time::Duration::from_millis(500));
    ok(
        &engine.kfn(&["function", "call", "followed", "--data", "followed-call-7"]),
        "call",
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut seen = false;
    while std::time::Instant::now() < deadline && !seen {
        if let Ok(line) = rx.recv_timeout(std::time::Duration::from_millis(200)) {
            seen = line.contains("followed-call-7");
        }
    }
    let _ = follower.kill();
    let _ = follower.wait();
    assert!(seen, "logs -f prints a line written after it started");
    // `kfn function logs f | head -1`: a reader that leaves ends kfn quietly, even with -f.
    for args in [
        &["function", "logs", "followed"][..],
        &["function", "logs", "followed", "-f"],
    ] {
        let run = crate::common::with_closed_stdout(&engine, args);
        assert_eq!((run.code, run.stderr.as_str()), (0, ""), "kfn {}", args.join(" "));
    }
}

#[test]
fn logs_of_every_replica_with_tail() {
    let engine = Engine::start();
    deploy_echo(&engine, "many");
    ok(
        &engine.kubectl(&["scale", "deployment", "many", "--replicas", "2"]),
        "scale",
    );
    crate::common::until(std::time::Duration::from_secs(10), "two replicas are ready", || {
        engine.kfn(&["function", "ls", "many"]).stdout.contains("2/2 READY")
    });
    for i in 0..4 {
        ok(
            &engine.kfn(&["function", "call", "many", "--data", &format!("call-{i}")]),
            "call",
        );
    }
    let run = engine.kfn(&["function", "logs", "many"]);
    ok(&run, "logs");
    let pods: std::collections::BTreeSet<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix('[')?.split(']').next())
        .collect();
    assert_eq!(pods.len(), 2, "lines of both replicas, prefixed: {}", run.stdout);
    for i in 0..4 {
        assert!(run.stdout.contains(&format!("call-{i}")), "{}", run.stdout);
    }
    let run = engine.kfn(&["function", "logs", "many", "--tail", "1"]);
    ok(&run, "logs --tail");
    assert_eq!(run.stdout.lines().count(), 2, "one line per replica: {}", run.stdout);
}

/// The pod's log files (name, size) under the engine's state directory.
fn pod_log_files(engine: &Engine, prefix: &str) -> Vec<(String, u64)> {
    let dir = engine.state().join("logs").join("default");
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map_while(Result::ok)
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        e.metadata().map(|m| m.len()).unwrap_or(0),
                    )
                })
                .filter(|(name, _)| name.starts_with(prefix))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn pod_logs_rotate_past_their_limit_and_go_with_their_pod() {
    let engine = Engine::start_with_env(&[("KFN_LOG_MAX_BYTES", "4096")]);
    deploy_echo(&engine, "chatty");
    let (mut follower, rx) = follow_logs(&engine, "chatty");
    std::thread::sleep(std::time::Duration::from_millis(500));
    // About 370 bytes of log per call: 60 calls go through several rotations.
    for i in 0..60 {
        ok(
            &engine.kfn(&["function", "call", "chatty", "--data", &format!("chatty-call-{i}")]),
            "call",
        );
    }
    let mut lines: Vec<String> = Vec::new();
    crate::common::eventually(
        std::time::Duration::from_secs(10),
        "logs -f goes on across rotations",
        || {
            lines.extend(rx.try_iter());
            match lines.iter().any(|l| l.contains("'chatty-call-59'")) {
                true => Ok(()),
                false => Err(lines.join("\n")),
            }
        },
    );
    let _ = follower.kill();
    let _ = follower.wait();
    for i in 0..60 {
        let needle = format!("'chatty-call-{i}'");
        let times = lines.iter().filter(|l| l.contains(&needle)).count();
        assert_eq!(times, 1, "logs -f shows call {i} once across rotations");
    }
    let files = pod_log_files(&engine, "chatty-");
    let current = files.iter().find(|(n, _)| n.ends_with(".log")).expect("the pod's log");
    assert!(current.1 < 4096 + 1024, "the log stays near its limit: {files:?}");
    assert!(
        files.iter().any(|(n, _)| n.ends_with(".log.1")),
        "the previous part is kept: {files:?}"
    );
    assert!(
        engine
            .kfn(&["function", "logs", "chatty"])
            .stdout
            .contains("chatty-call-59")
    );
    ok(&engine.kfn(&["function", "delete", "chatty"]), "delete");
    crate::common::until(std::time::Duration::from_secs(10), "the pod's logs go with it", || {
        pod_log_files(&engine, "chatty-").is_empty()
    });
}

#[test]
fn a_python_runtime_runs_its_own_python_version_when_it_is_installed() {
    // `python3.12` on PATH (a link to this machine's Python) is what a python3.12 function gets;
    // a python3.11 function gets the usual interpreter.
    let real = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .unwrap();
    let real = String::from_utf8(real.stdout).unwrap().trim().to_string();
    let bin = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(&real, bin.path().join("python3.12")).unwrap();
    let path = format!("{}:{}", bin.path().display(), std::env::var("PATH").unwrap());
    let engine = Engine::start_with_env(&[("PATH", &path)]);
    let file = write(
        engine.home.path(),
        "exe.py",
        "import sys\n\ndef handler(event, context):\n    return sys.executable\n",
    );
    for (name, runtime) in [("exact", "python3.12"), ("usual", "python3.11")] {
        let args = [
            "--runtime",
            runtime,
            "--handler",
            "exe.handler",
            "--from-file",
            file.to_str().unwrap(),
        ];
        deploy(&engine, name, &args);
    }
    let exact = engine.kfn(&["function", "call", "exact"]);
    ok(&exact, "call exact");
    assert_eq!(exact.stdout.trim(), bin.path().join("python3.12").display().to_string());
    let usual = engine.kfn(&["function", "call", "usual"]);
    ok(&usual, "call usual");
    assert!(
        !usual.stdout.contains(&bin.path().display().to_string()),
        "{}",
        usual.stdout
    );
}

#[test]
fn a_503_reaches_the_caller_at_once_and_the_call_is_not_repeated() {
    let engine = Engine::start();
    let file = write(
        engine.home.path(),
        "busy.py",
        "def handler(event, context):\n    print('served-b503')\n    return ('busy', 503)\n",
    );
    let args = [
        "--runtime",
        "python3.11",
        "--handler",
        "busy.handler",
        "--from-file",
        file.to_str().unwrap(),
    ];
    deploy(&engine, "busy", &args);
    let started = std::time::Instant::now();
    let run = engine.kfn(&["function", "call", "busy", "--data", "x"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("503"), "{}", run.stderr);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    std::thread::sleep(std::time::Duration::from_millis(500));
    let logs = engine.kfn(&["function", "logs", "busy"]).stdout;
    assert_eq!(logs.matches("served-b503").count(), 1, "called once: {logs}");

    // No endpoints (503 from the engine's proxy): `top` says so in the function's row, and for
    // the one function asked for fails saying why no replica is ready.
    ok(
        &engine.kfn(&["function", "deploy", "imaged", "--runtime-image", "example/fn:1"]),
        "deploy an image",
    );
    // The engine's kubelet says why its Pod cannot run once the ReplicaSet has made it.
    until(
        std::time::Duration::from_secs(60),
        "the image function's Pod says ImageNotSupported",
        || {
            engine
                .kubectl(&["get", "pods", "-l", "function=imaged", "-o", "json"])
                .stdout
                .contains("ImageNotSupported")
        },
    );
    let started = std::time::Instant::now();
    let top = engine.kfn(&["function", "top", "-f", "imaged"]);
    fails(&top, "Function imaged in namespace default has no ready pod");
    assert!(top.stderr.contains("ImageNotSupported"), "{}", top.stderr);
    assert!(
        top.stdout.contains("Function does not expose metrics"),
        "{}",
        top.stdout
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_call_in_progress_finishes_when_its_replica_is_replaced() {
    let engine = Engine::start();
    let dir = engine.home.path();
    let v1 = write(
        dir,
        "slow.py",
        "import time\n\ndef hello(event, context):\n    print('slow call started')\n    time.sleep(2)\n    return 'slow v1'\n",
    );
    let args = [
        "--runtime",
        "python3.11",
        "--handler",
        "slow.hello",
        "--from-file",
        v1.to_str().unwrap(),
    ];
    deploy(&engine, "slow", &args);
    let home = engine.home.path().to_path_buf();
    let call = std::thread::spawn(move || -> Run {
        crate::common::kfn_command(&home)
            .args(["function", "call", "slow"])
            .output()
            .unwrap()
            .into()
    });
    crate::common::until(std::time::Duration::from_secs(10), "the slow call is running", || {
        engine
            .kfn(&["function", "logs", "slow"])
            .stdout
            .contains("slow call started")
    });
    let v2 = write(dir, "fast.py", "def hello(event, context):\n    return 'fast v2'\n");
    let update = [
        "function",
        "update",
        "slow",
        "--from-file",
        v2.to_str().unwrap(),
        "--handler",
        "fast.hello",
        "--wait",
    ];
    ok(&engine.kfn(&update), "update");
    let answered = call.join().unwrap();
    ok(&answered, "the call that was in progress");
    assert_eq!(answered.stdout, "slow v1\n");
    let run = engine.kfn(&["function", "call", "slow"]);
    assert_eq!(run.stdout, "fast v2\n");
}

#[test]
fn update_wait_returns_once_the_new_code_answers() {
    let engine = Engine::start();
    let dir = engine.home.path();
    let code = |i: usize| format!("def hello(event, context):\n    return 'version {i}'\n");
    let v0 = write(dir, "v0.py", code(0));
    let args = [
        "--runtime",
        "python3.11",
        "--handler",
        "v0.hello",
        "--from-file",
        v0.to_str().unwrap(),
    ];
    deploy(&engine, "versions", &args);
    for i in 1..=5 {
        let file = write(dir, &format!("v{i}.py"), code(i));
        let handler = format!("v{i}.hello");
        let update = ["function", "update", "versions", "--from-file", file.to_str().unwrap()];
        let run = engine.kfn(&[&update[..], &["--handler", &handler, "--wait"]].concat());
        ok(&run, "update --wait");
        let call = engine.kfn(&["function", "call", "versions"]);
        assert_eq!(call.stdout, format!("version {i}\n"), "right after update --wait");
    }
}

#[test]
fn a_terminating_runtime_serves_during_its_drain_time_then_exits() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "echo.py",
        "def handler(event, context):\n    return 'still here'\n",
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut runtime = std::process::Command::new(crate::common::KFN)
        .args(["runtime", "serve"])
        .envs([
            ("MOD_NAME", "echo"),
            ("FUNC_HANDLER", "handler"),
            ("FUNC_RUNTIME", "python3.11"),
            ("FUNC_PORT", &port.to_string()),
            ("KFN_BIND", "127.0.0.1"),
            ("KFN_DRAIN_SECONDS", "1.5"),
        ])
        .env("KUBELESS_INSTALL_VOLUME", dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let call = || -> Option<String> {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
        s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .ok()?;
        let mut out = String::new();
        s.read_to_string(&mut out).ok()?;
        Some(out)
    };
    crate::common::until(std::time::Duration::from_secs(10), "the runtime answers", || {
        call().is_some_and(|a| a.contains("still here"))
    });
    // SAFETY: signalling our own child.
    unsafe { libc::kill(runtime.id() as i32, libc::SIGTERM) };
    std::thread::sleep(std::time::Duration::from_millis(300));
    let answer = call().unwrap_or_default();
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.contains("still here"),
        "{answer}"
    );
    let started = std::time::Instant::now();
    crate::common::until(
        std::time::Duration::from_secs(10),
        "the runtime exits after draining",
        || runtime.try_wait().unwrap().is_some(),
    );
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert!(call().is_none(), "nothing listens once it has exited");
}

#[test]
fn the_runtime_serves_on_the_socket_the_engine_hands_it_not_a_port_it_binds_again() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "echo.py",
        "def handler(event, context):\n    return 'on the socket'\n",
    );
    // The engine binds the port and hands the socket over (no moment where another process
    // could take the port). FUNC_PORT names a port someone else holds: the runtime must not
    // need it.
    let handed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = handed.local_addr().unwrap().port();
    let fd = std::os::fd::AsRawFd::as_raw_fd(&handed);
    let mut cmd = std::process::Command::new(crate::common::KFN);
    cmd.args(["runtime", "serve"])
        .envs([
            ("MOD_NAME", "echo"),
            ("FUNC_HANDLER", "handler"),
            ("FUNC_RUNTIME", "python3.11"),
            ("FUNC_PORT", &taken.local_addr().unwrap().port().to_string()),
            ("KFN_BIND", "127.0.0.1"),
            ("KFN_LISTEN_FD", "3"),
        ])
        .env("KUBELESS_INSTALL_VOLUME", dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    // SAFETY: dup2 and fcntl only, between fork and exec, on a descriptor opened before the
    // fork (dup2 onto itself would keep close-on-exec).
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut cmd, move || {
            let ok = if fd == 3 {
                libc::fcntl(3, libc::F_SETFD, 0)
            } else {
                libc::dup2(fd, 3)
            };
            if ok < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut runtime = cmd.spawn().unwrap();
    drop(handed);
    let call = || -> Option<String> {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
        s.set_read_timeout(Some(std::time::Duration::from_secs(2))).ok()?;
        s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .ok()?;
        let mut out = String::new();
        s.read_to_string(&mut out).ok()?;
        Some(out)
    };
    let mut answered = false;
    for _ in 0..50 {
        if call().is_some_and(|a| a.contains("on the socket")) {
            answered = true;
            break;
        }
        if runtime.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let _ = runtime.kill();
    let out = runtime.wait_with_output().unwrap();
    assert!(
        answered,
        "the runtime answers on the handed socket: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(taken);
}

/// `kfn runtime serve` run directly on a code directory, its output kept in files.
struct Runtime {
    child: std::process::Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Runtime {
    /// Starts the runtime on `files` (name, content) and waits until `/healthz` answers 200.
    fn start(files: &[(&str, &str)], module: &str, runtime: &str, env: &[(&str, &str)]) -> Runtime {
        let dir = tempfile::tempdir().unwrap();
        let code = dir.path().join("code");
        std::fs::create_dir(&code).unwrap();
        for (name, content) in files {
            write(&code, name, content);
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new(crate::common::KFN)
            .args(["runtime", "serve"])
            .envs([
                ("MOD_NAME", module),
                ("FUNC_HANDLER", "handler"),
                ("FUNC_RUNTIME", runtime),
                ("FUNC_PORT", &port.to_string()),
                ("KFN_BIND", "127.0.0.1"),
                ("KFN_WORKERS", "1"),
            ])
            .envs(env.iter().copied())
            .env("KUBELESS_INSTALL_VOLUME", &code)
            .stdout(std::fs::File::create(dir.path().join("stdout")).unwrap())
            .stderr(std::fs::File::create(dir.path().join("stderr")).unwrap())
            .spawn()
            .unwrap();
        let runtime = Runtime { child, port, dir };
        crate::common::until(std::time::Duration::from_secs(10), "the runtime is healthy", || {
            runtime
                .call("GET", "/healthz", "")
                .is_some_and(|(status, _)| status == 200)
        });
        runtime
    }

    /// One request on a connection of its own: the status and the body.
    fn call(&self, method: &str, path: &str, body: &str) -> Option<(u16, String)> {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        s.write_all(request.as_bytes()).ok()?;
        let mut out = String::new();
        s.read_to_string(&mut out).ok()?;
        let status = out.split(' ').nth(1)?.parse().ok()?;
        let (_, body) = out.split_once("\r\n\r\n")?;
        Some((status, body.to_string()))
    }

    /// `n` calls at once with this body: each one's status and how long its caller waited.
    fn calls_at_once(&self, n: usize, body: &str) -> Vec<(u16, std::time::Duration)> {
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(n));
        let port = self.port;
        let threads: Vec<_> = (0..n)
            .map(|_| {
                let barrier = barrier.clone();
                let body = body.to_string();
                std::thread::spawn(move || {
                    use std::io::{Read, Write};
                    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
                    let request = format!(
                        "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    barrier.wait();
                    let started = std::time::Instant::now();
                    s.write_all(request.as_bytes()).unwrap();
                    let mut out = String::new();
                    s.read_to_string(&mut out).unwrap();
                    let status = out.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
                    (status, started.elapsed())
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    }

    fn output(&self, which: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(which)).unwrap_or_default()
    }

    /// The runtime's worker processes: each one's pid and command line (arguments joined by
    /// spaces).
    fn workers(&self) -> Vec<(u32, String)> {
        let parent = self.child.id();
        let mut workers = Vec::new();
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|p| p.parse::<u32>().ok()) else {
                continue;
            };
            // The parent pid is the second field after the command name in parentheses.
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if ppid != Some(parent) {
                continue;
            }
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            let args: Vec<String> = cmdline
                .split(|b| *b == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            workers.push((pid, args.join(" ")));
        }
        workers
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_timeout_counts_from_the_arrival_of_a_call_not_from_its_start() {
    let sleeper = "import time\n\ndef handler(event, context):\n    print('started', event['data'].decode())\n    time.sleep(float(event['data']))\n    return 'done'\n";
    let runtime = Runtime::start(
        &[("sleeper.py", sleeper)],
        "sleeper",
        "python3.11",
        &[("FUNC_TIMEOUT", "3")],
    );
    // One worker, two calls of 2 s: the second starts 2 s late and has 1 s left.
    let mut statuses: Vec<u16> = runtime.calls_at_once(2, "2").iter().map(|(s, _)| *s).collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [200, 408],
        "the call that started late has only the rest of its time"
    );

    // Six calls that would each run 30 s: every caller has its 408 at about 3 s, not one after
    // another; the calls still queued at their deadline never run.
    let answers = runtime.calls_at_once(6, "30");
    assert!(answers.iter().all(|(s, _)| *s == 408), "{answers:?}");
    let slowest = answers.iter().map(|(_, took)| *took).max().unwrap();
    assert!(
        slowest < std::time::Duration::from_secs(6),
        "no caller waits twice the timeout: {answers:?}"
    );
    let stdout = runtime.output("stdout");
    assert_eq!(
        stdout.matches("started 30").count(),
        1,
        "only the first call ran: {stdout}"
    );
    // The worker running the first call is killed just after its caller had the 408.
    crate::common::until(
        std::time::Duration::from_secs(5),
        "the queued calls are dropped",
        || {
            runtime
                .output("stderr")
                .contains("waited longer than the timeout (3 s)")
        },
    );
    let stderr = runtime.output("stderr");
    assert!(stderr.contains("without running it"), "{stderr}");
}

#[test]
fn a_dying_worker_fails_only_its_own_call_says_why_and_the_replica_stays_healthy() {
    // A replacement worker takes 1.5 s to load: long enough to see what callers and probes get.
    let crash = "import os, signal, time\n\nmarker = os.path.join(os.path.dirname(__file__), 'loaded')\nif os.path.exists(marker):\n    time.sleep(1.5)\nopen(marker, 'w').close()\n\ndef handler(event, context):\n    if event['data'] == b'exit':\n        os._exit(7)\n    if event['data'] == b'kill':\n        os.kill(os.getpid(), signal.SIGKILL)\n    return 'fine'\n";
    let runtime = Runtime::start(&[("crash.py", crash)], "crash", "python3.11", &[]);
    let (status, body) = runtime.call("POST", "/", "exit").unwrap();
    assert_eq!(status, 500);
    assert_eq!(body, "the function's worker exited: exit code 7");
    // While the worker is replaced the replica stays healthy and a call waits for the new worker.
    let home = std::thread::scope(|s| {
        let good = s.spawn(|| runtime.call("POST", "/", "good"));
        for _ in 0..10 {
            let probe = runtime.call("GET", "/healthz", "").unwrap();
            assert_eq!(probe.0, 200, "healthy while a worker is replaced: {probe:?}");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        good.join().unwrap()
    });
    assert_eq!(home, Some((200, "fine".to_string())));
    let (status, body) = runtime.call("POST", "/", "kill").unwrap();
    assert_eq!(status, 500);
    assert_eq!(body, "the function's worker exited: killed by SIGKILL (out of memory?)");
    assert_eq!(runtime.call("POST", "/", "good"), Some((200, "fine".to_string())));
    let stderr = runtime.output("stderr");
    for line in [
        "kfn runtime: worker exited: exit code 7 (pid ",
        ", running POST /); starting a new one",
        "kfn runtime: worker exited: killed by SIGKILL (out of memory?) (pid ",
    ] {
        assert!(stderr.contains(line), "{line:?} in {stderr}");
    }
}

#[test]
fn a_node_promise_rejected_unawaited_is_logged_and_the_worker_serves_on() {
    let js = "module.exports = { handler: (event) => {\n  if (event.data === 'reject') Promise.reject(new Error('nobody waits for me'));\n  return String(process.pid);\n} };\n";
    let runtime = Runtime::start(&[("rejects.js", js)], "rejects", "nodejs20", &[]);
    let (status, first) = runtime.call("POST", "/", "reject").unwrap();
    assert_eq!(status, 200);
    std::thread::sleep(std::time::Duration::from_millis(300));
    for _ in 0..3 {
        assert_eq!(
            runtime.call("POST", "/", "good"),
            Some((200, first.clone())),
            "the same worker answers"
        );
    }
    let stderr = runtime.output("stderr");
    assert!(
        stderr.contains("nobody waits for me"),
        "the rejection is logged: {stderr}"
    );
    assert!(!stderr.contains("worker exited"), "{stderr}");
}

#[test]
fn binary_bodies_reach_the_caller_byte_for_byte_and_node_can_pipe_into_the_response() {
    let engine = Engine::start();
    let dir = engine.home.path();
    let expected: Vec<u8> = (0..65547u32).map(|i| (i * 7 % 256) as u8).collect();
    let py = write(
        dir,
        "blob.py",
        "def handler(event, context):\n    return bytes(i * 7 % 256 for i in range(65547))\n",
    );
    let js = write(
        dir,
        "piped.js",
        "const { Readable } = require('stream');\n\
         module.exports = { handler: (event) => {\n\
           const data = Buffer.from(Array.from({ length: 65547 }, (_, i) => i * 7 % 256));\n\
           const chunks = [];\n\
           for (let i = 0; i < data.length; i += 4096) chunks.push(data.subarray(i, i + 4096));\n\
           event.extensions.response.setHeader('Content-Type', 'application/octet-stream');\n\
           Readable.from(chunks).pipe(event.extensions.response);\n\
         } };\n",
    );
    for (name, runtime, handler, file) in [
        ("blob-python", "python3.11", "blob.handler", &py),
        ("blob-nodejs", "nodejs20", "piped.handler", &js),
    ] {
        let args = [
            "--runtime",
            runtime,
            "--handler",
            handler,
            "--from-file",
            file.to_str().unwrap(),
        ];
        deploy(&engine, name, &args);
        let out = crate::common::kfn_command(engine.home.path())
            .args(["function", "call", name])
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.stdout.len(), expected.len(), "{name}");
        assert!(out.stdout == expected, "{name}: the bytes as the function sent them");
    }
    let run = engine.kfn(&["function", "call", "blob-nodejs", "--include"]);
    assert!(
        run.stdout.contains("content-type: application/octet-stream"),
        "{}",
        &run.stdout[..run.stdout.len().min(300)]
    );
}

#[test]
fn a_node_response_stream_ends_once_and_a_broken_pipeline_fails_its_call() {
    let js = "const { pipeline, Readable } = require('stream');\n\
        module.exports = { handler: (event) => {\n\
          const res = event.extensions.response;\n\
          if (event.data === 'late') { res.end('ended'); res.end(); res.write('too late'); return 'ignored'; }\n\
          if (event.data === 'broken') {\n\
            const source = new Readable({ read() { this.destroy(new Error('the source broke')); } });\n\
            pipeline(source, res, () => {});\n\
            return;\n\
          }\n\
          Readable.from(['a', 'b', 'c']).pipe(res);\n\
        } };\n";
    let runtime = Runtime::start(&[("streams.js", js)], "streams", "nodejs20", &[("FUNC_TIMEOUT", "20")]);
    let started = std::time::Instant::now();
    assert_eq!(runtime.call("POST", "/", "late"), Some((200, "ended".to_string())));
    assert_eq!(runtime.call("POST", "/", "pipe"), Some((200, "abc".to_string())));
    assert_eq!(
        runtime.call("POST", "/", "broken"),
        Some((500, "Error: the source broke".to_string()))
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "no call waited for the timeout"
    );
    assert!(runtime.output("stderr").contains("write after end"));
}

#[test]
fn a_replica_started_from_the_dependency_cache_says_so_instead_of_replaying_the_install() {
    let engine = Engine::start();
    let dir = engine.home.path();
    let (py, reqs) = python_with_six(dir);
    let mut args = vec![
        "--runtime",
        "python3.11",
        "--handler",
        "withdeps.handler",
        "--from-file",
        py.to_str().unwrap(),
        "--dependencies",
        reqs.to_str().unwrap(),
    ];
    deploy(&engine, "first", &args);
    let log = |name: &str| {
        let pod = engine.kubectl(&["get", "pods", "-l", &format!("function={name}"), "-o", "name"]);
        engine.kubectl(&["logs", pod.stdout.trim()]).stdout
    };
    let first = log("first");
    assert!(
        first.contains("install: ") && first.contains("six"),
        "the first install's log: {first}"
    );
    // The same runtime and dependency file: installed once, reused.
    args.push("--env");
    args.push("SECOND=1");
    deploy(&engine, "second", &args);
    assert_eq!(engine.kfn(&["function", "call", "second"]).stdout, "six 1.16.0\n");
    let second = log("second");
    let install: Vec<&str> = second.lines().filter(|l| l.contains("install: ")).collect();
    assert_eq!(install.len(), 1, "one line, not the first install again: {second}");
    assert!(
        install[0].contains("reused the dependencies") && install[0].contains("deps"),
        "{second}"
    );
}

#[test]
fn a_replica_starts_one_worker_adds_workers_while_calls_wait_up_to_its_maximum_and_retires_them() {
    let sleeper =
        "import time\n\ndef handler(event, context):\n    time.sleep(float(event['data']))\n    return 'slept'\n";
    let runtime = Runtime::start(
        &[("sleeper.py", sleeper)],
        "sleeper",
        "python3.11",
        &[("KFN_WORKERS", "3"), ("KFN_WORKER_IDLE", "1s")],
    );
    assert_eq!(
        runtime.workers().len(),
        1,
        "one worker at start: {:?}",
        runtime.workers()
    );
    // Calls one after another need no second worker.
    for _ in 0..3 {
        assert_eq!(runtime.call("POST", "/", "0"), Some((200, "slept".to_string())));
    }
    assert_eq!(runtime.workers().len(), 1, "{:?}", runtime.workers());

    // Six calls of 2 s at once: workers start for the waiting ones, three at most.
    let most = std::sync::atomic::AtomicUsize::new(0);
    let answers = std::thread::scope(|s| {
        let calls = s.spawn(|| runtime.calls_at_once(6, "2"));
        crate::common::until(std::time::Duration::from_secs(30), "three workers serve", || {
            let n = runtime.workers().len();
            most.fetch_max(n, std::sync::atomic::Ordering::SeqCst);
            n == 3
        });
        while !calls.is_finished() {
            most.fetch_max(runtime.workers().len(), std::sync::atomic::Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        calls.join().unwrap()
    });
    assert!(answers.iter().all(|(status, _)| *status == 200), "{answers:?}");
    assert_eq!(most.into_inner(), 3, "never more workers than KFN_WORKERS");
    // Three workers answer six calls of 2 s in about 4 s, one would take 12 s.
    let slowest = answers.iter().map(|(_, took)| *took).max().unwrap();
    assert!(slowest < std::time::Duration::from_secs(10), "{answers:?}");

    // Unneeded for the idle time, the extra workers retire; the first one stays.
    crate::common::until(std::time::Duration::from_secs(30), "back to one worker", || {
        runtime.workers().len() == 1
    });
    let stderr = runtime.output("stderr");
    assert!(
        stderr.contains("up to 3 while calls wait (KFN_WORKERS)"),
        "the start says what was chosen: {stderr}"
    );
    assert_eq!(
        stderr.matches("kfn runtime: worker retired (pid ").count(),
        2,
        "{stderr}"
    );
    assert_eq!(runtime.call("POST", "/", "0"), Some((200, "slept".to_string())));
}

#[test]
fn bad_worker_settings_are_refused_naming_the_flag_and_the_variable() {
    for (env, value, needle) in [
        ("KFN_WORKERS", "0", "--workers / KFN_WORKERS"),
        ("KFN_WORKERS", "many", "--workers / KFN_WORKERS"),
        ("KFN_WORKER_IDLE", "soon", "--worker-idle / KFN_WORKER_IDLE"),
        ("KFN_WORKER_IDLE", "10ms", "--worker-idle / KFN_WORKER_IDLE"),
    ] {
        let out = std::process::Command::new(crate::common::KFN)
            .args(["runtime", "serve"])
            .envs([
                ("MOD_NAME", "echo"),
                ("FUNC_HANDLER", "handler"),
                ("FUNC_RUNTIME", "python3.11"),
                ("FUNC_PORT", "1"),
                (env, value),
            ])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{env}={value}");
        assert!(
            stderr.contains(needle) && stderr.contains(&format!("{value:?}")),
            "{env}={value}: {stderr}"
        );
    }
    let out = std::process::Command::new(crate::common::KFN)
        .args(["runtime", "serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "--workers",
        "KFN_WORKERS",
        "one per core",
        "--worker-idle",
        "default: 30s",
    ] {
        assert!(help.contains(needle), "{needle} in {help}");
    }
}

#[test]
fn a_worker_command_line_is_short_and_names_its_function() {
    for (file, code, runtime) in [
        (
            "greet.py",
            "def handler(event, context):\n    return 'hi'\n",
            "python3.11",
        ),
        ("greet.js", "module.exports = { handler: () => 'hi' };\n", "nodejs20"),
    ] {
        let runtime = Runtime::start(&[(file, code)], "greet", runtime, &[("KFN_FUNCTION_NAME", "greeter")]);
        assert_eq!(runtime.call("GET", "/", ""), Some((200, "hi".to_string())));
        let workers = runtime.workers();
        assert_eq!(workers.len(), 1, "{workers:?}");
        let (_, cmdline) = &workers[0];
        assert!(cmdline.len() < 300, "{} bytes: {cmdline}", cmdline.len());
        assert!(cmdline.ends_with(" kfn-worker greeter greet.handler"), "{cmdline}");
    }
}

#[test]
fn a_python_coroutine_handler_is_awaited() {
    let code =
        "import asyncio\n\nasync def handler(event, context):\n    await asyncio.sleep(0)\n    return 'awaited'\n";
    let runtime = Runtime::start(&[("waits.py", code)], "waits", "python3.11", &[]);
    for _ in 0..2 {
        assert_eq!(runtime.call("GET", "/", ""), Some((200, "awaited".to_string())));
    }
}
