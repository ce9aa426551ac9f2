//! CronJobTriggers on the local engine: each schedule is evaluated in UTC, and each firing
//! calls the function with the cron event headers (a POST of the payload, or a GET without
//! one). Firings missed while the engine was down are not replayed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use k8s_openapi::jiff::{Timestamp, tz::TimeZone};
use serde_json::Value;

use super::apiserver::{self, ApiServer};
use crate::api::schedule::{self, Schedule};

const TRIGGERS: &str = "kubeless.io/cronjobtriggers";

/// The first firing strictly after `after`.
pub fn next_after(schedule: &Schedule, after: Timestamp) -> Option<Timestamp> {
    match schedule {
        Schedule::Every(every) => Some(after + *every),
        Schedule::Cron(cron) => {
            let zoned = after.to_zoned(TimeZone::UTC);
            cron.find_next_occurrence(&zoned, false).ok().map(|z| z.timestamp())
        }
    }
}

/// The request of one firing.
pub fn request(trigger: &Value, uid: &str) -> http::Request<Body> {
    let payload = trigger.pointer("/spec/payload").filter(|p| !p.is_null());
    let builder = http::Request::builder()
        .uri("/")
        .header("event-id", uid)
        .header("event-time", schedule::event_time(Timestamp::now()))
        .header("event-namespace", "cronjobtrigger.kubeless.io")
        .header("event-type", "application/json")
        .header("user-agent", "kfn-cron");
    match payload {
        Some(p) => builder
            .method("POST")
            .header("content-type", "application/json")
            .body(Body::from(p.to_string()))
            .expect("a valid request"),
        None => builder.method("GET").body(Body::empty()).expect("a valid request"),
    }
}

/// Runs every CronJobTrigger's schedule until the process ends.
pub fn start(server: Arc<ApiServer>) {
    tokio::spawn(async move {
        // trigger key → (schedule text, next firing)
        let mut next: HashMap<(String, String), (String, Timestamp)> = HashMap::new();
        loop {
            let now = Timestamp::now();
            let (triggers, _) = server.store.list(TRIGGERS, None);
            let mut live = Vec::new();
            for t in triggers.iter().map(|t| &t.value) {
                let ns = t["metadata"]["namespace"].as_str().unwrap_or_default().to_string();
                let name = t["metadata"]["name"].as_str().unwrap_or_default().to_string();
                let text = t
                    .pointer("/spec/schedule")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let key = (ns.clone(), name.clone());
                live.push(key.clone());
                let Ok(parsed) = schedule::parse(&text) else { continue };
                let entry = next
                    .entry(key)
                    .or_insert_with(|| (text.clone(), next_after(&parsed, now).unwrap_or(now)));
                if entry.0 != text {
                    *entry = (text.clone(), next_after(&parsed, now).unwrap_or(now));
                }
                if entry.1 <= now {
                    entry.1 = next_after(&parsed, now).unwrap_or(now + Duration::from_secs(60));
                    let function = t
                        .pointer("/spec/function-name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    let req = request(t, &uuid::Uuid::new_v4().to_string());
                    let server = server.clone();
                    tokio::spawn(async move {
                        match apiserver::forward(&server, &ns, &function, "/", req).await {
                            Ok(resp) => {
                                let _ = axum::body::to_bytes(resp.into_body(), 16 * 1024 * 1024).await;
                            }
                            Err(e) => tracing::warn!("cron trigger {ns}/{name}: cannot call {function}: {}", e.message),
                        }
                    });
                }
            }
            next.retain(|k, _| live.contains(k));
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn firings_follow_the_schedule_in_utc() {
        let at: Timestamp = "2026-01-01T10:07:30Z".parse().unwrap();
        let hourly = schedule::parse("@hourly").unwrap();
        assert_eq!(next_after(&hourly, at).unwrap().to_string(), "2026-01-01T11:00:00Z");
        let five = schedule::parse("*/5 * * * *").unwrap();
        assert_eq!(next_after(&five, at).unwrap().to_string(), "2026-01-01T10:10:00Z");
        let every = schedule::parse("@every 2s").unwrap();
        assert_eq!(next_after(&every, at).unwrap().to_string(), "2026-01-01T10:07:32Z");
    }

    #[test]
    fn a_payload_makes_a_post_and_none_a_get() {
        let with = serde_json::json!({"spec": {"payload": {"a": 1}}});
        let req = request(&with, "id-1");
        assert_eq!(req.method(), http::Method::POST);
        assert_eq!(req.headers()["event-namespace"], "cronjobtrigger.kubeless.io");
        let without = serde_json::json!({"spec": {"payload": null}});
        assert_eq!(request(&without, "id-2").method(), http::Method::GET);
    }
}
