//! The help center's pages for readers: `/help` (collections and search
//! box), `/help/articles/{slug}` (an article with "Was this information
//! helpful?" and "Still need help?") and `/help/search?q=`.
use crate::help::api::{reader_cookie, search_filters};
use crate::http::ctx::{Ctx, READER_COOKIE, set_cookie};
use crate::http::error::AppResult;
use crate::http::extract::{FormBody, QueryOf};
use crate::http::page::{Page, render};
use crate::http::state::AppState;
use crate::i18n::{Tr, format_time};
use app::help::{ArticleSummary, ArticleView, CollectionView, FeedbackInput, SearchHit, Voter};
use app::model::HelpSection;
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::{Action, Collection, FeedbackReason, Language, Plan};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/help", get(home))
        .route("/help/search", get(search_page))
        .route("/help/articles/{slug}", get(article_page))
        .route("/help/articles/{slug}/feedback", post(feedback))
        .route("/sitemap.xml", get(sitemap))
        .route("/help/images/{id}", get(image))
}

/// An image shown in articles. Its address never changes what it shows,
/// so browsers may keep it.
async fn image(ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let (image, path) = ctx.app().help_image(&id).await?;
    let opened = tokio::fs::File::open(&path).await.map_err(|e| {
        app::Error::internal(anyhow::anyhow!("help image {} unreadable: {e}", image.id))
    })?;
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(opened));
    let mut response = body.into_response();
    let h = response.headers_mut();
    if let Ok(v) = axum::http::HeaderValue::from_str(&image.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(
        header::CONTENT_LENGTH,
        axum::http::HeaderValue::from(image.size.max(0) as u64),
    );
    h.insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(response)
}

/// The public pages for search engines: the front pages and every article
/// a visitor may read (drafts and plan articles are not in it).
async fn sitemap(ctx: Ctx) -> AppResult<Response> {
    let base = ctx.app().config.base_url.trim_end_matches('/').to_string();
    let articles = ctx
        .app()
        .articles(None, &app::help::ArticleFilter::default())
        .await?;
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in ["/", "/status", "/help"] {
        xml.push_str(&format!("  <url><loc>{base}{path}</loc></url>\n"));
    }
    for a in articles {
        // Slugs are [a-z0-9-] only: nothing to escape.
        xml.push_str(&format!(
            "  <url><loc>{base}/help/articles/{}</loc><lastmod>{}</lastmod></url>\n",
            a.slug,
            crate::i18n::rfc3339(a.updated_at)
                .get(..10)
                .unwrap_or_default()
        ));
    }
    xml.push_str("</urlset>\n");
    Ok((
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        xml,
    )
        .into_response())
}

pub fn collection_name(tr: Tr, c: Collection) -> String {
    tr.t(&format!("collection-{}", c.as_str()))
}

pub fn plan_name(tr: Tr, p: Plan) -> String {
    tr.t(&format!("plan-{}", p.as_str()))
}

/// "Only for users of Advanced and Enterprise", as the seed says it.
pub fn plans_note(tr: Tr, plans: &[Plan]) -> String {
    let names: Vec<String> = plans.iter().map(|p| plan_name(tr, *p)).collect();
    let list = match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {} {last}", rest.join(", "), tr.t("and")),
    };
    tr.ta("article-plans-note", &[("plans", &list)])
}

/// What the reader is offered when the help did not help.
pub struct StillNeedHelp {
    pub direct_support: bool,
    pub chat: bool,
}

fn still_need_help(ctx: &Ctx) -> StillNeedHelp {
    StillNeedHelp {
        direct_support: ctx.decide(Action::UseDirectSupport).is_allowed(),
        chat: ctx.decide(Action::UseChat).is_allowed(),
    }
}

pub struct CollectionCard {
    pub key: &'static str,
    pub name: String,
    pub lead: String,
    pub sections: Vec<(String, Vec<ArticleSummary>)>,
    pub count: usize,
}

#[derive(Template)]
#[template(path = "help/home.html")]
struct HomePage {
    page: Page,
    collections: Vec<CollectionCard>,
    help: StillNeedHelp,
}

fn section_title(lang: Language, s: &Option<HelpSection>) -> String {
    match s {
        Some(s) if lang == Language::Sv => s.title_sv.clone(),
        Some(s) => s.title_en.clone(),
        None => String::new(),
    }
}

fn cards(ctx: &Ctx, collections: Vec<CollectionView>) -> Vec<CollectionCard> {
    let tr = ctx.tr();
    collections
        .into_iter()
        .map(|c| {
            let count = c.sections.iter().map(|s| s.articles.len()).sum();
            CollectionCard {
                key: c.collection.as_str(),
                name: collection_name(tr, c.collection),
                lead: tr.t(&format!("collection-{}-lead", c.collection.as_str())),
                sections: c
                    .sections
                    .into_iter()
                    .map(|s| (section_title(ctx.lang, &s.section), s.articles))
                    .collect(),
                count,
            }
        })
        .collect()
}

async fn home(ctx: Ctx) -> AppResult<Response> {
    let collections = ctx.app().help_home(ctx.caller(), ctx.lang).await?;
    Ok(render(&HomePage {
        page: ctx.page("help-title"),
        collections: cards(&ctx, collections),
        help: still_need_help(&ctx),
    })?
    .into_response())
}

#[derive(Deserialize)]
struct SearchForm {
    q: Option<String>,
    lang: Option<String>,
    collection: Option<String>,
}

pub struct ResultRow {
    pub hit: SearchHit,
    pub label: String,
}

#[derive(Template)]
#[template(path = "help/search.html")]
struct SearchPage {
    page: Page,
    q: String,
    lang: String,
    collection: String,
    results: Vec<ResultRow>,
    count: i64,
    error: Option<String>,
    help: StillNeedHelp,
    collections: Vec<(&'static str, String)>,
}

async fn search_page(ctx: Ctx, QueryOf(f): QueryOf<SearchForm>) -> AppResult<Response> {
    let tr = ctx.tr();
    let q = f.q.unwrap_or_default();
    let lang = f.lang.unwrap_or_default();
    let collection = f.collection.unwrap_or_default();
    let mut error = None;
    let mut results = Vec::new();
    match search_filters(Some(&lang), Some(&collection)) {
        Ok((l, c)) => match ctx.app().search_help(ctx.caller(), &q, l, c, 30).await {
            Ok(hits) => {
                results = hits
                    .into_iter()
                    .map(|hit| ResultRow {
                        label: match (hit.kind, hit.collection) {
                            ("incident", _) => tr.t("search-kind-incident"),
                            ("thread", _) => tr.t("search-kind-thread"),
                            (_, Some(c)) => collection_name(tr, c),
                            _ => String::new(),
                        },
                        hit,
                    })
                    .collect()
            }
            Err(e @ app::Error::Invalid(_)) => error = Some(e.message(ctx.lang)),
            Err(e) => return Err(e.into()),
        },
        Err(e) => error = Some(e.0.message(ctx.lang)),
    }
    let mut page = ctx.page("help-search-title");
    if !q.trim().is_empty() {
        page.title = format!("{} · {}", q.trim(), page.title);
    }
    Ok(render(&SearchPage {
        page,
        q,
        lang,
        collection,
        count: results.len() as i64,
        results,
        error,
        help: still_need_help(&ctx),
        collections: Collection::ALL
            .iter()
            .map(|c| (c.as_str(), collection_name(tr, *c)))
            .collect(),
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "help/article.html")]
struct ArticlePage {
    page: Page,
    a: ArticleView,
    collection_name: String,
    section_name: String,
    plans_note: Option<String>,
    updated: String,
    /// (link text, slug, language code)
    translation: Option<(String, String, &'static str)>,
    voted: Option<bool>,
    thanks: Option<String>,
    offer: bool,
    help: StillNeedHelp,
    reasons: Vec<(&'static str, String)>,
    /// Long articles ask about a section too.
    sections: Vec<(String, String)>,
    is_staff: bool,
    /// "Ask a question" with the article named and linked.
    offer_href: String,
    script: &'static str,
}

#[derive(Deserialize)]
struct ArticleQuery {
    voted: Option<String>,
}

async fn article_page(
    ctx: Ctx,
    Path(slug): Path<String>,
    QueryOf(q): QueryOf<ArticleQuery>,
) -> AppResult<Response> {
    let tr = ctx.tr();
    let a = ctx.app().article(ctx.caller(), &slug).await?;
    let (cookie, _) = reader_cookie(&ctx.headers);
    let voter = match ctx.caller() {
        Some(c) => Voter::User(c),
        None => Voter::Anonymous {
            cookie: &cookie,
            client: &ctx.client,
        },
    };
    let voted = ctx.app().my_article_vote(voter, &a.article).await?;
    let offer = q.voted.as_deref() == Some("no") && still_need_help(&ctx).direct_support;
    let thanks = q.voted.as_deref().and_then(|v| match v {
        "yes" => Some(tr.t("feedback-thanks-yes")),
        "no" => Some(tr.t("feedback-thanks-no")),
        _ => None,
    });
    let mut page = ctx.page("help-title");
    page.title = a.title.clone();
    let lang_name = |l: Language| tr.t(&format!("read-in-{}", l.as_str()));
    let h2: Vec<(String, String)> = a
        .headings
        .iter()
        .filter(|h| h.level == 2)
        .map(|h| (h.anchor.clone(), h.text.clone()))
        .collect();
    Ok(render(&ArticlePage {
        collection_name: collection_name(tr, a.collection),
        section_name: section_title(ctx.lang, &a.section),
        // In the article's language, like the article.
        plans_note: (!a.plans.is_empty()).then(|| plans_note(Tr(a.lang), &a.plans)),
        updated: format_time(
            a.article.published_at.unwrap_or(a.article.updated_at),
            ctx.lang,
        ),
        translation: a
            .translation
            .as_ref()
            .map(|(l, slug)| (lang_name(*l), slug.clone(), l.as_str())),
        voted,
        thanks,
        offer,
        help: still_need_help(&ctx),
        reasons: FeedbackReason::ALL
            .iter()
            .map(|r| {
                (
                    r.as_str(),
                    tr.t(&format!("reason-{}", r.as_str().replace('_', "-"))),
                )
            })
            .collect(),
        sections: if h2.len() >= 3 { h2 } else { Vec::new() },
        is_staff: ctx.caller().is_some_and(|c| c.is_staff()),
        offer_href: offer_href(&ctx, &a),
        script: crate::http::assets::help_js_path(),
        a,
        page,
    })?
    .into_response())
}

/// The support request an unhappy admin is offered: the article's title as
/// the subject, a link to it in the description.
fn offer_href(ctx: &Ctx, a: &ArticleView) -> String {
    let body = format!(
        "{} {}/help/articles/{}\n\n",
        ctx.tr().t("feedback-request-body"),
        ctx.app().config.base_url,
        a.article.slug
    );
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("subject", &a.title)
        .append_pair("body", &body)
        .finish();
    format!("/support/new?{query}")
}

#[derive(Deserialize)]
struct FeedbackForm {
    #[serde(default)]
    csrf: String,
    helpful: String,
    reason: Option<String>,
    comment: Option<String>,
    section: Option<String>,
}

/// A vote from the article page: a form post (mail scanners follow links,
/// they do not submit forms), then back to the article.
async fn feedback(
    ctx: Ctx,
    Path(slug): Path<String>,
    FormBody(f): FormBody<FeedbackForm>,
) -> AppResult<Response> {
    ctx.check_csrf(&f.csrf)?;
    let helpful = match f.helpful.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(app::Error::invalid("helpful", "not_one_of").into()),
    };
    let (cookie, fresh) = reader_cookie(&ctx.headers);
    let voter = match ctx.caller() {
        Some(c) => Voter::User(c),
        None => Voter::Anonymous {
            cookie: &cookie,
            client: &ctx.client,
        },
    };
    let input = FeedbackInput {
        helpful,
        reason: f.reason,
        comment: f.comment,
        section: f.section,
    };
    ctx.app().article_feedback(voter, &slug, input).await?;
    let to = format!(
        "/help/articles/{slug}?voted={}#feedback",
        if helpful { "yes" } else { "no" }
    );
    let mut response = Redirect::to(&to).into_response();
    if fresh && ctx.caller().is_none() {
        response.headers_mut().insert(
            header::SET_COOKIE,
            set_cookie(&ctx.state, READER_COOKIE, &cookie, 2 * 365 * 24 * 3600),
        );
    }
    Ok(response)
}
