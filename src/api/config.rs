//! The `runtime-images` key of Kubeless's `kubeless-config` ConfigMap (contract §6.2), read
//! once for the CLI's catalog and the controller's image overrides: JSON or YAML, key names in
//! any case (Kubeless's Go decoder matches them so; its own manifest writes `ID`).

use serde_json::Value;

/// One runtime version the ConfigMap lists.
#[derive(Clone, Debug, PartialEq)]
pub struct RuntimeVersion {
    /// The runtime id functions name: the runtime's ID and the version (`python3.7`).
    pub id: String,
    /// The dependency file (`requirements.txt`).
    pub dep_file: String,
    /// The code file suffix (`.py`).
    pub suffix: String,
    /// The image of its `runtime` phase, when it names one.
    pub runtime_image: Option<String>,
}

/// The value of `key` in an object, matched in any case.
fn field<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object()?
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn string(v: &Value, key: &str) -> String {
    field(v, key).and_then(Value::as_str).unwrap_or_default().to_string()
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    field(v, key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// A `runtime-images` text kfn cannot read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("runtime-images is neither JSON nor YAML: {0}")]
    Syntax(String),
    #[error("runtime-images is not a list")]
    NotAList,
}

/// Every runtime version of a `runtime-images` document.
pub fn runtime_images(text: &str) -> Result<Vec<RuntimeVersion>, ConfigError> {
    let doc: Value = serde_json::from_str(text)
        .or_else(|_| serde_saphyr::from_str::<Value>(text))
        .map_err(|e| ConfigError::Syntax(e.to_string()))?;
    let runtimes = doc.as_array().ok_or(ConfigError::NotAList)?;
    let mut out = Vec::new();
    for rt in runtimes {
        for v in list(rt, "versions") {
            let runtime_image = list(v, "images")
                .iter()
                .find(|i| string(i, "phase") == "runtime")
                .map(|i| string(i, "image"))
                .filter(|i| !i.is_empty());
            out.push(RuntimeVersion {
                id: format!("{}{}", string(rt, "ID"), string(v, "version")),
                dep_file: string(rt, "depName"),
                suffix: string(rt, "fileNameSuffix"),
                runtime_image,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_read_in_any_case_from_json_or_yaml() {
        let json = r#"[{"ID": "python", "depName": "requirements.txt", "fileNameSuffix": ".py",
            "versions": [{"version": "3.7", "images": [{"phase": "installation", "image": "pip"},
            {"phase": "runtime", "image": "example/python:3.7"}]}, {"version": "3.8"}]},
            {"id": "nodejs", "depname": "package.json", "filenamesuffix": ".js", "Versions": [{"Version": "14"}]}]"#;
        let read = runtime_images(json).unwrap();
        let ids: Vec<&str> = read.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["python3.7", "python3.8", "nodejs14"]);
        assert_eq!(read[0].runtime_image.as_deref(), Some("example/python:3.7"));
        assert_eq!(read[1].runtime_image, None);
        assert_eq!(
            (read[2].dep_file.as_str(), read[2].suffix.as_str()),
            ("package.json", ".js")
        );
        let yaml =
            "- id: go\n  versions:\n  - version: '1.14'\n    images:\n    - phase: runtime\n      image: example/go\n";
        assert_eq!(runtime_images(yaml).unwrap()[0].id, "go1.14");
        assert!(runtime_images("{}").is_err());
    }
}
