//! `function list` and `function describe`.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, ApiResource, ListParams};
use serde_json::{Value, json};

use crate::api::kinds::{Function, Read, lenient};

use super::one_name;
use super::summary::{DeploymentSummary, FunctionSummary, Replicas};
use crate::cli::GlobalArgs;
use crate::client::{self, Connection, Error, kubeless};
use crate::output::{self, OutputFormat, Printer, table::Table};

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Functions to list (default: all in the namespace)
    #[arg(value_name = "FUNCTION_NAME", add = crate::cli::complete::function_names())]
    pub names: Vec<String>,
    /// Output format: wide, json or yaml (default: a table)
    #[arg(short = 'o', long = "out", default_value = "")]
    pub out: String,
}

#[derive(Args, Debug)]
pub struct DescribeArgs {
    /// The function's name
    #[arg(value_name = "FUNCTION_NAME", required = true, num_args = 1, action = clap::ArgAction::Set, add = crate::cli::complete::function_names())]
    pub names: Vec<String>,
    /// Output format: json or yaml (default: a table)
    #[arg(short = 'o', long = "out", default_value = "")]
    pub out: String,
}

/// The STATUS column, from the function's Deployment: `1/1 READY` (a pre-warmed function too),
/// `0/0 IDLE` for a function scaled to zero (its status says `Idle`, its scaling `state`, and
/// its Deployment asks for no replica), else `0/1 NOT READY`.
pub fn status_text(state: Option<&str>, deployment: Option<Replicas>) -> String {
    let Some(d) = deployment else {
        return "MISSING: Check controller logs".into();
    };
    let (ready, replicas) = (d.ready, d.current);
    let idle = state == Some("Idle") && d.wanted == Some(0);
    if ready > 0 {
        format!("{ready}/{replicas} READY")
    } else if idle {
        format!("{ready}/{replicas} IDLE")
    } else {
        format!("{ready}/{replicas} NOT READY")
    }
}

/// `status.scaling.state`, when the engine or the controller wrote one.
fn scaling_state(function: &Function) -> Option<&str> {
    let scaling = function.status.as_ref()?.scaling.as_ref()?;
    Some(scaling.state.as_str()).filter(|s| !s.is_empty())
}

/// A time of the status with how long ago it was: `2026-12-01T21:00:00Z (4m ago)`.
fn when(text: &str, now: Timestamp) -> String {
    match text.parse::<Timestamp>() {
        Ok(t) => {
            let secs = (now.as_second() - t.as_second()).max(0) as u64;
            format!(
                "{text} ({} ago)",
                crate::scaling::proactive::human(std::time::Duration::from_secs(secs))
            )
        }
        Err(_) => text.to_string(),
    }
}

/// The Scaling section of `describe`, `(key, value)` rows; none for a function that scales as
/// in Kubeless (no `spec.scaling`, no `status.scaling`).
pub fn scaling_rows(f: &Function, now: Timestamp) -> Vec<(String, String)> {
    let spec = f.spec.scaling.as_ref();
    let status = f.status.as_ref().and_then(|s| s.scaling.as_ref());
    if spec.is_none() && status.is_none() {
        return Vec::new();
    }
    let spec = spec.cloned().unwrap_or_default();
    let after = match (&spec.scale_to_zero_after, spec.idle_window()) {
        (Some(text), Some(_)) => text.clone(),
        (Some(text), None) => format!("{text} (not a duration: never)"),
        (None, _) => "never".into(),
    };
    let proactive = match (spec.proactive, spec.idle_window()) {
        (Some(false), _) => "off".to_string(),
        (_, Some(_)) => "on".to_string(),
        (_, None) => "off (only with scale to zero)".to_string(),
    };
    let schedules: Vec<String> = spec
        .schedules
        .iter()
        .map(crate::cli::autoscale::schedule_text)
        .collect();
    let mut rows = vec![
        ("Scaling:".to_string(), String::new()),
        ("  Scale to zero after:".to_string(), after),
        ("  Proactive:".to_string(), proactive),
        (
            "  Schedules:".to_string(),
            if schedules.is_empty() {
                "none".into()
            } else {
                schedules.join("\n")
            },
        ),
    ];
    let Some(status) = status else {
        rows.push(("  State:".into(), "not reported yet".into()));
        return rows;
    };
    let state = match &status.since {
        Some(since) => format!("{} since {}", status.state, when(since, now)),
        None => status.state.clone(),
    };
    rows.push(("  State:".into(), state));
    let mut optional = |key: &str, value: &Option<String>, format: &dyn Fn(&str) -> String| {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            rows.push((key.to_string(), format(v)));
        }
    };
    optional("  Why:", &status.reason, &|v| v.to_string());
    optional("  Last call:", &status.last_call, &|v| when(v, now));
    optional("  Prediction:", &status.prediction, &|v| v.to_string());
    rows
}

/// The DEPENDENCIES column: a Node.js package.json's dependencies one per line, else the text.
pub fn deps_text(function: &FunctionSummary) -> Result<String> {
    let deps = &function.spec.deps;
    // A trailing newline would be an empty row of the table.
    if !function.spec.runtime.contains("nodejs") || deps.trim().is_empty() {
        return Ok(deps.trim_end().to_string());
    }
    let package: Value = serde_json::from_str(deps).map_err(|e| {
        anyhow::anyhow!(
            "the dependencies of {} are not valid package.json: {e}",
            function.name()
        )
    })?;
    Ok(package["dependencies"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default())
}

/// The memory the function's container requests (`requests.memory`, as Kubeless shows it).
fn memory(function: &Function) -> Option<&str> {
    let resources = function.spec.container()?.resources.as_ref()?;
    resources.requests.as_ref()?.get("memory").map(|q| q.0.as_str())
}

/// The container's variables as `(name, value)`; a `valueFrom` one has an empty value.
fn env(function: &Function) -> Vec<(&str, &str)> {
    let env = function.spec.container().and_then(|c| c.env.as_ref());
    env.into_iter()
        .flatten()
        .map(|e| (e.name.as_str(), e.value.as_deref().unwrap_or_default()))
        .collect()
}

/// The labels stored on the Function (not the ones render adds to its objects).
fn stored_labels(function: &Function) -> BTreeMap<String, String> {
    function.metadata.labels.clone().unwrap_or_default()
}

/// The table rows of `function list` (`wide` adds memory, env and labels), and the problems of
/// single functions (a package.json that does not parse): their rows say `<error>` in the
/// column concerned, and the list goes on with the others.
pub fn rows(functions: &[(FunctionSummary, Option<Replicas>)], wide: bool) -> (String, Vec<String>) {
    let mut problems = Vec::new();
    let mut header = vec!["NAME", "NAMESPACE", "HANDLER", "RUNTIME", "DEPENDENCIES", "STATUS"];
    if wide {
        header.extend(["MEMORY", "ENV", "LABEL"]);
    }
    let mut table = Table::new(&header, 50);
    for (f, d) in functions {
        let mut row = vec![
            f.name().to_string(),
            f.metadata.namespace.clone(),
            f.spec.handler.clone(),
            f.spec.runtime.clone(),
            deps_text(f).unwrap_or_else(|e| {
                problems.push(e.to_string());
                "<error: not valid package.json>".into()
            }),
            status_text(f.scaling_state(), *d),
        ];
        if wide {
            row.push(f.memory().unwrap_or_default().to_string());
            let env: Vec<String> = f
                .container()
                .map(|c| c.env.as_slice())
                .unwrap_or_default()
                .iter()
                .map(|e| format!("{} = {}", e.name, e.value.as_deref().unwrap_or_default()))
                .collect();
            row.push(env.join("\n"));
            let labels: Vec<String> = f.metadata.labels.iter().map(|(k, v)| format!("{k} : {v}")).collect();
            row.push(labels.join("\n"));
        }
        table.row(row);
    }
    (table.render(), problems)
}

async fn deployment(conn: &Connection, namespace: &str, name: &str) -> Result<Option<Deployment>> {
    let api: Api<Deployment> = Api::namespaced(conn.client.clone(), namespace);
    api.get_opt(name).await.map_err(|e| conn.explain(e).into())
}

/// A Function as scripts read it: without the server's bookkeeping.
fn clean(mut f: Value) -> Value {
    if let Some(meta) = f.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    f
}

/// The formats `function list` prints in, and Kubeless's words for another.
const LIST_FORMATS: &[OutputFormat] = &[
    OutputFormat::Table,
    OutputFormat::Wide,
    OutputFormat::Json,
    OutputFormat::Yaml,
];
const WRONG_LIST_FORMAT: &str = "Wrong output format. Please use only json|yaml (or wide)";
/// The formats `function describe` prints in, and Kubeless's words for another.
const DESCRIBE_FORMATS: &[OutputFormat] = &[OutputFormat::Table, OutputFormat::Json, OutputFormat::Yaml];
const WRONG_DESCRIBE_FORMAT: &str = "Wrong output format. Please use only json|yaml";

pub async fn list(args: ListArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let printer = global.printer;
    let format = OutputFormat::parse(&args.out, LIST_FORMATS, "-o/--out", WRONG_LIST_FORMAT).map_err(Error::usage)?;
    let conn = client::connect(&global.target()).await?;
    let whole = matches!(format, OutputFormat::Json | OutputFormat::Yaml);
    if args.names.is_empty() && !whole {
        return print_table(&conn, printer, format == OutputFormat::Wide).await;
    }
    let api = kubeless::functions(&conn, &conn.namespace);
    let functions: Vec<Value> = if args.names.is_empty() {
        let list = api.list(&ListParams::default()).await.map_err(|e| conn.explain(e))?;
        list.items.iter().map(kubeless::to_value).map(clean).collect()
    } else {
        let mut found = Vec::new();
        for name in &args.names {
            match api.get_opt(name).await {
                Ok(Some(f)) => found.push(clean(kubeless::to_value(&f))),
                Ok(None) => bail!(
                    "Error listing function {name}: function {name:?} not found in namespace {}",
                    conn.namespace
                ),
                Err(e) => return Err(conn.explain(e).context(format!("Error listing function {name}")).into()),
            }
        }
        found
    };
    match format {
        OutputFormat::Json => printer.data(&format!("{}\n", output::json(&functions, 2)))?,
        OutputFormat::Yaml => printer.data(&output::yaml(&Value::Array(functions)))?,
        table => {
            let read: Vec<Read<FunctionSummary>> = functions.iter().map(lenient).collect();
            let found = futures::future::join_all(read.iter().filter_map(|r| r.object.as_ref()).map(|f| async {
                let d = deployment(&conn, &conn.namespace, f.name()).await?;
                Ok::<_, anyhow::Error>((f.name().to_string(), d.as_ref().map(Replicas::of)))
            }))
            .await;
            let mut deployments = BTreeMap::new();
            for d in found {
                let (name, replicas) = d?;
                if let Some(replicas) = replicas {
                    deployments.insert(name, replicas);
                }
            }
            print_rows(printer, read, &deployments, table == OutputFormat::Wide)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The table of every Function of the namespace: one list of the Functions and one of the
/// namespace's Deployments (at the same time), each read as only what the table shows.
async fn print_table(conn: &Connection, printer: Printer, wide: bool) -> Result<ExitCode> {
    let ns = Some(conn.namespace.as_str());
    let all = ListParams::default();
    let (functions, deployments) = (kubeless::resource("Function"), ApiResource::erase::<Deployment>(&()));
    let (functions, deployments) = futures::join!(
        client::list::list::<FunctionSummary>(conn, &functions, ns, &all),
        client::list::list::<DeploymentSummary>(conn, &deployments, ns, &all),
    );
    // The Functions' error first: a user refused both is told about what they asked for.
    let (functions, deployments) = (functions?, deployments?);
    // A Deployment with a mistyped field counts as it reads: its problem is the table's too.
    let replicas: BTreeMap<String, Replicas> = deployments
        .into_iter()
        .filter_map(|d| d.object)
        .map(|d| (d.name().to_string(), d.replicas()))
        .collect();
    print_rows(printer, functions, &replicas, wide)?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the rows of the Functions read (a field of the wrong type is left out and said, the
/// rest shown), with the replicas of their Deployments.
fn print_rows(
    printer: Printer,
    functions: Vec<Read<FunctionSummary>>,
    deployments: &BTreeMap<String, Replicas>,
    wide: bool,
) -> Result<()> {
    let mut warnings = Vec::new();
    let pairs: Vec<(FunctionSummary, Option<Replicas>)> = functions
        .into_iter()
        .filter_map(|read| {
            warnings.extend(read.warnings());
            let f = read.object?;
            let d = deployments.get(f.name()).copied();
            Some((f, d))
        })
        .collect();
    let (text, problems) = rows(&pairs, wide);
    printer.data(&text)?;
    for problem in warnings.into_iter().chain(problems) {
        printer.warn(&problem);
    }
    Ok(())
}

/// The rows of `function describe`: the Function, then its status, the reason a replica is not
/// ready, its pods and its Scaling section (`now` for the ages).
pub fn describe_text(f: &Function, deployment: Option<&Deployment>, pods: &[Pod], now: Timestamp) -> String {
    let env: Vec<Value> = env(f)
        .into_iter()
        .map(|(name, value)| json!({"name": name, "value": value}))
        .collect();
    let mut table = Table::headless(80);
    for (k, v) in [
        ("Name:", f.name().to_string()),
        ("Namespace:", f.namespace().to_string()),
        ("Handler:", f.spec.handler.clone()),
        ("Runtime:", f.spec.runtime.clone()),
        ("Label:", serde_json::to_string(&stored_labels(f)).expect("JSON")),
        ("Envvar:", serde_json::to_string(&env).expect("JSON")),
        ("Memory:", memory(f).unwrap_or("0").to_string()),
        ("Dependencies:", f.spec.deps.trim_end().to_string()),
        ("Status:", status_text(scaling_state(f), deployment.map(Replicas::of))),
    ] {
        table.row(vec![k.to_string(), v]);
    }
    if let Some(line) = deployment.and_then(replica_failure) {
        table.row(vec!["Replicas:".into(), line]);
    }
    let failure = pods.iter().find_map(super::wait::certain_failure);
    if let Some(failure) = &failure {
        table.row(vec![
            "Reason:".into(),
            format!("{}: {}", failure.reason, failure.message),
        ]);
    }
    let lines: Vec<String> = pods.iter().map(super::wait::pod_line).collect();
    table.row(vec![
        "Pods:".into(),
        if lines.is_empty() {
            "none".into()
        } else {
            lines.join("\n")
        },
    ]);
    for (k, v) in scaling_rows(f, now) {
        table.row(vec![k, v]);
    }
    table.render()
}

/// Why a Deployment has fewer replicas than it wants (its `ReplicaFailure` condition, as the
/// controllers set it when a Pod is refused, by a quota for one): `2 wanted, 1 running: exceeded
/// quota: …`.
fn replica_failure(d: &Deployment) -> Option<String> {
    let status = d.status.as_ref()?;
    let c = status
        .conditions
        .iter()
        .flatten()
        .find(|c| c.type_.as_deref() == Some("ReplicaFailure") && c.status.as_deref() == Some("True"))?;
    let message = c.message.as_deref().unwrap_or_default();
    // `pods "f-abc-x" is forbidden: exceeded quota: …`: the Pod's name says nothing here.
    let why = message.split_once(" is forbidden: ").map_or(message, |(_, why)| why);
    let wanted = d.spec.replicas.unwrap_or(1);
    let running = status.replicas.unwrap_or(0);
    Some(format!("{wanted} wanted, {running} running: {why}"))
}

pub async fn describe(args: DescribeArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let name = one_name(&args.names, "function name")?;
    let printer = global.printer;
    let format =
        OutputFormat::parse(&args.out, DESCRIBE_FORMATS, "-o/--out", WRONG_DESCRIBE_FORMAT).map_err(Error::usage)?;
    let conn = client::connect(&global.target()).await?;
    let f = match kubeless::functions(&conn, &conn.namespace).get_opt(&name).await {
        Ok(Some(f)) => clean(kubeless::to_value(&f)),
        Ok(None) => bail!("Function {name} is not found in namespace {}", conn.namespace),
        Err(e) => return Err(conn.explain(e).context("Can not describe function").into()),
    };
    match format {
        OutputFormat::Json => printer.data(&format!("{}\n", output::json(&f, 2)))?,
        OutputFormat::Yaml => printer.data(&output::yaml(&f))?,
        OutputFormat::Table | OutputFormat::Wide => {
            let read = crate::api::kinds::lenient::<Function>(&f);
            for warning in read.warnings() {
                printer.warn(&warning);
            }
            let Some(function) = read.object else {
                bail!("Can not describe function: {}", read.left_out[0]);
            };
            let d = deployment(&conn, &conn.namespace, &name).await?;
            let pods: Api<Pod> = Api::namespaced(conn.client.clone(), &conn.namespace);
            let mut pods = pods
                .list(&ListParams::default().labels(&format!("function={name}")))
                .await
                .map(|l| l.items)
                .unwrap_or_default();
            pods.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
            printer.data(&describe_text(&function, d.as_ref(), &pods, Timestamp::now()))?;
            printer.data(&events_text(&conn, &name).await)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The function's Events (scaling, failures), oldest first, as a block after the table.
async fn events_text(conn: &Connection, name: &str) -> String {
    use k8s_openapi::api::core::v1::Event;
    let api: Api<Event> = Api::namespaced(conn.client.clone(), &conn.namespace);
    let params = ListParams::default().fields(&format!("involvedObject.name={name},involvedObject.kind=Function"));
    let events = api.list(&params).await.map(|l| l.items).unwrap_or_default();
    events_block(events)
}

/// When an Event last happened, as `kubectl describe` sorts them: the last time of its series
/// (an events.k8s.io writer's repeats), else its `lastTimestamp`, else its `eventTime`, else its
/// `firstTimestamp`, else when it was stored.
fn event_time(e: &k8s_openapi::api::core::v1::Event) -> Option<Timestamp> {
    e.series
        .as_ref()
        .and_then(|s| s.last_observed_time.as_ref())
        .map(|t| t.0)
        .or_else(|| e.last_timestamp.as_ref().map(|t| t.0))
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
        .or_else(|| e.first_timestamp.as_ref().map(|t| t.0))
        .or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| t.0))
}

/// The Events block of `describe`, sorted by time (the API lists them by name).
pub fn events_block(mut events: Vec<k8s_openapi::api::core::v1::Event>) -> String {
    if events.is_empty() {
        return String::new();
    }
    events.sort_by_key(event_time);
    let mut out = String::from("Events:\n");
    for e in events {
        let when = event_time(&e).map(|t| t.to_string()).unwrap_or_default();
        out.push_str(&format!(
            "  {}\t{}\t{}\t{}\n",
            when,
            e.type_.unwrap_or_default(),
            e.reason.unwrap_or_default(),
            e.message.unwrap_or_default()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function(object: Value) -> Function {
        let mut object = object;
        object["kind"] = json!("Function");
        Function::from_object(&object).unwrap()
    }

    fn deployment(ready: i32, replicas: i32) -> Deployment {
        serde_json::from_value(json!({"status": {"readyReplicas": ready, "replicas": replicas}})).unwrap()
    }

    #[test]
    fn describe_shows_status_reason_and_pods_and_no_empty_dependency_row() {
        let f = function(json!({"metadata": {"name": "bad", "namespace": "default"},
            "spec": {"handler": "bad.hello", "runtime": "python3.12", "deps": "requests\n"}}));
        let pod: Pod = serde_json::from_value(json!({"metadata": {"name": "bad-1"}, "status": {"phase": "Running",
            "conditions": [{"type": "Ready", "status": "False"}],
            "containerStatuses": [{"name": "bad", "ready": false, "restartCount": 2, "image": "x", "imageID": "",
                "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off"}},
                "lastState": {"terminated": {"exitCode": 1, "message": "cannot load bad.hello: SyntaxError: invalid syntax"}}}]}}))
        .unwrap();
        let text = describe_text(&f, Some(&deployment(0, 1)), &[pod], Timestamp::UNIX_EPOCH);
        let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').map(str::trim).collect()).collect();
        let row = |key: &str| {
            rows.iter()
                .position(|r| r[0] == key)
                .unwrap_or_else(|| panic!("{key} in {text}"))
        };
        assert_eq!(rows[row("Dependencies:")][1], "requests");
        assert_eq!(rows[row("Dependencies:") + 1][0], "Status:", "no empty row: {text}");
        assert_eq!(rows[row("Status:")][1], "0/1 NOT READY");
        assert_eq!(
            rows[row("Reason:")][1],
            "CrashLoopBackOff: cannot load bad.hello: SyntaxError: invalid syntax"
        );
        assert!(
            rows[row("Pods:")][1].starts_with("bad-1 Running, not ready, 2 restarts"),
            "{text}"
        );
        let table = rows_for_list(&serde_json::to_value(&f).unwrap());
        assert_eq!(table.lines().count(), 2, "a header and one row: {table}");
    }

    #[test]
    fn describe_says_why_replicas_are_not_started() {
        let f = function(json!({"metadata": {"name": "f", "namespace": "team"}, "spec": {}}));
        let d: Deployment = serde_json::from_value(json!({"spec": {"replicas": 2}, "status": {"replicas": 1,
            "conditions": [{"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate",
                "message": "pods \"f-5d-x\" is forbidden: exceeded quota: kfn-tenant, requested: pods=1, used: pods=1, limited: pods=1"}]}}))
        .unwrap();
        let text = describe_text(&f, Some(&d), &[], Timestamp::UNIX_EPOCH);
        // The table wraps long values: read it as one line of words.
        let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words.contains(
                "Replicas: 2 wanted, 1 running: exceeded quota: kfn-tenant, requested: pods=1, used: pods=1, limited: pods=1"
            ),
            "{text}"
        );
        assert!(!describe_text(&f, Some(&deployment(1, 1)), &[], Timestamp::UNIX_EPOCH).contains("Replicas:"));
    }

    fn summary(object: Value) -> FunctionSummary {
        serde_json::from_value(object).unwrap()
    }

    fn replicas(ready: i32, current: i32) -> Option<Replicas> {
        Some(Replicas::of(&deployment(ready, current)))
    }

    fn rows_for_list(f: &Value) -> String {
        rows(&[(summary(f.clone()), replicas(1, 1))], false).0
    }

    #[test]
    fn status_strings() {
        assert_eq!(status_text(None, replicas(1, 1)), "1/1 READY");
        assert_eq!(status_text(None, replicas(0, 2)), "0/2 NOT READY");
        assert_eq!(status_text(None, None), "MISSING: Check controller logs");
    }

    /// The STATUS of a function whose scaling state is `state`, its Deployment asking for
    /// `wanted` replicas with `ready` of them ready.
    fn at_zero(state: &str, wanted: i32, ready: i32) -> String {
        let f = summary(
            json!({"metadata": {"name": "f"}, "spec": {"scaling": {"scaleToZeroAfter": "60s"}},
            "status": {"scaling": {"state": state}}}),
        );
        let d = serde_json::from_value(json!({"spec": {"replicas": wanted},
            "status": {"readyReplicas": ready, "replicas": wanted}}))
        .unwrap();
        status_text(f.scaling_state(), Some(Replicas::of(&d)))
    }

    #[test]
    fn a_function_at_zero_is_idle_and_a_pre_warmed_one_ready() {
        assert_eq!(at_zero("Idle", 0, 0), "0/0 IDLE");
        assert_eq!(at_zero("PreWarmed", 1, 1), "1/1 READY");
        assert_eq!(at_zero("Idle", 1, 0), "0/1 NOT READY", "woken, its replica starting");
        assert_eq!(at_zero("Warm", 0, 0), "0/0 NOT READY", "no replica and not idle");
    }

    #[test]
    fn describe_has_a_scaling_section_with_the_state_why_and_prediction() {
        let f = function(
            json!({"metadata": {"name": "f"}, "spec": {"scaling": {"scaleToZeroAfter": "60s",
            "schedules": [{"cron": "0 9 * * 1-5", "min": 3, "for": "8h"}]}},
            "status": {"scaling": {"state": "Idle", "since": "2026-12-01T21:00:00Z",
                "reason": "no call for 60s (scale-to-zero-after)", "lastCall": "2026-12-01T20:59:00Z",
                "prediction": "next call expected 9m-11m after the last"}}}),
        );
        let now: Timestamp = "2026-12-01T21:04:00Z".parse().unwrap();
        let rows: BTreeMap<String, String> = scaling_rows(&f, now)
            .into_iter()
            .map(|(k, v)| (k.trim().to_string(), v))
            .collect();
        assert_eq!(rows["Scaling:"], "");
        assert_eq!(rows["Scale to zero after:"], "60s");
        assert_eq!(rows["Proactive:"], "on");
        assert_eq!(rows["Schedules:"], "0 9 * * 1-5 (UTC): at least 3 replicas for 8h");
        assert_eq!(rows["State:"], "Idle since 2026-12-01T21:00:00Z (4m ago)");
        assert_eq!(rows["Why:"], "no call for 60s (scale-to-zero-after)");
        assert_eq!(rows["Last call:"], "2026-12-01T20:59:00Z (5m ago)");
        assert_eq!(rows["Prediction:"], "next call expected 9m-11m after the last");

        let off = function(
            json!({"metadata": {"name": "f"}, "spec": {"scaling": {"scaleToZeroAfter": "60s", "proactive": false}}}),
        );
        let rows: BTreeMap<String, String> = scaling_rows(&off, now)
            .into_iter()
            .map(|(k, v)| (k.trim().to_string(), v))
            .collect();
        assert_eq!(rows["Proactive:"], "off");
        assert_eq!(rows["State:"], "not reported yet");
        assert_eq!(rows["Schedules:"], "none");
        let plain = function(json!({"metadata": {"name": "f"}, "spec": {}}));
        assert!(
            scaling_rows(&plain, now).is_empty(),
            "no section for a Kubeless function"
        );
        assert!(!describe_text(&plain, None, &[], now).contains("Scaling:"));
    }

    #[test]
    fn events_are_listed_by_time_not_by_name() {
        let event = |name: &str,
                     reason: &str,
                     last: Option<&str>,
                     event_time: Option<&str>|
         -> k8s_openapi::api::core::v1::Event {
            let mut e = json!({"metadata": {"name": name}, "involvedObject": {}, "reason": reason, "type": "Normal", "message": reason});
            if let Some(t) = last {
                e["lastTimestamp"] = json!(t);
            }
            if let Some(t) = event_time {
                e["eventTime"] = json!(t);
            }
            serde_json::from_value(e).unwrap()
        };
        // An events.k8s.io writer's repeat (kfn controller on a cluster): first seen at 21:00, last
        // at 21:04, per its series; the list gives them by name.
        let mut repeated = event("d", "Rescaled", None, Some("2026-12-01T21:00:00.000000Z"));
        repeated.series = Some(
            serde_json::from_value(json!({"count": 3, "lastObservedTime": "2026-12-01T21:04:00.000000Z"})).unwrap(),
        );
        let text = events_block(vec![
            event("a", "Activated", Some("2026-12-01T21:05:00Z"), None),
            event("b", "ScaledToZero", Some("2026-12-01T21:01:00Z"), None),
            event("c", "PreWarmed", None, Some("2026-12-01T21:03:00.000000Z")),
            repeated,
        ]);
        let reasons: Vec<&str> = text.lines().skip(1).map(|l| l.split('\t').nth(2).unwrap()).collect();
        assert_eq!(
            reasons,
            ["ScaledToZero", "PreWarmed", "Rescaled", "Activated"],
            "{text}"
        );
        assert!(
            text.contains("2026-12-01T21:04:00Z\tNormal\tRescaled"),
            "the last time shown: {text}"
        );
    }

    #[test]
    fn wide_rows_line_up_with_their_header() {
        let f = json!({"metadata": {"name": "hello", "namespace": "default", "labels": {"function": "hello"}},
            "spec": {"handler": "h.f", "runtime": "nodejs20", "deps": "{\"dependencies\": {\"lodash\": \"^4\"}}",
                "deployment": {"spec": {"template": {"spec": {"containers": [{"env": [{"name": "foo", "value": "bar"}],
                    "resources": {"requests": {"memory": "128Mi"}}}]}}}}}});
        let text = rows(&[(summary(f), replicas(1, 1))], true).0;
        let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').map(str::trim).collect()).collect();
        assert_eq!(
            lines[0],
            [
                "NAME",
                "NAMESPACE",
                "HANDLER",
                "RUNTIME",
                "DEPENDENCIES",
                "STATUS",
                "MEMORY",
                "ENV",
                "LABEL"
            ]
        );
        assert_eq!(
            lines[1],
            [
                "hello",
                "default",
                "h.f",
                "nodejs20",
                "lodash: ^4",
                "1/1 READY",
                "128Mi",
                "foo = bar",
                "function : hello"
            ]
        );
    }
}
