//! `/api/v1/tokens` and `/api/v1/me`.
use crate::http::ctx::{ApiCaller, ClientAddr};
use crate::http::error::{AppResult, ErrorBody};
use crate::http::extract::JsonBody;
use crate::http::state::AppState;
use crate::i18n::rfc3339;
use crate::orgs::api::{Organisation, User};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::Action;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    pub email: String,
    pub password: String,
    /// A name to recognise the token by on the settings page.
    pub label: Option<String>,
    /// For an account with two-factor sign-in: the six-digit code of the
    /// authenticator app, or one of the recovery codes.
    pub otp: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenCreated {
    /// The bearer token. It is shown only this once; only its hash is kept.
    pub token: String,
    pub id: String,
    pub label: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenInfo {
    pub id: String,
    pub label: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenList {
    pub tokens: Vec<TokenInfo>,
}

/// Exchange an e-mail address and password for a bearer token.
#[utoipa::path(
    post, path = "/api/v1/tokens", tag = "tokens",
    request_body = TokenRequest,
    responses(
        (status = 201, description = "Token issued", body = TokenCreated),
        (status = 401, description = "Wrong e-mail or password; or the account signs in with a second factor and `otp` is missing (`two_factor_required`) or wrong (`two_factor_code_wrong`)", body = ErrorBody),
        (status = 422, description = "Malformed request", body = ErrorBody),
        (status = 429, description = "Too many failed attempts", body = ErrorBody),
    )
)]
pub async fn create_token(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    JsonBody(req): JsonBody<TokenRequest>,
) -> AppResult<(StatusCode, Json<TokenCreated>)> {
    let (raw, token) = state
        .app
        .issue_token(
            &client,
            (&req.email, &req.password, req.otp.as_deref()),
            req.label.as_deref(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenCreated {
            token: raw,
            id: token.id,
            label: token.label,
        }),
    ))
}

/// The caller's own tokens.
#[utoipa::path(
    get, path = "/api/v1/tokens", tag = "tokens",
    security(("bearer" = [])),
    responses((status = 200, body = TokenList), (status = 401, body = ErrorBody))
)]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> AppResult<Json<TokenList>> {
    let tokens = state
        .app
        .tokens(&caller)
        .await?
        .into_iter()
        .map(|t| TokenInfo {
            id: t.id,
            label: t.label,
            created_at: rfc3339(t.created_at),
            last_used_at: t.last_used_at.map(rfc3339),
            revoked_at: t.revoked_at.map(rfc3339),
        })
        .collect();
    Ok(Json(TokenList { tokens }))
}

/// Revoke one of the caller's tokens (it may be the one in use).
#[utoipa::path(
    delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Token id")),
    responses((status = 204, description = "Revoked"), (status = 404, body = ErrorBody))
)]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    state.app.revoke_token(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user: User,
    pub organisation: Option<Organisation>,
    /// Whether the caller may use direct support (support requests).
    pub direct_support: bool,
    /// Whether chat support is available to the caller.
    pub chat: bool,
    /// Whether the caller signs in with a second factor (TOTP).
    pub two_factor: bool,
    /// Staff only: support admins require a second factor and the caller
    /// has none yet, so everything but their own account is refused
    /// (`two_factor_required`) until they set one up on `/settings/two-factor`.
    pub two_factor_setup_required: bool,
}

/// Who the token belongs to, and what they may use.
#[utoipa::path(
    get, path = "/api/v1/me", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody))
)]
pub async fn me(caller: ApiCaller) -> AppResult<Json<Me>> {
    let direct_support = caller.may(Action::UseDirectSupport);
    let chat = caller.may(Action::UseChat);
    let two_factor_setup_required = caller.0.actor.second_factor_missing;
    let principal = caller.0.principal;
    Ok(Json(Me {
        two_factor: principal.two_factor,
        two_factor_setup_required,
        user: principal.user.into(),
        organisation: principal.org.map(Into::into),
        direct_support,
        chat,
    }))
}
