//! The RBAC authorizer, as Kubernetes evaluates it: the rules of the ClusterRoles bound to the
//! user by ClusterRoleBindings, then of the Roles and ClusterRoles bound by RoleBindings in the
//! request's namespace; a request is allowed when one rule matches it. Pure: it reads a
//! [`Policy`] built from the store's RBAC objects.

use std::collections::{BTreeMap, HashMap};

use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject};
use kube::core::{Selector, SelectorExt};

use super::User;
use super::request::Attributes;

/// The RBAC objects of the store, typed.
#[derive(Default, Debug)]
pub struct Policy {
    cluster_roles: HashMap<String, ClusterRole>,
    /// Roles by namespace and name.
    roles: HashMap<(String, String), Role>,
    cluster_role_bindings: Vec<ClusterRoleBinding>,
    /// RoleBindings by namespace.
    role_bindings: HashMap<String, Vec<RoleBinding>>,
}

impl Policy {
    pub fn new(
        cluster_roles: Vec<ClusterRole>,
        roles: Vec<Role>,
        cluster_role_bindings: Vec<ClusterRoleBinding>,
        role_bindings: Vec<RoleBinding>,
    ) -> Policy {
        let mut policy = Policy {
            cluster_role_bindings,
            ..Policy::default()
        };
        for role in cluster_roles {
            policy
                .cluster_roles
                .insert(role.metadata.name.clone().unwrap_or_default(), role);
        }
        for role in roles {
            let key = (
                role.metadata.namespace.clone().unwrap_or_default(),
                role.metadata.name.clone().unwrap_or_default(),
            );
            policy.roles.insert(key, role);
        }
        for binding in role_bindings {
            let ns = binding.metadata.namespace.clone().unwrap_or_default();
            policy.role_bindings.entry(ns).or_default().push(binding);
        }
        policy
    }

    /// The rules of a ClusterRole: its own, or for an aggregated one (`aggregationRule`) those
    /// of every ClusterRole its selectors pick, as Kubernetes' aggregation controller fills them in.
    fn cluster_role_rules(&self, role: &ClusterRole) -> Vec<PolicyRule> {
        let Some(selectors) = role
            .aggregation_rule
            .as_ref()
            .and_then(|a| a.cluster_role_selectors.as_ref())
        else {
            return role.rules.clone().unwrap_or_default();
        };
        let selectors: Vec<Selector> = selectors
            .iter()
            .filter_map(|s| Selector::try_from(s.clone()).ok())
            .collect();
        let mut names: Vec<&String> = self.cluster_roles.keys().collect();
        names.sort();
        let mut rules: Vec<PolicyRule> = Vec::new();
        for name in names {
            let other = &self.cluster_roles[name];
            if other.metadata.name == role.metadata.name || other.aggregation_rule.is_some() {
                continue;
            }
            let empty = BTreeMap::new();
            let labels = other.metadata.labels.as_ref().unwrap_or(&empty);
            if selectors.iter().any(|s| s.matches(labels)) {
                for rule in other.rules.iter().flatten() {
                    if !rules.contains(rule) {
                        rules.push(rule.clone());
                    }
                }
            }
        }
        rules
    }

    /// The rules a role reference names in `namespace` (for a Role), or Kubernetes' error
    /// when the role is missing.
    pub fn referenced_rules(&self, role_ref: &RoleRef, namespace: &str) -> Result<Vec<PolicyRule>, String> {
        self.referenced(role_ref, namespace)
    }

    /// The aggregated ClusterRoles: name, the rules stored in them, and the rules their
    /// selectors gather now.
    pub fn aggregated(&self) -> Vec<(String, Vec<PolicyRule>, Vec<PolicyRule>)> {
        let mut out: Vec<_> = self
            .cluster_roles
            .iter()
            .filter(|(_, r)| r.aggregation_rule.is_some())
            .map(|(name, r)| {
                (
                    name.clone(),
                    r.rules.clone().unwrap_or_default(),
                    self.cluster_role_rules(r),
                )
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// The rules a role reference names, or the error Kubernetes reports when it is missing.
    fn referenced(&self, role_ref: &RoleRef, namespace: &str) -> Result<Vec<PolicyRule>, String> {
        match role_ref.kind.as_str() {
            "ClusterRole" => self
                .cluster_roles
                .get(&role_ref.name)
                .map(|r| self.cluster_role_rules(r))
                .ok_or_else(|| format!("clusterrole.rbac.authorization.k8s.io \"{}\" not found", role_ref.name)),
            "Role" => self
                .roles
                .get(&(namespace.to_string(), role_ref.name.clone()))
                .map(|r| r.rules.clone().unwrap_or_default())
                .ok_or_else(|| format!("role.rbac.authorization.k8s.io \"{}\" not found", role_ref.name)),
            other => Err(format!("unsupported role reference kind: \"{other}\"")),
        }
    }

    /// Shows `visit` the rules of each binding naming `user` that applies in `namespace`
    /// (ClusterRoleBindings, then the namespace's RoleBindings), with the binding described
    /// as Kubernetes describes it, until `visit` returns false.
    fn visit(
        &self,
        user: &User,
        namespace: &str,
        mut visit: impl FnMut(&dyn Fn() -> String, Result<Vec<PolicyRule>, String>) -> bool,
    ) {
        for binding in &self.cluster_role_bindings {
            let subjects = binding.subjects.as_deref().unwrap_or_default();
            if let Some(subject) = applies(user, subjects, "") {
                let describe = || {
                    format!(
                        "ClusterRoleBinding {:?} of {} {:?} to {}",
                        binding.metadata.name.as_deref().unwrap_or_default(),
                        binding.role_ref.kind,
                        binding.role_ref.name,
                        describe_subject(subject, "")
                    )
                };
                if !visit(&describe, self.referenced(&binding.role_ref, "")) {
                    return;
                }
            }
        }
        if namespace.is_empty() {
            return;
        }
        for binding in self.role_bindings.get(namespace).into_iter().flatten() {
            let subjects = binding.subjects.as_deref().unwrap_or_default();
            if let Some(subject) = applies(user, subjects, namespace) {
                let describe = || {
                    format!(
                        "RoleBinding {:?} of {} {:?} to {}",
                        format!("{}/{namespace}", binding.metadata.name.as_deref().unwrap_or_default()),
                        binding.role_ref.kind,
                        binding.role_ref.name,
                        describe_subject(subject, namespace)
                    )
                };
                if !visit(&describe, self.referenced(&binding.role_ref, namespace)) {
                    return;
                }
            }
        }
    }

    /// Every rule that applies to `user` in `namespace` (cluster-wide ones only when it is
    /// empty), with the errors of bindings whose role is missing.
    pub fn rules_for(&self, user: &User, namespace: &str) -> (Vec<PolicyRule>, Vec<String>) {
        let (mut rules, mut errors) = (Vec::new(), Vec::new());
        self.visit(user, namespace, |_, found| {
            match found {
                Ok(found) => rules.extend(found),
                Err(e) => errors.push(e),
            }
            true
        });
        (rules, errors)
    }

    /// Whether the request is allowed, with the reason Kubernetes gives: what allowed it
    /// (`RBAC: allowed by RoleBinding "dev/a" of Role "dev" to ServiceAccount "dev/a"`), or what
    /// it appends to a refusal (`rbac: RBAC: role.rbac.authorization.k8s.io "x" not found`,
    /// empty when there is nothing to say).
    pub fn authorize(&self, user: &User, attrs: &Attributes) -> Result<String, String> {
        let (mut allowed, mut errors) = (None, Vec::new());
        self.visit(user, &attrs.namespace, |describe, found| match found {
            Ok(rules) if rules.iter().any(|r| rule_allows(r, attrs)) => {
                allowed = Some(format!("RBAC: allowed by {}", describe()));
                false
            }
            Ok(_) => true,
            Err(e) => {
                errors.push(e);
                true
            }
        });
        if let Some(reason) = allowed {
            return Ok(reason);
        }
        // As kube-apiserver words it: its RBAC authorizer's reason, prefixed with the
        // authorizer's name by the chain of authorizers.
        Err(match errors.as_slice() {
            [] => String::new(),
            [one] => format!("rbac: RBAC: {one}"),
            many => format!("rbac: RBAC: [{}]", many.join(", ")),
        })
    }
}

/// A subject as Kubernetes' reasons name it (`ServiceAccount "dev/a"`, `Group "x"`).
fn describe_subject(s: &Subject, namespace: &str) -> String {
    match s.kind.as_str() {
        "ServiceAccount" => {
            let ns = s.namespace.as_deref().filter(|n| !n.is_empty()).unwrap_or(namespace);
            format!("{} {:?}", s.kind, format!("{}/{ns}", s.name))
        }
        _ => format!("{} {:?}", s.kind, s.name),
    }
}

/// The first of a binding's subjects that names the user (a ServiceAccount subject without a
/// namespace is in the binding's namespace).
fn applies<'a>(user: &User, subjects: &'a [Subject], namespace: &str) -> Option<&'a Subject> {
    subjects.iter().find(|s| match s.kind.as_str() {
        "User" => user.name == s.name,
        "Group" => user.groups.contains(&s.name),
        "ServiceAccount" => {
            let ns = s.namespace.as_deref().filter(|n| !n.is_empty()).unwrap_or(namespace);
            !ns.is_empty() && user.name == format!("system:serviceaccount:{ns}:{}", s.name)
        }
        _ => false,
    })
}

/// Whether one rule allows the request.
pub fn rule_allows(rule: &PolicyRule, attrs: &Attributes) -> bool {
    let verb = rule.verbs.iter().any(|v| v == "*" || *v == attrs.verb);
    if !verb {
        return false;
    }
    if !attrs.resource_request {
        return rule
            .non_resource_urls
            .iter()
            .flatten()
            .any(|url| url_matches(url, &attrs.path));
    }
    let groups = rule.api_groups.iter().flatten().any(|g| g == "*" || *g == attrs.group);
    let combined = attrs.combined_resource();
    let resources = rule.resources.iter().flatten().any(|r| {
        r == "*"
            || *r == combined
            || (!attrs.subresource.is_empty()
                && r.len() == attrs.subresource.len() + 2
                && r.starts_with("*/")
                && r.ends_with(attrs.subresource.as_str()))
    });
    let names = match rule.resource_names.as_deref() {
        None | Some([]) => true,
        Some(names) => names.contains(&attrs.name),
    };
    groups && resources && names
}

fn url_matches(rule: &str, path: &str) -> bool {
    rule == "*" || rule == path || rule.strip_suffix('*').is_some_and(|prefix| path.starts_with(prefix))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use http::Method;
    use serde_json::json;

    fn sa(ns: &str, name: &str) -> User {
        User::service_account(ns, name, "uid")
    }

    /// The policy of a JSON array of ClusterRoles, Roles, ClusterRoleBindings and RoleBindings
    /// (also for the escalation tests in auth/mod.rs).
    pub(in crate::engine::auth) fn policy(objects: serde_json::Value) -> Policy {
        fn typed<T: serde::de::DeserializeOwned>(objects: &serde_json::Value, kind: &str) -> Vec<T> {
            objects
                .as_array()
                .unwrap()
                .iter()
                .filter(|o| o["kind"] == kind)
                .map(|o| serde_json::from_value(o.clone()).unwrap())
                .collect()
        }
        Policy::new(
            typed(&objects, "ClusterRole"),
            typed(&objects, "Role"),
            typed(&objects, "ClusterRoleBinding"),
            typed(&objects, "RoleBinding"),
        )
    }

    fn req(method: Method, path: &str) -> Attributes {
        Attributes::of(&method, path, None)
    }

    fn tenant() -> Policy {
        policy(json!([
            {"kind": "Role", "metadata": {"name": "dev", "namespace": "a"}, "rules": [
                {"apiGroups": ["kubeless.io"], "resources": ["functions"], "verbs": ["get", "list", "create"]},
                {"apiGroups": [""], "resources": ["pods/log", "services/proxy"], "verbs": ["get", "create"]},
                {"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["only"], "verbs": ["*"]},
            ]},
            {"kind": "RoleBinding", "metadata": {"name": "dev", "namespace": "a"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "dev"},
                "subjects": [{"kind": "ServiceAccount", "name": "kfn-developer"}]},
            {"kind": "ClusterRole", "metadata": {"name": "discovery"}, "rules": [
                {"nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/version"], "verbs": ["get"]}]},
            {"kind": "ClusterRoleBinding", "metadata": {"name": "discovery"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "discovery"},
                "subjects": [{"kind": "Group", "name": "system:authenticated"}]},
        ]))
    }

    #[test]
    fn a_role_allows_its_verbs_in_its_namespace_only() {
        let (p, dev) = (tenant(), sa("a", "kfn-developer"));
        assert_eq!(
            p.authorize(
                &dev,
                &req(Method::GET, "/apis/kubeless.io/v1beta1/namespaces/a/functions")
            ),
            Ok("RBAC: allowed by RoleBinding \"dev/a\" of Role \"dev\" to ServiceAccount \"kfn-developer/a\"".into())
        );
        assert!(
            p.authorize(
                &dev,
                &req(Method::GET, "/apis/kubeless.io/v1beta1/namespaces/a/functions/f")
            )
            .is_ok()
        );
        assert!(
            p.authorize(
                &dev,
                &req(Method::DELETE, "/apis/kubeless.io/v1beta1/namespaces/a/functions/f")
            )
            .is_err()
        );
        assert!(
            p.authorize(
                &dev,
                &req(Method::GET, "/apis/kubeless.io/v1beta1/namespaces/b/functions")
            )
            .is_err()
        );
        assert!(
            p.authorize(&dev, &req(Method::GET, "/apis/kubeless.io/v1beta1/functions"))
                .is_err()
        );
        // Another ServiceAccount of the same name elsewhere is someone else.
        assert!(
            p.authorize(
                &sa("b", "kfn-developer"),
                &req(Method::GET, "/apis/kubeless.io/v1beta1/namespaces/a/functions")
            )
            .is_err()
        );
    }

    #[test]
    fn subresources_resource_names_and_paths() {
        let (p, dev) = (tenant(), sa("a", "kfn-developer"));
        assert!(
            p.authorize(&dev, &req(Method::GET, "/api/v1/namespaces/a/pods/p/log"))
                .is_ok()
        );
        assert!(
            p.authorize(&dev, &req(Method::GET, "/api/v1/namespaces/a/pods/p"))
                .is_err()
        );
        assert!(
            p.authorize(&dev, &req(Method::POST, "/api/v1/namespaces/a/services/f:8080/proxy/"))
                .is_ok()
        );
        assert!(
            p.authorize(&dev, &req(Method::PUT, "/api/v1/namespaces/a/services/f:8080/proxy/"))
                .is_err()
        );
        assert!(
            p.authorize(&dev, &req(Method::DELETE, "/api/v1/namespaces/a/configmaps/only"))
                .is_ok()
        );
        assert!(
            p.authorize(&dev, &req(Method::DELETE, "/api/v1/namespaces/a/configmaps/other"))
                .is_err()
        );
        // A rule with names never allows a list (it has no name).
        assert!(
            p.authorize(&dev, &req(Method::GET, "/api/v1/namespaces/a/configmaps"))
                .is_err()
        );
        assert!(p.authorize(&dev, &req(Method::GET, "/apis/apps/v1")).is_ok());
        assert_eq!(
            p.authorize(&dev, &req(Method::GET, "/version")),
            Ok("RBAC: allowed by ClusterRoleBinding \"discovery\" of ClusterRole \"discovery\" to Group \"system:authenticated\"".into())
        );
        assert!(p.authorize(&dev, &req(Method::GET, "/openapi/v2")).is_err());
    }

    #[test]
    fn wildcards_and_star_subresources() {
        let rule: PolicyRule = serde_json::from_value(json!(
            {"apiGroups": ["*"], "resources": ["*/scale"], "verbs": ["*"]}))
        .unwrap();
        assert!(rule_allows(
            &rule,
            &req(Method::PUT, "/apis/apps/v1/namespaces/a/deployments/d/scale")
        ));
        assert!(!rule_allows(
            &rule,
            &req(Method::PUT, "/apis/apps/v1/namespaces/a/deployments/d")
        ));
        assert!(!rule_allows(
            &rule,
            &req(Method::GET, "/apis/apps/v1/namespaces/a/deployments/d/status")
        ));
    }

    #[test]
    fn a_missing_role_is_the_reason() {
        let p = policy(json!([
            {"kind": "RoleBinding", "metadata": {"name": "x", "namespace": "a"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "gone"},
                "subjects": [{"kind": "User", "name": "u"}]},
        ]));
        let user = User {
            name: "u".into(),
            ..User::default()
        };
        assert_eq!(
            p.authorize(&user, &req(Method::GET, "/api/v1/namespaces/a/pods")),
            Err("rbac: RBAC: role.rbac.authorization.k8s.io \"gone\" not found".to_string())
        );
        assert_eq!(
            p.authorize(&user, &req(Method::GET, "/api/v1/namespaces/b/pods")),
            Err(String::new())
        );
    }

    #[test]
    fn aggregated_cluster_roles_take_the_rules_they_select() {
        let p = policy(json!([
            {"kind": "ClusterRole", "metadata": {"name": "edit"},
                "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"agg": "edit"}}]}},
            {"kind": "ClusterRole", "metadata": {"name": "fns", "labels": {"agg": "edit"}}, "rules": [
                {"apiGroups": ["kubeless.io"], "resources": ["functions"], "verbs": ["*"]}]},
            {"kind": "RoleBinding", "metadata": {"name": "x", "namespace": "a"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
                "subjects": [{"kind": "ServiceAccount", "name": "s", "namespace": "a"}]},
        ]));
        assert!(
            p.authorize(
                &sa("a", "s"),
                &req(Method::POST, "/apis/kubeless.io/v1beta1/namespaces/a/functions")
            )
            .is_ok()
        );
        assert!(
            p.authorize(
                &sa("a", "s"),
                &req(Method::POST, "/apis/kubeless.io/v1beta1/namespaces/b/functions")
            )
            .is_err()
        );
    }
}
