//! The Prometheus text a function replica serves on `/metrics`, read: the one reader of that
//! format, for the local engine (the autoscaler's rates, the calls a stopping replica answered)
//! and for the client (`kfn function top`). The writer (`runtime::metrics`) takes its metric
//! names from here, so the two cannot drift apart.
//!
//! It sits in `runtimes`, what a runtime is, because src/layers.rs lets both `engine` and
//! `client` (and `runtime`, the writer) use that module and it uses nothing itself; `api` is open
//! to both as well, but it holds the kubeless.io objects, and this is the runtime's contract.

use std::collections::BTreeMap;

/// Calls per `method` label.
pub const CALLS: &str = "function_calls_total";
/// Calls that failed, per `method` label.
pub const FAILURES: &str = "function_failures_total";
/// The call-duration histogram (`_bucket`, `_sum`, `_count`), per `method` label.
pub const DURATION: &str = "function_duration_seconds";
/// CPU seconds of the replica (the runtime and its workers).
pub const CPU_SECONDS: &str = "process_cpu_seconds_total";
/// Resident memory of the replica, bytes.
pub const RESIDENT_MEMORY: &str = "process_resident_memory_bytes";

/// One line of Prometheus text: `name{label="value",…} value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: f64,
}

impl Sample {
    /// The value of label `key`, if the sample has it.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// A line of Prometheus text that is not `series value`.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("line {line} of the metrics is not `name{{labels}} value`: {text:?}")]
pub struct ParseError {
    pub line: usize,
    pub text: String,
}

/// Reads Prometheus text exposition: every sample, comments and blank lines skipped.
pub fn parse(text: &str) -> Result<Vec<Sample>, ParseError> {
    let mut samples = Vec::new();
    for (at, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || ParseError {
            line: at + 1,
            text: line.to_string(),
        };
        let (series, value) = line.rsplit_once(' ').ok_or_else(bad)?;
        let value: f64 = value.parse().map_err(|_| bad())?;
        let (name, labels) = match series.split_once('{') {
            Some((m, l)) => (m, l.trim_end_matches('}')),
            None => (series, ""),
        };
        let labels = labels
            .split(',')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().trim_matches('"').to_string()))
            .collect();
        samples.push(Sample {
            name: name.to_string(),
            labels,
            value,
        });
    }
    Ok(samples)
}

/// One method's call totals, as a replica's `/metrics` gives them; the local engine keeps those
/// of replicas that are gone in a Function's `status.retiredCalls`, in this shape, so `top`
/// counts them too.
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

/// The call totals per `method` label (series of several replicas add up).
pub fn by_method(samples: &[Sample]) -> BTreeMap<String, MethodTotals> {
    let duration_sum = format!("{DURATION}_sum");
    let mut methods: BTreeMap<String, MethodTotals> = BTreeMap::new();
    for s in samples {
        let add: fn(&mut MethodTotals, f64) = match s.name.as_str() {
            CALLS => |t, v| t.calls += v,
            FAILURES => |t, v| t.failures += v,
            n if n == duration_sum => |t, v| t.duration_seconds += v,
            _ => continue,
        };
        add(
            methods
                .entry(s.label("method").unwrap_or_default().to_string())
                .or_default(),
            s.value,
        );
    }
    methods
}

/// The totals of one replica's metrics: calls (all methods), CPU seconds, resident bytes.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Totals {
    pub calls: f64,
    pub cpu_seconds: f64,
    pub rss_bytes: f64,
}

/// Reads [`Totals`] from one replica's samples.
pub fn totals(samples: &[Sample]) -> Totals {
    let mut t = Totals::default();
    for s in samples {
        match s.name.as_str() {
            CALLS => t.calls += s.value,
            CPU_SECONDS => t.cpu_seconds = s.value,
            RESIDENT_MEMORY => t.rss_bytes = s.value,
            _ => {}
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_have_names_labels_and_values() {
        let text = "# TYPE function_calls_total counter\n\nfunction_calls_total{method=\"GET\"} 4\n\
            function_duration_seconds_bucket{le=\"0.005\",method=\"GET\"} 4\nprocess_cpu_seconds_total 0.5\n";
        let samples = parse(text).unwrap();
        assert_eq!(samples.len(), 3);
        assert_eq!(samples[1].label("le"), Some("0.005"));
        assert_eq!(samples[1].label("method"), Some("GET"));
        assert_eq!(
            samples[2],
            Sample {
                name: "process_cpu_seconds_total".into(),
                labels: vec![],
                value: 0.5
            }
        );
        assert_eq!(
            parse("ok 1\ngarbage without value").unwrap_err(),
            ParseError {
                line: 2,
                text: "garbage without value".into()
            }
        );
        assert!(parse("garbage").is_err());
    }

    #[test]
    fn calls_add_up_per_method_across_replicas() {
        let one = "# TYPE x counter\nfunction_calls_total{method=\"GET\"} 3\nfunction_failures_total{method=\"GET\"} 1\n\
            function_duration_seconds_sum{method=\"GET\"} 0.5\nfunction_calls_total{method=\"POST\"} 2\n";
        let two = "function_calls_total{method=\"GET\"} 2\nprocess_cpu_seconds_total 1.5\n";
        let methods = by_method(&parse(&format!("{one}{two}")).unwrap());
        assert_eq!(
            methods["GET"],
            MethodTotals {
                calls: 5.0,
                failures: 1.0,
                duration_seconds: 0.5
            }
        );
        assert_eq!(methods["POST"].calls, 2.0);
        assert_eq!(methods.len(), 2);
    }

    #[test]
    fn totals_add_up_methods() {
        let text = "function_calls_total{method=\"GET\"} 3\nfunction_calls_total{method=\"POST\"} 2\n\
            process_cpu_seconds_total 1.5\nprocess_resident_memory_bytes 1000\n";
        let t = totals(&parse(text).unwrap());
        assert_eq!((t.calls, t.cpu_seconds, t.rss_bytes), (5.0, 1.5, 1000.0));
    }
}
