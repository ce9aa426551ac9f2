//! `kfn autoscale simulate`: a trace replayed through the scale-to-zero policies, no engine.

use crate::common::*;

#[test]
fn simulate_replays_a_trace_file_and_a_generated_one() {
    let engine = Engine::new();
    let dir = tempfile::tempdir().unwrap();
    // A timer every 10 minutes: the fixed keep-alive keeps it idle 9 minutes a gap, the reactive
    // policy starts it cold every time, the hybrid one pre-warms it once it has 5 idle times.
    let mut csv = String::from("function,minute,count\n");
    for m in (0..=100).step_by(10) {
        csv.push_str(&format!("timer,{m},1\n"));
    }
    let trace = write(dir.path(), "trace.csv", csv);
    let run = engine.kfn(&["autoscale", "simulate", "--trace", trace.to_str().unwrap()]);
    ok(&run, "simulate --trace");
    assert!(
        run.stdout.starts_with("1 functions, 101 minutes, 11 calls"),
        "{}",
        run.stdout
    );
    for row in [
        "| fixed keep-alive 10m | 11 | 1 | 9.09% | 9.1% | 90 |",
        "| reactive, to zero after 60s | 11 | 11 | 100.00% | 100.0% | 10 |",
        "| hybrid (histogram, else 10m) | 11 | 1 | 9.09% | 9.1% | 45 |",
    ] {
        assert!(run.stdout.contains(row), "{row} in:\n{}", run.stdout);
    }
    assert!(!engine.state().join("engine.json").exists(), "no engine is started");

    let generated = |seed: &str| {
        let run = engine.kfn(&[
            "autoscale",
            "simulate",
            "--generate",
            "mix",
            "--functions",
            "20",
            "--minutes",
            "720",
            "--seed",
            seed,
        ]);
        ok(&run, "simulate --generate");
        run.stdout
    };
    let one = generated("3");
    assert!(one.starts_with("20 functions, 720 minutes"), "{one}");
    assert_eq!(one, generated("3"), "the same seed, the same figures");
}

#[test]
fn simulate_names_what_is_wrong_with_its_input() {
    let engine = Engine::new();
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "bad.csv", "function,minute,count\nf,soon,1\n");
    let run = engine.kfn(&["autoscale", "simulate", "--trace", bad.to_str().unwrap()]);
    fails(&run, "line 2: minute");
    assert!(
        run.stderr.contains("soon") && run.stderr.contains("is not a whole number from 0"),
        "{}",
        run.stderr
    );
    let run = engine.kfn(&["autoscale", "simulate", "--generate", "weekly"]);
    fails(&run, "--generate: unknown trace shape");
    assert!(
        run.stderr
            .contains("expected one of periodic, bursty, poisson, rare, mix"),
        "{}",
        run.stderr
    );
    let missing = engine.kfn(&["autoscale", "simulate"]);
    assert_ne!(missing.code, 0);
    assert!(missing.stderr.contains("--trace"), "{}", missing.stderr);
}
