//! `kfn cluster-info`: which API server commands talk to, why, and whether it answers.

use std::process::ExitCode;

use anyhow::{Context, Result};

use super::GlobalArgs;
use crate::client;

pub async fn run(global: &GlobalArgs) -> Result<ExitCode> {
    let conn = client::connect(&global.target()).await?;
    let version = conn
        .client
        .apiserver_version()
        .await
        .with_context(|| format!("the API server {} (from {}) does not answer", conn.server, conn.source))?;
    global.printer.data(&format!("API server:  {}\n", conn.server))?;
    global.printer.data(&format!("chosen from: {}\n", conn.source))?;
    global.printer.data(&format!("namespace:   {}\n", conn.namespace))?;
    global
        .printer
        .data(&format!("version:     {}\n", version.git_version))?;
    Ok(ExitCode::SUCCESS)
}
