//! The delivery outbox: one row per message to send, written in the same
//! transaction as the event that causes it. Delivery workers (the notify
//! crate) claim due rows with a lease, deliver, and mark them done.
use crate::sql::Sql;
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
    /// The [`OutboxTemplate`] this row fills in, if any: then `payload`
    /// holds only the row's own values, as a JSON object of strings.
    pub template: Option<String>,
}

impl NewOutboxMessage {
    /// A message whose payload is whole.
    pub fn new(channel: &str, target: &str, payload: String, idempotency_key: String) -> Self {
        Self {
            channel: channel.into(),
            target: target.into(),
            payload,
            idempotency_key,
            template: None,
        }
    }
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
    /// The template the payload was filled in from, if any; `payload` is
    /// always the whole message as read.
    #[sqlx(default)]
    pub template_id: Option<String>,
}

/// The columns every read of outbox rows selects.
const COLUMNS: &str = "id, channel, target, payload, idempotency_key, state, attempts, next_attempt_at, \
                       last_error, created_at, template_id";

/// The rendered message of a fan-out, stored once per language: its
/// payload has slots ([`OutboxTemplate::token`]) where each row's values go.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct OutboxTemplate {
    pub id: String,
    /// Random per template, so no text of the message can look like a slot.
    pub slot: String,
    pub payload: String,
}

impl OutboxTemplate {
    /// A template with a fresh random slot; `render` gets the template to
    /// ask for its tokens and returns the payload with them in place.
    pub fn render(id: String, render: impl FnOnce(&Self) -> String) -> Self {
        use rand::RngCore;
        let mut bytes = [0u8; 12];
        rand::rng().fill_bytes(&mut bytes);
        let mut t = Self {
            id,
            slot: format!("slot{}", hex::encode(bytes)),
            payload: String::new(),
        };
        t.payload = render(&t);
        t
    }

    /// Where the value `name` goes. `to` is the row's target; any other
    /// name is a key of the row's payload object. Tokens are letters,
    /// digits and dots, so JSON and HTML leave them as they are; the values
    /// that fill them (ids, hex signatures) are meant to be the same in
    /// text and HTML, and are JSON-escaped, so the payload stays JSON.
    pub fn token(&self, name: &str) -> String {
        format!("{}.{name}.", self.slot)
    }

    /// The whole payload of one row: the slots filled with the row's
    /// target and values (JSON-escaped, since the payload is JSON).
    pub fn fill(&self, target: &str, values: &str) -> String {
        let mut out = self.payload.replace(&self.token("to"), &json_text(target));
        if let Ok(serde_json::Value::Object(values)) = serde_json::from_str(values) {
            for (name, value) in values {
                let Some(value) = value.as_str() else {
                    continue;
                };
                out = out.replace(&self.token(&name), &json_text(value));
            }
        }
        out
    }
}

/// `s` as it stands inside a JSON string, without the quotes.
fn json_text(s: &str) -> String {
    let quoted = serde_json::Value::String(s.to_string()).to_string();
    quoted[1..quoted.len() - 1].to_string()
}

pub(crate) async fn insert(
    tx: &mut Transaction<'_, Any>,
    msg: &NewOutboxMessage,
    now: i64,
) -> Result<()> {
    insert_many(tx, std::slice::from_ref(msg), now).await
}

/// Rows per INSERT: 8 values each stays far below SQLite's 32,766 and
/// PostgreSQL's 65,535 parameters per statement.
const ROWS_PER_INSERT: usize = 1000;

/// Queues `msgs` with multi-row inserts; a row whose idempotency key is
/// already queued is skipped.
pub(crate) async fn insert_many(
    tx: &mut Transaction<'_, Any>,
    msgs: &[NewOutboxMessage],
    now: i64,
) -> Result<()> {
    for chunk in msgs.chunks(ROWS_PER_INSERT) {
        let mut sql = Sql::new(
            "INSERT INTO outbox (id, channel, target, payload, idempotency_key, template_id, \
             state, attempts, next_attempt_at, created_at) VALUES ",
        );
        for (i, m) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind(new_id())
                .push(", ")
                .bind(m.channel.as_str())
                .push(", ");
            sql.bind(m.target.as_str())
                .push(", ")
                .bind(m.payload.as_str())
                .push(", ");
            sql.bind(m.idempotency_key.as_str())
                .push(", ")
                .bind(m.template.clone());
            sql.push(", 'pending', 0, ")
                .bind(now)
                .push(", ")
                .bind(now)
                .push(")");
        }
        sql.push(" ON CONFLICT (idempotency_key) DO NOTHING");
        sql.query().execute(&mut **tx).await?;
    }
    Ok(())
}

impl Store {
    /// Stores fan-out templates; one already stored under the same id is
    /// kept (rows queued before a crash name it, and it stays theirs).
    pub async fn put_outbox_templates(&self, templates: &[OutboxTemplate], now: i64) -> Result<()> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        for t in templates {
            sqlx::query(
                "INSERT INTO outbox_templates (id, slot, payload, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(&t.id)
            .bind(&t.slot)
            .bind(&t.payload)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A stored template; they never change, so they are kept in memory.
    async fn outbox_template(&self, id: &str) -> Result<Option<std::sync::Arc<OutboxTemplate>>> {
        if let Some(t) = self.templates.lock().ok().and_then(|m| m.get(id).cloned()) {
            return Ok(Some(t));
        }
        let found: Option<OutboxTemplate> =
            sqlx::query_as("SELECT id, slot, payload FROM outbox_templates WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        let Some(found) = found else {
            return Ok(None);
        };
        let found = std::sync::Arc::new(found);
        if let Ok(mut m) = self.templates.lock() {
            // A few fan-outs are in flight at a time; start over now and then.
            if m.len() >= 256 {
                m.clear();
            }
            m.insert(id.to_string(), found.clone());
        }
        Ok(Some(found))
    }

    /// Rows as their readers see them: a templated row's payload is the
    /// whole message. A row whose template is missing keeps its values,
    /// which delivery refuses as a bad payload (and staff can see).
    async fn filled(&self, mut rows: Vec<OutboxMessage>) -> Result<Vec<OutboxMessage>> {
        for row in &mut rows {
            let Some(id) = &row.template_id else {
                continue;
            };
            if let Some(t) = self.outbox_template(id).await? {
                row.payload = t.fill(&row.target, &row.payload);
            }
        }
        Ok(rows)
    }
}

impl Store {
    /// The newest outbox rows, for staff views and tests.
    pub async fn recent_outbox(&self, limit: i64) -> Result<Vec<OutboxMessage>> {
        let rows = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM outbox ORDER BY created_at DESC, id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        self.filled(rows).await
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
             RETURNING {COLUMNS}"
        );
        let w = self.write_guard().await;
        let rows = sqlx::query_as(&sql)
            .bind(now + lease_ms)
            .bind(channel)
            .bind(now)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        drop(w);
        self.filled(rows).await
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
        let rows = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE state = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
        ))
        .bind(state)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        self.filled(rows).await
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_is_filled_with_each_rows_values() {
        let t = OutboxTemplate::render("t1".into(), |t| {
            serde_json::json!({
                "to": t.token("to"),
                "text": format!("Bye: https://x.test/u?s={}&t={}", t.token("s"), t.token("t")),
            })
            .to_string()
        });
        let other = OutboxTemplate::render("t2".into(), |t| t.token("to"));
        assert_ne!(t.slot, other.slot, "every template has its own slot");
        let values = serde_json::json!({"s": "id1", "t": "ab\"c"}).to_string();
        let filled: serde_json::Value =
            serde_json::from_str(&t.fill("ada@example.test", &values)).expect("still JSON");
        assert_eq!(filled["to"], "ada@example.test");
        assert_eq!(filled["text"], "Bye: https://x.test/u?s=id1&t=ab\"c");
        // Text that merely looks like a slot of another template stays.
        let foreign = format!("{} {}", other.token("to"), "slot.to.");
        let t3 = OutboxTemplate::render("t3".into(), |_| foreign.clone());
        assert_eq!(t3.fill("b@example.test", "{}"), foreign);
    }
}
