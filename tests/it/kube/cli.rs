//! The kfn CLI with a kubeconfig against a real API server (kube/mod.rs starts it):
//! contexts and namespaces, the function, trigger and autoscale commands, `get-server-config`,
//! and what `call`, `logs` and `top` say when no pod of a function runs.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{Run, eventually, fails, kfn_command, ok, write};
use crate::kube::{Cluster, Controller, crds_established, deploy_args};

/// The real `kfn` with a kubeconfig of our own (`None`: none on the command line) and extra
/// environment (`KUBECONFIG`, say).
fn kfn_with(cluster: &Cluster, kubeconfig: Option<&Path>, env: &[(&str, &Path)], args: &[&str]) -> Run {
    let mut cmd = kfn_command(cluster.home.path());
    if let Some(path) = kubeconfig {
        cmd.arg("--kubeconfig").arg(path);
    }
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd.args(args).output().expect("kfn runs").into()
}

/// The admin kubeconfig with two contexts on the same cluster and user: `admin` (no namespace)
/// and `team` (namespace team-a); `current` is the current context.
fn two_contexts(cluster: &Cluster, file: &str, current: &str) -> PathBuf {
    let admin = cluster.get(&["config", "view", "--raw"]);
    let cluster_name = admin["clusters"][0]["name"].clone();
    let user = admin["users"][0]["name"].clone();
    let mut config = admin.clone();
    config["contexts"] = serde_json::json!([
        {"name": "admin", "context": {"cluster": cluster_name, "user": user}},
        {"name": "team", "context": {"cluster": cluster_name, "user": user, "namespace": "team-a"}},
    ]);
    config["current-context"] = Value::from(current);
    write(cluster.home.path(), file, config.to_string())
}

/// Where the API server stores a Function: its namespace, or None when there is none of that
/// name in any namespace.
fn namespace_of(cluster: &Cluster, function: &str) -> Option<String> {
    let all = cluster.get(&["get", "functions.kubeless.io", "-A"]);
    all["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["metadata"]["name"] == function)
        .map(|f| f["metadata"]["namespace"].as_str().unwrap_or_default().to_string())
}

/// The first line of a table and the row that starts with `name`, split into cells.
fn header_and_row(table: &str, name: &str) -> (Vec<String>, Vec<String>) {
    let cells = |line: &str| line.split('\t').map(|c| c.trim().to_string()).collect::<Vec<_>>();
    let header = cells(table.lines().next().unwrap_or_default());
    let row = table
        .lines()
        .skip(1)
        .find(|l| l.split('\t').next().map(str::trim) == Some(name))
        .map(cells)
        .unwrap_or_else(|| panic!("a row for {name} in:\n{table}"));
    (header, row)
}

/// A local engine in the cluster test's KFN_HOME (with its gateway), stopped on drop.
struct LocalEngine<'a>(&'a Cluster);

impl<'a> LocalEngine<'a> {
    fn start(cluster: &'a Cluster) -> LocalEngine<'a> {
        let run: Run = kfn_command(cluster.home.path())
            .args(["local", "start"])
            .output()
            .expect("kfn runs")
            .into();
        ok(&run, "kfn local start");
        LocalEngine(cluster)
    }
}

impl Drop for LocalEngine<'_> {
    fn drop(&mut self) {
        let _ = kfn_command(self.0.home.path())
            .args(["local", "stop", "--grace", "3"])
            .output();
    }
}

#[test]
fn the_cli_follows_kubeconfig_contexts_and_namespaces_and_manages_functions_on_a_real_api_server() {
    let cluster = Cluster::start();
    // Before kfn is installed the server has no runtime catalog and no Function kind: say so.
    let run = cluster.kfn(&["get-server-config"]);
    fails(&run, "Unable to read the configmap");
    for says in ["kubeless/kubeless-config", "kfn install"] {
        assert!(run.stderr.contains(says), "should say {says:?}: {}", run.stderr);
    }
    let run = cluster.kfn(&["function", "list"]);
    fails(&run, "does not serve the kind kfn asked for");
    assert!(run.stderr.contains("is kfn installed there?"), "{}", run.stderr);
    assert!(run.stderr.contains("kfn install"), "{}", run.stderr);

    ok(&cluster.kfn(&["install"]), "kfn install");
    crds_established(&cluster);
    let run = cluster.kfn(&["get-server-config"]);
    ok(&run, "get-server-config after kfn install");
    for says in [
        "Current Server Config:",
        "Runtime catalog from ConfigMap kubeless/kubeless-config",
        "Supported Runtimes are: ",
        "python3.12",
        "nodejs20",
    ] {
        assert!(run.stderr.contains(says), "should say {says:?}: {}", run.stderr);
    }

    for ns in ["team-a", "other"] {
        ok(
            &cluster.kubectl(&["create", "namespace", ns]),
            "kubectl create namespace",
        );
    }
    let dir = cluster.home.path();
    let code = cluster.hello_code();
    let config = two_contexts(&cluster, "two.kubeconfig", "admin");

    // --context picks the context, and with it its namespace.
    let mut args = vec!["--context", "team"];
    args.extend(deploy_args("in-team", &code));
    let run = kfn_with(&cluster, Some(&config), &[], &args);
    ok(&run, "kfn --context team function deploy");
    assert_eq!(namespace_of(&cluster, "in-team").as_deref(), Some("team-a"));
    // The current context (no namespace) means `default`.
    let run = kfn_with(&cluster, Some(&config), &[], &deploy_args("in-default", &code));
    ok(&run, "kfn function deploy with the current context");
    assert_eq!(namespace_of(&cluster, "in-default").as_deref(), Some("default"));
    // -n wins over the context's namespace.
    let mut args = vec!["--context", "team", "-n", "other"];
    args.extend(deploy_args("in-other", &code));
    ok(
        &kfn_with(&cluster, Some(&config), &[], &args),
        "kfn --context team -n other function deploy",
    );
    assert_eq!(namespace_of(&cluster, "in-other").as_deref(), Some("other"));

    // $KUBECONFIG works as --kubeconfig does, its current context included.
    let team_current = two_contexts(&cluster, "team.kubeconfig", "team");
    let run = kfn_with(&cluster, None, &[("KUBECONFIG", &team_current)], &["function", "list"]);
    ok(&run, "KUBECONFIG=… kfn function list");
    assert!(
        run.stdout.contains("in-team") && !run.stdout.contains("in-default"),
        "the team context's namespace: {}",
        run.stdout
    );
    let run = kfn_with(
        &cluster,
        None,
        &[("KUBECONFIG", &config)],
        &["--context", "team", "function", "describe", "in-team"],
    );
    ok(&run, "KUBECONFIG=… kfn --context team function describe");
    assert!(run.stdout.contains("team-a"), "{}", run.stdout);

    // A context that does not exist: named, with those that do, before anything is sent.
    for (kubeconfig, env) in [
        (Some(config.as_path()), vec![]),
        (None, vec![("KUBECONFIG", config.as_path())]),
    ] {
        let mut args = vec!["--context", "nope"];
        args.extend(deploy_args("never", &code));
        let run = kfn_with(&cluster, kubeconfig, &env, &args);
        fails(&run, "has no context");
        assert!(
            run.stderr.contains("nope") && run.stderr.contains("its contexts are: admin, team"),
            "names it and the contexts there are: {}",
            run.stderr
        );
    }
    assert_eq!(namespace_of(&cluster, "never"), None, "nothing deployed");
    // A namespace that does not exist is named by the API server.
    let mut args = vec!["-n", "missing"];
    args.extend(deploy_args("nowhere", &code));
    let run = cluster.kfn(&args);
    fails(&run, "Failed to deploy nowhere");
    assert!(
        run.stderr.contains("namespaces") && run.stderr.contains("missing") && run.stderr.contains("not found"),
        "{}",
        run.stderr
    );

    // deploy, list, describe, update, delete as the API server stores it.
    let run = cluster.kfn(&[
        "function",
        "deploy",
        "hello",
        "--runtime",
        "python3.12",
        "--handler",
        "hello.hello",
        "--from-file",
        code.to_str().unwrap(),
        "--label",
        "team=a",
        "--env",
        "GREETING=hi",
        "--memory",
        "128Mi",
        "--timeout",
        "30",
    ]);
    ok(&run, "kfn function deploy hello");
    let stored = cluster.get(&["-n", "default", "get", "function", "hello"]);
    assert_eq!(stored["spec"]["handler"], "hello.hello");
    assert_eq!(stored["spec"]["timeout"], "30");
    assert_eq!(stored["metadata"]["labels"]["team"], "a");
    assert_eq!(stored["metadata"]["labels"]["created-by"], "kubeless");
    let container = &stored["spec"]["deployment"]["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["env"][0]["value"], "hi", "{container}");
    assert_eq!(container["resources"]["requests"]["memory"], "128Mi", "{container}");

    let run = cluster.kfn(&["function", "list"]);
    ok(&run, "kfn function list");
    let (header, row) = header_and_row(&run.stdout, "hello");
    assert_eq!(
        header,
        ["NAME", "NAMESPACE", "HANDLER", "RUNTIME", "DEPENDENCIES", "STATUS"]
    );
    assert_eq!(row[1..4], ["default", "hello.hello", "python3.12"]);
    // No controller runs: no Deployment.
    assert_eq!(row[5], "MISSING: Check controller logs");
    let run = cluster.kfn(&["function", "list", "hello", "-o", "json"]);
    ok(&run, "kfn function list hello -o json");
    let listed: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(listed[0]["metadata"]["uid"], stored["metadata"]["uid"]);

    let run = cluster.kfn(&["function", "describe", "hello"]);
    ok(&run, "kfn function describe");
    for says in [
        "hello.hello",
        "python3.12",
        r#""team":"a""#,
        r#"{"name":"GREETING","value":"hi"}"#,
        "128Mi",
    ] {
        assert!(
            run.stdout.contains(says),
            "describe should show {says:?}:\n{}",
            run.stdout
        );
    }

    let new_code = write(dir, "other.py", "def other(event, context):\n    return 'two'\n");
    let run = cluster.kfn(&[
        "function",
        "update",
        "hello",
        "--handler",
        "other.other",
        "--from-file",
        new_code.to_str().unwrap(),
        "--env",
        "GREETING=hello",
        "--label",
        "tier=web",
    ]);
    ok(&run, "kfn function update");
    let updated = cluster.get(&["-n", "default", "get", "function", "hello"]);
    assert_eq!(updated["spec"]["handler"], "other.other");
    assert!(
        updated["spec"]["function"]
            .as_str()
            .unwrap_or_default()
            .contains("'two'"),
        "{}",
        updated["spec"]
    );
    assert_ne!(updated["spec"]["checksum"], stored["spec"]["checksum"]);
    assert_eq!(updated["spec"]["runtime"], "python3.12", "what was not given stays");
    let labels = &updated["metadata"]["labels"];
    assert_eq!(
        (&labels["team"], &labels["tier"]),
        (&Value::from("a"), &Value::from("web"))
    );
    let container = &updated["spec"]["deployment"]["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        container["env"],
        serde_json::json!([{"name": "GREETING", "value": "hello"}])
    );
    assert_eq!(container["resources"]["requests"]["memory"], "128Mi", "{container}");

    ok(&cluster.kfn(&["function", "delete", "hello"]), "kfn function delete");
    eventually(Duration::from_secs(30), "the Function is gone", || {
        let run = cluster.kubectl(&["-n", "default", "get", "function", "hello"]);
        if run.code != 0 && run.stderr.contains("NotFound") {
            Ok(())
        } else {
            Err(format!("{}{}", run.stdout, run.stderr))
        }
    });

    // A function that does not exist: Kubeless's words, naming it, exit 1.
    for (args, says) in [
        (vec!["function", "call", "nope"], "Unable to find the service for nope"),
        (vec!["function", "logs", "nope"], "No function pod is running"),
        (vec!["function", "describe", "nope"], "Function nope is not found"),
        (vec!["function", "delete", "nope"], "Function nope is not found"),
        (
            vec!["function", "update", "nope", "--handler", "a.b"],
            "Function nope is not found",
        ),
    ] {
        let run = cluster.kfn(&args);
        fails(&run, says);
        assert!(
            run.stderr.contains("default") && !run.stderr.contains("the server could not find"),
            "{args:?} names the namespace in its own words: {}",
            run.stderr
        );
    }
}

#[test]
fn triggers_and_autoscaling_rules_are_stored_listed_updated_and_deleted_on_a_real_api_server() {
    let cluster = Cluster::installed();
    let code = cluster.hello_code();
    let mut args = deploy_args("hello", &code);
    args.extend(["--label", "app=hello"]);
    ok(&cluster.kfn(&args), "kfn function deploy");
    ok(&cluster.kfn(&deploy_args("other", &code)), "kfn function deploy other");
    ok(
        &cluster.kubectl(&[
            "-n",
            "default",
            "create",
            "secret",
            "generic",
            "aws",
            "--from-literal=aws_access_key_id=id",
            "--from-literal=aws_secret_access_key=key",
        ]),
        "kubectl create secret",
    );
    let spec = |kind: &str, name: &str| cluster.get(&["-n", "default", "get", kind, name])["spec"].clone();

    // Each kind: create, list (its columns), update (the field changes), delete.
    struct Kind<'a> {
        kind: &'a str,
        resource: &'a str,
        create: Vec<&'a str>,
        update: Vec<&'a str>,
        header: Vec<&'a str>,
        row: Vec<&'a str>,
        changed: (&'a str, &'a str),
        message: &'a str,
    }
    let kinds = [
        Kind {
            kind: "http",
            resource: "httptrigger",
            create: vec![
                "--function-name",
                "hello",
                "--hostname",
                "hello.example.com",
                "--path",
                "greet",
            ],
            update: vec!["--hostname", "hi.example.com"],
            header: vec!["NAME", "NAMESPACE", "FUNCTION NAME"],
            row: vec!["t-http", "default", "hello"],
            changed: ("/host-name", "hi.example.com"),
            message: "HTTP trigger t-http",
        },
        Kind {
            kind: "cronjob",
            resource: "cronjobtrigger",
            create: vec!["--function", "hello", "--schedule", "*/5 * * * *"],
            update: vec!["--schedule", "0 * * * *"],
            header: vec!["NAME", "NAMESPACE", "SCHEDULE", "FUNCTION NAME"],
            row: vec!["t-cronjob", "default", "*/5 * * * *", "hello"],
            changed: ("/schedule", "0 * * * *"),
            message: "Cronjob trigger t-cronjob",
        },
        Kind {
            kind: "kafka",
            resource: "kafkatrigger",
            create: vec!["--trigger-topic", "orders", "--function-selector", "app=hello"],
            update: vec!["--trigger-topic", "payments"],
            header: vec!["NAME", "NAMESPACE", "TOPIC", "FUNCTION SELECTOR"],
            row: vec!["t-kafka", "default", "orders", "app=hello"],
            changed: ("/topic", "payments"),
            message: "Kafka trigger t-kafka",
        },
        Kind {
            kind: "nats",
            resource: "natstrigger",
            create: vec!["--trigger-topic", "orders", "--function-selector", "app=hello"],
            update: vec!["--trigger-topic", "payments"],
            header: vec!["NAME", "NAMESPACE", "TOPIC", "FUNCTION SELECTOR"],
            row: vec!["t-nats", "default", "orders", "app=hello"],
            changed: ("/topic", "payments"),
            message: "NATS trigger t-nats",
        },
        Kind {
            kind: "kinesis",
            resource: "kinesistrigger",
            create: vec![
                "--function-name",
                "hello",
                "--stream",
                "orders",
                "--aws-region",
                "us-west-2",
                "--shard-id",
                "shardId-000000000000",
                "--secret",
                "aws",
            ],
            update: vec!["--stream", "payments"],
            header: vec!["NAME", "NAMESPACE", "REGION", "STREAM", "SHARD", "FUNCTION NAME"],
            row: vec![
                "t-kinesis",
                "default",
                "us-west-2",
                "orders",
                "shardId-000000000000",
                "hello",
            ],
            changed: ("/stream", "payments"),
            message: "Kinesis trigger t-kinesis",
        },
    ];
    for k in &kinds {
        let name = format!("t-{}", k.kind);
        let mut args = vec!["trigger", k.kind, "create", &name];
        args.extend(&k.create);
        let run = cluster.kfn(&args);
        ok(&run, &format!("kfn trigger {} create", k.kind));
        assert!(
            run.stderr
                .contains(&format!("{} created in namespace default successfully!", k.message)),
            "{}",
            run.stderr
        );
        let stored = cluster.get(&["-n", "default", "get", k.resource, &name]);
        assert_eq!(stored["metadata"]["labels"]["created-by"], "kubeless", "{stored}");

        let run = cluster.kfn(&["trigger", k.kind, "list"]);
        ok(&run, &format!("kfn trigger {} list", k.kind));
        let (header, row) = header_and_row(&run.stdout, &name);
        assert_eq!(header, k.header, "{}", run.stdout);
        assert_eq!(row, k.row, "{}", run.stdout);

        let mut args = vec!["trigger", k.kind, "update", &name];
        args.extend(&k.update);
        let run = cluster.kfn(&args);
        ok(&run, &format!("kfn trigger {} update", k.kind));
        assert!(
            run.stderr
                .contains(&format!("{} updated in namespace default successfully!", k.message)),
            "{}",
            run.stderr
        );
        let (field, value) = k.changed;
        assert_eq!(spec(k.resource, &name).pointer(field), Some(&Value::from(value)));

        let run = cluster.kfn(&["trigger", k.kind, "delete", &name]);
        ok(&run, &format!("kfn trigger {} delete", k.kind));
        assert!(
            run.stderr
                .contains(&format!("{} deleted from namespace default successfully!", k.message)),
            "{}",
            run.stderr
        );
        let gone = cluster.kubectl(&["-n", "default", "get", k.resource, &name]);
        assert!(gone.code != 0 && gone.stderr.contains("NotFound"), "{}", gone.stderr);
        let run = cluster.kfn(&["trigger", k.kind, "list"]);
        assert!(!run.stdout.contains(&name), "{}", run.stdout);
    }
    // `-o wide` shows where a cluster's trigger is served (its Ingress's address: none here,
    // no controller runs), not the gateway of a local engine that happens to run too.
    let _engine = LocalEngine::start(&cluster);
    ok(
        &cluster.kfn(&[
            "trigger",
            "http",
            "create",
            "routed",
            "--function-name",
            "hello",
            "--hostname",
            "h.example.com",
        ]),
        "kfn trigger http create",
    );
    let run = cluster.kfn(&["trigger", "http", "list", "-o", "wide"]);
    ok(&run, "kfn trigger http list -o wide");
    let (header, row) = header_and_row(&run.stdout, "routed");
    assert_eq!(header[3..], ["HOST", "PATH", "GATEWAY"]);
    assert_eq!(row[3..], ["h.example.com", "/", "-"], "{}", run.stdout);
    ok(
        &cluster.kfn(&["trigger", "http", "delete", "routed"]),
        "kfn trigger http delete",
    );

    // A trigger of a function that does not exist is refused by kfn before the server sees it.
    let run = cluster.kfn(&[
        "trigger",
        "cronjob",
        "create",
        "tick",
        "--function",
        "nope",
        "--schedule",
        "* * * * *",
    ]);
    fails(&run, "Unable to find Function nope in namespace default");

    // autoscale: the Function's embedded HPA, shown by list, removed by delete.
    let run = cluster.kfn(&[
        "autoscale",
        "create",
        "hello",
        "--min",
        "2",
        "--max",
        "5",
        "--metric",
        "cpu",
        "--value",
        "60",
    ]);
    ok(&run, "kfn autoscale create");
    let hpa = spec("function", "hello")["horizontalPodAutoscaler"].clone();
    assert_eq!(hpa["metadata"]["name"], "hello", "{hpa}");
    assert_eq!(
        (&hpa["spec"]["minReplicas"], &hpa["spec"]["maxReplicas"]),
        (&Value::from(2), &Value::from(5))
    );
    ok(
        &cluster.kfn(&["autoscale", "create", "other", "--metric", "qps", "--value", "50"]),
        "kfn autoscale create --metric qps",
    );
    let run = cluster.kfn(&["autoscale", "list"]);
    ok(&run, "kfn autoscale list");
    let (header, row) = header_and_row(&run.stdout, "hello");
    assert_eq!(header, ["NAME", "NAMESPACE", "TARGET", "MIN", "MAX", "METRIC", "VALUE"]);
    assert_eq!(
        row,
        ["hello", "default", "hello", "2", "5", "cpu", "60"],
        "{}",
        run.stdout
    );
    let (_, row) = header_and_row(&run.stdout, "other");
    assert_eq!(row[5..], ["function_calls", "50"], "{}", run.stdout);
    let run = cluster.kfn(&["autoscale", "list", "-o", "json"]);
    ok(&run, "kfn autoscale list -o json");
    assert!(run.stdout.contains("\"maxReplicas\": 5"), "{}", run.stdout);

    let run = cluster.kfn(&["autoscale", "delete", "hello"]);
    ok(&run, "kfn autoscale delete");
    assert!(
        run.stderr.contains("Remove Autoscaling rule from hello successfully"),
        "{}",
        run.stderr
    );
    let hpa = spec("function", "hello")["horizontalPodAutoscaler"].clone();
    assert!(
        hpa.pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .is_empty(),
        "the rule is gone: {hpa}"
    );
    let run = cluster.kfn(&["autoscale", "list"]);
    assert!(
        !run.stdout.contains("hello") && run.stdout.contains("other"),
        "{}",
        run.stdout
    );
    fails(
        &cluster.kfn(&["autoscale", "delete", "hello"]),
        "Not found an autoscale definition for hello",
    );
    fails(
        &cluster.kfn(&["autoscale", "create", "nope", "--value", "50"]),
        "Function nope is not found",
    );
}

#[test]
fn call_logs_and_top_say_at_once_that_no_pod_of_the_function_runs() {
    let cluster = Cluster::installed();
    let controller = Controller::start(&cluster);
    let code = cluster.hello_code();
    ok(&cluster.kfn(&deploy_args("hello", &code)), "kfn function deploy");
    // The real controllers make a Pod, which stays Pending: no node runs it.
    eventually(Duration::from_secs(60), "a Pending pod of hello", || {
        let pods = cluster.get(&["-n", "default", "get", "pods", "-l", "function=hello"]);
        let phases: Vec<&str> = pods["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["status"]["phase"].as_str())
            .collect();
        if phases == ["Pending"] {
            Ok(())
        } else {
            Err(format!("{phases:?}\ncontroller log:\n{}", controller.log()))
        }
    });

    let within = Duration::from_secs(30);
    for (args, says) in [
        (
            vec!["function", "call", "hello"],
            "Function hello in namespace default has no ready pod",
        ),
        (
            vec!["function", "call", "hello", "--data", "{\"a\":1}"],
            "has no ready pod",
        ),
        (
            vec!["function", "logs", "hello"],
            "No function pod is running: there is no pod ready",
        ),
        (
            vec!["function", "logs", "hello", "--follow"],
            "No function pod is running",
        ),
        (vec!["function", "top", "--function", "hello"], "no ready pod"),
    ] {
        let started = Instant::now();
        let run = cluster.kfn(&args);
        let took = started.elapsed();
        fails(&run, says);
        for names in ["hello", "default", "Pending", "not scheduled to a node"] {
            assert!(
                run.stderr.contains(names),
                "{args:?} should say {names:?}:\n{}",
                run.stderr
            );
        }
        assert!(
            !run.stderr.contains("no endpoints available"),
            "{args:?}: not the API server's proxy error:\n{}",
            run.stderr
        );
        assert!(took < within, "{args:?} took {took:?}, not a quick answer");
    }
    // top of every function succeeds, Kubeless's message and the reason in the function's row.
    let run = cluster.kfn(&["function", "top", "-o", "json"]);
    ok(&run, "kfn function top");
    let rows: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(
        rows[0]["message"], "Function does not expose metrics: no ready pod (1 Pending, not scheduled to a node)",
        "{rows}"
    );
    // list and describe show where it stands.
    let run = cluster.kfn(&["function", "list"]);
    ok(&run, "kfn function list");
    let (_, row) = header_and_row(&run.stdout, "hello");
    assert_eq!(row[5], "0/1 NOT READY", "{}", run.stdout);
    let run = cluster.kfn(&["function", "describe", "hello"]);
    ok(&run, "kfn function describe");
    assert!(run.stdout.contains("Pending, not ready"), "{}", run.stdout);
}
