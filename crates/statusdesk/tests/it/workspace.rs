//! The agents' workspace: request numbers, the queue's views, filters,
//! orders and counts, bulk actions, canned replies, saved views, ratings,
//! replying and setting a status at once, and linked incidents.
use crate::harness::{
    Db, Fetch, Options, TestApp, csrf_in, delete_as, file_request, patch_json, post_json, put_json,
};
use crate::on_both;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

async fn file(app: &TestApp, token: &str, subject: &str, priority: &str) -> Value {
    file_request(app, token, subject, priority).await
}

fn s(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap_or_default().to_string()
}

async fn json_of(app: &TestApp, token: &str, path: &str) -> Value {
    let r = app.api_get(token, path).await;
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.expect("json")
}

/// Every request of a staff list, page by page (`limit` each).
async fn pages(app: &TestApp, token: &str, query: &str, limit: usize) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let mut path = format!("/api/v1/requests?limit={limit}&{query}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let v = json_of(app, token, &path).await;
        let page = v["requests"].as_array().expect("requests");
        assert!(page.len() <= limit);
        out.extend(page.iter().cloned());
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return out,
        }
    }
    panic!("paging never ended for {query}");
}

async fn user_id(app: &TestApp, token: &str) -> String {
    let me = json_of(app, token, "/api/v1/me").await;
    s(&me["user"], "id")
}

/// A second agent, made by the support admin.
async fn second_agent(app: &TestApp) -> String {
    let sam = app.token("support@statusdesk.test").await;
    let r = post_json(
        app,
        &sam,
        "/api/v1/users",
        json!({"email": "kim@statusdesk.test", "name": "Kim Kollega", "role": "agent", "password": statusdesk::demo::PASSWORD}),
    )
    .await;
    assert_eq!(r.status(), 201);
    app.token("kim@statusdesk.test").await
}

async fn requests_are_numbered_and_found_by_number(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    // The demo's requests were numbered in filing order from 1001.
    let all = pages(&app, &agent, "view=all&sort=created", 200).await;
    let numbers: Vec<i64> = all
        .iter()
        .map(|r| r["number"].as_i64().expect("number"))
        .collect();
    assert!(!numbers.is_empty());
    assert_eq!(numbers[0], 1001);
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
    let a = file(&app, &ada, "Numbered one", "normal").await;
    let b = file(&app, &ada, "Numbered two", "low").await;
    let (na, nb) = (
        a["number"].as_i64().expect("n"),
        b["number"].as_i64().expect("n"),
    );
    assert!(na > *numbers.last().expect("last") && nb > na);
    // Shown on the pages, for the customer and the agent.
    let page = app
        .signed_in("admin@acme.test")
        .await
        .get(app.url(&format!("/support/requests/{}", s(&a, "id"))))
        .text_body()
        .await;
    assert!(
        page.contains(&format!("#{na}")),
        "customer page shows the number"
    );
    let inbox = app
        .signed_in("admin@acme.test")
        .await
        .get(app.url("/support"))
        .text_body()
        .await;
    assert!(inbox.contains(&format!("#{na}")), "the inbox shows numbers");
    let queue = app
        .signed_in("agent@statusdesk.test")
        .await
        .get(app.url("/agent?view=all"))
        .text_body()
        .await;
    assert!(queue.contains(&format!("#{na}")));
    // Searchable: "#N" is exactly that request, for staff and its customer.
    for token in [&agent, &ada] {
        let hits = json_of(&app, token, &format!("/api/v1/requests?q=%23{na}")).await;
        let ids: Vec<String> = hits["requests"]
            .as_array()
            .expect("list")
            .iter()
            .map(|r| s(r, "id"))
            .collect();
        assert_eq!(ids, vec![s(&a, "id")]);
    }
    // Another organisation does not find it by number.
    let greta = app.token("admin@globex.test").await;
    let hits = json_of(&app, &greta, &format!("/api/v1/requests?q=%23{na}")).await;
    assert_eq!(hits["requests"].as_array().map(Vec::len), Some(0));
}

/// Several instances on one PostgreSQL database never hand out the same
/// number; on SQLite (one instance) concurrent filings do not either.
async fn numbers_stay_unique_under_concurrency(db: Db) {
    let first = TestApp::spawn(db).await;
    let second = if db == Db::Postgres {
        Some(
            TestApp::spawn_with(
                db,
                Options {
                    demo: false,
                    database_url: Some(first.database_url.clone()),
                    ..Options::default()
                },
            )
            .await,
        )
    } else {
        None
    };
    let ada = first.token("admin@acme.test").await;
    let mut tasks = Vec::new();
    for i in 0..24 {
        let app_base = if i % 2 == 1 {
            second.as_ref().unwrap_or(&first).base.clone()
        } else {
            first.base.clone()
        };
        let ada = ada.clone();
        tasks.push(tokio::spawn(async move {
            let r = reqwest::Client::new()
                .post(format!("{app_base}/api/v1/requests"))
                .bearer_auth(&ada)
                .json(&json!({"subject": format!("Concurrent {i}"), "description": "At once.", "priority": "normal"}))
                .send()
                .await
                .expect("post");
            assert_eq!(r.status(), 201);
            let v: Value = r.json().await.expect("json");
            v["number"].as_i64().expect("number")
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.expect("task"));
    }
    let unique: BTreeSet<i64> = numbers.iter().copied().collect();
    assert_eq!(unique.len(), numbers.len(), "{numbers:?}");
    assert!(numbers.iter().all(|n| *n > 1000));
}

/// Which requests a view or filter keeps, written out in the test.
type Keep = Box<dyn Fn(&Value) -> bool>;

/// The order a sort promises, computed here from the requests' fields.
fn sort_key(r: &Value, key: &str) -> (i64, String, i64) {
    let number = r["number"].as_i64().unwrap_or_default();
    match key {
        "priority" => {
            let rank = match r["priority"].as_str() {
                Some("high") => 0,
                Some("normal") => 1,
                _ => 2,
            };
            (rank, String::new(), number)
        }
        "updated" => (0, s(r, "updated_at"), number),
        // Nothing due sorts last.
        "due" => (0, r["due_at"].as_str().unwrap_or("~").to_string(), number),
        _ => (0, String::new(), number),
    }
}

async fn queue_search_filters_and_orders_agree_with_a_reference(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await;
    let greta = app.token("admin@globex.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let agent_id = user_id(&app, &agent).await;
    let mut filed = Vec::new();
    for (i, (who, prio)) in [
        (&ada, "high"),
        (&greta, "low"),
        (&ada, "normal"),
        (&greta, "high"),
        (&ada, "low"),
        (&ada, "high"),
        (&greta, "normal"),
    ]
    .iter()
    .enumerate()
    {
        filed.push(file(&app, who, &format!("Reference case {i} quokka"), prio).await);
    }
    // Some assigned, some waiting, one solved.
    let id = |i: usize| s(&filed[i], "id");
    assert_eq!(
        patch_json(
            &app,
            &agent,
            &format!("/api/v1/requests/{}", id(0)),
            json!({"assignee": agent_id})
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        patch_json(
            &app,
            &agent,
            &format!("/api/v1/requests/{}", id(3)),
            json!({"assignee": agent_id, "status": "waiting_on_customer"})
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        patch_json(
            &app,
            &agent,
            &format!("/api/v1/requests/{}", id(4)),
            json!({"status": "solved"})
        )
        .await
        .status(),
        200
    );

    let everything = pages(&app, &agent, "view=all", 200).await;
    let stage = |r: &Value| match r["status"].as_str() {
        Some("new" | "open") => 0,
        Some("waiting_on_customer") => 1,
        Some("solved") => 2,
        _ => 3,
    };
    let assignee = |r: &Value| r["assignee"]["id"].as_str().map(str::to_string);
    let views: Vec<(&str, Keep)> = vec![
        (
            "unassigned",
            Box::new(move |r: &Value| stage(r) == 0 && assignee(r).is_none()),
        ),
        ("open", Box::new(move |r: &Value| stage(r) == 0)),
        ("waiting", Box::new(move |r: &Value| stage(r) == 1)),
        ("solved", Box::new(move |r: &Value| stage(r) == 2)),
        ("all", Box::new(|_: &Value| true)),
    ];
    let acme = s(&filed[0]["organisation"], "id");
    for (view, keep) in &views {
        for sort in [
            "priority",
            "-priority",
            "created",
            "-created",
            "updated",
            "-updated",
            "due",
            "-due",
        ] {
            let (key, desc) = match sort.strip_prefix('-') {
                Some(k) => (k, true),
                None => (sort, false),
            };
            let mut want: Vec<&Value> = everything.iter().filter(|r| keep(r)).collect();
            want.sort_by_key(|r| sort_key(r, key));
            if desc {
                want.reverse();
            }
            let want: Vec<String> = want.iter().map(|r| s(r, "id")).collect();
            let got: Vec<String> = pages(&app, &agent, &format!("view={view}&sort={sort}"), 3)
                .await
                .iter()
                .map(|r| s(r, "id"))
                .collect();
            assert_eq!(got, want, "view {view} sorted {sort}");
        }
    }
    // Filters, each against the reference, and together.
    let checks: Vec<(String, Keep)> = vec![
        (
            format!("organisation={acme}"),
            Box::new({
                let acme = acme.clone();
                move |r: &Value| s(&r["organisation"], "id") == acme
            }),
        ),
        ("plan=enterprise".into(), Box::new(|_: &Value| false)),
        (
            "assignee=me".into(),
            Box::new({
                let a = agent_id.clone();
                move |r: &Value| assignee(r).as_deref() == Some(a.as_str())
            }),
        ),
        (
            "assignee=none".into(),
            Box::new(move |r: &Value| assignee(r).is_none()),
        ),
        (
            format!("assignee={agent_id}"),
            Box::new({
                let a = agent_id.clone();
                move |r: &Value| assignee(r).as_deref() == Some(a.as_str())
            }),
        ),
        (
            "priority=high".into(),
            Box::new(|r: &Value| r["priority"] == "high"),
        ),
        (
            "status=waiting_on_customer".into(),
            Box::new(|r: &Value| r["status"] == "waiting_on_customer"),
        ),
        (
            "q=quokka".into(),
            Box::new(|r: &Value| s(r, "subject").contains("quokka")),
        ),
        (
            format!("q=quokka&priority=high&organisation={acme}"),
            Box::new({
                let acme = acme.clone();
                move |r: &Value| {
                    s(r, "subject").contains("quokka")
                        && r["priority"] == "high"
                        && s(&r["organisation"], "id") == acme
                }
            }),
        ),
    ];
    // Which organisation has which plan comes from the API, not from here.
    let orgs = json_of(&app, &agent, "/api/v1/organisations").await;
    let enterprise: BTreeSet<String> = orgs["organisations"]
        .as_array()
        .expect("organisations")
        .iter()
        .filter(|o| o["plan"] == "enterprise")
        .map(|o| s(o, "id"))
        .collect();
    for (query, keep) in &checks {
        let mut want: Vec<String> = everything
            .iter()
            .filter(|r| {
                if query == "plan=enterprise" {
                    enterprise.contains(&s(&r["organisation"], "id"))
                } else {
                    keep(r)
                }
            })
            .map(|r| s(r, "id"))
            .collect();
        want.sort();
        let mut got: Vec<String> = pages(&app, &agent, &format!("view=all&{query}"), 4)
            .await
            .iter()
            .map(|r| s(r, "id"))
            .collect();
        got.sort();
        assert_eq!(got, want, "filter {query}");
        if query.starts_with("q=quokka&") {
            assert_eq!(got.len(), 2, "two high Acme quokkas");
        }
    }
    // The mine view is the agent's unsolved requests.
    let mine: BTreeSet<String> = pages(&app, &agent, "view=mine", 200)
        .await
        .iter()
        .map(|r| s(r, "id"))
        .collect();
    assert!(mine.contains(&id(0)) && mine.contains(&id(3)));
    assert!(
        mine.iter()
            .all(|m| everything.iter().any(|r| s(r, "id") == *m
                && assignee(r).as_deref() == Some(agent_id.as_str())
                && stage(r) < 2))
    );
    // Bad parameters are refused with the field; customers cannot use staff filters.
    for (query, field) in [
        ("sort=size", "sort"),
        ("view=everything", "view"),
        ("plan=gold", "plan"),
        ("view=all&sort=priority&cursor=abc", "cursor"),
    ] {
        let r = app
            .api_get(&agent, &format!("/api/v1/requests?{query}"))
            .await;
        assert_eq!(r.status(), 422, "{query}");
        let v: Value = r.json().await.expect("json");
        assert_eq!(v["field"], field, "{query}");
    }
    for query in ["assignee=me", "organisation=x", "sort=created", "view=open"] {
        let r = app
            .api_get(&ada, &format!("/api/v1/requests?{query}"))
            .await;
        assert_eq!(r.status(), 403, "{query}");
        let v: Value = r.json().await.expect("json");
        assert_eq!(v["code"], "staff_only", "{query}");
    }
    // The queue page sorts by a column heading and says so.
    let agent_page = app.signed_in("agent@statusdesk.test").await;
    let html = agent_page
        .get(app.url("/agent?view=all&sort=-updated&q=quokka"))
        .text_body()
        .await;
    assert!(
        html.contains("aria-sort=\"descending\""),
        "the sorted heading is marked"
    );
    let first_quokka = pages(&app, &agent, "view=all&sort=-updated&q=quokka", 50).await;
    let pos = |id: &str| {
        html.find(&format!("/agent/requests/{id}"))
            .unwrap_or(usize::MAX)
    };
    assert!(pos(&s(&first_quokka[0], "id")) < pos(&s(&first_quokka[1], "id")));
}

async fn counts_follow_every_change(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let agent_id = user_id(&app, &agent).await;
    let check = |label: &'static str| {
        let app = &app;
        let agent = agent.clone();
        let agent_id = agent_id.clone();
        async move {
            let all = pages(app, &agent, "view=all", 200).await;
            let count = |f: &dyn Fn(&Value) -> bool| all.iter().filter(|r| f(r)).count() as i64;
            let active = |r: &Value| matches!(r["status"].as_str(), Some("new" | "open"));
            let counts = json_of(app, &agent, "/api/v1/requests/counts").await;
            assert_eq!(
                counts["unassigned"],
                count(&|r| active(r) && r["assignee"].is_null()),
                "{label}"
            );
            assert_eq!(counts["open"], count(&active), "{label}");
            assert_eq!(
                counts["waiting"],
                count(&|r| r["status"] == "waiting_on_customer"),
                "{label}"
            );
            assert_eq!(
                counts["solved"],
                count(&|r| r["status"] == "solved"),
                "{label}"
            );
            assert_eq!(
                counts["mine"],
                count(&|r| s(&r["assignee"], "id") == agent_id
                    && matches!(
                        r["status"].as_str(),
                        Some("new" | "open" | "waiting_on_customer")
                    )),
                "{label}"
            );
            counts
        }
    };
    let before = check("demo").await;
    let a = file(&app, &ada, "Counted", "high").await;
    let after = check("filed").await;
    assert_eq!(
        after["unassigned"].as_i64(),
        before["unassigned"].as_i64().map(|n| n + 1)
    );
    let path = format!("/api/v1/requests/{}", s(&a, "id"));
    patch_json(&app, &agent, &path, json!({"assignee": agent_id})).await;
    check("assigned").await;
    patch_json(
        &app,
        &agent,
        &path,
        json!({"status": "waiting_on_customer"}),
    )
    .await;
    check("waiting").await;
    post_json(
        &app,
        &ada,
        &format!("{path}/messages"),
        json!({"body": "Here is more."}),
    )
    .await;
    check("customer replied").await;
    patch_json(
        &app,
        &agent,
        &path,
        json!({"status": "solved", "assignee": null}),
    )
    .await;
    check("solved and unassigned").await;
    // The page shows the same counts in its tabs.
    let counts = check("page").await;
    let html = app
        .signed_in("agent@statusdesk.test")
        .await
        .get(app.url("/agent"))
        .text_body()
        .await;
    assert!(html.contains(&format!("data-view=\"unassigned\" aria-current=\"page\">Unassigned <span class=\"count\">{}</span>", counts["unassigned"])), "{html}");
    // Customers have no queue counts.
    assert_eq!(
        app.api_get(&ada, "/api/v1/requests/counts").await.status(),
        403
    );
}

async fn bulk_actions_follow_the_policy(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let agent_id = user_id(&app, &agent).await;
    let a = s(&file(&app, &ada, "Bulk one", "low").await, "id");
    let b = s(&file(&app, &ada, "Bulk two", "low").await, "id");
    let c = s(&file(&app, &ada, "Bulk three", "normal").await, "id");
    // Close c: closed is final, so the bulk change fails for it alone.
    for status in ["solved", "closed"] {
        let r = patch_json(
            &app,
            &agent,
            &format!("/api/v1/requests/{c}"),
            json!({"status": status}),
        )
        .await;
        assert_eq!(r.status(), 200, "{status}");
    }
    let r = post_json(
        &app,
        &agent,
        "/api/v1/requests/bulk",
        json!({"ids": [a, b, c, "no-such-request"], "assignee": agent_id, "priority": "high", "status": "open"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["updated"], json!([a, b]));
    let failed: BTreeMap<String, String> = v["failed"]
        .as_array()
        .expect("failed")
        .iter()
        .map(|f| (s(f, "id"), s(f, "code")))
        .collect();
    assert!(
        failed.get(&c).is_some_and(|code| code != "not_found"),
        "{failed:?}"
    );
    assert_eq!(
        failed.get("no-such-request").map(String::as_str),
        Some("not_found")
    );
    assert!(
        v["failed"][0]["error"]
            .as_str()
            .is_some_and(|e| !e.is_empty())
    );
    for id in [&a, &b] {
        let r = json_of(&app, &agent, &format!("/api/v1/requests/{id}")).await;
        assert_eq!(
            (r["status"].as_str(), r["priority"].as_str()),
            (Some("open"), Some("high"))
        );
        assert_eq!(s(&r["assignee"], "id"), agent_id);
        let kinds: Vec<String> = r["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| s(e, "kind"))
            .collect();
        assert!(kinds.contains(&"assigned".to_string()) && kinds.contains(&"priority".to_string()));
    }
    assert_eq!(
        json_of(&app, &agent, &format!("/api/v1/requests/{c}")).await["status"],
        "closed"
    );
    // Unassign with null.
    let v: Value = post_json(
        &app,
        &agent,
        "/api/v1/requests/bulk",
        json!({"ids": [a], "assignee": null}),
    )
    .await
    .json()
    .await
    .expect("json");
    assert_eq!(v["updated"], json!([a]));
    assert!(json_of(&app, &agent, &format!("/api/v1/requests/{a}")).await["assignee"].is_null());
    // Customers may not, even for their own requests; nothing changes.
    let r = post_json(
        &app,
        &ada,
        "/api/v1/requests/bulk",
        json!({"ids": [a], "priority": "low"}),
    )
    .await;
    assert_eq!(r.status(), 403);
    assert_eq!(
        json_of(&app, &agent, &format!("/api/v1/requests/{a}")).await["priority"],
        "high"
    );
    // Refusals with the field.
    for (body, field, code) in [
        (json!({"ids": [], "priority": "low"}), "ids", "required"),
        (json!({"ids": [a]}), "ids", "nothing_to_change"),
        (
            json!({"ids": (0..201).map(|i| format!("r{i}")).collect::<Vec<_>>(), "priority": "low"}),
            "ids",
            "too_many_items",
        ),
        (
            json!({"ids": [a], "priority": "urgent"}),
            "priority",
            "not_one_of",
        ),
        (
            json!({"ids": [a], "incident": "nope"}),
            "incident",
            "unknown_incident",
        ),
    ] {
        let r = post_json(&app, &agent, "/api/v1/requests/bulk", body).await;
        assert_eq!(r.status(), 422, "{field} {code}");
        let v: Value = r.json().await.expect("json");
        assert_eq!(
            (s(&v, "field"), s(&v, "code")),
            (field.to_string(), code.to_string())
        );
    }
    // Linking many to an incident: the customer sees "Linked to: …".
    let live = crate::harness::component_id(&app, "Live video").await;
    let inc = post_json(
        &app,
        &agent,
        "/api/v1/incidents",
        json!({"name": "Uploads stall near the end", "status": "investigating", "impact": "major", "body": "Broadcasts do not start.", "components": {live: "major_outage"}}),
    )
    .await;
    assert_eq!(inc.status(), 201);
    let incident = s(&inc.json::<Value>().await.expect("json"), "id");
    let v: Value = post_json(
        &app,
        &agent,
        "/api/v1/requests/bulk",
        json!({"ids": [a, b], "incident": incident}),
    )
    .await
    .json()
    .await
    .expect("json");
    assert_eq!(v["updated"], json!([a, b]));
    let linked: Vec<String> = pages(&app, &agent, &format!("view=all&incident={incident}"), 10)
        .await
        .iter()
        .map(|r| s(r, "id"))
        .collect();
    assert_eq!(
        linked.iter().collect::<BTreeSet<_>>(),
        [&a, &b].into_iter().collect()
    );
    let detail = json_of(&app, &ada, &format!("/api/v1/requests/{a}")).await;
    assert_eq!(detail["incidents"][0]["name"], "Uploads stall near the end");
    assert!(detail["incidents"][0]["resolved_at"].is_null());
    let customer = app.signed_in("admin@acme.test").await;
    let page = customer
        .get(app.url(&format!("/support/requests/{a}")))
        .text_body()
        .await;
    assert!(page.contains("Linked to:") && page.contains("Uploads stall near the end"));
    // When it is resolved, the customer sees that too.
    let r = post_json(
        &app,
        &agent,
        &format!("/api/v1/incidents/{incident}/updates"),
        json!({"status": "resolved", "body": "Fixed."}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let detail = json_of(&app, &ada, &format!("/api/v1/requests/{a}")).await;
    assert_eq!(detail["incidents"][0]["status"], "resolved");
    assert!(detail["incidents"][0]["resolved_at"].is_string());
    let page = customer
        .get(app.url(&format!("/support/requests/{a}")))
        .text_body()
        .await;
    assert!(page.contains("badge ok\">Resolved"), "resolved is shown");
    // The bulk form on the queue page does the same, and says how it went.
    let agent_page = app.signed_in("agent@statusdesk.test").await;
    let html = agent_page.get(app.url("/agent?view=all")).text_body().await;
    let csrf = csrf_in(&html).expect("csrf");
    let r = agent_page
        .post(app.url("/agent/bulk"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("ids", a.as_str()),
            ("ids", b.as_str()),
            ("ids", c.as_str()),
            ("priority", "low"),
            ("back", "/agent?view=all"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    assert_eq!(to, "/agent?view=all&changed=2&failed=1");
    let html = agent_page.get(app.url(&to)).text_body().await;
    assert!(
        html.contains("2 requests changed.") && html.contains("One could not take the change"),
        "{html}"
    );
    assert_eq!(
        json_of(&app, &agent, &format!("/api/v1/requests/{b}")).await["priority"],
        "low"
    );
}

async fn canned_replies_fill_placeholders_under_the_policy(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let sam = app.token("support@statusdesk.test").await;
    let kim = second_agent(&app).await;
    let req = file(&app, &ada, "Broadcast stutters", "normal").await;
    let rid = s(&req, "id");
    let number = req["number"].as_i64().expect("number");
    let r = post_json(&app, &agent, "/api/v1/macros", json!({"name": "Greeting", "body": "Hi {{requester.first_name}}, about {{ request.number }} ({{request.subject}}) at {{organisation.name}}.\n\n{{agent.name}}", "shared": false})).await;
    assert_eq!(r.status(), 201);
    let personal: Value = r.json().await.expect("json");
    assert_eq!(personal["shared"], false);
    let pid = s(&personal, "id");
    let filled = json_of(&app, &agent, &format!("/api/v1/macros/{pid}?request={rid}")).await;
    assert_eq!(
        filled["filled"],
        format!("Hi Ada, about #{number} (Broadcast stutters) at Acme.\n\nAlex Agent")
    );
    // A personal reply is the owner's alone: another agent does not see it.
    assert_eq!(
        app.api_get(&kim, &format!("/api/v1/macros/{pid}"))
            .await
            .status(),
        404
    );
    let kims: Value = json_of(&app, &kim, "/api/v1/macros").await;
    assert!(
        kims["macros"]
            .as_array()
            .expect("list")
            .iter()
            .all(|m| s(m, "id") != pid)
    );
    assert_eq!(
        patch_json(
            &app,
            &kim,
            &format!("/api/v1/macros/{pid}"),
            json!({"name": "Mine now"})
        )
        .await
        .status(),
        404
    );
    // A shared one: everyone uses it; only its owner and support admins change it.
    let shared: Value = post_json(
        &app,
        &agent,
        "/api/v1/macros",
        json!({"name": "Shared", "body": "Thanks, {{requester.name}}.", "shared": true}),
    )
    .await
    .json()
    .await
    .expect("json");
    let sid = s(&shared, "id");
    let filled = json_of(&app, &kim, &format!("/api/v1/macros/{sid}?request={rid}")).await;
    assert_eq!(filled["filled"], "Thanks, Ada Andersson.");
    let r = patch_json(
        &app,
        &kim,
        &format!("/api/v1/macros/{sid}"),
        json!({"body": "Changed by Kim"}),
    )
    .await;
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.expect("json")["code"], "owner_only");
    let r = patch_json(
        &app,
        &sam,
        &format!("/api/v1/macros/{sid}"),
        json!({"body": "Thanks, {{requester.first_name}}!"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        json_of(&app, &kim, &format!("/api/v1/macros/{sid}?request={rid}")).await["filled"],
        "Thanks, Ada!"
    );
    assert_eq!(
        delete_as(&app, &kim, &format!("/api/v1/macros/{sid}")).await,
        403
    );
    // Unknown placeholders are refused when saved, with the field.
    let r = post_json(
        &app,
        &agent,
        "/api/v1/macros",
        json!({"name": "Bad", "body": "Hi {{requester.phone}}"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.expect("json");
    assert_eq!(
        (s(&v, "field"), s(&v, "code")),
        ("body".to_string(), "unknown_placeholder".to_string())
    );
    assert!(s(&v, "error").contains("requester.phone"));
    // Customers have none.
    assert_eq!(app.api_get(&ada, "/api/v1/macros").await.status(), 403);
    // On the request page: chosen without JavaScript, it fills the reply box.
    let agent_page = app.signed_in("agent@statusdesk.test").await;
    let html = agent_page
        .get(app.url(&format!("/agent/requests/{rid}?macro={pid}")))
        .text_body()
        .await;
    assert!(
        html.contains(&format!(
            "Hi Ada, about #{number} (Broadcast stutters) at Acme."
        )),
        "prefilled"
    );
    // And the JSON the page's script inserts.
    let v = agent_page
        .get(app.url(&format!("/agent/requests/{rid}/macros/{pid}")))
        .json_body()
        .await;
    assert_eq!(v["body"], filled_text(number));
    // The owner deletes theirs.
    assert_eq!(
        delete_as(&app, &agent, &format!("/api/v1/macros/{pid}")).await,
        204
    );
    assert_eq!(
        app.api_get(&agent, &format!("/api/v1/macros/{pid}"))
            .await
            .status(),
        404
    );
}

fn filled_text(number: i64) -> String {
    format!("Hi Ada, about #{number} (Broadcast stutters) at Acme.\n\nAlex Agent")
}

async fn ratings_by_form_post_once_solved(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await;
    let greta = app.token("admin@globex.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let rid = s(&file(&app, &ada, "Rate me", "normal").await, "id");
    let rate = |token: String, body: Value| {
        let app = &app;
        let rid = rid.clone();
        async move { post_json(app, &token, &format!("/api/v1/requests/{rid}/rating"), body).await }
    };
    // Not before it is solved.
    let r = rate(ada.clone(), json!({"good": true})).await;
    assert_eq!(r.status(), 409);
    assert_eq!(r.json::<Value>().await.expect("json")["code"], "not_solved");
    post_json(
        &app,
        &agent,
        &format!("/api/v1/requests/{rid}/messages"),
        json!({"body": "Fixed it.", "status": "solved"}),
    )
    .await;
    // Another organisation cannot find it; staff do not rate.
    assert_eq!(
        rate(greta.clone(), json!({"good": false})).await.status(),
        404
    );
    assert_eq!(
        rate(agent.clone(), json!({"good": true})).await.status(),
        403
    );
    // The customer's page offers the rating as a form; a GET of its address
    // changes nothing (e-mail scanners follow links).
    let customer = app.signed_in("admin@acme.test").await;
    let html = customer
        .get(app.url(&format!("/support/requests/{rid}")))
        .text_body()
        .await;
    assert!(html.contains("How did we do?"));
    assert!(html.contains(&format!("action=\"/support/requests/{rid}/rate\"")));
    let r = customer
        .get(app.url(&format!("/support/requests/{rid}/rate?good=0")))
        .send()
        .await
        .expect("get");
    assert_ne!(r.status(), 200);
    assert!(json_of(&app, &ada, &format!("/api/v1/requests/{rid}")).await["rating"].is_null());
    let csrf = csrf_in(&html).expect("csrf");
    let r = customer
        .post(app.url(&format!("/support/requests/{rid}/rate")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("good", "0"),
            ("comment", "Took a while."),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let detail = json_of(&app, &agent, &format!("/api/v1/requests/{rid}")).await;
    assert_eq!(detail["rating"]["good"], false);
    assert_eq!(detail["rating"]["comment"], "Took a while.");
    assert_eq!(detail["rating"]["rated_by"], "Ada Andersson");
    // Rating again replaces it; agents see it on the page.
    assert_eq!(
        rate(ada.clone(), json!({"good": true, "comment": "Sorted now."}))
            .await
            .status(),
        200
    );
    let detail = json_of(&app, &agent, &format!("/api/v1/requests/{rid}")).await;
    assert_eq!(
        (
            detail["rating"]["good"].as_bool(),
            s(&detail["rating"], "comment")
        ),
        (Some(true), "Sorted now.".to_string())
    );
    let page = app
        .signed_in("agent@statusdesk.test")
        .await
        .get(app.url(&format!("/agent/requests/{rid}")))
        .text_body()
        .await;
    assert!(page.contains("Sorted now."));
    // Without a choice the form is refused, and nothing changes.
    let r = customer
        .post(app.url(&format!("/support/requests/{rid}/rate")))
        .form(&[("csrf", csrf.as_str()), ("comment", "No choice")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    assert_eq!(
        json_of(&app, &agent, &format!("/api/v1/requests/{rid}")).await["rating"]["comment"],
        "Sorted now."
    );
}

async fn reply_and_set_status_in_one_action(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let rid = s(&file(&app, &ada, "One action", "normal").await, "id");
    let r = post_json(
        &app,
        &agent,
        &format!("/api/v1/requests/{rid}/messages"),
        json!({"body": "Can you send a screenshot?", "status": "waiting_on_customer"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["status"], "waiting_on_customer");
    let status_events: Vec<&Value> = v["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "status")
        .collect();
    assert_eq!(
        status_events.len(),
        1,
        "one status change, from new straight to waiting"
    );
    assert_eq!(
        (
            s(&status_events[0]["detail"], "from"),
            s(&status_events[0]["detail"], "to")
        ),
        ("new".into(), "waiting_on_customer".into())
    );
    // A customer may not set waiting; nothing is posted then.
    let r = post_json(
        &app,
        &ada,
        &format!("/api/v1/requests/{rid}/messages"),
        json!({"body": "Here.", "status": "waiting_on_customer"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let v = json_of(&app, &ada, &format!("/api/v1/requests/{rid}")).await;
    assert_eq!(v["messages"].as_array().map(Vec::len), Some(1));
    // From the page: "Send and solve".
    let agent_page = app.signed_in("agent@statusdesk.test").await;
    let html = agent_page
        .get(app.url(&format!("/agent/requests/{rid}")))
        .text_body()
        .await;
    assert!(html.contains("Send and set to waiting") && html.contains("Send and solve"));
    let csrf = csrf_in(&html).expect("csrf");
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("body", "Solved with the new setting.")
        .text("then", "solved");
    let r = agent_page
        .post(app.url(&format!("/agent/requests/{rid}/reply")))
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let v = json_of(&app, &agent, &format!("/api/v1/requests/{rid}")).await;
    assert_eq!(v["status"], "solved");
    assert_eq!(v["messages"].as_array().map(Vec::len), Some(2));
}

async fn saved_views_are_each_agents_own(db: Db) {
    let app = TestApp::spawn(db).await;
    let agent_page = app.signed_in("agent@statusdesk.test").await;
    let html = agent_page
        .get(app.url("/agent?view=open&priority=high&sort=-updated"))
        .text_body()
        .await;
    let csrf = csrf_in(&html).expect("csrf");
    let query = "/agent?view=open&priority=high&sort=-updated";
    let r = agent_page
        .post(app.url("/agent/views"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Urgent, newest"),
            ("query", query),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let html = agent_page.get(app.url("/agent")).text_body().await;
    assert!(html.contains("Urgent, newest"));
    assert!(
        html.contains("href=\"/agent?view=open&#38;priority=high&#38;sort=-updated\""),
        "the saved view links to its query"
    );
    // Opening it marks it current.
    let html = agent_page.get(app.url(query)).text_body().await;
    assert!(html.contains("aria-current=\"page\">Urgent, newest"));
    // A view pointing away from the queue is kept on the queue.
    let r = agent_page
        .post(app.url("/agent/views"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Away"),
            ("query", "https://evil.test/"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.headers()["location"], "/agent?done=view-saved");
    // Another agent does not see them, and cannot delete them.
    let _ = second_agent(&app).await;
    let kim = app.signed_in("kim@statusdesk.test").await;
    let html = kim.get(app.url("/agent")).text_body().await;
    assert!(!html.contains("Urgent, newest"));
    let mine = app
        .signed_in("agent@statusdesk.test")
        .await
        .get(app.url("/agent"))
        .text_body()
        .await;
    let id_start = mine.find("/agent/views/").expect("delete form") + "/agent/views/".len();
    let id: String = mine[id_start..].chars().take_while(|c| *c != '/').collect();
    let kim_csrf = csrf_in(&html).expect("csrf");
    let r = kim
        .post(app.url(&format!("/agent/views/{id}/delete")))
        .form(&[("csrf", kim_csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 404);
    let r = agent_page
        .post(app.url(&format!("/agent/views/{id}/delete")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let html = agent_page.get(app.url("/agent")).text_body().await;
    assert_eq!(
        html.matches("class=\"saved-view\"").count(),
        1,
        "one left (Away)"
    );
}

on_both!(
    requests_are_numbered_and_found_by_number,
    numbers_stay_unique_under_concurrency,
    queue_search_filters_and_orders_agree_with_a_reference,
    counts_follow_every_change,
    bulk_actions_follow_the_policy,
    canned_replies_fill_placeholders_under_the_policy,
    ratings_by_form_post_once_solved,
    reply_and_set_status_in_one_action,
    saved_views_are_each_agents_own,
);

/// Response targets on a controlled clock: due in business time, paused
/// while waiting on the customer, resumed on their reply, overdue in the
/// breach view, met by a public answer, then the next response target
/// across the evening.
async fn response_targets_pause_resume_and_breach(db: Db) {
    let app = TestApp::spawn_with(
        db,
        Options {
            manual_clock: true,
            ..Options::default()
        },
    )
    .await;
    let minute = 60_000;
    let ada = app.token("admin@acme.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let sam = app.token("support@statusdesk.test").await;
    let settings = json!({
        "targets": [
            {"plan": "enterprise", "priority": "high", "first_response_minutes": 60, "next_response_minutes": 120},
            {"plan": "advanced", "priority": "high", "first_response_minutes": 120, "next_response_minutes": null}
        ],
        "business_hours": {"time_zone": "Europe/Stockholm", "days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "17:00"}
    });
    // Only support admins set them; bad input names its field.
    assert_eq!(
        put_json(&app, &agent, "/api/v1/response-targets", settings.clone())
            .await
            .status(),
        403
    );
    for (body, field) in [
        (
            json!({"targets": [], "business_hours": {"time_zone": "Mars/Olympus", "days": ["mon"], "start": "08:00", "end": "17:00"}}),
            "time_zone",
        ),
        (
            json!({"targets": [], "business_hours": {"time_zone": "UTC", "days": ["mon"], "start": "8 o'clock", "end": "17:00"}}),
            "start",
        ),
        (
            json!({"targets": [{"plan": "core", "priority": "high", "first_response_minutes": 5}]}),
            "plan",
        ),
        (
            json!({"targets": [{"plan": "advanced", "priority": "high", "first_response_minutes": 0}]}),
            "first_response_minutes",
        ),
    ] {
        let r = put_json(&app, &sam, "/api/v1/response-targets", body).await;
        assert_eq!(r.status(), 422, "{field}");
        assert_eq!(r.json::<Value>().await.expect("json")["field"], field);
    }
    let r = put_json(&app, &sam, "/api/v1/response-targets", settings).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["business_hours"]["time_zone"], "Europe/Stockholm");
    assert_eq!(v["targets"].as_array().map(Vec::len), Some(2));
    let read = json_of(&app, &agent, "/api/v1/response-targets").await;
    assert_eq!(read["targets"], v["targets"]);
    // The settings page shows them and saves its form; agents only read
    // targets through the API.
    let sam_page = app.signed_in("support@statusdesk.test").await;
    let html = sam_page.get(app.url("/staff/targets")).text_body().await;
    assert!(html.contains("name=\"first-enterprise-high\" value=\"60\""));
    assert!(html.contains("value=\"Europe/Stockholm\""));
    let csrf = csrf_in(&html).expect("csrf");
    let bad = sam_page
        .post(app.url("/staff/targets"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("first-enterprise-high", "soon"),
            ("time_zone", "Europe/Stockholm"),
            ("days", "mon"),
            ("start", "08:00"),
            ("end", "17:00"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(bad.status(), 422);
    assert!(
        bad.text()
            .await
            .expect("text")
            .contains("is not a number of minutes")
    );
    let agent_page = app.signed_in("agent@statusdesk.test").await;
    assert_eq!(
        agent_page
            .get(app.url("/staff/targets"))
            .send()
            .await
            .expect("get")
            .status(),
        403
    );

    // Monday 14 Sep 2026, 11:30 in Stockholm (09:30 UTC): due at 12:30.
    let rid = s(&file(&app, &ada, "Broadcasts drop", "high").await, "id");
    let path = format!("/api/v1/requests/{rid}");
    let staff_view = json_of(&app, &agent, &path).await;
    assert_eq!(staff_view["response_target"]["kind"], "first_response");
    assert_eq!(staff_view["due_at"], "2026-09-14T10:30:00.000Z");
    let customer_view = json_of(&app, &ada, &path).await;
    assert!(
        customer_view.get("due_at").is_none() && customer_view.get("response_target").is_none(),
        "targets are internal"
    );
    let page = app
        .signed_in("admin@acme.test")
        .await
        .get(app.url(&format!("/support/requests/{rid}")))
        .text_body()
        .await;
    assert!(
        page.contains("Support usually answers High requests within 1 h"),
        "what happens next"
    );

    // 20 minutes on, support waits on the customer: paused, 40 minutes left.
    app.clock.advance(20 * minute);
    assert_eq!(
        patch_json(
            &app,
            &agent,
            &path,
            json!({"status": "waiting_on_customer"})
        )
        .await
        .status(),
        200
    );
    let v = json_of(&app, &agent, &path).await;
    assert_eq!(v["response_target"]["paused"], true);
    assert!(v.get("due_at").is_none());
    let page = app
        .signed_in("admin@acme.test")
        .await
        .get(app.url(&format!("/support/requests/{rid}")))
        .text_body()
        .await;
    assert!(page.contains("Support is waiting for your reply"));
    // Three hours later the customer answers: 40 minutes from now.
    app.clock.advance(180 * minute);
    assert_eq!(
        post_json(
            &app,
            &ada,
            &format!("{path}/messages"),
            json!({"body": "Here it is."})
        )
        .await
        .status(),
        201
    );
    let v = json_of(&app, &agent, &path).await;
    assert_eq!(v["response_target"]["paused"], false);
    assert_eq!(v["due_at"], "2026-09-14T13:30:00.000Z");
    async fn overdue(app: &TestApp, agent: String) -> Vec<String> {
        pages(app, &agent, "view=overdue", 50)
            .await
            .iter()
            .map(|r| s(r, "id"))
            .collect()
    }
    assert!(!overdue(&app, agent.clone()).await.contains(&rid));
    // 50 minutes later it is overdue: in the breach view and its count.
    app.clock.advance(50 * minute);
    assert!(overdue(&app, agent.clone()).await.contains(&rid));
    let counts = json_of(&app, &agent, "/api/v1/requests/counts").await;
    assert!(counts["overdue"].as_i64().unwrap_or(0) >= 1);
    let queue = app
        .signed_in("agent@statusdesk.test")
        .await
        .get(app.url("/agent?view=overdue"))
        .text_body()
        .await;
    assert!(queue.contains("overdue by 10 min"), "the queue shows it");
    // A public answer meets it (late); nothing runs.
    post_json(
        &app,
        &agent,
        &format!("{path}/messages"),
        json!({"body": "Fixed on our side."}),
    )
    .await;
    let v = json_of(&app, &agent, &path).await;
    assert!(v.get("response_target").is_none() && v.get("due_at").is_none());
    assert!(!overdue(&app, agent.clone()).await.contains(&rid));
    // An internal note does not start anything either.
    post_json(
        &app,
        &agent,
        &format!("{path}/messages"),
        json!({"body": "Note.", "internal": true}),
    )
    .await;
    assert!(json_of(&app, &agent, &path).await.get("due_at").is_none());
    // The customer writes again at 15:40: the next response target, 120
    // business minutes: 80 today until 17:00, 40 on Tuesday from 08:00.
    post_json(
        &app,
        &ada,
        &format!("{path}/messages"),
        json!({"body": "One more thing."}),
    )
    .await;
    let v = json_of(&app, &agent, &path).await;
    assert_eq!(v["response_target"]["kind"], "next_response");
    assert_eq!(v["due_at"], "2026-09-15T06:40:00.000Z");
    let page = app
        .signed_in("agent@statusdesk.test")
        .await
        .get(app.url(&format!("/agent/requests/{rid}")))
        .text_body()
        .await;
    assert!(
        page.contains("Next response due in"),
        "the agent sees time left"
    );
    // Solving ends it.
    patch_json(&app, &agent, &path, json!({"status": "solved"})).await;
    assert!(
        json_of(&app, &agent, &path)
            .await
            .get("response_target")
            .is_none()
    );
    // An Advanced request without a next response target gets none after
    // the first answer; a Normal one without targets gets none at all.
    let greta = app.token("admin@globex.test").await;
    let normal = s(&file(&app, &greta, "No target here", "normal").await, "id");
    assert!(
        json_of(&app, &agent, &format!("/api/v1/requests/{normal}"))
            .await
            .get("response_target")
            .is_none()
    );
    let page = app
        .signed_in("admin@globex.test")
        .await
        .get(app.url(&format!("/support/requests/{normal}")))
        .text_body()
        .await;
    assert!(
        !page.contains("usually answers"),
        "nothing is promised without a target"
    );
}

on_both!(response_targets_pause_resume_and_breach);

/// The support report against a set worked out by hand, on a controlled
/// clock, in JSON, CSV and on the page.
async fn support_report_matches_a_hand_computed_set(db: Db) {
    let app = TestApp::spawn_with(
        db,
        Options {
            manual_clock: true,
            ..Options::default()
        },
    )
    .await;
    let minute = 60_000;
    // Ten days after the demo's requests: Thursday 24 Sep 2026, 09:30 UTC.
    app.clock.advance(10 * 24 * 60 * minute);
    let ada = app.token("admin@acme.test").await;
    let greta = app.token("admin@globex.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let sam = app.token("support@statusdesk.test").await;
    let video = crate::harness::component_id(&app, "Live video").await;
    let r = post_json(
        &app,
        &ada,
        "/api/v1/requests",
        json!({"subject": "Report A", "description": "A.", "priority": "high", "component": video}),
    )
    .await;
    let a: Value = r.json().await.expect("json");
    let b = file(&app, &ada, "Report B", "normal").await;
    let c = file(&app, &greta, "Report C", "low").await;
    // Each answer comes `after` minutes after the one before.
    let answer = |id: String, after: i64, status: Option<&'static str>| {
        let app = &app;
        let agent = agent.clone();
        async move {
            app.clock.advance(after * minute);
            let mut body = json!({"body": "Answered."});
            if let Some(s) = status {
                body["status"] = json!(s);
            }
            let r = post_json(
                app,
                &agent,
                &format!("/api/v1/requests/{id}/messages"),
                body,
            )
            .await;
            assert_eq!(r.status(), 201);
        }
    };
    // At 10, 30 and 90 minutes the first answers; at 120 and 240 solved.
    answer(s(&a, "id"), 10, None).await;
    answer(s(&b, "id"), 20, None).await;
    answer(s(&c, "id"), 60, None).await;
    answer(s(&a, "id"), 30, Some("solved")).await;
    answer(s(&b, "id"), 120, Some("solved")).await;
    for (id, good, comment) in [(s(&a, "id"), true, "Quick!"), (s(&b, "id"), false, "")] {
        let r = post_json(
            &app,
            &ada,
            &format!("/api/v1/requests/{id}/rating"),
            json!({"good": good, "comment": comment}),
        )
        .await;
        assert_eq!(r.status(), 200);
    }
    let path = "/api/v1/reports/support?from=2026-09-24&to=2026-09-24";
    assert_eq!(
        app.api_get(&agent, path).await.status(),
        403,
        "support admins only"
    );
    let v = json_of(&app, &sam, path).await;
    assert_eq!(v["from"], "2026-09-24T00:00:00.000Z");
    assert_eq!(v["to"], "2026-09-25T00:00:00.000Z");
    assert_eq!(
        (v["created"].as_i64(), v["solved"].as_i64()),
        (Some(3), Some(2))
    );
    let counts = |key: &str| -> BTreeMap<String, i64> {
        v[key]
            .as_array()
            .expect(key)
            .iter()
            .map(|c| {
                (
                    c["key"].as_str().unwrap_or("(none)").to_string(),
                    c["count"].as_i64().unwrap_or(0),
                )
            })
            .collect()
    };
    assert_eq!(
        counts("by_status"),
        BTreeMap::from([("solved".into(), 2), ("open".into(), 1)])
    );
    assert_eq!(
        counts("by_priority"),
        BTreeMap::from([("high".into(), 1), ("normal".into(), 1), ("low".into(), 1)])
    );
    assert_eq!(
        counts("by_feature"),
        BTreeMap::from([("Live video".into(), 1), ("(none)".into(), 2)])
    );
    assert_eq!(v["by_feature"][0]["count"], 2, "most first");
    let orgs: Vec<(String, String, i64)> = v["by_organisation"]
        .as_array()
        .expect("orgs")
        .iter()
        .map(|o| {
            (
                s(o, "organisation"),
                s(o, "plan"),
                o["count"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        orgs,
        vec![
            ("Acme".into(), "enterprise".into(), 2),
            ("Globex".into(), "advanced".into(), 1)
        ]
    );
    assert_eq!(
        v["weeks"],
        json!([{"week": "2026-09-21", "created": 3, "solved": 2}])
    );
    // First answers after 10, 30 and 90 minutes; solved after 120 and 240.
    assert_eq!(
        v["first_response"],
        json!({"count": 3, "median_minutes": 30.0, "p90_minutes": 90.0})
    );
    assert_eq!(
        v["resolution"],
        json!({"count": 2, "median_minutes": 180.0, "p90_minutes": 240.0})
    );
    assert_eq!(
        (v["ratings"]["good"].as_i64(), v["ratings"]["bad"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(v["ratings"]["comments"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["ratings"]["comments"][0]["comment"], "Quick!");
    assert_eq!(v["targets_missed"], 0);
    // The day before holds none of them.
    let before = json_of(
        &app,
        &sam,
        "/api/v1/reports/support?from=2026-09-23&to=2026-09-23",
    )
    .await;
    assert_eq!(before["created"], 0);
    // CSV, with the same numbers.
    let csv = app.api_get(&sam, &format!("{path}&format=csv")).await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.expect("csv");
    assert!(text.starts_with("section,key,value,extra\n"));
    for line in [
        "total,created,3,",
        "first_response,median_minutes,30.0,",
        "resolution,p90_minutes,240.0,",
        "organisation,Acme,2,enterprise",
        "week,2026-09-21,3,2",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in {text}");
    }
    assert!(text.contains(&format!("rating,#{},good,Quick!", a["number"])));
    // Bad periods are refused with the field.
    for (query, field) in [
        ("from=yesterday", "from"),
        ("from=2026-09-25&to=2026-09-24", "to"),
        ("from=2024-01-01&to=2026-09-24", "from"),
    ] {
        let r = app
            .api_get(&sam, &format!("/api/v1/reports/support?{query}"))
            .await;
        assert_eq!(r.status(), 422, "{query}");
        assert_eq!(
            r.json::<Value>().await.expect("json")["field"],
            field,
            "{query}"
        );
    }
    // The page shows the same.
    let html = app
        .signed_in("support@statusdesk.test")
        .await
        .get(app.url("/staff/reports?from=2026-09-24&to=2026-09-24"))
        .text_body()
        .await;
    assert!(
        html.contains("<p class=\"stat-value\" id=\"r-created\">3</p>")
            && html.contains("<p class=\"stat-value\" id=\"r-solved\">2</p>"),
        "{html}"
    );
    assert!(html.contains("Quick!"));
}

on_both!(support_report_matches_a_hand_computed_set);

/// Customer admins manage their own organisation's people: invite (the
/// link sets a password), make admin, remove (who then cannot sign in);
/// another organisation's user is a 404; the last admin stays.
async fn people_management_within_the_own_organisation(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await;
    let greta = app.token("admin@globex.test").await;
    let maja = app.token("member@acme.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let people = json_of(&app, &ada, "/api/v1/org/people").await;
    let list = people["people"].as_array().expect("people");
    let admins: BTreeSet<String> = list
        .iter()
        .filter(|p| p["admin"] == true)
        .map(|p| s(p, "email"))
        .collect();
    assert_eq!(
        admins,
        BTreeSet::from(["admin@acme.test".to_string(), "ops@acme.test".to_string()])
    );
    assert!(
        list.iter()
            .any(|p| p["email"] == "member@acme.test" && p["role"] == "member")
    );
    assert!(
        list.iter()
            .all(|p| !s(p, "email").ends_with("@globex.test"))
    );
    // Members and staff do not manage people.
    let r = app.api_get(&maja, "/api/v1/org/people").await;
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<Value>().await.expect("json")["code"],
        "admins_only"
    );
    assert_eq!(
        app.api_get(&agent, "/api/v1/org/people").await.status(),
        403
    );
    // Another organisation's people do not exist for Ada.
    let globex = json_of(&app, &greta, "/api/v1/org/people").await;
    let greta_id = s(&globex["people"][0], "id");
    assert_eq!(
        patch_json(
            &app,
            &ada,
            &format!("/api/v1/org/people/{greta_id}"),
            json!({"role": "member"})
        )
        .await
        .status(),
        404
    );
    assert_eq!(
        delete_as(&app, &ada, &format!("/api/v1/org/people/{greta_id}")).await,
        404
    );
    assert_eq!(
        json_of(&app, &greta, "/api/v1/org/people").await["people"][0]["role"],
        "admin"
    );
    // Invite: the account exists, and the e-mailed link sets its password.
    let r = post_json(
        &app,
        &ada,
        "/api/v1/org/people",
        json!({"name": "Nils Ny", "email": "nils@acme.test"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let nils: Value = r.json().await.expect("json");
    assert_eq!(nils["role"], "member");
    let mail = app
        .store
        .recent_outbox(20)
        .await
        .expect("outbox")
        .into_iter()
        .find(|m| m.target == "nils@acme.test")
        .expect("an invitation e-mail");
    assert!(
        mail.payload
            .contains("Ada Andersson has invited you to Acme"),
        "{}",
        mail.payload
    );
    let start =
        mail.payload.find("/password/reset?token=").expect("link") + "/password/reset?token=".len();
    let token: String = mail.payload[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let c = crate::harness::client();
    let html = c
        .get(app.url(&format!("/password/reset?token={token}")))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("text");
    let csrf = csrf_in(&html).expect("csrf");
    let r = c
        .post(app.url("/password/reset"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("token", token.as_str()),
            ("password", "nils chooses a long one"),
            ("confirm", "nils chooses a long one"),
        ])
        .send()
        .await
        .expect("post");
    assert!(
        r.status().is_redirection() || r.status().is_success(),
        "{}",
        r.status()
    );
    let signed = crate::harness::client();
    assert_eq!(
        app.sign_in_with(&signed, "nils@acme.test", "nils chooses a long one")
            .await
            .status(),
        303
    );
    // The address is taken now; bad roles and addresses are refused.
    let r = post_json(
        &app,
        &ada,
        "/api/v1/org/people",
        json!({"name": "Nils Again", "email": "NILS@acme.test"}),
    )
    .await;
    assert_eq!(r.status(), 409);
    for (body, field) in [
        (
            json!({"name": "X", "email": "x@acme.test", "role": "agent"}),
            "role",
        ),
        (json!({"name": "X", "email": "not-an-address"}), "email"),
    ] {
        let r = post_json(&app, &ada, "/api/v1/org/people", body).await;
        assert_eq!(r.status(), 422);
        assert_eq!(r.json::<Value>().await.expect("json")["field"], field);
    }
    // Make admin, then remove: Nils can no longer sign in, and his token stops.
    let nid = s(&nils, "id");
    let v: Value = patch_json(
        &app,
        &ada,
        &format!("/api/v1/org/people/{nid}"),
        json!({"role": "admin"}),
    )
    .await
    .json()
    .await
    .expect("json");
    assert_eq!(v["admin"], true);
    let nils_token = app
        .token_with("nils@acme.test", "nils chooses a long one")
        .await;
    assert_eq!(
        app.api_get(&nils_token, "/api/v1/org/people")
            .await
            .status(),
        200
    );
    assert_eq!(
        delete_as(&app, &ada, &format!("/api/v1/org/people/{nid}")).await,
        204
    );
    assert_eq!(
        app.api_get(&nils_token, "/api/v1/org/people")
            .await
            .status(),
        401
    );
    assert_ne!(
        app.sign_in_with(
            &crate::harness::client(),
            "nils@acme.test",
            "nils chooses a long one"
        )
        .await
        .status(),
        303
    );
    let now: Vec<String> = json_of(&app, &ada, "/api/v1/org/people").await["people"]
        .as_array()
        .expect("people")
        .iter()
        .map(|p| s(p, "email"))
        .collect();
    assert!(!now.contains(&"nils@acme.test".to_string()));
    // Inviting him again brings the account back.
    let r = post_json(
        &app,
        &ada,
        "/api/v1/org/people",
        json!({"name": "Nils Ny", "email": "nils@acme.test", "role": "member"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    assert_eq!(s(&r.json::<Value>().await.expect("json"), "id"), nid);
    // Nobody removes themselves, and the last admin stays one.
    let ada_id = user_id(&app, &ada).await;
    assert_eq!(
        delete_as(&app, &ada, &format!("/api/v1/org/people/{ada_id}")).await,
        409
    );
    let r = patch_json(
        &app,
        &greta,
        &format!("/api/v1/org/people/{greta_id}"),
        json!({"role": "member"}),
    )
    .await;
    assert_eq!(r.status(), 409);
    assert_eq!(r.json::<Value>().await.expect("json")["code"], "last_admin");
    // The admin panel's forms do the same.
    let panel = app.signed_in("admin@acme.test").await;
    let html = panel.get(app.url("/admin")).text_body().await;
    assert!(html.contains("Make admin") && html.contains("Invite"));
    let csrf = csrf_in(&html).expect("csrf");
    let r = panel
        .post(app.url("/admin/people"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Olga Ort"),
            ("email", "olga@acme.test"),
            ("role", "member"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let r = panel
        .post(app.url("/admin/people"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Olga Ort"),
            ("email", "olga@acme.test"),
            ("role", "member"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 409);
    assert!(r.text().await.expect("text").contains("role=\"alert\""));
}

/// CC: an admin adds another admin of the organisation to a request; they
/// follow it. Members and Core admins are told whom to ask and what the
/// other plans include.
async fn cc_and_the_way_to_support_for_everyone_else(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await;
    let olle = user_id(&app, &app.token("ops@acme.test").await).await;
    let greta = user_id(&app, &app.token("admin@globex.test").await).await;
    let rid = s(&file(&app, &ada, "CC me", "low").await, "id");
    let page = app.signed_in("admin@acme.test").await;
    let html = page
        .get(app.url(&format!("/support/requests/{rid}")))
        .text_body()
        .await;
    assert!(html.contains(&format!("<option value=\"{olle}\">Olle Ops</option>")));
    let csrf = csrf_in(&html).expect("csrf");
    // Not someone of another organisation.
    let r = page
        .post(app.url(&format!("/support/requests/{rid}/cc")))
        .form(&[("csrf", csrf.as_str()), ("user", greta.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    let r = page
        .post(app.url(&format!("/support/requests/{rid}/cc")))
        .form(&[("csrf", csrf.as_str()), ("user", olle.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let html = page
        .get(app.url(&format!("/support/requests/{rid}")))
        .text_body()
        .await;
    assert!(html.contains("Followed by") && html.contains("Olle Ops"));
    assert!(
        !html.contains(&format!("<option value=\"{olle}\">")),
        "no longer offered"
    );
    // A member is told who the admins are.
    let maja = app.signed_in("member@acme.test").await;
    let html = maja.get(app.url("/support")).text_body().await;
    assert!(
        html.contains("Your organisation&#39;s admins: Ada Andersson, Olle Ops")
            || html.contains("Your organisation's admins: Ada Andersson, Olle Ops"),
        "{html}"
    );
    let home = maja.get(app.url("/")).text_body().await;
    assert!(home.contains("Ada Andersson, Olle Ops"));
    // A Core admin sees what Advanced and Enterprise include, and the home
    // card does not promise support.
    let core = app.signed_in("admin@initech.test").await;
    let html = core.get(app.url("/support")).text_body().await;
    assert!(html.contains("What Advanced and Enterprise include"));
    let home = core.get(app.url("/")).text_body().await;
    assert!(
        !home.contains("reach support"),
        "the Core home card promises no support"
    );
}

on_both!(
    people_management_within_the_own_organisation,
    cc_and_the_way_to_support_for_everyone_else
);

/// Two agents on one request: each page says who else has it open, and
/// who is typing; the notice goes when the other leaves.
async fn agents_see_each_other_on_a_request(db: Db) {
    let app = TestApp::spawn_with(
        db,
        Options {
            manual_clock: true,
            ..Options::default()
        },
    )
    .await;
    let ada = app.token("admin@acme.test").await;
    let _ = second_agent(&app).await;
    let rid = s(&file(&app, &ada, "Two agents", "normal").await, "id");
    let alex = app.signed_in("agent@statusdesk.test").await;
    let kim = app.signed_in("kim@statusdesk.test").await;
    let page = format!("/agent/requests/{rid}");
    let html = alex.get(app.url(&page)).text_body().await;
    assert!(
        html.contains("id=\"collision\" role=\"status\"") && html.contains("hidden>"),
        "alone: no notice"
    );
    let html = kim.get(app.url(&page)).text_body().await;
    assert!(html.contains("Alex Agent also has this request open."));
    // Kim types: Alex's page hears it on its next beat.
    let csrf = csrf_in(&html).expect("csrf");
    let r = kim
        .post(app.url(&format!("{page}/presence")))
        .header("x-csrf-token", &csrf)
        .json(&json!({"typing": true}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["others"][0]["name"], "Alex Agent");
    let alex_csrf = csrf_in(&alex.get(app.url(&page)).text_body().await).expect("csrf");
    let v: Value = alex
        .post(app.url(&format!("{page}/presence")))
        .header("x-csrf-token", &alex_csrf)
        .json(&json!({"typing": false}))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(
        v["notice"],
        "Kim Kollega is typing a reply to this request right now."
    );
    assert_eq!(v["others"][0]["typing"], true);
    // Without the form token the beat is refused.
    let r = alex
        .post(app.url(&format!("{page}/presence")))
        .json(&json!({"typing": false}))
        .send()
        .await
        .expect("post");
    assert_ne!(r.status(), 200);
    // Half a minute without a beat from Kim: gone.
    app.clock.advance(31_000);
    let v: Value = alex
        .post(app.url(&format!("{page}/presence")))
        .header("x-csrf-token", &alex_csrf)
        .json(&json!({}))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(v["others"], json!([]));
    assert!(v["notice"].is_null());
    // Customers have no presence.
    let ada_page = app.signed_in("admin@acme.test").await;
    let r = ada_page
        .post(app.url(&format!("{page}/presence")))
        .header("x-csrf-token", "x")
        .json(&json!({}))
        .send()
        .await
        .expect("post");
    assert_ne!(r.status(), 200);
}

on_both!(agents_see_each_other_on_a_request);

/// The id of a demo organisation by name (as support staff).
async fn org_id(app: &TestApp, token: &str, name: &str) -> String {
    let v = json_of(app, token, "/api/v1/organisations").await;
    v["organisations"]
        .as_array()
        .and_then(|a| a.iter().find(|o| o["name"] == name))
        .map(|o| s(o, "id"))
        .unwrap_or_else(|| panic!("no organisation {name}"))
}

/// The due time of a High request filed now by `token`'s organisation.
async fn due_of_new(app: &TestApp, filer: &str, agent: &str) -> String {
    let id = s(&file(app, filer, "When is this due?", "high").await, "id");
    let v = json_of(app, agent, &format!("/api/v1/requests/{id}")).await;
    s(&v, "due_at")
}

/// Support teams: each its own business hours, in which the targets of its
/// organisations' requests count; changes reach every instance; the queue
/// filters by team; only support admins manage them.
async fn support_teams_count_targets_in_their_own_hours(db: Db) {
    let app = TestApp::spawn_with(
        db,
        Options {
            manual_clock: true,
            ..Options::default()
        },
    )
    .await;
    let sam = app.token("support@statusdesk.test").await;
    let agent = app.token("agent@statusdesk.test").await;
    let ada = app.token("admin@acme.test").await;
    let gina = app.token("admin@globex.test").await;
    let settings = json!({
        "targets": [
            {"plan": "enterprise", "priority": "high", "first_response_minutes": 60},
            {"plan": "advanced", "priority": "high", "first_response_minutes": 60}
        ],
        "business_hours": {"time_zone": "Europe/Stockholm", "days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "17:00"}
    });
    assert_eq!(
        put_json(&app, &sam, "/api/v1/response-targets", settings)
            .await
            .status(),
        200
    );
    let agent_id = user_id(&app, &agent).await;
    let ada_id = user_id(&app, &ada).await;
    let americas = json!({
        "name": "Americas",
        "business_hours": {"time_zone": "America/New_York", "days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"},
        "members": [agent_id]
    });
    // Only support admins make teams; customers do not see them.
    assert_eq!(
        post_json(&app, &agent, "/api/v1/support-teams", americas.clone())
            .await
            .status(),
        403
    );
    assert_eq!(
        app.api_get(&ada, "/api/v1/support-teams").await.status(),
        403
    );
    let r = post_json(&app, &sam, "/api/v1/support-teams", americas.clone()).await;
    assert_eq!(r.status(), 201);
    let team: Value = r.json().await.expect("json");
    let team_id = s(&team, "id");
    assert_eq!(team["name"], "Americas");
    assert_eq!(team["business_hours"]["time_zone"], "America/New_York");
    assert_eq!(team["business_hours"]["start"], "09:00");
    assert_eq!(team["members"][0]["id"], agent_id.as_str());
    assert_eq!(team["members"][0]["name"], "Alex Agent");
    assert_eq!(team["organisations"], 0);
    // Bad input names its field; a second "americas" is a conflict.
    for (body, status, field) in [
        (json!({"name": "americas"}), 409, "name"),
        (json!({"name": ""}), 422, "name"),
        (
            json!({"name": "Mars", "business_hours": {"time_zone": "Mars/Olympus", "days": ["mon"], "start": "08:00", "end": "17:00"}}),
            422,
            "time_zone",
        ),
        (
            json!({"name": "Customers", "members": [ada_id]}),
            422,
            "members",
        ),
    ] {
        let r = post_json(&app, &sam, "/api/v1/support-teams", body).await;
        assert_eq!(r.status(), status, "{field}");
        let e: Value = r.json().await.expect("json");
        assert_eq!(e["field"], field);
    }
    // The demo's Nordics team and the new one, by name.
    let listed = json_of(&app, &agent, "/api/v1/support-teams").await;
    let names: Vec<&str> = listed["teams"]
        .as_array()
        .map(|a| a.iter().filter_map(|t| t["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["Americas", "Nordics"]);

    // Acme is served by Americas; Globex keeps the default hours.
    let acme = org_id(&app, &sam, "Acme").await;
    let org_path = format!("/api/v1/organisations/{acme}");
    assert_eq!(
        patch_json(&app, &agent, &org_path, json!({"support_team": team_id}))
            .await
            .status(),
        403
    );
    for bad in [json!({"support_team": "nope"}), json!({"support_team": 5})] {
        let r = patch_json(&app, &sam, &org_path, bad).await;
        assert_eq!(r.status(), 422);
        assert_eq!(
            r.json::<Value>().await.expect("json")["field"],
            "support_team"
        );
    }
    let r = patch_json(&app, &sam, &org_path, json!({"support_team": team_id})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.expect("json")["support_team"],
        team_id.as_str()
    );
    assert_eq!(
        json_of(&app, &sam, &org_path).await["support_team"],
        team_id.as_str()
    );
    let team_now = json_of(&app, &sam, &format!("/api/v1/support-teams/{team_id}")).await;
    assert_eq!(team_now["organisations"], 1);

    // Monday 09:30 UTC is 05:30 in New York: Acme's hour starts at 09:00
    // there (13:00 UTC); Globex's at once in Stockholm (11:30).
    let acme_request = s(&file(&app, &ada, "Americas request", "high").await, "id");
    let v = json_of(&app, &agent, &format!("/api/v1/requests/{acme_request}")).await;
    assert_eq!(v["due_at"], "2026-09-14T14:00:00.000Z");
    let globex_request = s(
        &file(&app, &gina, "Default hours request", "high").await,
        "id",
    );
    let v = json_of(&app, &agent, &format!("/api/v1/requests/{globex_request}")).await;
    assert_eq!(v["due_at"], "2026-09-14T10:30:00.000Z");

    // The queue filters by team: only the organisations it serves.
    let in_team = pages(&app, &agent, &format!("view=all&team={team_id}"), 50).await;
    assert!(in_team.iter().any(|r| s(r, "id") == acme_request));
    assert!(
        in_team
            .iter()
            .all(|r| r["organisation"]["id"] == acme.as_str())
    );
    let everyone = pages(&app, &agent, "view=all", 200).await;
    let acme_count = everyone
        .iter()
        .filter(|r| r["organisation"]["id"] == acme.as_str())
        .count();
    assert_eq!(in_team.len(), acme_count);
    let r = app
        .api_get(&ada, &format!("/api/v1/requests?team={team_id}"))
        .await;
    assert_eq!(r.status(), 403);

    // New hours apply from the next filing: Tokyo's day is over at 18:30,
    // so Tuesday 09:00 there (00:00 UTC) plus the hour.
    let tokyo = json!({"business_hours": {"time_zone": "Asia/Tokyo", "days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}});
    let r = patch_json(
        &app,
        &sam,
        &format!("/api/v1/support-teams/{team_id}"),
        tokyo,
    )
    .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["business_hours"]["time_zone"], "Asia/Tokyo");
    assert_eq!(v["name"], "Americas", "what is left out stays");
    assert_eq!(v["members"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        due_of_new(&app, &ada, &agent).await,
        "2026-09-15T01:00:00.000Z"
    );

    // Another instance on the same PostgreSQL database hears of changes.
    if db == Db::Postgres {
        let other = TestApp::spawn_with(
            db,
            Options {
                demo: false,
                manual_clock: true,
                database_url: Some(app.database_url.clone()),
                ..Options::default()
            },
        )
        .await;
        let ada2 = other.token("admin@acme.test").await;
        let agent2 = other.token("agent@statusdesk.test").await;
        assert_eq!(
            due_of_new(&other, &ada2, &agent2).await,
            "2026-09-15T01:00:00.000Z"
        );
        let always = json!({"business_hours": {"time_zone": "UTC", "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "start": "00:00", "end": "24:00"}});
        let r = patch_json(
            &app,
            &sam,
            &format!("/api/v1/support-teams/{team_id}"),
            always,
        )
        .await;
        assert_eq!(r.status(), 200);
        let mut due = String::new();
        for _ in 0..50 {
            due = due_of_new(&other, &ada2, &agent2).await;
            if due == "2026-09-14T10:30:00.000Z" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(
            due, "2026-09-14T10:30:00.000Z",
            "the other instance forgot the old hours"
        );
    }

    // Deleted, the team's organisations count in the default hours again.
    assert_eq!(
        delete_as(&app, &agent, &format!("/api/v1/support-teams/{team_id}")).await,
        403
    );
    assert_eq!(
        delete_as(&app, &sam, &format!("/api/v1/support-teams/{team_id}")).await,
        204
    );
    assert_eq!(
        app.api_get(&sam, &format!("/api/v1/support-teams/{team_id}"))
            .await
            .status(),
        404
    );
    assert!(json_of(&app, &sam, &org_path).await["support_team"].is_null());
    app.clock.advance(60 * 60_000);
    // 10:30 UTC is 12:30 in Stockholm: due at 13:30 there.
    assert_eq!(
        due_of_new(&app, &ada, &agent).await,
        "2026-09-14T11:30:00.000Z"
    );
}

on_both!(support_teams_count_targets_in_their_own_hours);

/// The support teams page: a support admin makes and changes a team by
/// form, a refused form says why in the reader's language, and an
/// organisation's page puts it in a team.
async fn support_teams_page_and_organisation_form(db: Db) {
    let app = TestApp::spawn(db).await;
    let sam = app.signed_in("support@statusdesk.test").await;
    let html = sam.get(app.url("/staff/teams")).text_body().await;
    assert!(
        html.contains("Nordics") && html.contains("Alex Agent"),
        "the demo's team"
    );
    let csrf = csrf_in(&html).expect("csrf");
    let bad = sam
        .post(app.url("/staff/teams"))
        .header("accept-language", "sv")
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Norden"),
            ("time_zone", "Europe/Atlantis"),
            ("days", "mon"),
            ("start", "08:00"),
            ("end", "17:00"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(bad.status(), 422);
    let body = bad.text().await.expect("text");
    assert!(
        body.contains("Europe/Atlantis"),
        "what was typed comes back"
    );
    let ok = sam
        .post(app.url("/staff/teams"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Norden"),
            ("time_zone", "Europe/Helsinki"),
            ("days", "mon"),
            ("days", "tue"),
            ("start", "07:30"),
            ("end", "16:00"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(ok.status(), 303);
    let html = sam.get(app.url("/staff/teams")).text_body().await;
    assert!(html.contains("Norden"));
    assert!(
        html.contains("Mon, Tue 07:30–16:00 (Europe/Helsinki)"),
        "{html}"
    );
    let token = app.token("support@statusdesk.test").await;
    let teams = json_of(&app, &token, "/api/v1/support-teams").await;
    let team_id = teams["teams"]
        .as_array()
        .and_then(|a| a.iter().find(|t| t["name"] == "Norden"))
        .map(|t| s(t, "id"))
        .expect("Norden");
    // The organisation page's form.
    let globex = org_id(&app, &token, "Globex").await;
    let page = sam
        .get(app.url(&format!("/staff/organisations/{globex}")))
        .text_body()
        .await;
    assert!(page.contains(&format!("<option value=\"{team_id}\">Norden</option>")));
    let r = sam
        .post(app.url(&format!("/staff/organisations/{globex}/team")))
        .form(&[("csrf", csrf.as_str()), ("team", team_id.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let page = sam
        .get(app.url(&format!("/staff/organisations/{globex}")))
        .text_body()
        .await;
    assert!(page.contains(&format!(
        "<option value=\"{team_id}\" selected>Norden</option>"
    )));
    let html = sam.get(app.url("/staff/teams")).text_body().await;
    assert_eq!(
        html.matches("One organisation").count(),
        2,
        "Norden and Nordics"
    );
    // The queue offers the team as a filter.
    let agent = app.signed_in("agent@statusdesk.test").await;
    let queue = agent.get(app.url("/agent")).text_body().await;
    assert!(queue.contains(&format!("<option value=\"{team_id}\">Norden</option>")));
    assert_eq!(
        agent
            .get(app.url("/staff/teams"))
            .send()
            .await
            .expect("get")
            .status(),
        403
    );
}

on_both!(support_teams_page_and_organisation_form);
