//! An Amazon States Language definition as typed states, and [`parse`], which reads one from
//! its JSON and refuses it, as a linter does, with every problem and the path of the state it
//! is in (`States.Charge.Retry[0].BackoffRate`).

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use super::io::Template;
use super::path::{Path, ReferencePath};

/// A state machine: where it starts and its states (also each Parallel branch and Map
/// iterator is one).
#[derive(Clone, Debug, PartialEq)]
pub struct Definition {
    pub start_at: String,
    pub states: BTreeMap<String, State>,
    /// The whole execution's limit (top level only).
    pub timeout_seconds: Option<u64>,
    pub comment: String,
}

impl Definition {
    /// The state named `name`.
    pub fn state(&self, name: &str) -> Option<&State> {
        self.states.get(name)
    }
}

/// One state: what kind it is, the fields every kind shares, and where it goes next.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub kind: Kind,
    pub io: Io,
    /// `Next` or `End`; Choice, Succeed and Fail have neither (`End`).
    pub transition: Transition,
    /// Task, Parallel and Map only; empty otherwise.
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
    pub comment: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Transition {
    Next(String),
    End,
}

/// A state's input and output processing, in the order they apply: `InputPath`, `Parameters`
/// (Task, Pass, Parallel, Map: `ItemSelector` for a Map is its own), the state's work,
/// `ResultSelector`, `ResultPath`, `OutputPath`. Kinds without a field keep its default.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Io {
    pub input_path: Select,
    pub parameters: Option<Template>,
    pub result_selector: Option<Template>,
    pub result_path: ResultPath,
    pub output_path: Select,
}

/// `InputPath` or `OutputPath`: absent is `$` (all of it), `null` is nothing (`{}`).
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Select {
    #[default]
    All,
    Nothing,
    Path(Path),
}

/// `ResultPath`: absent is `$` (the result replaces the input), `null` discards the result
/// (the input passes on), or where in the input the result goes.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum ResultPath {
    #[default]
    Replace,
    Discard,
    At(ReferencePath),
}

/// What each kind of state holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Task(Task),
    /// `Result`, when given, is the state's result.
    Pass {
        result: Option<Value>,
    },
    Choice {
        choices: Vec<ChoiceRule>,
        default: Option<String>,
    },
    Wait(Wait),
    Succeed,
    Fail {
        error: Option<Text>,
        cause: Option<Text>,
    },
    Parallel {
        branches: Vec<Definition>,
    },
    Map(Box<Map>),
}

impl Kind {
    /// The kind's name as `Type` spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Task(_) => "Task",
            Kind::Pass { .. } => "Pass",
            Kind::Choice { .. } => "Choice",
            Kind::Wait(_) => "Wait",
            Kind::Succeed => "Succeed",
            Kind::Fail { .. } => "Fail",
            Kind::Parallel { .. } => "Parallel",
            Kind::Map(_) => "Map",
        }
    }
}

/// A Task: the function it calls and its limits.
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    pub resource: Resource,
    /// `TimeoutSeconds` or `TimeoutSecondsPath`.
    pub timeout: Option<Seconds>,
    /// `HeartbeatSeconds`/`HeartbeatSecondsPath`: accepted; kfn functions send no heartbeats,
    /// so it only bounds the call like a timeout would.
    pub heartbeat: Option<Seconds>,
}

/// What a Task's `Resource` names.
#[derive(Clone, Debug, PartialEq)]
pub enum Resource {
    /// A kfn function: `NAME` (the execution's namespace), `NAMESPACE/NAME`, or a Lambda-style
    /// ARN `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]` (the name is used).
    Function { namespace: Option<String>, name: String },
    /// `arn:aws:states:::lambda:invoke`: the function is the effective input's `FunctionName`
    /// and the payload its `Payload`; the result is `{"Payload": <the function's answer>,
    /// "StatusCode": 200}`, as AWS gives it.
    LambdaInvoke,
}

impl Resource {
    /// Reads a `Resource` (or the `FunctionName` of a `lambda:invoke`, which names a function
    /// the same ways); the error says what is accepted.
    pub fn parse(text: &str) -> Result<Resource, String> {
        super::validate::resource(text)
    }

    /// Reads the `FunctionName` of a `lambda:invoke`, at deploy and at run time: what a
    /// `Resource` names a function with, and also `NAME:QUALIFIER`, `NAMESPACE/NAME:QUALIFIER`
    /// and the partial ARN `ACCOUNT:function:NAME[:QUALIFIER]` (the qualifier is dropped).
    pub fn function(text: &str) -> Result<Resource, String> {
        super::validate::function_name(text)
    }
}

/// A number of seconds, given or read from the input.
#[derive(Clone, Debug, PartialEq)]
pub enum Seconds {
    Fixed(u64),
    Path(Path),
}

/// A string, given or read from the input (Fail's `Error`/`ErrorPath`, `Cause`/`CausePath`).
#[derive(Clone, Debug, PartialEq)]
pub enum Text {
    Fixed(String),
    /// A reference path (`$.problem.Error`).
    Path(Path),
    /// An intrinsic that gives a string (`States.Format('bad: {}', $.c)`).
    Call(super::intrinsic::Call),
}

/// How long a Wait waits.
#[derive(Clone, Debug, PartialEq)]
pub enum Wait {
    Seconds(u64),
    /// RFC 3339.
    Timestamp(String),
    SecondsPath(Path),
    TimestampPath(Path),
}

/// A Map: the items, what runs for each, and how many at once.
#[derive(Clone, Debug, PartialEq)]
pub struct Map {
    /// `ItemProcessor` (or the older `Iterator`).
    pub processor: Definition,
    /// `ItemsPath` (default `$`: the effective input is the array).
    pub items_path: Select,
    /// `ItemSelector` (or the older `Parameters`): each item's input, with `$$.Map.Item.Index`
    /// and `$$.Map.Item.Value` in the context.
    pub item_selector: Option<Template>,
    /// `MaxConcurrency` (0: no limit) or `MaxConcurrencyPath`.
    pub max_concurrency: Option<Seconds>,
    /// `ToleratedFailurePercentage` (or its Path form), 0 to 100.
    pub tolerated_failure_percentage: Option<f64>,
    pub tolerated_failure_percentage_path: Option<Path>,
    /// `ToleratedFailureCount` (or its Path form).
    pub tolerated_failure_count: Option<u64>,
    pub tolerated_failure_count_path: Option<Path>,
}

/// One entry of a state's `Retry`.
#[derive(Clone, Debug, PartialEq)]
pub struct Retrier {
    pub error_equals: Vec<String>,
    /// Default 1.
    pub interval_seconds: f64,
    /// Default 3; 0 never retries.
    pub max_attempts: u32,
    /// Default 2.0, at least 1.0.
    pub backoff_rate: f64,
    pub max_delay_seconds: Option<f64>,
    pub jitter: Jitter,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Jitter {
    #[default]
    None,
    /// A random delay between 0 and the computed one.
    Full,
}

/// One entry of a state's `Catch`.
#[derive(Clone, Debug, PartialEq)]
pub struct Catcher {
    pub error_equals: Vec<String>,
    pub next: String,
    /// Where `{"Error", "Cause"}` goes in the state's raw input (default `$`: it replaces it).
    pub result_path: ResultPath,
}

/// One of a Choice's `Choices`: a condition and the state it leads to.
#[derive(Clone, Debug, PartialEq)]
pub struct ChoiceRule {
    pub condition: Condition,
    pub next: String,
}

/// A Choice rule's boolean expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
    /// `Variable` compared with a literal or with another path (the `…Path` operators).
    Compare {
        variable: Path,
        operator: Operator,
        operand: Operand,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    Literal(Value),
    Path(Path),
}

/// The comparison operators of a Choice rule, without their `Path` suffix (which is
/// [`Operand::Path`]). The `Is…` tests take a boolean literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operator {
    StringEquals,
    StringLessThan,
    StringGreaterThan,
    StringLessThanEquals,
    StringGreaterThanEquals,
    StringMatches,
    NumericEquals,
    NumericLessThan,
    NumericGreaterThan,
    NumericLessThanEquals,
    NumericGreaterThanEquals,
    BooleanEquals,
    TimestampEquals,
    TimestampLessThan,
    TimestampGreaterThan,
    TimestampLessThanEquals,
    TimestampGreaterThanEquals,
    IsNull,
    IsPresent,
    IsNumeric,
    IsString,
    IsBoolean,
    IsTimestamp,
}

/// One thing wrong with a definition: where (`States.Charge.Next`; empty for the top level)
/// and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Reads a definition (the JSON of `Flow.spec.definition`) and checks it: `StartAt` and every
/// `Next`/`Default` name a state, every state is reachable, every path through it ends, each
/// state has only the fields of its type with values of the right kind, paths are valid JSONPath
/// (reference paths where the language asks for one), intrinsic functions exist and get the
/// arguments they take. All problems are returned, in the order of the definition.
pub fn parse(definition: &Value) -> Result<Definition, Vec<Problem>> {
    super::validate::parse(definition)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(definition: Value) -> Vec<String> {
        match parse(&definition) {
            Ok(_) => Vec::new(),
            Err(problems) => problems.iter().map(ToString::to_string).collect(),
        }
    }

    /// The one problem a definition has, which names `path`.
    fn refused(definition: Value, path: &str, needle: &str) {
        let found = problems(definition);
        assert!(
            found
                .iter()
                .any(|p| p.starts_with(&format!("{path}: ")) && p.contains(needle)),
            "expected a problem at {path} saying {needle:?}, got {found:#?}"
        );
    }

    #[test]
    fn the_examples_parse_into_their_states() {
        let order: Value = serde_json::from_str(include_str!("../../examples/flows/order.asl.json")).unwrap();
        let d = parse(&order).unwrap();
        assert_eq!(d.start_at, "Validate");
        assert_eq!(d.timeout_seconds, Some(120));
        assert_eq!(d.states.len(), 7);
        let charge = d.state("Charge").unwrap();
        let Kind::Task(task) = &charge.kind else {
            panic!("{charge:?}")
        };
        assert_eq!(
            task.resource,
            Resource::Function {
                namespace: None,
                name: "charge-card".into()
            }
        );
        assert_eq!(task.timeout, Some(Seconds::Fixed(10)));
        assert_eq!(charge.retry[0].error_equals, ["CardNetworkBusy"]);
        assert_eq!(charge.retry[0].max_attempts, 3);
        assert_eq!(charge.retry[0].backoff_rate, 2.0);
        assert_eq!(charge.catch[0].next, "Rejected");
        assert_eq!(charge.transition, Transition::Next("Ship".into()));
        let Kind::Choice { choices, default } = &d.state("Big order?").unwrap().kind else {
            panic!()
        };
        assert_eq!(default.as_deref(), Some("Charge"));
        assert_eq!(choices[0].next, "Hold for review");
        let Kind::Fail { error, cause } = &d.state("Rejected").unwrap().kind else {
            panic!()
        };
        assert!(matches!(error, Some(Text::Path(p)) if p.as_str() == "$.problem.Error"));
        assert!(matches!(cause, Some(Text::Path(_))));

        let fanout: Value = serde_saphyr::from_str(include_str!("../../examples/flows/fanout.asl.yaml")).unwrap();
        let d = parse(&fanout).unwrap();
        let Kind::Map(map) = &d.state("Thumbnails").unwrap().kind else {
            panic!()
        };
        assert_eq!(map.max_concurrency, Some(Seconds::Fixed(2)));
        assert!(map.item_selector.is_some());
        assert_eq!(map.processor.start_at, "Render");
        assert!(matches!(&map.items_path, Select::Path(p) if p.as_str() == "$.images"));
    }

    #[test]
    fn each_kind_of_state_is_read() {
        let d = parse(&json!({
            "StartAt": "P",
            "States": {
                "P": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.r", "Next": "W"},
                "W": {"Type": "Wait", "SecondsPath": "$.delay", "Next": "Par"},
                "Par": {"Type": "Parallel", "Branches": [
                    {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}},
                    {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "prod/b", "End": true}}}
                ], "Next": "Inv"},
                "Inv": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                        "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "Next": "Arn"},
                "Arn": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:hello:live",
                        "HeartbeatSecondsPath": "$.hb", "End": true}
            }
        }))
        .unwrap();
        assert_eq!(
            d.state("P").unwrap().kind,
            Kind::Pass {
                result: Some(json!({"x": 1}))
            }
        );
        assert!(matches!(&d.state("W").unwrap().kind, Kind::Wait(Wait::SecondsPath(_))));
        let Kind::Parallel { branches } = &d.state("Par").unwrap().kind else {
            panic!()
        };
        assert_eq!(branches.len(), 2);
        let Kind::Task(b) = &branches[1].state("B").unwrap().kind else {
            panic!()
        };
        assert_eq!(
            b.resource,
            Resource::Function {
                namespace: Some("prod".into()),
                name: "b".into()
            }
        );
        let Kind::Task(inv) = &d.state("Inv").unwrap().kind else {
            panic!()
        };
        assert_eq!(inv.resource, Resource::LambdaInvoke);
        let Kind::Task(arn) = &d.state("Arn").unwrap().kind else {
            panic!()
        };
        assert_eq!(
            arn.resource,
            Resource::Function {
                namespace: None,
                name: "hello".into()
            }
        );
        assert_eq!(d.state("Arn").unwrap().transition, Transition::End);
    }

    fn one(state: Value) -> Value {
        json!({"StartAt": "S", "States": {"S": state}})
    }

    #[test]
    fn a_fail_takes_a_string_intrinsic_or_a_reference_path() {
        let fail = |cause_path: &str| one(json!({"Type": "Fail", "Error": "E", "CausePath": cause_path}));
        let d = parse(&fail("States.Format('bad: {}', $.c)")).unwrap();
        let Kind::Fail { cause, .. } = &d.state("S").unwrap().kind else {
            panic!()
        };
        assert!(matches!(cause, Some(Text::Call(c)) if c.as_str() == "States.Format('bad: {}', $.c)"));
        refused(
            fail("States.ArrayLength($.c)"),
            "States.S.CausePath",
            "does not give a string",
        );
        refused(fail("States.Nope($.c)"), "States.S.CausePath", "States.Nope");
        refused(fail("$.c[*]"), "States.S.CausePath", "");
    }

    #[test]
    fn seconds_are_capped_as_aws_caps_them() {
        let max = "must be at most 99999999";
        refused(
            one(json!({"Type": "Task", "Resource": "f", "TimeoutSeconds": 100_000_000u64, "End": true})),
            "States.S.TimeoutSeconds",
            max,
        );
        refused(
            one(json!({"Type": "Task", "Resource": "f", "HeartbeatSeconds": u64::MAX, "End": true})),
            "States.S.HeartbeatSeconds",
            max,
        );
        refused(
            one(json!({"Type": "Wait", "Seconds": 18_446_744_073_709_551_615u64, "End": true})),
            "States.S.Seconds",
            max,
        );
        refused(
            json!({"StartAt": "S", "TimeoutSeconds": 100_000_000u64, "States": {"S": {"Type": "Succeed"}}}),
            "TimeoutSeconds",
            max,
        );
        assert!(parse(&one(json!({"Type": "Wait", "Seconds": 99_999_999, "End": true}))).is_ok());
    }

    #[test]
    fn a_function_name_is_read_the_same_at_deploy_and_at_run_time() {
        let f = |ns: Option<&str>, name: &str| {
            Ok(Resource::Function {
                namespace: ns.map(str::to_string),
                name: name.to_string(),
            })
        };
        assert_eq!(Resource::function("my-fn:prod"), f(None, "my-fn"));
        assert_eq!(Resource::function("shop/my-fn:prod"), f(Some("shop"), "my-fn"));
        assert_eq!(Resource::function("123456789012:function:my-fn"), f(None, "my-fn"));
        assert_eq!(Resource::function("123456789012:function:my-fn:7"), f(None, "my-fn"));
        assert_eq!(
            Resource::function("arn:aws:lambda:eu-west-1:123456789012:function:my-fn:live"),
            f(None, "my-fn")
        );
        assert_eq!(Resource::function("my-fn"), f(None, "my-fn"));
        for bad in [
            "my-fn:",
            "a:b:c",
            "x:function:my-fn",
            "arn:aws:states:::lambda:invoke",
            "Not A Function",
        ] {
            assert!(Resource::function(bad).is_err(), "{bad}");
        }
        let invoke = |name: &str| {
            one(
                json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": name}, "End": true}),
            )
        };
        assert!(parse(&invoke("my-fn:prod")).is_ok());
        assert!(parse(&invoke("123456789012:function:my-fn")).is_ok());
        refused(
            invoke("arn:aws:states:::lambda:invoke"),
            "States.S.Parameters.FunctionName",
            "accepted",
        );
    }

    #[test]
    fn structure_problems_name_the_state() {
        refused(json!({"States": {"A": {"Type": "Succeed"}}}), "StartAt", "is required");
        refused(
            json!({"StartAt": "B", "States": {"A": {"Type": "Succeed"}}}),
            "StartAt",
            "no state named \"B\"",
        );
        refused(
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nope"}}}),
            "States.A.Next",
            "no state named \"Nope\"",
        );
        refused(
            json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}}),
            "States.B",
            "unreachable",
        );
        refused(
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}}),
            "States",
            "no state ends",
        );
        refused(
            json!({"StartAt": "A", "States": {
                "A": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "L"}], "Default": "E"},
                "L": {"Type": "Pass", "Next": "L"},
                "E": {"Type": "Succeed"}}}),
            "States.L",
            "loops forever",
        );
        refused(
            json!({"StartAt": "A", "States": {}, "Extra": 1}),
            "Extra",
            "unknown field",
        );
        refused(
            json!({"StartAt": "A", "QueryLanguage": "JSONata", "States": {"A": {"Type": "Succeed"}}}),
            "QueryLanguage",
            "JSONata is not supported",
        );
        refused(
            json!({"StartAt": "F", "States": {"F": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}},
                {"StartAt": "B", "States": {"B": {"Type": "Pass", "Next": "A"}}}]}}}),
            "States.F.Branches[1].States.B.Next",
            "in this branch",
        );
        refused(
            json!({"StartAt": "F", "States": {"F": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "F", "States": {"F": {"Type": "Succeed"}}}]}}}),
            "States.F.Branches[0].States.F",
            "already at States.F",
        );
    }

    #[test]
    fn field_problems_name_the_field() {
        refused(
            one(json!({"Type": "Task", "Resource": "f", "Seconds": 3, "End": true})),
            "States.S.Seconds",
            "not a field of a Task",
        );
        refused(
            one(json!({"Type": "Pass", "Resource": "f", "End": true})),
            "States.S.Resource",
            "not a field of a Pass",
        );
        refused(
            one(json!({"Type": "Pass", "Next": "S", "End": true})),
            "States.S.End",
            "Next and End together",
        );
        refused(one(json!({"Type": "Pass"})), "States.S", "needs Next");
        refused(
            one(json!({"Type": "Succeed", "End": true})),
            "States.S.End",
            "neither Next nor End",
        );
        refused(
            one(json!({"Type": "Choice", "End": true, "Choices": [{"Variable": "$.a", "IsNull": true, "Next": "S"}]})),
            "States.S.End",
            "neither Next nor End",
        );
        refused(
            one(json!({"Type": "Task", "End": true})),
            "States.S.Resource",
            "is required",
        );
        refused(one(json!({"Type": "Nope"})), "States.S.Type", "must be Task, Pass");
        refused(
            one(json!({"Type": "Task", "Resource": "arn:aws:sqs:us-east-1:1:q", "End": true})),
            "States.S.Resource",
            "accepted",
        );
        refused(
            one(json!({"Type": "Task", "Resource": "Bad_Name", "End": true})),
            "States.S.Resource",
            "lowercase",
        );
        refused(
            one(json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true})),
            "States.S.Parameters",
            "FunctionName",
        );
        refused(
            one(
                json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "Not A Function"}, "End": true}),
            ),
            "States.S.Parameters.FunctionName",
            "not a function kfn can call",
        );
        assert_eq!(
            Resource::parse("arn:aws:lambda:us-east-1:123456789012:function:resize:live"),
            Ok(Resource::Function {
                namespace: None,
                name: "resize".into()
            })
        );
        refused(
            one(json!({"Type": "Task", "Resource": "f", "TimeoutSeconds": "5", "End": true})),
            "States.S.TimeoutSeconds",
            "positive integer",
        );
        refused(
            one(
                json!({"Type": "Task", "Resource": "f", "TimeoutSeconds": 5, "TimeoutSecondsPath": "$.t", "End": true}),
            ),
            "States.S.TimeoutSecondsPath",
            "together",
        );
        refused(
            one(json!({"Type": "Pass", "InputPath": "a.b", "End": true})),
            "States.S.InputPath",
            "starts with `$`",
        );
        refused(
            one(json!({"Type": "Pass", "OutputPath": "$.a[", "End": true})),
            "States.S.OutputPath",
            "not a valid JSONPath",
        );
        refused(
            one(json!({"Type": "Pass", "ResultPath": "$.a[*]", "End": true})),
            "States.S.ResultPath",
            "reference path",
        );
        refused(
            one(json!({"Type": "Pass", "Parameters": {"a.$": "$.x[?"}, "End": true})),
            "States.S.Parameters.a.$",
            "JSONPath",
        );
        refused(
            one(json!({"Type": "Pass", "Parameters": {"a": {"b.$": "States.Nope($.x)"}}, "End": true})),
            "States.S.Parameters.a.b.$",
            "unknown intrinsic",
        );
        refused(
            one(json!({"Type": "Pass", "Parameters": {"a.$": "States.ArrayLength(1, 2)"}, "End": true})),
            "States.S.Parameters.a.$",
            "takes 1 argument",
        );
        refused(one(json!({"Type": "Wait", "End": true})), "States.S", "one of Seconds");
        refused(
            one(json!({"Type": "Wait", "Seconds": 1, "Timestamp": "2026-01-01T00:00:00Z", "End": true})),
            "States.S",
            "exactly one",
        );
        refused(
            one(json!({"Type": "Wait", "Timestamp": "tomorrow", "End": true})),
            "States.S.Timestamp",
            "RFC 3339",
        );
        refused(
            one(json!({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"})),
            "States.S.ErrorPath",
            "together",
        );
        refused(
            one(json!({"Type": "Fail", "Cause": "c", "CausePath": "$.c"})),
            "States.S.CausePath",
            "together",
        );
        refused(
            one(json!({"Type": "Pass", "Assign": {"x": 1}, "End": true})),
            "States.S.Assign",
            "not supported",
        );
        refused(
            one(json!({"Type": "Map", "End": true})),
            "States.S.ItemProcessor",
            "is required",
        );
        refused(
            one(
                json!({"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "X", "States": {"X": {"Type": "Pass"}}}}),
            ),
            "States.S.ItemProcessor.States.X",
            "needs Next",
        );
        refused(
            one(
                json!({"Type": "Map", "End": true, "ToleratedFailurePercentage": 150, "ItemProcessor": {"StartAt": "X", "States": {"X": {"Type": "Succeed"}}}}),
            ),
            "States.S.ToleratedFailurePercentage",
            "between 0 and 100",
        );
        refused(
            one(json!({"Type": "Parallel", "End": true, "Branches": []})),
            "States.S.Branches",
            "is empty",
        );
    }

    #[test]
    fn retry_catch_and_choice_problems() {
        let task = |extra: Value| {
            let mut s = json!({"Type": "Task", "Resource": "f", "End": true});
            s.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            one(s)
        };
        refused(
            task(json!({"Retry": [{"ErrorEquals": ["X"], "BackoffRate": 0.5}]})),
            "States.S.Retry[0].BackoffRate",
            "must be at least 1.0, got 0.5",
        );
        refused(
            task(json!({"Retry": [{"ErrorEquals": []}]})),
            "States.S.Retry[0].ErrorEquals",
            "is empty",
        );
        refused(
            task(json!({"Retry": [{"ErrorEquals": ["States.ALL", "X"]}]})),
            "States.S.Retry[0].ErrorEquals",
            "alone",
        );
        refused(
            task(json!({"Retry": [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}]})),
            "States.S.Retry[0].ErrorEquals",
            "last",
        );
        refused(
            task(json!({"Retry": [{"ErrorEquals": ["X"], "MaxAttempts": -1}]})),
            "States.S.Retry[0].MaxAttempts",
            "non-negative",
        );
        refused(
            task(json!({"Retry": [{"ErrorEquals": ["X"], "JitterStrategy": "HALF"}]})),
            "States.S.Retry[0].JitterStrategy",
            "FULL or NONE",
        );
        refused(
            task(json!({"Catch": [{"ErrorEquals": ["X"]}]})),
            "States.S.Catch[0].Next",
            "is required",
        );
        refused(
            task(json!({"Catch": [{"ErrorEquals": ["X"], "Next": "Gone"}]})),
            "States.S.Catch[0].Next",
            "no state named",
        );
        refused(
            task(json!({"Catch": [{"ErrorEquals": ["X"], "Next": "S", "ResultPath": "$$.x"}]})),
            "States.S.Catch[0].ResultPath",
            "context object",
        );
        let choice = |rule: Value| json!({"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [rule], "Default": "E"}, "E": {"Type": "Succeed"}}});
        refused(
            choice(json!({"Variable": "$.a", "NumericEquals": "1", "Next": "E"})),
            "States.C.Choices[0].NumericEquals",
            "must be a number",
        );
        refused(
            choice(json!({"Variable": "$.a", "Next": "E"})),
            "States.C.Choices[0]",
            "needs a comparison",
        );
        refused(
            choice(json!({"Variable": "$.a", "StringEquals": "x", "IsNull": true, "Next": "E"})),
            "States.C.Choices[0]",
            "one comparison",
        );
        refused(
            choice(json!({"StringEquals": "x", "Next": "E"})),
            "States.C.Choices[0].Variable",
            "is required",
        );
        refused(
            choice(json!({"Variable": "$.a", "StringEqualz": "x", "Next": "E"})),
            "States.C.Choices[0].StringEqualz",
            "unknown field",
        );
        refused(
            choice(json!({"And": [{"Variable": "$.a", "IsNull": true, "Next": "E"}], "Next": "E"})),
            "States.C.Choices[0].And[0].Next",
            "no Next",
        );
        refused(
            choice(json!({"Not": {"Variable": "a", "IsNull": true}, "Next": "E"})),
            "States.C.Choices[0].Not.Variable",
            "starts with `$`",
        );
        refused(
            choice(json!({"Variable": "$.a", "NumericEqualsPath": "$.b[", "Next": "E"})),
            "States.C.Choices[0].NumericEqualsPath",
            "JSONPath",
        );
        refused(
            choice(json!({"Variable": "$.t", "TimestampEquals": "yesterday", "Next": "E"})),
            "States.C.Choices[0].TimestampEquals",
            "RFC 3339",
        );
        let d = parse(&choice(json!({"Or": [
            {"Variable": "$.a", "StringMatches": "x*", "Next": "E"}
        ], "Next": "E"})));
        assert!(d.is_err());
        let d = parse(&choice(json!({"Or": [
            {"Variable": "$.a", "StringMatches": "x*"},
            {"Not": {"Variable": "$.b", "NumericGreaterThanEqualsPath": "$.c"}}
        ], "Next": "E"})))
        .unwrap();
        let Kind::Choice { choices, .. } = &d.state("C").unwrap().kind else {
            panic!()
        };
        let Condition::Or(rules) = &choices[0].condition else {
            panic!()
        };
        let Condition::Not(inner) = &rules[1] else { panic!() };
        assert!(matches!(
            inner.as_ref(),
            Condition::Compare {
                operator: Operator::NumericGreaterThanEquals,
                operand: Operand::Path(_),
                ..
            }
        ));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let found = problems(json!({"StartAt": "A", "States": {
            "A": {"Type": "Task", "Resource": "f", "Next": "Gone", "Seconds": 1},
            "B": {"Type": "Pass", "End": true, "InputPath": "x"}
        }}));
        assert!(found.len() >= 4, "{found:#?}");
    }
}
