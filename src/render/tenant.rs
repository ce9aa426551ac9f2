//! A tenant's objects, rendered once for the local engine and for clusters: its namespace (named
//! after the tenant, labelled [`TENANT_LABEL`]), a ServiceAccount for its developers, a Role and
//! RoleBinding that allow exactly what a function developer needs there and nothing
//! cluster-wide, a ResourceQuota (`--functions`, `--replicas`, `--cpu`, `--memory`), a LimitRange
//! giving every container default limits, and a NetworkPolicy that keeps other tenants'
//! namespaces from reaching its pods (created only where the server serves NetworkPolicies:
//! clusters, not the engine).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    LimitRange, LimitRangeItem, LimitRangeSpec, Namespace, ResourceQuota, ResourceQuotaSpec, ServiceAccount,
};
use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicySpec};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement, ObjectMeta};

pub use crate::api::TENANT_LABEL;

/// The ServiceAccount whose token `kfn tenant kubeconfig` hands out.
pub const SERVICE_ACCOUNT: &str = "kfn-developer";
/// The Role (and its RoleBinding to the ServiceAccount) of a function developer.
pub const ROLE: &str = "kfn-developer";
/// The ResourceQuota, the LimitRange and the NetworkPolicy share this name.
pub const POLICY: &str = "kfn-tenant";

/// The Pod Security Standard a tenant's namespace enforces (clusters' PodSecurity admission):
/// `baseline` refuses hostPath volumes, host namespaces and ports, privileged containers and
/// added capabilities, all of which a Function's `spec.deployment` could otherwise ask for.
pub const POD_SECURITY: [(&str, &str); 2] = [
    ("pod-security.kubernetes.io/enforce", "baseline"),
    ("pod-security.kubernetes.io/enforce-version", "latest"),
];

/// What a tenant may use; `None` is unlimited.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Limits {
    /// Functions (`count/functions.kubeless.io`).
    pub functions: Option<u32>,
    /// Replicas (`pods`).
    pub replicas: Option<u32>,
    /// CPU of all its replicas together (`requests.cpu` and `limits.cpu`).
    pub cpu: Option<Quantity>,
    /// Memory of all its replicas together (`requests.memory` and `limits.memory`).
    pub memory: Option<Quantity>,
}

/// Every object of one tenant, in the order they are created.
#[derive(Clone, Debug)]
pub struct Tenant {
    pub namespace: Namespace,
    pub service_account: ServiceAccount,
    pub role: Role,
    pub role_binding: RoleBinding,
    pub quota: ResourceQuota,
    pub limit_range: LimitRange,
    /// Created on clusters only (the engine does not serve NetworkPolicies).
    pub network_policy: NetworkPolicy,
}

/// The quota key `--functions` limits.
pub const FUNCTIONS_KEY: &str = "count/functions.kubeless.io";
/// The quota key `--replicas` limits.
pub const REPLICAS_KEY: &str = "pods";
/// The quota keys `--cpu` limits (requests and limits alike).
pub const CPU_KEYS: [&str; 2] = ["requests.cpu", "limits.cpu"];
/// The quota keys `--memory` limits.
pub const MEMORY_KEYS: [&str; 2] = ["requests.memory", "limits.memory"];

/// What a container of the tenant that asks for nothing requests (LimitRange
/// `defaultRequest`): about what an idle replica uses (a Python hello: some 26 MiB).
pub const DEFAULT_REQUEST: Resources = Resources {
    cpu: "100m",
    memory: "64Mi",
};
/// The limits such a container gets (LimitRange `default`).
pub const DEFAULT_LIMIT: Resources = Resources {
    cpu: "500m",
    memory: "128Mi",
};

/// CPU and memory of one container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resources {
    pub cpu: &'static str,
    pub memory: &'static str,
}

/// Every verb of a namespaced resource.
const ALL: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
];
/// Reading, and watching.
const READ: &[&str] = &["get", "list", "watch"];

/// What a function developer may do in the tenant's namespace, by API group: everything with
/// functions, triggers, flows and their executions, secrets and configmaps (function deploy
/// --secrets, kinesis --secret); calling functions (services/proxy, as `function call` and
/// `top` do); reading what kfn made of them (deployments, pods and their logs, events,
/// services, HPAs, Ingresses, CronJobs) and the tenant's own quota and limits.
pub fn developer_rules() -> Vec<PolicyRule> {
    let rule = |group: &str, resources: &[&str], verbs: &[&str]| PolicyRule {
        api_groups: Some(vec![group.to_string()]),
        resources: Some(resources.iter().map(|r| r.to_string()).collect()),
        verbs: verbs.iter().map(|v| v.to_string()).collect(),
        ..Default::default()
    };
    vec![
        rule(
            crate::api::GROUP,
            &[
                "functions",
                "httptriggers",
                "cronjobtriggers",
                "kafkatriggers",
                "natstriggers",
                "kinesistriggers",
            ],
            ALL,
        ),
        rule("kfn.io", &["flows", "executions"], ALL),
        rule("", &["configmaps", "secrets"], ALL),
        rule("", &["services/proxy"], &["get", "create", "update", "patch", "delete"]),
        rule(
            "",
            &[
                "services",
                "endpoints",
                "pods",
                "pods/log",
                "events",
                "resourcequotas",
                "limitranges",
            ],
            READ,
        ),
        rule("events.k8s.io", &["events"], READ),
        rule("apps", &["deployments", "replicasets"], READ),
        rule("autoscaling", &["horizontalpodautoscalers"], READ),
        rule("networking.k8s.io", &["ingresses"], READ),
        rule("batch", &["cronjobs", "jobs"], READ),
    ]
}

fn meta(name: &str, namespace: Option<&str>, tenant: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: namespace.map(str::to_string),
        labels: Some(BTreeMap::from([(TENANT_LABEL.to_string(), tenant.to_string())])),
        ..Default::default()
    }
}

/// The quota's `hard`: only the keys a limit was given for (empty: the quota only counts).
pub fn hard(limits: &Limits) -> BTreeMap<String, Quantity> {
    let mut hard = BTreeMap::new();
    if let Some(n) = limits.functions {
        hard.insert(FUNCTIONS_KEY.to_string(), Quantity(n.to_string()));
    }
    if let Some(n) = limits.replicas {
        hard.insert(REPLICAS_KEY.to_string(), Quantity(n.to_string()));
    }
    for (keys, total) in [(CPU_KEYS, &limits.cpu), (MEMORY_KEYS, &limits.memory)] {
        if let Some(q) = total {
            for key in keys {
                hard.insert(key.to_string(), q.clone());
            }
        }
    }
    hard
}

/// `default` capped at `max` (a LimitRange whose default is over its max is refused).
fn capped(default: &str, max: Option<&Quantity>) -> Quantity {
    let value = |q: &str| crate::api::quantity::value(q).unwrap_or(f64::INFINITY);
    match max {
        Some(m) if value(&m.0) < value(default) => m.clone(),
        _ => Quantity(default.to_string()),
    }
}

fn resources(cpu: Quantity, memory: Quantity) -> BTreeMap<String, Quantity> {
    BTreeMap::from([("cpu".to_string(), cpu), ("memory".to_string(), memory)])
}

/// The objects of tenant `name` (a valid namespace name, checked by the caller).
pub fn tenant(name: &str, limits: &Limits) -> Tenant {
    let ns = Some(name);
    let mut namespace = Namespace {
        metadata: meta(name, None, name),
        ..Default::default()
    };
    // On clusters the controller makes the tenant's Pods from what its Functions say: Pod
    // Security admission keeps them from host paths, the host's network and privileges.
    namespace
        .metadata
        .labels
        .get_or_insert_default()
        .extend(POD_SECURITY.map(|(k, v)| (k.to_string(), v.to_string())));
    let service_account = ServiceAccount {
        metadata: meta(SERVICE_ACCOUNT, ns, name),
        ..Default::default()
    };
    let role = Role {
        metadata: meta(ROLE, ns, name),
        rules: Some(developer_rules()),
    };
    let role_binding = RoleBinding {
        metadata: meta(ROLE, ns, name),
        role_ref: RoleRef {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: "Role".into(),
            name: ROLE.into(),
        },
        subjects: Some(vec![Subject {
            kind: "ServiceAccount".into(),
            name: SERVICE_ACCOUNT.into(),
            namespace: Some(name.to_string()),
            ..Default::default()
        }]),
    };
    let quota = ResourceQuota {
        metadata: meta(POLICY, ns, name),
        spec: Some(ResourceQuotaSpec {
            hard: Some(hard(limits)),
            ..Default::default()
        }),
        ..Default::default()
    };
    let (cpu, memory) = (limits.cpu.as_ref(), limits.memory.as_ref());
    let mut max = BTreeMap::new();
    if let Some(c) = cpu {
        max.insert("cpu".to_string(), c.clone());
    }
    if let Some(m) = memory {
        max.insert("memory".to_string(), m.clone());
    }
    let limit_range = LimitRange {
        metadata: meta(POLICY, ns, name),
        spec: Some(LimitRangeSpec {
            limits: vec![LimitRangeItem {
                type_: "Container".into(),
                default: Some(resources(
                    capped(DEFAULT_LIMIT.cpu, cpu),
                    capped(DEFAULT_LIMIT.memory, memory),
                )),
                default_request: Some(resources(
                    capped(DEFAULT_REQUEST.cpu, cpu),
                    capped(DEFAULT_REQUEST.memory, memory),
                )),
                max: (!max.is_empty()).then_some(max),
                ..Default::default()
            }],
        }),
    };
    let network_policy = NetworkPolicy {
        metadata: meta(POLICY, ns, name),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector::default()),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(vec![NetworkPolicyIngressRule {
                from: Some(vec![
                    // Its own pods.
                    NetworkPolicyPeer {
                        pod_selector: Some(LabelSelector::default()),
                        ..Default::default()
                    },
                    // Namespaces that are no tenant's: the activator's, the Ingress controller's.
                    NetworkPolicyPeer {
                        namespace_selector: Some(LabelSelector {
                            match_expressions: Some(vec![LabelSelectorRequirement {
                                key: TENANT_LABEL.into(),
                                operator: "DoesNotExist".into(),
                                values: None,
                            }]),
                            ..Default::default()
                        }),
                        ..Default::default()
                    },
                ]),
                ..Default::default()
            }]),
            ..Default::default()
        }),
    };
    Tenant {
        namespace,
        service_account,
        role,
        role_binding,
        quota,
        limit_range,
        network_policy,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            functions: Some(2),
            replicas: Some(4),
            cpu: Some(Quantity("2".into())),
            memory: Some(Quantity("100Mi".into())),
        }
    }

    #[test]
    fn every_object_is_in_the_tenants_namespace_and_labelled() {
        let t = tenant("team-a", &Limits::default());
        assert_eq!(t.namespace.metadata.name.as_deref(), Some("team-a"));
        let metas = [
            &t.service_account.metadata,
            &t.role.metadata,
            &t.role_binding.metadata,
            &t.quota.metadata,
            &t.limit_range.metadata,
            &t.network_policy.metadata,
        ];
        for m in [&t.namespace.metadata].into_iter().chain(metas) {
            assert_eq!(m.labels.as_ref().unwrap()[TENANT_LABEL], "team-a", "{m:?}");
        }
        for m in metas {
            assert_eq!(m.namespace.as_deref(), Some("team-a"), "{m:?}");
        }
        let labels = t.namespace.metadata.labels.as_ref().unwrap();
        assert_eq!(labels["pod-security.kubernetes.io/enforce"], "baseline");
        let subject = &t.role_binding.subjects.as_ref().unwrap()[0];
        assert_eq!(
            (subject.kind.as_str(), subject.name.as_str()),
            ("ServiceAccount", SERVICE_ACCOUNT)
        );
        assert_eq!(subject.namespace.as_deref(), Some("team-a"));
        assert_eq!(
            (
                t.role_binding.role_ref.kind.as_str(),
                t.role_binding.role_ref.name.as_str()
            ),
            ("Role", ROLE)
        );
    }

    #[test]
    fn the_quota_holds_only_the_limits_given() {
        assert!(hard(&Limits::default()).is_empty());
        let h = hard(&limits());
        let keys: Vec<&str> = h.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "count/functions.kubeless.io",
                "limits.cpu",
                "limits.memory",
                "pods",
                "requests.cpu",
                "requests.memory"
            ]
        );
        assert_eq!(h["count/functions.kubeless.io"].0, "2");
        assert_eq!(h["pods"].0, "4");
        assert_eq!(h["limits.memory"].0, "100Mi");
        let only = hard(&Limits {
            functions: Some(1),
            ..Default::default()
        });
        assert_eq!(only.keys().collect::<Vec<_>>(), ["count/functions.kubeless.io"]);
    }

    #[test]
    fn default_limits_are_capped_at_the_tenants_totals() {
        let free = tenant("t", &Limits::default());
        let item = &free.limit_range.spec.as_ref().unwrap().limits[0];
        assert_eq!(item.type_, "Container");
        assert_eq!(item.default.as_ref().unwrap()["memory"].0, DEFAULT_LIMIT.memory);
        assert_eq!(item.default_request.as_ref().unwrap()["cpu"].0, DEFAULT_REQUEST.cpu);
        assert!(item.max.is_none());
        let small = tenant("t", &limits());
        let item = &small.limit_range.spec.as_ref().unwrap().limits[0];
        assert_eq!(item.default.as_ref().unwrap()["memory"].0, "100Mi", "128Mi capped");
        assert_eq!(item.default.as_ref().unwrap()["cpu"].0, DEFAULT_LIMIT.cpu, "under 2");
        assert_eq!(
            item.default_request.as_ref().unwrap()["memory"].0,
            DEFAULT_REQUEST.memory
        );
        assert_eq!(item.max.as_ref().unwrap()["memory"].0, "100Mi");
    }

    #[test]
    fn the_role_is_namespaced_work_on_functions_and_reading_what_kfn_made() {
        let rules = developer_rules();
        let allows = |group: &str, resource: &str, verb: &str| {
            rules.iter().any(|r| {
                r.api_groups.as_ref().unwrap().iter().any(|g| g == group)
                    && r.resources.as_ref().unwrap().iter().any(|x| x == resource)
                    && r.verbs.iter().any(|v| v == verb)
            })
        };
        assert!(allows("kubeless.io", "functions", "create"));
        assert!(allows("kfn.io", "executions", "delete"));
        assert!(allows("", "services/proxy", "create"), "function call");
        assert!(allows("", "pods/log", "get"), "function logs");
        assert!(!allows("", "pods", "delete"));
        assert!(
            !allows("apps", "deployments", "update"),
            "the engine/controller owns them"
        );
        assert!(
            !allows("", "resourcequotas", "update"),
            "a tenant cannot raise its quota"
        );
        assert!(!allows("rbac.authorization.k8s.io", "roles", "create"));
        assert!(rules.iter().all(|r| !r.verbs.iter().any(|v| v == "*")));
    }

    #[test]
    fn other_tenants_namespaces_cannot_reach_the_pods() {
        let t = tenant("t", &Limits::default());
        let spec = t.network_policy.spec.unwrap();
        assert_eq!(spec.pod_selector, Some(LabelSelector::default()), "every pod");
        let from = spec.ingress.unwrap()[0].from.clone().unwrap();
        assert_eq!(from[0].pod_selector, Some(LabelSelector::default()));
        assert!(from[0].namespace_selector.is_none(), "its own namespace only");
        let req = &from[1]
            .namespace_selector
            .as_ref()
            .unwrap()
            .match_expressions
            .as_ref()
            .unwrap()[0];
        assert_eq!(
            (req.key.as_str(), req.operator.as_str()),
            (TENANT_LABEL, "DoesNotExist")
        );
    }
}
