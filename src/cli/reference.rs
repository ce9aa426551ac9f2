//! docs/commands.md, generated from the command definitions.

use clap::CommandFactory;

use super::Cli;

/// The command reference in Markdown: every command, its arguments and flags.
pub fn markdown() -> String {
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = String::from(
        "# Command reference\n\nGenerated from kfn's command definitions (`KFN_UPDATE_SNAPSHOTS=1 cargo test reference` rewrites it; a test fails when it is out of date).\n\nGlobal flags, accepted by every command:\n\n",
    );
    for arg in cmd.get_arguments().filter(|a| a.is_global_set()) {
        out.push_str(&format!("- {}\n", describe(arg)));
    }
    out.push('\n');
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        section(sub, "kfn", &mut out);
    }
    out.push_str(&exit_codes());
    out
}

/// The table of exit codes, from the one place that decides them.
fn exit_codes() -> String {
    let mut out = String::from(
        "## Exit codes\n\nScripts can rely on these. Data goes to stdout; messages and errors go to stderr, an error as one `FATA[…]` (on a terminal) or `level=fatal` line. A reader that closes kfn's stdout early (`kfn function ls | head -1`) ends kfn quietly with 0, not with the signal a Unix tool killed by SIGPIPE reports; messages to a closed stderr are dropped.\n\n| Code | Meaning | Examples |\n|---|---|---|\n",
    );
    for (code, meaning, examples) in crate::client::error::EXIT_CODES {
        let cell = |text: &str| text.replace('|', "\\|");
        out.push_str(&format!("| {code} | {} | {} |\n", cell(meaning), cell(examples)));
    }
    out
}

fn describe(arg: &clap::Arg) -> String {
    let mut names = Vec::new();
    if let Some(s) = arg.get_short() {
        names.push(format!("`-{s}`"));
    }
    if let Some(l) = arg.get_long() {
        names.push(format!("`--{l}`"));
    }
    if names.is_empty() {
        names.push(format!(
            "`<{}>`",
            arg.get_value_names()
                .and_then(|v| v.first())
                .map(|v| v.to_string())
                .unwrap_or_else(|| arg.get_id().to_string())
        ));
    }
    let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|d| d.to_string_lossy().into_owned())
        .collect();
    let default = match defaults.as_slice() {
        [] => String::new(),
        [d] if d.is_empty() || d == "false" => String::new(),
        ds => format!(" (default: `{}`)", ds.join(",")),
    };
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .map(|v| v.get_name().to_string())
        .collect();
    let values = if values.is_empty() || arg.get_action().takes_values() && values == ["true", "false"] {
        String::new()
    } else {
        format!(" [one of: {}]", values.join(", "))
    };
    format!("{}: {help}{default}{values}", names.join(", "))
}

fn section(cmd: &clap::Command, parent: &str, out: &mut String) {
    let path = format!("{parent} {}", cmd.get_name());
    out.push_str(&format!("## `{path}`\n\n"));
    if let Some(about) = cmd.get_about() {
        out.push_str(&format!("{about}\n\n"));
    }
    let aliases: Vec<&str> = cmd.get_visible_aliases().collect();
    if !aliases.is_empty() {
        out.push_str(&format!("Aliases: {}\n\n", aliases.join(", ")));
    }
    let args: Vec<&clap::Arg> = cmd
        .get_arguments()
        .filter(|a| !a.is_global_set() && !a.is_hide_set() && !["help", "version"].contains(&a.get_id().as_str()))
        .collect();
    if !args.is_empty() {
        for arg in args {
            out.push_str(&format!("- {}\n", describe(arg)));
        }
        out.push('\n');
    }
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        section(sub, &path, out);
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every argument and flag of every command, as `path: --flag`, that has no help text.
    fn undescribed(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
        for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
            if arg.get_help().is_none_or(|h| h.to_string().trim().is_empty()) {
                out.push(format!("{path}: {}", arg.get_id()));
            }
        }
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            undescribed(sub, &format!("{path} {}", sub.get_name()), out);
        }
    }

    #[test]
    fn every_argument_and_flag_is_described() {
        let mut cmd = super::Cli::command();
        cmd.build();
        let mut missing = Vec::new();
        undescribed(&cmd, "kfn", &mut missing);
        assert!(missing.is_empty(), "no help text: {missing:#?}");
    }

    #[test]
    fn a_help_line_says_a_default_once() {
        let mut cmd = super::Cli::command();
        cmd.build();
        let mut twice = Vec::new();
        fn walk(cmd: &clap::Command, path: &str, twice: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
                let shown = arg.get_default_values().iter().any(|d| !d.is_empty()) && !arg.is_hide_default_value_set();
                if shown && help.contains("default") && !help.contains("deploy default") {
                    twice.push(format!("{path}: {}: {help}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), twice);
            }
        }
        walk(&cmd, "kfn", &mut twice);
        assert!(twice.is_empty(), "help text and clap both give the default: {twice:#?}");
    }

    #[test]
    fn reference_is_up_to_date() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/commands.md");
        let text = super::markdown();
        if std::env::var_os("KFN_UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(&path, &text).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "docs/commands.md is out of date: run KFN_UPDATE_SNAPSHOTS=1 cargo test reference"
        );
    }
}
