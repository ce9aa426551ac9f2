//! The local engine's Kubernetes API server: the REST subset kfn, kube-rs and kubectl use,
//! on loopback, behind a bearer token.

mod accept;
mod apply;
mod discovery;
pub mod edge;
mod events_view;
mod logs;
mod openapi;
pub mod patch;
mod protobuf;
mod proxy;
mod query;
mod reviews;
mod scale;
pub mod selector;
pub mod table;
mod tokens;
mod verbs;
mod watch;

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode, header};
use serde_json::Value;

use crate::engine::auth::{Attributes, Auth, User};
pub use crate::engine::objects::ApiError;
use crate::engine::objects::Objects;
use crate::engine::replicas::Replicas;
use crate::engine::resources::ResourceDef;

/// The largest request body accepted, as on a real API server.
pub const MAX_BODY: usize = 3 * 1024 * 1024;

/// The HTTP front of the engine's objects and replicas.
pub struct ApiServer {
    pub objects: Arc<Objects>,
    pub replicas: Arc<Replicas>,
    /// Who a request comes from and what it may do.
    pub auth: Auth,
    /// Where pod logs are kept (see [`crate::engine::names::pod_log`]).
    logs: PathBuf,
    /// The OpenAPI documents, built when first asked for.
    openapi: openapi::Cache,
}

impl ApiServer {
    pub fn new(objects: Arc<Objects>, replicas: Arc<Replicas>, auth: Auth, logs: PathBuf) -> Arc<Self> {
        Arc::new(ApiServer {
            objects,
            replicas,
            auth,
            logs,
            openapi: openapi::Cache::default(),
        })
    }

    /// The axum router serving every path.
    pub fn router(self: &Arc<Self>) -> axum::Router {
        axum::Router::new().fallback(handle).with_state(self.clone())
    }
}

/// Query parameters of one request.
pub struct Query(Vec<(String, String)>);

impl Query {
    fn parse(raw: Option<&str>) -> Self {
        Query(
            form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .into_owned()
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every value of a parameter given more than once (`dryRun=All&dryRun=All`).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn flag(&self, name: &str) -> bool {
        matches!(self.get(name), Some("true" | "1"))
    }

    /// `limit` of a list: as on the real API server a value that is not a whole number is a
    /// 400 (`strconv.ParseInt: parsing "x": invalid syntax`), and zero or a negative number
    /// means no limit.
    pub fn limit(&self) -> Result<Option<usize>, ApiError> {
        let Some(raw) = self.get("limit") else {
            return Ok(None);
        };
        match raw.parse::<i64>() {
            Ok(n) if n > 0 => Ok(Some(usize::try_from(n).unwrap_or(usize::MAX))),
            Ok(_) => Ok(None),
            Err(e) => {
                let why = match e.kind() {
                    std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => "value out of range",
                    _ => "invalid syntax",
                };
                Err(ApiError::bad_request(format!(
                    "strconv.ParseInt: parsing {}: {why}",
                    query::go_quote(raw)
                )))
            }
        }
    }
}

/// One request for a resource, parsed from its path.
pub struct ResourceRequest {
    /// Who asks.
    pub user: User,
    pub def: Arc<ResourceDef>,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub subresource: Option<String>,
    /// What follows the subresource in the path (the proxied path of `services/x/proxy/...`).
    pub subpath: Option<String>,
    pub method: Method,
    pub query: Query,
    pub accept: String,
    pub content_type: String,
    /// The client's User-Agent, whose first part names the field manager of its writes.
    pub user_agent: String,
    pub body: Bytes,
}

pub fn json_response(code: u16, value: &Value) -> Response {
    bytes_response(code, Bytes::from(serde_json::to_vec(value).expect("JSON serialises")))
}

pub fn bytes_response(code: u16, body: Bytes) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

/// A response body in YAML, for clients that ask for `application/yaml`.
pub fn yaml_response(code: u16, value: &Value) -> Response {
    let text = serde_saphyr::to_string(value).expect("a JSON value is valid YAML");
    let mut resp = bytes_response(code, Bytes::from(text));
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/yaml"));
    resp
}

pub fn error_response(err: &ApiError) -> Response {
    json_response(err.code, &err.to_status())
}

async fn handle(State(server): State<Arc<ApiServer>>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    let yaml = matches!(
        accept::negotiate(&header_text(&req, header::ACCEPT)),
        Ok(accept::Format::Yaml)
    );
    let result = route(&server, req).await;
    // Errors come in the format the client asked for, as on the real server.
    let resp = result.unwrap_or_else(|e| match yaml {
        true => yaml_response(e.code, &e.to_status()),
        false => error_response(&e),
    });
    tracing::debug!(target: "kfn::api", "{} {} {}", method, path, resp.status().as_u16());
    resp
}

async fn route(server: &Arc<ApiServer>, req: Request) -> Result<Response, ApiError> {
    // As on the real server, the path is percent-decoded before it is split into its parts
    // (`configmaps/a%2Db` is `configmaps/a-b`, and `%2F` separates like `/`).
    let path = percent_decode(req.uri().path()).trim_end_matches('/').to_string();
    if matches!(path.as_str(), "/healthz" | "/livez" | "/readyz") {
        return Ok(plain(200, "ok"));
    }
    let credentials = req.headers().get(header::AUTHORIZATION);
    let user = credentials
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|t| server.auth.authenticate(&server.objects, t.trim()));
    // As on a real API server, anonymous requests may read the version (a wrong token may not).
    let public = path == "/version" && credentials.is_none() && req.method() == Method::GET;
    let Some(user) = user else {
        return match public {
            true => Ok(json_response(200, &discovery::version())),
            false => Err(ApiError::unauthorized()),
        };
    };
    // Every request is authorized before it is routed (a path that serves nothing included),
    // from what its path, method and query say, as kube-apiserver does.
    let attributes = Attributes::of(req.method(), &percent_decode(req.uri().path()), req.uri().query());
    server.auth.authorize(&server.objects, &user, &attributes)?;
    // The service proxy streams bodies both ways: it is routed before any body is read.
    if let Some((namespace, service, rest)) = proxy::parse(req.uri().path()) {
        return proxy::serve(server, &namespace, &service, &rest, req).await;
    }
    // So does the pod proxy (src/engine/replicas/pod.rs).
    if let Some((namespace, pod, rest)) = crate::engine::replicas::pod::parse(req.uri().path()) {
        let query = req.uri().query().map(|q| format!("?{q}")).unwrap_or_default();
        return crate::engine::replicas::pod::forward(
            &server.replicas,
            &namespace,
            &pod,
            &format!("{rest}{query}"),
            req,
        )
        .await;
    }
    let accept = header_text(&req, header::ACCEPT);
    let content_type = header_text(&req, header::CONTENT_TYPE);
    let user_agent = header_text(&req, header::USER_AGENT);
    let method = req.method().clone();
    let query = Query::parse(req.uri().query());
    let body = axum::body::to_bytes(req.into_body(), MAX_BODY)
        .await
        .map_err(|_| ApiError::too_large(MAX_BODY))?;

    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let registry = server.objects.registry();
    let (group, version, rest) = match segments.as_slice() {
        [] => return Ok(json_response(200, &discovery::root_paths(&registry))),
        ["version"] => return Ok(json_response(200, &discovery::version())),
        ["openapi", rest @ ..] => return openapi::serve(server, rest, &accept),
        ["api"] => return Ok(json_response(200, &discovery::core_versions())),
        ["api", "v1"] => {
            return Ok(json_response(200, &discovery::resource_list(&registry, "", "v1")));
        }
        ["apis"] => return Ok(json_response(200, &discovery::group_list(&registry))),
        ["apis", group] => {
            return discovery::group(&registry, group).map(|g| json_response(200, &g));
        }
        ["apis", group, version] => {
            return discovery::known_version(&registry, group, version)
                .map(|()| json_response(200, &discovery::resource_list(&registry, group, version)));
        }
        ["api", "v1", rest @ ..] => ("", "v1", rest),
        ["apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return Err(ApiError::no_route()),
    };
    // Namespaced paths start with namespaces/<ns>/<resource>; `namespaces/<ns>/status` and
    // `namespaces/<ns>/finalize` are subresources of the namespace object itself.
    let (namespace, parts): (Option<String>, Vec<&str>) = match rest {
        ["namespaces", ns, resource, tail @ ..]
            if !(group.is_empty() && tail.is_empty() && ["status", "finalize"].contains(resource)) =>
        {
            (
                Some(ns.to_string()),
                std::iter::once(*resource).chain(tail.iter().copied()).collect(),
            )
        }
        _ => (None, rest.to_vec()),
    };
    let (plural, name, sub, subpath) = match parts.as_slice() {
        [plural] => (plural.to_string(), None, None, None),
        [plural, name] => (plural.to_string(), Some(name.to_string()), None, None),
        [plural, name, sub, tail @ ..] => (
            plural.to_string(),
            Some(name.to_string()),
            Some(sub.to_string()),
            Some(tail.join("/")),
        ),
        _ => return Err(ApiError::no_route()),
    };
    if let Some((group, kind)) = reviews::find(group, version, &plural) {
        return reviews::serve(
            server,
            &user,
            group,
            kind,
            &method,
            name.is_some() || namespace.is_some(),
            &content_type,
            &body,
        );
    }
    let def = registry.find(group, version, &plural).ok_or_else(ApiError::no_route)?;
    if namespace.is_some() && !def.namespaced {
        return Err(ApiError::no_route());
    }
    let request = ResourceRequest {
        user,
        def,
        namespace,
        name,
        subresource: sub,
        subpath,
        method,
        query,
        accept,
        content_type,
        user_agent,
        body,
    };
    if events_view::is_view(&request.def) {
        let watch = request.query.flag("watch");
        let core = events_view::to_core(&registry, request)?;
        return Ok(events_view::from_core(verbs::serve(server, core).await?, watch).await);
    }
    verbs::serve(server, request).await
}

/// Decodes `%XX` escapes of a URL path; a `%` not followed by two hex digits is kept as it is.
pub(super) fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn header_text(req: &Request, name: header::HeaderName) -> String {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

fn plain(code: u16, text: &'static str) -> Response {
    let mut resp = Response::new(Body::from(text));
    *resp.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::OK);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}
