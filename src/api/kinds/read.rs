//! Stored kubeless.io objects read as their typed kinds where one mistyped field must not make
//! the object unusable (tables, `function update`, the controller): a field of the wrong type is
//! left out and named, the rest is read. (The API server's schema refuses such fields for the
//! spec; inside the objects a Function embeds whole, and on the local engine, they can be there.)

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::ObjectError;

/// How many bad fields are left out before an object is given up.
const MAX_LEFT_OUT: usize = 8;

/// An object as kfn reads it: the kind without the fields that are wrong (each named in
/// `left_out`), or nothing when even that fails.
pub struct Read<K> {
    pub object: Option<K>,
    pub left_out: Vec<ObjectError>,
}

impl<K> Read<K> {
    /// The object, or the first problem of those that made it unreadable.
    pub fn into_result(self) -> Result<K, ObjectError> {
        match self.object {
            Some(k) => Ok(k),
            None => Err(self.left_out.into_iter().next().unwrap_or(ObjectError {
                object: "object".into(),
                problem: "it cannot be read".into(),
            })),
        }
    }

    /// One warning per problem, naming the object and the field.
    pub fn warnings(&self) -> Vec<String> {
        let shown = self.object.is_some();
        self.left_out
            .iter()
            .map(|e| {
                if shown {
                    format!("{}: {} (shown without that field)", e.object, e.problem)
                } else {
                    format!("{e} (not shown)")
                }
            })
            .collect()
    }
}

/// Reads `object` as `K`; a field that does not fit is taken out (of a copy, made only then)
/// and the object read again.
pub fn lenient<K: DeserializeOwned>(object: &Value) -> Read<K> {
    let first = match serde_path_to_error::deserialize::<_, K>(object) {
        Ok(k) => {
            return Read {
                object: Some(k),
                left_out: Vec::new(),
            };
        }
        Err(e) => e,
    };
    let mut left_out = vec![super::object_error(object, &first)];
    let mut object = object.clone();
    if !take_out(&mut object, first.path()) {
        return Read { object: None, left_out };
    }
    loop {
        let path = match serde_path_to_error::deserialize::<_, K>(&object) {
            Ok(k) => {
                return Read {
                    object: Some(k),
                    left_out,
                };
            }
            Err(e) => {
                left_out.push(super::object_error(&object, &e));
                e.path().clone()
            }
        };
        if left_out.len() > MAX_LEFT_OUT || !take_out(&mut object, &path) {
            return Read { object: None, left_out };
        }
    }
}

/// Removes the value at `path` (serde's path of a deserialisation error); false when there is
/// none to remove (the object itself is wrong, or the path leads nowhere).
fn take_out(object: &mut Value, path: &serde_path_to_error::Path) -> bool {
    use serde_path_to_error::Segment;
    let segments: Vec<&Segment> = path.iter().collect();
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let mut at = object;
    for segment in parents {
        let next = match (segment, at) {
            (Segment::Map { key }, Value::Object(map)) => map.get_mut(key.as_str()),
            (Segment::Seq { index }, Value::Array(items)) => items.get_mut(*index),
            _ => None,
        };
        match next {
            Some(v) => at = v,
            None => return false,
        }
    }
    match (last, at) {
        (Segment::Map { key }, Value::Object(map)) => map.remove(key.as_str()).is_some(),
        (Segment::Seq { index }, Value::Array(items)) if *index < items.len() => {
            items.remove(*index);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::kinds::{Function, HTTPTrigger};
    use serde_json::json;

    #[test]
    fn a_bad_field_is_left_out_and_named_and_the_rest_is_read() {
        let f = json!({"apiVersion": "kubeless.io/v1beta1", "kind": "Function",
            "metadata": {"name": "f", "namespace": "default"},
            "spec": {"handler": "h.f", "runtime": "python3.12",
                "deployment": {"spec": {"replicas": "two", "template": {"spec": {"containers": [{"env": [{"name": "A", "value": 1}]}]}}}}}});
        let read = lenient::<Function>(&f);
        let function = read.object.as_ref().expect("read without the bad fields");
        assert_eq!(function.spec.runtime, "python3.12");
        assert_eq!(function.spec.replicas(), None);
        let warnings = read.warnings();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].starts_with("Function default/f: spec.deployment.spec.replicas: invalid type"),
            "{warnings:?}"
        );
        assert!(warnings[0].ends_with("(shown without that field)"), "{warnings:?}");
        assert!(
            warnings[1].contains("spec.deployment.spec.template.spec.containers[0].env[0].value"),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_good_object_has_no_warnings_and_a_hopeless_one_is_not_shown() {
        let t = json!({"kind": "HTTPTrigger", "metadata": {"name": "h", "namespace": "default"},
            "spec": {"function-name": "f", "tls": false}});
        let read = lenient::<HTTPTrigger>(&t);
        assert_eq!(read.object.unwrap().spec.function_name, "f");
        assert!(read.left_out.is_empty());
        let read = lenient::<HTTPTrigger>(&json!("not an object"));
        assert!(read.object.is_none());
        assert_eq!(read.warnings().len(), 1);
        assert!(read.warnings()[0].ends_with("(not shown)"));
    }
}
