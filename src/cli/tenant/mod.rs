//! `kfn tenant`: namespaces of their own for teams, with RBAC that lets a function developer do
//! their work there and nothing elsewhere, a quota, default limits and a kubeconfig holding a
//! ServiceAccount token. The same objects (render::tenant) on the local engine and on clusters.

mod create;
mod kubeconfig;
mod show;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
use k8s_openapi::api::core::v1::{Namespace, ResourceQuota};
use k8s_openapi::jiff::Timestamp;
use kube::api::Api;

use super::GlobalArgs;
use crate::api::TENANT_LABEL;
use crate::client::{Connection, Error};

#[derive(Args, Debug)]
pub struct TenantArgs {
    #[command(subcommand)]
    pub command: Option<TenantCommand>,
}

#[derive(Subcommand, Debug)]
pub enum TenantCommand {
    /// Create a tenant: a namespace, a developer ServiceAccount, Role and RoleBinding, a quota
    /// and default limits (and, on clusters, a NetworkPolicy)
    Create(CreateArgs),
    /// List tenants
    #[command(visible_alias = "ls")]
    List(show::ListArgs),
    /// Show a tenant's limits and what it uses of them
    Describe(TenantName),
    /// Delete a tenant: its namespace and everything in it
    Delete(TenantName),
    /// Print a kubeconfig with a token of the tenant's ServiceAccount, for kfn and kubectl
    Kubeconfig(KubeconfigArgs),
}

#[derive(Args, Debug)]
pub struct TenantName {
    /// The tenant's name (also its namespace's)
    #[arg(value_name = "TENANT_NAME")]
    pub name: String,
}

#[derive(Args, Debug)]
pub struct CreateArgs {
    /// The tenant's name (also its namespace's)
    #[arg(value_name = "TENANT_NAME")]
    pub name: String,
    /// How many functions the tenant may have (default: no limit)
    #[arg(long, value_name = "N")]
    pub functions: Option<u32>,
    /// How many replicas (pods) the tenant may run at once (default: no limit)
    #[arg(long, value_name = "N")]
    pub replicas: Option<u32>,
    /// CPU of all the tenant's replicas together, requests and limits (e.g. 2, 500m); a
    /// container that sets none gets 100m requested, 500m limit
    #[arg(long, value_name = "QUANTITY")]
    pub cpu: Option<String>,
    /// Memory of all the tenant's replicas together, requests and limits (e.g. 1Gi, 512Mi);
    /// a container that sets none gets 64Mi requested, 128Mi limit
    #[arg(long, value_name = "QUANTITY")]
    pub memory: Option<String>,
}

#[derive(Args, Debug)]
pub struct KubeconfigArgs {
    /// The tenant's name
    #[arg(value_name = "TENANT_NAME")]
    pub name: String,
    /// How long the token is valid: a Go duration of at least 10m (e.g. 1h, 24h, 720h)
    #[arg(long, value_name = "DURATION", default_value = "24h")]
    pub duration: String,
}

pub async fn run(args: TenantArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let Some(command) = args.command else {
        return super::print_help(global.printer, &["tenant"]);
    };
    match command {
        TenantCommand::Create(a) => create::create(a, global).await,
        TenantCommand::List(a) => show::list(a, global).await,
        TenantCommand::Describe(a) => show::describe(a, global).await,
        TenantCommand::Delete(a) => create::delete(a, global).await,
        TenantCommand::Kubeconfig(a) => kubeconfig::kubeconfig(a, global).await,
    }
}

/// A tenant's name must be a namespace's: a DNS-1123 label.
fn check_name(name: &str) -> Result<(), Error> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::usage(format!(
            "Invalid tenant name {name:?}: it is also its namespace's name, so it must be a DNS-1123 label: at most 63 lower case letters, digits or '-', starting and ending with a letter or digit (e.g. team-a)"
        )))
    }
}

fn namespaces(conn: &Connection) -> Api<Namespace> {
    Api::all(conn.client.clone())
}

fn quotas(conn: &Connection, namespace: &str) -> Api<ResourceQuota> {
    Api::namespaced(conn.client.clone(), namespace)
}

/// Whether `namespace` is tenant `name`'s: labelled `kfn.io/tenant: NAME`.
fn is_tenant(namespace: &Namespace) -> bool {
    let name = namespace.metadata.name.as_deref().unwrap_or_default();
    namespace
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(TENANT_LABEL))
        .is_some_and(|v| v == name)
}

fn tenant_not_found(name: &str) -> Error {
    Error::not_found(
        format!("tenant {name}"),
        format!(
            "Tenant {name} is not found: there is no namespace {name} labelled {TENANT_LABEL}={name} (`kfn tenant list` lists the tenants)"
        ),
    )
}

/// The namespace of tenant `name`: not found when there is none, refused when the namespace
/// is not a tenant's.
async fn get_tenant(conn: &Connection, name: &str) -> Result<Namespace, Error> {
    check_name(name)?;
    match namespaces(conn).get_opt(name).await {
        Ok(Some(ns)) if is_tenant(&ns) => Ok(ns),
        Ok(Some(_)) => Err(Error::usage(format!(
            "Namespace {name} is not a tenant's: it has no label {TENANT_LABEL}={name}; kfn tenant only works on namespaces `kfn tenant create` made"
        ))),
        Ok(None) => Err(tenant_not_found(name)),
        Err(e) => Err(conn.explain(e).concerning(format!("namespace {name}"))),
    }
}

/// How long ago `since` was, as the tables show ages (`5m`, `2h`); `-` when unknown.
fn age(since: Option<Timestamp>, now: Timestamp) -> String {
    match since {
        Some(t) => {
            let secs = (now.as_second() - t.as_second()).max(0) as u64;
            crate::scaling::proactive::human(std::time::Duration::from_secs(secs))
        }
        None => "-".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenant_name_is_a_dns_label() {
        for ok in ["team-a", "a", "t1", &"a".repeat(63)] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Team", "team_a", "-a", "a-", "a.b", &"a".repeat(64)] {
            let err = check_name(bad).unwrap_err().to_string();
            assert!(err.contains(&format!("{bad:?}")) && err.contains("DNS-1123"), "{err}");
        }
    }

    #[test]
    fn the_help_names_the_default_container_resources_render_gives() {
        use crate::render::tenant::{DEFAULT_LIMIT, DEFAULT_REQUEST};
        use clap::CommandFactory;
        let cli = crate::cli::Cli::command();
        let create = cli
            .find_subcommand("tenant")
            .unwrap()
            .find_subcommand("create")
            .unwrap();
        let help = |id: &str| {
            let arg = create.get_arguments().find(|a| a.get_id() == id).unwrap();
            arg.get_long_help().or(arg.get_help()).unwrap().to_string()
        };
        let cpu = help("cpu");
        assert!(
            cpu.contains(&format!(
                "{} requested, {} limit",
                DEFAULT_REQUEST.cpu, DEFAULT_LIMIT.cpu
            )),
            "{cpu}"
        );
        let memory = help("memory");
        assert!(
            memory.contains(&format!(
                "{} requested, {} limit",
                DEFAULT_REQUEST.memory, DEFAULT_LIMIT.memory
            )),
            "{memory}"
        );
    }

    #[test]
    fn only_a_namespace_labelled_with_its_own_name_is_a_tenant() {
        let ns = |name: &str, label: Option<&str>| Namespace {
            metadata: kube::api::ObjectMeta {
                name: Some(name.into()),
                labels: label.map(|v| [(TENANT_LABEL.to_string(), v.to_string())].into()),
                ..Default::default()
            },
            ..Default::default()
        };
        assert!(is_tenant(&ns("a", Some("a"))));
        assert!(!is_tenant(&ns("a", None)));
        assert!(!is_tenant(&ns("a", Some("b"))));
    }
}
