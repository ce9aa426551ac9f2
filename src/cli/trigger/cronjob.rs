//! `trigger cronjob create|update|delete|list`.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::{DryRun, ListFlags, check_flow, check_function, one_name};
use crate::api::kinds::{CronJobTrigger, CronJobTriggerSpec};
use crate::cli::GlobalArgs;
use crate::client;

#[derive(Args, Debug)]
pub struct CronArgs {
    #[command(subcommand)]
    pub command: Option<CronCommand>,
}

#[derive(Subcommand, Debug)]
pub enum CronCommand {
    /// Create a cron job trigger
    Create(CreateArgs),
    /// Update a cron job trigger: only the flags given change it
    Update(UpdateArgs),
    /// Delete a cron job trigger
    Delete(super::TriggerNameArgs),
    /// List cron job triggers
    #[command(visible_alias = "ls")]
    List(ListFlags),
}

#[derive(Args, Debug)]
pub struct Payload {
    /// JSON payload to POST at each firing (without one, the function gets a GET)
    #[arg(short = 'p', long)]
    pub payload: Option<String>,
    /// A .json file (or its URL) with the payload
    #[arg(short = 'f', long = "payload-from-file", value_name = "PATH_OR_URL")]
    pub payload_file: Option<String>,
}

#[derive(Args, Debug)]
pub struct CreateArgs {
    /// The trigger's name
    #[arg(value_name = "TRIGGER_NAME", required = true, num_args = 1, action = clap::ArgAction::Set)]
    pub names: Vec<String>,
    /// Cron schedule (5 fields, @hourly and the like, or @every <duration>), in UTC
    #[arg(long, required = true)]
    pub schedule: String,
    /// The function to call
    #[arg(long, required_unless_present = "flow", conflicts_with = "flow", add = crate::cli::complete::function_names())]
    pub function: Option<String>,
    /// A flow to start at each firing instead (kfn.io), with the payload as its input
    #[arg(long = "flow-name")]
    pub flow: Option<String>,
    #[command(flatten)]
    pub payload: Payload,
    #[command(flatten)]
    pub dry: DryRun,
}

#[derive(Args, Debug)]
pub struct UpdateArgs {
    /// The trigger's name
    #[arg(value_name = "TRIGGER_NAME", required = true, num_args = 1, action = clap::ArgAction::Set, add = crate::cli::complete::trigger_names())]
    pub names: Vec<String>,
    /// Cron schedule
    #[arg(long)]
    pub schedule: Option<String>,
    /// The function to call (instead of a flow)
    #[arg(long, conflicts_with = "flow", add = crate::cli::complete::function_names())]
    pub function: Option<String>,
    /// A flow to start at each firing (instead of a function)
    #[arg(long = "flow-name")]
    pub flow: Option<String>,
    #[command(flatten)]
    pub payload: Payload,
    #[command(flatten)]
    pub dry: DryRun,
}

fn check_schedule(s: &str) -> Result<()> {
    crate::api::schedule::parse(s)
        .map(|_| ())
        .map_err(|e| anyhow::anyhow!("Invalid value for --schedule. {e}"))
}

/// The payload flags as the JSON value stored (`None`: not given).
async fn payload(p: &Payload) -> Result<Option<Value>> {
    let text = match (&p.payload, &p.payload_file) {
        (Some(_), Some(_)) => bail!("You can't provide both raw payload and a payload file"),
        (Some(raw), None) => raw.clone(),
        (None, Some(file)) => {
            let ext = std::path::Path::new(file.split('?').next().unwrap_or(file))
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("");
            if ext != "json" {
                bail!("Sorry, we can't parse .{ext} files yet (--payload-from-file must be a .json file)");
            }
            crate::source::read_dependencies(file, "--payload-from-file").await?
        }
        (None, None) => return Ok(None),
    };
    let value: Value =
        serde_json::from_str(&text).context("the payload is not valid JSON (--payload / --payload-from-file)")?;
    Ok(Some(value))
}

/// The PAYLOAD cell: a string as it is, other JSON compact, none empty.
fn payload_text(payload: Option<&Value>) -> String {
    match payload {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

pub async fn run(args: CronArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let Some(command) = args.command else {
        return crate::cli::print_help(global.printer, &["trigger", "cronjob"]);
    };
    match command {
        CronCommand::Create(a) => {
            let name = one_name(&a.names, "cronjob")?;
            check_schedule(&a.schedule)?;
            let payload = payload(&a.payload).await?.unwrap_or(Value::Null);
            let conn = client::connect(&global.target()).await?;
            conn.check_schedule(&a.schedule).await?;
            let ns = conn.namespace.clone();
            if let Some(f) = &a.function {
                check_function(&conn, &ns, f).await?;
            }
            if let Some(f) = &a.flow {
                check_flow(&conn, &ns, f).await?;
            }
            let spec = CronJobTriggerSpec {
                schedule: a.schedule.clone(),
                function_name: a.function.clone().unwrap_or_default(),
                flow_name: a.flow.clone().unwrap_or_default(),
                payload: Some(payload).filter(|p| !p.is_null()),
            };
            super::create(
                global.printer,
                &conn,
                crate::api::trigger::object("CronJobTrigger", &name, &ns, &spec),
                &a.dry,
                "Cronjob",
            )
            .await
        }
        CronCommand::Update(a) => {
            let name = one_name(&a.names, "cronjob")?;
            if let Some(s) = &a.schedule {
                check_schedule(s)?;
            }
            let payload = payload(&a.payload).await?;
            let conn = client::connect(&global.target()).await?;
            if let Some(s) = &a.schedule {
                conn.check_schedule(s).await?;
            }
            if let Some(f) = &a.function {
                check_function(&conn, &conn.namespace, f).await?;
            }
            if let Some(f) = &a.flow {
                check_flow(&conn, &conn.namespace, f).await?;
            }
            super::update(global.printer, &conn, "CronJobTrigger", "Cronjob", &name, &a.dry, |t| {
                if let Some(s) = &a.schedule {
                    t["spec"]["schedule"] = json!(s);
                }
                // A trigger calls a function or starts a flow: the one given replaces the other.
                if let Some(f) = &a.function {
                    t["spec"]["function-name"] = json!(f);
                    if let Some(spec) = t["spec"].as_object_mut() {
                        spec.remove("flow-name");
                    }
                }
                if let Some(f) = &a.flow {
                    t["spec"]["flow-name"] = json!(f);
                    t["spec"]["function-name"] = json!("");
                }
                if let Some(p) = &payload {
                    t["spec"]["payload"] = p.clone();
                }
                Ok(())
            })
            .await
        }
        CronCommand::Delete(a) => {
            let name = one_name(&a.names, "cronjob")?;
            let conn = client::connect(&global.target()).await?;
            super::delete(global.printer, &conn, "CronJobTrigger", "Cronjob", &name).await
        }
        CronCommand::List(flags) => {
            let conn = client::connect(&global.target()).await?;
            super::list::<CronJobTrigger>(
                global.printer,
                &conn,
                &flags,
                &[
                    ("NAME", &super::name),
                    ("NAMESPACE", &super::namespace),
                    ("SCHEDULE", &|t| t.spec.schedule.clone()),
                    ("FUNCTION NAME", &|t| {
                        super::target(&t.spec.function_name, &t.spec.flow_name)
                    }),
                ],
                &[("PAYLOAD", &|t| payload_text(t.spec.payload.as_ref()))],
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payload_cell_is_compact_json_or_the_text() {
        let read = |spec: Value| {
            let t = json!({"kind": "CronJobTrigger", "metadata": {"name": "c"}, "spec": spec});
            payload_text(
                crate::api::kinds::from_object::<CronJobTrigger>(&t)
                    .unwrap()
                    .spec
                    .payload
                    .as_ref(),
            )
        };
        assert_eq!(read(json!({"payload": {"a": 1}})), r#"{"a":1}"#);
        assert_eq!(read(json!({"payload": "hi"})), "hi");
        assert_eq!(read(json!({"payload": null})), "");
        assert_eq!(read(json!({})), "");
    }
}
