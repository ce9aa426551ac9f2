//! What a replica may reach. A function is untrusted code: it gets a scrubbed environment, a
//! working directory of its own, no descriptor the engine inherited, a process group of its own
//! (so whatever it forks ends with it), and, where the kernel has Landlock, no view of the
//! engine's state directory, the user's home, other functions' code or other replicas' processes.

use std::ffi::{CString, OsString};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use landlock::{ABI, Access, AccessFs, BitFlags, Ruleset, RulesetAttr, RulesetCreatedAttr, Scope, path_beneath_rules};

/// The newest Landlock ABI kfn asks for; older kernels get what they have.
const ABI_WANTED: ABI = ABI::V6;

/// Variables of the engine's environment a replica keeps: what finds programs and formats text.
const KEPT_ENV: &[&str] = &["PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ"];

/// Where a replica may look, and the one place it may write.
pub struct Sandbox {
    /// The replica's own directory: its working directory, HOME and TMPDIR.
    pub workdir: PathBuf,
    /// A Landlock ruleset to enter before the runtime starts, when the kernel has Landlock.
    ruleset: Option<OwnedFd>,
    /// A root of the replica's own, with its Secret volumes mounted, when there are any.
    root: Option<MountPlan>,
    /// What the replica's log should say about its sandbox (what does not hold here).
    pub notes: Vec<String>,
}

/// A private mount namespace whose root is a tmpfs holding the machine's top-level entries
/// (bind-mounted) and the Secret volumes at their mount paths, as a pod would see them.
struct MountPlan {
    root: CString,
    workdir: CString,
    /// `(source, target)` bind mounts of directories; read-only ones are the Secrets.
    binds: Vec<(CString, CString, bool)>,
    /// `(target, destination)` symbolic links (`/lib` → `usr/lib`, say).
    links: Vec<(CString, CString)>,
}

/// What the sandbox hides and what it lets through underneath.
pub struct Paths<'a> {
    /// Hidden with everything under them: the engine's state directory, the user's home.
    pub hidden: Vec<PathBuf>,
    /// Readable (and executable) although hidden above: the kfn binary, the interpreter's
    /// installation, the function's code and dependencies.
    pub readable: Vec<PathBuf>,
    pub workdir: &'a Path,
    /// Secret volumes: the directory holding a Secret's files, and the path it is mounted at.
    pub mounts: Vec<(PathBuf, String)>,
}

impl Sandbox {
    /// Creates the working directory and, where Landlock works, the ruleset.
    pub fn new(paths: Paths<'_>) -> std::io::Result<Sandbox> {
        std::fs::create_dir_all(paths.workdir.join("tmp"))?;
        let ruleset = match ruleset(&paths) {
            Ok(fd) => fd,
            Err(e) => {
                tracing::warn!("replicas run without Landlock: {e}");
                None
            }
        };
        let mut notes = Vec::new();
        if ruleset.is_none() {
            notes.push(
                "this kernel has no Landlock: the function can read the engine's state directory and your home".into(),
            );
        }
        let root = match mount_plan(paths.workdir, &paths.mounts) {
            Ok(plan) => plan,
            Err(why) => {
                for (dir, path) in &paths.mounts {
                    notes.push(format!(
                        "the secret volume {path} is not mounted ({why}): its files are in {}",
                        dir.display()
                    ));
                }
                None
            }
        };
        Ok(Sandbox {
            workdir: paths.workdir.to_path_buf(),
            ruleset,
            root,
            notes,
        })
    }

    /// Sets up `cmd` to start inside the sandbox: environment, directory, and what happens
    /// between fork and exec.
    pub fn apply(&self, cmd: &mut std::process::Command) {
        cmd.env_clear();
        for key in KEPT_ENV {
            if let Some(value) = std::env::var_os(key) {
                cmd.env(key, value);
            }
        }
        let tmp: OsString = self.workdir.join("tmp").into();
        cmd.env("HOME", &self.workdir)
            .env("TMPDIR", tmp)
            .current_dir(&self.workdir);
        let ruleset = self.ruleset.as_ref().map(|fd| fd.as_raw_fd());
        let root = self.root.as_ref().map(|plan| {
            (
                plan.root.clone(),
                plan.workdir.clone(),
                plan.binds.clone(),
                plan.links.clone(),
            )
        });
        // SAFETY: only async-signal-safe system calls between fork and exec, on descriptors and
        // values prepared before the fork.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(cmd, move || {
                // Its own process group: the replica and all it forks are signalled together.
                libc::setpgid(0, 0);
                // Ends with the engine.
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                // Descriptors the engine inherited from its shell close at exec.
                libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, libc::CLOSE_RANGE_CLOEXEC);
                if let Some((root, workdir, binds, links)) = &root {
                    enter_root(root, workdir, binds, links)?;
                }
                if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if let Some(fd) = ruleset
                    && libc::syscall(libc::SYS_landlock_restrict_self, fd, 0u32) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                drop_capabilities()
            });
        }
    }
}

/// Plans the replica's own root when it has Secret volumes: only an engine with the right to
/// make mount namespaces (root) can, and only at top-level paths (`/<secret-name>`, as
/// Kubeless mounts them), so nothing is ever created on the machine's own file system.
fn mount_plan(workdir: &Path, mounts: &[(PathBuf, String)]) -> Result<Option<MountPlan>, String> {
    if mounts.is_empty() {
        return Ok(None);
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err("mounting needs an engine run as root".into());
    }
    let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(|e| e.to_string());
    let root = workdir.join("root");
    std::fs::create_dir_all(&root).map_err(|e| e.to_string())?;
    let mut binds = Vec::new();
    let mut links = Vec::new();
    let taken: Vec<&str> = mounts.iter().map(|(_, p)| p.trim_start_matches('/')).collect();
    for entry in std::fs::read_dir("/").map_err(|e| e.to_string())?.flatten() {
        let name = entry.file_name();
        if taken.iter().any(|t| std::ffi::OsStr::new(t) == name) {
            continue;
        }
        let target = root.join(&name);
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_symlink() {
            if let Ok(to) = std::fs::read_link(entry.path()) {
                links.push((c(&to)?, c(&target)?));
            }
        } else if kind.is_dir() {
            binds.push((c(&entry.path())?, c(&target)?, false));
        }
    }
    for (dir, path) in mounts {
        let name = path.trim_start_matches('/');
        if name.is_empty() || name.contains('/') {
            return Err(format!(
                "only top-level mount paths such as /{} are mounted locally",
                dir.file_name().unwrap_or_default().to_string_lossy()
            ));
        }
        binds.push((c(dir)?, c(&root.join(name))?, true));
    }
    Ok(Some(MountPlan {
        root: c(&root)?,
        workdir: c(workdir)?,
        binds,
        links,
    }))
}

/// In the child, before exec: a private mount namespace, a tmpfs root with the planned binds
/// and links, then chroot into it. Only system calls on values prepared before the fork.
fn enter_root(
    root: &CString,
    workdir: &CString,
    binds: &[(CString, CString, bool)],
    links: &[(CString, CString)],
) -> std::io::Result<()> {
    let check = |rc: libc::c_int| {
        if rc == 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    };
    let none = std::ptr::null::<libc::c_char>();
    // SAFETY: mount, mkdir, symlink, chroot and chdir with NUL-terminated strings that outlive
    // the calls; all async-signal-safe.
    unsafe {
        check(libc::unshare(libc::CLONE_NEWNS))?;
        check(libc::mount(
            none,
            c"/".as_ptr(),
            none,
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        ))?;
        check(libc::mount(
            c"tmpfs".as_ptr(),
            root.as_ptr(),
            c"tmpfs".as_ptr(),
            libc::MS_NOSUID | libc::MS_NODEV,
            c"mode=0755".as_ptr().cast(),
        ))?;
        for (source, target, read_only) in binds {
            check(libc::mkdir(target.as_ptr(), 0o755))?;
            check(libc::mount(
                source.as_ptr(),
                target.as_ptr(),
                none,
                libc::MS_BIND | libc::MS_REC,
                std::ptr::null(),
            ))?;
            if *read_only {
                let flags = libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NODEV;
                check(libc::mount(none, target.as_ptr(), none, flags, std::ptr::null()))?;
            }
        }
        for (to, link) in links {
            check(libc::symlink(to.as_ptr(), link.as_ptr()))?;
        }
        check(libc::chroot(root.as_ptr()))?;
        check(libc::chdir(workdir.as_ptr()))?;
    }
    Ok(())
}

/// An engine run as root would hand its capabilities to every function (reading any process's
/// memory and environment, say): the replica keeps none, now or after an exec.
fn drop_capabilities() -> std::io::Result<()> {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    const VERSION_3: u32 = 0x2008_0522;
    // SAFETY: prctl and capset with stack values; async-signal-safe.
    unsafe {
        for cap in 0..64 {
            libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0);
        }
        let mut header = Header {
            version: VERSION_3,
            pid: 0,
        };
        let data = [Data {
            effective: 0,
            permitted: 0,
            inheritable: 0,
        }; 2];
        if libc::syscall(libc::SYS_capset, &mut header as *mut Header, data.as_ptr()) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// The ruleset: read and execute everywhere but under the hidden paths, read under the readable
/// ones, everything in the working directory, devices usable; signals and abstract sockets
/// scoped to the replica. `None` when the kernel has no Landlock.
fn ruleset(paths: &Paths<'_>) -> Result<Option<OwnedFd>, landlock::RulesetError> {
    let all = AccessFs::from_all(ABI_WANTED);
    let read: BitFlags<AccessFs> = AccessFs::from_read(ABI_WANTED);
    let devices = read | AccessFs::WriteFile | AccessFs::IoctlDev;
    let everywhere = visible(Path::new("/"), &paths.hidden, &|dir| {
        std::fs::read_dir(dir)
            .map(|entries| entries.flatten().map(|e| e.path()).collect())
            .unwrap_or_default()
    });
    let created = Ruleset::default()
        .handle_access(all)?
        .scope(Scope::Signal | Scope::AbstractUnixSocket)?
        .create()?
        .add_rules(path_beneath_rules(&everywhere, read))?
        .add_rules(path_beneath_rules(&paths.readable, read))?
        .add_rules(path_beneath_rules(["/dev"], devices))?
        .add_rules(path_beneath_rules([paths.workdir], all))?;
    Ok(created.into())
}

/// The paths that together cover everything under `root` except the hidden paths: each
/// ancestor of a hidden path is split into its entries, recursively, and the hidden ones left out.
fn visible(root: &Path, hidden: &[PathBuf], list: &dyn Fn(&Path) -> Vec<PathBuf>) -> Vec<PathBuf> {
    if hidden.iter().any(|h| h == root) {
        return Vec::new();
    }
    if !hidden.iter().any(|h| h.starts_with(root)) {
        return vec![root.to_path_buf()];
    }
    list(root)
        .into_iter()
        .flat_map(|entry| visible(&entry, hidden, list))
        .collect()
}

/// The installation an interpreter belongs to: `/opt/py/3.11/bin/python3.11` → `/opt/py/3.11`.
pub fn installation(interpreter: &Path) -> PathBuf {
    let bin = interpreter.parent().unwrap_or(interpreter);
    match bin.file_name() {
        Some(name) if name == "bin" => bin.parent().unwrap_or(bin).to_path_buf(),
        _ => bin.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(dir: &Path) -> Vec<PathBuf> {
        let children: &[&str] = match dir.to_str().unwrap() {
            "/" => &["/etc", "/home", "/usr"],
            "/home" => &["/home/ann", "/home/bob"],
            "/home/ann" => &["/home/ann/.pyenv", "/home/ann/.local"],
            "/home/ann/.local" => &["/home/ann/.local/state"],
            _ => &[],
        };
        children.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn everything_is_visible_but_the_hidden_paths() {
        let hidden = [PathBuf::from("/home/ann/.local/state")];
        assert_eq!(
            visible(Path::new("/"), &hidden, &tree),
            ["/etc", "/home/ann/.pyenv", "/home/bob", "/usr"]
                .map(PathBuf::from)
                .to_vec()
        );
        let hidden = [PathBuf::from("/home/ann"), PathBuf::from("/home/ann/.local/state")];
        assert_eq!(
            visible(Path::new("/"), &hidden, &tree),
            ["/etc", "/home/bob", "/usr"].map(PathBuf::from).to_vec()
        );
        assert_eq!(visible(Path::new("/"), &[], &tree), [PathBuf::from("/")]);
    }

    #[test]
    fn an_interpreter_belongs_to_the_folder_above_its_bin() {
        assert_eq!(
            installation(Path::new("/home/ann/.pyenv/versions/3.11.7/bin/python3.11")),
            PathBuf::from("/home/ann/.pyenv/versions/3.11.7")
        );
        assert_eq!(installation(Path::new("/usr/bin/node")), PathBuf::from("/usr"));
        assert_eq!(installation(Path::new("/opt/node")), PathBuf::from("/opt"));
    }
}
