//! The help center over HTTP on both databases: who may read what (pages,
//! API, search), sanitising, Swedish and English search, votes and the
//! staff report.
use crate::harness::{Db, Fetch, TestApp, client, post_json};
use crate::on_both;
use serde_json::{Value, json};

async fn write_article(app: &TestApp, token: &str, body: Value) -> Value {
    let r = post_json(app, token, "/api/v1/articles", body.clone()).await;
    assert_eq!(r.status(), 201, "create {body}");
    r.json().await.expect("json")
}

async fn search(app: &TestApp, token: Option<&str>, q: &str) -> Vec<String> {
    let mut url = url::Url::parse(&app.url("/api/v1/search")).expect("url");
    url.query_pairs_mut()
        .append_pair("q", q)
        .append_pair("limit", "20");
    let mut req = app.client.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.expect("search");
    assert_eq!(r.status(), 200, "search {q}");
    let body: Value = r.json().await.expect("json");
    body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|h| h["url"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Drafts and plan articles are a 404 to those who may not read them, in
/// the pages, the API, lists and search; staff see everything.
async fn drafts_and_plan_articles_are_invisible_to_others(db: Db) {
    let app = TestApp::spawn(db).await;
    let support = app.token("support@statusdesk.test").await;
    let acme = app.token("admin@acme.test").await; // Enterprise
    let globex = app.token("admin@globex.test").await; // Advanced
    let agent = app.token("agent@statusdesk.test").await;
    write_article(
        &app,
        &support,
        json!({"title": "Zebrafinch draft", "body": "The zebrafinch procedure, unpublished.",
               "collection": "help", "lang": "en", "published": false}),
    )
    .await;
    write_article(
        &app,
        &support,
        json!({"title": "Zebrafinch for Enterprise", "body": "The zebrafinch escalation line.",
               "collection": "resources", "lang": "en", "plans": ["enterprise"], "published": true}),
    )
    .await;
    let open = write_article(
        &app,
        &support,
        json!({"title": "Zebrafinch for Advanced, open to all", "body": "The zebrafinch basics.",
               "collection": "help", "lang": "en", "plans": ["advanced"], "others_may_read": true,
               "published": true}),
    )
    .await;
    assert_eq!(open["slug"], "zebrafinch-for-advanced-open-to-all");
    let draft = "/api/v1/articles/zebrafinch-draft";
    let enterprise = "/api/v1/articles/zebrafinch-for-enterprise";
    let anonymous = client();
    for (who, token) in [("acme", &acme), ("globex", &globex)] {
        assert_eq!(app.api_get(token, draft).await.status(), 404, "{who} draft");
    }
    assert_eq!(app.api_get(&acme, enterprise).await.status(), 200);
    assert_eq!(app.api_get(&globex, enterprise).await.status(), 404);
    assert_eq!(
        app.api_get(&agent, draft).await.status(),
        200,
        "staff read drafts"
    );
    let r = anonymous
        .get(app.url(enterprise))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 404);
    // Pages say the same.
    for path in [
        "/help/articles/zebrafinch-draft",
        "/help/articles/zebrafinch-for-enterprise",
    ] {
        let r = anonymous.get(app.url(path)).send().await.expect("page");
        assert_eq!(r.status(), 404, "{path}");
    }
    let page = anonymous
        .get(app.url("/help/articles/zebrafinch-for-advanced-open-to-all"))
        .text_body()
        .await;
    assert!(
        page.contains("This article only applies to users of Advanced."),
        "the plan note"
    );
    // Search and lists hide them too.
    let slugs = |urls: Vec<String>| -> Vec<String> {
        urls.into_iter()
            .filter(|u| u.contains("zebrafinch"))
            .collect()
    };
    assert_eq!(
        slugs(search(&app, None, "zebrafinch").await),
        vec!["/help/articles/zebrafinch-for-advanced-open-to-all"]
    );
    assert_eq!(
        slugs(search(&app, Some(&globex), "zebrafinch").await).len(),
        1,
        "Advanced does not find the Enterprise one"
    );
    let mut acme_found = slugs(search(&app, Some(&acme), "zebrafinch").await);
    acme_found.sort();
    assert_eq!(
        acme_found,
        vec![
            "/help/articles/zebrafinch-for-advanced-open-to-all",
            "/help/articles/zebrafinch-for-enterprise"
        ]
    );
    assert_eq!(
        slugs(search(&app, Some(&agent), "zebrafinch").await).len(),
        3
    );
    let list: Value = app
        .api_get(&globex, "/api/v1/articles?q=zebrafinch")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["articles"].as_array().map(Vec::len), Some(1));
    let sitemap = anonymous.get(app.url("/sitemap.xml")).text_body().await;
    assert!(sitemap.contains("/help/articles/zebrafinch-for-advanced-open-to-all</loc>"));
    assert!(sitemap.contains("/help/articles/reset-your-password</loc>"));
    assert!(
        !sitemap.contains("zebrafinch-draft") && !sitemap.contains("zebrafinch-for-enterprise")
    );
    let home = anonymous.get(app.url("/help")).text_body().await;
    assert!(!home.contains("Zebrafinch draft") && !home.contains("Zebrafinch for Enterprise"));
    assert!(home.contains("Zebrafinch for Advanced"));
    // Only support admins write.
    let r = post_json(
        &app,
        &acme,
        "/api/v1/articles",
        json!({"title": "Mine", "body": "x", "collection": "help", "lang": "en", "published": true}),
    )
    .await;
    assert_eq!(r.status(), 403);
    // Publishing the draft makes it public; a stale revision is refused.
    let r = app
        .client
        .patch(app.url("/api/v1/articles/zebrafinch-draft"))
        .bearer_auth(&support)
        .json(&json!({"published": true, "revision": 1}))
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), 200);
    assert_eq!(app.api_get(&globex, draft).await.status(), 200);
    let r = app
        .client
        .patch(app.url("/api/v1/articles/zebrafinch-draft"))
        .bearer_auth(&support)
        .json(&json!({"body": "overwrite", "revision": 1}))
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), 409);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["code"], "stale");
}

/// Script, event handlers and `javascript:` links never reach a reader.
async fn article_markdown_is_sanitised(db: Db) {
    let app = TestApp::spawn(db).await;
    let support = app.token("support@statusdesk.test").await;
    write_article(
        &app,
        &support,
        json!({"title": "Hostile", "slug": "hostile", "collection": "developers", "lang": "en", "published": true,
               "body": "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3)) [ok](https://example.com)\n\n![tracker](https://tracker.test/p.gif)\n\n## Section <b onclick=x>one</b>"}),
    )
    .await;
    let detail: Value = client()
        .get(app.url("/api/v1/articles/hostile"))
        .json_body()
        .await;
    let html = detail["html"].as_str().expect("html").to_lowercase();
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("javascript:"), "{html}");
    for tag in html.split('<').skip(1).filter_map(|t| t.split('>').next()) {
        assert!(!tag.contains(" on"), "event handler in <{tag}>");
    }
    assert!(html.contains("href=\"https://example.com\""), "{html}");
    assert_eq!(detail["headings"][0]["anchor"], "section-b-onclick-x-one-b");
    let page = client()
        .get(app.url("/help/articles/hostile"))
        .text_body()
        .await
        .to_lowercase();
    assert!(!page.contains("<script>alert"), "the page escapes too");
}

/// Swedish and English as people type them, on a fixed corpus: the same
/// top results on both databases.
async fn search_understands_swedish_and_english(db: Db) {
    let app = TestApp::spawn(db).await;
    let anonymous = None;
    let top = |urls: Vec<String>| urls.into_iter().next().unwrap_or_default();
    // Inflections: "lösenordet" finds "lösenord", "grupperna" "grupp".
    assert_eq!(
        top(search(&app, anonymous, "lösenordet").await),
        "/help/articles/aterstall-ditt-losenord"
    );
    assert_eq!(
        top(search(&app, anonymous, "grupperna").await),
        "/help/articles/hantera-anvandare-och-grupper"
    );
    // A compound: "lösenordsåterställning" finds "återställa lösenord".
    assert_eq!(
        top(search(&app, anonymous, "lösenordsåterställning").await),
        "/help/articles/aterstall-ditt-losenord"
    );
    // One typo in a word of five or more letters.
    assert_eq!(
        top(search(&app, anonymous, "lösenrod").await),
        "/help/articles/aterstall-ditt-losenord"
    );
    assert_eq!(
        top(search(&app, anonymous, "pasword").await),
        "/help/articles/reset-your-password"
    );
    // A prefix while typing.
    assert_eq!(
        top(search(&app, anonymous, "prioriteri").await),
        "/help/articles/vad-prioriteringarna-betyder"
    );
    // å/ä/ö are letters of their own: "sänd" is not "sand".
    let support = app.token("support@statusdesk.test").await;
    write_article(
        &app,
        &support,
        json!({"title": "Sand i maskineriet", "slug": "sand", "collection": "resources", "lang": "sv",
               "body": "Om sand och grus.", "published": true}),
    )
    .await;
    let found = search(&app, anonymous, "sand").await;
    assert_eq!(
        found.first().map(String::as_str),
        Some("/help/articles/sand")
    );
    assert!(
        !search(&app, anonymous, "sänd")
            .await
            .contains(&"/help/articles/sand".to_string()),
        "å/ä/ö kept distinct"
    );
    // English ranking: the article about priorities first.
    let priorities = search(&app, anonymous, "what does high priority mean").await;
    assert_eq!(
        priorities.first().map(String::as_str),
        Some("/help/articles/what-the-priorities-mean")
    );
    // A language filter keeps to one language.
    let r: Value = client()
        .get(app.url("/api/v1/search?q=l%C3%B6senord&lang=en"))
        .json_body()
        .await;
    assert!(
        r["results"]
            .as_array()
            .expect("results")
            .iter()
            .all(|h| h["lang"] == "en"),
        "{r}"
    );
    // Active incidents are found too, marked as such.
    let live: Value = client()
        .get(app.url("/api/v1/search?q=live%20video"))
        .json_body()
        .await;
    assert!(
        live["results"]
            .as_array()
            .expect("results")
            .iter()
            .any(|h| h["kind"] == "incident"),
        "{live}"
    );
    // A highlighted snippet, HTML-escaped.
    let hits: Value = client()
        .get(app.url("/api/v1/search?q=l%C3%B6senordet"))
        .json_body()
        .await;
    assert!(
        hits["results"][0]["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("<mark>")),
        "{hits}"
    );
    // Nothing found is recorded for the report.
    assert!(search(&app, anonymous, "xylofonkurs").await.is_empty());
    let report: Value = app
        .api_get(&support, "/api/v1/help/feedback-report")
        .await
        .json()
        .await
        .expect("json");
    assert!(
        report["searches_without_results"]
            .as_array()
            .expect("missed")
            .iter()
            .any(|m| m["query"] == "xylofonkurs" && m["times"] == 1),
        "{report}"
    );
    // The search page shows the same first result.
    let page = client()
        .get(app.url("/help/search?q=l%C3%B6senords%C3%A5terst%C3%A4llning"))
        .text_body()
        .await;
    let first = page.find("/help/articles/").map(|i| &page[i..i + 40]);
    assert!(
        first.is_some_and(|f| f.starts_with("/help/articles/aterstall-ditt-losenord")),
        "{first:?}"
    );
}

/// One vote per reader and article, changeable; the report's numbers
/// against a hand-computed set.
async fn votes_count_once_per_reader_and_the_report_adds_up(db: Db) {
    let app = TestApp::spawn(db).await;
    let support = app.token("support@statusdesk.test").await;
    for slug in ["vote-a", "vote-b"] {
        write_article(
            &app,
            &support,
            json!({"title": slug, "slug": slug, "collection": "help", "lang": "en",
                   "body": "## First\n\nx\n\n## Second\n\ny", "published": true}),
        )
        .await;
    }
    let vote = |token: Option<String>, c: reqwest::Client, slug: &'static str, body: Value| {
        let app = &app;
        async move {
            let mut req = c
                .post(app.url(&format!("/api/v1/articles/{slug}/feedback")))
                .json(&body);
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            let r = req.send().await.expect("vote");
            let status = r.status();
            let body: Value = r.json().await.expect("json");
            (status, body)
        }
    };
    let ada = app.token("admin@acme.test").await;
    let maja = app.token("member@acme.test").await;
    let c = client();
    // Ada says no, then changes her mind: one vote, "yes".
    let (s, first) = vote(
        Some(ada.clone()),
        c.clone(),
        "vote-a",
        json!({"helpful": false, "reason": "unclear", "comment": "Too short"}),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(first["changed"], false);
    assert_eq!(
        first["offer_request"], true,
        "an unhappy admin with support"
    );
    assert_eq!(first["offer_chat"], true, "Acme has chat");
    let (_, again) = vote(
        Some(ada.clone()),
        c.clone(),
        "vote-a",
        json!({"helpful": true}),
    )
    .await;
    assert_eq!(again["changed"], true);
    // Maja (a member) says no: no offer of a request.
    let (_, m) = vote(
        Some(maja),
        c.clone(),
        "vote-a",
        json!({"helpful": false, "reason": "incomplete", "comment": "What about SSO?"}),
    )
    .await;
    assert_eq!(m["offer_request"], false);
    // Two anonymous readers, each with their own cookie; one votes twice.
    let anon1 = client();
    vote(None, anon1.clone(), "vote-a", json!({"helpful": false})).await;
    vote(
        None,
        anon1.clone(),
        "vote-a",
        json!({"helpful": false, "reason": "incorrect"}),
    )
    .await;
    let anon2 = client();
    vote(None, anon2.clone(), "vote-b", json!({"helpful": false})).await;
    // A section vote counts separately.
    vote(
        None,
        anon2.clone(),
        "vote-b",
        json!({"helpful": true, "section": "second"}),
    )
    .await;
    // Bad votes are refused with a field.
    let (s, bad) = vote(
        None,
        client(),
        "vote-b",
        json!({"helpful": true, "reason": "unclear"}),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(bad["field"], "reason");
    let (s, bad) = vote(
        None,
        client(),
        "vote-b",
        json!({"helpful": false, "section": "nope"}),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(bad["field"], "section");
    let (s, _) = vote(None, client(), "no-such", json!({"helpful": true})).await;
    assert_eq!(s, 404);
    // By hand: vote-a yes 1 (Ada), no 2 (Maja, anon1) → (1+2)/(3+4) = 0.429;
    // vote-b yes 1 (section), no 1 (anon2) → (1+2)/(2+4) = 0.5.
    let report: Value = app
        .api_get(&support, "/api/v1/help/feedback-report")
        .await
        .json()
        .await
        .expect("json");
    let ours: Vec<&Value> = report["articles"]
        .as_array()
        .expect("articles")
        .iter()
        .filter(|a| a["slug"].as_str().is_some_and(|s| s.starts_with("vote-")))
        .collect();
    assert_eq!(ours.len(), 2);
    assert_eq!(ours[0]["slug"], "vote-a", "lowest first");
    assert_eq!(
        (ours[0]["yes"].clone(), ours[0]["no"].clone()),
        (json!(1), json!(2))
    );
    assert_eq!(ours[0]["score"], 0.429);
    assert_eq!(
        (ours[1]["yes"].clone(), ours[1]["no"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(ours[1]["score"], 0.5);
    let comments: Vec<&str> = ours[0]["comments"]
        .as_array()
        .expect("comments")
        .iter()
        .filter_map(|c| c["comment"].as_str())
        .collect();
    assert_eq!(
        comments,
        vec!["What about SSO?"],
        "Ada's changed vote dropped hers"
    );
    let reasons = &ours[0]["reasons"];
    assert!(
        reasons.as_array().is_some_and(|r| r.len() == 2),
        "{reasons}"
    );
    // The same as CSV.
    let csv = app
        .client
        .get(app.url("/api/v1/help/feedback-report?format=csv"))
        .bearer_auth(&support)
        .send()
        .await
        .expect("csv");
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/csv"))
    );
    let text = csv.text().await.expect("text");
    assert!(
        text.contains("vote-a,vote-a,en,1,2,0.429,article"),
        "{text}"
    );
    assert!(
        text.contains("comment,no,incomplete,,What about SSO?"),
        "{text}"
    );
    // Customers do not see the report.
    let r = app.api_get(&ada, "/api/v1/help/feedback-report").await;
    assert_eq!(r.status(), 403);
}

/// The vote form on the page (a form post, never a link), its offer of a
/// support request, and the reader's choice shown afterwards.
async fn the_article_page_takes_a_vote_by_form(db: Db) {
    let app = TestApp::spawn(db).await;
    let ada = app.signed_in("admin@acme.test").await;
    let page = ada
        .get(app.url("/help/articles/what-the-priorities-mean"))
        .text_body()
        .await;
    assert!(
        page.contains("Was this information helpful?")
            || page.contains("Var den här informationen användbar?")
    );
    assert!(!page.contains("feedback?helpful"), "votes are never links");
    let csrf = crate::harness::csrf_in(&page).expect("csrf");
    let r = ada
        .post(app.url("/help/articles/what-the-priorities-mean/feedback"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("helpful", "no"),
            ("reason", "incomplete"),
            ("comment", "Need more examples"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    assert!(to.contains("voted=no"), "{to}");
    let after = ada.get(app.url(&to)).text_body().await;
    assert!(
        after.contains("/support/new?subject="),
        "the offer of a request"
    );
    assert!(
        after.contains("aria-pressed=\"true\""),
        "the choice is shown"
    );
    // Without the form's token nothing is recorded.
    let r = client()
        .post(app.url("/help/articles/what-the-priorities-mean/feedback"))
        .form(&[("helpful", "yes")])
        .send()
        .await
        .expect("post");
    assert_ne!(r.status(), 303);
    // Switching language lands on the same article.
    assert!(page.contains("/help/articles/vad-prioriteringarna-betyder"));
}

/// Support admins upload images for articles; only images, only staff;
/// the article shows it inline and anyone can fetch it.
async fn article_images_are_uploaded_and_shown(db: Db) {
    let app = TestApp::spawn(db).await;
    let sam = app.signed_in("support@statusdesk.test").await;
    let csrf = app.csrf(&sam, "/staff/help/new").await;
    let png: Vec<u8> = [&b"\x89PNG\r\n\x1a\n"[..], &[7u8; 64][..]].concat();
    let upload = |c: &reqwest::Client, csrf: &str, name: &'static str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.to_string())
            .part(
                "image",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            );
        c.post(app.url("/staff/help/images"))
            .header("accept", "application/json")
            .multipart(form)
            .send()
    };
    let r = upload(&sam, &csrf, "screen.png", png.clone())
        .await
        .expect("upload");
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.expect("json");
    let url = body["url"].as_str().expect("url").to_string();
    assert!(url.starts_with("/help/images/"), "{url}");
    assert_eq!(body["markdown"], format!("![screen]({url})"));
    let got = client().get(app.url(&url)).send().await.expect("image");
    assert_eq!(got.status(), 200);
    assert_eq!(got.headers()["content-type"], "image/png");
    assert_eq!(got.bytes().await.expect("bytes").to_vec(), png);
    // Not an image: refused, with the field named.
    let r = upload(&sam, &csrf, "notes.txt", b"just text".to_vec())
        .await
        .expect("upload");
    assert_eq!(r.status(), 422);
    // A customer may not upload.
    let ada = app.signed_in("admin@acme.test").await;
    let ada_csrf = app.csrf(&ada, "/settings").await;
    let r = upload(&ada, &ada_csrf, "x.png", png.clone())
        .await
        .expect("upload");
    assert_eq!(r.status(), 403);
    // The article shows it inline.
    let support = app.token("support@statusdesk.test").await;
    write_article(
        &app,
        &support,
        json!({"title": "With a picture", "slug": "with-a-picture", "collection": "help", "lang": "en",
               "body": format!("Look:\n\n{}", body["markdown"].as_str().unwrap_or_default()), "published": true}),
    )
    .await;
    let detail: Value = client()
        .get(app.url("/api/v1/articles/with-a-picture"))
        .json_body()
        .await;
    assert!(
        detail["html"]
            .as_str()
            .is_some_and(|h| h.contains(&format!("<img src=\"{url}\" alt=\"screen\">"))),
        "{detail}"
    );
    assert_eq!(
        client()
            .get(app.url("/help/images/nope"))
            .send()
            .await
            .expect("get")
            .status(),
        404
    );
}

on_both!(
    article_images_are_uploaded_and_shown,
    drafts_and_plan_articles_are_invisible_to_others,
    article_markdown_is_sanitised,
    search_understands_swedish_and_english,
    votes_count_once_per_reader_and_the_report_adds_up,
    the_article_page_takes_a_vote_by_form,
);
