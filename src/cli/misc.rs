//! `get-server-config`, `version` and `completion`.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};

use super::GlobalArgs;
use crate::client;
use crate::client::kubeless::{self, CatalogSource};
use crate::output::Printer;

pub async fn server_config(global: &GlobalArgs) -> Result<ExitCode> {
    let conn = client::connect(&global.target()).await?;
    let catalog = kubeless::catalog(&conn).await?;
    if let CatalogSource::BuiltIn { namespace, name } = &catalog.source
        && !kubeless::serves_functions(&conn).await
    {
        // A cluster kfn is not installed on: the built-in catalog would describe nothing there.
        anyhow::bail!(
            "Unable to read the configmap: there is no ConfigMap {namespace}/{name} on the API server {} (from {}), and it serves no kubeless.io Functions: kfn is not installed there (run `kfn install`)",
            conn.server,
            conn.source
        );
    }
    global.printer.info("Current Server Config:");
    match &catalog.source {
        CatalogSource::ConfigMap { namespace, name } => global
            .printer
            .info(&format!("Runtime catalog from ConfigMap {namespace}/{name}")),
        CatalogSource::BuiltIn { namespace, name } => global.printer.info(&format!(
            "No ConfigMap {namespace}/{name} on the server: using kfn's built-in runtime catalog"
        )),
    }
    global
        .printer
        .info(&format!("Supported Runtimes are: {}", catalog.names().join(", ")));
    Ok(ExitCode::SUCCESS)
}

pub fn version(printer: Printer) -> Result<ExitCode> {
    printer.data(&format!("kfn version: v{}\n", env!("CARGO_PKG_VERSION")))?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

#[derive(Args, Debug)]
pub struct CompletionArgs {
    /// The shell to complete for
    pub shell: Shell,
}

/// The completion script for a shell: it calls back into `kfn` for every completion.
pub fn completion_script(shell: Shell) -> String {
    let name = shell.to_possible_value().expect("no hidden shells");
    super::complete::script(name.get_name())
}

pub fn completion(args: CompletionArgs, printer: Printer) -> Result<ExitCode> {
    printer.data(&completion_script(args.shell))?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/install.md says how to install the script of every shell `kfn completion` knows.
    #[test]
    fn install_docs_cover_every_shell() {
        let docs =
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/install.md")).unwrap();
        for shell in Shell::value_variants() {
            let name = shell.to_possible_value().unwrap().get_name().to_string();
            assert!(
                docs.contains(&format!("- {name}: `kfn completion {name}")),
                "docs/install.md says how to install the {name} completion"
            );
        }
    }

    /// completions/ holds the generated scripts; this fails when they are out of date
    /// (`KFN_UPDATE_SNAPSHOTS=1 cargo test completions` rewrites them).
    #[test]
    fn completions_are_up_to_date() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
        for (shell, file) in [
            (Shell::Bash, "kfn.bash"),
            (Shell::Zsh, "_kfn"),
            (Shell::Fish, "kfn.fish"),
            (Shell::Powershell, "_kfn.ps1"),
            (Shell::Elvish, "kfn.elv"),
        ] {
            let script = completion_script(shell);
            let path = dir.join(file);
            if std::env::var_os("KFN_UPDATE_SNAPSHOTS").is_some() {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &script).unwrap();
            }
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                committed == script,
                "completions/{file} is out of date: run KFN_UPDATE_SNAPSHOTS=1 cargo test completions"
            );
        }
    }
}
