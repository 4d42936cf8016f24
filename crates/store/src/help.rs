//! The help center: sections, articles with revisions, "Was this
//! information helpful?" votes, and what the staff report reads.
//!
//! Visibility is not decided here: the use-case layer asks the policy with
//! each article's plans and state. Articles are few enough (thousands) that
//! the use cases read them whole and the search index is built from them.
use crate::{Result, Store, StoreError, is_unique_violation, new_id};
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct HelpSection {
    pub id: String,
    pub collection: String,
    pub slug: String,
    pub title_sv: String,
    pub title_en: String,
    pub position: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Article {
    pub id: String,
    pub slug: String,
    /// Shared by the Swedish and English versions of one article.
    pub family: String,
    pub lang: String,
    pub collection: String,
    pub section_id: Option<String>,
    pub position: i64,
    /// `,advanced,enterprise,` when only some plans apply; empty for all.
    pub plans: String,
    pub others_may_read: i64,
    /// The latest revision (the draft).
    pub title: String,
    pub body: String,
    pub revision: i64,
    pub published_revision: Option<i64>,
    pub published_title: Option<String>,
    pub published_body: Option<String>,
    pub published_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Article {
    /// The plan names it is restricted to; empty for every plan.
    pub fn plan_names(&self) -> Vec<&str> {
        self.plans.split(',').filter(|p| !p.is_empty()).collect()
    }

    pub fn is_published(&self) -> bool {
        self.published_revision.is_some()
    }
}

const ARTICLE_COLUMNS: &str = "id, slug, family, lang, collection, section_id, position, plans, others_may_read, \
     title, body, revision, published_revision, published_title, published_body, published_at, created_at, updated_at";

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ArticleRevision {
    pub number: i64,
    pub title: String,
    pub body: String,
    pub author_id: Option<String>,
    pub author_name: Option<String>,
    pub published: i64,
    pub created_at: i64,
}

/// The fields of an article as written by staff (already checked).
#[derive(Debug, Clone)]
pub struct ArticleDraft {
    pub slug: String,
    /// Another article's family, to make this its translation.
    pub family: Option<String>,
    pub lang: String,
    pub collection: String,
    pub section_id: Option<String>,
    pub position: i64,
    pub plans: Vec<String>,
    pub others_may_read: bool,
    pub title: String,
    pub body: String,
    pub publish: bool,
}

/// One vote on "Was this information helpful?".
#[derive(Debug, Clone)]
pub struct Vote<'a> {
    pub article_id: &'a str,
    pub voter: &'a str,
    pub section: &'a str,
    pub helpful: bool,
    pub reason: Option<&'a str>,
    pub comment: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct VoteRow {
    pub article_id: String,
    pub section: String,
    pub helpful: i64,
    pub reason: Option<String>,
    pub comment: Option<String>,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct MissedSearch {
    pub query: String,
    pub lang: Option<String>,
    pub times: i64,
    pub last_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct OpenedSuggestion {
    pub url: String,
    pub times: i64,
    pub last_query: String,
}

fn plan_list(plans: &[String]) -> String {
    if plans.is_empty() {
        String::new()
    } else {
        format!(",{},", plans.join(","))
    }
}

impl Store {
    pub async fn help_sections(&self) -> Result<Vec<HelpSection>> {
        Ok(sqlx::query_as(
            "SELECT id, collection, slug, title_sv, title_en, position FROM help_sections \
             ORDER BY collection, position, id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Adds a section; a slug already taken is `Duplicate("section")`.
    pub async fn create_help_section(
        &self,
        collection: &str,
        slug: &str,
        title_sv: &str,
        title_en: &str,
        position: i64,
    ) -> Result<HelpSection> {
        let _w = self.write_guard().await;
        let r = sqlx::query_as(
            "INSERT INTO help_sections (id, collection, slug, title_sv, title_en, position) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             RETURNING id, collection, slug, title_sv, title_en, position",
        )
        .bind(new_id())
        .bind(collection)
        .bind(slug)
        .bind(title_sv)
        .bind(title_en)
        .bind(position)
        .fetch_one(&self.pool)
        .await;
        match r {
            Ok(s) => Ok(s),
            Err(e) if is_unique_violation(&e) => Err(StoreError::Duplicate("section")),
            Err(e) => Err(e.into()),
        }
    }

    /// Every article, drafts included, in collection and position order.
    pub async fn all_articles(&self) -> Result<Vec<Article>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY collection, position, slug"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn article_by_slug(&self, slug: &str) -> Result<Option<Article>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles WHERE slug = $1"
        ))
        .bind(slug)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The articles with these ids (a search's hits), in no set order.
    pub async fn articles_by_ids(&self, ids: &[&str]) -> Result<Vec<Article>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = crate::sql::Sql::new(format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles WHERE id IN ("
        ));
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind(*id);
        }
        q.push(")");
        Ok(q.query_as().fetch_all(&self.pool).await?)
    }

    pub async fn article_by_id(&self, id: &str) -> Result<Option<Article>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The articles of one section in one language, in order.
    pub async fn articles_in_section(&self, section_id: &str, lang: &str) -> Result<Vec<Article>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles WHERE section_id = $1 AND lang = $2 ORDER BY position, slug"
        ))
        .bind(section_id)
        .bind(lang)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The versions of one article in each language.
    pub async fn article_family(&self, family: &str) -> Result<Vec<Article>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles WHERE family = $1 ORDER BY lang"
        ))
        .bind(family)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Creates an article with its first revision. A taken slug is
    /// `Duplicate("slug")`; a family that already has this language is
    /// `Duplicate("translation")`.
    pub async fn create_article(
        &self,
        d: &ArticleDraft,
        author_id: Option<&str>,
        now: i64,
    ) -> Result<Article> {
        let _w = self.write_guard().await;
        let id = new_id();
        let family = d.family.clone().unwrap_or_else(|| id.clone());
        let published = d.publish.then_some(1i64);
        let mut tx = self.pool.begin().await?;
        if sqlx::query_scalar::<_, String>("SELECT id FROM articles WHERE slug = $1")
            .bind(&d.slug)
            .fetch_optional(&mut *tx)
            .await?
            .is_some()
        {
            return Err(StoreError::Duplicate("slug"));
        }
        let r = sqlx::query(
            "INSERT INTO articles (id, slug, family, lang, collection, section_id, position, plans, \
             others_may_read, title, body, revision, published_revision, published_title, published_body, \
             published_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $13, $14, $15, $16, $16)",
        )
        .bind(&id)
        .bind(&d.slug)
        .bind(&family)
        .bind(&d.lang)
        .bind(&d.collection)
        .bind(d.section_id.as_deref())
        .bind(d.position)
        .bind(plan_list(&d.plans))
        .bind(i64::from(d.others_may_read))
        .bind(&d.title)
        .bind(&d.body)
        .bind(published)
        .bind(d.publish.then_some(d.title.as_str()))
        .bind(d.publish.then_some(d.body.as_str()))
        .bind(d.publish.then_some(now))
        .bind(now)
        .execute(&mut *tx)
        .await;
        match r {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Err(StoreError::Duplicate("translation")),
            Err(e) => return Err(e.into()),
        }
        insert_revision(
            &mut tx, &id, 1, &d.title, &d.body, author_id, d.publish, now,
        )
        .await?;
        tx.commit().await?;
        drop(_w);
        self.article_by_id(&id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("article vanished after insert".into()))
    }

    /// Saves a new revision of an article (its fields as given), published
    /// or as a draft over the published one. `expected_revision`, when
    /// given, must be the latest (else `Duplicate("revision")`: someone
    /// else saved meanwhile).
    pub async fn update_article(
        &self,
        id: &str,
        d: &ArticleDraft,
        expected_revision: Option<i64>,
        author_id: Option<&str>,
        now: i64,
    ) -> Result<Article> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let current: Option<(i64,)> = sqlx::query_as("SELECT revision FROM articles WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((revision,)) = current else {
            return Err(StoreError::Corrupt("no such article".into()));
        };
        if expected_revision.is_some_and(|e| e != revision) {
            return Err(StoreError::Duplicate("revision"));
        }
        let next = revision + 1;
        let r = sqlx::query(
            "UPDATE articles SET slug = $1, collection = $2, section_id = $3, position = $4, plans = $5, \
             others_may_read = $6, title = $7, body = $8, revision = $9, updated_at = $10 WHERE id = $11",
        )
        .bind(&d.slug)
        .bind(&d.collection)
        .bind(d.section_id.as_deref())
        .bind(d.position)
        .bind(plan_list(&d.plans))
        .bind(i64::from(d.others_may_read))
        .bind(&d.title)
        .bind(&d.body)
        .bind(next)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await;
        match r {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => return Err(StoreError::Duplicate("slug")),
            Err(e) => return Err(e.into()),
        }
        if d.publish {
            sqlx::query(
                "UPDATE articles SET published_revision = $1, published_title = $2, published_body = $3, \
                 published_at = $4 WHERE id = $5",
            )
            .bind(next)
            .bind(&d.title)
            .bind(&d.body)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        insert_revision(
            &mut tx, id, next, &d.title, &d.body, author_id, d.publish, now,
        )
        .await?;
        tx.commit().await?;
        drop(_w);
        self.article_by_id(id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("article vanished after update".into()))
    }

    /// Takes an article off the help center (back to a draft).
    pub async fn unpublish_article(&self, id: &str, now: i64) -> Result<()> {
        let _w = self.write_guard().await;
        sqlx::query(
            "UPDATE articles SET published_revision = NULL, published_title = NULL, published_body = NULL, \
             published_at = NULL, updated_at = $1 WHERE id = $2",
        )
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// An article's revisions, newest first, with their authors' names.
    pub async fn article_revisions(&self, id: &str) -> Result<Vec<ArticleRevision>> {
        Ok(sqlx::query_as(
            "SELECT r.number, r.title, r.body, r.author_id, u.name AS author_name, r.published, r.created_at \
             FROM article_revisions r LEFT JOIN users u ON u.id = r.author_id \
             WHERE r.article_id = $1 ORDER BY r.number DESC",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Records a vote, replacing the same reader's earlier vote on the same
    /// article and section. Returns whether it replaced one.
    pub async fn vote_article(&self, v: &Vote<'_>, now: i64) -> Result<bool> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let existed = sqlx::query_scalar::<_, i64>(
            "SELECT helpful FROM article_votes WHERE article_id = $1 AND voter = $2 AND section = $3",
        )
        .bind(v.article_id)
        .bind(v.voter)
        .bind(v.section)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
        sqlx::query(
            "INSERT INTO article_votes (article_id, voter, section, helpful, reason, comment, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
             ON CONFLICT (article_id, voter, section) DO UPDATE SET helpful = excluded.helpful, \
             reason = excluded.reason, comment = excluded.comment, updated_at = excluded.updated_at",
        )
        .bind(v.article_id)
        .bind(v.voter)
        .bind(v.section)
        .bind(i64::from(v.helpful))
        .bind(v.reason)
        .bind(v.comment)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(existed)
    }

    /// The reader's current vote on an article (whole-article section '').
    pub async fn article_vote_of(&self, article_id: &str, voter: &str) -> Result<Option<VoteRow>> {
        Ok(sqlx::query_as(
            "SELECT article_id, section, helpful, reason, comment, updated_at FROM article_votes \
             WHERE article_id = $1 AND voter = $2 AND section = ''",
        )
        .bind(article_id)
        .bind(voter)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Every vote, oldest first (the report is computed from them).
    pub async fn all_article_votes(&self) -> Result<Vec<VoteRow>> {
        Ok(sqlx::query_as(
            "SELECT article_id, section, helpful, reason, comment, updated_at FROM article_votes \
             ORDER BY updated_at, article_id, section",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn record_missed_search(
        &self,
        query: &str,
        lang: Option<&str>,
        now: i64,
    ) -> Result<()> {
        let _w = self.write_guard().await;
        sqlx::query(
            "INSERT INTO help_searches_missed (id, query, lang, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(new_id())
        .bind(query)
        .bind(lang)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Searches that found nothing, grouped by what was typed (the caller
    /// stores it lower-cased: SQLite's `lower()` knows only ASCII), most
    /// frequent first.
    pub async fn missed_searches(&self, limit: i64) -> Result<Vec<MissedSearch>> {
        Ok(sqlx::query_as(
            "SELECT query, MAX(lang) AS lang, COUNT(*) AS times, MAX(created_at) AS last_at \
             FROM help_searches_missed GROUP BY query ORDER BY COUNT(*) DESC, MAX(created_at) DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn record_suggestion_opened(
        &self,
        query: &str,
        url: &str,
        user_id: Option<&str>,
        now: i64,
    ) -> Result<()> {
        let _w = self.write_guard().await;
        sqlx::query(
            "INSERT INTO help_suggestions_opened (id, query, url, user_id, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(new_id())
        .bind(query)
        .bind(url)
        .bind(user_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Which deflection suggestions were opened, most often first.
    pub async fn opened_suggestions(&self, limit: i64) -> Result<Vec<OpenedSuggestion>> {
        Ok(sqlx::query_as(
            "SELECT url, COUNT(*) AS times, MAX(query) AS last_query FROM help_suggestions_opened \
             GROUP BY url ORDER BY COUNT(*) DESC, url LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}

#[allow(clippy::too_many_arguments)]
async fn insert_revision(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    article_id: &str,
    number: i64,
    title: &str,
    body: &str,
    author_id: Option<&str>,
    published: bool,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO article_revisions (article_id, number, title, body, author_id, published, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(article_id)
    .bind(number)
    .bind(title)
    .bind(body)
    .bind(author_id)
    .bind(i64::from(published))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct HelpImage {
    pub id: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
}

impl Store {
    /// Records an uploaded article image (its bytes are already on disk).
    pub async fn add_help_image(
        &self,
        file: &crate::NewAttachment,
        uploaded_by: Option<&str>,
        now: i64,
    ) -> Result<()> {
        let _w = self.write_guard().await;
        sqlx::query(
            "INSERT INTO help_images (id, filename, content_type, size, uploaded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&file.id)
        .bind(&file.filename)
        .bind(&file.content_type)
        .bind(file.size)
        .bind(uploaded_by)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn help_image(&self, id: &str) -> Result<Option<HelpImage>> {
        Ok(
            sqlx::query_as(
                "SELECT id, filename, content_type, size FROM help_images WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&self.pool)
            .await?,
        )
    }
}
