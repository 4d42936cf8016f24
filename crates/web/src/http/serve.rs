//! The accept loop: every connection is served by hyper as `axum::serve`
//! would, with the limits it does not set. A client must send a request's
//! headers within `header_timeout`, which also closes a keep-alive
//! connection that stays idle that long (hyper restarts the timer after each
//! response); a request body must arrive within `body_timeout`; and one
//! address holds at most `per_address` connections (trusted proxies
//! excepted: every client behind them shares their address). A slowloris
//! client therefore ties up a connection for seconds, not forever, and never
//! more than its share.
use crate::http::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use std::collections::HashMap;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

/// The limits of the accept loop.
#[derive(Debug, Clone)]
pub struct ConnLimits {
    /// For a request's headers, and for an idle keep-alive connection.
    pub header_timeout: Duration,
    /// For a whole request body.
    pub body_timeout: Duration,
    /// Open connections from one address.
    pub per_address: usize,
}

impl Default for ConnLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(15),
            body_timeout: Duration::from_secs(60),
            per_address: 256,
        }
    }
}

/// Open connections per address; a slot is given back when its guard goes.
#[derive(Default, Clone)]
struct Counts(Arc<Mutex<HashMap<IpAddr, usize>>>);

struct Slot {
    counts: Counts,
    ip: IpAddr,
}

impl Counts {
    fn take(&self, ip: IpAddr, max: usize) -> Option<Slot> {
        let mut map = self.0.lock().ok()?;
        let n = map.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(Slot {
            counts: self.clone(),
            ip,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut map) = self.counts.0.lock()
            && let Some(n) = map.get_mut(&self.ip)
        {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then finishes
/// the connections in flight (at most 30 seconds more).
pub async fn run(
    listener: tokio::net::TcpListener,
    app: Router,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.web.limits.clone();
    let trusted = state.web.trusted_proxies.clone();
    let counts = Counts::default();
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    builder.http2().timer(TokioTimer::new());
    let app = app.layer(axum::middleware::from_fn(move |req, next| {
        body_deadline(req, next, limits.body_timeout)
    }));
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: back off a
                    // moment rather than spin; the listener stays.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let ip = peer.ip();
        let max = if trusted.iter().any(|n| n.contains(&ip)) {
            usize::MAX
        } else {
            limits.per_address
        };
        let Some(slot) = counts.take(ip, max) else {
            tracing::debug!(%ip, "too many connections from one address; closed");
            drop(tcp);
            continue;
        };
        // Small responses go out at once instead of waiting for an ACK.
        let _ = tcp.set_nodelay(true);
        let service = tower::ServiceExt::map_request(
            app.clone(),
            move |mut req: axum::http::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            },
        );
        let service = hyper_util::service::TowerToHyperService::new(service);
        let builder = builder.clone();
        let watcher = graceful.watcher();
        let header_timeout = limits.header_timeout;
        tokio::spawn(async move {
            // hyper's header timer starts once it knows the protocol; until
            // then (a silent client) this one holds.
            if speaks_in_time(&tcp, header_timeout).await {
                let conn = builder
                    .serve_connection_with_upgrades(TokioIo::new(tcp), service)
                    .into_owned();
                let _ = watcher.watch(conn).await;
            }
            drop(slot);
        });
    }
    drop(listener);
    // Open event streams end, so they do not hold up the shutdown.
    state.status.close();
    if tokio::time::timeout(Duration::from_secs(30), graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open 30 seconds after the shutdown; closing them");
    }
    Ok(())
}

/// Whether the client sends enough to tell HTTP/1 from HTTP/2 (a byte
/// that is not the start of HTTP/2's preface, or the whole preface) within
/// `within`.
async fn speaks_in_time(tcp: &tokio::net::TcpStream, within: Duration) -> bool {
    const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    let deadline = tokio::time::Instant::now() + within;
    let mut buf = [0u8; 24];
    loop {
        match tokio::time::timeout_at(deadline, tcp.peek(&mut buf)).await {
            Err(_) | Ok(Err(_)) | Ok(Ok(0)) => return false,
            Ok(Ok(n)) if n >= PREFACE.len() || buf[..n] != PREFACE[..n] => return true,
            // Part of the preface: wait for the rest (peek does not wait
            // for more than it has).
            Ok(Ok(_)) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
    }
}

/// Gives the request's body a deadline: a client that trickles it is cut
/// off (the handler sees a failed body) instead of holding the request.
async fn body_deadline(
    req: axum::extract::Request,
    next: axum::middleware::Next,
    limit: Duration,
) -> axum::response::Response {
    let req = req.map(|body| {
        axum::body::Body::new(DeadlineBody {
            inner: body,
            deadline: Box::pin(tokio::time::sleep(limit)),
        })
    });
    next.run(req).await
}

struct DeadlineBody {
    inner: axum::body::Body,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame);
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(axum::Error::new(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the request body did not arrive in time",
            )))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
