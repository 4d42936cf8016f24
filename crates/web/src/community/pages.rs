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
use domain::{Language, ReportReason};
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
        .route("/community/posts/{id}/report", post(report))
        .route("/community/threads/{id}/move", post(move_thread))
        .route("/community/threads/{id}/merge", post(merge))
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
    /// The reader has reported it.
    pub reported: bool,
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
    top_error: Option<String>,
    /// (value, name) of the reasons to report a post.
    report_reasons: Vec<(&'static str, String)>,
    /// The other language, for moving the thread there.
    other_lang: (&'static str, String),
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
        reported: v.my_reports.contains(&p.id),
        p: p.clone(),
    }
}

/// What a thread page shows of a form that did not work.
#[derive(Default)]
struct Form {
    /// Beside the answer form, with the answer kept.
    error: Option<String>,
    draft: String,
    /// At the top (moderation and reports).
    top_error: Option<String>,
}

async fn thread_view(ctx: &Ctx, id: &str, status: StatusCode, form: Form) -> AppResult<Response> {
    let v = ctx.app().thread(ctx.caller(), id).await?;
    render_thread(ctx, v, status, form)
}

fn render_thread(ctx: &Ctx, v: ThreadView, status: StatusCode, form: Form) -> AppResult<Response> {
    let mut page = ctx.page("community-title");
    page.title = v.thread.title.clone();
    let question = row(ctx, &v, &v.question);
    let answers = v.answers.iter().map(|a| row(ctx, &v, a)).collect();
    let tr = ctx.tr();
    let report_reasons = ReportReason::ALL
        .iter()
        .map(|r| {
            let key = format!("community-report-{}", r.as_str().replace('_', "-"));
            (r.as_str(), tr.t(&key))
        })
        .collect();
    let other = if v.thread.lang == "sv" {
        Language::En
    } else {
        Language::Sv
    };
    let other_lang = (
        other.as_str(),
        tr.t(&format!("language-{}", other.as_str())),
    );
    Ok((
        status,
        render(&ThreadPage {
            page,
            question,
            answers,
            signed_in: ctx.caller().is_some(),
            error: form.error,
            draft: form.draft,
            top_error: form.top_error,
            report_reasons,
            other_lang,
            v,
        })?,
    )
        .into_response())
}

async fn thread_page(ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    // A merged thread's address leads to the thread it was merged into.
    let v = ctx.app().thread(ctx.caller(), &id).await?;
    if v.thread.id != id {
        return Ok(
            Redirect::permanent(&format!("/community/threads/{}", v.thread.id)).into_response(),
        );
    }
    render_thread(&ctx, v, StatusCode::OK, Form::default())
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
        Ok((answer, _held)) => {
            Ok(Redirect::to(&format!("/community/threads/{id}#a-{answer}")).into_response())
        }
        Err(e @ (Error::Invalid(_) | Error::Conflict(_) | Error::TooMany { .. })) => {
            let message = e.message(ctx.lang);
            let form = Form {
                error: Some(message),
                draft: f.body,
                ..Form::default()
            };
            thread_view(&ctx, &id, StatusCode::UNPROCESSABLE_ENTITY, form).await
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

#[derive(Deserialize)]
struct ReportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    thread: String,
}

async fn report(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<ReportForm>,
) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    ctx.check_csrf(&f.csrf)?;
    let done = ctx
        .app()
        .report_community_post(caller, &id, &f.reason, Some(&f.comment))
        .await
        .map(|thread| format!("/community/threads/{thread}?done=community-reported#a-{id}"));
    done_or_form(&ctx, &f.thread, done).await
}

/// After a moderation or report form: on to `done`, or the thread again
/// with the reason it did not work at the top.
async fn done_or_form(ctx: &Ctx, thread: &str, done: app::Result<String>) -> AppResult<Response> {
    match done {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(e @ (Error::Invalid(_) | Error::Conflict(_) | Error::TooMany { .. })) => {
            let message = e.message(ctx.lang);
            let form = Form {
                top_error: Some(message),
                ..Form::default()
            };
            thread_view(ctx, thread, StatusCode::UNPROCESSABLE_ENTITY, form).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct MoveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    lang: String,
    #[serde(default)]
    title: String,
}

async fn move_thread(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<MoveForm>,
) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    ctx.check_csrf(&f.csrf)?;
    let lang = Language::parse(&f.lang).map_err(app::Error::from)?;
    let title = Some(f.title.as_str()).filter(|t| !t.trim().is_empty());
    let done = ctx
        .app()
        .move_thread(caller, &id, lang, title)
        .await
        .map(|()| format!("/community/threads/{id}?done=community-moved"));
    done_or_form(&ctx, &id, done).await
}

#[derive(Deserialize)]
struct MergeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    into: String,
}

async fn merge(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<MergeForm>,
) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    ctx.check_csrf(&f.csrf)?;
    let done = ctx
        .app()
        .merge_threads(caller, &id, &f.into)
        .await
        .map(|into| format!("/community/threads/{into}?done=community-merged"));
    done_or_form(&ctx, &id, done).await
}
