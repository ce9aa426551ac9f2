//! A tenant's objects, rendered once for the local engine and for clusters: its namespace (named
//! after the tenant, labelled [`TENANT_LABEL`]), a ServiceAccount for its developers, a Role and
//! RoleBinding that allow exactly what a function developer needs there and nothing
//! cluster-wide, a ResourceQuota (`--functions`, `--replicas`, `--cpu`, `--memory`), a LimitRange
//! giving every container default limits, and a NetworkPolicy that keeps other tenants'
//! namespaces from reaching its pods (created only where the server serves NetworkPolicies:
//! clusters, not the engine).

use k8s_openapi::api::core::v1::{LimitRange, Namespace, ResourceQuota, ServiceAccount};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

pub use crate::api::TENANT_LABEL;

/// The ServiceAccount whose token `kfn tenant kubeconfig` hands out.
pub const SERVICE_ACCOUNT: &str = "kfn-developer";
/// The Role (and its RoleBinding to the ServiceAccount) of a function developer.
pub const ROLE: &str = "kfn-developer";
/// The ResourceQuota, the LimitRange and the NetworkPolicy share this name.
pub const POLICY: &str = "kfn-tenant";

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

/// The objects of tenant `name` (a valid namespace name, checked by the caller).
pub fn tenant(name: &str, limits: &Limits) -> Tenant {
    let _ = (name, limits);
    todo!("render::tenant (helper C)")
}
