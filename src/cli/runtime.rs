//! `kfn runtime serve`: the function runtime, configured by the Kubeless environment.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::{Args, Subcommand};

use crate::runtime::sizing;

#[derive(Args, Debug)]
pub struct RuntimeArgs {
    #[command(subcommand)]
    pub command: RuntimeCommand,
}

#[derive(Subcommand, Debug)]
pub enum RuntimeCommand {
    /// Serve a function over HTTP on FUNC_PORT, configured by MOD_NAME, FUNC_HANDLER,
    /// FUNC_TIMEOUT, FUNC_RUNTIME, FUNC_MEMORY_LIMIT and KUBELESS_INSTALL_VOLUME (and
    /// KFN_BODY_LIMIT, KFN_FUNCTION_NAME, KFN_ACCESS_LOG=off)
    Serve(ServeArgs),
    /// Write a function's code into the code volume (the init container of function pods),
    /// configured by KFN_SOURCE, KFN_CONTENT_TYPE, KFN_CHECKSUM, KFN_SUFFIX, KFN_DEPS_FILE,
    /// MOD_NAME and KUBELESS_INSTALL_VOLUME
    Prepare,
}

/// How many language workers a replica runs.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The most language workers this replica runs at once. It starts one, and one more for
    /// each call that waits while all are busy [default: one per core this process may use]
    #[arg(long, env = "KFN_WORKERS", value_name = "N", value_parser = sizing::parse_workers)]
    pub workers: Option<usize>,
    /// How long an extra worker may go unneeded (no more calls at once than the other workers
    /// take) before it is retired; the first worker stays. A Go duration of at least 1s
    #[arg(long, env = "KFN_WORKER_IDLE", value_name = "DURATION", default_value = sizing::DEFAULT_WORKER_IDLE, value_parser = sizing::parse_idle)]
    pub worker_idle: Duration,
}

pub async fn run(args: RuntimeArgs) -> Result<ExitCode> {
    match args.command {
        RuntimeCommand::Serve(serve) => {
            let sizing = sizing::Sizing::new(serve.workers, serve.worker_idle);
            let config = crate::runtime::Config::from_env(sizing)?;
            crate::runtime::serve(config).await?;
            Ok(ExitCode::SUCCESS)
        }
        RuntimeCommand::Prepare => {
            crate::runtime::prepare::run().await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
