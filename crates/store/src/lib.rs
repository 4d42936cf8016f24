//! One storage interface over SQLite (the embedded default) and PostgreSQL.
//!
//! Both backends run the same SQL text through sqlx's `Any` driver: `$n`
//! placeholders, `RETURNING` and `ON CONFLICT` work on both. Times are UTC
//! milliseconds (`i64`), ids are text. Customer data is only ever read
//! through a [`Scope`], so no query can forget which organisation is asking.
#![forbid(unsafe_code)]

mod accounts;
mod chats;
mod community;
mod components;
mod help;
mod integrations;
mod outbox;
mod requests;
mod sql;
mod status;
mod subscribers;
mod teams;
mod workspace;

pub use accounts::*;
pub use chats::*;
pub use community::*;
pub use components::*;
pub use help::*;
pub use integrations::*;
pub use outbox::*;
pub use requests::*;
pub use status::*;
pub use subscribers::*;
pub use teams::*;
pub use workspace::*;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::sync::{Arc, Once};
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0} already exists")]
    Duplicate(&'static str),
    #[error("unsupported database URL '{0}': use sqlite:PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("the cursor is not one this server gave out")]
    BadCursor,
    #[error("stored value is invalid: {0}")]
    Corrupt(String),
    #[error("the write was committed with others, and that commit failed: {0}")]
    BatchFailed(String),
}

impl StoreError {
    /// Text the database cannot hold: PostgreSQL refuses a NUL character
    /// in `text` (22021, 22P05). It came from the caller's input.
    pub fn is_unstorable_text(&self) -> bool {
        matches!(self, StoreError::Db(sqlx::Error::Database(d))
            if matches!(d.code().as_deref(), Some("22021" | "22P05")))
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact_url(url)))
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Replaces the password of a URL with `***` so it can be logged.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((creds, host)) = rest.rsplit_once('@')
    {
        let user = creds.split(':').next().unwrap_or("");
        if creds.contains(':') {
            return format!("{scheme}://{user}:***@{host}");
        }
    }
    url.to_string()
}

pub use domain::Scope;

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The connection URL, for the LISTEN connection on PostgreSQL.
    url: Arc<str>,
    /// SQLite allows one writer at a time; taking this lock before a write
    /// transaction avoids "database is locked" upgrades under concurrency.
    write_lock: Option<Arc<Mutex<()>>>,
    /// Chat messages waiting to be committed together (see
    /// `add_chat_message`).
    chat_batch: Arc<chats::ChatBatch>,
    /// Fan-out templates read so far (see `outbox_template`).
    templates: Arc<std::sync::Mutex<std::collections::HashMap<String, Arc<OutboxTemplate>>>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish()
    }
}

pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

impl Store {
    /// Connects to `url` (`sqlite:PATH` or `postgres://…`). SQLite files are
    /// created when missing and run in WAL mode with full fsync on commit.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(install_default_drivers);
        let backend = Backend::from_url(url)?;
        let mut url = url.to_string();
        if backend == Backend::Sqlite && !url.contains("mode=") {
            url.push_str(if url.contains('?') {
                "&mode=rwc"
            } else {
                "?mode=rwc"
            });
        }
        let options = AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10));
        let options = if backend == Backend::Sqlite {
            options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                         PRAGMA wal_autocheckpoint = 10000;",
                    )
                    .await?;
                    Ok(())
                })
            })
        } else {
            options
        };
        let pool = options.connect(&url).await?;
        Ok(Self {
            pool,
            backend,
            url: Arc::from(url.as_str()),
            write_lock: (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(()))),
            chat_batch: Arc::default(),
            templates: Arc::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies the pending migrations of this backend; returns how many ran.
    pub async fn migrate(&self) -> Result<usize> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        };
        let before = self.applied_migrations().await.unwrap_or(0);
        migrator.run(&self.pool).await?;
        let after = self.applied_migrations().await?;
        Ok(after.saturating_sub(before))
    }

    async fn applied_migrations(&self) -> Result<usize> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
            .fetch_one(&self.pool)
            .await?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// SQLite: copies what the write-ahead log holds into the database file
    /// without waiting for readers or writers (PASSIVE). A running server
    /// does this every second in the background; a commit checkpoints by
    /// itself only once the log passes 10,000 pages (about 40 MiB), as a
    /// fallback for commands that run without the server's jobs. Nothing to
    /// do on PostgreSQL.
    pub async fn checkpoint(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        let one: i64 = sqlx::query_scalar("SELECT 1").fetch_one(&self.pool).await?;
        if one == 1 {
            Ok(())
        } else {
            Err(StoreError::Corrupt("SELECT 1 did not return 1".into()))
        }
    }

    pub fn pool_stats(&self) -> PoolStats {
        PoolStats {
            size: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
            max: self.pool.options().get_max_connections(),
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Writes a consistent copy of a SQLite database to `path` while it is in
    /// use (`VACUUM INTO`). Not available on PostgreSQL: use `pg_dump`.
    pub async fn backup_sqlite(&self, path: &str) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::UnsupportedUrl(
                "backup copies SQLite only; use pg_dump for PostgreSQL".into(),
            ));
        }
        let _w = self.write_guard().await;
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Tells other instances sharing a PostgreSQL database that something
    /// changed (`NOTIFY`); a no-op on SQLite, which has one instance.
    pub async fn notify(&self, channel: &str, payload: &str) -> Result<()> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(channel)
                .bind(payload)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// A connection that hears `NOTIFY`s on `channel` (PostgreSQL only).
    pub async fn listen(&self, channel: &str) -> Result<Listener> {
        if self.backend != Backend::Postgres {
            return Err(StoreError::UnsupportedUrl("LISTEN needs PostgreSQL".into()));
        }
        let mut inner = sqlx::postgres::PgListener::connect(&self.url).await?;
        inner.listen(channel).await?;
        Ok(Listener { inner })
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The stored value of `key`, storing `value` first if there is none:
    /// when instances race, every one of them gets the first value stored.
    pub async fn setting_or_insert(&self, key: &str, value: &str) -> Result<String> {
        {
            let _w = self.write_guard().await;
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            )
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        }
        Ok(self
            .setting(key)
            .await?
            .unwrap_or_else(|| value.to_string()))
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let _w = self.write_guard().await;
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn write_guard(&self) -> Option<OwnedMutexGuard<()>> {
        match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        }
    }
}

/// Hears the notifications of one channel.
pub struct Listener {
    inner: sqlx::postgres::PgListener,
}

impl Listener {
    /// The payload of the next notification.
    pub async fn recv(&mut self) -> Result<String> {
        Ok(self.inner.recv().await?.payload().to_string())
    }
}

/// A new random id: UUIDv7 (time-ordered, 74 random bits; never a counter).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A new secret token with `prefix`, and the hash that is stored for it.
pub fn new_secret(prefix: &str) -> (String, String) {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let raw = format!("{prefix}{}", hex::encode(bytes));
    let hash = hash_secret(&raw);
    (raw, hash)
}

/// The at-rest form of a secret token (SHA-256; the tokens carry 256 random
/// bits, so a slow hash adds nothing).
pub fn hash_secret(raw: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(raw.as_bytes()))
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            db.is_unique_violation()
                || db
                    .code()
                    .is_some_and(|c| c == "23505" || c == "2067" || c == "1555")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(redact_url("sqlite:data.db"), "sqlite:data.db");
        assert_eq!(redact_url("postgres://app@db/x"), "postgres://app@db/x");
    }

    #[test]
    fn secrets_hash_stably_and_differ() {
        let (a, ha) = new_secret("sd_");
        let (b, hb) = new_secret("sd_");
        assert_ne!(a, b);
        assert_ne!(ha, hb);
        assert_eq!(hash_secret(&a), ha);
        assert!(a.starts_with("sd_") && a.len() == 67);
    }
}

#[cfg(test)]
mod migrations_in_step {
    use std::collections::BTreeMap;

    /// A migration's schema with comments, layout and the column types that
    /// legitimately differ (SQLite `INTEGER`, PostgreSQL `BIGINT`) evened out.
    /// Blocks between `-- backend-specific:begin` and `-- backend-specific:end`
    /// (triggers, generated columns, sequences) are each backend's own and
    /// only have to be there on both sides, as many times.
    fn normalised(sql: &str) -> String {
        let mut shared = String::new();
        let mut inside = false;
        for line in sql.lines() {
            match line.trim() {
                "-- backend-specific:begin" => {
                    inside = true;
                    shared.push_str(" backend-specific-block ");
                }
                "-- backend-specific:end" => inside = false,
                _ if inside => {}
                _ => {
                    shared.push_str(line);
                    shared.push('\n');
                }
            }
        }
        let without_comments: String = shared
            .lines()
            .map(|l| l.split("--").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join(" ");
        without_comments
            .split_whitespace()
            .map(|w| {
                let lower = w.to_lowercase();
                let core = lower.trim_end_matches([',', ')', ';']);
                let rest = &lower[core.len()..];
                match core {
                    "integer" | "bigint" => format!("int{rest}"),
                    "blob" | "bytea" => format!("bytes{rest}"),
                    _ => lower,
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn files(backend: &str) -> BTreeMap<String, String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend);
        std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|e| e.ok())
            .map(|e| {
                let name = e.file_name().to_string_lossy().to_string();
                let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                (name, text)
            })
            .collect()
    }

    #[test]
    fn both_backends_have_the_same_migrations_and_schema() {
        let sqlite = files("sqlite");
        let postgres = files("postgres");
        assert_eq!(
            sqlite.keys().collect::<Vec<_>>(),
            postgres.keys().collect::<Vec<_>>(),
            "the same migration files on both backends"
        );
        assert!(sqlite.len() >= 6);
        for (name, text) in &sqlite {
            assert_eq!(
                normalised(text),
                normalised(&postgres[name]),
                "{name} differs beyond column types"
            );
        }
    }

    #[test]
    fn the_comparison_sees_a_real_difference() {
        assert_eq!(
            normalised("a INTEGER NOT NULL, -- x\n b TEXT"),
            normalised("a   BIGINT NOT NULL,\n b TEXT")
        );
        assert_ne!(normalised("a INTEGER, b TEXT"), normalised("a BIGINT"));
        assert_eq!(
            normalised("a\n-- backend-specific:begin\nx\n-- backend-specific:end\nb"),
            normalised("a\n-- backend-specific:begin\ny z\n-- backend-specific:end\nb")
        );
        assert_ne!(
            normalised("a\n-- backend-specific:begin\nx\n-- backend-specific:end\nb"),
            normalised("a\nb")
        );
    }
}
