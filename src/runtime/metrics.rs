//! Prometheus metrics of a function replica: calls, failures and a duration histogram per
//! method, plus the replica's process metrics (the runtime and its workers together). This is
//! the writer; the one reader of the text, and the metric names, are `runtimes::metrics`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

use crate::runtimes::metrics::{CALLS, CPU_SECONDS, DURATION, FAILURES, RESIDENT_MEMORY};

/// Histogram buckets, seconds (the Prometheus client defaults).
const BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

#[derive(Default, Clone)]
struct MethodStats {
    calls: u64,
    failures: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    methods: Mutex<BTreeMap<String, MethodStats>>,
}

impl Metrics {
    /// Records one call of `method` that took `took`, failed or not.
    pub fn record(&self, method: &str, took: Duration, failed: bool) {
        let secs = took.as_secs_f64();
        let mut methods = self.methods.lock().unwrap_or_else(|p| p.into_inner());
        let stats = match methods.get_mut(method) {
            Some(s) => s,
            None => methods.entry(method.to_string()).or_default(),
        };
        stats.calls += 1;
        stats.failures += u64::from(failed);
        stats.sum += secs;
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            stats.buckets[i] += 1;
        }
    }

    /// The text exposition format, with process metrics for the given pids.
    pub fn render(&self, pids: &[u32]) -> String {
        let methods = self.methods.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let mut out = String::with_capacity(2048);
        let _ = writeln!(
            out,
            "# HELP {DURATION} Duration of user function in seconds\n# TYPE {DURATION} histogram"
        );
        for (m, s) in &methods {
            let mut cumulative = 0;
            for (i, b) in BUCKETS.iter().enumerate() {
                cumulative += s.buckets[i];
                let _ = writeln!(out, "{DURATION}_bucket{{le=\"{b}\",method=\"{m}\"}} {cumulative}");
            }
            let _ = writeln!(out, "{DURATION}_bucket{{le=\"+Inf\",method=\"{m}\"}} {}", s.calls);
            let _ = writeln!(out, "{DURATION}_sum{{method=\"{m}\"}} {}", s.sum);
            let _ = writeln!(out, "{DURATION}_count{{method=\"{m}\"}} {}", s.calls);
        }
        let _ = writeln!(
            out,
            "# HELP {CALLS} Number of calls to user function\n# TYPE {CALLS} counter"
        );
        for (m, s) in &methods {
            let _ = writeln!(out, "{CALLS}{{method=\"{m}\"}} {}", s.calls);
        }
        let _ = writeln!(
            out,
            "# HELP {FAILURES} Number of exceptions in user function\n# TYPE {FAILURES} counter"
        );
        for (m, s) in &methods {
            let _ = writeln!(out, "{FAILURES}{{method=\"{m}\"}} {}", s.failures);
        }
        let usage = process_usage(pids);
        let _ = write!(
            out,
            "# HELP {CPU_SECONDS} Total user and system CPU time of the replica (runtime and workers) in seconds.\n# TYPE {CPU_SECONDS} counter\n{CPU_SECONDS} {}\n# HELP {RESIDENT_MEMORY} Resident memory of the replica (runtime and workers) in bytes.\n# TYPE {RESIDENT_MEMORY} gauge\n{RESIDENT_MEMORY} {}\n# HELP process_start_time_seconds Start time of the runtime since the Unix epoch in seconds.\n# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds {}\n# HELP kfn_workers Language worker processes of the replica.\n# TYPE kfn_workers gauge\nkfn_workers {}\n",
            usage.cpu_seconds,
            usage.rss_bytes,
            usage.start_time,
            pids.len().saturating_sub(1)
        );
        out
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Usage {
    pub cpu_seconds: f64,
    pub rss_bytes: u64,
    pub start_time: f64,
}

/// CPU time and resident memory of some processes, from /proc (zero elsewhere).
pub fn process_usage(pids: &[u32]) -> Usage {
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(1) as u64;
    let boot = std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("btime ").and_then(|v| v.trim().parse::<f64>().ok()))
        })
        .unwrap_or(0.0);
    let mut usage = Usage::default();
    for (i, pid) in pids.iter().enumerate() {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // Fields after the command: state is 0, utime 11, stime 12, starttime 19, rss 21.
        let num = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        usage.cpu_seconds += (num(11) + num(12)) / ticks;
        usage.rss_bytes += num(21) as u64 * page;
        if i == 0 {
            usage.start_time = boot + num(19) / ticks;
        }
    }
    usage
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_failures_and_buckets_per_method() {
        let m = Metrics::default();
        m.record("GET", Duration::from_millis(3), false);
        m.record("GET", Duration::from_millis(30), true);
        m.record("POST", Duration::from_secs(20), false);
        let text = m.render(&[std::process::id()]);
        for line in [
            "function_calls_total{method=\"GET\"} 2",
            "function_failures_total{method=\"GET\"} 1",
            "function_failures_total{method=\"POST\"} 0",
            "function_duration_seconds_bucket{le=\"0.005\",method=\"GET\"} 1",
            "function_duration_seconds_bucket{le=\"0.05\",method=\"GET\"} 2",
            "function_duration_seconds_bucket{le=\"10\",method=\"POST\"} 0",
            "function_duration_seconds_bucket{le=\"+Inf\",method=\"POST\"} 1",
            "function_duration_seconds_count{method=\"GET\"} 2",
        ] {
            assert!(text.contains(line), "{line} in\n{text}");
        }
        assert!(process_usage(&[std::process::id()]).rss_bytes > 0);
    }

    #[test]
    fn the_reader_reads_what_the_writer_writes() {
        use crate::runtimes::metrics::{MethodTotals, by_method, parse, totals};
        let m = Metrics::default();
        m.record("GET", Duration::from_millis(250), false);
        m.record("GET", Duration::from_millis(250), true);
        m.record("POST", Duration::from_millis(500), false);
        let samples = parse(&m.render(&[std::process::id()])).expect("the writer writes Prometheus text");
        let methods = by_method(&samples);
        assert_eq!(
            methods["GET"],
            MethodTotals {
                calls: 2.0,
                failures: 1.0,
                duration_seconds: 0.5
            }
        );
        assert_eq!(methods["POST"].calls, 1.0);
        let t = totals(&samples);
        assert_eq!(t.calls, 3.0);
        assert!(t.rss_bytes > 0.0);
    }
}
