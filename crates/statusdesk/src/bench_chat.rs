//! `statusdesk bench chat`: a load generator for live chat. It starts the
//! server as a child process on demo data (so the server's memory is its
//! own), opens many chats with a customer and an agent socket each, measures
//! the server's resident memory per idle socket, then sends messages at a
//! fixed rate across all sockets and measures the time from send to receipt
//! on the other side of the chat.
use anyhow::{Context, Result, bail};
use domain::chat::ChatState;
use domain::{Clock, SystemClock};
use futures_util::{SinkExt, StreamExt};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Sink = futures_util::stream::SplitSink<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    Message,
>;

pub struct ChatBench {
    /// Chats; each has two sockets (the customer's and the agent's).
    pub chats: usize,
    /// Messages a second, across all sockets.
    pub rate: u32,
    /// How long to send.
    pub seconds: u64,
}

/// The server under test, ended on drop.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(settings: &crate::config::Settings) -> Result<Server> {
        let exe = std::env::current_exe().context("the statusdesk binary")?;
        let mut cmd = Command::new(exe);
        cmd.args([
            "serve",
            "--demo",
            "--listen",
            "127.0.0.1:0",
            "--log-level",
            "warn",
        ])
        .arg("--data-dir")
        .arg(&settings.data_dir)
        .arg("--database-url")
        .arg(&settings.database_url)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
        let mut child = cmd.spawn().context("starting the server")?;
        let stdout = child.stdout.take().context("server output")?;
        let mut reader = BufReader::new(stdout);
        let mut first = String::new();
        reader.read_line(&mut first)?;
        std::thread::spawn(move || {
            let mut sink = String::new();
            while reader.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
                sink.clear();
            }
        });
        let addr = first
            .split("listening on ")
            .nth(1)
            .and_then(|r| r.split([',', ' ', '\n']).next())
            .map(str::to_string);
        let Some(addr) = addr else {
            let _ = child.kill();
            bail!("the server did not start: {first}");
        };
        Ok(Server { child, addr })
    }

    /// The server's resident memory, in KiB.
    fn rss_kib(&self) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .context("VmRSS")
    }
}

fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    limits
        .lines()
        .find(|l| l.starts_with("Max open files"))?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)] as f64 / 1000.0
}

/// What the readers record: (when sent, latency) in microseconds since
/// the start, and counts.
#[derive(Default)]
struct Tally {
    latencies: std::sync::Mutex<Vec<(u64, u64)>>,
    /// Send to the sender's own ack (microseconds).
    acks: std::sync::Mutex<Vec<u64>>,
    /// When message `n` (client id `b<n>`) was sent, in microseconds.
    sent_at: Vec<AtomicU64>,
    delivered: AtomicU64,
    acked: AtomicU64,
    errors: AtomicU64,
}

pub async fn run(settings: &crate::config::Settings, b: ChatBench) -> Result<()> {
    let sockets = b.chats * 2;
    if let Some(limit) = open_files_limit()
        && limit < sockets as u64 + 1_000
    {
        bail!(
            "{sockets} sockets need more open files than the limit of {limit}: run `ulimit -n {}` first",
            sockets * 2 + 1_000
        );
    }
    {
        let store = crate::open_store(settings).await?;
        if store.org_count().await? > 0 {
            bail!(
                "the benchmark needs an empty database: point --database-url or --data-dir at a new one"
            );
        }
        store.close().await;
    }
    let server = Server::start(settings)?;
    let store = crate::open_store(settings).await?;
    let backend = store.backend().as_str();
    eprintln!(
        "statusdesk on {} ({backend}); seeding {} chats …",
        server.addr, b.chats
    );
    let (ada, _) = store
        .principal_by_email("admin@acme.test")
        .await?
        .context("the demo admin")?;
    let (alex, _) = store
        .principal_by_email("agent@statusdesk.test")
        .await?
        .context("the demo agent")?;
    let org = ada.user.org_id.clone().context("the demo organisation")?;
    let now = SystemClock.now_ms();
    store
        .set_chat_capacity(&alex.user.id, b.chats as i64 + 10)
        .await?;
    let mut chats = Vec::with_capacity(b.chats);
    let seeded = Instant::now();
    for i in 0..b.chats {
        let subject = format!("Bench chat {i}");
        let id = store
            .create_chat(
                &store::NewChat {
                    org_id: &org,
                    requester_id: &ada.user.id,
                    subject: &subject,
                    component: None,
                    body: "Hello",
                    client_id: "open",
                },
                now,
            )
            .await?;
        store
            .move_chat(
                &id,
                ChatState::Waiting,
                None,
                ChatState::Active,
                Some(&alex.user.id),
                None,
                now,
            )
            .await?;
        chats.push(id);
        if (i + 1) % 500 == 0 || i + 1 == b.chats {
            eprint!("\r  {} / {} chats", i + 1, b.chats);
        }
    }
    eprintln!(" in {:.1} s", seeded.elapsed().as_secs_f64());
    let (customer_token, _) = store.create_token(&ada.user.id, "bench", now).await?;
    let (agent_token, _) = store.create_token(&alex.user.id, "bench", now).await?;
    store.close().await;

    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_before = server.rss_kib()?;

    // Open every socket: the customer's and the agent's of each chat.
    let tally = Arc::new(Tally {
        sent_at: (0..b.rate as u64 * b.seconds)
            .map(|_| AtomicU64::new(0))
            .collect(),
        ..Tally::default()
    });
    let start = Instant::now();
    let measuring = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut sinks: Vec<(char, Arc<Mutex<Sink>>)> = Vec::with_capacity(sockets);
    let opened = Instant::now();
    let targets: Vec<(usize, u8)> = (0..b.chats).flat_map(|c| [(c, b'c'), (c, b'a')]).collect();
    let mut stream = futures_util::stream::iter(targets.into_iter().map(|(c, side)| {
        let url = format!("ws://{}/api/v1/chats/{}/ws?after=1", server.addr, chats[c]);
        let token = if side == b'c' {
            customer_token.clone()
        } else {
            agent_token.clone()
        };
        async move {
            let mut req = url.into_client_request()?;
            req.headers_mut()
                .insert("authorization", format!("Bearer {token}").parse()?);
            let (ws, _) = tokio_tungstenite::connect_async(req).await?;
            anyhow::Ok((side, ws))
        }
    }))
    .buffer_unordered(200);
    let mut readers = Vec::with_capacity(sockets);
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut open = Vec::with_capacity(sockets);
    while let Some(next) = stream.next().await {
        open.push(next?);
        if open.len() % 500 == 0 || open.len() == sockets {
            eprint!("\r  {} / {sockets} sockets open", open.len());
        }
    }
    drop(stream);
    for next in open {
        let (side, ws) = next;
        let (sink, mut read) = ws.split();
        let sink = Arc::new(Mutex::new(sink));
        sinks.push((char::from(side), sink.clone()));
        let tally = tally.clone();
        let measuring = measuring.clone();
        let ready_tx = ready_tx.clone();
        readers.push(tokio::spawn(async move {
            let mut told = false;
            while let Some(Ok(m)) = read.next().await {
                let text = match m {
                    Message::Text(t) => t,
                    Message::Ping(p) => {
                        let _ = sink.lock().await.send(Message::Pong(p)).await;
                        continue;
                    }
                    _ => continue,
                };
                let Ok(v) = serde_json::from_str::<serde_json::Value>(text.as_str()) else {
                    continue;
                };
                match v["type"].as_str() {
                    Some("state") if !told => {
                        told = true;
                        let _ = ready_tx.send(());
                    }
                    Some("ack") => {
                        tally.acked.fetch_add(1, Ordering::Relaxed);
                        if let Some(n) = v["client_id"]
                            .as_str()
                            .and_then(|c| c.strip_prefix('b'))
                            .and_then(|n| n.parse::<usize>().ok())
                            && let Some(at) = tally.sent_at.get(n)
                            && let Ok(mut l) = tally.acks.lock()
                        {
                            let now = start.elapsed().as_micros() as u64;
                            l.push(now.saturating_sub(at.load(Ordering::Relaxed)));
                        }
                    }
                    Some("error") => {
                        tally.errors.fetch_add(1, Ordering::Relaxed);
                    }
                    Some("message") => {
                        // "b <side> <micros since start>", from the other side.
                        let body = v["body"].as_str().unwrap_or("");
                        let mut parts = body.split(' ');
                        if parts.next() == Some("b")
                            && parts.next().map(|s| s.as_bytes()) != Some(&[side][..])
                            && let Some(sent) = parts.next().and_then(|t| t.parse::<u64>().ok())
                            && measuring.load(Ordering::Relaxed)
                        {
                            let now = start.elapsed().as_micros() as u64;
                            tally.delivered.fetch_add(1, Ordering::Relaxed);
                            if let Ok(mut l) = tally.latencies.lock() {
                                l.push((sent, now.saturating_sub(sent)));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }));
    }
    drop(ready_tx);
    for _ in 0..sockets {
        if tokio::time::timeout(Duration::from_secs(30), ready_rx.recv())
            .await
            .ok()
            .flatten()
            .is_none()
        {
            bail!("a socket got no state frame within 30 s");
        }
    }
    eprintln!(" in {:.1} s", opened.elapsed().as_secs_f64());
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_idle = server.rss_kib()?;
    let per_socket = (rss_idle.saturating_sub(rss_before)) as f64 / sockets as f64;
    eprintln!(
        "server memory: {:.1} MiB before, {:.1} MiB with {sockets} idle sockets: {per_socket:.1} KiB per socket",
        rss_before as f64 / 1024.0,
        rss_idle as f64 / 1024.0
    );

    // The load: one message every 1/rate s to a pseudo-random socket.
    eprintln!("sending {} messages a second for {} s …", b.rate, b.seconds);
    measuring.store(true, Ordering::Relaxed);
    let total = b.rate as u64 * b.seconds;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let began = Instant::now();
    let mut sent = 0u64;
    let mut shown = 0;
    let mut ticker = tokio::time::interval(Duration::from_millis(10));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    while sent < total {
        ticker.tick().await;
        let due = ((began.elapsed().as_secs_f64() * b.rate as f64) as u64).min(total);
        while sent < due {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let i = ((seed >> 33) as usize) % sinks.len();
            let (side, sink) = sinks[i].clone();
            let n = sent;
            let tally = tally.clone();
            tokio::spawn(async move {
                let at = start.elapsed().as_micros() as u64;
                if let Some(slot) = tally.sent_at.get(n as usize) {
                    slot.store(at, Ordering::Relaxed);
                }
                let body = format!("b {side} {at}");
                let frame = serde_json::json!({"type": "message", "client_id": format!("b{n}"), "body": body});
                let _ = sink
                    .lock()
                    .await
                    .send(Message::Text(frame.to_string().into()))
                    .await;
            });
            sent += 1;
        }
        let second = began.elapsed().as_secs();
        if second > shown {
            shown = second;
            eprint!("\r  {sent} / {total} sent");
        }
    }
    let sending = began.elapsed().as_secs_f64();
    for _ in 0..50 {
        if tally.delivered.load(Ordering::Relaxed) >= sent {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!();
    let rss_loaded = server.rss_kib()?;
    let timed = tally
        .latencies
        .lock()
        .map(|l| l.clone())
        .unwrap_or_default();
    let mut lat: Vec<u64> = timed.iter().map(|&(_, l)| l).collect();
    lat.sort_unstable();
    // Where the tail is: the slowest seconds of the run.
    let first = timed.iter().map(|&(t, _)| t).min().unwrap_or(0);
    let mut by_second: std::collections::BTreeMap<u64, Vec<u64>> = Default::default();
    for &(t, l) in &timed {
        by_second
            .entry((t - first) / 1_000_000)
            .or_default()
            .push(l);
    }
    let mut seconds: Vec<(u64, f64)> = by_second
        .into_iter()
        .map(|(s, mut l)| {
            l.sort_unstable();
            (s, percentile(&l, 0.99))
        })
        .collect();
    seconds.sort_by(|a, b| b.1.total_cmp(&a.1));
    let worst: Vec<String> = seconds
        .iter()
        .take(3)
        .map(|(s, p)| format!("second {s}: p99 {p:.1} ms"))
        .collect();
    eprintln!("slowest seconds: {}", worst.join(", "));
    let mut acks = tally.acks.lock().map(|l| l.clone()).unwrap_or_default();
    acks.sort_unstable();
    eprintln!(
        "send → own ack: p50 {:.2} ms, p99 {:.2} ms",
        percentile(&acks, 0.5),
        percentile(&acks, 0.99)
    );
    let delivered = tally.delivered.load(Ordering::Relaxed);
    let acked = tally.acked.load(Ordering::Relaxed);
    let errors = tally.errors.load(Ordering::Relaxed);
    for (_, s) in &sinks {
        let _ = s.lock().await.close().await;
    }
    for r in readers {
        r.abort();
    }
    drop(server);
    println!(
        "chat ({backend}): {sockets} sockets, {per_socket:.1} KiB per idle socket (server RSS {:.0} → {:.0} MiB, {:.0} MiB under load); \
         {sent} messages in {sending:.1} s ({:.0}/s): send → other side p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; \
         {acked} acked, {delivered} delivered, {errors} errors",
        rss_before as f64 / 1024.0,
        rss_idle as f64 / 1024.0,
        rss_loaded as f64 / 1024.0,
        sent as f64 / sending,
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0),
    );
    if delivered < sent || acked < sent {
        bail!(
            "{} of {sent} messages were not delivered",
            sent - delivered.min(sent)
        );
    }
    Ok(())
}
