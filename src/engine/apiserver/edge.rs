//! One connection to the API port, before and around hyper: plain HTTP gets the answer a Go
//! API server gives, and hyper's bodyless 414 (URL too long) and 431 (headers too large)
//! become responses with a `Status` body.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

use super::ApiError;
use crate::engine::connection;

/// What Go's HTTPS server answers to plain HTTP, as kube-apiserver does.
pub const PLAIN_HTTP_ANSWER: &[u8] =
    b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n";

/// The longest request URI hyper accepts; longer ones get 414.
pub const MAX_URI: usize = u16::MAX as usize - 1;

/// Serves one accepted connection: TLS, then HTTP/1.1 through `router`.
pub async fn serve(tcp: TcpStream, acceptor: tokio_rustls::TlsAcceptor, router: axum::Router) {
    let _ = tcp.set_nodelay(true);
    // Every TLS connection starts with a handshake record (content type 22); a client that sends
    // nothing, or never finishes its handshake, is let go.
    let mut first = [0u8; 1];
    let peek = tokio::time::timeout(connection::HANDSHAKE_TIMEOUT, tcp.peek(&mut first));
    match peek.await.unwrap_or(Ok(0)) {
        Ok(1) if first[0] == 0x16 => {}
        Ok(1) => {
            let mut tcp = tcp;
            let _ = tcp.write_all(PLAIN_HTTP_ANSWER).await;
            let _ = tcp.shutdown().await;
            return;
        }
        _ => return,
    }
    let handshake = tokio::time::timeout(connection::HANDSHAKE_TIMEOUT, acceptor.accept(tcp));
    let Ok(Ok(stream)) = handshake.await else { return };
    connection::serve(UriTooLongStatus::new(stream), router).await;
}

/// The heads hyper writes, with no body, for a request it could not read.
const HYPER_ERRORS: [(&[u8], u16); 2] = [
    (b"HTTP/1.1 414 URI Too Long\r\n", 414),
    (b"HTTP/1.1 431 Request Header Fields Too Large\r\n", 431),
];

/// The response with a `Status` body for one of hyper's errors.
fn status_response(code: u16) -> Vec<u8> {
    let (line, error) = if code == 414 {
        (
            "414 URI Too Long",
            ApiError::new(
                414,
                "RequestURITooLong",
                format!(
                    "the request URI is longer than {MAX_URI} bytes, the most the local engine reads; send fewer or shorter query parameters (a long labelSelector, say) or split the request"
                ),
            ),
        )
    } else {
        (
            "431 Request Header Fields Too Large",
            ApiError::new(
                431,
                "RequestHeaderFieldsTooLarge",
                "the request's headers are larger than the local engine reads (about 400 KiB with the request line); send smaller headers",
            ),
        )
    };
    let body = serde_json::to_vec(&error.to_status()).expect("JSON serialises");
    let mut out = format!(
        "HTTP/1.1 {line}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(&body);
    out
}

/// The code of hyper's own answer to a request it could not read, when `buf` is one: a short,
/// bodyless 414 or 431 head (handlers never answer those).
fn hyper_error(buf: &[u8]) -> Option<u16> {
    let bodyless = buf.len() < 256
        && buf.ends_with(b"\r\n\r\n")
        && buf
            .windows(19)
            .any(|w| w.eq_ignore_ascii_case(b"content-length: 0\r\n"));
    HYPER_ERRORS
        .iter()
        .find(|(head, _)| bodyless && buf.starts_with(head))
        .map(|(_, code)| *code)
}

enum Rewrite {
    /// Writes pass through.
    None,
    /// Our 414 is being written; `at` bytes of it are out.
    Writing { response: Vec<u8>, at: usize },
    /// Our 414 is out: hyper closes the connection, whatever it still writes is dropped.
    Done,
}

/// The TLS stream under hyper, with hyper's bodyless 414 replaced by a `Status` response.
pub struct UriTooLongStatus<S> {
    inner: S,
    rewrite: Rewrite,
}

impl<S> UriTooLongStatus<S> {
    pub fn new(inner: S) -> Self {
        UriTooLongStatus {
            inner,
            rewrite: Rewrite::None,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for UriTooLongStatus<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for UriTooLongStatus<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if matches!(this.rewrite, Rewrite::None)
            && let Some(code) = hyper_error(buf)
        {
            this.rewrite = Rewrite::Writing {
                response: status_response(code),
                at: 0,
            };
        }
        loop {
            match &mut this.rewrite {
                Rewrite::None => return Pin::new(&mut this.inner).poll_write(cx, buf),
                Rewrite::Writing { response, at } => {
                    let n = ready!(Pin::new(&mut this.inner).poll_write(cx, &response[*at..]))?;
                    if n == 0 {
                        return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                    }
                    *at += n;
                    if *at == response.len() {
                        this.rewrite = Rewrite::Done;
                    }
                }
                Rewrite::Done => return Poll::Ready(Ok(buf.len())),
            }
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_bodyless_error_heads_are_replaced() {
        assert_eq!(
            hyper_error(
                b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\ndate: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\n"
            ),
            Some(414)
        );
        assert_eq!(
            hyper_error(b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n"),
            Some(431)
        );
        assert_eq!(hyper_error(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"), None);
        assert_eq!(
            hyper_error(b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 12\r\n\r\n{\"a\":\"b\"}..."),
            None
        );
    }

    #[tokio::test]
    async fn the_414_carries_a_status_body() {
        let (client, server) = tokio::io::duplex(64 * 1024);
        let mut wrapped = UriTooLongStatus::new(server);
        wrapped
            .write_all(b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\n\r\n")
            .await
            .unwrap();
        wrapped.shutdown().await.unwrap();
        drop(wrapped);
        let mut out = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut { client }, &mut out)
            .await
            .unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{head}");
        assert!(head.contains(&format!("content-length: {}", body.len())), "{head}");
        let status: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(status["kind"], "Status");
        assert_eq!(status["code"], 414);
    }
}
