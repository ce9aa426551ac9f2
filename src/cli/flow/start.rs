//! `flow start` (and waiting for the end) and `flow stop`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::Args;
use kube::api::{Patch, PatchParams, PostParams};
use serde_json::Value;

use super::{executions, get_execution, get_flow};
use crate::api::kinds::{Execution, ExecutionStatus, Phase, Stop};
use crate::cli::GlobalArgs;
use crate::client::{self, Connection, Error};
use crate::output;

#[derive(Args, Debug)]
pub struct StartArgs {
    /// The flow's name
    #[arg(value_name = "FLOW_NAME")]
    pub name: String,
    /// The execution's input, as JSON (default: {})
    #[arg(long, value_name = "JSON", conflicts_with = "data_file")]
    pub data: Option<String>,
    /// A file holding the execution's input, as JSON
    #[arg(long = "data-file", value_name = "FILE")]
    pub data_file: Option<PathBuf>,
    /// A name for the execution (default: the flow's name and a random suffix)
    #[arg(long = "name", value_name = "EXECUTION")]
    pub execution: Option<String>,
    /// Wait for the execution's end: print its output, or its error and cause (exit 1)
    #[arg(long)]
    pub wait: bool,
    /// With --wait, how long to wait at most, as a Go duration (30s, 5m; default: no limit)
    #[arg(long, value_name = "DURATION", requires = "wait")]
    pub timeout: Option<String>,
}

#[derive(Args, Debug)]
pub struct StopArgs {
    /// The execution's name
    #[arg(value_name = "EXECUTION")]
    pub name: String,
    /// The error it ends with (default: none)
    #[arg(long)]
    pub error: Option<String>,
    /// The cause it ends with (default: none)
    #[arg(long)]
    pub cause: Option<String>,
}

/// The input `--data` or `--data-file` gives (`{}` for none).
fn input(args: &StartArgs) -> Result<Value, Error> {
    let (text, flag) = match (&args.data, &args.data_file) {
        (Some(text), _) => (text.clone(), "--data".to_string()),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Error::usage(format!("Cannot read --data-file {}: {e}", path.display())))?;
            (text, format!("--data-file {}", path.display()))
        }
        (None, None) => return Ok(Value::Object(Default::default())),
    };
    serde_json::from_str(&text).map_err(|e| {
        Error::usage(format!(
            "Invalid {flag}: not JSON ({e}); give the execution's input as JSON, such as '{{\"id\": 7}}' or '\"text\"'"
        ))
    })
}

pub async fn start(args: StartArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let input = input(&args)?;
    let limit = args
        .timeout
        .as_deref()
        .map(|t| crate::api::function::duration(t, "--timeout", Duration::from_millis(1)))
        .transpose()
        .map_err(Error::usage)?;
    let conn = client::connect(&global.target()).await?;
    let flow = get_flow(&conn, &args.name).await?;
    let execution = Execution::start(&flow, input, args.execution.as_deref());
    let created = match executions(&conn).create(&PostParams::default(), &execution).await {
        Ok(e) => e,
        Err(kube::Error::Api(s)) if s.code == 409 => {
            return Err(Error::failed(format!(
                "Cannot start flow {}: an execution named {} already exists in namespace {} (given with --name)",
                args.name,
                args.execution.unwrap_or_default(),
                conn.namespace
            ))
            .into());
        }
        Err(e) => {
            return Err(conn
                .explain(e)
                .context(format!(
                    "Cannot start flow {} in namespace {}",
                    args.name, conn.namespace
                ))
                .into());
        }
    };
    let name = created.metadata.name.clone().unwrap_or_default();
    if !args.wait {
        global.printer.data(&format!("{name}\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    global.printer.info(&format!("Execution {name} started"));
    let status = wait(&conn, &name, limit).await?;
    match status.phase {
        Phase::Succeeded => {
            let out = status.output.unwrap_or(Value::Null);
            global.printer.data(&format!("{}\n", output::json(&out, 2)))?;
            Ok(ExitCode::SUCCESS)
        }
        phase => {
            // `error: <Error>: <Cause>`, or the phase when the execution ended without an error
            // name (a stop without --error, a Fail without Error).
            let line = match (status.error.as_str(), status.cause.as_str()) {
                ("", "") => format!("error: {phase}"),
                ("", cause) => format!("error: {phase}: {cause}"),
                (error, "") => format!("error: {error}"),
                (error, cause) => format!("error: {error}: {cause}"),
            };
            global.printer.plain(&line);
            global.printer.info(&format!(
                "Execution {name} ended {phase}; 'kfn flow history {name}' shows what happened"
            ));
            Ok(ExitCode::from(1))
        }
    }
}

/// Polls the execution until it has ended (every 20 ms at first, then less often, up to 1 s)
/// and gives its status; an error once `limit` has passed.
async fn wait(conn: &Connection, name: &str, limit: Option<Duration>) -> Result<ExecutionStatus, Error> {
    let began = Instant::now();
    let mut pause = Duration::from_millis(20);
    loop {
        let e = get_execution(conn, name).await?;
        if e.phase().is_final() {
            return Ok(e.status.unwrap_or_default());
        }
        if let Some(limit) = limit
            && began.elapsed() >= limit
        {
            return Err(Error::failed(format!(
                "Execution {name} is still {} after {} (given with --timeout); it goes on: 'kfn flow stop {name}' stops it",
                e.phase(),
                crate::scaling::proactive::human(limit)
            )));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 3 / 2).min(Duration::from_secs(1));
    }
}

pub async fn stop(args: StopArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let conn = client::connect(&global.target()).await?;
    let name = &args.name;
    let e = get_execution(&conn, name).await?;
    if e.phase().is_final() {
        return Err(Error::failed(format!(
            "Cannot stop execution {name}: it has already ended ({})",
            e.phase()
        ))
        .into());
    }
    let stop = Stop {
        error: args.error.clone().unwrap_or_default(),
        cause: args.cause.clone().unwrap_or_default(),
    };
    let patch = serde_json::json!({"spec": {"stop": stop}});
    executions(&conn)
        .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map_err(|e| conn.explain(e).context(format!("Cannot stop execution {name}")))?;
    global
        .printer
        .info(&format!("Execution {name} is stopping: it ends Aborted"));
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(data: Option<&str>) -> StartArgs {
        StartArgs {
            name: "orders".into(),
            data: data.map(str::to_string),
            data_file: None,
            execution: None,
            wait: false,
            timeout: None,
        }
    }

    #[test]
    fn the_input_is_json_or_an_error_naming_the_flag() {
        assert_eq!(input(&args(None)).unwrap(), serde_json::json!({}));
        assert_eq!(input(&args(Some("{\"id\": 7}"))).unwrap(), serde_json::json!({"id": 7}));
        let err = input(&args(Some("{id: 7}"))).unwrap_err().to_string();
        assert!(err.starts_with("Invalid --data: not JSON"), "{err}");
    }
}
