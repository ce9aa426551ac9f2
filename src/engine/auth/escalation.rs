//! RBAC's escalation prevention, as Kubernetes applies it to writes of Roles, ClusterRoles and
//! their bindings: a user may grant only what it already holds. Pure: [`covers`] compares the
//! rules a user holds with the rules it would grant, [`not_held`] words the refusal as
//! kube-apiserver does.

use k8s_openapi::api::rbac::v1::PolicyRule;

/// The rules of `granted` that `held` does not cover, broken down to one verb of one resource
/// (or one non-resource URL) each; empty when `held` covers them all.
pub fn covers(held: &[PolicyRule], granted: &[PolicyRule]) -> Vec<PolicyRule> {
    granted
        .iter()
        .flat_map(breakdown)
        .filter(|sub| !held.iter().any(|owner| rule_covers(owner, sub)))
        .collect()
}

/// One rule per group, resource, verb and resource name (or non-resource URL and verb).
fn breakdown(rule: &PolicyRule) -> Vec<PolicyRule> {
    let one = |s: &String| Some(vec![s.clone()]);
    let mut out = Vec::new();
    for group in rule.api_groups.iter().flatten() {
        for resource in rule.resources.iter().flatten() {
            for verb in &rule.verbs {
                let base = PolicyRule {
                    api_groups: one(group),
                    resources: one(resource),
                    verbs: vec![verb.clone()],
                    ..PolicyRule::default()
                };
                match rule.resource_names.as_deref() {
                    Some(names) if !names.is_empty() => out.extend(names.iter().map(|n| PolicyRule {
                        resource_names: one(n),
                        ..base.clone()
                    })),
                    _ => out.push(base),
                }
            }
        }
    }
    for url in rule.non_resource_urls.iter().flatten() {
        for verb in &rule.verbs {
            out.push(PolicyRule {
                non_resource_urls: one(url),
                verbs: vec![verb.clone()],
                ..PolicyRule::default()
            });
        }
    }
    out
}

fn list(v: &Option<Vec<String>>) -> &[String] {
    v.as_deref().unwrap_or_default()
}

fn has(set: &[String], s: &str) -> bool {
    set.iter().any(|x| x == s)
}

fn has_all(set: &[String], wanted: &[String]) -> bool {
    wanted.iter().all(|w| has(set, w))
}

/// Whether `owner` covers a broken-down rule.
fn rule_covers(owner: &PolicyRule, sub: &PolicyRule) -> bool {
    let verbs = has(&owner.verbs, "*") || has_all(&owner.verbs, &sub.verbs);
    let groups = has(list(&owner.api_groups), "*") || has_all(list(&owner.api_groups), list(&sub.api_groups));
    let resources = resources_cover(list(&owner.resources), list(&sub.resources));
    let urls = list(&sub.non_resource_urls)
        .iter()
        .all(|path| list(&owner.non_resource_urls).iter().any(|o| url_covers(o, path)));
    let (owner_names, sub_names) = (list(&owner.resource_names), list(&sub.resource_names));
    let names = owner_names.is_empty() || (!sub_names.is_empty() && has_all(owner_names, sub_names));
    verbs && groups && resources && urls && names
}

/// Resources: `*`, the same name, or `*/sub` for a subresource.
fn resources_cover(owner: &[String], wanted: &[String]) -> bool {
    has(owner, "*")
        || wanted.iter().all(|w| {
            has(owner, w)
                || w.split_once('/')
                    .is_some_and(|(_, sub)| has(owner, &format!("*/{sub}")))
        })
}

fn url_covers(owner: &str, path: &str) -> bool {
    owner == path || owner.strip_suffix('*').is_some_and(|prefix| path.starts_with(prefix))
}

/// Merges broken-down rules of the same group and resource (and resource name) into one with
/// all their verbs, as Kubernetes compacts the missing rules it reports.
pub fn compact(rules: Vec<PolicyRule>) -> Vec<PolicyRule> {
    let mut out: Vec<PolicyRule> = Vec::new();
    let mut simple: Vec<PolicyRule> = Vec::new();
    for rule in rules {
        let is_simple = list(&rule.resource_names).len() <= 1
            && list(&rule.non_resource_urls).is_empty()
            && list(&rule.api_groups).len() == 1
            && list(&rule.resources).len() == 1;
        if !is_simple {
            out.push(rule);
            continue;
        }
        let same = simple.iter_mut().find(|s| {
            s.api_groups == rule.api_groups
                && s.resources == rule.resources
                && list(&s.resource_names) == list(&rule.resource_names)
        });
        match same {
            Some(s) => {
                for verb in rule.verbs {
                    if !s.verbs.contains(&verb) {
                        s.verbs.push(verb);
                    }
                }
            }
            None => simple.push(rule),
        }
    }
    out.extend(simple);
    out
}

/// A rule as Kubernetes' `CompactString` writes it:
/// `{APIGroups:["apps"], Resources:["deployments"], Verbs:["get" "list"]}`.
pub fn compact_string(rule: &PolicyRule) -> String {
    fn quoted(v: &[String]) -> String {
        let parts: Vec<String> = v.iter().map(|s| format!("{s:?}")).collect();
        format!("[{}]", parts.join(" "))
    }
    let parts: Vec<String> = [
        ("APIGroups", list(&rule.api_groups)),
        ("Resources", list(&rule.resources)),
        ("NonResourceURLs", list(&rule.non_resource_urls)),
        ("ResourceNames", list(&rule.resource_names)),
        ("Verbs", rule.verbs.as_slice()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(field, v)| format!("{field}:{}", quoted(v)))
    .collect();
    format!("{{{}}}", parts.join(", "))
}

/// kube-apiserver's reason for refusing a grant of `missing` rules by `user` (in `groups`),
/// with the errors met while resolving the user's own rules.
pub fn not_held(user: &str, groups: &[String], missing: Vec<PolicyRule>, errors: &[String]) -> String {
    let mut lines: Vec<String> = compact(missing).iter().map(compact_string).collect();
    lines.sort();
    lines.dedup();
    let groups: Vec<String> = groups.iter().map(|g| format!("{g:?}")).collect();
    let mut msg = format!(
        "user {user:?} (groups=[{}]) is attempting to grant RBAC permissions not currently held:\n{}",
        groups.join(" "),
        lines.join("\n")
    );
    match errors {
        [] => {}
        [one] => msg.push_str(&format!("; resolution errors: [{one}]")),
        many => msg.push_str(&format!("; resolution errors: [[{}]]", many.join(", "))),
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules(v: serde_json::Value) -> Vec<PolicyRule> {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn what_is_held_may_be_granted() {
        let held = rules(json!([
            {"apiGroups": ["kubeless.io"], "resources": ["functions"], "verbs": ["get", "list", "create"]},
            {"apiGroups": [""], "resources": ["*/log"], "verbs": ["get"]},
            {"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["a", "b"], "verbs": ["*"]},
            {"nonResourceURLs": ["/apis/*"], "verbs": ["get"]},
        ]));
        let granted = rules(json!([
            {"apiGroups": ["kubeless.io"], "resources": ["functions"], "verbs": ["get", "list"]},
            {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]},
            {"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["b"], "verbs": ["delete"]},
            {"nonResourceURLs": ["/apis/apps"], "verbs": ["get"]},
        ]));
        assert_eq!(covers(&held, &granted), vec![]);
        assert_eq!(covers(&held, &[]), vec![]);
    }

    #[test]
    fn what_is_not_held_is_reported_broken_down() {
        let held = rules(json!([
            {"apiGroups": ["kubeless.io"], "resources": ["functions"], "verbs": ["get"]},
            {"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["a"], "verbs": ["get"]},
        ]));
        let granted = rules(json!([
            {"apiGroups": ["kubeless.io"], "resources": ["functions", "functions/status"], "verbs": ["get", "delete"]},
            // Names held do not cover every name.
            {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]},
            {"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["a", "c"], "verbs": ["get"]},
            {"nonResourceURLs": ["/metrics"], "verbs": ["get"]},
        ]));
        let missing: Vec<String> = covers(&held, &granted).iter().map(compact_string).collect();
        assert_eq!(
            missing,
            [
                r#"{APIGroups:["kubeless.io"], Resources:["functions"], Verbs:["delete"]}"#,
                r#"{APIGroups:["kubeless.io"], Resources:["functions/status"], Verbs:["get"]}"#,
                r#"{APIGroups:["kubeless.io"], Resources:["functions/status"], Verbs:["delete"]}"#,
                r#"{APIGroups:[""], Resources:["configmaps"], Verbs:["get"]}"#,
                r#"{APIGroups:[""], Resources:["configmaps"], ResourceNames:["c"], Verbs:["get"]}"#,
                r#"{NonResourceURLs:["/metrics"], Verbs:["get"]}"#,
            ]
        );
    }

    #[test]
    fn wildcards_cover_everything_and_are_covered_only_by_wildcards() {
        let all = rules(json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
            {"nonResourceURLs": ["*"], "verbs": ["*"]}]));
        let some = rules(json!([
            {"apiGroups": ["apps"], "resources": ["deployments/scale"], "resourceNames": ["x"], "verbs": ["patch"]},
            {"nonResourceURLs": ["/healthz"], "verbs": ["get"]},
        ]));
        assert_eq!(covers(&all, &some), vec![]);
        assert_eq!(covers(&some, &all).len(), 2);
    }

    #[test]
    fn the_refusal_is_kube_apiservers() {
        let missing = rules(json!([
            {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
            {"nonResourceURLs": ["*"], "verbs": ["*"]},
            {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get"]},
            {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["list"]},
        ]));
        let groups = ["system:serviceaccounts".to_string(), "system:authenticated".to_string()];
        assert_eq!(
            not_held("system:serviceaccount:a:d", &groups, missing, &[]),
            "user \"system:serviceaccount:a:d\" (groups=[\"system:serviceaccounts\" \"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n\
             {APIGroups:[\"*\"], Resources:[\"*\"], Verbs:[\"*\"]}\n\
             {APIGroups:[\"apps\"], Resources:[\"deployments\"], Verbs:[\"get\" \"list\"]}\n\
             {NonResourceURLs:[\"*\"], Verbs:[\"*\"]}"
        );
    }
}
