//! JSONPath as the Amazon States Language uses it: [`Path`] selects from a document (any
//! JSONPath: a path that may match several nodes gives an array), [`ReferencePath`] names one
//! node only (`$.a.b[0]`, no wildcards or filters) and can also be written (ResultPath).
//!
//! Selection is RFC 9535 JSONPath (the `serde_json_path` crate). Definitions written for AWS
//! use Jayway's dialect, whose dot names may hold characters RFC 9535 only allows in brackets
//! (`$.order-id`, `$.2nd`): such names are read as if written `$['order-id']`.

use serde_json::Value;
use serde_json_path::JsonPath;

use super::errors::{FlowError, RESULT_PATH_MATCH_FAILURE};

/// A JSONPath (`$…`), or a context-object path (`$$…`, read from the context object).
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    text: String,
    query: JsonPath,
    /// Names one node at most (no wildcards, filters, slices, unions or `..`).
    definite: bool,
}

impl Path {
    /// Parses a path; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<Path, String> {
        if !text.starts_with('$') {
            return Err(format!(
                "a path starts with `$` (or `$$` for the context object), got {text:?}"
            ));
        }
        let rooted = text
            .strip_prefix('$')
            .filter(|_| text.starts_with("$$"))
            .unwrap_or(text);
        let normal = normalize(rooted);
        let query =
            JsonPath::parse(&normal).map_err(|e| format!("{text:?} is not a valid JSONPath: {}", e.message()))?;
        // A negative index (`$.items[-1]`, the last) selects one node too.
        let definite = segments(&rooted.replace("[-", "[")).is_ok();
        Ok(Path {
            text: text.to_string(),
            query,
            definite,
        })
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether it reads the context object (`$$…`).
    pub fn is_context(&self) -> bool {
        self.text.starts_with("$$")
    }

    /// Whether it names one node at most (then [`select`](Self::select) gives the node itself,
    /// not an array).
    pub fn is_definite(&self) -> bool {
        self.definite
    }

    /// What it selects from `input` (or `context`, for a `$$` path): the one node a definite
    /// path names, an array of the nodes an indefinite one matches; a definite path that
    /// matches nothing is `States.Runtime` naming the path.
    pub fn select(&self, input: &Value, context: &Value) -> Result<Value, FlowError> {
        let document = if self.is_context() { context } else { input };
        let nodes = self.query.query(document);
        if self.definite {
            match nodes.first() {
                Some(node) => Ok(node.clone()),
                None => Err(FlowError::runtime(format!(
                    "the JSONPath {} could not be found in the {}",
                    self.text,
                    if self.is_context() { "context object" } else { "input" }
                ))),
            }
        } else {
            Ok(Value::Array(nodes.all().into_iter().cloned().collect()))
        }
    }

    /// What it selects, or `None` when it matches nothing (`IsPresent`).
    pub fn find(&self, input: &Value, context: &Value) -> Option<Value> {
        let document = if self.is_context() { context } else { input };
        let nodes = self.query.query(document);
        if nodes.is_empty() {
            None
        } else if self.definite {
            nodes.first().cloned()
        } else {
            Some(Value::Array(nodes.all().into_iter().cloned().collect()))
        }
    }
}

/// One step of a reference path.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// A path that names one node: `$`, `$.field`, `$['field']`, `$.list[2]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReferencePath {
    text: String,
    steps: Vec<Step>,
}

impl ReferencePath {
    pub fn parse(text: &str) -> Result<ReferencePath, String> {
        if text.starts_with("$$") {
            return Err(format!(
                "a reference path names a node of the input (`$…`), not of the context object, got {text:?}"
            ));
        }
        let steps = segments(text).map_err(|why| {
            format!(
                "{text:?} is not a reference path ({why}): a reference path names one node, \
                 as `$`, `$.field`, `$['field']` or `$.list[2]`, without wildcards, filters, \
                 slices or `..`"
            )
        })?;
        Ok(ReferencePath {
            text: text.to_string(),
            steps,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `document` with `value` put where the path names (objects made on the way, as the
    /// language says); `States.ResultPathMatchFailure` when a node on the way is not an object.
    pub fn set(&self, document: Value, value: Value) -> Result<Value, FlowError> {
        let mut document = document;
        let mut node = &mut document;
        let mut walked = String::from("$");
        for step in &self.steps {
            match step {
                Step::Key(key) => {
                    let Value::Object(object) = node else {
                        return Err(FlowError::new(
                            RESULT_PATH_MATCH_FAILURE,
                            format!(
                                "unable to apply ResultPath {}: {walked} is {}, not an object",
                                self.text,
                                kind_of(node)
                            ),
                        ));
                    };
                    node = object
                        .entry(key.clone())
                        .or_insert_with(|| Value::Object(Default::default()));
                    walked.push_str(&format!("['{key}']"));
                }
                Step::Index(index) => {
                    let found = match node {
                        Value::Array(items) if *index < items.len() => Some(&mut items[*index]),
                        _ => None,
                    };
                    let Some(found) = found else {
                        return Err(FlowError::new(
                            RESULT_PATH_MATCH_FAILURE,
                            format!("unable to apply ResultPath {}: {walked} has no item {index}", self.text),
                        ));
                    };
                    node = found;
                    walked.push_str(&format!("[{index}]"));
                }
            }
        }
        *node = value;
        Ok(document)
    }
}

/// What kind of JSON value it is, for messages (`a string`, `an array`, …).
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads a definite path (`$`, `.name`, `['name']`, `["name"]`, `[N]` steps) into its steps.
fn segments(text: &str) -> Result<Vec<Step>, String> {
    let Some(rest) = text.strip_prefix('$') else {
        return Err("it does not start with `$`".into());
    };
    let chars: Vec<char> = rest.chars().collect();
    let mut steps = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '.' => {
                i += 1;
                let start = i;
                while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                    i += 1;
                }
                let name: String = chars[start..i].iter().collect();
                if name.is_empty() {
                    return Err(if chars.get(start) == Some(&'.') {
                        "`..` selects descendants".into()
                    } else {
                        "a `.` with no name after it".into()
                    });
                }
                if name == "*" || name.contains(['*', '?', '(', ')', ']', '\'', '"', ' ']) {
                    return Err(format!("`.{name}` is not a field name"));
                }
                steps.push(Step::Key(name));
            }
            '[' => {
                i += 1;
                match chars.get(i) {
                    Some(&quote @ ('\'' | '"')) => {
                        i += 1;
                        let mut name = String::new();
                        loop {
                            match chars.get(i) {
                                None => return Err("an unclosed quote".into()),
                                Some('\\') => {
                                    let Some(c) = chars.get(i + 1) else {
                                        return Err("an unclosed quote".into());
                                    };
                                    name.push(*c);
                                    i += 2;
                                }
                                Some(c) if *c == quote => {
                                    i += 1;
                                    break;
                                }
                                Some(c) => {
                                    name.push(*c);
                                    i += 1;
                                }
                            }
                        }
                        if chars.get(i) != Some(&']') {
                            return Err("a quoted name not followed by `]`".into());
                        }
                        i += 1;
                        steps.push(Step::Key(name));
                    }
                    _ => {
                        let start = i;
                        while i < chars.len() && chars[i].is_ascii_digit() {
                            i += 1;
                        }
                        let digits: String = chars[start..i].iter().collect();
                        if digits.is_empty() || chars.get(i) != Some(&']') {
                            let until: String = chars[start..].iter().take_while(|c| **c != ']').collect();
                            return Err(format!("`[{until}]` is not a field name or an index"));
                        }
                        i += 1;
                        let index = digits
                            .parse::<usize>()
                            .map_err(|_| format!("index {digits} is too large"))?;
                        steps.push(Step::Index(index));
                    }
                }
            }
            c => return Err(format!("unexpected {c:?}")),
        }
    }
    Ok(steps)
}

/// Rewrites dot names that RFC 9535 does not allow after a `.` (Jayway does: `$.order-id`)
/// into bracket notation (not names with whitespace, which neither allows); everything inside
/// brackets is kept as written.
fn normalize(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' && i + 1 < chars.len() {
                out.push(chars[i + 1]);
                i += 2;
                continue;
            }
            if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match c {
            '\'' | '"' if depth > 0 => {
                quote = Some(c);
                out.push(c);
                i += 1;
            }
            '[' => {
                depth += 1;
                out.push(c);
                i += 1;
            }
            ']' => {
                depth = depth.saturating_sub(1);
                out.push(c);
                i += 1;
            }
            '.' if depth == 0 => {
                let descend = chars.get(i + 1) == Some(&'.');
                let start = if descend { i + 2 } else { i + 1 };
                let mut end = start;
                while end < chars.len() && !matches!(chars[end], '.' | '[') {
                    end += 1;
                }
                let name: String = chars[start..end].iter().collect();
                if name.is_empty() || name == "*" || rfc_name(&name) || name.contains(char::is_whitespace) {
                    out.extend(&chars[i..end]);
                } else {
                    out.push_str(if descend { "..[" } else { "[" });
                    out.push('\'');
                    for ch in name.chars() {
                        if ch == '\'' || ch == '\\' {
                            out.push('\\');
                        }
                        out.push(ch);
                    }
                    out.push_str("']");
                }
                i = end;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// An RFC 9535 member-name shorthand.
fn rfc_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = |c: char| c.is_ascii_alphabetic() || c == '_' || !c.is_ascii();
    match chars.next() {
        Some(c) if first_ok(c) => chars.all(|c| first_ok(c) || c.is_ascii_digit()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_negative_index_selects_one_node() {
        let input = json!({"items": [1, 2, 3]});
        let last = Path::parse("$.items[-1]").unwrap();
        assert!(last.is_definite());
        assert_eq!(last.select(&input, &json!({})).unwrap(), json!(3));
        assert!(!Path::parse("$.items[-2:]").unwrap().is_definite());
    }

    #[test]
    fn definite_paths_select_the_node_and_indefinite_ones_an_array() {
        let input = json!({"a": {"b": [1, 2, 3]}, "order-id": 7, "items": [{"p": 1}, {"p": 5}]});
        let ctx = json!({"Execution": {"Id": "x1"}});
        let p = |t: &str| Path::parse(t).unwrap();
        assert_eq!(p("$").select(&input, &ctx).unwrap(), input);
        assert_eq!(p("$.a.b[1]").select(&input, &ctx).unwrap(), json!(2));
        assert_eq!(p("$['a']['b'][2]").select(&input, &ctx).unwrap(), json!(3));
        assert_eq!(p("$.order-id").select(&input, &ctx).unwrap(), json!(7));
        assert_eq!(p("$.a.b[*]").select(&input, &ctx).unwrap(), json!([1, 2, 3]));
        assert_eq!(p("$..p").select(&input, &ctx).unwrap(), json!([1, 5]));
        assert_eq!(
            p("$.items[?(@.p > 2)]").select(&input, &ctx).unwrap(),
            json!([{"p": 5}])
        );
        assert_eq!(p("$$.Execution.Id").select(&input, &ctx).unwrap(), json!("x1"));
        assert_eq!(p("$$").select(&input, &ctx).unwrap(), ctx);
        let missing = p("$.nope").select(&input, &ctx).unwrap_err();
        assert_eq!(missing.error, "States.Runtime");
        assert!(missing.cause.contains("$.nope"), "{missing}");
        assert_eq!(p("$.nope").find(&input, &ctx), None);
        assert_eq!(p("$.a.b[0]").find(&input, &ctx), Some(json!(1)));
    }

    #[test]
    fn bad_paths_are_refused_saying_why() {
        assert!(Path::parse("a.b").unwrap_err().contains("starts with `$`"));
        assert!(Path::parse("$.a[").is_err());
        assert!(Path::parse("$.a[?(@.x ==)]").is_err());
        assert!(ReferencePath::parse("$.a[*]").unwrap_err().contains("reference path"));
        assert!(ReferencePath::parse("$..a").is_err());
        assert!(ReferencePath::parse("$.a[?(@.b)]").is_err());
        assert!(ReferencePath::parse("$$.Execution").is_err());
        assert!(ReferencePath::parse("x").is_err());
    }

    #[test]
    fn a_reference_path_writes_making_objects_on_the_way() {
        let r = |t: &str| ReferencePath::parse(t).unwrap();
        assert_eq!(r("$").set(json!({"a": 1}), json!(5)).unwrap(), json!(5));
        assert_eq!(
            r("$.x.y").set(json!({"a": 1}), json!(5)).unwrap(),
            json!({"a": 1, "x": {"y": 5}})
        );
        assert_eq!(
            r("$.l[1]").set(json!({"l": [0, 0]}), json!(5)).unwrap(),
            json!({"l": [0, 5]})
        );
        assert_eq!(r("$['a b']").set(json!({}), json!(true)).unwrap(), json!({"a b": true}));
        let e = r("$.a.b").set(json!({"a": 3}), json!(1)).unwrap_err();
        assert_eq!(e.error, "States.ResultPathMatchFailure");
        let e = r("$.x").set(json!("text"), json!(1)).unwrap_err();
        assert_eq!(e.error, "States.ResultPathMatchFailure");
    }
}
