//! Input and output processing: a state's effective input (InputPath, then Parameters), its
//! output from its result (ResultSelector, ResultPath, OutputPath), and payload templates
//! (fields ending in `.$` take a path's value or an intrinsic function's result).

use serde_json::Value;

use super::definition::{Io, ResultPath, Select};
use super::errors::FlowError;

/// A payload template (`Parameters`, `ResultSelector`, `ItemSelector`): JSON whose `KEY.$`
/// fields are paths or intrinsic function calls, compiled once.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    source: Value,
}

impl Template {
    /// Compiles a template; the error names the field (`Parameters.a.b.$`) and what is wrong.
    pub fn parse(source: &Value) -> Result<Template, (String, String)> {
        let _ = source;
        todo!("flows::io::Template::parse")
    }

    /// The template as written.
    pub fn source(&self) -> &Value {
        &self.source
    }

    /// The template filled in from `input` and the context object.
    pub fn render(&self, input: &Value, context: &Value) -> Result<Value, FlowError> {
        let _ = (input, context);
        todo!("flows::io::Template::render")
    }
}

/// What `InputPath`/`OutputPath` keep of `value`.
pub fn select(select: &Select, value: &Value, context: &Value) -> Result<Value, FlowError> {
    let _ = (select, value, context);
    todo!("flows::io::select")
}

/// The state's effective input: InputPath applied to its raw input, then Parameters.
pub fn effective_input(io: &Io, raw: &Value, context: &Value) -> Result<Value, FlowError> {
    let _ = (io, raw, context);
    todo!("flows::io::effective_input")
}

/// The state's output: ResultSelector applied to its result, placed into the raw input by
/// ResultPath, then OutputPath.
pub fn output(io: &Io, raw: &Value, result: Value, context: &Value) -> Result<Value, FlowError> {
    let _ = (io, raw, result, context);
    todo!("flows::io::output")
}

/// Where a result goes in the raw input (also a Catcher's error output).
pub fn place(result_path: &ResultPath, raw: &Value, result: Value) -> Result<Value, FlowError> {
    let _ = (result_path, raw, result);
    todo!("flows::io::place")
}
