//! `kfn local`: start, stop, inspect and wipe the local engine.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};

use crate::engine::{self, ServeOptions};
use crate::local::daemon::{self, Status};
use crate::local::state::StateDir;
use crate::output::Printer;

#[derive(Args, Debug)]
pub struct LocalArgs {
    #[command(subcommand)]
    pub command: LocalCommand,
}

#[derive(Subcommand, Debug)]
pub enum LocalCommand {
    /// Start the engine in the background and print where it listens
    Start(EngineFlags),
    /// Stop the engine (SIGTERM, then SIGKILL after the grace period)
    Stop {
        /// Seconds to wait for a graceful stop
        #[arg(long, default_value_t = 10)]
        grace: u64,
    },
    /// Show whether the engine runs, where, and what it holds (exit 3 when stopped)
    Status,
    /// Print the path of the engine's kubeconfig, starting the engine if needed
    Kubeconfig,
    /// Stop the engine and delete all its state
    Reset {
        /// Do not ask for confirmation
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Run the engine in the foreground, logging to stderr
    Serve(EngineFlags),
}

/// How the engine runs: `kfn local start` and `kfn local serve` take the same flags.
#[derive(Args, Debug)]
pub struct EngineFlags {
    /// Port on 127.0.0.1 (default: the last one used, else a free one)
    #[arg(long)]
    port: Option<u16>,
    /// Only store and serve objects: run no functions (for `kfn controller` and tests)
    #[arg(long)]
    no_run: bool,
    /// NATS server whose messages NATS triggers deliver, e.g. nats://127.0.0.1:4222
    #[arg(long, value_name = "URL", env = "KFN_NATS_URL")]
    nats: Option<String>,
    /// Kafka brokers whose messages Kafka triggers deliver, e.g. 127.0.0.1:9092
    #[arg(long, value_name = "HOST:PORT,…", env = "KFN_KAFKA_BROKERS", value_parser = crate::kafka::Brokers::usable)]
    kafka: Option<crate::kafka::Brokers>,
}

impl From<EngineFlags> for ServeOptions {
    fn from(f: EngineFlags) -> Self {
        ServeOptions {
            port: f.port,
            no_run: f.no_run,
            nats: f.nats,
            kafka: f.kafka,
        }
    }
}

pub async fn run(args: LocalArgs, printer: Printer) -> Result<ExitCode> {
    let state = StateDir::resolve()?;
    match args.command {
        LocalCommand::Start(flags) => {
            let port = flags.port;
            let (info, started) = tokio::task::spawn_blocking({
                let state = state.clone();
                move || daemon::start(&state, flags.into())
            })
            .await??;
            if started {
                printer.data(&format!(
                    "kfn local engine started at {} (pid {})\n",
                    info.url(),
                    info.pid
                ))?;
            } else {
                printer.data(&format!(
                    "kfn local engine is already running at {} (pid {})\n",
                    info.url(),
                    info.pid
                ))?;
                if let Some(p) = port.filter(|p| !info.address.ends_with(&format!(":{p}"))) {
                    printer.plain(&format!(
                        "warning: --port {p} ignored: the running engine keeps its address; stop it first to change the port"
                    ));
                }
            }
            printer.data(&format!("kubeconfig: {}\n", state.kubeconfig().display()))?;
            Ok(ExitCode::SUCCESS)
        }
        LocalCommand::Stop { grace } => {
            let stale = matches!(daemon::status(&state), Status::Stopped { stale: Some(_) });
            match daemon::stop(&state, Duration::from_secs(grace))? {
                Some(pid) => printer.data(&format!("kfn local engine stopped (pid {pid})\n"))?,
                None if stale => {
                    printer.data("kfn local engine is not running (cleaned up after a crashed engine)\n")?
                }
                None => printer.data("kfn local engine is not running\n")?,
            }
            Ok(ExitCode::SUCCESS)
        }
        LocalCommand::Status => {
            let objects = state
                .object_count()
                .map(|n| n.to_string())
                .unwrap_or_else(|| "0".into());
            let code = match daemon::status(&state) {
                Status::Running(info) => {
                    printer.data("status:     running\n")?;
                    printer.data(&format!("address:    {}\n", info.url()))?;
                    printer.data(&format!("pid:        {}\n", info.pid))?;
                    if let Some(gateway) = &info.gateway {
                        printer.data(&format!("gateway:    http://{gateway} (HTTP triggers)\n"))?;
                    }
                    printer.data(&format!("started:    {}\n", info.started))?;
                    ExitCode::SUCCESS
                }
                Status::Stopped { stale } => {
                    printer.data("status:     not running\n")?;
                    if let Some(pid) = stale {
                        printer.data(&format!(
                            "note:       engine pid {pid} had crashed; its pid file was removed\n"
                        ))?;
                    }
                    ExitCode::from(3)
                }
            };
            printer.data(&format!("state:      {}\n", state.root.display()))?;
            printer.data(&format!("kubeconfig: {}\n", state.kubeconfig().display()))?;
            printer.data(&format!("objects:    {objects}\n"))?;
            Ok(code)
        }
        LocalCommand::Kubeconfig => {
            let state = tokio::task::spawn_blocking(crate::client::ensure_local_engine).await??;
            printer.data(&format!("{}\n", state.kubeconfig().display()))?;
            Ok(ExitCode::SUCCESS)
        }
        LocalCommand::Reset { yes } => {
            if !yes && !confirm(printer, &state)? {
                printer.plain("reset cancelled; nothing was changed");
                return Ok(ExitCode::from(1));
            }
            if let Some(pid) = daemon::stop(&state, Duration::from_secs(10))? {
                printer.data(&format!("kfn local engine stopped (pid {pid})\n"))?;
            }
            if state.root.exists() {
                std::fs::remove_dir_all(&state.root)?;
            }
            printer.data(&format!("local engine state removed ({})\n", state.root.display()))?;
            Ok(ExitCode::SUCCESS)
        }
        LocalCommand::Serve(flags) => {
            crate::output::log::init_tracing();
            engine::serve(&state, flags.into()).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn confirm(printer: Printer, state: &StateDir) -> Result<bool> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        bail!(
            "kfn local reset deletes all local state in {}: pass --yes to confirm (stdin is not a terminal)",
            state.root.display()
        );
    }
    printer.prompt(&format!(
        "This stops the local engine and deletes all its state in {}. Continue? [y/N] ",
        state.root.display()
    ));
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}
