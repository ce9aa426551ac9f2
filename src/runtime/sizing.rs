//! How many language workers a replica runs: one from the start, one more for each call that
//! waits while every worker is busy (up to the maximum, `KFN_WORKERS`), and an extra worker
//! retired once the replica has gone `KFN_WORKER_IDLE` without needing it. The counts here are
//! shared by the pool's workers; the decisions are pure functions of them.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long an extra worker may go unneeded before it is retired, unless `--worker-idle` /
/// `KFN_WORKER_IDLE` says otherwise.
pub const DEFAULT_WORKER_IDLE: &str = "30s";

/// The shortest idle time accepted (an extra worker costs a start of the function to get back).
pub const MIN_WORKER_IDLE: Duration = Duration::from_secs(1);

/// The most workers of a replica and how long an extra one may idle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizing {
    pub max: usize,
    pub idle: Duration,
    /// Whether `max` is the default (one per core) rather than given.
    pub max_is_default: bool,
}

impl Sizing {
    /// The sizing for `--workers` (`None`: one per core) and `--worker-idle`.
    pub fn new(workers: Option<usize>, idle: Duration) -> Sizing {
        match workers {
            Some(max) => Sizing {
                max,
                idle,
                max_is_default: false,
            },
            None => Sizing {
                max: cores(),
                idle,
                max_is_default: true,
            },
        }
    }
}

/// The CPUs this process may use (its cgroup's quota and affinity count, as the standard library
/// reads them).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Reads `--workers` / `KFN_WORKERS`: a whole number from 1 up.
pub fn parse_workers(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "--workers / KFN_WORKERS is the most language workers a replica runs: a whole number from 1 up, not {text:?}"
        )),
    }
}

/// Reads `--worker-idle` / `KFN_WORKER_IDLE`: a Go duration of at least a second.
pub fn parse_idle(text: &str) -> Result<Duration, String> {
    crate::api::function::duration(text, "--worker-idle / KFN_WORKER_IDLE", MIN_WORKER_IDLE)
}

/// How many workers to start now: one for each waiting call that no idle or loading worker
/// will take, within the maximum.
pub fn workers_to_start(waiting: usize, idle: usize, slots: usize, serving: usize, max: usize) -> usize {
    let loading = slots.saturating_sub(serving);
    waiting.saturating_sub(idle + loading).min(max.saturating_sub(slots))
}

/// How many workers were busy at once at most within the last `window`, counting those busy
/// now: `busy_at[k]` is when `k + 1` were last busy at once (`None`: never), times in any unit
/// that `now` and `window` share.
pub fn needed(busy_at: &[Option<u64>], busy_now: usize, now: u64, window: u64) -> usize {
    let recent = busy_at
        .iter()
        .rposition(|at| at.is_some_and(|at| now.saturating_sub(at) < window))
        .map_or(0, |k| k + 1);
    recent.max(busy_now)
}

/// Whether one of `slots` workers may retire when `needed` were busy at once lately: the
/// replica keeps those, and always one.
pub fn may_retire(slots: usize, needed: usize) -> bool {
    slots > needed.max(1)
}

/// What the pool's workers are doing, counted by the workers themselves.
pub struct Counts {
    /// Workers started and not ended: loading the function or serving.
    pub slots: AtomicUsize,
    /// Serving workers with no call sent to them.
    pub idle: AtomicUsize,
    /// Serving workers with calls sent to them.
    pub busy: AtomicUsize,
    /// `busy_at[k]`: when `k + 1` workers were last busy at once, in milliseconds since `epoch`
    /// plus one (0: never).
    busy_at: Vec<AtomicU64>,
    epoch: Instant,
}

impl Counts {
    pub fn new(max: usize) -> Counts {
        Counts {
            slots: AtomicUsize::new(0),
            idle: AtomicUsize::new(0),
            busy: AtomicUsize::new(0),
            busy_at: (0..max.max(1)).map(|_| AtomicU64::new(0)).collect(),
            epoch: Instant::now(),
        }
    }

    fn now(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64 + 1
    }

    /// A serving worker got calls to run.
    pub fn to_busy(&self) {
        self.idle.fetch_sub(1, Ordering::SeqCst);
        let busy = self.busy.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(at) = self.busy_at.get(busy - 1) {
            at.store(self.now(), Ordering::Relaxed);
        }
    }

    /// A serving worker answered all it had.
    pub fn to_idle(&self) {
        self.busy.fetch_sub(1, Ordering::SeqCst);
        self.idle.fetch_add(1, Ordering::SeqCst);
    }

    /// How many workers were busy at once at most within the last `window`.
    pub fn needed(&self, window: Duration) -> usize {
        let busy_at: Vec<Option<u64>> = self
            .busy_at
            .iter()
            .map(|at| Some(at.load(Ordering::Relaxed)).filter(|at| *at > 0))
            .collect();
        needed(
            &busy_at,
            self.busy.load(Ordering::SeqCst),
            self.now(),
            window.as_millis() as u64,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_starts_for_each_call_no_idle_or_loading_worker_will_take() {
        // One worker, busy; a call waits: start one.
        assert_eq!(workers_to_start(1, 0, 1, 1, 4), 1);
        // The call was sent while the worker was still idle: it takes it.
        assert_eq!(workers_to_start(1, 1, 1, 1, 4), 0);
        // Three wait, one worker is loading already: two more.
        assert_eq!(workers_to_start(3, 0, 2, 1, 4), 2);
        // Never past the maximum.
        assert_eq!(workers_to_start(10, 0, 1, 1, 4), 3);
        assert_eq!(workers_to_start(10, 0, 4, 4, 4), 0);
        assert_eq!(workers_to_start(1, 0, 1, 1, 1), 0);
        // Nothing waits: nothing starts.
        assert_eq!(workers_to_start(0, 0, 1, 1, 4), 0);
    }

    #[test]
    fn the_workers_needed_are_the_most_busy_at_once_within_the_window() {
        let never = [None, None, None];
        assert_eq!(needed(&never, 0, 1000, 100), 0);
        assert_eq!(needed(&never, 2, 1000, 100), 2, "those busy now count");
        // Three were busy at once 50 ms ago, within a window of 100 ms.
        assert_eq!(needed(&[Some(990), Some(960), Some(950)], 1, 1000, 100), 3);
        // Three were busy long ago, two lately.
        assert_eq!(needed(&[Some(990), Some(960), Some(100)], 1, 1000, 100), 2);
        // Two lately, although one alone was busy last long ago (2 → 1 → 2 goes through 1
        // only on the way down).
        assert_eq!(needed(&[Some(100), Some(960), None], 0, 1000, 100), 2);
        assert_eq!(needed(&[Some(100), Some(200), Some(300)], 0, 1000, 100), 0);
    }

    #[test]
    fn a_replica_keeps_the_workers_it_needed_lately_and_always_one() {
        assert!(may_retire(2, 1));
        assert!(may_retire(2, 0));
        assert!(!may_retire(1, 0), "the last worker stays");
        assert!(!may_retire(2, 2));
        assert!(may_retire(4, 3));
    }

    #[test]
    fn bad_worker_settings_name_the_flag_the_variable_and_what_is_accepted() {
        assert_eq!(parse_workers("3"), Ok(3));
        for bad in ["0", "-1", "two", "", "1.5"] {
            let e = parse_workers(bad).unwrap_err();
            assert!(e.contains("--workers / KFN_WORKERS") && e.contains("from 1 up"), "{e}");
            assert!(e.contains(&format!("{bad:?}")), "{e}");
        }
        assert_eq!(parse_idle("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_idle("1m30s"), Ok(Duration::from_secs(90)));
        for bad in ["soon", "100ms", "-5s", ""] {
            let e = parse_idle(bad).unwrap_err();
            assert!(e.contains("--worker-idle / KFN_WORKER_IDLE"), "{e}");
        }
    }

    #[test]
    fn the_default_maximum_is_one_worker_per_core() {
        let idle = Duration::from_secs(30);
        let sizing = Sizing::new(None, idle);
        assert_eq!(sizing.max, cores());
        assert!(sizing.max_is_default);
    }
}
