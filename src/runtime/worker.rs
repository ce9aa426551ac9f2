//! The pool of language workers: long-lived processes that imported the user's module once and
//! answer framed requests over pipes (fd 3 in, fd 4 out). Each worker may have a few requests
//! queued; a request over the timeout kills its worker (408), a dead worker is replaced, and
//! requests it had not started go back to the pool.

use std::collections::VecDeque;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{BufMut, Bytes, BytesMut};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::unix::pipe;
use tokio::sync::{mpsc, oneshot, watch};

/// Requests sent to one worker before its answers come back.
const WINDOW: usize = 4;

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
}

/// How to start a worker.
#[derive(Clone, Debug)]
pub struct WorkerSpec {
    pub program: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub timeout: Duration,
}

/// The pool's state, for health checks and metrics.
pub struct Pool {
    pub jobs: async_channel::Sender<Job>,
    /// Workers ready now.
    pub ready: watch::Receiver<usize>,
    /// Pids of live workers.
    pub pids: Arc<std::sync::Mutex<Vec<u32>>>,
    /// Set when a worker could not load the function: why.
    pub fatal: watch::Receiver<Option<String>>,
}

fn encode(head: &RequestHead, body: &[u8], out: &mut BytesMut) {
    let h = serde_json::to_vec(head).expect("a request head serialises");
    out.put_u32_le(h.len() as u32);
    out.put_u32_le(body.len() as u32);
    out.put_slice(&h);
    out.put_slice(body);
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
    let (child_in, child_out) = (
        std::os::fd::AsRawFd::as_raw_fd(&req_read),
        std::os::fd::AsRawFd::as_raw_fd(&resp_write),
    );
    let mut cmd = std::process::Command::new(&spec.program);
    cmd.args(&spec.args)
        .envs(spec.env.iter().cloned())
        .env_remove(super::CALL_KEY_ENV)
        .stdin(Stdio::null());
    // SAFETY: only dup2 (async-signal-safe) between fork and exec; dup2 clears close-on-exec.
    unsafe {
        cmd.pre_exec(move || {
            if libc::dup2(child_in, 3) < 0 || libc::dup2(child_out, 4) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = tokio::process::Command::from(cmd)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", spec.program))?;
    drop((req_read, resp_write));
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

/// Starts `size` workers and the tasks that feed them.
pub fn pool(spec: WorkerSpec, size: usize) -> Pool {
    let (jobs, queue) = async_channel::bounded::<Job>(4096);
    let (ready_tx, ready) = watch::channel(0usize);
    let (fatal_tx, fatal) = watch::channel(None);
    let ready_tx = Arc::new(ready_tx);
    let fatal_tx = Arc::new(fatal_tx);
    let pids = Arc::new(std::sync::Mutex::new(vec![std::process::id()]));
    let spec = Arc::new(spec);
    for _ in 0..size.max(1) {
        let ctx = WorkerLoop {
            spec: spec.clone(),
            queue: queue.clone(),
            requeue: jobs.clone(),
            ready: ready_tx.clone(),
            fatal: fatal_tx.clone(),
            pids: pids.clone(),
        };
        tokio::spawn(ctx.run());
    }
    Pool {
        jobs,
        ready,
        pids,
        fatal,
    }
}

struct WorkerLoop {
    spec: Arc<WorkerSpec>,
    queue: async_channel::Receiver<Job>,
    requeue: async_channel::Sender<Job>,
    ready: Arc<watch::Sender<usize>>,
    fatal: Arc<watch::Sender<Option<String>>>,
    pids: Arc<std::sync::Mutex<Vec<u32>>>,
}

impl WorkerLoop {
    async fn run(self) {
        let mut backoff = Duration::from_millis(100);
        loop {
            let mut process = match start(&self.spec).await {
                Ok(p) => p,
                Err(why) => {
                    eprintln!("kfn runtime: {why}");
                    self.fatal.send_replace(Some(why));
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                    continue;
                }
            };
            backoff = Duration::from_millis(100);
            let pid = process.child.id().unwrap_or(0);
            self.pids.lock().unwrap_or_else(|p| p.into_inner()).push(pid);
            self.ready.send_modify(|n| *n += 1);
            let end = self.serve(&mut process).await;
            self.ready.send_modify(|n| *n = n.saturating_sub(1));
            self.pids
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .retain(|p| *p != pid);
            let _ = process.child.start_kill();
            let _ = process.child.wait().await;
            if let End::QueueClosed = end {
                return;
            }
        }
    }

    /// Feeds one worker until it dies, times out, or the pool closes.
    async fn serve(&self, process: &mut Process) -> End {
        let mut inflight: VecDeque<Job> = VecDeque::new();
        let mut head_started = Instant::now();
        let mut out = BytesMut::with_capacity(16 * 1024);
        loop {
            let deadline = tokio::time::Instant::from_std(head_started + self.spec.timeout);
            tokio::select! {
                job = self.queue.recv(), if inflight.len() < WINDOW => {
                    let Ok(job) = job else { return End::QueueClosed };
                    if inflight.is_empty() {
                        head_started = Instant::now();
                    }
                    out.clear();
                    encode(&job.head, &job.body, &mut out);
                    inflight.push_back(job);
                    // Take whatever else is waiting, and write it all at once.
                    while inflight.len() < WINDOW {
                        let Ok(more) = self.queue.try_recv() else { break };
                        encode(&more.head, &more.body, &mut out);
                        inflight.push_back(more);
                    }
                    if process.to_worker.write_all(&out).await.is_err() {
                        self.fail_all(&mut inflight, "the function's worker exited").await;
                        return End::Died;
                    }
                }
                frame = process.from_worker.recv() => match frame {
                    Some(Ok((head, body))) => {
                        if let Some(pos) = inflight.iter().position(|j| j.head.id == head.id) {
                            let job = inflight.remove(pos).expect("found above");
                            let _ = job.reply.send(Answer { status: head.status, headers: head.headers, body, failed: head.failed });
                        }
                        head_started = Instant::now();
                    }
                    _ => {
                        self.fail_all(&mut inflight, "the function's worker exited").await;
                        return End::Died;
                    }
                },
                _ = tokio::time::sleep_until(deadline), if !inflight.is_empty() => {
                    if let Some(job) = inflight.pop_front() {
                        eprintln!("kfn runtime: {} {} took longer than the timeout ({} s); its worker is replaced", job.head.method, job.head.path, self.spec.timeout.as_secs_f64());
                        let _ = job.reply.send(Answer::plain(408, "Timeout while processing the function", false));
                    }
                    self.requeue_all(&mut inflight).await;
                    return End::Died;
                }
            }
        }
    }

    /// The head request gets a 500; the others had not started and go back to the pool.
    async fn fail_all(&self, inflight: &mut VecDeque<Job>, why: &str) {
        if let Some(job) = inflight.pop_front() {
            let _ = job.reply.send(Answer::plain(500, why, true));
        }
        self.requeue_all(inflight).await;
    }

    async fn requeue_all(&self, inflight: &mut VecDeque<Job>) {
        while let Some(job) = inflight.pop_front() {
            let _ = self.requeue.send(job).await;
        }
    }
}

enum End {
    Died,
    QueueClosed,
}
