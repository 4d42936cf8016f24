//! The web layer: pages, the REST API, health and metrics. Handlers parse
//! the request, ask the policy and the store, and render.
#![forbid(unsafe_code)]

pub mod api;
mod api_requests;
mod assets;
pub mod ctx;
pub mod error;
mod extract;
mod feeds;
pub mod i18n;
pub mod integrations;
mod mail_html;
mod markdown;
pub mod metrics;
mod page;
mod pages;
mod push;
pub mod requests;
mod staff_outbox;
mod staff_status;
pub mod state;
mod status_routes;
pub mod statuspage;
pub mod subscriptions;
mod support;
mod uploads;

pub use state::{AppState, WebConfig};
pub use status_routes::run_due_maintenance;

use crate::error::{AppError, RenderableError};
use crate::i18n::Tr;
use crate::page::{MessagePage, render};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;
use tracing::Instrument;

/// The whole application.
pub fn router(state: AppState) -> Router {
    let (api, openapi) = api::router().split_for_parts();
    let openapi = Arc::new(openapi.to_pretty_json().unwrap_or_else(|_| "{}".into()));
    Router::new()
        .merge(pages::router())
        .merge(support::router())
        .merge(staff_status::router())
        .merge(staff_outbox::router())
        .merge(subscriptions::router())
        .merge(integrations::router())
        .merge(push::router())
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
        .route("/assets/{file}", get(assets::asset))
        .route("/status", get(status_routes::status_page))
        .route("/status/events", get(status_routes::status_events))
        .route(
            "/status/incidents/{id}",
            get(status_routes::incident_permalink),
        )
        .route("/api/v2/{*doc}", get(status_routes::v2_document))
        .route(
            "/history.rss",
            get(
                |s: axum::extract::State<AppState>, h: axum::http::HeaderMap| {
                    status_routes::feed(s, h, "history.rss")
                },
            ),
        )
        .route(
            "/history.atom",
            get(
                |s: axum::extract::State<AppState>, h: axum::http::HeaderMap| {
                    status_routes::feed(s, h, "history.atom")
                },
            ),
        )
        .fallback(|| async { AppError::NotFound })
        .layer(from_fn_with_state(state.clone(), ctx::pre_session))
        .layer(from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let body = state
        .metrics
        .render(&state.store.pool_stats(), state.store.backend().as_str());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// Per request: a request id, a tracing span naming the route, metrics,
/// security headers, and rendering of [`AppError`]s for humans or programs.
async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let request_id = next_request_id();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let path = req.uri().path().to_string();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let wants_json = path.starts_with("/api/")
        || req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("application/json") && !a.contains("text/html"));
    let lang = ctx::negotiate_language(&state, req.headers(), None);
    let session = ctx::cookie(req.headers(), ctx::SESSION_COOKIE).map(str::to_string);
    let span = tracing::debug_span!("request", %method, route = %route, request_id = %request_id);

    let mut response = next.run(req).instrument(span.clone()).await;

    if let Some(RenderableError(err)) = response.extensions_mut().remove::<RenderableError>() {
        // An error page keeps the navigation of whoever is signed in.
        let signed_in = match (&session, wants_json) {
            (Some(raw), false) => match state.store.session(raw, state.clock.now_ms()).await {
                Ok(Some((principal, csrf))) => {
                    let actor = principal.actor(state.chat_percent().await);
                    let lang = principal.user.language.unwrap_or(lang);
                    Some((page::NavUser::of(&principal, &actor), csrf, lang))
                }
                _ => None,
            },
            _ => None,
        };
        let _enter = span.enter();
        response = render_error(
            &err,
            wants_json,
            lang,
            signed_in,
            &request_id,
            &path_and_query,
            response,
        );
    }
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        headers.insert("x-request-id", v);
    }
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    if !wants_json {
        headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
        headers.insert(
            "content-security-policy",
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            ),
        );
    }
    let status = response.status().as_u16();
    let elapsed = started.elapsed().as_secs_f64();
    state
        .metrics
        .record(metrics::method_name(&method), &route, status, elapsed);
    tracing::debug!(parent: &span, status, ms = elapsed * 1000.0, "answered");
    response
}

fn render_error(
    err: &AppError,
    wants_json: bool,
    lang: domain::Language,
    signed_in: Option<(page::NavUser, String, domain::Language)>,
    request_id: &str,
    path_and_query: &str,
    original: Response,
) -> Response {
    if let AppError::Internal(cause) = err {
        tracing::error!(request_id, error = format!("{cause:#}"), "internal error");
    }
    let status = err.status();
    let mut response = if wants_json {
        let (message, reason) = match err {
            AppError::Internal(_) => (format!("internal error (request id {request_id})"), None),
            AppError::Forbidden(r) => (err.to_string(), Some(r.code().to_string())),
            other => (other.to_string(), None),
        };
        let body = api::ErrorBody {
            error: message,
            field: err.field().map(str::to_string),
            reason,
        };
        (status, Json(body)).into_response()
    } else if matches!(err, AppError::Unauthorized) {
        let next = urlencode(path_and_query);
        Redirect::to(&format!("/login?next={next}")).into_response()
    } else {
        let (user, csrf, lang) = match signed_in {
            Some((user, csrf, lang)) => (Some(user), csrf, lang),
            None => (None, String::new(), lang),
        };
        let tr = Tr(lang);
        let detail = match err {
            AppError::Internal(_) => Some(tr.ta("error-request-id", &[("id", request_id)])),
            AppError::BadRequest { .. } => Some(err.to_string()),
            _ => None,
        };
        let title_key = match status {
            StatusCode::NOT_FOUND => "error-not-found-title",
            StatusCode::FORBIDDEN => "error-forbidden-title",
            StatusCode::INTERNAL_SERVER_ERROR => "error-internal-title",
            _ => "error-title",
        };
        let page = page::Page {
            tr,
            lang: lang.as_str(),
            title: tr.t(title_key),
            user,
            csrf,
            here: path_and_query.to_string(),
            notice: None,
            css: assets::css_path(),
        };
        let html = render(&MessagePage {
            tone: "error",
            message: tr.t(&err.message_key()),
            detail,
            link_href: "/".into(),
            link_text: tr.t("back-home"),
            page,
        });
        match html {
            Ok(html) => (status, html).into_response(),
            Err(_) => (status, "error").into_response(),
        }
    };
    // Keep headers the handler set on purpose, such as Retry-After.
    for name in [header::RETRY_AFTER, header::SET_COOKIE] {
        for v in original.headers().get_all(&name) {
            response.headers_mut().append(name.clone(), v.clone());
        }
    }
    response
}

/// A request id: a random per-process prefix and a counter; unique, and
/// cheap enough for every request.
fn next_request_id() -> String {
    use std::sync::LazyLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    static PREFIX: LazyLock<u32> = LazyLock::new(|| {
        let (raw, _) = store::new_secret("");
        u32::from_str_radix(&raw[..8], 16).unwrap_or(0)
    });
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    format!(
        "{:08x}{:08x}",
        *PREFIX,
        COUNTER.fetch_add(1, Ordering::Relaxed) & 0xffff_ffff
    )
}

pub(crate) fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
