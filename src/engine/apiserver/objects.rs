//! Create, read, update, patch and delete of stored objects, with the API server's rules for
//! metadata, preconditions, finalizers, status subresources and namespaces.

use crate::api::now;
use std::sync::Arc;

use axum::response::Response;
use base64::Engine;
use bytes::{BufMut, BytesMut};
use http::Method;
use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};

use super::patch::{self, PATCH_TYPES, PatchKind};
use super::selector::{FieldSelector, labels_match, parse_label_selector};
use super::table::{self, IncludeObject};
use super::{ApiError, ApiServer, CRD_RESOURCE, ResourceRequest, bytes_response, json_response, validate, watch};
use crate::engine::resources::ResourceDef;
use crate::engine::store::{Key, Mutation, Object, Outcome};

pub async fn serve(server: &Arc<ApiServer>, req: ResourceRequest) -> Result<Response, ApiError> {
    let sub = req.subresource.as_deref();
    let has_name = req.name.is_some();
    match (&req.method, has_name, sub) {
        (&Method::GET, false, None) if req.query.flag("watch") => watch::serve(server, &req),
        (&Method::GET, false, None) => list(server, &req),
        (&Method::GET, true, None) if req.query.flag("watch") => watch::serve(server, &req),
        (&Method::GET, true, None | Some("status")) => get(server, &req),
        (&Method::GET, true, Some("log")) if req.def.group.is_empty() && req.def.plural == "pods" => {
            let pod = get_value(server, &req)?;
            super::logs::serve(server, &req, &pod)
        }
        (&Method::GET | &Method::PUT | &Method::PATCH, true, Some("scale"))
            if req.def.extra_subresources.contains(&"scale") =>
        {
            scale(server, &req)
        }
        (&Method::POST, false, None) => create(server, &req),
        (&Method::PUT, true, None | Some("status") | Some("finalize")) => update(server, &req),
        (&Method::PATCH, true, None | Some("status")) => patch(server, &req),
        (&Method::DELETE, true, None) => delete(server, &req),
        (&Method::DELETE, false, None) => delete_collection(server, &req),
        (_, true, Some(s)) if s != "status" && !req.def.extra_subresources.contains(&s) => Err(ApiError::no_route()),
        (m, _, _) => Err(ApiError::method_not_allowed(m.as_str())),
    }
}

fn key_of(def: &ResourceDef, namespace: Option<&str>, name: &str) -> Key {
    Key::new(
        &def.store_key(),
        if def.namespaced { namespace.unwrap_or("") } else { "" },
        name,
    )
}

/// The object as this resource's version presents it.
fn present(def: &ResourceDef, value: &Value) -> Value {
    let mut v = value.clone();
    if v["apiVersion"].as_str() != Some(def.api_version().as_str()) {
        v["apiVersion"] = json!(def.api_version());
    }
    v
}

fn respond_object(req: &ResourceRequest, code: u16, value: &Value) -> Response {
    if table::wants_table(&req.accept) {
        let include = IncludeObject::parse(req.query.get("includeObject"));
        let meta = json!({"resourceVersion": value["metadata"]["resourceVersion"]});
        return json_response(code, &table::table(&req.def, [value], include, meta, Timestamp::now()));
    }
    json_response(code, &present(&req.def, value))
}

fn decode_body(req: &ResourceRequest) -> Result<Value, ApiError> {
    let base = req.content_type.split(';').next().unwrap_or_default().trim();
    match base {
        "" | "application/json" | "*/*" => decode(&req.body, false),
        "application/yaml" => decode(&req.body, true),
        super::protobuf::MEDIA_TYPE => super::protobuf::decode(&req.body).map_err(|message| {
            ApiError::unsupported_media_type(base, &["application/json", "application/yaml"]).with_message(message)
        }),
        _ => Err(ApiError::unsupported_media_type(
            base,
            &["application/json", "application/yaml", super::protobuf::MEDIA_TYPE],
        )),
    }
}

/// Decodes a request body (JSON, or YAML when `yaml`), which must be an object.
fn decode(body: &[u8], yaml: bool) -> Result<Value, ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| ApiError::bad_request("the request body is not UTF-8 text"))?;
    let value: Value = if yaml {
        serde_saphyr::from_str(text)
            .map_err(|e| ApiError::bad_request(format!("the request body is not valid YAML: {e}")))?
    } else {
        serde_json::from_str(text)
            .map_err(|e| ApiError::bad_request(format!("the request body is not valid JSON: {e}")))?
    };
    if !value.is_object() {
        return Err(ApiError::bad_request("the request body must be a JSON object"));
    }
    Ok(value)
}

fn dry_run(req: &ResourceRequest) -> bool {
    req.query.get("dryRun") == Some("All")
}

fn meta_str<'a>(v: &'a Value, field: &str) -> &'a str {
    v["metadata"][field].as_str().unwrap_or_default()
}

fn get_value(server: &Arc<ApiServer>, req: &ResourceRequest) -> Result<Arc<Object>, ApiError> {
    let name = req.name.as_deref().unwrap_or_default();
    server
        .store
        .get(&key_of(&req.def, req.namespace.as_deref(), name))
        .ok_or_else(|| ApiError::not_found(&req.def.qualified(), &req.def.plural, name))
}

fn get(server: &Arc<ApiServer>, req: &ResourceRequest) -> Result<Response, ApiError> {
    Ok(respond_object(req, 200, &get_value(server, req)?.value))
}

/// Label and field selectors of a list or watch request.
pub struct Selection {
    labels: kube::core::Selector,
    fields: FieldSelector,
}

impl Selection {
    pub fn from_request(req: &ResourceRequest) -> Result<Self, ApiError> {
        let labels = parse_label_selector(req.query.get("labelSelector").unwrap_or_default())
            .map_err(|e| ApiError::bad_request(format!("unable to parse labelSelector: {e}")))?;
        let mut fields = FieldSelector::parse(req.query.get("fieldSelector").unwrap_or_default())
            .map_err(|e| ApiError::bad_request(format!("unable to parse fieldSelector: {e}")))?;
        fields
            .check_fields(&req.def.group, &req.def.plural, req.def.namespaced)
            .map_err(ApiError::bad_request)?;
        if let (Some(name), true) = (&req.name, req.query.flag("watch")) {
            fields = FieldSelector::parse(&format!("metadata.name={name}")).expect("a name is a valid selector");
        }
        Ok(Selection { labels, fields })
    }

    pub fn matches(&self, value: &Value) -> bool {
        labels_match(&self.labels, value) && self.fields.matches(value)
    }
}

fn list(server: &Arc<ApiServer>, req: &ResourceRequest) -> Result<Response, ApiError> {
    let selection = Selection::from_request(req)?;
    let (objects, rv) = server.store.list(&req.def.store_key(), req.namespace.as_deref());
    let start_after = match req.query.get("continue").filter(|c| !c.is_empty()) {
        Some(token) => Some(decode_continue(token)?),
        None => None,
    };
    let limit = req.query.limit()?;
    let mut matching = objects.iter().filter(|o| {
        start_after.as_ref().is_none_or(|(ns, name)| {
            (meta_str(&o.value, "namespace"), meta_str(&o.value, "name")) > (ns.as_str(), name.as_str())
        }) && selection.matches(&o.value)
    });
    let page: Vec<&Arc<Object>> = match limit {
        Some(l) => matching.by_ref().take(l).collect(),
        None => matching.by_ref().collect(),
    };
    let remaining = matching.count();
    let mut list_meta = json!({"resourceVersion": rv.to_string()});
    if remaining > 0
        && let Some(last) = page.last()
    {
        let token = format!(
            "{}/{}",
            meta_str(&last.value, "namespace"),
            meta_str(&last.value, "name")
        );
        list_meta["continue"] = json!(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token));
        list_meta["remainingItemCount"] = json!(remaining);
    }
    if table::wants_table(&req.accept) {
        let include = IncludeObject::parse(req.query.get("includeObject"));
        let values: Vec<&Value> = page.iter().map(|o| &o.value).collect();
        return Ok(json_response(
            200,
            &table::table(&req.def, values, include, list_meta, Timestamp::now()),
        ));
    }
    // Lists are assembled from each object's stored JSON, without re-serialising it.
    let api_version = req.def.api_version();
    let mut out = BytesMut::with_capacity(page.iter().map(|o| o.json.len() + 1).sum::<usize>() + 256);
    let head = json!({"kind": format!("{}List", req.def.kind), "apiVersion": api_version, "metadata": list_meta});
    let head = serde_json::to_string(&head).expect("JSON serialises");
    out.put_slice(&head.as_bytes()[..head.len() - 1]);
    out.put_slice(b",\"items\":[");
    for (i, o) in page.iter().enumerate() {
        if i > 0 {
            out.put_u8(b',');
        }
        if o.value["apiVersion"].as_str() == Some(api_version.as_str()) {
            out.put_slice(&o.json);
        } else {
            out.put_slice(&serde_json::to_vec(&present(&req.def, &o.value)).expect("JSON serialises"));
        }
    }
    out.put_slice(b"]}");
    Ok(bytes_response(200, out.freeze()))
}

fn decode_continue(token: &str) -> Result<(String, String), ApiError> {
    let bad = || ApiError::bad_request(format!("continue key is not valid: {token}"));
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (ns, name) = text.split_once('/').ok_or_else(bad)?;
    Ok((ns.to_string(), name.to_string()))
}

/// Checks kind and apiVersion of a request body against the resource, filling them if absent.
fn check_type(def: &ResourceDef, obj: &mut Value) -> Result<(), ApiError> {
    let av = def.api_version();
    match obj["apiVersion"].as_str() {
        None | Some("") => obj["apiVersion"] = json!(av),
        Some(given) if given != av && !(def.custom && given.split('/').next() == Some(def.group.as_str())) => {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({given}) does not match the expected API version ({av})"
            )));
        }
        Some(_) => {}
    }
    match obj["kind"].as_str() {
        None | Some("") => obj["kind"] = json!(def.kind),
        Some(given) if given != def.kind => {
            return Err(ApiError::bad_request(format!(
                "the kind in the data ({given}) does not match the expected kind ({}) for {}",
                def.kind,
                def.qualified()
            )));
        }
        Some(_) => {}
    }
    if !obj["metadata"].is_object() {
        obj["metadata"] = json!({});
    }
    Ok(())
}

/// Fills server-owned metadata of a new object and checks its name and namespace.
fn prepare_new(def: &ResourceDef, namespace: Option<&str>, obj: &mut Value) -> Result<(), ApiError> {
    check_type(def, obj)?;
    let meta = obj["metadata"].as_object_mut().expect("checked above");
    if def.namespaced {
        let url_ns = namespace.ok_or_else(|| ApiError::method_not_allowed("POST"))?;
        match meta.get("namespace").and_then(Value::as_str) {
            Some(ns) if !ns.is_empty() && ns != url_ns => {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            _ => {
                meta.insert("namespace".into(), json!(url_ns));
            }
        }
    } else {
        meta.remove("namespace");
    }
    let mut name = meta.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
    if name.is_empty()
        && let Some(prefix) = meta
            .get("generateName")
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty())
    {
        name = format!("{prefix}{}", crate::api::name_suffix());
        meta.insert("name".into(), json!(name));
    }
    if name.is_empty() {
        return Err(ApiError::invalid(
            &def.kind,
            "",
            "metadata.name",
            "Required value: name or generateName is required".into(),
        ));
    }
    let check = if def.plural == "namespaces" && def.group.is_empty() {
        validate::dns1123_label(&name)
    } else {
        validate::dns1123_subdomain(&name)
    };
    check.map_err(|detail| ApiError::invalid(&def.kind, &name, "metadata.name", detail))?;
    meta.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
    meta.insert("creationTimestamp".into(), json!(now()));
    for f in [
        "resourceVersion",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "selfLink",
    ] {
        meta.remove(f);
    }
    if def.generation {
        meta.insert("generation".into(), json!(1));
    } else {
        meta.remove("generation");
    }
    if def.status_subresource
        && def.custom
        && let Some(m) = obj.as_object_mut()
    {
        m.remove("status");
    }
    special_fields(def, obj)
}

/// Fields the API server itself maintains for some kinds.
fn special_fields(def: &ResourceDef, obj: &mut Value) -> Result<(), ApiError> {
    if def.store_key() == CRD_RESOURCE {
        crd_status(obj)?;
    } else if def.plural == "secrets" && def.group.is_empty() {
        if obj["type"].as_str().is_none_or(str::is_empty) {
            obj["type"] = json!("Opaque");
        }
    } else if def.plural == "namespaces" && def.group.is_empty() {
        if obj.pointer("/metadata/deletionTimestamp").is_none() {
            obj["status"] = json!({"phase": "Active"});
        }
        if obj.pointer("/spec/finalizers").is_none() {
            obj["spec"] = json!({"finalizers": ["kubernetes"]});
        }
    }
    Ok(())
}

/// Validates a CRD and sets its status as an API server does once the names are accepted.
fn crd_status(crd: &mut Value) -> Result<(), ApiError> {
    let name = meta_str(crd, "name").to_string();
    let spec = &crd["spec"];
    let group = spec["group"].as_str().unwrap_or_default();
    let plural = spec
        .pointer("/names/plural")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let invalid = |field: &str, detail: String| ApiError::invalid("CustomResourceDefinition", &name, field, detail);
    if group.is_empty() {
        return Err(invalid("spec.group", "Required value".into()));
    }
    if plural.is_empty() {
        return Err(invalid("spec.names.plural", "Required value".into()));
    }
    if spec
        .pointer("/names/kind")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .is_empty()
    {
        return Err(invalid("spec.names.kind", "Required value".into()));
    }
    if spec["versions"].as_array().is_none_or(Vec::is_empty) {
        return Err(invalid(
            "spec.versions",
            "Required value: must have exactly one version marked as storage version".into(),
        ));
    }
    if !["Namespaced", "Cluster"].contains(&spec["scope"].as_str().unwrap_or_default()) {
        return Err(invalid(
            "spec.scope",
            format!(
                "Unsupported value: {}: supported values: \"Cluster\", \"Namespaced\"",
                spec["scope"]
            ),
        ));
    }
    if name != format!("{plural}.{group}") {
        return Err(invalid(
            "metadata.name",
            format!("Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group"),
        ));
    }
    let t = now();
    let condition = |kind: &str, reason: &str, message: &str| json!({"type": kind, "status": "True", "lastTransitionTime": t, "reason": reason, "message": message});
    let mut accepted = spec["names"].clone();
    if accepted.get("singular").is_none_or(|s| s.as_str() == Some("")) {
        accepted["singular"] = json!(spec["names"]["kind"].as_str().unwrap_or_default().to_lowercase());
    }
    if accepted.get("listKind").is_none() {
        accepted["listKind"] = json!(format!("{}List", spec["names"]["kind"].as_str().unwrap_or_default()));
    }
    let stored: Vec<Value> = spec["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["storage"] == json!(true))
        .map(|v| v["name"].clone())
        .collect();
    crd["status"] = json!({
        "conditions": [
            condition("NamesAccepted", "NoConflicts", "no conflicts found"),
            condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
        ],
        "acceptedNames": accepted,
        "storedVersions": stored,
    });
    Ok(())
}

/// Creates an object in the store (the POST of a resource), creating its namespace on demand.
pub fn create_object(
    server: &Arc<ApiServer>,
    def: &ResourceDef,
    namespace: Option<&str>,
    mut obj: Value,
    dry_run: bool,
) -> Result<Arc<Object>, ApiError> {
    prepare_new(def, namespace, &mut obj)?;
    let name = meta_str(&obj, "name").to_string();
    if def.namespaced {
        ensure_namespace(server, namespace.unwrap_or_default(), dry_run)?;
    }
    let key = key_of(def, namespace, &name);
    let outcome = server.store.mutate(&key, dry_run, |current| match current {
        Some(_) => Err(ApiError::already_exists(&def.qualified(), &def.plural, &name)),
        None => Ok(Mutation::Put(obj)),
    })?;
    let Outcome::Created(created) = outcome else {
        return Err(ApiError::internal("create did not create"));
    };
    if !dry_run {
        after_change(server, def, &key, &Outcome::Created(created.clone()));
    }
    Ok(created)
}

fn namespaces_def(server: &ApiServer) -> Arc<ResourceDef> {
    server
        .registry()
        .find("", "v1", "namespaces")
        .expect("namespaces are built in")
}

/// Creates a namespace the first time something is put in it; refuses a terminating one.
fn ensure_namespace(server: &Arc<ApiServer>, namespace: &str, dry_run: bool) -> Result<(), ApiError> {
    let def = namespaces_def(server);
    match server.store.get(&key_of(&def, None, namespace)) {
        Some(ns) if ns.value.pointer("/metadata/deletionTimestamp").is_some() => Err(ApiError::new(
            403,
            "Forbidden",
            format!("unable to create new content in namespace {namespace} because it is being terminated"),
        )),
        Some(_) => Ok(()),
        None => {
            validate::dns1123_label(namespace)
                .map_err(|d| ApiError::invalid("Namespace", namespace, "metadata.name", d))?;
            if dry_run {
                return Ok(());
            }
            let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}});
            match create_object(server, &def, None, ns, false) {
                Ok(_) => Ok(()),
                Err(e) if e.code == 409 => Ok(()),
                Err(e) => Err(e),
            }
        }
    }
}

fn create(server: &Arc<ApiServer>, req: &ResourceRequest) -> Result<Response, ApiError> {
    let obj = decode_body(req)?;
    let created = create_object(server, &req.def, req.namespace.as_deref(), obj, dry_run(req))?;
    Ok(respond_object(req, 201, &created.value))
}

/// Without the parts that change on every write, to tell a real change from a no-op.
fn comparable(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("resourceVersion");
        if let Some(Value::Array(entries)) = meta.get_mut("managedFields") {
            for e in entries.iter_mut().filter_map(Value::as_object_mut) {
                e.remove("time");
            }
        }
    }
    v
}

fn without_meta_and_status(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("metadata");
        m.remove("status");
    }
    v
}

/// Fields only the server sets, kept from the stored object on every update.
const SERVER_FIELDS: &[&str] = &[
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
    "namespace",
];

/// Keeps the server's own metadata from `current`, and bumps the generation when anything
/// outside `metadata` and `status` changed.
fn keep_server_fields(def: &ResourceDef, next: &mut Value, current: &Value) {
    let meta = next["metadata"].as_object_mut().expect("objects have metadata");
    for field in SERVER_FIELDS {
        match current["metadata"].get(*field) {
            Some(v) => meta.insert(field.to_string(), v.clone()),
            None => meta.remove(*field),
        };
    }
    if def.generation && without_meta_and_status(next) != without_meta_and_status(current) {
        let generation = current["metadata"]["generation"].as_i64().unwrap_or(0) + 1;
        next["metadata"]["generation"] = json!(generation);
    }
}

/// Decides the stored result of an update of `current` to `incoming` (a PUT body or a patched
/// copy), enforcing the resourceVersion precondition and what clients may not change.
fn next_version(
    def: &ResourceDef,
    current: &Value,
    mut incoming: Value,
    subresource: Option<&str>,
) -> Result<Mutation, ApiError> {
    let name = meta_str(current, "name").to_string();
    check_type(def, &mut incoming)?;
    match meta_str(&incoming, "name") {
        "" => incoming["metadata"]["name"] = json!(name),
        given if given != name => {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({given}) does not match the name on the URL ({name})"
            )));
        }
        _ => {}
    }
    if def.namespaced {
        match meta_str(&incoming, "namespace") {
            "" => incoming["metadata"]["namespace"] = current["metadata"]["namespace"].clone(),
            given if given != meta_str(current, "namespace") => {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            _ => {}
        }
    }
    let given_rv = meta_str(&incoming, "resourceVersion");
    if !given_rv.is_empty() && given_rv != meta_str(current, "resourceVersion") {
        return Err(ApiError::conflict(&def.qualified(), &def.plural, &name));
    }
    let mut next = match subresource {
        Some("status") => {
            let mut next = current.clone();
            next["status"] = incoming.get("status").cloned().unwrap_or(Value::Null);
            next
        }
        _ => {
            if def.status_subresource {
                match current.get("status") {
                    Some(s) => incoming["status"] = s.clone(),
                    None => {
                        incoming.as_object_mut().map(|m| m.remove("status"));
                    }
                }
            }
            incoming
        }
    };
    keep_server_fields(def, &mut next, current);
    special_fields(def, &mut next)?;
    let finalizers_left = next["metadata"]["finalizers"].as_array().is_some_and(|f| !f.is_empty());
    if next.pointer("/metadata/deletionTimestamp").is_some() && !finalizers_left && !is_namespace(def) {
        return Ok(Mutation::Delete);
    }
    if comparable(&next) == comparable(current) {
        return Ok(Mutation::Keep);
    }
    Ok(Mutation::Put(next))
}

/// Namespaces the API server never deletes.
const PROTECTED_NAMESPACES: &[&str] = &["default", "kube-system", "kube-public"];

fn is_namespace(def: &ResourceDef) -> bool {
    def.group.is_empty() && def.plural == "namespaces"
}

fn finish(server: &Arc<ApiServer>, req: &ResourceRequest, key: &Key, outcome: Outcome) -> Result<Response, ApiError> {
    if !dry_run(req) {
        after_change(server, &req.def, key, &outcome);
    }
    match outcome {
        Outcome::Created(o) => Ok(respond_object(req, 201, &o.value)),
        Outcome::Updated(o) | Outcome::Deleted(o) | Outcome::Unchanged(Some(o)) => {
            Ok(respond_object(req, 200, &o.value))
        }
        Outcome::Unchanged(None) => Err(ApiError::not_found(
            &req.def.qualified(),
            &req.def.plural,
            req.name.as_deref().unwrap_or_default(),
        )),
    }
}

fn update(server: &Arc<ApiServer>, req: &ResourceRequest) -> Result<Response, ApiError> {
    let incoming = decode_body(req)?;
    let name = req.name.as_deref().unwrap_or_default();
    let key = key_of(&req.def, req.namespace.as_deref(), name);
    let sub = req.subresource.as_deref().filter(|s| *s == "status");
    let outcome = server.store.mutate(&key, dry_run(req), |current| {
        let current = current.ok_or_else(|| ApiError::not_found(&req.def.qualified(), &req.def.plural, name))?;
        next_version(&req.def, &current.value, incoming, sub)
    })?;
    finish(server, req, &key, outcome)
}

fn patch(server: &Arc<ApiServer>, req: &ResourceRequest) -> Result<Response, ApiError> {
    let kind = PatchKind::from_content_type(&req.content_type)
        .ok_or_else(|| ApiError::unsupported_media_type(&req.content_type, PATCH_TYPES))?;
    if kind == PatchKind::Strategic && req.def.custom {
        let accepted: Vec<&str> = PATCH_TYPES
            .iter()
            .copied()
            .filter(|t| !t.contains("strategic"))
            .collect();
        return Err(ApiError::unsupported_media_type(&req.content_type, &accepted));
    }
    let patch_doc: Value = if kind == PatchKind::Apply {
        decode(&req.body, true)?
    } else {
        let text = std::str::from_utf8(&req.body).map_err(|_| ApiError::bad_request("the patch is not UTF-8 text"))?;
        serde_json::from_str(text).map_err(|e| ApiError::bad_request(format!("the patch is not valid JSON: {e}")))?
    };
    let name = req.name.as_deref().unwrap_or_default();
    let key = key_of(&req.def, req.namespace.as_deref(), name);
    let manager = req.query.get("fieldManager").unwrap_or_default().to_string();
    if kind == PatchKind::Apply && manager.is_empty() {
        return Err(ApiError::bad_request(
            "PatchOptions.meta.k8s.io is invalid: fieldManager: Required value: is required for apply patch",
        ));
    }
    let sub = req.subresource.as_deref().filter(|s| *s == "status");
    let api_version = req.def.api_version();
    if kind == PatchKind::Apply && server.store.get(&key).is_none() {
        let mut obj = patch_doc.clone();
        check_type(&req.def, &mut obj)?;
        if meta_str(&obj, "name").is_empty() {
            obj["metadata"]["name"] = json!(name);
        } else if meta_str(&obj, "name") != name {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({}) does not match the name on the URL ({name})",
                meta_str(&obj, "name")
            )));
        }
        obj["metadata"]["managedFields"] = json!([managed_entry(&manager, &api_version, &patch_doc)]);
        match create_object(server, &req.def, req.namespace.as_deref(), obj, dry_run(req)) {
            Ok(created) => return Ok(respond_object(req, 201, &created.value)),
            Err(e) if e.code == 409 => {} // created meanwhile: apply to it below
            Err(e) => return Err(e),
        }
    }
    let outcome = server.store.mutate(&key, dry_run(req), |current| {
        let current = current.ok_or_else(|| ApiError::not_found(&req.def.qualified(), &req.def.plural, name))?;
        let mut patched = current.value.clone();
        match kind {
            PatchKind::Merge => patch::merge_patch(&mut patched, &patch_doc),
            PatchKind::Strategic => patch::strategic_merge(&mut patched, &patch_doc),
            PatchKind::Json => patch::json_patch(&mut patched, &patch_doc)
                .map_err(|e| ApiError::new(422, "Invalid", format!("the JSON patch could not be applied: {e}")))?,
            PatchKind::Apply => {
                let previous = owned_fields(&current.value, &manager);
                patch::apply(&mut patched, &patch_doc, previous.as_ref());
                set_managed_entry(&mut patched, managed_entry(&manager, &api_version, &patch_doc));
            }
        }
        if !patched.is_object() {
            return Err(ApiError::new(422, "Invalid", "the patch does not leave an object"));
        }
        next_version(&req.def, &current.value, patched, sub)
    })?;
    finish(server, req, &key, outcome)
}

fn managed_entry(manager: &str, api_version: &str, applied: &Value) -> Value {
    json!({
        "manager": manager,
        "operation": "Apply",
        "apiVersion": api_version,
        "time": now(),
        "fieldsType": "FieldsV1",
        "fieldsV1": patch::field_set(applied),
    })
}

fn owned_fields(obj: &Value, manager: &str) -> Option<Value> {
    obj.pointer("/metadata/managedFields")?
        .as_array()?
        .iter()
        .find(|e| e["manager"] == json!(manager) && e["operation"] == json!("Apply"))
        .map(|e| e["fieldsV1"].clone())
}

fn set_managed_entry(obj: &mut Value, entry: Value) {
    let meta = obj["metadata"].as_object_mut().expect("objects have metadata");
    let entries = meta.entry("managedFields").or_insert_with(|| json!([]));
    if !entries.is_array() {
        *entries = json!([]);
    }
    let list = entries.as_array_mut().expect("made an array");
    let same = |e: &Value| e["manager"] == entry["manager"] && e["operation"] == entry["operation"];
    match list.iter_mut().find(|e| same(e)) {
        Some(existing) => {
            // Keep the old timestamp when nothing else changed, so a repeated apply is a no-op.
            let mut a = existing.clone();
            let mut b = entry.clone();
            a.as_object_mut().map(|m| m.remove("time"));
            b.as_object_mut().map(|m| m.remove("time"));
            if a != b {
                *existing = entry;
            }
        }
        None => list.push(entry),
    }
}

/// Deletes one object: removed at once, or marked with a deletionTimestamp while finalizers
/// remain. Returns the outcome, for callers that cascade.
pub fn delete_object(
    server: &Arc<ApiServer>,
    def: &ResourceDef,
    key: &Key,
    preconditions: &Value,
    dry_run: bool,
) -> Result<Outcome, ApiError> {
    if is_namespace(def) && PROTECTED_NAMESPACES.contains(&key.name.as_str()) {
        return Err(ApiError::new(
            403,
            "Forbidden",
            format!(
                "namespaces \"{}\" is forbidden: this namespace may not be deleted",
                key.name
            ),
        ));
    }
    let outcome = server.store.mutate(key, dry_run, |current| {
        let current = current.ok_or_else(|| ApiError::not_found(&def.qualified(), &def.plural, &key.name))?;
        let meta = &current.value["metadata"];
        for (field, what) in [("uid", "UID"), ("resourceVersion", "ResourceVersion")] {
            if let Some(want) = preconditions.get(field).and_then(Value::as_str) {
                let have = meta[field].as_str().unwrap_or_default();
                if want != have {
                    return Err(ApiError::new(
                        409,
                        "Conflict",
                        format!("Precondition failed: {what} in precondition: {want}, {what} in object meta: {have}"),
                    ));
                }
            }
        }
        let finalizers = meta["finalizers"].as_array().is_some_and(|f| !f.is_empty());
        if finalizers || is_namespace(def) {
            if meta.get("deletionTimestamp").is_some() {
                return Ok(Mutation::Keep);
            }
            let mut next = current.value.clone();
            next["metadata"]["deletionTimestamp"] = json!(now());
            next["metadata"]["deletionGracePeriodSeconds"] = json!(0);
            if is_namespace(def) {
                next["status"] = json!({"phase": "Terminating"});
            }
            return Ok(Mutation::Put(next));
        }
        Ok(Mutation::Delete)
    })?;
    if !dry_run {
        after_change(server, def, key, &outcome);
    }
    Ok(outcome)
}

fn delete(server: &Arc<ApiServer>, req: &ResourceRequest) -> Result<Response, ApiError> {
    let options: Value = if req.body.is_empty() {
        json!({})
    } else {
        decode_body(req)?
    };
    let name = req.name.as_deref().unwrap_or_default();
    let key = key_of(&req.def, req.namespace.as_deref(), name);
    let dry = dry_run(req) || options["dryRun"].as_array().is_some_and(|d| d.contains(&json!("All")));
    let outcome = delete_object(server, &req.def, &key, &options["preconditions"], dry)?;
    match outcome {
        Outcome::Deleted(o) | Outcome::Updated(o) | Outcome::Unchanged(Some(o)) | Outcome::Created(o) => {
            Ok(respond_object(req, 200, &o.value))
        }
        Outcome::Unchanged(None) => Err(ApiError::not_found(&req.def.qualified(), &req.def.plural, name)),
    }
}

fn delete_collection(server: &Arc<ApiServer>, req: &ResourceRequest) -> Result<Response, ApiError> {
    let selection = Selection::from_request(req)?;
    let (objects, _) = server.store.list(&req.def.store_key(), req.namespace.as_deref());
    let mut deleted = Vec::new();
    for o in objects.iter().filter(|o| selection.matches(&o.value)) {
        let key = key_of(
            &req.def,
            Some(meta_str(&o.value, "namespace")),
            meta_str(&o.value, "name"),
        );
        match delete_object(server, &req.def, &key, &Value::Null, dry_run(req)) {
            Ok(Outcome::Deleted(d) | Outcome::Updated(d)) => deleted.push(present(&req.def, &d.value)),
            Ok(_) => {}
            Err(e) if e.code == 404 => {}
            Err(e) => return Err(e),
        }
    }
    let list = json!({
        "kind": format!("{}List", req.def.kind),
        "apiVersion": req.def.api_version(),
        "metadata": {"resourceVersion": server.store.resource_version().to_string()},
        "items": deleted,
    });
    Ok(json_response(200, &list))
}

/// What a change sets off elsewhere: served resources follow CRDs, dependents follow their
/// owners, namespaces empty themselves before they go.
fn after_change(server: &Arc<ApiServer>, def: &ResourceDef, key: &Key, outcome: &Outcome) {
    if key.resource == CRD_RESOURCE {
        if let Outcome::Deleted(crd) = outcome {
            delete_instances(server, &crd.value);
        }
        server.refresh_registry();
    }
    match outcome {
        Outcome::Deleted(gone) => {
            collect_dependents(server, &gone.value);
            if def.namespaced {
                finish_namespace(server, &key.namespace);
            }
        }
        Outcome::Updated(o) if is_namespace(def) && o.value.pointer("/metadata/deletionTimestamp").is_some() => {
            empty_namespace(server, &key.name);
            finish_namespace(server, &key.name);
        }
        _ => {}
    }
}

fn delete_instances(server: &Arc<ApiServer>, crd: &Value) {
    let group = crd.pointer("/spec/group").and_then(Value::as_str).unwrap_or_default();
    let plural = crd
        .pointer("/spec/names/plural")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let resource = format!("{group}/{plural}");
    let (objects, _) = server.store.list(&resource, None);
    for o in objects {
        let key = Key::new(&resource, meta_str(&o.value, "namespace"), meta_str(&o.value, "name"));
        let _ = server.store.mutate::<ApiError>(&key, false, |_| Ok(Mutation::Delete));
    }
}

/// The garbage collector's background deletion: objects owned by a deleted object go too.
fn collect_dependents(server: &Arc<ApiServer>, owner: &Value) {
    let Some(uid) = owner.pointer("/metadata/uid").and_then(Value::as_str) else {
        return;
    };
    let namespace = meta_str(owner, "namespace");
    let registry = server.registry();
    for key in server.store.keys_in_namespace(namespace) {
        let Some(obj) = server.store.get(&key) else {
            continue;
        };
        let owned = obj
            .value
            .pointer("/metadata/ownerReferences")
            .and_then(Value::as_array)
            .is_some_and(|refs| refs.iter().any(|r| r["uid"].as_str() == Some(uid)));
        if !owned {
            continue;
        }
        if let Some(def) = registry.all().iter().find(|d| d.store_key() == key.resource) {
            let _ = delete_object(server, def, &key, &Value::Null, false);
        }
    }
}

fn empty_namespace(server: &Arc<ApiServer>, namespace: &str) {
    let registry = server.registry();
    for key in server.store.keys_in_namespace(namespace) {
        if let Some(def) = registry.all().iter().find(|d| d.store_key() == key.resource) {
            let _ = delete_object(server, def, &key, &Value::Null, false);
        }
    }
}

/// Removes a terminating namespace once nothing is left in it.
fn finish_namespace(server: &Arc<ApiServer>, namespace: &str) {
    let def = namespaces_def(server);
    let key = key_of(&def, None, namespace);
    let terminating = server
        .store
        .get(&key)
        .is_some_and(|ns| ns.value.pointer("/metadata/deletionTimestamp").is_some());
    if terminating
        && server.store.keys_in_namespace(namespace).is_empty()
        && let Ok(outcome) = server.store.mutate::<ApiError>(&key, false, |_| Ok(Mutation::Delete))
    {
        collect_dependents(
            server,
            match &outcome {
                Outcome::Deleted(o) => &o.value,
                _ => return,
            },
        );
    }
}

/// Writes an object as the engine's own controllers do: created when missing, else replaced
/// whole (status included, kept from the stored object when the new value has none), with the
/// server's metadata kept and the generation bumped on spec changes.
pub fn upsert(
    server: &Arc<ApiServer>,
    def: &ResourceDef,
    namespace: Option<&str>,
    mut value: Value,
) -> Result<Arc<Object>, ApiError> {
    let name = meta_str(&value, "name").to_string();
    let key = key_of(def, namespace, &name);
    if server.store.get(&key).is_none() {
        match create_object(server, def, namespace, value.clone(), false) {
            Ok(created) => return Ok(created),
            Err(e) if e.code == 409 => {}
            Err(e) => return Err(e),
        }
    }
    check_type(def, &mut value)?;
    // The whole object is the desired one; a status it does not carry is kept.
    rewrite(server, def, namespace, &name, |current| {
        if value.get("status").is_none()
            && let Some(status) = current.get("status")
        {
            value["status"] = status.clone();
        }
        value
    })
}

/// Changes the stored object in place: `change` edits the current value (the status, the
/// replicas, …) and everything else stays as it is now, so a controller's write made from an
/// earlier read cannot undo someone else's change in between.
pub fn modify(
    server: &Arc<ApiServer>,
    def: &ResourceDef,
    namespace: Option<&str>,
    name: &str,
    change: impl FnOnce(&mut Value),
) -> Result<Arc<Object>, ApiError> {
    rewrite(server, def, namespace, name, |current| {
        let mut value = current.clone();
        change(&mut value);
        value
    })
}

/// Stores `next(current)` in one step with the current object (server fields kept, the
/// generation bumped on a spec change, nothing written when nothing changed).
fn rewrite(
    server: &Arc<ApiServer>,
    def: &ResourceDef,
    namespace: Option<&str>,
    name: &str,
    next: impl FnOnce(&Value) -> Value,
) -> Result<Arc<Object>, ApiError> {
    let key = key_of(def, namespace, name);
    let outcome = server.store.mutate::<ApiError>(&key, false, |current| {
        let current = current.ok_or_else(|| ApiError::not_found(&def.qualified(), &def.plural, name))?;
        let mut value = next(&current.value);
        keep_server_fields(def, &mut value, &current.value);
        if comparable(&value) == comparable(&current.value) {
            return Ok(Mutation::Keep);
        }
        Ok(Mutation::Put(value))
    })?;
    after_change(server, def, &key, &outcome);
    match outcome {
        Outcome::Created(o) | Outcome::Updated(o) | Outcome::Unchanged(Some(o)) | Outcome::Deleted(o) => Ok(o),
        Outcome::Unchanged(None) => Err(ApiError::not_found(&def.qualified(), &def.plural, name)),
    }
}

/// Records a Kubernetes Event about an object (shown by `kubectl get events` and `describe`).
pub fn record_event(server: &Arc<ApiServer>, object: &Value, kind_type: &str, reason: &str, message: &str) {
    let Some(def) = server.registry().find("", "v1", "events") else {
        return;
    };
    let namespace = meta_str(object, "namespace").to_string();
    let name = meta_str(object, "name").to_string();
    let t = now();
    let event = json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"generateName": format!("{name}."), "namespace": namespace},
        "involvedObject": {
            "apiVersion": object["apiVersion"], "kind": object["kind"], "name": name,
            "namespace": namespace, "uid": object["metadata"]["uid"],
        },
        "type": kind_type,
        "reason": reason,
        "message": message,
        "source": {"component": "kfn-local-engine"},
        "firstTimestamp": t,
        "lastTimestamp": t,
        "count": 1,
    });
    if let Err(e) = create_object(server, &def, Some(&namespace), event, false) {
        tracing::warn!("cannot record an event for {name}: {}", e.message);
    }
}

/// The `scale` subresource: an autoscaling/v1 Scale view of `spec.replicas`.
fn scale(server: &Arc<ApiServer>, req: &ResourceRequest) -> Result<Response, ApiError> {
    let name = req.name.as_deref().unwrap_or_default();
    let key = key_of(&req.def, req.namespace.as_deref(), name);
    let view = |o: &Value| {
        json!({
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {"name": o["metadata"]["name"], "namespace": o["metadata"]["namespace"], "uid": o["metadata"]["uid"],
                "resourceVersion": o["metadata"]["resourceVersion"], "creationTimestamp": o["metadata"]["creationTimestamp"]},
            "spec": {"replicas": o.pointer("/spec/replicas").cloned().unwrap_or(json!(1))},
            "status": {"replicas": o.pointer("/status/replicas").cloned().unwrap_or(json!(0)),
                "selector": o.pointer("/spec/selector/matchLabels").and_then(Value::as_object)
                    .map(|m| m.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default())).collect::<Vec<_>>().join(","))
                    .unwrap_or_default()},
        })
    };
    if req.method == Method::GET {
        return Ok(json_response(200, &view(&get_value(server, req)?.value)));
    }
    let body: Value = decode(&req.body, false)?;
    let outcome = server.store.mutate::<ApiError>(&key, dry_run(req), |current| {
        let current = current.ok_or_else(|| ApiError::not_found(&req.def.qualified(), &req.def.plural, name))?;
        let mut scale = view(&current.value);
        if req.method == Method::PUT {
            scale = body.clone();
        } else {
            match PatchKind::from_content_type(&req.content_type) {
                Some(PatchKind::Json) => {
                    patch::json_patch(&mut scale, &body).map_err(|e| ApiError::new(422, "Invalid", e))?
                }
                Some(PatchKind::Merge | PatchKind::Apply) => patch::merge_patch(&mut scale, &body),
                Some(PatchKind::Strategic) => patch::strategic_merge(&mut scale, &body),
                None => return Err(ApiError::unsupported_media_type(&req.content_type, PATCH_TYPES)),
            }
        }
        let replicas = scale
            .pointer("/spec/replicas")
            .and_then(Value::as_i64)
            .filter(|r| *r >= 0)
            .ok_or_else(|| {
                ApiError::invalid(
                    "Scale",
                    name,
                    "spec.replicas",
                    format!(
                        "Invalid value: {}: must be greater than or equal to 0",
                        scale["spec"]["replicas"]
                    ),
                )
            })?;
        let mut next = current.value.clone();
        next["spec"]["replicas"] = json!(replicas);
        if comparable(&next) == comparable(&current.value) {
            return Ok(Mutation::Keep);
        }
        keep_server_fields(&req.def, &mut next, &current.value);
        Ok(Mutation::Put(next))
    })?;
    if !dry_run(req) {
        after_change(server, &req.def, &key, &outcome);
    }
    match outcome {
        Outcome::Created(o) | Outcome::Updated(o) | Outcome::Unchanged(Some(o)) | Outcome::Deleted(o) => {
            Ok(json_response(200, &view(&o.value)))
        }
        Outcome::Unchanged(None) => Err(ApiError::not_found(&req.def.qualified(), &req.def.plural, name)),
    }
}
