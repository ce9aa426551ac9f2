//! The local engine's store over HTTPS: creates/s and lists/s of 1,000 Functions; then lists
//! at 5,000 Functions (unpaged, paged, one page) and `kfn function ls` at 5,000 as a whole
//! process, with `kubectl get functions` at the same 5,000 as the anchor.
//!
//! Run: `cargo bench --bench store` (starts a release `kfn local serve --no-run` in a temporary
//! KFN_HOME, drives it with the kube crate as kfn does, prints Markdown tables). With
//! `KFN_BENCH_BEFORE=/path/to/an/older/kfn`, the 5,000 section also runs that binary (as engine
//! and as CLI) side by side. `KFN_BENCH_KUBECTL` names the kubectl (default: `kubectl`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::json;

const FUNCTIONS: usize = 1000;
const LISTS: usize = 50;
/// The Functions (each with its Deployment) of the scale section.
const AT_SCALE: usize = 5000;
/// A page of the scale section, as kubectl's default `--chunk-size`.
const PAGE: usize = 500;
/// Runs of each measure of the scale section.
const RUNS: usize = 20;

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
    println!("Machine load before: {}\n", load());
    let home = tempfile::tempdir().unwrap();
    let (_engine, client) = start(Path::new(env!("CARGO_BIN_EXE_kfn")), home.path()).await;
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
    drop(_engine);

    let mut kfns = vec![("this build".to_string(), PathBuf::from(env!("CARGO_BIN_EXE_kfn")))];
    if let Ok(before) = std::env::var("KFN_BENCH_BEFORE") {
        kfns.insert(0, (format!("before (`{before}`)"), PathBuf::from(before)));
    }
    let kubectl = std::env::var("KFN_BENCH_KUBECTL").unwrap_or_else(|_| "kubectl".into());
    let mut columns = Vec::new();
    for (label, kfn) in &kfns {
        columns.push((label.clone(), at_scale(kfn, &kubectl).await));
    }
    println!();
    println!(
        "At {AT_SCALE} Functions (and their {AT_SCALE} Deployments) in one namespace; p50 of {RUNS} runs (min):\n"
    );
    let header: Vec<&str> = columns.iter().map(|(l, _)| l.as_str()).collect();
    println!("| measure | {} |", header.join(" | "));
    println!("|---|{}", "---|".repeat(columns.len()));
    for (i, (measure, _)) in columns[0].1.iter().enumerate() {
        let cells: Vec<&str> = columns.iter().map(|(_, rows)| rows[i].1.as_str()).collect();
        println!("| {measure} | {} |", cells.join(" | "));
    }
    println!("\nMachine load after: {}", load());
}

/// The machine's load averages (1, 5 and 15 minutes), as `uptime` prints them.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Starts `kfn local serve --no-run` (the control plane alone) of the binary `kfn` in
/// `home`/state, and a client of it.
async fn start(kfn: &Path, home: &Path) -> (Engine, kube::Client) {
    let state = home.join("state");
    let engine = Engine(
        Command::new(kfn)
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
    (engine, kube::Client::try_from(config).unwrap())
}

/// `p50 (min)` of some times, in milliseconds.
fn p50(mut times: Vec<Duration>) -> String {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!("{:.1} ms ({:.1})", ms(percentile(&times, 0.5)), ms(times[0]))
}

/// A GET of the engine's, the body as received (not decoded): what the server costs.
async fn get(client: &kube::Client, path: &str) -> String {
    let request = http::Request::get(path).body(Vec::new()).unwrap();
    client.request_text(request).await.unwrap()
}

/// Times `command` run to its end `RUNS` times (after one run not counted).
fn whole_process(mut command: impl FnMut() -> Command) -> Vec<Duration> {
    let run = |command: &mut Command| {
        let start = Instant::now();
        let out = command.stdout(Stdio::null()).stderr(Stdio::piped()).output().unwrap();
        assert!(
            out.status.success(),
            "{command:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        start.elapsed()
    };
    run(&mut command());
    (0..RUNS).map(|_| run(&mut command())).collect()
}

/// The scale section for the binary `kfn` (as engine and as CLI): its rows, `(measure, figure)`.
async fn at_scale(kfn: &Path, kubectl: &str) -> Vec<(String, String)> {
    let home = tempfile::tempdir().unwrap();
    let (_engine, client) = start(kfn, home.path()).await;
    let functions: Api<DynamicObject> = Api::namespaced_with(
        client.clone(),
        "default",
        &ApiResource::from_gvk(&GroupVersionKind::gvk("kubeless.io", "v1beta1", "Function")),
    );
    let deployments: Api<DynamicObject> = Api::namespaced_with(
        client.clone(),
        "default",
        &ApiResource::from_gvk(&GroupVersionKind::gvk("apps", "v1", "Deployment")),
    );
    // Each Function with the Deployment the engine's reconciler would keep for it.
    let mut tasks = Vec::new();
    for w in 0..16 {
        let (functions, deployments) = (functions.clone(), deployments.clone());
        tasks.push(tokio::spawn(async move {
            for i in (w..AT_SCALE).step_by(16) {
                let created = functions
                    .create(&PostParams::default(), &function(&format!("fn-{i:04}")))
                    .await
                    .unwrap();
                let typed = kfn::api::kinds::Function::from_object(&serde_json::to_value(&created).unwrap()).unwrap();
                let deployment: DynamicObject = serde_json::from_value(kfn::render::deployment(&typed, 1)).unwrap();
                deployments.create(&PostParams::default(), &deployment).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let base = "/apis/kubeless.io/v1beta1/namespaces/default/functions";
    let client = &client;
    let mut rows = Vec::new();

    let unpaged: Vec<Duration> = futures_times(RUNS, move || async move {
        let text = get(client, base).await;
        assert!(text.len() > AT_SCALE * 500);
    })
    .await;
    rows.push((
        "unpaged list (server: the body received, not decoded)".to_string(),
        p50(unpaged),
    ));

    let first: serde_json::Value = serde_json::from_str(&get(client, &format!("{base}?limit={PAGE}")).await).unwrap();
    let remaining = first["metadata"]["remainingItemCount"].clone();
    let paged: Vec<Duration> = futures_times(RUNS, move || async move {
        let mut token = String::new();
        let mut items = 0;
        loop {
            let path = if token.is_empty() {
                format!("{base}?limit={PAGE}")
            } else {
                format!("{base}?limit={PAGE}&continue={token}")
            };
            // As the unpaged list: the items are counted, not decoded.
            let page: PageHead = serde_json::from_str(&get(client, &path).await).unwrap();
            items += page.items.len();
            match page.metadata.continue_token {
                Some(t) if !t.is_empty() => token = t,
                _ => break,
            }
        }
        assert_eq!(items, AT_SCALE);
    })
    .await;
    rows.push((
        format!(
            "paged list, all {} pages of {PAGE} (bodies received, items counted, not decoded)",
            AT_SCALE / PAGE
        ),
        p50(paged),
    ));

    let one: Vec<Duration> = futures_times(RUNS, move || async move {
        get(client, &format!("{base}?limit={PAGE}")).await;
    })
    .await;
    rows.push((format!("first page of {PAGE}"), p50(one)));

    // The last page of the first page's snapshot, after 200 changes since it.
    let mut token = first["metadata"]["continue"].as_str().unwrap().to_string();
    for _ in 0..AT_SCALE / PAGE - 2 {
        let page: serde_json::Value =
            serde_json::from_str(&get(client, &format!("{base}?limit={PAGE}&continue={token}")).await).unwrap();
        token = page["metadata"]["continue"].as_str().unwrap().to_string();
    }
    for i in 0..200 {
        let patch = serde_json::json!({"metadata": {"labels": {"changed": "yes"}}});
        functions
            .patch(
                &format!("fn-{:04}", i * 25),
                &kube::api::PatchParams::default(),
                &kube::api::Patch::Merge(&patch),
            )
            .await
            .unwrap();
    }
    let token = &token;
    let last: Vec<Duration> = futures_times(RUNS, move || async move {
        let page: serde_json::Value =
            serde_json::from_str(&get(client, &format!("{base}?limit={PAGE}&continue={token}")).await).unwrap();
        assert_eq!(page["items"].as_array().unwrap().len(), PAGE);
        assert_eq!(
            page["items"][0]["metadata"]["labels"].get("changed"),
            None,
            "as at the snapshot"
        );
    })
    .await;
    rows.push((format!("last page of {PAGE}, of a snapshot 200 changes old"), p50(last)));
    rows.push((
        format!("`remainingItemCount` of the first page of {PAGE}"),
        remaining.to_string(),
    ));

    let state = home.path().join("state");
    let ls = whole_process(|| {
        let mut c = Command::new(kfn);
        c.args(["function", "ls"])
            .env("KFN_HOME", &state)
            .env("HOME", home.path())
            .env_remove("KUBECONFIG");
        c
    });
    rows.push((format!("`kfn function ls` ({AT_SCALE}, whole process)"), p50(ls)));
    let kubeconfig = state.join("kubeconfig");
    for scope in ["-A", "-n=default"] {
        let get = whole_process(|| {
            let mut c = Command::new(kubectl);
            c.args(["get", "functions.kubeless.io", scope, "--kubeconfig"])
                .arg(&kubeconfig)
                .env("HOME", home.path());
            c
        });
        rows.push((
            format!("anchor: `kubectl get functions {scope}` (whole process, chunks of 500)"),
            p50(get),
        ));
    }
    rows
}

/// What the paged list reads of a page: its continue token, and how many items it holds.
#[derive(serde::Deserialize)]
struct PageHead {
    metadata: PageMeta,
    items: Vec<serde::de::IgnoredAny>,
}

#[derive(serde::Deserialize)]
struct PageMeta {
    #[serde(rename = "continue")]
    continue_token: Option<String>,
}

/// Times `RUNS` awaits of what `f` makes (after one not counted).
async fn futures_times<F, Fut>(runs: usize, f: F) -> Vec<Duration>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    f().await;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        f().await;
        times.push(start.elapsed());
    }
    times
}
