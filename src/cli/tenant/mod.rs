//! `kfn tenant`: namespaces of their own for teams, with RBAC that lets a function developer do
//! their work there and nothing elsewhere, a quota, default limits and a kubeconfig holding a
//! ServiceAccount token. The same objects (render::tenant) on the local engine and on clusters.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};

use super::GlobalArgs;

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
    List,
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
    /// How many functions the tenant may have
    #[arg(long, value_name = "N")]
    pub functions: Option<u32>,
    /// How many replicas (pods) the tenant may run at once
    #[arg(long, value_name = "N")]
    pub replicas: Option<u32>,
    /// CPU of all the tenant's replicas together (e.g. 2, 500m)
    #[arg(long, value_name = "QUANTITY")]
    pub cpu: Option<String>,
    /// Memory of all the tenant's replicas together (e.g. 1Gi, 512Mi)
    #[arg(long, value_name = "QUANTITY")]
    pub memory: Option<String>,
}

#[derive(Args, Debug)]
pub struct KubeconfigArgs {
    /// The tenant's name
    #[arg(value_name = "TENANT_NAME")]
    pub name: String,
    /// How long the token is valid (e.g. 1h, 24h, 720h)
    #[arg(long, value_name = "DURATION", default_value = "24h")]
    pub duration: String,
}

pub async fn run(args: TenantArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let Some(command) = args.command else {
        return super::print_help(global.printer, &["tenant"]);
    };
    let _ = command;
    todo!("kfn tenant (helper C)")
}
