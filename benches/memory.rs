//! Idle memory per replica: the private memory (Private_Clean + Private_Dirty of
//! /proc/PID/smaps_rollup) of `kfn runtime serve` and of each of its workers, for a Python and a
//! Node.js hello, once the replica has answered a call and gone idle.
//!
//! Run: `cargo bench --bench memory` (the release binary); with
//! `KFN_BENCH_BEFORE=/path/to/old/kfn` the old binary is measured side by side in the same run.
//! Prints Markdown.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a replica is left alone after its call before it is measured.
const SETTLE: Duration = Duration::from_secs(3);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn get(port: u16, path: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
        .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    out.split(' ').nth(1)?.parse().ok()
}

/// Private memory of a process in KiB: Private_Clean + Private_Dirty, and Private_Dirty alone
/// (Private_Clean holds the pages of the interpreter's binary that no other process maps).
fn private_kib(pid: u32) -> (u64, u64) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .filter(|l| l.starts_with(name))
            .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .sum::<u64>()
    };
    let dirty = field("Private_Dirty:");
    (field("Private_Clean:") + dirty, dirty)
}

fn children(parent: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            let ppid: u32 = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()?;
            (ppid == parent).then_some(pid)
        })
        .collect()
}

fn start(kfn: &Path, code: &Path, module: &str, runtime: &str, port: u16) -> Child {
    Command::new(kfn)
        .args(["runtime", "serve"])
        .envs([
            ("MOD_NAME", module),
            ("FUNC_HANDLER", "handler"),
            ("FUNC_RUNTIME", runtime),
            ("FUNC_PORT", &port.to_string()),
            ("KFN_BIND", "127.0.0.1"),
        ])
        .env("KUBELESS_INSTALL_VOLUME", code)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("kfn runs")
}

/// The runtime's and its workers' private memory in KiB, idle after one call.
fn measure(kfn: &Path, code: &Path, module: &str, runtime: &str) -> ((u64, u64), Vec<(u64, u64)>) {
    let port = free_port();
    let mut child = start(kfn, code, module, runtime, port);
    let deadline = Instant::now() + Duration::from_secs(30);
    while get(port, "/") != Some(200) {
        assert!(Instant::now() < deadline, "{runtime} did not answer");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(SETTLE);
    let runtime_kib = private_kib(child.id());
    let workers = children(child.id()).into_iter().map(private_kib).collect();
    let _ = child.kill();
    let _ = child.wait();
    (runtime_kib, workers)
}

fn mib((private, dirty): (u64, u64)) -> String {
    format!("{:.1} MiB ({:.1})", private as f64 / 1024.0, dirty as f64 / 1024.0)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("hello.py"),
        "def handler(event, context):\n    return 'hello world'\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("hello.js"),
        "module.exports = { handler: () => 'hello world' };\n",
    )
    .unwrap();
    let mut binaries = vec![("after", std::path::PathBuf::from(env!("CARGO_BIN_EXE_kfn")))];
    if let Some(before) = std::env::var_os("KFN_BENCH_BEFORE") {
        binaries.insert(0, ("before", before.into()));
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "machine: {} cores, load average {} at start",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    println!();
    println!("private memory (Private_Clean + Private_Dirty), and in parentheses Private_Dirty alone");
    println!();
    println!("| replica | binary | `kfn runtime serve` | workers | total |");
    println!("|---|---|---|---|---|");
    for (label, module, runtime) in [
        ("Python hello", "hello", "python3.11"),
        ("Node.js hello", "hello", "nodejs20"),
    ] {
        for (which, kfn) in &binaries {
            let (own, workers) = measure(kfn, dir.path(), module, runtime);
            let total = workers.iter().fold(own, |(p, d), (wp, wd)| (p + wp, d + wd));
            let each: Vec<String> = workers.iter().map(|k| mib(*k)).collect();
            println!(
                "| {label} | {which} | {} | {} × ({}) | {} |",
                mib(own),
                workers.len(),
                each.join(", "),
                mib(total)
            );
        }
    }
}
