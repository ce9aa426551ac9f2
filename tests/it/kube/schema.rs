//! The kubeless.io CRD schemas on a real API server (the control plane of kube/mod.rs):
//! every object of the Kubeless contract, and every object the kfn CLI writes, is accepted as
//! it is; objects with a mistyped field are rejected, naming the field; and a Function written
//! by Kubeless v1.0.8, applied with kubectl, is reconciled by `kfn controller`.

use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{Run, eventually, ok, write};
use crate::kube::{Cluster, Controller, fails_not_found, ready_condition};

/// What `kubeless function deploy hello --runtime python3.7 --from-file test.py --handler
/// test.hello` submits (the contract, §2.1.1), byte for byte.
const KUBELESS_FUNCTION: &str = r#"apiVersion: kubeless.io/v1beta1
kind: Function
metadata:
  creationTimestamp: null
  labels:
    created-by: kubeless
    function: hello
  name: hello
  namespace: default
spec:
  checksum: sha256:93422936bb9bc7bf622c868c65f203f2e367ec5ea6bec624b8856f9015e07965
  deployment:
    metadata:
      creationTimestamp: null
    spec:
      selector: null
      strategy: {}
      template:
        metadata:
          creationTimestamp: null
        spec:
          containers:
          - imagePullPolicy: Always
            name: ""
            resources: {}
    status: {}
  deps: ""
  function: |
    def hello(event, context):
      print(event)
      return event['data']
  function-content-type: text
  handler: test.hello
  horizontalPodAutoscaler:
    metadata:
      creationTimestamp: null
    spec:
      maxReplicas: 0
      scaleTargetRef:
        kind: ""
        name: ""
    status:
      conditions: null
      currentMetrics: null
      currentReplicas: 0
      desiredReplicas: 0
  runtime: python3.7
  service:
    ports:
    - name: http-function-port
      port: 8080
      protocol: TCP
      targetPort: 8080
    selector:
      created-by: kubeless
      function: hello
    type: ClusterIP
  timeout: "180"
"#;

/// The contract's Function under another name (labels and Service selector follow).
fn kubeless_function(name: &str) -> Value {
    let mut f: Value = serde_saphyr::from_str(KUBELESS_FUNCTION).unwrap();
    f["metadata"]["name"] = json!(name);
    f["metadata"]["labels"]["function"] = json!(name);
    f["spec"]["service"]["selector"]["function"] = json!(name);
    f
}

/// The Function after `kubeless autoscale create <name> --metric cpu|qps --value <value>
/// --min 1 --max 3` (§5.1): the autoscaling/v2beta1 object Kubeless's Go types serialize, zero
/// status and all.
fn kubeless_autoscaled(name: &str, metric: &str, value: &str) -> Value {
    let mut f = kubeless_function(name);
    let metrics = match metric {
        "cpu" => {
            json!([{"type": "Resource", "resource": {"name": "cpu", "targetAverageUtilization": value.parse::<i64>().unwrap()}}])
        }
        _ => {
            json!([{"type": "Object", "object": {"target": {"kind": "Service", "name": name}, "metricName": "function_calls", "targetValue": value}}])
        }
    };
    f["spec"]["horizontalPodAutoscaler"] = json!({
        "kind": "HorizontalPodAutoscaler",
        "apiVersion": "autoscaling/v2beta1",
        "metadata": {"name": name, "namespace": "default", "creationTimestamp": null, "labels": f["metadata"]["labels"]},
        "spec": {
            "scaleTargetRef": {"kind": "Deployment", "name": name, "apiVersion": "apps/v1beta1"},
            "minReplicas": 1,
            "maxReplicas": 3,
            "metrics": metrics,
        },
        "status": {"currentReplicas": 0, "desiredReplicas": 0, "currentMetrics": null, "conditions": null},
    });
    f
}

/// A Function whose embedded Deployment says `extensions/v1beta1` and has `replicas: "two"`
/// (kept as written: the schema does not look inside embedded objects), with a variable.
fn odd_function() -> Value {
    let mut f = kubeless_function("hello-odd");
    let deployment = &mut f["spec"]["deployment"];
    deployment["apiVersion"] = json!("extensions/v1beta1");
    deployment["kind"] = json!("Deployment");
    deployment["spec"]["replicas"] = json!("two");
    deployment["spec"]["template"]["spec"]["containers"][0]["env"] = json!([{"name": "COLOR", "value": "blue"}]);
    f
}

/// A trigger as Kubeless's CLI writes it (label `created-by: kubeless`).
fn trigger(kind: &str, name: &str, spec: Value) -> Value {
    json!({
        "kind": kind,
        "apiVersion": "kubeless.io/v1beta1",
        "metadata": {"name": name, "namespace": "default", "creationTimestamp": null, "labels": {"created-by": "kubeless"}},
        "spec": spec,
    })
}

/// One object of each shape the contract describes (§2.1–2.5, §5.1).
fn contract_objects() -> Vec<Value> {
    let mut cron_of_deploy = trigger(
        "CronJobTrigger",
        "hello",
        json!({"schedule": "*/5 * * * *", "function-name": "hello", "payload": null}),
    );
    cron_of_deploy["metadata"]["labels"]["function"] = json!("hello");
    vec![
        kubeless_function("hello"),
        kubeless_autoscaled("hello-cpu", "cpu", "70"),
        kubeless_autoscaled("hello-qps", "qps", "100"),
        trigger(
            "HTTPTrigger",
            "hello-http",
            json!({"function-name": "hello", "host-name": "hello.example.com", "tls": true, "tls-secret": "",
                "path": "greet", "basic-auth-secret": "hello-auth", "gateway": "traefik", "cors-enable": true}),
        ),
        // An HTTPTrigger no CLI filled in: the empty gateway reads as nginx.
        trigger(
            "HTTPTrigger",
            "hello-http-plain",
            json!({"function-name": "hello", "host-name": "", "tls": false, "tls-secret": "hello-tls",
                "path": "", "basic-auth-secret": "", "gateway": "", "cors-enable": false}),
        ),
        trigger(
            "CronJobTrigger",
            "hello-cron",
            json!({"schedule": "0 12 1 JAN *", "function-name": "hello",
                "payload": {"greeting": "hi", "n": 1, "nested": {"list": [1, "a", null, true]}}}),
        ),
        cron_of_deploy,
        trigger(
            "KafkaTrigger",
            "hello-kafka",
            json!({"topic": "t1", "functionSelector": {"matchLabels": {"created-by": "kubeless", "topic": "t1"}}}),
        ),
        trigger(
            "KafkaTrigger",
            "hello-kafka-set",
            json!({"topic": "t1", "functionSelector": {"matchExpressions": [{"key": "topic", "operator": "In", "values": ["t1", "t2"]}]}}),
        ),
        trigger(
            "NATSTrigger",
            "hello-nats",
            json!({"topic": "t2", "functionSelector": {"matchLabels": {"function": "hello"}, "matchExpressions": [
                {"key": "env", "operator": "In", "values": ["prod", "staging"]},
                {"key": "tier", "operator": "NotIn", "values": ["db"]},
                {"key": "team", "operator": "Exists"},
                {"key": "legacy", "operator": "DoesNotExist"}]}}),
        ),
        trigger(
            "KinesisTrigger",
            "hello-kinesis",
            json!({"aws-region": "us-west-2", "secret": "ec2", "endpoint": "", "stream": "my-stream",
                "shard": "shardId-000000000000", "function-name": "hello"}),
        ),
    ]
}

fn list(items: Vec<Value>) -> String {
    json!({"apiVersion": "v1", "kind": "List", "items": items}).to_string()
}

fn get_object(cluster: &Cluster, kind: &str, name: &str) -> Value {
    cluster.get(&[
        "-n",
        "default",
        "get",
        &format!("{}.kubeless.io", kind.to_lowercase()),
        name,
    ])
}

/// `kubectl apply --dry-run=server` of what a kfn command printed: the API server checks it
/// against the schema and stores nothing.
fn server_accepts(cluster: &Cluster, what: &str, printed: &Run) {
    ok(printed, what);
    let run = cluster.kubectl_stdin(&["apply", "--dry-run=server", "-f", "-"], Some(&printed.stdout));
    ok(&run, &format!("kubectl apply --dry-run=server of `{what}`"));
    assert!(run.stdout.contains("(server dry run)"), "{what}: {}", run.stdout);
}

#[test]
fn the_real_api_server_takes_every_kubeless_object_and_what_kfn_writes_and_names_mistyped_fields() {
    let cluster = Cluster::installed();

    // Every object of the contract is accepted, POSTed as Kubeless's CLI sends it, and stored as
    // it was written: nothing is pruned or defaulted (not the zero Deployment and HPA with their
    // nulls, not a null payload).
    let dir = cluster.home.path();
    for sent in contract_objects() {
        let kind = sent["kind"].as_str().unwrap();
        let name = sent["metadata"]["name"].as_str().unwrap();
        let file = write(dir, &format!("{kind}-{name}.json"), sent.to_string());
        let path = format!("/apis/kubeless.io/v1beta1/namespaces/default/{}s", kind.to_lowercase());
        let run = cluster.kubectl(&["create", "--raw", &path, "-f", file.to_str().unwrap()]);
        ok(&run, &format!("POST of the contract's {kind} {name}"));
        let stored = get_object(&cluster, kind, name);
        assert_eq!(stored["spec"], sent["spec"], "{kind} {name} as stored");
        assert_eq!(
            stored["metadata"]["labels"], sent["metadata"]["labels"],
            "{kind} {name}"
        );
    }

    // Every schedule form kfn's CLI and Kubeless accept passes the schedule's pattern.
    let schedules: Vec<Value> = [
        "* * * * *",
        "*/5 * * * *",
        "0 0 * * MON-FRI",
        "0 12 1 JAN *",
        "5,35 9-17/2 ? * 1-5",
        "  1 2 3 4 5  ",
        "@hourly",
        "@daily",
        "@midnight",
        "@every 10s",
        "@every 1m30s",
        // A zone prefix, as cron libraries (and CronJobs before 1.27) took.
        "TZ=Europe/Berlin 0 9 * * *",
    ]
    .iter()
    .enumerate()
    .map(|(i, s)| {
        trigger(
            "CronJobTrigger",
            &format!("schedule-{i}"),
            json!({"schedule": s, "function-name": "hello", "payload": null}),
        )
    })
    .collect();
    let count = schedules.len();
    let run = cluster.kubectl_stdin(&["apply", "--dry-run=server", "-f", "-"], Some(&list(schedules)));
    ok(&run, "cron triggers of every schedule form, --dry-run=server");
    assert_eq!(run.stdout.lines().count(), count, "{}", run.stdout);

    // What the kfn CLI writes is accepted too.
    let code = write(dir, "hello.py", "def hello(event, context):\n    return 'hi'\n");
    let code = code.to_str().unwrap();
    let deploy = [
        "function",
        "deploy",
        "hello-cli",
        "--runtime",
        "python3.12",
        "--handler",
        "hello.hello",
        "--from-file",
        code,
        "--memory",
        "128Mi",
        "--cpu",
        "200m",
        "--env",
        "A=1,B=two",
        "--label",
        "team=a",
        "--secrets",
        "s1",
        "--node-selectors",
        "disk=ssd",
        "--service-account",
        "runner",
        "--timeout",
        "30",
        "--port",
        "8081",
        "--servicePort",
        "80",
        "--image-pull-policy",
        "IfNotPresent",
        "--dryrun",
    ];
    for output in ["yaml", "json"] {
        let mut args = deploy.to_vec();
        args.extend(["-o", output]);
        server_accepts(
            &cluster,
            &format!("kfn function deploy --dryrun -o {output}"),
            &cluster.kfn(&args),
        );
    }
    server_accepts(
        &cluster,
        "kfn function deploy --runtime-image --headless --dryrun",
        &cluster.kfn(&[
            "function",
            "deploy",
            "hello-image",
            "--runtime-image",
            "example/hello:1",
            "--headless",
            "--dryrun",
            "-o",
            "yaml",
        ]),
    );
    ok(
        &cluster.kubectl(&[
            "-n",
            "default",
            "create",
            "secret",
            "generic",
            "ec2",
            "--from-literal=aws_access_key_id=id",
            "--from-literal=aws_secret_access_key=key",
        ]),
        "the Kinesis trigger's secret",
    );
    let selector = "created-by=kubeless,env in (prod,staging),tier notin (db),team,!legacy,topic!=t9";
    for (what, args) in [
        (
            "kfn trigger http create (every flag)",
            vec![
                "trigger",
                "http",
                "create",
                "h1",
                "--function-name",
                "hello",
                "--hostname",
                "h.example.com",
                "--path",
                "greet",
                "--enableTLSAcme",
                "--basic-auth-secret",
                "auth",
                "--cors-enable",
                "--gateway",
                "traefik",
            ],
        ),
        (
            "kfn trigger http create (defaults, a TLS secret)",
            vec![
                "trigger",
                "http",
                "create",
                "h2",
                "--function-name",
                "hello",
                "--tls-secret",
                "tls",
            ],
        ),
        (
            "kfn trigger http update --gateway kong",
            vec!["trigger", "http", "update", "hello-http", "--gateway", "kong"],
        ),
        (
            "kfn trigger cronjob create --payload",
            vec![
                "trigger",
                "cronjob",
                "create",
                "c1",
                "--function",
                "hello",
                "--schedule",
                // What the CLI lets through to a cluster (1m30s no CronJob runs exactly).
                "@every 2m",
                "--payload",
                "{\"a\": [1, {\"b\": null}]}",
            ],
        ),
        (
            "kfn trigger cronjob create (no payload)",
            vec![
                "trigger",
                "cronjob",
                "create",
                "c2",
                "--function",
                "hello",
                "--schedule",
                "*/2 * * * *",
            ],
        ),
        (
            "kfn trigger kafka create",
            vec![
                "trigger",
                "kafka",
                "create",
                "k1",
                "--trigger-topic",
                "t1",
                "--function-selector",
                selector,
            ],
        ),
        (
            "kfn trigger nats create",
            vec![
                "trigger",
                "nats",
                "create",
                "n1",
                "--trigger-topic",
                "t2",
                "--function-selector",
                selector,
            ],
        ),
        (
            "kfn trigger nats update --function-selector",
            vec![
                "trigger",
                "nats",
                "update",
                "hello-nats",
                "--function-selector",
                "function=hello",
            ],
        ),
        (
            "kfn trigger kinesis create",
            vec![
                "trigger",
                "kinesis",
                "create",
                "ks1",
                "--function-name",
                "hello",
                "--aws-region",
                "us-west-2",
                "--shard-id",
                "shardId-000000000000",
                "--stream",
                "my-stream",
                "--secret",
                "ec2",
                "--endpoint",
                "http://127.0.0.1:4567",
            ],
        ),
    ] {
        let mut args = args;
        args.extend(["--dryrun", "-o", "yaml"]);
        server_accepts(&cluster, what, &cluster.kfn(&args));
    }

    // Mistyped fields are rejected by the API server, which names the field and says what it
    // takes; nothing is stored.
    let object = |kind: &str| -> Value { contract_objects().into_iter().find(|o| o["kind"] == kind).unwrap() };
    for (name, kind, pointer, bad, field, takes) in [
        (
            "zero-timeout",
            "Function",
            "/spec/timeout",
            json!("0"),
            "spec.timeout",
            "should match",
        ),
        (
            "minutes-timeout",
            "Function",
            "/spec/timeout",
            json!("3m"),
            "spec.timeout",
            "should match",
        ),
        (
            "bad-port",
            "Function",
            "/spec/service/ports/0/port",
            json!(70000),
            "spec.service.ports[0].port",
            "less than or equal to 65535",
        ),
        (
            "bad-tls",
            "HTTPTrigger",
            "/spec/tls",
            json!("yes"),
            "spec.tls",
            "boolean",
        ),
        (
            "bad-cors",
            "HTTPTrigger",
            "/spec/cors-enable",
            json!("true"),
            "spec.cors-enable",
            "boolean",
        ),
        (
            "bad-gateway",
            "HTTPTrigger",
            "/spec/gateway",
            json!("apache"),
            "spec.gateway",
            "\"traefik\"",
        ),
        (
            "bad-host",
            "HTTPTrigger",
            "/spec/host-name",
            json!(["a"]),
            "spec.host-name",
            "string",
        ),
        (
            "bad-schedule-type",
            "CronJobTrigger",
            "/spec/schedule",
            json!(5),
            "spec.schedule",
            "string",
        ),
        (
            "bad-schedule",
            "CronJobTrigger",
            "/spec/schedule",
            json!("every minute"),
            "spec.schedule",
            "should match",
        ),
        (
            "bad-cron-function",
            "CronJobTrigger",
            "/spec/function-name",
            json!(3),
            "spec.function-name",
            "string",
        ),
        (
            "bad-operator",
            "NATSTrigger",
            "/spec/functionSelector/matchExpressions/0/operator",
            json!("Maybe"),
            "spec.functionSelector.matchExpressions[0].operator",
            "\"DoesNotExist\"",
        ),
        (
            "no-operator",
            "NATSTrigger",
            "/spec/functionSelector/matchExpressions/0",
            json!({"key": "env", "values": ["prod"]}),
            "spec.functionSelector.matchExpressions[0].operator",
            "Required value",
        ),
        (
            "bad-values",
            "NATSTrigger",
            "/spec/functionSelector/matchExpressions/0/values",
            json!("prod"),
            "spec.functionSelector.matchExpressions[0].values",
            "array",
        ),
        (
            "bad-match-labels",
            "KafkaTrigger",
            "/spec/functionSelector/matchLabels/topic",
            json!(1),
            "spec.functionSelector.matchLabels",
            "string",
        ),
        (
            "bad-topic",
            "KafkaTrigger",
            "/spec/topic",
            json!(7),
            "spec.topic",
            "string",
        ),
        (
            "bad-stream",
            "KinesisTrigger",
            "/spec/stream",
            json!(3),
            "spec.stream",
            "string",
        ),
        (
            "bad-shard",
            "KinesisTrigger",
            "/spec/shard",
            json!(0),
            "spec.shard",
            "string",
        ),
    ] {
        let mut obj = object(kind);
        obj["metadata"]["name"] = json!(name);
        *obj.pointer_mut(pointer).unwrap_or_else(|| panic!("{pointer}")) = bad.clone();
        let file = write(dir, &format!("{name}.json"), obj.to_string());
        let run = cluster.kubectl(&["apply", "-f", file.to_str().unwrap()]);
        assert_ne!(
            run.code, 0,
            "{kind} with {pointer} = {bad} should be rejected: {}",
            run.stdout
        );
        assert!(
            run.stderr.contains(&format!("The {kind} \"{name}\" is invalid"))
                && run.stderr.contains(field)
                && run.stderr.contains(takes),
            "the rejection of {pointer} = {bad} should name {field} and say {takes:?}: {}",
            run.stderr
        );
        fails_not_found(&cluster.kubectl(&[
            "-n",
            "default",
            "get",
            &format!("{}.kubeless.io", kind.to_lowercase()),
            name,
        ]));
    }

    // A field the kind does not have is refused by kubectl's validation, naming it; applied
    // without validation it is pruned (not kept to confuse a reader later), except inside the
    // objects Kubeless embeds whole, which keep what they carry.
    let mut obj = object("HTTPTrigger");
    obj["metadata"]["name"] = json!("extra-fields");
    obj["spec"]["route-name"] = json!("old");
    let mut function = object("Function");
    function["metadata"]["name"] = json!("extra-fields");
    function["spec"]["color"] = json!("blue");
    function["spec"]["deployment"]["spec"]["template"]["spec"]["priorityClassName"] = json!("high");
    let file = write(dir, "extra-fields.json", list(vec![obj, function]));
    let run = cluster.kubectl(&["apply", "-f", file.to_str().unwrap()]);
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stderr
            .contains(r#"unknown field "route-name" in io.kubeless.v1beta1.HTTPTrigger.spec"#)
            && run
                .stderr
                .contains(r#"unknown field "color" in io.kubeless.v1beta1.Function.spec"#),
        "{}",
        run.stderr
    );
    ok(
        &cluster.kubectl(&["apply", "--validate=false", "-f", file.to_str().unwrap()]),
        "apply --validate=false of objects with unknown fields",
    );
    let stored = get_object(&cluster, "HTTPTrigger", "extra-fields");
    assert!(stored["spec"].get("route-name").is_none(), "{}", stored["spec"]);
    assert_eq!(stored["spec"]["function-name"], "hello");
    let stored = get_object(&cluster, "Function", "extra-fields");
    assert!(stored["spec"].get("color").is_none(), "{}", stored["spec"]);
    assert_eq!(
        stored["spec"]["deployment"]["spec"]["template"]["spec"]["priorityClassName"],
        "high"
    );
}

#[test]
fn a_function_kubeless_wrote_applied_with_kubectl_is_reconciled_by_the_controller() {
    let cluster = Cluster::installed();
    let controller = Controller::start(&cluster);
    let dir = cluster.home.path();
    let file = write(
        dir,
        "kubeless.json",
        list(vec![
            kubeless_autoscaled("hello-cpu", "cpu", "70"),
            kubeless_autoscaled("hello-qps", "qps", "100"),
            odd_function(),
        ]),
    );
    ok(
        &cluster.kubectl(&["apply", "-f", file.to_str().unwrap()]),
        "kubectl apply of Functions Kubeless v1.0.8 wrote",
    );

    let kubectl_get = |kind: &str, name: &str| cluster.object(kind, name, &controller);
    // A Function whose embedded Deployment names an old apiVersion and has a field of the wrong
    // type (the schema keeps embedded objects as written) is reconciled without that field.
    eventually(
        Duration::from_secs(60),
        "the controller creates the Deployment of hello-odd",
        || {
            let d = kubectl_get("deployment", "hello-odd")?;
            let env = &d["spec"]["template"]["spec"]["containers"][0]["env"];
            if env.as_array().is_some_and(|e| e.iter().any(|v| v["name"] == "COLOR")) {
                Ok(())
            } else {
                Err(format!("no COLOR in {env}"))
            }
        },
    );
    for name in ["hello-cpu", "hello-qps"] {
        // The objects the function needs, owned by it.
        for kind in [
            "configmap",
            "service",
            "deployment",
            "horizontalpodautoscalers.v2.autoscaling",
        ] {
            eventually(
                Duration::from_secs(60),
                &format!("the controller creates the {kind} of {name}"),
                || {
                    let obj = kubectl_get(kind, name)?;
                    let owner = &obj["metadata"]["ownerReferences"][0];
                    if owner["kind"] == "Function" && owner["name"] == name {
                        Ok(())
                    } else {
                        Err(format!("not owned by the Function: {}", obj["metadata"]))
                    }
                },
            );
        }
        let cm = kubectl_get("configmap", name).unwrap();
        assert_eq!(cm["data"]["handler"], "test.hello", "{}", cm["data"]);
        assert!(
            cm["data"]["test.py"]
                .as_str()
                .unwrap_or_default()
                .contains("return event['data']"),
            "the code under Kubeless's key: {}",
            cm["data"]
        );
        let svc = kubectl_get("service", name).unwrap();
        assert_eq!(svc["spec"]["ports"][0]["port"], 8080, "{}", svc["spec"]);
        assert_eq!(svc["spec"]["ports"][0]["name"], "http-function-port", "{}", svc["spec"]);
        let deployment = kubectl_get("deployment", name).unwrap();
        assert_eq!(
            deployment["spec"]["selector"]["matchLabels"],
            json!({"created-by": "kubeless", "function": name}),
            "a selector although Kubeless's template had none"
        );

        // The v2beta1 rule became an autoscaling/v2 HPA of the apps/v1 Deployment.
        let hpa = kubectl_get("horizontalpodautoscalers.v2.autoscaling", name).unwrap();
        let spec = &hpa["spec"];
        assert_eq!(
            spec["scaleTargetRef"],
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": name}),
            "{spec}"
        );
        assert_eq!(
            (&spec["minReplicas"], &spec["maxReplicas"]),
            (&json!(1), &json!(3)),
            "{spec}"
        );
        let metric = &spec["metrics"][0];
        if name == "hello-cpu" {
            assert_eq!(
                metric,
                &json!({"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}),
                "{spec}"
            );
        } else {
            // Kubeless's targetValue is read as a target per replica (docs/autoscaling.md).
            assert_eq!(
                metric,
                &json!({"type": "Object", "object": {
                    "metric": {"name": "function_calls"},
                    "describedObject": {"apiVersion": "v1", "kind": "Service", "name": name},
                    "target": {"type": "AverageValue", "averageValue": "100"}}}),
                "{spec}"
            );
        }

        // The real HPA controller finds the Deployment through the converted reference (there is
        // no apps/v1beta1 any more); without a metrics API it cannot compute a replica count.
        eventually(
            Duration::from_secs(60),
            &format!("the HPA controller scales {name}"),
            || {
                let hpa = kubectl_get("horizontalpodautoscalers.v2.autoscaling", name)?;
                let conditions = hpa["status"]["conditions"].as_array().cloned().unwrap_or_default();
                if conditions
                    .iter()
                    .any(|c| c["type"] == "AbleToScale" && c["status"] == "True" && c["reason"] == "SucceededGetScale")
                {
                    Ok(())
                } else {
                    Err(hpa["status"].to_string())
                }
            },
        );

        // The Function: the finalizer added, the Ready condition of the generation acted on.
        eventually(Duration::from_secs(60), &format!("{name}'s status"), || {
            let f = kubectl_get("function", name)?;
            let c = ready_condition(&cluster, name);
            let finalizers = f["metadata"]["finalizers"].clone();
            if finalizers == json!(["kubeless.io/function"])
                && f["status"]["observedGeneration"] == f["metadata"]["generation"]
                && c["status"] == "False"
                && c["reason"] == "ReplicasNotReady"
            {
                Ok(())
            } else {
                Err(format!("finalizers {finalizers}, status {}", f["status"]))
            }
        });
    }

    // The CLI reads them as it reads its own.
    let listed = cluster.kfn(&["function", "list"]);
    ok(&listed, "kfn function list");
    for name in ["hello-cpu", "hello-qps"] {
        let row = listed
            .stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("{name} is listed:\n{}", listed.stdout));
        assert!(row.contains("python3.7") && row.contains("test.hello"), "{row}");
    }
    let rules = cluster.kfn(&["autoscale", "list"]);
    ok(&rules, "kfn autoscale list");
    for (name, metric, value) in [("hello-cpu", "cpu", "70"), ("hello-qps", "function_calls", "100")] {
        let row: Vec<&str> = rules
            .stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("{name}'s rule is listed:\n{}", rules.stdout))
            .split_whitespace()
            .collect();
        assert_eq!(
            row,
            [name, "default", name, "1", "3", metric, value],
            "{}",
            rules.stdout
        );
    }
    let log = controller.log();
    assert!(
        !log.contains("forbidden"),
        "the controller was refused something:\n{log}"
    );
}
