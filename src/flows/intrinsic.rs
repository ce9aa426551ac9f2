//! The intrinsic functions (`States.Format`, `States.StringToJson`, `States.Array`, `States.Hash`,
//! `States.MathAdd`, `States.UUID`, …): parsed once from a template's `.$` field, evaluated
//! against the input and the context object.

use serde_json::Value;

use super::errors::FlowError;

/// A parsed call of an intrinsic function (its arguments may be literals, paths or calls).
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    text: String,
}

impl Call {
    /// Whether a `.$` value is an intrinsic call (`States.…(`) rather than a path.
    pub fn is_call(text: &str) -> bool {
        text.trim_start().starts_with("States.")
    }

    /// Parses a call: an unknown function or a wrong number or kind of literal arguments is an
    /// error saying so.
    pub fn parse(text: &str) -> Result<Call, String> {
        let _ = text;
        todo!("flows::intrinsic::Call::parse")
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Evaluates it; a failure is `States.IntrinsicFailure` with the reason.
    pub fn eval(&self, input: &Value, context: &Value) -> Result<Value, FlowError> {
        let _ = (input, context);
        todo!("flows::intrinsic::Call::eval")
    }
}
