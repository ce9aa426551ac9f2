//! GETs of a replica's own endpoints on loopback (`/healthz`, `/metrics`) through hyper's
//! client: the reconciler's health check, the metrics a stopping replica leaves behind, and the
//! autoscaler's scrape.

use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// One client for every probe; no connection is kept between probes (each is a new one, as a
/// kubelet's are), so a replica that stops has none held open by the engine.
fn client() -> &'static Client<HttpConnector, Empty<Bytes>> {
    static CLIENT: OnceLock<Client<HttpConnector, Empty<Bytes>>> = OnceLock::new();
    CLIENT.get_or_init(|| {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(0)
            .build(connector)
    })
}

/// A GET of `path` on the replica listening on `port`: the status and the body, or `None` when
/// it does not answer, or does not send its answer head and then its body each within
/// `timeout`.
pub async fn get(port: u16, path: &str, timeout: Duration) -> Option<(u16, String)> {
    let request = http::Request::get(format!("http://127.0.0.1:{port}{path}"))
        .header(http::header::HOST, "localhost")
        .header(http::header::CONNECTION, "close")
        .body(Empty::new())
        .ok()?;
    let response = tokio::time::timeout(timeout, client().request(request))
        .await
        .ok()?
        .ok()?;
    let status = response.status().as_u16();
    let body = tokio::time::timeout(timeout, response.into_body().collect())
        .await
        .ok()?
        .ok()?
        .to_bytes();
    Some((status, String::from_utf8_lossy(&body).into_owned()))
}

/// Whether the replica on `port` answers its health check (`/healthz`, 200 within 500 ms).
pub async fn healthy(port: u16) -> bool {
    matches!(get(port, "/healthz", Duration::from_millis(500)).await, Some((200, _)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A server on a free loopback port answering every connection with `answer`.
    async fn serve(answer: &'static [u8]) -> u16 {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut tcp, _)) = listener.accept().await {
                let mut buf = [0u8; 1024];
                let _ = tcp.read(&mut buf).await;
                let _ = tcp.write_all(answer).await;
            }
        });
        port
    }

    #[tokio::test]
    async fn a_probe_reads_the_status_and_the_body() {
        let port = serve(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello").await;
        assert_eq!(
            get(port, "/metrics", Duration::from_secs(2)).await,
            Some((200, "hello".into()))
        );
        assert!(healthy(port).await);
        let port = serve(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n").await;
        assert!(!healthy(port).await);
    }

    #[tokio::test]
    async fn nothing_listening_is_no_answer() {
        let port = {
            let l = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
            l.local_addr().unwrap().port()
        };
        assert_eq!(get(port, "/healthz", Duration::from_millis(500)).await, None);
    }
}
