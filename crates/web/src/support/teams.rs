//! Support teams and their business hours: `/staff/teams` for support
//! admins, and `GET|POST /api/v1/support-teams`,
//! `GET|PATCH|DELETE /api/v1/support-teams/{id}`.
use crate::http::ctx::{ApiCaller, Ctx};
use crate::http::error::{AppResult, ErrorBody};
use crate::http::extract::{CsrfForm, FormBody, JsonBody};
use crate::http::page::{Page, render};
use crate::http::state::AppState;
use crate::i18n::rfc3339;
use crate::support::targets::{HoursOut, day_choices, hours_out};
use app::Error;
use app::targets::{HoursInput, Team};
use app::teams::TeamInput;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::hours::clock_text;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/teams", get(list).post(create))
        .route("/staff/teams/{id}", get(edit).post(update))
        .route("/staff/teams/{id}/delete", post(delete))
}

#[derive(Serialize, ToSchema)]
pub struct TeamMember {
    pub id: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct TeamOut {
    pub id: String,
    pub name: String,
    /// The hours in which the response targets of its organisations'
    /// requests count.
    pub business_hours: HoursOut,
    /// Its agents.
    pub members: Vec<TeamMember>,
    /// How many organisations it serves.
    pub organisations: usize,
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct TeamList {
    pub teams: Vec<TeamOut>,
}

#[derive(Deserialize, ToSchema)]
pub struct TeamIn {
    pub name: Option<String>,
    /// Left out: the default hours on creation, unchanged on a change.
    pub business_hours: Option<HoursOut>,
    /// Agents' user ids; left out: none on creation, unchanged on a change.
    pub members: Option<Vec<String>>,
}

impl TeamIn {
    fn input(self) -> TeamInput {
        TeamInput {
            name: self.name,
            hours: self.business_hours.map(|h| HoursInput {
                time_zone: h.time_zone,
                days: h.days,
                start: h.start,
                end: h.end,
            }),
            members: self.members,
        }
    }
}

fn team_out(t: &Team, staff: &[app::model::User]) -> TeamOut {
    TeamOut {
        id: t.id.clone(),
        name: t.name.clone(),
        business_hours: hours_out(&t.hours),
        members: t
            .members
            .iter()
            .filter_map(|id| staff.iter().find(|u| &u.id == id))
            .map(|u| TeamMember {
                id: u.id.clone(),
                name: u.name.clone(),
            })
            .collect(),
        organisations: t.organisations,
        created_at: rfc3339(t.created_at),
    }
}

async fn one(state: &AppState, caller: &app::Caller, t: &Team) -> AppResult<Json<TeamOut>> {
    let staff = state.app.team_candidates(caller).await?;
    Ok(Json(team_out(t, &staff)))
}

/// Every support team with its hours and agents (staff).
#[utoipa::path(
    get, path = "/api/v1/support-teams", tag = "requests",
    security(("bearer" = [])),
    responses((status = 200, body = TeamList), (status = 403, body = ErrorBody))
)]
pub async fn list_teams(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> AppResult<Json<TeamList>> {
    let teams = state.app.support_teams(&caller).await?;
    let staff = state.app.team_candidates(&caller).await?;
    Ok(Json(TeamList {
        teams: teams.iter().map(|t| team_out(t, &staff)).collect(),
    }))
}

/// Create a support team (support admins).
#[utoipa::path(
    post, path = "/api/v1/support-teams", tag = "requests",
    security(("bearer" = [])),
    request_body = TeamIn,
    responses((status = 201, body = TeamOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create_team(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(body): JsonBody<TeamIn>,
) -> AppResult<(StatusCode, Json<TeamOut>)> {
    let t = state.app.create_support_team(&caller, body.input()).await?;
    Ok((StatusCode::CREATED, one(&state, &caller, &t).await?))
}

/// One support team (staff).
#[utoipa::path(
    get, path = "/api/v1/support-teams/{id}", tag = "requests",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Team id")),
    responses((status = 200, body = TeamOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_team(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Json<TeamOut>> {
    let t = state.app.support_team(&caller, &id).await?;
    one(&state, &caller, &t).await
}

/// Rename a team, change its hours or its agents (support admins).
#[utoipa::path(
    patch, path = "/api/v1/support-teams/{id}", tag = "requests",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Team id")),
    request_body = TeamIn,
    responses((status = 200, body = TeamOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn patch_team(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<TeamIn>,
) -> AppResult<Json<TeamOut>> {
    let t = state
        .app
        .update_support_team(&caller, &id, body.input())
        .await?;
    one(&state, &caller, &t).await
}

/// Delete a team: its organisations count in the default hours again
/// (support admins).
#[utoipa::path(
    delete, path = "/api/v1/support-teams/{id}", tag = "requests",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Team id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn delete_team(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    state.app.delete_support_team(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

struct TeamRow {
    id: String,
    name: String,
    hours: String,
    members: String,
    organisations: i64,
}

#[derive(Template)]
#[template(path = "support/teams.html")]
struct TeamsPage {
    page: Page,
    rows: Vec<TeamRow>,
    error: Option<String>,
    /// The form: a new team, or the one being changed.
    editing: Option<String>,
    name: String,
    time_zone: String,
    days: Vec<(&'static str, String, bool)>,
    start: String,
    end: String,
    /// (id, name, in the team)
    agents: Vec<(String, String, bool)>,
}

/// What the team form sent (days and members repeat).
struct TeamForm(Vec<(String, String)>);

impl TeamForm {
    fn field(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn input(&self) -> TeamInput {
        TeamInput {
            name: Some(self.field("name")),
            hours: Some(HoursInput {
                time_zone: self.field("time_zone"),
                days: self.all("days"),
                start: self.field("start"),
                end: self.field("end"),
            }),
            members: Some(self.all("members")),
        }
    }
}

async fn page(
    ctx: &Ctx,
    editing: Option<String>,
    form: Option<&TeamForm>,
    error: Option<String>,
) -> AppResult<TeamsPage> {
    let caller = ctx.signed_in()?;
    ctx.app()
        .permit(caller, domain::Action::ManageSupportSettings)?;
    let tr = ctx.tr();
    let teams = ctx.app().support_teams(caller).await?;
    let staff = ctx.app().team_candidates(caller).await?;
    let defaults = ctx.app().response_targets(caller).await?.hours.clone();
    let current = match &editing {
        Some(id) => Some(teams.iter().find(|t| &t.id == id).ok_or(Error::NotFound)?),
        None => None,
    };
    let hours = current.map_or(&defaults, |t| &t.hours);
    let mut days = day_choices(tr, hours);
    let (mut name, mut time_zone, mut start, mut end) = (
        current.map(|t| t.name.clone()).unwrap_or_default(),
        hours.time_zone.clone(),
        clock_text(hours.start),
        clock_text(hours.end),
    );
    let mut members: Vec<String> = current.map(|t| t.members.clone()).unwrap_or_default();
    if let Some(f) = form {
        name = f.field("name");
        time_zone = f.field("time_zone");
        start = f.field("start");
        end = f.field("end");
        let chosen = f.all("days");
        for d in &mut days {
            d.2 = chosen.iter().any(|c| c == d.0);
        }
        members = f.all("members");
    }
    let rows = teams
        .iter()
        .map(|t| TeamRow {
            id: t.id.clone(),
            name: t.name.clone(),
            hours: hours_summary(tr, &t.hours),
            members: t
                .members
                .iter()
                .filter_map(|id| staff.iter().find(|u| &u.id == id))
                .map(|u| u.name.clone())
                .collect::<Vec<_>>()
                .join(", "),
            organisations: i64::try_from(t.organisations).unwrap_or(i64::MAX),
        })
        .collect();
    Ok(TeamsPage {
        page: ctx.page("teams-title"),
        rows,
        error,
        editing,
        name,
        time_zone,
        days,
        start,
        end,
        agents: staff
            .iter()
            .map(|u| (u.id.clone(), u.name.clone(), members.contains(&u.id)))
            .collect(),
    })
}

/// "Mon, Tue, Wed, Thu, Fri 08:00–17:00 (Europe/Stockholm)".
fn hours_summary(tr: crate::i18n::Tr, h: &domain::hours::BusinessHours) -> String {
    let days: Vec<String> = h
        .day_names()
        .iter()
        .map(|d| tr.t(&format!("day-{d}")))
        .collect();
    format!(
        "{} {}–{} ({})",
        days.join(", "),
        clock_text(h.start),
        clock_text(h.end),
        h.time_zone
    )
}

async fn list(ctx: Ctx) -> AppResult<Response> {
    Ok(render(&page(&ctx, None, None, None).await?)?.into_response())
}

async fn edit(ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    Ok(render(&page(&ctx, Some(id), None, None).await?)?.into_response())
}

/// A refused form comes back with what was typed and why.
async fn refused(
    ctx: &Ctx,
    editing: Option<String>,
    f: &TeamForm,
    e: Error,
) -> AppResult<Response> {
    let status = match e {
        Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Error::Conflict(_) => StatusCode::CONFLICT,
        other => return Err(other.into()),
    };
    let message = e.message(ctx.lang);
    let p = page(ctx, editing, Some(f), Some(message)).await?;
    Ok((status, render(&p)?).into_response())
}

async fn create(
    ctx: Ctx,
    FormBody(fields): FormBody<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = TeamForm(fields);
    ctx.check_csrf(&f.field("csrf"))?;
    match ctx
        .app()
        .create_support_team(ctx.signed_in()?, f.input())
        .await
    {
        Ok(_) => Ok(Redirect::to("/staff/teams?done=team-saved").into_response()),
        Err(e) => refused(&ctx, None, &f, e).await,
    }
}

async fn update(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(fields): FormBody<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = TeamForm(fields);
    ctx.check_csrf(&f.field("csrf"))?;
    match ctx
        .app()
        .update_support_team(ctx.signed_in()?, &id, f.input())
        .await
    {
        Ok(_) => Ok(Redirect::to("/staff/teams?done=team-saved").into_response()),
        Err(e) => refused(&ctx, Some(id), &f, e).await,
    }
}

async fn delete(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<CsrfForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    ctx.app().delete_support_team(ctx.signed_in()?, &id).await?;
    Ok(Redirect::to("/staff/teams?done=team-deleted").into_response())
}
