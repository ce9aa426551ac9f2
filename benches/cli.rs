//! The CLI as a whole process: `kfn function deploy --dryrun`, and deploy and list round trips
//! against a local engine.
//!
//! Run: `cargo bench --bench cli` (release binary, temporary KFN_HOME; prints a Markdown table).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 50;
const KFN: &str = env!("CARGO_BIN_EXE_kfn");

fn kfn(home: &Path, args: &[&str]) -> Duration {
    let start = Instant::now();
    let status = Command::new(KFN)
        .args(args)
        .env("KFN_HOME", home.join("state"))
        .env("HOME", home)
        .env_remove("KUBECONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("kfn runs");
    let elapsed = start.elapsed();
    assert!(status.success(), "kfn {args:?} failed");
    elapsed
}

fn summary(mut times: Vec<Duration>) -> String {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "p50 {:.1} ms, p95 {:.1} ms, min {:.1} ms",
        ms(times[times.len() / 2]),
        ms(times[times.len() * 95 / 100]),
        ms(times[0])
    )
}

fn main() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("test.py");
    std::fs::write(
        &file,
        "def hello(event, context):\n  print(event)\n  return event['data']\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();

    let version: Vec<_> = (0..RUNS).map(|_| kfn(home.path(), &["version"])).collect();
    let dryrun: Vec<_> = (0..RUNS)
        .map(|_| {
            kfn(
                home.path(),
                &[
                    "function",
                    "deploy",
                    "hello",
                    "--runtime",
                    "python3.12",
                    "--from-file",
                    f,
                    "--handler",
                    "test.hello",
                    "--dryrun",
                ],
            )
        })
        .collect();

    // The control plane alone (no replicas started for the 50 functions).
    kfn(home.path(), &["local", "start", "--no-run"]);
    let deploy: Vec<_> = (0..RUNS)
        .map(|i| {
            let name = format!("fn-{i}");
            kfn(
                home.path(),
                &[
                    "function",
                    "deploy",
                    &name,
                    "--runtime",
                    "python3.12",
                    "--from-file",
                    f,
                    "--handler",
                    "test.hello",
                ],
            )
        })
        .collect();
    let list: Vec<_> = (0..RUNS).map(|_| kfn(home.path(), &["function", "ls"])).collect();
    kfn(home.path(), &["local", "reset", "--yes"]);
    kfn(home.path(), &["local", "start"]);
    // Deploy to first answer: deploy --wait, then one call, for a new function each time.
    let first_answer: Vec<_> = (0..10)
        .map(|i| {
            let name = format!("ready-{i}");
            kfn(
                home.path(),
                &[
                    "function",
                    "deploy",
                    &name,
                    "--runtime",
                    "python3.11",
                    "--from-file",
                    f,
                    "--handler",
                    "test.hello",
                    "--wait",
                ],
            ) + kfn(home.path(), &["function", "call", &name])
        })
        .collect();
    let call: Vec<_> = (0..RUNS)
        .map(|_| kfn(home.path(), &["function", "call", "ready-0"]))
        .collect();
    kfn(home.path(), &["local", "stop"]);

    println!("| command (whole process, {RUNS} runs each) | wall time |");
    println!("|---|---|");
    println!("| `kfn version` (process start-up) | {} |", summary(version));
    println!("| `kfn function deploy … --dryrun` | {} |", summary(dryrun));
    println!(
        "| `kfn function deploy …` against the local engine (`--no-run`) | {} |",
        summary(deploy)
    );
    println!(
        "| `kfn function ls` ({RUNS} functions, `--no-run`) | {} |",
        summary(list)
    );
    println!(
        "| deploy to first answer (`deploy --wait` + `call`, Python, 10 runs) | {} |",
        summary(first_answer)
    );
    println!(
        "| `kfn function call` (through the API server's service proxy) | {} |",
        summary(call)
    );
}
