//! The Function kind (kubeless.io/v1beta1) as a Rust type: Kubeless's field names, the Kubernetes
//! objects it embeds typed with k8s-openapi, the one place of every default, and the status kfn
//! writes. The CRD and its schema are generated from it (`api::crd`).

use std::fmt;

use k8s_openapi::api::apps::v1::{DeploymentSpec, DeploymentStatus};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{Container, PodSpec, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Condition, embedded_object};

/// Seconds a call may take when the Function does not say.
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 180;
/// The port a function's runtime listens on when the Function does not say.
pub const DEFAULT_PORT: i32 = 8080;
/// The image pull policy `function deploy` writes when not told.
pub const DEFAULT_PULL_POLICY: &str = "Always";
/// The name of the function Service's port (the `http-` prefix is for Istio).
pub const PORT_NAME: &str = "http-function-port";

kubeless_kind! {
    kind = "Function",
    status = "FunctionStatus",
    doc = "A function of kfn (and Kubeless): its code, runtime and handler, and the Deployment, Service and HorizontalPodAutoscaler that shape what runs it.",
    columns = [
        r#"{"name": "Runtime", "type": "string", "jsonPath": ".spec.runtime"}"#,
        r#"{"name": "Handler", "type": "string", "jsonPath": ".spec.handler"}"#
    ],
    extra(derive = "Default", shortname = "fn", shortname = "fns");
    /// A Function: code, its runtime and handler, and the Deployment, Service and
    /// HorizontalPodAutoscaler Kubeless embeds to shape what runs it.
    pub struct FunctionSpec {
        /// `module.function` of the code to call.
        #[serde(default)]
        pub handler: String,
        /// The code: text, base64, or a URL, as `function-content-type` says.
        #[serde(default)]
        pub function: String,
        /// How `function` is written: `text`, `base64` or `url`, with `+zip`, `+tar`, … for archives.
        #[serde(default, rename = "function-content-type")]
        #[schemars(regex(pattern = r"^((text|base64|url)(\+[a-z0-9]+)*)?$"))]
        pub content_type: String,
        /// `sha256:<hex>` of the code.
        #[serde(default)]
        pub checksum: String,
        /// A runtime of the catalog (`python3.11`, `nodejs20`, …).
        #[serde(default)]
        #[schemars(regex(pattern = r"^([A-Za-z][A-Za-z0-9_.+-]*)?$"))]
        pub runtime: String,
        /// Seconds one call may take, as a string of digits (Kubeless's type); empty is 180.
        #[serde(default)]
        pub timeout: Timeout,
        /// The dependency file (requirements.txt, package.json).
        #[serde(default)]
        pub deps: String,
        /// Fields of the Deployment that runs the function (pod template, replicas, …).
        #[serde(default)]
        #[schemars(schema_with = "embedded_object")]
        pub deployment: EmbeddedDeployment,
        /// The function's Service.
        #[serde(default)]
        #[schemars(schema_with = "service_schema")]
        pub service: ServiceSpec,
        /// The autoscaling rule, read in the autoscaling/v2 shape or the v2beta1 shape Kubeless wrote.
        #[serde(
            default,
            rename = "horizontalPodAutoscaler",
            deserialize_with = "crate::api::hpa::deserialize"
        )]
        #[schemars(schema_with = "embedded_object")]
        pub horizontal_pod_autoscaler: HorizontalPodAutoscaler,
        /// kfn's scaling beyond the HorizontalPodAutoscaler: scale to zero, proactive pre-warming
        /// and scheduled minimums (not a Kubeless field; absent, the function scales as in Kubeless).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub scaling: Option<Scaling>,
    }
}

/// How a function scales beyond its HorizontalPodAutoscaler (`spec.scaling`).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Scaling {
    /// After this long with no call the function has no replica (a Go duration such as `60s`);
    /// a call then wakes it through the activator. Absent: the function never scales to zero.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$"))]
    pub scale_to_zero_after: Option<String>,
    /// Whether the proactive policy (from the function's own idle times) may pre-warm it and
    /// choose its keep-alive; absent means yes when it scales to zero.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proactive: Option<bool>,
    /// Minimum replicas at times the user knows in advance.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schedules: Vec<ScheduledMinimum>,
}

/// A minimum number of replicas from each time a cron expression names, for a while.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScheduledMinimum {
    /// A 5-field cron expression (UTC) or a descriptor (`@daily`).
    pub cron: String,
    /// Replicas kept at least while the window is open.
    #[schemars(range(min = 0))]
    pub min: i32,
    /// How long the window stays open after each time (a Go duration such as `8h`).
    #[serde(rename = "for")]
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$"))]
    pub duration: String,
}

impl Scaling {
    /// The idle window after which the function scales to zero, when it does.
    pub fn idle_window(&self) -> Option<std::time::Duration> {
        self.scale_to_zero_after
            .as_deref()
            .and_then(|d| crate::api::schedule::go_duration(d).ok())
            .filter(|d| !d.is_zero())
    }

    /// Whether the proactive policy applies (on by default when the function scales to zero).
    pub fn is_proactive(&self) -> bool {
        self.proactive.unwrap_or(true) && self.idle_window().is_some()
    }
}

/// What the engine or the controller last decided about a function's scale (`status.scaling`).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScalingStatus {
    /// `Idle` (scaled to zero, woken by the next call), `Warm` (has replicas) or `PreWarmed`
    /// (replicas started before a predicted call).
    #[serde(default)]
    pub state: String,
    /// When the state last changed (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// Why it changed, in words (`no call for 60s (scale-to-zero-after)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When the last call arrived (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_call: Option<String>,
    /// The proactive policy's current prediction, in words (`next call expected 9m–11m after
    /// the last; pre-warm at 9m, keep alive 3m (42 idle times, p5 9m, p99 11m)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prediction: Option<String>,
}

/// What kfn (the controller on clusters, the engine locally) reports about a Function.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FunctionStatus {
    /// The generation of the spec the status is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Replicas that answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_replicas: Option<i32>,
    /// `Ready`, with the reason when it is not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// Calls served by replicas that are gone, per method (the local engine keeps them, so
    /// `function top` still counts them); not part of the CRD's schema.
    #[serde(
        default,
        rename = "retiredCalls",
        skip_serializing_if = "std::collections::BTreeMap::is_empty"
    )]
    #[schemars(skip)]
    pub retired_calls: std::collections::BTreeMap<String, crate::runtimes::metrics::MethodTotals>,
    /// Scale to zero and the proactive policy: the state, why, and the prediction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaling: Option<ScalingStatus>,
}

/// The Deployment a Function embeds, whatever `apiVersion` and `kind` it names (Kubeless wrote
/// none; older manifests say `extensions/v1beta1`): its metadata, spec and status, typed.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct EmbeddedDeployment {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: DeploymentSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DeploymentStatus>,
}

/// The service schema: an embedded ServiceSpec whose ports are checked.
fn service_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "x-kubernetes-preserve-unknown-fields": true,
        "properties": {"ports": {"type": "array", "items": {
            "type": "object",
            "x-kubernetes-preserve-unknown-fields": true,
            "properties": {"port": {"type": "integer", "minimum": 1, "maximum": 65535}},
        }}},
    })
}

/// A call's timeout: whole seconds, at least 1, kept as the string of digits Kubeless stores;
/// empty means `DEFAULT_TIMEOUT_SECONDS`. Objects that carry a number are read too.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timeout(pub String);

/// A timeout that is not a whole number of seconds, at least 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeoutError(pub String);

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "timeout {:?} is not a whole number of seconds, at least 1", self.0)
    }
}

impl std::error::Error for TimeoutError {}

impl Timeout {
    /// Checks a timeout given as text (a flag, an object field).
    pub fn parse(text: &str) -> Result<Timeout, TimeoutError> {
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TimeoutError(text.to_string()));
        }
        match text.parse::<u64>() {
            Ok(n) if n >= 1 => Ok(Timeout(text.to_string())),
            _ => Err(TimeoutError(text.to_string())),
        }
    }

    /// The seconds it stands for.
    pub fn seconds(&self) -> Result<u64, TimeoutError> {
        if self.0.is_empty() {
            return Ok(DEFAULT_TIMEOUT_SECONDS);
        }
        Timeout::parse(&self.0)?
            .0
            .parse()
            .map_err(|_| TimeoutError(self.0.clone()))
    }

    /// The text to store: what was given, or the default written out.
    pub fn text(&self) -> String {
        if self.0.is_empty() {
            DEFAULT_TIMEOUT_SECONDS.to_string()
        } else {
            self.0.clone()
        }
    }
}

impl Serialize for Timeout {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Timeout {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Timeout(match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => s,
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        }))
    }
}

impl JsonSchema for Timeout {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timeout".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "pattern": "^(0*[1-9][0-9]*)?$"})
    }
    fn inline_schema() -> bool {
        true
    }
}

impl FunctionSpec {
    /// The pod template's spec (empty when the Function gives none).
    pub fn pod(&self) -> Option<&PodSpec> {
        self.deployment.spec.template.spec.as_ref()
    }

    /// The first container of the pod template, where Kubeless puts the runtime's settings.
    pub fn container(&self) -> Option<&Container> {
        self.pod()?.containers.first()
    }

    /// `(module, function)` of the handler.
    pub fn handler_parts(&self) -> (String, String) {
        match self.handler.split_once('.') {
            Some((m, f)) => (m.to_string(), f.to_string()),
            None => (self.handler.clone(), String::new()),
        }
    }

    /// The port the runtime listens on: the Service's target port, else 8080.
    pub fn port(&self) -> i32 {
        match self
            .service
            .ports
            .as_ref()
            .and_then(|p| p.first())
            .and_then(|p| p.target_port.as_ref())
        {
            Some(IntOrString::Int(p)) if *p > 0 => *p,
            Some(IntOrString::String(s)) => s.parse().ok().filter(|p| *p > 0).unwrap_or(DEFAULT_PORT),
            _ => self.service_port().unwrap_or(DEFAULT_PORT),
        }
    }

    /// The port the Service answers on, when the Function gives one.
    pub fn service_port(&self) -> Option<i32> {
        self.service
            .ports
            .as_ref()
            .and_then(|p| p.first())
            .map(|p| p.port)
            .filter(|p| *p > 0)
    }

    /// The replicas the Deployment asks for, when the Function says.
    pub fn replicas(&self) -> Option<i32> {
        self.deployment.spec.replicas
    }
}

impl Function {
    /// The Function's name.
    pub fn name(&self) -> &str {
        self.metadata.name.as_deref().unwrap_or_default()
    }

    /// The Function's namespace.
    pub fn namespace(&self) -> &str {
        self.metadata.namespace.as_deref().unwrap_or_default()
    }

    /// Reads a Function from an object as the API answers it.
    pub fn from_object(object: &serde_json::Value) -> Result<Function, super::ObjectError> {
        super::from_object(object)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rule_for_the_timeout() {
        assert_eq!(Timeout::default().seconds(), Ok(180));
        assert_eq!(Timeout("30".into()).seconds(), Ok(30));
        for bad in ["0", "-1", "+5", "1.5", "3m", " 3", "99999999999999999999"] {
            assert!(Timeout::parse(bad).is_err(), "{bad}");
            assert!(Timeout(bad.into()).seconds().is_err(), "{bad}");
        }
        let read: Timeout = serde_json::from_value(serde_json::json!(45)).unwrap();
        let old: FunctionSpec = serde_json::from_value(serde_json::json!({"deployment": {
            "apiVersion": "extensions/v1beta1", "kind": "Deployment", "spec": {"replicas": 2}}}))
        .unwrap();
        assert_eq!(
            old.replicas(),
            Some(2),
            "an embedded Deployment of any apiVersion is read"
        );
        assert_eq!(read.seconds(), Ok(45), "a number, as kubectl users may write it");
    }
}
