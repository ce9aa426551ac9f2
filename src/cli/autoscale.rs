//! `kfn autoscale create|delete|list`: the autoscaling rule a Function carries.

use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use kube::api::ListParams;
use serde_json::Value;

use super::GlobalArgs;
use super::function::one_name;
use crate::api::hpa::{self, Autoscale, Metric};
use crate::api::kinds::Function;
use crate::client::{self, kubeless};
use crate::output::{self, OutputFormat, table::Table};

#[derive(Args, Debug)]
pub struct AutoscaleArgs {
    #[command(subcommand)]
    pub command: Option<AutoscaleCommand>,
}

#[derive(Subcommand, Debug)]
pub enum AutoscaleCommand {
    /// Add an autoscaling rule to a function
    Create(CreateArgs),
    /// Remove a function's autoscaling rule
    Delete(super::function::NameArgs),
    /// List autoscaling rules
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Replay an invocation trace through the scale-to-zero policies
    Simulate(super::simulate::SimulateArgs),
}

#[derive(Args, Debug)]
pub struct CreateArgs {
    /// The function's name
    #[arg(value_name = "FUNCTION_NAME", required = true, num_args = 1, action = clap::ArgAction::Set, add = crate::cli::complete::function_names())]
    pub names: Vec<String>,
    /// Fewest replicas
    #[arg(long, default_value_t = 1, allow_hyphen_values = true)]
    pub min: i64,
    /// Most replicas
    #[arg(long, default_value_t = 1, allow_hyphen_values = true)]
    pub max: i64,
    /// Metric: cpu (percent of the CPU request), memory (percent of the memory request) or qps
    /// (calls per second per replica); repeat (or comma-separate) for several, each with its --value
    #[arg(long, default_value = "cpu")]
    pub metric: Vec<String>,
    /// Target of each metric, in --metric order
    #[arg(long, required = true)]
    pub value: Vec<String>,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Output format: json or yaml (default: a table)
    #[arg(short = 'o', long = "out", default_value = "")]
    pub out: String,
}

/// Checks the flags of `autoscale create` and turns them into a rule.
pub fn rule(args: &CreateArgs) -> Result<Autoscale> {
    if args.min <= 0 {
        bail!("min can't be negative or zero (--min {})", args.min);
    }
    if args.max < args.min {
        bail!(
            "max must be greater than or equal to min (--max {}, --min {})",
            args.max,
            args.min
        );
    }
    let metrics = crate::api::flags::items(&args.metric);
    let values = crate::api::flags::items(&args.value);
    if metrics.len() != values.len() {
        bail!(
            "give one --value per --metric: {} metrics ({}), {} values ({})",
            metrics.len(),
            metrics.join(","),
            values.len(),
            values.join(",")
        );
    }
    let mut out = Vec::new();
    for (metric, value) in metrics.iter().zip(&values) {
        let number = |what: &str| -> Result<f64> {
            let v = crate::api::quantity::value(value).ok().filter(|v| *v > 0.0);
            v.ok_or_else(|| anyhow::anyhow!("Invalid --value {value:?} for --metric {metric}: {what}"))
        };
        out.push(match metric.as_str() {
            "cpu" => Metric::Cpu(
                value
                    .parse::<u32>()
                    .ok()
                    .filter(|v| *v > 0)
                    .map(f64::from)
                    .ok_or_else(|| {
                        anyhow::anyhow!(
                            "Invalid --value {value:?} for --metric cpu: a whole percentage of the CPU request, e.g. 70"
                        )
                    })?,
            ),
            "memory" => Metric::Memory(number("a percentage of the memory request, e.g. 80")?),
            "qps" => Metric::Qps(number("calls per second per replica, a quantity such as 50 or 500m")?),
            other => bail!("only supported metrics: cpu, qps, memory (got {other:?} with --metric)"),
        });
    }
    Ok(Autoscale {
        min: args.min as u32,
        max: args.max as u32,
        metrics: out,
    })
}

/// Replaces a Function's `horizontalPodAutoscaler` with what `rule` makes of the Function,
/// logging `messages` before and after. A write by someone else in between (the controller's
/// status, another user) is a 409: the Function is read again and the rule applied to it.
async fn set_rule(
    global: &GlobalArgs,
    name: &str,
    messages: (&str, String),
    rule: impl Fn(&Function) -> Result<Value>,
) -> Result<ExitCode> {
    let conn = client::connect(&global.target()).await?;
    let api = kubeless::functions(&conn, &conn.namespace);
    let f = match api.get_opt(name).await {
        Ok(Some(f)) => kubeless::to_value(&f),
        Ok(None) => bail!("Function {name} is not found in namespace {}", conn.namespace),
        Err(e) => return Err(conn.explain(e).into()),
    };
    // Checked (and the message logged) once, on the Function as first read.
    rule(&crate::api::kinds::lenient::<Function>(&f).into_result()?)?;
    global.printer.info(messages.0);
    kubeless::replace_with(&api, name, f, |mut f| {
        f["spec"]["horizontalPodAutoscaler"] = rule(&crate::api::kinds::lenient::<Function>(&f).into_result()?)?;
        Ok(f)
    })
    .await?
    .map_err(|e| conn.explain(e))?;
    global.printer.info(&messages.1);
    Ok(ExitCode::SUCCESS)
}

/// The formats `autoscale list` prints in, and Kubeless's words for another.
const LIST_FORMATS: &[OutputFormat] = &[OutputFormat::Table, OutputFormat::Json, OutputFormat::Yaml];
const WRONG_LIST_FORMAT: &str = "Wrong output format. Only accept json|yaml file";

pub async fn run(args: AutoscaleArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let Some(command) = args.command else {
        return super::print_help(global.printer, &["autoscale"]);
    };
    match command {
        AutoscaleCommand::Simulate(a) => super::simulate::run(a, global),
        AutoscaleCommand::Create(a) => {
            let name = one_name(&a.names, "function name")?;
            let rule = rule(&a)?;
            let messages = (
                "Adding autoscaling rule to the function...",
                format!("Autoscaling rule for {name} submitted for deployment"),
            );
            set_rule(global, &name, messages, |f| Ok(hpa::build(&f.metadata, &rule))).await
        }
        AutoscaleCommand::Delete(a) => {
            let name = one_name(&a.names, "function name")?;
            let messages = (
                "Removing autoscaling rule from the function...",
                format!("Remove Autoscaling rule from {name} successfully"),
            );
            set_rule(global, &name, messages, |f| {
                if hpa::read(&f.spec).is_none() {
                    bail!("Not found an autoscale definition for {name}");
                }
                Ok(crate::api::function::empty_hpa())
            })
            .await
        }
        AutoscaleCommand::List(a) => {
            let printer = global.printer;
            let format = OutputFormat::parse(&a.out, LIST_FORMATS, "-o/--out", WRONG_LIST_FORMAT)
                .map_err(crate::client::Error::usage)?;
            let conn = client::connect(&global.target()).await?;
            let list = kubeless::functions(&conn, &conn.namespace)
                .list(&ListParams::default())
                .await
                .map_err(|e| conn.explain(e))?;
            let mut rules: Vec<(Value, Function, Autoscale)> = Vec::new();
            for object in list.items.iter().map(kubeless::to_value) {
                let read = crate::api::kinds::lenient::<Function>(&object);
                for warning in read.warnings() {
                    printer.warn(&warning);
                }
                if let Some(f) = read.object
                    && let Some(rule) = hpa::read(&f.spec)
                {
                    rules.push((object, f, rule));
                }
            }
            // The rule printed as the Function stores it (apiVersion, kind and Kubeless's
            // v2beta1 shape kept), not as kfn reads it.
            let stored = |f: &Value| f["spec"]["horizontalPodAutoscaler"].clone();
            match format {
                OutputFormat::Json => {
                    for (f, _, _) in &rules {
                        printer.data(&format!("{}\n", output::json(&stored(f), 2)))?;
                    }
                }
                OutputFormat::Yaml => {
                    for (f, _, _) in &rules {
                        printer.data(&format!("---\n{}", output::yaml(&stored(f))))?;
                    }
                }
                OutputFormat::Table | OutputFormat::Wide => {
                    let mut t = Table::new(&["NAME", "NAMESPACE", "TARGET", "MIN", "MAX", "METRIC", "VALUE"], 50);
                    for (_, f, r) in &rules {
                        let name = f.name().to_string();
                        let metric: Vec<&str> = r
                            .metrics
                            .iter()
                            .map(|m| {
                                if let Metric::Qps(_) = m {
                                    "function_calls"
                                } else {
                                    m.name()
                                }
                            })
                            .collect();
                        let value: Vec<String> = r
                            .metrics
                            .iter()
                            .map(|m| crate::api::quantity::format(m.target()))
                            .collect();
                        t.row(vec![
                            name.clone(),
                            f.namespace().to_string(),
                            name,
                            r.min.to_string(),
                            r.max.to_string(),
                            metric.join(","),
                            value.join(","),
                        ]);
                    }
                    printer.data(&t.render())?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(min: i64, max: i64, metric: &[&str], value: &[&str]) -> CreateArgs {
        CreateArgs {
            names: vec!["f".into()],
            min,
            max,
            metric: metric.iter().map(|s| s.to_string()).collect(),
            value: value.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn flags_become_a_rule_or_a_clear_error() {
        assert_eq!(
            rule(&args(1, 4, &["qps"], &["50"])).unwrap().metrics,
            [Metric::Qps(50.0)]
        );
        assert_eq!(
            rule(&args(1, 4, &["cpu,memory"], &["70,80"])).unwrap().metrics,
            [Metric::Cpu(70.0), Metric::Memory(80.0)]
        );
        let err = |a: CreateArgs| rule(&a).unwrap_err().to_string();
        assert!(err(args(0, 4, &["cpu"], &["70"])).contains("min can't be negative or zero"));
        assert!(err(args(3, 2, &["cpu"], &["70"])).contains("max must be greater than or equal to min"));
        assert!(err(args(1, 2, &["disk"], &["70"])).contains("only supported metrics: cpu, qps, memory"));
        assert!(err(args(1, 2, &["cpu"], &["7.5x"])).contains("--metric cpu"));
        assert!(err(args(1, 2, &["cpu", "qps"], &["70"])).contains("one --value per --metric"));
    }
}
