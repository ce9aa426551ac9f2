//! Shell completion: the script `kfn completion <shell>` prints registers kfn itself as the
//! completer, and the shell asks it with `KFN_COMPLETE=<shell> kfn -- <words>`. Flags and
//! commands come from the command definition, `--runtime` from the runtime catalog, and
//! function and trigger names from the server the command line would talk to. A completion
//! never starts the local engine and gives nothing, quietly, when the server does not answer.

use std::ffi::OsString;
use std::time::Duration;

use clap::{ArgMatches, CommandFactory, FromArgMatches};
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};

use super::{Cli, GlobalArgs};
use crate::client::{self, kubeless};

/// The environment variable the scripts set to ask kfn for completions (not clap's default
/// `COMPLETE`, which a function's own environment could hold when kfn runs it).
pub const VAR: &str = "KFN_COMPLETE";

/// How long a completion waits for the server before giving nothing.
const SERVER_WAIT: Duration = Duration::from_secs(3);

/// Answers a shell's completion request and exits when this run is one; else returns at once.
pub fn answer_if_asked() {
    clap_complete::CompleteEnv::with_factory(Cli::command)
        .var(VAR)
        .complete();
}

/// The script that registers kfn (found on `$PATH`) as the completer in `shell`, one of
/// clap_complete's shell names (bash, zsh, fish, powershell, elvish).
pub fn script(shell: &str) -> String {
    let shells = clap_complete::env::Shells::builtins();
    let completer = shells.completer(shell).expect("a shell clap_complete knows");
    let mut out = Vec::new();
    completer
        .write_registration(VAR, "kfn", "kfn", "kfn", &mut out)
        .expect("writing to memory");
    String::from_utf8(out).expect("scripts are UTF-8")
}

/// Completes `--runtime` with the ids of the runtime catalog.
pub fn runtime_ids() -> ArgValueCandidates {
    ArgValueCandidates::new(runtimes)
}

/// Completes a function name with the functions on the server.
pub fn function_names() -> ArgValueCandidates {
    ArgValueCandidates::new(functions)
}

/// Completes a trigger name with the server's triggers of the command's kind.
pub fn trigger_names() -> ArgValueCandidates {
    ArgValueCandidates::new(triggers)
}

fn runtimes() -> Vec<CompletionCandidate> {
    crate::runtimes::CATALOG
        .iter()
        .map(|r| CompletionCandidate::new(r.name()))
        .collect()
}

fn functions() -> Vec<CompletionCandidate> {
    names_on_server(|_| Some("Function"))
}

/// The kind of trigger comes from the command line (`trigger http delete …`).
fn triggers() -> Vec<CompletionCandidate> {
    names_on_server(|line| {
        let (_, trigger) = line.subcommand().filter(|(name, _)| *name == "trigger")?;
        trigger_kind(trigger.subcommand_name()?)
    })
}

/// The object kind of a `kfn trigger <word>` group.
fn trigger_kind(group: &str) -> Option<&'static str> {
    Some(match group {
        "http" => "HTTPTrigger",
        "cronjob" => "CronJobTrigger",
        "nats" => "NATSTrigger",
        "kafka" => "KafkaTrigger",
        "kinesis" => "KinesisTrigger",
        _ => return None,
    })
}

/// The words being completed, as the shell passed them after `--` (the first is `kfn`).
fn words() -> Vec<OsString> {
    std::env::args_os().skip_while(|a| a != "--").skip(1).collect()
}

/// The command line parsed as far as it goes: the global flags given and the command path.
fn parse_line(words: Vec<OsString>) -> Option<ArgMatches> {
    Cli::command().ignore_errors(true).try_get_matches_from(words).ok()
}

/// Names of the objects of the kind `kind_of` picks, in the namespace and on the server the
/// command line names (else the default ones); nothing when the server does not answer soon.
fn names_on_server(kind_of: impl FnOnce(&ArgMatches) -> Option<&'static str>) -> Vec<CompletionCandidate> {
    let Some(line) = parse_line(words()) else {
        return Vec::new();
    };
    let (Some(kind), Ok(global)) = (kind_of(&line), GlobalArgs::from_arg_matches(&line)) else {
        return Vec::new();
    };
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
        return Vec::new();
    };
    let names = runtime.block_on(async {
        let list = async {
            let conn = client::connect_if_running(&global.target()).await.ok()?;
            kubeless::names(&conn, &conn.namespace, kind).await.ok()
        };
        tokio::time::timeout(SERVER_WAIT, list).await.ok().flatten()
    });
    runtime.shutdown_background();
    names
        .unwrap_or_default()
        .into_iter()
        .map(CompletionCandidate::new)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(words: &[&str]) -> ArgMatches {
        parse_line(words.iter().map(OsString::from).collect()).expect("a partial parse")
    }

    /// The global flags of a half-typed line reach the completer, wherever they were given.
    #[test]
    fn a_partial_line_gives_the_target_and_the_trigger_kind() {
        let m = line(&["kfn", "trigger", "kafka", "delete", "--namespace=team", "--local", ""]);
        let global = GlobalArgs::from_arg_matches(&m).unwrap();
        assert_eq!(global.namespace.as_deref(), Some("team"));
        assert!(global.local);
        let (_, trigger) = m.subcommand().unwrap();
        assert_eq!(trigger_kind(trigger.subcommand_name().unwrap()), Some("KafkaTrigger"));

        let m = line(&["kfn", "-n", "x", "--context", "c", "function", "delete", "a"]);
        let global = GlobalArgs::from_arg_matches(&m).unwrap();
        assert_eq!(global.namespace.as_deref(), Some("x"));
        assert_eq!(global.context.as_deref(), Some("c"));
    }

    #[test]
    fn every_trigger_group_has_a_kind() {
        let cli = Cli::command();
        let trigger = cli.find_subcommand("trigger").unwrap();
        for group in trigger.get_subcommands() {
            assert!(trigger_kind(group.get_name()).is_some(), "{}", group.get_name());
        }
    }
}
