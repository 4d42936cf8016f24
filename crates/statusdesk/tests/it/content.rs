//! Status content in two languages (incidents, updates, maintenance,
//! features) on the page, in the Statuspage documents, the feeds, e-mail
//! and integrations; corrections with their history, and postmortems.
use crate::harness::{Db, Fetch, Options, TestApp, client, component_id, patch_json, post_json};
use crate::on_both;
use serde_json::{Value, json};

/// GETs `path` as a reader of `lang` (by `Accept-Language`, no cookie).
async fn read_as(app: &TestApp, path: &str, lang: &str) -> String {
    client()
        .get(app.url(path))
        .header("accept-language", lang)
        .text_body()
        .await
}

async fn incidents_are_read_in_the_readers_language(db: Db) {
    let app = TestApp::spawn(db).await;
    let agent = app.token("agent@statusdesk.test").await;
    // A feature with its Swedish name.
    let r = post_json(
        &app,
        &agent,
        "/api/v1/components",
        json!({"name": "Calendar", "translations": {"sv": {"name": "Kalender", "description": "Möten och bokningar"}}}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let feature: Value = r.json().await.expect("json");
    assert_eq!(feature["translations"]["sv"]["name"], "Kalender");
    assert_eq!(
        feature["translations"]["sv"]["description"],
        "Möten och bokningar"
    );
    let calendar = feature["id"].as_str().expect("id").to_string();
    let r = post_json(
        &app,
        &agent,
        "/api/v1/incidents",
        json!({
            "name": "Calendar invitations are late",
            "status": "investigating",
            "impact": "minor",
            "body": "Invitations arrive up to an hour late.",
            "components": {calendar.clone(): "degraded_performance"},
            "translations": {"sv": {"name": "Kalenderinbjudningar är sena", "body": "Inbjudningar kommer fram upp till en timme för sent."}}
        }),
    )
    .await;
    assert_eq!(r.status(), 201);
    let incident: Value = r.json().await.expect("json");
    let id = incident["id"].as_str().expect("id").to_string();
    assert_eq!(
        incident["translations"]["sv"]["name"],
        "Kalenderinbjudningar är sena"
    );
    assert_eq!(
        incident["updates"][0]["translations"]["sv"]["body"],
        "Inbjudningar kommer fram upp till en timme för sent."
    );
    // Swedish page, Swedish texts; English page, English texts.
    let sv = read_as(&app, "/status", "sv").await;
    assert!(sv.contains("Kalenderinbjudningar är sena"), "{sv}");
    assert!(sv.contains("Inbjudningar kommer fram upp till en timme för sent."));
    assert!(sv.contains("Kalender"));
    assert!(!sv.contains("Calendar invitations are late"));
    let en = read_as(&app, "/status", "en").await;
    assert!(en.contains("Calendar invitations are late"));
    assert!(!en.contains("Kalenderinbjudningar"));
    assert!(!en.contains("Only available in"));
    // An update written in English only: Swedish readers get it with a note.
    let r = post_json(
        &app,
        &agent,
        &format!("/api/v1/incidents/{id}/updates"),
        json!({"status": "identified", "body": "A queue of the mail relay is stuck."}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let sv = read_as(&app, &format!("/status/incidents/{id}"), "sv").await;
    assert!(sv.contains("Kalenderinbjudningar är sena"), "{sv}");
    assert!(sv.contains("A queue of the mail relay is stuck."));
    assert!(sv.contains("Finns bara på engelska."), "{sv}");
    let sv = read_as(&app, "/status", "sv").await;
    assert!(sv.contains("Finns bara på engelska."));
    // The Statuspage documents: ?lang= first, then Accept-Language, else the
    // installation's language.
    let summary = |doc: Value| {
        doc["incidents"]
            .as_array()
            .and_then(|l| l.iter().find(|i| i["id"] == id.as_str()).cloned())
            .expect("incident in summary")
    };
    let by_query = summary(app.public_json("/api/v2/summary.json?lang=sv").await);
    assert_eq!(by_query["name"], "Kalenderinbjudningar är sena");
    let by_header: Value = client()
        .get(app.url("/api/v2/summary.json"))
        .header("accept-language", "sv-SE,sv;q=0.9")
        .json_body()
        .await;
    let by_header_incident = summary(by_header.clone());
    assert_eq!(by_header_incident["name"], "Kalenderinbjudningar är sena");
    let swedish_component = by_header["components"]
        .as_array()
        .and_then(|l| l.iter().find(|c| c["id"] == calendar.as_str()).cloned())
        .expect("component");
    assert_eq!(swedish_component["name"], "Kalender");
    assert_eq!(
        by_header_incident["incident_updates"][1]["affected_components"][0]["name"],
        "Kalender"
    );
    let default = summary(app.public_json("/api/v2/summary.json").await);
    assert_eq!(default["name"], "Calendar invitations are late");
    let r = client()
        .get(app.url("/api/v2/summary.json?lang=sv"))
        .send()
        .await
        .expect("get");
    assert!(
        r.headers()
            .get("vary")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("Accept-Language")),
        "caches keep the languages apart"
    );
    // The feeds.
    let rss = read_as(&app, "/history.rss?lang=sv", "en").await;
    assert!(rss.contains("Kalenderinbjudningar är sena"), "{rss}");
    assert!(rss.contains("<language>sv</language>"));
    let atom = read_as(&app, "/history.atom", "sv").await;
    assert!(atom.contains("Kalenderinbjudningar är sena"));
    let atom = read_as(&app, "/history.atom", "en").await;
    assert!(atom.contains("Calendar invitations are late"));
    // Translations the API cannot take are refused with the field.
    for (bad, code) in [
        (json!({"de": {"name": "Kalender"}}), "unknown_language"),
        (
            json!({"sv": {"postmortem": "x"}}),
            "unknown_translation_field",
        ),
    ] {
        let r = post_json(
            &app,
            &agent,
            "/api/v1/incidents",
            json!({"name": "x", "status": "investigating", "impact": "minor", "body": "x",
                   "components": {calendar.clone(): "degraded_performance"}, "translations": bad}),
        )
        .await;
        assert_eq!(r.status(), 422);
        let e: Value = r.json().await.expect("json");
        assert_eq!(e["field"], "translations", "{e}");
        assert_eq!(e["code"], code);
    }
    let long = "x".repeat(201);
    let r = post_json(
        &app,
        &agent,
        "/api/v1/incidents",
        json!({"name": "x", "status": "investigating", "impact": "minor", "body": "x",
               "components": {calendar.clone(): "degraded_performance"},
               "translations": {"sv": {"name": long}}}),
    )
    .await;
    assert_eq!(r.status(), 422);
    // A customer cannot translate anything.
    let customer = app.token("admin@acme.test").await;
    let r = patch_json(
        &app,
        &customer,
        &format!("/api/v1/components/{calendar}"),
        json!({"translations": {"sv": {"name": "Hackad"}}}),
    )
    .await;
    assert_eq!(r.status(), 403);
    // A translation is changed field by field; an empty one is removed.
    let r = patch_json(
        &app,
        &agent,
        &format!("/api/v1/components/{calendar}"),
        json!({"translations": {"sv": {"description": ""}}}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let patched: Value = r.json().await.expect("json");
    assert_eq!(patched["translations"], json!({"sv": {"name": "Kalender"}}));
}

async fn subscribers_and_integrations_hear_in_their_language(db: Db) {
    let rx = crate::integrations::Receiver::start().await;
    let app = TestApp::spawn_with(
        db,
        Options {
            settings: vec![("webhooks_allow_private_targets", "true".into())],
            ..Options::default()
        },
    )
    .await;
    let admin = app.token("admin@acme.test").await;
    for (kind, path, lang) in [
        ("webhook", "/sv", "sv"),
        ("webhook", "/en", "en"),
        ("slack", "/slack", "sv"),
    ] {
        let r = post_json(
            &app,
            &admin,
            "/api/v1/integrations",
            json!({"kind": kind, "url": rx.url(path), "language": lang}),
        )
        .await;
        assert_eq!(r.status(), 201);
    }
    // Two confirmed subscribers, one reading Swedish.
    for (email, lang) in [("sv@reader.test", "sv"), ("en@reader.test", "en")] {
        let added = app
            .store
            .add_confirmed_subscribers(&[email.to_string()], lang, 0)
            .await
            .expect("subscriber");
        assert_eq!(added, 1);
    }
    let agent = app.token("agent@statusdesk.test").await;
    let login = component_id(&app, "Login").await;
    let r = post_json(
        &app,
        &agent,
        "/api/v1/incidents",
        json!({"name": "Sign-in is slow", "status": "investigating", "impact": "minor",
               "body": "Signing in takes up to a minute.", "components": {login: "degraded_performance"},
               "translations": {"sv": {"name": "Inloggningen är långsam", "body": "Det tar upp till **en minut** att logga in."}}}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let sv = rx.wait_for("/sv", 1).await;
    let body = String::from_utf8_lossy(&sv[0].body).to_string();
    let hook: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(hook["incident"]["name"], "Inloggningen är långsam");
    assert_eq!(
        hook["update"]["body"],
        "Det tar upp till **en minut** att logga in."
    );
    assert_eq!(
        hook["update"]["body_html"],
        "<p>Det tar upp till <strong>en minut</strong> att logga in.</p>\n"
    );
    assert_eq!(
        hook["incident"]["components"][0]["name"], "Inloggning",
        "the feature by its Swedish name"
    );
    // Slack gets its own markup for the Markdown.
    let slack = rx.wait_for("/slack", 1).await;
    let slack = String::from_utf8_lossy(&slack[0].body).to_string();
    assert!(
        slack.contains("Det tar upp till *en minut* att logga in."),
        "{slack}"
    );
    assert!(!slack.contains("**"));
    let en = rx.wait_for("/en", 1).await;
    let body = String::from_utf8_lossy(&en[0].body).to_string();
    assert!(body.contains("Sign-in is slow") && !body.contains("långsam"));
    // The e-mails, as queued for the relay.
    let mut mails = Vec::new();
    for _ in 0..100 {
        mails = app
            .store
            .recent_outbox(100)
            .await
            .expect("outbox")
            .into_iter()
            .filter(|m| m.channel == "email" && m.idempotency_key.starts_with("update:"))
            .collect();
        if mails.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let to = |who: &str| {
        mails
            .iter()
            .find(|m| m.target == who)
            .map(|m| m.payload.clone())
            .unwrap_or_else(|| panic!("no mail to {who}"))
    };
    let swedish: Value = serde_json::from_str(&to("sv@reader.test")).expect("payload");
    assert!(
        swedish.to_string().contains("Inloggningen är långsam"),
        "{swedish}"
    );
    assert!(
        swedish["text"]
            .as_str()
            .is_some_and(|t| t.contains("Det tar upp till **en minut** att logga in.")),
        "{swedish}"
    );
    assert!(
        swedish["html"]
            .as_str()
            .is_some_and(|h| h.contains("Det tar upp till <strong>en minut</strong> att logga in.")),
        "the HTML part renders the Markdown: {swedish}"
    );
    let english: Value = serde_json::from_str(&to("en@reader.test")).expect("payload");
    assert!(english.to_string().contains("Sign-in is slow"));
    assert!(!english.to_string().contains("långsam"));
}

async fn incidents_are_corrected_with_a_history_and_get_a_postmortem(db: Db) {
    let app = TestApp::spawn(db).await;
    let agent = app.token("agent@statusdesk.test").await;
    let groups = component_id(&app, "Groups").await;
    let r = post_json(
        &app,
        &agent,
        "/api/v1/incidents",
        json!({"name": "Grups cannot be created", "status": "investigating", "impact": "major",
               "body": "Creating a grup fails.", "components": {groups: "major_outage"}}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let incident: Value = r.json().await.expect("json");
    let id = incident["id"].as_str().expect("id").to_string();
    let update_id = incident["updates"][0]["id"]
        .as_str()
        .expect("update")
        .to_string();
    assert_eq!(incident["edited_at"], Value::Null);
    let queued = app.store.recent_outbox(500).await.expect("outbox").len();
    // Correct the name and the update.
    let r = patch_json(
        &app,
        &agent,
        &format!("/api/v1/incidents/{id}"),
        json!({"name": "Groups cannot be created", "translations": {"sv": {"name": "Grupper kan inte skapas"}}}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let edited: Value = r.json().await.expect("json");
    assert_eq!(edited["name"], "Groups cannot be created");
    assert!(edited["edited_at"].is_string());
    assert_eq!(edited["postmortem"], "");
    let r = patch_json(
        &app,
        &agent,
        &format!("/api/v1/incidents/{id}/updates/{update_id}"),
        json!({"body": "Creating a group fails for everyone."}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let update: Value = r.json().await.expect("json");
    assert_eq!(update["body"], "Creating a group fails for everyone.");
    assert!(update["edited_at"].is_string());
    // The same text again records nothing.
    let r = patch_json(
        &app,
        &agent,
        &format!("/api/v1/incidents/{id}/updates/{update_id}"),
        json!({"body": "Creating a group fails for everyone."}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let edits: Value = app
        .api_get(&agent, &format!("/api/v1/incidents/{id}/edits"))
        .await
        .json()
        .await
        .expect("json");
    let edits = edits["edits"].as_array().expect("edits").clone();
    assert_eq!(edits.len(), 2, "{edits:?}");
    assert_eq!(edits[0]["update_id"], update_id.as_str());
    assert_eq!(edits[0]["previous"]["body"], "Creating a grup fails.");
    assert_eq!(edits[1]["update_id"], Value::Null);
    assert_eq!(edits[1]["previous"]["name"], "Grups cannot be created");
    assert_eq!(
        app.store.recent_outbox(500).await.expect("outbox").len(),
        queued,
        "a correction notifies nobody"
    );
    // The page says so.
    let page = read_as(&app, &format!("/status/incidents/{id}"), "en").await;
    assert!(page.contains("Groups cannot be created"));
    assert!(page.contains("Creating a group fails for everyone."));
    assert!(!page.contains("grup fails"));
    assert!(page.contains("Edited "), "{page}");
    let sv = read_as(&app, &format!("/status/incidents/{id}"), "sv").await;
    assert!(sv.contains("Grupper kan inte skapas") && sv.contains("Redigerad "));
    // A postmortem in Markdown, rendered safely.
    let r = patch_json(
        &app,
        &agent,
        &format!("/api/v1/incidents/{id}"),
        json!({"postmortem": "## Cause\n\nA **full disk** on one database node.<script>alert(1)</script>"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let with_pm: Value = r.json().await.expect("json");
    assert!(with_pm["postmortem_at"].is_string());
    // On an incident never corrected, a postmortem is no "Edited".
    let past = app
        .store
        .incidents("incident", 10)
        .await
        .expect("incidents")
        .into_iter()
        .find(|i| i.resolved_at.is_some() && i.edited_at.is_none())
        .expect("the demo's resolved incident");
    let r = patch_json(
        &app,
        &agent,
        &format!("/api/v1/incidents/{}", past.id),
        json!({"postmortem": "An expired certificate.", "translations": {"sv": {"postmortem": "Ett utgånget certifikat."}}}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let pm_only: Value = r.json().await.expect("json");
    assert_eq!(
        pm_only["edited_at"],
        Value::Null,
        "a postmortem is not a correction"
    );
    assert!(pm_only["postmortem_at"].is_string());
    let page = read_as(&app, &format!("/status/incidents/{}", past.id), "sv").await;
    assert!(page.contains("Ett utgånget certifikat.") && !page.contains("Redigerad"));
    let page = read_as(&app, &format!("/status/incidents/{id}"), "en").await;
    assert!(page.contains("Postmortem"));
    assert!(page.contains("<strong>full disk</strong>"), "{page}");
    assert!(!page.contains("<script>alert(1)</script>"));
    // Who may and what exists.
    let customer = app.token("admin@acme.test").await;
    for path in [
        format!("/api/v1/incidents/{id}"),
        format!("/api/v1/incidents/{id}/updates/{update_id}"),
    ] {
        let r = patch_json(
            &app,
            &customer,
            &path,
            json!({"body": "hacked", "name": "hacked"}),
        )
        .await;
        assert_eq!(r.status(), 403, "{path}");
    }
    assert_eq!(
        app.api_get(&customer, &format!("/api/v1/incidents/{id}/edits"))
            .await
            .status(),
        403
    );
    let other = app.store.open_incidents().await.expect("open");
    let other = other.iter().find(|i| i.id != id).expect("another incident");
    let r = patch_json(
        &app,
        &agent,
        &format!("/api/v1/incidents/{}/updates/{update_id}", other.id),
        json!({"body": "Moved"}),
    )
    .await;
    assert_eq!(r.status(), 404, "an update belongs to its own incident");
    let r = patch_json(&app, &agent, "/api/v1/incidents/nope", json!({"name": "x"})).await;
    assert_eq!(r.status(), 404);
    let r = patch_json(&app, &agent, &format!("/api/v1/incidents/{id}"), json!({})).await;
    assert_eq!(r.status(), 422);
    let r = patch_json(
        &app,
        &agent,
        &format!("/api/v1/incidents/{id}"),
        json!({"name": " "}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.expect("json");
    assert_eq!(e["field"], "name");
}

async fn the_desk_edits_past_incidents_in_both_languages(db: Db) {
    let app = TestApp::spawn(db).await;
    let c = app.signed_in("agent@statusdesk.test").await;
    let desk = c.get(app.url("/staff/status")).text_body().await;
    // The demo's resolved sign-in incident is offered for correction.
    let past = app
        .store
        .incidents("incident", 10)
        .await
        .expect("incidents")
        .into_iter()
        .find(|i| i.resolved_at.is_some())
        .expect("a resolved incident");
    let link = format!("/staff/status/incidents/{}", past.id);
    assert!(desk.contains(&link), "the desk links past incidents");
    assert!(desk.contains("name_sv"), "the desk asks for Swedish texts");
    let page = c.get(app.url(&link)).text_body().await;
    assert!(page.contains("Inloggningen misslyckas för en del användare"));
    let csrf = crate::harness::csrf_in(&page).expect("csrf");
    let r = c
        .post(app.url(&link))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Sign-in failed for some users"),
            ("name_sv", "Inloggningen misslyckades för en del användare"),
            (
                "postmortem",
                "An expired certificate. We now renew them a month ahead.",
            ),
            (
                "postmortem_sv",
                "Ett utgånget certifikat. Vi förnyar dem nu en månad i förväg.",
            ),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303, "back to the edit page");
    let to = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location")
        .to_string();
    assert_eq!(to, format!("{link}?done=saved"));
    let page = c.get(app.url(&to)).text_body().await;
    assert!(page.contains("Saved."));
    assert!(
        page.contains("Name or postmortem"),
        "the history lists the edit"
    );
    assert!(
        page.contains("Sign-in fails for some users"),
        "with the text before"
    );
    let sv = read_as(&app, &format!("/status/incidents/{}", past.id), "sv").await;
    assert!(sv.contains("Inloggningen misslyckades för en del användare"));
    assert!(sv.contains("Vi förnyar dem nu en månad i förväg."));
    assert!(sv.contains("Efteranalys"));
    // Bad input is said on the page, in the page's language.
    let r = c
        .post(app.url(&link))
        .header("accept-language", "sv")
        .form(&[("csrf", csrf.as_str()), ("name", "")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    let customer = app.signed_in("admin@acme.test").await;
    let r = customer.get(app.url(&link)).send().await.expect("get");
    assert_eq!(r.status(), 403);
}

async fn times_are_shown_in_the_viewers_time_zone(db: Db) {
    let app = TestApp::spawn(db).await;
    let ongoing = app
        .store
        .open_incidents()
        .await
        .expect("open")
        .into_iter()
        .find(|i| i.kind == "incident")
        .expect("the demo's ongoing incident");
    let permalink = format!("/status/incidents/{}", ongoing.id);
    // Nobody said anything: UTC, and the page says so.
    let page = read_as(&app, &permalink, "en").await;
    assert!(page.contains(" UTC<") || page.contains(" UTC "), "{page}");
    // The browser's zone, from the cookie its script sets.
    let page = client()
        .get(app.url(&permalink))
        .header("cookie", "sd_tz=America/New_York")
        .text_body()
        .await;
    assert!(page.contains(" EST") || page.contains(" EDT"), "{page}");
    assert!(!page.contains(" UTC<"));
    // The cached status page is one body for everybody: UTC whatever the
    // cookie.
    let status = client()
        .get(app.url("/status"))
        .header("cookie", "sd_tz=America/New_York")
        .text_body()
        .await;
    assert!(status.contains(" UTC") && !status.contains(" EST"));
    // A person's own choice (it beats the browser's).
    let c = app.signed_in("agent@statusdesk.test").await;
    let settings = c.get(app.url("/settings")).text_body().await;
    assert!(settings.contains("Europe/Stockholm"), "the zones to choose");
    let csrf = crate::harness::csrf_in(&settings).expect("csrf");
    let r = c
        .post(app.url("/settings/time-zone"))
        .header("accept-language", "sv")
        .form(&[("csrf", csrf.as_str()), ("time_zone", "Mars/Olympus")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("text").contains("Mars/Olympus"));
    let r = c
        .post(app.url("/settings/time-zone"))
        .form(&[("csrf", csrf.as_str()), ("time_zone", "Asia/Tokyo")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let page = c.get(app.url(&permalink)).text_body().await;
    assert!(page.contains(" JST"), "{page}");
    let settings = c.get(app.url("/settings")).text_body().await;
    assert!(settings.contains("Times are shown in Asia/Tokyo"));
    // Emptied, it follows the browser again.
    let r = c
        .post(app.url("/settings/time-zone"))
        .form(&[("csrf", csrf.as_str()), ("time_zone", "")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let page = c.get(app.url(&permalink)).text_body().await;
    assert!(page.contains(" UTC") && !page.contains(" JST"));
}

async fn the_operator_brands_every_page_and_the_status_page(db: Db) {
    let app = TestApp::spawn(db).await;
    let support = app.token("support@statusdesk.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let put = |token: &str, body: Value| {
        app.client
            .put(app.url("/api/v1/branding"))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    assert_eq!(
        put(&agent, json!({"name": "Hijack"}))
            .await
            .expect("put")
            .status(),
        403
    );
    for (body, field) in [
        (json!({"accent": "blue"}), "accent"),
        (
            json!({"links": [{"label": "x", "url": "javascript:alert(1)"}]}),
            "links",
        ),
        (
            json!({"links": (0..7).map(|i| json!({"label": format!("L{i}"), "url": "https://x.test"})).collect::<Vec<_>>()}),
            "links",
        ),
        (json!({"logo": "/help/images/nope"}), "logo"),
    ] {
        let r = put(&support, body).await.expect("put");
        assert_eq!(r.status(), 422);
        let e: Value = r.json().await.expect("json");
        assert_eq!(e["field"], field, "{e}");
    }
    let r = put(
        &support,
        json!({"name": "Acme Cloud", "accent": "#FFD23F", "links": [{"label": "Terms", "url": "https://acme.test/terms"}]}),
    )
    .await
    .expect("put");
    assert_eq!(r.status(), 200);
    let b: Value = r.json().await.expect("json");
    assert_eq!(b["accent"], "#ffd23f");
    let read: Value = app
        .api_get(&agent, "/api/v1/branding")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(read["name"], "Acme Cloud");
    // Every page: the name, the colour's stylesheet, the favicon, the link.
    let home = client().get(app.url("/help")).text_body().await;
    assert!(home.contains("· Acme Cloud</title>"), "{home}");
    assert!(home.contains("href=\"https://acme.test/terms\""));
    let css_href = home
        .split("href=\"/brand.css?v=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the colour's stylesheet is linked");
    let css = client()
        .get(app.url(&format!("/brand.css?v={css_href}")))
        .text_body()
        .await;
    assert!(css.contains("--accent: #ffd23f"), "{css}");
    assert!(
        css.contains("--accent-ink: #141a26"),
        "dark text on a light accent"
    );
    let icon = client()
        .get(app.url("/favicon.svg"))
        .send()
        .await
        .expect("get");
    assert_eq!(icon.headers()["content-type"], "image/svg+xml");
    assert!(icon.text().await.expect("svg").contains("fill=\"#ffd23f\""));
    // The status page (one cached body) and its JSON.
    let status = client().get(app.url("/status")).text_body().await;
    assert!(status.contains("Acme Cloud") && status.contains("https://acme.test/terms"));
    let summary = app.public_json("/api/v2/summary.json").await;
    assert_eq!(summary["page"]["name"], "Acme Cloud");
    // An error page too.
    let missing = client().get(app.url("/nope")).text_body().await;
    assert!(missing.contains("Acme Cloud"));
    // The feeds and the e-mails say the operator's name, not the product's.
    let atom = client().get(app.url("/history.atom")).text_body().await;
    assert!(
        atom.contains("<title>Acme Cloud status history</title>"),
        "{atom}"
    );
    let r = app
        .client
        .post(app.url("/api/v1/subscriptions"))
        .json(&json!({"email": "brand@reader.test", "language": "sv"}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 202);
    let confirm = app
        .store
        .recent_outbox(100)
        .await
        .expect("outbox")
        .into_iter()
        .find(|m| m.target == "brand@reader.test")
        .expect("a confirmation is queued");
    let mail: Value = serde_json::from_str(&confirm.payload).expect("payload");
    let subject = mail["subject"].as_str().unwrap_or_default();
    assert!(subject.contains("Acme Cloud"), "{mail}");
    assert!(!subject.contains("statusdesk"), "{mail}");
    let html = mail["html"].as_str().unwrap_or_default();
    assert!(
        html.contains("color:#ffd23f;\">Acme Cloud</td>"),
        "the mail's header in the operator's name and colour: {html}"
    );
    // A logo, uploaded on the staff page, and removed again.
    let sam = app.signed_in("support@statusdesk.test").await;
    let page = sam.get(app.url("/staff/branding")).text_body().await;
    assert!(page.contains("Acme Cloud") && page.contains("#ffd23f"));
    let csrf = crate::harness::csrf_in(&page).expect("csrf");
    let png: Vec<u8> = [&b"\x89PNG\r\n\x1a\n"[..], &[7u8; 64][..]].concat();
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .part(
            "logo",
            reqwest::multipart::Part::bytes(png).file_name("logo.png"),
        );
    let r = sam
        .post(app.url("/staff/branding/logo"))
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let home = client().get(app.url("/help")).text_body().await;
    assert!(
        home.contains("class=\"brand-logo\" src=\"/help/images/"),
        "{home}"
    );
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .part(
            "logo",
            reqwest::multipart::Part::bytes(b"MZ not an image".to_vec()).file_name("tool.exe"),
        );
    let r = sam
        .post(app.url("/staff/branding/logo"))
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422, "only images");
    let r = sam
        .post(app.url("/staff/branding"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", ""),
            ("accent", "#2b59e0"),
            ("remove_logo", "1"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let home = client().get(app.url("/help")).text_body().await;
    assert!(!home.contains("brand-logo") && !home.contains("/brand.css"));
    assert!(home.contains("· statusdesk</title>"));
    assert!(!home.contains("acme.test/terms"), "the links were emptied");
    // Refused on the page, in the page's language.
    let r = sam
        .post(app.url("/staff/branding"))
        .header("accept-language", "sv")
        .form(&[("csrf", csrf.as_str()), ("accent", "grönt")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("text").contains("är ingen färg"));
    let agent_page = app.signed_in("agent@statusdesk.test").await;
    let r = agent_page
        .get(app.url("/staff/branding"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 403);
}

/// The four refusals the polish issue found in raw developer English, one
/// per area, now said in the page's language with what to do.
async fn refusals_read_in_the_readers_language(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = app.signed_in("admin@acme.test").await;
    let csrf_of = |html: &str| crate::harness::csrf_in(html).expect("csrf");
    for (lang, words) in [
        (
            "sv",
            [
                "hittas inte|tog för lång tid",
                "Välj minst en listad funktion",
                "är varken en bild, en PDF eller en textfil",
                "är ingen status",
            ],
        ),
        (
            "en",
            [
                "cannot be found|took too long",
                "at least one listed feature",
                "is not an image, PDF or text file",
                "is not a status",
            ],
        ),
    ] {
        // An integration to a host that does not exist.
        let page = admin
            .get(app.url("/admin/integrations"))
            .header("accept-language", lang)
            .text_body()
            .await;
        let r = admin
            .post(app.url("/admin/integrations"))
            .header("accept-language", lang)
            .form(&[
                ("csrf", csrf_of(&page).as_str()),
                ("kind", "webhook"),
                ("url", "https://no-such-host.invalid/hook"),
            ])
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 422);
        let html = r.text().await.expect("text");
        assert!(
            words[0].split('|').any(|w| html.contains(w)) && html.contains("no-such-host.invalid"),
            "{lang}: {html}"
        );
        assert!(!html.contains("cannot be resolved") && !html.contains("did not resolve"));
        // An incident without a feature, on the status desk.
        let agent = app.signed_in("agent@statusdesk.test").await;
        let desk = agent.get(app.url("/staff/status")).text_body().await;
        let r = agent
            .post(app.url("/staff/status/incidents"))
            .header("accept-language", lang)
            .form(&[
                ("csrf", csrf_of(&desk).as_str()),
                ("name", "Something"),
                ("impact", "minor"),
                ("status", "investigating"),
                ("body", "Something is wrong."),
            ])
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 422);
        let html = r.text().await.expect("text");
        assert!(html.contains(words[1]), "{lang}: {html}");
        assert!(!html.contains("components:"), "no field names as code");
        // A program attached to a request.
        let new = admin.get(app.url("/support/new")).text_body().await;
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf_of(&new))
            .text("subject", "A tool")
            .text("description", "Here it is")
            .text("priority", "low")
            .part(
                "attachments",
                reqwest::multipart::Part::bytes(b"MZ\x90\x00".to_vec()).file_name("tool.exe"),
            );
        let r = admin
            .post(app.url("/support/new"))
            .header("accept-language", lang)
            .multipart(form)
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 422);
        let html = r.text().await.expect("text");
        assert!(
            html.contains(words[2]) && html.contains("tool.exe"),
            "{lang}: {html}"
        );
        assert!(!html.contains("(attachments:"));
        // A status that does not exist in the inbox's address.
        let r = admin
            .get(app.url("/support?status=bogus"))
            .header("accept-language", lang)
            .send()
            .await
            .expect("get");
        assert_eq!(r.status(), 422);
        let html = r.text().await.expect("text");
        assert!(
            html.contains(words[3]) && html.contains("bogus"),
            "{lang}: {html}"
        );
        assert!(!html.contains("is not one of new, open"));
    }
}

/// The customer's inbox pages through every request of a filter, keeps the
/// filter on the next page and on the status tabs.
async fn lists_page_and_keep_their_filters(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("admin@acme.test").await;
    for i in 0..61 {
        let priority = if i % 3 == 0 { "low" } else { "high" };
        crate::harness::file_request(&app, &token, &format!("Paged {i:02} {priority}"), priority)
            .await;
    }
    let admin = app.signed_in("admin@acme.test").await;
    let mut path = "/support?priority=high".to_string();
    let mut seen = Vec::new();
    for page_no in 0..5 {
        let html = admin
            .get(app.url(&path))
            .text_body()
            .await
            .replace("&#38;", "&")
            .replace("&amp;", "&");
        for piece in html.split("Paged ").skip(1) {
            let subject: String = piece.chars().take(7).collect();
            seen.push(subject);
        }
        // Every tab keeps the filter.
        assert!(
            html.contains("href=\"/support?status=open&priority=high\"")
                || html.contains("href=\"/support?status=new&priority=high\""),
            "the tabs keep the filter (page {page_no})"
        );
        let next = html
            .split("<p class=\"pager\">")
            .nth(1)
            .and_then(|p| p.split("class=\"button\" href=\"").nth(1))
            .and_then(|rest| rest.split('"').next())
            .map(str::to_string);
        match next {
            Some(n) => {
                assert!(n.contains("priority=high") && n.contains("cursor="), "{n}");
                path = n;
            }
            None => break,
        }
    }
    let high: Vec<&String> = seen.iter().filter(|s| s.ends_with("high")).collect();
    assert_eq!(high.len(), 40, "every high request once: {seen:?}");
    assert!(
        seen.iter().all(|s| s.ends_with("high")),
        "and no other: {seen:?}"
    );
    let mut unique = high.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 40, "none twice");
}

on_both!(
    lists_page_and_keep_their_filters,
    refusals_read_in_the_readers_language,
    the_operator_brands_every_page_and_the_status_page,
    times_are_shown_in_the_viewers_time_zone,
    incidents_are_read_in_the_readers_language,
    subscribers_and_integrations_hear_in_their_language,
    incidents_are_corrected_with_a_history_and_get_a_postmortem,
    the_desk_edits_past_incidents_in_both_languages,
);
