//! `kfn install`, `kfn uninstall` and `kfn controller`: kfn on a real cluster.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};

use super::GlobalArgs;
use crate::client;
use crate::controller::{self, install};
use crate::output::{self, OutputFormat};

#[derive(Args, Debug)]
pub struct InstallArgs {
    /// Print the manifests instead of applying them
    #[arg(long = "dry-run")]
    pub dry_run: bool,
    /// Output format of --dry-run: yaml or json
    #[arg(short = 'o', long, default_value = "yaml")]
    pub output: String,
    /// The kfn image the controller runs (and copies into function pods)
    #[arg(long, default_value = install::DEFAULT_IMAGE)]
    pub image: String,
    /// NATS server the controller consumes NATS triggers from (sets NATS_URL), e.g. nats://nats.nats-io:4222
    #[arg(long = "nats-url", value_name = "URL")]
    pub nats: Option<String>,
    /// Kafka brokers the controller consumes Kafka triggers from (sets KAFKA_BROKERS), e.g. kafka.kubeless:9092
    #[arg(long = "kafka-brokers", value_name = "HOST:PORT,…", value_parser = crate::kafka::Brokers::parse)]
    pub kafka: Option<crate::kafka::Brokers>,
}

#[derive(Args, Debug)]
pub struct UninstallArgs {
    /// Also delete the CRDs, and with them every Function and trigger
    #[arg(long)]
    pub crds: bool,
}

#[derive(Args, Debug)]
pub struct ControllerArgs {
    /// Namespace of the `kubeless-config` ConfigMap and of the leader Lease
    #[arg(long = "config-namespace", default_value = "kubeless")]
    pub config_namespace: String,
    /// The kfn image copied into function pods
    #[arg(long, default_value = install::DEFAULT_IMAGE)]
    pub image: String,
    /// Port of /healthz and /metrics
    #[arg(long = "health-port", default_value_t = 8081)]
    pub health_port: u16,
    /// Name of this replica in the leader Lease (default: $POD_NAME, else host and pid)
    #[arg(long)]
    pub identity: Option<String>,
    /// NATS server whose messages NATS triggers deliver, e.g. nats://nats.nats-io:4222
    #[arg(long, value_name = "URL", env = "NATS_URL")]
    pub nats: Option<String>,
    /// Kafka brokers whose messages Kafka triggers deliver, e.g. kafka.kubeless:9092
    #[arg(long = "kafka-brokers", value_name = "HOST:PORT,…", env = "KAFKA_BROKERS", value_parser = crate::kafka::Brokers::usable)]
    pub kafka: Option<crate::kafka::Brokers>,
    /// A kubeconfig whose API server flows' Tasks call functions through (default: the cluster's own)
    #[arg(long = "functions-kubeconfig", value_name = "PATH", env = "KFN_FUNCTIONS_KUBECONFIG")]
    pub functions_kubeconfig: Option<std::path::PathBuf>,
}

fn kind_path(obj: &Value) -> String {
    let kind = obj["kind"].as_str().unwrap_or_default().to_lowercase();
    format!("{kind}/{}", obj["metadata"]["name"].as_str().unwrap_or_default())
}

fn api(client: &kube::Client, obj: &Value) -> Api<DynamicObject> {
    let ar = install::resource_of(obj);
    match obj["metadata"]["namespace"].as_str() {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &ar),
        None => Api::all_with(client.clone(), &ar),
    }
}

pub async fn install(args: InstallArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let namespace = global.namespace.clone().unwrap_or_else(|| "kubeless".into());
    let mut env = Vec::new();
    if let Some(url) = &args.nats {
        env.push(("NATS_URL", url.as_str()));
    }
    if let Some(brokers) = &args.kafka {
        env.push(("KAFKA_BROKERS", brokers.as_str()));
    }
    let objects = install::manifests(&namespace, &args.image, &env);
    let printer = global.printer;
    if args.dry_run {
        match output::dry_run_format(&args.output).map_err(crate::client::Error::usage)? {
            OutputFormat::Json => printer.data(&format!(
                "{}\n",
                output::json(&json!({"apiVersion": "v1", "kind": "List", "items": objects}), 2)
            ))?,
            _ => printer.data(
                &objects
                    .iter()
                    .map(|o| format!("---\n{}", output::yaml(o)))
                    .collect::<String>(),
            )?,
        }
        return Ok(ExitCode::SUCCESS);
    }
    let conn = client::connect(&global.target()).await?;
    for obj in &objects {
        let name = obj["metadata"]["name"].as_str().unwrap_or_default();
        api(&conn.client, obj)
            .patch(name, &PatchParams::apply("kfn-install").force(), &Patch::Apply(obj))
            .await
            .map_err(|e| conn.explain(e).context(format!("cannot apply {}", kind_path(obj))))?;
        printer.data(&format!("{} applied\n", kind_path(obj)))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn uninstall(args: UninstallArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let namespace = global.namespace.clone().unwrap_or_else(|| "kubeless".into());
    let conn = client::connect(&global.target()).await?;
    for obj in install::manifests(&namespace, install::DEFAULT_IMAGE, &[]).iter().rev() {
        let crd = obj["kind"] == "CustomResourceDefinition";
        if (crd && !args.crds) || obj["kind"] == "Namespace" {
            continue;
        }
        let name = obj["metadata"]["name"].as_str().unwrap_or_default();
        match api(&conn.client, obj).delete(name, &Default::default()).await {
            Ok(_) => global.printer.data(&format!("{} deleted\n", kind_path(obj)))?,
            Err(kube::Error::Api(s)) if s.code == 404 => {}
            Err(e) => {
                return Err(conn
                    .explain(e)
                    .context(format!("cannot delete {}", kind_path(obj)))
                    .into());
            }
        }
    }
    if !args.crds {
        global
            .printer
            .info("The CRDs stay (they hold your Functions and triggers); `kfn uninstall --crds` removes them too");
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn controller(args: ControllerArgs, global: &GlobalArgs) -> Result<ExitCode> {
    output::log::init_tracing();
    let conn = client::connect(&global.target()).await?;
    let identity = args
        .identity
        .or_else(|| std::env::var("POD_NAME").ok())
        .unwrap_or_else(|| {
            format!(
                "{}-{}",
                std::env::var("HOSTNAME").unwrap_or_else(|_| "kfn".into()),
                std::process::id()
            )
        });
    let functions = match &args.functions_kubeconfig {
        Some(path) => {
            let target = client::Target {
                kubeconfig: Some(path.clone()),
                context: None,
                namespace: None,
                local: false,
            };
            let functions = client::connect(&target)
                .await
                .map_err(|e| e.context(format!("Cannot use --functions-kubeconfig {}", path.display())))?;
            Some(controller::FunctionsClient(functions.client))
        }
        None => None,
    };
    controller::run(
        conn.client.clone(),
        controller::Options {
            config_namespace: args.config_namespace,
            image: args.image,
            health_port: args.health_port,
            identity,
            nats: args.nats,
            kafka: args.kafka,
            functions,
        },
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}
