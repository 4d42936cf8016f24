//! `/api/v1/integrations`: status integrations of the caller's
//! organisation (customer admins).
use crate::http::ctx::ApiCaller;
use crate::http::error::{AppResult, ErrorBody};
use crate::http::extract::JsonBody;
use crate::http::state::AppState;
use crate::i18n::rfc3339;
use app::integrations::IntegrationInput;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct NewIntegration {
    /// `slack`, `teams`, `discord` or `webhook`.
    pub kind: String,
    /// The incoming-webhook URL the target gave you.
    pub url: String,
    /// Generic webhooks only: the HMAC-SHA256 signing secret (16–200
    /// characters); one is generated and returned once when absent.
    pub secret: Option<String>,
    /// Component ids to post about; absent or empty for every feature.
    pub components: Option<Vec<String>>,
    /// `sv` or `en` for the posts; default: the caller's own language.
    pub language: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct IntegrationOut {
    pub id: String,
    pub kind: String,
    pub url: String,
    pub components: Vec<String>,
    /// Whether posts are signed (generic webhooks).
    pub signed: bool,
    /// `sv` or `en`, or null for the server's default language.
    pub language: Option<String>,
    /// The generated signing secret: in the creation response only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub created_at: String,
}

impl From<app::model::Integration> for IntegrationOut {
    fn from(i: app::model::Integration) -> Self {
        Self {
            components: i.component_ids().into_iter().map(str::to_string).collect(),
            signed: i.secret.is_some(),
            language: i.language.clone(),
            secret: None,
            created_at: rfc3339(i.created_at),
            id: i.id,
            kind: i.kind,
            url: i.url,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct IntegrationList {
    pub integrations: Vec<IntegrationOut>,
}

#[derive(Serialize, ToSchema)]
pub struct TestResult {
    pub delivered: bool,
    /// The target's HTTP status, when it answered with success.
    pub status: Option<u16>,
    /// What went wrong, in the caller's language.
    pub error: Option<String>,
    /// `status`, `tls`, `dns`, `timeout`, `connect`, `private` or `other`.
    pub error_code: Option<&'static str>,
}

impl From<app::integrations::TestOutcome> for TestResult {
    fn from(o: app::integrations::TestOutcome) -> Self {
        Self {
            delivered: o.delivered,
            status: o.status,
            error: o.error,
            error_code: o.error_code,
        }
    }
}

/// Add a status integration to your organisation (customer admins).
#[utoipa::path(post, path = "/api/v1/integrations", tag = "integrations",
    security(("bearer" = [])), request_body = NewIntegration,
    responses((status = 201, body = IntegrationOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(req): JsonBody<NewIntegration>,
) -> AppResult<(StatusCode, Json<IntegrationOut>)> {
    let input = IntegrationInput {
        kind: req.kind,
        url: req.url,
        secret: req.secret,
        components: req.components.unwrap_or_default(),
        language: req.language,
    };
    let (i, secret) = state
        .app
        .create_integration(&caller, input, caller.language())
        .await?;
    let mut out = IntegrationOut::from(i);
    out.secret = secret;
    Ok((StatusCode::CREATED, Json(out)))
}

/// Your organisation's status integrations (customer admins).
#[utoipa::path(get, path = "/api/v1/integrations", tag = "integrations",
    security(("bearer" = [])),
    responses((status = 200, body = IntegrationList), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> AppResult<Json<IntegrationList>> {
    let integrations = state
        .app
        .integrations(&caller)
        .await?
        .into_iter()
        .map(IntegrationOut::from)
        .collect();
    Ok(Json(IntegrationList { integrations }))
}

/// Remove a status integration (customer admins of its organisation).
#[utoipa::path(delete, path = "/api/v1/integrations/{id}", tag = "integrations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Integration id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    state.app.delete_integration(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Post a test message to a status integration now.
#[utoipa::path(post, path = "/api/v1/integrations/{id}/test", tag = "integrations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Integration id")),
    responses((status = 200, body = TestResult), (status = 404, body = ErrorBody)))]
pub async fn test(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<TestResult>> {
    Ok(Json(state.app.test_integration(&caller, &id).await?.into()))
}
