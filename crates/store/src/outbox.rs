//! The delivery outbox: one row per message to send, written in the same
//! transaction as the event that causes it. Delivery workers (the notify
//! crate) claim due rows with a lease, deliver, and mark them done.
use crate::{Result, Store, new_id};
use sqlx::{Any, FromRow, Transaction};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutboxMessage {
    /// `email`, later also `webhook`, `push`.
    pub channel: String,
    /// Where it goes: an e-mail address, a URL.
    pub target: String,
    /// The message itself, as JSON.
    pub payload: String,
    /// Unique per logical delivery; retries reuse it, receivers deduplicate by it.
    pub idempotency_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct OutboxMessage {
    pub id: String,
    pub channel: String,
    pub target: String,
    pub payload: String,
    pub idempotency_key: String,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
}

pub(crate) async fn insert(
    tx: &mut Transaction<'_, Any>,
    msg: &NewOutboxMessage,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO outbox (id, channel, target, payload, idempotency_key, state, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6) ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(new_id())
    .bind(&msg.channel)
    .bind(&msg.target)
    .bind(&msg.payload)
    .bind(&msg.idempotency_key)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// The newest outbox rows, for staff views and tests.
    pub async fn recent_outbox(&self, limit: i64) -> Result<Vec<OutboxMessage>> {
        Ok(sqlx::query_as(
            "SELECT id, channel, target, payload, idempotency_key, state, attempts, next_attempt_at, \
             last_error, created_at FROM outbox ORDER BY created_at DESC, id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn pending_outbox_count(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state = 'pending'")
                .fetch_one(&self.pool)
                .await?,
        )
    }
}
