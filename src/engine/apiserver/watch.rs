//! Watches: a chunked stream of `{"type": ..., "object": ...}` lines, one per change.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use super::table::{self, IncludeObject};
use super::verbs::Selection;
use super::{ApiError, ApiServer, ResourceRequest};
use crate::engine::resources::ResourceDef;
use crate::engine::store::{Event, EventType};

/// How long a watch stays open when the client does not say (`timeoutSeconds`).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

pub fn serve(server: &Arc<ApiServer>, req: &ResourceRequest) -> Result<Response, ApiError> {
    let selection = Selection::from_request(req)?;
    let from = match req.query.get("resourceVersion") {
        None | Some("") | Some("0") => None,
        Some(rv) => Some(rv.parse::<u64>().map_err(|_| {
            ApiError::bad_request(format!("resourceVersion: Invalid value: \"{rv}\": must be a number"))
        })?),
    };
    let timeout = req
        .query
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_TIMEOUT);
    let def = req.def.clone();
    let namespace = if def.namespaced { req.namespace.clone() } else { None };
    let format = Format {
        table: table::wants_table(&req.accept),
        include: IncludeObject::parse(req.query.get("includeObject")),
        def: def.clone(),
    };
    let (tx, rx) = mpsc::channel::<Bytes>(256);
    match server.objects.store.watch(&def.store_key(), namespace.as_deref(), from) {
        Err(too_old) => {
            // As the API server does: the watch opens, then says the version is gone.
            let status = ApiError::gone(format!(
                "too old resource version: {} ({})",
                too_old.requested, too_old.oldest
            ))
            .to_status();
            let _ = tx.try_send(line("ERROR", status));
        }
        Ok((backlog, receiver)) => {
            tokio::spawn(pump(backlog, receiver, tx, selection, format, namespace, timeout));
        }
    }
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (Ok::<_, std::io::Error>(chunk), rx))
    });
    let mut resp = Response::new(Body::from_stream(stream));
    *resp.status_mut() = StatusCode::OK;
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(resp)
}

struct Format {
    table: bool,
    include: IncludeObject,
    def: Arc<ResourceDef>,
}

impl Format {
    fn object(&self, value: &Value) -> Value {
        if self.table {
            let meta = json!({"resourceVersion": value["metadata"]["resourceVersion"]});
            return table::table(&self.def, [value], self.include, meta, Timestamp::now());
        }
        let mut v = value.clone();
        v["apiVersion"] = json!(self.def.api_version());
        v
    }
}

fn line(kind: &str, object: Value) -> Bytes {
    let mut text = serde_json::to_vec(&json!({"type": kind, "object": object})).expect("JSON serialises");
    text.push(b'\n');
    Bytes::from(text)
}

/// What a filtered watch reports for a change: a change that moves an object into the
/// selection is ADDED, out of it DELETED.
fn translate(event: &Event, selection: &Selection) -> Option<EventType> {
    let now = selection.matches(&event.object.value);
    let before = event.previous.as_ref().is_some_and(|p| selection.matches(&p.value));
    match event.kind {
        EventType::Added => now.then_some(EventType::Added),
        EventType::Deleted => before.then_some(EventType::Deleted),
        EventType::Modified => match (before, now) {
            (true, true) => Some(EventType::Modified),
            (false, true) => Some(EventType::Added),
            (true, false) => Some(EventType::Deleted),
            (false, false) => None,
        },
    }
}

async fn pump(
    backlog: Vec<Arc<Event>>,
    mut receiver: broadcast::Receiver<Arc<Event>>,
    tx: mpsc::Sender<Bytes>,
    selection: Selection,
    format: Format,
    namespace: Option<String>,
    timeout: Duration,
) {
    let resource = format.def.store_key();
    let send = |event: &Event| {
        translate(event, &selection).map(|kind| line(kind.as_str(), format.object(&event.object.value)))
    };
    for event in &backlog {
        if let Some(chunk) = send(event)
            && tx.send(chunk).await.is_err()
        {
            return;
        }
    }
    let deadline = tokio::time::sleep(timeout);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            _ = &mut deadline => return,
            _ = tx.closed() => return,
            received = receiver.recv() => match received {
                Ok(event) => {
                    if event.key.resource != resource || namespace.as_ref().is_some_and(|ns| *ns != event.key.namespace) {
                        continue;
                    }
                    if let Some(chunk) = send(&event)
                        && tx.send(chunk).await.is_err() {
                            return;
                        }
                }
                // A watcher too slow to keep up is closed; the client lists again.
                Err(_) => return,
            }
        }
    }
}
