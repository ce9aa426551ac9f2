//! `kfn controller` on the real control plane of tests/kube: 1,000 Functions, how long until
//! every ConfigMap, Service and Deployment exists, and how many API requests each Function
//! cost (from the API server's `apiserver_request_total`).
//!
//! Run: `cargo bench --bench controller` (builds the control plane with tests/kube/build.sh
//! unless `KFN_KUBE_BIN` names it; prints Markdown tables).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Service};
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::json;

const FUNCTIONS: usize = 1000;
/// The resources the controller reads and writes for a Function (the controller manager's
/// own traffic on them is a handful of watches; its writes go to `deployments/status`,
/// ReplicaSets, Pods and Events, which are not counted).
const COUNTED: &[&str] = &[
    "functions",
    "configmaps",
    "services",
    "deployments",
    "horizontalpodautoscalers",
];

/// A child process killed on drop.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        unsafe {
            libc::kill(self.0.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn kube_bin() -> PathBuf {
    if let Ok(dir) = std::env::var("KFN_KUBE_BIN") {
        return PathBuf::from(dir);
    }
    let out = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/kube/build.sh"))
        .stderr(Stdio::inherit())
        .output()
        .expect("tests/kube/build.sh runs");
    assert!(out.status.success(), "tests/kube/build.sh failed");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// Starts kfn-testcluster; returns it and the admin kubeconfig once it is ready.
fn start_cluster(bin: &Path, dir: &Path) -> (Process, PathBuf) {
    let mut child = Command::new(bin.join("kfn-testcluster"))
        .arg("--dir")
        .arg(dir)
        .arg("--exit-on-stdin-eof")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("kfn-testcluster starts");
    let stdout = child.stdout.take().unwrap();
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        if let Some(kubeconfig) = line.split_whitespace().find_map(|w| w.strip_prefix("kubeconfig=")) {
            return (Process(child), PathBuf::from(kubeconfig));
        }
    }
    let _ = child.wait();
    panic!("kfn-testcluster exited before it was ready");
}

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A kubeconfig with the token of the ServiceAccount `kfn install` made for the controller.
fn controller_kubeconfig(kubectl: &Path, admin: &Path, dir: &Path) -> PathBuf {
    let token = run(
        Command::new(kubectl).arg("--kubeconfig").arg(admin).args([
            "-n",
            "kubeless",
            "create",
            "token",
            "kfn-controller",
            "--duration=2h",
        ]),
        "kubectl create token",
    );
    let config: serde_json::Value = serde_json::from_str(&run(
        Command::new(kubectl)
            .arg("--kubeconfig")
            .arg(admin)
            .args(["config", "view", "--raw", "--minify", "-o", "json"]),
        "kubectl config view",
    ))
    .unwrap();
    let cluster = &config["clusters"][0]["cluster"];
    let kubeconfig = json!({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "test", "cluster": {"server": cluster["server"],
            "certificate-authority-data": cluster["certificate-authority-data"]}}],
        "users": [{"name": "controller", "user": {"token": token.trim()}}],
        "contexts": [{"name": "controller", "context": {"cluster": "test", "user": "controller"}}],
        "current-context": "controller",
    });
    let path = dir.join("controller.kubeconfig");
    std::fs::write(&path, kubeconfig.to_string()).unwrap();
    path
}

fn function(name: &str) -> DynamicObject {
    serde_json::from_value(json!({
        "apiVersion": "kubeless.io/v1beta1", "kind": "Function",
        "metadata": {"name": name, "labels": {"created-by": "kubeless", "function": name}},
        "spec": {"handler": "hello.hello", "runtime": "python3.12", "function-content-type": "text",
            "function": "def hello(event, context):\n    return 'hello'\n",
            "checksum": "", "deps": "", "timeout": "180",
            "deployment": {"spec": {"template": {"spec": {"containers": [{"name": "", "imagePullPolicy": "Always", "resources": {}}]}}}},
            "service": {"type": "ClusterIP", "selector": {"created-by": "kubeless", "function": name},
                "ports": [{"name": "http-function-port", "port": 8080, "protocol": "TCP", "targetPort": 8080}]}}
    }))
    .unwrap()
}

/// `apiserver_request_total` summed by (resource, verb), subresources after a slash.
async fn requests(client: &kube::Client) -> BTreeMap<(String, String), f64> {
    let text = client
        .request_text(http::Request::get("/metrics").body(Vec::new()).unwrap())
        .await
        .expect("the API server's /metrics");
    let mut sums = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with("apiserver_request_total{")) {
        let Some((labels, value)) = line.rsplit_once(' ') else {
            continue;
        };
        let label = |name: &str| {
            labels
                .split(&format!("{name}=\""))
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_default()
                .to_string()
        };
        let (resource, sub) = (label("resource"), label("subresource"));
        if !COUNTED.contains(&resource.as_str()) {
            continue;
        }
        let resource = if sub.is_empty() {
            resource
        } else {
            format!("{resource}/{sub}")
        };
        *sums.entry((resource, label("verb"))).or_insert(0.0) += value.parse::<f64>().unwrap_or(0.0);
    }
    sums
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let bin = kube_bin();
    let home = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let (_cluster, admin) = start_cluster(&bin, &home.path().join("cluster"));
    eprintln!("control plane ready in {:.1} s", started.elapsed().as_secs_f64());
    let kfn = env!("CARGO_BIN_EXE_kfn");
    run(
        Command::new(kfn)
            .arg("--kubeconfig")
            .arg(&admin)
            .arg("install")
            .env("HOME", home.path()),
        "kfn install",
    );
    let kubectl = bin.join("kubectl");
    run(
        Command::new(&kubectl).arg("--kubeconfig").arg(&admin).args([
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            "crd/functions.kubeless.io",
        ]),
        "kubectl wait for the Function CRD",
    );
    let controller_config = controller_kubeconfig(&kubectl, &admin, home.path());

    let config =
        kube::Config::from_custom_kubeconfig(Kubeconfig::read_from(&admin).unwrap(), &KubeConfigOptions::default())
            .await
            .unwrap();
    let client = kube::Client::try_from(config).unwrap();
    let gvk = GroupVersionKind::gvk("kubeless.io", "v1beta1", "Function");
    let functions: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &ApiResource::from_gvk(&gvk));
    let created = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..16 {
        let api = functions.clone();
        tasks.push(tokio::spawn(async move {
            for i in (w..FUNCTIONS).step_by(16) {
                api.create(&PostParams::default(), &function(&format!("fn-{i:04}")))
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    eprintln!(
        "{FUNCTIONS} Functions created in {:.1} s",
        created.elapsed().as_secs_f64()
    );

    let before = requests(&client).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let start = Instant::now();
    let _controller = Process(
        Command::new(kfn)
            .arg("--kubeconfig")
            .arg(&controller_config)
            .args([
                "controller",
                "--image",
                "example/kfn:bench",
                "--health-port",
                &port.to_string(),
            ])
            .env("HOME", home.path())
            .env("KFN_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("kfn controller starts"),
    );
    let lp = ListParams::default().labels("created-by=kubeless");
    let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let services: Api<Service> = Api::namespaced(client.clone(), "default");
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "default");
    // (polls, when every ConfigMap, Service, Deployment and Function status was there)
    let mut polls = 0.0;
    let mut done: [Option<Duration>; 4] = [None; 4];
    while done.iter().any(Option::is_none) {
        assert!(
            start.elapsed() < Duration::from_secs(1200),
            "not done in 20 min: {done:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
        polls += 1.0;
        let counts = [
            configmaps.list_metadata(&lp).await.unwrap().items.len(),
            services.list_metadata(&lp).await.unwrap().items.len(),
            deployments.list_metadata(&lp).await.unwrap().items.len(),
            functions
                .list(&lp)
                .await
                .unwrap()
                .items
                .iter()
                .filter(|f| {
                    f.data
                        .pointer("/status/observedGeneration")
                        .is_some_and(|g| !g.is_null())
                })
                .count(),
        ];
        for (at, count) in done.iter_mut().zip(counts) {
            if at.is_none() && count >= FUNCTIONS {
                *at = Some(start.elapsed());
            }
        }
    }
    let all_done = start.elapsed();
    // Let the echoes settle (each created object and each Deployment status the controller
    // manager writes wakes the Function's reconcile again), then count.
    tokio::time::sleep(Duration::from_secs(30)).await;
    let after = requests(&client).await;

    println!("| {FUNCTIONS} Functions, `kfn controller` started after they exist | seconds after start |");
    println!("|---|---|");
    for (what, at) in [
        "every ConfigMap",
        "every Service",
        "every Deployment",
        "every Function's status",
    ]
    .iter()
    .zip(done)
    {
        println!("| {what} exists | {:.1} |", at.unwrap().as_secs_f64());
    }
    println!();
    println!("| API requests (from `apiserver_request_total`) | total | per Function |");
    println!("|---|---|---|");
    let mut total = 0.0;
    for (key, value) in &after {
        let mut delta = value - before.get(key).copied().unwrap_or(0.0);
        // The benchmark's own polling lists.
        if key.1 == "LIST" && ["configmaps", "services", "deployments", "functions"].contains(&key.0.as_str()) {
            delta -= polls;
        }
        if delta < 0.5 {
            continue;
        }
        total += delta;
        println!("| {} {} | {delta:.0} | {:.2} |", key.1, key.0, delta / FUNCTIONS as f64);
    }
    println!("| all of the above | {total:.0} | {:.2} |", total / FUNCTIONS as f64);
    eprintln!(
        "done in {:.1} s; counted until {:.1} s after start",
        all_done.as_secs_f64(),
        start.elapsed().as_secs_f64()
    );
}
