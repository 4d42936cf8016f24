//! The web layer: it parses requests, calls the use cases of [`app`], and
//! renders pages, JSON, server-sent events. One folder per area (account,
//! orgs, support, status, integrations, subscriptions), each with its page
//! routes and API routes; the transport in `http`; the public status
//! documents in `public`.
#![forbid(unsafe_code)]

pub mod account;
pub mod api;
pub mod http;
pub mod integrations;
pub mod orgs;
pub mod public;
pub mod state;
pub mod status;
pub mod subscriptions;
pub mod support;

pub use app::i18n;
pub use state::{AppState, WebConfig};

use crate::http::error::{Error, WebError};
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

/// The whole application.
pub fn router(state: AppState) -> Router {
    let (api, openapi) = api::router().split_for_parts();
    let openapi = Arc::new(openapi.to_pretty_json().unwrap_or_else(|_| "{}".into()));
    let hsts = state.web.hsts;
    let app = Router::new()
        .merge(account::pages::router())
        .merge(orgs::pages::router())
        .merge(support::pages::router())
        .merge(status::desk::router())
        .merge(status::outbox::router())
        .merge(subscriptions::pages::router())
        .merge(integrations::pages::router())
        .merge(integrations::push::router())
        .merge(public::routes::router())
        .merge(api)
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let doc = openapi.clone();
                async move {
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        doc.as_str().to_owned(),
                    )
                }
            }),
        )
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/assets/{file}", get(http::assets::asset))
        .fallback(|| async { WebError(Error::NotFound) })
        .layer(from_fn_with_state(state.clone(), http::ctx::pre_session))
        .layer(from_fn_with_state(state.clone(), http::observe::observe))
        .with_state(state);
    http::observe::layers(app, hsts)
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.app.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = ?e, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let body = state
        .metrics
        .render(&state.app.pool_stats(), state.app.backend().as_str());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// Serves the application on `listener` until `shutdown` completes, then
/// finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // Small responses go out at once instead of waiting for an ACK.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let status = state.clone();
    let shutdown = async move {
        shutdown.await;
        // Open event streams end, so they do not hold up the shutdown.
        status.status.close();
    };
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
