//! The differential API suite: the request scripts of tests/differential/*.yaml, each sent
//! step by step to a real control plane (kube-apiserver and kube-controller-manager, see
//! tests/it/kube) and to a real local engine, comparing status codes, the `Status` reason and
//! details of errors, and the response fields each step names after normalising what differs
//! between any two servers (uids, timestamps, resourceVersions, generated names, cluster IPs).
//! The real server is the oracle: each step says the code it answers, and a step it answers
//! otherwise is a wrong script. A step marked `differs: <reason>` is a deliberate difference,
//! listed in docs/local-engine.md ("Where the engine differs from a real API server").
//!
//! One control plane and one engine serve every script (started at the first test, stopped
//! when the test process exits); each script runs in a namespace of its own, `{ns}`, which also
//! prefixes the names of the cluster-scoped objects it makes. Run one script with
//! `cargo test --test it differential::NAME` (the file's name, `-` as `_`).

mod run;
mod script;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::common::Engine;
use crate::kube::Cluster;

struct Servers {
    _cluster: Cluster,
    _engine: Engine,
}

static RUNNING: Mutex<Option<Servers>> = Mutex::new(None);

/// The kubeconfigs of the shared control plane and engine, started on first use.
fn kubeconfigs() -> &'static (PathBuf, PathBuf) {
    static PATHS: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    PATHS.get_or_init(|| {
        let (cluster, engine) = std::thread::scope(|s| {
            let cluster = s.spawn(Cluster::start);
            let engine = s.spawn(Engine::start);
            (cluster.join(), engine.join())
        });
        let (cluster, engine) = match (cluster, engine) {
            (Ok(c), Ok(e)) => (c, e),
            (Err(p), _) | (_, Err(p)) => std::panic::resume_unwind(p),
        };
        install_kubeless_crds(&cluster);
        let paths = (cluster.kubeconfig().to_path_buf(), engine.kubeconfig());
        *RUNNING.lock().unwrap_or_else(|e| e.into_inner()) = Some(Servers {
            _cluster: cluster,
            _engine: engine,
        });
        // SAFETY: registers a plain function to run at exit.
        unsafe { libc::atexit(stop_servers) };
        paths
    })
}

extern "C" fn stop_servers() {
    let servers = RUNNING.lock().unwrap_or_else(|e| e.into_inner()).take();
    drop(servers);
}

/// The kubeless.io CRDs as `kfn install` makes them, which the engine has from its first start.
fn install_kubeless_crds(cluster: &Cluster) {
    let run = cluster.kfn(&["install", "--dry-run", "-o", "json"]);
    crate::common::ok(&run, "kfn install --dry-run -o json");
    let list: serde_json::Value = serde_json::from_str(&run.stdout).expect("kfn install prints a List");
    let crds: Vec<_> = list["items"]
        .as_array()
        .expect("a List")
        .iter()
        .filter(|o| o["kind"] == "CustomResourceDefinition")
        .cloned()
        .collect();
    let crds = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": crds});
    let run = cluster.kubectl_stdin(&["create", "-f", "-"], Some(&crds.to_string()));
    crate::common::ok(&run, "kubectl create of the kubeless.io CRDs");
    crate::kube::crds_established(cluster);
}

async fn client(kubeconfig: &Path) -> kube::Client {
    client_as(kubeconfig, None).await
}

/// A client of the kubeconfig's server; with `token`, authenticated by that bearer token alone
/// (the kubeconfig's own credentials, a client certificate say, left out).
pub(super) async fn client_as(kubeconfig: &Path, token: Option<&str>) -> kube::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut kc = Kubeconfig::read_from(kubeconfig).expect("a kubeconfig");
    if let Some(token) = token {
        let mut value = serde_json::to_value(&kc).expect("a kubeconfig serialises");
        for user in value["users"].as_array_mut().into_iter().flatten() {
            user["user"] = serde_json::json!({"token": token});
        }
        kc = serde_json::from_value(value).expect("a kubeconfig with a token");
    }
    let mut config = kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .expect("a client configuration");
    // Each answer as it is: no retries of 429, 503 and 504.
    config.default_retry = false;
    kube::Client::try_from(config).expect("a client")
}

fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential")
}

/// Runs tests/differential/`name`.yaml on both servers; fails listing every step whose answers
/// differ (script, step, both answers).
fn check(name: &str) {
    let path = scripts_dir().join(format!("{name}.yaml"));
    let script = script::Script::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let (real_kc, engine_kc) = kubeconfigs();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let (failures, differences) = rt.block_on(async {
        let suffix: String = uuid::Uuid::new_v4().simple().to_string()[..5].to_string();
        let ns = format!("{name}-{suffix}");
        let mut real = run::Server::new("real", client(real_kc).await, real_kc, &ns);
        let mut engine = run::Server::new("engine", client(engine_kc).await, engine_kc, &ns);
        for server in [&mut real, &mut engine] {
            let create = script::Step {
                name: "namespace".into(),
                method: "POST".into(),
                path: "/api/v1/namespaces".into(),
                body: Some(serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})),
                code: 201,
                ..Default::default()
            };
            let answer = server
                .run(&create)
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", server.label));
            assert_eq!(
                answer.code,
                201,
                "{}: creating namespace {ns}: {}",
                server.label,
                run::one_line(&answer)
            );
        }
        // Pods need the namespace's `default` ServiceAccount on the real server; its controller
        // makes it within a moment.
        let sa = script::Step {
            name: "default ServiceAccount".into(),
            method: "GET".into(),
            path: format!("/api/v1/namespaces/{ns}/serviceaccounts/default"),
            code: 200,
            until: Some(serde_json::from_value(serde_json::json!({"code": 200})).unwrap()),
            ..Default::default()
        };
        real.run(&sa).await.unwrap_or_else(|e| panic!("real: {e}"));
        run::run_script(name, &script, &mut real, &mut engine).await
    });
    eprintln!(
        "differential {name}: {} steps in {:.1} s, {} failing, {} deliberate differences",
        script.steps.len(),
        started.elapsed().as_secs_f64(),
        failures.len(),
        differences.len()
    );
    for d in &differences {
        eprintln!("{d}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} steps of {name} ({}) differ from the real API server:\n\n{}\n",
        failures.len(),
        script.steps.len(),
        script.about,
        failures.join("\n\n")
    );
}

macro_rules! scripts {
    ($($test:ident => $file:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                check($file);
            }
        )*

        const SCRIPTS: &[&str] = &[$($file),*];
    };
}

scripts! {
    accept => "accept",
    apply => "apply",
    auth => "auth",
    rbac => "rbac",
    controllers => "controllers",
    crd => "crd",
    crud => "crud",
    defaulting => "defaulting",
    events => "events",
    gc => "gc",
    lifecycle => "lifecycle",
    list => "list",
    openapi => "openapi",
    patch => "patch",
    paths => "paths",
    protobuf => "protobuf",
    quota => "quota",
    query => "query",
    validation => "validation",
    watch => "watch",
}

/// Every script in tests/differential has a test above, and parses.
#[test]
fn every_script_has_a_test_and_parses() {
    let mut files: Vec<String> = std::fs::read_dir(scripts_dir())
        .expect("tests/differential")
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.strip_suffix(".yaml").map(String::from))
        .collect();
    files.sort();
    let mut listed: Vec<String> = SCRIPTS.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(
        files, listed,
        "tests/differential/*.yaml and the scripts! list in differential/mod.rs"
    );
    for f in &files {
        script::Script::load(&scripts_dir().join(format!("{f}.yaml"))).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// Each deliberate difference a script names is listed in docs/local-engine.md.
#[test]
fn every_deliberate_difference_is_documented() {
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/local-engine.md")).unwrap();
    let section = docs
        .split("## Where the engine differs from a real API server")
        .nth(1)
        .expect("docs/local-engine.md has the section")
        .split("\n## ")
        .next()
        .unwrap()
        .to_lowercase();
    for f in SCRIPTS {
        let script = script::Script::load(&scripts_dir().join(format!("{f}.yaml"))).unwrap();
        for step in &script.steps {
            if let Some(why) = &step.differs {
                assert!(
                    section.contains(&why.to_lowercase()),
                    "{f}: step {:?} differs because {why:?}, which the section of docs/local-engine.md does not say",
                    step.name
                );
            }
        }
    }
}

/// The scripts together cover every numbered item of issue 13 and the everyday verbs.
#[test]
fn the_scripts_cover_every_item() {
    let mut covered = std::collections::BTreeSet::new();
    for f in SCRIPTS {
        let script = script::Script::load(&scripts_dir().join(format!("{f}.yaml"))).unwrap();
        covered.extend(script.covers.iter().map(|c| match c {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }));
    }
    let wanted = (1..=15).map(|n| n.to_string()).chain(
        [
            "crud",
            "list",
            "watch",
            "paging",
            "patch",
            "apply",
            "finalizers",
            "gc",
            "crd",
            "subresources",
            "dryRun",
            "fieldValidation",
            "protobuf",
            "openapi",
            "auth",
            "defaulting",
            "paths",
            "query",
            "accept",
        ]
        .map(String::from),
    );
    let missing: Vec<String> = wanted.filter(|w| !covered.contains(w)).collect();
    assert!(missing.is_empty(), "no script covers {missing:?}");
}
