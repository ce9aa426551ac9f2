//! The kubeless.io/v1beta1 kinds as Rust types (kube's `CustomResource`, schemas by `schemars`):
//! what the engine, the controller, render/ and the CLI read objects as.

/// Declares the spec of a kubeless.io kind with what every kind of the group shares: the
/// group and version, namespaced, a status subresource, the `kubeless` and `kfn` categories, the
/// `part-of` label of kfn's CRDs and an Age column after the kind's own columns.
macro_rules! kubeless_kind {
    (
        kind = $kind:literal,
        status = $status:literal,
        doc = $doc:literal,
        columns = [$($column:literal),*]
        $(, extra($($extra:tt)*))?;
        $(#[$meta:meta])*
        $vis:vis struct $spec:ident $body:tt
    ) => {
        #[derive(kube::CustomResource, serde::Serialize, serde::Deserialize, Clone, Debug, Default, schemars::JsonSchema)]
        #[kube(
            group = "kubeless.io",
            version = "v1beta1",
            kind = $kind,
            namespaced,
            status = $status,
            category = "kubeless",
            category = "kfn",
            label("app.kubernetes.io/part-of", "kfn"),
            $(printcolumn = $column,)*
            printcolumn = r#"{"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}"#,
            doc = $doc
            $(, $($extra)*)?
        )]
        $(#[$meta])*
        $vis struct $spec $body
    };
}

mod flow;
mod function;
mod read;
mod trigger;

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use flow::{
    DEFAULT_KEEP_EXECUTIONS, Execution, ExecutionSpec, ExecutionStatus, FLOW_LABEL, Flow, FlowSpec, FlowStatus,
    GROUP as FLOWS_GROUP, HISTORY_LIMIT, HistoryEvent, Phase, Stop, VERSION as FLOWS_VERSION,
};
pub use function::{
    DEFAULT_PORT, DEFAULT_PULL_POLICY, DEFAULT_TIMEOUT_SECONDS, EmbeddedDeployment, Function, FunctionSpec,
    FunctionStatus, PORT_NAME, Scaling, ScalingStatus, ScheduledMinimum, Timeout, TimeoutError,
};
pub use read::{Read, lenient};
pub use trigger::{
    CronJobTrigger, CronJobTriggerSpec, Gateway, HTTPTrigger, HTTPTriggerSpec, KafkaTrigger, KafkaTriggerSpec,
    KinesisTrigger, KinesisTriggerSpec, NATSTrigger, NATSTriggerSpec, SCHEDULE_PATTERN, TopicSpec, TriggerStatus,
    function_name,
};

/// A condition of a kfn status (`Ready`), as Kubernetes writes conditions.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub message: String,
    /// When `status` last changed (RFC 3339).
    #[serde(default)]
    pub last_transition_time: String,
}

impl Condition {
    /// The `Ready` condition to write: `lastTransitionTime` moves only when the status changes
    /// from what `previous` (the conditions stored now) says.
    pub fn ready(previous: &[Condition], ready: bool, reason: &str, message: &str) -> Condition {
        let status = if ready { "True" } else { "False" };
        let since = match previous.iter().find(|c| c.type_ == "Ready") {
            Some(c) if c.status == status && !c.last_transition_time.is_empty() => c.last_transition_time.clone(),
            _ => super::now(),
        };
        Condition {
            type_: "Ready".into(),
            status: status.into(),
            reason: reason.into(),
            message: message.into(),
            last_transition_time: since,
        }
    }

    /// A Function's `Ready` condition from its Deployment (on a cluster and on the local
    /// engine alike): true once the Deployment's generation is observed, it is Available (where
    /// its controller reports that), no replica of an older template is left and every wanted
    /// replica (at least one) is ready. Returns the condition and the ready replicas.
    pub fn of_deployment(previous: &[Condition], d: &k8s_openapi::api::apps::v1::Deployment) -> (Condition, i32) {
        let status = d.status.clone().unwrap_or_default();
        let ready = status.ready_replicas.unwrap_or(0);
        let updated = status.updated_replicas.unwrap_or(0);
        let replicas = status.replicas.unwrap_or(0);
        let wanted = d.spec.replicas.unwrap_or(1).max(1);
        let observed = status.observed_generation.unwrap_or(0) >= d.metadata.generation.unwrap_or(0);
        let conditions = status.conditions.unwrap_or_default();
        let unavailable = conditions
            .iter()
            .find(|c| c.type_.as_deref() == Some("Available") && c.status.as_deref() != Some("True"));
        if ready >= wanted && updated >= wanted && replicas <= updated && observed && unavailable.is_none() {
            let message = format!("{ready}/{wanted} replicas ready");
            return (Condition::ready(previous, true, "ReplicasReady", &message), ready);
        }
        let why = if observed && replicas > updated {
            format!(
                "rollout in progress: {updated}/{wanted} replicas updated, {} old replicas left",
                replicas - updated
            )
        } else {
            conditions
                .iter()
                .filter(|c| c.status.as_deref() != Some("True"))
                .filter_map(|c| c.message.clone())
                .next()
                .unwrap_or_else(|| format!("{ready}/{wanted} replicas ready"))
        };
        (Condition::ready(previous, false, "ReplicasNotReady", &why), ready)
    }

    /// Whether it is the `Ready` condition and says `True`.
    pub fn is_ready(conditions: &[Condition]) -> bool {
        conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True")
    }
}

/// An object's metadata and status alone (its spec, a Function's code, is not read): what
/// status writers and watchers of a status need.
#[derive(Deserialize, Clone, Debug, Default)]
pub struct StatusView<S> {
    #[serde(default)]
    pub metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    #[serde(default)]
    pub status: Option<S>,
}

/// An object that is not of the kind it was read as: which object, and the field that is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectError {
    /// `Kind namespace/name` as far as the object says.
    pub object: String,
    /// What serde found (names the field and what it holds).
    pub problem: String,
}

impl fmt::Display for ObjectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} cannot be read: {}", self.object, self.problem)
    }
}

impl std::error::Error for ObjectError {}

/// Reads an object (as the API answers it) as a typed kind; the first field that does not fit
/// is the error. [`lenient`] reads past such fields.
pub fn from_object<K: serde::de::DeserializeOwned>(object: &serde_json::Value) -> Result<K, ObjectError> {
    serde_path_to_error::deserialize(object).map_err(|e| object_error(object, &e))
}

/// The object a deserialisation error is about, and the field.
fn object_error(object: &serde_json::Value, e: &serde_path_to_error::Error<serde_json::Error>) -> ObjectError {
    let meta = &object["metadata"];
    let name = match (meta["namespace"].as_str(), meta["name"].as_str()) {
        (Some(ns), Some(n)) => format!("{ns}/{n}"),
        (None, Some(n)) => n.to_string(),
        _ => "(no name)".to_string(),
    };
    ObjectError {
        object: format!("{} {name}", object["kind"].as_str().unwrap_or("object")),
        problem: format!("{}: {}", e.path(), e.inner()),
    }
}

/// The schema of an object Kubeless embeds whole (a Deployment, a HorizontalPodAutoscaler): any
/// fields, kept as written.
fn embedded_object(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "object", "x-kubernetes-preserve-unknown-fields": true})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_keeps_its_transition_time_while_the_status_holds() {
        let before = Condition {
            type_: "Ready".into(),
            status: "True".into(),
            last_transition_time: "2026-01-01T00:00:00Z".into(),
            ..Default::default()
        };
        let held = Condition::ready(std::slice::from_ref(&before), true, "Deployed", "");
        assert_eq!(held.last_transition_time, "2026-01-01T00:00:00Z");
        let changed = Condition::ready(&[before], false, "Failed", "no image");
        assert_ne!(changed.last_transition_time, "2026-01-01T00:00:00Z");
        assert!(!Condition::is_ready(&[changed]));
    }

    #[test]
    fn a_mistyped_field_is_named_with_the_object() {
        let bad = serde_json::json!({"kind": "HTTPTrigger", "metadata": {"name": "h", "namespace": "default"},
            "spec": {"tls": "yes"}});
        let err = from_object::<HTTPTrigger>(&bad).unwrap_err();
        assert_eq!(err.object, "HTTPTrigger default/h");
        assert_eq!(
            err.problem,
            "spec.tls: invalid type: string \"yes\", expected a boolean"
        );
    }
}
