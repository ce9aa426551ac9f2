//! CronJobTriggers with a `flow-name` on a cluster: no CronJob is rendered for them (a CronJob
//! calls a function's Service; a Flow has none); the controller fires each schedule itself, in
//! UTC, while this replica leads, and each firing creates an Execution of the flow with the
//! trigger's payload as its input (`{}` without one). Firings missed while no replica led are
//! not replayed.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use k8s_openapi::jiff::Timestamp;
use serde_json::Value;

use crate::api::kinds::CronJobTrigger;
use crate::api::schedule::Timetable;
use crate::client::kubeless;

/// Fires the schedules of the CronJobTriggers that name a flow, while this replica leads,
/// until the process ends.
pub async fn run(client: kube::Client, leader: Arc<AtomicBool>) {
    let mut table = Timetable::default();
    let api =
        kube::api::Api::<kube::api::DynamicObject>::all_with(client.clone(), &kubeless::resource("CronJobTrigger"));
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if !leader.load(Ordering::SeqCst) {
            table.clear();
            continue;
        }
        let Ok(list) = api.list(&Default::default()).await else {
            continue;
        };
        let triggers: Vec<CronJobTrigger> = list
            .items
            .iter()
            .filter_map(|o| crate::api::kinds::from_object(&kubeless::to_value(o)).ok())
            .filter(|t: &CronJobTrigger| !t.spec.flow_name.is_empty() && t.metadata.deletion_timestamp.is_none())
            .collect();
        let key = |t: &CronJobTrigger| {
            (
                t.metadata.namespace.clone().unwrap_or_default(),
                t.metadata.name.clone().unwrap_or_default(),
            )
        };
        let live: Vec<_> = triggers.iter().map(|t| (key(t), t.spec.schedule.as_str())).collect();
        for due in table.due(Timestamp::now(), &live) {
            let Some(t) = triggers.iter().find(|t| key(t) == due) else {
                continue;
            };
            let input = t
                .spec
                .payload
                .clone()
                .filter(|p| !p.is_null())
                .unwrap_or_else(|| Value::Object(Default::default()));
            let (ns, name) = &due;
            if let Err(e) = super::flows::start_execution(&client, ns, &t.spec.flow_name, input).await {
                tracing::warn!(
                    "CronJobTrigger {ns}/{name}: cannot start the flow {}: {e}",
                    t.spec.flow_name
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(1_767_261_600 + s).unwrap()
    }

    #[test]
    fn a_flow_schedule_is_due_at_each_firing_and_not_between() {
        let mut table = Timetable::default();
        let key = || ("ns".to_string(), "tick".to_string());
        assert!(table.due(at(0), &[(key(), "@every 2s")]).is_empty());
        assert!(table.due(at(1), &[(key(), "@every 2s")]).is_empty());
        assert_eq!(table.due(at(2), &[(key(), "@every 2s")]), [key()]);
        assert!(table.due(at(3), &[(key(), "@every 2s")]).is_empty());
        assert_eq!(table.due(at(4), &[(key(), "@every 2s")]), [key()]);
        // A 5-field schedule fires at whole minutes of UTC.
        let mut table = Timetable::default();
        assert!(table.due(at(0), &[(key(), "* * * * *")]).is_empty());
        assert!(table.due(at(59), &[(key(), "* * * * *")]).is_empty());
        assert_eq!(table.due(at(60), &[(key(), "* * * * *")]), [key()]);
        // An invalid schedule never fires; a trigger gone is forgotten.
        let mut table = Timetable::default();
        for s in 0..5 {
            assert!(table.due(at(s), &[(key(), "@every")]).is_empty());
        }
        assert!(table.due(at(6), &[]).is_empty());
        assert!(table.entries.is_empty());
    }
}
