//! The web layer: it parses requests, calls the use cases of [`app`], and
//! renders pages, JSON, server-sent events. One folder per area (account,
//! orgs, support, status, integrations, subscriptions), each with its page
//! routes and API routes; the transport in `http`; the public status
//! documents in `public`.
#![forbid(unsafe_code)]

pub mod account;
pub mod api;
pub mod chat;
pub mod community;
pub mod help;
pub mod http;
pub mod integrations;
pub mod orgs;
pub mod public;
pub mod status;
pub mod subscriptions;
pub mod support;

pub use app::i18n;
pub use http::serve::ConnLimits;
pub use http::state::{AppState, MetricsAccess, WebConfig};

use crate::http::error::{Error, WebError};
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::future::Future;
use std::sync::Arc;

/// The web state over `app`, with the public status snapshot following
/// every change the use cases publish.
pub fn state(app: app::App, web: WebConfig) -> AppState {
    let state = AppState::bare(app, web);
    // The listener holds only a weak reference: the app must not keep the
    // web state alive in a cycle.
    let weak = state.downgrade();
    state.app.changes.subscribe(Arc::new(move |topic| {
        let weak = weak.clone();
        Box::pin(async move {
            if topic == app::changes::Topic::Status
                && let Some(inner) = weak.upgrade()
            {
                let state = AppState::from_inner(inner);
                if let Err(e) = public::snapshot::rebuild(&state).await {
                    tracing::error!(error = ?e.0, "status page snapshot could not be rebuilt");
                }
            }
        })
    }));
    state
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let (api, openapi) = api::router().split_for_parts();
    let openapi = Arc::new(openapi.to_pretty_json().unwrap_or_else(|_| "{}".into()));
    let hsts = state.web.hsts;
    let app = Router::new()
        .merge(account::pages::router())
        .merge(account::two_factor::router())
        .merge(orgs::pages::router())
        .merge(orgs::people::router())
        .merge(support::pages::router())
        .merge(support::queue::router())
        .merge(support::macros::router())
        .merge(support::targets::router())
        .merge(support::teams::router())
        .merge(support::reports::router())
        .merge(status::desk::router())
        .merge(status::outbox::router())
        .merge(status::branding::router())
        .merge(subscriptions::pages::router())
        .merge(integrations::pages::router())
        .merge(integrations::push::router())
        .merge(public::routes::router())
        .merge(chat::pages::router())
        .merge(help::pages::router())
        .merge(community::pages::router())
        .merge(help::staff::router())
        .merge(community::staff::router())
        .route("/api/v1/chats/{id}/ws", get(chat::ws::upgrade))
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
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(http::ctx::viewer_zone))
        .layer(from_fn_with_state(state.clone(), http::ctx::pre_session))
        .layer(from_fn_with_state(state.clone(), http::observe::observe))
        .with_state(state);
    http::observe::layers(app, hsts)
}

/// A method a URL does not take. A page's form address opened in the
/// browser (a GET on `/logout`, `/settings/tokens`, …) leads to the page
/// the form was on, one level up; the API says 405 in JSON.
async fn method_not_allowed(
    method: axum::http::Method,
    uri: axum::http::Uri,
    http::ctx::ApiLanguage(lang): http::ctx::ApiLanguage,
) -> Response {
    let path = uri.path();
    let browsing = method == axum::http::Method::GET || method == axum::http::Method::HEAD;
    if path.starts_with("/api/") || !browsing {
        let body = serde_json::json!({
            "error": app::i18n::Tr(lang).t("error-method-not-allowed"),
            "field": null,
            "code": "method_not_allowed",
        });
        return (StatusCode::METHOD_NOT_ALLOWED, axum::Json(body)).into_response();
    }
    let up = match path.trim_end_matches('/').rsplit_once('/') {
        Some((parent, _)) if !parent.is_empty() => parent.to_string(),
        _ => "/".to_string(),
    };
    axum::response::Redirect::to(&up).into_response()
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

async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    match &state.web.metrics {
        MetricsAccess::Public => {}
        MetricsAccess::Off => {
            return (
                StatusCode::NOT_FOUND,
                "metrics are off: set metrics_token (or metrics_public) to serve them\n",
            )
                .into_response();
        }
        MetricsAccess::Token(token) => {
            use subtle::ConstantTimeEq;
            let given = http::ctx::bearer(&headers).unwrap_or_default();
            if !bool::from(given.as_bytes().ct_eq(token.as_bytes())) {
                return (
                    StatusCode::UNAUTHORIZED,
                    [(header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\"")],
                    "send Authorization: Bearer <metrics_token>\n",
                )
                    .into_response();
            }
        }
    }
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
    let app = router(state.clone());
    http::serve::run(listener, app, state, shutdown).await
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    /// The areas of the web layer use one another only one way: the graph
    /// of `crate::<area>::` references between top-level modules has no
    /// cycle.
    #[test]
    fn no_cycles_between_modules() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (path, text) in app::i18n::read_tree(std::slice::from_ref(&src)) {
            let rel = path.strip_prefix(&src).unwrap_or(&path);
            let module = rel
                .components()
                .next()
                .and_then(|c| c.as_os_str().to_str())
                .unwrap_or("")
                .trim_end_matches(".rs")
                .to_string();
            if module == "lib" {
                continue;
            }
            for piece in text.split("crate::").skip(1) {
                let target: String = piece
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !target.is_empty() && target != module {
                    uses.entry(module.clone()).or_default().insert(target);
                }
            }
        }
        assert!(uses.contains_key("account") && uses.contains_key("support"));
        // Depth-first search for a back edge.
        fn visit(
            m: &str,
            uses: &BTreeMap<String, BTreeSet<String>>,
            path: &mut Vec<String>,
            done: &mut BTreeSet<String>,
        ) {
            if done.contains(m) {
                return;
            }
            assert!(!path.iter().any(|p| p == m), "cycle: {path:?} -> {m}");
            path.push(m.to_string());
            for next in uses.get(m).into_iter().flatten() {
                visit(next, uses, path, done);
            }
            path.pop();
            done.insert(m.to_string());
        }
        let mut done = BTreeSet::new();
        for m in uses.keys() {
            visit(m, &uses, &mut Vec::new(), &mut done);
        }
    }

    #[test]
    fn every_key_used_by_the_web_layer_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let missing = app::i18n::missing_keys(&[root.join("src"), root.join("templates")]);
        assert!(
            missing.is_empty(),
            "keys missing from the locales: {missing:?}"
        );
    }

    #[test]
    fn templates_hold_no_plain_text() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        assert_eq!(app::i18n::plain_text_in_templates(&dir), Vec::new());
    }
}
