//! The customer admin's page of status integrations
//! (`/admin/integrations`).
use crate::http::ctx::Ctx;
use crate::http::error::{AppResult, Error};
use crate::http::extract::{CsrfForm, FormBody};
use crate::http::page::{Page, render};
use crate::http::state::AppState;
use app::integrations::{IntegrationInput, KINDS};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::Action;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/integrations", get(page).post(create_form))
        .route("/admin/integrations/{id}/test", post(test_form))
        .route("/admin/integrations/{id}/delete", post(delete_form))
}

struct Row {
    id: String,
    kind_name: String,
    url: String,
    components: String,
    signed: bool,
}

#[derive(Template)]
#[template(path = "integrations/integrations.html")]
struct IntegrationsPage {
    page: Page,
    rows: Vec<Row>,
    kinds: Vec<(&'static str, String)>,
    components: Vec<(String, String)>,
    error: Option<String>,
    notice: Option<(bool, String)>,
    secret: Option<String>,
    url: String,
}

async fn render_page(
    ctx: &Ctx,
    error: Option<String>,
    notice: Option<(bool, String)>,
    secret: Option<String>,
    url: String,
) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    ctx.app().permit(caller, Action::ViewAdminPanel)?;
    let list = ctx.app().integrations(caller).await?;
    let page = ctx.page("integrations-title");
    let refs = ctx.app().component_refs().await?;
    let rows = list
        .into_iter()
        .map(|i| Row {
            kind_name: page.t(&format!("integration-kind-{}", i.kind)),
            components: {
                let names: Vec<String> = i
                    .component_ids()
                    .iter()
                    .filter_map(|id| refs.iter().find(|r| r.id == *id).map(|r| r.name.clone()))
                    .collect();
                if names.is_empty() {
                    page.t("integration-all-features")
                } else {
                    names.join(", ")
                }
            },
            signed: i.secret.is_some(),
            id: i.id,
            url: i.url,
        })
        .collect();
    let kinds = KINDS
        .iter()
        .map(|k| (*k, page.t(&format!("integration-kind-{k}"))))
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut response = render(&IntegrationsPage {
        rows,
        kinds,
        components: refs.into_iter().map(|c| (c.id, c.name)).collect(),
        error,
        notice,
        secret,
        url,
        page,
    })?
    .into_response();
    *response.status_mut() = status;
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

async fn page(ctx: Ctx) -> AppResult<Response> {
    render_page(&ctx, None, None, None, String::new()).await
}

async fn create_form(
    ctx: Ctx,
    FormBody(f): FormBody<Vec<(String, String)>>,
) -> AppResult<Response> {
    let field = |n: &str| {
        f.iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    ctx.check_csrf(&field("csrf"))?;
    let caller = ctx.signed_in()?;
    ctx.app().permit(caller, Action::ViewAdminPanel)?;
    let input = IntegrationInput {
        kind: field("kind"),
        url: field("url"),
        secret: None,
        language: Some(field("language")).filter(|l| !l.is_empty()),
        components: f
            .iter()
            .filter(|(k, _)| k == "component")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    match ctx
        .app()
        .create_integration(caller, input, Some(ctx.lang))
        .await
    {
        Ok((_, secret)) => match secret {
            Some(s) => render_page(&ctx, None, None, Some(s), String::new()).await,
            None => Ok(Redirect::to("/admin/integrations").into_response()),
        },
        Err(e @ Error::Invalid(_)) => {
            render_page(&ctx, Some(e.message(ctx.lang)), None, None, field("url")).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn test_form(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<CsrfForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    let result = ctx.app().test_integration(ctx.signed_in()?, &id).await?;
    let tr = ctx.tr();
    let notice = if result.delivered {
        (true, tr.t("integration-test-sent"))
    } else {
        (
            false,
            tr.ta(
                "integration-test-failed",
                &[("error", &result.error.unwrap_or_default())],
            ),
        )
    };
    render_page(&ctx, None, Some(notice), None, String::new()).await
}

async fn delete_form(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<CsrfForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    ctx.app().delete_integration(ctx.signed_in()?, &id).await?;
    Ok(Redirect::to("/admin/integrations").into_response())
}
