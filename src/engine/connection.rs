//! One HTTP/1.1 connection to the engine (its API or its gateway), with the limits that keep a
//! slow or idle client from holding a connection, and so a descriptor, for ever.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};

/// How long a client has to finish a TLS handshake, and to send a request's headers.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves requests on `io` with `router` until the client closes it or is too slow.
pub async fn serve<I>(io: I, router: axum::Router)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper_util::service::TowerToHyperService::new(router);
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .serve_connection(hyper_util::rt::TokioIo::new(io), service)
        .with_upgrades()
        .await;
}

/// Accepts plain connections on `listener` for ever, each served by [`serve`].
pub async fn serve_plain(listener: tokio::net::TcpListener, router: axum::Router) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            // Out of descriptors, say: try again in a moment rather than spin.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let _ = tcp.set_nodelay(true);
        tokio::spawn(serve(tcp, router.clone()));
    }
}
