//! `kfn function logs`: the logs of every replica of a function.

use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;
use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, LogParams};

use super::one_name;
use crate::cli::GlobalArgs;
use crate::client::{self, Connection, Error, kubeless};

#[derive(Args, Debug)]
pub struct LogsArgs {
    /// The function's name
    #[arg(value_name = "FUNCTION_NAME", required = true, num_args = 1, action = clap::ArgAction::Set, add = crate::cli::complete::function_names())]
    pub names: Vec<String>,
    /// Keep printing new lines
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// Only the last N lines of each replica
    #[arg(long, value_name = "N")]
    pub tail: Option<i64>,
    /// Only lines newer than this (e.g. 10s, 5m, 1h)
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
    /// Prefix each line with its time
    #[arg(long)]
    pub timestamps: bool,
}

/// `--since` in whole seconds (at least 1).
fn since_seconds(since: &str) -> Result<i64, Error> {
    crate::api::schedule::go_duration(since)
        .map(|d| d.as_secs().max(1) as i64)
        .map_err(|e| Error::usage(format!("Invalid --since {since:?}: {e}")))
}

pub async fn logs(args: LogsArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let printer = global.printer;
    let name = one_name(&args.names, "function name")?;
    let since = args.since.as_deref().map(since_seconds).transpose()?;
    let conn = client::connect(&global.target()).await?;
    let ns = conn.namespace.clone();
    let pods: Api<Pod> = Api::namespaced(conn.client.clone(), &ns);
    let list = pods
        .list(&ListParams::default().labels(&format!("function={name}")))
        .await
        .map_err(|e| conn.explain(e).context("Can't find the function pod"))?;
    // A pod no node took has no log yet (the API server answers an empty one): a function with
    // only such pods has nothing to show, and says why.
    let placed = super::wait::with_logs(&list.items);
    if placed.is_empty() {
        bail!(no_pod_running(&conn, &ns, &name, &list.items).await);
    }
    for pod in list.items.iter().filter(|p| !super::wait::on_node(p)) {
        printer.warn(&format!(
            "pod {} of function {name} is not on a node yet: it has no log",
            pod.metadata.name.as_deref().unwrap_or_default()
        ));
    }
    let names: Vec<String> = placed.iter().filter_map(|p| p.metadata.name.clone()).collect();
    let params = LogParams {
        follow: args.follow,
        tail_lines: args.tail,
        since_seconds: since,
        timestamps: args.timestamps,
        ..Default::default()
    };
    let mut lines = client::logs::lines(&conn, &ns, &names, &params).await?;
    while let Some(line) = lines.next().await {
        printer.data(&line?)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Kubeless's `No function pod is running: there is no pod ready`, and why: no such function,
/// no pods of it, or what holds its pods.
async fn no_pod_running(conn: &Connection, namespace: &str, name: &str, pods: &[Pod]) -> String {
    let kubeless_words = "No function pod is running: there is no pod ready";
    if !pods.is_empty() {
        return format!(
            "{kubeless_words}: no pod of function {name} in namespace {namespace} is on a node yet{}",
            super::wait::diagnose(conn, namespace, name).await
        );
    }
    match kubeless::functions(conn, namespace).get_opt(name).await {
        Ok(None) => format!("{kubeless_words}: there is no function {name} in namespace {namespace}"),
        _ => format!(
            "{kubeless_words}: function {name} in namespace {namespace} has no pods (is a controller running for this API server? `kfn function describe {name}` says more)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_is_a_duration_of_at_least_a_second() {
        assert_eq!(since_seconds("5m").unwrap(), 300);
        assert_eq!(since_seconds("10ms").unwrap(), 1);
        let err = since_seconds("soon").unwrap_err();
        assert!(matches!(err, Error::Usage(_)));
        assert!(err.to_string().starts_with("Invalid --since \"soon\": "), "{err}");
    }
}
