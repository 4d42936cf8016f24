//! `/api/v1/organisations` and `/api/v1/users`.
use crate::http::ctx::ApiCaller;
use crate::http::error::{AppResult, ErrorBody};
use crate::http::extract::{JsonBody, id_or_null};
use crate::http::state::AppState;
use crate::i18n::rfc3339;
use app::accounts::NewUserInput;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    /// `core`, `advanced` or `enterprise`.
    pub plan: String,
    /// `default` (follows the percentage rollout), `on` or `off`.
    pub chat_rollout: String,
    /// The support team whose business hours its requests' response
    /// targets count in; null: the default hours.
    pub support_team: Option<String>,
    pub created_at: String,
}

impl From<app::model::Organisation> for Organisation {
    fn from(o: app::model::Organisation) -> Self {
        Self {
            id: o.id,
            name: o.name,
            plan: o.plan.as_str().into(),
            chat_rollout: o.chat_rollout.as_str().into(),
            support_team: o.team_id,
            created_at: rfc3339(o.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    /// `member`, `admin`, `agent` or `support_admin`.
    pub role: String,
    /// `sv`, `en`, or null to follow the browser.
    pub language: Option<String>,
    pub organisation_id: Option<String>,
    pub created_at: String,
}

impl From<app::model::User> for User {
    fn from(u: app::model::User) -> Self {
        Self {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role.as_str().into(),
            language: u.language.map(|l| l.as_str().to_string()),
            organisation_id: u.org_id,
            created_at: rfc3339(u.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationList {
    pub organisations: Vec<Organisation>,
}

/// Organisations the caller can see: all for staff, their own for customers.
#[utoipa::path(
    get, path = "/api/v1/organisations", tag = "organisations",
    security(("bearer" = [])),
    responses((status = 200, body = OrganisationList), (status = 401, body = ErrorBody))
)]
pub async fn list_organisations(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> AppResult<Json<OrganisationList>> {
    let organisations = state
        .app
        .organisations(&caller)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(OrganisationList { organisations }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewOrganisation {
    pub name: String,
    /// `core`, `advanced` or `enterprise`.
    pub plan: String,
}

/// Create an organisation (support admins).
#[utoipa::path(
    post, path = "/api/v1/organisations", tag = "organisations",
    security(("bearer" = [])),
    request_body = NewOrganisation,
    responses(
        (status = 201, body = Organisation),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn create_organisation(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(req): JsonBody<NewOrganisation>,
) -> AppResult<(StatusCode, Json<Organisation>)> {
    let org = state
        .app
        .create_organisation(&caller, &req.name, &req.plan)
        .await?;
    Ok((StatusCode::CREATED, Json(org.into())))
}

/// One organisation; another organisation's is a 404 for customers.
#[utoipa::path(
    get, path = "/api/v1/organisations/{id}", tag = "organisations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Organisation id")),
    responses((status = 200, body = Organisation), (status = 404, body = ErrorBody))
)]
pub async fn get_organisation(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<Organisation>> {
    Ok(Json(state.app.organisation(&caller, &id).await?.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct OrganisationUpdate {
    pub plan: Option<String>,
    pub chat_rollout: Option<String>,
    /// A support team's id, or null for none (the default hours).
    #[schema(value_type = Option<String>)]
    #[serde(default, deserialize_with = "crate::http::extract::present")]
    pub support_team: Option<serde_json::Value>,
}

/// Change an organisation's plan, chat rollout or support team (support
/// admins).
#[utoipa::path(
    patch, path = "/api/v1/organisations/{id}", tag = "organisations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Organisation id")),
    request_body = OrganisationUpdate,
    responses((status = 200, body = Organisation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn update_organisation(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<OrganisationUpdate>,
) -> AppResult<Json<Organisation>> {
    let team = id_or_null(req.support_team, "support_team", "unknown_team")?;
    let mut org = state
        .app
        .update_organisation(
            &caller,
            &id,
            req.plan.as_deref(),
            req.chat_rollout.as_deref(),
        )
        .await?;
    if let Some(team) = team {
        org = state
            .app
            .set_org_team(&caller, &id, team.as_deref())
            .await?;
    }
    Ok(Json(org.into()))
}

#[derive(Serialize, ToSchema)]
pub struct UserList {
    pub users: Vec<User>,
}

/// The people of an organisation (its admins and staff).
#[utoipa::path(
    get, path = "/api/v1/organisations/{id}/users", tag = "organisations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Organisation id")),
    responses((status = 200, body = UserList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn organisation_users(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<UserList>> {
    let users = state
        .app
        .organisation_users(&caller, &id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(UserList { users }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewUserRequest {
    pub email: String,
    pub name: String,
    /// `member`, `admin`, `agent` or `support_admin`.
    pub role: String,
    /// Required for `member` and `admin`; absent for staff.
    pub organisation_id: Option<String>,
    pub password: String,
}

/// Create a user (support admins).
#[utoipa::path(
    post, path = "/api/v1/users", tag = "accounts",
    security(("bearer" = [])),
    request_body = NewUserRequest,
    responses((status = 201, body = User), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(req): JsonBody<NewUserRequest>,
) -> AppResult<(StatusCode, Json<User>)> {
    let user = state
        .app
        .create_user(
            &caller,
            NewUserInput {
                name: &req.name,
                email: &req.email,
                role: &req.role,
                org_id: req.organisation_id.as_deref(),
                password: &req.password,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

#[derive(Serialize, ToSchema)]
pub struct AccessRevoked {
    /// How many sessions ended.
    pub sessions: u64,
    /// The labels of the API tokens revoked.
    pub tokens: Vec<String>,
}

/// End every session of a user and revoke every API token (support admins).
#[utoipa::path(
    post, path = "/api/v1/users/{id}/revoke-access", tag = "accounts",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = AccessRevoked), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn revoke_access(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<AccessRevoked>> {
    let (sessions, tokens) = state.app.revoke_access(&caller, &id).await?;
    Ok(Json(AccessRevoked { sessions, tokens }))
}
