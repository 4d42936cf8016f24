//! What is waiting to be delivered and what was given up: the outbox for
//! support admins, with "send again".
use crate::http::ctx::Ctx;
use crate::http::error::AppResult;
use crate::http::extract::{CsrfForm, FormBody};
use crate::http::page::{Page, render};
use crate::http::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/outbox", get(outbox))
        .route("/staff/outbox/{id}/retry", post(retry))
}

struct DeadRow {
    id: String,
    channel: String,
    target: String,
    attempts: i64,
    error: String,
}

#[derive(Template)]
#[template(path = "status/staff_outbox.html")]
struct OutboxPage {
    page: Page,
    counts: Vec<(String, i64)>,
    dead: Vec<DeadRow>,
}

async fn outbox(ctx: Ctx) -> AppResult<Response> {
    let (counts, dead) = ctx.app().outbox(ctx.signed_in()?).await?;
    let dead = dead
        .into_iter()
        .map(|m| DeadRow {
            id: m.id,
            channel: m.channel,
            target: m.target,
            attempts: m.attempts,
            error: m.last_error.unwrap_or_default(),
        })
        .collect();
    Ok(render(&OutboxPage {
        page: ctx.page("outbox-title"),
        counts,
        dead,
    })?
    .into_response())
}

async fn retry(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<CsrfForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    ctx.app().retry_outbox(ctx.signed_in()?, &id).await?;
    Ok(Redirect::to("/staff/outbox?done=retrying").into_response())
}
