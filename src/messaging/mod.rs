//! Message triggers, shared by the local engine and `kfn controller`: which functions a
//! trigger's selector picks, the consumers wanted for them (one NATS queue-group subscription
//! or Kafka consumer group per (trigger, function)), each trigger's Ready condition, and the
//! request a message becomes. Every message reaches every function the trigger's selector
//! matches. The engine's loop is `engine::messaging`, the controller's `controller::messaging`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::body::Body;
use futures::StreamExt;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use kube::core::{Selector, SelectorExt};
use serde_json::Value;

use crate::api::kinds::{ObjectError, TopicSpec, TriggerStatus};

/// Whether labels satisfy a trigger's selector (kube-core's reading of a LabelSelector). An
/// empty selector, or one kube-core cannot read, selects nothing: a trigger names its functions.
pub fn selects(selector: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    match Selector::try_from(selector.clone()) {
        Ok(s) => !s.selects_all() && s.matches(labels),
        Err(_) => false,
    }
}

/// The HTTP request delivering one message, with the headers Kubeless's consumers send.
pub fn delivery(payload: &[u8], source: &str) -> http::Request<Body> {
    let kind = crate::api::event::content_type(payload);
    let now = k8s_openapi::jiff::Timestamp::now()
        .strftime("%Y-%m-%d %H:%M:%S%.f +0000 UTC")
        .to_string();
    http::Request::post("/")
        .header("event-id", crate::api::event::event_id())
        .header("event-time", now)
        .header("event-namespace", source)
        .header("event-type", kind)
        .header("content-type", kind)
        .header(
            "user-agent",
            format!("kfn-{}-trigger/{}", kind_of(source), env!("CARGO_PKG_VERSION")),
        )
        .body(Body::from(payload.to_vec()))
        .expect("a valid request")
}

/// `nats` of `natstriggers.kubeless.io`.
fn kind_of(source: &str) -> &str {
    source.split("triggers").next().unwrap_or(source)
}

/// A message trigger (NATS or Kafka) as the plan reads it: where it is, and its topic and
/// selector.
#[derive(serde::Deserialize, Default)]
pub struct Trigger {
    /// `NATSTrigger`, `KafkaTrigger` (or `KinesisTrigger`, whose status says it is not consumed).
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: TopicSpec,
    #[serde(default)]
    pub status: Option<TriggerStatus>,
}

/// A Function as the plan matches it: its metadata (its code is not read).
#[derive(serde::Deserialize, Default)]
pub struct Named {
    #[serde(default)]
    pub metadata: ObjectMeta,
}

impl Trigger {
    /// Reads a NATS or Kafka trigger from an object as the API answers it.
    pub fn from_object(object: &Value) -> Result<Trigger, ObjectError> {
        crate::api::kinds::from_object(object)
    }

    /// Reads the triggers of a list; one kfn cannot read is left out, and logged once while
    /// its problem stays the same (`said` keeps what was logged, from one list to the next).
    pub fn all(objects: &[Value], said: &mut std::collections::HashSet<String>) -> Vec<Arc<Trigger>> {
        let mut now = std::collections::HashSet::new();
        let triggers = objects
            .iter()
            .filter_map(|o| match Trigger::from_object(o) {
                Ok(t) => Some(Arc::new(t)),
                Err(e) => {
                    let text = e.to_string();
                    if !said.contains(&text) {
                        tracing::warn!("{text}; not consumed until it is fixed");
                    }
                    now.insert(text);
                    None
                }
            })
            .collect();
        *said = now;
        triggers
    }

    /// The status that says `ready` (with the reason and message), or `None` when the
    /// trigger's status says so already.
    pub fn status(&self, ready: bool, reason: &str, message: &str) -> Option<TriggerStatus> {
        let old = self.status.clone().unwrap_or_default();
        let new = TriggerStatus {
            conditions: vec![crate::api::kinds::Condition::ready(
                &old.conditions,
                ready,
                reason,
                message,
            )],
            ..old
        };
        (self.status.as_ref() != Some(&new)).then_some(new)
    }
}

/// The metadata of every function, as the plan matches them (their code is not read).
pub fn function_metadata(functions: &[Value]) -> Vec<ObjectMeta> {
    functions
        .iter()
        .filter_map(|f| serde_json::from_value(f["metadata"].clone()).ok())
        .collect()
}

/// The functions (names) of a trigger's namespace that its selector matches.
pub fn matching(trigger: &Trigger, functions: &[ObjectMeta]) -> Vec<String> {
    let empty = BTreeMap::new();
    functions
        .iter()
        .filter(|f| {
            f.namespace == trigger.metadata.namespace
                && selects(&trigger.spec.function_selector, f.labels.as_ref().unwrap_or(&empty))
        })
        .filter_map(|f| f.name.clone())
        .collect()
}

/// The flows (names) of a trigger's namespace that its `flowSelector` matches (none without one).
pub fn matching_flows(trigger: &Trigger, flows: &[ObjectMeta]) -> Vec<String> {
    let Some(selector) = &trigger.spec.flow_selector else {
        return vec![];
    };
    let empty = BTreeMap::new();
    flows
        .iter()
        .filter(|f| f.namespace == trigger.metadata.namespace && selects(selector, f.labels.as_ref().unwrap_or(&empty)))
        .filter_map(|f| f.name.clone())
        .collect()
}

/// What a consumer delivers to: a function, or a flow (an execution per message). A flow's
/// consumer names it `flow:NAME` in place of a function (a function's name has no `:`).
pub fn flow_target(flow: &str) -> String {
    format!("{FLOW_TARGET}{flow}")
}

/// The flow a consumer delivers to, when it is a flow's.
pub fn target_flow(target: &str) -> Option<&str> {
    target.strip_prefix(FLOW_TARGET)
}

const FLOW_TARGET: &str = "flow:";

/// A consumer: (trigger namespace, trigger, function, topic or subject).
pub type Consumer = (String, String, String, String);

/// The queue group (NATS) or consumer group (Kafka) of a consumer, as Kubeless named them:
/// `<namespace>_<trigger>_<function>_<topic>`.
pub fn group((namespace, trigger, function, topic): &Consumer) -> String {
    format!("{namespace}_{trigger}_{function}_{topic}")
}

/// What a consumer reports: `Ok(what it receives from)` or `Err(why it does not receive yet)`.
pub type Health = Result<String, String>;

/// A message broker triggers consume from.
#[derive(Clone)]
pub enum Broker {
    Nats { url: String, client: async_nats::Client },
    Kafka(crate::kafka::Brokers),
}

impl Broker {
    /// The trigger kind this broker serves.
    pub fn kind(&self) -> &'static str {
        match self {
            Broker::Nats { .. } => "NATSTrigger",
            Broker::Kafka(_) => "KafkaTrigger",
        }
    }

    /// The `event-namespace` header of its deliveries.
    pub fn source(&self) -> &'static str {
        match self {
            Broker::Nats { .. } => "natstriggers.kubeless.io",
            Broker::Kafka(_) => "kafkatriggers.kubeless.io",
        }
    }

    pub fn address(&self) -> &str {
        match self {
            Broker::Nats { url, .. } => url,
            Broker::Kafka(brokers) => brokers.as_str(),
        }
    }

    /// The request delivering one of its messages.
    pub fn delivery(&self, payload: &[u8], topic: &str) -> http::Request<Body> {
        let mut req = delivery(payload, self.source());
        if let Broker::Kafka(_) = self {
            let topic = http::HeaderValue::from_str(topic).unwrap_or(http::HeaderValue::from_static(""));
            req.headers_mut().insert("event-topic", topic);
        }
        req
    }

    /// Receives for one consumer until the task is aborted; a NATS subscription that fails
    /// ends the task, and the next sync starts it again.
    async fn run<D, Fut>(self, consumer: Consumer, report: impl Fn(Health), deliver: D)
    where
        D: Fn(Consumer, bytes::Bytes) -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        let (topic, group) = (consumer.3.clone(), group(&consumer));
        match self {
            Broker::Nats { url, client } => match client.queue_subscribe(topic, group).await {
                Ok(mut sub) => {
                    report(Ok(format!("subscribed on {url}")));
                    while let Some(msg) = sub.next().await {
                        deliver(consumer.clone(), msg.payload).await;
                    }
                }
                Err(e) => report(Err(format!("cannot subscribe on {url}: {e}"))),
            },
            Broker::Kafka(brokers) => {
                let deliver = |payload| deliver(consumer.clone(), payload);
                crate::kafka::consume(&brokers, &group, &topic, report, deliver).await
            }
        }
    }
}

/// The consumers running for one broker, kept in step with its triggers: one per (trigger,
/// function), each delivering every message with `deliver`, each reporting its health.
#[derive(Default)]
pub struct Consumers {
    /// Each running consumer, with the id of its task.
    tasks: HashMap<Consumer, (u64, tokio::task::JoinHandle<()>)>,
    /// What each task last reported: a stopped task that reports late (librdkafka calls
    /// cannot be interrupted) does not speak for its successor, whose id differs.
    health: Arc<parking_lot::Mutex<HashMap<Consumer, (u64, Health)>>>,
    next_id: u64,
}

impl Consumers {
    /// Makes the running consumers exactly `wanted`: stops the others, (re)starts the missing
    /// or ended ones.
    pub fn sync<F, Fut>(&mut self, broker: &Broker, wanted: &[Consumer], deliver: F)
    where
        F: Fn(Consumer, bytes::Bytes) -> Fut + Clone + Send + Sync + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        self.tasks.retain(|k, (_, task)| {
            let keep = wanted.contains(k) && !task.is_finished();
            if !keep {
                task.abort();
            }
            keep
        });
        for key in wanted {
            if self.tasks.contains_key(key) {
                continue;
            }
            self.next_id += 1;
            let id = self.next_id;
            let report = {
                let (health, key) = (self.health.clone(), key.clone());
                move |h: Health| {
                    health.lock().insert(key.clone(), (id, h));
                }
            };
            let task = tokio::spawn(broker.clone().run(key.clone(), report, deliver.clone()));
            self.tasks.insert(key.clone(), (id, task));
        }
    }

    pub fn clear(&mut self) {
        self.tasks.drain().for_each(|(_, (_, t))| t.abort());
        self.health.lock().clear();
    }

    /// Stops every consumer and waits until their tasks are gone.
    pub async fn close(&mut self) {
        for (_, (_, task)) in self.tasks.drain() {
            task.abort();
            let _ = task.await;
        }
    }

    /// What the running task of `consumer` last reported.
    fn health(&self, consumer: &Consumer) -> Health {
        let current = self.tasks.get(consumer).map(|(id, _)| *id);
        let health = self.health.lock();
        match health.get(consumer) {
            Some((id, h)) if Some(*id) == current => h.clone(),
            _ => Err("starting".into()),
        }
    }
}

/// What a trigger's Ready condition says.
#[derive(Debug, PartialEq)]
pub struct Readiness {
    pub ready: bool,
    pub reason: &'static str,
    pub message: String,
}

/// For a broker's triggers: the consumers they need, and each trigger's condition from what
/// its running consumers report.
pub fn plan(
    broker: &Broker,
    triggers: &[Arc<Trigger>],
    functions: &[ObjectMeta],
    consumers: &Consumers,
) -> (Vec<Consumer>, Vec<Readiness>) {
    plan_with_flows(broker, triggers, functions, &[], consumers)
}

/// [`plan`], with the flows (their metadata) a trigger's `flowSelector` may match: each matched
/// flow gets a consumer of its own (see [`flow_target`]).
pub fn plan_with_flows(
    broker: &Broker,
    triggers: &[Arc<Trigger>],
    functions: &[ObjectMeta],
    flows: &[ObjectMeta],
    consumers: &Consumers,
) -> (Vec<Consumer>, Vec<Readiness>) {
    let mut wanted = Vec::new();
    let mut conditions = Vec::new();
    for t in triggers {
        let ns = t.metadata.namespace.as_deref().unwrap_or_default();
        let name = t.metadata.name.as_deref().unwrap_or_default();
        let topic = t.spec.topic.as_str();
        let mut matched = matching(t, functions);
        matched.extend(matching_flows(t, flows).iter().map(|f| flow_target(f)));
        let mine: Vec<Consumer> = matched
            .iter()
            .map(|f| (ns.to_string(), name.to_string(), f.clone(), topic.to_string()))
            .collect();
        let waiting: Vec<String> = mine
            .iter()
            .filter_map(|c| consumers.health(c).err().map(|why| format!("{}: {why}", c.2)))
            .collect();
        let address = broker.address();
        conditions.push(if matched.is_empty() {
            Readiness {
                ready: true,
                reason: "NoFunction",
                message: if t.spec.flow_selector.is_some() {
                    format!("{topic} on {address}: no function or flow matches the selectors yet")
                } else {
                    format!("{topic} on {address}: no function matches the selector yet")
                },
            }
        } else if waiting.is_empty() {
            Readiness {
                ready: true,
                reason: "Subscribed",
                message: format!(
                    "subscribed to {topic} on {address}; delivering to {}",
                    matched.join(", ")
                ),
            }
        } else {
            Readiness {
                ready: false,
                reason: "Subscribing",
                message: format!("subscribing to {topic} on {address}: {}", waiting.join("; ")),
            }
        });
        wanted.extend(mine);
    }
    (wanted, conditions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn selector(v: Value) -> LabelSelector {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn selectors_match_labels_and_expressions() {
        let labels = [("created-by", "kubeless"), ("topic", "t1")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert!(selects(&selector(json!({"matchLabels": {"topic": "t1"}})), &labels));
        assert!(!selects(&selector(json!({"matchLabels": {"topic": "t2"}})), &labels));
        assert!(selects(
            &selector(
                json!({"matchLabels": {}, "matchExpressions": [{"key": "topic", "operator": "In", "values": ["t1", "t3"]}]})
            ),
            &labels
        ));
        assert!(
            !selects(&selector(json!({"matchLabels": {}})), &labels),
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

    #[test]
    fn kafka_deliveries_name_the_topic() {
        let broker = Broker::Kafka(crate::kafka::Brokers::parse("127.0.0.1:9092").unwrap());
        let req = broker.delivery(b"x", "orders");
        assert_eq!(req.headers()["event-topic"], "orders");
        assert_eq!(req.headers()["event-namespace"], "kafkatriggers.kubeless.io");
        assert!(
            req.headers()["user-agent"]
                .to_str()
                .unwrap()
                .starts_with("kfn-kafka-trigger/")
        );
    }

    #[test]
    fn a_flow_selector_adds_a_consumer_per_matching_flow() {
        let broker = Broker::Kafka(crate::kafka::Brokers::parse("k:9092").unwrap());
        let trigger = |flows: Value| {
            Arc::new(
                Trigger::from_object(
                    &json!({"kind": "KafkaTrigger", "metadata": {"name": "t", "namespace": "ns"},
                    "spec": {"topic": "orders", "functionSelector": {}, "flowSelector": flows}}),
                )
                .unwrap(),
            )
        };
        let meta = |name: &str, ns: &str, app: &str| json!({"metadata": {"name": name, "namespace": ns, "labels": {"app": app}}});
        let flows = function_metadata(&[
            meta("pipeline", "ns", "shop"),
            meta("other-ns", "elsewhere", "shop"),
            meta("other-app", "ns", "blog"),
        ]);
        let consumers = Consumers::default();
        let shop = trigger(json!({"matchLabels": {"app": "shop"}}));
        let (wanted, _) = plan_with_flows(&broker, std::slice::from_ref(&shop), &[], &flows, &consumers);
        assert_eq!(
            wanted,
            vec![("ns".into(), "t".into(), "flow:pipeline".into(), "orders".into())]
        );
        assert_eq!(target_flow(&wanted[0].2), Some("pipeline"));
        assert_eq!(target_flow("pipeline"), None, "a function's name is not a flow's");
        let none = trigger(json!({"matchLabels": {"app": "none"}}));
        let (wanted, conditions) = plan_with_flows(&broker, std::slice::from_ref(&none), &[], &flows, &consumers);
        assert!(wanted.is_empty());
        assert!(
            conditions[0].message.contains("no function or flow matches"),
            "{:?}",
            conditions[0]
        );
        let (wanted, _) = plan(&broker, std::slice::from_ref(&shop), &[], &consumers);
        assert!(wanted.is_empty(), "plan alone starts no flow");
    }

    #[tokio::test]
    async fn a_trigger_is_ready_once_every_selected_function_receives() {
        let broker = Broker::Kafka(crate::kafka::Brokers::parse("k:9092").unwrap());
        let trigger = Arc::new(
            Trigger::from_object(
                &json!({"kind": "KafkaTrigger", "metadata": {"name": "t", "namespace": "ns"},
            "spec": {"topic": "orders", "functionSelector": {"matchLabels": {"app": "shop"}}}}),
            )
            .unwrap(),
        );
        let function = |name: &str, ns: &str, app: &str| json!({"metadata": {"name": name, "namespace": ns, "labels": {"app": app}}});
        let functions = function_metadata(&[
            function("f1", "ns", "shop"),
            function("f2", "ns", "shop"),
            function("other-ns", "elsewhere", "shop"),
            function("other-app", "ns", "blog"),
        ]);
        let mut consumers = Consumers::default();
        let (wanted, conditions) = plan(&broker, std::slice::from_ref(&trigger), &functions, &consumers);
        let key = |f: &str| ("ns".to_string(), "t".to_string(), f.to_string(), "orders".to_string());
        assert_eq!(wanted, vec![key("f1"), key("f2")]);
        assert_eq!(group(&wanted[0]), "ns_t_f1_orders");
        assert!(!conditions[0].ready);
        assert_eq!(conditions[0].reason, "Subscribing");
        assert!(
            conditions[0].message.contains("f1: starting; f2: starting"),
            "{:?}",
            conditions[0]
        );

        // The running tasks of f1 and f2 have id TASK; a report of an earlier task is ignored.
        const TASK: u64 = 7;
        for f in ["f1", "f2"] {
            consumers.tasks.insert(key(f), (TASK, tokio::spawn(async {})));
        }
        consumers
            .health
            .lock()
            .insert(key("f1"), (TASK - 1, Ok("stale".into())));
        let (_, conditions) = plan(&broker, std::slice::from_ref(&trigger), &functions, &consumers);
        assert!(conditions[0].message.contains("f1: starting"), "{:?}", conditions[0]);

        consumers
            .health
            .lock()
            .insert(key("f1"), (TASK, Ok("partitions 0".into())));
        consumers
            .health
            .lock()
            .insert(key("f2"), (TASK, Err("waiting for partitions of orders".into())));
        let (_, conditions) = plan(&broker, std::slice::from_ref(&trigger), &functions, &consumers);
        assert_eq!(
            conditions[0].message,
            "subscribing to orders on k:9092: f2: waiting for partitions of orders"
        );

        consumers
            .health
            .lock()
            .insert(key("f2"), (TASK, Ok("partitions 1".into())));
        let (_, conditions) = plan(&broker, std::slice::from_ref(&trigger), &functions, &consumers);
        assert_eq!(
            conditions[0],
            Readiness {
                ready: true,
                reason: "Subscribed",
                message: "subscribed to orders on k:9092; delivering to f1, f2".into()
            }
        );

        let (wanted, conditions) = plan(&broker, std::slice::from_ref(&trigger), &functions[2..], &consumers);
        assert!(wanted.is_empty());
        assert_eq!(conditions[0].reason, "NoFunction");
    }
}
