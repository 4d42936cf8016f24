//! Support teams: a name, business hours, the agents in it, and the
//! organisations it serves.
use crate::{Result, Store, StoreError, is_unique_violation, new_id};
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SupportTeam {
    pub id: String,
    pub name: String,
    pub time_zone: String,
    /// The working days, comma-separated (`mon,tue,…`).
    pub days: String,
    /// `HH:MM`.
    pub opens: String,
    /// `HH:MM`.
    pub closes: String,
    pub created_at: i64,
}

/// A team as written (name and hours, already checked).
#[derive(Debug, Clone, Copy)]
pub struct TeamFields<'a> {
    pub name: &'a str,
    pub time_zone: &'a str,
    pub days: &'a str,
    pub opens: &'a str,
    pub closes: &'a str,
}

const TEAM_SELECT: &str =
    "SELECT id, name, time_zone, days, opens, closes, created_at FROM support_teams";

fn duplicate(e: sqlx::Error) -> StoreError {
    if is_unique_violation(&e) {
        StoreError::Duplicate("a support team with this name")
    } else {
        e.into()
    }
}

async fn insert_members(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    team_id: &str,
    members: &[String],
) -> Result<()> {
    for user in members {
        sqlx::query("INSERT INTO support_team_members (team_id, user_id) VALUES ($1, $2)")
            .bind(team_id)
            .bind(user)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Every support team, by name.
    pub async fn support_teams(&self) -> Result<Vec<SupportTeam>> {
        Ok(
            sqlx::query_as(&format!("{TEAM_SELECT} ORDER BY lower(name), id"))
                .fetch_all(&self.pool)
                .await?,
        )
    }

    pub async fn support_team(&self, id: &str) -> Result<Option<SupportTeam>> {
        Ok(sqlx::query_as(&format!("{TEAM_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Every team's agents, as (team, user) pairs.
    pub async fn support_team_members(&self) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT m.team_id, m.user_id FROM support_team_members m \
             JOIN users u ON u.id = m.user_id WHERE u.removed_at IS NULL \
             ORDER BY m.team_id, lower(u.name)",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// The organisations that have a team, as (organisation, team) pairs.
    pub async fn org_teams(&self) -> Result<Vec<(String, String)>> {
        Ok(
            sqlx::query_as("SELECT id, team_id FROM organisations WHERE team_id IS NOT NULL")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Creates a team with its agents (ids of staff, checked by the caller).
    pub async fn create_support_team(
        &self,
        fields: &TeamFields<'_>,
        members: &[String],
        now: i64,
    ) -> Result<String> {
        let _w = self.write_guard().await;
        let id = new_id();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO support_teams (id, name, time_zone, days, opens, closes, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(fields.name)
        .bind(fields.time_zone)
        .bind(fields.days)
        .bind(fields.opens)
        .bind(fields.closes)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(duplicate)?;
        insert_members(&mut tx, &id, members).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Rewrites a team; `members`, when given, replaces its agents.
    pub async fn update_support_team(
        &self,
        id: &str,
        fields: &TeamFields<'_>,
        members: Option<&[String]>,
    ) -> Result<bool> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE support_teams SET name = $1, time_zone = $2, days = $3, opens = $4, closes = $5 \
             WHERE id = $6",
        )
        .bind(fields.name)
        .bind(fields.time_zone)
        .bind(fields.days)
        .bind(fields.opens)
        .bind(fields.closes)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(duplicate)?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        if let Some(members) = members {
            sqlx::query("DELETE FROM support_team_members WHERE team_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            insert_members(&mut tx, id, members).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Deletes a team: its organisations go back to the default hours.
    pub async fn delete_support_team(&self, id: &str) -> Result<bool> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE organisations SET team_id = NULL WHERE team_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM support_team_members WHERE team_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM support_teams WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Puts an organisation in a team (or none).
    pub async fn set_org_team(&self, org_id: &str, team_id: Option<&str>) -> Result<bool> {
        let _w = self.write_guard().await;
        let done = sqlx::query("UPDATE organisations SET team_id = $1 WHERE id = $2")
            .bind(team_id)
            .bind(org_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
