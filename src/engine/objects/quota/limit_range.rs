//! LimitRange admission of a new Pod, as kube-apiserver's LimitRanger plugin does it: each
//! container without a request or limit a LimitRange of type Container defaults gets it (and
//! the Pod the `kubernetes.io/limit-ranger` annotation saying what was set), then every
//! container, and the Pod as a whole for type Pod, is checked against min, max and
//! maxLimitRequestRatio, a violation refused with the plugin's 403.

use k8s_openapi::api::core::v1::{Container, LimitRange, Pod, ResourceRequirements};
use serde_json::{Value, json};

use super::{LIMIT_RANGES, Quantity, ResourceList, forbidden, parsed, pod_resources};
use crate::engine::objects::{ApiError, Objects};
use crate::engine::resources::ResourceDef;

const ANNOTATION: &str = "kubernetes.io/limit-ranger";

use k8s_openapi::apimachinery::pkg::api::resource::Quantity as K8sQuantity;

/// Applies the LimitRanges of the Pod's namespace to a new Pod (`obj`, already defaulted):
/// their defaults set where the containers have none, then their constraints checked.
pub fn admit_pod(
    objects: &Objects,
    def: &ResourceDef,
    namespace: Option<&str>,
    obj: &mut Value,
) -> Result<(), ApiError> {
    if !(def.group.is_empty() && def.plural == "pods") {
        return Ok(());
    }
    let Some(namespace) = namespace else {
        return Ok(());
    };
    let ranges: Vec<LimitRange> = objects
        .store
        .list(LIMIT_RANGES, Some(namespace))
        .0
        .iter()
        .filter_map(|o| serde_json::from_value(o.value.clone()).ok())
        .collect();
    if ranges.is_empty() {
        return Ok(());
    }
    let Ok(mut pod) = serde_json::from_value::<Pod>(obj.clone()) else {
        return Ok(());
    };
    let mut set = Vec::new();
    for range in &ranges {
        set.extend(apply_defaults(range, &mut pod));
    }
    if !set.is_empty() {
        let spec = pod.spec.clone().unwrap_or_default();
        for (field, containers) in [
            ("containers", Some(&spec.containers)),
            ("initContainers", spec.init_containers.as_ref()),
        ] {
            for (i, c) in containers.into_iter().flatten().enumerate() {
                obj["spec"][field][i]["resources"] =
                    serde_json::to_value(c.resources.clone().unwrap_or_default()).expect("resources serialise");
            }
        }
        obj["metadata"]["annotations"][ANNOTATION] = json!(format!("LimitRanger plugin set: {}", set.join("; ")));
        obj["status"]["qosClass"] = json!(crate::engine::objects::builtin::pod_qos_class(&spec));
    }
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    for range in &ranges {
        let errors = violations(range, &pod);
        match errors.len() {
            0 => {}
            1 => return Err(forbidden(def, name, &errors[0])),
            _ => return Err(forbidden(def, name, &format!("[{}]", errors.join(", ")))),
        }
    }
    Ok(())
}

/// The default limits and requests of a LimitRange's Container items (later items win).
fn defaults_of(range: &LimitRange) -> (ResourceList, ResourceList) {
    let (mut limits, mut requests) = (ResourceList::new(), ResourceList::new());
    for item in range
        .spec
        .iter()
        .flat_map(|s| &s.limits)
        .filter(|i| i.type_ == "Container")
    {
        limits.extend(parsed(item.default.as_ref()));
        requests.extend(parsed(item.default_request.as_ref()));
    }
    (limits, requests)
}

/// Sets a range's defaults on the containers that lack them; what was set, as the annotation
/// words it (`cpu, memory request for container web`).
fn apply_defaults(range: &LimitRange, pod: &mut Pod) -> Vec<String> {
    let (limits, requests) = defaults_of(range);
    let mut said = Vec::new();
    if limits.is_empty() && requests.is_empty() {
        return said;
    }
    let Some(spec) = pod.spec.as_mut() else {
        return said;
    };
    let mut merge = |c: &mut Container, what: &str| {
        let r = c.resources.get_or_insert_with(ResourceRequirements::default);
        let fill = |have: &mut Option<std::collections::BTreeMap<String, K8sQuantity>>, defaults: &ResourceList| {
            let have = have.get_or_insert_with(Default::default);
            let mut set: Vec<String> = Vec::new();
            for (k, v) in defaults {
                if !have.contains_key(k) {
                    have.insert(k.clone(), K8sQuantity(v.to_string()));
                    set.push(k.clone());
                }
            }
            set
        };
        let set_requests = fill(&mut r.requests, &requests);
        let set_limits = fill(&mut r.limits, &limits);
        if !set_requests.is_empty() {
            said.push(format!("{} request for {what} {}", set_requests.join(", "), c.name));
        }
        if !set_limits.is_empty() {
            said.push(format!("{} limit for {what} {}", set_limits.join(", "), c.name));
        }
    };
    for c in spec.containers.iter_mut() {
        merge(c, "container");
    }
    for c in spec.init_containers.iter_mut().flatten() {
        merge(c, "init container");
    }
    said
}

fn min_violation(
    kind: &str,
    name: &str,
    min: Quantity,
    requests: &ResourceList,
    limits: &ResourceList,
) -> Option<String> {
    let Some(req) = requests.get(name) else {
        return Some(format!(
            "minimum {name} usage per {kind} is {min}.  No request is specified"
        ));
    };
    if req.millis() < min.millis() {
        return Some(format!(
            "minimum {name} usage per {kind} is {min}, but request is {req}"
        ));
    }
    match limits.get(name) {
        Some(lim) if lim.millis() < min.millis() => {
            Some(format!("minimum {name} usage per {kind} is {min}, but limit is {lim}"))
        }
        _ => None,
    }
}

fn max_violation(
    kind: &str,
    name: &str,
    max: Quantity,
    requests: &ResourceList,
    limits: &ResourceList,
) -> Option<String> {
    let Some(lim) = limits.get(name) else {
        return Some(format!(
            "maximum {name} usage per {kind} is {max}.  No limit is specified"
        ));
    };
    if lim.millis() > max.millis() {
        return Some(format!("maximum {name} usage per {kind} is {max}, but limit is {lim}"));
    }
    match requests.get(name) {
        Some(req) if req.millis() > max.millis() => Some(format!(
            "maximum {name} usage per {kind} is {max}, but request is {req}"
        )),
        _ => None,
    }
}

fn ratio_violation(
    kind: &str,
    name: &str,
    max: Quantity,
    requests: &ResourceList,
    limits: &ResourceList,
) -> Option<String> {
    let req = requests.get(name).map(Quantity::millis).filter(|m| *m != 0);
    let lim = limits.get(name).map(Quantity::millis).filter(|m| *m != 0);
    let Some(req) = req else {
        return Some(format!(
            "{name} max limit to request ratio per {kind} is {max}, but no request is specified or request is 0"
        ));
    };
    let Some(lim) = lim else {
        return Some(format!(
            "{name} max limit to request ratio per {kind} is {max}, but no limit is specified or limit is 0"
        ));
    };
    let ratio = lim as f64 / req as f64;
    (ratio * 1000.0 > max.millis() as f64)
        .then(|| format!("{name} max limit to request ratio per {kind} is {max}, but provided ratio is {ratio:.6}"))
}

/// Every violation of one LimitRange by a Pod, in the plugin's order.
fn violations(range: &LimitRange, pod: &Pod) -> Vec<String> {
    let mut errors = Vec::new();
    let Some(spec) = &pod.spec else {
        return errors;
    };
    let check = |kind: &str,
                 item: &k8s_openapi::api::core::v1::LimitRangeItem,
                 requests: &ResourceList,
                 limits: &ResourceList,
                 errors: &mut Vec<String>| {
        for (k, v) in parsed(item.min.as_ref()) {
            errors.extend(min_violation(kind, &k, v, requests, limits));
        }
        for (k, v) in parsed(item.max.as_ref()) {
            errors.extend(max_violation(kind, &k, v, requests, limits));
        }
        for (k, v) in parsed(item.max_limit_request_ratio.as_ref()) {
            errors.extend(ratio_violation(kind, &k, v, requests, limits));
        }
    };
    for item in range.spec.iter().flat_map(|s| &s.limits) {
        match item.type_.as_str() {
            "Container" => {
                for c in spec.containers.iter().chain(spec.init_containers.iter().flatten()) {
                    let r = c.resources.as_ref();
                    let requests = parsed(r.and_then(|r| r.requests.as_ref()));
                    let limits = parsed(r.and_then(|r| r.limits.as_ref()));
                    check("Container", item, &requests, &limits, &mut errors);
                }
            }
            "Pod" => {
                let (requests, limits) = (pod_resources(pod, false), pod_resources(pod, true));
                check("Pod", item, &requests, &limits, &mut errors);
            }
            _ => {}
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(items: Value) -> LimitRange {
        serde_json::from_value(json!({"metadata": {"name": "r"}, "spec": {"limits": items}})).unwrap()
    }

    fn pod(containers: Value) -> Pod {
        serde_json::from_value(json!({"metadata": {"name": "p"}, "spec": {"containers": containers}})).unwrap()
    }

    #[test]
    fn defaults_fill_only_what_a_container_lacks_and_say_so() {
        let r = range(
            json!([{"type": "Container", "default": {"memory": "256Mi", "cpu": "500m"},
            "defaultRequest": {"memory": "128Mi", "cpu": "250m"}}]),
        );
        let mut p = pod(json!([
            {"name": "web", "resources": {"limits": {"memory": "1Gi"}, "requests": {"memory": "1Gi"}}},
            {"name": "side"}]));
        let said = apply_defaults(&r, &mut p);
        assert_eq!(
            said,
            [
                "cpu request for container web",
                "cpu limit for container web",
                "cpu, memory request for container side",
                "cpu, memory limit for container side"
            ]
        );
        let spec = p.spec.unwrap();
        let web = spec.containers[0].resources.clone().unwrap();
        assert_eq!(web.limits.unwrap()["memory"].0, "1Gi", "kept as given");
        let side = spec.containers[1].resources.clone().unwrap();
        assert_eq!(side.limits.unwrap()["memory"].0, "256Mi");
        assert_eq!(side.requests.unwrap()["cpu"].0, "250m");
    }

    #[test]
    fn limits_outside_the_range_are_named_as_the_plugin_names_them() {
        let r = range(
            json!([{"type": "Container", "max": {"memory": "1Gi"}, "min": {"cpu": "100m"},
            "maxLimitRequestRatio": {"cpu": "2"}}]),
        );
        let p = pod(json!([{"name": "c", "resources": {
            "limits": {"memory": "2Gi", "cpu": "1"}, "requests": {"memory": "1Gi", "cpu": "250m"}}}]));
        assert_eq!(
            violations(&r, &p),
            [
                "maximum memory usage per Container is 1Gi, but limit is 2Gi",
                "cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000"
            ]
        );
        let none = pod(json!([{"name": "c"}]));
        assert_eq!(
            violations(&r, &none),
            [
                "minimum cpu usage per Container is 100m.  No request is specified",
                "maximum memory usage per Container is 1Gi.  No limit is specified",
                "cpu max limit to request ratio per Container is 2, but no request is specified or request is 0"
            ]
        );
    }
}
