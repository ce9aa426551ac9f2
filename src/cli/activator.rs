//! `kfn activator`: holds the calls of functions scaled to zero on a cluster until a replica
//! is ready (see docs/autoscaling.md).

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::GlobalArgs;
use crate::client;
use crate::controller::activator;

#[derive(Args, Debug)]
pub struct ActivatorArgs {
    /// Calls held per function while it starts; more get 503 with Retry-After
    #[arg(long, default_value_t = activator::DEFAULT_QUEUE as u64, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub queue: u64,
    /// Port of /healthz and /metrics
    #[arg(long = "metrics-port", default_value_t = 8082)]
    pub metrics_port: u16,
    /// Address the function ports and the metrics are served on
    #[arg(long, default_value = "0.0.0.0")]
    pub address: std::net::IpAddr,
    /// Forward calls through the API server's pods/proxy instead of to the pod's address (for an activator outside the pod network; needs the pods/proxy permission)
    #[arg(long = "via-api-server")]
    pub via_api_server: bool,
    /// Also hold calls of this function on this port, whatever its Service says (NAMESPACE/NAME=PORT; repeatable)
    #[arg(long, value_name = "NAMESPACE/NAME=PORT", value_parser = parse_hold)]
    pub hold: Vec<(String, String, u16)>,
}

/// `NAMESPACE/NAME=PORT`.
fn parse_hold(text: &str) -> Result<(String, String, u16), String> {
    let bad = || format!("{text:?} is not NAMESPACE/NAME=PORT (e.g. default/hello=20001)");
    let (function, port) = text.split_once('=').ok_or_else(bad)?;
    let (ns, name) = function.split_once('/').ok_or_else(bad)?;
    let port: u16 = port.parse().ok().filter(|p| *p > 0).ok_or_else(bad)?;
    if ns.is_empty() || name.is_empty() {
        return Err(bad());
    }
    Ok((ns.to_string(), name.to_string(), port))
}

pub async fn run(args: ActivatorArgs, global: &GlobalArgs) -> Result<ExitCode> {
    crate::output::log::init_tracing();
    let conn = client::connect(&global.target()).await?;
    activator::run(
        conn.client.clone(),
        activator::Options {
            queue: usize::try_from(args.queue).unwrap_or(activator::DEFAULT_QUEUE),
            address: args.address,
            metrics_port: args.metrics_port,
            via_api_server: args.via_api_server,
            hold: args.hold,
        },
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}
