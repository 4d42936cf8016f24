//! Configuration: built-in defaults, then an optional TOML file, then
//! `STATUSDESK_*` environment variables, then command-line flags. Unknown
//! keys and bad values stop start-up with a message naming the key and
//! where it came from. Secrets never appear in `Debug` output or logs.
use anyhow::{Context, Result, bail};
use domain::Language;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Every configuration key, with its help text for `config example`.
pub const KEYS: &[(&str, &str, &str)] = &[
    (
        "listen",
        "\"127.0.0.1:8080\"",
        "Address and port to listen on.",
    ),
    (
        "data_dir",
        "\"./statusdesk-data\"",
        "Directory for the SQLite database and uploaded files.",
    ),
    (
        "database_url",
        "\"sqlite:./statusdesk-data/statusdesk.db\"",
        "Database: sqlite:PATH (default, inside data_dir) or postgres://user:password@host/db.",
    ),
    (
        "base_url",
        "\"http://127.0.0.1:8080\"",
        "Public address of this server, used in links in e-mails.",
    ),
    (
        "default_language",
        "\"en\"",
        "Language when neither the user nor the browser chooses one: sv or en.",
    ),
    ("log_format", "\"text\"", "Log format: text or json."),
    (
        "log_level",
        "\"info\"",
        "Log filter, e.g. info or statusdesk=debug,info.",
    ),
    (
        "behind_proxy",
        "false",
        "Behind a reverse proxy on this machine: trust X-Forwarded-For from loopback (as if trusted_proxies listed 127.0.0.0/8 and ::1).",
    ),
    (
        "trusted_proxies",
        "\"\"",
        "Comma-separated addresses or ranges (e.g. 10.0.0.0/8) of your reverse proxies; a client's address is then the rightmost X-Forwarded-For hop that is not one of them.",
    ),
    (
        "cookie_secure",
        "false",
        "Mark cookies Secure; defaults to true when base_url starts with https://.",
    ),
    (
        "db_max_connections",
        "8",
        "Largest number of database connections this instance opens.",
    ),
    ("session_days", "14", "How long a sign-in lasts, in days."),
    (
        "auto_close_days",
        "7",
        "Solved support requests close themselves after this many days.",
    ),
    (
        "status_host",
        "\"\"",
        "A host name on which / shows the status page, e.g. status.example.com (empty: none).",
    ),
    (
        "smtp_url",
        "\"\"",
        "SMTP relay for e-mail: smtp://host:25, smtp://host:587?tls=required (STARTTLS) or smtps://user:password@host (TLS); empty: e-mail waits in the outbox.",
    ),
    (
        "smtp_from",
        "\"statusdesk <noreply@localhost>\"",
        "Sender of e-mail.",
    ),
    (
        "smtp_connections",
        "32",
        "E-mails in flight to the SMTP relay at once, each on its own connection.",
    ),
    (
        "outbox_max_attempts",
        "10",
        "Delivery attempts before a message is given up for staff to look at.",
    ),
    (
        "webhooks_allow_private_targets",
        "false",
        "Let status integrations and push subscriptions reach loopback and private addresses (only for testing or closed networks).",
    ),
    (
        "header_timeout_seconds",
        "15",
        "A client must send a request's headers within this many seconds; an idle keep-alive connection closes after as long.",
    ),
    (
        "body_timeout_seconds",
        "60",
        "A request body must arrive within this many seconds.",
    ),
    (
        "max_connections_per_address",
        "256",
        "Open connections one client address may hold (trusted proxies are not limited).",
    ),
    (
        "push_hosts",
        "\"\"",
        "Push services browsers' subscriptions may point at, comma-separated host names (a name also allows its subdomains), e.g. fcm.googleapis.com,push.services.mozilla.com,web.push.apple.com; empty: any public host over https on port 443.",
    ),
    (
        "metrics_token",
        "\"\"",
        "Bearer token that /metrics asks for (Authorization: Bearer <token>); empty: /metrics is off unless metrics_public is true.",
    ),
    (
        "metrics_public",
        "false",
        "Serve /metrics to anyone without a token (only behind a network that keeps strangers out).",
    ),
    (
        "outbox_lease_seconds",
        "120",
        "How long a worker holds a claimed batch; after a crash it is delivered again once this has passed.",
    ),
];

/// The settings in force.
#[derive(Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub base_url: String,
    /// Whether `base_url` was set; otherwise it follows the bound address.
    pub base_url_configured: bool,
    pub default_language: Language,
    pub log_json: bool,
    pub log_level: String,
    pub behind_proxy: bool,
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub cookie_secure: bool,
    pub db_max_connections: u32,
    pub session_days: u32,
    pub auto_close_days: u32,
    pub status_host: Option<String>,
    pub smtp_url: Option<String>,
    pub smtp_from: String,
    pub smtp_connections: usize,
    pub outbox_max_attempts: i64,
    pub outbox_lease_seconds: i64,
    pub webhooks_allow_private_targets: bool,
    pub push_hosts: Vec<String>,
    pub metrics_token: Option<String>,
    pub metrics_public: bool,
    pub header_timeout_seconds: u64,
    pub body_timeout_seconds: u64,
    pub max_connections_per_address: usize,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("database_url", &store::redact_url(&self.database_url))
            .field("base_url", &self.base_url)
            .field("default_language", &self.default_language)
            .field("log_json", &self.log_json)
            .field("log_level", &self.log_level)
            .field("behind_proxy", &self.behind_proxy)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("cookie_secure", &self.cookie_secure)
            .field("db_max_connections", &self.db_max_connections)
            .field("session_days", &self.session_days)
            .field("auto_close_days", &self.auto_close_days)
            .field("status_host", &self.status_host)
            .field("smtp_url", &self.smtp_url.as_deref().map(store::redact_url))
            .field("smtp_from", &self.smtp_from)
            .field("smtp_connections", &self.smtp_connections)
            .field("outbox_max_attempts", &self.outbox_max_attempts)
            .field("outbox_lease_seconds", &self.outbox_lease_seconds)
            .field(
                "webhooks_allow_private_targets",
                &self.webhooks_allow_private_targets,
            )
            .field("push_hosts", &self.push_hosts)
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "(set)"),
            )
            .field("metrics_public", &self.metrics_public)
            .field("header_timeout_seconds", &self.header_timeout_seconds)
            .field("body_timeout_seconds", &self.body_timeout_seconds)
            .field(
                "max_connections_per_address",
                &self.max_connections_per_address,
            )
            .finish()
    }
}

/// Values given on the command line, by key.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub values: BTreeMap<&'static str, String>,
}

fn known(key: &str) -> Option<&'static str> {
    KEYS.iter().find(|(k, _, _)| *k == key).map(|(k, _, _)| *k)
}

/// Environment variables that belong to tools around statusdesk (the test
/// harness), not to the server's configuration.
const ENV_NOT_CONFIG: &[&str] = &[
    "STATUSDESK_CONFIG",
    "STATUSDESK_SKIP_PG",
    "STATUSDESK_SKIP_BROWSER",
    "STATUSDESK_PASSWORD",
];

impl Settings {
    /// Resolves the settings from all layers. `env` is the process
    /// environment (passed in so tests can supply their own).
    pub fn load(overrides: &Overrides, env: &BTreeMap<String, String>) -> Result<Settings> {
        let mut layers: BTreeMap<&'static str, (String, String)> = BTreeMap::new();

        let file = overrides
            .config_file
            .clone()
            .or_else(|| env.get("STATUSDESK_CONFIG").map(PathBuf::from));
        if let Some(path) = &file {
            for (key, value) in read_file(path)? {
                layers.insert(key, (value, format!("{}", path.display())));
            }
        }
        for (name, value) in env {
            let Some(rest) = name.strip_prefix("STATUSDESK_") else {
                continue;
            };
            if ENV_NOT_CONFIG.contains(&name.as_str()) || rest.starts_with("TEST_") {
                continue;
            }
            match known(&rest.to_ascii_lowercase()) {
                Some(key) => {
                    layers.insert(key, (value.clone(), format!("environment variable {name}")));
                }
                None => bail!(
                    "unknown environment variable {name}: statusdesk knows {}",
                    KEYS.iter()
                        .map(|(k, _, _)| format!("STATUSDESK_{}", k.to_ascii_uppercase()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        }
        for (key, value) in &overrides.values {
            layers.insert(
                key,
                (value.clone(), format!("flag --{}", key.replace('_', "-"))),
            );
        }

        let get = |key: &str| layers.get(key);
        fn parse<T>(
            layers: Option<&(String, String)>,
            key: &str,
            default: T,
            f: impl Fn(&str) -> Result<T, String>,
        ) -> Result<T> {
            match layers {
                None => Ok(default),
                Some((value, source)) => f(value.trim()).map_err(|why| {
                    anyhow::anyhow!("invalid value for `{key}` (from {source}): {why}")
                }),
            }
        }
        let listen: SocketAddr = parse(
            get("listen"),
            "listen",
            ([127, 0, 0, 1], 8080).into(),
            |v| {
                v.parse()
                    .map_err(|_| format!("'{v}' is not an address such as 127.0.0.1:8080"))
            },
        )?;
        let data_dir = parse(
            get("data_dir"),
            "data_dir",
            PathBuf::from("./statusdesk-data"),
            |v| {
                if v.is_empty() {
                    Err("must not be empty".into())
                } else {
                    Ok(PathBuf::from(v))
                }
            },
        )?;
        let default_db = format!("sqlite:{}", data_dir.join("statusdesk.db").display());
        let database_url = parse(get("database_url"), "database_url", default_db, |v| {
            store::Backend::from_url(v)
                .map(|_| v.to_string())
                .map_err(|e| e.to_string())
        })?;
        let base_url_configured = get("base_url").is_some();
        let base_url = parse(
            get("base_url"),
            "base_url",
            format!("http://{listen}"),
            |v| {
                if v.starts_with("http://") || v.starts_with("https://") {
                    Ok(v.trim_end_matches('/').to_string())
                } else {
                    Err(format!("'{v}' must start with http:// or https://"))
                }
            },
        )?;
        let default_language = parse(
            get("default_language"),
            "default_language",
            Language::En,
            |v| Language::parse(v).map_err(|e| e.message),
        )?;
        let log_json = parse(get("log_format"), "log_format", false, |v| match v {
            "text" => Ok(false),
            "json" => Ok(true),
            other => Err(format!("'{other}' is not text or json")),
        })?;
        let log_level = parse(get("log_level"), "log_level", "info".to_string(), |v| {
            tracing_subscriber::EnvFilter::try_new(v)
                .map(|_| v.to_string())
                .map_err(|e| e.to_string())
        })?;
        let behind_proxy = parse(get("behind_proxy"), "behind_proxy", false, parse_bool)?;
        let trusted_proxies = parse(get("trusted_proxies"), "trusted_proxies", Vec::new(), |v| {
            v.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| {
                    p.parse::<ipnet::IpNet>()
                        .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                        .map_err(|_| {
                            format!("'{p}' is not an address or a range such as 10.0.0.0/8")
                        })
                })
                .collect()
        })?;
        let cookie_secure = parse(
            get("cookie_secure"),
            "cookie_secure",
            base_url.starts_with("https://"),
            parse_bool,
        )?;
        let db_max_connections =
            parse(
                get("db_max_connections"),
                "db_max_connections",
                8,
                |v| match v.parse::<u32>() {
                    Ok(n) if (1..=1000).contains(&n) => Ok(n),
                    _ => Err(format!("'{v}' is not a whole number from 1 to 1000")),
                },
            )?;
        let session_days = parse(get("session_days"), "session_days", 14, |v| {
            match v.parse::<u32>() {
                Ok(n) if (1..=365).contains(&n) => Ok(n),
                _ => Err(format!("'{v}' is not a whole number of days from 1 to 365")),
            }
        })?;
        let auto_close_days = parse(get("auto_close_days"), "auto_close_days", 7, |v| match v
            .parse::<u32>()
        {
            Ok(n) if (1..=365).contains(&n) => Ok(n),
            _ => Err(format!("'{v}' is not a whole number of days from 1 to 365")),
        })?;
        let status_host = parse(get("status_host"), "status_host", None, |v| {
            if v.is_empty() {
                Ok(None)
            } else if v
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
            {
                Ok(Some(v.to_ascii_lowercase()))
            } else {
                Err(format!(
                    "'{v}' is not a host name such as status.example.com"
                ))
            }
        })?;
        let smtp_url = parse(get("smtp_url"), "smtp_url", None, |v| {
            if v.is_empty() {
                Ok(None)
            } else if v.starts_with("smtp://") || v.starts_with("smtps://") {
                Ok(Some(v.to_string()))
            } else {
                Err("must start with smtp:// or smtps://".into())
            }
        })?;
        let smtp_from = parse(
            get("smtp_from"),
            "smtp_from",
            "statusdesk <noreply@localhost>".to_string(),
            |v| {
                if v.contains('@') {
                    Ok(v.to_string())
                } else {
                    Err(format!("'{v}' is not an e-mail sender"))
                }
            },
        )?;
        let smtp_connections =
            parse(
                get("smtp_connections"),
                "smtp_connections",
                32,
                |v| match v.parse::<usize>() {
                    Ok(n) if (1..=200).contains(&n) => Ok(n),
                    _ => Err(format!("'{v}' is not a whole number from 1 to 200")),
                },
            )?;
        let outbox_max_attempts = parse(
            get("outbox_max_attempts"),
            "outbox_max_attempts",
            10,
            |v| match v.parse::<i64>() {
                Ok(n) if (1..=100).contains(&n) => Ok(n),
                _ => Err(format!("'{v}' is not a whole number from 1 to 100")),
            },
        )?;
        let outbox_lease_seconds = parse(
            get("outbox_lease_seconds"),
            "outbox_lease_seconds",
            120,
            |v| match v.parse::<i64>() {
                Ok(n) if (1..=86_400).contains(&n) => Ok(n),
                _ => Err(format!(
                    "'{v}' is not a whole number of seconds from 1 to 86400"
                )),
            },
        )?;
        let webhooks_allow_private_targets = parse(
            get("webhooks_allow_private_targets"),
            "webhooks_allow_private_targets",
            false,
            parse_bool,
        )?;
        let push_hosts = parse(get("push_hosts"), "push_hosts", Vec::new(), |v| {
            let hosts: Vec<String> = v
                .split(',')
                .map(|h| h.trim().trim_start_matches('.').to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect();
            match hosts.iter().find(|h| {
                !h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
            }) {
                Some(bad) => Err(format!(
                    "'{bad}' is not a host name such as fcm.googleapis.com"
                )),
                None => Ok(hosts),
            }
        })?;
        let metrics_token = parse(get("metrics_token"), "metrics_token", None, |v| {
            if v.is_empty() {
                Ok(None)
            } else if v.len() < 16 || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
                Err("use at least 16 characters without spaces".into())
            } else {
                Ok(Some(v.to_string()))
            }
        })?;
        let metrics_public = parse(get("metrics_public"), "metrics_public", false, parse_bool)?;
        let seconds = |key: &'static str, default: u64| {
            parse(get(key), key, default, |v| match v.parse::<u64>() {
                Ok(n) if (1..=3600).contains(&n) => Ok(n),
                _ => Err(format!(
                    "'{v}' is not a whole number of seconds from 1 to 3600"
                )),
            })
        };
        let header_timeout_seconds = seconds("header_timeout_seconds", 15)?;
        let body_timeout_seconds = seconds("body_timeout_seconds", 60)?;
        let max_connections_per_address = parse(
            get("max_connections_per_address"),
            "max_connections_per_address",
            256,
            |v| match v.parse::<usize>() {
                Ok(n) if (1..=100_000).contains(&n) => Ok(n),
                _ => Err(format!("'{v}' is not a whole number from 1 to 100000")),
            },
        )?;
        Ok(Settings {
            listen,
            data_dir,
            database_url,
            base_url,
            base_url_configured,
            default_language,
            log_json,
            log_level,
            behind_proxy,
            trusted_proxies,
            cookie_secure,
            db_max_connections,
            session_days,
            auto_close_days,
            status_host,
            smtp_url,
            smtp_from,
            smtp_connections,
            outbox_max_attempts,
            outbox_lease_seconds,
            webhooks_allow_private_targets,
            push_hosts,
            metrics_token,
            metrics_public,
            header_timeout_seconds,
            body_timeout_seconds,
            max_connections_per_address,
        })
    }

    /// The settings of the use cases.
    pub fn app_config(&self, demo: bool) -> app::Config {
        app::Config {
            base_url: self.base_url.clone(),
            demo,
            default_language: self.default_language,
            session_ttl_ms: i64::from(self.session_days) * 24 * 3600 * 1000,
            data_dir: self.data_dir.clone(),
            auto_close_ms: i64::from(self.auto_close_days) * 24 * 3600 * 1000,
            allow_private_targets: self.webhooks_allow_private_targets,
            push_hosts: self.push_hosts.clone(),
            mail_relay: self.smtp_url.is_some(),
            outbox_lease_ms: self.outbox_lease_seconds * 1000,
            outbox_max_attempts: self.outbox_max_attempts,
            ..app::Config::default()
        }
    }

    /// The settings of the web layer.
    pub fn web_config(&self) -> web::WebConfig {
        let mut trusted = self.trusted_proxies.clone();
        if self.behind_proxy {
            trusted.extend(
                ["127.0.0.0/8", "::1/128"]
                    .iter()
                    .filter_map(|n| n.parse::<ipnet::IpNet>().ok()),
            );
        }
        web::WebConfig {
            secure_cookies: self.cookie_secure,
            status_host: self.status_host.clone(),
            trusted_proxies: trusted,
            hsts: self.base_url.starts_with("https://"),
            metrics: match (&self.metrics_token, self.metrics_public) {
                (Some(token), _) => web::MetricsAccess::Token(token.clone()),
                (None, true) => web::MetricsAccess::Public,
                (None, false) => web::MetricsAccess::Off,
            },
            limits: web::ConnLimits {
                header_timeout: std::time::Duration::from_secs(self.header_timeout_seconds),
                body_timeout: std::time::Duration::from_secs(self.body_timeout_seconds),
                per_address: self.max_connections_per_address,
            },
        }
    }
}

fn parse_bool(v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        other => Err(format!("'{other}' is not true or false")),
    }
}

fn read_file(path: &Path) -> Result<Vec<(&'static str, String)>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config file {}", path.display()))?;
    let table: toml::Table = toml::from_str(&text)
        .with_context(|| format!("config file {} is not valid TOML", path.display()))?;
    let mut out = Vec::new();
    for (key, value) in table {
        let Some(k) = known(&key) else {
            bail!(
                "unknown key `{key}` in config file {}; known keys: {}",
                path.display(),
                KEYS.iter()
                    .map(|(k, _, _)| *k)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        };
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => bail!(
                "invalid value for `{key}` in config file {}: expected a string, number or boolean, found {}",
                path.display(),
                other.type_str()
            ),
        };
        out.push((k, text));
    }
    Ok(out)
}

/// A commented example configuration file with every key and its default.
pub fn example() -> String {
    let mut out = String::from(
        "# statusdesk configuration (TOML). Every key is optional; shown are the defaults.\n\
         # Each key can also be set as an environment variable STATUSDESK_<KEY> (upper case)\n\
         # and some as command-line flags; flags win over variables, variables over this file.\n\n",
    );
    for (key, default, help) in KEYS {
        out.push_str(&format!("# {help}\n# {key} = {default}\n\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_need_no_configuration() {
        let s = Settings::load(&Overrides::default(), &BTreeMap::new()).expect("defaults");
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(s.database_url, "sqlite:./statusdesk-data/statusdesk.db");
        assert_eq!(s.base_url, "http://127.0.0.1:8080");
        assert!(!s.cookie_secure);
    }

    #[test]
    fn layers_apply_in_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "listen = \"127.0.0.1:9000\"\nsession_days = 3\nbase_url = \"https://desk.example.com/\"\n").expect("write");
        let mut o = Overrides {
            config_file: Some(file),
            ..Default::default()
        };
        let s = Settings::load(&o, &env(&[("STATUSDESK_SESSION_DAYS", "5")])).expect("load");
        assert_eq!(s.listen.port(), 9000);
        assert_eq!(s.session_days, 5, "environment beats file");
        assert_eq!(s.base_url, "https://desk.example.com");
        assert!(s.cookie_secure, "https base url makes cookies Secure");
        o.values.insert("session_days", "7".into());
        let s = Settings::load(&o, &env(&[("STATUSDESK_SESSION_DAYS", "5")])).expect("load");
        assert_eq!(s.session_days, 7, "flag beats environment");
    }

    #[test]
    fn errors_name_the_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "lisen = \"x\"\n").expect("write");
        let o = Overrides {
            config_file: Some(file.clone()),
            ..Default::default()
        };
        let e = Settings::load(&o, &BTreeMap::new())
            .expect_err("unknown key")
            .to_string();
        assert!(e.contains("unknown key `lisen`"), "{e}");

        std::fs::write(&file, "listen = \"nowhere\"\n").expect("write");
        let e = Settings::load(&o, &BTreeMap::new())
            .expect_err("bad value")
            .to_string();
        assert!(e.contains("`listen`") && e.contains("nowhere"), "{e}");

        let e = Settings::load(
            &Overrides::default(),
            &env(&[("STATUSDESK_DB_MAX_CONNECTIONS", "0")]),
        )
        .expect_err("bad env")
        .to_string();
        assert!(
            e.contains("`db_max_connections`") && e.contains("STATUSDESK_DB_MAX_CONNECTIONS"),
            "{e}"
        );

        let e = Settings::load(&Overrides::default(), &env(&[("STATUSDESK_LISTEM", "x")]))
            .expect_err("unknown env")
            .to_string();
        assert!(e.contains("STATUSDESK_LISTEM"), "{e}");

        let e = Settings::load(
            &Overrides::default(),
            &env(&[("STATUSDESK_DATABASE_URL", "mysql://x")]),
        )
        .expect_err("bad url")
        .to_string();
        assert!(e.contains("`database_url`"), "{e}");
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let s = Settings::load(
            &Overrides::default(),
            &env(&[(
                "STATUSDESK_DATABASE_URL",
                "postgres://app:hunter2secret@db/x",
            )]),
        )
        .expect("load");
        let text = format!("{s:?}");
        assert!(!text.contains("hunter2secret"), "{text}");
        assert!(text.contains("postgres://app:***@db/x"));
    }

    #[test]
    fn example_lists_every_key_and_parses() {
        let text = example();
        for (k, _, _) in KEYS {
            assert!(text.contains(&format!("# {k} = ")), "{k} missing");
        }
        // Uncommented, the example is a valid configuration.
        let uncommented: String = text
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| l.contains(" = "))
            .map(|l| format!("{l}\n"))
            .collect();
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("c.toml");
        std::fs::write(&file, uncommented).expect("write");
        Settings::load(
            &Overrides {
                config_file: Some(file),
                ..Default::default()
            },
            &BTreeMap::new(),
        )
        .expect("example parses");
    }
}
