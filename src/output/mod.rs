//! Printing: YAML and JSON documents, Kubeless-style tables, and Kubeless-style log lines.

pub mod log;
pub mod table;

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

/// Prints the object a `--dryrun` would have written: YAML, or JSON indented by 4 as Kubeless's
/// Go code printed it.
pub fn dry_run(object: &serde_json::Value, format: &str) -> anyhow::Result<std::process::ExitCode> {
    match format {
        "yaml" => print(&yaml(object)),
        "json" => print(&format!("{}\n", json(object, 4))),
        other => anyhow::bail!("Output format needs to be yaml or json, got {other:?} (given with --output)"),
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// Writes bytes to stdout as they are; a closed pipe ends the program quietly.
pub fn print_bytes(bytes: &[u8]) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|_| out.flush())
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

/// Writes to stdout; a closed pipe (`kfn ... | head`) ends the program quietly.
pub fn print(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush())
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
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
