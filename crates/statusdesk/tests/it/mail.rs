//! E-mail delivery from the outbox to a real SMTP server on loopback.
use crate::harness::Fetch;
use crate::harness::{Db, Options, TestApp, client};
use crate::on_both;
use serde_json::{Value, json};
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
    delay: Duration,
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
        std::thread::sleep(self.delay);
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
        Self::start_slow(Duration::ZERO)
    }

    /// A server that takes `delay` to accept each message.
    pub fn start_slow(delay: Duration) -> SmtpServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind smtp");
        let port = listener.local_addr().expect("addr").port();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let mut server = mailin_embedded::Server::new(Catcher {
            delay,
            inbox: inbox.clone(),
            to: Vec::new(),
            data: Vec::new(),
        });
        server
            .with_name("smtp.test")
            .with_num_threads(64)
            .with_tcp_listener(listener);
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
    let rows = app.store.recent_outbox(50).await.expect("outbox");
    for row in rows.iter().filter(|r| r.channel == "email") {
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
    let rows = app.store.recent_outbox(50).await.expect("outbox");
    assert!(
        rows.iter()
            .filter(|r| r.channel == "email")
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
        let rows: Vec<_> = app
            .store
            .recent_outbox(50)
            .await
            .expect("outbox")
            .into_iter()
            .filter(|r| r.channel == "email")
            .collect();
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
        let rows: Vec<_> = app
            .store
            .recent_outbox(50)
            .await
            .expect("outbox")
            .into_iter()
            .filter(|r| r.channel == "email")
            .collect();
        if rows.first().is_some_and(|r| r.state == "dead") {
            assert_eq!(rows[0].attempts, 2);
            dead = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(dead, "the message was not given up after its last attempt");
    // Staff see it and can send it again.
    assert_eq!(
        app.signed_in("agent@statusdesk.test")
            .await
            .get(app.url("/staff/outbox"))
            .send()
            .await
            .expect("get")
            .status(),
        403
    );
    let support = app.signed_in("support@statusdesk.test").await;
    let page = support.get(app.url("/staff/outbox")).text_body().await;
    assert!(
        page.contains("admin@acme.test") && page.contains("Given up: 1"),
        "{page}"
    );
    let csrf = crate::harness::csrf_in(&page).expect("csrf");
    let id = app.store.outbox_in_state("dead", 1).await.expect("dead")[0]
        .id
        .clone();
    let r = support
        .post(app.url(&format!("/staff/outbox/{id}/retry")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    assert!(
        app.store
            .outbox_in_state("dead", 10)
            .await
            .expect("dead")
            .is_empty()
    );
}

fn link_after(text: &str, prefix: &str) -> String {
    let at = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} in {text}"));
    text[at..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '>')
        .collect()
}

async fn subscribers_confirm_then_get_updates_and_can_leave(db: Db) {
    let smtp = SmtpServer::start();
    let app = TestApp::spawn_with(
        db,
        Options {
            settings: vec![("smtp_url", smtp.url.clone())],
            ..Options::default()
        },
    )
    .await;
    let refs = app.store.component_refs().await.expect("components");
    let login = refs
        .iter()
        .find(|c| c.name == "Login")
        .expect("Login")
        .id
        .clone();
    let chat = refs
        .iter()
        .find(|c| c.name == "Chat")
        .expect("Chat")
        .id
        .clone();
    let subscribe = |body: serde_json::Value| {
        app.client
            .post(app.url("/api/v1/subscriptions"))
            .json(&body)
            .send()
    };
    // One subscriber for everything (API), one for Chat only (the page), one
    // who never confirms.
    assert_eq!(
        subscribe(json!({"email": "all@reader.test"}))
            .await
            .expect("post")
            .status(),
        202
    );
    assert_eq!(
        subscribe(json!({"email": "not an address"}))
            .await
            .expect("post")
            .status(),
        422
    );
    assert_eq!(
        subscribe(json!({"email": "x@reader.test", "components": ["nope"]}))
            .await
            .expect("post")
            .status(),
        422
    );
    let c = client();
    let page = c.get(app.url("/status/subscribe")).text_body().await;
    let csrf = crate::harness::csrf_in(&page).expect("csrf");
    let r = c
        .post(app.url("/status/subscribe"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "chat@reader.test"),
            ("component", chat.as_str()),
        ])
        .send()
        .await
        .expect("post");
    assert!(
        r.text()
            .await
            .expect("text")
            .contains("Confirm your subscription")
    );
    assert_eq!(
        subscribe(json!({"email": "lazy@reader.test"}))
            .await
            .expect("post")
            .status(),
        202
    );
    let confirmations = smtp.wait_for(3).await;
    for who in ["all@reader.test", "chat@reader.test"] {
        let mail = confirmations
            .iter()
            .find(|m| m.to == vec![who.to_string()])
            .expect("confirmation");
        let link = link_after(
            &mail.data,
            &format!("{}/subscriptions/confirm?token=", app.base),
        );
        let page = client().get(&link).text_body().await;
        assert!(page.contains("You are subscribed"), "{who}");
    }
    let agent = app.token("agent@statusdesk.test").await;
    let post = |name: &'static str, component: &str, status: &'static str| {
        app.client
            .post(app.url("/api/v1/incidents"))
            .bearer_auth(&agent)
            .json(&json!({"name": name, "status": "investigating", "impact": "major", "body": format!("{name}: we are looking into it."), "components": {component: status}}))
            .send()
    };
    // An incident on Login: only the everything-subscriber hears of it.
    assert_eq!(
        post("Sign-in trouble", &login, "major_outage")
            .await
            .expect("post")
            .status(),
        201
    );
    let got = smtp.wait_for(4).await;
    let update = got
        .iter()
        .find(|m| m.data.contains("Sign-in trouble"))
        .expect("update mail");
    assert_eq!(update.to, vec!["all@reader.test".to_string()]);
    assert!(
        update
            .data
            .contains("Sign-in trouble: we are looking into it.")
    );
    assert!(
        update
            .data
            .contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
    );
    // Plain text and HTML, as alternatives of one message.
    assert!(
        update.data.contains("multipart/alternative"),
        "{}",
        update.data
    );
    assert!(update.data.contains("Content-Type: text/plain"));
    assert!(update.data.contains("Content-Type: text/html"));
    let html = &update.data[update.data.find("Content-Type: text/html").unwrap_or(0)..];
    assert!(html.contains("<h1"), "the HTML part has a heading");
    assert!(
        html.contains(&format!("<a href=\"{}/status/incidents/", app.base)),
        "the HTML part links the incident"
    );
    assert!(
        html.contains(&format!(
            "<a href=\"{}/subscriptions/unsubscribe?s=",
            app.base
        )),
        "the HTML part can unsubscribe"
    );
    let unsubscribe = link_after(
        &update.data,
        &format!("{}/subscriptions/unsubscribe?s=", app.base),
    );
    // An incident on Chat reaches both confirmed subscribers, and not the
    // one who never confirmed.
    assert_eq!(
        post("Chat is slow", &chat, "degraded_performance")
            .await
            .expect("post")
            .status(),
        201
    );
    let got = smtp.wait_for(6).await;
    let mut to: Vec<String> = got
        .iter()
        .filter(|m| m.data.contains("Chat is slow"))
        .flat_map(|m| m.to.clone())
        .collect();
    to.sort();
    assert_eq!(to, ["all@reader.test", "chat@reader.test"]);
    assert!(
        got.iter().all(
            |m| m.to != vec!["lazy@reader.test".to_string()] || m.data.contains("Confirm here")
        )
    );
    // A forged link is refused; the real one unsubscribes with one POST.
    assert_eq!(
        client()
            .post(format!("{unsubscribe}x"))
            .send()
            .await
            .expect("post")
            .status(),
        404
    );
    let page = client().get(&unsubscribe).text_body().await;
    assert!(page.contains("Stop the status e-mails"));
    let r = client()
        .post(&unsubscribe)
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .expect("text")
            .contains("You are unsubscribed")
    );
    assert_eq!(
        post("Chat down again", &chat, "major_outage")
            .await
            .expect("post")
            .status(),
        201
    );
    let got = smtp.wait_for(7).await;
    let again: Vec<String> = got
        .iter()
        .filter(|m| m.data.contains("Chat down again"))
        .flat_map(|m| m.to.clone())
        .collect();
    assert_eq!(again, ["chat@reader.test"]);
}

async fn subscribing_is_rate_limited_per_address(db: Db) {
    let app = TestApp::spawn(db).await;
    for i in 0..30 {
        let r = app
            .client
            .post(app.url("/api/v1/subscriptions"))
            .json(&json!({"email": format!("flood{i}@reader.test")}))
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 202, "attempt {i}");
    }
    let r = app
        .client
        .post(app.url("/api/v1/subscriptions"))
        .json(&json!({"email": "one-too-many@reader.test"}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 429);
    assert!(r.headers().get("retry-after").is_some());
}

/// One address gets one pending confirmation at a time, resent at most
/// every few minutes and a few times a day, however many ask for it.
async fn confirmations_are_limited_per_recipient(db: Db) {
    let app = TestApp::spawn_with(
        db,
        Options {
            manual_clock: true,
            ..Options::default()
        },
    )
    .await;
    let ask = || async {
        let r = app
            .client
            .post(app.url("/api/v1/subscriptions"))
            .json(&json!({"email": "Victim@reader.test"}))
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 202);
        r.json::<Value>().await.expect("json")
    };
    let mails = || async {
        app.store
            .recent_outbox(200)
            .await
            .expect("outbox")
            .into_iter()
            .filter(|m| m.channel == "email")
            .count()
    };
    let first = ask().await;
    assert_eq!(first["sent"], true, "{first}");
    for _ in 0..5 {
        let again = ask().await;
        assert_eq!(again["sent"], false, "{again}");
        assert!(
            again["retry_after_seconds"]
                .as_u64()
                .is_some_and(|s| (1..=300).contains(&s)),
            "{again}"
        );
    }
    assert_eq!(mails().await, 1, "one confirmation, not six");
    // The page says so too.
    let c = client();
    let csrf = app.csrf(&c, "/status/subscribe").await;
    let page = c
        .post(app.url("/status/subscribe"))
        .form(&[("csrf", csrf.as_str()), ("email", "victim@reader.test")])
        .text_body()
        .await;
    assert!(page.contains("we do not send another one yet"), "{page}");
    // A few minutes later it may be sent again, at most five times a day.
    let mut sent = 1;
    for _ in 0..8 {
        app.clock.advance(5 * 60_000 + 1);
        if ask().await["sent"] == true {
            sent += 1;
        }
    }
    assert_eq!(sent, 5, "five a day");
    assert_eq!(mails().await, 5);
}

/// Without an SMTP relay, e-mail waits, and the pages say so: the outbox
/// (with what waits, in words), the status desk and the subscription form.
async fn waiting_mail_and_a_missing_relay_are_said(db: Db) {
    let app = TestApp::spawn(db).await;
    let r = app
        .client
        .post(app.url("/api/v1/subscriptions"))
        .json(&json!({"email": "waiting@reader.test"}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 202);
    let sam = app.signed_in("support@statusdesk.test").await;
    let outbox = sam.get(app.url("/staff/outbox")).text_body().await;
    assert!(
        outbox.contains("No SMTP relay is configured, so"),
        "{outbox}"
    );
    assert!(
        outbox.contains("waiting@reader.test"),
        "pending messages are listed"
    );
    assert!(outbox.contains("Waiting: "), "states in words: {outbox}");
    let desk = sam.get(app.url("/staff/status")).text_body().await;
    assert!(
        desk.contains("no SMTP relay is configured"),
        "the status desk says it"
    );
    let form = client().get(app.url("/status/subscribe")).text_body().await;
    assert!(form.contains("cannot send e-mail at the moment"));
    drop(app);
    // With a relay configured, none of it.
    let app = TestApp::spawn_with(
        db,
        Options {
            settings: vec![("smtp_url", "smtp://127.0.0.1:9".into())],
            ..Options::default()
        },
    )
    .await;
    let sam = app.signed_in("support@statusdesk.test").await;
    let outbox = sam.get(app.url("/staff/outbox")).text_body().await;
    assert!(!outbox.contains("No SMTP relay"), "{outbox}");
    let form = client().get(app.url("/status/subscribe")).text_body().await;
    assert!(!form.contains("cannot send e-mail at the moment"));
}

on_both!(
    waiting_mail_and_a_missing_relay_are_said,
    confirmations_are_limited_per_recipient,
    subscribing_is_rate_limited_per_address,
    outbox_mail_reaches_the_smtp_server,
    failed_deliveries_are_retried_then_given_up,
    subscribers_confirm_then_get_updates_and_can_leave,
);
