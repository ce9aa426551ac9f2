//! Message triggers on a cluster: the controller consumes each NATSTrigger's subject (one queue
//! group per trigger and function) and each KafkaTrigger's topic (one consumer group per trigger
//! and function), and delivers every message to every function the selector matches, through
//! the API server's service proxy. A trigger's `flowSelector` also matches Flows: each message
//! then creates one Execution per matching Flow, with the message (JSON, or else a string) as
//! its input.

use std::time::Duration;

use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams};
use serde_json::{Value, json};

use crate::client::kubeless;
use crate::messaging::{Broker, Consumer, Consumers, Trigger, plan_with_flows, target_flow};

/// Writes a Ready condition on a trigger, when its status does not say it already.
pub(crate) async fn set_status(client: &kube::Client, trigger: &Trigger, ready: bool, reason: &str, message: &str) {
    let Some(status) = trigger.status(ready, reason, message) else {
        return;
    };
    let meta = &trigger.metadata;
    let api = kubeless::api_for(client, meta.namespace.as_deref().unwrap_or_default(), &trigger.kind);
    let _ = api
        .patch_status(
            meta.name.as_deref().unwrap_or_default(),
            &PatchParams::default(),
            &Patch::Merge(json!({"status": status})),
        )
        .await;
}

async fn deliver(client: &kube::Client, broker: &Broker, consumer: &Consumer, payload: &[u8]) {
    let (namespace, trigger, function, topic) = consumer;
    if let Some(flow) = target_flow(function) {
        let input = super::flows::input(payload);
        if let Err(e) = super::flows::start_execution(client, namespace, flow, input).await {
            tracing::warn!("trigger {namespace}/{trigger}: cannot start the flow {flow}: {e}");
        }
        return;
    }
    let services: Api<k8s_openapi::api::core::v1::Service> = Api::namespaced(client.clone(), namespace);
    let port = match services.get_opt(function).await {
        Ok(Some(s)) => s
            .spec
            .and_then(|s| s.ports)
            .and_then(|p| p.into_iter().next())
            .map(|p| p.port)
            .unwrap_or(crate::api::kinds::DEFAULT_PORT),
        Ok(None) => {
            tracing::warn!("trigger {namespace}/{trigger}: {function} has no Service; message not delivered");
            return;
        }
        Err(e) => {
            tracing::warn!(
                "trigger {namespace}/{trigger}: cannot read the Service of {function}: {e}; message not delivered"
            );
            return;
        }
    };
    let (parts, body) = broker.delivery(payload, topic).into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let mut req = http::Request::from_parts(parts, kube::client::Body::from(bytes.to_vec()));
    *req.uri_mut() = format!("/api/v1/namespaces/{namespace}/services/{function}:{port}/proxy/")
        .parse()
        .expect("a valid path");
    if let Err(e) = client.send(req).await {
        tracing::warn!("trigger {namespace}/{trigger}: delivery to {function} failed: {e}");
    }
}

async fn list(client: &kube::Client, kind: &str) -> Option<Vec<Value>> {
    let list = Api::<DynamicObject>::all_with(client.clone(), &kubeless::resource(kind))
        .list(&ListParams::default())
        .await
        .ok()?;
    Some(list.items.iter().map(kubeless::to_value).collect())
}

/// Runs the consumers of one broker's triggers (NATSTriggers for NATS, KafkaTriggers for
/// Kafka) while this replica leads, until the process ends.
pub async fn run(client: kube::Client, broker: Broker, leader: std::sync::Arc<std::sync::atomic::AtomicBool>) {
    let mut consumers = Consumers::default();
    let mut said = Default::default();
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        if !leader.load(std::sync::atomic::Ordering::SeqCst) {
            consumers.clear();
            continue;
        }
        let (Some(triggers), Some(functions)) = (list(&client, broker.kind()).await, list(&client, "Function").await)
        else {
            continue;
        };
        let (triggers, functions) = (
            Trigger::all(&triggers, &mut said),
            crate::messaging::function_metadata(&functions),
        );
        // Flows only when some trigger selects them (and a cluster without the Flow CRD is fine).
        let flows = if triggers.iter().any(|t| t.spec.flow_selector.is_some()) {
            super::flows::flow_metadata(&client).await
        } else {
            Vec::new()
        };
        let (wanted, conditions) = plan_with_flows(&broker, &triggers, &functions, &flows, &consumers);
        for (t, c) in triggers.iter().zip(conditions) {
            set_status(&client, t, c.ready, c.reason, &c.message).await;
        }
        let deliver = {
            let (client, broker) = (client.clone(), broker.clone());
            move |consumer: Consumer, payload: bytes::Bytes| {
                let (client, broker) = (client.clone(), broker.clone());
                async move { deliver(&client, &broker, &consumer, &payload).await }
            }
        };
        consumers.sync(&broker, &wanted, deliver);
    }
}

/// Connects to the NATS server, retrying until it answers.
pub async fn connect_nats(url: String) -> Broker {
    loop {
        match async_nats::connect(url.as_str()).await {
            Ok(client) => return Broker::Nats { url, client },
            Err(e) => {
                tracing::warn!("cannot connect to NATS at {url}: {e}");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    }
}

/// Triggers of a kind no consumer runs for (Kinesis always; Kafka without brokers, or with
/// settings kfn cannot honour) get a status that says why, instead of staying silent.
pub async fn mark_unconsumed(
    client: kube::Client,
    kinds: Vec<(&'static str, String)>,
    leader: std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    let mut said: std::collections::HashMap<&str, std::collections::HashSet<String>> = Default::default();
    loop {
        let leading = leader.load(std::sync::atomic::Ordering::SeqCst);
        if leading {
            for (kind, why) in &kinds {
                let listed = list(&client, kind).await.unwrap_or_default();
                for t in Trigger::all(&listed, said.entry(kind).or_default()) {
                    set_status(&client, &t, false, "NotConsumed", why).await;
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(if leading { 10 } else { 1 })).await;
    }
}
