//! `trigger http create|update|delete|list`.

use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use serde_json::json;

use super::{DryRun, ListFlags, check_flow, check_function, one_name};
use crate::api::kinds::{self, Gateway, HTTPTrigger, HTTPTriggerSpec};
use crate::cli::GlobalArgs;
use crate::client::{self, Connection};

#[derive(Args, Debug)]
pub struct HttpArgs {
    #[command(subcommand)]
    pub command: Option<HttpCommand>,
}

#[derive(Subcommand, Debug)]
pub enum HttpCommand {
    /// Create an HTTP trigger
    Create(CreateArgs),
    /// Update an HTTP trigger: only the flags given change it
    Update(UpdateArgs),
    /// Delete an HTTP trigger
    Delete(super::TriggerNameArgs),
    /// List HTTP triggers (`-o wide` adds the host, the path and the gateway's address)
    #[command(visible_alias = "ls")]
    List(ListFlags),
}

#[derive(Args, Debug)]
pub struct Common {
    /// The trigger's name
    #[arg(value_name = "TRIGGER_NAME", required = true, num_args = 1, action = clap::ArgAction::Set)]
    pub names: Vec<String>,
    /// Path of the route, without a leading slash (default: the root, /)
    #[arg(long)]
    pub path: Option<String>,
    /// Host name of the route (nginx default: <function>.<API server host>.nip.io)
    #[arg(long)]
    pub hostname: Option<String>,
    /// Ask for a TLS certificate (cert-manager / kube-lego)
    #[arg(long = "enableTLSAcme")]
    pub tls_acme: bool,
    /// Existing TLS secret for the route
    #[arg(long = "tls-secret")]
    pub tls_secret: Option<String>,
    /// Secret with an htpasswd `auth` key: basic authentication
    #[arg(long = "basic-auth-secret")]
    pub basic_auth_secret: Option<String>,
}

#[derive(Args, Debug)]
pub struct CreateArgs {
    #[command(flatten)]
    pub common: Common,
    /// The function to call
    #[arg(long = "function-name", required_unless_present = "flow", conflicts_with = "flow", add = crate::cli::complete::function_names())]
    pub function: Option<String>,
    /// A flow to start instead (kfn.io): the answer is the execution's output, or its error
    #[arg(long = "flow-name")]
    pub flow: Option<String>,
    /// Ingress controller: nginx, traefik or kong
    #[arg(long, default_value = "nginx")]
    pub gateway: String,
    /// Add CORS headers
    #[arg(long = "cors-enable")]
    pub cors: bool,
    #[command(flatten)]
    pub dry: DryRun,
}

#[derive(Args, Debug)]
#[command(mut_arg("names", |a| a.add(crate::cli::complete::trigger_names())))]
pub struct UpdateArgs {
    #[command(flatten)]
    pub common: Common,
    /// The function to call (instead of a flow)
    #[arg(long = "function-name", conflicts_with = "flow", add = crate::cli::complete::function_names())]
    pub function: Option<String>,
    /// A flow to start (instead of a function)
    #[arg(long = "flow-name")]
    pub flow: Option<String>,
    /// Ingress controller: nginx, traefik or kong
    #[arg(long)]
    pub gateway: Option<String>,
    #[command(flatten)]
    pub dry: DryRun,
}

/// The gateway `--gateway` names.
fn gateway(name: &str) -> Result<Gateway> {
    check_gateway(name)?;
    Ok(serde_json::from_value(json!(name))?)
}

fn check_gateway(gateway: &str) -> Result<()> {
    if !["nginx", "traefik", "kong"].contains(&gateway) {
        bail!("Unsupported gateway {gateway} (given with --gateway): use nginx, traefik or kong");
    }
    Ok(())
}

fn check_tls(common: &Common) -> Result<()> {
    if common.tls_acme && common.tls_secret.is_some() {
        bail!("Cannot specify both --enableTLSAcme and --tls-secret");
    }
    Ok(())
}

/// The host of the API server the client talks to (for the nip.io default host name).
fn server_host(conn: &Connection) -> String {
    conn.server
        .parse::<http::Uri>()
        .ok()
        .and_then(|u| u.host().map(String::from))
        .unwrap_or_else(|| "127.0.0.1".into())
}

pub async fn run(args: HttpArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let Some(command) = args.command else {
        return crate::cli::print_help(global.printer, &["trigger", "http"]);
    };
    match command {
        HttpCommand::Create(a) => {
            let name = one_name(&a.common.names, "http")?;
            check_gateway(&a.gateway)?;
            check_tls(&a.common)?;
            if a.gateway != "nginx" && a.common.hostname.is_none() {
                bail!("The --hostname flag is required (with --gateway {})", a.gateway);
            }
            let conn = client::connect(&global.target()).await?;
            let ns = conn.namespace.clone();
            if let Some(f) = &a.function {
                check_function(&conn, &ns, f).await?;
            }
            if let Some(f) = &a.flow {
                check_flow(&conn, &ns, f).await?;
            }
            let target = a.function.clone().or(a.flow.clone()).unwrap_or_default();
            let host = a
                .common
                .hostname
                .clone()
                .unwrap_or_else(|| format!("{target}.{}.nip.io", server_host(&conn)));
            let spec = HTTPTriggerSpec {
                function_name: a.function.clone().unwrap_or_default(),
                flow_name: a.flow.clone().unwrap_or_default(),
                host_name: host,
                tls: a.common.tls_acme,
                tls_secret: a.common.tls_secret.clone().unwrap_or_default(),
                path: a.common.path.clone().unwrap_or_default(),
                basic_auth_secret: a.common.basic_auth_secret.clone().unwrap_or_default(),
                gateway: gateway(&a.gateway)?,
                cors_enable: a.cors,
            };
            super::create(
                global.printer,
                &conn,
                crate::api::trigger::object("HTTPTrigger", &name, &ns, &spec),
                &a.dry,
                "HTTP",
            )
            .await
        }
        HttpCommand::Update(a) => {
            let name = one_name(&a.common.names, "http")?;
            if let Some(g) = &a.gateway {
                check_gateway(g)?;
            }
            check_tls(&a.common)?;
            let conn = client::connect(&global.target()).await?;
            if let Some(f) = &a.function {
                check_function(&conn, &conn.namespace, f).await?;
            }
            if let Some(f) = &a.flow {
                check_flow(&conn, &conn.namespace, f).await?;
            }
            super::update(global.printer, &conn, "HTTPTrigger", "HTTP", &name, &a.dry, |t| {
                // A trigger calls a function or starts a flow: the one given replaces the other.
                if let Some(spec) = t["spec"].as_object_mut() {
                    if a.function.is_some() {
                        spec.remove("flow-name");
                    }
                    if a.flow.is_some() {
                        spec.insert("function-name".into(), json!(""));
                    }
                }
                let spec = &mut t["spec"];
                let mut set = |k: &str, v: &Option<String>| {
                    if let Some(v) = v {
                        spec[k] = json!(v);
                    }
                };
                set("function-name", &a.function);
                set("flow-name", &a.flow);
                set("host-name", &a.common.hostname);
                set("path", &a.common.path);
                set("tls-secret", &a.common.tls_secret);
                set("basic-auth-secret", &a.common.basic_auth_secret);
                set("gateway", &a.gateway);
                if a.common.tls_acme {
                    spec["tls"] = json!(true);
                }
                let changed = kinds::lenient::<HTTPTrigger>(t).into_result()?;
                if changed.spec.tls && !changed.spec.tls_secret.is_empty() {
                    bail!("Cannot specify both --enableTLSAcme and --tls-secret");
                }
                Ok(())
            })
            .await
        }
        HttpCommand::Delete(a) => {
            let name = one_name(&a.names, "http")?;
            let conn = client::connect(&global.target()).await?;
            super::delete(global.printer, &conn, "HTTPTrigger", "HTTP", &name).await
        }
        HttpCommand::List(flags) => {
            let conn = client::connect(&global.target()).await?;
            let gateways = if flags.format()? == crate::output::OutputFormat::Wide {
                gateways(&conn).await
            } else {
                Gateways::Local("-".into())
            };
            let gateway = |t: &HTTPTrigger| match &gateways {
                Gateways::Local(url) => url.clone(),
                Gateways::Ingresses(addresses) => addresses.get(&super::name(t)).cloned().unwrap_or_else(|| "-".into()),
            };
            super::list::<HTTPTrigger>(
                global.printer,
                &conn,
                &flags,
                &[
                    ("NAME", &super::name),
                    ("NAMESPACE", &super::namespace),
                    ("FUNCTION NAME", &|t| {
                        super::target(&t.spec.function_name, &t.spec.flow_name)
                    }),
                ],
                &[
                    ("HOST", &|t| t.spec.host_name.clone()),
                    ("PATH", &|t| format!("/{}", t.spec.path)),
                    ("GATEWAY", &gateway),
                ],
            )
            .await
        }
    }
}

/// Where the HTTP triggers of the server in use are served.
enum Gateways {
    /// The local engine's gateway, for every trigger (`-` when it has none).
    Local(String),
    /// On a cluster: each trigger's Ingress (named like it) and the address its ingress
    /// controller gave it.
    Ingresses(std::collections::BTreeMap<String, String>),
}

/// The local engine's gateway when `conn` talks to the engine of this machine; otherwise the
/// addresses of the namespace's Ingresses (none when they cannot be read).
async fn gateways(conn: &Connection) -> Gateways {
    let engine = crate::local::state::StateDir::resolve()
        .ok()
        .and_then(|s| s.read_info());
    if let Some(info) = engine.filter(|i| i.url().trim_end_matches('/') == conn.server.trim_end_matches('/')) {
        return Gateways::Local(
            info.gateway
                .map(|g| format!("http://{g}"))
                .unwrap_or_else(|| "-".into()),
        );
    }
    let api: kube::Api<k8s_openapi::api::networking::v1::Ingress> =
        kube::Api::namespaced(conn.client.clone(), &conn.namespace);
    let listed = api.list(&Default::default()).await.map(|l| l.items).unwrap_or_default();
    Gateways::Ingresses(
        listed
            .into_iter()
            .filter_map(|ing| {
                let name = ing.metadata.name?;
                let lb = ing.status?.load_balancer?.ingress?.into_iter().next()?;
                Some((name, lb.hostname.or(lb.ip)?))
            })
            .collect(),
    )
}
