//! Label and field selectors of list and watch requests.

use kube::core::{Selector, SelectorExt};

pub use crate::api::selector::parse_label_selector;
use serde_json::Value;

/// Whether an object's labels satisfy a selector.
pub fn labels_match(selector: &Selector, object: &Value) -> bool {
    if selector.selects_all() {
        return true;
    }
    let labels = crate::api::labels_of(object);
    selector.matches(&labels)
}

/// A field selector: `path=value`, `path==value` or `path!=value` requirements on dotted
/// field paths (`metadata.name`, `involvedObject.uid`, `status.phase`, …).
#[derive(Debug, Default, Clone)]
pub struct FieldSelector(Vec<(String, bool, String)>);

impl FieldSelector {
    /// `metadata.name=<name>`, whatever the name holds.
    pub fn name(name: &str) -> Self {
        FieldSelector(vec![("metadata.name".into(), true, name.into())])
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let mut reqs = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (path, equal, value) = if let Some((k, v)) = part.split_once("!=") {
                (k, false, v)
            } else if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                (k, true, v)
            } else {
                return Err(format!("invalid selector: '{part}'; can't understand '{part}'"));
            };
            reqs.push((path.trim().to_string(), equal, value.trim().to_string()));
        }
        Ok(FieldSelector(reqs))
    }

    /// Refuses a requirement on a field the resource does not support, as the API server does
    /// (`field label not supported: …`), so a garbage selector never widens to everything.
    pub fn check_fields(&self, group: &str, plural: &str, namespaced: bool) -> Result<(), String> {
        let supported = field_labels(group, plural, namespaced);
        match self.0.iter().find(|(path, _, _)| !supported.contains(&path.as_str())) {
            Some((path, _, _)) => Err(format!("field label not supported: {path}")),
            None => Ok(()),
        }
    }

    pub fn matches(&self, object: &Value) -> bool {
        self.0.iter().all(|(path, equal, value)| {
            let pointer = format!("/{}", path.replace('.', "/"));
            let actual = match object.pointer(&pointer) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            (actual == *value) == *equal
        })
    }

    /// The value required for `metadata.name`, if the selector pins it (used to short-cut).
    pub fn pinned_name(&self) -> Option<&str> {
        self.0
            .iter()
            .find(|(p, eq, _)| p == "metadata.name" && *eq)
            .map(|(_, _, v)| v.as_str())
    }
}

/// The fields a resource can be selected by: the metadata every kind has, and the few each
/// built-in kind adds (the API server's field label conversions).
fn field_labels(group: &str, plural: &str, namespaced: bool) -> Vec<&'static str> {
    let mut fields = vec!["metadata.name"];
    if namespaced {
        fields.push("metadata.namespace");
    }
    fields.extend_from_slice(match (group, plural) {
        ("", "pods") => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.podIPs",
            "status.nominatedNodeName",
        ][..],
        ("" | "events.k8s.io", "events") => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        ("", "secrets") => &["type"],
        ("", "namespaces") => &["status.phase"],
        ("", "nodes") => &["spec.unschedulable"],
        ("", "services") => &["spec.clusterIP", "spec.type"],
        ("", "replicationcontrollers") | ("apps", "replicasets") => &["status.replicas"],
        ("batch", "jobs") => &["status.successful"],
        ("certificates.k8s.io", "certificatesigningrequests") => &["spec.signerName"],
        _ => &[],
    });
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(labels: Value) -> Value {
        json!({"metadata": {"name": "x", "namespace": "ns", "labels": labels}})
    }

    #[test]
    fn every_operator_selects_as_the_api_server_does() {
        let o = obj(json!({"app": "web", "tier": "front"}));
        let cases = [
            ("app=web", true),
            ("app==web", true),
            ("app!=web", false),
            ("app!=db", true),
            ("app in (web, db)", true),
            ("app notin (web,db)", false),
            ("tier", true),
            ("!tier", false),
            ("!missing", true),
            ("missing", false),
            ("app=web,tier in (front)", true),
            ("app=web,tier=back", false),
            ("", true),
        ];
        for (text, want) in cases {
            let sel = parse_label_selector(text).unwrap();
            assert_eq!(labels_match(&sel, &o), want, "selector {text:?}");
        }
    }

    #[test]
    fn field_selectors_compare_dotted_paths() {
        let o = json!({"metadata": {"name": "x", "namespace": "ns"}, "involvedObject": {"kind": "Pod"}});
        assert!(FieldSelector::parse("metadata.name=x").unwrap().matches(&o));
        assert!(
            FieldSelector::parse("metadata.name=x,metadata.namespace!=other")
                .unwrap()
                .matches(&o)
        );
        assert!(!FieldSelector::parse("metadata.namespace==other").unwrap().matches(&o));
        assert!(FieldSelector::parse("involvedObject.kind=Pod").unwrap().matches(&o));
        assert!(FieldSelector::parse("nonsense").is_err());
    }

    #[test]
    fn selectors_on_unsupported_fields_are_refused() {
        let check =
            |text: &str, plural: &str| FieldSelector::parse(text).and_then(|f| f.check_fields("", plural, true));
        assert_eq!(check("=", "configmaps"), Err("field label not supported: ".into()));
        assert_eq!(check("===!!", "configmaps"), Err("field label not supported: ".into()));
        assert_eq!(
            check("data.x=1", "configmaps"),
            Err("field label not supported: data.x".into())
        );
        assert!(check("a=b=c", "configmaps").is_err());
        assert_eq!(check("metadata.name=x,metadata.namespace!=y", "configmaps"), Ok(()));
        assert_eq!(check("status.phase=Running", "pods"), Ok(()));
        assert_eq!(check("involvedObject.uid=1", "events"), Ok(()));
        assert!(check("status.phase=Running", "configmaps").is_err());
        assert_eq!(check("", "configmaps"), Ok(()));
    }
}
