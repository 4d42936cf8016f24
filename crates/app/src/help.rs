//! The help center: articles in three collections, search across what the
//! reader may see, and "Was this information helpful?" with its report.
//!
//! Who may read an article is the policy's (`Action::ReadArticle`, from the
//! article's plans and state); every read here asks it, the search filter
//! included, so a draft or a restricted article is a 404 in pages, API and
//! search alike. The search index is in memory (`statusdesk-search`): built
//! from the database at start-up, kept current by the use cases that
//! write, and on PostgreSQL by the other instances' change notices (each
//! instance keeps its own; see `docs/architecture.md`).
use crate::changes::Topic;
use crate::markdown::{self, Heading};
use crate::{App, Caller, Error, Result};
use domain::text::{self, limits};
use domain::{Action, Collection, FeedbackReason, Language, Plan};
use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};
use store::{Article, ArticleDraft, ArticleRevision, HelpSection, Vote};

pub use store::{MissedSearch, OpenedSuggestion};

/// The in-memory search index of this instance.
#[derive(Default)]
pub struct HelpIndex {
    index: RwLock<search::Index>,
    built: AtomicBool,
    building: tokio::sync::Mutex<()>,
    /// While a build reads the database: the documents written meanwhile,
    /// read again once the new index is in place (else a write that
    /// happened after the build read its row would be lost with the old
    /// index).
    pending: std::sync::Mutex<Option<Vec<String>>>,
}

const ARTICLE_DOC: &str = "a:";

/// Visibility bits of an indexed article, handed back to the search filter.
fn tag_of(a: &Article) -> u64 {
    let mut tag = 0u64;
    if a.is_published() {
        tag |= 1;
    }
    if a.others_may_read != 0 {
        tag |= 2;
    }
    for p in a.plan_names() {
        tag |= match p {
            "core" => 4,
            "advanced" => 8,
            "enterprise" => 16,
            _ => 0,
        };
    }
    tag |= match a.collection.as_str() {
        "resources" => 1 << 8,
        "developers" => 2 << 8,
        _ => 0,
    };
    tag
}

/// The plans in a tag, without allocating (the search filter calls this
/// for every candidate document): the array and how many of it count.
fn tag_plans(tag: u64) -> ([Plan; 3], usize) {
    let mut plans = [Plan::Core; 3];
    let mut n = 0;
    for (bit, p) in [(4, Plan::Core), (8, Plan::Advanced), (16, Plan::Enterprise)] {
        if tag & bit != 0 {
            plans[n] = p;
            n += 1;
        }
    }
    (plans, n)
}

fn tag_collection(tag: u64) -> Collection {
    match (tag >> 8) & 3 {
        1 => Collection::Resources,
        2 => Collection::Developers,
        _ => Collection::Help,
    }
}

fn search_lang(l: Language) -> search::Lang {
    match l {
        Language::Sv => search::Lang::Sv,
        Language::En => search::Lang::En,
    }
}

/// What readers see of an article, as the search index holds it.
fn article_doc(a: &Article) -> search::Doc {
    let (title, body) = match (&a.published_title, &a.published_body) {
        (Some(t), Some(b)) => (t.clone(), b.clone()),
        _ => (a.title.clone(), a.body.clone()),
    };
    search::Doc {
        id: format!("{ARTICLE_DOC}{}", a.id),
        lang: if a.lang == "sv" {
            search::Lang::Sv
        } else {
            search::Lang::En
        },
        title,
        body: markdown::plain(&body),
        tag: tag_of(a),
    }
}

fn plans_of(a: &Article) -> Vec<Plan> {
    a.plan_names()
        .into_iter()
        .filter_map(|p| Plan::parse(p).ok())
        .collect()
}

/// One article as a reader sees it.
#[derive(Debug, Clone)]
pub struct ArticleView {
    pub article: Article,
    pub collection: Collection,
    pub lang: Language,
    pub section: Option<HelpSection>,
    /// The published title and body, or for staff reading a draft the draft.
    pub title: String,
    pub body: String,
    pub html: String,
    pub headings: Vec<Heading>,
    /// The plans it is restricted to (shown at the top); empty for all.
    pub plans: Vec<Plan>,
    /// Whether readers see something other than the latest revision
    /// (staff reading a draft, or a published article with a newer draft).
    pub is_draft: bool,
    /// The same article in the other language, when the reader may read it.
    pub translation: Option<(Language, String)>,
    /// Other readable articles of the same section.
    pub related: Vec<ArticleSummary>,
}

#[derive(Debug, Clone)]
pub struct ArticleSummary {
    pub slug: String,
    pub title: String,
    pub lang: Language,
    pub collection: Collection,
    pub section: Option<String>,
    pub plans: Vec<Plan>,
    pub published: bool,
    pub updated_at: i64,
    /// A line of the body, for lists.
    pub excerpt: String,
}

#[derive(Debug, Clone)]
pub struct SectionView {
    pub section: Option<HelpSection>,
    pub articles: Vec<ArticleSummary>,
}

#[derive(Debug, Clone)]
pub struct CollectionView {
    pub collection: Collection,
    pub sections: Vec<SectionView>,
}

/// Which articles a list wants.
#[derive(Debug, Clone, Default)]
pub struct ArticleFilter {
    pub q: Option<String>,
    pub collection: Option<String>,
    pub lang: Option<String>,
    pub section: Option<String>,
}

/// One search result.
#[derive(Debug, Clone)]
pub struct SearchHit {
    /// `article`, `thread` (the community) or `incident`.
    pub kind: &'static str,
    pub title_html: String,
    pub title: String,
    pub url: String,
    pub snippet_html: String,
    pub lang: Option<Language>,
    pub collection: Option<Collection>,
    pub score: f32,
}

/// What a staff member writes.
#[derive(Debug, Clone, Default)]
pub struct ArticleInput {
    pub title: Option<String>,
    pub body: Option<String>,
    pub collection: Option<String>,
    pub lang: Option<String>,
    pub slug: Option<String>,
    /// A section slug; `Some("")` clears it.
    pub section: Option<String>,
    pub plans: Option<Vec<String>>,
    pub others_may_read: Option<bool>,
    /// Whether this revision is published; left out, as the article is.
    /// `Some(false)` on a published article saves a draft over it that
    /// readers do not see yet.
    pub published: Option<bool>,
    /// Take a published article off the help center.
    pub unpublish: bool,
    pub position: Option<i64>,
    /// The slug of the article this one translates.
    pub translation_of: Option<String>,
    /// The revision the writer started from; a newer one is a conflict.
    pub revision: Option<i64>,
}

/// A vote on "Was this information helpful?".
#[derive(Debug, Clone, Default)]
pub struct FeedbackInput {
    pub helpful: bool,
    pub reason: Option<String>,
    pub comment: Option<String>,
    /// A heading anchor of the article, for a vote on one section.
    pub section: Option<String>,
}

/// A new value for an anonymous reader's cookie (random, long enough to
/// be their own).
pub fn new_reader_cookie() -> String {
    store::new_secret("rd_").0
}

/// Who is voting: a signed-in user, or an anonymous reader's cookie.
pub enum Voter<'a> {
    User(&'a Caller),
    Anonymous { cookie: &'a str, client: &'a str },
}

#[derive(Debug, Clone)]
pub struct FeedbackOutcome {
    /// Whether it replaced the reader's earlier vote.
    pub changed: bool,
    /// An unhappy admin with direct support is offered a request (and chat).
    pub offer_request: bool,
    pub offer_chat: bool,
}

#[derive(Debug, Clone)]
pub struct FeedbackComment {
    pub helpful: bool,
    pub reason: Option<String>,
    pub comment: String,
    pub section: String,
    pub at: i64,
}

#[derive(Debug, Clone)]
pub struct ArticleStats {
    pub slug: String,
    pub title: String,
    pub lang: Language,
    pub yes: i64,
    pub no: i64,
    /// `(yes + 2) / (yes + no + 4)`: the share of "yes" pulled towards one
    /// half by two imaginary votes each way, so one vote neither tops nor
    /// bottoms the list. The report lists the lowest first.
    pub score: f64,
    pub reasons: Vec<(String, i64)>,
    pub comments: Vec<FeedbackComment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekTrend {
    /// Monday 00:00 UTC of the week, in milliseconds.
    pub week_start: i64,
    pub yes: i64,
    pub no: i64,
}

#[derive(Debug, Clone)]
pub struct FeedbackReport {
    pub articles: Vec<ArticleStats>,
    pub weeks: Vec<WeekTrend>,
    pub missed: Vec<MissedSearch>,
    pub opened: Vec<OpenedSuggestion>,
}

/// The smoothed helpfulness the report orders by.
pub fn helpfulness(yes: i64, no: i64) -> f64 {
    (yes as f64 + 2.0) / ((yes + no) as f64 + 4.0)
}

const WEEK_MS: i64 = 7 * 24 * 3600 * 1000;
/// 1970-01-01 was a Thursday; weeks start on Mondays (ISO 8601).
const MONDAY_OFFSET_MS: i64 = 4 * 24 * 3600 * 1000;

pub fn week_start(ms: i64) -> i64 {
    (ms - MONDAY_OFFSET_MS).div_euclid(WEEK_MS) * WEEK_MS + MONDAY_OFFSET_MS
}

fn excerpt(body: &str) -> String {
    let plain = markdown::plain(body);
    let mut out: String = plain.chars().take(160).collect();
    if plain.chars().count() > 160 {
        if let Some(cut) = out.rfind(' ') {
            out.truncate(cut);
        }
        out.push('…');
    }
    out
}

impl App {
    /// Builds this instance's search index from the database; returns how
    /// many articles it holds. Started in the background at start-up (a
    /// search before it is done waits for it) and again when another
    /// instance's notices may have been missed. Writes meanwhile are kept
    /// and applied after.
    pub async fn build_help_index(&self) -> Result<usize> {
        let _one = self.help.building.lock().await;
        self.build_locked().await
    }

    async fn build_locked(&self) -> Result<usize> {
        if let Ok(mut p) = self.help.pending.lock() {
            *p = Some(Vec::new());
        }
        let built = self.read_index().await;
        // Under the index's lock, which every write to it holds while it
        // notes itself: a write is either noted here or lands in the new
        // index.
        let (written, built) = match self.help.index.write() {
            Ok(mut slot) => {
                let written = self
                    .help
                    .pending
                    .lock()
                    .ok()
                    .and_then(|mut p| p.take())
                    .unwrap_or_default();
                (
                    written,
                    built.map(|(index, articles)| {
                        *slot = index;
                        articles
                    }),
                )
            }
            Err(_) => (Vec::new(), built.map(|(_, articles)| articles)),
        };
        let articles = built?;
        for doc in written {
            match doc.strip_prefix(crate::community::THREAD_DOC) {
                Some(thread) => self.reindex_thread(thread).await?,
                None => {
                    self.reindex_article(doc.trim_start_matches(ARTICLE_DOC))
                        .await?
                }
            }
        }
        self.help.built.store(true, Ordering::Release);
        Ok(articles)
    }

    async fn read_index(&self) -> Result<(search::Index, usize)> {
        let articles = self.store().all_articles().await?;
        let mut index = search::Index::new();
        for a in &articles {
            index.upsert(article_doc(a));
        }
        for (t, text) in self.store().threads_for_index().await? {
            index.upsert(crate::community::thread_doc(&t, text));
        }
        Ok((index, articles.len()))
    }

    /// Waits for the first build (or makes it, when nothing has started
    /// it). Returns whether this call built it.
    pub async fn ensure_help_index(&self) -> Result<bool> {
        if !self.help.built.load(Ordering::Acquire) {
            let _one = self.help.building.lock().await;
            if !self.help.built.load(Ordering::Acquire) {
                self.build_locked().await?;
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Notes a document written while a build is reading the database.
    fn written_during_build(&self, id: &str) {
        if let Ok(mut p) = self.help.pending.lock()
            && let Some(list) = p.as_mut()
        {
            list.push(id.to_string());
        }
    }

    /// Re-reads one article into the index (after a write here or a
    /// notice from another instance).
    pub async fn reindex_article(&self, id: &str) -> Result<()> {
        let article = self.store().article_by_id(id).await?;
        if let Ok(mut index) = self.help.index.write() {
            self.written_during_build(&format!("{ARTICLE_DOC}{id}"));
            match article {
                Some(a) => index.upsert(article_doc(&a)),
                None => {
                    index.remove(&format!("{ARTICLE_DOC}{id}"));
                }
            }
        }
        Ok(())
    }

    /// Puts one document in this instance's index, replacing its old text.
    pub(crate) fn index_doc(&self, doc: search::Doc) {
        if let Ok(mut index) = self.help.index.write() {
            self.written_during_build(&doc.id);
            index.upsert(doc);
        }
    }

    pub(crate) fn unindex_doc(&self, id: &str) {
        if let Ok(mut index) = self.help.index.write() {
            self.written_during_build(id);
            index.remove(id);
        }
    }

    /// A notice from another instance: an article id, or `t:` and a
    /// community thread's id.
    pub async fn reindex_from_elsewhere(&self, body: &str) -> Result<()> {
        match body.strip_prefix(crate::community::THREAD_DOC) {
            Some(thread) => self.reindex_thread(thread).await,
            None => self.reindex_article(body).await,
        }
    }

    /// Reindexes an article written here and tells the other instances.
    async fn article_written(&self, id: &str) -> Result<()> {
        self.reindex_article(id).await?;
        self.tell_others(Topic::Help, id).await;
        Ok(())
    }

    fn may_read(&self, caller: Option<&Caller>, a: &Article) -> bool {
        self.may_read_tag(caller, tag_of(a))
    }

    /// Whether the caller may read an article with these visibility bits:
    /// the policy's answer, for the store's rows and the index's documents
    /// alike.
    fn may_read_tag(&self, caller: Option<&Caller>, tag: u64) -> bool {
        let (plans, n) = tag_plans(tag);
        self.authorize(
            caller,
            Action::ReadArticle {
                plans: &plans[..n],
                others_may_read: tag & 2 != 0,
                published: tag & 1 != 0,
            },
        )
        .is_ok()
    }

    /// The article with this slug, if the reader may read it (else
    /// `NotFound`, whatever the reason).
    async fn readable_article(&self, caller: Option<&Caller>, slug: &str) -> Result<Article> {
        let a = self
            .store()
            .article_by_slug(slug)
            .await?
            .ok_or(Error::NotFound)?;
        if !self.may_read(caller, &a) {
            return Err(Error::NotFound);
        }
        Ok(a)
    }

    fn summary(&self, a: &Article, sections: &[HelpSection]) -> ArticleSummary {
        let (title, body) = match (&a.published_title, &a.published_body) {
            (Some(t), Some(b)) => (t, b),
            _ => (&a.title, &a.body),
        };
        ArticleSummary {
            slug: a.slug.clone(),
            title: title.clone(),
            lang: Language::parse(&a.lang).unwrap_or(Language::En),
            collection: Collection::parse(&a.collection).unwrap_or(Collection::Help),
            section: a
                .section_id
                .as_ref()
                .and_then(|id| sections.iter().find(|s| &s.id == id))
                .map(|s| s.slug.clone()),
            plans: plans_of(a),
            published: a.is_published(),
            updated_at: a.published_at.unwrap_or(a.updated_at),
            excerpt: excerpt(body),
        }
    }

    pub async fn help_sections(&self) -> Result<Vec<HelpSection>> {
        Ok(self.store().help_sections().await?)
    }

    /// The articles the reader may see, filtered; with `q`, in search order.
    pub async fn articles(
        &self,
        caller: Option<&Caller>,
        filter: &ArticleFilter,
    ) -> Result<Vec<ArticleSummary>> {
        self.authorize(caller, Action::ReadHelp)?;
        let collection = filter
            .collection
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(Collection::parse)
            .transpose()?;
        let lang = filter
            .lang
            .as_deref()
            .filter(|l| !l.is_empty())
            .map(Language::parse)
            .transpose()?;
        let sections = self.store().help_sections().await?;
        let section_id = match filter.section.as_deref().filter(|s| !s.is_empty()) {
            Some(slug) => Some(
                sections
                    .iter()
                    .find(|s| s.slug == slug)
                    .map(|s| s.id.clone())
                    .ok_or_else(|| Error::invalid("section", "unknown"))?,
            ),
            None => None,
        };
        let all = self.store().all_articles().await?;
        let keep = |a: &Article| {
            collection.is_none_or(|c| a.collection == c.as_str())
                && lang.is_none_or(|l| a.lang == l.as_str())
                && (section_id.is_none() || a.section_id == section_id)
                && self.may_read(caller, a)
        };
        if let Some(q) = filter.q.as_deref().filter(|q| !q.trim().is_empty()) {
            let hits = self
                .search_articles(caller, q, lang, collection, 50)
                .await?;
            let by_id: HashMap<&str, &Article> = all.iter().map(|a| (a.id.as_str(), a)).collect();
            return Ok(hits
                .iter()
                .filter_map(|(id, _)| by_id.get(id.as_str()).copied())
                .filter(|a| keep(a))
                .map(|a| self.summary(a, &sections))
                .collect());
        }
        Ok(all
            .iter()
            .filter(|a| keep(a))
            .map(|a| self.summary(a, &sections))
            .collect())
    }

    /// The help center's front page: each collection's sections and
    /// articles in the reader's language (falling back to the other
    /// language for an article that has no version in it).
    pub async fn help_home(
        &self,
        caller: Option<&Caller>,
        lang: Language,
    ) -> Result<Vec<CollectionView>> {
        self.authorize(caller, Action::ReadHelp)?;
        let sections = self.store().help_sections().await?;
        let all = self.store().all_articles().await?;
        let readable: Vec<&Article> = all.iter().filter(|a| self.may_read(caller, a)).collect();
        // One article per family: the reader's language first.
        let in_language: std::collections::HashSet<&str> = readable
            .iter()
            .filter(|a| a.lang == lang.as_str())
            .map(|a| a.family.as_str())
            .collect();
        let chosen: Vec<&Article> = readable
            .iter()
            .copied()
            .filter(|a| a.lang == lang.as_str() || !in_language.contains(a.family.as_str()))
            .collect();
        let mut out = Vec::new();
        for collection in Collection::ALL {
            let in_collection: Vec<&&Article> = chosen
                .iter()
                .filter(|a| a.collection == collection.as_str())
                .collect();
            let mut views = Vec::new();
            for s in sections
                .iter()
                .filter(|s| s.collection == collection.as_str())
            {
                let articles: Vec<ArticleSummary> = in_collection
                    .iter()
                    .filter(|a| a.section_id.as_deref() == Some(s.id.as_str()))
                    .map(|a| self.summary(a, &sections))
                    .collect();
                if !articles.is_empty() {
                    views.push(SectionView {
                        section: Some(s.clone()),
                        articles,
                    });
                }
            }
            let loose: Vec<ArticleSummary> = in_collection
                .iter()
                .filter(|a| {
                    a.section_id
                        .as_ref()
                        .is_none_or(|id| !sections.iter().any(|s| &s.id == id))
                })
                .map(|a| self.summary(a, &sections))
                .collect();
            if !loose.is_empty() {
                views.push(SectionView {
                    section: None,
                    articles: loose,
                });
            }
            out.push(CollectionView {
                collection: *collection,
                sections: views,
            });
        }
        Ok(out)
    }

    /// One article for a reader (staff also read drafts).
    pub async fn article(&self, caller: Option<&Caller>, slug: &str) -> Result<ArticleView> {
        let a = self.readable_article(caller, slug).await?;
        let staff = caller.is_some_and(Caller::is_staff);
        let (title, body, is_draft) = match (&a.published_title, &a.published_body) {
            (Some(t), Some(b)) if !staff || a.published_revision == Some(a.revision) => {
                (t.clone(), b.clone(), false)
            }
            _ => (a.title.clone(), a.body.clone(), true),
        };
        let (html, headings) = markdown::render_article(&body);
        let sections = self.store().help_sections().await?;
        let section = a
            .section_id
            .as_ref()
            .and_then(|id| sections.iter().find(|s| &s.id == id))
            .cloned();
        let translation = self
            .store()
            .article_family(&a.family)
            .await?
            .into_iter()
            .find(|t| t.id != a.id && self.may_read(caller, t))
            .and_then(|t| Language::parse(&t.lang).ok().map(|l| (l, t.slug)));
        let related = match &a.section_id {
            Some(id) => self
                .store()
                .articles_in_section(id, &a.lang)
                .await?
                .iter()
                .filter(|r| r.id != a.id && self.may_read(caller, r))
                .map(|r| self.summary(r, &sections))
                .collect(),
            None => Vec::new(),
        };
        Ok(ArticleView {
            collection: Collection::parse(&a.collection).unwrap_or(Collection::Help),
            lang: Language::parse(&a.lang).unwrap_or(Language::En),
            plans: plans_of(&a),
            section,
            title,
            body,
            html,
            headings,
            is_draft,
            translation,
            related,
            article: a,
        })
    }

    /// Ranked article ids the reader may see, with their hits.
    async fn search_articles(
        &self,
        caller: Option<&Caller>,
        q: &str,
        lang: Option<Language>,
        collection: Option<Collection>,
        limit: usize,
    ) -> Result<Vec<(String, search::Hit)>> {
        Ok(self
            .search_docs(caller, q, lang, collection, false, limit)
            .await?
            .into_iter()
            .filter_map(|h| {
                h.id.strip_prefix(ARTICLE_DOC)
                    .map(str::to_string)
                    .map(|id| (id, h))
            })
            .collect())
    }

    /// The index's hits the reader may see: articles (asking the policy of
    /// each) and, unless a collection is asked for, community threads.
    async fn search_docs(
        &self,
        caller: Option<&Caller>,
        q: &str,
        lang: Option<Language>,
        collection: Option<Collection>,
        threads: bool,
        limit: usize,
    ) -> Result<Vec<search::Hit>> {
        self.ensure_help_index().await?;
        let filter = |id: &str, tag: u64| {
            if id.starts_with(crate::community::THREAD_DOC) {
                return threads
                    && collection.is_none()
                    && crate::community::thread_visible(caller, tag);
            }
            collection.is_none_or(|c| c == tag_collection(tag)) && self.may_read_tag(caller, tag)
        };
        let mut query = search::Query::new(q).limit(limit).filter(&filter);
        if let Some(l) = lang {
            query = query.lang(search_lang(l));
        }
        Ok(match self.help.index.read() {
            Ok(index) => index.search(&query),
            Err(_) => Vec::new(),
        })
    }

    /// One ranked list across the articles the reader may see and the
    /// active incidents. A search that finds nothing is recorded for the
    /// staff report.
    pub async fn search_help(
        &self,
        caller: Option<&Caller>,
        q: &str,
        lang: Option<Language>,
        collection: Option<Collection>,
        limit: usize,
    ) -> Result<Vec<SearchHit>> {
        self.authorize(caller, Action::ReadHelp)?;
        let q = text::optional_line("q", q, limits::SEARCH_QUERY)?.unwrap_or_default();
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let limit = limit.clamp(1, 50);
        let hits = self
            .search_docs(caller, &q, lang, collection, true, limit)
            .await?;
        // Only the hits are read back, not every article.
        let ids: Vec<&str> = hits
            .iter()
            .filter_map(|h| h.id.strip_prefix(ARTICLE_DOC))
            .collect();
        let articles = self.store().articles_by_ids(&ids).await?;
        let by_id: HashMap<&str, &Article> = articles.iter().map(|a| (a.id.as_str(), a)).collect();
        let mut out: Vec<(f32, f32, SearchHit)> = Vec::new();
        // A thread's title and language are in the index itself (kept
        // current by the change events): no query per thread.
        let thread_docs: HashMap<String, (String, search::Lang)> = match self.help.index.read() {
            Ok(index) => hits
                .iter()
                .filter(|h| h.id.starts_with(crate::community::THREAD_DOC))
                .filter_map(|h| {
                    index
                        .get(&h.id)
                        .map(|d| (h.id.clone(), (d.title.clone(), d.lang)))
                })
                .collect(),
            Err(_) => HashMap::new(),
        };
        for h in hits {
            if let Some(thread_id) = h.id.strip_prefix(crate::community::THREAD_DOC) {
                let Some((title, lang)) = thread_docs.get(&h.id) else {
                    continue;
                };
                out.push((
                    h.matched,
                    h.score,
                    SearchHit {
                        kind: "thread",
                        title: title.clone(),
                        title_html: h.title_html,
                        url: format!("/community/threads/{thread_id}"),
                        snippet_html: h.snippet_html,
                        lang: Some(if *lang == search::Lang::Sv {
                            Language::Sv
                        } else {
                            Language::En
                        }),
                        collection: None,
                        score: h.score,
                    },
                ));
                continue;
            }
            let Some(a) = h.id.strip_prefix(ARTICLE_DOC).and_then(|id| by_id.get(id)) else {
                continue;
            };
            out.push((
                h.matched,
                h.score,
                SearchHit {
                    kind: "article",
                    title: a.published_title.clone().unwrap_or_else(|| a.title.clone()),
                    title_html: h.title_html,
                    url: format!("/help/articles/{}", a.slug),
                    snippet_html: h.snippet_html,
                    lang: Language::parse(&a.lang).ok(),
                    collection: Collection::parse(&a.collection).ok(),
                    score: h.score,
                },
            ));
        }
        if collection.is_none() {
            for (matched, hit) in self.search_incidents(&q, lang).await? {
                out.push((matched, hit.score, hit));
            }
        }
        // Coverage first, then relevance, as the index itself orders.
        out.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then(b.1.total_cmp(&a.1))
                .then(a.2.url.cmp(&b.2.url))
        });
        out.truncate(limit);
        if out.is_empty() {
            self.store()
                .record_missed_search(&q.to_lowercase(), lang.map(Language::as_str), self.now())
                .await?;
        }
        Ok(out.into_iter().map(|(_, _, h)| h).collect())
    }

    /// Active incidents matching `q`, ranked by the same analysis (a small
    /// index made for the query: there are only ever a few).
    async fn search_incidents(
        &self,
        q: &str,
        lang: Option<Language>,
    ) -> Result<Vec<(f32, SearchHit)>> {
        let open = self
            .known_problems(lang.unwrap_or(self.config.default_language))
            .await?;
        if open.is_empty() {
            return Ok(Vec::new());
        }
        let mut index = search::Index::new();
        for d in &open {
            let body: Vec<String> = d.updates.iter().map(|u| markdown::plain(&u.body)).collect();
            let names: Vec<&str> = d.components.iter().map(|(_, n)| n.as_str()).collect();
            for l in [search::Lang::Sv, search::Lang::En] {
                index.upsert(search::Doc {
                    id: format!("{}:{:?}", d.incident.id, l),
                    lang: l,
                    title: d.incident.name.clone(),
                    body: format!("{} {}", names.join(" "), body.join(" ")),
                    tag: 0,
                });
            }
        }
        let mut query = search::Query::new(q).limit(open.len() * 2);
        if let Some(l) = lang {
            query = query.lang(search_lang(l));
        }
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for h in index.search(&query) {
            let id = h.id.split(':').next().unwrap_or_default().to_string();
            if !seen.insert(id.clone()) {
                continue;
            }
            let name = open
                .iter()
                .find(|d| d.incident.id == id)
                .map(|d| d.incident.name.clone())
                .unwrap_or_default();
            out.push((
                h.matched,
                SearchHit {
                    kind: "incident",
                    title: name,
                    title_html: h.title_html,
                    url: format!("/status/incidents/{id}"),
                    snippet_html: h.snippet_html,
                    lang: None,
                    collection: None,
                    score: h.score,
                },
            ));
        }
        Ok(out)
    }

    /// Records that a reader opened a suggestion shown while they wrote a
    /// support request (deflection), for the report.
    pub async fn suggestion_opened(&self, caller: &Caller, query: &str, url: &str) -> Result<()> {
        self.authorize(Some(caller), Action::ReadHelp)?;
        let query = text::optional_line("q", query, limits::SEARCH_QUERY)?.unwrap_or_default();
        let url = text::line("url", url, limits::URL)?;
        if !url.starts_with('/') || url.starts_with("//") {
            return Err(Error::invalid("url", "not_local"));
        }
        self.store()
            .record_suggestion_opened(&query, &url, Some(caller.user_id()), self.now())
            .await?;
        Ok(())
    }

    fn check_draft(
        &self,
        input: &ArticleInput,
        base: Option<&Article>,
        sections: &[HelpSection],
    ) -> Result<ArticleDraft> {
        let pick = |given: &Option<String>, old: Option<&str>| -> Option<String> {
            given.clone().or_else(|| old.map(str::to_string))
        };
        let title = text::line(
            "title",
            &pick(&input.title, base.map(|a| a.title.as_str())).unwrap_or_default(),
            limits::ARTICLE_TITLE,
        )?;
        let body = text::block(
            "body",
            &pick(&input.body, base.map(|a| a.body.as_str())).unwrap_or_default(),
            limits::ARTICLE_BODY,
        )?;
        let collection = Collection::parse(
            &pick(&input.collection, base.map(|a| a.collection.as_str())).unwrap_or_default(),
        )?;
        let lang = match base {
            // The language is what makes it a translation; it stays.
            Some(a) => a.lang.clone(),
            None => Language::parse(input.lang.as_deref().unwrap_or_default())?
                .as_str()
                .to_string(),
        };
        let slug = match (&input.slug, base) {
            (Some(s), _) if !s.trim().is_empty() => text::slug("slug", s)?,
            (_, Some(a)) => a.slug.clone(),
            _ => {
                let s = text::slugify(&title);
                if s.is_empty() {
                    return Err(Error::invalid("slug", "required"));
                }
                s
            }
        };
        let section_id = match &input.section {
            Some(s) if s.is_empty() => None,
            Some(s) => {
                let found = sections
                    .iter()
                    .find(|x| &x.slug == s)
                    .ok_or_else(|| Error::invalid("section", "unknown"))?;
                if found.collection != collection.as_str() {
                    return Err(Error::invalid("section", "other_collection"));
                }
                Some(found.id.clone())
            }
            None => base.and_then(|a| a.section_id.clone()),
        };
        let plans = match &input.plans {
            Some(list) => {
                let mut plans: Vec<Plan> = list
                    .iter()
                    .filter(|p| !p.trim().is_empty())
                    .map(|p| Plan::parse(p))
                    .collect::<std::result::Result<_, _>>()?;
                plans.sort();
                plans.dedup();
                if plans.len() == Plan::ALL.len() {
                    plans.clear();
                }
                plans.iter().map(|p| p.as_str().to_string()).collect()
            }
            None => base
                .map(|a| a.plan_names().into_iter().map(str::to_string).collect())
                .unwrap_or_default(),
        };
        Ok(ArticleDraft {
            slug,
            family: None,
            lang,
            collection: collection.as_str().to_string(),
            section_id,
            position: input
                .position
                .or(base.map(|a| a.position))
                .unwrap_or(100)
                .clamp(0, 1_000_000),
            plans,
            others_may_read: input
                .others_may_read
                .or(base.map(|a| a.others_may_read != 0))
                .unwrap_or(false),
            title,
            body,
            publish: input
                .published
                .unwrap_or_else(|| base.is_some_and(Article::is_published)),
        })
    }

    /// Creates an article (support admins).
    pub async fn create_article(&self, caller: &Caller, input: ArticleInput) -> Result<Article> {
        self.permit(caller, Action::ManageHelpCenter)?;
        let sections = self.store().help_sections().await?;
        let mut draft = self.check_draft(&input, None, &sections)?;
        if let Some(of) = input.translation_of.as_deref().filter(|s| !s.is_empty()) {
            let original = self
                .store()
                .article_by_slug(of)
                .await?
                .ok_or_else(|| Error::invalid("translation_of", "unknown"))?;
            if original.lang == draft.lang {
                return Err(Error::invalid("translation_of", "same_language"));
            }
            draft.family = Some(original.family);
        }
        let a = match self
            .store()
            .create_article(&draft, Some(caller.user_id()), self.now())
            .await
        {
            Err(store::StoreError::Duplicate("slug")) => {
                return Err(Error::conflict("slug", "taken"));
            }
            Err(store::StoreError::Duplicate(_)) => {
                return Err(Error::conflict("translation_of", "translated"));
            }
            other => other?,
        };
        self.article_written(&a.id).await?;
        Ok(a)
    }

    /// Saves a new revision of an article (support admins): published, or
    /// a draft over what readers see.
    pub async fn update_article(
        &self,
        caller: &Caller,
        slug: &str,
        input: ArticleInput,
    ) -> Result<Article> {
        self.permit(caller, Action::ManageHelpCenter)?;
        let base = self
            .store()
            .article_by_slug(slug)
            .await?
            .ok_or(Error::NotFound)?;
        let sections = self.store().help_sections().await?;
        let draft = self.check_draft(&input, Some(&base), &sections)?;
        let unpublish = input.unpublish && base.is_published();
        let a = match self
            .store()
            .update_article(
                &base.id,
                &draft,
                input.revision,
                Some(caller.user_id()),
                self.now(),
            )
            .await
        {
            Err(store::StoreError::Duplicate("revision")) => {
                return Err(Error::conflict("revision", "stale"));
            }
            Err(store::StoreError::Duplicate(_)) => return Err(Error::conflict("slug", "taken")),
            other => other?,
        };
        let a = if unpublish {
            self.store().unpublish_article(&a.id, self.now()).await?;
            self.store()
                .article_by_id(&a.id)
                .await?
                .ok_or(Error::NotFound)?
        } else {
            a
        };
        self.article_written(&a.id).await?;
        Ok(a)
    }

    /// An article for its editor (support admins), with its revisions.
    pub async fn article_for_editing(
        &self,
        caller: &Caller,
        slug: &str,
    ) -> Result<(Article, Vec<ArticleRevision>)> {
        self.permit(caller, Action::ManageHelpCenter)?;
        let a = self
            .store()
            .article_by_slug(slug)
            .await?
            .ok_or(Error::NotFound)?;
        let revisions = self.store().article_revisions(&a.id).await?;
        Ok((a, revisions))
    }

    /// Every article, drafts included, for the staff list.
    pub async fn all_articles_for_staff(&self, caller: &Caller) -> Result<Vec<ArticleSummary>> {
        self.permit(caller, Action::ManageHelpCenter)?;
        let sections = self.store().help_sections().await?;
        Ok(self
            .store()
            .all_articles()
            .await?
            .iter()
            .map(|a| self.summary(a, &sections))
            .collect())
    }

    /// Renders Markdown as an article would show it (the editor's preview).
    pub fn preview_article(&self, caller: &Caller, body: &str) -> Result<String> {
        self.permit(caller, Action::ManageHelpCenter)?;
        let body = text::optional_block("body", body, limits::ARTICLE_BODY)?.unwrap_or_default();
        Ok(markdown::render_article(&body).0)
    }

    /// Records "Was this information helpful?" for an article the reader
    /// may read: one vote per reader, article and section, changeable.
    /// Anonymous votes are limited per client address.
    pub async fn article_feedback(
        &self,
        voter: Voter<'_>,
        slug: &str,
        input: FeedbackInput,
    ) -> Result<FeedbackOutcome> {
        let caller = match &voter {
            Voter::User(c) => Some(*c),
            Voter::Anonymous { .. } => None,
        };
        let a = self.readable_article(caller, slug).await?;
        let reason = match input.reason.as_deref().filter(|r| !r.is_empty()) {
            Some(r) if !input.helpful => Some(FeedbackReason::parse(r)?.as_str().to_string()),
            Some(_) => return Err(Error::invalid("reason", "only_when_not_helpful")),
            None => None,
        };
        let comment = text::optional_block(
            "comment",
            input.comment.as_deref().unwrap_or(""),
            limits::FEEDBACK_COMMENT,
        )?;
        let section = match input.section.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => {
                let body = a.published_body.as_deref().unwrap_or(&a.body);
                let (_, headings) = markdown::render_article(body);
                if !headings.iter().any(|h| h.anchor == s) {
                    return Err(Error::invalid("section", "unknown"));
                }
                s.to_string()
            }
            None => String::new(),
        };
        let voter_key = match &voter {
            Voter::User(c) => format!("u:{}", c.user_id()),
            Voter::Anonymous { cookie, client } => {
                if cookie.len() < 16 || cookie.len() > 128 {
                    return Err(Error::invalid("voter", "cookie"));
                }
                self.throttle_public("vote", client).await?;
                format!("a:{}", store::hash_secret(cookie))
            }
        };
        let changed = self
            .store()
            .vote_article(
                &Vote {
                    article_id: &a.id,
                    voter: &voter_key,
                    section: &section,
                    helpful: input.helpful,
                    reason: reason.as_deref(),
                    comment: comment.as_deref(),
                },
                self.now(),
            )
            .await?;
        let unhappy_admin =
            !input.helpful && caller.is_some_and(|c| c.may(Action::UseDirectSupport));
        Ok(FeedbackOutcome {
            changed,
            offer_request: unhappy_admin,
            offer_chat: unhappy_admin && caller.is_some_and(|c| c.may(Action::UseChat)),
        })
    }

    /// The reader's own vote on an article, to show it checked.
    pub async fn my_article_vote(
        &self,
        voter: Voter<'_>,
        article: &Article,
    ) -> Result<Option<bool>> {
        let key = match voter {
            Voter::User(c) => format!("u:{}", c.user_id()),
            Voter::Anonymous { cookie, .. } if cookie.len() >= 16 => {
                format!("a:{}", store::hash_secret(cookie))
            }
            Voter::Anonymous { .. } => return Ok(None),
        };
        Ok(self
            .store()
            .article_vote_of(&article.id, &key)
            .await?
            .map(|v| v.helpful != 0))
    }

    /// The staff report: helpfulness per article (lowest first), the
    /// comments, the trend by week, searches without results, and the
    /// deflection suggestions that were opened.
    pub async fn feedback_report(&self, caller: &Caller) -> Result<FeedbackReport> {
        self.permit(caller, Action::ViewHelpReport)?;
        let articles = self.store().all_articles().await?;
        let votes = self.store().all_article_votes().await?;
        let mut stats: Vec<ArticleStats> = Vec::new();
        let mut index_of: HashMap<&str, usize> = HashMap::new();
        for a in &articles {
            index_of.insert(a.id.as_str(), stats.len());
            stats.push(ArticleStats {
                slug: a.slug.clone(),
                title: a.published_title.clone().unwrap_or_else(|| a.title.clone()),
                lang: Language::parse(&a.lang).unwrap_or(Language::En),
                yes: 0,
                no: 0,
                score: 0.0,
                reasons: Vec::new(),
                comments: Vec::new(),
            });
        }
        let mut weeks: Vec<WeekTrend> = Vec::new();
        for v in &votes {
            let Some(&i) = index_of.get(v.article_id.as_str()) else {
                continue;
            };
            let s = &mut stats[i];
            let helpful = v.helpful != 0;
            // Section votes count in the article's numbers too.
            if helpful {
                s.yes += 1;
            } else {
                s.no += 1;
            }
            if let Some(r) = &v.reason {
                match s.reasons.iter_mut().find(|(name, _)| name == r) {
                    Some((_, n)) => *n += 1,
                    None => s.reasons.push((r.clone(), 1)),
                }
            }
            if let Some(c) = &v.comment {
                s.comments.push(FeedbackComment {
                    helpful,
                    reason: v.reason.clone(),
                    comment: c.clone(),
                    section: v.section.clone(),
                    at: v.updated_at,
                });
            }
            let w = week_start(v.updated_at);
            match weeks.iter_mut().find(|t| t.week_start == w) {
                Some(t) if helpful => t.yes += 1,
                Some(t) => t.no += 1,
                None => weeks.push(WeekTrend {
                    week_start: w,
                    yes: i64::from(helpful),
                    no: i64::from(!helpful),
                }),
            }
        }
        let mut stats: Vec<ArticleStats> = stats
            .into_iter()
            .filter(|s| s.yes + s.no > 0)
            .map(|mut s| {
                s.score = helpfulness(s.yes, s.no);
                s.comments.reverse();
                s.reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                s
            })
            .collect();
        stats.sort_by(|a, b| {
            a.score
                .total_cmp(&b.score)
                .then(b.no.cmp(&a.no))
                .then(a.slug.cmp(&b.slug))
        });
        weeks.sort_by_key(|w| w.week_start);
        Ok(FeedbackReport {
            articles: stats,
            weeks,
            missed: self.store().missed_searches(100).await?,
            opened: self.store().opened_suggestions(100).await?,
        })
    }

    /// Keeps an uploaded image for articles (support admins): only images,
    /// judged by their bytes. Returns its address, `/help/images/{id}`.
    pub async fn add_help_image(
        &self,
        caller: &Caller,
        file: store::NewAttachment,
    ) -> Result<String> {
        if let Err(e) = self.permit(caller, Action::ManageHelpCenter) {
            self.discard_files(std::slice::from_ref(&file)).await;
            return Err(e);
        }
        if !matches!(
            file.content_type.as_str(),
            "image/png" | "image/jpeg" | "image/gif" | "image/webp"
        ) {
            self.discard_files(std::slice::from_ref(&file)).await;
            return Err(Error::invalid_with(
                "image",
                "not_an_image",
                &[("name", &file.filename)],
            ));
        }
        self.store()
            .add_help_image(&file, Some(caller.user_id()), self.now())
            .await?;
        Ok(format!("{}{}", markdown::ARTICLE_IMAGES, file.id))
    }

    /// An article image and where its bytes are (public: the address is
    /// not guessable, and articles that show it may be public).
    pub async fn help_image(&self, id: &str) -> Result<(store::HelpImage, std::path::PathBuf)> {
        let image = self.store().help_image(id).await?.ok_or(Error::NotFound)?;
        let path = self.file_path(&image.id);
        Ok((image, path))
    }

    /// Adds a section to a collection (support admins).
    pub async fn create_help_section(
        &self,
        caller: &Caller,
        collection: &str,
        title_sv: &str,
        title_en: &str,
        position: i64,
    ) -> Result<HelpSection> {
        self.permit(caller, Action::ManageHelpCenter)?;
        let collection = Collection::parse(collection)?;
        let title_sv = text::line("title_sv", title_sv, limits::ARTICLE_TITLE)?;
        let title_en = text::line("title_en", title_en, limits::ARTICLE_TITLE)?;
        let slug = text::slugify(&title_en);
        if slug.is_empty() {
            return Err(Error::invalid("title_en", "required"));
        }
        match self
            .store()
            .create_help_section(collection.as_str(), &slug, &title_sv, &title_en, position)
            .await
        {
            Err(store::StoreError::Duplicate(_)) => Err(Error::conflict("title_en", "taken")),
            other => Ok(other?),
        }
    }
}

/// One line of a diff between two revisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    Same(String),
    Added(String),
    Removed(String),
}

/// A line diff of `old` to `new` (longest common subsequence; articles are
/// at most a few thousand lines, and longer inputs are compared as one
/// replaced block).
pub fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    if a.len().saturating_mul(b.len()) > 4_000_000 {
        let mut out: Vec<DiffLine> = a.iter().map(|l| DiffLine::Removed(l.to_string())).collect();
        out.extend(b.iter().map(|l| DiffLine::Added(l.to_string())));
        return out;
    }
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push(DiffLine::Same(a[i].to_string()));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push(DiffLine::Added(b[j].to_string()));
            j += 1;
        } else {
            out.push(DiffLine::Removed(a[i].to_string()));
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_show_what_changed() {
        let d = line_diff("a\nb\nc", "a\nB\nc\nd");
        assert_eq!(
            d,
            vec![
                DiffLine::Same("a".into()),
                DiffLine::Added("B".into()),
                DiffLine::Removed("b".into()),
                DiffLine::Same("c".into()),
                DiffLine::Added("d".into()),
            ]
        );
        assert!(
            line_diff("x", "x")
                .iter()
                .all(|l| matches!(l, DiffLine::Same(_)))
        );
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2026-12-02 (a Wednesday) 15:00 UTC → Monday 2026-11-30 00:00 UTC.
        assert_eq!(week_start(1_796_223_600_000), 1_795_996_800_000);
        assert_eq!(week_start(1_795_996_800_000), 1_795_996_800_000);
        assert_eq!(week_start(1_795_996_799_999), 1_795_996_800_000 - WEEK_MS);
    }

    #[test]
    fn one_vote_does_not_top_or_bottom_the_list() {
        assert!(helpfulness(0, 1) > helpfulness(0, 5));
        assert!(helpfulness(1, 0) < helpfulness(9, 1));
        assert!((helpfulness(0, 0) - 0.5).abs() < 1e-9);
    }

    #[test]
    fn tags_carry_visibility() {
        let tag = 1 | 8 | 16 | (2 << 8);
        let (plans, n) = tag_plans(tag);
        assert_eq!(&plans[..n], &[Plan::Advanced, Plan::Enterprise]);
        assert_eq!(tag_collection(tag), Collection::Developers);
    }
}
