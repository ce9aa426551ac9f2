//! The engine's API semantics, through the kube crate as kfn itself uses it.

use futures::{StreamExt, TryStreamExt};
use http::Request;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{
    Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams,
};
use serde_json::{Value, json};

use crate::common::{Engine, function, functions, raw};

fn configmap(name: &str, labels: Value) -> ConfigMap {
    serde_json::from_value(json!({"metadata": {"name": name, "labels": labels}, "data": {"k": "v"}})).unwrap()
}

fn rv(o: &impl kube::Resource) -> u64 {
    o.meta().resource_version.as_deref().unwrap().parse().unwrap()
}

fn api_status(err: kube::Error) -> (u16, String) {
    match err {
        kube::Error::Api(s) => (s.code, s.reason),
        other => panic!("expected an API error, got {other}"),
    }
}

#[tokio::test]
async fn configmaps_are_created_listed_by_label_and_deleted() {
    let engine = Engine::start_no_run();
    let cms: Api<ConfigMap> = Api::namespaced(engine.client().await, "default");
    let pp = PostParams::default();
    let created = cms
        .create(&pp, &configmap("a", json!({"app": "web", "tier": "front"})))
        .await
        .unwrap();
    let meta = &created.metadata;
    assert!(meta.uid.as_deref().is_some_and(|u| u.len() == 36), "a uid is assigned");
    assert!(meta.creation_timestamp.is_some());
    cms.create(&pp, &configmap("b", json!({"app": "db"}))).await.unwrap();
    cms.create(&pp, &configmap("c", json!({"tier": "back"}))).await.unwrap();

    // Every namespace also holds kube-root-ca.crt, as on a cluster.
    let names = |list: kube::core::ObjectList<ConfigMap>| -> Vec<String> {
        list.items
            .into_iter()
            .map(|c| c.metadata.name.unwrap())
            .filter(|n| n != "kube-root-ca.crt")
            .collect()
    };
    let cases = [
        ("app=web", vec!["a"]),
        ("app==db", vec!["b"]),
        ("app!=web", vec!["b", "c"]),
        ("app in (web,db)", vec!["a", "b"]),
        ("app notin (web)", vec!["b", "c"]),
        ("tier", vec!["a", "c"]),
        ("!tier", vec!["b"]),
    ];
    for (selector, want) in cases {
        let got = names(cms.list(&ListParams::default().labels(selector)).await.unwrap());
        assert_eq!(got, want, "labelSelector {selector}");
    }
    let by_name = names(
        cms.list(&ListParams::default().fields("metadata.name=b"))
            .await
            .unwrap(),
    );
    assert_eq!(by_name, ["b"]);

    cms.delete("a", &DeleteParams::default()).await.unwrap();
    let (code, reason) = api_status(cms.get("a").await.unwrap_err());
    assert_eq!((code, reason.as_str()), (404, "NotFound"));
    let (code, reason) = api_status(cms.delete("a", &DeleteParams::default()).await.unwrap_err());
    assert_eq!((code, reason.as_str()), (404, "NotFound"));
}

#[tokio::test]
async fn functions_follow_create_conflict_update_and_delete_rules() {
    let engine = Engine::start_no_run();
    let fns = functions(&engine.client().await, "default");
    let f: DynamicObject = serde_json::from_value(function("hello")).unwrap();
    let created = fns.create(&PostParams::default(), &f).await.unwrap();
    assert_eq!(created.metadata.generation, Some(1));
    let (code, reason) = api_status(fns.create(&PostParams::default(), &f).await.unwrap_err());
    assert_eq!((code, reason.as_str()), (409, "AlreadyExists"));

    // A spec change bumps the generation; a stale resourceVersion is a conflict.
    let mut changed = created.clone();
    changed.data["spec"]["timeout"] = json!("5");
    let updated = fns.replace("hello", &PostParams::default(), &changed).await.unwrap();
    assert_eq!(updated.metadata.generation, Some(2));
    assert!(rv(&updated) > rv(&created));
    let (code, reason) = api_status(
        fns.replace("hello", &PostParams::default(), &changed)
            .await
            .unwrap_err(),
    );
    assert_eq!((code, reason.as_str()), (409, "Conflict"));

    // A label change is metadata only: no generation bump.
    let patched = fns
        .patch(
            "hello",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"x": "y"}}})),
        )
        .await
        .unwrap();
    assert_eq!(patched.metadata.generation, Some(2));
    assert_eq!(patched.metadata.labels.unwrap()["x"], "y");

    let jp: json_patch::Patch =
        serde_json::from_value(json!([{"op": "replace", "path": "/spec/handler", "value": "m.f"}])).unwrap();
    let patched = fns
        .patch("hello", &PatchParams::default(), &Patch::<()>::Json(jp))
        .await
        .unwrap();
    assert_eq!(patched.data["spec"]["handler"], "m.f");

    fns.delete("hello", &DeleteParams::default()).await.unwrap();
    assert!(fns.get_opt("hello").await.unwrap().is_none());
}

#[tokio::test]
async fn server_side_apply_creates_is_idempotent_and_updates() {
    let engine = Engine::start_no_run();
    let fns = functions(&engine.client().await, "default");
    let pp = PatchParams::apply("kfn-test");
    let first = fns
        .patch("applied", &pp, &Patch::Apply(function("applied")))
        .await
        .unwrap();
    let again = fns
        .patch("applied", &pp, &Patch::Apply(function("applied")))
        .await
        .unwrap();
    assert_eq!(
        first.metadata.resource_version, again.metadata.resource_version,
        "a repeated apply changes nothing"
    );
    let managers: Vec<_> = again
        .metadata
        .managed_fields
        .clone()
        .unwrap()
        .into_iter()
        .filter_map(|m| m.manager)
        .collect();
    assert_eq!(managers, ["kfn-test"]);

    let mut changed = function("applied");
    changed["spec"]["runtime"] = json!("nodejs20");
    changed["metadata"]["labels"] = json!({"function": "applied"});
    let updated = fns.patch("applied", &pp, &Patch::Apply(changed)).await.unwrap();
    assert_eq!(updated.data["spec"]["runtime"], "nodejs20");
    assert!(rv(&updated) > rv(&again));
    let labels = updated.metadata.labels.unwrap();
    assert!(
        !labels.contains_key("created-by"),
        "a label the manager stopped applying is removed: {labels:?}"
    );
}

#[tokio::test]
async fn finalizers_hold_deletion_until_removed() {
    let engine = Engine::start_no_run();
    let cms: Api<ConfigMap> = Api::namespaced(engine.client().await, "default");
    let mut cm = configmap("held", json!({}));
    cm.metadata.finalizers = Some(vec!["kfn.test/hold".into()]);
    cms.create(&PostParams::default(), &cm).await.unwrap();
    cms.delete("held", &DeleteParams::default()).await.unwrap();
    let held = cms.get("held").await.unwrap();
    assert!(
        held.metadata.deletion_timestamp.is_some(),
        "still there, marked for deletion"
    );
    cms.patch(
        "held",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"finalizers": null}})),
    )
    .await
    .unwrap();
    assert!(
        cms.get_opt("held").await.unwrap().is_none(),
        "gone once the last finalizer is removed"
    );
}

#[tokio::test]
async fn a_watch_sees_added_modified_and_deleted_in_order() {
    let engine = Engine::start_no_run();
    let client = engine.client().await;
    let fns = functions(&client, "default");
    let list = fns.list(&ListParams::default()).await.unwrap();
    let rv = list.metadata.resource_version.unwrap();
    let mut stream = fns
        .watch(&WatchParams::default().timeout(20), &rv)
        .await
        .unwrap()
        .boxed();

    let f: DynamicObject = serde_json::from_value(function("watched")).unwrap();
    fns.create(&PostParams::default(), &f).await.unwrap();
    fns.patch(
        "watched",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"timeout": "9"}})),
    )
    .await
    .unwrap();
    fns.delete("watched", &DeleteParams::default()).await.unwrap();

    let mut seen = Vec::new();
    while seen.len() < 3 {
        let event = tokio::time::timeout(std::time::Duration::from_secs(10), stream.try_next())
            .await
            .expect("an event within 10 s")
            .unwrap()
            .expect("the stream stays open");
        match event {
            WatchEvent::Added(o) => seen.push(("ADDED", o.metadata.name.unwrap())),
            WatchEvent::Modified(o) => seen.push(("MODIFIED", o.metadata.name.unwrap())),
            WatchEvent::Deleted(o) => seen.push(("DELETED", o.metadata.name.unwrap())),
            other => panic!("unexpected {other:?}"),
        }
    }
    let kinds: Vec<_> = seen.iter().map(|(k, n)| format!("{k} {n}")).collect();
    assert_eq!(kinds, ["ADDED watched", "MODIFIED watched", "DELETED watched"]);
}

#[tokio::test]
async fn lists_page_with_limit_and_continue() {
    let engine = Engine::start_no_run();
    let cms: Api<ConfigMap> = Api::namespaced(engine.client().await, "default");
    for i in 0..7 {
        cms.create(
            &PostParams::default(),
            &configmap(&format!("page-{i}"), json!({"paged": "yes"})),
        )
        .await
        .unwrap();
    }
    let mut names = Vec::new();
    let mut params = ListParams::default().labels("paged").limit(3);
    let mut pages = 0;
    loop {
        let page = cms.list(&params).await.unwrap();
        pages += 1;
        names.extend(page.items.into_iter().map(|c| c.metadata.name.unwrap()));
        match page.metadata.continue_ {
            Some(token) if !token.is_empty() => params = params.continue_token(&token),
            _ => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(names, (0..7).map(|i| format!("page-{i}")).collect::<Vec<_>>());
}

#[tokio::test]
async fn concurrent_writers_never_lose_an_update() {
    let engine = Engine::start_no_run();
    let cms: Api<ConfigMap> = Api::namespaced(engine.client().await, "default");
    cms.create(
        &PostParams::default(),
        &serde_json::from_value(json!({"metadata": {"name": "counter"}, "data": {"n": "0"}})).unwrap(),
    )
    .await
    .unwrap();
    let (writers, each) = (8, 10);
    let tasks: Vec<_> = (0..writers)
        .map(|_| {
            let cms = cms.clone();
            tokio::spawn(async move {
                for _ in 0..each {
                    loop {
                        let mut cm = cms.get("counter").await.unwrap();
                        let data = cm.data.get_or_insert_default();
                        let n: u32 = data["n"].parse().unwrap();
                        data.insert("n".into(), (n + 1).to_string());
                        match cms.replace("counter", &PostParams::default(), &cm).await {
                            Ok(_) => break,
                            Err(kube::Error::Api(s)) if s.code == 409 => continue,
                            Err(e) => panic!("{e}"),
                        }
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let n = cms.get("counter").await.unwrap().data.unwrap()["n"].clone();
    assert_eq!(n, (writers * each).to_string());
}

#[tokio::test]
async fn a_crd_created_later_is_served() {
    let engine = Engine::start_no_run();
    let client = engine.client().await;
    let crds: Api<DynamicObject> = Api::all_with(
        client.clone(),
        &kube::api::ApiResource::from_gvk(&kube::api::GroupVersionKind::gvk(
            "apiextensions.k8s.io",
            "v1",
            "CustomResourceDefinition",
        )),
    );
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"kind": "Widget", "plural": "widgets"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}
    });
    let created = crds
        .create(&PostParams::default(), &serde_json::from_value(crd).unwrap())
        .await
        .unwrap();
    let established = created.data["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["type"] == "Established");
    assert!(established);
    let widgets: Api<DynamicObject> = Api::namespaced_with(
        client.clone(),
        "team-a",
        &kube::api::ApiResource::from_gvk(&kube::api::GroupVersionKind::gvk("example.com", "v1", "Widget")),
    );
    let w = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1"}, "spec": {"size": 3}});
    widgets
        .create(&PostParams::default(), &serde_json::from_value(w).unwrap())
        .await
        .unwrap();
    assert_eq!(widgets.get("w1").await.unwrap().data["spec"]["size"], 3);
    // The namespace was created on demand.
    let ns: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    assert!(ns.get_opt("team-a").await.unwrap().is_some());
    // Deleting the CRD stops serving it.
    crds.delete("widgets.example.com", &DeleteParams::default())
        .await
        .unwrap();
    let (code, _) = api_status(widgets.get("w1").await.unwrap_err());
    assert_eq!(code, 404);
}

/// One bad request: what it sends, and the code and reason the API server gives.
struct Bad {
    what: &'static str,
    method: &'static str,
    path: &'static str,
    content_type: &'static str,
    body: Vec<u8>,
    code: u16,
    reason: &'static str,
}

#[tokio::test]
async fn bad_input_gets_the_api_servers_status_and_changes_nothing() {
    // No replicas: nothing else may write while the store is compared.
    let engine = Engine::start_no_run();
    let client = engine.client().await;
    let cm_path = "/api/v1/namespaces/default/configmaps";
    let fn_path = "/apis/kubeless.io/v1beta1/namespaces/default/functions";
    let cases = vec![
        Bad {
            what: "malformed JSON",
            method: "POST",
            path: cm_path,
            content_type: "application/json",
            body: b"{\"metadata\": ".to_vec(),
            code: 400,
            reason: "BadRequest",
        },
        Bad {
            what: "malformed YAML",
            method: "POST",
            path: cm_path,
            content_type: "application/yaml",
            body: b"metadata: [unclosed".to_vec(),
            code: 400,
            reason: "BadRequest",
        },
        Bad {
            what: "wrong kind for the URL",
            method: "POST",
            path: fn_path,
            content_type: "application/json",
            body: br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}"#.to_vec(),
            code: 400,
            reason: "BadRequest",
        },
        Bad {
            what: "name not a DNS-1123 subdomain",
            method: "POST",
            path: cm_path,
            content_type: "application/json",
            body: br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}}"#.to_vec(),
            code: 422,
            reason: "Invalid",
        },
        Bad {
            what: "no name",
            method: "POST",
            path: cm_path,
            content_type: "application/json",
            body: br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}"#.to_vec(),
            code: 422,
            reason: "Invalid",
        },
        Bad {
            what: "namespace mismatch",
            method: "POST",
            path: cm_path,
            content_type: "application/json",
            body: br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"other"}}"#.to_vec(),
            code: 400,
            reason: "BadRequest",
        },
        Bad {
            what: "unknown resource",
            method: "GET",
            path: "/api/v1/namespaces/default/widgets",
            content_type: "",
            body: vec![],
            code: 404,
            reason: "NotFound",
        },
        Bad {
            what: "unknown group",
            method: "GET",
            path: "/apis/nowhere.io/v1/things",
            content_type: "",
            body: vec![],
            code: 404,
            reason: "NotFound",
        },
        Bad {
            what: "unsupported patch type",
            method: "PATCH",
            path: "/api/v1/namespaces/default/configmaps/keep",
            content_type: "text/plain",
            body: b"{}".to_vec(),
            code: 415,
            reason: "UnsupportedMediaType",
        },
        Bad {
            what: "strategic merge on a custom resource",
            method: "PATCH",
            path: "/apis/kubeless.io/v1beta1/namespaces/default/functions/keep",
            content_type: "application/strategic-merge-patch+json",
            body: b"{}".to_vec(),
            code: 415,
            reason: "UnsupportedMediaType",
        },
        Bad {
            what: "oversize body",
            method: "POST",
            path: cm_path,
            content_type: "application/json",
            body: vec![b' '; 3 * 1024 * 1024 + 10],
            code: 413,
            reason: "RequestEntityTooLarge",
        },
        Bad {
            what: "method not allowed",
            method: "POST",
            path: "/api/v1/namespaces/default/configmaps/keep",
            content_type: "application/json",
            body: b"{}".to_vec(),
            code: 405,
            reason: "MethodNotAllowed",
        },
        Bad {
            what: "JSON patch that fails",
            method: "PATCH",
            path: "/api/v1/namespaces/default/configmaps/keep",
            content_type: "application/json-patch+json",
            body: br#"[{"op":"test","path":"/data/k","value":"nope"}]"#.to_vec(),
            code: 422,
            reason: "Invalid",
        },
    ];
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    cms.create(&PostParams::default(), &configmap("keep", json!({})))
        .await
        .unwrap();
    let fns = functions(&client, "default");
    fns.create(
        &PostParams::default(),
        &serde_json::from_value(function("keep")).unwrap(),
    )
    .await
    .unwrap();
    let before = (
        cms.list(&ListParams::default()).await.unwrap(),
        fns.list(&ListParams::default()).await.unwrap(),
    );
    for case in cases {
        let req = Request::builder()
            .method(case.method)
            .uri(case.path)
            .header("content-type", case.content_type)
            .body(case.body)
            .unwrap();
        let (code, status) = raw(&client, req).await;
        assert_eq!(code, case.code, "{}: {status}", case.what);
        assert_eq!(status["kind"], "Status", "{}: a Status body", case.what);
        assert_eq!(status["reason"], case.reason, "{}: {status}", case.what);
        assert_eq!(status["code"], case.code, "{}", case.what);
        assert!(
            !status["message"].as_str().unwrap_or_default().is_empty(),
            "{}: a message",
            case.what
        );
    }
    let after = (
        cms.list(&ListParams::default()).await.unwrap(),
        fns.list(&ListParams::default()).await.unwrap(),
    );
    assert_eq!(
        before.0.metadata.resource_version, after.0.metadata.resource_version,
        "the store is unchanged"
    );
    assert_eq!(before.1.items.len(), after.1.items.len());
}

#[tokio::test]
async fn requests_without_the_token_get_401() {
    let engine = Engine::start_no_run();
    let client = engine.client().await;
    let kubeconfig = std::fs::read_to_string(engine.kubeconfig()).unwrap();
    let tokenless: String = kubeconfig
        .lines()
        .filter(|l| !l.trim_start().starts_with("token:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let tokenless = tokenless.replace("  user:\n", "  user: {}\n");
    let kc: kube::config::Kubeconfig = kube::config::Kubeconfig::from_yaml(&tokenless).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .unwrap();
    let anonymous = kube::Client::try_from(config).unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(anonymous.clone(), "default");
    let (code, reason) = api_status(cms.list(&ListParams::default()).await.unwrap_err());
    assert_eq!((code, reason.as_str()), (401, "Unauthorized"));
    // With the token the same request works.
    let cms: Api<ConfigMap> = Api::namespaced(client, "default");
    assert!(cms.list(&ListParams::default()).await.is_ok());
}

/// The engine's `host:port`, from engine.json.
fn engine_address(engine: &Engine) -> String {
    let info: Value =
        serde_json::from_str(&std::fs::read_to_string(engine.state().join("engine.json")).unwrap()).unwrap();
    info["address"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn version_is_public_but_a_wrong_token_is_still_refused() {
    let engine = Engine::start_no_run();
    let kubeconfig = std::fs::read_to_string(engine.kubeconfig()).unwrap();
    let (tokenless, wrong): (String, String) = kubeconfig
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("token:") {
                (String::new(), "    token: not-the-token\n".to_string())
            } else {
                (format!("{l}\n"), format!("{l}\n"))
            }
        })
        .unzip();
    let client_from = |yaml: String| async move {
        let kc = kube::config::Kubeconfig::from_yaml(&yaml).unwrap();
        let config = kube::Config::from_custom_kubeconfig(kc, &Default::default())
            .await
            .unwrap();
        kube::Client::try_from(config).unwrap()
    };
    let anonymous = client_from(tokenless.replace("  user:\n", "  user: {}\n")).await;
    let version = anonymous.apiserver_version().await.expect("/version needs no token");
    assert!(!version.git_version.is_empty());
    let cms: Api<ConfigMap> = Api::namespaced(anonymous, "default");
    let (code, _) = api_status(cms.list(&ListParams::default()).await.unwrap_err());
    assert_eq!(code, 401, "everything else still needs the token");
    let impostor = client_from(wrong).await;
    let (code, reason) = api_status(impostor.apiserver_version().await.unwrap_err());
    assert_eq!((code, reason.as_str()), (401, "Unauthorized"));
}

#[test]
fn plain_http_on_the_api_port_gets_a_400_in_words() {
    use std::io::{Read, Write};
    let engine = Engine::start_no_run();
    let mut tcp = std::net::TcpStream::connect(engine_address(&engine)).unwrap();
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    tcp.write_all(b"GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let mut answer = Vec::new();
    tcp.read_to_end(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.0 400 Bad Request\r\n"), "{answer:?}");
    assert!(
        answer.contains("Client sent an HTTP request to an HTTPS server."),
        "{answer:?}"
    );
}

/// Sends one raw HTTPS request to the engine (as a Go client could: the http crate refuses URIs
/// over 64 KiB) and returns the whole answer.
fn raw_tls(engine: &Engine, request: &[u8]) -> String {
    use base64::Engine as _;
    use std::io::{Read, Write};
    let _ = rustls::crypto::ring::default_provider().install_default();
    let kubeconfig = kube::config::Kubeconfig::read_from(engine.kubeconfig()).unwrap();
    let ca = kubeconfig.clusters[0]
        .cluster
        .as_ref()
        .and_then(|c| c.certificate_authority_data.clone())
        .expect("the kubeconfig holds the CA");
    let ca = base64::engine::general_purpose::STANDARD.decode(ca).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    use rustls_pki_types::pem::PemObject as _;
    for cert in rustls_pki_types::CertificateDer::pem_slice_iter(&ca) {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = rustls_pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let conn = rustls::ClientConnection::new(std::sync::Arc::new(config), name).unwrap();
    let tcp = std::net::TcpStream::connect(engine_address(engine)).unwrap();
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    tls.write_all(request).unwrap();
    let mut answer = Vec::new();
    let _ = tls.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn an_over_long_url_gets_414_with_a_status() {
    let engine = Engine::start_no_run();
    let token = std::fs::read_to_string(engine.kubeconfig())
        .unwrap()
        .lines()
        .find_map(|l| l.trim().strip_prefix("token:").map(|t| t.trim().to_string()))
        .unwrap();
    let selector = format!("a in ({})", vec!["x"; 30_000].join(","));
    let uri = format!(
        "/api/v1/namespaces/default/configmaps?labelSelector={}",
        form_urlencoded::byte_serialize(selector.as_bytes()).collect::<String>()
    );
    assert!(uri.len() > 100_000);
    let get = |uri: &str| {
        raw_tls(
            &engine,
            format!(
                "GET {uri} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
            )
            .as_bytes(),
        )
    };
    let answer = get(&uri);
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    assert!(head.starts_with("HTTP/1.1 414 "), "{head}");
    assert!(
        head.to_ascii_lowercase().contains("content-type: application/json"),
        "{head}"
    );
    let status: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("a Status body ({e}): {body:?}"));
    assert_eq!(status["kind"], "Status", "{status}");
    assert_eq!(status["code"], 414);
    assert!(status["message"].as_str().unwrap().contains("URI"), "{status}");
    // The engine still answers.
    let answer = get("/api/v1/namespaces/default/configmaps");
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
}

#[tokio::test]
async fn list_limit_is_parsed_as_the_api_server_does() {
    let engine = Engine::start_no_run();
    let client = engine.client().await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    for i in 0..3 {
        cms.create(&PostParams::default(), &configmap(&format!("lim-{i}"), json!({})))
            .await
            .unwrap();
    }
    for bad in ["abc", "1.5", ""] {
        let uri = format!("/api/v1/namespaces/default/configmaps?limit={bad}");
        let (code, status) = raw(&client, Request::get(uri).body(vec![]).unwrap()).await;
        assert_eq!(code, 400, "limit={bad}: {status}");
        assert_eq!(status["reason"], "BadRequest");
        assert!(
            status["message"]
                .as_str()
                .unwrap()
                .contains(&format!("parsing \"{bad}\"")),
            "{status}"
        );
    }
    // Zero and negative limits mean no limit, as on kube-apiserver.
    for none in ["0", "-1"] {
        let uri = format!("/api/v1/namespaces/default/configmaps?limit={none}");
        let (code, list) = raw(&client, Request::get(uri).body(vec![]).unwrap()).await;
        assert_eq!(code, 200, "limit={none}: {list}");
        // The three and kube-root-ca.crt.
        assert_eq!(list["items"].as_array().unwrap().len(), 4, "limit={none}");
        assert!(list["metadata"].get("continue").is_none(), "{list}");
    }
}
