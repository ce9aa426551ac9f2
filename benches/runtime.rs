//! `kfn runtime serve` for a Python and a Node.js hello function: requests/s and latency at 1
//! and 16 connections (wrk on loopback, access log and metrics on), and cold start (process
//! start to the first 200 of a call).
//!
//! Run: `cargo bench --bench runtime` (needs `wrk`, Debian package `wrk`; prints Markdown).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const KFN: &str = env!("CARGO_BIN_EXE_kfn");

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(dir: &Path, module: &str, handler: &str, runtime: &str, port: u16) -> Server {
    Server(
        Command::new(KFN)
            .args(["runtime", "serve"])
            .env("MOD_NAME", module)
            .env("FUNC_HANDLER", handler)
            .env("FUNC_RUNTIME", runtime)
            .env("FUNC_PORT", port.to_string())
            .env("KUBELESS_INSTALL_VOLUME", dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("kfn runs"),
    )
}

/// One GET /; the status code, if the server answered.
fn get(port: u16) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).ok()?;
    std::str::from_utf8(&buf[..n]).ok()?.split(' ').nth(1)?.parse().ok()
}

fn cold_start(dir: &Path, module: &str, handler: &str, runtime: &str, port: u16) -> Duration {
    let started = Instant::now();
    let _server = start(dir, module, handler, runtime, port);
    loop {
        if get(port) == Some(200) {
            return started.elapsed();
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{runtime} did not answer");
        std::thread::sleep(Duration::from_micros(500));
    }
}

fn wrk(port: u16, connections: u32) -> String {
    let threads = connections.min(2).to_string();
    let out = Command::new("wrk")
        .args([
            "-t",
            &threads,
            "-c",
            &connections.to_string(),
            "-d",
            "10s",
            "--latency",
            &format!("http://127.0.0.1:{port}/"),
        ])
        .output()
        .expect("wrk is installed (apt-get install wrk)");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let find = |prefix: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .map(|l| l.split_whitespace().nth(1).unwrap_or("?").to_string())
            .unwrap_or_default()
    };
    format!(
        "{} req/s, p50 {}, p99 {}",
        find("Requests/sec:"),
        find("50%"),
        find("99%")
    )
}

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1000.0
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("hello.py"),
        "def hello(event, context):\n    return 'hello world'\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("helloget.js"),
        "module.exports = { foo: (event, context) => 'hello world' };\n",
    )
    .unwrap();
    let cases = [
        ("Python", "hello", "hello", "python3.11", 18481u16),
        ("Node.js", "helloget", "foo", "nodejs20", 18482u16),
    ];
    println!("| runtime | connections | throughput and latency (wrk, 10 s) |");
    println!("|---|---|---|");
    for (name, module, handler, runtime, port) in cases {
        let _server = start(dir.path(), module, handler, runtime, port);
        while get(port) != Some(200) {
            std::thread::sleep(Duration::from_millis(10));
        }
        for c in [1, 16] {
            println!("| {name} hello | {c} | {} |", wrk(port, c));
        }
    }
    println!();
    println!("| runtime | cold start, process start to first 200 (median of 20) |");
    println!("|---|---|");
    for (name, module, handler, runtime, port) in cases {
        let times: Vec<Duration> = (0..20)
            .map(|i| cold_start(dir.path(), module, handler, runtime, port + 10 + i))
            .collect();
        println!("| {name} | {:.0} ms |", median(times));
    }
}
