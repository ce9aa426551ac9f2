//! The OpenAPI documents: `/openapi/v2` (JSON, and the gnostic protobuf form kubectl ≤1.26 asks
//! for) and `/openapi/v3` (the index, and one document per group/version), which `kubectl
//! explain`, `kubectl diff` and validating clients read.
//!
//! The built-in kinds' schemas are those a real API server of the test control plane's version
//! publishes (`schemas.json.gz`, written by tests/kube/openapi-schemas.py); each CRD's kinds get
//! theirs from the CRD's `openAPIV3Schema`, as a real API server builds them. Nothing is built
//! until a client asks: the documents are built on the first request and kept until the served
//! resources change (a CRD is created, changed or deleted).

mod v2;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::sync::{Arc, OnceLock};

use axum::response::Response;
use bytes::Bytes;
use http::{HeaderValue, header};
use parking_lot::Mutex;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::discovery::{KUBE_MAJOR, KUBE_MINOR};
use super::{ApiError, ApiServer, bytes_response, reviews};
use crate::engine::names::CRD_RESOURCE;
use crate::engine::resources::{Registry, ResourceDef};

/// The media type of the protobuf form of `/openapi/v2`, as clients ask for it.
const V2_PROTOBUF: &str = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
/// … and as the API server names it in its answer.
const V2_PROTOBUF_ANSWER: &str = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

const REF_PREFIX: &str = "#/components/schemas/";

/// The documents of one set of served resources, built when first asked for.
struct Docs {
    registry: Arc<Registry>,
    /// Every schema, by name, in the OpenAPI v3 form.
    schemas: BTreeMap<String, Value>,
    /// The schemas of each group/version (`api/v1`, `apis/apps/v1`), by name.
    group_versions: BTreeMap<String, BTreeSet<String>>,
    /// The paths of each group/version, in the v3 form.
    paths: BTreeMap<String, Map<String, Value>>,
    v3: OnceLock<V3>,
    v2_json: OnceLock<Bytes>,
    v2_protobuf: OnceLock<Bytes>,
}

/// The v3 index and each group/version's document, by its path (`apis/apps/v1`).
struct V3 {
    index: Bytes,
    documents: BTreeMap<String, Bytes>,
}

/// The engine's OpenAPI documents, built lazily and cached by the served resources.
#[derive(Default)]
pub struct Cache {
    docs: Mutex<Option<Arc<Docs>>>,
}

impl Cache {
    fn docs(&self, server: &ApiServer) -> Arc<Docs> {
        let registry = server.objects.registry();
        let mut docs = self.docs.lock();
        match &*docs {
            Some(d) if Arc::ptr_eq(&d.registry, &registry) => d.clone(),
            _ => {
                let (crds, _) = server.objects.store.list(CRD_RESOURCE, None);
                let built = Arc::new(Docs::build(registry, crds.iter().map(|o| &o.value)));
                *docs = Some(built.clone());
                built
            }
        }
    }
}

/// The schemas of the built-in kinds, unpacked on first use.
fn builtin_schemas() -> &'static Map<String, Value> {
    static SCHEMAS: OnceLock<Map<String, Value>> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        let mut text = String::new();
        flate2::read::GzDecoder::new(&include_bytes!("schemas.json.gz")[..])
            .read_to_string(&mut text)
            .expect("the built-in OpenAPI schemas unpack");
        serde_json::from_str(&text).expect("the built-in OpenAPI schemas are JSON")
    })
}

/// A built-in schema by its name (`io.k8s.api.core.v1.Pod`).
pub fn builtin_schema(name: &str) -> Option<&'static Value> {
    builtin_schemas().get(name)
}

/// The built-in schema of `group`/`version`/`kind`, by its `x-kubernetes-group-version-kind`.
fn builtin_schema_name(group: &str, version: &str, kind: &str) -> Option<&'static str> {
    static INDEX: OnceLock<HashMap<(String, String, String), String>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut index = HashMap::new();
        for (name, schema) in builtin_schemas() {
            for gvk in schema["x-kubernetes-group-version-kind"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let part = |f: &str| gvk[f].as_str().unwrap_or_default().to_string();
                index.insert((part("group"), part("version"), part("kind")), name.clone());
            }
        }
        index
    });
    index
        .get(&(group.to_string(), version.to_string(), kind.to_string()))
        .map(String::as_str)
}

/// The names of the schemas `value` refers to.
fn refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.insert(r.trim_start_matches(REF_PREFIX).to_string());
            }
            map.values().for_each(|v| refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// The schema name a CRD's kind gets: its group reversed, its version, its kind
/// (`io.kubeless.v1beta1.Function`).
fn crd_schema_name(group: &str, version: &str, kind: &str) -> String {
    let reversed: Vec<&str> = group.split('.').rev().collect();
    format!("{}.{version}.{kind}", reversed.join("."))
}

fn gvk(group: &str, version: &str, kind: &str) -> Value {
    json!([{"group": group, "kind": kind, "version": version}])
}

fn type_meta_properties() -> (Value, Value) {
    (
        json!({"description": "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources", "type": "string"}),
        json!({"description": "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds", "type": "string"}),
    )
}

/// The schemas of one CRD version's kind and its list, as a real API server publishes them.
fn crd_schemas(def: &ResourceDef, version: &Value) -> Vec<(String, Value)> {
    let mut schema = version
        .pointer("/schema/openAPIV3Schema")
        .cloned()
        .unwrap_or_else(|| json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}));
    let (api_version, kind) = type_meta_properties();
    if !schema["properties"].is_object() {
        schema["properties"] = json!({});
    }
    schema["properties"]["apiVersion"] = api_version.clone();
    schema["properties"]["kind"] = kind.clone();
    schema["properties"]["metadata"] = json!({"description": "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
        "allOf": [{"$ref": format!("{REF_PREFIX}io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")}]});
    if schema["type"].is_null() {
        schema["type"] = json!("object");
    }
    schema["x-kubernetes-group-version-kind"] = gvk(&def.group, &def.version, &def.kind);
    let name = crd_schema_name(&def.group, &def.version, &def.kind);
    let list = json!({
        "description": format!("{}List is a list of {}", def.kind, def.kind),
        "type": "object",
        "required": ["items"],
        "properties": {
            "apiVersion": api_version,
            "items": {"description": format!("List of {}. More info: https://git.k8s.io/community/contributors/devel/api-conventions.md", def.plural),
                "type": "array", "items": {"$ref": format!("{REF_PREFIX}{name}")}},
            "kind": kind,
            "metadata": {"description": "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
                "allOf": [{"$ref": format!("{REF_PREFIX}io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta")}]},
        },
        "x-kubernetes-group-version-kind": gvk(&def.group, &def.version, &format!("{}List", def.kind)),
    });
    vec![(name.clone(), schema), (format!("{name}List"), list)]
}

/// One operation of a path, in the v3 form: what kubectl reads from it is the kind it is for
/// (`explain` finds a resource's kind there) and its query parameters (`dryRun`,
/// `fieldValidation`: kubectl validates on the server when the PATCH takes it).
fn operation(action: &str, kind: &Value, schema_ref: &str, plural: &str) -> Value {
    let query = |name: &str| json!({"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": true}});
    let mut parameters = vec![query("pretty")];
    if matches!(action, "post" | "put" | "patch" | "delete" | "deletecollection") {
        parameters.push(query("dryRun"));
    }
    if matches!(action, "post" | "put" | "patch") {
        parameters.extend([query("fieldManager"), query("fieldValidation")]);
    }
    if action == "patch" {
        parameters.push(query("force"));
    }
    if matches!(action, "list" | "deletecollection") {
        for p in [
            "labelSelector",
            "fieldSelector",
            "limit",
            "continue",
            "resourceVersion",
            "watch",
        ] {
            parameters.push(query(p));
        }
    }
    json!({
        "description": format!("{action} {plural}"),
        "operationId": format!("{action}{}", kind["kind"].as_str().unwrap_or_default()),
        "parameters": parameters,
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": schema_ref}}}}},
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": kind,
    })
}

/// The paths of one resource: its collection, its objects, and for a namespaced resource the
/// collection across namespaces.
fn resource_paths(
    group: &str,
    version: &str,
    kind: &str,
    plural: &str,
    namespaced: bool,
    create_only: bool,
    schema: &str,
) -> Vec<(String, Value)> {
    let prefix = if group.is_empty() {
        format!("/api/{version}")
    } else {
        format!("/apis/{group}/{version}")
    };
    let gvk = json!({"group": group, "kind": kind, "version": version});
    let item_ref = format!("{REF_PREFIX}{schema}");
    let list_ref = format!("{REF_PREFIX}{schema}List");
    let op = |action: &str, r: &str| operation(action, &gvk, r, plural);
    let path_param = |name: &str| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string", "uniqueItems": true}});
    if create_only {
        return vec![(format!("{prefix}/{plural}"), json!({"post": op("post", &item_ref)}))];
    }
    let scoped = if namespaced {
        format!("{prefix}/namespaces/{{namespace}}/{plural}")
    } else {
        format!("{prefix}/{plural}")
    };
    let scope_params: Vec<Value> = if namespaced {
        vec![path_param("namespace")]
    } else {
        vec![]
    };
    let mut item_params = vec![path_param("name")];
    item_params.extend(scope_params.clone());
    let mut paths = vec![
        (
            scoped.clone(),
            json!({"get": op("list", &list_ref), "post": op("post", &item_ref),
                "delete": op("deletecollection", &item_ref), "parameters": scope_params}),
        ),
        (
            format!("{scoped}/{{name}}"),
            json!({"get": op("get", &item_ref), "put": op("put", &item_ref), "patch": op("patch", &item_ref),
                "delete": op("delete", &item_ref), "parameters": item_params}),
        ),
    ];
    if namespaced {
        paths.push((format!("{prefix}/{plural}"), json!({"get": op("list", &list_ref)})));
    }
    paths
}

/// `api/v1` or `apis/<group>/<version>`.
fn group_version_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

impl Docs {
    fn build<'a>(registry: Arc<Registry>, crds: impl Iterator<Item = &'a Value>) -> Docs {
        let builtin = builtin_schemas();
        let crds: Vec<&Value> = crds.collect();
        let mut schemas = BTreeMap::new();
        let mut group_versions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
        let mut kinds: Vec<(String, String, String, String, bool, bool)> = registry
            .all()
            .iter()
            .map(|d| {
                (
                    d.group.clone(),
                    d.version.clone(),
                    d.kind.clone(),
                    d.plural.clone(),
                    d.namespaced,
                    d.custom,
                )
            })
            .collect();
        for (group, kind, plural) in reviews::REVIEWS {
            kinds.push((
                group.to_string(),
                "v1".into(),
                kind.to_string(),
                plural.to_string(),
                false,
                false,
            ));
        }
        for (group, version, kind, plural, namespaced, custom) in kinds {
            let schema_name = if custom {
                crd_schema_name(&group, &version, &kind)
            } else {
                builtin_schema_name(&group, &version, &kind)
                    .unwrap_or_default()
                    .to_string()
            };
            let create_only = reviews::find(&group, &version, &plural).is_some();
            paths
                .entry(group_version_path(&group, &version))
                .or_default()
                .extend(resource_paths(
                    &group,
                    &version,
                    &kind,
                    &plural,
                    namespaced,
                    create_only,
                    &schema_name,
                ));
            let mut roots = Vec::new();
            if custom {
                let def = registry
                    .all()
                    .iter()
                    .find(|d| d.custom && d.group == group && d.version == version && d.kind == kind)
                    .cloned();
                let crd_version = crds.iter().find_map(|crd| {
                    (crd["spec"]["group"] == json!(group) && crd["spec"]["names"]["kind"] == json!(kind))
                        .then(|| crd["spec"]["versions"].as_array())
                        .flatten()
                        .and_then(|vs| vs.iter().find(|v| v["name"] == json!(version)))
                });
                if let (Some(def), Some(v)) = (def, crd_version) {
                    for (name, schema) in crd_schemas(&def, v) {
                        roots.push(name.clone());
                        schemas.insert(name, schema);
                    }
                }
            } else {
                for k in [kind.clone(), format!("{kind}List")] {
                    if let Some(name) = builtin_schema_name(&group, &version, &k) {
                        roots.push(name.to_string());
                    }
                }
            }
            // The schemas each root refers to, transitively, all from the built-in set.
            let gv = group_versions.entry(group_version_path(&group, &version)).or_default();
            let mut todo = roots;
            while let Some(name) = todo.pop() {
                if !gv.insert(name.clone()) {
                    continue;
                }
                let schema = match schemas.get(&name) {
                    Some(s) => s,
                    None => match builtin.get(&name) {
                        Some(s) => schemas.entry(name.clone()).or_insert_with(|| s.clone()),
                        None => continue,
                    },
                };
                let mut found = BTreeSet::new();
                refs(schema, &mut found);
                todo.extend(found.into_iter().filter(|n| !gv.contains(n)));
            }
        }
        Docs {
            registry,
            schemas,
            group_versions,
            paths,
            v3: OnceLock::new(),
            v2_json: OnceLock::new(),
            v2_protobuf: OnceLock::new(),
        }
    }

    fn info() -> Value {
        json!({"title": "Kubernetes", "version": format!("v{KUBE_MAJOR}.{KUBE_MINOR}.0")})
    }

    /// The v3 index and each group/version's document with its hash.
    fn v3(&self) -> &V3 {
        self.v3.get_or_init(|| {
            let mut documents = BTreeMap::new();
            let mut paths = Map::new();
            for (path, names) in &self.group_versions {
                let schemas: Map<String, Value> = names
                    .iter()
                    .filter_map(|n| Some((n.clone(), self.schemas.get(n)?.clone())))
                    .collect();
                let doc = json!({
                    "openapi": "3.0.0",
                    "info": Self::info(),
                    "paths": self.paths.get(path).cloned().unwrap_or_default(),
                    "components": {"schemas": schemas, "securitySchemes": {"BearerToken": {
                        "type": "apiKey", "description": "Bearer Token authentication", "name": "authorization", "in": "header"}}},
                });
                let body = Bytes::from(serde_json::to_vec(&doc).expect("JSON serialises"));
                let hash: String = Sha256::digest(&body).iter().map(|b| format!("{b:02X}")).collect();
                paths.insert(
                    path.clone(),
                    json!({"serverRelativeURL": format!("/openapi/v3/{path}?hash={hash}")}),
                );
                documents.insert(path.clone(), body);
            }
            let index = json!({ "paths": paths });
            V3 {
                index: Bytes::from(serde_json::to_vec(&index).expect("JSON serialises")),
                documents,
            }
        })
    }

    /// The v2 document: every schema, in the Swagger 2.0 form.
    fn v2_value(&self) -> Value {
        let definitions: Map<String, Value> = self
            .schemas
            .iter()
            .map(|(name, schema)| (name.clone(), v2::schema(schema)))
            .collect();
        json!({
            "swagger": "2.0",
            "info": Self::info(),
            "paths": self.paths.values().flatten().map(|(p, item)| (p.clone(), v2::path_item(item))).collect::<Map<String, Value>>(),
            "definitions": definitions,
            "securityDefinitions": {"BearerToken": {"type": "apiKey", "description": "Bearer Token authentication", "name": "authorization", "in": "header"}},
            "security": [{"BearerToken": []}],
        })
    }
}

fn typed(body: Bytes, content_type: &'static str) -> Response {
    let mut resp = bytes_response(200, body);
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

/// Answers `/openapi/...` (`rest` is the path after `openapi`).
pub fn serve(server: &ApiServer, rest: &[&str], accept: &str) -> Result<Response, ApiError> {
    match rest {
        ["v2"] => {
            let docs = server.openapi.docs(server);
            if accept.contains(V2_PROTOBUF) || accept.contains(V2_PROTOBUF_ANSWER) {
                let body = docs.v2_protobuf.get_or_init(|| v2::protobuf(&docs.v2_value()).into());
                return Ok(typed(body.clone(), V2_PROTOBUF_ANSWER));
            }
            let body = docs
                .v2_json
                .get_or_init(|| serde_json::to_vec(&docs.v2_value()).expect("JSON serialises").into());
            Ok(typed(body.clone(), "application/json"))
        }
        ["v3"] => Ok(typed(
            server.openapi.docs(server).v3().index.clone(),
            "application/json",
        )),
        ["v3", path @ ..] => {
            let docs = server.openapi.docs(server);
            let body = docs
                .v3()
                .documents
                .get(&path.join("/"))
                .ok_or_else(ApiError::no_route)?;
            Ok(typed(body.clone(), "application/json"))
        }
        _ => Err(ApiError::no_route()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::resources::Registry;

    fn kubeless_crd() -> Value {
        json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "functions.kubeless.io"},
            "spec": {"group": "kubeless.io", "scope": "Namespaced",
                "names": {"kind": "Function", "plural": "functions", "singular": "function"},
                "versions": [{"name": "v1beta1", "served": true, "storage": true,
                    "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                        "spec": {"type": "object", "description": "What the function runs.",
                            "properties": {"runtime": {"type": "string"}}}}}}}]}})
    }

    #[test]
    fn every_built_in_kind_has_its_schema() {
        let registry = Registry::build([]);
        for def in registry.all() {
            for kind in [def.kind.clone(), format!("{}List", def.kind)] {
                assert!(
                    builtin_schema_name(&def.group, &def.version, &kind).is_some(),
                    "schemas.json.gz has no schema for {} {kind}: add it to tests/kube/openapi-schemas.py and run it",
                    def.api_version()
                );
            }
        }
        for (group, kind, _) in reviews::REVIEWS {
            assert!(builtin_schema_name(group, "v1", kind).is_some(), "{kind}");
        }
    }

    #[test]
    fn documents_cover_built_in_kinds_and_crds_with_their_references() {
        let crd = kubeless_crd();
        let registry = Arc::new(Registry::build([&crd]));
        let docs = Docs::build(registry, [&crd].into_iter());
        let V3 { index, documents } = docs.v3();
        let index: Value = serde_json::from_slice(index).unwrap();
        let url = index["paths"]["apis/apps/v1"]["serverRelativeURL"].as_str().unwrap();
        assert!(url.starts_with("/openapi/v3/apis/apps/v1?hash="), "{url}");
        let apps: Value = serde_json::from_slice(&documents["apis/apps/v1"]).unwrap();
        let schemas = &apps["components"]["schemas"];
        assert_eq!(
            schemas["io.k8s.api.apps.v1.Deployment"]["x-kubernetes-group-version-kind"],
            json!([{"group": "apps", "kind": "Deployment", "version": "v1"}])
        );
        assert!(
            schemas["io.k8s.api.core.v1.PodSpec"].is_object(),
            "referenced schemas are included"
        );
        let kubeless: Value = serde_json::from_slice(&documents["apis/kubeless.io/v1beta1"]).unwrap();
        let function = &kubeless["components"]["schemas"]["io.kubeless.v1beta1.Function"];
        assert_eq!(
            function["properties"]["spec"]["properties"]["runtime"]["type"],
            "string"
        );
        assert_eq!(function["x-kubernetes-group-version-kind"][0]["kind"], "Function");
        assert!(kubeless["components"]["schemas"]["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"].is_object());
        assert!(index["paths"]["apis/authorization.k8s.io/v1"].is_object());

        let v2 = docs.v2_value();
        let spec = &v2["definitions"]["io.k8s.api.apps.v1.Deployment"]["properties"]["spec"];
        assert_eq!(spec["$ref"], "#/definitions/io.k8s.api.apps.v1.DeploymentSpec");
        assert!(spec.get("allOf").is_none() && spec.get("default").is_none());
        let int_or_string = &v2["definitions"]["io.k8s.apimachinery.pkg.util.intstr.IntOrString"];
        assert_eq!(int_or_string["type"], "string");
    }
}
