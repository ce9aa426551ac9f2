//! Kubernetes' defaults for the built-in kinds the engine serves, as kube-apiserver applies
//! them (its `SetDefaults_*` functions and the admission plugins every cluster runs).

use k8s_openapi::api::apps::v1::{DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment};
use k8s_openapi::api::autoscaling::v2::{HorizontalPodAutoscalerSpec, MetricSpec, MetricTarget, ResourceMetricSource};
use k8s_openapi::api::batch::v1::CronJobSpec;
use k8s_openapi::api::core::v1::{
    Container, PodSecurityContext, PodSpec, Probe, ResourceRequirements, ServiceSpec, ServiceStatus, Toleration,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

fn or<T>(field: &mut Option<T>, value: T) {
    if field.is_none() {
        *field = Some(value);
    }
}

fn or_str(field: &mut Option<String>, value: &str) {
    if field.as_deref().is_none_or(str::is_empty) {
        *field = Some(value.to_string());
    }
}

/// `Always` for an image without a tag or tagged `latest`, else `IfNotPresent`.
pub(super) fn pull_policy(image: &str) -> &'static str {
    if image.contains('@') {
        return "IfNotPresent";
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, "latest")) | None => "Always",
        Some(_) => "IfNotPresent",
    }
}

fn probe(p: &mut Option<Probe>) {
    let Some(p) = p else { return };
    or(&mut p.timeout_seconds, 1);
    or(&mut p.period_seconds, 10);
    or(&mut p.success_threshold, 1);
    or(&mut p.failure_threshold, 3);
    if let Some(h) = &mut p.http_get {
        or_str(&mut h.path, "/");
        or_str(&mut h.scheme, "HTTP");
    }
}

fn container(c: &mut Container) {
    or_str(&mut c.termination_message_path, "/dev/termination-log");
    or_str(&mut c.termination_message_policy, "File");
    let policy = pull_policy(c.image.as_deref().unwrap_or_default());
    or_str(&mut c.image_pull_policy, policy);
    or(&mut c.resources, ResourceRequirements::default());
    for p in c.ports.iter_mut().flatten() {
        or_str(&mut p.protocol, "TCP");
    }
    for e in c.env.iter_mut().flatten() {
        if let Some(f) = e.value_from.as_mut().and_then(|v| v.field_ref.as_mut()) {
            or_str(&mut f.api_version, "v1");
        }
    }
    probe(&mut c.liveness_probe);
    probe(&mut c.readiness_probe);
    probe(&mut c.startup_probe);
}

/// The defaults of a pod spec, in a Pod and in every template (a Job's template gets no
/// restart policy: it must say OnFailure or Never).
pub(super) fn pod_spec(spec: &mut PodSpec) {
    or_str(&mut spec.restart_policy, "Always");
    job_pod_spec(spec);
}

pub(super) fn job_pod_spec(spec: &mut PodSpec) {
    or(&mut spec.termination_grace_period_seconds, 30);
    or_str(&mut spec.dns_policy, "ClusterFirst");
    or(&mut spec.security_context, PodSecurityContext::default());
    or_str(&mut spec.scheduler_name, "default-scheduler");
    for c in spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut().flatten())
    {
        container(c);
    }
    for v in spec.volumes.iter_mut().flatten() {
        if let Some(cm) = &mut v.config_map {
            or(&mut cm.default_mode, 0o644);
        }
        if let Some(s) = &mut v.secret {
            or(&mut s.default_mode, 0o644);
        }
    }
}

/// What a Pod (not a template) gets on top: its own defaults and those of the admission plugins
/// every cluster runs (ServiceAccount, Priority, DefaultTolerationSeconds).
pub(super) fn pod(spec: &mut PodSpec) {
    pod_spec(spec);
    or(&mut spec.enable_service_links, true);
    or_str(&mut spec.service_account_name, "default");
    spec.service_account = spec.service_account_name.clone();
    or(&mut spec.priority, 0);
    or_str(&mut spec.preemption_policy, "PreemptLowerPriority");
    let tolerations = spec.tolerations.get_or_insert_with(Vec::new);
    for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
        if !tolerations.iter().any(|t| t.key.as_deref() == Some(key)) {
            tolerations.push(Toleration {
                key: Some(key.into()),
                operator: Some("Exists".into()),
                effect: Some("NoExecute".into()),
                toleration_seconds: Some(300),
                ..Default::default()
            });
        }
    }
}

/// A LimitRange item's defaults: a Container item's default limit is its max, its default
/// request its default limit or else its min, as the API server fills them.
pub(super) fn limit_range_item(item: &mut k8s_openapi::api::core::v1::LimitRangeItem) {
    if item.type_ != "Container" {
        return;
    }
    let default = item.default.get_or_insert_with(Default::default);
    for (k, v) in item.max.iter().flatten() {
        default.entry(k.clone()).or_insert_with(|| v.clone());
    }
    let request = item.default_request.get_or_insert_with(Default::default);
    for (k, v) in default.iter().chain(item.min.iter().flatten()) {
        request.entry(k.clone()).or_insert_with(|| v.clone());
    }
}

/// A Pod's containers without requests get their limits as requests, as the API server
/// defaults a Pod (not a template).
pub(super) fn pod_requests(spec: &mut PodSpec) {
    for c in spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut().flatten())
    {
        let Some(r) = c.resources.as_mut() else { continue };
        let Some(limits) = r.limits.clone() else { continue };
        let requests = r.requests.get_or_insert_with(Default::default);
        for (k, v) in limits {
            requests.entry(k).or_insert(v);
        }
    }
}

/// A Pod's QoS class, as the API server computes it from its containers' resources.
pub(super) fn qos_class(spec: &PodSpec) -> &'static str {
    let containers: Vec<&Container> = spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .collect();
    let named =
        |m: &Option<std::collections::BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>,
         r: &str| m.as_ref().and_then(|m| m.get(r)).filter(|q| q.0 != "0").cloned();
    let any = containers.iter().any(|c| {
        c.resources.as_ref().is_some_and(|r| {
            ["cpu", "memory"]
                .iter()
                .any(|n| named(&r.requests, n).is_some() || named(&r.limits, n).is_some())
        })
    });
    if !any {
        return "BestEffort";
    }
    let guaranteed = containers.iter().all(|c| {
        let r = c.resources.clone().unwrap_or_default();
        ["cpu", "memory"].iter().all(|n| {
            let limit = named(&r.limits, n);
            limit.is_some() && named(&r.requests, n).is_none_or(|q| Some(q) == limit)
        })
    });
    if guaranteed { "Guaranteed" } else { "Burstable" }
}

pub(super) fn deployment(spec: &mut DeploymentSpec) {
    or(&mut spec.replicas, 1);
    let strategy = spec.strategy.get_or_insert_with(DeploymentStrategy::default);
    or_str(&mut strategy.type_, "RollingUpdate");
    if strategy.type_.as_deref() == Some("RollingUpdate") {
        let ru = strategy
            .rolling_update
            .get_or_insert_with(RollingUpdateDeployment::default);
        or(&mut ru.max_unavailable, IntOrString::String("25%".into()));
        or(&mut ru.max_surge, IntOrString::String("25%".into()));
    }
    or(&mut spec.revision_history_limit, 10);
    or(&mut spec.progress_deadline_seconds, 600);
    pod_spec(spec.template.spec.get_or_insert_with(Default::default));
}

/// Addresses and ports a Service is given: its cluster IP (kept from `old` on updates, else
/// `allocate`d) and node ports.
pub(super) fn service(
    spec: &mut ServiceSpec,
    old: Option<&ServiceSpec>,
    allocate_ip: &mut dyn FnMut() -> Option<String>,
    allocate_node_port: &mut dyn FnMut() -> Option<i32>,
) {
    or_str(&mut spec.type_, "ClusterIP");
    or_str(&mut spec.session_affinity, "None");
    let kind = spec.type_.clone().unwrap_or_default();
    for p in spec.ports.iter_mut().flatten() {
        or_str(&mut p.protocol, "TCP");
        if matches!(p.target_port, None | Some(IntOrString::Int(0)))
            || p.target_port == Some(IntOrString::String(String::new()))
        {
            p.target_port = Some(IntOrString::Int(p.port));
        }
    }
    if kind == "ExternalName" {
        return;
    }
    if let Some(old) = old.filter(|o| o.type_.as_deref() != Some("ExternalName")) {
        if spec.cluster_ip.as_deref().is_none_or(str::is_empty) {
            spec.cluster_ip = old.cluster_ip.clone();
        }
        if spec.cluster_ips.as_ref().is_none_or(Vec::is_empty) && spec.cluster_ip == old.cluster_ip {
            spec.cluster_ips = old.cluster_ips.clone();
        }
        if spec.ip_families.is_none() {
            spec.ip_families = old.ip_families.clone();
        }
        if spec.ip_family_policy.is_none() {
            spec.ip_family_policy = old.ip_family_policy.clone();
        }
        for p in spec.ports.iter_mut().flatten() {
            if p.node_port.is_none()
                && let Some(o) = old
                    .ports
                    .iter()
                    .flatten()
                    .find(|o| o.port == p.port && o.protocol == p.protocol)
            {
                p.node_port = o.node_port;
            }
        }
    }
    if spec.cluster_ip.as_deref().is_none_or(str::is_empty) {
        spec.cluster_ip = allocate_ip();
    }
    if spec.cluster_ips.as_ref().is_none_or(Vec::is_empty)
        && let Some(ip) = &spec.cluster_ip
    {
        spec.cluster_ips = Some(vec![ip.clone()]);
    }
    or(&mut spec.ip_families, vec!["IPv4".into()]);
    or_str(&mut spec.ip_family_policy, "SingleStack");
    or_str(&mut spec.internal_traffic_policy, "Cluster");
    if kind == "NodePort" || kind == "LoadBalancer" {
        or_str(&mut spec.external_traffic_policy, "Cluster");
        for p in spec.ports.iter_mut().flatten() {
            if p.node_port.is_none_or(|n| n == 0) {
                p.node_port = allocate_node_port();
            }
        }
    }
    if kind == "LoadBalancer" {
        or(&mut spec.allocate_load_balancer_node_ports, true);
    }
}

pub(super) fn service_status(status: &mut Option<ServiceStatus>) {
    let s = status.get_or_insert_with(ServiceStatus::default);
    or(&mut s.load_balancer, Default::default());
}

pub(super) fn cron_job(spec: &mut CronJobSpec) {
    or_str(&mut spec.concurrency_policy, "Allow");
    or(&mut spec.suspend, false);
    or(&mut spec.successful_jobs_history_limit, 3);
    or(&mut spec.failed_jobs_history_limit, 1);
    or(&mut spec.job_template.metadata, Default::default());
    if let Some(job) = &mut spec.job_template.spec {
        or(&mut job.template.metadata, Default::default());
        job_pod_spec(job.template.spec.get_or_insert_with(Default::default));
    }
}

pub(super) fn hpa(spec: &mut HorizontalPodAutoscalerSpec) {
    or(&mut spec.min_replicas, 1);
    if spec.metrics.as_ref().is_none_or(Vec::is_empty) {
        spec.metrics = Some(vec![MetricSpec {
            type_: "Resource".into(),
            resource: Some(ResourceMetricSource {
                name: "cpu".into(),
                target: MetricTarget {
                    type_: "Utilization".into(),
                    average_utilization: Some(80),
                    ..Default::default()
                },
            }),
            ..Default::default()
        }]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn images_are_pulled_always_only_when_untagged_or_latest() {
        assert_eq!(pull_policy("nginx"), "Always");
        assert_eq!(pull_policy("nginx:latest"), "Always");
        assert_eq!(pull_policy("localhost:5000/nginx"), "Always");
        assert_eq!(pull_policy("localhost:5000/nginx:1.2"), "IfNotPresent");
        assert_eq!(pull_policy("nginx@sha256:abc"), "IfNotPresent");
    }

    #[test]
    fn a_service_keeps_its_address_on_update() {
        let mut first: ServiceSpec = serde_json::from_value(json!({"ports": [{"port": 80}]})).unwrap();
        service(&mut first, None, &mut || Some("10.96.0.7".into()), &mut || None);
        assert_eq!(
            serde_json::to_value(&first).unwrap(),
            json!({"clusterIP": "10.96.0.7", "clusterIPs": ["10.96.0.7"], "internalTrafficPolicy": "Cluster",
                "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}], "sessionAffinity": "None", "type": "ClusterIP"})
        );
        let mut again: ServiceSpec = serde_json::from_value(json!({"ports": [{"port": 80}]})).unwrap();
        service(
            &mut again,
            Some(&first),
            &mut || panic!("not allocated again"),
            &mut || None,
        );
        assert_eq!(again, first);
    }
}
