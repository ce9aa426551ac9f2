//! The Kubernetes protobuf encoding, for the few kinds kubectl's generators send that way
//! (`kubectl create configmap|secret|namespace` since kubectl 1.32). Decoded to the same JSON
//! the other clients send; anything else is refused with 415 and the client is told to use JSON.

use base64::Engine;
use serde_json::{Map, Value, json};

/// The media type of the encoding.
pub const MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";
const MAGIC: &[u8] = b"k8s\0";

/// One field of a protobuf message: its number and its payload.
enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Other,
}

fn varint(buf: &[u8], pos: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *buf.get(*pos)?;
        *pos += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

fn fields(buf: &[u8]) -> Option<Vec<(u64, Field<'_>)>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let tag = varint(buf, &mut pos)?;
        let field = match tag & 7 {
            0 => Field::Varint(varint(buf, &mut pos)?),
            1 => {
                pos += 8;
                Field::Other
            }
            2 => {
                let len = varint(buf, &mut pos)? as usize;
                let bytes = buf.get(pos..pos.checked_add(len)?)?;
                pos += len;
                Field::Bytes(bytes)
            }
            5 => {
                pos += 4;
                Field::Other
            }
            _ => return None,
        };
        out.push((tag >> 3, field));
    }
    (pos == buf.len()).then_some(out)
}

fn text(bytes: &[u8]) -> Option<Value> {
    Some(Value::String(std::str::from_utf8(bytes).ok()?.to_string()))
}

/// A `map<string, string>` entry (or `map<string, bytes>` with `binary`, as base64).
fn map_entry(bytes: &[u8], binary: bool) -> Option<(String, Value)> {
    let (mut key, mut value) = (String::new(), Value::String(String::new()));
    for (n, f) in fields(bytes)? {
        match (n, f) {
            (1, Field::Bytes(b)) => key = std::str::from_utf8(b).ok()?.to_string(),
            (2, Field::Bytes(b)) if binary => value = json!(base64::engine::general_purpose::STANDARD.encode(b)),
            (2, Field::Bytes(b)) => value = text(b)?,
            _ => {}
        }
    }
    Some((key, value))
}

fn insert_entry(obj: &mut Map<String, Value>, field: &str, bytes: &[u8], binary: bool) -> Option<()> {
    let (k, v) = map_entry(bytes, binary)?;
    obj.entry(field).or_insert_with(|| json!({}))[k] = v;
    Some(())
}

fn object_meta(bytes: &[u8]) -> Option<Value> {
    let mut meta = Map::new();
    for (n, f) in fields(bytes)? {
        match (n, f) {
            (1, Field::Bytes(b)) => drop(meta.insert("name".into(), text(b)?)),
            (2, Field::Bytes(b)) => drop(meta.insert("generateName".into(), text(b)?)),
            (3, Field::Bytes(b)) => drop(meta.insert("namespace".into(), text(b)?)),
            (6, Field::Bytes(b)) => drop(meta.insert("resourceVersion".into(), text(b)?)),
            (11, Field::Bytes(b)) => insert_entry(&mut meta, "labels", b, false)?,
            (12, Field::Bytes(b)) => insert_entry(&mut meta, "annotations", b, false)?,
            (14, Field::Bytes(b)) => meta
                .entry("finalizers")
                .or_insert_with(|| json!([]))
                .as_array_mut()?
                .push(text(b)?),
            _ => {}
        }
    }
    Some(Value::Object(meta))
}

/// Decodes a protobuf request body into the JSON object it stands for, when its kind is one
/// the engine reads in protobuf.
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let envelope = body
        .strip_prefix(MAGIC)
        .ok_or("the protobuf body lacks the k8s envelope")?;
    let (mut api_version, mut kind, mut raw) = (String::new(), String::new(), &[][..]);
    for (n, f) in fields(envelope).ok_or("the protobuf envelope is malformed")? {
        match (n, f) {
            (1, Field::Bytes(type_meta)) => {
                for (m, g) in fields(type_meta).ok_or("the protobuf type is malformed")? {
                    match (m, g) {
                        (1, Field::Bytes(b)) => api_version = String::from_utf8_lossy(b).into_owned(),
                        (2, Field::Bytes(b)) => kind = String::from_utf8_lossy(b).into_owned(),
                        _ => {}
                    }
                }
            }
            (2, Field::Bytes(b)) => raw = b,
            _ => {}
        }
    }
    let malformed = || format!("the protobuf {kind} is malformed");
    let mut obj = Map::new();
    obj.insert("apiVersion".into(), json!(api_version));
    obj.insert("kind".into(), json!(kind));
    for (n, f) in fields(raw).ok_or_else(malformed)? {
        let Field::Bytes(b) = f else {
            if let (Field::Varint(v), true) = (f, matches!((kind.as_str(), n), ("ConfigMap", 4) | ("Secret", 5))) {
                obj.insert("immutable".into(), json!(v != 0));
            }
            continue;
        };
        let done = match (api_version.as_str(), kind.as_str(), n) {
            (_, _, 1) => object_meta(b).map(|m| drop(obj.insert("metadata".into(), m))),
            ("v1", "ConfigMap", 2) => insert_entry(&mut obj, "data", b, false),
            ("v1", "ConfigMap", 3) => insert_entry(&mut obj, "binaryData", b, true),
            ("v1", "Secret", 2) => insert_entry(&mut obj, "data", b, true),
            ("v1", "Secret", 3) => text(b).map(|t| drop(obj.insert("type".into(), t))),
            ("v1", "Secret", 4) => insert_entry(&mut obj, "stringData", b, false),
            ("v1", "Namespace", 2) => fields(b).map(|spec| {
                let finalizers: Vec<Value> = spec
                    .into_iter()
                    .filter_map(|(m, g)| match (m, g) {
                        (1, Field::Bytes(s)) => text(s),
                        _ => None,
                    })
                    .collect();
                obj.insert("spec".into(), json!({"finalizers": finalizers}));
            }),
            ("v1", "ConfigMap" | "Secret" | "Namespace", _) => Some(()),
            _ => {
                return Err(format!(
                    "the engine reads protobuf only for ConfigMap, Secret and Namespace, not {api_version} {kind}; send JSON"
                ));
            }
        };
        done.ok_or_else(malformed)?;
    }
    Ok(Value::Object(obj))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_field(n: u64, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![((n << 3) | 2) as u8, payload.len() as u8];
        out.extend_from_slice(payload);
        out
    }

    fn entry(n: u64, k: &str, v: &[u8]) -> Vec<u8> {
        bytes_field(n, &[bytes_field(1, k.as_bytes()), bytes_field(2, v)].concat())
    }

    #[test]
    fn a_secret_from_kubectl_create_decodes_to_json() {
        let meta = [
            bytes_field(1, b"basic-auth"),
            bytes_field(3, b"default"),
            entry(11, "app", b"web"),
        ]
        .concat();
        let secret = [
            bytes_field(1, &meta),
            entry(2, "auth", b"foo:bar"),
            bytes_field(3, b"Opaque"),
        ]
        .concat();
        let type_meta = [bytes_field(1, b"v1"), bytes_field(2, b"Secret")].concat();
        let envelope = [MAGIC.to_vec(), bytes_field(1, &type_meta), bytes_field(2, &secret)].concat();
        let obj = decode(&envelope).unwrap();
        assert_eq!(
            obj,
            json!({"apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": "basic-auth", "namespace": "default", "labels": {"app": "web"}},
                "data": {"auth": "Zm9vOmJhcg=="}, "type": "Opaque"})
        );
    }

    #[test]
    fn other_kinds_and_garbage_are_refused() {
        let type_meta = [bytes_field(1, b"apps/v1"), bytes_field(2, b"Deployment")].concat();
        let envelope = [
            MAGIC.to_vec(),
            bytes_field(1, &type_meta),
            bytes_field(2, &bytes_field(2, b"x")),
        ]
        .concat();
        assert!(decode(&envelope).unwrap_err().contains("send JSON"));
        assert!(decode(b"not protobuf").is_err());
        assert!(decode(&[MAGIC, &[0x0a, 0x50]].concat()).is_err());
    }
}
