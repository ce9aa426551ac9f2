//! What the engine and `kfn controller` decide alike about flows and executions, pure: what a
//! function's answer means to a Task, a Flow's status from its definition, and which finished
//! executions go when a Flow keeps fewer.

use serde_json::Value;

use super::errors::{self, FlowError};
use crate::api::kinds::{Condition, Flow, FlowStatus};

/// What a function's answer means to a flow: its result (JSON; an answer that is not JSON is a
/// string, an empty one null), or the error it raised (a 500 whose `x-kfn-error` names it; the
/// body reads `Type: message` and the message is the cause), a timeout (408:
/// `States.Timeout`), or a failed task (any other status: `States.TaskFailed`). `function` is
/// `namespace/name`, for the causes.
pub fn answer(function: &str, status: u16, raised: Option<&str>, body: &[u8]) -> Result<Value, FlowError> {
    let text = String::from_utf8_lossy(body);
    match (status, raised) {
        (200..=299, _) if body.is_empty() => Ok(Value::Null),
        (200..=299, _) => Ok(serde_json::from_slice(body).unwrap_or_else(|_| Value::String(text.into_owned()))),
        (500, Some(error)) if !error.is_empty() => {
            let cause = text.strip_prefix(&format!("{error}: ")).unwrap_or(&text);
            Err(FlowError::new(error, cause.trim_end()))
        }
        (408, _) => Err(FlowError::new(
            errors::TIMEOUT,
            format!("the function {function} timed out: {}", text.trim_end()),
        )),
        (code, _) => Err(FlowError::new(
            errors::TASK_FAILED,
            format!("the function {function} answered {code}: {}", text.trim_end()),
        )),
    }
}

/// Whether a Task of an execution in namespace `from` may call a function in namespace `to`
/// (`tenant(ns)`: whether namespace `ns` is a tenant's, labelled `kfn.io/tenant`): always in its
/// own namespace; in another only when neither is a tenant's, since a Task calls with the
/// engine's or the controller's credentials, not the tenant's. Else `States.Permissions`, with
/// a cause naming both namespaces.
pub fn may_call(from: &str, to: &str, tenant: impl Fn(&str) -> bool) -> Result<(), FlowError> {
    if from == to {
        return Ok(());
    }
    let whose = |ns: &str| {
        if tenant(ns) {
            format!("{ns} is a tenant's")
        } else {
            format!("{ns} is not")
        }
    };
    if tenant(from) || tenant(to) {
        return Err(FlowError::new(
            errors::PERMISSIONS,
            format!(
                "a Task of an execution in namespace {from} may not call a function in namespace {to}: Tasks call functions in other namespaces only when neither namespace is a tenant's ({}, {})",
                whose(from),
                whose(to)
            ),
        ));
    }
    Ok(())
}

/// The status a Flow should have: `Ready` True (`Valid`), or False (`InvalidDefinition`) with
/// the definition's problems, one per line; `lastTransitionTime` kept while it holds.
pub fn flow_status(flow: &Flow) -> FlowStatus {
    let previous = flow.status.clone().unwrap_or_default();
    let condition = match super::parse(&flow.spec.definition) {
        Ok(_) => Condition::ready(&previous.conditions, true, "Valid", "the definition is valid"),
        Err(problems) => {
            let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
            Condition::ready(&previous.conditions, false, "InvalidDefinition", &lines.join("\n"))
        }
    };
    FlowStatus {
        observed_generation: flow.metadata.generation,
        conditions: vec![condition],
    }
}

/// Of a Flow's finished executions (`(stopTime, name)`), the names beyond the `keep` latest,
/// oldest first: the ones to delete.
pub fn beyond_keep(mut finished: Vec<(String, String)>, keep: usize) -> Vec<String> {
    finished.sort();
    let extra = finished.len().saturating_sub(keep);
    finished.into_iter().take(extra).map(|(_, name)| name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::kinds::FlowSpec;
    use serde_json::json;

    #[test]
    fn answers_are_results_or_the_errors_functions_raised() {
        assert_eq!(answer("d/f", 200, None, br#"{"a": 1}"#), Ok(json!({"a": 1})));
        assert_eq!(answer("d/f", 200, None, b"plain text"), Ok(json!("plain text")));
        assert_eq!(answer("d/f", 200, None, b""), Ok(Value::Null));
        assert_eq!(
            answer("d/f", 500, Some("ValueError"), b"ValueError: bad id\n"),
            Err(FlowError::new("ValueError", "bad id"))
        );
        assert_eq!(
            answer("d/f", 408, None, b"timed out").unwrap_err().error,
            errors::TIMEOUT
        );
        let other = answer("d/f", 503, None, b"no replica").unwrap_err();
        assert_eq!(
            other,
            FlowError::new(errors::TASK_FAILED, "the function d/f answered 503: no replica")
        );
        let unnamed = answer("d/f", 500, None, b"oops").unwrap_err();
        assert_eq!(unnamed.error, errors::TASK_FAILED);
        let not_500 = answer("d/f", 502, Some("ValueError"), b"bad gateway").unwrap_err();
        assert_eq!(not_500.error, errors::TASK_FAILED, "only a 500 names the error raised");
    }

    #[test]
    fn tasks_reach_other_namespaces_only_between_namespaces_of_no_tenant() {
        let tenants = ["team-a", "team-b"];
        let tenant = |ns: &str| tenants.contains(&ns);
        assert!(may_call("team-a", "team-a", tenant).is_ok(), "its own namespace");
        assert!(may_call("default", "shared", tenant).is_ok(), "no tenant's");
        for (from, to) in [("team-a", "team-b"), ("team-a", "default"), ("default", "team-b")] {
            let err = may_call(from, to, tenant).unwrap_err();
            assert_eq!(err.error, errors::PERMISSIONS);
            assert!(
                err.cause.contains(&format!(
                    "in namespace {from} may not call a function in namespace {to}"
                )),
                "{}",
                err.cause
            );
        }
        let err = may_call("default", "team-b", tenant).unwrap_err();
        assert!(
            err.cause.ends_with("(default is not, team-b is a tenant's)"),
            "{}",
            err.cause
        );
    }

    #[test]
    fn a_flow_is_ready_when_its_definition_is_valid_and_says_why_not() {
        let mut flow = Flow::new(
            "f",
            FlowSpec {
                definition: json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}),
                keep_executions: None,
            },
        );
        flow.metadata.generation = Some(2);
        let ok = flow_status(&flow);
        assert_eq!(ok.observed_generation, Some(2));
        assert!(Condition::is_ready(&ok.conditions));
        flow.spec.definition = json!({"StartAt": "B", "States": {"A": {"Type": "Pass", "End": true}}});
        let bad = flow_status(&flow);
        assert_eq!(bad.conditions[0].reason, "InvalidDefinition");
        assert!(
            bad.conditions[0].message.contains("StartAt"),
            "{}",
            bad.conditions[0].message
        );
    }

    #[test]
    fn the_oldest_finished_executions_beyond_the_kept_ones_go() {
        let finished = |list: &[(&str, &str)]| list.iter().map(|(t, n)| (t.to_string(), n.to_string())).collect();
        let list = finished(&[
            ("2026-12-01T21:00:03.000Z", "c"),
            ("2026-12-01T21:00:01.000Z", "a"),
            ("2026-12-01T21:00:02.000Z", "b"),
        ]);
        assert_eq!(beyond_keep(list, 1), ["a", "b"]);
        assert!(beyond_keep(finished(&[("2026-12-01T21:00:03.000Z", "c")]), 3).is_empty());
    }
}
