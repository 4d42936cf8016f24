//! The status page: components, incidents, maintenance, the public page,
//! the Statuspage-compatible documents, caching and live updates.
use crate::harness::Fetch;
use crate::harness::{Db, Options, TestApp, client, component_id, post_json};
use crate::on_both;
use serde_json::{Value, json};
use std::io::Read;

async fn v2(app: &TestApp, doc: &str) -> Value {
    let r = client()
        .get(app.url(&format!("/api/v2/{doc}")))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200, "{doc}");
    assert_eq!(
        r.headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("*")
    );
    r.json().await.expect("json")
}

fn is_time(v: &Value) -> bool {
    // 2026-11-25T12:45:00.000Z
    v.as_str().is_some_and(|s| {
        s.len() == 24 && s.as_bytes()[10] == b'T' && s.ends_with('Z') && s.as_bytes()[19] == b'.'
    })
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    k.sort();
    k
}

async fn statuspage_documents_have_the_statuspage_shape(db: Db) {
    let app = TestApp::spawn(db).await;
    let summary = v2(&app, "summary.json").await;
    assert_eq!(
        keys(&summary),
        [
            "components",
            "incidents",
            "page",
            "scheduled_maintenances",
            "status"
        ]
    );
    assert_eq!(
        keys(&summary["page"]),
        ["id", "name", "time_zone", "updated_at", "url"]
    );
    assert!(is_time(&summary["page"]["updated_at"]));
    assert_eq!(summary["page"]["url"], format!("{}/status", app.base));
    let component = &summary["components"][0];
    assert_eq!(
        keys(component),
        [
            "created_at",
            "description",
            "group",
            "group_id",
            "id",
            "name",
            "only_show_if_degraded",
            "page_id",
            "position",
            "showcase",
            "start_date",
            "status",
            "updated_at"
        ]
    );
    assert!(is_time(&component["created_at"]) && is_time(&component["updated_at"]));
    assert_eq!(component["page_id"], summary["page"]["id"]);
    // The demo has one unresolved incident (minor, live video partially out)
    // and one upcoming maintenance.
    assert_eq!(
        summary["status"],
        json!({"indicator": "major", "description": "Partial System Outage"})
    );
    let incidents = summary["incidents"].as_array().expect("incidents");
    assert_eq!(incidents.len(), 1);
    let incident = &incidents[0];
    assert_eq!(
        keys(incident),
        [
            "components",
            "created_at",
            "id",
            "impact",
            "incident_updates",
            "monitoring_at",
            "name",
            "page_id",
            "resolved_at",
            "shortlink",
            "started_at",
            "status",
            "updated_at"
        ]
    );
    assert_eq!(incident["status"], "identified");
    assert_eq!(incident["impact"], "minor");
    assert!(incident["resolved_at"].is_null());
    let update = &incident["incident_updates"][0];
    assert_eq!(
        keys(update),
        [
            "affected_components",
            "body",
            "created_at",
            "custom_tweet",
            "deliver_notifications",
            "display_at",
            "id",
            "incident_id",
            "status",
            "tweet_id",
            "updated_at"
        ]
    );
    assert_eq!(update["status"], "identified", "newest update first");
    let first = incident["incident_updates"]
        .as_array()
        .and_then(|u| u.last())
        .expect("first update");
    assert_eq!(
        first["affected_components"][0]["new_status"],
        "partial_outage"
    );
    assert_eq!(first["affected_components"][0]["old_status"], "operational");
    let maint = &summary["scheduled_maintenances"][0];
    assert_eq!(maint["status"], "scheduled");
    assert_eq!(maint["impact"], "maintenance");
    assert!(is_time(&maint["scheduled_for"]) && is_time(&maint["scheduled_until"]));

    let status = v2(&app, "status.json").await;
    assert_eq!(keys(&status), ["page", "status"]);
    assert_eq!(status["status"], summary["status"]);
    let components = v2(&app, "components.json").await;
    assert_eq!(components["components"].as_array().map(Vec::len), Some(6));
    let all = v2(&app, "incidents.json").await;
    assert_eq!(
        all["incidents"].as_array().map(Vec::len),
        Some(2),
        "the resolved one too"
    );
    assert!(
        all["incidents"]
            .as_array()
            .expect("list")
            .iter()
            .any(|i| i["status"] == "resolved" && is_time(&i["resolved_at"]))
    );
    let unresolved = v2(&app, "incidents/unresolved.json").await;
    assert_eq!(unresolved["incidents"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        v2(&app, "scheduled-maintenances.json").await["scheduled_maintenances"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        v2(&app, "scheduled-maintenances/upcoming.json").await["scheduled_maintenances"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        v2(&app, "scheduled-maintenances/active.json").await["scheduled_maintenances"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    assert_eq!(
        client()
            .get(app.url("/api/v2/nothing.json"))
            .send()
            .await
            .expect("get")
            .status(),
        404
    );
}

async fn incidents_need_a_component_and_follow_their_lifecycle(db: Db) {
    let app = TestApp::spawn(db).await;
    let agent = app.token("agent@statusdesk.test").await;
    let groups = component_id(&app, "Groups").await;
    let body = |components: Value| json!({"name": "Groups cannot be created", "status": "investigating", "impact": "major", "body": "Looking into it.", "components": components});
    let r = post_json(&app, &agent, "/api/v1/incidents", body(json!({}))).await;
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.expect("json");
    assert_eq!(e["field"], "components");
    let r = post_json(
        &app,
        &agent,
        "/api/v1/incidents",
        body(json!({"no-such-component": "major_outage"})),
    )
    .await;
    assert_eq!(r.status(), 422);
    let r = post_json(
        &app,
        &agent,
        "/api/v1/incidents",
        body(json!({groups.clone(): "on_fire"})),
    )
    .await;
    assert_eq!(r.status(), 422);
    let admin = app.token("admin@acme.test").await;
    assert_eq!(
        post_json(
            &app,
            &admin,
            "/api/v1/incidents",
            body(json!({groups.clone(): "major_outage"}))
        )
        .await
        .status(),
        403
    );

    let r = post_json(
        &app,
        &agent,
        "/api/v1/incidents",
        body(json!({groups.clone(): "major_outage"})),
    )
    .await;
    assert_eq!(r.status(), 201);
    let incident: Value = r.json().await.expect("json");
    let id = incident["id"].as_str().expect("id").to_string();
    assert_eq!(
        incident["shortlink"],
        format!("{}/status/incidents/{id}", app.base)
    );
    let summary = v2(&app, "summary.json").await;
    assert_eq!(summary["status"]["indicator"], "critical");
    let c = summary["components"]
        .as_array()
        .expect("c")
        .iter()
        .find(|c| c["id"] == groups.as_str())
        .cloned()
        .expect("groups");
    assert_eq!(c["status"], "major_outage");

    let update = |status: &str, components: Option<Value>| {
        let mut b = json!({"status": status, "body": format!("Now {status}.")});
        if let Some(c) = components {
            b["components"] = c;
        }
        b
    };
    let path = format!("/api/v1/incidents/{id}/updates");
    assert_eq!(
        post_json(
            &app,
            &agent,
            &path,
            update(
                "identified",
                Some(json!({groups.clone(): "partial_outage"}))
            )
        )
        .await
        .status(),
        201
    );
    assert_eq!(
        post_json(&app, &agent, &path, update("monitoring", None))
            .await
            .status(),
        201
    );
    // A fix that did not hold goes back to investigating.
    assert_eq!(
        post_json(&app, &agent, &path, update("investigating", None))
            .await
            .status(),
        201
    );
    assert_eq!(
        post_json(&app, &agent, &path, update("sleeping", None))
            .await
            .status(),
        422
    );
    assert_eq!(
        post_json(&app, &agent, &path, update("resolved", None))
            .await
            .status(),
        201
    );
    let r = post_json(&app, &agent, &path, update("investigating", None)).await;
    assert_eq!(r.status(), 409);
    let e: Value = r.json().await.expect("json");
    assert!(
        e["error"]
            .as_str()
            .is_some_and(|m| m.contains("Resolved incidents are final"))
    );
    // Resolving put the component back to operational, and the history shows it.
    let all = v2(&app, "incidents.json").await;
    let inc = all["incidents"]
        .as_array()
        .expect("list")
        .iter()
        .find(|i| i["id"] == id.as_str())
        .cloned()
        .expect("incident");
    let statuses: Vec<&str> = inc["incident_updates"]
        .as_array()
        .expect("u")
        .iter()
        .filter_map(|u| u["status"].as_str())
        .collect();
    assert_eq!(
        statuses,
        [
            "resolved",
            "investigating",
            "monitoring",
            "identified",
            "investigating"
        ]
    );
    assert!(is_time(&inc["monitoring_at"]) && is_time(&inc["resolved_at"]));
    let resolved_update = &inc["incident_updates"][0];
    assert_eq!(
        resolved_update["affected_components"][0]["new_status"],
        "operational"
    );
    assert_eq!(
        resolved_update["affected_components"][0]["old_status"],
        "partial_outage"
    );
    let history = app.store.component_history(0).await.expect("history");
    let mine: Vec<&str> = history
        .iter()
        .filter(|(c, _, _)| c == &groups)
        .map(|(_, _, s)| s.as_str())
        .collect();
    assert_eq!(
        mine,
        [
            "operational",
            "major_outage",
            "partial_outage",
            "operational"
        ]
    );
    // The permalink tells the whole story.
    let html = client()
        .get(app.url(&format!("/status/incidents/{id}")))
        .text_body()
        .await;
    assert!(
        html.contains("Groups cannot be created")
            && html.contains("Now monitoring.")
            && html.contains("Resolved")
    );
    assert_eq!(
        client()
            .get(app.url("/status/incidents/nope"))
            .send()
            .await
            .expect("get")
            .status(),
        404
    );
}

async fn components_are_managed_through_the_api(db: Db) {
    let app = TestApp::spawn(db).await;
    let agent = app.token("agent@statusdesk.test").await;
    let r = post_json(
        &app,
        &agent,
        "/api/v1/components",
        json!({"name": "Search", "group": "Core features", "description": "Finding posts"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let c: Value = r.json().await.expect("json");
    let id = c["id"].as_str().expect("id").to_string();
    assert_eq!(c["status"], "operational");
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/components/{id}")))
        .bearer_auth(&agent)
        .json(&json!({"status": "degraded_performance"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), 200);
    let components = v2(&app, "components.json").await;
    let list = components["components"].as_array().expect("list");
    let search = list
        .iter()
        .find(|c| c["id"] == id.as_str())
        .expect("search");
    assert_eq!(search["status"], "degraded_performance");
    let group = list.iter().find(|c| c["group"] == true).expect("group");
    assert_eq!(group["name"], "Core features");
    assert_eq!(group["components"], json!([id]));
    assert_eq!(search["group_id"], group["id"]);
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/components/{id}")))
        .bearer_auth(&agent)
        .json(&json!({"status": "melting"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), 422);
    let r = app
        .client
        .patch(app.url("/api/v1/components/nope"))
        .bearer_auth(&agent)
        .json(&json!({"status": "operational"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), 404);
    let list: Value = app
        .api_get(&agent, "/api/v1/components")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["components"].as_array().map(Vec::len), Some(7));
}

async fn maintenance_starts_and_completes_on_time(db: Db) {
    let app = TestApp::spawn_with(
        db,
        Options {
            demo: true,
            manual_clock: true,
            ..Options::default()
        },
    )
    .await;
    let agent = app.token("agent@statusdesk.test").await;
    let chat = component_id(&app, "Chat").await;
    let now = domain::Clock::now_ms(app.clock.as_ref());
    let at = |ms: i64| {
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .expect("time")
            .format(&time::format_description::well_known::Rfc3339)
            .expect("format")
    };
    let r = post_json(
        &app,
        &agent,
        "/api/v1/maintenances",
        json!({"name": "Chat upgrade", "body": "Chat will be read-only.", "scheduled_for": at(now + 3_600_000),
               "scheduled_until": at(now + 7_200_000), "components": [chat]}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let m: Value = r.json().await.expect("json");
    let id = m["id"].as_str().expect("id").to_string();
    let bad = post_json(
        &app,
        &agent,
        "/api/v1/maintenances",
        json!({"name": "Backwards", "body": "x", "scheduled_for": at(now + 7_200_000), "scheduled_until": at(now), "components": [chat]}),
    )
    .await;
    assert_eq!(bad.status(), 422);
    let bad = post_json(
        &app,
        &agent,
        "/api/v1/maintenances",
        json!({"name": "Bad time", "body": "x", "scheduled_for": "tomorrow", "scheduled_until": at(now), "components": [chat]}),
    )
    .await;
    assert_eq!(
        bad.json::<Value>().await.expect("json")["field"],
        "scheduled_for"
    );

    let chat_status = |doc: Value| {
        doc["components"]
            .as_array()
            .expect("c")
            .iter()
            .find(|c| c["id"] == chat.as_str())
            .map(|c| c["status"].clone())
    };
    assert_eq!(app.app.run_due_maintenance().await.expect("run"), 0);
    assert_eq!(
        chat_status(v2(&app, "components.json").await),
        Some(json!("operational"))
    );
    app.clock.advance(3_600_000);
    assert_eq!(app.app.run_due_maintenance().await.expect("run"), 1);
    let active = v2(&app, "scheduled-maintenances/active.json").await;
    assert_eq!(active["scheduled_maintenances"][0]["id"], id.as_str());
    assert_eq!(active["scheduled_maintenances"][0]["status"], "in_progress");
    assert_eq!(
        chat_status(v2(&app, "components.json").await),
        Some(json!("under_maintenance"))
    );
    // Staff may move it along themselves; the clock completes it.
    let r = post_json(
        &app,
        &agent,
        &format!("/api/v1/incidents/{id}/updates"),
        json!({"status": "verifying", "body": "Checking."}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let r = post_json(
        &app,
        &agent,
        &format!("/api/v1/incidents/{id}/updates"),
        json!({"status": "scheduled", "body": "Back?"}),
    )
    .await;
    assert_eq!(r.status(), 409);
    app.clock.advance(3_600_000);
    assert_eq!(app.app.run_due_maintenance().await.expect("run"), 1);
    let all = v2(&app, "scheduled-maintenances.json").await;
    let done = all["scheduled_maintenances"]
        .as_array()
        .expect("list")
        .iter()
        .find(|m| m["id"] == id.as_str())
        .cloned()
        .expect("m");
    assert_eq!(done["status"], "completed");
    assert_eq!(
        done["incident_updates"][0]["body"],
        "The scheduled maintenance is completed."
    );
    assert_eq!(
        chat_status(v2(&app, "components.json").await),
        Some(json!("operational"))
    );
}

async fn status_page_is_served_from_cache_and_changes_with_the_data(db: Db) {
    // A stopped clock: with a real one the uptime of the component in outage
    // changes from minute to minute, and so, rightly, do the page's bytes.
    let app = TestApp::spawn_with(
        db,
        Options {
            manual_clock: true,
            ..Options::default()
        },
    )
    .await;
    let c = reqwest::Client::new();
    let r = c
        .get(app.url("/status"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
    assert!(
        r.headers().get("set-cookie").is_none(),
        "the same bytes for everybody"
    );
    assert!(
        r.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("public"))
    );
    let etag = r
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_string();
    let body = r.bytes().await.expect("bytes");
    let mut html = String::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_string(&mut html)
        .expect("gunzip");
    assert!(
        html.contains("Live broadcasts fail to start") && html.contains("<svg class=\"uptime\"")
    );
    // Brotli and identity carry the same page.
    let r = c
        .get(app.url("/status"))
        .header("accept-encoding", "br")
        .send()
        .await
        .expect("get");
    assert_eq!(
        r.headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("br")
    );
    let body = r.bytes().await.expect("bytes");
    let mut unbr = String::new();
    brotli::Decompressor::new(&body[..], 4096)
        .read_to_string(&mut unbr)
        .expect("unbrotli");
    assert_eq!(unbr, html);
    let plain = c.get(app.url("/status")).text_body().await;
    assert_eq!(plain, html);
    // Not modified while nothing changes.
    let r = c
        .get(app.url("/status"))
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 304);
    // A rebuild that finds nothing new (as the periodic one mostly does)
    // keeps the validators: caches and open pages need not fetch again.
    let version = app.state.status.version();
    app.app.refresh_status().await;
    assert_eq!(app.state.status.version(), version);
    let r = c
        .get(app.url("/status"))
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 304);
    let sv = c
        .get(app.url("/status"))
        .header("accept-language", "sv")
        .send()
        .await
        .expect("get");
    assert_ne!(
        sv.headers().get("etag").and_then(|v| v.to_str().ok()),
        Some(etag.as_str())
    );
    assert!(
        sv.text()
            .await
            .expect("text")
            .contains("Delvis avbrott i systemet")
    );
    let json = c
        .get(app.url("/api/v2/summary.json"))
        .send()
        .await
        .expect("get");
    let json_etag = json
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_string();
    // A change: a new incident. Both the page and the JSON change at once.
    let agent = app.token("agent@statusdesk.test").await;
    let chat = component_id(&app, "Chat").await;
    let r = post_json(
        &app,
        &agent,
        "/api/v1/incidents",
        json!({"name": "Chat messages are delayed", "status": "investigating", "impact": "minor", "body": "Messages arrive late.", "components": {chat: "degraded_performance"}}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let r = c
        .get(app.url("/status"))
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .expect("text")
            .contains("Chat messages are delayed")
    );
    let r = c
        .get(app.url("/api/v2/summary.json"))
        .header("if-none-match", &json_etag)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["incidents"].as_array().map(Vec::len), Some(2));
}

/// Reads one server-sent event, skipping keep-alive comments.
async fn read_event(events: &mut reqwest::Response) -> Result<String, tokio::time::error::Elapsed> {
    let fut = async {
        let mut text = String::new();
        while !text.contains("\n\n") {
            let chunk = events.chunk().await.expect("chunk").expect("stream open");
            text.push_str(&String::from_utf8_lossy(&chunk));
            if text.starts_with(':') && text.ends_with("\n\n") {
                text.clear();
            }
        }
        text
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), fut).await
}

async fn open_pages_hear_of_changes(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut events = client()
        .get(app.url("/status/events"))
        .send()
        .await
        .expect("events");
    assert_eq!(
        events
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/event-stream")
    );
    let first = read_event(&mut events).await.expect("first event");
    assert!(first.starts_with("event: update\ndata: "), "{first:?}");
    let version: u64 = first
        .trim()
        .rsplit(' ')
        .next()
        .and_then(|v| v.parse().ok())
        .expect("version");
    let agent = app.token("agent@statusdesk.test").await;
    let login = component_id(&app, "Login").await;
    app.client
        .patch(app.url(&format!("/api/v1/components/{login}")))
        .bearer_auth(&agent)
        .json(&json!({"status": "major_outage"}))
        .send()
        .await
        .expect("patch");
    // Background refreshes may announce versions too; the change arrives
    // with one of the next few events, each newer than the one before.
    let mut last = version;
    let mut shown = false;
    for _ in 0..5 {
        let next = read_event(&mut events).await.expect("next event");
        let v: u64 = next
            .trim()
            .rsplit(' ')
            .next()
            .and_then(|v| v.parse().ok())
            .expect("version");
        assert!(v > last, "versions only grow");
        last = v;
        let page = client().get(app.url("/status")).text_body().await;
        if page.contains("Major service outage") {
            shown = true;
            break;
        }
    }
    assert!(shown, "no event announced the change");
}

async fn status_page_on_its_own_host(db: Db) {
    let app = TestApp::spawn(db).await;
    let r = client()
        .get(app.url("/"))
        .header("host", "status.example.test")
        .send()
        .await
        .expect("get");
    // Without configuration, / stays the product's start page.
    assert!(!r.text().await.expect("text").contains("status-live"));
    let app = TestApp::spawn_with(
        db,
        Options {
            status_host: Some("status.example.test".into()),
            ..Options::default()
        },
    )
    .await;
    let r = client()
        .get(app.url("/"))
        .header("host", "status.example.test")
        .send()
        .await
        .expect("get");
    assert!(r.text().await.expect("text").contains("id=\"status-live\""));
    let r = client().get(app.url("/")).send().await.expect("get");
    assert!(
        !r.text().await.expect("text").contains("status-live"),
        "other hosts keep the start page"
    );
}

/// Two instances on one PostgreSQL database: a change made through one
/// shows on the other's status page (LISTEN/NOTIFY), without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_share_status_changes_over_postgres() {
    if !crate::harness::postgres_available("status::instances_share_status_changes_over_postgres") {
        return;
    }
    let a = TestApp::spawn(Db::Postgres).await;
    let b = TestApp::spawn_with(
        Db::Postgres,
        Options {
            demo: false,
            database_url: Some(a.database_url.clone()),
            ..Options::default()
        },
    )
    .await;
    let before = v2(&b, "summary.json").await;
    assert_eq!(before["status"]["indicator"], "major");
    let agent = a.token("agent@statusdesk.test").await;
    let login = component_id(&a, "Login").await;
    let r = post_json(
        &a,
        &agent,
        "/api/v1/incidents",
        json!({"name": "Sign-in is down", "status": "investigating", "impact": "critical", "body": "Nobody can sign in.", "components": {login: "major_outage"}}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let mut seen = false;
    for _ in 0..50 {
        let now = v2(&b, "summary.json").await;
        if now["status"]["indicator"] == "critical" {
            assert!(
                now["incidents"]
                    .as_array()
                    .is_some_and(|l| l.iter().any(|i| i["name"] == "Sign-in is down"))
            );
            seen = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(seen, "the second instance never heard of the change");
}

async fn uptime_follows_the_stored_history(db: Db) {
    let app = TestApp::spawn_with(
        db,
        Options {
            demo: false,
            manual_clock: true,
            ..Options::default()
        },
    )
    .await;
    // Start at a midnight so the days are easy to count.
    let start =
        domain::Clock::now_ms(app.clock.as_ref()).div_euclid(86_400_000) * 86_400_000 + 86_400_000;
    let now = domain::Clock::now_ms(app.clock.as_ref());
    app.clock.advance(start - now);
    let id = app
        .store
        .create_component("Search", "", None, 0, start)
        .await
        .expect("component");
    let hour = 3_600_000;
    let set = |status: &'static str, at: i64| {
        let app = &app;
        let id = id.clone();
        async move {
            let s = domain::status::ComponentStatus::parse(status).expect("status");
            let change = store::ComponentChange {
                status: Some(s),
                ..Default::default()
            };
            app.store
                .update_component(&id, &change, at)
                .await
                .expect("update");
        }
    };
    // Day 1: major outage 02:00-04:00; day 2: partial outage 10:00-20:00.
    set("major_outage", start + 2 * hour).await;
    set("operational", start + 4 * hour).await;
    set("partial_outage", start + 34 * hour).await;
    set("operational", start + 44 * hour).await;
    app.clock.advance(60 * hour); // now: day 3, 12:00
    web::public::snapshot::rebuild(&app.state)
        .await
        .map_err(|e| e.0)
        .expect("rebuild");
    let page = client().get(app.url("/status")).text_body().await;
    // 60 h measured; down: 2 h + 30 % of 10 h = 5 h.
    let total = format!("{:.2}%", (1.0 - 5.0 / 60.0) * 100.0);
    assert!(
        page.contains(&format!("{total} uptime")),
        "{total} not in the page"
    );
    let day1 = format!("{:.2}%, 120 min major outage", (1.0 - 2.0 / 24.0) * 100.0);
    let day2 = format!("{:.2}%, 600 min partial outage", (1.0 - 3.0 / 24.0) * 100.0);
    assert!(page.contains(&day1), "{day1}");
    assert!(page.contains(&day2), "{day2}");
    assert_eq!(bar_days(&page, "major"), 1);
    assert_eq!(bar_days(&page, "partial"), 1);
    assert_eq!(bar_days(&page, "ok"), 1, "today so far");
    assert_eq!(
        bar_days(&page, "none"),
        87,
        "days before the component existed"
    );
    // Neighbouring days that read the same share one tooltip naming them.
    let first_none = start - 87 * 86_400_000;
    let ymd = |ms: i64| {
        let t = time::OffsetDateTime::from_unix_timestamp(ms / 1000).expect("time");
        format!(
            "{} {} {}",
            t.day(),
            &format!("{:?}", t.month())[..3],
            t.year()
        )
    };
    let tip = format!(
        "<title>{} – {}: no data</title>",
        ymd(first_none),
        ymd(start - 86_400_000)
    );
    assert!(page.contains(&tip), "{tip}");
}

/// How many days the uptime bars of a page draw in a class: one
/// `M… 0v30` stroke a day.
fn bar_days(page: &str, class: &str) -> usize {
    page.split(&format!("<path class=\"bar-{class}\" d=\""))
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or("").matches("v30").count())
        .sum()
}

async fn history_feeds_are_valid_rss_and_atom(db: Db) {
    let app = TestApp::spawn(db).await;
    let agent = app.token("agent@statusdesk.test").await;
    let chat = component_id(&app, "Chat").await;
    let r = post_json(
        &app,
        &agent,
        "/api/v1/incidents",
        json!({"name": "Chat <b>delays</b> & drops", "status": "investigating", "impact": "minor", "body": "Messages arrive late; \"we\" are on it.", "components": {chat: "degraded_performance"}}),
    )
    .await;
    let id = r.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let page = client().get(app.url("/status")).text_body().await;
    assert!(
        page.contains("<link rel=\"alternate\" type=\"application/rss+xml\"")
            && page.contains("href=\"/history.atom?lang=en\"")
    );

    let r = client()
        .get(app.url("/history.rss"))
        .send()
        .await
        .expect("get");
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/rss+xml; charset=utf-8")
    );
    let bytes = r.bytes().await.expect("bytes");
    let channel = rss::Channel::read_from(&bytes[..]).expect("valid RSS");
    assert_eq!(
        channel.items().len(),
        3,
        "two demo incidents and the new one"
    );
    let item = channel
        .items()
        .iter()
        .find(|i| i.title() == Some("Chat <b>delays</b> & drops"))
        .expect("item");
    let link = format!("{}/status/incidents/{id}", app.base);
    assert_eq!(item.link(), Some(link.as_str()));
    assert!(
        item.description()
            .is_some_and(|d| d.contains("<p>Messages arrive late; \"we\" are on it.</p>")),
        "the update's Markdown as HTML: {:?}",
        item.description()
    );
    let date = item.pub_date().expect("date");
    assert!(
        time::OffsetDateTime::parse(date, &time::format_description::well_known::Rfc2822).is_ok(),
        "{date}"
    );
    let resolved = channel
        .items()
        .iter()
        .find(|i| i.title() == Some("Sign-in fails for some users"))
        .expect("demo incident");
    assert!(
        resolved
            .description()
            .is_some_and(|d| d.contains("Resolved") && d.contains("Identified"))
    );

    let bytes = client()
        .get(app.url("/history.atom"))
        .send()
        .await
        .expect("get")
        .bytes()
        .await
        .expect("bytes");
    let feed = atom_syndication::Feed::read_from(&bytes[..]).expect("valid Atom");
    assert_eq!(feed.entries().len(), 3);
    let entry = feed
        .entries()
        .iter()
        .find(|e| e.id() == link)
        .expect("entry");
    assert_eq!(entry.title().as_str(), "Chat <b>delays</b> & drops");
    assert_eq!(entry.links()[0].href(), link);
    assert!(entry.published().is_some());
}

async fn support_pages_show_known_problems(db: Db) {
    let app = TestApp::spawn(db).await;
    let c = app.signed_in("admin@acme.test").await;
    let inbox = c.get(app.url("/support")).text_body().await;
    assert!(
        inbox.contains("Ongoing incidents that may affect you")
            && inbox.contains("Live broadcasts fail to start for some users")
    );
    let video = component_id(&app, "Live video").await;
    let login = component_id(&app, "Login").await;
    let form = c.get(app.url("/support/new")).text_body().await;
    assert!(form.contains("This is a known problem."), "{form}");
    assert!(form.contains(&format!("data-components=\"{video} \"")));
    assert!(!form.contains(&format!("data-components=\"{login} \"")));
    // Once resolved, it is no longer shown.
    let agent = app.token("agent@statusdesk.test").await;
    let open: Value = v2(&app, "incidents/unresolved.json").await;
    let id = open["incidents"][0]["id"].as_str().expect("id").to_string();
    let r = post_json(
        &app,
        &agent,
        &format!("/api/v1/incidents/{id}/updates"),
        json!({"status": "resolved", "body": "Fixed."}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let inbox = c.get(app.url("/support")).text_body().await;
    assert!(!inbox.contains("Live broadcasts fail to start for some users"));
}

async fn linked_requests_are_answered_together(db: Db) {
    let app = TestApp::spawn(db).await;
    let agent = app.token("agent@statusdesk.test").await;
    let ada = app.token("admin@acme.test").await;
    let greta = app.token("admin@globex.test").await;
    let mut requests = Vec::new();
    for (token, subject) in [
        (&ada, "Broadcast broken"),
        (&greta, "Video down for us too"),
        (&ada, "Already closed"),
    ] {
        let r = post_json(
            &app,
            token,
            "/api/v1/requests",
            json!({"subject": subject, "description": "Live video fails.", "priority": "high"}),
        )
        .await;
        let v: Value = r.json().await.expect("json");
        requests.push(v["id"].as_str().expect("id").to_string());
    }
    // The third one is solved and closed before the incident ends.
    let third = format!("/api/v1/requests/{}", requests[2]);
    app.client
        .patch(app.url(&third))
        .bearer_auth(&agent)
        .json(&json!({"status": "solved"}))
        .send()
        .await
        .expect("patch");
    app.client
        .patch(app.url(&third))
        .bearer_auth(&agent)
        .json(&json!({"status": "closed"}))
        .send()
        .await
        .expect("patch");
    let open: Value = v2(&app, "incidents/unresolved.json").await;
    let incident = open["incidents"][0]["id"].as_str().expect("id").to_string();
    for rid in &requests[1..] {
        let r = post_json(
            &app,
            &agent,
            &format!("/api/v1/incidents/{incident}/requests"),
            json!({"request_id": rid}),
        )
        .await;
        assert_eq!(r.status(), 204);
    }
    // The first is linked from the agent's page.
    let page_client = app.signed_in("agent@statusdesk.test").await;
    let page = page_client
        .get(app.url(&format!("/agent/requests/{}", requests[0])))
        .text_body()
        .await;
    assert!(page.contains("Link to an ongoing incident"));
    let csrf = crate::harness::csrf_in(&page).expect("csrf");
    let r = page_client
        .post(app.url(&format!("/agent/requests/{}/link", requests[0])))
        .form(&[("csrf", csrf.as_str()), ("incident", incident.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    assert_eq!(
        post_json(
            &app,
            &ada,
            &format!("/api/v1/incidents/{incident}/requests"),
            json!({"request_id": requests[0]})
        )
        .await
        .status(),
        403
    );
    assert_eq!(
        post_json(
            &app,
            &agent,
            &format!("/api/v1/incidents/{incident}/requests"),
            json!({"request_id": "nope"})
        )
        .await
        .status(),
        422
    );
    // Resolve, then one action answers them all.
    post_json(
        &app,
        &agent,
        &format!("/api/v1/incidents/{incident}/updates"),
        json!({"status": "resolved", "body": "Fixed."}),
    )
    .await;
    let r = post_json(
        &app,
        &agent,
        &format!("/api/v1/incidents/{incident}/reply"),
        json!({"body": "The incident is resolved: live video works again."}),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.expect("json")["replied"], 2);
    for (token, rid) in [(&ada, &requests[0]), (&greta, &requests[1])] {
        let v: Value = app
            .api_get(token, &format!("/api/v1/requests/{rid}"))
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(v["status"], "open");
        assert_eq!(
            v["messages"][0]["body"],
            "The incident is resolved: live video works again."
        );
    }
    let v: Value = app.api_get(&ada, &third).await.json().await.expect("json");
    assert!(v["messages"].as_array().is_some_and(|m| {
        m.iter()
            .all(|m| m["body"] != "The incident is resolved: live video works again.")
    }));
}

async fn the_status_desk_previews_and_posts(db: Db) {
    let app = TestApp::spawn(db).await;
    let member = app.signed_in("admin@acme.test").await;
    assert_eq!(
        member
            .get(app.url("/staff/status"))
            .send()
            .await
            .expect("get")
            .status(),
        403
    );
    let c = app.signed_in("agent@statusdesk.test").await;
    let page = c.get(app.url("/staff/status")).text_body().await;
    let csrf = crate::harness::csrf_in(&page).expect("csrf");
    let groups = component_id(&app, "Groups").await;
    let key = format!("component:{groups}");
    let form = |action: &'static str| {
        vec![
            ("csrf".to_string(), csrf.clone()),
            ("name".to_string(), "Groups cannot be created".to_string()),
            ("impact".to_string(), "major".to_string()),
            ("status".to_string(), "investigating".to_string()),
            (key.clone(), "major_outage".to_string()),
            (
                "body".to_string(),
                "Creating a group fails for everyone.".to_string(),
            ),
            ("action".to_string(), action.to_string()),
        ]
    };
    let before = app.store.open_incidents().await.expect("open").len();
    let r = c
        .post(app.url("/staff/status/incidents"))
        .form(&form("preview"))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("text");
    assert!(
        html.contains("What subscribers will receive")
            && html.contains("[statusdesk] Groups cannot be created: Investigating")
    );
    assert!(html.contains("Affects: Groups"));
    assert_eq!(
        app.store.open_incidents().await.expect("open").len(),
        before,
        "a preview posts nothing"
    );
    // Without a component it is refused with the reason.
    let mut none = form("post");
    none.retain(|(k, _)| k != &key);
    let r = c
        .post(app.url("/staff/status/incidents"))
        .form(&none)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .expect("text")
            .contains("at least one listed feature")
    );
    let r = c
        .post(app.url("/staff/status/incidents"))
        .form(&form("post"))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let open = app.store.open_incidents().await.expect("open");
    let posted = open
        .iter()
        .find(|i| i.name == "Groups cannot be created")
        .expect("posted");
    let r = c
        .post(app.url(&format!("/staff/status/incidents/{}/updates", posted.id)))
        .form(&[
            ("csrf", csrf.as_str()),
            ("status", "resolved"),
            ("body", "Groups work again."),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let summary = v2(&app, "summary.json").await;
    let g = summary["components"]
        .as_array()
        .expect("c")
        .iter()
        .find(|c| c["id"] == groups.as_str())
        .cloned()
        .expect("groups");
    assert_eq!(g["status"], "operational");
    // Maintenance from the desk, in UTC.
    let r = c
        .post(app.url("/staff/status/maintenances"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Search index rebuild"),
            ("scheduled_for_date", "2030-01-01"),
            ("scheduled_for_time", "25:00"),
            ("scheduled_until_date", "2030-01-01"),
            ("scheduled_until_time", "23:30"),
            ("component", groups.as_str()),
            ("body", "Groups may be slow."),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422, "there is no 25 o'clock");
    // The form's date and 24-hour time fields ("9:30" is 09:30).
    let r = c
        .post(app.url("/staff/status/maintenances"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Search index rebuild"),
            ("scheduled_for_date", "2030-01-01"),
            ("scheduled_for_time", "22:00"),
            ("scheduled_until_date", "2030-01-02"),
            ("scheduled_until_time", "9:30"),
            ("component", groups.as_str()),
            ("body", "Groups may be slow."),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let upcoming = v2(&app, "scheduled-maintenances/upcoming.json").await;
    let m = upcoming["scheduled_maintenances"]
        .as_array()
        .expect("list")
        .iter()
        .find(|m| m["name"] == "Search index rebuild")
        .cloned()
        .expect("m");
    assert_eq!(m["scheduled_for"], "2030-01-01T22:00:00.000Z");
    assert_eq!(m["scheduled_until"], "2030-01-02T09:30:00.000Z");
}

/// Every page's footer says the status page's overall state, in words and
/// by the dot's colour, not "all fine" whatever happens.
async fn the_footer_dot_shows_the_overall_state(db: Db) {
    let app = TestApp::spawn(db).await;
    let summary: Value = client()
        .get(app.url("/api/v2/summary.json"))
        .json_body()
        .await;
    let said = summary["status"]["description"]
        .as_str()
        .expect("description")
        .to_lowercase();
    assert_ne!(said, "all systems operational", "the demo has an incident");
    for path in ["/login", "/help", "/status", "/no/such/page"] {
        let html = client().get(app.url(path)).text_body().await.to_lowercase();
        let footer = &html[html.find("<footer").expect("footer")..];
        assert!(footer.contains(&said), "{path}: {footer}");
        assert!(!footer.contains("class=\"dot all_operational\""), "{path}");
    }
    // A resolved incident says how long it lasted, in the history and on
    // its own page.
    let page = client().get(app.url("/status")).text_body().await;
    let at = page
        .find("Lasted ")
        .expect("a resolved incident's duration");
    assert!(
        page[at + "Lasted ".len()..].starts_with(|c: char| c.is_ascii_digit()),
        "a number follows"
    );
    let sv = client()
        .get(app.url("/status"))
        .header("accept-language", "sv")
        .text_body()
        .await;
    assert!(sv.contains("Varade i "), "in Swedish too");
}

/// Incident texts are Markdown, rendered safely on the page and on the
/// incident's own page; uptime reads as each language writes numbers.
async fn incident_markdown_and_numbers_read_as_written(db: Db) {
    let app = TestApp::spawn(db).await;
    let agent = app.token("agent@statusdesk.test").await;
    let groups = component_id(&app, "Groups").await;
    let r = post_json(
        &app,
        &agent,
        "/api/v1/incidents",
        json!({
            "name": "Groups are slow",
            "status": "investigating",
            "impact": "minor",
            "body": "**Creating groups** is slow.\n\n- new groups\n- <script>alert(1)</script> [more](javascript:alert(2))",
            "components": {groups.clone(): "degraded_performance"}
        }),
    )
    .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();
    for path in ["/status".to_string(), format!("/status/incidents/{id}")] {
        let html = client().get(app.url(&path)).text_body().await;
        assert!(html.contains("<strong>Creating groups</strong>"), "{path}");
        assert!(html.contains("<li>new groups</li>"), "{path}");
        assert!(!html.contains("<script>alert(1)"), "{path}: escaped");
        assert!(
            !html.to_lowercase().contains("href=\"javascript:"),
            "{path}"
        );
    }
    let en = client().get(app.url("/status")).text_body().await;
    let sv = client()
        .get(app.url("/status"))
        .header("accept-language", "sv")
        .text_body()
        .await;
    let percent = |html: &str, sep: char, sign: &str| {
        html.match_indices(sign).any(|(at, _)| {
            let before: Vec<char> = html[..at].chars().rev().take(3).collect();
            before.len() == 3 && before[2] == sep && before[0].is_ascii_digit()
        })
    };
    assert!(percent(&en, '.', "%"), "99.97% in English");
    assert!(!percent(&en, '.', " %"), "no space before % in English");
    assert!(percent(&sv, ',', " %"), "99,97 % in Swedish");
    assert!(!percent(&sv, '.', " %"), "no decimal point in Swedish");
}

on_both!(
    incident_markdown_and_numbers_read_as_written,
    the_footer_dot_shows_the_overall_state,
    history_feeds_are_valid_rss_and_atom,
    uptime_follows_the_stored_history,
    support_pages_show_known_problems,
    linked_requests_are_answered_together,
    the_status_desk_previews_and_posts,
    statuspage_documents_have_the_statuspage_shape,
    incidents_need_a_component_and_follow_their_lifecycle,
    components_are_managed_through_the_api,
    maintenance_starts_and_completes_on_time,
    status_page_is_served_from_cache_and_changes_with_the_data,
    open_pages_hear_of_changes,
    status_page_on_its_own_host,
);
