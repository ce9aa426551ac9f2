//! Minimum replicas on a schedule (`kfn autoscale schedule`): each rule opens a window at the
//! times its cron expression names (UTC), for its duration; the minimum now is the largest of
//! the open windows'. `@every D` fires at whole multiples of D since the Unix epoch (so
//! `@every 1h` at the top of each hour), the same on every machine.

use std::time::Duration;

use k8s_openapi::jiff::{Timestamp, tz::TimeZone};

use crate::api::schedule::{self, Schedule};

/// One rule, checked.
#[derive(Clone, Debug)]
pub struct Rule {
    pub schedule: Schedule,
    pub min: u32,
    pub duration: Duration,
}

/// A rule that is not one, naming the part that is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error(
        "cron {given:?} is not a schedule: {reason}; expected 5 fields (minute hour day-of-month month day-of-week, e.g. \"0 9 * * 1-5\"), a descriptor such as @daily, or @every with a duration"
    )]
    Cron { given: String, reason: String },
    #[error("min {0} is not a replica count: expected a whole number from 0")]
    Min(i64),
    #[error("for {given:?} is not a duration: {reason}; expected a positive Go duration such as 8h or 90m")]
    Duration { given: String, reason: String },
}

impl Rule {
    /// Checks a rule's three parts (a Function's `spec.scaling.schedules` entry:
    /// `Rule::parse(&s.cron, s.min.into(), &s.duration)`): the cron expression, the minimum, and how long each
    /// window stays open (a Go duration).
    pub fn parse(cron: &str, min: i64, duration: &str) -> Result<Rule, RuleError> {
        let schedule = schedule::parse(cron).map_err(|e| RuleError::Cron {
            given: cron.to_string(),
            reason: e.to_string(),
        })?;
        let min = u32::try_from(min).map_err(|_| RuleError::Min(min))?;
        let duration = match schedule::go_duration(duration.trim()) {
            Ok(d) if !d.is_zero() => d,
            Ok(_) => {
                return Err(RuleError::Duration {
                    given: duration.to_string(),
                    reason: "a window must stay open for some time".into(),
                });
            }
            Err(e) => {
                return Err(RuleError::Duration {
                    given: duration.to_string(),
                    reason: e.to_string(),
                });
            }
        };
        Ok(Rule {
            schedule,
            min,
            duration,
        })
    }

    /// The last firing at or before `now` (since the Unix epoch), if any.
    pub fn last_firing(&self, now: Duration) -> Option<Duration> {
        match &self.schedule {
            Schedule::Every(every) => {
                let every = every.as_nanos();
                let now_ns = now.as_nanos();
                let at = now_ns - now_ns % every;
                Some(Duration::new((at / 1_000_000_000) as u64, (at % 1_000_000_000) as u32))
            }
            Schedule::Cron(cron) => {
                let ts = Timestamp::from_second(now.as_secs() as i64).ok()?;
                let zoned = ts.to_zoned(TimeZone::UTC);
                let at = cron.find_previous_occurrence(&zoned, true).ok()?;
                u64::try_from(at.timestamp().as_second()).ok().map(Duration::from_secs)
            }
        }
    }
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
    rule.last_firing(now)
        .is_some_and(|at| now.saturating_sub(at) < rule.duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seconds since the epoch of a UTC time written as `2026-11-30T10:00:00Z`.
    fn at(text: &str) -> Duration {
        let ts: Timestamp = text.parse().unwrap();
        Duration::from_secs(ts.as_second() as u64)
    }

    #[test]
    fn a_weekday_morning_rule_is_open_during_working_hours_only() {
        // 2026-11-30 is a Monday.
        let rule = Rule::parse("0 9 * * 1-5", 3, "8h").unwrap();
        assert!(is_open(&rule, at("2026-11-30T10:00:00Z")), "Monday 10:00");
        assert!(
            is_open(&rule, at("2026-11-30T09:00:00Z")),
            "Monday 9:00, the firing itself"
        );
        assert!(!is_open(&rule, at("2026-11-30T08:59:59Z")), "Monday before 9:00");
        assert!(
            !is_open(&rule, at("2026-11-30T17:00:00Z")),
            "Monday 17:00: 8 hours have passed"
        );
        assert!(!is_open(&rule, at("2026-11-30T18:00:00Z")), "Monday 18:00");
        assert!(!is_open(&rule, at("2026-12-05T10:00:00Z")), "Saturday 10:00");
        assert!(is_open(&rule, at("2026-12-04T16:59:00Z")), "Friday 16:59");
        assert_eq!(minimum(std::slice::from_ref(&rule), at("2026-11-30T10:00:00Z")), 3);
        assert_eq!(minimum(&[rule], at("2026-12-05T10:00:00Z")), 0);
    }

    #[test]
    fn the_largest_open_minimum_wins() {
        let rules = [
            Rule::parse("0 9 * * 1-5", 3, "8h").unwrap(),
            Rule::parse("0 12 * * *", 5, "1h").unwrap(),
        ];
        assert_eq!(minimum(&rules, at("2026-11-30T12:30:00Z")), 5);
        assert_eq!(minimum(&rules, at("2026-11-30T13:30:00Z")), 3);
        assert_eq!(minimum(&rules, at("2026-12-05T12:30:00Z")), 5, "Saturday noon");
        assert_eq!(minimum(&rules, at("2026-12-05T14:00:00Z")), 0);
        assert_eq!(minimum(&[], at("2026-12-05T14:00:00Z")), 0);
    }

    #[test]
    fn every_fires_at_multiples_of_its_interval_since_the_epoch() {
        let rule = Rule::parse("@every 1h", 2, "10m").unwrap();
        assert!(is_open(&rule, at("2026-11-30T10:05:00Z")));
        assert!(!is_open(&rule, at("2026-11-30T10:10:00Z")));
        assert!(!is_open(&rule, at("2026-11-30T10:59:59Z")));
        assert!(is_open(&rule, at("2026-11-30T11:00:00Z")));
        // A window as long as the interval is always open.
        let always = Rule::parse("@every 30m", 1, "30m").unwrap();
        assert!(is_open(&always, at("2026-11-30T10:29:59Z")));
        assert!(is_open(&always, at("2026-11-30T10:30:00Z")));
        // A descriptor.
        let daily = Rule::parse("@daily", 1, "1h").unwrap();
        assert!(is_open(&daily, at("2026-11-30T00:30:00Z")));
        assert!(!is_open(&daily, at("2026-11-30T01:30:00Z")));
    }

    #[test]
    fn a_bad_rule_names_the_part_that_is_wrong() {
        let e = Rule::parse("0 9 * *", 3, "8h").unwrap_err();
        assert!(matches!(e, RuleError::Cron { .. }), "{e}");
        assert!(e.to_string().starts_with("cron \"0 9 * *\" is not a schedule: "), "{e}");
        let e = Rule::parse("0 9 * * 1-5", -1, "8h").unwrap_err();
        assert_eq!(
            e.to_string(),
            "min -1 is not a replica count: expected a whole number from 0"
        );
        let e = Rule::parse("0 9 * * 1-5", 3, "8 hours").unwrap_err();
        assert!(e.to_string().starts_with("for \"8 hours\" is not a duration: "), "{e}");
        let e = Rule::parse("0 9 * * 1-5", 3, "0s").unwrap_err();
        assert!(matches!(e, RuleError::Duration { .. }), "{e}");
    }
}
