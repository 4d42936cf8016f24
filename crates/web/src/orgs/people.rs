//! Customer admins manage their organisation's people: the admin panel's
//! forms and `GET|POST /api/v1/org/people`, `PATCH|DELETE
//! /api/v1/org/people/{id}`.
use crate::http::ctx::{ApiCaller, Ctx};
use crate::http::error::{AppResult, ErrorBody};
use crate::http::extract::{CsrfForm, FormBody, JsonBody};
use crate::http::state::AppState;
use app::model::User;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Json, Router};
use domain::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/people", post(invite_form))
        .route("/admin/people/{id}/role", post(role_form))
        .route("/admin/people/{id}/remove", post(remove_form))
}

#[derive(Serialize, ToSchema)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub email: String,
    /// `admin` or `member`.
    pub role: String,
    pub admin: bool,
}

fn person(u: User) -> Person {
    Person {
        admin: u.role == Role::Admin,
        role: u.role.as_str().into(),
        id: u.id,
        name: u.name,
        email: u.email,
    }
}

#[derive(Serialize, ToSchema)]
pub struct People {
    pub people: Vec<Person>,
    /// How many people the plan allows; null: no limit.
    pub limit: Option<usize>,
}

#[derive(Deserialize, ToSchema)]
pub struct Invite {
    pub name: String,
    pub email: String,
    /// `member` (default) or `admin`.
    pub role: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct RoleChange {
    /// `admin` or `member`.
    pub role: String,
}

/// The people of the caller's organisation, admins first (its admins).
#[utoipa::path(
    get, path = "/api/v1/org/people", tag = "organisations",
    security(("bearer" = [])),
    responses((status = 200, body = People), (status = 403, body = ErrorBody))
)]
pub async fn list(State(state): State<AppState>, caller: ApiCaller) -> AppResult<Json<People>> {
    let people = state.app.org_people(&caller).await?;
    let limit = caller
        .actor
        .org
        .as_ref()
        .and_then(|o| app::people::people_limit(o.plan));
    Ok(Json(People {
        people: people.into_iter().map(person).collect(),
        limit,
    }))
}

/// Invite someone by e-mail: they get a link to choose a password.
#[utoipa::path(
    post, path = "/api/v1/org/people", tag = "organisations",
    security(("bearer" = [])),
    request_body = Invite,
    responses((status = 201, body = Person), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn invite(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(i): JsonBody<Invite>,
) -> AppResult<(StatusCode, Json<Person>)> {
    let u = state
        .app
        .invite_person(&caller, &i.name, &i.email, i.role.as_deref().unwrap_or(""))
        .await?;
    Ok((StatusCode::CREATED, Json(person(u))))
}

/// Make someone an admin or a member (the last admin stays one).
#[utoipa::path(
    patch, path = "/api/v1/org/people/{id}", tag = "organisations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    request_body = RoleChange,
    responses((status = 200, body = Person), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn patch(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(c): JsonBody<RoleChange>,
) -> AppResult<Json<Person>> {
    Ok(Json(person(
        state.app.set_person_role(&caller, &id, &c.role).await?,
    )))
}

/// Remove someone: they can no longer sign in; what they wrote stays.
#[utoipa::path(
    delete, path = "/api/v1/org/people/{id}", tag = "organisations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    state.app.remove_person(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct InviteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

/// The admin panel again with the refusal, or back with the confirmation.
async fn back(ctx: &Ctx, result: app::Result<()>, done: &str) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin?done={done}#people")).into_response()),
        Err(e @ (app::Error::Invalid(_) | app::Error::Conflict(_))) => {
            crate::orgs::pages::admin_page(ctx, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn invite_form(ctx: Ctx, FormBody(f): FormBody<InviteForm>) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    let result = ctx
        .app()
        .invite_person(ctx.signed_in()?, &f.name, &f.email, &f.role)
        .await
        .map(|_| ());
    back(&ctx, result, "person-invited").await
}

#[derive(Deserialize)]
struct RoleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    role: String,
}

async fn role_form(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<RoleForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    let result = ctx
        .app()
        .set_person_role(ctx.signed_in()?, &id, &f.role)
        .await
        .map(|_| ());
    back(&ctx, result, "person-role").await
}

async fn remove_form(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<CsrfForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    let result = ctx.app().remove_person(ctx.signed_in()?, &id).await;
    back(&ctx, result, "person-removed").await
}
