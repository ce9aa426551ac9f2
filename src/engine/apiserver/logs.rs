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
use tokio::io::AsyncReadExt;

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
    let path = crate::engine::names::pod_log(&server.logs, &namespace, &name);
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
    // The text so far, and the open file it came from: a follower reads on from there.
    let (text, file) = match std::fs::File::open(&path) {
        Ok(mut file) => {
            let mut bytes = Vec::new();
            let _ = std::io::Read::read_to_end(&mut file, &mut bytes);
            (String::from_utf8_lossy(&bytes).into_owned(), Some(file))
        }
        Err(_) => (String::new(), None),
    };
    let first = render(&text, &options);
    let mut resp = if req.query.flag("follow") {
        let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(64);
        let server = server.clone();
        let file = file.map(tokio::fs::File::from_std);
        tokio::spawn(async move {
            if tx.send(Bytes::from(first)).await.is_err() {
                return;
            }
            follow(
                server,
                path,
                file,
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

/// Sends lines as they are appended, until the pod goes or the client leaves. The log stays
/// open between reads: a rotation (the file renamed to `.log.1`, a new one begun) is noticed by
/// the new inode under the name, after the old file has been read to its end; a pod's deletion
/// (which removes its log) ends the follow after a last read of the open file.
async fn follow(
    server: Arc<ApiServer>,
    path: std::path::PathBuf,
    mut file: Option<tokio::fs::File>,
    pod: Key,
    timestamps: bool,
    tx: tokio::sync::mpsc::Sender<Bytes>,
) {
    // Bytes read and not yet sent: lines are sent whole (and a character split across two
    // reads is not mangled).
    let mut pending: Vec<u8> = Vec::new();
    loop {
        tokio::select! {
            _ = tx.closed() => return,
            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
        }
        let gone = server.objects.store.get(&pod).is_none();
        if file.is_none() {
            file = tokio::fs::File::open(&path).await.ok();
        }
        if let Some(open) = file.as_mut() {
            let _ = open.read_to_end(&mut pending).await;
            let reading = open.metadata().await.map(|m| m.ino()).ok();
            let named = tokio::fs::metadata(&path).await.map(|m| m.ino()).ok();
            if named.is_some() && named != reading {
                // Rotated: this file is read to its end; the new one is read from its start.
                file = tokio::fs::File::open(&path).await.ok();
                if let Some(new) = file.as_mut() {
                    let _ = new.read_to_end(&mut pending).await;
                }
            }
        }
        if gone && !pending.is_empty() && !pending.ends_with(b"\n") {
            pending.push(b'\n');
        }
        if let Some(end) = pending.iter().rposition(|&b| b == b'\n') {
            let complete: Vec<u8> = pending.drain(..=end).collect();
            let complete = String::from_utf8_lossy(&complete);
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
        if gone {
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
