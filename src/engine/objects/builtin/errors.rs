//! Field errors as the API server reports them: a 422 `Invalid` whose `details.causes` name
//! each field, worded as Kubernetes' `field.Error` does.

use serde::Serialize;
use serde_json::{Value, json};

use crate::engine::objects::ApiError;

struct FieldError {
    reason: &'static str,
    field: String,
    message: String,
}

/// The field errors of one object, in the order they were found.
#[derive(Default)]
pub struct FieldErrors(Vec<FieldError>);

/// A value as `field.Invalid` prints it: strings quoted, numbers plain, the rest as JSON.
fn shown(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

impl FieldErrors {
    fn push(&mut self, reason: &'static str, field: impl Into<String>, message: String) {
        self.0.push(FieldError {
            reason,
            field: field.into(),
            message,
        });
    }

    /// An error of `reason` whose message is already worded.
    pub fn push_worded(&mut self, reason: &'static str, field: impl Into<String>, message: String) {
        self.push(reason, field, message);
    }

    /// An error whose message is already worded (`Invalid value: "x": ...`).
    pub fn worded(&mut self, field: impl Into<String>, message: String) {
        self.push("FieldValueInvalid", field, message);
    }

    pub fn required(&mut self, field: impl Into<String>) {
        self.push("FieldValueRequired", field, "Required value".into());
    }

    pub fn required_because(&mut self, field: impl Into<String>, detail: &str) {
        self.push("FieldValueRequired", field, format!("Required value: {detail}"));
    }

    pub fn invalid(&mut self, field: impl Into<String>, value: &impl Serialize, detail: &str) {
        self.push(
            "FieldValueInvalid",
            field,
            format!("Invalid value: {}: {detail}", shown(value)),
        );
    }

    pub fn not_supported(&mut self, field: impl Into<String>, value: &str, supported: &[&str]) {
        let supported: Vec<String> = supported.iter().map(|s| format!("{s:?}")).collect();
        self.push(
            "FieldValueNotSupported",
            field,
            format!(
                "Unsupported value: {value:?}: supported values: {}",
                supported.join(", ")
            ),
        );
    }

    /// A value that must be one of `supported`, checked when set.
    pub fn one_of(&mut self, field: impl Into<String>, value: Option<&str>, supported: &[&str]) {
        if let Some(v) = value
            && !supported.contains(&v)
        {
            self.not_supported(field, v, supported);
        }
    }

    pub fn forbidden(&mut self, field: impl Into<String>, detail: &str) {
        self.push("FieldValueForbidden", field, format!("Forbidden: {detail}"));
    }

    pub fn duplicate(&mut self, field: impl Into<String>, value: &impl Serialize) {
        self.push(
            "FieldValueDuplicate",
            field,
            format!("Duplicate value: {}", shown(value)),
        );
    }

    pub fn too_long(&mut self, field: impl Into<String>, limit: usize) {
        self.push(
            "FieldValueTooLong",
            field,
            format!("Too long: may not be more than {limit} bytes"),
        );
    }

    /// `Ok` when nothing was found, else the 422 for the object: `<Kind>[.<group>] "<name>" is
    /// invalid: ...`, one cause per error.
    pub fn into_result(self, group: &str, kind: &str, name: &str) -> Result<(), ApiError> {
        if self.0.is_empty() {
            return Ok(());
        }
        let qualified = if group.is_empty() {
            kind.to_string()
        } else {
            format!("{kind}.{group}")
        };
        let each: Vec<String> = self.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
        let summary = match each.as_slice() {
            [one] => one.clone(),
            many => format!("[{}]", many.join(", ")),
        };
        let causes: Vec<Value> = self
            .0
            .iter()
            .map(|e| json!({"reason": e.reason, "message": e.message, "field": e.field}))
            .collect();
        let mut details = json!({"name": name, "kind": kind, "causes": causes});
        for (field, value) in [("name", name), ("kind", kind)] {
            if value.is_empty() {
                details.as_object_mut().map(|d| d.remove(field));
            }
        }
        if !group.is_empty() {
            details["group"] = json!(group);
        }
        Err(
            ApiError::new(422, "Invalid", format!("{qualified} \"{name}\" is invalid: {summary}"))
                .with_details(details),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_error_is_named_plainly_and_several_in_brackets() {
        let mut one = FieldErrors::default();
        one.required("spec.ports");
        let e = one.into_result("", "Service", "s").unwrap_err();
        assert_eq!(e.message, "Service \"s\" is invalid: spec.ports: Required value");
        assert_eq!(e.details.as_ref().unwrap().get("group"), None);

        let mut two = FieldErrors::default();
        two.required("spec.selector");
        two.invalid("spec.replicas", &-1, "must be greater than or equal to 0");
        two.not_supported("spec.type", "Foo", &["ClusterIP", "NodePort"]);
        let e = two.into_result("apps", "Deployment", "d").unwrap_err();
        assert_eq!(
            e.message,
            "Deployment.apps \"d\" is invalid: [spec.selector: Required value, spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.type: Unsupported value: \"Foo\": supported values: \"ClusterIP\", \"NodePort\"]"
        );
        let details = e.details.unwrap();
        assert_eq!(details["group"], "apps");
        assert_eq!(details["causes"][2]["reason"], "FieldValueNotSupported");
        assert_eq!(details["causes"][1]["field"], "spec.replicas");
    }
}
