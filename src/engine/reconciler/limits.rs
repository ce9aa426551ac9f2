//! A replica's memory and CPU limits (the container's `resources.limits`). Each replica gets a
//! cgroup of its own where the engine may make one: cgroup v2 (`memory.max`, `cpu.max`) when its
//! own cgroup has the controllers delegated, cgroup v1 (`memory.limit_in_bytes`,
//! `cpu.cfs_quota_us`) where those hierarchies are writable. Without a memory cgroup each language
//! worker gets the limit as its data-size rlimit (`RLIMIT_DATA`, set by the runtime), and the
//! runtime reports a worker that ran out of it; without a CPU cgroup CPU is not limited.
//! An out-of-memory kill is counted from the cgroup (`memory.events`, `memory.oom_control`) or
//! from the runtime's report, and shown as `OOMKilled`.

use std::io::Write;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;

/// The variable that gives the runtime a memory limit to set on each worker as `RLIMIT_DATA`,
/// in bytes; the engine sets it only when no cgroup limits the replica's memory.
pub const WORKER_MEMORY_ENV: &str = crate::runtime::WORKER_MEMORY_ENV;

/// How the runtime's report of a worker out of memory begins (see the runtime's worker pool).
pub const OOM_REPORT: &str = crate::runtime::worker::OOM_REPORT;

/// `KFN_CGROUP=off` makes the engine use no cgroup (rlimits only).
const CGROUP_ENV: &str = "KFN_CGROUP";

/// The limits of one replica, from its Pod's container's `resources.limits` (as admitted: a
/// LimitRange's default limits included).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Limits {
    /// Bytes; `None` when unlimited.
    pub memory: Option<u64>,
    /// Thousandths of a CPU; `None` when unlimited (Kubeless writes `cpu: "0"` then).
    pub cpu_millis: Option<u64>,
    /// The memory limit as the user wrote it (`64Mi`), for messages.
    pub memory_text: String,
    pub cpu_text: String,
}

impl Limits {
    /// From the first container of the Pod the replica runs.
    pub fn of(pod: &Value) -> Limits {
        let limits = pod
            .pointer("/spec/containers/0/resources/limits")
            .cloned()
            .unwrap_or(Value::Null);
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        let value = |v: &Value| crate::api::quantity::value(&text(v)).ok().filter(|n| *n > 0.0);
        Limits {
            memory: value(&limits["memory"]).map(|n| n.ceil() as u64),
            cpu_millis: value(&limits["cpu"]).map(|n| ((n * 1000.0).ceil() as u64).max(1)),
            memory_text: text(&limits["memory"]),
            cpu_text: text(&limits["cpu"]),
        }
    }
}

/// The CFS quota of a CPU limit per period of 100 ms, in microseconds (1 ms at least, as the
/// kernel asks).
pub fn cpu_quota(millis: u64) -> u64 {
    (millis * CPU_PERIOD / 1000).max(1000)
}

const CPU_PERIOD: u64 = 100_000;

/// How a replica's memory is limited.
#[derive(Clone, Debug, PartialEq)]
pub enum MemoryBy {
    Unlimited,
    /// A cgroup's limit: `memory.max` (v2) or `memory.limit_in_bytes` (v1).
    Cgroup,
    /// Each worker's `RLIMIT_DATA`.
    Rlimit,
}

/// One cgroup made for a replica.
struct Group {
    dir: PathBuf,
    v2: bool,
    /// Its `cgroup.procs`, opened before the replica starts so the replica joins it between fork
    /// and exec (before it could fork anything itself, and while it may still write there).
    procs: OwnedFd,
}

/// A replica's confinement: its cgroups (if any), how each limit is enforced, and its count of
/// out-of-memory kills.
pub struct Confinement {
    pub limits: Limits,
    pub memory: MemoryBy,
    /// Whether a cgroup limits the replica's CPU.
    pub cpu_limited: bool,
    groups: Vec<Group>,
    /// Where the memory cgroup counts OOM kills.
    oom_counter: Option<(PathBuf, bool)>,
    /// Out-of-memory reports from the runtime (rlimits), counted from the replica's output.
    reported: Arc<AtomicU64>,
    /// Kills already shown.
    shown: AtomicU64,
}

impl Confinement {
    /// Makes the replica's cgroups where possible; what cannot be made falls back (memory to
    /// rlimits, CPU to nothing).
    pub fn new(pod: &str, limits: Limits) -> Confinement {
        let mut groups = Vec::new();
        let mut oom_counter = None;
        let mut memory = if limits.memory.is_some() {
            MemoryBy::Rlimit
        } else {
            MemoryBy::Unlimited
        };
        let mut cpu_limited = false;
        let wanted = [limits.memory.is_some(), limits.cpu_millis.is_some()];
        if wanted.iter().any(|w| *w) && std::env::var(CGROUP_ENV).as_deref() != Ok("off") {
            let places = places();
            let name = pod.to_string();
            // One cgroup per place: v2 holds both controllers, v1 one hierarchy each.
            let mut made: Vec<(PathBuf, usize)> = Vec::new();
            for (i, controller) in [Controller::Memory, Controller::Cpu].into_iter().enumerate() {
                if !wanted[i] {
                    continue;
                }
                let Some(place) = places.iter().find(|p| p.controllers.contains(&controller)) else {
                    continue;
                };
                let dir = place.dir.join(&name);
                let index = match made.iter().find(|(d, _)| *d == dir) {
                    Some((_, index)) => *index,
                    None => match make_group(&dir, place.v2) {
                        Ok(group) => {
                            groups.push(group);
                            made.push((dir.clone(), groups.len() - 1));
                            groups.len() - 1
                        }
                        Err(e) => {
                            tracing::warn!("cannot make the cgroup {}: {e}", dir.display());
                            continue;
                        }
                    },
                };
                let group = &groups[index];
                let set = match controller {
                    Controller::Memory => set_memory(group, limits.memory.unwrap_or(u64::MAX)),
                    Controller::Cpu => set_cpu(group, limits.cpu_millis.unwrap_or(0)),
                };
                match (set, controller) {
                    (Ok(()), Controller::Memory) => {
                        memory = MemoryBy::Cgroup;
                        oom_counter = Some((group.dir.clone(), group.v2));
                    }
                    (Ok(()), Controller::Cpu) => cpu_limited = true,
                    (Err(e), _) => tracing::warn!("cannot set the limit in {}: {e}", group.dir.display()),
                }
            }
        }
        Confinement {
            limits,
            memory,
            cpu_limited,
            groups,
            oom_counter,
            reported: Arc::new(AtomicU64::new(0)),
            shown: AtomicU64::new(0),
        }
    }

    /// Lines for the pod's log: what is limited how, and what is not.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.memory == MemoryBy::Rlimit {
            notes.push(format!(
                "kfn: no cgroup the engine may write limits memory here: each worker of the function gets {} as its data-size limit (RLIMIT_DATA)",
                self.limits.memory_text
            ));
        }
        if self.limits.cpu_millis.is_some() && !self.cpu_limited {
            notes.push(format!(
                "kfn: no cgroup the engine may write limits CPU here: the CPU limit {} is not enforced",
                self.limits.cpu_text
            ));
        }
        notes
    }

    /// The replica's environment for its limits: the workers' data-size limit where no cgroup
    /// limits memory.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        match (&self.memory, self.limits.memory) {
            (MemoryBy::Rlimit, Some(bytes)) => vec![(WORKER_MEMORY_ENV, bytes.to_string())],
            _ => Vec::new(),
        }
    }

    /// Sets up `cmd` (the replica's runtime) to start inside the cgroups. Must come before the
    /// sandbox drops the engine's privileges.
    pub fn join(&self, cmd: &mut std::process::Command) {
        if self.groups.is_empty() {
            return;
        }
        let fds: Vec<i32> = self.groups.iter().map(|g| g.procs.as_raw_fd()).collect();
        // SAFETY: between fork and exec only getpid and write, on descriptors opened before the
        // fork, with a buffer on the stack.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(cmd, move || {
                let mut buf = [0u8; 12];
                let text = decimal(libc::getpid() as u32, &mut buf);
                for fd in &fds {
                    if libc::write(*fd, text.as_ptr().cast(), text.len()) < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                Ok(())
            });
        }
    }

    /// The counter the replica's output feeds: each line beginning with [`OOM_REPORT`] counts.
    pub fn reports(&self) -> Arc<AtomicU64> {
        self.reported.clone()
    }

    /// Counts a line of the replica's output that reports a worker out of memory.
    pub fn observe(reports: &AtomicU64, line: &str) {
        if line.starts_with(OOM_REPORT) {
            reports.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// Out-of-memory kills in the replica since the last call.
    pub fn new_oom_kills(&self) -> u64 {
        let counted = match &self.oom_counter {
            Some((dir, v2)) => read_oom_kills(dir, *v2),
            None => 0,
        } + self.reported.load(Ordering::SeqCst);
        let shown = self.shown.swap(counted, Ordering::SeqCst);
        counted.saturating_sub(shown)
    }

    /// What a Pod's status and Event say about an out-of-memory kill.
    pub fn oom_message(&self, detail: Option<&str>) -> String {
        let how = match self.memory {
            MemoryBy::Rlimit => "ran out of its memory limit",
            _ => "was killed for exceeding its memory limit",
        };
        let mut text = format!("a process of the replica {how} of {}", self.limits.memory_text);
        if let Some(detail) = detail.filter(|d| !d.is_empty()) {
            text.push_str(": ");
            text.push_str(detail);
        }
        text
    }

    /// Kills every process left in the replica's cgroups (what escaped its process group).
    pub fn kill_all(&self) {
        for group in &self.groups {
            kill_members(&group.dir, group.v2);
        }
    }

    /// Ends the confinement: kills what is left and removes the cgroups (in the background
    /// while killed processes take a moment to leave).
    pub fn end(&self) {
        self.kill_all();
        let dirs: Vec<PathBuf> = self.groups.iter().map(|g| g.dir.clone()).collect();
        if dirs.is_empty() {
            return;
        }
        std::thread::spawn(move || {
            for dir in dirs {
                for _ in 0..250 {
                    if std::fs::remove_dir(&dir).is_ok() || !dir.exists() {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
            }
        });
    }
}

/// The `lastState` of a replica's container after an out-of-memory kill, as a kubelet writes it.
pub fn oom_terminated(message: &str) -> Value {
    serde_json::json!({"terminated": {
        "exitCode": 137, "reason": "OOMKilled", "message": message,
        "finishedAt": crate::api::now(),
    }})
}

/// What the runtime said last about a worker that died or ran out of memory, if anything.
pub fn oom_detail<'a>(tail: impl DoubleEndedIterator<Item = &'a String>) -> Option<String> {
    tail.rev()
        .find(|l| l.starts_with(OOM_REPORT) || l.starts_with("kfn runtime: worker exited:"))
        .map(|l| {
            l.strip_prefix(OOM_REPORT)
                .or_else(|| l.strip_prefix("kfn runtime: "))
                .unwrap_or(l)
                .trim()
                .trim_end_matches("; starting a new one")
                .trim_end_matches("; starting a new worker")
                .to_string()
        })
}

/// A number in decimal, without allocating (between fork and exec).
fn decimal(mut n: u32, buf: &mut [u8; 12]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[i..];
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Controller {
    Memory,
    Cpu,
}

/// A cgroup under which the engine may make a replica's cgroup, and the controllers there.
#[derive(Clone, Debug, PartialEq)]
struct Place {
    dir: PathBuf,
    v2: bool,
    controllers: Vec<Controller>,
}

/// Where replicas' cgroups go, found once per engine: v2 first, then v1 per controller.
fn places() -> Vec<Place> {
    static PLACES: OnceLock<Vec<Place>> = OnceLock::new();
    PLACES
        .get_or_init(|| {
            let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
            let cgroups = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
            let mut places = Vec::new();
            if let Some(place) = v2_place(&mountinfo, &cgroups) {
                places.push(place);
            }
            places.extend(v1_places(&mountinfo, &cgroups));
            places.retain(|p| !p.controllers.is_empty());
            places.into_iter().filter_map(engine_place).collect()
        })
        .clone()
}

/// The engine's own cgroup under a place, `kfn-<engine pid>`, which holds its replicas'
/// cgroups; the ones of engines that are gone (stopped, or killed) are removed first.
fn engine_place(place: Place) -> Option<Place> {
    for entry in std::fs::read_dir(&place.dir).into_iter().flatten().flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("kfn-"))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            for replica in std::fs::read_dir(entry.path()).into_iter().flatten().flatten() {
                let _ = std::fs::remove_dir(replica.path());
            }
            let _ = std::fs::remove_dir(entry.path());
        }
    }
    let dir = place.dir.join(format!("kfn-{}", std::process::id()));
    match std::fs::create_dir(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => {
            tracing::debug!("cannot make the cgroup {}: {e}", dir.display());
            return None;
        }
    }
    if place.v2 {
        let request: Vec<&str> = place
            .controllers
            .iter()
            .map(|c| match c {
                Controller::Memory => "+memory",
                Controller::Cpu => "+cpu",
            })
            .collect();
        if let Err(e) = std::fs::write(dir.join("cgroup.subtree_control"), request.join(" ")) {
            tracing::warn!("cannot enable {} in {}: {e}", request.join(" "), dir.display());
            let _ = std::fs::remove_dir(&dir);
            return None;
        }
    }
    Some(Place { dir, ..place })
}

/// One mount of a cgroup file system: its mount point, the cgroup it shows at its root, and
/// for v1 the controllers it holds.
#[derive(Debug, PartialEq)]
struct Mount {
    point: PathBuf,
    root: String,
    v2: bool,
    options: Vec<String>,
}

fn cgroup_mounts(mountinfo: &str) -> Vec<Mount> {
    mountinfo
        .lines()
        .filter_map(|line| {
            let (left, right) = line.split_once(" - ")?;
            let left: Vec<&str> = left.split(' ').collect();
            let right: Vec<&str> = right.split(' ').collect();
            let v2 = match *right.first()? {
                "cgroup2" => true,
                "cgroup" => false,
                _ => return None,
            };
            Some(Mount {
                root: left.get(3)?.to_string(),
                point: PathBuf::from(unescape(left.get(4)?)),
                v2,
                options: right
                    .get(2)
                    .map(|o| o.split(',').map(String::from).collect())
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// Mount points in mountinfo escape spaces and the like as `\040`.
fn unescape(text: &str) -> String {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && i + 3 < bytes.len()
            && let Ok(n) = u8::from_str_radix(&text[i + 1..i + 4], 8)
        {
            out.push(n);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The directory of the cgroup `path` (from /proc/self/cgroup) under a mount.
fn dir_under(mount: &Mount, path: &str) -> PathBuf {
    let relative = match mount.root.as_str() {
        "/" => path,
        root => path.strip_prefix(root).unwrap_or(path),
    };
    mount.point.join(relative.trim_start_matches('/'))
}

/// The engine's own v2 cgroup, when the memory or cpu controller is there for its children:
/// enabled in its subtree already, or enabled now (moving the engine into a leaf `kfn-engine`
/// first when it is alone in its cgroup, as v2 lets only a cgroup without processes have them).
fn v2_place(mountinfo: &str, cgroups: &str) -> Option<Place> {
    let mount = cgroup_mounts(mountinfo).into_iter().find(|m| m.v2)?;
    let path = cgroups.lines().find_map(|l| l.strip_prefix("0::"))?;
    let dir = dir_under(&mount, path);
    let available = std::fs::read_to_string(dir.join("cgroup.controllers")).ok()?;
    let wanted: Vec<&str> = available
        .split_whitespace()
        .filter(|c| ["memory", "cpu"].contains(c))
        .collect();
    if wanted.is_empty() {
        return None;
    }
    let subtree = dir.join("cgroup.subtree_control");
    let enabled = |dir: &Path| -> Vec<Controller> {
        let text = std::fs::read_to_string(dir.join("cgroup.subtree_control")).unwrap_or_default();
        controllers(&text)
    };
    if enabled(&dir).len() < wanted.len() {
        let request: String = wanted.iter().map(|c| format!("+{c} ")).collect();
        if std::fs::write(&subtree, request.trim()).is_err() {
            let procs = std::fs::read_to_string(dir.join("cgroup.procs")).unwrap_or_default();
            let alone = procs.split_whitespace().collect::<Vec<_>>() == [std::process::id().to_string()];
            if alone {
                let leaf = dir.join("kfn-engine");
                let moved = (std::fs::create_dir(&leaf).is_ok() || leaf.is_dir())
                    && std::fs::write(leaf.join("cgroup.procs"), std::process::id().to_string()).is_ok();
                if moved && let Err(e) = std::fs::write(&subtree, request.trim()) {
                    tracing::warn!("cannot enable {request}in {}: {e}", subtree.display());
                }
            }
        }
    }
    Some(Place {
        controllers: enabled(&dir),
        dir,
        v2: true,
    })
}

fn controllers(text: &str) -> Vec<Controller> {
    text.split(|c: char| c.is_whitespace() || c == ',')
        .filter_map(|c| match c {
            "memory" => Some(Controller::Memory),
            "cpu" => Some(Controller::Cpu),
            _ => None,
        })
        .collect()
}

/// The engine's own v1 cgroups of the memory and cpu hierarchies that it may write.
fn v1_places(mountinfo: &str, cgroups: &str) -> Vec<Place> {
    let mounts = cgroup_mounts(mountinfo);
    let mut places = Vec::new();
    for line in cgroups.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(names), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let here = controllers(names);
        if here.is_empty() || names.is_empty() {
            continue;
        }
        let Some(mount) = mounts
            .iter()
            .find(|m| !m.v2 && names.split(',').all(|n| m.options.iter().any(|o| o == n)))
        else {
            continue;
        };
        let dir = dir_under(mount, path);
        if dir.join("cgroup.procs").exists() {
            places.push(Place {
                dir,
                v2: false,
                controllers: here,
            });
        }
    }
    places
}

fn make_group(dir: &Path, v2: bool) -> std::io::Result<Group> {
    match std::fs::create_dir(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    let procs = std::fs::OpenOptions::new().write(true).open(dir.join("cgroup.procs"))?;
    Ok(Group {
        dir: dir.to_path_buf(),
        v2,
        procs: procs.into(),
    })
}

fn set_memory(group: &Group, bytes: u64) -> std::io::Result<()> {
    if group.v2 {
        std::fs::write(group.dir.join("memory.max"), bytes.to_string())?;
        // Swap would let a replica past its limit; not every kernel has swap accounting.
        let _ = std::fs::write(group.dir.join("memory.swap.max"), "0");
    } else {
        std::fs::write(group.dir.join("memory.limit_in_bytes"), bytes.to_string())?;
        let _ = std::fs::write(group.dir.join("memory.memsw.limit_in_bytes"), bytes.to_string());
    }
    Ok(())
}

fn set_cpu(group: &Group, millis: u64) -> std::io::Result<()> {
    let quota = cpu_quota(millis);
    if group.v2 {
        std::fs::write(group.dir.join("cpu.max"), format!("{quota} {CPU_PERIOD}"))
    } else {
        std::fs::write(group.dir.join("cpu.cfs_period_us"), CPU_PERIOD.to_string())?;
        std::fs::write(group.dir.join("cpu.cfs_quota_us"), quota.to_string())
    }
}

/// The kernel's count of OOM kills in a memory cgroup.
fn read_oom_kills(dir: &Path, v2: bool) -> u64 {
    let file = if v2 { "memory.events" } else { "memory.oom_control" };
    oom_kills(&std::fs::read_to_string(dir.join(file)).unwrap_or_default())
}

/// `oom_kill N` in `memory.events` (v2) or `memory.oom_control` (v1).
fn oom_kills(text: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix("oom_kill "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

fn kill_members(dir: &Path, v2: bool) {
    if v2
        && std::fs::OpenOptions::new()
            .write(true)
            .open(dir.join("cgroup.kill"))
            .and_then(|mut f| f.write_all(b"1"))
            .is_ok()
    {
        return;
    }
    let procs = std::fs::read_to_string(dir.join("cgroup.procs")).unwrap_or_default();
    for pid in procs.split_whitespace().filter_map(|p| p.parse::<i32>().ok()) {
        // SAFETY: a process the engine put in this replica's cgroup (or one it forked).
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(limits: Value) -> Value {
        json!({"spec": {"containers": [{"resources": {"limits": limits}}]}})
    }

    #[test]
    fn limits_come_from_the_container_and_zero_means_none() {
        let l = Limits::of(&pod(json!({"memory": "64Mi", "cpu": "500m"})));
        assert_eq!(l.memory, Some(64 << 20));
        assert_eq!(l.cpu_millis, Some(500));
        assert_eq!(l.memory_text, "64Mi");
        let l = Limits::of(&pod(json!({"memory": "128Mi", "cpu": "0"})));
        assert_eq!(l.cpu_millis, None);
        let l = Limits::of(&pod(json!({"cpu": 2})));
        assert_eq!((l.memory, l.cpu_millis), (None, Some(2000)));
        assert_eq!(Limits::of(&json!({})), Limits::default());
    }

    #[test]
    fn a_cpu_limit_is_a_quota_per_100_ms() {
        assert_eq!(cpu_quota(500), 50_000);
        assert_eq!(cpu_quota(2000), 200_000);
        assert_eq!(cpu_quota(1), 1000);
    }

    #[test]
    fn the_oom_kill_count_is_read_from_either_file() {
        assert_eq!(
            oom_kills("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n"),
            1
        );
        assert_eq!(oom_kills("oom_kill_disable 0\nunder_oom 0\noom_kill 4\n"), 4);
        assert_eq!(oom_kills(""), 0);
    }

    #[test]
    fn v1_cgroups_are_found_under_their_mounts() {
        let mountinfo = "\
30 25 0:26 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
31 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
32 25 0:28 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
33 25 0:29 /outer /mnt/my\\040cg rw - cgroup cgroup rw,pids";
        let mounts = cgroup_mounts(mountinfo);
        assert_eq!(mounts.len(), 4);
        assert!(mounts[2].v2);
        assert_eq!(mounts[3].point, PathBuf::from("/mnt/my cg"));
        assert_eq!(dir_under(&mounts[3], "/outer/inner"), PathBuf::from("/mnt/my cg/inner"));
        assert_eq!(
            dir_under(&mounts[0], "/process_api/abc"),
            PathBuf::from("/sys/fs/cgroup/memory/process_api/abc")
        );
        assert_eq!(controllers("cpu,cpuacct"), [Controller::Cpu]);
        assert_eq!(controllers("memory cpu io"), [Controller::Memory, Controller::Cpu]);
    }

    #[test]
    fn a_pid_is_written_in_decimal_without_allocating() {
        let mut buf = [0u8; 12];
        assert_eq!(decimal(0, &mut buf), b"0");
        assert_eq!(decimal(4_294_967_295, &mut buf), b"4294967295");
    }

    #[test]
    fn the_detail_of_a_kill_is_the_runtimes_last_word_on_it() {
        let tail: Vec<String> = [
            "kfn runtime: worker exited: killed by SIGKILL (out of memory?) (pid 9, running POST /); starting a new one",
            "POST / 500",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            oom_detail(tail.iter()).as_deref(),
            Some("worker exited: killed by SIGKILL (out of memory?) (pid 9, running POST /)")
        );
        let tail = [format!("{OOM_REPORT} the function ran out of memory (limit 64Mi)")];
        assert_eq!(
            oom_detail(tail.iter()).as_deref(),
            Some("the function ran out of memory (limit 64Mi)")
        );
        assert_eq!(oom_detail([String::from("hello")].iter()), None);
    }

    #[test]
    fn only_the_runtimes_report_counts() {
        let reports = AtomicU64::new(0);
        Confinement::observe(&reports, &format!("{OOM_REPORT} MemoryError (pid 3)"));
        Confinement::observe(&reports, "print('kfn runtime: out of memory') in user code");
        assert_eq!(reports.load(Ordering::SeqCst), 1);
    }
}
