//! `tenant list` and `tenant describe`: each tenant's limits and what it uses of them, read
//! from its ResourceQuota's status.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use k8s_openapi::api::core::v1::{LimitRange, Namespace, Pod, ResourceQuota};
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, ListParams};
use serde::Serialize;

use super::{TenantName, age, get_tenant, is_tenant, namespaces, quotas};
use crate::api::TENANT_LABEL;
use crate::cli::GlobalArgs;
use crate::client::{self, Connection, Error, kubeless};
use crate::output::{self, OutputFormat, table::Table};
use crate::render::tenant::{self as render, CPU_KEYS, FUNCTIONS_KEY, MEMORY_KEYS, REPLICAS_KEY};

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Output format: json or yaml (default: a table)
    #[arg(short = 'o', long = "out", default_value = "")]
    pub out: String,
}

const FORMATS: &[OutputFormat] = &[OutputFormat::Table, OutputFormat::Json, OutputFormat::Yaml];
const WRONG_FORMAT: &str = "Wrong output format. Please use only json|yaml";

/// One tenant as `list -o json|yaml` prints it: its quota's limits (`hard`) and usage.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<String>,
    pub hard: BTreeMap<String, String>,
    pub used: BTreeMap<String, String>,
}

impl Summary {
    /// The tenant of `namespace`, from its quota; `counted` fills in the functions and pods it
    /// has when the quota does not count them (no limit on them).
    pub fn new(namespace: &Namespace, quota: Option<&ResourceQuota>, counted: &BTreeMap<String, String>) -> Summary {
        let status = quota.and_then(|q| q.status.as_ref());
        let read = |m: Option<&BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>| {
            m.map(|m| m.iter().map(|(k, v)| (k.clone(), v.0.clone())).collect())
                .unwrap_or_default()
        };
        let mut hard: BTreeMap<String, String> = read(quota.and_then(|q| q.spec.as_ref()?.hard.as_ref()));
        if let Some(h) = status.and_then(|s| s.hard.as_ref()) {
            hard.extend(read(Some(h)));
        }
        let mut used: BTreeMap<String, String> = read(status.and_then(|s| s.used.as_ref()));
        for (k, v) in counted {
            used.entry(k.clone()).or_insert_with(|| v.clone());
        }
        Summary {
            name: namespace.metadata.name.clone().unwrap_or_default(),
            creation_timestamp: namespace.metadata.creation_timestamp.as_ref().map(|t| t.0.to_string()),
            hard,
            used,
        }
    }

    /// `used/hard` of `key`: `2/5`; `2` when unlimited; `-` when nothing is known.
    pub fn usage(&self, key: &str) -> String {
        match (self.used.get(key), self.hard.get(key)) {
            (Some(u), Some(h)) => format!("{u}/{h}"),
            (None, Some(h)) => format!("0/{h}"),
            (Some(u), None) => u.clone(),
            (None, None) => "-".into(),
        }
    }
}

/// The rows of `tenant list`: NAME, FUNCTIONS, REPLICAS, CPU, MEMORY (requests), AGE.
pub fn list_table(tenants: &[Summary], now: Timestamp) -> String {
    let mut table = Table::new(&["NAME", "FUNCTIONS", "REPLICAS", "CPU", "MEMORY", "AGE"], 50);
    for t in tenants {
        table.row(vec![
            t.name.clone(),
            t.usage(FUNCTIONS_KEY),
            t.usage(REPLICAS_KEY),
            t.usage(CPU_KEYS[0]),
            t.usage(MEMORY_KEYS[0]),
            age(t.creation_timestamp.as_deref().and_then(|s| s.parse().ok()), now),
        ]);
    }
    table.render()
}

/// What a tenant has that its quota does not count: its functions and pods.
async fn counted(conn: &Connection, ns: &str, quota: Option<&ResourceQuota>) -> BTreeMap<String, String> {
    let tracked = |key: &str| {
        quota
            .and_then(|q| q.status.as_ref()?.used.as_ref())
            .is_some_and(|u| u.contains_key(key))
    };
    let mut counted = BTreeMap::new();
    if !tracked(FUNCTIONS_KEY)
        && let Ok(list) = kubeless::functions(conn, ns).list(&ListParams::default()).await
    {
        counted.insert(FUNCTIONS_KEY.to_string(), list.items.len().to_string());
    }
    if !tracked(REPLICAS_KEY)
        && let Ok(list) = Api::<Pod>::namespaced(conn.client.clone(), ns)
            .list(&ListParams::default())
            .await
    {
        counted.insert(REPLICAS_KEY.to_string(), list.items.len().to_string());
    }
    counted
}

async fn summary(conn: &Connection, namespace: &Namespace) -> Result<Summary, Error> {
    let ns = namespace.metadata.name.as_deref().unwrap_or_default();
    let quota = quotas(conn, ns).get_opt(render::POLICY).await.map_err(|e| {
        conn.explain(e)
            .concerning(format!("resourcequota {ns}/{}", render::POLICY))
    })?;
    let counted = counted(conn, ns, quota.as_ref()).await;
    Ok(Summary::new(namespace, quota.as_ref(), &counted))
}

pub async fn list(args: ListArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let format = OutputFormat::parse(&args.out, FORMATS, "-o/--out", WRONG_FORMAT).map_err(Error::usage)?;
    let conn = client::connect(&global.target()).await?;
    let mut items = namespaces(&conn)
        .list(&ListParams::default().labels(TENANT_LABEL))
        .await
        .map_err(|e| conn.explain(e).context("Error listing tenants"))?
        .items;
    items.retain(is_tenant);
    items.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    let mut tenants = Vec::new();
    for ns in &items {
        tenants.push(
            summary(&conn, ns)
                .await
                .map_err(|e| e.context("Error listing tenants"))?,
        );
    }
    match format {
        OutputFormat::Json => global.printer.data(&format!("{}\n", output::json(&tenants, 2)))?,
        OutputFormat::Yaml => global.printer.data(&output::yaml(&serde_json::to_value(&tenants)?))?,
        _ => global.printer.data(&list_table(&tenants, Timestamp::now()))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The default requests and limits of the tenant's containers, from its LimitRange.
fn defaults_text(limit_range: Option<&LimitRange>) -> String {
    let Some(item) = limit_range
        .and_then(|l| l.spec.as_ref())
        .and_then(|s| s.limits.iter().find(|i| i.type_ == "Container"))
    else {
        return "none".into();
    };
    let text = |m: Option<&BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>| {
        m.map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k} {}", v.0))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_else(|| "-".into())
    };
    let mut lines = vec![
        format!("requests: {}", text(item.default_request.as_ref())),
        format!("limits: {}", text(item.default.as_ref())),
    ];
    if item.max.is_some() {
        lines.push(format!("max: {}", text(item.max.as_ref())));
    }
    lines.join("\n")
}

/// The text of `tenant describe`.
pub fn describe_text(t: &Summary, limit_range: Option<&LimitRange>, now: Timestamp) -> String {
    let mut table = Table::headless(80);
    let name = &t.name;
    table.row(vec!["Name:".into(), name.clone()]);
    table.row(vec!["Namespace:".into(), name.clone()]);
    table.row(vec![
        "Age:".into(),
        age(t.creation_timestamp.as_deref().and_then(|s| s.parse().ok()), now),
    ]);
    let limit = |key: &str| t.hard.get(key).cloned().unwrap_or_else(|| "unlimited".into());
    let used = |key: &str| t.used.get(key).cloned().unwrap_or_else(|| "0".into());
    let rows = [
        ("functions", FUNCTIONS_KEY),
        ("replicas", REPLICAS_KEY),
        ("cpu requests", CPU_KEYS[0]),
        ("cpu limits", CPU_KEYS[1]),
        ("memory requests", MEMORY_KEYS[0]),
        ("memory limits", MEMORY_KEYS[1]),
    ];
    let lines: Vec<String> = rows
        .iter()
        .filter(|(_, key)| t.hard.contains_key(*key) || t.used.contains_key(*key))
        .map(|(what, key)| format!("{what}: {} of {} ({key})", used(key), limit(key)))
        .collect();
    table.row(vec![
        "Quota:".into(),
        format!("ResourceQuota {}\n{}", render::POLICY, lines.join("\n")),
    ]);
    table.row(vec![
        "Container defaults:".into(),
        format!("LimitRange {}\n{}", render::POLICY, defaults_text(limit_range)),
    ]);
    table.row(vec![
        "Developer:".into(),
        format!(
            "ServiceAccount {sa}, user system:serviceaccount:{name}:{sa}\nRole and RoleBinding {role}",
            sa = render::SERVICE_ACCOUNT,
            role = render::ROLE
        ),
    ]);
    table.row(vec![
        "Kubeconfig:".into(),
        format!("kfn tenant kubeconfig {name} [--duration 24h] > {name}.kubeconfig"),
    ]);
    table.render()
}

pub async fn describe(args: TenantName, global: &GlobalArgs) -> Result<ExitCode> {
    let name = args.name.as_str();
    let conn = client::connect(&global.target()).await?;
    let context = || format!("Can not describe tenant {name}");
    let namespace = get_tenant(&conn, name).await.map_err(|e| e.context(context()))?;
    let summary = summary(&conn, &namespace).await.map_err(|e| e.context(context()))?;
    let limit_range = Api::<LimitRange>::namespaced(conn.client.clone(), name)
        .get_opt(render::POLICY)
        .await
        .map_err(|e| conn.explain(e).context(context()))?;
    global
        .printer
        .data(&describe_text(&summary, limit_range.as_ref(), Timestamp::now()))?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{ResourceQuotaSpec, ResourceQuotaStatus};
    use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

    fn q(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, Quantity>> {
        Some(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), Quantity(v.to_string())))
                .collect(),
        )
    }

    fn namespace(name: &str) -> Namespace {
        Namespace {
            metadata: kube::api::ObjectMeta {
                name: Some(name.into()),
                creation_timestamp: Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
                    "2026-01-01T00:00:00Z".parse().unwrap(),
                )),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn a_tenants_row_shows_use_against_its_limits() {
        let quota = ResourceQuota {
            spec: Some(ResourceQuotaSpec {
                hard: q(&[("count/functions.kubeless.io", "2"), ("requests.memory", "1Gi")]),
                ..Default::default()
            }),
            status: Some(ResourceQuotaStatus {
                hard: q(&[("count/functions.kubeless.io", "2"), ("requests.memory", "1Gi")]),
                used: q(&[("count/functions.kubeless.io", "1"), ("requests.memory", "64Mi")]),
            }),
            ..Default::default()
        };
        let counted = BTreeMap::from([("pods".to_string(), "3".to_string())]);
        let a = Summary::new(&namespace("team-a"), Some(&quota), &counted);
        let b = Summary::new(&namespace("team-b"), None, &BTreeMap::new());
        let now: Timestamp = "2026-01-01T02:00:00Z".parse().unwrap();
        let text = list_table(&[a.clone(), b], now);
        let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split_whitespace().collect()).collect();
        assert_eq!(lines[0], ["NAME", "FUNCTIONS", "REPLICAS", "CPU", "MEMORY", "AGE"]);
        assert_eq!(lines[1], ["team-a", "1/2", "3", "-", "64Mi/1Gi", "2h"]);
        assert_eq!(lines[2], ["team-b", "-", "-", "-", "-", "2h"]);
        let described = describe_text(&a, None, now);
        assert!(
            described.contains("functions: 1 of 2 (count/functions.kubeless.io)"),
            "{described}"
        );
        assert!(described.contains("replicas: 3 of unlimited (pods)"), "{described}");
        assert!(described.contains("kfn tenant kubeconfig team-a"), "{described}");
        assert!(
            described.contains("system:serviceaccount:team-a:kfn-developer"),
            "{described}"
        );
    }
}
