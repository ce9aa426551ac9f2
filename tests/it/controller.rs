//! `kfn install` and `kfn controller` against the local engine with its own reconciler off:
//! the objects a cluster gets, field by field, validated against the Kubernetes schemas.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{Engine, eventually, fails, kfn_command, ok, until, wait_trigger};

fn get(engine: &Engine, what: &str) -> Option<Value> {
    let run = engine.kubectl(&["get", what, "-o", "json"]);
    (run.code == 0).then(|| serde_json::from_str(&run.stdout).unwrap())
}

fn get_in(engine: &Engine, namespace: &str, what: &str) -> Option<Value> {
    let run = engine.kubectl(&["get", what, "-n", namespace, "-o", "json"]);
    (run.code == 0).then(|| serde_json::from_str(&run.stdout).unwrap())
}

fn wait_for(engine: &Engine, what: &str) -> Value {
    eventually(Duration::from_secs(20), &format!("{what} appears"), || {
        get(engine, what).ok_or_else(|| "absent".to_string())
    })
}

struct Controller(Child);

impl Drop for Controller {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn controller(engine: &Engine) -> Controller {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    Controller(
        kfn_command(engine.home.path())
            .args([
                "controller",
                "--local",
                "--image",
                "example/kfn:test",
                "--health-port",
                &port.to_string(),
                "--identity",
                "test-controller",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

/// Validates manifests with the PyPI package kubernetes-validate (strict, Kubernetes 1.30).
fn validate(engine: &Engine, name: &str, yaml: &str) {
    let path = engine.home.path().join(name);
    std::fs::write(&path, yaml).unwrap();
    let out = Command::new("python3")
        .args(["-m", "kubernetes_validate", "--strict", "-k", "1.30.0"])
        .arg(&path)
        .output()
        .expect("kubernetes-validate is installed (.ci/run installs it with pip)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{name} does not validate:\n{text}");
    assert!(!text.contains("ERROR") && text.contains("passed"), "{name}:\n{text}");
}

fn rv(v: &Value) -> String {
    v["metadata"]["resourceVersion"].as_str().unwrap().to_string()
}

#[test]
fn install_prints_and_applies_valid_manifests_and_uninstall_removes_them() {
    let engine = Engine::start_no_run();
    let run = engine.kfn(&[
        "install",
        "--dry-run",
        "--image",
        "example/kfn:1",
        "--kafka-brokers",
        "kafka.kubeless:9092",
        "--nats-url",
        "nats://nats.nats-io:4222",
    ]);
    ok(&run, "install --dry-run");
    validate(&engine, "install.yaml", &run.stdout);
    fails(
        &engine.kfn(&["install", "--dry-run", "--kafka-brokers", "kafka.kubeless"]),
        "--kafka-brokers",
    );
    for kind in [
        "name: KAFKA_BROKERS",
        "value: kafka.kubeless:9092",
        "name: NATS_URL",
        "kind: CustomResourceDefinition",
        "kind: ClusterRole",
        "kind: ServiceAccount",
        "kind: Deployment",
        "name: kubeless-config",
        "image: example/kfn:1",
    ] {
        assert!(run.stdout.contains(kind), "{kind}");
    }
    let run = engine.kfn(&["install", "--image", "example/kfn:1"]);
    ok(&run, "install");
    assert!(
        run.stdout.contains("deployment/kfn-controller applied"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("deployment/kfn-activator applied") && run.stdout.contains("service/kfn-activator applied"),
        "{}",
        run.stdout
    );
    let activator = get_in(&engine, "kubeless", "deployment/kfn-activator").expect("the activator Deployment");
    assert_eq!(
        activator["spec"]["template"]["spec"]["serviceAccountName"],
        "kfn-activator"
    );
    assert_eq!(
        activator["spec"]["template"]["spec"]["containers"][0]["args"][0],
        "activator"
    );
    let d = get_in(&engine, "kubeless", "deployment/kfn-controller").expect("the controller Deployment");
    assert_eq!(d["metadata"]["namespace"], "kubeless");
    assert_eq!(d["spec"]["template"]["spec"]["serviceAccountName"], "kfn-controller");
    let role = get(&engine, "clusterrole/kfn-controller").expect("the ClusterRole");
    assert!(!role.to_string().contains("\"*\""), "least privilege: no wildcard");
    let again = engine.kfn(&["install", "--image", "example/kfn:1"]);
    ok(&again, "install again");
    assert_eq!(
        rv(&get_in(&engine, "kubeless", "deployment/kfn-controller").unwrap()),
        rv(&d),
        "applying twice changes nothing"
    );
    let run = engine.kfn(&["get-server-config"]);
    assert!(
        run.stderr
            .contains("Runtime catalog from ConfigMap kubeless/kubeless-config")
            && run.stderr.contains("python3.13"),
        "{}",
        run.stderr
    );

    let run = engine.kfn(&["uninstall"]);
    ok(&run, "uninstall");
    assert!(get_in(&engine, "kubeless", "deployment/kfn-controller").is_none());
    assert!(get_in(&engine, "kubeless", "deployment/kfn-activator").is_none());
    assert!(get(&engine, "crd/functions.kubeless.io").is_some(), "the CRDs stay");
}

#[test]
fn the_controller_builds_every_object_and_keeps_it_in_step() {
    let engine = Engine::start_no_run();
    let dir = engine.home.path();
    std::fs::write(dir.join("test.py"), "def hello(event, context):\n    return 'hello'\n").unwrap();
    std::fs::write(dir.join("requirements.txt"), "six\n").unwrap();
    let f = dir.join("test.py");
    let d = dir.join("requirements.txt");
    ok(&engine.kfn(&["install", "--image", "example/kfn:test"]), "install");
    ok(
        &engine.kfn(&[
            "function",
            "deploy",
            "hello",
            "-r",
            "python3.12",
            "-f",
            f.to_str().unwrap(),
            "--handler",
            "test.hello",
            "-d",
            d.to_str().unwrap(),
            "--memory",
            "128Mi",
            "-e",
            "A=1",
            "--secrets",
            "db",
        ]),
        "deploy",
    );
    ok(
        &engine.kfn(&[
            "trigger",
            "http",
            "create",
            "ing",
            "--function-name",
            "hello",
            "--hostname",
            "h.example",
            "--path",
            "api",
            "--basic-auth-secret",
            "ba",
        ]),
        "http",
    );
    ok(
        &engine.kfn(&[
            "trigger",
            "cronjob",
            "create",
            "tick",
            "--function",
            "hello",
            "--schedule",
            "*/5 * * * *",
            "-p",
            r#"{"a": 1}"#,
        ]),
        "cron",
    );
    ok(
        &engine.kfn(&[
            "autoscale",
            "create",
            "hello",
            "--metric",
            "cpu",
            "--value",
            "70",
            "--metric",
            "qps",
            "--value",
            "20",
            "--max",
            "3",
        ]),
        "autoscale",
    );
    let _controller = controller(&engine);

    let cm = wait_for(&engine, "configmap/hello");
    assert_eq!(cm["data"]["handler"], "test.hello");
    assert_eq!(
        cm["data"]["test.py"],
        "def hello(event, context):\n    return 'hello'\n"
    );
    assert_eq!(cm["data"]["requirements.txt"], "six\n");
    let function = get(&engine, "function/hello").unwrap();
    let owner = json!([{"apiVersion": "kubeless.io/v1beta1", "kind": "Function", "name": "hello", "uid": function["metadata"]["uid"], "controller": true, "blockOwnerDeletion": true}]);
    assert_eq!(cm["metadata"]["ownerReferences"], owner);

    let svc = wait_for(&engine, "service/hello");
    assert_eq!(
        svc["spec"]["ports"][0],
        json!({"name": "http-function-port", "protocol": "TCP", "port": 8080, "targetPort": 8080})
    );
    assert_eq!(
        svc["spec"]["selector"],
        json!({"created-by": "kubeless", "function": "hello"})
    );

    let dep = wait_for(&engine, "deployment/hello");
    assert_eq!(
        dep["spec"]["selector"]["matchLabels"],
        json!({"created-by": "kubeless", "function": "hello"})
    );
    assert_eq!(dep["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"], 0);
    let tmpl = &dep["spec"]["template"];
    assert_eq!(tmpl["metadata"]["annotations"]["prometheus.io/scrape"], "true");
    assert_eq!(tmpl["metadata"]["annotations"]["prometheus.io/port"], "8080");
    let pod = &tmpl["spec"];
    let init: Vec<&str> = pod["initContainers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(init, ["kfn", "prepare", "install"]);
    assert_eq!(pod["initContainers"][0]["image"], "example/kfn:test");
    assert_eq!(pod["initContainers"][2]["image"], "python:3.12-slim");
    let main = &pod["containers"][0];
    assert_eq!(main["image"], "python:3.12-slim");
    assert_eq!(main["command"], json!(["/kfn/kfn", "runtime", "serve"]));
    let env: Vec<(String, String)> = main["env"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| Some((e["name"].as_str()?.to_string(), e["value"].as_str()?.to_string())))
        .collect();
    for (k, v) in [
        ("FUNC_HANDLER", "hello"),
        ("MOD_NAME", "test"),
        ("FUNC_TIMEOUT", "180"),
        ("FUNC_RUNTIME", "python3.12"),
        ("FUNC_MEMORY_LIMIT", "128Mi"),
        ("FUNC_PORT", "8080"),
        ("A", "1"),
        ("KUBELESS_INSTALL_VOLUME", "/kubeless"),
        ("KFN_DRAIN_SECONDS", "3"),
    ] {
        assert!(env.contains(&(k.to_string(), v.to_string())), "env {k}={v} in {env:?}");
    }
    assert_eq!(main["resources"]["limits"]["memory"], "128Mi");
    assert_eq!(
        main["livenessProbe"]["httpGet"],
        // (The scheme is the API server's default.)
        json!({"path": "/healthz", "port": 8080, "scheme": "HTTP"})
    );
    assert_eq!(pod["securityContext"], json!({"runAsUser": 1000, "fsGroup": 1000}));
    assert!(
        pod["volumes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["secret"]["secretName"] == "db"),
        "the secret is mounted"
    );
    assert_eq!(dep["metadata"]["ownerReferences"], owner);

    let hpa = wait_for(&engine, "hpa/hello");
    assert_eq!(hpa["apiVersion"], "autoscaling/v2");
    assert_eq!(hpa["spec"]["maxReplicas"], 3);
    assert_eq!(
        hpa["spec"]["metrics"][0]["resource"]["target"],
        json!({"type": "Utilization", "averageUtilization": 70})
    );
    assert_eq!(
        hpa["spec"]["metrics"][1]["object"]["describedObject"],
        json!({"apiVersion": "v1", "kind": "Service", "name": "hello"})
    );

    let ing = wait_for(&engine, "ingress/ing");
    assert_eq!(ing["spec"]["ingressClassName"], "nginx");
    assert_eq!(ing["spec"]["rules"][0]["host"], "h.example");
    assert_eq!(ing["spec"]["rules"][0]["http"]["paths"][0]["path"], "/api");
    assert_eq!(
        ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"],
        json!({"name": "hello", "port": {"number": 8080}})
    );
    assert_eq!(
        ing["metadata"]["annotations"]["nginx.ingress.kubernetes.io/auth-secret"],
        "ba"
    );
    assert_eq!(ing["metadata"]["ownerReferences"][0]["kind"], "HTTPTrigger");

    let cj = wait_for(&engine, "cronjob/trigger-tick");
    assert_eq!(cj["spec"]["schedule"], "*/5 * * * *");
    assert_eq!(cj["metadata"]["ownerReferences"][0]["kind"], "CronJobTrigger");
    let args = cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"][0]
        .as_str()
        .unwrap();
    assert!(
        args.contains("http://hello.default.svc.cluster.local:8080")
            && args.contains("cronjobtrigger.kubeless.io")
            && args.ends_with("-d '{\"a\":1}'"),
        "{args}"
    );

    // Without brokers configured, Kafka triggers are not consumed: their status says so.
    ok(
        &engine.kfn(&[
            "trigger",
            "kafka",
            "create",
            "kt",
            "--function-selector",
            "function=hello",
            "--trigger-topic",
            "t",
        ]),
        "kafka",
    );
    wait_trigger(
        &engine,
        "kafka",
        "not consumed",
        15,
        "the Kafka trigger's status says it is not consumed",
    );

    // The status explains readiness.
    let status = eventually(Duration::from_secs(10), "the function gets a condition", || {
        let f = get(&engine, "function/hello").unwrap();
        match f.pointer("/status/conditions/0/type") {
            Some(_) => Ok(f["status"].clone()),
            None => Err(f["status"].to_string()),
        }
    });
    assert_eq!(status["conditions"][0]["status"], "False");
    assert_eq!(status["observedGeneration"], function["metadata"]["generation"]);

    // Every object validates against the Kubernetes schemas.
    let mut all = String::new();
    for what in [
        "configmap/hello",
        "service/hello",
        "deployment/hello",
        "hpa/hello",
        "ingress/ing",
        "cronjob/trigger-tick",
    ] {
        all.push_str(&format!("---\n{}", engine.kubectl(&["get", what, "-o", "yaml"]).stdout));
    }
    validate(&engine, "controller-objects.yaml", &all);

    // A second reconcile (a new controller) changes nothing.
    let before: Vec<String> = [
        "configmap/hello",
        "service/hello",
        "deployment/hello",
        "hpa/hello",
        "ingress/ing",
        "cronjob/trigger-tick",
        "function/hello",
    ]
    .iter()
    .map(|w| rv(&get(&engine, w).unwrap()))
    .collect();
    drop(_controller);
    let _controller = controller(&engine);
    std::thread::sleep(Duration::from_secs(3));
    let after: Vec<String> = [
        "configmap/hello",
        "service/hello",
        "deployment/hello",
        "hpa/hello",
        "ingress/ing",
        "cronjob/trigger-tick",
        "function/hello",
    ]
    .iter()
    .map(|w| rv(&get(&engine, w).unwrap()))
    .collect();
    assert_eq!(before, after, "a second reconcile writes nothing");

    // New code rolls the pods (the template's content hash changes).
    let hash = |d: &Value| d["spec"]["template"]["metadata"]["annotations"]["kfn.io/content-hash"].clone();
    std::fs::write(
        dir.join("test.py"),
        "def hello(event, context):\n    return 'hello again'\n",
    )
    .unwrap();
    ok(
        &engine.kfn(&["function", "update", "hello", "-f", f.to_str().unwrap()]),
        "update",
    );
    until(Duration::from_secs(10), "the Deployment follows the update", || {
        hash(&get(&engine, "deployment/hello").unwrap()) != hash(&dep)
    });
    assert_eq!(
        get(&engine, "configmap/hello").unwrap()["data"]["test.py"],
        "def hello(event, context):\n    return 'hello again'\n"
    );
    ok(&engine.kfn(&["autoscale", "delete", "hello"]), "autoscale delete");
    until(Duration::from_secs(10), "the HPA goes with the rule", || {
        get(&engine, "hpa/hello").is_none()
    });

    // Deleting the trigger and the function leaves no orphan.
    ok(&engine.kfn(&["trigger", "cronjob", "delete", "tick"]), "delete cron");
    until(Duration::from_secs(10), "the CronJob goes with its trigger", || {
        get(&engine, "cronjob/trigger-tick").is_none()
    });
    assert!(
        get(&engine, "function/hello").unwrap()["metadata"]["finalizers"]
            .to_string()
            .contains("kubeless.io/function")
    );
    ok(&engine.kfn(&["function", "delete", "hello"]), "delete function");
    until(
        Duration::from_secs(10),
        "the finalizer deletes the function's HTTP trigger, then lets it go",
        || get(&engine, "function/hello").is_none() && get(&engine, "httptrigger/ing").is_none(),
    );
    for what in ["configmap/hello", "service/hello", "deployment/hello", "ingress/ing"] {
        assert!(get(&engine, what).is_none(), "{what} is deleted with its function");
    }
}

// Needs Kafka: compiled with the `kafka` feature only (the integration tests run with it).
#[cfg(feature = "kafka")]
#[tokio::test]
async fn the_controller_delivers_nats_and_kafka_messages_to_the_functions_it_selects() {
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::{Api, Patch, PatchParams, PostParams};
    let nats = crate::triggers::nats_server();
    let url = format!("nats://127.0.0.1:{}", nats.1);
    let kafka = crate::triggers::kafka_mock();
    let engine = Engine::start_no_run();
    let dir = engine.home.path().to_path_buf();
    std::fs::write(
        dir.join("echo.py"),
        "def handler(event, context):\n    print('got', event['data'], event['event-namespace'])\n    return 'ok'\n",
    )
    .unwrap();
    ok(
        &engine.kfn(&[
            "function",
            "deploy",
            "sub",
            "-r",
            "python3.11",
            "-f",
            dir.join("echo.py").to_str().unwrap(),
            "--handler",
            "echo.handler",
            "-l",
            "topic=t",
        ]),
        "deploy",
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let port_text = port.to_string();
    let log = std::fs::File::create(dir.join("replica.log")).unwrap();
    // Play the kubelet: a replica process, and a ready Pod that says where it listens.
    let _replica = Controller(
        Command::new(crate::common::KFN)
            .args(["runtime", "serve"])
            .envs([
                ("MOD_NAME", "echo"),
                ("FUNC_HANDLER", "handler"),
                ("FUNC_RUNTIME", "python3.11"),
                ("FUNC_PORT", port_text.as_str()),
                ("KFN_BIND", "127.0.0.1"),
            ])
            .env("KUBELESS_INSTALL_VOLUME", &dir)
            .stdout(log)
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let client = engine.client().await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let pod: Pod = serde_json::from_value(
        json!({"metadata": {"name": "sub-1", "labels": {"created-by": "kubeless", "function": "sub", "topic": "t"},
        "annotations": {"kfn.io/port": port_text}}, "spec": {"containers": [{"name": "sub", "image": "x"}]}}),
    )
    .unwrap();
    pods.create(&PostParams::default(), &pod).await.unwrap();
    pods.patch_status(
        "sub-1",
        &PatchParams::default(),
        &Patch::Merge(json!({"status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}})),
    )
    .await
    .unwrap();
    let _controller = Controller(
        kfn_command(engine.home.path())
            .args(["controller", "--local", "--health-port", "0", "--nats", &url])
            .args(["--kafka-brokers", &kafka.1])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for(&engine, "service/sub");
    ok(
        &engine.kfn(&[
            "trigger",
            "nats",
            "create",
            "t",
            "--function-selector",
            "topic=t",
            "--trigger-topic",
            "t",
        ]),
        "trigger",
    );
    wait_trigger(&engine, "nats", "delivering to sub", 15, "the controller subscribes");
    ok(
        &engine.kfn(&crate::triggers::nats_publish(&url, "t", r#"{"payload": "c7q"}"#)),
        "publish",
    );
    eventually(Duration::from_secs(10), "the NATS message reaches the function", || {
        let text = std::fs::read_to_string(dir.join("replica.log")).unwrap_or_default();
        (text.contains("c7q") && text.contains("natstriggers.kubeless.io"))
            .then_some(())
            .ok_or(text)
    });

    // Kafka: one consumer group per (trigger, function), fed by a producer that is not kfn.
    crate::triggers::kcat_publish(&kafka.1, "kt-topic", "creates the topic");
    ok(
        &engine.kfn(&[
            "trigger",
            "kafka",
            "create",
            "kt",
            "--function-selector",
            "topic=t",
            "--trigger-topic",
            "kt-topic",
        ]),
        "kafka trigger",
    );
    wait_trigger(
        &engine,
        "kafka",
        "delivering to sub",
        40,
        "the controller joins the consumer group",
    );
    crate::triggers::kcat_publish(&kafka.1, "kt-topic", r#"{"payload": "k9z"}"#);
    eventually(
        Duration::from_secs(15),
        "the Kafka message reaches the function",
        || {
            let text = std::fs::read_to_string(dir.join("replica.log")).unwrap_or_default();
            (text.contains("k9z") && text.contains("kafkatriggers.kubeless.io"))
                .then_some(())
                .ok_or(text)
        },
    );
}

#[test]
fn the_crd_schemas_accept_the_contracts_example_functions() {
    // The Kubeless example of `function deploy` (field for field), one with metadata, secrets and
    // resources, and one with a Kubeless (autoscaling/v2beta1) rule and a URL source.
    let snapshots = concat!(env!("CARGO_MANIFEST_DIR"), "/src/api/snapshots");
    let mut examples: Vec<Value> = ["deploy-hello.yaml", "deploy-metadata.yaml"]
        .iter()
        .map(|f| {
            serde_saphyr::from_str::<Value>(&std::fs::read_to_string(format!("{snapshots}/{f}")).unwrap()).unwrap()
        })
        .collect();
    let mut kubeless_hpa = examples[0].clone();
    kubeless_hpa["spec"]["function"] = json!("https://example.com/hello.zip");
    kubeless_hpa["spec"]["function-content-type"] = json!("url+zip");
    kubeless_hpa["spec"]["horizontalPodAutoscaler"] = json!({"apiVersion": "autoscaling/v2beta1", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "hello", "namespace": "default"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1beta1", "kind": "Deployment", "name": "hello"}, "minReplicas": 1, "maxReplicas": 3,
            "metrics": [{"type": "Object", "object": {"metricName": "function_calls", "targetValue": "100", "target": {"kind": "Service", "name": "hello"}}}]}});
    examples.push(kubeless_hpa);
    let schema = kfn::api::crd::all()[0]["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("schema.json"), schema.to_string()).unwrap();
    std::fs::write(dir.path().join("examples.json"), Value::Array(examples).to_string()).unwrap();
    // jsonschema comes with kubernetes-validate; unknown `x-kubernetes-*` keywords are ignored.
    let check = "import json, sys, jsonschema\nschema = json.load(open(sys.argv[1]))\nfor f in json.load(open(sys.argv[2])):\n    jsonschema.validate(f, schema)\nprint('valid')\n";
    let out = Command::new("python3")
        .args(["-c", check])
        .arg(dir.path().join("schema.json"))
        .arg(dir.path().join("examples.json"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // And the schema is structural: the spec's fields are typed, and only the objects Kubeless
    // embeds whole keep unknown fields.
    let spec = &schema["properties"]["spec"];
    assert!(spec.get("x-kubernetes-preserve-unknown-fields").is_none(), "{spec}");
    for embedded in ["deployment", "horizontalPodAutoscaler"] {
        assert_eq!(
            spec["properties"][embedded]["x-kubernetes-preserve-unknown-fields"],
            true
        );
    }
}
