//! `kfn runtime serve`: the function runtime, configured by the Kubeless environment.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};

#[derive(Args, Debug)]
pub struct RuntimeArgs {
    #[command(subcommand)]
    pub command: RuntimeCommand,
}

#[derive(Subcommand, Debug)]
pub enum RuntimeCommand {
    /// Serve a function over HTTP on FUNC_PORT, configured by MOD_NAME, FUNC_HANDLER,
    /// FUNC_TIMEOUT, FUNC_RUNTIME, FUNC_MEMORY_LIMIT and KUBELESS_INSTALL_VOLUME (and
    /// KFN_WORKERS, KFN_BODY_LIMIT, KFN_FUNCTION_NAME, KFN_ACCESS_LOG=off)
    Serve,
    /// Write a function's code into the code volume (the init container of function pods),
    /// configured by KFN_SOURCE, KFN_CONTENT_TYPE, KFN_CHECKSUM, KFN_SUFFIX, KFN_DEPS_FILE,
    /// MOD_NAME and KUBELESS_INSTALL_VOLUME
    Prepare,
}

pub async fn run(args: RuntimeArgs) -> Result<ExitCode> {
    match args.command {
        RuntimeCommand::Serve => {
            let config = crate::runtime::Config::from_env()?;
            crate::runtime::serve(config).await?;
            Ok(ExitCode::SUCCESS)
        }
        RuntimeCommand::Prepare => {
            crate::runtime::prepare::run().await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
