//! Replays an invocation trace through the scale-to-zero policies, minute by minute, with the
//! code the engine and the controller run ([`IdleTimes`] and [`decide`](super::decide)).
//!
//! The model: a call in minute `m` arrives at `m × 60 s` (one call recorded per minute: calls
//! closer than a bin are one burst anyway); the policy's decision for minute `m` is taken at
//! `m × 60 − 1 s`, the last moment of the minute before, so a pre-warm is ready for the
//! minute's calls. The first call of a minute with no replica is a cold start (the others of
//! that minute wait for the same replica); a minute with a replica up and no call adds its
//! replicas to the idle replica-minutes.

use std::time::Duration;

use super::trace::{FunctionTrace, Trace};
use super::{Action, IdleTimes, Inputs, Settings, decide};

/// A policy to replay: the fixed keep-alive, and whether the proactive policy may choose.
#[derive(Clone, Debug)]
pub struct Policy {
    pub name: String,
    pub idle_after: Duration,
    pub proactive: bool,
}

/// The three policies the issue compares: a fixed 10-minute keep-alive (the big clouds'),
/// reactive scale to zero after 60 s, and the hybrid (proactive, falling back to 10 minutes).
pub fn policies() -> Vec<Policy> {
    vec![
        Policy {
            name: "fixed keep-alive 10m".into(),
            idle_after: Duration::from_secs(600),
            proactive: false,
        },
        Policy {
            name: "reactive, to zero after 60s".into(),
            idle_after: Duration::from_secs(60),
            proactive: false,
        },
        Policy {
            name: "hybrid (histogram, else 10m)".into(),
            idle_after: Duration::from_secs(600),
            proactive: true,
        },
    ]
}

/// What one function's replay counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub calls: u64,
    pub cold_starts: u64,
    pub idle_minutes: u64,
}

/// What one policy's replay of a whole trace gave.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub policy: String,
    pub total: Counts,
    /// The 75th percentile (nearest rank) over the functions with calls of their cold-start
    /// percentage.
    pub p75_cold_percent: f64,
    pub functions: usize,
}

impl Outcome {
    /// Cold starts as a percentage of all calls.
    pub fn cold_percent(&self) -> f64 {
        percent(self.total.cold_starts, self.total.calls)
    }
}

fn percent(part: u64, whole: u64) -> f64 {
    match whole {
        0 => 0.0,
        w => 100.0 * part as f64 / w as f64,
    }
}

/// Replays one function's calls over `minutes` minutes.
pub fn replay(function: &FunctionTrace, minutes: u32, policy: &Policy, settings: Settings) -> Counts {
    let mut history = IdleTimes::new(settings);
    let mut counts = Counts::default();
    let mut replicas = 0u32;
    let mut calls = function.calls.iter().peekable();
    for minute in 0..minutes {
        let start = Duration::from_secs(minute as u64 * 60);
        let inputs = Inputs {
            now: start.saturating_sub(Duration::from_secs(1)),
            replicas,
            busy: 0,
            idle_after: policy.idle_after,
            proactive: policy.proactive,
            scheduled_min: 0,
        };
        match decide(&history, inputs).action {
            Action::Keep => {}
            Action::ScaleToZero(_) => replicas = 0,
            Action::Warm(n, _) => replicas = replicas.max(n),
        }
        let mut now = 0;
        while let Some(&&(m, c)) = calls.peek() {
            if m > minute {
                break;
            }
            if m == minute {
                now += c as u64;
            }
            calls.next();
        }
        if now > 0 {
            if replicas == 0 {
                counts.cold_starts += 1;
                replicas = 1;
            }
            counts.calls += now;
            history.record(start);
        } else {
            counts.idle_minutes += replicas as u64;
        }
    }
    counts
}

/// Replays every function of a trace through one policy.
pub fn run(trace: &Trace, policy: &Policy, settings: Settings) -> Outcome {
    let mut total = Counts::default();
    let mut per_function = Vec::new();
    for f in &trace.functions {
        let c = replay(f, trace.minutes, policy, settings);
        total.calls += c.calls;
        total.cold_starts += c.cold_starts;
        total.idle_minutes += c.idle_minutes;
        if c.calls > 0 {
            per_function.push(percent(c.cold_starts, c.calls));
        }
    }
    per_function.sort_by(f64::total_cmp);
    let p75_cold_percent = match per_function.len() {
        0 => 0.0,
        n => per_function[((0.75 * n as f64).ceil() as usize).clamp(1, n) - 1],
    };
    Outcome {
        policy: policy.name.clone(),
        total,
        p75_cold_percent,
        functions: trace.functions.len(),
    }
}

/// The results as a table (Markdown, so it pastes into a README).
pub fn table(rows: &[(String, Outcome)]) -> String {
    let mut out = String::from(
        "| trace | policy | calls | cold starts | cold-start % | p75 per function | idle replica-minutes |\n\
         |---|---|---:|---:|---:|---:|---:|\n",
    );
    for (trace, o) in rows {
        out.push_str(&format!(
            "| {trace} | {} | {} | {} | {:.2}% | {:.1}% | {} |\n",
            o.policy,
            o.total.calls,
            o.total.cold_starts,
            o.cold_percent(),
            o.p75_cold_percent,
            o.total.idle_minutes
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::trace::{self, Shape};
    use super::*;

    fn function(minutes: &[u32]) -> FunctionTrace {
        FunctionTrace {
            name: "f".into(),
            calls: minutes.iter().map(|&m| (m, 1)).collect(),
        }
    }

    fn counts(calls: u64, cold_starts: u64, idle_minutes: u64) -> Counts {
        Counts {
            calls,
            cold_starts,
            idle_minutes,
        }
    }

    #[test]
    fn the_fixed_and_the_reactive_keep_alive_count_by_hand() {
        let f = function(&[0, 5, 20]);
        let [fixed, reactive, hybrid] = &policies()[..] else {
            unreachable!()
        };
        // Fixed 10m: up 1–4 (idle 4), call at 5, up 6–15 (idle 10), gone at 16, cold at 20,
        // up 21–29 (idle 9).
        assert_eq!(replay(&f, 30, fixed, Settings::default()), counts(3, 2, 23));
        // Reactive 60s: every call cold, one idle minute after each.
        assert_eq!(replay(&f, 30, reactive, Settings::default()), counts(3, 3, 3));
        // Two idle times: the hybrid falls back to the fixed 10 minutes.
        assert_eq!(replay(&f, 30, hybrid, Settings::default()), counts(3, 2, 23));
        // Calls in one minute: one cold start, the others wait for the same replica.
        let busy = FunctionTrace {
            name: "g".into(),
            calls: vec![(0, 5), (1, 2)],
        };
        assert_eq!(replay(&busy, 3, reactive, Settings::default()), counts(7, 1, 1));
    }

    #[test]
    fn the_hybrid_policy_prewarms_a_timer_once_it_has_five_idle_times() {
        let f = function(&(0..=100).step_by(10).collect::<Vec<_>>());
        let [fixed, reactive, hybrid] = &policies()[..] else {
            unreachable!()
        };
        assert_eq!(replay(&f, 101, fixed, Settings::default()), counts(11, 1, 90));
        assert_eq!(replay(&f, 101, reactive, Settings::default()), counts(11, 11, 10));
        // The first five gaps under the fixed 10 minutes (9 idle minutes each), then to zero
        // right after each call and pre-warmed for the next: no idle minute, no cold start.
        assert_eq!(replay(&f, 101, hybrid, Settings::default()), counts(11, 1, 45));
    }

    #[test]
    fn the_table_has_a_row_per_policy() {
        let t = trace::read("function,minute,count\nf,0,1\nf,5,1\nf,20,1\ng,3,1\n").unwrap();
        let rows: Vec<_> = policies()
            .iter()
            .map(|p| ("tiny".to_string(), run(&t, p, Settings::default())))
            .collect();
        let text = table(&rows);
        assert!(
            text.contains("| tiny | reactive, to zero after 60s | 4 | 4 | 100.00% | 100.0% | 3 |"),
            "{text}"
        );
        assert!(
            text.contains("| tiny | fixed keep-alive 10m | 4 | 3 | 75.00% | 100.0% | 24 |"),
            "{text}"
        );
    }

    #[test]
    fn on_the_generated_mix_the_hybrid_policy_beats_the_fixed_keep_alive() {
        let t = trace::generate(Shape::Mix, 60, 2 * 1440, 14);
        let [fixed, _, hybrid] = &policies()[..] else {
            unreachable!()
        };
        let fixed = run(&t, fixed, Settings::default());
        let hybrid = run(&t, hybrid, Settings::default());
        assert!(
            hybrid.total.cold_starts < fixed.total.cold_starts,
            "cold starts: hybrid {:?}, fixed {:?}",
            hybrid.total,
            fixed.total
        );
        assert!(
            hybrid.total.idle_minutes <= fixed.total.idle_minutes,
            "idle replica-minutes: hybrid {:?}, fixed {:?}",
            hybrid.total,
            fixed.total
        );
    }
}
