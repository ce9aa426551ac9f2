//! Stands in for the Kafka client in a kfn built without the `kafka` feature: the same
//! functions, saying that they cannot work. `Brokers::usable` refuses brokers in such a build,
//! so these are reached only by code that got brokers some other way.

use std::time::Duration;

use anyhow::{Result, bail};

use super::{Brokers, WITHOUT_KAFKA};

/// Reports that it cannot consume, then waits until its task is dropped (as the client does).
pub async fn consume<R, D, Fut>(_brokers: &Brokers, _group: &str, _topic: &str, report: R, _deliver: D)
where
    R: Fn(Result<String, String>),
    D: Fn(bytes::Bytes) -> Fut,
    Fut: Future<Output = ()>,
{
    report(Err(WITHOUT_KAFKA.to_string()));
    std::future::pending::<()>().await
}

/// No consumer is ever closing.
pub fn wait_closed(_timeout: Duration) {}

/// Refuses to publish.
pub async fn publish(_brokers: &Brokers, topic: &str, _payload: &[u8]) -> Result<(i32, i64)> {
    bail!("Failed to publish message to topic {topic}: {WITHOUT_KAFKA}")
}
