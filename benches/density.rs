//! Density on the local engine: how many deployed functions one machine holds, and what listing
//! and calling them costs as their number grows. Deploys Python and Node.js hello functions
//! (alternating) in steps (100, 300, 1,000 by default), and at each step, once every replica is
//! ready and idle, reports:
//! - memory: the private memory (Private_Clean + Private_Dirty of /proc/PID/smaps_rollup) of the
//!   engine and of every process under it (replica runtimes and their language workers), and the
//!   machine's used memory (MemTotal − MemAvailable) above what it was before the engine started;
//! - `kfn function list` in the functions' namespace, as a whole process (median of 20);
//! - a call to a random one of them through the engine's service proxy (HTTPS, as
//!   `kfn function call` sends it; median and p95 of 300 calls).
//!
//! Then every function is set to scale to zero after 5 s and, once all are at zero, the same
//! memory figures and the first answer from zero of a few of them.
//!
//! Run: `cargo bench --bench density` (release binary, a temporary KFN_HOME; prints Markdown).
//! Options after `--`: `--steps 100,300,1000`, `--kfn PATH` (another kfn binary, e.g. an older
//! build to compare side by side), `--no-zero` (skip the scale-to-zero step).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::{Value, json};

const LIST_RUNS: usize = 20;
const CALLS: usize = 300;
/// Creates in flight at once.
const IN_FLIGHT: usize = 16;
const NAMESPACE: &str = "default";

struct Options {
    steps: Vec<usize>,
    kfn: PathBuf,
    zero: bool,
}

fn options() -> Options {
    let mut o = Options {
        steps: vec![100, 300, 1000],
        kfn: PathBuf::from(env!("CARGO_BIN_EXE_kfn")),
        zero: true,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--steps" => {
                let v = args.next().expect("--steps takes a list such as 100,300,1000");
                o.steps = v
                    .split(',')
                    .map(|s| s.parse().expect("--steps: numbers separated by commas"))
                    .collect();
            }
            "--kfn" => o.kfn = PathBuf::from(args.next().expect("--kfn takes a path")),
            "--no-zero" => o.zero = false,
            "--bench" => {}
            other => panic!("unknown option {other:?} (accepted: --steps, --kfn, --no-zero)"),
        }
    }
    o
}

fn kfn(bin: &Path, home: &Path, args: &[&str]) -> std::process::Output {
    let out = Command::new(bin)
        .args(args)
        .env("KFN_HOME", home.join("state"))
        .output()
        .expect("kfn runs");
    assert!(
        out.status.success(),
        "kfn {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// A `/proc/meminfo` field in KiB.
fn meminfo(field: &str) -> u64 {
    let text = std::fs::read_to_string("/proc/meminfo").unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn used_kib() -> u64 {
    meminfo("MemTotal") - meminfo("MemAvailable")
}

/// Private memory of one process in KiB (0 when it is gone).
fn private_kib(pid: u32) -> u64 {
    let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
        return 0;
    };
    text.lines()
        .filter(|l| l.starts_with("Private_Clean:") || l.starts_with("Private_Dirty:"))
        .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        .sum()
}

/// Every process's parent, from /proc.
fn parents() -> HashMap<u32, u32> {
    let mut map = HashMap::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // The command may hold spaces and parentheses: the fields after its last ')'.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
            continue;
        };
        if let Some(ppid) = rest.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
            map.insert(pid, ppid);
        }
    }
    map
}

/// What the engine and the processes under it hold.
struct Tree {
    /// The engine's private KiB.
    engine: u64,
    /// The private KiB and the count of the processes under it, by kind: `kfn` (replica
    /// runtimes), `python`, `node`, `other`.
    by_kind: HashMap<&'static str, (u64, usize)>,
}

fn tree_memory(engine: u32) -> Tree {
    let parents = parents();
    let under = |mut pid: u32| {
        while let Some(&p) = parents.get(&pid) {
            if p == engine {
                return true;
            }
            if p <= 1 {
                return false;
            }
            pid = p;
        }
        false
    };
    let descendants: Vec<u32> = parents.keys().copied().filter(|p| under(*p)).collect();
    let mut tree = Tree {
        engine: private_kib(engine),
        by_kind: HashMap::new(),
    };
    for pid in descendants {
        let kib = private_kib(pid);
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        let kind = match comm.trim() {
            c if c.starts_with("python") => "python",
            c if c.starts_with("node") => "node",
            c if c.starts_with("kfn") => "kfn",
            _ => "other",
        };
        let e = tree.by_kind.entry(kind).or_default();
        e.0 += kib;
        e.1 += 1;
    }
    tree
}

impl Tree {
    /// The private KiB of every process under the engine.
    fn rest(&self) -> u64 {
        self.by_kind.values().map(|(kib, _)| kib).sum()
    }

    /// How many processes are under the engine.
    fn processes(&self) -> usize {
        self.by_kind.values().map(|(_, n)| n).sum()
    }

    /// The mean private memory of one process of `kind`.
    fn mean(&self, kind: &str) -> String {
        match self.by_kind.get(kind) {
            Some(&(kib, n)) => mib(kib / n as u64),
            _ => "—".into(),
        }
    }
}

/// The engine's pid, from the `engine.json` it writes in its state directory.
fn engine_pid(home: &Path) -> u32 {
    let text = std::fs::read_to_string(home.join("state").join("engine.json")).expect("the engine writes engine.json");
    let info: Value = serde_json::from_str(&text).expect("engine.json is JSON");
    info["pid"].as_u64().expect("engine.json has the pid") as u32
}

/// A random index below `n` (xorshift; the calls only need to spread over the functions).
fn pick(state: &mut u64, n: usize) -> usize {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    (*state % n as u64) as usize
}

async fn call(client: &kube::Client, name: &str) -> (u16, Duration) {
    let req = http::Request::post(format!(
        "/api/v1/namespaces/{NAMESPACE}/services/{name}:http-function-port/proxy/"
    ))
    .header("content-type", "application/json")
    .body(br#"{"x":1}"#.to_vec())
    .unwrap();
    let start = Instant::now();
    // A call not answered in 30 s counts as not answered (status 0), as one refused does.
    let status = match tokio::time::timeout(Duration::from_secs(30), client.send(req.map(Into::into)))
        .await
        .unwrap_or_else(|_| Err(kube::Error::Service("no answer in 30 s".into())))
    {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let _ = http_body_util::BodyExt::collect(resp.into_body()).await;
            status
        }
        Err(_) => 0,
    };
    (status, start.elapsed())
}

/// Waits until `n` Deployments have a ready replica each (or, with `zero`, none has a replica).
async fn settle(client: &kube::Client, n: usize, zero: bool) -> Duration {
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), NAMESPACE);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(1800);
    loop {
        let list = deployments.list(&ListParams::default()).await.unwrap();
        let done = if zero {
            list.items
                .iter()
                .filter(|d| d.spec.replicas == Some(0))
                .filter(|d| d.status.as_ref().and_then(|s| s.replicas).unwrap_or(0) == 0)
                .count()
        } else {
            list.items
                .iter()
                .filter(|d| d.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0) >= 1)
                .count()
        };
        if done >= n {
            return start.elapsed();
        }
        assert!(
            Instant::now() < deadline,
            "only {done} of {n} functions settled in 30 minutes"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn name(i: usize) -> String {
    format!("f{i:04}")
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let o = options();
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
    let file = |f: &str| dir.join(f).to_string_lossy().into_owned();
    // The Function objects as `kfn function deploy` builds them, one per language.
    let template = |runtime: &str, source: &str| -> Value {
        let out = kfn(
            &o.kfn,
            dir,
            &[
                "function",
                "deploy",
                "template",
                "--runtime",
                runtime,
                "--handler",
                "hello.hello",
                "--from-file",
                &file(source),
                "--dryrun",
                "-o",
                "json",
            ],
        );
        serde_json::from_slice(&out.stdout).expect("--dryrun -o json prints the Function")
    };
    let templates = [template("python3.11", "hello.py"), template("nodejs20", "hello.js")];

    let before = used_kib();
    kfn(&o.kfn, dir, &["local", "start"]);
    let engine = engine_pid(dir);
    let kubeconfig = Kubeconfig::read_from(dir.join("state").join("kubeconfig")).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(config).unwrap();
    let gvk = GroupVersionKind::gvk("kubeless.io", "v1beta1", "Function");
    let functions: Api<DynamicObject> = Api::namespaced_with(client.clone(), NAMESPACE, &ApiResource::from_gvk(&gvk));

    println!(
        "kfn {} on {} cores, {} of memory; load average before: {}",
        o.kfn.display(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        mib(meminfo("MemTotal")),
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim()
    );
    println!();
    println!(
        "| functions | all ready after | engine | replicas (processes) | per function | per runtime / Python worker / Node.js worker | machine memory used | `kfn function list` p50 | call p50 | call p95 | calls not answered 200 | load |"
    );
    println!("|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---|");
    let mut deployed = 0;
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    for &step in &o.steps {
        let started = Instant::now();
        futures::stream::iter(deployed..step)
            .for_each_concurrent(IN_FLIGHT, |i| {
                let functions = functions.clone();
                let mut object = templates[i % 2].clone();
                async move {
                    // What names the function: its name, its label and its Service's selector
                    // (the template's say "template").
                    let name = name(i);
                    object["metadata"]["name"] = json!(name);
                    object["metadata"]["labels"]["function"] = json!(name);
                    object["spec"]["service"]["selector"]["function"] = json!(name);
                    let object: DynamicObject = serde_json::from_value(object).unwrap();
                    functions.create(&PostParams::default(), &object).await.unwrap();
                }
            })
            .await;
        deployed = step;
        settle(&client, step, false).await;
        let ready_after = started.elapsed();
        // Idle: the replicas' start-up work is over.
        tokio::time::sleep(Duration::from_secs(10)).await;
        let tree = tree_memory(engine);
        let (engine_kib, rest_kib, processes) = (tree.engine, tree.rest(), tree.processes());
        let used = used_kib().saturating_sub(before);
        let mut lists: Vec<Duration> = (0..LIST_RUNS)
            .map(|_| {
                let t = Instant::now();
                kfn(&o.kfn, dir, &["function", "list", "-n", NAMESPACE]);
                t.elapsed()
            })
            .collect();
        let mut calls = Vec::with_capacity(CALLS);
        let mut failed = Vec::new();
        for _ in 0..CALLS {
            let i = pick(&mut seed, step);
            let (status, took) = call(&client, &name(i)).await;
            if status == 200 {
                calls.push(took);
            } else {
                failed.push(format!("{}: {status}", name(i)));
            }
        }
        println!(
            "| {step} | {:.1} s | {} | {} ({processes}) | {} | {} / {} / {} | {} | {} | {} | {} | {} | {} |",
            ready_after.as_secs_f64(),
            mib(engine_kib),
            mib(rest_kib),
            mib((engine_kib + rest_kib) / step as u64),
            tree.mean("kfn"),
            tree.mean("python"),
            tree.mean("node"),
            mib(used),
            ms(percentile(&mut lists, 0.5)),
            ms(percentile(&mut calls, 0.5)),
            ms(percentile(&mut calls, 0.95)),
            if failed.is_empty() {
                "none".to_string()
            } else {
                format!(
                    "{} ({})",
                    failed.len(),
                    failed.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
                )
            },
            std::fs::read_to_string("/proc/loadavg")
                .unwrap_or_default()
                .split_whitespace()
                .next()
                .unwrap_or("")
        );
    }

    if o.zero {
        let patch = json!({"spec": {"scaling": {"scaleToZeroAfter": "5s", "proactive": false}}});
        futures::stream::iter(0..deployed)
            .for_each_concurrent(IN_FLIGHT, |i| {
                let functions = functions.clone();
                let patch = patch.clone();
                async move {
                    functions
                        .patch(&name(i), &PatchParams::default(), &Patch::Merge(&patch))
                        .await
                        .unwrap();
                }
            })
            .await;
        let after = settle(&client, deployed, true).await;
        tokio::time::sleep(Duration::from_secs(5)).await;
        let tree = tree_memory(engine);
        let (engine_kib, rest_kib, processes) = (tree.engine, tree.rest(), tree.processes());
        let mut cold = Vec::new();
        for _ in 0..10 {
            let i = pick(&mut seed, deployed);
            let (status, took) = call(&client, &name(i)).await;
            assert_eq!(status, 200, "a call from zero to {}", name(i));
            cold.push(took);
        }
        println!();
        println!("| {deployed} functions scaled to zero | result |");
        println!("|---|---|");
        println!(
            "| all at zero after (scaleToZeroAfter 5 s) | {:.1} s |",
            after.as_secs_f64()
        );
        println!("| engine | {} |", mib(engine_kib));
        println!("| processes under the engine | {processes} ({}) |", mib(rest_kib));
        println!("| machine memory used | {} |", mib(used_kib().saturating_sub(before)));
        println!(
            "| first answer from zero, median of 10 | {} |",
            ms(percentile(&mut cold, 0.5))
        );
    }
    kfn(&o.kfn, dir, &["local", "stop"]);
}
