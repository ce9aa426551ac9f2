//! Printing: the [`Printer`] (stdout, stderr, progress), output formats, YAML and JSON
//! documents, Kubeless-style tables and log lines.

mod format;
pub mod log;
mod printer;
pub mod table;

pub use format::{OutputFormat, UnknownFormat};
pub use printer::Printer;

use serde::Serialize;
use serde_json::Value;

/// YAML with every map's keys sorted, as Kubeless prints objects.
pub fn yaml(value: &Value) -> String {
    serde_saphyr::to_string(&sorted(value)).expect("a JSON value is valid YAML")
}

/// JSON indented with `indent` spaces (Kubeless uses 4 for dry runs, 2 for lists).
pub fn json(value: &impl Serialize, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(pad.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    value.serialize(&mut ser).expect("JSON serialises");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// The formats `--dryrun` prints in, and Kubeless's words for another.
pub const DRY_RUN_FORMATS: &[OutputFormat] = &[OutputFormat::Yaml, OutputFormat::Json];
pub const DRY_RUN_WORDS: &str = "Output format needs to be yaml or json";

/// Reads a `--dryrun`'s `-o/--output`.
pub fn dry_run_format(given: &str) -> Result<OutputFormat, UnknownFormat> {
    OutputFormat::parse(given, DRY_RUN_FORMATS, "-o/--output", DRY_RUN_WORDS)
}

/// The object a `--dryrun` would have written: YAML, or JSON indented by 4 as Kubeless's Go
/// code printed it.
pub fn dry_run(object: &Value, format: OutputFormat) -> String {
    match format {
        OutputFormat::Json => format!("{}\n", json(object, 4)),
        _ => yaml(object),
    }
}

/// The JSON value with every object's keys sorted, as Kubeless prints YAML.
pub fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            Value::Object(keys.into_iter().map(|k| (k.clone(), sorted(&m[k]))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}
