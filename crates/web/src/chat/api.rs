//! `/api/v1/chats`: live chat for bearer tokens. The WebSocket is
//! `GET /api/v1/chats/{id}/ws` (see `docs/chat-protocol.md`).
use crate::http::ctx::ApiCaller;
use crate::http::error::{AppResult, ErrorBody};
use crate::http::extract::{JsonBody, QueryOf};
use crate::http::state::AppState;
use crate::i18n::rfc3339;
use crate::support::api::Named;
use app::chat::OpenChat;
use app::model::{Chat, ChatMessage};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct QueueOut {
    /// The place in line: 1 is next.
    pub position: i64,
    /// The estimated wait, in seconds.
    pub estimate_secs: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ChatOut {
    pub id: String,
    pub organisation: Named,
    pub requester: Named,
    pub subject: String,
    /// The feature (component id) the chat is about, if any.
    pub component: Option<String>,
    /// `waiting`, `active` or `ended`.
    #[schema(value_type = String, example = "waiting")]
    pub state: String,
    pub agent: Option<Named>,
    /// The seq of the latest message.
    pub last_seq: i64,
    pub created_at: String,
    pub accepted_at: Option<String>,
    pub ended_at: Option<String>,
    /// `good` or `bad`, once rated.
    pub rating: Option<String>,
    /// The support request the chat became, if it did.
    pub request_id: Option<String>,
    pub incident_id: Option<String>,
    /// While waiting: the place in the queue.
    pub queue: Option<QueueOut>,
}

pub async fn chat_out(state: &AppState, c: Chat) -> AppResult<ChatOut> {
    let queue = state.app.queue_place(&c).await?.map(|q| QueueOut {
        position: q.position,
        estimate_secs: q.estimate_secs,
    });
    Ok(ChatOut {
        organisation: Named {
            id: c.org_id,
            name: c.org_name,
        },
        requester: Named {
            id: c.requester_id,
            name: c.requester_name,
        },
        subject: c.subject,
        component: c.component,
        state: c.state.as_str().to_string(),
        agent: c
            .agent_id
            .zip(c.agent_name)
            .map(|(id, name)| Named { id, name }),
        last_seq: c.last_seq,
        created_at: rfc3339(c.created_at),
        accepted_at: c.accepted_at.map(rfc3339),
        ended_at: c.ended_at.map(rfc3339),
        rating: c.rating,
        request_id: c.request_id,
        incident_id: c.incident_id,
        queue,
        id: c.id,
    })
}

#[derive(Serialize, ToSchema)]
pub struct Author {
    pub id: Option<String>,
    pub name: Option<String>,
    /// Whether the author is support staff.
    pub staff: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ChatMessageOut {
    pub seq: i64,
    pub client_id: String,
    pub author: Author,
    /// Markdown, as written.
    pub body: String,
    /// The same, rendered and sanitised.
    pub html: String,
    pub at: String,
}

impl From<ChatMessage> for ChatMessageOut {
    fn from(m: ChatMessage) -> Self {
        Self {
            author: Author {
                staff: m.from_staff(),
                id: m.author_id,
                name: m.author_name,
            },
            html: app::markdown::render(&m.body),
            at: rfc3339(m.created_at),
            seq: m.seq,
            client_id: m.client_id,
            body: m.body,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ChatDetail {
    #[serde(flatten)]
    pub chat: ChatOut,
    /// The transcript, in seq order.
    pub messages: Vec<ChatMessageOut>,
}

#[derive(Serialize, ToSchema)]
pub struct ChatList {
    pub chats: Vec<ChatOut>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewChat {
    pub subject: Option<String>,
    /// The first message (Markdown, at most 8 KiB).
    pub body: String,
    /// A component id: what the chat is about.
    pub component: Option<String>,
}

/// Open a chat (admins of organisations that have chat).
#[utoipa::path(post, path = "/api/v1/chats", tag = "chat",
    security(("bearer" = [])), request_body = NewChat,
    responses((status = 201, body = ChatDetail), (status = 403, description = "No chat for this caller: the reason says why", body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(req): JsonBody<NewChat>,
) -> AppResult<(StatusCode, Json<ChatDetail>)> {
    let chat = state
        .app
        .open_chat(
            &caller,
            OpenChat {
                subject: req.subject,
                body: req.body,
                component: req.component,
                client_id: None,
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(detail(&state, &caller, chat).await?),
    ))
}

async fn detail(state: &AppState, caller: &ApiCaller, chat: Chat) -> AppResult<ChatDetail> {
    let messages = state
        .app
        .chat_messages(caller, &chat.id, 0)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(ChatDetail {
        chat: chat_out(state, chat).await?,
        messages,
    })
}

#[derive(Deserialize, IntoParams)]
pub struct ChatListQuery {
    /// `waiting`, `active` or `ended`: only chats in that state (for agents:
    /// every chat in it, not just the queue and their own).
    pub state: Option<String>,
    /// Agents: only their own chats.
    pub mine: Option<bool>,
}

/// The caller's chats: an organisation's for its admins, newest first; for
/// agents the queue (oldest first) and their own active chats.
#[utoipa::path(get, path = "/api/v1/chats", tag = "chat",
    security(("bearer" = [])), params(ChatListQuery),
    responses((status = 200, body = ChatList), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    QueryOf(q): QueryOf<ChatListQuery>,
) -> AppResult<Json<ChatList>> {
    let mut chats = Vec::new();
    for c in state
        .app
        .filtered_chats(&caller, q.state.as_deref(), q.mine)
        .await?
    {
        chats.push(chat_out(&state, c).await?);
    }
    Ok(Json(ChatList { chats }))
}

/// One chat with its transcript; another organisation's is a 404.
#[utoipa::path(get, path = "/api/v1/chats/{id}", tag = "chat",
    security(("bearer" = [])), params(("id" = String, Path, description = "Chat id")),
    responses((status = 200, body = ChatDetail), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<ChatDetail>> {
    let chat = state.app.chat(&caller, &id).await?;
    Ok(Json(detail(&state, &caller, chat).await?))
}

/// End a chat (the customer side, or its agent).
#[utoipa::path(post, path = "/api/v1/chats/{id}/end", tag = "chat",
    security(("bearer" = [])), params(("id" = String, Path, description = "Chat id")),
    responses((status = 200, body = ChatOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn end(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<ChatOut>> {
    let chat = state.app.end_chat(&caller, &id).await?;
    Ok(Json(chat_out(&state, chat).await?))
}

#[derive(Serialize, ToSchema)]
pub struct BecameRequest {
    /// The support request that carries the transcript.
    pub request_id: String,
}

/// Turn a chat into a support request that carries its transcript (once;
/// asking again gives the same request).
#[utoipa::path(post, path = "/api/v1/chats/{id}/request", tag = "chat",
    security(("bearer" = [])), params(("id" = String, Path, description = "Chat id")),
    responses((status = 201, body = BecameRequest), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn to_request(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<(StatusCode, Json<BecameRequest>)> {
    let request_id = state.app.chat_to_request(&caller, &id).await?;
    Ok((StatusCode::CREATED, Json(BecameRequest { request_id })))
}

/// Take a waiting chat (agents, within their capacity).
#[utoipa::path(post, path = "/api/v1/chats/{id}/accept", tag = "chat",
    security(("bearer" = [])), params(("id" = String, Path, description = "Chat id")),
    responses((status = 200, body = ChatOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<ChatOut>> {
    let chat = state.app.accept_chat(&caller, &id).await?;
    Ok(Json(chat_out(&state, chat).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct Transfer {
    /// The agent's user id.
    pub agent: String,
}

/// Hand an active chat to another agent.
#[utoipa::path(post, path = "/api/v1/chats/{id}/transfer", tag = "chat",
    security(("bearer" = [])), params(("id" = String, Path, description = "Chat id")),
    request_body = Transfer,
    responses((status = 200, body = ChatOut), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn transfer(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<Transfer>,
) -> AppResult<Json<ChatOut>> {
    let chat = state.app.transfer_chat(&caller, &id, &req.agent).await?;
    Ok(Json(chat_out(&state, chat).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct Rating {
    pub good: bool,
    pub comment: Option<String>,
}

/// Rate an ended chat (the customer side).
#[utoipa::path(post, path = "/api/v1/chats/{id}/rating", tag = "chat",
    security(("bearer" = [])), params(("id" = String, Path, description = "Chat id")),
    request_body = Rating,
    responses((status = 204), (status = 409, body = ErrorBody)))]
pub async fn rate(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<Rating>,
) -> AppResult<StatusCode> {
    state
        .app
        .rate_chat(&caller, &id, req.good, req.comment.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// E-mail the transcript to the caller (through the outbox).
#[utoipa::path(post, path = "/api/v1/chats/{id}/transcript", tag = "chat",
    security(("bearer" = [])), params(("id" = String, Path, description = "Chat id")),
    responses((status = 202), (status = 404, body = ErrorBody)))]
pub async fn transcript(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    state.app.email_transcript(&caller, &id).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, ToSchema)]
pub struct LinkIncident {
    pub incident: String,
}

/// Link a chat to an incident (staff).
#[utoipa::path(post, path = "/api/v1/chats/{id}/link", tag = "chat",
    security(("bearer" = [])), params(("id" = String, Path, description = "Chat id")),
    request_body = LinkIncident,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn link(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<LinkIncident>,
) -> AppResult<StatusCode> {
    state.app.link_chat(&caller, &id, &req.incident).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct AvailabilityOut {
    /// Agents online now.
    pub online: usize,
    /// Of them, with room for another chat.
    pub free: usize,
}

/// Whether support can answer a chat now.
#[utoipa::path(get, path = "/api/v1/chats/availability", tag = "chat",
    security(("bearer" = [])),
    responses((status = 200, body = AvailabilityOut), (status = 403, body = ErrorBody)))]
pub async fn availability(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> AppResult<Json<AvailabilityOut>> {
    state.app.permit(&caller, domain::Action::UseChat)?;
    let a = state.app.availability().await?;
    Ok(Json(AvailabilityOut {
        online: a.online,
        free: a.free,
    }))
}
