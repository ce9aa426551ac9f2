//! Message triggers on the local engine. NATS: with a server configured (`--nats`), the engine
//! subscribes to each NATSTrigger's subject with one queue group per (trigger, function) and
//! delivers every message to every function its selector matches. Kafka and Kinesis triggers
//! are stored; their status says no broker is configured.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use base64::Engine;
use futures::StreamExt;
use serde_json::{Value, json};

use crate::api::text;

use super::apiserver::{self, ApiServer};

/// Whether labels satisfy a LabelSelector object (`matchLabels`, `matchExpressions`).
pub fn selects(selector: &Value, labels: &std::collections::BTreeMap<String, String>) -> bool {
    let labels_ok = selector["matchLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str());
    let expressions_ok = selector["matchExpressions"].as_array().into_iter().flatten().all(|e| {
        let key = e["key"].as_str().unwrap_or_default();
        let values: Vec<&str> = e["values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        match e["operator"].as_str() {
            Some("In") => labels.get(key).is_some_and(|v| values.contains(&v.as_str())),
            Some("NotIn") => labels.get(key).is_none_or(|v| !values.contains(&v.as_str())),
            Some("Exists") => labels.contains_key(key),
            Some("DoesNotExist") => !labels.contains_key(key),
            _ => false,
        }
    });
    let empty = selector["matchLabels"].as_object().is_none_or(|m| m.is_empty())
        && selector["matchExpressions"].as_array().is_none_or(Vec::is_empty);
    !empty && labels_ok && expressions_ok
}

/// The HTTP request delivering one message, with the headers Kubeless's consumers send.
pub fn delivery(payload: &[u8], source: &str) -> http::Request<Body> {
    let json_object = serde_json::from_slice::<Value>(payload).is_ok_and(|v| v.is_object());
    let kind = if json_object {
        "application/json"
    } else {
        "application/x-www-form-urlencoded"
    };
    let mut id = [0u8; 11];
    let _ = getrandom::fill(&mut id);
    let now = k8s_openapi::jiff::Timestamp::now()
        .strftime("%Y-%m-%d %H:%M:%S%.f +0000 UTC")
        .to_string();
    http::Request::post("/")
        .header("event-id", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id))
        .header("event-time", now)
        .header("event-namespace", source)
        .header("event-type", kind)
        .header("content-type", kind)
        .header("user-agent", "kfn-nats-trigger")
        .body(Body::from(payload.to_vec()))
        .expect("a valid request")
}

/// The functions (names) of a trigger's namespace that its selector matches.
pub fn matching(trigger: &Value, functions: &[Value]) -> Vec<String> {
    let ns = text(trigger, "/metadata/namespace");
    functions
        .iter()
        .filter(|f| {
            text(f, "/metadata/namespace") == ns
                && selects(&trigger["spec"]["functionSelector"], &crate::api::labels_of(f))
        })
        .map(|f| text(f, "/metadata/name").to_string())
        .collect()
}

/// A consumer: (trigger namespace, trigger, function, subject).
pub type Consumer = (String, String, String, String);

/// The NATS consumers running, kept in step with the triggers: one queue-group subscription
/// per (trigger, function), delivering each message with `deliver`.
#[derive(Default)]
pub struct Consumers(HashMap<Consumer, tokio::task::JoinHandle<()>>);

impl Consumers {
    /// Makes the running consumers exactly `wanted`, starting the missing ones.
    pub async fn sync<F, Fut>(&mut self, nats: &async_nats::Client, wanted: Vec<Consumer>, deliver: F)
    where
        F: Fn(Consumer, bytes::Bytes) -> Fut + Clone + Send + Sync + 'static,
        Fut: std::future::Future<Output = ()> + Send,
    {
        self.0.retain(|k, task| {
            let keep = wanted.contains(k);
            if !keep {
                task.abort();
            }
            keep
        });
        for key in wanted {
            if self.0.contains_key(&key) {
                continue;
            }
            let group = format!("{}_{}_{}_{}", key.0, key.1, key.2, key.3);
            let Ok(mut sub) = nats.queue_subscribe(key.3.clone(), group).await else {
                continue;
            };
            let (deliver, consumer) = (deliver.clone(), key.clone());
            let task = tokio::spawn(async move {
                while let Some(msg) = sub.next().await {
                    deliver(consumer.clone(), msg.payload).await;
                }
            });
            self.0.insert(key, task);
        }
    }

    pub fn clear(&mut self) {
        self.0.drain().for_each(|(_, t)| t.abort());
    }
}

/// Writes a Ready condition on a trigger.
fn set_status(server: &Arc<ApiServer>, trigger: &Value, ready: bool, reason: &str, message: &str) {
    let plural = format!("{}s", text(trigger, "/kind").to_lowercase());
    let Some(def) = server.registry().find("kubeless.io", "v1beta1", &plural) else {
        return;
    };
    let current = trigger.pointer("/status/conditions/0");
    if current.is_some_and(|c| c["message"] == json!(message) && c["reason"] == json!(reason)) {
        return;
    }
    let mut t = trigger.clone();
    t["status"] = json!({"conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" },
        "reason": reason, "message": message, "lastTransitionTime": apiserver::objects_now()}]});
    let ns = text(trigger, "/metadata/namespace").to_string();
    let _ = apiserver::upsert(server, &def, Some(&ns), t);
}

/// Starts the message-trigger loop; `nats` is the NATS server URL, if any.
pub fn start(server: Arc<ApiServer>, nats: Option<String>) {
    tokio::spawn(async move {
        let client = match &nats {
            Some(url) => match async_nats::connect(url.as_str()).await {
                Ok(c) => Some(c),
                Err(e) => {
                    tracing::warn!("cannot connect to NATS at {url}: {e}");
                    None
                }
            },
            None => None,
        };
        let mut consumers = Consumers::default();
        loop {
            for (resource, broker) in [
                ("kubeless.io/kafkatriggers", "Kafka"),
                ("kubeless.io/kinesistriggers", "Kinesis"),
            ] {
                let (triggers, _) = server.store.list(resource, None);
                for t in triggers {
                    set_status(
                        &server,
                        &t.value,
                        false,
                        "NoBroker",
                        &format!(
                            "no {broker} broker is configured for the local engine: the trigger is stored, not consumed"
                        ),
                    );
                }
            }
            let (triggers, _) = server.store.list("kubeless.io/natstriggers", None);
            let (functions, _) = server.store.list("kubeless.io/functions", None);
            let functions: Vec<Value> = functions.iter().map(|f| f.value.clone()).collect();
            let mut wanted = Vec::new();
            for t in triggers.iter().map(|t| &t.value) {
                let topic = text(t, "/spec/topic");
                if client.is_none() {
                    let why = match &nats {
                        Some(url) => format!("cannot connect to the NATS server {url}"),
                        None => "no NATS server is configured for the local engine: start it with `kfn local start --nats nats://HOST:4222`".into(),
                    };
                    set_status(&server, t, false, "NoBroker", &why);
                    continue;
                }
                let matched = matching(t, &functions);
                let to = if matched.is_empty() {
                    "no function yet".to_string()
                } else {
                    matched.join(", ")
                };
                set_status(
                    &server,
                    t,
                    true,
                    "Subscribed",
                    &format!(
                        "subscribed to {topic} on {}; delivering to {to}",
                        nats.as_deref().unwrap_or_default()
                    ),
                );
                let (ns, name) = (text(t, "/metadata/namespace"), text(t, "/metadata/name"));
                wanted.extend(
                    matched
                        .into_iter()
                        .map(|f| (ns.to_string(), name.to_string(), f, topic.to_string())),
                );
            }
            if let Some(client) = &client {
                let server = server.clone();
                consumers
                    .sync(
                        client,
                        wanted,
                        move |(ns, trigger, function, _): Consumer, payload: bytes::Bytes| {
                            let server = server.clone();
                            async move {
                                let req = delivery(&payload, "natstriggers.kubeless.io");
                                match apiserver::forward(&server, &ns, &function, "/", req).await {
                                    Ok(resp) => {
                                        let _ = axum::body::to_bytes(resp.into_body(), 16 * 1024 * 1024).await;
                                    }
                                    Err(e) => tracing::warn!(
                                        "NATS trigger {ns}/{trigger}: cannot deliver to {function}: {}",
                                        e.message
                                    ),
                                }
                            }
                        },
                    )
                    .await;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_match_labels_and_expressions() {
        let labels = [("created-by", "kubeless"), ("topic", "t1")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert!(selects(&json!({"matchLabels": {"topic": "t1"}}), &labels));
        assert!(!selects(&json!({"matchLabels": {"topic": "t2"}}), &labels));
        assert!(selects(
            &json!({"matchLabels": {}, "matchExpressions": [{"key": "topic", "operator": "In", "values": ["t1", "t3"]}]}),
            &labels
        ));
        assert!(
            !selects(&json!({"matchLabels": {}}), &labels),
            "an empty selector selects nothing"
        );
        let req = delivery(br#"{"a":1}"#, "natstriggers.kubeless.io");
        assert_eq!(req.headers()["event-type"], "application/json");
        assert!(req.headers()["event-time"].to_str().unwrap().ends_with("+0000 UTC"));
        assert_eq!(
            delivery(b"plain", "x").headers()["content-type"],
            "application/x-www-form-urlencoded"
        );
    }
}
