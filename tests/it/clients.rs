//! The client matrix: one short scenario run against a real engine by each client people
//! point at it (tests/clients/README.md): create a ConfigMap, list it by label, watch it
//! change with a patch and go with a delete; then a Function deployed with
//! `kfn function deploy` is watched until its status appears and its Deployment is ready.
//!
//! Each client prints the same lines. A client that is not installed fails its test with how
//! to install it (.ci/run installs them all); none is skipped.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::common::{Engine, deploy_code, ok, terminate};

/// What every client prints, in order.
const SCENARIO: &[&str] = &[
    "created configmap matrix",
    "listed app=matrix: matrix",
    "patched configmap matrix",
    "watch: MODIFIED matrix k=v2",
    "deleted configmap matrix",
    "watch: DELETED matrix",
    "waiting for function matrix-fn",
    "function matrix-fn: status observedGeneration=1",
    "deployment matrix-fn: ready 1/1",
];

/// The line after which the test deploys the function the client watches for.
const WAITING: &str = "waiting for function matrix-fn";

/// How long one client's scenario may take (a few seconds when all is well).
const WITHIN: Duration = Duration::from_secs(150);

fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients")
}

/// Runs a client's scenario against a fresh engine and returns the lines it printed; when it
/// says it is waiting for the function, deploys it. Fails the test with the client's stderr
/// when it exits non-zero or does not finish in time.
fn scenario(mut cmd: Command, client: &str) -> Vec<String> {
    let engine = Engine::start();
    cmd.env("KUBECONFIG", engine.kubeconfig())
        .env("HOME", engine.home.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("{client} cannot be started ({cmd:?}): {e}"));
    let (tx, lines) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut stderr = child.stderr.take().unwrap();
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + WITHIN;
    let mut printed = Vec::new();
    loop {
        match lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => {
                if line == WAITING {
                    let run = deploy_code(
                        &engine,
                        "matrix-fn",
                        "python3.11",
                        "hello.py",
                        "def handler(event, context):\n    return 'hi'\n",
                        &[],
                    );
                    if run.code != 0 {
                        terminate(&mut child, Duration::from_secs(2));
                    }
                    ok(&run, "kfn function deploy matrix-fn");
                }
                printed.push(line);
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                terminate(&mut child, Duration::from_secs(2));
                panic!(
                    "{client} did not finish its scenario within {WITHIN:?}; it printed:\n{}\nstderr:\n{}",
                    printed.join("\n"),
                    errors.join().unwrap_or_default()
                );
            }
        }
    }
    let status = child.wait().expect("the client ends");
    let stderr = errors.join().unwrap_or_default();
    assert!(
        status.success(),
        "{client} failed ({status}); it printed:\n{}\nstderr:\n{stderr}",
        printed.join("\n")
    );
    printed
}

/// The scenario's lines, and then `extra`.
fn expected(extra: &[&str]) -> Vec<String> {
    SCENARIO.iter().chain(extra).map(|s| s.to_string()).collect()
}

/// `kubectl version --client` of `kubectl`, failing the test unless it is `want`.
fn check_kubectl_version(kubectl: &Path, want: &str, how: &str) {
    let out = Command::new(kubectl)
        .args(["version", "--client"])
        .output()
        .unwrap_or_else(|e| panic!("{} cannot run ({e}); {how}", kubectl.display()));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("GitVersion:\"{want}")) || text.contains(&format!("Client Version: {want}")),
        "{} is not kubectl {want} but: {text}; {how}",
        kubectl.display()
    );
}

fn kubectl_scenario(kubectl: &Path) -> Command {
    let mut cmd = Command::new("bash");
    cmd.arg(clients_dir().join("kubectl.sh")).env("KUBECTL", kubectl);
    cmd
}

/// Debian's kubectl 1.20 (`$KFN_DEBIAN_KUBECTL`, else where .ci/run unpacks it); fails the
/// test saying how to get it when it is not there.
pub fn debian_kubectl() -> PathBuf {
    let how = "set KFN_DEBIAN_KUBECTL to Debian's kubectl (package kubernetes-client, 1.20; .ci/run unpacks it into /var/tmp/kfn-kubectl-debian)";
    let kubectl = std::env::var_os("KFN_DEBIAN_KUBECTL")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/kfn-kubectl-debian/usr/bin/kubectl"));
    check_kubectl_version(&kubectl, "v1.20.", how);
    kubectl
}

#[test]
fn debian_kubectl_1_20_runs_the_scenario() {
    let kubectl = debian_kubectl();
    assert_eq!(scenario(kubectl_scenario(&kubectl), "kubectl 1.20"), expected(&[]));
}

#[test]
fn kubectl_of_the_control_planes_version_runs_the_scenario() {
    let kubectl = crate::kube::kube_bin().join("kubectl");
    check_kubectl_version(&kubectl, "v1.37.", "rebuild it with tests/kube/build.sh");
    assert_eq!(scenario(kubectl_scenario(&kubectl), "kubectl 1.37"), expected(&[]));
}

/// The Python with the `kubernetes` client: `$KFN_CLIENTS_PYTHON` (.ci/run installs the client into a
/// virtual environment of its own, outside the clone), else `python3`.
fn python() -> PathBuf {
    std::env::var_os("KFN_CLIENTS_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"))
}

#[test]
fn the_python_kubernetes_client_runs_the_scenario() {
    let python = python();
    let check = Command::new(&python)
        .args(["-c", "import kubernetes; print(kubernetes.__version__)"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    assert!(
        check.status.success(),
        "the Python kubernetes client is not installed for {} (.ci/run installs it into /var/tmp/kfn-python): {}",
        python.display(),
        String::from_utf8_lossy(&check.stderr)
    );
    let mut cmd = Command::new(&python);
    cmd.arg(clients_dir().join("python_client.py"));
    assert_eq!(scenario(cmd, "the Python kubernetes client"), expected(&[]));
}

#[test]
fn kubernetes_client_node_runs_the_scenario() {
    let modules = std::env::var_os("KFN_NODE_MODULES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/kfn-node/node_modules"));
    let package = modules.join("@kubernetes/client-node/package.json");
    let version = std::fs::read_to_string(&package)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|p| p["version"].as_str().map(str::to_string));
    let Some(version) = version else {
        panic!(
            "@kubernetes/client-node is not installed at {} (copy tests/clients/node/package*.json to a directory outside the clone and run npm ci there, as .ci/run does into /var/tmp/kfn-node, or set KFN_NODE_MODULES)",
            package.display()
        );
    };
    assert!(
        version.starts_with("1."),
        "@kubernetes/client-node {version} is installed, not 1.x"
    );
    let mut cmd = Command::new("node");
    cmd.arg(clients_dir().join("node/scenario.mjs"))
        .env("KFN_NODE_MODULES", &modules);
    assert_eq!(scenario(cmd, "@kubernetes/client-node"), expected(&[]));
}

#[test]
fn client_go_informers_with_the_watch_list_run_the_scenario() {
    let program = crate::kube::kube_bin().join("kfn-client-go");
    assert!(
        program.is_file(),
        "{} is missing: tests/kube/build.sh builds it",
        program.display()
    );
    let mut cmd = Command::new(program);
    cmd.env("KUBE_FEATURE_WatchListClient", "true");
    // Each of the three informers started with a WatchList (the initial events, ended by a
    // bookmark), none fell back to a list.
    assert_eq!(
        scenario(cmd, "client-go"),
        expected(&["informers: 3 WatchList requests, 0 lists"])
    );
}
