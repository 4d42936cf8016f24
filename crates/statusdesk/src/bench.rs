//! `statusdesk bench inbox`: seeds a large support desk and measures the
//! inbox list (with a status filter) and request creation, through the real
//! router and store (no network in between, so the numbers are server time).
use anyhow::{Context, Result, bail};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use domain::{Clock, Plan, Priority, Role, SystemClock, TicketStatus};
use std::sync::Arc;
use std::time::Instant;
use store::{NewRequest, NewUser, Store};
use tower::ServiceExt;

/// A fixed, valid Argon2id hash: the benchmark's users never sign in.
pub(crate) const HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$YmVuY2htYXJrc2FsdA$0VdKj0l3HzO6q4M3Ck9vQm3x1Vn9qzH0g0C3q3Vtq2Q";

pub(crate) struct Lcg(pub(crate) u64);

impl Lcg {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub async fn inbox(
    store: Store,
    settings: &crate::config::Settings,
    requests: usize,
    orgs: usize,
    samples: usize,
) -> Result<()> {
    if store.org_count().await? > 0 {
        bail!(
            "the benchmark needs an empty database: point --database-url or --data-dir at a new one"
        );
    }
    let backend = store.backend().as_str();
    let now = SystemClock.now_ms();
    let started = Instant::now();
    eprintln!("seeding {orgs} organisations with one admin each ({backend}) …");
    let mut admins = Vec::with_capacity(orgs);
    for i in 0..orgs {
        let plan = if i % 2 == 0 {
            Plan::Enterprise
        } else {
            Plan::Advanced
        };
        let org = store
            .create_org(&format!("Bench org {i:05}"), plan, now)
            .await?;
        let user = store
            .create_user(
                &NewUser {
                    email: &format!("admin{i}@bench.test"),
                    name: &format!("Admin {i}"),
                    role: Role::Admin,
                    org_id: Some(&org.id),
                    password_hash: HASH,
                    language: None,
                },
                now,
            )
            .await?;
        admins.push((org.id, user.id));
        if (i + 1) % 1000 == 0 {
            eprintln!("  {}/{orgs} organisations", i + 1);
        }
    }
    eprintln!("seeding {requests} requests …");
    let statuses = TicketStatus::ALL;
    let mut rng = Lcg(42);
    let year_ms: u64 = 365 * 24 * 3600 * 1000;
    let chunk = 5_000;
    let mut done = 0;
    let seed_started = Instant::now();
    while done < requests {
        let n = chunk.min(requests - done);
        let rows: Vec<(String, String, TicketStatus, i64, i64)> = (0..n)
            .map(|_| {
                let (org, user) = &admins[(rng.next() as usize) % admins.len()];
                let status = statuses[(rng.next() as usize) % statuses.len()];
                let prio = (rng.next() % 3) as i64;
                let at = now - i64::try_from(rng.next() % year_ms).unwrap_or(0);
                (org.clone(), user.clone(), status, prio, at)
            })
            .collect();
        store.insert_requests_bulk(&rows).await?;
        done += n;
        if done % 100_000 == 0 || done == requests {
            let rate = done as f64 / seed_started.elapsed().as_secs_f64();
            eprintln!("  {done}/{requests} requests ({rate:.0}/s)");
        }
    }
    let seed_secs = started.elapsed().as_secs_f64();

    // Tokens for a sample of the organisations' admins.
    let state = web::state(
        app::App::new(
            store.clone(),
            settings.app_config(false),
            Arc::new(SystemClock),
        ),
        settings.web_config(),
    );
    let app = web::router(state);
    let mut tokens = Vec::new();
    for (org, user) in admins.iter().step_by((admins.len() / 200).max(1)) {
        let (raw, _) = store.create_token(user, "bench", now).await?;
        tokens.push((org.clone(), raw));
    }

    eprintln!("measuring the inbox list with a status filter ({samples} requests) …");
    let mut times = Vec::with_capacity(samples);
    let mut rows_seen = 0usize;
    for i in 0..samples {
        let (_, token) = &tokens[(rng.next() as usize) % tokens.len()];
        let status = statuses[i % statuses.len()];
        let req = Request::get(format!(
            "/api/v1/requests?status={}&limit=25",
            status.as_str()
        ))
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())?;
        let t = Instant::now();
        let res = app.clone().oneshot(req).await?;
        let status_code = res.status();
        let body = axum::body::to_bytes(res.into_body(), 10 * 1024 * 1024).await?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        if status_code != StatusCode::OK {
            bail!(
                "inbox list answered {status_code}: {}",
                String::from_utf8_lossy(&body)
            );
        }
        rows_seen += body.windows(8).filter(|w| w == b"\"subject").count();
    }
    times.sort_by(f64::total_cmp);
    let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));

    eprintln!("measuring the inbox page's status counts …");
    let mut count_times = Vec::new();
    for _ in 0..samples.min(1000) {
        let (org, _) = &tokens[(rng.next() as usize) % tokens.len()];
        let t = Instant::now();
        store.status_counts(org).await?;
        count_times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    count_times.sort_by(f64::total_cmp);

    // The agents' queue: every view in every order, and the view counts.
    eprintln!("shaping the queue (assignees, due times) …");
    let agent = store
        .create_user(
            &NewUser {
                email: "agent@bench.test",
                name: "Bench Agent",
                role: Role::Agent,
                org_id: None,
                password_hash: HASH,
                language: None,
            },
            now,
        )
        .await?;
    store.bench_shape(&agent.id, 50).await?;
    let (agent_token, _) = store.create_token(&agent.id, "bench", now).await?;
    let views = app::requests::QUEUE_VIEWS;
    let sorts: Vec<String> = app::requests::SORTS
        .iter()
        .flat_map(|k| [k.to_string(), format!("-{k}")])
        .collect();
    let per = (samples / 20).clamp(20, 500);
    eprintln!(
        "measuring the queue: {} views × {} orders, {per} pages each (first pages and the pages after) …",
        views.len(),
        sorts.len()
    );
    let mut queue_rows = Vec::new();
    let mut worst = (0.0f64, String::new());
    for view in views {
        for sort in &sorts {
            let mut t_view = Vec::with_capacity(per);
            let mut cursor: Option<String> = None;
            for _ in 0..per {
                let mut uri = format!("/api/v1/requests?view={view}&sort={sort}&limit=50");
                if let Some(c) = &cursor {
                    uri.push_str(&format!("&cursor={c}"));
                }
                let req = Request::get(uri)
                    .header("authorization", format!("Bearer {agent_token}"))
                    .body(Body::empty())?;
                let t = Instant::now();
                let res = app.clone().oneshot(req).await?;
                let code = res.status();
                let body = axum::body::to_bytes(res.into_body(), 10 * 1024 * 1024).await?;
                t_view.push(t.elapsed().as_secs_f64() * 1000.0);
                if code != StatusCode::OK {
                    bail!(
                        "queue {view} {sort} answered {code}: {}",
                        String::from_utf8_lossy(&body)
                    );
                }
                // Walk a few pages deep, then start over.
                let v: serde_json::Value = serde_json::from_slice(&body)?;
                cursor = v["next_cursor"]
                    .as_str()
                    .map(str::to_string)
                    .filter(|_| cursor.is_none() || !rng.next().is_multiple_of(4));
            }
            t_view.sort_by(f64::total_cmp);
            let p99 = percentile(&t_view, 0.99);
            if p99 > worst.0 {
                worst = (p99, format!("{view} {sort}"));
            }
            queue_rows.push((view, sort.clone(), percentile(&t_view, 0.5), p99));
        }
        eprintln!("  {view}: done");
    }
    let mut counts_times = Vec::new();
    // More samples than per view: one number, so its p99 should not be the
    // third-slowest of a few hundred.
    for _ in 0..(per * 4) {
        let req = Request::get("/api/v1/requests/counts")
            .header("authorization", format!("Bearer {agent_token}"))
            .body(Body::empty())?;
        let t = Instant::now();
        let res = app.clone().oneshot(req).await?;
        let code = res.status();
        let _ = axum::body::to_bytes(res.into_body(), 1024 * 1024).await?;
        counts_times.push(t.elapsed().as_secs_f64() * 1000.0);
        if code != StatusCode::OK {
            bail!("queue counts answered {code}");
        }
    }
    counts_times.sort_by(f64::total_cmp);

    eprintln!("measuring request creation …");
    let create_n = 2_000;
    let t = Instant::now();
    for i in 0..create_n {
        let (org, user) = &admins[i % admins.len()];
        store
            .create_request(
                &NewRequest {
                    org_id: org,
                    requester_id: user,
                    subject: "Throughput",
                    description: "Created by the benchmark.",
                    priority: Priority::Normal,
                    component: None,
                    follow_up_of: None,
                    target: Default::default(),
                    due_at: None,
                },
                &[],
                &[],
                now,
            )
            .await?;
    }
    let sequential = create_n as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let app = app.clone();
        let tokens = tokens.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..(create_n / 8) {
                let (_, token) = &tokens[(worker * 31 + i) % tokens.len()];
                let req = Request::post("/api/v1/requests")
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    .body(Body::from(r#"{"subject":"Throughput","description":"Over HTTP handlers.","priority":"low"}"#))?;
                let res = app.clone().oneshot(req).await?;
                if res.status() != StatusCode::CREATED {
                    bail!("create answered {}", res.status());
                }
            }
            Ok::<_, anyhow::Error>(())
        }));
    }
    for t in tasks {
        t.await.context("worker")??;
    }
    let concurrent = create_n as f64 / t.elapsed().as_secs_f64();

    println!(
        "| backend | requests / organisations | inbox list p50 | inbox list p99 | status counts p99 | create, store, 1 writer | create, API, 8 clients | seeding |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    println!(
        "| {backend} | {requests} / {orgs} | {p50:.2} ms | {p99:.2} ms | {:.2} ms | {sequential:.0}/s | {concurrent:.0}/s | {seed_secs:.0} s |",
        percentile(&count_times, 0.99)
    );
    println!();
    println!("| view | order | p50 | p99 |");
    println!("|---|---|---|---|");
    for (view, sort, p50, p99) in &queue_rows {
        println!("| {view} | {sort} | {p50:.2} ms | {p99:.2} ms |");
    }
    println!(
        "| counts of every view | – | {:.2} ms | {:.2} ms |",
        percentile(&counts_times, 0.5),
        percentile(&counts_times, 0.99)
    );
    println!(
        "summary: {backend} queue, {requests} requests: {} views × orders, worst p99 {:.2} ms ({}), counts p99 {:.2} ms",
        queue_rows.len(),
        worst.0,
        worst.1,
        percentile(&counts_times, 0.99)
    );
    println!(
        "summary: {backend}, {requests} requests in {orgs} organisations: inbox list with a status filter p50 {p50:.2} ms, p99 {p99:.2} ms over {samples} samples ({rows_seen} rows returned); creation {sequential:.0}/s (store) and {concurrent:.0}/s (API, 8 clients)"
    );
    Ok(())
}

// ---- fan-out ----------------------------------------------------------------------

/// A minimal SMTP server that accepts every message and counts them: the
/// "local SMTP server" the fan-out benchmark delivers into, so the numbers
/// are statusdesk's and not a relay's.
async fn smtp_sink() -> Result<(String, Arc<std::sync::atomic::AtomicU64>)> {
    use std::sync::atomic::{AtomicU64, Ordering};
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("smtp://{}", listener.local_addr()?);
    let count = Arc::new(AtomicU64::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let counter = counter.clone();
            let _ = socket.set_nodelay(true);
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read);
                let mut line = String::new();
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                let mut in_data = false;
                loop {
                    line.clear();
                    match lines.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if in_data {
                        if line == ".\r\n" {
                            in_data = false;
                            counter.fetch_add(1, Ordering::Relaxed);
                            let _ = write.write_all(b"250 queued\r\n").await;
                        }
                        continue;
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n",
                        "DATA" => {
                            in_data = true;
                            b"354 go on\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"250 ok\r\n",
                    };
                    if write.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Ok((url, count))
}

/// The peak resident memory of this process, in MiB (Linux).
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// `statusdesk bench fanout`: the demo plus `subscribers` confirmed e-mail
/// subscribers to everything; one incident is posted (as the API does: the
/// incident, its first update and the fan-out job in one transaction), and
/// the server's own workers fan it out and deliver it into a local SMTP
/// sink. Measures the time until every e-mail is in the outbox and until
/// every one is delivered.
pub async fn fanout(settings: &crate::config::Settings, subscribers: usize) -> Result<()> {
    use std::sync::atomic::Ordering;
    let (smtp_url, received) = smtp_sink().await?;
    let sink_addr = smtp_url.trim_start_matches("smtp://").to_string();
    let mut settings = settings.clone();
    settings.smtp_url = Some(smtp_url);
    {
        let store = crate::open_store(&settings).await?;
        if store.org_count().await? > 0 {
            bail!(
                "the benchmark needs an empty database: point --database-url or --data-dir at a new one"
            );
        }
        store.close().await;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server_settings = settings.clone();
    let server = tokio::spawn(async move {
        let mut ready = Some(ready_tx);
        crate::start(
            &server_settings,
            listener,
            true,
            Arc::new(SystemClock),
            async move {
                let _ = stop_rx.await;
            },
            |running| {
                if let Some(t) = ready.take() {
                    let _ = t.send((running.store.clone(), running.app.clone()));
                }
            },
        )
        .await
    });
    let (store, app) = ready_rx.await.context("the server did not start")?;
    let backend = store.backend().as_str();
    eprintln!("adding {subscribers} confirmed subscribers ({backend}) …");
    let seeded = Instant::now();
    let mut added = 0;
    while added < subscribers {
        let n = (subscribers - added).min(5_000);
        let emails: Vec<String> = (added..added + n)
            .map(|i| format!("reader{i:06}@bench.test"))
            .collect();
        added += store
            .add_confirmed_subscribers(
                &emails,
                if added % 2 == 0 { "en" } else { "sv" },
                SystemClock.now_ms(),
            )
            .await?;
        eprint!("\r  {added} / {subscribers}");
    }
    // A subscriber's link is signed when the address confirms; these were
    // added confirmed, so they are signed here, as an import would be.
    let signed = app.sign_subscriber_links().await?;
    eprintln!(
        " and {signed} links signed in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );
    let component = store
        .components()
        .await?
        .into_iter()
        .next()
        .context("the demo has no components")?;
    let before = received.load(Ordering::Relaxed);
    let posted = Instant::now();
    let incident = store
        .create_incident(
            &store::NewIncident {
                kind: "incident",
                name: "Benchmark: sign-in is failing",
                status: "investigating",
                impact: "major",
                body: "Some users cannot sign in. We are looking into it.",
                translations: "{}",
                body_translations: "{}",
                scheduled_for: None,
                scheduled_until: None,
                components: vec![(
                    component.id.clone(),
                    domain::status::ComponentStatus::MajorOutage,
                )],
                apply_statuses: true,
            },
            SystemClock.now_ms(),
        )
        .await?;
    let update = store
        .incident_updates(std::slice::from_ref(&incident))
        .await?
        .into_iter()
        .next()
        .context("no update")?;
    let prefix = format!("update:{}:", update.id);
    let want = i64::try_from(subscribers).unwrap_or(i64::MAX);
    let mut enqueued_at = None;
    let mut first_delivery = None;
    let delivered_at;
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let (queued, done) = store.outbox_progress(&prefix).await?;
        let at = posted.elapsed();
        if enqueued_at.is_none() && queued >= want {
            enqueued_at = Some(at);
        }
        if first_delivery.is_none() && done > 0 {
            first_delivery = Some(at);
        }
        eprint!(
            "\r  {:>6.1} s: {queued} queued, {done} delivered, {} at the SMTP server   ",
            at.as_secs_f64(),
            received.load(Ordering::Relaxed) - before
        );
        if done >= want {
            delivered_at = at;
            break;
        }
        if at.as_secs() > 3_600 {
            bail!("not delivered within an hour");
        }
    }
    eprintln!();
    let reached = received.load(Ordering::Relaxed) - before;
    // The baseline, in the same run and into the same server: the same
    // messages' bytes pushed by a minimal pipelined client on as many
    // connections, with no outbox around it.
    let sample = store
        .recent_outbox(50)
        .await?
        .into_iter()
        .find(|m| m.idempotency_key.starts_with(&prefix))
        .context("no delivered message to copy")?;
    let _ = stop_tx.send(());
    let _ = server.await;
    let (from, to, bytes) = notify::mail::wire(&settings.smtp_from, &sample)
        .map_err(|e| anyhow::anyhow!("cannot format the sample message: {e}"))?;
    let connections = settings.smtp_connections.max(1);
    eprintln!(
        "baseline: the same {subscribers} messages from a minimal pipelined client on {connections} connections …"
    );
    let base_before = received.load(Ordering::Relaxed);
    let baseline_started = Instant::now();
    let data = Arc::new(notify::smtp::dot_stuffed(&bytes));
    let envelope = Arc::new(format!(
        "MAIL FROM:<{from}>\r\n{}DATA\r\n",
        to.iter()
            .map(|r| format!("RCPT TO:<{r}>\r\n"))
            .collect::<String>()
    ));
    // MAIL, each RCPT and DATA.
    let replies_per_message = to.len() + 2;
    let mut tasks = Vec::new();
    for c in 0..connections {
        let n = subscribers / connections + usize::from(c < subscribers % connections);
        let (addr, data, envelope) = (sink_addr.clone(), data.clone(), envelope.clone());
        tasks.push(tokio::spawn(async move {
            baseline_client(&addr, n, &envelope, &data, replies_per_message).await
        }));
    }
    for t in tasks {
        t.await??;
    }
    let baseline_secs = baseline_started.elapsed().as_secs_f64().max(0.001);
    let baseline_got = received.load(Ordering::Relaxed) - base_before;
    let enqueued = enqueued_at.unwrap_or(delivered_at).as_secs_f64();
    let delivered = delivered_at.as_secs_f64();
    let sending = (delivered - first_delivery.map_or(0.0, |d| d.as_secs_f64())).max(0.001);
    let ours = subscribers as f64 / sending;
    let baseline = baseline_got as f64 / baseline_secs;
    println!(
        "{backend}: {subscribers} subscribers: all e-mails queued {enqueued:.1} s after the post ({:.0}/s), all delivered after {delivered:.1} s ({ours:.0} e-mails/s into SMTP, {:.2}x the baseline's {baseline:.0}/s); {reached} messages reached the SMTP server; peak memory {:.0} MiB",
        subscribers as f64 / enqueued.max(0.001),
        ours / baseline.max(0.001),
        peak_rss_mib()
    );
    Ok(())
}

/// The benchmark's baseline: `n` copies of one message over one connection,
/// the envelope pipelined (RFC 2920), nothing else.
async fn baseline_client(
    addr: &str,
    n: usize,
    envelope: &str,
    data: &[u8],
    replies_per_message: usize,
) -> Result<()> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let mut io = BufReader::new(stream);
    let mut line = String::new();
    io.read_line(&mut line).await?;
    io.get_mut().write_all(b"EHLO bench\r\n").await?;
    loop {
        line.clear();
        io.read_line(&mut line).await?;
        if line.as_bytes().get(3) != Some(&b'-') {
            break;
        }
    }
    for _ in 0..n {
        io.get_mut().write_all(envelope.as_bytes()).await?;
        for _ in 0..replies_per_message {
            line.clear();
            io.read_line(&mut line).await?;
        }
        if !line.starts_with("354") {
            bail!("the sink refused the baseline's message: {line}");
        }
        io.get_mut().write_all(data).await?;
        line.clear();
        io.read_line(&mut line).await?;
    }
    io.get_mut().write_all(b"QUIT\r\n").await?;
    Ok(())
}
