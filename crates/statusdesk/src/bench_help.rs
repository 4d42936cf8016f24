//! `statusdesk bench search`: seeds a help center of many articles and a
//! community of many posts, builds the search index as start-up does, and
//! measures `GET /api/v1/search` through the real router and store (no
//! network in between, so the numbers are server time).
use crate::bench::{HASH, Lcg, percentile};
use anyhow::{Result, bail};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use domain::{Clock, Role, SystemClock};
use std::sync::Arc;
use std::time::Instant;
use store::{ArticleDraft, NewUser, Store};
use tower::ServiceExt;

const SV: &[&str] = &[
    "lösenord",
    "återställa",
    "grupp",
    "grupperna",
    "inloggning",
    "administratör",
    "supporten",
    "prioritet",
    "integration",
    "webbhook",
    "statussidan",
    "prenumeration",
    "funktion",
    "användare",
    "organisation",
    "lansering",
    "sändning",
    "video",
    "mobilen",
    "datorn",
    "inställningar",
    "behörighet",
    "rapport",
    "export",
    "import",
    "kalender",
    "meddelande",
    "avisering",
    "säkerhet",
    "nyckel",
    "tjänst",
    "avbrott",
    "underhåll",
    "fakturering",
    "plan",
    "kontot",
    "profil",
    "språk",
    "sökning",
    "filter",
];

const EN: &[&str] = &[
    "password",
    "reset",
    "group",
    "groups",
    "sign-in",
    "administrator",
    "support",
    "priority",
    "integration",
    "webhook",
    "status",
    "subscription",
    "feature",
    "users",
    "organisation",
    "rollout",
    "broadcast",
    "video",
    "mobile",
    "laptop",
    "settings",
    "permission",
    "report",
    "export",
    "import",
    "calendar",
    "message",
    "notification",
    "security",
    "token",
    "service",
    "outage",
    "maintenance",
    "billing",
    "plan",
    "account",
    "profile",
    "language",
    "search",
    "filter",
];

/// What readers type: plain words, inflections, compounds, typos, prefixes.
const QUERIES: &[&str] = &[
    "lösenord",
    "återställ lösenordet",
    "lösenordsåterställning",
    "lösenrod",
    "grupperna",
    "reset password",
    "pasword",
    "integr",
    "webhook signature",
    "status page subscription",
    "prioritet avbrott",
    "video broadcast mobile",
    "administratör behörighet",
    "export report",
    "notificaton",
    "säkerhetsnyckel",
];

/// Words of one language, chosen by the benchmark's generator.
fn some_words(rng: &mut Lcg, from: &[&str], n: usize) -> String {
    (0..n)
        .map(|_| from[(rng.next() as usize) % from.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

pub async fn run(
    store: Store,
    settings: &crate::config::Settings,
    articles: usize,
    posts: usize,
    samples: usize,
) -> Result<()> {
    if store.user_count().await? > 0 {
        bail!(
            "the benchmark needs an empty database: point --database-url or --data-dir at a new one"
        );
    }
    let backend = store.backend().as_str();
    let now = SystemClock.now_ms();
    let author = store
        .create_user(
            &NewUser {
                email: "writer@bench.test",
                name: "Bench Writer",
                role: Role::SupportAdmin,
                org_id: None,
                password_hash: HASH,
                language: None,
            },
            now,
        )
        .await?;
    let mut rng = Lcg(7);
    eprintln!("seeding {articles} articles ({backend}) …");
    let seeding = Instant::now();
    for i in 0..articles {
        let (lang, words) = if i % 2 == 0 { ("sv", SV) } else { ("en", EN) };
        let collection = ["help", "resources", "developers"][i % 3];
        let title = some_words(&mut rng, words, 4);
        let mut body = String::new();
        for _ in 0..4 {
            body.push_str("## ");
            body.push_str(&some_words(&mut rng, words, 3));
            body.push_str("\n\n");
            body.push_str(&some_words(&mut rng, words, 60));
            body.push_str("\n\n");
        }
        let draft = ArticleDraft {
            slug: format!("bench-{i}"),
            family: None,
            lang: lang.into(),
            collection: collection.into(),
            section_id: None,
            position: i as i64,
            plans: if i % 10 == 0 {
                vec!["enterprise".into()]
            } else {
                Vec::new()
            },
            others_may_read: false,
            title,
            body,
            publish: i % 20 != 0,
        };
        store.create_article(&draft, Some(&author.id), now).await?;
        if (i + 1) % 1000 == 0 {
            eprint!("  {} / {articles} articles", i + 1);
        }
    }
    eprintln!();
    eprintln!("seeding {posts} community posts …");
    let per_thread = 5;
    let threads = posts.div_ceil(per_thread);
    let mut rows = Vec::with_capacity(posts);
    for t in 0..threads {
        let words = if t % 2 == 0 { SV } else { EN };
        let lang = if t % 2 == 0 { "sv" } else { "en" };
        let title = some_words(&mut rng, words, 6);
        let bodies: Vec<String> = (0..per_thread.min(posts - t * per_thread))
            .map(|_| some_words(&mut rng, words, 40))
            .collect();
        rows.push((title, lang, bodies));
        if rows.len() == 1000 || t + 1 == threads {
            store.insert_threads_bulk(&author.id, &rows, now).await?;
            rows.clear();
            eprint!("  {} / {threads} threads", t + 1);
        }
    }
    eprintln!();
    let seed_secs = seeding.elapsed().as_secs_f64();

    let app = app::App::new(
        store.clone(),
        settings.app_config(false),
        Arc::new(SystemClock),
    );
    let building = Instant::now();
    let indexed = app
        .build_help_index()
        .await
        .map_err(|e| anyhow::anyhow!("index: {e:?}"))?;
    let build_ms = building.elapsed().as_secs_f64() * 1000.0;
    eprintln!("index built: {indexed} articles and {threads} threads in {build_ms:.0} ms");

    let router = web::router(web::state(app, settings.web_config()));
    // Warm up, then measure.
    let mut times = Vec::with_capacity(samples);
    let mut results = 0usize;
    for i in 0..(samples + 50) {
        let q = QUERIES[i % QUERIES.len()];
        let mut url = String::from("/api/v1/search?limit=10&q=");
        url.extend(form_urlencoded::byte_serialize(q.as_bytes()));
        let started = Instant::now();
        let response = router
            .clone()
            .oneshot(Request::get(url).body(Body::empty())?)
            .await?;
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 22).await?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if status != StatusCode::OK {
            bail!("search answered {status}");
        }
        if i >= 50 {
            times.push(ms);
            let v: serde_json::Value = serde_json::from_slice(&body)?;
            results += v["results"].as_array().map(Vec::len).unwrap_or(0);
        }
        if (i + 1) % 500 == 0 {
            eprint!("  {} searches", i + 1);
        }
    }
    eprintln!();
    times.sort_by(f64::total_cmp);
    println!(
        "help search ({backend}): {articles} articles + {posts} community posts seeded in {seed_secs:.1} s; \
         index built in {build_ms:.0} ms; {samples} searches: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; \
         {:.1} results a search",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.last().copied().unwrap_or(0.0),
        results as f64 / samples.max(1) as f64
    );
    Ok(())
}
