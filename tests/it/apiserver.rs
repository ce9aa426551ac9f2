//! The engine's API server answers as the real kube-apiserver does: query parameters, paging
//! snapshots, media types, percent-encoded paths, deletion rules and events (the answers
//! compared here are the real server's, v1.37).

use http::Request;
use serde_json::{Value, json};

use crate::common::Engine;

/// Sends one request and returns the code, the Content-Type and the body as text.
async fn send(
    client: &kube::Client,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    let mut builder = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    let req = builder
        .body(kube::client::Body::from(body.as_bytes().to_vec()))
        .unwrap();
    let resp = client.send(req).await.expect("the engine answers");
    let code = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let bytes = resp.into_body().collect_bytes().await.expect("a body");
    (code, content_type, String::from_utf8_lossy(&bytes).into_owned())
}

async fn json_req(client: &kube::Client, method: &str, uri: &str, body: Value) -> (u16, Value) {
    let ct = if method == "PATCH" {
        "application/merge-patch+json"
    } else {
        "application/json"
    };
    let body = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    let (code, _, text) = send(client, method, uri, &[("content-type", ct)], &body).await;
    (code, serde_json::from_str(&text).unwrap_or(Value::Null))
}

const CMS: &str = "/api/v1/namespaces/default/configmaps";

async fn configmap(client: &kube::Client, name: &str) -> Value {
    let (code, cm) = json_req(
        client,
        "POST",
        CMS,
        json!({"metadata": {"name": name}, "data": {"k": "v"}}),
    )
    .await;
    assert_eq!(code, 201, "{cm}");
    cm
}

fn rv_of(v: &Value) -> u64 {
    v["metadata"]["resourceVersion"].as_str().unwrap().parse().unwrap()
}

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn query_parameters_are_checked_with_the_real_servers_answers() {
    let engine = Engine::start_no_run();
    let client = engine.client().await;

    let (code, status) = json_req(
        &client,
        "POST",
        &format!("{CMS}?dryRun=Bogus"),
        json!({"metadata": {"name": "a"}}),
    )
    .await;
    assert_eq!(code, 422, "{status}");
    assert_eq!(
        status["message"],
        r#"CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["Bogus"]: supported values: "All""#
    );
    assert_eq!(status["details"]["causes"][0]["field"], "dryRun");
    let (code, _) = json_req(&client, "GET", &format!("{CMS}/a"), Value::Null).await;
    assert_eq!(code, 404, "a refused dry run writes nothing");

    let cm = configmap(&client, "a").await;
    for (method, options) in [
        ("PUT", "UpdateOptions"),
        ("PATCH", "PatchOptions"),
        ("DELETE", "DeleteOptions"),
    ] {
        let body = if method == "DELETE" {
            Value::Null
        } else {
            json!({"metadata": {"name": "a"}})
        };
        let (code, status) = json_req(&client, method, &format!("{CMS}/a?dryRun=Bogus"), body).await;
        assert_eq!(code, 422, "{method}: {status}");
        assert!(
            status["message"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{options}.meta.k8s.io")),
            "{status}"
        );
    }
    let (code, status) = json_req(
        &client,
        "DELETE",
        &format!("{CMS}/a?propagationPolicy=Bogus"),
        Value::Null,
    )
    .await;
    assert_eq!(code, 422);
    assert_eq!(
        status["message"],
        r#"DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Bogus": supported values: "Foreground", "Background", "Orphan", "nil""#
    );
    let long = "x".repeat(129);
    let (code, status) = json_req(
        &client,
        "POST",
        &format!("{CMS}?fieldManager={long}"),
        json!({"metadata": {"name": "b"}}),
    )
    .await;
    assert_eq!(code, 422);
    assert_eq!(
        status["message"],
        r#"CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes"#
    );
    let (code, status) = json_req(&client, "PATCH", &format!("{CMS}/a?fieldManager=a%0Ab"), json!({})).await;
    assert_eq!(code, 422);
    assert_eq!(
        status["message"],
        r#"PatchOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "a\nb": invalid character U+000A (at position 1)"#
    );
    let (code, status) = json_req(&client, "GET", &format!("{CMS}?limit=abc"), Value::Null).await;
    assert_eq!(
        (code, status["message"].as_str()),
        (400, Some(r#"strconv.ParseInt: parsing "abc": invalid syntax"#))
    );
    let (code, status) = json_req(&client, "GET", &format!("{CMS}?timeoutSeconds=x"), Value::Null).await;
    assert_eq!(
        (code, status["message"].as_str()),
        (400, Some(r#"strconv.ParseInt: parsing "x": invalid syntax"#))
    );
    let (code, status) = json_req(
        &client,
        "GET",
        &format!("{CMS}?resourceVersionMatch=Exact"),
        Value::Null,
    )
    .await;
    assert_eq!(code, 422);
    assert_eq!(
        status["message"],
        r#"ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided"#
    );
    let (code, status) = json_req(
        &client,
        "GET",
        &format!("{CMS}?resourceVersion=1&resourceVersionMatch=Bogus"),
        Value::Null,
    )
    .await;
    assert_eq!(code, 422);
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .ends_with(r#"Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", """#),
        "{status}"
    );

    // Exact: the store as it was at that version; a future one is the real 504.
    let at = rv_of(&cm);
    configmap(&client, "c").await;
    let (code, list) = json_req(
        &client,
        "GET",
        &format!("{CMS}?resourceVersion={at}&resourceVersionMatch=Exact"),
        Value::Null,
    )
    .await;
    assert_eq!(code, 200, "{list}");
    // (Every namespace holds its kube-root-ca.crt, as on a real cluster.)
    assert_eq!(names(&list), ["a", "kube-root-ca.crt"]);
    assert_eq!(list["metadata"]["resourceVersion"], at.to_string());
    let (code, list) = json_req(
        &client,
        "GET",
        &format!("{CMS}?resourceVersion={at}&resourceVersionMatch=NotOlderThan"),
        Value::Null,
    )
    .await;
    assert_eq!(
        (code, names(&list)),
        (200, vec!["a".into(), "c".into(), "kube-root-ca.crt".into()])
    );
    // (kubectl, which does not retry a 504 as the kube crate does)
    let run = engine.kubectl(&[
        "get",
        "--raw",
        &format!("{CMS}?resourceVersion=999999&resourceVersionMatch=NotOlderThan"),
    ]);
    assert!(
        run.stderr
            .contains("(Timeout): Timeout: Too large resource version: 999999, current: "),
        "{}",
        run.stderr
    );

    // After a restart the engine no longer has the old versions: 410 as on a compacted server.
    assert_eq!(engine.kfn(&["local", "stop"]).code, 0);
    assert_eq!(engine.kfn(&["local", "start", "--no-run"]).code, 0);
    let client = engine.client().await;
    let (code, status) = json_req(
        &client,
        "GET",
        &format!("{CMS}?resourceVersion={at}&resourceVersionMatch=Exact"),
        Value::Null,
    )
    .await;
    assert_eq!(code, 410, "{status}");
    assert_eq!(status["reason"], "Expired");
    assert_eq!(
        status["message"],
        "The resourceVersion for the provided list is too old."
    );
}

#[tokio::test]
async fn paged_lists_show_the_first_pages_snapshot() {
    let engine = Engine::start_no_run();
    let client = engine.client().await;
    for n in ["a", "b", "c", "d"] {
        configmap(&client, n).await;
    }
    let (code, first) = json_req(&client, "GET", &format!("{CMS}?limit=2"), Value::Null).await;
    assert_eq!(code, 200);
    assert_eq!(names(&first), ["a", "b"]);
    // c, d and the namespace's kube-root-ca.crt (every namespace has one, as on a real cluster).
    assert_eq!(first["metadata"]["remainingItemCount"], 3);
    let token = first["metadata"]["continue"].as_str().unwrap().to_string();
    // Between the pages: one object deleted, one created, one changed.
    let (code, _) = json_req(&client, "DELETE", &format!("{CMS}/c"), Value::Null).await;
    assert_eq!(code, 200);
    configmap(&client, "bb").await;
    let (code, _) = json_req(&client, "PATCH", &format!("{CMS}/d"), json!({"data": {"k": "changed"}})).await;
    assert_eq!(code, 200);
    let (code, second) = json_req(&client, "GET", &format!("{CMS}?limit=3&continue={token}"), Value::Null).await;
    assert_eq!(code, 200, "{second}");
    assert_eq!(
        names(&second),
        ["c", "d", "kube-root-ca.crt"],
        "the rest as at the first page"
    );
    assert_eq!(second["items"][1]["data"]["k"], "v");
    assert_eq!(
        second["metadata"]["resourceVersion"],
        first["metadata"]["resourceVersion"]
    );
    assert!(second["metadata"].get("continue").is_none());
    // With a selector, the real server gives no remainingItemCount.
    let (_, selected) = json_req(
        &client,
        "GET",
        &format!("{CMS}?limit=1&fieldSelector=metadata.name!=x"),
        Value::Null,
    )
    .await;
    assert!(selected["metadata"]["continue"].is_string());
    assert!(selected["metadata"].get("remainingItemCount").is_none(), "{selected}");
    // A full page of the selected goes on while objects follow it, selected or not; the page
    // after it is then empty and the last, as on the real server.
    let only_a = "metadata.name!=b,metadata.name!=bb,metadata.name!=d,metadata.name!=kube-root-ca.crt";
    let (_, first_a) = json_req(
        &client,
        "GET",
        &format!("{CMS}?limit=1&fieldSelector={only_a}"),
        Value::Null,
    )
    .await;
    assert_eq!(names(&first_a), ["a"]);
    let token_a = first_a["metadata"]["continue"].as_str().expect("b and more follow a");
    let (_, after_a) = json_req(
        &client,
        "GET",
        &format!("{CMS}?limit=1&fieldSelector={only_a}&continue={token_a}"),
        Value::Null,
    )
    .await;
    assert!(
        names(&after_a).is_empty() && after_a["metadata"].get("continue").is_none(),
        "{after_a}"
    );
    // A list of one name reads that one object: never paged.
    let (_, named) = json_req(
        &client,
        "GET",
        &format!("{CMS}?limit=1&fieldSelector=metadata.name=a"),
        Value::Null,
    )
    .await;
    assert_eq!(names(&named), ["a"]);
    assert!(named["metadata"].get("continue").is_none(), "{named}");
    // Any version (0) is answered whole, whatever the limit.
    let (_, any) = json_req(&client, "GET", &format!("{CMS}?limit=1&resourceVersion=0"), Value::Null).await;
    assert_eq!(names(&any), ["a", "b", "bb", "d", "kube-root-ca.crt"], "{any}");
    assert!(any["metadata"].get("continue").is_none());

    // A token whose snapshot is gone (here: the engine restarted) is the real 410, with a
    // fresh token that goes on from the newest data.
    assert_eq!(engine.kfn(&["local", "stop"]).code, 0);
    assert_eq!(engine.kfn(&["local", "start", "--no-run"]).code, 0);
    let client = engine.client().await;
    let (code, status) = json_req(&client, "GET", &format!("{CMS}?limit=2&continue={token}"), Value::Null).await;
    assert_eq!(code, 410, "{status}");
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .starts_with("The provided continue parameter is too old")
    );
    let fresh = status["metadata"]["continue"].as_str().unwrap();
    let (code, rest) = json_req(&client, "GET", &format!("{CMS}?limit=5&continue={fresh}"), Value::Null).await;
    assert_eq!(
        (code, names(&rest)),
        (
            200,
            vec!["bb".to_string(), "d".to_string(), "kube-root-ca.crt".to_string()]
        ),
        "{rest}"
    );
    let (code, status) = json_req(
        &client,
        "GET",
        &format!("{CMS}?continue={token}&resourceVersion=3"),
        Value::Null,
    )
    .await;
    assert_eq!(
        (code, status["message"].as_str()),
        (
            400,
            Some("specifying resource version is not allowed when using continue")
        )
    );
}

#[tokio::test]
async fn accept_headers_get_metadata_only_yaml_or_406() {
    let engine = Engine::start_no_run();
    let client = engine.client().await;
    configmap(&client, "a").await;
    let partial_list = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
    let (code, _, text) = send(&client, "GET", CMS, &[("accept", partial_list)], "").await;
    let list: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(code, 200);
    assert_eq!(
        (list["kind"].as_str(), list["apiVersion"].as_str()),
        (Some("PartialObjectMetadataList"), Some("meta.k8s.io/v1"))
    );
    assert_eq!(list["items"][0]["kind"], "PartialObjectMetadata");
    assert_eq!(list["items"][0]["metadata"]["name"], "a");
    assert!(list["items"][0].get("data").is_none(), "metadata only: {text}");
    let partial = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1beta1";
    let (code, _, text) = send(&client, "GET", &format!("{CMS}/a"), &[("accept", partial)], "").await;
    let one: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (code, one["kind"].as_str(), one["apiVersion"].as_str()),
        (200, Some("PartialObjectMetadata"), Some("meta.k8s.io/v1beta1"))
    );
    assert!(one.get("data").is_none());
    let (code, _, text) = send(&client, "GET", &format!("{CMS}/a"), &[("accept", partial_list)], "").await;
    assert_eq!(code, 406, "{text}");
    assert!(
        text.contains(
            "you requested PartialObjectMetadataList, but the requested object is not a list (*core.ConfigMap)"
        )
    );

    let (code, content_type, text) = send(
        &client,
        "GET",
        &format!("{CMS}/a"),
        &[("accept", "application/yaml")],
        "",
    )
    .await;
    assert_eq!((code, content_type.as_str()), (200, "application/yaml"));
    assert!(text.contains("kind: ConfigMap") && text.contains("name: a"), "{text}");
    let (code, content_type, text) = send(
        &client,
        "GET",
        &format!("{CMS}/nope"),
        &[("accept", "application/yaml")],
        "",
    )
    .await;
    assert_eq!((code, content_type.as_str()), (404, "application/yaml"));
    assert!(text.contains("reason: NotFound"), "{text}");

    let (code, _, text) = send(&client, "GET", &format!("{CMS}/a"), &[("accept", "text/html")], "").await;
    assert_eq!(code, 406);
    assert!(
        text.contains("Available representations: application/json, application/yaml"),
        "{text}"
    );
    // Tables still work, with kubectl's own Accept.
    let table = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
    let (code, _, text) = send(&client, "GET", CMS, &[("accept", table)], "").await;
    assert_eq!(code, 200);
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["kind"], "Table");
}

#[tokio::test]
async fn percent_encoded_paths_are_decoded() {
    let engine = Engine::start_no_run();
    let client = engine.client().await;
    configmap(&client, "a-b").await;
    let (code, cm) = json_req(&client, "GET", &format!("{CMS}/a%2Db"), Value::Null).await;
    assert_eq!((code, cm["metadata"]["name"].as_str()), (200, Some("a-b")));
    let (code, _) = json_req(
        &client,
        "GET",
        "/api/v1/namespaces/de%66ault/configmaps/a-b",
        Value::Null,
    )
    .await;
    assert_eq!(code, 200);
    // The service proxy's `name:port` too: a service that does not exist is the Service's 404,
    // not the path's.
    let (code, _, text) = send(
        &client,
        "GET",
        "/api/v1/namespaces/default/services/hello%3A8080/proxy/",
        &[],
        "",
    )
    .await;
    assert_eq!(code, 404, "{text}");
    assert!(
        text.contains(r#"services \"hello\" not found"#) || text.contains(r#"services "hello" not found"#),
        "{text}"
    );
}

#[tokio::test]
async fn deletion_rules_and_answers_are_the_real_servers() {
    let engine = Engine::start_no_run();
    let client = engine.client().await;
    // A dry-run create has no resourceVersion; a dry-run update keeps the stored one.
    let (code, dry) = json_req(
        &client,
        "POST",
        &format!("{CMS}?dryRun=All"),
        json!({"metadata": {"name": "a"}}),
    )
    .await;
    assert_eq!(code, 201);
    assert!(dry["metadata"].get("resourceVersion").is_none(), "{dry}");
    let cm = configmap(&client, "a").await;
    let (code, dry) = json_req(
        &client,
        "PUT",
        &format!("{CMS}/a?dryRun=All"),
        json!({"metadata": {"name": "a"}, "data": {"x": "y"}}),
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(dry["metadata"]["resourceVersion"], cm["metadata"]["resourceVersion"]);
    assert_eq!(dry["data"]["x"], "y");

    // No status subresource: no /status path.
    let (code, status) = json_req(&client, "GET", &format!("{CMS}/a/status"), Value::Null).await;
    assert_eq!(
        (code, status["message"].as_str()),
        (404, Some("the server could not find the requested resource"))
    );
    let (code, _) = json_req(&client, "PATCH", &format!("{CMS}/a/status"), json!({})).await;
    assert_eq!(code, 404);

    // An object removed at once: a Status naming it.
    let (code, status) = json_req(&client, "DELETE", &format!("{CMS}/a"), Value::Null).await;
    assert_eq!(code, 200);
    assert_eq!(
        (status["kind"].as_str(), status["status"].as_str()),
        (Some("Status"), Some("Success")),
        "{status}"
    );
    assert_eq!(
        status["details"],
        json!({"name": "a", "kind": "configmaps", "uid": cm["metadata"]["uid"]})
    );

    // A Deployment kept by a finalizer: the object, its generation bumped, and no new finalizer.
    let deps = "/apis/apps/v1/namespaces/default/deployments";
    let deployment = json!({"metadata": {"name": "d", "finalizers": ["example.com/x"]}, "spec": {"selector": {"matchLabels": {"a": "b"}},
        "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}}}});
    let (code, created) = json_req(&client, "POST", deps, deployment).await;
    assert_eq!(code, 201, "{created}");
    let generation = created["metadata"]["generation"].as_i64().unwrap();
    let (code, marked) = json_req(&client, "DELETE", &format!("{deps}/d"), Value::Null).await;
    assert_eq!(code, 200);
    assert_eq!(marked["kind"], "Deployment");
    assert!(marked["metadata"]["deletionTimestamp"].is_string());
    assert_eq!(marked["metadata"]["generation"], generation + 1);
    let (code, status) = json_req(
        &client,
        "PATCH",
        &format!("{deps}/d"),
        json!({"metadata": {"finalizers": ["example.com/x", "example.com/y"]}}),
    )
    .await;
    assert_eq!(code, 422, "{status}");
    assert_eq!(
        status["message"],
        r#"Deployment.apps "d" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/y"}"#
    );
    assert_eq!(status["details"]["group"], "apps");
    let (code, _) = json_req(
        &client,
        "PATCH",
        &format!("{deps}/d"),
        json!({"metadata": {"finalizers": null}}),
    )
    .await;
    assert_eq!(code, 200);
    let (code, status) = json_req(&client, "GET", &format!("{deps}/d"), Value::Null).await;
    assert_eq!(code, 404);
    assert_eq!(
        status["details"],
        json!({"name": "d", "group": "apps", "kind": "deployments"})
    );
}

#[tokio::test]
async fn events_name_their_object_so_describe_shows_them() {
    use crate::common::{deploy_code, ok};
    use std::time::Duration;
    let engine = Engine::start();
    ok(
        &deploy_code(
            &engine,
            "crashy",
            "python3.11",
            "crashy.py",
            "raise SystemExit('broken on purpose')\n",
            &[],
        ),
        "deploy",
    );
    let client = engine.client().await;
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    let (pod, event) = loop {
        let pods = json_req(
            &client,
            "GET",
            "/api/v1/namespaces/default/pods?labelSelector=function%3Dcrashy",
            Value::Null,
        )
        .await
        .1;
        let events = json_req(
            &client,
            "GET",
            "/api/v1/namespaces/default/events?fieldSelector=reason%3DBackOff",
            Value::Null,
        )
        .await
        .1;
        if let (Some(pod), Some(one)) = (pods["items"].get(0), events["items"].get(0)) {
            break (pod.clone(), one.clone());
        }
        assert!(std::time::Instant::now() < deadline, "no BackOff event: {events}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let involved = &event["involvedObject"];
    assert_eq!(involved["uid"], pod["metadata"]["uid"], "{event}");
    assert_eq!(involved["kind"], "Pod");
    assert!(involved["resourceVersion"].is_string(), "{event}");
    assert!(
        involved["fieldPath"].as_str().unwrap().starts_with("spec.containers{"),
        "{event}"
    );
    assert_ne!(event["firstTimestamp"], Value::Null);
    let pod_name = pod["metadata"]["name"].as_str().unwrap();
    let describe = engine.kubectl(&["describe", "pod", pod_name]);
    ok(&describe, "describe pod");
    assert!(
        describe.stdout.contains("BackOff"),
        "describe shows the pod's events: {}",
        describe.stdout
    );
}

#[tokio::test]
async fn managed_fields_record_every_write_and_apply_conflicts_as_the_real_server() {
    let engine = Engine::start_no_run();
    let client = engine.client().await;
    let managers = |v: &Value| -> Vec<(String, String)> {
        v["metadata"]["managedFields"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                (
                    e["manager"].as_str().unwrap().to_string(),
                    e["operation"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let body = json!({"metadata": {"name": "m", "labels": {"x": "1"}}, "data": {"key": "a", "other": "b"}}).to_string();
    let (code, _, text) = send(
        &client,
        "POST",
        CMS,
        &[
            ("content-type", "application/json"),
            ("user-agent", "kubectl-create/v1.37.2 (linux/amd64) kubernetes/abc"),
        ],
        &body,
    )
    .await;
    assert_eq!(code, 201, "{text}");
    let created: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        managers(&created),
        [("kubectl-create".to_string(), "Update".to_string())]
    );
    assert_eq!(
        created["metadata"]["managedFields"][0]["fieldsV1"],
        json!({"f:data": {".": {}, "f:key": {}, "f:other": {}}, "f:metadata": {"f:labels": {".": {}, "f:x": {}}}})
    );
    let edit = json!({"data": {"key": "edited"}}).to_string();
    let (code, _, text) = send(
        &client,
        "PATCH",
        &format!("{CMS}/m"),
        &[
            ("content-type", "application/merge-patch+json"),
            ("user-agent", "kubectl-edit/v1.37.2"),
        ],
        &edit,
    )
    .await;
    assert_eq!(code, 200, "{text}");
    let edited: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        edited["metadata"]["managedFields"][1]["fieldsV1"],
        json!({"f:data": {"f:key": {}}})
    );

    let apply = |force: bool, config: Value| {
        let client = client.clone();
        async move {
            let uri = format!("{CMS}/m?fieldManager=kubectl{}", if force { "&force=true" } else { "" });
            let config =
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "m"}, "data": config}).to_string();
            let (code, _, text) = send(
                &client,
                "PATCH",
                &uri,
                &[("content-type", "application/apply-patch+yaml")],
                &config,
            )
            .await;
            (code, serde_json::from_str::<Value>(&text).unwrap())
        }
    };
    let (code, status) = apply(false, json!({"key": "applied"})).await;
    assert_eq!(code, 409, "{status}");
    assert_eq!(status["reason"], "Conflict");
    assert_eq!(
        status["message"],
        "Apply failed with 1 conflict: conflict with \"kubectl-edit\" using v1: .data.key"
    );
    assert_eq!(
        status["details"]["causes"],
        json!([{"reason": "FieldManagerConflict", "message": "conflict with \"kubectl-edit\" using v1", "field": ".data.key"}])
    );
    let (code, forced) = apply(true, json!({"key": "applied"})).await;
    assert_eq!(code, 200, "{forced}");
    assert_eq!(forced["data"]["key"], "applied");
    assert_eq!(
        managers(&forced),
        [
            ("kubectl".to_string(), "Apply".to_string()),
            ("kubectl-create".to_string(), "Update".to_string())
        ],
        "the forced apply took the field from kubectl-edit"
    );
    // A later apply without the field deletes it (only kubectl owned it) and leaves the
    // fields other managers own.
    let (code, later) = apply(false, json!({"mine": "1"})).await;
    assert_eq!(code, 200, "{later}");
    assert_eq!(later["data"], json!({"other": "b", "mine": "1"}));
    assert_eq!(later["metadata"]["labels"], json!({"x": "1"}));
    assert_eq!(
        later["metadata"]["managedFields"][0]["fieldsV1"],
        json!({"f:data": {"f:mine": {}}})
    );
}

#[tokio::test]
async fn odd_requests_get_an_answer_not_a_dropped_connection() {
    let engine = Engine::start_no_run();
    let client = engine.client().await;
    // A body with no metadata, however fields are checked: the name it lacks is named.
    for query in ["", "?fieldValidation=Ignore", "?fieldValidation=Strict"] {
        let (code, status) = json_req(&client, "POST", &format!("{CMS}{query}"), json!({"data": {"k": "v"}})).await;
        assert_eq!(code, 422, "{query}: {status}");
        assert!(
            status["message"].as_str().unwrap_or_default().contains("name"),
            "{query}: {status}"
        );
    }
    // A named watch whose name no object can have.
    let (code, _, body) = send(&client, "GET", &format!("{CMS}/a,b?watch=1&timeoutSeconds=1"), &[], "").await;
    assert_eq!(code, 200, "{body}");
    assert!(!body.contains("\"ADDED\""), "{body}");
    // A timeout past what a clock can hold is served (and ends when the client goes).
    let watch = tokio::time::timeout(
        std::time::Duration::from_secs(3),
        send(
            &client,
            "GET",
            &format!("{CMS}?watch=1&timeoutSeconds=9223372036854775807"),
            &[],
            "",
        ),
    )
    .await;
    assert!(watch.is_err(), "the watch stays open: {watch:?}");
    // The engine still answers.
    assert_eq!(json_req(&client, "GET", CMS, Value::Null).await.0, 200);
}
