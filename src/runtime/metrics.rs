//! Prometheus metrics of a function replica: calls, failures and a duration histogram per
//! method, plus the replica's process metrics (the runtime and its workers together).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

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
        out.push_str("# HELP function_duration_seconds Duration of user function in seconds\n# TYPE function_duration_seconds histogram\n");
        for (m, s) in &methods {
            let mut cumulative = 0;
            for (i, b) in BUCKETS.iter().enumerate() {
                cumulative += s.buckets[i];
                let _ = writeln!(
                    out,
                    "function_duration_seconds_bucket{{le=\"{b}\",method=\"{m}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "function_duration_seconds_bucket{{le=\"+Inf\",method=\"{m}\"}} {}",
                s.calls
            );
            let _ = writeln!(out, "function_duration_seconds_sum{{method=\"{m}\"}} {}", s.sum);
            let _ = writeln!(out, "function_duration_seconds_count{{method=\"{m}\"}} {}", s.calls);
        }
        out.push_str(
            "# HELP function_calls_total Number of calls to user function\n# TYPE function_calls_total counter\n",
        );
        for (m, s) in &methods {
            let _ = writeln!(out, "function_calls_total{{method=\"{m}\"}} {}", s.calls);
        }
        out.push_str("# HELP function_failures_total Number of exceptions in user function\n# TYPE function_failures_total counter\n");
        for (m, s) in &methods {
            let _ = writeln!(out, "function_failures_total{{method=\"{m}\"}} {}", s.failures);
        }
        let usage = process_usage(pids);
        let _ = write!(
            out,
            "# HELP process_cpu_seconds_total Total user and system CPU time of the replica (runtime and workers) in seconds.\n# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total {}\n# HELP process_resident_memory_bytes Resident memory of the replica (runtime and workers) in bytes.\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes {}\n# HELP process_start_time_seconds Start time of the runtime since the Unix epoch in seconds.\n# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds {}\n# HELP kfn_workers Language worker processes of the replica.\n# TYPE kfn_workers gauge\nkfn_workers {}\n",
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
}

/// The totals a replica's `/metrics` text gives: calls (all methods), CPU seconds, RSS bytes.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Totals {
    pub calls: f64,
    pub cpu_seconds: f64,
    pub rss_bytes: f64,
}

/// Reads [`Totals`] from Prometheus text.
pub fn totals(text: &str) -> Totals {
    let mut t = Totals::default();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some((series, value)) = line.rsplit_once(' ') else {
            continue;
        };
        let Ok(value) = value.parse::<f64>() else { continue };
        let metric = series.split('{').next().unwrap_or(series);
        match metric {
            "function_calls_total" => t.calls += value,
            "process_cpu_seconds_total" => t.cpu_seconds = value,
            "process_resident_memory_bytes" => t.rss_bytes = value,
            _ => {}
        }
    }
    t
}

/// One method's call totals, as a replica's `/metrics` gives them; the local engine keeps those
/// of replicas that are gone in a Function's `status.retiredCalls`, so `top` counts them too.
#[derive(Debug, Default, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MethodTotals {
    pub calls: f64,
    pub failures: f64,
    pub duration_seconds: f64,
}

impl MethodTotals {
    pub fn add(&mut self, other: &MethodTotals) {
        self.calls += other.calls;
        self.failures += other.failures;
        self.duration_seconds += other.duration_seconds;
    }
}

/// The call totals per `method` label of Prometheus text (series of several texts add up);
/// `None` when a line is not `series value`.
pub fn by_method(text: &str) -> Option<BTreeMap<String, MethodTotals>> {
    let mut methods: BTreeMap<String, MethodTotals> = BTreeMap::new();
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (series, value) = line.rsplit_once(' ')?;
        let value: f64 = value.parse().ok()?;
        let (metric, labels) = match series.split_once('{') {
            Some((m, l)) => (m, l.trim_end_matches('}')),
            None => (series, ""),
        };
        let method = || {
            labels
                .split(',')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| k.trim() == "method")
                .map(|(_, v)| v.trim().trim_matches('"').to_string())
                .unwrap_or_default()
        };
        if !matches!(
            metric,
            "function_calls_total" | "function_failures_total" | "function_duration_seconds_sum"
        ) {
            continue;
        }
        let totals = methods.entry(method()).or_default();
        match metric {
            "function_calls_total" => totals.calls += value,
            "function_failures_total" => totals.failures += value,
            _ => totals.duration_seconds += value,
        }
    }
    Some(methods)
}

#[cfg(test)]
mod totals_tests {
    #[test]
    fn totals_add_up_methods() {
        let text = "function_calls_total{method=\"GET\"} 3\nfunction_calls_total{method=\"POST\"} 2\nprocess_cpu_seconds_total 1.5\nprocess_resident_memory_bytes 1000\n";
        let t = super::totals(text);
        assert_eq!((t.calls, t.cpu_seconds, t.rss_bytes), (5.0, 1.5, 1000.0));
    }

    #[test]
    fn calls_add_up_per_method_across_texts() {
        let one = "# TYPE x counter\nfunction_calls_total{method=\"GET\"} 3\nfunction_failures_total{method=\"GET\"} 1\nfunction_duration_seconds_sum{method=\"GET\"} 0.5\n";
        let two = "function_calls_total{method=\"GET\"} 2\nfunction_calls_total{method=\"POST\"} 1\n";
        let methods = super::by_method(&format!("{one}{two}")).unwrap();
        assert_eq!(
            methods["GET"],
            super::MethodTotals {
                calls: 5.0,
                failures: 1.0,
                duration_seconds: 0.5
            }
        );
        assert_eq!(methods["POST"].calls, 1.0);
        assert!(super::by_method("garbage").is_none());
    }
}
