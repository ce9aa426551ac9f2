//! Flows on a real control plane: `kfn controller` (as the ServiceAccount `kfn install` makes)
//! runs executions, storing their status after each transition, and calls the Tasks' functions
//! through the service proxy of a local engine that runs them (`--functions-kubeconfig`); a
//! controller restart during a Wait carries on; a Flow applied past kfn's checks says what is
//! wrong with it.

use std::time::Duration;

use serde_json::{Value, json};

use super::{Cluster, Controller};
use crate::common::{Engine, deploy_code, eventually, ok, write};

const PRICE: &str = "def handler(event, context):\n    order = event['data']\n    if not order.get('items'):\n        raise ValueError('order %s has no items' % order['id'])\n    return {'total': sum(order['items'])}\n";
const DOUBLE: &str = "def handler(event, context):\n    return {'n': event['data']['n'] * 2}\n";

/// The kfn.io CRDs are Established.
pub(super) fn flow_crds_established(cluster: &Cluster) {
    for crd in ["flows.kfn.io", "executions.kfn.io"] {
        let run = cluster.kubectl(&[
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            &format!("crd/{crd}"),
        ]);
        ok(&run, &format!("kubectl wait for {crd} to be Established"));
    }
}

/// An engine running `functions`, and a controller on `cluster` that calls them there.
fn engine_with(functions: &[(&str, &str)]) -> Engine {
    let engine = Engine::start();
    for (name, code) in functions {
        ok(
            &deploy_code(&engine, name, "python3.12", &format!("{name}.py"), code, &["--wait"]),
            &format!("deploy {name} on the engine"),
        );
    }
    engine
}

pub(super) fn controller(cluster: &Cluster, engine: &Engine, identity: &str) -> Controller {
    let kubeconfig = engine.kubeconfig();
    Controller::start_with(
        cluster,
        identity,
        &["--functions-kubeconfig", kubeconfig.to_str().unwrap()],
    )
}

fn deploy_flow(cluster: &Cluster, name: &str, definition: &Value) {
    let file = write(cluster.home.path(), &format!("{name}.asl.json"), definition.to_string());
    ok(
        &cluster.kfn(&["flow", "deploy", name, "--from-file", file.to_str().unwrap()]),
        &format!("kfn flow deploy {name} on the cluster"),
    );
}

/// The Execution as the API server stores it.
fn execution(cluster: &Cluster, name: &str) -> Value {
    cluster.get(&["-n", "default", "get", "executions.kfn.io", name])
}

#[test]
fn the_controller_runs_flows_on_a_cluster_calling_functions_and_resumes_after_a_restart() {
    let cluster = Cluster::installed();
    flow_crds_established(&cluster);
    let engine = engine_with(&[("price", PRICE), ("double", DOUBLE)]);
    let first = controller(&cluster, &engine, "flows-1");

    // A Task, a Choice and a Catch: the output of a good order, the error of a bad one.
    deploy_flow(
        &cluster,
        "order",
        &json!({
            "StartAt": "Price",
            "States": {
                "Price": {"Type": "Task", "Resource": "price", "ResultPath": "$.priced",
                    "Catch": [{"ErrorEquals": ["ValueError"], "ResultPath": "$.problem", "Next": "Rejected"}],
                    "Next": "Big?"},
                "Big?": {"Type": "Choice",
                    "Choices": [{"Variable": "$.priced.total", "NumericGreaterThan": 100, "Next": "Review"}],
                    "Default": "Accept"},
                "Review": {"Type": "Pass", "Parameters": {"order.$": "$.id", "status": "review"}, "End": true},
                "Accept": {"Type": "Pass", "Parameters": {"order.$": "$.id", "status": "accepted",
                    "total.$": "$.priced.total"}, "End": true},
                "Rejected": {"Type": "Pass", "Parameters": {"order.$": "$.id", "why.$": "$.problem.Cause"},
                    "End": true}
            }
        }),
    );
    let run = cluster.kfn(&[
        "flow",
        "start",
        "order",
        "--data",
        r#"{"id": 7, "items": [20, 30]}"#,
        "--wait",
        "--timeout",
        "180s",
    ]);
    assert_eq!(
        run.code,
        0,
        "kfn flow start --wait on the cluster: {}{}\ncontroller log:\n{}",
        run.stdout,
        run.stderr,
        first.log()
    );
    let output: Value = serde_json::from_str(&run.stdout).expect("the output is JSON");
    assert_eq!(output, json!({"order": 7, "status": "accepted", "total": 50}));
    let run = cluster.kfn(&[
        "flow",
        "start",
        "order",
        "--data",
        r#"{"id": 8}"#,
        "--wait",
        "--timeout",
        "180s",
    ]);
    ok(&run, "kfn flow start --wait (caught)");
    assert_eq!(
        serde_json::from_str::<Value>(&run.stdout).unwrap(),
        json!({"order": 8, "why": "order 8 has no items"})
    );
    let run = cluster.kfn(&["flow", "executions", "order"]);
    ok(&run, "kfn flow executions on the cluster");
    assert_eq!(run.stdout.matches("Succeeded").count(), 2, "{}", run.stdout);

    // A controller restart during a Wait: the next one carries on from the stored cursor.
    deploy_flow(
        &cluster,
        "slow",
        &json!({
            "StartAt": "Double",
            "States": {
                "Double": {"Type": "Task", "Resource": "double", "Next": "Nap"},
                "Nap": {"Type": "Wait", "Seconds": 6, "Next": "Again"},
                "Again": {"Type": "Task", "Resource": "double", "End": true}
            }
        }),
    );
    let run = cluster.kfn(&["flow", "start", "slow", "--data", r#"{"n": 5}"#, "--name", "slow-1"]);
    ok(&run, "kfn flow start slow");
    assert_eq!(run.stdout.trim(), "slow-1");
    eventually(Duration::from_secs(120), "the execution reaches its Wait", || {
        let e = execution(&cluster, "slow-1");
        let events = e["status"]["history"].as_array().cloned().unwrap_or_default();
        if events.iter().any(|h| h["type"] == "WaitStateEntered") {
            Ok(())
        } else {
            Err(format!("{}\ncontroller log:\n{}", e["status"], first.log()))
        }
    });
    first.stop();
    let e = execution(&cluster, "slow-1");
    assert_eq!(
        e["status"]["phase"], "Running",
        "stopped during the Wait: {}",
        e["status"]
    );
    let second = controller(&cluster, &engine, "flows-2");
    let e = eventually(
        Duration::from_secs(180),
        "the next controller ends the execution",
        || {
            let e = execution(&cluster, "slow-1");
            match e["status"]["phase"].as_str() {
                Some("Running") | None => Err(format!("{}\ncontroller log:\n{}", e["status"], second.log())),
                Some(_) => Ok(e),
            }
        },
    );
    assert_eq!(e["status"]["phase"], "Succeeded", "{}", e["status"]);
    assert_eq!(e["status"]["output"], json!({"n": 20}));
    assert!(e["status"]["cursor"].is_null(), "no cursor once ended: {}", e["status"]);
    let run = cluster.kfn(&["flow", "history", "slow-1"]);
    ok(&run, "kfn flow history on the cluster");
    assert!(run.stdout.contains("ExecutionSucceeded"), "{}", run.stdout);

    // A Flow kfn's checks did not see (applied with kubectl): Ready=False with the problem.
    let invalid = json!({"apiVersion": "kfn.io/v1alpha1", "kind": "Flow",
        "metadata": {"name": "broken", "namespace": "default"},
        "spec": {"definition": {"StartAt": "Go", "States": {"Go": {"Type": "Pass", "Next": "Nowhere"}}}}});
    ok(
        &cluster.kubectl_stdin(&["apply", "-f", "-"], Some(&invalid.to_string())),
        "kubectl apply of an invalid Flow",
    );
    let ready = eventually(Duration::from_secs(60), "the invalid Flow is not Ready", || {
        let f = cluster.get(&["-n", "default", "get", "flows.kfn.io", "broken"]);
        let ready = f["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["type"] == "Ready")
            .cloned();
        match ready {
            Some(c) if c["status"] == "False" => Ok(c),
            other => Err(format!("{other:?}\ncontroller log:\n{}", second.log())),
        }
    });
    let message = ready["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("States.Go") && message.contains("Nowhere"),
        "the condition names the state and the problem: {ready}"
    );
    let f = cluster.get(&["-n", "default", "get", "flows.kfn.io", "order"]);
    let order_ready = f["status"]["conditions"][0]["status"].clone();
    assert_eq!(order_ready, "True", "a valid Flow is Ready: {}", f["status"]);
    let run = cluster.kfn(&["flow", "list"]);
    ok(&run, "kfn flow list on the cluster");
    let broken = run
        .stdout
        .lines()
        .find(|l| l.starts_with("broken"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(broken.contains("False"), "{broken}");
}

/// The executions of `flow` as the API server stores them.
fn executions_of(cluster: &Cluster, flow: &str) -> Vec<Value> {
    let list = cluster.get(&[
        "-n",
        "default",
        "get",
        "executions.kfn.io",
        "-l",
        &format!("kfn.io/flow={flow}"),
    ]);
    list["items"].as_array().cloned().unwrap_or_default()
}

#[test]
fn nats_and_cron_triggers_start_executions_of_flows_on_a_cluster() {
    let cluster = Cluster::installed();
    flow_crds_established(&cluster);
    let nats = crate::triggers::nats_server();
    let url = format!("nats://127.0.0.1:{}", nats.1);
    let controller = Controller::start_with(&cluster, "flows-triggers", &["--nats", &url]);
    deploy_flow(
        &cluster,
        "greet",
        &json!({"StartAt": "Hello", "States": {"Hello": {"Type": "Pass",
            "Parameters": {"greeting.$": "$.name"}, "End": true}}}),
    );
    ok(
        &cluster.kubectl(&["label", "-n", "default", "flows.kfn.io/greet", "app=greet"]),
        "label the flow",
    );
    let trigger = json!({"apiVersion": "kubeless.io/v1beta1", "kind": "NATSTrigger",
        "metadata": {"name": "greet", "namespace": "default"},
        "spec": {"topic": "greetings", "flowSelector": {"matchLabels": {"app": "greet"}}}});
    ok(
        &cluster.kubectl_stdin(&["apply", "-f", "-"], Some(&trigger.to_string())),
        "apply the NATSTrigger",
    );
    eventually(
        Duration::from_secs(30),
        "the controller subscribes for the flow",
        || {
            let t = cluster.get(&["-n", "default", "get", "natstriggers.kubeless.io", "greet"]);
            let reason = &t["status"]["conditions"][0]["reason"];
            if reason == "Subscribed" {
                Ok(())
            } else {
                Err(format!("{t}"))
            }
        },
    );
    ok(
        &cluster.kfn(&crate::triggers::nats_publish(&url, "greetings", r#"{"name": "ada"}"#)),
        "publish a greeting",
    );
    eventually(Duration::from_secs(60), "the message's execution Succeeds", || {
        executions_of(&cluster, "greet")
            .iter()
            .any(|e| e["status"]["phase"] == "Succeeded" && e["status"]["output"] == json!({"greeting": "ada"}))
            .then_some(())
            .ok_or_else(|| format!("{:?}\n{}", executions_of(&cluster, "greet"), controller.log()))
    });
    assert_eq!(
        executions_of(&cluster, "greet").len(),
        1,
        "one message, one execution\n{}",
        controller.log()
    );

    // An HTTPTrigger naming a flow: no Ingress, and a status that says so.
    let http = json!({"apiVersion": "kubeless.io/v1beta1", "kind": "HTTPTrigger",
        "metadata": {"name": "greet-http", "namespace": "default"},
        "spec": {"flow-name": "greet", "host-name": "greet.example.com"}});
    ok(
        &cluster.kubectl_stdin(&["apply", "-f", "-"], Some(&http.to_string())),
        "apply the HTTPTrigger",
    );
    eventually(
        Duration::from_secs(30),
        "the HTTPTrigger says flows are not routed",
        || {
            let t = cluster.get(&["-n", "default", "get", "httptriggers.kubeless.io", "greet-http"]);
            let c = &t["status"]["conditions"][0];
            if c["reason"] == "FlowsNotRoutedOnClusters" && c["status"] == "False" {
                Ok(())
            } else {
                Err(format!("{t}"))
            }
        },
    );

    // A CronJobTrigger naming a flow: no CronJob; the controller fires it.
    let cron = json!({"apiVersion": "kubeless.io/v1beta1", "kind": "CronJobTrigger",
        "metadata": {"name": "tick", "namespace": "default"},
        "spec": {"schedule": "@every 2s", "flow-name": "greet", "payload": {"name": "cron"}}});
    ok(
        &cluster.kubectl_stdin(&["apply", "-f", "-"], Some(&cron.to_string())),
        "apply the CronJobTrigger",
    );
    eventually(Duration::from_secs(60), "a firing's execution Succeeds", || {
        executions_of(&cluster, "greet")
            .iter()
            .any(|e| e["status"]["phase"] == "Succeeded" && e["status"]["output"] == json!({"greeting": "cron"}))
            .then_some(())
            .ok_or_else(|| format!("{:?}\n{}", executions_of(&cluster, "greet"), controller.log()))
    });
    let jobs = cluster.get(&["-n", "default", "get", "cronjobs"]);
    assert_eq!(jobs["items"], json!([]), "no CronJob for a flow's trigger");
}
