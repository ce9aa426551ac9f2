//! Typed access to the kubeless.io objects and the server configuration, on any API server.

use anyhow::Result;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};
use serde_json::Value;

use super::{Connection, Error};
use crate::runtimes;

/// The API resource of one kubeless.io kind (`Function`, `CronJobTrigger`, …).
pub fn resource(kind: &str) -> ApiResource {
    let gvk = GroupVersionKind::gvk(crate::api::GROUP, crate::api::VERSION, kind);
    ApiResource::from_gvk_with_plural(&gvk, &format!("{}s", kind.to_lowercase()))
}

pub fn api(conn: &Connection, namespace: &str, kind: &str) -> Api<DynamicObject> {
    Api::namespaced_with(conn.client.clone(), namespace, &resource(kind))
}

/// The same, from a bare client (the controller's).
pub fn api_for(client: &kube::Client, namespace: &str, kind: &str) -> Api<DynamicObject> {
    Api::namespaced_with(client.clone(), namespace, &resource(kind))
}

pub fn functions(conn: &Connection, namespace: &str) -> Api<DynamicObject> {
    api(conn, namespace, "Function")
}

/// The names of the `kind` objects in `namespace`, sorted.
pub async fn names(conn: &Connection, namespace: &str, kind: &str) -> super::Result<Vec<String>> {
    let list = api(conn, namespace, kind)
        .list(&ListParams::default())
        .await
        .map_err(|e| conn.explain(e))?;
    let mut names: Vec<String> = list.items.into_iter().filter_map(|o| o.metadata.name).collect();
    names.sort();
    Ok(names)
}

/// A DynamicObject as plain JSON.
pub fn to_value(obj: &DynamicObject) -> Value {
    serde_json::to_value(obj).expect("objects serialise")
}

pub fn from_value(value: Value) -> Result<DynamicObject> {
    Ok(serde_json::from_value(value)?)
}

/// Where the runtime catalog came from.
#[derive(Clone, Debug, PartialEq)]
pub enum CatalogSource {
    ConfigMap { namespace: String, name: String },
    BuiltIn { namespace: String, name: String },
}

/// One runtime as the catalog in use describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct CatalogEntry {
    pub name: String,
    pub dep_file: String,
    pub suffix: String,
}

pub struct Catalog {
    pub source: CatalogSource,
    pub runtimes: Vec<CatalogEntry>,
}

impl Catalog {
    pub fn built_in(namespace: String, name: String) -> Catalog {
        let runtimes = runtimes::CATALOG
            .iter()
            .map(|r| CatalogEntry {
                name: r.name(),
                dep_file: r.dep_file.into(),
                suffix: r.suffix.into(),
            })
            .collect();
        Catalog {
            source: CatalogSource::BuiltIn { namespace, name },
            runtimes,
        }
    }

    /// Finds a runtime by id, or a bare language name standing for its newest version.
    pub fn find(&self, name: &str) -> Option<&CatalogEntry> {
        self.runtimes.iter().find(|r| r.name == name).or_else(|| {
            let alias = runtimes::find(name)?.name();
            self.runtimes.iter().find(|r| r.name == alias)
        })
    }

    pub fn names(&self) -> Vec<&str> {
        self.runtimes.iter().map(|r| r.name.as_str()).collect()
    }

    /// Reads the `runtime-images` key of a `kubeless-config` ConfigMap.
    pub fn parse(text: &str, source: CatalogSource) -> Result<Catalog> {
        let runtimes = crate::api::config::runtime_images(text)
            .map_err(|e| anyhow::anyhow!(e))?
            .into_iter()
            .map(|r| CatalogEntry {
                name: r.id,
                dep_file: r.dep_file,
                suffix: r.suffix,
            })
            .collect();
        Ok(Catalog { source, runtimes })
    }
}

/// Where Kubeless keeps its configuration: `$KUBELESS_NAMESPACE`/`$KUBELESS_CONFIG`, else
/// `kubeless`/`kubeless-config`.
pub fn config_location() -> (String, String) {
    let env = |k: &str, d: &str| {
        std::env::var(k)
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| d.to_string())
    };
    (
        env("KUBELESS_NAMESPACE", "kubeless"),
        env("KUBELESS_CONFIG", "kubeless-config"),
    )
}

/// The runtime catalog of the server's `kubeless-config` ConfigMap, or the built-in one when
/// there is none (or it cannot be read).
pub async fn catalog(conn: &Connection) -> super::Result<Catalog> {
    let (namespace, name) = config_location();
    let api: Api<ConfigMap> = Api::namespaced(conn.client.clone(), &namespace);
    match api.get_opt(&name).await {
        Ok(Some(cm)) => match cm.data.as_ref().and_then(|d| d.get("runtime-images")) {
            Some(text) => Catalog::parse(
                text,
                CatalogSource::ConfigMap {
                    namespace: namespace.clone(),
                    name: name.clone(),
                },
            )
            .map_err(|e| {
                Error::failed(format!(
                    "Unable to get the runtime images: ConfigMap {namespace}/{name}: {e:#}"
                ))
            }),
            None => Ok(Catalog::built_in(namespace, name)),
        },
        Ok(None) => Ok(Catalog::built_in(namespace, name)),
        Err(kube::Error::Api(s)) if s.code == 403 => Ok(Catalog::built_in(namespace, name)),
        Err(e) => Err(conn.explain(e)),
    }
}

/// Whether the API server serves the Function kind (kfn's local engine does; a cluster does once
/// the CRDs are installed). Any answer but "not served" counts as yes.
pub async fn serves_functions(conn: &Connection) -> bool {
    let (namespace, _) = config_location();
    match functions(conn, &namespace).list(&ListParams::default().limit(1)).await {
        Err(kube::Error::Api(s)) => s.code != 404,
        _ => true,
    }
}

/// Replaces object `name` with `change(current)`. When someone else wrote it in between (409
/// Conflict: a controller writing its status, say), it is read again and `change` applied to
/// the fresh copy, a few times, so a user's update does not fail on a race it cannot see. The
/// outer error is `change`'s; the inner one the API server's.
pub async fn replace_with(
    api: &Api<DynamicObject>,
    name: &str,
    mut current: Value,
    change: impl Fn(Value) -> Result<Value>,
) -> Result<std::result::Result<DynamicObject, kube::Error>> {
    let mut attempts = 0;
    loop {
        let next = from_value(change(current)?)?;
        match api.replace(name, &Default::default(), &next).await {
            Err(kube::Error::Api(s)) if s.code == 409 && attempts < 5 => {
                attempts += 1;
                current = match api.get(name).await {
                    Ok(fresh) => to_value(&fresh),
                    Err(e) => return Ok(Err(e)),
                };
            }
            answer => return Ok(answer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kubeless_runtime_images_document_is_read() {
        let text = r#"[{"ID": "python", "depName": "requirements.txt", "fileNameSuffix": ".py",
            "versions": [{"name": "python37", "version": "3.7", "images": []}, {"name": "python38", "version": "3.8"}]},
            {"id": "nodejs", "depName": "package.json", "fileNameSuffix": ".js", "versions": [{"version": "14"}]}]"#;
        let catalog = Catalog::parse(
            text,
            CatalogSource::ConfigMap {
                namespace: "k".into(),
                name: "c".into(),
            },
        )
        .unwrap();
        assert_eq!(catalog.names(), ["python3.7", "python3.8", "nodejs14"]);
        assert_eq!(catalog.find("nodejs14").unwrap().suffix, ".js");
        assert!(
            catalog.find("python3.12").is_none(),
            "only what the server's catalog lists"
        );
    }
}
