//! Two-factor sign-in pages: the second step of signing in, and setting it
//! up, renewing recovery codes and turning it off under settings.
use super::pages::signed_in_response;
use crate::http::ctx::{Ctx, safe_next, set_cookie};
use crate::http::error::{AppResult, Error, WebError};
use crate::http::extract::{FormBody, QueryOf};
use crate::http::page::{Page, render};
use crate::http::state::AppState;
use askama::Template;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

/// Between the password and the code: who, until when, signed.
pub const CHALLENGE_COOKIE: &str = "sd_2fa";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login/two-factor", get(code_form).post(code_submit))
        .route("/settings/two-factor", get(manage))
        .route("/settings/two-factor/start", post(start))
        .route("/settings/two-factor/confirm", post(confirm))
        .route("/settings/two-factor/recovery", post(renew))
        .route("/settings/two-factor/disable", post(disable))
}

fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

// ---- the second step of signing in -----------------------------------------

#[derive(Template)]
#[template(path = "account/two_factor_login.html")]
struct CodePage {
    page: Page,
    error: Option<String>,
    next: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn code_form(ctx: Ctx, QueryOf(q): QueryOf<NextQuery>) -> AppResult<Response> {
    let next = safe_next(q.next.as_deref());
    let challenge = crate::http::ctx::cookie(&ctx.headers, CHALLENGE_COOKIE).unwrap_or_default();
    if !ctx.app().two_factor_challenge_valid(&challenge).await? {
        return Ok(Redirect::to(&format!("/login?next={}", encode(&next))).into_response());
    }
    Ok(no_store(
        render(&CodePage {
            page: ctx.page("two-factor-login-title"),
            error: None,
            next,
        })?
        .into_response(),
    ))
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    next: Option<String>,
}

async fn code_submit(ctx: Ctx, FormBody(form): FormBody<CodeForm>) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    let next = safe_next(form.next.as_deref());
    let challenge = crate::http::ctx::cookie(&ctx.headers, CHALLENGE_COOKIE).unwrap_or_default();
    let finished = ctx
        .app()
        .finish_two_factor(&ctx.client, &challenge, &form.code)
        .await;
    let (status, error, retry) = match finished {
        Ok(principal) => {
            let mut response = signed_in_response(&ctx, &principal, &next).await?;
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&ctx.state, CHALLENGE_COOKIE, "", 0),
            );
            return Ok(response);
        }
        // The five minutes are up: start again with the password.
        Err(Error::Conflict(_)) => {
            return Ok(Redirect::to(&format!(
                "/login?next={}&done=two-factor-expired",
                encode(&next)
            ))
            .into_response());
        }
        Err(e @ Error::SecondFactor(_)) => (StatusCode::UNAUTHORIZED, e.message(ctx.lang), None),
        Err(Error::TooMany { retry_after_secs }) => (
            StatusCode::TOO_MANY_REQUESTS,
            ctx.tr().ta(
                "error-login-wait-seconds",
                &[("seconds", &retry_after_secs.max(1).to_string())],
            ),
            Some(retry_after_secs),
        ),
        Err(e) => return Err(e.into()),
    };
    let html = render(&CodePage {
        page: ctx.page("two-factor-login-title"),
        error: Some(error),
        next,
    })?;
    let mut response = (status, html).into_response();
    if let Some(secs) = retry
        && let Ok(v) = header::HeaderValue::from_str(&secs.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    Ok(no_store(response))
}

// ---- settings ----------------------------------------------------------------

#[derive(Template)]
#[template(path = "account/two_factor.html")]
struct ManagePage {
    page: Page,
    enabled: bool,
    required: bool,
    recovery_left: i64,
    /// The key and `otpauth://` address of a setup in progress.
    setup: Option<(String, String)>,
    error: Option<String>,
    /// Which form the error is about: `confirm`, `recovery` or `disable`.
    error_in: &'static str,
    /// Fresh recovery codes, shown on this response only.
    codes: Vec<String>,
}

async fn manage_page(
    ctx: &Ctx,
    error: Option<(&'static str, Error)>,
    codes: Vec<String>,
) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    let app = ctx.app();
    // Freshly turned on: the caller of this request predates it.
    let state = app.two_factor_state(caller).await?;
    let enabled = state.enabled || !codes.is_empty();
    let recovery_left = if codes.is_empty() {
        state.recovery_left
    } else {
        codes.len() as i64
    };
    let setup = if enabled {
        None
    } else {
        app.two_factor_pending(caller)
            .await?
            .map(|s| (s.key, s.uri))
    };
    let status = match &error {
        Some((_, e)) => crate::http::error::status_of(e),
        None => StatusCode::OK,
    };
    let (error_in, error) = match error {
        Some((form, e)) => (form, Some(e.message(ctx.lang))),
        None => ("", None),
    };
    let html = render(&ManagePage {
        page: ctx.page("two-factor-title"),
        enabled,
        required: state.required,
        recovery_left,
        setup,
        error,
        error_in,
        codes,
    })?;
    Ok(no_store((status, html).into_response()))
}

async fn manage(ctx: Ctx) -> AppResult<Response> {
    manage_page(&ctx, None, Vec::new()).await
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn start(ctx: Ctx, FormBody(form): FormBody<CsrfOnly>) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    match ctx.app().start_two_factor(ctx.signed_in()?).await {
        Ok(_) => Ok(Redirect::to("/settings/two-factor").into_response()),
        Err(e @ Error::Conflict(_)) => manage_page(&ctx, Some(("confirm", e)), Vec::new()).await,
        Err(e) => Err(WebError(e)),
    }
}

#[derive(Deserialize)]
struct CodeOnly {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

async fn confirm(ctx: Ctx, FormBody(form): FormBody<CodeOnly>) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    match ctx
        .app()
        .confirm_two_factor(ctx.signed_in()?, &form.code)
        .await
    {
        Ok(codes) => manage_page(&ctx, None, codes).await,
        Err(e @ (Error::Invalid(_) | Error::Conflict(_))) => {
            manage_page(&ctx, Some(("confirm", e)), Vec::new()).await
        }
        Err(e) => Err(WebError(e)),
    }
}

async fn renew(ctx: Ctx, FormBody(form): FormBody<CodeOnly>) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    match ctx
        .app()
        .renew_recovery_codes(ctx.signed_in()?, &ctx.client, &form.code)
        .await
    {
        Ok(codes) => manage_page(&ctx, None, codes).await,
        Err(
            e @ (Error::Invalid(_)
            | Error::Conflict(_)
            | Error::SecondFactor(_)
            | Error::TooMany { .. }),
        ) => manage_page(&ctx, Some(("recovery", e)), Vec::new()).await,
        Err(e) => Err(WebError(e)),
    }
}

#[derive(Deserialize)]
struct PasswordOnly {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
}

async fn disable(ctx: Ctx, FormBody(form): FormBody<PasswordOnly>) -> AppResult<Response> {
    ctx.check_csrf(&form.csrf)?;
    match ctx
        .app()
        .disable_two_factor(ctx.signed_in()?, &form.password)
        .await
    {
        Ok(()) => Ok(Redirect::to("/settings/two-factor?done=two-factor-off").into_response()),
        Err(e @ Error::Invalid(_)) => manage_page(&ctx, Some(("disable", e)), Vec::new()).await,
        Err(e) => Err(WebError(e)),
    }
}
