//! Sign-in, sessions, CSRF, throttling, password change and reset,
//! language, and the staff UI.
use crate::harness::Fetch;
use crate::harness::{Db, Options, TestApp, client, csrf_in, post_json};
use crate::on_both;
use serde_json::{Value, json};

fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sd_session=") && !v.starts_with("sd_session=;"))
        .map(str::to_string)
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// A plain client (no cookie store) that sends exactly this session cookie.
async fn get_with_cookie(app: &TestApp, cookie: &str, path: &str) -> reqwest::Response {
    let value = cookie.split(';').next().unwrap_or("");
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(app.url(path))
        .header("cookie", value)
        .send()
        .await
        .expect("get")
}

async fn sign_in_sees_admin_panel_and_signs_out(db: Db) {
    let app = TestApp::spawn(db).await;
    let c = client();
    let landing = c.get(app.url("/")).text_body().await;
    assert!(landing.contains("Support and status, in one place"));
    let r = app
        .sign_in_with(&c, "admin@acme.test", "statusdesk-demo")
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/");
    let cookie = session_cookie(&r).expect("session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http must not set Secure");

    let home = c.get(app.url("/")).text_body().await;
    assert!(home.contains("Hello Ada Andersson"), "{home}");
    let admin = c.get(app.url("/admin")).send().await.expect("get");
    assert_eq!(admin.status(), 200);
    let admin = admin.text().await.expect("text");
    assert!(admin.contains("Acme") && admin.contains("Olle Ops") && admin.contains("Maja Medlem"));
    assert!(
        !admin.contains("Greta Globex"),
        "another organisation's people leaked"
    );

    let csrf = csrf_in(&admin).expect("csrf");
    let r = c
        .post(app.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("logout");
    assert_eq!(r.status(), 303);
    // The old session is gone on the server, not only in the browser.
    let r = get_with_cookie(&app, &cookie, "/admin").await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/login?next=/admin");
}

async fn wrong_password_is_refused(db: Db) {
    let app = TestApp::spawn(db).await;
    let c = client();
    for (email, password) in [
        ("admin@acme.test", "not-the-password"),
        ("nobody@acme.test", "statusdesk-demo"),
    ] {
        let r = app.sign_in_with(&c, email, password).await;
        assert_eq!(r.status(), 401);
        assert!(session_cookie(&r).is_none());
        let html = r.text().await.expect("text");
        assert!(html.contains("Wrong e-mail address or password."), "{html}");
        assert!(
            html.contains(&format!("value=\"{email}\"")),
            "the e-mail is kept in the form"
        );
    }
    let r = c.get(app.url("/admin")).send().await.expect("get");
    assert_eq!(r.status(), 303, "still signed out");
}

/// A sign-in from `from` (an X-Forwarded-For address, the proxy being
/// trusted) with the given browser.
async fn sign_in_from(
    app: &TestApp,
    c: &reqwest::Client,
    from: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    // Signed in, /login leads home, whose sign-out form has the token.
    let page = c.get(app.url("/login")).send().await.expect("get");
    let page = if page.status().is_redirection() {
        c.get(app.url("/")).text_body().await
    } else {
        page.text().await.expect("text")
    };
    let csrf = csrf_in(&page).expect("csrf");
    c.post(app.url("/login"))
        .header("x-forwarded-for", from)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .expect("post")
}

fn retry_after(r: &reqwest::Response) -> i64 {
    r.headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Brute force is slowed to a few tries a minute per account and address,
/// with waits that double instead of a lock; strangers' failures do not
/// keep the owner out of a browser they signed in on before, and they
/// never lock anyone for long.
async fn sign_in_is_rate_limited_per_account_and_address(db: Db) {
    let app = TestApp::spawn_with(
        db,
        Options {
            manual_clock: true,
            settings: vec![("behind_proxy", "true".into())],
            ..Options::default()
        },
    )
    .await;
    // The owner signs in once from their laptop: it becomes a known device.
    let laptop = client();
    let r = sign_in_from(
        &app,
        &laptop,
        "198.51.100.7",
        "ops@acme.test",
        "statusdesk-demo",
    )
    .await;
    assert_eq!(r.status(), 303);

    // An attacker cycles passwords from one address for ten minutes of
    // clock, waiting exactly as long as told each time.
    let attacker = client();
    let mut tries_in_first_minute = 0;
    let mut tries = 0;
    let mut elapsed_ms = 0i64;
    let mut first_wait = None;
    while elapsed_ms < 600_000 {
        let r = sign_in_from(
            &app,
            &attacker,
            "203.0.113.9",
            "ops@acme.test",
            "guess-123456",
        )
        .await;
        match r.status().as_u16() {
            401 => {
                tries += 1;
                if elapsed_ms < 60_000 {
                    tries_in_first_minute += 1;
                }
            }
            429 => {
                let wait = retry_after(&r);
                assert!(
                    (1..=600).contains(&wait),
                    "waits, never a long lock: {wait}"
                );
                let html = r.text().await.expect("text");
                assert!(html.contains("Too many failed sign-in attempts"), "{html}");
                first_wait.get_or_insert(wait);
                app.clock.advance(wait * 1000);
                elapsed_ms += wait * 1000;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(first_wait, Some(1), "the first wait is a second");
    assert!(
        (3..=9).contains(&tries_in_first_minute),
        "a few tries in the first minute: {tries_in_first_minute}"
    );
    assert!(tries <= 13, "a few more in ten minutes: {tries}");
    // The owner is not locked out by it: from the known laptop at once.
    let r = sign_in_from(
        &app,
        &laptop,
        "198.51.100.7",
        "ops@acme.test",
        "statusdesk-demo",
    )
    .await;
    assert_eq!(r.status(), 303, "the owner's browser still signs in");
    // The API is held to the same waits and says how long, in seconds.
    let mut last = None;
    for _ in 0..2 {
        let r = app
            .client
            .post(app.url("/api/v1/tokens"))
            .header("x-forwarded-for", "203.0.113.9")
            .json(&serde_json::json!({"email": "ops@acme.test", "password": "guess-abcdef"}))
            .send()
            .await
            .expect("post");
        last = Some((r.status().as_u16(), retry_after(&r)));
    }
    let (status, wait) = last.expect("answered");
    assert_eq!(status, 429);
    assert!(wait >= 1);

    // Failures spread over many addresses slow down the account for
    // browsers it has not signed in on, but not the owner's own.
    let maja_laptop = client();
    let r = sign_in_from(
        &app,
        &maja_laptop,
        "198.51.100.8",
        "member@acme.test",
        "statusdesk-demo",
    )
    .await;
    assert_eq!(r.status(), 303);
    let mut spray = Vec::new();
    for i in 0..12 {
        let r = sign_in_from(
            &app,
            &client(),
            &format!("192.0.2.{}", 10 + i),
            "member@acme.test",
            "spray-guess-1",
        )
        .await;
        spray.push(r.status().as_u16());
    }
    assert_eq!(spray[..10], [401; 10], "{spray:?}");
    assert_eq!(spray[10..], [429; 2], "then the account waits: {spray:?}");
    let r = sign_in_from(
        &app,
        &client(),
        "198.51.100.99",
        "member@acme.test",
        "statusdesk-demo",
    )
    .await;
    assert_eq!(r.status(), 429, "a new browser waits a moment");
    assert!(retry_after(&r) <= 600);
    let r = sign_in_from(
        &app,
        &maja_laptop,
        "198.51.100.8",
        "member@acme.test",
        "statusdesk-demo",
    )
    .await;
    assert_eq!(r.status(), 303, "the known browser does not");
    // Another account is not slowed by any of it.
    let r = sign_in_from(
        &app,
        &client(),
        "203.0.113.9",
        "admin@acme.test",
        "statusdesk-demo",
    )
    .await;
    assert_eq!(r.status(), 303);

    // Per address: 30 failures over many accounts make that address wait.
    for i in 0..30 {
        let r = sign_in_from(
            &app,
            &client(),
            "192.0.2.200",
            &format!("guess{i}@acme.test"),
            "wrong password!",
        )
        .await;
        assert_eq!(r.status(), 401, "attempt {i}");
    }
    let r = sign_in_from(
        &app,
        &client(),
        "192.0.2.200",
        "admin@globex.test",
        "statusdesk-demo",
    )
    .await;
    assert_eq!(r.status(), 429, "the address waits after 30 failures");
    assert_eq!(retry_after(&r), 1, "a second, doubling from there");
    let r = sign_in_from(
        &app,
        &client(),
        "192.0.2.201",
        "admin@globex.test",
        "statusdesk-demo",
    )
    .await;
    assert_eq!(r.status(), 303, "other addresses are not held back");
    // A 1 MB "e-mail" is refused like any other, without a 1 MB row.
    let huge = format!("{}@acme.test", "a".repeat(1_000_000));
    let r = app
        .client
        .post(app.url("/api/v1/tokens"))
        .header("x-forwarded-for", "192.0.2.77")
        .json(&serde_json::json!({"email": huge, "password": "x"}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 401);
    assert!(
        app.store.longest_throttle_key().await.expect("keys") < 200,
        "throttle keys stay short"
    );
}

async fn posts_without_csrf_token_are_refused(db: Db) {
    let app = TestApp::spawn(db).await;
    let c = client();
    // Signed out: the sign-in form needs its token too (login CSRF).
    let _ = c.get(app.url("/login")).send().await.expect("get");
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("email", "admin@acme.test"),
            ("password", "statusdesk-demo"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    assert!(session_cookie(&r).is_none());
    assert!(
        r.text()
            .await
            .expect("text")
            .contains("The form has expired")
    );

    let a = app.signed_in("admin@acme.test").await;
    let r = a
        .post(app.url("/settings/language"))
        .form(&[("language", "sv")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    // A token of another session is no good either.
    let b = app.signed_in("ops@acme.test").await;
    let other = app.csrf(&b, "/settings").await;
    let r = a
        .post(app.url("/settings/language"))
        .form(&[("csrf", other.as_str()), ("language", "sv")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    let (p, _) = app
        .store
        .principal_by_email("admin@acme.test")
        .await
        .expect("db")
        .expect("user");
    assert_eq!(p.user.language, None, "the refused posts changed nothing");
    // With the right token it works.
    let mine = app.csrf(&a, "/settings").await;
    let r = a
        .post(app.url("/settings/language"))
        .form(&[
            ("csrf", mine.as_str()),
            ("language", "sv"),
            ("next", "/settings"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let html = a.get(app.url("/settings")).text_body().await;
    assert!(html.contains("Inställningar"), "the page is now Swedish");
}

async fn sign_in_renews_the_session(db: Db) {
    let app = TestApp::spawn(db).await;
    let c = client();
    let first = session_cookie(
        &app.sign_in_with(&c, "admin@acme.test", "statusdesk-demo")
            .await,
    )
    .expect("first");
    // Signing in again replaces the session: a new id, the old one ends.
    let csrf = app.csrf(&c, "/settings").await;
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "admin@acme.test"),
            ("password", "statusdesk-demo"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let second = session_cookie(&r).expect("second");
    assert_ne!(first.split(';').next(), second.split(';').next());
    assert_eq!(get_with_cookie(&app, &first, "/admin").await.status(), 303);
    assert_eq!(get_with_cookie(&app, &second, "/admin").await.status(), 200);

    // A fixated session id in the browser is never adopted.
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let r = plain.get(app.url("/login")).send().await.expect("get");
    let pre = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sd_csrf="))
        .map(|v| v.split(';').next().unwrap_or("").to_string())
        .expect("pre-session cookie");
    let token = pre.trim_start_matches("sd_csrf=").to_string();
    let r = plain
        .post(app.url("/login"))
        .header("cookie", format!("{pre}; sd_session=attacker-chosen-id"))
        .form(&[
            ("csrf", token.as_str()),
            ("email", "ops@acme.test"),
            ("password", "statusdesk-demo"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let fresh = session_cookie(&r).expect("new session");
    assert!(!fresh.contains("attacker-chosen-id"));
    assert_eq!(get_with_cookie(&app, &fresh, "/admin").await.status(), 200);

    // Changing the password ends the user's other sessions, keeps this one.
    let other_device = app.signed_in("admin@acme.test").await;
    assert_eq!(
        other_device
            .get(app.url("/admin"))
            .send()
            .await
            .expect("get")
            .status(),
        200
    );
    let csrf = app.csrf(&c, "/settings").await;
    let r = c
        .post(app.url("/settings/password"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current", "statusdesk-demo"),
            ("new_password", "a much longer passphrase"),
            ("confirm", "a much longer passphrase"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/settings?done=password-changed");
    let page = c
        .get(app.url("/settings?done=password-changed"))
        .text_body()
        .await;
    assert!(page.contains("Your password is changed."));
    assert_eq!(
        other_device
            .get(app.url("/admin"))
            .send()
            .await
            .expect("get")
            .status(),
        303
    );
    assert_eq!(
        get_with_cookie(&app, &fresh, "/admin").await.status(),
        200,
        "another user is unaffected"
    );
    let r = app
        .sign_in_with(&client(), "admin@acme.test", "a much longer passphrase")
        .await;
    assert_eq!(r.status(), 303);
    let r = app
        .sign_in_with(&client(), "admin@acme.test", "statusdesk-demo")
        .await;
    assert_eq!(r.status(), 401);
}

async fn password_change_checks_its_input(db: Db) {
    let app = TestApp::spawn(db).await;
    let c = app.signed_in("admin@globex.test").await;
    for (current, new, confirm, message) in [
        (
            "wrong one!!",
            "long enough pass",
            "long enough pass",
            "The current password is not right.",
        ),
        (
            "statusdesk-demo",
            "short",
            "short",
            "At least 10 characters.",
        ),
        (
            "statusdesk-demo",
            "long enough pass",
            "other long pass",
            "The two new passwords are not the same.",
        ),
    ] {
        let csrf = app.csrf(&c, "/settings").await;
        let r = c
            .post(app.url("/settings/password"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("current", current),
                ("new_password", new),
                ("confirm", confirm),
            ])
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 422);
        assert!(r.text().await.expect("text").contains(message), "{message}");
    }
    let r = app
        .sign_in_with(&client(), "admin@globex.test", "statusdesk-demo")
        .await;
    assert_eq!(r.status(), 303, "the password is unchanged");
}

/// A password change revokes the user's API tokens (the page says so and
/// marks them); support admins end a user's sessions and tokens.
async fn password_change_revokes_tokens_and_support_admins_revoke_access(db: Db) {
    let app = TestApp::spawn(db).await;
    let stolen = app.token("admin@globex.test").await;
    assert_eq!(app.api_get(&stolen, "/api/v1/requests").await.status(), 200);
    let c = app.signed_in("admin@globex.test").await;
    let settings = c.get(app.url("/settings")).text_body().await;
    assert!(settings.contains("revokes your API tokens"), "said before");
    let csrf = app.csrf(&c, "/settings").await;
    let r = c
        .post(app.url("/settings/password"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current", statusdesk::demo::PASSWORD),
            ("new_password", "a brand new passphrase"),
            ("confirm", "a brand new passphrase"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/settings?done=password-changed-tokens");
    assert_eq!(
        app.api_get(&stolen, "/api/v1/requests").await.status(),
        401,
        "the token is revoked"
    );
    let settings = c
        .get(app.url("/settings?done=password-changed-tokens"))
        .text_body()
        .await;
    assert!(settings.contains("your API tokens revoked"), "said after");
    assert!(settings.contains("Revoked"), "and marked in the list");

    // Support admins (not agents) end someone's sessions and tokens.
    let ivan_token = app.token("admin@initech.test").await;
    let ivan = app.signed_in("admin@initech.test").await;
    let (principal, _) = app
        .store
        .principal_by_email("admin@initech.test")
        .await
        .expect("lookup")
        .expect("ivan");
    let path = format!("/api/v1/users/{}/revoke-access", principal.user.id);
    let alex = app.token("agent@statusdesk.test").await;
    assert_eq!(post_json(&app, &alex, &path, json!({})).await.status(), 403);
    let sam = app.token("support@statusdesk.test").await;
    assert_eq!(
        post_json(&app, &sam, "/api/v1/users/nobody/revoke-access", json!({}))
            .await
            .status(),
        404
    );
    let r = post_json(&app, &sam, &path, json!({})).await;
    assert_eq!(r.status(), 200);
    let done: Value = r.json().await.expect("json");
    assert!(done["sessions"].as_u64().is_some_and(|n| n >= 1), "{done}");
    assert_eq!(done["tokens"].as_array().map(Vec::len), Some(1), "{done}");
    assert_eq!(
        app.api_get(&ivan_token, "/api/v1/requests").await.status(),
        401
    );
    let r = ivan.get(app.url("/settings")).send().await.expect("get");
    assert_eq!(r.status(), 303, "the session has ended");
    assert!(location(&r).starts_with("/login"), "{}", location(&r));
}

async fn password_reset_by_emailed_link(db: Db) {
    let app = TestApp::spawn(db).await;
    let c = client();
    let csrf = app.csrf(&c, "/password/forgot").await;
    let r = c
        .post(app.url("/password/forgot"))
        .form(&[("csrf", csrf.as_str()), ("email", "ADMIN@acme.test")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200);
    assert!(r.text().await.expect("text").contains("Check your e-mail"));
    // An unknown address gets the same answer and no mail.
    let r = c
        .post(app.url("/password/forgot"))
        .form(&[("csrf", csrf.as_str()), ("email", "nobody@acme.test")])
        .send()
        .await
        .expect("post");
    assert!(r.text().await.expect("text").contains("Check your e-mail"));

    let outbox: Vec<_> = app
        .store
        .recent_outbox(50)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.channel == "email")
        .collect();
    assert_eq!(outbox.len(), 1, "one mail, for the existing account only");
    let mail = notify::Email::from_json(&outbox[0].payload).expect("payload");
    assert_eq!(outbox[0].channel, "email");
    assert_eq!(mail.to, "admin@acme.test");
    assert!(mail.subject.contains("Reset your statusdesk password"));
    let link_start = mail.text.find(&app.base).expect("link in mail");
    let link: String = mail.text[link_start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let path = link.trim_start_matches(&app.base).to_string();
    let token = path.split("token=").nth(1).expect("token").to_string();

    // A token made before the reset must not outlive it.
    let stolen = app.token("admin@acme.test").await;
    assert_eq!(app.api_get(&stolen, "/api/v1/requests").await.status(), 200);
    let form = c.get(app.url(&path)).text_body().await;
    assert!(form.contains("Choose a new password"));
    let csrf = csrf_in(&form).expect("csrf");
    let r = c
        .post(app.url("/password/reset"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("token", token.as_str()),
            ("password", "reset to this passphrase"),
            ("confirm", "reset to this passphrase"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/login?done=password-reset");
    assert_eq!(
        app.sign_in_with(&client(), "admin@acme.test", "statusdesk-demo")
            .await
            .status(),
        401
    );
    assert_eq!(
        app.sign_in_with(&client(), "admin@acme.test", "reset to this passphrase")
            .await
            .status(),
        303
    );
    assert_eq!(
        app.api_get(&stolen, "/api/v1/requests").await.status(),
        401,
        "the reset revoked the token"
    );
    // The link works once.
    let again = c.get(app.url(&path)).text_body().await;
    assert!(again.contains("This link no longer works"));
    let r = c
        .post(app.url("/password/reset"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("token", token.as_str()),
            ("password", "another new passphrase"),
            ("confirm", "another new passphrase"),
        ])
        .send()
        .await
        .expect("post");
    assert!(
        r.text()
            .await
            .expect("text")
            .contains("This link no longer works")
    );
}

async fn reset_links_expire(db: Db) {
    let app = TestApp::spawn_with(
        db,
        Options {
            demo: true,
            manual_clock: true,
            ..Options::default()
        },
    )
    .await;
    let c = client();
    let csrf = app.csrf(&c, "/password/forgot").await;
    c.post(app.url("/password/forgot"))
        .form(&[("csrf", csrf.as_str()), ("email", "admin@globex.test")])
        .send()
        .await
        .expect("post");
    let outbox = app.store.recent_outbox(1).await.expect("outbox");
    let mail = notify::Email::from_json(&outbox[0].payload).expect("payload");
    let token: String = mail
        .text
        .split("token=")
        .nth(1)
        .expect("token")
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    app.clock.advance(61 * 60 * 1000);
    let page = c
        .get(app.url(&format!("/password/reset?token={token}")))
        .text_body()
        .await;
    assert!(
        page.contains("This link no longer works"),
        "expired after an hour"
    );
}

async fn language_follows_user_then_browser(db: Db) {
    let app = TestApp::spawn(db).await;
    let anon = client();
    let sv = anon
        .get(app.url("/login"))
        .header("accept-language", "sv-SE,sv;q=0.9,en;q=0.5")
        .text_body()
        .await;
    assert!(sv.contains("<html lang=\"sv\">") && sv.contains("Logga in"));
    let en = anon
        .get(app.url("/login"))
        .header("accept-language", "de-DE, en;q=0.8")
        .text_body()
        .await;
    assert!(en.contains("<html lang=\"en\">") && en.contains("Sign in"));
    // The language switch in the footer sets a cookie that beats the browser.
    let r = anon
        .get(app.url("/language/sv?next=/login"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/login");
    let page = anon
        .get(app.url("/login"))
        .header("accept-language", "en")
        .text_body()
        .await;
    assert!(page.contains("Logga in"));
    // A user's own setting beats both.
    let c = app.signed_in("member@acme.test").await;
    let csrf = app.csrf(&c, "/settings").await;
    c.post(app.url("/settings/language"))
        .form(&[("csrf", csrf.as_str()), ("language", "en"), ("next", "/")])
        .send()
        .await
        .expect("post");
    let home = c
        .get(app.url("/"))
        .header("accept-language", "sv")
        .text_body()
        .await;
    assert!(home.contains("Hello Maja Medlem"), "{home}");
    let r = c.get(app.url("/language/xx")).send().await.expect("get");
    assert_eq!(r.status(), 422, "unknown language is a clear error");
}

async fn staff_manage_organisations_and_users(db: Db) {
    let app = TestApp::spawn(db).await;
    // Only support admins reach the staff pages.
    for who in [
        "agent@statusdesk.test",
        "admin@acme.test",
        "member@acme.test",
    ] {
        let c = app.signed_in(who).await;
        let r = c.get(app.url("/staff")).send().await.expect("get");
        assert_eq!(r.status(), 403, "{who}");
        assert!(
            r.text()
                .await
                .expect("text")
                .contains("Only support admins can do this.")
        );
    }
    let c = app.signed_in("support@statusdesk.test").await;
    let page = c.get(app.url("/staff")).text_body().await;
    assert!(page.contains("Acme") && page.contains("Globex") && page.contains("Initech"));
    let csrf = csrf_in(&page).expect("csrf");
    let r = c
        .post(app.url("/staff/organisations"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Umbrella"),
            ("plan", "advanced"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let org_page = location(&r);
    assert!(org_page.starts_with("/staff/organisations/"));
    let org_id = org_page
        .trim_start_matches("/staff/organisations/")
        .split('?')
        .next()
        .expect("id")
        .to_string();
    // Duplicate names and bad plans are explained, not 500s.
    let r = c
        .post(app.url("/staff/organisations"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "umbrella"),
            ("plan", "core"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .expect("text")
            .contains("That already exists.")
    );
    let r = c
        .post(app.url("/staff/organisations"))
        .form(&[("csrf", csrf.as_str()), ("name", "Wayne"), ("plan", "gold")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .expect("text")
            .contains("Choose Core, Advanced or Enterprise.")
    );

    let r = c
        .post(app.url(&format!("/staff/organisations/{org_id}/users")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Ursula Umbrella"),
            ("email", "ursula@umbrella.test"),
            ("role", "admin"),
            ("password", "umbrella-secret-1"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let r = c
        .post(app.url(&format!("/staff/organisations/{org_id}/plan")))
        .form(&[("csrf", csrf.as_str()), ("plan", "enterprise")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let r = c
        .post(app.url(&format!("/staff/organisations/{org_id}/chat")))
        .form(&[("csrf", csrf.as_str()), ("chat_rollout", "on")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);

    // The new admin signs in and sees an Enterprise organisation with chat.
    let u = client();
    assert_eq!(
        app.sign_in_with(&u, "ursula@umbrella.test", "umbrella-secret-1")
            .await
            .status(),
        303
    );
    let token = {
        let r = app
            .client
            .post(app.url("/api/v1/tokens"))
            .json(&serde_json::json!({"email": "ursula@umbrella.test", "password": "umbrella-secret-1"}))
            .send()
            .await
            .expect("post");
        let v: serde_json::Value = r.json().await.expect("json");
        v["token"].as_str().expect("token").to_string()
    };
    let me: serde_json::Value = app
        .api_get(&token, "/api/v1/me")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["organisation"]["plan"], "enterprise");
    assert_eq!(me["direct_support"], true);
    assert_eq!(me["chat"], true);

    // Chat follows the rollout percentage for organisations left on default.
    let r = c
        .post(app.url("/staff/chat-rollout"))
        .form(&[("csrf", csrf.as_str()), ("percent", "100")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let acme = app.token("admin@acme.test").await;
    let me: serde_json::Value = app
        .api_get(&acme, "/api/v1/me")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["chat"], true, "100 % rollout reaches Acme");
    let r = c
        .post(app.url("/staff/chat-rollout"))
        .form(&[("csrf", csrf.as_str()), ("percent", "250")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);

    // New staff members.
    let r = c
        .post(app.url("/staff/users"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Nora New"),
            ("email", "nora@statusdesk.test"),
            ("role", "agent"),
            ("password", "agent-password-1"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let r = c
        .post(app.url("/staff/users"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Bad Role"),
            ("email", "bad@statusdesk.test"),
            ("role", "admin"),
            ("password", "agent-password-1"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    let page = c.get(app.url("/staff")).text_body().await;
    assert!(page.contains("Nora New") && !page.contains("Bad Role"));
}

async fn every_page_links_to_the_status_page(db: Db) {
    let app = TestApp::spawn(db).await;
    let anon = client();
    let admin = app.signed_in("admin@acme.test").await;
    let support = app.signed_in("support@statusdesk.test").await;
    let pages: Vec<(&reqwest::Client, &str)> = vec![
        (&anon, "/"),
        (&anon, "/login"),
        (&anon, "/password/forgot"),
        (&anon, "/status"),
        (&anon, "/no/such/page"),
        (&admin, "/"),
        (&admin, "/admin"),
        (&admin, "/settings"),
        (&admin, "/staff"),
        (&support, "/staff"),
    ];
    for (c, path) in pages {
        let html = c.get(app.url(path)).text_body().await;
        let footer = html
            .split("<footer")
            .nth(1)
            .unwrap_or_else(|| panic!("{path} has no footer"));
        assert!(
            footer.contains("href=\"/status\""),
            "{path} footer lacks the status link"
        );
    }
}

/// The address a form leaves in the bar, opened again, leads back to the
/// page the form was on, never to a bare "405"; the API answers 405 in JSON.
async fn get_on_a_form_address_leads_back_to_its_page(db: Db) {
    let app = TestApp::spawn(db).await;
    let c = app.signed_in("admin@acme.test").await;
    for (path, to) in [
        ("/logout", "/"),
        ("/settings/tokens", "/settings"),
        ("/settings/password", "/settings"),
        ("/staff/status/incidents", "/staff/status"),
    ] {
        let r = c.get(app.url(path)).send().await.expect("get");
        assert_eq!(r.status(), 303, "{path}");
        assert_eq!(location(&r), to, "{path}");
    }
    // Still signed in: the GET did not sign anyone out.
    let home = c.get(app.url("/settings")).send().await.expect("get");
    assert_eq!(home.status(), 200);
    let r = client()
        .delete(app.url("/api/v1/requests"))
        .header("accept-language", "sv")
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status(), 405);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["code"], "method_not_allowed");
    assert!(
        v["error"]
            .as_str()
            .is_some_and(|e| e.contains("API-dokumentationen"))
    );
}

/// The cached status page asks /nav for a signed-in person's navigation:
/// their own, never cached, and nothing for a visitor.
async fn the_nav_fragment_is_the_signed_in_persons_own(db: Db) {
    let app = TestApp::spawn(db).await;
    let c = client();
    let r = app
        .sign_in_with(&c, "admin@acme.test", statusdesk::demo::PASSWORD)
        .await;
    let marker = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sd_signed_in=1"))
        .expect("the marker cookie")
        .to_string();
    assert!(
        !marker.to_lowercase().contains("httponly"),
        "scripts read it: {marker}"
    );
    let r = c.get(app.url("/nav")).send().await.expect("nav");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "private, no-store");
    let html = r.text().await.expect("text");
    assert!(
        html.contains("Ada Andersson") && html.contains("action=\"/logout\""),
        "{html}"
    );
    assert!(!html.contains("href=\"/login\""));
    let r = client().get(app.url("/nav")).send().await.expect("nav");
    assert_eq!(r.status(), 204);
}

async fn errors_are_friendly_pages(db: Db) {
    let app = TestApp::spawn(db).await;
    let r = client()
        .get(app.url("/no/such/page"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 404);
    assert!(r.headers().get("x-request-id").is_some());
    let html = r.text().await.expect("text");
    assert!(html.contains("Page not found") && html.contains("<footer"));
    let r = client()
        .get(app.url("/no/such/page"))
        .header("accept-language", "sv")
        .send()
        .await
        .expect("get");
    assert!(
        r.text()
            .await
            .expect("text")
            .contains("Sidan hittades inte")
    );
    // Member of an organisation: the admin panel is explained, not hidden.
    let m = app.signed_in("member@acme.test").await;
    let r = m.get(app.url("/admin")).send().await.expect("get");
    assert_eq!(r.status(), 403);
    assert!(
        r.text()
            .await
            .expect("text")
            .contains("administrators can do this.")
    );
    // A bad form value is a 4xx page that names the problem.
    let s = app.signed_in("support@statusdesk.test").await;
    let csrf = app.csrf(&s, "/staff").await;
    let r = s
        .post(app.url("/staff/organisations/nope/plan"))
        .form(&[("csrf", csrf.as_str()), ("plan", "platinum")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("text").contains("platinum"));
    let r = s
        .post(app.url("/staff/organisations/nope/plan"))
        .form(&[("csrf", csrf.as_str()), ("plan", "core")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 404);
}

on_both!(
    sign_in_sees_admin_panel_and_signs_out,
    wrong_password_is_refused,
    sign_in_is_rate_limited_per_account_and_address,
    posts_without_csrf_token_are_refused,
    sign_in_renews_the_session,
    password_change_checks_its_input,
    password_reset_by_emailed_link,
    password_change_revokes_tokens_and_support_admins_revoke_access,
    get_on_a_form_address_leads_back_to_its_page,
    the_nav_fragment_is_the_signed_in_persons_own,
    reset_links_expire,
    language_follows_user_then_browser,
    staff_manage_organisations_and_users,
    every_page_links_to_the_status_page,
    errors_are_friendly_pages,
);
