//! kfn's own kinds for function composition (group `kfn.io`, version `v1alpha1`): a `Flow` holds
//! a definition in the Amazon States Language, an `Execution` is one run of it, with its input,
//! where it is (so that it survives a restart of whatever runs it), its event history and its
//! outcome. The interpreter is `crate::flows`; the engine and the controller run executions.

use std::fmt;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kube::Resource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Condition;

/// The API group of kfn's own kinds.
pub const GROUP: &str = "kfn.io";
/// Their version.
pub const VERSION: &str = "v1alpha1";
/// The label an Execution carries with the name of its Flow (`kfn flow executions` selects on it).
pub const FLOW_LABEL: &str = "kfn.io/flow";
/// Finished executions a Flow keeps when its spec does not say (the oldest go first).
pub const DEFAULT_KEEP_EXECUTIONS: u32 = 100;
/// Events an Execution's status keeps: the first ones and the latest ones, with how many were
/// left out between them (an object must stay well under the API server's size limit).
pub const HISTORY_LIMIT: usize = 1000;

/// A flow: functions composed by a definition in the Amazon States Language.
#[derive(kube::CustomResource, Serialize, Deserialize, Clone, Debug, Default, JsonSchema)]
#[kube(
    group = "kfn.io",
    version = "v1alpha1",
    kind = "Flow",
    namespaced,
    status = "FlowStatus",
    category = "kfn",
    label("app.kubernetes.io/part-of", "kfn"),
    shortname = "flw",
    printcolumn = r#"{"name": "Start", "type": "string", "jsonPath": ".spec.definition.StartAt"}"#,
    printcolumn = r#"{"name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}"#,
    doc = "Functions composed by a definition in the Amazon States Language."
)]
#[serde(rename_all = "camelCase")]
pub struct FlowSpec {
    /// The state machine, in the Amazon States Language (`StartAt`, `States`, …), as JSON.
    #[schemars(schema_with = "definition_schema")]
    pub definition: Value,
    /// Finished executions to keep (the oldest are deleted first); 100 when not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_executions: Option<u32>,
}

impl FlowSpec {
    /// Finished executions to keep.
    pub fn keep_executions(&self) -> u32 {
        self.keep_executions.unwrap_or(DEFAULT_KEEP_EXECUTIONS)
    }
}

/// What kfn reports about a flow: whether its definition is valid, and why not.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FlowStatus {
    /// The generation of the spec the status is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// `Ready`: the definition is valid (`False` with the problems, one per line, otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}

/// One run of a flow.
#[derive(kube::CustomResource, Serialize, Deserialize, Clone, Debug, Default, JsonSchema)]
#[kube(
    group = "kfn.io",
    version = "v1alpha1",
    kind = "Execution",
    namespaced,
    status = "ExecutionStatus",
    category = "kfn",
    label("app.kubernetes.io/part-of", "kfn"),
    shortname = "fx",
    printcolumn = r#"{"name": "Flow", "type": "string", "jsonPath": ".spec.flow"}"#,
    printcolumn = r#"{"name": "Status", "type": "string", "jsonPath": ".status.phase"}"#,
    printcolumn = r#"{"name": "Started", "type": "date", "jsonPath": ".status.startTime"}"#,
    printcolumn = r#"{"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}"#,
    doc = "One run of a flow: its input, where it is, its history and its outcome."
)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionSpec {
    /// The Flow (in the Execution's namespace) that runs.
    pub flow: String,
    /// The execution's input (any JSON; `{}` when not given).
    #[serde(default = "empty_input")]
    #[schemars(schema_with = "any_json")]
    pub input: Value,
    /// Set to stop the execution: it ends `Aborted` with this error and cause.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<Stop>,
}

fn empty_input() -> Value {
    Value::Object(Default::default())
}

/// A request to stop an execution (`kfn flow stop`), as AWS's StopExecution takes it.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Stop {
    #[serde(default)]
    pub error: String,
    #[serde(default)]
    pub cause: String,
}

/// Where an execution stands.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
pub enum Phase {
    #[default]
    Running,
    Succeeded,
    Failed,
    TimedOut,
    Aborted,
}

impl Phase {
    /// Whether the execution has ended.
    pub fn is_final(self) -> bool {
        self != Phase::Running
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Running => "Running",
            Phase::Succeeded => "Succeeded",
            Phase::Failed => "Failed",
            Phase::TimedOut => "TimedOut",
            Phase::Aborted => "Aborted",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happened to an execution so far. Written by whatever runs it (the local engine, or
/// `kfn controller` on a cluster) after each transition.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionStatus {
    pub phase: Phase,
    /// When it started and stopped (RFC 3339, milliseconds).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub start_time: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stop_time: String,
    /// The output, once `Succeeded`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "any_json")]
    pub output: Option<Value>,
    /// The error name and cause, once `Failed`, `TimedOut` or `Aborted`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cause: String,
    /// The definition the execution runs (the Flow's at the execution's start: a later update
    /// of the Flow does not change a running execution).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "any_json")]
    pub definition: Option<Value>,
    /// Where the execution is, as the interpreter resumes it (`crate::flows`); absent once it
    /// has ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "any_json")]
    pub cursor: Option<Value>,
    /// The events so far, oldest first (see [`HISTORY_LIMIT`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryEvent>,
    /// Events left out of `history` (between its first and its latest ones).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub history_dropped: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One event of an execution's history, as AWS Step Functions names them (`ExecutionStarted`,
/// `TaskStateEntered`, `TaskScheduled`, `TaskSucceeded`, `TaskFailed`, `ChoiceStateExited`,
/// `MapIterationStarted`, `ExecutionSucceeded`, …).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEvent {
    /// 1, 2, … in the order the events happened.
    pub id: u64,
    /// The event before it that it follows from (a state's entry for its exit, …); 0 for none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub previous: u64,
    /// RFC 3339, milliseconds.
    pub timestamp: String,
    #[serde(rename = "type")]
    pub type_: String,
    /// The state it is about, as a path through Parallel branches and Map iterations
    /// (`Fan out/0/Check`); empty for the execution's own events.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub state: String,
    /// The function a Task event is about (`namespace/name`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub resource: String,
    /// The state's input or output, a task's payload or result (JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "any_json")]
    pub data: Option<Value>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cause: String,
}

impl Execution {
    /// A new execution of `flow` with `input`: named after the flow with a random suffix
    /// (`generateName`), labelled with the flow's name ([`FLOW_LABEL`]) and owned by the flow, so
    /// that deleting the flow deletes its executions. `name` gives it a name of its own instead.
    /// The one builder of executions: the CLI, the triggers and the controller use it.
    pub fn start(flow: &Flow, input: Value, name: Option<&str>) -> Execution {
        let flow_name = flow.metadata.name.clone().unwrap_or_default();
        let owner = OwnerReference {
            api_version: Flow::api_version(&()).into_owned(),
            kind: Flow::kind(&()).into_owned(),
            name: flow_name.clone(),
            uid: flow.metadata.uid.clone().unwrap_or_default(),
            controller: Some(true),
            block_owner_deletion: None,
        };
        let metadata = ObjectMeta {
            name: name.map(str::to_string),
            generate_name: name.is_none().then(|| format!("{flow_name}-")),
            namespace: flow.metadata.namespace.clone(),
            labels: Some([(FLOW_LABEL.to_string(), flow_name.clone())].into()),
            owner_references: flow.metadata.uid.is_some().then(|| vec![owner]),
            ..Default::default()
        };
        Execution {
            metadata,
            spec: ExecutionSpec {
                flow: flow_name,
                input,
                stop: None,
            },
            status: None,
        }
    }

    /// Its phase (`Running` until whatever runs it writes otherwise).
    pub fn phase(&self) -> Phase {
        self.status.as_ref().map(|s| s.phase).unwrap_or_default()
    }
}

/// Any JSON value, kept as written.
fn any_json(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"nullable": true, "x-kubernetes-preserve-unknown-fields": true})
}

/// An ASL definition: an object whose fields the API server keeps as written (kfn checks them
/// itself, with the state's path in each message).
fn definition_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "object", "x-kubernetes-preserve-unknown-fields": true})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_execution_is_named_after_its_flow_labelled_and_owned_by_it() {
        let mut flow = Flow::new("orders", FlowSpec::default());
        flow.metadata.namespace = Some("shop".into());
        flow.metadata.uid = Some("u-1".into());
        let e = Execution::start(&flow, serde_json::json!({"id": 7}), None);
        assert_eq!(e.metadata.generate_name.as_deref(), Some("orders-"));
        assert_eq!(e.metadata.namespace.as_deref(), Some("shop"));
        assert_eq!(e.metadata.labels.as_ref().unwrap()[FLOW_LABEL], "orders");
        let owner = &e.metadata.owner_references.as_ref().unwrap()[0];
        assert_eq!((owner.kind.as_str(), owner.uid.as_str()), ("Flow", "u-1"));
        assert_eq!(e.spec.flow, "orders");
        assert_eq!(e.phase(), Phase::Running);
        let named = Execution::start(&flow, Value::Null, Some("first"));
        assert_eq!(named.metadata.name.as_deref(), Some("first"));
        assert!(named.metadata.generate_name.is_none());
    }
}
