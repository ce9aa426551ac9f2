//! The local engine's store over HTTPS: creates/s and lists/s of 1,000 Functions.
//!
//! Run: `cargo bench --bench store` (starts a release `kfn local serve --no-run` in a temporary
//! KFN_HOME, drives it with the kube crate as kfn does, prints a Markdown table).

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::json;

const FUNCTIONS: usize = 1000;
const LISTS: usize = 50;

struct Engine(Child);

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn function(name: &str) -> DynamicObject {
    serde_json::from_value(json!({
        "apiVersion": "kubeless.io/v1beta1", "kind": "Function",
        "metadata": {"name": name, "labels": {"created-by": "kubeless", "function": name}},
        "spec": {"handler": "hello.hello", "runtime": "python3.12", "function-content-type": "text",
            "function": "def hello(event, context):\n    print(event)\n    return event['data']\n",
            "checksum": "sha256:ded732d9238bfff4f06ab229d8ff7a923c3880151da20a440e63deec1acd4346",
            "deps": "", "timeout": "180",
            "deployment": {"spec": {"template": {"spec": {"containers": [{"name": "", "imagePullPolicy": "Always", "resources": {}}]}}}},
            "service": {"type": "ClusterIP", "selector": {"created-by": "kubeless", "function": name},
                "ports": [{"name": "http-function-port", "port": 8080, "protocol": "TCP", "targetPort": 8080}]}}
    }))
    .unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("state");
    let _engine = Engine(
        Command::new(env!("CARGO_BIN_EXE_kfn"))
            .args(["local", "serve", "--no-run"])
            .env("KFN_HOME", &state)
            .env("KFN_LOG", "warn")
            .spawn()
            .expect("kfn starts"),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while !state.join("engine.json").exists() {
        assert!(Instant::now() < deadline, "the engine did not start");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let kubeconfig = Kubeconfig::read_from(state.join("kubeconfig")).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(config).unwrap();
    let gvk = GroupVersionKind::gvk("kubeless.io", "v1beta1", "Function");
    let api: Api<DynamicObject> = Api::namespaced_with(client, "default", &ApiResource::from_gvk(&gvk));

    // Creates, one at a time (the latency a CLI sees) for the first half, then 16 at once.
    let pp = PostParams::default();
    let start = Instant::now();
    for i in 0..FUNCTIONS / 2 {
        api.create(&pp, &function(&format!("fn-{i:04}"))).await.unwrap();
    }
    let sequential = start.elapsed();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..16 {
        let api = api.clone();
        tasks.push(tokio::spawn(async move {
            for i in (FUNCTIONS / 2 + w..FUNCTIONS).step_by(16) {
                api.create(&PostParams::default(), &function(&format!("fn-{i:04}")))
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let concurrent = start.elapsed();

    let mut times = Vec::new();
    for _ in 0..LISTS {
        let start = Instant::now();
        let list = api.list(&ListParams::default()).await.unwrap();
        times.push(start.elapsed());
        assert_eq!(list.items.len(), FUNCTIONS);
    }
    times.sort();
    let mut selected = Vec::new();
    for _ in 0..LISTS {
        let start = Instant::now();
        let list = api
            .list(&ListParams::default().labels("function in (fn-0001,fn-0500,fn-0999)"))
            .await
            .unwrap();
        selected.push(start.elapsed());
        assert_eq!(list.items.len(), 3);
    }
    selected.sort();
    let per_sec = |n: usize, d: Duration| n as f64 / d.as_secs_f64();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("| measure | result |");
    println!("|---|---|");
    println!(
        "| create, sequential ({} Functions) | {:.0} creates/s ({:.2} ms each) |",
        FUNCTIONS / 2,
        per_sec(FUNCTIONS / 2, sequential),
        ms(sequential) / (FUNCTIONS / 2) as f64
    );
    println!(
        "| create, 16 concurrent ({} Functions) | {:.0} creates/s |",
        FUNCTIONS / 2,
        per_sec(FUNCTIONS / 2, concurrent)
    );
    println!(
        "| list all {FUNCTIONS} Functions (decoded by kube) | p50 {:.1} ms, p95 {:.1} ms ({:.0} lists/s) |",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.95)),
        1000.0 / ms(percentile(&times, 0.5))
    );
    println!(
        "| list with a label selector (3 of {FUNCTIONS}) | p50 {:.2} ms, p95 {:.2} ms |",
        ms(percentile(&selected, 0.5)),
        ms(percentile(&selected, 0.95))
    );
}
