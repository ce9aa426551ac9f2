//! A replica's Secret volumes: each Secret the Function mounts (`--secrets`, Kubeless's
//! `/<secret-name>`) written as one file per key in the replica's directory, for the sandbox to
//! mount where the Deployment says.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::Value;

use crate::engine::objects::Objects;
use crate::engine::store::Key;

/// A Secret volume of the pod template: which Secret, and where the container sees it.
#[derive(Debug, PartialEq)]
pub struct SecretMount {
    pub secret: String,
    pub path: String,
}

/// The Secret volumes mounted in the first container of a Deployment's pod template.
pub fn secret_mounts(function: &crate::api::kinds::FunctionSpec) -> Vec<SecretMount> {
    let Some(pod) = function.pod() else {
        return Vec::new();
    };
    let secret_of = |volume: &str| {
        pod.volumes
            .iter()
            .flatten()
            .find(|v| v.name == volume)?
            .secret
            .as_ref()?
            .secret_name
            .clone()
    };
    function
        .container()
        .and_then(|c| c.volume_mounts.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|m| {
            Some(SecretMount {
                secret: secret_of(&m.name)?,
                path: m.mount_path.clone(),
            })
        })
        .collect()
}

/// Writes each mounted Secret's keys under `dir/<secret>/`; the host directory and the mount
/// path of each. A Secret that does not exist is an error in the kubelet's words.
pub fn materialize(
    objects: &Objects,
    namespace: &str,
    mounts: &[SecretMount],
    dir: &Path,
) -> Result<Vec<(PathBuf, String)>, String> {
    let mut out = Vec::new();
    for mount in mounts {
        let secret = objects
            .store
            .get(&Key::new("/secrets", namespace, &mount.secret))
            .ok_or_else(|| format!("secret \"{}\" not found", mount.secret))?;
        let target = dir.join(&mount.secret);
        let _ = std::fs::remove_dir_all(&target);
        std::fs::create_dir_all(&target).map_err(|e| format!("cannot write secret \"{}\": {e}", mount.secret))?;
        for (key, bytes) in keys(&secret.value) {
            if key.is_empty() || key.contains('/') || key == "." || key == ".." {
                continue;
            }
            std::fs::write(target.join(&key), bytes)
                .map_err(|e| format!("cannot write secret \"{}\": {e}", mount.secret))?;
        }
        out.push((target, mount.path.clone()));
    }
    Ok(out)
}

/// A Secret's keys and their bytes: `data` (base64) and `stringData`, which wins as on a server.
fn keys(secret: &Value) -> Vec<(String, Vec<u8>)> {
    let mut keys: Vec<(String, Vec<u8>)> = secret["data"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| {
            let bytes = base64::engine::general_purpose::STANDARD.decode(v.as_str()?).ok()?;
            Some((k.clone(), bytes))
        })
        .collect();
    for (k, v) in secret["stringData"].as_object().into_iter().flatten() {
        if let Some(text) = v.as_str() {
            keys.retain(|(key, _)| key != k);
            keys.push((k.clone(), text.as_bytes().to_vec()));
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_secret_volumes_of_the_pod_template_are_found() {
        let spec = |deployment| serde_json::from_value(json!({"deployment": deployment})).unwrap();
        let deployment = spec(json!({"spec": {"template": {"spec": {
            "volumes": [
                {"name": "db-vol", "secret": {"secretName": "db"}},
                {"name": "cache", "emptyDir": {}},
            ],
            "containers": [{"volumeMounts": [
                {"name": "db-vol", "mountPath": "/db"},
                {"name": "cache", "mountPath": "/cache"},
            ]}],
        }}}}));
        assert_eq!(
            secret_mounts(&deployment),
            [SecretMount {
                secret: "db".into(),
                path: "/db".into()
            }]
        );
        assert!(secret_mounts(&spec(json!({}))).is_empty());
    }

    #[test]
    fn string_data_wins_over_data() {
        let secret = json!({"data": {"a": "aGk=", "b": "eA=="}, "stringData": {"b": "y"}});
        let mut keys = keys(&secret);
        keys.sort();
        assert_eq!(keys, [("a".into(), b"hi".to_vec()), ("b".into(), b"y".to_vec())]);
    }
}
