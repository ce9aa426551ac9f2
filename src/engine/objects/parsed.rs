//! Stored objects read as a typed kind (`Function`, `HTTPTrigger`, …) by the loops that look at
//! every object on every pass (the gateway per request, cron per tick, the autoscaler per sync):
//! each stored version is parsed once, and one that does not parse is skipped with one warning
//! naming it and the field, said again only when the problem changes.

use std::collections::HashMap;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::api::kinds::{self, ObjectError};
use crate::engine::store::Object;

/// An object's namespace and name.
type Name = (String, String);

/// One stored version read: whose it is, and the typed object (`None`: it does not parse).
type Version<K> = (Name, Option<Arc<K>>);

/// The typed reads of one resource's objects, by stored version.
pub struct Parsed<K> {
    /// By resourceVersion.
    versions: HashMap<u64, Version<K>>,
    /// The problem last said of each object that does not parse.
    warned: HashMap<Name, ObjectError>,
    /// How many versions were parsed, for tests.
    parses: usize,
}

impl<K> Default for Parsed<K> {
    fn default() -> Self {
        Parsed {
            versions: HashMap::new(),
            warned: HashMap::new(),
            parses: 0,
        }
    }
}

impl<K: DeserializeOwned> Parsed<K> {
    /// The objects (as one list of the store) that read as `K`, in their order; versions no
    /// longer listed are forgotten.
    pub fn read(&mut self, objects: &[Arc<Object>]) -> Vec<Arc<K>> {
        let mut out = Vec::with_capacity(objects.len());
        for object in objects {
            if !self.versions.contains_key(&object.rv) {
                let parsed = self.parse(object);
                self.versions.insert(object.rv, parsed);
            }
            if let Some((_, Some(kind))) = self.versions.get(&object.rv) {
                out.push(kind.clone());
            }
        }
        // A store version is unique to one object: more entries than objects means some are stale.
        if self.versions.len() > objects.len() {
            let live: std::collections::HashSet<u64> = objects.iter().map(|o| o.rv).collect();
            self.versions.retain(|rv, _| live.contains(rv));
            let named: std::collections::HashSet<&Name> = self.versions.values().map(|(k, _)| k).collect();
            self.warned.retain(|k, _| named.contains(k));
        }
        out
    }

    fn parse(&mut self, object: &Object) -> Version<K> {
        self.parses += 1;
        let meta = &object.value["metadata"];
        let field = |f: &str| meta[f].as_str().unwrap_or_default().to_string();
        let key = (field("namespace"), field("name"));
        match kinds::from_object::<K>(&object.value) {
            Ok(kind) => {
                self.warned.remove(&key);
                (key, Some(Arc::new(kind)))
            }
            Err(e) => {
                if self.warned.get(&key) != Some(&e) {
                    tracing::warn!("{e}; skipped until it is fixed");
                    self.warned.insert(key.clone(), e);
                }
                (key, None)
            }
        }
    }

    #[cfg(test)]
    /// Whether the object named is skipped because it does not parse (what was said of it).
    pub fn problem(&self, namespace: &str, name: &str) -> Option<&ObjectError> {
        self.warned.get(&(namespace.to_string(), name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::kinds::CronJobTrigger;
    use crate::engine::store::{Key, Mutation, Store};
    use serde_json::{Value, json};

    fn put(store: &Store, value: Value) {
        let name = value["metadata"]["name"].as_str().unwrap().to_string();
        let key = Key::new("kubeless.io/cronjobtriggers", "default", &name);
        store
            .mutate::<crate::engine::store::StoreError>(&key, false, |_| Ok(Mutation::Put(value)))
            .unwrap();
    }

    fn trigger(name: &str, schedule: Value) -> Value {
        json!({"apiVersion": "kubeless.io/v1beta1", "kind": "CronJobTrigger",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"schedule": schedule, "function-name": "f"}})
    }

    #[test]
    fn each_version_is_parsed_once_and_a_broken_one_is_named_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        put(&store, trigger("good", json!("@every 1s")));
        put(&store, trigger("bad", json!(5)));
        let list = || store.list("kubeless.io/cronjobtriggers", None).0;
        let mut parsed = Parsed::<CronJobTrigger>::default();
        for _ in 0..3 {
            let read = parsed.read(&list());
            assert_eq!(read.len(), 1, "the broken one is skipped");
            assert_eq!(read[0].spec.schedule, "@every 1s");
        }
        assert_eq!(parsed.parses, 2, "two versions, two parses, whatever the passes");
        let problem = parsed.problem("default", "bad").expect("said");
        assert_eq!(problem.object, "CronJobTrigger default/bad");
        assert!(
            problem.problem.starts_with("spec.schedule: invalid type"),
            "{}",
            problem.problem
        );

        // Fixed: read from its new version on, and no longer a problem.
        put(&store, trigger("bad", json!("@hourly")));
        assert_eq!(parsed.read(&list()).len(), 2);
        assert_eq!(parsed.parses, 3);
        assert!(parsed.problem("default", "bad").is_none());
        assert_eq!(parsed.versions.len(), 2, "the old version is forgotten");

        // Gone: forgotten.
        let key = Key::new("kubeless.io/cronjobtriggers", "default", "good");
        store
            .mutate::<crate::engine::store::StoreError>(&key, false, |_| Ok(Mutation::Delete))
            .unwrap();
        assert_eq!(parsed.read(&list()).len(), 1);
        assert_eq!(parsed.versions.len(), 1);
    }
}
