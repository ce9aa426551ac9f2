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

use super::accept::{self, Format};
use super::patch::{self, PATCH_TYPES, PatchKind};
use super::query::{self, ListVersion};
use super::selector::{FieldSelector, labels_match, parse_label_selector};
use super::table::{self, IncludeObject};
use super::{ApiError, ApiServer, ResourceRequest, apply, bytes_response, json_response, watch, yaml_response};
use crate::engine::objects::builtin::{FieldCheck, warning_header};
use crate::engine::objects::{
    check_new_finalizers, check_type, comparable, create_object, delete_with, is_namespace, keep_server_fields, key_of,
    meta_str, special_fields,
};
use crate::engine::resources::ResourceDef;
use crate::engine::store::{Mutation, Object, Outcome, Page, PageRequest, Snapshot};

pub async fn serve(server: &Arc<ApiServer>, req: ResourceRequest) -> Result<Response, ApiError> {
    let sub = req.subresource.as_deref();
    let has_name = req.name.is_some();
    query::check(&req)?;
    if sub == Some("status") && !req.def.status_subresource {
        // As on the real server: a kind without a status subresource has no `/status` path
        // (a custom resource's answer names the object).
        return Err(if req.def.custom {
            ApiError::not_found(
                &req.def.qualified(),
                &req.def.plural,
                req.name.as_deref().unwrap_or_default(),
            )
        } else {
            ApiError::no_route()
        });
    }
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
        (&Method::POST, true, Some("token")) if req.def.extra_subresources.contains(&"token") => {
            super::tokens::serve(server, &req)
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

/// The response's format (checked in [`serve`], so a bad `Accept` never gets here).
fn format(req: &ResourceRequest) -> Format {
    accept::negotiate(&req.accept).unwrap_or(Format::Json)
}

/// A response body in JSON or, when the client asked for it, YAML.
fn render(req: &ResourceRequest, code: u16, value: &Value) -> Response {
    match format(req) {
        Format::Yaml => yaml_response(code, value),
        _ => json_response(code, value),
    }
}

fn respond_object(req: &ResourceRequest, code: u16, value: &Value) -> Result<Response, ApiError> {
    match format(req) {
        Format::Table => {
            let include = IncludeObject::parse(req.query.get("includeObject"));
            let meta = json!({"resourceVersion": value["metadata"]["resourceVersion"]});
            Ok(json_response(
                code,
                &table::table(&req.def, [value], include, meta, Timestamp::now()),
            ))
        }
        Format::Partial { list: true, .. } => Err(accept::partial_mismatch(&req.def, true)),
        Format::Partial { list: false, version } => Ok(json_response(code, &accept::partial(value, version))),
        _ => Ok(render(req, code, &present(&req.def, value))),
    }
}

fn decode_body(req: &ResourceRequest) -> Result<Value, ApiError> {
    decode_content(&req.content_type, &req.body)
}

/// Decodes a request body of the given Content-Type (JSON, YAML or protobuf).
pub(super) fn decode_content(content_type: &str, body: &[u8]) -> Result<Value, ApiError> {
    let base = content_type.split(';').next().unwrap_or_default().trim();
    match base {
        "" | "application/json" | "*/*" => decode(body, false),
        "application/yaml" => decode(body, true),
        super::protobuf::MEDIA_TYPE => super::protobuf::decode(body).map_err(|refusal| {
            if refusal.unsupported {
                ApiError::unsupported_media_type(base, &["application/json", "application/yaml"])
                    .with_message(refusal.message)
            } else {
                ApiError::bad_request(refusal.message)
            }
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
    !req.query.all("dryRun").is_empty()
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
    if let Some(at_least) = query::check_get(&req.query)? {
        let current = server.objects.store.resource_version();
        if at_least > current {
            return Err(query::too_large(at_least, current));
        }
    }
    respond_object(req, 200, &get_value(server, req)?.value)
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
            fields = FieldSelector::name(name);
        }
        Ok(Selection { labels, fields })
    }

    pub fn matches(&self, value: &Value) -> bool {
        labels_match(&self.labels, value) && self.fields.matches(value)
    }
}

/// Where a continued list goes on: the snapshot's resourceVersion (`-1`: the newest data) and
/// the namespace and name it starts after.
struct Continue {
    rv: i64,
    namespace: String,
    name: String,
}

/// The page a list reads: at the version it asks for (or its first page's), after its continue
/// key, up to its limit; the real server's 410 or 504 when the store cannot show it.
fn read_page(
    server: &Arc<ApiServer>,
    req: &ResourceRequest,
    version: ListVersion,
    continued: Option<&Continue>,
    selection: &Selection,
) -> Result<Page, Box<Response>> {
    let store = &server.objects.store;
    let resource = req.def.store_key();
    let at = match (continued, version) {
        (Some(c), _) if c.rv > 0 => Some(c.rv as u64),
        (Some(_), _) | (None, ListVersion::Latest | ListVersion::Any | ListVersion::NotOlderThan(_)) => None,
        (None, ListVersion::Exact(n)) => Some(n),
    };
    // As on the real server, a list at any version (`resourceVersion=0`) is not paged, nor one
    // of a single name (`metadata.name=`) in a namespace or of a cluster-scoped kind, which it
    // reads as that one key.
    let one_name = selection.fields.pinned_name().is_some() && (req.namespace.is_some() || !req.def.namespaced);
    let limit = match version {
        _ if continued.is_none() && one_name => None,
        ListVersion::Any if continued.is_none() => None,
        _ => req.query.limit().ok().flatten(),
    };
    // As on the real server, the count is given only when no selector filters the list.
    let unfiltered = ["labelSelector", "fieldSelector"]
        .iter()
        .all(|p| req.query.get(p).is_none_or(str::is_empty));
    let request = PageRequest {
        resource: &resource,
        namespace: req.namespace.as_deref(),
        after: continued.map(|c| (c.namespace.as_str(), c.name.as_str())),
        at,
        limit,
        count_rest: unfiltered,
    };
    let page = store.page(&request, |o| selection.matches(&o.value));
    match page {
        Ok(page) => {
            if let ListVersion::NotOlderThan(n) = version
                && continued.is_none()
                && n > page.rv
            {
                return Err(Box::new(super::error_response(&query::too_large(n, page.rv))));
            }
            Ok(page)
        }
        Err(Snapshot::TooNew(current)) => {
            let asked = at.unwrap_or_default();
            Err(Box::new(super::error_response(&query::too_large(asked, current))))
        }
        Err(Snapshot::TooOld) => match continued {
            // As on the real server: the continue token is too old, and a fresh one (without a
            // snapshot) lets the client read the rest from the newest data.
            Some(c) => {
                let mut status = ApiError::gone(
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.".into(),
                )
                .to_status();
                status["metadata"] =
                    json!({"continue": encode_continue(-1, &c.namespace, &c.name, req.namespace.is_some())});
                Err(Box::new(json_response(410, &status)))
            }
            None => Err(Box::new(super::error_response(&ApiError::gone(
                "The resourceVersion for the provided list is too old.".into(),
            )))),
        },
    }
}

fn list(server: &Arc<ApiServer>, req: &ResourceRequest) -> Result<Response, ApiError> {
    let version = query::check_list(&req.query)?;
    let selection = Selection::from_request(req)?;
    let format = format(req);
    if let Format::Partial { list: false, .. } = format {
        return Err(accept::partial_mismatch(&req.def, false));
    }
    let continued = match req.query.get("continue").filter(|c| !c.is_empty()) {
        Some(token) => Some(decode_continue(token, req.namespace.as_deref())?),
        None => None,
    };
    let found = match read_page(server, req, version, continued.as_ref(), &selection) {
        Ok(found) => found,
        Err(response) => return Ok(*response),
    };
    let page = &found.items;
    let mut list_meta = json!({"resourceVersion": found.rv.to_string()});
    if found.more
        && let Some(last) = page.last()
    {
        // A continued list reads the same snapshot as its first page.
        list_meta["continue"] = json!(encode_continue(
            found.rv as i64,
            meta_str(&last.value, "namespace"),
            meta_str(&last.value, "name"),
            req.namespace.is_some(),
        ));
        if let Some(remaining) = found.remaining {
            list_meta["remainingItemCount"] = json!(remaining);
        }
    }
    match format {
        Format::Table => {
            let include = IncludeObject::parse(req.query.get("includeObject"));
            let values: Vec<&Value> = page.iter().map(|o| &o.value).collect();
            return Ok(json_response(
                200,
                &table::table(&req.def, values, include, list_meta, Timestamp::now()),
            ));
        }
        Format::Partial { version, .. } => {
            let items: Vec<Value> = page.iter().map(|o| accept::partial(&o.value, version)).collect();
            let list = json!({
                "kind": "PartialObjectMetadataList",
                "apiVersion": format!("meta.k8s.io/{version}"),
                "metadata": list_meta,
                "items": items,
            });
            return Ok(json_response(200, &list));
        }
        Format::Yaml => {
            let items: Vec<Value> = page.iter().map(|o| present(&req.def, &o.value)).collect();
            let list = json!({
                "kind": format!("{}List", req.def.kind),
                "apiVersion": req.def.api_version(),
                "metadata": list_meta,
                "items": items,
            });
            return Ok(yaml_response(200, &list));
        }
        Format::Json => {}
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

/// A continue token as the real server writes it: base64 (URL-safe, unpadded) of
/// `{"v":"meta.k8s.io/v1","rv":<snapshot>,"start":"<key after the page>\u0000"}`.
fn encode_continue(rv: i64, namespace: &str, name: &str, in_namespace: bool) -> String {
    let start = if in_namespace || namespace.is_empty() {
        format!("/{name}\u{0}")
    } else {
        format!("{namespace}/{name}\u{0}")
    };
    let token = json!({"v": "meta.k8s.io/v1", "rv": rv, "start": start});
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token.to_string())
}

fn decode_continue(token: &str, namespace: Option<&str>) -> Result<Continue, ApiError> {
    let bad = |why: String| ApiError::bad_request(format!("invalid continue token: continue key is not valid: {why}"));
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim_end_matches('='))
        .map_err(|e| bad(format!("illegal base64 data ({e})")))?;
    let value: Value = serde_json::from_slice(&raw).map_err(|e| bad(e.to_string()))?;
    if value["v"] != json!("meta.k8s.io/v1") {
        return Err(bad(format!(
            "server does not recognize this encoded version {}",
            query::go_quote(value["v"].as_str().unwrap_or_default())
        )));
    }
    let rv = value["rv"]
        .as_i64()
        .filter(|rv| *rv != 0)
        .ok_or_else(|| bad("incorrect encoded start resourceVersion (version meta.k8s.io/v1)".into()))?;
    let start = value["start"]
        .as_str()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad("encoded start key empty (version meta.k8s.io/v1)".into()))?;
    let key = start.trim_end_matches('\u{0}');
    let key = key.strip_prefix('/').unwrap_or(key);
    let (ns, name) = match namespace {
        Some(ns) => (ns, key),
        None => key.split_once('/').unwrap_or(("", key)),
    };
    if name.contains('/') || name == ".." {
        return Err(bad(start.to_string()));
    }
    Ok(Continue {
        rv,
        namespace: ns.to_string(),
        name: name.to_string(),
    })
}

fn create(server: &Arc<ApiServer>, req: &ResourceRequest) -> Result<Response, ApiError> {
    let fields = field_check(server, req, "CreateOptions")?;
    let mut obj = decode_body(req)?;
    let warnings = fields.check(&req.def, &obj, json_body(req))?;
    let dry = dry_run(req);
    apply::record_update(
        &mut obj,
        None,
        &manager(req),
        &req.def.api_version(),
        None,
        req.def.status_subresource,
    );
    if let Some(escalation) = escalation(server, req) {
        escalation.check(&obj, None)?;
    }
    let created = create_object(&server.objects, &req.def, req.namespace.as_deref(), obj, dry)?;
    respond_object(req, 201, &dry_run_version(dry, &created.value, None)).map(|r| with_warnings(r, &warnings))
}

/// RBAC's escalation check for what `req` writes, when it writes a Role, ClusterRole or a
/// binding (src/engine/auth/escalation.rs); read before the store is locked.
fn escalation(server: &Arc<ApiServer>, req: &ResourceRequest) -> Option<crate::engine::auth::Escalation> {
    server.auth.escalation(
        &server.objects,
        &req.user,
        &req.def.group,
        &req.def.plural,
        req.namespace.as_deref().unwrap_or_default(),
        req.name.as_deref().unwrap_or_default(),
    )
}

/// [`next_recorded`], refused by RBAC's escalation check when it escalates.
fn checked(
    escalation: Option<&crate::engine::auth::Escalation>,
    current: &Value,
    next: Result<Mutation, ApiError>,
) -> Result<Mutation, ApiError> {
    if let (Some(escalation), Ok(Mutation::Put(next))) = (escalation, &next) {
        escalation.check(next, Some(current))?;
    }
    next
}

/// The field manager of a write (see [`apply::manager_of`]).
fn manager(req: &ResourceRequest) -> String {
    apply::manager_of(req.query.get("fieldManager"), &req.user_agent)
}

/// [`next_version`], with the write recorded in the managed fields as an `Update` by
/// `manager` (an apply records its own entry before).
fn next_recorded(
    req: &ResourceRequest,
    current: &Value,
    incoming: Value,
    subresource: Option<&str>,
    manager: Option<&str>,
    deleted_as: &mut Option<Value>,
) -> Result<Mutation, ApiError> {
    let next = next_version(&req.def, current, incoming, subresource, deleted_as)?;
    Ok(match next {
        Mutation::Put(mut next) if let Some(manager) = manager => {
            let (def, api_version) = (&req.def, req.def.api_version());
            apply::record_update(
                &mut next,
                Some(current),
                manager,
                &api_version,
                subresource,
                def.status_subresource,
            );
            if comparable(&next) == comparable(current) {
                Mutation::Keep
            } else {
                Mutation::Put(next)
            }
        }
        other => other,
    })
}

/// A dry run's answer as the real server gives it: a created object has no resourceVersion,
/// an updated one keeps the one it had (`before`).
fn dry_run_version(dry: bool, value: &Value, before: Option<&str>) -> Value {
    let mut value = value.clone();
    if dry && let Some(meta) = value["metadata"].as_object_mut() {
        match before {
            Some(rv) => meta.insert("resourceVersion".into(), json!(rv)),
            None => meta.remove("resourceVersion"),
        };
    }
    value
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
    deleted_as: &mut Option<Value>,
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
    check_new_finalizers(def, current, &next)?;
    special_fields(def, &mut next)?;
    let finalizers_left = next["metadata"]["finalizers"].as_array().is_some_and(|f| !f.is_empty());
    if next.pointer("/metadata/deletionTimestamp").is_some() && !finalizers_left && !is_namespace(def) {
        // Answered as written (its last finalizer gone), as the real server answers it.
        *deleted_as = Some(next);
        return Ok(Mutation::Delete);
    }
    if comparable(&next) == comparable(current) {
        return Ok(Mutation::Keep);
    }
    Ok(Mutation::Put(next))
}

fn finish(
    req: &ResourceRequest,
    outcome: Outcome,
    before: Option<&str>,
    deleted_as: Option<Value>,
) -> Result<Response, ApiError> {
    let dry = dry_run(req);
    match outcome {
        Outcome::Created(o) => respond_object(req, 201, &dry_run_version(dry, &o.value, None)),
        Outcome::Deleted(_) if let Some(last) = deleted_as => respond_object(req, 200, &last),
        Outcome::Updated(o) | Outcome::Deleted(o) | Outcome::Unchanged(Some(o)) => {
            respond_object(req, 200, &dry_run_version(dry, &o.value, before))
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
    let (mut before, mut deleted_as) = (None, None);
    let escalation = escalation(server, req);
    let outcome = server.objects.mutate(&req.def, &key, dry_run(req), |current| {
        let current = current.ok_or_else(|| ApiError::not_found(&req.def.qualified(), &req.def.plural, name))?;
        before = Some(meta_str(&current.value, "resourceVersion").to_string());
        let next = next_recorded(req, &current.value, incoming, sub, Some(&manager(req)), &mut deleted_as);
        checked(escalation.as_ref(), &current.value, next)
    })?;
    finish(req, outcome, before.as_deref(), deleted_as).map(|r| with_warnings(r, &warnings))
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
    if kind == PatchKind::Json {
        patch::check_json_patch(&patch_doc)?;
    }
    let name = req.name.as_deref().unwrap_or_default();
    let key = key_of(&req.def, req.namespace.as_deref(), name);
    let manager = manager(req);
    let force = req.query.flag("force");
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
        obj["metadata"].as_object_mut().map(|m| m.remove("managedFields"));
        apply::record_apply(&mut obj, &patch_doc, &manager, &api_version, sub, true);
        let warnings = fields.check(&req.def, &obj, None)?;
        if let Some(escalation) = escalation(server, req) {
            escalation.check(&obj, None)?;
        }
        match create_object(&server.objects, &req.def, req.namespace.as_deref(), obj, dry_run(req)) {
            Ok(created) => {
                let created = dry_run_version(dry_run(req), &created.value, None);
                return respond_object(req, 201, &created).map(|r| with_warnings(r, &warnings));
            }
            Err(e) if e.code == 409 => {} // created meanwhile: apply to it below
            Err(e) => return Err(e),
        }
    }
    let (mut before, mut deleted_as) = (None, None);
    let escalation = escalation(server, req);
    let outcome = server.objects.mutate(&req.def, &key, dry_run(req), |current| {
        let current = current.ok_or_else(|| ApiError::not_found(&req.def.qualified(), &req.def.plural, name))?;
        before = Some(meta_str(&current.value, "resourceVersion").to_string());
        let mut patched = current.value.clone();
        match kind {
            PatchKind::Merge => patch::merge_patch(&mut patched, &patch_doc),
            PatchKind::Strategic => patch::strategic_merge(&mut patched, &patch_doc),
            PatchKind::Json => patch::json_patch(&mut patched, &patch_doc)
                .map_err(|e| ApiError::new(422, "Invalid", format!("the JSON patch could not be applied: {e}")))?,
            PatchKind::Apply => {
                let dropped = apply::prepare_apply(&mut patched, &patch_doc, &manager, force, sub)?;
                patch::apply(&mut patched, &patch_doc, dropped.as_ref());
                let changed = apply::changes_object(&current.value, &patched);
                apply::record_apply(&mut patched, &patch_doc, &manager, &api_version, sub, changed);
            }
        }
        if !patched.is_object() {
            return Err(ApiError::new(422, "Invalid", "the patch does not leave an object"));
        }
        warnings = fields.check_patched(&req.def, &patched, json_body(req).filter(|_| kind != PatchKind::Json))?;
        let updater = (kind != PatchKind::Apply).then_some(manager.as_str());
        let next = next_recorded(req, &current.value, patched, sub, updater, &mut deleted_as);
        checked(escalation.as_ref(), &current.value, next)
    })?;
    finish(req, outcome, before.as_deref(), deleted_as).map(|r| with_warnings(r, &warnings))
}

/// The options of a delete, from its body (a DeleteOptions) or else its query.
fn delete_options(req: &ResourceRequest) -> Result<query::DeleteOptions, ApiError> {
    let body = if req.body.is_empty() {
        None
    } else {
        Some(decode_body(req)?)
    };
    query::delete_options(&req.query, body.as_ref())
}

fn delete(server: &Arc<ApiServer>, req: &ResourceRequest) -> Result<Response, ApiError> {
    let options = delete_options(req)?;
    let name = req.name.as_deref().unwrap_or_default();
    let key = key_of(&req.def, req.namespace.as_deref(), name);
    let outcome = delete_with(
        &server.objects,
        &req.def,
        &key,
        &options.preconditions,
        options.propagation,
        options.dry_run,
    )?;
    match outcome {
        // Removed at once: as on the real server, Pods and ServiceAccounts answer with the
        // object, other kinds with a Status naming what was deleted.
        Outcome::Deleted(o)
            if !(req.def.group.is_empty() && ["pods", "serviceaccounts"].contains(&req.def.plural.as_str())) =>
        {
            let mut details = json!({"name": name, "kind": req.def.plural, "uid": o.value["metadata"]["uid"]});
            if !req.def.group.is_empty() {
                details["group"] = json!(req.def.group);
            }
            let status =
                json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details});
            Ok(render(req, 200, &status))
        }
        // Kept while finalizers remain: the object with its deletionTimestamp.
        Outcome::Deleted(o) | Outcome::Updated(o) | Outcome::Unchanged(Some(o)) | Outcome::Created(o) => {
            respond_object(req, 200, &o.value)
        }
        Outcome::Unchanged(None) => Err(ApiError::not_found(&req.def.qualified(), &req.def.plural, name)),
    }
}

fn delete_collection(server: &Arc<ApiServer>, req: &ResourceRequest) -> Result<Response, ApiError> {
    let options = delete_options(req)?;
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
        match delete_with(
            &server.objects,
            &req.def,
            &key,
            &Value::Null,
            options.propagation,
            options.dry_run,
        ) {
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
    Ok(render(req, 200, &list))
}
