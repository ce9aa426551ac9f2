//! The ResourceQuota controller, as kube-controller-manager's: each quota's `status.hard` is its
//! `spec.hard` and its `status.used` what the namespace's objects use of it, recounted when
//! anything in a namespace with a quota changes (and every few seconds), so `kubectl describe
//! quota` shows Used and Hard. Admission counts the stored objects itself (see
//! [`crate::engine::objects::quota`]); this status is what users see.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::engine::objects::quota::{QUOTAS, hard_of, quotas_in, used_in};
use crate::engine::objects::{self, Objects};

/// How long changes are gathered before the namespaces they touched are counted again.
const SETTLE: Duration = Duration::from_millis(500);

/// Starts the controller; it runs until the process ends.
pub fn start(objects: Arc<Objects>) {
    tokio::spawn(run(objects));
}

async fn run(objects: Arc<Objects>) {
    let Ok((_, mut events)) = objects.store.watch(QUOTAS, None, None) else {
        return;
    };
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    let mut dirty: BTreeSet<String> = BTreeSet::new();
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(e) => { dirty.insert(e.key.namespace.clone()); }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => dirty.extend(with_quotas(&objects)),
                Err(_) => return,
            },
            _ = tick.tick() => dirty.extend(with_quotas(&objects)),
        }
        // Changes come in bursts (a deploy writes several objects): they are counted once.
        tokio::time::sleep(SETTLE).await;
        while let Ok(e) = events.try_recv() {
            dirty.insert(e.key.namespace.clone());
        }
        let quoted = with_quotas(&objects);
        for namespace in std::mem::take(&mut dirty).intersection(&quoted) {
            sync_namespace(&objects, namespace);
        }
        tokio::task::yield_now().await;
    }
}

/// The namespaces that have a quota.
fn with_quotas(objects: &Objects) -> BTreeSet<String> {
    objects
        .store
        .list(QUOTAS, None)
        .0
        .iter()
        .map(|o| objects::meta_str(&o.value, "namespace").to_string())
        .collect()
}

/// Writes the status of every quota in `namespace` the engine enforces.
pub fn sync_namespace(objects: &Objects, namespace: &str) {
    let Some(def) = objects.registry().find("", "v1", "resourcequotas") else {
        return;
    };
    for (quota, scopes) in quotas_in(objects, namespace) {
        let hard = hard_of(&quota);
        let used = used_in(objects, namespace, hard.keys(), &scopes);
        let list = |l: &crate::engine::objects::quota::ResourceList| -> Value {
            Value::Object(
                l.iter()
                    .map(|(k, v)| (k.clone(), json!(v.to_string())))
                    .collect::<Map<_, _>>(),
            )
        };
        let status = json!({"hard": list(&hard), "used": list(&used)});
        let name = quota.metadata.name.clone().unwrap_or_default();
        let current = quota
            .status
            .as_ref()
            .map(|s| serde_json::to_value(s).unwrap_or_default());
        if current.as_ref() == Some(&status) {
            continue;
        }
        let _ = objects::modify(objects, &def, Some(namespace), &name, |q| q["status"] = status);
    }
}
