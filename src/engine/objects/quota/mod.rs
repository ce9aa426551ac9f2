//! ResourceQuota and LimitRange admission, as kube-apiserver's ResourceQuota and LimitRanger
//! plugins admit a new object: a Pod gets its LimitRanges' default requests and limits and is
//! checked against their min, max and ratio; then every create is counted against the
//! namespace's quotas (object counts, `pods`, and the CPU and memory of non-terminal Pods) and
//! refused with the API server's 403 when it would exceed one. The usage is counted from the
//! stored objects under one lock held through the write, so two creates cannot both take the
//! last slot; the quota status controller writes the same count to each quota's status.
//!
//! Quotas scoped to `Terminating`, `NotTerminating`, `BestEffort` or `NotBestEffort` (in
//! `scopes` or a `scopeSelector`'s Exists/DoesNotExist) count only the Pods in their scopes;
//! one that names another scope (PriorityClass, …) is stored and shown but not enforced.

mod limit_range;

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, ResourceQuota};
use serde_json::{Value, json};

use super::{ApiError, Objects, meta_str};
pub use crate::api::quantity::Quantity;
use crate::engine::resources::ResourceDef;
pub use limit_range::admit_pod;

/// Resource names and amounts, ordered by name as the API server prints them.
pub type ResourceList = BTreeMap<String, Quantity>;

pub const QUOTAS: &str = "/resourcequotas";
pub const LIMIT_RANGES: &str = "/limitranges";
const PODS: &str = "/pods";
const SERVICES: &str = "/services";

/// The core resources a quota counts by their bare name (`configmaps: 10`).
const COUNTED_BY_NAME: &[&str] = &[
    "configmaps",
    "secrets",
    "replicationcontrollers",
    "resourcequotas",
    "persistentvolumeclaims",
    "services",
];

/// The compute resources a quota on which makes every container of a Pod name them.
const MUST_SPECIFY: &[&str] = &[
    "cpu",
    "memory",
    "requests.cpu",
    "requests.memory",
    "limits.cpu",
    "limits.memory",
];

/// The 403 the API server's admission gives: `<resource> "<name>" is forbidden: <why>`.
pub fn forbidden(def: &ResourceDef, name: &str, why: &str) -> ApiError {
    let mut details = json!({"name": name, "kind": def.plural});
    if !def.group.is_empty() {
        details["group"] = json!(def.group);
    }
    ApiError::new(
        403,
        "Forbidden",
        format!("{} \"{name}\" is forbidden: {why}", def.qualified()),
    )
    .with_details(details)
}

/// The store key (`group/plural`) of the objects a quota's resource name counts.
fn counted_resource(name: &str) -> Option<String> {
    if let Some(resource) = name.strip_prefix("count/") {
        let (plural, group) = resource.split_once('.').unwrap_or((resource, ""));
        return Some(format!("{group}/{plural}"));
    }
    if COUNTED_BY_NAME.contains(&name) || name.starts_with("services.") {
        let plural = name.split('.').next().unwrap_or(name);
        return Some(format!("/{plural}"));
    }
    let compute = ["pods", "cpu", "memory", "ephemeral-storage"];
    let base = name
        .strip_prefix("requests.")
        .or_else(|| name.strip_prefix("limits."))
        .unwrap_or(name);
    compute.contains(&base).then(|| PODS.to_string())
}

/// A non-terminal Pod counts for `pods`, CPU and memory; a finished one only for `count/pods`,
/// and so does one whose deletion's grace period is over (as kube-apiserver's quota: a Pod kept
/// by its finalizers uses nothing).
fn terminal(pod: &Pod) -> bool {
    let finished = matches!(
        pod.status.as_ref().and_then(|s| s.phase.as_deref()),
        Some("Succeeded" | "Failed")
    );
    let deleted = pod.metadata.deletion_timestamp.as_ref().is_some_and(|at| {
        let grace = pod.metadata.deletion_grace_period_seconds.unwrap_or(0);
        let end = at.0.checked_add(k8s_openapi::jiff::SignedDuration::from_secs(grace));
        end.is_ok_and(|end| end <= k8s_openapi::jiff::Timestamp::now())
    });
    finished || deleted
}

fn add_to(list: &mut ResourceList, name: &str, q: Quantity) {
    let sum = list.get(name).copied().unwrap_or_else(Quantity::zero) + q;
    list.insert(name.to_string(), sum);
}

type K8sList = BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>;

fn parsed(list: Option<&K8sList>) -> ResourceList {
    list.into_iter()
        .flatten()
        .filter_map(|(k, v)| Quantity::parse(&v.0).ok().map(|q| (k.clone(), q)))
        .collect()
}

/// A Pod's requests or limits as the scheduler and quota see them: its containers' summed, at
/// least each init container's, plus the Pod's overhead.
fn pod_resources(pod: &Pod, limits: bool) -> ResourceList {
    let Some(spec) = &pod.spec else {
        return ResourceList::new();
    };
    let of = |c: &k8s_openapi::api::core::v1::Container| {
        let r = c.resources.as_ref();
        parsed(r.and_then(|r| if limits { r.limits.as_ref() } else { r.requests.as_ref() }))
    };
    let mut total = ResourceList::new();
    for c in &spec.containers {
        for (k, v) in of(c) {
            add_to(&mut total, &k, v);
        }
    }
    for c in spec.init_containers.iter().flatten() {
        for (k, v) in of(c) {
            if total.get(&k).is_none_or(|t| *t < v) {
                total.insert(k, v);
            }
        }
    }
    for (k, v) in parsed(spec.overhead.as_ref()) {
        if !limits || total.contains_key(&k) {
            add_to(&mut total, &k, v);
        }
    }
    total
}

/// What one Pod counts for in a quota (`pods`, `requests.cpu`, `limits.memory`, …).
fn pod_usage(pod: &Pod) -> ResourceList {
    let mut usage = ResourceList::new();
    if terminal(pod) {
        return usage;
    }
    usage.insert("pods".into(), Quantity::count(1));
    let requests = pod_resources(pod, false);
    let limits = pod_resources(pod, true);
    for r in ["cpu", "memory", "ephemeral-storage"] {
        if let Some(q) = requests.get(r) {
            usage.insert(r.into(), *q);
            usage.insert(format!("requests.{r}"), *q);
        }
        if let Some(q) = limits.get(r) {
            usage.insert(format!("limits.{r}"), *q);
        }
    }
    usage
}

/// What one stored object of `group/plural` (its store key) counts for in a quota.
pub fn usage_of(resource: &str, obj: &Value) -> ResourceList {
    let (group, plural) = resource.split_once('/').unwrap_or(("", resource));
    let mut usage = ResourceList::new();
    let count_name = if group.is_empty() {
        format!("count/{plural}")
    } else {
        format!("count/{plural}.{group}")
    };
    usage.insert(count_name, Quantity::count(1));
    if group.is_empty() && COUNTED_BY_NAME.contains(&plural) {
        usage.insert(plural.to_string(), Quantity::count(1));
    }
    if resource == PODS
        && let Ok(pod) = serde_json::from_value::<Pod>(obj.clone())
    {
        usage.extend(pod_usage(&pod));
    }
    if resource == SERVICES {
        let spec = &obj["spec"];
        let kind = spec["type"].as_str().unwrap_or("ClusterIP");
        if kind == "LoadBalancer" {
            usage.insert("services.loadbalancers".into(), Quantity::count(1));
        }
        if kind == "LoadBalancer" || kind == "NodePort" {
            let ports = spec["ports"].as_array().map_or(0, Vec::len);
            usage.insert("services.nodeports".into(), Quantity::count(ports as i64));
        }
    }
    usage
}

/// A quota scope a Pod must (`true`) or must not (`false`) be in to count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `activeDeadlineSeconds` set (a Pod that ends by itself).
    Terminating(bool),
    /// QoS class BestEffort (no request or limit of CPU or memory).
    BestEffort(bool),
}

/// The scopes of a quota (`spec.scopes` and a `scopeSelector`'s Exists/DoesNotExist), or
/// `None` when it names one the engine does not enforce (PriorityClass,
/// CrossNamespacePodAffinity, VolumeAttributesClass).
pub fn scopes_of(quota: &ResourceQuota) -> Option<Vec<Scope>> {
    let spec = quota.spec.clone().unwrap_or_default();
    let named = |name: &str, holds: bool| match name {
        "Terminating" => Some(Scope::Terminating(holds)),
        "NotTerminating" => Some(Scope::Terminating(!holds)),
        "BestEffort" => Some(Scope::BestEffort(holds)),
        "NotBestEffort" => Some(Scope::BestEffort(!holds)),
        _ => None,
    };
    let mut scopes = Vec::new();
    for s in spec.scopes.iter().flatten() {
        scopes.push(named(s, true)?);
    }
    for e in spec
        .scope_selector
        .iter()
        .flat_map(|s| s.match_expressions.iter().flatten())
    {
        let holds = match e.operator.as_str() {
            "Exists" => true,
            "DoesNotExist" => false,
            _ => return None,
        };
        scopes.push(named(&e.scope_name, holds)?);
    }
    Some(scopes)
}

/// Whether a Pod is in every one of `scopes` (a quota without scopes counts every Pod).
fn in_scopes(pod: &Pod, scopes: &[Scope]) -> bool {
    let spec = pod.spec.clone().unwrap_or_default();
    let terminating = spec.active_deadline_seconds.is_some_and(|s| s >= 0);
    let best_effort = super::builtin::pod_qos_class(&spec) == "BestEffort";
    scopes.iter().all(|s| match s {
        Scope::Terminating(holds) => terminating == *holds,
        Scope::BestEffort(holds) => best_effort == *holds,
    })
}

/// Whether an object of `resource` (its store key) counts for a quota with `scopes`: with
/// scopes, only Pods in them do.
fn counts_for(resource: &str, obj: &Value, scopes: &[Scope]) -> bool {
    scopes.is_empty()
        || (resource == PODS && serde_json::from_value::<Pod>(obj.clone()).is_ok_and(|p| in_scopes(&p, scopes)))
}

/// The quotas of a namespace the engine enforces, with their scopes.
pub fn quotas_in(objects: &Objects, namespace: &str) -> Vec<(ResourceQuota, Vec<Scope>)> {
    objects
        .store
        .list(QUOTAS, Some(namespace))
        .0
        .iter()
        .filter_map(|o| serde_json::from_value::<ResourceQuota>(o.value.clone()).ok())
        .filter_map(|q| scopes_of(&q).map(|scopes| (q, scopes)))
        .collect()
}

/// A quota's hard limits.
pub fn hard_of(quota: &ResourceQuota) -> ResourceList {
    parsed(quota.spec.as_ref().and_then(|s| s.hard.as_ref()))
}

/// How much of each of `names` the objects in `namespace` (those in `scopes`) use now (0 for
/// what none uses).
pub fn used_in<'a>(
    objects: &Objects,
    namespace: &str,
    names: impl IntoIterator<Item = &'a String>,
    scopes: &[Scope],
) -> ResourceList {
    let names: Vec<&String> = names.into_iter().collect();
    let mut resources: Vec<String> = names.iter().filter_map(|n| counted_resource(n)).collect();
    resources.sort();
    resources.dedup();
    let mut total = ResourceList::new();
    for resource in &resources {
        for o in objects.store.list(resource, Some(namespace)).0 {
            if !counts_for(resource, &o.value, scopes) {
                continue;
            }
            for (k, v) in usage_of(resource, &o.value) {
                add_to(&mut total, &k, v);
            }
        }
    }
    names
        .into_iter()
        .map(|n| (n.clone(), total.get(n).copied().unwrap_or_else(Quantity::zero)))
        .collect()
}

/// `a=1,b=2`, sorted by name, as the API server's quota messages print a resource list.
fn pretty(list: &ResourceList) -> String {
    list.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Why a new object exceeds `quota` given what is `used`, or nothing when it fits.
fn exceeded(quota_name: &str, hard: &ResourceList, used: &ResourceList, delta: &ResourceList) -> Option<String> {
    let requested: ResourceList = delta
        .iter()
        .filter(|(k, v)| hard.contains_key(*k) && !v.is_zero())
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    let over: Vec<&String> = requested
        .iter()
        .filter(|(k, v)| used.get(*k).copied().unwrap_or_else(Quantity::zero) + **v > hard[*k])
        .map(|(k, _)| k)
        .collect();
    if over.is_empty() {
        return None;
    }
    let masked = |l: &ResourceList| -> ResourceList {
        l.iter()
            .filter(|(k, _)| over.contains(k))
            .map(|(k, v)| (k.clone(), *v))
            .collect()
    };
    Some(format!(
        "exceeded quota: {quota_name}, requested: {}, used: {}, limited: {}",
        pretty(&masked(&requested)),
        pretty(&masked(used)),
        pretty(&masked(hard)),
    ))
}

/// The containers that do not name a compute resource the quota limits, as the API server's
/// `must specify limits.cpu for: a,b; requests.memory for: a`.
fn must_specify(hard: &ResourceList, pod: &Pod) -> Option<String> {
    let required: Vec<&str> = MUST_SPECIFY.iter().copied().filter(|r| hard.contains_key(*r)).collect();
    let spec = pod.spec.as_ref()?;
    let mut missing: BTreeMap<&str, std::collections::BTreeSet<String>> = BTreeMap::new();
    for c in spec.containers.iter().chain(spec.init_containers.iter().flatten()) {
        let r = c.resources.as_ref();
        let requests = parsed(r.and_then(|r| r.requests.as_ref()));
        let limits = parsed(r.and_then(|r| r.limits.as_ref()));
        for name in &required {
            let has = match *name {
                "cpu" | "requests.cpu" => requests.contains_key("cpu"),
                "memory" | "requests.memory" => requests.contains_key("memory"),
                "limits.cpu" => limits.contains_key("cpu"),
                _ => limits.contains_key("memory"),
            };
            if !has {
                missing.entry(name).or_default().insert(c.name.clone());
            }
        }
    }
    if missing.is_empty() {
        return None;
    }
    let parts: Vec<String> = missing
        .iter()
        .map(|(r, names)| format!("{r} for: {}", names.iter().cloned().collect::<Vec<_>>().join(",")))
        .collect();
    Some(format!("must specify {}", parts.join("; ")))
}

/// Holds the quota lock of a create that the namespace's quotas admitted, until it is written.
pub struct Admitted<'a> {
    _held: Option<parking_lot::MutexGuard<'a, ()>>,
}

/// Checks a new object (already defaulted) against the quotas of its namespace. The returned
/// guard keeps other creates from counting until this one is stored (drop it after the write).
pub fn admit_create<'a>(
    objects: &'a Objects,
    def: &ResourceDef,
    namespace: Option<&str>,
    obj: &Value,
) -> Result<Admitted<'a>, ApiError> {
    let Some(namespace) = namespace.filter(|_| def.namespaced) else {
        return Ok(Admitted { _held: None });
    };
    let resource = def.store_key();
    let delta = usage_of(&resource, obj);
    let lock = objects.quota_lock.lock();
    let quotas = quotas_in(objects, namespace);
    if quotas.is_empty() {
        return Ok(Admitted { _held: None });
    }
    let name = meta_str(obj, "name");
    let pod = (resource == PODS)
        .then(|| serde_json::from_value::<Pod>(obj.clone()).ok())
        .flatten();
    let mut quotas: Vec<(String, ResourceList, Vec<Scope>)> = quotas
        .iter()
        .filter(|(_, scopes)| counts_for(&resource, obj, scopes))
        .map(|(q, scopes)| (q.metadata.name.clone().unwrap_or_default(), hard_of(q), scopes.clone()))
        .collect();
    quotas.sort_by(|a, b| a.0.cmp(&b.0));
    for (quota_name, hard, _) in &quotas {
        if let Some(pod) = &pod
            && let Some(why) = must_specify(hard, pod)
        {
            return Err(forbidden(def, name, &format!("failed quota: {quota_name}: {why}")));
        }
    }
    for (quota_name, hard, scopes) in &quotas {
        if !delta.keys().any(|k| hard.contains_key(k)) {
            continue;
        }
        let used = used_in(objects, namespace, hard.keys(), scopes);
        if let Some(why) = exceeded(quota_name, hard, &used, &delta) {
            return Err(forbidden(def, name, &why));
        }
    }
    Ok(Admitted { _held: Some(lock) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(pairs: &[(&str, &str)]) -> ResourceList {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Quantity::parse(v).unwrap()))
            .collect()
    }

    #[test]
    fn an_object_over_its_quota_is_refused_with_the_api_servers_words() {
        let hard = list(&[("count/functions.kubeless.io", "2"), ("pods", "5")]);
        let used = list(&[("count/functions.kubeless.io", "2"), ("pods", "0")]);
        let delta = usage_of("kubeless.io/functions", &json!({}));
        assert_eq!(
            exceeded("kfn-tenant", &hard, &used, &delta).unwrap(),
            "exceeded quota: kfn-tenant, requested: count/functions.kubeless.io=1, used: count/functions.kubeless.io=2, limited: count/functions.kubeless.io=2"
        );
        let fits = list(&[("count/functions.kubeless.io", "1"), ("pods", "0")]);
        assert_eq!(exceeded("kfn-tenant", &hard, &fits, &delta), None);

        let hard = list(&[("pods", "2"), ("limits.memory", "1Gi"), ("requests.cpu", "1")]);
        let used = list(&[("pods", "2"), ("limits.memory", "768Mi"), ("requests.cpu", "500m")]);
        let pod = json!({"spec": {"containers": [{"name": "c", "resources": {
            "limits": {"memory": "512Mi", "cpu": "1"}, "requests": {"memory": "512Mi", "cpu": "250m"}}}]}});
        let delta = usage_of("/pods", &pod);
        assert_eq!(
            exceeded("q", &hard, &used, &delta).unwrap(),
            "exceeded quota: q, requested: limits.memory=512Mi,pods=1, used: limits.memory=768Mi,pods=2, limited: limits.memory=1Gi,pods=2"
        );
    }

    #[test]
    fn a_pods_usage_sums_its_containers_and_a_finished_pod_counts_only_as_an_object() {
        let pod = json!({"spec": {
            "containers": [
                {"name": "a", "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}}},
                {"name": "b", "resources": {"requests": {"cpu": "400m"}}}],
            "initContainers": [{"name": "i", "resources": {"requests": {"cpu": "2"}}}]}});
        let usage = usage_of("/pods", &pod);
        assert_eq!(usage["pods"].to_string(), "1");
        assert_eq!(usage["requests.cpu"].to_string(), "2", "the init container's is larger");
        assert_eq!(usage["requests.memory"].to_string(), "64Mi");
        assert_eq!(usage["limits.memory"].to_string(), "128Mi");
        assert!(!usage.contains_key("limits.cpu"));
        assert_eq!(usage["count/pods"].to_string(), "1");

        let done = json!({"spec": {"containers": [{"name": "a"}]}, "status": {"phase": "Succeeded"}});
        let usage = usage_of("/pods", &done);
        assert!(!usage.contains_key("pods") && usage.contains_key("count/pods"));
        // A Pod whose deletion's grace period is over (kept by a finalizer) uses nothing more;
        // one still in its grace period does.
        let deleted = json!({"metadata": {"deletionTimestamp": "2020-01-01T00:00:00Z",
            "deletionGracePeriodSeconds": 30}, "spec": {"containers": [{"name": "a"}]}});
        assert!(!usage_of("/pods", &deleted).contains_key("pods"));
        let stopping = json!({"metadata": {"deletionTimestamp": "2999-01-01T00:00:00Z",
            "deletionGracePeriodSeconds": 30}, "spec": {"containers": [{"name": "a"}]}});
        assert!(usage_of("/pods", &stopping).contains_key("pods"));
        assert!(usage_of("/configmaps", &json!({})).contains_key("configmaps"));
        assert!(usage_of("apps/deployments", &json!({})).contains_key("count/deployments.apps"));
    }

    #[test]
    fn a_pod_without_the_resources_a_quota_limits_is_named() {
        let hard = list(&[("limits.cpu", "2"), ("requests.memory", "1Gi"), ("pods", "3")]);
        let pod: Pod = serde_json::from_value(json!({"spec": {"containers": [
            {"name": "b", "resources": {"limits": {"cpu": "1"}}},
            {"name": "a"}]}}))
        .unwrap();
        assert_eq!(
            must_specify(&hard, &pod).unwrap(),
            "must specify limits.cpu for: a; requests.memory for: a,b"
        );
        assert_eq!(must_specify(&list(&[("pods", "1")]), &pod), None);
    }

    #[test]
    fn a_scoped_quota_counts_only_the_pods_in_its_scopes() {
        let quota = |spec: Value| -> ResourceQuota {
            serde_json::from_value(json!({"metadata": {"name": "q"}, "spec": spec})).unwrap()
        };
        let scopes = scopes_of(&quota(json!({"scopes": ["NotBestEffort"],
            "scopeSelector": {"matchExpressions": [{"scopeName": "Terminating", "operator": "DoesNotExist"}]}})))
        .unwrap();
        assert_eq!(scopes, [Scope::BestEffort(false), Scope::Terminating(false)]);
        assert_eq!(scopes_of(&quota(json!({"scopes": ["PriorityClass"]}))), None);
        let limited = json!({"spec": {"containers": [{"name": "c", "resources": {"limits": {"memory": "1Gi"}}}]}});
        let best_effort = json!({"spec": {"containers": [{"name": "c"}]}});
        let ending = json!({"spec": {"activeDeadlineSeconds": 60,
            "containers": [{"name": "c", "resources": {"limits": {"memory": "1Gi"}}}]}});
        assert!(counts_for(PODS, &limited, &scopes));
        assert!(!counts_for(PODS, &best_effort, &scopes));
        assert!(!counts_for(PODS, &ending, &scopes));
        assert!(!counts_for("/configmaps", &json!({}), &scopes));
        assert!(counts_for("/configmaps", &json!({}), &[]));
    }

    #[test]
    fn quota_names_count_the_right_objects() {
        assert_eq!(
            counted_resource("count/functions.kubeless.io").unwrap(),
            "kubeless.io/functions"
        );
        assert_eq!(counted_resource("count/deployments.apps").unwrap(), "apps/deployments");
        assert_eq!(counted_resource("count/pods").unwrap(), "/pods");
        assert_eq!(counted_resource("limits.memory").unwrap(), "/pods");
        assert_eq!(counted_resource("services.nodeports").unwrap(), "/services");
        assert_eq!(counted_resource("secrets").unwrap(), "/secrets");
        assert_eq!(counted_resource("requests.storage"), None);
    }
}
