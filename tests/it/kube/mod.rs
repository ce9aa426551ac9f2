//! The cluster path on a real Kubernetes control plane: kube-apiserver and
//! kube-controller-manager of the version pinned in tests/kube/go.mod, started by
//! tests/kube's `kfn-testcluster` with an embedded etcd. No nodes run: Pods stay Pending.
//!
//! The binaries come from `$KFN_KUBE_BIN` (.ci/run exports it); without it the first test
//! builds them with tests/kube/build.sh (cached outside the clone). A control plane that cannot
//! be built or started fails the test with the reason.

mod cli;
mod flows;
mod schema;
mod tenants;
pub mod tenants_cli;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{Run, eventually, example, fails, kfn_command, ok, run_with_stdin, terminate, until, write};

/// How long a control plane may take to be ready (it is usually well under a minute).
const READY_WITHIN: Duration = Duration::from_secs(180);

/// The directory with kube-apiserver, kube-controller-manager, kubectl and kfn-testcluster.
pub fn kube_bin() -> &'static Path {
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

    /// A control plane with `kfn install` applied and its CRDs Established.
    pub fn installed() -> Cluster {
        let cluster = Cluster::start();
        ok(&cluster.kfn(&["install"]), "kfn install");
        crds_established(&cluster);
        cluster
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
        let mut cmd = Command::new(kube_bin().join("kubectl"));
        cmd.arg("--kubeconfig")
            .arg(self.kubeconfig())
            .args(args)
            .env("HOME", self.home.path())
            .env_remove("KUBECONFIG");
        run_with_stdin(cmd, stdin, "the built kubectl runs")
    }

    /// `kubectl get -o json`, parsed.
    /// `hello.py`, a function answering `one`, in the cluster's home directory.
    pub fn hello_code(&self) -> std::path::PathBuf {
        crate::common::write(
            self.home.path(),
            "hello.py",
            "def hello(event, context):\n    return 'one'\n",
        )
    }

    /// An object of the default namespace as JSON; when kubectl cannot get it, the error has the
    /// controller's log, which says why it is not there.
    pub fn object(&self, kind: &str, name: &str, controller: &Controller) -> Result<Value, String> {
        let run = self.kubectl(&["-n", "default", "get", kind, name, "-o", "json"]);
        if run.code != 0 {
            return Err(format!("{}\ncontroller log:\n{}", run.stderr, controller.log()));
        }
        Ok(serde_json::from_str(&run.stdout).unwrap())
    }

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
        terminate(&mut self.child, Duration::from_secs(30));
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
pub(crate) fn crds_established(cluster: &Cluster) {
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
    let namespace = ("the namespace", vec!["get", "namespace", "kubeless"]);
    for (what, args) in std::iter::once(namespace).chain(installed_objects()) {
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

    // A CRD deleted while its objects' storage still initializes stays Terminating until the
    // API server's finalizer retries (with back-off): uninstall once every kind can be listed.
    for plural in [
        "functions",
        "httptriggers",
        "cronjobtriggers",
        "kafkatriggers",
        "natstriggers",
        "kinesistriggers",
    ] {
        let kind = format!("{plural}.kubeless.io");
        eventually(Duration::from_secs(60), &format!("{kind} can be listed"), || {
            let run = cluster.kubectl(&["get", &kind, "-A"]);
            if run.code == 0 { Ok(()) } else { Err(run.stderr) }
        });
    }
    let run = cluster.kfn(&["uninstall", "--crds"]);
    ok(&run, "kfn uninstall --crds");
    for (what, args) in installed_objects() {
        let run = cluster.kubectl(&args);
        assert!(
            run.code != 0 && run.stderr.contains("NotFound"),
            "{what} should be gone after kfn uninstall: {}{}",
            run.stdout,
            run.stderr
        );
    }
    // The CRDs go (deletion of a CRD finishes asynchronously on a real server).
    eventually(Duration::from_secs(120), "the kubeless.io CRDs are gone", || {
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
    let cluster = Cluster::installed();
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

pub(crate) fn fails_not_found(run: &Run) {
    assert!(
        run.code != 0 && run.stderr.contains("NotFound"),
        "expected NotFound: {}{}",
        run.stdout,
        run.stderr
    );
}

/// A kubeconfig for the ServiceAccount `kfn install` creates: a token the API server issues for
/// it, with the server and CA of the admin kubeconfig.
fn service_account_kubeconfig(cluster: &Cluster) -> PathBuf {
    let token = cluster.kubectl(&["-n", "kubeless", "create", "token", "kfn-controller", "--duration=2h"]);
    ok(&token, "kubectl create token for the controller's ServiceAccount");
    let admin = cluster.get(&["config", "view", "--raw", "--minify"]);
    let server = &admin["clusters"][0]["cluster"];
    let mut entry = serde_json::json!({"server": server["server"]});
    for key in ["certificate-authority-data", "certificate-authority"] {
        if !server[key].is_null() {
            entry[key] = server[key].clone();
        }
    }
    let config = serde_json::json!({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "test", "cluster": entry}],
        "users": [{"name": "kfn-controller", "user": {"token": token.stdout.trim()}}],
        "contexts": [{"name": "kfn-controller", "context": {"cluster": "test", "user": "kfn-controller"}}],
        "current-context": "kfn-controller",
    });
    write(cluster.home.path(), "controller.kubeconfig", config.to_string())
}

/// The real `kfn controller`, as the ServiceAccount `kfn install` created; stopped on drop.
pub(crate) struct Controller {
    child: Child,
    log: PathBuf,
    health_port: u16,
}

impl Controller {
    pub(crate) fn start(cluster: &Cluster) -> Controller {
        Controller::start_as(cluster, "test-controller")
    }

    /// A controller with its own name in the leader Lease.
    fn start_as(cluster: &Cluster, identity: &str) -> Controller {
        Controller::start_with(cluster, identity, &[])
    }

    /// A controller with its own name in the leader Lease and more flags.
    pub(crate) fn start_with(cluster: &Cluster, identity: &str, flags: &[&str]) -> Controller {
        let kubeconfig = service_account_kubeconfig(cluster);
        // It really is the ServiceAccount, not the admin, that the controller runs as.
        let whoami = Command::new(kube_bin().join("kubectl"))
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"])
            .env("HOME", cluster.home.path())
            .env_remove("KUBECONFIG")
            .output()
            .expect("kubectl runs");
        assert_eq!(
            String::from_utf8_lossy(&whoami.stdout),
            "system:serviceaccount:kubeless:kfn-controller",
            "{}",
            String::from_utf8_lossy(&whoami.stderr)
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = cluster.home.path().join(format!("{identity}.log"));
        let child = kfn_command(cluster.home.path())
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args([
                "controller",
                "--image",
                "example/kfn:test",
                "--health-port",
                &port.to_string(),
                "--identity",
                identity,
            ])
            .args(flags)
            .env("KFN_LOG", "info")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("kfn controller starts");
        Controller {
            child,
            log,
            health_port: port,
        }
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// A figure of the controller's /metrics (`kfn_controller_leader`, …), if it answers.
    fn metric(&self, name: &str) -> Option<u64> {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.health_port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        write!(stream, "GET /metrics HTTP/1.0\r\nHost: controller\r\n\r\n").ok()?;
        let mut body = String::new();
        std::io::Read::read_to_string(&mut stream, &mut body).ok()?;
        body.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
    }

    /// Stops it as a Deployment's rollout does (SIGTERM) and waits until it has exited.
    pub(crate) fn stop(mut self) {
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let _ = self.child.wait();
    }

    /// Kills it without a chance to clean up (a node that vanished).
    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Controller {
    fn drop(&mut self) {
        terminate(&mut self.child, Duration::from_secs(10));
    }
}

/// `kfn function deploy NAME` of a file `hello.py` whose `hello` is the handler.
pub(crate) fn deploy_args<'a>(name: &'a str, code: &'a Path) -> Vec<&'a str> {
    vec![
        "function",
        "deploy",
        name,
        "--runtime",
        "python3.12",
        "--handler",
        "hello.hello",
        "--from-file",
        code.to_str().unwrap(),
    ]
}

/// The names of the objects of a kind in the default namespace, with a label selector.
fn names(cluster: &Cluster, kind: &str, selector: &str) -> Vec<String> {
    let list = cluster.get(&["-n", "default", "get", kind, "-l", selector]);
    list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| o["metadata"]["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The Function's Ready condition as the API server stores it.
pub(crate) fn ready_condition(cluster: &Cluster, name: &str) -> Value {
    let run = cluster.kubectl(&["-n", "default", "get", "function", name, "-o", "json"]);
    if run.code != 0 {
        return Value::Null;
    }
    let f: Value = serde_json::from_str(&run.stdout).unwrap();
    f["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["type"] == "Ready")
        .cloned()
        .unwrap_or(Value::Null)
}

#[test]
fn the_controller_as_its_service_account_runs_functions_through_the_real_controllers() {
    let cluster = Cluster::installed();
    let controller = Controller::start(&cluster);
    let dir = cluster.home.path();
    let code = cluster.hello_code();
    ok(&cluster.kfn(&deploy_args("hello", &code)), "kfn function deploy");
    // The controller applies what the function needs, as its ServiceAccount.
    for kind in ["configmap", "service", "deployment"] {
        eventually(
            Duration::from_secs(60),
            &format!("the controller creates the {kind} of hello"),
            || {
                let run = cluster.kubectl(&["-n", "default", "get", kind, "hello", "-o", "json"]);
                if run.code != 0 {
                    return Err(format!(
                        "{}{}\ncontroller log:\n{}",
                        run.stdout,
                        run.stderr,
                        controller.log()
                    ));
                }
                let obj: Value = serde_json::from_str(&run.stdout).unwrap();
                let owner = &obj["metadata"]["ownerReferences"][0];
                if owner["kind"] == "Function" && owner["name"] == "hello" {
                    Ok(())
                } else {
                    Err(format!("not owned by the Function: {}", obj["metadata"]))
                }
            },
        );
    }
    // The real deployment controller makes a ReplicaSet, and the ReplicaSet controller Pods
    // (which stay Pending: there are no nodes).
    eventually(Duration::from_secs(60), "a ReplicaSet and a Pod for hello", || {
        let sets = names(&cluster, "replicasets", "function=hello");
        let pods = cluster.get(&["-n", "default", "get", "pods", "-l", "function=hello"]);
        let phases: Vec<&str> = pods["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["status"]["phase"].as_str())
            .collect();
        if sets.len() == 1 && phases == ["Pending"] {
            Ok(())
        } else {
            Err(format!("replicasets {sets:?}, pod phases {phases:?}"))
        }
    });
    // The Function's status says why it is not ready, for the generation it acted on.
    eventually(Duration::from_secs(60), "hello's Ready condition", || {
        let c = ready_condition(&cluster, "hello");
        if c["status"] == "False" && c["reason"] == "ReplicasNotReady" {
            Ok(())
        } else {
            Err(c.to_string())
        }
    });

    // A child deleted by hand is made again at once (not at the next periodic reconcile).
    let service_uid = cluster.get(&["-n", "default", "get", "service", "hello"])["metadata"]["uid"].clone();
    ok(
        &cluster.kubectl(&["-n", "default", "delete", "service", "hello"]),
        "kubectl delete service hello",
    );
    eventually(
        Duration::from_secs(60),
        "the controller makes hello's Service again",
        || {
            let uid = cluster.object("service", "hello", &controller)?["metadata"]["uid"].clone();
            if uid != service_uid {
                Ok(())
            } else {
                Err("the old Service".into())
            }
        },
    );

    // An update rolls a new ReplicaSet.
    let first = names(&cluster, "replicasets", "function=hello");
    let code = write(dir, "hello.py", "def hello(event, context):\n    return 'two'\n");
    ok(
        &cluster.kfn(&["function", "update", "hello", "--from-file", code.to_str().unwrap()]),
        "kfn function update",
    );
    eventually(Duration::from_secs(60), "a second ReplicaSet for hello", || {
        let sets = names(&cluster, "replicasets", "function=hello");
        if sets.len() == 2 && sets.contains(&first[0]) {
            Ok(())
        } else {
            Err(format!("{sets:?}"))
        }
    });
    let cm = cluster.get(&["-n", "default", "get", "configmap", "hello"]);
    assert!(
        cm["data"]["hello.py"].as_str().unwrap_or_default().contains("'two'"),
        "the ConfigMap carries the new code: {}",
        cm["data"]
    );

    // An HTTP trigger of the function becomes an Ingress the real server accepts.
    ok(
        &cluster.kfn(&[
            "trigger",
            "http",
            "create",
            "hello-http",
            "--function-name",
            "hello",
            "--hostname",
            "hello.example.com",
        ]),
        "kfn trigger http create",
    );
    eventually(Duration::from_secs(60), "the Ingress of hello-http", || {
        let ing = cluster.object("ingress", "hello-http", &controller)?;
        if ing["spec"]["rules"][0]["host"] == "hello.example.com" {
            Ok(())
        } else {
            Err(ing["spec"].to_string())
        }
    });

    // Deleting the Function: the finalizer deletes its HTTP trigger, then the real garbage
    // collector removes everything the Function (and its Deployment) owned.
    ok(&cluster.kfn(&["function", "delete", "hello"]), "kfn function delete");
    eventually(Duration::from_secs(60), "the Function and its trigger are gone", || {
        let f = cluster.kubectl(&["-n", "default", "get", "function", "hello"]);
        let t = cluster.kubectl(&["-n", "default", "get", "httptrigger", "hello-http"]);
        if f.code != 0 && f.stderr.contains("NotFound") && t.code != 0 && t.stderr.contains("NotFound") {
            Ok(())
        } else {
            Err(format!(
                "{}{}{}{}\ncontroller log:\n{}",
                f.stdout,
                f.stderr,
                t.stdout,
                t.stderr,
                controller.log()
            ))
        }
    });
    eventually(
        Duration::from_secs(60),
        "the garbage collector removes what hello owned",
        || {
            let mut left = Vec::new();
            for kind in ["configmaps", "services", "deployments", "replicasets", "pods"] {
                for name in names(&cluster, kind, "function=hello") {
                    left.push(format!("{kind}/{name}"));
                }
            }
            let ing = cluster.kubectl(&["-n", "default", "get", "ingress", "-o", "name"]);
            if !ing.stdout.trim().is_empty() {
                left.push(ing.stdout.trim().to_string());
            }
            if left.is_empty() {
                Ok(())
            } else {
                Err(format!("{left:?}"))
            }
        },
    );
    // Nothing it did was refused: the rules `kfn install` grants are enough.
    let log = controller.log();
    assert!(
        !log.contains("forbidden"),
        "the controller was refused something:\n{log}"
    );
}

/// The holder of the controllers' Lease, and how often it changed hands.
fn lease(cluster: &Cluster) -> (String, i64) {
    let run = cluster.kubectl(&["-n", "kubeless", "get", "lease", "kfn-controller", "-o", "json"]);
    if run.code != 0 {
        return (String::new(), 0);
    }
    let lease: Value = serde_json::from_str(&run.stdout).unwrap();
    (
        lease["spec"]["holderIdentity"].as_str().unwrap_or_default().to_string(),
        lease["spec"]["leaseTransitions"].as_i64().unwrap_or(0),
    )
}

/// Deploys a hello function with kfn and waits until a controller has made its Deployment.
fn deploy_and_see_reconciled(cluster: &Cluster, name: &str, by: &Controller) {
    let code = write(
        cluster.home.path(),
        &format!("{name}/hello.py"),
        "def hello(event, context):\n    return 'hi'\n",
    );
    ok(&cluster.kfn(&deploy_args(name, &code)), "kfn function deploy");
    eventually(Duration::from_secs(60), &format!("the Deployment of {name}"), || {
        let run = cluster.kubectl(&["-n", "default", "get", "deployment", name]);
        if run.code == 0 {
            Ok(())
        } else {
            Err(format!("{}\ncontroller log:\n{}", run.stderr, by.log()))
        }
    });
}

#[test]
fn two_controllers_elect_one_leader_and_the_other_takes_over_when_it_goes() {
    let cluster = Cluster::installed();
    let first = Controller::start_as(&cluster, "first");
    until(Duration::from_secs(60), "the first controller holds the Lease", || {
        lease(&cluster).0 == "first"
    });
    let second = Controller::start_as(&cluster, "second");
    until(
        Duration::from_secs(30),
        "the second controller serves its metrics",
        || second.metric("kfn_controller_leader").is_some(),
    );
    deploy_and_see_reconciled(&cluster, "one", &first);
    // Only the leader reconciled; the other one waits.
    assert_eq!(first.metric("kfn_controller_leader"), Some(1), "{}", first.log());
    assert!(first.metric("kfn_controller_reconciles_total").unwrap_or(0) > 0);
    assert_eq!(second.metric("kfn_controller_leader"), Some(0), "{}", second.log());
    assert_eq!(
        second.metric("kfn_controller_reconciles_total"),
        Some(0),
        "the follower reconciled:\n{}",
        second.log()
    );
    assert_eq!(lease(&cluster).0, "first");

    // A rollout stops the leader: it gives the Lease up and the other one leads at its next
    // round, without waiting for the Lease to expire.
    let first_log = first.log.clone();
    first.stop();
    let said = std::fs::read_to_string(first_log).unwrap_or_default();
    assert!(said.contains("first released the lease"), "{said}");
    until(
        Duration::from_secs(60),
        "the second controller takes the released Lease",
        || lease(&cluster).0 == "second",
    );
    deploy_and_see_reconciled(&cluster, "two", &second);
    assert_eq!(second.metric("kfn_controller_leader"), Some(1));

    // A leader that dies without a word: the follower waits for the Lease to expire, then leads.
    let third = Controller::start_as(&cluster, "third");
    until(
        Duration::from_secs(30),
        "the third controller serves its metrics",
        || third.metric("kfn_controller_leader") == Some(0),
    );
    let (_, transitions) = lease(&cluster);
    second.kill();
    until(
        Duration::from_secs(60),
        "the third controller takes the expired Lease",
        || lease(&cluster).0 == "third",
    );
    assert_eq!(lease(&cluster).1, transitions + 1, "one more transition");
    deploy_and_see_reconciled(&cluster, "three", &third);
    assert_eq!(third.metric("kfn_controller_leader"), Some(1), "{}", third.log());
}

/// Edits the controller's ClusterRole with `change` (on its rules) through kubectl replace.
fn edit_cluster_role(cluster: &Cluster, change: impl FnOnce(&mut Vec<Value>)) {
    let mut role = cluster.get(&["get", "clusterrole", "kfn-controller"]);
    let mut rules = role["rules"].as_array().cloned().unwrap_or_default();
    change(&mut rules);
    role["rules"] = Value::Array(rules);
    let run = cluster.kubectl_stdin(&["replace", "-f", "-"], Some(&role.to_string()));
    ok(&run, "kubectl replace of the controller's ClusterRole");
}

#[test]
fn the_controller_reports_what_rbac_refuses_and_recovers_when_the_rule_is_back() {
    let cluster = Cluster::installed();
    let granted = cluster.get(&["get", "clusterrole", "kfn-controller"])["rules"].clone();
    // Take `create` on configmaps away (the rest of the rule stays).
    edit_cluster_role(&cluster, |rules| {
        let at = rules
            .iter()
            .position(|r| r["resources"].as_array().unwrap().contains(&Value::from("configmaps")))
            .expect("a rule for configmaps");
        let mut configmaps = rules[at].clone();
        let mut others = rules[at].clone();
        configmaps["resources"] = serde_json::json!(["configmaps"]);
        configmaps["verbs"] = Value::Array(
            configmaps["verbs"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|v| *v != "create")
                .cloned()
                .collect(),
        );
        others["resources"] = Value::Array(
            others["resources"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| *r != "configmaps")
                .cloned()
                .collect(),
        );
        rules[at] = configmaps;
        rules.push(others);
    });
    let controller = Controller::start(&cluster);
    let code = cluster.hello_code();
    ok(&cluster.kfn(&deploy_args("hello", &code)), "kfn function deploy");
    let refusal = "cannot create resource \"configmaps\"";
    // The Function's status says what was refused, in the API server's words.
    eventually(Duration::from_secs(60), "hello's status names the refusal", || {
        let c = ready_condition(&cluster, "hello");
        let message = c["message"].as_str().unwrap_or_default();
        if c["status"] == "False"
            && message.contains("cannot apply ConfigMap default/hello")
            && message.contains("forbidden")
            && message.contains("system:serviceaccount:kubeless:kfn-controller")
            && message.contains(refusal)
        {
            Ok(())
        } else {
            Err(format!("{c}\ncontroller log:\n{}", controller.log()))
        }
    });
    // And so does a Warning Event on the Function: one Event, counted up while the controller
    // retries, not a new one per retry.
    eventually(
        Duration::from_secs(60),
        "one Warning Event names the refusal, counted up",
        || {
            let events = cluster.get(&[
                "-n",
                "default",
                "get",
                "events",
                "--field-selector",
                "involvedObject.kind=Function,involvedObject.name=hello,type=Warning",
            ]);
            let found: Vec<&Value> = events["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|e| {
                    e["reason"] == "ReconcileFailed" && e["message"].as_str().unwrap_or_default().contains(refusal)
                })
                .collect();
            if found.len() == 1
                && found[0]["count"].as_i64().unwrap_or(0) >= 2
                && found[0]["involvedObject"]["uid"].is_string()
            {
                Ok(())
            } else {
                Err(events["items"].to_string())
            }
        },
    );
    let cm = cluster.kubectl(&["-n", "default", "get", "configmap", "hello"]);
    fails_not_found(&cm);

    // The rule back: the controller retries and the function gets its objects.
    edit_cluster_role(&cluster, |rules| *rules = granted.as_array().unwrap().clone());
    eventually(Duration::from_secs(90), "the controller recovers", || {
        let deployment = cluster.kubectl(&["-n", "default", "get", "deployment", "hello"]);
        let c = ready_condition(&cluster, "hello");
        if deployment.code == 0 && c["reason"] == "ReplicasNotReady" {
            Ok(())
        } else {
            Err(format!(
                "{}{c}\ncontroller log:\n{}",
                deployment.stderr,
                controller.log()
            ))
        }
    });
    ok(
        &cluster.kubectl(&["-n", "default", "get", "configmap", "hello"]),
        "the ConfigMap after recovery",
    );
}

#[test]
fn deploy_wait_says_why_pods_are_pending_and_autoscaling_and_cron_triggers_work() {
    let cluster = Cluster::installed();
    let controller = Controller::start(&cluster);
    let code = cluster.hello_code();
    // No node runs the pod: --wait ends at its timeout and says what holds the pod, instead
    // of hanging.
    let run = cluster.kfn(&[
        "function",
        "deploy",
        "hello",
        "--runtime",
        "python3.12",
        "--handler",
        "hello.hello",
        "--from-file",
        code.to_str().unwrap(),
        "--wait",
        "--wait-timeout",
        "20s",
    ]);
    assert_ne!(run.code, 0, "--wait cannot succeed without nodes: {}", run.stderr);
    for says in [
        "Function hello is not ready after 20s (0/1 replicas ready)",
        ": phase Pending, not scheduled to a node",
    ] {
        assert!(
            run.stderr.contains(says),
            "the timeout should say {says:?}:\n{}\ncontroller log:\n{}",
            run.stderr,
            controller.log()
        );
    }

    // An autoscaling rule becomes an autoscaling/v2 HorizontalPodAutoscaler the real server
    // accepts; removing the rule removes it.
    ok(
        &cluster.kfn(&[
            "autoscale",
            "create",
            "hello",
            "--min",
            "1",
            "--max",
            "3",
            "--metric",
            "cpu",
            "--value",
            "70",
        ]),
        "kfn autoscale create",
    );
    eventually(Duration::from_secs(60), "the HPA of hello", || {
        let hpa = cluster.object("horizontalpodautoscalers.v2.autoscaling", "hello", &controller)?;
        let spec = &hpa["spec"];
        if spec["maxReplicas"] == 3
            && spec["scaleTargetRef"]["name"] == "hello"
            && spec["metrics"][0]["resource"]["target"]["averageUtilization"] == 70
            && hpa["metadata"]["ownerReferences"][0]["kind"] == "Function"
        {
            Ok(())
        } else {
            Err(hpa.to_string())
        }
    });
    ok(&cluster.kfn(&["autoscale", "delete", "hello"]), "kfn autoscale delete");
    eventually(Duration::from_secs(60), "the HPA of hello is gone", || {
        let run = cluster.kubectl(&["-n", "default", "get", "horizontalpodautoscalers", "-o", "name"]);
        if run.code == 0 && run.stdout.trim().is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{}{}\ncontroller log:\n{}",
                run.stdout,
                run.stderr,
                controller.log()
            ))
        }
    });

    // A cron trigger becomes a batch/v1 CronJob the real server accepts, and the real cronjob
    // controller starts a Job of it at the next minute.
    ok(
        &cluster.kfn(&[
            "trigger",
            "cronjob",
            "create",
            "hello-cron",
            "--function",
            "hello",
            "--schedule",
            "* * * * *",
        ]),
        "kfn trigger cronjob create",
    );
    // Kubeless's name for it: trigger-<trigger>.
    eventually(Duration::from_secs(60), "the CronJob of hello-cron", || {
        let cj = cluster.object("cronjob", "trigger-hello-cron", &controller)?;
        if cj["spec"]["schedule"] == "* * * * *" && cj["metadata"]["ownerReferences"][0]["kind"] == "CronJobTrigger" {
            Ok(())
        } else {
            Err(cj.to_string())
        }
    });
    eventually(Duration::from_secs(150), "a Job of hello-cron", || {
        let jobs = cluster.get(&["-n", "default", "get", "jobs"]);
        let owned = jobs["items"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|j| j["metadata"]["ownerReferences"][0]["name"] == "trigger-hello-cron");
        if owned { Ok(()) } else { Err(jobs["items"].to_string()) }
    });
    // The trigger's status says its CronJob is up to date.
    let t = cluster.get(&["-n", "default", "get", "cronjobtrigger", "hello-cron"]);
    assert_eq!(t["status"]["conditions"][0]["status"], "True", "{}", t["status"]);
}

#[test]
fn an_every_schedule_a_cronjob_cannot_run_exactly_is_refused_on_a_cluster_not_changed() {
    let cluster = Cluster::installed();
    let controller = Controller::start(&cluster);
    let code = cluster.hello_code();
    let deploy = |name: &str, schedule: &str| {
        cluster.kfn(&[
            "function",
            "deploy",
            name,
            "--runtime",
            "python3.12",
            "--handler",
            "hello.hello",
            "--from-file",
            code.to_str().unwrap(),
            "--schedule",
            schedule,
        ])
    };
    // Refused at once, naming the flag and the value, and nothing is created.
    let run = deploy("seven", "@every 7m");
    fails(&run, "Invalid value for --schedule.");
    for says in ["@every 7m", "cannot run on a cluster", "30m, 1h"] {
        assert!(run.stderr.contains(says), "says {says:?}: {}", run.stderr);
    }
    let run = cluster.kubectl(&["-n", "default", "get", "functions", "-o", "name"]);
    assert!(run.stdout.trim().is_empty(), "no function was created: {}", run.stdout);

    ok(&deploy("hello", "@every 30m"), "deploy --schedule '@every 30m'");
    for every in ["@every 45s", "@every 90m"] {
        let run = cluster.kfn(&[
            "trigger",
            "cronjob",
            "create",
            "t",
            "--function",
            "hello",
            "--schedule",
            every,
        ]);
        fails(&run, "Invalid value for --schedule.");
        assert!(run.stderr.contains(every), "{}", run.stderr);
        let run = cluster.kfn(&["trigger", "cronjob", "update", "hello", "--schedule", every]);
        fails(&run, "Invalid value for --schedule.");
        assert!(run.stderr.contains(every), "{}", run.stderr);
    }
    ok(
        &cluster.kfn(&[
            "trigger",
            "cronjob",
            "create",
            "t",
            "--function",
            "hello",
            "--schedule",
            "@every 2h",
        ]),
        "create '@every 2h'",
    );
    // Exact CronJob schedules: 30 min and 2 h.
    for (cronjob, schedule) in [("trigger-hello", "*/30 * * * *"), ("trigger-t", "0 */2 * * *")] {
        eventually(Duration::from_secs(60), cronjob, || {
            let run = cluster.kubectl(&[
                "-n",
                "default",
                "get",
                "cronjob",
                cronjob,
                "-o",
                "jsonpath={.spec.schedule}",
            ]);
            if run.stdout == schedule {
                Ok(())
            } else {
                Err(format!(
                    "{}{}\ncontroller log:\n{}",
                    run.stdout,
                    run.stderr,
                    controller.log()
                ))
            }
        });
    }

    // Written with kubectl, past the CLI: the trigger is not Ready and says why; no CronJob.
    let trigger = r#"{"apiVersion": "kubeless.io/v1beta1", "kind": "CronJobTrigger",
        "metadata": {"name": "odd", "namespace": "default"},
        "spec": {"function-name": "hello", "schedule": "@every 90m"}}"#;
    ok(
        &cluster.kubectl_stdin(&["apply", "-f", "-"], Some(trigger)),
        "kubectl apply",
    );
    eventually(Duration::from_secs(60), "odd is not Ready", || {
        let t = cluster.get(&["-n", "default", "get", "cronjobtrigger", "odd"]);
        let c = &t["status"]["conditions"][0];
        if c["status"] == "False"
            && c["message"]
                .as_str()
                .unwrap_or_default()
                .contains("\"@every 90m\" cannot run on a cluster")
        {
            Ok(())
        } else {
            Err(t["status"].to_string())
        }
    });
    let run = cluster.kubectl(&["-n", "default", "get", "cronjob", "trigger-odd"]);
    assert_ne!(run.code, 0, "no CronJob of another schedule: {}", run.stdout);
}

/// What `kfn install` makes besides its namespace and the CRDs: a description and the
/// `kubectl get` arguments that find it.
fn installed_objects() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
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
        (
            "the activator's ServiceAccount",
            vec!["-n", "kubeless", "get", "serviceaccount", "kfn-activator"],
        ),
        (
            "the activator's ClusterRole",
            vec!["get", "clusterrole", "kfn-activator"],
        ),
        (
            "the activator's ClusterRoleBinding",
            vec!["get", "clusterrolebinding", "kfn-activator"],
        ),
        (
            "the activator",
            vec!["-n", "kubeless", "get", "deployment", "kfn-activator"],
        ),
        (
            "the activator's Service",
            vec!["-n", "kubeless", "get", "service", "kfn-activator"],
        ),
    ]
}
