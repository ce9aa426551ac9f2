//! Built-in objects are validated, defaulted and checked for unknown fields as kube-apiserver
//! does it: through kubectl and raw HTTP against a real engine.

use http::Request;
use serde_json::{Value, json};

use crate::common::{Engine, fails, ok};

const DEPLOYMENTS: &str = "/apis/apps/v1/namespaces/default/deployments";

fn deployment(name: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {"selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]}}}})
}

fn yaml(v: &Value) -> String {
    serde_json::to_string(v).unwrap()
}

/// Sends a request and returns the code, the `Warning` headers and the JSON body.
async fn send(
    client: &kube::Client,
    method: &str,
    uri: &str,
    content_type: &str,
    body: &str,
) -> (u16, Vec<String>, Value) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", content_type)
        .body(kube::client::Body::from(body.as_bytes().to_vec()))
        .unwrap();
    let resp = client.send(req).await.expect("the engine answers");
    let code = resp.status().as_u16();
    let warnings = resp
        .headers()
        .get_all("warning")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let bytes = resp.into_body().collect_bytes().await.unwrap();
    (code, warnings, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn causes(status: &Value) -> Vec<String> {
    status["details"]["causes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["field"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn kubectl_gets_the_api_servers_refusals_for_invalid_objects_and_nothing_is_stored() {
    let engine = Engine::start_no_run();
    let mut no_selector = deployment("a");
    no_selector["spec"].as_object_mut().unwrap().remove("selector");
    let run = engine.kubectl_stdin(&["apply", "-f", "-"], Some(&yaml(&no_selector)));
    fails(&run, "spec.selector: Required value");
    assert!(
        run.stderr.contains("`selector` does not match template `labels`"),
        "{}",
        run.stderr
    );

    let mut bad_label = deployment("a");
    bad_label["metadata"]["labels"] = json!({"tier": "front end"});
    fails(
        &engine.kubectl_stdin(&["create", "-f", "-"], Some(&yaml(&bad_label))),
        "metadata.labels: Invalid value: \"front end\"",
    );

    let mut two = deployment("a");
    two["spec"]["replicas"] = json!("two");
    fails(
        &engine.kubectl_stdin(&["create", "-f", "-"], Some(&yaml(&two))),
        "cannot be handled as a Deployment: spec.replicas",
    );

    let mut no_containers = deployment("a");
    no_containers["spec"]["template"]["spec"]["containers"] = json!([]);
    fails(
        &engine.kubectl_stdin(&["create", "-f", "-"], Some(&yaml(&no_containers))),
        "spec.template.spec.containers: Required value",
    );

    // kubectl's default is fieldValidation=Strict.
    let mut unknown = deployment("a");
    unknown["spec"]["replica"] = json!(2);
    fails(
        &engine.kubectl_stdin(&["create", "-f", "-"], Some(&yaml(&unknown))),
        "strict decoding error: unknown field \"spec.replica\"",
    );

    let run = engine.kubectl(&["get", "deployments", "-o", "name"]);
    ok(&run, "get deployments");
    assert_eq!(run.stdout.trim(), "", "nothing was stored");
}

#[tokio::test]
async fn field_validation_warns_refuses_or_ignores_unknown_and_duplicate_fields() {
    let engine = Engine::start_no_run();
    let client = engine.client().await;
    let mut body = deployment("warned");
    body["spec"]["foo"] = json!(1);
    body["spec"]["template"]["spec"]["containers"][0]["zzz"] = json!(true);
    let body = yaml(&body);

    let (code, _, status) = send(
        &client,
        "POST",
        &format!("{DEPLOYMENTS}?fieldValidation=Strict"),
        "application/json",
        &body,
    )
    .await;
    assert_eq!(code, 400, "{status}");
    assert_eq!(
        status["message"],
        "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.template.spec.containers[0].zzz\", unknown field \"spec.foo\""
    );

    let (code, _, status) = send(
        &client,
        "POST",
        &format!("{DEPLOYMENTS}?fieldValidation=Bogus"),
        "application/json",
        &body,
    )
    .await;
    assert_eq!(code, 422, "{status}");
    assert_eq!(causes(&status), ["fieldValidation"]);

    // No parameter is Warn: stored without the unknown fields, one Warning header each.
    let (code, warnings, created) = send(&client, "POST", DEPLOYMENTS, "application/json", &body).await;
    assert_eq!(code, 201, "{created}");
    assert_eq!(
        warnings,
        [
            r#"299 - "unknown field \"spec.template.spec.containers[0].zzz\"""#,
            r#"299 - "unknown field \"spec.foo\"""#
        ]
    );
    assert!(created["spec"].get("foo").is_none(), "{created}");
    assert!(
        created["spec"]["template"]["spec"]["containers"][0]
            .get("zzz")
            .is_none()
    );

    let dup = r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d","name":"d"},"data":{"a":"1"}}"#;
    let cms = "/api/v1/namespaces/default/configmaps";
    let (code, _, status) = send(
        &client,
        "POST",
        &format!("{cms}?fieldValidation=Strict"),
        "application/json",
        dup,
    )
    .await;
    assert_eq!(code, 400);
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .ends_with("strict decoding error: duplicate field \"metadata.name\""),
        "{status}"
    );
    let (code, warnings, _) = send(
        &client,
        "POST",
        &format!("{cms}?fieldValidation=Ignore"),
        "application/json",
        dup,
    )
    .await;
    assert_eq!(code, 201);
    assert!(warnings.is_empty(), "{warnings:?}");

    // A patch that adds an unknown field is judged on the patched object.
    let (code, _, status) = send(
        &client,
        "PATCH",
        &format!("{DEPLOYMENTS}/warned?fieldValidation=Strict"),
        "application/merge-patch+json",
        r#"{"spec":{"bar":1}}"#,
    )
    .await;
    // As kube-apiserver answers a patch: 422 naming `patch`.
    assert_eq!(code, 422, "{status}");
    assert_eq!(causes(&status), ["patch"]);
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .ends_with("strict decoding error: unknown field \"spec.bar\""),
        "{status}"
    );
    // Server-side apply refuses an undeclared field whatever fieldValidation says.
    let (code, _, status) = send(
        &client,
        "PATCH",
        &format!("{DEPLOYMENTS}/applied?fieldManager=me&fieldValidation=Ignore"),
        "application/apply-patch+yaml",
        &yaml(&json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "applied"}, "spec": {"bogus": 1}})),
    )
    .await;
    assert_eq!(code, 500, "{status}");
    assert_eq!(
        status["message"],
        "failed to create typed patch object (/applied; apps/v1, Kind=Deployment): .spec.bogus: field not declared in schema"
    );

    // Custom resources: checked against their CRD's schema.
    let mut function = crate::common::function("f");
    function["spec"]["bogus"] = json!("x");
    let (code, _, status) = send(
        &client,
        "POST",
        "/apis/kubeless.io/v1beta1/namespaces/default/functions?fieldValidation=Strict",
        "application/json",
        &yaml(&function),
    )
    .await;
    assert_eq!(code, 400, "{status}");
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .ends_with("unknown field \"spec.bogus\""),
        "{status}"
    );
    let (code, warnings, created) = send(
        &client,
        "POST",
        "/apis/kubeless.io/v1beta1/namespaces/default/functions",
        "application/json",
        &yaml(&function),
    )
    .await;
    assert_eq!(code, 201, "{created}");
    assert_eq!(warnings, [r#"299 - "unknown field \"spec.bogus\"""#]);
    assert!(
        created["spec"].get("bogus").is_none(),
        "pruned as the schema says: {created}"
    );
    assert_eq!(created["spec"]["handler"], function["spec"]["handler"]);
}

#[test]
fn services_and_deployments_get_kubernetes_defaults() {
    let engine = Engine::start_no_run();
    ok(
        &engine.kubectl_stdin(&["create", "-f", "-"], Some(&yaml(&deployment("web")))),
        "create deployment",
    );
    let service = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}});
    ok(
        &engine.kubectl_stdin(&["create", "-f", "-"], Some(&yaml(&service))),
        "create service",
    );
    let get = |kind: &str, name: &str| -> Value {
        let run = engine.kubectl(&["get", kind, name, "-o", "json"]);
        ok(&run, "get");
        serde_json::from_str(&run.stdout).unwrap()
    };
    let d = get("deployment", "web");
    assert_eq!(d["spec"]["replicas"], 1);
    assert_eq!(
        d["spec"]["strategy"]["rollingUpdate"],
        json!({"maxUnavailable": "25%", "maxSurge": "25%"})
    );
    assert_eq!(d["spec"]["revisionHistoryLimit"], 10);
    assert_eq!(d["spec"]["progressDeadlineSeconds"], 600);
    let pod = &d["spec"]["template"]["spec"];
    assert_eq!(pod["restartPolicy"], "Always");
    assert_eq!(pod["dnsPolicy"], "ClusterFirst");
    assert_eq!(pod["terminationGracePeriodSeconds"], 30);
    assert_eq!(pod["containers"][0]["imagePullPolicy"], "IfNotPresent");
    assert_eq!(pod["containers"][0]["ports"][0]["protocol"], "TCP");

    let s = get("service", "web");
    let ip = s["spec"]["clusterIP"].as_str().unwrap().to_string();
    assert!(ip.parse::<std::net::Ipv4Addr>().is_ok(), "{s}");
    assert_eq!(s["spec"]["clusterIPs"], json!([ip]));
    assert_eq!(s["spec"]["sessionAffinity"], "None");
    assert_eq!(s["spec"]["ipFamilies"], json!(["IPv4"]));
    assert_eq!(
        s["spec"]["ports"][0],
        json!({"port": 80, "protocol": "TCP", "targetPort": 80})
    );

    // An apply that does not name the address keeps it; one that changes it is refused.
    ok(&engine.kubectl(&["label", "service", "web", "tier=front"]), "label");
    assert_eq!(get("service", "web")["spec"]["clusterIP"], json!(ip));
    fails(
        &engine.kubectl(&[
            "patch",
            "service",
            "web",
            "-p",
            r#"{"spec":{"clusterIP":"10.96.0.99"}}"#,
        ]),
        "may not change once set",
    );
    // A repeated apply of the same deployment is a no-op, defaults and all.
    let generation = d["metadata"]["generation"].clone();
    let run = engine.kubectl_stdin(&["apply", "-f", "-"], Some(&yaml(&deployment("web"))));
    ok(&run, "apply");
    assert_eq!(get("deployment", "web")["metadata"]["generation"], generation);
}

#[test]
fn immutable_fields_stay_as_they_are() {
    let engine = Engine::start_no_run();
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "frozen"}, "data": {"a": "1"}, "immutable": true});
    ok(
        &engine.kubectl_stdin(&["create", "-f", "-"], Some(&yaml(&cm))),
        "create configmap",
    );
    fails(
        &engine.kubectl(&["patch", "configmap", "frozen", "-p", r#"{"data":{"a":"2"}}"#]),
        "data: Forbidden: field is immutable when `immutable` is set",
    );
    ok(
        &engine.kubectl(&["label", "configmap", "frozen", "x=y"]),
        "metadata may change",
    );

    ok(
        &engine.kubectl_stdin(&["create", "-f", "-"], Some(&yaml(&deployment("web")))),
        "create deployment",
    );
    fails(
        &engine.kubectl(&[
            "patch",
            "deployment",
            "web",
            "-p",
            r#"{"spec":{"selector":{"matchLabels":{"app":"other"}},"template":{"metadata":{"labels":{"app":"other"}}}}}"#,
        ]),
        "spec.selector: Invalid value",
    );
    let run = engine.kubectl(&["get", "configmap", "frozen", "-o", "jsonpath={.data.a}"]);
    assert_eq!(run.stdout, "1");
}

#[test]
fn namespaces_have_their_label_default_service_account_and_root_ca() {
    let engine = Engine::start_no_run();
    let run = engine.kubectl(&["get", "namespaces", "-o", "name"]);
    ok(&run, "get namespaces");
    for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        assert!(run.stdout.contains(&format!("namespace/{ns}\n")), "{}", run.stdout);
    }
    ok(&engine.kubectl(&["create", "namespace", "team"]), "create namespace");
    let run = engine.kubectl(&["get", "namespace", "team", "-o", "jsonpath={.metadata.labels}"]);
    assert_eq!(run.stdout, r#"{"kubernetes.io/metadata.name":"team"}"#);
    ok(
        &engine.kubectl(&["get", "serviceaccount", "default", "-n", "team"]),
        "default service account",
    );
    let run = engine.kubectl(&[
        "get",
        "configmap",
        "kube-root-ca.crt",
        "-n",
        "team",
        "-o",
        "jsonpath={.data.ca\\.crt}",
    ]);
    ok(&run, "root CA");
    let ca = std::fs::read_to_string(engine.state().join("ca.crt")).unwrap();
    assert_eq!(run.stdout.trim(), ca.trim());
    ok(
        &engine.kubectl(&["get", "configmap", "kube-root-ca.crt", "-n", "default"]),
        "in default too",
    );
}

#[test]
fn custom_objects_are_refused_when_their_crd_schema_does_not_hold_them() {
    let engine = Engine::start_no_run();
    let function = json!({"apiVersion": "kubeless.io/v1beta1", "kind": "Function",
        "metadata": {"name": "typed", "namespace": "default"},
        "spec": {"handler": 5, "runtime": "python3.12", "function": "def f(event, context): return 1"}});
    let run = engine.kubectl_stdin(&["create", "-f", "-"], Some(&yaml(&function)));
    fails(
        &run,
        "spec.handler: Invalid value: \"integer\": spec.handler in body must be of type string: \"integer\"",
    );
    fails(&engine.kubectl(&["get", "function", "typed"]), "NotFound");

    let mut fixed = function.clone();
    fixed["spec"]["handler"] = json!("f.f");
    ok(
        &engine.kubectl_stdin(&["create", "-f", "-"], Some(&yaml(&fixed))),
        "create",
    );
    let run = engine.kubectl(&[
        "patch",
        "function",
        "typed",
        "--type=merge",
        "-p",
        r#"{"spec": {"runtime": ["x"]}}"#,
    ]);
    fails(&run, "spec.runtime in body must be of type string: \"array\"");
}
