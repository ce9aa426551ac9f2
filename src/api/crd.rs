//! The CustomResourceDefinitions (apiextensions.k8s.io/v1) of the kubeless.io group and of kfn.io,
//! generated from the kinds' types (`api::kinds`): names, printer columns, the status
//! subresource and structural schemas that type every field of the contract, keeping unknown
//! fields only inside the objects Kubeless embeds whole.

use kube::CustomResourceExt;
use serde_json::Value;

use super::kinds::{CronJobTrigger, Execution, Flow, Function, HTTPTrigger, KafkaTrigger, KinesisTrigger, NATSTrigger};

/// The CRD of one kind, as JSON. The schema has no `default`s: kfn reads an absent field as its
/// default (`api::kinds`, one place each), and the API server stores objects as they were
/// written, as it did for Kubeless.
fn of<K: CustomResourceExt>() -> Value {
    let mut crd = serde_json::to_value(K::crd()).expect("a CRD is JSON");
    for version in crd["spec"]["versions"].as_array_mut().into_iter().flatten() {
        without_defaults(&mut version["schema"]["openAPIV3Schema"]);
    }
    crd
}

/// Removes `default` from a schema and every schema inside it.
fn without_defaults(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    map.remove("default");
    for (key, inner) in map.iter_mut() {
        match (key.as_str(), inner) {
            ("properties", Value::Object(properties)) => properties.values_mut().for_each(without_defaults),
            (_, Value::Array(list)) => list.iter_mut().for_each(without_defaults),
            (_, inner) => without_defaults(inner),
        }
    }
}

/// All eight CRDs: the six of kubeless.io and kfn.io's Flow and Execution.
pub fn all() -> Vec<Value> {
    vec![
        of::<Function>(),
        of::<HTTPTrigger>(),
        of::<CronJobTrigger>(),
        of::<KafkaTrigger>(),
        of::<NATSTrigger>(),
        of::<KinesisTrigger>(),
        of::<Flow>(),
        of::<Execution>(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crds_name_and_type_every_field_of_the_contract() {
        let crds = all();
        let function = &crds[0];
        assert_eq!(function["metadata"]["name"], "functions.kubeless.io");
        assert_eq!(function["metadata"]["labels"]["app.kubernetes.io/part-of"], "kfn");
        assert_eq!(
            function["spec"]["names"]["shortNames"],
            serde_json::json!(["fn", "fns"])
        );
        let version = &function["spec"]["versions"][0];
        assert_eq!(version["subresources"]["status"], serde_json::json!({}));
        let spec = &version["schema"]["openAPIV3Schema"]["properties"]["spec"];
        assert!(spec.get("x-kubernetes-preserve-unknown-fields").is_none(), "{spec}");
        assert!(!spec.to_string().contains("\"default\""), "no defaulting: {spec}");
        assert_eq!(spec["properties"]["timeout"]["type"], "string");
        assert_eq!(
            spec["properties"]["deployment"]["x-kubernetes-preserve-unknown-fields"],
            true
        );
        let ports = &spec["properties"]["service"]["properties"]["ports"]["items"]["properties"]["port"];
        assert_eq!(ports["maximum"].as_f64(), Some(65535.0));

        let http = &crds[1]["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"];
        assert_eq!(http["tls"]["type"], "boolean");
        assert_eq!(
            http["gateway"]["enum"],
            serde_json::json!(["", "nginx", "traefik", "kong"])
        );
        let cron = &crds[2]["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"];
        assert_eq!(cron["payload"]["nullable"], true);
        let nats = &crds[4]["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"];
        assert_eq!(nats["topic"]["type"], "string");
        assert_eq!(nats["functionSelector"]["properties"]["matchLabels"]["type"], "object");
        let columns: Vec<&str> = crds[1]["spec"]["versions"][0]["additionalPrinterColumns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(columns, ["Function", "Host", "Path", "Age"]);
    }
}
