//! Cron schedules as Kubeless accepts them: standard 5-field expressions, the `@hourly` style
//! descriptors, and `@every <duration>`.

use std::time::Duration;

use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};

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

/// A checked schedule.
#[derive(Clone, Debug)]
pub enum Schedule {
    Cron(Box<Cron>),
    Every(Duration),
}

/// Parses a Go duration (`10s`, `1m30s`, `1.5h`, `500ms`).
pub fn go_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("time: invalid duration {text:?}");
    if text.is_empty() {
        return Err(bad());
    }
    let mut total = 0f64;
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("time: missing unit in duration {text:?}"))?;
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
            unit => return Err(format!("time: unknown unit {unit:?} in duration {text:?}")),
        };
        total += value * scale;
        rest = &rest[unit_end..];
    }
    Ok(Duration::from_secs_f64(total))
}

/// Checks a schedule; the error says what is wrong with it.
pub fn parse(text: &str) -> Result<Schedule, String> {
    let text = text.trim();
    if let Some(every) = text.strip_prefix("@every ") {
        let d = go_duration(every.trim())?;
        if d.is_zero() {
            return Err(format!("@every needs a positive duration, got {every:?}"));
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
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

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
