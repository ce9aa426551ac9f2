//! The request scripts of tests/differential/*.yaml: what each step sends and what it compares.

use serde::Deserialize;
use serde_json::{Map, Value};

/// One script: ordered steps, run in a fresh namespace `{ns}` on each server.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Script {
    /// What the script checks, in a sentence.
    pub about: String,
    /// The items of issue 13 (numbers) and the everyday verbs (words) it covers.
    #[serde(default)]
    pub covers: Vec<Value>,
    pub steps: Vec<Step>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub name: String,
    #[serde(default = "get")]
    pub method: String,
    /// Path with `{ns}` and saved values (`{name}`) put in; may hold percent-encoded bytes.
    #[serde(default)]
    pub path: String,
    /// Query parameters, in order; values may be strings, numbers or booleans.
    #[serde(default)]
    pub query: Map<String, Value>,
    #[serde(default)]
    pub headers: Map<String, Value>,
    /// Sent with this bearer token alone (a saved value, `{token}`) instead of the server's
    /// administrator credentials.
    pub token: Option<String>,
    /// A body sent as JSON text (also for YAML content types: JSON is YAML).
    pub body: Option<Value>,
    /// A body sent as written.
    pub body_text: Option<String>,
    /// A body given as hexadecimal bytes (whitespace ignored), for protobuf.
    pub body_hex: Option<String>,
    /// The status code the real API server answers (checked: a script the oracle does not
    /// answer so is a wrong script). For `until` steps, the code once the condition holds.
    pub code: u16,
    /// Response fields compared, as JSON pointers with `*` (every element of an array),
    /// `[key=value]` (the element whose `key` is `value`) and a suffix `#keys`, `#len`,
    /// `#exists` or `#sorted`; `header:NAME` compares a response header.
    #[serde(default)]
    pub compare: Vec<String>,
    /// Values saved from the response for later steps (`{name}`), by pointer.
    #[serde(default)]
    pub save: Map<String, Value>,
    /// Send again until these pointers have these values (`code`: the status code); for a
    /// watch's events: `type`/`name` an event must have, `count` events at least, `ended`.
    pub until: Option<Map<String, Value>>,
    /// Seconds `until` may take (default 30).
    pub within: Option<u64>,
    /// Opens a watch kept under this name; its events are read in the background.
    pub watch: Option<String>,
    /// Compares the events of the watch of this name (after waiting for `until`).
    pub events: Option<String>,
    /// A deliberate difference, with the reason listed in docs/local-engine.md: the step is
    /// run and compared, and a difference is reported but does not fail the test (a step that
    /// cannot be sent or whose `until` never holds still does).
    pub differs: Option<String>,
    /// Only the real API server gets this step (setup the engine does not need).
    #[serde(default)]
    pub real_only: bool,
}

fn get() -> String {
    "GET".into()
}

impl Script {
    pub fn load(path: &std::path::Path) -> Result<Script, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let script: Script = serde_saphyr::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        for (i, step) in script.steps.iter().enumerate() {
            let sent = [step.body.is_some(), step.body_text.is_some(), step.body_hex.is_some()];
            if sent.iter().filter(|b| **b).count() > 1 {
                return Err(format!("{}: step {} has more than one body", path.display(), i + 1));
            }
            if step.events.is_none() && step.path.is_empty() {
                return Err(format!("{}: step {} has no path", path.display(), i + 1));
            }
        }
        Ok(script)
    }
}
