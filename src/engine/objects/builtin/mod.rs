//! Built-in objects as kube-apiserver admits them: decoded into their k8s-openapi types (a body
//! its type cannot hold is a 400), unknown fields found for `fieldValidation` and pruned,
//! Kubernetes' defaults applied, and validated (a 422 naming each field). Custom objects have
//! their unknown fields pruned against their CRD's structural schema.

mod decode;
mod defaults;
mod errors;
mod flow;
mod schema;
mod validate;

use std::collections::HashSet;

use k8s_openapi::Metadata;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::CronJob;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{
    ConfigMap, Event, LimitRange, Namespace, Pod, PodSpec, ResourceQuota, Secret, Service, ServiceAccount,
};
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::{ApiError, Objects, comparable, write::without_meta_and_status};
use crate::engine::names::CRD_RESOURCE;
use crate::engine::resources::ResourceDef;
use crate::engine::store::{Key, Mutation};
pub use decode::duplicate_fields;
use errors::FieldErrors;

/// Calls the macro `$m` with the k8s-openapi type of every built-in kind the engine decodes
/// (one list, for admission and for the unknown-field check).
macro_rules! with_builtin_kinds {
    ($m:ident) => {
        $m!(
            Namespace,
            ConfigMap,
            Secret,
            Service,
            Pod,
            Event,
            ServiceAccount,
            ClusterRole,
            ClusterRoleBinding,
            Role,
            RoleBinding,
            Deployment,
            ReplicaSet,
            HorizontalPodAutoscaler,
            CronJob,
            Ingress,
            Lease,
            ResourceQuota,
            LimitRange,
            CustomResourceDefinition
        )
    };
}

/// The service CIDR cluster IPs are allocated from (10.96.0.0/12, as kubeadm's default; the
/// first address is the `kubernetes` Service's on a cluster and never given out).
const SERVICE_CIDR: (u32, u32) = (0x0A60_0000, 12);
const NODE_PORTS: std::ops::RangeInclusive<i32> = 30000..=32767;

/// What admitting a write needs from the store, read before the store is locked for the write:
/// the CRD schema of a custom resource, the addresses and ports Services already have.
#[derive(Default)]
pub struct Prepared {
    schema: Option<Value>,
    used_ips: HashSet<String>,
    used_node_ports: HashSet<i32>,
}

impl Prepared {
    pub fn for_write(objects: &Objects, def: &ResourceDef) -> Prepared {
        let mut prepared = Prepared::default();
        if def.custom {
            prepared.schema = crd_schema(objects, def);
        } else if def.group.is_empty() && def.plural == "services" {
            for svc in objects.store.list(&def.store_key(), None).0 {
                let spec = &svc.value["spec"];
                for ip in spec["clusterIPs"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .chain([&spec["clusterIP"]])
                {
                    if let Some(ip) = ip.as_str() {
                        prepared.used_ips.insert(ip.to_string());
                    }
                }
                for p in spec["ports"].as_array().into_iter().flatten() {
                    if let Some(n) = p["nodePort"].as_i64() {
                        prepared.used_node_ports.insert(n as i32);
                    }
                }
            }
        }
        prepared
    }

    fn allocate_ip(&mut self) -> Option<String> {
        let (base, bits) = SERVICE_CIDR;
        let size = 1u32 << (32 - bits);
        let start = random() % size;
        (0..size)
            .map(|i| (start + i) % size)
            .filter(|offset| *offset > 1 && *offset < size - 1)
            .map(|offset| std::net::Ipv4Addr::from(base + offset).to_string())
            .find(|ip| self.used_ips.insert(ip.clone()))
    }

    fn allocate_node_port(&mut self) -> Option<i32> {
        let size = NODE_PORTS.end() - NODE_PORTS.start() + 1;
        let start = (random() % size as u32) as i32;
        (0..size)
            .map(|i| NODE_PORTS.start() + (start + i) % size)
            .find(|p| self.used_node_ports.insert(*p))
    }

    /// The write `mutation` decided, admitted: a stored value decoded, defaulted and validated
    /// (against `current` on updates); an update that defaulting makes a no-op is kept as is.
    pub fn admit_change(
        &mut self,
        def: &ResourceDef,
        current: Option<&Value>,
        mutation: Mutation,
    ) -> Result<Mutation, ApiError> {
        let Mutation::Put(mut next) = mutation else {
            return Ok(mutation);
        };
        self.admit(def, &mut next, current)?;
        if let Some(current) = current {
            if def.generation {
                let generation = current["metadata"]["generation"].as_i64().unwrap_or(0);
                let changed = without_meta_and_status(&next) != without_meta_and_status(current);
                next["metadata"]["generation"] = json!(generation + i64::from(changed));
            }
            if comparable(&next) == comparable(current) {
                return Ok(Mutation::Keep);
            }
        }
        Ok(Mutation::Put(next))
    }

    /// Decodes, prunes, defaults and validates one object in place.
    pub fn admit(&mut self, def: &ResourceDef, obj: &mut Value, old: Option<&Value>) -> Result<(), ApiError> {
        if def.custom {
            return self.admit_custom(def, obj, old);
        }
        macro_rules! admit {
            ($($t:ty),*) => {
                match def.kind.as_str() {
                    $(k if k == short_name::<$t>() && def.api_version() == <$t as k8s_openapi::Resource>::API_VERSION => {
                        admit_as::<$t>(def, obj, old, self)
                    })*
                    _ => Ok(()),
                }
            };
        }
        with_builtin_kinds!(admit)
    }

    fn admit_custom(&mut self, def: &ResourceDef, obj: &mut Value, old: Option<&Value>) -> Result<(), ApiError> {
        let mut unknown = vec![];
        custom_unknown(def, obj, self.schema.as_ref(), &mut unknown)?;
        let Some(crd_schema) = &self.schema else {
            return Ok(());
        };
        // The values are checked against the schema, as the API server does; not the
        // apiVersion, kind and metadata (already checked), nor the status: the engine keeps its
        // own bookkeeping there (a Function's `status.retiredCalls`), outside the schema. On an
        // update, values left as they were are not checked again (the API server's ratcheting).
        let mut errs = FieldErrors::default();
        if let Some(fields) = obj.as_object_mut() {
            let mut top = crd_schema.clone();
            if let Some(props) = top["properties"].as_object_mut() {
                for k in ["apiVersion", "kind", "metadata", "status"] {
                    props.shift_remove(k);
                }
            }
            if let Some(required) = top["required"].as_array_mut() {
                required.retain(|r| {
                    !["apiVersion", "kind", "metadata", "status"].contains(&r.as_str().unwrap_or_default())
                });
            }
            let mut rest = Value::Object(std::mem::take(fields));
            schema::validate(&mut rest, old, &top, "", &mut errs);
            if let Value::Object(rest) = rest {
                *fields = rest;
            }
        } else {
            schema::validate(obj, old, crd_schema, "", &mut errs);
        }
        if def.group == crate::api::kinds::FLOWS_GROUP && def.kind == "Flow" {
            flow::check_definition(obj, old, &mut errs);
        }
        let name = obj["metadata"]["name"].as_str().unwrap_or_default().to_string();
        errs.into_result(&def.group, &def.kind, &name)
    }
}

/// A Pod's QoS class, as the API server computes it from its containers' resources.
pub fn pod_qos_class(spec: &PodSpec) -> &'static str {
    defaults::qos_class(spec)
}

/// The 422 for a new object's name (`detail` says why it is invalid; none: it is missing), as the
/// API server words it: with the kind's group, and the generateName it was made from when that
/// is invalid too.
pub fn invalid_name(def: &ResourceDef, name: &str, generate_name: Option<&str>, detail: Option<String>) -> ApiError {
    let mut errs = FieldErrors::default();
    match detail {
        None => errs.required_because("metadata.name", "name or generateName is required"),
        Some(detail) => {
            if let Some(prefix) = generate_name {
                let masked = prefix
                    .strip_suffix('-')
                    .map(|p| format!("{p}a"))
                    .unwrap_or(prefix.to_string());
                for why in validate::subdomain(&masked) {
                    errs.invalid("metadata.generateName", &prefix, &why);
                }
            }
            errs.worded("metadata.name", detail);
        }
    }
    errs.into_result(&def.group, &def.kind, name)
        .expect_err("an error was added")
}

fn random() -> u32 {
    uuid::Uuid::new_v4().as_u128() as u32
}

fn short_name<K: k8s_openapi::Resource>() -> &'static str {
    K::KIND
}

/// The structural schema of the version `def` serves, from its stored CRD.
fn crd_schema(objects: &Objects, def: &ResourceDef) -> Option<Value> {
    let crd = objects
        .store
        .get(&Key::new(CRD_RESOURCE, "", &format!("{}.{}", def.plural, def.group)))?;
    crd.value["spec"]["versions"]
        .as_array()?
        .iter()
        .find(|v| v["name"].as_str() == Some(def.version.as_str()))
        .and_then(|v| v.pointer("/schema/openAPIV3Schema"))
        .cloned()
}

/// The unknown fields of a custom object: in metadata against ObjectMeta, elsewhere against
/// its CRD's schema; pruned from `obj`.
fn custom_unknown(
    def: &ResourceDef,
    obj: &mut Value,
    schema: Option<&Value>,
    unknown: &mut Vec<String>,
) -> Result<(), ApiError> {
    if let Some(meta) = obj.get_mut("metadata") {
        let typed: ObjectMeta = decode::typed(def, meta)?;
        let plain = serde_json::to_value(&typed).expect("metadata serialises");
        decode::prune_to(meta, &plain, "metadata", unknown);
    }
    if let Some(schema) = schema {
        let mut schema = schema.clone();
        if let Some(props) = schema["properties"].as_object_mut() {
            // The status is left as it is: the engine keeps its own bookkeeping there
            // (a Function's `status.retiredCalls`), outside the schema.
            for (k, s) in [
                ("apiVersion", json!({"type": "string"})),
                ("kind", json!({"type": "string"})),
                (
                    "metadata",
                    json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}),
                ),
                ("status", json!({"x-kubernetes-preserve-unknown-fields": true})),
            ] {
                props.insert(k.into(), s);
            }
        }
        decode::schema_unknown(obj, &schema, "", unknown);
    }
    Ok(())
}

/// The rules of one built-in kind beyond its type: defaults and validation.
trait Kind: DeserializeOwned + Serialize + Clone + Metadata<Ty = ObjectMeta> {
    fn defaults(&mut self, _old: Option<&Self>, _prepared: &mut Prepared) {}
    fn validate(&self, _errs: &mut FieldErrors) {}
    fn validate_update(&self, _old: &Self, _errs: &mut FieldErrors) {}
}

fn admit_as<K: Kind>(
    def: &ResourceDef,
    obj: &mut Value,
    old: Option<&Value>,
    prepared: &mut Prepared,
) -> Result<(), ApiError> {
    let typed: K = decode::typed(def, obj)?;
    let plain = serde_json::to_value(&typed).expect("typed objects serialise");
    decode::prune_to(obj, &plain, "", &mut vec![]);
    let old: Option<K> = old.and_then(|o| serde_json::from_value(o.clone()).ok());
    let mut defaulted = typed;
    defaulted.defaults(old.as_ref(), prepared);
    let with_defaults = serde_json::to_value(&defaulted).expect("typed objects serialise");
    decode::add_defaults(obj, &plain, &with_defaults);
    let mut errs = FieldErrors::default();
    let any_name = def.kind == "Event" && def.group.is_empty();
    validate::metadata(defaulted.metadata(), any_name, &mut errs);
    defaulted.validate(&mut errs);
    if let Some(old) = &old {
        defaulted.validate_update(old, &mut errs);
    }
    let name = defaulted.metadata().name.clone().unwrap_or_default();
    errs.into_result(&def.group, &def.kind, &name)
}

fn unknown_as<K: DeserializeOwned + Serialize>(def: &ResourceDef, obj: &Value) -> Result<Vec<String>, ApiError> {
    let typed: K = decode::typed(def, obj)?;
    let plain = serde_json::to_value(&typed).expect("typed objects serialise");
    let mut unknown = vec![];
    decode::prune_to(&mut obj.clone(), &plain, "", &mut unknown);
    Ok(unknown)
}

/// How a write treats fields the object's type does not know (the `fieldValidation` parameter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldValidation {
    Strict,
    Warn,
    Ignore,
}

/// A write's `fieldValidation`, and what it needs to check a body (a custom resource's schema).
pub struct FieldCheck {
    mode: FieldValidation,
    schema: Option<Value>,
}

impl FieldCheck {
    /// From the request's `fieldValidation` (`options` is `CreateOptions`, `UpdateOptions` or
    /// `PatchOptions`, as the API server names a bad value). Absent means Warn.
    pub fn new(objects: &Objects, def: &ResourceDef, raw: Option<&str>, options: &str) -> Result<Self, ApiError> {
        let mode = match raw.unwrap_or_default() {
            "Strict" => FieldValidation::Strict,
            "" | "Warn" => FieldValidation::Warn,
            "Ignore" => FieldValidation::Ignore,
            other => {
                let mut errs = FieldErrors::default();
                errs.not_supported("fieldValidation", other, &["", "Ignore", "Strict", "Warn"]);
                return errs.into_result("meta.k8s.io", options, "").map(|()| unreachable!());
            }
        };
        let schema = (def.custom && mode != FieldValidation::Ignore)
            .then(|| crd_schema(objects, def))
            .flatten();
        Ok(FieldCheck { mode, schema })
    }

    /// The warnings a write of `obj` gets (`unknown field "spec.foo"`), or with Strict the 400
    /// it gets instead. `body` is the request body, when duplicate fields count.
    pub fn check(&self, def: &ResourceDef, obj: &Value, body: Option<&[u8]>) -> Result<Vec<String>, ApiError> {
        if self.mode == FieldValidation::Ignore {
            return Ok(vec![]);
        }
        let mut obj = obj.clone();
        super::check_type(def, &mut obj)?;
        let obj = &obj;
        let mut problems: Vec<String> = body
            .map(duplicate_fields)
            .unwrap_or_default()
            .into_iter()
            .map(|f| format!("duplicate field \"{f}\""))
            .collect();
        let unknown = if def.custom {
            let mut unknown = vec![];
            custom_unknown(def, &mut obj.clone(), self.schema.as_ref(), &mut unknown)?;
            unknown
        } else {
            macro_rules! unknown {
                ($($t:ty),*) => {
                    match def.kind.as_str() {
                        $(k if k == short_name::<$t>() && def.api_version() == <$t as k8s_openapi::Resource>::API_VERSION => {
                            unknown_as::<$t>(def, obj)?
                        })*
                        _ => vec![],
                    }
                };
            }
            with_builtin_kinds!(unknown)
        };
        problems.extend(unknown.into_iter().map(|f| format!("unknown field \"{f}\"")));
        if self.mode == FieldValidation::Strict && !problems.is_empty() {
            return Err(ApiError::bad_request(format!(
                "{kind} in version \"{version}\" cannot be handled as a {kind}: strict decoding error: {}",
                problems.join(", "),
                kind = def.kind,
                version = def.version,
            )));
        }
        Ok(problems)
    }
}

impl FieldCheck {
    /// As [`FieldCheck::check`] for a patched object: a strict refusal is the 422 the API
    /// server gives for a patch, naming `patch` and showing the patched object.
    pub fn check_patched(
        &self,
        def: &ResourceDef,
        patched: &Value,
        body: Option<&[u8]>,
    ) -> Result<Vec<String>, ApiError> {
        self.check(def, patched, body).map_err(|e| {
            let Some((_, strict)) = e.message.split_once(": strict decoding error: ") else {
                return e;
            };
            let mut errs = FieldErrors::default();
            let shown = serde_json::to_string(patched).unwrap_or_default();
            errs.invalid("patch", &shown, &format!("strict decoding error: {strict}"));
            errs.into_result("", "", "").err().unwrap_or(e)
        })
    }

    /// A server-side apply naming a field its type does not declare is refused whatever the
    /// `fieldValidation`, with the 500 the API server's typed patch gives.
    pub fn check_apply(def: &ResourceDef, applied: &Value, schema_of: &FieldCheck) -> Result<(), ApiError> {
        let strict = FieldCheck {
            mode: FieldValidation::Strict,
            schema: schema_of.schema.clone(),
        };
        let Err(e) = strict.check(def, applied, None) else {
            return Ok(());
        };
        let Some(field) = e
            .message
            .split("unknown field \"")
            .nth(1)
            .and_then(|f| f.split('"').next())
        else {
            return Err(e);
        };
        let group = if def.group.is_empty() { "" } else { def.group.as_str() };
        Err(ApiError::internal(format!(
            "failed to create typed patch object ({}/{}; {group}/{}, Kind={}): .{field}: field not declared in schema",
            applied["metadata"]["namespace"].as_str().unwrap_or_default(),
            applied["metadata"]["name"].as_str().unwrap_or_default(),
            def.version,
            def.kind,
        )))
    }
}

/// A response's `Warning` header value for one warning, as the API server writes it.
pub fn warning_header(text: &str) -> String {
    format!("299 - {}", serde_json::to_string(text).expect("strings serialise"))
}

// The kinds' rules.

impl Kind for Namespace {
    fn defaults(&mut self, _: Option<&Self>, _: &mut Prepared) {
        let name = self.metadata.name.clone().unwrap_or_default();
        self.metadata
            .labels
            .get_or_insert_with(Default::default)
            .insert("kubernetes.io/metadata.name".into(), name);
    }
}

impl Kind for ConfigMap {
    fn validate(&self, errs: &mut FieldErrors) {
        let data = self.data.iter().flatten().map(|(k, _)| k);
        validate::data_keys("data", data, errs);
        let binary = self.binary_data.iter().flatten().map(|(k, _)| k);
        validate::data_keys("binaryData", binary, errs);
        for k in self.data.iter().flatten().map(|(k, _)| k) {
            if self.binary_data.as_ref().is_some_and(|b| b.contains_key(k)) {
                errs.invalid(format!("data[{k}]"), k, "duplicate of key present in binaryData");
            }
        }
        let size: usize = self
            .data
            .iter()
            .flatten()
            .map(|(k, v)| k.len() + v.len())
            .sum::<usize>()
            + self
                .binary_data
                .iter()
                .flatten()
                .map(|(k, v)| k.len() + v.0.len())
                .sum::<usize>();
        if size > 1024 * 1024 {
            errs.too_long("[]", 1024 * 1024);
        }
    }

    fn validate_update(&self, old: &Self, errs: &mut FieldErrors) {
        if old.immutable == Some(true) {
            if self.immutable != Some(true) {
                errs.forbidden("immutable", "field is immutable when `immutable` is set");
            }
            if self.data != old.data {
                errs.forbidden("data", "field is immutable when `immutable` is set");
            }
            if self.binary_data != old.binary_data {
                errs.forbidden("binaryData", "field is immutable when `immutable` is set");
            }
        }
    }
}

impl Kind for Secret {
    fn defaults(&mut self, _: Option<&Self>, _: &mut Prepared) {
        // stringData is write-only: merged into data, as the API server does.
        if let Some(strings) = self.string_data.take() {
            let data = self.data.get_or_insert_with(Default::default);
            for (k, v) in strings {
                data.insert(k, k8s_openapi::ByteString(v.into_bytes()));
            }
        }
    }

    fn validate(&self, errs: &mut FieldErrors) {
        validate::data_keys("data", self.data.iter().flatten().map(|(k, _)| k), errs);
        if self.type_.as_deref() == Some("kubernetes.io/tls") {
            for key in ["tls.crt", "tls.key"] {
                if !self.data.as_ref().is_some_and(|d| d.contains_key(key))
                    && !self.string_data.as_ref().is_some_and(|d| d.contains_key(key))
                {
                    errs.required(format!("data[{key}]"));
                }
            }
        }
        let size: usize = self.data.iter().flatten().map(|(k, v)| k.len() + v.0.len()).sum();
        if size > 1024 * 1024 {
            errs.too_long("data", 1024 * 1024);
        }
    }

    fn validate_update(&self, old: &Self, errs: &mut FieldErrors) {
        if self.type_ != old.type_ {
            errs.invalid("type", &self.type_, "field is immutable");
        }
        if old.immutable == Some(true) {
            if self.immutable != Some(true) {
                errs.forbidden("immutable", "field is immutable when `immutable` is set");
            }
            if self.data != old.data {
                errs.forbidden("data", "field is immutable when `immutable` is set");
            }
        }
    }
}

impl Kind for Service {
    fn defaults(&mut self, old: Option<&Self>, prepared: &mut Prepared) {
        let spec = self.spec.get_or_insert_with(Default::default);
        let old_spec = old.and_then(|o| o.spec.as_ref());
        let prepared = std::cell::RefCell::new(prepared);
        defaults::service(spec, old_spec, &mut || prepared.borrow_mut().allocate_ip(), &mut || {
            prepared.borrow_mut().allocate_node_port()
        });
        defaults::service_status(&mut self.status);
    }

    fn validate(&self, errs: &mut FieldErrors) {
        validate::service(&self.spec.clone().unwrap_or_default(), errs);
    }

    fn validate_update(&self, old: &Self, errs: &mut FieldErrors) {
        let (new, old) = (
            self.spec.clone().unwrap_or_default(),
            old.spec.clone().unwrap_or_default(),
        );
        let external = |s: &k8s_openapi::api::core::v1::ServiceSpec| s.type_.as_deref() == Some("ExternalName");
        if !external(&new) && !external(&old) && old.cluster_ip.is_some() && new.cluster_ip != old.cluster_ip {
            errs.invalid(
                "spec.clusterIPs[0]",
                &new.cluster_ips.unwrap_or_default(),
                "may not change once set",
            );
        }
    }
}

impl Kind for Pod {
    fn defaults(&mut self, old: Option<&Self>, _: &mut Prepared) {
        let spec = self.spec.get_or_insert_with(Default::default);
        defaults::pod(spec);
        if old.is_none() {
            defaults::pod_requests(spec);
        }
        let qos = defaults::qos_class(spec);
        if old.is_none() && self.status.is_none() {
            self.status = Some(k8s_openapi::api::core::v1::PodStatus {
                phase: Some("Pending".into()),
                ..Default::default()
            });
        }
        if let Some(status) = &mut self.status
            && status.qos_class.is_none()
        {
            status.qos_class = Some(qos.into());
        }
    }

    fn validate(&self, errs: &mut FieldErrors) {
        validate::pod_spec(
            &self.spec.clone().unwrap_or_default(),
            "spec",
            &["Always", "OnFailure", "Never"],
            errs,
        );
    }
}

/// The resource names whose quota is a whole number of objects.
fn integer_resource(name: &str) -> bool {
    name.starts_with("count/")
        || [
            "pods",
            "services",
            "replicationcontrollers",
            "resourcequotas",
            "secrets",
            "configmaps",
            "persistentvolumeclaims",
            "services.nodeports",
            "services.loadbalancers",
        ]
        .contains(&name)
}

/// Quantities of a resource list checked as the API server checks a quota's or a range's.
fn quantities(
    field: &str,
    list: Option<&std::collections::BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>,
    integers: bool,
    errs: &mut FieldErrors,
) {
    for (k, v) in list.into_iter().flatten() {
        let at = format!("{field}[{k}]");
        match super::quota::Quantity::parse(&v.0) {
            Err(why) => errs.invalid(at, &v.0, &why),
            Ok(q) if q.is_negative() => errs.invalid(at, &v.0, "must be greater than or equal to 0"),
            Ok(q) if integers && integer_resource(k) && q.millis() % 1000 != 0 => {
                errs.invalid(at, &v.0, "must be an integer")
            }
            Ok(_) => {}
        }
    }
}

impl Kind for ResourceQuota {
    fn validate(&self, errs: &mut FieldErrors) {
        let spec = self.spec.clone().unwrap_or_default();
        quantities("spec.hard", spec.hard.as_ref(), true, errs);
        for (i, scope) in spec.scopes.iter().flatten().enumerate() {
            errs.one_of(
                format!("spec.scopes[{i}]"),
                Some(scope.as_str()),
                &[
                    "BestEffort",
                    "CrossNamespacePodAffinity",
                    "NotBestEffort",
                    "NotTerminating",
                    "PriorityClass",
                    "Terminating",
                    "VolumeAttributesClass",
                ],
            );
        }
        if let Some(status) = &self.status {
            quantities("status.hard", status.hard.as_ref(), true, errs);
            quantities("status.used", status.used.as_ref(), true, errs);
        }
    }
}

impl Kind for LimitRange {
    fn defaults(&mut self, _: Option<&Self>, _: &mut Prepared) {
        for item in self.spec.iter_mut().flat_map(|s| s.limits.iter_mut()) {
            defaults::limit_range_item(item);
        }
    }
    fn validate(&self, errs: &mut FieldErrors) {
        let mut seen = HashSet::new();
        for (i, item) in self.spec.iter().flat_map(|s| &s.limits).enumerate() {
            let at = format!("spec.limits[{i}]");
            errs.one_of(
                format!("{at}.type"),
                Some(item.type_.as_str()),
                &["Container", "PersistentVolumeClaim", "Pod"],
            );
            if !seen.insert(item.type_.clone()) {
                errs.duplicate(format!("{at}.type"), &item.type_);
            }
            for (field, list) in [
                ("max", &item.max),
                ("min", &item.min),
                ("default", &item.default),
                ("defaultRequest", &item.default_request),
                ("maxLimitRequestRatio", &item.max_limit_request_ratio),
            ] {
                quantities(&format!("{at}.{field}"), list.as_ref(), false, errs);
            }
            if item.type_ == "Pod" {
                if item.default.as_ref().is_some_and(|d| !d.is_empty()) {
                    errs.forbidden(format!("{at}.default"), "may not be specified when `type` is 'Pod'");
                }
                if item.default_request.as_ref().is_some_and(|d| !d.is_empty()) {
                    errs.forbidden(
                        format!("{at}.defaultRequest"),
                        "may not be specified when `type` is 'Pod'",
                    );
                }
            }
        }
    }
}

impl Kind for Event {}
impl Kind for ServiceAccount {}
impl Kind for Lease {}
impl Kind for CustomResourceDefinition {}

fn rules(rules: Option<&Vec<PolicyRule>>, errs: &mut FieldErrors) {
    let rules = rules.map(Vec::as_slice).unwrap_or_default();
    for (i, r) in rules.iter().enumerate() {
        if r.non_resource_urls.as_ref().is_some_and(|v| !v.is_empty()) {
            continue;
        }
        if r.api_groups.as_ref().is_none_or(Vec::is_empty) {
            errs.required_because(
                format!("rules[{i}].apiGroups"),
                "resource rules must supply at least one api group",
            );
        }
        if r.resources.as_ref().is_none_or(Vec::is_empty) {
            errs.required_because(
                format!("rules[{i}].resources"),
                "resource rules must supply at least one resource",
            );
        }
    }
    for (i, r) in rules.iter().enumerate() {
        if r.verbs.is_empty() {
            errs.required(format!("rules[{i}].verbs"));
        }
    }
}

impl Kind for Role {
    fn validate(&self, errs: &mut FieldErrors) {
        rules(self.rules.as_ref(), errs);
    }
}

impl Kind for ClusterRole {
    fn validate(&self, errs: &mut FieldErrors) {
        if self.aggregation_rule.is_none() {
            rules(self.rules.as_ref(), errs);
        }
    }
}

fn subjects_defaults(subjects: Option<&mut Vec<Subject>>) {
    for s in subjects.into_iter().flatten() {
        if s.api_group.is_none() && (s.kind == "User" || s.kind == "Group") {
            s.api_group = Some("rbac.authorization.k8s.io".into());
        }
    }
}

fn binding(role_ref: &RoleRef, subjects: Option<&Vec<Subject>>, kinds: &[&str], errs: &mut FieldErrors) {
    if !kinds.contains(&role_ref.kind.as_str()) {
        errs.not_supported("roleRef.kind", &role_ref.kind, kinds);
    }
    for (i, s) in subjects.into_iter().flatten().enumerate() {
        errs.one_of(
            format!("subjects[{i}].kind"),
            Some(s.kind.as_str()),
            &["ServiceAccount", "User", "Group"],
        );
        if s.name.is_empty() {
            errs.required(format!("subjects[{i}].name"));
        }
    }
    if role_ref.name.is_empty() {
        errs.required("roleRef.name");
    }
}

/// A changed roleRef, shown with Go's field names as the API server shows it.
fn role_ref_immutable(new: &RoleRef, old: &RoleRef, errs: &mut FieldErrors) {
    if new != old {
        let shown = json!({"APIGroup": new.api_group, "Kind": new.kind, "Name": new.name});
        errs.invalid("roleRef", &shown, "field is immutable");
    }
}

impl Kind for RoleBinding {
    fn defaults(&mut self, _: Option<&Self>, _: &mut Prepared) {
        subjects_defaults(self.subjects.as_mut());
    }
    fn validate(&self, errs: &mut FieldErrors) {
        binding(&self.role_ref, self.subjects.as_ref(), &["Role", "ClusterRole"], errs);
    }
    fn validate_update(&self, old: &Self, errs: &mut FieldErrors) {
        role_ref_immutable(&self.role_ref, &old.role_ref, errs);
    }
}

impl Kind for ClusterRoleBinding {
    fn defaults(&mut self, _: Option<&Self>, _: &mut Prepared) {
        subjects_defaults(self.subjects.as_mut());
    }
    fn validate(&self, errs: &mut FieldErrors) {
        binding(&self.role_ref, self.subjects.as_ref(), &["ClusterRole"], errs);
    }
    fn validate_update(&self, old: &Self, errs: &mut FieldErrors) {
        role_ref_immutable(&self.role_ref, &old.role_ref, errs);
    }
}

impl Kind for Deployment {
    fn defaults(&mut self, _: Option<&Self>, _: &mut Prepared) {
        defaults::deployment(&mut self.spec);
        self.status.get_or_insert_with(Default::default);
    }
    fn validate(&self, errs: &mut FieldErrors) {
        validate::deployment(&self.spec, errs);
    }
    fn validate_update(&self, old: &Self, errs: &mut FieldErrors) {
        let selector = |d: &Self| d.spec.selector.clone();
        if selector(self) != selector(old) {
            errs.invalid("spec.selector", &selector(self), "field is immutable");
        }
    }
}

impl Kind for ReplicaSet {
    fn defaults(&mut self, _: Option<&Self>, _: &mut Prepared) {
        let spec = &mut self.spec;
        if spec.replicas.is_none() {
            spec.replicas = Some(1);
        }
        if let Some(t) = &mut spec.template {
            defaults::pod_spec(t.spec.get_or_insert_with(Default::default));
        }
    }
    fn validate(&self, errs: &mut FieldErrors) {
        let spec = self.spec.clone();
        let template = spec.template.unwrap_or_default();
        validate::selector_and_template(
            &spec.selector,
            template.metadata.as_ref().and_then(|m| m.labels.as_ref()),
            errs,
        );
        validate::pod_spec(
            &template.spec.unwrap_or_default(),
            "spec.template.spec",
            &["Always"],
            errs,
        );
    }
    fn validate_update(&self, old: &Self, errs: &mut FieldErrors) {
        let selector = |d: &Self| d.spec.selector.clone();
        if selector(self) != selector(old) {
            errs.invalid("spec.selector", &selector(self), "field is immutable");
        }
    }
}

impl Kind for HorizontalPodAutoscaler {
    fn defaults(&mut self, _: Option<&Self>, _: &mut Prepared) {
        defaults::hpa(&mut self.spec);
    }
    fn validate(&self, errs: &mut FieldErrors) {
        let spec = self.spec.clone();
        let min = spec.min_replicas.unwrap_or(1);
        if min < 1 {
            errs.invalid("spec.minReplicas", &min, "must be greater than or equal to 1");
        }
        if spec.max_replicas < 1 {
            errs.invalid(
                "spec.maxReplicas",
                &spec.max_replicas,
                "must be greater than or equal to 1",
            );
        } else if spec.max_replicas < min {
            errs.invalid(
                "spec.maxReplicas",
                &spec.max_replicas,
                "must be greater than or equal to `minReplicas`",
            );
        }
        let target = &spec.scale_target_ref;
        if target.kind.is_empty() {
            errs.required("spec.scaleTargetRef.kind");
        }
        if target.name.is_empty() {
            errs.required("spec.scaleTargetRef.name");
        }
        if !target.api_version.as_deref().unwrap_or_default().contains('/') {
            errs.invalid(
                "spec.scaleTargetRef.apiVersion",
                &target.api_version.as_deref().unwrap_or_default(),
                "apiVersion must specify API group",
            );
        }
    }
}

impl Kind for CronJob {
    fn defaults(&mut self, _: Option<&Self>, _: &mut Prepared) {
        defaults::cron_job(&mut self.spec);
        self.status.get_or_insert_with(Default::default);
    }
    fn validate(&self, errs: &mut FieldErrors) {
        let spec = self.spec.clone();
        errs.one_of(
            "spec.concurrencyPolicy",
            spec.concurrency_policy.as_deref(),
            &["Allow", "Forbid", "Replace"],
        );
        let pod = spec.job_template.spec.and_then(|j| j.template.spec).unwrap_or_default();
        let field = "spec.jobTemplate.spec.template.spec";
        if pod.restart_policy.is_none() {
            errs.required_because(
                format!("{field}.restartPolicy"),
                "valid values: \"OnFailure\", \"Never\"",
            );
        }
        validate::pod_spec(&pod, field, &["OnFailure", "Never"], errs);
        if spec.schedule.is_empty() {
            errs.required("spec.schedule");
        }
    }
}

impl Kind for Ingress {
    fn validate(&self, errs: &mut FieldErrors) {
        let spec = self.spec.clone().unwrap_or_default();
        for (i, rule) in spec.rules.iter().flatten().enumerate() {
            for (j, path) in rule.http.iter().flat_map(|h| &h.paths).enumerate() {
                let at = format!("spec.rules[{i}].http.paths[{j}]");
                match path.path_type.as_str() {
                    "" => errs.required_because(format!("{at}.pathType"), "pathType must be specified"),
                    t => errs.one_of(
                        format!("{at}.pathType"),
                        Some(t),
                        &["Exact", "ImplementationSpecific", "Prefix"],
                    ),
                }
                if let Some(p) = path.path.as_deref()
                    && !p.starts_with('/')
                    && path.path_type != "ImplementationSpecific"
                {
                    errs.invalid(format!("{at}.path"), &p, "must be an absolute path");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::resources::Registry;

    fn def(group: &str, plural: &str) -> ResourceDef {
        let version = if group == "autoscaling" { "v2" } else { "v1" };
        (*Registry::build([]).find(group, version, plural).unwrap()).clone()
    }

    fn admitted(group: &str, plural: &str, mut obj: Value) -> Result<Value, ApiError> {
        Prepared::default().admit(&def(group, plural), &mut obj, None)?;
        Ok(obj)
    }

    #[test]
    fn a_deployment_gets_kubernetes_defaults_and_keeps_what_was_sent() {
        let d = admitted(
            "apps",
            "deployments",
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "d", "creationTimestamp": null},
            "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}},
                "spec": {"containers": [{"name": "c", "image": "i:1", "ports": [{"containerPort": 80}],
                    "resources": {"limits": {"cpu": 1}}}]}}}}),
        )
        .unwrap();
        let spec = &d["spec"];
        assert_eq!(spec["replicas"], 1);
        assert_eq!(
            spec["strategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}})
        );
        assert_eq!(spec["revisionHistoryLimit"], 10);
        assert_eq!(spec["progressDeadlineSeconds"], 600);
        let pod = &spec["template"]["spec"];
        assert_eq!(pod["restartPolicy"], "Always");
        assert_eq!(pod["dnsPolicy"], "ClusterFirst");
        assert_eq!(pod["schedulerName"], "default-scheduler");
        assert_eq!(pod["securityContext"], json!({}));
        assert_eq!(pod["terminationGracePeriodSeconds"], 30);
        let c = &pod["containers"][0];
        assert_eq!(c["imagePullPolicy"], "IfNotPresent");
        assert_eq!(c["terminationMessagePath"], "/dev/termination-log");
        assert_eq!(c["ports"][0]["protocol"], "TCP");
        assert_eq!(c["resources"]["limits"]["cpu"], 1, "as sent, not re-serialised");
        assert!(d["metadata"].get("creationTimestamp").is_none(), "nulls are dropped");
        assert!(
            pod.get("enableServiceLinks").is_none(),
            "a Pod's own default, not a template's"
        );
    }

    #[test]
    fn an_invalid_deployment_names_each_field() {
        let e = admitted(
            "apps",
            "deployments",
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "a", "labels": {"a": "b c"}}, "spec": {}}),
        )
        .unwrap_err();
        assert_eq!(e.code, 422);
        let fields: Vec<&str> = e.details.as_ref().unwrap()["causes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["field"].as_str().unwrap())
            .collect();
        assert_eq!(
            fields,
            [
                "metadata.labels",
                "spec.selector",
                "spec.template.metadata.labels",
                "spec.template.spec.containers"
            ]
        );
        assert!(
            e.message.starts_with(
                "Deployment.apps \"a\" is invalid: [metadata.labels: Invalid value: \"b c\": a valid label"
            ),
            "{}",
            e.message
        );

        let e = admitted(
            "apps",
            "deployments",
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "a"}, "spec": {"replicas": "two"}}),
        )
        .unwrap_err();
        assert_eq!(e.code, 400);
        assert!(
            e.message.starts_with(
                "Deployment in version \"v1\" cannot be handled as a Deployment: spec.replicas: invalid type"
            ),
            "{}",
            e.message
        );
    }

    #[test]
    fn unknown_fields_warn_or_refuse() {
        let objects_def = def("", "configmaps");
        let body = br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","name":"a"},"data":{},"foo":1}"#;
        let obj: Value = serde_json::from_slice(body).unwrap();
        let check = |mode| FieldCheck { mode, schema: None }.check(&objects_def, &obj, Some(body));
        assert_eq!(
            check(FieldValidation::Warn).unwrap(),
            ["duplicate field \"metadata.name\"", "unknown field \"foo\""]
        );
        assert!(check(FieldValidation::Ignore).unwrap().is_empty());
        let e = check(FieldValidation::Strict).unwrap_err();
        assert_eq!(
            e.message,
            "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: duplicate field \"metadata.name\", unknown field \"foo\""
        );
        assert_eq!(
            warning_header("unknown field \"foo\""),
            r#"299 - "unknown field \"foo\"""#
        );
    }

    #[test]
    fn a_secrets_string_data_is_merged_into_its_data() {
        let s = admitted(
            "",
            "secrets",
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
            "data": {"a": "YQ=="}, "stringData": {"k": "v"}}),
        )
        .unwrap();
        assert_eq!(s["data"], json!({"a": "YQ==", "k": "dg=="}));
        assert!(s.get("stringData").is_none(), "{s}");
    }

    #[test]
    fn immutable_config_maps_and_selectors_stay() {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}, "immutable": true});
        let mut changed = cm.clone();
        changed["data"]["a"] = json!("2");
        let e = Prepared::default()
            .admit(&def("", "configmaps"), &mut changed, Some(&cm))
            .unwrap_err();
        assert_eq!(
            e.message,
            "ConfigMap \"c\" is invalid: data: Forbidden: field is immutable when `immutable` is set"
        );
        let mut labelled = cm.clone();
        labelled["metadata"]["labels"] = json!({"x": "y"});
        Prepared::default()
            .admit(&def("", "configmaps"), &mut labelled, Some(&cm))
            .unwrap();
    }

    #[test]
    fn a_pod_gets_its_own_and_its_admission_defaults_and_a_job_template_none_of_restart() {
        let pod = admitted(
            "",
            "pods",
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}),
        )
        .unwrap();
        let spec = &pod["spec"];
        assert_eq!(spec["containers"][0]["imagePullPolicy"], "Always");
        assert_eq!(spec["enableServiceLinks"], true);
        assert_eq!(spec["serviceAccountName"], "default");
        assert_eq!(spec["tolerations"].as_array().unwrap().len(), 2);
        assert_eq!(spec["restartPolicy"], "Always");
        assert_eq!(pod["status"], json!({"phase": "Pending", "qosClass": "BestEffort"}));
        let limited = admitted("", "pods", json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "nginx", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]}}))
        .unwrap();
        assert_eq!(limited["status"]["qosClass"], "Guaranteed");

        let e = admitted("batch", "cronjobs", json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
            "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "x"}]}}}}}}))
        .unwrap_err();
        assert_eq!(
            e.message,
            "CronJob.batch \"c\" is invalid: spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""
        );
    }

    #[test]
    fn a_service_gets_an_address_and_namespaces_their_name_label() {
        let svc = admitted(
            "",
            "services",
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
            "spec": {"ports": [{"port": 80}]}}),
        )
        .unwrap();
        let ip = svc["spec"]["clusterIP"].as_str().unwrap();
        assert!(ip.starts_with("10."), "{ip}");
        assert_eq!(svc["spec"]["clusterIPs"], json!([ip]));
        assert_eq!(svc["spec"]["ports"][0]["targetPort"], 80);
        assert_eq!(svc["status"], json!({"loadBalancer": {}}));
        let ns = admitted(
            "",
            "namespaces",
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}}),
        )
        .unwrap();
        assert_eq!(ns["metadata"]["labels"]["kubernetes.io/metadata.name"], "n");
    }
}
