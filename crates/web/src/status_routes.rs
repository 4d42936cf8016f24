//! Routes of the status page: the public page, its live updates, incident
//! permalinks, the Statuspage-compatible `/api/v2/` documents, and the
//! staff's REST API for components, incidents and maintenance.
use crate::ctx::{ApiCaller, Ctx, negotiate_language};
use crate::error::{AppError, AppResult};
use crate::extract::JsonBody;
use crate::i18n::{Tr, format_time, rfc3339};
use crate::page::{Page, render};
use crate::state::AppState;
use crate::statuspage::{self, serve};
use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use domain::Action;
use domain::status::{
    ComponentStatus, Impact, IncidentStatus, MaintenanceStatus, incident_transition,
    maintenance_transition,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::convert::Infallible;
use store::{ComponentChange, NewIncident, NewIncidentUpdate};
use utoipa::ToSchema;

/// `/status`: the snapshot in the visitor's language.
pub async fn status_page(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    let lang = negotiate_language(&state, &headers, None);
    let key = format!("page.{}", lang.as_str());
    let doc = match state.status.doc(&key) {
        Some(d) => d,
        None => {
            statuspage::rebuild(&state).await?;
            state.status.doc(&key).ok_or(AppError::NotFound)?
        }
    };
    Ok(serve(&doc, &headers, true))
}

/// `/api/v2/…`: the Statuspage-compatible documents.
pub async fn v2_document(
    State(state): State<AppState>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    if state.status.version() == 0 {
        statuspage::rebuild(&state).await?;
    }
    let doc = state.status.doc(&path).ok_or(AppError::NotFound)?;
    Ok(serve(&doc, &headers, false))
}

/// `/history.rss` and `/history.atom`: the incident history as feeds.
pub async fn feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    name: &'static str,
) -> AppResult<Response> {
    if state.status.version() == 0 {
        statuspage::rebuild(&state).await?;
    }
    let doc = state.status.doc(name).ok_or(AppError::NotFound)?;
    Ok(serve(&doc, &headers, false))
}

/// `/status/events`: a server-sent event `update` with the snapshot version,
/// once on connecting and then on every change.
pub async fn status_events(State(state): State<AppState>) -> Response {
    let rx = state.status.events.subscribe();
    let closing = state.status.closing();
    let first = state.status.version();
    // State: the receiver, the shutdown signal, the last version sent, and
    // whether the first event (the current version) is still to be sent.
    let stream = futures_util::stream::unfold(
        (rx, closing, first, true),
        |(mut rx, mut closing, last, start)| async move {
            if start {
                let event = Event::default().event("update").data(last.to_string());
                return Some((Ok::<_, Infallible>(event), (rx, closing, last, false)));
            }
            loop {
                tokio::select! {
                    received = rx.recv() => match received {
                        // A version announced before we read the current one.
                        Ok(v) if v <= last => continue,
                        Ok(v) => {
                            let event = Event::default().event("update").data(v.to_string());
                            return Some((Ok(event), (rx, closing, v, false)));
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                    },
                    _ = closing.changed() => return None,
                }
            }
        },
    );
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

struct UpdateRow {
    status: String,
    body: String,
    at: String,
}

#[derive(Template)]
#[template(path = "incident_page.html")]
struct IncidentPage {
    page: Page,
    name: String,
    impact: String,
    status: String,
    window: Option<String>,
    components: String,
    updates: Vec<UpdateRow>,
}

/// `/status/incidents/{id}`: one incident's whole timeline.
pub async fn incident_permalink(ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let store = &ctx.state.store;
    let incident = store.incident(&id).await?.ok_or(AppError::NotFound)?;
    let tr = ctx.tr();
    let prefix = if incident.kind == "maintenance" {
        "maintenance"
    } else {
        "incident"
    };
    let ids = vec![incident.id.clone()];
    let updates = store
        .incident_updates(&ids)
        .await?
        .into_iter()
        .map(|u| UpdateRow {
            status: tr.t(&format!("{prefix}-{}", u.status)),
            body: u.body,
            at: format_time(u.created_at, ctx.lang),
        })
        .collect();
    let components = store.components().await?;
    let affected: Vec<String> = store
        .incident_components(&ids)
        .await?
        .iter()
        .filter_map(|a| {
            components
                .iter()
                .find(|c| c.id == a.component_id)
                .map(|c| c.name.clone())
        })
        .collect();
    let mut page = ctx.page("status-title");
    page.title = incident.name.clone();
    Ok(render(&IncidentPage {
        page,
        status: tr.t(&format!("{prefix}-{}", incident.status)),
        impact: incident.impact.clone(),
        window: crate::statuspage::window(&incident, ctx.lang),
        components: affected.join(", "),
        name: incident.name,
        updates,
    })?
    .into_response())
}

// ---- the REST API for staff ------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct ComponentOut {
    pub id: String,
    pub name: String,
    pub description: String,
    pub group: Option<String>,
    pub position: i64,
    /// `operational`, `degraded_performance`, `partial_outage`, `major_outage` or `under_maintenance`.
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<store::Component> for ComponentOut {
    fn from(c: store::Component) -> Self {
        Self {
            id: c.id,
            name: c.name,
            description: c.description,
            group: c.group_name,
            position: c.position,
            status: c.status,
            created_at: rfc3339(c.created_at),
            updated_at: rfc3339(c.updated_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ComponentList {
    pub components: Vec<ComponentOut>,
}

/// The product's features with their current status.
#[utoipa::path(get, path = "/api/v1/components", tag = "status",
    security(("bearer" = [])),
    responses((status = 200, body = ComponentList), (status = 401, body = crate::api::ErrorBody)))]
pub async fn list_components(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> AppResult<Json<ComponentList>> {
    caller.require(Action::ReadStatusPage)?;
    let components = state
        .store
        .components()
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(ComponentList { components }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewComponent {
    pub name: String,
    pub description: Option<String>,
    pub group: Option<String>,
    pub position: Option<i64>,
    pub status: Option<String>,
}

fn check_name(field: &str, s: &str, max: usize) -> AppResult<String> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > max {
        return Err(AppError::bad(
            field,
            format!("{field}: 1 to {max} characters"),
        ));
    }
    Ok(s.to_string())
}

/// Add a feature to the status page (staff).
#[utoipa::path(post, path = "/api/v1/components", tag = "status",
    security(("bearer" = [])), request_body = NewComponent,
    responses((status = 201, body = ComponentOut), (status = 403, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)))]
pub async fn create_component(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(req): JsonBody<NewComponent>,
) -> AppResult<(StatusCode, Json<ComponentOut>)> {
    caller.require(Action::ManageStatusPage)?;
    let name = check_name("name", &req.name, 100)?;
    let group = req
        .group
        .as_deref()
        .map(|g| check_name("group", g, 100))
        .transpose()?;
    let status = req
        .status
        .as_deref()
        .map(ComponentStatus::parse)
        .transpose()?;
    let now = state.clock.now_ms();
    let position = match req.position {
        Some(p) => p,
        None => i64::try_from(state.store.components().await?.len()).unwrap_or(0),
    };
    let id = state
        .store
        .create_component(
            &name,
            req.description.as_deref().unwrap_or("").trim(),
            group.as_deref(),
            position,
            now,
        )
        .await?;
    if let Some(s) = status.filter(|s| *s != ComponentStatus::Operational) {
        let change = ComponentChange {
            status: Some(s),
            ..Default::default()
        };
        state.store.update_component(&id, &change, now).await?;
    }
    statuspage::refresh(&state).await;
    let c = state
        .store
        .component(&id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

#[derive(Deserialize, ToSchema)]
pub struct ComponentPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    /// A group name, or null to take the component out of its group.
    #[schema(value_type = Option<String>)]
    #[serde(default, deserialize_with = "crate::api_requests::present")]
    pub group: Option<serde_json::Value>,
    pub position: Option<i64>,
    pub status: Option<String>,
}

/// Change a feature's name, group, position or status (staff).
#[utoipa::path(patch, path = "/api/v1/components/{id}", tag = "status",
    security(("bearer" = [])), params(("id" = String, Path, description = "Component id")),
    request_body = ComponentPatch,
    responses((status = 200, body = ComponentOut), (status = 403, body = crate::api::ErrorBody), (status = 404, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)))]
pub async fn patch_component(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ComponentPatch>,
) -> AppResult<Json<ComponentOut>> {
    caller.require(Action::ManageStatusPage)?;
    let name = req
        .name
        .as_deref()
        .map(|n| check_name("name", n, 100))
        .transpose()?;
    let group = match &req.group {
        None => None,
        Some(serde_json::Value::Null) => Some(None),
        Some(serde_json::Value::String(g)) => Some(Some(check_name("group", g, 100)?)),
        Some(_) => return Err(AppError::bad("group", "group: a name or null")),
    };
    let status = req
        .status
        .as_deref()
        .map(ComponentStatus::parse)
        .transpose()?;
    let change = ComponentChange {
        name: name.as_deref(),
        description: req.description.as_deref().map(str::trim),
        group: group.as_ref().map(|g| g.as_deref()),
        position: req.position,
        status,
    };
    if !state
        .store
        .update_component(&id, &change, state.clock.now_ms())
        .await?
    {
        return Err(AppError::NotFound);
    }
    statuspage::refresh(&state).await;
    let c = state
        .store
        .component(&id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(c.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct NewIncidentRequest {
    pub name: String,
    /// `investigating`, `identified`, `monitoring` or `resolved`.
    pub status: String,
    /// `none`, `minor`, `major` or `critical`.
    pub impact: String,
    pub body: String,
    /// Affected components (at least one) and each one's status during the incident.
    #[schema(value_type = Object)]
    pub components: BTreeMap<String, String>,
}

#[derive(Serialize, ToSchema)]
pub struct IncidentOut {
    pub id: String,
    pub name: String,
    pub status: String,
    pub impact: String,
    pub shortlink: String,
    pub created_at: String,
    pub scheduled_for: Option<String>,
    pub scheduled_until: Option<String>,
}

fn incident_out(state: &AppState, i: store::Incident) -> IncidentOut {
    IncidentOut {
        shortlink: format!("{}/status/incidents/{}", state.config.base_url, i.id),
        id: i.id,
        name: i.name,
        status: i.status,
        impact: i.impact,
        created_at: rfc3339(i.created_at),
        scheduled_for: i.scheduled_for.map(rfc3339),
        scheduled_until: i.scheduled_until.map(rfc3339),
    }
}

/// Checks that every id names a listed component (field `components`).
pub(crate) async fn check_component_ids<'a>(
    state: &AppState,
    ids: impl IntoIterator<Item = &'a String>,
) -> AppResult<()> {
    let known = state.store.component_refs().await?;
    for id in ids {
        if !known.iter().any(|c| &c.id == id) {
            return Err(AppError::bad(
                "components",
                format!("components: no listed feature has the id '{id}'"),
            ));
        }
    }
    Ok(())
}

pub(crate) async fn parse_components(
    state: &AppState,
    map: &BTreeMap<String, String>,
) -> AppResult<Vec<(String, ComponentStatus)>> {
    check_component_ids(state, map.keys()).await?;
    let mut out = Vec::new();
    for (id, s) in map {
        let status = ComponentStatus::parse(s)
            .map_err(|e| AppError::bad("components", format!("components: {e}")))?;
        out.push((id.clone(), status));
    }
    Ok(out)
}

/// Post an incident (staff). Only problems that affect a listed feature are
/// posted: at least one component is required.
#[utoipa::path(post, path = "/api/v1/incidents", tag = "status",
    security(("bearer" = [])), request_body = NewIncidentRequest,
    responses((status = 201, body = IncidentOut), (status = 403, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)))]
pub async fn create_incident(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(req): JsonBody<NewIncidentRequest>,
) -> AppResult<(StatusCode, Json<IncidentOut>)> {
    caller.require(Action::ManageStatusPage)?;
    let name = check_name("name", &req.name, 200)?;
    let status = IncidentStatus::parse(&req.status)?;
    let impact = Impact::parse(&req.impact)?;
    let body = check_name("body", &req.body, 10_000)?;
    if req.components.is_empty() {
        return Err(AppError::bad(
            "components",
            "components: an incident must name at least one listed feature it affects",
        ));
    }
    let components = parse_components(&state, &req.components).await?;
    let id = state
        .store
        .create_incident(
            &NewIncident {
                kind: "incident",
                name: &name,
                status: status.as_str(),
                impact: impact.as_str(),
                body: &body,
                scheduled_for: None,
                scheduled_until: None,
                components,
                apply_statuses: true,
            },
            state.clock.now_ms(),
        )
        .await?;
    statuspage::refresh(&state).await;
    let i = state.store.incident(&id).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(incident_out(&state, i))))
}

#[derive(Deserialize, ToSchema)]
pub struct NewUpdateRequest {
    /// For incidents `investigating`, `identified`, `monitoring`, `resolved`;
    /// for maintenance `scheduled`, `in_progress`, `verifying`, `completed`.
    pub status: String,
    pub body: String,
    /// Components whose status changes with this update.
    #[schema(value_type = Option<Object>)]
    pub components: Option<BTreeMap<String, String>>,
}

/// Post an update on an incident or maintenance (staff). Resolving an
/// incident sets its components back to operational unless told otherwise.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/updates", tag = "status",
    security(("bearer" = [])), params(("id" = String, Path, description = "Incident or maintenance id")),
    request_body = NewUpdateRequest,
    responses((status = 201, body = IncidentOut), (status = 404, body = crate::api::ErrorBody), (status = 409, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)))]
pub async fn post_update(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<NewUpdateRequest>,
) -> AppResult<(StatusCode, Json<IncidentOut>)> {
    caller.require(Action::ManageStatusPage)?;
    let incident = state.store.incident(&id).await?.ok_or(AppError::NotFound)?;
    let body = check_name("body", &req.body, 10_000)?;
    let mut components = match &req.components {
        Some(map) => parse_components(&state, map).await?,
        None => Vec::new(),
    };
    post(&state, &incident, &req.status, &body, &mut components).await?;
    let i = state.store.incident(&id).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(incident_out(&state, i))))
}

/// Validates a status change by the incident's or maintenance's state
/// machine, fills in what the change implies for components, and posts it.
pub async fn post(
    state: &AppState,
    incident: &store::Incident,
    status: &str,
    body: &str,
    components: &mut Vec<(String, ComponentStatus)>,
) -> AppResult<()> {
    let conflict = |e: domain::status::StatusRefused| AppError::Conflict {
        message: e.to_string(),
        field: Some("status".into()),
    };
    let affected = state
        .store
        .incident_components(std::slice::from_ref(&incident.id))
        .await?;
    let (status, resolved, back_to_normal, under_maintenance) = if incident.kind == "maintenance" {
        let from = MaintenanceStatus::parse(&incident.status)?;
        let to =
            maintenance_transition(from, MaintenanceStatus::parse(status)?).map_err(conflict)?;
        (
            to.as_str(),
            to == MaintenanceStatus::Completed,
            to == MaintenanceStatus::Completed,
            to == MaintenanceStatus::InProgress && from == MaintenanceStatus::Scheduled,
        )
    } else {
        let from = IncidentStatus::parse(&incident.status)?;
        let to = incident_transition(from, IncidentStatus::parse(status)?).map_err(conflict)?;
        (
            to.as_str(),
            to == IncidentStatus::Resolved,
            to == IncidentStatus::Resolved,
            false,
        )
    };
    for a in &affected {
        if components.iter().any(|(id, _)| id == &a.component_id) {
            continue;
        }
        if back_to_normal {
            components.push((a.component_id.clone(), ComponentStatus::Operational));
        } else if under_maintenance {
            components.push((a.component_id.clone(), ComponentStatus::UnderMaintenance));
        }
    }
    let ok = state
        .store
        .post_incident_update(
            &NewIncidentUpdate {
                incident_id: &incident.id,
                expected_status: &incident.status,
                status,
                body,
                components: components.clone(),
                resolved,
            },
            state.clock.now_ms(),
        )
        .await?;
    if !ok {
        return Err(AppError::Conflict {
            message: "the incident changed meanwhile; reload and try again".into(),
            field: Some("status".into()),
        });
    }
    statuspage::refresh(state).await;
    Ok(())
}

#[derive(Deserialize, ToSchema)]
pub struct NewMaintenanceRequest {
    pub name: String,
    pub body: String,
    /// RFC 3339, e.g. `2026-12-01T22:00:00Z`.
    pub scheduled_for: String,
    pub scheduled_until: String,
    /// Ids of the components that will be under maintenance.
    pub components: Vec<String>,
}

fn parse_time(field: &str, s: &str) -> AppResult<i64> {
    let t = time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
        .map_err(|_| {
        AppError::bad(
            field,
            format!("{field}: '{s}' is not an RFC 3339 time such as 2026-12-01T22:00:00Z"),
        )
    })?;
    Ok(i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(0))
}

/// Schedule maintenance (staff). It starts and completes itself on time
/// unless someone does it first.
#[utoipa::path(post, path = "/api/v1/maintenances", tag = "status",
    security(("bearer" = [])), request_body = NewMaintenanceRequest,
    responses((status = 201, body = IncidentOut), (status = 403, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)))]
pub async fn create_maintenance(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(req): JsonBody<NewMaintenanceRequest>,
) -> AppResult<(StatusCode, Json<IncidentOut>)> {
    caller.require(Action::ManageStatusPage)?;
    let name = check_name("name", &req.name, 200)?;
    let body = check_name("body", &req.body, 10_000)?;
    let starts = parse_time("scheduled_for", &req.scheduled_for)?;
    let ends = parse_time("scheduled_until", &req.scheduled_until)?;
    if ends <= starts {
        return Err(AppError::bad(
            "scheduled_until",
            "scheduled_until: must be after scheduled_for",
        ));
    }
    if req.components.is_empty() {
        return Err(AppError::bad(
            "components",
            "components: name at least one listed feature",
        ));
    }
    let map: BTreeMap<String, String> = req
        .components
        .iter()
        .map(|c| (c.clone(), "under_maintenance".to_string()))
        .collect();
    let components = parse_components(&state, &map).await?;
    let id = state
        .store
        .create_incident(
            &NewIncident {
                kind: "maintenance",
                name: &name,
                status: "scheduled",
                impact: "maintenance",
                body: &body,
                scheduled_for: Some(starts),
                scheduled_until: Some(ends),
                components,
                apply_statuses: false,
            },
            state.clock.now_ms(),
        )
        .await?;
    run_due_maintenance(&state).await?;
    statuspage::refresh(&state).await;
    let i = state.store.incident(&id).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(incident_out(&state, i))))
}

/// Starts and completes maintenance whose time has come. Returns how many
/// changed.
pub async fn run_due_maintenance(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now_ms();
    let tr = Tr(state.config.default_language);
    let mut changed = 0;
    for m in state.store.open_incidents().await? {
        if m.kind != "maintenance" {
            continue;
        }
        let (Some(starts), Some(ends)) = (m.scheduled_for, m.scheduled_until) else {
            continue;
        };
        let Ok(status) = MaintenanceStatus::parse(&m.status) else {
            continue;
        };
        let Some(to) = domain::status::maintenance_due(status, starts, ends, now) else {
            continue;
        };
        let body = tr.t(if to == MaintenanceStatus::Completed {
            "maintenance-auto-completed"
        } else {
            "maintenance-auto-started"
        });
        match post(state, &m, to.as_str(), &body, &mut Vec::new()).await {
            Ok(()) => changed += 1,
            Err(AppError::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(changed)
}

#[derive(Deserialize, ToSchema)]
pub struct LinkRequest {
    pub request_id: String,
}

/// Link a support request to an incident (staff), so it can be answered
/// together with the others when the incident is resolved.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/requests", tag = "status",
    security(("bearer" = [])), params(("id" = String, Path, description = "Incident id")),
    request_body = LinkRequest,
    responses((status = 204, description = "Linked"), (status = 404, body = crate::api::ErrorBody)))]
pub async fn link_request(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<LinkRequest>,
) -> AppResult<StatusCode> {
    caller.require(Action::WorkSupportQueue)?;
    link(&state, &id, &req.request_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn link(state: &AppState, incident_id: &str, request_id: &str) -> AppResult<()> {
    state
        .store
        .incident(incident_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if state
        .store
        .request(store::Scope::Staff, request_id)
        .await?
        .is_none()
    {
        return Err(AppError::bad(
            "request_id",
            "request_id: no such support request",
        ));
    }
    state.store.link_request(incident_id, request_id).await?;
    Ok(())
}

#[derive(Deserialize, ToSchema)]
pub struct ReplyAll {
    pub body: String,
}

#[derive(Serialize, ToSchema)]
pub struct Replied {
    /// How many linked requests got the reply (closed ones are skipped).
    pub replied: usize,
}

/// Reply to every support request linked to an incident (staff): one
/// action when the incident is resolved.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/reply", tag = "status",
    security(("bearer" = [])), params(("id" = String, Path, description = "Incident id")),
    request_body = ReplyAll,
    responses((status = 200, body = Replied), (status = 404, body = crate::api::ErrorBody), (status = 422, body = crate::api::ErrorBody)))]
pub async fn reply_linked(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ReplyAll>,
) -> AppResult<Json<Replied>> {
    caller.require(Action::WorkSupportQueue)?;
    let replied = reply_all(&state, &caller.principal, &id, &req.body).await?;
    Ok(Json(Replied { replied }))
}

pub(crate) async fn reply_all(
    state: &AppState,
    who: &store::Principal,
    incident_id: &str,
    body: &str,
) -> AppResult<usize> {
    state
        .store
        .incident(incident_id)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::requests::check_body("body", body)?;
    let mut replied = 0;
    for request_id in state.store.linked_requests(incident_id).await? {
        let Some(request) = state
            .store
            .request(store::Scope::Staff, &request_id)
            .await?
        else {
            continue;
        };
        if request.status == domain::TicketStatus::Closed {
            continue;
        }
        crate::requests::reply(state, who, &request, body, false, Vec::new()).await?;
        replied += 1;
    }
    Ok(replied)
}
