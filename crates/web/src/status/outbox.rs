//! What is waiting to be delivered and what was given up: the outbox for
//! support admins, with "send again".
use crate::http::ctx::Ctx;
use crate::http::error::AppResult;
use crate::http::extract::{CsrfForm, FormBody};
use crate::http::page::{Page, render};
use crate::http::state::AppState;
use crate::i18n::format_time;
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

struct Row {
    id: String,
    channel: String,
    target: String,
    attempts: i64,
    error: String,
    when: String,
}

#[derive(Template)]
#[template(path = "status/staff_outbox.html")]
struct OutboxPage {
    page: Page,
    /// (state's name, how many).
    counts: Vec<(String, i64)>,
    dead: Vec<Row>,
    pending: Vec<Row>,
    /// No SMTP relay is configured, and this many e-mails wait.
    mail_waiting: Option<i64>,
    mail_relay: bool,
}

fn row(ctx: &Ctx, m: app::model::OutboxMessage) -> Row {
    let tr = ctx.tr();
    Row {
        channel: tr
            .try_t(&format!("outbox-channel-{}", m.channel))
            .unwrap_or_else(|| m.channel.clone()),
        when: format_time(m.created_at, ctx.lang),
        id: m.id,
        target: m.target,
        attempts: m.attempts,
        error: m.last_error.unwrap_or_default(),
    }
}

async fn outbox(ctx: Ctx) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    let v = ctx.app().outbox(caller).await?;
    let tr = ctx.tr();
    let counts = v
        .counts
        .iter()
        .map(|(state, n)| {
            let name = tr
                .try_t(&format!("outbox-state-{state}"))
                .unwrap_or_else(|| state.clone());
            (name, *n)
        })
        .collect();
    let mail_waiting = ctx.app().mail_waiting_without_relay().await?;
    Ok(render(&OutboxPage {
        page: ctx.page("outbox-title"),
        counts,
        dead: v.dead.into_iter().map(|m| row(&ctx, m)).collect(),
        pending: v.pending.into_iter().map(|m| row(&ctx, m)).collect(),
        mail_waiting,
        mail_relay: v.mail_relay,
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
