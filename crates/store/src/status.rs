//! The status page's data: components with their history, incidents and
//! scheduled maintenance with their updates.
use crate::{Result, Store, StoreError, new_id};
use domain::status::ComponentStatus;
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Component {
    pub id: String,
    pub name: String,
    pub description: String,
    pub group_name: Option<String>,
    pub position: i64,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// JSON: `{"sv": {"name": "…", "description": "…"}}`.
    pub translations: String,
}

impl Component {
    pub fn status(&self) -> ComponentStatus {
        ComponentStatus::parse(&self.status).unwrap_or(ComponentStatus::Operational)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Incident {
    pub id: String,
    /// `incident` or `maintenance`.
    pub kind: String,
    pub name: String,
    pub status: String,
    pub impact: String,
    pub scheduled_for: Option<i64>,
    pub scheduled_until: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub started_at: i64,
    pub monitoring_at: Option<i64>,
    pub resolved_at: Option<i64>,
    /// JSON: `{"sv": {"name": "…", "postmortem": "…"}}`.
    pub translations: String,
    /// Markdown, empty until one is written.
    pub postmortem: String,
    pub postmortem_at: Option<i64>,
    pub edited_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct IncidentUpdate {
    pub id: String,
    pub incident_id: String,
    pub status: String,
    pub body: String,
    /// JSON array of `{code, name, old_status, new_status}`.
    pub affected: String,
    pub created_at: i64,
    /// JSON: `{"sv": {"body": "…"}}`.
    pub translations: String,
    pub edited_at: Option<i64>,
}

/// What an incident's or update's texts were before an edit.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct IncidentEdit {
    pub id: String,
    pub incident_id: String,
    /// The update edited; `None` for the incident's own texts.
    pub update_id: Option<String>,
    pub editor_id: Option<String>,
    /// JSON of the texts before the edit.
    pub previous: String,
    pub edited_at: i64,
}

/// New texts for an incident (`None` leaves one as it is).
#[derive(Debug, Clone, Default)]
pub struct IncidentTexts<'a> {
    pub name: Option<&'a str>,
    pub postmortem: Option<&'a str>,
    pub translations: Option<&'a str>,
    /// Whether the page should say "Edited": a corrected name, not a
    /// postmortem written later.
    pub correction: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct IncidentComponent {
    pub incident_id: String,
    pub component_id: String,
    pub status: String,
}

/// What to change about a component; `None` leaves a field as it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct ComponentChange<'a> {
    pub name: Option<&'a str>,
    pub description: Option<&'a str>,
    /// `Some(None)` removes the component from its group.
    pub group: Option<Option<&'a str>>,
    pub position: Option<i64>,
    pub status: Option<ComponentStatus>,
    /// The whole translations JSON, replacing what was there.
    pub translations: Option<&'a str>,
}

/// An incident or maintenance to create, with its first update.
#[derive(Debug, Clone)]
pub struct NewIncident<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub status: &'a str,
    pub impact: &'a str,
    pub body: &'a str,
    /// Translations JSON of the incident (name) and of its first update (body).
    pub translations: &'a str,
    pub body_translations: &'a str,
    pub scheduled_for: Option<i64>,
    pub scheduled_until: Option<i64>,
    /// Affected components and the status each gets (for maintenance, the
    /// status they get while it runs).
    pub components: Vec<(String, ComponentStatus)>,
    /// Whether the components' statuses change now.
    pub apply_statuses: bool,
}

/// An update to post on an incident or maintenance.
#[derive(Debug, Clone)]
pub struct NewIncidentUpdate<'a> {
    pub incident_id: &'a str,
    pub expected_status: &'a str,
    pub status: &'a str,
    pub body: &'a str,
    pub translations: &'a str,
    /// Components whose status changes with this update.
    pub components: Vec<(String, ComponentStatus)>,
    pub resolved: bool,
}

const INCIDENT_COLUMNS: &str = "id, kind, name, status, impact, scheduled_for, scheduled_until, created_at, \
     updated_at, started_at, monitoring_at, resolved_at, translations, postmortem, postmortem_at, edited_at";
const COMPONENT_COLUMNS: &str =
    "id, name, description, group_name, position, status, created_at, updated_at, translations";
const UPDATE_COLUMNS: &str =
    "id, incident_id, status, body, affected, created_at, translations, edited_at";

impl Store {
    /// Every component, in display order.
    pub async fn components(&self) -> Result<Vec<Component>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COMPONENT_COLUMNS} FROM components ORDER BY position, name"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn component(&self, id: &str) -> Result<Option<Component>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COMPONENT_COLUMNS} FROM components WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn create_component(
        &self,
        name: &str,
        description: &str,
        group: Option<&str>,
        position: i64,
        now: i64,
    ) -> Result<String> {
        let _w = self.write_guard().await;
        let id = new_id();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO components (id, name, description, group_name, position, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'operational', $6, $6)",
        )
        .bind(&id)
        .bind(name)
        .bind(description)
        .bind(group)
        .bind(position)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        insert_history(&mut tx, &id, ComponentStatus::Operational, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a component's name, description, group, position or status;
    /// a status change is recorded in its history.
    pub async fn update_component(
        &self,
        id: &str,
        change: &ComponentChange<'_>,
        now: i64,
    ) -> Result<bool> {
        let ComponentChange {
            name,
            description,
            group,
            position,
            status,
            translations,
        } = *change;
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let current: Option<String> =
            sqlx::query_scalar("SELECT status FROM components WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(current) = current else {
            tx.rollback().await?;
            return Ok(false);
        };
        let (set_group, group) = match group {
            Some(g) => (1i64, g),
            None => (0i64, None),
        };
        sqlx::query(
            "UPDATE components SET name = COALESCE($1, name), description = COALESCE($2, description), \
             group_name = CASE WHEN $3 = 1 THEN $4 ELSE group_name END, position = COALESCE($5, position), \
             updated_at = $6, translations = COALESCE($8, translations) WHERE id = $7",
        )
        .bind(name)
        .bind(description)
        .bind(set_group)
        .bind(group)
        .bind(position)
        .bind(now)
        .bind(id)
        .bind(translations)
        .execute(&mut *tx)
        .await?;
        if let Some(status) = status
            && status.as_str() != current
        {
            set_status(&mut tx, id, status, now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Status changes of every component since `since` plus the status each
    /// had then: `(component id, since, status)` in time order.
    pub async fn component_history(&self, since: i64) -> Result<Vec<(String, i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT h.component_id, h.since, h.status FROM component_history h \
             WHERE h.since >= $1 OR h.id IN (\
               SELECT (SELECT h2.id FROM component_history h2 WHERE h2.component_id = c.id AND h2.since < $1 \
                       ORDER BY h2.since DESC, h2.id DESC LIMIT 1) FROM components c) \
             ORDER BY h.component_id, h.since, h.id",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Creates an incident or maintenance with its first update.
    pub async fn create_incident(&self, new: &NewIncident<'_>, now: i64) -> Result<String> {
        let _w = self.write_guard().await;
        let id = new_id();
        let mut tx = self.pool.begin().await?;
        let resolved = matches!(new.status, "resolved" | "completed");
        sqlx::query(
            "INSERT INTO incidents (id, kind, name, status, impact, scheduled_for, scheduled_until, created_at, \
             updated_at, started_at, monitoring_at, resolved_at, translations) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8, $9, $10, $11)",
        )
        .bind(&id)
        .bind(new.kind)
        .bind(new.name)
        .bind(new.status)
        .bind(new.impact)
        .bind(new.scheduled_for)
        .bind(new.scheduled_until)
        .bind(now)
        .bind((new.status == "monitoring").then_some(now))
        .bind(resolved.then_some(now))
        .bind(new.translations)
        .execute(&mut *tx)
        .await?;
        let mut affected = Vec::new();
        for (component_id, status) in &new.components {
            sqlx::query("INSERT INTO incident_components (incident_id, component_id, status) VALUES ($1, $2, $3)")
                .bind(&id)
                .bind(component_id)
                .bind(status.as_str())
                .execute(&mut *tx)
                .await?;
            if new.apply_statuses {
                affected.push(change_component(&mut tx, component_id, *status, now).await?);
            }
        }
        insert_update(
            &mut tx,
            &id,
            (new.status, new.body, new.body_translations),
            &affected,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Posts an update; returns false (and writes nothing) when the
    /// incident's status is no longer `expected_status`.
    pub async fn post_incident_update(&self, u: &NewIncidentUpdate<'_>, now: i64) -> Result<bool> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE incidents SET status = $1, updated_at = $2, \
             monitoring_at = CASE WHEN $1 = 'monitoring' AND monitoring_at IS NULL THEN $2 ELSE monitoring_at END, \
             resolved_at = CASE WHEN $3 = 1 THEN $2 ELSE resolved_at END \
             WHERE id = $4 AND status = $5",
        )
        .bind(u.status)
        .bind(now)
        .bind(i64::from(u.resolved))
        .bind(u.incident_id)
        .bind(u.expected_status)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        let mut affected = Vec::new();
        for (component_id, status) in &u.components {
            sqlx::query(
                "INSERT INTO incident_components (incident_id, component_id, status) VALUES ($1, $2, $3) \
                 ON CONFLICT (incident_id, component_id) DO UPDATE SET status = excluded.status",
            )
            .bind(u.incident_id)
            .bind(component_id)
            .bind(status.as_str())
            .execute(&mut *tx)
            .await?;
            affected.push(change_component(&mut tx, component_id, *status, now).await?);
        }
        insert_update(
            &mut tx,
            u.incident_id,
            (u.status, u.body, u.translations),
            &affected,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn incident(&self, id: &str) -> Result<Option<Incident>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The newest incidents (or maintenances) first.
    pub async fn incidents(&self, kind: &str, limit: i64) -> Result<Vec<Incident>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE kind = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
        ))
        .bind(kind)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Unresolved incidents and maintenance that is not completed.
    pub async fn open_incidents(&self) -> Result<Vec<Incident>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE resolved_at IS NULL ORDER BY created_at DESC, id DESC"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn incident_updates(&self, ids: &[String]) -> Result<Vec<IncidentUpdate>> {
        let mut out = Vec::new();
        for id in ids {
            let mut rows: Vec<IncidentUpdate> = sqlx::query_as(&format!(
                "SELECT {UPDATE_COLUMNS} FROM incident_updates \
                 WHERE incident_id = $1 ORDER BY created_at DESC, id DESC"
            ))
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
            out.append(&mut rows);
        }
        Ok(out)
    }

    pub async fn incident_components(&self, ids: &[String]) -> Result<Vec<IncidentComponent>> {
        let mut out = Vec::new();
        for id in ids {
            let mut rows: Vec<IncidentComponent> = sqlx::query_as(
                "SELECT incident_id, component_id, status FROM incident_components WHERE incident_id = $1",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
            out.append(&mut rows);
        }
        Ok(out)
    }

    /// Changes an incident's own texts (name, postmortem, translations),
    /// keeping what they were in its edit history. False when there is no
    /// such incident.
    pub async fn edit_incident(
        &self,
        id: &str,
        texts: &IncidentTexts<'_>,
        editor: Option<&str>,
        now: i64,
    ) -> Result<bool> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let row: Option<(String, String, String)> =
            sqlx::query_as("SELECT name, postmortem, translations FROM incidents WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((name, postmortem, translations)) = row else {
            tx.rollback().await?;
            return Ok(false);
        };
        if texts.name.is_none_or(|n| n == name)
            && texts.postmortem.is_none_or(|p| p == postmortem)
            && texts.translations.is_none_or(|t| t == translations)
        {
            // Saved as it was: nothing to record.
            tx.rollback().await?;
            return Ok(true);
        }
        let previous = serde_json::json!({
            "name": name,
            "postmortem": postmortem,
            "translations": serde_json::from_str::<serde_json::Value>(&translations)
                .unwrap_or_default(),
        });
        insert_edit(&mut tx, id, None, editor, &previous, now).await?;
        sqlx::query(
            "UPDATE incidents SET name = COALESCE($1, name), postmortem = COALESCE($2, postmortem), \
             translations = COALESCE($3, translations), updated_at = $4, \
             edited_at = CASE WHEN $6 = 1 THEN $4 ELSE edited_at END, \
             postmortem_at = CASE WHEN postmortem_at IS NULL AND COALESCE($2, postmortem) <> '' \
             THEN $4 ELSE postmortem_at END WHERE id = $5",
        )
        .bind(texts.name)
        .bind(texts.postmortem)
        .bind(texts.translations)
        .bind(now)
        .bind(id)
        .bind(i64::from(texts.correction))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Changes a posted update's text and translations, keeping what they
    /// were. False when the incident has no such update.
    pub async fn edit_incident_update(
        &self,
        incident_id: &str,
        update_id: &str,
        body: Option<&str>,
        translations: Option<&str>,
        editor: Option<&str>,
        now: i64,
    ) -> Result<bool> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT body, translations FROM incident_updates WHERE id = $1 AND incident_id = $2",
        )
        .bind(update_id)
        .bind(incident_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((old_body, old_translations)) = row else {
            tx.rollback().await?;
            return Ok(false);
        };
        if body.is_none_or(|b| b == old_body) && translations.is_none_or(|t| t == old_translations)
        {
            tx.rollback().await?;
            return Ok(true);
        }
        let previous = serde_json::json!({
            "body": old_body,
            "translations": serde_json::from_str::<serde_json::Value>(&old_translations)
                .unwrap_or_default(),
        });
        insert_edit(
            &mut tx,
            incident_id,
            Some(update_id),
            editor,
            &previous,
            now,
        )
        .await?;
        sqlx::query(
            "UPDATE incident_updates SET body = COALESCE($1, body), \
             translations = COALESCE($2, translations), edited_at = $3 WHERE id = $4",
        )
        .bind(body)
        .bind(translations)
        .bind(now)
        .bind(update_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE incidents SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(incident_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// An incident's edit history, newest first.
    pub async fn incident_edits(&self, incident_id: &str) -> Result<Vec<IncidentEdit>> {
        Ok(sqlx::query_as(
            "SELECT id, incident_id, update_id, editor_id, previous, edited_at FROM incident_edits \
             WHERE incident_id = $1 ORDER BY edited_at DESC, id DESC",
        )
        .bind(incident_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Links a support request to an incident.
    pub async fn link_request(&self, incident_id: &str, request_id: &str) -> Result<()> {
        let _w = self.write_guard().await;
        sqlx::query(
            "INSERT INTO incident_requests (incident_id, request_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(incident_id)
        .bind(request_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn linked_requests(&self, incident_id: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT request_id FROM incident_requests WHERE incident_id = $1 ORDER BY request_id",
        )
        .bind(incident_id)
        .fetch_all(&self.pool)
        .await?)
    }
}

async fn insert_edit(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    incident_id: &str,
    update_id: Option<&str>,
    editor: Option<&str>,
    previous: &serde_json::Value,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO incident_edits (id, incident_id, update_id, editor_id, previous, edited_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(incident_id)
    .bind(update_id)
    .bind(editor)
    .bind(previous.to_string())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_history(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    status: ComponentStatus,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO component_history (id, component_id, status, since) VALUES ($1, $2, $3, $4)",
    )
    .bind(new_id())
    .bind(id)
    .bind(status.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn set_status(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    status: ComponentStatus,
    now: i64,
) -> Result<()> {
    sqlx::query("UPDATE components SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    insert_history(tx, id, status, now).await
}

/// Sets a component's status inside an incident's transaction and returns
/// the JSON of the change for the update's `affected_components`.
async fn change_component(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    status: ComponentStatus,
    now: i64,
) -> Result<serde_json::Value> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT name, status FROM components WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    let Some((name, old)) = row else {
        return Err(StoreError::Corrupt(format!("component {id} vanished")));
    };
    if old != status.as_str() {
        set_status(tx, id, status, now).await?;
    }
    Ok(
        serde_json::json!({"code": id, "name": name, "old_status": old, "new_status": status.as_str()}),
    )
}

async fn insert_update(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    incident_id: &str,
    (status, body, translations): (&str, &str, &str),
    affected: &[serde_json::Value],
    now: i64,
) -> Result<()> {
    let update_id = new_id();
    sqlx::query(
        "INSERT INTO incident_updates (id, incident_id, status, body, affected, created_at, translations) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&update_id)
    .bind(incident_id)
    .bind(status)
    .bind(body)
    .bind(serde_json::Value::Array(affected.to_vec()).to_string())
    .bind(now)
    .bind(translations)
    .execute(&mut **tx)
    .await?;
    // Subscribers hear of every posted update: one fan-out row, in this
    // transaction, that a worker expands into a message per subscriber.
    let fanout = crate::NewOutboxMessage::new(
        "fanout",
        incident_id,
        serde_json::json!({"incident_id": incident_id, "update_id": update_id}).to_string(),
        format!("fanout:{update_id}"),
    );
    crate::outbox::insert(tx, &fanout, now).await?;
    Ok(())
}
