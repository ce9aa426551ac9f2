//! Scale to zero on the local engine: the first answer from zero (a call to a function with no
//! replica, held by the activator while one starts), next to a warm call, for a Python hello,
//! a Node.js hello and a Python function whose requirements.txt is already installed; and 20
//! concurrent calls to a function at zero.
//!
//! Run: `cargo bench --bench zero` (release binary, a temporary KFN_HOME, calls over HTTPS
//! through the engine's service proxy as `kfn function call` sends them; prints Markdown).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::json;

const RUNS: usize = 15;
const CONCURRENT: usize = 20;

fn kfn(home: &Path, args: &[&str]) {
    let status = Command::new(env!("CARGO_BIN_EXE_kfn"))
        .args(args)
        .env("KFN_HOME", home.join("state"))
        .env("KFN_IDLE_SYNC_PERIOD", "200ms")
        .status()
        .expect("kfn runs");
    assert!(status.success(), "kfn {args:?} failed");
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// One call through the service proxy; its status and how long it took.
async fn call(client: &kube::Client, name: &str) -> (u16, Duration) {
    let req = http::Request::post(format!(
        "/api/v1/namespaces/default/services/{name}:http-function-port/proxy/"
    ))
    .header("content-type", "application/json")
    .body(br#"{"x":1}"#.to_vec())
    .unwrap();
    let start = Instant::now();
    let status = match client.send(req.map(Into::into)).await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let _ = http_body_util::BodyExt::collect(resp.into_body()).await;
            status
        }
        Err(_) => 0,
    };
    (status, start.elapsed())
}

/// Waits until the function has no replica: its Deployment at 0 and no Pod left.
async fn at_zero(client: &kube::Client, name: &str) {
    let deployments: Api<k8s_openapi::api::apps::v1::Deployment> = Api::namespaced(client.clone(), "default");
    let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::namespaced(client.clone(), "default");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let replicas = deployments
            .get_opt(name)
            .await
            .ok()
            .flatten()
            .and_then(|d| d.spec.replicas);
        let lp = kube::api::ListParams::default().labels(&format!("function={name}"));
        let left = pods.list(&lp).await.map(|l| l.items.len()).unwrap_or(1);
        if replicas == Some(0) && left == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "{name} did not scale to zero");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    std::fs::write(
        dir.join("hello.py"),
        "def hello(event, context):\n    return event['data']\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("hello.js"),
        "module.exports = { hello: (event, context) => event.data };\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("deps.py"),
        "import six\n\ndef hello(event, context):\n    return six.text_type(event['data'])\n",
    )
    .unwrap();
    std::fs::write(dir.join("requirements.txt"), "six\n").unwrap();
    let file = |f: &str| dir.join(f).to_string_lossy().into_owned();

    kfn(dir, &["local", "start"]);
    let functions: [(&str, Vec<String>); 3] = [
        (
            "python hello",
            ["--runtime", "python3.11", "--handler", "hello.hello", "--from-file"]
                .map(String::from)
                .into_iter()
                .chain([file("hello.py")])
                .collect(),
        ),
        (
            "node.js hello",
            ["--runtime", "nodejs20", "--handler", "hello.hello", "--from-file"]
                .map(String::from)
                .into_iter()
                .chain([file("hello.js")])
                .collect(),
        ),
        (
            "python, requirements.txt installed",
            ["--runtime", "python3.11", "--handler", "deps.hello", "--from-file"]
                .map(String::from)
                .into_iter()
                .chain([file("deps.py"), "--dependencies".into(), file("requirements.txt")])
                .collect(),
        ),
    ];
    let kubeconfig = Kubeconfig::read_from(dir.join("state").join("kubeconfig")).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(config).unwrap();
    let gvk = GroupVersionKind::gvk("kubeless.io", "v1beta1", "Function");
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &ApiResource::from_gvk(&gvk));

    println!("| function ({RUNS} calls each) | warm call, median | first answer from zero, median | min | max |");
    println!("|---|---|---|---|---|");
    for (i, (what, flags)) in functions.iter().enumerate() {
        let name = format!("f{i}");
        let mut args = vec!["function", "deploy", name.as_str(), "--wait"];
        args.extend(flags.iter().map(String::as_str));
        kfn(dir, &args);
        let warm: Vec<Duration> = {
            let mut v = Vec::new();
            for _ in 0..RUNS {
                let (status, took) = call(&client, &name).await;
                assert_eq!(status, 200, "{what}: a warm call");
                v.push(took);
            }
            v
        };
        let patch = json!({"spec": {"scaling": {"scaleToZeroAfter": "1s", "proactive": false}}});
        api.patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .unwrap();
        let mut cold = Vec::new();
        for _ in 0..RUNS {
            at_zero(&client, &name).await;
            let (status, took) = call(&client, &name).await;
            assert_eq!(status, 200, "{what}: a call from zero");
            cold.push(took);
        }
        let (lo, hi) = (*cold.iter().min().unwrap(), *cold.iter().max().unwrap());
        println!(
            "| {what} | {} | {} | {} | {} |",
            ms(median(warm)),
            ms(median(cold)),
            ms(lo),
            ms(hi)
        );
    }

    // 20 calls at once to a function at zero: all answered, none refused.
    at_zero(&client, "f0").await;
    let start = Instant::now();
    let calls: Vec<_> = (0..CONCURRENT)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { call(&client, "f0").await })
        })
        .collect();
    let mut answered = 0;
    let mut slowest = Duration::ZERO;
    for c in calls {
        let (status, took) = c.await.unwrap();
        answered += usize::from(status == 200);
        slowest = slowest.max(took);
    }
    let all = start.elapsed();
    println!();
    println!("| {CONCURRENT} concurrent calls to a Python hello at zero | result |");
    println!("|---|---|");
    println!("| answered 200 | {answered} of {CONCURRENT} |");
    println!("| slowest call | {} |", ms(slowest));
    println!("| all answered after | {} |", ms(all));
    kfn(dir, &["local", "stop"]);
}
