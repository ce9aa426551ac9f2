//! The local engine's reconciler: for every Function it keeps a Service and a Deployment in the
//! store (the engine's controllers make the ReplicaSets and Pods, see
//! [`crate::engine::controllers`]), prepares the function's code, and is the "kubelet" of the
//! function's Pods: each Pod gets a replica process, and a Pod deleted has its process stopped.

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
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::api::kinds::{self, Function, ObjectError};
use crate::engine::objects::{self, Objects};
use crate::engine::replicas::Replicas;
use crate::engine::store::{Key, Object};

/// The annotation of a function's pod template that names its revision.
const REVISION_ANNOTATION: &str = "kfn.io/revision";
use artifacts::{Locks, Prepared, Problem};
use replica::Handle;

const FUNCTIONS: &str = "kubeless.io/functions";
const DEPLOYMENTS: &str = "apps/deployments";
const PODS: &str = "/pods";
const SERVICES: &str = "/services";
/// A function's kubelet looks at its Pods on every change it is told of, and on every this
/// many of its quiet 2 s passes (a safety net: each change already tells it).
const KUBELET_EVERY: u32 = 15;
/// The `Ready` condition's message of a function at zero replicas.
const IDLE_MESSAGE: &str = "scaled to zero; the next call starts a replica";

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
    reconciler.forget_earlier_run();
    tokio::spawn(reconciler.clone().run());
    reconciler
}

impl Reconciler {
    /// Pods of an earlier run have no process behind them any more, nor use their directories:
    /// they go before the API server takes a call, so none is sent to a port nothing answers.
    fn forget_earlier_run(&self) {
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
                None,
            );
        }
    }

    async fn run(self: Arc<Self>) {
        let Ok((backlog, mut events)) = self.objects.store.watch(FUNCTIONS, None, None) else {
            return;
        };
        for event in backlog {
            self.poke(&event.key.namespace, &event.key.name);
        }
        loop {
            match events.recv().await {
                Ok(event) if event.key.resource == FUNCTIONS => self.poke(&event.key.namespace, &event.key.name),
                Ok(event) if event.key.resource == PODS => {
                    // A Pod of a function's ReplicaSet made or deleted: its kubelet acts.
                    if let Some(function) = event
                        .object
                        .value
                        .pointer("/metadata/labels/function")
                        .and_then(Value::as_str)
                    {
                        self.poke_existing(&event.key.namespace, function);
                    }
                }
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
                replicas: HashMap::new(),
                revisions: HashMap::new(),
                written: None,
                unreadable: None,
                read: None,
                applied: None,
                ready_checked: None,
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
    /// The replica of each Pod the engine runs for the function, by the Pod's uid.
    replicas: HashMap<String, Handle>,
    /// The revisions of the function seen in this run, with their code prepared: a Pod of an
    /// older template (a rollback) runs the code of its revision.
    revisions: HashMap<String, Revision>,
    /// The pod template last written from the Function: while the Function renders the same
    /// one, the Deployment's own (`kubectl rollout undo`) is left alone.
    written: Option<Value>,
    /// Why the stored Function cannot be read, once said (so it is said once).
    unreadable: Option<ObjectError>,
    /// The Function as last read, and the stored version it was read from.
    read: Option<(u64, Option<Arc<Function>>)>,
    /// The stored versions of the Function, its Service and its Deployment right after this
    /// controller last wrote the two: while none has changed, writing them again changes
    /// nothing, and is skipped (with a thousand functions, those writes were most of the
    /// engine's work).
    applied: Option<[Option<u64>; 3]>,
    /// The stored versions of the Function and its Deployment when the `Ready` condition was
    /// last found up to date.
    ready_checked: Option<[Option<u64>; 2]>,
}

/// What [`FunctionController::apply`] could write.
enum Applied {
    Both,
    DeploymentOnly,
    /// The Deployment could not be written (the Service may have been).
    Neither,
}

/// One revision of a function: the Function as it was, and its code on disk.
struct Revision {
    function: Arc<Function>,
    object: Value,
    prepared: Result<Prepared, Problem>,
}
impl FunctionController {
    async fn run(mut self) {
        // Told of a change (its Function, Deployment or one of its Pods): the kubelet looks at
        // the Pods. On the timer alone it looks only every `KUBELET_EVERY` passes, since that
        // scans the namespace's Pods (a thousand functions' timers made it the engine's main
        // work: functions × Pods every 2 s).
        let mut told = true;
        let mut quiet_passes = 0u32;
        loop {
            quiet_passes = if told { 0 } else { quiet_passes + 1 };
            let look = told || quiet_passes.is_multiple_of(KUBELET_EVERY);
            if !self.reconcile(look).await {
                for (_, h) in self.replicas.drain() {
                    h.stop().await;
                }
                self.delete_triggers();
                return;
            }
            told = tokio::select! {
                _ = self.notify.notified() => true,
                _ = tokio::time::sleep(Duration::from_secs(2)) => false,
            };
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
    async fn reconcile(&mut self, look_at_pods: bool) -> bool {
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
        if self.applied != Some(self.versions(stored.rv)) {
            match self.apply(&function) {
                Applied::Both => self.applied = Some(self.versions(stored.rv)),
                // Tried again on the next pass.
                Applied::DeploymentOnly => self.applied = None,
                Applied::Neither => return true,
            }
        }

        self.observe(&function);

        let revision = crate::render::revision(&function);
        let new_revision = !self.revisions.contains_key(&revision);
        if new_revision {
            let prepared = artifacts::prepare(&self.r.root, &function, &self.r.locks).await;
            self.revisions.insert(
                revision.clone(),
                Revision {
                    function: function.clone(),
                    object: stored.value.clone(),
                    prepared,
                },
            );
        }
        if look_at_pods || new_revision {
            self.kubelet(&revision).await;
        }
        self.forget_revisions(&revision);
        self.write_ready(&function);
        true
    }

    /// The versions `applied` compares: the Function's (as read) and its Service's and
    /// Deployment's as stored now.
    fn versions(&self, function: u64) -> [Option<u64>; 3] {
        [
            Some(function),
            self.get(SERVICES).map(|o| o.rv),
            self.get(DEPLOYMENTS).map(|o| o.rv),
        ]
    }

    /// Writes the Function's Service and Deployment as it renders them.
    fn apply(&mut self, function: &Function) -> Applied {
        let objects = self.r.objects.clone();
        let registry = objects.registry();
        let (svc_def, dep_def) = (
            registry.find("", "v1", "services").expect("built in"),
            registry.find("apps", "v1", "deployments").expect("built in"),
        );
        let service = objects::upsert(
            &objects,
            &svc_def,
            Some(&self.namespace),
            crate::render::service(function),
        );
        if let Err(e) = &service {
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
        let mut desired = crate::render::deployment(function, replicas);
        let rendered = desired["spec"]["template"].clone();
        if let Some(d) = &existing {
            keep_controller_fields(&mut desired, &d.value, self.written.as_ref() == Some(&rendered));
        }
        if let Err(e) = objects::upsert(&objects, &dep_def, Some(&self.namespace), desired) {
            tracing::warn!(
                "function {}/{}: cannot write its Deployment: {}",
                self.namespace,
                self.name,
                e.message
            );
            return Applied::Neither;
        }
        self.written = Some(rendered);
        if service.is_ok() {
            Applied::Both
        } else {
            Applied::DeploymentOnly
        }
    }

    /// The function's kubelet: a replica for each of its Pods, and the replica of a Pod that is
    /// gone (or going) stopped.
    async fn kubelet(&mut self, current: &str) {
        let objects = self.r.objects.clone();
        let (pods, _) = objects.store.list(PODS, Some(&self.namespace));
        let mine: Vec<&Arc<Object>> = pods
            .iter()
            .filter(|p| p.value.pointer("/metadata/deletionTimestamp").is_none())
            // A function's Pods carry its name as their `function` label (the Deployment's
            // selector requires it), so only those are traced to their owner.
            .filter(|p| {
                p.value.pointer("/metadata/labels/function").and_then(Value::as_str) == Some(self.name.as_str())
            })
            .filter(|p| {
                crate::engine::controllers::function_of(&objects, &p.value).as_deref() == Some(self.name.as_str())
            })
            .collect();
        let live: std::collections::HashSet<&str> = mine.iter().map(|p| meta(&p.value, "uid")).collect();
        let gone: Vec<String> = self
            .replicas
            .keys()
            .filter(|uid| !live.contains(uid.as_str()))
            .cloned()
            .collect();
        for uid in gone {
            if let Some(h) = self.replicas.remove(&uid) {
                // Stopped in the background: a replica finishes its calls first.
                tokio::spawn(h.stop());
            }
        }
        for pod in mine {
            let uid = meta(&pod.value, "uid").to_string();
            if self.replicas.contains_key(&uid) {
                continue;
            }
            let revision = pod
                .value
                .pointer("/metadata/annotations")
                .and_then(|a| a.get(REVISION_ANNOTATION))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let handle = match self.revisions.get(&revision) {
                Some(known) => {
                    let spec = replica::Spec {
                        objects: objects.clone(),
                        replicas: self.r.replicas.clone(),
                        function: known.function.clone(),
                        object: known.object.clone(),
                        pod: pod.value.clone(),
                        logs: self.r.logs.clone(),
                        root: self.r.root.clone(),
                        changed: self.notify.clone(),
                    };
                    match &known.prepared {
                        Ok(p) => replica::start(spec, p.clone()),
                        Err(problem) => replica::start_failed(spec, problem),
                    }
                }
                None => {
                    let Some(current) = self.revisions.get(current) else {
                        continue;
                    };
                    let spec = replica::Spec {
                        objects: objects.clone(),
                        replicas: self.r.replicas.clone(),
                        function: current.function.clone(),
                        object: current.object.clone(),
                        pod: pod.value.clone(),
                        logs: self.r.logs.clone(),
                        root: self.r.root.clone(),
                        changed: self.notify.clone(),
                    };
                    let problem = Problem {
                        reason: "RevisionUnavailable",
                        message: format!(
                            "the code of revision {revision:?} of function {} is not known to the engine (it was deployed before the engine started again); deploy it again with `kfn function update`",
                            self.name
                        ),
                    };
                    replica::start_failed(spec, &problem)
                }
            };
            self.replicas.insert(uid, handle);
        }
    }

    /// Keeps the revisions a ReplicaSet of the function still has (what a rollback can go
    /// back to) and the current one.
    fn forget_revisions(&mut self, current: &str) {
        if self.revisions.len() == 1 {
            // Only the current one, which stays.
            return;
        }
        let (sets, _) = self.r.objects.store.list("apps/replicasets", Some(&self.namespace));
        let kept: std::collections::HashSet<&str> = sets
            .iter()
            .filter(|rs| {
                rs.value.pointer("/metadata/labels/function").and_then(Value::as_str) == Some(self.name.as_str())
            })
            .filter_map(|rs| {
                rs.value
                    .pointer("/spec/template/metadata/annotations")
                    .and_then(|a| a.get(REVISION_ANNOTATION))
                    .and_then(Value::as_str)
            })
            .collect();
        self.revisions.retain(|r, _| r == current || kept.contains(r.as_str()));
    }

    /// The Function's `Ready` condition, from its Deployment as `kfn controller` writes it on
    /// a cluster ([`kinds::Condition::of_deployment`]); a function scaled to zero is ready with
    /// reason `Idle`.
    fn write_ready(&mut self, function: &Function) {
        let Some(stored) = self.get(DEPLOYMENTS) else {
            return;
        };
        let versions = [self.read.as_ref().map(|(rv, _)| *rv), Some(stored.rv)];
        if self.ready_checked == Some(versions) {
            return;
        }
        let Ok(d) = serde_json::from_value::<k8s_openapi::api::apps::v1::Deployment>(stored.value.clone()) else {
            return;
        };
        let previous = function
            .status
            .as_ref()
            .map(|s| s.conditions.clone())
            .unwrap_or_default();
        let scales_to_zero = function
            .spec
            .scaling
            .as_ref()
            .is_some_and(|s| s.idle_window().is_some());
        let (condition, ready) = match d.spec.replicas {
            // Scaled to zero on purpose: ready, the next call starts a replica.
            Some(0) if scales_to_zero => (kinds::Condition::ready(&previous, true, "Idle", IDLE_MESSAGE), 0),
            _ => kinds::Condition::of_deployment(&previous, &d),
        };
        if previous.len() == 1
            && previous[0] == condition
            && function.status.as_ref().and_then(|s| s.ready_replicas) == Some(ready)
        {
            self.ready_checked = Some(versions);
            return;
        }
        self.write_status(|f| {
            if f.pointer("/metadata/deletionTimestamp").is_some() {
                return;
            }
            f["status"]["readyReplicas"] = json!(ready);
            f["status"]["conditions"] = json!([condition]);
        });
    }

    /// Changes the stored Function's `status` (made an object first) with `change`.
    fn write_status(&self, change: impl FnOnce(&mut Value)) {
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
            change(f);
        });
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
        self.write_status(|f| f["status"]["observedGeneration"] = json!(generation));
    }
}

/// What the Function's Deployment keeps of the stored one when the engine writes it again:
/// what the Deployment controller and the API server set (annotations such as the revision,
/// defaults), and the pod template while the Function renders the one written last
/// (so a `kubectl rollout undo` stays until the Function changes).
fn keep_controller_fields(desired: &mut Value, stored: &Value, template_unchanged: bool) {
    if let Some(annotations) = stored.pointer("/metadata/annotations").and_then(Value::as_object) {
        let mut merged = annotations.clone();
        if let Some(own) = desired.pointer("/metadata/annotations").and_then(Value::as_object) {
            merged.extend(own.clone());
        }
        desired["metadata"]["annotations"] = Value::Object(merged);
    }
    if let Some(spec) = stored.get("spec").and_then(Value::as_object) {
        for (k, v) in spec {
            if desired["spec"].get(k).is_none() {
                desired["spec"][k] = v.clone();
            }
        }
    }
    if template_unchanged && let Some(t) = stored.pointer("/spec/template") {
        desired["spec"]["template"] = t.clone();
    }
    // No status: the stored one is kept as it is when the write happens (the Deployment
    // controller's, which may be newer than `stored`).
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rewritten_deployment_keeps_the_controllers_annotations_and_a_rolled_back_template() {
        let stored = json!({"metadata": {"annotations": {"deployment.kubernetes.io/revision": "3", "mine": "old"}},
            "spec": {"revisionHistoryLimit": 5, "template": {"metadata": {"annotations": {"kfn.io/revision": "a"}}}},
            "status": {"replicas": 1}});
        let rendered = || {
            json!({"metadata": {"annotations": {"mine": "new"}},
                "spec": {"replicas": 1, "template": {"metadata": {"annotations": {"kfn.io/revision": "b"}}}}})
        };
        let mut desired = rendered();
        keep_controller_fields(&mut desired, &stored, true);
        assert_eq!(
            desired["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
            "3"
        );
        assert_eq!(desired["metadata"]["annotations"]["mine"], "new");
        assert_eq!(desired["spec"]["revisionHistoryLimit"], 5);
        assert_eq!(desired["spec"]["template"], stored["spec"]["template"]);
        assert!(desired.get("status").is_none());
        // A Function that changed rolls its own template out.
        let mut desired = rendered();
        keep_controller_fields(&mut desired, &stored, false);
        assert_eq!(
            desired["spec"]["template"]["metadata"]["annotations"]["kfn.io/revision"],
            "b"
        );
    }
}
