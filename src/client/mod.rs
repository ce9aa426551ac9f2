//! Which API server a command talks to, and the kube client for it.
//!
//! Order: `--local`; else `--kubeconfig`; else `$KUBECONFIG`; else `~/.kube/config` when it
//! exists; else the local engine, started on demand.

use std::path::PathBuf;

use anyhow::{Context, Result};
use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::engine::daemon;
use crate::engine::state::StateDir;

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
    Local(PathBuf),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag(p) => write!(f, "--kubeconfig {}", p.display()),
            Source::Env(v) => write!(f, "KUBECONFIG={v}"),
            Source::Home(p) => write!(f, "{}", p.display()),
            Source::Local(p) => write!(f, "the local engine ({})", p.display()),
        }
    }
}

/// A client and what it is connected to.
pub struct Connection {
    pub client: kube::Client,
    pub namespace: String,
    pub server: String,
    pub source: Source,
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
    Ok(Source::Local(StateDir::resolve()?.kubeconfig()))
}

/// Makes sure the local engine runs, starting it (with one line on stderr) when it does not.
pub fn ensure_local_engine() -> Result<StateDir> {
    let state = StateDir::resolve()?;
    if let daemon::Status::Stopped { .. } = daemon::status(&state) {
        let (info, _) = daemon::start(&state, None)?;
        eprintln!(
            "Started the local engine at {} (state in {}; stop it with `kfn local stop`)",
            info.url(),
            state.root.display()
        );
    }
    Ok(state)
}

/// Connects to the API server chosen by `target`.
pub async fn connect(target: &Target) -> Result<Connection> {
    let source = choose(target)?;
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
        Source::Local(_) => {
            let state = ensure_local_engine()?;
            Kubeconfig::read_from(state.kubeconfig()).context("cannot read the local engine's kubeconfig")?
        }
    };
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
    let client = kube::Client::try_from(config).context("cannot build a client for the API server")?;
    Ok(Connection {
        client,
        namespace,
        server,
        source,
    })
}
