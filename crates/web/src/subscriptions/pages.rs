//! The subscription pages: subscribe (double opt-in), confirm, and the
//! one-click unsubscribe (RFC 8058).
use crate::http::ctx::Ctx;
use crate::http::error::{AppResult, Error};
use crate::http::extract::{FormBody, QueryOf};
use crate::http::page::{MessagePage, Page, render};
use crate::http::state::AppState;
use app::subscriptions::Subscribed;
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/status/subscribe", get(form).post(subscribe_form))
        .route("/subscriptions/confirm", get(confirm))
        .route(
            "/subscriptions/unsubscribe",
            get(unsubscribe_page).post(unsubscribe),
        )
}

#[derive(Template)]
#[template(path = "subscriptions/subscribe.html")]
struct SubscribePage {
    page: Page,
    error: Option<String>,
    email: String,
    components: Vec<(String, String)>,
    /// No SMTP relay: confirmations wait until one is configured.
    mail_waits: bool,
}

async fn subscribe_page(ctx: &Ctx, error: Option<String>, email: String) -> AppResult<Response> {
    let components = ctx.app().component_choices().await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let html = render(&SubscribePage {
        page: ctx.page("subscribe-title"),
        error,
        email,
        components,
        mail_waits: !ctx.app().config.mail_relay,
    })?;
    Ok((status, html).into_response())
}

async fn form(ctx: Ctx) -> AppResult<Response> {
    subscribe_page(&ctx, None, String::new()).await
}

async fn subscribe_form(
    ctx: Ctx,
    FormBody(f): FormBody<Vec<(String, String)>>,
) -> AppResult<Response> {
    let field = |n: &str| {
        f.iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    ctx.check_csrf(&field("csrf"))?;
    let components: Vec<String> = f
        .iter()
        .filter(|(k, _)| k == "component")
        .map(|(_, v)| v.clone())
        .collect();
    match ctx
        .app()
        .subscribe(&field("email"), &components, ctx.lang, &ctx.client)
        .await
    {
        Ok(Subscribed::Sent) => message(&ctx, "subscribe-sent-title", "subscribe-sent-body"),
        Ok(Subscribed::AlreadySent { retry_after_secs }) => {
            let minutes = retry_after_secs.div_ceil(60).max(1).to_string();
            let text = ctx
                .tr()
                .ta("subscribe-already-sent", &[("minutes", &minutes)]);
            message_text(&ctx, "subscribe-sent-title", text)
        }
        Err(e @ Error::Invalid(_)) => {
            subscribe_page(&ctx, Some(e.message(ctx.lang)), field("email")).await
        }
        Err(e) => Err(e.into()),
    }
}

fn message(ctx: &Ctx, title: &str, body: &str) -> AppResult<Response> {
    message_text(ctx, title, ctx.tr().t(body))
}

fn message_text(ctx: &Ctx, title: &str, text: String) -> AppResult<Response> {
    let page = ctx.page(title);
    Ok(render(&MessagePage {
        tone: "info",
        message: text,
        detail: None,
        link_href: "/status".into(),
        link_text: page.t("open-status"),
        page,
    })?
    .into_response())
}

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn confirm(ctx: Ctx, QueryOf(q): QueryOf<TokenQuery>) -> AppResult<Response> {
    if ctx.app().confirm_subscription(&q.token).await? {
        message(
            &ctx,
            "subscribe-confirmed-title",
            "subscribe-confirmed-body",
        )
    } else {
        message(&ctx, "subscribe-invalid-title", "subscribe-invalid-body")
    }
}

#[derive(Deserialize)]
struct UnsubscribeQuery {
    #[serde(default)]
    s: String,
    #[serde(default)]
    t: String,
}

#[derive(Template)]
#[template(path = "subscriptions/unsubscribe.html")]
struct UnsubscribePage {
    page: Page,
    action: String,
}

/// Shows a button rather than unsubscribing on GET, so link scanners in
/// mail systems do not unsubscribe anyone.
async fn unsubscribe_page(ctx: Ctx, QueryOf(q): QueryOf<UnsubscribeQuery>) -> AppResult<Response> {
    ctx.app().check_unsubscribe_link(&q.s, &q.t).await?;
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("s", &q.s)
        .append_pair("t", &q.t)
        .finish();
    Ok(render(&UnsubscribePage {
        page: ctx.page("unsubscribe-title"),
        action: format!("/subscriptions/unsubscribe?{query}"),
    })?
    .into_response())
}

/// The one-click unsubscribe (RFC 8058): the signed link is the authority,
/// so mail clients may POST to it without a form token.
async fn unsubscribe(ctx: Ctx, QueryOf(q): QueryOf<UnsubscribeQuery>) -> AppResult<Response> {
    ctx.app().unsubscribe(&q.s, &q.t).await?;
    message(&ctx, "unsubscribed-title", "unsubscribed-body")
}
