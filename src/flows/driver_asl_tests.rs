//! Executions of definitions as users write them (read by `parse`), against the fake host of
//! the driver's tests: the examples' order pipeline and fan-out, Choice, the context object,
//! Catch with a ResultPath, Wait's path forms, Fail's path forms.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use super::tests::{Behaviour, Fake, answers, go, job, sleeps, types};
use crate::api::kinds::Phase;
use crate::flows::errors::FlowError;
use crate::flows::parse;

fn definition(source: &Value) -> crate::flows::Definition {
    parse(source).unwrap_or_else(|problems| panic!("{problems:?}"))
}

fn run_of(source: Value, input: Value) -> super::Run {
    let mut run = job(definition(&source), input);
    run.source = source;
    run
}

/// The example's validate-order: ValueError without items, else the total.
fn validate() -> Behaviour {
    Arc::new(|_, order: &Value| {
        let items = order["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            let id = order["id"].as_str().unwrap_or("?");
            return (
                Duration::ZERO,
                Err(FlowError::new("ValueError", format!("order {id} has no items"))),
            );
        }
        let total: f64 = items
            .iter()
            .map(|i| i["qty"].as_f64().unwrap_or(0.0) * i["price"].as_f64().unwrap_or(0.0))
            .sum();
        (Duration::ZERO, Ok(json!({"total": total, "items": items.len()})))
    })
}

/// The example's charge-card: busy at attempt 0, declined cards fail.
fn charge() -> Behaviour {
    Arc::new(|_, p: &Value| {
        let attempt = p["attempt"].as_i64().unwrap_or(-1);
        if attempt == 0 {
            return (
                Duration::ZERO,
                Err(FlowError::new("CardNetworkBusy", "the card network is busy")),
            );
        }
        if p["card"] == "declined" {
            return (Duration::ZERO, Err(FlowError::new("PaymentDeclined", "card declined")));
        }
        (
            Duration::ZERO,
            Ok(json!({"charged": p["amount"], "attempts": attempt + 1})),
        )
    })
}

fn ship() -> Behaviour {
    answers(|p| json!({"tracking": format!("KFN-{}", p["order"].as_str().unwrap_or("?")), "carrier": "post"}))
}

fn order_flow() -> Value {
    serde_json::from_str(include_str!("../../examples/flows/order.asl.json")).unwrap()
}

fn pipeline() -> Fake {
    Fake::new(&[
        ("validate-order", validate()),
        ("charge-card", charge()),
        ("ship-order", ship()),
    ])
}

#[tokio::test(start_paused = true)]
async fn the_order_pipeline_charges_after_a_retry_and_ships() {
    let host = pipeline();
    let input = json!({"id": "o-1", "card": "4242", "address": "1 Main St", "items": [{"qty": 2, "price": 15}]});
    let status = go(&host, run_of(order_flow(), input)).await;
    assert_eq!(status.phase, Phase::Succeeded, "{status:?}");
    assert_eq!(
        status.output,
        Some(json!({
            "order": "o-1",
            "status": "shipped",
            "tracking": "KFN-o-1",
            "receipt": "Charged 30.0 for order o-1 after 2 attempts"
        }))
    );
    let charges = host.calls_of("charge-card");
    assert_eq!(charges.len(), 2);
    assert_eq!(
        charges[0].0,
        json!({"order": "o-1", "amount": 30.0, "card": "4242", "attempt": 0})
    );
    assert_eq!(charges[1].0["attempt"], json!(1), "$$.State.RetryCount");
    assert_eq!(charges[1].1 - charges[0].1, Duration::from_secs(1), "IntervalSeconds");
    assert_eq!(
        host.calls_of("ship-order")[0].0,
        json!({"order": "o-1", "address": "1 Main St"})
    );
}

#[tokio::test(start_paused = true)]
async fn the_order_pipeline_holds_a_big_order_and_rejects_a_bad_one_with_its_error() {
    let host = pipeline();
    let big = json!({"id": "o-2", "card": "4242", "address": "x", "items": [{"qty": 1, "price": 5000}]});
    let status = go(&host, run_of(order_flow(), big)).await;
    assert_eq!(
        status.output,
        Some(json!({"order": "o-2", "status": "held for review", "total": 5000.0}))
    );
    assert!(types(&status).contains(&"ChoiceStateExited Big order?".to_string()));

    let empty = json!({"id": "o-3", "card": "4242", "address": "x", "items": []});
    let status = go(&host, run_of(order_flow(), empty)).await;
    assert_eq!(status.phase, Phase::Failed);
    assert_eq!(
        (status.error.as_str(), status.cause.as_str()),
        ("ValueError", "order o-3 has no items")
    );

    let declined = json!({"id": "o-4", "card": "declined", "address": "x", "items": [{"qty": 1, "price": 1}]});
    let status = go(&host, run_of(order_flow(), declined)).await;
    assert_eq!(
        (status.phase, status.error.as_str()),
        (Phase::Failed, "PaymentDeclined")
    );
}

#[tokio::test(start_paused = true)]
async fn the_fan_out_maps_every_image_two_at_a_time_with_the_item_context() {
    let source: Value = serde_saphyr::from_str(include_str!("../../examples/flows/fanout.asl.yaml")).unwrap();
    let host = Fake::new(&[(
        "thumbnail",
        sleeps(
            Duration::from_secs(1),
            |item| json!({"thumbnail": format!("thumbs/{}", item["name"].as_str().unwrap_or("?")), "position": item["index"].as_i64().unwrap_or(-1) + 1}),
        ),
    )]);
    let input = json!({"album": "summer", "images": ["a.png", "b.png", "c.png"]});
    let started = Instant::now();
    let status = go(&host, run_of(source, input)).await;
    assert_eq!(
        status.output,
        Some(json!({"album": "summer", "count": 3, "thumbnails": ["thumbs/a.png", "thumbs/b.png", "thumbs/c.png"]})),
        "{status:?}"
    );
    assert_eq!(host.max_in_flight.load(Ordering::SeqCst), 2);
    assert_eq!(
        Instant::now() - started,
        Duration::from_secs(2),
        "two rounds of one second"
    );
    assert_eq!(host.calls_of("thumbnail")[2].0, json!({"name": "c.png", "index": 2}));
}

#[tokio::test(start_paused = true)]
async fn the_context_object_names_the_execution_the_flow_and_the_state() {
    let host = Fake::new(&[]);
    let source = json!({
        "StartAt": "Look",
        "States": {"Look": {"Type": "Pass", "Parameters": {
            "id.$": "$$.Execution.Id", "name.$": "$$.Execution.Name", "input.$": "$$.Execution.Input",
            "start.$": "$$.Execution.StartTime", "role.$": "$$.Execution.RoleArn",
            "flow.$": "$$.StateMachine.Name", "flowId.$": "$$.StateMachine.Id",
            "state.$": "$$.State.Name", "entered.$": "$$.State.EnteredTime", "retries.$": "$$.State.RetryCount"
        }, "End": true}}
    });
    let status = go(&host, run_of(source, json!({"k": 1}))).await;
    let out = status.output.clone().unwrap();
    assert_eq!(out["id"], "shop/orders-x1");
    assert_eq!(out["name"], "orders-x1");
    assert_eq!(out["input"], json!({"k": 1}));
    assert_eq!(out["start"], json!(status.start_time));
    assert_eq!(out["role"], "");
    assert_eq!(
        (out["flow"].as_str(), out["flowId"].as_str()),
        (Some("orders"), Some("shop/orders"))
    );
    assert_eq!(out["state"], "Look");
    assert_eq!(out["entered"], json!(status.history[1].timestamp));
    assert_eq!(out["retries"], 0);
}

#[tokio::test(start_paused = true)]
async fn a_catcher_puts_the_error_where_its_result_path_says_and_choice_without_match_fails() {
    let host = Fake::new(&[]);
    let source = json!({
        "StartAt": "Pick",
        "States": {
            "Pick": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "One"}]},
            "One": {"Type": "Succeed"}
        }
    });
    let status = go(&host, run_of(source, json!({"n": 2}))).await;
    assert_eq!(
        (status.phase, status.error.as_str()),
        (Phase::Failed, "States.NoChoiceMatched")
    );

    let host = Fake::new(&[(
        "broken",
        Arc::new(|_, _: &Value| (Duration::ZERO, Err(FlowError::new("KeyError", "no 'x'")))) as Behaviour,
    )]);
    let source = json!({
        "StartAt": "Try",
        "States": {
            "Try": {"Type": "Task", "Resource": "broken", "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.failure", "Next": "After"}], "End": true},
            "After": {"Type": "Pass", "End": true}
        }
    });
    let status = go(&host, run_of(source, json!({"order": 9}))).await;
    assert_eq!(
        status.output,
        Some(json!({"order": 9, "failure": {"Error": "KeyError", "Cause": "no 'x'"}}))
    );
}

#[tokio::test(start_paused = true)]
async fn wait_and_fail_read_their_paths_from_the_input() {
    let host = Fake::new(&[]);
    let source = json!({
        "StartAt": "Nap",
        "States": {
            "Nap": {"Type": "Wait", "SecondsPath": "$.seconds", "Next": "Until"},
            "Until": {"Type": "Wait", "TimestampPath": "$.until", "Next": "No"},
            "No": {"Type": "Fail", "ErrorPath": "$.error", "CausePath": "$.cause"}
        }
    });
    // The fake host's wall clock starts at 1_800_000_000_000 ms (2027-01-15T08:00:00Z).
    let input = json!({"seconds": 5, "until": "2027-01-15T08:01:00Z", "error": "Late", "cause": "it is late"});
    let started = Instant::now();
    let status = go(&host, run_of(source, input)).await;
    assert_eq!(
        Instant::now() - started,
        Duration::from_secs(60),
        "5 s, then until the minute"
    );
    assert_eq!((status.error.as_str(), status.cause.as_str()), ("Late", "it is late"));
}

#[test]
fn a_run_takes_the_definition_its_execution_started_with_and_refuses_an_invalid_one() {
    use crate::api::kinds::{Execution, ExecutionStatus, Flow, FlowSpec};
    let mut flow = Flow::new("orders", FlowSpec::default());
    flow.metadata.namespace = Some("shop".into());
    let mut execution = Execution::start(&flow, json!({"id": 1}), Some("orders-1"));
    let now = json!({"StartAt": "New", "States": {"New": {"Type": "Succeed"}}});
    let run = super::Run::of(&execution, Some(now.clone())).unwrap();
    assert_eq!(
        (run.source.clone(), run.definition.start_at.as_str()),
        (now.clone(), "New")
    );
    assert_eq!(
        (run.namespace.as_str(), run.name.as_str(), run.flow.as_str()),
        ("shop", "orders-1", "orders")
    );

    let then = json!({"StartAt": "Old", "States": {"Old": {"Type": "Succeed"}}});
    execution.status = Some(ExecutionStatus {
        definition: Some(then.clone()),
        ..Default::default()
    });
    assert_eq!(super::Run::of(&execution, Some(now)).unwrap().source, then);

    let bad = json!({"StartAt": "Nowhere", "States": {"Old": {"Type": "Succeed"}}});
    execution.status = None;
    let error = super::Run::of(&execution, Some(bad)).unwrap_err();
    assert!(
        error
            .cause
            .starts_with("the definition of the flow orders is not valid: "),
        "{}",
        error.cause
    );
    assert!(error.cause.contains("Nowhere"), "{}", error.cause);
}

#[tokio::test(start_paused = true)]
async fn the_path_forms_of_map_limits_and_task_timeouts_are_read_from_the_input() {
    let host = Fake::new(&[
        ("check", sleeps(Duration::from_secs(1), |v| json!(v))),
        ("slow", sleeps(Duration::from_secs(60), |_| json!("late"))),
    ]);
    let source = json!({
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map", "ItemsPath": "$.items", "MaxConcurrencyPath": "$.at_once",
                "ToleratedFailureCountPath": "$.tolerated",
                "ItemProcessor": {"StartAt": "C", "States": {"C": {"Type": "Task", "Resource": "check", "End": true}}},
                "ResultPath": "$.checked", "Next": "Both"
            },
            "Both": {
                "Type": "Parallel", "ResultPath": "$.both", "Next": "Slow",
                "Branches": [
                    {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 1, "End": true}}},
                    {"StartAt": "Q", "States": {"Q": {"Type": "Pass", "Result": 2, "End": true}}}
                ]
            },
            "Slow": {
                "Type": "Task", "Resource": "slow", "TimeoutSecondsPath": "$.limit",
                "Catch": [{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": "Done"}],
                "End": true
            },
            "Done": {"Type": "Pass", "End": true}
        }
    });
    let input = json!({"items": [1, 2, 3], "at_once": 1, "tolerated": 0, "limit": 5});
    let started = Instant::now();
    let status = go(&host, run_of(source, input)).await;
    assert_eq!(status.phase, Phase::Succeeded, "{status:?}");
    let out = status.output.unwrap();
    assert_eq!(out["checked"], json!([1, 2, 3]));
    assert_eq!(out["both"], json!([1, 2]));
    assert_eq!(out["timeout"]["Error"], json!("States.Timeout"));
    assert_eq!(host.max_in_flight.load(Ordering::SeqCst), 1, "MaxConcurrencyPath");
    assert_eq!(
        Instant::now() - started,
        Duration::from_secs(3 + 5),
        "one at a time, then the timeout"
    );
}

#[tokio::test(start_paused = true)]
async fn a_retried_task_failing_in_its_parameters_records_each_failure_and_stores_each_backoff() {
    let source = json!({
        "StartAt": "Charge",
        "States": {"Charge": {
            "Type": "Task", "Resource": "charge",
            "Parameters": {"card.$": "$.card"},
            "Retry": [{"ErrorEquals": ["States.ParameterPathFailure", "States.Runtime"], "IntervalSeconds": 1, "MaxAttempts": 2}],
            "End": true
        }}
    });
    let host = Fake::new(&[("charge", answers(|_| json!("ok")))]);
    let status = go(&host, run_of(source, json!({}))).await;
    assert_eq!(status.phase, Phase::Failed);
    let failed = types(&status).iter().filter(|t| *t == "TaskFailed Charge").count();
    assert_eq!(failed, 3, "{:?}", types(&status));
    assert!(host.calls_of("charge").is_empty());
    // Each of the two backoffs is stored (the first with the start), then the end.
    let running = host.saves().iter().filter(|s| s.phase == Phase::Running).count();
    assert_eq!(running, 2);
}

/// A string of `n` bytes.
fn big(n: usize) -> Value {
    Value::String("x".repeat(n))
}

#[tokio::test(start_paused = true)]
async fn a_state_output_over_256_kib_fails_with_data_limit_exceeded_which_its_name_catches() {
    let source = json!({
        "StartAt": "Load",
        "States": {
            "Load": {"Type": "Task", "Resource": "load", "End": true,
                     "Catch": [{"ErrorEquals": ["States.DataLimitExceeded"], "Next": "Small"}]},
            "Small": {"Type": "Pass", "Result": "caught", "End": true}
        }
    });
    let host = Fake::new(&[("load", answers(|_| big(300 * 1024)))]);
    let status = go(&host, run_of(source, json!({}))).await;
    assert_eq!(
        status.output,
        Some(json!("caught")),
        "{} {}",
        status.error,
        status.cause
    );

    let source = json!({"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": true}}});
    let host = Fake::new(&[]);
    let status = go(&host, run_of(source, big(257 * 1024))).await;
    assert_eq!(status.phase, Phase::Failed);
    assert_eq!(status.error, "States.DataLimitExceeded");
    assert!(status.cause.contains("input"), "{}", status.cause);
}

#[tokio::test(start_paused = true)]
async fn big_event_data_is_recorded_as_its_size() {
    let source = json!({"StartAt": "Load", "States": {"Load": {"Type": "Task", "Resource": "load", "End": true}}});
    let host = Fake::new(&[("load", answers(|_| big(10_000)))]);
    let status = go(&host, run_of(source, json!({"small": 1}))).await;
    assert_eq!(status.output, Some(big(10_000)));
    let succeeded = status.history.iter().find(|e| e.type_ == "TaskSucceeded").unwrap();
    assert_eq!(succeeded.data, Some(json!({"truncated": true, "bytes": 10_002})));
    assert_eq!(status.history[0].data, Some(json!({"small": 1})));
}

#[tokio::test(start_paused = true)]
async fn a_status_that_cannot_be_stored_is_replaced_by_a_small_failed_one() {
    let source = json!({"StartAt": "Load", "States": {"Load": {"Type": "Task", "Resource": "load", "End": true}}});
    let host = Fake {
        refuse_save: Some(1),
        ..Fake::new(&[("load", answers(|_| json!("ok")))])
    };
    let status = go(&host, run_of(source, json!({}))).await;
    assert_eq!(status.phase, Phase::Failed);
    assert_eq!(status.error, "States.Runtime");
    assert!(status.cause.contains("too big"), "{}", status.cause);
    let saves = host.saves();
    assert_eq!(saves.len(), 2);
    assert_eq!(saves[1], status);
    assert!(saves[1].cursor.is_none() && saves[1].history.is_empty());
    assert!(host.calls_of("load").is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_fail_builds_its_cause_with_an_intrinsic_and_leaves_a_missing_error_empty() {
    let host = Fake::new(&[]);
    let source = json!({
        "StartAt": "No",
        "States": {"No": {"Type": "Fail", "ErrorPath": "States.Format('{}Error', $.kind)", "CausePath": "States.Format('bad: {} in {}', $.c, $$.Execution.Name)"}}
    });
    let status = go(&host, run_of(source, json!({"kind": "Value", "c": 7}))).await;
    assert_eq!(status.phase, Phase::Failed);
    assert_eq!(status.error, "ValueError");
    assert!(status.cause.starts_with("bad: 7 in "), "{}", status.cause);

    let bare = json!({"StartAt": "No", "States": {"No": {"Type": "Fail"}}});
    let status = go(&host, run_of(bare, json!({}))).await;
    assert_eq!((status.phase, status.error.as_str()), (Phase::Failed, ""));

    // A call that fails is States.IntrinsicFailure, not a Fail with a made-up error.
    let broken = json!({"StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "E", "CausePath": "States.ArrayGetItem($.list, 5)"}}});
    let status = go(&host, run_of(broken, json!({"list": [1]}))).await;
    assert_eq!(status.error, crate::flows::errors::INTRINSIC_FAILURE);
}

#[tokio::test(start_paused = true)]
async fn a_function_name_from_the_input_drops_its_qualifier() {
    let host = Fake::new(&[("double", answers(|p| json!(p.as_i64().unwrap_or(0) * 2)))]);
    let source = json!({
        "StartAt": "Invoke",
        "States": {"Invoke": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName.$": "$.fn", "Payload.$": "$.n"}, "End": true}}
    });
    for name in ["double:prod", "123456789012:function:double:7"] {
        let status = go(&host, run_of(source.clone(), json!({"fn": name, "n": 4}))).await;
        assert_eq!(
            status.output,
            Some(json!({"Payload": 8, "StatusCode": 200})),
            "{name}: {status:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn seconds_beyond_i64_do_not_wrap_into_the_past() {
    let host = Fake::new(&[("f", answers(|_| json!(1)))]);
    let source = json!({
        "StartAt": "Nap",
        "States": {"Nap": {"Type": "Wait", "Seconds": 1, "Next": "Call"},
                   "Call": {"Type": "Task", "Resource": "f", "TimeoutSeconds": 1, "End": true}}
    });
    // Past validation's cap (a Definition built in code): the execution neither times out nor
    // ends its Wait at once, it waits.
    let mut huge = definition(&source);
    huge.timeout_seconds = Some(u64::MAX);
    huge.states.get_mut("Nap").unwrap().kind =
        crate::flows::definition::Kind::Wait(crate::flows::definition::Wait::Seconds(u64::MAX));
    let waited = tokio::time::timeout(
        Duration::from_secs(86_400),
        go(&host, super::tests::job(huge, json!({}))),
    )
    .await;
    assert!(waited.is_err(), "the execution ended: {waited:?}");

    // A Task's timeout of u64::MAX seconds: the call answers, no States.Timeout.
    let mut task = definition(&source);
    task.states.get_mut("Nap").unwrap().kind =
        crate::flows::definition::Kind::Wait(crate::flows::definition::Wait::Seconds(0));
    if let crate::flows::definition::Kind::Task(t) = &mut task.states.get_mut("Call").unwrap().kind {
        t.timeout = Some(crate::flows::definition::Seconds::Fixed(u64::MAX));
    }
    let status = go(&host, super::tests::job(task, json!({}))).await;
    assert_eq!((status.phase, status.output), (Phase::Succeeded, Some(json!(1))));
}
