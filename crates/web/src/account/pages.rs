//! The pages of one's own account: home, sign-in and sign-out, password
//! reset, the language switch and settings (language, password, tokens).
use crate::http::ctx::{Ctx, DEVICE_COOKIE, LANG_COOKIE, SESSION_COOKIE, safe_next, set_cookie};
use crate::http::error::{AppResult, Error, WebError};
use crate::http::extract::{CsrfForm, FormBody, QueryOf};
use crate::http::page::{MessagePage, Page, render};
use crate::http::state::AppState;
use crate::i18n::format_time;
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::{Action, Language, Plan};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/nav", get(nav_fragment))
        .route("/password/forgot", get(forgot_form).post(forgot))
        .route("/password/reset", get(reset_form).post(reset))
        .route("/language/{code}", get(switch_language))
        .route("/settings", get(settings))
        .route("/settings/language", post(settings_language))
        .route("/settings/time-zone", post(settings_time_zone))
        .route("/settings/password", post(settings_password))
        .route("/settings/tokens", post(settings_token_create))
        .route("/settings/tokens/{id}/revoke", post(settings_token_revoke))
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

// ---- home ------------------------------------------------------------------

#[derive(Template)]
#[template(path = "account/home.html")]
struct HomePage {
    page: Page,
    org_name: Option<String>,
    plan_name: String,
    plan_code: &'static str,
    direct_support: bool,
    chat: bool,
    /// For members: their organisation's admins, to ask.
    admins: String,
}

async fn home(ctx: Ctx) -> AppResult<Response> {
    // On its own domain, the status page is the front page.
    if let Some(host) = &ctx.state.web.status_host {
        let asked = ctx
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let name = asked.split(':').next().unwrap_or("");
        if asked.eq_ignore_ascii_case(host) || name.eq_ignore_ascii_case(host) {
            return crate::public::routes::status_page(
                axum::extract::State(ctx.state.clone()),
                ctx.headers.clone(),
            )
            .await;
        }
    }
    let page = ctx.page("home-title");
    let org = ctx.caller().and_then(|c| c.principal.org.clone());
    let plan = org.as_ref().map(|o| o.plan);
    let admins = match ctx.caller() {
        Some(c) => ctx.app().admin_names_for_member(c).await?,
        None => String::new(),
    };
    Ok(render(&HomePage {
        admins,
        plan_name: plan
            .map(|p| page.t(&format!("plan-{}", p.as_str())))
            .unwrap_or_default(),
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
#[template(path = "account/login.html")]
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

async fn login_form(ctx: Ctx, QueryOf(q): QueryOf<NextQuery>) -> AppResult<Response> {
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

async fn login(ctx: Ctx, FormBody(form): FormBody<LoginForm>) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    let next = safe_next(form.next.as_deref());
    let app = ctx.app();
    let device = crate::http::ctx::cookie(&ctx.headers, DEVICE_COOKIE);
    let signed_in = app
        .sign_in(&ctx.client, device.as_deref(), &form.email, &form.password)
        .await;
    let retry_after = match &signed_in {
        Err(Error::TooMany { retry_after_secs }) => Some(*retry_after_secs),
        _ => None,
    };
    let (status, error) = match signed_in {
        // The password was right; an account with two-factor sign-in gives
        // the code next, for five minutes.
        Ok(principal) if principal.two_factor => {
            let challenge = app.two_factor_challenge(&principal).await?;
            let mut response = see_other(&format!(
                "/login/two-factor?next={}",
                form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            ));
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    &ctx.state,
                    super::two_factor::CHALLENGE_COOKIE,
                    &challenge,
                    5 * 60,
                ),
            );
            return Ok(response);
        }
        Ok(principal) => return signed_in_response(&ctx, &principal, &next).await,
        Err(e @ Error::BadCredentials) => (StatusCode::UNAUTHORIZED, e.message(ctx.lang)),
        Err(Error::TooMany { retry_after_secs }) if retry_after_secs < 60 => (
            StatusCode::TOO_MANY_REQUESTS,
            ctx.tr().ta(
                "error-login-wait-seconds",
                &[("seconds", &retry_after_secs.max(1).to_string())],
            ),
        ),
        Err(Error::TooMany { retry_after_secs }) => (
            StatusCode::TOO_MANY_REQUESTS,
            ctx.tr().ta(
                "error-login-throttled",
                &[("minutes", &retry_after_secs.div_ceil(60).to_string())],
            ),
        ),
        Err(e) => return Err(e.into()),
    };
    let html = render(&LoginPage {
        page: ctx.page("sign-in-title"),
        error: Some(error),
        email: form.email,
        next,
    })?;
    let mut response = (status, html).into_response();
    if let Some(secs) = retry_after
        && let Ok(v) = header::HeaderValue::from_str(&secs.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    Ok(response)
}

/// Signs the browser in: a new session, the device cookie that marks it
/// as one this account signs in on, and on to `next`.
pub(super) async fn signed_in_response(
    ctx: &Ctx,
    principal: &app::model::Principal,
    next: &str,
) -> AppResult<Response> {
    let app = ctx.app();
    let device = crate::http::ctx::cookie(&ctx.headers, DEVICE_COOKIE);
    let previous = crate::http::ctx::cookie(&ctx.headers, SESSION_COOKIE);
    let raw = app.start_session(principal, previous.as_deref()).await?;
    let device = app
        .device_cookie(&principal.user.id, device.as_deref())
        .await?;
    let mut response = see_other(next);
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            &ctx.state,
            SESSION_COOKIE,
            &raw,
            app.config.session_ttl_ms / 1000,
        ),
    );
    // This browser has signed in to the account: strangers' failures
    // elsewhere do not slow it down.
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&ctx.state, DEVICE_COOKIE, &device, 365 * 24 * 3600),
    );
    response.headers_mut().append(
        header::SET_COOKIE,
        crate::http::ctx::set_script_cookie(
            &ctx.state,
            crate::http::ctx::SIGNED_IN_COOKIE,
            "1",
            app.config.session_ttl_ms / 1000,
        ),
    );
    Ok(response)
}

async fn logout(ctx: Ctx, FormBody(form): FormBody<CsrfForm>) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    if let Some(v) = &ctx.viewer {
        ctx.app().end_session(&v.session).await?;
    }
    let mut response = see_other("/?done=signed-out");
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&ctx.state, SESSION_COOKIE, "", 0),
    );
    response.headers_mut().append(
        header::SET_COOKIE,
        crate::http::ctx::set_script_cookie(&ctx.state, crate::http::ctx::SIGNED_IN_COOKIE, "", 0),
    );
    Ok(response)
}

async fn switch_language(
    ctx: Ctx,
    Path(code): Path<String>,
    QueryOf(q): QueryOf<NextQuery>,
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
#[template(path = "account/forgot.html")]
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
    match ctx
        .app()
        .request_password_reset(&form.email, ctx.lang)
        .await
    {
        Ok(()) => message(
            &ctx,
            "forgot-sent-title",
            "forgot-sent-body",
            "/login",
            "back-to-sign-in",
        ),
        Err(e @ Error::Invalid(_)) => {
            let html = render(&ForgotPage {
                page: ctx.page("forgot-title"),
                error: Some(e.message(ctx.lang)),
            })?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(e) => Err(e.into()),
    }
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
#[template(path = "account/reset.html")]
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

fn link_expired(ctx: &Ctx) -> AppResult<Response> {
    message(
        ctx,
        "reset-invalid-title",
        "reset-invalid-body",
        "/password/forgot",
        "forgot-again",
    )
}

async fn reset_form(ctx: Ctx, QueryOf(q): QueryOf<TokenQuery>) -> AppResult<Response> {
    if !ctx.app().password_reset_valid(&q.token).await? {
        return link_expired(&ctx);
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

async fn reset(ctx: Ctx, FormBody(form): FormBody<ResetForm>) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    match ctx
        .app()
        .reset_password(&form.token, &form.password, &form.confirm)
        .await
    {
        Ok(true) => Ok(see_other("/login?done=password-reset")),
        Ok(false) => link_expired(&ctx),
        Err(e @ Error::Invalid(_)) => {
            let html = render(&ResetPage {
                page: ctx.page("reset-title"),
                error: Some(e.message(ctx.lang)),
                token: form.token,
            })?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(e) => Err(e.into()),
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
#[template(path = "account/settings.html")]
struct SettingsPage {
    page: Page,
    name: String,
    email: String,
    role_name: String,
    org_name: Option<String>,
    language: &'static str,
    /// The zone chosen (empty: the browser's), and every zone to choose.
    time_zone: String,
    zones: Vec<String>,
    zone_error: Option<String>,
    /// "Times are shown in Europe/Stockholm": the zone in use now.
    zone_now: String,
    password_error: Option<String>,
    new_token: Option<String>,
    tokens: Vec<TokenRow>,
    two_factor: bool,
}

async fn settings_page(
    ctx: &Ctx,
    password_error: Option<String>,
    new_token: Option<String>,
) -> AppResult<SettingsPage> {
    let caller = ctx.signed_in()?;
    let page = ctx.page("settings-title");
    let user = &caller.principal.user;
    let never = page.t("never");
    let tokens = ctx
        .app()
        .tokens(caller)
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
        role_name: page.t(&format!("role-{}", user.role.as_str())),
        org_name: caller.principal.org.as_ref().map(|o| o.name.clone()),
        language: user.language.map(Language::as_str).unwrap_or(""),
        time_zone: user.time_zone.clone().unwrap_or_default(),
        zones: app::i18n::time_zone_names(),
        zone_error: None,
        zone_now: user
            .time_zone
            .clone()
            .or_else(|| {
                crate::http::ctx::cookie(&ctx.headers, crate::http::ctx::ZONE_COOKIE)
                    .filter(|z| app::i18n::time_zone(z).is_some())
            })
            .unwrap_or_else(|| "UTC".into()),
        password_error,
        new_token,
        tokens,
        two_factor: caller.principal.two_factor,
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
    let language = match form.language.as_str() {
        "" => None,
        other => Some(Language::parse(other)?),
    };
    ctx.app().set_language(ctx.signed_in()?, language).await?;
    Ok(see_other(&safe_next(form.next.as_deref())))
}

#[derive(Deserialize)]
struct ZoneForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    time_zone: String,
}

async fn settings_time_zone(ctx: Ctx, FormBody(form): FormBody<ZoneForm>) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    match ctx
        .app()
        .set_time_zone(ctx.signed_in()?, &form.time_zone)
        .await
    {
        Ok(()) => Ok(see_other("/settings?done=saved")),
        Err(e @ app::Error::Invalid(_)) => {
            let mut page = settings_page(&ctx, None, None).await?;
            page.zone_error = Some(e.message(ctx.lang));
            page.time_zone = form.time_zone;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
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
    let viewer = ctx.viewer()?;
    match ctx
        .app()
        .change_password(
            &viewer.caller,
            Some(&viewer.session),
            &form.current,
            &form.new_password,
            &form.confirm,
        )
        .await
    {
        Ok(revoked) if revoked.is_empty() => Ok(see_other("/settings?done=password-changed")),
        Ok(_) => Ok(see_other("/settings?done=password-changed-tokens")),
        Err(e @ Error::Invalid(_)) => {
            let html = render(&settings_page(&ctx, Some(e.message(ctx.lang)), None).await?)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(e) => Err(WebError(e)),
    }
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
    let (raw, _) = ctx
        .app()
        .create_token(ctx.signed_in()?, Some(&form.label))
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
    ctx.app().revoke_token(ctx.signed_in()?, &id).await?;
    Ok(see_other("/settings?done=token-revoked"))
}

#[derive(Template)]
#[template(path = "layout/nav.html")]
struct NavFragment {
    page: Page,
}

/// The signed-in person's navigation, for the one cached status page
/// (which is rendered for everybody without it): its script swaps this in.
/// Never cached; 204 (and the script's cookie cleared) when not signed in.
async fn nav_fragment(ctx: Ctx) -> AppResult<Response> {
    if ctx.caller().is_none() {
        let mut r = StatusCode::NO_CONTENT.into_response();
        r.headers_mut().append(
            header::SET_COOKIE,
            crate::http::ctx::set_script_cookie(
                &ctx.state,
                crate::http::ctx::SIGNED_IN_COOKIE,
                "",
                0,
            ),
        );
        return Ok(r);
    }
    let mut page = ctx.page("nav-main");
    page.here = "/status".into();
    let mut r = render(&NavFragment { page })?.into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, no-store"),
    );
    Ok(r)
}
