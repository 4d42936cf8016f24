//! E-mail delivery from the outbox to a real SMTP server on loopback.
use crate::harness::{Db, Options, TestApp, client};
use crate::on_both;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A message as the SMTP server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub data: String,
}

#[derive(Clone)]
struct Catcher {
    inbox: Arc<Mutex<Vec<Received>>>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl mailin_embedded::Handler for Catcher {
    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        to: &[String],
    ) -> mailin_embedded::Response {
        self.to = to.to_vec();
        self.data.clear();
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        if let Ok(mut inbox) = self.inbox.lock() {
            inbox.push(Received {
                to: self.to.clone(),
                data: unquote(&self.data),
            });
        }
        mailin_embedded::response::OK
    }
}

/// The message with quoted-printable soft line breaks and escapes undone,
/// so tests can look for text in the body.
fn unquote(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'=' {
            if raw.get(i + 1..i + 3) == Some(b"\r\n") {
                i += 3;
                continue;
            }
            if let Some(hex) = raw
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                && let Ok(b) = u8::from_str_radix(hex, 16)
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).to_string()
}

/// A real SMTP server in this process, on a free loopback port.
pub struct SmtpServer {
    pub url: String,
    pub inbox: Arc<Mutex<Vec<Received>>>,
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind smtp");
        let port = listener.local_addr().expect("addr").port();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let mut server = mailin_embedded::Server::new(Catcher {
            inbox: inbox.clone(),
            to: Vec::new(),
            data: Vec::new(),
        });
        server.with_name("smtp.test").with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        SmtpServer {
            url: format!("smtp://127.0.0.1:{port}"),
            inbox,
        }
    }

    /// Waits until `n` messages have arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..100 {
            let got = self.inbox.lock().map(|i| i.clone()).unwrap_or_default();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "only {} of {n} messages arrived",
            self.inbox.lock().map(|i| i.len()).unwrap_or(0)
        );
    }
}

async fn outbox_mail_reaches_the_smtp_server(db: Db) {
    let smtp = SmtpServer::start();
    let app = TestApp::spawn_with(
        db,
        Options {
            settings: vec![
                ("smtp_url", smtp.url.clone()),
                ("smtp_from", "Support <support@statusdesk.test>".into()),
            ],
            ..Options::default()
        },
    )
    .await;
    // A password reset and an agent's reply each cause one e-mail.
    let c = client();
    let csrf = app.csrf(&c, "/password/forgot").await;
    c.post(app.url("/password/forgot"))
        .form(&[("csrf", csrf.as_str()), ("email", "admin@globex.test")])
        .send()
        .await
        .expect("post");
    let greta = app.token("admin@globex.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let r = app
        .client
        .post(app.url("/api/v1/requests"))
        .bearer_auth(&greta)
        .json(&json!({"subject": "Mail test", "description": "Please reply.", "priority": "low"}))
        .send()
        .await
        .expect("post");
    let rid = r.json::<serde_json::Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();
    app.client
        .post(app.url(&format!("/api/v1/requests/{rid}/messages")))
        .bearer_auth(&agent)
        .json(&json!({"body": "Here is your answer."}))
        .send()
        .await
        .expect("reply");
    let got = smtp.wait_for(2).await;
    assert!(
        got.iter()
            .all(|m| m.to == vec!["admin@globex.test".to_string()]),
        "{got:?}"
    );
    let reset = got
        .iter()
        .find(|m| m.data.contains("Reset your statusdesk password"))
        .expect("reset mail");
    assert!(
        reset
            .data
            .contains("From: Support <support@statusdesk.test>")
    );
    assert!(reset.data.contains("/password/reset?token=rst_"));
    let reply = got
        .iter()
        .find(|m| m.data.contains("Subject: Re: Mail test"))
        .expect("reply mail");
    assert!(reply.data.contains("Here is your answer."));
    // The Message-ID is derived from the row's idempotency key.
    let rows = app.store.recent_outbox(10).await.expect("outbox");
    for row in &rows {
        let id = notify::mail::message_id(&row.idempotency_key);
        assert!(
            got.iter().any(|m| m.data.contains(&id)),
            "no mail with {id}"
        );
    }
    // Both rows are done.
    for _ in 0..50 {
        if app.store.pending_outbox_count().await.expect("count") == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.store.pending_outbox_count().await.expect("count"), 0);
    assert!(
        app.store
            .recent_outbox(10)
            .await
            .expect("outbox")
            .iter()
            .all(|r| r.state == "done" && r.attempts == 1)
    );
}

async fn failed_deliveries_are_retried_then_given_up(db: Db) {
    // Nothing listens on this port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let app = TestApp::spawn_with(
        db,
        Options {
            settings: vec![
                ("smtp_url", format!("smtp://127.0.0.1:{port}")),
                ("outbox_max_attempts", "2".into()),
            ],
            manual_clock: true,
            ..Options::default()
        },
    )
    .await;
    let c = client();
    let csrf = app.csrf(&c, "/password/forgot").await;
    c.post(app.url("/password/forgot"))
        .form(&[("csrf", csrf.as_str()), ("email", "admin@acme.test")])
        .send()
        .await
        .expect("post");
    let mut row = None;
    for _ in 0..100 {
        let rows = app.store.recent_outbox(1).await.expect("outbox");
        if rows.first().is_some_and(|r| r.attempts == 1) {
            row = rows.into_iter().next();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let row = row.expect("a failed attempt was recorded");
    assert_eq!(row.state, "pending", "retried later, not lost");
    assert!(row.last_error.as_deref().is_some_and(|e| !e.is_empty()));
    assert!(
        row.next_attempt_at > row.created_at + 29_000,
        "backs off at least 30 s"
    );
    // When the time comes it is tried again, and after the last attempt it
    // is given up ("dead") for staff to see.
    app.clock.advance(3_600_000);
    let mut dead = false;
    for _ in 0..100 {
        let rows = app.store.recent_outbox(1).await.expect("outbox");
        if rows.first().is_some_and(|r| r.state == "dead") {
            assert_eq!(rows[0].attempts, 2);
            dead = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(dead, "the message was not given up after its last attempt");
}

on_both!(
    outbox_mail_reaches_the_smtp_server,
    failed_deliveries_are_retried_then_given_up
);
