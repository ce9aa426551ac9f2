//! The proactive policy of "Serverless in the Wild" (USENIX ATC 2020), per function: a
//! histogram of its idle times (the gaps between calls) in 1-minute bins over a window; the
//! pre-warm time is a low percentile of it and the keep-alive a high one, so a function called
//! every ten minutes is started just before the next call and stopped soon after, instead of
//! being kept for a fixed ten minutes. With too few idle times, or too scattered to predict,
//! the fixed keep-alive applies.

use std::collections::VecDeque;
use std::time::Duration;

/// The policy's settings.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// The width of one bin.
    pub bin: Duration,
    /// How far back idle times count.
    pub window: Duration,
    /// The percentile of idle times the pre-warm time comes from.
    pub low_percentile: f64,
    /// The percentile the end of the keep-alive comes from.
    pub high_percentile: f64,
    /// Taken off the pre-warm time and added to the keep-alive (a fraction).
    pub margin: f64,
    /// Fewer idle times than this: the fixed keep-alive.
    pub min_samples: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            bin: Duration::from_secs(60),
            window: Duration::from_secs(4 * 3600),
            low_percentile: 5.0,
            high_percentile: 99.0,
            margin: 0.1,
            min_samples: 5,
        }
    }
}

/// What the windows came from.
#[derive(Clone, Debug, PartialEq)]
pub enum Basis {
    /// The histogram: how many idle times, and its low and high percentiles.
    Histogram {
        samples: usize,
        low: Duration,
        high: Duration,
    },
    /// The fixed keep-alive, and why the histogram was not used.
    Fixed(String),
}

/// When, after a function's last call, it should have a replica: from `prewarm` for
/// `keep_alive`. A `prewarm` of zero keeps the replica from the call on.
#[derive(Clone, Debug, PartialEq)]
pub struct Windows {
    pub prewarm: Duration,
    pub keep_alive: Duration,
    pub basis: Basis,
}

impl Windows {
    /// The fixed keep-alive: a replica from the call until `keep_alive` has passed.
    pub fn fixed(keep_alive: Duration, why: &str) -> Windows {
        Windows {
            prewarm: Duration::ZERO,
            keep_alive,
            basis: Basis::Fixed(why.to_string()),
        }
    }

    /// Whether a replica is wanted `since` after the last call.
    pub fn wants_replica(&self, since: Duration) -> bool {
        since >= self.prewarm && since < self.prewarm + self.keep_alive
    }

    /// Why a function with no replica wanted `since` after its last call goes to zero.
    pub fn why_idle(&self, since: Duration) -> String {
        match (&self.basis, since < self.prewarm) {
            (Basis::Fixed(_), _) => format!(
                "no call for {} (scale-to-zero-after {})",
                human(since),
                human(self.keep_alive)
            ),
            (Basis::Histogram { .. }, true) => format!(
                "the next call is not expected before {} after the last; pre-warm then",
                human(self.prewarm)
            ),
            (Basis::Histogram { .. }, false) => format!(
                "no call for {} (keep-alive {} after a pre-warm at {}, from the idle times)",
                human(since),
                human(self.keep_alive),
                human(self.prewarm)
            ),
        }
    }

    /// Why a replica is started `since` after the last call, before any call asks.
    pub fn why_warm(&self, since: Duration) -> String {
        let _ = since;
        format!(
            "pre-warmed {} after the last call, before the call the idle times predict",
            human(self.prewarm)
        )
    }

    /// The prediction in words, for `describe`.
    pub fn describe(&self) -> String {
        match &self.basis {
            Basis::Histogram { samples, low, high } => format!(
                "next call expected {}–{} after the last ({samples} idle times); pre-warm at {}, keep alive {}",
                human(*low),
                human(*high),
                human(self.prewarm),
                human(self.keep_alive)
            ),
            Basis::Fixed(why) => format!("fixed keep-alive {} ({why})", human(self.keep_alive)),
        }
    }
}

/// A duration as `describe` writes it: `45s`, `9m`, `1h30m`.
pub fn human(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 if s.is_multiple_of(60) => format!("{}m", s / 60),
        60..3600 => format!("{}m{}s", s / 60, s % 60),
        _ if s.is_multiple_of(3600) => format!("{}h", s / 3600),
        _ => format!("{}h{}m", s / 3600, (s % 3600) / 60),
    }
}

/// A function's recent idle times, and its last call.
#[derive(Clone, Debug)]
pub struct IdleTimes {
    settings: Settings,
    /// (when the gap ended, its length), oldest first, within the window.
    gaps: VecDeque<(Duration, Duration)>,
    last: Option<Duration>,
}

impl IdleTimes {
    pub fn new(settings: Settings) -> IdleTimes {
        IdleTimes {
            settings,
            gaps: VecDeque::new(),
            last: None,
        }
    }

    /// Records a call at `at`: the gap since the previous call is an idle time when it is at
    /// least one bin (calls closer together are one burst).
    pub fn record(&mut self, at: Duration) {
        if let Some(last) = self.last {
            let gap = at.saturating_sub(last);
            if gap >= self.settings.bin {
                self.gaps.push_back((at, gap));
            }
        }
        if self.last.is_none_or(|l| at > l) {
            self.last = Some(at);
        }
        while self
            .gaps
            .front()
            .is_some_and(|(end, _)| at.saturating_sub(*end) > self.settings.window)
        {
            self.gaps.pop_front();
        }
    }

    /// When the last call arrived.
    pub fn last_call(&self) -> Option<Duration> {
        self.last
    }

    /// The idle times within the window, in whole bins.
    fn bins(&self) -> Vec<u64> {
        let bin = self.settings.bin.as_secs().max(1);
        self.gaps.iter().map(|(_, g)| g.as_secs() / bin).collect()
    }

    /// The windows for the next gap: from the histogram when it has enough idle times and
    /// they fall within the window, else the fixed `keep_alive`.
    pub fn windows(&self, keep_alive: Duration) -> Windows {
        let s = &self.settings;
        let mut bins = self.bins();
        if bins.len() < s.min_samples {
            return Windows::fixed(
                keep_alive,
                &format!("{} idle times, fewer than {}", bins.len(), s.min_samples),
            );
        }
        bins.sort_unstable();
        let pick = |p: f64| bins[(((p / 100.0) * (bins.len() - 1) as f64).round() as usize).min(bins.len() - 1)];
        let bin = s.bin.as_secs_f64();
        let low = Duration::from_secs_f64(pick(s.low_percentile) as f64 * bin);
        let high = Duration::from_secs_f64((pick(s.high_percentile) + 1) as f64 * bin);
        let prewarm = Duration::from_secs_f64(low.as_secs_f64() * (1.0 - s.margin));
        let keep_alive = Duration::from_secs_f64((high.as_secs_f64() - prewarm.as_secs_f64()) * (1.0 + s.margin));
        Windows {
            prewarm,
            keep_alive,
            basis: Basis::Histogram {
                samples: bins.len(),
                low,
                high,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minutes(m: u64) -> Duration {
        Duration::from_secs(m * 60)
    }

    #[test]
    fn a_periodic_function_is_prewarmed_just_before_its_next_call() {
        let mut h = IdleTimes::new(Settings::default());
        for i in 0..20 {
            h.record(minutes(10 * i));
        }
        let w = h.windows(minutes(10));
        assert!(matches!(w.basis, Basis::Histogram { samples: 19, .. }), "{w:?}");
        assert!(w.prewarm < minutes(10) && w.prewarm >= minutes(8), "{w:?}");
        assert!(w.wants_replica(minutes(10)), "{w:?}");
        assert!(!w.wants_replica(minutes(1)), "idle right after a call: {w:?}");
    }

    #[test]
    fn few_idle_times_fall_back_to_the_fixed_keep_alive() {
        let mut h = IdleTimes::new(Settings::default());
        h.record(minutes(0));
        h.record(minutes(5));
        let w = h.windows(Duration::from_secs(60));
        assert_eq!(w.prewarm, Duration::ZERO);
        assert_eq!(w.keep_alive, Duration::from_secs(60));
        assert!(matches!(w.basis, Basis::Fixed(_)));
    }
}
