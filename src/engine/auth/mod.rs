//! Who a request comes from and what it may do. Authentication: the engine's own token is its
//! administrator (`kfn:local-admin` in `system:masters`); ServiceAccount tokens are JWTs the
//! engine signed (the TokenRequest API), checked for signature, audience, time and that their
//! ServiceAccount still exists with the same uid. Authorization: `system:masters` may do
//! anything, everyone else what the store's RBAC objects grant, as Kubernetes' RBAC
//! authorizer decides, with kube-apiserver's 403 messages.

pub mod bootstrap;
pub mod escalation;
mod impersonate;
pub mod rbac;
pub mod request;
pub mod token;

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::rbac::v1::PolicyRule;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use parking_lot::Mutex;
use serde::Deserialize;
use serde_json::json;

use crate::engine::objects::{ApiError, Objects, key_of};
pub use request::Attributes;

/// The user the engine's own token authenticates as.
pub const ADMIN: &str = "kfn:local-admin";
/// The group that RBAC never denies, as on a cluster.
pub const MASTERS: &str = "system:masters";
pub const AUTHENTICATED: &str = "system:authenticated";

/// An authenticated user.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct User {
    pub name: String,
    pub uid: String,
    pub groups: Vec<String>,
    pub extra: BTreeMap<String, Vec<String>>,
}

impl User {
    pub fn admin() -> User {
        User {
            name: ADMIN.to_string(),
            groups: vec![MASTERS.to_string(), AUTHENTICATED.to_string()],
            ..User::default()
        }
    }

    pub fn service_account(namespace: &str, name: &str, uid: &str) -> User {
        User {
            name: format!("system:serviceaccount:{namespace}:{name}"),
            uid: uid.to_string(),
            groups: vec![
                "system:serviceaccounts".to_string(),
                format!("system:serviceaccounts:{namespace}"),
                AUTHENTICATED.to_string(),
            ],
            extra: BTreeMap::new(),
        }
    }

    pub fn is_master(&self) -> bool {
        self.groups.iter().any(|g| g == MASTERS)
    }
}

/// The RBAC objects last read from the store, with the store's latest change to them then.
type Cached = (u64, Arc<rbac::Policy>);

/// The engine's credentials and its authorizer.
pub struct Auth {
    admin_token: String,
    signer: token::Signer,
    cache: Mutex<Option<Cached>>,
}

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";
const RBAC_PLURALS: [&str; 4] = ["clusterroles", "roles", "clusterrolebindings", "rolebindings"];
/// The store keys of the RBAC kinds (`ResourceDef::store_key`).
const RBAC_KEYS: [&str; 4] = [
    "rbac.authorization.k8s.io/clusterroles",
    "rbac.authorization.k8s.io/roles",
    "rbac.authorization.k8s.io/clusterrolebindings",
    "rbac.authorization.k8s.io/rolebindings",
];

impl Auth {
    /// `admin_token` is the engine's own token; `secret` the key its ServiceAccount tokens are
    /// signed with.
    pub fn new(admin_token: String, secret: &[u8]) -> Auth {
        Auth {
            admin_token,
            signer: token::Signer::new(secret),
            cache: Mutex::new(None),
        }
    }

    /// The user a bearer token authenticates, `None` when it is not a valid one.
    pub fn authenticate(&self, objects: &Objects, bearer: &str) -> Option<User> {
        if constant_time_eq(bearer.as_bytes(), self.admin_token.as_bytes()) {
            return Some(User::admin());
        }
        let claims = self.signer.verify(bearer)?;
        let ns = &claims.kubernetes.namespace;
        let sa = &claims.kubernetes.serviceaccount;
        if claims.sub != format!("system:serviceaccount:{ns}:{}", sa.name) {
            return None;
        }
        // A token stops working when its ServiceAccount is deleted (or replaced by another of
        // the same name).
        let registry = objects.registry();
        let def = registry.find("", "v1", "serviceaccounts")?;
        let stored = objects.store.get(&key_of(&def, Some(ns), &sa.name))?;
        let meta = ObjectMeta::deserialize(&stored.value["metadata"]).ok()?;
        if meta.uid.as_deref() != Some(sa.uid.as_str()) || meta.deletion_timestamp.is_some() {
            return None;
        }
        let mut user = User::service_account(ns, &sa.name, &sa.uid);
        user.extra.insert(
            "authentication.kubernetes.io/credential-id".to_string(),
            vec![format!("JTI={}", claims.jti)],
        );
        Some(user)
    }

    /// A token for a ServiceAccount (its namespace, name and uid) valid for `seconds`, and
    /// when it expires (Unix seconds).
    pub fn issue(&self, namespace: &str, name: &str, uid: &str, audiences: Vec<String>, seconds: i64) -> (String, i64) {
        let claims = token::Claims::new(namespace, name, uid, audiences, token::now(), seconds);
        (self.signer.sign(&claims), claims.exp)
    }

    /// The store's RBAC objects, read again only when one of them changed.
    fn policy(&self, objects: &Objects) -> Arc<rbac::Policy> {
        let changed = objects.store.changed_at(&RBAC_KEYS);
        if let Some((seen, policy)) = self.cache.lock().as_ref()
            && *seen == changed
        {
            return policy.clone();
        }
        let policy = Arc::new(read_policy(objects));
        *self.cache.lock() = Some((changed, policy.clone()));
        policy
    }

    /// Whether `user` may do what `attrs` describe, with the reason RBAC gives.
    /// The reason is what allowed it (empty for `system:masters`) or why not.
    pub fn allowed(&self, objects: &Objects, user: &User, attrs: &Attributes) -> Result<String, String> {
        if user.is_master() {
            return Ok(String::new());
        }
        self.policy(objects).authorize(user, attrs)
    }

    /// [`Auth::allowed`], or kube-apiserver's 403 for the request.
    pub fn authorize(&self, objects: &Objects, user: &User, attrs: &Attributes) -> Result<(), ApiError> {
        self.allowed(objects, user, attrs)
            .map(drop)
            .map_err(|reason| forbidden(user, attrs, &reason))
    }

    /// RBAC's escalation check for a write of `resource` (a plural of `group`) named `name` in
    /// `namespace` by `user`: `None` when it does not apply (not a Role, ClusterRole or binding,
    /// or a `system:masters` user). Built before the store is locked; [`Escalation::check`]
    /// is pure.
    pub fn escalation(
        &self,
        objects: &Objects,
        user: &User,
        group: &str,
        resource: &str,
        namespace: &str,
        name: &str,
    ) -> Option<Escalation> {
        if group != RBAC_GROUP || !RBAC_PLURALS.contains(&resource) || user.is_master() {
            return None;
        }
        Some(Escalation {
            policy: self.policy(objects),
            user: user.clone(),
            resource: resource.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
        })
    }

    /// The rules that apply to `user` in `namespace` (SelfSubjectRulesReview).
    pub fn rules(&self, objects: &Objects, user: &User, namespace: &str) -> (Vec<PolicyRule>, Vec<String>) {
        self.policy(objects).rules_for(user, namespace)
    }
}

/// RBAC's escalation check of one write (see [`Auth::escalation`]).
pub struct Escalation {
    policy: Arc<rbac::Policy>,
    user: User,
    resource: String,
    namespace: String,
    name: String,
}

impl Escalation {
    /// Whether the user may write `next` (replacing `current`, when there is one): as
    /// Kubernetes decides it, a Role or ClusterRole when the user may `escalate` it or holds
    /// every rule it grants, a binding when the user may `bind` its role or holds every rule of
    /// that role; an update that changes only what garbage collection changes always.
    pub fn check(&self, next: &serde_json::Value, current: Option<&serde_json::Value>) -> Result<(), ApiError> {
        if current.is_some_and(|c| only_gc_fields(c, next)) {
            return Ok(());
        }
        let name = next["metadata"]["name"].as_str().unwrap_or(&self.name).to_string();
        let may = |verb: &str, group: &str, resource: &str, name: &str| {
            let attrs = Attributes {
                verb: verb.to_string(),
                resource_request: true,
                group: group.to_string(),
                version: "*".to_string(),
                namespace: self.namespace.clone(),
                resource: resource.to_string(),
                name: name.to_string(),
                ..Attributes::default()
            };
            self.policy.authorize(&self.user, &attrs).is_ok()
        };
        let granted = match self.resource.as_str() {
            "roles" | "clusterroles" => {
                if may("escalate", RBAC_GROUP, &self.resource, &self.name) {
                    return Ok(());
                }
                #[derive(Deserialize)]
                struct Rules {
                    rules: Option<Vec<PolicyRule>>,
                }
                // What does not parse is refused by validation.
                let Ok(role) = Rules::deserialize(next) else {
                    return Ok(());
                };
                role.rules.unwrap_or_default()
            }
            _ => {
                #[derive(Deserialize)]
                struct Binding {
                    #[serde(rename = "roleRef")]
                    role_ref: k8s_openapi::api::rbac::v1::RoleRef,
                }
                let Ok(binding) = Binding::deserialize(next) else {
                    return Ok(());
                };
                let role_ref = binding.role_ref;
                let plural = match role_ref.kind.as_str() {
                    "ClusterRole" => "clusterroles",
                    "Role" => "roles",
                    _ => "",
                };
                let group = role_ref.api_group.as_deref().unwrap_or_default();
                if !plural.is_empty() && may("bind", group, plural, &role_ref.name) {
                    return Ok(());
                }
                // A missing role is a 404 named, as kube-apiserver names it, by the resource
                // of the request (its storage's lookup of the role) and the role's name.
                self.policy
                    .referenced_rules(&role_ref, &self.namespace)
                    .map_err(|_| ApiError::not_found(&self.qualified(), &self.resource, &role_ref.name))?
            }
        };
        let (held, errors) = self.policy.rules_for(&self.user, &self.namespace);
        // So are the user's bindings to missing roles, in the reason.
        let errors: Vec<String> = errors.iter().map(|e| self.renamed(e)).collect();
        let missing = escalation::covers(&held, &granted);
        if missing.is_empty() {
            return Ok(());
        }
        let reason = escalation::not_held(&self.user.name, &self.user.groups, missing, &errors);
        Err(self.forbidden(&name, &reason))
    }

    fn qualified(&self) -> String {
        format!("{}.{RBAC_GROUP}", self.resource)
    }

    /// A resolution error (`role.rbac.authorization.k8s.io "x" not found`) with the resource
    /// of the request in place of the role's, as kube-apiserver's escalation check reports it.
    fn renamed(&self, error: &str) -> String {
        ["role", "clusterrole"]
            .iter()
            .find_map(|kind| error.strip_prefix(&format!("{kind}.{RBAC_GROUP} ")))
            .map_or_else(|| error.to_string(), |rest| format!("{} {rest}", self.qualified()))
    }

    /// kube-apiserver's 403 for the object `name`: `<resource>.<group> "<name>" is forbidden: <reason>`.
    fn forbidden(&self, name: &str, reason: &str) -> ApiError {
        let message = format!("{} {name:?} is forbidden: {reason}", self.qualified());
        ApiError::new(403, "Forbidden", message).with_details(json!({
            "name": name, "group": RBAC_GROUP, "kind": self.resource,
        }))
    }
}

/// Whether `next` differs from `current` only in what garbage collection changes (owner
/// references and finalizers), or in what the server keeps itself.
fn only_gc_fields(current: &serde_json::Value, next: &serde_json::Value) -> bool {
    let strip = |v: &serde_json::Value| {
        let mut v = v.clone();
        if let Some(meta) = v["metadata"].as_object_mut() {
            for field in [
                "ownerReferences",
                "finalizers",
                "managedFields",
                "resourceVersion",
                "generation",
            ] {
                meta.remove(field);
            }
        }
        v
    };
    strip(current) == strip(next)
}

/// The policy of the RBAC objects listed (ClusterRoles, Roles, ClusterRoleBindings,
/// RoleBindings, in the order of `RBAC_PLURALS`).
fn policy_of(lists: &[Vec<Arc<crate::engine::store::Object>>]) -> rbac::Policy {
    fn typed<T: serde::de::DeserializeOwned>(list: &[Arc<crate::engine::store::Object>]) -> Vec<T> {
        list.iter()
            .filter_map(|o| serde_json::from_slice(&o.json).ok())
            .collect()
    }
    rbac::Policy::new(typed(&lists[0]), typed(&lists[1]), typed(&lists[2]), typed(&lists[3]))
}

/// The store's RBAC objects, read now.
fn read_policy(objects: &Objects) -> rbac::Policy {
    let lists: Vec<_> = RBAC_PLURALS
        .iter()
        .map(|plural| objects.store.list(&format!("{RBAC_GROUP}/{plural}"), None).0)
        .collect();
    policy_of(&lists)
}

/// kube-apiserver's 403 for a request that is not allowed, with the authorizer's reason.
pub fn forbidden(user: &User, attrs: &Attributes, reason: &str) -> ApiError {
    let what = if !attrs.resource_request {
        format!("User {:?} cannot {} path {:?}", user.name, attrs.verb, attrs.path)
    } else if !attrs.namespace.is_empty() {
        format!(
            "User {:?} cannot {} resource {:?} in API group {:?} in the namespace {:?}",
            user.name,
            attrs.verb,
            attrs.combined_resource(),
            attrs.group,
            attrs.namespace
        )
    } else {
        format!(
            "User {:?} cannot {} resource {:?} in API group {:?} at the cluster scope",
            user.name,
            attrs.verb,
            attrs.combined_resource(),
            attrs.group
        )
    };
    let what = match reason {
        "" => what,
        reason => format!("{what}: {reason}"),
    };
    let qualified = match (attrs.resource.as_str(), attrs.group.as_str()) {
        ("", _) => String::new(),
        (resource, "") => resource.to_string(),
        (resource, group) => format!("{resource}.{group}"),
    };
    let message = match (qualified.as_str(), attrs.name.as_str()) {
        ("", _) => format!("forbidden: {what}"),
        (q, "") => format!("{q} is forbidden: {what}"),
        (q, name) => format!("{q} {name:?} is forbidden: {what}"),
    };
    let mut details = serde_json::Map::new();
    for (field, value) in [
        ("name", &attrs.name),
        ("group", &attrs.group),
        ("kind", &attrs.resource),
    ] {
        if !value.is_empty() {
            details.insert(field.to_string(), json!(value));
        }
    }
    ApiError::new(403, "Forbidden", message).with_details(serde_json::Value::Object(details))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    fn escalation(objects: serde_json::Value, resource: &str, name: &str) -> Escalation {
        let policy = rbac::tests::policy(objects);
        Escalation {
            policy: Arc::new(policy),
            user: User::service_account("a", "dev", "u"),
            resource: resource.to_string(),
            namespace: "a".to_string(),
            name: name.to_string(),
        }
    }

    fn dev_may(rules: serde_json::Value) -> serde_json::Value {
        json!([
            {"kind": "Role", "metadata": {"name": "dev", "namespace": "a"}, "rules": rules},
            {"kind": "RoleBinding", "metadata": {"name": "dev", "namespace": "a"},
                "roleRef": {"apiGroup": RBAC_GROUP, "kind": "Role", "name": "dev"},
                "subjects": [{"kind": "ServiceAccount", "name": "dev"}]},
            {"kind": "ClusterRole", "metadata": {"name": "admin"}, "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]},
        ])
    }

    #[test]
    fn escalation_is_refused_unless_held_escalate_or_bind() {
        let rules = json!([{"apiGroups": ["kubeless.io"], "resources": ["functions"], "verbs": ["get"]}]);
        let role = |verbs: serde_json::Value| json!({"metadata": {"name": "r"}, "rules": [{"apiGroups": ["kubeless.io"], "resources": ["functions"], "verbs": verbs}]});
        let check = escalation(dev_may(rules.clone()), "roles", "");
        assert!(check.check(&role(json!(["get"])), None).is_ok());
        let err = check.check(&role(json!(["get", "delete"])), None).unwrap_err();
        assert_eq!(err.code, 403);
        assert!(
            err.message.starts_with(
                "roles.rbac.authorization.k8s.io \"r\" is forbidden: user \"system:serviceaccount:a:dev\""
            ) && err.message.ends_with(
                "not currently held:\n{APIGroups:[\"kubeless.io\"], Resources:[\"functions\"], Verbs:[\"delete\"]}"
            ),
            "{}",
            err.message
        );
        // Changing only owner references or finalizers is not checked.
        let mut owned = role(json!(["get", "delete"]));
        owned["metadata"]["finalizers"] = json!(["x"]);
        assert!(check.check(&owned, Some(&role(json!(["get", "delete"])))).is_ok());
        // `escalate` allows any Role.
        let mut may = rules.as_array().unwrap().clone();
        may.push(json!({"apiGroups": [RBAC_GROUP], "resources": ["roles"], "verbs": ["escalate"]}));
        let check = escalation(dev_may(json!(may)), "roles", "");
        assert!(check.check(&role(json!(["*"])), None).is_ok());
        // Binding: the role's rules held, `bind` on it by name, or refused; a missing role is a 404.
        let binding = |kind: &str, name: &str| json!({"metadata": {"name": "b"}, "roleRef": {"apiGroup": RBAC_GROUP, "kind": kind, "name": name}});
        let check = escalation(dev_may(rules.clone()), "rolebindings", "");
        assert!(check.check(&binding("Role", "dev"), None).is_ok());
        let err = check.check(&binding("ClusterRole", "admin"), None).unwrap_err();
        assert!(
            err.message
                .contains("{APIGroups:[\"*\"], Resources:[\"*\"], Verbs:[\"*\"]}"),
            "{}",
            err.message
        );
        let err = check.check(&binding("Role", "gone"), None).unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (404, "rolebindings.rbac.authorization.k8s.io \"gone\" not found")
        );
        let mut may = rules.as_array().unwrap().clone();
        may.push(json!({"apiGroups": [RBAC_GROUP], "resources": ["clusterroles"], "resourceNames": ["admin"], "verbs": ["bind"]}));
        let check = escalation(dev_may(json!(may)), "rolebindings", "");
        assert!(check.check(&binding("ClusterRole", "admin"), None).is_ok());
    }

    #[test]
    fn forbidden_messages_are_kube_apiservers() {
        let dev = User::service_account("a", "kfn-developer", "u");
        let get = Attributes::of(&Method::GET, "/apis/kubeless.io/v1beta1/namespaces/b/functions/f", None);
        let err = forbidden(&dev, &get, "");
        assert_eq!(
            err.message,
            "functions.kubeless.io \"f\" is forbidden: User \"system:serviceaccount:a:kfn-developer\" cannot get resource \"functions\" in API group \"kubeless.io\" in the namespace \"b\""
        );
        assert_eq!(
            err.to_status()["details"],
            json!({"name": "f", "group": "kubeless.io", "kind": "functions"})
        );
        let list = Attributes::of(&Method::GET, "/apis/kubeless.io/v1beta1/functions", None);
        assert_eq!(
            forbidden(&dev, &list, "").message,
            "functions.kubeless.io is forbidden: User \"system:serviceaccount:a:kfn-developer\" cannot list resource \"functions\" in API group \"kubeless.io\" at the cluster scope"
        );
        let log = Attributes::of(&Method::GET, "/api/v1/namespaces/b/pods/p/log", None);
        assert_eq!(
            forbidden(&dev, &log, "").message,
            "pods \"p\" is forbidden: User \"system:serviceaccount:a:kfn-developer\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"b\""
        );
        let path = Attributes::of(&Method::GET, "/foo", None);
        assert_eq!(
            forbidden(&dev, &path, "").message,
            "forbidden: User \"system:serviceaccount:a:kfn-developer\" cannot get path \"/foo\""
        );
    }
}
