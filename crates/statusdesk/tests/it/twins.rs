//! One rule, one message: a page and its API twin refuse the same bad
//! input with the same words (in English and in Swedish), because both call
//! the same use case. One case per area. Also: the status desk's preview is
//! the e-mail subscribers get, and public documents set no cookie.
use crate::harness::{Db, Fetch, TestApp, client, component_id, csrf_in, post_json};
use crate::on_both;
use serde_json::{Value, json};

/// Text as askama escapes it in a page.
fn escaped(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

fn unescaped(s: &str) -> String {
    s.replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#38;", "&")
}

/// The API's refusal: its status, message, field and code.
async fn api_error(r: reqwest::Response) -> (u16, String, Value, String) {
    let status = r.status().as_u16();
    let v: Value = r.json().await.expect("json");
    (
        status,
        v["error"].as_str().unwrap_or("").to_string(),
        v["field"].clone(),
        v["code"].as_str().unwrap_or("").to_string(),
    )
}

/// A signed-in page client in `lang` (its language setting).
async fn page_client(app: &TestApp, email: &str, lang: &str) -> reqwest::Client {
    let c = app.signed_in(email).await;
    let csrf = app.csrf(&c, "/settings").await;
    let r = c
        .post(app.url("/settings/language"))
        .form(&[("csrf", csrf.as_str()), ("language", lang), ("next", "/")])
        .send()
        .await
        .expect("language");
    assert_eq!(r.status(), 303);
    c
}

async fn api_as(
    app: &TestApp,
    token: &str,
    path: &str,
    body: Value,
    lang: &str,
) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .header("accept-language", lang)
        .json(&body)
        .send()
        .await
        .expect("post")
}

/// Both languages: the page shows exactly the API's message.
async fn same_words(
    app: &TestApp,
    who: &str,
    page: impl AsyncFn(&reqwest::Client, String) -> reqwest::Response,
    api: impl AsyncFn(&str, &str) -> reqwest::Response,
    field: &str,
    code: &str,
    form_path: &str,
) {
    let token = app.token(who).await;
    let mut messages = Vec::new();
    for lang in ["en", "sv"] {
        let (status, message, got_field, got_code) = api_error(api(&token, lang).await).await;
        assert_eq!(status, 422, "{who} {lang}: {message}");
        assert_eq!((got_field, got_code.as_str()), (json!(field), code));
        let c = page_client(app, who, lang).await;
        let csrf = app.csrf(&c, form_path).await;
        let r = page(&c, csrf).await;
        assert_eq!(r.status(), 422, "the page refuses too");
        let html = r.text().await.expect("text");
        assert!(
            html.contains(&escaped(&message)),
            "the page ({lang}) says what the API says: {message}\n{html}"
        );
        messages.push(message);
    }
    assert_ne!(messages[0], messages[1], "Swedish differs from English");
}

async fn pages_and_api_refuse_alike(db: Db) {
    let app = TestApp::spawn(db).await;

    // Organisations: a plan that does not exist.
    same_words(
        &app,
        "support@statusdesk.test",
        async |c, csrf| {
            c.post(app.url("/staff/organisations"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("name", "Hooli"),
                    ("plan", "platinum"),
                ])
                .send()
                .await
                .expect("post")
        },
        async |token, lang| {
            api_as(
                &app,
                token,
                "/api/v1/organisations",
                json!({"name": "Hooli", "plan": "platinum"}),
                lang,
            )
            .await
        },
        "plan",
        "not_one_of",
        "/staff",
    )
    .await;

    // Support: a subject of two lines.
    same_words(
        &app,
        "admin@acme.test",
        async |c, csrf| {
            let form = reqwest::multipart::Form::new()
                .text("csrf", csrf)
                .text("subject", "First line\nsecond line")
                .text("description", "Details")
                .text("priority", "low");
            c.post(app.url("/support/new"))
                .multipart(form)
                .send()
                .await
                .expect("post")
        },
        async |token, lang| {
            api_as(
                &app,
                token,
                "/api/v1/requests",
                json!({"subject": "First line\nsecond line", "description": "Details", "priority": "low"}),
                lang,
            )
            .await
        },
        "subject",
        "control_chars",
        "/support/new",
    )
    .await;

    // Status: an incident that names no feature.
    same_words(
        &app,
        "agent@statusdesk.test",
        async |c, csrf| {
            c.post(app.url("/staff/status/incidents"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("name", "Slow"),
                    ("impact", "minor"),
                    ("status", "investigating"),
                    ("body", "Looking"),
                    ("action", "post"),
                ])
                .send()
                .await
                .expect("post")
        },
        async |token, lang| {
            api_as(
                &app,
                token,
                "/api/v1/incidents",
                json!({"name": "Slow", "impact": "minor", "status": "investigating", "body": "Looking", "components": {}}),
                lang,
            )
            .await
        },
        "components",
        "components_required",
        "/staff/status",
    )
    .await;

    // Status: a feature name over the limit (the desk had no limit before).
    same_words(
        &app,
        "agent@statusdesk.test",
        async |c, csrf| {
            c.post(app.url("/staff/status/components"))
                .form(&[("csrf", csrf.as_str()), ("name", &"x".repeat(101))])
                .send()
                .await
                .expect("post")
        },
        async |token, lang| {
            api_as(
                &app,
                token,
                "/api/v1/components",
                json!({"name": "x".repeat(101)}),
                lang,
            )
            .await
        },
        "name",
        "too_long",
        "/staff/status",
    )
    .await;

    // Integrations: a kind there is none of.
    same_words(
        &app,
        "admin@acme.test",
        async |c, csrf| {
            c.post(app.url("/admin/integrations"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("kind", "carrier-pigeon"),
                    ("url", "https://hooks.example.com/x"),
                ])
                .send()
                .await
                .expect("post")
        },
        async |token, lang| {
            api_as(
                &app,
                token,
                "/api/v1/integrations",
                json!({"kind": "carrier-pigeon", "url": "https://hooks.example.com/x"}),
                lang,
            )
            .await
        },
        "kind",
        "not_one_of",
        "/admin/integrations",
    )
    .await;

    // Subscriptions (public): a feature id that is not listed.
    for lang in ["en", "sv"] {
        let (status, message, field, code) = api_error(
            app.client
                .post(app.url("/api/v1/subscriptions"))
                .header("accept-language", lang)
                .json(&json!({"email": "x@reader.test", "components": ["nope"]}))
                .send()
                .await
                .expect("post"),
        )
        .await;
        assert_eq!(
            (status, field, code.as_str()),
            (422, json!("components"), "unknown_component")
        );
        let c = client();
        let page = c
            .get(app.url("/status/subscribe"))
            .header("accept-language", lang)
            .text_body()
            .await;
        let csrf = csrf_in(&page).expect("csrf");
        let r = c
            .post(app.url("/status/subscribe"))
            .header("accept-language", lang)
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", "x@reader.test"),
                ("component", "nope"),
            ])
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 422);
        assert!(
            r.text().await.expect("text").contains(&escaped(&message)),
            "{message}"
        );
    }
    // Accounts: a token name over the limit.
    let (status, message, field, code) = api_error(
        post_json(
            &app,
            "",
            "/api/v1/tokens",
            json!({"email": "admin@acme.test", "password": statusdesk::demo::PASSWORD, "label": "y".repeat(101)}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, field, code.as_str()),
        (422, json!("label"), "too_long")
    );
    let c = page_client(&app, "admin@acme.test", "en").await;
    let csrf = app.csrf(&c, "/settings").await;
    let r = c
        .post(app.url("/settings/tokens"))
        .form(&[("csrf", csrf.as_str()), ("label", &"y".repeat(101))])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("text").contains(&escaped(&message)));
}

/// The preview on the status desk is, word for word, the e-mail a
/// subscriber gets for that update (only the unsubscribe link is each
/// subscriber's own).
async fn the_desk_preview_is_the_email_sent(db: Db) {
    let app = TestApp::spawn(db).await;
    let login = component_id(&app, "Login").await;
    let now = domain::Clock::now_ms(app.app.clock.as_ref());
    app.store
        .add_confirmed_subscribers(&["reader@sub.test".to_string()], "en", now)
        .await
        .expect("subscriber");
    let agent = app.token("agent@statusdesk.test").await;
    let r = post_json(
        &app,
        &agent,
        "/api/v1/incidents",
        json!({"name": "Sign-in is slow", "impact": "minor", "status": "investigating",
               "body": "We are looking into it.", "components": {login.clone(): "degraded_performance"}}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let incident: Value = r.json().await.expect("json");
    let id = incident["id"].as_str().expect("id").to_string();

    let c = page_client(&app, "agent@statusdesk.test", "en").await;
    let csrf = app.csrf(&c, "/staff/status").await;
    let body = "Found it: a slow <database> & a fix on its way.";
    let form = |action: &'static str, csrf: String| {
        vec![
            ("csrf".to_string(), csrf),
            ("status".to_string(), "identified".to_string()),
            ("body".to_string(), body.to_string()),
            ("action".to_string(), action.to_string()),
        ]
    };
    let page = c
        .post(app.url(&format!("/staff/status/incidents/{id}/updates")))
        .form(&form("preview", csrf.clone()))
        .text_body()
        .await;
    let start = page.find("<pre>").expect("a preview") + 5;
    let end = start + page[start..].find("</pre>").expect("end");
    let preview = unescaped(&page[start..end]);
    assert!(preview.contains(body), "{preview}");
    assert!(
        preview.contains(&format!("/status/incidents/{id}")),
        "the follow line"
    );
    let placeholder = app::subscriptions::preview_unsubscribe_link(&app.app.config.base_url);
    assert!(preview.contains(&placeholder), "the unsubscribe line");

    let r = c
        .post(app.url(&format!("/staff/status/incidents/{id}/updates")))
        .form(&form("post", csrf))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    // The fan-out queues the subscriber's e-mail (no relay: it waits).
    let mut mail = None;
    for _ in 0..100 {
        let rows = app.store.recent_outbox(50).await.expect("outbox");
        mail = rows.into_iter().find(|m| {
            m.channel == "email" && m.target == "reader@sub.test" && m.payload.contains("Found it")
        });
        if mail.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let mail = mail.expect("the update reached the subscriber's outbox");
    let email: Value = serde_json::from_str(&mail.payload).expect("payload");
    let unsubscribe = email["headers"]
        .as_array()
        .and_then(|h| h.iter().find(|p| p[0] == "List-Unsubscribe"))
        .and_then(|p| p[1].as_str())
        .expect("List-Unsubscribe")
        .trim_matches(['<', '>'])
        .to_string();
    assert_eq!(
        email["text"].as_str().expect("text"),
        preview.replace(&placeholder, &unsubscribe),
        "the e-mail is the preview"
    );
}

async fn public_documents_set_no_cookie(db: Db) {
    let app = TestApp::spawn(db).await;
    for path in [
        "/status",
        "/history.rss",
        "/history.atom",
        "/api/v2/summary.json",
        "/sw.js",
        "/healthz",
    ] {
        let r = client().get(app.url(path)).send().await.expect("get");
        assert_eq!(r.status(), 200, "{path}");
        assert!(
            r.headers().get("set-cookie").is_none(),
            "{path} set a cookie"
        );
    }
    // Pages with forms do get the visitor's form token.
    let r = client().get(app.url("/login")).send().await.expect("get");
    assert!(r.headers().get("set-cookie").is_some());
}

on_both!(
    pages_and_api_refuse_alike,
    the_desk_preview_is_the_email_sent,
    public_documents_set_no_cookie,
);
