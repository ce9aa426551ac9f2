//! `kfn runtime serve` for a Python and a Node.js hello function, side by side with a minimal
//! Rust hyper hello server (the ceiling: what one HTTP server does on this machine with no
//! function behind it), and, with `KFN_BENCH_BEFORE=/path/to/an/older/kfn`, with an older kfn in
//! the same run. For each server and each of 1, 16 and 64 connections: wrk on loopback (a warm-up
//! first, then the measured run), the server's CPU per request (user + system time of the runtime
//! and its workers over the run, divided by the requests served) and the load average before and
//! after. Then cold start: process start to the first 200 of a call.
//!
//! Run: `cargo bench --bench runtime` (needs `wrk`, Debian package `wrk`; prints Markdown).
//! `KFN_BENCH_SECONDS` sets the length of each measured run (default 10), `KFN_BENCH_ONLY` a
//! comma-separated subset of `hyper,python,node`.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const KFN: &str = env!("CARGO_BIN_EXE_kfn");

/// The argument that makes this benchmark binary the hyper hello server.
const HYPER_ARG: &str = "--hyper-hello";

/// The figures of Kubeless's own runtimes measured on this kind of machine (issue 17); Kubeless
/// cannot run here (it needs a container registry), so they are not measured in this run.
const ANCHORS: &[(&str, &str, f64)] = &[
    ("Python", "req/s at 16 connections", 203.0),
    ("Node.js", "req/s at 16 connections", 1258.0),
    ("Node.js", "req/s at 1 connection", 1232.0),
    ("Python", "cold start, ms", 376.0),
    ("Node.js", "cold start, ms", 175.0),
];

const CONNECTIONS: [u32; 3] = [1, 16, 64];
const WARM_UP: Duration = Duration::from_secs(3);
const COLD_STARTS: usize = 20;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Lang {
    Python,
    Node,
}

impl Lang {
    fn name(self) -> &'static str {
        match self {
            Lang::Python => "Python",
            Lang::Node => "Node.js",
        }
    }
}

/// What serves: a kfn binary with a function, or the hyper hello.
#[derive(Clone)]
enum Target {
    Kfn {
        label: &'static str,
        bin: PathBuf,
        lang: Lang,
    },
    Hyper,
}

impl Target {
    fn name(&self) -> String {
        match self {
            Target::Kfn { label, lang, .. } => format!("kfn {label}, {} hello", lang.name()),
            Target::Hyper => "Rust hyper hello (ceiling)".into(),
        }
    }

    fn start(&self, dir: &Path, port: u16) -> Server {
        let mut cmd = match self {
            Target::Kfn { bin, lang, .. } => {
                let (module, handler, runtime) = match lang {
                    Lang::Python => ("hello", "hello", "python3.11"),
                    Lang::Node => ("helloget", "foo", "nodejs20"),
                };
                let mut cmd = Command::new(bin);
                cmd.args(["runtime", "serve"])
                    .env("MOD_NAME", module)
                    .env("FUNC_HANDLER", handler)
                    .env("FUNC_RUNTIME", runtime)
                    .env("KFN_BIND", "127.0.0.1")
                    .env("KUBELESS_INSTALL_VOLUME", dir);
                cmd
            }
            Target::Hyper => {
                let mut cmd = Command::new(std::env::current_exe().expect("the benchmark's own path"));
                cmd.arg(HYPER_ARG);
                cmd
            }
        };
        Server(
            cmd.env("FUNC_PORT", port.to_string())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("the server starts"),
        )
    }
}

/// A minimal hyper 1 server answering `hello world` to any request on `FUNC_PORT`, on a
/// multi-threaded tokio runtime (one thread per core), as kfn's runtime serves.
fn hyper_hello() {
    use http_body_util::Full;
    use hyper::body::Bytes;
    let port: u16 = std::env::var("FUNC_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .expect("FUNC_PORT is a port number");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("the port is free");
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(|_req| async {
                    Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(Bytes::from_static(
                        b"hello world",
                    ))))
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
}

/// A port nobody listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
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

fn wait_ready(name: &str, port: u16, server: &mut Server) {
    let started = Instant::now();
    while get(port) != Some(200) {
        if let Ok(Some(status)) = server.0.try_wait() {
            panic!("{name} exited before answering: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{name} did not answer within 30 s"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn cold_start(target: &Target, dir: &Path) -> Duration {
    let port = free_port();
    let started = Instant::now();
    let mut server = target.start(dir, port);
    wait_ready(&target.name(), port, &mut server);
    started.elapsed()
}

/// User + system CPU time of `root` and all its descendants, in clock ticks.
fn cpu_ticks(root: u32) -> u64 {
    let mut procs: HashMap<u32, (u32, u64)> = HashMap::new();
    for entry in std::fs::read_dir("/proc").expect("/proc is mounted").flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // The command name in parentheses may hold spaces: fields are counted after it.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let num = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
        // After the name: state (field 3), ppid (4), …, utime (14), stime (15).
        procs.insert(pid, (num(1) as u32, num(11) + num(12)));
    }
    let mut total = 0;
    let mut todo = vec![root];
    while let Some(pid) = todo.pop() {
        total += procs.get(&pid).map_or(0, |p| p.1);
        todo.extend(procs.iter().filter(|(_, p)| p.0 == pid).map(|(c, _)| *c));
    }
    total
}

fn clock_ticks_per_second() -> f64 {
    // SAFETY: sysconf only reads a configuration value.
    (unsafe { libc::sysconf(libc::_SC_CLK_TCK) }) as f64
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn wrk_args(port: u16, connections: u32, duration: Duration) -> Vec<String> {
    vec![
        "-t".into(),
        connections.min(2).to_string(),
        "-c".into(),
        connections.to_string(),
        "-d".into(),
        format!("{}s", duration.as_secs()),
        "--latency".into(),
        format!("http://127.0.0.1:{port}/"),
    ]
}

/// wrk's figures for one run.
struct Run {
    rate: f64,
    p50: String,
    p99: String,
    errors: String,
    cpu_per_request_us: f64,
    load_before: String,
    load_after: String,
}

fn wrk(port: u16, connections: u32, duration: Duration) -> String {
    let out = Command::new("wrk")
        .args(wrk_args(port, connections, duration))
        .output()
        .unwrap_or_else(|e| panic!("wrk does not run ({e}): install it (apt-get install wrk)"));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "wrk failed ({}): {text}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

fn measure(pid: u32, port: u16, connections: u32, duration: Duration) -> Run {
    // Warm up (a lazy pool grows to the load), then measure.
    wrk(port, connections, WARM_UP);
    let load_before = loadavg();
    let cpu_before = cpu_ticks(pid);
    let text = wrk(port, connections, duration);
    let cpu = cpu_ticks(pid) - cpu_before;
    let load_after = loadavg();
    let line = |prefix: &str| text.lines().find(|l| l.trim_start().starts_with(prefix)).unwrap_or("");
    let word = |prefix: &str, n: usize| line(prefix).split_whitespace().nth(n).unwrap_or("?").to_string();
    let requests: u64 = text
        .lines()
        .find(|l| l.contains(" requests in "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("wrk printed no request count: {text}"));
    let mut errors = Vec::new();
    if !line("Non-2xx").is_empty() {
        errors.push(format!("{} non-2xx", word("Non-2xx", 4)));
    }
    if !line("Socket errors").is_empty() {
        errors.push(line("Socket errors").trim().to_string());
    }
    Run {
        rate: word("Requests/sec:", 1).parse().unwrap_or(0.0),
        p50: word("50%", 1),
        p99: word("99%", 1),
        errors: if errors.is_empty() {
            "none".into()
        } else {
            errors.join("; ")
        },
        cpu_per_request_us: cpu as f64 / clock_ticks_per_second() * 1e6 / requests.max(1) as f64,
        load_before,
        load_after,
    }
}

fn version(program: &str, arg: &str) -> String {
    Command::new(program)
        .arg(arg)
        .output()
        .map(|o| {
            let text = if o.stdout.is_empty() { o.stderr } else { o.stdout };
            String::from_utf8_lossy(&text)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        })
        .unwrap_or_else(|e| format!("not found ({e})"))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some(HYPER_ARG) {
        return hyper_hello();
    }
    let seconds: u64 = match std::env::var("KFN_BENCH_SECONDS") {
        Ok(s) => s
            .parse()
            .ok()
            .filter(|s| *s > 0)
            .unwrap_or_else(|| panic!("KFN_BENCH_SECONDS={s:?} is not a positive number of seconds")),
        Err(_) => 10,
    };
    let duration = Duration::from_secs(seconds);
    let only: Vec<String> = std::env::var("KFN_BENCH_ONLY")
        .unwrap_or_else(|_| "hyper,python,node".into())
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    for o in &only {
        assert!(
            ["hyper", "python", "node"].contains(&o.as_str()),
            "KFN_BENCH_ONLY={o:?}: accepted are hyper, python and node, comma-separated"
        );
    }
    let before = std::env::var_os("KFN_BENCH_BEFORE").map(PathBuf::from);
    if let Some(b) = &before {
        assert!(
            b.is_file(),
            "KFN_BENCH_BEFORE={}: no such file (an older kfn binary)",
            b.display()
        );
    }
    // Fail now, with the reason, rather than after the servers started.
    version("wrk", "-v")
        .starts_with("wrk")
        .then_some(())
        .expect("wrk is not installed: apt-get install wrk");

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

    let mut targets = Vec::new();
    if only.iter().any(|o| o == "hyper") {
        targets.push(Target::Hyper);
    }
    for (key, lang) in [("python", Lang::Python), ("node", Lang::Node)] {
        if !only.iter().any(|o| o == key) {
            continue;
        }
        if let Some(b) = &before {
            targets.push(Target::Kfn {
                label: "before",
                bin: b.clone(),
                lang,
            });
        }
        targets.push(Target::Kfn {
            label: if before.is_some() { "after" } else { "this build" },
            bin: KFN.into(),
            lang,
        });
    }

    println!("Conditions:");
    println!();
    println!("- date: {}", version("date", "-u"));
    println!(
        "- cores: {}; load average at start: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        loadavg()
    );
    println!("- kernel: {}", version("uname", "-r"));
    println!(
        "- python3: {}; node: {}",
        version("python3", "--version"),
        version("node", "--version")
    );
    println!("- wrk: {}", version("wrk", "-v"));
    println!("- kfn (this build): {KFN}");
    if let Some(b) = &before {
        println!("- kfn before: {}", b.display());
    }
    println!(
        "- each run: `wrk {}` after a {} s warm-up with the same connections",
        wrk_args(0, 16, duration)
            .join(" ")
            .replace(":0/", ":PORT/")
            .replace("-c 16", "-c C")
            .replace("-t 2", "-t min(C,2)"),
        WARM_UP.as_secs()
    );
    println!();

    let mut servers: Vec<(Target, u16, Server)> = targets
        .iter()
        .map(|t| {
            let port = free_port();
            let mut server = t.start(dir.path(), port);
            wait_ready(&t.name(), port, &mut server);
            (t.clone(), port, server)
        })
        .collect();

    println!(
        "| server | connections | req/s | p50 | p99 | CPU per request (server and its workers) | share of the hyper ceiling | errors | load average before → after |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut rates: HashMap<(String, u32), f64> = HashMap::new();
    for c in CONNECTIONS {
        let mut ceiling = None;
        for (target, port, server) in servers.iter_mut() {
            let run = measure(server.0.id(), *port, c, duration);
            if matches!(target, Target::Hyper) {
                ceiling = Some(run.rate);
            }
            rates.insert((target.name(), c), run.rate);
            let share = ceiling.map_or("—".into(), |h| format!("{:.2}", run.rate / h));
            println!(
                "| {} | {c} | {:.0} | {} | {} | {:.1} µs | {share} | {} | {} → {} |",
                target.name(),
                run.rate,
                run.p50,
                run.p99,
                run.cpu_per_request_us,
                run.errors,
                run.load_before,
                run.load_after
            );
        }
    }
    drop(servers);
    println!();

    println!("| server | cold start, process start to first 200 (median of {COLD_STARTS}) |");
    println!("|---|---|");
    let mut cold: HashMap<String, f64> = HashMap::new();
    for target in targets.iter().filter(|t| !matches!(t, Target::Hyper)) {
        let times: Vec<Duration> = (0..COLD_STARTS).map(|_| cold_start(target, dir.path())).collect();
        let ms = median(times).as_secs_f64() * 1000.0;
        cold.insert(target.name(), ms);
        println!("| {} | {ms:.0} ms |", target.name());
    }
    println!();

    println!("| kfn against the Kubeless anchor (issue 17's figure, not this run) | anchor | kfn | ratio |");
    println!("|---|---|---|---|");
    for target in &targets {
        let Target::Kfn { lang, .. } = target else { continue };
        for (anchor_lang, what, anchor) in ANCHORS {
            if *anchor_lang != lang.name() {
                continue;
            }
            let kfn = match *what {
                "req/s at 16 connections" => rates.get(&(target.name(), 16)).copied(),
                "req/s at 1 connection" => rates.get(&(target.name(), 1)).copied(),
                _ => cold.get(&target.name()).copied(),
            };
            let Some(kfn) = kfn else { continue };
            let ratio = if what.starts_with("cold") {
                anchor / kfn
            } else {
                kfn / anchor
            };
            let sense = if what.starts_with("cold") { " faster" } else { "" };
            println!(
                "| {}: {what} | {anchor:.0} | {kfn:.0} | {ratio:.1}×{sense} |",
                target.name()
            );
        }
    }
}
