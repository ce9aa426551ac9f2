//! The objects `kfn controller` keeps on a cluster for Functions and triggers: ConfigMap,
//! Service, Deployment, HorizontalPodAutoscaler, Ingress and CronJob, in the API versions
//! current Kubernetes serves.

use serde_json::{Value, json};

use super::{labels, owned_by, revision, service_port, target_port};
use crate::api::kinds::{CronJobTrigger, DEFAULT_PULL_POLICY, Function, Gateway, HTTPTrigger};
use crate::runtimes::{self, Language};

/// Where the code is mounted in a function pod.
pub const CODE_DIR: &str = "/kubeless";
/// Where the init container puts the kfn binary.
pub const KFN_DIR: &str = "/kfn";
/// Where Python dependencies are installed inside the code volume.
pub const PY_DEPS: &str = "/kubeless/.kfn-deps";

/// Settings of the controller that shape the objects.
#[derive(Clone, Debug)]
pub struct Options {
    /// The image with the kfn binary (the controller's own).
    pub kfn_image: String,
    /// Image overrides per runtime id (from the `kubeless-config` ConfigMap).
    pub runtime_images: std::collections::BTreeMap<String, String>,
}

/// The ConfigMap key of the code: `<module><suffix>` for plain content, the bare module for
/// archives (as Kubeless named it).
pub fn code_key(function: &Function) -> String {
    let (module, _) = function.spec.handler_parts();
    let suffix = runtimes::find(&function.spec.runtime).map(|r| r.suffix).unwrap_or("");
    if ["text", "", "url", "base64"].contains(&function.spec.content_type.as_str()) {
        format!("{module}{suffix}")
    } else {
        module
    }
}

fn owned_metadata(function: &Function) -> Value {
    json!({"name": function.name(), "namespace": function.namespace(), "labels": labels(function), "ownerReferences": [owned_by(function)]})
}

/// ConfigMap `<function>`: the handler, the code and the dependency file.
pub fn configmap(function: &Function) -> Value {
    let spec = &function.spec;
    let mut data = serde_json::Map::new();
    if !spec.handler.is_empty() {
        data.insert("handler".into(), json!(spec.handler));
        data.insert(code_key(function), json!(spec.function));
        if let Some(dep) = runtimes::find(&spec.runtime)
            .map(|r| r.dep_file)
            .filter(|d| !d.is_empty())
        {
            data.insert(dep.into(), json!(spec.deps));
        }
    }
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": owned_metadata(function), "data": data})
}

/// The function's Service on a cluster.
pub fn service(function: &Function) -> Value {
    super::service(function)
}

/// A digest of everything a pod reads at start: code, dependencies, handler, runtime. It is a
/// pod-template annotation, so a change rolls the pods (Kubeless's stale-pod problem).
pub fn content_hash(function: &Function) -> String {
    revision(function)
}

/// The Deployment: an official language image running `kfn runtime serve`, with init
/// containers that copy the kfn binary, unpack the code and install the dependencies. A
/// `--runtime-image` function runs its image as it is.
pub fn deployment(function: &Function, options: &Options) -> Value {
    let fname = function.name().to_string();
    let port = target_port(function);
    let spec = &function.spec;
    let runtime = runtimes::find(&spec.runtime);
    let user = spec.container().cloned().unwrap_or_default();
    let pod_spec = spec.pod().cloned().unwrap_or_default();
    let custom_image = user.image.clone().filter(|i| !i.is_empty());
    let mut env: Vec<Value> = super::runtime_env(function)
        .into_iter()
        .map(|(k, v)| json!({"name": k, "value": v}))
        .collect();
    // Variables with valueFrom (secrets, fields) are kept as the user wrote them.
    for e in user.env.iter().flatten().filter(|e| e.value_from.is_some()) {
        env.push(json!(e));
    }
    env.push(json!({"name": "KFN_FUNCTION_NAME", "value": fname}));
    // Calls routed to a terminating pod before its endpoint is removed are still served.
    env.push(json!({"name": "KFN_DRAIN_SECONDS", "value": "3"}));
    let mut volumes: Vec<Value> = pod_spec.volumes.iter().flatten().map(|v| json!(v)).collect();
    let mut mounts: Vec<Value> = user.volume_mounts.iter().flatten().map(|m| json!(m)).collect();
    let mut init = Vec::new();
    let image = match (&custom_image, runtime) {
        (Some(image), _) => image.clone(),
        (None, Some(rt)) => {
            let image = options
                .runtime_images
                .get(&rt.name())
                .cloned()
                .unwrap_or_else(|| rt.image.to_string());
            env.push(json!({"name": "KUBELESS_INSTALL_VOLUME", "value": CODE_DIR}));
            match rt.language {
                Language::Python => env.push(json!({"name": "PYTHONPATH", "value": format!("{PY_DEPS}:{CODE_DIR}")})),
                Language::NodeJs => env.push(json!({"name": "NODE_PATH", "value": format!("{CODE_DIR}/node_modules")})),
                Language::Other => {}
            }
            volumes.push(json!({"name": fname, "emptyDir": {}}));
            volumes.push(json!({"name": format!("{fname}-deps"), "configMap": {"name": fname}}));
            volumes.push(json!({"name": "kfn-bin", "emptyDir": {}}));
            mounts.push(json!({"name": fname, "mountPath": CODE_DIR}));
            mounts.push(json!({"name": "kfn-bin", "mountPath": KFN_DIR}));
            let code_mounts = json!([{"name": fname, "mountPath": CODE_DIR}, {"name": format!("{fname}-deps"), "mountPath": "/src"}, {"name": "kfn-bin", "mountPath": KFN_DIR}]);
            init.push(json!({
                "name": "kfn",
                "image": options.kfn_image,
                "imagePullPolicy": "IfNotPresent",
                "command": ["cp", "/usr/local/bin/kfn", format!("{KFN_DIR}/kfn")],
                "volumeMounts": [{"name": "kfn-bin", "mountPath": KFN_DIR}],
            }));
            let (module, _) = spec.handler_parts();
            init.push(json!({
                "name": "prepare",
                "image": options.kfn_image,
                "imagePullPolicy": "IfNotPresent",
                "command": [format!("{KFN_DIR}/kfn"), "runtime", "prepare"],
                "env": [
                    {"name": "KFN_SOURCE", "value": format!("/src/{}", code_key(function))},
                    {"name": "KFN_CONTENT_TYPE", "value": spec.content_type},
                    {"name": "KFN_CHECKSUM", "value": spec.checksum},
                    {"name": "KFN_SUFFIX", "value": rt.suffix},
                    {"name": "KFN_DEPS_FILE", "value": if rt.dep_file.is_empty() { String::new() } else { format!("/src/{}", rt.dep_file) }},
                    {"name": "MOD_NAME", "value": module},
                    {"name": "KUBELESS_INSTALL_VOLUME", "value": CODE_DIR},
                ],
                "volumeMounts": code_mounts,
            }));
            if !spec.deps.trim().is_empty() {
                let command = match rt.language {
                    Language::Python => format!(
                        "pip install --no-cache-dir --target {PY_DEPS} -r {CODE_DIR}/{}",
                        rt.dep_file
                    ),
                    _ => format!("cd {CODE_DIR} && npm install --omit=dev --no-audit --no-fund"),
                };
                let resources = pod_spec
                    .init_containers
                    .as_ref()
                    .and_then(|c| c.first())
                    .and_then(|c| c.resources.as_ref());
                init.push(json!({
                    "name": "install",
                    "image": rt.install_image,
                    "imagePullPolicy": "IfNotPresent",
                    "command": ["sh", "-c", command],
                    "workingDir": CODE_DIR,
                    "env": user.env,
                    "volumeMounts": [{"name": fname, "mountPath": CODE_DIR}],
                    "resources": resources.map_or(json!({}), |r| json!(r)),
                }));
            }
            image
        }
        (None, None) => spec.runtime.clone(),
    };
    let mut main = json!({
        "name": fname,
        "image": image,
        "imagePullPolicy": user.image_pull_policy.as_deref().unwrap_or(DEFAULT_PULL_POLICY),
        "env": env,
        "ports": [{"containerPort": port}],
        "resources": user.resources.as_ref().map_or(json!({}), |r| json!(r)),
        "livenessProbe": user.liveness_probe.as_ref().map_or(json!({"httpGet": {"path": "/healthz", "port": port}, "initialDelaySeconds": 3, "periodSeconds": 30}), |p| json!(p)),
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": port}, "periodSeconds": 2},
    });
    if custom_image.is_none() && runtime.is_some() {
        main["command"] = json!([format!("{KFN_DIR}/kfn"), "runtime", "serve"]);
    }
    if !mounts.is_empty() {
        main["volumeMounts"] = json!(mounts);
    }
    let security = pod_spec
        .security_context
        .as_ref()
        .map_or(json!({"runAsUser": 1000, "fsGroup": 1000}), |s| json!(s));
    let mut pod = json!({"containers": [main], "securityContext": security});
    if !init.is_empty() {
        pod["initContainers"] = json!(init);
    }
    if !volumes.is_empty() {
        pod["volumes"] = json!(volumes);
    }
    if let Some(sa) = &pod_spec.service_account_name {
        pod["serviceAccountName"] = json!(sa);
    }
    if let Some(v) = &pod_spec.node_selector {
        pod["nodeSelector"] = json!(v);
    }
    if let Some(v) = &pod_spec.tolerations {
        pod["tolerations"] = json!(v);
    }
    if let Some(v) = &pod_spec.image_pull_secrets {
        pod["imagePullSecrets"] = json!(v);
    }
    pod["affinity"] = match &pod_spec.affinity {
        Some(a) => json!(a),
        None => {
            json!({"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": {
            "labelSelector": {"matchLabels": {"created-by": "kubeless", "function": fname}}, "topologyKey": "kubernetes.io/hostname"}}]}})
        }
    };
    let labels = labels(function);
    let mut annotations = json!({
        "prometheus.io/scrape": "true", "prometheus.io/path": "/metrics", "prometheus.io/port": port.to_string(),
        "kfn.io/content-hash": content_hash(function),
    });
    let template_annotations = spec
        .deployment
        .spec
        .template
        .metadata
        .as_ref()
        .and_then(|m| m.annotations.as_ref());
    for (k, v) in template_annotations.into_iter().flatten() {
        annotations[k] = json!(v);
    }
    let mut deployment_spec = json!({
        "selector": {"matchLabels": {"created-by": labels["created-by"], "function": fname}},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0}},
        "template": {"metadata": {"labels": labels, "annotations": annotations}, "spec": pod},
    });
    if let Some(r) = spec.replicas() {
        deployment_spec["replicas"] = json!(r);
    }
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": owned_metadata(function), "spec": deployment_spec})
}

/// The HorizontalPodAutoscaler (autoscaling/v2) of a function with a rule.
pub fn hpa(function: &Function) -> Option<Value> {
    let rule = crate::api::hpa::read(&function.spec)?;
    let mut obj = crate::api::hpa::build(&function.metadata, &rule);
    obj["metadata"] = owned_metadata(function);
    Some(obj)
}

/// The Ingress (networking.k8s.io/v1) of an HTTPTrigger, for the function's Service port.
pub fn ingress(trigger: &HTTPTrigger, function_service_port: u16) -> Value {
    let spec = &trigger.spec;
    let nginx = matches!(spec.gateway, Gateway::Unset | Gateway::Nginx);
    let gateway = if nginx { "nginx" } else { spec.gateway.as_str() };
    let host = &spec.host_name;
    let path = format!("/{}", spec.path.trim_start_matches('/'));
    let name = trigger.metadata.name.as_deref().unwrap_or_default();
    let mut annotations = serde_json::Map::new();
    if nginx {
        annotations.insert("nginx.ingress.kubernetes.io/rewrite-target".into(), json!("/"));
    }
    let prefix = if nginx {
        "nginx.ingress.kubernetes.io"
    } else {
        "ingress.kubernetes.io"
    };
    if spec.cors_enable {
        annotations.insert(format!("{prefix}/enable-cors"), json!("true"));
    }
    if !spec.basic_auth_secret.is_empty() {
        annotations.insert(format!("{prefix}/auth-secret"), json!(spec.basic_auth_secret));
        annotations.insert(format!("{prefix}/auth-type"), json!("basic"));
    }
    let mut tls = Vec::new();
    if spec.tls {
        annotations.insert("kubernetes.io/tls-acme".into(), json!("true"));
        annotations.insert("nginx.ingress.kubernetes.io/ssl-redirect".into(), json!("true"));
        tls.push(json!({"hosts": [host], "secretName": format!("{name}-tls")}));
    } else if !spec.tls_secret.is_empty() {
        tls.push(json!({"hosts": [host], "secretName": spec.tls_secret}));
    }
    for (k, v) in trigger.metadata.annotations.iter().flatten() {
        annotations.insert(k.clone(), json!(v));
    }
    let mut ing_spec = json!({
        "ingressClassName": gateway,
        "rules": [{"host": host, "http": {"paths": [{"path": path, "pathType": "Prefix",
            "backend": {"service": {"name": spec.function_name, "port": {"number": function_service_port}}}}]}}],
    });
    if !tls.is_empty() {
        ing_spec["tls"] = json!(tls);
    }
    json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": name, "namespace": trigger.metadata.namespace, "labels": trigger.metadata.labels,
            "annotations": annotations, "ownerReferences": [owned_by(trigger)]},
        "spec": ing_spec,
    })
}

/// Why a CronJobTrigger has no CronJob: its schedule, or its function's timeout.
#[derive(Debug, thiserror::Error)]
pub enum CronJobError {
    #[error(transparent)]
    Schedule(#[from] crate::api::schedule::ScheduleError),
    #[error(transparent)]
    Timeout(#[from] crate::api::kinds::TimeoutError),
}

/// The CronJob (batch/v1) of a CronJobTrigger: named after the trigger and owned by it, so two
/// triggers never collide and deleting the trigger deletes it. A schedule no CronJob can run
/// exactly is an error (saying why), not another schedule.
pub fn cronjob(trigger: &CronJobTrigger, function: &Function, curl_image: &str) -> Result<Value, CronJobError> {
    let schedule = crate::api::schedule::cluster_schedule(&trigger.spec.schedule)?;
    let (port, _) = service_port(function);
    let fname = function.name();
    let ns = function.namespace();
    let event_time = crate::api::schedule::event_time_shell();
    let mut command = format!(
        "curl -Lsv --fail -H \"Event-Id: $(POD_UID)\" -H \"Event-Time: {event_time}\" -H \"Event-Namespace: cronjobtrigger.kubeless.io\" -H \"Event-Type: application/json\" -H \"Content-Type: application/json\" http://{fname}.{ns}.svc.cluster.local:{port}"
    );
    if let Some(payload) = trigger.spec.payload.as_ref().filter(|p| !p.is_null()) {
        command.push_str(&format!(" -d '{}'", payload.to_string().replace('\'', "'\\''")));
    }
    let timeout = function.spec.timeout.seconds()?;
    let mut pod_labels = labels(function);
    pod_labels.extend(trigger.metadata.labels.clone().unwrap_or_default());
    Ok(json!({
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": format!("trigger-{}", trigger.metadata.name.as_deref().unwrap_or_default()), "namespace": ns, "labels": pod_labels,
            "ownerReferences": [owned_by(trigger)]},
        "spec": {
            "schedule": schedule,
            "timeZone": "Etc/UTC",
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 1,
            "jobTemplate": {"spec": {"activeDeadlineSeconds": timeout, "template": {
                "metadata": {"labels": pod_labels},
                "spec": {"restartPolicy": "Never", "containers": [{
                    "name": "trigger", "image": curl_image,
                    "env": [{"name": "POD_UID", "valueFrom": {"fieldRef": {"fieldPath": "metadata.uid"}}}],
                    "command": ["/bin/sh", "-c"], "args": [command],
                    "resources": {"limits": {"memory": "64Mi", "cpu": "100m"}, "requests": {"memory": "16Mi", "cpu": "10m"}},
                }]},
            }}},
        },
    }))
}

/// The annotation on a function's Service while it is at zero: the port of `kfn activator`
/// that holds its calls (one port per function: a Service reaches the activator by address
/// and port only, so the port says which function a request is for).
pub const ACTIVATOR_PORT_ANNOTATION: &str = "kfn.io/activator-port";
/// The annotation `kfn activator` writes on a function's Service: when a call last arrived for
/// it (RFC 3339), so the controller knows of calls that woke it.
pub const LAST_CALL_ANNOTATION: &str = "kfn.io/last-call";
/// Who manages the EndpointSlice of a function at zero.
pub const ACTIVATOR_SLICE_MANAGER: &str = "kfn-controller";

/// The function's Service while it is at zero: no selector (the activator's pods are in another
/// namespace, which a selector cannot reach), its activator port in an annotation; its
/// endpoints are [`activator_slice`].
pub fn service_at_activator(function: &Function, port: u16) -> Value {
    let mut svc = service(function);
    if let Some(spec) = svc["spec"].as_object_mut() {
        spec.remove("selector");
    }
    svc["metadata"]["annotations"] = json!({ACTIVATOR_PORT_ANNOTATION: port.to_string()});
    svc
}

/// The name of the EndpointSlice that points a function's Service at the activator.
pub fn activator_slice_name(function: &Function) -> String {
    format!("{}-kfn-activator", function.name())
}

/// The EndpointSlice (discovery.k8s.io/v1) of a function at zero: the activator's ready pod
/// addresses, every port of the function's Service mapped to the function's activator port.
pub fn activator_slice(function: &Function, port: u16, addresses: &[String]) -> Value {
    let service = service(function);
    let ports: Vec<Value> = service["spec"]["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let mut out = json!({"port": port, "protocol": p["protocol"].as_str().unwrap_or("TCP")});
            if let Some(name) = p["name"].as_str() {
                out["name"] = json!(name);
            }
            out
        })
        .collect();
    let endpoints: Vec<Value> = addresses
        .iter()
        .map(|a| json!({"addresses": [a], "conditions": {"ready": true}}))
        .collect();
    let mut labels = labels(function);
    labels.insert("kubernetes.io/service-name".into(), function.name().to_string());
    labels.insert(
        "endpointslice.kubernetes.io/managed-by".into(),
        ACTIVATOR_SLICE_MANAGER.into(),
    );
    let family = match addresses.first() {
        Some(a) if a.contains(':') => "IPv6",
        _ => "IPv4",
    };
    json!({
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {"name": activator_slice_name(function), "namespace": function.namespace(), "labels": labels,
            "ownerReferences": [owned_by(function)]},
        "addressType": family,
        "endpoints": endpoints,
        "ports": ports,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function(content_type: &str, deps: &str) -> Function {
        Function::from_object(&json!({"apiVersion": "kubeless.io/v1beta1", "kind": "Function",
            "metadata": {"name": "hello", "namespace": "default", "uid": "u1", "labels": {"created-by": "kubeless", "function": "hello"}},
            "spec": {"handler": "test.hello", "runtime": "python3.12", "function": "x", "function-content-type": content_type,
                "checksum": "sha256:1", "deps": deps, "timeout": "180",
                "deployment": {"spec": {"template": {"spec": {"containers": [{"name": "", "imagePullPolicy": "IfNotPresent", "resources": {}}]}}}},
                "service": {"ports": [{"name": "http-function-port", "port": 8080, "targetPort": 8080, "protocol": "TCP"}], "type": "ClusterIP"}}})).unwrap()
    }

    fn options() -> Options {
        Options {
            kfn_image: "kfn:test".into(),
            runtime_images: Default::default(),
        }
    }

    #[test]
    fn configmap_keys_follow_kubeless() {
        let cm = configmap(&function("text", "requests\n"));
        assert_eq!(cm["data"]["handler"], "test.hello");
        assert_eq!(cm["data"]["test.py"], "x");
        assert_eq!(cm["data"]["requirements.txt"], "requests\n");
        assert!(
            configmap(&function("base64+zip", ""))["data"].get("test").is_some(),
            "archives use the bare module"
        );
        assert_eq!(cm["metadata"]["ownerReferences"][0]["uid"], "u1");
    }

    #[test]
    fn the_deployment_runs_kfn_in_an_official_image_and_rolls_on_code_changes() {
        let d = deployment(&function("text", "requests\n"), &options());
        let pod = &d["spec"]["template"]["spec"];
        let init: Vec<&str> = pod["initContainers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(init, ["kfn", "prepare", "install"]);
        assert_eq!(pod["containers"][0]["image"], "python:3.12-slim");
        assert_eq!(pod["containers"][0]["command"], json!(["/kfn/kfn", "runtime", "serve"]));
        assert_eq!(pod["securityContext"], json!({"runAsUser": 1000, "fsGroup": 1000}));
        assert_eq!(d["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"], 0);
        let without_deps = deployment(&function("text", ""), &options());
        assert_eq!(
            without_deps["spec"]["template"]["spec"]["initContainers"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        let mut changed = function("text", "requests\n");
        changed.spec.function = "y".into();
        let hash = |d: &Value| d["spec"]["template"]["metadata"]["annotations"]["kfn.io/content-hash"].clone();
        assert_ne!(hash(&d), hash(&deployment(&changed, &options())));
        let mut custom = function("text", "");
        custom.spec.deployment.spec.template.spec.as_mut().unwrap().containers[0].image = Some("example/fn:1".into());
        let c = deployment(&custom, &options());
        assert_eq!(c["spec"]["template"]["spec"]["containers"][0]["image"], "example/fn:1");
        assert!(c["spec"]["template"]["spec"].get("initContainers").is_none());
    }

    #[test]
    fn ingress_and_cronjob_use_current_apis() {
        let t = json!({"apiVersion": "kubeless.io/v1beta1", "kind": "HTTPTrigger", "metadata": {"name": "ing", "namespace": "default", "uid": "t1", "labels": {"created-by": "kubeless"}},
            "spec": {"function-name": "hello", "host-name": "test.domain", "path": "api", "gateway": "nginx", "basic-auth-secret": "ba", "cors-enable": true, "tls": false, "tls-secret": ""}});
        let i = ingress(&crate::api::kinds::from_object(&t).unwrap(), 8080);
        assert_eq!(i["apiVersion"], "networking.k8s.io/v1");
        assert_eq!(i["spec"]["rules"][0]["http"]["paths"][0]["path"], "/api");
        assert_eq!(
            i["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"],
            json!({"name": "hello", "port": {"number": 8080}})
        );
        assert_eq!(
            i["metadata"]["annotations"]["nginx.ingress.kubernetes.io/auth-type"],
            "basic"
        );
        let c = json!({"apiVersion": "kubeless.io/v1beta1", "kind": "CronJobTrigger", "metadata": {"name": "tick", "namespace": "default", "uid": "c1"},
            "spec": {"function-name": "hello", "schedule": "@every 2m", "payload": {"a": 1}}});
        let cj = cronjob(
            &crate::api::kinds::from_object(&c).unwrap(),
            &function("text", ""),
            "curlimages/curl:8.10.1",
        )
        .unwrap();
        assert_eq!(cj["apiVersion"], "batch/v1");
        assert_eq!(cj["metadata"]["name"], "trigger-tick");
        assert_eq!(cj["metadata"]["ownerReferences"][0]["kind"], "CronJobTrigger");
        assert_eq!(cj["spec"]["schedule"], "*/2 * * * *");
        assert!(
            cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"][0]
                .as_str()
                .unwrap()
                .ends_with("-d '{\"a\":1}'")
        );
    }

    #[test]
    fn a_cronjob_sends_the_event_time_the_engine_and_kubeless_send() {
        let c = json!({"apiVersion": "kubeless.io/v1beta1", "kind": "CronJobTrigger", "metadata": {"name": "tick", "namespace": "default", "uid": "c1"},
            "spec": {"function-name": "hello", "schedule": "* * * * *"}});
        let cj = cronjob(
            &crate::api::kinds::from_object(&c).unwrap(),
            &function("text", ""),
            "curlimages/curl:8.10.1",
        )
        .unwrap();
        let command = cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"][0]
            .as_str()
            .unwrap()
            .to_string();
        // The header's value as the pod's shell expands it.
        let header = command.split("-H \"Event-Time: ").nth(1).unwrap();
        let header = &header[..header.find("\" -H").unwrap()];
        let out = std::process::Command::new("/bin/sh")
            .args(["-c", &format!("echo \"{header}\"")])
            .output()
            .unwrap();
        let cluster = String::from_utf8(out.stdout).unwrap().trim().to_string();
        let engine = crate::api::schedule::event_time(k8s_openapi::jiff::Timestamp::now());
        // Kubeless: `date --rfc-3339=seconds --utc`, e.g. `2021-05-03 11:31:53+00:00`.
        let shape = |t: &str| {
            t.len() == 25
                && t.ends_with("+00:00")
                && t.as_bytes()[10] == b' '
                && t.chars().filter(char::is_ascii_digit).count() == 18
        };
        assert!(shape(&cluster), "cluster Event-Time {cluster:?}");
        assert!(shape(&engine), "engine Event-Time {engine:?}");
    }

    #[test]
    fn a_schedule_no_cronjob_runs_exactly_is_an_error_not_another_schedule() {
        let c = json!({"apiVersion": "kubeless.io/v1beta1", "kind": "CronJobTrigger", "metadata": {"name": "tick", "namespace": "default", "uid": "c1"},
            "spec": {"function-name": "hello", "schedule": "@every 90m"}});
        let e = cronjob(
            &crate::api::kinds::from_object(&c).unwrap(),
            &function("text", ""),
            "curlimages/curl:8.10.1",
        )
        .unwrap_err();
        assert!(e.to_string().contains("@every 90m"), "{e}");
    }
}
