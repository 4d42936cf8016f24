//! The customer admin panel (`/admin`) and the support admins' pages for
//! organisations, plans, the chat rollout and the support team (`/staff`).
use crate::http::ctx::Ctx;
use crate::http::error::{AppResult, Error};
use crate::http::extract::FormBody;
use crate::http::page::{Page, render};
use crate::http::state::AppState;
use app::accounts::NewUserInput;
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::{Action, ChatRollout, Plan, Role};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(admin_panel))
        .route("/staff", get(staff))
        .route("/staff/organisations", post(staff_create_org))
        .route("/staff/chat-rollout", post(staff_chat_rollout))
        .route("/staff/users", post(staff_create_staff))
        .route("/staff/organisations/{id}", get(staff_org))
        .route("/staff/organisations/{id}/plan", post(staff_org_plan))
        .route("/staff/organisations/{id}/chat", post(staff_org_chat))
        .route("/staff/organisations/{id}/team", post(staff_org_team))
        .route("/staff/organisations/{id}/users", post(staff_org_add_user))
        .route("/staff/users/{id}/revoke-access", post(staff_revoke_access))
        .route(
            "/staff/users/{id}/two-factor/reset",
            post(staff_reset_two_factor),
        )
        .route("/staff/two-factor", post(staff_two_factor_rule))
}

#[derive(Deserialize)]
struct RevokeForm {
    #[serde(default)]
    csrf: String,
    /// Where to come back to: the organisation's page, or the staff page.
    #[serde(default)]
    org: String,
}

/// Where a user action on the staff pages returns: the organisation's page
/// (only a well-formed id is followed), or the staff page.
fn back_to(org: &str, done: &str) -> String {
    if org.is_empty() || !org.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        format!("/staff?done={done}")
    } else {
        format!("/staff/organisations/{org}?done={done}")
    }
}

/// Support admins end a user's sessions and revoke their tokens.
async fn staff_revoke_access(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(form): FormBody<RevokeForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    ctx.app().revoke_access(ctx.signed_in()?, &id).await?;
    Ok(see_other(&back_to(&form.org, "access-revoked")))
}

/// Support admins turn a user's two-factor sign-in off (a lost phone).
async fn staff_reset_two_factor(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(form): FormBody<RevokeForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    ctx.app().reset_two_factor(ctx.signed_in()?, &id).await?;
    Ok(see_other(&back_to(&form.org, "two-factor-reset")))
}

#[derive(Deserialize)]
struct TwoFactorRuleForm {
    #[serde(default)]
    csrf: String,
    /// A checkbox: present ("on") when ticked.
    #[serde(default)]
    required: Option<String>,
}

async fn staff_two_factor_rule(
    ctx: Ctx,
    FormBody(form): FormBody<TwoFactorRuleForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    ctx.app()
        .set_staff_two_factor_required(ctx.signed_in()?, form.required.is_some())
        .await?;
    Ok(see_other("/staff?done=saved"))
}

fn plan_name(page: &Page, plan: Plan) -> String {
    page.t(&format!("plan-{}", plan.as_str()))
}

fn role_name(page: &Page, role: Role) -> String {
    page.t(&format!("role-{}", role.as_str()))
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// A refused form is shown again with its message; other errors go on.
fn form_error(ctx: &Ctx, e: Error) -> AppResult<String> {
    match e {
        Error::Invalid(_) | Error::Conflict(_) => Ok(e.message(ctx.lang)),
        other => Err(other.into()),
    }
}

struct UserRow {
    id: String,
    name: String,
    email: String,
    role_name: String,
    you: bool,
    admin: bool,
}

// ---- customer admin panel ----------------------------------------------------

#[derive(Template)]
#[template(path = "orgs/admin.html")]
struct AdminPage {
    page: Page,
    org_name: String,
    plan_name: String,
    plan_code: &'static str,
    direct_support: bool,
    chat: bool,
    users: Vec<UserRow>,
    /// Direct support is offered from a computer: a phone gets the reason.
    phone: bool,
    /// A refused invitation or change, and what was typed.
    error: Option<String>,
    limit: Option<i64>,
}

async fn admin_panel(ctx: Ctx) -> AppResult<Response> {
    admin_page(&ctx, None).await
}

/// The admin panel, with a refusal from one of its forms.
pub(crate) async fn admin_page(ctx: &Ctx, error: Option<app::Error>) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    ctx.app().permit(caller, Action::ViewAdminPanel)?;
    let org = caller.principal.org.clone().ok_or(Error::NotFound)?;
    let users = ctx.app().organisation_users(caller, &org.id).await?;
    let page = ctx.page("nav-admin-panel");
    let users = users
        .into_iter()
        .map(|u| UserRow {
            id: u.id.clone(),
            you: u.id == caller.user_id(),
            admin: u.role == domain::Role::Admin,
            role_name: role_name(&page, u.role),
            name: u.name,
            email: u.email,
        })
        .collect();
    let status = error
        .as_ref()
        .map(crate::http::error::status_of)
        .unwrap_or(axum::http::StatusCode::OK);
    let html = render(&AdminPage {
        error: error.map(|e| e.message(ctx.lang)),
        limit: app::people::people_limit(org.plan).map(|n| n as i64),
        org_name: org.name.clone(),
        plan_name: plan_name(&page, org.plan),
        plan_code: org.plan.as_str(),
        direct_support: caller.may(Action::UseDirectSupport),
        chat: caller.may(Action::UseChat),
        users,
        phone: crate::support::pages::is_phone(&ctx.headers),
        page,
    })?;
    Ok((status, html).into_response())
}

// ---- staff -------------------------------------------------------------------

struct OrgRow {
    id: String,
    name: String,
    plan_name: String,
    plan_code: &'static str,
    admins: i64,
    members: i64,
    chat: String,
}

#[derive(Template)]
#[template(path = "orgs/staff.html")]
struct StaffPage {
    page: Page,
    error: Option<String>,
    orgs: Vec<OrgRow>,
    plans: Vec<(&'static str, String)>,
    chat_percent: u8,
    staff: Vec<UserRow>,
    routing: String,
    routings: Vec<(&'static str, String)>,
    agents: Vec<(String, String, i64)>,
    /// Staff must sign in with a second factor.
    two_factor_required: bool,
}

fn plan_options(page: &Page) -> Vec<(&'static str, String)> {
    Plan::ALL
        .iter()
        .map(|p| (p.as_str(), plan_name(page, *p)))
        .collect()
}

fn chat_label(page: &Page, org_id: &str, setting: ChatRollout, percent: u8) -> String {
    let on = domain::chat_available(org_id, setting, percent);
    let state = page.t(if on { "chat-on" } else { "chat-off" });
    match setting {
        ChatRollout::Default => format!("{state} · {}", page.t("chat-by-rollout")),
        _ => format!("{state} · {}", page.t("chat-by-override")),
    }
}

async fn staff_page(ctx: &Ctx, error: Option<String>) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    let page = ctx.page("nav-staff");
    let percent = ctx.app().chat_percent().await;
    let orgs = ctx
        .app()
        .organisation_summaries(caller)
        .await?
        .into_iter()
        .map(|s| OrgRow {
            chat: chat_label(&page, &s.org.id, s.org.chat_rollout, percent),
            plan_name: plan_name(&page, s.org.plan),
            plan_code: s.org.plan.as_str(),
            id: s.org.id,
            name: s.org.name,
            admins: s.admins,
            members: s.members,
        })
        .collect();
    let staff = ctx
        .app()
        .staff_users(caller)
        .await?
        .into_iter()
        .map(|u| UserRow {
            id: u.id.clone(),
            role_name: role_name(&page, u.role),
            you: false,
            admin: u.role == domain::Role::Admin,
            name: u.name,
            email: u.email,
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let agents = ctx
        .app()
        .agent_loads()
        .await?
        .into_iter()
        .map(|a| (a.user_id, a.name, a.capacity))
        .collect();
    let html = render(&StaffPage {
        plans: plan_options(&page),
        error,
        orgs,
        chat_percent: percent,
        staff,
        routing: ctx.app().chat_routing().await?,
        routings: ["manual", "auto"]
            .iter()
            .map(|r| (*r, page.t(&format!("chat-routing-{r}"))))
            .collect(),
        agents,
        two_factor_required: ctx.app().staff_two_factor_required().await,
        page,
    })?;
    Ok((status, html).into_response())
}

async fn staff(ctx: Ctx) -> AppResult<Response> {
    staff_page(&ctx, None).await
}

#[derive(Deserialize)]
struct OrgForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    plan: String,
}

async fn staff_create_org(ctx: Ctx, FormBody(form): FormBody<OrgForm>) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    match ctx
        .app()
        .create_organisation(ctx.signed_in()?, &form.name, &form.plan)
        .await
    {
        Ok(org) => Ok(see_other(&format!(
            "/staff/organisations/{}?done=org-created",
            org.id
        ))),
        Err(e) => {
            let msg = form_error(&ctx, e)?;
            staff_page(&ctx, Some(msg)).await
        }
    }
}

#[derive(Deserialize)]
struct PercentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    percent: String,
}

async fn staff_chat_rollout(
    ctx: Ctx,
    FormBody(form): FormBody<PercentForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    match ctx
        .app()
        .set_chat_percent(ctx.signed_in()?, &form.percent)
        .await
    {
        Ok(()) => Ok(see_other("/staff?done=saved")),
        Err(e) => {
            let msg = form_error(&ctx, e)?;
            staff_page(&ctx, Some(msg)).await
        }
    }
}

#[derive(Deserialize)]
struct UserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

impl UserForm {
    fn input<'a>(&'a self, org_id: Option<&'a str>) -> NewUserInput<'a> {
        NewUserInput {
            name: &self.name,
            email: &self.email,
            role: &self.role,
            org_id,
            password: &self.password,
        }
    }
}

/// The staff form only makes staff, the organisation's form only customers.
fn role_fits(role: &str, staff: bool) -> Result<(), Error> {
    match Role::parse(role) {
        Ok(r) if r.is_staff() == staff => Ok(()),
        Ok(_) => Err(Error::invalid(
            "role",
            if staff {
                "role_staff_only"
            } else {
                "role_customer_only"
            },
        )),
        Err(e) => Err(e.into()),
    }
}

async fn staff_create_staff(ctx: Ctx, FormBody(form): FormBody<UserForm>) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    let caller = ctx.signed_in()?;
    ctx.app().permit(caller, Action::ManageUsers)?;
    let result = match role_fits(&form.role, true) {
        Ok(()) => ctx.app().create_user(caller, form.input(None)).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other("/staff?done=user-created")),
        Err(e) => {
            let msg = form_error(&ctx, e)?;
            staff_page(&ctx, Some(msg)).await
        }
    }
}

#[derive(Template)]
#[template(path = "orgs/staff_org.html")]
struct StaffOrgPage {
    page: Page,
    error: Option<String>,
    org_id: String,
    org_name: String,
    plan_code: &'static str,
    plans: Vec<(&'static str, String)>,
    chat_code: &'static str,
    chat_options: Vec<(&'static str, String)>,
    chat_state: String,
    /// The support team (id, or empty for none) and the choices.
    team_id: String,
    teams: Vec<(String, String)>,
    users: Vec<UserRow>,
    /// Support admins may end a user's sessions and revoke their tokens.
    may_revoke: bool,
}

async fn staff_org_page(ctx: &Ctx, id: &str, error: Option<String>) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    ctx.app().permit(caller, Action::ManageOrganisations)?;
    let org = ctx.app().organisation(caller, id).await?;
    let page = ctx.page("nav-staff");
    let users = ctx
        .app()
        .organisation_users(caller, &org.id)
        .await?
        .into_iter()
        .map(|u| UserRow {
            id: u.id.clone(),
            role_name: role_name(&page, u.role),
            you: false,
            admin: u.role == domain::Role::Admin,
            name: u.name,
            email: u.email,
        })
        .collect();
    let percent = ctx.app().chat_percent().await;
    let teams = ctx
        .app()
        .support_teams(caller)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let html = render(&StaffOrgPage {
        error,
        org_name: org.name.clone(),
        plan_code: org.plan.as_str(),
        plans: plan_options(&page),
        chat_code: org.chat_rollout.as_str(),
        chat_options: ChatRollout::ALL
            .iter()
            .map(|c| (c.as_str(), page.t(&format!("chat-setting-{}", c.as_str()))))
            .collect(),
        chat_state: chat_label(&page, &org.id, org.chat_rollout, percent),
        team_id: org.team_id.clone().unwrap_or_default(),
        teams,
        org_id: org.id,
        users,
        may_revoke: caller.may(Action::ManageUsers),
        page,
    })?;
    Ok((status, html).into_response())
}

async fn staff_org(ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    staff_org_page(&ctx, &id, None).await
}

#[derive(Deserialize)]
struct PlanForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    plan: String,
}

async fn staff_org_plan(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(form): FormBody<PlanForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    ctx.app()
        .update_organisation(ctx.signed_in()?, &id, Some(&form.plan), None)
        .await?;
    Ok(see_other(&format!("/staff/organisations/{id}?done=saved")))
}

#[derive(Deserialize)]
struct ChatForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    chat_rollout: String,
}

async fn staff_org_chat(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(form): FormBody<ChatForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    ctx.app()
        .update_organisation(ctx.signed_in()?, &id, None, Some(&form.chat_rollout))
        .await?;
    Ok(see_other(&format!("/staff/organisations/{id}?done=saved")))
}

#[derive(Deserialize)]
struct TeamForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    team: String,
}

async fn staff_org_team(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(form): FormBody<TeamForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    let team = Some(form.team.as_str()).filter(|t| !t.is_empty());
    match ctx.app().set_org_team(ctx.signed_in()?, &id, team).await {
        Ok(_) => Ok(see_other(&format!(
            "/staff/organisations/{id}?done=org-team"
        ))),
        Err(e @ app::Error::Invalid(_)) => {
            staff_org_page(&ctx, &id, Some(e.message(ctx.lang))).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn staff_org_add_user(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(form): FormBody<UserForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    let caller = ctx.signed_in()?;
    ctx.app().permit(caller, Action::ManageUsers)?;
    ctx.app().organisation(caller, &id).await?;
    let result = match role_fits(&form.role, false) {
        Ok(()) => ctx.app().create_user(caller, form.input(Some(&id))).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/staff/organisations/{id}?done=user-created"
        ))),
        Err(e) => {
            let msg = form_error(&ctx, e)?;
            staff_org_page(&ctx, &id, Some(msg)).await
        }
    }
}
