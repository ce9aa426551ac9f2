//! `kfn controller`: reconciles Functions and triggers on a real cluster with server-side apply
//! and owner references — Function → ConfigMap, Service, Deployment, HPA (autoscaling/v2);
//! HTTPTrigger → Ingress (networking.k8s.io/v1); CronJobTrigger → CronJob (batch/v1) — and
//! writes their status. One replica leads at a time, through a Lease.

pub mod activator;
mod cron;
mod events;
mod flows;
pub mod install;
mod leader;
mod messaging;
mod triggers;
pub mod zero;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::CronJob;
use k8s_openapi::api::core::v1::{ConfigMap, ObjectReference, Service};
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::watcher;
use serde_json::{Value, json};

use crate::api::kinds::{
    self, Condition, CronJobTrigger, Function, FunctionStatus, Gateway, HTTPTrigger, ObjectError, StatusView,
    TriggerStatus,
};
use crate::client::kubeless;
use crate::render::cluster;

/// The error a controller stream yields besides reconcile errors.
type ControllerError = kube::runtime::controller::Error<Error, kube::runtime::watcher::Error>;

/// The field manager of everything the controller applies.
pub const MANAGER: &str = "kfn-controller";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another call to the API server (a list, a get, a delete), which object it was about,
    /// and why it failed.
    #[error("cannot {what}: {}", api_message(.source))]
    Call {
        what: String,
        #[source]
        source: kube::Error,
    },
    /// An object the controller applies for a Function or trigger, and why the API server
    /// refused it.
    #[error("cannot apply {what}: {}", api_message(.source))]
    Apply {
        what: String,
        #[source]
        source: kube::Error,
    },
    /// The status of an object, and why the API server refused it.
    #[error("cannot write the status of {what}: {}", api_message(.source))]
    Status {
        what: String,
        #[source]
        source: kube::Error,
    },
    /// A Function or trigger kfn cannot read (which one, and the field).
    #[error("{0}")]
    Unreadable(#[from] ObjectError),
    #[error("{0}")]
    Invalid(String),
    #[error("{}", finalizer_message(.0))]
    Finalizer(#[source] Box<kube::runtime::finalizer::Error<Error>>),
}

/// The API server's own words for a refused request (`configmaps "f" is forbidden: User …
/// cannot create resource …`), with its code; other errors as they are.
fn api_message(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) if !s.message.is_empty() => format!("{} ({} {})", s.message, s.code, s.reason),
        other => other.to_string(),
    }
}

/// A failed reconcile behind the finalizer reads as the reconcile's own error.
fn finalizer_message(e: &kube::runtime::finalizer::Error<Error>) -> String {
    use kube::runtime::finalizer::Error as F;
    match e {
        F::ApplyFailed(inner) | F::CleanupFailed(inner) => inner.to_string(),
        F::AddFinalizer(inner) => format!("cannot add the finalizer {FINALIZER}: {}", api_message(inner)),
        F::RemoveFinalizer(inner) => format!("cannot remove the finalizer {FINALIZER}: {}", api_message(inner)),
        other => other.to_string(),
    }
}

/// The finalizer on Functions (Kubeless's name): a deleted function's HTTP and cron triggers
/// are deleted before it goes, as Kubeless's trigger controllers did.
pub const FINALIZER: &str = "kubeless.io/function";

/// How the controller runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// Where `kubeless-config` and the leader Lease live.
    pub config_namespace: String,
    /// The kfn image (for the init container that copies kfn into function pods).
    pub image: String,
    pub health_port: u16,
    /// This replica's name in the Lease.
    pub identity: String,
    /// The NATS server NATS triggers consume from, if any.
    pub nats: Option<String>,
    /// The Kafka brokers Kafka triggers consume from, if any.
    pub kafka: Option<crate::kafka::Brokers>,
    /// The API server whose service proxy flows' Tasks call functions through (default: the
    /// cluster's own).
    pub functions: Option<FunctionsClient>,
}

/// The client of `--functions-kubeconfig`'s API server.
#[derive(Clone)]
pub struct FunctionsClient(pub kube::Client);

impl std::fmt::Debug for FunctionsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FunctionsClient")
    }
}

struct Ctx {
    client: kube::Client,
    leader: Arc<AtomicBool>,
    render: cluster::Options,
    curl_image: String,
    reconciles: AtomicU64,
    errors: AtomicU64,
    events: events::Recorder,
    /// The children of Functions there are, as the controller's watches see them.
    children: Children,
    /// What was last applied for each Function (by uid).
    applied: parking_lot::Mutex<std::collections::HashMap<String, Applied>>,
    /// Scale to zero: what is known of functions' calls, the activator's ports and addresses.
    zero: zero::Zero,
}

/// The caches of Functions' ConfigMaps, Services, Deployments and HorizontalPodAutoscalers.
struct Children {
    configmaps: Store<ConfigMap>,
    services: Store<Service>,
    deployments: Store<Deployment>,
    hpas: Store<HorizontalPodAutoscaler>,
}

/// A Function's child in a cache: the same name and namespace.
fn child<K: kube::Resource<DynamicType = ()>>(name: &str, namespace: &str) -> ObjectRef<K> {
    ObjectRef::new(name).within(namespace)
}

/// Server-side applies an object as the controller; the object as the API server stored it.
async fn apply(client: &kube::Client, obj: Value) -> Result<DynamicObject, Error> {
    let ar = install::resource_of(&obj);
    let name = obj["metadata"]["name"].as_str().unwrap_or_default().to_string();
    let (api, what): (Api<DynamicObject>, String) = match obj["metadata"]["namespace"].as_str() {
        Some(ns) => (
            Api::namespaced_with(client.clone(), ns, &ar),
            format!("{} {ns}/{name}", ar.kind),
        ),
        None => (Api::all_with(client.clone(), &ar), format!("{} {name}", ar.kind)),
    };
    api.patch(&name, &PatchParams::apply(MANAGER).force(), &Patch::Apply(&obj))
        .await
        .map_err(|source| Error::Apply { what, source })
}

/// Writes the status of a kubeless.io object when it is not what the object has.
async fn write_status<S: serde::Serialize + PartialEq>(
    client: &kube::Client,
    kind: &str,
    meta: &kube::api::ObjectMeta,
    old: Option<&S>,
    new: &S,
) -> Result<(), Error> {
    if old == Some(new) {
        return Ok(());
    }
    let api = kubeless::api_for(client, meta.namespace.as_deref().unwrap_or_default(), kind);
    api.patch_status(
        meta.name.as_deref().unwrap_or_default(),
        &PatchParams::default(),
        &Patch::Merge(json!({"status": new})),
    )
    .await
    .map_err(|source| Error::Status {
        what: format!(
            "{kind} {}/{}",
            meta.namespace.as_deref().unwrap_or_default(),
            meta.name.as_deref().unwrap_or_default()
        ),
        source,
    })?;
    Ok(())
}

/// A watched object as its kind's type; one kfn cannot read is an error that names the field.
fn typed<K: serde::de::DeserializeOwned>(obj: &DynamicObject) -> Result<K, Error> {
    Ok(kinds::from_object(&kubeless::to_value(obj))?)
}

async fn reconcile_function(obj: Arc<DynamicObject>, ctx: Arc<Ctx>) -> Result<Action, Error> {
    if !ctx.leader.load(Ordering::SeqCst) {
        return Ok(Action::requeue(Duration::from_secs(2)));
    }
    ctx.reconciles.fetch_add(1, Ordering::Relaxed);
    let ns = obj.metadata.namespace.clone().unwrap_or_default();
    let api = kubeless::api_for(&ctx.client, &ns, "Function");
    kube::runtime::finalizer::finalizer(&api, FINALIZER, obj, |event| async {
        match event {
            kube::runtime::finalizer::Event::Apply(f) => {
                let object = kubeless::to_value(&f);
                // A field of the wrong type is left out (the watch's objects passed the schema,
                // but what a Function embeds is kept as written); one that cannot be read at all
                // says so in its status.
                let read = kinds::lenient::<Function>(&object);
                for e in &read.left_out {
                    tracing::warn!("{e}");
                }
                match read.into_result() {
                    Ok(function) => apply_function(&function, &ctx).await,
                    Err(e) => {
                        unreadable_status(&ctx, &f, &e).await;
                        Err(Error::Unreadable(e))
                    }
                }
            }
            kube::runtime::finalizer::Event::Cleanup(f) => {
                ctx.applied.lock().remove(&f.metadata.uid.clone().unwrap_or_default());
                let (ns, name) = (
                    f.metadata.namespace.clone().unwrap_or_default(),
                    f.metadata.name.clone().unwrap_or_default(),
                );
                delete_triggers(&ns, &name, &ctx).await
            }
        }
    })
    .await
    .map_err(|e| Error::Finalizer(Box::new(e)))
}

/// Says in a Function's status that kfn cannot read it (Ready=False, reason InvalidFunction).
async fn unreadable_status(ctx: &Ctx, f: &DynamicObject, e: &ObjectError) {
    let old = kinds::lenient::<StatusView<FunctionStatus>>(&kubeless::to_value(f))
        .object
        .and_then(|v| v.status);
    let previous = old.clone().unwrap_or_default();
    let status = FunctionStatus {
        conditions: vec![Condition::ready(
            &previous.conditions,
            false,
            "InvalidFunction",
            &e.to_string(),
        )],
        ..previous
    };
    if let Err(status_error) = write_status(&ctx.client, "Function", &f.metadata, old.as_ref(), &status).await {
        tracing::warn!("{status_error}");
    }
}

/// Deletes an object; one already gone is deleted too.
async fn delete<K>(api: &Api<K>, name: &str, what: String) -> Result<(), Error>
where
    K: Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    match api.delete(name, &Default::default()).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
        Err(source) => Err(Error::Call { what, source }),
    }
}

/// Deletes the HTTP and cron triggers that name a deleted function.
async fn delete_triggers(ns: &str, name: &str, ctx: &Ctx) -> Result<Action, Error> {
    for kind in ["HTTPTrigger", "CronJobTrigger"] {
        let api = kubeless::api_for(&ctx.client, ns, kind);
        let triggers = api.list(&Default::default()).await.map_err(|source| Error::Call {
            what: format!("list the {kind}s of namespace {ns}"),
            source,
        })?;
        for t in triggers {
            if kinds::function_name(&t.data).as_deref() == Some(name) {
                let tname = t.metadata.name.clone().unwrap_or_default();
                let what = format!("delete {kind} {ns}/{tname} of the deleted Function {name}");
                delete(&api, &tname, what).await?;
            }
        }
    }
    Ok(Action::await_change())
}

/// Applies what a Function needs and writes its status; when the API server refuses something
/// (RBAC, admission, validation), the Function says so: Ready=False with the server's message
/// (and [`error_policy`] records a Warning Event and retries).
async fn apply_function(f: &Function, ctx: &Ctx) -> Result<Action, Error> {
    match apply_function_objects(f, ctx).await {
        Ok(action) => Ok(action),
        Err(e) => {
            let old = f.status.clone().unwrap_or_default();
            // The generation stays the last one acted on: this one is not.
            let status = FunctionStatus {
                observed_generation: old.observed_generation,
                ready_replicas: Some(old.ready_replicas.unwrap_or(0)),
                conditions: vec![Condition::ready(
                    &old.conditions,
                    false,
                    "ReconcileFailed",
                    &e.to_string(),
                )],
                ..Default::default()
            };
            if let Err(status_error) =
                write_status(&ctx.client, "Function", &f.metadata, f.status.as_ref(), &status).await
            {
                tracing::warn!("{status_error}");
            }
            Err(e)
        }
    }
}

/// How long children applied for a Function's generation count as up to date: a reconcile
/// within it (woken by the Deployment's readiness) only refreshes the status; the periodic one
/// after it applies again, which puts back what was edited by hand.
const UP_TO_DATE_FOR: Duration = Duration::from_secs(240);

/// What the controller last applied for a Function: a fingerprint of the rendered children,
/// and when.
struct Applied {
    fingerprint: u64,
    at: std::time::Instant,
}

fn fingerprint(children: &[&Value]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for child in children {
        child.to_string().hash(&mut h);
    }
    h.finish()
}

async fn apply_function_objects(f: &Function, ctx: &Ctx) -> Result<Action, Error> {
    let ns = f.namespace().to_string();
    let name = f.name().to_string();
    let uid = f.metadata.uid.clone().unwrap_or_default();
    let scales_to_zero = f.spec.scaling.as_ref().and_then(|s| s.idle_window()).is_some();
    // The caches fill with the watches' first lists; a watch the API server refuses (logged)
    // leaves its cache empty, which reads as "apply everything".
    let ready = futures::future::join4(
        ctx.children.configmaps.wait_until_ready(),
        ctx.children.services.wait_until_ready(),
        ctx.children.deployments.wait_until_ready(),
        ctx.children.hpas.wait_until_ready(),
    );
    let _ = tokio::time::timeout(Duration::from_secs(30), ready).await;
    // While the function is at zero its Service points at the activator (see zero.rs).
    let at_activator = ctx.zero.activator_port(f, &ctx.children);
    let was_at_activator = ctx
        .children
        .services
        .get(&child(&name, &ns))
        .as_deref()
        .and_then(zero::port_of)
        .is_some();
    let service = match at_activator {
        Some(port) => cluster::service_at_activator(f, port),
        None => cluster::service(f),
    };
    let slice = at_activator.map(|port| cluster::activator_slice(f, port, &ctx.zero.activator_addresses()));
    let mut deployment = cluster::deployment(f, &ctx.render);
    if scales_to_zero && let Some(spec) = deployment["spec"].as_object_mut() {
        // Its replicas are the scaling policy's and the activator's (the scale subresource).
        spec.remove("replicas");
    }
    let configmap = cluster::configmap(f);
    let hpa = cluster::hpa(f);
    let rendered = fingerprint(&[
        &configmap,
        &service,
        &deployment,
        hpa.as_ref().unwrap_or(&Value::Null),
        slice.as_ref().unwrap_or(&Value::Null),
    ]);
    let up_to_date = ctx
        .applied
        .lock()
        .get(&uid)
        .is_some_and(|a| a.fingerprint == rendered && a.at.elapsed() < UP_TO_DATE_FOR);
    // Every child is there, as the watches see it.
    let present = ctx.children.configmaps.get(&child(&name, &ns)).is_some()
        && ctx.children.services.get(&child(&name, &ns)).is_some()
        && (hpa.is_none() || ctx.children.hpas.get(&child(&name, &ns)).is_some());
    let cached = ctx
        .children
        .deployments
        .get(&child(&name, &ns))
        .filter(|_| up_to_date && present);
    let d: Deployment = match cached {
        Some(d) => (*d).clone(),
        None => {
            apply(&ctx.client, configmap).await?;
            if let Some(slice) = slice {
                apply(&ctx.client, slice).await?;
            }
            apply(&ctx.client, service).await?;
            if at_activator.is_none() && was_at_activator {
                let slices: Api<k8s_openapi::api::discovery::v1::EndpointSlice> =
                    Api::namespaced(ctx.client.clone(), &ns);
                let slice_name = cluster::activator_slice_name(f);
                let what = format!("delete EndpointSlice {ns}/{slice_name}, which pointed {name} at the activator");
                delete(&slices, &slice_name, what).await?;
            }
            let applied = apply(&ctx.client, deployment).await?;
            match hpa {
                Some(hpa) => {
                    apply(&ctx.client, hpa).await?;
                }
                None => {
                    // Asked of the watch's cache, not the API server: most functions have no rule.
                    if ctx.children.hpas.get(&child(&name, &ns)).is_some() {
                        let hpas: Api<HorizontalPodAutoscaler> = Api::namespaced(ctx.client.clone(), &ns);
                        let what = format!("delete HorizontalPodAutoscaler {ns}/{name}, which has no rule now");
                        delete(&hpas, &name, what).await?;
                    }
                }
            }
            ctx.applied.lock().insert(
                uid,
                Applied {
                    fingerprint: rendered,
                    at: std::time::Instant::now(),
                },
            );
            // The Deployment's status as the apply answered it (no second request).
            serde_json::from_value(kubeless::to_value(&applied)).map_err(|e| {
                Error::Invalid(format!(
                    "the API server answered the apply of Deployment {ns}/{name} with an object kfn cannot read: {e}"
                ))
            })?
        }
    };
    let old = f.status.clone().unwrap_or_default();
    let (mut condition, ready) = Condition::of_deployment(&old.conditions, &d);
    if scales_to_zero && d.spec.replicas == Some(0) {
        condition = Condition::ready(&old.conditions, true, "Idle", zero::IDLE_MESSAGE);
    }
    let new_status = FunctionStatus {
        observed_generation: f.metadata.generation,
        ready_replicas: Some(ready),
        conditions: vec![condition],
        ..Default::default()
    };
    // status.scaling is the scaling policy's (zero.rs): left out here, kept by the merge.
    let known = f.status.clone().map(|s| FunctionStatus { scaling: None, ..s });
    write_status(&ctx.client, "Function", &f.metadata, known.as_ref(), &new_status).await?;
    Ok(Action::requeue(Duration::from_secs(300)))
}

/// The Function a trigger names, in the trigger's namespace.
async fn function_of(client: &kube::Client, ns: &str, fname: &str) -> Result<Function, Error> {
    let found = kubeless::api_for(client, ns, "Function")
        .get_opt(fname)
        .await
        .map_err(|source| Error::Call {
            what: format!("get Function {ns}/{fname}"),
            source,
        })?;
    match found {
        Some(f) => typed(&f),
        None => Err(Error::Invalid(format!(
            "Function {fname} is not found in namespace {ns}"
        ))),
    }
}

/// What a trigger needs on a cluster: a child, or none and a Ready condition saying why.
enum TriggerChild {
    Child(Value),
    None {
        ready: bool,
        reason: &'static str,
        message: String,
    },
}

/// What a trigger needs: an Ingress, a CronJob; none for a flow's trigger (a CronJobTrigger's
/// flow is fired by the controller itself, see [`cron`]; an HTTPTrigger's is not routed).
async fn trigger_child(obj: &DynamicObject, ctx: &Ctx) -> Result<TriggerChild, Error> {
    match obj.types.as_ref().map(|t| t.kind.as_str()) {
        Some("HTTPTrigger") => {
            let t: HTTPTrigger = typed(obj)?;
            if !t.spec.flow_name.is_empty() {
                return Ok(TriggerChild::None {
                    ready: false,
                    reason: "FlowsNotRoutedOnClusters",
                    message: format!(
                        "an HTTPTrigger's flow ({}) is not routed on clusters (no Ingress is made): run it on the local engine (kfn up), or start executions from a service (kfn flow start, or by creating an Execution)",
                        t.spec.flow_name
                    ),
                });
            }
        }
        _ => {
            let t: CronJobTrigger = typed(obj)?;
            if !t.spec.flow_name.is_empty() {
                crate::api::schedule::parse(&t.spec.schedule).map_err(|e| Error::Invalid(e.to_string()))?;
                return Ok(TriggerChild::None {
                    ready: true,
                    reason: "Scheduled",
                    message: format!(
                        "the controller starts an execution of the flow {} at each firing of {} (UTC); no CronJob is made",
                        t.spec.flow_name, t.spec.schedule
                    ),
                });
            }
        }
    }
    trigger_child_object(obj, ctx).await.map(TriggerChild::Child)
}

/// The child a trigger needs (an Ingress, a CronJob), and the trigger's status as it is.
async fn trigger_child_object(obj: &DynamicObject, ctx: &Ctx) -> Result<Value, Error> {
    let ns = obj.metadata.namespace.clone().unwrap_or_default();
    match obj.types.as_ref().map(|t| t.kind.as_str()) {
        Some("HTTPTrigger") => {
            let t: HTTPTrigger = typed(obj)?;
            if t.spec.gateway == Gateway::Kong && !t.spec.basic_auth_secret.is_empty() {
                return Err(Error::Invalid(
                    "Setting basic authentication with Kong is not yet supported".into(),
                ));
            }
            let f = function_of(&ctx.client, &ns, &t.spec.function_name).await?;
            let (port, _) = crate::render::service_port(&f);
            Ok(cluster::ingress(&t, port))
        }
        _ => {
            let t: CronJobTrigger = typed(obj)?;
            let f = function_of(&ctx.client, &ns, &t.spec.function_name).await?;
            cluster::cronjob(&t, &f, &ctx.curl_image).map_err(|e| Error::Invalid(e.to_string()))
        }
    }
}

/// Deletes the CronJob a CronJobTrigger owns, once the trigger names a flow instead of a
/// function (the controller fires a flow's schedule itself).
async fn drop_cronjob(obj: &DynamicObject, client: &kube::Client) -> Result<(), Error> {
    if obj.types.as_ref().map(|t| t.kind.as_str()) != Some("CronJobTrigger") {
        return Ok(());
    }
    let ns = obj.metadata.namespace.clone().unwrap_or_default();
    let name = format!("trigger-{}", obj.metadata.name.as_deref().unwrap_or_default());
    let api: Api<CronJob> = Api::namespaced(client.clone(), &ns);
    let owned = match api.get_opt(&name).await {
        Ok(Some(job)) => job
            .metadata
            .owner_references
            .unwrap_or_default()
            .iter()
            .any(|o| Some(&o.uid) == obj.metadata.uid.as_ref()),
        Ok(None) => false,
        Err(source) => {
            return Err(Error::Call {
                what: format!("read the CronJob {ns}/{name}"),
                source,
            });
        }
    };
    if owned {
        delete(
            &api,
            &name,
            format!("delete the CronJob {ns}/{name} of a flow's trigger"),
        )
        .await?;
    }
    Ok(())
}

async fn reconcile_trigger(obj: Arc<DynamicObject>, ctx: Arc<Ctx>) -> Result<Action, Error> {
    if !ctx.leader.load(Ordering::SeqCst) {
        return Ok(Action::requeue(Duration::from_secs(2)));
    }
    ctx.reconciles.fetch_add(1, Ordering::Relaxed);
    if obj.metadata.deletion_timestamp.is_some() {
        return Ok(Action::await_change());
    }
    let outcome: Result<Result<String, (bool, &str, String)>, Error> = async {
        let child = match trigger_child(&obj, &ctx).await? {
            TriggerChild::Child(child) => child,
            TriggerChild::None { ready, reason, message } => {
                drop_cronjob(&obj, &ctx.client).await?;
                return Ok(Err((ready, reason, message)));
            }
        };
        let child_name = child["metadata"]["name"].as_str().unwrap_or_default().to_string();
        apply(&ctx.client, child).await?;
        Ok(Ok(child_name))
    }
    .await;
    let view: StatusView<TriggerStatus> = typed(&obj).unwrap_or(StatusView {
        metadata: obj.metadata.clone(),
        status: None,
    });
    let old = view.status.clone().unwrap_or_default();
    let condition = match &outcome {
        Ok(Ok(child)) => Condition::ready(&old.conditions, true, "Applied", &format!("{child} is up to date")),
        Ok(Err((ready, reason, message))) => Condition::ready(&old.conditions, *ready, reason, message),
        Err(e) => Condition::ready(&old.conditions, false, "ReconcileFailed", &e.to_string()),
    };
    let new = TriggerStatus {
        observed_generation: view.metadata.generation,
        conditions: vec![condition],
    };
    let kind = obj.types.as_ref().map(|t| t.kind.clone()).unwrap_or_default();
    write_status(&ctx.client, &kind, &view.metadata, view.status.as_ref(), &new).await?;
    outcome.map(|_| Action::requeue(Duration::from_secs(300)))
}

/// Records a failed reconcile as a Warning Event on the object (one Event counted up while the
/// same error repeats), and retries later.
fn error_policy(obj: Arc<DynamicObject>, err: &Error, ctx: Arc<Ctx>) -> Action {
    ctx.errors.fetch_add(1, Ordering::Relaxed);
    let involved = ObjectReference {
        api_version: obj.types.as_ref().map(|t| t.api_version.clone()),
        kind: obj.types.as_ref().map(|t| t.kind.clone()),
        name: obj.metadata.name.clone(),
        namespace: obj.metadata.namespace.clone(),
        uid: obj.metadata.uid.clone(),
        resource_version: obj.metadata.resource_version.clone(),
        ..Default::default()
    };
    let what = format!(
        "{} {}/{}",
        involved.kind.clone().unwrap_or_default(),
        involved.namespace.clone().unwrap_or_default(),
        involved.name.clone().unwrap_or_default()
    );
    tracing::warn!("reconcile of {what} failed: {err}");
    let message = err.to_string();
    tokio::spawn(async move {
        if let Err(e) = ctx.events.warn(involved, "ReconcileFailed", &message).await {
            tracing::warn!("cannot record an Event on {what}: {}", api_message(&e));
        }
    });
    Action::requeue(Duration::from_secs(10))
}

/// What a controller stream yields: reconcile errors are already recorded by [`error_policy`];
/// the others (a watch the API server refused or broke, an object gone from the cache) are
/// logged, so a controller that cannot watch says so.
async fn log_outcome<K>(outcome: Result<(kube::runtime::reflector::ObjectRef<K>, Action), ControllerError>)
where
    K: kube::Resource,
    K::DynamicType: Eq + std::hash::Hash + Clone,
{
    use kube::runtime::controller::Error as E;
    match outcome {
        Ok(_) | Err(E::ReconcilerFailed(..)) => {}
        Err(E::QueueError(e)) => tracing::warn!("watch failed (retrying): {e}"),
        Err(other) => tracing::debug!("{other}"),
    }
}

/// Image overrides per runtime id, and the curl image, from `kubeless-config`.
async fn server_config(client: &kube::Client, namespace: &str) -> (BTreeMap<String, String>, String) {
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
    let data = api
        .get_opt("kubeless-config")
        .await
        .ok()
        .flatten()
        .and_then(|c| c.data)
        .unwrap_or_default();
    // The same reading as the CLI's catalog (any key case, JSON or YAML).
    let images: BTreeMap<String, String> = data
        .get("runtime-images")
        .and_then(|t| crate::api::config::runtime_images(t).ok())
        .into_iter()
        .flatten()
        .filter_map(|r| Some((r.id, r.runtime_image?)))
        .collect();
    let curl = data
        .get("provision-image")
        .filter(|i| !i.is_empty() && !i.contains("unzip"))
        .cloned()
        .unwrap_or_else(|| install::CURL_IMAGE.into());
    (images, curl)
}

/// How many reconciles of one kind run at once (client-go controllers call them workers). Each
/// makes a few requests in a row; unbounded, a thousand Functions at start-up drove a real API
/// server to answer 429 (too many requests in flight) and 504.
const RECONCILERS: u16 = 16;

fn controller_config() -> kube::runtime::controller::Config {
    kube::runtime::controller::Config::default().concurrency(RECONCILERS)
}

/// Runs the controller until SIGTERM or SIGINT.
pub async fn run(client: kube::Client, options: Options) -> anyhow::Result<()> {
    let leader = Arc::new(AtomicBool::new(false));
    let hpa_writer = reflector::store::Writer::<HorizontalPodAutoscaler>::default();
    let configmap_writer = reflector::store::Writer::<ConfigMap>::default();
    let service_writer = reflector::store::Writer::<Service>::default();
    let deployment_writer = reflector::store::Writer::<Deployment>::default();
    let (runtime_images, curl_image) = server_config(&client, &options.config_namespace).await;
    let activator_writer = reflector::store::Writer::<k8s_openapi::api::discovery::v1::EndpointSlice>::default();
    let activator_slices = activator_writer.as_reader();
    {
        use kube::runtime::WatchStreamExt;
        let api = Api::namespaced(client.clone(), &options.config_namespace);
        let config = watcher::Config::default().labels(&format!("kubernetes.io/service-name={}", zero::ACTIVATOR));
        let stream = reflector::reflector(activator_writer, watcher::watcher(api, config)).default_backoff();
        tokio::spawn(stream.for_each(|r| async move {
            if let Err(e) = r {
                tracing::debug!("watch of the activator's EndpointSlices: {e}");
            }
        }));
    }
    let ctx = Arc::new(Ctx {
        client: client.clone(),
        leader: leader.clone(),
        render: cluster::Options {
            kfn_image: options.image.clone(),
            runtime_images,
        },
        curl_image,
        reconciles: AtomicU64::new(0),
        errors: AtomicU64::new(0),
        events: events::Recorder::new(client.clone(), MANAGER),
        children: Children {
            configmaps: configmap_writer.as_reader(),
            services: service_writer.as_reader(),
            deployments: deployment_writer.as_reader(),
            hpas: hpa_writer.as_reader(),
        },
        applied: Default::default(),
        zero: zero::Zero::new(activator_slices),
    });
    let election = tokio::spawn(leader::run(
        client.clone(),
        options.config_namespace.clone(),
        options.identity.clone(),
        leader.clone(),
    ));
    tokio::spawn(health(options.health_port, ctx.clone()));
    let mut unconsumed = vec![(
        "KinesisTrigger",
        "not consumed: kfn has no Kinesis client; run a Kinesis consumer for this trigger".to_string(),
    )];
    match (&options.kafka, crate::kafka::unsupported_security()) {
        (Some(_), Some(why)) => unconsumed.push(("KafkaTrigger", format!("not consumed: {why}"))),
        (Some(brokers), None) => {
            let broker = crate::messaging::Broker::Kafka(brokers.clone());
            tokio::spawn(messaging::run(client.clone(), broker, leader.clone()));
        }
        (None, _) => unconsumed.push((
            "KafkaTrigger",
            match crate::kafka::UNAVAILABLE {
                Some(why) => format!("not consumed: {why}"),
                None => "not consumed: no Kafka brokers are configured; run the controller with --kafka-brokers or KAFKA_BROKERS"
                    .to_string(),
            },
        )),
    }
    tokio::spawn(messaging::mark_unconsumed(client.clone(), unconsumed, leader.clone()));
    if let Some(url) = options.nats.clone() {
        let (client, leader) = (client.clone(), leader.clone());
        tokio::spawn(async move { messaging::run(client, messaging::connect_nats(url).await, leader).await });
    }

    let labelled = || watcher::Config::default().labels("created-by=kubeless");
    let function = kubeless::resource("Function");
    let (functions, changed) = triggers::parents(Api::all_with(client.clone(), &function), function.clone());
    tokio::spawn(zero::run(ctx.clone(), functions.clone()));
    tokio::spawn(cron::run(client.clone(), leader.clone()));
    tokio::spawn(flows::run(
        client.clone(),
        options.functions.clone().map(|f| f.0).unwrap_or_else(|| client.clone()),
        leader.clone(),
    ));
    let function_controller = Controller::for_stream_with(changed, functions, function)
        .owns_stream(triggers::children(
            Api::<ConfigMap>::all(client.clone()),
            labelled(),
            None,
            Some(configmap_writer),
        ))
        .owns_stream(triggers::children(
            Api::<Service>::all(client.clone()),
            labelled(),
            None,
            Some(service_writer),
        ))
        .owns_stream(triggers::children(
            Api::<Deployment>::all(client.clone()),
            labelled(),
            Some(triggers::deployment_property),
            Some(deployment_writer),
        ))
        .owns_stream(triggers::children(
            Api::<HorizontalPodAutoscaler>::all(client.clone()),
            watcher::Config::default(),
            None,
            Some(hpa_writer),
        ))
        .with_config(controller_config())
        .shutdown_on_signal()
        .run(reconcile_function, error_policy, ctx.clone())
        .for_each(log_outcome);
    let http_controller = trigger_controller::<Ingress>(&client, "HTTPTrigger", ctx.clone());
    let cron_controller = trigger_controller::<CronJob>(&client, "CronJobTrigger", ctx.clone());
    tracing::info!("kfn controller started as {}", options.identity);
    futures::join!(function_controller, http_controller, cron_controller);
    election.abort();
    if leader.swap(false, Ordering::SeqCst) {
        match leader::release(client, &options.config_namespace, &options.identity).await {
            Ok(()) => tracing::info!("{} released the lease", options.identity),
            Err(e) => tracing::warn!("cannot release the lease: {}", api_message(&e)),
        }
    }
    Ok(())
}

/// The controller of one trigger kind, which owns one kind of child (an Ingress, a CronJob).
fn trigger_controller<Child>(client: &kube::Client, kind: &str, ctx: Arc<Ctx>) -> impl std::future::Future<Output = ()>
where
    Child: kube::Resource<DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug
        + Send
        + Sync
        + 'static,
{
    let resource = kubeless::resource(kind);
    let (triggers, changed) = triggers::parents(Api::all_with(client.clone(), &resource), resource.clone());
    Controller::for_stream_with(changed, triggers, resource)
        .owns_stream(triggers::children(
            Api::<Child>::all(client.clone()),
            Default::default(),
            None,
            None,
        ))
        .with_config(controller_config())
        .shutdown_on_signal()
        .run(reconcile_trigger, error_policy, ctx)
        .for_each(log_outcome)
}

/// `/healthz` and `/metrics` of the controller.
async fn health(port: u16, ctx: Arc<Ctx>) {
    let router = axum::Router::new()
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .route(
            "/metrics",
            axum::routing::get(move || {
                let ctx = ctx.clone();
                async move {
                    format!(
                        "# TYPE kfn_controller_reconciles_total counter\nkfn_controller_reconciles_total {}\n# TYPE kfn_controller_errors_total counter\nkfn_controller_errors_total {}\n# TYPE kfn_controller_leader gauge\nkfn_controller_leader {}\n",
                        ctx.reconciles.load(Ordering::Relaxed),
                        ctx.errors.load(Ordering::Relaxed),
                        u8::from(ctx.leader.load(Ordering::Relaxed))
                    )
                }
            }),
        );
    match tokio::net::TcpListener::bind(("0.0.0.0", port)).await {
        Ok(l) => {
            let _ = axum::serve(l, router).await;
        }
        Err(e) => tracing::warn!("cannot serve the health endpoint on port {port}: {e}"),
    }
}
