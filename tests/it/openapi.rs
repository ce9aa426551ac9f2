//! What kubectl needs of the API server beyond objects: protobuf request bodies (kubectl ≥1.32
//! sends its generators' objects that way), the OpenAPI documents (`explain`, `diff`, server-side
//! validation) and the review resources (`auth can-i`, `auth whoami`). Run with the control
//! plane's kubectl (of the Kubernetes version the tests pin, from `$KFN_KUBE_BIN`) and with the
//! `kubectl` on the PATH (Debian's 1.20 in CI, which reads OpenAPI v2 in protobuf).

use serde_json::Value;

use crate::common::{Engine, Run, example, ok, run_with_stdin};
use crate::kube::kube_bin;

/// The control plane's kubectl against the engine.
fn kubectl(engine: &Engine, args: &[&str]) -> Run {
    let mut cmd = std::process::Command::new(kube_bin().join("kubectl"));
    cmd.arg("--kubeconfig")
        .arg(engine.kubeconfig())
        .args(args)
        .env("HOME", engine.home.path());
    run_with_stdin(cmd, None, "the control plane's kubectl runs")
}

fn object(engine: &Engine, what: &str) -> Value {
    let run = kubectl(engine, &["get", what, "-o", "json"]);
    ok(&run, &format!("get {what}"));
    serde_json::from_str(&run.stdout).unwrap()
}

#[test]
fn kubectl_creates_every_generated_kind_in_protobuf() {
    let engine = Engine::start_no_run();
    for args in [
        &[
            "create",
            "deployment",
            "web",
            "--image=nginx",
            "--port=80",
            "--replicas=2",
        ][..],
        &["create", "service", "clusterip", "web", "--tcp=80:8080"],
        &["create", "role", "reader", "--verb=get", "--resource=pods"],
        &["create", "rolebinding", "reader", "--role=reader", "--user=ann"],
        &["create", "clusterrole", "reader", "--verb=get,list", "--resource=pods"],
        &["create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *"],
        &["create", "ingress", "web", "--rule=example.com/api=web:80"],
        &["create", "configmap", "settings", "--from-literal=mode=fast"],
        &["create", "secret", "generic", "login", "--from-literal=password=s3cret"],
        &["create", "namespace", "team-a"],
        &["autoscale", "deployment", "web", "--min=1", "--max=3", "--cpu=50%"],
    ] {
        ok(&kubectl(&engine, args), &args.join(" "));
    }

    // Each object is the one kubectl would have sent in JSON.
    let deployment = object(&engine, "deployment/web");
    let spec = &deployment["spec"];
    assert_eq!(spec["replicas"], 2);
    assert_eq!(spec["selector"]["matchLabels"]["app"], "web");
    let container = &spec["template"]["spec"]["containers"][0];
    assert_eq!(
        (&container["name"], &container["image"], &container["ports"][0]),
        (
            &"nginx".into(),
            &"nginx".into(),
            // (The protocol is the API server's default, as for a JSON body.)
            &serde_json::json!({"containerPort": 80, "protocol": "TCP"})
        )
    );
    assert!(
        spec.get("paused").is_none() && container.get("stdin").is_none(),
        "{spec}"
    );
    let service = object(&engine, "service/web");
    assert_eq!(service["spec"]["ports"][0]["targetPort"], 8080);
    assert_eq!(service["spec"]["type"], "ClusterIP");
    let binding = object(&engine, "rolebinding/reader");
    assert_eq!(binding["subjects"][0]["name"], "ann");
    assert_eq!(binding["roleRef"]["name"], "reader");
    let role = object(&engine, "clusterrole/reader");
    assert_eq!(role["rules"][0]["verbs"], serde_json::json!(["get", "list"]));
    let cronjob = object(&engine, "cronjob/tick");
    assert_eq!(cronjob["spec"]["schedule"], "*/5 * * * *");
    assert_eq!(
        cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"],
        "OnFailure"
    );
    // Go embeds an IngressRule's IngressRuleValue: `http` is the rule's own field.
    let ingress = object(&engine, "ingress/web");
    let rule = &ingress["spec"]["rules"][0];
    assert_eq!(rule["host"], "example.com");
    assert_eq!(rule["http"]["paths"][0]["backend"]["service"]["port"]["number"], 80);
    let secret = object(&engine, "secret/login");
    assert_eq!(secret["data"]["password"], "czNjcmV0");
    assert_eq!(object(&engine, "configmap/settings")["data"]["mode"], "fast");
    assert_eq!(object(&engine, "namespace/team-a")["metadata"]["name"], "team-a");
    let hpa = object(&engine, "hpa/web");
    assert_eq!(hpa["spec"]["maxReplicas"], 3);
    assert_eq!(
        hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
        50
    );
}

#[test]
fn kubectl_explains_built_in_kinds_and_functions_and_diffs() {
    let engine = Engine::start_no_run();
    ok(&kubectl(&engine, &["apply", "-f", &example("function.yaml")]), "apply");
    let changed = std::fs::read_to_string(example("function.yaml"))
        .unwrap()
        .replace("handler: hello.hello", "handler: hello.bye");
    let changed_file = engine.home.path().join("changed.yaml");
    std::fs::write(&changed_file, changed).unwrap();
    let changed_file = changed_file.to_str().unwrap();

    let path_kubectl = |args: &[&str]| engine.kubectl(args);
    let pinned = |args: &[&str]| kubectl(&engine, args);
    // kubectl 1.20 reads OpenAPI v2 in its protobuf form; later ones read v3.
    let debian = crate::clients::debian_kubectl();
    let debian_kubectl = |args: &[&str]| {
        let mut cmd = std::process::Command::new(&debian);
        cmd.arg("--kubeconfig")
            .arg(engine.kubeconfig())
            .args(args)
            .env("HOME", engine.home.path());
        run_with_stdin(cmd, None, "Debian's kubectl 1.20 runs")
    };
    for (which, run) in [
        ("pinned", &pinned as &dyn Fn(&[&str]) -> Run),
        ("PATH", &path_kubectl),
        ("Debian 1.20", &debian_kubectl),
    ] {
        let explain = run(&["explain", "deployment.spec.replicas"]);
        ok(&explain, &format!("{which} kubectl explain deployment.spec.replicas"));
        assert!(
            explain.stdout.contains("Deployment") && explain.stdout.contains("Number of desired pods"),
            "{which}: {}",
            explain.stdout
        );
        let explain = run(&["explain", "functions.spec"]);
        ok(&explain, &format!("{which} kubectl explain functions.spec"));
        assert!(explain.stdout.contains("Function"), "{which}: {}", explain.stdout);
        // diff exits 1 when there are differences.
        let diff = run(&["diff", "-f", changed_file]);
        assert_eq!(diff.code, 1, "{which} kubectl diff: {}{}", diff.stdout, diff.stderr);
        assert!(
            diff.stdout.contains("+  handler: hello.bye"),
            "{which}: {}",
            diff.stdout
        );
        let same = run(&["diff", "-f", &example("function.yaml")]);
        assert_eq!(
            same.code, 0,
            "{which} kubectl diff, unchanged: {}{}",
            same.stdout, same.stderr
        );
    }
}

#[test]
fn kubectl_auth_can_i_and_whoami_answer_for_the_engines_administrator() {
    let engine = Engine::start_no_run();
    let run = kubectl(&engine, &["auth", "whoami", "-o", "json"]);
    ok(&run, "auth whoami");
    let review: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(review["status"]["userInfo"]["username"], "kfn:local-admin");
    assert_eq!(review["status"]["userInfo"]["groups"][0], "system:masters");
    let run = kubectl(&engine, &["auth", "can-i", "create", "deployments"]);
    ok(&run, "auth can-i");
    assert_eq!(run.stdout.trim(), "yes");
    let run = kubectl(
        &engine,
        &["auth", "can-i", "delete", "functions.kubeless.io", "-n", "other"],
    );
    assert_eq!(run.stdout.trim(), "yes", "{}", run.stderr);
    let run = kubectl(&engine, &["auth", "can-i", "--list"]);
    ok(&run, "auth can-i --list");
    assert!(run.stdout.lines().any(|l| l.starts_with("*.*")), "{}", run.stdout);
    let review = |body: &str| {
        let mut cmd = std::process::Command::new(kube_bin().join("kubectl"));
        cmd.arg("--kubeconfig")
            .arg(engine.kubeconfig())
            .args(["create", "-o", "json", "-f", "-"])
            .env("HOME", engine.home.path());
        run_with_stdin(cmd, Some(body), "the control plane's kubectl runs")
    };
    let run = review(
        r#"{"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
            "spec": {"nonResourceAttributes": {"path": "/healthz", "verb": "get"}}}"#,
    );
    ok(&run, "create a SelfSubjectAccessReview");
    let answer: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(answer["status"], serde_json::json!({"allowed": true}));
    assert_eq!(answer["spec"]["nonResourceAttributes"]["path"], "/healthz");
    let run = review(r#"{"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": {}}"#);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("spec: Invalid value") && run.stderr.contains("nonResourceAttributes"),
        "{}",
        run.stderr
    );
    // Nothing is stored: there is nothing to list.
    let run = kubectl(&engine, &["get", "selfsubjectaccessreviews"]);
    assert_ne!(run.code, 0, "{}", run.stdout);

    let run = kubectl(&engine, &["api-resources", "--api-group=authorization.k8s.io"]);
    ok(&run, "api-resources");
    assert!(run.stdout.contains("selfsubjectaccessreviews"), "{}", run.stdout);
}

/// The OpenAPI documents as a client fetches them: (content type, body).
async fn fetch(client: &kube::Client, path: &str, accept: &str) -> (String, Vec<u8>) {
    use http_body_util::BodyExt;
    let request = http::Request::get(path)
        .header(http::header::ACCEPT, accept)
        .body(Vec::new())
        .unwrap();
    let response = client.send(request.map(kube::client::Body::from)).await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let content_type = response.headers()[http::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_string();
    let body = response.into_body().collect().await.unwrap().to_bytes().to_vec();
    (content_type, body)
}

#[tokio::test]
async fn openapi_documents_cover_built_in_kinds_and_crds_and_follow_crd_changes() {
    let engine = Engine::start_no_run();
    let client = engine.client().await;

    // v2 in protobuf, as kubectl ≤1.26 asks for it.
    let (content_type, body) = fetch(
        &client,
        "/openapi/v2",
        "application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
    )
    .await;
    assert_eq!(
        content_type,
        "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
    );
    let text = String::from_utf8_lossy(&body);
    for expected in [
        "io.k8s.api.apps.v1.Deployment",
        "io.kubeless.v1beta1.Function",
        "/apis/apps/v1/namespaces/{namespace}/deployments/{name}",
        "x-kubernetes-group-version-kind",
        "dryRun",
    ] {
        assert!(text.contains(expected), "the protobuf document lacks {expected}");
    }
    let (content_type, body) = fetch(&client, "/openapi/v2", "application/json").await;
    assert_eq!(content_type, "application/json");
    let v2: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v2["swagger"], "2.0");
    assert!(v2["definitions"]["io.k8s.api.core.v1.ConfigMap"]["properties"]["data"].is_object());

    // v3: the index points at each group/version's document, by a hash of it.
    let (_, body) = fetch(&client, "/openapi/v3", "application/json").await;
    let index: Value = serde_json::from_slice(&body).unwrap();
    let url = index["paths"]["apis/kubeless.io/v1beta1"]["serverRelativeURL"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, body) = fetch(&client, &url, "application/json").await;
    let doc: Value = serde_json::from_slice(&body).unwrap();
    let function = &doc["components"]["schemas"]["io.kubeless.v1beta1.Function"];
    assert_eq!(function["x-kubernetes-group-version-kind"][0]["kind"], "Function");
    assert!(function["properties"]["spec"]["properties"]["handler"].is_object());
    let (_, body) = fetch(&client, "/openapi/v3/api/v1", "application/json").await;
    let core: Value = serde_json::from_slice(&body).unwrap();
    let pod_spec = &core["components"]["schemas"]["io.k8s.api.core.v1.PodSpec"];
    assert_eq!(
        pod_spec["properties"]["containers"]["x-kubernetes-patch-merge-key"],
        "name"
    );

    // A new CRD is in the documents at once, under a new hash.
    let crd = r#"{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"kind": "Widget", "plural": "widgets", "singular": "widget"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "properties": {"size": {"type": "integer"}}}}}}}]}}"#;
    ok(
        &engine.kubectl_stdin(&["create", "-f", "-"], Some(crd)),
        "create the CRD",
    );
    let (_, body) = fetch(&client, "/openapi/v3", "application/json").await;
    let index: Value = serde_json::from_slice(&body).unwrap();
    let url = index["paths"]["apis/example.com/v1"]["serverRelativeURL"]
        .as_str()
        .unwrap();
    let (_, body) = fetch(&client, url, "application/json").await;
    let doc: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        doc["components"]["schemas"]["com.example.v1.Widget"]["properties"]["spec"]["properties"]["size"]["type"],
        "integer"
    );
    let run = kubectl(&engine, &["explain", "widgets.spec.size"]);
    ok(&run, "explain widgets.spec.size");
    assert!(run.stdout.contains("integer"), "{}", run.stdout);
}
