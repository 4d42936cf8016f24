//! Nothing is lost: kill the server with SIGKILL in the middle of a fan-out
//! to many subscribers, start it again, and every subscriber gets the
//! notification; a message sent twice carries the same Message-ID. The same
//! for chat: every message acknowledged before the kill is there after the
//! restart, on SQLite and on PostgreSQL.
use crate::harness::Fetch;
use crate::mail::SmtpServer;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn start(dir: &std::path::Path, smtp: &str) -> (Child, String) {
    start_with(dir, smtp, &[])
}

fn start_with(dir: &std::path::Path, smtp: &str, extra: &[&str]) -> (Child, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_statusdesk"));
    for (k, _) in std::env::vars() {
        if k.starts_with("STATUSDESK_") {
            cmd.env_remove(k);
        }
    }
    let mut child = cmd
        .args([
            "serve",
            "--demo",
            "--listen",
            "127.0.0.1:0",
            "--log-level",
            "warn",
        ])
        .args(extra)
        .env("STATUSDESK_SMTP_URL", smtp)
        .env("STATUSDESK_OUTBOX_LEASE_SECONDS", "3")
        .env("STATUSDESK_SMTP_CONNECTIONS", "2")
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    let mut first = String::new();
    reader.read_line(&mut first).expect("read");
    // Keep reading, so the server never writes into a closed pipe.
    std::thread::spawn(move || {
        let mut sink = String::new();
        while reader.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
            sink.clear();
        }
    });
    let addr = first
        .split("listening on ")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .expect("address")
        .to_string();
    (child, format!("http://{addr}"))
}

fn message_id(data: &str) -> String {
    data.lines()
        .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
        .map(|l| l[11..].trim().to_string())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_fan_out_finishes_after_restart_without_losing_anyone() {
    let smtp = SmtpServer::start_slow(Duration::from_millis(15));
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut first, base) = start(dir.path(), &smtp.url);
    // 200 confirmed subscribers, written straight into the database.
    let db = dir.path().join("statusdesk-data/statusdesk.db");
    let store = store::Store::connect(&format!("sqlite:{}", db.display()), 1)
        .await
        .expect("open");
    let emails: Vec<String> = (0..200)
        .map(|i| format!("reader{i:03}@crash.test"))
        .collect();
    let now = domain::Clock::now_ms(&domain::SystemClock);
    assert_eq!(
        store
            .add_confirmed_subscribers(&emails, "en", now)
            .await
            .expect("add"),
        200
    );
    store.close().await;

    let client = reqwest::Client::new();
    let token: serde_json::Value = client
        .post(format!("{base}/api/v1/tokens"))
        .json(&serde_json::json!({"email": "agent@statusdesk.test", "password": "statusdesk-demo"}))
        .json_body()
        .await;
    let token = token["token"].as_str().expect("token").to_string();
    let components: serde_json::Value = client
        .get(format!("{base}/api/v1/components"))
        .bearer_auth(&token)
        .json_body()
        .await;
    let login = components["components"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let r = client
        .post(format!("{base}/api/v1/incidents"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "Crash test incident", "status": "investigating", "impact": "major",
                                  "body": "Testing that nothing is lost.", "components": {login: "major_outage"}}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 201);

    // Kill it once some, but not all, have been delivered.
    let count = |smtp: &SmtpServer| {
        smtp.inbox
            .lock()
            .map(|i| {
                i.iter()
                    .filter(|m| m.data.contains("Crash test incident"))
                    .count()
            })
            .unwrap_or(0)
    };
    for _ in 0..200 {
        if count(&smtp) >= 20 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let _ = Command::new("kill")
        .args(["-KILL", &first.id().to_string()])
        .status();
    let _ = first.wait();
    let before = count(&smtp);
    assert!(
        (20..200).contains(&before),
        "killed after {before} of 200: the test needs a fan-out in flight"
    );

    // Start again on the same data: the rest arrive.
    let (mut second, _) = start(dir.path(), &smtp.url);
    let mut delivered = HashMap::<String, Vec<String>>::new();
    for _ in 0..600 {
        delivered.clear();
        if let Ok(inbox) = smtp.inbox.lock() {
            for m in inbox
                .iter()
                .filter(|m| m.data.contains("Crash test incident"))
            {
                for to in &m.to {
                    delivered
                        .entry(to.clone())
                        .or_default()
                        .push(message_id(&m.data));
                }
            }
        }
        if delivered.len() == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = second.kill();
    let _ = second.wait();
    assert_eq!(
        delivered.len(),
        200,
        "every subscriber got the notification"
    );
    for (to, ids) in &delivered {
        assert!(
            ids.iter().all(|id| !id.is_empty() && id == &ids[0]),
            "{to} got different Message-IDs: {ids:?}"
        );
    }
}

async fn demo_token(base: &str, email: &str) -> String {
    let v: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/tokens"))
        .json(&serde_json::json!({"email": email, "password": "statusdesk-demo"}))
        .json_body()
        .await;
    v["token"].as_str().expect("token").to_string()
}

fn kill9(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

async fn send_fifteen(ws: &mut crate::chat::Ws) {
    for i in 0..15 {
        ws.send(serde_json::json!({"type": "message", "client_id": format!("m{i}"), "body": format!("message {i}")}))
            .await;
    }
}

/// The first `n` acks: client id → seq.
async fn acks(ws: &mut crate::chat::Ws, n: usize) -> HashMap<String, i64> {
    let mut acks = HashMap::new();
    while acks.len() < n {
        let f = ws.next_of("ack").await;
        acks.insert(
            f["client_id"].as_str().expect("client id").to_string(),
            f["seq"].as_i64().expect("seq"),
        );
    }
    acks
}

/// A chat's stored messages as (client id, seq), in order.
async fn transcript(base: &str, chat: &str, token: &str) -> Vec<(String, i64)> {
    let v: serde_json::Value = reqwest::Client::new()
        .get(format!("{base}/api/v1/chats/{chat}"))
        .bearer_auth(token)
        .json_body()
        .await;
    v["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| {
            (
                m["client_id"].as_str().unwrap_or("").to_string(),
                m["seq"].as_i64().unwrap_or(0),
            )
        })
        .collect()
}

/// Sends 15 chat messages without waiting, kills the server with SIGKILL
/// as soon as 8 are acknowledged, starts it again on the same data, and
/// checks that every acknowledged message is stored with its seq; then
/// resends all 15 (as a client does after a reconnect) and checks that
/// each is stored exactly once, seqs without gaps.
async fn acked_chat_messages_survive_sigkill(extra: &[&str]) {
    let smtp = SmtpServer::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut first, base) = start_with(dir.path(), &smtp.url, extra);
    let ada = demo_token(&base, "admin@acme.test").await;
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/chats"))
        .bearer_auth(&ada)
        .json(&serde_json::json!({"body": "Before the crash"}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 201);
    let chat: serde_json::Value = r.json().await.expect("json");
    let chat = chat["id"].as_str().expect("id").to_string();
    let mut ws = crate::chat::Ws::open(&base, &chat, &ada, Some(1))
        .await
        .expect("socket");
    send_fifteen(&mut ws).await;
    let acked = acks(&mut ws, 8).await;
    kill9(&mut first);
    drop(ws);

    let (mut second, base) = start_with(dir.path(), &smtp.url, extra);
    let ada = demo_token(&base, "admin@acme.test").await;
    let after = transcript(&base, &chat, &ada).await;
    for (client_id, seq) in &acked {
        assert!(
            after.iter().any(|(c, s)| c == client_id && s == seq),
            "acknowledged {client_id} (seq {seq}) lost in the crash: {after:?}"
        );
    }
    // The client resends everything it has not seen acknowledged; to be
    // thorough, all of it.
    let mut ws = crate::chat::Ws::open(&base, &chat, &ada, Some(1))
        .await
        .expect("socket");
    send_fifteen(&mut ws).await;
    let acks = acks(&mut ws, 15).await;
    for (client_id, seq) in &acked {
        assert_eq!(
            acks.get(client_id),
            Some(seq),
            "the same ack for {client_id}"
        );
    }
    let end = transcript(&base, &chat, &ada).await;
    assert_eq!(
        end.len(),
        16,
        "the opening message and 15, once each: {end:?}"
    );
    let seqs: Vec<i64> = end.iter().map(|(_, s)| *s).collect();
    assert_eq!(seqs, (1..=16).collect::<Vec<_>>());
    kill9(&mut second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acked_chat_messages_survive_sigkill_on_sqlite() {
    acked_chat_messages_survive_sigkill(&[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acked_chat_messages_survive_sigkill_on_postgres() {
    if !crate::harness::postgres_available("crash::acked_chat_messages_survive_sigkill_on_postgres")
    {
        return;
    }
    let url = crate::harness::fresh_pg_database().await;
    acked_chat_messages_survive_sigkill(&["--database-url", &url]).await;
}
