//! The staff's status-page desk (`/staff/status`): components, incidents
//! with their updates, maintenance, a preview of what subscribers receive,
//! and replying to every request linked to an incident.
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::FormBody;
use crate::i18n::Tr;
use crate::page::{Page, render};
use crate::state::AppState;
use crate::status_routes;
use crate::statuspage;
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::Action;
use domain::status::{ComponentStatus, Impact, IncidentStatus, MaintenanceStatus};
use std::collections::BTreeMap;
use store::{ComponentChange, NewIncident};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/status", get(desk))
        .route("/staff/status/components", post(create_component))
        .route("/staff/status/components/{id}", post(set_component))
        .route("/staff/status/incidents", post(create_incident))
        .route("/staff/status/incidents/{id}/updates", post(post_update))
        .route("/staff/status/incidents/{id}/reply", post(reply_linked))
        .route("/staff/status/maintenances", post(create_maintenance))
        .route("/agent/requests/{id}/link", post(link_request))
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

#[derive(Template)]
#[template(path = "staff_status.html")]
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
}

async fn desk_page(
    ctx: &Ctx,
    error: Option<String>,
    draft: Draft,
    preview: Option<(String, String)>,
) -> AppResult<Response> {
    ctx.require(Action::ManageStatusPage)?;
    let tr = ctx.tr();
    let store = &ctx.state.store;
    let components = store.components().await?;
    let open_list = store.open_incidents().await?;
    let ids: Vec<String> = open_list.iter().map(|i| i.id.clone()).collect();
    let updates = store.incident_updates(&ids).await?;
    let affected = store.incident_components(&ids).await?;
    let mut open = Vec::new();
    for i in open_list {
        let maintenance = i.kind == "maintenance";
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
        let prefix = if maintenance {
            "maintenance"
        } else {
            "incident"
        };
        open.push(OpenRow {
            status: tr.t(&format!("{prefix}-{}", i.status)),
            window: crate::statuspage::window(&i, ctx.lang),
            latest: updates
                .iter()
                .find(|u| u.incident_id == i.id)
                .map(|u| u.body.clone()),
            components: affected
                .iter()
                .filter(|a| a.incident_id == i.id)
                .filter_map(|a| {
                    components
                        .iter()
                        .find(|c| c.id == a.component_id)
                        .map(|c| (c.id.clone(), c.name.clone()))
                })
                .collect(),
            linked: i64::try_from(store.linked_requests(&i.id).await?.len()).unwrap_or(0),
            statuses,
            status_code: i.status,
            id: i.id,
            name: i.name,
            impact: i.impact,
        });
    }
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let html = render(&DeskPage {
        page: ctx.page("staff-status-title"),
        error,
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
    desk_page(&ctx, None, Draft::default(), None).await
}

fn done(key: &str) -> Response {
    Redirect::to(&format!("/staff/status?done={key}")).into_response()
}

/// A validation or state-machine error as a message on the desk page.
async fn refused(ctx: &Ctx, e: AppError, draft: Draft) -> AppResult<Response> {
    match e {
        AppError::BadRequest { .. } | AppError::Conflict { .. } => {
            desk_page(ctx, Some(e.to_string()), draft, None).await
        }
        other => Err(other),
    }
}

async fn create_component(ctx: Ctx, FormBody(f): FormBody<Fields>) -> AppResult<Response> {
    ctx.check_csrf(field(&f, "csrf"))?;
    ctx.require(Action::ManageStatusPage)?;
    let name = field(&f, "name").trim();
    if name.is_empty() || name.chars().count() > 100 {
        return refused(
            &ctx,
            AppError::bad("name", "name: 1 to 100 characters"),
            Draft::default(),
        )
        .await;
    }
    let group = Some(field(&f, "group").trim()).filter(|g| !g.is_empty());
    let position = i64::try_from(ctx.state.store.components().await?.len()).unwrap_or(0);
    ctx.state
        .store
        .create_component(name, "", group, position, ctx.now())
        .await?;
    statuspage::refresh(&ctx.state).await;
    Ok(done("saved"))
}

async fn set_component(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<Fields>,
) -> AppResult<Response> {
    ctx.check_csrf(field(&f, "csrf"))?;
    ctx.require(Action::ManageStatusPage)?;
    let status = ComponentStatus::parse(field(&f, "status"))?;
    let change = ComponentChange {
        status: Some(status),
        ..Default::default()
    };
    if !ctx
        .state
        .store
        .update_component(&id, &change, ctx.now())
        .await?
    {
        return Err(AppError::NotFound);
    }
    statuspage::refresh(&ctx.state).await;
    Ok(done("saved"))
}

/// What an e-mail or chat subscriber will get about an incident.
fn subscriber_preview(
    tr: Tr,
    name: &str,
    status: &str,
    body: &str,
    components: &[String],
) -> (String, String) {
    let subject = tr.ta(
        "notify-subject",
        &[
            ("name", name),
            ("status", &tr.t(&format!("incident-{status}"))),
        ],
    );
    let text = tr.ta(
        "notify-body",
        &[
            ("name", name),
            ("body", body),
            ("components", &components.join(", ")),
            ("status", &tr.t(&format!("incident-{status}"))),
        ],
    );
    (subject, text)
}

async fn create_incident(ctx: Ctx, FormBody(f): FormBody<Fields>) -> AppResult<Response> {
    ctx.check_csrf(field(&f, "csrf"))?;
    ctx.require(Action::ManageStatusPage)?;
    let draft = Draft {
        name: field(&f, "name").trim().to_string(),
        impact: field(&f, "impact").to_string(),
        status: field(&f, "status").to_string(),
        body: field(&f, "body").trim().to_string(),
        components: picked(&f),
    };
    let checked = async {
        if draft.name.is_empty() || draft.body.is_empty() {
            return Err(AppError::bad("name", "name and message: both are needed"));
        }
        let impact = Impact::parse(&draft.impact)?;
        let status = IncidentStatus::parse(&draft.status)?;
        if draft.components.is_empty() {
            return Err(AppError::bad(
                "components",
                "components: an incident must name at least one listed feature it affects",
            ));
        }
        let components = status_routes::parse_components(&ctx.state, &draft.components).await?;
        Ok((impact, status, components))
    }
    .await;
    let (impact, status, components) = match checked {
        Ok(v) => v,
        Err(e) => return refused(&ctx, e, draft).await,
    };
    if field(&f, "action") == "preview" {
        let all = ctx.state.store.components().await?;
        let names: Vec<String> = components
            .iter()
            .filter_map(|(id, _)| all.iter().find(|c| &c.id == id).map(|c| c.name.clone()))
            .collect();
        let preview =
            subscriber_preview(ctx.tr(), &draft.name, status.as_str(), &draft.body, &names);
        return desk_page(&ctx, None, draft, Some(preview)).await;
    }
    ctx.state
        .store
        .create_incident(
            &NewIncident {
                kind: "incident",
                name: &draft.name,
                status: status.as_str(),
                impact: impact.as_str(),
                body: &draft.body,
                scheduled_for: None,
                scheduled_until: None,
                components,
                apply_statuses: true,
            },
            ctx.now(),
        )
        .await?;
    statuspage::refresh(&ctx.state).await;
    Ok(done("incident-posted"))
}

async fn post_update(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<Fields>,
) -> AppResult<Response> {
    ctx.check_csrf(field(&f, "csrf"))?;
    ctx.require(Action::ManageStatusPage)?;
    let incident = ctx
        .state
        .store
        .incident(&id)
        .await?
        .ok_or(AppError::NotFound)?;
    let result = async {
        let body = field(&f, "body").trim();
        if body.is_empty() {
            return Err(AppError::bad("body", "message: write what changed"));
        }
        let mut components = status_routes::parse_components(&ctx.state, &picked(&f)).await?;
        status_routes::post(
            &ctx.state,
            &incident,
            field(&f, "status"),
            body,
            &mut components,
        )
        .await
    }
    .await;
    match result {
        Ok(()) => Ok(done("update-posted")),
        Err(e) => refused(&ctx, e, Draft::default()).await,
    }
}

async fn reply_linked(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<Fields>,
) -> AppResult<Response> {
    ctx.check_csrf(field(&f, "csrf"))?;
    let viewer = ctx.require(Action::WorkSupportQueue)?;
    match status_routes::reply_all(&ctx.state, &viewer.principal, &id, field(&f, "body")).await {
        Ok(_) => Ok(done("replied-linked")),
        Err(e) => refused(&ctx, e, Draft::default()).await,
    }
}

/// A `datetime-local` value, read as UTC.
fn parse_local(field_name: &str, s: &str) -> AppResult<i64> {
    let with_seconds = if s.len() == 16 {
        format!("{s}:00Z")
    } else {
        format!("{s}Z")
    };
    let t = time::OffsetDateTime::parse(
        &with_seconds,
        &time::format_description::well_known::Rfc3339,
    )
    .map_err(|_| {
        AppError::bad(
            field_name,
            format!("{field_name}: '{s}' is not a date and time"),
        )
    })?;
    Ok(i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(0))
}

async fn create_maintenance(ctx: Ctx, FormBody(f): FormBody<Fields>) -> AppResult<Response> {
    ctx.check_csrf(field(&f, "csrf"))?;
    ctx.require(Action::ManageStatusPage)?;
    let result = async {
        let name = field(&f, "name").trim();
        let body = field(&f, "body").trim();
        if name.is_empty() || body.is_empty() {
            return Err(AppError::bad("name", "name and message: both are needed"));
        }
        let starts = parse_local("scheduled_for", field(&f, "scheduled_for"))?;
        let ends = parse_local("scheduled_until", field(&f, "scheduled_until"))?;
        if ends <= starts {
            return Err(AppError::bad(
                "scheduled_until",
                "scheduled_until: must be after the start",
            ));
        }
        let map: BTreeMap<String, String> = f
            .iter()
            .filter(|(k, _)| k == "component")
            .map(|(_, v)| (v.clone(), "under_maintenance".to_string()))
            .collect();
        if map.is_empty() {
            return Err(AppError::bad(
                "components",
                "components: choose at least one feature",
            ));
        }
        let components = status_routes::parse_components(&ctx.state, &map).await?;
        ctx.state
            .store
            .create_incident(
                &NewIncident {
                    kind: "maintenance",
                    name,
                    status: "scheduled",
                    impact: "maintenance",
                    body,
                    scheduled_for: Some(starts),
                    scheduled_until: Some(ends),
                    components,
                    apply_statuses: false,
                },
                ctx.now(),
            )
            .await?;
        status_routes::run_due_maintenance(&ctx.state).await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => {
            statuspage::refresh(&ctx.state).await;
            Ok(done("maintenance-scheduled"))
        }
        Err(e) => refused(&ctx, e, Draft::default()).await,
    }
}

async fn link_request(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<Fields>,
) -> AppResult<Response> {
    ctx.check_csrf(field(&f, "csrf"))?;
    ctx.require(Action::WorkSupportQueue)?;
    status_routes::link(&ctx.state, field(&f, "incident"), &id).await?;
    Ok(Redirect::to(&format!("/agent/requests/{id}?done=linked")).into_response())
}
