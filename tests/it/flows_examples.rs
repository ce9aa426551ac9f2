//! The worked examples of docs/flows.md, run as the page shows them (examples/flows/): the order
//! pipeline (Choice, Retry, Catch, a function's own errors by name, Fail with ErrorPath) and the
//! Map fan-out, on a real engine with real Python and Node.js functions.

use serde_json::{Value, json};

use crate::common::{Engine, example, fails, ok};

fn deploy(engine: &Engine, name: &str, runtime: &str, file: &str, handler: &str) {
    let file = example(file);
    ok(
        &engine.kfn(&[
            "function",
            "deploy",
            name,
            "--runtime",
            runtime,
            "--from-file",
            &file,
            "--handler",
            handler,
            "--wait",
        ]),
        &format!("deploy {name}"),
    );
}

/// `kfn flow start NAME --wait --data DATA`; the output it printed, as JSON.
fn start(engine: &Engine, flow: &str, data: &Value) -> Value {
    let run = engine.kfn(&["flow", "start", flow, "--wait", "--data", &data.to_string()]);
    ok(&run, &format!("flow start {flow}"));
    serde_json::from_str(run.stdout.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout))
}

#[test]
fn the_order_pipeline_ships_retries_holds_and_rejects_as_the_docs_say() {
    let engine = Engine::start();
    deploy(
        &engine,
        "validate-order",
        "python",
        "flows/validate.py",
        "validate.handler",
    );
    deploy(&engine, "charge-card", "nodejs", "flows/charge.js", "charge.handler");
    deploy(&engine, "ship-order", "python", "flows/ship.py", "ship.handler");
    ok(
        &engine.kfn(&[
            "flow",
            "deploy",
            "order",
            "--from-file",
            &example("flows/order.asl.json"),
        ]),
        "flow deploy order",
    );

    let order = json!({"id": "A-1", "card": "visa", "address": "1 Main St", "items": [{"qty": 2, "price": 15}]});
    assert_eq!(
        start(&engine, "order", &order),
        json!({"order": "A-1", "status": "shipped", "tracking": "KFN-A-1-9",
               "receipt": "Charged 30 for order A-1 after 2 attempts"})
    );

    // The history shows the first charge failing by the function's own error name, then the retry.
    let run = engine.kfn(&["flow", "executions", "order", "-o", "json"]);
    ok(&run, "flow executions");
    let list: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let name = list[0]["metadata"]["name"].as_str().expect("an execution").to_string();
    let history = engine.kfn(&["flow", "history", &name]);
    ok(&history, "flow history");
    assert!(history.stdout.contains("TaskFailed"), "{}", history.stdout);
    assert!(history.stdout.contains("CardNetworkBusy"), "{}", history.stdout);
    assert!(history.stdout.contains("ExecutionSucceeded"), "{}", history.stdout);

    let empty = json!({"id": "A-2", "card": "visa", "address": "x", "items": []});
    let run = engine.kfn(&["flow", "start", "order", "--wait", "--data", &empty.to_string()]);
    fails(&run, "ValueError: order A-2 has no items");

    let declined = json!({"id": "A-3", "card": "declined", "address": "x", "items": [{"qty": 1, "price": 5}]});
    let run = engine.kfn(&["flow", "start", "order", "--wait", "--data", &declined.to_string()]);
    fails(&run, "PaymentDeclined: card declined for order A-3");

    let big = json!({"id": "A-4", "card": "visa", "address": "x", "items": [{"qty": 3, "price": 500}]});
    assert_eq!(
        start(&engine, "order", &big),
        json!({"order": "A-4", "status": "held for review", "total": 1500})
    );
}

#[test]
fn the_fan_out_renders_every_image_and_summarizes() {
    let engine = Engine::start();
    deploy(
        &engine,
        "thumbnail",
        "python",
        "flows/thumbnail.py",
        "thumbnail.handler",
    );
    ok(
        &engine.kfn(&[
            "flow",
            "deploy",
            "album",
            "--from-file",
            &example("flows/fanout.asl.yaml"),
        ]),
        "flow deploy album",
    );
    let input = json!({"album": "holiday", "images": ["a.jpg", "b.jpg", "c.jpg"]});
    assert_eq!(
        start(&engine, "album", &input),
        json!({"album": "holiday", "count": 3, "thumbnails": ["thumbs/a.jpg", "thumbs/b.jpg", "thumbs/c.jpg"]})
    );
}
