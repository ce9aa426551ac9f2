//! Starting, finding and stopping the engine as a background process.

use std::net::TcpStream;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::state::{EngineInfo, StateDir};

/// What `status` found.
pub enum Status {
    Running(EngineInfo),
    /// Not running; `stale` holds the pid of a crashed engine whose files were cleaned up.
    Stopped {
        stale: Option<u32>,
    },
}

fn alive(pid: u32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    let rc = unsafe { libc::kill(pid as libc::pid_t, 0) };
    let exists = rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    // An exited engine stays a zombie until its parent reaps it; it is not running.
    exists && !zombie(pid)
}

fn zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            stat.rsplit_once(')')
                .map(|(_, rest)| rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(false)
}

/// Whether the engine accepts connections at `address`.
pub fn healthy(address: &str) -> bool {
    address
        .parse()
        .is_ok_and(|addr| TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok())
}

/// Finds the engine of a state directory, cleaning up after one that crashed.
pub fn status(state: &StateDir) -> Status {
    match state.read_info() {
        Some(info) if alive(info.pid) => Status::Running(info),
        Some(info) => {
            state.remove_info();
            Status::Stopped { stale: Some(info.pid) }
        }
        None => Status::Stopped { stale: None },
    }
}

/// Starts the engine in the background unless it runs already. Returns its info and whether
/// this call started it.
pub fn start(state: &StateDir, options: super::ServeOptions) -> Result<(EngineInfo, bool)> {
    if let Status::Running(info) = status(state) {
        return Ok((info, false));
    }
    state.ensure()?;
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(state.log_file())
        .with_context(|| format!("cannot open {}", state.log_file().display()))?;
    let exe = std::env::current_exe().context("cannot find the kfn binary to start the engine")?;
    let mut cmd = Command::new(exe);
    cmd.args(["local", "serve"])
        .env("KFN_HOME", &state.root)
        .env_remove("RUST_BACKTRACE");
    if let Some(port) = options.port {
        cmd.args(["--port", &port.to_string()]);
    }
    if options.no_run {
        cmd.arg("--no-run");
    }
    if let Some(url) = &options.nats {
        cmd.args(["--nats", url]);
    }
    if let Some(brokers) = &options.kafka {
        cmd.args(["--kafka", brokers.as_str()]);
    }
    cmd.stdin(Stdio::null()).stdout(log.try_clone()?).stderr(log);
    // SAFETY: setsid only detaches the child from our session; it is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            // Descriptors this shell handed kfn do not live on in the engine.
            libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, libc::CLOSE_RANGE_CLOEXEC);
            Ok(())
        });
    }
    let mut child = cmd.spawn().context("cannot start the local engine")?;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(info) = state.read_info().filter(|i| i.pid == child.id())
            && healthy(&info.address)
        {
            return Ok((info, true));
        }
        if let Some(exit) = child.try_wait()? {
            bail!("the local engine exited at start ({exit}):\n{}", log_tail(state, 10));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            bail!("the local engine did not answer within 20 s:\n{}", log_tail(state, 10));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The last lines of the engine's log, for error messages.
pub fn log_tail(state: &StateDir, lines: usize) -> String {
    let text = std::fs::read_to_string(state.log_file()).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Stops a running engine: SIGTERM, then SIGKILL if it has not exited after `grace`.
/// Returns the pid it stopped, or `None` when none was running.
pub fn stop(state: &StateDir, grace: Duration) -> Result<Option<u32>> {
    let Status::Running(info) = status(state) else {
        return Ok(None);
    };
    let pid = info.pid as libc::pid_t;
    // SAFETY: sending a signal to the engine's pid.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    let deadline = Instant::now() + grace;
    while alive(info.pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    if alive(info.pid) {
        // SAFETY: as above.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        while alive(info.pid) {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    state.remove_info();
    Ok(Some(info.pid))
}
