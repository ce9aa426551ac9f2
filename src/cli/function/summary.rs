//! What `function list` reads of each Function and of its Deployment: only the fields its
//! table (and `-o wide`) shows, so a list of thousands decodes without copying their code or
//! their pod templates.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::Deployment;
use serde::Deserialize;

/// The fields of a Function that `function list` shows.
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(default)]
pub struct FunctionSummary {
    pub metadata: Metadata,
    pub spec: Spec,
    pub status: Status,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(default)]
pub struct Metadata {
    pub name: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(default)]
pub struct Spec {
    pub handler: String,
    pub runtime: String,
    pub deps: String,
    pub deployment: EmbeddedDeployment,
}

/// `spec.deployment.spec.template.spec.containers`, where Kubeless keeps the runtime's settings.
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(default)]
pub struct EmbeddedDeployment {
    spec: DeploymentSpec,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(default)]
struct DeploymentSpec {
    template: PodTemplate,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(default)]
struct PodTemplate {
    spec: PodSpec,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(default)]
struct PodSpec {
    containers: Vec<Container>,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(default)]
pub struct Container {
    pub env: Vec<EnvVar>,
    resources: Resources,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(default)]
struct Resources {
    requests: BTreeMap<String, String>,
}

/// A variable of the container; one set `valueFrom` has no value.
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(default)]
pub struct EnvVar {
    pub name: String,
    pub value: Option<String>,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(default)]
pub struct Status {
    scaling: Option<Scaling>,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(default)]
struct Scaling {
    state: String,
}

impl FunctionSummary {
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// The first container of the pod template.
    pub fn container(&self) -> Option<&Container> {
        self.spec.deployment.spec.template.spec.containers.first()
    }

    /// The memory the container requests (`requests.memory`, as Kubeless shows it).
    pub fn memory(&self) -> Option<&str> {
        self.container()?.resources.requests.get("memory").map(String::as_str)
    }

    /// `status.scaling.state`, when the engine or the controller wrote one.
    pub fn scaling_state(&self) -> Option<&str> {
        let state = self.status.scaling.as_ref()?.state.as_str();
        Some(state).filter(|s| !s.is_empty())
    }
}

/// The replica counts of a Deployment the STATUS column shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Replicas {
    /// `spec.replicas`: how many it asks for.
    pub wanted: Option<i32>,
    /// `status.replicas`.
    pub current: i32,
    /// `status.readyReplicas`.
    pub ready: i32,
}

impl Replicas {
    pub fn of(d: &Deployment) -> Replicas {
        let status = d.status.as_ref();
        Replicas {
            wanted: d.spec.replicas,
            current: status.and_then(|s| s.replicas).unwrap_or(0),
            ready: status.and_then(|s| s.ready_replicas).unwrap_or(0),
        }
    }
}

/// The fields of a Deployment that `function list` reads: its name and replica counts.
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(default)]
pub struct DeploymentSummary {
    metadata: DeploymentName,
    spec: WantedReplicas,
    status: ReplicaStatus,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(default)]
struct DeploymentName {
    name: String,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(default)]
struct WantedReplicas {
    replicas: Option<i32>,
}

#[derive(Deserialize, Clone, Debug, Default)]
#[serde(default, rename_all = "camelCase")]
struct ReplicaStatus {
    replicas: Option<i32>,
    ready_replicas: Option<i32>,
}

impl DeploymentSummary {
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    pub fn replicas(&self) -> Replicas {
        Replicas {
            wanted: self.spec.replicas,
            current: self.status.replicas.unwrap_or(0),
            ready: self.status.ready_replicas.unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_function_is_read_without_its_code_and_a_deployment_without_its_template() {
        let f: FunctionSummary = serde_json::from_value(json!({
            "apiVersion": "kubeless.io/v1beta1", "kind": "Function",
            "metadata": {"name": "hello", "namespace": "team", "labels": {"function": "hello"}, "managedFields": [{}]},
            "spec": {"handler": "h.f", "runtime": "python3.12", "function": "def f(e, c): return 1", "deps": "",
                "deployment": {"spec": {"template": {"spec": {"containers": [{"name": "",
                    "env": [{"name": "A", "value": "1"}, {"name": "B", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}],
                    "resources": {"requests": {"memory": "128Mi"}}}]}}}}},
            "status": {"scaling": {"state": "Idle", "since": "2026-12-01T21:00:00Z"}}}))
        .unwrap();
        assert_eq!((f.name(), f.metadata.namespace.as_str()), ("hello", "team"));
        assert_eq!(
            (f.spec.handler.as_str(), f.spec.runtime.as_str()),
            ("h.f", "python3.12")
        );
        assert_eq!(f.memory(), Some("128Mi"));
        let env: Vec<(&str, Option<&str>)> = f
            .container()
            .unwrap()
            .env
            .iter()
            .map(|e| (e.name.as_str(), e.value.as_deref()))
            .collect();
        assert_eq!(env, [("A", Some("1")), ("B", None)]);
        assert_eq!(f.scaling_state(), Some("Idle"));
        assert_eq!(f.metadata.labels["function"], "hello");

        let bare: FunctionSummary = serde_json::from_value(json!({"metadata": {"name": "f"}})).unwrap();
        assert_eq!((bare.memory(), bare.scaling_state()), (None, None));

        let d: DeploymentSummary = serde_json::from_value(json!({"metadata": {"name": "hello"},
            "spec": {"replicas": 0, "template": {"spec": {"containers": [{"name": "x", "image": "y"}]}}},
            "status": {"replicas": 1, "readyReplicas": 1, "conditions": []}}))
        .unwrap();
        assert_eq!(d.name(), "hello");
        assert_eq!(
            d.replicas(),
            Replicas {
                wanted: Some(0),
                current: 1,
                ready: 1
            }
        );
        let full: Deployment = serde_json::from_value(json!({"spec": {"replicas": 0, "selector": {},
            "template": {}}, "status": {"replicas": 1, "readyReplicas": 1}}))
        .unwrap();
        assert_eq!(
            Replicas::of(&full),
            d.replicas(),
            "the same counts from a whole Deployment"
        );
    }
}
