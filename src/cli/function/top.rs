//! `kfn function top`: call counts and durations from the functions' metrics.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Result, bail};
use clap::Args;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use serde_json::json;

use crate::cli::GlobalArgs;
use crate::client::metrics::{self, MethodTotals};
use crate::client::proxy::ServiceProxy;
use crate::client::{self, Connection, kubeless};
use crate::output::{self, OutputFormat, table::Table};

#[derive(Args, Debug)]
pub struct TopArgs {
    /// One function (default: all in the namespace)
    #[arg(short = 'f', long = "function", add = crate::cli::complete::function_names())]
    pub function: Option<String>,
    /// Output format: json or yaml (default: a table)
    #[arg(short = 'o', long = "out", default_value = "")]
    pub out: String,
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
    let mut methods = metrics::by_method(&metrics::parse(text).ok()?);
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

/// The calls of a Function's replicas that are gone, which the local engine keeps in its status
/// (only the status is read, not the code).
fn retired_calls(function: &kube::api::DynamicObject) -> BTreeMap<String, MethodTotals> {
    use crate::api::kinds::{FunctionStatus, StatusView};
    let read = crate::api::kinds::lenient::<StatusView<FunctionStatus>>(&kubeless::to_value(function));
    read.object.and_then(|v| v.status).unwrap_or_default().retired_calls
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
    let Ok(proxy) = ServiceProxy::find(conn, namespace, name).await else {
        return message(NO_METRICS);
    };
    match metrics::scrape(&proxy).await {
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

/// The formats `top` prints in, and Kubeless's words for another.
const FORMATS: &[OutputFormat] = &[OutputFormat::Table, OutputFormat::Json, OutputFormat::Yaml];
const WRONG_FORMAT: &str = "Wrong output format. Please use only json|yaml";

pub async fn top(args: TopArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let printer = global.printer;
    let format = OutputFormat::parse(&args.out, FORMATS, "-o/--out", WRONG_FORMAT).map_err(client::Error::usage)?;
    let conn = client::connect(&global.target()).await?;
    let ns = conn.namespace.clone();
    let api = kubeless::functions(&conn, &ns);
    let functions: Vec<kube::api::DynamicObject> = match &args.function {
        Some(f) => match api.get_opt(f).await {
            Ok(Some(function)) => vec![function],
            Ok(None) => bail!("Error listing functions: function {f:?} not found in namespace {ns}"),
            Err(e) => return Err(conn.explain(e).context("Error listing functions").into()),
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
    match format {
        OutputFormat::Json => printer.data(&format!("{}\n", output::json(&rows, 2)))?,
        OutputFormat::Yaml => printer.data(&output::yaml(&json!(rows)))?,
        OutputFormat::Table | OutputFormat::Wide => {
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
            printer.data(&t.render())?;
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
}
