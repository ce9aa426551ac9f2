//! Defects a new user meets first, each pinned by a test: a crashing replica, garbage selectors,
//! delete-and-redeploy, the code cache, and what a function can reach of the engine.

use std::time::Duration;

use serde_json::Value;

use crate::common::{Engine, Run, eventually, ok, write};

/// Deploys a Python function from `code` (written as `<module>.py`), without waiting.
fn deploy_py(engine: &Engine, name: &str, module: &str, code: &str, extra: &[&str]) -> Run {
    crate::common::deploy_code(engine, name, "python3.11", &format!("{module}.py"), code, extra)
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

#[test]
fn the_example_function_object_is_what_deploy_makes_and_it_runs() {
    let text = std::fs::read_to_string(crate::common::example("function.yaml")).unwrap();
    let example: Value = serde_saphyr::from_str(&text).expect("examples/function.yaml is YAML");
    let hello = crate::common::example("hello.py");
    let args = [
        "function",
        "deploy",
        "hello",
        "--runtime",
        "python3.12",
        "--from-file",
        &hello,
        "--handler",
        "hello.hello",
        "--dryrun",
        "-o",
        "json",
    ];
    let engine = Engine::start();
    let run = engine.kfn(&args);
    ok(&run, "deploy --dryrun");
    let made: Value = serde_json::from_str(&run.stdout).unwrap();
    for field in [
        "handler",
        "runtime",
        "function",
        "function-content-type",
        "checksum",
        "deps",
        "timeout",
    ] {
        assert_eq!(
            example["spec"][field], made["spec"][field],
            "spec.{field} of examples/function.yaml"
        );
    }
    ok(
        &engine.kubectl(&["apply", "-f", &crate::common::example("function.yaml")]),
        "apply",
    );
    eventually(Duration::from_secs(60), "the example function answers", || {
        let run = engine.kfn(&["function", "call", "hello", "--data", "{\"x\":1}"]);
        if run.code == 0 && run.stdout.trim() == "{\"x\": 1}" {
            Ok(())
        } else {
            Err(format!("{}{}", run.stdout, run.stderr))
        }
    });
}

/// What a function sees of the machine, as it reports it.
const SPY_PY: &str = r#"
import json, os, signal, urllib.request

def handler(event, context):
    ask = event['data']
    out = {}
    for name in ask['paths']:
        try:
            if os.path.isdir(name):
                os.listdir(name)
            else:
                open(name, 'rb').read(1)
            out[name] = 'read'
        except Exception as e:
            out[name] = type(e).__name__
    out['env'] = sorted(os.environ)
    out['cwd'] = os.getcwd()
    out['fd_open'] = {}
    for fd in ask['fds']:
        try:
            os.fstat(fd)
            out['fd_open'][str(fd)] = True
        except OSError:
            out['fd_open'][str(fd)] = False
    try:
        os.kill(ask['engine'], 0)
        out['signal'] = 'sent'
    except Exception as e:
        out['signal'] = type(e).__name__
    try:
        with urllib.request.urlopen('http://127.0.0.1:%d/' % ask['port'], timeout=5) as r:
            out['direct'] = r.status
    except urllib.error.HTTPError as e:
        out['direct'] = e.code
    except Exception as e:
        out['direct'] = type(e).__name__
    return out
"#;

fn pod_of(engine: &Engine, function: &str) -> Value {
    let pods = pods(engine).expect("pods");
    pods.into_iter()
        .find(|p| p["metadata"]["labels"]["function"] == function)
        .unwrap_or_else(|| panic!("a pod of {function}"))
}

#[test]
fn a_function_reaches_nothing_of_the_engine_or_of_other_functions() {
    use std::os::fd::AsRawFd;
    let engine = Engine::new();
    // The shell that starts the engine hands it an open descriptor.
    let secret = write(engine.home.path(), "secret.txt", "from the shell");
    let inherited = std::fs::File::open(&secret).unwrap();
    // A number the worker's own pipes (3, 4) cannot have; dup2 leaves it open across exec.
    let fd = 77;
    // SAFETY: duplicating a descriptor the test owns onto a free number.
    assert_eq!(unsafe { libc::dup2(inherited.as_raw_fd(), fd) }, fd);
    let run: Run = crate::common::kfn_command(engine.home.path())
        .args(["local", "start"])
        .output()
        .unwrap()
        .into();
    ok(&run, "local start");
    drop(inherited);
    // SAFETY: closing the test's own duplicate.
    unsafe { libc::close(fd) };

    // The other function has a Secret mounted (the engine writes its files in the replica's
    // directory): neither the files nor the mount may reach the spy.
    ok(
        &engine.kubectl(&[
            "create",
            "secret",
            "generic",
            "target-creds",
            "--from-literal=password=hunter2",
        ]),
        "create the target's secret",
    );
    let target = "def handler(e, c):\n    return 'target answered'\n";
    ok(
        &deploy_py(
            &engine,
            "target",
            "target",
            target,
            &["--secrets", "target-creds", "--wait", "--wait-timeout", "60s"],
        ),
        "deploy target",
    );
    ok(
        &deploy_py(&engine, "spy", "spy", SPY_PY, &["--wait", "--wait-timeout", "60s"]),
        "deploy spy",
    );
    let target_pod = pod_of(&engine, "target");
    let port: u16 = target_pod["metadata"]["annotations"]["kfn.io/port"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // A ServiceAccount token issued: the key that signs tokens is in the state directory.
    ok(
        &engine.kubectl(&["create", "serviceaccount", "reader"]),
        "create a ServiceAccount",
    );
    ok(&engine.kubectl(&["create", "token", "reader"]), "kubectl create token");
    let state = engine.state();
    assert!(
        state.join("serviceaccount.key").is_file(),
        "the signing key is in the state directory"
    );
    let functions = state.join("functions");
    let target_dir = state
        .join("replicas")
        .join("default")
        .join(target_pod["metadata"]["name"].as_str().unwrap());
    // Everything in the state directory (the token, the database with every Secret, the keys
    // that sign and serve, the kubeconfig, logs, ...: whatever the engine keeps there), every
    // function's code, and every file in the other replica's directory (its Secret's files).
    let paths: Vec<String> = std::fs::read_dir(&state)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .chain(std::fs::read_dir(&functions).unwrap().flatten().map(|e| e.path()))
        .chain(files_under(&target_dir))
        .map(|p| p.display().to_string())
        .chain(["token", "kfn.db", "kubeconfig", "serviceaccount.key"].map(|f| state.join(f).display().to_string()))
        .chain(["/target-creds/password".to_string()])
        .chain([secret.display().to_string(), "/etc/hostname".to_string()])
        .chain([engine.pid() as u64, runtime_of(&engine, "target")].map(|pid| format!("/proc/{pid}/environ")))
        .collect();
    let ask = serde_json::json!({"paths": paths, "fds": [fd], "engine": engine.pid(), "port": port});
    let run = engine.kfn(&["function", "call", "spy", "--data", &ask.to_string()]);
    ok(&run, "call spy");
    let seen: Value = serde_json::from_str(&run.stdout).expect("the spy's report");

    let own_code = state.join("functions");
    let readable: Vec<&str> = seen
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| v.as_str() == Some("read"))
        .map(|(k, _)| k.as_str())
        .collect();
    // Only its own code directory (the one with spy.py) and the system's files are readable.
    for path in &readable {
        let own =
            std::path::Path::new(path).starts_with(&own_code) && std::path::Path::new(path).join("spy.py").exists();
        assert!(own || *path == "/etc/hostname", "the function read {path}: {seen}");
    }
    assert!(
        readable.contains(&"/etc/hostname"),
        "system files stay readable: {seen}"
    );
    let secret_files = files_under(&target_dir.join("secrets"));
    assert!(
        !secret_files.is_empty(),
        "the target's Secret has files in its replica's directory"
    );
    for file in &secret_files {
        assert!(
            seen.get(file.display().to_string()).is_some(),
            "the spy tried {}: {seen}",
            file.display()
        );
    }
    assert_eq!(
        seen["fd_open"][fd.to_string()],
        false,
        "the shell's descriptor reached the function"
    );
    let env: Vec<&str> = seen["env"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for var in ["KFN_HOME", "KUBECONFIG", "KFN_CALL_KEY", "XDG_STATE_HOME", "NO_COLOR"] {
        assert!(!env.contains(&var), "{var} reached the function: {env:?}");
    }
    let cwd = seen["cwd"].as_str().unwrap();
    assert!(
        cwd.contains("replicas"),
        "a working directory of its own, not the engine's: {cwd}"
    );
    assert_eq!(
        seen["direct"], 403,
        "another replica answered a call past the engine: {seen}"
    );
    assert_eq!(
        seen["signal"], "PermissionError",
        "the function could signal the engine: {seen}"
    );
    // The target still answers through the engine.
    let run = engine.kfn(&["function", "call", "target"]);
    ok(&run, "call target");
    assert_eq!(run.stdout.trim(), "target answered");

    use std::os::unix::fs::PermissionsExt;
    for file in ["kfn.db", "engine.log"] {
        let mode = std::fs::metadata(state.join(file)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{file} has mode {mode:o}");
    }
    let log = std::fs::read_dir(state.join("logs").join("default"))
        .unwrap()
        .flatten()
        .next()
        .unwrap();
    let mode = log.metadata().unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{} has mode {mode:o}", log.path().display());
}

/// Every file under `dir`, at any depth (none when it does not exist).
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// The pid of a function's `kfn runtime serve` process of this engine.
fn runtime_of(engine: &Engine, function: &str) -> u64 {
    let home = format!("{}", engine.state().display());
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u64>().ok())
        .find(|pid| {
            let env = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            let env = String::from_utf8_lossy(&env);
            let cwd = std::fs::read_link(format!("/proc/{pid}/cwd")).unwrap_or_default();
            env.split('\0').any(|v| v == format!("KFN_FUNCTION_NAME={function}"))
                && env.contains("FUNC_PORT=")
                && cwd.starts_with(&home)
        })
        .unwrap_or_else(|| panic!("the runtime of {function}"))
}

/// Whether a process of this pid is alive (not a zombie).
fn alive(pid: u64) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| !s.contains(") Z "))
        .unwrap_or(false)
}

fn parent(pid: u64) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("the process is alive");
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    after_name.split(' ').nth(1).unwrap().parse().unwrap()
}

const FORKER_PY: &str = r#"
import os, subprocess, time

def handler(event, context):
    pids = []
    for _ in range(5):
        pid = os.fork()
        if pid == 0:
            time.sleep(1000)
            os._exit(0)
        pids.append(pid)
    for _ in range(5):
        pids.append(subprocess.Popen(['sleep', '1000']).pid)
    return pids
"#;

#[test]
fn what_a_function_forks_ends_with_its_replica() {
    let engine = Engine::start();
    ok(
        &deploy_py(
            &engine,
            "forker",
            "forker",
            FORKER_PY,
            &["--wait", "--wait-timeout", "60s"],
        ),
        "deploy",
    );
    let pids = |engine: &Engine| -> Vec<u64> {
        let run = engine.kfn(&["function", "call", "forker"]);
        ok(&run, "call forker");
        serde_json::from_str(&run.stdout).expect("a list of pids")
    };
    // A replica killed with its children alive is restarted, and the children go.
    let first = pids(&engine);
    assert!(first.iter().all(|p| alive(*p)));
    // The forked child's parent is the worker, whose parent is the replica's runtime.
    let runtime = parent(parent(first[0]));
    // SAFETY: killing the replica's runtime, a process of this test's engine.
    unsafe { libc::kill(runtime as i32, libc::SIGKILL) };
    eventually(
        Duration::from_secs(30),
        "the forked processes end with the killed replica",
        || {
            let left: Vec<_> = first.iter().filter(|p| alive(**p)).collect();
            if left.is_empty() {
                Ok(())
            } else {
                Err(format!("{left:?} alive"))
            }
        },
    );
    eventually(Duration::from_secs(60), "the replica is restarted and answers", || {
        let run = engine.kfn(&["function", "call", "forker"]);
        if run.code == 0 { Ok(()) } else { Err(run.stderr) }
    });
    // Deleting the function ends everything it forked.
    let second = pids(&engine);
    ok(&engine.kfn(&["function", "delete", "forker"]), "delete");
    eventually(
        Duration::from_secs(30),
        "the forked processes end with the function",
        || {
            let left: Vec<_> = second.iter().filter(|p| alive(**p)).collect();
            if left.is_empty() {
                Ok(())
            } else {
                Err(format!("{left:?} alive"))
            }
        },
    );
    eventually(Duration::from_secs(30), "the pod goes", || match pods(&engine) {
        Ok(p) if p.is_empty() => Ok(()),
        other => Err(format!("{other:?}")),
    });
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn a_huge_output_line_is_cut_in_the_log_and_costs_the_engine_little() {
    let engine = Engine::start();
    let code = "import sys\ndef handler(e, c):\n    sys.stdout.write('y' * (64 << 20) + '\\n')\n    sys.stdout.flush()\n    return 'printed'\n";
    ok(
        &deploy_py(&engine, "loud", "loud", code, &["--wait", "--wait-timeout", "60s"]),
        "deploy",
    );
    let before = rss_kib(engine.pid());
    for _ in 0..2 {
        let run = engine.kfn(&["function", "call", "loud"]);
        ok(&run, "call");
        assert_eq!(run.stdout.trim(), "printed");
    }
    eventually(Duration::from_secs(30), "the cut line is in the log", || {
        let run = engine.kfn(&["function", "logs", "loud"]);
        if run.stdout.contains("more bytes of this line not kept") {
            Ok(())
        } else {
            Err(run.stdout.chars().take(300).collect())
        }
    });
    let grown = rss_kib(engine.pid()).saturating_sub(before);
    assert!(grown < 32 * 1024, "two 64 MiB lines grew the engine by {grown} KiB");
    let logs = engine.state().join("logs").join("default");
    for entry in std::fs::read_dir(logs).unwrap().flatten() {
        let size = entry.metadata().unwrap().len();
        assert!(size < 1 << 20, "{} is {size} bytes", entry.path().display());
    }
}

#[test]
fn slow_clients_neither_exhaust_the_engine_nor_hold_it_for_ever() {
    use std::io::Read;
    use std::os::unix::process::CommandExt;
    let engine = Engine::new();
    // Started from a shell with a low open-files limit.
    let mut cmd = crate::common::kfn_command(engine.home.path());
    cmd.args(["local", "start"]);
    // SAFETY: setrlimit in the child before exec, with a stack value.
    unsafe {
        cmd.pre_exec(|| {
            let mut limit = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
            limit.rlim_cur = 256.min(limit.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            Ok(())
        });
    }
    let run: Run = cmd.output().unwrap().into();
    ok(&run, "local start");
    let port: u16 = std::fs::read_to_string(engine.state().join("port"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // 400 clients connect and never finish a TLS handshake.
    let mut idle: Vec<std::net::TcpStream> = (0..400)
        .map(|_| std::net::TcpStream::connect(("127.0.0.1", port)).expect("a connection"))
        .collect();
    let run = engine.kubectl(&["--request-timeout=10s", "get", "namespaces", "-o", "name"]);
    ok(&run, "kubectl while 400 clients idle");
    assert!(run.stdout.contains("namespace/default"));
    // The engine closes a connection that sends nothing.
    let mut silent = idle.pop().unwrap();
    silent.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut buf = [0u8; 16];
    let n = silent.read(&mut buf).map_err(|e| e.kind());
    assert!(
        matches!(n, Ok(0) | Err(std::io::ErrorKind::ConnectionReset)),
        "the engine held a silent connection: {n:?}"
    );
}

#[test]
fn secrets_are_mounted_where_kubeless_mounts_them() {
    let engine = Engine::start();
    let code =
        "def handler(e, c):\n    return open('/db-creds/password').read() + '|' + open('/db-creds/user').read()\n";
    // The Secret comes after the function: its pod waits for it, then runs.
    ok(
        &deploy_py(&engine, "reader", "reader", code, &["--secrets", "db-creds"]),
        "deploy",
    );
    eventually(Duration::from_secs(30), "the pod waits for the secret", || {
        let pods = pods(&engine)?;
        let pod = pods
            .iter()
            .find(|p| p["metadata"]["labels"]["function"] == "reader")
            .ok_or("no pod yet")?;
        let message = pod
            .pointer("/status/containerStatuses/0/state/waiting/message")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if message.contains("secret \"db-creds\" not found") {
            Ok(())
        } else {
            Err(pod["status"].to_string())
        }
    });
    ok(
        &engine.kubectl(&[
            "create",
            "secret",
            "generic",
            "db-creds",
            "--from-literal=password=s3cret",
            "--from-literal=user=ann",
        ]),
        "create secret",
    );
    eventually(Duration::from_secs(60), "the function reads its secret", || {
        let run = engine.kfn(&["function", "call", "reader"]);
        if run.code == 0 && run.stdout.trim() == "s3cret|ann" {
            Ok(())
        } else {
            Err(format!("{}{}", run.stdout, run.stderr))
        }
    });
    // Nothing was created on the machine's own root.
    assert!(!std::path::Path::new("/db-creds").exists());
}

#[test]
fn top_still_counts_the_calls_of_replicas_an_update_replaced() {
    let engine = Engine::start();
    let v1 = "def handler(e, c):\n    return 'v1'\n";
    ok(
        &deploy_py(&engine, "counted", "counted", v1, &["--wait", "--wait-timeout", "60s"]),
        "deploy",
    );
    for _ in 0..3 {
        ok(&engine.kfn(&["function", "call", "counted"]), "call v1");
    }
    let v2 = write(
        engine.home.path(),
        "src-counted/counted.py",
        "def handler(e, c):\n    return 'v2'\n",
    );
    let update = [
        "function",
        "update",
        "counted",
        "--from-file",
        v2.to_str().unwrap(),
        "--wait",
    ];
    ok(&engine.kfn(&update), "update");
    for _ in 0..2 {
        let run = engine.kfn(&["function", "call", "counted"]);
        ok(&run, "call v2");
        assert_eq!(run.stdout.trim(), "v2");
    }
    eventually(Duration::from_secs(20), "top counts the calls of both versions", || {
        let run = engine.kfn(&["function", "top", "--function", "counted", "-o", "json"]);
        let rows: Value = serde_json::from_str(&run.stdout).map_err(|e| format!("{e}: {}", run.stdout))?;
        if rows[0]["total_calls"] == 5 {
            Ok(())
        } else {
            Err(run.stdout)
        }
    });
}
