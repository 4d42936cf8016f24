//! The staff's status-page desk (`/staff/status`): components, incidents
//! with their updates, maintenance, a preview of what subscribers receive
//! (made by the same function as the e-mails), and replying to every request
//! linked to an incident. The same use cases as the API, so the same checks.
use crate::http::ctx::Ctx;
use crate::http::error::{AppResult, Error};
use crate::http::extract::FormBody;
use crate::http::page::{Page, render};
use crate::http::state::AppState;
use app::status::{ComponentInput, ComponentPatch, IncidentInput, MaintenanceInput, UpdateInput};
use app::subscriptions::{SubscriberNotice, preview_unsubscribe_link};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::Action;
use domain::status::{ComponentStatus, Impact, IncidentStatus, MaintenanceStatus};
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/status", get(desk))
        .route("/staff/status/components", post(create_component))
        .route("/staff/status/components/{id}", post(set_component))
        .route("/staff/status/incidents", post(create_incident))
        .route("/staff/status/incidents/{id}/updates", post(post_update))
        .route("/staff/status/incidents/{id}/reply", post(reply_linked))
        .route("/staff/status/maintenances", post(create_maintenance))
}

type Fields = Vec<(String, String)>;

fn field<'a>(f: &'a Fields, name: &str) -> &'a str {
    f.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// `component:<id>` fields with a status chosen.
fn picked(f: &Fields) -> BTreeMap<String, String> {
    f.iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("component:")
                .filter(|_| !v.is_empty())
                .map(|id| (id.to_string(), v.clone()))
        })
        .collect()
}

struct ComponentRow {
    id: String,
    name: String,
    group: String,
    status: String,
}

struct OpenRow {
    id: String,
    name: String,
    impact: String,
    status: String,
    status_code: String,
    window: Option<String>,
    latest: Option<String>,
    statuses: Vec<(&'static str, String)>,
    components: Vec<(String, String)>,
    linked: i64,
    draft: String,
    preview: Option<(String, String)>,
}

#[derive(Default)]
struct Draft {
    name: String,
    impact: String,
    status: String,
    body: String,
    components: BTreeMap<String, String>,
}

impl Draft {
    fn picked(&self, id: &str, status: &str) -> bool {
        self.components.get(id).is_some_and(|s| s == status)
    }
}

/// A preview and the form it belongs to (the new incident, or an update).
enum Preview {
    None,
    NewIncident(SubscriberNotice),
    Update {
        incident: String,
        body: String,
        notice: SubscriberNotice,
    },
}

#[derive(Template)]
#[template(path = "status/staff_status.html")]
struct DeskPage {
    page: Page,
    error: Option<String>,
    open: Vec<OpenRow>,
    components: Vec<ComponentRow>,
    component_statuses: Vec<(&'static str, String)>,
    impacts: Vec<(&'static str, String)>,
    incident_statuses: Vec<(&'static str, String)>,
    draft: Draft,
    preview: Option<(String, String)>,
    /// E-mails waiting because no SMTP relay is configured.
    mail_waiting: Option<i64>,
}

fn shown(ctx: &Ctx, n: &SubscriberNotice) -> (String, String) {
    let link = preview_unsubscribe_link(&ctx.app().config.base_url);
    (n.subject.clone(), n.text(&link))
}

async fn desk_page(
    ctx: &Ctx,
    error: Option<String>,
    draft: Draft,
    preview: Preview,
) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    let tr = ctx.tr();
    let open_list = ctx.app().open_for_desk(caller).await?;
    let components = ctx.app().components().await?;
    let mut open = Vec::new();
    for d in open_list {
        let i = d.incident;
        let maintenance = i.kind == "maintenance";
        let prefix = if maintenance {
            "maintenance"
        } else {
            "incident"
        };
        let statuses: Vec<(&'static str, String)> = if maintenance {
            MaintenanceStatus::ALL
                .iter()
                .map(|s| (s.as_str(), tr.t(&format!("maintenance-{}", s.as_str()))))
                .collect()
        } else {
            IncidentStatus::ALL
                .iter()
                .map(|s| (s.as_str(), tr.t(&format!("incident-{}", s.as_str()))))
                .collect()
        };
        let (draft_body, row_preview) = match &preview {
            Preview::Update {
                incident,
                body,
                notice,
            } if *incident == i.id => (body.clone(), Some(shown(ctx, notice))),
            _ => (String::new(), None),
        };
        open.push(OpenRow {
            status: tr.t(&format!("{prefix}-{}", i.status)),
            window: crate::public::snapshot::window(&i, ctx.lang),
            latest: d.updates.first().map(|u| u.body.clone()),
            components: d.components,
            linked: i64::try_from(d.linked).unwrap_or(0),
            statuses,
            draft: draft_body,
            preview: row_preview,
            status_code: i.status,
            id: i.id,
            name: i.name,
            impact: i.impact,
        });
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let preview = match &preview {
        Preview::NewIncident(n) => Some(shown(ctx, n)),
        _ => None,
    };
    let mail_waiting = ctx.app().mail_waiting_without_relay().await?;
    let html = render(&DeskPage {
        page: ctx.page("staff-status-title"),
        error,
        mail_waiting,
        open,
        components: components
            .into_iter()
            .map(|c| ComponentRow {
                id: c.id,
                name: c.name,
                group: c.group_name.unwrap_or_default(),
                status: c.status,
            })
            .collect(),
        component_statuses: ComponentStatus::ALL
            .iter()
            .map(|s| (s.as_str(), tr.t(&format!("component-{}", s.as_str()))))
            .collect(),
        impacts: Impact::ALL
            .iter()
            .map(|s| (s.as_str(), tr.t(&format!("impact-{}", s.as_str()))))
            .collect(),
        incident_statuses: IncidentStatus::ALL
            .iter()
            .filter(|s| **s != IncidentStatus::Resolved)
            .map(|s| (s.as_str(), tr.t(&format!("incident-{}", s.as_str()))))
            .collect(),
        draft,
        preview,
    })?;
    Ok((status, html).into_response())
}

async fn desk(ctx: Ctx) -> AppResult<Response> {
    ctx.app()
        .permit(ctx.signed_in()?, Action::ManageStatusPage)?;
    desk_page(&ctx, None, Draft::default(), Preview::None).await
}

fn done(key: &str) -> Response {
    Redirect::to(&format!("/staff/status?done={key}")).into_response()
}

/// A validation or state-machine refusal as a message on the desk page.
async fn refused(ctx: &Ctx, e: Error, draft: Draft) -> AppResult<Response> {
    match e {
        Error::Invalid(_) | Error::Conflict(_) => {
            desk_page(ctx, Some(e.message(ctx.lang)), draft, Preview::None).await
        }
        other => Err(other.into()),
    }
}

async fn create_component(ctx: Ctx, FormBody(f): FormBody<Fields>) -> AppResult<Response> {
    ctx.check_csrf(field(&f, "csrf"))?;
    let input = ComponentInput {
        name: field(&f, "name").to_string(),
        group: Some(field(&f, "group").to_string()),
        description: Some(field(&f, "description").to_string()),
        ..ComponentInput::default()
    };
    match ctx.app().create_component(ctx.signed_in()?, input).await {
        Ok(_) => Ok(done("saved")),
        Err(e) => refused(&ctx, e, Draft::default()).await,
    }
}

async fn set_component(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<Fields>,
) -> AppResult<Response> {
    ctx.check_csrf(field(&f, "csrf"))?;
    let patch = ComponentPatch {
        status: Some(field(&f, "status").to_string()),
        ..ComponentPatch::default()
    };
    match ctx
        .app()
        .update_component(ctx.signed_in()?, &id, patch)
        .await
    {
        Ok(_) => Ok(done("saved")),
        Err(e) => refused(&ctx, e, Draft::default()).await,
    }
}

async fn create_incident(ctx: Ctx, FormBody(f): FormBody<Fields>) -> AppResult<Response> {
    ctx.check_csrf(field(&f, "csrf"))?;
    let caller = ctx.signed_in()?;
    let draft = Draft {
        name: field(&f, "name").trim().to_string(),
        impact: field(&f, "impact").to_string(),
        status: field(&f, "status").to_string(),
        body: field(&f, "body").trim().to_string(),
        components: picked(&f),
    };
    let input = IncidentInput {
        name: draft.name.clone(),
        status: draft.status.clone(),
        impact: draft.impact.clone(),
        body: draft.body.clone(),
        components: draft.components.clone(),
    };
    if field(&f, "action") == "preview" {
        return match ctx.app().preview_incident(caller, &input, ctx.lang).await {
            Ok(n) => desk_page(&ctx, None, draft, Preview::NewIncident(n)).await,
            Err(e) => refused(&ctx, e, draft).await,
        };
    }
    match ctx.app().create_incident(caller, input).await {
        Ok(_) => Ok(done("incident-posted")),
        Err(e) => refused(&ctx, e, draft).await,
    }
}

async fn post_update(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<Fields>,
) -> AppResult<Response> {
    ctx.check_csrf(field(&f, "csrf"))?;
    let caller = ctx.signed_in()?;
    let input = UpdateInput {
        status: field(&f, "status").to_string(),
        body: field(&f, "body").to_string(),
        components: picked(&f),
    };
    if field(&f, "action") == "preview" {
        return match ctx
            .app()
            .preview_update(caller, &id, &input, ctx.lang)
            .await
        {
            Ok(notice) => {
                let preview = Preview::Update {
                    incident: id,
                    body: input.body,
                    notice,
                };
                desk_page(&ctx, None, Draft::default(), preview).await
            }
            Err(e) => refused(&ctx, e, Draft::default()).await,
        };
    }
    match ctx.app().post_incident_update(caller, &id, input).await {
        Ok(_) => Ok(done("update-posted")),
        Err(e) => refused(&ctx, e, Draft::default()).await,
    }
}

async fn reply_linked(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<Fields>,
) -> AppResult<Response> {
    ctx.check_csrf(field(&f, "csrf"))?;
    match ctx
        .app()
        .reply_linked(ctx.signed_in()?, &id, field(&f, "body"))
        .await
    {
        Ok(_) => Ok(done("replied-linked")),
        Err(e) => refused(&ctx, e, Draft::default()).await,
    }
}

async fn create_maintenance(ctx: Ctx, FormBody(f): FormBody<Fields>) -> AppResult<Response> {
    ctx.check_csrf(field(&f, "csrf"))?;
    let input = MaintenanceInput {
        name: field(&f, "name").to_string(),
        body: field(&f, "body").to_string(),
        scheduled_for: field(&f, "scheduled_for").to_string(),
        scheduled_until: field(&f, "scheduled_until").to_string(),
        components: f
            .iter()
            .filter(|(k, _)| k == "component")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    match ctx.app().create_maintenance(ctx.signed_in()?, input).await {
        Ok(_) => Ok(done("maintenance-scheduled")),
        Err(e) => refused(&ctx, e, Draft::default()).await,
    }
}
