//! Server-rendered pages: sign-in, password reset, settings, the customer
//! admin panel and the staff pages. Handlers parse, ask the policy and the
//! store, and render.
use crate::ctx::{
    Ctx, LANG_COOKIE, SESSION_COOKIE, hash_password, safe_next, set_cookie, verify_password,
};
use crate::error::{AppError, AppResult};
use crate::extract::FormBody;
use crate::i18n::format_time;
use crate::page::{MessagePage, Page, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::{Action, ChatRollout, EmailAddress, Language, Plan, Role};
use serde::Deserialize;
use store::{NewOutboxMessage, NewUser, Scope};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/password/forgot", get(forgot_form).post(forgot))
        .route("/password/reset", get(reset_form).post(reset))
        .route("/language/{code}", get(switch_language))
        .route("/settings", get(settings))
        .route("/settings/language", post(settings_language))
        .route("/settings/password", post(settings_password))
        .route("/settings/tokens", post(settings_token_create))
        .route("/settings/tokens/{id}/revoke", post(settings_token_revoke))
        .route("/admin", get(admin_panel))
        .route("/staff", get(staff))
        .route("/staff/organisations", post(staff_create_org))
        .route("/staff/chat-rollout", post(staff_chat_rollout))
        .route("/staff/users", post(staff_create_staff))
        .route("/staff/organisations/{id}", get(staff_org))
        .route("/staff/organisations/{id}/plan", post(staff_org_plan))
        .route("/staff/organisations/{id}/chat", post(staff_org_chat))
        .route("/staff/organisations/{id}/users", post(staff_org_add_user))
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

// ---- home ------------------------------------------------------------------

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
    org_name: Option<String>,
    plan_name: String,
    plan_code: &'static str,
    direct_support: bool,
    chat: bool,
}

async fn home(ctx: Ctx) -> AppResult<Response> {
    // On its own domain, the status page is the front page.
    if let Some(host) = &ctx.state.config.status_host {
        let asked = ctx
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if asked.eq_ignore_ascii_case(host)
            || asked
                .split(':')
                .next()
                .is_some_and(|h| h.eq_ignore_ascii_case(host))
        {
            return crate::status_routes::status_page(
                axum::extract::State(ctx.state.clone()),
                ctx.headers.clone(),
            )
            .await;
        }
    }
    let page = ctx.page("home-title");
    let org = ctx.viewer.as_ref().and_then(|v| v.principal.org.clone());
    let plan = org.as_ref().map(|o| o.plan);
    Ok(render(&HomePage {
        plan_name: plan.map(|p| plan_name(&page, p)).unwrap_or_default(),
        plan_code: plan.map(Plan::as_str).unwrap_or(""),
        org_name: org.map(|o| o.name),
        direct_support: plan.is_some_and(Plan::includes_direct_support),
        chat: ctx.decide(Action::UseChat).is_allowed(),
        page,
    })?
    .into_response())
}

// ---- sign-in -----------------------------------------------------------------

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Page,
    error: Option<String>,
    email: String,
    next: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_form(ctx: Ctx, Query(q): Query<NextQuery>) -> AppResult<Response> {
    if ctx.viewer.is_some() {
        return Ok(see_other(&safe_next(q.next.as_deref())));
    }
    Ok(render(&LoginPage {
        page: ctx.page("sign-in-title"),
        error: None,
        email: String::new(),
        next: safe_next(q.next.as_deref()),
    })?
    .into_response())
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// The outcome of checking credentials, shared by the page and the API.
pub(crate) enum SignIn {
    Ok(Box<store::Principal>),
    Wrong,
    Throttled(u64),
}

/// Checks an e-mail and password with per-account and per-address limits.
pub(crate) async fn check_credentials(
    state: &AppState,
    client: &str,
    email: &str,
    password: &str,
) -> AppResult<SignIn> {
    let now = state.clock.now_ms();
    let cfg = &state.config;
    let account_key = format!("account:{}", email.trim().to_lowercase());
    let address_key = format!("address:{client}");
    let account_failures = state
        .store
        .throttle_failures(&account_key, now, cfg.login_window_ms)
        .await?;
    let address_failures = state
        .store
        .throttle_failures(&address_key, now, cfg.login_window_ms)
        .await?;
    if account_failures >= cfg.login_max_failures_account
        || address_failures >= cfg.login_max_failures_address
    {
        return Ok(SignIn::Throttled(
            u64::try_from(cfg.login_window_ms / 1000).unwrap_or(900),
        ));
    }
    let found = state.store.principal_by_email(email.trim()).await?;
    let (principal, hash) = match found {
        Some((p, h)) => (Some(p), Some(h)),
        None => (None, None),
    };
    if verify_password(password.to_string(), hash).await
        && let Some(principal) = principal
    {
        state.store.clear_failures(&account_key).await?;
        return Ok(SignIn::Ok(Box::new(principal)));
    }
    state
        .store
        .record_failure(&account_key, now, cfg.login_window_ms)
        .await?;
    state
        .store
        .record_failure(&address_key, now, cfg.login_window_ms)
        .await?;
    Ok(SignIn::Wrong)
}

async fn login(ctx: Ctx, FormBody(form): FormBody<LoginForm>) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    let next = safe_next(form.next.as_deref());
    let outcome = check_credentials(&ctx.state, &ctx.client, &form.email, &form.password).await?;
    let (status, error) = match outcome {
        SignIn::Ok(principal) => {
            // A new session id at every sign-in; the old one ends.
            if let Some(old) = crate::ctx::cookie(&ctx.headers, SESSION_COOKIE) {
                ctx.state.store.delete_session(old).await?;
            }
            let now = ctx.now();
            let ttl = ctx.state.config.session_ttl_ms;
            let (raw, _csrf) = ctx
                .state
                .store
                .create_session(&principal.user.id, now, ttl)
                .await?;
            let mut response = see_other(&next);
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&ctx.state, SESSION_COOKIE, &raw, ttl / 1000),
            );
            tracing::info!(user = %principal.user.id, "signed in");
            return Ok(response);
        }
        SignIn::Wrong => (
            axum::http::StatusCode::UNAUTHORIZED,
            ctx.tr().t("error-bad-credentials"),
        ),
        SignIn::Throttled(secs) => (
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            ctx.tr().ta(
                "error-login-throttled",
                &[("minutes", &secs.div_ceil(60).to_string())],
            ),
        ),
    };
    let html = render(&LoginPage {
        page: ctx.page("sign-in-title"),
        error: Some(error),
        email: form.email,
        next,
    })?;
    Ok((status, html).into_response())
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(ctx: Ctx, FormBody(form): FormBody<CsrfForm>) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    if let Some(v) = &ctx.viewer {
        ctx.state.store.delete_session(&v.session).await?;
    }
    let mut response = see_other("/?done=signed-out");
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&ctx.state, SESSION_COOKIE, "", 0),
    );
    Ok(response)
}

async fn switch_language(
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let lang = Language::parse(&code)?;
    let mut response = see_other(&safe_next(q.next.as_deref()));
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&ctx.state, LANG_COOKIE, lang.as_str(), 365 * 24 * 3600),
    );
    Ok(response)
}

// ---- password reset ----------------------------------------------------------

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    page: Page,
    error: Option<String>,
}

async fn forgot_form(ctx: Ctx) -> AppResult<Response> {
    Ok(render(&ForgotPage {
        page: ctx.page("forgot-title"),
        error: None,
    })?
    .into_response())
}

#[derive(Deserialize)]
struct ForgotForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

async fn forgot(ctx: Ctx, FormBody(form): FormBody<ForgotForm>) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    let Ok(email) = EmailAddress::parse(&form.email) else {
        let html = render(&ForgotPage {
            page: ctx.page("forgot-title"),
            error: Some(ctx.tr().t("invalid-email")),
        })?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
    };
    let now = ctx.now();
    // At most three links per address an hour; the answer is the same
    // whether or not the account exists.
    let key = format!("reset:{}", email.as_str().to_lowercase());
    let sent = ctx.state.store.record_failure(&key, now, 3_600_000).await?;
    if sent <= 3
        && let Some((principal, _)) = ctx.state.store.principal_by_email(email.as_str()).await?
    {
        let base = ctx.state.config.base_url.clone();
        let lang = principal.user.language.unwrap_or(ctx.lang);
        let tr = crate::i18n::Tr(lang);
        let to = principal.user.email.clone();
        let name = principal.user.name.clone();
        let raw = ctx
            .state
            .store
            .create_password_reset(&principal.user.id, now, 3_600_000, |raw| {
                let link = format!("{base}/password/reset?token={raw}");
                let subject = tr.t("mail-reset-subject");
                let text = tr.ta("mail-reset-body", &[("name", &name), ("link", &link)]);
                let mail = notify::Email {
                    to: to.clone(),
                    html: crate::mail_html::render(tr.0, &subject, &text, None),
                    subject,
                    text,
                    headers: Vec::new(),
                };
                NewOutboxMessage {
                    channel: "email".into(),
                    target: to.clone(),
                    payload: mail.to_json(),
                    idempotency_key: format!("password-reset:{}", store::hash_secret(raw)),
                }
            })
            .await?;
        if ctx.state.config.demo {
            tracing::info!(
                "demo: password reset link for {}: {}/password/reset?token={raw}",
                principal.user.email,
                ctx.state.config.base_url
            );
        }
    }
    message(
        &ctx,
        "forgot-sent-title",
        "forgot-sent-body",
        "/login",
        "back-to-sign-in",
    )
}

fn message(ctx: &Ctx, title: &str, body: &str, href: &str, link: &str) -> AppResult<Response> {
    let page = ctx.page(title);
    Ok(render(&MessagePage {
        tone: "info",
        message: page.t(body),
        detail: None,
        link_href: href.to_string(),
        link_text: page.t(link),
        page,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    page: Page,
    error: Option<String>,
    token: String,
}

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn reset_form(ctx: Ctx, Query(q): Query<TokenQuery>) -> AppResult<Response> {
    if !ctx
        .state
        .store
        .password_reset_valid(&q.token, ctx.now())
        .await?
    {
        return message(
            &ctx,
            "reset-invalid-title",
            "reset-invalid-body",
            "/password/forgot",
            "forgot-again",
        );
    }
    Ok(render(&ResetPage {
        page: ctx.page("reset-title"),
        error: None,
        token: q.token,
    })?
    .into_response())
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// The translated complaint about a new password, if any.
fn new_password_problem(ctx: &Ctx, password: &str, confirm: &str) -> Option<String> {
    if domain::check_password(password).is_err() {
        Some(ctx.tr().t("password-rules"))
    } else if password != confirm {
        Some(ctx.tr().t("password-mismatch"))
    } else {
        None
    }
}

async fn reset(ctx: Ctx, FormBody(form): FormBody<ResetForm>) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    if let Some(problem) = new_password_problem(&ctx, &form.password, &form.confirm) {
        let html = render(&ResetPage {
            page: ctx.page("reset-title"),
            error: Some(problem),
            token: form.token,
        })?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
    }
    let hash = hash_password(form.password).await?;
    match ctx
        .state
        .store
        .reset_password(&form.token, &hash, ctx.now())
        .await?
    {
        Some(_) => Ok(see_other("/login?done=password-reset")),
        None => message(
            &ctx,
            "reset-invalid-title",
            "reset-invalid-body",
            "/password/forgot",
            "forgot-again",
        ),
    }
}

// ---- settings ------------------------------------------------------------------

struct TokenRow {
    id: String,
    label: String,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    page: Page,
    name: String,
    email: String,
    role_name: String,
    org_name: Option<String>,
    language: &'static str,
    password_error: Option<String>,
    new_token: Option<String>,
    tokens: Vec<TokenRow>,
}

async fn settings_page(
    ctx: &Ctx,
    password_error: Option<String>,
    new_token: Option<String>,
) -> AppResult<SettingsPage> {
    let viewer = ctx.require(Action::ManageOwnAccount)?;
    let page = ctx.page("settings-title");
    let user = &viewer.principal.user;
    let never = page.t("never");
    let tokens = ctx
        .state
        .store
        .tokens(&user.id)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            label: t.label,
            created: format_time(t.created_at, ctx.lang),
            last_used: t
                .last_used_at
                .map(|ms| format_time(ms, ctx.lang))
                .unwrap_or_else(|| never.clone()),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    Ok(SettingsPage {
        name: user.name.clone(),
        email: user.email.clone(),
        role_name: role_name(&page, user.role),
        org_name: viewer.principal.org.as_ref().map(|o| o.name.clone()),
        language: user.language.map(Language::as_str).unwrap_or(""),
        password_error,
        new_token,
        tokens,
        page,
    })
}

async fn settings(ctx: Ctx) -> AppResult<Response> {
    Ok(render(&settings_page(&ctx, None, None).await?)?.into_response())
}

#[derive(Deserialize)]
struct LanguageForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    language: String,
    next: Option<String>,
}

async fn settings_language(
    ctx: Ctx,
    FormBody(form): FormBody<LanguageForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    let viewer = ctx.require(Action::ManageOwnAccount)?;
    let language = match form.language.as_str() {
        "" => None,
        other => Some(Language::parse(other)?),
    };
    ctx.state
        .store
        .set_language(&viewer.principal.user.id, language)
        .await?;
    Ok(see_other(&safe_next(form.next.as_deref())))
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
}

async fn settings_password(
    ctx: Ctx,
    FormBody(form): FormBody<PasswordForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    let viewer = ctx.require(Action::ManageOwnAccount)?;
    let user_id = viewer.principal.user.id.clone();
    let current_hash = ctx.state.store.password_hash(&user_id).await?;
    let problem = if !verify_password(form.current, current_hash).await {
        Some(ctx.tr().t("password-current-wrong"))
    } else {
        new_password_problem(&ctx, &form.new_password, &form.confirm)
    };
    if let Some(problem) = problem {
        let html = render(&settings_page(&ctx, Some(problem), None).await?)?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
    }
    let hash = hash_password(form.new_password).await?;
    ctx.state
        .store
        .set_password(&user_id, &hash, Some(&viewer.session))
        .await?;
    Ok(see_other("/settings?done=password-changed"))
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    label: String,
}

async fn settings_token_create(
    ctx: Ctx,
    FormBody(form): FormBody<TokenForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    let viewer = ctx.require(Action::ManageOwnAccount)?;
    let label = crate::api::token_label(Some(&form.label))?;
    let (raw, _) = ctx
        .state
        .store
        .create_token(&viewer.principal.user.id, &label, ctx.now())
        .await?;
    // The secret is shown once, on this response only.
    let mut response = render(&settings_page(&ctx, None, Some(raw)).await?)?.into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

async fn settings_token_revoke(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(form): FormBody<CsrfForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    let viewer = ctx.require(Action::ManageOwnAccount)?;
    if !ctx
        .state
        .store
        .revoke_token(&viewer.principal.user.id, &id, ctx.now())
        .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(see_other("/settings?done=token-revoked"))
}

// ---- customer admin panel ----------------------------------------------------

struct UserRow {
    name: String,
    email: String,
    role_name: String,
    you: bool,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    page: Page,
    org_name: String,
    plan_name: String,
    plan_code: &'static str,
    direct_support: bool,
    chat: bool,
    users: Vec<UserRow>,
}

async fn admin_panel(ctx: Ctx) -> AppResult<Response> {
    let viewer = ctx.require(Action::ViewAdminPanel)?;
    let org = viewer.principal.org.clone().ok_or(AppError::NotFound)?;
    ctx.require(Action::ListOrganisationUsers { org_id: &org.id })?;
    let scope = Scope::of(&viewer.actor).ok_or(AppError::NotFound)?;
    let page = ctx.page("nav-admin-panel");
    let users = ctx
        .state
        .store
        .org_users(scope, &org.id)
        .await?
        .into_iter()
        .map(|u| UserRow {
            you: u.id == viewer.principal.user.id,
            role_name: role_name(&page, u.role),
            name: u.name,
            email: u.email,
        })
        .collect();
    Ok(render(&AdminPage {
        org_name: org.name.clone(),
        plan_name: plan_name(&page, org.plan),
        plan_code: org.plan.as_str(),
        direct_support: ctx.decide(Action::UseDirectSupport).is_allowed(),
        chat: ctx.decide(Action::UseChat).is_allowed(),
        users,
        page,
    })?
    .into_response())
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
#[template(path = "staff.html")]
struct StaffPage {
    page: Page,
    error: Option<String>,
    orgs: Vec<OrgRow>,
    plans: Vec<(&'static str, String)>,
    chat_percent: u8,
    staff: Vec<UserRow>,
}

fn plan_options(page: &Page) -> Vec<(&'static str, String)> {
    Plan::ALL
        .iter()
        .map(|p| (p.as_str(), plan_name(page, *p)))
        .collect()
}

async fn staff_page(ctx: &Ctx, error: Option<String>) -> AppResult<Response> {
    ctx.require(Action::ManageOrganisations)?;
    let page = ctx.page("nav-staff");
    let percent = ctx.state.chat_percent().await;
    let orgs = ctx
        .state
        .store
        .list_orgs()
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
        .state
        .store
        .staff_users()
        .await?
        .into_iter()
        .map(|u| UserRow {
            role_name: role_name(&page, u.role),
            you: false,
            name: u.name,
            email: u.email,
        })
        .collect();
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let html = render(&StaffPage {
        plans: plan_options(&page),
        error,
        orgs,
        chat_percent: percent,
        staff,
        page,
    })?;
    Ok((status, html).into_response())
}

fn chat_label(page: &Page, org_id: &str, setting: ChatRollout, percent: u8) -> String {
    let on = domain::chat_available(org_id, setting, percent);
    let state = page.t(if on { "chat-on" } else { "chat-off" });
    match setting {
        ChatRollout::Default => format!("{state} · {}", page.t("chat-by-rollout")),
        _ => format!("{state} · {}", page.t("chat-by-override")),
    }
}

async fn staff(ctx: Ctx) -> AppResult<Response> {
    staff_page(&ctx, None).await
}

/// Turns a validation or conflict error into a message for a staff form.
fn form_error(ctx: &Ctx, e: AppError) -> AppResult<String> {
    match e {
        AppError::BadRequest { field, .. } => Ok(ctx
            .tr()
            .t(&format!("invalid-{}", field.as_deref().unwrap_or("input")))),
        AppError::Conflict { .. } => Ok(ctx.tr().t("error-conflict")),
        other => Err(other),
    }
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
    ctx.require(Action::ManageOrganisations)?;
    let result = async {
        let name = domain::parse_display_name(&form.name)?;
        let plan = Plan::parse(&form.plan)?;
        Ok::<_, AppError>(ctx.state.store.create_org(&name, plan, ctx.now()).await?)
    }
    .await;
    match result {
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
    ctx.require(Action::ManageOrganisations)?;
    match form.percent.trim().parse::<u8>() {
        Ok(p) if p <= 100 => {
            ctx.state.set_chat_percent(p).await?;
            Ok(see_other("/staff?done=saved"))
        }
        _ => staff_page(&ctx, Some(ctx.tr().t("invalid-percent"))).await,
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

/// Validates and creates a user; shared by the staff pages and the API.
pub(crate) async fn create_user(
    state: &AppState,
    name: &str,
    email: &str,
    role: Role,
    org_id: Option<&str>,
    password: &str,
) -> AppResult<store::User> {
    let name = domain::parse_display_name(name)?;
    let email = EmailAddress::parse(email)?;
    domain::check_password(password)?;
    if role.is_staff() != org_id.is_none() {
        return Err(AppError::bad(
            "role",
            "customers belong to an organisation; staff do not",
        ));
    }
    let hash = hash_password(password.to_string()).await?;
    Ok(state
        .store
        .create_user(
            &NewUser {
                email: email.as_str(),
                name: &name,
                role,
                org_id,
                password_hash: &hash,
                language: None,
            },
            state.clock.now_ms(),
        )
        .await?)
}

async fn staff_create_staff(ctx: Ctx, FormBody(form): FormBody<UserForm>) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    ctx.require(Action::ManageUsers)?;
    let result = async {
        let role = Role::parse(&form.role)?;
        if !role.is_staff() {
            return Err(AppError::bad("role", "choose agent or support admin"));
        }
        create_user(
            &ctx.state,
            &form.name,
            &form.email,
            role,
            None,
            &form.password,
        )
        .await
    }
    .await;
    match result {
        Ok(_) => Ok(see_other("/staff?done=user-created")),
        Err(e) => {
            let msg = form_error(&ctx, e)?;
            staff_page(&ctx, Some(msg)).await
        }
    }
}

#[derive(Template)]
#[template(path = "staff_org.html")]
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
    users: Vec<UserRow>,
}

async fn staff_org_page(ctx: &Ctx, id: &str, error: Option<String>) -> AppResult<Response> {
    let viewer = ctx.require(Action::ManageOrganisations)?;
    let scope = Scope::of(&viewer.actor).ok_or(AppError::NotFound)?;
    let org = ctx
        .state
        .store
        .org(scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let page = ctx.page("nav-staff");
    let users = ctx
        .state
        .store
        .org_users(scope, &org.id)
        .await?
        .into_iter()
        .map(|u| UserRow {
            role_name: role_name(&page, u.role),
            you: false,
            name: u.name,
            email: u.email,
        })
        .collect();
    let percent = ctx.state.chat_percent().await;
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
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
        org_id: org.id,
        users,
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
    ctx.require(Action::ManageOrganisations)?;
    let plan = Plan::parse(&form.plan)?;
    if !ctx.state.store.set_org_plan(&id, plan).await? {
        return Err(AppError::NotFound);
    }
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
    ctx.require(Action::ManageOrganisations)?;
    let setting = ChatRollout::parse(&form.chat_rollout)?;
    if !ctx.state.store.set_org_chat_rollout(&id, setting).await? {
        return Err(AppError::NotFound);
    }
    Ok(see_other(&format!("/staff/organisations/{id}?done=saved")))
}

async fn staff_org_add_user(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(form): FormBody<UserForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    ctx.require(Action::ManageUsers)?;
    if ctx.state.store.org(Scope::Staff, &id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let result = async {
        let role = Role::parse(&form.role)?;
        if role.is_staff() {
            return Err(AppError::bad("role", "choose member or admin"));
        }
        create_user(
            &ctx.state,
            &form.name,
            &form.email,
            role,
            Some(&id),
            &form.password,
        )
        .await
    }
    .await;
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
