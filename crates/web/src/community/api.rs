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
    /// The question waits for review by staff (seen by staff and the asker).
    pub held: bool,
    pub created_at: String,
    pub updated_at: String,
    pub url: String,
}

/// An author as the public community shows them: staff by name (they
/// answer for the company), customers by first name and initial ("Ada
/// A."), so that a public page does not carry their full names.
pub fn person(name: &str, role: &str) -> PersonOut {
    let staff = matches!(role, "agent" | "support_admin");
    PersonOut {
        name: if staff {
            name.to_string()
        } else {
            public_name(name)
        },
        staff,
    }
}

pub fn public_name(name: &str) -> String {
    let mut words = name.split_whitespace();
    let first = words.next().unwrap_or_default();
    match words.last().and_then(|w| w.chars().next()) {
        Some(initial) => format!("{first} {initial}."),
        None => first.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::public_name;

    #[test]
    fn customers_go_by_first_name_and_initial() {
        assert_eq!(public_name("Ada Andersson"), "Ada A.");
        assert_eq!(public_name("Åsa  von  Öberg"), "Åsa Ö.");
        assert_eq!(public_name("Cher"), "Cher");
        assert_eq!(public_name("  "), "");
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
        held: t.held != 0,
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
    /// Waits for review by staff (seen by staff and its author).
    pub held: bool,
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
        held: p.held != 0,
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
    /// The answer waits for review by staff before others see it.
    pub held: bool,
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
    let (id, held) = state.app.answer_community(&caller, &id, &a.body).await?;
    Ok((StatusCode::CREATED, Json(Created { id, held })))
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

#[derive(Deserialize, ToSchema)]
pub struct PostModerateIn {
    pub hidden: bool,
}

/// Hide or show one answer (staff; the question goes with its thread).
#[utoipa::path(post, path = "/api/v1/community/posts/{id}/moderate", tag = "community",
    security(("bearer" = [])), params(("id" = String, Path, description = "Post id")),
    request_body = PostModerateIn,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn moderate_post(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(m): JsonBody<PostModerateIn>,
) -> AppResult<StatusCode> {
    state.app.moderate_post(&caller, &id, m.hidden).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ReportIn {
    /// `spam`, `abusive`, `off_topic` or `other`.
    pub reason: String,
    pub comment: Option<String>,
}

/// Report a question or an answer to staff (anyone signed in, once per
/// post, not one's own: 409 `own_post`).
#[utoipa::path(post, path = "/api/v1/community/posts/{id}/report", tag = "community",
    security(("bearer" = [])), params(("id" = String, Path, description = "Post id")),
    request_body = ReportIn,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(r): JsonBody<ReportIn>,
) -> AppResult<StatusCode> {
    state
        .app
        .report_community_post(&caller, &id, &r.reason, r.comment.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct ReportOut {
    pub reporter: String,
    pub reason: String,
    pub comment: String,
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct QueuedPostOut {
    pub thread_id: String,
    pub thread_title: String,
    /// Whether the post is the thread's question.
    pub question: bool,
    #[serde(flatten)]
    pub post: PostOut,
    pub reports: Vec<ReportOut>,
}

#[derive(Serialize, ToSchema)]
pub struct ReviewQueueOut {
    /// Posts held for review, oldest first.
    pub held: Vec<QueuedPostOut>,
    /// Reported posts, most reported first.
    pub reported: Vec<QueuedPostOut>,
    pub hold_first_posts: bool,
}

pub fn queued_out(q: &app::community::QueuedPost) -> QueuedPostOut {
    QueuedPostOut {
        thread_id: q.post.thread_id.clone(),
        thread_title: q.thread_title.clone(),
        question: q.post.is_question != 0,
        post: post_out(&q.post, None),
        reports: q
            .reports
            .iter()
            .map(|r| ReportOut {
                reporter: r.reporter_name.clone(),
                reason: r.reason.clone(),
                comment: r.comment.clone(),
                created_at: rfc3339(r.created_at),
            })
            .collect(),
    }
}

/// What waits for staff: held and reported posts (staff).
#[utoipa::path(get, path = "/api/v1/community/queue", tag = "community",
    security(("bearer" = [])),
    responses((status = 200, body = ReviewQueueOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn queue(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> AppResult<Json<ReviewQueueOut>> {
    let q = state.app.review_queue(&caller).await?;
    Ok(Json(ReviewQueueOut {
        held: q.held.iter().map(queued_out).collect(),
        reported: q.reported.iter().map(queued_out).collect(),
        hold_first_posts: q.hold_first_posts,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ReviewIn {
    /// `approve` (a held post), `hide`, or `dismiss` (a reported post's
    /// reports; 409 `held` for a held post).
    pub action: String,
}

/// Decide on a held or reported post (staff); its open reports are closed.
#[utoipa::path(post, path = "/api/v1/community/posts/{id}/review", tag = "community",
    security(("bearer" = [])), params(("id" = String, Path, description = "Post id")),
    request_body = ReviewIn,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(r): JsonBody<ReviewIn>,
) -> AppResult<StatusCode> {
    state
        .app
        .review_community_post(&caller, &id, &r.action)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct MoveIn {
    /// `sv` or `en`.
    pub lang: String,
    /// A clearer title, when staff give one.
    pub title: Option<String>,
}

/// Move a thread to the other language's community, optionally retitled (staff).
#[utoipa::path(post, path = "/api/v1/community/threads/{id}/move", tag = "community",
    security(("bearer" = [])), params(("id" = String, Path, description = "Thread id")),
    request_body = MoveIn,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn move_thread(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(m): JsonBody<MoveIn>,
) -> AppResult<StatusCode> {
    let lang = Language::parse(&m.lang).map_err(app::Error::from)?;
    let title = m.title.as_deref().filter(|t| !t.trim().is_empty());
    state.app.move_thread(&caller, &id, lang, title).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct MergeIn {
    /// The thread to keep: its id (or its address).
    pub into: String,
}

#[derive(Serialize, ToSchema)]
pub struct Merged {
    /// The thread kept; the merged one's address leads there.
    pub id: String,
    pub url: String,
}

/// Merge a thread into another (staff): its question becomes an answer
/// there, its answers and votes come along, and its address leads there.
#[utoipa::path(post, path = "/api/v1/community/threads/{id}/merge", tag = "community",
    security(("bearer" = [])), params(("id" = String, Path, description = "Thread id")),
    request_body = MergeIn,
    responses((status = 200, body = Merged), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn merge(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(m): JsonBody<MergeIn>,
) -> AppResult<Json<Merged>> {
    let id = state.app.merge_threads(&caller, &id, &m.into).await?;
    Ok(Json(Merged {
        url: format!("/community/threads/{id}"),
        id,
    }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct CommunitySettings {
    /// Hold the posts of users without an approved post for review.
    pub hold_first_posts: bool,
}

/// The community's moderation settings (staff).
#[utoipa::path(get, path = "/api/v1/community/settings", tag = "community",
    security(("bearer" = [])),
    responses((status = 200, body = CommunitySettings), (status = 403, body = ErrorBody)))]
pub async fn settings(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> AppResult<Json<CommunitySettings>> {
    Ok(Json(CommunitySettings {
        hold_first_posts: state.app.community_settings(&caller).await?,
    }))
}

/// Change the community's moderation settings (support admins).
#[utoipa::path(patch, path = "/api/v1/community/settings", tag = "community",
    security(("bearer" = [])), request_body = CommunitySettings,
    responses((status = 200, body = CommunitySettings), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_settings(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(s): JsonBody<CommunitySettings>,
) -> AppResult<Json<CommunitySettings>> {
    state
        .app
        .set_hold_first_posts(&caller, s.hold_first_posts)
        .await?;
    Ok(Json(CommunitySettings {
        hold_first_posts: state.app.hold_first_posts().await?,
    }))
}
