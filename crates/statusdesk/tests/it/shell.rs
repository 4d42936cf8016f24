//! The web shell: assets, headers, and what each kind of user sees.
use crate::harness::Fetch;
use crate::harness::{Db, TestApp, client};
use crate::on_both;

async fn assets_are_embedded_and_cacheable(db: Db) {
    let app = TestApp::spawn(db).await;
    let html = client().get(app.url("/login")).text_body().await;
    let at = html.find("href=\"/assets/app-").expect("css link") + "href=\"".len();
    let path: String = html[at..].chars().take_while(|c| *c != '"').collect();
    let r = client().get(app.url(&path)).send().await.expect("get");
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/css; charset=utf-8")
    );
    assert!(
        r.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("immutable"))
    );
    assert!(r.text().await.expect("text").contains("--accent"));
    assert_eq!(
        client()
            .get(app.url("/assets/app-000000000000.css"))
            .send()
            .await
            .expect("get")
            .status(),
        404
    );
}

async fn pages_send_security_headers(db: Db) {
    let app = TestApp::spawn(db).await;
    let r = client().get(app.url("/")).send().await.expect("get");
    let h = r.headers();
    assert_eq!(
        h.get("x-frame-options").and_then(|v| v.to_str().ok()),
        Some("DENY")
    );
    assert!(
        h.get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("default-src 'self'"))
    );
    let pre = h
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sd_csrf="))
        .expect("pre-session cookie")
        .to_string();
    assert!(pre.contains("HttpOnly") && pre.contains("SameSite=Lax"));
}

async fn each_plan_and_role_sees_what_it_has(db: Db) {
    let app = TestApp::spawn(db).await;
    // Initech is on Core: the admin panel says direct support is not included.
    let core = app.signed_in("admin@initech.test").await;
    let html = core.get(app.url("/admin")).text_body().await;
    assert!(html.contains("Initech") && html.contains("plan-core"));
    assert!(html.contains("<li class=\"no\">Direct support"), "{html}");
    assert!(html.contains("Direct support is part of the Advanced and Enterprise plans"));
    // Globex is on Advanced: direct support included, chat not rolled out.
    let adv = app.signed_in("admin@globex.test").await;
    let html = adv.get(app.url("/admin")).text_body().await;
    assert!(html.contains("<li class=\"yes\">Direct support"), "{html}");
    assert!(
        html.contains("<li class=\"no\">Chat with support"),
        "{html}"
    );
    // Staff get the staff view; members have no admin panel link.
    let support = app.signed_in("support@statusdesk.test").await;
    let html = support.get(app.url("/")).text_body().await;
    assert!(html.contains("href=\"/staff\"") && !html.contains("href=\"/admin\""));
    let member = app.signed_in("member@acme.test").await;
    let html = member.get(app.url("/")).text_body().await;
    assert!(!html.contains("href=\"/admin\"") && html.contains("Hello Maja Medlem"));
    // In Swedish too.
    let html = member
        .get(app.url("/"))
        .header("accept-language", "sv")
        .text_body()
        .await;
    assert!(html.contains("Hej Maja Medlem") && html.contains("Din plan innehåller"));
}

async fn error_pages_keep_the_signed_in_navigation(db: Db) {
    let app = TestApp::spawn(db).await;
    let anonymous = client()
        .get(app.url("/no/such/page"))
        .send()
        .await
        .expect("get");
    assert_eq!(anonymous.status(), 404);
    let page = anonymous.text().await.expect("text");
    assert!(page.contains("href=\"/login") && !page.contains("Ada Andersson"));
    let web = app.signed_in("admin@acme.test").await;
    let r = web.get(app.url("/no/such/page")).send().await.expect("get");
    assert_eq!(r.status(), 404);
    let page = r.text().await.expect("text");
    assert!(
        page.contains("Ada Andersson"),
        "the signed-in name is shown"
    );
    assert!(
        page.contains("action=\"/logout\""),
        "and sign-out works from here"
    );
    // A 403 too: a member asking for the admin panel.
    let member = app.signed_in("member@acme.test").await;
    let r = member.get(app.url("/admin")).send().await.expect("get");
    assert_eq!(r.status(), 403);
    assert!(r.text().await.expect("text").contains("action=\"/logout\""));
}

on_both!(
    error_pages_keep_the_signed_in_navigation,
    assets_are_embedded_and_cacheable,
    pages_send_security_headers,
    each_plan_and_role_sees_what_it_has
);
