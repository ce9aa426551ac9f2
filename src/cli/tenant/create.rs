//! `tenant create` and `tenant delete`.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Result;
use k8s_openapi::api::core::v1::{LimitRange, ServiceAccount};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};

use super::{CreateArgs, TenantName, check_name, get_tenant, is_tenant, namespaces, quotas};
use crate::api::TENANT_LABEL;
use crate::cli::GlobalArgs;
use crate::client::{self, Connection, Error};
use crate::render::tenant::{self as render, Limits};

/// A `--cpu`/`--memory` value: a quantity above zero, in the form the API server writes back.
fn quantity(text: Option<&str>, flag: &str) -> Result<Option<Quantity>, Error> {
    let Some(text) = text else { return Ok(None) };
    let canonical = crate::api::quantity::canonical(text).map_err(|e| Error::usage(format!("Invalid {flag}: {e}")))?;
    match crate::api::quantity::value(&canonical) {
        Ok(v) if v > 0.0 => Ok(Some(Quantity(canonical))),
        _ => Err(Error::usage(format!(
            "Invalid {flag} {text:?}: the tenant's total must be above zero (e.g. 2 or 500m for --cpu, 1Gi for --memory)"
        ))),
    }
}

/// The limits the flags give, checked before anything is created.
pub fn limits(args: &CreateArgs) -> Result<Limits, Error> {
    Ok(Limits {
        functions: args.functions,
        replicas: args.replicas,
        cpu: quantity(args.cpu.as_deref(), "--cpu")?,
        memory: quantity(args.memory.as_deref(), "--memory")?,
    })
}

/// Whether the server serves NetworkPolicies (clusters do; the engine does not).
async fn serves_network_policies(conn: &Connection) -> bool {
    match conn.client.list_api_group_resources("networking.k8s.io/v1").await {
        Ok(list) => list.resources.iter().any(|r| r.name == "networkpolicies"),
        Err(_) => false,
    }
}

pub async fn create(args: CreateArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let name = args.name.as_str();
    check_name(name)?;
    let limits = limits(&args)?;
    let tenant = render::tenant(name, &limits);
    let conn = client::connect(&global.target()).await?;
    let failed = |e: kube::Error, what: &str| {
        conn.explain(e)
            .concerning(format!("{what} {name}"))
            .context(format!("Failed to create tenant {name}"))
    };
    match namespaces(&conn).get_opt(name).await {
        Ok(None) => {}
        Ok(Some(ns)) if ns.metadata.deletion_timestamp.is_some() => {
            return Err(Error::failed(format!(
                "Failed to create tenant {name}: namespace {name} is being deleted; create it again once it is gone (`kubectl get namespace {name}`)"
            ))
            .into());
        }
        Ok(Some(ns)) => return Err(exists(name, is_tenant(&ns)).into()),
        Err(e) => return Err(failed(e, "namespace").into()),
    }
    let pp = PostParams::default();
    match namespaces(&conn).create(&pp, &tenant.namespace).await {
        Ok(_) => {}
        Err(kube::Error::Api(s)) if s.code == 409 => return Err(exists(name, false).into()),
        Err(e) => return Err(failed(e, "namespace").into()),
    }
    // The rest in the new namespace; when one fails, the namespace goes again, so that a
    // failed create leaves nothing behind.
    let policy = match create_objects(&conn, &tenant).await {
        Ok(policy) => policy,
        Err(e) => {
            let _ = namespaces(&conn).delete(name, &DeleteParams::background()).await;
            return Err(failed(e.1, e.0).into());
        }
    };
    if !tenant
        .quota
        .spec
        .as_ref()
        .and_then(|s| s.hard.as_ref())
        .is_none_or(|h| h.is_empty())
        && !conn.is_kfn_engine().await?
        && let Err(missing) = quota_counts(&conn, &tenant).await
    {
        global.printer.warn(&format!(
            "The cluster's quota controller does not count {missing} of tenant {name} yet: until it does, the API server refuses to create them (`status unknown for quota`); `kfn tenant describe {name}` shows when it does"
        ));
    }
    global.printer.info(&format!(
        "Tenant {name} created: namespace {name}, ServiceAccount {sa}, Role and RoleBinding {role}, ResourceQuota and LimitRange {policy_name}{np}",
        sa = render::SERVICE_ACCOUNT,
        role = render::ROLE,
        policy_name = render::POLICY,
        np = if policy {
            format!(", NetworkPolicy {}", render::POLICY)
        } else {
            " (no NetworkPolicy: the server does not serve them)".into()
        }
    ));
    global.printer.info(&format!(
        "Give its developers a kubeconfig with 'kfn tenant kubeconfig {name} > {name}.kubeconfig'"
    ));
    Ok(ExitCode::SUCCESS)
}

/// How long `create` waits for a cluster's quota controller to count what the quota limits.
const COUNTED_WITHIN: Duration = Duration::from_secs(60);
/// How often it asks for a count meanwhile.
const RECOUNT_EVERY: Duration = Duration::from_secs(5);
/// The quota key that asks for it: one that no kind has.
const RECOUNT_KEY: &str = "count/recount.kfn.io";

/// Waits until the quota's status counts every key it limits (the API server refuses what an
/// uncounted key covers). A cluster's quota controller counts a kind right away only in quotas
/// made after it knew the kind (`kfn install` just before: some 30s), others at its next full
/// resync (5 minutes): so `hard` is changed back and forth every few seconds meanwhile. The keys still
/// not counted, when it gives up.
async fn quota_counts(conn: &Connection, tenant: &render::Tenant) -> Result<(), String> {
    let ns = tenant.namespace.metadata.name.as_deref().unwrap_or_default();
    let api = quotas(conn, ns);
    let hard = tenant
        .quota
        .spec
        .as_ref()
        .and_then(|s| s.hard.clone())
        .unwrap_or_default();
    let started = Instant::now();
    let mut made = Instant::now();
    loop {
        let used = api
            .get_opt(render::POLICY)
            .await
            .ok()
            .flatten()
            .and_then(|q| q.status?.used)
            .unwrap_or_default();
        let missing: Vec<&str> = hard
            .keys()
            .filter(|k| !used.contains_key(*k))
            .map(String::as_str)
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        if started.elapsed() > COUNTED_WITHIN {
            return Err(missing.join(", "));
        }
        if made.elapsed() > RECOUNT_EVERY {
            // A change of `hard` makes the controller count again; a key no kind has, added and
            // taken away, changes nothing else (remaking the quota confused the API server's
            // admission, which let a function past it).
            for value in [serde_json::json!("0"), serde_json::Value::Null] {
                let patch = serde_json::json!({"spec": {"hard": {RECOUNT_KEY: value}}});
                let _ = api
                    .patch(render::POLICY, &PatchParams::default(), &Patch::Merge(&patch))
                    .await;
            }
            made = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Creates the tenant's objects in its new namespace; whether it made a NetworkPolicy. An
/// error says which kind failed.
async fn create_objects(conn: &Connection, tenant: &render::Tenant) -> Result<bool, (&'static str, kube::Error)> {
    let ns = tenant.namespace.metadata.name.as_deref().unwrap_or_default();
    let pp = PostParams::default();
    let client = || conn.client.clone();
    Api::<ServiceAccount>::namespaced(client(), ns)
        .create(&pp, &tenant.service_account)
        .await
        .map_err(|e| ("serviceaccount", e))?;
    Api::<Role>::namespaced(client(), ns)
        .create(&pp, &tenant.role)
        .await
        .map_err(|e| ("role", e))?;
    Api::<RoleBinding>::namespaced(client(), ns)
        .create(&pp, &tenant.role_binding)
        .await
        .map_err(|e| ("rolebinding", e))?;
    quotas(conn, ns)
        .create(&pp, &tenant.quota)
        .await
        .map_err(|e| ("resourcequota", e))?;
    Api::<LimitRange>::namespaced(client(), ns)
        .create(&pp, &tenant.limit_range)
        .await
        .map_err(|e| ("limitrange", e))?;
    let policy = serves_network_policies(conn).await;
    if policy {
        Api::<NetworkPolicy>::namespaced(client(), ns)
            .create(&pp, &tenant.network_policy)
            .await
            .map_err(|e| ("networkpolicy", e))?;
    }
    Ok(policy)
}

/// The error for a name already taken: by a tenant, or by a namespace that is not one.
fn exists(name: &str, tenant: bool) -> Error {
    if tenant {
        Error::failed(format!(
            "Failed to create tenant {name}: it already exists (`kfn tenant describe {name}` shows it; `kfn tenant delete {name}` deletes it)"
        ))
    } else {
        Error::failed(format!(
            "Failed to create tenant {name}: namespace {name} already exists and is not a tenant's (it has no label {TENANT_LABEL}={name}); a tenant gets a namespace of its own: pick another name"
        ))
    }
}

pub async fn delete(args: TenantName, global: &GlobalArgs) -> Result<ExitCode> {
    let name = args.name.as_str();
    let conn = client::connect(&global.target()).await?;
    get_tenant(&conn, name)
        .await
        .map_err(|e| e.context(format!("Failed to delete tenant {name}")))?;
    match namespaces(&conn).delete(name, &DeleteParams::background()).await {
        Ok(_) => {}
        Err(kube::Error::Api(s)) if s.code == 404 => return Err(super::tenant_not_found(name).into()),
        Err(e) => {
            return Err(conn
                .explain(e)
                .concerning(format!("namespace {name}"))
                .context(format!("Failed to delete tenant {name}"))
                .into());
        }
    }
    global.printer.info(&format!(
        "Tenant {name} deleted: namespace {name} and everything in it are being deleted"
    ));
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(cpu: Option<&str>, memory: Option<&str>) -> CreateArgs {
        CreateArgs {
            name: "t".into(),
            functions: Some(3),
            replicas: None,
            cpu: cpu.map(str::to_string),
            memory: memory.map(str::to_string),
        }
    }

    #[test]
    fn quantity_flags_are_checked_and_named() {
        let l = limits(&args(Some("500m"), Some("1Gi"))).unwrap();
        assert_eq!(l.functions, Some(3));
        assert_eq!(l.cpu, Some(Quantity("500m".into())));
        assert_eq!(l.memory, Some(Quantity("1Gi".into())));
        let err = limits(&args(Some("lots"), None)).unwrap_err().to_string();
        assert!(err.starts_with("Invalid --cpu: \"lots\" is not a quantity"), "{err}");
        let err = limits(&args(None, Some("1GB"))).unwrap_err().to_string();
        assert!(err.starts_with("Invalid --memory"), "{err}");
        let err = limits(&args(None, Some("0"))).unwrap_err().to_string();
        assert!(err.contains("above zero"), "{err}");
    }
}
