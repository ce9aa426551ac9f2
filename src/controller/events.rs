//! Warning Events on the objects the controller fails to reconcile (and Normal ones on scaling), aggregated as client-go's
//! event correlator does: the same object, reason and message again bumps `count` and
//! `lastTimestamp` of one Event instead of writing a new one every retry. (kube's `Recorder`
//! aggregates on the reason alone and would keep showing the first message after the cause
//! changed.)

use std::collections::HashMap;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, Patch, PatchParams, PostParams};
use parking_lot::Mutex;
use serde_json::json;

/// How long an Event is bumped rather than written anew (client-go's correlator uses 10 min).
const AGGREGATE_FOR: Duration = Duration::from_secs(600);

/// What makes two Events the same one.
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
struct Key {
    uid: String,
    type_: &'static str,
    reason: String,
    message: String,
}

/// The Event written for a key: its name, count, and when it was last bumped.
struct Written {
    name: String,
    count: i32,
    at: Instant,
}

pub struct Recorder {
    client: kube::Client,
    component: &'static str,
    written: Mutex<HashMap<Key, Written>>,
}

impl Recorder {
    pub fn new(client: kube::Client, component: &'static str) -> Recorder {
        Recorder {
            client,
            component,
            written: Mutex::new(HashMap::new()),
        }
    }

    /// Records a Warning about `object`: a new Event, or the count of the same one bumped.
    pub async fn warn(&self, object: ObjectReference, reason: &str, message: &str) -> Result<(), kube::Error> {
        self.record("Warning", object, reason, message).await
    }

    /// Records a Normal Event about `object` (`ScaledToZero`, `PreWarmed`), aggregated the same way.
    pub async fn normal(&self, object: ObjectReference, reason: &str, message: &str) -> Result<(), kube::Error> {
        self.record("Normal", object, reason, message).await
    }

    async fn record(
        &self,
        type_: &'static str,
        object: ObjectReference,
        reason: &str,
        message: &str,
    ) -> Result<(), kube::Error> {
        let namespace = object.namespace.clone().unwrap_or_else(|| "default".into());
        let api: Api<Event> = Api::namespaced(self.client.clone(), &namespace);
        let key = Key {
            uid: object.uid.clone().unwrap_or_default(),
            type_,
            reason: reason.to_string(),
            message: message.to_string(),
        };
        let now = Time(Timestamp::now());
        let previous = {
            let mut written = self.written.lock();
            written.retain(|_, w| w.at.elapsed() < AGGREGATE_FOR);
            written.get(&key).map(|w| (w.name.clone(), w.count))
        };
        let (name, count) = match previous {
            Some((name, count)) => {
                let bump = json!({"count": count + 1, "lastTimestamp": now});
                match api.patch(&name, &PatchParams::default(), &Patch::Merge(&bump)).await {
                    Ok(_) => (name, count + 1),
                    // Deleted meanwhile (Events expire): write it again.
                    Err(kube::Error::Api(s)) if s.code == 404 => self.create(&api, type_, object, &key, now).await?,
                    Err(e) => return Err(e),
                }
            }
            None => self.create(&api, type_, object, &key, now).await?,
        };
        self.written.lock().insert(
            key,
            Written {
                name,
                count,
                at: Instant::now(),
            },
        );
        Ok(())
    }

    async fn create(
        &self,
        api: &Api<Event>,
        type_: &'static str,
        object: ObjectReference,
        key: &Key,
        now: Time,
    ) -> Result<(String, i32), kube::Error> {
        let event = Event {
            metadata: ObjectMeta {
                generate_name: Some(format!("{}.", object.name.clone().unwrap_or_default())),
                namespace: object.namespace.clone(),
                ..Default::default()
            },
            involved_object: object,
            type_: Some(type_.into()),
            reason: Some(key.reason.clone()),
            message: Some(key.message.clone()),
            source: Some(EventSource {
                component: Some(self.component.into()),
                ..Default::default()
            }),
            first_timestamp: Some(now.clone()),
            last_timestamp: Some(now),
            count: Some(1),
            ..Default::default()
        };
        let created = api.create(&PostParams::default(), &event).await?;
        Ok((created.metadata.name.unwrap_or_default(), 1))
    }
}
