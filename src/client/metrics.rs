//! A function's metrics: its replicas' `/metrics` scraped through the service proxy. The
//! Prometheus text is read by the one reader of that format, `runtimes::metrics`.

use super::Result;
use super::proxy::ServiceProxy;

pub use crate::runtimes::metrics::{MethodTotals, by_method, parse};

/// The `/metrics` text of a function's replicas, through its Service.
pub async fn scrape(proxy: &ServiceProxy<'_>) -> Result<String> {
    proxy.get_text("/metrics").await
}
