//! `--wait`: block until a function's Deployment is ready, and say why when it is not.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::{Api, ListParams, LogParams};

use crate::client::Connection;
use crate::output::log;

/// Ready replicas and wanted replicas, and whether the rollout is complete (as `kubectl
/// rollout status` judges it): the Deployment's generation observed, every wanted replica
/// updated, no old replica left, and the updated ones ready.
fn readiness(d: &Deployment) -> (i32, i32, bool) {
    let wanted = d.spec.replicas.unwrap_or(1);
    let status = d.status.clone().unwrap_or_default();
    let ready = status.ready_replicas.unwrap_or(0);
    let current = status.observed_generation.unwrap_or(0) >= d.metadata.generation.unwrap_or(0);
    let updated = status.updated_replicas.unwrap_or(0);
    let no_old = status.replicas.unwrap_or(0) <= updated;
    let done = current && updated >= wanted && no_old && ready >= wanted.max(1);
    (ready, wanted, done)
}

/// Waits for the function's Deployment to be ready. `generation`, after an update, is the
/// Function's new generation: until the controller reports it observed (when it reports at all),
/// the Deployment still describes the old code and its readiness says nothing.
pub async fn until_ready(
    conn: &Connection,
    namespace: &str,
    name: &str,
    timeout: Duration,
    generation: Option<i64>,
) -> Result<ExitCode> {
    let deployments: Api<Deployment> = Api::namespaced(conn.client.clone(), namespace);
    let functions = crate::client::kubeless::functions(conn, namespace);
    let spinner = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(Duration::from_millis(100));
        bar.set_message(format!("waiting for function {name} to be ready"));
        bar
    });
    let started = Instant::now();
    let mut last = String::from("no Deployment yet");
    loop {
        if let Some(generation) = generation {
            let function = functions.get_opt(name).await.map_err(|e| conn.explain(e))?;
            let observed = function
                .as_ref()
                .and_then(|f| f.data.pointer("/status/observedGeneration"))
                .and_then(serde_json::Value::as_i64);
            if observed.is_some_and(|o| o < generation) {
                if started.elapsed() >= timeout {
                    if let Some(bar) = &spinner {
                        bar.finish_and_clear();
                    }
                    bail!(
                        "Function {name} is not updated after {}s: no controller has acted on the update yet (is one running for this API server?)",
                        timeout.as_secs()
                    );
                }
                if let Some(bar) = &spinner {
                    bar.set_message(format!("waiting for function {name}: the update is not acted on yet"));
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        }
        match deployments.get_opt(name).await {
            Ok(Some(d)) => {
                let (ready, wanted, done) = readiness(&d);
                if done {
                    if let Some(bar) = &spinner {
                        bar.finish_and_clear();
                    }
                    log::info(&format!(
                        "Function {name} is ready ({ready}/{wanted}) after {:.1}s",
                        started.elapsed().as_secs_f64()
                    ));
                    return Ok(ExitCode::SUCCESS);
                }
                last = format!("{ready}/{wanted} replicas ready");
            }
            Ok(None) => {}
            Err(e) => return Err(conn.explain(e)),
        }
        if let Some(bar) = &spinner {
            bar.set_message(format!("waiting for function {name}: {last}"));
        }
        if started.elapsed() >= timeout {
            if let Some(bar) = &spinner {
                bar.finish_and_clear();
            }
            let why = diagnose(conn, namespace, name).await;
            bail!(
                "Function {name} is not ready after {}s ({last}){why}",
                timeout.as_secs()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What the pods, their events and their logs say about a function that is not ready.
async fn diagnose(conn: &Connection, namespace: &str, name: &str) -> String {
    let pods: Api<Pod> = Api::namespaced(conn.client.clone(), namespace);
    let events: Api<Event> = Api::namespaced(conn.client.clone(), namespace);
    let mut out = String::new();
    let list = pods
        .list(&ListParams::default().labels(&format!("function={name}")))
        .await;
    let pods_found = list.map(|l| l.items).unwrap_or_default();
    if pods_found.is_empty() {
        out.push_str(
            "\n  no pods: is a controller running for this API server (the local engine, or `kfn controller`)?",
        );
    }
    for pod in &pods_found {
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        let status = pod.status.clone().unwrap_or_default();
        out.push_str(&format!(
            "\n  pod {pod_name}: phase {}",
            status.phase.unwrap_or_else(|| "Unknown".into())
        ));
        for cs in status.container_statuses.unwrap_or_default() {
            let state = cs.state.unwrap_or_default();
            if let Some(w) = state.waiting {
                out.push_str(&format!(
                    ", {} waiting: {} {}",
                    cs.name,
                    w.reason.unwrap_or_default(),
                    w.message.unwrap_or_default()
                ));
            }
            if let Some(t) = state.terminated {
                out.push_str(&format!(
                    ", {} terminated: {} (exit {}) {}",
                    cs.name,
                    t.reason.unwrap_or_default(),
                    t.exit_code,
                    t.message.unwrap_or_default()
                ));
            }
        }
        let log = pods
            .logs(
                &pod_name,
                &LogParams {
                    tail_lines: Some(10),
                    ..Default::default()
                },
            )
            .await
            .unwrap_or_default();
        if !log.trim().is_empty() {
            out.push_str(&format!("\n  last log lines of {pod_name}:"));
            for line in log.lines() {
                out.push_str(&format!("\n    {line}"));
            }
        }
    }
    let mut related: Vec<Event> = events
        .list(&ListParams::default())
        .await
        .map(|l| l.items)
        .unwrap_or_default();
    related.retain(|e| {
        let obj = e.involved_object.name.clone().unwrap_or_default();
        obj == name
            || pods_found
                .iter()
                .any(|p| p.metadata.name.as_deref() == Some(obj.as_str()))
    });
    let start = related.len().saturating_sub(5);
    if !related[start..].is_empty() {
        out.push_str("\n  last events:");
        for e in &related[start..] {
            out.push_str(&format!(
                "\n    {} {} {}: {}",
                e.type_.clone().unwrap_or_default(),
                e.reason.clone().unwrap_or_default(),
                e.involved_object.name.clone().unwrap_or_default(),
                e.message.clone().unwrap_or_default()
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(generation: i64, spec: i32, status: serde_json::Value) -> Deployment {
        serde_json::from_value(serde_json::json!({"metadata": {"name": "f", "generation": generation},
            "spec": {"replicas": spec, "selector": {}, "template": {}}, "status": status}))
        .unwrap()
    }

    #[test]
    fn a_rollout_is_done_when_no_old_replica_is_left() {
        let done = |d: &Deployment| readiness(d).2;
        let status = |observed, replicas, updated, ready| serde_json::json!({"observedGeneration": observed, "replicas": replicas, "updatedReplicas": updated, "readyReplicas": ready});
        assert!(
            !done(&deployment(2, 1, status(1, 1, 1, 1))),
            "generation not observed yet"
        );
        assert!(
            !done(&deployment(2, 1, status(2, 2, 1, 1))),
            "the old replica still serves"
        );
        assert!(!done(&deployment(2, 2, status(2, 2, 1, 2))), "one replica not updated");
        assert!(
            !done(&deployment(2, 1, status(2, 1, 1, 0))),
            "the new replica not ready"
        );
        assert!(done(&deployment(2, 1, status(2, 1, 1, 1))));
        assert!(done(&deployment(3, 2, status(3, 2, 2, 2))));
    }
}
