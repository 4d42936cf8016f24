//! Test harness: starts the real server on a random port with a fresh
//! database (a SQLite file in a temp directory, or a new database in a
//! throwaway PostgreSQL cluster), and gives tests an HTTP client.
use domain::{Clock, ManualClock, OffsetClock};
use statusdesk::config::{Overrides, Settings};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};
use store::Store;

/// Prints past the test harness's output capture, so a skipped test is
/// visible even when it "passes".
#[macro_export]
macro_rules! loud {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Runs `$body` (an async fn taking a [`Db`]) once on SQLite and once on
/// PostgreSQL, as two tests named `sqlite` and `postgres` in a module
/// named after the function.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::harness::Db::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::harness::postgres_available(concat!(module_path!(), "::postgres")) {
                    super::$name($crate::harness::Db::Postgres).await
                }
            }
        }
    )+};
}

// ---- PostgreSQL ----------------------------------------------------------------

struct Cluster {
    /// Connection URL to the `postgres` maintenance database.
    admin_url: String,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();

fn pg_bin_dir() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists() && p.join("pg_ctl").exists())
        .collect();
    dirs.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs a PostgreSQL server program, as the `postgres` user when we are root
/// (initdb refuses to run as root).
fn pg_command(bin: &Path, program: &str, args: &[&str]) -> Command {
    let exe = bin.join(program);
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(exe).args(args);
        c
    } else {
        let mut c = Command::new(exe);
        c.args(args);
        c
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(55432)
}

fn start_cluster() -> Result<Cluster, String> {
    if let Ok(url) = std::env::var("STATUSDESK_TEST_PG_URL") {
        return Ok(Cluster { admin_url: url });
    }
    let bin = pg_bin_dir().ok_or_else(|| {
        "PostgreSQL server programs (initdb, pg_ctl) are not installed. Install them with \
         `apt-get install -y postgresql` (or run scripts/test, which does), point \
         STATUSDESK_TEST_PG_URL at a server, or set STATUSDESK_SKIP_PG=1 to skip the \
         PostgreSQL half of the suite."
            .to_string()
    })?;
    let dir = std::env::temp_dir().join(format!(
        "statusdesk-pg-{}-{}",
        std::process::id(),
        free_port()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    if is_root() {
        let ok = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            return Err("cannot give the PostgreSQL test directory to the postgres user".into());
        }
    }
    let data = dir.join("data");
    let data_s = data.to_string_lossy().to_string();
    let out = pg_command(
        &bin,
        "initdb",
        &[
            "-D",
            &data_s,
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
        ],
    )
    .output()
    .map_err(|e| format!("initdb: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let port = free_port();
    let opts = format!(
        "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400",
        dir.display()
    );
    let log = dir.join("log").to_string_lossy().to_string();
    let out = pg_command(
        &bin,
        "pg_ctl",
        &["-D", &data_s, "-l", &log, "-w", "-o", &opts, "start"],
    )
    .output()
    .map_err(|e| format!("pg_ctl: {e}"))?;
    if !out.status.success() {
        let logtext = std::fs::read_to_string(&log).unwrap_or_default();
        return Err(format!(
            "pg_ctl start failed: {}\n{logtext}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    // A watchdog stops the cluster and removes it when this test process ends.
    let pg_ctl = bin.join("pg_ctl");
    let stop = if is_root() {
        format!(
            "runuser -u postgres -- {} -D {data_s} -m immediate stop",
            pg_ctl.display()
        )
    } else {
        format!("{} -D {data_s} -m immediate stop", pg_ctl.display())
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        dir = dir.display()
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the cluster watchdog: {e}"))?;
    Ok(Cluster {
        admin_url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
    })
}

/// Whether the PostgreSQL tests can run. Without the server programs they
/// fail with instructions, unless STATUSDESK_SKIP_PG=1 says to skip them,
/// which is printed loudly.
pub fn postgres_available(test: &str) -> bool {
    let skip = std::env::var("STATUSDESK_SKIP_PG").is_ok_and(|v| v == "1");
    if skip && std::env::var("STATUSDESK_TEST_PG_URL").is_err() && pg_bin_dir().is_none() {
        loud!("SKIPPED {test}: PostgreSQL is not installed and STATUSDESK_SKIP_PG=1");
        return false;
    }
    match CLUSTER.get_or_init(start_cluster) {
        Ok(_) => true,
        Err(e) if skip => {
            loud!("SKIPPED {test}: STATUSDESK_SKIP_PG=1 and {e}");
            false
        }
        Err(e) => panic!("{e}"),
    }
}

pub async fn fresh_pg_database() -> String {
    use sqlx::Connection;
    let cluster = match CLUSTER.get_or_init(start_cluster) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    };
    let name = format!("t_{}", uuid_simple());
    let mut conn = sqlx::PgConnection::connect(&cluster.admin_url)
        .await
        .expect("connect to test cluster");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let _ = conn.close().await;
    match cluster.admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("bad admin url"),
    }
}

fn uuid_simple() -> String {
    let (raw, _) = store::new_secret("");
    raw[..24].to_string()
}

// ---- the app -------------------------------------------------------------------

/// The instant every test server's clock starts at: 2026-09-14 09:30 UTC,
/// so the 90 days before it hold days of one and two digits and a change of
/// year is far away. Nothing in the suite reads today's date.
pub const TEST_EPOCH_MS: i64 = 1_789_378_200_000;

pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub state: web::AppState,
    /// The use cases of the running server.
    pub app: app::App,
    pub database_url: String,
    pub clock: Arc<ManualClock>,
    /// A client that keeps cookies and does not follow redirects.
    pub client: reqwest::Client,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _server: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

pub struct Options {
    pub demo: bool,
    pub manual_clock: bool,
    /// Join an existing database (a second instance) instead of a new one.
    pub database_url: Option<String>,
    pub status_host: Option<String>,
    /// More configuration, as key and value.
    pub settings: Vec<(&'static str, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            demo: true,
            manual_clock: false,
            database_url: None,
            status_host: None,
            settings: Vec::new(),
        }
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

impl TestApp {
    /// The server with the demo data.
    pub async fn spawn(db: Db) -> TestApp {
        Self::spawn_with(db, Options::default()).await
    }

    pub async fn spawn_with(db: Db, options: Options) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let database_url = match (&options.database_url, db) {
            (Some(url), _) => url.clone(),
            (None, Db::Sqlite) => format!("sqlite:{}", dir.path().join("test.db").display()),
            (None, Db::Postgres) => fresh_pg_database().await,
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut o = Overrides::default();
        o.values
            .insert("data_dir", dir.path().to_string_lossy().to_string());
        o.values.insert("database_url", database_url.clone());
        o.values.insert("base_url", format!("http://{addr}"));
        if let Some(host) = &options.status_host {
            o.values.insert("status_host", host.clone());
        }
        for (k, v) in &options.settings {
            o.values.insert(k, v.clone());
        }
        let settings = Settings::load(&o, &BTreeMap::new()).expect("settings");
        // Every test starts on the same date, whatever today is.
        let clock = Arc::new(ManualClock::new(TEST_EPOCH_MS));
        let used_clock: Arc<dyn Clock> = if options.manual_clock {
            clock.clone()
        } else {
            Arc::new(OffsetClock::starting_at(TEST_EPOCH_MS))
        };
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        let server = tokio::spawn(async move {
            let mut ready_tx = Some(ready_tx);
            let result = statusdesk::start(
                &settings,
                listener,
                options.demo,
                used_clock,
                async move {
                    let _ = rx.await;
                },
                |running| {
                    if let Some(t) = ready_tx.take() {
                        let _ = t.send((
                            running.store.clone(),
                            running.state.clone(),
                            running.app.clone(),
                        ));
                    }
                },
            )
            .await;
            if let Err(e) = result {
                panic!("server failed: {e:#}");
            }
        });
        let (store, state, app) = ready_rx.await.expect("server started");
        TestApp {
            base: format!("http://{addr}"),
            store,
            state,
            app,
            database_url,
            clock,
            client: client(),
            shutdown: Some(tx),
            _server: server,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The CSRF token a page's forms carry, read from its HTML.
    pub async fn csrf(&self, client: &reqwest::Client, path: &str) -> String {
        let html = client
            .get(self.url(path))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("text");
        csrf_in(&html).unwrap_or_else(|| panic!("no csrf token on {path}"))
    }

    /// Signs `client` in through the form; returns the sign-in response.
    pub async fn sign_in_with(
        &self,
        client: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        let csrf = self.csrf(client, "/login").await;
        client
            .post(self.url("/login"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", email),
                ("password", password),
                ("next", "/"),
            ])
            .send()
            .await
            .expect("post login")
    }

    /// A new cookie-keeping client signed in as `email` with the demo password.
    pub async fn signed_in(&self, email: &str) -> reqwest::Client {
        let c = client();
        let r = self
            .sign_in_with(&c, email, statusdesk::demo::PASSWORD)
            .await;
        assert_eq!(r.status(), 303, "sign-in of {email} failed");
        c
    }

    /// A bearer token for `email` with the demo password.
    pub async fn token(&self, email: &str) -> String {
        self.token_with(email, statusdesk::demo::PASSWORD).await
    }

    /// A bearer token for `email` with `password`.
    pub async fn token_with(&self, email: &str, password: &str) -> String {
        let r = self
            .client
            .post(self.url("/api/v1/tokens"))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await
            .expect("post token");
        assert_eq!(r.status(), 201, "token for {email}");
        let body: serde_json::Value = r.json().await.expect("json");
        body["token"].as_str().expect("token").to_string()
    }

    /// GETs `path` without signing in and reads the answer as JSON.
    pub async fn public_json(&self, path: &str) -> serde_json::Value {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json")
    }

    pub async fn api_get(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("get")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub fn csrf_in(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    let rest = &html[at..];
    Some(rest[..rest.find('"')?].to_string())
}

/// Sends a request and reads its body, for tests that only care about the
/// answer's content.
pub trait Fetch {
    fn text_body(self) -> impl std::future::Future<Output = String>;
    fn json_body(self) -> impl std::future::Future<Output = serde_json::Value>;
}

impl Fetch for reqwest::RequestBuilder {
    async fn text_body(self) -> String {
        self.send().await.expect("send").text().await.expect("text")
    }

    async fn json_body(self) -> serde_json::Value {
        self.send().await.expect("send").json().await.expect("json")
    }
}

/// POSTs JSON with a bearer token.
pub async fn post_json(
    app: &TestApp,
    token: &str,
    path: &str,
    body: serde_json::Value,
) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("post")
}

/// PATCHes JSON with a bearer token.
pub async fn patch_json(
    app: &TestApp,
    token: &str,
    path: &str,
    body: serde_json::Value,
) -> reqwest::Response {
    app.client
        .patch(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("patch")
}

/// PUTs JSON with a bearer token.
pub async fn put_json(
    app: &TestApp,
    token: &str,
    path: &str,
    body: serde_json::Value,
) -> reqwest::Response {
    app.client
        .put(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("put")
}

/// Files a request through the API as `token`; its JSON.
pub async fn file_request(
    app: &TestApp,
    token: &str,
    subject: &str,
    priority: &str,
) -> serde_json::Value {
    let r = post_json(
        app,
        token,
        "/api/v1/requests",
        serde_json::json!({"subject": subject, "description": format!("About {subject}."), "priority": priority}),
    )
    .await;
    assert_eq!(r.status(), 201, "filing {subject}");
    r.json().await.expect("json")
}

/// DELETEs with a bearer token; the status it got.
pub async fn delete_as(app: &TestApp, token: &str, path: &str) -> reqwest::StatusCode {
    app.client
        .delete(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("delete")
        .status()
}

/// The id of the component named `name`.
pub async fn component_id(app: &TestApp, name: &str) -> String {
    app.store
        .components()
        .await
        .expect("components")
        .into_iter()
        .find(|c| c.name == name)
        .map(|c| c.id)
        .expect("component")
}

/// Where the suite's counts go (routes × roles, cases run, writes found
/// after kills): `scripts/test` prints them at the end of a run.
pub fn report_count(line: &str) {
    use std::io::Write;
    eprintln!("{line}");
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-counts.txt");
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = writeln!(f, "{line}");
    }
}
