//! Which API server a command talks to, and the kube client for it.
//!
//! Order: `--local`; else `--kubeconfig`; else `$KUBECONFIG`; else `~/.kube/config` when it
//! exists; else the local engine, started on demand.

pub mod error;
pub mod kubeconfig;
pub mod kubeless;
pub mod list;
pub mod logs;
pub mod metrics;
pub mod proxy;

use std::path::PathBuf;

use anyhow::Context;
use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::local::daemon;
use crate::local::state::StateDir;

pub use error::{Error, Result};

/// Connection flags every command takes, as kubectl has them.
#[derive(Clone, Debug, Default)]
pub struct Target {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub namespace: Option<String>,
    pub local: bool,
}

/// Where the kubeconfig in use came from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    Flag(PathBuf),
    Env(String),
    Home(PathBuf),
    /// The pod's service account, inside a cluster.
    InCluster,
    Local(PathBuf),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag(p) => write!(f, "--kubeconfig {}", p.display()),
            Source::Env(v) => write!(f, "KUBECONFIG={v}"),
            Source::Home(p) => write!(f, "{}", p.display()),
            Source::InCluster => write!(f, "the pod's service account"),
            Source::Local(p) => write!(f, "the local engine ({})", p.display()),
        }
    }
}

/// A client and what it is connected to.
#[derive(Clone)]
pub struct Connection {
    pub client: kube::Client,
    pub namespace: String,
    pub server: String,
    pub source: Source,
}

impl Connection {
    /// Whether the server is a kfn local engine (which runs triggers itself) rather than a
    /// cluster: the engine's version says `+kfn-`.
    pub async fn is_kfn_engine(&self) -> Result<bool> {
        let version = self.client.apiserver_version().await.map_err(|e| self.explain(e))?;
        Ok(version.git_version.contains("+kfn-"))
    }

    /// Checks a `--schedule` for the server in use: a cluster's CronJob cannot run every
    /// `@every` the engine runs.
    pub async fn check_schedule(&self, schedule: &str) -> Result<()> {
        if !self.is_kfn_engine().await? {
            crate::api::schedule::cluster_schedule(schedule)
                .map_err(|e| Error::usage(format!("Invalid value for --schedule. {e}")))?;
        }
        Ok(())
    }

    /// Turns a kube error into a message a user can act on: which server could not be reached
    /// and how to start the local engine, which credentials were refused, or the API server's
    /// own message.
    pub fn explain(&self, err: kube::Error) -> Error {
        let message = match &err {
            kube::Error::Api(status) if status.code == 401 => format!(
                "the API server {} refused the credentials from {} ({} {}): {}",
                self.server, self.source, status.code, status.reason, status.message
            ),
            // Credentials it took, for something RBAC or a quota does not allow them.
            kube::Error::Api(status) if status.code == 403 => format!(
                "the API server {} forbade it (credentials from {}; {} {}): {}",
                self.server, self.source, status.code, status.reason, status.message
            ),
            // What a real API server says for a kind it does not serve: the CRDs are missing.
            kube::Error::Api(status) if status.code == 404 && not_served(&status.message) => format!(
                "the API server {} (from {}) does not serve the kind kfn asked for ({}): is kfn installed there? `kfn install` installs its CRDs",
                self.server,
                self.source,
                status.message.trim()
            ),
            kube::Error::Api(status) => status.message.clone(),
            other => {
                let hint = match self.source {
                    Source::Local(_) => "; check it with `kfn local status`".to_string(),
                    _ => "; start the local engine with `kfn local start` and pass --local to use it".to_string(),
                };
                let message = format!(
                    "cannot reach the API server {} (from {}): {}{hint}",
                    self.server,
                    self.source,
                    chain(other)
                );
                return Error::Unreachable { message, source: err };
            }
        };
        Error::Api {
            object: None,
            message,
            source: err,
        }
    }
}

/// Whether a 404's message says the API server serves no such path at all (a kind whose CRD is
/// not installed: `404 page not found` for an unknown group, client-go's `the server could not
/// find the requested resource` for an unknown kind of a known one), rather than that an object
/// is not there.
fn not_served(message: &str) -> bool {
    let message = message.trim();
    message == "404 page not found" || message == "the server could not find the requested resource"
}

/// An error and its causes on one line.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

/// The namespace commands use, without connecting: `-n`, else the kubeconfig context's
/// namespace, else `default`.
pub fn namespace(target: &Target) -> Result<String> {
    if let Some(ns) = &target.namespace {
        return Ok(ns.clone());
    }
    let kubeconfig = match choose(target)? {
        Source::Flag(path) | Source::Home(path) => Kubeconfig::read_from(path).ok(),
        Source::Env(_) => Kubeconfig::read().ok(),
        Source::Local(_) | Source::InCluster => None,
    };
    let ns = kubeconfig.and_then(|kc| {
        let context = target.context.clone().or(kc.current_context.clone())?;
        kc.contexts
            .iter()
            .find(|c| c.name == context)?
            .context
            .as_ref()?
            .namespace
            .clone()
    });
    Ok(ns.unwrap_or_else(|| "default".to_string()))
}

/// A `--context` the kubeconfig does not have is named, with the contexts it has.
fn check_context(kubeconfig: &Kubeconfig, context: &str, source: &Source) -> Result<()> {
    if kubeconfig.contexts.iter().any(|c| c.name == context) {
        return Ok(());
    }
    let mut names: Vec<&str> = kubeconfig.contexts.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    let known = if names.is_empty() {
        "it has no contexts".to_string()
    } else {
        format!("its contexts are: {}", names.join(", "))
    };
    Err(Error::usage(format!(
        "the kubeconfig ({source}) has no context {context:?} (given with --context); {known}"
    )))
}

/// Decides where the kubeconfig comes from, without reading it.
pub fn choose(target: &Target) -> Result<Source> {
    if target.local {
        return Ok(Source::Local(StateDir::resolve()?.kubeconfig()));
    }
    if let Some(path) = &target.kubeconfig {
        return Ok(Source::Flag(path.clone()));
    }
    if let Some(v) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        return Ok(Source::Env(v.to_string_lossy().into_owned()));
    }
    if let Some(home) = dirs::home_dir().map(|h| h.join(".kube/config")).filter(|p| p.exists()) {
        return Ok(Source::Home(home));
    }
    if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() {
        return Ok(Source::InCluster);
    }
    Ok(Source::Local(StateDir::resolve()?.kubeconfig()))
}

/// Makes sure the local engine runs, starting it (with one line on stderr) when it does not.
pub fn ensure_local_engine() -> Result<StateDir> {
    let state = StateDir::resolve()?;
    if let daemon::Status::Stopped { .. } = daemon::status(&state) {
        let (info, _) = daemon::start(&state, Default::default())?;
        crate::output::Printer::detect().plain(&format!(
            "Started the local engine at {} (state in {}; stop it with `kfn local stop`)",
            info.url(),
            state.root.display()
        ));
    }
    Ok(state)
}

/// Connects to the API server chosen by `target`, starting the local engine when it is the
/// one chosen and it does not run.
pub async fn connect(target: &Target) -> Result<Connection> {
    connect_with(target, true).await
}

/// The same, but fails instead of starting the local engine (for shell completion, which must
/// not start anything).
pub async fn connect_if_running(target: &Target) -> Result<Connection> {
    connect_with(target, false).await
}

async fn connect_with(target: &Target, start_local: bool) -> Result<Connection> {
    let source = choose(target)?;
    if source == Source::InCluster {
        let mut config = kube::Config::incluster().context("cannot use the pod's service account")?;
        if let Some(ns) = &target.namespace {
            config.default_namespace = ns.clone();
        }
        let (server, namespace) = (config.cluster_url.to_string(), config.default_namespace.clone());
        config.default_retry = false;
        let client = kube::Client::try_from(config).context("cannot build a client for the API server")?;
        return Ok(Connection {
            client,
            namespace,
            server,
            source,
        });
    }
    let kubeconfig = match &source {
        Source::Flag(path) => Kubeconfig::read_from(path).with_context(|| {
            format!(
                "cannot read the kubeconfig {} (given with --kubeconfig)",
                path.display()
            )
        })?,
        Source::Env(value) => {
            Kubeconfig::read().with_context(|| format!("cannot read the kubeconfig KUBECONFIG={value}"))?
        }
        Source::Home(path) => {
            Kubeconfig::read_from(path).with_context(|| format!("cannot read the kubeconfig {}", path.display()))?
        }
        Source::InCluster => unreachable!("handled above"),
        Source::Local(_) => {
            let state = if start_local {
                ensure_local_engine()?
            } else {
                let state = StateDir::resolve()?;
                if let daemon::Status::Stopped { .. } = daemon::status(&state) {
                    return Err(Error::failed("the local engine is not running"));
                }
                state
            };
            Kubeconfig::read_from(state.kubeconfig()).context("cannot read the local engine's kubeconfig")?
        }
    };
    if let Some(context) = &target.context {
        check_context(&kubeconfig, context, &source)?;
    }
    let options = KubeConfigOptions {
        context: target.context.clone(),
        ..Default::default()
    };
    let mut config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .with_context(|| match &target.context {
            Some(c) => format!("cannot use the context {c:?} (given with --context) of {source}"),
            None => format!("cannot use the kubeconfig {source}"),
        })?;
    if let Some(ns) = &target.namespace {
        config.default_namespace = ns.clone();
    }
    let server = config.cluster_url.to_string();
    let namespace = config.default_namespace.clone();
    // kube retries 429/503/504 by default, for minutes and with the body again: a function's
    // 503 (or "no endpoints") seen through the service proxy must reach the user at once, and
    // a POST to a function must not be repeated. Controller loops requeue on their own.
    config.default_retry = false;
    let client = kube::Client::try_from(config).context("cannot build a client for the API server")?;
    Ok(Connection {
        client,
        namespace,
        server,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_not_served_is_told_from_an_object_not_found() {
        assert!(not_served("404 page not found\n"));
        assert!(not_served("the server could not find the requested resource"));
        assert!(!not_served("functions.kubeless.io \"x\" not found"));
    }

    #[test]
    fn an_unknown_context_is_named_with_those_there_are() {
        let kubeconfig: Kubeconfig = serde_json::from_value(serde_json::json!({
            "contexts": [{"name": "team", "context": {"cluster": "c"}}, {"name": "admin", "context": {"cluster": "c"}}],
        }))
        .unwrap();
        let source = Source::Env("/tmp/k".into());
        assert!(check_context(&kubeconfig, "team", &source).is_ok());
        let err = check_context(&kubeconfig, "nope", &source).unwrap_err().to_string();
        assert_eq!(
            err,
            "the kubeconfig (KUBECONFIG=/tmp/k) has no context \"nope\" (given with --context); its contexts are: admin, team"
        );
        let empty = Kubeconfig::default();
        assert!(
            check_context(&empty, "x", &source)
                .unwrap_err()
                .to_string()
                .ends_with("it has no contexts")
        );
    }
}
