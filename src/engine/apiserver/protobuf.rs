//! The Kubernetes protobuf encoding of request bodies (`application/vnd.kubernetes.protobuf`,
//! which kubectl's generators send since kubectl 1.32: `create deployment|service|role|…`,
//! `autoscale`). The body is a `runtime.Unknown` envelope after the `k8s\0` magic; its type
//! names the message, which is decoded with the Kubernetes API's own protobuf descriptors
//! (`protobuf.desc.gz`, compiled from the `.proto` files of the Kubernetes release the tests
//! pin by tests/kube/protobuf-descriptors.sh) and turned into the JSON the other clients send,
//! generically, by walking the message's descriptor (the `.proto` field names are the JSON
//! names). A few apimachinery types have a JSON form of their own (IntOrString, Quantity, Time,
//! MicroTime, Duration, RawExtension, FieldsV1, the CRD schema's JSON and its "or" types). A
//! kind the descriptors do not know is refused with 415 and the client is told to send JSON.
//!
//! One difference from a real API server: Go's protobuf encoder writes every field that is not
//! a pointer, zeros included, and the wire does not say which fields are pointers. Empty strings
//! are left out (no field distinguishes `""` from absent), numbers and booleans are kept as
//! sent (`replicas: 0` must survive), so an object created in protobuf may show `paused: false`
//! or `minReadySeconds: 0` where one created in JSON leaves them out.

use std::io::Read;
use std::sync::OnceLock;

use base64::Engine;
use protobuf::descriptor::FileDescriptorSet;
use protobuf::reflect::{FileDescriptor, MessageDescriptor, ReflectFieldRef, ReflectValueRef};
use protobuf::{Message, MessageDyn};
use serde_json::{Map, Value, json};

/// The media type of the encoding.
pub const MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";
const MAGIC: &[u8] = b"k8s\0";

/// The Kubernetes API's protobuf files, read on the first protobuf body.
fn files() -> Result<&'static [FileDescriptor], String> {
    static FILES: OnceLock<Result<Vec<FileDescriptor>, String>> = OnceLock::new();
    FILES
        .get_or_init(|| {
            let mut raw = Vec::new();
            flate2::read::GzDecoder::new(&include_bytes!("protobuf.desc.gz")[..])
                .read_to_end(&mut raw)
                .map_err(|e| e.to_string())?;
            let set = FileDescriptorSet::parse_from_bytes(&raw).map_err(|e| e.to_string())?;
            FileDescriptor::new_dynamic_fds(set.file, &[]).map_err(|e| e.to_string())
        })
        .as_ref()
        .map(Vec::as_slice)
        .map_err(|e| format!("the engine's protobuf descriptors are broken: {e}"))
}

/// The message of an `apiVersion`/`kind` of a built-in API group: the message named `kind` in
/// the package of the group's short name and version (`k8s.io.api.apps.v1`, `….rbac.v1` for
/// `rbac.authorization.k8s.io/v1`, `….core.v1` for `v1`).
fn message_type(api_version: &str, kind: &str) -> Result<Option<MessageDescriptor>, String> {
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let built_in = group.is_empty() || !group.contains('.') || group.ends_with(".k8s.io");
    if !built_in || version.is_empty() || kind.is_empty() {
        return Ok(None);
    }
    let short = if group.is_empty() {
        "core"
    } else {
        group.split('.').next().unwrap_or(group)
    };
    let suffix = format!(".{short}.{version}");
    let files = files()?;
    let of_group = files
        .iter()
        .filter(|f| f.package().ends_with(&suffix))
        .find_map(|f| f.message_by_package_relative_name(kind));
    // The options of the verbs (`DeleteOptions`, …) are apimachinery's, sent under the
    // apiVersion of the group they go to (client-go's DELETE bodies are `v1` `DeleteOptions`).
    let options = || {
        (version == "v1" && kind.ends_with("Options"))
            .then(|| {
                files
                    .iter()
                    .find_map(|f| f.message_by_full_name(&format!(".k8s.io.apimachinery.pkg.apis.meta.v1.{kind}")))
            })
            .flatten()
    };
    Ok(of_group.or_else(options))
}

/// `runtime.Unknown`, the envelope.
fn unknown_type() -> Result<MessageDescriptor, String> {
    files()?
        .iter()
        .find_map(|f| f.message_by_full_name(".k8s.io.apimachinery.pkg.runtime.Unknown"))
        .ok_or_else(|| "the engine's protobuf descriptors lack runtime.Unknown".into())
}

/// Why a protobuf body was refused: a body that is not protobuf is a bad request (400, as
/// the API server answers), a kind the engine has no message for is unsupported (415).
#[derive(Debug)]
pub struct Refusal {
    pub unsupported: bool,
    pub message: String,
}

impl std::ops::Deref for Refusal {
    type Target = str;
    fn deref(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<String> for Refusal {
    fn from(message: String) -> Self {
        Refusal {
            unsupported: true,
            message,
        }
    }
}

/// A body that is not protobuf, worded as the API server words it (with the body's first
/// bytes in hex).
fn unrecognized(why: &str, body: &[u8]) -> Refusal {
    let hex: String = body.iter().take(80).map(|b| format!("{b:02x}")).collect();
    Refusal {
        unsupported: false,
        message: format!("the object provided is unrecognized: {why} ({hex})"),
    }
}

/// Decodes a protobuf request body into the JSON object it stands for.
pub fn decode(body: &[u8]) -> Result<Value, Refusal> {
    let envelope = body.strip_prefix(MAGIC).ok_or_else(|| {
        unrecognized(
            "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]",
            body,
        )
    })?;
    let unknown = unknown_type()?
        .parse_from_bytes(envelope)
        .map_err(|e| unrecognized(&format!("the protobuf envelope is malformed: {e}"), body))?;
    let type_meta = match field(&*unknown, "typeMeta") {
        Some(ReflectValueRef::Message(m)) => (string(field(&*m, "apiVersion")), string(field(&*m, "kind"))),
        _ => (String::new(), String::new()),
    };
    let (api_version, kind) = type_meta;
    if kind.is_empty() {
        return Err(unrecognized("the protobuf envelope names no kind", body));
    }
    let encoding = string(field(&*unknown, "contentEncoding"));
    if !encoding.is_empty() {
        return Err(format!(
            "the protobuf envelope's contentEncoding {encoding:?} is not supported; send it unencoded"
        )
        .into());
    }
    let descriptor = message_type(&api_version, &kind)?.ok_or_else(|| {
        format!("the engine has no protobuf type for apiVersion {api_version:?} kind {kind:?}; send it as JSON")
    })?;
    let decoded = descriptor
        .parse_from_bytes(bytes(field(&*unknown, "raw")))
        .map_err(|e| unrecognized(&format!("the protobuf {kind} is malformed: {e}"), body))?;
    let mut object = Map::new();
    object.insert("apiVersion".into(), json!(api_version));
    object.insert("kind".into(), json!(kind));
    if let Value::Object(fields) = message(&*decoded) {
        object.extend(fields);
    }
    Ok(Value::Object(object))
}

/// The JSON name of a field of a message: the `.proto` name, but for the CRD schema's
/// `$ref`, `$schema` and `x-kubernetes-…` fields.
fn json_name(message: &str, field: &str) -> String {
    if message != "JSONSchemaProps" {
        return field.to_string();
    }
    match field {
        "ref" => "$ref".into(),
        "schema" => "$schema".into(),
        f if f.starts_with("xKubernetes") => {
            let mut out = String::from("x");
            for c in f[1..].chars() {
                if c.is_ascii_uppercase() {
                    out.push('-');
                    out.push(c.to_ascii_lowercase());
                } else {
                    out.push(c);
                }
            }
            out
        }
        f => f.to_string(),
    }
}

/// RFC 3339 in UTC with `digits` of fraction (0 for Time, 6 for MicroTime), as Go writes them.
fn timestamp(seconds: i64, nanos: i64, digits: usize) -> Value {
    if seconds == 0 && nanos == 0 {
        return Value::Null;
    }
    let Ok(t) = k8s_openapi::jiff::Timestamp::new(seconds, nanos as i32) else {
        return Value::Null;
    };
    let whole = t.strftime("%Y-%m-%dT%H:%M:%S").to_string();
    if digits == 0 {
        return json!(format!("{whole}Z"));
    }
    json!(format!("{whole}.{:06}Z", t.subsec_microsecond()))
}

/// A Go `time.Duration` as its `String()` writes it (`1h2m3.5s`).
fn go_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let n = nanos.unsigned_abs();
    if n < 1_000_000_000 {
        return match n {
            n if n < 1_000 => format!("{sign}{n}ns"),
            n if n < 1_000_000 => format!("{sign}{}µs", trim(n as f64 / 1e3)),
            n => format!("{sign}{}ms", trim(n as f64 / 1e6)),
        };
    }
    let (h, rest) = (n / 3_600_000_000_000, n % 3_600_000_000_000);
    let (m, s) = (rest / 60_000_000_000, rest % 60_000_000_000);
    let secs = trim(s as f64 / 1e9);
    match (h, m) {
        (0, 0) => format!("{sign}{secs}s"),
        (0, m) => format!("{sign}{m}m{secs}s"),
        (h, m) => format!("{sign}{h}h{m}m{secs}s"),
    }
}

fn trim(f: f64) -> String {
    let s = format!("{f:.9}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Bytes holding JSON (RawExtension, FieldsV1, the CRD schema's JSON).
fn raw_json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or_else(|_| json!(base64::engine::general_purpose::STANDARD.encode(bytes)))
}

/// A field of a message, by its `.proto` name, when set.
fn field<'a>(msg: &'a dyn MessageDyn, name: &str) -> Option<ReflectValueRef<'a>> {
    msg.descriptor_dyn().field_by_name(name)?.get_singular(msg)
}

fn int(v: Option<ReflectValueRef>) -> i64 {
    match v {
        Some(ReflectValueRef::I64(n)) => n,
        Some(ReflectValueRef::I32(n)) => n.into(),
        _ => 0,
    }
}

fn string(v: Option<ReflectValueRef>) -> String {
    match v {
        Some(ReflectValueRef::String(s)) => s.to_string(),
        _ => String::new(),
    }
}

fn bytes(v: Option<ReflectValueRef<'_>>) -> &[u8] {
    match v {
        Some(ReflectValueRef::Bytes(b)) => b,
        _ => &[],
    }
}

/// The JSON form of the apimachinery types that have one of their own, by their message name
/// (the package says it is one of them).
fn special(msg: &dyn MessageDyn) -> Option<Value> {
    let descriptor = msg.descriptor_dyn();
    let package = descriptor.file_descriptor().package().to_string();
    let name = descriptor.name();
    let apimachinery = package.starts_with("k8s.io.apimachinery.");
    let extensions = package.starts_with("k8s.io.apiextensions_apiserver.");
    Some(match name {
        "IntOrString" if apimachinery => match int(field(msg, "type")) {
            1 => json!(string(field(msg, "strVal"))),
            _ => json!(int(field(msg, "intVal"))),
        },
        "Quantity" if apimachinery => json!(string(field(msg, "string"))),
        "Time" if apimachinery => timestamp(int(field(msg, "seconds")), int(field(msg, "nanos")), 0),
        "MicroTime" if apimachinery => timestamp(int(field(msg, "seconds")), int(field(msg, "nanos")), 6),
        "Duration" if apimachinery => json!(go_duration(int(field(msg, "duration")))),
        "RawExtension" if apimachinery => raw_json(bytes(field(msg, "raw"))),
        "FieldsV1" if apimachinery => raw_json(bytes(field(msg, "Raw"))),
        "JSON" if extensions => raw_json(bytes(field(msg, "raw"))),
        "JSONSchemaPropsOrBool" if extensions => match field(msg, "schema") {
            Some(ReflectValueRef::Message(m)) => message(&*m),
            _ => json!(matches!(field(msg, "allows"), Some(ReflectValueRef::Bool(true)))),
        },
        "JSONSchemaPropsOrArray" if extensions => match field(msg, "schema") {
            Some(ReflectValueRef::Message(m)) => message(&*m),
            _ => message(msg)["jSONSchemas"].clone(),
        },
        "JSONSchemaPropsOrStringArray" if extensions => match field(msg, "schema") {
            Some(ReflectValueRef::Message(m)) => message(&*m),
            _ => message(msg)["property"].clone(),
        },
        _ => return None,
    })
}

/// One value: `None` for an empty string (left out, as Go's `omitempty` does).
fn value(v: ReflectValueRef, in_collection: bool) -> Option<Value> {
    Some(match v {
        ReflectValueRef::U32(n) => json!(n),
        ReflectValueRef::U64(n) => json!(n),
        ReflectValueRef::I32(n) => json!(n),
        ReflectValueRef::I64(n) => json!(n),
        ReflectValueRef::F32(n) => json!(n),
        ReflectValueRef::F64(n) => json!(n),
        ReflectValueRef::Bool(b) => json!(b),
        ReflectValueRef::String("") if !in_collection => return None,
        ReflectValueRef::String(s) => json!(s),
        ReflectValueRef::Bytes(b) => json!(base64::engine::general_purpose::STANDARD.encode(b)),
        ReflectValueRef::Enum(_, n) => json!(n),
        ReflectValueRef::Message(m) => message(&*m),
    })
}

/// The OpenAPI schema of a message's type (`k8s.io.api.core.v1.Pod` is `io.k8s.api.core.v1.Pod`).
fn schema_of(descriptor: &MessageDescriptor) -> Option<&'static Value> {
    let name = descriptor.full_name().trim_start_matches('.');
    let rest = name
        .strip_prefix("k8s.io.")?
        .replace("apiextensions_apiserver", "apiextensions-apiserver");
    super::openapi::builtin_schema(&format!("io.k8s.{rest}"))
}

/// Whether a zero (`0`, `false`) of `field` is left out, as Go leaves out the zeros of fields
/// that are not pointers: an optional field's zero is, unless its documentation says it is a
/// pointer or defaults to something else (`replicas: 0`, `enableServiceLinks: false` stay).
fn zero_left_out(schema: Option<&Value>, field: &str) -> bool {
    let Some(schema) = schema else { return false };
    if schema["required"]
        .as_array()
        .is_some_and(|r| r.iter().any(|n| n == field))
    {
        return false;
    }
    let doc = schema["properties"][field]["description"].as_str().unwrap_or_default();
    if doc.contains("pointer") {
        return false;
    }
    let default = doc
        .split_once("efaults to ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .map(|d| d.trim_end_matches(['.', ',', ';', ')']));
    !default.is_some_and(|d| !matches!(d, "0" | "0s" | "false" | "nil" | "empty"))
}

/// A message as JSON: its set fields under their JSON names. A field that the type's schema
/// does not name is one Go embeds (`json:",inline"`, an IngressRule's IngressRuleValue): its
/// fields are the message's own.
fn message(msg: &dyn MessageDyn) -> Value {
    if let Some(v) = special(msg) {
        return v;
    }
    let descriptor = msg.descriptor_dyn();
    let schema = schema_of(&descriptor);
    let properties = schema.and_then(|s| s["properties"].as_object());
    let mut out = Map::new();
    for f in descriptor.fields() {
        let name = json_name(descriptor.name(), f.name());
        match f.get_reflect(msg) {
            ReflectFieldRef::Optional(v) => {
                let Some(v) = v.value() else { continue };
                let inline =
                    matches!(v, ReflectValueRef::Message(_)) && properties.is_some_and(|p| !p.contains_key(&name));
                match value(v, false) {
                    None | Some(Value::Null) => {}
                    Some(Value::Object(fields)) if inline => out.extend(fields),
                    Some(v) if (v == json!(0) || v == json!(false)) && zero_left_out(schema, &name) => {}
                    Some(v) => drop(out.insert(name, v)),
                }
            }
            ReflectFieldRef::Repeated(items) if !items.is_empty() => {
                let items = items.into_iter().filter_map(|v| value(v, true)).collect();
                out.insert(name, Value::Array(items));
            }
            ReflectFieldRef::Map(entries) if !entries.is_empty() => {
                let mut map = Map::new();
                for (k, v) in &entries {
                    let key = match k {
                        ReflectValueRef::String(s) => s.to_string(),
                        other => other.to_string(),
                    };
                    if let Some(v) = value(v, true) {
                        map.insert(key, v);
                    }
                }
                out.insert(name, Value::Object(map));
            }
            _ => {}
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use protobuf::reflect::ReflectValueBox;

    /// A message of `descriptor` filled from JSON-like `fields` (strings, integers, booleans,
    /// messages, maps of strings and lists of messages), for the tests.
    fn fill(descriptor: &MessageDescriptor, fields: &Value) -> Box<dyn MessageDyn> {
        let mut msg = descriptor.new_instance();
        for (name, v) in fields.as_object().unwrap() {
            let f = descriptor.field_by_name(name).unwrap_or_else(|| panic!("{name}"));
            let boxed = |v: &Value, t: protobuf::reflect::RuntimeType| -> ReflectValueBox {
                use protobuf::reflect::RuntimeType as T;
                match (t, v) {
                    (T::String, Value::String(s)) => ReflectValueBox::String(s.clone()),
                    (T::VecU8, Value::String(s)) => ReflectValueBox::Bytes(s.as_bytes().to_vec()),
                    (T::I32, v) => ReflectValueBox::I32(v.as_i64().unwrap() as i32),
                    (T::I64, v) => ReflectValueBox::I64(v.as_i64().unwrap()),
                    (T::Bool, v) => ReflectValueBox::Bool(v.as_bool().unwrap()),
                    (T::Message(m), v) => ReflectValueBox::Message(fill(&m, v)),
                    (t, v) => panic!("{t:?} {v}"),
                }
            };
            match f.runtime_field_type() {
                protobuf::reflect::RuntimeFieldType::Singular(t) => f.set_singular_field(&mut *msg, boxed(v, t)),
                protobuf::reflect::RuntimeFieldType::Repeated(t) => {
                    for item in v.as_array().unwrap() {
                        f.mut_repeated(&mut *msg).push(boxed(item, t.clone()));
                    }
                }
                protobuf::reflect::RuntimeFieldType::Map(k, t) => {
                    for (key, item) in v.as_object().unwrap() {
                        f.mut_map(&mut *msg)
                            .insert(boxed(&json!(key), k.clone()), boxed(item, t.clone()));
                    }
                }
            }
        }
        msg
    }

    fn envelope_of(api_version: &str, kind: &str, raw: Vec<u8>) -> Vec<u8> {
        let unknown = unknown_type().unwrap();
        let mut msg = fill(
            &unknown,
            &json!({"typeMeta": {"apiVersion": api_version, "kind": kind}}),
        );
        unknown
            .field_by_name("raw")
            .unwrap()
            .set_singular_field(&mut *msg, ReflectValueBox::Bytes(raw));
        [MAGIC.to_vec(), msg.write_to_bytes_dyn().unwrap()].concat()
    }

    fn envelope(api_version: &str, kind: &str, object: &Value) -> Vec<u8> {
        let descriptor = message_type(api_version, kind).unwrap().unwrap();
        envelope_of(
            api_version,
            kind,
            fill(&descriptor, object).write_to_bytes_dyn().unwrap(),
        )
    }

    #[test]
    fn a_deployment_decodes_to_the_json_kubectl_sends() {
        let deployment = json!({
            "metadata": {"name": "web", "namespace": "", "labels": {"app": "web"}, "creationTimestamp": {}},
            "spec": {"replicas": 0, "paused": false, "minReadySeconds": 0, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {}, "spec": {"containers": [
                    {"name": "nginx", "image": "nginx", "stdin": false, "ports": [{"containerPort": 80, "hostPort": 0}]}]}},
                "strategy": {"rollingUpdate": {"maxSurge": {"type": 1, "strVal": "25%"}, "maxUnavailable": {"intVal": 2}}}},
        });
        assert_eq!(
            decode(&envelope("apps/v1", "Deployment", &deployment)).unwrap(),
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "web", "labels": {"app": "web"}},
                "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {}, "spec": {"containers": [
                        {"name": "nginx", "image": "nginx", "ports": [{"containerPort": 80}]}]}},
                    "strategy": {"rollingUpdate": {"maxUnavailable": 2, "maxSurge": "25%"}}}})
        );
    }

    #[test]
    fn a_secret_keeps_its_bytes_as_base64_and_times_are_rfc3339() {
        let secret = json!({
            "metadata": {"name": "basic-auth", "creationTimestamp": {"seconds": 1_700_000_000}},
            "data": {"auth": "foo:bar"}, "stringData": {"empty": ""}, "type": "Opaque",
        });
        assert_eq!(
            decode(&envelope("v1", "Secret", &secret)).unwrap(),
            json!({"apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": "basic-auth", "creationTimestamp": "2023-11-14T22:13:20Z"},
                "data": {"auth": "Zm9vOmJhcg=="}, "stringData": {"empty": ""}, "type": "Opaque"})
        );
    }

    #[test]
    fn the_groups_messages_are_found_by_api_version_and_kind() {
        for (api_version, kind) in [
            ("rbac.authorization.k8s.io/v1", "ClusterRole"),
            ("networking.k8s.io/v1", "Ingress"),
            ("autoscaling/v2", "HorizontalPodAutoscaler"),
            ("batch/v1", "CronJob"),
            ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
            ("v1", "Namespace"),
            // What client-go sends as the body of a DELETE, under any group's version.
            ("v1", "DeleteOptions"),
            ("apps/v1", "DeleteOptions"),
        ] {
            assert!(
                message_type(api_version, kind).unwrap().is_some(),
                "{api_version} {kind}"
            );
        }
        assert!(message_type("apps.example.com/v1", "Deployment").unwrap().is_none());
        let options = json!({"propagationPolicy": "Foreground", "preconditions": {"uid": "u-1"}});
        assert_eq!(
            decode(&envelope("v1", "DeleteOptions", &options)).unwrap(),
            json!({"apiVersion": "v1", "kind": "DeleteOptions",
                "propagationPolicy": "Foreground", "preconditions": {"uid": "u-1"}})
        );
    }

    #[test]
    fn unknown_kinds_and_garbage_are_refused() {
        let err = decode(&envelope_of("example.com/v1", "Widget", vec![])).unwrap_err();
        assert!(err.contains("\"Widget\"") && err.contains("send it as JSON"), "{err}");
        assert!(err.unsupported);
        let err = decode(b"not protobuf").unwrap_err();
        assert!(err.contains("expected prefix") && !err.unsupported, "{err}");
        assert!(!decode(&[MAGIC, &[0x0a, 0x50]].concat()).unwrap_err().unsupported);
        let err = decode(&envelope_of("v1", "ConfigMap", vec![0x0f, 0x00])).unwrap_err();
        assert!(err.contains("ConfigMap is malformed") && !err.unsupported, "{err}");
    }

    #[test]
    fn go_durations() {
        assert_eq!(go_duration(3_723_500_000_000), "1h2m3.5s");
        assert_eq!(go_duration(90_000_000_000), "1m30s");
        assert_eq!(go_duration(1_500_000), "1.5ms");
        assert_eq!(go_duration(0), "0s");
    }
}
