//! The five trigger kinds of kubeless.io/v1beta1 as Rust types, with Kubeless's field names; their
//! CRDs and schemas are generated from them (`api::crd`).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Condition;

/// What kfn reports about a trigger: whether it delivers, and why not.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TriggerStatus {
    /// The generation of the spec the status is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}

/// The gateways an HTTPTrigger may name; empty means nginx, as Kubeless's controller read it.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
pub enum Gateway {
    #[default]
    #[serde(rename = "")]
    Unset,
    #[serde(rename = "nginx")]
    Nginx,
    #[serde(rename = "traefik")]
    Traefik,
    #[serde(rename = "kong")]
    Kong,
}

impl Gateway {
    /// The name as the field carries it (`""` for the default).
    pub fn as_str(self) -> &'static str {
        match self {
            Gateway::Unset => "",
            Gateway::Nginx => "nginx",
            Gateway::Traefik => "traefik",
            Gateway::Kong => "kong",
        }
    }
}

kubeless_kind! {
    kind = "HTTPTrigger",
    status = "TriggerStatus",
    doc = "An HTTP route (host and path) to a function.",
    columns = [
        r#"{"name": "Function", "type": "string", "jsonPath": ".spec.function-name"}"#,
        r#"{"name": "Host", "type": "string", "jsonPath": ".spec.host-name"}"#,
        r#"{"name": "Path", "type": "string", "jsonPath": ".spec.path"}"#
    ];
    /// A route from a host and path to a function (an Ingress on clusters, the gateway locally).
    #[serde(rename_all = "kebab-case")]
    pub struct HTTPTriggerSpec {
        #[serde(default)]
        pub function_name: String,
        /// A Flow (kfn.io) to start instead of calling a function: the answer is the execution's
        /// output, or its error (kfn's own field).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        pub flow_name: String,
        #[serde(default)]
        pub host_name: String,
        /// ACME (kube-lego) TLS: annotations and the secret `<trigger>-tls`.
        #[serde(default)]
        pub tls: bool,
        #[serde(default)]
        pub tls_secret: String,
        /// The path, without its leading `/`.
        #[serde(default)]
        pub path: String,
        /// A secret whose `auth` key is an htpasswd file.
        #[serde(default)]
        pub basic_auth_secret: String,
        #[serde(default)]
        pub gateway: Gateway,
        #[serde(default)]
        pub cors_enable: bool,
    }
}

/// What a cron schedule looks like to the API server: five fields, or an `@` descriptor
/// (`@hourly`, `@every 1m30s`), optionally after a `TZ=`/`CRON_TZ=` zone prefix. Loose on
/// purpose, so that every schedule kfn or Kubeless accepted matches: the fields themselves are
/// checked by the CLI (`api::schedule`) and the controller.
pub const SCHEDULE_PATTERN: &str = r"^\s*((CRON_)?TZ=\S+\s+)?(@\S+(\s+\S+)*|\S+(\s+\S+){4})\s*$";

kubeless_kind! {
    kind = "CronJobTrigger",
    status = "TriggerStatus",
    doc = "Calls of a function on a cron schedule.",
    columns = [
        r#"{"name": "Schedule", "type": "string", "jsonPath": ".spec.schedule"}"#,
        r#"{"name": "Function", "type": "string", "jsonPath": ".spec.function-name"}"#
    ];
    /// Calls of a function on a schedule.
    pub struct CronJobTriggerSpec {
        #[serde(default)]
        #[schemars(regex(pattern = SCHEDULE_PATTERN))]
        pub schedule: String,
        #[serde(default, rename = "function-name")]
        pub function_name: String,
        /// A Flow (kfn.io) to start at each firing instead of calling a function, with the
        /// payload as its input (kfn's own field).
        #[serde(default, rename = "flow-name", skip_serializing_if = "String::is_empty")]
        pub flow_name: String,
        /// The body of each call (any JSON, an object expected); none is a GET without a body.
        #[serde(default)]
        #[schemars(schema_with = "payload_schema")]
        pub payload: Option<serde_json::Value>,
    }
}

fn payload_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"nullable": true, "x-kubernetes-preserve-unknown-fields": true})
}

/// The spec of the message triggers: a topic, and the functions (by their labels) that get
/// each message.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
pub struct TopicSpec {
    #[serde(default)]
    pub topic: String,
    #[serde(default, rename = "functionSelector")]
    #[schemars(schema_with = "label_selector")]
    pub function_selector: LabelSelector,
    /// Flows (kfn.io, by their labels) to start with each message as the input, besides the
    /// functions (kfn's own field; none when absent).
    #[serde(default, rename = "flowSelector", skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "optional_label_selector")]
    pub flow_selector: Option<LabelSelector>,
}

fn optional_label_selector(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let mut schema = label_selector(generator);
    schema.insert("nullable".into(), true.into());
    schema
}

kubeless_kind! {
    kind = "KafkaTrigger",
    status = "TriggerStatus",
    doc = "Messages of a Kafka topic delivered to the functions a label selector picks.",
    columns = [
        r#"{"name": "Topic", "type": "string", "jsonPath": ".spec.topic"}"#
    ];
    /// Messages of a Kafka topic delivered to the functions a selector picks.
    pub struct KafkaTriggerSpec {
        #[serde(flatten)]
        pub topic: TopicSpec,
    }
}

kubeless_kind! {
    kind = "NATSTrigger",
    status = "TriggerStatus",
    doc = "Messages of a NATS subject delivered to the functions a label selector picks.",
    columns = [
        r#"{"name": "Topic", "type": "string", "jsonPath": ".spec.topic"}"#
    ];
    /// Messages of a NATS subject delivered to the functions a selector picks.
    pub struct NATSTriggerSpec {
        #[serde(flatten)]
        pub topic: TopicSpec,
    }
}

kubeless_kind! {
    kind = "KinesisTrigger",
    status = "TriggerStatus",
    doc = "Records of a Kinesis stream shard delivered to a function.",
    columns = [
        r#"{"name": "Stream", "type": "string", "jsonPath": ".spec.stream"}"#,
        r#"{"name": "Function", "type": "string", "jsonPath": ".spec.function-name"}"#
    ];
    /// Records of a Kinesis stream shard delivered to a function.
    #[serde(rename_all = "kebab-case")]
    pub struct KinesisTriggerSpec {
        #[serde(default)]
        pub function_name: String,
        #[serde(default)]
        pub aws_region: String,
        /// A secret with `aws_access_key_id` and `aws_secret_access_key`.
        #[serde(default)]
        pub secret: String,
        #[serde(default)]
        pub stream: String,
        #[serde(default)]
        pub shard: String,
        /// A service URL in place of AWS's (kinesalite).
        #[serde(default)]
        pub endpoint: String,
    }
}

/// A Kubernetes LabelSelector (`matchLabels`, `matchExpressions`).
fn label_selector(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "properties": {
            "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}},
            "matchExpressions": {"type": "array", "items": {
                "type": "object",
                "required": ["key", "operator"],
                "properties": {
                    "key": {"type": "string"},
                    "operator": {"type": "string", "enum": ["In", "NotIn", "Exists", "DoesNotExist"]},
                    "values": {"type": "array", "items": {"type": "string"}},
                },
            }},
        },
    })
}

/// The function an HTTP or cron trigger names (`spec.function-name`), read alone: a trigger with
/// another field of the wrong type still says which function it belongs to.
pub fn function_name(trigger: &serde_json::Value) -> Option<String> {
    #[derive(Deserialize)]
    struct Spec {
        #[serde(rename = "function-name")]
        function_name: String,
    }
    #[derive(Deserialize)]
    struct Object {
        spec: Spec,
    }
    Object::deserialize(trigger).ok().map(|o| o.spec.function_name)
}
