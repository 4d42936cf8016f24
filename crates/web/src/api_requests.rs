//! `/api/v1/requests`: support requests for bearer tokens. A customer token
//! sees its own organisation's requests only; an agent token sees all.
use crate::ctx::ApiCaller;
use crate::error::{AppError, AppResult};
use crate::extract::JsonBody;
use crate::i18n::rfc3339;
use crate::requests::{self, NewRequestInput, Update};
use crate::state::AppState;
use crate::support::{ListQuery, queue_view};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::{Action, Priority, TicketStatus};
use serde::{Deserialize, Serialize};
use store::Scope;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Named {
    pub id: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct SupportRequest {
    pub id: String,
    pub organisation: Named,
    pub requester: Named,
    pub subject: String,
    /// Markdown.
    pub description: String,
    /// `high`, `normal` or `low`.
    pub priority: String,
    /// `new`, `open`, `waiting_on_customer`, `solved` or `closed`.
    pub status: String,
    /// The affected feature (status-page component id), if any.
    pub component: Option<String>,
    pub assignee: Option<Named>,
    /// The closed request this one follows up, if any.
    pub follow_up_of: Option<String>,
    pub created_at: String,
    /// Last activity.
    pub updated_at: String,
    pub solved_at: Option<String>,
}

impl From<store::Request> for SupportRequest {
    fn from(r: store::Request) -> Self {
        Self {
            organisation: Named {
                id: r.org_id,
                name: r.org_name,
            },
            requester: Named {
                id: r.requester_id,
                name: r.requester_name,
            },
            subject: r.subject,
            description: r.description,
            priority: r.priority.as_str().into(),
            status: r.status.as_str().into(),
            component: r.component,
            assignee: r
                .assignee_id
                .zip(r.assignee_name)
                .map(|(id, name)| Named { id, name }),
            follow_up_of: r.follow_up_of,
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
            solved_at: r.solved_at.map(rfc3339),
            id: r.id,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RequestMessage {
    pub id: String,
    pub author: Named,
    /// Whether the author is support staff.
    pub staff: bool,
    /// Markdown.
    pub body: String,
    /// Internal notes are only ever shown to staff.
    pub internal: bool,
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct RequestEvent {
    /// `created`, `replied`, `note`, `status`, `priority` or `assigned`.
    pub kind: String,
    pub actor: Option<String>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct RequestDetail {
    #[serde(flatten)]
    pub request: SupportRequest,
    pub messages: Vec<RequestMessage>,
    pub events: Vec<RequestEvent>,
}

#[derive(Serialize, ToSchema)]
pub struct RequestList {
    pub requests: Vec<SupportRequest>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewSupportRequest {
    pub subject: String,
    pub description: String,
    /// `high`, `normal` or `low`.
    pub priority: String,
    pub component: Option<String>,
    pub follow_up_of: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewMessage {
    pub body: String,
    /// An internal note (agents only).
    pub internal: Option<bool>,
}

#[derive(Deserialize, ToSchema)]
pub struct RequestPatch {
    pub status: Option<String>,
    pub priority: Option<String>,
    /// An agent's user id, or null to unassign.
    #[schema(value_type = Option<String>)]
    #[serde(default, deserialize_with = "present")]
    pub assignee: Option<serde_json::Value>,
}

/// Tells a field given as `null` (Some(Null)) from a field left out (None).
pub(crate) fn present<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<serde_json::Value>, D::Error> {
    <serde_json::Value as Deserialize>::deserialize(d).map(Some)
}

async fn detail(
    state: &AppState,
    caller: &ApiCaller,
    request: store::Request,
) -> AppResult<RequestDetail> {
    let staff = caller.actor.is_staff();
    let messages = state.store.messages(&request.id, staff).await?;
    let events = state.store.events(&request.id, staff).await?;
    Ok(RequestDetail {
        messages: messages
            .into_iter()
            .map(|m| RequestMessage {
                id: m.id,
                author: Named {
                    id: m.author_id,
                    name: m.author_name,
                },
                staff: m.author_is_staff,
                body: m.body,
                internal: m.internal,
                created_at: rfc3339(m.created_at),
            })
            .collect(),
        events: events
            .into_iter()
            .map(|e| RequestEvent {
                kind: e.kind,
                actor: e.actor_name,
                detail: serde_json::from_str(&e.detail).unwrap_or_default(),
                created_at: rfc3339(e.created_at),
            })
            .collect(),
        request: request.into(),
    })
}

/// Loads a request the caller may act on: another organisation's is 404.
async fn load(state: &AppState, caller: &ApiCaller, id: &str) -> AppResult<store::Request> {
    let scope = Scope::of(&caller.actor).ok_or(AppError::NotFound)?;
    let request = state
        .store
        .request(scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    caller.require(Action::ViewRequest {
        org_id: &request.org_id,
    })?;
    Ok(request)
}

/// File a support request (admins of Advanced and Enterprise organisations).
#[utoipa::path(
    post, path = "/api/v1/requests", tag = "requests",
    security(("bearer" = [])),
    request_body = NewSupportRequest,
    responses(
        (status = 201, body = RequestDetail),
        (status = 403, description = "Members and Core organisations have no direct support", body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody),
    )
)]
pub async fn create_request(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(req): JsonBody<NewSupportRequest>,
) -> AppResult<(StatusCode, Json<RequestDetail>)> {
    caller.require(Action::UseDirectSupport)?;
    let input = NewRequestInput {
        subject: req.subject,
        description: req.description,
        priority: Priority::parse(&req.priority)?,
        component: req.component.filter(|c| !c.is_empty()),
        follow_up_of: req.follow_up_of.filter(|c| !c.is_empty()),
    };
    let id = requests::create(&state, &caller.principal, input, Vec::new()).await?;
    let request = load(&state, &caller, &id).await?;
    Ok((
        StatusCode::CREATED,
        Json(detail(&state, &caller, request).await?),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// Filter by current status.
    pub status: Option<String>,
    /// Filter by priority.
    pub priority: Option<String>,
    /// Filter by affected feature (component id).
    pub component: Option<String>,
    /// Free text in subject, description and public messages.
    pub q: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Agents only: a queue view (`unassigned`, `mine`, `open`, `waiting`, `solved`), sorted by priority then age.
    pub view: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<i64>,
}

/// Requests the caller can see, newest activity first.
#[utoipa::path(
    get, path = "/api/v1/requests", tag = "requests",
    security(("bearer" = [])),
    params(ListParams),
    responses((status = 200, body = RequestList), (status = 403, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody))
)]
pub async fn list_requests(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<ListParams>,
) -> AppResult<Json<RequestList>> {
    let staff = caller.actor.is_staff();
    if !staff {
        caller.require(Action::UseDirectSupport)?;
    }
    let limit = p.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::bad("limit", "limit: must be from 1 to 200"));
    }
    let (requests, next) = if let Some(view) = p.view.as_deref().filter(|v| !v.is_empty()) {
        caller.require(Action::WorkSupportQueue)?;
        let view = queue_view(view, &caller.principal.user.id)?;
        state
            .store
            .queue(view, p.cursor.as_deref(), limit)
            .await
            .map_err(cursor_error)?
    } else {
        let query = ListQuery {
            status: p.status,
            priority: p.priority,
            component: p.component,
            q: p.q,
            cursor: p.cursor,
            view: None,
        };
        let filter = query.filter(limit)?;
        let scope = Scope::of(&caller.actor).ok_or(AppError::NotFound)?;
        state
            .store
            .list_requests(scope, &filter)
            .await
            .map_err(cursor_error)?
    };
    Ok(Json(RequestList {
        requests: requests.into_iter().map(Into::into).collect(),
        next_cursor: next,
    }))
}

fn cursor_error(e: store::StoreError) -> AppError {
    match e {
        store::StoreError::BadCursor => {
            AppError::bad("cursor", "cursor: not a cursor this server gave out")
        }
        other => other.into(),
    }
}

/// One request with its conversation and activity log.
#[utoipa::path(
    get, path = "/api/v1/requests/{id}", tag = "requests",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Request id")),
    responses((status = 200, body = RequestDetail), (status = 404, body = crate::api::ErrorBody))
)]
pub async fn get_request(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<RequestDetail>> {
    let request = load(&state, &caller, &id).await?;
    Ok(Json(detail(&state, &caller, request).await?))
}

/// Reply to a request; agents may post an internal note.
#[utoipa::path(
    post, path = "/api/v1/requests/{id}/messages", tag = "requests",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Request id")),
    request_body = NewMessage,
    responses(
        (status = 201, body = RequestDetail),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, description = "The request is closed", body = crate::api::ErrorBody),
    )
)]
pub async fn post_message(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(m): JsonBody<NewMessage>,
) -> AppResult<(StatusCode, Json<RequestDetail>)> {
    let request = load(&state, &caller, &id).await?;
    requests::reply(
        &state,
        &caller.principal,
        &request,
        &m.body,
        m.internal.unwrap_or(false),
        Vec::new(),
    )
    .await?;
    let request = load(&state, &caller, &id).await?;
    Ok((
        StatusCode::CREATED,
        Json(detail(&state, &caller, request).await?),
    ))
}

/// Change status, priority or assignee. Customers may only mark a request
/// solved (`"status":"solved"`) or reopen it (`"status":"open"`).
#[utoipa::path(
    patch, path = "/api/v1/requests/{id}", tag = "requests",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Request id")),
    request_body = RequestPatch,
    responses(
        (status = 200, body = RequestDetail),
        (status = 403, body = crate::api::ErrorBody),
        (status = 404, body = crate::api::ErrorBody),
        (status = 409, description = "The status change is not allowed from the current status", body = crate::api::ErrorBody),
        (status = 422, body = crate::api::ErrorBody),
    )
)]
pub async fn patch_request(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(p): JsonBody<RequestPatch>,
) -> AppResult<Json<RequestDetail>> {
    let request = load(&state, &caller, &id).await?;
    let assignee = match p.assignee {
        None => None,
        Some(serde_json::Value::Null) => Some(None),
        Some(serde_json::Value::String(s)) => Some(Some(s)),
        Some(_) => return Err(AppError::bad("assignee", "assignee: a user id or null")),
    };
    let update = Update {
        status: p.status.as_deref().map(TicketStatus::parse).transpose()?,
        priority: p.priority.as_deref().map(Priority::parse).transpose()?,
        assignee,
    };
    requests::update(&state, &caller.principal, &request, update).await?;
    let request = load(&state, &caller, &id).await?;
    Ok(Json(detail(&state, &caller, request).await?))
}
