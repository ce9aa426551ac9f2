//! The local engine's object store: SQLite for durability, an in-memory copy for fast reads,
//! and a bounded history of changes for watches.
//!
//! Every write goes through [`Store::mutate`], which runs the caller's decision under one lock,
//! so a read-modify-write (update with a resourceVersion precondition, a patch, a finalizer
//! change) is atomic and concurrent writers never lose updates.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::Path;
use std::sync::Arc;

use parking_lot::Mutex;

use bytes::Bytes;
use rusqlite::{Connection, params};
use serde_json::Value;
use tokio::sync::broadcast;

/// How many past changes are kept for watches that resume from a resourceVersion.
const HISTORY: usize = 20_000;

/// Identifies one object: the resource (`group/plural`), its namespace (empty when
/// cluster-scoped) and its name. Ordered like the API server orders lists.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub resource: String,
    pub namespace: String,
    pub name: String,
}

impl Key {
    pub fn new(resource: &str, namespace: &str, name: &str) -> Self {
        Key {
            resource: resource.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }
}

/// A stored object: its JSON value and the same value serialised once, for fast lists.
#[derive(Debug)]
pub struct Object {
    pub value: Value,
    pub json: Bytes,
    pub rv: u64,
}

impl Object {
    fn new(value: Value, rv: u64) -> Arc<Self> {
        let json = Bytes::from(serde_json::to_vec(&value).expect("a JSON value serialises"));
        Arc::new(Object { value, json, rv })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change, as watches see it. `previous` lets a filtered watch turn a change that moves
/// an object out of (or into) its selection into DELETED (or ADDED).
#[derive(Debug)]
pub struct Event {
    pub kind: EventType,
    pub key: Key,
    pub object: Arc<Object>,
    pub previous: Option<Arc<Object>>,
}

/// What a mutation decided to do with the object it was shown.
pub enum Mutation {
    /// Store this value (the store sets `metadata.resourceVersion`).
    Put(Value),
    /// Remove the object.
    Delete,
    /// Leave the object as it is.
    Keep,
}

/// The result of a mutation.
#[derive(Debug, Clone)]
pub enum Outcome {
    Created(Arc<Object>),
    Updated(Arc<Object>),
    /// The object that was removed, with the resourceVersion of its removal.
    Deleted(Arc<Object>),
    Unchanged(Option<Arc<Object>>),
}

/// A watch's start: the events to send first, and the receiver of later ones.
pub type WatchStart = (Vec<Arc<Event>>, broadcast::Receiver<Arc<Event>>);

/// Why a list could not be shown at the resourceVersion it asked for.
#[derive(Debug, PartialEq, Eq)]
pub enum Snapshot {
    /// The history no longer reaches back that far.
    TooOld,
    /// Newer than the store's resourceVersion (given).
    TooNew(u64),
}

/// A [`WatchStart`] with the store's resourceVersion when it was taken (see [`Store::watch_at`]).
pub type WatchAt = (Vec<Arc<Event>>, broadcast::Receiver<Arc<Event>>, u64);

/// Why a watch could not start where it was asked to.
#[derive(Debug)]
pub struct TooOld {
    pub requested: u64,
    pub oldest: u64,
}

struct Inner {
    db: Connection,
    objects: BTreeMap<Key, Arc<Object>>,
    rv: u64,
    history: VecDeque<Arc<Event>>,
    /// Watches may resume from any resourceVersion at or after this one.
    history_floor: u64,
    /// The resourceVersion of each resource's latest change since the store was opened.
    changed: HashMap<String, u64>,
}

pub struct Store {
    inner: Mutex<Inner>,
    events: broadcast::Sender<Arc<Event>>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the store could not be opened at {path}: {source}")]
    Open { path: String, source: rusqlite::Error },
    #[error("the store could not write: {0}")]
    Write(#[from] rusqlite::Error),
}

impl Store {
    /// Opens (creating if needed) the store in the SQLite file at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let open_err = |source| StoreError::Open {
            path: path.display().to_string(),
            source,
        };
        let db = Connection::open(path).map_err(open_err)?;
        // WAL with synchronous=NORMAL: a committed write is in the log before the call returns,
        // so it survives the process being killed (only an OS crash could lose the last ones).
        db.execute_batch(
            "PRAGMA journal_mode=WAL;
             PRAGMA synchronous=NORMAL;
             CREATE TABLE IF NOT EXISTS objects (
                resource TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
                rv INTEGER NOT NULL, body TEXT NOT NULL,
                PRIMARY KEY (resource, namespace, name));
             CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);",
        )
        .map_err(open_err)?;
        let rv: u64 = db
            .query_row("SELECT value FROM meta WHERE key = 'rv'", [], |r| r.get::<_, i64>(0))
            .map(|v| v as u64)
            .unwrap_or(0);
        let mut objects = BTreeMap::new();
        // (rowid, what the row says it is, why it cannot be read)
        let mut unreadable: Vec<(i64, String, String)> = Vec::new();
        {
            let mut stmt = db
                .prepare("SELECT rowid, resource, namespace, name, rv, body FROM objects")
                .map_err(open_err)?;
            let mut rows = stmt.query([]).map_err(open_err)?;
            while let Some(r) = rows.next().map_err(open_err)? {
                let rowid: i64 = r.get(0).map_err(open_err)?;
                let what = || {
                    let col = |i| match r.get_ref(i) {
                        Ok(rusqlite::types::ValueRef::Text(t)) => String::from_utf8_lossy(t).into_owned(),
                        Ok(v) => format!("{v:?}"),
                        Err(e) => e.to_string(),
                    };
                    format!("{} {}/{}", col(1), col(2), col(3))
                };
                let read = || -> Result<(Key, u64, String), String> {
                    let key = Key {
                        resource: r.get(1).map_err(|e| format!("resource: {e}"))?,
                        namespace: r.get(2).map_err(|e| format!("namespace: {e}"))?,
                        name: r.get(3).map_err(|e| format!("name: {e}"))?,
                    };
                    let rv = r.get::<_, i64>(4).map_err(|e| format!("rv: {e}"))? as u64;
                    let body = r.get::<_, String>(5).map_err(|e| format!("body: {e}"))?;
                    Ok((key, rv, body))
                };
                let parsed = read().and_then(|(key, rv, body)| {
                    serde_json::from_str::<Value>(&body)
                        .map(|value| (key, rv, value, body))
                        .map_err(|e| format!("body is not JSON: {e}"))
                });
                match parsed {
                    Ok((key, orv, value, body)) => {
                        objects.insert(
                            key,
                            Arc::new(Object {
                                value,
                                json: Bytes::from(body),
                                rv: orv,
                            }),
                        );
                    }
                    Err(why) => unreadable.push((rowid, what(), why)),
                }
            }
        }
        if !unreadable.is_empty() {
            set_aside(&db, &unreadable).map_err(open_err)?;
            for (_, what, why) in &unreadable {
                tracing::warn!(
                    "the store {} holds an object it cannot read, in table objects: {what} ({why}); it is not served, and kept as it was in table unreadable",
                    path.display()
                );
            }
        }
        let (events, _) = broadcast::channel(8192);
        Ok(Store {
            inner: Mutex::new(Inner {
                db,
                objects,
                rv,
                history: VecDeque::new(),
                history_floor: rv,
                changed: HashMap::new(),
            }),
            events,
        })
    }

    fn lock(&self) -> parking_lot::MutexGuard<'_, Inner> {
        self.inner.lock()
    }

    pub fn get(&self, key: &Key) -> Option<Arc<Object>> {
        self.lock().objects.get(key).cloned()
    }

    /// The objects of one resource (in one namespace, or all when `namespace` is `None`),
    /// ordered by namespace and name, with the store's current resourceVersion.
    pub fn list(&self, resource: &str, namespace: Option<&str>) -> (Vec<Arc<Object>>, u64) {
        let inner = self.lock();
        let items = range(&inner.objects, resource, namespace)
            .map(|(_, o)| o.clone())
            .collect();
        (items, inner.rv)
    }

    /// The objects of one resource as they were at resourceVersion `at` (a consistent
    /// snapshot for paged lists and `resourceVersionMatch=Exact`), rebuilt from the current
    /// objects by undoing the changes after `at` kept in the history.
    pub fn list_at(&self, resource: &str, namespace: Option<&str>, at: u64) -> Result<Vec<Arc<Object>>, Snapshot> {
        let inner = self.lock();
        if at > inner.rv {
            return Err(Snapshot::TooNew(inner.rv));
        }
        let mut items: BTreeMap<Key, Arc<Object>> = range(&inner.objects, resource, namespace)
            .map(|(k, o)| (k.clone(), o.clone()))
            .collect();
        if at == inner.rv {
            return Ok(items.into_values().collect());
        }
        if at < inner.history_floor {
            return Err(Snapshot::TooOld);
        }
        let in_scope = |k: &Key| k.resource == resource && namespace.is_none_or(|ns| k.namespace == ns);
        for e in inner.history.iter().rev().take_while(|e| e.object.rv > at) {
            if !in_scope(&e.key) {
                continue;
            }
            match (&e.kind, &e.previous) {
                (EventType::Added, _) | (_, None) => items.remove(&e.key),
                (_, Some(previous)) => items.insert(e.key.clone(), previous.clone()),
            };
        }
        Ok(items.into_values().collect())
    }

    /// Keys of every object in a namespace, across resources.
    pub fn keys_in_namespace(&self, namespace: &str) -> Vec<Key> {
        self.lock()
            .objects
            .keys()
            .filter(|k| k.namespace == namespace)
            .cloned()
            .collect()
    }

    /// Number of stored objects.
    pub fn count(&self) -> usize {
        self.lock().objects.len()
    }

    pub fn resource_version(&self) -> u64 {
        self.lock().rv
    }

    /// The resourceVersion of the latest change to any of `resources` since the store was
    /// opened (0 when none changed): what a cache of those objects compares to know it is
    /// current.
    pub fn changed_at(&self, resources: &[&str]) -> u64 {
        let inner = self.lock();
        resources
            .iter()
            .filter_map(|r| inner.changed.get(*r))
            .max()
            .copied()
            .unwrap_or(0)
    }

    /// Runs `decide` on the current object (if any) under the store lock and carries out what
    /// it returns. With `dry_run` nothing is written, but the outcome is computed as if it were.
    pub fn mutate<E>(
        &self,
        key: &Key,
        dry_run: bool,
        decide: impl FnOnce(Option<&Arc<Object>>) -> Result<Mutation, E>,
    ) -> Result<Outcome, E>
    where
        E: From<StoreError>,
    {
        let mut inner = self.lock();
        let current = inner.objects.get(key).cloned();
        let mutation = decide(current.as_ref())?;
        let rv = inner.rv + 1;
        let (outcome, event) = match mutation {
            Mutation::Keep => return Ok(Outcome::Unchanged(current)),
            Mutation::Put(mut value) => {
                set_resource_version(&mut value, rv);
                let object = Object::new(value, rv);
                if !dry_run {
                    let tx = inner.db.transaction().map_err(StoreError::from)?;
                    tx.prepare_cached(
                        "INSERT OR REPLACE INTO objects (resource, namespace, name, rv, body) VALUES (?1, ?2, ?3, ?4, ?5)",
                    )
                    .and_then(|mut s| {
                        s.execute(params![
                            key.resource,
                            key.namespace,
                            key.name,
                            rv as i64,
                            std::str::from_utf8(&object.json).expect("JSON is UTF-8")
                        ])
                    })
                    .map_err(StoreError::from)?;
                    bump_rv(&tx, rv)?;
                    tx.commit().map_err(StoreError::from)?;
                }
                match current {
                    None => (Outcome::Created(object.clone()), (EventType::Added, object, None)),
                    Some(prev) => (
                        Outcome::Updated(object.clone()),
                        (EventType::Modified, object, Some(prev)),
                    ),
                }
            }
            Mutation::Delete => {
                let Some(prev) = current else {
                    return Ok(Outcome::Unchanged(None));
                };
                let mut value = prev.value.clone();
                set_resource_version(&mut value, rv);
                let object = Object::new(value, rv);
                if !dry_run {
                    let tx = inner.db.transaction().map_err(StoreError::from)?;
                    tx.prepare_cached("DELETE FROM objects WHERE resource = ?1 AND namespace = ?2 AND name = ?3")
                        .and_then(|mut s| s.execute(params![key.resource, key.namespace, key.name]))
                        .map_err(StoreError::from)?;
                    bump_rv(&tx, rv)?;
                    tx.commit().map_err(StoreError::from)?;
                }
                (
                    Outcome::Deleted(object.clone()),
                    (EventType::Deleted, object, Some(prev)),
                )
            }
        };
        if dry_run {
            return Ok(outcome);
        }
        inner.rv = rv;
        inner.changed.insert(key.resource.clone(), rv);
        let (kind, object, previous) = event;
        match kind {
            EventType::Deleted => inner.objects.remove(key),
            _ => inner.objects.insert(key.clone(), object.clone()),
        };
        let event = Arc::new(Event {
            kind,
            key: key.clone(),
            object,
            previous,
        });
        inner.history.push_back(event.clone());
        if inner.history.len() > HISTORY
            && let Some(old) = inner.history.pop_front()
        {
            inner.history_floor = old.object.rv;
        }
        // No receiver is not an error: nobody is watching.
        let _ = self.events.send(event);
        Ok(outcome)
    }

    /// Starts a watch of one resource. With `from` = `None` the current objects come back as
    /// the backlog (as ADDED events to send first); with `Some(rv)` the backlog is every change
    /// after `rv`, or `TooOld` when the history no longer reaches back that far.
    pub fn watch(&self, resource: &str, namespace: Option<&str>, from: Option<u64>) -> Result<WatchStart, TooOld> {
        self.watch_at(resource, namespace, from)
            .map(|(backlog, receiver, _)| (backlog, receiver))
    }

    /// [`Store::watch`], with the store's resourceVersion at the moment the watch started:
    /// every change up to it is in the backlog (or in the objects it lists), every later one
    /// comes through the receiver.
    pub fn watch_at(&self, resource: &str, namespace: Option<&str>, from: Option<u64>) -> Result<WatchAt, TooOld> {
        let inner = self.lock();
        let receiver = self.events.subscribe();
        let in_scope = |k: &Key| k.resource == resource && namespace.is_none_or(|ns| k.namespace == ns);
        let backlog = match from {
            None => range(&inner.objects, resource, namespace)
                .map(|(k, o)| {
                    Arc::new(Event {
                        kind: EventType::Added,
                        key: k.clone(),
                        object: o.clone(),
                        previous: None,
                    })
                })
                .collect(),
            Some(rv) if rv < inner.history_floor => {
                return Err(TooOld {
                    requested: rv,
                    oldest: inner.history_floor,
                });
            }
            Some(rv) => inner
                .history
                .iter()
                .filter(|e| e.object.rv > rv && in_scope(&e.key))
                .cloned()
                .collect(),
        };
        Ok((backlog, receiver, inner.rv))
    }
}

fn range<'a>(
    objects: &'a BTreeMap<Key, Arc<Object>>,
    resource: &'a str,
    namespace: Option<&'a str>,
) -> impl Iterator<Item = (&'a Key, &'a Arc<Object>)> + 'a {
    let start = Key::new(resource, namespace.unwrap_or(""), "");
    objects
        .range(start..)
        .take_while(move |(k, _)| k.resource == resource && namespace.is_none_or(|ns| k.namespace == ns))
}

/// Moves rows the store cannot read out of `objects` into `unreadable` (as they are, with the
/// reason), so they are kept for a person to look at and a new object of the same name does
/// not overwrite them.
fn set_aside(db: &Connection, rows: &[(i64, String, String)]) -> rusqlite::Result<()> {
    db.execute_batch(
        "CREATE TABLE IF NOT EXISTS unreadable (resource, namespace, name, rv, body, reason TEXT, set_aside_at TEXT)",
    )?;
    let tx = db.unchecked_transaction()?;
    for (rowid, _, why) in rows {
        tx.execute(
            "INSERT INTO unreadable SELECT resource, namespace, name, rv, body, ?2, datetime('now') FROM objects WHERE rowid = ?1",
            rusqlite::params![rowid, why],
        )?;
        tx.execute("DELETE FROM objects WHERE rowid = ?1", [rowid])?;
    }
    tx.commit()
}

fn bump_rv(tx: &rusqlite::Transaction<'_>, rv: u64) -> Result<(), StoreError> {
    tx.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES ('rv', ?1)")?
        .execute(params![rv as i64])?;
    Ok(())
}

fn set_resource_version(value: &mut Value, rv: u64) {
    if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("resourceVersion".into(), Value::String(rv.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn put(store: &Store, name: &str, data: &str) -> Outcome {
        let key = Key::new("/configmaps", "default", name);
        store
            .mutate::<StoreError>(&key, false, |_| {
                Ok(Mutation::Put(json!({"metadata": {"name": name}, "data": {"v": data}})))
            })
            .unwrap()
    }

    #[test]
    fn writes_survive_reopen_and_versions_keep_increasing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kfn.db");
        let store = Store::open(&path).unwrap();
        put(&store, "a", "1");
        put(&store, "b", "2");
        store
            .mutate::<StoreError>(&Key::new("/configmaps", "default", "b"), false, |_| {
                Ok(Mutation::Delete)
            })
            .unwrap();
        let rv = store.resource_version();
        assert_eq!(rv, 3);
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.count(), 1);
        assert_eq!(
            store.resource_version(),
            3,
            "a delete's version is not reused after a restart"
        );
        let Outcome::Created(obj) = put(&store, "c", "3") else {
            panic!("expected a create")
        };
        assert_eq!(obj.value["metadata"]["resourceVersion"], "4");
    }

    #[test]
    fn watch_backlog_starts_after_the_given_version_and_refuses_older_than_history() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kfn.db");
        let store = Store::open(&path).unwrap();
        put(&store, "a", "1");
        put(&store, "a", "2");
        let (backlog, _) = store.watch("/configmaps", Some("default"), Some(1)).unwrap();
        assert_eq!(backlog.len(), 1);
        assert_eq!(backlog[0].kind, EventType::Modified);
        drop(store);
        let store = Store::open(&path).unwrap();
        assert!(
            store.watch("/configmaps", None, Some(1)).is_err(),
            "history before a restart is gone"
        );
        assert!(store.watch("/configmaps", None, Some(2)).is_ok());
    }

    #[test]
    fn lists_at_an_earlier_version_undo_later_changes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("kfn.db")).unwrap();
        put(&store, "a", "1");
        put(&store, "b", "1");
        let at = store.resource_version();
        put(&store, "a", "2");
        put(&store, "c", "1");
        store
            .mutate::<StoreError>(&Key::new("/configmaps", "default", "b"), false, |_| {
                Ok(Mutation::Delete)
            })
            .unwrap();
        let names = |items: Vec<Arc<Object>>| -> Vec<String> {
            items
                .iter()
                .map(|o| {
                    format!(
                        "{}={}",
                        o.value["metadata"]["name"].as_str().unwrap(),
                        o.value["data"]["v"].as_str().unwrap()
                    )
                })
                .collect()
        };
        assert_eq!(
            names(store.list_at("/configmaps", Some("default"), at).unwrap()),
            ["a=1", "b=1"]
        );
        assert_eq!(
            names(store.list_at("/configmaps", None, store.resource_version()).unwrap()),
            ["a=2", "c=1"]
        );
        assert!(matches!(
            store.list_at("/configmaps", None, 99),
            Err(Snapshot::TooNew(5))
        ));
        drop(store);
        let store = Store::open(&dir.path().join("kfn.db")).unwrap();
        assert!(
            matches!(store.list_at("/configmaps", None, at), Err(Snapshot::TooOld)),
            "history before a restart is gone"
        );
    }

    #[test]
    fn rows_that_cannot_be_read_are_set_aside_not_lost() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kfn.db");
        let store = Store::open(&path).unwrap();
        put(&store, "good", "1");
        put(&store, "bad", "2");
        drop(store);
        let db = Connection::open(&path).unwrap();
        db.execute("UPDATE objects SET body = '{not json' WHERE name = 'bad'", [])
            .unwrap();
        drop(db);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.count(), 1, "the bad row is not served");
        put(&store, "bad", "3");
        drop(store);
        let db = Connection::open(&path).unwrap();
        let (body, reason): (String, String) = db
            .query_row("SELECT body, reason FROM unreadable WHERE name = 'bad'", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(body, "{not json", "kept as it was, after a new object of its name");
        assert!(reason.contains("not JSON"), "{reason}");
        let store = Store::open(&path).unwrap();
        assert_eq!(store.count(), 2, "a second open finds nothing more to set aside");
    }
}
