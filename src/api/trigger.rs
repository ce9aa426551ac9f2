//! The trigger objects `trigger … create` submits: Kubeless's fields in the order of its Go
//! types (as `--dryrun -o json` prints them), from the typed specs of `api::kinds`, and the
//! LabelSelector a `--function-selector` text becomes.

use kube::core::Expression;
use serde::Serialize;
use serde_json::{Value, json};

use super::GROUP;
use super::selector::{SelectorError, parse_label_selector};

/// A trigger object of `kind` with the metadata Kubeless sets (`created-by: kubeless`).
pub fn object<S: Serialize>(kind: &str, name: &str, namespace: &str, spec: &S) -> Value {
    json!({
        "kind": kind,
        "apiVersion": format!("{GROUP}/{}", super::VERSION),
        "metadata": {"name": name, "namespace": namespace, "creationTimestamp": null, "labels": {"created-by": "kubeless"}},
        "spec": spec,
    })
}

/// Why a selector text gives no LabelSelector.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FunctionSelectorError {
    #[error("Invalid label selector specified {0}")]
    Syntax(#[from] SelectorError),
    #[error("Invalid label selector specified: it is empty")]
    Empty,
}

/// A selector text as a Kubernetes LabelSelector, as Kubeless writes it: equalities in
/// `matchLabels` (first, as Go orders it), the rest in `matchExpressions`.
pub fn label_selector(text: &str) -> Result<Value, FunctionSelectorError> {
    let mut labels = serde_json::Map::new();
    let mut expressions = Vec::new();
    for e in parse_label_selector(text)? {
        match e {
            Expression::Equal(k, v) => {
                labels.insert(k, json!(v));
            }
            Expression::NotEqual(k, v) => expressions.push(json!({"key": k, "operator": "NotIn", "values": [v]})),
            Expression::In(k, vs) => expressions.push(json!({"key": k, "operator": "In", "values": vs})),
            Expression::NotIn(k, vs) => expressions.push(json!({"key": k, "operator": "NotIn", "values": vs})),
            Expression::Exists(k) => expressions.push(json!({"key": k, "operator": "Exists"})),
            Expression::DoesNotExist(k) => expressions.push(json!({"key": k, "operator": "DoesNotExist"})),
        }
    }
    if labels.is_empty() && expressions.is_empty() {
        return Err(FunctionSelectorError::Empty);
    }
    let mut out = json!({"matchLabels": labels});
    if !expressions.is_empty() {
        out["matchExpressions"] = json!(expressions);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::kinds::{Gateway, HTTPTriggerSpec};

    #[test]
    fn an_http_trigger_in_kubeless_field_order() {
        let spec = HTTPTriggerSpec {
            function_name: "hello".into(),
            host_name: "hello.example.com".into(),
            gateway: Gateway::Nginx,
            ..Default::default()
        };
        let text = object("HTTPTrigger", "h", "default", &spec).to_string();
        assert_eq!(
            text,
            r#"{"kind":"HTTPTrigger","apiVersion":"kubeless.io/v1beta1","metadata":{"name":"h","namespace":"default","creationTimestamp":null,"labels":{"created-by":"kubeless"}},"spec":{"function-name":"hello","host-name":"hello.example.com","tls":false,"tls-secret":"","path":"","basic-auth-secret":"","gateway":"nginx","cors-enable":false}}"#
        );
    }

    #[test]
    fn selectors_keep_equalities_as_match_labels() {
        let s = label_selector("created-by=kubeless,topic=t1").unwrap();
        assert_eq!(s, json!({"matchLabels": {"created-by": "kubeless", "topic": "t1"}}));
        let s = label_selector("app in (a,b),!old").unwrap();
        assert_eq!(s["matchExpressions"][0]["operator"], "In");
        assert_eq!(
            s["matchExpressions"][1],
            json!({"key": "old", "operator": "DoesNotExist"})
        );
        assert_eq!(label_selector(" ").unwrap_err(), FunctionSelectorError::Empty);
        assert!(matches!(label_selector("a b=c"), Err(FunctionSelectorError::Syntax(_))));
    }
}
