//! Kafka for KafkaTriggers: one consumer group per (trigger, function), named by
//! `messaging::group` as Kubeless named them, so every selected function receives every message
//! and a restart resumes where the group's committed offsets left off. Both the local engine and
//! `kfn controller` use it.
//!
//! The client (`client.rs`, librdkafka) is compiled with the cargo feature `kafka` (a default);
//! without it `absent.rs` stands in with the same functions, which say why they cannot work.

use anyhow::{Result, bail};

#[cfg(feature = "kafka")]
mod client;
#[cfg(feature = "kafka")]
pub use client::{consume, publish, wait_closed};

#[cfg(not(feature = "kafka"))]
mod absent;
#[cfg(not(feature = "kafka"))]
pub use absent::{consume, publish, wait_closed};

/// Why this kfn cannot use Kafka at all, if it cannot: it was built without the `kafka` feature.
pub const UNAVAILABLE: Option<&str> = if cfg!(feature = "kafka") {
    None
} else {
    Some(WITHOUT_KAFKA)
};

/// What a kfn built without the `kafka` feature says of anything Kafka.
pub const WITHOUT_KAFKA: &str = "this kfn was built without Kafka support (cargo feature `kafka`)";

/// The brokers KafkaTriggers consume from, e.g. `kafka.kubeless:9092,kafka-2.kubeless:9092`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Brokers(String);

impl Brokers {
    /// Parses a comma-separated `host:port` list (a clap value parser: clap names the flag).
    /// For brokers another kfn uses (`kfn install --kafka-brokers`): this one need not be able to.
    pub fn parse(list: &str) -> Result<Self> {
        let entries: Vec<&str> = list.split(',').map(str::trim).collect();
        for entry in &entries {
            let port_ok = entry
                .rsplit_once(':')
                .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0));
            if !port_ok {
                let given = if entry.is_empty() {
                    "an empty entry".to_string()
                } else {
                    format!("`{entry}`")
                };
                bail!(
                    "{given} is not a broker address; give host:port, several separated by commas (e.g. 127.0.0.1:9092)"
                );
            }
        }
        Ok(Self(entries.join(",")))
    }

    /// Parses brokers this kfn is to connect to (a clap value parser): refused, naming the
    /// feature, when it was built without Kafka support.
    pub fn usable(list: &str) -> Result<Self> {
        let brokers = Self::parse(list)?;
        match UNAVAILABLE {
            Some(why) => bail!("{why}, so it cannot connect to Kafka brokers"),
            None => Ok(brokers),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why this process cannot reach the brokers the way its environment asks: kfn speaks to
/// Kafka over plaintext only, so Kubeless's TLS and SASL settings are refused, not ignored.
pub fn unsupported_security() -> Option<String> {
    ["KAFKA_ENABLE_TLS", "KAFKA_ENABLE_SASL"]
        .into_iter()
        .find(|var| std::env::var(var).is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1"))
        .map(|var| format!("{var} is set, but kfn connects to Kafka brokers over plaintext only (no TLS or SASL)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_lists_are_checked() {
        assert_eq!(Brokers::parse("a:9092, b:9093").unwrap().as_str(), "a:9092,b:9093");
        for bad in ["", "host", "host:", ":9092", "host:0", "host:port", "a:9092,,b:1"] {
            let e = Brokers::parse(bad).unwrap_err().to_string();
            assert!(e.contains("is not a broker address; give host:port"), "{bad}: {e}");
        }
        for (bad, named) in [
            ("host", "`host`"),
            ("a:9092,,b:1", "an empty entry"),
            ("h:99999", "`h:99999`"),
        ] {
            let e = Brokers::parse(bad).unwrap_err().to_string();
            assert!(e.starts_with(named), "{bad}: {e}");
        }
    }

    #[test]
    fn brokers_to_connect_to_need_the_feature() {
        let used = Brokers::usable("a:9092");
        if cfg!(feature = "kafka") {
            assert_eq!(used.unwrap().as_str(), "a:9092");
        } else {
            let e = used.unwrap_err().to_string();
            assert!(e.starts_with(WITHOUT_KAFKA), "{e}");
        }
        let e = Brokers::usable("host").unwrap_err().to_string();
        assert!(e.contains("is not a broker address"), "{e}");
    }
}
