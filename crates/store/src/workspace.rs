//! The agents' workspace: canned replies (macros), saved queue views,
//! ratings of solved requests, and the incidents a request is linked to.
use crate::{Result, Store, new_id};
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Macro {
    pub id: String,
    pub owner_id: String,
    pub owner_name: String,
    pub name: String,
    pub body: String,
    #[sqlx(try_from = "i64")]
    pub shared: Flag,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A 0/1 column as a bool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl From<i64> for Flag {
    fn from(v: i64) -> Self {
        Flag(v != 0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SavedView {
    pub id: String,
    pub user_id: String,
    pub name: String,
    /// The queue's query string (`view=open&sort=-updated&…`).
    pub query: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    pub request_id: String,
    pub rater_id: String,
    pub rater_name: String,
    pub good: bool,
    pub comment: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An incident a request is linked to.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct LinkedIncident {
    pub id: String,
    pub name: String,
    pub status: String,
    pub resolved_at: Option<i64>,
    /// The name in other languages (JSON, see the status page's texts).
    pub translations: String,
}

const MACRO_SELECT: &str = "SELECT m.id, m.owner_id, u.name AS owner_name, m.name, m.body, m.shared, \
     m.created_at, m.updated_at FROM macros m JOIN users u ON u.id = m.owner_id";

impl Store {
    /// The canned replies an agent may use: shared ones and their own,
    /// by name.
    pub async fn macros_for(&self, user_id: &str) -> Result<Vec<Macro>> {
        Ok(sqlx::query_as(&format!(
            "{MACRO_SELECT} WHERE m.shared = 1 OR m.owner_id = $1 ORDER BY lower(m.name), m.id"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn macro_by_id(&self, id: &str) -> Result<Option<Macro>> {
        Ok(sqlx::query_as(&format!("{MACRO_SELECT} WHERE m.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn create_macro(
        &self,
        owner_id: &str,
        name: &str,
        body: &str,
        shared: bool,
        now: i64,
    ) -> Result<String> {
        let _w = self.write_guard().await;
        let id = new_id();
        sqlx::query(
            "INSERT INTO macros (id, owner_id, name, body, shared, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(&id)
        .bind(owner_id)
        .bind(name)
        .bind(body)
        .bind(i64::from(shared))
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    pub async fn update_macro(
        &self,
        id: &str,
        name: &str,
        body: &str,
        shared: bool,
        now: i64,
    ) -> Result<bool> {
        let _w = self.write_guard().await;
        let done = sqlx::query(
            "UPDATE macros SET name = $1, body = $2, shared = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(name)
        .bind(body)
        .bind(i64::from(shared))
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn delete_macro(&self, id: &str) -> Result<bool> {
        let _w = self.write_guard().await;
        let done = sqlx::query("DELETE FROM macros WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// An agent's saved queue views, by name.
    pub async fn saved_views(&self, user_id: &str) -> Result<Vec<SavedView>> {
        Ok(sqlx::query_as(
            "SELECT id, user_id, name, query, created_at FROM saved_views WHERE user_id = $1 \
             ORDER BY lower(name), id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn save_view(
        &self,
        user_id: &str,
        name: &str,
        query: &str,
        now: i64,
    ) -> Result<String> {
        let _w = self.write_guard().await;
        let id = new_id();
        sqlx::query(
            "INSERT INTO saved_views (id, user_id, name, query, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(user_id)
        .bind(name)
        .bind(query)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// Deletes one of the user's saved views; false if they have no such view.
    pub async fn delete_view(&self, user_id: &str, id: &str) -> Result<bool> {
        let _w = self.write_guard().await;
        let done = sqlx::query("DELETE FROM saved_views WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Rates a request, or changes its rating.
    pub async fn rate_request(
        &self,
        request_id: &str,
        rater_id: &str,
        good: bool,
        comment: &str,
        now: i64,
    ) -> Result<()> {
        let _w = self.write_guard().await;
        sqlx::query(
            "INSERT INTO request_ratings (request_id, rater_id, good, comment, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (request_id) DO UPDATE SET \
             rater_id = excluded.rater_id, good = excluded.good, comment = excluded.comment, \
             updated_at = excluded.updated_at",
        )
        .bind(request_id)
        .bind(rater_id)
        .bind(i64::from(good))
        .bind(comment)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn rating(&self, request_id: &str) -> Result<Option<Rating>> {
        #[derive(FromRow)]
        struct Row {
            request_id: String,
            rater_id: String,
            rater_name: String,
            good: i64,
            comment: String,
            created_at: i64,
            updated_at: i64,
        }
        let row: Option<Row> = sqlx::query_as(
            "SELECT t.request_id, t.rater_id, u.name AS rater_name, t.good, t.comment, t.created_at, \
             t.updated_at FROM request_ratings t JOIN users u ON u.id = t.rater_id WHERE t.request_id = $1",
        )
        .bind(request_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| Rating {
            request_id: r.request_id,
            rater_id: r.rater_id,
            rater_name: r.rater_name,
            good: r.good != 0,
            comment: r.comment,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }))
    }

    /// Notes that an agent has a request open (and whether they type), and
    /// returns the other agents seen on it since `since`: (name, typing).
    pub async fn touch_presence(
        &self,
        request_id: &str,
        user_id: &str,
        typing: bool,
        now: i64,
        since: i64,
    ) -> Result<Vec<(String, bool)>> {
        {
            let _w = self.write_guard().await;
            sqlx::query(
                "INSERT INTO request_presence (request_id, user_id, typing, seen_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (request_id, user_id) DO UPDATE SET typing = excluded.typing, seen_at = excluded.seen_at",
            )
            .bind(request_id)
            .bind(user_id)
            .bind(i64::from(typing))
            .bind(now)
            .execute(&self.pool)
            .await?;
        }
        self.presence(request_id, user_id, since).await
    }

    /// The agents other than `user_id` seen on a request since `since`.
    pub async fn presence(
        &self,
        request_id: &str,
        user_id: &str,
        since: i64,
    ) -> Result<Vec<(String, bool)>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT u.name, p.typing FROM request_presence p JOIN users u ON u.id = p.user_id \
             WHERE p.request_id = $1 AND p.user_id <> $2 AND p.seen_at >= $3 ORDER BY lower(u.name)",
        )
        .bind(request_id)
        .bind(user_id)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(n, t)| (n, t != 0)).collect())
    }

    /// The incidents a request is linked to, oldest first.
    pub async fn incidents_of_request(&self, request_id: &str) -> Result<Vec<LinkedIncident>> {
        Ok(sqlx::query_as(
            "SELECT i.id, i.name, i.status, i.resolved_at, i.translations FROM incident_requests ir \
             JOIN incidents i ON i.id = ir.incident_id WHERE ir.request_id = $1 \
             ORDER BY i.created_at, i.id",
        )
        .bind(request_id)
        .fetch_all(&self.pool)
        .await?)
    }
}
