//! A Flow's definition checked as the flows module reads it (`crate::flows::parse`): one that
//! does not parse is refused, each problem a cause on `spec.definition` naming the state's path.
//! On an update, a definition left as it was is not checked again (as the API server ratchets).

use serde_json::Value;

use super::errors::FieldErrors;

pub(super) fn check_definition(obj: &Value, old: Option<&Value>, errs: &mut FieldErrors) {
    let Some(definition) = obj.get("spec").and_then(|s| s.get("definition")) else {
        return;
    };
    if old
        .and_then(|o| o.get("spec"))
        .and_then(|s| s.get("definition"))
        .is_some_and(|d| d == definition)
    {
        return;
    }
    if let Err(problems) = crate::flows::parse(definition) {
        for problem in problems {
            errs.push_worded("FieldValueInvalid", "spec.definition", problem.to_string());
        }
    }
}
