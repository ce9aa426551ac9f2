//! Input and output processing: a state's effective input (InputPath, then Parameters), its
//! output from its result (ResultSelector, ResultPath, OutputPath), and payload templates
//! (fields ending in `.$` take a path's value or an intrinsic function's result).

use serde_json::{Map, Value};

use super::definition::{Io, ResultPath, Select};
use super::errors::{FlowError, INTRINSIC_FAILURE, PARAMETER_PATH_FAILURE};
use super::intrinsic::Call;
use super::path::Path;

/// A payload template (`Parameters`, `ResultSelector`, `ItemSelector`): JSON whose `KEY.$`
/// fields are paths or intrinsic function calls, compiled once.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    source: Value,
    node: Node,
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Literal(Value),
    Object(Vec<(String, Node)>),
    Array(Vec<Node>),
    /// A `KEY.$` field's value: the field it names (for messages) and what gives it.
    Path(String, Path),
    Call(String, Call),
}

impl Template {
    /// Compiles a template; the error names the field (`Parameters.a.b.$`) and what is wrong.
    pub fn parse(source: &Value) -> Result<Template, (String, String)> {
        let node = compile(source, "")?;
        Ok(Template {
            source: source.clone(),
            node,
        })
    }

    /// The template as written.
    pub fn source(&self) -> &Value {
        &self.source
    }

    /// The template filled in from `input` and the context object.
    pub fn render(&self, input: &Value, context: &Value) -> Result<Value, FlowError> {
        render(&self.node, input, context)
    }
}

/// Compiles one value; `at` is its field path inside the template (`a.b`, `list[2]`).
fn compile(value: &Value, at: &str) -> Result<Node, (String, String)> {
    let join = |key: &str| {
        if at.is_empty() {
            key.to_string()
        } else {
            format!("{at}.{key}")
        }
    };
    Ok(match value {
        Value::Object(fields) => {
            if !fields.keys().any(|k| k.ends_with(".$")) && !has_dynamic(value) {
                return Ok(Node::Literal(value.clone()));
            }
            let mut out = Vec::with_capacity(fields.len());
            for (key, v) in fields {
                if let Some(name) = key.strip_suffix(".$") {
                    let field = join(key);
                    if fields.contains_key(name) {
                        return Err((
                            field,
                            format!("both {name:?} and {key:?} are given: a field is either a value or a path"),
                        ));
                    }
                    let Value::String(text) = v else {
                        return Err((
                            field,
                            format!(
                                "a field ending in `.$` takes a path or an intrinsic function call (a string), got {v}"
                            ),
                        ));
                    };
                    let node = if Call::is_call(text) {
                        Node::Call(field.clone(), Call::parse(text).map_err(|e| (field.clone(), e))?)
                    } else {
                        Node::Path(field.clone(), Path::parse(text).map_err(|e| (field.clone(), e))?)
                    };
                    out.push((name.to_string(), node));
                } else {
                    out.push((key.clone(), compile(v, &join(key))?));
                }
            }
            Node::Object(out)
        }
        Value::Array(items) if has_dynamic(value) => Node::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| compile(v, &format!("{at}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        other => Node::Literal(other.clone()),
    })
}

/// Whether a `.$` field is anywhere inside.
fn has_dynamic(value: &Value) -> bool {
    match value {
        Value::Object(fields) => fields.iter().any(|(k, v)| k.ends_with(".$") || has_dynamic(v)),
        Value::Array(items) => items.iter().any(has_dynamic),
        _ => false,
    }
}

fn render(node: &Node, input: &Value, context: &Value) -> Result<Value, FlowError> {
    Ok(match node {
        Node::Literal(v) => v.clone(),
        Node::Object(fields) => {
            let mut out = Map::with_capacity(fields.len());
            for (key, n) in fields {
                out.insert(key.clone(), render(n, input, context)?);
            }
            Value::Object(out)
        }
        Node::Array(items) => Value::Array(
            items
                .iter()
                .map(|n| render(n, input, context))
                .collect::<Result<_, _>>()?,
        ),
        Node::Path(field, path) => path.select(input, context).map_err(|_| {
            FlowError::new(
                PARAMETER_PATH_FAILURE,
                format!(
                    "the JSONPath {} specified for the field {field:?} could not be found in the {}",
                    path.as_str(),
                    if path.is_context() { "context object" } else { "input" }
                ),
            )
        })?,
        Node::Call(field, call) => call
            .eval(input, context)
            .map_err(|e| FlowError::new(INTRINSIC_FAILURE, format!("the field {field:?}: {}", e.cause)))?,
    })
}

/// What `InputPath`/`OutputPath` keep of `value`.
pub fn select(select: &Select, value: &Value, context: &Value) -> Result<Value, FlowError> {
    match select {
        Select::All => Ok(value.clone()),
        Select::Nothing => Ok(Value::Object(Map::new())),
        Select::Path(path) => path.select(value, context),
    }
}

/// The state's effective input: InputPath applied to its raw input, then Parameters.
pub fn effective_input(io: &Io, raw: &Value, context: &Value) -> Result<Value, FlowError> {
    let input = select(&io.input_path, raw, context)?;
    match &io.parameters {
        Some(template) => template.render(&input, context),
        None => Ok(input),
    }
}

/// The state's output: ResultSelector applied to its result, placed into the raw input by
/// ResultPath, then OutputPath.
pub fn output(io: &Io, raw: &Value, result: Value, context: &Value) -> Result<Value, FlowError> {
    let result = match &io.result_selector {
        Some(template) => template.render(&result, context)?,
        None => result,
    };
    let placed = place(&io.result_path, raw, result)?;
    select(&io.output_path, &placed, context)
}

/// Where a result goes in the raw input (also a Catcher's error output).
pub fn place(result_path: &ResultPath, raw: &Value, result: Value) -> Result<Value, FlowError> {
    match result_path {
        ResultPath::Replace => Ok(result),
        ResultPath::Discard => Ok(raw.clone()),
        ResultPath::At(path) => path.set(raw.clone(), result),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::path::ReferencePath;
    use serde_json::json;

    fn path(t: &str) -> Select {
        Select::Path(Path::parse(t).unwrap())
    }

    fn at(t: &str) -> ResultPath {
        ResultPath::At(ReferencePath::parse(t).unwrap())
    }

    fn template(v: Value) -> Option<Template> {
        Some(Template::parse(&v).unwrap())
    }

    const NO_CONTEXT: &Value = &Value::Null;

    /// states-language.net, "Input/Output Processing Examples": InputPath `$.numbers` and
    /// ResultPath `$.sum` on the spec's raw input, with a Task that adds val1 and val2.
    #[test]
    fn the_specs_inputpath_resultpath_outputpath_example() {
        let raw = json!({
            "title": "Numbers to add",
            "numbers": { "val1": 3, "val2": 4 }
        });
        let io = Io {
            input_path: path("$.numbers"),
            result_path: at("$.sum"),
            ..Io::default()
        };
        let input = effective_input(&io, &raw, NO_CONTEXT).unwrap();
        assert_eq!(input, json!({ "val1": 3, "val2": 4 }));
        let sum = input["val1"].as_i64().unwrap() + input["val2"].as_i64().unwrap();
        let out = output(&io, &raw, json!(sum), NO_CONTEXT).unwrap();
        assert_eq!(
            out,
            json!({
                "title": "Numbers to add",
                "numbers": { "val1": 3, "val2": 4 },
                "sum": 7
            })
        );
        // And its "multiple levels" example: `{"a": 1}`, result "Hi!", ResultPath $.b.greeting.
        let io2 = Io {
            result_path: at("$.b.greeting"),
            ..Io::default()
        };
        assert_eq!(
            output(&io2, &json!({"a": 1}), json!("Hi!"), NO_CONTEXT).unwrap(),
            json!({"a": 1, "b": {"greeting": "Hi!"}})
        );
        // Its runtime error: input "foo", ResultPath $.x.
        let io3 = Io {
            result_path: at("$.x"),
            ..Io::default()
        };
        let e = output(&io3, &json!("foo"), json!(1), NO_CONTEXT).unwrap_err();
        assert_eq!(e.error, "States.ResultPathMatchFailure");
        // The AWS guide goes on: with OutputPath "$.sum" the output is the sum alone.
        let io = Io {
            output_path: path("$.sum"),
            ..io
        };
        assert_eq!(output(&io, &raw, json!(7), NO_CONTEXT).unwrap(), json!(7));
    }

    /// The spec's Payload Template example: fields with `.$` take values from the input (a
    /// nested object's too) or the context object, or an intrinsic's result; the others are
    /// as written.
    #[test]
    fn the_specs_parameters_example() {
        let raw = json!({
            "flagged": 7,
            "vals": [0, 10, 20, 30, 40, 50]
        });
        let io = Io {
            parameters: template(json!({
                "flagged": true,
                "parts": {
                    "first.$": "$.vals[0]",
                    "last3.$": "$.vals[-3:]"
                },
                "weekday.$": "$$.DayOfWeek",
                "formattedOutput.$": "States.Format('Today is {}', $$.DayOfWeek)"
            })),
            ..Io::default()
        };
        let context = json!({"DayOfWeek": "TUESDAY"});
        assert_eq!(
            effective_input(&io, &raw, &context).unwrap(),
            json!({
                "flagged": true,
                "parts": {
                    "first": 0,
                    "last3": [30, 40, 50]
                },
                "weekday": "TUESDAY",
                "formattedOutput": "Today is TUESDAY"
            })
        );
    }

    /// The ResultSelector example (an EMR createCluster result with its metadata, of which
    /// ClusterId and the resource type are kept), placed at `$.EMROutput`.
    #[test]
    fn the_specs_resultselector_example() {
        let raw = json!({"x": 1});
        let result = json!({
            "resourceType": "elasticmapreduce",
            "resource": "createCluster.sync",
            "output": {
                "SdkHttpMetadata": {
                    "HttpHeaders": {
                        "Content-Length": "1112",
                        "Content-Type": "application/x-amz-JSON-1.1",
                        "Date": "Mon, 25 Nov 2019 19:41:29 GMT",
                        "x-amzn-RequestId": "1234-5678-9011"
                    },
                    "HttpStatusCode": 200
                },
                "SdkResponseMetadata": { "RequestId": "1234-5678-9011" },
                "ClusterId": "AKIAIOSFODNN7EXAMPLE"
            }
        });
        let io = Io {
            result_selector: template(json!({
                "ClusterId.$": "$.output.ClusterId",
                "ResourceType.$": "$.resourceType"
            })),
            result_path: at("$.EMROutput"),
            ..Io::default()
        };
        assert_eq!(
            output(&io, &raw, result, NO_CONTEXT).unwrap(),
            json!({
                "x": 1,
                "EMROutput": {
                    "ClusterId": "AKIAIOSFODNN7EXAMPLE",
                    "ResourceType": "elasticmapreduce"
                }
            })
        );
    }

    /// The spec's ResultPath examples: `$` (default) replaces, `null` discards, `$.master.detail`
    /// makes the objects on the way; a ResultPath into a non-object fails.
    #[test]
    fn the_specs_resultpath_examples() {
        let raw = json!({"master": {"detail": [1, 2, 3]}});
        let result = json!("Hello");
        assert_eq!(
            place(&ResultPath::Replace, &raw, result.clone()).unwrap(),
            json!("Hello")
        );
        assert_eq!(place(&ResultPath::Discard, &raw, result.clone()).unwrap(), raw);
        assert_eq!(
            place(&at("$.master.detail"), &raw, result.clone()).unwrap(),
            json!({"master": {"detail": "Hello"}})
        );
        assert_eq!(
            place(&at("$.master.result.sum"), &raw, json!(6)).unwrap(),
            json!({"master": {"detail": [1, 2, 3], "result": {"sum": 6}}})
        );
        let e = place(&at("$.master.detail.x"), &raw, result).unwrap_err();
        assert_eq!(e.error, "States.ResultPathMatchFailure");
    }

    /// The spec's InputPath/Parameters example with a context field and the array example:
    /// a path that selects several nodes gives an array.
    #[test]
    fn context_object_and_intrinsics_in_templates() {
        let raw = json!({"a": [{"n": 1}, {"n": 2}], "who": "Ana"});
        let context = json!({"Execution": {"Id": "exec-1"}, "Map": {"Item": {"Index": 2}}});
        let t = Template::parse(&json!({
            "ns.$": "$.a[*].n",
            "id.$": "$$.Execution.Id",
            "i.$": "$$.Map.Item.Index",
            "greeting.$": "States.Format('Hi {}', $.who)",
            "list": [{"x.$": "$.who"}, 3],
            "keep": {"plain": "$.who"}
        }))
        .unwrap();
        assert_eq!(
            t.render(&raw, &context).unwrap(),
            json!({
                "ns": [1, 2],
                "id": "exec-1",
                "i": 2,
                "greeting": "Hi Ana",
                "list": [{"x": "Ana"}, 3],
                "keep": {"plain": "$.who"}
            })
        );
        let e = Template::parse(&json!({"a": {"b.$": "$.missing"}}))
            .unwrap()
            .render(&raw, &context)
            .unwrap_err();
        assert_eq!(e.error, "States.ParameterPathFailure");
        assert!(e.cause.contains("a.b.$") && e.cause.contains("$.missing"), "{e}");
    }

    #[test]
    fn bad_templates_name_the_field() {
        let (field, why) = Template::parse(&json!({"a": {"b.$": "nope"}})).unwrap_err();
        assert_eq!(field, "a.b.$");
        assert!(why.contains("starts with `$`"), "{why}");
        let (field, _) = Template::parse(&json!({"l": [{"c.$": 3}]})).unwrap_err();
        assert_eq!(field, "l[0].c.$");
        let (field, why) = Template::parse(&json!({"x.$": "States.Nope()"})).unwrap_err();
        assert_eq!(field, "x.$");
        assert!(why.contains("unknown intrinsic"), "{why}");
    }

    #[test]
    fn input_path_null_is_an_empty_object_and_a_missing_path_is_runtime() {
        let io = Io {
            input_path: Select::Nothing,
            ..Io::default()
        };
        assert_eq!(effective_input(&io, &json!({"a": 1}), NO_CONTEXT).unwrap(), json!({}));
        let io = Io {
            input_path: path("$.b"),
            ..Io::default()
        };
        let e = effective_input(&io, &json!({"a": 1}), NO_CONTEXT).unwrap_err();
        assert_eq!(e.error, "States.Runtime");
    }
}
