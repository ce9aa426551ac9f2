//! The proactive policy of "Serverless in the Wild" (USENIX ATC 2020), per function: a
//! histogram of its idle times (the gaps between calls) in 1-minute bins over a range (4 h);
//! the pre-warm time is a low percentile of it and the keep-alive a high one, so a function called
//! every ten minutes is started just before the next call and stopped soon after, instead of
//! being kept for a fixed ten minutes. When the histogram cannot predict, the fixed keep-alive
//! applies. The rule, exactly ([`IdleTimes::windows`]):
//!
//! 1. the idle times are the gaps of at least one bin between consecutive calls whose end lies
//!    within `history` (24 h) of the last call; fewer than `min_samples` (5): fixed;
//! 2. more than `max_beyond` (half) of them at least `window` (4 h) long: fixed (the histogram's
//!    range does not hold the pattern);
//! 3. the coefficient of variation (standard deviation over mean) of the counts of the range's
//!    bins under `min_cv` (2, as the paper): fixed (too scattered: no bin stands out);
//! 4. with `low` the low percentile's bin (lower edge) and `high` the high percentile's bin
//!    (upper edge): pre-warm at `low − min(low × margin, margin_cap)` (0 when `low` is under
//!    two bins: a function called again within a minute or two is not unloaded), and keep a
//!    replica for `(high − pre-warm) × (1 + margin)`;
//! 5. those windows are used only when, replayed on the same idle times, they give no more
//!    cold starts and no more idle replica time than the fixed keep-alive; else fixed. (This
//!    step is kfn's, not the paper's: without it a wide histogram — bursts, sparse Poisson
//!    arrivals — keeps replicas to its 99th percentile, hours at a time.)

use std::collections::VecDeque;
use std::time::Duration;

/// The policy's settings.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// The width of one bin.
    pub bin: Duration,
    /// The histogram's range: idle times at least this long are beyond it.
    pub window: Duration,
    /// How far back (from the last call) idle times count.
    pub history: Duration,
    /// The percentile of idle times the pre-warm time comes from.
    pub low_percentile: f64,
    /// The percentile the end of the keep-alive comes from.
    pub high_percentile: f64,
    /// Taken off the pre-warm time and added to the keep-alive (a fraction).
    pub margin: f64,
    /// The most the margin takes off the pre-warm time.
    pub margin_cap: Duration,
    /// Fewer idle times than this: the fixed keep-alive.
    pub min_samples: usize,
    /// A coefficient of variation of the bins' counts under this: too scattered, fixed.
    pub min_cv: f64,
    /// More than this fraction of idle times beyond the range: fixed.
    pub max_beyond: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            bin: Duration::from_secs(60),
            window: Duration::from_secs(4 * 3600),
            history: Duration::from_secs(24 * 3600),
            low_percentile: 5.0,
            high_percentile: 99.0,
            margin: 0.1,
            margin_cap: Duration::from_secs(5 * 60),
            min_samples: 5,
            min_cv: 2.0,
            max_beyond: 0.5,
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
        match &self.basis {
            Basis::Fixed(_) => format!(
                "the last call was {} ago, within the keep-alive of {}",
                human(since),
                human(self.keep_alive)
            ),
            Basis::Histogram { .. } => format!(
                "pre-warmed {} after the last call, before the call the idle times predict",
                human(since.max(self.prewarm))
            ),
        }
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
    /// (when the gap ended, its bin), oldest first, within the history.
    gaps: VecDeque<(Duration, u64)>,
    /// How many idle times fall in each bin of the range.
    counts: Vec<u32>,
    /// How many are at least the range long.
    beyond: usize,
    last: Option<Duration>,
}

impl IdleTimes {
    pub fn new(settings: Settings) -> IdleTimes {
        let bins = (settings.window.as_secs() / bin_secs(&settings)).max(1) as usize;
        IdleTimes {
            settings,
            gaps: VecDeque::new(),
            counts: vec![0; bins],
            beyond: 0,
            last: None,
        }
    }

    /// The policy's settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Records a call at `at`: the gap since the previous call is an idle time when it is at
    /// least one bin (calls closer together are one burst). Calls earlier than the last one
    /// recorded only count as calls.
    pub fn record(&mut self, at: Duration) {
        if let Some(last) = self.last {
            let gap = at.saturating_sub(last);
            if gap >= self.settings.bin {
                let bin = gap.as_secs() / bin_secs(&self.settings);
                self.add(bin, 1);
                self.gaps.push_back((at, bin));
            }
        }
        if self.last.is_none_or(|l| at > l) {
            self.last = Some(at);
        }
        let last = self.last.unwrap_or(at);
        while let Some(&(end, bin)) = self.gaps.front() {
            if last.saturating_sub(end) <= self.settings.history {
                break;
            }
            self.gaps.pop_front();
            self.add(bin, -1);
        }
    }

    /// Records that a call ended at `at`: the idle time before the next call counts from here
    /// (an idle time is the gap between one call's end and the next call, as in the paper), and
    /// so does the keep-alive — a call longer than the window is not followed by an immediate
    /// scale to zero.
    pub fn finished(&mut self, at: Duration) {
        if self.last.is_none_or(|l| at > l) {
            self.last = Some(at);
        }
    }

    fn add(&mut self, bin: u64, by: i64) {
        match self.counts.get_mut(bin as usize) {
            Some(c) => *c = (*c as i64 + by) as u32,
            None => self.beyond = (self.beyond as i64 + by) as usize,
        }
    }

    /// When the last call arrived.
    pub fn last_call(&self) -> Option<Duration> {
        self.last
    }

    /// How many idle times count now (within the range and beyond it).
    pub fn samples(&self) -> usize {
        self.gaps.len()
    }

    /// The coefficient of variation of the range's bin counts (0 with no idle time in range).
    pub fn cv(&self) -> f64 {
        let n: u64 = self.counts.iter().map(|&c| c as u64).sum();
        if n == 0 {
            return 0.0;
        }
        let bins = self.counts.len() as f64;
        let mean = n as f64 / bins;
        let var = self.counts.iter().map(|&c| (c as f64 - mean).powi(2)).sum::<f64>() / bins;
        var.sqrt() / mean
    }

    /// The bin of the `p`th percentile (nearest rank) of the idle times within the range.
    fn percentile(&self, p: f64) -> u64 {
        let n: u64 = self.counts.iter().map(|&c| c as u64).sum();
        let rank = ((p / 100.0) * n as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (bin, &c) in self.counts.iter().enumerate() {
            seen += c as u64;
            if seen >= rank {
                return bin as u64;
            }
        }
        self.counts.len() as u64 - 1
    }

    /// The windows for the next gap: from the histogram when it can predict, else the fixed
    /// `keep_alive` (the rule is in the module's documentation).
    pub fn windows(&self, keep_alive: Duration) -> Windows {
        let keep_alive_fixed = keep_alive;
        let s = &self.settings;
        let n = self.gaps.len();
        if n < s.min_samples {
            return Windows::fixed(
                keep_alive,
                &format!(
                    "{n} idle times in the last {}, fewer than {}",
                    human(s.history),
                    s.min_samples
                ),
            );
        }
        if self.beyond as f64 > s.max_beyond * n as f64 {
            return Windows::fixed(
                keep_alive,
                &format!(
                    "{} of {n} idle times longer than the histogram's {}",
                    self.beyond,
                    human(s.window)
                ),
            );
        }
        let cv = self.cv();
        if cv < s.min_cv {
            return Windows::fixed(
                keep_alive,
                &format!(
                    "idle times too scattered to predict (CV of the histogram {cv:.1}, under {})",
                    s.min_cv
                ),
            );
        }
        let bin = s.bin.as_secs_f64();
        let low_bin = self.percentile(s.low_percentile);
        let high_bin = self.percentile(s.high_percentile);
        let low = Duration::from_secs_f64(low_bin as f64 * bin);
        let high = Duration::from_secs_f64((high_bin + 1) as f64 * bin);
        let prewarm = match low_bin {
            0 | 1 => Duration::ZERO,
            _ => low.saturating_sub(Duration::from_secs_f64(low.as_secs_f64() * s.margin).min(s.margin_cap)),
        };
        let keep_alive = Duration::from_secs_f64((high - prewarm).as_secs_f64() * (1.0 + s.margin));
        let ours = self.replay(prewarm, keep_alive);
        let fixed = self.replay(Duration::ZERO, keep_alive_fixed);
        if ours.cold > fixed.cold || ours.idle > fixed.idle {
            return Windows::fixed(
                keep_alive_fixed,
                &format!(
                    "the histogram's windows (pre-warm {}, keep alive {}) do not beat the fixed keep-alive on the last {n} idle times: {} cold starts and {} idle against {} and {}",
                    human(prewarm),
                    human(keep_alive),
                    ours.cold,
                    human(ours.idle),
                    fixed.cold,
                    human(fixed.idle)
                ),
            );
        }
        Windows {
            prewarm,
            keep_alive,
            basis: Basis::Histogram { samples: n, low, high },
        }
    }
}

/// What a replica policy would have cost on the recorded idle times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cost {
    cold: u64,
    idle: Duration,
}

impl IdleTimes {
    /// The cold starts and idle replica time of a replica wanted from `prewarm` for
    /// `keep_alive` after each call, on the recorded idle times (each taken at its bin's lower
    /// edge; those beyond the range as never ending): an idle time within the window is warm and
    /// idle from the pre-warm to the call; a shorter one is cold with no idle time; a longer one
    /// is cold after the whole window idle.
    fn replay(&self, prewarm: Duration, keep_alive: Duration) -> Cost {
        let end = prewarm + keep_alive;
        let mut cost = Cost {
            cold: self.beyond as u64,
            idle: keep_alive * self.beyond as u32,
        };
        for (bin, &c) in self.counts.iter().enumerate() {
            if c == 0 {
                continue;
            }
            let gap = self.settings.bin * bin as u32;
            if gap < prewarm {
                cost.cold += c as u64;
            } else if gap < end {
                cost.idle += (gap - prewarm) * c;
            } else {
                cost.cold += c as u64;
                cost.idle += keep_alive * c;
            }
        }
        cost
    }
}

fn bin_secs(s: &Settings) -> u64 {
    s.bin.as_secs().max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaling::trace::Rng;

    fn minutes(m: u64) -> Duration {
        Duration::from_secs(m * 60)
    }

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    /// The idle times of calls at these times (seconds).
    fn recorded(times: impl IntoIterator<Item = f64>, settings: Settings) -> IdleTimes {
        let mut h = IdleTimes::new(settings);
        for t in times {
            h.record(secs(t));
        }
        h
    }

    #[test]
    fn a_periodic_function_is_prewarmed_just_before_its_next_call() {
        let h = recorded((0..20).map(|i| i as f64 * 600.0), Settings::default());
        let w = h.windows(minutes(10));
        assert!(matches!(w.basis, Basis::Histogram { samples: 19, .. }), "{w:?}");
        assert_eq!(w.prewarm, minutes(9), "10 minutes less the 10% margin");
        assert!(w.wants_replica(minutes(10)), "{w:?}");
        assert!(w.wants_replica(minutes(11)), "kept a little past the period: {w:?}");
        assert!(!w.wants_replica(minutes(1)), "idle right after a call: {w:?}");
        assert!(!w.wants_replica(minutes(13)), "the timer has missed a beat: {w:?}");
        assert!(w.describe().contains("pre-warm at 9m"), "{}", w.describe());
    }

    #[test]
    fn a_jittered_timer_is_covered_from_its_earliest_to_its_latest_call() {
        // Every 30 minutes, give or take two.
        let mut rng = Rng::new(5);
        let times: Vec<f64> = (0..40)
            .map(|i| i as f64 * 1800.0 + rng.between(0, 240) as f64 - 120.0 + 120.0)
            .collect();
        let h = recorded(times.clone(), Settings::default());
        let w = h.windows(minutes(10));
        assert!(matches!(w.basis, Basis::Histogram { .. }), "{w:?}");
        for pair in times.windows(2) {
            let gap = secs(pair[1] - pair[0]);
            assert!(w.wants_replica(gap), "a gap of {gap:?} is covered: {w:?}");
        }
        assert!(w.prewarm >= minutes(24), "{w:?}");
        assert!(w.keep_alive <= minutes(12), "{w:?}");
    }

    /// Bursts of 50 calls two seconds apart, `quiet` (a range, in minutes) apart.
    fn bursts(quiet: (u32, u32), seed: u64) -> Vec<f64> {
        let mut rng = Rng::new(seed);
        let mut times = Vec::new();
        let mut start = 0.0;
        for _ in 0..12 {
            times.extend((0..50).map(|i| start + 2.0 * i as f64));
            start += 100.0 + rng.between(quiet.0 * 60, quiet.1 * 60) as f64;
        }
        times
    }

    #[test]
    fn calls_within_a_burst_are_one_and_the_quiet_gaps_are_the_idle_times() {
        // An hourly job, give or take three minutes, that calls 50 times in a row.
        let h = recorded(bursts((57, 63), 9), Settings::default());
        assert_eq!(h.samples(), 11, "one idle time between bursts, none within");
        let w = h.windows(minutes(10));
        assert!(matches!(w.basis, Basis::Histogram { .. }), "{w:?}");
        assert!(
            w.prewarm >= minutes(50) && w.prewarm + w.keep_alive > minutes(63),
            "{w:?}"
        );
        assert!(!w.wants_replica(minutes(5)), "not kept through the quiet: {w:?}");
        // Quiet for 45 to 75 minutes: covering all of it costs more idle time than the fixed
        // keep-alive's cold starts save.
        let w = recorded(bursts((45, 75), 9), Settings::default()).windows(minutes(10));
        match &w.basis {
            Basis::Fixed(why) => assert!(
                why.contains("do not beat the fixed keep-alive on the last 11 idle times: 0 cold starts"),
                "{why}"
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn frequent_poisson_calls_keep_the_fixed_keep_alive_unless_the_histogram_does_better() {
        // A call every 3 minutes on average for a day: keeping a replica to the 99th percentile
        // (21 minutes) avoids 13 cold starts at an hour more idle: the fixed keep-alive stays.
        let poisson = |mean: f64, seed| {
            let mut rng = Rng::new(seed);
            let mut t = 0.0;
            let mut times = Vec::new();
            while t < 86_400.0 {
                times.push(t);
                t += rng.exponential(mean);
            }
            recorded(times, Settings::default())
        };
        let w = poisson(180.0, 11).windows(minutes(10));
        assert_eq!((w.prewarm, w.keep_alive), (Duration::ZERO, minutes(10)), "{w:?}");
        assert!(
            matches!(&w.basis, Basis::Fixed(why) if why.contains("do not beat")),
            "{w:?}"
        );
        // Against a 20-minute keep-alive the histogram's shorter one does better.
        let w = poisson(180.0, 11).windows(minutes(30));
        assert!(matches!(w.basis, Basis::Histogram { .. }), "{w:?}");
        assert_eq!(
            w.prewarm,
            Duration::ZERO,
            "calls within a minute or two: never unloaded: {w:?}"
        );
        assert!(w.keep_alive < minutes(30) && w.wants_replica(secs(5.0)), "{w:?}");
    }

    #[test]
    fn idle_times_spread_evenly_are_too_scattered_to_predict() {
        // 60 idle times, one in each of the bins 1 to 60 (shuffled): no bin stands out.
        let mut gaps: Vec<u64> = (1..=60).collect();
        let mut rng = Rng::new(2);
        for i in (1..gaps.len()).rev() {
            gaps.swap(i, rng.between(0, i as u32) as usize);
        }
        let mut t = 0.0;
        let mut times = vec![t];
        for g in gaps {
            t += g as f64 * 60.0 + 1.0;
            times.push(t);
        }
        let h = recorded(times, Settings::default());
        assert!(h.cv() < 2.0, "{}", h.cv());
        let w = h.windows(minutes(10));
        assert_eq!(w.keep_alive, minutes(10));
        match &w.basis {
            Basis::Fixed(why) => assert!(why.starts_with("idle times too scattered to predict (CV"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_idle_time_and_the_keep_alive_count_from_the_end_of_a_call() {
        let mut h = IdleTimes::new(Settings::default());
        h.record(minutes(0));
        h.finished(minutes(3));
        assert_eq!(h.last_call(), Some(minutes(3)), "a three-minute call ends at 3m");
        h.finished(minutes(2));
        assert_eq!(h.last_call(), Some(minutes(3)), "an earlier end does not move it back");
        h.record(minutes(5));
        let bins: Vec<u64> = h.gaps.iter().map(|(_, b)| *b).collect();
        assert_eq!(bins, vec![2], "the gap is from the end (3m) to the next call (5m)");
    }

    #[test]
    fn a_rare_function_falls_back_to_the_fixed_keep_alive() {
        // Three calls a day: two idle times.
        let h = recorded([3600.0, 30_000.0, 70_000.0], Settings::default());
        let w = h.windows(Duration::from_secs(60));
        assert_eq!((w.prewarm, w.keep_alive), (Duration::ZERO, Duration::from_secs(60)));
        assert_eq!(
            w.basis,
            Basis::Fixed("2 idle times in the last 24h, fewer than 5".into())
        );
        // Every six hours for a week (a history that long): all beyond the 4-hour histogram.
        let week = Settings {
            history: Duration::from_secs(7 * 86_400),
            ..Settings::default()
        };
        let h = recorded((0..28).map(|i| i as f64 * 6.0 * 3600.0), week);
        let w = h.windows(minutes(10));
        assert_eq!(
            w.basis,
            Basis::Fixed("27 of 27 idle times longer than the histogram's 4h".into())
        );
    }

    #[test]
    fn a_change_of_pattern_is_followed_within_the_history() {
        // Every 10 minutes for a day, then every 30.
        let mut times: Vec<f64> = (0..144).map(|i| i as f64 * 600.0).collect();
        let switch = 144.0 * 600.0;
        let after: Vec<f64> = (0..60).map(|i| switch + i as f64 * 1800.0).collect();
        let mut h = recorded(times.drain(..), Settings::default());
        assert_eq!(h.windows(minutes(10)).prewarm, minutes(9));
        // Three calls into the new pattern, the histogram's tail already reaches 30 minutes.
        for &t in &after[..4] {
            h.record(secs(t));
        }
        let w = h.windows(minutes(10));
        assert!(w.wants_replica(minutes(30)), "{w:?}");
        // A day later only the new idle times are left.
        for &t in &after[4..] {
            h.record(secs(t));
        }
        let w = h.windows(minutes(10));
        assert_eq!(
            h.samples(),
            49,
            "the gaps that ended within 24h of the last call: {w:?}"
        );
        assert_eq!(w.prewarm, minutes(27), "{w:?}");
        assert!(!w.wants_replica(minutes(10)) && w.wants_replica(minutes(30)), "{w:?}");
    }
}
