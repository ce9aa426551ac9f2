//! The six CustomResourceDefinitions (apiextensions.k8s.io/v1) of the kubeless.io group.

use serde_json::{Value, json};

use super::{GROUP, VERSION};

/// One kind of the group: its names and the columns `kubectl get` prints for it.
pub struct Kind {
    pub kind: &'static str,
    pub plural: &'static str,
    pub short_names: &'static [&'static str],
    /// (column name, JSONPath) printer columns, before the age.
    pub columns: &'static [(&'static str, &'static str)],
}

pub const KINDS: &[Kind] = &[
    Kind {
        kind: "Function",
        plural: "functions",
        short_names: &["fn", "fns"],
        columns: &[("Runtime", ".spec.runtime"), ("Handler", ".spec.handler")],
    },
    Kind {
        kind: "HTTPTrigger",
        plural: "httptriggers",
        short_names: &[],
        columns: &[
            ("Function", ".spec.function-name"),
            ("Host", ".spec.host-name"),
            ("Path", ".spec.path"),
        ],
    },
    Kind {
        kind: "CronJobTrigger",
        plural: "cronjobtriggers",
        short_names: &[],
        columns: &[("Schedule", ".spec.schedule"), ("Function", ".spec.function-name")],
    },
    Kind {
        kind: "KafkaTrigger",
        plural: "kafkatriggers",
        short_names: &[],
        columns: &[("Topic", ".spec.topic")],
    },
    Kind {
        kind: "NATSTrigger",
        plural: "natstriggers",
        short_names: &[],
        columns: &[("Topic", ".spec.topic")],
    },
    Kind {
        kind: "KinesisTrigger",
        plural: "kinesistriggers",
        short_names: &[],
        columns: &[("Stream", ".spec.stream"), ("Function", ".spec.function-name")],
    },
];

/// What a cron schedule looks like to the API server: five fields, or an `@` descriptor
/// (`@hourly`, `@every 1m30s`), optionally after a `TZ=`/`CRON_TZ=` zone prefix. Loose on
/// purpose, so that every schedule kfn or Kubeless accepted matches: the fields themselves are
/// checked by the CLI (`api::schedule`) and the controller.
pub const SCHEDULE_PATTERN: &str = r"^\s*((CRON_)?TZ=\S+\s+)?(@\S+(\s+\S+)*|\S+(\s+\S+){4})\s*$";

/// The gateways an HTTPTrigger may name; empty means nginx, as Kubeless's controller read it.
pub const GATEWAYS: &[&str] = &["", "nginx", "traefik", "kong"];

/// A Kubernetes LabelSelector (`matchLabels`, `matchExpressions`), as Kafka and NATS triggers
/// select their functions.
fn label_selector() -> Value {
    json!({
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

/// The schema of a kind's `spec`. It keeps unknown fields (a Function embeds whole Deployment,
/// ServiceSpec and HorizontalPodAutoscaler objects, as Kubeless defined it, and older objects
/// may carry fields kfn does not know); the fields of the contract are typed, so the API server
/// rejects an object kfn could not act on, naming the field. Nothing is required: Kubeless
/// objects carry every field, but a missing one reads as empty. The runtime is only checked for
/// its form: the catalog is a ConfigMap the cluster's admin may extend.
fn spec_schema(kind: &str) -> Value {
    let mut spec = json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true});
    let string = json!({"type": "string"});
    let boolean = json!({"type": "boolean"});
    let strings = |keys: &[&str]| -> Value { keys.iter().map(|k| (k.to_string(), string.clone())).collect() };
    spec["properties"] = match kind {
        "Function" => {
            let object = json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true});
            json!({
                "handler": string,
                "function": string,
                "function-content-type": {"type": "string", "pattern": "^((text|base64|url)(\\+[a-z]+)*)?$"},
                "checksum": string,
                "runtime": {"type": "string", "pattern": "^([A-Za-z][A-Za-z0-9_.+-]*)?$"},
                "timeout": {"type": "string", "pattern": "^[0-9]*$"},
                "deps": string,
                "deployment": object,
                "service": {
                    "type": "object",
                    "x-kubernetes-preserve-unknown-fields": true,
                    "properties": {"ports": {"type": "array", "items": {
                        "type": "object",
                        "x-kubernetes-preserve-unknown-fields": true,
                        "properties": {"port": {"type": "integer", "minimum": 1, "maximum": 65535}},
                    }}},
                },
                "horizontalPodAutoscaler": object,
            })
        }
        "HTTPTrigger" => {
            let mut p = strings(&["function-name", "host-name", "tls-secret", "path", "basic-auth-secret"]);
            p["tls"] = boolean.clone();
            p["cors-enable"] = boolean;
            p["gateway"] = json!({"type": "string", "enum": GATEWAYS});
            p
        }
        "CronJobTrigger" => json!({
            "schedule": {"type": "string", "pattern": SCHEDULE_PATTERN},
            "function-name": string,
            // Any JSON (an object is expected); null, as Kubeless writes "no payload", is kept.
            "payload": {"nullable": true, "x-kubernetes-preserve-unknown-fields": true},
        }),
        "KafkaTrigger" | "NATSTrigger" => json!({"topic": string, "functionSelector": label_selector()}),
        "KinesisTrigger" => strings(&["function-name", "aws-region", "secret", "stream", "shard", "endpoint"]),
        _ => return spec,
    };
    spec
}

/// The CRD of one kind. `status` keeps unknown fields; `spec` too, with the fields of the
/// contract typed (see `spec_schema`).
pub fn crd(kind: &Kind) -> Value {
    let mut columns: Vec<Value> = kind
        .columns
        .iter()
        .map(|(name, path)| json!({"name": name, "type": "string", "jsonPath": path}))
        .collect();
    columns.push(json!({"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}));
    let mut names = json!({
        "kind": kind.kind,
        "listKind": format!("{}List", kind.kind),
        "plural": kind.plural,
        "singular": kind.kind.to_lowercase(),
        "categories": ["kubeless", "kfn"],
    });
    if !kind.short_names.is_empty() {
        names["shortNames"] = json!(kind.short_names);
    }
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": format!("{}.{GROUP}", kind.plural),
            "labels": {"app.kubernetes.io/part-of": "kfn"},
        },
        "spec": {
            "group": GROUP,
            "scope": "Namespaced",
            "names": names,
            "versions": [{
                "name": VERSION,
                "served": true,
                "storage": true,
                "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "properties": {
                        "spec": spec_schema(kind.kind),
                        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                    },
                }},
                "subresources": {"status": {}},
                "additionalPrinterColumns": columns,
            }],
        },
    })
}

/// All six CRDs.
pub fn all() -> Vec<Value> {
    KINDS.iter().map(crd).collect()
}
