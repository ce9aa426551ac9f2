//! The HTTP triggers' gateway: a listener of its own on loopback that routes by host and path
//! prefix to functions, with basic authentication and CORS as the HTTPTrigger asks.

pub mod htpasswd;

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use base64::Engine;
use http::{HeaderValue, StatusCode, header};
use parking_lot::Mutex;
use serde_json::{Value, json};

use crate::api::kinds::{HTTPTrigger, HTTPTriggerSpec, Phase};

use super::flows;
use super::objects::{Objects, Parsed};
use super::replicas::{self, Replicas};
use super::store::Key;

const TRIGGERS: &str = "kubeless.io/httptriggers";

/// The trigger for a host and path: the longest matching path prefix among the triggers whose
/// host name is the request's host.
pub fn route<'a>(
    triggers: impl IntoIterator<Item = &'a HTTPTrigger>,
    host: &str,
    path: &str,
) -> Option<&'a HTTPTrigger> {
    triggers
        .into_iter()
        .filter(|t| t.spec.host_name.eq_ignore_ascii_case(host))
        .filter(|t| {
            let prefix = format!("/{}", t.spec.path.trim_matches('/'));
            prefix == "/" || path == prefix || path.starts_with(&format!("{prefix}/"))
        })
        .max_by_key(|t| t.spec.path.trim_matches('/').len())
}

/// The path the function sees: the route's prefix taken away (nginx's `rewrite-target: /`).
pub fn rewrite(trigger: &HTTPTriggerSpec, path: &str) -> String {
    let prefix = trigger.path.trim_matches('/');
    let rest = if prefix.is_empty() {
        path
    } else {
        path.strip_prefix(&format!("/{prefix}")).unwrap_or(path)
    };
    if rest.is_empty() { "/".into() } else { rest.to_string() }
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    let mut r = Response::new(Body::from(text));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

fn cors(resp: &mut Response, req_headers: &http::HeaderMap) {
    let h = resp.headers_mut();
    h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    h.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("GET, PUT, POST, DELETE, PATCH, OPTIONS"),
    );
    let allow = req_headers
        .get("access-control-request-headers")
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static("DNT,X-CustomHeader,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Authorization"));
    h.insert("access-control-allow-headers", allow);
}

/// Whether the request's basic credentials pass the trigger's secret.
fn authorized(objects: &Objects, namespace: &str, secret: &str, req: &Request) -> bool {
    let Some(secret) = objects.store.get(&Key::new("/secrets", namespace, secret)) else {
        return false;
    };
    let Some(file) = secret.value.pointer("/data/auth").and_then(Value::as_str) else {
        return false;
    };
    let Ok(file) = base64::engine::general_purpose::STANDARD.decode(file) else {
        return false;
    };
    let Some((user, password)) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.split_once(':').map(|(u, p)| (u.to_string(), p.to_string())))
    else {
        return false;
    };
    htpasswd::allows(&String::from_utf8_lossy(&file), &user, &password)
}

/// What the gateway reads its triggers from and calls functions through.
#[derive(Clone)]
struct Gateway {
    objects: Arc<Objects>,
    replicas: Arc<Replicas>,
    /// The stored triggers as typed, each version parsed once (not per request).
    triggers: Arc<Mutex<Parsed<HTTPTrigger>>>,
}

async fn handle(State(gateway): State<Gateway>, req: Request) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(|h| {
            h.rsplit_once(':')
                .filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
                .map_or(h, |(h, _)| h)
                .to_string()
        })
        .unwrap_or_default();
    let path = req.uri().path().to_string();
    let (stored, _) = gateway.objects.store.list(TRIGGERS, None);
    let triggers = gateway.triggers.lock().read(&stored);
    let Some(trigger) = route(triggers.iter().map(|t| &**t), &host, &path) else {
        return plain(
            StatusCode::NOT_FOUND,
            "404 Not Found: no HTTP trigger routes this host and path\n",
        );
    };
    let namespace = trigger.metadata.namespace.clone().unwrap_or_default();
    let spec = &trigger.spec;
    let with_cors = spec.cors_enable;
    let req_headers = req.headers().clone();
    if with_cors && req.method() == http::Method::OPTIONS {
        let mut resp = plain(StatusCode::NO_CONTENT, "");
        cors(&mut resp, &req_headers);
        return resp;
    }
    let secret = &spec.basic_auth_secret;
    if !secret.is_empty() && !authorized(&gateway.objects, &namespace, secret, &req) {
        let mut resp = plain(StatusCode::UNAUTHORIZED, "401 Authorization Required\n");
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"Authentication Required\""),
        );
        return resp;
    }
    if !spec.flow_name.is_empty() {
        let mut resp = run_flow(&gateway.objects, &namespace, &spec.flow_name, req).await;
        if with_cors {
            cors(&mut resp, &req_headers);
        }
        return resp;
    }
    let query = req.uri().query().map(|q| format!("?{q}")).unwrap_or_default();
    let target = format!("{}{query}", rewrite(spec, &path));
    let function = spec.function_name.clone();
    let mut resp = match replicas::forward(&gateway.replicas, &namespace, &function, &target, req).await {
        Ok(r) => r,
        Err(e) => {
            let mut r = Response::new(Body::from(format!("{}\n", e.message)));
            *r.status_mut() = StatusCode::from_u16(e.code).unwrap_or(StatusCode::BAD_GATEWAY);
            r
        }
    };
    if with_cors {
        cors(&mut resp, &req_headers);
    }
    resp
}

fn json_response(status: StatusCode, value: &Value, execution: Option<&str>) -> Response {
    let mut r = Response::new(Body::from(format!("{value}\n")));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Some(name) = execution.and_then(|n| HeaderValue::from_str(n).ok()) {
        r.headers_mut().insert(EXECUTION_HEADER, name);
    }
    r
}

/// The header of a flow trigger's answer that names the execution.
pub const EXECUTION_HEADER: &str = "x-kfn-execution";

/// A request to a flow's trigger: an execution started with the body as input, answered when it
/// ends, with its output (200) or its error and cause (500; 504 when it timed out).
async fn run_flow(objects: &Objects, namespace: &str, flow: &str, req: Request) -> Response {
    let body = match axum::body::to_bytes(req.into_body(), 16 * 1024 * 1024).await {
        Ok(b) => b,
        Err(e) => {
            let why = json!({"error": "States.Runtime", "cause": format!("cannot read the request: {e}")});
            return json_response(StatusCode::BAD_REQUEST, &why, None);
        }
    };
    let execution = match flows::start_execution(objects, namespace, flow, flows::input(&body)) {
        Ok(e) => e,
        Err(e) => {
            let why =
                json!({"error": "States.Runtime", "cause": format!("cannot start the flow {flow}: {}", e.message)});
            let status = StatusCode::from_u16(e.code).unwrap_or(StatusCode::BAD_GATEWAY);
            return json_response(status, &why, None);
        }
    };
    let name = execution.metadata.name.clone().unwrap_or_default();
    let Some(ended) = flows::wait_final(objects, namespace, &name).await else {
        let why =
            json!({"error": "States.Runtime", "cause": format!("the execution {name} was deleted before it ended")});
        return json_response(StatusCode::INTERNAL_SERVER_ERROR, &why, Some(&name));
    };
    let status = ended.status.unwrap_or_default();
    match status.phase {
        Phase::Succeeded => json_response(
            StatusCode::OK,
            status.output.as_ref().unwrap_or(&Value::Null),
            Some(&name),
        ),
        phase => {
            let code = if phase == Phase::TimedOut {
                StatusCode::GATEWAY_TIMEOUT
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            };
            json_response(
                code,
                &json!({"error": status.error, "cause": status.cause}),
                Some(&name),
            )
        }
    }
}

/// Serves the gateway on a listener until the process ends.
pub fn start(objects: Arc<Objects>, replicas: Arc<Replicas>, listener: tokio::net::TcpListener) {
    let router = axum::Router::new().fallback(handle).with_state(Gateway {
        objects,
        replicas,
        triggers: Default::default(),
    });
    tokio::spawn(async move {
        crate::engine::connection::serve_plain(listener, router).await;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(host: &str, path: &str) -> HTTPTrigger {
        HTTPTrigger::new(
            "t",
            HTTPTriggerSpec {
                host_name: host.into(),
                path: path.into(),
                function_name: "f".into(),
                ..Default::default()
            },
        )
    }

    #[test]
    fn routes_by_host_and_the_longest_path_prefix() {
        let triggers = [t("a.example", ""), t("a.example", "api"), t("b.example", "api/v2")];
        let at = |host: &str, path: &str| {
            route(&triggers, host, path).map(|r| triggers.iter().position(|t| std::ptr::eq(t, r)).unwrap())
        };
        assert_eq!(at("a.example", "/"), Some(0));
        assert_eq!(at("A.Example", "/api/x"), Some(1));
        assert_eq!(at("a.example", "/apix"), Some(0), "prefixes match whole segments");
        assert_eq!(at("b.example", "/api"), None);
        assert_eq!(at("c.example", "/"), None);
        assert_eq!(rewrite(&triggers[1].spec, "/api/x"), "/x");
        assert_eq!(rewrite(&triggers[1].spec, "/api"), "/");
        assert_eq!(rewrite(&triggers[0].spec, "/hello"), "/hello");
    }
}
