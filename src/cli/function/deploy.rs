//! `function deploy` and `function update`.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;
use kube::api::PostParams;
use serde_json::json;

use super::{one_name, status_hint, wait};
use crate::api::flags;
use crate::api::function::{self, Code, FunctionFlags};
use crate::api::kinds::Function;
use crate::cli::GlobalArgs;
use crate::client::kubeless::{self, Catalog};
use crate::client::{self, Connection};
use crate::output::{self, OutputFormat};
use crate::source::{self, Packing};

/// Flags `deploy` and `update` share.
#[derive(Args, Debug, Clone)]
pub struct CommonFlags {
    /// The function's name
    #[arg(value_name = "FUNCTION_NAME", required = true, num_args = 1, action = clap::ArgAction::Set)]
    pub names: Vec<String>,
    /// Runtime id, e.g. python3.12 or nodejs20 (see `kfn get-server-config`)
    #[arg(short = 'r', long, add = crate::cli::complete::runtime_ids())]
    pub runtime: Option<String>,
    /// Handler: <module>.<function>
    #[arg(long)]
    pub handler: Option<String>,
    /// Code: a file, an archive (.zip, .tar.gz, ...), a directory, or an http(s) URL
    #[arg(short = 'f', long = "from-file", value_name = "PATH_OR_URL")]
    pub from_file: Option<String>,
    /// Dependency file (requirements.txt, package.json, ...) or its URL
    #[arg(short = 'd', long, value_name = "PATH_OR_URL")]
    pub dependencies: Option<String>,
    /// Labels, key=value or key:value (repeatable, comma-separated)
    #[arg(short = 'l', long = "label")]
    pub label: Vec<String>,
    /// Environment variables, key=value or key:value (repeatable, comma-separated)
    #[arg(short = 'e', long = "env")]
    pub env: Vec<String>,
    /// Secrets to mount at /<secret> (repeatable, comma-separated)
    #[arg(long)]
    pub secrets: Vec<String>,
    /// Node selectors, key=value (repeatable, comma-separated)
    #[arg(long = "node-selectors")]
    pub node_selectors: Vec<String>,
    /// Service account of the function's pods
    #[arg(long = "service-account")]
    pub service_account: Option<String>,
    /// Memory request and limit (a quantity: 128Mi, 1G, ...)
    #[arg(long)]
    pub memory: Option<String>,
    /// CPU request and limit (a quantity: 100m, 0.5, ...)
    #[arg(long)]
    pub cpu: Option<String>,
    /// Custom image to run instead of a runtime
    #[arg(long = "runtime-image")]
    pub runtime_image: Option<String>,
    /// Image pull policy: Always, IfNotPresent or Never [deploy default: Always]
    #[arg(long = "image-pull-policy")]
    pub image_pull_policy: Option<String>,
    /// Timeout of one call, in seconds [deploy default: 180]
    #[arg(long)]
    pub timeout: Option<String>,
    /// Output format of --dryrun: yaml or json
    #[arg(short = 'o', long, default_value = "yaml")]
    pub output: String,
    /// Make the function's Service headless (clusterIP: None)
    #[arg(long)]
    pub headless: bool,
    /// Print the Function object instead of submitting it
    #[arg(long)]
    pub dryrun: bool,
    /// Port the function listens on [deploy default: 8080]
    #[arg(long, allow_hyphen_values = true)]
    pub port: Option<i64>,
    /// Port of the function's Service, when it differs from --port
    #[arg(long = "servicePort", allow_hyphen_values = true)]
    pub service_port: Option<i64>,
    /// Wait until the function's Deployment is ready
    #[arg(long)]
    pub wait: bool,
    /// How long --wait waits (e.g. 90s, 2m)
    #[arg(long = "wait-timeout", default_value = "2m", value_name = "DURATION")]
    pub wait_timeout: String,
    /// Scale to zero after this long with no call (a duration: 60s, 5m; at least 1s); the next call
    /// starts a replica. `0` or `off` turns it off
    #[arg(long = "scale-to-zero-after", value_name = "DURATION", allow_hyphen_values = true)]
    pub scale_to_zero_after: Option<String>,
    /// Let the proactive policy pre-warm the function before its predicted next call and choose
    /// its keep-alive (on by default with --scale-to-zero-after); --proactive=false turns it off
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub proactive: Option<bool>,
}

#[derive(Args, Debug)]
#[command(
    mut_arg("runtime", |a| a.help("Runtime id, e.g. python3.12 or nodejs20 (see `kfn get-server-config`) [required unless --runtime-image]")),
    mut_arg("handler", |a| a.help("Handler: <module>.<function> [required with --runtime]")),
    mut_arg("from_file", |a| a.help("Code: a file, an archive (.zip, .tar.gz, ...), a directory, or an http(s) URL [required unless --runtime-image]")),
    after_help = DEPLOY_EXAMPLES
)]
pub struct DeployArgs {
    #[command(flatten)]
    pub common: CommonFlags,
    /// Cron schedule; also creates a CronJobTrigger named like the function
    #[arg(long)]
    pub schedule: Option<String>,
}

#[derive(Args, Debug)]
#[command(mut_arg("names", |a| a.add(crate::cli::complete::function_names())))]
pub struct UpdateArgs {
    #[command(flatten)]
    pub common: CommonFlags,
}

const DEPLOY_EXAMPLES: &str = "Examples:
  # A Python function from one file
  kfn function deploy hello --runtime python3.12 --handler hello.handler --from-file hello.py

  # Node.js with dependencies, waiting until it is ready
  kfn function deploy greet -r nodejs20 --handler greet.main -f greet.js -d package.json --wait

  # A directory, with environment and a call every five minutes
  kfn function deploy report -r python3.12 --handler main.run -f ./report -e LEVEL=info --schedule '*/5 * * * *'

  # Scale to zero after a minute with no call (the next call starts a replica)
  kfn function deploy hello -r python3.12 --handler hello.handler -f hello.py --scale-to-zero-after 60s

  # Print the Function object instead of creating it
  kfn function deploy hello -r python3.12 --handler hello.handler -f hello.py --dryrun -o json";

/// A DNS-1035 label: what a function name must be, since its Service is named after it.
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-');
    if !ok {
        bail!(
            "Invalid function name {name:?}: it must be a DNS-1035 label (at most 63 lower case letters, digits or '-', starting with a letter and ending with a letter or digit), e.g. hello-world"
        );
    }
    Ok(())
}

/// Checks `--handler` is `<module>.<function>` and returns the module.
pub fn check_handler(handler: &str) -> Result<&str> {
    match handler.split_once('.') {
        Some((module, func)) if !module.is_empty() && !func.is_empty() && !func.contains('.') => Ok(module),
        _ => bail!(
            "Invalid handler {handler:?} (given with --handler): it must be <module>.<function>, e.g. hello.handler"
        ),
    }
}

fn check_port(value: Option<i64>, flag: &str, allow_zero: bool) -> Result<Option<i32>> {
    match value {
        None => Ok(None),
        Some(p) if (allow_zero && p == 0) || (1..=65535).contains(&p) => Ok(Some(p as i32)),
        Some(p) if flag == "--port" => bail!("Invalid port number {p} specified (--port must be 1 to 65535)"),
        Some(p) => bail!("Invalid servicePort number {p} specified (--servicePort must be 0 to 65535)"),
    }
}

/// Everything that can be checked without the API server, turned into Function flags.
async fn local_checks(
    common: &CommonFlags,
    name: &str,
    namespace: &str,
) -> Result<(FunctionFlags, Option<source::Content>)> {
    if let Some(policy) = &common.image_pull_policy
        && !["IfNotPresent", "Always", "Never"].contains(&policy.as_str())
    {
        bail!(
            "image-pull-policy must be {{IfNotPresent|Always|Never}}, got {policy:?} (given with --image-pull-policy)"
        );
    }
    let port = check_port(common.port, "--port", false)?;
    let service_port = check_port(common.service_port, "--servicePort", true)?;
    if let Some(handler) = &common.handler {
        check_handler(handler)?;
    }
    let memory = common
        .memory
        .as_deref()
        .map(crate::api::quantity::canonical)
        .transpose()
        .map_err(|e| anyhow::anyhow!("Wrong format of the memory value: {e} (given with --memory)"))?;
    let cpu = common
        .cpu
        .as_deref()
        .map(crate::api::quantity::canonical)
        .transpose()
        .map_err(|e| anyhow::anyhow!("Wrong format for cpu value: {e} (given with --cpu)"))?;
    let timeout = common
        .timeout
        .as_deref()
        .map(crate::api::kinds::Timeout::parse)
        .transpose()
        .map_err(|e| {
            anyhow::anyhow!(
                "Invalid timeout {:?} (given with --timeout): it must be a whole number of seconds, at least 1",
                e.0
            )
        })?;
    let scale_to_zero_after = common
        .scale_to_zero_after
        .as_deref()
        .map(function::scale_to_zero_after)
        .transpose()
        .map_err(client::Error::usage)?;
    let deps = match &common.dependencies {
        Some(d) => Some(source::read_dependencies(d, "--dependencies").await?),
        None => None,
    };
    let content = match &common.from_file {
        Some(f) => Some(source::read(f, "--from-file").await?),
        None => None,
    };
    let size = content.as_ref().map_or(0, |c| c.function.len()) + deps.as_ref().map_or(0, String::len);
    if size > source::MAX_CONTENT {
        bail!(
            "--from-file: the function's code and dependencies take {:.1} MiB ({size} bytes) in the Function object, over the API server's limit of about 1 MiB; host the code at an http(s) URL and pass that URL to --from-file (and --dependencies) instead",
            size as f64 / 1048576.0
        );
    }
    let code = content.as_ref().map(|c| Code {
        function: c.function.clone(),
        content_type: c.content_type.clone(),
        checksum: c.checksum.clone(),
    });
    let flags = FunctionFlags {
        name: name.to_string(),
        namespace: namespace.to_string(),
        handler: common.handler.clone(),
        runtime: common.runtime.clone(),
        code,
        deps,
        labels: flags::pairs(&common.label),
        env: flags::pairs(&common.env),
        secrets: flags::items(&common.secrets),
        node_selectors: flags::pairs(&common.node_selectors),
        service_account: common.service_account.clone(),
        memory,
        cpu,
        runtime_image: common.runtime_image.clone(),
        image_pull_policy: common.image_pull_policy.clone(),
        timeout,
        port,
        service_port,
        headless: common.headless.then_some(true),
        scale_to_zero_after,
        proactive: common.proactive,
    };
    Ok((flags, content))
}

/// Checks the runtime against the catalog and that an archive or directory holds the
/// handler's module; returns the runtime id to store (aliases resolved).
fn check_runtime(
    catalog: &Catalog,
    runtime: &str,
    handler: Option<&str>,
    source: Option<(&str, &source::Content)>,
) -> Result<String> {
    let entry = catalog
        .find(runtime)
        .with_context(|| unknown_runtime(runtime, &catalog.names()))?;
    if let (Some(handler), Some((file, content))) = (handler, source) {
        let module = check_handler(handler)?;
        let packing = if std::path::Path::new(file).is_dir() {
            Packing::Zip
        } else {
            Packing::of(file.split(['?', '#']).next().unwrap_or(file))
        };
        source::check_module(content, packing, module, &entry.suffix, "--from-file")?;
    }
    Ok(entry.name.clone())
}

/// The error for a runtime the catalog does not have: Kubeless's words, then a suggestion, the
/// ids in version order, the aliases and which ids the local engine runs.
fn unknown_runtime(runtime: &str, names: &[&str]) -> String {
    let mut ids: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    crate::runtimes::sort_ids(&mut ids);
    let suggestion = crate::runtimes::suggest(runtime, &ids)
        .map(|s| format!(" Did you mean {s}?"))
        .unwrap_or_default();
    let local: Vec<&str> = ids
        .iter()
        .map(String::as_str)
        .filter(|id| crate::runtimes::runs_locally(id))
        .collect();
    let aliases: Vec<String> = crate::runtimes::aliases().map(|a| format!("`{a}`")).collect();
    format!(
        "Invalid runtime: {runtime} (given with --runtime).{suggestion} Supported runtimes are: {}; {} stand for the newest version. The local engine runs {}; the others need a cluster.",
        ids.join(", "),
        aliases.join(", "),
        if local.is_empty() {
            "none of them".to_string()
        } else {
            local.join(", ")
        },
    )
}

fn parse_wait_timeout(text: &str) -> Result<Duration> {
    let seconds = text.parse::<u64>().ok().map(Duration::from_secs);
    seconds
        .or_else(|| crate::api::schedule::go_duration(text).ok())
        .filter(|d| !d.is_zero())
        .with_context(|| format!("Invalid --wait-timeout {text:?}: give a duration such as 90s or 2m"))
}

/// The format of `--dryrun`'s output; none without `--dryrun` (`-o` is not read then).
fn dry_run_format(common: &CommonFlags) -> Result<Option<OutputFormat>, client::Error> {
    common
        .dryrun
        .then(|| output::dry_run_format(&common.output))
        .transpose()
        .map_err(client::Error::usage)
}

pub async fn deploy(args: DeployArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let common = &args.common;
    let name = one_name(&common.names, "function name")?;
    check_name(&name)?;
    if let Some(schedule) = &args.schedule {
        crate::api::schedule::parse(schedule).map_err(|e| anyhow::anyhow!("Invalid value for --schedule. {e}"))?;
    }
    let target = global.target();
    let namespace = client::namespace(&target)?;
    let (mut flags, content) = local_checks(common, &name, &namespace).await?;
    let source = common.from_file.as_deref().zip(content.as_ref());
    if flags.runtime.is_none() && flags.runtime_image.is_none() {
        bail!("Either `--runtime` or `--runtime-image` flag must be specified.");
    }
    // Kubeless stored a function with no code, which could never start.
    if common.from_file.is_none() && flags.runtime_image.is_none() {
        bail!(
            "--from-file is required: give the function's code as a file, an archive, a directory or an http(s) URL (or run an image of your own with --runtime-image)"
        );
    }
    // As Kubeless: an unknown runtime is reported before a missing handler.
    let needs_handler = || -> Result<()> {
        if flags.handler.is_none() {
            bail!("You must specify handler for the runtime. Give it as --handler <module>.<function>");
        }
        Ok(())
    };
    let dry_run = dry_run_format(common)?;
    if let Some(format) = dry_run {
        // A dry run needs no API server: the built-in catalog checks the runtime.
        let (ns, cm) = kubeless::config_location();
        if let Some(runtime) = &flags.runtime {
            let checked = check_runtime(&Catalog::built_in(ns, cm), runtime, flags.handler.as_deref(), source)?;
            needs_handler()?;
            flags.runtime = Some(checked);
        }
        global
            .printer
            .data(&output::dry_run(&function::build(&flags), format))?;
        return Ok(ExitCode::SUCCESS);
    }
    let wait_timeout = parse_wait_timeout(&common.wait_timeout)?;
    let conn = client::connect(&target).await?;
    if let Some(schedule) = &args.schedule {
        conn.check_schedule(schedule).await?;
    }
    let catalog = kubeless::catalog(&conn).await?;
    if let Some(runtime) = &flags.runtime {
        let checked = check_runtime(&catalog, runtime, flags.handler.as_deref(), source)?;
        needs_handler()?;
        flags.runtime = Some(checked);
    }
    let object = function::build(&flags);

    global.printer.info("Deploying function...");
    let api = kubeless::functions(&conn, &namespace);
    match api.create(&PostParams::default(), &kubeless::from_value(object)?).await {
        Ok(_) => {}
        Err(kube::Error::Api(s)) if s.code == 409 => bail!(
            "Failed to deploy {name}. Received: function {name} already exists in namespace {namespace}; use `kfn function update {name}` to change it"
        ),
        Err(e) => {
            return Err(conn
                .explain(e)
                .context(format!("Failed to deploy {name}. Received"))
                .into());
        }
    }
    if let Some(schedule) = &args.schedule
        && let Err(e) = create_schedule(&conn, &namespace, &name, schedule).await
    {
        // Nothing half-done: the function goes with its trigger.
        let _ = api.delete(&name, &Default::default()).await;
        return Err(e.context(format!("Failed to deploy cron job trigger {name}. Received")));
    }
    global
        .printer
        .info(&format!("Function {name} submitted for deployment"));
    status_hint(&name, global);
    if common.wait {
        return wait::until_ready(global.printer, &conn, &namespace, &name, wait_timeout, None).await;
    }
    Ok(ExitCode::SUCCESS)
}

async fn create_schedule(conn: &Connection, namespace: &str, name: &str, schedule: &str) -> Result<()> {
    let trigger = json!({
        "apiVersion": "kubeless.io/v1beta1",
        "kind": "CronJobTrigger",
        "metadata": {"name": name, "namespace": namespace, "labels": {"created-by": "kubeless", "function": name}},
        "spec": {"schedule": schedule, "function-name": name, "payload": null},
    });
    kubeless::api(conn, namespace, "CronJobTrigger")
        .create(&PostParams::default(), &kubeless::from_value(trigger)?)
        .await
        .map(|_| ())
        .map_err(|e| conn.explain(e).into())
}

pub async fn update(args: UpdateArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let common = &args.common;
    let name = one_name(&common.names, "function name")?;
    check_name(&name)?;
    let target = global.target();
    let namespace = client::namespace(&target)?;
    let (mut flags, content) = local_checks(common, &name, &namespace).await?;
    let source = common.from_file.as_deref().zip(content.as_ref());
    let wait_timeout = parse_wait_timeout(&common.wait_timeout)?;
    let dry_run = dry_run_format(common)?;
    let conn = client::connect(&target).await?;
    let catalog = kubeless::catalog(&conn).await?;
    let api = kubeless::functions(&conn, &namespace);
    let current = match api.get_opt(&name).await {
        Ok(Some(f)) => kubeless::to_value(&f),
        Ok(None) => {
            bail!("Function {name} is not found in namespace {namespace}; deploy it with `kfn function deploy {name}`")
        }
        Err(e) => return Err(conn.explain(e).into()),
    };
    // New code or a new runtime is checked with the handler and runtime it will run with.
    // A stored field that is not of its type does not stop the update (which may mend it).
    let read = crate::api::kinds::lenient::<Function>(&current);
    for warning in read.warnings() {
        global.printer.warn(&warning);
    }
    let stored = read.object.map(|f| f.spec);
    let handler = flags
        .handler
        .clone()
        .or_else(|| stored.as_ref().map(|s| s.handler.clone()));
    match (&flags.runtime, stored.map(|s| s.runtime)) {
        (Some(runtime), _) => flags.runtime = Some(check_runtime(&catalog, runtime, handler.as_deref(), source)?),
        (None, Some(runtime)) if source.is_some() && !runtime.is_empty() => {
            check_runtime(&catalog, &runtime, handler.as_deref(), source)?;
        }
        _ => {}
    }
    if let Some(format) = dry_run {
        global
            .printer
            .data(&output::dry_run(&function::update(current, &flags)?, format))?;
        return Ok(ExitCode::SUCCESS);
    }
    global.printer.info("Redeploying function...");
    let replaced = kubeless::replace_with(&api, &name, current, |f| Ok(function::update(f, &flags)?))
        .await?
        .map_err(|e| conn.explain(e).context(format!("Failed to update {name}. Received")))?;
    global
        .printer
        .info(&format!("Function {name} submitted for deployment"));
    status_hint(&name, global);
    if common.wait {
        let generation = replaced.metadata.generation;
        return wait::until_ready(global.printer, &conn, &namespace, &name, wait_timeout, generation).await;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_runtime_gets_a_suggestion_sorted_ids_and_what_runs_locally() {
        let names = crate::runtimes::names();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let text = unknown_runtime("python3", &names);
        assert!(
            text.starts_with("Invalid runtime: python3 (given with --runtime). Did you mean python3.13? Supported runtimes are: ballerina0.981.0, "),
            "{text}"
        );
        assert!(text.contains("python3.8, python3.9, python3.10, python3.11"), "{text}");
        assert!(text.contains("`python`, `nodejs`"), "{text}");
        let local = text.split("The local engine runs ").nth(1).unwrap();
        assert!(local.contains("python3.12") && local.contains("nodejs20"), "{text}");
        assert!(!local.contains("go1.14") && !local.contains("ruby"), "{text}");
        assert!(!unknown_runtime("cobol2", &names).contains("Did you mean"));
    }

    #[test]
    fn names_and_handlers() {
        assert!(check_name("hello-world").is_ok());
        for bad in ["Hello", "1abc", "a_b", "abc-", "", &"a".repeat(64), "a.b"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        assert_eq!(check_handler("hello.handler").unwrap(), "hello");
        for bad in ["hello", ".x", "x.", "a.b.c"] {
            assert!(check_handler(bad).is_err(), "{bad}");
        }
    }
}
