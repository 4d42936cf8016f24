//! Status integrations: customer admins add a Slack, Microsoft Teams or
//! Discord incoming webhook, or a generic signed JSON webhook, for their
//! organisation; it is posted to when an incident is created, changes status
//! and is resolved. The fan-out ([`crate::subscriptions`]) writes the posts
//! to the outbox and `notify::webhook` delivers them.
use crate::i18n::{Tr, rfc3339};
use crate::{App, Caller, Error, Result};
use domain::text::limits;
use domain::{Action, Language};
use serde_json::{Value, json};
use store::Integration;

pub const KINDS: &[&str] = &["slack", "teams", "discord", "webhook"];

/// One thing to tell integrations and browsers about.
pub struct Notice {
    /// `incident.created`, `incident.updated`, `incident.resolved`, the same
    /// with `maintenance.`, or `test`.
    pub event: String,
    pub incident_id: String,
    pub kind: String,
    pub name: String,
    pub status: String,
    /// The status in words, in the notice's language.
    pub status_text: String,
    pub impact: String,
    pub update_id: String,
    pub body: String,
    /// `(id, name, status)` of the affected components.
    pub components: Vec<(String, String, String)>,
    pub link: String,
    pub at: i64,
}

impl Notice {
    fn affects(&self, tr: Tr) -> String {
        if self.components.is_empty() {
            return String::new();
        }
        let names: Vec<&str> = self.components.iter().map(|c| c.1.as_str()).collect();
        format!("{} {}", tr.t("affects"), names.join(", "))
    }

    /// A test notice for "send test".
    pub fn test(app: &App, tr: Tr) -> Notice {
        Notice {
            event: "test".into(),
            incident_id: String::new(),
            kind: "test".into(),
            name: tr.t("integration-test-title"),
            status: "test".into(),
            status_text: tr.t("integration-test-status"),
            impact: "none".into(),
            update_id: String::new(),
            body: tr.t("integration-test-body"),
            components: Vec::new(),
            link: app.link("/status"),
            at: app.now(),
        }
    }
}

/// Slack's mrkdwn treats these three as control characters.
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The JSON posted to an integration of `kind`.
pub fn format_body(kind: &str, n: &Notice, tr: Tr) -> Value {
    let affects = n.affects(tr);
    match kind {
        "slack" => {
            let mut text = format!(
                "*<{}|{}>*\n*{}* – {}",
                n.link,
                slack_escape(&n.name),
                slack_escape(&n.status_text),
                crate::markdown::slack(&n.body)
            );
            if !affects.is_empty() {
                text.push_str(&format!("\n_{}_", slack_escape(&affects)));
            }
            json!({
                "text": format!("{}: {}", n.name, n.status_text),
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
            })
        }
        "teams" => {
            let mut body = vec![
                json!({"type": "TextBlock", "text": n.name, "weight": "Bolder", "size": "Medium", "wrap": true}),
                json!({"type": "TextBlock", "text": format!("**{}** – {}", n.status_text, n.body), "wrap": true}),
            ];
            if !affects.is_empty() {
                body.push(
                    json!({"type": "TextBlock", "text": affects, "isSubtle": true, "wrap": true}),
                );
            }
            json!({
                "type": "message",
                "attachments": [{
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": null,
                    "content": {
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "body": body,
                        "actions": [{"type": "Action.OpenUrl", "title": tr.t("open-status"), "url": n.link}],
                    },
                }],
            })
        }
        "discord" => {
            let color = match (n.status.as_str(), n.impact.as_str()) {
                ("resolved" | "completed", _) => 0x3ba55c,
                (_, "critical") => 0xd64541,
                (_, "major") => 0xe8833a,
                (_, "minor") => 0xe0b03c,
                _ => 0x5b8def,
            };
            let mut embed = json!({
                "title": n.name,
                "url": n.link,
                "description": format!("**{}** – {}", n.status_text, n.body),
                "color": color,
                "timestamp": rfc3339(n.at),
            });
            if !affects.is_empty() {
                embed["footer"] = json!({"text": affects});
            }
            json!({"embeds": [embed], "allowed_mentions": {"parse": []}})
        }
        _ => json!({
            "event": n.event,
            "incident": {
                "id": n.incident_id,
                "kind": n.kind,
                "name": n.name,
                "status": n.status,
                "impact": n.impact,
                "shortlink": n.link,
                "components": n.components.iter().map(|(id, name, status)| json!({"id": id, "name": name, "status": status})).collect::<Vec<_>>(),
            },
            "update": {
                "id": n.update_id,
                "status": n.status,
                "body": n.body,
                "body_html": crate::markdown::render(&n.body),
                "created_at": rfc3339(n.at),
            },
        }),
    }
}

/// A new integration, as typed.
#[derive(Debug, Default, Clone)]
pub struct IntegrationInput {
    pub kind: String,
    pub url: String,
    pub secret: Option<String>,
    pub components: Vec<String>,
    pub language: Option<String>,
}

/// How "send test" went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOutcome {
    pub delivered: bool,
    /// The target's HTTP status, when it answered with success.
    pub status: Option<u16>,
    /// What went wrong, in the caller's words (the detail is in the log).
    pub error: Option<String>,
    /// The same as a stable code: `status`, `tls`, `dns`, `timeout`,
    /// `connect`, `private` or `other`.
    pub error_code: Option<&'static str>,
}

/// What kind of failure a delivery error is, from reqwest's chain of
/// causes (the raw text is for the log, not for people).
pub fn failure_kind(error: &str) -> &'static str {
    let e = error.to_ascii_lowercase();
    if e.contains("answered http") {
        "status"
    } else if e.contains("non-public") || e.contains("not a public") {
        "private"
    } else if ["certificate", "tls", "ssl", "handshake"]
        .iter()
        .any(|w| e.contains(w))
    {
        "tls"
    } else if ["dns", "resolve", "lookup", "no such host"]
        .iter()
        .any(|w| e.contains(w))
    {
        "dns"
    } else if e.contains("timed out") || e.contains("timeout") {
        "timeout"
    } else if e.contains("refused") || e.contains("connect") || e.contains("reset") {
        "connect"
    } else {
        "other"
    }
}

fn check_kind(kind: &str) -> Result<&'static str> {
    KINDS.iter().find(|k| **k == kind).copied().ok_or_else(|| {
        Error::invalid_with(
            "kind",
            "not_one_of",
            &[("value", kind), ("allowed", &KINDS.join(", "))],
        )
    })
}

impl App {
    /// A target URL given in `field`: its length, its shape, and that it
    /// does not lead to a private address (unless the operator allows those).
    pub(crate) async fn check_target_url(&self, field: &str, url: &str) -> Result<String> {
        let url = url.trim();
        if url.chars().count() > limits::URL {
            return Err(Error::invalid_with(
                field,
                "too_long",
                &[("max", &limits::URL.to_string())],
            ));
        }
        notify::http::check_target(url, self.config.allow_private_targets)
            .await
            .map_err(|why| {
                tracing::info!(%why, "target refused");
                let code = match why.code {
                    "not_url" => "target_not_url",
                    "scheme" => "target_scheme",
                    "no_host" => "target_no_host",
                    "credentials" => "target_credentials",
                    "unresolved" => "target_unresolved",
                    "slow_dns" => "target_slow_dns",
                    _ => "target_private",
                };
                Error::invalid_with(field, code, &[("host", &why.host)])
            })?;
        Ok(url.to_string())
    }

    /// The organisation whose integrations the caller may manage.
    fn integrations_org<'a>(&self, caller: &'a Caller) -> Result<&'a str> {
        let org_id = caller
            .actor
            .org
            .as_ref()
            .map(|o| o.id.as_str())
            .unwrap_or("");
        self.permit(caller, Action::ManageIntegrations { org_id })?;
        Ok(org_id)
    }

    /// One of the caller's organisation's integrations; another's does not
    /// exist for them.
    async fn own_integration(&self, caller: &Caller, id: &str) -> Result<Integration> {
        let org_id = self.integrations_org(caller)?;
        self.store()
            .integration(org_id, id)
            .await?
            .ok_or(Error::NotFound)
    }

    /// Adds an integration; returns it and, for a generic webhook without
    /// a secret of the caller's, the secret generated for it (shown once).
    pub async fn create_integration(
        &self,
        caller: &Caller,
        input: IntegrationInput,
        fallback_language: Option<Language>,
    ) -> Result<(Integration, Option<String>)> {
        let org_id = self.integrations_org(caller)?.to_string();
        let kind = check_kind(input.kind.trim())?;
        let language = match input
            .language
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            Some(l) => Some(Language::parse(l)?),
            None => fallback_language,
        };
        let url = self.check_target_url("url", &input.url).await?;
        self.check_components("components", &input.components)
            .await?;
        let secret = input.secret.map(|s| s.trim().to_string());
        if let Some(s) = &secret {
            if kind != "webhook" {
                return Err(Error::invalid("secret", "secret_unsigned_kind"));
            }
            if s.len() < 16 || s.len() > 200 || s.chars().any(char::is_control) {
                return Err(Error::invalid("secret", "secret_length"));
            }
        }
        // A generic webhook is always signed: without a secret of the
        // caller's, it gets one, shown once.
        let generated =
            (kind == "webhook" && secret.is_none()).then(|| store::new_secret("whsec_").0);
        let secret = secret.or_else(|| generated.clone());
        let i = self
            .store()
            .create_integration(
                &store::IntegrationInput {
                    org_id: &org_id,
                    kind,
                    url: &url,
                    secret: secret.as_deref(),
                    components: &input.components,
                    created_by: caller.user_id(),
                    language: language.map(Language::as_str),
                },
                self.now(),
            )
            .await?;
        Ok((i, generated))
    }

    /// The caller's organisation's integrations.
    pub async fn integrations(&self, caller: &Caller) -> Result<Vec<Integration>> {
        let org_id = self.integrations_org(caller)?;
        Ok(self.store().integrations_of(org_id).await?)
    }

    pub async fn delete_integration(&self, caller: &Caller, id: &str) -> Result<()> {
        let i = self.own_integration(caller, id).await?;
        if self.store().delete_integration(&i.org_id, &i.id).await? {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }

    /// Sends a test post now, outside the outbox, and says how it went.
    pub async fn test_integration(&self, caller: &Caller, id: &str) -> Result<TestOutcome> {
        let i = self.own_integration(caller, id).await?;
        let tr = Tr(self.language_or_default(i.language.as_deref()));
        let body = format_body(&i.kind, &Notice::test(self, tr), tr).to_string();
        Ok(
            match notify::webhook::post(
                self.outgoing(),
                &i,
                &body,
                &format!("test:{}", store::new_id()),
                self.config.allow_private_targets,
                self.now().div_euclid(1000),
            )
            .await
            {
                Ok(status) => TestOutcome {
                    delivered: true,
                    status: Some(status),
                    error: None,
                    error_code: None,
                },
                Err(e) => {
                    tracing::info!(integration = %i.id, error = %e, "test post failed");
                    let kind = failure_kind(&e);
                    let status = e
                        .rsplit(' ')
                        .next()
                        .filter(|_| kind == "status")
                        .unwrap_or_default()
                        .to_string();
                    let you = Tr(caller.language().unwrap_or(self.config.default_language));
                    TestOutcome {
                        delivered: false,
                        status: None,
                        error: Some(you.ta(
                            &format!("integration-test-failed-{kind}"),
                            &[("status", &status)],
                        )),
                        error_code: Some(kind),
                    }
                }
            },
        )
    }
}
