//! The local engine: a Kubernetes API server on loopback with objects kept in SQLite.

pub mod activator;
pub mod apiserver;
pub mod auth;
pub mod autoscaler;
pub mod connection;
pub mod controllers;
pub mod cron;
pub mod flows;
pub mod gateway;
#[cfg(test)]
mod layers;
pub mod messaging;
pub mod names;
pub mod objects;
pub mod probe;
pub mod reconciler;
pub mod replicas;
pub mod resources;
pub mod store;
pub mod tls;

pub use crate::local::{ServeOptions, state};

use std::os::fd::AsRawFd;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use serde_json::json;

use apiserver::ApiServer;
use names::CRD_RESOURCE;
use objects::Objects;
use replicas::Replicas;
use state::{EngineInfo, StateDir};
use store::Store;

/// Holds the state directory's lock for as long as the engine runs, so two engines never share
/// one state directory.
pub struct StateLock(#[allow(dead_code)] std::fs::File);

pub fn lock_state(state: &StateDir) -> Result<StateLock> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(state.lock_file())
        .with_context(|| format!("cannot open {}", state.lock_file().display()))?;
    // SAFETY: flock on a file descriptor we own; no memory is shared.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc != 0 {
        let who = state
            .read_info()
            .map(|i| format!(" (pid {}, {})", i.pid, i.url()))
            .unwrap_or_default();
        bail!(
            "another local engine is already running with the state directory {}{who}",
            state.root.display()
        );
    }
    Ok(StateLock(file))
}

/// Opens the store and fills what a fresh engine has: the `default` namespace and the
/// kubeless.io CRDs.
pub fn open(state: &StateDir) -> Result<Arc<Objects>> {
    state.ensure()?;
    let store = Store::open(&state.db())?;
    // Stores made before the engine set its umask: every Secret is in there.
    for suffix in ["", "-wal", "-shm"] {
        let mut path = state.db().into_os_string();
        path.push(suffix);
        let _ = std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600));
    }
    let objects = Objects::new(store);
    bootstrap(&objects)?;
    Ok(objects)
}

fn bootstrap(objects: &Objects) -> Result<()> {
    let registry = objects.registry();
    let crd_def = registry
        .find("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        .expect("built in");
    for crd in crate::api::crd::all() {
        let name = crd["metadata"]["name"].as_str().unwrap_or_default().to_string();
        if objects.store.get(&store::Key::new(CRD_RESOURCE, "", &name)).is_none() {
            objects::create_object(objects, &crd_def, None, crd, false)
                .map_err(|e| anyhow::anyhow!("cannot create the CRD {name}: {}", e.message))?;
        }
    }
    auth::bootstrap::ensure(objects)
        .map_err(|e| anyhow::anyhow!("cannot store the bootstrap RBAC policy: {}", e.message))?;
    let ns_def = objects.registry().find("", "v1", "namespaces").expect("built in");
    for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        if objects
            .store
            .get(&store::Key::new(&ns_def.store_key(), "", ns))
            .is_none()
        {
            let obj = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
            objects::create_object(objects, &ns_def, None, obj, false)
                .map_err(|e| anyhow::anyhow!("cannot create the namespace {ns}: {}", e.message))?;
        }
    }
    Ok(())
}

/// Runs the engine in the foreground until SIGINT or SIGTERM.
pub async fn serve(state: &StateDir, options: ServeOptions) -> Result<()> {
    harden_process();
    #[cfg(feature = "deadlock-check")]
    watch_for_deadlocks();
    state.ensure()?;
    let _lock = lock_state(state)?;
    let objects = open(state)?;
    let replicas = Arc::new(Replicas::new(objects.clone()));
    let logs = state.root.join(names::LOGS);
    let auth = auth::Auth::new(state.token()?, &state.signing_key()?);
    let server = ApiServer::new(objects.clone(), replicas.clone(), auth, logs.clone());
    let listener = bind(state, options.port).await?;
    let address = listener.local_addr()?.to_string();
    let certs = tls::ensure(state)?;
    objects.publish_root_ca(&certs.ca);
    let acceptor = tokio_rustls::TlsAcceptor::from(tls::server_config(&certs)?);
    state.save_port(listener.local_addr()?.port())?;
    state.write_kubeconfig(&address, &state.token()?, &certs.ca)?;
    let gateway = if options.no_run {
        None
    } else {
        let listener = bind_saved(state, "gateway-port").await?;
        let addr = listener.local_addr()?.to_string();
        gateway::start(objects.clone(), replicas.clone(), listener);
        Some(addr)
    };
    let info = EngineInfo {
        pid: std::process::id(),
        address: address.clone(),
        started: crate::api::now(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        gateway,
    };
    state.write_info(&info)?;
    tracing::info!(
        "kfn local engine listening on https://{address} (state in {})",
        state.root.display()
    );
    let mut messaging = None;
    if !options.no_run {
        controllers::start(objects.clone());
        reconciler::start(objects.clone(), replicas.clone(), state.root.clone(), logs);
        autoscaler::start(objects.clone(), autoscaler::Options::from_env());
        autoscaler::zero::start(
            objects.clone(),
            replicas.activator(),
            autoscaler::zero::period_from_env(),
        );
        cron::start(objects.clone(), replicas.clone());
        flows::start(objects.clone(), replicas.clone());
        messaging = Some(messaging::start(
            objects.clone(),
            replicas.clone(),
            options.nats.clone(),
            options.kafka.clone(),
        ));
    }
    let router = server.router();
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((tcp, _)) = accepted else { continue };
                let (acceptor, router) = (acceptor.clone(), router.clone());
                tokio::spawn(apiserver::edge::serve(tcp, acceptor, router));
            }
        }
    }
    if let Some(messaging) = messaging {
        messaging.stop().await;
    }
    state.remove_info();
    tracing::info!("kfn local engine stopped");
    Ok(())
}

/// Built with `deadlock-check` (as the tests are): a thread that looks for threads waiting on
/// each other's locks every second, and ends the engine loudly when it finds some, with their
/// backtraces in the engine's log.
#[cfg(feature = "deadlock-check")]
fn watch_for_deadlocks() {
    std::thread::spawn(|| {
        loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
            let deadlocks = parking_lot::deadlock::check_deadlock();
            if deadlocks.is_empty() {
                continue;
            }
            eprintln!("kfn: {} deadlock(s) among the engine's locks", deadlocks.len());
            for (i, threads) in deadlocks.iter().enumerate() {
                for t in threads {
                    eprintln!("deadlock {i}, thread {:?}:\n{:?}", t.thread_id(), t.backtrace());
                }
            }
            std::process::abort();
        }
    });
}

/// What the engine process itself needs before it opens anything: files only its user reads
/// (the database, logs, keys), memory and environment no function can read through /proc, and
/// as many open files as the system lets it have (every connection and replica pipe is one).
fn harden_process() {
    // SAFETY: umask, prctl and rlimit calls on this process only, with stack values.
    unsafe {
        libc::umask(0o077);
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

async fn bind(state: &StateDir, port: Option<u16>) -> Result<tokio::net::TcpListener> {
    if let Some(port) = port {
        return tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .with_context(|| format!("cannot listen on 127.0.0.1:{port} (given with --port)"));
    }
    if let Some(port) = state.saved_port()
        && let Ok(l) = tokio::net::TcpListener::bind(("127.0.0.1", port)).await
    {
        return Ok(l);
    }
    tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .context("cannot listen on a free loopback port")
}

/// Listens on the port remembered in `file` when it is free, else on a free one (remembered).
async fn bind_saved(state: &StateDir, file: &str) -> Result<tokio::net::TcpListener> {
    let path = state.root.join(file);
    if let Some(port) = std::fs::read_to_string(&path)
        .ok()
        .and_then(|p| p.trim().parse::<u16>().ok())
        && let Ok(l) = tokio::net::TcpListener::bind(("127.0.0.1", port)).await
    {
        return Ok(l);
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .context("cannot listen on a free loopback port")?;
    state::write_private(&path, listener.local_addr()?.port().to_string().as_bytes())?;
    Ok(listener)
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("a SIGTERM handler can be installed");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
