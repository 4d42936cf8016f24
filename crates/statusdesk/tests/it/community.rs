//! The help community over HTTP on both databases: asking, answering,
//! votes, the accepted answer first, staff badges, moderation, sanitising,
//! search and the per-user limit.
use crate::harness::{Db, Fetch, TestApp, client, post_json};
use crate::on_both;
use serde_json::{Value, json};

async fn get_thread(app: &TestApp, token: Option<&str>, id: &str) -> (u16, Value) {
    let mut req = client().get(app.url(&format!("/api/v1/community/threads/{id}")));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.expect("get");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn community_questions_answers_votes_and_moderation(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await;
    let greta = app.token("admin@globex.test").await;
    let ivan = app.token("admin@initech.test").await;
    let alex = app.token("agent@statusdesk.test").await;
    // Visitors read but do not post.
    let list: Value = client()
        .get(app.url("/api/v1/community/threads"))
        .json_body()
        .await;
    assert!(
        list["threads"].as_array().is_some_and(|t| t.len() >= 3),
        "the demo threads"
    );
    let r = client()
        .post(app.url("/api/v1/community/threads"))
        .json(&json!({"title": "x", "body": "y"}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 401);
    // Ada asks; Greta and Alex (staff) answer.
    let r = post_json(
        &app,
        &ada,
        "/api/v1/community/threads",
        json!({"title": "Quokka exports fail at midnight", "body": "Our quokka export <script>alert(1)</script> stops.", "lang": "en"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let thread: Value = r.json().await.expect("json");
    let id = thread["id"].as_str().expect("id").to_string();
    assert!(
        !thread["question"]["html"]
            .as_str()
            .unwrap_or_default()
            .contains("<script"),
        "sanitised"
    );
    let answer = |token: String, body: &'static str| {
        let app = &app;
        let id = id.clone();
        async move {
            post_json(
                app,
                &token,
                &format!("/api/v1/community/threads/{id}/answers"),
                json!({"body": body}),
            )
            .await
        }
    };
    let r = answer(greta.clone(), "Run it at 01:00 instead.").await;
    assert_eq!(r.status(), 201);
    let greta_answer = r.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let r = answer(
        alex.clone(),
        "The midnight job is a known issue; it is fixed next week.",
    )
    .await;
    let alex_answer = r.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();
    // Votes: Ivan up-votes Greta's; Ada may not vote on her own question.
    let vote = |token: String, post: String, value: i64| {
        let app = &app;
        async move {
            post_json(
                app,
                &token,
                &format!("/api/v1/community/posts/{post}/vote"),
                json!({"value": value}),
            )
            .await
            .status()
        }
    };
    assert_eq!(vote(ivan.clone(), greta_answer.clone(), 1).await, 204);
    assert_eq!(
        vote(ivan.clone(), greta_answer.clone(), 1).await,
        204,
        "once per user"
    );
    assert_eq!(vote(ada.clone(), greta_answer.clone(), 1).await, 204);
    let question = thread["question"]["id"].as_str().expect("qid").to_string();
    assert_eq!(vote(ada.clone(), question, 1).await, 409);
    assert_eq!(vote(ivan.clone(), alex_answer.clone(), 5).await, 422);
    let (_, t) = get_thread(&app, None, &id).await;
    assert_eq!(
        t["answers"][0]["id"],
        greta_answer.as_str(),
        "most votes first"
    );
    assert_eq!(t["answers"][0]["score"], 2);
    assert_eq!(
        t["answers"][1]["author"]["staff"], true,
        "staff answers badged"
    );
    assert_eq!(t["answers"][0]["author"]["staff"], false);
    assert_eq!(
        t["answers"][0]["author"]["name"], "Greta G.",
        "customers by first name and initial"
    );
    assert_eq!(
        t["answers"][1]["author"]["name"], "Alex Agent",
        "staff by name"
    );
    // Only the asker (or staff) accepts; the accepted answer comes first.
    let accept = |token: String, answer: String| {
        let app = &app;
        let id = id.clone();
        async move {
            post_json(
                app,
                &token,
                &format!("/api/v1/community/threads/{id}/accept"),
                json!({"answer_id": answer}),
            )
            .await
            .status()
        }
    };
    assert_eq!(accept(ivan.clone(), alex_answer.clone()).await, 403);
    assert_eq!(accept(ada.clone(), alex_answer.clone()).await, 204);
    let (_, t) = get_thread(&app, None, &id).await;
    assert_eq!(t["answers"][0]["id"], alex_answer.as_str());
    assert_eq!(t["answers"][0]["accepted"], true);
    assert_eq!(t["accepted_answer"], alex_answer.as_str());
    // An admin with direct support turns it into a request; a member may not.
    let r = post_json(
        &app,
        &ada,
        &format!("/api/v1/community/threads/{id}/request"),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let request_id = r.json::<Value>().await.expect("json")["request_id"]
        .as_str()
        .expect("request id")
        .to_string();
    let req: Value = app
        .api_get(&ada, &format!("/api/v1/requests/{request_id}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(req["subject"], "Quokka exports fail at midnight", "{req}");
    let maja = app.token("member@acme.test").await;
    let r = post_json(
        &app,
        &maja,
        &format!("/api/v1/community/threads/{id}/request"),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 403);
    // A support admin turns the accepted answer into a draft article.
    let sam = app.token("support@statusdesk.test").await;
    let r = post_json(
        &app,
        &sam,
        &format!("/api/v1/community/threads/{id}/article"),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let slug = r.json::<Value>().await.expect("json")["slug"]
        .as_str()
        .expect("slug")
        .to_string();
    assert_eq!(slug, "quokka-exports-fail-at-midnight");
    assert_eq!(
        client()
            .get(app.url(&format!("/api/v1/articles/{slug}")))
            .send()
            .await
            .expect("get")
            .status(),
        404,
        "a draft"
    );
    let draft: Value = app
        .api_get(&sam, &format!("/api/v1/articles/{slug}"))
        .await
        .json()
        .await
        .expect("json");
    assert!(
        draft["body"]
            .as_str()
            .is_some_and(|b| b.contains("fixed next week")),
        "{draft}"
    );
    let r = post_json(
        &app,
        &ada,
        &format!("/api/v1/community/threads/{id}/article"),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 403);
    // The page shows the same order and the badges.
    let page = client()
        .get(app.url(&format!("/community/threads/{id}")))
        .text_body()
        .await;
    let first = page.find(&format!("id=\"a-{alex_answer}\"")).expect("alex");
    let second = page
        .find(&format!("id=\"a-{greta_answer}\""))
        .expect("greta");
    assert!(first < second, "accepted first on the page");
    assert!(!page.contains("<script>alert(1)"), "escaped on the page");
    // Search finds the thread.
    let found: Value = client()
        .get(app.url("/api/v1/search?q=quokka"))
        .json_body()
        .await;
    assert_eq!(found["results"][0]["kind"], "thread", "{found}");
    assert_eq!(
        found["results"][0]["url"],
        format!("/community/threads/{id}")
    );
    // Staff lock it: no more answers.
    let moderate = |token: String, body: Value| {
        let app = &app;
        let id = id.clone();
        async move {
            post_json(
                app,
                &token,
                &format!("/api/v1/community/threads/{id}/moderate"),
                body,
            )
            .await
            .status()
        }
    };
    assert_eq!(moderate(ada.clone(), json!({"locked": true})).await, 403);
    assert_eq!(moderate(alex.clone(), json!({"locked": true})).await, 204);
    let r = answer(ivan.clone(), "Too late?").await;
    assert_eq!(r.status(), 409);
    assert_eq!(r.json::<Value>().await.expect("json")["code"], "locked");
    // Hidden: a 404 to everyone but staff, out of lists and search.
    assert_eq!(moderate(alex.clone(), json!({"hidden": true})).await, 204);
    assert_eq!(get_thread(&app, None, &id).await.0, 404);
    assert_eq!(get_thread(&app, Some(&ada), &id).await.0, 404);
    assert_eq!(get_thread(&app, Some(&alex), &id).await.0, 200);
    let list: Value = client()
        .get(app.url("/api/v1/community/threads"))
        .json_body()
        .await;
    assert!(
        !list["threads"]
            .as_array()
            .expect("threads")
            .iter()
            .any(|t| t["id"] == id.as_str())
    );
    let found: Value = client()
        .get(app.url("/api/v1/search?q=quokka"))
        .json_body()
        .await;
    assert!(
        found["results"].as_array().is_some_and(Vec::is_empty),
        "{found}"
    );
    let r = client()
        .get(app.url(&format!("/community/threads/{id}")))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), 404);
}

/// Untrusted authors: at most 20 posts an hour per user.
async fn community_posts_are_limited_per_user(db: Db) {
    let app = TestApp::spawn(db).await;
    let ivan = app.token("admin@initech.test").await;
    let mut statuses = Vec::new();
    for i in 0..22 {
        let r = post_json(
            &app,
            &ivan,
            "/api/v1/community/threads",
            json!({"title": format!("Question {i}"), "body": "Is this a lot?"}),
        )
        .await;
        statuses.push(r.status().as_u16());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        20,
        "{statuses:?}"
    );
    assert_eq!(statuses.last(), Some(&429));
    // Someone else is not held back.
    let greta = app.token("admin@globex.test").await;
    let r = post_json(
        &app,
        &greta,
        "/api/v1/community/threads",
        json!({"title": "Mine", "body": "Still fine?"}),
    )
    .await;
    assert_eq!(r.status(), 201);
}

/// The pages: asking by form, answering, voting by form.
async fn community_pages_take_forms(db: Db) {
    let app = TestApp::spawn(db).await;
    let greta = app.signed_in("admin@globex.test").await;
    let csrf = app.csrf(&greta, "/community").await;
    let r = greta
        .post(app.url("/community"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", "Where do I find the RSS feed?"),
            ("body", "For the status page."),
        ])
        .send()
        .await
        .expect("ask");
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    assert!(to.starts_with("/community/threads/"), "{to}");
    let empty = greta
        .post(app.url(&format!("{to}/answers")))
        .form(&[("csrf", csrf.as_str()), ("body", "  ")])
        .send()
        .await
        .expect("answer");
    assert_eq!(
        empty.status(),
        422,
        "an empty answer is refused with the form kept"
    );
    let ivan = app.signed_in("admin@initech.test").await;
    let ivan_csrf = app.csrf(&ivan, &to).await;
    let r = ivan
        .post(app.url(&format!("{to}/answers")))
        .form(&[
            ("csrf", ivan_csrf.as_str()),
            ("body", "Under the status page's **Subscribe**."),
        ])
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 303);
    let page = greta.get(app.url(&to)).text_body().await;
    assert!(
        page.contains("<strong>Subscribe</strong>"),
        "Markdown rendered"
    );
    assert!(
        page.contains(&format!("action=\"{}/accept\"", to)),
        "the asker may accept"
    );
    let list = client().get(app.url("/community")).text_body().await;
    assert!(list.contains("Where do I find the RSS feed?"));
}

async fn created_id(r: reqwest::Response) -> (String, Value) {
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.expect("json");
    (v["id"].as_str().expect("id").to_string(), v)
}

async fn queue(app: &TestApp, token: &str) -> Value {
    let r = app.api_get(token, "/api/v1/community/queue").await;
    assert_eq!(r.status(), 200);
    r.json().await.expect("json")
}

fn queued_ids(q: &Value, list: &str) -> Vec<String> {
    q[list]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|p| p["id"].as_str().map(str::to_string))
        .collect()
}

async fn review(app: &TestApp, token: &str, post: &str, action: &str) -> reqwest::Response {
    post_json(
        app,
        token,
        &format!("/api/v1/community/posts/{post}/review"),
        json!({"action": action}),
    )
    .await
}

async fn search_urls(app: &TestApp, q: &str) -> Vec<String> {
    let found: Value = client()
        .get(app.url(&format!("/api/v1/search?q={q}")))
        .json_body()
        .await;
    found["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["url"].as_str().map(str::to_string))
        .collect()
}

/// While staff hold new users' first posts, a user without an approved
/// post is seen only by staff and themselves until staff approve; then
/// they are trusted.
async fn community_holds_new_users_first_posts_for_review(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await; // no community posts yet
    let greta = app.token("admin@globex.test").await; // has some
    let alex = app.token("agent@statusdesk.test").await;
    let sam = app.token("support@statusdesk.test").await;
    let settings = |token: String, on: bool| {
        let app = &app;
        async move {
            client()
                .patch(app.url("/api/v1/community/settings"))
                .bearer_auth(token)
                .json(&json!({"hold_first_posts": on}))
                .send()
                .await
                .expect("patch")
        }
    };
    assert_eq!(
        settings(alex.clone(), true).await.status(),
        403,
        "support admins set it"
    );
    assert_eq!(settings(ada.clone(), true).await.status(), 403);
    let r = settings(sam.clone(), true).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.expect("json")["hold_first_posts"],
        true
    );
    let r = app.api_get(&alex, "/api/v1/community/settings").await;
    assert_eq!(
        r.json::<Value>().await.expect("json")["hold_first_posts"],
        true
    );
    assert_eq!(
        app.api_get(&ada, "/api/v1/community/settings")
            .await
            .status(),
        403
    );

    // Ada's question is held: hers and staff's to see, nobody else's.
    let (held_thread, t) = created_id(
        post_json(
            &app,
            &ada,
            "/api/v1/community/threads",
            json!({"title": "Wombat widgets vanish", "body": "Our wombat widgets vanish after an hour.", "lang": "en"}),
        )
        .await,
    )
    .await;
    assert_eq!(t["held"], true, "{t}");
    assert_eq!(t["question"]["held"], true);
    assert_eq!(get_thread(&app, None, &held_thread).await.0, 404);
    assert_eq!(get_thread(&app, Some(&greta), &held_thread).await.0, 404);
    assert_eq!(get_thread(&app, Some(&ada), &held_thread).await.0, 200);
    assert_eq!(get_thread(&app, Some(&alex), &held_thread).await.0, 200);
    assert!(
        search_urls(&app, "wombat").await.is_empty(),
        "not searchable yet"
    );
    let list: Value = client()
        .get(app.url("/api/v1/community/threads"))
        .json_body()
        .await;
    assert!(!list.to_string().contains(&held_thread));
    let page = client()
        .get(app.url(&format!("/community/threads/{held_thread}")))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 404);

    // An answer on a visible thread is held too; Greta's is not.
    let open_thread = list["threads"][0]["id"]
        .as_str()
        .expect("a thread")
        .to_string();
    let answers = format!("/api/v1/community/threads/{open_thread}/answers");
    let (ada_answer, a) = created_id(
        post_json(
            &app,
            &ada,
            &answers,
            json!({"body": "Same here with wombats."}),
        )
        .await,
    )
    .await;
    assert_eq!(a["held"], true);
    let (_, g) =
        created_id(post_json(&app, &greta, &answers, json!({"body": "Fine for us."})).await).await;
    assert_eq!(g["held"], false, "a user with an approved post is trusted");
    let (_, public) = get_thread(&app, None, &open_thread).await;
    assert!(
        !public.to_string().contains(&ada_answer),
        "held answers hidden"
    );
    let (_, own) = get_thread(&app, Some(&ada), &open_thread).await;
    assert!(own.to_string().contains(&ada_answer), "the author sees it");
    // Nobody votes on what they cannot see.
    let r = post_json(
        &app,
        &greta,
        &format!("/api/v1/community/posts/{ada_answer}/vote"),
        json!({"value": 1}),
    )
    .await;
    assert_eq!(r.status(), 404);

    // The queue: staff only, oldest first.
    assert_eq!(
        app.api_get(&ada, "/api/v1/community/queue").await.status(),
        403
    );
    let q = queue(&app, &alex).await;
    let question_id = t["question"]["id"].as_str().expect("qid").to_string();
    assert_eq!(
        queued_ids(&q, "held"),
        vec![question_id.clone(), ada_answer.clone()],
        "{q}"
    );
    assert_eq!(q["held"][0]["thread_title"], "Wombat widgets vanish");
    assert_eq!(q["held"][0]["question"], true);
    assert_eq!(q["hold_first_posts"], true);
    let r = review(&app, &alex, &question_id, "dismiss").await;
    assert_eq!(r.status(), 409, "a held post needs a yes or no");
    assert_eq!(r.json::<Value>().await.expect("json")["code"], "held");
    assert_eq!(
        review(&app, &ada, &question_id, "approve").await.status(),
        403
    );
    assert_eq!(
        review(&app, &alex, &question_id, "approve").await.status(),
        204
    );
    // Approved: public, listed, searchable; Ada is trusted from now on.
    assert_eq!(get_thread(&app, None, &held_thread).await.0, 200);
    assert_eq!(
        search_urls(&app, "wombat")
            .await
            .first()
            .map(String::as_str),
        Some(format!("/community/threads/{held_thread}").as_str())
    );
    let (_, next) =
        created_id(post_json(&app, &ada, &answers, json!({"body": "Now it works."})).await).await;
    assert_eq!(next["held"], false);
    // Hiding the held answer keeps it out for good.
    assert_eq!(review(&app, &alex, &ada_answer, "hide").await.status(), 204);
    assert!(queued_ids(&queue(&app, &alex).await, "held").is_empty());
    let (_, own) = get_thread(&app, Some(&ada), &open_thread).await;
    assert!(
        !own.to_string().contains(&ada_answer),
        "hidden from its author too"
    );
    // Switched off: nothing is held.
    assert_eq!(settings(sam.clone(), false).await.status(), 200);
    let ola = app.token("ops@acme.test").await;
    let (_, o) = created_id(post_json(&app, &ola, &answers, json!({"body": "Works."})).await).await;
    assert_eq!(o["held"], false);
}

/// Reports go to the staff queue (once per reader, never one's own);
/// staff dismiss or hide; staff move a thread to the other language and
/// merge a duplicate into the thread that has the answers.
async fn community_reports_move_and_merge(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.token("admin@acme.test").await;
    let greta = app.token("admin@globex.test").await;
    let ivan = app.token("admin@initech.test").await;
    let alex = app.token("agent@statusdesk.test").await;
    let (kept, k) = created_id(
        post_json(
            &app,
            &greta,
            "/api/v1/community/threads",
            json!({"title": "Where is the platypus feed?", "body": "I want the platypus RSS feed.", "lang": "en"}),
        )
        .await,
    )
    .await;
    let kept_question = k["question"]["id"].as_str().expect("qid").to_string();
    let (answer, _) = created_id(
        post_json(
            &app,
            &alex,
            &format!("/api/v1/community/threads/{kept}/answers"),
            json!({"body": "Under Subscribe on the status page."}),
        )
        .await,
    )
    .await;
    let (dup, d) = created_id(
        post_json(
            &app,
            &ivan,
            "/api/v1/community/threads",
            json!({"title": "Platypus feed missing", "body": "Echidna question: where is the feed?", "lang": "en"}),
        )
        .await,
    )
    .await;
    let dup_question = d["question"]["id"].as_str().expect("qid").to_string();

    // Reports: once per reader, a known reason, never one's own.
    let report = |token: String, post: String, body: Value| {
        let app = &app;
        async move {
            post_json(
                app,
                &token,
                &format!("/api/v1/community/posts/{post}/report"),
                body,
            )
            .await
        }
    };
    let r = client()
        .post(app.url(&format!("/api/v1/community/posts/{kept_question}/report")))
        .json(&json!({"reason": "spam"}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 401);
    let r = report(
        ivan.clone(),
        kept_question.clone(),
        json!({"reason": "bogus"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.expect("json")["field"], "reason");
    let r = report(
        greta.clone(),
        kept_question.clone(),
        json!({"reason": "spam"}),
    )
    .await;
    assert_eq!(r.status(), 409, "not one's own");
    for _ in 0..2 {
        let r = report(
            ivan.clone(),
            kept_question.clone(),
            json!({"reason": "spam", "comment": "Looks like an ad"}),
        )
        .await;
        assert_eq!(r.status(), 204);
    }
    let r = report(
        ada.clone(),
        kept_question.clone(),
        json!({"reason": "off_topic"}),
    )
    .await;
    assert_eq!(r.status(), 204);
    let r = report(ada.clone(), answer.clone(), json!({"reason": "abusive"})).await;
    assert_eq!(r.status(), 204);
    let q = queue(&app, &alex).await;
    assert_eq!(
        queued_ids(&q, "reported"),
        vec![kept_question.clone(), answer.clone()],
        "most reported first: {q}"
    );
    let reports = q["reported"][0]["reports"].as_array().expect("reports");
    assert_eq!(reports.len(), 2, "one per reader: {q}");
    assert_eq!(reports[0]["reason"], "spam");
    assert_eq!(reports[0]["comment"], "Looks like an ad");
    // Staff keep the question (the reports close) and hide the answer.
    assert_eq!(
        review(&app, &alex, &kept_question, "dismiss")
            .await
            .status(),
        204
    );
    assert_eq!(review(&app, &alex, &answer, "hide").await.status(), 204);
    assert!(queued_ids(&queue(&app, &alex).await, "reported").is_empty());
    let (_, t) = get_thread(&app, None, &kept).await;
    assert_eq!(
        t["answers"].as_array().map(Vec::len),
        Some(0),
        "hidden: {t}"
    );
    assert_eq!(get_thread(&app, None, &kept).await.0, 200, "kept");

    // Move: staff only; the thread is in Swedish now, retitled.
    let mv = |token: String, body: Value| {
        let app = &app;
        let dup = dup.clone();
        async move {
            post_json(
                app,
                &token,
                &format!("/api/v1/community/threads/{dup}/move"),
                body,
            )
            .await
            .status()
        }
    };
    assert_eq!(mv(ivan.clone(), json!({"lang": "sv"})).await, 403);
    assert_eq!(mv(alex.clone(), json!({"lang": "xx"})).await, 422);
    assert_eq!(
        mv(
            alex.clone(),
            json!({"lang": "sv", "title": "Näbbdjursflödet saknas"})
        )
        .await,
        204
    );
    let (_, t) = get_thread(&app, None, &dup).await;
    assert_eq!(t["lang"], "sv");
    assert_eq!(t["title"], "Näbbdjursflödet saknas");
    let found: Value = client()
        .get(app.url("/api/v1/search?q=echidna&lang=sv"))
        .json_body()
        .await;
    assert_eq!(
        found["results"][0]["url"],
        format!("/community/threads/{dup}"),
        "{found}"
    );
    assert_eq!(found["results"][0]["lang"], "sv");

    // Merge: the duplicate's question becomes an answer of the kept thread,
    // its old address leads there, and it leaves lists and search.
    let merge = |token: String, from: String, into: String| {
        let app = &app;
        async move {
            post_json(
                app,
                &token,
                &format!("/api/v1/community/threads/{from}/merge"),
                json!({"into": into}),
            )
            .await
        }
    };
    assert_eq!(
        merge(ivan.clone(), dup.clone(), kept.clone())
            .await
            .status(),
        403
    );
    let r = merge(alex.clone(), dup.clone(), dup.clone()).await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<Value>().await.expect("json")["code"],
        "same_thread"
    );
    assert_eq!(
        merge(alex.clone(), dup.clone(), "nope".into())
            .await
            .status(),
        422
    );
    let r = merge(
        alex.clone(),
        dup.clone(),
        format!("http://example.test/community/threads/{kept}"),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.expect("json")["id"], kept.as_str());
    let (status, t) = get_thread(&app, None, &dup).await;
    assert_eq!(status, 200);
    assert_eq!(t["id"], kept.as_str(), "the old id gives the kept thread");
    assert!(
        t["answers"]
            .as_array()
            .expect("answers")
            .iter()
            .any(|a| a["id"] == dup_question.as_str()),
        "the duplicate's question is an answer now: {t}"
    );
    let r = client()
        .get(app.url(&format!("/community/threads/{dup}")))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), 308);
    assert_eq!(
        r.headers()["location"],
        format!("/community/threads/{kept}").as_str()
    );
    let list: Value = client()
        .get(app.url("/api/v1/community/threads"))
        .json_body()
        .await;
    assert!(
        !list.to_string().contains(&dup),
        "merged threads leave the list"
    );
    assert_eq!(
        search_urls(&app, "echidna").await,
        vec![format!("/community/threads/{kept}")],
        "the text is found in the kept thread"
    );

    // The page: a report form for signed-in readers, by form post.
    let ola = app.signed_in("ops@acme.test").await;
    let path = format!("/community/threads/{kept}");
    let page = ola.get(app.url(&path)).text_body().await;
    assert!(page.contains(&format!(
        "action=\"/community/posts/{kept_question}/report\""
    )));
    let csrf = app.csrf(&ola, &path).await;
    let r = ola
        .post(app.url(&format!("/community/posts/{kept_question}/report")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("reason", "other"),
            ("comment", "Dated"),
            ("thread", kept.as_str()),
        ])
        .send()
        .await
        .expect("report");
    assert_eq!(r.status(), 303);
    let page = ola.get(app.url(&path)).text_body().await;
    assert!(
        !page.contains(&format!(
            "action=\"/community/posts/{kept_question}/report\""
        )),
        "reported once"
    );
    // Staff see it on the queue page; customers may not.
    let staff = app.signed_in("agent@statusdesk.test").await;
    let staff_csrf = app.csrf(&staff, &path).await;
    let r = staff
        .post(app.url(&format!("{path}/merge")))
        .form(&[("csrf", staff_csrf.as_str()), ("into", "no-such-thread")])
        .send()
        .await
        .expect("merge");
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("Thread to keep: there is no such choice."),
        "the page says what went wrong"
    );
    let queue_page = staff.get(app.url("/staff/community")).text_body().await;
    assert!(
        queue_page.contains("Dated"),
        "the comment is on the queue page"
    );
    let r = ola
        .get(app.url("/staff/community"))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), 403);
}

on_both!(
    community_questions_answers_votes_and_moderation,
    community_posts_are_limited_per_user,
    community_pages_take_forms,
    community_holds_new_users_first_posts_for_review,
    community_reports_move_and_merge,
);
