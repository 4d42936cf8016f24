//! The staff's REST API for the status page: components, incidents and
//! their updates, maintenance, and support requests linked to incidents.
use crate::http::ctx::ApiCaller;
use crate::http::error::{AppResult, ErrorBody};
use crate::http::extract::JsonBody;
use crate::http::state::AppState;
use crate::i18n::rfc3339;
use app::content::{Translations, TranslationsInput};
use app::status::{
    ComponentInput, ComponentPatch, IncidentEditInput, IncidentInput, MaintenanceInput,
    UpdateEditInput, UpdateInput,
};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::Action;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

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
    /// The texts in other languages: `{"sv": {"name": "…", "description": "…"}}`.
    #[schema(value_type = Object)]
    pub translations: serde_json::Value,
}

impl From<app::model::Component> for ComponentOut {
    fn from(c: app::model::Component) -> Self {
        Self {
            translations: Translations::stored(&c.translations).to_json(),
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
    responses((status = 200, body = ComponentList), (status = 401, body = ErrorBody)))]
pub async fn list_components(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> AppResult<Json<ComponentList>> {
    state.app.permit(&caller, Action::ReadStatusPage)?;
    let components = state
        .app
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
    /// The name and description in other languages:
    /// `{"sv": {"name": "…", "description": "…"}}` (`body` is taken for the description too).
    #[schema(value_type = Option<Object>)]
    pub translations: Option<TranslationsInput>,
}

/// Add a feature to the status page (staff).
#[utoipa::path(post, path = "/api/v1/components", tag = "status",
    security(("bearer" = [])), request_body = NewComponent,
    responses((status = 201, body = ComponentOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_component(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(req): JsonBody<NewComponent>,
) -> AppResult<(StatusCode, Json<ComponentOut>)> {
    let c = state
        .app
        .create_component(
            &caller,
            ComponentInput {
                name: req.name,
                description: req.description,
                group: req.group,
                position: req.position,
                status: req.status,
                translations: req.translations.unwrap_or_default(),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

#[derive(Deserialize, ToSchema)]
pub struct ComponentPatchRequest {
    pub name: Option<String>,
    pub description: Option<String>,
    /// A group name, or null to take the component out of its group.
    #[schema(value_type = Option<String>)]
    #[serde(default, deserialize_with = "crate::http::extract::present")]
    pub group: Option<serde_json::Value>,
    pub position: Option<i64>,
    pub status: Option<String>,
    /// Laid over the texts in other languages, field by field (an empty
    /// text removes one).
    #[schema(value_type = Option<Object>)]
    pub translations: Option<TranslationsInput>,
}

/// Change a feature's name, group, position or status (staff).
#[utoipa::path(patch, path = "/api/v1/components/{id}", tag = "status",
    security(("bearer" = [])), params(("id" = String, Path, description = "Component id")),
    request_body = ComponentPatchRequest,
    responses((status = 200, body = ComponentOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_component(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ComponentPatchRequest>,
) -> AppResult<Json<ComponentOut>> {
    let group = match req.group {
        None => None,
        Some(serde_json::Value::Null) => Some(None),
        Some(serde_json::Value::String(g)) => Some(Some(g)),
        Some(_) => return Err(app::Error::invalid("group", "invalid").into()),
    };
    let c = state
        .app
        .update_component(
            &caller,
            &id,
            ComponentPatch {
                name: req.name,
                description: req.description,
                group,
                position: req.position,
                status: req.status,
                translations: req.translations,
            },
        )
        .await?;
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
    /// The name and body in other languages: `{"sv": {"name": "…", "body": "…"}}`.
    #[schema(value_type = Option<Object>)]
    pub translations: Option<TranslationsInput>,
}

#[derive(Serialize, ToSchema)]
pub struct UpdateOut {
    pub id: String,
    pub status: String,
    pub body: String,
    /// `{"sv": {"body": "…"}}`.
    #[schema(value_type = Object)]
    pub translations: serde_json::Value,
    pub created_at: String,
    /// When the update was last corrected, if ever.
    pub edited_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct IncidentOut {
    pub id: String,
    pub name: String,
    pub status: String,
    pub impact: String,
    pub shortlink: String,
    pub created_at: String,
    pub updated_at: String,
    pub resolved_at: Option<String>,
    pub scheduled_for: Option<String>,
    pub scheduled_until: Option<String>,
    /// The name and postmortem in other languages: `{"sv": {"name": "…"}}`.
    #[schema(value_type = Object)]
    pub translations: serde_json::Value,
    /// Markdown; empty until one is written.
    pub postmortem: String,
    pub postmortem_at: Option<String>,
    /// When the name or postmortem was last corrected, if ever.
    pub edited_at: Option<String>,
    /// Newest first.
    pub updates: Vec<UpdateOut>,
}

fn update_out(u: app::model::IncidentUpdate) -> UpdateOut {
    UpdateOut {
        translations: Translations::stored(&u.translations).to_json(),
        id: u.id,
        status: u.status,
        body: u.body,
        created_at: rfc3339(u.created_at),
        edited_at: u.edited_at.map(rfc3339),
    }
}

async fn incident_out(state: &AppState, i: app::model::Incident) -> AppResult<IncidentOut> {
    let updates = state.app.incident(&i.id).await?.updates;
    Ok(IncidentOut {
        shortlink: state.app.link(&format!("/status/incidents/{}", i.id)),
        translations: Translations::stored(&i.translations).to_json(),
        id: i.id,
        name: i.name,
        status: i.status,
        impact: i.impact,
        created_at: rfc3339(i.created_at),
        updated_at: rfc3339(i.updated_at),
        resolved_at: i.resolved_at.map(rfc3339),
        scheduled_for: i.scheduled_for.map(rfc3339),
        scheduled_until: i.scheduled_until.map(rfc3339),
        postmortem: i.postmortem,
        postmortem_at: i.postmortem_at.map(rfc3339),
        edited_at: i.edited_at.map(rfc3339),
        updates: updates.into_iter().map(update_out).collect(),
    })
}

/// One incident or maintenance with its updates and texts in every
/// language.
#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "status",
    security(("bearer" = [])), params(("id" = String, Path, description = "Incident or maintenance id")),
    responses((status = 200, body = IncidentOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_incident(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<IncidentOut>> {
    state.app.permit(&caller, Action::ReadStatusPage)?;
    let i = state.app.incident(&id).await?.incident;
    Ok(Json(incident_out(&state, i).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct IncidentPatchRequest {
    pub name: Option<String>,
    /// Markdown; an empty text takes the postmortem down.
    pub postmortem: Option<String>,
    /// Laid over the texts in other languages, field by field (`name`,
    /// `postmortem`; an empty text removes one).
    #[schema(value_type = Option<Object>)]
    pub translations: Option<TranslationsInput>,
}

/// Correct a posted incident's or maintenance's name, write its postmortem,
/// or its texts in other languages (staff). The texts before are kept in the
/// edit history; the page shows it as edited.
#[utoipa::path(patch, path = "/api/v1/incidents/{id}", tag = "status",
    security(("bearer" = [])), params(("id" = String, Path, description = "Incident or maintenance id")),
    request_body = IncidentPatchRequest,
    responses((status = 200, body = IncidentOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_incident(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<IncidentPatchRequest>,
) -> AppResult<Json<IncidentOut>> {
    let i = state
        .app
        .edit_incident(
            &caller,
            &id,
            IncidentEditInput {
                name: req.name,
                postmortem: req.postmortem,
                translations: req.translations,
            },
        )
        .await?;
    Ok(Json(incident_out(&state, i).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct UpdatePatchRequest {
    pub body: Option<String>,
    /// Laid over the update's texts in other languages (`body`).
    #[schema(value_type = Option<Object>)]
    pub translations: Option<TranslationsInput>,
}

/// Correct a posted update's text or its texts in other languages (staff).
#[utoipa::path(patch, path = "/api/v1/incidents/{id}/updates/{update_id}", tag = "status",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Incident or maintenance id"),
           ("update_id" = String, Path, description = "Update id")),
    request_body = UpdatePatchRequest,
    responses((status = 200, body = UpdateOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_update(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, update_id)): Path<(String, String)>,
    JsonBody(req): JsonBody<UpdatePatchRequest>,
) -> AppResult<Json<UpdateOut>> {
    let u = state
        .app
        .edit_incident_update(
            &caller,
            &id,
            &update_id,
            UpdateEditInput {
                body: req.body,
                translations: req.translations,
            },
        )
        .await?;
    Ok(Json(update_out(u)))
}

#[derive(Serialize, ToSchema)]
pub struct EditOut {
    pub id: String,
    /// The update corrected; null for the incident's own texts.
    pub update_id: Option<String>,
    pub editor_id: Option<String>,
    /// The texts before the edit (`name`, `postmortem`, `body`, `translations`).
    #[schema(value_type = Object)]
    pub previous: serde_json::Value,
    pub edited_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct EditList {
    pub edits: Vec<EditOut>,
}

/// An incident's edit history, newest first (staff).
#[utoipa::path(get, path = "/api/v1/incidents/{id}/edits", tag = "status",
    security(("bearer" = [])), params(("id" = String, Path, description = "Incident or maintenance id")),
    responses((status = 200, body = EditList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_edits(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<EditList>> {
    let edits = state
        .app
        .incident_edits(&caller, &id)
        .await?
        .into_iter()
        .map(|e| EditOut {
            previous: serde_json::from_str(&e.previous).unwrap_or_default(),
            id: e.id,
            update_id: e.update_id,
            editor_id: e.editor_id,
            edited_at: rfc3339(e.edited_at),
        })
        .collect();
    Ok(Json(EditList { edits }))
}

/// Post an incident (staff). Only problems that affect a listed feature are
/// posted: at least one component is required.
#[utoipa::path(post, path = "/api/v1/incidents", tag = "status",
    security(("bearer" = [])), request_body = NewIncidentRequest,
    responses((status = 201, body = IncidentOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_incident(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(req): JsonBody<NewIncidentRequest>,
) -> AppResult<(StatusCode, Json<IncidentOut>)> {
    let i = state
        .app
        .create_incident(
            &caller,
            IncidentInput {
                name: req.name,
                status: req.status,
                impact: req.impact,
                body: req.body,
                components: req.components,
                translations: req.translations.unwrap_or_default(),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(incident_out(&state, i).await?)))
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
    /// The body in other languages: `{"sv": {"body": "…"}}`.
    #[schema(value_type = Option<Object>)]
    pub translations: Option<TranslationsInput>,
}

/// Post an update on an incident or maintenance (staff). Resolving an
/// incident sets its components back to operational unless told otherwise.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/updates", tag = "status",
    security(("bearer" = [])), params(("id" = String, Path, description = "Incident or maintenance id")),
    request_body = NewUpdateRequest,
    responses((status = 201, body = IncidentOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn post_update(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<NewUpdateRequest>,
) -> AppResult<(StatusCode, Json<IncidentOut>)> {
    let i = state
        .app
        .post_incident_update(
            &caller,
            &id,
            UpdateInput {
                status: req.status,
                body: req.body,
                components: req.components.unwrap_or_default(),
                translations: req.translations.unwrap_or_default(),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(incident_out(&state, i).await?)))
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
    /// The name and body in other languages: `{"sv": {"name": "…", "body": "…"}}`.
    #[schema(value_type = Option<Object>)]
    pub translations: Option<TranslationsInput>,
}

/// Schedule maintenance (staff). It starts and completes itself on time
/// unless someone does it first.
#[utoipa::path(post, path = "/api/v1/maintenances", tag = "status",
    security(("bearer" = [])), request_body = NewMaintenanceRequest,
    responses((status = 201, body = IncidentOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_maintenance(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(req): JsonBody<NewMaintenanceRequest>,
) -> AppResult<(StatusCode, Json<IncidentOut>)> {
    let i = state
        .app
        .create_maintenance(
            &caller,
            MaintenanceInput {
                name: req.name,
                body: req.body,
                scheduled_for: req.scheduled_for,
                scheduled_until: req.scheduled_until,
                components: req.components,
                translations: req.translations.unwrap_or_default(),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(incident_out(&state, i).await?)))
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
    responses((status = 204, description = "Linked"), (status = 404, body = ErrorBody)))]
pub async fn link_request(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<LinkRequest>,
) -> AppResult<StatusCode> {
    state
        .app
        .link_request(&caller, &id, &req.request_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
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
    responses((status = 200, body = Replied), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reply_linked(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ReplyAll>,
) -> AppResult<Json<Replied>> {
    let replied = state.app.reply_linked(&caller, &id, &req.body).await?;
    Ok(Json(Replied { replied }))
}
