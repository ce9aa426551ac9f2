//! Cron schedules as Kubeless accepts them: standard 5-field expressions, the `@hourly` style
//! descriptors, and `@every <duration>`.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};
use k8s_openapi::jiff::{Timestamp, tz::TimeZone};

/// The `Event-Time` of a cron firing, as Kubeless's CronJobs send it
/// (`date --rfc-3339=seconds --utc`: `2021-05-03 11:31:53+00:00`). One strftime format for
/// the engine (jiff) and the cluster's CronJob (`date -u`), so both send the same text.
pub const EVENT_TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S+00:00";

/// The `Event-Time` of a firing at `at`.
pub fn event_time(at: k8s_openapi::jiff::Timestamp) -> String {
    at.strftime(EVENT_TIME_FORMAT).to_string()
}

/// The shell expression a CronJob's pod evaluates to the `Event-Time` of its firing.
pub fn event_time_shell() -> String {
    format!("$(date -u '+{EVENT_TIME_FORMAT}')")
}

/// A schedule or duration that is not one, in Go's and Kubeless's words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("time: invalid duration {0:?}")]
    Duration(String),
    #[error("time: missing unit in duration {0:?}")]
    MissingUnit(String),
    #[error("time: unknown unit {unit:?} in duration {duration:?}")]
    UnknownUnit { unit: String, duration: String },
    #[error("@every needs a positive duration, got {0:?}")]
    NotPositive(String),
    /// The cron parser's own words.
    #[error("{0}")]
    Cron(String),
    #[error(
        "{0:?} cannot run on a cluster: a Kubernetes CronJob fires at whole minutes of the clock, so @every must be {CLUSTER_EVERY} (or give a 5-field schedule such as \"*/5 * * * *\"); the local engine runs any @every exactly"
    )]
    NotOnClusters(String),
}

/// A checked schedule.
#[derive(Clone, Debug)]
pub enum Schedule {
    Cron(Box<Cron>),
    Every(Duration),
}

/// Parses a Go duration (`10s`, `1m30s`, `1.5h`, `500ms`).
pub fn go_duration(text: &str) -> Result<Duration, ScheduleError> {
    let bad = || ScheduleError::Duration(text.to_string());
    if text.is_empty() {
        return Err(bad());
    }
    let mut total = 0f64;
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| ScheduleError::MissingUnit(text.to_string()))?;
        let value: f64 = rest[..end].parse().map_err(|_| bad())?;
        rest = &rest[end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            unit => {
                return Err(ScheduleError::UnknownUnit {
                    unit: unit.to_string(),
                    duration: text.to_string(),
                });
            }
        };
        total += value * scale;
        rest = &rest[unit_end..];
    }
    Ok(Duration::from_secs_f64(total))
}

/// Checks a schedule; the error says what is wrong with it.
pub fn parse(text: &str) -> Result<Schedule, ScheduleError> {
    let text = text.trim();
    if let Some(every) = text.strip_prefix("@every ") {
        let d = go_duration(every.trim())?;
        if d.is_zero() {
            return Err(ScheduleError::NotPositive(every.to_string()));
        }
        return Ok(Schedule::Every(d));
    }
    let parser = CronParser::builder()
        .seconds(Seconds::Disallowed)
        .year(Year::Disallowed)
        .build();
    parser
        .parse(text)
        .map(|c| Schedule::Cron(Box::new(c)))
        .map_err(|e| ScheduleError::Cron(e.to_string()))
}

/// What a cluster can run of `@every`: a Kubernetes CronJob fires at whole minutes of the clock.
pub const CLUSTER_EVERY: &str = "1m, 2m, 3m, 4m, 5m, 6m, 10m, 12m, 15m, 20m, 30m, 1h, 2h, 3h, 4h, 6h, 8h, 12h or 24h";

/// The schedule as a Kubernetes CronJob runs it: 5-field expressions and descriptors as they
/// are, `@every` as the 5-field expression that fires at exactly that interval. An `@every` no
/// CronJob can run exactly (under a minute, or not dividing an hour or a day) is an error
/// rather than another schedule.
pub fn cluster_schedule(text: &str) -> Result<String, ScheduleError> {
    let d = match parse(text)? {
        Schedule::Cron(_) => return Ok(text.trim().to_string()),
        Schedule::Every(d) => d,
    };
    let exact = (d.subsec_nanos() == 0 && d.as_secs() % 60 == 0).then_some(d.as_secs() / 60);
    let rendered = match exact {
        Some(1) => Some("* * * * *".to_string()),
        Some(m) if m < 60 && 60 % m == 0 => Some(format!("*/{m} * * * *")),
        Some(60) => Some("0 * * * *".to_string()),
        Some(m) if m % 60 == 0 && m < 1440 && 1440 % m == 0 => Some(format!("0 */{} * * *", m / 60)),
        Some(1440) => Some("0 0 * * *".to_string()),
        _ => None,
    };
    rendered.ok_or_else(|| ScheduleError::NotOnClusters(text.trim().to_string()))
}

/// The first firing strictly after `after`.
/// (Cron triggers fire in UTC, on the engine and on clusters.)
pub fn next_after(schedule: &Schedule, after: Timestamp) -> Option<Timestamp> {
    match schedule {
        Schedule::Every(every) => Some(after + *every),
        Schedule::Cron(cron) => {
            let zoned = after.to_zoned(TimeZone::UTC);
            cron.find_next_occurrence(&zoned, false).ok().map(|z| z.timestamp())
        }
    }
}

/// The next firing of each trigger, with its schedule parsed once per schedule text (not on
/// every tick).
#[derive(Default)]
pub struct Timetable {
    // (namespace, name) → (schedule text, its parse, next firing)
    pub(crate) entries: HashMap<(String, String), (String, Option<Schedule>, Timestamp)>,
    /// How many schedule texts were parsed (the engine's tests count them).
    pub(crate) parses: usize,
}

impl Timetable {
    /// The triggers of `live` (key and schedule text) due at `now`; each is moved to its next
    /// firing, triggers gone are forgotten, and an invalid schedule never fires.
    pub fn due(&mut self, now: Timestamp, live: &[((String, String), &str)]) -> Vec<(String, String)> {
        let keep: HashSet<&(String, String)> = live.iter().map(|(k, _)| k).collect();
        self.entries.retain(|k, _| keep.contains(k));
        let mut due = Vec::new();
        for (key, text) in live {
            let fresh = self.entries.get(key).is_none_or(|(old, _, _)| old != text);
            if fresh {
                self.parses += 1;
                let parsed = parse(text).ok();
                let first = parsed.as_ref().and_then(|p| next_after(p, now)).unwrap_or(now);
                self.entries.insert(key.clone(), (text.to_string(), parsed, first));
            }
            let (_, parsed, next) = self.entries.get_mut(key).expect("just inserted");
            let Some(parsed) = parsed else { continue };
            if *next <= now {
                *next = next_after(parsed, now).unwrap_or(now + Duration::from_secs(60));
                due.push(key.clone());
            }
        }
        due
    }

    /// Forgets every trigger (a controller that stopped leading starts afresh when it leads again).
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_runs_every_exactly_or_not_at_all() {
        for (every, cron) in [
            ("@every 1m", "* * * * *"),
            ("@every 60s", "* * * * *"),
            ("@every 2m", "*/2 * * * *"),
            ("@every 30m", "*/30 * * * *"),
            ("@every 1h", "0 * * * *"),
            ("@every 2h", "0 */2 * * *"),
            ("@every 120m", "0 */2 * * *"),
            ("@every 12h", "0 */12 * * *"),
            ("@every 24h", "0 0 * * *"),
            ("*/7 * * * *", "*/7 * * * *"),
            ("@hourly", "@hourly"),
        ] {
            assert_eq!(cluster_schedule(every).as_deref(), Ok(cron), "{every}");
        }
        for every in [
            "@every 45s",
            "@every 7m",
            "@every 90m",
            "@every 1m30s",
            "@every 5h",
            "@every 48h",
        ] {
            let e = cluster_schedule(every).unwrap_err().to_string();
            assert!(e.contains(every) && e.contains("30m, 1h"), "{e}");
        }
    }

    #[test]
    fn kubeless_schedules_parse() {
        for ok in [
            "* * * * *",
            "*/5 * * * *",
            "0 0 * * MON-FRI",
            "@hourly",
            "@daily",
            "@every 10s",
            "@every 1m30s",
            "0 12 1 JAN *",
        ] {
            assert!(parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "* * * *",
            "61 * * * *",
            "* * * * * *",
            "@every",
            "@every 10x",
            "@sometimes",
            "a b c d e",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(matches!(parse("@every 2s"), Ok(Schedule::Every(d)) if d == Duration::from_secs(2)));
    }
}
