//! The ceiling of the performance gate: a bare hyper HTTP/1.1 server that answers every
//! request with one fixed JSON body.
//!
//! It has the simulator's listener settings (tokio's multi-threaded runtime, hyper `http1`,
//! keep-alive, `TCP_NODELAY`) and none of its work (no routing, authentication, state or
//! serialization), so the req/s a client reaches against it is the most any server on this
//! machine can give that client. The perf gate and the targets in `reports/perf/` compare
//! the simulator with it, measured by the same client in the same run.
//!
//! `delay` makes it a deliberately slow server: every answer waits that long first (a
//! handler with a sleep). The gate is shown to fail with it.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// The body the ceiling answers: the default fixture's device list, byte for byte what the
/// simulator answers to `GET /subscribers/1000000001/devices`, so both send the same bytes.
pub const BODY: &str =
    r#"[{"device_id":{"device_id":"0A1B2C3D4E5F","type":"desktop","name":"Laura's Laptop"}}]"#;

/// Accepts connections on `listener` forever, answering [`BODY`] after `delay`.
///
/// # Errors
/// Only when `accept` fails for good (the listener is closed).
pub async fn serve(listener: TcpListener, delay: Duration) -> std::io::Result<()> {
    let body = Bytes::from_static(BODY.as_bytes());
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let body = body.clone();
        tokio::spawn(async move {
            let service = service_fn(move |_request| {
                let body = body.clone();
                async move {
                    if !delay.is_zero() {
                        tokio::time::sleep(delay).await;
                    }
                    let mut response = http::Response::new(Full::new(body));
                    response
                        .headers_mut()
                        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                    Ok::<_, Infallible>(response)
                }
            });
            let _ = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Binds `addr` (port 0 picks a free port) and returns the listener with its bound address.
///
/// # Errors
/// The address cannot be bound.
pub async fn bind(addr: SocketAddr) -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    Ok((listener, local))
}
