//! kubeless.io/v1beta1: the custom resources kfn keeps compatible with Kubeless.

pub mod config;
pub mod crd;
pub mod event;
pub mod flags;
pub mod function;
pub mod hpa;
pub mod kinds;
pub mod quantity;
pub mod schedule;
pub mod selector;
pub mod trigger;

/// The API group of every kfn (and Kubeless) custom resource.
pub const GROUP: &str = "kubeless.io";
/// The served and stored version.
pub const VERSION: &str = "v1beta1";

/// The label that makes a namespace a tenant's (`kfn tenant create`): its value is the
/// tenant's name, which is also the namespace's.
pub const TENANT_LABEL: &str = "kfn.io/tenant";

/// An object's labels (`metadata.labels`) as a sorted map; empty when it has none.
pub fn labels_of(object: &serde_json::Value) -> std::collections::BTreeMap<String, String> {
    object
        .pointer("/metadata/labels")
        .and_then(serde_json::Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// Now, as object metadata and conditions carry it (RFC 3339, whole seconds, UTC).
pub fn now() -> String {
    let t = k8s_openapi::jiff::Timestamp::now();
    t.round(k8s_openapi::jiff::Unit::Second).unwrap_or(t).to_string()
}

/// The header that names the pod that answered (kfn's `function call` reads its logs on errors).
pub const POD_HEADER: &str = "x-kfn-pod";

/// The header of a function's answer when it raised: the error's name (Python: the exception's
/// type, `ValueError`; Node: `error.name`, `TypeError`), the body being `<name>: <message>` as
/// Kubeless gave it. Written by the runtime's shims, read by the hosts of flows (a Task's error).
pub const ERROR_HEADER: &str = "x-kfn-error";

/// Five random characters of the alphabet the API server uses for `generateName` (no vowels,
/// no look-alikes), as pod names of a ReplicaSet end.
pub fn name_suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut bytes = [0u8; 5];
    getrandom::fill(&mut bytes).expect("the OS gives random bytes");
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}
