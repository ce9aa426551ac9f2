//! The HorizontalPodAutoscaler a Function carries (`spec.horizontalPodAutoscaler`): built by
//! `autoscale create` in the autoscaling/v2 shape, and read in that shape or in the
//! autoscaling/v2beta1 shape Kubeless wrote.

use serde_json::{Value, json};

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

/// A Kubernetes quantity as a number (`50`, `500m`, `1k`, `128Mi`).
pub fn quantity_value(v: &Value) -> Option<f64> {
    if let Some(n) = v.as_f64() {
        return Some(n);
    }
    let s = v.as_str()?.trim();
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(s.len());
    let (number, suffix) = s.split_at(end);
    let n: f64 = number.parse().ok()?;
    let scale = match suffix {
        "" => 1.0,
        "m" => 1e-3,
        "u" => 1e-6,
        "n" => 1e-9,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024f64.powi(4),
        _ => return None,
    };
    Some(n * scale)
}

/// Reads the rule of a Function, `None` when it has none (the zero HPA Kubeless writes).
pub fn read(function: &Value) -> Option<Autoscale> {
    let hpa = function.pointer("/spec/horizontalPodAutoscaler")?;
    let spec = &hpa["spec"];
    let max = spec["maxReplicas"].as_u64().filter(|m| *m > 0)? as u32;
    let min = spec["minReplicas"].as_u64().unwrap_or(1).max(1) as u32;
    let mut metrics = Vec::new();
    for m in spec["metrics"].as_array().into_iter().flatten() {
        let metric = match m["type"].as_str() {
            Some("Resource") => {
                let r = &m["resource"];
                let target = r
                    .pointer("/target/averageUtilization")
                    .or_else(|| r.get("targetAverageUtilization"))
                    .and_then(quantity_value)?;
                match r["name"].as_str() {
                    Some("cpu") => Metric::Cpu(target),
                    Some("memory") => Metric::Memory(target),
                    _ => continue,
                }
            }
            Some("Object") => {
                let o = &m["object"];
                let name = o
                    .pointer("/metric/name")
                    .or_else(|| o.get("metricName"))
                    .and_then(Value::as_str);
                if name != Some("function_calls") {
                    continue;
                }
                let target = o
                    .pointer("/target/averageValue")
                    .or_else(|| o.pointer("/target/value"))
                    .or_else(|| o.get("targetValue"))
                    .and_then(quantity_value)?;
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
pub fn build(function: &Value, rule: &Autoscale) -> Value {
    let name = function["metadata"]["name"].clone();
    let metrics: Vec<Value> = rule
        .metrics
        .iter()
        .map(|m| match m {
            Metric::Cpu(t) | Metric::Memory(t) => json!({"type": "Resource", "resource": {"name": m.name(),
                "target": {"type": "Utilization", "averageUtilization": *t as i64}}}),
            Metric::Qps(t) => json!({"type": "Object", "object": {
                "metric": {"name": "function_calls"},
                "describedObject": {"apiVersion": "v1", "kind": "Service", "name": name},
                "target": {"type": "AverageValue", "averageValue": format_quantity(*t)}}}),
        })
        .collect();
    json!({
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": name, "namespace": function["metadata"]["namespace"], "labels": function["metadata"]["labels"]},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
            "minReplicas": rule.min,
            "maxReplicas": rule.max,
            "metrics": metrics,
        },
    })
}

/// A number as a quantity string (`50`, `500m`).
pub fn format_quantity(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{}m", (v * 1000.0).round() as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubeless_v2beta1_rules_are_read() {
        let f = json!({"spec": {"horizontalPodAutoscaler": {"spec": {"minReplicas": 2, "maxReplicas": 5, "metrics": [
            {"type": "Resource", "resource": {"name": "cpu", "targetAverageUtilization": 70}},
            {"type": "Object", "object": {"metricName": "function_calls", "targetValue": "500m", "target": {"kind": "Service", "name": "f"}}}]}}}});
        assert_eq!(
            read(&f),
            Some(Autoscale {
                min: 2,
                max: 5,
                metrics: vec![Metric::Cpu(70.0), Metric::Qps(0.5)]
            })
        );
        let zero = json!({"spec": {"horizontalPodAutoscaler": {"spec": {"maxReplicas": 0, "scaleTargetRef": {"kind": "", "name": ""}}}}});
        assert_eq!(read(&zero), None, "the zero HPA is no rule");
    }

    #[test]
    fn the_v2_object_reads_back_the_same() {
        let f = json!({"metadata": {"name": "f", "namespace": "default", "labels": {"function": "f"}}});
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
        assert_eq!(read(&json!({"spec": {"horizontalPodAutoscaler": hpa}})), Some(rule));
        assert_eq!(quantity_value(&json!("128Mi")), Some(134217728.0));
        assert_eq!(format_quantity(0.25), "250m");
    }
}
