//! Canned replies for agents (`/agent/macros`): the shared ones and one's
//! own, saved with placeholders that are filled in for each request.
use crate::http::ctx::Ctx;
use crate::http::error::AppResult;
use crate::http::extract::{CsrfForm, FormBody};
use crate::http::page::{Page, render};
use crate::http::state::AppState;
use app::Error;
use app::workspace::{MacroInput, PLACEHOLDERS};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::Action;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agent/macros", get(list).post(create))
        .route("/agent/macros/{id}", get(edit).post(update))
        .route("/agent/macros/{id}/delete", post(delete))
}

struct MacroRow {
    id: String,
    name: String,
    preview: String,
    shared: bool,
    owner: String,
    editable: bool,
}

#[derive(Template)]
#[template(path = "support/macros.html")]
struct MacrosPage {
    page: Page,
    rows: Vec<MacroRow>,
    placeholders: Vec<String>,
    error: Option<String>,
    /// The form: a new reply, or the one being changed.
    editing: Option<String>,
    name: String,
    body: String,
    shared: bool,
}

#[derive(Deserialize)]
struct MacroForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    shared: String,
}

impl MacroForm {
    fn input(&self) -> MacroInput {
        MacroInput {
            name: Some(self.name.clone()),
            body: Some(self.body.clone()),
            shared: Some(self.shared == "1"),
        }
    }
}

async fn page(
    ctx: &Ctx,
    editing: Option<String>,
    form: Option<&MacroForm>,
    error: Option<String>,
) -> AppResult<MacrosPage> {
    let caller = ctx.signed_in()?;
    let macros = ctx.app().macros(caller).await?;
    let (name, body, shared) = match (form, &editing) {
        (Some(f), _) => (f.name.clone(), f.body.clone(), f.shared == "1"),
        (None, Some(id)) => match macros.iter().find(|m| &m.id == id) {
            Some(m) => (m.name.clone(), m.body.clone(), m.shared.0),
            None => return Err(Error::NotFound.into()),
        },
        (None, None) => (String::new(), String::new(), false),
    };
    let rows = macros
        .into_iter()
        .map(|m| {
            let mut preview: String = m.body.chars().take(140).collect();
            if m.body.chars().count() > 140 {
                preview.push('…');
            }
            MacroRow {
                editable: caller.may(Action::EditMacro {
                    owner: &m.owner_id,
                    shared: m.shared.0,
                }),
                id: m.id,
                name: m.name,
                preview,
                shared: m.shared.0,
                owner: m.owner_name,
            }
        })
        .collect();
    Ok(MacrosPage {
        page: ctx.page("macros-title"),
        rows,
        placeholders: PLACEHOLDERS
            .iter()
            .map(|p| format!("{{{{{p}}}}}"))
            .collect(),
        error,
        editing,
        name,
        body,
        shared,
    })
}

async fn list(ctx: Ctx) -> AppResult<Response> {
    Ok(render(&page(&ctx, None, None, None).await?)?.into_response())
}

async fn edit(ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    // Someone else's personal reply does not exist for this agent.
    ctx.app().macro_for(caller, &id).await?;
    Ok(render(&page(&ctx, Some(id), None, None).await?)?.into_response())
}

/// A refused form comes back with what was typed and why.
async fn refused(
    ctx: &Ctx,
    editing: Option<String>,
    f: &MacroForm,
    e: Error,
) -> AppResult<Response> {
    if !matches!(e, Error::Invalid(_)) {
        return Err(e.into());
    }
    let message = e.message(ctx.lang);
    let p = page(ctx, editing, Some(f), Some(message)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
}

async fn create(ctx: Ctx, FormBody(f): FormBody<MacroForm>) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    match ctx.app().create_macro(ctx.signed_in()?, f.input()).await {
        Ok(_) => Ok(Redirect::to("/agent/macros?done=macro-saved").into_response()),
        Err(e) => refused(&ctx, None, &f, e).await,
    }
}

async fn update(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<MacroForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    match ctx
        .app()
        .update_macro(ctx.signed_in()?, &id, f.input())
        .await
    {
        Ok(_) => Ok(Redirect::to("/agent/macros?done=macro-saved").into_response()),
        Err(e) => refused(&ctx, Some(id), &f, e).await,
    }
}

async fn delete(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<CsrfForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    ctx.app().delete_macro(ctx.signed_in()?, &id).await?;
    Ok(Redirect::to("/agent/macros?done=macro-deleted").into_response())
}
