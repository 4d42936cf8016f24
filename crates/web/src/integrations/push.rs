//! Web Push from the status page: the service worker, the public key, and
//! the public API browsers subscribe and unsubscribe with. Delivery is
//! `notify::push`, fed by the same fan-out as e-mail.
use crate::http::ctx::{ApiLanguage, ClientAddr};
use crate::http::error::{AppResult, ErrorBody};
use crate::http::extract::JsonBody;
use crate::http::state::AppState;
use app::push::PushInput;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::Language;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new().route("/sw.js", get(service_worker))
}

/// Shows the notifications the server pushes, and opens the incident when
/// one is clicked.
const SERVICE_WORKER: &str = r#""use strict";
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { title: event.data ? event.data.text() : "" }; }
  event.waitUntil(self.registration.showNotification(data.title || "Status", {
    body: data.body || "",
    tag: data.tag || undefined,
    data: { url: data.url || "/status" }
  }));
});
self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/status";
  event.waitUntil(self.clients.openWindow(url));
});
"#;

async fn service_worker() -> Response {
    let mut r = SERVICE_WORKER.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert("service-worker-allowed", HeaderValue::from_static("/"));
    r
}

#[derive(Deserialize, ToSchema)]
pub struct PushKeys {
    /// The browser's P-256 public key, base64url.
    pub p256dh: String,
    /// The browser's 16-byte authentication secret, base64url.
    pub auth: String,
}

/// What `PushSubscription.toJSON()` gives in a browser, plus choices.
#[derive(Deserialize, ToSchema)]
pub struct NewPushSubscription {
    pub endpoint: String,
    pub keys: PushKeys,
    /// Component ids; absent or empty for every feature.
    pub components: Option<Vec<String>>,
    /// `sv` or `en` for the notifications.
    pub language: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PushSubscribed {
    pub id: String,
}

#[derive(Deserialize, ToSchema)]
pub struct PushEndpoint {
    pub endpoint: String,
}

#[derive(Serialize, ToSchema)]
pub struct VapidKey {
    /// The `applicationServerKey` for `pushManager.subscribe`.
    pub public_key: String,
}

/// The server's VAPID public key (public).
#[utoipa::path(get, path = "/api/v1/push/key", tag = "status",
    responses((status = 200, body = VapidKey)))]
pub async fn api_key(State(state): State<AppState>) -> AppResult<Json<VapidKey>> {
    let v = state.app.load_vapid().await?;
    Ok(Json(VapidKey {
        public_key: v.public_key,
    }))
}

/// Subscribe a browser to Web Push notifications (public, rate-limited).
#[utoipa::path(post, path = "/api/v1/push-subscriptions", tag = "status",
    request_body = NewPushSubscription,
    responses((status = 201, body = PushSubscribed), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn api_subscribe(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiLanguage(browser): ApiLanguage,
    JsonBody(req): JsonBody<NewPushSubscription>,
) -> AppResult<(StatusCode, Json<PushSubscribed>)> {
    let lang = match req.language.as_deref() {
        Some(l) => Language::parse(l)?,
        None => browser,
    };
    let input = PushInput {
        endpoint: req.endpoint,
        p256dh: req.keys.p256dh,
        auth: req.keys.auth,
        components: req.components.unwrap_or_default(),
    };
    let id = state.app.subscribe_push(input, lang, &client).await?;
    Ok((StatusCode::CREATED, Json(PushSubscribed { id })))
}

/// Unsubscribe a browser (public: the endpoint is the browser's secret).
#[utoipa::path(delete, path = "/api/v1/push-subscriptions", tag = "status",
    request_body = PushEndpoint,
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn api_unsubscribe(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<PushEndpoint>,
) -> AppResult<StatusCode> {
    state.app.unsubscribe_push(&req.endpoint).await?;
    Ok(StatusCode::NO_CONTENT)
}
