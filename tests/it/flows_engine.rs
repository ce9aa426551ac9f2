//! Flows on the local engine: executions of each state type against real Python and Node.js
//! functions, errors by name for Retry and Catch, timeouts, stops, restarts of the engine in
//! the middle of an execution, triggers that start flows, and Flows refused at admission.
//! Flows and Executions are written with kubectl (any client of the API works the same).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{Engine, deploy_code, eventually, ok, wait_trigger};

/// Deploys a function from `code` and waits until it is ready.
fn function(engine: &Engine, name: &str, runtime: &str, file: &str, code: &str) {
    ok(
        &deploy_code(engine, name, runtime, file, code, &["--wait"]),
        &format!("deploy {name}"),
    );
}

/// Creates or updates the Flow `name` with `definition`.
fn flow(engine: &Engine, name: &str, definition: Value) {
    flow_with(engine, name, definition, json!({}));
}

fn flow_with(engine: &Engine, name: &str, definition: Value, labels: Value) {
    let object = json!({"apiVersion": "kfn.io/v1alpha1", "kind": "Flow",
        "metadata": {"name": name, "labels": labels}, "spec": {"definition": definition}});
    let run = engine.kubectl_stdin(&["apply", "-f", "-"], Some(&object.to_string()));
    ok(&run, &format!("apply the flow {name}"));
}

/// Starts an execution of `flow` with `input`; its name.
fn start(engine: &Engine, flow: &str, input: Value) -> String {
    let object = json!({"apiVersion": "kfn.io/v1alpha1", "kind": "Execution",
        "metadata": {"generateName": format!("{flow}-"), "labels": {"kfn.io/flow": flow}},
        "spec": {"flow": flow, "input": input}});
    let run = engine.kubectl_stdin(
        &["create", "-f", "-", "-o", "jsonpath={.metadata.name}"],
        Some(&object.to_string()),
    );
    ok(&run, &format!("start {flow}"));
    run.stdout.trim().to_string()
}

fn execution(engine: &Engine, name: &str) -> Value {
    let run = engine.kubectl(&["get", "execution", name, "-o", "json"]);
    ok(&run, &format!("get the execution {name}"));
    serde_json::from_str(&run.stdout).expect("an execution as JSON")
}

/// Waits until the execution has ended; its status.
fn finished(engine: &Engine, name: &str) -> Value {
    eventually(Duration::from_secs(90), &format!("the execution {name} ends"), || {
        let e = execution(engine, name);
        match e["status"]["phase"].as_str() {
            Some("Running") | None => Err(e["status"].to_string()),
            Some(_) => Ok(e["status"].clone()),
        }
    })
}

/// Waits until the execution's history has an event of `type_`.
fn reached(engine: &Engine, name: &str, type_: &str) {
    eventually(Duration::from_secs(60), &format!("{name} has a {type_} event"), || {
        let status = execution(engine, name)["status"].clone();
        if events(&status).iter().any(|(t, _)| t == type_) {
            Ok(())
        } else {
            Err(status.to_string())
        }
    });
}

/// The history's (type, state) pairs.
fn events(status: &Value) -> Vec<(String, String)> {
    status["history"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["type"].as_str().unwrap_or_default().to_string(),
                e["state"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn count(status: &Value, type_: &str) -> usize {
    events(status).iter().filter(|(t, _)| t == type_).count()
}

fn succeeded(engine: &Engine, name: &str) -> Value {
    let status = finished(engine, name);
    assert_eq!(status["phase"], "Succeeded", "{status}");
    status["output"].clone()
}

const DOUBLE_PY: &str = "def handler(event, context):\n    return {'n': event['data']['n'] * 2}\n";
const INC_JS: &str = "module.exports = { handler: (event) => ({ n: event.data.n + 1 }) };\n";
const RAISE_PY: &str = "def handler(event, context):\n    raise ValueError('amount must be positive')\n";
const THROW_JS: &str = "module.exports = { handler: () => { throw new TypeError('cannot read the order'); } };\n";

#[test]
fn every_state_type_runs_on_python_and_node_functions() {
    let engine = Engine::start();
    function(&engine, "double", "python3.11", "double.py", DOUBLE_PY);
    function(&engine, "inc", "nodejs20", "inc.js", INC_JS);
    // Task (Python, by name), Task (Node.js, by a Lambda ARN), Pass, Choice, Wait, Parallel,
    // Map, Succeed.
    flow(
        &engine,
        "all-states",
        json!({
            "StartAt": "Double",
            "States": {
                "Double": {"Type": "Task", "Resource": "double", "ResultPath": "$.doubled", "Next": "Inc"},
                "Inc": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:inc",
                        "InputPath": "$.doubled", "ResultPath": "$.inc", "Next": "Tag"},
                "Tag": {"Type": "Pass", "Result": "checked", "ResultPath": "$.tag", "Next": "Big?"},
                "Big?": {"Type": "Choice", "Choices": [
                    {"Variable": "$.inc.n", "NumericGreaterThan": 10, "Next": "Big"}
                ], "Default": "Small"},
                "Big": {"Type": "Pass", "Result": "big", "ResultPath": "$.size", "Next": "Pause"},
                "Small": {"Type": "Pass", "Result": "small", "ResultPath": "$.size", "Next": "Pause"},
                "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Both"},
                "Both": {"Type": "Parallel", "ResultPath": "$.both", "Next": "Each", "Branches": [
                    {"StartAt": "B1", "States": {"B1": {"Type": "Task", "Resource": "default/double",
                        "InputPath": "$.inc", "End": true}}},
                    {"StartAt": "B2", "States": {"B2": {"Type": "Pass", "InputPath": "$.size", "End": true}}}
                ]},
                "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "ResultPath": "$.each",
                         "ItemProcessor": {"StartAt": "One", "States": {
                             "One": {"Type": "Task", "Resource": "inc", "End": true}}},
                         "Next": "Collect"},
                "Collect": {"Type": "Pass", "ResultPath": "$.results", "Next": "Done", "Parameters": {
                    "inc.$": "$.inc", "size.$": "$.size", "both.$": "$.both", "each.$": "$.each", "tag.$": "$.tag"}},
                "Done": {"Type": "Succeed", "OutputPath": "$.results"}
            }
        }),
    );
    let name = start(
        &engine,
        "all-states",
        json!({"n": 3, "items": [{"n": 1}, {"n": 2}, {"n": 3}]}),
    );
    let status = finished(&engine, &name);
    assert_eq!(status["phase"], "Succeeded", "{status}");
    let out = &status["output"];
    assert_eq!(out["inc"], json!({"n": 7}), "{out}");
    assert_eq!(out["size"], "small", "{out}");
    assert_eq!(out["tag"], "checked", "{out}");
    assert_eq!(out["both"], json!([{"n": 14}, "small"]), "{out}");
    assert_eq!(out["each"], json!([{"n": 2}, {"n": 3}, {"n": 4}]), "{out}");
    for t in [
        "TaskScheduled",
        "TaskSucceeded",
        "PassStateEntered",
        "ChoiceStateEntered",
        "WaitStateEntered",
        "ParallelStateStarted",
        "MapStateStarted",
        "SucceedStateEntered",
        "ExecutionSucceeded",
    ] {
        assert!(count(&status, t) > 0, "a {t} event: {:?}", events(&status));
    }
    assert!(
        status["startTime"].is_string() && status["stopTime"].is_string(),
        "{status}"
    );

    // Fail, with its error and cause.
    flow(
        &engine,
        "refuse",
        json!({"StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "OrderRefused", "Cause": "out of stock"}}}),
    );
    let status = finished(&engine, &start(&engine, "refuse", json!({})));
    assert_eq!(
        (&status["phase"], &status["error"], &status["cause"]),
        (&json!("Failed"), &json!("OrderRefused"), &json!("out of stock")),
        "{status}"
    );
}

#[tokio::test]
async fn errors_raised_by_functions_are_caught_by_name_with_the_message_as_cause() {
    let engine = Engine::start();
    function(&engine, "raise-py", "python3.11", "raise.py", RAISE_PY);
    function(&engine, "throw-js", "nodejs20", "throw.js", THROW_JS);

    // The runtime's answer: 500, the error's name in x-kfn-error, the body as Kubeless gave it.
    let client = engine.client().await;
    for (name, error, body) in [
        ("raise-py", "ValueError", "ValueError: amount must be positive"),
        ("throw-js", "TypeError", "TypeError: cannot read the order"),
    ] {
        let req = http::Request::post(format!("/api/v1/namespaces/default/services/{name}:8080/proxy/"))
            .header("content-type", "application/json")
            .body(kube::client::Body::from(b"{}".to_vec()))
            .unwrap();
        let resp = client.send(req).await.expect("the engine answers");
        assert_eq!(resp.status().as_u16(), 500, "{name}");
        assert_eq!(resp.headers()["x-kfn-error"], error, "{name}");
        let text = resp.into_body().collect_bytes().await.unwrap();
        assert_eq!(String::from_utf8_lossy(&text), body, "{name}");
        let run = engine.kfn(&["function", "call", name, "--data", "{}"]);
        assert_eq!(run.code, 1, "{name}");
        assert!(run.stderr.contains(body), "{name}: {}", run.stderr);
    }

    for (flow_name, function, error, cause) in [
        ("catch-py", "raise-py", "ValueError", "amount must be positive"),
        ("catch-js", "throw-js", "TypeError", "cannot read the order"),
    ] {
        flow(
            &engine,
            flow_name,
            json!({"StartAt": "Call", "States": {
                "Call": {"Type": "Task", "Resource": function, "Next": "Fine",
                         "Catch": [{"ErrorEquals": ["SomethingElse"], "Next": "Wrong"},
                                   {"ErrorEquals": [error], "ResultPath": "$.caught", "Next": "Handled"}]},
                "Fine": {"Type": "Succeed"},
                "Wrong": {"Type": "Fail", "Error": "WrongCatcher"},
                "Handled": {"Type": "Pass", "End": true}
            }}),
        );
        let name = start(&engine, flow_name, json!({"order": 1}));
        let out = succeeded(&engine, &name);
        assert_eq!(
            out,
            json!({"order": 1, "caught": {"Error": error, "Cause": cause}}),
            "{flow_name}"
        );
    }

    // Uncaught, the execution fails with the function's error and message.
    flow(
        &engine,
        "uncaught",
        json!({"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "raise-py", "End": true}}}),
    );
    let status = finished(&engine, &start(&engine, "uncaught", json!({})));
    assert_eq!(
        (&status["phase"], &status["error"], &status["cause"]),
        (
            &json!("Failed"),
            &json!("ValueError"),
            &json!("amount must be positive")
        ),
        "{status}"
    );

    // A function that does not exist: States.TaskFailed naming it.
    flow(
        &engine,
        "missing",
        json!({"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "nowhere-q7", "End": true}}}),
    );
    let status = finished(&engine, &start(&engine, "missing", json!({})));
    assert_eq!(status["error"], "States.TaskFailed", "{status}");
    assert!(status["cause"].as_str().unwrap().contains("nowhere-q7"), "{status}");
}

#[test]
fn retries_back_off_until_the_function_succeeds_and_task_timeouts_are_states_timeout() {
    let engine = Engine::start();
    // Fails its first two calls (told which attempt it is by the context object: a replica may
    // have more than one worker process, so a module global would not count them all).
    function(
        &engine,
        "flaky",
        "python3.11",
        "flaky.py",
        "def handler(event, context):\n    calls = event['data']['retries'] + 1\n    if calls < 3:\n        raise ConnectionError('attempt %d failed' % calls)\n    return {'attempts': calls}\n",
    );
    function(
        &engine,
        "sleepy",
        "python3.11",
        "sleepy.py",
        "import time\n\ndef handler(event, context):\n    time.sleep(30)\n    return 'late'\n",
    );
    flow(
        &engine,
        "retrying",
        json!({"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "flaky", "End": true,
            "Parameters": {"retries.$": "$$.State.RetryCount"},
            "Retry": [{"ErrorEquals": ["ConnectionError"], "IntervalSeconds": 1, "BackoffRate": 2, "MaxAttempts": 3}]}}}),
    );
    let name = start(&engine, "retrying", json!({}));
    let status = finished(&engine, &name);
    assert_eq!(status["phase"], "Succeeded", "{status}");
    assert_eq!(status["output"], json!({"attempts": 3}));
    assert_eq!(count(&status, "TaskScheduled"), 3, "{:?}", events(&status));
    assert_eq!(count(&status, "TaskFailed"), 2, "{:?}", events(&status));
    let failed: Vec<&Value> = status["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "TaskFailed")
        .collect();
    assert_eq!(failed[0]["error"], "ConnectionError");
    assert_eq!(failed[1]["cause"], "attempt 2 failed");

    flow(
        &engine,
        "impatient",
        json!({"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "sleepy", "TimeoutSeconds": 1,
            "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Gave up"}], "End": true},
            "Gave up": {"Type": "Pass", "Result": "gave up", "End": true}}}),
    );
    let out = succeeded(&engine, &start(&engine, "impatient", json!({})));
    assert_eq!(out, "gave up");
    flow(
        &engine,
        "impatient-uncaught",
        json!({"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "sleepy", "TimeoutSeconds": 1, "End": true}}}),
    );
    let status = finished(&engine, &start(&engine, "impatient-uncaught", json!({})));
    assert_eq!(status["error"], "States.Timeout", "{status}");
}

#[test]
fn executions_resume_after_an_engine_restart_and_stop_when_asked() {
    let engine = Engine::start();
    function(
        &engine,
        "slow",
        "python3.11",
        "slow.py",
        "import time\n\ndef handler(event, context):\n    time.sleep(4)\n    return {'slow': 'done'}\n",
    );
    flow(
        &engine,
        "waiting",
        json!({"StartAt": "Before", "States": {
            "Before": {"Type": "Pass", "Result": 1, "ResultPath": "$.before", "Next": "Nap"},
            "Nap": {"Type": "Wait", "Seconds": 4, "Next": "After"},
            "After": {"Type": "Pass", "Result": 2, "ResultPath": "$.after", "End": true}}}),
    );
    flow(
        &engine,
        "in-flight",
        json!({"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "slow", "End": true}}}),
    );
    let waiting = start(&engine, "waiting", json!({}));
    reached(&engine, &waiting, "WaitStateEntered");
    let flying = start(&engine, "in-flight", json!({}));
    reached(&engine, &flying, "TaskScheduled");
    ok(&engine.kfn(&["local", "stop"]), "stop the engine");
    ok(&engine.kfn(&["local", "start"]), "start the engine again");

    let status = finished(&engine, &waiting);
    assert_eq!(status["phase"], "Succeeded", "{status}");
    assert_eq!(status["output"], json!({"before": 1, "after": 2}));
    let seen = events(&status);
    for (t, state) in [
        ("ExecutionStarted", ""),
        ("PassStateEntered", "Before"),
        ("WaitStateEntered", "Nap"),
        ("PassStateEntered", "After"),
    ] {
        let n = seen.iter().filter(|(a, b)| a == t && b == state).count();
        assert_eq!(n, 1, "one {t} of {state:?}: {seen:?}");
    }
    // The call in flight when the engine stopped is made again (at least once): its answer is
    // the output.
    assert_eq!(succeeded(&engine, &flying), json!({"slow": "done"}));

    // A stop asked for ends the execution Aborted with its error and cause.
    flow(
        &engine,
        "long",
        json!({"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 3600, "End": true}}}),
    );
    let long = start(&engine, "long", json!({}));
    reached(&engine, &long, "WaitStateEntered");
    ok(
        &engine.kubectl(&[
            "patch",
            "execution",
            &long,
            "--type",
            "merge",
            "-p",
            r#"{"spec": {"stop": {"error": "Cancelled", "cause": "by the test"}}}"#,
        ]),
        "ask for a stop",
    );
    let status = finished(&engine, &long);
    assert_eq!(
        (&status["phase"], &status["error"], &status["cause"]),
        (&json!("Aborted"), &json!("Cancelled"), &json!("by the test")),
        "{status}"
    );
}

#[test]
fn invalid_flows_are_refused_with_the_state_path_and_valid_ones_are_ready() {
    let engine = Engine::start();
    let object = json!({"apiVersion": "kfn.io/v1alpha1", "kind": "Flow", "metadata": {"name": "broken"},
        "spec": {"definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}}});
    let run = engine.kubectl_stdin(&["apply", "-f", "-"], Some(&object.to_string()));
    assert_ne!(run.code, 0, "refused: {}", run.stdout);
    assert!(
        run.stderr.contains("spec.definition") && run.stderr.contains("States.A.Next"),
        "{}",
        run.stderr
    );
    let run = engine.kubectl(&["get", "flows", "-o", "name"]);
    assert!(!run.stdout.contains("broken"), "nothing stored: {}", run.stdout);
    // An update to an invalid definition is refused too; the stored one stays.
    flow(
        &engine,
        "fine",
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}),
    );
    let run = engine.kubectl(&[
        "patch",
        "flow",
        "fine",
        "--type",
        "merge",
        "-p",
        r#"{"spec": {"definition": {"StartAt": "B"}}}"#,
    ]);
    assert_ne!(run.code, 0, "refused: {}", run.stdout);
    assert!(run.stderr.contains("spec.definition"), "{}", run.stderr);
    eventually(Duration::from_secs(30), "the flow is Ready", || {
        let run = engine.kubectl(&["get", "flow", "fine", "-o", "json"]);
        let f: Value = serde_json::from_str(&run.stdout).map_err(|e| e.to_string())?;
        if f["spec"]["definition"]["StartAt"] == "A" && f["status"]["conditions"][0]["status"] == "True" {
            Ok(())
        } else {
            Err(f.to_string())
        }
    });
    // Finished executions beyond the flow's keepExecutions are deleted, the oldest first.
    let object = json!({"apiVersion": "kfn.io/v1alpha1", "kind": "Flow", "metadata": {"name": "few"},
        "spec": {"keepExecutions": 2, "definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}}});
    ok(
        &engine.kubectl_stdin(&["apply", "-f", "-"], Some(&object.to_string())),
        "apply few",
    );
    let mut names = vec![];
    for i in 0..4 {
        let name = start(&engine, "few", json!({"i": i}));
        succeeded(&engine, &name);
        names.push(name);
    }
    eventually(Duration::from_secs(30), "two executions are kept", || {
        let run = engine.kubectl(&["get", "executions", "-l", "kfn.io/flow=few", "-o", "name"]);
        let kept: Vec<&str> = run
            .stdout
            .lines()
            .map(|l| l.trim_start_matches("execution.kfn.io/"))
            .collect();
        if kept.len() == 2 && kept.contains(&names[3].as_str()) && kept.contains(&names[2].as_str()) {
            Ok(())
        } else {
            Err(run.stdout)
        }
    });

    // An execution of a flow that does not exist fails, saying so.
    let status = finished(&engine, &start(&engine, "absent", json!({})));
    assert_eq!(status["error"], "States.Runtime", "{status}");
    assert!(status["cause"].as_str().unwrap().contains("absent"), "{status}");
}

fn gateway(engine: &Engine) -> String {
    let info: Value =
        serde_json::from_str(&std::fs::read_to_string(engine.state().join("engine.json")).unwrap()).unwrap();
    info["gateway"].as_str().expect("the engine has a gateway").to_string()
}

/// A plain HTTP POST: (status, headers and body).
fn post(address: &str, host: &str, body: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(address).unwrap();
    write!(
        s,
        "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (status, head.to_lowercase(), body.to_string())
}

const ORDER: &str = "def handler(event, context):\n    order = event['data']\n    if order.get('qty', 0) <= 0:\n        raise ValueError('qty must be positive')\n    return {'total': order['qty'] * 5}\n";

#[test]
fn http_and_cron_triggers_start_flows() {
    let engine = Engine::start();
    function(&engine, "price", "python3.11", "price.py", ORDER);
    flow(
        &engine,
        "pricing",
        json!({"StartAt": "Price", "States": {"Price": {"Type": "Task", "Resource": "price", "End": true}}}),
    );
    ok(
        &engine.kfn(&[
            "trigger",
            "http",
            "create",
            "pricing-route",
            "--flow-name",
            "pricing",
            "--hostname",
            "pricing.local",
        ]),
        "create the HTTP trigger",
    );
    let list = engine.kfn(&["trigger", "http", "list"]);
    assert!(list.stdout.contains("flow/pricing"), "{}", list.stdout);
    let address = gateway(&engine);
    let (status, head, body) = eventually(Duration::from_secs(30), "the gateway routes to the flow", || {
        let answer = post(&address, "pricing.local", r#"{"qty": 3}"#);
        if answer.0 == 404 { Err(answer.2) } else { Ok(answer) }
    });
    assert_eq!(status, 200, "{head}{body}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), json!({"total": 15}));
    assert!(head.contains("x-kfn-execution: pricing-"), "{head}");
    let (status, head, body) = post(&address, "pricing.local", r#"{"qty": 0}"#);
    assert_eq!(status, 500, "{head}{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"error": "ValueError", "cause": "qty must be positive"})
    );
    // Exactly one of --function-name and --flow-name.
    let run = engine.kfn(&[
        "trigger",
        "http",
        "create",
        "both",
        "--flow-name",
        "pricing",
        "--function-name",
        "price",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("--flow-name"), "{}", run.stderr);
    let run = engine.kfn(&["trigger", "http", "create", "ghost", "--flow-name", "no-such-flow"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("no-such-flow"), "{}", run.stderr);

    ok(
        &engine.kfn(&[
            "trigger",
            "cronjob",
            "create",
            "pricing-tick",
            "--flow-name",
            "pricing",
            "--schedule",
            "@every 1s",
            "--payload",
            r#"{"qty": 2, "from": "cron"}"#,
        ]),
        "create the cron trigger",
    );
    eventually(Duration::from_secs(60), "a cron firing starts an execution", || {
        let run = engine.kubectl(&["get", "executions", "-l", "kfn.io/flow=pricing", "-o", "json"]);
        let list: Value = serde_json::from_str(&run.stdout).map_err(|e| e.to_string())?;
        let from_cron = list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["spec"]["input"]["from"] == "cron" && e["status"]["phase"] == "Succeeded");
        match from_cron {
            Some(e) if e["status"]["output"] == json!({"total": 10}) => Ok(()),
            _ => Err(run.stdout),
        }
    });
}

/// An execution of `flow` whose input is `input`, and its output once it succeeded.
fn executed_with(engine: &Engine, flow: &str, input: &Value) -> Result<Value, String> {
    let run = engine.kubectl(&["get", "executions", "-l", &format!("kfn.io/flow={flow}"), "-o", "json"]);
    let list: Value = serde_json::from_str(&run.stdout).map_err(|e| e.to_string())?;
    list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| &e["spec"]["input"] == input && e["status"]["phase"] == "Succeeded")
        .map(|e| e["status"]["output"].clone())
        .ok_or(run.stdout)
}

const ECHO: &str = "def handler(event, context):\n    return {'got': event['data']}\n";

#[test]
fn nats_messages_start_every_flow_the_selector_matches() {
    let nats = crate::triggers::nats_server();
    let url = format!("nats://127.0.0.1:{}", nats.1);
    let engine = Engine::new();
    ok(&engine.kfn(&["local", "start", "--nats", &url]), "start with NATS");
    function(&engine, "echo", "python3.11", "echo.py", ECHO);
    let echo = json!({"StartAt": "Echo", "States": {"Echo": {"Type": "Task", "Resource": "echo", "End": true}}});
    flow_with(&engine, "on-nats", echo.clone(), json!({"topic": "orders"}));
    flow_with(&engine, "bystander", echo, json!({}));
    ok(
        &engine.kfn(&[
            "trigger",
            "nats",
            "create",
            "orders-flows",
            "--flow-selector",
            "topic=orders",
            "--trigger-topic",
            "orders",
        ]),
        "create",
    );
    wait_trigger(
        &engine,
        "nats",
        "delivering to flow:on-nats",
        20,
        "the engine subscribes",
    );
    let list = engine.kfn(&["trigger", "nats", "list", "-o", "wide"]);
    assert!(list.stdout.contains("topic=orders"), "{}", list.stdout);
    let run = engine.kfn(&crate::triggers::nats_publish(&url, "orders", r#"{"id": "n4q"}"#));
    ok(&run, "publish");
    let input = json!({"id": "n4q"});
    let out = eventually(Duration::from_secs(60), "the message starts the flow", || {
        executed_with(&engine, "on-nats", &input)
    });
    assert_eq!(out, json!({"got": {"id": "n4q"}}));
    let run = engine.kubectl(&["get", "executions", "-l", "kfn.io/flow=bystander", "-o", "name"]);
    assert_eq!(run.stdout.trim(), "", "a flow the selector leaves out is not started");
}

#[cfg(feature = "kafka")]
#[test]
fn kafka_messages_start_every_flow_the_selector_matches() {
    let kafka = crate::triggers::kafka_mock();
    let brokers = kafka.1.as_str();
    let engine = Engine::new();
    ok(&engine.kfn(&["local", "start", "--kafka", brokers]), "start with Kafka");
    function(&engine, "echo", "python3.11", "echo.py", ECHO);
    let echo = json!({"StartAt": "Echo", "States": {"Echo": {"Type": "Task", "Resource": "echo", "End": true}}});
    flow_with(&engine, "on-kafka", echo, json!({"topic": "k-orders"}));
    crate::triggers::kcat_publish(brokers, "k-orders", "before the trigger");
    ok(
        &engine.kfn(&[
            "trigger",
            "kafka",
            "create",
            "kafka-flows",
            "--flow-selector",
            "topic=k-orders",
            "--trigger-topic",
            "k-orders",
        ]),
        "create",
    );
    wait_trigger(
        &engine,
        "kafka",
        "delivering to flow:on-kafka",
        30,
        "the engine subscribes",
    );
    let input = json!("plain-k9");
    let out = eventually(Duration::from_secs(60), "the message starts the flow", || {
        crate::triggers::kcat_publish(brokers, "k-orders", "plain-k9");
        executed_with(&engine, "on-kafka", &input)
    });
    assert_eq!(out, json!({"got": "plain-k9"}));
}
