//! A local engine in a temporary `KFN_HOME`, driven by the real `kfn` binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use http::Request;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::Value;

pub const KFN: &str = env!("CARGO_BIN_EXE_kfn");

pub struct Engine {
    pub home: tempfile::TempDir,
}

/// A command's outcome, with text already decoded.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// `kfn` with a clean environment: its own KFN_HOME and HOME, no kubeconfig.
pub fn kfn_command(home: &Path) -> Command {
    in_kfn_env(Command::new(KFN), home)
}

/// Any program (a shell running kfn, say) with the environment of `kfn_command`.
pub fn in_kfn_env(mut cmd: Command, home: &Path) -> Command {
    cmd.env("KFN_HOME", home.join("state"))
        .env("HOME", home)
        .env_remove("KUBECONFIG")
        .env_remove("XDG_STATE_HOME")
        .env_remove("RUST_BACKTRACE")
        .env("NO_COLOR", "1");
    cmd
}

impl Engine {
    /// An engine directory with nothing started yet.
    pub fn new() -> Engine {
        Engine {
            home: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// A started engine.
    pub fn start() -> Engine {
        let engine = Engine::new();
        let run = engine.kfn(&["local", "start"]);
        assert_eq!(run.code, 0, "kfn local start failed: {}{}", run.stdout, run.stderr);
        engine
    }

    /// A started engine with extra environment (the autoscaler's timing, say).
    pub fn start_with_env(env: &[(&str, &str)]) -> Engine {
        let engine = Engine::new();
        let run: Run = kfn_command(engine.home.path())
            .envs(env.iter().copied())
            .args(["local", "start"])
            .output()
            .expect("kfn runs")
            .into();
        assert_eq!(run.code, 0, "kfn local start failed: {}{}", run.stdout, run.stderr);
        engine
    }

    /// A started engine that stores objects but runs no functions: tests play the controller.
    pub fn start_no_run() -> Engine {
        let engine = Engine::new();
        let run = engine.kfn(&["local", "start", "--no-run"]);
        assert_eq!(
            run.code, 0,
            "kfn local start --no-run failed: {}{}",
            run.stdout, run.stderr
        );
        engine
    }

    pub fn state(&self) -> PathBuf {
        self.home.path().join("state")
    }

    pub fn kubeconfig(&self) -> PathBuf {
        self.state().join("kubeconfig")
    }

    pub fn kfn(&self, args: &[&str]) -> Run {
        kfn_command(self.home.path())
            .args(args)
            .output()
            .expect("kfn runs")
            .into()
    }

    pub fn kubectl(&self, args: &[&str]) -> Run {
        self.kubectl_stdin(args, None)
    }

    pub fn kubectl_stdin(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let mut cmd = Command::new("kubectl");
        cmd.arg("--kubeconfig")
            .arg(self.kubeconfig())
            .args(args)
            .env("HOME", self.home.path());
        run_with_stdin(cmd, stdin, "kubectl is installed (.ci/run installs it)")
    }

    pub fn pid(&self) -> u32 {
        let info: Value =
            serde_json::from_str(&std::fs::read_to_string(self.state().join("engine.json")).expect("engine.json"))
                .unwrap();
        info["pid"].as_u64().unwrap() as u32
    }

    pub async fn client(&self) -> kube::Client {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let kubeconfig = Kubeconfig::read_from(self.kubeconfig()).expect("the engine wrote a kubeconfig");
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
            .await
            .unwrap();
        kube::Client::try_from(config).unwrap()
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = self.kfn(&["local", "stop", "--grace", "3"]);
    }
}

pub fn functions(client: &kube::Client, ns: &str) -> Api<DynamicObject> {
    let gvk = GroupVersionKind::gvk("kubeless.io", "v1beta1", "Function");
    Api::namespaced_with(client.clone(), ns, &ApiResource::from_gvk(&gvk))
}

/// Sends a raw request and returns the status code and the parsed JSON body.
pub async fn raw(client: &kube::Client, req: Request<Vec<u8>>) -> (u16, Value) {
    let (parts, body) = req.into_parts();
    let req = Request::from_parts(parts, kube::client::Body::from(body));
    let resp = client.send(req).await.expect("the engine answers");
    let code = resp.status().as_u16();
    let bytes = resp.into_body().collect_bytes().await.expect("a body");
    (code, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

pub fn function(name: &str) -> Value {
    serde_json::json!({
        "apiVersion": "kubeless.io/v1beta1",
        "kind": "Function",
        "metadata": {"name": name, "labels": {"created-by": "kubeless", "function": name}},
        "spec": {"handler": "hello.hello", "runtime": "python3.12", "function": "def hello(e, c):\n    return 'hi'\n",
                 "function-content-type": "text", "deps": "", "timeout": "180"}
    })
}

pub fn sha256(text: &str) -> String {
    sha256_bytes(text.as_bytes())
}

pub fn sha256_bytes(bytes: &[u8]) -> String {
    use sha2::Digest;
    let hex: String = sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Runs `kfn args` with stdout a pipe whose reading end is already closed (`kfn … | true`).
pub fn with_closed_stdout(engine: &Engine, args: &[&str]) -> Run {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    kfn_command(engine.home.path())
        .args(args)
        .stdout(writer)
        .output()
        .expect("kfn runs")
        .into()
}

/// Runs `kfn args` with stderr a pipe whose reading end is already closed (`kfn … 2>&1 | true`).
pub fn with_closed_stderr(engine: &Engine, args: &[&str]) -> Run {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    kfn_command(engine.home.path())
        .args(args)
        .stderr(writer)
        .output()
        .expect("kfn runs")
        .into()
}

/// A command that succeeded; otherwise the test fails showing its output.
pub fn ok(run: &Run, what: &str) {
    assert_eq!(
        run.code, 0,
        "{what} failed:\nstdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
}

/// A failure: exit 1, and stderr says `needle`.
pub fn fails(run: &Run, needle: &str) {
    assert_eq!(
        run.code, 1,
        "expected failure mentioning {needle:?}:\nstdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(
        run.stderr.contains(needle),
        "stderr should mention {needle:?}:\n{}",
        run.stderr
    );
}

/// A file of the repository's examples/ folder.
pub fn example(path: &str) -> String {
    format!("{}/examples/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// Writes a file (and its folders) and returns its path.
pub fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, content).unwrap();
    path
}

/// Deploys `code`, written as `src-<name>/<file>`, with handler `<file's module>.handler` and
/// the given runtime and extra flags; the command's outcome.
pub fn deploy_code(engine: &Engine, name: &str, runtime: &str, file: &str, code: &str, extra: &[&str]) -> Run {
    let path = write(engine.home.path(), &format!("src-{name}/{file}"), code);
    let module = file.split('.').next().unwrap_or(file);
    let handler = format!("{module}.handler");
    let mut args = vec![
        "function",
        "deploy",
        name,
        "--runtime",
        runtime,
        "--from-file",
        path.to_str().unwrap(),
        "--handler",
        &handler,
    ];
    args.extend_from_slice(extra);
    engine.kfn(&args)
}

/// Calls `check` every 200 ms until it returns `Ok`, and returns that value; after `timeout`
/// the test fails with `what` and the last `Err` seen.
pub fn eventually<T>(timeout: std::time::Duration, what: &str, mut check: impl FnMut() -> Result<T, String>) -> T {
    let started = std::time::Instant::now();
    loop {
        match check() {
            Ok(value) => return value,
            Err(seen) if started.elapsed() > timeout => panic!("{what} (within {timeout:?}); last seen: {seen}"),
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(200)),
        }
    }
}

/// `eventually` for a plain condition.
pub fn until(timeout: std::time::Duration, what: &str, mut check: impl FnMut() -> bool) {
    eventually(timeout, what, || {
        if check() {
            Ok(())
        } else {
            Err("the condition is still false".into())
        }
    })
}

/// Waits until `kfn trigger <kind> list -o json` shows `needle` (in a trigger's status, say).
pub fn wait_trigger(engine: &Engine, kind: &str, needle: &str, seconds: u64, what: &str) {
    eventually(std::time::Duration::from_secs(seconds), what, || {
        let out = engine.kfn(&["trigger", kind, "list", "-o", "json"]).stdout;
        if out.contains(needle) { Ok(()) } else { Err(out) }
    })
}

/// Runs a command with `stdin` as its standard input (none: closed at once) and its output
/// captured; `spawn_hint` says what is wrong when it cannot start.
pub fn run_with_stdin(mut cmd: Command, stdin: Option<&str>, spawn_hint: &str) -> Run {
    use std::io::Write;
    let mut child = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect(spawn_hint);
    let mut input = child.stdin.take().expect("piped");
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).expect("stdin written");
    }
    drop(input);
    child.wait_with_output().expect("the command runs").into()
}

/// Stops a child as a supervisor does: SIGTERM, then SIGKILL if it has not exited within
/// `grace`. A child that has exited already is left alone (its pid may be another's now).
pub fn terminate(child: &mut std::process::Child, grace: std::time::Duration) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    // SAFETY: a signal to our own child, which has not been reaped.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let deadline = std::time::Instant::now() + grace;
    while std::time::Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}
