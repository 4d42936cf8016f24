//! The support inbox, requests and the agents' queue, over the API and the
//! pages.
use crate::harness::Fetch;
use crate::harness::{Db, Options, TestApp, client, csrf_in, file_request, patch_json, post_json};
use crate::on_both;
use serde_json::{Value, json};

async fn file(app: &TestApp, token: &str, subject: &str, priority: &str) -> Value {
    file_request(app, token, subject, priority).await
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

async fn all_ids(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/requests?limit=7&{query}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let r = app.api_get(token, &path).await;
        assert_eq!(r.status(), 200, "{path}");
        let v: Value = r.json().await.expect("json");
        for req in v["requests"].as_array().expect("requests") {
            out.push(id(req));
        }
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    out
}

async fn admins_see_every_request_of_their_organisation(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await;
    let ops = app.token("ops@acme.test").await;
    let greta = app.token("admin@globex.test").await;
    let created = file(&app, &ops, "Export to CSV fails", "normal").await;
    assert_eq!(created["status"], "new");
    assert_eq!(created["requester"]["name"], "Olle Ops");
    let rid = id(&created);
    // Ada sees Olle's request, in the list and by id.
    let listed = all_ids(&app, &ada, "").await;
    assert!(listed.contains(&rid));
    assert_eq!(
        app.api_get(&ada, &format!("/api/v1/requests/{rid}"))
            .await
            .status(),
        200
    );
    // Globex sees none of Acme's requests.
    let theirs = all_ids(&app, &greta, "").await;
    assert!(!theirs.contains(&rid));
    for r in [
        app.api_get(&greta, &format!("/api/v1/requests/{rid}"))
            .await,
        post_json(
            &app,
            &greta,
            &format!("/api/v1/requests/{rid}/messages"),
            json!({"body": "hi"}),
        )
        .await,
        patch_json(
            &app,
            &greta,
            &format!("/api/v1/requests/{rid}"),
            json!({"status": "solved"}),
        )
        .await,
    ] {
        assert_eq!(r.status(), 404);
    }
    let c = app.signed_in("admin@globex.test").await;
    let r = c
        .get(app.url(&format!("/support/requests/{rid}")))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 404);
    // The web inbox shows it to Ada, with the count per status.
    let c = app.signed_in("admin@acme.test").await;
    let html = c.get(app.url("/support")).text_body().await;
    assert!(html.contains("Export to CSV fails") && html.contains("Olle Ops"));
    let html = c.get(app.url("/support?status=solved")).text_body().await;
    assert!(!html.contains("Export to CSV fails"));
    // An agent sees all organisations' requests.
    let agent = app.token("agent@statusdesk.test").await;
    let everything = all_ids(&app, &agent, "").await;
    assert!(everything.contains(&rid) && everything.len() == listed.len() + theirs.len());
}

async fn members_and_core_organisations_get_no_direct_support(db: Db) {
    let app = TestApp::spawn(db).await;
    for (who, reason) in [
        ("member@acme.test", "admins_only"),
        ("admin@initech.test", "plan_excludes_direct_support"),
        ("agent@statusdesk.test", "customers_only"),
    ] {
        let token = app.token(who).await;
        let r = post_json(
            &app,
            &token,
            "/api/v1/requests",
            json!({"subject": "x", "description": "y", "priority": "low"}),
        )
        .await;
        assert_eq!(r.status(), 403, "{who}");
        let v: Value = r.json().await.expect("json");
        assert_eq!(v["reason"], reason, "{who}");
        assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    let member = app.token("member@acme.test").await;
    assert_eq!(app.api_get(&member, "/api/v1/requests").await.status(), 403);
    // The pages explain and point to the help resources.
    let core = app.signed_in("admin@initech.test").await;
    for path in ["/support", "/support/new"] {
        let r = core.get(app.url(path)).send().await.expect("get");
        assert_eq!(r.status(), 403, "{path}");
        let html = r.text().await.expect("text");
        assert!(
            html.contains("Direct support is included in the Advanced and Enterprise plans"),
            "{html}"
        );
        assert!(
            html.contains("Help center")
                && html.contains("Help community")
                && html.contains("Customer resource center")
        );
    }
    let m = app.signed_in("member@acme.test").await;
    let r = m.get(app.url("/support")).send().await.expect("get");
    assert_eq!(r.status(), 403);
    // A member cannot read the organisation's requests either.
    let ada = app.token("admin@acme.test").await;
    let rid = id(&file(&app, &ada, "Private to admins", "low").await);
    assert_eq!(
        app.api_get(&member, &format!("/api/v1/requests/{rid}"))
            .await
            .status(),
        403
    );
    // Downgrading the plan takes direct support away at once.
    let support = app.token("support@statusdesk.test").await;
    let acme = app
        .store
        .org_by_name("Acme")
        .await
        .expect("db")
        .expect("acme")
        .id;
    let r = patch_json(
        &app,
        &support,
        &format!("/api/v1/organisations/{acme}"),
        json!({"plan": "core"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        app.api_get(&ada, &format!("/api/v1/requests/{rid}"))
            .await
            .status(),
        403
    );
}

async fn internal_notes_never_reach_customers(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let rid = id(&file(&app, &ada, "Groups cannot be created", "high").await);
    let r = post_json(
        &app,
        &agent,
        &format!("/api/v1/requests/{rid}/messages"),
        json!({"body": "Customer is on the flaky shard xyzzy-secret", "internal": true}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.expect("json");
    assert_eq!(
        v["status"], "new",
        "an internal note does not change the status"
    );
    assert!(
        v["messages"][0]["internal"] == true,
        "the agent sees the note"
    );

    // Not in the API...
    let v: Value = app
        .api_get(&ada, &format!("/api/v1/requests/{rid}"))
        .await
        .json()
        .await
        .expect("json");
    let text = v.to_string();
    assert!(!text.contains("xyzzy"), "{text}");
    assert!(v["messages"].as_array().is_some_and(Vec::is_empty));
    assert!(
        !v["events"]
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["kind"] == "note")
    );
    // ...not findable by search...
    assert!(all_ids(&app, &ada, "q=xyzzy").await.is_empty());
    assert_eq!(
        all_ids(&app, &agent, "q=Groups%20cannot").await,
        vec![rid.clone()]
    );
    // ...not on the page...
    let c = app.signed_in("admin@acme.test").await;
    let html = c
        .get(app.url(&format!("/support/requests/{rid}")))
        .text_body()
        .await;
    assert!(
        !html.contains("xyzzy") && !html.contains("internal note"),
        "{html}"
    );
    // ...and not in any e-mail.
    let outbox = app.store.recent_outbox(50).await.expect("outbox");
    assert!(outbox.iter().all(|m| !m.payload.contains("xyzzy")));
    // Customers cannot post internal notes.
    let r = post_json(
        &app,
        &ada,
        &format!("/api/v1/requests/{rid}/messages"),
        json!({"body": "psst", "internal": true}),
    )
    .await;
    assert_eq!(r.status(), 403);
}

async fn status_lifecycle_is_enforced(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let rid = id(&file(&app, &ada, "Lifecycle", "normal").await);
    let path = format!("/api/v1/requests/{rid}");
    let msgs = format!("{path}/messages");
    let status = |v: &Value| v["status"].as_str().unwrap_or("").to_string();

    // A customer reply to a new request leaves it new.
    let v: Value = post_json(&app, &ada, &msgs, json!({"body": "More detail"}))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(status(&v), "new");
    // The agent's first reply opens it.
    let v: Value = post_json(&app, &agent, &msgs, json!({"body": "Looking"}))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(status(&v), "open");
    // Nothing returns to new.
    let r = patch_json(&app, &agent, &path, json!({"status": "new"})).await;
    assert_eq!(r.status(), 409);
    let e: Value = r.json().await.expect("json");
    assert_eq!(e["code"], "never_new");
    assert_eq!(e["error"], "A request never returns to new.");
    assert_eq!(e["field"], "status");
    // Open requests cannot be closed directly.
    let r = patch_json(&app, &agent, &path, json!({"status": "closed"})).await;
    assert_eq!(r.status(), 409);
    // Waiting on the customer; the customer's reply opens it again.
    let v: Value = patch_json(
        &app,
        &agent,
        &path,
        json!({"status": "waiting_on_customer"}),
    )
    .await
    .json()
    .await
    .expect("json");
    assert_eq!(status(&v), "waiting_on_customer");
    let v: Value = post_json(&app, &ada, &msgs, json!({"body": "Here you go"}))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(status(&v), "open");
    // Customers may mark solved and reopen, nothing else.
    let r = patch_json(&app, &ada, &path, json!({"status": "waiting_on_customer"})).await;
    assert_eq!(r.status(), 422);
    let r = patch_json(&app, &ada, &path, json!({"priority": "high"})).await;
    assert_eq!(r.status(), 403);
    let v: Value = patch_json(&app, &ada, &path, json!({"status": "solved"}))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(status(&v), "solved");
    assert!(v["solved_at"].is_string());
    let r = patch_json(&app, &ada, &path, json!({"status": "solved"})).await;
    assert_eq!(r.status(), 409, "already solved");
    let v: Value = patch_json(&app, &ada, &path, json!({"status": "open"}))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(status(&v), "open");
    assert!(v["solved_at"].is_null());
    // A customer reply to a solved request reopens it too.
    patch_json(&app, &agent, &path, json!({"status": "solved"})).await;
    let v: Value = post_json(&app, &ada, &msgs, json!({"body": "Still broken"}))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(status(&v), "open");
    // Solved, then closed: final.
    patch_json(&app, &agent, &path, json!({"status": "solved"})).await;
    let v: Value = patch_json(&app, &agent, &path, json!({"status": "closed"}))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(status(&v), "closed");
    for (token, body) in [
        (&ada, json!({"body": "again"})),
        (&agent, json!({"body": "again"})),
    ] {
        let r = post_json(&app, token, &msgs, body).await;
        assert_eq!(r.status(), 409);
        let e: Value = r.json().await.expect("json");
        assert!(
            e["error"]
                .as_str()
                .is_some_and(|m| m.contains("Closed requests are final"))
        );
    }
    assert_eq!(
        patch_json(&app, &agent, &path, json!({"status": "open"}))
            .await
            .status(),
        409
    );
    assert_eq!(
        patch_json(&app, &agent, &path, json!({"priority": "low"}))
            .await
            .status(),
        409
    );
    // A follow-up is a new request linked to it.
    let r = post_json(
        &app,
        &ada,
        "/api/v1/requests",
        json!({"subject": "Lifecycle again", "description": "It is back.", "priority": "normal", "follow_up_of": rid}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["follow_up_of"], rid.as_str());
    // Every change is in the activity log, in order.
    let v: Value = app.api_get(&agent, &path).await.json().await.expect("json");
    let kinds: Vec<String> = v["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| match e["kind"].as_str() {
            Some("status") => format!("status:{}", e["detail"]["to"].as_str().unwrap_or("")),
            other => other.unwrap_or("").to_string(),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "created",
            "replied",
            "replied",
            "status:open",
            "status:waiting_on_customer",
            "replied",
            "status:open",
            "status:solved",
            "status:open",
            "status:solved",
            "replied",
            "status:open",
            "status:solved",
            "status:closed"
        ]
    );
}

async fn solved_requests_close_themselves(db: Db) {
    let app = TestApp::spawn_with(
        db,
        Options {
            demo: true,
            manual_clock: true,
            ..Options::default()
        },
    )
    .await;
    let ada = app.token("admin@acme.test").await;
    let rid = id(&file(&app, &ada, "Will be closed", "low").await);
    let keep = id(&file(&app, &ada, "Stays solved a while", "low").await);
    let r = patch_json(
        &app,
        &ada,
        &format!("/api/v1/requests/{rid}"),
        json!({"status": "solved"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    app.clock.advance(3 * 24 * 3600 * 1000);
    patch_json(
        &app,
        &ada,
        &format!("/api/v1/requests/{keep}"),
        json!({"status": "solved"}),
    )
    .await;
    app.clock.advance(4 * 24 * 3600 * 1000 - 60_000);
    assert_eq!(
        app.app.close_solved().await.expect("sweep"),
        1,
        "the demo's solved request"
    );
    let v: Value = app
        .api_get(&ada, &format!("/api/v1/requests/{rid}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(v["status"], "solved", "not yet seven days");
    app.clock.advance(2 * 60_000);
    assert_eq!(app.app.close_solved().await.expect("sweep"), 1);
    let v: Value = app
        .api_get(&ada, &format!("/api/v1/requests/{rid}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(v["status"], "closed");
    let last = v["events"]
        .as_array()
        .and_then(|e| e.last())
        .cloned()
        .expect("event");
    assert_eq!(last["detail"]["auto"], true);
    assert!(last["actor"].is_null());
    let v: Value = app
        .api_get(&ada, &format!("/api/v1/requests/{keep}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(v["status"], "solved");
    let c = app.signed_in("admin@acme.test").await;
    let html = c
        .get(app.url(&format!("/support/requests/{rid}")))
        .text_body()
        .await;
    assert!(html.contains("Closed automatically after being solved for 7 days"));
    assert!(html.contains("Start a follow-up request"));
}

/// A tiny deterministic generator, so failures can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// Whether a request belongs in a query's answer.
type Keep = Box<dyn Fn(&Model) -> bool>;

struct Model {
    id: String,
    status: String,
    priority: String,
    component: Option<String>,
    text: String,
}

async fn filters_and_search_agree_with_a_brute_force_reference(db: Db) {
    let app = TestApp::spawn(db).await;
    let tokens = [
        app.token("admin@acme.test").await,
        app.token("ops@acme.test").await,
    ];
    let greta = app.token("admin@globex.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let components: Vec<String> = app
        .store
        .component_refs()
        .await
        .expect("components")
        .into_iter()
        .map(|c| c.id)
        .collect();
    let words = [
        "login",
        "video",
        "Grupp",
        "chatt",
        "export",
        "timeout",
        "Åkersberga",
        "mobil",
        "50%_off",
    ];
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    // The demo's Acme requests are part of the reference too.
    let acme = app
        .store
        .org_by_name("Acme")
        .await
        .expect("db")
        .expect("acme")
        .id;
    let mut model: Vec<Model> = Vec::new();
    let (demo, _) = app
        .store
        .list_requests(
            store::Scope::Org(&acme),
            &store::RequestFilter {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .expect("demo");
    for r in demo {
        let msgs = app
            .store
            .messages(store::Scope::Org(&r.org_id), &r.id)
            .await
            .expect("messages");
        let mut text = format!("{}\n{}", r.subject, r.description);
        for m in msgs {
            text.push('\n');
            text.push_str(&m.body);
        }
        model.push(Model {
            id: r.id,
            status: r.status.as_str().into(),
            priority: r.priority.as_str().into(),
            component: r.component,
            text,
        });
    }
    for i in 0..45 {
        let subject = format!("{} {} problem {i}", rng.pick(&words), rng.pick(&words));
        let description = format!("It fails with {}.", rng.pick(&words));
        let priority = *rng.pick(&["high", "normal", "low"]);
        let component = if rng.next().is_multiple_of(3) {
            None
        } else {
            Some(rng.pick(&components).clone())
        };
        let token = rng.pick(&tokens);
        let mut body =
            json!({"subject": subject, "description": description, "priority": priority});
        if let Some(c) = &component {
            body["component"] = json!(c);
        }
        let r = post_json(&app, token, "/api/v1/requests", body).await;
        assert_eq!(r.status(), 201);
        let v: Value = r.json().await.expect("json");
        let rid = id(&v);
        let mut m = Model {
            id: rid.clone(),
            status: "new".into(),
            priority: priority.into(),
            component,
            text: format!("{subject}\n{description}"),
        };
        match rng.next() % 5 {
            0 => {}
            1 => {
                let reply = format!("Try {}", rng.pick(&words));
                post_json(
                    &app,
                    &agent,
                    &format!("/api/v1/requests/{rid}/messages"),
                    json!({"body": reply}),
                )
                .await;
                m.text.push('\n');
                m.text.push_str(&reply);
                m.status = "open".into();
            }
            2 => {
                // Internal notes are not part of what customers search.
                post_json(
                    &app,
                    &agent,
                    &format!("/api/v1/requests/{rid}/messages"),
                    json!({"body": "zebra internal", "internal": true}),
                )
                .await;
            }
            3 => {
                patch_json(
                    &app,
                    &agent,
                    &format!("/api/v1/requests/{rid}"),
                    json!({"status": "waiting_on_customer"}),
                )
                .await;
                m.status = "waiting_on_customer".into();
            }
            _ => {
                patch_json(
                    &app,
                    token,
                    &format!("/api/v1/requests/{rid}"),
                    json!({"status": "solved"}),
                )
                .await;
                m.status = "solved".into();
            }
        }
        model.push(m);
        // Noise in another organisation, which must never show up.
        if i % 5 == 0 {
            file(
                &app,
                &greta,
                &format!("{} at Globex", rng.pick(&words)),
                "high",
            )
            .await;
        }
    }
    let mut queries: Vec<(String, Keep)> = vec![("".into(), Box::new(|_| true))];
    for s in ["new", "open", "waiting_on_customer", "solved", "closed"] {
        queries.push((
            format!("status={s}"),
            Box::new(move |m: &Model| m.status == s),
        ));
    }
    for p in ["high", "normal", "low"] {
        queries.push((
            format!("priority={p}"),
            Box::new(move |m: &Model| m.priority == p),
        ));
    }
    for c in components.iter().take(3) {
        let c2 = c.clone();
        queries.push((
            format!("component={c}"),
            Box::new(move |m: &Model| m.component.as_deref() == Some(c2.as_str())),
        ));
    }
    for w in words
        .iter()
        .chain(["zebra", "PROBLEM 1", "nothing-like-this"].iter())
    {
        let lower = w.to_lowercase();
        let encoded: String = w.bytes().map(|b| format!("%{b:02X}")).collect();
        queries.push((
            format!("q={encoded}"),
            Box::new(move |m: &Model| m.text.to_lowercase().contains(&lower)),
        ));
        let l2 = w.to_lowercase();
        queries.push((
            format!("q={encoded}&status=open&priority=high"),
            Box::new(move |m: &Model| {
                m.text.to_lowercase().contains(&l2) && m.status == "open" && m.priority == "high"
            }),
        ));
    }
    let mut checked = 0;
    for (query, keep) in &queries {
        for token in &tokens {
            let mut got = all_ids(&app, token, query).await;
            let mut want: Vec<String> = model
                .iter()
                .filter(|m| keep(m))
                .map(|m| m.id.clone())
                .collect();
            got.sort();
            want.sort();
            assert_eq!(got, want, "query {query:?}");
            checked += want.len();
        }
    }
    assert!(
        checked > 100,
        "the reference matched too little to mean much: {checked}"
    );
    // Pages come newest activity first with no duplicates.
    let v: Value = app
        .api_get(&tokens[0], "/api/v1/requests?limit=200")
        .await
        .json()
        .await
        .expect("json");
    let times: Vec<&str> = v["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .filter_map(|r| r["updated_at"].as_str())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]));
    assert_eq!(
        app.api_get(&tokens[0], "/api/v1/requests?cursor=garbage")
            .await
            .status(),
        422
    );
    assert_eq!(
        app.api_get(&tokens[0], "/api/v1/requests?status=pending")
            .await
            .status(),
        422
    );
}

async fn agents_work_the_queue(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let me: Value = app
        .api_get(&agent, "/api/v1/me")
        .await
        .json()
        .await
        .expect("json");
    let agent_id = me["user"]["id"].as_str().expect("id").to_string();
    let low = id(&file(&app, &ada, "Low one", "low").await);
    let high = id(&file(&app, &ada, "High one", "high").await);
    let queue = |view: &'static str| {
        let app = &app;
        let agent = agent.clone();
        async move {
            let v: Value = app
                .api_get(&agent, &format!("/api/v1/requests?view={view}&limit=200"))
                .await
                .json()
                .await
                .expect("json");
            v["requests"].as_array().expect("requests").clone()
        }
    };
    let unassigned = queue("unassigned").await;
    let order: Vec<(String, String)> = unassigned
        .iter()
        .map(|r| {
            (
                r["priority"].as_str().unwrap_or("").to_string(),
                r["created_at"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let rank = |p: &str| match p {
        "high" => 0,
        "normal" => 1,
        _ => 2,
    };
    assert!(
        order
            .windows(2)
            .all(|w| (rank(&w[0].0), &w[0].1) <= (rank(&w[1].0), &w[1].1)),
        "{order:?}"
    );
    let pos = |list: &[Value], rid: &str| list.iter().position(|r| r["id"] == rid);
    assert!(pos(&unassigned, &high) < pos(&unassigned, &low));
    // Assign to self: leaves Unassigned, shows in Mine.
    let v: Value = patch_json(
        &app,
        &agent,
        &format!("/api/v1/requests/{high}"),
        json!({"assignee": agent_id}),
    )
    .await
    .json()
    .await
    .expect("json");
    assert_eq!(v["assignee"]["name"], "Alex Agent");
    assert!(pos(&queue("unassigned").await, &high).is_none());
    assert!(pos(&queue("mine").await, &high).is_some());
    // Another agent, then nobody.
    let support: Value = app
        .api_get(&app.token("support@statusdesk.test").await, "/api/v1/me")
        .await
        .json()
        .await
        .expect("json");
    let sam = support["user"]["id"].as_str().expect("id");
    let v: Value = patch_json(
        &app,
        &agent,
        &format!("/api/v1/requests/{high}"),
        json!({"assignee": sam, "priority": "normal"}),
    )
    .await
    .json()
    .await
    .expect("json");
    assert_eq!(v["assignee"]["name"], "Sam Support");
    assert_eq!(v["priority"], "normal");
    let r = patch_json(
        &app,
        &agent,
        &format!("/api/v1/requests/{high}"),
        json!({"assignee": "not-an-agent"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let ada_id = app
        .store
        .principal_by_email("admin@acme.test")
        .await
        .expect("db")
        .expect("ada")
        .0
        .user
        .id;
    let r = patch_json(
        &app,
        &agent,
        &format!("/api/v1/requests/{high}"),
        json!({"assignee": ada_id}),
    )
    .await;
    assert_eq!(r.status(), 422, "customers cannot be assignees");
    let v: Value = patch_json(
        &app,
        &agent,
        &format!("/api/v1/requests/{high}"),
        json!({"assignee": null}),
    )
    .await
    .json()
    .await
    .expect("json");
    assert!(v["assignee"].is_null());
    let kinds: Vec<&str> = v["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "assigned").count(), 3);
    assert!(kinds.contains(&"priority"));
    // Waiting and solved views.
    patch_json(
        &app,
        &agent,
        &format!("/api/v1/requests/{low}"),
        json!({"status": "waiting_on_customer"}),
    )
    .await;
    assert!(pos(&queue("waiting").await, &low).is_some());
    assert!(pos(&queue("open").await, &low).is_none());
    // Customers have no queue; unknown views are explained.
    assert_eq!(
        app.api_get(&ada, "/api/v1/requests?view=mine")
            .await
            .status(),
        403
    );
    assert_eq!(
        app.api_get(&agent, "/api/v1/requests?view=everything")
            .await
            .status(),
        422
    );
    // The queue page shows organisation, plan, priority, status and assignee.
    let c = app.signed_in("agent@statusdesk.test").await;
    let html = c.get(app.url("/agent?view=open")).text_body().await;
    assert!(
        html.contains("High one") || html.contains("Low one") || html.contains("Live broadcast")
    );
    assert!(html.contains("Acme") && html.contains("plan-enterprise"));
    let r = app
        .signed_in("admin@acme.test")
        .await
        .get(app.url("/agent"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 403);
}

async fn followers_get_e_mail_when_agents_reply_or_change_status(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let rid = id(&file(&app, &ada, "Mail me", "normal").await);
    let before = app.store.recent_outbox(500).await.expect("outbox").len();
    post_json(
        &app,
        &agent,
        &format!("/api/v1/requests/{rid}/messages"),
        json!({"body": "We fixed the **thing**."}),
    )
    .await;
    let mails = app.store.recent_outbox(500).await.expect("outbox");
    assert_eq!(
        mails.len(),
        before + 1,
        "only the follower (the requester) gets mail"
    );
    let mail = notify::Email::from_json(&mails[0].payload).expect("email");
    assert_eq!(mail.to, "admin@acme.test");
    assert_eq!(mail.subject, "Re: Mail me");
    assert!(
        mail.text.contains("We fixed the **thing**.")
            && mail.text.contains(&format!("/support/requests/{rid}"))
    );
    assert!(mail.text.contains("Status: Open"));
    // Olle follows it from the page; the next status change mails both.
    let ops = app.signed_in("ops@acme.test").await;
    let page = ops
        .get(app.url(&format!("/support/requests/{rid}")))
        .text_body()
        .await;
    assert!(page.contains(">Follow<"));
    let csrf = csrf_in(&page).expect("csrf");
    let r = ops
        .post(app.url(&format!("/support/requests/{rid}/follow")))
        .form(&[("csrf", csrf.as_str()), ("follow", "1")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    patch_json(
        &app,
        &agent,
        &format!("/api/v1/requests/{rid}"),
        json!({"status": "waiting_on_customer"}),
    )
    .await;
    let mails = app.store.recent_outbox(500).await.expect("outbox");
    let to: Vec<String> = mails[..2].iter().map(|m| m.target.clone()).collect();
    assert!(
        to.contains(&"admin@acme.test".to_string()) && to.contains(&"ops@acme.test".to_string()),
        "{to:?}"
    );
    let m = notify::Email::from_json(&mails[0].payload).expect("email");
    assert_eq!(m.subject, "Mail me: Waiting on you");
    assert_ne!(mails[0].idempotency_key, mails[1].idempotency_key);
    // Notes, priority changes and customers' own actions send nothing.
    let n = mails.len();
    post_json(
        &app,
        &agent,
        &format!("/api/v1/requests/{rid}/messages"),
        json!({"body": "note", "internal": true}),
    )
    .await;
    patch_json(
        &app,
        &agent,
        &format!("/api/v1/requests/{rid}"),
        json!({"priority": "high"}),
    )
    .await;
    post_json(
        &app,
        &ada,
        &format!("/api/v1/requests/{rid}/messages"),
        json!({"body": "thanks"}),
    )
    .await;
    assert_eq!(app.store.recent_outbox(500).await.expect("outbox").len(), n);
    // A follower who set Swedish gets Swedish.
    let csrf = app.csrf(&ops, "/settings").await;
    ops.post(app.url("/settings/language"))
        .form(&[("csrf", csrf.as_str()), ("language", "sv")])
        .send()
        .await
        .expect("post");
    post_json(
        &app,
        &agent,
        &format!("/api/v1/requests/{rid}/messages"),
        json!({"body": "Klart"}),
    )
    .await;
    let mails = app.store.recent_outbox(2).await.expect("outbox");
    let swedish = mails
        .iter()
        .find(|m| m.target == "ops@acme.test")
        .expect("mail to ops");
    let m = notify::Email::from_json(&swedish.payload).expect("email");
    assert_eq!(m.subject, "Sv: Mail me");
    assert!(m.text.contains("Hej Olle Ops"));
}

async fn direct_support_is_for_computers(db: Db) {
    let app = TestApp::spawn(db).await;
    let phone =
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148";
    let c = app.signed_in("admin@acme.test").await;
    let html = c
        .get(app.url("/support"))
        .header("user-agent", phone)
        .text_body()
        .await;
    assert!(html.contains("Direct support is available from a computer only"));
    assert!(
        !html.contains("href=\"/support/new\""),
        "no form link on a phone"
    );
    let html = c
        .get(app.url("/support/new"))
        .header("user-agent", phone)
        .text_body()
        .await;
    assert!(html.contains("available from a computer only") && !html.contains("<textarea"));
    // The admin panel on a phone explains it instead of offering the form.
    let panel = c
        .get(app.url("/admin"))
        .header("user-agent", phone)
        .text_body()
        .await;
    assert!(panel.contains("available from a computer only"), "{panel}");
    assert!(
        !panel.contains("href=\"/support/new\""),
        "no form link on a phone"
    );
    let panel = c.get(app.url("/admin")).text_body().await;
    assert!(
        panel.contains("href=\"/support/new\""),
        "offered on a computer"
    );
    let desktop = c.get(app.url("/support/new")).text_body().await;
    assert!(desktop.contains("<textarea") && desktop.contains("High — severe business impact"));
    assert!(desktop.contains("does not guarantee a faster or slower resolution"));
    let csrf = csrf_in(&desktop).expect("csrf");
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("subject", "From my phone")
        .text("description", "Typed on a phone")
        .text("priority", "low");
    let r = c
        .post(app.url("/support/new"))
        .header("user-agent", phone)
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    // The REST API is not affected.
    let token = app.token("admin@acme.test").await;
    let r = app
        .client
        .post(app.url("/api/v1/requests"))
        .bearer_auth(&token)
        .header("user-agent", phone)
        .json(&json!({"subject": "From an app", "description": "Via the API", "priority": "low"}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 201);
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDRfake-but-starts-right";

async fn filing_from_the_page_with_attachments(db: Db) {
    let app = TestApp::spawn(db).await;
    let c = app.signed_in("admin@acme.test").await;
    let page = c.get(app.url("/support/new")).text_body().await;
    let csrf = csrf_in(&page).expect("csrf");
    let login = app
        .store
        .component_refs()
        .await
        .expect("components")
        .into_iter()
        .find(|c| c.name == "Login")
        .expect("Login");
    // A bad attachment is refused with a message, and nothing is filed.
    let bad = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("subject", "Screenshot attached")
        .text("description", "See the screenshot")
        .text("priority", "high")
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(b"<html><script>x</script>".to_vec())
                .file_name("shot.png"),
        );
    let r = c
        .post(app.url("/support/new"))
        .multipart(bad)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("text");
    assert!(
        html.contains("shot.png is not an image, PDF or text file"),
        "{html}"
    );
    assert!(
        html.contains("value=\"Screenshot attached\""),
        "the draft is kept"
    );
    // At most five files, of at most 10 MiB each.
    let mut many = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("subject", "Many files")
        .text("description", "Six screenshots")
        .text("priority", "low");
    for i in 0..6 {
        many = many.part(
            "attachments",
            reqwest::multipart::Part::bytes(PNG.to_vec()).file_name(format!("s{i}.png")),
        );
    }
    let r = c
        .post(app.url("/support/new"))
        .multipart(many)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("text").contains("at most 5 files"));
    let mut big = PNG.to_vec();
    big.resize(10 * 1024 * 1024 + 1, 0);
    let large = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("subject", "Big file")
        .text("description", "A large screenshot")
        .text("priority", "low")
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(big).file_name("big.png"),
        );
    let r = c
        .post(app.url("/support/new"))
        .multipart(large)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .expect("text")
            .contains("big.png is larger than 10 MiB")
    );
    assert!(
        app.store
            .list_requests(
                store::Scope::Staff,
                &store::RequestFilter {
                    q: Some("Many files".into()),
                    limit: 5,
                    ..Default::default()
                }
            )
            .await
            .expect("list")
            .0
            .is_empty()
    );
    // A good one goes through.
    let good = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("subject", "Screenshot attached")
        .text("description", "See the <b>screenshot</b>")
        .text("priority", "high")
        .text("component", login.id.clone())
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("../shot.png"),
        );
    let r = c
        .post(app.url("/support/new"))
        .multipart(good)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location")
        .to_string();
    assert!(location.starts_with("/support/requests/"));
    let html = c.get(app.url(&location)).text_body().await;
    assert!(
        html.contains("Your request is sent.")
            && html.contains("Login")
            && html.contains("&lt;b&gt;screenshot")
    );
    let at = html.find("/attachments/").expect("attachment link");
    let start = html[..at].rfind('"').expect("href start") + 1;
    let end = at + html[at..].find('"').expect("href end");
    let href = html[start..end].to_string();
    let r = c.get(app.url(&href)).send().await.expect("get");
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/png")
    );
    assert!(
        r.headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|d| d.contains("shot.png"))
    );
    assert_eq!(r.bytes().await.expect("bytes").as_ref(), PNG);
    // Nobody outside Acme gets it; staff do.
    let g = app.signed_in("admin@globex.test").await;
    assert_eq!(
        g.get(app.url(&href)).send().await.expect("get").status(),
        404
    );
    assert_eq!(
        client()
            .get(app.url(&href))
            .send()
            .await
            .expect("get")
            .status(),
        303
    );
    let agent = app.signed_in("agent@statusdesk.test").await;
    assert_eq!(
        agent
            .get(app.url(&href))
            .send()
            .await
            .expect("get")
            .status(),
        200
    );
    // A file on an internal note stays internal.
    let rid = location
        .trim_start_matches("/support/requests/")
        .split('?')
        .next()
        .expect("id")
        .to_string();
    let page = agent
        .get(app.url(&format!("/agent/requests/{rid}")))
        .text_body()
        .await;
    let csrf = csrf_in(&page).expect("csrf");
    let note = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("body", "Internal log attached")
        .text("internal", "1")
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(b"secret log line".to_vec()).file_name("server.log"),
        );
    let r = agent
        .post(app.url(&format!("/agent/requests/{rid}/reply")))
        .multipart(note)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let files = app
        .store
        .attachments(store::Scope::Staff, &rid)
        .await
        .expect("files");
    let log = files
        .iter()
        .find(|f| f.filename == "server.log")
        .expect("log");
    let log_href = format!("/support/requests/{rid}/attachments/{}", log.id);
    assert_eq!(
        agent
            .get(app.url(&log_href))
            .send()
            .await
            .expect("get")
            .status(),
        200
    );
    assert_eq!(
        c.get(app.url(&log_href))
            .send()
            .await
            .expect("get")
            .status(),
        404
    );
    let html = c.get(app.url(&location)).text_body().await;
    assert!(!html.contains("server.log") && !html.contains("Internal log"));
}

async fn customers_and_agents_act_from_the_pages(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await;
    let rid = id(&file(&app, &ada, "Page actions", "normal").await);
    let agent = app.signed_in("agent@statusdesk.test").await;
    // Customers' addresses redirect staff to theirs and back.
    let r = agent
        .get(app.url(&format!("/support/requests/{rid}")))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 303);
    let page = agent
        .get(app.url(&format!("/agent/requests/{rid}")))
        .text_body()
        .await;
    let csrf = csrf_in(&page).expect("csrf");
    let agent_id = app
        .store
        .principal_by_email("agent@statusdesk.test")
        .await
        .expect("db")
        .expect("agent")
        .0
        .user
        .id;
    let r = agent
        .post(app.url(&format!("/agent/requests/{rid}/update")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("status", "waiting_on_customer"),
            ("priority", "high"),
            ("assignee", agent_id.as_str()),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let r = agent
        .post(app.url(&format!("/agent/requests/{rid}/update")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("status", "closed"),
            ("priority", "high"),
            ("assignee", agent_id.as_str()),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 409);
    assert!(
        r.text()
            .await
            .expect("text")
            .contains("Only solved requests can be closed.")
    );
    // The customer replies, marks solved, reopens.
    let c = app.signed_in("admin@acme.test").await;
    let page = c
        .get(app.url(&format!("/support/requests/{rid}")))
        .text_body()
        .await;
    assert!(page.contains("Waiting on you") && page.contains("Alex Agent"));
    let csrf = csrf_in(&page).expect("csrf");
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("body", "Here is the log");
    let r = c
        .post(app.url(&format!("/support/requests/{rid}/reply")))
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("body", "   ");
    let r = c
        .post(app.url(&format!("/support/requests/{rid}/reply")))
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    let r = c
        .post(app.url(&format!("/support/requests/{rid}/solve")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let page = c
        .get(app.url(&format!("/support/requests/{rid}")))
        .text_body()
        .await;
    assert!(page.contains("st-solved") && page.contains(">Reopen<"));
    let r = c
        .post(app.url(&format!("/support/requests/{rid}/reopen")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let r = c
        .post(app.url(&format!("/support/requests/{rid}/reopen")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 409);
    // Without the CSRF token nothing happens.
    let r = c
        .post(app.url(&format!("/support/requests/{rid}/solve")))
        .form(&[("csrf", "")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    let v: Value = app
        .api_get(&ada, &format!("/api/v1/requests/{rid}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(v["status"], "open");
    assert_eq!(v["priority"], "high");
}

on_both!(
    admins_see_every_request_of_their_organisation,
    members_and_core_organisations_get_no_direct_support,
    internal_notes_never_reach_customers,
    status_lifecycle_is_enforced,
    solved_requests_close_themselves,
    filters_and_search_agree_with_a_brute_force_reference,
    agents_work_the_queue,
    followers_get_e_mail_when_agents_reply_or_change_status,
    direct_support_is_for_computers,
    filing_from_the_page_with_attachments,
    customers_and_agents_act_from_the_pages,
);
