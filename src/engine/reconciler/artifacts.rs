//! What a replica needs on disk: the function's code unpacked under the state directory (keyed
//! by its content), and its dependencies installed once per (runtime, dependency file).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::source::sha256_hex as hex;

use crate::api::kinds::Function;
use crate::runtime::interpreter;
use crate::runtimes::Language;

/// Why a function cannot run here; becomes the Pod's waiting reason and message.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub reason: &'static str,
    pub message: String,
}

impl Problem {
    fn new(reason: &'static str, message: impl Into<String>) -> Self {
        Problem {
            reason,
            message: message.into(),
        }
    }
}

/// A function ready to run: its code directory, its dependencies, its interpreter.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub code_dir: PathBuf,
    pub deps_dir: Option<PathBuf>,
    pub language: Language,
    /// The interpreter's executable, resolved through any version manager's shim.
    pub interpreter: PathBuf,
    /// What the replica's log says of its dependencies.
    pub install_log: InstallLog,
}

/// What a replica's log says of its dependencies: the installer's output when this replica
/// installed them, one line when it reused an earlier install.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum InstallLog {
    #[default]
    None,
    /// The installer's output (pip's or npm's).
    Installed(String),
    /// Installed before for the same runtime and dependency file, in this directory.
    Reused(PathBuf),
}

impl InstallLog {
    /// The lines for the pod's log.
    pub fn lines(&self) -> Vec<String> {
        match self {
            InstallLog::None => vec![],
            InstallLog::Installed(log) => log
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| format!("install: {l}"))
                .collect(),
            InstallLog::Reused(dir) => vec![format!(
                "install: reused the dependencies installed before for the same runtime and dependency file ({})",
                dir.display()
            )],
        }
    }
}

/// The directory name of a function's unpacked code: everything that changes what is on disk
/// (the content, and the file name it is written under: the handler's module and the runtime's
/// suffix), so two functions share a directory only when they would write the same files.
fn code_key(content_type: &str, checksum: &str, content: &str, module: &str, suffix: &str) -> String {
    hex(format!("{content_type}\n{checksum}\n{module}{suffix}\n{content}").as_bytes())[..24].to_string()
}

/// Serialises work on one directory (two functions with the same code or dependencies).
#[derive(Default)]
pub struct Locks(Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>);

impl Locks {
    fn get(&self, path: &Path) -> Arc<tokio::sync::Mutex<()>> {
        self.0.lock().entry(path.to_path_buf()).or_default().clone()
    }
}

/// Unpacks the code and installs the dependencies of a Function, reusing earlier work.
pub async fn prepare(root: &Path, function: &Function, locks: &Locks) -> Result<Prepared, Problem> {
    let spec = &function.spec;
    let runtime = spec.runtime.clone();
    let image = spec.container().and_then(|c| c.image.clone()).unwrap_or_default();
    if let Err(e) = spec.timeout.seconds() {
        return Err(Problem::new("InvalidFunction", format!("spec.{e}")));
    }
    if spec.handler.is_empty() || spec.function.is_empty() {
        return Err(if image.is_empty() {
            Problem::new("InvalidFunction", "the function has no handler or no code")
        } else {
            Problem::new(
                "ImageNotSupported",
                format!(
                    "the local engine runs functions from source; the image {image} (--runtime-image) needs a cluster"
                ),
            )
        });
    }
    let language = Language::of(&runtime);
    if !language.runs_locally() {
        return Err(Problem::new(
            "RuntimeNotSupported",
            format!(
                "the local engine runs Python and Node.js functions, not {runtime}; run it on a cluster with --runtime-image"
            ),
        ));
    }
    let interpreter =
        interpreter::resolve(language, &runtime).map_err(|e| Problem::new("RuntimeUnavailable", format!("{e:#}")))?;
    let entry = crate::runtimes::find(&runtime);
    let suffix = entry
        .map(|r| r.suffix)
        .unwrap_or(if language == Language::Python { ".py" } else { ".js" });

    let content_type = spec.content_type.clone();
    let (module, _) = spec.handler_parts();
    let code_dir =
        root.join("functions")
            .join(code_key(&content_type, &spec.checksum, &spec.function, &module, suffix));
    {
        let lock = locks.get(&code_dir);
        let _guard = lock.lock().await;
        if !code_dir.join(".kfn-ready").exists() {
            let raw = crate::source::unpack::code_bytes(&spec.function, &spec.content_type, &spec.checksum)
                .await
                .map_err(|(reason, message)| Problem::new(reason, message))?;
            let module = module.clone();
            let dir = code_dir.clone();
            let ct = content_type.clone();
            let suffix = suffix.to_string();
            tokio::task::spawn_blocking(move || crate::source::unpack::unpack(&raw, &ct, &dir, &module, &suffix))
                .await
                .map_err(|e| Problem::new("SourceUnavailable", e.to_string()))?
                .map_err(|m| Problem::new("SourceUnavailable", m))?;
        }
    }
    let deps = spec.deps.clone();
    let (deps_dir, install_log) = if deps.trim().is_empty() {
        (None, InstallLog::None)
    } else {
        let key = hex(format!("{runtime}\n{deps}").as_bytes());
        let dir = root.join("deps").join(&key[..24]);
        let lock = locks.get(&dir);
        let _guard = lock.lock().await;
        let log = if dir.join(".kfn-ready").exists() {
            InstallLog::Reused(dir.clone())
        } else {
            InstallLog::Installed(install(language, &runtime, &deps, &dir).await?)
        };
        (Some(dir), log)
    };
    Ok(Prepared {
        code_dir,
        deps_dir,
        language,
        interpreter: PathBuf::from(interpreter),
        install_log,
    })
}

/// Installs dependencies into `dir`: `pip install --target` or `npm install`.
async fn install(language: Language, runtime: &str, deps: &str, dir: &Path) -> Result<String, Problem> {
    let tmp = dir.with_extension("tmp");
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| Problem::new("DependencyInstallFailed", e.to_string()))?;
    let mut cmd = match language {
        Language::Python => {
            let file = tmp.join("requirements.txt");
            std::fs::write(&file, deps).map_err(|e| Problem::new("DependencyInstallFailed", e.to_string()))?;
            let python = interpreter::resolve(language, runtime)
                .map_err(|e| Problem::new("RuntimeUnavailable", format!("{e:#}")))?;
            let mut c = tokio::process::Command::new(python);
            c.args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--no-input",
                "--target",
            ])
            .arg(&tmp)
            .arg("-r")
            .arg(&file);
            c
        }
        Language::NodeJs => {
            std::fs::write(tmp.join("package.json"), deps)
                .map_err(|e| Problem::new("DependencyInstallFailed", e.to_string()))?;
            let mut c = tokio::process::Command::new("npm");
            c.args(["install", "--omit=dev", "--no-audit", "--no-fund", "--prefix"])
                .arg(&tmp)
                .current_dir(&tmp);
            c
        }
        Language::Other => {
            return Err(Problem::new(
                "RuntimeNotSupported",
                format!("the local engine installs no dependencies for {runtime}"),
            ));
        }
    };
    let output = cmd
        .output()
        .await
        .map_err(|e| Problem::new("DependencyInstallFailed", format!("cannot run the installer: {e}")))?;
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if !output.status.success() {
        let tail: Vec<&str> = log.lines().filter(|l| !l.trim().is_empty()).collect();
        let tail = tail[tail.len().saturating_sub(3)..].join(" | ");
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(Problem::new(
            "DependencyInstallFailed",
            format!("installing the dependencies failed: {tail}"),
        ));
    }
    let _ = std::fs::write(tmp.join("install.log"), &log);
    std::fs::write(tmp.join(".kfn-ready"), b"").map_err(|e| Problem::new("DependencyInstallFailed", e.to_string()))?;
    let _ = std::fs::remove_dir_all(dir);
    std::fs::rename(&tmp, dir).map_err(|e| Problem::new("DependencyInstallFailed", e.to_string()))?;
    Ok(log)
}

#[cfg(test)]
mod tests {
    use super::{InstallLog, code_key};

    #[test]
    fn a_reused_install_is_one_line_naming_its_directory_not_the_first_install_replayed() {
        let installed = InstallLog::Installed("Collecting six\n\nDownloading six-1.16.0.whl\n".into());
        assert_eq!(
            installed.lines(),
            ["install: Collecting six", "install: Downloading six-1.16.0.whl"]
        );
        let reused = InstallLog::Reused("/state/deps/0123abcd".into()).lines();
        assert_eq!(reused.len(), 1);
        assert!(
            reused[0].contains("reused") && reused[0].contains("/state/deps/0123abcd"),
            "{reused:?}"
        );
        assert!(InstallLog::None.lines().is_empty());
    }

    #[test]
    fn the_code_directory_changes_with_anything_that_changes_the_files() {
        let base = code_key("text", "sha256:1", "x = 1", "hello", ".py");
        assert_eq!(base, code_key("text", "sha256:1", "x = 1", "hello", ".py"));
        for other in [
            code_key("text", "sha256:1", "x = 1", "other", ".py"),
            code_key("text", "sha256:1", "x = 1", "hello", ".js"),
            code_key("base64", "sha256:1", "x = 1", "hello", ".py"),
            code_key("text", "sha256:2", "x = 1", "hello", ".py"),
            code_key("text", "sha256:1", "x = 2", "hello", ".py"),
        ] {
            assert_ne!(base, other);
        }
    }
}
