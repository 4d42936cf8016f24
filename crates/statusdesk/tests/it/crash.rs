//! Nothing is lost: kill the server with SIGKILL in the middle of a fan-out
//! to many subscribers, start it again, and every subscriber gets the
//! notification; a message sent twice carries the same Message-ID.
use crate::harness::Fetch;
use crate::mail::SmtpServer;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn start(dir: &std::path::Path, smtp: &str) -> (Child, String) {
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
