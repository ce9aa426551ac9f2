//! The local engine's reconciler: for every Function it keeps a Service, a Deployment and Pods
//! in the store, and the replica processes those objects describe.

mod artifacts;
mod limits;
mod pod;
mod podlog;
mod replica;
mod sandbox;
mod secrets;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::api::kinds::{self, Function, ObjectError};
use crate::engine::objects::{self, Objects};
use crate::engine::replicas::Replicas;
use crate::engine::store::{Key, Object};
use artifacts::{Locks, Prepared, Problem};
use replica::Handle;

const FUNCTIONS: &str = "kubeless.io/functions";
const DEPLOYMENTS: &str = "apps/deployments";

pub struct Reconciler {
    objects: Arc<Objects>,
    /// Where the replicas' call keys are admitted while they run.
    replicas: Arc<Replicas>,
    root: PathBuf,
    /// Where pod logs are kept (see [`crate::engine::names::pod_log`]).
    logs: PathBuf,
    locks: Locks,
    tasks: parking_lot::Mutex<HashMap<(String, String), Arc<Notify>>>,
}

/// Starts the reconciler; it runs until the process ends.
pub fn start(objects: Arc<Objects>, replicas: Arc<Replicas>, root: PathBuf, logs: PathBuf) -> Arc<Reconciler> {
    let reconciler = Arc::new(Reconciler {
        objects,
        replicas,
        root,
        logs,
        locks: Locks::default(),
        tasks: Default::default(),
    });
    tokio::spawn(reconciler.clone().run());
    reconciler
}

impl Reconciler {
    async fn run(self: Arc<Self>) {
        // Pods of an earlier run have no process behind them any more, nor use their directories.
        let _ = std::fs::remove_dir_all(self.root.join("replicas"));
        let (pods, _) = self.objects.store.list("/pods", None);
        for pod in pods.iter().filter(|p| {
            p.value
                .pointer(&format!(
                    "/metadata/annotations/{}",
                    crate::engine::names::PORT_ANNOTATION.replace('/', "~1")
                ))
                .is_some()
        }) {
            pod::delete(
                &self.objects,
                &self.logs,
                meta(&pod.value, "namespace"),
                meta(&pod.value, "name"),
            );
        }
        let Ok((backlog, mut events)) = self.objects.store.watch(FUNCTIONS, None, None) else {
            return;
        };
        for event in backlog {
            self.poke(&event.key.namespace, &event.key.name);
        }
        loop {
            match events.recv().await {
                Ok(event) if event.key.resource == FUNCTIONS => self.poke(&event.key.namespace, &event.key.name),
                Ok(event) if event.key.resource == DEPLOYMENTS => {
                    // A Deployment's replicas changed (kubectl scale, the autoscaler): its function follows.
                    let owned = event
                        .object
                        .value
                        .pointer("/metadata/ownerReferences/0/kind")
                        .and_then(Value::as_str)
                        == Some("Function");
                    if owned {
                        self.poke_existing(&event.key.namespace, &event.key.name);
                    }
                }
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    let (all, _) = self.objects.store.list(FUNCTIONS, None);
                    for f in all {
                        self.poke(meta(&f.value, "namespace"), meta(&f.value, "name"));
                    }
                }
                Err(_) => return,
            }
        }
    }

    fn poke_existing(self: &Arc<Self>, namespace: &str, name: &str) {
        if let Some(n) = self.tasks.lock().get(&(namespace.to_string(), name.to_string())) {
            n.notify_one();
        }
    }

    /// Wakes the controller of one function, starting it when there is none.
    fn poke(self: &Arc<Self>, namespace: &str, name: &str) {
        let key = (namespace.to_string(), name.to_string());
        let mut tasks = self.tasks.lock();
        if let Some(n) = tasks.get(&key) {
            n.notify_one();
            return;
        }
        let notify = Arc::new(Notify::new());
        tasks.insert(key.clone(), notify.clone());
        let this = self.clone();
        tokio::spawn(async move {
            FunctionController {
                r: this.clone(),
                namespace: key.0.clone(),
                name: key.1.clone(),
                notify,
                replicas: Vec::new(),
                prepared: None,
                unreadable: None,
                read: None,
            }
            .run()
            .await;
            this.tasks.lock().remove(&key);
            // A Function created again while this controller was stopping the old one's replicas
            // poked this controller, which no longer looks: the new one gets a controller of its own.
            let again = this.objects.store.get(&Key::new(FUNCTIONS, &key.0, &key.1));
            if again.is_some_and(|f| f.value.pointer("/metadata/deletionTimestamp").is_none()) {
                this.poke(&key.0, &key.1);
            }
        });
    }
}

fn meta<'a>(v: &'a Value, field: &str) -> &'a str {
    v["metadata"][field].as_str().unwrap_or_default()
}

struct FunctionController {
    r: Arc<Reconciler>,
    namespace: String,
    name: String,
    notify: Arc<Notify>,
    replicas: Vec<Handle>,
    /// The revision last prepared, and the outcome.
    prepared: Option<(String, Result<Prepared, Problem>)>,
    /// Why the stored Function cannot be read, once said (so it is said once).
    unreadable: Option<ObjectError>,
    /// The Function as last read, and the stored version it was read from.
    read: Option<(u64, Option<Arc<Function>>)>,
}

impl FunctionController {
    async fn run(mut self) {
        loop {
            if !self.reconcile().await {
                for h in self.replicas.drain(..) {
                    h.stop().await;
                }
                self.delete_triggers();
                return;
            }
            tokio::select! {
                _ = self.notify.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            }
        }
    }

    /// A deleted function's HTTP and cron triggers go with it, as Kubeless's controllers did.
    fn delete_triggers(&self) {
        let objects = &self.r.objects;
        if self.get(FUNCTIONS).is_some() {
            return;
        }
        for plural in ["httptriggers", "cronjobtriggers"] {
            let Some(def) = objects.registry().find(crate::api::GROUP, crate::api::VERSION, plural) else {
                continue;
            };
            let (triggers, _) = objects.store.list(&def.store_key(), Some(&self.namespace));
            for t in triggers {
                match kinds::function_name(&t.value) {
                    Some(function) if function == self.name => {
                        let key = Key::new(&def.store_key(), &self.namespace, meta(&t.value, "name"));
                        let _ = objects::delete_object(objects, &def, &key, &Value::Null, false);
                    }
                    _ => {}
                }
            }
        }
    }

    fn get(&self, resource: &str) -> Option<Arc<Object>> {
        self.r
            .objects
            .store
            .get(&Key::new(resource, &self.namespace, &self.name))
    }

    /// One pass; false when the function is gone.
    async fn reconcile(&mut self) -> bool {
        let objects = self.r.objects.clone();
        let Some(stored) = self.get(FUNCTIONS) else {
            return false;
        };
        // Each stored version is read once. A field of the wrong type is left out (and said
        // once, in an Event naming it); a Function that cannot be read at all changes nothing:
        // what runs keeps running.
        if self.read.as_ref().is_none_or(|(rv, _)| *rv != stored.rv) {
            let read = kinds::lenient::<Function>(&stored.value);
            let problem = read.left_out.last().cloned();
            if problem != self.unreadable {
                if let Some(e) = &problem {
                    tracing::warn!("{e}");
                    objects::record_event(&objects, &stored.value, "Warning", "InvalidFunction", &e.to_string());
                }
                self.unreadable = problem;
            }
            self.read = Some((stored.rv, read.object.map(Arc::new)));
        }
        let Some(function) = self.read.as_ref().and_then(|(_, f)| f.clone()) else {
            return true;
        };
        if function.metadata.deletion_timestamp.is_some() {
            return false;
        }
        let registry = objects.registry();
        let (svc_def, dep_def) = (
            registry.find("", "v1", "services").expect("built in"),
            registry.find("apps", "v1", "deployments").expect("built in"),
        );
        if let Err(e) = objects::upsert(
            &objects,
            &svc_def,
            Some(&self.namespace),
            crate::render::service(&function),
        ) {
            tracing::warn!(
                "function {}/{}: cannot write its Service: {}",
                self.namespace,
                self.name,
                e.message
            );
        }
        let existing = self.get(DEPLOYMENTS);
        let hpa_min = function.spec.horizontal_pod_autoscaler.spec.min_replicas.map(i64::from);
        let replicas = existing
            .as_ref()
            .and_then(|d| d.value.pointer("/spec/replicas").and_then(Value::as_i64))
            .or(hpa_min)
            .unwrap_or(1)
            .max(0);
        let mut desired = crate::render::deployment(&function, replicas);
        if let Some(d) = &existing {
            desired["status"] = d.value.get("status").cloned().unwrap_or(json!({}));
        }
        let deployment = match objects::upsert(&objects, &dep_def, Some(&self.namespace), desired) {
            Ok(d) => d.value.clone(),
            Err(e) => {
                tracing::warn!(
                    "function {}/{}: cannot write its Deployment: {}",
                    self.namespace,
                    self.name,
                    e.message
                );
                return true;
            }
        };

        self.observe(&function);

        let revision = crate::render::revision(&function);
        if self.prepared.as_ref().is_none_or(|(r, _)| *r != revision) {
            let outcome = artifacts::prepare(&self.r.root, &function, &self.r.locks).await;
            self.prepared = Some((revision.clone(), outcome));
        }
        let prepared = self.prepared.as_ref().map(|(_, p)| p.clone()).expect("set above");
        let want = replicas as usize;
        let current: Vec<usize> = (0..self.replicas.len())
            .filter(|i| self.replicas[*i].revision == revision)
            .collect();
        if current.len() < want {
            for _ in current.len()..want {
                let spec = replica::Spec {
                    objects: objects.clone(),
                    replicas: self.r.replicas.clone(),
                    function: function.clone(),
                    object: stored.value.clone(),
                    deployment: deployment.clone(),
                    revision: revision.clone(),
                    logs: self.r.logs.clone(),
                    root: self.r.root.clone(),
                    changed: self.notify.clone(),
                };
                let handle = match &prepared {
                    Ok(p) => replica::start(spec, p.clone()),
                    Err(problem) => replica::start_failed(spec, problem),
                };
                self.replicas.push(handle);
            }
        } else if current.len() > want {
            // Scale down: not-ready replicas first, then the newest.
            let mut extra: Vec<usize> = current.clone();
            extra.sort_by_key(|i| (self.replicas[*i].ready.load(Ordering::SeqCst), std::cmp::Reverse(*i)));
            let mut remove: Vec<usize> = extra.into_iter().take(current.len() - want).collect();
            remove.sort_unstable_by(|a, b| b.cmp(a));
            for i in remove {
                self.replicas.remove(i).stop().await;
            }
        }
        // Roll out: old replicas go once the new ones are ready (none fails while updating).
        let ready_new = self
            .replicas
            .iter()
            .filter(|h| h.revision == revision && h.ready.load(Ordering::SeqCst))
            .count();
        if ready_new >= want {
            let (keep, old): (Vec<Handle>, Vec<Handle>) = self.replicas.drain(..).partition(|h| h.revision == revision);
            self.replicas = keep;
            for h in old {
                h.stop().await;
            }
        }
        self.write_status(&deployment, &revision);
        true
    }

    /// Marks the Function's generation as acted on (its Deployment now follows it), as
    /// `kfn controller` does: `function update --wait` waits for this before it trusts the
    /// Deployment's readiness.
    fn observe(&self, function: &Function) {
        let Some(generation) = function.metadata.generation else {
            return;
        };
        if function.status.as_ref().and_then(|s| s.observed_generation) == Some(generation) {
            return;
        }
        let Some(def) = self
            .r
            .objects
            .registry()
            .find(crate::api::GROUP, crate::api::VERSION, "functions")
        else {
            return;
        };
        let _ = objects::modify(&self.r.objects, &def, Some(&self.namespace), &self.name, |f| {
            if !f["status"].is_object() {
                f["status"] = json!({});
            }
            f["status"]["observedGeneration"] = json!(generation);
        });
    }

    fn write_status(&self, deployment: &Value, revision: &str) {
        let objects = &self.r.objects;
        let Some(dep_def) = objects.registry().find("apps", "v1", "deployments") else {
            return;
        };
        let ready = self.replicas.iter().filter(|h| h.ready.load(Ordering::SeqCst)).count();
        let updated = self.replicas.iter().filter(|h| h.revision == revision).count();
        let status = json!({
            "observedGeneration": deployment["metadata"]["generation"],
            "replicas": self.replicas.len(),
            "updatedReplicas": updated,
            "readyReplicas": ready,
            "availableReplicas": ready,
            "unavailableReplicas": self.replicas.len().saturating_sub(ready),
        });
        let name = deployment["metadata"]["name"].as_str().unwrap_or_default();
        let _ = objects::modify(objects, &dep_def, Some(&self.namespace), name, |d| d["status"] = status);
    }
}
