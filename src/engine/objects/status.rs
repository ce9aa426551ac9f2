//! Kubernetes `Status` errors, as the API server returns them.

use serde_json::{Value, json};

/// An API error: HTTP code, Kubernetes reason, message and optional details.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub details: Option<Value>,
}

impl ApiError {
    pub fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            reason,
            message: message.into(),
            details: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn with_message(mut self, message: String) -> Self {
        self.message = message;
        self
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized")
    }

    /// The answer for a path no resource is served at.
    pub fn no_route() -> Self {
        Self::new(404, "NotFound", "the server could not find the requested resource")
    }

    /// `<plural>.<group> "<name>" not found`, as the API server words it.
    pub fn not_found(qualified: &str, kind_plural: &str, name: &str) -> Self {
        Self::new(404, "NotFound", format!("{qualified} \"{name}\" not found")).with_details(details(
            qualified,
            kind_plural,
            name,
        ))
    }

    pub fn already_exists(qualified: &str, kind_plural: &str, name: &str) -> Self {
        Self::new(409, "AlreadyExists", format!("{qualified} \"{name}\" already exists")).with_details(details(
            qualified,
            kind_plural,
            name,
        ))
    }

    pub fn conflict(qualified: &str, kind_plural: &str, name: &str) -> Self {
        Self::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {qualified} \"{name}\": the object has been modified; please apply your changes to the latest version and try again"
            ),
        )
        .with_details(details(qualified, kind_plural, name))
    }

    pub fn method_not_allowed(method: &str) -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            format!("the server does not allow this method on the requested resource ({method})"),
        )
    }

    pub fn unsupported_media_type(given: &str, accepted: &[&str]) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format ({given}) - accepted media types include: {}",
                accepted.join(", ")
            ),
        )
    }

    /// A 422 naming the field, what was given and what is accepted.
    pub fn invalid(kind: &str, name: &str, field: &str, detail: String) -> Self {
        Self::new(
            422,
            "Invalid",
            format!("{kind} \"{name}\" is invalid: {field}: {detail}"),
        )
        .with_details(json!({
            "name": name,
            "kind": kind,
            "causes": [{"reason": "FieldValueInvalid", "message": detail, "field": field}],
        }))
    }

    pub fn too_large(limit: usize) -> Self {
        Self::new(
            413,
            "RequestEntityTooLarge",
            format!("Request entity too large: limit is {limit}"),
        )
    }

    pub fn gone(message: String) -> Self {
        Self::new(410, "Expired", message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalError", message)
    }

    /// The `Status` object sent as the response body.
    pub fn to_status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if self.reason.is_empty() {
            // Some real answers (a 500 from a bad parameter) carry no reason.
            status.as_object_mut().map(|m| m.remove("reason"));
        }
        if let Some(details) = &self.details {
            status["details"] = details.clone();
        }
        status
    }
}

/// A Status's details naming an object: its name, its resource (plural) and, for a grouped
/// kind, the group (`deployments.apps` → `apps`), as the real server gives them.
fn details(qualified: &str, kind_plural: &str, name: &str) -> Value {
    let mut details = json!({"name": name, "kind": kind_plural});
    if let Some((_, group)) = qualified.split_once('.') {
        details["group"] = json!(group);
    }
    details
}

impl From<crate::engine::store::StoreError> for ApiError {
    fn from(e: crate::engine::store::StoreError) -> Self {
        ApiError::internal(e.to_string())
    }
}
