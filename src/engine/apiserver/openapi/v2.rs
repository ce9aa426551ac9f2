//! OpenAPI v2 (Swagger 2.0): the schemas rewritten from their v3 form, as a real API server
//! publishes both, and the protobuf encoding of the document (gnostic's `openapi.v2.Document`,
//! which kubectl ≤1.26 reads for `explain`, `diff` and validation). Only the messages a document
//! of schemas needs are written: Document, Info, Definitions, NamedSchema, Schema and what a
//! schema holds; values without a message of their own (defaults, enums, extensions) are
//! gnostic's `Any` with their YAML text (JSON is YAML).

use protobuf::CodedOutputStream;
use serde_json::{Map, Value};

/// A schema in its v2 form: references point at `#/definitions/`, a lone `allOf` reference is
/// the reference itself, and what v2 has no word for (`default`, `nullable`, `oneOf`, `anyOf`,
/// `not`) is left out; a value that was one of several types is a string (IntOrString and
/// Quantity, as the real v2 document has them).
///
/// A schema whose unknown fields are kept (`x-kubernetes-preserve-unknown-fields`) is only its
/// type and description, as a real API server publishes it in v2: v2 clients validate every
/// field they are shown, and could not tell that others are allowed.
pub fn schema(v3: &Value) -> Value {
    match v3 {
        Value::Object(map) if map.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true)) => {
            let mut out = Map::new();
            for k in ["description", "type", "x-kubernetes-preserve-unknown-fields"] {
                if let Some(v) = map.get(k) {
                    out.insert(k.into(), v.clone());
                }
            }
            Value::Object(out)
        }
        Value::Object(map) => {
            let mut out = Map::new();
            let mut one_of = false;
            for (k, v) in map {
                match k.as_str() {
                    "allOf" if v.as_array().is_some_and(|a| a.len() == 1 && a[0].get("$ref").is_some()) => {
                        out.insert("$ref".into(), schema(&v[0]["$ref"]));
                    }
                    "$ref" => {
                        let r = v.as_str().unwrap_or_default();
                        out.insert(
                            k.clone(),
                            Value::String(r.replace("#/components/schemas/", "#/definitions/")),
                        );
                    }
                    "default" | "nullable" | "not" => {}
                    "oneOf" | "anyOf" => one_of = true,
                    // Object-valued keywords whose keys are property names, not keywords.
                    "properties" | "patternProperties" => {
                        let props = v
                            .as_object()
                            .map(|p| p.iter().map(|(n, s)| (n.clone(), schema(s))).collect())
                            .unwrap_or_default();
                        out.insert(k.clone(), Value::Object(props));
                    }
                    "enum" | "example" | "required" | "x-kubernetes-group-version-kind" => {
                        out.insert(k.clone(), v.clone());
                    }
                    k if k.starts_with("x-") => drop(out.insert(k.to_string(), v.clone())),
                    _ => drop(out.insert(k.clone(), schema(v))),
                }
            }
            if one_of && !out.contains_key("type") && map.get("x-kubernetes-int-or-string").is_none() {
                let format = map.get("format").and_then(Value::as_str).unwrap_or_default();
                if !format.is_empty() {
                    out.insert("type".into(), Value::String("string".into()));
                }
            }
            Value::Object(out)
        }
        Value::String(r) => Value::String(r.replace("#/components/schemas/", "#/definitions/")),
        other => other.clone(),
    }
}

/// A path's operations in the v2 form: parameters with their type, responses with their schema.
pub fn path_item(v3: &Value) -> Value {
    let parameter = |p: &Value| {
        let mut p = p.clone();
        if let Some(map) = p.as_object_mut() {
            let schema = map.remove("schema").unwrap_or_default();
            map.insert("type".into(), schema["type"].clone());
            map.insert("uniqueItems".into(), Value::Bool(true));
        }
        p
    };
    let mut out = Map::new();
    for (method, op) in v3.as_object().into_iter().flatten() {
        if method == "parameters" {
            out.insert(
                method.clone(),
                Value::Array(op.as_array().into_iter().flatten().map(parameter).collect()),
            );
            continue;
        }
        let mut op = op.clone();
        let params: Vec<Value> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(parameter)
            .collect();
        op["parameters"] = Value::Array(params);
        let schema = schema(&op["responses"]["200"]["content"]["application/json"]["schema"]);
        op["responses"] = serde_json::json!({"200": {"description": "OK", "schema": schema}});
        op["consumes"] = serde_json::json!(["*/*"]);
        op["produces"] = serde_json::json!([
            "application/json",
            "application/yaml",
            "application/vnd.kubernetes.protobuf"
        ]);
        op["schemes"] = serde_json::json!(["https"]);
        out.insert(method.clone(), op);
    }
    Value::Object(out)
}

/// The protobuf message encoder: a message is its fields' bytes.
#[derive(Default)]
struct Message(Vec<u8>);

impl Message {
    fn stream(&mut self, f: impl FnOnce(&mut CodedOutputStream)) {
        let mut out = CodedOutputStream::vec(&mut self.0);
        f(&mut out);
        out.flush().expect("writing to memory succeeds");
    }

    fn string(&mut self, field: u32, value: &str) -> &mut Self {
        if !value.is_empty() {
            self.stream(|o| o.write_string(field, value).expect("in memory"));
        }
        self
    }

    fn message(&mut self, field: u32, value: &Message) -> &mut Self {
        self.stream(|o| o.write_bytes(field, &value.0).expect("in memory"));
        self
    }

    fn double(&mut self, field: u32, value: Option<f64>) -> &mut Self {
        if let Some(v) = value.filter(|v| *v != 0.0) {
            self.stream(|o| o.write_double(field, v).expect("in memory"));
        }
        self
    }

    fn int64(&mut self, field: u32, value: Option<i64>) -> &mut Self {
        if let Some(v) = value.filter(|v| *v != 0) {
            self.stream(|o| o.write_int64(field, v).expect("in memory"));
        }
        self
    }

    fn bool(&mut self, field: u32, value: Option<bool>) -> &mut Self {
        if value == Some(true) {
            self.stream(|o| o.write_bool(field, true).expect("in memory"));
        }
        self
    }
}

/// gnostic's `Any`: the value's YAML text.
fn any(value: &Value) -> Message {
    let mut m = Message::default();
    m.string(2, &serde_json::to_string(value).expect("JSON serialises"));
    m
}

fn named_any(name: &str, value: &Value) -> Message {
    let mut m = Message::default();
    m.string(1, name).message(2, &any(value));
    m
}

fn named_schemas(field: u32, into: &mut Message, schemas: &Map<String, Value>) {
    let mut list = Message::default();
    for (name, s) in schemas {
        let mut named = Message::default();
        named.string(1, name).message(2, &schema_message(s));
        list.message(1, &named);
    }
    into.message(field, &list);
}

/// One `openapi.v2.Schema`.
fn schema_message(s: &Value) -> Message {
    let mut m = Message::default();
    let text = |k: &str| s[k].as_str().unwrap_or_default().to_string();
    m.string(1, &text("$ref"))
        .string(2, &text("format"))
        .string(3, &text("title"))
        .string(4, &text("description"));
    if let Some(d) = s.get("default") {
        m.message(5, &any(d));
    }
    m.double(6, s["multipleOf"].as_f64())
        .double(7, s["maximum"].as_f64())
        .bool(8, s["exclusiveMaximum"].as_bool())
        .double(9, s["minimum"].as_f64())
        .bool(10, s["exclusiveMinimum"].as_bool())
        .int64(11, s["maxLength"].as_i64())
        .int64(12, s["minLength"].as_i64())
        .string(13, &text("pattern"))
        .int64(14, s["maxItems"].as_i64())
        .int64(15, s["minItems"].as_i64())
        .bool(16, s["uniqueItems"].as_bool())
        .int64(17, s["maxProperties"].as_i64())
        .int64(18, s["minProperties"].as_i64());
    for r in s["required"].as_array().into_iter().flatten() {
        m.string(19, r.as_str().unwrap_or_default());
    }
    for e in s["enum"].as_array().into_iter().flatten() {
        m.message(20, &any(e));
    }
    match &s["additionalProperties"] {
        Value::Object(_) => {
            let mut item = Message::default();
            item.message(1, &schema_message(&s["additionalProperties"]));
            m.message(21, &item);
        }
        Value::Bool(b) => {
            let mut item = Message::default();
            item.stream(|o| o.write_bool(2, *b).expect("in memory"));
            m.message(21, &item);
        }
        _ => {}
    }
    let types: Vec<&str> = match &s["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !types.is_empty() {
        let mut item = Message::default();
        for t in &types {
            item.string(1, t);
        }
        m.message(22, &item);
    }
    let items: Vec<&Value> = match &s["items"] {
        Value::Object(_) => vec![&s["items"]],
        Value::Array(list) => list.iter().collect(),
        _ => vec![],
    };
    if !items.is_empty() {
        let mut item = Message::default();
        for i in &items {
            item.message(1, &schema_message(i));
        }
        m.message(23, &item);
    }
    for a in s["allOf"].as_array().into_iter().flatten() {
        m.message(24, &schema_message(a));
    }
    if let Some(props) = s["properties"].as_object() {
        named_schemas(25, &mut m, props);
    }
    m.bool(27, s["readOnly"].as_bool());
    if let Some(e) = s.get("example") {
        m.message(30, &any(e));
    }
    if let Some(map) = s.as_object() {
        for (k, v) in map.iter().filter(|(k, _)| k.starts_with("x-")) {
            m.message(31, &named_any(k, v));
        }
    }
    m
}

/// A query parameter (`openapi.v2.ParametersItem` of a `QueryParameterSubSchema`); path
/// parameters are left out (kubectl reads only the query ones).
fn parameter_message(p: &Value) -> Option<Message> {
    if p["in"] != "query" {
        return None;
    }
    let mut query = Message::default();
    query
        .string(2, "query")
        .string(4, p["name"].as_str().unwrap_or_default())
        .string(6, p["type"].as_str().unwrap_or("string"))
        .bool(20, p["uniqueItems"].as_bool());
    let mut non_body = Message::default();
    non_body.message(3, &query);
    let mut parameter = Message::default();
    parameter.message(2, &non_body);
    let mut item = Message::default();
    item.message(1, &parameter);
    Some(item)
}

/// One `openapi.v2.PathItem` with its operations (their query parameters and extensions).
fn path_item_message(item: &Value) -> Message {
    let mut m = Message::default();
    for (field, method) in [(2, "get"), (3, "put"), (4, "post"), (5, "delete"), (8, "patch")] {
        let Some(op) = item.get(method) else { continue };
        let mut o = Message::default();
        o.string(3, op["description"].as_str().unwrap_or_default())
            .string(5, op["operationId"].as_str().unwrap_or_default());
        for p in op["parameters"].as_array().into_iter().flatten() {
            if let Some(p) = parameter_message(p) {
                o.message(8, &p);
            }
        }
        for (k, v) in op
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| k.starts_with("x-"))
        {
            o.message(13, &named_any(k, v));
        }
        m.message(field, &o);
    }
    m
}

/// The protobuf encoding of a v2 document of schemas.
pub fn protobuf(doc: &Value) -> Vec<u8> {
    let mut info = Message::default();
    info.string(1, doc["info"]["title"].as_str().unwrap_or_default())
        .string(2, doc["info"]["version"].as_str().unwrap_or_default());
    let mut m = Message::default();
    m.string(1, doc["swagger"].as_str().unwrap_or("2.0")).message(2, &info);
    let mut paths = Message::default();
    for (name, item) in doc["paths"].as_object().into_iter().flatten() {
        let mut named = Message::default();
        named.string(1, name).message(2, &path_item_message(item));
        paths.message(2, &named);
    }
    m.message(8, &paths);
    if let Some(defs) = doc["definitions"].as_object() {
        named_schemas(9, &mut m, defs);
    }
    m.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn v3_schemas_become_v2_ones() {
        let v3 = json!({"type": "object", "properties": {
            "metadata": {"description": "m", "default": {}, "allOf": [{"$ref": "#/components/schemas/io.k8s.Meta"}]},
            "default": {"type": "string"},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/io.k8s.Item"}},
            "port": {"oneOf": [{"type": "integer"}, {"type": "string"}], "format": "int-or-string"}}});
        assert_eq!(
            schema(&v3),
            json!({"type": "object", "properties": {
                "metadata": {"description": "m", "$ref": "#/definitions/io.k8s.Meta"},
                "default": {"type": "string"},
                "items": {"type": "array", "items": {"$ref": "#/definitions/io.k8s.Item"}},
                "port": {"format": "int-or-string", "type": "string"}}})
        );
    }

    #[test]
    fn the_protobuf_document_has_its_definitions() {
        let doc = json!({"swagger": "2.0", "info": {"title": "Kubernetes", "version": "v1.33.0"},
            "definitions": {"io.k8s.A": {"type": "object", "x-kubernetes-group-version-kind": [{"group": "", "kind": "A", "version": "v1"}]}}});
        let bytes = protobuf(&doc);
        let text = String::from_utf8_lossy(&bytes);
        assert!(bytes.starts_with(&[0x0a, 3, b'2', b'.', b'0']), "{bytes:?}");
        assert!(text.contains("io.k8s.A") && text.contains("x-kubernetes-group-version-kind"));
        assert!(text.contains(r#"[{"group":"","kind":"A","version":"v1"}]"#));
    }
}
