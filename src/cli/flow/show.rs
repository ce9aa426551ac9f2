//! `flow list`, `flow describe`, `flow executions` and `flow history`.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use k8s_openapi::jiff::Timestamp;
use kube::api::ListParams;
use serde_json::Value;

use super::{age, executions as execution_api, flows, get_execution, get_flow, timestamp};
use crate::api::kinds::{Execution, FLOW_LABEL, Flow, HistoryEvent, Phase};
use crate::cli::GlobalArgs;
use crate::client::{self, Error};
use crate::flows::definition::{Kind, Transition};
use crate::output::{self, OutputFormat, table::Table};

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Output format: json, yaml or name (default: a table)
    #[arg(short = 'o', long = "out", default_value = "")]
    pub out: String,
}

#[derive(Args, Debug)]
pub struct DescribeArgs {
    /// The flow's name
    #[arg(value_name = "FLOW_NAME")]
    pub name: String,
    /// Output format: json or yaml (default: a table)
    #[arg(short = 'o', long = "out", default_value = "")]
    pub out: String,
}

#[derive(Args, Debug)]
pub struct ExecutionsArgs {
    /// The flow's name
    #[arg(value_name = "FLOW_NAME")]
    pub name: String,
    /// Output format: json, yaml or name (default: a table)
    #[arg(short = 'o', long = "out", default_value = "")]
    pub out: String,
}

#[derive(Args, Debug)]
pub struct HistoryArgs {
    /// The execution's name (`kfn flow executions FLOW` lists them)
    #[arg(value_name = "EXECUTION")]
    pub name: String,
    /// Output format: json or yaml: the events (default: a table)
    #[arg(short = 'o', long = "out", default_value = "")]
    pub out: String,
}

/// The formats of lists: a table, JSON, YAML or the names alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ListFormat {
    Table,
    Json,
    Yaml,
    Name,
}

fn list_format(given: &str) -> Result<ListFormat, Error> {
    match given {
        "" => Ok(ListFormat::Table),
        "json" => Ok(ListFormat::Json),
        "yaml" => Ok(ListFormat::Yaml),
        "name" => Ok(ListFormat::Name),
        other => Err(Error::usage(format!(
            "Wrong output format {other:?} (given with -o/--out): use json, yaml or name, or none for a table"
        ))),
    }
}

const DOCUMENT_FORMATS: &[OutputFormat] = &[OutputFormat::Table, OutputFormat::Json, OutputFormat::Yaml];
const WRONG_DOCUMENT_FORMAT: &str = "Wrong output format. Please use only json|yaml";

/// An object as scripts read it: without the server's bookkeeping.
fn clean(object: &impl serde::Serialize) -> Result<Value> {
    let mut value = serde_json::to_value(object)?;
    if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    Ok(value)
}

fn print_list(global: &GlobalArgs, format: ListFormat, objects: Vec<Value>, names: &[String]) -> Result<()> {
    match format {
        ListFormat::Json => global.printer.data(&format!("{}\n", output::json(&objects, 2)))?,
        ListFormat::Yaml => global.printer.data(&output::yaml(&Value::Array(objects)))?,
        ListFormat::Name => global
            .printer
            .data(&names.iter().map(|n| format!("{n}\n")).collect::<String>())?,
        ListFormat::Table => {}
    }
    Ok(())
}

/// The READY column: the `Ready` condition's status (`False` for a definition with
/// problems), `-` until whatever runs flows wrote one.
fn ready(flow: &Flow) -> String {
    flow.status
        .as_ref()
        .and_then(|s| s.conditions.iter().find(|c| c.type_ == "Ready"))
        .map(|c| c.status.clone())
        .unwrap_or_else(|| "-".into())
}

/// The `Ready` condition's message, when it has one (the problems of an invalid flow).
fn ready_message(flow: &Flow) -> Option<String> {
    flow.status
        .as_ref()?
        .conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .map(|c| c.message.clone())
        .filter(|m| !m.is_empty())
}

/// How many executions, and how many of them run: `3 (1 running)`.
fn execution_count(executions: &[&Execution]) -> String {
    let running = executions.iter().filter(|e| !e.phase().is_final()).count();
    if running == 0 {
        executions.len().to_string()
    } else {
        format!("{} ({running} running)", executions.len())
    }
}

/// The rows of `flow list`: NAME, STATES, START, READY, EXECUTIONS, AGE.
pub fn list_table(flows: &[Flow], executions: &[Execution], now: Timestamp) -> String {
    let mut by_flow: BTreeMap<&str, Vec<&Execution>> = BTreeMap::new();
    for e in executions {
        by_flow.entry(e.spec.flow.as_str()).or_default().push(e);
    }
    let mut table = Table::new(&["NAME", "STATES", "START", "READY", "EXECUTIONS", "AGE"], 50);
    for f in flows {
        let name = f.metadata.name.clone().unwrap_or_default();
        let (states, start) = match crate::flows::parse(&f.spec.definition) {
            Ok(d) => (d.states.len().to_string(), d.start_at),
            Err(_) => ("invalid".into(), "-".into()),
        };
        let mine = by_flow.get(name.as_str()).map(Vec::as_slice).unwrap_or_default();
        table.row(vec![
            name.clone(),
            states,
            start,
            ready(f),
            execution_count(mine),
            age(f.metadata.creation_timestamp.as_ref().map(|t| t.0), now),
        ]);
    }
    table.render()
}

pub async fn list(args: ListArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let format = list_format(&args.out)?;
    let conn = client::connect(&global.target()).await?;
    let mut items = flows(&conn)
        .list(&ListParams::default())
        .await
        .map_err(|e| conn.explain(e).context("Error listing flows"))?
        .items;
    items.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    if format != ListFormat::Table {
        let names: Vec<String> = items.iter().filter_map(|f| f.metadata.name.clone()).collect();
        let objects = items.iter().map(clean).collect::<Result<Vec<_>>>()?;
        print_list(global, format, objects, &names)?;
        return Ok(ExitCode::SUCCESS);
    }
    let runs = execution_api(&conn)
        .list(&ListParams::default())
        .await
        .map(|l| l.items)
        .unwrap_or_default();
    global.printer.data(&list_table(&items, &runs, Timestamp::now()))?;
    Ok(ExitCode::SUCCESS)
}

/// Where a state goes: `→ Next`, `end`, or a Choice's targets and default.
fn next_text(state: &crate::flows::definition::State) -> String {
    match &state.kind {
        Kind::Choice { choices, default } => {
            let mut targets: Vec<String> = choices.iter().map(|c| c.next.clone()).collect();
            if let Some(d) = default {
                targets.push(format!("{d} (default)"));
            }
            format!("→ {}", targets.join(", "))
        }
        Kind::Succeed | Kind::Fail { .. } => "end".into(),
        _ => match &state.transition {
            Transition::Next(n) => format!("→ {n}"),
            Transition::End => "end".into(),
        },
    }
}

/// The text of `flow describe`: the flow, its states in the order they are reached from
/// StartAt (then the others), whether it is ready, and its latest executions.
pub fn describe_text(flow: &Flow, executions: &[Execution], now: Timestamp) -> String {
    let mut table = Table::headless(80);
    let name = flow.metadata.name.clone().unwrap_or_default();
    table.row(vec!["Name:".into(), name]);
    table.row(vec![
        "Namespace:".into(),
        flow.metadata.namespace.clone().unwrap_or_default(),
    ]);
    match crate::flows::parse(&flow.spec.definition) {
        Ok(d) => {
            if !d.comment.is_empty() {
                table.row(vec!["Comment:".into(), d.comment.clone()]);
            }
            table.row(vec!["Start at:".into(), d.start_at.clone()]);
            let lines: Vec<String> = reach_order(&d)
                .into_iter()
                .map(|(n, s)| format!("{n} ({}) {}", s.kind.name(), next_text(s)))
                .collect();
            table.row(vec!["States:".into(), lines.join("\n")]);
            if let Some(t) = d.timeout_seconds {
                table.row(vec!["Timeout:".into(), format!("{t}s")]);
            }
        }
        Err(problems) => {
            let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
            table.row(vec!["Problems:".into(), lines.join("\n")]);
        }
    }
    table.row(vec!["Keep executions:".into(), flow.spec.keep_executions().to_string()]);
    let ready = match ready_message(flow) {
        Some(m) => format!("{}: {m}", ready(flow)),
        None => ready(flow),
    };
    table.row(vec!["Ready:".into(), ready]);
    let mut latest: Vec<&Execution> = executions.iter().collect();
    sort_newest_first(&mut latest);
    let lines: Vec<String> = latest
        .iter()
        .take(5)
        .map(|e| {
            format!(
                "{} {} (started {} ago)",
                e.metadata.name.clone().unwrap_or_default(),
                e.phase(),
                age(started(e), now)
            )
        })
        .collect();
    table.row(vec![
        "Executions:".into(),
        if lines.is_empty() {
            "none".into()
        } else if latest.len() > lines.len() {
            format!(
                "{}\n… {} more: kfn flow executions",
                lines.join("\n"),
                latest.len() - lines.len()
            )
        } else {
            lines.join("\n")
        },
    ]);
    table.render()
}

/// The states from StartAt in the order their transitions reach them, then any other.
fn reach_order(d: &crate::flows::Definition) -> Vec<(&String, &crate::flows::definition::State)> {
    let mut order: Vec<&String> = Vec::new();
    let mut queue = vec![d.start_at.clone()];
    while let Some(name) = queue.first().cloned() {
        queue.remove(0);
        let Some((key, state)) = d.states.get_key_value(&name) else {
            continue;
        };
        if order.contains(&key) {
            continue;
        }
        order.push(key);
        if let Transition::Next(n) = &state.transition {
            queue.push(n.clone());
        }
        if let Kind::Choice { choices, default } = &state.kind {
            queue.extend(choices.iter().map(|c| c.next.clone()));
            queue.extend(default.clone());
        }
        queue.extend(state.catch.iter().map(|c| c.next.clone()));
    }
    for key in d.states.keys() {
        if !order.contains(&key) {
            order.push(key);
        }
    }
    order.into_iter().map(|k| (k, &d.states[k])).collect()
}

fn started(e: &Execution) -> Option<Timestamp> {
    e.status
        .as_ref()
        .and_then(|s| timestamp(&s.start_time))
        .or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| t.0))
}

fn sort_newest_first(list: &mut [&Execution]) {
    list.sort_by(|a, b| (started(b), &b.metadata.name).cmp(&(started(a), &a.metadata.name)));
}

pub async fn describe(args: DescribeArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let format =
        OutputFormat::parse(&args.out, DOCUMENT_FORMATS, "-o/--out", WRONG_DOCUMENT_FORMAT).map_err(Error::usage)?;
    let conn = client::connect(&global.target()).await?;
    let flow = get_flow(&conn, &args.name).await?;
    match format {
        OutputFormat::Json => global.printer.data(&format!("{}\n", output::json(&clean(&flow)?, 2)))?,
        OutputFormat::Yaml => global.printer.data(&output::yaml(&clean(&flow)?))?,
        _ => {
            let runs = flow_executions(&conn, &args.name).await?;
            global.printer.data(&describe_text(&flow, &runs, Timestamp::now()))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn flow_executions(conn: &client::Connection, flow: &str) -> Result<Vec<Execution>, Error> {
    let params = ListParams::default().labels(&format!("{FLOW_LABEL}={flow}"));
    execution_api(conn).list(&params).await.map(|l| l.items).map_err(|e| {
        conn.explain(e)
            .context(format!("Error listing the executions of flow {flow}"))
    })
}

/// How long an execution ran (or has run so far): `0.012s`, `4.5s`, `3m`.
fn duration_text(e: &Execution, now: Timestamp) -> String {
    let Some(start) = started(e) else {
        return "-".into();
    };
    let end = e.status.as_ref().and_then(|s| timestamp(&s.stop_time)).unwrap_or(now);
    let ms = (end.as_millisecond() - start.as_millisecond()).max(0);
    seconds_text(ms)
}

/// Milliseconds as the tables show them: `0.012s` under a minute, else `3m5s`, `2h`.
fn seconds_text(ms: i64) -> String {
    if ms < 60_000 {
        format!("{}.{:03}s", ms / 1000, ms % 1000)
    } else {
        crate::scaling::proactive::human(std::time::Duration::from_millis(ms as u64))
    }
}

/// The ERROR column: `Error: cause` of an execution that failed, cut to a readable length.
fn error_text(e: &Execution) -> String {
    match &e.status {
        Some(s) if !s.error.is_empty() => short(&format!("{}: {}", s.error, s.cause), 60),
        _ => String::new(),
    }
}

fn short(text: &str, max: usize) -> String {
    let one_line = text.replace('\n', " ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        format!("{}…", one_line.chars().take(max - 1).collect::<String>())
    }
}

/// The rows of `flow executions`: NAME, STATUS, STARTED, DURATION, ERROR, newest first.
pub fn executions_table(runs: &[Execution], now: Timestamp) -> String {
    let mut sorted: Vec<&Execution> = runs.iter().collect();
    sort_newest_first(&mut sorted);
    let mut table = Table::new(&["NAME", "STATUS", "STARTED", "DURATION", "ERROR"], 80);
    for e in sorted {
        table.row(vec![
            e.metadata.name.clone().unwrap_or_default(),
            e.phase().to_string(),
            format!("{} ago", age(started(e), now)),
            duration_text(e, now),
            error_text(e),
        ]);
    }
    table.render()
}

pub async fn executions(args: ExecutionsArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let format = list_format(&args.out)?;
    let conn = client::connect(&global.target()).await?;
    get_flow(&conn, &args.name).await?;
    let runs = flow_executions(&conn, &args.name).await?;
    if format == ListFormat::Table {
        global.printer.data(&executions_table(&runs, Timestamp::now()))?;
    } else {
        let mut sorted: Vec<&Execution> = runs.iter().collect();
        sort_newest_first(&mut sorted);
        let names: Vec<String> = sorted.iter().filter_map(|e| e.metadata.name.clone()).collect();
        let objects = sorted.iter().map(clean).collect::<Result<Vec<_>>>()?;
        print_list(global, format, objects, &names)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The DETAIL column of an event: `error: cause` for a failure, else the function and a short
/// summary of its data.
fn detail(event: &HistoryEvent) -> String {
    if !event.error.is_empty() {
        return short(&format!("{}: {}", event.error, event.cause), 70);
    }
    let data = event
        .data
        .as_ref()
        .map(|d| short(&serde_json::to_string(d).unwrap_or_default(), 60));
    match (event.resource.is_empty(), data) {
        (false, Some(d)) => format!("{} {d}", event.resource),
        (false, None) => event.resource.clone(),
        (true, Some(d)) => d,
        (true, None) => String::new(),
    }
}

/// The table of `flow history`: ID, TIME (since the execution's start), TYPE, STATE, DETAIL;
/// a line says how many events were left out, where they were.
pub fn history_table(e: &Execution) -> String {
    let status = e.status.clone().unwrap_or_default();
    let origin = timestamp(&status.start_time).or_else(|| status.history.first().and_then(|h| timestamp(&h.timestamp)));
    let mut table = Table::new(&["ID", "TIME", "TYPE", "STATE", "DETAIL"], 80);
    let mut previous_id = 0;
    for event in &status.history {
        if status.history_dropped > 0 && previous_id > 0 && event.id > previous_id + 1 {
            table.row(vec![
                "…".into(),
                String::new(),
                format!("({} events left out)", status.history_dropped),
                String::new(),
                String::new(),
            ]);
        }
        previous_id = event.id;
        let time = match (origin, timestamp(&event.timestamp)) {
            (Some(o), Some(t)) => format!("+{}", seconds_text(t.as_millisecond() - o.as_millisecond())),
            _ => event.timestamp.clone(),
        };
        table.row(vec![
            event.id.to_string(),
            time,
            event.type_.clone(),
            event.state.clone(),
            detail(event),
        ]);
    }
    table.render()
}

pub async fn history(args: HistoryArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let format =
        OutputFormat::parse(&args.out, DOCUMENT_FORMATS, "-o/--out", WRONG_DOCUMENT_FORMAT).map_err(Error::usage)?;
    let conn = client::connect(&global.target()).await?;
    let e = get_execution(&conn, &args.name).await?;
    let events = e.status.clone().unwrap_or_default().history;
    match format {
        OutputFormat::Json => global.printer.data(&format!("{}\n", output::json(&events, 2)))?,
        OutputFormat::Yaml => global.printer.data(&output::yaml(&serde_json::to_value(&events)?))?,
        _ => {
            global.printer.data(&history_table(&e))?;
            if e.phase() == Phase::Running {
                global
                    .printer
                    .info(&format!("Execution {} is still running", args.name));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::kinds::ExecutionStatus;
    use serde_json::json;

    fn execution(name: &str, status: Value) -> Execution {
        let mut e: Execution = serde_json::from_value(json!({"apiVersion": "kfn.io/v1alpha1", "kind": "Execution",
                "metadata": {"name": name}, "spec": {"flow": "orders"}}))
        .unwrap();
        e.status = Some(serde_json::from_value::<ExecutionStatus>(status).unwrap());
        e
    }

    fn cells(text: &str) -> Vec<Vec<String>> {
        text.lines()
            .map(|l| l.split('\t').map(|c| c.trim().to_string()).collect())
            .collect()
    }

    #[test]
    fn executions_are_listed_newest_first_with_duration_and_error() {
        let now: Timestamp = "2026-12-01T21:10:00Z".parse().unwrap();
        let old = execution(
            "orders-a",
            json!({"phase": "Succeeded", "startTime": "2026-12-01T21:00:00.000Z",
            "stopTime": "2026-12-01T21:00:00.012Z"}),
        );
        let new = execution(
            "orders-b",
            json!({"phase": "Failed", "startTime": "2026-12-01T21:05:00.000Z",
            "stopTime": "2026-12-01T21:05:04.500Z", "error": "ValueError", "cause": "no such item"}),
        );
        let rows = cells(&executions_table(&[old, new], now));
        assert_eq!(rows[0], ["NAME", "STATUS", "STARTED", "DURATION", "ERROR"]);
        assert_eq!(
            rows[1],
            ["orders-b", "Failed", "5m ago", "4.500s", "ValueError: no such item"]
        );
        assert_eq!(rows[2], ["orders-a", "Succeeded", "10m ago", "0.012s", ""]);
    }

    #[test]
    fn history_times_are_offsets_from_the_start_and_details_name_errors() {
        let e = execution(
            "orders-a",
            json!({"phase": "Failed", "startTime": "2026-12-01T21:00:00.000Z",
            "history": [
                {"id": 1, "timestamp": "2026-12-01T21:00:00.000Z", "type": "ExecutionStarted", "data": {"id": 7}},
                {"id": 2, "timestamp": "2026-12-01T21:00:00.012Z", "type": "TaskScheduled", "state": "Charge",
                    "resource": "default/charge", "data": {"id": 7}},
                {"id": 9, "timestamp": "2026-12-01T21:00:01.500Z", "type": "TaskFailed", "state": "Charge",
                    "error": "ValueError", "cause": "card declined"}],
            "historyDropped": 6}),
        );
        let rows = cells(&history_table(&e));
        assert_eq!(rows[0], ["ID", "TIME", "TYPE", "STATE", "DETAIL"]);
        assert_eq!(rows[1], ["1", "+0.000s", "ExecutionStarted", "", "{\"id\":7}"]);
        assert_eq!(
            rows[2],
            ["2", "+0.012s", "TaskScheduled", "Charge", "default/charge {\"id\":7}"]
        );
        assert_eq!(rows[3][2], "(6 events left out)");
        assert_eq!(
            rows[4],
            ["9", "+1.500s", "TaskFailed", "Charge", "ValueError: card declined"]
        );
    }

    #[test]
    fn list_formats_are_a_table_json_yaml_or_names_and_others_are_refused_by_name() {
        assert_eq!(list_format("").unwrap(), ListFormat::Table);
        assert_eq!(list_format("name").unwrap(), ListFormat::Name);
        let err = list_format("xml").unwrap_err().to_string();
        assert!(
            err.contains("\"xml\"") && err.contains("-o/--out") && err.contains("json, yaml or name"),
            "{err}"
        );
    }
}
