//! Connections that send nothing, send their headers a line at a time,
//! trickle a body, idle after a response, or come by the hundred from one
//! address: each is cut off after its limit while `/status` keeps
//! answering everyone else.
use crate::harness::{Db, Options, TestApp, client};
use crate::on_both;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn addr(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_string()
}

/// Whether the server has closed the connection (a read gives end of file
/// or an error) within `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            // A response (e.g. 408) before the close: keep reading.
            Ok(Ok(_)) => continue,
        }
    }
}

async fn status_answers(app: &TestApp) {
    let c = client();
    for _ in 0..10 {
        let r = tokio::time::timeout(Duration::from_secs(5), c.get(app.url("/status")).send())
            .await
            .expect("/status answers in time")
            .expect("get");
        assert_eq!(r.status(), 200);
    }
}

async fn slow_and_silent_connections_are_cut_off(db: Db) {
    let app = TestApp::spawn_with(
        db,
        Options {
            settings: vec![
                ("header_timeout_seconds", "1".into()),
                ("body_timeout_seconds", "2".into()),
                ("max_connections_per_address", "1000".into()),
            ],
            ..Options::default()
        },
    )
    .await;
    let at = addr(&app);
    // 300 connections that say nothing.
    let mut silent = Vec::new();
    for _ in 0..300 {
        silent.push(TcpStream::connect(&at).await.expect("connect"));
    }
    // 50 that send one header line after another and never finish.
    let mut slow = Vec::new();
    for _ in 0..50 {
        let mut s = TcpStream::connect(&at).await.expect("connect");
        s.write_all(b"GET /status HTTP/1.1\r\nHost: x\r\n")
            .await
            .expect("write");
        slow.push(s);
    }
    let trickle = tokio::spawn(async move {
        for _ in 0..10 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            for s in &mut slow {
                let _ = s.write_all(b"X-Slow: 1\r\n").await;
            }
        }
        slow
    });
    // Meanwhile the status page answers.
    status_answers(&app).await;
    let mut slow = trickle.await.expect("trickle");
    for (i, s) in silent.iter_mut().enumerate() {
        assert!(
            closed_within(s, Duration::from_secs(3)).await,
            "silent connection {i} is closed"
        );
    }
    for (i, s) in slow.iter_mut().enumerate() {
        assert!(
            closed_within(s, Duration::from_secs(3)).await,
            "slow-header connection {i} is closed"
        );
    }
    // A body trickled a byte at a time is cut off at its deadline.
    let mut s = TcpStream::connect(&at).await.expect("connect");
    s.write_all(
        b"POST /api/v1/subscriptions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
    )
    .await
    .expect("write");
    let started = tokio::time::Instant::now();
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        tokio::select! {
            read = s.read(&mut buf) => match read {
                Ok(0) | Err(_) => break,
                Ok(n) => { answer.extend_from_slice(&buf[..n]); break; }
            },
            () = tokio::time::sleep(Duration::from_millis(300)) => {
                if s.write_all(b" ").await.is_err() { break; }
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(6),
            "the trickled body is still being read"
        );
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.is_empty() || !answer.starts_with("HTTP/1.1 2"),
        "a trickled body is not accepted: {answer}"
    );
    // A keep-alive connection that idles after its response is closed.
    let mut s = TcpStream::connect(&at).await.expect("connect");
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let n = s.read(&mut buf).await.expect("read");
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    assert!(
        closed_within(&mut s, Duration::from_secs(3)).await,
        "an idle keep-alive connection is closed"
    );
    status_answers(&app).await;
}

async fn one_address_holds_a_bounded_number_of_connections(db: Db) {
    let app = TestApp::spawn_with(
        db,
        Options {
            settings: vec![
                ("header_timeout_seconds", "2".into()),
                ("max_connections_per_address", "20".into()),
            ],
            ..Options::default()
        },
    )
    .await;
    let at = addr(&app);
    let mut held = Vec::new();
    for _ in 0..20 {
        held.push(TcpStream::connect(&at).await.expect("connect"));
    }
    // The 21st is closed at once, without an answer.
    let mut extra = TcpStream::connect(&at).await.expect("connect");
    let _ = extra
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let mut buf = [0u8; 256];
    let got = tokio::time::timeout(Duration::from_secs(2), extra.read(&mut buf))
        .await
        .expect("closed at once");
    assert!(matches!(got, Ok(0) | Err(_)), "{got:?}");
    // Once they close, the address is served again.
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    status_answers(&app).await;
}

on_both!(
    slow_and_silent_connections_are_cut_off,
    one_address_holds_a_bounded_number_of_connections,
);
