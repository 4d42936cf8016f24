//! Status-page e-mail subscribers.
use crate::sql::Sql;
use crate::{NewOutboxMessage, Result, Store, hash_secret, new_id, new_secret};
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Subscriber {
    pub id: String,
    pub email: String,
    pub components: String,
    pub language: String,
    pub confirmed_at: Option<i64>,
    pub unsubscribed_at: Option<i64>,
}

impl Subscriber {
    /// The chosen component ids; empty means everything.
    pub fn component_ids(&self) -> Vec<&str> {
        self.components
            .split(',')
            .filter(|c| !c.is_empty())
            .collect()
    }
}

const COLUMNS: &str = "id, email, components, language, confirmed_at, unsubscribed_at";

impl Store {
    /// Records a subscription. A new or lapsed subscriber gets a
    /// confirmation e-mail (built by `mail` from the subscriber id and the raw
    /// confirmation token) in the same transaction and nothing else until
    /// they confirm; a confirmed one just has their components updated.
    /// Returns whether a confirmation was sent.
    pub async fn subscribe(
        &self,
        email: &str,
        components: &[String],
        language: &str,
        now: i64,
        mail: impl FnOnce(&str, &str) -> NewOutboxMessage,
    ) -> Result<bool> {
        let _w = self.write_guard().await;
        let list = if components.is_empty() {
            String::new()
        } else {
            format!(",{},", components.join(","))
        };
        let mut tx = self.pool.begin().await?;
        let existing: Option<Subscriber> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM subscribers WHERE lower(email) = lower($1)"
        ))
        .bind(email)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(s) = &existing
            && s.confirmed_at.is_some()
            && s.unsubscribed_at.is_none()
        {
            sqlx::query("UPDATE subscribers SET components = $1 WHERE id = $2")
                .bind(&list)
                .bind(&s.id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            return Ok(false);
        }
        let (raw, hash) = new_secret("sub_");
        let id = match existing {
            Some(s) => {
                sqlx::query(
                    "UPDATE subscribers SET components = $1, language = $2, confirm_hash = $3, confirmed_at = NULL, \
                     unsubscribed_at = NULL WHERE id = $4",
                )
                .bind(&list)
                .bind(language)
                .bind(&hash)
                .bind(&s.id)
                .execute(&mut *tx)
                .await?;
                s.id
            }
            None => {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO subscribers (id, email, components, language, confirm_hash, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&id)
                .bind(email)
                .bind(&list)
                .bind(language)
                .bind(&hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                id
            }
        };
        sqlx::query("UPDATE subscribers SET confirm_sent_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        crate::outbox::insert(&mut tx, &mail(&id, &raw), now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// When the latest confirmation e-mail was queued for an address that
    /// has not confirmed yet (`None`: no confirmation is pending).
    pub async fn pending_confirmation_sent_at(&self, email: &str) -> Result<Option<i64>> {
        let at: Option<Option<i64>> = sqlx::query_scalar(
            "SELECT COALESCE(confirm_sent_at, created_at) FROM subscribers \
             WHERE lower(email) = lower($1) AND confirmed_at IS NULL AND confirm_hash IS NOT NULL",
        )
        .bind(email)
        .fetch_optional(&self.pool)
        .await?;
        Ok(at.flatten())
    }

    /// Confirms a subscription by its e-mailed token.
    pub async fn confirm_subscription(&self, raw: &str, now: i64) -> Result<Option<Subscriber>> {
        let _w = self.write_guard().await;
        let done = sqlx::query(
            "UPDATE subscribers SET confirmed_at = $1, confirm_hash = NULL WHERE confirm_hash = $2",
        )
        .bind(now)
        .bind(hash_secret(raw))
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM subscribers WHERE confirmed_at = $1 ORDER BY id DESC LIMIT 1"
        ))
        .bind(now)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn subscriber(&self, id: &str) -> Result<Option<Subscriber>> {
        Ok(
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM subscribers WHERE id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn unsubscribe(&self, id: &str, now: i64) -> Result<bool> {
        let _w = self.write_guard().await;
        let done = sqlx::query(
            "UPDATE subscribers SET unsubscribed_at = $1 WHERE id = $2 AND unsubscribed_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Confirmed, subscribed subscribers who want news of any of
    /// `components` (or of everything), by id after `after`.
    pub async fn subscribers_for(
        &self,
        components: &[String],
        after: &str,
        limit: i64,
    ) -> Result<Vec<Subscriber>> {
        let mut sql = Sql::new(format!(
            "SELECT {COLUMNS} FROM subscribers WHERE {WANTS_MAIL} AND id > "
        ));
        sql.bind(after);
        crate::integrations::wants_any(&mut sql, components);
        sql.push(" ORDER BY id LIMIT ").bind(limit);
        Ok(sql.query_as().fetch_all(&self.pool).await?)
    }

    /// Queues many messages in one transaction; ones already queued (same
    /// idempotency key) are skipped, so a repeated fan-out sends nothing twice.
    pub async fn enqueue(&self, messages: &[NewOutboxMessage], now: i64) -> Result<()> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        crate::outbox::insert_many(&mut tx, messages, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// One e-mail per subscriber who wants news of one of `components`, each
/// filling the template of the subscriber's language.
#[derive(Debug, Clone)]
pub struct MailFanout<'a> {
    pub components: &'a [String],
    /// Each row's idempotency key is this followed by the subscriber's id.
    pub key_prefix: &'a str,
    /// A template id per language code ...
    pub templates: &'a [(String, String)],
    /// ... and the one for any other code.
    pub fallback: &'a str,
}

/// Subscribers per INSERT … SELECT: small enough that the writer is free
/// again within tens of milliseconds for the other writes of an outage.
const FANOUT_CHUNK: i64 = 5000;

impl Store {
    /// Up to `limit` subscribers whose link signature is not stored yet.
    pub async fn subscribers_without_link_sig(&self, limit: i64) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM subscribers WHERE link_sig IS NULL ORDER BY id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Stores link signatures, `(subscriber id, signature)`.
    pub async fn set_link_sigs(&self, sigs: &[(String, String)]) -> Result<()> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        for (id, sig) in sigs {
            sqlx::query("UPDATE subscribers SET link_sig = $1 WHERE id = $2")
                .bind(sig)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Queues the e-mails of a fan-out inside the database, a chunk of
    /// subscribers per statement: each row holds the address and the
    /// subscriber's id and link signature (`{"s": …, "t": …}`) for its
    /// template's slots. Subscribers without a signature yet are left out
    /// (sign them first). Rows already queued (same key) are skipped, so a
    /// repeated fan-out queues nothing twice. Returns how many were queued.
    pub async fn queue_mail_fanout(&self, f: &MailFanout<'_>, now: i64) -> Result<u64> {
        // The chunks' upper ends, found in one pass over the index.
        let mut edges = Sql::new(format!(
            "SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM subscribers \
             WHERE {WANTS_MAIL}"
        ));
        crate::integrations::wants_any(&mut edges, f.components);
        // PostgreSQL's writers do not wait on each other: bigger chunks.
        let chunk = match self.backend() {
            crate::Backend::Sqlite => FANOUT_CHUNK,
            crate::Backend::Postgres => FANOUT_CHUNK * 5,
        };
        edges
            .push(") AS numbered WHERE n % ")
            .bind(chunk)
            .push(" = 0 ORDER BY id");
        let edges: Vec<String> = edges
            .query_as::<(String,)>()
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(|(id,)| id)
            .collect();
        let mut chunks = Vec::with_capacity(edges.len() + 1);
        let mut after = String::new();
        for upto in edges.into_iter().map(Some).chain([None]) {
            chunks.push(fanout_chunk(f, now, &after, upto.as_deref()));
            after = upto.unwrap_or_default();
        }
        // A chunk at a time: on SQLite each is short enough that the other
        // writes of an outage get the one writer between them. (Chunks on
        // several PostgreSQL connections at once were slower on two cores.)
        let mut queued = 0;
        for sql in chunks {
            let _w = self.write_guard().await;
            queued += sql.query().execute(&self.pool).await?.rows_affected();
        }
        Ok(queued)
    }
}

/// The INSERT … SELECT of the subscribers after `after` up to `upto`
/// (to the end when `None`).
fn fanout_chunk(f: &MailFanout<'_>, now: i64, after: &str, upto: Option<&str>) -> Sql {
    let mut sql = Sql::new(
        "INSERT INTO outbox (id, channel, target, payload, idempotency_key, template_id, \
         state, attempts, next_attempt_at, created_at) SELECT ",
    );
    // Time-ordered like every id, unique per subscriber.
    sql.bind(format!("{}.", new_id()))
        .push(" || id, 'email', email, '{\"s\":\"' || id || '\",\"t\":\"' || link_sig || '\"}', ")
        .bind(f.key_prefix)
        .push(" || id, CASE language");
    for (code, template) in f.templates {
        sql.push(" WHEN ")
            .bind(code.as_str())
            .push(" THEN ")
            .bind(template.as_str());
    }
    sql.push(" ELSE ")
        .bind(f.fallback)
        .push(" END, 'pending', 0, ");
    sql.bind(now).push(", ").bind(now);
    sql.push(&format!(
        " FROM subscribers WHERE {WANTS_MAIL} AND link_sig IS NOT NULL AND id > "
    ))
    .bind(after);
    if let Some(upto) = upto {
        sql.push(" AND id <= ").bind(upto);
    }
    crate::integrations::wants_any(&mut sql, f.components);
    sql.push(" ON CONFLICT (idempotency_key) DO NOTHING");
    sql
}

/// Subscribers who get e-mail.
const WANTS_MAIL: &str = "confirmed_at IS NOT NULL AND unsubscribed_at IS NULL";

impl Store {
    /// Adds already-confirmed subscribers to everything, for imports,
    /// benchmarks and tests. Returns how many were new.
    pub async fn add_confirmed_subscribers(
        &self,
        emails: &[String],
        language: &str,
        now: i64,
    ) -> Result<usize> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let mut added = 0;
        for email in emails {
            let done = sqlx::query(
                "INSERT INTO subscribers (id, email, components, language, confirmed_at, created_at) \
                 VALUES ($1, $2, '', $3, $4, $4) ON CONFLICT DO NOTHING",
            )
            .bind(new_id())
            .bind(email)
            .bind(language)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            added += usize::try_from(done.rows_affected()).unwrap_or(0);
        }
        tx.commit().await?;
        Ok(added)
    }
}
