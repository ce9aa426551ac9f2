//! The command line: flags → typed requests → library calls. One module per command group.

mod cluster_info;
mod local;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::client::Target;

/// Serverless functions on Kubernetes, Kubeless-compatible, with a local engine.
#[derive(Parser, Debug)]
#[command(name = "kfn", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes, as kubectl has them.
#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Path to the kubeconfig file to use
    #[arg(long, global = true, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
    /// Namespace (default: the context's namespace, else `default`)
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    /// Use the local engine, whatever kubeconfig is present
    #[arg(long, global = true, conflicts_with = "kubeconfig")]
    pub local: bool,
}

impl GlobalArgs {
    pub fn target(&self) -> Target {
        Target {
            kubeconfig: self.kubeconfig.clone(),
            context: self.context.clone(),
            namespace: self.namespace.clone(),
            local: self.local,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the whole system on this machine, with no cluster
    Local(local::LocalArgs),
    /// Show which API server kfn talks to, and how it chose it
    ClusterInfo,
}

/// Parses the command line, runs the command and maps errors to exit codes: 0 ok, 1 error,
/// 2 usage (from clap).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(1)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Local(args) => local::run(args).await,
        Command::ClusterInfo => cluster_info::run(&cli.global).await,
    }
}
