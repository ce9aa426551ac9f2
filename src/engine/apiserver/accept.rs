//! The response's media type, from the request's `Accept` as the real server negotiates it:
//! JSON, YAML, a Table (`as=Table`), or only the objects' metadata
//! (`as=PartialObjectMetadata[List];g=meta.k8s.io;v=v1|v1beta1`).

use serde_json::{Value, json};

use super::ApiError;
use crate::engine::resources::ResourceDef;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
    Table,
    /// `PartialObjectMetadata` or `PartialObjectMetadataList` of this `meta.k8s.io` version.
    Partial {
        list: bool,
        version: &'static str,
    },
}

/// The media types the engine can answer with, as the real server lists them.
const AVAILABLE: &str = "application/json, application/yaml, application/vnd.kubernetes.protobuf";

/// The first media range of `accept` (by `q`, then order) the engine can serve, or the real
/// server's 406. Protobuf is answered with JSON (clients read the response's Content-Type).
pub fn negotiate(accept: &str) -> Result<Format, ApiError> {
    let mut ranges: Vec<(f32, usize, &str)> = accept
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .enumerate()
        .map(|(i, r)| {
            let q = params(r)
                .find(|(k, _)| *k == "q")
                .and_then(|(_, v)| v.parse::<f32>().ok())
                .unwrap_or(1.0);
            (q, i, r)
        })
        .filter(|(q, _, _)| *q > 0.0)
        .collect();
    if ranges.is_empty() {
        return Ok(Format::Json);
    }
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, _, range) in ranges {
        if let Some(format) = one(range) {
            return Ok(format);
        }
    }
    Err(ApiError::new(
        406,
        "NotAcceptable",
        format!("406: Not Acceptable\n\nAvailable representations: {AVAILABLE}"),
    )
    .with_details(json!({})))
}

fn params(range: &str) -> impl Iterator<Item = (&str, &str)> {
    range.split(';').skip(1).filter_map(|p| {
        let (k, v) = p.split_once('=')?;
        Some((k.trim(), v.trim().trim_matches('"')))
    })
}

fn one(range: &str) -> Option<Format> {
    let media = range.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let get = |name: &str| params(range).find(|(k, _)| *k == name).map(|(_, v)| v);
    let json_like = matches!(
        media.as_str(),
        "application/json" | "application/*" | "*/*" | "application/vnd.kubernetes.protobuf"
    );
    if let Some(kind) = get("as") {
        if !json_like || get("g") != Some("meta.k8s.io") {
            return None;
        }
        let version = match get("v") {
            Some("v1") => "v1",
            Some("v1beta1") => "v1beta1",
            _ => return None,
        };
        return match kind {
            "Table" => Some(Format::Table),
            "PartialObjectMetadata" => Some(Format::Partial { list: false, version }),
            "PartialObjectMetadataList" => Some(Format::Partial { list: true, version }),
            _ => None,
        };
    }
    match media.as_str() {
        "application/yaml" => Some(Format::Yaml),
        _ if json_like => Some(Format::Json),
        _ => None,
    }
}

/// The real server's 406 when a list's metadata was asked of one object, or the other way.
pub fn partial_mismatch(def: &ResourceDef, wanted_list: bool) -> ApiError {
    let package = if def.custom {
        "unstructured".to_string()
    } else if def.group.is_empty() {
        "core".to_string()
    } else {
        def.group.split('.').next().unwrap_or_default().to_string()
    };
    let message = if wanted_list {
        let type_name = if def.custom {
            "*unstructured.Unstructured".to_string()
        } else {
            format!("*{package}.{}", def.kind)
        };
        format!("you requested PartialObjectMetadataList, but the requested object is not a list ({type_name})")
    } else {
        let type_name = if def.custom {
            "*unstructured.UnstructuredList".to_string()
        } else {
            format!("*{package}.{}List", def.kind)
        };
        format!("you requested PartialObjectMetadata, but the requested object is a list ({type_name})")
    };
    ApiError::new(406, "NotAcceptable", message)
}

/// An object as `PartialObjectMetadata`: its metadata only.
pub fn partial(value: &Value, version: &str) -> Value {
    json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": format!("meta.k8s.io/{version}"),
        "metadata": value["metadata"],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_headers_negotiate_as_on_the_real_server() {
        assert_eq!(negotiate("").unwrap(), Format::Json);
        assert_eq!(negotiate("application/yaml").unwrap(), Format::Yaml);
        assert_eq!(
            negotiate("application/json;as=Table;v=v1;g=meta.k8s.io,application/json").unwrap(),
            Format::Table
        );
        assert_eq!(
            negotiate("application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1beta1").unwrap(),
            Format::Partial {
                list: true,
                version: "v1beta1"
            }
        );
        assert_eq!(
            negotiate("application/json;as=Other;g=meta.k8s.io;v=v1, application/yaml").unwrap(),
            Format::Yaml
        );
        assert_eq!(negotiate("text/html").unwrap_err().code, 406);
        assert_eq!(
            negotiate("text/html;q=0.9, application/json;q=0.1").unwrap(),
            Format::Json
        );
    }
}
