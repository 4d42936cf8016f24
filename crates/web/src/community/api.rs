//! `/api/v1/community/…`: the help community for programs. Reading is
//! public; asking, answering, voting and accepting need a signed-in caller.
use crate::chat::api::BecameRequest;
use crate::http::ctx::{ApiCaller, Reader};
use crate::http::error::{AppResult, ErrorBody};
use crate::http::extract::JsonBody;
use crate::http::state::AppState;
use crate::i18n::rfc3339;
use app::community::ThreadView;
use app::model::{Post, Thread};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::Language;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct PersonOut {
    pub name: String,
    /// Support staff get a badge.
    pub staff: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ThreadOut {
    pub id: String,
    pub title: String,
    pub lang: String,
    pub author: PersonOut,
    pub answers: i64,
    pub score: i64,
    pub accepted_answer: Option<String>,
    pub locked: bool,
    pub hidden: bool,
    pub created_at: String,
    pub updated_at: String,
    pub url: String,
}

pub fn person(name: &str, role: &str) -> PersonOut {
    PersonOut {
        name: name.to_string(),
        staff: matches!(role, "agent" | "support_admin"),
    }
}

pub fn thread_out(t: &Thread) -> ThreadOut {
    ThreadOut {
        id: t.id.clone(),
        title: t.title.clone(),
        lang: t.lang.clone(),
        author: person(&t.author_name, &t.author_role),
        answers: t.answers,
        score: t.score,
        accepted_answer: t.accepted_post.clone(),
        locked: t.locked != 0,
        hidden: t.hidden != 0,
        created_at: rfc3339(t.created_at),
        updated_at: rfc3339(t.updated_at),
        url: format!("/community/threads/{}", t.id),
    }
}

#[derive(Serialize, ToSchema)]
pub struct PostOut {
    pub id: String,
    pub author: PersonOut,
    /// Markdown, as written.
    pub body: String,
    /// The same, rendered and sanitised.
    pub html: String,
    pub score: i64,
    pub accepted: bool,
    pub hidden: bool,
    pub created_at: String,
}

pub fn post_out(p: &Post, accepted: Option<&str>) -> PostOut {
    PostOut {
        id: p.id.clone(),
        author: person(&p.author_name, &p.author_role),
        html: app::markdown::render(&p.body),
        body: p.body.clone(),
        score: p.score,
        accepted: accepted == Some(p.id.as_str()),
        hidden: p.hidden != 0,
        created_at: rfc3339(p.created_at),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ThreadDetail {
    #[serde(flatten)]
    pub thread: ThreadOut,
    pub question: PostOut,
    /// The accepted answer first, then by votes.
    pub answers: Vec<PostOut>,
}

fn detail(v: ThreadView) -> ThreadDetail {
    let accepted = v.thread.accepted_post.clone();
    ThreadDetail {
        question: post_out(&v.question, None),
        answers: v
            .answers
            .iter()
            .map(|a| post_out(a, accepted.as_deref()))
            .collect(),
        thread: thread_out(&v.thread),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ThreadList {
    pub threads: Vec<ThreadOut>,
}

/// The community's threads, most recently active first.
#[utoipa::path(get, path = "/api/v1/community/threads", tag = "community",
    responses((status = 200, body = ThreadList)))]
pub async fn list(State(state): State<AppState>, reader: Reader) -> AppResult<Json<ThreadList>> {
    let threads = state.app.threads(reader.caller()).await?;
    Ok(Json(ThreadList {
        threads: threads.iter().map(thread_out).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewThread {
    pub title: String,
    /// Markdown.
    pub body: String,
    /// `sv` or `en`; the caller's language when left out.
    pub lang: Option<String>,
}

/// Ask the community a question (anyone signed in; at most 20 posts an hour).
#[utoipa::path(post, path = "/api/v1/community/threads", tag = "community",
    security(("bearer" = [])), request_body = NewThread,
    responses((status = 201, body = ThreadDetail), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(n): JsonBody<NewThread>,
) -> AppResult<(StatusCode, Json<ThreadDetail>)> {
    let lang = n
        .lang
        .as_deref()
        .filter(|l| !l.is_empty())
        .map(Language::parse)
        .transpose()
        .map_err(app::Error::from)?;
    let id = state
        .app
        .ask_community(&caller, &n.title, &n.body, lang)
        .await?;
    let v = state.app.thread(Some(&caller), &id).await?;
    Ok((StatusCode::CREATED, Json(detail(v))))
}

/// One thread with its answers; a hidden one is a 404 except to staff.
#[utoipa::path(get, path = "/api/v1/community/threads/{id}", tag = "community",
    params(("id" = String, Path, description = "Thread id")),
    responses((status = 200, body = ThreadDetail), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    reader: Reader,
    Path(id): Path<String>,
) -> AppResult<Json<ThreadDetail>> {
    Ok(Json(detail(state.app.thread(reader.caller(), &id).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct NewAnswer {
    /// Markdown.
    pub body: String,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: String,
}

/// Answer a thread (not when it is locked: 409 `locked`).
#[utoipa::path(post, path = "/api/v1/community/threads/{id}/answers", tag = "community",
    security(("bearer" = [])), params(("id" = String, Path, description = "Thread id")),
    request_body = NewAnswer,
    responses((status = 201, body = Created), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn answer(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(a): JsonBody<NewAnswer>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = state.app.answer_community(&caller, &id, &a.body).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, ToSchema)]
pub struct VoteIn {
    /// 1 up, -1 down, 0 takes the vote back.
    pub value: i64,
}

/// Vote on a question or an answer (not one's own: 409 `own_post`).
#[utoipa::path(post, path = "/api/v1/community/posts/{id}/vote", tag = "community",
    security(("bearer" = [])), params(("id" = String, Path, description = "Post id")),
    request_body = VoteIn,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn vote(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(v): JsonBody<VoteIn>,
) -> AppResult<StatusCode> {
    state.app.vote_community(&caller, &id, v.value).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct AcceptIn {
    /// The answer to accept; `null` for none.
    pub answer_id: Option<String>,
}

/// Mark the accepted answer (whoever asked, or staff).
#[utoipa::path(post, path = "/api/v1/community/threads/{id}/accept", tag = "community",
    security(("bearer" = [])), params(("id" = String, Path, description = "Thread id")),
    request_body = AcceptIn,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(a): JsonBody<AcceptIn>,
) -> AppResult<StatusCode> {
    state
        .app
        .accept_community_answer(&caller, &id, a.answer_id.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ModerateIn {
    pub hidden: Option<bool>,
    pub locked: Option<bool>,
}

/// Hide or show, lock or unlock a thread (staff).
#[utoipa::path(post, path = "/api/v1/community/threads/{id}/moderate", tag = "community",
    security(("bearer" = [])), params(("id" = String, Path, description = "Thread id")),
    request_body = ModerateIn,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn moderate(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(m): JsonBody<ModerateIn>,
) -> AppResult<StatusCode> {
    state
        .app
        .moderate_thread(&caller, &id, m.hidden, m.locked)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Turn a thread into a support request of the caller's organisation
/// (admins with direct support): the question, the accepted answer and a link.
#[utoipa::path(post, path = "/api/v1/community/threads/{id}/request", tag = "community",
    security(("bearer" = [])), params(("id" = String, Path, description = "Thread id")),
    responses((status = 201, body = BecameRequest), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn to_request(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<(StatusCode, Json<BecameRequest>)> {
    let request_id = state.app.thread_to_request(&caller, &id).await?;
    Ok((StatusCode::CREATED, Json(BecameRequest { request_id })))
}

#[derive(Serialize, ToSchema)]
pub struct BecameArticle {
    /// The draft article's slug (not published).
    pub slug: String,
}

/// Turn a thread's accepted answer into a draft article (support admins;
/// 409 `no_accepted_answer` without one).
#[utoipa::path(post, path = "/api/v1/community/threads/{id}/article", tag = "community",
    security(("bearer" = [])), params(("id" = String, Path, description = "Thread id")),
    responses((status = 201, body = BecameArticle), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn to_article(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<(StatusCode, Json<BecameArticle>)> {
    let slug = state.app.answer_to_article(&caller, &id).await?;
    Ok((StatusCode::CREATED, Json(BecameArticle { slug })))
}
