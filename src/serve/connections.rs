//! The connection loop: accepts connections and serves each with hyper,
//! with two bounds that axum's own loop lacks.
//!
//! - A connection must send a whole request head within the request time
//!   limit (`--timeout`) of opening or of its last answer, or it is
//!   closed. That covers a client that trickles its headers and a
//!   keep-alive connection left idle, both of which were otherwise kept
//!   for ever.
//! - A shutdown stops accepting, lets requests under way finish, and waits
//!   at most its grace period: a connection halfway through sending a
//!   request head kept `serve` from exiting on Ctrl-C at all.

use std::future::Future;
use std::io;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

/// Pause after a failure to accept that is not one connection's (out of
/// file descriptors, say), so the loop does not spin while it lasts.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(200);

/// Serves `app` on `listener` until `shutdown` completes, closing a
/// connection that takes longer than `head_timeout` to send a request head,
/// then gives the requests under way up to `grace` to finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()>,
    head_timeout: Duration,
    grace: Duration,
) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(head_timeout);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) if concerns_one_connection(&e) => continue,
            Err(_) => {
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        // Answers are small and written at once; Nagle's delay only slows them.
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A connection's errors (reset, timed out) end only that connection.
            let _ = connection.await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(grace, graceful.shutdown()).await;
}

/// Whether a failed accept concerns only the connection being accepted.
fn concerns_one_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}
