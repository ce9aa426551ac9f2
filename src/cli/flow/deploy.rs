//! `flow deploy`, `flow update` and `flow delete`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use kube::api::{DeleteParams, ListParams, PostParams};
use serde_json::Value;

use super::{FlowName, executions, flow_not_found, flows, get_flow, read_document};
use crate::api::kinds::{FLOW_LABEL, Flow, FlowSpec};
use crate::cli::GlobalArgs;
use crate::client::{self, Error};
use crate::output;

#[derive(Args, Debug)]
pub struct DeployArgs {
    /// The flow's name
    #[arg(value_name = "FLOW_NAME")]
    pub name: String,
    /// The definition, in the Amazon States Language: JSON (.asl.json, .json) or YAML (.yaml, .yml)
    #[arg(long = "from-file", value_name = "FILE", required = true)]
    pub from_file: PathBuf,
    /// Finished executions to keep, the oldest deleted first (default: 100)
    #[arg(long = "keep-executions", value_name = "N")]
    pub keep_executions: Option<u32>,
    /// Print the Flow instead of creating it
    #[arg(long)]
    pub dryrun: bool,
    /// Output format of --dryrun: yaml or json
    #[arg(short = 'o', long, default_value = "yaml")]
    pub output: String,
}

#[derive(Args, Debug)]
pub struct UpdateArgs {
    /// The flow's name
    #[arg(value_name = "FLOW_NAME")]
    pub name: String,
    /// A new definition (JSON or YAML); running executions keep the one they started with
    #[arg(long = "from-file", value_name = "FILE")]
    pub from_file: Option<PathBuf>,
    /// Finished executions to keep
    #[arg(long = "keep-executions", value_name = "N")]
    pub keep_executions: Option<u32>,
    /// Print the Flow instead of updating it
    #[arg(long)]
    pub dryrun: bool,
    /// Output format of --dryrun: yaml or json
    #[arg(short = 'o', long, default_value = "yaml")]
    pub output: String,
}

/// Reads the definition `--from-file` names and checks it as `kfn` runs it: every problem,
/// with its state's path, or the definition.
fn definition(path: &std::path::Path) -> Result<Value, Error> {
    let definition = read_document(path, "--from-file")?;
    match crate::flows::parse(&definition) {
        Ok(_) => Ok(definition),
        Err(problems) => Err(invalid(path, &problems)),
    }
}

/// The error for a definition with `problems`: each on its own line.
fn invalid(path: &std::path::Path, problems: &[crate::flows::Problem]) -> Error {
    let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
    Error::usage(format!(
        "The definition in {} (given with --from-file) is not valid Amazon States Language; nothing was changed. {} problem{}:\n{}",
        path.display(),
        problems.len(),
        if problems.len() == 1 { "" } else { "s" },
        lines.join("\n")
    ))
}

fn print_dry_run(global: &GlobalArgs, flow: &Flow, format: &str) -> Result<ExitCode> {
    let format = output::dry_run_format(format).map_err(Error::usage)?;
    let mut value = serde_json::to_value(flow)?;
    if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    global.printer.data(&output::dry_run(&value, format))?;
    Ok(ExitCode::SUCCESS)
}

pub async fn deploy(args: DeployArgs, global: &GlobalArgs) -> Result<ExitCode> {
    if args.dryrun {
        output::dry_run_format(&args.output).map_err(Error::usage)?;
    }
    let definition = definition(&args.from_file)?;
    let namespace = client::namespace(&global.target())?;
    let mut flow = Flow::new(
        &args.name,
        FlowSpec {
            definition,
            keep_executions: args.keep_executions,
        },
    );
    flow.metadata.namespace = Some(namespace.clone());
    if args.dryrun {
        return print_dry_run(global, &flow, &args.output);
    }
    let conn = client::connect(&global.target()).await?;
    let name = &args.name;
    let ns = &conn.namespace;
    match flows(&conn).create(&PostParams::default(), &flow).await {
        Ok(_) => {
            global.printer.info("Deploying flow...");
            global
                .printer
                .info(&format!("Flow {name} submitted for deployment in namespace {ns}"));
            global.printer.info(&format!(
                "Start it with 'kfn flow start {name}{}'",
                namespace_flag(global)
            ));
            Ok(ExitCode::SUCCESS)
        }
        Err(kube::Error::Api(s)) if s.code == 409 => Err(Error::failed(format!(
            "Failed to deploy flow {name} in namespace {ns}: it already exists; use 'kfn flow update {name}' to change it"
        ))
        .into()),
        Err(e) => Err(conn
            .explain(e)
            .concerning(format!("flow {ns}/{name}"))
            .context(format!("Failed to deploy flow {name} in namespace {ns}"))
            .into()),
    }
}

/// ` -n NS` when the command line gave a namespace (for the hints printed).
fn namespace_flag(global: &GlobalArgs) -> String {
    global
        .namespace
        .as_ref()
        .map(|n| format!(" -n {n}"))
        .unwrap_or_default()
}

pub async fn update(args: UpdateArgs, global: &GlobalArgs) -> Result<ExitCode> {
    if args.from_file.is_none() && args.keep_executions.is_none() {
        return Err(Error::usage("Nothing to update: give --from-file FILE and/or --keep-executions N").into());
    }
    if args.dryrun {
        output::dry_run_format(&args.output).map_err(Error::usage)?;
    }
    let definition = args.from_file.as_deref().map(definition).transpose()?;
    let conn = client::connect(&global.target()).await?;
    let name = &args.name;
    let ns = conn.namespace.clone();
    let mut flow = get_flow(&conn, name).await?;
    if let Some(definition) = definition {
        flow.spec.definition = definition;
    }
    if let Some(keep) = args.keep_executions {
        flow.spec.keep_executions = Some(keep);
    }
    if args.dryrun {
        return print_dry_run(global, &flow, &args.output);
    }
    match flows(&conn).replace(name, &PostParams::default(), &flow).await {
        Ok(_) => {
            global.printer.info(&format!("Flow {name} updated in namespace {ns}"));
            Ok(ExitCode::SUCCESS)
        }
        Err(kube::Error::Api(s)) if s.code == 404 => Err(flow_not_found(&conn, name).into()),
        Err(e) => Err(conn
            .explain(e)
            .concerning(format!("flow {ns}/{name}"))
            .context(format!("Failed to update flow {name} in namespace {ns}"))
            .into()),
    }
}

pub async fn delete(args: FlowName, global: &GlobalArgs) -> Result<ExitCode> {
    let conn = client::connect(&global.target()).await?;
    let name = &args.name;
    let ns = conn.namespace.clone();
    match flows(&conn).delete(name, &DeleteParams::background()).await {
        Ok(_) => {}
        Err(kube::Error::Api(s)) if s.code == 404 => return Err(flow_not_found(&conn, name).into()),
        Err(e) => {
            return Err(conn
                .explain(e)
                .concerning(format!("flow {ns}/{name}"))
                .context(format!("Failed to delete flow {name} in namespace {ns}"))
                .into());
        }
    }
    // Its executions are owned by it (the garbage collector deletes them on a cluster); deleted
    // here too, so that none is left where nothing collects garbage.
    let selector = ListParams::default().labels(&format!("{FLOW_LABEL}={name}"));
    if let Err(e) = executions(&conn)
        .delete_collection(&DeleteParams::background(), &selector)
        .await
    {
        global.printer.warn(&format!(
            "Flow {name} deleted, but not all its executions: {}",
            conn.explain(e).message()
        ));
    }
    global.printer.info(&format!("Flow {name} deleted from namespace {ns}"));
    Ok(ExitCode::SUCCESS)
}
