//! Organisations, users, sessions, API tokens, password resets and login
//! throttling.
use crate::{
    NewOutboxMessage, Result, Scope, Store, StoreError, hash_secret, is_unique_violation, new_id,
    new_secret,
};
use domain::{ChatRollout, Language, Plan, Role};
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub plan: Plan,
    pub chat_rollout: ChatRollout,
    /// The support team whose business hours its requests count in
    /// (none: the default hours).
    pub team_id: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationSummary {
    pub org: Organisation,
    pub admins: i64,
    pub members: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub language: Option<Language>,
    pub role: Role,
    pub org_id: Option<String>,
    pub created_at: i64,
    /// An IANA time zone name; `None` follows the browser.
    pub time_zone: Option<String>,
}

/// A user together with their organisation: everything needed to decide
/// what they may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user: User,
    pub org: Option<Organisation>,
    /// The user signs in with a second factor (TOTP).
    pub two_factor: bool,
}

impl Principal {
    /// The policy's view of this user; `chat_percent` is the global rollout.
    pub fn actor(&self, chat_percent: u8) -> domain::Actor {
        domain::Actor {
            user_id: self.user.id.clone(),
            role: self.user.role,
            org: self.org.as_ref().map(|o| domain::OrgRef {
                id: o.id.clone(),
                plan: o.plan,
                chat: domain::chat_available(&o.id, o.chat_rollout, chat_percent),
            }),
            second_factor_missing: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub org_id: Option<&'a str>,
    pub password_hash: &'a str,
    pub language: Option<Language>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: String,
    pub label: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

#[derive(FromRow)]
struct OrgRow {
    id: String,
    name: String,
    plan: String,
    chat_rollout: String,
    team_id: Option<String>,
    created_at: i64,
}

impl TryFrom<OrgRow> for Organisation {
    type Error = StoreError;
    fn try_from(r: OrgRow) -> Result<Self> {
        Ok(Organisation {
            plan: Plan::parse(&r.plan).map_err(corrupt)?,
            chat_rollout: ChatRollout::parse(&r.chat_rollout).map_err(corrupt)?,
            id: r.id,
            name: r.name,
            team_id: r.team_id,
            created_at: r.created_at,
        })
    }
}

#[derive(FromRow)]
struct PrincipalRow {
    id: String,
    email: String,
    name: String,
    language: Option<String>,
    role: String,
    org_id: Option<String>,
    created_at: i64,
    org_name: Option<String>,
    org_plan: Option<String>,
    org_chat_rollout: Option<String>,
    org_team_id: Option<String>,
    org_created_at: Option<i64>,
    totp_secret: Option<String>,
    time_zone: Option<String>,
}

impl TryFrom<PrincipalRow> for Principal {
    type Error = StoreError;
    fn try_from(r: PrincipalRow) -> Result<Self> {
        let org = match (
            &r.org_id,
            r.org_name,
            r.org_plan,
            r.org_chat_rollout,
            r.org_created_at,
        ) {
            (Some(id), Some(name), Some(plan), Some(chat), Some(created_at)) => {
                Some(Organisation::try_from(OrgRow {
                    id: id.clone(),
                    name,
                    plan,
                    chat_rollout: chat,
                    team_id: r.org_team_id,
                    created_at,
                })?)
            }
            _ => None,
        };
        Ok(Principal {
            user: User {
                language: r
                    .language
                    .as_deref()
                    .map(Language::parse)
                    .transpose()
                    .map_err(corrupt)?,
                role: Role::parse(&r.role).map_err(corrupt)?,
                id: r.id,
                email: r.email,
                name: r.name,
                org_id: r.org_id,
                created_at: r.created_at,
                time_zone: r.time_zone,
            },
            org,
            two_factor: r.totp_secret.is_some(),
        })
    }
}

fn corrupt(e: domain::ParseError) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

const PRINCIPAL_SELECT: &str = "SELECT u.id, u.email, u.name, u.language, u.role, u.org_id, u.created_at, \
     o.name AS org_name, o.plan AS org_plan, o.chat_rollout AS org_chat_rollout, o.team_id AS org_team_id, \
     o.created_at AS org_created_at, u.totp_secret, u.time_zone \
     FROM users u LEFT JOIN organisations o ON o.id = u.org_id";

const ORG_SELECT: &str =
    "SELECT id, name, plan, chat_rollout, team_id, created_at FROM organisations";

const USER_SELECT: &str = "SELECT u.id, u.email, u.name, u.language, u.role, u.org_id, u.created_at, \
     NULL AS org_name, NULL AS org_plan, NULL AS org_chat_rollout, NULL AS org_team_id, NULL AS org_created_at, \
     u.totp_secret, u.time_zone FROM users u";

impl Store {
    // ---- organisations -------------------------------------------------

    pub async fn create_org(&self, name: &str, plan: Plan, now: i64) -> Result<Organisation> {
        let _w = self.write_guard().await;
        let id = new_id();
        let result = sqlx::query(
            "INSERT INTO organisations (id, name, plan, chat_rollout, created_at) \
             VALUES ($1, $2, $3, 'default', $4)",
        )
        .bind(&id)
        .bind(name)
        .bind(plan.as_str())
        .bind(now)
        .execute(&self.pool)
        .await;
        match result {
            Ok(_) => Ok(Organisation {
                id,
                name: name.to_string(),
                plan,
                chat_rollout: ChatRollout::Default,
                team_id: None,
                created_at: now,
            }),
            Err(e) if is_unique_violation(&e) => {
                Err(StoreError::Duplicate("an organisation with this name"))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Every organisation with its head counts, by name (staff only: the
    /// caller has asked the policy).
    pub async fn list_orgs(&self) -> Result<Vec<OrganisationSummary>> {
        #[derive(FromRow)]
        struct Row {
            id: String,
            name: String,
            plan: String,
            chat_rollout: String,
            team_id: Option<String>,
            created_at: i64,
            admins: i64,
            members: i64,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT o.id, o.name, o.plan, o.chat_rollout, o.team_id, o.created_at, \
             (SELECT COUNT(*) FROM users u WHERE u.org_id = o.id AND u.role = 'admin') AS admins, \
             (SELECT COUNT(*) FROM users u WHERE u.org_id = o.id AND u.role = 'member') AS members \
             FROM organisations o ORDER BY lower(o.name)",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(OrganisationSummary {
                    org: Organisation::try_from(OrgRow {
                        id: r.id,
                        name: r.name,
                        plan: r.plan,
                        chat_rollout: r.chat_rollout,
                        team_id: r.team_id,
                        created_at: r.created_at,
                    })?,
                    admins: r.admins,
                    members: r.members,
                })
            })
            .collect()
    }

    /// One organisation, if `scope` may see it.
    pub async fn org(&self, scope: Scope<'_>, id: &str) -> Result<Option<Organisation>> {
        if let Scope::Org(own) = scope
            && own != id
        {
            return Ok(None);
        }
        let row: Option<OrgRow> = sqlx::query_as(&format!("{ORG_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(Organisation::try_from).transpose()
    }

    /// Looks an organisation up by its (case-insensitive) name, for the CLI.
    pub async fn org_by_name(&self, name: &str) -> Result<Option<Organisation>> {
        let row: Option<OrgRow> =
            sqlx::query_as(&format!("{ORG_SELECT} WHERE lower(name) = lower($1)"))
                .bind(name)
                .fetch_optional(&self.pool)
                .await?;
        row.map(Organisation::try_from).transpose()
    }

    pub async fn set_org_plan(&self, id: &str, plan: Plan) -> Result<bool> {
        let _w = self.write_guard().await;
        let done = sqlx::query("UPDATE organisations SET plan = $1 WHERE id = $2")
            .bind(plan.as_str())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn set_org_chat_rollout(&self, id: &str, setting: ChatRollout) -> Result<bool> {
        let _w = self.write_guard().await;
        let done = sqlx::query("UPDATE organisations SET chat_rollout = $1 WHERE id = $2")
            .bind(setting.as_str())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn org_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM organisations")
            .fetch_one(&self.pool)
            .await?)
    }

    // ---- users -----------------------------------------------------------

    pub async fn create_user(&self, new: &NewUser<'_>, now: i64) -> Result<User> {
        let _w = self.write_guard().await;
        let id = new_id();
        let result = sqlx::query(
            "INSERT INTO users (id, email, name, language, password_hash, role, org_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(new.email)
        .bind(new.name)
        .bind(new.language.map(Language::as_str))
        .bind(new.password_hash)
        .bind(new.role.as_str())
        .bind(new.org_id)
        .bind(now)
        .execute(&self.pool)
        .await;
        match result {
            Ok(_) => Ok(User {
                id,
                email: new.email.to_string(),
                name: new.name.to_string(),
                language: new.language,
                role: new.role,
                org_id: new.org_id.map(str::to_string),
                created_at: now,
                time_zone: None,
            }),
            Err(e) if is_unique_violation(&e) => {
                Err(StoreError::Duplicate("a user with this e-mail address"))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn user_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?)
    }

    /// The user with this e-mail (case-insensitive) and their password hash.
    pub async fn principal_by_email(&self, email: &str) -> Result<Option<(Principal, String)>> {
        let row: Option<PrincipalRow> = sqlx::query_as(&format!(
            "{PRINCIPAL_SELECT} WHERE lower(u.email) = lower($1) AND u.removed_at IS NULL"
        ))
        .bind(email)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(&row.id)
            .fetch_one(&self.pool)
            .await?;
        Ok(Some((Principal::try_from(row)?, hash)))
    }

    pub async fn principal(&self, user_id: &str) -> Result<Option<Principal>> {
        let row: Option<PrincipalRow> = sqlx::query_as(&format!(
            "{PRINCIPAL_SELECT} WHERE u.id = $1 AND u.removed_at IS NULL"
        ))
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(Principal::try_from).transpose()
    }

    pub async fn password_hash(&self, user_id: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The users of one organisation, admins first, if `scope` may see them.
    pub async fn org_users(&self, scope: Scope<'_>, org_id: &str) -> Result<Vec<User>> {
        if let Scope::Org(own) = scope
            && own != org_id
        {
            return Ok(Vec::new());
        }
        let rows: Vec<PrincipalRow> = sqlx::query_as(&format!(
            "{USER_SELECT} WHERE u.org_id = $1 AND u.removed_at IS NULL ORDER BY u.role, lower(u.name)"
        ))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| Principal::try_from(r).map(|p| p.user))
            .collect()
    }

    /// Support staff, by name.
    pub async fn staff_users(&self) -> Result<Vec<User>> {
        let rows: Vec<PrincipalRow> = sqlx::query_as(&format!(
            "{USER_SELECT} WHERE u.org_id IS NULL ORDER BY lower(u.name)"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| Principal::try_from(r).map(|p| p.user))
            .collect()
    }

    /// Sets a password and ends every session of the user except `keep`
    /// (the session that made the change, if any).
    pub async fn set_password(
        &self,
        user_id: &str,
        hash: &str,
        keep_session: Option<&str>,
        now: i64,
    ) -> Result<Vec<String>> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let keep = keep_session.map(hash_secret).unwrap_or_default();
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(user_id)
            .bind(keep)
            .execute(&mut *tx)
            .await?;
        let revoked = revoke_tokens(&mut tx, user_id, now).await?;
        tx.commit().await?;
        Ok(revoked)
    }

    /// Ends every session of a user and revokes every token (support
    /// admins, e.g. after a stolen laptop). Returns (sessions ended,
    /// labels of the tokens revoked).
    pub async fn revoke_access(&self, user_id: &str, now: i64) -> Result<(u64, Vec<String>)> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let revoked = revoke_tokens(&mut tx, user_id, now).await?;
        tx.commit().await?;
        Ok((ended, revoked))
    }

    /// Removes a customer from their organisation: they can no longer sign
    /// in (sessions end, tokens are revoked, password resets are refused);
    /// what they wrote stays.
    pub async fn remove_user(&self, user_id: &str, now: i64) -> Result<bool> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE users SET removed_at = $1 WHERE id = $2 AND removed_at IS NULL AND org_id IS NOT NULL",
        )
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        revoke_tokens(&mut tx, user_id, now).await?;
        sqlx::query("DELETE FROM password_resets WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM request_followers WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// A removed user of `org_id` with this address, if there is one (an
    /// invitation brings them back).
    pub async fn removed_user(&self, org_id: &str, email: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM users WHERE org_id = $1 AND lower(email) = lower($2) AND removed_at IS NOT NULL",
        )
        .bind(org_id)
        .bind(email)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Brings a removed user back, with a new name and role.
    pub async fn restore_user(&self, user_id: &str, name: &str, role: Role) -> Result<bool> {
        let _w = self.write_guard().await;
        let done = sqlx::query(
            "UPDATE users SET removed_at = NULL, name = $1, role = $2 WHERE id = $3 AND removed_at IS NOT NULL",
        )
        .bind(name)
        .bind(role.as_str())
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Changes a user's role; customers need an organisation, staff have none.
    pub async fn set_role(&self, user_id: &str, role: Role, org_id: Option<&str>) -> Result<bool> {
        let _w = self.write_guard().await;
        let done = sqlx::query("UPDATE users SET role = $1, org_id = $2 WHERE id = $3")
            .bind(role.as_str())
            .bind(org_id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Sets (or, with `None`, clears) a user's time zone.
    pub async fn set_time_zone(&self, user_id: &str, zone: Option<&str>) -> Result<bool> {
        let _w = self.write_guard().await;
        let done = sqlx::query("UPDATE users SET time_zone = $1 WHERE id = $2")
            .bind(zone)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn set_language(&self, user_id: &str, language: Option<Language>) -> Result<bool> {
        let _w = self.write_guard().await;
        let done = sqlx::query("UPDATE users SET language = $1 WHERE id = $2")
            .bind(language.map(Language::as_str))
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    // ---- sessions --------------------------------------------------------

    /// Starts a session; returns the raw session id (for the cookie) and its
    /// CSRF token. Only the hash of the id is stored.
    pub async fn create_session(
        &self,
        user_id: &str,
        now: i64,
        ttl_ms: i64,
    ) -> Result<(String, String)> {
        let _w = self.write_guard().await;
        let (raw, hash) = new_secret("");
        let (csrf, _) = new_secret("");
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(hash)
        .bind(user_id)
        .bind(&csrf)
        .bind(now)
        .bind(now + ttl_ms)
        .execute(&self.pool)
        .await?;
        Ok((raw, csrf))
    }

    /// The signed-in user and CSRF token of a live session.
    pub async fn session(&self, raw: &str, now: i64) -> Result<Option<(Principal, String)>> {
        #[derive(FromRow)]
        struct Row {
            #[sqlx(flatten)]
            p: PrincipalRow,
            csrf_token: String,
        }
        let row: Option<Row> = sqlx::query_as(
            "SELECT u.id, u.email, u.name, u.language, u.role, u.org_id, u.created_at, \
             o.name AS org_name, o.plan AS org_plan, o.chat_rollout AS org_chat_rollout, o.team_id AS org_team_id, \
             o.created_at AS org_created_at, u.totp_secret, u.time_zone, s.csrf_token \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             LEFT JOIN organisations o ON o.id = u.org_id \
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.removed_at IS NULL",
        )
        .bind(hash_secret(raw))
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((Principal::try_from(r.p)?, r.csrf_token)))
            .transpose()
    }

    pub async fn delete_session(&self, raw: &str) -> Result<()> {
        let _w = self.write_guard().await;
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(hash_secret(raw))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Removes expired sessions, password resets and throttle windows.
    pub async fn purge_expired(&self, now: i64) -> Result<u64> {
        let _w = self.write_guard().await;
        let a = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        let b = sqlx::query("DELETE FROM password_resets WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(a.rows_affected() + b.rows_affected())
    }

    // ---- API tokens ------------------------------------------------------

    pub async fn create_token(
        &self,
        user_id: &str,
        label: &str,
        now: i64,
    ) -> Result<(String, ApiToken)> {
        let _w = self.write_guard().await;
        let (raw, hash) = new_secret("sd_");
        let id = new_id();
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, token_hash, label, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(user_id)
        .bind(hash)
        .bind(label)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok((
            raw,
            ApiToken {
                id,
                label: label.to_string(),
                created_at: now,
                last_used_at: None,
                revoked_at: None,
            },
        ))
    }

    /// The user behind a bearer token that is not revoked. Records its use
    /// at most once a minute.
    pub async fn token_principal(&self, raw: &str, now: i64) -> Result<Option<Principal>> {
        let hash = hash_secret(raw);
        #[derive(FromRow)]
        struct Row {
            id: String,
            user_id: String,
            last_used_at: Option<i64>,
        }
        let row: Option<Row> = sqlx::query_as(
            "SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(&hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        if row.last_used_at.is_none_or(|t| now - t > 60_000) {
            let _w = self.write_guard().await;
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(&row.id)
                .execute(&self.pool)
                .await?;
        }
        self.principal(&row.user_id).await
    }

    /// A user's tokens, newest first (never the secrets: only hashes are kept).
    pub async fn tokens(&self, user_id: &str) -> Result<Vec<ApiToken>> {
        #[derive(FromRow)]
        struct Row {
            id: String,
            label: String,
            created_at: i64,
            last_used_at: Option<i64>,
            revoked_at: Option<i64>,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, label, created_at, last_used_at, revoked_at FROM api_tokens \
             WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| ApiToken {
                id: r.id,
                label: r.label,
                created_at: r.created_at,
                last_used_at: r.last_used_at,
                revoked_at: r.revoked_at,
            })
            .collect())
    }

    /// Revokes one of the user's own tokens; false if there is no such live
    /// token of theirs.
    pub async fn revoke_token(&self, user_id: &str, token_id: &str, now: i64) -> Result<bool> {
        let _w = self.write_guard().await;
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(token_id)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    // ---- password resets -------------------------------------------------

    /// Records a reset link for `user_id` and queues its e-mail in the same
    /// transaction. `build_mail` receives the raw token for the link.
    pub async fn create_password_reset(
        &self,
        user_id: &str,
        now: i64,
        ttl_ms: i64,
        build_mail: impl FnOnce(&str) -> NewOutboxMessage,
    ) -> Result<String> {
        let _w = self.write_guard().await;
        let (raw, hash) = new_secret("rst_");
        let mail = build_mail(&raw);
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(hash)
        .bind(user_id)
        .bind(now)
        .bind(now + ttl_ms)
        .execute(&mut *tx)
        .await?;
        crate::outbox::insert(&mut tx, &mail, now).await?;
        tx.commit().await?;
        Ok(raw)
    }

    /// Whether a reset token is live (for showing the form).
    pub async fn password_reset_valid(&self, raw: &str, now: i64) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(hash_secret(raw))
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }

    /// Uses a reset token once: sets the new password and ends all sessions
    /// of the user. Returns the user id, or `None` for a used, expired or
    /// unknown token.
    pub async fn reset_password(
        &self,
        raw: &str,
        new_hash: &str,
        now: i64,
    ) -> Result<Option<String>> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let user_id: Option<String> = sqlx::query_scalar(
            "UPDATE password_resets SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
        )
        .bind(now)
        .bind(hash_secret(raw))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(user_id) = user_id else {
            tx.rollback().await?;
            return Ok(None);
        };
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(new_hash)
            .bind(&user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(&user_id)
            .execute(&mut *tx)
            .await?;
        revoke_tokens(&mut tx, &user_id, now).await?;
        tx.commit().await?;
        Ok(Some(user_id))
    }

    // ---- login throttling ------------------------------------------------

    /// Failures recorded for `key` within the window ending now.
    pub async fn throttle_failures(&self, key: &str, now: i64, window_ms: i64) -> Result<i64> {
        let n: Option<i64> = sqlx::query_scalar(
            "SELECT failures FROM login_throttle WHERE key = $1 AND window_start > $2",
        )
        .bind(key)
        .bind(now - window_ms)
        .fetch_optional(&self.pool)
        .await?;
        Ok(n.unwrap_or(0))
    }

    /// Counts one more failure for `key`; a window older than `window_ms`
    /// starts over. Returns the failures in the current window.
    pub async fn record_failure(&self, key: &str, now: i64, window_ms: i64) -> Result<i64> {
        let _w = self.write_guard().await;
        let n: i64 = sqlx::query_scalar(
            "INSERT INTO login_throttle (key, failures, window_start) VALUES ($1, 1, $2) \
             ON CONFLICT (key) DO UPDATE SET \
               failures = CASE WHEN login_throttle.window_start <= $3 THEN 1 ELSE login_throttle.failures + 1 END, \
               window_start = CASE WHEN login_throttle.window_start <= $3 THEN $2 ELSE login_throttle.window_start END \
             RETURNING failures",
        )
        .bind(key)
        .bind(now)
        .bind(now - window_ms)
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    /// A sign-in throttle key's failures and the time of the latest, when
    /// it failed within `idle_reset_ms` (older failures are forgotten).
    pub async fn sign_in_failures(
        &self,
        key: &str,
        now: i64,
        idle_reset_ms: i64,
    ) -> Result<(i64, i64)> {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT failures, last_at FROM login_throttle WHERE key = $1 AND last_at > $2",
        )
        .bind(key)
        .bind(now - idle_reset_ms)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.unwrap_or((0, 0)))
    }

    /// Counts one more sign-in failure for `key`, starting over when the
    /// latest is older than `idle_reset_ms`.
    pub async fn record_sign_in_failure(
        &self,
        key: &str,
        now: i64,
        idle_reset_ms: i64,
    ) -> Result<()> {
        let _w = self.write_guard().await;
        sqlx::query(
            "INSERT INTO login_throttle (key, failures, window_start, last_at) VALUES ($1, 1, $2, $2) \
             ON CONFLICT (key) DO UPDATE SET \
               failures = CASE WHEN login_throttle.last_at <= $3 THEN 1 ELSE login_throttle.failures + 1 END, \
               last_at = $2",
        )
        .bind(key)
        .bind(now)
        .bind(now - idle_reset_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The length of the longest throttle key (tests: keys stay short
    /// whatever a client sends).
    pub async fn longest_throttle_key(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT CAST(COALESCE(MAX(LENGTH(key)), 0) AS BIGINT) FROM login_throttle",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    // ---- two-factor sign-in ---------------------------------------------

    /// The secret being set up, if any.
    pub async fn totp_pending(&self, user_id: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar::<_, Option<String>>("SELECT totp_pending FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?
                .flatten(),
        )
    }

    /// The secret of a user who has two-factor sign-in on.
    pub async fn totp_secret(&self, user_id: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar::<_, Option<String>>("SELECT totp_secret FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?
                .flatten(),
        )
    }

    pub async fn set_totp_pending(&self, user_id: &str, secret: &str) -> Result<()> {
        let _w = self.write_guard().await;
        sqlx::query("UPDATE users SET totp_pending = $1 WHERE id = $2 AND totp_secret IS NULL")
            .bind(secret)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Turns two-factor sign-in on with the secret that was being set up
    /// (if it still is), the step its first code was for, and the recovery
    /// codes' hashes, in one transaction. False when the setup was replaced
    /// or finished meanwhile.
    pub async fn enable_totp(
        &self,
        user_id: &str,
        secret: &str,
        step: i64,
        recovery_hashes: &[String],
    ) -> Result<bool> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $1 \
             WHERE id = $2 AND totp_pending = $3 AND totp_secret IS NULL",
        )
        .bind(step)
        .bind(user_id)
        .bind(secret)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !done {
            return Ok(false);
        }
        put_recovery_codes(&mut tx, user_id, recovery_hashes).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Turns two-factor sign-in off and forgets its secret and codes.
    pub async fn disable_totp(&self, user_id: &str) -> Result<()> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL WHERE id = $1",
        )
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Accepts a code's time step if it is later than the last accepted
    /// one (each code signs in once, also across instances).
    pub async fn accept_totp_step(&self, user_id: &str, step: i64) -> Result<bool> {
        let _w = self.write_guard().await;
        Ok(sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_secret IS NOT NULL \
             AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(user_id)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1)
    }

    /// Spends an unused recovery code; false if there is none such.
    pub async fn use_recovery_code(&self, user_id: &str, hash: &str, now: i64) -> Result<bool> {
        let _w = self.write_guard().await;
        Ok(sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(now)
        .bind(user_id)
        .bind(hash)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1)
    }

    pub async fn recovery_codes_left(&self, user_id: &str) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?)
    }

    /// New recovery codes in place of every old one.
    pub async fn replace_recovery_codes(&self, user_id: &str, hashes: &[String]) -> Result<()> {
        let _w = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        put_recovery_codes(&mut tx, user_id, hashes).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn clear_failures(&self, key: &str) -> Result<()> {
        let _w = self.write_guard().await;
        sqlx::query("DELETE FROM login_throttle WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// Revokes every live token of a user (a password change or reset, or a
/// support admin's revocation): a stolen token must not outlive the
/// recovery. Returns the revoked tokens' labels.
async fn revoke_tokens(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: &str,
    now: i64,
) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL RETURNING label",
    )
    .bind(now)
    .bind(user_id)
    .fetch_all(&mut **tx)
    .await?)
}

/// A user's recovery codes (their hashes) in place of any earlier ones.
async fn put_recovery_codes(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: &str,
    hashes: &[String],
) -> Result<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    for hash in hashes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(hash)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
