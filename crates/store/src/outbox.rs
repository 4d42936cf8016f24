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

    /// How many rows have idempotency keys starting with `prefix`, and how
    /// many of them are delivered: the progress of one fan-out.
    pub async fn outbox_progress(&self, prefix: &str) -> Result<(i64, i64)> {
        let (total, done): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END) FROM outbox \
             WHERE idempotency_key LIKE $1",
        )
        .bind(format!("{prefix}%"))
        .fetch_one(&self.pool)
        .await?;
        Ok((total, done.unwrap_or(0)))
    }

    /// Messages of one channel waiting to be sent.
    pub async fn pending_count(&self, channel: &str) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND channel = $1",
        )
        .bind(channel)
        .fetch_one(&self.pool)
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

impl Store {
    /// Claims up to `limit` due messages of `channel` for `lease_ms`: a
    /// worker that dies before marking them done leaves them to be claimed
    /// again when the lease runs out (a retry, never a loss). On PostgreSQL
    /// concurrent workers skip each other's rows (`FOR UPDATE SKIP LOCKED`).
    pub async fn claim_outbox(
        &self,
        channel: &str,
        now: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>> {
        let lock = match self.backend {
            crate::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            crate::Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE outbox SET lease_until = $1 WHERE id IN (\
               SELECT id FROM outbox WHERE state = 'pending' AND channel = $2 AND next_attempt_at <= $3 \
               AND (lease_until IS NULL OR lease_until < $3) ORDER BY next_attempt_at, id LIMIT $4{lock}) \
             RETURNING id, channel, target, payload, idempotency_key, state, attempts, next_attempt_at, last_error, created_at"
        );
        let _w = self.write_guard().await;
        Ok(sqlx::query_as(&sql)
            .bind(now + lease_ms)
            .bind(channel)
            .bind(now)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Marks a delivered message done.
    pub async fn outbox_done(&self, id: &str) -> Result<()> {
        self.outbox_settle(&[Settle::Done { id: id.into() }]).await
    }

    /// Records a failed attempt: retry at `next_attempt_at`, or give up
    /// (`dead`) for staff to look at.
    pub async fn outbox_failed(
        &self,
        id: &str,
        error: &str,
        next_attempt_at: i64,
        dead: bool,
    ) -> Result<()> {
        self.outbox_settle(&[Settle::Failed {
            id: id.into(),
            error: error.into(),
            next_attempt_at,
            dead,
        }])
        .await
    }
}

/// What became of one claimed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settle {
    /// Delivered, or nothing left to deliver to.
    Done { id: String },
    /// An attempt failed: retry at `next_attempt_at`, or give up (`dead`).
    Failed {
        id: String,
        error: String,
        next_attempt_at: i64,
        dead: bool,
    },
    /// Not attempted (the target's breaker is open): back at `until`,
    /// without spending an attempt.
    Defer { id: String, until: i64, why: String },
}

impl Store {
    /// Records what became of a batch of messages in one transaction: one
    /// durable write per batch instead of one per message. A crash before
    /// it leaves the batch to be delivered again when its lease runs out,
    /// with the same idempotency keys.
    pub async fn outbox_settle(&self, outcomes: &[Settle]) -> Result<()> {
        if outcomes.is_empty() {
            return Ok(());
        }
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        for o in outcomes {
            match o {
                Settle::Done { id } => {
                    sqlx::query(
                        "UPDATE outbox SET state = 'done', lease_until = NULL, attempts = attempts + 1 WHERE id = $1",
                    )
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
                Settle::Failed {
                    id,
                    error,
                    next_attempt_at,
                    dead,
                } => {
                    sqlx::query(
                        "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, lease_until = NULL, \
                         state = CASE WHEN $3 = 1 THEN 'dead' ELSE state END WHERE id = $4",
                    )
                    .bind(error)
                    .bind(*next_attempt_at)
                    .bind(i64::from(*dead))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
                Settle::Defer { id, until, why } => {
                    sqlx::query(
                        "UPDATE outbox SET next_attempt_at = $1, lease_until = NULL, last_error = $2 WHERE id = $3",
                    )
                    .bind(*until)
                    .bind(why)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// Outbox rows in one state (`pending`, `done`, `dead`), newest first.
    pub async fn outbox_in_state(&self, state: &str, limit: i64) -> Result<Vec<OutboxMessage>> {
        Ok(sqlx::query_as(
            "SELECT id, channel, target, payload, idempotency_key, state, attempts, next_attempt_at, \
             last_error, created_at FROM outbox WHERE state = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(state)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Counts of rows per state, for the staff view.
    pub async fn outbox_counts(&self) -> Result<Vec<(String, i64)>> {
        Ok(
            sqlx::query_as("SELECT state, COUNT(*) FROM outbox GROUP BY state ORDER BY state")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Gives a dead message another round of attempts, starting now.
    pub async fn retry_outbox(&self, id: &str, now: i64) -> Result<bool> {
        let _w = self.write_guard().await;
        let done = sqlx::query(
            "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $1, lease_until = NULL \
             WHERE id = $2 AND state = 'dead'",
        )
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl Store {
    /// Marks every pending row of a channel done without delivering it: for
    /// seeded demo history, which nobody is to be notified of.
    pub async fn discard_pending(&self, channel: &str) -> Result<u64> {
        let _w = self.write_guard().await;
        let done = sqlx::query(
            "UPDATE outbox SET state = 'done' WHERE channel = $1 AND state = 'pending'",
        )
        .bind(channel)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}
