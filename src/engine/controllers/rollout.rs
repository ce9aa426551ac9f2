//! The pure parts of the Deployment and ReplicaSet controllers, as kube-controller-manager
//! computes them: the pod-template-hash, the rolling update's arithmetic (maxSurge,
//! maxUnavailable), the Deployment's conditions, and which Pods go first on a scale-down.

use serde_json::{Map, Value, json};

/// The label that tells the ReplicaSets (and Pods) of one Deployment's templates apart.
pub const HASH_LABEL: &str = "pod-template-hash";
/// A ReplicaSet's revision, and its Deployment's current one.
pub const REVISION: &str = "deployment.kubernetes.io/revision";
pub const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
pub const DESIRED: &str = "deployment.kubernetes.io/desired-replicas";
pub const MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";

/// Deployment annotations that are not copied to its ReplicaSets.
const NOT_COPIED: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    REVISION_HISTORY,
    DESIRED,
    MAX_REPLICAS,
    "deprecated.deployment.rollback.to",
];

const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// The pod-template-hash of a template: FNV-1a (32 bits) of the template with its keys in
/// order and the collision count, written as the API machinery's "safe" string (no vowels, no
/// look-alike digits), as the Deployment controller does (its exact bytes differ: Go's dump of
/// the typed template is not JSON).
pub fn template_hash(template: &Value, collisions: i64) -> String {
    let mut text = canonical(&without_hash(template)).to_string();
    if collisions > 0 {
        text.push_str(&collisions.to_string());
    }
    let mut hash: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash.to_string()
        .bytes()
        .map(|d| ALPHABET[d as usize % ALPHABET.len()] as char)
        .collect()
}

/// A template with its keys in order and without what a typed client adds when it sends one
/// back (`creationTimestamp: null`, `resources: {}`): nulls, empty objects and empty lists.
fn canonical(v: &Value) -> Value {
    let empty =
        |v: &Value| v.is_null() || v.as_object().is_some_and(Map::is_empty) || v.as_array().is_some_and(Vec::is_empty);
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), canonical(&m[k])))
                    .filter(|(_, v)| !empty(v))
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// A template without the pod-template-hash label (as two templates are compared).
pub fn without_hash(template: &Value) -> Value {
    let mut t = template.clone();
    if let Some(labels) = t.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
        labels.remove(HASH_LABEL);
        if labels.is_empty()
            && let Some(meta) = t["metadata"].as_object_mut()
        {
            meta.remove("labels");
        }
    }
    t
}

/// Whether a ReplicaSet's template is the Deployment's (the hash label aside).
pub fn same_template(a: &Value, b: &Value) -> bool {
    canonical(&without_hash(a)) == canonical(&without_hash(b))
}

/// The annotations a Deployment gives its ReplicaSets.
pub fn copied_annotations(deployment: &Value) -> Map<String, Value> {
    deployment
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter(|(k, _)| !NOT_COPIED.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// An int-or-percent of `total` (`"25%"`), rounded up or down; `None` for a value that is neither.
pub fn scaled(value: &Value, total: i64, round_up: bool) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => match s.strip_suffix('%') {
            Some(p) => {
                let p: i64 = p.parse().ok()?;
                let x = p * total;
                Some(if round_up {
                    (x + 99).div_euclid(100)
                } else {
                    x.div_euclid(100)
                })
            }
            None => s.parse().ok(),
        },
        _ => None,
    }
}

/// How a Deployment rolls out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    Recreate,
    /// maxSurge and maxUnavailable, resolved against the wanted replicas.
    Rolling {
        surge: i64,
        unavailable: i64,
    },
}

/// The strategy of a Deployment spec (defaults: RollingUpdate, 25% and 25%); when both
/// resolve to 0, one replica may be unavailable (the controller's fenceposts).
pub fn strategy(spec: &Value, desired: i64) -> Strategy {
    if spec.pointer("/strategy/type").and_then(Value::as_str) == Some("Recreate") {
        return Strategy::Recreate;
    }
    let rolling = &spec["strategy"]["rollingUpdate"];
    let default = json!("25%");
    let surge = scaled(rolling.get("maxSurge").unwrap_or(&default), desired, true).unwrap_or(0);
    let mut unavailable = scaled(rolling.get("maxUnavailable").unwrap_or(&default), desired, false).unwrap_or(0);
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    Strategy::Rolling {
        surge: surge.max(0),
        unavailable: unavailable.max(0),
    }
}

/// The unavailable replicas a Deployment tolerates while still Available.
pub fn max_unavailable(strategy: Strategy, desired: i64) -> i64 {
    match strategy {
        Strategy::Rolling { unavailable, .. } if desired > 0 => unavailable.min(desired),
        _ => 0,
    }
}

/// One ReplicaSet as the rollout counts it: its wanted and available replicas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counts {
    pub replicas: i64,
    pub available: i64,
}

/// The new ReplicaSet's replicas in a rolling update: up to `desired`, as far as the surge
/// allows over every ReplicaSet's replicas (`total`, the new one's included).
pub fn new_replicas(desired: i64, surge: i64, new: i64, total: i64) -> i64 {
    if new >= desired {
        return desired;
    }
    let room = desired + surge - total;
    if room <= 0 {
        return new;
    }
    new + room.min(desired - new)
}

/// The old ReplicaSets' replicas after a rolling update's scale-down (in the order given,
/// oldest first): unhealthy replicas go first, then as many as keep `desired - unavailable`
/// available.
pub fn old_replicas(desired: i64, unavailable: i64, new: Counts, olds: &[Counts]) -> Vec<i64> {
    let mut next: Vec<i64> = olds.iter().map(|o| o.replicas).collect();
    let old_total: i64 = next.iter().sum();
    if old_total == 0 {
        return next;
    }
    let all = old_total + new.replicas;
    let min_available = desired - unavailable;
    let new_unavailable = (new.replicas - new.available).max(0);
    let max_scaled_down = all - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return next;
    }
    // Unhealthy replicas first: they are not available anyway.
    let mut cleaned = 0;
    for (i, o) in olds.iter().enumerate() {
        if cleaned >= max_scaled_down {
            break;
        }
        let unhealthy = (o.replicas - o.available).max(0);
        let down = unhealthy.min(max_scaled_down - cleaned);
        next[i] -= down;
        cleaned += down;
    }
    let available: i64 = olds.iter().map(|o| o.available).sum::<i64>() + new.available;
    if available <= min_available {
        return next;
    }
    let budget = available - min_available;
    let mut down_total = 0;
    for n in next.iter_mut() {
        if down_total >= budget {
            break;
        }
        let down = (*n).min(budget - down_total);
        *n -= down;
        down_total += down;
    }
    next
}

/// A Deployment's status counts, from its ReplicaSets' statuses (new one first).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub replicas: i64,
    pub updated: i64,
    pub ready: i64,
    pub available: i64,
    pub unavailable: i64,
    pub terminating: i64,
}

/// One condition as the Deployment controller writes it.
pub fn condition(kind: &str, status: bool, reason: &str, message: &str, now: &str) -> Value {
    json!({
        "type": kind, "status": if status { "True" } else { "False" },
        "lastUpdateTime": now, "lastTransitionTime": now, "reason": reason, "message": message,
    })
}

/// Sets a condition as the controller's SetDeploymentCondition does: nothing changes when the
/// status and reason are the ones there; the transition time is kept when the status is; the
/// condition goes to the end.
pub fn set_condition(conditions: &mut Vec<Value>, mut new: Value) {
    if let Some(current) = conditions.iter().find(|c| c["type"] == new["type"]) {
        if current["status"] == new["status"] && current["reason"] == new["reason"] {
            return;
        }
        if current["status"] == new["status"] {
            new["lastTransitionTime"] = current["lastTransitionTime"].clone();
        }
    }
    conditions.retain(|c| c["type"] != new["type"]);
    conditions.push(new);
}

/// What a rollout looks like now, for its Progressing condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Every wanted replica updated and available, the generation observed.
    Complete,
    /// More updated, ready or available replicas than the last status said, or fewer old ones.
    Progressing,
    /// No progress for progressDeadlineSeconds.
    TimedOut,
    Unchanged,
}

pub fn progress(
    desired: i64,
    before: &Totals,
    now: &Totals,
    observed_current: bool,
    since_last_update: Option<i64>,
    deadline: i64,
) -> Progress {
    if now.updated == desired && now.replicas == desired && now.available == desired && observed_current {
        return Progress::Complete;
    }
    let old_before = before.replicas - before.updated;
    let old_now = now.replicas - now.updated;
    if now.updated > before.updated
        || old_now < old_before
        || now.ready > before.ready
        || now.available > before.available
    {
        return Progress::Progressing;
    }
    if since_last_update.is_some_and(|s| s > deadline) {
        return Progress::TimedOut;
    }
    Progress::Unchanged
}

/// The rank of a Pod on a scale-down, lowest goes first: not on a node, pending, not ready,
/// more restarts, newer.
pub fn deletion_rank(pod: &Value) -> (u8, u8, u8, i64, std::cmp::Reverse<String>) {
    let on_node = pod
        .pointer("/spec/nodeName")
        .and_then(Value::as_str)
        .is_some_and(|n| !n.is_empty());
    let phase = match pod.pointer("/status/phase").and_then(Value::as_str) {
        Some("Pending") | None => 0,
        Some("Unknown") => 1,
        _ => 2,
    };
    let restarts: i64 = pod
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .map(|c| c.iter().filter_map(|s| s["restartCount"].as_i64()).sum())
        .unwrap_or(0);
    let created = pod["metadata"]["creationTimestamp"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    (
        u8::from(on_node),
        phase,
        u8::from(pod_ready(pod)),
        -restarts,
        std::cmp::Reverse(created),
    )
}

pub fn pod_ready(pod: &Value) -> bool {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|c| c.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"))
}

/// Whether labels match a label selector (matchLabels and matchExpressions); an empty
/// selector matches nothing, as a controller's does.
pub fn selector_matches(selector: &Value, labels: &std::collections::BTreeMap<String, String>) -> bool {
    let match_labels = selector.get("matchLabels").and_then(Value::as_object);
    let expressions = selector.get("matchExpressions").and_then(Value::as_array);
    if match_labels.is_none_or(Map::is_empty) && expressions.is_none_or(Vec::is_empty) {
        return false;
    }
    let labels_ok = match_labels
        .into_iter()
        .flatten()
        .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str());
    let expressions_ok = expressions.into_iter().flatten().all(|e| {
        let key = e["key"].as_str().unwrap_or_default();
        let values: Vec<&str> = e["values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let have = labels.get(key).map(String::as_str);
        match e["operator"].as_str().unwrap_or_default() {
            "In" => have.is_some_and(|h| values.contains(&h)),
            "NotIn" => have.is_none_or(|h| !values.contains(&h)),
            "Exists" => have.is_some(),
            "DoesNotExist" => have.is_none(),
            _ => false,
        }
    });
    labels_ok && expressions_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_ignores_its_own_label_and_key_order_and_uses_the_safe_alphabet() {
        let a = json!({"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}});
        let b = json!({"spec": {"containers": [{"image": "i", "name": "c", "resources": {}}]},
            "metadata": {"creationTimestamp": null, "labels": {"pod-template-hash": "zz", "app": "x"}}});
        assert_eq!(template_hash(&a, 0), template_hash(&b, 0));
        assert!(same_template(&a, &b));
        assert_ne!(template_hash(&a, 0), template_hash(&a, 1));
        let other =
            json!({"metadata": {"labels": {"app": "y"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}});
        assert_ne!(template_hash(&a, 0), template_hash(&other, 0));
        assert!(template_hash(&a, 0).bytes().all(|c| ALPHABET.contains(&c)));
    }

    #[test]
    fn surge_rounds_up_unavailable_down_and_both_zero_allows_one() {
        let spec = json!({});
        assert_eq!(
            strategy(&spec, 1),
            Strategy::Rolling {
                surge: 1,
                unavailable: 0
            }
        );
        assert_eq!(
            strategy(&spec, 10),
            Strategy::Rolling {
                surge: 3,
                unavailable: 2
            }
        );
        let zero = json!({"strategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": "0%"}}});
        assert_eq!(
            strategy(&zero, 4),
            Strategy::Rolling {
                surge: 0,
                unavailable: 1
            }
        );
        assert_eq!(
            strategy(&json!({"strategy": {"type": "Recreate"}}), 3),
            Strategy::Recreate
        );
        assert_eq!(max_unavailable(strategy(&spec, 10), 10), 2);
        assert_eq!(max_unavailable(Strategy::Recreate, 10), 0);
    }

    #[test]
    fn a_rolling_update_surges_then_scales_the_old_down_as_the_new_become_available() {
        // 1 replica, maxUnavailable 0 (a function's): one new replica first…
        assert_eq!(new_replicas(1, 1, 0, 1), 1);
        let olds = [Counts {
            replicas: 1,
            available: 1,
        }];
        // …the old one stays while the new one is not available…
        assert_eq!(
            old_replicas(
                1,
                0,
                Counts {
                    replicas: 1,
                    available: 0
                },
                &olds
            ),
            [1]
        );
        // …and goes once it is.
        assert_eq!(
            old_replicas(
                1,
                0,
                Counts {
                    replicas: 1,
                    available: 1
                },
                &olds
            ),
            [0]
        );
        // 10 replicas, 25%/25%: 3 new at once, 2 old go before any new one is available.
        assert_eq!(new_replicas(10, 3, 0, 10), 3);
        let olds = [Counts {
            replicas: 10,
            available: 10,
        }];
        assert_eq!(
            old_replicas(
                10,
                2,
                Counts {
                    replicas: 3,
                    available: 0
                },
                &olds
            ),
            [8]
        );
        // Unhealthy old replicas go first, whatever the availability.
        let olds = [
            Counts {
                replicas: 2,
                available: 0,
            },
            Counts {
                replicas: 1,
                available: 1,
            },
        ];
        assert_eq!(
            old_replicas(
                1,
                0,
                Counts {
                    replicas: 1,
                    available: 0
                },
                &olds
            ),
            [0, 1]
        );
        // No surge room left: the new one waits.
        assert_eq!(new_replicas(2, 1, 1, 3), 1);
        assert_eq!(new_replicas(2, 1, 3, 3), 2);
    }

    #[test]
    fn a_condition_keeps_its_times_while_status_and_reason_hold() {
        let mut conditions = vec![];
        set_condition(
            &mut conditions,
            condition("Progressing", true, "NewReplicaSetCreated", "m", "t1"),
        );
        set_condition(
            &mut conditions,
            condition("Available", false, "MinimumReplicasUnavailable", "m", "t1"),
        );
        set_condition(
            &mut conditions,
            condition("Available", false, "MinimumReplicasUnavailable", "m", "t2"),
        );
        assert_eq!(conditions[1]["lastUpdateTime"], "t1");
        set_condition(
            &mut conditions,
            condition("Progressing", true, "ReplicaSetUpdated", "m", "t3"),
        );
        assert_eq!(conditions[1]["type"], "Progressing");
        assert_eq!(conditions[1]["lastTransitionTime"], "t1");
        assert_eq!(conditions[1]["lastUpdateTime"], "t3");
    }

    #[test]
    fn progress_is_complete_moving_or_stuck_past_its_deadline() {
        let done = Totals {
            replicas: 1,
            updated: 1,
            ready: 1,
            available: 1,
            ..Default::default()
        };
        assert_eq!(
            progress(1, &Totals::default(), &done, true, None, 600),
            Progress::Complete
        );
        assert_eq!(
            progress(1, &Totals::default(), &done, false, None, 600),
            Progress::Progressing
        );
        let stuck = Totals {
            replicas: 1,
            updated: 1,
            ..Default::default()
        };
        assert_eq!(progress(1, &stuck, &stuck, true, Some(10), 600), Progress::Unchanged);
        assert_eq!(progress(1, &stuck, &stuck, true, Some(601), 600), Progress::TimedOut);
    }

    #[test]
    fn a_scale_down_takes_pending_then_not_ready_then_newest_pods_first() {
        let pod = |name: &str, node: &str, ready: bool, created: &str| {
            json!({"metadata": {"name": name, "creationTimestamp": created}, "spec": {"nodeName": node},
                "status": {"phase": if node.is_empty() {"Pending"} else {"Running"},
                    "conditions": [{"type": "Ready", "status": if ready {"True"} else {"False"}}]}})
        };
        let mut pods = [
            pod("old-ready", "n", true, "2026-01-01T00:00:00Z"),
            pod("new-ready", "n", true, "2026-01-02T00:00:00Z"),
            pod("pending", "", false, "2026-01-01T00:00:00Z"),
            pod("not-ready", "n", false, "2026-01-01T00:00:00Z"),
        ];
        pods.sort_by_key(deletion_rank);
        let names: Vec<_> = pods.iter().map(|p| p["metadata"]["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["pending", "not-ready", "new-ready", "old-ready"]);
    }

    #[test]
    fn selectors_match_labels_and_expressions_and_an_empty_one_matches_nothing() {
        let labels: std::collections::BTreeMap<String, String> = [("app".to_string(), "x".to_string())].into();
        assert!(selector_matches(&json!({"matchLabels": {"app": "x"}}), &labels));
        assert!(!selector_matches(&json!({"matchLabels": {"app": "y"}}), &labels));
        assert!(selector_matches(
            &json!({"matchExpressions": [{"key": "app", "operator": "In", "values": ["x"]}]}),
            &labels
        ));
        assert!(!selector_matches(
            &json!({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}),
            &labels
        ));
        assert!(!selector_matches(&json!({}), &labels));
    }
}
