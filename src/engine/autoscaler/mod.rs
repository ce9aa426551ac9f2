//! The local engine's autoscaler: every sync period it measures each autoscaled function's
//! ready replicas (calls per second, CPU and memory against their requests, read from the
//! replicas' `/metrics`), runs the HorizontalPodAutoscaler algorithm (`policy`), sets the
//! Deployment's replicas, records Events, and keeps an autoscaling/v2 HPA object with status.
//! A Deployment at zero replicas is left alone, as Kubernetes' HPA leaves it ("ScalingDisabled"):
//! the activator takes it to one, and the idle loop ([`zero`]) to zero.

pub mod zero;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use serde_json::{Value, json};

use crate::api::hpa::{self, Metric};
use crate::api::kinds::Function;
use crate::engine::names::PORT_ANNOTATION;
use crate::engine::objects::{self, Objects, Parsed};
use crate::engine::store::Key;
use crate::runtimes::metrics::{self, Totals};
use crate::scaling::hpa as policy;

const FUNCTIONS: &str = "kubeless.io/functions";

/// The autoscaler's timing, from `KFN_HPA_SYNC_PERIOD`, `KFN_HPA_STABILIZATION` and
/// `KFN_HPA_READINESS_DELAY` (Go durations such as `15s`, `5m`).
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub sync: Duration,
    pub readiness_delay: Duration,
    pub settings: policy::Settings,
}

impl Options {
    pub fn from_env() -> Options {
        let var = |k: &str, d: u64| {
            std::env::var(k)
                .ok()
                .and_then(|v| crate::api::schedule::go_duration(&v).ok())
                .unwrap_or(Duration::from_secs(d))
        };
        Options {
            sync: var("KFN_HPA_SYNC_PERIOD", 15).max(Duration::from_millis(100)),
            readiness_delay: var("KFN_HPA_READINESS_DELAY", 30),
            settings: policy::Settings {
                tolerance: 0.1,
                stabilization: var("KFN_HPA_STABILIZATION", 300),
            },
        }
    }
}

/// What the autoscaler remembers of one function between syncs.
#[derive(Default)]
struct History {
    /// The replicas' counters at the last sync.
    samples: policy::Samples,
    /// Raw recommendations within the stabilization window.
    recent: VecDeque<(Instant, u32)>,
    /// Replicas added (positive) or removed within the scale-up period.
    changes: VecDeque<(Instant, i64)>,
}

/// The function's pods, by namespace and function name (the `function` label).
type PodsOf = HashMap<(String, String), Vec<Arc<Pod>>>;

pub fn start(objects: Arc<Objects>, options: Options) {
    tokio::spawn(async move {
        let epoch = Instant::now();
        let mut histories: HashMap<(String, String), History> = HashMap::new();
        let mut functions = Parsed::<Function>::default();
        let mut all_pods = Parsed::<Pod>::default();
        loop {
            tokio::time::sleep(options.sync).await;
            let (stored, _) = objects.store.list(FUNCTIONS, None);
            let (stored_pods, _) = objects.store.list("/pods", None);
            let mut pods = PodsOf::new();
            for pod in all_pods.read(&stored_pods) {
                let meta = &pod.metadata;
                let function = meta.labels.as_ref().and_then(|l| l.get("function"));
                if let (Some(function), None) = (function, &meta.deletion_timestamp) {
                    let ns = meta.namespace.clone().unwrap_or_default();
                    pods.entry((ns, function.clone())).or_default().push(pod.clone());
                }
            }
            let mut seen = Vec::new();
            for function in functions.read(&stored) {
                let rule = hpa::read(&function.spec);
                sync_hpa_object(&objects, &function, rule.as_ref());
                let Some(rule) = rule else { continue };
                let key = (function.namespace().to_string(), function.name().to_string());
                seen.push(key.clone());
                let replicas = pods.get(&key).map(Vec::as_slice).unwrap_or_default();
                let history = histories.entry(key).or_default();
                scale(&objects, &function, &rule, replicas, history, &options, epoch).await;
            }
            histories.retain(|k, _| seen.contains(k));
        }
    });
}

/// Keeps the HPA object of a function in step with its rule (none: no object).
fn sync_hpa_object(objects: &Arc<Objects>, function: &Function, rule: Option<&hpa::Autoscale>) {
    let Some(def) = objects.registry().find("autoscaling", "v2", "horizontalpodautoscalers") else {
        return;
    };
    let (ns, name) = (function.namespace(), function.name());
    let key = Key::new(&def.store_key(), ns, name);
    match rule {
        Some(rule) => {
            let mut obj = hpa::build(&function.metadata, rule);
            obj["metadata"]["ownerReferences"] = json!([crate::render::owned_by(function)]);
            if let Err(e) = objects::upsert(objects, &def, Some(ns), obj) {
                tracing::warn!("cannot write the HPA of {ns}/{name}: {}", e.message);
            }
        }
        None => {
            if objects.store.get(&key).is_some() {
                let _ = objects::delete_object(objects, &def, &key, &Value::Null, false);
            }
        }
    }
}

async fn scrape(port: &str) -> Option<Totals> {
    let (status, body) = crate::engine::probe::get(port.parse().ok()?, "/metrics", Duration::from_secs(2)).await?;
    if status != 200 {
        return None;
    }
    // A text that does not read leaves the replica out of this sync.
    metrics::parse(&body).ok().map(|samples| metrics::totals(&samples))
}

/// What the function's container requests of a resource (`cpu`, `memory`), else its limit.
fn request(function: &Function, resource: &str) -> Option<f64> {
    let resources = function.spec.container()?.resources.as_ref()?;
    let of = |list: &Option<BTreeMap<String, Quantity>>| {
        list.as_ref()?
            .get(resource)
            .and_then(|q| crate::api::quantity::value(&q.0).ok())
    };
    of(&resources.requests)
        .or_else(|| of(&resources.limits))
        .filter(|v| *v > 0.0)
}

/// Reads a function's replicas for this sync: whether each is ready, settled (ready for longer
/// than the readiness delay), and its counters.
async fn read_pods(pods: &[Arc<Pod>], readiness_delay: Duration) -> Vec<policy::Pod> {
    let now = k8s_openapi::jiff::Timestamp::now();
    let mut out = Vec::new();
    for pod in pods {
        let container = pod
            .status
            .as_ref()
            .and_then(|s| s.container_statuses.as_ref())
            .and_then(|c| c.first());
        let ready = container.is_some_and(|c| c.ready);
        let started = container
            .and_then(|c| c.state.as_ref())
            .and_then(|s| s.running.as_ref())
            .and_then(|r| r.started_at.as_ref());
        let settled = ready
            && started
                .is_some_and(|t| now.as_millisecond() - t.0.as_millisecond() >= readiness_delay.as_millis() as i64);
        let port = pod.metadata.annotations.as_ref().and_then(|a| a.get(PORT_ANNOTATION));
        let totals = match (ready, port) {
            (true, Some(port)) => scrape(port).await,
            _ => None,
        };
        out.push(policy::Pod {
            name: pod.metadata.name.clone().unwrap_or_default(),
            ready,
            settled,
            totals,
        });
    }
    out
}

async fn scale(
    objects: &Arc<Objects>,
    function: &Function,
    rule: &hpa::Autoscale,
    pods: &[Arc<Pod>],
    history: &mut History,
    options: &Options,
    epoch: Instant,
) {
    let (ns, name) = (function.namespace(), function.name());
    let Some(dep_def) = objects.registry().find("apps", "v1", "deployments") else {
        return;
    };
    let Some(deployment) = objects.store.get(&Key::new(&dep_def.store_key(), ns, name)) else {
        return;
    };
    let replicas = deployment
        .value
        .pointer("/spec/replicas")
        .and_then(Value::as_u64)
        .unwrap_or(1) as u32;
    if replicas == 0 {
        history.samples.clear();
        history.recent.clear();
        history.changes.clear();
        disabled(objects, ns, name);
        return;
    }

    let readings = history
        .samples
        .read(epoch.elapsed(), &read_pods(pods, options.readiness_delay).await);
    let now = Instant::now();
    let status = pods.len() as u32;
    let mut measurements = Vec::new();
    let mut described = Vec::new();
    for metric in &rule.metrics {
        let request = match metric {
            Metric::Qps(_) => None,
            Metric::Cpu(_) => request(function, "cpu"),
            Metric::Memory(_) => request(function, "memory"),
        };
        if let Some(m) = policy::measure(metric, &readings, request) {
            described.push(format!(
                "{} {:.1}/{}",
                metric.name(),
                policy::shown(&m, status),
                crate::api::quantity::format(metric.target())
            ));
            measurements.push(m);
        }
    }
    history
        .recent
        .retain(|(at, _)| now.duration_since(*at) <= options.settings.stabilization);
    history
        .changes
        .retain(|(at, _)| now.duration_since(*at) < policy::SCALE_UP_PERIOD);
    let recent: Vec<u32> = history.recent.iter().map(|(_, r)| *r).collect();
    let changed: i64 = history.changes.iter().map(|(_, c)| c).sum();
    let current = policy::Current {
        spec: replicas,
        status,
        period_start: u32::try_from(i64::from(replicas) - changed).unwrap_or(0),
    };
    let rec = policy::desired(current, rule.min, rule.max, &measurements, &recent, options.settings);
    if !measurements.is_empty() {
        history.recent.push_back((now, rec.raw));
    }
    let resize = |d: &mut Value| d["spec"]["replicas"] = json!(rec.count);
    if rec.count != replicas && objects::modify(objects, &dep_def, Some(ns), name, resize).is_ok() {
        history
            .changes
            .push_back((now, i64::from(rec.count) - i64::from(replicas)));
        let why = if described.is_empty() {
            "replicas outside [min, max]".to_string()
        } else {
            described.join(", ")
        };
        let direction = if rec.count > replicas { "above" } else { "below" };
        objects::record_event(
            objects,
            &serde_json::to_value(function).unwrap_or_default(),
            "Normal",
            "SuccessfulRescale",
            &format!("New size: {}; reason: {why} ({direction} target)", rec.count),
        );
        tracing::info!(
            "function {ns}/{name}: {replicas} -> {} replicas ({})",
            rec.count,
            described.join(", ")
        );
    }
    if let Some(def) = objects.registry().find("autoscaling", "v2", "horizontalpodautoscalers") {
        let _ = objects::modify(objects, &def, Some(ns), name, |obj| {
            let last = match rec.count != replicas {
                true => json!(crate::api::now()),
                false => obj.pointer("/status/lastScaleTime").cloned().unwrap_or(Value::Null),
            };
            obj["status"] = json!({"currentReplicas": replicas, "desiredReplicas": rec.count, "lastScaleTime": last});
        });
    }
}

/// The HPA object's status while its Deployment is at zero, in Kubernetes' words.
fn disabled(objects: &Arc<Objects>, ns: &str, name: &str) {
    let Some(def) = objects.registry().find("autoscaling", "v2", "horizontalpodautoscalers") else {
        return;
    };
    let _ = objects::modify(objects, &def, Some(ns), name, |obj| {
        let already = obj.pointer("/status/conditions/0/reason").and_then(Value::as_str) == Some("ScalingDisabled");
        let since = match already {
            true => obj
                .pointer("/status/conditions/0/lastTransitionTime")
                .cloned()
                .unwrap_or(Value::Null),
            false => json!(crate::api::now()),
        };
        let last = obj.pointer("/status/lastScaleTime").cloned().unwrap_or(Value::Null);
        obj["status"] = json!({"currentReplicas": 0, "desiredReplicas": 0, "lastScaleTime": last,
            "conditions": [{"type": "ScalingActive", "status": "False", "reason": "ScalingDisabled",
                "message": "scaling is disabled since the replica count of the target is zero",
                "lastTransitionTime": since}]});
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utilisation_is_against_the_request_else_the_limit() {
        let function = Function::from_object(&json!({
            "apiVersion": "kubeless.io/v1beta1", "kind": "Function",
            "metadata": {"name": "f", "namespace": "default"},
            "spec": {"deployment": {"spec": {"template": {"spec": {"containers": [{"name": "f",
                "resources": {"requests": {"cpu": "250m"}, "limits": {"cpu": "1", "memory": "128Mi"}}}]}}}}}
        }))
        .unwrap();
        assert_eq!(request(&function, "cpu"), Some(0.25));
        assert_eq!(request(&function, "memory"), Some(128.0 * 1024.0 * 1024.0));
        assert_eq!(request(&Function::default(), "cpu"), None);
    }
}
