//! Status integrations of organisations (Slack, Teams, Discord, generic
//! webhooks) and the browsers subscribed to Web Push.
use crate::sql::Sql;
use crate::{Result, Store, new_id};
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Integration {
    pub id: String,
    pub org_id: String,
    pub kind: String,
    pub url: String,
    pub secret: Option<String>,
    pub components: String,
    pub created_at: i64,
    /// `sv` or `en`; `None` for the server's default language.
    pub language: Option<String>,
}

impl Integration {
    /// The chosen component ids; empty means everything.
    pub fn component_ids(&self) -> Vec<&str> {
        split_ids(&self.components)
    }
}

/// A status integration to add.
pub struct IntegrationInput<'a> {
    pub org_id: &'a str,
    pub kind: &'a str,
    pub url: &'a str,
    pub secret: Option<&'a str>,
    pub components: &'a [String],
    pub created_by: &'a str,
    pub language: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PushSubscription {
    pub id: String,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub components: String,
    pub language: String,
    pub created_at: i64,
}

fn split_ids(list: &str) -> Vec<&str> {
    list.split(',').filter(|c| !c.is_empty()).collect()
}

/// `",a,b,"` for a list of ids, `""` for none (everything).
pub fn join_ids(ids: &[String]) -> String {
    if ids.is_empty() {
        String::new()
    } else {
        format!(",{},", ids.join(","))
    }
}

const INTEGRATION: &str = "id, org_id, kind, url, secret, components, created_at, language";
const PUSH: &str = "id, endpoint, p256dh, auth, components, language, created_at";

/// Appends `AND (components = '' OR components LIKE … )`: rows that want
/// news of everything or of any of `components`.
pub(crate) fn wants_any(sql: &mut Sql, components: &[String]) {
    sql.push(" AND (components = ''");
    for c in components {
        sql.push(" OR components LIKE ").bind(format!("%,{c},%"));
    }
    sql.push(")");
}

impl Store {
    pub async fn create_integration(
        &self,
        new: &IntegrationInput<'_>,
        now: i64,
    ) -> Result<Integration> {
        let id = new_id();
        let components = join_ids(new.components);
        let _w = self.write_guard().await;
        sqlx::query(
            "INSERT INTO integrations (id, org_id, kind, url, secret, components, created_by, created_at, language) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(new.org_id)
        .bind(new.kind)
        .bind(new.url)
        .bind(new.secret)
        .bind(&components)
        .bind(new.created_by)
        .bind(now)
        .bind(new.language)
        .execute(&self.pool)
        .await?;
        Ok(Integration {
            id,
            org_id: new.org_id.into(),
            kind: new.kind.into(),
            url: new.url.into(),
            secret: new.secret.map(str::to_string),
            components,
            created_at: now,
            language: new.language.map(str::to_string),
        })
    }

    /// One integration, whoever owns it: callers check the owner through
    /// the policy before showing or changing it.
    /// One of organisation `org_id`'s integrations; another's is `None`.
    pub async fn integration(&self, org_id: &str, id: &str) -> Result<Option<Integration>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {INTEGRATION} FROM integrations WHERE id = $1 AND org_id = $2"
        ))
        .bind(id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// An integration for the delivery worker, which posts on behalf of
    /// whichever organisation queued the message.
    pub async fn integration_for_delivery(&self, id: &str) -> Result<Option<Integration>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {INTEGRATION} FROM integrations WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn integrations_of(&self, org_id: &str) -> Result<Vec<Integration>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {INTEGRATION} FROM integrations WHERE org_id = $1 ORDER BY created_at, id"
        ))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Removes one of organisation `org_id`'s integrations.
    pub async fn delete_integration(&self, org_id: &str, id: &str) -> Result<bool> {
        let _w = self.write_guard().await;
        let done = sqlx::query("DELETE FROM integrations WHERE id = $1 AND org_id = $2")
            .bind(id)
            .bind(org_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Integrations of every organisation that want news of any of
    /// `components`, by id after `after`.
    pub async fn integrations_for(
        &self,
        components: &[String],
        after: &str,
        limit: i64,
    ) -> Result<Vec<Integration>> {
        self.wanting("integrations", INTEGRATION, components, after, limit)
            .await
    }

    /// Rows of `table` that want news of any of `components` (or of
    /// everything), by id after `after`.
    async fn wanting<T>(
        &self,
        table: &str,
        columns: &str,
        components: &[String],
        after: &str,
        limit: i64,
    ) -> Result<Vec<T>>
    where
        T: for<'r> FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let mut sql = Sql::new(format!("SELECT {columns} FROM {table} WHERE id > "));
        sql.bind(after);
        wants_any(&mut sql, components);
        sql.push(" ORDER BY id LIMIT ").bind(limit);
        Ok(sql.query_as().fetch_all(&self.pool).await?)
    }
}

impl Store {
    /// Records a browser's push subscription; the same endpoint again
    /// replaces its keys and choices. Returns the subscription's id.
    pub async fn add_push_subscription(
        &self,
        endpoint: &str,
        p256dh: &str,
        auth: &str,
        components: &[String],
        language: &str,
        now: i64,
    ) -> Result<String> {
        let _w = self.write_guard().await;
        let id: String = sqlx::query_scalar(
            "INSERT INTO push_subscriptions (id, endpoint, p256dh, auth, components, language, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (endpoint) DO UPDATE SET \
             p256dh = excluded.p256dh, auth = excluded.auth, components = excluded.components, \
             language = excluded.language RETURNING id",
        )
        .bind(new_id())
        .bind(endpoint)
        .bind(p256dh)
        .bind(auth)
        .bind(join_ids(components))
        .bind(language)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    pub async fn push_subscription(&self, id: &str) -> Result<Option<PushSubscription>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PUSH} FROM push_subscriptions WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Forgets a subscription by its endpoint (the browser unsubscribed).
    pub async fn remove_push_endpoint(&self, endpoint: &str) -> Result<bool> {
        let _w = self.write_guard().await;
        let done = sqlx::query("DELETE FROM push_subscriptions WHERE endpoint = $1")
            .bind(endpoint)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Forgets a subscription by id (its push service says it is gone).
    pub async fn remove_push_subscription(&self, id: &str) -> Result<bool> {
        let _w = self.write_guard().await;
        let done = sqlx::query("DELETE FROM push_subscriptions WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn push_subscriptions_for(
        &self,
        components: &[String],
        after: &str,
        limit: i64,
    ) -> Result<Vec<PushSubscription>> {
        self.wanting("push_subscriptions", PUSH, components, after, limit)
            .await
    }
}
