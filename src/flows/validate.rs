//! Reading a definition into its typed form, and checking it as a linter does: every problem,
//! with the path of the state it is in (`States.Charge.Retry[0].BackoffRate`). The entry point
//! is [`parse`](super::definition::parse).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use serde_json::{Map as Object, Value};

use super::definition::*;
use super::errors::ALL;
use super::io::Template;
use super::path::{Path, ReferencePath, kind_of};
use super::timestamp;

const TYPES: &str = "Task, Pass, Choice, Wait, Succeed, Fail, Parallel or Map";

const RESOURCES: &str = "a kfn function as NAME or NAMESPACE/NAME, a Lambda ARN \
    (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]), or arn:aws:states:::lambda:invoke \
    (with FunctionName and Payload in Parameters)";

/// The intrinsics a Fail's `ErrorPath`/`CausePath` may call: those that give a string.
const STRING_CALLS: &[&str] = &[
    "States.Format",
    "States.JsonToString",
    "States.ArrayGetItem",
    "States.Base64Encode",
    "States.Base64Decode",
    "States.Hash",
    "States.UUID",
];

/// The most seconds a TimeoutSeconds, HeartbeatSeconds or Wait's Seconds may give (AWS's maximum).
const MAX_SECONDS: u64 = 99_999_999;

/// What kind of machine is read: the top level has more fields than a Parallel branch or a
/// Map's processor.
#[derive(Clone, Copy, PartialEq)]
enum Scope {
    Top,
    Branch,
    Processor,
}

pub(super) struct Linter {
    problems: Vec<Problem>,
    /// Every state name of the whole machine and where it was first seen (names are unique
    /// across branches too, as the language says).
    names: HashMap<String, String>,
}

pub(super) fn parse(definition: &Value) -> Result<Definition, Vec<Problem>> {
    let mut linter = Linter {
        problems: Vec::new(),
        names: HashMap::new(),
    };
    let parsed = linter.machine(definition, "", Scope::Top);
    match parsed {
        Some(d) if linter.problems.is_empty() => Ok(d),
        _ => {
            if linter.problems.is_empty() {
                linter.problem("", "the definition could not be read");
            }
            Err(linter.problems)
        }
    }
}

fn join(prefix: &str, field: &str) -> String {
    if prefix.is_empty() {
        field.to_string()
    } else {
        format!("{prefix}.{field}")
    }
}

/// The fields each type of state may have (besides `Type`, `Comment`, `QueryLanguage`).
fn allowed(kind: &str) -> &'static [&'static str] {
    match kind {
        "Task" => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "ResultSelector",
            "Retry",
            "Catch",
            "Resource",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
        ],
        "Pass" => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "Result",
        ],
        "Choice" => &["Choices", "Default", "InputPath", "OutputPath"],
        "Wait" => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "Seconds",
            "Timestamp",
            "SecondsPath",
            "TimestampPath",
        ],
        "Succeed" => &["InputPath", "OutputPath"],
        "Fail" => &["Error", "ErrorPath", "Cause", "CausePath"],
        "Parallel" => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "ResultSelector",
            "Retry",
            "Catch",
            "Branches",
        ],
        "Map" => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "ItemSelector",
            "ResultSelector",
            "Retry",
            "Catch",
            "ItemProcessor",
            "Iterator",
            "ItemsPath",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "Label",
        ],
        _ => &[],
    }
}

/// Why a field kfn does not take is refused, when there is more to say than "not a field".
fn unsupported(field: &str) -> Option<&'static str> {
    Some(match field {
        "Assign" => "variables (Assign) are not supported: kfn runs JSONPath definitions without variables",
        "Arguments" | "Output" => "this is a JSONata field; JSONata is not supported: kfn runs JSONPath definitions",
        "ItemReader" | "ItemBatcher" | "ResultWriter" => {
            "a distributed Map (reading items from S3, batching, writing results) is not supported: the items come from the input (ItemsPath)"
        }
        "Credentials" => {
            "Credentials (assuming an IAM role) are not supported: functions are called as the flow's namespace"
        }
        _ => return None,
    })
}

/// A state's or a definition's fields, read one by one; a wrong kind of value is a problem.
struct Fields<'a> {
    object: &'a Object<String, Value>,
    path: String,
}

impl<'a> Fields<'a> {
    fn at(&self, key: &str) -> String {
        join(&self.path, key)
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.object.get(key)
    }

    fn has(&self, key: &str) -> bool {
        self.object.contains_key(key)
    }
}

impl Linter {
    fn problem(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.to_string(),
            message: message.into(),
        });
    }

    fn wrong(&mut self, f: &Fields, key: &str, want: &str, got: &Value) {
        self.problem(&f.at(key), format!("must be {want}, got {}: {got}", kind_of(got)));
    }

    /// The items of `key`, a field that must be a non-empty array of `what`; otherwise `None`,
    /// with the problem: missing (`is required: a non-empty array of <what><required>`), of
    /// another kind, or empty (`is empty: <empty>`).
    fn non_empty_array<'v>(
        &mut self,
        f: &Fields<'v>,
        key: &str,
        what: &str,
        required: &str,
        empty: &str,
    ) -> Option<&'v Vec<Value>> {
        let Some(v) = f.get(key) else {
            self.problem(
                &f.at(key),
                format!("is required: a non-empty array of {what}{required}"),
            );
            return None;
        };
        let Value::Array(items) = v else {
            self.wrong(f, key, &format!("a non-empty array of {what}"), v);
            return None;
        };
        if items.is_empty() {
            self.problem(&f.at(key), format!("is empty: {empty}"));
            return None;
        }
        Some(items)
    }

    fn string(&mut self, f: &Fields, key: &str) -> Option<String> {
        match f.get(key)? {
            Value::String(s) => Some(s.clone()),
            other => {
                self.wrong(f, key, "a string", other);
                None
            }
        }
    }

    fn required_string(&mut self, f: &Fields, key: &str, what: &str) -> Option<String> {
        if !f.has(key) {
            self.problem(&f.at(key), format!("is required: {what}"));
            return None;
        }
        self.string(f, key)
    }

    /// An integer of at least `min`.
    fn integer(&mut self, f: &Fields, key: &str, min: u64) -> Option<u64> {
        let v = f.get(key)?;
        match v.as_u64() {
            Some(n) if n >= min => Some(n),
            _ => {
                let want = match min {
                    0 => "a non-negative integer".to_string(),
                    1 => "a positive integer".to_string(),
                    m => format!("an integer of at least {m}"),
                };
                self.wrong(f, key, &want, v);
                None
            }
        }
    }

    /// A number of seconds: an integer of at least `min` and at most [`MAX_SECONDS`] (as AWS).
    fn duration(&mut self, f: &Fields, key: &str, min: u64) -> Option<u64> {
        let n = self.integer(f, key, min)?;
        if n > MAX_SECONDS {
            self.problem(&f.at(key), format!("must be at most {MAX_SECONDS}, got {n}"));
            return None;
        }
        Some(n)
    }

    fn number(&mut self, f: &Fields, key: &str) -> Option<f64> {
        let v = f.get(key)?;
        match v.as_f64() {
            Some(n) => Some(n),
            None => {
                self.wrong(f, key, "a number", v);
                None
            }
        }
    }

    fn path(&mut self, f: &Fields, key: &str) -> Option<Path> {
        let text = self.string(f, key)?;
        match Path::parse(&text) {
            Ok(p) => Some(p),
            Err(why) => {
                self.problem(&f.at(key), why);
                None
            }
        }
    }

    fn reference(&mut self, f: &Fields, key: &str) -> Option<Path> {
        let text = self.string(f, key)?;
        if let Err(why) = ReferencePath::parse(&text) {
            self.problem(&f.at(key), why);
            return None;
        }
        self.path(f, key)
    }

    /// InputPath/OutputPath/ItemsPath: absent is `$`, null is nothing.
    fn select(&mut self, f: &Fields, key: &str) -> Select {
        match f.get(key) {
            None => Select::All,
            Some(Value::Null) => Select::Nothing,
            Some(_) => self.path(f, key).map(Select::Path).unwrap_or_default(),
        }
    }

    fn result_path(&mut self, f: &Fields, key: &str) -> ResultPath {
        match f.get(key) {
            None => ResultPath::Replace,
            Some(Value::Null) => ResultPath::Discard,
            Some(_) => {
                let Some(text) = self.string(f, key) else {
                    return ResultPath::Replace;
                };
                match ReferencePath::parse(&text) {
                    Ok(r) if text == "$" => {
                        let _ = r;
                        ResultPath::Replace
                    }
                    Ok(r) => ResultPath::At(r),
                    Err(why) => {
                        self.problem(&f.at(key), why);
                        ResultPath::Replace
                    }
                }
            }
        }
    }

    fn template(&mut self, f: &Fields, key: &str) -> Option<Template> {
        let v = f.get(key)?;
        if !v.is_object() {
            self.wrong(f, key, "a JSON object (a payload template)", v);
            return None;
        }
        match Template::parse(v) {
            Ok(t) => Some(t),
            Err((field, why)) => {
                self.problem(&join(&f.at(key), &field), why);
                None
            }
        }
    }

    /// A definition (the top level, a Parallel branch, a Map's processor) at `prefix`.
    fn machine(&mut self, value: &Value, prefix: &str, scope: Scope) -> Option<Definition> {
        let Value::Object(object) = value else {
            self.problem(
                prefix,
                format!(
                    "a state machine definition is a JSON object with StartAt and States, got {}",
                    kind_of(value)
                ),
            );
            return None;
        };
        let f = Fields {
            object,
            path: prefix.to_string(),
        };
        let fields: &[&str] = match scope {
            Scope::Top => &[
                "StartAt",
                "States",
                "Comment",
                "Version",
                "TimeoutSeconds",
                "QueryLanguage",
            ],
            Scope::Branch => &["StartAt", "States", "Comment", "QueryLanguage"],
            Scope::Processor => &["StartAt", "States", "Comment", "ProcessorConfig", "QueryLanguage"],
        };
        for key in object.keys() {
            if !fields.contains(&key.as_str()) {
                let why = unsupported(key)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("unknown field; a definition here has {}", fields.join(", ")));
                self.problem(&f.at(key), why);
            }
        }
        self.query_language(&f);
        if scope == Scope::Processor
            && let Some(config) = f.get("ProcessorConfig")
        {
            self.processor_config(config, &f.at("ProcessorConfig"));
        }
        let comment = self.string(&f, "Comment").unwrap_or_default();
        if f.has("Version") {
            self.string(&f, "Version");
        }
        let timeout_seconds = if scope == Scope::Top {
            self.duration(&f, "TimeoutSeconds", 1)
        } else {
            None
        };
        let start_at = self.required_string(&f, "StartAt", "the name of the first state");
        let states_path = f.at("States");
        let Some(states_value) = f.get("States") else {
            self.problem(&states_path, "is required: an object of the states, by name");
            return None;
        };
        let Value::Object(states) = states_value else {
            self.wrong(&f, "States", "an object of the states, by name", states_value);
            return None;
        };
        if states.is_empty() {
            self.problem(&states_path, "has no states: a definition has at least one");
            return None;
        }
        let mut typed = BTreeMap::new();
        let mut ok = true;
        for (name, state) in states {
            let path = join(&states_path, name);
            if let Some(first) = self.names.get(name) {
                let first = first.clone();
                self.problem(
                    &path,
                    format!("a state named {name:?} is already at {first}: state names are unique in the whole machine, branches included"),
                );
            } else {
                self.names.insert(name.clone(), path.clone());
            }
            if name.is_empty() || name.chars().count() > 80 {
                self.problem(&path, "a state's name has 1 to 80 characters");
            }
            match self.state(state, &path) {
                Some(s) => {
                    typed.insert(name.clone(), s);
                }
                None => ok = false,
            }
        }
        self.graph(states, start_at.as_deref(), prefix, &states_path);
        Some(Definition {
            start_at: start_at?,
            states: if ok { typed } else { return None },
            timeout_seconds,
            comment,
        })
    }

    fn query_language(&mut self, f: &Fields) {
        match f.get("QueryLanguage") {
            None => {}
            Some(Value::String(s)) if s == "JSONPath" => {}
            Some(Value::String(s)) if s == "JSONata" => self.problem(
                &f.at("QueryLanguage"),
                "JSONata is not supported: kfn runs definitions in JSONPath (leave QueryLanguage out, or set it to JSONPath)",
            ),
            Some(other) => self.problem(
                &f.at("QueryLanguage"),
                format!("must be \"JSONPath\" (JSONata is not supported), got {other}"),
            ),
        }
    }

    fn processor_config(&mut self, config: &Value, path: &str) {
        let Value::Object(object) = config else {
            self.problem(path, format!("must be an object, got {}", kind_of(config)));
            return;
        };
        for (key, v) in object {
            match (key.as_str(), v) {
                ("Mode", Value::String(m)) if m == "INLINE" => {}
                ("Mode", Value::String(m)) if m == "DISTRIBUTED" => self.problem(
                    &join(path, key),
                    "a DISTRIBUTED Map is not supported: kfn runs a Map's items inline (Mode INLINE)",
                ),
                ("Mode", other) => self.problem(&join(path, key), format!("must be INLINE, got {other}")),
                ("ExecutionType", Value::String(_)) => {}
                _ => self.problem(&join(path, key), "unknown field; a ProcessorConfig has Mode (INLINE)"),
            }
        }
    }

    /// Where states lead: every target names a state, every state is reachable from StartAt,
    /// and an end can be reached from every state.
    fn graph(&mut self, states: &Object<String, Value>, start_at: Option<&str>, prefix: &str, states_path: &str) {
        let mut edges: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let mut terminal: BTreeSet<&str> = BTreeSet::new();
        for (name, state) in states {
            let Value::Object(state) = state else {
                continue;
            };
            let path = join(states_path, name);
            let mut targets: Vec<(String, &str)> = Vec::new();
            if let Some(Value::String(next)) = state.get("Next") {
                targets.push((join(&path, "Next"), next));
            }
            if let Some(Value::String(d)) = state.get("Default") {
                targets.push((join(&path, "Default"), d));
            }
            if let Some(Value::Array(choices)) = state.get("Choices") {
                for (i, c) in choices.iter().enumerate() {
                    if let Some(Value::String(n)) = c.get("Next") {
                        targets.push((format!("{path}.Choices[{i}].Next"), n));
                    }
                }
            }
            if let Some(Value::Array(catchers)) = state.get("Catch") {
                for (i, c) in catchers.iter().enumerate() {
                    if let Some(Value::String(n)) = c.get("Next") {
                        targets.push((format!("{path}.Catch[{i}].Next"), n));
                    }
                }
            }
            let kind = state.get("Type").and_then(Value::as_str).unwrap_or("");
            if matches!(kind, "Succeed" | "Fail") || state.get("End") == Some(&Value::Bool(true)) {
                terminal.insert(name);
            }
            let list = edges.entry(name).or_default();
            for (at, target) in targets {
                if states.contains_key(target) {
                    list.push(target);
                } else {
                    self.problem(
                        &at,
                        format!(
                            "no state named {target:?}{}",
                            if prefix.is_empty() {
                                String::new()
                            } else {
                                " in this branch (a branch's states lead only to its own states)".to_string()
                            }
                        ),
                    );
                }
            }
        }
        let Some(start) = start_at else {
            return;
        };
        if !states.contains_key(start) {
            let names: Vec<&str> = states.keys().map(String::as_str).collect();
            self.problem(
                &join(prefix, "StartAt"),
                format!("no state named {start:?}; the states are {}", names.join(", ")),
            );
            return;
        }
        // Reachable from StartAt.
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut queue = VecDeque::from([start]);
        while let Some(s) = queue.pop_front() {
            if seen.insert(s) {
                queue.extend(edges.get(s).into_iter().flatten().copied());
            }
        }
        if terminal.is_empty() {
            self.problem(
                states_path,
                "no state ends the machine: one needs End: true, or is a Succeed or a Fail",
            );
        }
        // Those that can end: terminal ones, and those that lead to one.
        let mut ends: BTreeSet<&str> = terminal.clone();
        loop {
            let before = ends.len();
            for (s, targets) in &edges {
                if targets.iter().any(|t| ends.contains(t)) {
                    ends.insert(s);
                }
            }
            if ends.len() == before {
                break;
            }
        }
        for name in states.keys() {
            let path = join(states_path, name);
            if !seen.contains(name.as_str()) {
                self.problem(
                    &path,
                    format!(
                        "unreachable: StartAt is {start:?} and no Next, Default, Choice or Catch leads to this state"
                    ),
                );
            } else if !terminal.is_empty() && !ends.contains(name.as_str()) {
                self.problem(
                    &path,
                    "no path from this state reaches an end (a state with End: true, a Succeed or a Fail): it loops forever",
                );
            }
        }
    }

    /// One state, at `path` (`States.Charge`).
    fn state(&mut self, value: &Value, path: &str) -> Option<State> {
        let Value::Object(object) = value else {
            self.problem(path, format!("a state is a JSON object, got {}", kind_of(value)));
            return None;
        };
        let f = Fields {
            object,
            path: path.to_string(),
        };
        let kind = match f.get("Type") {
            None => {
                self.problem(&f.at("Type"), format!("is required: {TYPES}"));
                return None;
            }
            Some(Value::String(t)) if !allowed(t).is_empty() => t.clone(),
            Some(other) => {
                self.problem(&f.at("Type"), format!("must be {TYPES}, got {other}"));
                return None;
            }
        };
        let fields = allowed(&kind);
        let mut bad_fields = false;
        for key in object.keys() {
            let k = key.as_str();
            if matches!(k, "Type" | "Comment" | "QueryLanguage") || fields.contains(&k) {
                continue;
            }
            bad_fields = true;
            let why = if let Some(why) = unsupported(k) {
                why.to_string()
            } else if kind == "Choice" && matches!(k, "Next" | "End") {
                "a Choice has neither Next nor End: its Choices and Default say where it goes".to_string()
            } else if matches!(kind.as_str(), "Succeed" | "Fail") && matches!(k, "Next" | "End") {
                format!("a {kind} state ends the machine (or its branch): it has neither Next nor End")
            } else {
                let mut all: Vec<&str> = vec!["Type", "Comment"];
                all.extend(fields);
                format!("not a field of a {kind} state; a {kind} has {}", all.join(", "))
            };
            self.problem(&f.at(k), why);
        }
        self.query_language(&f);
        let comment = self.string(&f, "Comment").unwrap_or_default();
        let before = self.problems.len();

        // Transition.
        let transition = if matches!(kind.as_str(), "Choice" | "Succeed" | "Fail") {
            Transition::End
        } else {
            let next = self.string(&f, "Next");
            let end = match f.get("End") {
                None => false,
                Some(Value::Bool(b)) => *b,
                Some(other) => {
                    self.wrong(&f, "End", "true", other);
                    false
                }
            };
            match (next, end) {
                (Some(_), true) => {
                    self.problem(
                        &f.at("End"),
                        "Next and End together: a state either goes on (Next) or ends (End: true)",
                    );
                    Transition::End
                }
                (Some(n), false) => Transition::Next(n),
                (None, true) => Transition::End,
                (None, false) => {
                    if !f.has("Next") {
                        self.problem(
                            path,
                            format!("a {kind} state needs Next (the state after it) or End: true"),
                        );
                    }
                    Transition::End
                }
            }
        };

        // Input and output processing.
        let fields_has = |k: &str| fields.contains(&k);
        let mut io = Io::default();
        if fields_has("InputPath") {
            io.input_path = self.select(&f, "InputPath");
            io.output_path = self.select(&f, "OutputPath");
        }
        if fields_has("ResultPath") {
            io.result_path = self.result_path(&f, "ResultPath");
        }
        if fields_has("ResultSelector") {
            io.result_selector = self.template(&f, "ResultSelector");
        }
        if fields_has("Parameters") && kind != "Map" {
            io.parameters = self.template(&f, "Parameters");
        }

        let (retry, catch) = if fields_has("Retry") {
            (self.retriers(&f), self.catchers(&f))
        } else {
            (Vec::new(), Vec::new())
        };

        let kind = match kind.as_str() {
            "Task" => self.task(&f, &io).map(Kind::Task),
            "Pass" => Some(Kind::Pass {
                result: f.get("Result").cloned(),
            }),
            "Choice" => self.choice(&f),
            "Wait" => self.wait(&f).map(Kind::Wait),
            "Succeed" => Some(Kind::Succeed),
            "Fail" => Some(Kind::Fail {
                error: self.text(&f, "Error", "ErrorPath"),
                cause: self.text(&f, "Cause", "CausePath"),
            }),
            "Parallel" => self.parallel(&f),
            "Map" => self.map(&f).map(|m| Kind::Map(Box::new(m))),
            _ => None,
        };
        if bad_fields || self.problems.len() > before {
            return None;
        }
        Some(State {
            kind: kind?,
            io,
            transition,
            retry,
            catch,
            comment,
        })
    }

    fn error_equals(&mut self, f: &Fields, last: bool) -> Vec<String> {
        let key = "ErrorEquals";
        let empty = "it needs at least one error name (States.ALL matches all)";
        let Some(items) = self.non_empty_array(f, key, "error names", "", empty) else {
            return Vec::new();
        };
        let mut names = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::String(s) => names.push(s.clone()),
                other => self.problem(
                    &format!("{}[{i}]", f.at(key)),
                    format!("an error name is a string, got {other}"),
                ),
            }
        }
        if names.iter().any(|n| n == ALL) {
            if names.len() > 1 {
                self.problem(&f.at(key), "States.ALL must be alone in its ErrorEquals");
            }
            if !last {
                self.problem(&f.at(key), "States.ALL must be in the last entry (it matches every error, so the entries after it would never be used)");
            }
        }
        names
    }

    fn entries<'v>(&mut self, f: &Fields<'v>, key: &str) -> Vec<(Fields<'v>, bool)> {
        let Some(v) = f.get(key) else {
            return Vec::new();
        };
        let Value::Array(items) = v else {
            self.wrong(f, key, "an array of objects", v);
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("{}[{i}]", f.at(key));
            match item {
                Value::Object(object) => out.push((Fields { object, path }, i + 1 == items.len())),
                other => self.problem(&path, format!("must be an object, got {}", kind_of(other))),
            }
        }
        out
    }

    fn retriers(&mut self, f: &Fields) -> Vec<Retrier> {
        let mut out = Vec::new();
        for (r, last) in self.entries(f, "Retry") {
            for key in r.object.keys() {
                if !matches!(
                    key.as_str(),
                    "ErrorEquals"
                        | "IntervalSeconds"
                        | "MaxAttempts"
                        | "BackoffRate"
                        | "MaxDelaySeconds"
                        | "JitterStrategy"
                        | "Comment"
                ) {
                    self.problem(&r.at(key), "unknown field; a Retrier has ErrorEquals, IntervalSeconds, MaxAttempts, BackoffRate, MaxDelaySeconds, JitterStrategy");
                }
            }
            let error_equals = self.error_equals(&r, last);
            let interval_seconds = self.integer(&r, "IntervalSeconds", 1).unwrap_or(1) as f64;
            let max_attempts = self.integer(&r, "MaxAttempts", 0).unwrap_or(3);
            let max_attempts = u32::try_from(max_attempts).unwrap_or(u32::MAX);
            let backoff_rate = match self.number(&r, "BackoffRate") {
                Some(b) if b < 1.0 => {
                    self.problem(&r.at("BackoffRate"), format!("must be at least 1.0, got {b}"));
                    2.0
                }
                Some(b) => b,
                None => 2.0,
            };
            let max_delay_seconds = self.integer(&r, "MaxDelaySeconds", 1).map(|n| n as f64);
            let jitter = match r.get("JitterStrategy") {
                None => Jitter::None,
                Some(Value::String(s)) if s == "FULL" => Jitter::Full,
                Some(Value::String(s)) if s == "NONE" => Jitter::None,
                Some(other) => {
                    self.problem(&r.at("JitterStrategy"), format!("must be FULL or NONE, got {other}"));
                    Jitter::None
                }
            };
            out.push(Retrier {
                error_equals,
                interval_seconds,
                max_attempts,
                backoff_rate,
                max_delay_seconds,
                jitter,
            });
        }
        out
    }

    fn catchers(&mut self, f: &Fields) -> Vec<Catcher> {
        let mut out = Vec::new();
        for (c, last) in self.entries(f, "Catch") {
            for key in c.object.keys() {
                if !matches!(key.as_str(), "ErrorEquals" | "Next" | "ResultPath" | "Comment") {
                    let why = unsupported(key).unwrap_or("unknown field; a Catcher has ErrorEquals, Next, ResultPath");
                    self.problem(&c.at(key), why);
                }
            }
            let error_equals = self.error_equals(&c, last);
            let next = self
                .required_string(&c, "Next", "the state to go to when it catches an error")
                .unwrap_or_default();
            let result_path = self.result_path(&c, "ResultPath");
            out.push(Catcher {
                error_equals,
                next,
                result_path,
            });
        }
        out
    }

    fn seconds(&mut self, f: &Fields, key: &str, path_key: &str, min: u64) -> Option<Seconds> {
        match (f.has(key), f.has(path_key)) {
            (true, true) => {
                self.problem(&f.at(path_key), format!("{key} and {path_key} together: give one"));
                None
            }
            (true, false) => self.duration(f, key, min).map(Seconds::Fixed),
            (false, true) => self.reference(f, path_key).map(Seconds::Path),
            (false, false) => None,
        }
    }

    fn text(&mut self, f: &Fields, key: &str, path_key: &str) -> Option<Text> {
        match (f.has(key), f.has(path_key)) {
            (true, true) => {
                self.problem(&f.at(path_key), format!("{key} and {path_key} together: give one"));
                None
            }
            (true, false) => self.string(f, key).map(Text::Fixed),
            (false, true) => {
                let text = self.string(f, path_key)?;
                if !super::intrinsic::Call::is_call(&text) {
                    return self.reference(f, path_key).map(Text::Path);
                }
                match super::intrinsic::Call::parse(&text) {
                    Ok(call) if STRING_CALLS.contains(&call.name()) => Some(Text::Call(call)),
                    Ok(call) => {
                        let name = call.name().to_string();
                        self.problem(
                            &f.at(path_key),
                            format!(
                                "{name} does not give a string; {path_key} takes a reference path or one of {}",
                                STRING_CALLS.join(", ")
                            ),
                        );
                        None
                    }
                    Err(why) => {
                        self.problem(&f.at(path_key), why);
                        None
                    }
                }
            }
            (false, false) => None,
        }
    }

    fn task(&mut self, f: &Fields, io: &Io) -> Option<Task> {
        let text = self.required_string(f, "Resource", RESOURCES);
        let resource = text.and_then(|t| match resource(&t) {
            Ok(r) => Some(r),
            Err(why) => {
                self.problem(&f.at("Resource"), why);
                None
            }
        });
        if resource == Some(Resource::LambdaInvoke) {
            let names_function = io.parameters.as_ref().is_some_and(|t| {
                t.source()
                    .as_object()
                    .is_some_and(|o| o.contains_key("FunctionName") || o.contains_key("FunctionName.$"))
            });
            let literal = io
                .parameters
                .as_ref()
                .and_then(|t| t.source().get("FunctionName"))
                .and_then(Value::as_str);
            if let Some(name) = literal
                && let Err(why) = Resource::function(name)
            {
                self.problem(&join(&f.at("Parameters"), "FunctionName"), why);
            }
            if !names_function {
                self.problem(
                    &f.at("Parameters"),
                    "arn:aws:states:::lambda:invoke needs Parameters with FunctionName (the function) and, usually, Payload (its input)",
                );
            }
        }
        let timeout = self.seconds(f, "TimeoutSeconds", "TimeoutSecondsPath", 1);
        let heartbeat = self.seconds(f, "HeartbeatSeconds", "HeartbeatSecondsPath", 1);
        if let (Some(Seconds::Fixed(t)), Some(Seconds::Fixed(h))) = (&timeout, &heartbeat)
            && h >= t
        {
            self.problem(
                &f.at("HeartbeatSeconds"),
                format!("must be less than TimeoutSeconds ({t}), got {h}"),
            );
        }
        Some(Task {
            resource: resource?,
            timeout,
            heartbeat,
        })
    }

    fn wait(&mut self, f: &Fields) -> Option<Wait> {
        let given: Vec<&str> = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"]
            .into_iter()
            .filter(|k| f.has(k))
            .collect();
        if given.len() != 1 {
            self.problem(
                &f.path,
                if given.is_empty() {
                    "a Wait needs one of Seconds, Timestamp, SecondsPath or TimestampPath".to_string()
                } else {
                    format!(
                        "a Wait takes exactly one of Seconds, Timestamp, SecondsPath and TimestampPath, got {}",
                        given.join(", ")
                    )
                },
            );
            return None;
        }
        match given[0] {
            "Seconds" => self.duration(f, "Seconds", 0).map(Wait::Seconds),
            "Timestamp" => {
                let t = self.string(f, "Timestamp")?;
                if timestamp::parse(&t).is_none() {
                    self.problem(
                        &f.at("Timestamp"),
                        format!("must be an RFC 3339 timestamp with an uppercase T and Z or an offset (2026-01-31T12:00:00Z), got {t:?}"),
                    );
                    return None;
                }
                Some(Wait::Timestamp(t))
            }
            "SecondsPath" => self.reference(f, "SecondsPath").map(Wait::SecondsPath),
            _ => self.reference(f, "TimestampPath").map(Wait::TimestampPath),
        }
    }

    fn choice(&mut self, f: &Fields) -> Option<Kind> {
        let default = self.string(f, "Default");
        let rules = self.non_empty_array(f, "Choices", "Choice rules", "", "a Choice needs at least one rule")?;
        let mut choices = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            let path = format!("{}[{i}]", f.at("Choices"));
            let Value::Object(object) = rule else {
                self.problem(&path, format!("a Choice rule is an object, got {}", kind_of(rule)));
                continue;
            };
            let r = Fields { object, path };
            let next = self.required_string(&r, "Next", "the state this rule leads to");
            let condition = self.condition(&r, true);
            if let (Some(next), Some(condition)) = (next, condition) {
                choices.push(ChoiceRule { condition, next });
            }
        }
        Some(Kind::Choice { choices, default })
    }

    /// A Choice rule's condition (`top`: it has `Next`; nested ones must not).
    fn condition(&mut self, r: &Fields, top: bool) -> Option<Condition> {
        let mut operators = Vec::new();
        for key in r.object.keys() {
            let k = key.as_str();
            match k {
                "Next" if top => {}
                "Next" => self.problem(
                    &r.at(k),
                    "a rule inside And, Or or Not has no Next: only the top-level rule says where to go",
                ),
                "Comment" | "Variable" => {}
                "And" | "Or" | "Not" => operators.push(k),
                _ if operator(k).is_some() => operators.push(k),
                _ => {
                    let why = unsupported(k).map(str::to_string).unwrap_or_else(|| {
                        "unknown field; a Choice rule has Variable and one comparison (StringEquals, NumericLessThan, IsPresent, …, or a …Path form), or And, Or or Not".to_string()
                    });
                    self.problem(&r.at(k), why);
                }
            }
        }
        if operators.len() != 1 {
            self.problem(
                &r.path,
                if operators.is_empty() {
                    "a Choice rule needs a comparison (StringEquals, NumericLessThan, IsPresent, …) with a Variable, or And, Or or Not".to_string()
                } else {
                    format!("a Choice rule has one comparison or one of And, Or, Not; got {}", operators.join(", "))
                },
            );
            return None;
        }
        let op = operators[0];
        let value = r.get(op)?;
        match op {
            "And" | "Or" => {
                if r.has("Variable") {
                    self.problem(
                        &r.at("Variable"),
                        format!("a rule with {op} has no Variable: its rules have theirs"),
                    );
                }
                let Value::Array(items) = value else {
                    self.wrong(r, op, "a non-empty array of Choice rules", value);
                    return None;
                };
                if items.is_empty() {
                    self.problem(&r.at(op), "is empty: it needs at least one rule");
                    return None;
                }
                let mut all = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let path = format!("{}[{i}]", r.at(op));
                    let Value::Object(object) = item else {
                        self.problem(&path, format!("a Choice rule is an object, got {}", kind_of(item)));
                        continue;
                    };
                    if let Some(c) = self.condition(&Fields { object, path }, false) {
                        all.push(c);
                    }
                }
                if all.len() != items.len() {
                    return None;
                }
                Some(if op == "And" {
                    Condition::And(all)
                } else {
                    Condition::Or(all)
                })
            }
            "Not" => {
                if r.has("Variable") {
                    self.problem(&r.at("Variable"), "a rule with Not has no Variable: its rule has one");
                }
                let Value::Object(object) = value else {
                    self.wrong(r, op, "a Choice rule (an object)", value);
                    return None;
                };
                let inner = self.condition(&Fields { object, path: r.at(op) }, false)?;
                Some(Condition::Not(Box::new(inner)))
            }
            _ => {
                let (operator, by_path) = operator(op)?;
                if !r.has("Variable") {
                    self.problem(
                        &r.at("Variable"),
                        format!("is required with {op}: the path of the value to compare"),
                    );
                    return None;
                }
                let variable = self.path(r, "Variable");
                let operand = if by_path {
                    self.path(r, op).map(Operand::Path)
                } else {
                    self.literal(r, op, operator).map(Operand::Literal)
                };
                Some(Condition::Compare {
                    variable: variable?,
                    operator,
                    operand: operand?,
                })
            }
        }
    }

    fn literal(&mut self, r: &Fields, key: &str, operator: Operator) -> Option<Value> {
        use Operator::*;
        let v = r.get(key)?;
        let ok = match operator {
            StringEquals
            | StringLessThan
            | StringGreaterThan
            | StringLessThanEquals
            | StringGreaterThanEquals
            | StringMatches => v.is_string(),
            NumericEquals | NumericLessThan | NumericGreaterThan | NumericLessThanEquals | NumericGreaterThanEquals => {
                v.is_number()
            }
            TimestampEquals
            | TimestampLessThan
            | TimestampGreaterThan
            | TimestampLessThanEquals
            | TimestampGreaterThanEquals => {
                if let Value::String(t) = v
                    && timestamp::parse(t).is_none()
                {
                    self.problem(
                        &r.at(key),
                        format!("must be an RFC 3339 timestamp (2026-01-31T12:00:00Z), got {t:?}"),
                    );
                    return None;
                }
                v.is_string()
            }
            BooleanEquals | IsNull | IsPresent | IsNumeric | IsString | IsBoolean | IsTimestamp => v.is_boolean(),
        };
        if !ok {
            let want = match operator {
                StringEquals
                | StringLessThan
                | StringGreaterThan
                | StringLessThanEquals
                | StringGreaterThanEquals
                | StringMatches => "a string",
                NumericEquals
                | NumericLessThan
                | NumericGreaterThan
                | NumericLessThanEquals
                | NumericGreaterThanEquals => "a number",
                TimestampEquals
                | TimestampLessThan
                | TimestampGreaterThan
                | TimestampLessThanEquals
                | TimestampGreaterThanEquals => "a timestamp string",
                _ => "a boolean",
            };
            self.wrong(r, key, want, v);
            return None;
        }
        Some(v.clone())
    }

    fn parallel(&mut self, f: &Fields) -> Option<Kind> {
        let empty = "a Parallel needs at least one branch";
        let items = self.non_empty_array(f, "Branches", "definitions", " (StartAt and States)", empty)?;
        let mut branches = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("{}[{i}]", f.at("Branches"));
            if let Some(d) = self.machine(item, &path, Scope::Branch) {
                branches.push(d);
            }
        }
        (branches.len() == items.len()).then_some(Kind::Parallel { branches })
    }

    fn map(&mut self, f: &Fields) -> Option<Map> {
        let processor = match (f.get("ItemProcessor"), f.get("Iterator")) {
            (Some(_), Some(_)) => {
                self.problem(
                    &f.at("Iterator"),
                    "ItemProcessor and Iterator together: give one (Iterator is the older name)",
                );
                None
            }
            (Some(p), None) => self.machine(p, &f.at("ItemProcessor"), Scope::Processor),
            (None, Some(p)) => self.machine(p, &f.at("Iterator"), Scope::Processor),
            (None, None) => {
                self.problem(
                    &f.at("ItemProcessor"),
                    "is required: the definition (StartAt and States) run for each item",
                );
                None
            }
        };
        let item_selector = match (f.has("ItemSelector"), f.has("Parameters")) {
            (true, true) => {
                self.problem(
                    &f.at("Parameters"),
                    "ItemSelector and Parameters together: give one (Parameters is the older name)",
                );
                None
            }
            (true, false) => self.template(f, "ItemSelector"),
            (false, true) => self.template(f, "Parameters"),
            (false, false) => None,
        };
        let items_path = match f.get("ItemsPath") {
            None => Select::All,
            Some(_) => self.reference(f, "ItemsPath").map(Select::Path).unwrap_or_default(),
        };
        let max_concurrency = self.seconds(f, "MaxConcurrency", "MaxConcurrencyPath", 0);
        let exclusive = |s: &mut Self, a: &str, b: &str| {
            if f.has(a) && f.has(b) {
                s.problem(&f.at(b), format!("{a} and {b} together: give one"));
            }
        };
        exclusive(self, "ToleratedFailurePercentage", "ToleratedFailurePercentagePath");
        exclusive(self, "ToleratedFailureCount", "ToleratedFailureCountPath");
        let tolerated_failure_percentage = match self.number(f, "ToleratedFailurePercentage") {
            Some(p) if !(0.0..=100.0).contains(&p) => {
                self.problem(
                    &f.at("ToleratedFailurePercentage"),
                    format!("must be between 0 and 100, got {p}"),
                );
                None
            }
            p => p,
        };
        let tolerated_failure_percentage_path = f
            .has("ToleratedFailurePercentagePath")
            .then(|| self.reference(f, "ToleratedFailurePercentagePath"))
            .flatten();
        let tolerated_failure_count = self.integer(f, "ToleratedFailureCount", 0);
        let tolerated_failure_count_path = f
            .has("ToleratedFailureCountPath")
            .then(|| self.reference(f, "ToleratedFailureCountPath"))
            .flatten();
        if f.has("Label") {
            self.string(f, "Label");
        }
        Some(Map {
            processor: processor?,
            items_path,
            item_selector,
            max_concurrency,
            tolerated_failure_percentage,
            tolerated_failure_percentage_path,
            tolerated_failure_count,
            tolerated_failure_count_path,
        })
    }
}

/// A comparison operator's name: the operator and whether it is a `…Path` form.
fn operator(name: &str) -> Option<(Operator, bool)> {
    use Operator::*;
    let (base, by_path) = match name.strip_suffix("Path") {
        Some(base) if !base.starts_with("Is") => (base, true),
        _ => (name, false),
    };
    let op = match base {
        "StringEquals" => StringEquals,
        "StringLessThan" => StringLessThan,
        "StringGreaterThan" => StringGreaterThan,
        "StringLessThanEquals" => StringLessThanEquals,
        "StringGreaterThanEquals" => StringGreaterThanEquals,
        "StringMatches" if !by_path => StringMatches,
        "NumericEquals" => NumericEquals,
        "NumericLessThan" => NumericLessThan,
        "NumericGreaterThan" => NumericGreaterThan,
        "NumericLessThanEquals" => NumericLessThanEquals,
        "NumericGreaterThanEquals" => NumericGreaterThanEquals,
        "BooleanEquals" => BooleanEquals,
        "TimestampEquals" => TimestampEquals,
        "TimestampLessThan" => TimestampLessThan,
        "TimestampGreaterThan" => TimestampGreaterThan,
        "TimestampLessThanEquals" => TimestampLessThanEquals,
        "TimestampGreaterThanEquals" => TimestampGreaterThanEquals,
        "IsNull" => IsNull,
        "IsPresent" => IsPresent,
        "IsNumeric" => IsNumeric,
        "IsString" => IsString,
        "IsBoolean" => IsBoolean,
        "IsTimestamp" => IsTimestamp,
        _ => return None,
    };
    Some((op, by_path))
}

/// A Kubernetes name (DNS-1123 label).
fn dns_label(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// What a `lambda:invoke`'s `FunctionName` names (see [`Resource::function`]).
pub(super) fn function_name(text: &str) -> Result<Resource, String> {
    let why = || {
        format!(
            "{text:?} is not a function kfn can call; accepted: NAME[:QUALIFIER], NAMESPACE/NAME[:QUALIFIER], \
             ACCOUNT:function:NAME[:QUALIFIER] or arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]"
        )
    };
    if text.starts_with("arn:") {
        return match resource(text) {
            Ok(Resource::Function { namespace, name }) => Ok(Resource::Function { namespace, name }),
            _ => Err(why()),
        };
    }
    let parts: Vec<&str> = text.split(':').collect();
    let named = match parts[..] {
        [name] | [name, _] => name,
        [account, "function", name] | [account, "function", name, _]
            if !account.is_empty() && account.bytes().all(|b| b.is_ascii_digit()) =>
        {
            name
        }
        _ => return Err(why()),
    };
    if parts.iter().any(|p| p.is_empty()) {
        return Err(why());
    }
    match resource(named) {
        Ok(Resource::Function { namespace, name }) => Ok(Resource::Function { namespace, name }),
        _ => Err(why()),
    }
}

/// What a Task's `Resource` names.
pub(super) fn resource(text: &str) -> Result<Resource, String> {
    if let Some(rest) = text.strip_prefix("arn:") {
        let parts: Vec<&str> = rest.split(':').collect();
        // partition:service:region:account:resource...
        if parts.len() >= 5 && matches!(parts[0], "aws" | "aws-cn" | "aws-us-gov") {
            if parts[1] == "states" && parts[2].is_empty() && parts[3].is_empty() && parts[4..] == ["lambda", "invoke"]
            {
                return Ok(Resource::LambdaInvoke);
            }
            if parts[1] == "lambda"
                && parts[4] == "function"
                && (parts.len() == 6 || parts.len() == 7)
                && !parts[5].is_empty()
            {
                return Ok(Resource::Function {
                    namespace: None,
                    name: parts[5].to_string(),
                });
            }
        }
        return Err(format!(
            "{text:?} is not a function kfn can call; accepted: {RESOURCES}"
        ));
    }
    let (namespace, name) = match text.split_once('/') {
        Some((ns, name)) => (Some(ns), name),
        None => (None, text),
    };
    if namespace.is_some_and(|ns| !dns_label(ns)) || !dns_label(name) {
        return Err(format!(
            "{text:?} is not a function kfn can call (names are lowercase letters, digits and '-'); accepted: {RESOURCES}"
        ));
    }
    Ok(Resource::Function {
        namespace: namespace.map(str::to_string),
        name: name.to_string(),
    })
}
