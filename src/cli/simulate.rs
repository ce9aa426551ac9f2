//! `kfn autoscale simulate`: replays an invocation trace (a file, or a generated one) through
//! the scale-to-zero policies and prints cold starts and idle replica-minutes for each.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;

use super::GlobalArgs;
use crate::scaling::Settings;
use crate::scaling::simulate;
use crate::scaling::trace::{self, Shape};

#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// An invocation trace: CSV `function,minute,count`, or the Azure Functions 2019 trace's
    /// `HashOwner,HashApp,HashFunction,Trigger,1,…,1440`
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "generate",
        conflicts_with = "generate"
    )]
    pub trace: Option<std::path::PathBuf>,
    /// Generate a trace instead: periodic, bursty, poisson, rare or mix
    #[arg(long, value_name = "SHAPE")]
    pub generate: Option<String>,
    /// Functions in a generated trace
    #[arg(long, default_value_t = 100)]
    pub functions: usize,
    /// Minutes in a generated trace
    #[arg(long, default_value_t = 1440)]
    pub minutes: u32,
    /// Seed of a generated trace (the same seed gives the same trace)
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

pub fn run(args: SimulateArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let (name, trace) = match (&args.trace, &args.generate) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("--trace {}", path.display()))?;
            let t = trace::read(&text).with_context(|| format!("--trace {}", path.display()))?;
            (path.display().to_string(), t)
        }
        (None, Some(shape)) => {
            let shape = Shape::parse(shape).map_err(|e| anyhow::anyhow!("--generate: {e}"))?;
            if args.functions == 0 || args.minutes == 0 {
                bail!(
                    "--functions {} --minutes {}: a generated trace needs at least one function and one minute",
                    args.functions,
                    args.minutes
                );
            }
            (
                shape.to_string(),
                trace::generate(shape, args.functions, args.minutes, args.seed),
            )
        }
        (None, None) => bail!("give --trace FILE or --generate SHAPE"),
    };
    let rows: Vec<_> = simulate::policies()
        .iter()
        .map(|p| (name.clone(), simulate::run(&trace, p, Settings::default())))
        .collect();
    global.printer.data(&format!(
        "{} functions, {} minutes, {} calls\n\n{}",
        trace.functions.len(),
        trace.minutes,
        trace.total(),
        simulate::table(&rows)
    ))?;
    Ok(ExitCode::SUCCESS)
}
