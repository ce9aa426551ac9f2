//! `kfn autoscale create|delete|list|schedule|schedules|unschedule`: the autoscaling rule a
//! Function carries, scale to zero (`--min 0`) and minimum replicas on a schedule.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use kube::api::ListParams;
use serde_json::{Value, json};

use super::GlobalArgs;
use super::function::one_name;
use crate::api::function::{DEFAULT_IDLE_WINDOW, change_scaling};
use crate::api::hpa::{self, Autoscale, Metric};
use crate::api::kinds::{Function, ScheduledMinimum};
use crate::client::{self, Error, kubeless};
use crate::output::{self, OutputFormat, table::Table};

#[derive(Args, Debug)]
pub struct AutoscaleArgs {
    #[command(subcommand)]
    pub command: Option<AutoscaleCommand>,
}

#[derive(Subcommand, Debug)]
pub enum AutoscaleCommand {
    /// Add an autoscaling rule to a function (--min 0: scale it to zero when idle)
    Create(CreateArgs),
    /// Remove a function's autoscaling rule and its scale to zero (scheduled minimums stay)
    Delete(super::function::NameArgs),
    /// List autoscaling rules
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Keep at least --min replicas from each time --cron names, for --for
    #[command(after_help = SCHEDULE_EXAMPLES)]
    Schedule(ScheduleArgs),
    /// List the scheduled minimums of functions
    Schedules(SchedulesArgs),
    /// Remove a function's scheduled minimums (one by its --cron, or --all)
    Unschedule(UnscheduleArgs),
    /// Replay an invocation trace through the scale-to-zero policies
    Simulate(super::simulate::SimulateArgs),
}

const SCHEDULE_EXAMPLES: &str = "Examples:
  # Three replicas on weekdays from 09:00 UTC for 8 hours
  kfn autoscale schedule hello --cron '0 9 * * 1-5' --min 3 --for 8h

  # The function's scheduled minimums, then remove one
  kfn autoscale schedules hello
  kfn autoscale unschedule hello --cron '0 9 * * 1-5'";

#[derive(Args, Debug)]
pub struct CreateArgs {
    /// The function's name
    #[arg(value_name = "FUNCTION_NAME", required = true, num_args = 1, action = clap::ArgAction::Set, add = crate::cli::complete::function_names())]
    pub names: Vec<String>,
    /// Fewest replicas; 0 scales the function to zero when it has no call (see --scale-to-zero-after)
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
    /// With --min 0: how long with no call before the function goes to zero (a duration such
    /// as 60s or 5m) [default: the one the function has, else 60s]
    #[arg(long = "scale-to-zero-after", value_name = "DURATION", allow_hyphen_values = true)]
    pub scale_to_zero_after: Option<String>,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Output format: json or yaml (default: a table)
    #[arg(short = 'o', long = "out", default_value = "")]
    pub out: String,
}

#[derive(Args, Debug)]
pub struct ScheduleArgs {
    /// The function's name
    #[arg(value_name = "FUNCTION_NAME", required = true, num_args = 1, action = clap::ArgAction::Set, add = crate::cli::complete::function_names())]
    pub names: Vec<String>,
    /// When the minimum starts: a 5-field cron expression in UTC ("0 9 * * 1-5") or a
    /// descriptor (@daily); a schedule with the same --cron is replaced
    #[arg(long, required = true)]
    pub cron: String,
    /// Replicas kept at least while the window is open (0 or more)
    #[arg(long, required = true, allow_hyphen_values = true)]
    pub min: i64,
    /// How long the window stays open after each time --cron names (a duration such as 8h or 30m)
    #[arg(long = "for", required = true, value_name = "DURATION", allow_hyphen_values = true)]
    pub duration: String,
}

#[derive(Args, Debug)]
pub struct SchedulesArgs {
    /// Functions whose scheduled minimums to list (default: all in the namespace)
    #[arg(value_name = "FUNCTION_NAME", add = crate::cli::complete::function_names())]
    pub names: Vec<String>,
    /// Output format: json or yaml (default: a table)
    #[arg(short = 'o', long = "out", default_value = "")]
    pub out: String,
}

#[derive(Args, Debug)]
pub struct UnscheduleArgs {
    /// The function's name
    #[arg(value_name = "FUNCTION_NAME", required = true, num_args = 1, action = clap::ArgAction::Set, add = crate::cli::complete::function_names())]
    pub names: Vec<String>,
    /// The --cron of the scheduled minimum to remove
    #[arg(long, required_unless_present = "all", conflicts_with = "all")]
    pub cron: Option<String>,
    /// Remove all the function's scheduled minimums
    #[arg(long)]
    pub all: bool,
}

/// What `autoscale create` asks of a function's scale to zero.
#[derive(Clone, Debug, PartialEq)]
pub enum ToZero {
    /// `--min 1` or more: never to zero.
    Never,
    /// `--min 0 --scale-to-zero-after D`.
    After(String),
    /// `--min 0` alone: the idle window the function has, else 60s.
    Kept,
}

/// The checked flags of `autoscale create`: the HPA rule (its min at least 1, what a Kubernetes
/// HPA accepts) and what becomes of scale to zero.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub rule: Autoscale,
    pub to_zero: ToZero,
}

/// Checks the flags of `autoscale create` and turns them into a rule.
pub fn rule(args: &CreateArgs) -> Result<Plan> {
    if args.min < 0 {
        bail!(
            "min can't be negative (--min {}): give 0 to scale the function to zero when idle, or the fewest replicas it keeps",
            args.min
        );
    }
    if args.max < args.min.max(1) {
        bail!(
            "max must be greater than or equal to min and at least 1 (--max {}, --min {})",
            args.max,
            args.min
        );
    }
    let to_zero = match (args.min, &args.scale_to_zero_after) {
        (0, None) => ToZero::Kept,
        (0, Some(text)) => match crate::api::function::scale_to_zero_after(text).map_err(anyhow::Error::msg)? {
            Some(after) => ToZero::After(after),
            None => bail!(
                "Invalid --scale-to-zero-after {text:?} with --min 0: give the idle window (a duration such as 60s), or a --min of 1 or more to keep replicas"
            ),
        },
        (min, Some(text)) => bail!(
            "--scale-to-zero-after {text:?} needs --min 0 (scale to zero); with --min {min} the function keeps at least {min} replicas"
        ),
        (_, None) => ToZero::Never,
    };
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
    Ok(Plan {
        rule: Autoscale {
            min: args.min.max(1) as u32,
            max: args.max as u32,
            metrics: out,
        },
        to_zero,
    })
}

/// The shortest window `autoscale schedule --for` takes (a cron names whole minutes).
const MIN_WINDOW: Duration = Duration::from_secs(60);

/// Checks the flags of `autoscale schedule` and turns them into a scheduled minimum.
pub fn scheduled_minimum(args: &ScheduleArgs) -> Result<ScheduledMinimum, Error> {
    let cron = args.cron.trim();
    crate::api::schedule::parse(cron).map_err(|e| {
        Error::usage(format!(
            "Invalid --cron {:?}: {e}; give a 5-field cron expression in UTC (minute hour day-of-month month day-of-week) such as \"0 9 * * 1-5\", or @hourly, @daily, @weekly, @monthly",
            args.cron
        ))
    })?;
    let min = i32::try_from(args.min).ok().filter(|m| *m >= 0).ok_or_else(|| {
        Error::usage(format!(
            "Invalid --min {}: a scheduled minimum is 0 or more replicas",
            args.min
        ))
    })?;
    crate::api::function::duration(&args.duration, "--for", MIN_WINDOW)
        .map_err(|e| Error::usage(e.replace("at least 60s", "at least 1m")))?;
    Ok(ScheduledMinimum {
        cron: cron.to_string(),
        min,
        duration: args.duration.clone(),
    })
}

/// One scheduled minimum in words: `0 9 * * 1-5 (UTC): at least 3 replicas for 8h`.
pub fn schedule_text(s: &ScheduledMinimum) -> String {
    let replicas = if s.min == 1 { "replica" } else { "replicas" };
    format!("{} (UTC): at least {} {replicas} for {}", s.cron, s.min, s.duration)
}

/// The MIN of `autoscale list`: 0 for a function that scales to zero (its HPA keeps 1).
pub fn shown_min(f: &Function, rule: &Autoscale) -> u32 {
    match f.spec.scaling.as_ref().and_then(|s| s.idle_window()) {
        Some(_) => 0,
        None => rule.min,
    }
}

/// Changes a Function (`change` edits the object as stored, given it read as a Function),
/// logging `messages` before and after. A write by someone else in between (the controller's
/// status, another user) is a 409: the Function is read again and `change` applied to it.
/// `change` is checked once on the Function as first read, so a refusal changes nothing.
async fn change_function(
    global: &GlobalArgs,
    name: &str,
    messages: (&str, String),
    change: impl Fn(&Function, &mut Value) -> Result<()>,
) -> Result<ExitCode> {
    change_function_then(global, name, messages.0, change, |_| messages.1.clone()).await
}

/// [`change_function`], its last message made from the Function as written.
async fn change_function_then(
    global: &GlobalArgs,
    name: &str,
    before: &str,
    change: impl Fn(&Function, &mut Value) -> Result<()>,
    after: impl FnOnce(&Function) -> String,
) -> Result<ExitCode> {
    let conn = client::connect(&global.target()).await?;
    let api = kubeless::functions(&conn, &conn.namespace);
    let f = match api.get_opt(name).await {
        Ok(Some(f)) => kubeless::to_value(&f),
        Ok(None) => bail!("Function {name} is not found in namespace {}", conn.namespace),
        Err(e) => return Err(conn.explain(e).into()),
    };
    change(
        &crate::api::kinds::lenient::<Function>(&f).into_result()?,
        &mut f.clone(),
    )?;
    global.printer.info(before);
    let written = kubeless::replace_with(&api, name, f, |mut f| {
        let typed = crate::api::kinds::lenient::<Function>(&f).into_result()?;
        change(&typed, &mut f)?;
        Ok(f)
    })
    .await?
    .map_err(|e| conn.explain(e))?;
    let written = crate::api::kinds::lenient::<Function>(&kubeless::to_value(&written)).into_result()?;
    global.printer.info(&after(&written));
    Ok(ExitCode::SUCCESS)
}

/// Reads the Functions named (or all in the namespace), as typed Functions, with warnings for
/// fields left out.
async fn functions(global: &GlobalArgs, names: &[String]) -> Result<Vec<(Value, Function)>> {
    let printer = global.printer;
    let conn = client::connect(&global.target()).await?;
    let api = kubeless::functions(&conn, &conn.namespace);
    let objects: Vec<Value> = if names.is_empty() {
        let list = api.list(&ListParams::default()).await.map_err(|e| conn.explain(e))?;
        list.items.iter().map(kubeless::to_value).collect()
    } else {
        let mut found = Vec::new();
        for name in names {
            match api.get_opt(name).await {
                Ok(Some(f)) => found.push(kubeless::to_value(&f)),
                Ok(None) => bail!("Function {name} is not found in namespace {}", conn.namespace),
                Err(e) => return Err(conn.explain(e).into()),
            }
        }
        found
    };
    let mut out = Vec::new();
    for object in objects {
        let read = crate::api::kinds::lenient::<Function>(&object);
        for warning in read.warnings() {
            printer.warn(&warning);
        }
        if let Some(f) = read.object {
            out.push((object, f));
        }
    }
    Ok(out)
}

/// The formats `autoscale list` prints in, and Kubeless's words for another.
const LIST_FORMATS: &[OutputFormat] = &[OutputFormat::Table, OutputFormat::Json, OutputFormat::Yaml];
const WRONG_LIST_FORMAT: &str = "Wrong output format. Only accept json|yaml file";

pub async fn run(args: AutoscaleArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let Some(command) = args.command else {
        return super::print_help(global.printer, &["autoscale"]);
    };
    match command {
        AutoscaleCommand::Create(a) => create(a, global).await,
        AutoscaleCommand::Simulate(a) => super::simulate::run(a, global),
        AutoscaleCommand::Delete(a) => {
            let name = one_name(&a.names, "function name")?;
            let messages = (
                "Removing autoscaling rule from the function...",
                format!("Remove Autoscaling rule from {name} successfully"),
            );
            change_function(global, &name, messages, |f, object| {
                let to_zero = f.spec.scaling.as_ref().is_some_and(|s| s.scale_to_zero_after.is_some());
                if hpa::read(&f.spec).is_none() && !to_zero {
                    bail!("Not found an autoscale definition for {name}");
                }
                object["spec"]["horizontalPodAutoscaler"] = crate::api::function::empty_hpa();
                change_scaling(object, |s| {
                    s.scale_to_zero_after = None;
                    s.proactive = None;
                })?;
                Ok(())
            })
            .await
        }
        AutoscaleCommand::List(a) => list(a, global).await,
        AutoscaleCommand::Schedule(a) => {
            let name = one_name(&a.names, "function name")?;
            let wanted = scheduled_minimum(&a)?;
            let messages = (
                "Adding a scheduled minimum to the function...",
                format!("Scheduled minimum for {name} submitted: {}", schedule_text(&wanted)),
            );
            change_function(global, &name, messages, |f, object| {
                if let Some(rule) = hpa::read(&f.spec)
                    && wanted.min > rule.max as i32
                {
                    bail!(
                        "Invalid --min {}: {name}'s autoscaling rule has at most {} replicas; raise its --max with `kfn autoscale create {name} --max {} …` first",
                        wanted.min,
                        rule.max,
                        wanted.min
                    );
                }
                change_scaling(object, |s| {
                    match s.schedules.iter_mut().find(|m| m.cron == wanted.cron) {
                        Some(m) => *m = wanted.clone(),
                        None => s.schedules.push(wanted.clone()),
                    }
                })?;
                Ok(())
            })
            .await
        }
        AutoscaleCommand::Schedules(a) => schedules(a, global).await,
        AutoscaleCommand::Unschedule(a) => {
            let name = one_name(&a.names, "function name")?;
            let messages = (
                "Removing scheduled minimums from the function...",
                match &a.cron {
                    Some(cron) => format!("Scheduled minimum {:?} removed from {name}", cron.trim()),
                    None => format!("Scheduled minimums removed from {name}"),
                },
            );
            change_function(global, &name, messages, |f, object| {
                let have: Vec<String> = f
                    .spec
                    .scaling
                    .iter()
                    .flat_map(|s| s.schedules.iter().map(|m| format!("{:?}", m.cron)))
                    .collect();
                if have.is_empty() {
                    bail!("{name} has no scheduled minimum (add one with `kfn autoscale schedule {name} --cron … --min … --for …`)");
                }
                if let Some(cron) = &a.cron
                    && !have.contains(&format!("{:?}", cron.trim()))
                {
                    bail!(
                        "{name} has no scheduled minimum at --cron {cron:?}; it has {}",
                        have.join(", ")
                    );
                }
                change_scaling(object, |s| match &a.cron {
                    Some(cron) => s.schedules.retain(|m| m.cron != cron.trim()),
                    None => s.schedules.clear(),
                })?;
                Ok(())
            })
            .await
        }
    }
}

async fn create(a: CreateArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let name = one_name(&a.names, "function name")?;
    let plan = rule(&a).map_err(Error::usage)?;
    let change = |f: &Function, object: &mut Value| -> Result<()> {
        object["spec"]["horizontalPodAutoscaler"] = hpa::build(&f.metadata, &plan.rule);
        change_scaling(object, |s| match &plan.to_zero {
            ToZero::Never => s.scale_to_zero_after = None,
            ToZero::After(d) => s.scale_to_zero_after = Some(d.clone()),
            ToZero::Kept => {
                if s.idle_window().is_none() {
                    s.scale_to_zero_after = Some(DEFAULT_IDLE_WINDOW.to_string());
                }
            }
        })?;
        Ok(())
    };
    let after = |f: &Function| {
        let done = format!("Autoscaling rule for {name} submitted for deployment");
        match f.spec.scaling.as_ref().and_then(|s| s.scale_to_zero_after.as_deref()) {
            Some(after) => format!("{done}; it scales to zero after {after} with no call"),
            None => done,
        }
    };
    change_function_then(
        global,
        &name,
        "Adding autoscaling rule to the function...",
        change,
        after,
    )
    .await
}

async fn list(a: ListArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let printer = global.printer;
    let format = OutputFormat::parse(&a.out, LIST_FORMATS, "-o/--out", WRONG_LIST_FORMAT)
        .map_err(crate::client::Error::usage)?;
    let rules: Vec<(Value, Function, Autoscale)> = functions(global, &[])
        .await?
        .into_iter()
        .filter_map(|(o, f)| {
            let rule = hpa::read(&f.spec)?;
            Some((o, f, rule))
        })
        .collect();
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
                    shown_min(f, r).to_string(),
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

/// The rows of `autoscale schedules`: one per scheduled minimum.
pub fn schedule_rows(functions: &[Function]) -> Vec<(String, String, ScheduledMinimum)> {
    functions
        .iter()
        .flat_map(|f| {
            let schedules = f.spec.scaling.iter().flat_map(|s| s.schedules.iter());
            schedules.map(|s| (f.name().to_string(), f.namespace().to_string(), s.clone()))
        })
        .collect()
}

async fn schedules(a: SchedulesArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let printer = global.printer;
    let format = OutputFormat::parse(&a.out, LIST_FORMATS, "-o/--out", WRONG_LIST_FORMAT)
        .map_err(crate::client::Error::usage)?;
    let found: Vec<Function> = functions(global, &a.names).await?.into_iter().map(|(_, f)| f).collect();
    let rows = schedule_rows(&found);
    let documents = || -> Value {
        Value::Array(
            rows.iter()
                .map(|(name, ns, s)| json!({"function": name, "namespace": ns, "cron": s.cron, "min": s.min, "for": s.duration}))
                .collect(),
        )
    };
    match format {
        OutputFormat::Json => printer.data(&format!("{}\n", output::json(&documents(), 2)))?,
        OutputFormat::Yaml => printer.data(&output::yaml(&documents()))?,
        OutputFormat::Table | OutputFormat::Wide => {
            let mut t = Table::new(&["NAME", "NAMESPACE", "CRON", "MIN", "FOR"], 50);
            for (name, ns, s) in rows {
                t.row(vec![name, ns, s.cron, s.min.to_string(), s.duration]);
            }
            printer.data(&t.render())?;
        }
    }
    Ok(ExitCode::SUCCESS)
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
            scale_to_zero_after: None,
        }
    }

    #[test]
    fn flags_become_a_rule_or_a_clear_error() {
        assert_eq!(
            rule(&args(1, 4, &["qps"], &["50"])).unwrap().rule.metrics,
            [Metric::Qps(50.0)]
        );
        assert_eq!(
            rule(&args(1, 4, &["cpu,memory"], &["70,80"])).unwrap().rule.metrics,
            [Metric::Cpu(70.0), Metric::Memory(80.0)]
        );
        let err = |a: CreateArgs| rule(&a).unwrap_err().to_string();
        assert!(err(args(-1, 4, &["cpu"], &["70"])).contains("min can't be negative (--min -1)"));
        assert!(err(args(3, 2, &["cpu"], &["70"])).contains("max must be greater than or equal to min"));
        assert!(err(args(0, 0, &["cpu"], &["70"])).contains("at least 1 (--max 0, --min 0)"));
        assert!(err(args(1, 2, &["disk"], &["70"])).contains("only supported metrics: cpu, qps, memory"));
        assert!(err(args(1, 2, &["cpu"], &["7.5x"])).contains("--metric cpu"));
        assert!(err(args(1, 2, &["cpu", "qps"], &["70"])).contains("one --value per --metric"));
    }

    #[test]
    fn min_zero_keeps_an_hpa_minimum_of_one_and_scales_to_zero() {
        let plan = rule(&args(0, 4, &["qps"], &["50"])).unwrap();
        assert_eq!(plan.rule.min, 1, "what an HPA takes without HPAScaleToZero");
        assert_eq!(plan.to_zero, ToZero::Kept);
        let given = CreateArgs {
            scale_to_zero_after: Some("5m".into()),
            ..args(0, 4, &["qps"], &["50"])
        };
        assert_eq!(rule(&given).unwrap().to_zero, ToZero::After("5m".into()));
        assert_eq!(rule(&args(2, 4, &["qps"], &["50"])).unwrap().to_zero, ToZero::Never);
        let err = |after: &str, min: i64| {
            let a = CreateArgs {
                scale_to_zero_after: Some(after.into()),
                ..args(min, 4, &["qps"], &["50"])
            };
            rule(&a).unwrap_err().to_string()
        };
        assert!(
            err("5m", 2).contains("--scale-to-zero-after \"5m\" needs --min 0"),
            "{}",
            err("5m", 2)
        );
        assert!(
            err("soon", 0).contains("Invalid --scale-to-zero-after \"soon\""),
            "{}",
            err("soon", 0)
        );
        assert!(err("off", 0).contains("with --min 0"), "{}", err("off", 0));
    }

    fn schedule(cron: &str, min: i64, duration: &str) -> ScheduleArgs {
        ScheduleArgs {
            names: vec!["f".into()],
            cron: cron.into(),
            min,
            duration: duration.into(),
        }
    }

    #[test]
    fn scheduled_minimums_are_checked_flag_by_flag() {
        let ok = scheduled_minimum(&schedule("0 9 * * 1-5", 3, "8h")).unwrap();
        assert_eq!(
            ok,
            ScheduledMinimum {
                cron: "0 9 * * 1-5".into(),
                min: 3,
                duration: "8h".into()
            }
        );
        assert_eq!(schedule_text(&ok), "0 9 * * 1-5 (UTC): at least 3 replicas for 8h");
        assert!(
            scheduled_minimum(&schedule("@daily", 0, "1h30m")).is_ok(),
            "min 0 is allowed"
        );
        let err = |a: ScheduleArgs| scheduled_minimum(&a).unwrap_err().to_string();
        let e = err(schedule("0 25 * * *", 3, "8h"));
        assert!(
            e.starts_with("Invalid --cron \"0 25 * * *\": ") && e.contains("\"0 9 * * 1-5\""),
            "{e}"
        );
        let e = err(schedule("0 9 * * 1-5", -1, "8h"));
        assert!(e.contains("Invalid --min -1: a scheduled minimum is 0 or more"), "{e}");
        for bad in ["8", "eight hours", "-8h", ".5h", ""] {
            let e = err(schedule("0 9 * * 1-5", 3, bad));
            assert!(e.starts_with(&format!("Invalid --for {bad:?}")), "{e}");
        }
        let e = err(schedule("0 9 * * 1-5", 3, "30s"));
        assert!(e.contains("at least 1m"), "{e}");
    }

    #[test]
    fn list_shows_min_zero_for_a_function_that_scales_to_zero() {
        let f = |scaling: Value| -> Function {
            Function::from_object(&json!({"kind": "Function", "metadata": {"name": "f"},
                "spec": {"scaling": scaling, "horizontalPodAutoscaler": {"spec": {"minReplicas": 1, "maxReplicas": 3}}}}))
            .unwrap()
        };
        let zero = f(json!({"scaleToZeroAfter": "60s"}));
        let rule = hpa::read(&zero.spec).unwrap();
        assert_eq!(shown_min(&zero, &rule), 0);
        assert_eq!(shown_min(&f(json!({"proactive": false})), &rule), 1);
        let scheduled = f(json!({"schedules": [{"cron": "@daily", "min": 2, "for": "1h"}]}));
        let rows = schedule_rows(&[scheduled]);
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].0.as_str(), rows[0].2.min), ("f", 2));
    }
}
