//! The engine's state directory: database, token, token signing key, kubeconfig, pid and log files.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// Name of the cluster, user and context in the engine's kubeconfig.
pub const CONTEXT: &str = "kfn-local";

#[derive(Clone, Debug)]
pub struct StateDir {
    pub root: PathBuf,
}

/// What a running engine writes about itself, removed when it stops.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EngineInfo {
    pub pid: u32,
    pub address: String,
    pub started: String,
    #[serde(default)]
    pub version: String,
    /// The HTTP triggers' gateway (`127.0.0.1:<port>`), when the engine runs functions.
    #[serde(default)]
    pub gateway: Option<String>,
}

impl EngineInfo {
    pub fn url(&self) -> String {
        format!("https://{}", self.address)
    }
}

impl StateDir {
    /// `$KFN_HOME`, else `$XDG_STATE_HOME/kfn` (`~/.local/state/kfn`).
    pub fn resolve() -> Result<StateDir> {
        if let Some(home) = std::env::var_os("KFN_HOME").filter(|v| !v.is_empty()) {
            return Ok(StateDir {
                root: PathBuf::from(home),
            });
        }
        let base = dirs::state_dir()
            .or_else(|| dirs::home_dir().map(|h| h.join(".local/state")))
            .context("no state directory: set KFN_HOME or HOME")?;
        Ok(StateDir { root: base.join("kfn") })
    }

    pub fn db(&self) -> PathBuf {
        self.root.join("kfn.db")
    }
    pub fn kubeconfig(&self) -> PathBuf {
        self.root.join("kubeconfig")
    }
    pub fn info_file(&self) -> PathBuf {
        self.root.join("engine.json")
    }
    pub fn lock_file(&self) -> PathBuf {
        self.root.join("engine.lock")
    }
    pub fn log_file(&self) -> PathBuf {
        self.root.join("engine.log")
    }
    fn token_file(&self) -> PathBuf {
        self.root.join("token")
    }
    fn signing_key_file(&self) -> PathBuf {
        self.root.join("serviceaccount.key")
    }
    fn port_file(&self) -> PathBuf {
        self.root.join("port")
    }

    /// Creates the directory, readable by its owner only.
    pub fn ensure(&self) -> Result<()> {
        fs::create_dir_all(&self.root)
            .with_context(|| format!("cannot create the state directory {}", self.root.display()))?;
        fs::set_permissions(&self.root, fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot set permissions on {}", self.root.display()))?;
        Ok(())
    }

    /// The bearer token, generated on first use.
    pub fn token(&self) -> Result<String> {
        let path = self.token_file();
        if let Ok(token) = fs::read_to_string(&path)
            && !token.trim().is_empty()
        {
            return Ok(token.trim().to_string());
        }
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no random bytes for the token: {e}"))?;
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        write_private(&path, token.as_bytes())?;
        Ok(token)
    }

    /// The secret that signs the engine's ServiceAccount tokens (64 random bytes, hex), made
    /// on first use and readable by the engine's user only. A new key makes every token
    /// issued before it invalid.
    pub fn signing_key(&self) -> Result<Vec<u8>> {
        let path = self.signing_key_file();
        if let Ok(key) = fs::read_to_string(&path)
            && key.trim().len() >= 64
        {
            return Ok(key.trim().as_bytes().to_vec());
        }
        let mut bytes = [0u8; 64];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no random bytes for the signing key: {e}"))?;
        let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        write_private(&path, key.as_bytes())?;
        Ok(key.into_bytes())
    }

    pub fn saved_port(&self) -> Option<u16> {
        fs::read_to_string(self.port_file()).ok()?.trim().parse().ok()
    }

    pub fn save_port(&self, port: u16) -> Result<()> {
        write_private(&self.port_file(), port.to_string().as_bytes())
    }

    /// Writes the kubeconfig that points kubectl and kfn at the engine.
    pub fn write_kubeconfig(&self, address: &str, token: &str, ca_pem: &str) -> Result<()> {
        use base64::Engine;
        let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem);
        let text = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: {CONTEXT}\n  cluster:\n    server: https://{address}\n    certificate-authority-data: {ca}\ncontexts:\n- name: {CONTEXT}\n  context:\n    cluster: {CONTEXT}\n    user: {CONTEXT}\n    namespace: default\ncurrent-context: {CONTEXT}\nusers:\n- name: {CONTEXT}\n  user:\n    token: {token}\npreferences: {{}}\n"
        );
        write_private(&self.kubeconfig(), text.as_bytes())
    }

    pub fn write_info(&self, info: &EngineInfo) -> Result<()> {
        write_private(&self.info_file(), serde_json::to_string_pretty(info)?.as_bytes())
    }

    pub fn read_info(&self) -> Option<EngineInfo> {
        serde_json::from_str(&fs::read_to_string(self.info_file()).ok()?).ok()
    }

    pub fn remove_info(&self) {
        let _ = fs::remove_file(self.info_file());
    }

    /// Objects in the store, read from the database file (works whether the engine runs or not).
    pub fn object_count(&self) -> Option<u64> {
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let db = rusqlite::Connection::open_with_flags(self.db(), flags).ok()?;
        db.query_row("SELECT count(*) FROM objects", [], |r| r.get::<_, i64>(0))
            .ok()
            .map(|n| n as u64)
    }
}

/// Writes a file only its owner can read (mode 0600), replacing it atomically.
pub fn write_private(path: &Path, content: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    file.write_all(content)?;
    file.sync_all()?;
    fs::set_permissions(&tmp, fs::Permissions::from_mode(0o600))?;
    fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
