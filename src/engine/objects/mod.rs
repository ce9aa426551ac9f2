//! The engine's in-process object service: the stored objects with the API server's rules for
//! metadata, names, finalizers, namespaces and owners. The API server's HTTP verbs, the
//! reconciler, the autoscaler, the gateway, cron and messaging all read and write through it;
//! it knows nothing of HTTP or of them.

pub mod builtin;
mod create;
mod delete;
mod events;
mod gc;
mod kinds;
mod namespaces;
mod parsed;
pub mod quota;
mod status;
mod validate;
mod write;

use std::sync::Arc;

use parking_lot::RwLock;
use serde_json::Value;

use crate::engine::names::CRD_RESOURCE;
use crate::engine::resources::{Registry, ResourceDef};
use crate::engine::store::{Key, Mutation, Object, Outcome, Store};

pub use create::{check_type, create_object};
pub use delete::{Propagation, check_new_finalizers, delete_object, delete_with};
pub use events::{record_event, record_event_from};
pub use gc::collect_dangling;
pub use kinds::special_fields;
pub use namespaces::{finish_namespaces, is_namespace};
pub use parsed::Parsed;
pub use status::ApiError;
pub use write::{comparable, keep_server_fields, modify, upsert};

/// The store and the resources it serves (built in, and those of the stored CRDs).
pub struct Objects {
    pub store: Store,
    registry: RwLock<Arc<Registry>>,
    /// The engine's CA certificate, published in every namespace's `kube-root-ca.crt`.
    root_ca: std::sync::OnceLock<String>,
    /// Held from counting a create against the namespace's quotas until it is written.
    quota_lock: parking_lot::Mutex<()>,
}

impl Objects {
    pub fn new(store: Store) -> Arc<Self> {
        let objects = Arc::new(Objects {
            store,
            registry: RwLock::new(Arc::new(Registry::build([]))),
            root_ca: std::sync::OnceLock::new(),
            quota_lock: parking_lot::Mutex::new(()),
        });
        objects.refresh_registry();
        objects
    }

    pub fn registry(&self) -> Arc<Registry> {
        self.registry.read().clone()
    }

    /// Publishes the engine's CA certificate: every namespace gets its `default` ServiceAccount
    /// and its `kube-root-ca.crt` ConfigMap, now and when it is made.
    pub fn publish_root_ca(&self, pem: &str) {
        let _ = self.root_ca.set(pem.to_string());
        namespaces::populate_all(self);
    }

    /// Rebuilds the served resources from the stored CRDs.
    pub fn refresh_registry(&self) {
        let (crds, _) = self.store.list(CRD_RESOURCE, None);
        let registry = Registry::build(crds.iter().map(|o| &o.value));
        *self.registry.write() = Arc::new(registry);
    }

    /// One change of a stored object decided by `decide` (as a PUT, PATCH or scale does), with
    /// what it sets off elsewhere (owners' dependents, namespaces, CRDs) unless it is a dry run.
    pub fn mutate(
        &self,
        def: &ResourceDef,
        key: &Key,
        dry_run: bool,
        decide: impl FnOnce(Option<&Arc<Object>>) -> Result<Mutation, ApiError>,
    ) -> Result<Outcome, ApiError> {
        let mut prepared = builtin::Prepared::for_write(self, def);
        let outcome = self.store.mutate(key, dry_run, |current| {
            let decided = decide(current)?;
            prepared.admit_change(def, current.map(|c| &c.value), decided)
        })?;
        if !dry_run {
            gc::after_change(self, def, key, &outcome);
        }
        Ok(outcome)
    }
}

/// The store key of an object of `def` (cluster-scoped ones have no namespace).
pub fn key_of(def: &ResourceDef, namespace: Option<&str>, name: &str) -> Key {
    Key::new(
        &def.store_key(),
        if def.namespaced { namespace.unwrap_or("") } else { "" },
        name,
    )
}

/// A field of an object's metadata, `""` when absent.
pub fn meta_str<'a>(v: &'a Value, field: &str) -> &'a str {
    v["metadata"][field].as_str().unwrap_or_default()
}
