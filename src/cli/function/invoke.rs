//! `function call`, `function logs` and `function top`: talking to running functions through
//! the API server (service proxy, pod logs).

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use base64::Engine;
use clap::Args;
use futures::{AsyncBufReadExt, StreamExt};
use k8s_openapi::api::core::v1::{Pod, Service};
use kube::api::{Api, ListParams, LogParams};
use serde_json::{Value, json};

use super::one_name;
use crate::cli::GlobalArgs;
use crate::client::{self, Connection, kubeless};
use crate::output::{self, log, table::Table};
use crate::runtime::metrics::MethodTotals;

#[derive(Args, Debug)]
pub struct CallArgs {
    /// The function's name
    #[arg(value_name = "FUNCTION_NAME", required = true, num_args = 1, action = clap::ArgAction::Set, add = crate::cli::complete::function_names())]
    pub names: Vec<String>,
    /// Data to send (a POST); JSON objects are sent as application/json
    #[arg(short = 'd', long)]
    pub data: Option<String>,
    /// Read the data from a file (`-` for stdin)
    #[arg(long = "data-file", value_name = "PATH", conflicts_with = "data")]
    pub data_file: Option<String>,
    /// HTTP method (default: GET without data, POST with it)
    #[arg(short = 'X', long)]
    pub method: Option<String>,
    /// Extra request headers, `Name: value` (repeatable)
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    pub headers: Vec<String>,
    /// Query string, e.g. `a=1&b=2`
    #[arg(long)]
    pub query: Option<String>,
    /// Path to call
    #[arg(long, default_value = "/")]
    pub path: String,
    /// Print the response's status line and headers before the body
    #[arg(short = 'i', long)]
    pub include: bool,
}

#[derive(Args, Debug)]
pub struct LogsArgs {
    /// The function's name
    #[arg(value_name = "FUNCTION_NAME", required = true, num_args = 1, action = clap::ArgAction::Set, add = crate::cli::complete::function_names())]
    pub names: Vec<String>,
    /// Keep printing new lines
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// Only the last N lines of each replica
    #[arg(long, value_name = "N")]
    pub tail: Option<i64>,
    /// Only lines newer than this (e.g. 10s, 5m, 1h)
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
    /// Prefix each line with its time
    #[arg(long)]
    pub timestamps: bool,
}

#[derive(Args, Debug)]
pub struct TopArgs {
    /// One function (default: all in the namespace)
    #[arg(short = 'f', long = "function", add = crate::cli::complete::function_names())]
    pub function: Option<String>,
    /// Output format: json or yaml (default: a table)
    #[arg(short = 'o', long = "out", default_value = "")]
    pub out: String,
}

/// How long `call` waits for a replica that is starting before it calls anyway.
const CALL_WAIT: Duration = Duration::from_secs(60);

/// 11 random bytes, URL-safe base64 without padding: the event id Kubeless sends.
fn event_id() -> String {
    let mut bytes = [0u8; 11];
    let _ = getrandom::fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The Service port segment of proxy paths: the port's name, else its number.
fn port_segment(svc: &Service) -> Option<String> {
    let port = svc.spec.as_ref()?.ports.as_ref()?.first()?;
    Some(
        port.name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| port.port.to_string()),
    )
}

fn read_data(args: &CallArgs) -> Result<Option<Vec<u8>>> {
    Ok(match (&args.data, &args.data_file) {
        (Some(d), _) => Some(d.clone().into_bytes()),
        (None, Some(path)) if path == "-" => {
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).context("--data-file -: cannot read stdin")?;
            Some(buf)
        }
        (None, Some(path)) => Some(std::fs::read(path).with_context(|| format!("--data-file: cannot read {path}"))?),
        (None, None) => None,
    })
}

/// Last lines of a pod's log, for error messages.
async fn last_lines(conn: &Connection, namespace: &str, pod: &str, lines: i64) -> String {
    let pods: Api<Pod> = Api::namespaced(conn.client.clone(), namespace);
    pods.logs(
        pod,
        &LogParams {
            tail_lines: Some(lines),
            ..Default::default()
        },
    )
    .await
    .unwrap_or_default()
}

/// What a successful call prints: a text body and a newline, as Kubeless printed it; any other
/// body byte for byte, so `kfn function call f > file` keeps an image or an archive whole.
fn success_output(body: &[u8]) -> Vec<u8> {
    let mut out = body.to_vec();
    if std::str::from_utf8(body).is_ok() {
        out.push(b'\n');
    }
    out
}

pub async fn call(args: CallArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let name = one_name(&args.names, "function name")?;
    let data = read_data(&args)?;
    let mut extra = Vec::new();
    for h in &args.headers {
        let (k, v) = h
            .split_once(':')
            .with_context(|| format!("Invalid header {h:?} (given with --header): use `Name: value`"))?;
        extra.push((k.trim().to_string(), v.trim().to_string()));
    }
    let conn = client::connect(&global.target()).await?;
    let ns = conn.namespace.clone();
    let services: Api<Service> = Api::namespaced(conn.client.clone(), &ns);
    let svc = match services.get_opt(&name).await {
        Ok(Some(s)) => s,
        Ok(None) => bail!(
            "Unable to find the service for {name} in namespace {ns}; is the function deployed? (`kfn function ls`)"
        ),
        Err(e) => return Err(conn.explain(e)),
    };
    let port = port_segment(&svc).with_context(|| format!("the service {name} has no port"))?;
    // Replicas still starting (the engine just started, say) are waited for, not answered 503.
    super::wait::until_serving(&conn, &ns, &name, CALL_WAIT).await?;
    let path = if args.path.starts_with('/') {
        args.path.clone()
    } else {
        format!("/{}", args.path)
    };
    let query = args
        .query
        .as_ref()
        .map(|q| format!("?{}", q.trim_start_matches('?')))
        .unwrap_or_default();
    let uri = format!("/api/v1/namespaces/{ns}/services/{name}:{port}/proxy{path}{query}");
    let method = args
        .method
        .clone()
        .unwrap_or_else(|| if data.is_some() { "POST" } else { "GET" }.into())
        .to_uppercase();
    let now = k8s_openapi::jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let mut req = http::Request::builder()
        .method(method.as_str())
        .uri(&uri)
        .header("event-id", event_id())
        .header("event-time", now)
        .header("event-namespace", "cli.kubeless.io");
    if let Some(d) = &data {
        let json_object = serde_json::from_slice::<Value>(d).is_ok_and(|v| v.is_object());
        let kind = if json_object {
            "application/json"
        } else {
            "application/x-www-form-urlencoded"
        };
        if !extra.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
            req = req.header("content-type", kind);
        }
        req = req.header("event-type", kind);
    }
    for (k, v) in &extra {
        req = req.header(k.as_str(), v.as_str());
    }
    let req = req
        .body(kube::client::Body::from(data.unwrap_or_default()))
        .context("the request cannot be built")?;
    let resp = conn.client.send(req).await.map_err(|e| conn.explain(e))?;
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect_bytes().await.map_err(|e| conn.explain(e))?;
    if args.include {
        let mut head = format!(
            "HTTP/1.1 {} {}\n",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        );
        for (k, v) in &headers {
            head.push_str(&format!("{k}: {}\n", v.to_str().unwrap_or_default()));
        }
        head.push('\n');
        output::print(&head);
    }
    if status.is_success() {
        output::print_bytes(&success_output(&body));
        return Ok(ExitCode::SUCCESS);
    }
    let text = String::from_utf8_lossy(&body).into_owned();
    if status.as_u16() == 408 {
        log::error(&text);
        bail!("Request timeout exceeded");
    }
    // An answer from the API server itself (no ready replica, …) is a Status.
    if let Ok(s) = serde_json::from_slice::<Value>(&body)
        && s["kind"] == "Status"
    {
        bail!(
            "{} (HTTP {}); check the function with `kfn function ls {name}` and `kfn function logs {name}`",
            s["message"].as_str().unwrap_or_default(),
            status.as_u16()
        );
    }
    let pod = match headers.get(crate::api::POD_HEADER).and_then(|v| v.to_str().ok()) {
        Some(p) => Some(p.to_string()),
        None => {
            let pods: Api<Pod> = Api::namespaced(conn.client.clone(), &ns);
            let list = pods
                .list(&ListParams::default().labels(&format!("function={name}")))
                .await
                .map(|l| l.items)
                .unwrap_or_default();
            list.first().and_then(|p| p.metadata.name.clone())
        }
    };
    let mut message = format!(
        "the function answered {} {}: {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        text.trim_end()
    );
    if let Some(pod) = pod {
        let lines = last_lines(&conn, &ns, &pod, 10).await;
        if !lines.trim().is_empty() {
            message.push_str(&format!("\nlast log lines of {pod}:\n{}", lines.trim_end()));
        }
    }
    bail!(message)
}

pub async fn logs(args: LogsArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let name = one_name(&args.names, "function name")?;
    let since = args
        .since
        .as_deref()
        .map(|s| crate::api::schedule::go_duration(s).map_err(|e| anyhow::anyhow!("Invalid --since {s:?}: {e}")))
        .transpose()?;
    let conn = client::connect(&global.target()).await?;
    let ns = conn.namespace.clone();
    let pods: Api<Pod> = Api::namespaced(conn.client.clone(), &ns);
    let list = pods
        .list(&ListParams::default().labels(&format!("function={name}")))
        .await
        .map_err(|e| conn.explain(e).context("Can't find the function pod"))?;
    // A pod no node took has no log yet (the API server answers an empty one): a function with
    // only such pods has nothing to show, and says why.
    let placed = super::wait::with_logs(&list.items);
    if placed.is_empty() {
        bail!(no_pod_running(&conn, &ns, &name, &list.items).await);
    }
    for pod in list.items.iter().filter(|p| !super::wait::on_node(p)) {
        log::warn(&format!(
            "pod {} of function {name} is not on a node yet: it has no log",
            pod.metadata.name.as_deref().unwrap_or_default()
        ));
    }
    let names: Vec<String> = placed.iter().filter_map(|p| p.metadata.name.clone()).collect();
    let params = LogParams {
        follow: args.follow,
        tail_lines: args.tail,
        since_seconds: since.map(|d| d.as_secs().max(1) as i64),
        timestamps: args.timestamps,
        ..Default::default()
    };
    let prefix = names.len() > 1;
    let mut streams = Vec::new();
    for pod in &names {
        let reader = pods
            .log_stream(pod, &params)
            .await
            .map_err(|e| conn.explain(e).context("Getting log failed"))?;
        let label = if prefix { format!("[{pod}] ") } else { String::new() };
        streams.push(reader.lines().map(move |l| l.map(|l| format!("{label}{l}\n"))).boxed());
    }
    if args.follow {
        let mut all = futures::stream::select_all(streams);
        while let Some(line) = all.next().await {
            output::print(&line.context("Getting log failed")?);
        }
    } else {
        for mut s in streams {
            while let Some(line) = s.next().await {
                output::print(&line.context("Getting log failed")?);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Kubeless's `No function pod is running: there is no pod ready`, and why: no such function,
/// no pods of it, or what holds its pods.
async fn no_pod_running(conn: &Connection, namespace: &str, name: &str, pods: &[Pod]) -> String {
    let kubeless_words = "No function pod is running: there is no pod ready";
    if !pods.is_empty() {
        return format!(
            "{kubeless_words}: no pod of function {name} in namespace {namespace} is on a node yet{}",
            super::wait::diagnose(conn, namespace, name).await
        );
    }
    match kubeless::functions(conn, namespace).get_opt(name).await {
        Ok(None) => format!("{kubeless_words}: there is no function {name} in namespace {namespace}"),
        _ => format!(
            "{kubeless_words}: function {name} in namespace {namespace} has no pods (is a controller running for this API server? `kfn function describe {name}` says more)"
        ),
    }
}

/// Kubeless's words for a function whose metrics cannot be read, and what `top` adds when
/// that is because none of its wanted replicas is ready.
const NO_METRICS: &str = "Function does not expose metrics";
const NO_READY_POD: &str = "no ready pod";

/// One row of `function top`.
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize)]
pub struct TopRow {
    pub function: String,
    pub namespace: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub method: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
    #[serde(skip_serializing_if = "is_zero", serialize_with = "go_number")]
    pub total_calls: f64,
    #[serde(skip_serializing_if = "is_zero", serialize_with = "go_number")]
    pub total_failures: f64,
    #[serde(skip_serializing_if = "is_zero", serialize_with = "go_number")]
    pub total_duration_seconds: f64,
    #[serde(skip_serializing_if = "is_zero", serialize_with = "go_number")]
    pub avg_duration_seconds: f64,
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

/// A number as Go's encoders write it: `2`, not `2.0`, when it is whole.
fn go_number<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        s.serialize_i64(*v as i64)
    } else {
        s.serialize_f64(*v)
    }
}

/// Reads the function metrics of a Prometheus text exposition into rows per method, adding the
/// calls of replicas that are gone (`retired`, kept by the local engine).
pub fn parse_metrics(
    function: &str,
    namespace: &str,
    text: &str,
    retired: &BTreeMap<String, MethodTotals>,
) -> Option<Vec<TopRow>> {
    let mut methods = crate::runtime::metrics::by_method(text)?;
    for (method, totals) in retired {
        methods.entry(method.clone()).or_default().add(totals);
    }
    let mut rows: Vec<TopRow> = methods
        .into_iter()
        .map(|(method, t)| TopRow {
            function: function.into(),
            namespace: namespace.into(),
            method,
            total_calls: t.calls,
            total_failures: t.failures,
            avg_duration_seconds: if t.calls > 0.0 {
                microseconds(t.duration_seconds / t.calls)
            } else {
                0.0
            },
            total_duration_seconds: microseconds(t.duration_seconds),
            ..Default::default()
        })
        .collect();
    if rows.is_empty() {
        rows.push(TopRow {
            function: function.into(),
            namespace: namespace.into(),
            ..Default::default()
        });
    }
    Some(rows)
}

/// Seconds rounded to the microsecond: `0.000837`, not `0.0008374360000000001`.
fn microseconds(seconds: f64) -> f64 {
    (seconds * 1e6).round() / 1e6
}

/// The calls of a Function's replicas that are gone, which the local engine keeps in its status.
fn retired_calls(function: &kube::api::DynamicObject) -> BTreeMap<String, MethodTotals> {
    serde_json::from_value(function.data["status"]["retiredCalls"].clone()).unwrap_or_default()
}

async fn scrape(
    conn: &Connection,
    namespace: &str,
    name: &str,
    retired: BTreeMap<String, MethodTotals>,
) -> Vec<TopRow> {
    let message = |m: &str| {
        vec![TopRow {
            function: name.into(),
            namespace: namespace.into(),
            message: m.into(),
            ..Default::default()
        }]
    };
    let services: Api<Service> = Api::namespaced(conn.client.clone(), namespace);
    let Ok(svc) = services.get(name).await else {
        return message(NO_METRICS);
    };
    let Some(port) = svc
        .spec
        .as_ref()
        .and_then(|s| s.ports.as_ref())
        .and_then(|p| p.first())
        .map(|p| p.port)
    else {
        return message(NO_METRICS);
    };
    let req = http::Request::get(format!(
        "/api/v1/namespaces/{namespace}/services/{name}:{port}/proxy/metrics"
    ))
    .body(Vec::new());
    let Ok(req) = req else {
        return message(NO_METRICS);
    };
    match conn.client.request_text(req).await {
        Ok(text) => {
            parse_metrics(name, namespace, &text, &retired).unwrap_or_else(|| message("Unable to get function metrics"))
        }
        Err(_) => match not_ready(conn, namespace, name).await {
            Some(pods) => message(&format!("{NO_METRICS}: {NO_READY_POD} ({pods})")),
            None => message(NO_METRICS),
        },
    }
}

/// When the function's Deployment wants replicas and none is ready: what its pods are.
async fn not_ready(conn: &Connection, namespace: &str, name: &str) -> Option<String> {
    let deployments: Api<k8s_openapi::api::apps::v1::Deployment> = Api::namespaced(conn.client.clone(), namespace);
    let d = deployments.get_opt(name).await.ok()??;
    if d.spec.replicas.unwrap_or(1) == 0 {
        return None;
    }
    let pods: Api<Pod> = Api::namespaced(conn.client.clone(), namespace);
    let listed = pods
        .list(&ListParams::default().labels(&format!("function={name}")))
        .await
        .ok()?
        .items;
    if super::wait::any_ready(&listed) {
        return None;
    }
    Some(super::wait::not_ready_summary(&listed))
}

pub async fn top(args: TopArgs, global: &GlobalArgs) -> Result<ExitCode> {
    if !["", "json", "yaml"].contains(&args.out.as_str()) {
        bail!(
            "Wrong output format. Please use only json|yaml; got {:?} (given with --out)",
            args.out
        );
    }
    let conn = client::connect(&global.target()).await?;
    let ns = conn.namespace.clone();
    let api = kubeless::functions(&conn, &ns);
    let functions: Vec<kube::api::DynamicObject> = match &args.function {
        Some(f) => match api.get_opt(f).await {
            Ok(Some(function)) => vec![function],
            Ok(None) => bail!("Error listing functions: function {f:?} not found in namespace {ns}"),
            Err(e) => return Err(conn.explain(e).context("Error listing functions")),
        },
        None => {
            api.list(&ListParams::default())
                .await
                .map_err(|e| conn.explain(e).context("Error listing functions"))?
                .items
        }
    };
    // All scrapes at once, each bounded: a function that does not answer in 5 s is left out.
    let scrapes = functions.iter().filter_map(|f| {
        let name = f.metadata.name.as_deref()?;
        let retired = retired_calls(f);
        Some(tokio::time::timeout(
            Duration::from_secs(5),
            scrape(&conn, &ns, name, retired),
        ))
    });
    let mut rows: Vec<TopRow> = futures::future::join_all(scrapes)
        .await
        .into_iter()
        .flatten()
        .flatten()
        .collect();
    rows.sort_by(|a, b| (&a.function, &a.method).cmp(&(&b.function, &b.method)));
    // The one function asked for has no metrics to show because no replica runs: its row, and
    // then an error that says why (as `kubectl top` fails when there are no metrics).
    let no_replica = args.function.as_ref().filter(|_| {
        rows.iter()
            .any(|r| r.message.starts_with(&format!("{NO_METRICS}: {NO_READY_POD}")))
    });
    match args.out.as_str() {
        "json" => output::print(&format!("{}\n", output::json(&rows, 2))),
        "yaml" => output::print(&output::yaml(&json!(rows))),
        _ => {
            let mut t = Table::new(
                &[
                    "NAME",
                    "NAMESPACE",
                    "METHOD",
                    "TOTAL_CALLS",
                    "TOTAL_FAILURES",
                    "TOTAL_DURATION_SECONDS",
                    "AVG_DURATION_SECONDS",
                    "MESSAGE",
                ],
                50,
            );
            for r in rows {
                let num = |v: f64| {
                    if r.message.is_empty() {
                        v.to_string()
                    } else {
                        String::new()
                    }
                };
                t.row(vec![
                    r.function.clone(),
                    r.namespace.clone(),
                    r.method.clone(),
                    num(r.total_calls),
                    num(r.total_failures),
                    num(r.total_duration_seconds),
                    num(r.avg_duration_seconds),
                    r.message.clone(),
                ]);
            }
            output::print(&t.render());
        }
    }
    if let Some(f) = no_replica {
        bail!(super::wait::no_ready_pod(&conn, &ns, f).await);
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_become_rows_per_method() {
        let text = "# TYPE function_calls_total counter\nfunction_calls_total{method=\"GET\"} 4\nfunction_calls_total{method=\"POST\"} 1\n\
            function_failures_total{method=\"GET\"} 1\nfunction_duration_seconds_sum{method=\"GET\"} 0.02\n\
            function_duration_seconds_bucket{le=\"0.005\",method=\"GET\"} 4\nprocess_cpu_seconds_total 0.5\n";
        let rows = parse_metrics("hello", "default", text, &BTreeMap::new()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].method.as_str(), rows[0].total_calls, rows[0].total_failures),
            ("GET", 4.0, 1.0)
        );
        assert_eq!(rows[0].avg_duration_seconds, 0.005);
        let text = "function_calls_total{method=\"GET\"} 3\nfunction_duration_seconds_sum{method=\"GET\"} 0.0025123080000000004\n";
        let row = &parse_metrics("hello", "default", text, &BTreeMap::new()).unwrap()[0];
        assert_eq!(
            (row.total_duration_seconds, row.avg_duration_seconds),
            (0.002512, 0.000837),
            "rounded to the microsecond"
        );
        assert_eq!(rows[1].total_duration_seconds, 0.0);
        let json = serde_json::to_value(&rows[1]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"function": "hello", "namespace": "default", "method": "POST", "total_calls": 1})
        );
        let text = serde_json::to_string(&rows[0]).unwrap();
        assert!(
            text.contains(r#""total_calls":4,"#) && text.contains(r#""avg_duration_seconds":0.005"#),
            "{text}"
        );
        assert_eq!(parse_metrics("x", "d", "", &BTreeMap::new()).unwrap()[0].method, "");
        assert!(parse_metrics("x", "d", "garbage without value", &BTreeMap::new()).is_none());
    }

    #[test]
    fn event_ids_are_15_url_safe_characters() {
        let id = event_id();
        assert_eq!(id.len(), 15);
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }
}
