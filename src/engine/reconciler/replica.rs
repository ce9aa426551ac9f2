//! The supervision of one replica of a function: a `kfn runtime serve` process on a free
//! loopback port, kept running (restarted with back-off when it exits), ready once its health
//! check answers, its Pod object ([`super::pod`]) kept up to date and its output in the pod's
//! log ([`super::podlog`]).

use std::collections::VecDeque;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::BufReader;
use tokio::sync::{Notify, watch};

use super::artifacts::{Prepared, Problem};
use super::limits::{self, Confinement, Limits};
use super::pod;
use super::podlog::{MAX_LINE, PodLog, SharedLog, next_line};
use super::sandbox::{self, Sandbox};
use super::secrets;
use crate::api::kinds::Function;
use crate::engine::objects::{self, Objects};
use crate::engine::probe;
use crate::engine::replicas::Replicas;
use crate::runtimes::{Language, metrics};

/// Failed health checks in a row that make a ready replica not ready (a kubelet's default
/// `failureThreshold` for a readiness probe).
const FAILURE_THRESHOLD: u32 = 3;

pub struct Handle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Handle {
    /// Stops the process (SIGTERM, then SIGKILL) and removes the pod; waits until done.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

pub struct Spec {
    pub objects: Arc<Objects>,
    /// Where the replica's call key is admitted while it runs.
    pub replicas: Arc<Replicas>,
    pub function: Arc<Function>,
    /// The Function as stored (what Events are about).
    pub object: Value,
    /// The Pod the replica runs (as the ReplicaSet controller made it).
    pub pod: Value,
    pub logs: PathBuf,
    /// The engine's state directory, which replicas must not see.
    pub root: PathBuf,
    /// Tells the function's controller something changed.
    pub changed: Arc<Notify>,
}

/// A listening socket on a free port of 127.0.0.1 (`0`) or on `port`, which the replica's
/// runtime gets as descriptor 3 and serves on: the port stays held from its choice on, instead
/// of being freed for the runtime to bind again (when another process could take it).
fn listen(port: u16) -> std::io::Result<std::net::TcpListener> {
    std::net::TcpListener::bind(("127.0.0.1", port))
}

/// A replica that cannot run: a Pod waiting with the reason, and the reason in its log.
pub fn start_failed(spec: Spec, problem: &Problem) -> Handle {
    let name = spec.pod["metadata"]["name"].as_str().unwrap_or_default().to_string();
    let (stop, mut stopped) = watch::channel(false);
    let objects = spec.objects.clone();
    let message = problem.message.clone();
    let reason = problem.reason;
    let task = tokio::spawn(async move {
        let ns = spec.function.namespace().to_string();
        let pod = pod::object(&spec.pod, 0);
        let status = pod::Status {
            phase: "Pending",
            ready: false,
            restarts: 0,
            state: json!({"waiting": {"reason": reason, "message": message}}),
            last_state: json!({}),
            started: crate::api::now(),
        };
        let pod = pod::with_status(pod, &status);
        pod::write(&objects, &pod);
        objects::record_event(&objects, &pod, "Warning", reason, &message);
        if let Some(log) = PodLog::open(&spec.logs, &ns, &name).await {
            log.lock().await.line(&format!("kfn: {reason}: {message}")).await;
        }
        spec.changed.notify_one();
        let _ = until_stopped(&mut stopped).await;
        pod::delete(&objects, &spec.logs, &ns, &name, spec.pod["metadata"]["uid"].as_str());
    });
    Handle { stop, task }
}

/// Starts a replica: a process supervised until the handle stops it.
pub fn start(spec: Spec, prepared: Prepared) -> Handle {
    let name = spec.pod["metadata"]["name"].as_str().unwrap_or_default().to_string();
    let ready = Arc::new(AtomicBool::new(false));
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(supervise(spec, prepared, name, ready, stopped));
    Handle { stop, task }
}

async fn supervise(
    spec: Spec,
    prepared: Prepared,
    name: String,
    ready: Arc<AtomicBool>,
    mut stopped: watch::Receiver<bool>,
) {
    let objects = spec.objects.clone();
    let ns = spec.function.namespace().to_string();
    let Ok(first) = listen(0) else { return };
    let Ok(port) = first.local_addr().map(|a| a.port()) else {
        return;
    };
    let mut first = Some(first);
    let base = pod::object(&spec.pod, port);
    let started = crate::api::now();
    let log = PodLog::open(&spec.logs, &ns, &name).await;
    if let Some(log) = &log {
        let mut log = log.lock().await;
        for line in prepared.install_log.lines() {
            log.line(&line).await;
        }
    }
    let call_key = random_key();
    // A Secret volume that does not exist (yet) keeps the pod waiting, as a kubelet does.
    let mut reported = String::new();
    let sandbox = loop {
        let why = match sandbox_for(&spec, &prepared, &name) {
            Ok(sandbox) => break sandbox,
            Err(why) => why,
        };
        if why != reported {
            let status = pod::Status {
                phase: "Pending",
                ready: false,
                restarts: 0,
                state: json!({"waiting": {"reason": "ContainerCreating", "message": why}}),
                last_state: json!({}),
                started: started.clone(),
            };
            let pod = pod::with_status(base.clone(), &status);
            pod::write(&objects, &pod);
            objects::record_event(&objects, &pod, "Warning", "FailedMount", &why);
            spec.changed.notify_one();
            reported = why;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            _ = until_stopped(&mut stopped) => {
                let _ = std::fs::remove_dir_all(replica_dir(&spec, &name));
                pod::delete(&objects, &spec.logs, &ns, &name, spec.pod["metadata"]["uid"].as_str());
                spec.changed.notify_one();
                return;
            }
        }
    };
    if let Some(log) = &log {
        let mut log = log.lock().await;
        for note in &sandbox.notes {
            log.line(&format!("kfn: {note}")).await;
        }
    }
    let confinement = Confinement::new(&name, Limits::of(&spec.pod));
    if let Some(log) = &log {
        for note in confinement.notes() {
            log.lock().await.line(&note).await;
        }
    }
    spec.replicas.admit(port, &call_key);
    let mut restarts = 0u32;
    let mut last_state = json!({});
    let mut backoff = Duration::from_secs(1);
    loop {
        let mut failed_probes = 0u32;
        let mut status = pod::Status {
            phase: "Running",
            ready: false,
            restarts,
            state: json!({"running": {"startedAt": crate::api::now()}}),
            last_state: last_state.clone(),
            started: started.clone(),
        };
        // A restart binds the replica's port again (freed when the last runtime ended); if
        // that fails the runtime tries itself and says why it cannot listen.
        let listener = first.take().map_or_else(|| listen(port).ok(), Some);
        let spawned = command(
            &spec,
            &prepared,
            port,
            (&sandbox, &confinement),
            &call_key,
            listener.as_ref(),
        )
        .spawn();
        // The runtime holds the socket now; the engine's copy would keep the port open after
        // the runtime ends.
        drop(listener);
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) => {
                status.phase = "Pending";
                status.state = json!({"waiting": {"reason": "RuntimeUnavailable", "message": format!("cannot start kfn runtime: {e}")}});
                pod::write(&objects, &pod::with_status(base.clone(), &status));
                let _ = until_stopped(&mut stopped).await;
                release(&spec.replicas, port, &sandbox, &confinement);
                pod::delete(&objects, &spec.logs, &ns, &name, spec.pod["metadata"]["uid"].as_str());
                return;
            }
        };
        let group = child.id();
        pod::write(&objects, &pod::with_status(base.clone(), &status));
        let tail = Arc::new(parking_lot::Mutex::new(VecDeque::<String>::new()));
        let outputs: [Option<Box<dyn tokio::io::AsyncRead + Unpin + Send>>; 2] = [
            child.stdout.take().map(|o| Box::new(o) as _),
            child.stderr.take().map(|o| Box::new(o) as _),
        ];
        let pumps: Vec<_> = outputs
            .into_iter()
            .flatten()
            .map(|o| {
                tokio::spawn(pump(
                    BufReader::new(o),
                    log.clone(),
                    tail.clone(),
                    confinement.reports(),
                ))
            })
            .collect();
        // Ready once /healthz answers (asked every 5 ms while starting: a call from zero waits
        // for it); a replica that exits first is restarted.
        let exit = loop {
            tokio::select! {
                exit = child.wait() => break Some(exit),
                _ = until_stopped(&mut stopped) => break None,
                _ = tokio::time::sleep(Duration::from_millis(if status.ready { 1000 } else { 5 })) => {
                    let answered = probe::healthy(port).await;
                    failed_probes = if answered { 0 } else { failed_probes + 1 };
                    // Ready on the first answer; not ready after FAILURE_THRESHOLD failed probes in
                    // a row, as a kubelet's readiness probe: one late answer on a busy machine
                    // does not take a replica out of its Service.
                    let healthy = answered || (status.ready && failed_probes < FAILURE_THRESHOLD);
                    if healthy != status.ready {
                        status.ready = healthy;
                        ready.store(healthy, Ordering::SeqCst);
                        if healthy {
                            backoff = Duration::from_secs(1);
                        }
                        pod::write(&objects, &pod::with_status(base.clone(), &status));
                        spec.changed.notify_one();
                    }
                    // A worker killed for memory while the replica goes on.
                    if confinement.new_oom_kills() > 0 {
                        let detail = limits::oom_detail(tail.lock().iter());
                        let why = confinement.oom_message(detail.as_deref());
                        last_state = limits::oom_terminated(&why);
                        status.last_state = last_state.clone();
                        let pod = pod::with_status(base.clone(), &status);
                        pod::write(&objects, &pod);
                        objects::record_event(&objects, &pod, "Warning", "OOMKilled", &why);
                        objects::record_event(&objects, &spec.object, "Warning", "OOMKilled", &format!("pod {name}: {why}"));
                    }
                }
            }
        };
        ready.store(false, Ordering::SeqCst);
        let Some(exit) = exit else {
            // Out of the Service's endpoints first, then a moment for calls already routed here
            // to connect, then SIGTERM: the runtime finishes the calls it has and exits.
            status.ready = false;
            pod::write(&objects, &pod::with_status(base.clone(), &status));
            tokio::time::sleep(Duration::from_millis(200)).await;
            retire_calls(&objects, &spec.function, port).await;
            terminate(&mut child).await;
            drain(pumps).await;
            release(&spec.replicas, port, &sandbox, &confinement);
            pod::delete(&objects, &spec.logs, &ns, &name, spec.pod["metadata"]["uid"].as_str());
            spec.changed.notify_one();
            return;
        };
        // What the replica forked goes with it, and lets go of its output pipes.
        kill_group(group);
        confinement.kill_all();
        drain(pumps).await;
        let code = exit.ok().and_then(|e| e.code()).unwrap_or(-1);
        let mut why = crash_reason(&tail.lock());
        restarts += 1;
        last_state = json!({"terminated": {"exitCode": code, "reason": "Error", "message": why, "finishedAt": crate::api::now()}});
        if confinement.new_oom_kills() > 0 {
            why = confinement.oom_message(Some(&why));
            last_state = limits::oom_terminated(&why);
            objects::record_event(
                &objects,
                &spec.object,
                "Warning",
                "OOMKilled",
                &format!("pod {name}: {why}"),
            );
        }
        status.ready = false;
        status.restarts = restarts;
        status.last_state = last_state.clone();
        status.state = json!({"waiting": {"reason": "CrashLoopBackOff", "message": format!("back-off {}s restarting failed container: {why}", backoff.as_secs())}});
        let pod = pod::with_status(base.clone(), &status);
        pod::write(&objects, &pod);
        objects::record_event(
            &objects,
            &pod,
            "Warning",
            "BackOff",
            &format!("Back-off restarting failed container: {why}"),
        );
        spec.changed.notify_one();
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = until_stopped(&mut stopped) => {
                release(&spec.replicas, port, &sandbox, &confinement);
                pod::delete(&objects, &spec.logs, &ns, &name, spec.pod["metadata"]["uid"].as_str());
                spec.changed.notify_one();
                return;
            }
        }
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

fn command(
    spec: &Spec,
    prepared: &Prepared,
    port: u16,
    (sandbox, confinement): (&Sandbox, &Confinement),
    call_key: &str,
    listener: Option<&std::net::TcpListener>,
) -> tokio::process::Command {
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("kfn"));
    let mut cmd = std::process::Command::new(exe);
    cmd.args(["runtime", "serve"]);
    // Into its cgroups first, while the replica still has the engine's privileges.
    confinement.join(&mut cmd);
    sandbox.apply(&mut cmd);
    cmd.envs(confinement.env());
    for (k, v) in crate::render::runtime_env(&spec.function) {
        cmd.env(k, v);
    }
    let code = prepared.code_dir.display().to_string();
    if let Some(var) = crate::runtime::interpreter::variable(prepared.language) {
        cmd.env(var, &prepared.interpreter);
    }
    cmd.env("FUNC_PORT", port.to_string())
        .env("KFN_BIND", "127.0.0.1")
        .env("KUBELESS_INSTALL_VOLUME", &code)
        .env("KFN_FUNCTION_NAME", spec.function.name())
        .env(crate::runtime::CALL_KEY_ENV, call_key)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match (&prepared.deps_dir, prepared.language) {
        (Some(deps), Language::Python) => {
            cmd.env("PYTHONPATH", format!("{}:{code}", deps.display()));
        }
        (Some(deps), Language::NodeJs) => {
            cmd.env("NODE_PATH", deps.join("node_modules"));
        }
        _ => {}
    }
    if let Some(listener) = listener {
        let fd = std::os::fd::AsRawFd::as_raw_fd(listener);
        cmd.env(crate::runtime::LISTEN_FD_ENV, "3");
        // SAFETY: dup2 and fcntl only, between fork and exec, on a descriptor opened before
        // the fork. Registered after the sandbox's hook, which marks descriptors from 3 on
        // close-on-exec: descriptor 3 is the one that stays open.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut cmd, move || {
                let ok = if fd == 3 {
                    libc::fcntl(3, libc::F_SETFD, 0) >= 0
                } else {
                    libc::dup2(fd, 3) >= 0
                };
                if ok {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            });
        }
    }
    let mut cmd = tokio::process::Command::from(cmd);
    cmd.kill_on_drop(true);
    cmd
}

fn replica_dir(spec: &Spec, pod: &str) -> PathBuf {
    let namespace = spec.function.namespace();
    spec.root.join("replicas").join(namespace).join(pod)
}

/// The sandbox of one replica: it sees neither the engine's state nor the user's home, only
/// the kfn binary, its interpreter, its own code and dependencies there, and its Secrets.
fn sandbox_for(spec: &Spec, prepared: &Prepared, pod: &str) -> Result<Sandbox, String> {
    let canonical = |p: &std::path::Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let mut hidden = vec![canonical(&spec.root)];
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from)
        && home.is_absolute()
        && home.parent().is_some()
    {
        hidden.push(canonical(&home));
    }
    let mut readable = vec![
        canonical(&prepared.code_dir),
        sandbox::installation(&canonical(&prepared.interpreter)),
    ];
    readable.extend(prepared.deps_dir.as_deref().map(canonical));
    readable.extend(std::env::current_exe().ok());
    let workdir = replica_dir(spec, pod);
    let namespace = spec.function.namespace();
    // The Function says what its pods mount; the engine's own Deployment leaves volumes out.
    let volumes = secrets::secret_mounts(&spec.function.spec);
    let mounts = secrets::materialize(&spec.objects, namespace, &volumes, &workdir.join("secrets"))
        .map_err(|why| format!("MountVolume.SetUp failed: {why}"))?;
    Sandbox::new(sandbox::Paths {
        hidden,
        readable,
        workdir: &workdir,
        mounts,
    })
    .map_err(|e| format!("cannot make the replica's directory: {e}"))
}

/// Adds the calls a replica that is stopping has answered to its Function's
/// `status.retiredCalls`, so `kfn function top` still counts them after an update or a scale-down.
async fn retire_calls(objects: &Objects, function: &Function, port: u16) {
    let Some((200, text)) = probe::get(port, "/metrics", Duration::from_secs(2)).await else {
        return;
    };
    let Some(calls) = metrics::parse(&text)
        .ok()
        .map(|samples| metrics::by_method(&samples))
        .filter(|c| !c.is_empty())
    else {
        return;
    };
    let Some(def) = objects
        .registry()
        .find(crate::api::GROUP, crate::api::VERSION, "functions")
    else {
        return;
    };
    let (namespace, name) = (function.namespace(), function.name());
    let _ = objects::modify(objects, &def, Some(namespace), name, |f| {
        if f.pointer("/metadata/deletionTimestamp").is_some() {
            return;
        }
        let mut kept: std::collections::BTreeMap<String, metrics::MethodTotals> =
            serde_json::from_value(f["status"]["retiredCalls"].clone()).unwrap_or_default();
        for (method, totals) in &calls {
            kept.entry(method.clone()).or_default().add(totals);
        }
        if !f["status"].is_object() {
            f["status"] = json!({});
        }
        f["status"]["retiredCalls"] = json!(kept);
    });
}

/// What a replica held beyond its process: its call key, its directory and its cgroups.
fn release(replicas: &Replicas, port: u16, sandbox: &Sandbox, confinement: &Confinement) {
    replicas.forget(port);
    confinement.end();
    let _ = std::fs::remove_dir_all(&sandbox.workdir);
}

fn random_key() -> String {
    let mut bytes = [0u8; 16];
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SIGTERM to the runtime, which finishes its calls; after 10 s, or once it is gone, SIGKILL to
/// everything left in its process group.
async fn terminate(child: &mut tokio::process::Child) {
    let group = child.id();
    if let Some(pid) = group {
        // SAFETY: signalling our own child.
        unsafe { libc::kill(pid as libc::pid_t, libc::SIGTERM) };
    }
    if tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .is_err()
    {
        let _ = child.kill().await;
    }
    if let Some(pid) = group {
        // SAFETY: the replica's own process group, made for it at start.
        unsafe { libc::kill(-(pid as libc::pid_t), libc::SIGKILL) };
    }
}

/// Kills what is left of an exited replica's process group (its id is the replica's first pid).
fn kill_group(group: Option<u32>) {
    if let Some(pid) = group {
        // SAFETY: the replica's own process group.
        unsafe { libc::kill(-(pid as libc::pid_t), libc::SIGKILL) };
    }
}

/// Waits for a replica's output to end; a process that left its group may hold a pipe open,
/// so the wait is bounded.
async fn drain(pumps: Vec<tokio::task::JoinHandle<()>>) {
    for p in pumps {
        let abort = p.abort_handle();
        if tokio::time::timeout(Duration::from_secs(2), p).await.is_err() {
            abort.abort();
        }
    }
}

async fn pump<R: tokio::io::AsyncRead + Unpin>(
    mut reader: BufReader<R>,
    log: Option<SharedLog>,
    tail: Arc<parking_lot::Mutex<VecDeque<String>>>,
    oom_reports: Arc<std::sync::atomic::AtomicU64>,
) {
    while let Some(line) = next_line(&mut reader, MAX_LINE).await {
        Confinement::observe(&oom_reports, &line);
        if let Some(log) = &log {
            log.lock().await.line(&line).await;
        }
        let mut tail = tail.lock();
        tail.push_back(line);
        if tail.len() > 20 {
            tail.pop_front();
        }
    }
}

/// What a crashed replica's last output lines say about why: the last error the runtime
/// reported, else its last line.
fn crash_reason(tail: &VecDeque<String>) -> String {
    tail.iter()
        .rev()
        .find(|l| l.starts_with("error:") || l.contains("cannot load"))
        .or_else(|| tail.back())
        .cloned()
        .unwrap_or_default()
}

/// Waits until the handle asks the replica to stop.
async fn until_stopped(stopped: &mut watch::Receiver<bool>) {
    let _ = stopped.wait_for(|s| *s).await.map(|_| ());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crash_is_explained_by_the_last_error_else_the_last_line() {
        let tail: VecDeque<String> = ["starting", "error: cannot load x", "bye"].map(String::from).into();
        assert_eq!(crash_reason(&tail), "error: cannot load x");
        let tail: VecDeque<String> = ["starting", "bye"].map(String::from).into();
        assert_eq!(crash_reason(&tail), "bye");
        assert_eq!(crash_reason(&VecDeque::new()), "");
    }
}
