//! `POST /api/v1/subscriptions`: e-mail subscriptions to status updates.
use crate::http::ctx::{ApiLanguage, ClientAddr};
use crate::http::error::{AppResult, ErrorBody};
use crate::http::extract::JsonBody;
use crate::http::state::AppState;
use app::subscriptions::Subscribed;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::Language;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct NewSubscription {
    pub email: String,
    /// Component ids; absent or empty for every feature.
    pub components: Option<Vec<String>>,
    /// `sv` or `en` for the e-mails; default from the browser.
    pub language: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SubscriptionAccepted {
    /// Always `confirmation_sent`: the address must confirm before anything is sent.
    pub status: &'static str,
    /// `false` when a confirmation went to this address a few minutes ago
    /// (or a few today) and no other one was sent now.
    pub sent: bool,
    /// With `sent: false`: when another confirmation may be asked for.
    pub retry_after_seconds: Option<u64>,
}

/// Subscribe an e-mail address to status updates (public; double opt-in).
#[utoipa::path(post, path = "/api/v1/subscriptions", tag = "status",
    request_body = NewSubscription,
    responses((status = 202, body = SubscriptionAccepted), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn subscribe(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiLanguage(browser): ApiLanguage,
    JsonBody(req): JsonBody<NewSubscription>,
) -> AppResult<(StatusCode, Json<SubscriptionAccepted>)> {
    let lang = match req.language.as_deref() {
        Some(l) => Language::parse(l)?,
        None => browser,
    };
    let done = state
        .app
        .subscribe(
            &req.email,
            &req.components.unwrap_or_default(),
            lang,
            &client,
        )
        .await?;
    let retry_after_seconds = match done {
        Subscribed::Sent => None,
        Subscribed::AlreadySent { retry_after_secs } => Some(retry_after_secs),
    };
    Ok((
        StatusCode::ACCEPTED,
        Json(SubscriptionAccepted {
            status: "confirmation_sent",
            sent: retry_after_seconds.is_none(),
            retry_after_seconds,
        }),
    ))
}
