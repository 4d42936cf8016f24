//! `/api/v1/requests`: support requests for bearer tokens. A customer token
//! sees its own organisation's requests only; an agent token sees all.
use crate::http::ctx::ApiCaller;
use crate::http::error::{AppResult, ErrorBody};
use crate::http::extract::{JsonBody, QueryOf};
use crate::http::state::AppState;
use crate::i18n::rfc3339;
use app::requests::{ListInput, NewRequestInput, RequestView, Update, page_size};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::{Priority, TicketStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Named {
    pub id: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct SupportRequest {
    pub id: String,
    /// Human-friendly and unique per installation; pages show it as `#1042`.
    pub number: i64,
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
    /// Staff only: when the next response is due under the response
    /// targets, if one is running.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_at: Option<String>,
    /// Staff only: the response target running or paused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_target: Option<TargetOut>,
}

#[derive(Serialize, ToSchema)]
pub struct TargetOut {
    /// `first_response` or `next_response`.
    pub kind: String,
    /// The target, in business minutes.
    pub minutes: i64,
    /// Paused while the request waits on the customer.
    pub paused: bool,
    /// When it is due, while it runs.
    pub due_at: Option<String>,
}

impl SupportRequest {
    /// The request as `caller` sees it: response targets are internal.
    pub fn for_caller(r: app::model::Request, staff: bool) -> Self {
        let due = r.due_at.filter(|_| staff);
        let target = r.target.kind.filter(|_| staff).map(|kind| TargetOut {
            kind: kind.as_str().into(),
            minutes: r.target.minutes,
            paused: r.target.paused(),
            due_at: due.map(rfc3339),
        });
        let mut out = Self::from(r);
        out.due_at = due.map(rfc3339);
        out.response_target = target;
        out
    }
}

impl From<app::model::Request> for SupportRequest {
    fn from(r: app::model::Request) -> Self {
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
            due_at: None,
            response_target: None,
            number: r.number,
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

/// A file attached to a request or one of its messages.
#[derive(Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: String,
    pub filename: String,
    pub content_type: String,
    /// In bytes.
    pub size: i64,
    /// The message it came with; null for the request's first message.
    pub message_id: Option<String>,
    /// Where the API serves its bytes.
    pub url: String,
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
pub struct LinkedIncidentOut {
    pub id: String,
    pub name: String,
    /// The incident's status (`investigating` … `resolved`).
    pub status: String,
    pub resolved_at: Option<String>,
    /// Its page on the status page.
    pub url: String,
}

#[derive(Serialize, ToSchema)]
pub struct RatingOut {
    pub good: bool,
    pub comment: String,
    pub rated_by: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct RequestDetail {
    #[serde(flatten)]
    pub request: SupportRequest,
    pub messages: Vec<RequestMessage>,
    pub events: Vec<RequestEvent>,
    /// Files attached to the request and its messages the caller may see.
    pub attachments: Vec<AttachmentOut>,
    /// The incidents this request is linked to ("Linked to: …").
    pub incidents: Vec<LinkedIncidentOut>,
    /// The requester organisation's rating, once the request is solved and
    /// rated.
    pub rating: Option<RatingOut>,
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
    /// Set this status in the same action ("Reply and set to waiting"):
    /// agents any the lifecycle allows, customers `solved`.
    pub status: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct RequestPatch {
    pub status: Option<String>,
    pub priority: Option<String>,
    /// An agent's user id, or null to unassign.
    #[schema(value_type = Option<String>)]
    #[serde(default, deserialize_with = "crate::http::extract::present")]
    pub assignee: Option<serde_json::Value>,
}

/// An `assignee` field as sent: left out (no change), `null` (unassign) or
/// an agent's id.
pub(crate) fn assignee_of(v: Option<serde_json::Value>) -> app::Result<Option<Option<String>>> {
    crate::http::extract::id_or_null(v, "assignee", "unknown_agent")
}

fn detail(view: RequestView, staff: bool) -> RequestDetail {
    RequestDetail {
        incidents: view
            .incidents
            .into_iter()
            .map(|i| LinkedIncidentOut {
                url: format!("/status/incidents/{}", i.id),
                id: i.id,
                name: i.name,
                status: i.status,
                resolved_at: i.resolved_at.map(rfc3339),
            })
            .collect(),
        rating: view.rating.map(|r| RatingOut {
            good: r.good,
            comment: r.comment,
            rated_by: r.rater_name,
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
        }),
        messages: view
            .messages
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
        events: view
            .events
            .into_iter()
            .map(|e| RequestEvent {
                kind: e.kind,
                actor: e.actor_name,
                detail: serde_json::from_str(&e.detail).unwrap_or_default(),
                created_at: rfc3339(e.created_at),
            })
            .collect(),
        attachments: view
            .files
            .into_iter()
            .map(|f| AttachmentOut {
                url: format!("/api/v1/requests/{}/attachments/{}", f.request_id, f.id),
                id: f.id,
                filename: f.filename,
                content_type: f.content_type,
                size: f.size,
                message_id: f.message_id,
                created_at: rfc3339(f.created_at),
            })
            .collect(),
        request: SupportRequest::for_caller(view.request, staff),
    }
}

pub(crate) async fn detail_of(
    state: &AppState,
    caller: &ApiCaller,
    id: &str,
) -> AppResult<RequestDetail> {
    Ok(detail(
        state.app.request_view(caller, id).await?,
        caller.is_staff(),
    ))
}

/// File a support request (admins of Advanced and Enterprise organisations).
#[utoipa::path(
    post, path = "/api/v1/requests", tag = "requests",
    security(("bearer" = [])),
    request_body = NewSupportRequest,
    responses(
        (status = 201, body = RequestDetail),
        (status = 403, description = "Members and Core organisations have no direct support", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn create_request(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(req): JsonBody<NewSupportRequest>,
) -> AppResult<(StatusCode, Json<RequestDetail>)> {
    let input = NewRequestInput {
        subject: req.subject,
        description: req.description,
        priority: req.priority,
        component: req.component,
        follow_up_of: req.follow_up_of,
    };
    let id = state.app.file_request(&caller, input, Vec::new()).await?;
    Ok((
        StatusCode::CREATED,
        Json(detail_of(&state, &caller, &id).await?),
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
    /// Free text in subject, description and public messages; `#1042`
    /// finds request number 1042.
    pub q: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Staff only: a queue view (`unassigned`, `mine`, `open`, `overdue`,
    /// `waiting`, `solved`, `all`), sorted by priority then age unless `sort` says
    /// otherwise.
    pub view: Option<String>,
    /// Staff only: an organisation's id.
    pub organisation: Option<String>,
    /// Staff only: `core`, `advanced` or `enterprise`.
    pub plan: Option<String>,
    /// Staff only: a support team's id (the requests of the organisations
    /// it serves).
    pub team: Option<String>,
    /// Staff only: `me`, `none` or an agent's id.
    pub assignee: Option<String>,
    /// Staff only: an incident's id (the requests linked to it).
    pub incident: Option<String>,
    /// Staff only: `priority` (most urgent first, then oldest), `created`
    /// (filing order), `updated` (least recent activity first) or `due`
    /// (soonest due first); `-` in front reverses. Default: the view's
    /// order, or `-updated` without a view.
    pub sort: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(value_type = Option<i64>)]
    pub limit: Option<String>,
}

/// Requests the caller can see, newest activity first.
#[utoipa::path(
    get, path = "/api/v1/requests", tag = "requests",
    security(("bearer" = [])),
    params(ListParams),
    responses((status = 200, body = RequestList), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn list_requests(
    State(state): State<AppState>,
    caller: ApiCaller,
    QueryOf(p): QueryOf<ListParams>,
) -> AppResult<Json<RequestList>> {
    let limit = page_size(p.limit.as_deref())?;
    let input = ListInput {
        status: p.status,
        priority: p.priority,
        component: p.component,
        q: p.q,
        cursor: p.cursor,
        limit,
        view: p.view,
        organisation: p.organisation,
        plan: p.plan,
        team: p.team,
        assignee: p.assignee,
        incident: p.incident,
        sort: p.sort,
    };
    let (requests, next) = state.app.list_requests(&caller, &input).await?;
    let staff = caller.is_staff();
    Ok(Json(RequestList {
        requests: requests
            .into_iter()
            .map(|r| SupportRequest::for_caller(r, staff))
            .collect(),
        next_cursor: next,
    }))
}

/// One request with its conversation and activity log.
#[utoipa::path(
    get, path = "/api/v1/requests/{id}", tag = "requests",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Request id")),
    responses((status = 200, body = RequestDetail), (status = 404, body = ErrorBody))
)]
pub async fn get_request(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<RequestDetail>> {
    Ok(Json(detail_of(&state, &caller, &id).await?))
}

/// The bytes of a file attached to a request.
#[utoipa::path(
    get, path = "/api/v1/requests/{id}/attachments/{file}", tag = "requests",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Request id"),
        ("file" = String, Path, description = "Attachment id"),
    ),
    responses(
        (status = 200, description = "The file, with its content type", content_type = "application/octet-stream"),
        (status = 404, body = ErrorBody),
    )
)]
pub async fn get_attachment(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, file)): Path<(String, String)>,
) -> AppResult<axum::response::Response> {
    let (f, path) = state.app.attachment(&caller, &id, &file).await?;
    super::pages::file_response(&f, &path).await
}

/// Reply to a request; agents may post an internal note.
#[utoipa::path(
    post, path = "/api/v1/requests/{id}/messages", tag = "requests",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Request id")),
    request_body = NewMessage,
    responses(
        (status = 201, body = RequestDetail),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The request is closed", body = ErrorBody),
    )
)]
pub async fn post_message(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(m): JsonBody<NewMessage>,
) -> AppResult<(StatusCode, Json<RequestDetail>)> {
    let status = m.status.as_deref().map(TicketStatus::parse).transpose()?;
    state
        .app
        .reply_and_set(
            &caller,
            &id,
            &m.body,
            m.internal.unwrap_or(false),
            Vec::new(),
            status,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(detail_of(&state, &caller, &id).await?),
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
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The status change is not allowed from the current status", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn patch_request(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(p): JsonBody<RequestPatch>,
) -> AppResult<Json<RequestDetail>> {
    // Another organisation's request is not found before anything else.
    state.app.request(&caller, &id).await?;
    let assignee = assignee_of(p.assignee)?;
    let update = Update {
        status: p.status.as_deref().map(TicketStatus::parse).transpose()?,
        priority: p.priority.as_deref().map(Priority::parse).transpose()?,
        assignee,
    };
    state.app.update_request(&caller, &id, update).await?;
    Ok(Json(detail_of(&state, &caller, &id).await?))
}
