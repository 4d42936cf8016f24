//! What happens around every request: a request id (tower-http), a tracing
//! span naming the matched route, metrics, security headers (tower-http),
//! and the rendering of errors for people (a page in their language, with
//! their navigation) or programs (JSON).
use crate::http::ctx::{self, SESSION_COOKIE};
use crate::http::error::{Error, ErrorBody, RenderableError, status_of};
use crate::http::page::{self, MessagePage, render};
use crate::http::state::AppState;
use crate::i18n::Tr;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Json, Router};
use std::time::Instant;
use tower_http::request_id::{MakeRequestId, RequestId};
use tracing::Instrument;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Request ids: a random per-process prefix and a counter; unique, and
/// cheap enough for every request.
#[derive(Clone, Copy, Default)]
pub struct CountingIds;

impl MakeRequestId for CountingIds {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        use std::sync::LazyLock;
        use std::sync::atomic::{AtomicU64, Ordering};
        static PREFIX: LazyLock<u32> = LazyLock::new(rand::random);
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let id = format!(
            "{:08x}{:08x}",
            *PREFIX,
            COUNTER.fetch_add(1, Ordering::Relaxed) & 0xffff_ffff
        );
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

fn is_html(r: &Response) -> bool {
    r.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// The layers every answer passes: request ids set and returned, and the
/// security headers (page-only ones on HTML).
pub fn layers(router: Router<()>, hsts: bool) -> Router<()> {
    use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
    use tower_http::set_header::SetResponseHeaderLayer;
    let csp = HeaderValue::from_static(
        "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    );
    let router = router
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            |r: &Response| is_html(r).then(|| HeaderValue::from_static("DENY")),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            move |r: &Response| is_html(r).then(|| csp.clone()),
        ));
    let router = if hsts {
        router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ))
    } else {
        router
    };
    router
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, CountingIds))
}

/// Per request: a span naming the route, metrics, and rendering of errors.
pub async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-")
        .to_string();
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
    let session = ctx::cookie(req.headers(), SESSION_COOKIE);
    let span = tracing::debug_span!("request", %method, route = %route, request_id = %request_id);

    let mut response = next.run(req).instrument(span.clone()).await;

    if let Some(RenderableError(err)) = response.extensions_mut().remove::<RenderableError>() {
        // An error page keeps the navigation of whoever is signed in.
        let signed_in = match (&session, wants_json) {
            (Some(raw), false) => match state.app.session(raw).await {
                Ok(Some((caller, csrf))) => {
                    let lang = caller.language().unwrap_or(lang);
                    Some((page::NavUser::of(&caller), csrf, lang))
                }
                _ => None,
            },
            _ => None,
        };
        let brand = state.app.branding().await.unwrap_or_default();
        let _enter = span.enter();
        response = render_error(
            &err,
            wants_json,
            (lang, state.status.overall(), brand),
            signed_in,
            &request_id,
            &path_and_query,
            response,
        );
    }
    let status = response.status().as_u16();
    let elapsed = started.elapsed().as_secs_f64();
    state.metrics.record(
        crate::http::metrics::method_name(&method),
        &route,
        status,
        elapsed,
    );
    tracing::debug!(parent: &span, status, ms = elapsed * 1000.0, "answered");
    response
}

fn render_error(
    err: &Error,
    wants_json: bool,
    // The reader's language, the status page's overall state, the branding.
    (lang, overall, brand): (
        domain::Language,
        &'static str,
        std::sync::Arc<app::branding::Branding>,
    ),
    signed_in: Option<(page::NavUser, String, domain::Language)>,
    request_id: &str,
    path_and_query: &str,
    original: Response,
) -> Response {
    if let Error::Internal(cause) = err {
        tracing::error!(request_id, error = format!("{cause:#}"), "internal error");
    }
    let status = status_of(err);
    let mut response = if wants_json {
        let message = match err {
            Error::Internal(_) => format!("internal error (request id {request_id})"),
            other => other.message(lang),
        };
        let body = ErrorBody {
            error: message,
            field: err.field().map(str::to_string),
            code: err.code().to_string(),
            reason: matches!(err, Error::Denied(_)).then(|| err.code().to_string()),
        };
        (status, Json(body)).into_response()
    } else if matches!(err, Error::Unauthorized) {
        // Slashes stay readable; everything else that needs it is encoded.
        let next: String = form_urlencoded::byte_serialize(path_and_query.as_bytes())
            .collect::<String>()
            .replace("%2F", "/");
        Redirect::to(&format!("/login?next={next}")).into_response()
    } else if matches!(err, Error::Denied(domain::DenyReason::TwoFactorRequired)) {
        // Staff who must set up a second factor are sent to do it.
        Redirect::to("/settings/two-factor").into_response()
    } else {
        let (user, csrf, lang) = match signed_in {
            Some((user, csrf, lang)) => (Some(user), csrf, lang),
            None => (None, String::new(), lang),
        };
        let tr = Tr(lang);
        let detail = match err {
            Error::Internal(_) => Some(tr.ta("error-request-id", &[("id", request_id)])),
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
            css: crate::http::assets::css_path(),
            overall,
            body_class: "",
            brand,
        };
        let html = render(&MessagePage {
            tone: "error",
            message: err.message(lang),
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
