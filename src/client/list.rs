//! Lists read into a typed view of only the fields a command shows: the items are decoded
//! straight from the response text, so the fields the view does not name (a Function's code,
//! a Deployment's pod template) are skipped, not copied. An item with a field of the wrong type
//! is read leniently ([`crate::api::kinds::lenient`]): that field is left out and named.

use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{Connection, Error, Result};
use crate::api::kinds::{Read, lenient};

/// The items of a list response.
#[derive(Deserialize)]
struct Items<T> {
    #[serde(default = "Vec::new")]
    items: Vec<T>,
}

/// The `resource` objects in `namespace` (all namespaces when `None`) that `params` selects,
/// each read as `T`.
pub async fn list<T: DeserializeOwned>(
    conn: &Connection,
    resource: &ApiResource,
    namespace: Option<&str>,
    params: &ListParams,
) -> Result<Vec<Read<T>>> {
    let api: Api<DynamicObject> = match namespace {
        Some(ns) => Api::namespaced_with(conn.client.clone(), ns, resource),
        None => Api::all_with(conn.client.clone(), resource),
    };
    let request = kube::core::Request::new(api.resource_url())
        .list(params)
        .map_err(|e| conn.explain(kube::Error::BuildRequest(e)))?;
    let text = conn.client.request_text(request).await.map_err(|e| conn.explain(e))?;
    read_items(&text).map_err(|e| Error::failed(format!("the list of {} is not valid JSON: {e}", resource.plural)))
}

/// Reads a list response's items as `T`: all at once when they fit, else each one leniently.
fn read_items<T: DeserializeOwned>(text: &str) -> serde_json::Result<Vec<Read<T>>> {
    if let Ok(list) = serde_json::from_str::<Items<T>>(text) {
        let whole = |object| Read {
            object: Some(object),
            left_out: Vec::new(),
        };
        return Ok(list.items.into_iter().map(whole).collect());
    }
    let list: Items<Value> = serde_json::from_str(text)?;
    Ok(list.items.iter().map(lenient).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Named {
        #[serde(default)]
        name: String,
        #[serde(default)]
        size: u32,
    }

    #[test]
    fn items_are_read_typed_and_a_mistyped_field_is_left_out_of_its_item_alone() {
        let fine = r#"{"kind": "List", "items": [{"name": "a", "size": 1, "code": "big"}, {"name": "b"}]}"#;
        let read = read_items::<Named>(fine).unwrap();
        let names: Vec<&str> = read.iter().map(|r| r.object.as_ref().unwrap().name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert!(read.iter().all(|r| r.left_out.is_empty()));

        let one_bad = r#"{"items": [{"name": "a", "size": "x"}, {"name": "b", "size": 2}]}"#;
        let read = read_items::<Named>(one_bad).unwrap();
        assert_eq!(
            read[0].object,
            Some(Named {
                name: "a".into(),
                size: 0
            })
        );
        assert_eq!(read[0].left_out.len(), 1, "size is named");
        assert_eq!(read[1].object.as_ref().unwrap().size, 2);
        assert!(read[1].left_out.is_empty());

        assert!(read_items::<Named>("{}").unwrap().is_empty(), "no items");
        assert!(read_items::<Named>("not json").is_err());
    }
}
