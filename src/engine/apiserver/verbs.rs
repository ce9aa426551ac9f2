//! The HTTP verbs of resources: get, list, create, update (PUT), patch, delete and delete
//! collection, with the request's rules (body types, preconditions, status subresources,
//! pagination, tables); the writes go through [`crate::engine::objects`].

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
use super::{ApiError, ApiServer, ResourceRequest, apply, bytes_response, json_response, watch};
use crate::engine::objects::builtin::{FieldCheck, warning_header};
use crate::engine::objects::{
    check_type, comparable, create_object, delete_object, is_namespace, keep_server_fields, key_of, meta_str,
    special_fields,
};
use crate::engine::resources::ResourceDef;
use crate::engine::store::{Mutation, Object, Outcome};

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
            super::scale::serve(server, &req)
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

/// The object as this resource's version presents it.
pub(super) fn present(def: &ResourceDef, value: &Value) -> Value {
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
pub(super) fn decode(body: &[u8], yaml: bool) -> Result<Value, ApiError> {
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

pub(super) fn dry_run(req: &ResourceRequest) -> bool {
    req.query.get("dryRun") == Some("All")
}

pub(super) fn get_value(server: &Arc<ApiServer>, req: &ResourceRequest) -> Result<Arc<Object>, ApiError> {
    let name = req.name.as_deref().unwrap_or_default();
    server
        .objects
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
    let (objects, rv) = server
        .objects
        .store
        .list(&req.def.store_key(), req.namespace.as_deref());
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

fn create(server: &Arc<ApiServer>, req: &ResourceRequest) -> Result<Response, ApiError> {
    let fields = field_check(server, req, "CreateOptions")?;
    let obj = decode_body(req)?;
    let warnings = fields.check(&req.def, &obj, json_body(req))?;
    let created = create_object(&server.objects, &req.def, req.namespace.as_deref(), obj, dry_run(req))?;
    Ok(with_warnings(respond_object(req, 201, &created.value), &warnings))
}

/// The request's `fieldValidation` (`options` names the request's options kind).
fn field_check(server: &Arc<ApiServer>, req: &ResourceRequest, options: &str) -> Result<FieldCheck, ApiError> {
    FieldCheck::new(&server.objects, &req.def, req.query.get("fieldValidation"), options)
}

/// The body when it is JSON, where duplicate fields are looked for.
fn json_body(req: &ResourceRequest) -> Option<&[u8]> {
    let base = req.content_type.split(';').next().unwrap_or_default().trim();
    matches!(
        base,
        "" | "application/json" | "application/merge-patch+json" | "application/strategic-merge-patch+json"
    )
    .then_some(&req.body[..])
}

/// The response with one `Warning` header per warning, as the API server sends them.
fn with_warnings(mut resp: Response, warnings: &[String]) -> Response {
    for w in warnings {
        if let Ok(v) = http::HeaderValue::from_str(&warning_header(w)) {
            resp.headers_mut().append(http::header::WARNING, v);
        }
    }
    resp
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

fn finish(req: &ResourceRequest, outcome: Outcome) -> Result<Response, ApiError> {
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
    let fields = field_check(server, req, "UpdateOptions")?;
    let incoming = decode_body(req)?;
    let warnings = fields.check(&req.def, &incoming, json_body(req))?;
    let name = req.name.as_deref().unwrap_or_default();
    let key = key_of(&req.def, req.namespace.as_deref(), name);
    let sub = req.subresource.as_deref().filter(|s| *s == "status");
    let outcome = server.objects.mutate(&req.def, &key, dry_run(req), |current| {
        let current = current.ok_or_else(|| ApiError::not_found(&req.def.qualified(), &req.def.plural, name))?;
        next_version(&req.def, &current.value, incoming, sub)
    })?;
    finish(req, outcome).map(|r| with_warnings(r, &warnings))
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
    let fields = field_check(server, req, "PatchOptions")?;
    if kind == PatchKind::Apply {
        FieldCheck::check_apply(&req.def, &patch_doc, &fields)?;
    }
    let mut warnings = vec![];
    if kind == PatchKind::Apply && server.objects.store.get(&key).is_none() {
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
        obj["metadata"]["managedFields"] = json!([apply::managed_entry(&manager, &api_version, &patch_doc)]);
        let warnings = fields.check(&req.def, &obj, None)?;
        match create_object(&server.objects, &req.def, req.namespace.as_deref(), obj, dry_run(req)) {
            Ok(created) => return Ok(with_warnings(respond_object(req, 201, &created.value), &warnings)),
            Err(e) if e.code == 409 => {} // created meanwhile: apply to it below
            Err(e) => return Err(e),
        }
    }
    let outcome = server.objects.mutate(&req.def, &key, dry_run(req), |current| {
        let current = current.ok_or_else(|| ApiError::not_found(&req.def.qualified(), &req.def.plural, name))?;
        let mut patched = current.value.clone();
        match kind {
            PatchKind::Merge => patch::merge_patch(&mut patched, &patch_doc),
            PatchKind::Strategic => patch::strategic_merge(&mut patched, &patch_doc),
            PatchKind::Json => patch::json_patch(&mut patched, &patch_doc)
                .map_err(|e| ApiError::new(422, "Invalid", format!("the JSON patch could not be applied: {e}")))?,
            PatchKind::Apply => {
                let previous = apply::owned_fields(&current.value, &manager);
                patch::apply(&mut patched, &patch_doc, previous.as_ref());
                apply::set_managed_entry(&mut patched, apply::managed_entry(&manager, &api_version, &patch_doc));
            }
        }
        if !patched.is_object() {
            return Err(ApiError::new(422, "Invalid", "the patch does not leave an object"));
        }
        warnings = fields.check_patched(&req.def, &patched, json_body(req).filter(|_| kind != PatchKind::Json))?;
        next_version(&req.def, &current.value, patched, sub)
    })?;
    finish(req, outcome).map(|r| with_warnings(r, &warnings))
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
    let outcome = delete_object(&server.objects, &req.def, &key, &options["preconditions"], dry)?;
    match outcome {
        Outcome::Deleted(o) | Outcome::Updated(o) | Outcome::Unchanged(Some(o)) | Outcome::Created(o) => {
            Ok(respond_object(req, 200, &o.value))
        }
        Outcome::Unchanged(None) => Err(ApiError::not_found(&req.def.qualified(), &req.def.plural, name)),
    }
}

fn delete_collection(server: &Arc<ApiServer>, req: &ResourceRequest) -> Result<Response, ApiError> {
    let selection = Selection::from_request(req)?;
    let (objects, _) = server
        .objects
        .store
        .list(&req.def.store_key(), req.namespace.as_deref());
    let mut deleted = Vec::new();
    for o in objects.iter().filter(|o| selection.matches(&o.value)) {
        let key = key_of(
            &req.def,
            Some(meta_str(&o.value, "namespace")),
            meta_str(&o.value, "name"),
        );
        match delete_object(&server.objects, &req.def, &key, &Value::Null, dry_run(req)) {
            Ok(Outcome::Deleted(d) | Outcome::Updated(d)) => deleted.push(present(&req.def, &d.value)),
            Ok(_) => {}
            Err(e) if e.code == 404 => {}
            Err(e) => return Err(e),
        }
    }
    let list = json!({
        "kind": format!("{}List", req.def.kind),
        "apiVersion": req.def.api_version(),
        "metadata": {"resourceVersion": server.objects.store.resource_version().to_string()},
        "items": deleted,
    });
    Ok(json_response(200, &list))
}
