//! What is waiting to be delivered and what was given up: the dead letters
//! of the outbox, which support admins can send again.
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::FormBody;
use crate::page::{Page, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::Action;
use serde::Deserialize;

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
#[template(path = "staff_outbox.html")]
struct OutboxPage {
    page: Page,
    counts: Vec<(String, i64)>,
    dead: Vec<DeadRow>,
}

async fn outbox(ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ManageOrganisations)?;
    let dead = ctx
        .state
        .store
        .outbox_in_state("dead", 200)
        .await?
        .into_iter()
        .map(|m| DeadRow {
            // Webhook and push URLs carry their secret in the path (a Slack
            // hook's token, a browser's endpoint): staff see the host.
            target: match m.channel.as_str() {
                "webhook" | "push" => format!("{}/…", notify::webhook::host_of(&m.target)),
                _ => m.target,
            },
            id: m.id,
            channel: m.channel,
            attempts: m.attempts,
            error: m.last_error.unwrap_or_default(),
        })
        .collect();
    Ok(render(&OutboxPage {
        page: ctx.page("outbox-title"),
        counts: ctx.state.store.outbox_counts().await?,
        dead,
    })?
    .into_response())
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn retry(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<CsrfForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    ctx.require(Action::ManageOrganisations)?;
    if !ctx.state.store.retry_outbox(&id, ctx.now()).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/staff/outbox?done=retrying").into_response())
}
