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
    Path(Path),
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
    let _ = definition;
    todo!("flows::definition::parse")
}
