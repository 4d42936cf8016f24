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

on_both!(
    community_questions_answers_votes_and_moderation,
    community_posts_are_limited_per_user,
    community_pages_take_forms,
);
