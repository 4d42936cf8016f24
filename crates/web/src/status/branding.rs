//! The operator's branding (`/staff/branding`, `GET|PUT /api/v1/branding`)
//! and what it draws: `/brand.css` (the accent colour) and `/favicon.svg`.
use crate::http::ctx::{ApiCaller, Ctx};
use crate::http::error::AppResult;
use crate::http::extract::{FormBody, JsonBody};
use crate::http::page::{Page, render};
use crate::http::state::AppState;
use crate::http::uploads;
use crate::status::desk::{Fields, field};
use app::branding::{Branding, BrandingInput, FooterLink, MAX_LINKS};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::Action;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/branding", get(page).post(save))
        .route("/staff/branding/logo", post(upload_logo))
        .route("/brand.css", get(stylesheet))
        .route("/favicon.svg", get(favicon))
        .route(
            "/favicon.ico",
            get(|| async { Redirect::permanent("/favicon.svg") }),
        )
}

/// `#rrggbb` mixed with white: `share` of the colour.
fn tint(accent: &str, share: f64) -> String {
    let hex = accent.trim_start_matches('#');
    let ch = |i: usize| {
        let v = f64::from(u8::from_str_radix(hex.get(i..i + 2).unwrap_or("ff"), 16).unwrap_or(255));
        (v * share + 255.0 * (1.0 - share)).round() as u8
    };
    format!("#{:02x}{:02x}{:02x}", ch(0), ch(2), ch(4))
}

fn cached(body: String, content_type: &'static str) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // The address carries the branding's version.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    r
}

/// The accent colour over the stylesheet's own.
async fn stylesheet(State(state): State<AppState>) -> AppResult<Response> {
    let b = state.app.branding().await?;
    let ink = b.accent_ink();
    let mut css = format!(
        ":root {{ --accent: {}; --accent-ink: {ink}; --accent-soft: {}; }}\n",
        b.accent,
        tint(&b.accent, 0.12)
    );
    if ink != "#ffffff" {
        // A light accent is for buttons and marks; text links stay dark
        // enough to read on white.
        css.push_str("a { color: #1d3f9e; }\n");
    }
    Ok(cached(css, "text/css; charset=utf-8"))
}

/// The favicon: the brand mark in the accent colour.
async fn favicon(State(state): State<AppState>) -> AppResult<Response> {
    let b = state.app.branding().await?;
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\">\
         <rect x=\"2\" y=\"2\" width=\"28\" height=\"28\" rx=\"9\" fill=\"{}\"/>\
         <rect x=\"2\" y=\"21\" width=\"28\" height=\"9\" rx=\"4\" fill=\"#ffffff\" fill-opacity=\".25\"/></svg>",
        b.accent
    );
    Ok(cached(svg, "image/svg+xml"))
}

#[derive(Template)]
#[template(path = "status/staff_branding.html")]
struct BrandingPage {
    page: Page,
    error: Option<String>,
    b: Branding,
    /// The link rows of the form: the set ones and empty ones up to the limit.
    rows: Vec<(usize, String, String)>,
}

async fn page(ctx: Ctx) -> AppResult<Response> {
    ctx.app()
        .permit(ctx.signed_in()?, Action::ManageSupportSettings)?;
    let b = (*ctx.app().branding_fresh().await?).clone();
    show(&ctx, b, None).await
}

async fn show(ctx: &Ctx, b: Branding, error: Option<String>) -> AppResult<Response> {
    let mut rows: Vec<(usize, String, String)> = b
        .links
        .iter()
        .enumerate()
        .map(|(i, l)| (i, l.label.clone(), l.url.clone()))
        .collect();
    while rows.len() < MAX_LINKS {
        rows.push((rows.len(), String::new(), String::new()));
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let html = render(&BrandingPage {
        page: ctx.page("branding-title"),
        error,
        b,
        rows,
    })?;
    Ok((status, html).into_response())
}

async fn save(ctx: Ctx, FormBody(f): FormBody<Fields>) -> AppResult<Response> {
    ctx.check_csrf(field(&f, "csrf"))?;
    let links: Vec<FooterLink> = (0..MAX_LINKS)
        .map(|i| FooterLink {
            label: field(&f, &format!("link_label_{i}")).to_string(),
            url: field(&f, &format!("link_url_{i}")).to_string(),
        })
        .filter(|l| !l.label.trim().is_empty() || !l.url.trim().is_empty())
        .collect();
    let input = BrandingInput {
        name: Some(field(&f, "name").to_string()),
        accent: Some(field(&f, "accent").to_string()),
        logo: (field(&f, "remove_logo") == "1").then(String::new),
        links: Some(links.clone()),
    };
    match ctx.app().set_branding(ctx.signed_in()?, input).await {
        Ok(_) => Ok(Redirect::to("/staff/branding?done=saved").into_response()),
        Err(e @ (app::Error::Invalid(_) | app::Error::Conflict(_))) => {
            // Show the form as it was sent.
            let mut b = (*ctx.app().branding_fresh().await?).clone();
            b.name = field(&f, "name").to_string();
            b.accent = field(&f, "accent").to_string();
            b.links = links;
            show(&ctx, b, Some(e.message(ctx.lang))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A logo: uploaded as a help image (the same checks: an image, its size),
/// then set as the logo.
async fn upload_logo(ctx: Ctx, multipart: Multipart) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    ctx.app().permit(caller, Action::ManageSupportSettings)?;
    let mut form = uploads::read(&ctx.state, multipart).await?;
    if let Err(e) = ctx.check_csrf(form.field("csrf")) {
        ctx.app().discard_files(&form.files).await;
        return Err(e);
    }
    if let Some(refused) = form.refused.take() {
        ctx.app().discard_files(&form.files).await;
        let b = (*ctx.app().branding_fresh().await?).clone();
        return show(&ctx, b, Some(refused.message(ctx.lang))).await;
    }
    if form.files.len() != 1 {
        ctx.app().discard_files(&form.files).await;
        let b = (*ctx.app().branding_fresh().await?).clone();
        let e = app::Error::invalid("logo", "required");
        return show(&ctx, b, Some(e.message(ctx.lang))).await;
    }
    let file = form.files.remove(0);
    let url = match ctx.app().add_help_image(caller, file).await {
        Ok(url) => url,
        Err(e @ app::Error::Invalid(_)) => {
            let b = (*ctx.app().branding_fresh().await?).clone();
            return show(&ctx, b, Some(e.message(ctx.lang))).await;
        }
        Err(e) => return Err(e.into()),
    };
    let input = BrandingInput {
        logo: Some(url),
        ..BrandingInput::default()
    };
    ctx.app().set_branding(caller, input).await?;
    Ok(Redirect::to("/staff/branding?done=saved").into_response())
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct LinkBody {
    pub label: String,
    /// `https://`, `http://` or `mailto:`.
    pub url: String,
}

#[derive(Serialize, ToSchema)]
pub struct BrandingOut {
    /// Empty: the product's own name.
    pub name: String,
    /// `#rrggbb`.
    pub accent: String,
    /// `/help/images/{id}`, or null.
    pub logo: Option<String>,
    pub links: Vec<LinkBody>,
}

impl From<Branding> for BrandingOut {
    fn from(b: Branding) -> Self {
        Self {
            name: b.name,
            accent: b.accent,
            logo: b.logo,
            links: b
                .links
                .into_iter()
                .map(|l| LinkBody {
                    label: l.label,
                    url: l.url,
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct BrandingPut {
    pub name: Option<String>,
    pub accent: Option<String>,
    /// An uploaded help image's address (`/help/images/{id}`), or `""` for none.
    pub logo: Option<String>,
    /// Replaces the footer links (at most six).
    pub links: Option<Vec<LinkBody>>,
}

/// The operator's branding: name, accent colour, logo, footer links.
#[utoipa::path(get, path = "/api/v1/branding", tag = "status",
    security(("bearer" = [])),
    responses((status = 200, body = BrandingOut), (status = 401, body = crate::http::error::ErrorBody)))]
pub async fn get_branding(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> AppResult<axum::Json<BrandingOut>> {
    state.app.permit(&caller, Action::ReadStatusPage)?;
    Ok(axum::Json(
        (*state.app.branding_fresh().await?).clone().into(),
    ))
}

/// Change the branding (support admins); what is left out stays.
#[utoipa::path(put, path = "/api/v1/branding", tag = "status",
    security(("bearer" = [])), request_body = BrandingPut,
    responses((status = 200, body = BrandingOut), (status = 403, body = crate::http::error::ErrorBody), (status = 422, body = crate::http::error::ErrorBody)))]
pub async fn put_branding(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(req): JsonBody<BrandingPut>,
) -> AppResult<axum::Json<BrandingOut>> {
    let input = BrandingInput {
        name: req.name,
        accent: req.accent,
        logo: req.logo,
        links: req.links.map(|l| {
            l.into_iter()
                .map(|l| FooterLink {
                    label: l.label,
                    url: l.url,
                })
                .collect()
        }),
    };
    let b = state.app.set_branding(&caller, input).await?;
    Ok(axum::Json(b.into()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn tints_mix_with_white() {
        assert_eq!(super::tint("#000000", 0.5), "#808080");
        assert_eq!(super::tint("#2b59e0", 1.0), "#2b59e0");
        assert_eq!(super::tint("#2b59e0", 0.0), "#ffffff");
    }
}
