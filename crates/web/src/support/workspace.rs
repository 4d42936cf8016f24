//! The agents' workspace API: bulk actions, canned replies (macros),
//! queue counts, and ratings of solved requests.
use crate::http::ctx::ApiCaller;
use crate::http::error::{AppResult, ErrorBody};
use crate::http::extract::{JsonBody, QueryOf};
use crate::http::state::AppState;
use crate::i18n::rfc3339;
use crate::support::api::{RequestDetail, detail_of};
use app::model::Macro;
use app::workspace::{BulkInput, MacroInput};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::{Priority, TicketStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct BulkRequest {
    /// Request ids, 1 to 200.
    pub ids: Vec<String>,
    /// An agent's user id, or null to unassign.
    #[schema(value_type = Option<String>)]
    #[serde(default, deserialize_with = "crate::http::extract::present")]
    pub assignee: Option<serde_json::Value>,
    pub status: Option<String>,
    pub priority: Option<String>,
    /// An incident's id: link every request to it.
    pub incident: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct BulkFailure {
    pub id: String,
    pub code: String,
    pub error: String,
}

#[derive(Serialize, ToSchema)]
pub struct BulkResult {
    /// The requests that took the change.
    pub updated: Vec<String>,
    /// The others, each with why (e.g. a closed request cannot change).
    pub failed: Vec<BulkFailure>,
}

/// One change to many requests (staff). Each request is changed on its own
/// through the same rules as one at a time; those that cannot take it are
/// listed in `failed` and the others still change.
#[utoipa::path(
    post, path = "/api/v1/requests/bulk", tag = "requests",
    security(("bearer" = [])),
    request_body = BulkRequest,
    responses(
        (status = 200, body = BulkResult),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn bulk(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(b): JsonBody<BulkRequest>,
) -> AppResult<Json<BulkResult>> {
    let assignee = crate::support::api::assignee_of(b.assignee)?;
    let input = BulkInput {
        ids: b.ids,
        assignee,
        status: b.status.as_deref().map(TicketStatus::parse).transpose()?,
        priority: b.priority.as_deref().map(Priority::parse).transpose()?,
        incident: b.incident.filter(|i| !i.trim().is_empty()),
    };
    let outcome = state.app.bulk_update(&caller, input).await?;
    let lang = caller
        .language()
        .unwrap_or(state.app.config.default_language);
    Ok(Json(BulkResult {
        updated: outcome.updated,
        failed: outcome
            .failed
            .into_iter()
            .map(|(id, e)| BulkFailure {
                id,
                code: e.code().to_string(),
                error: e.message(lang),
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct QueueCountsOut {
    /// New or open requests whose response target is past due. `overdue`
    /// and `mine` are counted up to 1,000; 1001 means more than that.
    pub overdue: i64,
    pub unassigned: i64,
    pub mine: i64,
    pub open: i64,
    pub waiting: i64,
    pub solved: i64,
}

/// How many requests each queue view holds (staff).
#[utoipa::path(
    get, path = "/api/v1/requests/counts", tag = "requests",
    security(("bearer" = [])),
    responses((status = 200, body = QueueCountsOut), (status = 403, body = ErrorBody))
)]
pub async fn counts(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> AppResult<Json<QueueCountsOut>> {
    let c = state.app.queue_counts(&caller).await?;
    Ok(Json(QueueCountsOut {
        overdue: c.overdue,
        unassigned: c.unassigned,
        mine: c.mine,
        open: c.open,
        waiting: c.waiting,
        solved: c.solved,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct MacroOut {
    pub id: String,
    pub name: String,
    /// Markdown with placeholders such as `{{requester.name}}`.
    pub body: String,
    /// Shared with every agent, or the owner's own.
    pub shared: bool,
    pub owner: crate::support::api::Named,
    pub created_at: String,
    pub updated_at: String,
    /// With `?request=ID`: the body filled in for that request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filled: Option<String>,
}

fn macro_out(m: Macro) -> MacroOut {
    MacroOut {
        id: m.id,
        name: m.name,
        body: m.body,
        shared: m.shared.0,
        owner: crate::support::api::Named {
            id: m.owner_id,
            name: m.owner_name,
        },
        created_at: rfc3339(m.created_at),
        updated_at: rfc3339(m.updated_at),
        filled: None,
    }
}

#[derive(Serialize, ToSchema)]
pub struct MacroList {
    pub macros: Vec<MacroOut>,
    /// The placeholders a body may use.
    pub placeholders: Vec<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct MacroBody {
    pub name: Option<String>,
    pub body: Option<String>,
    pub shared: Option<bool>,
}

impl From<MacroBody> for MacroInput {
    fn from(b: MacroBody) -> Self {
        MacroInput {
            name: b.name,
            body: b.body,
            shared: b.shared,
        }
    }
}

/// Canned replies the agent may use: shared ones and their own.
#[utoipa::path(
    get, path = "/api/v1/macros", tag = "requests",
    security(("bearer" = [])),
    responses((status = 200, body = MacroList), (status = 403, body = ErrorBody))
)]
pub async fn list_macros(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> AppResult<Json<MacroList>> {
    let macros = state.app.macros(&caller).await?;
    Ok(Json(MacroList {
        macros: macros.into_iter().map(macro_out).collect(),
        placeholders: app::workspace::PLACEHOLDERS
            .iter()
            .map(|p| format!("{{{{{p}}}}}"))
            .collect(),
    }))
}

/// Save a canned reply (`shared` defaults to false: the agent's own).
#[utoipa::path(
    post, path = "/api/v1/macros", tag = "requests",
    security(("bearer" = [])),
    request_body = MacroBody,
    responses((status = 201, body = MacroOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create_macro(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(b): JsonBody<MacroBody>,
) -> AppResult<(StatusCode, Json<MacroOut>)> {
    let m = state.app.create_macro(&caller, b.into()).await?;
    Ok((StatusCode::CREATED, Json(macro_out(m))))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct MacroParams {
    /// A request's id: also return the body filled in for it.
    pub request: Option<String>,
}

/// One canned reply; with `?request=ID` also filled in for that request.
#[utoipa::path(
    get, path = "/api/v1/macros/{id}", tag = "requests",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Macro id"), MacroParams),
    responses((status = 200, body = MacroOut), (status = 404, body = ErrorBody))
)]
pub async fn get_macro(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    QueryOf(p): QueryOf<MacroParams>,
) -> AppResult<Json<MacroOut>> {
    let m = state.app.macro_for(&caller, &id).await?;
    let mut out = macro_out(m);
    if let Some(request) = p.request.filter(|r| !r.is_empty()) {
        out.filled = Some(state.app.fill_macro(&caller, &id, &request).await?);
    }
    Ok(Json(out))
}

/// Change a canned reply: its owner, and for a shared one also support
/// admins.
#[utoipa::path(
    patch, path = "/api/v1/macros/{id}", tag = "requests",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Macro id")),
    request_body = MacroBody,
    responses((status = 200, body = MacroOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn patch_macro(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<MacroBody>,
) -> AppResult<Json<MacroOut>> {
    let m = state.app.update_macro(&caller, &id, b.into()).await?;
    Ok(Json(macro_out(m)))
}

/// Delete a canned reply (same rule as changing it).
#[utoipa::path(
    delete, path = "/api/v1/macros/{id}", tag = "requests",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Macro id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn delete_macro(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    state.app.delete_macro(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct RatingBody {
    pub good: bool,
    pub comment: Option<String>,
}

/// Rate a solved request (the requester's organisation; rating again
/// replaces the rating).
#[utoipa::path(
    post, path = "/api/v1/requests/{id}/rating", tag = "requests",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Request id")),
    request_body = RatingBody,
    responses(
        (status = 200, body = RequestDetail),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The request is not solved", body = ErrorBody),
    )
)]
pub async fn rate(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<RatingBody>,
) -> AppResult<Json<RequestDetail>> {
    state
        .app
        .rate_request(&caller, &id, b.good, b.comment.as_deref())
        .await?;
    Ok(Json(detail_of(&state, &caller, &id).await?))
}
