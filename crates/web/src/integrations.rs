//! Status integrations: customer admins add a Slack, Microsoft Teams or
//! Discord incoming webhook, or a generic signed JSON webhook, for their
//! organisation; it is posted to when an incident is created, changes status
//! and is resolved. The REST API and the admin page share this module; the
//! fan-out (`subscriptions::expand`) writes the posts to the outbox and
//! `notify::webhook` delivers them.
use crate::ctx::{ApiCaller, Ctx};
use crate::error::{AppError, AppResult};
use crate::extract::{FormBody, JsonBody};
use crate::i18n::{Tr, rfc3339};
use crate::page::{Page, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::Action;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

pub const KINDS: &[&str] = &["slack", "teams", "discord", "webhook"];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/integrations", get(page).post(create_form))
        .route("/admin/integrations/{id}/test", post(test_form))
        .route("/admin/integrations/{id}/delete", post(delete_form))
}

// ---- what is posted ---------------------------------------------------------------

/// One thing to tell integrations and browsers about.
pub struct Notice {
    /// `incident.created`, `incident.updated`, `incident.resolved`, the same
    /// with `maintenance.`, or `test`.
    pub event: String,
    pub incident_id: String,
    pub kind: String,
    pub name: String,
    pub status: String,
    /// The status in words, in the notice's language.
    pub status_text: String,
    pub impact: String,
    pub update_id: String,
    pub body: String,
    /// `(id, name, status)` of the affected components.
    pub components: Vec<(String, String, String)>,
    pub link: String,
    pub at: i64,
}

impl Notice {
    fn affects(&self, tr: Tr) -> String {
        if self.components.is_empty() {
            return String::new();
        }
        let names: Vec<&str> = self.components.iter().map(|c| c.1.as_str()).collect();
        format!("{} {}", tr.t("affects"), names.join(", "))
    }

    /// A test notice for "send test".
    pub fn test(state: &AppState, tr: Tr) -> Notice {
        Notice {
            event: "test".into(),
            incident_id: String::new(),
            kind: "test".into(),
            name: tr.t("integration-test-title"),
            status: "test".into(),
            status_text: tr.t("integration-test-status"),
            impact: "none".into(),
            update_id: String::new(),
            body: tr.t("integration-test-body"),
            components: Vec::new(),
            link: format!("{}/status", state.config.base_url),
            at: state.clock.now_ms(),
        }
    }
}

/// Slack's mrkdwn treats these three as control characters.
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The JSON posted to an integration of `kind`.
pub fn format_body(kind: &str, n: &Notice, tr: Tr) -> Value {
    let affects = n.affects(tr);
    match kind {
        "slack" => {
            let mut text = format!(
                "*<{}|{}>*\n*{}* – {}",
                n.link,
                slack_escape(&n.name),
                slack_escape(&n.status_text),
                slack_escape(&n.body)
            );
            if !affects.is_empty() {
                text.push_str(&format!("\n_{}_", slack_escape(&affects)));
            }
            json!({
                "text": format!("{}: {}", n.name, n.status_text),
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
            })
        }
        "teams" => {
            let mut body = vec![
                json!({"type": "TextBlock", "text": n.name, "weight": "Bolder", "size": "Medium", "wrap": true}),
                json!({"type": "TextBlock", "text": format!("**{}** – {}", n.status_text, n.body), "wrap": true}),
            ];
            if !affects.is_empty() {
                body.push(
                    json!({"type": "TextBlock", "text": affects, "isSubtle": true, "wrap": true}),
                );
            }
            json!({
                "type": "message",
                "attachments": [{
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": null,
                    "content": {
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "body": body,
                        "actions": [{"type": "Action.OpenUrl", "title": tr.t("open-status"), "url": n.link}],
                    },
                }],
            })
        }
        "discord" => {
            let color = match (n.status.as_str(), n.impact.as_str()) {
                ("resolved" | "completed", _) => 0x3ba55c,
                (_, "critical") => 0xd64541,
                (_, "major") => 0xe8833a,
                (_, "minor") => 0xe0b03c,
                _ => 0x5b8def,
            };
            let mut embed = json!({
                "title": n.name,
                "url": n.link,
                "description": format!("**{}** – {}", n.status_text, n.body),
                "color": color,
                "timestamp": rfc3339(n.at),
            });
            if !affects.is_empty() {
                embed["footer"] = json!({"text": affects});
            }
            json!({"embeds": [embed], "allowed_mentions": {"parse": []}})
        }
        _ => json!({
            "event": n.event,
            "incident": {
                "id": n.incident_id,
                "kind": n.kind,
                "name": n.name,
                "status": n.status,
                "impact": n.impact,
                "shortlink": n.link,
                "components": n.components.iter().map(|(id, name, status)| json!({"id": id, "name": name, "status": status})).collect::<Vec<_>>(),
            },
            "update": {
                "id": n.update_id,
                "status": n.status,
                "body": n.body,
                "created_at": rfc3339(n.at),
            },
        }),
    }
}

// ---- checks -----------------------------------------------------------------------

fn check_kind(kind: &str) -> AppResult<&'static str> {
    KINDS.iter().find(|k| **k == kind).copied().ok_or_else(|| {
        AppError::bad(
            "kind",
            format!("kind: '{kind}' is not one of slack, teams, discord, webhook"),
        )
    })
}

/// A target URL given in `field`: its length, its shape, and that it does
/// not lead to a private address (unless the operator allows those).
pub(crate) async fn check_url(state: &AppState, field: &str, url: &str) -> AppResult<String> {
    let url = url.trim();
    if url.len() > 2000 {
        return Err(AppError::bad(
            field,
            format!("{field}: at most 2000 characters"),
        ));
    }
    notify::http::check_target(url, state.config.allow_private_targets)
        .await
        .map_err(|why| AppError::bad(field, format!("{field}: {why}")))?;
    Ok(url.to_string())
}

/// The organisation whose integrations `actor` may manage, asking the policy.
fn own_org(actor: &domain::Actor) -> AppResult<String> {
    let org_id = actor.org.as_ref().map(|o| o.id.clone()).unwrap_or_default();
    crate::error::ensure(domain::decide(
        Some(actor),
        Action::ManageIntegrations { org_id: &org_id },
    ))?;
    Ok(org_id)
}

/// An integration `actor` may see: one of their organisation's. Another
/// organisation's does not exist for them.
async fn owned(state: &AppState, actor: &domain::Actor, id: &str) -> AppResult<store::Integration> {
    let i = state
        .store
        .integration(id)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::error::ensure(domain::decide(
        Some(actor),
        Action::ManageIntegrations { org_id: &i.org_id },
    ))?;
    Ok(i)
}

async fn create(
    state: &AppState,
    actor: &domain::Actor,
    user_id: &str,
    req: NewIntegration,
    fallback_language: Option<domain::Language>,
) -> AppResult<(store::Integration, Option<String>)> {
    let org_id = own_org(actor)?;
    let kind = check_kind(req.kind.trim())?;
    let language = match req.language.as_deref() {
        Some(l) => Some(
            domain::Language::parse(l)
                .map_err(|_| AppError::bad("language", "language: sv or en"))?,
        ),
        None => fallback_language,
    };
    let url = check_url(state, "url", &req.url).await?;
    let components = req.components.unwrap_or_default();
    crate::status_routes::check_component_ids(state, &components).await?;
    let secret = req.secret.map(|s| s.trim().to_string());
    if let Some(s) = &secret {
        if kind != "webhook" {
            return Err(AppError::bad(
                "secret",
                "secret: only generic webhooks are signed; Slack, Teams and Discord URLs carry their own secret",
            ));
        }
        if s.len() < 16 || s.len() > 200 {
            return Err(AppError::bad("secret", "secret: from 16 to 200 characters"));
        }
    }
    // A generic webhook is always signed: without a secret of the
    // caller's, it gets one, shown once.
    let generated = (kind == "webhook" && secret.is_none()).then(|| store::new_secret("whsec_").0);
    let secret = secret.or_else(|| generated.clone());
    let i = state
        .store
        .create_integration(
            &store::IntegrationInput {
                org_id: &org_id,
                kind,
                url: &url,
                secret: secret.as_deref(),
                components: &components,
                created_by: user_id,
                language: language.map(|l| l.as_str()),
            },
            state.clock.now_ms(),
        )
        .await?;
    Ok((i, generated))
}

/// The language an integration posts in.
pub fn language_of(state: &AppState, i: &store::Integration) -> Tr {
    Tr(i.language
        .as_deref()
        .and_then(|l| domain::Language::parse(l).ok())
        .unwrap_or(state.config.default_language))
}

/// Sends a test post now, outside the outbox, and says how it went.
async fn send_test(state: &AppState, i: &store::Integration) -> TestResult {
    let tr = language_of(state, i);
    let body = format_body(&i.kind, &Notice::test(state, tr), tr).to_string();
    match notify::webhook::post(
        state.outgoing(),
        i,
        &body,
        &format!("test:{}", store::new_id()),
        state.config.allow_private_targets,
        state.clock.now_ms().div_euclid(1000),
    )
    .await
    {
        Ok(status) => TestResult {
            delivered: true,
            status: Some(status),
            error: None,
        },
        Err(e) => TestResult {
            delivered: false,
            status: None,
            error: Some(e),
        },
    }
}

// ---- REST API ---------------------------------------------------------------------

#[derive(Deserialize, ToSchema)]
pub struct NewIntegration {
    /// `slack`, `teams`, `discord` or `webhook`.
    pub kind: String,
    /// The incoming-webhook URL the target gave you.
    pub url: String,
    /// Generic webhooks only: the HMAC-SHA256 signing secret (16–200
    /// characters); one is generated and returned once when absent.
    pub secret: Option<String>,
    /// Component ids to post about; absent or empty for every feature.
    pub components: Option<Vec<String>>,
    /// `sv` or `en` for the posts; default: the caller's own language.
    pub language: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct IntegrationOut {
    pub id: String,
    pub kind: String,
    pub url: String,
    pub components: Vec<String>,
    /// Whether posts are signed (generic webhooks).
    pub signed: bool,
    /// `sv` or `en`, or null for the server's default language.
    pub language: Option<String>,
    /// The generated signing secret: in the creation response only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub created_at: String,
}

impl From<store::Integration> for IntegrationOut {
    fn from(i: store::Integration) -> Self {
        Self {
            components: i.component_ids().into_iter().map(str::to_string).collect(),
            signed: i.secret.is_some(),
            language: i.language.clone(),
            secret: None,
            created_at: rfc3339(i.created_at),
            id: i.id,
            kind: i.kind,
            url: i.url,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct IntegrationList {
    pub integrations: Vec<IntegrationOut>,
}

#[derive(Serialize, ToSchema)]
pub struct TestResult {
    pub delivered: bool,
    /// The target's HTTP status, when it answered with success.
    pub status: Option<u16>,
    pub error: Option<String>,
}

/// Add a status integration to your organisation (customer admins).
#[utoipa::path(post, path = "/api/v1/integrations", tag = "integrations",
    security(("bearer" = [])), request_body = NewIntegration,
    responses((status = 201, body = IntegrationOut), (status = 403, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)))]
pub async fn api_create(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(req): JsonBody<NewIntegration>,
) -> AppResult<(StatusCode, Json<IntegrationOut>)> {
    let (i, secret) = create(
        &state,
        &caller.actor,
        &caller.actor.user_id,
        req,
        caller.principal.user.language,
    )
    .await?;
    let mut out = IntegrationOut::from(i);
    out.secret = secret;
    Ok((StatusCode::CREATED, Json(out)))
}

/// Your organisation's status integrations (customer admins).
#[utoipa::path(get, path = "/api/v1/integrations", tag = "integrations",
    security(("bearer" = [])),
    responses((status = 200, body = IntegrationList), (status = 403, body = crate::api::ErrorBody)))]
pub async fn api_list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> AppResult<Json<IntegrationList>> {
    let org_id = own_org(&caller.actor)?;
    let integrations = state
        .store
        .integrations_of(&org_id)
        .await?
        .into_iter()
        .map(IntegrationOut::from)
        .collect();
    Ok(Json(IntegrationList { integrations }))
}

/// Remove a status integration (customer admins of its organisation).
#[utoipa::path(delete, path = "/api/v1/integrations/{id}", tag = "integrations",
    security(("bearer" = [])),
    responses((status = 204), (status = 404, body = crate::api::ErrorBody)))]
pub async fn api_delete(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let i = owned(&state, &caller.actor, &id).await?;
    state.store.delete_integration(&i.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Post a test message to a status integration now.
#[utoipa::path(post, path = "/api/v1/integrations/{id}/test", tag = "integrations",
    security(("bearer" = [])),
    responses((status = 200, body = TestResult), (status = 404, body = crate::api::ErrorBody)))]
pub async fn api_test(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<TestResult>> {
    let i = owned(&state, &caller.actor, &id).await?;
    Ok(Json(send_test(&state, &i).await))
}

// ---- the admin page ---------------------------------------------------------------

struct Row {
    id: String,
    kind_name: String,
    url: String,
    components: String,
    signed: bool,
}

#[derive(Template)]
#[template(path = "integrations.html")]
struct IntegrationsPage {
    page: Page,
    rows: Vec<Row>,
    kinds: Vec<(&'static str, String)>,
    components: Vec<(String, String)>,
    error: Option<String>,
    notice: Option<(bool, String)>,
    secret: Option<String>,
    url: String,
}

async fn render_page(
    ctx: &Ctx,
    error: Option<String>,
    notice: Option<(bool, String)>,
    secret: Option<String>,
    url: String,
) -> AppResult<Response> {
    let viewer = ctx.require(Action::ViewAdminPanel)?;
    let org_id = own_org(&viewer.actor)?;
    let page = ctx.page("integrations-title");
    let refs = ctx.state.store.component_refs().await?;
    let rows = ctx
        .state
        .store
        .integrations_of(&org_id)
        .await?
        .into_iter()
        .map(|i| Row {
            kind_name: page.t(&format!("integration-kind-{}", i.kind)),
            components: {
                let names: Vec<String> = i
                    .component_ids()
                    .iter()
                    .filter_map(|id| refs.iter().find(|r| r.id == *id).map(|r| r.name.clone()))
                    .collect();
                if names.is_empty() {
                    page.t("integration-all-features")
                } else {
                    names.join(", ")
                }
            },
            signed: i.secret.is_some(),
            id: i.id,
            url: i.url,
        })
        .collect();
    let kinds = KINDS
        .iter()
        .map(|k| (*k, page.t(&format!("integration-kind-{k}"))))
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut response = render(&IntegrationsPage {
        rows,
        kinds,
        components: refs.into_iter().map(|c| (c.id, c.name)).collect(),
        error,
        notice,
        secret,
        url,
        page,
    })?
    .into_response();
    *response.status_mut() = status;
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

async fn page(ctx: Ctx) -> AppResult<Response> {
    render_page(&ctx, None, None, None, String::new()).await
}

async fn create_form(
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
    let viewer = ctx.require(Action::ViewAdminPanel)?;
    let req = NewIntegration {
        kind: field("kind"),
        url: field("url"),
        secret: None,
        language: Some(field("language")).filter(|l| !l.is_empty()),
        components: Some(
            f.iter()
                .filter(|(k, _)| k == "component")
                .map(|(_, v)| v.clone())
                .collect(),
        ),
    };
    match create(
        &ctx.state,
        &viewer.actor,
        &viewer.principal.user.id,
        req,
        Some(ctx.lang),
    )
    .await
    {
        Ok((_, secret)) => match secret {
            Some(s) => render_page(&ctx, None, None, Some(s), String::new()).await,
            None => Ok(Redirect::to("/admin/integrations").into_response()),
        },
        Err(AppError::BadRequest { message, .. }) => {
            render_page(&ctx, Some(message), None, None, field("url")).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn test_form(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<CsrfOnly>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    let viewer = ctx.require(Action::ViewAdminPanel)?;
    let i = owned(&ctx.state, &viewer.actor, &id).await?;
    let result = send_test(&ctx.state, &i).await;
    let tr = ctx.tr();
    let notice = if result.delivered {
        (true, tr.t("integration-test-sent"))
    } else {
        (
            false,
            tr.ta(
                "integration-test-failed",
                &[("error", &result.error.unwrap_or_default())],
            ),
        )
    };
    render_page(&ctx, None, Some(notice), None, String::new()).await
}

async fn delete_form(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<CsrfOnly>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    let viewer = ctx.require(Action::ViewAdminPanel)?;
    let i = owned(&ctx.state, &viewer.actor, &id).await?;
    ctx.state.store.delete_integration(&i.id).await?;
    Ok(Redirect::to("/admin/integrations").into_response())
}
