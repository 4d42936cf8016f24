//! The help community's pages: `/community` (threads and the "Ask the
//! community" form) and `/community/threads/{id}` (the question, its
//! answers, votes, accepting and moderation). Every action is a form post.
use crate::community::api::{PersonOut, person};
use crate::http::ctx::Ctx;
use crate::http::error::{AppResult, Error};
use crate::http::extract::FormBody;
use crate::http::page::{Page, render};
use crate::http::state::AppState;
use crate::i18n::format_time;
use app::community::ThreadView;
use app::model::{Post, Thread};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/community", get(list).post(ask))
        .route("/community/threads/{id}", get(thread_page))
        .route("/community/threads/{id}/answers", post(answer))
        .route("/community/threads/{id}/accept", post(accept))
        .route("/community/threads/{id}/moderate", post(moderate))
        .route("/community/threads/{id}/request", post(to_request))
        .route("/community/threads/{id}/article", post(to_article))
        .route("/community/posts/{id}/vote", post(vote))
        .route("/community/posts/{id}/moderate", post(moderate_post))
}

pub struct ThreadRow {
    pub t: Thread,
    pub author: PersonOut,
    pub when: String,
}

#[derive(Template)]
#[template(path = "community/list.html")]
struct ListPage {
    page: Page,
    rows: Vec<ThreadRow>,
    signed_in: bool,
    error: Option<String>,
    title: String,
    body: String,
}

async fn list_page(
    ctx: &Ctx,
    status: StatusCode,
    error: Option<String>,
    title: String,
    body: String,
) -> AppResult<Response> {
    let rows = ctx
        .app()
        .threads(ctx.caller())
        .await?
        .into_iter()
        .map(|t| ThreadRow {
            author: person(&t.author_name, &t.author_role),
            when: format_time(t.updated_at, ctx.lang),
            t,
        })
        .collect();
    Ok((
        status,
        render(&ListPage {
            page: ctx.page("community-title"),
            rows,
            signed_in: ctx.caller().is_some(),
            error,
            title,
            body,
        })?,
    )
        .into_response())
}

async fn list(ctx: Ctx) -> AppResult<Response> {
    list_page(&ctx, StatusCode::OK, None, String::new(), String::new()).await
}

#[derive(Deserialize)]
struct AskForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

async fn ask(ctx: Ctx, FormBody(f): FormBody<AskForm>) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    ctx.check_csrf(&f.csrf)?;
    match ctx
        .app()
        .ask_community(caller, &f.title, &f.body, Some(ctx.lang))
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/community/threads/{id}")).into_response()),
        Err(e @ (Error::Invalid(_) | Error::TooMany { .. })) => {
            let message = e.message(ctx.lang);
            list_page(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(message),
                f.title,
                f.body,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub struct PostRow {
    pub p: Post,
    pub author: PersonOut,
    pub html: String,
    pub when: String,
    pub accepted: bool,
    /// The reader's vote: 1, -1 or 0.
    pub mine: i64,
    pub own: bool,
}

#[derive(Template)]
#[template(path = "community/thread.html")]
struct ThreadPage {
    page: Page,
    v: ThreadView,
    question: PostRow,
    answers: Vec<PostRow>,
    signed_in: bool,
    error: Option<String>,
    draft: String,
}

fn row(ctx: &Ctx, v: &ThreadView, p: &Post) -> PostRow {
    PostRow {
        author: person(&p.author_name, &p.author_role),
        html: app::markdown::render(&p.body),
        when: format_time(p.created_at, ctx.lang),
        accepted: v.thread.accepted_post.as_deref() == Some(p.id.as_str()),
        mine: v
            .my_votes
            .iter()
            .find(|(id, _)| *id == p.id)
            .map(|(_, value)| *value)
            .unwrap_or(0),
        own: ctx.caller().is_some_and(|c| c.user_id() == p.author_id),
        p: p.clone(),
    }
}

async fn thread_view(
    ctx: &Ctx,
    id: &str,
    status: StatusCode,
    error: Option<String>,
    draft: String,
) -> AppResult<Response> {
    let v = ctx.app().thread(ctx.caller(), id).await?;
    let mut page = ctx.page("community-title");
    page.title = v.thread.title.clone();
    let question = row(ctx, &v, &v.question);
    let answers = v.answers.iter().map(|a| row(ctx, &v, a)).collect();
    Ok((
        status,
        render(&ThreadPage {
            page,
            question,
            answers,
            signed_in: ctx.caller().is_some(),
            error,
            draft,
            v,
        })?,
    )
        .into_response())
}

async fn thread_page(ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    thread_view(&ctx, &id, StatusCode::OK, None, String::new()).await
}

#[derive(Deserialize)]
struct AnswerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
}

async fn answer(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<AnswerForm>,
) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    ctx.check_csrf(&f.csrf)?;
    match ctx.app().answer_community(caller, &id, &f.body).await {
        Ok(answer) => {
            Ok(Redirect::to(&format!("/community/threads/{id}#a-{answer}")).into_response())
        }
        Err(e @ (Error::Invalid(_) | Error::Conflict(_) | Error::TooMany { .. })) => {
            let message = e.message(ctx.lang);
            thread_view(
                &ctx,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(message),
                f.body,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct VoteForm {
    #[serde(default)]
    csrf: String,
    value: i64,
    thread: String,
}

async fn vote(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<VoteForm>,
) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    ctx.check_csrf(&f.csrf)?;
    ctx.app().vote_community(caller, &id, f.value).await?;
    Ok(Redirect::to(&format!("/community/threads/{}#a-{id}", f.thread)).into_response())
}

#[derive(Deserialize)]
struct AcceptForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    answer: String,
}

async fn accept(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<AcceptForm>,
) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    ctx.check_csrf(&f.csrf)?;
    let answer = Some(f.answer.as_str()).filter(|a| !a.is_empty());
    ctx.app()
        .accept_community_answer(caller, &id, answer)
        .await?;
    Ok(Redirect::to(&format!("/community/threads/{id}")).into_response())
}

#[derive(Deserialize)]
struct ModerateForm {
    #[serde(default)]
    csrf: String,
    /// `hide`, `show`, `lock` or `unlock`.
    action: String,
    #[serde(default)]
    thread: String,
}

async fn moderate(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<ModerateForm>,
) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    ctx.check_csrf(&f.csrf)?;
    let (hidden, locked) = match f.action.as_str() {
        "hide" => (Some(true), None),
        "show" => (Some(false), None),
        "lock" => (None, Some(true)),
        "unlock" => (None, Some(false)),
        _ => return Err(app::Error::invalid("action", "not_one_of").into()),
    };
    ctx.app()
        .moderate_thread(caller, &id, hidden, locked)
        .await?;
    Ok(Redirect::to(&format!("/community/threads/{id}")).into_response())
}

async fn moderate_post(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<ModerateForm>,
) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    ctx.check_csrf(&f.csrf)?;
    let hidden = match f.action.as_str() {
        "hide" => true,
        "show" => false,
        _ => return Err(app::Error::invalid("action", "not_one_of").into()),
    };
    ctx.app().moderate_post(caller, &id, hidden).await?;
    Ok(Redirect::to(&format!("/community/threads/{}#a-{id}", f.thread)).into_response())
}

async fn to_request(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<crate::http::extract::CsrfForm>,
) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    ctx.check_csrf(&f.csrf)?;
    let request = ctx.app().thread_to_request(caller, &id).await?;
    Ok(Redirect::to(&format!("/support/requests/{request}")).into_response())
}

async fn to_article(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<crate::http::extract::CsrfForm>,
) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    ctx.check_csrf(&f.csrf)?;
    let slug = ctx.app().answer_to_article(caller, &id).await?;
    Ok(Redirect::to(&format!("/staff/help/{slug}/edit?done=article-saved")).into_response())
}
