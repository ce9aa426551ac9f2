//! Watches: a chunked stream of `{"type": ..., "object": ...}` lines, one per change.
//!
//! As the real API server (v1.37) does:
//! - a watch with no `resourceVersion` (or `"0"`) starts with the current objects as ADDED
//!   events, and a watch from a resourceVersion with the changes after it;
//! - `sendInitialEvents=true` (the WatchList: it needs `resourceVersionMatch=NotOlderThan`)
//!   starts with the current objects whatever the resourceVersion, once the store has reached
//!   it (within 3 s, else an ERROR event "Too large resource version");
//! - with `allowWatchBookmarks=true` the initial events end with a BOOKMARK annotated
//!   `k8s.io/initial-events-end: "true"`, and a BOOKMARK (an object of the kind with only
//!   `metadata.resourceVersion`) is sent every minute and 2 s before `timeoutSeconds` runs out.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::query::{forbidden, go_bool, go_quote, int_param, options_invalid, too_large, unsupported};
use super::table::{self, IncludeObject};
use super::verbs::Selection;
use super::{ApiError, ApiServer, Query, ResourceRequest};
use crate::engine::objects::Objects;
use crate::engine::resources::ResourceDef;
use crate::engine::store::{Event, EventType};

/// How long a watch stays open when the client does not say (`timeoutSeconds`).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// The longest a watch stays open, whatever `timeoutSeconds` asks (clients watch again).
const MAX_TIMEOUT: Duration = Duration::from_secs(7 * 24 * 3600);
/// How often a watch that allows bookmarks gets one (the API server's `bookmarkFrequency`).
const BOOKMARK_EVERY: Duration = Duration::from_secs(60);
/// How long before its timeout a watch gets its last bookmark.
const BOOKMARK_BEFORE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a WatchList waits for the store to reach the resourceVersion it asked for.
const FRESHNESS_WAIT: Duration = Duration::from_secs(3);
/// The annotation of the bookmark that ends the initial events.
const INITIAL_EVENTS_END: &str = "k8s.io/initial-events-end";

pub fn serve(server: &Arc<ApiServer>, req: &ResourceRequest) -> Result<Response, ApiError> {
    let selection = Selection::from_request(req)?;
    let options = Options::parse(&req.query)?;
    let def = req.def.clone();
    let namespace = if def.namespaced { req.namespace.clone() } else { None };
    let format = Format {
        table: table::wants_table(&req.accept),
        include: IncludeObject::parse(req.query.get("includeObject")),
        def,
    };
    let (tx, rx) = mpsc::channel::<Bytes>(256);
    let watch = Watch {
        objects: server.objects.clone(),
        options,
        selection,
        format,
        namespace,
        tx,
    };
    tokio::spawn(watch.run());
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (Ok::<_, std::io::Error>(chunk), rx))
    });
    let mut resp = Response::new(Body::from_stream(stream));
    *resp.status_mut() = StatusCode::OK;
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(resp)
}

/// What a watch request asked for, checked as the API server checks it.
#[derive(Debug, PartialEq)]
struct Options {
    /// The resourceVersion to start after; `None` when it is not given or `"0"`.
    from: Option<u64>,
    /// Start with the current objects as ADDED events (the default without a resourceVersion).
    initial_events: bool,
    bookmarks: bool,
    /// `None`: a negative `timeoutSeconds`, a deadline already passed.
    timeout: Option<Duration>,
}

impl Options {
    fn parse(query: &Query) -> Result<Options, ApiError> {
        let rv = query.get("resourceVersion").unwrap_or_default();
        let from = match rv {
            "" | "0" => None,
            rv => Some(rv.parse::<u64>().map_err(|_| {
                ApiError::bad_request(format!("resourceVersion: Invalid value: \"{rv}\": must be a number"))
            })?),
        };
        let send_initial = query.get("sendInitialEvents").map(|v| go_bool(v).unwrap_or(false));
        let rv_match = query.get("resourceVersionMatch").unwrap_or_default();
        let mut causes = Vec::new();
        if send_initial.is_some() && rv_match != "NotOlderThan" {
            causes.push(forbidden(
                "resourceVersionMatch",
                "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
            ));
        }
        if !rv_match.is_empty() {
            if send_initial.is_none() {
                causes.push(forbidden(
                    "resourceVersionMatch",
                    "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
                ));
            }
            if rv_match != "NotOlderThan" {
                causes.push(unsupported(
                    "resourceVersionMatch",
                    go_quote(rv_match),
                    &["NotOlderThan"],
                ));
            }
            if query.get("continue").is_some_and(|c| !c.is_empty()) {
                causes.push(forbidden(
                    "resourceVersionMatch",
                    "resourceVersionMatch is forbidden when continue is provided",
                ));
            }
        }
        options_invalid("ListOptions", causes)?;
        let timeout = match int_param(query, "timeoutSeconds")? {
            None | Some(0) => Some(DEFAULT_TIMEOUT),
            Some(n) if n < 0 => None,
            Some(n) => Some(Duration::from_secs(n as u64).min(MAX_TIMEOUT)),
        };
        Ok(Options {
            from,
            // Without sendInitialEvents or resourceVersionMatch, a watch from no resourceVersion
            // (or "0") is served as a WatchList (the API server's SetListOptionsDefaults).
            initial_events: send_initial.unwrap_or(rv_match.is_empty() && from.is_none()),
            bookmarks: query.get("allowWatchBookmarks").and_then(go_bool).unwrap_or(false),
            timeout,
        })
    }
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

    /// A BOOKMARK's object: the kind with only `metadata.resourceVersion` (and the
    /// annotation that ends the initial events).
    fn bookmark(&self, rv: u64, initial_events_end: bool) -> Bytes {
        let mut metadata = json!({"resourceVersion": rv.to_string()});
        if initial_events_end {
            metadata["annotations"] = json!({INITIAL_EVENTS_END: "true"});
        }
        let object = json!({"kind": self.def.kind, "apiVersion": self.def.api_version(), "metadata": metadata});
        line("BOOKMARK", self.object(&object))
    }
}

fn line(kind: &str, object: Value) -> Bytes {
    let mut text = serde_json::to_vec(&json!({"type": kind, "object": object})).expect("JSON serialises");
    text.push(b'\n');
    Bytes::from(text)
}

fn error_line(err: ApiError) -> Bytes {
    line("ERROR", err.to_status())
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

/// When the next bookmark is due: in a minute, or 2 s before the deadline if that is sooner;
/// none when that moment has passed.
fn next_bookmark(now: Instant, deadline: Instant) -> Option<Instant> {
    let heartbeat = now + BOOKMARK_EVERY;
    let before_timeout = deadline.checked_sub(BOOKMARK_BEFORE_TIMEOUT)?;
    let at = heartbeat.min(before_timeout);
    (at >= now).then_some(at)
}

struct Watch {
    objects: Arc<Objects>,
    options: Options,
    selection: Selection,
    format: Format,
    namespace: Option<String>,
    tx: mpsc::Sender<Bytes>,
}

impl Watch {
    async fn run(self) {
        let Some(timeout) = self.options.timeout else {
            // As the API server answers a deadline already passed.
            let _ = self
                .tx
                .send(error_line(ApiError::internal("context deadline exceeded")))
                .await;
            return;
        };
        let deadline = Instant::now() + timeout;
        let store = &self.objects.store;
        let resource = self.format.def.store_key();
        if self.options.initial_events
            && let Some(wanted) = self.options.from
            && !self.fresh_enough(wanted).await
        {
            let err = too_large(wanted, store.resource_version());
            let _ = self.tx.send(error_line(err)).await;
            return;
        }
        // A WatchList lists the current objects whatever the resourceVersion; a watch that does
        // not want them starts after the resourceVersion, or now.
        let since = if self.options.initial_events {
            None
        } else {
            self.options.from
        };
        let (backlog, mut receiver, start_rv) = match store.watch_at(&resource, self.namespace.as_deref(), since) {
            Ok(start) => start,
            Err(too_old) => {
                // As the API server does: the watch opens, then says the version is gone.
                let err = ApiError::gone(format!(
                    "too old resource version: {} ({})",
                    too_old.requested, too_old.oldest
                ));
                let _ = self.tx.send(error_line(err)).await;
                return;
            }
        };
        if since.is_some() || self.options.initial_events {
            for event in &backlog {
                if !self.send(event).await {
                    return;
                }
            }
        }
        if self.options.initial_events
            && self.options.bookmarks
            && !self.send_raw(self.format.bookmark(start_rv, true)).await
        {
            return;
        }
        // Changes at or before the resourceVersion asked for (one in the future) are not sent.
        let mut seen = start_rv;
        let skip_up_to = start_rv.max(self.options.from.unwrap_or(0));
        let mut bookmark_at = if self.options.bookmarks {
            next_bookmark(Instant::now(), deadline)
        } else {
            None
        };
        let far = deadline + Duration::from_secs(3600);
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => return,
                _ = self.tx.closed() => return,
                _ = tokio::time::sleep_until(bookmark_at.unwrap_or(far)), if bookmark_at.is_some() => {
                    if seen >= self.options.from.unwrap_or(0) && !self.send_raw(self.format.bookmark(seen, false)).await {
                        return;
                    }
                    bookmark_at = next_bookmark(Instant::now() + Duration::from_millis(1), deadline);
                }
                received = receiver.recv() => match received {
                    Ok(event) => {
                        seen = seen.max(event.object.rv);
                        if event.object.rv <= skip_up_to
                            || event.key.resource != resource
                            || self.namespace.as_ref().is_some_and(|ns| *ns != event.key.namespace)
                        {
                            continue;
                        }
                        if !self.send(&event).await {
                            return;
                        }
                    }
                    // A watcher too slow to keep up is closed; the client lists again.
                    Err(_) => return,
                }
            }
        }
    }

    /// Whether the store reaches `wanted` within [`FRESHNESS_WAIT`].
    async fn fresh_enough(&self, wanted: u64) -> bool {
        let give_up = Instant::now() + FRESHNESS_WAIT;
        loop {
            if self.objects.store.resource_version() >= wanted {
                return true;
            }
            if Instant::now() >= give_up {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sends one change if the selection sees it; false when the client has gone.
    async fn send(&self, event: &Event) -> bool {
        match translate(event, &self.selection) {
            // An object leaving the selection goes as it was before the change, with the
            // change's resourceVersion, as the real server's watch cache sends it.
            Some(EventType::Deleted) if event.kind == EventType::Modified => {
                let mut old = event
                    .previous
                    .as_ref()
                    .map_or(event.object.value.clone(), |p| p.value.clone());
                old["metadata"]["resourceVersion"] = event.object.value["metadata"]["resourceVersion"].clone();
                self.send_raw(line(EventType::Deleted.as_str(), self.format.object(&old)))
                    .await
            }
            Some(kind) => {
                self.send_raw(line(kind.as_str(), self.format.object(&event.object.value)))
                    .await
            }
            None => true,
        }
    }

    async fn send_raw(&self, chunk: Bytes) -> bool {
        self.tx.send(chunk).await.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> Result<Options, ApiError> {
        Options::parse(&Query::parse(Some(query)))
    }

    #[test]
    fn a_watch_from_no_resource_version_is_a_watch_list_and_one_from_a_version_is_not() {
        let o = parse("watch=1").unwrap();
        assert!(o.initial_events && !o.bookmarks && o.from.is_none());
        assert!(parse("watch=1&resourceVersion=0").unwrap().initial_events);
        let o = parse("watch=1&resourceVersion=7&allowWatchBookmarks=true").unwrap();
        assert!(!o.initial_events && o.bookmarks && o.from == Some(7));
        let o = parse("watch=1&resourceVersion=7&sendInitialEvents=true&resourceVersionMatch=NotOlderThan").unwrap();
        assert!(o.initial_events && o.from == Some(7));
        let o = parse("watch=1&sendInitialEvents=false&resourceVersionMatch=NotOlderThan").unwrap();
        assert!(!o.initial_events);
    }

    #[test]
    fn list_options_the_api_server_refuses_are_refused_with_its_causes() {
        let err = parse("watch=1&sendInitialEvents=true").unwrap_err();
        assert_eq!((err.code, err.reason), (422, "Invalid"));
        assert_eq!(
            err.message,
            "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"
        );
        let err = parse("watch=1&sendInitialEvents=true&resourceVersionMatch=Exact").unwrap_err();
        assert_eq!(err.details.unwrap()["causes"].as_array().unwrap().len(), 2);
        assert!(
            err.message.contains("[resourceVersionMatch: Forbidden"),
            "{}",
            err.message
        );
        let err = parse("watch=1&resourceVersionMatch=NotOlderThan").unwrap_err();
        assert!(
            err.message
                .ends_with("resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided")
        );
        let err = parse("watch=1&timeoutSeconds=soon").unwrap_err();
        assert_eq!(err.code, 400);
        assert!(
            err.message
                .starts_with("strconv.ParseInt: parsing \"soon\": invalid syntax")
        );
        assert_eq!(parse("watch=1&timeoutSeconds=-1").unwrap().timeout, None);
        assert_eq!(
            parse("watch=1&timeoutSeconds=9223372036854775807").unwrap().timeout,
            Some(MAX_TIMEOUT)
        );
    }

    #[test]
    fn bookmarks_come_every_minute_and_two_seconds_before_the_deadline() {
        let now = Instant::now();
        assert_eq!(
            next_bookmark(now, now + Duration::from_secs(600)),
            Some(now + BOOKMARK_EVERY)
        );
        assert_eq!(
            next_bookmark(now, now + Duration::from_secs(10)),
            Some(now + Duration::from_secs(8))
        );
        assert_eq!(next_bookmark(now, now + Duration::from_secs(1)), None);
    }
}
