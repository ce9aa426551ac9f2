//! The cluster path on a real Kubernetes control plane: kube-apiserver and
//! kube-controller-manager of the version pinned in tests/kube/go.mod, started by
//! tests/kube's `kfn-testcluster` with an embedded etcd. No nodes run: Pods stay Pending.
//!
//! The binaries come from `$KFN_KUBE_BIN` (.ci/run exports it); without it the first test
//! builds them with tests/kube/build.sh (cached outside the clone). A control plane that cannot
//! be built or started fails the test with the reason.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{Run, eventually, example, kfn_command, ok, until, write};

/// How long a control plane may take to be ready (it is usually well under a minute).
const READY_WITHIN: Duration = Duration::from_secs(180);

/// The directory with kube-apiserver, kube-controller-manager, kubectl and kfn-testcluster.
fn kube_bin() -> &'static Path {
    static BIN: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let bin = BIN.get_or_init(|| {
        if let Ok(reason) = std::env::var("KFN_KUBE_BIN_ERROR") {
            return Err(reason);
        }
        if let Ok(dir) = std::env::var("KFN_KUBE_BIN") {
            return Ok(PathBuf::from(dir));
        }
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/kube/build.sh");
        let out = Command::new("bash")
            .arg(script)
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot run {script}: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "{script} could not build the test control plane ({}); its output is above",
                out.status
            ));
        }
        Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
    });
    match bin {
        Ok(dir) => {
            for name in [
                "kube-apiserver",
                "kube-controller-manager",
                "kubectl",
                "kfn-testcluster",
            ] {
                assert!(
                    dir.join(name).is_file(),
                    "the test control plane is not built: {} is missing (run tests/kube/build.sh)",
                    dir.join(name).display()
                );
            }
            dir
        }
        Err(reason) => panic!("the test control plane is not available: {reason}"),
    }
}

/// A running control plane in a temporary directory, stopped on drop.
pub struct Cluster {
    pub home: tempfile::TempDir,
    child: Child,
    kubeconfig: PathBuf,
}

impl Cluster {
    /// Starts kfn-testcluster and waits until it is ready; fails the test with the reason
    /// (and the end of the component logs) when it is not.
    pub fn start() -> Cluster {
        let bin = kube_bin();
        let home = tempfile::tempdir().expect("a temporary directory");
        let dir = home.path().join("cluster");
        let stderr = std::fs::File::create(home.path().join("kfn-testcluster.err")).unwrap();
        let mut child = Command::new(bin.join("kfn-testcluster"))
            .arg("--dir")
            .arg(&dir)
            .arg("--timeout")
            .arg(format!("{}s", READY_WITHIN.as_secs()))
            .arg("--exit-on-stdin-eof")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.join("kfn-testcluster").display()));
        let (tx, rx) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let started = Instant::now();
        let mut cluster = Cluster {
            home,
            child,
            kubeconfig: PathBuf::new(),
        };
        loop {
            match rx.recv_timeout(Duration::from_millis(500)) {
                Ok(line) if line.starts_with("ready ") => {
                    let kubeconfig = line
                        .split_whitespace()
                        .find_map(|w| w.strip_prefix("kubeconfig="))
                        .expect("the ready line names the kubeconfig");
                    cluster.kubeconfig = PathBuf::from(kubeconfig);
                    return cluster;
                }
                Ok(_) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    let _ = cluster.child.wait();
                    panic!("the test control plane did not start: {}", cluster.stderr());
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    if started.elapsed() > READY_WITHIN + Duration::from_secs(10) {
                        panic!(
                            "the test control plane was not ready within {READY_WITHIN:?}: {}",
                            cluster.stderr()
                        );
                    }
                }
            }
        }
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(self.home.path().join("kfn-testcluster.err")).unwrap_or_default()
    }

    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }

    /// The real `kfn` with the admin kubeconfig.
    pub fn kfn(&self, args: &[&str]) -> Run {
        kfn_command(self.home.path())
            .arg("--kubeconfig")
            .arg(self.kubeconfig())
            .args(args)
            .output()
            .expect("kfn runs")
            .into()
    }

    /// The kubectl built with the control plane, with the admin kubeconfig.
    pub fn kubectl(&self, args: &[&str]) -> Run {
        self.kubectl_stdin(args, None)
    }

    pub fn kubectl_stdin(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let mut child = Command::new(kube_bin().join("kubectl"))
            .arg("--kubeconfig")
            .arg(self.kubeconfig())
            .args(args)
            .env("HOME", self.home.path())
            .env_remove("KUBECONFIG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the built kubectl runs");
        let mut input = child.stdin.take().expect("piped");
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).expect("stdin written");
        }
        drop(input);
        child.wait_with_output().expect("kubectl runs").into()
    }

    /// `kubectl get -o json`, parsed.
    pub fn get(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        let run = self.kubectl(&all);
        ok(&run, &format!("kubectl get {args:?}"));
        serde_json::from_str(&run.stdout).expect("kubectl prints JSON")
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // SIGTERM: kfn-testcluster stops the controller manager, the API server and etcd.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const CRDS: [&str; 6] = [
    "functions.kubeless.io",
    "httptriggers.kubeless.io",
    "cronjobtriggers.kubeless.io",
    "kafkatriggers.kubeless.io",
    "natstriggers.kubeless.io",
    "kinesistriggers.kubeless.io",
];

/// Every kubeless.io CRD is Established (and its names accepted), as the real server says.
fn crds_established(cluster: &Cluster) {
    for crd in CRDS {
        let run = cluster.kubectl(&[
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            &format!("crd/{crd}"),
        ]);
        ok(&run, &format!("kubectl wait for {crd} to be Established"));
        let obj = cluster.get(&["get", "crd", crd]);
        let names_accepted = obj["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["type"] == "NamesAccepted" && c["status"] == "True");
        assert!(names_accepted, "{crd}: names not accepted: {}", obj["status"]);
    }
}

#[test]
fn install_on_a_real_api_server_establishes_the_crds_and_uninstall_removes_what_it_made() {
    let cluster = Cluster::start();
    let run = cluster.kfn(&["install"]);
    ok(&run, "kfn install");
    crds_established(&cluster);
    // What install applied is there, as the real server stores it.
    for (what, args) in [
        ("the namespace", vec!["get", "namespace", "kubeless"]),
        (
            "the ServiceAccount",
            vec!["-n", "kubeless", "get", "serviceaccount", "kfn-controller"],
        ),
        ("the ClusterRole", vec!["get", "clusterrole", "kfn-controller"]),
        (
            "the ClusterRoleBinding",
            vec!["get", "clusterrolebinding", "kfn-controller"],
        ),
        ("the Role", vec!["-n", "kubeless", "get", "role", "kfn-controller"]),
        (
            "the RoleBinding",
            vec!["-n", "kubeless", "get", "rolebinding", "kfn-controller"],
        ),
        (
            "the runtime catalog",
            vec!["-n", "kubeless", "get", "configmap", "kubeless-config"],
        ),
        (
            "the controller",
            vec!["-n", "kubeless", "get", "deployment", "kfn-controller"],
        ),
    ] {
        ok(&cluster.kubectl(&args), &format!("{what} after kfn install"));
    }
    // The real deployment controller acts on the controller's Deployment.
    until(Duration::from_secs(60), "a ReplicaSet for the kfn controller", || {
        cluster
            .kubectl(&["-n", "kubeless", "get", "replicasets", "-o", "name"])
            .stdout
            .contains("replicaset.apps/kfn-controller-")
    });
    // Installing again changes nothing and succeeds (server-side apply).
    ok(&cluster.kfn(&["install"]), "kfn install a second time");

    let run = cluster.kfn(&["uninstall", "--crds"]);
    ok(&run, "kfn uninstall --crds");
    for (what, args) in [
        (
            "the ServiceAccount",
            vec!["-n", "kubeless", "get", "serviceaccount", "kfn-controller"],
        ),
        ("the ClusterRole", vec!["get", "clusterrole", "kfn-controller"]),
        (
            "the ClusterRoleBinding",
            vec!["get", "clusterrolebinding", "kfn-controller"],
        ),
        ("the Role", vec!["-n", "kubeless", "get", "role", "kfn-controller"]),
        (
            "the RoleBinding",
            vec!["-n", "kubeless", "get", "rolebinding", "kfn-controller"],
        ),
        (
            "the runtime catalog",
            vec!["-n", "kubeless", "get", "configmap", "kubeless-config"],
        ),
        (
            "the controller",
            vec!["-n", "kubeless", "get", "deployment", "kfn-controller"],
        ),
    ] {
        let run = cluster.kubectl(&args);
        assert!(
            run.code != 0 && run.stderr.contains("NotFound"),
            "{what} should be gone after kfn uninstall: {}{}",
            run.stdout,
            run.stderr
        );
    }
    // The CRDs go (deletion of a CRD finishes asynchronously on a real server).
    eventually(Duration::from_secs(60), "the kubeless.io CRDs are gone", || {
        let run = cluster.kubectl(&["get", "crd", "-o", "json"]);
        if run.code == 0 && !run.stdout.contains("kubeless.io") {
            Ok(())
        } else {
            Err(format!("{}{}", run.stdout, run.stderr))
        }
    });
    // The real garbage collector removes what the Deployment owned.
    until(
        Duration::from_secs(60),
        "the controller's ReplicaSet is collected",
        || {
            !cluster
                .kubectl(&["-n", "kubeless", "get", "replicasets", "-o", "name"])
                .stdout
                .contains("kfn-controller")
        },
    );
}

#[test]
fn install_dry_run_yaml_applies_server_side_with_the_real_kubectl() {
    let cluster = Cluster::start();
    let run = cluster.kfn(&["install", "--dry-run", "-o", "yaml"]);
    ok(&run, "kfn install --dry-run -o yaml");
    let applied = cluster.kubectl_stdin(&["apply", "--server-side", "-f", "-"], Some(&run.stdout));
    ok(&applied, "kubectl apply --server-side of kfn install --dry-run -o yaml");
    assert!(
        applied
            .stdout
            .contains("customresourcedefinition.apiextensions.k8s.io/functions.kubeless.io serverside-applied"),
        "{}",
        applied.stdout
    );
    crds_established(&cluster);
    // The JSON form is a List the real kubectl takes too.
    let json = cluster.kfn(&["install", "--dry-run", "-o", "json"]);
    ok(&json, "kfn install --dry-run -o json");
    ok(
        &cluster.kubectl_stdin(&["apply", "--server-side", "-f", "-"], Some(&json.stdout)),
        "kubectl apply --server-side of kfn install --dry-run -o json",
    );
}

/// examples/function.yaml with one line of its spec replaced.
fn function_with(name: &str, from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(example("function.yaml")).unwrap();
    assert!(text.contains(from), "examples/function.yaml has {from:?}");
    text.replace("name: hello\n", &format!("name: {name}\n"))
        .replace(from, to)
}

#[test]
fn the_real_api_server_checks_functions_against_the_crd_schema() {
    let cluster = Cluster::start();
    ok(&cluster.kfn(&["install"]), "kfn install");
    crds_established(&cluster);
    let dir = cluster.home.path();

    // The example Function is accepted as it is, and kfn reads it back.
    let run = cluster.kubectl(&["apply", "-f", &example("function.yaml")]);
    ok(&run, "kubectl apply -f examples/function.yaml");
    let listed = cluster.kfn(&["function", "list", "-o", "json"]);
    ok(&listed, "kfn function list");
    assert!(listed.stdout.contains("\"hello\""), "{}", listed.stdout);

    // A Function of every runtime in kfn's catalog passes the schema (checked by the server,
    // stored nowhere).
    let all: String = kfn::runtimes::names()
        .iter()
        .map(|id| {
            let name = format!("rt-{}", id.to_lowercase().replace(['.', '_'], "-"));
            format!(
                "---\n{}",
                function_with(&name, "runtime: python3.12", &format!("runtime: {id}"))
            )
        })
        .collect();
    let run = cluster.kubectl_stdin(&["apply", "--dry-run=server", "-f", "-"], Some(&all));
    ok(
        &run,
        "a Function of every catalog runtime, applied with --dry-run=server",
    );
    assert_eq!(
        run.stdout.lines().count(),
        kfn::runtimes::names().len(),
        "one line per Function: {}",
        run.stdout
    );

    // Invalid ones are rejected by the API server, which names the field.
    for (name, from, to, field) in [
        ("bad-timeout", "timeout: \"180\"", "timeout: \"abc\"", "spec.timeout"),
        ("bad-port", "port: 8080", "port: 70000", "spec.service.ports[0].port"),
        ("bad-handler-type", "handler: hello.hello", "handler: 3", "spec.handler"),
        (
            "bad-runtime",
            "runtime: python3.12",
            "runtime: \"python 3\"",
            "spec.runtime",
        ),
        (
            "bad-content-type",
            "function-content-type: text",
            "function-content-type: yaml",
            "spec.function-content-type",
        ),
    ] {
        let file = write(dir, &format!("{name}.yaml"), function_with(name, from, to));
        let run = cluster.kubectl(&["apply", "-f", file.to_str().unwrap()]);
        assert_ne!(run.code, 0, "{to} should be rejected: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains(field) && run.stderr.contains("Invalid value"),
            "the rejection of {to} should name {field}: {}",
            run.stderr
        );
        let gone = cluster.kubectl(&["get", "function", name]);
        fails_not_found(&gone);
    }
}

fn fails_not_found(run: &Run) {
    assert!(
        run.code != 0 && run.stderr.contains("NotFound"),
        "expected NotFound: {}{}",
        run.stdout,
        run.stderr
    );
}
