//! The help community: threads (a question and its answers), votes on
//! posts, the accepted answer, and what staff hide or lock. Who may see
//! or do what is the use-case layer's question.
use crate::{Result, Store, StoreError, new_id};
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Thread {
    pub id: String,
    pub author_id: String,
    pub author_name: String,
    pub author_role: String,
    pub title: String,
    pub lang: String,
    pub locked: i64,
    pub hidden: i64,
    pub accepted_post: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Visible answers.
    pub answers: i64,
    /// The question's votes.
    pub score: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Post {
    pub id: String,
    pub thread_id: String,
    pub author_id: String,
    pub author_name: String,
    pub author_role: String,
    pub body: String,
    pub is_question: i64,
    pub hidden: i64,
    pub created_at: i64,
    pub score: i64,
}

const THREAD_SELECT: &str = "SELECT t.id, t.author_id, u.name AS author_name, u.role AS author_role, t.title, t.lang, \
     t.locked, t.hidden, t.accepted_post, t.created_at, t.updated_at, \
     (SELECT COUNT(*) FROM community_posts p WHERE p.thread_id = t.id AND p.is_question = 0 AND p.hidden = 0) AS answers, \
     (SELECT CAST(COALESCE(SUM(v.value), 0) AS BIGINT) FROM community_votes v JOIN community_posts q ON q.id = v.post_id \
        WHERE q.thread_id = t.id AND q.is_question = 1) AS score \
     FROM community_threads t JOIN users u ON u.id = t.author_id";

const POST_SELECT: &str = "SELECT p.id, p.thread_id, p.author_id, u.name AS author_name, u.role AS author_role, p.body, \
     p.is_question, p.hidden, p.created_at, \
     (SELECT CAST(COALESCE(SUM(v.value), 0) AS BIGINT) FROM community_votes v WHERE v.post_id = p.id) AS score \
     FROM community_posts p JOIN users u ON u.id = p.author_id";

impl Store {
    /// Starts a thread with its question; returns the thread's id.
    pub async fn create_thread(
        &self,
        author_id: &str,
        title: &str,
        body: &str,
        lang: &str,
        now: i64,
    ) -> Result<String> {
        let _w = self.write_guard().await;
        let id = new_id();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO community_threads (id, author_id, title, lang, locked, hidden, accepted_post, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 0, 0, NULL, $5, $5)",
        )
        .bind(&id)
        .bind(author_id)
        .bind(title)
        .bind(lang)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        insert_post(&mut tx, &new_id(), &id, author_id, body, true, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Adds an answer; returns its id.
    pub async fn add_answer(
        &self,
        thread_id: &str,
        author_id: &str,
        body: &str,
        now: i64,
    ) -> Result<String> {
        let _w = self.write_guard().await;
        let id = new_id();
        let mut tx = self.pool.begin().await?;
        insert_post(&mut tx, &id, thread_id, author_id, body, false, now).await?;
        sqlx::query("UPDATE community_threads SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(thread_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Threads, most recently active first; hidden ones only when asked.
    pub async fn threads(&self, with_hidden: bool, limit: i64) -> Result<Vec<Thread>> {
        let filter = if with_hidden {
            ""
        } else {
            " WHERE t.hidden = 0"
        };
        Ok(sqlx::query_as(&format!(
            "{THREAD_SELECT}{filter} ORDER BY t.updated_at DESC, t.id LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn thread(&self, id: &str) -> Result<Option<Thread>> {
        Ok(sqlx::query_as(&format!("{THREAD_SELECT} WHERE t.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// A thread's posts, the question first, then the answers in order.
    pub async fn thread_posts(&self, thread_id: &str) -> Result<Vec<Post>> {
        Ok(sqlx::query_as(&format!(
            "{POST_SELECT} WHERE p.thread_id = $1 ORDER BY p.is_question DESC, p.created_at, p.id"
        ))
        .bind(thread_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn post(&self, id: &str) -> Result<Option<Post>> {
        Ok(sqlx::query_as(&format!("{POST_SELECT} WHERE p.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// One vote per user and post: `value` 1 or -1, or 0 to take it back.
    pub async fn vote_post(
        &self,
        post_id: &str,
        user_id: &str,
        value: i64,
        now: i64,
    ) -> Result<()> {
        let _w = self.write_guard().await;
        if value == 0 {
            sqlx::query("DELETE FROM community_votes WHERE post_id = $1 AND user_id = $2")
                .bind(post_id)
                .bind(user_id)
                .execute(&self.pool)
                .await?;
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO community_votes (post_id, user_id, value, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (post_id, user_id) DO UPDATE SET value = excluded.value",
        )
        .bind(post_id)
        .bind(user_id)
        .bind(value)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The user's own votes on a thread's posts: (post id, value).
    pub async fn my_votes(&self, thread_id: &str, user_id: &str) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT v.post_id, v.value FROM community_votes v JOIN community_posts p ON p.id = v.post_id \
             WHERE p.thread_id = $1 AND v.user_id = $2",
        )
        .bind(thread_id)
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Marks (or with `None` clears) the accepted answer.
    pub async fn accept_answer(
        &self,
        thread_id: &str,
        post_id: Option<&str>,
        now: i64,
    ) -> Result<()> {
        let _w = self.write_guard().await;
        sqlx::query(
            "UPDATE community_threads SET accepted_post = $1, updated_at = $2 WHERE id = $3",
        )
        .bind(post_id)
        .bind(now)
        .bind(thread_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Staff: hide or show a thread, lock or unlock it.
    pub async fn moderate_thread(
        &self,
        thread_id: &str,
        hidden: Option<bool>,
        locked: Option<bool>,
    ) -> Result<()> {
        let _w = self.write_guard().await;
        if let Some(h) = hidden {
            sqlx::query("UPDATE community_threads SET hidden = $1 WHERE id = $2")
                .bind(i64::from(h))
                .bind(thread_id)
                .execute(&self.pool)
                .await?;
        }
        if let Some(l) = locked {
            sqlx::query("UPDATE community_threads SET locked = $1 WHERE id = $2")
                .bind(i64::from(l))
                .bind(thread_id)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Staff: hide or show one answer.
    pub async fn hide_post(&self, post_id: &str, hidden: bool) -> Result<()> {
        let _w = self.write_guard().await;
        let done =
            sqlx::query("UPDATE community_posts SET hidden = $1 WHERE id = $2 AND is_question = 0")
                .bind(i64::from(hidden))
                .bind(post_id)
                .execute(&self.pool)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Corrupt("no such answer".into()));
        }
        Ok(())
    }

    /// The visible text of one thread (question first, then the answers),
    /// as the search index holds it.
    pub async fn thread_text(&self, thread_id: &str) -> Result<String> {
        let bodies: Vec<(String,)> = sqlx::query_as(
            "SELECT body FROM community_posts WHERE thread_id = $1 AND hidden = 0 \
             ORDER BY is_question DESC, created_at, id",
        )
        .bind(thread_id)
        .fetch_all(&self.pool)
        .await?;
        let mut text = String::new();
        for (body,) in bodies {
            append_post(&mut text, &body);
        }
        Ok(text)
    }

    /// Benchmarks: many threads at once, each (title, language, its posts
    /// with the question first), in one transaction.
    pub async fn insert_threads_bulk(
        &self,
        author_id: &str,
        threads: &[(String, &str, Vec<String>)],
        now: i64,
    ) -> Result<()> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let mut posts: Vec<(String, bool, &str)> = Vec::new();
        for chunk in threads.chunks(300) {
            let mut q = crate::sql::Sql::new(
                "INSERT INTO community_threads (id, author_id, title, lang, locked, hidden, accepted_post, created_at, updated_at) VALUES ",
            );
            for (i, (title, lang, bodies)) in chunk.iter().enumerate() {
                let id = new_id();
                if i > 0 {
                    q.push(", ");
                }
                q.push("(")
                    .bind(id.as_str())
                    .push(", ")
                    .bind(author_id)
                    .push(", ")
                    .bind(title.as_str())
                    .push(", ")
                    .bind(*lang)
                    .push(", 0, 0, NULL, ")
                    .bind(now)
                    .push(", ")
                    .bind(now)
                    .push(")");
                for (j, body) in bodies.iter().enumerate() {
                    posts.push((id.clone(), j == 0, body.as_str()));
                }
            }
            q.query().execute(&mut *tx).await?;
        }
        for chunk in posts.chunks(300) {
            let mut q = crate::sql::Sql::new(
                "INSERT INTO community_posts (id, thread_id, author_id, body, is_question, hidden, created_at) VALUES ",
            );
            for (i, (thread, question, body)) in chunk.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.push("(")
                    .bind(new_id())
                    .push(", ")
                    .bind(thread.as_str())
                    .push(", ")
                    .bind(author_id)
                    .push(", ")
                    .bind(*body)
                    .push(", ")
                    .bind(i64::from(*question))
                    .push(", 0, ")
                    .bind(now)
                    .push(")");
            }
            q.query().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every thread with its visible text, for the search index (two
    /// queries, however many threads).
    pub async fn threads_for_index(&self) -> Result<Vec<(Thread, String)>> {
        // The index needs no counts: leave out the per-thread subqueries.
        let threads: Vec<Thread> = sqlx::query_as(
            "SELECT t.id, t.author_id, u.name AS author_name, u.role AS author_role, t.title, t.lang, \
             t.locked, t.hidden, t.accepted_post, t.created_at, t.updated_at, \
             CAST(0 AS BIGINT) AS answers, CAST(0 AS BIGINT) AS score \
             FROM community_threads t JOIN users u ON u.id = t.author_id",
        )
        .fetch_all(&self.pool)
        .await?;
        let posts: Vec<(String, String)> = sqlx::query_as(
            "SELECT thread_id, body FROM community_posts WHERE hidden = 0 \
             ORDER BY thread_id, is_question DESC, created_at, id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut text: std::collections::HashMap<String, String> = std::collections::HashMap::new();
        for (thread, body) in posts {
            append_post(text.entry(thread).or_default(), &body);
        }
        Ok(threads
            .into_iter()
            .map(|t| {
                let body = text.remove(&t.id).unwrap_or_default();
                (t, body)
            })
            .collect())
    }
}

/// Posts in a thread's indexed text are separated by a blank line.
fn append_post(text: &mut String, body: &str) {
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(body);
}

async fn insert_post(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    thread_id: &str,
    author_id: &str,
    body: &str,
    is_question: bool,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO community_posts (id, thread_id, author_id, body, is_question, hidden, created_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6)",
    )
    .bind(id)
    .bind(thread_id)
    .bind(author_id)
    .bind(body)
    .bind(i64::from(is_question))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
