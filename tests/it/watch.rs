//! Watches as the real API server (v1.37) serves them, over raw HTTP: the WatchList
//! (`sendInitialEvents`) and its initial-events-end bookmark, periodic bookmarks, the list
//! options it refuses, a resourceVersion in the future or older than the history, and
//! `timeoutSeconds`.

use std::time::Duration;

use http::Request;
use serde_json::{Value, json};

use crate::common::{Engine, ok, raw};

const CONFIGMAPS: &str = "/api/v1/namespaces/default/configmaps";

/// A watch request's status code and its events, read until the server ends the stream
/// (the test fails if it has not within 30 s: `timeoutSeconds` is not honoured).
async fn watch(client: &kube::Client, query: &str) -> (u16, Vec<Value>) {
    let req = Request::get(format!("{CONFIGMAPS}?watch=1&{query}"))
        .body(vec![])
        .unwrap();
    let (parts, body) = req.into_parts();
    let req = Request::from_parts(parts, kube::client::Body::from(body));
    let read = async {
        let resp = client.send(req).await.expect("the engine answers");
        let code = resp.status().as_u16();
        let bytes = resp.into_body().collect_bytes().await.expect("a body");
        (code, bytes)
    };
    let (code, bytes) = tokio::time::timeout(Duration::from_secs(30), read)
        .await
        .unwrap_or_else(|_| panic!("the watch ?{query} did not end within 30 s"));
    let text = String::from_utf8_lossy(&bytes).into_owned();
    if code != 200 {
        return (code, vec![serde_json::from_str(&text).unwrap_or(Value::Null)]);
    }
    let events = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("a watch event, not {l:?}: {e}")))
        .collect();
    (code, events)
}

/// `TYPE name` of each event (`BOOKMARK` alone), to compare in one line.
fn summary(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e["object"]["metadata"]["name"].as_str() {
            Some(name) => format!("{} {name}", e["type"].as_str().unwrap()),
            None => e["type"].as_str().unwrap().to_string(),
        })
        .collect()
}

async fn create(client: &kube::Client, name: &str, labels: Value) -> u64 {
    let body = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": labels}});
    let req = Request::post(CONFIGMAPS)
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&body).unwrap())
        .unwrap();
    let (code, created) = raw(client, req).await;
    assert_eq!(code, 201, "{created}");
    created["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn list_rv(client: &kube::Client) -> u64 {
    let (code, list) = raw(client, Request::get(CONFIGMAPS).body(vec![]).unwrap()).await;
    assert_eq!(code, 200);
    list["metadata"]["resourceVersion"].as_str().unwrap().parse().unwrap()
}

fn rv_of(event: &Value) -> u64 {
    event["object"]["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_watch_list_sends_the_objects_then_a_bookmark_that_ends_the_initial_events() {
    let engine = Engine::start_no_run();
    let client = engine.client().await;
    create(&client, "one", json!({"app": "demo"})).await;
    create(&client, "two", json!({"app": "other"})).await;
    let rv = create(&client, "three", json!({"app": "demo"})).await;

    // client-go's WatchList (KUBE_FEATURE_WatchListClient) asks exactly this.
    let (code, events) = watch(
        &client,
        "sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&labelSelector=app%3Ddemo&timeoutSeconds=1",
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(summary(&events), ["ADDED one", "ADDED three", "BOOKMARK"]);
    let bookmark = &events[2]["object"];
    assert_eq!(
        bookmark,
        &json!({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {
            "resourceVersion": rv.to_string(),
            "annotations": {"k8s.io/initial-events-end": "true"},
        }})
    );

    // A watch from no resourceVersion is served the same way (the API server's default); the
    // namespace's kube-root-ca.crt is there as on a real cluster.
    let (_, events) = watch(&client, "allowWatchBookmarks=true&timeoutSeconds=1").await;
    assert_eq!(
        summary(&events),
        [
            "ADDED kube-root-ca.crt",
            "ADDED one",
            "ADDED three",
            "ADDED two",
            "BOOKMARK"
        ]
    );
    // Without allowWatchBookmarks there is no bookmark, and from a resourceVersion no initial events.
    let (_, events) = watch(
        &client,
        "sendInitialEvents=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=1",
    )
    .await;
    assert_eq!(
        summary(&events),
        ["ADDED kube-root-ca.crt", "ADDED one", "ADDED three", "ADDED two"]
    );
    let (_, events) = watch(&client, &format!("resourceVersion={rv}&timeoutSeconds=1")).await;
    assert_eq!(summary(&events), Vec::<String>::new());
    // From an older resourceVersion the WatchList still starts with the current objects.
    let (_, events) = watch(
        &client,
        "resourceVersion=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&fieldSelector=metadata.name%3Dtwo&timeoutSeconds=1",
    )
    .await;
    assert_eq!(summary(&events), ["ADDED two", "BOOKMARK"]);
}

#[tokio::test]
async fn a_watch_that_allows_bookmarks_gets_one_before_its_timeout_and_then_ends() {
    let engine = Engine::start_no_run();
    let client = engine.client().await;
    let rv = create(&client, "one", json!({})).await;
    let (code, events) = watch(
        &client,
        &format!("resourceVersion={rv}&allowWatchBookmarks=true&timeoutSeconds=3"),
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(summary(&events), ["BOOKMARK"]);
    assert_eq!(
        events[0]["object"],
        json!({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"resourceVersion": rv.to_string()}})
    );
    // Without allowWatchBookmarks: nothing, and the stream still ends at its timeout.
    let (_, events) = watch(&client, &format!("resourceVersion={rv}&timeoutSeconds=3")).await;
    assert!(events.is_empty(), "{events:?}");
}

#[tokio::test]
async fn list_options_the_api_server_refuses_for_a_watch_get_its_answer() {
    let engine = Engine::start_no_run();
    let client = engine.client().await;
    let (code, status) = watch(&client, "sendInitialEvents=true&allowWatchBookmarks=true").await;
    assert_eq!(code, 422, "{status:?}");
    assert_eq!(
        status[0],
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
            "reason": "Invalid", "code": 422,
            "details": {"group": "meta.k8s.io", "kind": "ListOptions", "causes": [{"reason": "FieldValueForbidden",
                "message": "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
                "field": "resourceVersionMatch"}]}})
    );
    let (code, status) = watch(
        &client,
        "sendInitialEvents=true&resourceVersionMatch=Exact&allowWatchBookmarks=true",
    )
    .await;
    assert_eq!(code, 422);
    assert_eq!(
        status[0]["message"],
        "ListOptions.meta.k8s.io \"\" is invalid: [resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan, resourceVersionMatch: Unsupported value: \"Exact\": supported values: \"NotOlderThan\"]"
    );
    let (code, status) = watch(&client, "resourceVersionMatch=NotOlderThan").await;
    assert_eq!(code, 422);
    assert_eq!(
        status[0]["details"]["causes"][0]["message"],
        "Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"
    );
    let (code, status) = watch(&client, "timeoutSeconds=soon").await;
    assert_eq!((code, status[0]["reason"].as_str()), (400, Some("BadRequest")));
    assert!(
        status[0]["message"]
            .as_str()
            .unwrap()
            .contains("parsing \"soon\": invalid syntax"),
        "{status:?}"
    );
    // A negative timeout is a deadline already passed: the stream says so and ends.
    let (code, events) = watch(&client, "timeoutSeconds=-1").await;
    assert_eq!(code, 200);
    assert_eq!(summary(&events), ["ERROR"]);
    assert_eq!(events[0]["object"]["message"], "context deadline exceeded");
}

#[tokio::test]
async fn a_watch_from_a_resource_version_in_the_future() {
    let engine = Engine::start_no_run();
    let client = engine.client().await;
    let now = list_rv(&client).await;
    let future = now + 1000;
    // A WatchList waits for the store to get there, then fails as the API server does.
    let (code, events) = watch(
        &client,
        &format!(
            "resourceVersion={future}&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true"
        ),
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(summary(&events), ["ERROR"]);
    assert_eq!(
        events[0]["object"],
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": format!("Timeout: Too large resource version: {future}, current: {now}"),
            "reason": "Timeout", "code": 504,
            "details": {"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
                "retryAfterSeconds": 1}})
    );
    // A plain watch waits for the changes after that version and sends none before it.
    let wanted = now + 2;
    let watching = {
        let client = client.clone();
        tokio::spawn(async move { watch(&client, &format!("resourceVersion={wanted}&timeoutSeconds=4")).await })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    for name in ["a", "b", "c", "d"] {
        create(&client, name, json!({})).await;
    }
    let (code, events) = watching.await.unwrap();
    assert_eq!(code, 200);
    assert!(!events.is_empty(), "the changes after {wanted} are sent");
    for event in &events {
        assert_eq!(event["type"], "ADDED");
        assert!(rv_of(event) > wanted, "{event}");
    }
}

#[tokio::test]
async fn a_watch_from_before_the_engine_restarted_is_told_410_expired() {
    let engine = Engine::start_no_run();
    let client = engine.client().await;
    let old = create(&client, "one", json!({})).await;
    create(&client, "two", json!({})).await;
    // The history of changes is in memory: after a restart it starts at the current version.
    ok(&engine.kfn(&["local", "stop"]), "local stop");
    ok(&engine.kfn(&["local", "start", "--no-run"]), "local start");
    let client = engine.client().await;
    let (code, events) = watch(&client, &format!("resourceVersion={old}&timeoutSeconds=5")).await;
    assert_eq!(code, 200);
    assert_eq!(summary(&events), ["ERROR"]);
    let status = &events[0]["object"];
    assert_eq!(
        (status["code"].as_u64(), status["reason"].as_str()),
        (Some(410), Some("Expired"))
    );
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("too old resource version: {old} (")),
        "{status}"
    );
}
