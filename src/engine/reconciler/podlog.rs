//! A pod's log: the file its install output, stdout and stderr go to, line by line with the
//! time of each, rotated past a size limit; and the reading of a replica's output into lines.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::engine::names::pod_log;

/// Removes a pod's log and its rotated part (as a kubelet does with a deleted pod's).
pub fn remove(logs: &Path, namespace: &str, pod: &str) {
    let path = pod_log(logs, namespace, pod);
    let _ = std::fs::remove_file(rotated(&path));
    let _ = std::fs::remove_file(path);
}

/// Where a log's previous part is kept: `<pod>.log.1`.
fn rotated(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".1");
    PathBuf::from(name)
}

/// The size past which a pod's log is rotated: `KFN_LOG_MAX_BYTES`, 10 MiB by default.
fn log_limit() -> u64 {
    static LIMIT: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(|| {
        std::env::var("KFN_LOG_MAX_BYTES")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&n| n > 0)
            .unwrap_or(10 << 20)
    })
}

/// A pod's log file. Every writer of a pod (install output, stdout, stderr) shares one, so
/// rotation cannot lose a line: past the size limit the file is renamed `<pod>.log.1` (replacing
/// the previous one) and a new `<pod>.log` begins, which followers notice by its new inode.
pub struct PodLog {
    file: tokio::fs::File,
    path: PathBuf,
    size: u64,
}

impl PodLog {
    pub async fn open(root: &Path, namespace: &str, pod: &str) -> Option<SharedLog> {
        let path = pod_log(root, namespace, pod);
        tokio::fs::create_dir_all(path.parent()?).await.ok()?;
        let file = append(&path).await?;
        let size = file.metadata().await.map(|m| m.len()).unwrap_or(0);
        Some(Arc::new(tokio::sync::Mutex::new(PodLog { file, path, size })))
    }

    /// Appends a line, with the timestamp pods/log filters on; rotates first when the line
    /// would take the log past the limit, so the newest line is always in `<pod>.log`.
    pub async fn line(&mut self, line: &str) {
        let stamp = k8s_openapi::jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%S%.9fZ")
            .to_string();
        let text = format!("{stamp} {line}\n");
        if self.size > 0
            && self.size + text.len() as u64 > log_limit()
            && tokio::fs::rename(&self.path, rotated(&self.path)).await.is_ok()
            && let Some(file) = append(&self.path).await
        {
            self.file = file;
            self.size = 0;
        }
        if self.file.write_all(text.as_bytes()).await.is_ok() {
            self.size += text.len() as u64;
        }
    }
}

pub type SharedLog = Arc<tokio::sync::Mutex<PodLog>>;

async fn append(path: &Path) -> Option<tokio::fs::File> {
    tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .await
        .ok()
}

/// The longest output line kept in a pod's log; the rest of a longer line is dropped and its
/// size noted (kubelets split lines at 16 KiB too).
pub const MAX_LINE: usize = 16 * 1024;

/// The next line of output, without its newline, cut to `max` bytes (on a character boundary)
/// with a note of how much was dropped; a line is never held whole in memory. `None` at the end.
pub async fn next_line<R: tokio::io::AsyncRead + Unpin>(reader: &mut BufReader<R>, max: usize) -> Option<String> {
    let mut kept = Vec::new();
    let mut dropped = 0usize;
    let mut seen = false;
    loop {
        let buf = reader.fill_buf().await.ok()?;
        if buf.is_empty() {
            break;
        }
        seen = true;
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], Some(i + 1)),
            None => (buf, None),
        };
        let room = max.saturating_sub(kept.len()).min(chunk.len());
        kept.extend_from_slice(&chunk[..room]);
        dropped += chunk.len() - room;
        let used = done.unwrap_or(buf.len());
        reader.consume(used);
        if done.is_some() {
            break;
        }
    }
    if !seen {
        return None;
    }
    let mut line = String::from_utf8_lossy(&kept).into_owned();
    if dropped > 0 {
        // A cut may split a character: the lossy decoding shows it as one replacement mark.
        line.push_str(&format!(" [kfn: {dropped} more bytes of this line not kept]"));
    }
    if line.ends_with('\r') && dropped == 0 {
        line.pop();
    }
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::BufReader;

    async fn lines(input: &[u8], max: usize) -> Vec<String> {
        let mut reader = BufReader::with_capacity(8, input);
        let mut out = Vec::new();
        while let Some(line) = next_line(&mut reader, max).await {
            out.push(line);
        }
        out
    }

    #[tokio::test]
    async fn long_lines_are_cut_and_the_cut_is_said() {
        assert_eq!(lines(b"a\nbb\r\n\nlast", 10).await, ["a", "bb", "", "last"]);
        let long = [b'x'; 100];
        let mut input = long.to_vec();
        input.extend_from_slice(b"\nnext\n");
        assert_eq!(
            lines(&input, 10).await,
            ["xxxxxxxxxx [kfn: 90 more bytes of this line not kept]", "next"]
        );
        assert!(lines(b"", 10).await.is_empty());
    }
}
