//! The HorizontalPodAutoscaler algorithm (Kubernetes 1.23 and later, default behaviour), as
//! pure functions: what each metric proposes (`replica_calculator.go`), and the count a sync
//! sets (`horizontal.go`: the largest proposal, the scale-down stabilization window, the
//! scale-up rate limit, `[min, max]`). Measuring is in [`Samples`]: the replicas' counters read
//! at each sync, turned into rates over the time since the previous sync.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use crate::api::hpa::Metric;
use crate::runtimes::metrics::Totals;

/// The algorithm's settings.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// A usage ratio within this of 1.0 keeps the current count.
    pub tolerance: f64,
    /// Scale-down takes the largest recommendation of this window.
    pub stabilization: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            tolerance: 0.1,
            stabilization: Duration::from_secs(300),
        }
    }
}

/// The period of the default scale-up policies: within it, at most 4 replicas or 100% more than
/// the function had when the period began (Kubernetes' `scaleUp.policies`).
pub const SCALE_UP_PERIOD: Duration = Duration::from_secs(15);

/// One metric's measurement at a sync.
#[derive(Clone, Debug, PartialEq)]
pub enum Measurement {
    /// A total over the function's replicas against a target per replica: the qps metric, an
    /// Object metric (`function_calls` of the Service) with an `AverageValue` target.
    Total { total: f64, target: f64 },
    /// Each measured replica's use, in percent of its request, against a target percentage: a
    /// Resource metric (cpu, memory). `unready` replicas are still starting; `missing` ones are
    /// ready but have no value this sync.
    Utilization {
        values: Vec<f64>,
        unready: u32,
        missing: u32,
        target: f64,
    },
}

/// The replica counts a sync starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Current {
    /// The Deployment's `spec.replicas`: what the autoscaler sets.
    pub spec: u32,
    /// The replicas that exist, started or not (the Deployment's `status.replicas`).
    pub status: u32,
    /// `spec` when the scale-up period began: `spec` less the replicas added within the last
    /// [`SCALE_UP_PERIOD`], plus those removed.
    pub period_start: u32,
}

impl Current {
    /// A function whose replicas all exist and which has not scaled within the period.
    pub fn steady(replicas: u32) -> Current {
        Current {
            spec: replicas,
            status: replicas,
            period_start: replicas,
        }
    }
}

/// What one metric proposes, `None` when it cannot say (no replica measured).
///
/// - `Total` (Kubernetes' `GetObjectPerPodMetricReplicas`): `ceil(total / target)`, unless
///   `total / (target × status replicas)` is within the tolerance of 1.0 (then the status count).
///   It needs no replica count: replicas that start, or that were not measured, change nothing.
/// - `Utilization` (`GetResourceReplicas`): `ceil(ratio × measured replicas)`, the ratio being
///   the measured replicas' mean over the target. When some replicas are missing or unready,
///   the ratio is computed again with the missing ones at 100% on a scale-down and 0% on a
///   scale-up, the unready ones at 0% on a scale-up, and a result that changes direction (or
///   comes within the tolerance) keeps the count.
pub fn proposal(current: Current, m: &Measurement, tolerance: f64) -> Option<u32> {
    match m {
        Measurement::Total { total, target } => {
            if *target <= 0.0 {
                return None;
            }
            let ratio = total / (target * f64::from(current.status));
            if (ratio - 1.0).abs() <= tolerance {
                Some(current.status)
            } else {
                Some((total / target).ceil() as u32)
            }
        }
        Measurement::Utilization {
            values,
            unready,
            missing,
            target,
        } => {
            if values.is_empty() || *target <= 0.0 {
                return None;
            }
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            let ratio = mean(values) / target;
            let rebalance_unready = *unready > 0 && ratio > 1.0;
            if !rebalance_unready && *missing == 0 {
                if (ratio - 1.0).abs() <= tolerance {
                    return Some(current.spec);
                }
                return Some((ratio * values.len() as f64).ceil() as u32);
            }
            let mut filled = values.clone();
            if *missing > 0 {
                let each = if ratio < 1.0 { 100.0 } else { 0.0 };
                filled.extend(std::iter::repeat_n(each, *missing as usize));
            }
            if rebalance_unready {
                filled.extend(std::iter::repeat_n(0.0, *unready as usize));
            }
            let new_ratio = mean(&filled) / target;
            let flips = (ratio < 1.0 && new_ratio > 1.0) || (ratio > 1.0 && new_ratio < 1.0);
            if (new_ratio - 1.0).abs() <= tolerance || flips {
                return Some(current.spec);
            }
            let count = (new_ratio * filled.len() as f64).ceil() as u32;
            if (new_ratio < 1.0 && count > current.spec) || (new_ratio > 1.0 && count < current.spec) {
                return Some(current.spec);
            }
            Some(count)
        }
    }
}

/// The most replicas a sync may set: the larger of 4 more and twice the count the scale-up
/// period began with.
pub fn scale_up_limit(period_start: u32) -> u32 {
    (period_start + 4).max(period_start.saturating_mul(2))
}

/// The replica count to set.
///
/// - each metric with a measurement proposes a count; the largest wins (no measurement: keep);
/// - scale-up is limited by [`scale_up_limit`] of the count the period began with;
/// - scale-down takes the largest recommendation in the stabilization window (`recent`, the
///   raw recommendations of earlier syncs within the window);
/// - the result stays within `[min, max]`.
pub fn desired(
    current: Current,
    min: u32,
    max: u32,
    measurements: &[Measurement],
    recent: &[u32],
    settings: Settings,
) -> Recommendation {
    let raw = measurements
        .iter()
        .filter_map(|m| proposal(current, m, settings.tolerance))
        .max()
        .unwrap_or(current.spec);
    let replicas = current.spec;
    let mut count = raw;
    if count > replicas {
        count = count.min(scale_up_limit(current.period_start).max(replicas));
    } else if count < replicas {
        let window_max = recent.iter().copied().chain([raw]).max().unwrap_or(raw);
        count = window_max.min(replicas);
    }
    Recommendation {
        raw,
        count: count.clamp(min, max.max(min)),
    }
}

/// The outcome of one sync: the raw recommendation (remembered for the window) and the count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recommendation {
    pub raw: u32,
    pub count: u32,
}

/// One replica as a sync finds it.
#[derive(Clone, Debug)]
pub struct Pod {
    pub name: String,
    /// Ready: it is sent calls.
    pub ready: bool,
    /// Ready for longer than the readiness delay: its CPU is measured (a starting process's CPU
    /// is its start, not its load).
    pub settled: bool,
    /// Its counters, when it was read (a ready replica whose `/metrics` did not answer: none).
    pub totals: Option<Totals>,
}

/// What a sync measured of one replica.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Reading {
    /// Calls per second since the previous sync (none: not known).
    pub calls: Option<f64>,
    /// CPU cores used since the previous sync (settled replicas only).
    pub cpu: Option<f64>,
    /// Resident bytes now.
    pub rss: Option<f64>,
    pub ready: bool,
    pub settled: bool,
}

/// The counters of a function's replicas at the previous sync, to turn this sync's into rates.
#[derive(Clone, Debug, Default)]
pub struct Samples {
    /// When the previous sync read the replicas (since the caller's epoch).
    last: Option<Duration>,
    /// Each replica read then: its counters and when.
    read: HashMap<String, (Totals, Duration)>,
    /// The replicas that were ready then (read or not).
    ready: HashSet<String>,
}

impl Samples {
    /// Reads this sync's replicas against the previous sync's.
    ///
    /// A replica's calls per second is the growth of its counter over the time since it was last
    /// read. A replica that was not ready at the previous sync (or did not exist) had answered no
    /// call then: its whole counter is this sync's, over the time since the previous sync. So the
    /// sum over the replicas is the function's call rate over that time, however the calls were
    /// spread, and a replica that started within it counts what it answered.
    pub fn read(&mut self, now: Duration, pods: &[Pod]) -> Vec<Reading> {
        let mut readings = Vec::new();
        let mut read = HashMap::new();
        for pod in pods {
            let mut reading = Reading {
                ready: pod.ready,
                settled: pod.settled,
                ..Reading::default()
            };
            if let (true, Some(t)) = (pod.ready, pod.totals) {
                reading.rss = Some(t.rss_bytes);
                match self.read.get(&pod.name) {
                    Some((before, at)) => {
                        let secs = now.saturating_sub(*at).as_secs_f64();
                        // A counter that went down belongs to a restarted process: all of it is new.
                        let calls = match t.calls >= before.calls {
                            true => t.calls - before.calls,
                            false => t.calls,
                        };
                        if secs > 0.0 {
                            reading.calls = Some(calls / secs);
                            if pod.settled {
                                reading.cpu = Some((t.cpu_seconds - before.cpu_seconds).max(0.0) / secs);
                            }
                        }
                    }
                    None if !self.ready.contains(&pod.name) => {
                        let secs = self.last.map(|last| now.saturating_sub(last).as_secs_f64());
                        reading.calls = secs.filter(|s| *s > 0.0).map(|s| t.calls / s);
                    }
                    None => {}
                }
                read.insert(pod.name.clone(), (t, now));
            }
            readings.push(reading);
        }
        self.read = read;
        self.ready = pods.iter().filter(|p| p.ready).map(|p| p.name.clone()).collect();
        self.last = Some(now);
        readings
    }

    /// Forgets every replica (the function went to zero).
    pub fn clear(&mut self) {
        *self = Samples::default();
    }
}

/// A measurement of `metric` from this sync's readings, `None` when it cannot be measured
/// (before a previous sync, or a utilization metric without a request to compare with).
///
/// - qps: the sum of the replicas' call rates, a total against the per-replica target;
/// - cpu: the settled replicas' CPU against the request; replicas not settled are unready;
/// - memory: the ready replicas' resident memory against the request.
///
/// A ready replica without a value is missing.
pub fn measure(metric: &Metric, readings: &[Reading], request: Option<f64>) -> Option<Measurement> {
    match metric {
        Metric::Qps(target) => {
            let rates: Vec<f64> = readings.iter().filter_map(|r| r.calls).collect();
            if rates.is_empty() {
                return None;
            }
            Some(Measurement::Total {
                total: rates.iter().sum(),
                target: *target,
            })
        }
        Metric::Cpu(target) | Metric::Memory(target) => {
            let request = request?;
            let cpu = matches!(metric, Metric::Cpu(_));
            let (mut values, mut unready, mut missing) = (Vec::new(), 0, 0);
            for r in readings {
                let counted = if cpu { r.ready && r.settled } else { r.ready };
                let value = if cpu { r.cpu } else { r.rss };
                match (counted, value) {
                    (false, _) => unready += 1,
                    (true, Some(v)) => values.push(v / request * 100.0),
                    (true, None) => missing += 1,
                }
            }
            Some(Measurement::Utilization {
                values,
                unready,
                missing,
                target: *target,
            })
        }
    }
}

/// The current value of a measurement as `describe` and the Event show it: calls per second
/// per replica (the total over the status replicas), or the mean utilization.
pub fn shown(m: &Measurement, status: u32) -> f64 {
    match m {
        Measurement::Total { total, .. } => total / f64::from(status.max(1)),
        Measurement::Utilization { values, .. } if values.is_empty() => 0.0,
        Measurement::Utilization { values, .. } => values.iter().sum::<f64>() / values.len() as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn util(values: &[f64], target: f64) -> Measurement {
        Measurement::Utilization {
            values: values.to_vec(),
            unready: 0,
            missing: 0,
            target,
        }
    }

    fn total(total: f64, target: f64) -> Measurement {
        Measurement::Total { total, target }
    }

    const S: Settings = Settings {
        tolerance: 0.1,
        stabilization: Duration::from_secs(300),
    };

    fn steady(replicas: u32) -> Current {
        Current::steady(replicas)
    }

    #[test]
    fn within_the_tolerance_the_count_stays() {
        assert_eq!(desired(steady(3), 1, 10, &[util(&[105.0; 3], 100.0)], &[], S).count, 3);
        assert_eq!(desired(steady(3), 1, 10, &[util(&[91.0; 3], 100.0)], &[], S).count, 3);
        assert_eq!(
            desired(steady(3), 1, 10, &[util(&[120.0; 3], 100.0)], &[], S).count,
            4,
            "ceil(3 × 1.2)"
        );
        assert_eq!(
            desired(steady(3), 1, 10, &[total(315.0, 100.0)], &[], S).count,
            3,
            "105 a replica"
        );
    }

    #[test]
    fn no_measurement_keeps_the_count() {
        assert_eq!(desired(steady(2), 1, 10, &[], &[], S).count, 2);
        let none_ready = Measurement::Utilization {
            values: vec![],
            unready: 2,
            missing: 0,
            target: 50.0,
        };
        assert_eq!(proposal(steady(2), &none_ready, 0.1), None);
    }

    #[test]
    fn a_step_from_10_to_500_calls_a_second_at_100_a_replica_proposes_5() {
        // The function's calls, summed over its replicas, against the target per replica:
        // Kubernetes' Object metric with an AverageValue target.
        assert_eq!(proposal(steady(1), &total(500.0, 100.0), 0.1), Some(5));
        // However many replicas there are, and whether they were measured: 5.
        for status in 1..=7 {
            let current = Current {
                spec: status,
                status,
                period_start: status,
            };
            assert_eq!(proposal(current, &total(500.0, 100.0), 0.1), Some(5), "{status}");
        }
        assert_eq!(desired(steady(1), 1, 10, &[total(10.0, 100.0)], &[], S).count, 1);
        assert_eq!(
            desired(steady(1), 1, 10, &[total(500.0, 100.0)], &[], S).count,
            5,
            "1 + 4 is within the scale-up limit"
        );
    }

    #[test]
    fn utilization_uses_the_measured_replicas_and_fills_in_the_others_as_kubernetes_does() {
        // 1 replica measured at 300% of a 100% target, 2 still starting: those count as 0 on a
        // scale-up, so the 3 are at 100%: no change (not ceil(3 × 3) = 9).
        let starting = Measurement::Utilization {
            values: vec![300.0],
            unready: 2,
            missing: 0,
            target: 100.0,
        };
        assert_eq!(proposal(steady(3), &starting, 0.1), Some(3));
        // 2 measured at 150%, 1 ready but not read: 0 on a scale-up, ceil(3 × 1.0) → keep 3.
        let missing = Measurement::Utilization {
            values: vec![150.0, 150.0],
            unready: 0,
            missing: 1,
            target: 100.0,
        };
        assert_eq!(proposal(steady(3), &missing, 0.1), Some(3));
        // On a scale-down a missing replica counts as 100% of its request.
        let down = Measurement::Utilization {
            values: vec![10.0, 10.0, 10.0],
            unready: 0,
            missing: 1,
            target: 50.0,
        };
        assert_eq!(
            proposal(steady(4), &down, 0.1),
            Some(3),
            "ceil(4 × 32.5/50), not ceil(3 × 10/50)"
        );
        // Filled in, a scale-down that would turn into a scale-up keeps the count.
        let flips = Measurement::Utilization {
            values: vec![10.0, 10.0],
            unready: 0,
            missing: 2,
            target: 50.0,
        };
        assert_eq!(
            proposal(steady(4), &flips, 0.1),
            Some(4),
            "(10 + 10 + 100 + 100) / 4 is 55%"
        );
    }

    #[test]
    fn scale_up_is_limited_per_period() {
        assert_eq!(
            desired(steady(1), 1, 100, &[total(1000.0, 10.0)], &[], S).count,
            5,
            "max(1 + 4, 2 × 1)"
        );
        assert_eq!(
            desired(steady(5), 1, 100, &[total(1000.0, 10.0)], &[], S).count,
            10,
            "2 × 5"
        );
        // Already scaled from 1 to 5 within the period: no more until it has passed.
        let scaled = Current {
            spec: 5,
            status: 5,
            period_start: 1,
        };
        assert_eq!(desired(scaled, 1, 100, &[total(1000.0, 10.0)], &[], S).count, 5);
    }

    #[test]
    fn scale_down_waits_for_the_window() {
        // Earlier syncs recommended 4: a dip to 1 does not remove replicas yet.
        assert_eq!(
            desired(steady(4), 1, 10, &[total(40.0, 100.0)], &[4, 3], S),
            Recommendation { raw: 1, count: 4 }
        );
        // Once only low recommendations remain in the window, it scales down.
        assert_eq!(desired(steady(4), 1, 10, &[total(40.0, 100.0)], &[2, 1], S).count, 2);
        assert_eq!(desired(steady(4), 1, 10, &[total(40.0, 100.0)], &[], S).count, 1);
    }

    #[test]
    fn the_result_stays_within_min_and_max() {
        assert_eq!(desired(steady(2), 2, 10, &[total(1.0, 100.0)], &[], S).count, 2);
        assert_eq!(desired(steady(3), 1, 3, &[total(1500.0, 100.0)], &[], S).count, 3);
        assert_eq!(
            desired(steady(1), 3, 5, &[], &[], S).count,
            3,
            "below min goes up to min"
        );
    }

    #[test]
    fn the_largest_proposal_of_several_metrics_wins() {
        let r = desired(
            steady(2),
            1,
            10,
            &[
                util(&[50.0, 50.0], 100.0),
                total(800.0, 100.0),
                util(&[100.0, 100.0], 100.0),
            ],
            &[],
            S,
        );
        assert_eq!(
            r.count, 6,
            "cpu at 50% proposes 1, qps at 4× proposes 8 (limited to 6), memory keeps 2"
        );
        assert_eq!(r.raw, 8);
    }

    fn pod(name: &str, ready: bool, calls: f64) -> Pod {
        Pod {
            name: name.into(),
            ready,
            settled: ready,
            totals: ready.then_some(Totals {
                calls,
                ..Totals::default()
            }),
        }
    }

    #[test]
    fn a_replica_that_started_since_the_last_sync_counts_all_its_calls() {
        let mut samples = Samples::default();
        let s = Duration::from_secs;
        samples.read(s(0), &[pod("a", true, 100.0), pod("b", false, 0.0)]);
        let r = samples.read(
            s(10),
            &[pod("a", true, 600.0), pod("b", true, 300.0), pod("c", true, 200.0)],
        );
        let rates: Vec<Option<f64>> = r.iter().map(|r| r.calls).collect();
        assert_eq!(rates, [Some(50.0), Some(30.0), Some(20.0)]);
        assert_eq!(
            measure(&Metric::Qps(10.0), &r, None),
            Some(Measurement::Total {
                total: 100.0,
                target: 10.0
            })
        );
        // A replica that was ready at the last sync but not read then is not known this time.
        let mut samples = Samples::default();
        let unread = Pod {
            totals: None,
            ..pod("a", true, 0.0)
        };
        samples.read(s(0), &[unread]);
        assert_eq!(samples.read(s(10), &[pod("a", true, 500.0)])[0].calls, None);
        // A counter that went down is a restarted process.
        let mut samples = Samples::default();
        samples.read(s(0), &[pod("a", true, 500.0)]);
        assert_eq!(samples.read(s(10), &[pod("a", true, 40.0)])[0].calls, Some(4.0));
    }

    /// A function at 10 calls a second steps to 500 (target 100 a replica): the engine's loop,
    /// with calls spread evenly over the ready replicas and a replica ready 1 s after it is
    /// added, settles on 5 and never sets more.
    #[test]
    fn a_step_from_10_to_500_calls_a_second_settles_on_5_replicas_without_overshoot() {
        for (sync, step_at) in [
            (15_000, 22_500),
            (15_000, 29_000),
            (15_000, 15_500),
            (2_000, 5_000),
            (5_000, 11_000),
        ] {
            let counts = step_run(sync, step_at);
            assert_eq!(
                counts.last(),
                Some(&5),
                "sync {sync} ms, step at {step_at} ms: {counts:?}"
            );
            assert!(
                counts.iter().all(|c| *c <= 5),
                "sync {sync} ms, step at {step_at} ms: {counts:?}"
            );
        }
    }

    /// What made the engine overshoot: it took the mean rate of the replicas measured twice
    /// (the first one, which had taken every call until the new ones were ready) times all the
    /// replicas: here 260 × 3 = 780, 8 replicas. The function's calls are 500 a second: 5.
    #[test]
    fn the_replica_that_took_every_call_before_the_others_were_ready_does_not_inflate_the_count() {
        let reading = |calls: f64, settled: bool| Reading {
            calls: Some(calls),
            ready: true,
            settled,
            ..Reading::default()
        };
        let readings = [reading(260.0, true), reading(120.0, false), reading(120.0, false)];
        let m = measure(&Metric::Qps(100.0), &readings, None).unwrap();
        assert_eq!(proposal(Current::steady(3), &m, 0.1), Some(5));
        assert_eq!(shown(&m, 3).round(), 167.0, "shown per replica");
    }

    /// Moves the replicas' counters from `from` to `to` (whole milliseconds): 10 calls a
    /// second before `step_at`, 500 after, each call to the next replica ready at that moment
    /// (round robin, as the engine's proxy spreads them).
    fn advance(calls: &mut [f64], added_at: &[f64], from: u64, to: u64, step_at: u64, next: &mut usize) {
        let made = |ms: u64| (10 * ms.min(step_at) + 500 * ms.saturating_sub(step_at)) / 1000;
        for ms in from..to {
            for _ in made(ms)..made(ms + 1) {
                let ready: Vec<usize> = (0..calls.len())
                    .filter(|i| ms as f64 / 1000.0 >= added_at[*i] + 1.0)
                    .collect();
                *next = (*next + 1) % ready.len();
                calls[ready[*next]] += 1.0;
            }
        }
    }

    fn pods_at(calls: &[f64], added_at: &[f64], t: f64, readiness_delay: f64) -> Vec<Pod> {
        (0..calls.len())
            .map(|i| {
                let ready = t >= added_at[i] + 1.0;
                Pod {
                    name: format!("p{i}"),
                    ready,
                    settled: t >= added_at[i] + readiness_delay,
                    totals: ready.then_some(Totals {
                        calls: calls[i],
                        ..Totals::default()
                    }),
                }
            })
            .collect()
    }

    /// The engine's loop over a step (see above): the replica count after each sync.
    fn step_run(sync_ms: u64, step_ms: u64) -> Vec<u32> {
        let mut samples = Samples::default();
        let mut added_at: Vec<f64> = vec![-100.0];
        let mut calls = vec![0.0];
        let mut changes: Vec<(f64, i64)> = vec![];
        let mut recent: Vec<u32> = vec![];
        let (mut spec, mut ms, mut next) = (1u32, 0, 0);
        let mut counts = vec![];
        while ms < 120_000 {
            advance(&mut calls, &added_at, ms, ms + sync_ms, step_ms, &mut next);
            ms += sync_ms;
            let t = ms as f64 / 1000.0;
            let pods = pods_at(&calls, &added_at, t, 30.0);
            let readings = samples.read(Duration::from_secs_f64(t), &pods);
            let measurements: Vec<Measurement> = measure(&Metric::Qps(100.0), &readings, None).into_iter().collect();
            let added: i64 = changes
                .iter()
                .filter(|(at, _)| t - at < SCALE_UP_PERIOD.as_secs_f64())
                .map(|(_, c)| c)
                .sum();
            let current = Current {
                spec,
                status: pods.len() as u32,
                period_start: (i64::from(spec) - added).max(0) as u32,
            };
            let rec = desired(current, 1, 10, &measurements, &recent, S);
            if !measurements.is_empty() {
                recent.push(rec.raw);
            }
            if rec.count != spec {
                changes.push((t, i64::from(rec.count) - i64::from(spec)));
                spec = rec.count;
            }
            while added_at.len() < spec as usize {
                added_at.push(t);
                calls.push(0.0);
            }
            counts.push(spec);
        }
        counts
    }
}
