//! `pods/<name>/log`: a pod's log file, with `tailLines`, `sinceSeconds`, `timestamps` and
//! `follow`. Lines are stored as `<RFC 3339 time> <text>`.

use std::os::unix::fs::MetadataExt;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderValue, header};
use k8s_openapi::jiff::Timestamp;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::{ApiError, ApiServer, ResourceRequest};
use crate::engine::store::{Key, Object};

/// How a request wants the log.
struct Options {
    tail: Option<usize>,
    since: Option<Timestamp>,
    timestamps: bool,
}

/// A stored line's time and text (lines written without a time have none).
fn split(line: &str) -> (Option<Timestamp>, &str) {
    match line.split_once(' ') {
        Some((t, rest)) => match t.parse::<Timestamp>() {
            Ok(ts) => (Some(ts), rest),
            Err(_) => (None, line),
        },
        None => (None, line),
    }
}

fn render(text: &str, options: &Options) -> String {
    let lines: Vec<(Option<Timestamp>, &str)> = text
        .lines()
        .map(split)
        .filter(|(ts, _)| match (options.since, ts) {
            (Some(since), Some(ts)) => *ts >= since,
            _ => true,
        })
        .collect();
    let start = options.tail.map_or(0, |n| lines.len().saturating_sub(n));
    let mut out = String::new();
    for (ts, line) in &lines[start..] {
        if let (true, Some(ts)) = (options.timestamps, ts) {
            out.push_str(&format!("{ts} "));
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

pub fn serve(server: &Arc<ApiServer>, req: &ResourceRequest, pod: &Arc<Object>) -> Result<Response, ApiError> {
    let namespace = pod.value["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let name = pod.value["metadata"]["name"].as_str().unwrap_or_default().to_string();
    let path = server.logs.join(&namespace).join(format!("{name}.log"));
    let number = |k: &str| -> Result<Option<i64>, ApiError> {
        req.query
            .get(k)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| ApiError::bad_request(format!("{k}: Invalid value: {v:?}: must be a number")))
            })
            .transpose()
    };
    let options = Options {
        tail: number("tailLines")?.map(|n| n.max(0) as usize),
        since: number("sinceSeconds")?.map(|s| Timestamp::now() - Duration::from_secs(s.max(0) as u64)),
        timestamps: req.query.flag("timestamps"),
    };
    // The text so far, and which file it came from (a follower must notice a rotation).
    let (text, inode) = match std::fs::File::open(&path) {
        Ok(mut file) => {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut file, &mut text);
            (text, file.metadata().ok().map(|m| m.ino()))
        }
        Err(_) => (String::new(), None),
    };
    let first = render(&text, &options);
    let mut resp = if req.query.flag("follow") {
        let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(64);
        let server = server.clone();
        let offset = text.len() as u64;
        tokio::spawn(async move {
            if tx.send(Bytes::from(first)).await.is_err() {
                return;
            }
            follow(
                server,
                path,
                (offset, inode),
                Key::new("/pods", &namespace, &name),
                options.timestamps,
                tx,
            )
            .await;
        });
        let stream = futures::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|c| (Ok::<_, std::io::Error>(c), rx))
        });
        Response::new(Body::from_stream(stream))
    } else {
        Response::new(Body::from(first))
    };
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    Ok(resp)
}

/// Sends lines as they are appended, until the pod goes or the client leaves.
async fn follow(
    server: Arc<ApiServer>,
    path: std::path::PathBuf,
    (mut offset, mut inode): (u64, Option<u64>),
    pod: Key,
    timestamps: bool,
    tx: tokio::sync::mpsc::Sender<Bytes>,
) {
    // `inode` tells the file being read apart from a newer one under the same name.
    let mut pending = String::new();
    loop {
        tokio::select! {
            _ = tx.closed() => return,
            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
        }
        if let Ok(mut file) = tokio::fs::File::open(&path).await {
            // A new file under the log's name: the one being read was rotated to `.log.1`.
            // Finish it there, then read the new one from its start.
            let ino = file.metadata().await.map(|m| m.ino()).ok();
            if inode.is_some() && ino != inode {
                let mut previous = std::ffi::OsString::from(path.as_os_str());
                previous.push(".1");
                if let Ok(mut old) = tokio::fs::File::open(&previous).await
                    && old.metadata().await.map(|m| m.ino()).ok() == inode
                    && old.seek(std::io::SeekFrom::Start(offset)).await.is_ok()
                {
                    let _ = old.read_to_string(&mut pending).await;
                }
                offset = 0;
            }
            inode = ino;
            let mut more = String::new();
            if file.seek(std::io::SeekFrom::Start(offset)).await.is_ok() && file.read_to_string(&mut more).await.is_ok()
            {
                offset += more.len() as u64;
                pending.push_str(&more);
            }
        }
        if let Some(end) = pending.rfind('\n') {
            let complete: String = pending.drain(..=end).collect();
            let text = render(
                &complete,
                &Options {
                    tail: None,
                    since: None,
                    timestamps,
                },
            );
            if tx.send(Bytes::from(text)).await.is_err() {
                return;
            }
        }
        if server.store.get(&pod).is_none() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_since_and_timestamps() {
        let text = "2026-01-01T00:00:00Z old\n2026-01-01T00:00:10Z middle\n2026-01-01T00:00:20Z new\nplain line\n";
        let all = Options {
            tail: None,
            since: None,
            timestamps: false,
        };
        assert_eq!(render(text, &all), "old\nmiddle\nnew\nplain line\n");
        let tail = Options {
            tail: Some(2),
            since: None,
            timestamps: true,
        };
        assert_eq!(render(text, &tail), "2026-01-01T00:00:20Z new\nplain line\n");
        let since = Options {
            tail: None,
            since: Some("2026-01-01T00:00:10Z".parse().unwrap()),
            timestamps: false,
        };
        assert_eq!(render(text, &since), "middle\nnew\nplain line\n");
    }
}
