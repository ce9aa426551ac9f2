//! The local engine's object store: SQLite for durability, an in-memory copy for fast reads,
//! and a bounded history of changes for watches.
//!
//! Every write goes through [`Store::mutate`], which runs the caller's decision under one lock,
//! so a read-modify-write (update with a resourceVersion precondition, a patch, a finalizer
//! change) is atomic and concurrent writers never lose updates.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::ops::Bound;
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

/// Which page of a list [`Store::page`] reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct PageRequest<'a> {
    /// The resource (`group/plural`).
    pub resource: &'a str,
    /// One namespace, or all when `None`.
    pub namespace: Option<&'a str>,
    /// The `(namespace, name)` the page starts after (a continue token's key).
    pub after: Option<(&'a str, &'a str)>,
    /// The resourceVersion of the snapshot; `None` reads the newest data.
    pub at: Option<u64>,
    /// At most this many objects.
    pub limit: Option<usize>,
    /// Count the objects after the page (in [`Page::remaining`]).
    pub count_rest: bool,
}

/// One page of a list (see [`Store::page`]).
#[derive(Debug)]
pub struct Page {
    pub items: Vec<Arc<Object>>,
    /// The resourceVersion of the snapshot the page was read from.
    pub rv: u64,
    /// The page is full and objects follow it (selected or not).
    pub more: bool,
    /// How many objects follow the page, selected or not, when it asked to count them and
    /// the list goes on.
    pub remaining: Option<usize>,
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

    /// One page of a list: the objects of `list.resource` (in `list.namespace`, or all) after
    /// `list.after`, as they were at `list.at` (now when `None`), that `keep` selects, up to
    /// `list.limit`. It costs in proportion to the page, not to the store: the page starts
    /// with a range of the ordered objects at its first key, and a snapshot at an older
    /// version is the current objects corrected by the changes after it in the history (only
    /// those of the range), merged in key order, without copying the resource. Counting what
    /// follows a page (`count_rest`) walks the keys after it without copying any object.
    pub fn page(&self, list: &PageRequest<'_>, keep: impl Fn(&Object) -> bool) -> Result<Page, Snapshot> {
        let inner = self.lock();
        let at = list.at.unwrap_or(inner.rv);
        if at > inner.rv {
            return Err(Snapshot::TooNew(inner.rv));
        }
        if at < inner.rv && at < inner.history_floor {
            return Err(Snapshot::TooOld);
        }
        let in_scope = |k: &Key| {
            k.resource == list.resource
                && list.namespace.is_none_or(|ns| k.namespace == ns)
                && list
                    .after
                    .is_none_or(|(ns, name)| (k.namespace.as_str(), k.name.as_str()) > (ns, name))
        };
        // What each object changed after `at` was at `at` (None: it did not exist): the
        // earliest change after `at` tells, so the history is read from the newest back.
        let mut then: BTreeMap<&Key, Option<&Arc<Object>>> = BTreeMap::new();
        for e in inner.history.iter().rev().take_while(|e| e.object.rv > at) {
            if in_scope(&e.key) {
                let before = match e.kind {
                    EventType::Added => None,
                    _ => e.previous.as_ref(),
                };
                then.insert(&e.key, before);
            }
        }
        let start = match list.after {
            Some((ns, name)) => Bound::Excluded(Key::new(list.resource, ns, name)),
            None => Bound::Included(Key::new(list.resource, list.namespace.unwrap_or(""), "")),
        };
        let now = inner
            .objects
            .range((start, Bound::Unbounded))
            .take_while(|(k, _)| k.resource == list.resource && list.namespace.is_none_or(|ns| k.namespace == ns));
        let mut objects = merge(now, then.into_iter());
        let mut page = Page {
            items: Vec::new(),
            rv: at,
            more: false,
            remaining: None,
        };
        for o in objects.by_ref() {
            if list.limit.is_some_and(|l| page.items.len() >= l) {
                // An object after a full page (selected or not) is how the list knows it goes on.
                page.more = true;
                break;
            }
            if keep(o) {
                page.items.push(o.clone());
            }
        }
        if page.more && list.count_rest {
            // The object that told the page is full, and those after it.
            page.remaining = Some(1 + objects.count());
        }
        Ok(page)
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

/// The objects of a snapshot in key order: the current ones (`now`) with those that changed
/// since (`then`: each one's state at the snapshot, `None` when it did not exist) as they were.
fn merge<'a>(
    now: impl Iterator<Item = (&'a Key, &'a Arc<Object>)>,
    then: impl Iterator<Item = (&'a Key, Option<&'a Arc<Object>>)>,
) -> impl Iterator<Item = &'a Arc<Object>> {
    let (mut now, mut then) = (now.peekable(), then.peekable());
    std::iter::from_fn(move || {
        loop {
            let next_now = now.peek().map(|(k, _)| *k);
            let next_then = then.peek().map(|(k, _)| *k);
            match (next_now, next_then) {
                (None, None) => return None,
                (Some(n), Some(t)) if n < t => return now.next().map(|(_, o)| o),
                (Some(_), None) => return now.next().map(|(_, o)| o),
                (Some(n), Some(t)) if n == t => {
                    now.next();
                    if let Some((_, Some(o))) = then.next() {
                        return Some(o);
                    }
                }
                (_, Some(_)) => {
                    if let Some((_, Some(o))) = then.next() {
                        return Some(o);
                    }
                }
            }
        }
    })
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

    fn delete(store: &Store, name: &str) {
        store
            .mutate::<StoreError>(&Key::new("/configmaps", "default", name), false, |_| {
                Ok(Mutation::Delete)
            })
            .unwrap();
    }

    /// `name=value` of each object of a page.
    fn names(page: &Page) -> Vec<String> {
        page.items
            .iter()
            .map(|o| {
                format!(
                    "{}={}",
                    o.value["metadata"]["name"].as_str().unwrap(),
                    o.value["data"]["v"].as_str().unwrap()
                )
            })
            .collect()
    }

    fn configmaps<'a>(at: Option<u64>, after: Option<(&'a str, &'a str)>, limit: Option<usize>) -> PageRequest<'a> {
        PageRequest {
            resource: "/configmaps",
            namespace: Some("default"),
            after,
            at,
            limit,
            count_rest: true,
        }
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
        delete(&store, "b");
        let all = |_: &Object| true;
        assert_eq!(
            names(&store.page(&configmaps(Some(at), None, None), all).unwrap()),
            ["a=1", "b=1"]
        );
        let now = store.page(&configmaps(None, None, None), all).unwrap();
        assert_eq!((names(&now), now.rv), (vec!["a=2".to_string(), "c=1".to_string()], 5));
        assert!(matches!(
            store.page(&configmaps(Some(99), None, None), all),
            Err(Snapshot::TooNew(5))
        ));
        drop(store);
        let store = Store::open(&dir.path().join("kfn.db")).unwrap();
        assert!(
            matches!(
                store.page(&configmaps(Some(at), None, None), all),
                Err(Snapshot::TooOld)
            ),
            "history before a restart is gone"
        );
    }

    #[test]
    fn pages_of_a_snapshot_go_on_after_their_key_through_later_changes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("kfn.db")).unwrap();
        for name in ["a", "b", "c", "d", "e"] {
            put(&store, name, "1");
        }
        let all = |_: &Object| true;
        let first = store.page(&configmaps(None, None, Some(2)), all).unwrap();
        assert_eq!(names(&first), ["a=1", "b=1"]);
        assert!(first.more);
        assert_eq!(first.remaining, Some(3));
        // Between the pages: a page's object changed, one deleted, one created before the
        // continue key and one after it, one deleted and created again, changed twice.
        put(&store, "a", "2");
        delete(&store, "c");
        put(&store, "aa", "1");
        put(&store, "cc", "1");
        delete(&store, "d");
        put(&store, "d", "2");
        put(&store, "e", "2");
        put(&store, "e", "3");
        let second = store
            .page(&configmaps(Some(first.rv), Some(("default", "b")), Some(2)), all)
            .unwrap();
        assert_eq!(
            (names(&second), second.rv),
            (vec!["c=1".into(), "d=1".into()], first.rv)
        );
        assert_eq!((second.more, second.remaining), (true, Some(1)));
        let last = store
            .page(&configmaps(Some(first.rv), Some(("default", "d")), Some(2)), all)
            .unwrap();
        assert_eq!(names(&last), ["e=1"]);
        assert_eq!((last.more, last.remaining), (false, None));
        let now = store
            .page(&configmaps(None, Some(("default", "b")), None), all)
            .unwrap();
        assert_eq!(names(&now), ["cc=1", "d=2", "e=3"], "the newest data after b");
    }

    #[test]
    fn a_full_page_goes_on_when_objects_follow_even_unselected_ones() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("kfn.db")).unwrap();
        for name in ["a", "b", "c"] {
            put(&store, name, name);
        }
        let only_a = |o: &Object| o.value["data"]["v"] == "a";
        let mut request = configmaps(None, None, Some(1));
        request.count_rest = false;
        let page = store.page(&request, only_a).unwrap();
        assert_eq!(names(&page), ["a=a"]);
        assert!(page.more, "b and c follow, as on the real server");
        assert_eq!(page.remaining, None, "not counted when not asked");
        let rest = store
            .page(&configmaps(None, Some(("default", "a")), Some(1)), only_a)
            .unwrap();
        assert!(rest.items.is_empty() && !rest.more, "{rest:?}");
        let other = PageRequest {
            resource: "/secrets",
            ..configmaps(None, None, Some(1))
        };
        assert!(store.page(&other, |_| true).unwrap().items.is_empty());
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
