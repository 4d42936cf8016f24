//! Live chats: the chat, its numbered messages, how far each side has read,
//! and the agents' presence and capacity. A message is stored with the next
//! `seq` of its chat and the client's own id in one transaction; a client id
//! seen before gives back the message already stored, so a resend stores
//! nothing twice and `seq` never skips.
use crate::sql::Sql;
use crate::{
    Backend, NewOutboxMessage, Result, Scope, Store, StoreError, User, is_unique_violation, new_id,
};
use domain::chat::ChatState;
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chat {
    pub id: String,
    pub org_id: String,
    pub org_name: String,
    pub requester_id: String,
    pub requester_name: String,
    pub subject: String,
    pub component: Option<String>,
    pub state: ChatState,
    pub agent_id: Option<String>,
    pub agent_name: Option<String>,
    pub last_seq: i64,
    pub created_at: i64,
    pub accepted_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub ended_by: Option<String>,
    pub rating: Option<String>,
    pub rating_comment: Option<String>,
    pub request_id: Option<String>,
    pub incident_id: Option<String>,
    pub notified_seq: i64,
}

#[derive(FromRow)]
struct ChatRow {
    id: String,
    org_id: String,
    org_name: String,
    requester_id: String,
    requester_name: String,
    subject: String,
    component: Option<String>,
    state: String,
    agent_id: Option<String>,
    agent_name: Option<String>,
    last_seq: i64,
    created_at: i64,
    accepted_at: Option<i64>,
    ended_at: Option<i64>,
    ended_by: Option<String>,
    rating: Option<String>,
    rating_comment: Option<String>,
    request_id: Option<String>,
    incident_id: Option<String>,
    notified_seq: i64,
}

impl TryFrom<ChatRow> for Chat {
    type Error = StoreError;
    fn try_from(r: ChatRow) -> Result<Self> {
        Ok(Chat {
            state: ChatState::parse(&r.state).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            id: r.id,
            org_id: r.org_id,
            org_name: r.org_name,
            requester_id: r.requester_id,
            requester_name: r.requester_name,
            subject: r.subject,
            component: r.component,
            agent_id: r.agent_id,
            agent_name: r.agent_name,
            last_seq: r.last_seq,
            created_at: r.created_at,
            accepted_at: r.accepted_at,
            ended_at: r.ended_at,
            ended_by: r.ended_by,
            rating: r.rating,
            rating_comment: r.rating_comment,
            request_id: r.request_id,
            incident_id: r.incident_id,
            notified_seq: r.notified_seq,
        })
    }
}

const CHAT_SELECT: &str = "SELECT c.id, c.org_id, o.name AS org_name, c.requester_id, \
     r.name AS requester_name, c.subject, c.component, c.state, c.agent_id, a.name AS agent_name, \
     c.last_seq, c.created_at, c.accepted_at, c.ended_at, c.ended_by, c.rating, c.rating_comment, \
     c.request_id, c.incident_id, c.notified_seq \
     FROM chats c JOIN organisations o ON o.id = c.org_id JOIN users r ON r.id = c.requester_id \
     LEFT JOIN users a ON a.id = c.agent_id";

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ChatMessage {
    pub chat_id: String,
    pub seq: i64,
    pub client_id: String,
    pub author_id: Option<String>,
    pub author_name: Option<String>,
    pub author_role: Option<String>,
    pub body: String,
    pub created_at: i64,
}

impl ChatMessage {
    pub fn from_staff(&self) -> bool {
        matches!(self.author_role.as_deref(), Some("agent" | "support_admin"))
    }
}

/// What storing a message came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// Stored now, with this seq.
    New(ChatMessage),
    /// The client id was stored before: the same message again.
    Again(ChatMessage),
    /// The chat has ended: nothing stored.
    Ended,
}

/// An agent as chat routing sees them.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AgentLoad {
    pub user_id: String,
    pub name: String,
    /// `online`, `away` or `offline` (also when not seen lately).
    pub state: String,
    pub capacity: i64,
    pub active: i64,
}

/// A new chat with its first message.
pub struct NewChat<'a> {
    pub org_id: &'a str,
    pub requester_id: &'a str,
    pub subject: &'a str,
    pub component: Option<&'a str>,
    pub body: &'a str,
    pub client_id: &'a str,
}

const MESSAGE_SELECT: &str = "SELECT m.chat_id, m.seq, m.client_id, m.author_id, u.name AS author_name, \
     u.role AS author_role, m.body, m.created_at FROM chat_messages m LEFT JOIN users u ON u.id = m.author_id";

impl Store {
    /// Opens a chat with its first message (seq 1).
    pub async fn create_chat(&self, new: &NewChat<'_>, now: i64) -> Result<String> {
        let id = new_id();
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO chats (id, org_id, requester_id, subject, component, state, last_seq, created_at, notified_seq) \
             VALUES ($1, $2, $3, $4, $5, 'waiting', 1, $6, 0)",
        )
        .bind(&id)
        .bind(new.org_id)
        .bind(new.requester_id)
        .bind(new.subject)
        .bind(new.component)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO chat_messages (chat_id, seq, client_id, author_id, body, created_at) VALUES ($1, 1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(new.client_id)
        .bind(new.requester_id)
        .bind(new.body)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One chat `scope` may see.
    pub async fn chat(&self, scope: Scope<'_>, id: &str) -> Result<Option<Chat>> {
        let row: Option<ChatRow> = match scope {
            Scope::Staff => {
                sqlx::query_as(&format!("{CHAT_SELECT} WHERE c.id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
            }
            Scope::Org(org) => {
                sqlx::query_as(&format!("{CHAT_SELECT} WHERE c.id = $1 AND c.org_id = $2"))
                    .bind(id)
                    .bind(org)
                    .fetch_optional(&self.pool)
                    .await?
            }
        };
        row.map(Chat::try_from).transpose()
    }

    /// An organisation's chats, newest first.
    pub async fn org_chats(&self, org_id: &str, limit: i64) -> Result<Vec<Chat>> {
        let rows: Vec<ChatRow> = sqlx::query_as(&format!(
            "{CHAT_SELECT} WHERE c.org_id = $1 ORDER BY c.created_at DESC, c.id DESC LIMIT $2"
        ))
        .bind(org_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Chat::try_from).collect()
    }

    /// Chats in `state`, oldest first (the queue), or an agent's.
    pub async fn chats_in_state(
        &self,
        state: ChatState,
        agent: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Chat>> {
        let rows: Vec<ChatRow> = match agent {
            None => {
                sqlx::query_as(&format!(
                    "{CHAT_SELECT} WHERE c.state = $1 ORDER BY c.created_at, c.id LIMIT $2"
                ))
                .bind(state.as_str())
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
            Some(agent) => {
                sqlx::query_as(&format!(
                    "{CHAT_SELECT} WHERE c.state = $1 AND c.agent_id = $2 ORDER BY c.created_at, c.id LIMIT $3"
                ))
                .bind(state.as_str())
                .bind(agent)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.into_iter().map(Chat::try_from).collect()
    }

    /// Chats that have ended since `since`, newest first (staff history).
    pub async fn ended_chats(&self, limit: i64) -> Result<Vec<Chat>> {
        let rows: Vec<ChatRow> = sqlx::query_as(&format!(
            "{CHAT_SELECT} WHERE c.state = 'ended' ORDER BY c.ended_at DESC, c.id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Chat::try_from).collect()
    }

    /// How many waiting chats are ahead of one created at `created_at`.
    pub async fn chats_ahead(&self, created_at: i64, id: &str) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM chats WHERE state = 'waiting' AND (created_at < $1 OR (created_at = $1 AND id < $2))",
        )
        .bind(created_at)
        .bind(id)
        .fetch_one(&self.pool)
        .await?)
    }

    /// The average wait of the last 50 chats taken, in milliseconds.
    pub async fn recent_wait_ms(&self) -> Result<Option<i64>> {
        let waits: Vec<i64> = sqlx::query_scalar(
            "SELECT accepted_at - created_at FROM chats WHERE accepted_at IS NOT NULL \
             ORDER BY accepted_at DESC LIMIT 50",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok((!waits.is_empty()).then(|| waits.iter().sum::<i64>() / waits.len() as i64))
    }

    /// Stores a message of `author` (a customer or an agent; `None` for the
    /// system) with the next seq, unless its client id was stored before.
    pub async fn add_chat_message(
        &self,
        chat_id: &str,
        client_id: &str,
        author: Option<&User>,
        body: &str,
        now: i64,
    ) -> Result<Stored> {
        // Group commit: every message waiting when a commit starts goes into
        // that one transaction, so a busy chat system pays one fsync per
        // batch, not per message. Whoever holds the commit lock commits for
        // everyone queued; the others find their answer waiting.
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.chat_batch.push(PendingMessage {
            chat_id: chat_id.to_string(),
            client_id: client_id.to_string(),
            author: author.map(|u| u.id.clone()),
            body: body.to_string(),
            now,
            reply,
        });
        {
            let _leader = self.chat_batch.commit.lock().await;
            let batch = self.chat_batch.take();
            if !batch.is_empty() {
                let waited = std::time::Instant::now();
                let _w = self.write_guard().await;
                let started = std::time::Instant::now();
                let result = self.commit_chat_batch(&batch).await;
                let (wait_ms, commit_ms) = (
                    started.duration_since(waited).as_millis() as u64,
                    started.elapsed().as_millis() as u64,
                );
                if wait_ms + commit_ms >= SLOW_BATCH_MS {
                    tracing::warn!(
                        messages = batch.len(),
                        wait_ms,
                        commit_ms,
                        "a chat batch took long to store"
                    );
                }
                match result {
                    Ok(outcomes) => {
                        for (p, o) in batch.into_iter().zip(outcomes) {
                            let _ = p.reply.send(Ok(o));
                        }
                    }
                    Err(e) => {
                        let why = e.to_string();
                        for p in batch {
                            let _ = p.reply.send(Err(StoreError::BatchFailed(why.clone())));
                        }
                    }
                }
            }
        }
        let outcome = answer
            .await
            .map_err(|_| StoreError::BatchFailed("the committer went away".into()))??;
        match outcome {
            Outcome::Ended => Ok(Stored::Ended),
            // What was just written, as a read would give it back: no need
            // to read it.
            Outcome::New(seq) => Ok(Stored::New(ChatMessage {
                chat_id: chat_id.to_string(),
                seq,
                client_id: client_id.to_string(),
                author_id: author.map(|u| u.id.clone()),
                author_name: author.map(|u| u.name.clone()),
                author_role: author.map(|u| u.role.as_str().to_string()),
                body: body.to_string(),
                created_at: now,
            })),
            Outcome::Again => match self.chat_message_by_client(chat_id, client_id).await? {
                Some(m) => Ok(Stored::Again(m)),
                None => Err(StoreError::Corrupt(
                    "a stored chat message is not there".into(),
                )),
            },
        }
    }

    /// How many message batches could not be written at once and went
    /// again message by message (a client id stored by another instance
    /// meanwhile, or a deadlock between instances).
    pub fn chat_batches_retried(&self) -> u64 {
        self.chat_batch
            .retried
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    async fn chat_message_by_client(
        &self,
        chat_id: &str,
        client_id: &str,
    ) -> Result<Option<ChatMessage>> {
        Ok(sqlx::query_as(&format!(
            "{MESSAGE_SELECT} WHERE m.chat_id = $1 AND m.client_id = $2"
        ))
        .bind(chat_id)
        .bind(client_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// One transaction for a batch of messages, in a few statements for the
    /// whole batch. Should that fail (another instance stored one of the
    /// client ids meanwhile, or a deadlock between instances), nothing of it
    /// was written, and the batch goes again message by message.
    async fn commit_chat_batch(&self, batch: &[PendingMessage]) -> Result<Vec<Outcome>> {
        if self.backend() == Backend::Postgres {
            return self.commit_chat_batch_pg(batch).await;
        }
        match self.commit_chat_batch_at_once(batch).await {
            Ok(outcomes) => Ok(outcomes),
            Err(e) => {
                tracing::debug!(error = %e, "a chat batch goes again message by message");
                self.chat_batch
                    .retried
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                self.commit_chat_batch_one_by_one(batch).await
            }
        }
    }

    /// On PostgreSQL each part of a batch is one statement (one round trip,
    /// atomic by itself, durable when it returns): the client ids already
    /// stored, the chats' counters and the new rows, with the messages as
    /// one JSON parameter so the statement stays the same text and is
    /// prepared once per connection. A part that fails goes again message
    /// by message; the parts before it stay as they were stored.
    async fn commit_chat_batch_pg(&self, batch: &[PendingMessage]) -> Result<Vec<Outcome>> {
        let mut outcomes = Vec::with_capacity(batch.len());
        for part in batch.chunks(BATCH_STATEMENT_ROWS) {
            match store_part_in_one_statement(&self.pool, part).await {
                Ok(o) => outcomes.extend(o),
                Err(e) => {
                    tracing::debug!(error = %e, "a chat batch goes again message by message");
                    self.chat_batch
                        .retried
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    outcomes.extend(self.commit_chat_batch_one_by_one(part).await?);
                }
            }
        }
        Ok(outcomes)
    }

    async fn commit_chat_batch_at_once(&self, batch: &[PendingMessage]) -> Result<Vec<Outcome>> {
        let mut tx = self.pool.begin().await?;
        let mut outcomes = Vec::with_capacity(batch.len());
        for part in batch.chunks(BATCH_STATEMENT_ROWS) {
            outcomes.extend(store_batch_part(&mut tx, part).await?);
        }
        tx.commit().await?;
        Ok(outcomes)
    }

    /// Each message in a savepoint, so a client id another instance stored
    /// meanwhile (the unique index) makes that one a repeat, not the batch
    /// a failure.
    async fn commit_chat_batch_one_by_one(&self, batch: &[PendingMessage]) -> Result<Vec<Outcome>> {
        let mut tx = self.pool.begin().await?;
        let mut outcomes = Vec::with_capacity(batch.len());
        for p in batch {
            let mut sp = sqlx::Acquire::begin(&mut *tx).await?;
            match add_in(&mut sp, p).await {
                Ok(o) => {
                    sp.commit().await?;
                    outcomes.push(o);
                }
                Err(StoreError::Db(e)) if is_unique_violation(&e) => {
                    sp.rollback().await?;
                    outcomes.push(Outcome::Again);
                }
                Err(e) => return Err(e),
            }
        }
        tx.commit().await?;
        Ok(outcomes)
    }

    /// Messages after `after`, in seq order, at most `limit`.
    pub async fn chat_messages_after(
        &self,
        chat_id: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<ChatMessage>> {
        Ok(sqlx::query_as(&format!(
            "{MESSAGE_SELECT} WHERE m.chat_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3"
        ))
        .bind(chat_id)
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Moves a chat from `from` to `to`, with its agent and times; `false`
    /// (nothing written) when it is no longer in `from` (or, with
    /// `expect_agent`, no longer that agent's).
    #[allow(clippy::too_many_arguments)]
    pub async fn move_chat(
        &self,
        chat_id: &str,
        from: ChatState,
        expect_agent: Option<&str>,
        to: ChatState,
        agent: Option<&str>,
        ended_by: Option<&str>,
        now: i64,
    ) -> Result<bool> {
        let _w = self.write_guard().await;
        let done = sqlx::query(
            "UPDATE chats SET state = $1, agent_id = COALESCE($2, agent_id), \
             accepted_at = CASE WHEN $1 = 'active' AND accepted_at IS NULL THEN $3 ELSE accepted_at END, \
             ended_at = CASE WHEN $1 = 'ended' THEN $3 ELSE ended_at END, \
             ended_by = CASE WHEN $1 = 'ended' THEN $4 ELSE ended_by END \
             WHERE id = $5 AND state = $6 AND ($7 = '' OR agent_id = $7)",
        )
        .bind(to.as_str())
        .bind(agent)
        .bind(now)
        .bind(ended_by)
        .bind(chat_id)
        .bind(from.as_str())
        .bind(expect_agent.unwrap_or(""))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn rate_chat(
        &self,
        chat_id: &str,
        rating: &str,
        comment: Option<&str>,
    ) -> Result<bool> {
        let _w = self.write_guard().await;
        let done = sqlx::query(
            "UPDATE chats SET rating = $1, rating_comment = $2 WHERE id = $3 AND state = 'ended'",
        )
        .bind(rating)
        .bind(comment)
        .bind(chat_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records the request a chat became; `false` if it already became one.
    pub async fn set_chat_request(&self, chat_id: &str, request_id: &str) -> Result<bool> {
        let _w = self.write_guard().await;
        let done =
            sqlx::query("UPDATE chats SET request_id = $1 WHERE id = $2 AND request_id IS NULL")
                .bind(request_id)
                .bind(chat_id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn link_chat_incident(&self, chat_id: &str, incident_id: &str) -> Result<bool> {
        let _w = self.write_guard().await;
        let done = sqlx::query("UPDATE chats SET incident_id = $1 WHERE id = $2")
            .bind(incident_id)
            .bind(chat_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks how far `user` has read (only ever forwards).
    pub async fn mark_chat_read(&self, chat_id: &str, user_id: &str, seq: i64) -> Result<()> {
        let _w = self.write_guard().await;
        sqlx::query(
            "INSERT INTO chat_reads (chat_id, user_id, seq) VALUES ($1, $2, $3) \
             ON CONFLICT (chat_id, user_id) DO UPDATE SET seq = CASE WHEN excluded.seq > chat_reads.seq THEN excluded.seq ELSE chat_reads.seq END",
        )
        .bind(chat_id)
        .bind(user_id)
        .bind(seq)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// How far each participant has read: (user id, seq).
    pub async fn chat_reads(&self, chat_id: &str) -> Result<Vec<(String, i64)>> {
        Ok(
            sqlx::query_as("SELECT user_id, seq FROM chat_reads WHERE chat_id = $1")
                .bind(chat_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Records an e-mail about a chat's unread answer, at most once per seq,
    /// in one transaction with the outbox row.
    pub async fn notify_chat_answer(
        &self,
        chat_id: &str,
        seq: i64,
        mail: &NewOutboxMessage,
        now: i64,
    ) -> Result<bool> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let done =
            sqlx::query("UPDATE chats SET notified_seq = $1 WHERE id = $2 AND notified_seq < $1")
                .bind(seq)
                .bind(chat_id)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        crate::outbox::insert(&mut tx, mail, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Chats whose latest messages the customer may not have seen: those
    /// with messages after `notified_seq`, active since `since`.
    pub async fn chats_to_notify(&self, since: i64, due: i64, limit: i64) -> Result<Vec<Chat>> {
        // Only chats with a staff answer from before `due` that the
        // customer has neither read nor been mailed: busy chats whose
        // answers are fresh or read cost nothing and starve nobody.
        let rows: Vec<ChatRow> = sqlx::query_as(&format!(
            "{CHAT_SELECT} WHERE c.last_seq > c.notified_seq AND c.agent_id IS NOT NULL AND c.created_at >= $1 \
             AND EXISTS (SELECT 1 FROM chat_messages m JOIN users au ON au.id = m.author_id \
                 WHERE m.chat_id = c.id AND m.seq > c.notified_seq AND m.created_at <= $2 \
                 AND au.role IN ('agent', 'support_admin') \
                 AND m.seq > COALESCE((SELECT cr.seq FROM chat_reads cr WHERE cr.chat_id = c.id AND cr.user_id = c.requester_id), 0)) \
             ORDER BY c.created_at LIMIT $3"
        ))
        .bind(since)
        .bind(due)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Chat::try_from).collect()
    }

    /// Renews an agent's presence.
    pub async fn set_presence(&self, user_id: &str, state: &str, now: i64) -> Result<()> {
        let _w = self.write_guard().await;
        sqlx::query(
            "INSERT INTO agent_presence (user_id, state, seen_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET state = excluded.state, seen_at = excluded.seen_at",
        )
        .bind(user_id)
        .bind(state)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every support agent with their presence (offline when not seen
    /// since `fresh_after`), capacity and active chats.
    pub async fn agent_loads(&self, fresh_after: i64) -> Result<Vec<AgentLoad>> {
        Ok(sqlx::query_as(
            "SELECT u.id AS user_id, u.name, \
             CASE WHEN p.seen_at IS NOT NULL AND p.seen_at > $1 THEN p.state ELSE 'offline' END AS state, \
             u.chat_capacity AS capacity, \
             (SELECT COUNT(*) FROM chats c WHERE c.agent_id = u.id AND c.state = 'active') AS active \
             FROM users u LEFT JOIN agent_presence p ON p.user_id = u.id \
             WHERE u.role IN ('agent', 'support_admin') ORDER BY lower(u.name), u.id",
        )
        .bind(fresh_after)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn set_chat_capacity(&self, user_id: &str, capacity: i64) -> Result<bool> {
        let _w = self.write_guard().await;
        let done = sqlx::query(
            "UPDATE users SET chat_capacity = $1 WHERE id = $2 AND role IN ('agent', 'support_admin')",
        )
        .bind(capacity)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// What happened to one message of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    New(i64),
    Again,
    Ended,
}

struct PendingMessage {
    chat_id: String,
    client_id: String,
    author: Option<String>,
    body: String,
    now: i64,
    reply: tokio::sync::oneshot::Sender<Result<Outcome>>,
}

/// Messages queued for the next commit, and the lock of whoever commits.
#[derive(Default)]
pub(crate) struct ChatBatch {
    queue: std::sync::Mutex<Vec<PendingMessage>>,
    commit: tokio::sync::Mutex<()>,
    /// Batches that went again message by message.
    retried: std::sync::atomic::AtomicU64,
}

impl ChatBatch {
    fn push(&self, p: PendingMessage) {
        match self.queue.lock() {
            Ok(mut q) => q.push(p),
            Err(poisoned) => poisoned.into_inner().push(p),
        }
    }

    fn take(&self) -> Vec<PendingMessage> {
        match self.queue.lock() {
            Ok(mut q) => std::mem::take(&mut *q),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        }
    }
}

/// Messages one statement of a batch writes at most (SQLite allows 32,766
/// arguments; six a message).
const BATCH_STATEMENT_ROWS: usize = 400;

/// A batch that waits for the writer and commits in more than this is
/// logged: every message in it waits that long for its ack.
const SLOW_BATCH_MS: u64 = 50;

/// Stores part of a batch in three statements: which client ids are there
/// already, the chats' new last seqs, and the messages.
/// The first of each (chat, client id) in a part, by index; `None` for the
/// first itself, `Some(first)` for a twin later in the part.
fn twins(part: &[PendingMessage]) -> Vec<Option<usize>> {
    let mut first: std::collections::HashMap<(&str, &str), usize> =
        std::collections::HashMap::new();
    part.iter()
        .enumerate()
        .map(|(i, p)| {
            let key = (p.chat_id.as_str(), p.client_id.as_str());
            match first.get(&key) {
                Some(&f) => Some(f),
                None => {
                    first.insert(key, i);
                    None
                }
            }
        })
        .collect()
}

/// PostgreSQL: one statement stores a part of a batch (see
/// `commit_chat_batch_pg`). It answers, for each first of a client id not
/// stored before, its seq, or null when its chat has ended. The planner
/// cannot know how many rows the JSON holds; the look-ups are written as a
/// scalar subquery and `= ANY (ARRAY(…))` so that they stay index probes
/// and never become a scan of every chat or message.
const STORE_PART_PG: &str = "\
WITH input AS ( \
  SELECT * FROM json_to_recordset($1::json) \
    AS x (ord BIGINT, chat_id TEXT, client_id TEXT, author_id TEXT, body TEXT, created_at BIGINT) \
), fresh AS ( \
  SELECT i.* FROM input AS i WHERE (SELECT COUNT(*) FROM chat_messages AS m \
    WHERE m.chat_id = i.chat_id AND m.client_id = i.client_id) = 0 \
), counts AS ( \
  SELECT chat_id, COUNT(*) AS n FROM fresh GROUP BY chat_id \
), bumped AS ( \
  UPDATE chats AS c SET last_seq = c.last_seq + counts.n FROM counts \
  WHERE c.id = ANY (ARRAY(SELECT chat_id FROM counts)) AND c.id = counts.chat_id \
    AND c.state <> 'ended' \
  RETURNING c.id, c.last_seq - counts.n AS base \
), numbered AS ( \
  SELECT f.*, b.base + ROW_NUMBER() OVER (PARTITION BY f.chat_id ORDER BY f.ord) AS seq \
  FROM fresh AS f JOIN bumped AS b ON b.id = f.chat_id \
), inserted AS ( \
  INSERT INTO chat_messages (chat_id, seq, client_id, author_id, body, created_at) \
  SELECT chat_id, seq, client_id, author_id, body, created_at FROM numbered \
) \
SELECT f.ord, n.seq FROM fresh AS f LEFT JOIN numbered AS n ON n.ord = f.ord";

async fn store_part_in_one_statement(
    pool: &sqlx::AnyPool,
    part: &[PendingMessage],
) -> Result<Vec<Outcome>> {
    let twin_of = twins(part);
    // Only the first of each client id goes in; a twin shares its fate.
    let rows: Vec<serde_json::Value> = part
        .iter()
        .enumerate()
        .filter(|(i, _)| twin_of[*i].is_none())
        .map(|(i, p)| {
            serde_json::json!({
                "ord": i,
                "chat_id": p.chat_id,
                "client_id": p.client_id,
                "author_id": p.author,
                "body": p.body,
                "created_at": p.now,
            })
        })
        .collect();
    let answers: Vec<(i64, Option<i64>)> = sqlx::query_as(STORE_PART_PG)
        .bind(serde_json::Value::Array(rows).to_string())
        .fetch_all(pool)
        .await?;
    // Not among the answers: stored before (a resend).
    let mut outcomes = vec![Outcome::Again; part.len()];
    for (ord, seq) in answers {
        let i = usize::try_from(ord)
            .ok()
            .filter(|i| *i < part.len())
            .ok_or_else(|| StoreError::Corrupt(format!("a chat batch answered for row {ord}")))?;
        outcomes[i] = seq.map_or(Outcome::Ended, Outcome::New);
    }
    for (i, twin) in twin_of.iter().enumerate() {
        if let Some(f) = twin {
            outcomes[i] = match outcomes[*f] {
                Outcome::Ended => Outcome::Ended,
                _ => Outcome::Again,
            };
        }
    }
    Ok(outcomes)
}

async fn store_batch_part(
    conn: &mut sqlx::AnyConnection,
    part: &[PendingMessage],
) -> Result<Vec<Outcome>> {
    use std::collections::{HashMap, HashSet};
    let mut chats: Vec<&str> = Vec::new();
    let mut clients: Vec<&str> = Vec::new();
    for p in part {
        if !chats.contains(&p.chat_id.as_str()) {
            chats.push(&p.chat_id);
        }
        clients.push(&p.client_id);
    }
    let mut q = Sql::new("SELECT chat_id, client_id FROM chat_messages WHERE chat_id IN (");
    list(&mut q, &chats);
    q.push(") AND client_id IN (");
    list(&mut q, &clients);
    q.push(")");
    let stored: HashSet<(String, String)> = q
        .query_as::<(String, String)>()
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();
    // The first of each new client id gets a seq; a twin later in the batch
    // shares the first one's fate.
    let mut first: HashMap<(&str, &str), usize> = HashMap::new();
    let mut twin_of: Vec<Option<usize>> = vec![None; part.len()];
    let mut per_chat: HashMap<&str, i64> = HashMap::new();
    for (i, p) in part.iter().enumerate() {
        let key = (p.chat_id.as_str(), p.client_id.as_str());
        if stored.contains(&(p.chat_id.clone(), p.client_id.clone())) {
            continue;
        }
        match first.get(&key) {
            Some(&f) => twin_of[i] = Some(f),
            None => {
                first.insert(key, i);
                *per_chat.entry(&p.chat_id).or_default() += 1;
            }
        }
    }
    let mut last: HashMap<String, i64> = HashMap::new();
    if !per_chat.is_empty() {
        let mut u = Sql::new("UPDATE chats SET last_seq = last_seq + CASE id");
        for (chat, n) in &per_chat {
            u.push(" WHEN ").bind(*chat).push(" THEN ").bind(*n);
        }
        u.push(" END WHERE state <> 'ended' AND id IN (");
        list(&mut u, &per_chat.keys().copied().collect::<Vec<_>>());
        u.push(") RETURNING id, last_seq");
        last = u
            .query_as::<(String, i64)>()
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
    }
    // Seqs in batch order within each chat: the last one is the chat's new
    // last seq.
    let mut next: HashMap<&str, i64> = per_chat
        .iter()
        .filter_map(|(chat, n)| last.get(*chat).map(|l| (*chat, l - n + 1)))
        .collect();
    let mut outcomes = vec![Outcome::Again; part.len()];
    let mut insert = Sql::new(
        "INSERT INTO chat_messages (chat_id, seq, client_id, author_id, body, created_at) VALUES ",
    );
    let mut rows = 0;
    for (i, p) in part.iter().enumerate() {
        if first.get(&(p.chat_id.as_str(), p.client_id.as_str())) != Some(&i) {
            continue;
        }
        let Some(seq) = next.get_mut(p.chat_id.as_str()) else {
            outcomes[i] = Outcome::Ended;
            continue;
        };
        if rows > 0 {
            insert.push(", ");
        }
        insert
            .push("(")
            .bind(p.chat_id.as_str())
            .push(", ")
            .bind(*seq)
            .push(", ")
            .bind(p.client_id.as_str())
            .push(", ")
            .bind(p.author.clone())
            .push(", ")
            .bind(p.body.as_str())
            .push(", ")
            .bind(p.now)
            .push(")");
        outcomes[i] = Outcome::New(*seq);
        *seq += 1;
        rows += 1;
    }
    for (i, twin) in twin_of.iter().enumerate() {
        if let Some(f) = twin {
            outcomes[i] = match outcomes[*f] {
                Outcome::Ended => Outcome::Ended,
                _ => Outcome::Again,
            };
        }
    }
    if rows > 0 {
        insert.query().execute(&mut *conn).await?;
    }
    Ok(outcomes)
}

/// `$1, $2, …` for `values`.
fn list(q: &mut Sql, values: &[&str]) {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind(*v);
    }
}

/// Stores one message inside the batch's transaction.
/// A client id stored before fails the insert on the unique index; the
/// savepoint around it then undoes the seq too.
async fn add_in(conn: &mut sqlx::AnyConnection, p: &PendingMessage) -> Result<Outcome> {
    let seq: Option<i64> = sqlx::query_scalar(
        "UPDATE chats SET last_seq = last_seq + 1 WHERE id = $1 AND state <> 'ended' RETURNING last_seq",
    )
    .bind(&p.chat_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(seq) = seq else {
        return Ok(Outcome::Ended);
    };
    sqlx::query(
        "INSERT INTO chat_messages (chat_id, seq, client_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&p.chat_id)
    .bind(seq)
    .bind(&p.client_id)
    .bind(p.author.as_deref())
    .bind(&p.body)
    .bind(p.now)
    .execute(&mut *conn)
    .await?;
    Ok(Outcome::New(seq))
}
