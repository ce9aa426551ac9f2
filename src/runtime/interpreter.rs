//! Finding the Python or Node.js interpreter. A version manager's shim (pyenv, nvm, asdf) is a
//! script that costs tens of milliseconds on every start, so the real executable is found once
//! and remembered.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::runtimes::Language;

/// The interpreter for a runtime id (`python3.12`, `nodejs20`, …): `KFN_PYTHON` / `KFN_NODE`
/// when set, else the exact Python of the runtime (`python3.12`) when it is on PATH, else
/// `python3` / `node`; resolved through any version-manager shim.
pub fn resolve(language: Language, runtime: &str) -> Result<String> {
    let Some(var) = variable(language) else {
        anyhow::bail!("kfn's runtime runs Python and Node.js functions, not {runtime}");
    };
    let (name, probe): (&str, &[&str]) = match language {
        Language::Python => ("python3", &["-c", "import sys; print(sys.executable)"]),
        _ => ("node", &["-e", "console.log(process.execPath)"]),
    };
    if let Some(path) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        let path = path.to_string_lossy().into_owned();
        if !std::path::Path::new(&path).is_file() {
            anyhow::bail!("{var}={path} is not a file: the {name} to run functions with");
        }
        return Ok(path);
    }
    // The exact version only when it really runs: a pyenv shim for a version that is
    // installed but not selected fails.
    if let Some(exact) = exact_python(runtime).and_then(|exact| on_path(&exact))
        && let Some(real) = real_path(&exact, probe)
    {
        return Ok(real);
    }
    let found = on_path(name)
        .with_context(|| format!("no {name} on PATH: the local engine runs {name} functions with it (or set {var})"))?;
    Ok(real_path(&found, probe).unwrap_or_else(|| found.to_string_lossy().into_owned()))
}

/// The variable that names the interpreter of a language (`KFN_PYTHON`, `KFN_NODE`); none for
/// the languages kfn's runtime does not run.
pub fn variable(language: Language) -> Option<&'static str> {
    match language {
        Language::Python => Some("KFN_PYTHON"),
        Language::NodeJs => Some("KFN_NODE"),
        Language::Other => None,
    }
}

/// The executable behind `found`: itself when it is a binary, else what the version manager's
/// script runs (asked once, then remembered); `None` when the script fails.
fn real_path(found: &Path, probe: &[&str]) -> Option<String> {
    if !is_script(found) {
        return Some(found.to_string_lossy().into_owned());
    }
    let key = format!(
        "{}\t{}",
        found.display(),
        std::env::var("PYENV_VERSION").unwrap_or_default()
    );
    let cache = dirs::cache_dir().map(|d| d.join("kfn").join("interpreters"));
    if let Some(hit) = cache
        .as_ref()
        .and_then(|c| std::fs::read_to_string(c).ok())
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{key}\t")).map(String::from))
        })
        && Path::new(&hit).exists()
    {
        return Some(hit);
    }
    let output = std::process::Command::new(found).args(probe).output().ok()?;
    let real = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if !output.status.success() || real.is_empty() {
        return None;
    }
    if let Some(cache) = cache {
        let _ = std::fs::create_dir_all(cache.parent().expect("a parent"));
        let mut text = std::fs::read_to_string(&cache).unwrap_or_default();
        text.push_str(&format!("{key}\t{real}\n"));
        let _ = std::fs::write(&cache, text);
    }
    Some(real)
}

/// `python3.12` for the runtime `python3.12`; nothing for other ids.
fn exact_python(runtime: &str) -> Option<String> {
    let version = runtime.strip_prefix("python")?;
    let (major, minor) = version.split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(major) && digits(minor)).then(|| format!("python{major}.{minor}"))
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| {
            use std::os::unix::fs::PermissionsExt;
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// Whether a file is a `#!` script rather than a binary.
fn is_script(path: &Path) -> bool {
    let mut head = [0u8; 2];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok()
        && &head == b"#!"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_python_runtime_names_its_exact_interpreter() {
        assert_eq!(exact_python("python3.12").as_deref(), Some("python3.12"));
        assert_eq!(exact_python("python3.7").as_deref(), Some("python3.7"));
        for other in ["python3", "python", "python3.x", "nodejs20", "python3.12a"] {
            assert_eq!(exact_python(other), None, "{other}");
        }
    }
}
