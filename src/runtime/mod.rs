//! `kfn runtime serve`: the process inside every function replica. It serves the function over
//! HTTP on `FUNC_PORT` (any path; `GET /healthz` and `GET /metrics` excepted), hands each call
//! to a pool of language workers, enforces `FUNC_TIMEOUT` from the moment a call arrives, counts calls for Prometheus and
//! writes one access-log line per request.

pub mod accesslog;
pub mod interpreter;
pub mod metrics;
pub mod prepare;
pub mod sizing;
pub mod worker;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;

use crate::runtimes::Language;
use metrics::Metrics;
use worker::{Answer, Deadline, Job, Pool, RequestHead, WorkerSpec};

pub const PYTHON_SHIM: &str = include_str!("shims/python.py");
pub const NODE_SHIM: &str = include_str!("shims/node.js");
/// What a Python worker runs: the shim, read from [`worker::SHIM_FD`].
const PYTHON_BOOT: &str = "exec(compile(open(5,'rb').read(),'kfn-worker.py','exec'))";
/// What a Node.js worker runs: the shim, read from [`worker::SHIM_FD`].
const NODE_BOOT: &str =
    "require('vm').runInThisContext(require('fs').readFileSync(5,'utf8'),{filename:'kfn-worker.js'})";

/// The runtime's configuration, from the Kubeless environment.
#[derive(Clone, Debug)]
pub struct Config {
    pub module: String,
    pub handler: String,
    pub timeout: Duration,
    pub port: u16,
    pub runtime: String,
    pub memory_limit: String,
    pub code_dir: String,
    pub function_name: String,
    /// How many workers, at most, and how long an extra one may idle.
    pub workers: sizing::Sizing,
    pub body_limit: usize,
    pub language: Language,
    pub access_log: bool,
    /// The address to listen on (`KFN_BIND`, default all interfaces as in a pod).
    pub bind: std::net::IpAddr,
    /// The key calls must carry in [`CALL_KEY_HEADER`] (`KFN_CALL_KEY`; the local engine sets it).
    pub call_key: Option<String>,
    /// Each worker's data-size limit in bytes ([`WORKER_MEMORY_ENV`]).
    pub worker_memory: Option<u64>,
}

/// The variable that gives the runtime a memory limit in bytes to set on each language worker as
/// its data-size limit (`RLIMIT_DATA`): the local engine sets it where no cgroup limits memory.
pub const WORKER_MEMORY_ENV: &str = "KFN_WORKER_MEMORY_LIMIT";

/// The variable that gives the runtime its call key; workers do not inherit it.
pub const CALL_KEY_ENV: &str = "KFN_CALL_KEY";

/// The descriptor of a listening socket the runtime serves on instead of binding `FUNC_PORT`
/// itself: the local engine binds the port and hands it over, so no other process can take it
/// in between.
pub const LISTEN_FD_ENV: &str = "KFN_LISTEN_FD";
/// The header the engine sends a replica's call key in.
pub const CALL_KEY_HEADER: &str = "x-kfn-call-key";

impl Config {
    /// The configuration from the environment, with the pool's sizing (from `--workers` /
    /// `KFN_WORKERS` and `--worker-idle` / `KFN_WORKER_IDLE`).
    pub fn from_env(workers: sizing::Sizing) -> Result<Config> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let runtime = var("FUNC_RUNTIME").unwrap_or_default();
        let language = Language::of(&runtime);
        if !language.runs_locally() {
            bail!("FUNC_RUNTIME={runtime:?}: kfn's runtime runs Python (python3.x) and Node.js (nodejsN) functions");
        }
        let module = var("MOD_NAME").context("MOD_NAME is not set: the module of the handler")?;
        let handler = var("FUNC_HANDLER").context("FUNC_HANDLER is not set: the function to call")?;
        // The Function's one timeout rule (whole seconds, at least 1; unset is the default).
        let timeout = crate::api::kinds::Timeout(var("FUNC_TIMEOUT").unwrap_or_default())
            .seconds()
            .map_err(|e| anyhow::anyhow!("FUNC_TIMEOUT: {e}"))?;
        let port = match var("FUNC_PORT") {
            Some(p) => p
                .parse()
                .with_context(|| format!("FUNC_PORT={p:?} is not a port number"))?,
            None => crate::api::kinds::DEFAULT_PORT as u16,
        };
        let body_limit = match var("KFN_BODY_LIMIT") {
            Some(b) => b
                .parse()
                .with_context(|| format!("KFN_BODY_LIMIT={b:?} is not a number of bytes"))?,
            None => 100 * 1024 * 1024,
        };
        let worker_memory = match var(WORKER_MEMORY_ENV) {
            Some(m) => Some(
                m.parse()
                    .ok()
                    .filter(|m| *m > 0)
                    .with_context(|| format!("{WORKER_MEMORY_ENV}={m:?} is not a positive number of bytes"))?,
            ),
            None => None,
        };
        Ok(Config {
            worker_memory,
            function_name: var("KFN_FUNCTION_NAME").unwrap_or_else(|| handler.clone()),
            module,
            handler,
            timeout: Duration::from_secs(timeout),
            port,
            runtime,
            memory_limit: var("FUNC_MEMORY_LIMIT").unwrap_or_else(|| "0".into()),
            code_dir: var("KUBELESS_INSTALL_VOLUME").unwrap_or_else(|| "/kubeless".into()),
            workers,
            body_limit,
            language,
            access_log: var("KFN_ACCESS_LOG").as_deref() != Some("off"),
            call_key: var(CALL_KEY_ENV),
            bind: match var("KFN_BIND") {
                Some(b) => b
                    .parse()
                    .with_context(|| format!("KFN_BIND={b:?} is not an IP address"))?,
                None => std::net::IpAddr::from([0, 0, 0, 0]),
            },
        })
    }

    /// The label value of a method in the metrics: Kubeless's Node.js runtime prefixes the
    /// module name, its Python runtime does not.
    fn metric_label(&self, method: &str) -> String {
        match self.language {
            Language::NodeJs => format!("{}-{method}", self.module),
            Language::Python | Language::Other => method.to_string(),
        }
    }
}

/// Node.js reserves about 50 MiB of data segment at start that it never fills, and V8 commits
/// its young generation in steps: a Node.js worker's data-size limit has this much more room.
const NODE_DATA_SLACK: u64 = 64 << 20;

/// The `RLIMIT_DATA` of a worker for a memory limit of `bytes`.
fn worker_data_limit(language: Language, bytes: u64) -> u64 {
    match language {
        Language::NodeJs => bytes.saturating_add(NODE_DATA_SLACK),
        Language::Python | Language::Other => bytes,
    }
}

struct State {
    config: Config,
    pool: Pool,
    metrics: Metrics,
    next_id: AtomicU64,
    log: accesslog::AccessLog,
}

/// Runs the runtime until SIGTERM or SIGINT.
pub async fn serve(config: Config) -> Result<()> {
    if config.call_key.is_some() {
        // The call key stays out of reach of other processes of the same user (their functions).
        // SAFETY: prctl on this process only.
        unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) };
    }
    let program = interpreter::resolve(config.language, &config.runtime)?;
    // The shim comes on a descriptor of its own; the command line says what the worker is:
    // `python3 -u -c <read the shim> kfn-worker <function> <module.handler>`.
    let (mut args, shim) = match config.language {
        Language::Python => (
            vec!["-u".to_string(), "-c".into(), PYTHON_BOOT.into()],
            (PYTHON_SHIM, c"kfn-worker.py"),
        ),
        Language::NodeJs => (vec!["-e".to_string(), NODE_BOOT.into()], (NODE_SHIM, c"kfn-worker.js")),
        Language::Other => bail!("kfn's runtime has no shim for {}", config.runtime),
    };
    args.extend([
        "kfn-worker".to_string(),
        config.function_name.clone(),
        format!("{}.{}", config.module, config.handler),
    ]);
    let memory = config.worker_memory.map(|bytes| worker::MemoryLimit {
        bytes: worker_data_limit(config.language, bytes),
        text: config.memory_limit.clone(),
    });
    if let (Language::NodeJs, Some(bytes)) = (config.language, config.worker_memory) {
        // V8's heap stops at the limit (and aborts past it, which the pool reports).
        args.insert(0, format!("--max-old-space-size={}", (bytes >> 20).max(16)));
    }
    let mut env: Vec<(String, String)> = vec![("KFN_FUNCTION_NAME".into(), config.function_name.clone())];
    if config.language == Language::Python {
        env.push(("PYTHONUNBUFFERED".into(), "1".into()));
    }
    let spec = WorkerSpec {
        program,
        args,
        shim,
        env,
        timeout: config.timeout,
        memory,
    };
    let sizing = config.workers;
    eprintln!(
        "kfn runtime: one worker to start; up to {} while calls wait (KFN_WORKERS{}); an extra worker retires when not needed for {} s (KFN_WORKER_IDLE)",
        sizing.max,
        if sizing.max_is_default {
            ", default: one per core"
        } else {
            ""
        },
        sizing.idle.as_secs_f64()
    );
    let pool = worker::pool(spec, sizing);
    let addr = SocketAddr::new(config.bind, config.port);
    let listener = match std::env::var(LISTEN_FD_ENV).ok() {
        Some(fd) => inherited_listener(&fd)?,
        None => tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on port {} (FUNC_PORT)", config.port))?,
    };
    let state = Arc::new(State {
        log: accesslog::AccessLog::start(config.access_log),
        config,
        pool,
        metrics: Metrics::default(),
        next_id: AtomicU64::new(1),
    });

    // A function that cannot load is fatal: say why and exit, so the replica is restarted and
    // its status shows the reason.
    let mut fatal = state.pool.fatal.clone();
    let mut ready = state.pool.ready.clone();
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    // On SIGTERM: go on accepting for KFN_DRAIN_SECONDS (on a cluster, calls routed before the
    // endpoints change still arrive for a moment), then stop accepting and let the calls in
    // progress finish (idle connections close at once); whoever stops the replica bounds the wait.
    let connections = hyper_util::server::graceful::GracefulShutdown::new();
    let drain = std::env::var("KFN_DRAIN_SECONDS")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(Duration::from_secs_f64);
    let mut stop_at: Option<tokio::time::Instant> = None;
    loop {
        let stopping = async {
            match stop_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = &mut shutdown, if stop_at.is_none() => {
                match drain {
                    Some(d) => stop_at = Some(tokio::time::Instant::now() + d),
                    None => {
                        drop(listener);
                        connections.shutdown().await;
                        return Ok(());
                    }
                }
            }
            _ = stopping => {
                drop(listener);
                connections.shutdown().await;
                return Ok(());
            }
            _ = fatal.changed() => {
                if *ready.borrow_and_update() == 0
                    && let Some(why) = fatal.borrow().clone() {
                        bail!("{why}");
                    }
            }
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let state = state.clone();
                let service = hyper::service::service_fn(move |req| handle(state.clone(), peer, req));
                let connection = hyper::server::conn::http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
                let connection = connections.watch(connection);
                tokio::spawn(async move {
                    let _ = connection.await;
                });
            }
        }
    }
}

fn text_response(status: u16, body: &'static str, content_type: &'static str) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

async fn handle(
    state: Arc<State>,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let referer = req
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let resp = if !admitted(&state.config, &req) {
        text_response(
            403,
            "this replica takes calls only through the kfn engine",
            "text/plain; charset=utf-8",
        )
    } else if method == http::Method::GET && path == "/healthz" {
        // Healthy from the first load on: calls wait while the pool replaces a worker that died.
        if *state.pool.ready.borrow() > 0 || state.pool.loaded.load(Ordering::SeqCst) {
            text_response(200, "OK", "text/plain; charset=utf-8")
        } else {
            text_response(
                503,
                "no worker has loaded the function yet",
                "text/plain; charset=utf-8",
            )
        }
    } else if method == http::Method::GET && path == "/metrics" {
        let pids = state.pool.pids.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let mut resp = Response::new(Full::new(Bytes::from(state.metrics.render(&pids))));
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        );
        resp
    } else {
        let answer = call(&state, req).await;
        let label = state.config.metric_label(method.as_str());
        // A call that timed out (408) failed too.
        state
            .metrics
            .record(&label, started.elapsed(), answer.failed || answer.status == 408);
        let mut resp = Response::new(Full::new(answer.body));
        *resp.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        for (k, v) in answer.headers {
            if let (Ok(k), Ok(v)) = (header::HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_str(&v)) {
                resp.headers_mut().append(k, v);
            }
        }
        resp
    };
    // Probes and scrapes are not calls: they stay out of the access log.
    let probe = method == http::Method::GET && (path == "/healthz" || path == "/metrics");
    let bytes = http_body::Body::size_hint(resp.body()).exact().unwrap_or(0);
    if !probe {
        state.log.line(
            peer,
            &method,
            &path,
            resp.status().as_u16(),
            bytes,
            &referer,
            &user_agent,
            started.elapsed(),
        );
    }
    Ok(resp)
}

/// Whether a request may reach the function: probes always; calls only with the replica's call
/// key when the engine gave it one.
fn admitted(config: &Config, req: &Request<Incoming>) -> bool {
    let probe = req.method() == http::Method::GET && matches!(req.uri().path(), "/healthz" | "/metrics");
    match &config.call_key {
        Some(key) if !probe => req
            .headers()
            .get(CALL_KEY_HEADER)
            .is_some_and(|v| v.as_bytes() == key.as_bytes()),
        _ => true,
    }
}

async fn call(state: &State, req: Request<Incoming>) -> Answer {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, state.config.body_limit).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
            return Answer {
                status: 413,
                headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
                body: Bytes::from(format!(
                    "request body over the limit of {} bytes",
                    state.config.body_limit
                )),
                failed: false,
            };
        }
        Err(_) => {
            return Answer {
                status: 400,
                headers: vec![],
                body: Bytes::from_static(b"the request body could not be read"),
                failed: false,
            };
        }
    };
    // The call has arrived: its time starts now, whatever it waits for.
    let deadline = Deadline::after(state.config.timeout);
    let headers = parts
        .headers
        .iter()
        .filter(|(k, _)| k.as_str() != CALL_KEY_HEADER)
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let head = RequestHead {
        id: state.next_id.fetch_add(1, Ordering::Relaxed),
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers,
        deadline: deadline.monotonic,
    };
    let (reply, answer) = tokio::sync::oneshot::channel();
    let job = Job {
        head,
        body,
        reply,
        deadline,
    };
    let answered = async {
        if state.pool.submit(job).await.is_err() {
            return Answer {
                status: 503,
                headers: vec![],
                body: Bytes::from_static(b"the runtime is stopping"),
                failed: false,
            };
        }
        answer.await.unwrap_or(Answer {
            status: 503,
            headers: vec![],
            body: Bytes::from_static(b"the runtime is stopping"),
            failed: false,
        })
    };
    // The caller waits no longer than the timeout, queued or running; the pool drops a call
    // whose caller has its 408 before it runs, or kills the worker running it.
    match tokio::time::timeout_at(deadline.at.into(), answered).await {
        Ok(answer) => answer,
        Err(_) => Answer {
            status: 408,
            headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
            body: Bytes::from_static(worker::TIMEOUT_TEXT.as_bytes()),
            failed: false,
        },
    }
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("a SIGTERM handler can be installed");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

/// The listening socket handed over as descriptor `fd` (see [`LISTEN_FD_ENV`]); it is not
/// passed on to the workers.
fn inherited_listener(fd: &str) -> Result<tokio::net::TcpListener> {
    use std::os::fd::FromRawFd;
    let fd: i32 = fd
        .parse()
        .ok()
        .filter(|fd| *fd >= 0)
        .with_context(|| format!("{LISTEN_FD_ENV}={fd:?} is not a file descriptor"))?;
    // Checked before taking it over: wrapping (and so closing) a descriptor that is not the
    // socket would close one of this process's own.
    let mut listening: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: getsockopt and fcntl on a descriptor number, with buffers of the right size;
    // they fail cleanly when it is not an open socket.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_ACCEPTCONN,
            (&mut listening as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    if rc != 0 || listening == 0 {
        anyhow::bail!("{LISTEN_FD_ENV}={fd} is not a listening socket");
    }
    // SAFETY: as above.
    if unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) } < 0 {
        anyhow::bail!("{LISTEN_FD_ENV}={fd}: {}", std::io::Error::last_os_error());
    }
    // SAFETY: the descriptor is open and ours alone from here on (the engine passed it for this).
    let listener = unsafe { std::net::TcpListener::from_raw_fd(fd) };
    listener
        .local_addr()
        .and_then(|_| listener.set_nonblocking(true))
        .and_then(|_| tokio::net::TcpListener::from_std(listener))
        .with_context(|| format!("{LISTEN_FD_ENV}={fd} is not a listening TCP socket"))
}
