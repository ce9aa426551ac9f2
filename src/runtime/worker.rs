//! The pool of language workers: long-lived processes that imported the user's module once and
//! answer framed requests over pipes (fd 3 in, fd 4 out). Each worker may have a few requests
//! queued. Every request has a deadline from the moment it arrived: one still waiting at its
//! deadline is answered 408 and never run; a running one past it kills its worker (408). A dead
//! worker is replaced, and requests it had not started go back to the pool. The pool starts one
//! worker and adds more while calls wait (see [`super::sizing`]).

use std::collections::VecDeque;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::time::{Duration, Instant};

use bytes::{BufMut, Bytes, BytesMut};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::unix::pipe;
use tokio::sync::{mpsc, oneshot, watch};

use super::sizing::{Counts, Sizing, may_retire, workers_to_start};

/// Requests sent to one worker before its answers come back.
const WINDOW: usize = 4;

/// How long past a running call's deadline its worker may take to answer before it is killed
/// (the caller has its 408 at the deadline already; this spares a worker that is just finishing,
/// or skipping a call that expired in its queue).
const KILL_SLACK: Duration = Duration::from_millis(100);

/// How the runtime's report of a worker that ran out of its memory limit begins; the local
/// engine counts these lines as out-of-memory kills.
pub const OOM_REPORT: &str = "kfn runtime: out of memory:";

/// The body of a 408, as Kubeless's runtimes worded it.
pub const TIMEOUT_TEXT: &str = "Timeout while processing the function";

/// When a call must be answered: `FUNC_TIMEOUT` after it arrived.
#[derive(Clone, Copy, Debug)]
pub struct Deadline {
    pub at: Instant,
    /// The same moment on the system's monotonic clock in seconds, which the workers read too
    /// (`time.monotonic()`, `process.hrtime()`), so a worker can skip a call that expired while
    /// queued in its pipe.
    pub monotonic: f64,
}

impl Deadline {
    pub fn after(timeout: Duration) -> Deadline {
        let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: clock_gettime writes into the timespec it is given.
        unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
        Deadline {
            at: Instant::now() + timeout,
            monotonic: now.tv_sec as f64 + now.tv_nsec as f64 / 1e9 + timeout.as_secs_f64(),
        }
    }
}

/// A request as the worker gets it.
#[derive(Serialize)]
pub struct RequestHead {
    pub id: u64,
    #[serde(rename = "m")]
    pub method: String,
    #[serde(rename = "p")]
    pub path: String,
    #[serde(rename = "q")]
    pub query: String,
    #[serde(rename = "h")]
    pub headers: Vec<(String, String)>,
    /// The deadline on the monotonic clock: a worker that reaches the call later skips it.
    #[serde(rename = "d")]
    pub deadline: f64,
}

/// A worker's answer.
#[derive(Deserialize, Debug, Default)]
pub struct ResponseHead {
    #[serde(default)]
    pub id: u64,
    #[serde(rename = "s", default)]
    pub status: u16,
    #[serde(rename = "h", default)]
    pub headers: Vec<(String, String)>,
    /// The call raised: counted as a failure.
    #[serde(rename = "f", default)]
    pub failed: bool,
    /// The worker skipped the call: its deadline had passed before the worker got to it.
    #[serde(rename = "skip", default)]
    pub skipped: bool,
    /// The call failed for want of memory (Python's `MemoryError`, a failed Node.js allocation).
    #[serde(default)]
    pub oom: bool,
    #[serde(default)]
    pub ready: bool,
    #[serde(default)]
    pub fatal: Option<String>,
}

/// What a request gets back.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    pub failed: bool,
}

impl Answer {
    fn plain(status: u16, text: &str, failed: bool) -> Answer {
        Answer {
            status,
            headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
            body: Bytes::from(text.to_string()),
            failed,
        }
    }
}

pub struct Job {
    pub head: RequestHead,
    pub body: Bytes,
    pub reply: oneshot::Sender<Answer>,
    pub deadline: Deadline,
}

/// How to start a worker.
#[derive(Clone, Debug)]
pub struct WorkerSpec {
    pub program: String,
    /// The interpreter's arguments: they read the shim from [`SHIM_FD`] and name the function.
    pub args: Vec<String>,
    /// The shim's source, and the name its memory file goes by.
    pub shim: (&'static str, &'static std::ffi::CStr),
    pub env: Vec<(String, String)>,
    pub timeout: Duration,
    /// A data-size limit for each worker, where nothing else limits memory.
    pub memory: Option<MemoryLimit>,
}

/// A worker's memory limit: `RLIMIT_DATA` in bytes, and the limit as the user gave it.
#[derive(Clone, Debug)]
pub struct MemoryLimit {
    pub bytes: u64,
    pub text: String,
}

/// The pool's state, for health checks and metrics.
pub struct Pool {
    jobs: async_channel::Sender<Job>,
    /// Workers ready now.
    pub ready: watch::Receiver<usize>,
    /// A worker has loaded the function once: the replica stays healthy while the pool replaces
    /// a worker that died.
    pub loaded: Arc<AtomicBool>,
    /// Pids of live workers.
    pub pids: Arc<std::sync::Mutex<Vec<u32>>>,
    /// Set when a worker could not load the function: why.
    pub fatal: watch::Receiver<Option<String>>,
    shared: Arc<Shared>,
}

impl Pool {
    /// Queues a call for the workers, and starts another worker when it would wait behind busy
    /// ones; gives the call back when the pool has closed.
    pub async fn submit(&self, job: Job) -> Result<(), Job> {
        self.jobs.send(job).await.map_err(|e| e.into_inner())?;
        self.shared.grow();
        Ok(())
    }
}

/// What the workers of a pool share.
struct Shared {
    spec: WorkerSpec,
    sizing: Sizing,
    queue: async_channel::Receiver<Job>,
    requeue: async_channel::Sender<Job>,
    ready: watch::Sender<usize>,
    fatal: watch::Sender<Option<String>>,
    pids: Arc<std::sync::Mutex<Vec<u32>>>,
    loaded: Arc<AtomicBool>,
    counts: Counts,
    /// Held while a worker is added or retired, so that two decisions never overshoot.
    resizing: std::sync::Mutex<()>,
}

impl Shared {
    /// Starts a worker for each call that waits while every worker is busy, up to the maximum.
    fn grow(self: &Arc<Self>) {
        let counts = &self.counts;
        // The common cases cost two loads: the pool is at its maximum, or a worker is free.
        if counts.slots.load(SeqCst) >= self.sizing.max || self.queue.len() <= counts.idle.load(SeqCst) {
            return;
        }
        let _resizing = self.resizing.lock().unwrap_or_else(|p| p.into_inner());
        let slots = counts.slots.load(SeqCst);
        let waiting = self.queue.len();
        let start = workers_to_start(
            waiting,
            counts.idle.load(SeqCst),
            slots,
            *self.ready.borrow(),
            self.sizing.max,
        );
        for n in slots + 1..=slots + start {
            counts.slots.fetch_add(1, SeqCst);
            eprintln!(
                "kfn runtime: {waiting} call(s) wait for a worker: starting worker {n} of at most {} (KFN_WORKERS)",
                self.sizing.max
            );
            tokio::spawn(WorkerLoop::new(self.clone(), false).run());
        }
    }

    /// Takes an idle extra worker out of the counts when the replica has not needed it for the
    /// idle time; whether it may go.
    fn retire(&self) -> bool {
        let _resizing = self.resizing.lock().unwrap_or_else(|p| p.into_inner());
        let counts = &self.counts;
        if !may_retire(counts.slots.load(SeqCst), counts.needed(self.sizing.idle)) {
            return false;
        }
        counts.slots.fetch_sub(1, SeqCst);
        counts.idle.fetch_sub(1, SeqCst);
        true
    }

    /// Whether a busy worker may take calls to run after its own: only when every worker the
    /// pool may have is serving (else a waiting call gets a worker of its own).
    fn full(&self) -> bool {
        let counts = &self.counts;
        let slots = counts.slots.load(SeqCst);
        slots >= self.sizing.max && counts.idle.load(SeqCst) + counts.busy.load(SeqCst) >= slots
    }
}

fn encode(head: &RequestHead, body: &[u8], out: &mut BytesMut) {
    let h = serde_json::to_vec(head).expect("a request head serialises");
    out.put_u32_le(h.len() as u32);
    out.put_u32_le(body.len() as u32);
    out.put_slice(&h);
    out.put_slice(body);
}

/// The descriptor a worker reads its shim's source from: a sealed memory file, so that the
/// shim stays out of the command line (and `ps`), and no function can change what later
/// workers run.
pub const SHIM_FD: RawFd = 5;

/// A memory file holding `text`, read from its start, that nobody can change any more.
fn sealed_file(name: &std::ffi::CStr, text: &str) -> std::io::Result<OwnedFd> {
    use std::io::{Seek, Write};
    // SAFETY: memfd_create with a NUL-terminated name returns a new descriptor or -1.
    let fd = unsafe { libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: the descriptor is fresh and owned by nobody else.
    let mut file = std::fs::File::from(unsafe { OwnedFd::from_raw_fd(fd) });
    file.write_all(text.as_bytes())?;
    file.rewind()?;
    let seals = libc::F_SEAL_SEAL | libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE;
    // SAFETY: fcntl on a descriptor this function owns.
    if unsafe { libc::fcntl(std::os::fd::AsRawFd::as_raw_fd(&file), libc::F_ADD_SEALS, seals) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(file.into())
}

fn pipe_pair() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: pipe2 writes two new descriptors into the array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: both descriptors are fresh and owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

struct Process {
    child: tokio::process::Child,
    to_worker: pipe::Sender,
    from_worker: mpsc::Receiver<std::io::Result<(ResponseHead, Bytes)>>,
}

async fn read_frame(rx: &mut pipe::Receiver, buf: &mut BytesMut) -> std::io::Result<(ResponseHead, Bytes)> {
    loop {
        if buf.len() >= 8 {
            let hlen = u32::from_le_bytes(buf[0..4].try_into().expect("4 bytes")) as usize;
            let blen = u32::from_le_bytes(buf[4..8].try_into().expect("4 bytes")) as usize;
            if buf.len() >= 8 + hlen + blen {
                let frame = buf.split_to(8 + hlen + blen).freeze();
                let head: ResponseHead = serde_json::from_slice(&frame[8..8 + hlen])
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
                return Ok((head, frame.slice(8 + hlen..)));
            }
        }
        buf.reserve(64 * 1024);
        if rx.read_buf(buf).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
    }
}

/// Starts one worker and waits for it to load the function.
async fn start(spec: &WorkerSpec) -> Result<Process, String> {
    let (req_read, req_write) = pipe_pair().map_err(|e| e.to_string())?;
    let (resp_read, resp_write) = pipe_pair().map_err(|e| e.to_string())?;
    let shim = sealed_file(spec.shim.1, spec.shim.0).map_err(|e| format!("cannot hand the worker its shim: {e}"))?;
    let (child_in, child_out, child_shim) = (
        std::os::fd::AsRawFd::as_raw_fd(&req_read),
        std::os::fd::AsRawFd::as_raw_fd(&resp_write),
        std::os::fd::AsRawFd::as_raw_fd(&shim),
    );
    let mut cmd = std::process::Command::new(&spec.program);
    cmd.args(&spec.args)
        .envs(spec.env.iter().cloned())
        .env_remove(super::CALL_KEY_ENV)
        .env_remove(super::LISTEN_FD_ENV)
        .stdin(Stdio::null());
    let data = spec.memory.as_ref().map(|m| libc::rlimit {
        rlim_cur: m.bytes as libc::rlim_t,
        rlim_max: m.bytes as libc::rlim_t,
    });
    // SAFETY: only fcntl, dup2 and setrlimit (async-signal-safe) between fork and exec; dup2
    // clears close-on-exec.
    unsafe {
        cmd.pre_exec(move || {
            // Moved out of the way first: one of them may be numbered 3, 4 or 5 itself.
            let moved = [child_in, child_out, child_shim].map(|fd| libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 10));
            if moved.iter().any(|fd| *fd < 0) {
                return Err(std::io::Error::last_os_error());
            }
            for (fd, target) in moved.into_iter().zip([3, 4, SHIM_FD]) {
                if libc::dup2(fd, target) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            if let Some(data) = &data
                && libc::setrlimit(libc::RLIMIT_DATA, data) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = tokio::process::Command::from(cmd)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", spec.program))?;
    drop((req_read, resp_write, shim));
    let to_worker = pipe::Sender::from_owned_fd(req_write).map_err(|e| e.to_string())?;
    let mut rx = pipe::Receiver::from_owned_fd(resp_read).map_err(|e| e.to_string())?;
    let (tx, from_worker) = mpsc::channel(WINDOW * 2);
    let mut buf = BytesMut::with_capacity(64 * 1024);
    let first = tokio::time::timeout(Duration::from_secs(60), read_frame(&mut rx, &mut buf)).await;
    match first {
        Ok(Ok((head, _))) if head.ready => {}
        Ok(Ok((head, _))) => return Err(head.fatal.unwrap_or_else(|| "the worker did not start".into())),
        Ok(Err(_)) => return Err("the worker exited while loading the function (see the log above)".into()),
        Err(_) => return Err("the worker did not load the function within 60 s".into()),
    }
    // Reading in a task of its own keeps frames whole whatever the pool loop is waiting on.
    tokio::spawn(async move {
        loop {
            let frame = read_frame(&mut rx, &mut buf).await;
            let end = frame.is_err();
            if tx.send(frame).await.is_err() || end {
                return;
            }
        }
    });
    Ok(Process {
        child,
        to_worker,
        from_worker,
    })
}

/// Starts the pool with one worker; more start while calls wait.
pub fn pool(spec: WorkerSpec, sizing: Sizing) -> Pool {
    let (jobs, queue) = async_channel::bounded::<Job>(4096);
    let (ready_tx, ready) = watch::channel(0usize);
    let (fatal_tx, fatal) = watch::channel(None);
    let pids = Arc::new(std::sync::Mutex::new(vec![std::process::id()]));
    let loaded = Arc::new(AtomicBool::new(false));
    let shared = Arc::new(Shared {
        spec,
        sizing,
        queue,
        requeue: jobs.clone(),
        ready: ready_tx,
        fatal: fatal_tx,
        pids: pids.clone(),
        loaded: loaded.clone(),
        counts: Counts::new(sizing.max),
        resizing: std::sync::Mutex::new(()),
    });
    shared.counts.slots.store(1, SeqCst);
    tokio::spawn(WorkerLoop::new(shared.clone(), true).run());
    Pool {
        jobs,
        ready,
        loaded,
        pids,
        fatal,
        shared,
    }
}

/// One worker slot of the pool: starts its worker, feeds it, replaces it when it dies.
struct WorkerLoop {
    shared: Arc<Shared>,
    /// The pool's first worker, which never retires; the others were started for waiting calls.
    first: bool,
}

impl WorkerLoop {
    fn new(shared: Arc<Shared>, first: bool) -> WorkerLoop {
        WorkerLoop { shared, first }
    }

    async fn run(self) {
        let shared = &self.shared;
        let mut backoff = Duration::from_millis(100);
        loop {
            let mut process = match start(&shared.spec).await {
                Ok(p) => p,
                Err(why) => {
                    eprintln!("kfn runtime: {why}");
                    if !self.first {
                        // The first worker goes on trying (and the replica reports why); an
                        // extra one gives its slot up.
                        shared.counts.slots.fetch_sub(1, SeqCst);
                        return;
                    }
                    shared.fatal.send_replace(Some(why));
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                    continue;
                }
            };
            backoff = Duration::from_millis(100);
            let pid = process.child.id().unwrap_or(0);
            shared.pids.lock().unwrap_or_else(|p| p.into_inner()).push(pid);
            shared.loaded.store(true, SeqCst);
            shared.counts.idle.fetch_add(1, SeqCst);
            shared.ready.send_modify(|n| *n += 1);
            // Calls may have queued while it loaded.
            shared.grow();
            let mut busy = false;
            let end = self.serve(&mut process, &mut busy).await;
            match (&end, busy) {
                // Retiring took it out of the counts.
                (End::Retired, _) => {}
                (_, true) => {
                    shared.counts.busy.fetch_sub(1, SeqCst);
                }
                (_, false) => {
                    shared.counts.idle.fetch_sub(1, SeqCst);
                }
            }
            shared.ready.send_modify(|n| *n = n.saturating_sub(1));
            shared
                .pids
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .retain(|p| *p != pid);
            match end {
                End::Died(mut inflight) => {
                    // The exit status says why (a signal, an exit code); a worker that closed its
                    // pipe but lingers is killed.
                    let status = match tokio::time::timeout(Duration::from_secs(2), process.child.wait()).await {
                        Ok(Ok(status)) => Some(status),
                        _ => {
                            let _ = process.child.start_kill();
                            let _ = process.child.wait().await;
                            None
                        }
                    };
                    let cause = status
                        .map(exit_cause)
                        .unwrap_or_else(|| "closed its pipe without exiting, killed".into());
                    let doing = match inflight.front() {
                        Some(job) => format!("running {} {}", job.head.method, job.head.path),
                        None => "idle".into(),
                    };
                    eprintln!("kfn runtime: worker exited: {cause} (pid {pid}, {doing}); starting a new one");
                    // Under a data-size limit, V8 aborts when an allocation fails.
                    if let Some(limit) = &shared.spec.memory
                        && status.and_then(|s| std::os::unix::process::ExitStatusExt::signal(&s)) == Some(libc::SIGABRT)
                    {
                        eprintln!(
                            "{OOM_REPORT} the worker aborted, most likely for want of memory (limit {}) (pid {pid}, {doing})",
                            limit.text
                        );
                    }
                    if let Some(job) = inflight.pop_front() {
                        let text = format!("the function's worker exited: {cause}");
                        let _ = job.reply.send(Answer::plain(500, &text, true));
                    }
                    self.requeue_all(&mut inflight).await;
                }
                End::TimedOut | End::OutOfMemory => {
                    let _ = process.child.start_kill();
                    let _ = process.child.wait().await;
                }
                End::Retired => {
                    let Process {
                        mut child, to_worker, ..
                    } = process;
                    // A worker ends when its input does; one that does not within a moment is killed.
                    drop(to_worker);
                    if tokio::time::timeout(Duration::from_secs(2), child.wait())
                        .await
                        .is_err()
                    {
                        let _ = child.start_kill();
                        let _ = child.wait().await;
                    }
                    eprintln!(
                        "kfn runtime: worker retired (pid {pid}): the replica has not needed it for {} s (KFN_WORKER_IDLE)",
                        shared.sizing.idle.as_secs_f64()
                    );
                    return;
                }
                End::QueueClosed => {
                    let _ = process.child.start_kill();
                    let _ = process.child.wait().await;
                    return;
                }
            }
        }
    }

    /// A job worth sending to a worker: one whose deadline passed while it waited is answered
    /// 408 and dropped, as is one whose caller has gone.
    fn runnable(&self, job: Job) -> Option<Job> {
        if Instant::now() >= job.deadline.at {
            eprintln!(
                "kfn runtime: {} {} waited longer than the timeout ({} s) for a worker; answered 408 without running it",
                job.head.method,
                job.head.path,
                self.shared.spec.timeout.as_secs_f64()
            );
            let _ = job.reply.send(Answer::plain(408, TIMEOUT_TEXT, false));
            return None;
        }
        (!job.reply.is_closed()).then_some(job)
    }

    /// Feeds one worker until it dies, times out, retires, or the pool closes; `busy` says
    /// whether it is counted busy (calls sent to it) or idle.
    async fn serve(&self, process: &mut Process, busy: &mut bool) -> End {
        let shared = &self.shared;
        // An idle worker takes a call; a busy one takes more only when no worker can start.
        let may_take = |inflight: &VecDeque<Job>| inflight.is_empty() || (inflight.len() < WINDOW && shared.full());
        let mut inflight: VecDeque<Job> = VecDeque::new();
        // When the worker got to the head job: when its predecessor answered, or when it was
        // sent to an idle worker.
        let mut head_started = Instant::now();
        let mut out = BytesMut::with_capacity(16 * 1024);
        // An extra worker looks whether the replica still needs it when it has been up for the
        // idle time, then every quarter of it while idle.
        let mut retire_check = tokio::time::Instant::now() + shared.sizing.idle;
        loop {
            // The head job runs until its deadline, however late it started.
            let kill_at = inflight
                .front()
                .map(|job| tokio::time::Instant::from_std(job.deadline.at.max(head_started) + KILL_SLACK));
            let retire_at = (!self.first && inflight.is_empty()).then_some(retire_check);
            tokio::select! {
                job = shared.queue.recv(), if may_take(&inflight) => {
                    let Ok(job) = job else { return End::QueueClosed };
                    let was_idle = inflight.is_empty();
                    out.clear();
                    let mut next = Some(job);
                    // Take whatever else is waiting (that this worker may), and write it all at once.
                    while let Some(job) = next.take() {
                        if let Some(job) = self.runnable(job) {
                            encode(&job.head, &job.body, &mut out);
                            inflight.push_back(job);
                        }
                        if may_take(&inflight) {
                            next = shared.queue.try_recv().ok();
                        }
                    }
                    if out.is_empty() {
                        continue;
                    }
                    if was_idle {
                        head_started = Instant::now();
                        shared.counts.to_busy();
                        *busy = true;
                        // The calls behind this one may need a worker of their own.
                        shared.grow();
                    }
                    if process.to_worker.write_all(&out).await.is_err() {
                        return End::Died(inflight);
                    }
                }
                frame = process.from_worker.recv() => match frame {
                    Some(Ok((head, body))) => {
                        if let Some(pos) = inflight.iter().position(|j| j.head.id == head.id) {
                            let job = inflight.remove(pos).expect("found above");
                            // Only the limit this runtime set is reported (a cgroup counts its own kills).
                            let limit = shared.spec.memory.as_ref().filter(|_| head.oom && !head.skipped);
                            let oom = limit.is_some();
                            if let Some(limit) = limit {
                                let limit = &limit.text;
                                eprintln!(
                                    "{OOM_REPORT} the function ran out of memory (limit {limit}) (pid {}, running {} {}); starting a new worker",
                                    process.child.id().unwrap_or(0), job.head.method, job.head.path
                                );
                            }
                            let answer = if head.skipped {
                                eprintln!(
                                    "kfn runtime: {} {} waited longer than the timeout ({} s) for its worker; answered 408 without running it",
                                    job.head.method, job.head.path, shared.spec.timeout.as_secs_f64()
                                );
                                Answer::plain(408, TIMEOUT_TEXT, false)
                            } else {
                                Answer { status: head.status, headers: head.headers, body, failed: head.failed }
                            };
                            let _ = job.reply.send(answer);
                            if oom {
                                // A fresh worker, as after a kill: the calls sent after it go there.
                                self.requeue_all(&mut inflight).await;
                                return End::OutOfMemory;
                            }
                            if inflight.is_empty() && *busy {
                                shared.counts.to_idle();
                                *busy = false;
                            }
                        }
                        head_started = Instant::now();
                    }
                    _ => return End::Died(inflight),
                },
                _ = sleep_until_some(kill_at) => {
                    if let Some(job) = inflight.pop_front() {
                        eprintln!("kfn runtime: {} {} took longer than the timeout ({} s); its worker is replaced", job.head.method, job.head.path, shared.spec.timeout.as_secs_f64());
                        let _ = job.reply.send(Answer::plain(408, TIMEOUT_TEXT, false));
                    }
                    self.requeue_all(&mut inflight).await;
                    return End::TimedOut;
                }
                _ = sleep_until_some(retire_at) => {
                    if shared.retire() {
                        return End::Retired;
                    }
                    retire_check = tokio::time::Instant::now() + shared.sizing.idle / 4;
                }
            }
        }
    }

    async fn requeue_all(&self, inflight: &mut VecDeque<Job>) {
        while let Some(job) = inflight.pop_front() {
            let _ = self.shared.requeue.send(job).await;
        }
        self.shared.grow();
    }
}

async fn sleep_until_some(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Why a worker ended, in the words of its exit status: `exit code 7`,
/// `killed by SIGKILL (out of memory?)`.
pub fn exit_cause(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    if let Some(code) = status.code() {
        return format!("exit code {code}");
    }
    let Some(signal) = status.signal() else {
        return status.to_string();
    };
    let (name, hint) = match signal {
        libc::SIGKILL => ("SIGKILL", " (out of memory?)"),
        libc::SIGSEGV => ("SIGSEGV", " (segmentation fault)"),
        libc::SIGABRT => ("SIGABRT", " (aborted)"),
        libc::SIGBUS => ("SIGBUS", " (bus error)"),
        libc::SIGFPE => ("SIGFPE", " (arithmetic error)"),
        libc::SIGILL => ("SIGILL", " (illegal instruction)"),
        libc::SIGXCPU => ("SIGXCPU", " (CPU time limit)"),
        libc::SIGXFSZ => ("SIGXFSZ", " (file size limit)"),
        libc::SIGTERM => ("SIGTERM", ""),
        libc::SIGINT => ("SIGINT", ""),
        libc::SIGHUP => ("SIGHUP", ""),
        libc::SIGQUIT => ("SIGQUIT", ""),
        libc::SIGPIPE => ("SIGPIPE", " (wrote to a closed pipe)"),
        libc::SIGTRAP => ("SIGTRAP", ""),
        libc::SIGALRM => ("SIGALRM", ""),
        libc::SIGUSR1 => ("SIGUSR1", ""),
        libc::SIGUSR2 => ("SIGUSR2", ""),
        _ => return format!("killed by signal {signal}"),
    };
    let core = if status.core_dumped() { ", core dumped" } else { "" };
    format!("killed by {name}{hint}{core}")
}

enum End {
    /// The worker's pipe broke: it died with these calls sent to it, the first one running.
    Died(VecDeque<Job>),
    /// Its head call ran past the deadline; the worker is to be killed.
    TimedOut,
    /// A call ran out of memory; the worker is replaced.
    OutOfMemory,
    /// The replica has not needed this extra worker for the idle time; it stops.
    Retired,
    QueueClosed,
}

#[cfg(test)]
mod tests {
    use super::exit_cause;
    use std::os::unix::process::ExitStatusExt;
    use std::process::ExitStatus;

    #[test]
    fn an_exit_status_names_its_code_or_signal() {
        // Raw wait statuses: an exit code sits in the second byte, a signal in the low bits.
        assert_eq!(exit_cause(ExitStatus::from_raw(7 << 8)), "exit code 7");
        assert_eq!(
            exit_cause(ExitStatus::from_raw(libc::SIGKILL)),
            "killed by SIGKILL (out of memory?)"
        );
        assert_eq!(
            exit_cause(ExitStatus::from_raw(libc::SIGSEGV | 0x80)),
            "killed by SIGSEGV (segmentation fault), core dumped"
        );
        assert_eq!(exit_cause(ExitStatus::from_raw(libc::SIGTERM)), "killed by SIGTERM");
        assert_eq!(exit_cause(ExitStatus::from_raw(63)), "killed by signal 63");
    }
}
