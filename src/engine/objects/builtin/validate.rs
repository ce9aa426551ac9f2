//! What the API server validates in built-in objects: metadata (labels, annotations,
//! generateName), and the rules of each kind the engine serves, worded as kube-apiserver words
//! them.

use std::collections::{BTreeMap, HashSet};

use k8s_openapi::api::apps::v1::{DeploymentSpec, DeploymentStrategy};
use k8s_openapi::api::core::v1::{Container, PodSpec, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, OwnerReference};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::errors::FieldErrors;

const NAME_PART: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const QUALIFIED: &str = "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
const LABEL_VALUE: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const SUBDOMAIN: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const CONFIG_KEY: &str = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

fn alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, non-empty.
fn name_part_ok(s: &str) -> bool {
    !s.is_empty() && s.starts_with(alnum) && s.ends_with(alnum) && s.chars().all(|c| alnum(c) || "-_.".contains(c))
}

fn dns_label_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn subdomain_ok(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(dns_label_ok)
}

/// Why `s` is not a DNS-1123 label, as the API server says it.
pub(super) fn dns_label(s: &str) -> Vec<String> {
    let mut why = vec![];
    if s.len() > 63 {
        why.push("must be no more than 63 characters".into());
    }
    if !(dns_label_ok(s) || s.len() > 63 && dns_label_ok(&s[..63])) {
        why.push(LABEL.into());
    }
    why
}

/// Why `s` is not a DNS-1123 subdomain.
pub(super) fn subdomain(s: &str) -> Vec<String> {
    let mut why = vec![];
    if s.len() > 253 {
        why.push("must be no more than 253 characters".into());
    }
    if !s.split('.').all(dns_label_ok) {
        why.push(SUBDOMAIN.into());
    }
    why
}

/// Why `key` is not a qualified name (`[prefix/]name`), as label keys and annotation keys must be.
pub(super) fn qualified_name(key: &str) -> Vec<String> {
    let parts: Vec<&str> = key.split('/').collect();
    let (prefix, name) = match parts.as_slice() {
        [name] => (None, *name),
        [prefix, name] => (Some(*prefix), *name),
        _ => return vec![QUALIFIED.into()],
    };
    let mut why = vec![];
    match prefix {
        Some("") => why.push("prefix part must be non-empty".into()),
        Some(p) if !subdomain_ok(p) => why.extend(subdomain(p).into_iter().map(|w| format!("prefix part {w}"))),
        _ => {}
    }
    if name.is_empty() {
        why.push("name part must be non-empty".into());
    } else if name.len() > 63 {
        why.push("name part must be no more than 63 bytes".into());
    } else if !name_part_ok(name) {
        why.push(NAME_PART.into());
    }
    why
}

/// Why `value` is not a label value.
pub(super) fn label_value(value: &str) -> Vec<String> {
    let mut why = vec![];
    if value.len() > 63 {
        why.push("must be no more than 63 bytes".into());
    }
    if !value.is_empty() && !name_part_ok(value) {
        why.push(LABEL_VALUE.into());
    }
    why
}

/// Why `key` is not a ConfigMap or Secret key.
pub(super) fn config_key(key: &str) -> Vec<String> {
    let mut why = vec![];
    if key.len() > 253 {
        why.push("must be no more than 253 characters".into());
    }
    if key.is_empty() || !key.chars().all(|c| alnum(c) || "-._".contains(c)) {
        why.push(CONFIG_KEY.into());
    }
    match key {
        "." => why.push("must not be '.'".into()),
        ".." => why.push("must not be '..'".into()),
        k if k.starts_with("..") => why.push("must not start with '..'".into()),
        _ => {}
    }
    why
}

/// Why `name` is not an IANA service name (a named port).
pub(super) fn port_name(name: &str) -> Vec<String> {
    let mut why = vec![];
    if name.len() > 15 {
        why.push("must be no more than 15 characters".into());
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        why.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)".into());
    }
    if name.contains("--") {
        why.push("must not contain consecutive hyphens".into());
    }
    if !name.chars().any(|c| c.is_ascii_alphabetic()) {
        why.push("must contain at least one letter (a-z)".into());
    }
    if name.starts_with('-') || name.ends_with('-') {
        why.push("must not begin or end with a hyphen".into());
    }
    why
}

fn each(errs: &mut FieldErrors, field: &str, value: &str, why: Vec<String>) {
    for w in why {
        errs.invalid(field, &value, &w);
    }
}

pub(super) fn labels(labels: Option<&BTreeMap<String, String>>, field: &str, errs: &mut FieldErrors) {
    for (k, v) in labels.into_iter().flatten() {
        each(errs, field, k, qualified_name(k));
        each(errs, field, v, label_value(v));
    }
}

/// The total size of annotations the API server accepts.
const ANNOTATIONS_LIMIT: usize = 256 * 1024;

/// Metadata rules every object keeps: labels, annotation keys and size, generateName (unless
/// `any_name`: Events may have any name).
pub(super) fn metadata(meta: &ObjectMeta, any_name: bool, errs: &mut FieldErrors) {
    if let Some(prefix) = meta.generate_name.as_deref().filter(|p| !p.is_empty() && !any_name) {
        let masked = prefix
            .strip_suffix('-')
            .map(|p| format!("{p}a"))
            .unwrap_or(prefix.to_string());
        each(errs, "metadata.generateName", prefix, subdomain(&masked));
    }
    labels(meta.labels.as_ref(), "metadata.labels", errs);
    let mut size = 0;
    for (k, v) in meta.annotations.iter().flatten() {
        each(errs, "metadata.annotations", k, qualified_name(&k.to_lowercase()));
        size += k.len() + v.len();
    }
    if size > ANNOTATIONS_LIMIT {
        errs.too_long("metadata.annotations", ANNOTATIONS_LIMIT);
    }
    owner_references(meta.owner_references.as_deref().unwrap_or_default(), errs);
}

/// An object's owners: each names its apiVersion (with a version), kind, name and uid, and one
/// at most is the controller.
fn owner_references(refs: &[OwnerReference], errs: &mut FieldErrors) {
    let mut controller: Option<String> = None;
    for (i, r) in refs.iter().enumerate() {
        let version = r
            .api_version
            .rsplit_once('/')
            .map_or(r.api_version.as_str(), |(_, v)| v);
        for (field, value) in [
            ("apiVersion", version),
            ("kind", &r.kind),
            ("name", &r.name),
            ("uid", &r.uid),
        ] {
            if value.is_empty() {
                errs.required_because(format!("metadata.ownerReferences[{i}].{field}"), "must not be empty");
            }
        }
        if r.controller == Some(true) {
            let this = format!("{}/{}", r.kind, r.name);
            match &controller {
                Some(first) => errs.invalid(
                    "metadata.ownerReferences",
                    &refs,
                    &format!(
                        "Only one reference can have Controller set to true. Found \"true\" in references for {first} and {this}"
                    ),
                ),
                None => controller = Some(this),
            }
        }
    }
}

/// The keys of a ConfigMap's or Secret's data maps.
pub(super) fn data_keys<'a>(field: &str, keys: impl Iterator<Item = &'a String>, errs: &mut FieldErrors) {
    for k in keys {
        each(errs, &format!("{field}[{k}]"), k, config_key(k));
    }
}

fn port_range(errs: &mut FieldErrors, field: &str, port: i32) {
    if !(1..=65535).contains(&port) {
        errs.invalid(field, &port, "must be between 1 and 65535, inclusive");
    }
}

const PROTOCOLS: &[&str] = &["SCTP", "TCP", "UDP"];

fn container(c: &Container, field: &str, names: &mut HashSet<String>, errs: &mut FieldErrors) {
    if c.name.is_empty() {
        errs.required(format!("{field}.name"));
    } else {
        each(errs, &format!("{field}.name"), &c.name, dns_label(&c.name));
        if !names.insert(c.name.clone()) {
            errs.duplicate(format!("{field}.name"), &c.name);
        }
    }
    if c.image.as_deref().is_none_or(|i| i.trim().is_empty()) {
        errs.required(format!("{field}.image"));
    }
    let mut port_names = HashSet::new();
    for (i, p) in c.ports.iter().flatten().enumerate() {
        let at = format!("{field}.ports[{i}]");
        if let Some(name) = &p.name {
            each(errs, &format!("{at}.name"), name, port_name(name));
            if !port_names.insert(name.clone()) {
                errs.duplicate(format!("{at}.name"), name);
            }
        }
        if p.container_port == 0 {
            errs.required(format!("{at}.containerPort"));
        } else {
            port_range(errs, &format!("{at}.containerPort"), p.container_port);
        }
        if let Some(h) = p.host_port.filter(|h| *h != 0) {
            port_range(errs, &format!("{at}.hostPort"), h);
        }
        errs.one_of(format!("{at}.protocol"), p.protocol.as_deref(), PROTOCOLS);
    }
    for (i, e) in c.env.iter().flatten().enumerate() {
        if e.name.is_empty() {
            errs.required(format!("{field}.env[{i}].name"));
        }
    }
    errs.one_of(
        format!("{field}.imagePullPolicy"),
        c.image_pull_policy.as_deref(),
        &["Always", "IfNotPresent", "Never"],
    );
    errs.one_of(
        format!("{field}.terminationMessagePolicy"),
        c.termination_message_policy.as_deref(),
        &["File", "FallbackToLogsOnError"],
    );
}

/// A Pod's spec, or a template's (`restart` is what the owning kind allows).
pub(super) fn pod_spec(spec: &PodSpec, field: &str, restart: &[&str], errs: &mut FieldErrors) {
    if spec.containers.is_empty() {
        errs.required(format!("{field}.containers"));
    }
    let mut names = HashSet::new();
    for (i, c) in spec.containers.iter().enumerate() {
        container(c, &format!("{field}.containers[{i}]"), &mut names, errs);
    }
    for (i, c) in spec.init_containers.iter().flatten().enumerate() {
        container(c, &format!("{field}.initContainers[{i}]"), &mut names, errs);
    }
    let mut volumes = HashSet::new();
    for (i, v) in spec.volumes.iter().flatten().enumerate() {
        let at = format!("{field}.volumes[{i}].name");
        if v.name.is_empty() {
            errs.required(at);
        } else if !volumes.insert(v.name.clone()) {
            errs.duplicate(at, &v.name);
        }
    }
    errs.one_of(
        format!("{field}.restartPolicy"),
        spec.restart_policy.as_deref(),
        restart,
    );
    errs.one_of(
        format!("{field}.dnsPolicy"),
        spec.dns_policy.as_deref(),
        &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
    );
    if let Some(t) = spec.termination_grace_period_seconds.filter(|t| *t < 0) {
        errs.invalid(
            format!("{field}.terminationGracePeriodSeconds"),
            &t,
            "must be greater than or equal to 0",
        );
    }
}

/// Whether `selector` selects objects with `labels` (matchLabels and matchExpressions).
pub(super) fn selects(selector: &LabelSelector, labels: Option<&BTreeMap<String, String>>) -> bool {
    let empty = BTreeMap::new();
    let labels = labels.unwrap_or(&empty);
    let by_labels = selector
        .match_labels
        .iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    let by_expressions = selector.match_expressions.iter().flatten().all(|e| {
        let values = e.values.as_deref().unwrap_or_default();
        let value = labels.get(&e.key);
        match e.operator.as_str() {
            "In" => value.is_some_and(|v| values.contains(v)),
            "NotIn" => value.is_none_or(|v| !values.contains(v)),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            _ => false,
        }
    });
    by_labels && by_expressions
}

pub(super) fn selector_is_empty(s: &LabelSelector) -> bool {
    s.match_labels.as_ref().is_none_or(BTreeMap::is_empty) && s.match_expressions.as_ref().is_none_or(Vec::is_empty)
}

fn label_selector(s: &LabelSelector, field: &str, errs: &mut FieldErrors) {
    labels(s.match_labels.as_ref(), &format!("{field}.matchLabels"), errs);
    for (i, e) in s.match_expressions.iter().flatten().enumerate() {
        let at = format!("{field}.matchExpressions[{i}]");
        each(errs, &format!("{at}.key"), &e.key, qualified_name(&e.key));
        match e.operator.as_str() {
            "In" | "NotIn" if e.values.as_ref().is_none_or(Vec::is_empty) => errs.required_because(
                format!("{at}.values"),
                "must be specified when `operator` is 'In' or 'NotIn'",
            ),
            "Exists" | "DoesNotExist" if e.values.as_ref().is_some_and(|v| !v.is_empty()) => errs.forbidden(
                format!("{at}.values"),
                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
            "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
            other => errs.invalid(format!("{at}.operator"), &other, "not a valid selector operator"),
        }
    }
}

/// A selector and the template labels it must select (Deployments, ReplicaSets).
pub(super) fn selector_and_template(
    selector: &LabelSelector,
    template_labels: Option<&BTreeMap<String, String>>,
    errs: &mut FieldErrors,
) {
    if selector_is_empty(selector) {
        errs.required("spec.selector");
    } else {
        label_selector(selector, "spec.selector", errs);
    }
    labels(template_labels, "spec.template.metadata.labels", errs);
    if selector_is_empty(selector) || !selects(selector, template_labels) {
        errs.invalid(
            "spec.template.metadata.labels",
            &template_labels,
            "`selector` does not match template `labels`",
        );
    }
}

fn non_negative(errs: &mut FieldErrors, field: &str, value: Option<i32>) {
    if let Some(v) = value.filter(|v| *v < 0) {
        errs.invalid(field, &v, "must be greater than or equal to 0");
    }
}

fn int_or_percent(errs: &mut FieldErrors, field: &str, value: &IntOrString) -> Option<bool> {
    match value {
        IntOrString::Int(i) if *i < 0 => {
            errs.invalid(field, i, "must be greater than or equal to 0");
            None
        }
        IntOrString::Int(i) => Some(*i == 0),
        IntOrString::String(s) => match s.strip_suffix('%').and_then(|n| n.parse::<i32>().ok()) {
            Some(n) if (0..=100).contains(&n) => Some(n == 0),
            Some(_) => {
                errs.invalid(field, s, "must not be greater than 100%");
                None
            }
            None => {
                errs.invalid(
                    field,
                    s,
                    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
                );
                None
            }
        },
    }
}

fn strategy(s: &DeploymentStrategy, errs: &mut FieldErrors) {
    errs.one_of("spec.strategy.type", s.type_.as_deref(), &["Recreate", "RollingUpdate"]);
    let Some(ru) = &s.rolling_update else { return };
    if s.type_.as_deref() == Some("Recreate") {
        errs.forbidden(
            "spec.strategy.rollingUpdate",
            "may not be specified when strategy `type` is 'Recreate'",
        );
        return;
    }
    let unavailable_zero = ru
        .max_unavailable
        .as_ref()
        .and_then(|v| int_or_percent(errs, "spec.strategy.rollingUpdate.maxUnavailable", v));
    let surge_zero = ru
        .max_surge
        .as_ref()
        .and_then(|v| int_or_percent(errs, "spec.strategy.rollingUpdate.maxSurge", v));
    if unavailable_zero == Some(true) && surge_zero == Some(true) {
        errs.invalid(
            "spec.strategy.rollingUpdate.maxUnavailable",
            &ru.max_unavailable,
            "may not be 0 when `maxSurge` is 0",
        );
    }
}

pub(super) fn deployment(spec: &DeploymentSpec, errs: &mut FieldErrors) {
    non_negative(errs, "spec.replicas", spec.replicas);
    let template = &spec.template;
    selector_and_template(
        &spec.selector,
        template.metadata.as_ref().and_then(|m| m.labels.as_ref()),
        errs,
    );
    pod_spec(
        &template.spec.clone().unwrap_or_default(),
        "spec.template.spec",
        &["Always"],
        errs,
    );
    if let Some(s) = &spec.strategy {
        strategy(s, errs);
    }
    non_negative(errs, "spec.minReadySeconds", spec.min_ready_seconds);
    non_negative(errs, "spec.revisionHistoryLimit", spec.revision_history_limit);
    if let Some(p) = spec.progress_deadline_seconds {
        non_negative(errs, "spec.progressDeadlineSeconds", Some(p));
        if p <= spec.min_ready_seconds.unwrap_or(0) && p >= 0 {
            errs.invalid(
                "spec.progressDeadlineSeconds",
                &p,
                "must be greater than minReadySeconds",
            );
        }
    }
}

pub(super) const SERVICE_TYPES: &[&str] = &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];

pub(super) fn service(spec: &ServiceSpec, errs: &mut FieldErrors) {
    let kind = spec.type_.as_deref().unwrap_or("ClusterIP");
    let ports = spec.ports.as_deref().unwrap_or_default();
    let headless = spec.cluster_ip.as_deref() == Some("None");
    if ports.is_empty() && kind != "ExternalName" && !headless {
        errs.required("spec.ports");
    }
    let mut names = HashSet::new();
    for (i, p) in ports.iter().enumerate() {
        let at = format!("spec.ports[{i}]");
        match p.name.as_deref().unwrap_or_default() {
            "" if ports.len() > 1 => errs.required(format!("{at}.name")),
            "" => {}
            name => {
                each(errs, &format!("{at}.name"), name, dns_label(name));
                if !names.insert(name.to_string()) {
                    errs.duplicate(format!("{at}.name"), &name);
                }
            }
        }
        port_range(errs, &format!("{at}.port"), p.port);
        if p.protocol.is_none() {
            errs.required(format!("{at}.protocol"));
        }
        errs.one_of(format!("{at}.protocol"), p.protocol.as_deref(), PROTOCOLS);
        match &p.target_port {
            Some(IntOrString::Int(t)) => port_range(errs, &format!("{at}.targetPort"), *t),
            Some(IntOrString::String(name)) => each(errs, &format!("{at}.targetPort"), name, port_name(name)),
            None => {}
        }
        if let Some(n) = p.node_port.filter(|n| *n != 0) {
            if !["NodePort", "LoadBalancer"].contains(&kind) {
                errs.forbidden(format!("{at}.nodePort"), "may not be used when `type` is 'ClusterIP'");
            } else {
                port_range(errs, &format!("{at}.nodePort"), n);
            }
        }
    }
    errs.one_of("spec.type", spec.type_.as_deref(), SERVICE_TYPES);
    errs.one_of(
        "spec.sessionAffinity",
        spec.session_affinity.as_deref(),
        &["ClientIP", "None"],
    );
    if kind == "ExternalName" {
        match spec.external_name.as_deref().unwrap_or_default() {
            "" => errs.required("spec.externalName"),
            name => each(errs, "spec.externalName", name, subdomain(name.trim_end_matches('.'))),
        }
    }
    if let Some(ip) = spec.cluster_ip.as_deref().filter(|ip| !ip.is_empty() && *ip != "None")
        && ip.parse::<std::net::IpAddr>().is_err()
    {
        errs.invalid(
            "spec.clusterIPs[0]",
            &ip,
            "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
        );
    }
    labels(spec.selector.as_ref(), "spec.selector", errs);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_keys_and_values() {
        assert!(qualified_name("app").is_empty());
        assert!(qualified_name("example.com/My_Name.1").is_empty());
        assert_eq!(qualified_name("-bad"), [NAME_PART]);
        assert_eq!(qualified_name("a/b/c"), [QUALIFIED]);
        assert_eq!(qualified_name("/x"), ["prefix part must be non-empty"]);
        assert_eq!(
            qualified_name(&"v".repeat(64)),
            ["name part must be no more than 63 bytes"]
        );
        assert!(qualified_name("Bad_Prefix/x")[0].starts_with("prefix part a lowercase RFC 1123 subdomain"));
        assert!(label_value("").is_empty());
        assert!(label_value("a.b_c-d").is_empty());
        assert_eq!(label_value("b c"), [LABEL_VALUE]);
    }

    #[test]
    fn config_keys_ports_and_labels() {
        assert!(config_key("KEY_name.1-x").is_empty());
        assert_eq!(config_key("a b"), [CONFIG_KEY]);
        assert_eq!(config_key(".."), ["must not be '..'"]);
        assert!(port_name("http-port").is_empty());
        assert_eq!(port_name("80"), ["must contain at least one letter (a-z)"]);
        assert_eq!(
            port_name("bad_name"),
            ["must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"]
        );
        assert_eq!(dns_label("C_1"), [LABEL]);
        assert!(dns_label("c-1").is_empty());
    }

    #[test]
    fn selectors_select_by_labels_and_expressions() {
        let labels: BTreeMap<String, String> = [("app".to_string(), "x".to_string())].into();
        let sel: LabelSelector = serde_json::from_value(serde_json::json!({
            "matchLabels": {"app": "x"},
            "matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}, {"key": "app", "operator": "In", "values": ["x", "y"]}],
        }))
        .unwrap();
        assert!(selects(&sel, Some(&labels)));
        let other: LabelSelector = serde_json::from_value(serde_json::json!({"matchLabels": {"app": "y"}})).unwrap();
        assert!(!selects(&other, Some(&labels)));
        assert!(!selects(&other, None));
    }
}
