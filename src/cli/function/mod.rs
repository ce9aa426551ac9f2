//! `kfn function`: deploy, update, delete, list and describe Functions.

mod call;
mod deploy;
mod list;
mod logs;
mod summary;
mod top;
mod wait;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};

use super::GlobalArgs;
use crate::client::{self, Error, kubeless};

#[derive(Args, Debug)]
pub struct FunctionArgs {
    #[command(subcommand)]
    pub command: Option<FunctionCommand>,
}

#[derive(Subcommand, Debug)]
pub enum FunctionCommand {
    /// Deploy a function
    Deploy(Box<deploy::DeployArgs>),
    /// Update a function: only the flags given change it
    Update(Box<deploy::UpdateArgs>),
    /// Delete a function
    Delete(NameArgs),
    /// List functions
    #[command(visible_alias = "ls")]
    List(list::ListArgs),
    /// Show a function's details
    Describe(list::DescribeArgs),
    /// Call a function through the API server
    Call(call::CallArgs),
    /// Print a function's logs (every replica)
    Logs(logs::LogsArgs),
    /// Show call counts and durations from the functions' metrics
    #[command(visible_alias = "stats")]
    Top(top::TopArgs),
}

/// A command that takes exactly one function name.
#[derive(Args, Debug)]
pub struct NameArgs {
    /// The function's name
    #[arg(value_name = "FUNCTION_NAME", required = true, num_args = 1, action = clap::ArgAction::Set, add = crate::cli::complete::function_names())]
    pub names: Vec<String>,
}

/// The one name a command was given, or the Kubeless error.
pub fn one_name(names: &[String], what: &str) -> Result<String, Error> {
    match names {
        [name] => Ok(name.clone()),
        _ => Err(Error::usage(format!("Need exactly one argument - {what}"))),
    }
}

pub async fn run(args: FunctionArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let Some(command) = args.command else {
        return super::print_help(global.printer, &["function"]);
    };
    match command {
        FunctionCommand::Deploy(a) => deploy::deploy(*a, global).await,
        FunctionCommand::Update(a) => deploy::update(*a, global).await,
        FunctionCommand::Delete(a) => delete(a, global).await,
        FunctionCommand::List(a) => list::list(a, global).await,
        FunctionCommand::Describe(a) => list::describe(a, global).await,
        FunctionCommand::Call(a) => call::call(a, global).await,
        FunctionCommand::Logs(a) => logs::logs(a, global).await,
        FunctionCommand::Top(a) => top::top(a, global).await,
    }
}

async fn delete(args: NameArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let name = one_name(&args.names, "function name")?;
    let conn = client::connect(&global.target()).await?;
    let api = kubeless::functions(&conn, &conn.namespace);
    match api.delete(&name, &Default::default()).await {
        Ok(_) => Ok(ExitCode::SUCCESS),
        Err(kube::Error::Api(s)) if s.code == 404 => Err(Error::not_found(
            format!("function {}/{name}", conn.namespace),
            format!("Function {name} is not found in namespace {}", conn.namespace),
        )
        .into()),
        Err(e) => Err(conn
            .explain(e)
            .concerning(format!("function {}/{name}", conn.namespace))
            .into()),
    }
}

/// The hint printed after a deploy or update.
fn status_hint(name: &str, global: &GlobalArgs) {
    let ns = global
        .namespace
        .as_ref()
        .map(|n| format!(" -n {n}"))
        .unwrap_or_default();
    global.printer.info(&format!(
        "Check the deployment status executing 'kfn function ls {name}{ns}'"
    ));
}
