//! `kfn trigger http|cronjob|kafka|nats|kinesis`: the objects that make functions fire.

mod cronjob;
mod http;
mod pubsub;

use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use kube::Resource;
use kube::api::{ListParams, PostParams};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::GlobalArgs;
use crate::api::kinds::TriggerStatus;
use crate::client::{Connection, Error, kubeless};
use crate::output::{self, OutputFormat, Printer, table::Table};

#[derive(Args, Debug)]
pub struct TriggerArgs {
    #[command(subcommand)]
    pub command: Option<TriggerCommand>,
}

#[derive(Subcommand, Debug)]
pub enum TriggerCommand {
    /// HTTP triggers: routes from a gateway to a function
    Http(http::HttpArgs),
    /// Cron job triggers: call a function on a schedule
    Cronjob(cronjob::CronArgs),
    /// NATS triggers: deliver a subject's messages to functions
    Nats(pubsub::NatsArgs),
    /// Kafka triggers: deliver a topic's messages to functions
    Kafka(pubsub::KafkaArgs),
    /// Kinesis triggers: deliver a stream's records to a function
    Kinesis(pubsub::KinesisArgs),
}

pub async fn run(args: TriggerArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let Some(command) = args.command else {
        return super::print_help(global.printer, &["trigger"]);
    };
    match command {
        TriggerCommand::Http(a) => http::run(a, global).await,
        TriggerCommand::Cronjob(a) => cronjob::run(a, global).await,
        TriggerCommand::Nats(a) => pubsub::nats(a, global).await,
        TriggerCommand::Kafka(a) => pubsub::kafka(a, global).await,
        TriggerCommand::Kinesis(a) => pubsub::kinesis(a, global).await,
    }
}

/// Flags every `create` takes.
#[derive(Args, Debug, Clone)]
pub struct DryRun {
    /// Print the object instead of creating it
    #[arg(long)]
    pub dryrun: bool,
    /// Output format of --dryrun: yaml or json
    #[arg(short = 'o', long, default_value = "yaml")]
    pub output: String,
}

/// Flags of `list`.
#[derive(Args, Debug, Clone)]
pub struct ListFlags {
    /// Output format: json, yaml or wide (default: a table)
    #[arg(short = 'o', long = "out", default_value = "")]
    pub out: String,
}

impl ListFlags {
    /// The `-o/--out` given, as a format trigger lists print in.
    pub fn format(&self) -> Result<OutputFormat, Error> {
        OutputFormat::parse(&self.out, LIST_FORMATS, "-o/--out", WRONG_LIST_FORMAT).map_err(Error::usage)
    }
}

/// A command that takes exactly one trigger name.
#[derive(Args, Debug)]
pub struct TriggerNameArgs {
    /// The trigger's name
    #[arg(value_name = "TRIGGER_NAME", required = true, num_args = 1, action = clap::ArgAction::Set, add = crate::cli::complete::trigger_names())]
    pub names: Vec<String>,
}

/// The one name a trigger command was given.
pub fn one_name(names: &[String], what: &str) -> Result<String> {
    match names {
        [name] => Ok(name.clone()),
        _ => bail!("Need exactly one argument - {what} trigger name"),
    }
}

/// Checks that a function exists (triggers refer to it by name).
pub async fn check_function(conn: &Connection, namespace: &str, function: &str) -> Result<()> {
    match kubeless::functions(conn, namespace).get_opt(function).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => bail!(
            "Unable to find Function {function} in namespace {namespace}. Error functions.kubeless.io \"{function}\" not found"
        ),
        Err(e) => Err(conn
            .explain(e)
            .context(format!("Unable to find Function {function} in namespace {namespace}"))
            .into()),
    }
}

/// Fails unless the flow exists (`--flow-name`).
pub async fn check_flow(conn: &Connection, namespace: &str, flow: &str) -> Result<()> {
    let api: kube::Api<crate::api::kinds::Flow> = kube::Api::namespaced(conn.client.clone(), namespace);
    match api.get_opt(flow).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => bail!("Unable to find Flow {flow} in namespace {namespace} (given with --flow-name)"),
        Err(e) => Err(conn
            .explain(e)
            .context(format!("Unable to find Flow {flow} in namespace {namespace}"))
            .into()),
    }
}

/// What a trigger calls, for `list`: its function, or `flow/NAME`.
pub fn target(function: &str, flow: &str) -> String {
    if flow.is_empty() {
        function.to_string()
    } else {
        format!("flow/{flow}")
    }
}

/// Creates (or, with --dryrun, prints) a trigger; `label` names the kind in messages.
pub async fn create(
    printer: Printer,
    conn: &Connection,
    trigger: Value,
    dry: &DryRun,
    label: &str,
) -> Result<ExitCode> {
    let name = trigger["metadata"]["name"].as_str().unwrap_or_default().to_string();
    let ns = trigger["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let kind = trigger["kind"].as_str().unwrap_or_default().to_string();
    if dry.dryrun {
        let format = output::dry_run_format(&dry.output).map_err(Error::usage)?;
        printer.data(&output::dry_run(&trigger, format))?;
        return Ok(ExitCode::SUCCESS);
    }
    match kubeless::api(conn, &ns, &kind)
        .create(&PostParams::default(), &kubeless::from_value(trigger)?)
        .await
    {
        Ok(_) => {
            printer.info(&format!(
                "{label} trigger {name} created in namespace {ns} successfully!"
            ));
            Ok(ExitCode::SUCCESS)
        }
        Err(kube::Error::Api(s)) if s.code == 409 => {
            bail!(
                "{}: it already exists; use `update` to change it",
                failed(&kind, label, &name, &ns, true)
            )
        }
        Err(e) => Err(conn.explain(e).context(failed(&kind, label, &name, &ns, true)).into()),
    }
}

/// Kubeless's words for a failed create or update: HTTP triggers "deploy" either way; a cron
/// create says "cronjob trigger object" in lower case.
fn failed(kind: &str, label: &str, name: &str, ns: &str, creating: bool) -> String {
    match (kind, creating) {
        ("HTTPTrigger", _) => format!("Failed to deploy HTTP trigger {name} in namespace {ns}. Error"),
        ("CronJobTrigger", true) => format!("Failed to create cronjob trigger object {name} in namespace {ns}. Error"),
        (_, true) => format!("Failed to create {label} trigger object {name} in namespace {ns}. Error"),
        (_, false) => format!("Failed to update {label} trigger {name} in namespace {ns}. Error"),
    }
}

/// Loads a trigger, changes it with `edit`, and writes it back (or prints it, with --dryrun).
pub async fn update(
    printer: Printer,
    conn: &Connection,
    kind: &str,
    label: &str,
    name: &str,
    dry: &DryRun,
    edit: impl Fn(&mut Value) -> Result<()>,
) -> Result<ExitCode> {
    let ns = conn.namespace.clone();
    let api = kubeless::api(conn, &ns, kind);
    let trigger = match api.get_opt(name).await {
        Ok(Some(t)) => kubeless::to_value(&t),
        Ok(None) => bail!("Unable to find {label} trigger {name} in namespace {ns}"),
        Err(e) => return Err(conn.explain(e).into()),
    };
    let change = |mut trigger: Value| edit(&mut trigger).map(|()| trigger);
    if dry.dryrun {
        let format = output::dry_run_format(&dry.output).map_err(Error::usage)?;
        printer.data(&output::dry_run(&change(trigger)?, format))?;
        return Ok(ExitCode::SUCCESS);
    }
    kubeless::replace_with(&api, name, trigger, change)
        .await?
        .map_err(|e| conn.explain(e).context(failed(kind, label, name, &ns, false)))?;
    printer.info(&format!(
        "{label} trigger {name} updated in namespace {ns} successfully!"
    ));
    Ok(ExitCode::SUCCESS)
}

pub async fn delete(printer: Printer, conn: &Connection, kind: &str, label: &str, name: &str) -> Result<ExitCode> {
    let ns = conn.namespace.clone();
    match kubeless::api(conn, &ns, kind).delete(name, &Default::default()).await {
        Ok(_) => {
            printer.info(&format!(
                "{label} trigger {name} deleted from namespace {ns} successfully!"
            ));
            Ok(ExitCode::SUCCESS)
        }
        Err(kube::Error::Api(s)) if s.code == 404 => {
            bail!("Failed to delete {label} trigger object {name} in namespace {ns}. Error: it does not exist")
        }
        Err(e) => Err(conn
            .explain(e)
            .context(format!(
                "Failed to delete {label} trigger object {name} in namespace {ns}. Error"
            ))
            .into()),
    }
}

/// The formats trigger lists print in, and Kubeless's words for another.
const LIST_FORMATS: &[OutputFormat] = &[
    OutputFormat::Table,
    OutputFormat::Json,
    OutputFormat::Yaml,
    OutputFormat::Wide,
];
const WRONG_LIST_FORMAT: &str = "Wrong output format. Please use only json|yaml|wide";

/// A table column: its header and how a trigger's cell is computed.
pub type Column<'a, K> = (&'static str, &'a (dyn Fn(&K) -> String + Sync));

/// Lists triggers of a kind: a table of `columns` (each a header and a cell function) of the
/// triggers read as `K`, or the objects as JSON or YAML, as stored.
pub async fn list<K: Resource<DynamicType = ()> + DeserializeOwned>(
    printer: Printer,
    conn: &Connection,
    flags: &ListFlags,
    columns: &[Column<'_, K>],
    wide: &[Column<'_, K>],
) -> Result<ExitCode> {
    let format = flags.format()?;
    let items: Vec<Value> = kubeless::api(conn, &conn.namespace, &K::kind(&()))
        .list(&ListParams::default())
        .await
        .map_err(|e| conn.explain(e))?
        .items
        .iter()
        .map(kubeless::to_value)
        .collect();
    match format {
        OutputFormat::Json => printer.data(&format!("{}\n", output::json(&items, 2)))?,
        OutputFormat::Yaml => printer.data(&output::yaml(&Value::Array(items)))?,
        table => {
            let extra = if table == OutputFormat::Wide { wide } else { &[] };
            let all: Vec<&Column<'_, K>> = columns.iter().chain(extra).collect();
            let headers: Vec<&str> = all.iter().map(|(h, _)| *h).collect();
            let mut t = Table::new(&headers, 50);
            let mut warnings = Vec::new();
            for item in &items {
                // A field of the wrong type is left out (and said); the rest is listed.
                let read = crate::api::kinds::lenient::<K>(item);
                warnings.extend(read.warnings());
                if let Some(trigger) = &read.object {
                    t.row(all.iter().map(|(_, cell)| cell(trigger)).collect());
                }
            }
            printer.data(&t.render())?;
            for warning in warnings {
                printer.warn(&warning);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The NAME cell of any object.
pub fn name<K: Resource>(object: &K) -> String {
    object.meta().name.clone().unwrap_or_default()
}

/// The NAMESPACE cell of any object.
pub fn namespace<K: Resource>(object: &K) -> String {
    object.meta().namespace.clone().unwrap_or_default()
}

/// The STATUS cell: the message of the trigger's first condition.
pub fn status_message(status: Option<&TriggerStatus>) -> String {
    status
        .and_then(|s| s.conditions.first())
        .map(|c| c.message.clone())
        .unwrap_or_default()
}
