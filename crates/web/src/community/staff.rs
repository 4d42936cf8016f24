//! `/staff/community`: the community's review queue for support staff:
//! posts held for review (new users' first posts, while that is on) and
//! posts readers reported, each with approve, hide or dismiss; and the
//! switch that holds new users' first posts.
use crate::community::api::{PersonOut, person};
use crate::http::ctx::Ctx;
use crate::http::error::AppResult;
use crate::http::extract::FormBody;
use crate::http::page::{Page, render};
use crate::http::state::AppState;
use crate::i18n::format_time;
use app::community::QueuedPost;
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::Action;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/community", get(queue))
        .route("/staff/community/settings", post(settings))
        .route("/staff/community/posts/{id}/review", post(review))
}

pub struct QueueRow {
    pub q: QueuedPost,
    pub author: PersonOut,
    pub html: String,
    pub when: String,
    /// (reporter, reason's name, comment, when).
    pub reports: Vec<(String, String, String, String)>,
}

#[derive(Template)]
#[template(path = "community/queue.html")]
struct QueuePage {
    page: Page,
    held: Vec<QueueRow>,
    reported: Vec<QueueRow>,
    hold_first_posts: bool,
    may_set: bool,
}

fn queue_row(ctx: &Ctx, q: QueuedPost) -> QueueRow {
    let tr = ctx.tr();
    QueueRow {
        // Staff see who wrote it in full.
        author: PersonOut {
            name: q.post.author_name.clone(),
            staff: person(&q.post.author_name, &q.post.author_role).staff,
        },
        html: app::markdown::render(&q.post.body),
        when: format_time(q.post.created_at, ctx.lang),
        reports: q
            .reports
            .iter()
            .map(|r| {
                (
                    r.reporter_name.clone(),
                    tr.t(&format!("community-report-{}", r.reason.replace('_', "-"))),
                    r.comment.clone(),
                    format_time(r.created_at, ctx.lang),
                )
            })
            .collect(),
        q,
    }
}

async fn queue(ctx: Ctx) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    let v = ctx.app().review_queue(caller).await?;
    let held = v.held.into_iter().map(|q| queue_row(&ctx, q)).collect();
    let reported = v.reported.into_iter().map(|q| queue_row(&ctx, q)).collect();
    Ok(render(&QueuePage {
        page: ctx.page("community-queue-title"),
        held,
        reported,
        hold_first_posts: v.hold_first_posts,
        may_set: caller.may(Action::ManageHelpCenter),
    })?
    .into_response())
}

#[derive(Deserialize)]
struct SettingsForm {
    #[serde(default)]
    csrf: String,
    /// A checkbox: present when on.
    #[serde(default)]
    hold_first_posts: Option<String>,
}

async fn settings(ctx: Ctx, FormBody(f): FormBody<SettingsForm>) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    ctx.check_csrf(&f.csrf)?;
    ctx.app()
        .set_hold_first_posts(caller, f.hold_first_posts.is_some())
        .await?;
    Ok(Redirect::to("/staff/community?done=saved").into_response())
}

#[derive(Deserialize)]
struct ReviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
}

async fn review(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<ReviewForm>,
) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    ctx.check_csrf(&f.csrf)?;
    ctx.app()
        .review_community_post(caller, &id, &f.action)
        .await?;
    Ok(Redirect::to("/staff/community?done=community-reviewed").into_response())
}
