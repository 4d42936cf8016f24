//! The help center for support staff: the article list, the editor (with a
//! live preview, drafts, revisions and their diff) and the feedback report.
use crate::help::api::{csv_response, day, report_out};
use crate::help::pages::{collection_name, plan_name};
use crate::http::ctx::Ctx;
use crate::http::error::{AppResult, Error, ensure};
use crate::http::extract::{FormBody, QueryOf};
use crate::http::page::{Page, render};
use crate::http::state::AppState;
use crate::http::uploads;
use crate::i18n::{Tr, format_time};
use app::help::{ArticleInput, ArticleSummary, DiffLine, FeedbackReport, line_diff};
use app::model::{Article, ArticleRevision, HelpSection};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::{Action, Collection, Language, Plan};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/help", get(list))
        .route("/staff/help/new", get(new_form).post(create))
        .route("/staff/help/preview", post(preview))
        .route("/staff/help/sections", post(create_section))
        .route("/staff/help/report", get(report))
        .route("/staff/help/{slug}/edit", get(edit_form).post(save))
        .route("/staff/help/{slug}/revisions", get(revisions))
        .route(
            "/staff/help/images",
            post(upload_image).layer(DefaultBodyLimit::max(uploads::MAX_BODY_BYTES)),
        )
}

/// An image for articles: answers the editor's script with JSON
/// (`{"url","markdown"}`), and a form without script with a page showing
/// the line to paste.
async fn upload_image(ctx: Ctx, multipart: Multipart) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    let mut form = uploads::read(&ctx.state, multipart).await?;
    if let Err(e) = ctx.check_csrf(form.field("csrf")) {
        ctx.app().discard_files(&form.files).await;
        return Err(e);
    }
    if let Some(refused) = form.refused.take() {
        ctx.app().discard_files(&form.files).await;
        return Err(refused.into());
    }
    if form.files.len() != 1 {
        ctx.app().discard_files(&form.files).await;
        return Err(Error::invalid("image", "required").into());
    }
    let file = form.files.remove(0);
    let alt = file
        .filename
        .rsplit_once('.')
        .map(|(stem, _)| stem.to_string())
        .unwrap_or_else(|| file.filename.clone())
        .replace(['[', ']'], "");
    let url = ctx.app().add_help_image(caller, file).await?;
    let markdown = format!("![{alt}]({url})");
    let wants_json = ctx
        .headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    if wants_json {
        return Ok(
            axum::Json(serde_json::json!({"url": url, "markdown": markdown})).into_response(),
        );
    }
    let page = ctx.page("image-uploaded");
    Ok(render(&crate::http::page::MessagePage {
        page,
        tone: "ok",
        message: ctx.tr().t("image-uploaded-lead"),
        detail: Some(markdown),
        link_href: "/staff/help".into(),
        link_text: ctx.tr().t("staff-help-title"),
    })?
    .into_response())
}

pub struct Row {
    pub a: ArticleSummary,
    pub collection: String,
    pub plans: String,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "help/staff_list.html")]
struct ListPage {
    page: Page,
    rows: Vec<Row>,
    sections: Vec<(String, String, String)>,
    collections: Vec<(&'static str, String)>,
    may_write: bool,
    error: Option<String>,
    /// Community posts that wait for review.
    queue: i64,
}

fn plans_text(tr: Tr, plans: &[Plan]) -> String {
    if plans.is_empty() {
        tr.t("plans-all")
    } else {
        plans
            .iter()
            .map(|p| plan_name(tr, *p))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn collections(tr: Tr) -> Vec<(&'static str, String)> {
    Collection::ALL
        .iter()
        .map(|c| (c.as_str(), collection_name(tr, *c)))
        .collect()
}

fn section_rows(tr: Tr, lang: Language, sections: &[HelpSection]) -> Vec<(String, String, String)> {
    sections
        .iter()
        .map(|s| {
            let c = Collection::parse(&s.collection).unwrap_or(Collection::Help);
            let title = if lang == Language::Sv {
                &s.title_sv
            } else {
                &s.title_en
            };
            (
                s.slug.clone(),
                format!("{} · {title}", collection_name(tr, c)),
                s.collection.clone(),
            )
        })
        .collect()
}

async fn list_page(ctx: &Ctx, error: Option<String>) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    let tr = ctx.tr();
    let rows = ctx
        .app()
        .all_articles_for_staff(caller)
        .await?
        .into_iter()
        .map(|a| Row {
            collection: collection_name(tr, a.collection),
            plans: plans_text(tr, &a.plans),
            updated: format_time(a.updated_at, ctx.lang),
            a,
        })
        .collect();
    let sections = ctx.app().help_sections().await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        render(&ListPage {
            page: ctx.page("staff-help-title"),
            rows,
            sections: section_rows(tr, ctx.lang, &sections),
            collections: collections(tr),
            may_write: ctx.decide(Action::ManageHelpCenter).is_allowed(),
            error,
            queue: ctx.app().review_queue_len(caller).await?,
        })?,
    )
        .into_response())
}

async fn list(ctx: Ctx) -> AppResult<Response> {
    list_page(&ctx, None).await
}

#[derive(Template)]
#[template(path = "help/editor.html")]
struct EditorPage {
    page: Page,
    /// `None` for a new article.
    slug: Option<String>,
    form: EditorFields,
    sections: Vec<(String, String, String)>,
    collections: Vec<(&'static str, String)>,
    /// (code, name, checked)
    plans: Vec<(&'static str, String, bool)>,
    revisions: Vec<RevisionRow>,
    error: Option<String>,
    preview_html: String,
    published: bool,
    has_draft: bool,
    script: &'static str,
}

#[derive(Default, Deserialize)]
pub struct EditorFields {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub collection: String,
    #[serde(default)]
    pub lang: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub section: String,
    #[serde(default)]
    pub plans: Vec<String>,
    #[serde(default)]
    pub others_may_read: bool,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub translation_of: String,
    #[serde(default)]
    pub revision: String,
}

pub struct RevisionRow {
    pub number: i64,
    pub who: String,
    pub when: String,
    pub published: bool,
}

fn revision_rows(ctx: &Ctx, revisions: &[ArticleRevision]) -> Vec<RevisionRow> {
    revisions
        .iter()
        .map(|r| RevisionRow {
            number: r.number,
            who: r.author_name.clone().unwrap_or_default(),
            when: format_time(r.created_at, ctx.lang),
            published: r.published != 0,
        })
        .collect()
}

impl EditorFields {
    fn of(a: &Article, sections: &[HelpSection]) -> Self {
        EditorFields {
            title: a.title.clone(),
            body: a.body.clone(),
            collection: a.collection.clone(),
            lang: a.lang.clone(),
            slug: a.slug.clone(),
            section: a
                .section_id
                .as_ref()
                .and_then(|id| sections.iter().find(|s| &s.id == id))
                .map(|s| s.slug.clone())
                .unwrap_or_default(),
            plans: a.plan_names().into_iter().map(str::to_string).collect(),
            others_may_read: a.others_may_read != 0,
            position: a.position.to_string(),
            translation_of: String::new(),
            revision: a.revision.to_string(),
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn editor(
    ctx: &Ctx,
    status: StatusCode,
    slug: Option<String>,
    f: EditorFields,
    article: Option<&Article>,
    revisions: &[ArticleRevision],
    error: Option<String>,
) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    let tr = ctx.tr();
    let sections = ctx.app().help_sections().await?;
    let preview_html = ctx
        .app()
        .preview_article(caller, &f.body)
        .unwrap_or_default();
    let title_key = if slug.is_some() {
        "staff-help-edit"
    } else {
        "staff-help-new"
    };
    Ok((
        status,
        render(&EditorPage {
            page: ctx.page(title_key),
            slug,
            sections: section_rows(tr, ctx.lang, &sections),
            collections: collections(tr),
            plans: Plan::ALL
                .iter()
                .map(|p| {
                    (
                        p.as_str(),
                        plan_name(tr, *p),
                        f.plans.iter().any(|x| x == p.as_str()),
                    )
                })
                .collect(),
            revisions: revision_rows(ctx, revisions),
            error,
            preview_html,
            published: article.is_some_and(Article::is_published),
            has_draft: article
                .is_some_and(|a| a.published_revision.is_some_and(|p| p != a.revision)),
            script: crate::http::assets::help_js_path(),
            form: f,
        })?,
    )
        .into_response())
}

#[derive(Deserialize)]
struct NewQuery {
    translation_of: Option<String>,
    collection: Option<String>,
}

async fn new_form(ctx: Ctx, QueryOf(q): QueryOf<NewQuery>) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    ensure(ctx.decide(Action::ManageHelpCenter))?;
    let mut f = EditorFields {
        lang: ctx.lang.as_str().into(),
        collection: q.collection.unwrap_or_else(|| "help".into()),
        position: "100".into(),
        ..EditorFields::default()
    };
    if let Some(of) = q.translation_of.filter(|s| !s.is_empty())
        && let Ok((a, _)) = ctx.app().article_for_editing(caller, &of).await
    {
        let sections = ctx.app().help_sections().await?;
        let base = EditorFields::of(&a, &sections);
        f = EditorFields {
            lang: if a.lang == "sv" { "en" } else { "sv" }.into(),
            slug: String::new(),
            translation_of: a.slug.clone(),
            revision: String::new(),
            ..base
        };
    }
    editor(&ctx, StatusCode::OK, None, f, None, &[], None).await
}

/// The form's fields as the use case's input; `action` says whether to
/// publish, save a draft or take the article off the help center.
fn input_of(f: &EditorFields, action: &str) -> ArticleInput {
    ArticleInput {
        title: Some(f.title.clone()),
        body: Some(f.body.clone()),
        collection: Some(f.collection.clone()),
        lang: Some(f.lang.clone()),
        slug: Some(f.slug.clone()).filter(|s| !s.trim().is_empty()),
        section: Some(f.section.clone()),
        plans: Some(f.plans.clone()),
        others_may_read: Some(f.others_may_read),
        published: Some(action == "publish"),
        unpublish: action == "unpublish",
        position: f.position.trim().parse().ok(),
        translation_of: Some(f.translation_of.clone()).filter(|s| !s.is_empty()),
        revision: f.revision.trim().parse().ok(),
    }
}

/// The editor form: its fields, and the token and button outside them.
fn split_form(pairs: Vec<(String, String)>) -> (String, String, EditorFields) {
    let mut csrf = String::new();
    let mut action = String::new();
    let mut f = EditorFields::default();
    for (k, v) in pairs {
        match k.as_str() {
            "csrf" => csrf = v,
            "action" => action = v,
            "title" => f.title = v,
            "body" => f.body = v,
            "collection" => f.collection = v,
            "lang" => f.lang = v,
            "slug" => f.slug = v,
            "section" => f.section = v,
            "plans" => f.plans.push(v),
            "others_may_read" => f.others_may_read = v == "on" || v == "true",
            "position" => f.position = v,
            "translation_of" => f.translation_of = v,
            "revision" => f.revision = v,
            _ => {}
        }
    }
    (csrf, action, f)
}

async fn create(ctx: Ctx, FormBody(pairs): FormBody<Vec<(String, String)>>) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    let (csrf, action, f) = split_form(pairs);
    ctx.check_csrf(&csrf)?;
    match ctx
        .app()
        .create_article(caller, input_of(&f, &action))
        .await
    {
        Ok(a) => Ok(
            Redirect::to(&format!("/staff/help/{}/edit?done=article-saved", a.slug))
                .into_response(),
        ),
        Err(e @ (Error::Invalid(_) | Error::Conflict(_))) => {
            let message = e.message(ctx.lang);
            editor(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                f,
                None,
                &[],
                Some(message),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_form(ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    let (a, revisions) = ctx.app().article_for_editing(caller, &slug).await?;
    let sections = ctx.app().help_sections().await?;
    let f = EditorFields::of(&a, &sections);
    editor(
        &ctx,
        StatusCode::OK,
        Some(slug),
        f,
        Some(&a),
        &revisions,
        None,
    )
    .await
}

async fn save(
    ctx: Ctx,
    Path(slug): Path<String>,
    FormBody(pairs): FormBody<Vec<(String, String)>>,
) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    let (csrf, action, f) = split_form(pairs);
    ctx.check_csrf(&csrf)?;
    match ctx
        .app()
        .update_article(caller, &slug, input_of(&f, &action))
        .await
    {
        Ok(a) => Ok(
            Redirect::to(&format!("/staff/help/{}/edit?done=article-saved", a.slug))
                .into_response(),
        ),
        Err(e @ (Error::Invalid(_) | Error::Conflict(_))) => {
            let message = e.message(ctx.lang);
            let (a, revisions) = ctx.app().article_for_editing(caller, &slug).await?;
            editor(
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(slug),
                f,
                Some(&a),
                &revisions,
                Some(message),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct PreviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
}

/// The editor's live preview: the Markdown rendered as readers will see it.
async fn preview(ctx: Ctx, FormBody(f): FormBody<PreviewForm>) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    ctx.check_csrf(&f.csrf)?;
    Ok(Html(ctx.app().preview_article(caller, &f.body)?).into_response())
}

#[derive(Deserialize)]
struct SectionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    collection: String,
    #[serde(default)]
    title_sv: String,
    #[serde(default)]
    title_en: String,
    #[serde(default)]
    position: String,
}

async fn create_section(ctx: Ctx, FormBody(f): FormBody<SectionForm>) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    ctx.check_csrf(&f.csrf)?;
    match ctx
        .app()
        .create_help_section(
            caller,
            &f.collection,
            &f.title_sv,
            &f.title_en,
            f.position.trim().parse().unwrap_or(100),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to("/staff/help?done=section-added").into_response()),
        Err(e @ (Error::Invalid(_) | Error::Conflict(_))) => {
            list_page(&ctx, Some(e.message(ctx.lang))).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct RevisionsQuery {
    a: Option<i64>,
    b: Option<i64>,
}

#[derive(Template)]
#[template(path = "help/revisions.html")]
struct RevisionsPage {
    page: Page,
    slug: String,
    title: String,
    revisions: Vec<RevisionRow>,
    a: i64,
    b: i64,
    lines: Vec<(&'static str, String)>,
}

/// An article's revisions and the diff between two of them (by default
/// the latest against the one before).
async fn revisions(
    ctx: Ctx,
    Path(slug): Path<String>,
    QueryOf(q): QueryOf<RevisionsQuery>,
) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    let (a, revisions) = ctx.app().article_for_editing(caller, &slug).await?;
    let latest = revisions.first().map(|r| r.number).unwrap_or(1);
    let b = q.b.unwrap_or(latest);
    let a_number = q.a.unwrap_or((b - 1).max(1));
    let find = |n: i64| revisions.iter().find(|r| r.number == n);
    let (Some(old), Some(new)) = (find(a_number), find(b)) else {
        return Err(Error::NotFound.into());
    };
    let old_text = format!("# {}\n\n{}", old.title, old.body);
    let new_text = format!("# {}\n\n{}", new.title, new.body);
    let lines = line_diff(&old_text, &new_text)
        .into_iter()
        .map(|l| match l {
            DiffLine::Same(t) => ("same", t),
            DiffLine::Added(t) => ("added", t),
            DiffLine::Removed(t) => ("removed", t),
        })
        .collect();
    let mut page = ctx.page("staff-help-revisions");
    page.title = format!("{} · {}", page.title, a.title);
    Ok(render(&RevisionsPage {
        page,
        slug,
        title: a.title,
        revisions: revision_rows(&ctx, &revisions),
        a: a_number,
        b,
        lines,
    })?
    .into_response())
}

#[derive(Deserialize)]
struct ReportQuery {
    format: Option<String>,
}

#[derive(Template)]
#[template(path = "help/report.html")]
struct ReportPage {
    page: Page,
    r: FeedbackReport,
    weeks: Vec<(String, i64, i64, u32)>,
    reason_names: Vec<(String, String)>,
}

async fn report(ctx: Ctx, QueryOf(q): QueryOf<ReportQuery>) -> AppResult<Response> {
    let caller = ctx.signed_in()?;
    let r = ctx.app().feedback_report(caller).await?;
    if q.format.as_deref() == Some("csv") {
        return Ok(csv_response(&report_out(r)));
    }
    let tr = ctx.tr();
    let most = r
        .weeks
        .iter()
        .map(|w| w.yes + w.no)
        .max()
        .unwrap_or(1)
        .max(1);
    let weeks = r
        .weeks
        .iter()
        .rev()
        .take(12)
        .map(|w| {
            let total = w.yes + w.no;
            (
                day(w.week_start),
                w.yes,
                w.no,
                ((total * 100) / most) as u32,
            )
        })
        .collect();
    Ok(render(&ReportPage {
        page: ctx.page("staff-help-report"),
        reason_names: domain::FeedbackReason::ALL
            .iter()
            .map(|x| {
                (
                    x.as_str().to_string(),
                    tr.t(&format!("reason-{}", x.as_str().replace('_', "-"))),
                )
            })
            .collect(),
        weeks,
        r,
    })?
    .into_response())
}
