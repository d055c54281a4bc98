//! Listeners: one TCP listener per family, HTTP/1.1 with keep-alive, `TCP_NODELAY`, a
//! header-read timeout and graceful shutdown.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

use http::StatusCode;

use super::endpoint::{Family, Rejection};
use super::router::{FamilyRouter, TableError};

/// How long a refused connection may take to send its request head before it is closed
/// without an answer.
const REFUSAL_HEAD_TIMEOUT_MS: u64 = 1_000;

/// Pause after a failed `accept` (e.g. out of file descriptors) so the loop does not spin.
const ACCEPT_ERROR_BACKOFF_MS: u64 = 10;

/// Serves `family` on `listener` until `shutdown` turns true, then lets in-flight requests
/// finish for up to the family's `shutdown_grace_ms`.
///
/// # Errors
/// The family's endpoint table cannot be routed (a bug, reported before anything listens).
pub fn spawn_listener<F: Family>(
    family: Arc<F>,
    listener: TcpListener,
    mut shutdown: watch::Receiver<bool>,
) -> Result<JoinHandle<()>, TableError> {
    let router = Arc::new(FamilyRouter::<F>::new()?);
    let handle = tokio::spawn(async move {
        let graceful = GracefulShutdown::new();
        let limits = family.limits().clone();
        // The header-read timeout also closes idle keep-alive connections: hyper starts it
        // whenever it waits for a request head, including between requests.
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout())
            .max_header_size(limits.hard_max_head_bytes())
            // A client may send its request and shut down its write side while it waits
            // (`nc -N`, some scripted clients); nginx in front of a vendor answers it. Without
            // this, hyper closed on the EOF and a request with a large body sometimes got no
            // answer (reports/robustness/soak.md).
            .half_close(true)
            .keep_alive(true);
        let mut refusing = http1::Builder::new();
        refusing
            .timer(TokioTimer::new())
            .header_read_timeout(Duration::from_millis(REFUSAL_HEAD_TIMEOUT_MS))
            .max_header_size(limits.hard_max_head_bytes())
            .half_close(true)
            .keep_alive(false);
        let serving = Arc::new(Semaphore::new(limits.max_connections_per_listener));
        let refusals = Arc::new(Semaphore::new(limits.max_refusing_connections));
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                _ = shutdown.wait_for(|stop| *stop) => break,
            };
            let stream = match accepted {
                Ok((stream, _peer)) => stream,
                Err(error) => {
                    tracing::warn!(family = F::NAME, %error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(ACCEPT_ERROR_BACKOFF_MS)).await;
                    continue;
                }
            };
            // Small JSON answers must not wait for Nagle's algorithm.
            if let Err(error) = stream.set_nodelay(true) {
                tracing::debug!(family = F::NAME, %error, "TCP_NODELAY not set");
            }
            let Ok(permit) = serving.clone().try_acquire_owned() else {
                // Over `max_connections_per_listener`: answer 503 in the family's format and
                // close, or close at once when even the refusals are at their bound.
                if let Ok(refusal) = refusals.clone().try_acquire_owned() {
                    let family = family.clone();
                    let router = router.clone();
                    let max = limits.max_connections_per_listener;
                    let service = service_fn(move |request| {
                        let rejection = Rejection::OverLimit {
                            status: StatusCode::SERVICE_UNAVAILABLE,
                            message: format!(
                                "The listener serves max_connections_per_listener ({max}) \
                                 connections already; retry shortly"
                            ),
                        };
                        let response = router.refuse(&*family, request, rejection);
                        async move { Ok::<_, Infallible>(response) }
                    });
                    let connection = refusing.serve_connection(TokioIo::new(stream), service);
                    tokio::spawn(async move {
                        let _ = connection.await;
                        drop(refusal);
                    });
                }
                continue;
            };
            let family = family.clone();
            let router = router.clone();
            let service = service_fn(move |request| {
                let family = family.clone();
                let router = router.clone();
                async move {
                    // One line per request at `debug` only: at the default `info` level the
                    // callsite is disabled and costs a branch, not a format.
                    if tracing::enabled!(tracing::Level::DEBUG) {
                        let method = request.method().clone();
                        let target = request.uri().clone();
                        let started = std::time::Instant::now();
                        let response = router.dispatch(&*family, request).await;
                        tracing::debug!(
                            family = F::NAME,
                            %method,
                            %target,
                            status = response.status().as_u16(),
                            elapsed_us = started.elapsed().as_micros() as u64,
                            "request"
                        );
                        return Ok::<_, Infallible>(response);
                    }
                    let response = router.dispatch(&*family, request).await;
                    Ok::<_, Infallible>(response)
                }
            });
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            let connection = graceful.watch(connection);
            tokio::spawn(async move {
                if let Err(error) = connection.await {
                    tracing::debug!(family = F::NAME, %error, "connection ended with an error");
                }
                drop(permit);
            });
        }
        drop(listener);
        if tokio::time::timeout(limits.shutdown_grace(), graceful.shutdown()).await.is_err() {
            tracing::warn!(family = F::NAME, "connections still open after the shutdown grace");
        }
    });
    Ok(handle)
}

/// Binds `addr`; port 0 picks a free port. Returns the listener and the bound address.
pub async fn bind(addr: SocketAddr) -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    Ok((listener, local))
}
