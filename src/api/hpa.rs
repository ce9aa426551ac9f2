//! The HorizontalPodAutoscaler a Function carries (`spec.horizontalPodAutoscaler`): built by
//! `autoscale create` in the autoscaling/v2 shape, and read in that shape or in the
//! autoscaling/v2beta1 shape Kubeless wrote.

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::{Value, json};

use super::kinds::FunctionSpec;

/// What one metric targets.
#[derive(Clone, Debug, PartialEq)]
pub enum Metric {
    /// Average CPU use of the replicas, percent of their CPU request.
    Cpu(f64),
    /// Average resident memory of the replicas, percent of their memory request.
    Memory(f64),
    /// Calls per second per ready replica.
    Qps(f64),
}

impl Metric {
    pub fn name(&self) -> &'static str {
        match self {
            Metric::Cpu(_) => "cpu",
            Metric::Memory(_) => "memory",
            Metric::Qps(_) => "qps",
        }
    }
    pub fn target(&self) -> f64 {
        match self {
            Metric::Cpu(t) | Metric::Memory(t) | Metric::Qps(t) => *t,
        }
    }
}

/// The autoscaling rule of a function.
#[derive(Clone, Debug, PartialEq)]
pub struct Autoscale {
    pub min: u32,
    pub max: u32,
    pub metrics: Vec<Metric>,
}

/// Reads the `horizontalPodAutoscaler` of a Function: the autoscaling/v2 shape, or the
/// autoscaling/v2beta1 shape Kubeless wrote (converted to v2); null or absent is the zero HPA.
pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<HorizontalPodAutoscaler, D::Error> {
    let mut hpa = <Value as serde::Deserialize>::deserialize(d)?;
    if hpa.is_null() {
        return Ok(HorizontalPodAutoscaler::default());
    }
    if let Some(o) = hpa.as_object_mut() {
        // The version is the shape read below; k8s-openapi takes v2's only.
        o.remove("apiVersion");
        o.remove("kind");
    }
    for m in hpa
        .pointer_mut("/spec/metrics")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        from_v2beta1(m);
    }
    serde_json::from_value(hpa).map_err(serde::de::Error::custom)
}

/// One autoscaling/v2beta1 metric in the v2 shape (`targetAverageUtilization` becomes
/// `target.averageUtilization`, `metricName` `metric.name`, …); a v2 metric is left as it is.
fn from_v2beta1(metric: &mut Value) {
    let Some(kind) = metric["type"].as_str().map(str::to_ascii_lowercase) else {
        return;
    };
    let Some(source) = metric.get_mut(kind.as_str()).and_then(Value::as_object_mut) else {
        return;
    };
    let mut target = serde_json::Map::new();
    if let Some(u) = source.remove("targetAverageUtilization") {
        target.insert("type".into(), json!("Utilization"));
        target.insert("averageUtilization".into(), u);
    }
    if let Some(v) = source.remove("targetAverageValue") {
        target.insert("type".into(), json!("AverageValue"));
        target.insert("averageValue".into(), v);
    }
    if let Some(v) = source.remove("targetValue") {
        target.insert("type".into(), json!("Value"));
        target.insert("value".into(), v);
    }
    // An Object metric's per-pod target was `averageValue` next to the others.
    if kind == "object"
        && let Some(v) = source.remove("averageValue")
    {
        target.insert("type".into(), json!("AverageValue"));
        target.insert("averageValue".into(), v);
    }
    if let Some(name) = source.remove("metricName") {
        let mut metric = json!({"name": name});
        if let Some(selector) = source.remove("selector").or_else(|| source.remove("metricSelector")) {
            metric["selector"] = selector;
        }
        source.insert("metric".into(), metric);
    }
    if kind == "object"
        && source.get("target").is_some_and(|t| t.get("kind").is_some())
        && let Some(described) = source.remove("target")
    {
        source.insert("describedObject".into(), described);
    }
    if !target.is_empty() {
        source.insert("target".into(), Value::Object(target));
    }
}

/// The number of a target's quantity, when it is one.
fn number(q: Option<&Quantity>) -> Option<f64> {
    super::quantity::value(&q?.0).ok()
}

/// Reads the rule of a Function, `None` when it has none (the zero HPA Kubeless writes).
pub fn read(function: &FunctionSpec) -> Option<Autoscale> {
    let spec = &function.horizontal_pod_autoscaler.spec;
    let max = u32::try_from(spec.max_replicas).ok().filter(|m| *m > 0)?;
    let min = spec.min_replicas.unwrap_or(1).max(1) as u32;
    let mut metrics = Vec::new();
    for m in spec.metrics.iter().flatten() {
        let metric = match m.type_.as_str() {
            "Resource" => {
                let r = m.resource.as_ref()?;
                let target = f64::from(r.target.average_utilization?);
                match r.name.as_str() {
                    "cpu" => Metric::Cpu(target),
                    "memory" => Metric::Memory(target),
                    _ => continue,
                }
            }
            "Object" => {
                let o = m.object.as_ref()?;
                if o.metric.name != "function_calls" {
                    continue;
                }
                let target = number(o.target.average_value.as_ref()).or_else(|| number(o.target.value.as_ref()))?;
                Metric::Qps(target)
            }
            _ => continue,
        };
        metrics.push(metric);
    }
    Some(Autoscale {
        min,
        max: max.max(min),
        metrics,
    })
}

/// The autoscaling/v2 object `autoscale create` writes into the Function.
pub fn build(function: &ObjectMeta, rule: &Autoscale) -> Value {
    let name = function.name.clone().unwrap_or_default();
    let metrics: Vec<Value> = rule
        .metrics
        .iter()
        .map(|m| match m {
            Metric::Cpu(t) | Metric::Memory(t) => json!({"type": "Resource", "resource": {"name": m.name(),
                "target": {"type": "Utilization", "averageUtilization": *t as i64}}}),
            Metric::Qps(t) => json!({"type": "Object", "object": {
                "metric": {"name": "function_calls"},
                "describedObject": {"apiVersion": "v1", "kind": "Service", "name": name},
                "target": {"type": "AverageValue", "averageValue": super::quantity::format(*t)}}}),
        })
        .collect();
    json!({
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": name, "namespace": function.namespace, "labels": function.labels},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
            "minReplicas": rule.min,
            "maxReplicas": rule.max,
            "metrics": metrics,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(hpa: Value) -> FunctionSpec {
        serde_json::from_value(json!({"horizontalPodAutoscaler": hpa})).unwrap()
    }

    #[test]
    fn kubeless_v2beta1_rules_are_read() {
        let f = spec(
            json!({"apiVersion": "autoscaling/v2beta1", "kind": "HorizontalPodAutoscaler",
            "spec": {"minReplicas": 2, "maxReplicas": 5, "metrics": [
            {"type": "Resource", "resource": {"name": "cpu", "targetAverageUtilization": 70}},
            {"type": "Object", "object": {"metricName": "function_calls", "targetValue": "500m", "target": {"kind": "Service", "name": "f"}}}]}}),
        );
        assert_eq!(
            read(&f),
            Some(Autoscale {
                min: 2,
                max: 5,
                metrics: vec![Metric::Cpu(70.0), Metric::Qps(0.5)]
            })
        );
        let zero = spec(
            json!({"metadata": {"creationTimestamp": null}, "spec": {"maxReplicas": 0, "scaleTargetRef": {"kind": "", "name": ""}},
            "status": {"currentReplicas": 0, "desiredReplicas": 0, "currentMetrics": null, "conditions": null}}),
        );
        assert_eq!(read(&zero), None, "the zero HPA is no rule");
        let per_pod = spec(
            json!({"spec": {"maxReplicas": 3, "metrics": [{"type": "Object", "object": {
            "metricName": "function_calls", "averageValue": "20", "target": {"kind": "Service", "name": "f"}}}]}}),
        );
        assert_eq!(
            read(&per_pod).unwrap().metrics,
            vec![Metric::Qps(20.0)],
            "a per-pod target"
        );
    }

    #[test]
    fn the_v2_object_reads_back_the_same() {
        let f: ObjectMeta =
            serde_json::from_value(json!({"name": "f", "namespace": "default", "labels": {"function": "f"}})).unwrap();
        let rule = Autoscale {
            min: 1,
            max: 4,
            metrics: vec![Metric::Qps(50.0), Metric::Memory(80.0), Metric::Cpu(60.0)],
        };
        let hpa = build(&f, &rule);
        assert_eq!(
            hpa["spec"]["metrics"][0]["object"]["target"],
            json!({"type": "AverageValue", "averageValue": "50"})
        );
        assert_eq!(read(&spec(hpa)), Some(rule));
        assert_eq!(read(&spec(Value::Null)), None, "no HPA is no rule");
    }
}
