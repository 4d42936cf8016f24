//! The staff's status-page desk (`/staff/status`): components, incidents
//! with their updates, maintenance, a preview of what subscribers receive
//! (made by the same function as the e-mails), and replying to every request
//! linked to an incident. The same use cases as the API, so the same checks.
use crate::http::ctx::Ctx;
use crate::http::error::{AppResult, Error};
use crate::http::extract::FormBody;
use crate::http::page::{Page, render};
use crate::http::state::AppState;
use app::content::{Texts, TranslationsInput};
use app::status::{
    ComponentInput, ComponentPatch, IncidentEditInput, IncidentInput, MaintenanceInput,
    UpdateEditInput, UpdateInput,
};
use app::subscriptions::{SubscriberNotice, preview_unsubscribe_link};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::Action;
use domain::status::{ComponentStatus, Impact, IncidentStatus, MaintenanceStatus};
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/status", get(desk))
        .route("/staff/status/components", post(create_component))
        .route("/staff/status/components/{id}", post(set_component))
        .route("/staff/status/incidents", post(create_incident))
        .route("/staff/status/incidents/{id}/updates", post(post_update))
        .route(
            "/staff/status/incidents/{id}",
            get(edit_page).post(edit_incident),
        )
        .route(
            "/staff/status/incidents/{id}/updates/{update_id}",
            post(edit_update),
        )
        .route("/staff/status/incidents/{id}/reply", post(reply_linked))
        .route("/staff/status/maintenances", post(create_maintenance))
}

/// A form's fields in order (repeated names kept).
pub(crate) type Fields = Vec<(String, String)>;

/// The first value of `name`, or "".
pub(crate) fn field<'a>(f: &'a Fields, name: &str) -> &'a str {
    f.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// The languages staff may write besides the primary one, as
/// (code, name in the page's language): each form has a field
/// `<field>_<code>` per text for them.
fn other_languages(ctx: &Ctx) -> Vec<(String, String)> {
    let primary = ctx.app().content_language();
    domain::Language::ALL
        .iter()
        .filter(|l| **l != primary)
        .map(|l| {
            (
                l.as_str().to_string(),
                ctx.tr().t(&format!("language-name-{}", l.as_str())),
            )
        })
        .collect()
}

/// The `<field>_<code>` fields of a form as translations. A field that is
/// there but empty says "none" (on an edit, it removes the text).
fn form_translations(ctx: &Ctx, f: &Fields, fields: &[&str]) -> TranslationsInput {
    let mut out = TranslationsInput::new();
    for (code, _) in other_languages(ctx) {
        let mut texts = Texts::default();
        for name in fields {
            let value = f
                .iter()
                .find(|(k, _)| *k == format!("{name}_{code}"))
                .map(|(_, v)| v.clone());
            match *name {
                "name" => texts.name = value,
                "body" => texts.body = value,
                "description" => texts.description = value,
                "postmortem" => texts.postmortem = value,
                _ => {}
            }
        }
        if texts != Texts::default() {
            out.insert(code, texts);
        }
    }
    out
}

/// The other-language texts a form was sent with, to show again.
fn form_texts(f: &Fields) -> BTreeMap<String, String> {
    f.iter()
        .filter(|(k, _)| k.contains('_') && !k.starts_with("component"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// A time from a form: a date field and a 24-hour `HH:MM` field
/// (`<name>_date`, `<name>_time`), or one `<name>` field (RFC 3339 or a
/// local date and time), as the use case parses it.
fn form_time(f: &Fields, name: &str) -> String {
    let date = field(f, &format!("{name}_date")).trim();
    if date.is_empty() {
        return field(f, name).to_string();
    }
    let time = field(f, &format!("{name}_time")).trim();
    // "9:30" is meant as 09:30.
    let time = match time.split_once(':') {
        Some((h, m)) if h.len() == 1 => format!("0{h}:{m}"),
        _ => time.to_string(),
    };
    format!("{date}T{time}")
}

/// `component:<id>` fields with a status chosen.
fn picked(f: &Fields) -> BTreeMap<String, String> {
    f.iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("component:")
                .filter(|_| !v.is_empty())
                .map(|id| (id.to_string(), v.clone()))
        })
        .collect()
}

struct ComponentRow {
    id: String,
    name: String,
    group: String,
    status: String,
}

struct OpenRow {
    id: String,
    name: String,
    impact: String,
    status: String,
    status_code: String,
    window: Option<String>,
    latest: Option<String>,
    statuses: Vec<(&'static str, String)>,
    components: Vec<(String, String)>,
    linked: i64,
    draft: String,
    preview: Option<(String, String)>,
}

#[derive(Default)]
struct Draft {
    name: String,
    impact: String,
    status: String,
    body: String,
    components: BTreeMap<String, String>,
    /// `name_sv`, `body_sv`, … as typed.
    texts: BTreeMap<String, String>,
}

impl Draft {
    fn picked(&self, id: &str, status: &str) -> bool {
        self.components.get(id).is_some_and(|s| s == status)
    }

    /// The text typed for `field` in language `code`.
    fn text(&self, field: &str, code: &str) -> &str {
        self.texts
            .get(&format!("{field}_{code}"))
            .map_or("", String::as_str)
    }
}

/// A preview and the form it belongs to (the new incident, or an update).
enum Preview {
    None,
    NewIncident(SubscriberNotice),
    Update {
        incident: String,
        body: String,
        notice: SubscriberNotice,
    },
}

#[derive(Template)]
#[template(path = "status/staff_status.html")]
struct DeskPage {
    page: Page,
    error: Option<String>,
    open: Vec<OpenRow>,
    components: Vec<ComponentRow>,
    component_statuses: Vec<(&'static str, String)>,
    impacts: Vec<(&'static str, String)>,
    incident_statuses: Vec<(&'static str, String)>,
    draft: Draft,
    preview: Option<(String, String)>,
    /// E-mails waiting because no SMTP relay is configured.
    mail_waiting: Option<i64>,
    /// The languages besides the primary one: (code, name).
    others: Vec<(String, String)>,
    /// The latest incidents and maintenance, to correct or write a
    /// postmortem for: (id, name, status, when).
    recent: Vec<(String, String, String, String)>,
}

fn shown(ctx: &Ctx, n: &SubscriberNotice) -> (String, String) {
    let link = preview_unsubscribe_link(&ctx.app().config.base_url);
    (n.subject.clone(), n.text(&link))
}

async fn desk_page(
    ctx: &Ctx,
    error: Option<String>,
    draft: Draft,
    preview: Preview,
) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    let tr = ctx.tr();
    let open_list = ctx.app().open_for_desk(caller).await?;
    let components = ctx.app().components().await?;
    let mut open = Vec::new();
    for d in open_list {
        let i = d.incident;
        let maintenance = i.kind == "maintenance";
        let prefix = if maintenance {
            "maintenance"
        } else {
            "incident"
        };
        let statuses: Vec<(&'static str, String)> = if maintenance {
            MaintenanceStatus::ALL
                .iter()
                .map(|s| (s.as_str(), tr.t(&format!("maintenance-{}", s.as_str()))))
                .collect()
        } else {
            IncidentStatus::ALL
                .iter()
                .map(|s| (s.as_str(), tr.t(&format!("incident-{}", s.as_str()))))
                .collect()
        };
        let (draft_body, row_preview) = match &preview {
            Preview::Update {
                incident,
                body,
                notice,
            } if *incident == i.id => (body.clone(), Some(shown(ctx, notice))),
            _ => (String::new(), None),
        };
        open.push(OpenRow {
            status: tr.t(&format!("{prefix}-{}", i.status)),
            window: crate::public::snapshot::window(&i, ctx.lang),
            latest: d.updates.first().map(|u| u.body.clone()),
            components: d.components,
            linked: i64::try_from(d.linked).unwrap_or(0),
            statuses,
            draft: draft_body,
            preview: row_preview,
            status_code: i.status,
            id: i.id,
            name: i.name,
            impact: i.impact,
        });
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let preview = match &preview {
        Preview::NewIncident(n) => Some(shown(ctx, n)),
        _ => None,
    };
    let mail_waiting = ctx.app().mail_waiting_without_relay().await?;
    let recent = ctx
        .app()
        .recent_for_desk(caller)
        .await?
        .into_iter()
        .map(|i| {
            let prefix = if i.kind == "maintenance" {
                "maintenance"
            } else {
                "incident"
            };
            (
                i.id,
                i.name,
                tr.t(&format!("{prefix}-{}", i.status)),
                crate::i18n::format_time(i.created_at, ctx.lang),
            )
        })
        .collect();
    let html = render(&DeskPage {
        page: ctx.page("staff-status-title"),
        error,
        mail_waiting,
        others: other_languages(ctx),
        recent,
        open,
        components: components
            .into_iter()
            .map(|c| ComponentRow {
                id: c.id,
                name: c.name,
                group: c.group_name.unwrap_or_default(),
                status: c.status,
            })
            .collect(),
        component_statuses: ComponentStatus::ALL
            .iter()
            .map(|s| (s.as_str(), tr.t(&format!("component-{}", s.as_str()))))
            .collect(),
        impacts: Impact::ALL
            .iter()
            .map(|s| (s.as_str(), tr.t(&format!("impact-{}", s.as_str()))))
            .collect(),
        incident_statuses: IncidentStatus::ALL
            .iter()
            .filter(|s| **s != IncidentStatus::Resolved)
            .map(|s| (s.as_str(), tr.t(&format!("incident-{}", s.as_str()))))
            .collect(),
        draft,
        preview,
    })?;
    Ok((status, html).into_response())
}

async fn desk(ctx: Ctx) -> AppResult<Response> {
    ctx.app()
        .permit(ctx.signed_in()?, Action::ManageStatusPage)?;
    desk_page(&ctx, None, Draft::default(), Preview::None).await
}

fn done(key: &str) -> Response {
    Redirect::to(&format!("/staff/status?done={key}")).into_response()
}

/// A validation or state-machine refusal as a message on the desk page.
async fn refused(ctx: &Ctx, e: Error, draft: Draft) -> AppResult<Response> {
    match e {
        Error::Invalid(_) | Error::Conflict(_) => {
            desk_page(ctx, Some(e.message(ctx.lang)), draft, Preview::None).await
        }
        other => Err(other.into()),
    }
}

async fn create_component(ctx: Ctx, FormBody(f): FormBody<Fields>) -> AppResult<Response> {
    ctx.check_csrf(field(&f, "csrf"))?;
    let input = ComponentInput {
        name: field(&f, "name").to_string(),
        group: Some(field(&f, "group").to_string()),
        description: Some(field(&f, "description").to_string()),
        translations: form_translations(&ctx, &f, &["name"]),
        ..ComponentInput::default()
    };
    match ctx.app().create_component(ctx.signed_in()?, input).await {
        Ok(_) => Ok(done("saved")),
        Err(e) => refused(&ctx, e, Draft::default()).await,
    }
}

async fn set_component(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<Fields>,
) -> AppResult<Response> {
    ctx.check_csrf(field(&f, "csrf"))?;
    let patch = ComponentPatch {
        status: Some(field(&f, "status").to_string()),
        ..ComponentPatch::default()
    };
    match ctx
        .app()
        .update_component(ctx.signed_in()?, &id, patch)
        .await
    {
        Ok(_) => Ok(done("saved")),
        Err(e) => refused(&ctx, e, Draft::default()).await,
    }
}

async fn create_incident(ctx: Ctx, FormBody(f): FormBody<Fields>) -> AppResult<Response> {
    ctx.check_csrf(field(&f, "csrf"))?;
    let caller = ctx.signed_in()?;
    let draft = Draft {
        name: field(&f, "name").trim().to_string(),
        impact: field(&f, "impact").to_string(),
        status: field(&f, "status").to_string(),
        body: field(&f, "body").trim().to_string(),
        components: picked(&f),
        texts: form_texts(&f),
    };
    let input = IncidentInput {
        name: draft.name.clone(),
        status: draft.status.clone(),
        impact: draft.impact.clone(),
        body: draft.body.clone(),
        components: draft.components.clone(),
        translations: form_translations(&ctx, &f, &["name", "body"]),
    };
    if field(&f, "action") == "preview" {
        return match ctx.app().preview_incident(caller, &input, ctx.lang).await {
            Ok(n) => desk_page(&ctx, None, draft, Preview::NewIncident(n)).await,
            Err(e) => refused(&ctx, e, draft).await,
        };
    }
    match ctx.app().create_incident(caller, input).await {
        Ok(_) => Ok(done("incident-posted")),
        Err(e) => refused(&ctx, e, draft).await,
    }
}

async fn post_update(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<Fields>,
) -> AppResult<Response> {
    ctx.check_csrf(field(&f, "csrf"))?;
    let caller = ctx.signed_in()?;
    let input = UpdateInput {
        status: field(&f, "status").to_string(),
        body: field(&f, "body").to_string(),
        components: picked(&f),
        translations: form_translations(&ctx, &f, &["body"]),
    };
    if field(&f, "action") == "preview" {
        return match ctx
            .app()
            .preview_update(caller, &id, &input, ctx.lang)
            .await
        {
            Ok(notice) => {
                let preview = Preview::Update {
                    incident: id,
                    body: input.body,
                    notice,
                };
                desk_page(&ctx, None, Draft::default(), preview).await
            }
            Err(e) => refused(&ctx, e, Draft::default()).await,
        };
    }
    match ctx.app().post_incident_update(caller, &id, input).await {
        Ok(_) => Ok(done("update-posted")),
        Err(e) => refused(&ctx, e, Draft::default()).await,
    }
}

async fn reply_linked(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<Fields>,
) -> AppResult<Response> {
    ctx.check_csrf(field(&f, "csrf"))?;
    match ctx
        .app()
        .reply_linked(ctx.signed_in()?, &id, field(&f, "body"))
        .await
    {
        Ok(_) => Ok(done("replied-linked")),
        Err(e) => refused(&ctx, e, Draft::default()).await,
    }
}

async fn create_maintenance(ctx: Ctx, FormBody(f): FormBody<Fields>) -> AppResult<Response> {
    ctx.check_csrf(field(&f, "csrf"))?;
    let input = MaintenanceInput {
        name: field(&f, "name").to_string(),
        body: field(&f, "body").to_string(),
        scheduled_for: form_time(&f, "scheduled_for"),
        scheduled_until: form_time(&f, "scheduled_until"),
        components: f
            .iter()
            .filter(|(k, _)| k == "component")
            .map(|(_, v)| v.clone())
            .collect(),
        translations: form_translations(&ctx, &f, &["name", "body"]),
    };
    match ctx.app().create_maintenance(ctx.signed_in()?, input).await {
        Ok(_) => Ok(done("maintenance-scheduled")),
        Err(e) => refused(&ctx, e, Draft::default()).await,
    }
}

struct EditUpdate {
    id: String,
    status: String,
    at: String,
    edited: Option<String>,
    body: String,
    /// (code, language name, text) per other language.
    texts: Vec<(String, String, String)>,
}

struct EditRecord {
    at: String,
    /// What was edited: the incident's texts or the update of a time.
    what: String,
    previous: String,
}

#[derive(Template)]
#[template(path = "status/staff_incident.html")]
struct EditPage {
    page: Page,
    error: Option<String>,
    id: String,
    name: String,
    status: String,
    postmortem: String,
    /// (code, language name, name, postmortem) per other language.
    others: Vec<(String, String, String, String)>,
    updates: Vec<EditUpdate>,
    history: Vec<EditRecord>,
}

async fn edit_page(ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    edit_page_with(&ctx, &id, None).await
}

async fn edit_page_with(ctx: &Ctx, id: &str, error: Option<String>) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    let tr = ctx.tr();
    let history = ctx.app().incident_edits(caller, id).await?;
    let d = ctx.app().incident(id).await?;
    let i = &d.incident;
    let prefix = if i.kind == "maintenance" {
        "maintenance"
    } else {
        "incident"
    };
    let translations = app::content::Translations::stored(&i.translations);
    let langs = other_languages(ctx);
    let others = langs
        .iter()
        .map(|(code, label)| {
            let lang = domain::Language::parse(code).unwrap_or(domain::Language::En);
            (
                code.clone(),
                label.clone(),
                translations.get(lang, "name").unwrap_or("").to_string(),
                translations
                    .get(lang, "postmortem")
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect();
    let update_time = |uid: &str| {
        d.updates
            .iter()
            .find(|u| u.id == uid)
            .map(|u| crate::i18n::format_time(u.created_at, ctx.lang))
            .unwrap_or_default()
    };
    let history = history
        .into_iter()
        .map(|e| {
            let before: serde_json::Value = serde_json::from_str(&e.previous).unwrap_or_default();
            let what = match &e.update_id {
                Some(uid) => tr.ta("edit-of-update", &[("time", &update_time(uid))]),
                None => tr.t("edit-of-incident"),
            };
            let previous = ["name", "body", "postmortem"]
                .iter()
                .filter_map(|k| before[*k].as_str())
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join("\n\n");
            EditRecord {
                at: crate::i18n::format_time(e.edited_at, ctx.lang),
                what,
                previous,
            }
        })
        .collect();
    let updates = d
        .updates
        .iter()
        .map(|u| {
            let t = app::content::Translations::stored(&u.translations);
            EditUpdate {
                id: u.id.clone(),
                status: tr.t(&format!("{prefix}-{}", u.status)),
                at: crate::i18n::format_time(u.created_at, ctx.lang),
                edited: crate::public::snapshot::edited(u.edited_at, ctx.lang),
                body: u.body.clone(),
                texts: langs
                    .iter()
                    .map(|(code, label)| {
                        let lang = domain::Language::parse(code).unwrap_or(domain::Language::En);
                        (
                            code.clone(),
                            label.clone(),
                            t.get(lang, "body").unwrap_or("").to_string(),
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut page = ctx.page("incident-edit");
    page.title = i.name.clone();
    let html = render(&EditPage {
        page,
        error,
        id: i.id.clone(),
        name: i.name.clone(),
        status: tr.t(&format!("{prefix}-{}", i.status)),
        postmortem: i.postmortem.clone(),
        others,
        updates,
        history,
    })?;
    Ok((status, html).into_response())
}

fn edited_done(id: &str) -> Response {
    Redirect::to(&format!("/staff/status/incidents/{id}?done=saved")).into_response()
}

async fn edit_incident(
    ctx: Ctx,
    Path(id): Path<String>,
    FormBody(f): FormBody<Fields>,
) -> AppResult<Response> {
    ctx.check_csrf(field(&f, "csrf"))?;
    let input = IncidentEditInput {
        name: Some(field(&f, "name").to_string()),
        postmortem: Some(field(&f, "postmortem").to_string()),
        translations: Some(form_translations(&ctx, &f, &["name", "postmortem"])),
    };
    match ctx.app().edit_incident(ctx.signed_in()?, &id, input).await {
        Ok(_) => Ok(edited_done(&id)),
        Err(e @ (Error::Invalid(_) | Error::Conflict(_))) => {
            edit_page_with(&ctx, &id, Some(e.message(ctx.lang))).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_update(
    ctx: Ctx,
    Path((id, update_id)): Path<(String, String)>,
    FormBody(f): FormBody<Fields>,
) -> AppResult<Response> {
    ctx.check_csrf(field(&f, "csrf"))?;
    let input = UpdateEditInput {
        body: Some(field(&f, "body").to_string()),
        translations: Some(form_translations(&ctx, &f, &["body"])),
    };
    match ctx
        .app()
        .edit_incident_update(ctx.signed_in()?, &id, &update_id, input)
        .await
    {
        Ok(_) => Ok(edited_done(&id)),
        Err(e @ (Error::Invalid(_) | Error::Conflict(_))) => {
            edit_page_with(&ctx, &id, Some(e.message(ctx.lang))).await
        }
        Err(e) => Err(e.into()),
    }
}
