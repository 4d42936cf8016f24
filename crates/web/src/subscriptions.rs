//! E-mail subscriptions to the status page: double opt-in, all features or
//! chosen ones, one-click unsubscribe (RFC 8058), and the fan-out worker that
//! turns each posted incident update into one e-mail per subscriber.
use crate::ctx::{ClientAddr, Ctx};
use crate::error::{AppError, AppResult};
use crate::extract::{FormBody, JsonBody};
use crate::i18n::Tr;
use crate::integrations::{Notice, format_body};
use crate::page::{MessagePage, Page, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::{EmailAddress, Language};
use serde::{Deserialize, Serialize};
use store::NewOutboxMessage;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/status/subscribe", get(form).post(subscribe_form))
        .route("/subscriptions/confirm", get(confirm))
        .route(
            "/subscriptions/unsubscribe",
            get(unsubscribe_page).post(unsubscribe),
        )
}

/// The secret unsubscribe links are signed with, kept in the database.
async fn link_secret(state: &AppState) -> AppResult<String> {
    Ok(state
        .store
        .setting_or_insert("subscription_secret", &store::new_secret("").0)
        .await?)
}

/// The signature in unsubscribe links: HMAC-SHA256 of the subscriber id.
fn sign(secret: &str, id: &str) -> AppResult<String> {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    mac.update(id.as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

fn unsubscribe_link(state: &AppState, secret: &str, id: &str) -> AppResult<String> {
    Ok(format!(
        "{}/subscriptions/unsubscribe?s={id}&t={}",
        state.config.base_url,
        sign(secret, id)?
    ))
}

/// Validates and records a subscription; sends the confirmation e-mail.
async fn subscribe(
    state: &AppState,
    email: &str,
    components: &[String],
    lang: Language,
    client: &str,
) -> AppResult<()> {
    let email = EmailAddress::parse(email)?;
    let now = state.clock.now_ms();
    crate::ctx::throttle_public(state, "subscribe", client).await?;
    crate::status_routes::check_component_ids(state, components).await?;
    let tr = Tr(lang);
    let base = state.config.base_url.clone();
    let to = email.as_str().to_string();
    state
        .store
        .subscribe(email.as_str(), components, lang.as_str(), now, |id, raw| {
            let link = format!("{base}/subscriptions/confirm?token={raw}");
            NewOutboxMessage {
                channel: "email".into(),
                target: to.clone(),
                payload: {
                    let subject = tr.t("sub-confirm-subject");
                    let text = tr.ta("sub-confirm-body", &[("link", &link)]);
                    notify::Email {
                        to: to.clone(),
                        html: crate::mail_html::render(lang, &subject, &text, None),
                        subject,
                        text,
                        headers: Vec::new(),
                    }
                }
                .to_json(),
                idempotency_key: format!("subscribe:{id}:{}", store::hash_secret(raw)),
            }
        })
        .await?;
    Ok(())
}

#[derive(Deserialize, ToSchema)]
pub struct NewSubscription {
    pub email: String,
    /// Component ids; absent or empty for every feature.
    pub components: Option<Vec<String>>,
    /// `sv` or `en` for the e-mails; default from the browser.
    pub language: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SubscriptionAccepted {
    /// Always `confirmation_sent`: the address must confirm before anything is sent.
    pub status: &'static str,
}

/// Subscribe an e-mail address to status updates (public; double opt-in).
#[utoipa::path(post, path = "/api/v1/subscriptions", tag = "status",
    request_body = NewSubscription,
    responses((status = 202, body = SubscriptionAccepted), (status = 422, body = crate::api::ErrorBody), (status = 429, body = crate::api::ErrorBody)))]
pub async fn api_subscribe(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: axum::http::HeaderMap,
    JsonBody(req): JsonBody<NewSubscription>,
) -> AppResult<(StatusCode, Json<SubscriptionAccepted>)> {
    let lang = match req.language.as_deref() {
        Some(l) => Language::parse(l)?,
        None => crate::ctx::negotiate_language(&state, &headers, None),
    };
    subscribe(
        &state,
        &req.email,
        &req.components.unwrap_or_default(),
        lang,
        &client,
    )
    .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(SubscriptionAccepted {
            status: "confirmation_sent",
        }),
    ))
}

#[derive(Template)]
#[template(path = "subscribe.html")]
struct SubscribePage {
    page: Page,
    error: Option<String>,
    email: String,
    components: Vec<(String, String)>,
}

async fn form(ctx: Ctx) -> AppResult<Response> {
    let components = ctx
        .state
        .store
        .component_refs()
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    Ok(render(&SubscribePage {
        page: ctx.page("subscribe-title"),
        error: None,
        email: String::new(),
        components,
    })?
    .into_response())
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
    match subscribe(
        &ctx.state,
        &field("email"),
        &components,
        ctx.lang,
        &ctx.client,
    )
    .await
    {
        Ok(()) => message(&ctx, "subscribe-sent-title", "subscribe-sent-body"),
        Err(AppError::BadRequest { .. }) => {
            let list = ctx
                .state
                .store
                .component_refs()
                .await?
                .into_iter()
                .map(|c| (c.id, c.name))
                .collect();
            let html = render(&SubscribePage {
                page: ctx.page("subscribe-title"),
                error: Some(ctx.tr().t("invalid-email")),
                email: field("email"),
                components: list,
            })?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(e) => Err(e),
    }
}

fn message(ctx: &Ctx, title: &str, body: &str) -> AppResult<Response> {
    let page = ctx.page(title);
    Ok(render(&MessagePage {
        tone: "info",
        message: page.t(body),
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

async fn confirm(ctx: Ctx, Query(q): Query<TokenQuery>) -> AppResult<Response> {
    match ctx
        .state
        .store
        .confirm_subscription(&q.token, ctx.now())
        .await?
    {
        Some(_) => message(
            &ctx,
            "subscribe-confirmed-title",
            "subscribe-confirmed-body",
        ),
        None => message(&ctx, "subscribe-invalid-title", "subscribe-invalid-body"),
    }
}

#[derive(Deserialize)]
struct UnsubscribeQuery {
    #[serde(default)]
    s: String,
    #[serde(default)]
    t: String,
}

async fn check_signature(state: &AppState, q: &UnsubscribeQuery) -> AppResult<()> {
    let good = sign(&link_secret(state).await?, &q.s)?;
    if !q.s.is_empty()
        && good.len() == q.t.len()
        && good
            .bytes()
            .zip(q.t.bytes())
            .fold(0u8, |a, (x, y)| a | (x ^ y))
            == 0
    {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    page: Page,
    action: String,
}

/// Shows a button rather than unsubscribing on GET, so link scanners in
/// mail systems do not unsubscribe anyone.
async fn unsubscribe_page(ctx: Ctx, Query(q): Query<UnsubscribeQuery>) -> AppResult<Response> {
    check_signature(&ctx.state, &q).await?;
    Ok(render(&UnsubscribePage {
        page: ctx.page("unsubscribe-title"),
        action: format!("/subscriptions/unsubscribe?s={}&t={}", q.s, q.t),
    })?
    .into_response())
}

/// The one-click unsubscribe (RFC 8058): the signed link is the authority,
/// so mail clients may POST to it without a form token.
async fn unsubscribe(ctx: Ctx, Query(q): Query<UnsubscribeQuery>) -> AppResult<Response> {
    check_signature(&ctx.state, &q).await?;
    ctx.state.store.unsubscribe(&q.s, ctx.now()).await?;
    message(&ctx, "unsubscribed-title", "unsubscribed-body")
}

// ---- fan-out -------------------------------------------------------------------------

/// Expands one posted update into an e-mail per subscriber who wants it.
/// Safe to repeat after a crash: every e-mail has an idempotency key and is
/// queued at most once.
async fn expand(state: &AppState, payload: &str) -> AppResult<usize> {
    let v: serde_json::Value =
        serde_json::from_str(payload).map_err(|e| AppError::Internal(e.into()))?;
    let (Some(incident_id), Some(update_id)) = (v["incident_id"].as_str(), v["update_id"].as_str())
    else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "fan-out payload without ids"
        )));
    };
    let Some(incident) = state.store.incident(incident_id).await? else {
        return Ok(0);
    };
    let ids = vec![incident.id.clone()];
    // Newest first.
    let updates = state.store.incident_updates(&ids).await?;
    let Some(position) = updates.iter().position(|u| u.id == update_id) else {
        return Ok(0);
    };
    let update = updates[position].clone();
    let previous = updates.get(position + 1);
    let all = state.store.components().await?;
    let affected: Vec<String> = state
        .store
        .incident_components(&ids)
        .await?
        .into_iter()
        .map(|a| a.component_id)
        .collect();
    let names: Vec<String> = affected
        .iter()
        .filter_map(|id| all.iter().find(|c| &c.id == id).map(|c| c.name.clone()))
        .collect();
    let prefix = if incident.kind == "maintenance" {
        "maintenance"
    } else {
        "incident"
    };
    let link = format!("{}/status/incidents/{}", state.config.base_url, incident.id);
    let now = state.clock.now_ms();
    let secret = link_secret(state).await?;
    let affected_ref = &affected;
    let mut queued = queue_pages(
        state,
        now,
        move |after| async move {
            state
                .store
                .subscribers_for(affected_ref, &after, 1000)
                .await
        },
        |s: &store::Subscriber| s.id.clone(),
        |s: &store::Subscriber| {
            let tr = Tr(Language::parse(&s.language).unwrap_or(state.config.default_language));
            let status = tr.t(&format!("{prefix}-{}", update.status));
            let unsubscribe = unsubscribe_link(state, &secret, &s.id)?;
            let main = format!(
                "{}\n\n{}",
                tr.ta(
                    "notify-body",
                    &[
                        ("name", &incident.name),
                        ("body", &update.body),
                        ("components", &names.join(", ")),
                        ("status", &status)
                    ]
                ),
                tr.ta("notify-follow", &[("link", &link)]),
            );
            let text = format!(
                "{main}\n{}",
                tr.ta("notify-unsubscribe", &[("link", &unsubscribe)])
            );
            let subject = tr.ta(
                "notify-subject",
                &[("name", &incident.name), ("status", &status)],
            );
            let html = crate::mail_html::render(
                tr.0,
                &subject,
                &main,
                Some((tr.t("unsubscribe-title"), unsubscribe.clone())),
            );
            Ok(NewOutboxMessage {
                channel: "email".into(),
                target: s.email.clone(),
                payload: notify::Email {
                    to: s.email.clone(),
                    subject,
                    text,
                    html,
                    headers: vec![
                        ("List-Unsubscribe".into(), format!("<{unsubscribe}>")),
                        (
                            "List-Unsubscribe-Post".into(),
                            "List-Unsubscribe=One-Click".into(),
                        ),
                    ],
                }
                .to_json(),
                idempotency_key: format!("update:{update_id}:{}", s.id),
            })
        },
    )
    .await?;
    // Integrations and browsers hear of a problem when it is posted, when
    // its status changes and when it is resolved; not of every added word.
    if previous.is_none_or(|p| p.status != update.status) {
        let event = match (previous, update.status.as_str()) {
            (None, _) => "created",
            (_, "resolved" | "completed") => "resolved",
            _ => "updated",
        };
        let statuses = state.store.incident_components(&ids).await?;
        let notice_in = |tr: Tr| Notice {
            event: format!("{prefix}.{event}"),
            incident_id: incident.id.clone(),
            kind: incident.kind.clone(),
            name: incident.name.clone(),
            status: update.status.clone(),
            status_text: tr.t(&format!("{prefix}-{}", update.status)),
            impact: incident.impact.clone(),
            update_id: update.id.clone(),
            body: update.body.clone(),
            components: statuses
                .iter()
                .map(|a| {
                    let name = all
                        .iter()
                        .find(|c| c.id == a.component_id)
                        .map(|c| c.name.clone())
                        .unwrap_or_default();
                    (a.component_id.clone(), name, a.status.clone())
                })
                .collect(),
            link: link.clone(),
            at: update.created_at,
        };
        // Made once per language, not once per recipient.
        let notices: Vec<(Language, Notice)> = Language::ALL
            .iter()
            .map(|l| (*l, notice_in(Tr(*l))))
            .collect();
        let notice = |lang: Language| {
            notices
                .iter()
                .find(|(l, _)| *l == lang)
                .map_or(&notices[0].1, |(_, n)| n)
        };
        queued += fan_out_integrations(state, &affected, update_id, &notice, now).await?;
        queued += fan_out_push(state, &affected, update_id, &notice, now).await?;
    }
    Ok(queued)
}

/// Pages through the rows a fan-out reaches, by id, and queues one message
/// for each; returns how many were queued.
async fn queue_pages<T, Fut>(
    state: &AppState,
    now: i64,
    fetch: impl Fn(String) -> Fut,
    id: impl Fn(&T) -> String,
    message: impl Fn(&T) -> AppResult<NewOutboxMessage>,
) -> AppResult<usize>
where
    Fut: std::future::Future<Output = store::Result<Vec<T>>>,
{
    let mut after = String::new();
    let mut queued = 0;
    loop {
        let rows = fetch(after.clone()).await?;
        let Some(last) = rows.last() else {
            return Ok(queued);
        };
        after = id(last);
        let messages = rows.iter().map(&message).collect::<AppResult<Vec<_>>>()?;
        queued += messages.len();
        state.store.enqueue(&messages, now).await?;
    }
}

/// The notice of an update in a language.
type NoticeIn<'a> = &'a (dyn Fn(Language) -> &'a Notice + Sync);

async fn fan_out_integrations(
    state: &AppState,
    affected: &[String],
    update_id: &str,
    notice: NoticeIn<'_>,
    now: i64,
) -> AppResult<usize> {
    queue_pages(
        state,
        now,
        move |after| async move { state.store.integrations_for(affected, &after, 500).await },
        |i: &store::Integration| i.id.clone(),
        |i: &store::Integration| {
            let tr = crate::integrations::language_of(state, i);
            Ok(NewOutboxMessage {
                channel: "webhook".into(),
                target: i.url.clone(),
                payload: notify::webhook::WebhookPayload {
                    integration_id: i.id.clone(),
                    body: format_body(&i.kind, notice(tr.0), tr).to_string(),
                }
                .to_json(),
                idempotency_key: format!("update:{update_id}:webhook:{}", i.id),
            })
        },
    )
    .await
}

async fn fan_out_push(
    state: &AppState,
    affected: &[String],
    update_id: &str,
    notice: NoticeIn<'_>,
    now: i64,
) -> AppResult<usize> {
    queue_pages(
        state,
        now,
        move |after| async move {
            state
                .store
                .push_subscriptions_for(affected, &after, 1000)
                .await
        },
        |s: &store::PushSubscription| s.id.clone(),
        |s: &store::PushSubscription| {
            let lang = Language::parse(&s.language).unwrap_or(state.config.default_language);
            let n = notice(lang);
            let body: String = format!("{}: {}", n.status_text, n.body)
                .chars()
                .take(400)
                .collect();
            Ok(NewOutboxMessage {
                channel: "push".into(),
                target: s.endpoint.clone(),
                payload: notify::push::PushPayload {
                    subscription_id: s.id.clone(),
                    body: serde_json::json!({
                        "title": n.name,
                        "body": body,
                        "url": n.link,
                        "tag": n.incident_id,
                        "event": n.event,
                    })
                    .to_string(),
                }
                .to_json(),
                idempotency_key: format!("update:{update_id}:push:{}", s.id),
            })
        },
    )
    .await
}

/// Runs the fan-out until `stop` turns true.
pub async fn run_fanout(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        let now = state.clock.now_ms();
        let batch = state
            .store
            .claim_outbox("fanout", now, state.config.outbox_lease_ms, 5)
            .await
            .unwrap_or_default();
        let idle = batch.is_empty();
        for row in batch {
            let outcome = match expand(&state, &row.payload).await {
                Ok(n) => {
                    tracing::info!(queued = n, "incident update fanned out to subscribers");
                    state.store.outbox_done(&row.id).await
                }
                Err(e) => {
                    tracing::warn!(error = %e, "fan-out failed; will retry");
                    let next = now + notify::mail::backoff_ms(row.attempts);
                    state
                        .store
                        .outbox_failed(&row.id, &e.to_string(), next, row.attempts + 1 >= 10)
                        .await
                }
            };
            if let Err(e) = outcome {
                tracing::warn!(error = %e, "cannot record a fan-out");
            }
        }
        if idle {
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_millis(300)) => {}
                _ = stop.changed() => {}
            }
        }
        if *stop.borrow() {
            return;
        }
    }
}
