//! The Kafka client, through librdkafka (the `rdkafka` crate): built with the `kafka` feature.

use std::time::Duration;

use anyhow::{Context, Result};
use rdkafka::ClientConfig;
use rdkafka::Message;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};

use super::Brokers;

fn config(brokers: &Brokers) -> ClientConfig {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", brokers.as_str())
        .set("client.id", concat!("kfn/", env!("CARGO_PKG_VERSION")))
        .set("log_level", "3");
    config
}

/// Consumes `topic` in consumer group `group` until the task is dropped. `report` hears
/// `Ok(partitions)` once partitions are assigned (a new group starts at the end of each
/// partition: messages published from then on are delivered) and `Err(why)` while it cannot
/// consume. Each message goes to `deliver` in order; its offset is stored once `deliver`
/// returns, whatever the function answered (as Kubeless did), and committed within 5 s or when
/// the consumer closes: delivery is at least once (a crash can repeat the last seconds' calls;
/// a message published while a new group is still joining may be missed).
pub async fn consume<R, D, Fut>(brokers: &Brokers, group: &str, topic: &str, report: R, deliver: D)
where
    R: Fn(Result<String, String>),
    D: Fn(bytes::Bytes) -> Fut,
    Fut: Future<Output = ()>,
{
    let consumer: StreamConsumer = match config(brokers)
        .set("group.id", group)
        .set("auto.offset.reset", "latest")
        .set("enable.auto.offset.store", "false")
        .set("session.timeout.ms", "6000")
        .set("heartbeat.interval.ms", "1000")
        .set("topic.metadata.refresh.interval.ms", "5000")
        .create()
    {
        Ok(c) => c,
        Err(e) => return report(Err(format!("cannot create a Kafka consumer: {e}"))),
    };
    let guard = Closing(Some(consumer));
    let consumer = guard.0.as_ref().expect("a consumer until dropped");
    if let Err(e) = consumer.subscribe(&[topic]) {
        return report(Err(format!("cannot subscribe to {topic}: {e}")));
    }
    report(Err(format!("joining consumer group {group}")));
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    // Partitions known to have a committed offset for the group.
    let mut anchored: Vec<i32> = Vec::new();
    loop {
        tokio::select! {
            received = consumer.recv() => match received {
                Ok(message) => {
                    let payload = bytes::Bytes::copy_from_slice(message.payload().unwrap_or_default());
                    deliver(payload).await;
                    if let Err(e) = consumer.store_offset_from_message(&message) {
                        tracing::warn!("Kafka group {group}: cannot store the offset: {e}");
                    }
                }
                Err(e) => {
                    report(Err(format!("{topic}: {e}")));
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            },
            _ = tick.tick() => {
                let partitions: Vec<i32> = consumer
                    .assignment()
                    .map(|a| a.elements().iter().map(|e| e.partition()).collect())
                    .unwrap_or_default();
                anchored.retain(|p| partitions.contains(p));
                let fresh: Vec<i32> = partitions.iter().copied().filter(|p| !anchored.contains(p)).collect();
                if !fresh.is_empty() {
                    match tokio::task::block_in_place(|| anchor(consumer, topic, &fresh)) {
                        Ok(()) => anchored.extend(fresh),
                        Err(e) => tracing::warn!("Kafka group {group}: cannot commit the starting offsets: {e}"),
                    }
                }
                if partitions.is_empty() {
                    report(Err(format!(
                        "no partition of {topic} assigned yet (the group is joining, or the topic does not exist)"
                    )));
                } else if partitions.iter().all(|p| anchored.contains(p)) {
                    let list: Vec<String> = partitions.iter().map(i32::to_string).collect();
                    report(Ok(format!("partitions {}", list.join(","))));
                }
            }
        }
    }
}

/// Owns a consumer and closes it on a thread of its own when dropped (when its task is aborted):
/// closing commits the offsets and leaves the group, so the next member takes over at once, but
/// librdkafka blocks while it does, which the async runtime must not.
struct Closing(Option<StreamConsumer>);

static CLOSING: std::sync::Mutex<Vec<std::thread::JoinHandle<()>>> = std::sync::Mutex::new(Vec::new());

impl Drop for Closing {
    fn drop(&mut self) {
        if let Some(consumer) = self.0.take() {
            let closing = std::thread::spawn(move || drop(consumer));
            let mut pending = CLOSING.lock().expect("closing lock");
            pending.retain(|c| !c.is_finished());
            pending.push(closing);
        }
    }
}

/// Waits (up to `timeout`) for the consumers being closed to have left their groups.
pub fn wait_closed(timeout: Duration) {
    let deadline = std::time::Instant::now() + timeout;
    let pending: Vec<_> = CLOSING.lock().expect("closing lock").drain(..).collect();
    for closing in pending {
        while !closing.is_finished() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Commits a starting offset (the partition's end) for each of `partitions` that has none, so
/// that a group that has delivered nothing yet still resumes from there after a restart instead
/// of skipping to the end again (which would lose what was published while it was down).
/// Blocking: librdkafka answers these queries synchronously.
fn anchor(consumer: &StreamConsumer, topic: &str, partitions: &[i32]) -> rdkafka::error::KafkaResult<()> {
    let timeout = Duration::from_secs(5);
    let mut asked = TopicPartitionList::new();
    for &p in partitions {
        asked.add_partition(topic, p);
    }
    let committed = consumer.committed_offsets(asked, timeout)?;
    let mut start = TopicPartitionList::new();
    for e in committed.elements() {
        if e.offset() == Offset::Invalid {
            let (_, high) = consumer.fetch_watermarks(topic, e.partition(), timeout)?;
            start.add_partition_offset(topic, e.partition(), Offset::Offset(high))?;
        }
    }
    if start.count() > 0 {
        consumer.commit(&start, CommitMode::Sync)?;
    }
    Ok(())
}

/// Publishes one message and returns its (partition, offset).
pub async fn publish(brokers: &Brokers, topic: &str, payload: &[u8]) -> Result<(i32, i64)> {
    let producer: FutureProducer = config(brokers)
        .set("message.timeout.ms", "5000")
        .create()
        .context("cannot create a Kafka producer")?;
    let delivered = producer
        .send(
            FutureRecord::<(), [u8]>::to(topic).payload(payload),
            Duration::from_secs(5),
        )
        .await
        .map_err(|(e, _)| match e.rdkafka_error_code() {
            Some(RDKafkaErrorCode::MessageTimedOut) => anyhow::anyhow!(
                "Failed to publish message to topic {topic}: no Kafka broker at {} (--brokers or KAFKA_BROKERS) took it within 5 s",
                brokers.as_str()
            ),
            _ => anyhow::anyhow!("Failed to publish message to topic {topic} on {}: {e}", brokers.as_str()),
        })?;
    Ok((delivered.partition, delivered.offset))
}
