//! `/api/v1/articles`, `/api/v1/search` and `/api/v1/help/…`: the help
//! center for programs. Reads are public (a bearer token or this site's
//! session shows more: drafts to staff, plan articles to their plans).
use crate::http::csv::csv_field;
use crate::http::ctx::{ApiCaller, ClientAddr, READER_COOKIE, Reader, cookie, set_cookie};
use crate::http::error::{AppResult, ErrorBody};
use crate::http::extract::{JsonBody, QueryOf};
use crate::http::state::AppState;
use crate::i18n::rfc3339;
use app::help::{
    ArticleFilter, ArticleInput, ArticleSummary, ArticleView, FeedbackInput, FeedbackReport,
    SearchHit, Voter,
};
use app::model::Article;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::{Collection, Language};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct ArticleOut {
    pub slug: String,
    pub title: String,
    /// `help`, `resources` or `developers`.
    pub collection: String,
    /// `sv` or `en`.
    pub lang: String,
    /// The section's slug, if in one.
    pub section: Option<String>,
    /// The plans it applies to; empty for every plan.
    pub plans: Vec<String>,
    pub published: bool,
    pub updated_at: String,
    pub excerpt: String,
    pub url: String,
}

impl From<ArticleSummary> for ArticleOut {
    fn from(a: ArticleSummary) -> Self {
        Self {
            url: format!("/help/articles/{}", a.slug),
            slug: a.slug,
            title: a.title,
            collection: a.collection.as_str().into(),
            lang: a.lang.as_str().into(),
            section: a.section,
            plans: a.plans.iter().map(|p| p.as_str().to_string()).collect(),
            published: a.published,
            updated_at: rfc3339(a.updated_at),
            excerpt: a.excerpt,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ArticleList {
    pub articles: Vec<ArticleOut>,
}

#[derive(Serialize, ToSchema)]
pub struct Translation {
    pub lang: String,
    pub slug: String,
}

#[derive(Serialize, ToSchema)]
pub struct SectionHeading {
    /// The heading's anchor: the `section` of a vote on it.
    pub anchor: String,
    pub title: String,
    pub level: u8,
}

#[derive(Serialize, ToSchema)]
pub struct ArticleDetail {
    pub slug: String,
    pub title: String,
    pub collection: String,
    pub lang: String,
    pub section: Option<String>,
    pub plans: Vec<String>,
    /// Whether readers on other plans may read it too.
    pub others_may_read: bool,
    pub published: bool,
    /// The latest revision's number (send it back as `revision` to save
    /// without overwriting someone else's change).
    pub revision: i64,
    pub published_revision: Option<i64>,
    /// Markdown, as written.
    pub body: String,
    /// The same, rendered and sanitised.
    pub html: String,
    pub headings: Vec<SectionHeading>,
    pub translation: Option<Translation>,
    pub updated_at: String,
}

fn detail(v: ArticleView) -> ArticleDetail {
    ArticleDetail {
        slug: v.article.slug.clone(),
        title: v.title,
        collection: v.collection.as_str().into(),
        lang: v.lang.as_str().into(),
        section: v.section.map(|s| s.slug),
        plans: v.plans.iter().map(|p| p.as_str().to_string()).collect(),
        others_may_read: v.article.others_may_read != 0,
        published: v.article.is_published(),
        revision: v.article.revision,
        published_revision: v.article.published_revision,
        body: v.body,
        html: v.html,
        headings: v
            .headings
            .into_iter()
            .map(|h| SectionHeading {
                anchor: h.anchor,
                title: h.text,
                level: h.level,
            })
            .collect(),
        translation: v.translation.map(|(l, slug)| Translation {
            lang: l.as_str().into(),
            slug,
        }),
        updated_at: rfc3339(v.article.published_at.unwrap_or(v.article.updated_at)),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct ArticleQuery {
    /// Search words: the list comes in search order.
    pub q: Option<String>,
    /// `help`, `resources` or `developers`.
    pub collection: Option<String>,
    /// `sv` or `en`.
    pub lang: Option<String>,
    /// A section's slug.
    pub section: Option<String>,
}

/// The articles the caller may read (drafts only for staff).
#[utoipa::path(get, path = "/api/v1/articles", tag = "help",
    params(ArticleQuery),
    responses((status = 200, body = ArticleList), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    reader: Reader,
    QueryOf(q): QueryOf<ArticleQuery>,
) -> AppResult<Json<ArticleList>> {
    let articles = state
        .app
        .articles(
            reader.caller(),
            &ArticleFilter {
                q: q.q,
                collection: q.collection,
                lang: q.lang,
                section: q.section,
            },
        )
        .await?;
    Ok(Json(ArticleList {
        articles: articles.into_iter().map(Into::into).collect(),
    }))
}

/// One article; a draft or an article for other plans is a 404.
#[utoipa::path(get, path = "/api/v1/articles/{slug}", tag = "help",
    params(("slug" = String, Path, description = "Article slug")),
    responses((status = 200, body = ArticleDetail), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    reader: Reader,
    Path(slug): Path<String>,
) -> AppResult<Json<ArticleDetail>> {
    Ok(Json(detail(
        state.app.article(reader.caller(), &slug).await?,
    )))
}

#[derive(Deserialize, ToSchema)]
pub struct NewArticle {
    pub title: String,
    /// Markdown.
    pub body: String,
    /// `help`, `resources` or `developers`.
    pub collection: String,
    /// `sv` or `en`.
    pub lang: String,
    /// Made from the title when left out.
    pub slug: Option<String>,
    /// A section's slug.
    pub section: Option<String>,
    /// Plans it applies to (`core`, `advanced`, `enterprise`); empty or
    /// left out for every plan.
    pub plans: Option<Vec<String>>,
    /// Whether readers on other plans may read it too (it then says whom
    /// it is for at the top).
    pub others_may_read: Option<bool>,
    pub published: bool,
    /// Position within its section (lower first).
    pub position: Option<i64>,
    /// The slug of the article in the other language this one translates.
    pub translation_of: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Written {
    pub slug: String,
    pub revision: i64,
    pub published: bool,
    pub url: String,
}

fn written(a: Article) -> Written {
    Written {
        url: format!("/help/articles/{}", a.slug),
        published: a.is_published(),
        revision: a.revision,
        slug: a.slug,
    }
}

/// Write an article (support admins).
#[utoipa::path(post, path = "/api/v1/articles", tag = "help",
    security(("bearer" = [])), request_body = NewArticle,
    responses((status = 201, body = Written), (status = 403, body = ErrorBody), (status = 409, description = "The slug is taken", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(n): JsonBody<NewArticle>,
) -> AppResult<(StatusCode, Json<Written>)> {
    let a = state
        .app
        .create_article(
            &caller,
            ArticleInput {
                title: Some(n.title),
                body: Some(n.body),
                collection: Some(n.collection),
                lang: Some(n.lang),
                slug: n.slug,
                section: n.section,
                plans: n.plans,
                others_may_read: n.others_may_read,
                published: Some(n.published),
                unpublish: false,
                position: n.position,
                translation_of: n.translation_of,
                revision: None,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(written(a))))
}

#[derive(Deserialize, ToSchema)]
pub struct ArticlePatch {
    pub title: Option<String>,
    pub body: Option<String>,
    pub collection: Option<String>,
    pub slug: Option<String>,
    /// A section's slug; `""` takes it out of its section.
    pub section: Option<String>,
    pub plans: Option<Vec<String>>,
    pub others_may_read: Option<bool>,
    /// `true` publishes this revision; `false` takes the article off the
    /// help center (a draft again); left out, it stays as it is: a
    /// published article's change is published.
    pub published: Option<bool>,
    pub position: Option<i64>,
    /// The revision this change was made from: if someone saved a newer
    /// one meanwhile, the answer is a 409 and nothing is overwritten.
    pub revision: Option<i64>,
}

/// Change an article: a new revision (support admins).
#[utoipa::path(patch, path = "/api/v1/articles/{slug}", tag = "help",
    security(("bearer" = [])), params(("slug" = String, Path, description = "Article slug")),
    request_body = ArticlePatch,
    responses((status = 200, body = Written), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(slug): Path<String>,
    JsonBody(p): JsonBody<ArticlePatch>,
) -> AppResult<Json<Written>> {
    let a = state
        .app
        .update_article(
            &caller,
            &slug,
            ArticleInput {
                title: p.title,
                body: p.body,
                collection: p.collection,
                lang: None,
                slug: p.slug,
                section: p.section,
                plans: p.plans,
                others_may_read: p.others_may_read,
                published: p.published,
                unpublish: p.published == Some(false),
                position: p.position,
                translation_of: None,
                revision: p.revision,
            },
        )
        .await?;
    Ok(Json(written(a)))
}

#[derive(Deserialize, ToSchema)]
pub struct Feedback {
    pub helpful: bool,
    /// When not helpful: `unclear`, `incorrect`, `incomplete`,
    /// `not_relevant` or `other`.
    pub reason: Option<String>,
    pub comment: Option<String>,
    /// A heading's anchor, for a vote on one section.
    pub section: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct FeedbackOut {
    /// Whether it replaced this reader's earlier vote.
    pub changed: bool,
    /// The reader may turn it into a support request (an admin with
    /// direct support who said no).
    pub offer_request: bool,
    pub offer_chat: bool,
}

/// "Was this information helpful?": one vote per reader and article
/// (changeable). Without a token the reader is the `sd_reader` cookie
/// (set on the first vote); anonymous votes are rate-limited.
#[utoipa::path(post, path = "/api/v1/articles/{slug}/feedback", tag = "help",
    params(("slug" = String, Path, description = "Article slug")),
    request_body = Feedback,
    responses((status = 200, body = FeedbackOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn feedback(
    State(state): State<AppState>,
    reader: Reader,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Path(slug): Path<String>,
    JsonBody(f): JsonBody<Feedback>,
) -> AppResult<Response> {
    let input = FeedbackInput {
        helpful: f.helpful,
        reason: f.reason,
        comment: f.comment,
        section: f.section,
    };
    let (voter_cookie, fresh) = reader_cookie(&headers);
    let voter = match reader.caller() {
        Some(c) => Voter::User(c),
        None => Voter::Anonymous {
            cookie: &voter_cookie,
            client: &client,
        },
    };
    let out = state.app.article_feedback(voter, &slug, input).await?;
    let mut response = Json(FeedbackOut {
        changed: out.changed,
        offer_request: out.offer_request,
        offer_chat: out.offer_chat,
    })
    .into_response();
    if fresh && reader.caller().is_none() {
        response.headers_mut().insert(
            header::SET_COOKIE,
            set_cookie(&state, READER_COOKIE, &voter_cookie, 2 * 365 * 24 * 3600),
        );
    }
    Ok(response)
}

/// The anonymous reader's cookie, or a new one (and whether it is new).
pub fn reader_cookie(headers: &HeaderMap) -> (String, bool) {
    match cookie(headers, READER_COOKIE).filter(|c| c.len() >= 16 && c.len() <= 128) {
        Some(c) => (c, false),
        None => (app::help::new_reader_cookie(), true),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    pub q: Option<String>,
    /// `sv` or `en`; both when left out.
    pub lang: Option<String>,
    /// Only articles of this collection (`help`, `resources`, `developers`).
    pub collection: Option<String>,
    /// At most this many results (1–50, default 10).
    pub limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResultOut {
    /// `article` or `incident`.
    pub kind: String,
    pub title: String,
    /// The title, HTML-escaped, the matched words in `<mark>`.
    pub title_html: String,
    pub url: String,
    /// Some of the text around the matches, HTML-escaped, matches in `<mark>`.
    pub snippet: String,
    pub lang: Option<String>,
    pub collection: Option<String>,
    pub score: f32,
}

impl From<SearchHit> for SearchResultOut {
    fn from(h: SearchHit) -> Self {
        Self {
            kind: h.kind.into(),
            title: h.title,
            title_html: h.title_html,
            url: h.url,
            snippet: h.snippet_html,
            lang: h.lang.map(|l| l.as_str().into()),
            collection: h.collection.map(|c| c.as_str().into()),
            score: h.score,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SearchResults {
    pub results: Vec<SearchResultOut>,
}

/// Parses the `lang` and `collection` filters of a search.
pub fn search_filters(
    lang: Option<&str>,
    collection: Option<&str>,
) -> AppResult<(Option<Language>, Option<Collection>)> {
    let lang = lang
        .filter(|l| !l.is_empty())
        .map(Language::parse)
        .transpose()
        .map_err(app::Error::from)?;
    let collection = collection
        .filter(|c| !c.is_empty())
        .map(Collection::parse)
        .transpose()
        .map_err(app::Error::from)?;
    Ok((lang, collection))
}

/// One ranked list across the articles the caller may read and the active
/// incidents, best first.
#[utoipa::path(get, path = "/api/v1/search", tag = "help",
    params(SearchQuery),
    responses((status = 200, body = SearchResults), (status = 422, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    reader: Reader,
    QueryOf(q): QueryOf<SearchQuery>,
) -> AppResult<Json<SearchResults>> {
    let (lang, collection) = search_filters(q.lang.as_deref(), q.collection.as_deref())?;
    let hits = state
        .app
        .search_help(
            reader.caller(),
            q.q.as_deref().unwrap_or(""),
            lang,
            collection,
            q.limit.unwrap_or(10),
        )
        .await?;
    Ok(Json(SearchResults {
        results: hits.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct CommentOut {
    pub helpful: bool,
    pub reason: Option<String>,
    pub comment: String,
    /// The section voted on, or `""` for the whole article.
    pub section: String,
    pub at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ArticleFeedbackOut {
    pub slug: String,
    pub title: String,
    pub lang: String,
    pub yes: i64,
    pub no: i64,
    /// `(yes + 2) / (yes + no + 4)`: the list is ordered by it, lowest first.
    pub score: f64,
    /// Why it did not help: reason and count, most frequent first.
    pub reasons: Vec<(String, i64)>,
    /// Newest first.
    pub comments: Vec<CommentOut>,
}

#[derive(Serialize, ToSchema)]
pub struct WeekOut {
    /// The Monday the week starts on (UTC), `YYYY-MM-DD`.
    pub week: String,
    pub yes: i64,
    pub no: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MissedOut {
    pub query: String,
    pub lang: Option<String>,
    pub times: i64,
    pub last_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct OpenedOut {
    pub url: String,
    pub times: i64,
    pub last_query: String,
}

#[derive(Serialize, ToSchema)]
pub struct FeedbackReportOut {
    pub articles: Vec<ArticleFeedbackOut>,
    pub weeks: Vec<WeekOut>,
    pub searches_without_results: Vec<MissedOut>,
    pub suggestions_opened: Vec<OpenedOut>,
}

pub fn day(ms: i64) -> String {
    rfc3339(ms).get(..10).unwrap_or_default().to_string()
}

pub fn report_out(r: FeedbackReport) -> FeedbackReportOut {
    FeedbackReportOut {
        articles: r
            .articles
            .into_iter()
            .map(|a| ArticleFeedbackOut {
                slug: a.slug,
                title: a.title,
                lang: a.lang.as_str().into(),
                yes: a.yes,
                no: a.no,
                score: (a.score * 1000.0).round() / 1000.0,
                reasons: a.reasons,
                comments: a
                    .comments
                    .into_iter()
                    .map(|c| CommentOut {
                        helpful: c.helpful,
                        reason: c.reason,
                        comment: c.comment,
                        section: c.section,
                        at: rfc3339(c.at),
                    })
                    .collect(),
            })
            .collect(),
        weeks: r
            .weeks
            .into_iter()
            .map(|w| WeekOut {
                week: day(w.week_start),
                yes: w.yes,
                no: w.no,
            })
            .collect(),
        searches_without_results: r
            .missed
            .into_iter()
            .map(|m| MissedOut {
                query: m.query,
                lang: m.lang,
                times: m.times,
                last_at: rfc3339(m.last_at),
            })
            .collect(),
        suggestions_opened: r
            .opened
            .into_iter()
            .map(|o| OpenedOut {
                url: o.url,
                times: o.times,
                last_query: o.last_query,
            })
            .collect(),
    }
}

/// The report as CSV: one row per article, then one per comment.
pub fn report_csv(r: &FeedbackReportOut) -> String {
    let mut out =
        String::from("slug,title,lang,yes,no,score,kind,helpful,reason,section,comment,at\r\n");
    for a in &r.articles {
        out.push_str(&format!(
            "{},{},{},{},{},{:.3},article,,,,,\r\n",
            csv_field(&a.slug),
            csv_field(&a.title),
            a.lang,
            a.yes,
            a.no,
            a.score
        ));
        for c in &a.comments {
            out.push_str(&format!(
                "{},{},{},,,,comment,{},{},{},{},{}\r\n",
                csv_field(&a.slug),
                csv_field(&a.title),
                a.lang,
                if c.helpful { "yes" } else { "no" },
                csv_field(c.reason.as_deref().unwrap_or("")),
                csv_field(&c.section),
                csv_field(&c.comment),
                c.at
            ));
        }
    }
    out
}

#[derive(Deserialize, IntoParams)]
pub struct ReportQuery {
    /// `csv` for a spreadsheet; JSON otherwise.
    pub format: Option<String>,
}

/// Helpfulness per article (lowest first), comments, the weekly trend,
/// searches without results and opened suggestions (staff). Also as CSV
/// (`?format=csv` or `Accept: text/csv`).
#[utoipa::path(get, path = "/api/v1/help/feedback-report", tag = "help",
    security(("bearer" = [])), params(ReportQuery),
    responses((status = 200, body = FeedbackReportOut), (status = 403, body = ErrorBody)))]
pub async fn feedback_report(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    QueryOf(q): QueryOf<ReportQuery>,
) -> AppResult<Response> {
    let report = report_out(state.app.feedback_report(&caller).await?);
    let wants_csv = q.format.as_deref() == Some("csv")
        || headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/csv"));
    if wants_csv {
        return Ok(csv_response(&report));
    }
    Ok(Json(report).into_response())
}

pub fn csv_response(report: &FeedbackReportOut) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"help-feedback.csv\"",
            ),
        ],
        report_csv(report),
    )
        .into_response()
}

#[derive(Deserialize, ToSchema)]
pub struct SuggestionOpened {
    /// What the reader had typed when the suggestion was shown.
    pub query: String,
    /// The suggestion's URL on this site.
    pub url: String,
}

/// Records that a suggestion shown while writing a support request was
/// opened (for the report). Signed-in readers only.
#[utoipa::path(post, path = "/api/v1/help/suggestions/opened", tag = "help",
    request_body = SuggestionOpened,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn suggestion_opened(
    State(state): State<AppState>,
    reader: Reader,
    JsonBody(s): JsonBody<SuggestionOpened>,
) -> AppResult<StatusCode> {
    let caller = reader.caller().ok_or(app::Error::Unauthorized)?;
    state
        .app
        .suggestion_opened(caller, &s.query, &s.url)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use crate::http::csv::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
    }
}
