//! JSONPath as the Amazon States Language uses it: [`Path`] selects from a document (any
//! JSONPath: a path that may match several nodes gives an array), [`ReferencePath`] names one
//! node only (`$.a.b[0]`, no wildcards or filters) and can also be written (ResultPath).

use serde_json::Value;

use super::errors::FlowError;

/// A JSONPath (`$…`), or a context-object path (`$$…`, read from the context object).
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    text: String,
}

impl Path {
    /// Parses a path; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<Path, String> {
        let _ = text;
        todo!("flows::path::Path::parse")
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether it reads the context object (`$$…`).
    pub fn is_context(&self) -> bool {
        self.text.starts_with("$$")
    }

    /// What it selects from `input` (or `context`, for a `$$` path): the one node a definite
    /// path names, an array of the nodes an indefinite one matches; a definite path that
    /// matches nothing is `States.Runtime` naming the path.
    pub fn select(&self, input: &Value, context: &Value) -> Result<Value, FlowError> {
        let _ = (input, context);
        todo!("flows::path::Path::select")
    }

    /// What it selects, or `None` when it matches nothing (`IsPresent`).
    pub fn find(&self, input: &Value, context: &Value) -> Option<Value> {
        let _ = (input, context);
        todo!("flows::path::Path::find")
    }
}

/// A path that names one node: `$`, `$.field`, `$['field']`, `$.list[2]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReferencePath {
    text: String,
}

impl ReferencePath {
    pub fn parse(text: &str) -> Result<ReferencePath, String> {
        let _ = text;
        todo!("flows::path::ReferencePath::parse")
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `document` with `value` put where the path names (objects made on the way, as the
    /// language says); `States.ResultPathMatchFailure` when a node on the way is not an object.
    pub fn set(&self, document: Value, value: Value) -> Result<Value, FlowError> {
        let _ = (document, value);
        todo!("flows::path::ReferencePath::set")
    }
}
