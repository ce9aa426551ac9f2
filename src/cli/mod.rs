//! The command line: flags → typed requests → library calls. One module per command group.

mod activator;
mod autoscale;
mod cluster;
mod cluster_info;
pub mod complete;
mod flow;
pub mod function;
mod local;
mod misc;
pub mod reference;
mod runtime;
mod simulate;
mod tenant;
mod trigger;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::client::Target;
use crate::output::Printer;

/// Serverless functions on Kubernetes, Kubeless-compatible, with a local engine.
#[derive(Parser, Debug)]
#[command(name = "kfn", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Flags every command takes, as kubectl has them.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Global options")]
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
    /// Where output goes; every command prints through it.
    #[arg(skip)]
    pub printer: Printer,
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
    /// Deploy, update, call and inspect functions
    Function(function::FunctionArgs),
    /// Compose functions: flows in the Amazon States Language, their executions and history
    Flow(flow::FlowArgs),
    /// Make functions fire: HTTP routes, schedules, NATS, Kafka and Kinesis messages
    Trigger(trigger::TriggerArgs),
    /// Scale functions automatically: rules, scale to zero and scheduled minimums
    Autoscale(autoscale::AutoscaleArgs),
    /// Give teams namespaces of their own: RBAC, quotas, limits and a kubeconfig each
    Tenant(tenant::TenantArgs),
    /// Print the server's runtime catalog
    GetServerConfig,
    /// Print kfn's version
    Version,
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completion(misc::CompletionArgs),
    /// Run the whole system on this machine, with no cluster
    Local(local::LocalArgs),
    /// Show which API server kfn talks to, and how it chose it
    ClusterInfo,
    /// Install kfn on a cluster: CRDs, RBAC, the controller, the runtime catalog
    Install(cluster::InstallArgs),
    /// Remove kfn from a cluster (the CRDs stay unless --crds)
    Uninstall(cluster::UninstallArgs),
    /// Run the cluster controller
    Controller(cluster::ControllerArgs),
    /// Hold calls of functions scaled to zero on a cluster until a replica is ready
    Activator(activator::ActivatorArgs),
    /// The function runtime that runs inside every function replica
    Runtime(runtime::RuntimeArgs),
}

/// Parses the command line, runs the command and maps errors to exit codes (the table in
/// [`crate::client::error::EXIT_CODES`]): 0 success, 1 error (usage errors included, as
/// Kubeless has it).
pub fn main() -> ExitCode {
    // A shell asking for completions gets them and nothing else.
    complete::answer_if_asked();
    crate::output::log::init();
    let printer = Printer::detect();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(printer, e, &std::env::args().skip(1).collect::<Vec<_>>()),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            printer.plain(&format!("error: cannot start the async runtime: {e}"));
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(err) => {
            let (message, code) = crate::client::error::report(&err);
            if let Some(message) = message {
                printer.log(crate::output::log::Level::Fatal, &message);
            }
            ExitCode::from(code)
        }
    }
}

/// Reports a command-line error as Kubeless (cobra) did where scripts may look at it: missing
/// flags read `Error: required flag(s) "a", "b" not set`, and an unknown subcommand reads
/// `Error: unknown command "x" for "kfn function"` with clap's suggestion (Kubeless printed a
/// group's help and exited 0, so a typo passed in scripts); everything else is clap's own
/// message. Exit 1 for errors.
fn usage_error(printer: Printer, e: clap::Error, args: &[String]) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let rendered = e.render().to_string();
    let usage = rendered.find("Usage:").map(|at| &rendered[at..]).unwrap_or_default();
    match e.kind() {
        ErrorKind::MissingRequiredArgument => {
            let missing: Vec<String> = match e.get(ContextKind::InvalidArg) {
                Some(ContextValue::Strings(args)) => args.clone(),
                _ => Vec::new(),
            };
            let flags: Vec<String> = missing
                .iter()
                .filter_map(|a| a.strip_prefix("--"))
                .map(|a| format!("{:?}", a.split_whitespace().next().unwrap_or(a)))
                .collect();
            // cobra checks the flags before the command's own check of its argument count.
            if !flags.is_empty() {
                printer.plain(&format!(
                    "Error: required flag(s) {} not set\n{usage}",
                    flags.join(", ")
                ));
                return ExitCode::from(1);
            }
            if let Some(what) = name_kind(&group_before(args, "")) {
                return name_count_error(printer, what);
            }
        }
        ErrorKind::UnknownArgument => {
            // A second name where exactly one is taken, worded as Kubeless's commands do.
            if let Some(ContextValue::String(word)) = e.get(ContextKind::InvalidArg)
                && !word.starts_with('-')
                && let Some(what) = name_kind(&group_before(args, word))
            {
                return name_count_error(printer, what);
            }
        }
        ErrorKind::InvalidSubcommand => {
            let word = match e.get(ContextKind::InvalidSubcommand) {
                Some(ContextValue::String(w)) => w.clone(),
                _ => String::new(),
            };
            let command = std::iter::once("kfn".to_string())
                .chain(group_before(args, &word))
                .collect::<Vec<_>>()
                .join(" ");
            let tips: String = rendered
                .lines()
                .filter(|l| l.contains("tip:"))
                .map(|l| format!("{l}\n"))
                .collect();
            printer.plain(&format!(
                "Error: unknown command {word:?} for {command:?}\n{tips}Run '{command} --help' for usage."
            ));
            return ExitCode::from(1);
        }
        _ => {}
    }
    let _ = e.print();
    ExitCode::from(if e.use_stderr() { 1 } else { 0 })
}

/// What Kubeless's `Need exactly one argument - …` names for the command at `path`, when that
/// command takes exactly one name.
fn name_kind(path: &[String]) -> Option<&'static str> {
    let root = Cli::command();
    let mut at = &root;
    for name in path {
        at = at.find_subcommand(name)?;
    }
    let takes_one_name = at
        .get_positionals()
        .any(|a| a.get_id() == "names" && a.is_required_set());
    if !takes_one_name {
        return None;
    }
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    Some(match path.as_slice() {
        ["function" | "autoscale", ..] => "function name",
        ["trigger", "http", ..] => "http trigger name",
        ["trigger", "cronjob", ..] => "cronjob trigger name",
        ["trigger", "nats", ..] => "NATS trigger name",
        ["trigger", "kafka", ..] => "Kafka trigger name",
        ["trigger", "kinesis", ..] => "Kinesis trigger name",
        _ => return None,
    })
}

fn name_count_error(printer: Printer, what: &str) -> ExitCode {
    let err = crate::client::Error::usage(format!("Need exactly one argument - {what}"));
    printer.log(crate::output::log::Level::Fatal, &err.message());
    ExitCode::from(err.exit_code())
}

/// The command path the command line names before `word` (global flags and their values
/// skipped): `["trigger", "http"]` for `kfn -n x trigger http bogus`.
fn group_before(args: &[String], word: &str) -> Vec<String> {
    let root = Cli::command();
    let mut at = &root;
    let mut path = Vec::new();
    let mut tokens = args.iter();
    while let Some(token) = tokens.next() {
        if token == word {
            break;
        }
        if token.starts_with('-') {
            if ["-n", "--namespace", "--kubeconfig", "--context"].contains(&token.as_str()) {
                tokens.next();
            }
            continue;
        }
        match at.find_subcommand(token) {
            Some(sub) => {
                path.push(sub.get_name().to_string());
                at = sub;
            }
            None => break,
        }
    }
    path
}

/// Prints the help of a command group (`kfn function` with no subcommand), exit 0.
pub fn print_help(printer: Printer, path: &[&str]) -> anyhow::Result<ExitCode> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut at = &mut cmd;
    for name in path {
        at = at.find_subcommand_mut(name).expect("a known command");
    }
    printer.data(&at.render_help().to_string())?;
    Ok(ExitCode::SUCCESS)
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let Some(command) = cli.command else {
        return print_help(cli.global.printer, &[]);
    };
    match command {
        Command::Function(args) => function::run(args, &cli.global).await,
        Command::Flow(args) => flow::run(args, &cli.global).await,
        Command::Trigger(args) => trigger::run(args, &cli.global).await,
        Command::Autoscale(args) => autoscale::run(args, &cli.global).await,
        Command::Tenant(args) => tenant::run(args, &cli.global).await,
        Command::GetServerConfig => misc::server_config(&cli.global).await,
        Command::Version => misc::version(cli.global.printer),
        Command::Completion(args) => misc::completion(args, cli.global.printer),
        Command::Local(args) => local::run(args, cli.global.printer).await,
        Command::ClusterInfo => cluster_info::run(&cli.global).await,
        Command::Runtime(args) => runtime::run(args).await,
        Command::Install(args) => cluster::install(args, &cli.global).await,
        Command::Uninstall(args) => cluster::uninstall(args, &cli.global).await,
        Command::Controller(args) => cluster::controller(args, &cli.global).await,
        Command::Activator(args) => activator::run(args, &cli.global).await,
    }
}
