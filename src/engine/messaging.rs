//! The local engine's message-trigger loop: connects to the NATS server and Kafka brokers it
//! is given, runs the consumers `messaging::plan_with_flows` wants for the stored triggers,
//! functions and flows, delivers each message through the service proxy (or starts an
//! execution of each flow a trigger's `flowSelector` matches, with the message as its input),
//! and writes each trigger's Ready condition.
//! Kinesis triggers are stored; their status says they are not consumed.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::objects::Parsed;
use super::objects::{self, Objects};
use super::replicas::{self, Replicas};
use crate::messaging::{Broker, Consumer, Consumers, Named, Trigger, plan_with_flows, target_flow};

/// Writes a Ready condition on a trigger, when its status does not say it already.
fn set_status(objects: &Objects, trigger: &Trigger, ready: bool, reason: &str, message: &str) {
    let plural = format!("{}s", trigger.kind.to_lowercase());
    let Some(def) = objects.registry().find(crate::api::GROUP, crate::api::VERSION, &plural) else {
        return;
    };
    let Some(status) = trigger.status(ready, reason, message) else {
        return;
    };
    let meta = &trigger.metadata;
    let (ns, name) = (
        meta.namespace.as_deref().unwrap_or_default(),
        meta.name.as_deref().unwrap_or_default(),
    );
    let _ = objects::modify(objects, &def, Some(ns), name, |t| t["status"] = json!(status));
}

/// How the engine reaches one kind of broker: connected, or why not.
struct Link {
    resource: &'static str,
    broker: std::result::Result<Broker, String>,
    consumers: Consumers,
    /// Its triggers, each stored version read once.
    read: Parsed<Trigger>,
    /// A NATS server that did not answer: tried again every 10 s, the last time at `.1`.
    reconnect: Option<(String, std::time::Instant)>,
}

async fn connect_nats(url: &str) -> std::result::Result<Broker, String> {
    match tokio::time::timeout(Duration::from_secs(2), async_nats::connect(url)).await {
        Ok(Ok(client)) => Ok(Broker::Nats {
            url: url.to_string(),
            client,
        }),
        Ok(Err(e)) => {
            tracing::warn!("cannot connect to NATS at {url}: {e}");
            Err(format!(
                "cannot connect to the NATS server {url}: {e} (tried again every 10 s)"
            ))
        }
        Err(_) => Err(format!(
            "cannot connect to the NATS server {url}: no answer within 2 s (tried again every 10 s)"
        )),
    }
}

/// Stops the message-trigger loop.
pub struct Stop(tokio::sync::mpsc::Sender<tokio::sync::oneshot::Sender<()>>);

impl Stop {
    /// Stops every consumer; Kafka consumers leave their groups (committing their offsets), so
    /// the next start takes their partitions over without waiting for a session timeout.
    pub async fn stop(self) {
        let (ack, done) = tokio::sync::oneshot::channel();
        if self.0.send(ack).await.is_ok() {
            let _ = done.await;
        }
        let _ = tokio::task::spawn_blocking(|| crate::kafka::wait_closed(Duration::from_secs(5))).await;
    }
}

/// Starts the message-trigger loop: NATS triggers consume from `nats` (a server URL), Kafka
/// triggers from `kafka` (brokers); Kinesis triggers are stored only.
pub fn start(
    objects: Arc<Objects>,
    replicas: Arc<Replicas>,
    nats: Option<String>,
    kafka: Option<crate::kafka::Brokers>,
) -> Stop {
    let (stop, mut stopped) = tokio::sync::mpsc::channel::<tokio::sync::oneshot::Sender<()>>(1);
    tokio::spawn(async move {
        let reconnect = nats.clone().map(|url| (url, std::time::Instant::now()));
        let nats = match &nats {
            Some(url) => connect_nats(url).await,
            None => Err("no NATS server is configured for the local engine: start it with `kfn local start --nats nats://HOST:4222`".into()),
        };
        let kafka = match kafka {
            Some(brokers) => match crate::kafka::unsupported_security() {
                Some(why) => Err(why),
                None => Ok(Broker::Kafka(brokers)),
            },
            None => Err(match crate::kafka::UNAVAILABLE {
                Some(why) => format!("not consumed: {why}"),
                None => "no Kafka broker is configured for the local engine: start it with `kfn local start --kafka HOST:9092`"
                    .into(),
            }),
        };
        let mut links = [
            Link {
                resource: "kubeless.io/natstriggers",
                broker: nats,
                consumers: Consumers::default(),
                read: Parsed::default(),
                reconnect,
            },
            Link {
                resource: "kubeless.io/kafkatriggers",
                broker: kafka,
                consumers: Consumers::default(),
                read: Parsed::default(),
                reconnect: None,
            },
        ];
        // Each stored version is read once (a Function's code is not read at all).
        let (mut kinesis_read, mut functions_read) = (Parsed::<Trigger>::default(), Parsed::<Named>::default());
        let mut flows_read = Parsed::<Named>::default();
        loop {
            let (kinesis, _) = objects.store.list("kubeless.io/kinesistriggers", None);
            for t in kinesis_read.read(&kinesis) {
                let why = "no Kinesis client in the local engine: the trigger is stored, not consumed";
                set_status(&objects, &t, false, "NoBroker", why);
            }
            let (functions, _) = objects.store.list("kubeless.io/functions", None);
            let functions: Vec<_> = functions_read
                .read(&functions)
                .iter()
                .map(|f| f.metadata.clone())
                .collect();
            let (flows, _) = objects.store.list(super::flows::FLOWS, None);
            let flows: Vec<_> = flows_read.read(&flows).iter().map(|f| f.metadata.clone()).collect();
            for link in &mut links {
                if let (Err(_), Some((url, tried))) = (&link.broker, &mut link.reconnect)
                    && tried.elapsed() >= Duration::from_secs(10)
                {
                    *tried = std::time::Instant::now();
                    link.broker = connect_nats(url).await;
                }
                let (triggers, _) = objects.store.list(link.resource, None);
                let triggers = link.read.read(&triggers);
                let broker = match &link.broker {
                    Ok(broker) => broker,
                    Err(why) => {
                        triggers
                            .iter()
                            .for_each(|t| set_status(&objects, t, false, "NoBroker", why));
                        continue;
                    }
                };
                let (wanted, conditions) = plan_with_flows(broker, &triggers, &functions, &flows, &link.consumers);
                for (t, c) in triggers.iter().zip(&conditions) {
                    set_status(&objects, t, c.ready, c.reason, &c.message);
                }
                let deliver = {
                    let (replicas, broker, objects) = (replicas.clone(), broker.clone(), objects.clone());
                    move |(ns, trigger, function, topic): Consumer, payload: bytes::Bytes| {
                        let (replicas, req) = (replicas.clone(), broker.delivery(&payload, &topic));
                        let objects = objects.clone();
                        async move {
                            if let Some(flow) = target_flow(&function) {
                                let input = super::flows::input(&payload);
                                if let Err(e) = super::flows::start_execution(&objects, &ns, flow, input) {
                                    tracing::warn!(
                                        "trigger {ns}/{trigger}: cannot start the flow {flow}: {}",
                                        e.message
                                    );
                                }
                                return;
                            }
                            match replicas::forward(&replicas, &ns, &function, "/", req).await {
                                Ok(resp) => {
                                    let _ = axum::body::to_bytes(resp.into_body(), 16 * 1024 * 1024).await;
                                }
                                Err(e) => tracing::warn!(
                                    "trigger {ns}/{trigger}: cannot deliver to {function}: {}",
                                    e.message
                                ),
                            }
                        }
                    }
                };
                link.consumers.sync(broker, &wanted, deliver);
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                Some(ack) = stopped.recv() => {
            for link in &mut links {
                        link.consumers.close().await;
                    }
                    let _ = ack.send(());
                    return;
                }
            }
        }
    });
    Stop(stop)
}
