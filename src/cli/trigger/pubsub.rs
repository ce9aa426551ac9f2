//! `trigger nats|kafka|kinesis`: message triggers.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::{DryRun, ListFlags, check_function, one_name};
use crate::api::kinds::{KafkaTrigger, KinesisTrigger, KinesisTriggerSpec, NATSTrigger, TopicSpec, TriggerStatus};
use crate::cli::GlobalArgs;
use crate::client;

#[derive(Args, Debug)]
pub struct NatsArgs {
    #[command(subcommand)]
    pub command: Option<TopicCommand<NatsPublish>>,
}

#[derive(Args, Debug)]
pub struct KafkaArgs {
    #[command(subcommand)]
    pub command: Option<TopicCommand<KafkaPublish>>,
}

/// Commands of the topic-based triggers (NATS, Kafka).
#[derive(Subcommand, Debug)]
pub enum TopicCommand<P: clap::Args> {
    /// Create a trigger
    Create(TopicCreate),
    /// Update a trigger: only the flags given change it
    Update(TopicUpdate),
    /// Delete a trigger
    Delete(super::TriggerNameArgs),
    /// List triggers
    #[command(visible_alias = "ls")]
    List(ListFlags),
    /// Publish a message
    Publish(P),
}

#[derive(Args, Debug)]
pub struct KafkaPublish {
    /// Kafka brokers, e.g. 127.0.0.1:9092
    #[arg(long, required = true, value_name = "HOST:PORT,…", env = "KAFKA_BROKERS", value_parser = crate::kafka::Brokers::usable)]
    pub brokers: crate::kafka::Brokers,
    /// Topic to publish to
    #[arg(long, default_value = "kubeless")]
    pub topic: String,
    /// The message
    #[arg(long, visible_alias = "message", required = true)]
    pub data: String,
}

#[derive(Args, Debug)]
pub struct NatsPublish {
    /// NATS server URL, e.g. nats://127.0.0.1:4222
    #[arg(long, required = true)]
    pub url: String,
    /// Subject to publish to
    #[arg(long, default_value = "kubeless")]
    pub topic: String,
    /// The message
    #[arg(long, required = true)]
    pub message: String,
}

#[derive(Args, Debug)]
pub struct TopicCreate {
    /// The trigger's name
    #[arg(value_name = "TRIGGER_NAME", required = true, num_args = 1, action = clap::ArgAction::Set)]
    pub names: Vec<String>,
    /// Topic (subject) to consume
    #[arg(long = "trigger-topic", required = true)]
    pub topic: String,
    /// Label selector of the functions that receive every message, e.g. created-by=kubeless,topic=t1
    #[arg(long = "function-selector", required_unless_present = "flow_selector")]
    pub selector: Option<String>,
    /// Label selector of the flows (kfn.io) that each message starts, with the message as input
    #[arg(long = "flow-selector")]
    pub flow_selector: Option<String>,
    #[command(flatten)]
    pub dry: DryRun,
}

#[derive(Args, Debug)]
pub struct TopicUpdate {
    /// The trigger's name
    #[arg(value_name = "TRIGGER_NAME", required = true, num_args = 1, action = clap::ArgAction::Set, add = crate::cli::complete::trigger_names())]
    pub names: Vec<String>,
    /// Topic (subject) to consume
    #[arg(long = "trigger-topic")]
    pub topic: Option<String>,
    /// Label selector of the functions that receive every message
    #[arg(long = "function-selector")]
    pub selector: Option<String>,
    /// Label selector of the flows that each message starts
    #[arg(long = "flow-selector")]
    pub flow_selector: Option<String>,
    #[command(flatten)]
    pub dry: DryRun,
}

/// `--function-selector` as a Kubernetes LabelSelector (`api::trigger::label_selector`).
fn label_selector(text: &str) -> Result<Value> {
    selector_of(text, "--function-selector")
}

/// A selector flag (`--function-selector`, `--flow-selector`) as a LabelSelector.
fn selector_of(text: &str, flag: &str) -> Result<Value> {
    crate::api::trigger::label_selector(text).map_err(|e| anyhow::anyhow!("{e} (given with {flag})"))
}

/// `k=v,k2=v2` (and the expressions) of a stored selector, for tables.
pub fn selector_text(selector: &LabelSelector) -> String {
    let mut parts: Vec<String> = selector
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for e in selector.match_expressions.iter().flatten() {
        let values = e.values.clone().unwrap_or_default();
        parts.push(format!("{} {} ({})", e.key, e.operator, values.join(",")));
    }
    parts.join(",")
}

/// `list` of a topic trigger kind: `parts` gives a trigger's topic spec and status.
async fn topic_list<K>(
    global: &GlobalArgs,
    flags: &ListFlags,
    parts: impl Fn(&K) -> (&TopicSpec, Option<&TriggerStatus>) + Sync,
) -> Result<ExitCode>
where
    K: kube::Resource<DynamicType = ()> + serde::de::DeserializeOwned,
{
    let conn = client::connect(&global.target()).await?;
    super::list::<K>(
        global.printer,
        &conn,
        flags,
        &[
            ("NAME", &super::name),
            ("NAMESPACE", &super::namespace),
            ("TOPIC", &|t| parts(t).0.topic.clone()),
            ("FUNCTION SELECTOR", &|t| selector_text(&parts(t).0.function_selector)),
        ],
        &[
            ("FLOW SELECTOR", &|t| {
                parts(t).0.flow_selector.as_ref().map(selector_text).unwrap_or_default()
            }),
            ("STATUS", &|t| super::status_message(parts(t).1)),
        ],
    )
    .await
}

/// `--flow-selector`, read as a LabelSelector object.
fn flow_selector(text: &Option<String>) -> Result<Option<Value>> {
    text.as_deref().map(|s| selector_of(s, "--flow-selector")).transpose()
}

async fn topic_trigger<P: clap::Args>(
    cmd: TopicCommand<P>,
    kind: &str,
    label: &str,
    what: &str,
    global: &GlobalArgs,
) -> Result<Option<P>> {
    match cmd {
        TopicCommand::Create(a) => {
            let name = one_name(&a.names, what)?;
            let selector = a.selector.as_deref().map(label_selector).transpose()?;
            let flows = flow_selector(&a.flow_selector)?;
            let conn = client::connect(&global.target()).await?;
            let ns = conn.namespace.clone();
            let mut spec = json!({"topic": a.topic, "functionSelector": selector.unwrap_or_else(|| json!({}))});
            if let Some(flows) = flows {
                spec["flowSelector"] = flows;
            }
            // (A Value, not a TopicSpec: Kubeless writes `matchLabels` before `matchExpressions`.)
            super::create(
                global.printer,
                &conn,
                crate::api::trigger::object(kind, &name, &ns, &spec),
                &a.dry,
                label,
            )
            .await?;
        }
        TopicCommand::Update(a) => {
            let name = one_name(&a.names, what)?;
            let selector = a.selector.as_deref().map(label_selector).transpose()?;
            let flows = flow_selector(&a.flow_selector)?;
            let conn = client::connect(&global.target()).await?;
            super::update(global.printer, &conn, kind, label, &name, &a.dry, |t| {
                if let Some(s) = &flows {
                    t["spec"]["flowSelector"] = s.clone();
                }
                if let Some(topic) = &a.topic {
                    t["spec"]["topic"] = json!(topic);
                }
                if let Some(s) = &selector {
                    t["spec"]["functionSelector"] = s.clone();
                }
                Ok(())
            })
            .await?;
        }
        TopicCommand::Delete(a) => {
            let name = one_name(&a.names, what)?;
            let conn = client::connect(&global.target()).await?;
            super::delete(global.printer, &conn, kind, label, &name).await?;
        }
        TopicCommand::List(flags) => {
            match kind {
                "KafkaTrigger" => {
                    topic_list::<KafkaTrigger>(global, &flags, |t| (&t.spec.topic, t.status.as_ref())).await?
                }
                _ => topic_list::<NATSTrigger>(global, &flags, |t| (&t.spec.topic, t.status.as_ref())).await?,
            };
        }
        TopicCommand::Publish(p) => return Ok(Some(p)),
    }
    Ok(None)
}

pub async fn nats(args: NatsArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let Some(command) = args.command else {
        return crate::cli::print_help(global.printer, &["trigger", "nats"]);
    };
    if let Some(p) = topic_trigger(command, "NATSTrigger", "NATS", "NATS", global).await? {
        let client = async_nats::connect(p.url.as_str())
            .await
            .map_err(|e| anyhow::anyhow!("cannot connect to NATS at {} (--url): {e}", p.url))?;
        client
            .publish(p.topic.clone(), p.message.clone().into())
            .await
            .map_err(|e| anyhow::anyhow!("Failed to publish message to topic: {e}"))?;
        client
            .flush()
            .await
            .map_err(|e| anyhow::anyhow!("Failed to publish message to topic: {e}"))?;
        global
            .printer
            .info(&format!("Published [{}] : '{}'", p.topic, p.message));
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn kafka(args: KafkaArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let Some(command) = args.command else {
        return crate::cli::print_help(global.printer, &["trigger", "kafka"]);
    };
    if let Some(p) = topic_trigger(command, "KafkaTrigger", "Kafka", "Kafka", global).await? {
        let (partition, offset) = crate::kafka::publish(&p.brokers, &p.topic, p.data.as_bytes()).await?;
        global.printer.info(&format!(
            "Published [{}] : '{}' (partition {partition}, offset {offset})",
            p.topic, p.data
        ));
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct KinesisArgs {
    #[command(subcommand)]
    pub command: Option<KinesisCommand>,
}

#[derive(Subcommand, Debug)]
pub enum KinesisCommand {
    /// Create a Kinesis trigger
    Create(KinesisCreate),
    /// Update a Kinesis trigger: only the flags given change it
    Update(KinesisUpdate),
    /// Delete a Kinesis trigger
    Delete(super::TriggerNameArgs),
    /// List Kinesis triggers
    #[command(visible_alias = "ls")]
    List(ListFlags),
    /// Put records into a stream (needs AWS or a Kinesis endpoint)
    Publish(KinesisAws),
    /// Create a stream (needs AWS or a Kinesis endpoint)
    CreateStream(KinesisAws),
}

#[derive(Args, Debug)]
pub struct KinesisCreate {
    /// The trigger's name
    #[arg(value_name = "TRIGGER_NAME", required = true, num_args = 1, action = clap::ArgAction::Set)]
    pub names: Vec<String>,
    /// Name of the Kinesis stream to read
    #[arg(long, required = true)]
    pub stream: String,
    /// AWS region of the stream, e.g. us-west-2
    #[arg(long = "aws-region", required = true)]
    pub region: String,
    /// Shard of the stream to read, e.g. shardId-000000000000
    #[arg(long = "shard-id", required = true)]
    pub shard: String,
    /// The function that receives the records
    #[arg(long = "function-name", required = true, add = crate::cli::complete::function_names())]
    pub function: String,
    /// Secret with aws_access_key_id and aws_secret_access_key
    #[arg(long, required = true)]
    pub secret: String,
    /// Kinesis endpoint URL (e.g. a local kinesalite)
    #[arg(long)]
    pub endpoint: Option<String>,
    #[command(flatten)]
    pub dry: DryRun,
}

#[derive(Args, Debug)]
pub struct KinesisUpdate {
    /// The trigger's name
    #[arg(value_name = "TRIGGER_NAME", required = true, num_args = 1, action = clap::ArgAction::Set, add = crate::cli::complete::trigger_names())]
    pub names: Vec<String>,
    /// Name of the Kinesis stream to read
    #[arg(long)]
    pub stream: Option<String>,
    /// AWS region of the stream, e.g. us-west-2
    #[arg(long = "aws-region")]
    pub region: Option<String>,
    /// Shard of the stream to read, e.g. shardId-000000000000
    #[arg(long = "shard-id")]
    pub shard: Option<String>,
    /// The function that receives the records
    #[arg(long = "function-name", add = crate::cli::complete::function_names())]
    pub function: Option<String>,
    /// Secret with aws_access_key_id and aws_secret_access_key
    #[arg(long)]
    pub secret: Option<String>,
    /// Kinesis endpoint URL (e.g. a local kinesalite)
    #[arg(long)]
    pub endpoint: Option<String>,
    #[command(flatten)]
    pub dry: DryRun,
}

/// Flags of the commands that talk to AWS; accepted, then refused with the reason.
#[derive(Args, Debug)]
pub struct KinesisAws {
    /// Name of the Kinesis stream
    #[arg(long, alias = "stream-name")]
    pub stream: Option<String>,
    /// AWS region of the stream, e.g. us-west-2
    #[arg(long = "aws-region")]
    pub region: Option<String>,
    /// Partition key of the records (publish)
    #[arg(long = "partition-key")]
    pub partition_key: Option<String>,
    /// Records to put (publish; repeatable)
    #[arg(long)]
    pub records: Vec<String>,
    /// Secret with aws_access_key_id and aws_secret_access_key
    #[arg(long)]
    pub secret: Option<String>,
    /// Kinesis endpoint URL (e.g. a local kinesalite)
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Number of shards of the new stream (create-stream)
    #[arg(long = "shard-count")]
    pub shard_count: Option<i64>,
}

fn check_endpoint(endpoint: &Option<String>) -> Result<()> {
    if let Some(e) = endpoint
        && (!(e.starts_with("http://") || e.starts_with("https://")) || e.parse::<http::Uri>().is_err())
    {
        bail!("Invalid --endpoint {e:?}: give an absolute URL such as http://127.0.0.1:4567");
    }
    Ok(())
}

pub async fn kinesis(args: KinesisArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let Some(command) = args.command else {
        return crate::cli::print_help(global.printer, &["trigger", "kinesis"]);
    };
    match command {
        KinesisCommand::Create(a) => {
            let name = one_name(&a.names, "Kinesis")?;
            check_endpoint(&a.endpoint)?;
            let conn = client::connect(&global.target()).await?;
            let ns = conn.namespace.clone();
            check_function(&conn, &ns, &a.function).await?;
            let secrets: kube::Api<k8s_openapi::api::core::v1::Secret> =
                kube::Api::namespaced(conn.client.clone(), &ns);
            if secrets.get_opt(&a.secret).await.map_err(|e| conn.explain(e))?.is_none() {
                bail!(
                    "secrets \"{}\" not found in namespace {ns} (given with --secret)",
                    a.secret
                );
            }
            let spec = KinesisTriggerSpec {
                function_name: a.function.clone(),
                aws_region: a.region.clone(),
                secret: a.secret.clone(),
                stream: a.stream.clone(),
                shard: a.shard.clone(),
                endpoint: a.endpoint.clone().unwrap_or_default(),
            };
            super::create(
                global.printer,
                &conn,
                crate::api::trigger::object("KinesisTrigger", &name, &ns, &spec),
                &a.dry,
                "Kinesis",
            )
            .await
        }
        KinesisCommand::Update(a) => {
            let name = one_name(&a.names, "Kinesis")?;
            check_endpoint(&a.endpoint)?;
            let conn = client::connect(&global.target()).await?;
            if let Some(f) = &a.function {
                check_function(&conn, &conn.namespace, f).await?;
            }
            super::update(global.printer, &conn, "KinesisTrigger", "Kinesis", &name, &a.dry, |t| {
                for (k, v) in [
                    ("stream", &a.stream),
                    ("aws-region", &a.region),
                    ("shard", &a.shard),
                    ("function-name", &a.function),
                    ("secret", &a.secret),
                    ("endpoint", &a.endpoint),
                ] {
                    if let Some(v) = v {
                        t["spec"][k] = json!(v);
                    }
                }
                Ok(())
            })
            .await
        }
        KinesisCommand::Delete(a) => {
            let name = one_name(&a.names, "Kinesis")?;
            let conn = client::connect(&global.target()).await?;
            super::delete(global.printer, &conn, "KinesisTrigger", "Kinesis", &name).await
        }
        KinesisCommand::List(flags) => {
            let conn = client::connect(&global.target()).await?;
            super::list::<KinesisTrigger>(
                global.printer,
                &conn,
                &flags,
                &[
                    ("NAME", &super::name),
                    ("NAMESPACE", &super::namespace),
                    ("REGION", &|t| t.spec.aws_region.clone()),
                    ("STREAM", &|t| t.spec.stream.clone()),
                    ("SHARD", &|t| t.spec.shard.clone()),
                    ("FUNCTION NAME", &|t| t.spec.function_name.clone()),
                ],
                &[("STATUS", &|t| super::status_message(t.status.as_ref()))],
            )
            .await
        }
        KinesisCommand::Publish(_) | KinesisCommand::CreateStream(_) => bail!(
            "kfn does not talk to Kinesis itself: publishing records and creating streams need AWS (or a Kinesis endpoint such as kinesalite) and its tools, e.g. `aws kinesis put-record`"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_are_shown_as_they_were_given() {
        let s = label_selector("created-by=kubeless,topic=t1").unwrap();
        let typed: LabelSelector = serde_json::from_value(s).unwrap();
        assert_eq!(selector_text(&typed), "created-by=kubeless,topic=t1");
        assert!(
            label_selector("a b c")
                .unwrap_err()
                .to_string()
                .ends_with("(given with --function-selector)")
        );
    }
}
