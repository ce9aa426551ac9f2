//! NATS triggers on a cluster: the controller subscribes to each NATSTrigger's subject (one
//! queue group per trigger and function) and delivers every message to every function the
//! selector matches, through the API server's service proxy.

use std::time::Duration;

use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams};
use serde_json::{Value, json};

use crate::api::text;

use crate::client::kubeless;
use crate::engine::messaging::{Consumer, Consumers, delivery, matching};

pub(crate) async fn set_status(client: &kube::Client, trigger: &Value, ready: bool, reason: &str, message: &str) {
    let current = trigger.pointer("/status/conditions/0");
    if current.is_some_and(|c| c["message"] == json!(message)) {
        return;
    }
    let status = json!({"status": {"conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" },
        "reason": reason, "message": message, "lastTransitionTime": crate::engine::apiserver::objects_now()}]}});
    let api = kubeless::api_for(client, text(trigger, "/metadata/namespace"), text(trigger, "/kind"));
    let _ = api
        .patch_status(
            text(trigger, "/metadata/name"),
            &PatchParams::default(),
            &Patch::Merge(status),
        )
        .await;
}

async fn deliver(client: &kube::Client, namespace: &str, function: &str, payload: &[u8]) {
    let services: Api<k8s_openapi::api::core::v1::Service> = Api::namespaced(client.clone(), namespace);
    let port = match services.get_opt(function).await {
        Ok(Some(s)) => s
            .spec
            .and_then(|s| s.ports)
            .and_then(|p| p.into_iter().next())
            .map(|p| p.port)
            .unwrap_or(8080),
        _ => return,
    };
    let (parts, body) = delivery(payload, "natstriggers.kubeless.io").into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let mut req = http::Request::from_parts(parts, kube::client::Body::from(bytes.to_vec()));
    *req.uri_mut() = format!("/api/v1/namespaces/{namespace}/services/{function}:{port}/proxy/")
        .parse()
        .expect("a valid path");
    if let Err(e) = client.send(req).await {
        tracing::warn!("NATS delivery to {namespace}/{function} failed: {e}");
    }
}

/// Runs the NATS consumers until the process ends.
pub async fn run(client: kube::Client, url: String, leader: std::sync::Arc<std::sync::atomic::AtomicBool>) {
    let nats = loop {
        match async_nats::connect(url.as_str()).await {
            Ok(c) => break c,
            Err(e) => {
                tracing::warn!("cannot connect to NATS at {url}: {e}");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    };
    let mut consumers = Consumers::default();
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        if !leader.load(std::sync::atomic::Ordering::SeqCst) {
            consumers.clear();
            continue;
        }
        let triggers = Api::<DynamicObject>::all_with(client.clone(), &kubeless::resource("NATSTrigger"))
            .list(&ListParams::default())
            .await;
        let functions = Api::<DynamicObject>::all_with(client.clone(), &kubeless::resource("Function"))
            .list(&ListParams::default())
            .await;
        let (Ok(triggers), Ok(functions)) = (triggers, functions) else {
            continue;
        };
        let functions: Vec<Value> = functions.items.iter().map(kubeless::to_value).collect();
        let mut wanted = Vec::new();
        for t in triggers.items.iter().map(kubeless::to_value) {
            let topic = text(&t, "/spec/topic").to_string();
            let matched = matching(&t, &functions);
            let to = if matched.is_empty() {
                "no function yet".to_string()
            } else {
                matched.join(", ")
            };
            set_status(
                &client,
                &t,
                true,
                "Subscribed",
                &format!("subscribed to {topic} on {url}; delivering to {to}"),
            )
            .await;
            let (ns, name) = (
                text(&t, "/metadata/namespace").to_string(),
                text(&t, "/metadata/name").to_string(),
            );
            wanted.extend(
                matched
                    .into_iter()
                    .map(|f| (ns.clone(), name.clone(), f, topic.clone())),
            );
        }
        let deliver_client = client.clone();
        consumers
            .sync(
                &nats,
                wanted,
                move |(ns, _, function, _): Consumer, payload: bytes::Bytes| {
                    let client = deliver_client.clone();
                    async move { deliver(&client, &ns, &function, &payload).await }
                },
            )
            .await;
    }
}

/// Kafka and Kinesis triggers are stored but not consumed by the controller: their status says
/// so instead of leaving them silent.
pub async fn mark_unconsumed(client: kube::Client, leader: std::sync::Arc<std::sync::atomic::AtomicBool>) {
    loop {
        let leading = leader.load(std::sync::atomic::Ordering::SeqCst);
        if leading {
            for (kind, broker) in [("KafkaTrigger", "Kafka"), ("KinesisTrigger", "Kinesis")] {
                let api = Api::<DynamicObject>::all_with(client.clone(), &kubeless::resource(kind));
                let Ok(list) = api.list(&ListParams::default()).await else {
                    continue;
                };
                for t in list.items.iter().map(kubeless::to_value) {
                    let why = format!(
                        "not consumed: kfn's controller has no {broker} client yet; run a {broker} consumer for this trigger"
                    );
                    set_status(&client, &t, false, "NotConsumed", &why).await;
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(if leading { 10 } else { 1 })).await;
    }
}
