//! `kfn flow`: deploy, update, delete, list and describe Flows (definitions in the Amazon
//! States Language), start and stop their executions, list them and read their history.

mod deploy;
mod show;
mod start;

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
use k8s_openapi::jiff::Timestamp;
use kube::api::Api;
use serde_json::Value;

use super::GlobalArgs;
use crate::api::kinds::{Execution, Flow};
use crate::client::{Connection, Error};

#[derive(Args, Debug)]
pub struct FlowArgs {
    #[command(subcommand)]
    pub command: Option<FlowCommand>,
}

#[derive(Subcommand, Debug)]
pub enum FlowCommand {
    /// Deploy a flow from a definition in the Amazon States Language (JSON or YAML)
    Deploy(deploy::DeployArgs),
    /// Update a flow: a new definition, or how many executions it keeps
    Update(deploy::UpdateArgs),
    /// Delete a flow and its executions
    Delete(FlowName),
    /// List flows
    #[command(visible_alias = "ls")]
    List(show::ListArgs),
    /// Show a flow's states, whether it is ready, and its latest executions
    Describe(show::DescribeArgs),
    /// Start an execution of a flow (--wait: wait for its end and print its output)
    Start(start::StartArgs),
    /// List a flow's executions, newest first
    Executions(show::ExecutionsArgs),
    /// Print an execution's event history
    History(show::HistoryArgs),
    /// Stop a running execution: it ends Aborted
    Stop(start::StopArgs),
}

/// A command that takes one flow's name.
#[derive(Args, Debug)]
pub struct FlowName {
    /// The flow's name
    #[arg(value_name = "FLOW_NAME")]
    pub name: String,
}

pub async fn run(args: FlowArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let Some(command) = args.command else {
        return super::print_help(global.printer, &["flow"]);
    };
    match command {
        FlowCommand::Deploy(a) => deploy::deploy(a, global).await,
        FlowCommand::Update(a) => deploy::update(a, global).await,
        FlowCommand::Delete(a) => deploy::delete(a, global).await,
        FlowCommand::List(a) => show::list(a, global).await,
        FlowCommand::Describe(a) => show::describe(a, global).await,
        FlowCommand::Start(a) => start::start(a, global).await,
        FlowCommand::Executions(a) => show::executions(a, global).await,
        FlowCommand::History(a) => show::history(a, global).await,
        FlowCommand::Stop(a) => start::stop(a, global).await,
    }
}

fn flows(conn: &Connection) -> Api<Flow> {
    Api::namespaced(conn.client.clone(), &conn.namespace)
}

fn executions(conn: &Connection) -> Api<Execution> {
    Api::namespaced(conn.client.clone(), &conn.namespace)
}

/// The flow `name`, or the not-found error in the words the other commands use.
async fn get_flow(conn: &Connection, name: &str) -> Result<Flow, Error> {
    match flows(conn).get_opt(name).await {
        Ok(Some(f)) => Ok(f),
        Ok(None) => Err(flow_not_found(conn, name)),
        Err(e) => Err(conn.explain(e).concerning(format!("flow {}/{name}", conn.namespace))),
    }
}

fn flow_not_found(conn: &Connection, name: &str) -> Error {
    Error::not_found(
        format!("flow {}/{name}", conn.namespace),
        format!("Flow {name} is not found in namespace {}", conn.namespace),
    )
}

/// The execution `name`, or the not-found error.
async fn get_execution(conn: &Connection, name: &str) -> Result<Execution, Error> {
    match executions(conn).get_opt(name).await {
        Ok(Some(e)) => Ok(e),
        Ok(None) => Err(Error::not_found(
            format!("execution {}/{name}", conn.namespace),
            format!("Execution {name} is not found in namespace {}", conn.namespace),
        )),
        Err(e) => Err(conn
            .explain(e)
            .concerning(format!("execution {}/{name}", conn.namespace))),
    }
}

/// How a file's text is read: by its name's ending, else JSON if it parses, else YAML.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Syntax {
    Json,
    Yaml,
    Sniff,
}

fn syntax(path: &Path) -> Syntax {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if name.ends_with(".json") {
        Syntax::Json
    } else if name.ends_with(".yaml") || name.ends_with(".yml") {
        Syntax::Yaml
    } else {
        Syntax::Sniff
    }
}

/// Reads a JSON or YAML document from `text` (`what` names it in errors: `--from-file def.json`).
fn parse_document(text: &str, syntax: Syntax, what: &str) -> Result<Value, Error> {
    let json = || serde_json::from_str::<Value>(text);
    let yaml = || serde_saphyr::from_str::<Value>(text);
    match syntax {
        Syntax::Json => json().map_err(|e| Error::usage(format!("{what} is not valid JSON: {e}"))),
        Syntax::Yaml => yaml().map_err(|e| Error::usage(format!("{what} is not valid YAML: {e}"))),
        Syntax::Sniff => json()
            .or_else(|_| yaml())
            .map_err(|e| Error::usage(format!("{what} is neither JSON nor YAML: {e}"))),
    }
}

/// Reads the file given with `flag` as JSON or YAML.
fn read_document(path: &Path, flag: &str) -> Result<Value, Error> {
    let what = format!("{flag} {}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| Error::usage(format!("Cannot read {what}: {e}")))?;
    parse_document(&text, syntax(path), &what)
}

/// How long ago `since` (RFC 3339) was, as the tables show ages: `42s`, `5m`, `2h`; `-` when
/// unknown.
fn age(since: Option<Timestamp>, now: Timestamp) -> String {
    match since {
        Some(t) => {
            let secs = (now.as_second() - t.as_second()).max(0) as u64;
            crate::scaling::proactive::human(std::time::Duration::from_secs(secs))
        }
        None => "-".into(),
    }
}

/// A time of the status (RFC 3339).
fn timestamp(text: &str) -> Option<Timestamp> {
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_are_read_as_json_or_yaml_by_their_name_or_their_text() {
        assert_eq!(syntax(Path::new("order.asl.json")), Syntax::Json);
        assert_eq!(syntax(Path::new("order.YML")), Syntax::Yaml);
        assert_eq!(syntax(Path::new("order.asl")), Syntax::Sniff);
        let yaml = "StartAt: A\nStates:\n  A:\n    Type: Succeed\n";
        let value = parse_document(yaml, Syntax::Sniff, "--from-file f").unwrap();
        assert_eq!(value["StartAt"], "A");
        let err = parse_document("{\"StartAt\": ", Syntax::Json, "--from-file f.json").unwrap_err();
        assert!(
            err.to_string().starts_with("--from-file f.json is not valid JSON"),
            "{err}"
        );
    }
}
