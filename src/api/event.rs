//! What every delivery of an event to a function carries, as Kubeless's callers decide it: a
//! random event id, and the content type of the data.

use base64::Engine;

/// A new event id: 11 random bytes, URL-safe base64 (15 characters).
pub fn event_id() -> String {
    let mut bytes = [0u8; 11];
    let _ = getrandom::fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The content type (and event type) of data: a JSON object is `application/json`, anything
/// else form data.
pub fn content_type(data: &[u8]) -> &'static str {
    if serde_json::from_slice::<serde_json::Value>(data).is_ok_and(|v| v.is_object()) {
        "application/json"
    } else {
        "application/x-www-form-urlencoded"
    }
}
