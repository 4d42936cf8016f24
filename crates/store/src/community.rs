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
    /// Its question waits for review.
    pub held: i64,
    /// Merged into this thread: its posts are there now.
    pub merged_into: Option<String>,
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
    /// Waits for review (a new user's first post, while staff hold those).
    pub held: i64,
    pub created_at: i64,
    pub score: i64,
}

const THREAD_SELECT: &str = "SELECT t.id, t.author_id, u.name AS author_name, u.role AS author_role, t.title, t.lang, \
     t.locked, t.hidden, t.held, t.merged_into, t.accepted_post, t.created_at, t.updated_at, \
     (SELECT COUNT(*) FROM community_posts p WHERE p.thread_id = t.id AND p.is_question = 0 AND p.hidden = 0 AND p.held = 0) AS answers, \
     (SELECT CAST(COALESCE(SUM(v.value), 0) AS BIGINT) FROM community_votes v JOIN community_posts q ON q.id = v.post_id \
        WHERE q.thread_id = t.id AND q.is_question = 1) AS score \
     FROM community_threads t JOIN users u ON u.id = t.author_id";

const POST_SELECT: &str = "SELECT p.id, p.thread_id, p.author_id, u.name AS author_name, u.role AS author_role, p.body, \
     p.is_question, p.hidden, p.held, p.created_at, \
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
        held: bool,
        now: i64,
    ) -> Result<String> {
        let _w = self.write_guard().await;
        let id = new_id();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO community_threads (id, author_id, title, lang, locked, hidden, held, accepted_post, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 0, 0, $5, NULL, $6, $6)",
        )
        .bind(&id)
        .bind(author_id)
        .bind(title)
        .bind(lang)
        .bind(i64::from(held))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        insert_post(&mut tx, &new_id(), &id, author_id, body, true, held, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Adds an answer; returns its id.
    pub async fn add_answer(
        &self,
        thread_id: &str,
        author_id: &str,
        body: &str,
        held: bool,
        now: i64,
    ) -> Result<String> {
        let _w = self.write_guard().await;
        let id = new_id();
        let mut tx = self.pool.begin().await?;
        insert_post(&mut tx, &id, thread_id, author_id, body, false, held, now).await?;
        // A held answer makes the thread active when it is let through.
        if !held {
            sqlx::query("UPDATE community_threads SET updated_at = $1 WHERE id = $2")
                .bind(now)
                .bind(thread_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Threads, most recently active first; hidden ones only when asked.
    pub async fn threads(&self, with_hidden: bool, limit: i64) -> Result<Vec<Thread>> {
        let filter = if with_hidden {
            " WHERE t.merged_into IS NULL"
        } else {
            " WHERE t.merged_into IS NULL AND t.hidden = 0 AND t.held = 0"
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

    /// The posts of a thread the user has reported.
    pub async fn my_reports(&self, thread_id: &str, user_id: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT r.post_id FROM community_reports r JOIN community_posts p ON p.id = r.post_id \
             WHERE p.thread_id = $1 AND r.reporter_id = $2",
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
            "SELECT body FROM community_posts WHERE thread_id = $1 AND hidden = 0 AND held = 0 \
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
             t.locked, t.hidden, t.held, t.merged_into, t.accepted_post, t.created_at, t.updated_at, \
             CAST(0 AS BIGINT) AS answers, CAST(0 AS BIGINT) AS score \
             FROM community_threads t JOIN users u ON u.id = t.author_id \
             WHERE t.merged_into IS NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        let posts: Vec<(String, String)> = sqlx::query_as(
            "SELECT thread_id, body FROM community_posts WHERE hidden = 0 AND held = 0 \
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

#[allow(clippy::too_many_arguments)]
async fn insert_post(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    thread_id: &str,
    author_id: &str,
    body: &str,
    is_question: bool,
    held: bool,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO community_posts (id, thread_id, author_id, body, is_question, hidden, held, created_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6, $7)",
    )
    .bind(id)
    .bind(thread_id)
    .bind(author_id)
    .bind(body)
    .bind(i64::from(is_question))
    .bind(i64::from(held))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An open report of a post, with who made it.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PostReport {
    pub post_id: String,
    pub reporter_name: String,
    pub reason: String,
    pub comment: String,
    pub created_at: i64,
}

/// What waits for staff: posts held for review and reported posts, each
/// with its thread's title and its open reports.
#[derive(Debug, Clone, Default)]
pub struct ReviewQueue {
    pub held: Vec<(Post, String)>,
    pub reported: Vec<(Post, String, Vec<PostReport>)>,
}

impl Store {
    /// Whether the user has a post that is let through and not hidden:
    /// while staff hold new users' first posts, such a user is not new.
    pub async fn has_approved_post(&self, user_id: &str) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM community_posts WHERE author_id = $1 AND held = 0 AND hidden = 0 LIMIT 1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    /// Staff: moves a thread to the other language's community and, when
    /// given, retitles it.
    pub async fn move_thread(&self, id: &str, lang: &str, title: Option<&str>) -> Result<()> {
        let _w = self.write_guard().await;
        sqlx::query(
            "UPDATE community_threads SET lang = $1, title = COALESCE($2, title) WHERE id = $3",
        )
        .bind(lang)
        .bind(title)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Staff: merges thread `from` into `into`. Its question becomes an
    /// answer there, its answers and their votes come along, its accepted
    /// answer stays accepted when `into` has none, and links to `from`
    /// (and to threads merged into it before) lead to `into`.
    pub async fn merge_threads(&self, from: &str, into: &str, now: i64) -> Result<()> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let accepted: Option<Option<String>> = sqlx::query_scalar(
            "SELECT accepted_post FROM community_threads WHERE id = $1 AND merged_into IS NULL",
        )
        .bind(from)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(accepted) = accepted else {
            return Err(StoreError::Corrupt("no such thread to merge".into()));
        };
        sqlx::query(
            "UPDATE community_posts SET thread_id = $1, is_question = 0 WHERE thread_id = $2",
        )
        .bind(into)
        .bind(from)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE community_threads SET accepted_post = COALESCE(accepted_post, $1), updated_at = $2 WHERE id = $3",
        )
        .bind(accepted)
        .bind(now)
        .bind(into)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE community_threads SET merged_into = $1, accepted_post = NULL, updated_at = $2 \
             WHERE id = $3 OR merged_into = $3",
        )
        .bind(into)
        .bind(now)
        .bind(from)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A reader reports a post; one report per reader and post (a second
    /// one changes nothing). Returns whether this one is new.
    pub async fn report_post(
        &self,
        post_id: &str,
        reporter_id: &str,
        reason: &str,
        comment: &str,
        now: i64,
    ) -> Result<bool> {
        let _w = self.write_guard().await;
        let done = sqlx::query(
            "INSERT INTO community_reports (post_id, reporter_id, reason, comment, created_at, resolved_at) \
             VALUES ($1, $2, $3, $4, $5, NULL) ON CONFLICT (post_id, reporter_id) DO NOTHING",
        )
        .bind(post_id)
        .bind(reporter_id)
        .bind(reason)
        .bind(comment)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// How many posts wait for staff (held or reported).
    pub async fn review_queue_len(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM community_posts WHERE held = 1 AND hidden = 0) + \
             (SELECT COUNT(DISTINCT post_id) FROM community_reports WHERE resolved_at IS NULL)",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    /// Held posts, oldest first, and reported posts with their open
    /// reports, most reported first (at most `limit` of each).
    pub async fn review_queue(&self, limit: i64) -> Result<ReviewQueue> {
        const TITLED: &str = "SELECT p.id, p.thread_id, p.author_id, u.name AS author_name, u.role AS author_role, p.body, \
             p.is_question, p.hidden, p.held, p.created_at, \
             (SELECT CAST(COALESCE(SUM(v.value), 0) AS BIGINT) FROM community_votes v WHERE v.post_id = p.id) AS score, \
             t.title AS thread_title \
             FROM community_posts p JOIN users u ON u.id = p.author_id JOIN community_threads t ON t.id = p.thread_id";
        #[derive(FromRow)]
        struct Titled {
            #[sqlx(flatten)]
            post: Post,
            thread_title: String,
        }
        let held: Vec<Titled> = sqlx::query_as(&format!(
            "{TITLED} WHERE p.held = 1 AND p.hidden = 0 ORDER BY p.created_at, p.id LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let reports: Vec<PostReport> = sqlx::query_as(
            "SELECT r.post_id, u.name AS reporter_name, r.reason, r.comment, r.created_at \
             FROM community_reports r JOIN users u ON u.id = r.reporter_id \
             WHERE r.resolved_at IS NULL ORDER BY r.created_at, r.post_id, r.reporter_id",
        )
        .fetch_all(&self.pool)
        .await?;
        // Grouped by post in the order of each post's first report.
        let mut by_post: Vec<(String, Vec<PostReport>)> = Vec::new();
        let mut slot: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for r in reports {
            match slot.get(&r.post_id) {
                Some(&i) => by_post[i].1.push(r),
                None => {
                    slot.insert(r.post_id.clone(), by_post.len());
                    by_post.push((r.post_id.clone(), vec![r]));
                }
            }
        }
        by_post.sort_by_key(|b| std::cmp::Reverse(b.1.len()));
        by_post.truncate(usize::try_from(limit).unwrap_or(0));
        let mut reported = Vec::new();
        if !by_post.is_empty() {
            let mut q = crate::sql::Sql::new(format!("{TITLED} WHERE p.id IN ("));
            for (i, (id, _)) in by_post.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.bind(id.as_str());
            }
            q.push(")");
            let posts: Vec<Titled> = q.query_as().fetch_all(&self.pool).await?;
            for (id, list) in by_post {
                if let Some(t) = posts.iter().find(|t| t.post.id == id) {
                    reported.push((t.post.clone(), t.thread_title.clone(), list));
                }
            }
        }
        Ok(ReviewQueue {
            held: held.into_iter().map(|t| (t.post, t.thread_title)).collect(),
            reported,
        })
    }

    /// Staff decide on a post: let it through (`approve`), hide it (a
    /// question hides its thread), or leave it as it is; its open reports
    /// are resolved either way.
    pub async fn review_post(
        &self,
        post_id: &str,
        approve: bool,
        hide: bool,
        now: i64,
    ) -> Result<()> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT thread_id, is_question FROM community_posts WHERE id = $1")
                .bind(post_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((thread_id, is_question)) = row else {
            return Err(StoreError::Corrupt("no such post".into()));
        };
        if approve {
            sqlx::query("UPDATE community_posts SET held = 0 WHERE id = $1")
                .bind(post_id)
                .execute(&mut *tx)
                .await?;
            let thread_set = if is_question != 0 { "held = 0, " } else { "" };
            sqlx::query(&format!(
                "UPDATE community_threads SET {thread_set}updated_at = $1 WHERE id = $2"
            ))
            .bind(now)
            .bind(&thread_id)
            .execute(&mut *tx)
            .await?;
        }
        if hide {
            if is_question != 0 {
                sqlx::query("UPDATE community_threads SET hidden = 1 WHERE id = $1")
                    .bind(&thread_id)
                    .execute(&mut *tx)
                    .await?;
            } else {
                sqlx::query("UPDATE community_posts SET hidden = 1 WHERE id = $1")
                    .bind(post_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        sqlx::query("UPDATE community_reports SET resolved_at = $1 WHERE post_id = $2 AND resolved_at IS NULL")
            .bind(now)
            .bind(post_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
