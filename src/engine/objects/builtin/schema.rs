//! A custom object's values checked against its CRD's `openAPIV3Schema`, as kube-apiserver's
//! schema validation words each error: types (with `x-kubernetes-int-or-string`), `nullable`,
//! `enum`, `required`, `pattern`, numeric ranges, lengths, item counts and the common string
//! formats. Fields the schema does not declare are not looked at (they are pruned).

use serde_json::{Map, Value};

use super::errors::FieldErrors;

/// Drops the nulls of fields that are not `nullable` (the API server prunes them) and adds one
/// error per value the schema refuses. `path` is the field path of `value` (empty at the root).
/// `old` is the value at the same place before an update: a value left as it was is not
/// checked (ratcheting; list items are not matched up, a list is unchanged only as a whole).
pub fn validate(value: &mut Value, old: Option<&Value>, schema: &Value, path: &str, errs: &mut FieldErrors) {
    if let Value::Object(fields) = value {
        drop_nulls(fields, schema);
    }
    if old == Some(value) {
        return;
    }
    if !type_ok(value, schema, path, errs) {
        return;
    }
    match value {
        Value::String(s) => string(s, schema, path, errs),
        Value::Number(_) => number(value, schema, path, errs),
        _ => {}
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(value)
    {
        let supported: Vec<String> = allowed.iter().map(|v| format!("{:?}", go_string(v))).collect();
        errs.push_worded(
            "FieldValueNotSupported",
            path,
            format!(
                "Unsupported value: {}: supported values: {}",
                shown(value),
                supported.join(", ")
            ),
        );
    }
    match value {
        Value::Object(fields) => object(fields, old, schema, path, errs),
        Value::Array(items) => array(items, schema, path, errs),
        _ => {}
    }
}

fn drop_nulls(fields: &mut Map<String, Value>, schema: &Value) {
    let properties = schema["properties"].as_object();
    let additional = &schema["additionalProperties"];
    fields.retain(|k, v| {
        let sub = properties
            .and_then(|p| p.get(k))
            .or(additional.is_object().then_some(additional));
        !(v.is_null() && sub.is_some_and(|s| s["nullable"] != Value::Bool(true)))
    });
}

/// A value as the Go validator prints it in `Invalid value: ...`.
fn shown(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A value as Go's `%v` prints it (strings unquoted).
fn go_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn in_body(path: &str) -> String {
    format!("{path} in body")
}

fn invalid(errs: &mut FieldErrors, path: &str, value: &impl serde::Serialize, detail: String) {
    errs.invalid(path, value, &format!("{} {detail}", in_body(path)));
}

/// Whether `value` has the schema's type; if not, the error is added.
fn type_ok(value: &Value, schema: &Value, path: &str, errs: &mut FieldErrors) -> bool {
    let actual = type_name(value);
    let wanted: Vec<&str> = if schema["x-kubernetes-int-or-string"] == Value::Bool(true) {
        vec!["integer", "string"]
    } else {
        match schema["type"].as_str() {
            Some(t) => vec![t],
            None => return true,
        }
    };
    let nullable = schema["nullable"] == Value::Bool(true);
    let ok = match actual {
        "null" => nullable,
        "integer" => wanted.contains(&"integer") || wanted.contains(&"number"),
        // A whole number written with a fraction (`2.0`) is an integer.
        "number" if value.as_f64().is_some_and(|f| f.fract() == 0.0) => {
            wanted.contains(&"integer") || wanted.contains(&"number")
        }
        a => wanted.contains(&a),
    };
    if !ok {
        let wanted = wanted.join(",");
        errs.push_worded(
            "FieldValueTypeInvalid",
            path,
            format!(
                "Invalid value: {actual:?}: {} must be of type {wanted}: {actual:?}",
                in_body(path)
            ),
        );
        if actual == "number" && wanted == "integer" {
            // The API server also reports the failed integer conversion, without a field.
            errs.push_worded(
                "FieldValueInvalid",
                "<nil>",
                format!("Invalid value: \"\": Checked value must be of type integer (default format) in {path}"),
            );
        }
    }
    ok
}

fn string(s: &str, schema: &Value, path: &str, errs: &mut FieldErrors) {
    if let Some(format) = schema["format"].as_str()
        && !format_ok(s, format)
    {
        errs.push_worded(
            "FieldValueTypeInvalid",
            path,
            format!(
                "Invalid value: {s:?}: {} must be of type {format}: {s:?}",
                in_body(path)
            ),
        );
    }
    let chars = s.chars().count() as u64;
    if let Some(max) = schema["maxLength"].as_u64()
        && chars > max
    {
        errs.too_long(path, max as usize);
    } else if let Some(min) = schema["minLength"].as_u64()
        && chars < min
    {
        invalid(errs, path, &s, format!("should be at least {min} chars long"));
    } else if let Some(pattern) = schema["pattern"].as_str()
        && let Ok(re) = regex::Regex::new(pattern)
        && !re.is_match(s)
    {
        invalid(errs, path, &s, format!("should match '{pattern}'"));
    }
}

fn format_ok(s: &str, format: &str) -> bool {
    match format {
        "date-time" | "datetime" => s.parse::<k8s_openapi::jiff::Timestamp>().is_ok(),
        "date" => s.len() == 10 && s.parse::<k8s_openapi::jiff::civil::Date>().is_ok(),
        "uuid" => uuid::Uuid::try_parse(s).is_ok(),
        "byte" => {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.decode(s).is_ok()
        }
        _ => true,
    }
}

fn number(value: &Value, schema: &Value, path: &str, errs: &mut FieldErrors) {
    let Some(n) = value.as_f64() else { return };
    if let Some(max) = schema["maximum"].as_f64() {
        let exclusive = schema["exclusiveMaximum"] == Value::Bool(true);
        if n > max || exclusive && n == max {
            let than = if exclusive {
                "less than"
            } else {
                "less than or equal to"
            };
            invalid(errs, path, value, format!("should be {than} {}", schema["maximum"]));
        }
    }
    if let Some(min) = schema["minimum"].as_f64() {
        let exclusive = schema["exclusiveMinimum"] == Value::Bool(true);
        if n < min || exclusive && n == min {
            let than = if exclusive {
                "greater than"
            } else {
                "greater than or equal to"
            };
            invalid(errs, path, value, format!("should be {than} {}", schema["minimum"]));
        }
    }
    if let Some(m) = schema["multipleOf"].as_f64()
        && m > 0.0
        && (n / m).fract() != 0.0
    {
        invalid(
            errs,
            path,
            value,
            format!("should be a multiple of {}", schema["multipleOf"]),
        );
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn object(fields: &mut Map<String, Value>, old: Option<&Value>, schema: &Value, path: &str, errs: &mut FieldErrors) {
    for required in schema["required"].as_array().into_iter().flatten() {
        if let Some(name) = required.as_str()
            && !fields.contains_key(name)
        {
            errs.required(join(path, name));
        }
    }
    let properties = schema["properties"].as_object();
    let additional = &schema["additionalProperties"];
    for (k, v) in fields.iter_mut() {
        let sub = properties
            .and_then(|p| p.get(k))
            .or(additional.is_object().then_some(additional));
        if let Some(sub) = sub {
            validate(v, old.and_then(|o| o.get(k)), sub, &join(path, k), errs);
        }
    }
}

fn array(items: &mut [Value], schema: &Value, path: &str, errs: &mut FieldErrors) {
    let count = items.len() as u64;
    if let Some(max) = schema["maxItems"].as_u64()
        && count > max
    {
        errs.push_worded(
            "FieldValueTooMany",
            path,
            format!("Too many: {count}: must have at most {max} items"),
        );
    }
    if let Some(min) = schema["minItems"].as_u64()
        && count < min
    {
        invalid(errs, path, &count, format!("should have at least {min} items"));
    }
    if let Some(sub) = schema.get("items").filter(|s| s.is_object()) {
        for (i, v) in items.iter_mut().enumerate() {
            validate(v, None, sub, &format!("{path}[{i}]"), errs);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn causes(mut value: Value, schema: Value) -> Vec<(String, String, String)> {
        let mut errs = FieldErrors::default();
        validate(&mut value, None, &schema, "", &mut errs);
        let Err(e) = errs.into_result("g", "K", "k") else {
            return vec![];
        };
        e.details.unwrap()["causes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let s = |f: &str| c[f].as_str().unwrap().to_string();
                (s("field"), s("reason"), s("message"))
            })
            .collect()
    }

    fn spec(properties: Value) -> Value {
        json!({"type": "object", "properties": {"spec": {"type": "object", "properties": properties}}})
    }

    #[test]
    fn types_are_worded_as_the_api_server_words_them() {
        let schema = spec(
            json!({"size": {"type": "integer"}, "port": {"x-kubernetes-int-or-string": true},
            "flag": {"type": "boolean"}, "labels": {"type": "object", "additionalProperties": {"type": "integer"}}}),
        );
        let got = causes(
            json!({"spec": {"size": "string", "port": true, "flag": false, "labels": {"a": "b"}}}),
            schema.clone(),
        );
        assert_eq!(
            got,
            [
                (
                    "spec.size".into(),
                    "FieldValueTypeInvalid".into(),
                    "Invalid value: \"string\": spec.size in body must be of type integer: \"string\"".into()
                ),
                (
                    "spec.port".into(),
                    "FieldValueTypeInvalid".into(),
                    "Invalid value: \"boolean\": spec.port in body must be of type integer,string: \"boolean\"".into()
                ),
                (
                    "spec.labels.a".into(),
                    "FieldValueTypeInvalid".into(),
                    "Invalid value: \"string\": spec.labels.a in body must be of type integer: \"string\"".into()
                ),
            ]
        );
        assert!(
            causes(
                json!({"spec": {"size": 2.0, "port": "http", "labels": {}}}),
                schema.clone()
            )
            .is_empty()
        );
        let fraction = causes(json!({"spec": {"size": 1.5}}), schema);
        assert_eq!(fraction.len(), 2);
        assert_eq!(fraction[1].0, "<nil>");
    }

    #[test]
    fn an_update_leaves_unchanged_values_unchecked() {
        let schema = spec(json!({"size": {"type": "integer"}, "name": {"type": "string"}}));
        let old = json!({"spec": {"size": "big", "name": "a"}});
        let mut new = json!({"spec": {"size": "big", "name": "b"}});
        let mut errs = FieldErrors::default();
        validate(&mut new, Some(&old), &schema, "", &mut errs);
        assert!(errs.into_result("", "K", "k").is_ok());
        let mut new = json!({"spec": {"size": "bigger", "name": "a"}});
        let mut errs = FieldErrors::default();
        validate(&mut new, Some(&old), &schema, "", &mut errs);
        assert!(errs.into_result("", "K", "k").is_err());
    }

    #[test]
    fn nulls_are_dropped_unless_nullable() {
        let schema = spec(json!({"a": {"type": "string"}, "b": {"type": "string", "nullable": true}}));
        let mut value = json!({"spec": {"a": null, "b": null}});
        let mut errs = FieldErrors::default();
        validate(&mut value, None, &schema, "", &mut errs);
        assert!(errs.into_result("", "K", "k").is_ok());
        assert_eq!(value, json!({"spec": {"b": null}}));
    }

    #[test]
    fn enums_required_ranges_lengths_and_counts() {
        let schema = spec(json!({
            "mode": {"type": "string", "enum": ["a", "b"]},
            "num": {"type": "integer", "enum": [1, 2]},
            "name": {"type": "string", "pattern": "^[a-z]+$", "minLength": 2, "maxLength": 5},
            "size": {"type": "integer", "minimum": 1, "maximum": 10},
            "ratio": {"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 1, "exclusiveMaximum": true},
            "tags": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "string"}},
            "items": {"type": "array", "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}},
            "when": {"type": "string", "format": "date-time"},
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
        }));
        let got = causes(
            json!({"spec": {"mode": "c", "num": 3, "name": "ABC", "size": 11, "ratio": 1, "tags": [],
                "items": [{}], "when": "nope", "free": {"x": {"y": 1}}}}),
            schema.clone(),
        );
        let messages: Vec<String> = got.iter().map(|(f, r, m)| format!("{f} {r} {m}")).collect();
        assert_eq!(
            messages,
            [
                "spec.mode FieldValueNotSupported Unsupported value: \"c\": supported values: \"a\", \"b\"",
                "spec.num FieldValueNotSupported Unsupported value: 3: supported values: \"1\", \"2\"",
                "spec.name FieldValueInvalid Invalid value: \"ABC\": spec.name in body should match '^[a-z]+$'",
                "spec.size FieldValueInvalid Invalid value: 11: spec.size in body should be less than or equal to 10",
                "spec.ratio FieldValueInvalid Invalid value: 1: spec.ratio in body should be less than 1",
                "spec.tags FieldValueInvalid Invalid value: 0: spec.tags in body should have at least 1 items",
                "spec.items[0].name FieldValueRequired Required value",
                "spec.when FieldValueTypeInvalid Invalid value: \"nope\": spec.when in body must be of type date-time: \"nope\"",
            ]
        );
        let got = causes(
            json!({"spec": {"name": "abcdef", "size": 0, "ratio": 0, "tags": ["a", "b", "c"]}}),
            schema.clone(),
        );
        let messages: Vec<String> = got.iter().map(|(f, r, m)| format!("{f} {r} {m}")).collect();
        assert_eq!(
            messages,
            [
                "spec.name FieldValueTooLong Too long: may not be more than 5 bytes",
                "spec.size FieldValueInvalid Invalid value: 0: spec.size in body should be greater than or equal to 1",
                "spec.ratio FieldValueInvalid Invalid value: 0: spec.ratio in body should be greater than 0",
                "spec.tags FieldValueTooMany Too many: 3: must have at most 2 items",
            ]
        );
        assert!(
            causes(
                json!({"spec": {"mode": "a", "num": 1, "name": "ab", "size": 10, "ratio": 0.5, "tags": ["x"],
                "items": [{"name": "n"}], "when": "2026-01-02T03:04:05Z"}}),
                schema
            )
            .is_empty()
        );
    }
}
