//! Typed decoding of built-in objects into their k8s-openapi types, and the fields a typed
//! decoding does not know: unknown (not in the type, or not in a CRD's structural schema) and
//! duplicate ones, as `fieldValidation` reports them.

use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::engine::objects::ApiError;
use crate::engine::resources::ResourceDef;

/// `a.b`, or `b` at the top.
pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// The typed object, or the 400 a real API server gives for a body its type cannot hold.
pub(super) fn typed<K: DeserializeOwned>(def: &ResourceDef, obj: &Value) -> Result<K, ApiError> {
    serde_path_to_error::deserialize(obj).map_err(|e| {
        let path = e.path().to_string();
        let at = if path == "." {
            String::new()
        } else {
            format!("{path}: ")
        };
        ApiError::bad_request(format!(
            "{kind} in version \"{version}\" cannot be handled as a {kind}: {at}{inner}",
            kind = def.kind,
            version = def.version,
            inner = e.inner()
        ))
    })
}

/// Removes from `input` what its typed form `typed` (a serialisation of its decoding) does not
/// have, naming each non-null field removed in `unknown` (`spec.foo`, `spec.ports[0].bar`).
pub(super) fn prune_to(input: &mut Value, typed: &Value, path: &str, unknown: &mut Vec<String>) {
    match (input, typed) {
        (Value::Object(fields), Value::Object(known)) => {
            // Depth first, in the order of the body, as a strict decoder reports them.
            let mut gone = Vec::new();
            for (k, v) in fields.iter_mut() {
                match known.get(k) {
                    Some(t) => prune_to(v, t, &join(path, k), unknown),
                    None => {
                        if !v.is_null() {
                            unknown.push(join(path, k));
                        }
                        gone.push(k.clone());
                    }
                }
            }
            for k in gone {
                fields.shift_remove(&k);
            }
        }
        (Value::Array(items), Value::Array(known)) => {
            for (i, (v, t)) in items.iter_mut().zip(known).enumerate() {
                prune_to(v, t, &format!("{path}[{i}]"), unknown);
            }
        }
        _ => {}
    }
}

/// Makes in `stored` the changes defaulting made from `plain` to `defaulted` (both
/// serialisations of the typed object), leaving everything else as the client sent it.
pub(super) fn add_defaults(stored: &mut Value, plain: &Value, defaulted: &Value) {
    match (stored, plain, defaulted) {
        (Value::Object(s), Value::Object(p), Value::Object(d)) => {
            for gone in p.keys().filter(|k| !d.contains_key(*k)) {
                s.shift_remove(gone);
            }
            for (k, dv) in d {
                match (p.get(k), s.get_mut(k)) {
                    (Some(pv), Some(sv)) => add_defaults(sv, pv, dv),
                    (None, _) | (_, None) => {
                        s.insert(k.clone(), dv.clone());
                    }
                }
            }
        }
        (Value::Array(s), Value::Array(p), Value::Array(d)) if s.len() == p.len() && p.len() == d.len() => {
            for ((sv, pv), dv) in s.iter_mut().zip(p).zip(d) {
                add_defaults(sv, pv, dv);
            }
        }
        (s, p, d) => {
            if p != d {
                *s = d.clone();
            }
        }
    }
}

/// Fields of a custom object its CRD's structural schema does not know (apiVersion, kind and
/// metadata are checked elsewhere), removed from `value` when `prune`.
pub(super) fn schema_unknown(value: &mut Value, schema: &Value, path: &str, unknown: &mut Vec<String>) {
    let preserve = schema["x-kubernetes-preserve-unknown-fields"] == Value::Bool(true);
    match value {
        Value::Object(fields) => {
            let properties = schema["properties"].as_object();
            let additional = &schema["additionalProperties"];
            let embedded = schema["x-kubernetes-embedded-resource"] == Value::Bool(true);
            if properties.is_none() && (preserve || additional.is_null() && schema.get("type").is_none()) {
                return;
            }
            let mut gone = Vec::new();
            for (k, v) in fields.iter_mut() {
                let sub = properties
                    .and_then(|p| p.get(k))
                    .or(additional.is_object().then_some(additional));
                let known = sub.is_some()
                    || *additional == Value::Bool(true)
                    || preserve
                    || (embedded && ["apiVersion", "kind", "metadata"].contains(&k.as_str()));
                if let Some(sub) = sub {
                    schema_unknown(v, sub, &join(path, k), unknown);
                } else if !known {
                    if !v.is_null() {
                        unknown.push(join(path, k));
                    }
                    gone.push(k.clone());
                }
            }
            for k in gone {
                fields.shift_remove(&k);
            }
        }
        Value::Array(items) => {
            if let Some(sub) = schema.get("items").filter(|s| s.is_object()) {
                for (i, v) in items.iter_mut().enumerate() {
                    schema_unknown(v, sub, &format!("{path}[{i}]"), unknown);
                }
            }
        }
        _ => {}
    }
}

/// The fields a JSON body names twice in one object (`metadata.name`), as a strict decoder
/// finds them; empty for a body that is not JSON.
pub fn duplicate_fields(body: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(body);
    let _ = Duplicates {
        path: String::new(),
        found: &mut found,
    }
    .deserialize(&mut de);
    found
}

struct Duplicates<'a> {
    path: String,
    found: &'a mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for Duplicates<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Duplicates<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let found = self.found;
        let mut i = 0;
        while seq
            .next_element_seed(Duplicates {
                path: format!("{}[{i}]", self.path),
                found: &mut *found,
            })?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let found = self.found;
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = join(&self.path, &key);
            if !seen.insert(key) {
                found.push(path.clone());
            }
            map.next_value_seed(Duplicates {
                path,
                found: &mut *found,
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn duplicates_are_named_by_their_path() {
        let body = br#"{"metadata":{"name":"a","name":"b"},"spec":{"ports":[{"port":1,"port":2}]}}"#;
        assert_eq!(duplicate_fields(body), ["metadata.name", "spec.ports[0].port"]);
        assert!(duplicate_fields(b"kind: x\nkind: y").is_empty(), "not JSON");
    }

    #[test]
    fn unknown_fields_are_pruned_and_named_and_nulls_dropped() {
        let mut input = json!({"spec": {"foo": 1, "a": [{"b": 1, "zzz": 2}], "gone": null}, "top": true});
        let typed = json!({"spec": {"a": [{"b": 1}]}});
        let mut unknown = vec![];
        prune_to(&mut input, &typed, "", &mut unknown);
        assert_eq!(unknown, ["spec.foo", "spec.a[0].zzz", "top"]);
        assert_eq!(input, json!({"spec": {"a": [{"b": 1}]}}));
    }

    #[test]
    fn defaults_add_only_what_defaulting_changed() {
        let mut stored = json!({"spec": {"cpu": 1, "ports": [{"port": 80}], "gone": 1}});
        let plain = json!({"spec": {"cpu": "1", "ports": [{"port": 80}], "gone": 1}});
        let defaulted = json!({"spec": {"cpu": "1", "replicas": 1, "ports": [{"port": 80, "protocol": "TCP"}]}});
        add_defaults(&mut stored, &plain, &defaulted);
        assert_eq!(
            stored,
            json!({"spec": {"cpu": 1, "ports": [{"port": 80, "protocol": "TCP"}], "replicas": 1}})
        );
    }

    #[test]
    fn a_structural_schema_prunes_what_it_does_not_name() {
        let schema = json!({"type": "object", "properties": {
            "spec": {"type": "object", "properties": {
                "known": {"type": "string"},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                "map": {"type": "object", "additionalProperties": {"type": "string"}},
                "list": {"type": "array", "items": {"type": "object", "properties": {"a": {"type": "string"}}}},
            }},
        }});
        let mut value = json!({"spec": {"known": "x", "extra": 1, "free": {"any": {"thing": 1}},
            "map": {"k": "v"}, "list": [{"a": "1", "b": "2"}]}, "other": 1});
        let mut unknown = vec![];
        schema_unknown(&mut value, &schema, "", &mut unknown);
        assert_eq!(unknown, ["spec.extra", "spec.list[0].b", "other"]);
        assert_eq!(
            value,
            json!({"spec": {"known": "x", "free": {"any": {"thing": 1}}, "map": {"k": "v"}, "list": [{"a": "1"}]}})
        );
    }
}
