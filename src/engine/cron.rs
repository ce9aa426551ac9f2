//! CronJobTriggers on the local engine: each schedule is evaluated in UTC, and each firing
//! calls the function with the cron event headers (a POST of the payload, or a GET without
//! one), or starts an execution of the trigger's flow with the payload as its input (`{}`
//! without one). Firings missed while the engine was down are not replayed.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use super::objects::{Objects, Parsed};
use super::replicas::{self, Replicas};
use crate::api::kinds::{CronJobTrigger, CronJobTriggerSpec};
use crate::api::schedule::{self, Timetable};
use axum::body::Body;
use k8s_openapi::jiff::Timestamp;

const TRIGGERS: &str = "kubeless.io/cronjobtriggers";

/// The request of one firing.
pub fn request(trigger: &CronJobTriggerSpec, uid: &str) -> http::Request<Body> {
    let payload = trigger.payload.as_ref().filter(|p| !p.is_null());
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
pub fn start(objects: Arc<Objects>, replicas: Arc<Replicas>) {
    tokio::spawn(async move {
        let mut timetable = Timetable::default();
        let mut parsed = Parsed::<CronJobTrigger>::default();
        loop {
            let now = Timestamp::now();
            let (stored, _) = objects.store.list(TRIGGERS, None);
            let triggers = parsed.read(&stored);
            let key = |t: &CronJobTrigger| {
                let field = |f: &Option<String>| f.clone().unwrap_or_default();
                (field(&t.metadata.namespace), field(&t.metadata.name))
            };
            let live: Vec<_> = triggers.iter().map(|t| (key(t), t.spec.schedule.as_str())).collect();
            let due: HashSet<_> = timetable.due(now, &live).into_iter().collect();
            for t in triggers.iter().filter(|t| due.contains(&key(t))) {
                let (ns, name) = key(t);
                if !t.spec.flow_name.is_empty() {
                    let input = t
                        .spec
                        .payload
                        .clone()
                        .filter(|p| !p.is_null())
                        .unwrap_or_else(|| serde_json::json!({}));
                    if let Err(e) = super::flows::start_execution(&objects, &ns, &t.spec.flow_name, input) {
                        tracing::warn!(
                            "cron trigger {ns}/{name}: cannot start the flow {}: {}",
                            t.spec.flow_name,
                            e.message
                        );
                    }
                    continue;
                }
                let function = t.spec.function_name.clone();
                let req = request(&t.spec, &uuid::Uuid::new_v4().to_string());
                let replicas = replicas.clone();
                tokio::spawn(async move {
                    match replicas::forward(&replicas, &ns, &function, "/", req).await {
                        Ok(resp) => {
                            let _ = axum::body::to_bytes(resp.into_body(), 16 * 1024 * 1024).await;
                        }
                        Err(e) => tracing::warn!("cron trigger {ns}/{name}: cannot call {function}: {}", e.message),
                    }
                });
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::schedule::next_after;

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
        let with = CronJobTriggerSpec {
            payload: Some(serde_json::json!({"a": 1})),
            ..Default::default()
        };
        let req = request(&with, "id-1");
        assert_eq!(req.method(), http::Method::POST);
        assert_eq!(req.headers()["event-namespace"], "cronjobtrigger.kubeless.io");
        let without = CronJobTriggerSpec::default();
        assert_eq!(request(&without, "id-2").method(), http::Method::GET);
        let null = CronJobTriggerSpec {
            payload: Some(serde_json::Value::Null),
            ..Default::default()
        };
        assert_eq!(request(&null, "id-3").method(), http::Method::GET);
    }

    #[test]
    fn the_timetable_parses_a_schedule_once_and_again_only_when_it_changes() {
        let key = || ("default".to_string(), "tick".to_string());
        let mut table = Timetable::default();
        let t0: Timestamp = "2026-01-01T10:00:00Z".parse().unwrap();
        let at = |s: i64| t0 + Duration::from_secs(s as u64);
        assert!(table.due(at(0), &[(key(), "@every 2s")]).is_empty());
        assert!(table.due(at(1), &[(key(), "@every 2s")]).is_empty());
        assert_eq!(table.due(at(2), &[(key(), "@every 2s")]), [key()]);
        assert!(table.due(at(3), &[(key(), "@every 2s")]).is_empty());
        assert_eq!(table.due(at(4), &[(key(), "@every 2s")]), [key()]);
        assert_eq!(table.parses, 1, "one parse for five ticks");
        // A new schedule starts from its own next firing.
        assert!(table.due(at(5), &[(key(), "@every 10s")]).is_empty());
        assert_eq!(table.due(at(15), &[(key(), "@every 10s")]), [key()]);
        assert_eq!(table.parses, 2);
        // An invalid schedule never fires and is not parsed again on every tick.
        for s in 16..20 {
            assert!(table.due(at(s), &[(key(), "@every")]).is_empty());
        }
        assert_eq!(table.parses, 3);
        // A trigger gone is forgotten: back again, it starts afresh.
        assert!(table.due(at(20), &[]).is_empty());
        assert!(table.entries.is_empty());
    }
}
