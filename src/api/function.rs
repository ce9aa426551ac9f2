//! The kubeless.io/v1beta1 Function object: built from `function deploy` flags exactly as
//! Kubeless builds it (same fields, same defaults, same order), and changed by
//! `function update` only where a flag was given.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{GROUP, VERSION};

pub use super::kinds::{DEFAULT_PORT, DEFAULT_PULL_POLICY, PORT_NAME};
use super::kinds::{Function, ObjectError, Scaling, Timeout};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// Code as the Function carries it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Code {
    pub function: String,
    pub content_type: String,
    pub checksum: String,
}

/// What `deploy` and `update` flags ask for. `None` (or empty) means "not given".
#[derive(Clone, Debug, Default)]
pub struct FunctionFlags {
    pub name: String,
    pub namespace: String,
    pub handler: Option<String>,
    pub runtime: Option<String>,
    pub code: Option<Code>,
    pub deps: Option<String>,
    pub labels: Vec<(String, String)>,
    pub env: Vec<(String, String)>,
    pub secrets: Vec<String>,
    pub node_selectors: Vec<(String, String)>,
    pub service_account: Option<String>,
    /// Canonical quantities.
    pub memory: Option<String>,
    pub cpu: Option<String>,
    pub runtime_image: Option<String>,
    pub image_pull_policy: Option<String>,
    pub timeout: Option<Timeout>,
    pub port: Option<i32>,
    pub service_port: Option<i32>,
    pub headless: Option<bool>,
    /// `--scale-to-zero-after`: `Some(Some(d))` sets the idle window, `Some(None)` (`off`)
    /// removes it.
    pub scale_to_zero_after: Option<Option<String>>,
    /// `--proactive`.
    pub proactive: Option<bool>,
}

/// The idle window `autoscale create --min 0` sets when not told.
pub const DEFAULT_IDLE_WINDOW: &str = "60s";

/// The shortest idle window `--scale-to-zero-after` takes.
pub const MIN_IDLE_WINDOW: std::time::Duration = std::time::Duration::from_secs(1);

/// What `--scale-to-zero-after` and `--for` accept, in words.
const DURATION_WORDS: &str = "a Go duration such as 60s, 90s, 5m or 1h30m (units h, m, s, ms)";

/// Checks a duration given with `flag` and returns it: a Go duration whose numbers are
/// written as the CRD's pattern takes them (`1.5h`, not `.5h`), at least `min`.
pub fn duration(text: &str, flag: &str, min: std::time::Duration) -> Result<std::time::Duration, String> {
    let shaped = !text.is_empty()
        && text
            .split(|c: char| c.is_ascii_alphabetic() || c == 'µ')
            .filter(|n| !n.is_empty())
            .all(|n| {
                let mut parts = n.split('.');
                let whole = parts.next().unwrap_or_default();
                let fraction = parts.next();
                !whole.is_empty()
                    && parts.next().is_none()
                    && fraction.is_none_or(|f| !f.is_empty())
                    && n.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            });
    let parsed = super::schedule::go_duration(text).ok().filter(|_| shaped);
    match parsed {
        Some(d) if d >= min => Ok(d),
        Some(_) => Err(format!(
            "Invalid {flag} {text:?}: it must be at least {}s, {DURATION_WORDS}",
            min.as_secs()
        )),
        None => Err(format!("Invalid {flag} {text:?}: give {DURATION_WORDS}")),
    }
}

/// Reads `--scale-to-zero-after`: a duration of at least 1s, or `0`/`off` for "never" (`None`).
pub fn scale_to_zero_after(text: &str) -> Result<Option<String>, String> {
    if text == "0" || text.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    match duration(text, "--scale-to-zero-after", MIN_IDLE_WINDOW) {
        Ok(_) => Ok(Some(text.to_string())),
        Err(e) => Err(format!("{e}; or 0 or off for never")),
    }
}

/// The Function's `spec.scaling`, changed by `change`, written back (removed when nothing is
/// left in it). A `spec.scaling` that cannot be read is an error naming the field.
pub fn change_scaling(function: &mut Value, change: impl FnOnce(&mut Scaling)) -> Result<(), ObjectError> {
    let stored = function.pointer("/spec/scaling").cloned().unwrap_or(Value::Null);
    let mut scaling: Scaling = if stored.is_null() {
        Scaling::default()
    } else {
        serde_json::from_value(stored).map_err(|e| ObjectError {
            object: format!(
                "Function {}/{}",
                function["metadata"]["namespace"].as_str().unwrap_or_default(),
                function["metadata"]["name"].as_str().unwrap_or_default()
            ),
            problem: format!("spec.scaling: {e}"),
        })?
    };
    change(&mut scaling);
    let spec = path(function, &["spec"]);
    if scaling == Scaling::default() {
        spec.remove("scaling");
    } else {
        spec.insert(
            "scaling".into(),
            serde_json::to_value(&scaling).expect("a Scaling is JSON"),
        );
    }
    Ok(())
}

/// Applies `--scale-to-zero-after` and `--proactive` to a Scaling.
fn apply_scaling_flags(scaling: &mut Scaling, flags: &FunctionFlags) {
    if let Some(after) = &flags.scale_to_zero_after {
        scaling.scale_to_zero_after = after.clone();
    }
    if let Some(proactive) = flags.proactive {
        scaling.proactive = Some(proactive);
    }
}

/// The labels every Function gets, then the user's on top.
pub fn labels(name: &str, user: &[(String, String)]) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::from([
        ("created-by".to_string(), "kubeless".to_string()),
        ("function".to_string(), name.to_string()),
    ]);
    labels.extend(user.iter().cloned());
    labels
}

fn env_list(env: &[(String, String)]) -> Value {
    Value::Array(env.iter().map(|(k, v)| json!({"name": k, "value": v})).collect())
}

fn resources(memory: &str, cpu: &str) -> Value {
    let list = json!({"cpu": cpu, "memory": memory});
    json!({"limits": list, "requests": list})
}

fn secret_volume(secret: &str) -> (Value, Value) {
    let volume = format!("{secret}-vol");
    (
        json!({"name": volume, "secret": {"secretName": secret}}),
        json!({"name": volume, "mountPath": format!("/{secret}")}),
    )
}

fn service(labels: &BTreeMap<String, String>, port: i32, service_port: i32, headless: bool) -> Value {
    let mut spec = json!({
        "ports": [{"name": PORT_NAME, "protocol": "TCP", "port": if service_port > 0 { service_port } else { port }, "targetPort": port}],
        "selector": labels,
    });
    if headless {
        spec["clusterIP"] = json!("None");
    }
    spec["type"] = json!("ClusterIP");
    spec
}

/// The zero HorizontalPodAutoscaler Kubeless writes into every new Function.
pub fn empty_hpa() -> Value {
    json!({
        "metadata": {"creationTimestamp": null},
        "spec": {"scaleTargetRef": {"kind": "", "name": ""}, "maxReplicas": 0},
        "status": {"currentReplicas": 0, "desiredReplicas": 0, "currentMetrics": null, "conditions": null},
    })
}

/// The Function `function deploy` submits.
pub fn build(flags: &FunctionFlags) -> Value {
    let labels = labels(&flags.name, &flags.labels);
    let code = flags.code.clone().unwrap_or_default();
    let mut container = Map::new();
    container.insert("name".into(), json!(""));
    if let Some(image) = flags.runtime_image.as_deref().filter(|i| !i.is_empty()) {
        container.insert("image".into(), json!(image));
    }
    if !flags.env.is_empty() {
        container.insert("env".into(), env_list(&flags.env));
    }
    container.insert(
        "resources".into(),
        match (&flags.memory, &flags.cpu) {
            (None, None) => json!({}),
            (m, c) => resources(m.as_deref().unwrap_or("0"), c.as_deref().unwrap_or("0")),
        },
    );
    let mut pod = Map::new();
    if !flags.secrets.is_empty() {
        let (volumes, mounts): (Vec<Value>, Vec<Value>) = flags.secrets.iter().map(|s| secret_volume(s)).unzip();
        container.insert("volumeMounts".into(), Value::Array(mounts));
        pod.insert("volumes".into(), Value::Array(volumes));
    }
    container.insert(
        "imagePullPolicy".into(),
        json!(flags.image_pull_policy.as_deref().unwrap_or(DEFAULT_PULL_POLICY)),
    );
    pod.insert("containers".into(), json!([container]));
    if !flags.node_selectors.is_empty() {
        let selectors: BTreeMap<_, _> = flags.node_selectors.iter().cloned().collect();
        pod.insert("nodeSelector".into(), json!(selectors));
    }
    if let Some(sa) = flags.service_account.as_deref().filter(|s| !s.is_empty()) {
        pod.insert("serviceAccountName".into(), json!(sa));
    }
    let mut function = json!({
        "kind": "Function",
        "apiVersion": format!("{GROUP}/{VERSION}"),
        "metadata": {"name": flags.name, "namespace": flags.namespace, "creationTimestamp": null, "labels": labels},
        "spec": {
            "handler": flags.handler.clone().unwrap_or_default(),
            "function": code.function,
            "function-content-type": code.content_type,
            "checksum": code.checksum,
            "runtime": flags.runtime.clone().unwrap_or_default(),
            "timeout": flags.timeout.clone().unwrap_or_default().text(),
            "deps": flags.deps.clone().unwrap_or_default(),
            "deployment": {
                "metadata": {"creationTimestamp": null},
                "spec": {
                    "selector": null,
                    "template": {"metadata": {"creationTimestamp": null}, "spec": pod},
                    "strategy": {},
                },
                "status": {},
            },
            "service": service(
                &labels,
                flags.port.unwrap_or(DEFAULT_PORT),
                flags.service_port.unwrap_or(0),
                flags.headless.unwrap_or(false),
            ),
            "horizontalPodAutoscaler": empty_hpa(),
        },
    });
    let mut scaling = Scaling::default();
    apply_scaling_flags(&mut scaling, flags);
    if scaling != Scaling::default() {
        function["spec"]["scaling"] = serde_json::to_value(&scaling).expect("a Scaling is JSON");
    }
    function
}

/// Applies `function update` flags to the stored Function: only what a flag gives changes;
/// labels are added to, secrets are added once, the rest is kept. What was there is read as a
/// typed Function past fields of the wrong type (which the update may mend); one that cannot be
/// read at all is an error that names the field.
pub fn update(mut function: Value, flags: &FunctionFlags) -> Result<Value, ObjectError> {
    let old: Function = super::kinds::lenient(&function).into_result()?;
    let spec = path(&mut function, &["spec"]);
    let mut set = |key: &str, value: &Option<String>| {
        if let Some(v) = value {
            spec.insert(key.into(), json!(v));
        }
    };
    set("handler", &flags.handler);
    set("runtime", &flags.runtime);
    set("deps", &flags.deps);
    set("timeout", &flags.timeout.as_ref().map(Timeout::text));
    if let Some(code) = &flags.code {
        spec.insert("function".into(), json!(code.function));
        spec.insert("function-content-type".into(), json!(code.content_type));
        spec.insert("checksum".into(), json!(code.checksum));
    }

    let mut labels = old.metadata.labels.clone().unwrap_or_default();
    labels.extend(flags.labels.iter().cloned());
    path(&mut function, &["metadata"]).insert("labels".into(), json!(labels));

    let pod = path(&mut function, &["spec", "deployment", "spec", "template", "spec"]);
    if !flags.node_selectors.is_empty() {
        let selectors: BTreeMap<_, _> = flags.node_selectors.iter().cloned().collect();
        pod.insert("nodeSelector".into(), json!(selectors));
    }
    if let Some(sa) = &flags.service_account {
        pod.insert("serviceAccountName".into(), json!(sa));
    }
    for secret in &flags.secrets {
        let (volume, mount) = secret_volume(secret);
        let volumes = pod.entry("volumes").or_insert_with(|| json!([]));
        if let Some(list) = volumes
            .as_array_mut()
            .filter(|l| !l.iter().any(|v| v["name"] == volume["name"]))
        {
            list.push(volume);
        }
        let container = first_container(pod);
        let mounts = container.entry("volumeMounts").or_insert_with(|| json!([]));
        if let Some(list) = mounts
            .as_array_mut()
            .filter(|l| !l.iter().any(|m| m["name"] == mount["name"]))
        {
            list.push(mount);
        }
    }
    let container = first_container(pod);
    if !flags.env.is_empty() {
        container.insert("env".into(), env_list(&flags.env));
    }
    if let Some(image) = &flags.runtime_image {
        container.insert("image".into(), json!(image));
    }
    if let Some(policy) = &flags.image_pull_policy {
        container.insert("imagePullPolicy".into(), json!(policy));
    }
    if flags.memory.is_some() || flags.cpu.is_some() {
        let requested = |which: &str| {
            let requests = old.spec.container()?.resources.as_ref()?.requests.as_ref()?;
            requests.get(which).map(|q| q.0.clone())
        };
        let memory = flags
            .memory
            .clone()
            .or_else(|| requested("memory"))
            .unwrap_or_else(|| "0".into());
        let cpu = flags
            .cpu
            .clone()
            .or_else(|| requested("cpu"))
            .unwrap_or_else(|| "0".into());
        container.insert("resources".into(), resources(&memory, &cpu));
    }

    let first = old.spec.service.ports.as_ref().and_then(|p| p.first());
    let old_port = first.and_then(|p| match &p.target_port {
        Some(IntOrString::Int(port)) => Some(*port),
        _ => None,
    });
    let old_service_port = first.map(|p| p.port);
    let port = flags.port.or(old_port).unwrap_or(DEFAULT_PORT);
    let service_port = match (flags.service_port, flags.port) {
        (Some(sp), _) => sp,
        // A new --port moves the service port too, unless it was set apart before.
        (None, Some(_)) if old_service_port != old_port => old_service_port.unwrap_or(0),
        (None, Some(p)) => p,
        (None, None) => old_service_port.unwrap_or(port),
    };
    let headless = flags
        .headless
        .unwrap_or(old.spec.service.cluster_ip.as_deref() == Some("None"));
    let rebuilt = self::service(&labels, port, service_port, headless);
    *path(&mut function, &["spec", "service"]) = rebuilt.as_object().expect("a service spec").clone();
    if flags.scale_to_zero_after.is_some() || flags.proactive.is_some() {
        change_scaling(&mut function, |s| apply_scaling_flags(s, flags))?;
    }
    Ok(function)
}

/// The object at a path of keys, made (as an empty object) where missing.
fn path<'a>(value: &'a mut Value, keys: &[&str]) -> &'a mut Map<String, Value> {
    let mut at = value;
    for key in keys {
        if !at[*key].is_object() {
            at[*key] = json!({});
        }
        at = &mut at[*key];
    }
    at.as_object_mut().expect("made an object")
}

fn first_container(pod: &mut Map<String, Value>) -> &mut Map<String, Value> {
    let containers = pod.entry("containers").or_insert_with(|| json!([]));
    if !containers.is_array() {
        *containers = json!([]);
    }
    let list = containers.as_array_mut().expect("made an array");
    if list.is_empty() {
        list.push(json!({"name": ""}));
    }
    if !list[0].is_object() {
        list[0] = json!({"name": ""});
    }
    list[0].as_object_mut().expect("made an object")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output;

    fn hello() -> FunctionFlags {
        let text = "def hello(event, context):\n  print(event)\n  return event['data']\n";
        FunctionFlags {
            name: "hello".into(),
            namespace: "default".into(),
            handler: Some("test.hello".into()),
            runtime: Some("python3.7".into()),
            code: Some(Code {
                function: text.into(),
                content_type: "text".into(),
                checksum: crate::source::checksum(text.as_bytes()),
            }),
            ..Default::default()
        }
    }

    /// Compares with `src/api/snapshots/<name>`; `KFN_UPDATE_SNAPSHOTS=1` rewrites the file.
    fn snapshot(name: &str, text: &str) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/api/snapshots")
            .join(name);
        if std::env::var_os("KFN_UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(&path, text).unwrap();
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(
            text, want,
            "snapshot {name} differs (KFN_UPDATE_SNAPSHOTS=1 rewrites it)"
        );
    }

    #[test]
    fn the_kubeless_example_object_field_for_field() {
        let f = build(&hello());
        snapshot("deploy-hello.yaml", &output::yaml(&f));
        snapshot("deploy-hello.json", &output::json(&f, 4));
    }

    #[test]
    fn memory_alone_sets_cpu_to_zero_in_limits_and_requests() {
        let f = build(&FunctionFlags {
            memory: Some("128Mi".into()),
            ..hello()
        });
        let want = json!({"cpu": "0", "memory": "128Mi"});
        let container = &f["spec"]["deployment"]["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(container["resources"], json!({"limits": want, "requests": want}));
    }

    #[test]
    fn ports_and_headless() {
        let f = build(&FunctionFlags {
            port: Some(9091),
            service_port: Some(9092),
            headless: Some(true),
            ..hello()
        });
        snapshot("deploy-ports-headless.yaml", &output::yaml(&f["spec"]["service"]));
        let plain = build(&hello());
        assert_eq!(plain["spec"]["service"]["ports"][0]["port"], 8080);
        assert_eq!(plain["spec"]["service"]["ports"][0]["targetPort"], 8080);
        assert!(plain["spec"]["service"].get("clusterIP").is_none());
    }

    #[test]
    fn secrets_env_labels_and_node_selectors() {
        let flags = FunctionFlags {
            secrets: vec!["db".into(), "api".into()],
            env: crate::api::flags::pairs(&["foo:bar,bar=foo".into()]),
            labels: crate::api::flags::pairs(&["foo:bar,bar=foo,foobar".into()]),
            node_selectors: crate::api::flags::pairs(&["disk=ssd".into()]),
            service_account: Some("runner".into()),
            ..hello()
        };
        snapshot("deploy-metadata.yaml", &output::yaml(&build(&flags)));
    }

    #[test]
    fn update_changes_only_what_flags_give() {
        let deployed = build(&FunctionFlags {
            timeout: Some(Timeout("30".into())),
            image_pull_policy: Some("IfNotPresent".into()),
            secrets: vec!["db".into()],
            memory: Some("128Mi".into()),
            ..hello()
        });
        let mut with_hpa = deployed.clone();
        with_hpa["spec"]["horizontalPodAutoscaler"] =
            json!({"metadata": {"name": "hello"}, "spec": {"maxReplicas": 3}});
        let updated = update(
            with_hpa.clone(),
            &FunctionFlags {
                name: "hello".into(),
                namespace: "default".into(),
                handler: Some("test.other".into()),
                secrets: vec!["db".into(), "extra".into()],
                cpu: Some("0.5".into()),
                labels: vec![("tier".into(), "web".into())],
                ..Default::default()
            },
        )
        .unwrap();
        let spec = &updated["spec"];
        assert_eq!(spec["handler"], "test.other");
        assert_eq!(spec["timeout"], "30", "no reset to 180 without --timeout");
        assert_eq!(spec["runtime"], "python3.7");
        assert_eq!(
            spec["horizontalPodAutoscaler"], with_hpa["spec"]["horizontalPodAutoscaler"],
            "the HPA is kept"
        );
        let pod = &spec["deployment"]["spec"]["template"]["spec"];
        assert_eq!(
            pod["containers"][0]["imagePullPolicy"], "IfNotPresent",
            "no reset to Always"
        );
        let volumes: Vec<_> = pod["volumes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["name"].as_str().unwrap())
            .collect();
        assert_eq!(volumes, ["db-vol", "extra-vol"], "secrets are not duplicated");
        assert_eq!(pod["containers"][0]["volumeMounts"].as_array().unwrap().len(), 2);
        assert_eq!(
            pod["containers"][0]["resources"]["limits"],
            json!({"cpu": "0.5", "memory": "128Mi"})
        );
        assert_eq!(updated["metadata"]["labels"]["tier"], "web");
        assert_eq!(updated["metadata"]["labels"]["function"], "hello");
        assert_eq!(
            spec["service"]["selector"]["tier"], "web",
            "the service follows the labels"
        );
        assert_eq!(spec["service"]["ports"][0]["port"], 8080);

        let moved = update(
            deployed,
            &FunctionFlags {
                port: Some(9000),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            moved["spec"]["service"]["ports"][0],
            json!({"name": PORT_NAME, "protocol": "TCP", "port": 9000, "targetPort": 9000})
        );

        // A stored field of the wrong type does not stop the update (which mends it here);
        // an object that is no Function at all does.
        let mut broken = moved;
        broken["spec"]["service"]["ports"] = json!("8080");
        let mended = update(broken.clone(), &FunctionFlags::default()).unwrap();
        assert_eq!(mended["spec"]["service"]["ports"][0]["port"], 8080);
        broken["spec"] = json!("code");
        let err = update(broken, &FunctionFlags::default()).unwrap_err();
        assert_eq!(err.object, "Function default/hello");
        assert!(err.problem.starts_with("spec: invalid type"), "{err}");
    }

    #[test]
    fn scale_to_zero_after_takes_a_duration_or_off() {
        assert_eq!(scale_to_zero_after("60s"), Ok(Some("60s".into())));
        assert_eq!(scale_to_zero_after("1m30s"), Ok(Some("1m30s".into())));
        assert_eq!(scale_to_zero_after("1.5h"), Ok(Some("1.5h".into())));
        assert_eq!(scale_to_zero_after("0"), Ok(None));
        assert_eq!(scale_to_zero_after("off"), Ok(None));
        for bad in ["60", "soon", "-5s", ".5h", "1.h", "5x", "", "500ms", "0s"] {
            let e = scale_to_zero_after(bad).unwrap_err();
            assert!(e.starts_with(&format!("Invalid --scale-to-zero-after {bad:?}")), "{e}");
            assert!(e.contains("such as 60s") && e.contains("0 or off"), "{e}");
        }
        assert!(scale_to_zero_after("500ms").unwrap_err().contains("at least 1s"));
    }

    #[test]
    fn deploy_and_update_write_spec_scaling() {
        let f = build(&FunctionFlags {
            scale_to_zero_after: Some(Some("60s".into())),
            proactive: Some(false),
            ..hello()
        });
        assert_eq!(
            f["spec"]["scaling"],
            json!({"scaleToZeroAfter": "60s", "proactive": false})
        );
        let read = Function::from_object(&f).unwrap();
        assert_eq!(
            read.spec.scaling.unwrap().idle_window(),
            Some(std::time::Duration::from_secs(60))
        );
        assert!(
            build(&hello())["spec"].get("scaling").is_none(),
            "no field without the flags"
        );

        let mut scheduled = f.clone();
        scheduled["spec"]["scaling"]["schedules"] = json!([{"cron": "@daily", "min": 2, "for": "1h"}]);
        let changed = update(
            scheduled,
            &FunctionFlags {
                scale_to_zero_after: Some(Some("5m".into())),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            changed["spec"]["scaling"],
            json!({"scaleToZeroAfter": "5m", "proactive": false, "schedules": [{"cron": "@daily", "min": 2, "for": "1h"}]}),
            "only the flag given changes"
        );
        let off = FunctionFlags {
            scale_to_zero_after: Some(None),
            proactive: Some(true),
            ..Default::default()
        };
        let cleared = update(f, &off).unwrap();
        assert_eq!(cleared["spec"]["scaling"], json!({"proactive": true}));
        let gone = update(
            build(&FunctionFlags {
                scale_to_zero_after: Some(Some("60s".into())),
                ..hello()
            }),
            &FunctionFlags {
                scale_to_zero_after: Some(None),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(
            gone["spec"].get("scaling").is_none(),
            "an empty spec.scaling is removed: {gone}"
        );
    }
}
