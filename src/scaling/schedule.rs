//! Minimum replicas on a schedule (`kfn autoscale schedule`): each rule opens a window at the
//! times its cron expression names, for its duration; the minimum now is the largest of the
//! open windows'.

use std::time::Duration;

use crate::api::schedule::{self, Schedule};

/// One rule, checked.
#[derive(Clone, Debug)]
pub struct Rule {
    pub schedule: Schedule,
    pub min: u32,
    pub duration: Duration,
}

/// The minimum the rules ask for at `now` (seconds since the Unix epoch, UTC): the largest
/// minimum of the rules whose window is open, 0 when none is.
pub fn minimum(rules: &[Rule], now: Duration) -> u32 {
    rules
        .iter()
        .filter(|r| is_open(r, now))
        .map(|r| r.min)
        .max()
        .unwrap_or(0)
}

/// Whether a rule's window is open at `now`: its last firing at or before `now` was less than
/// its duration ago.
pub fn is_open(rule: &Rule, now: Duration) -> bool {
    let _ = (&rule.schedule, now, schedule::go_duration);
    // TODO(helper-policy): the last firing time of a cron at or before now.
    false
}
