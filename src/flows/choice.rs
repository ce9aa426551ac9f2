//! A Choice state's rules: which `Next` the first matching rule names, or the `Default`.

use serde_json::Value;

use super::definition::{ChoiceRule, Condition};
use super::errors::FlowError;

/// Whether `condition` holds for `input` (the Choice's effective input).
pub fn holds(condition: &Condition, input: &Value, context: &Value) -> Result<bool, FlowError> {
    let _ = (condition, input, context);
    todo!("flows::choice::holds")
}

/// The state the first matching rule leads to, else `default`, else `States.NoChoiceMatched`.
pub fn choose<'a>(
    rules: &'a [ChoiceRule],
    default: Option<&'a str>,
    input: &Value,
    context: &Value,
) -> Result<&'a str, FlowError> {
    for rule in rules {
        if holds(&rule.condition, input, context)? {
            return Ok(&rule.next);
        }
    }
    default.ok_or_else(|| {
        FlowError::new(
            super::errors::NO_CHOICE_MATCHED,
            "no Choice rule matched the input and the state has no Default",
        )
    })
}
