//! Two-factor sign-in (TOTP, RFC 6238, with recovery codes): setting it up,
//! the second step on the sign-in page and for API tokens, each code once,
//! throttled wrong codes, and the support admins' rule for staff. On a
//! controlled clock, so codes are computed for known moments.
use crate::harness::{Db, Fetch, Options, TestApp, client, csrf_in};
use crate::on_both;
use serde_json::{Value, json};

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

fn sets_session(r: &reqwest::Response) -> bool {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with("sd_session=") && !v.starts_with("sd_session=;"))
}

async fn spawn(db: Db) -> TestApp {
    TestApp::spawn_with(
        db,
        Options {
            manual_clock: true,
            ..Options::default()
        },
    )
    .await
}

/// The code an authenticator app shows for `secret` on the server's clock.
fn code_now(app: &TestApp, secret: &[u8]) -> String {
    use domain::Clock;
    let step = app::totp::step_of(app.clock.now_ms());
    format!("{:06}", app::totp::hotp(secret, step as u64))
}

/// A code that is surely not the current one (nor a neighbour's).
fn wrong_code(app: &TestApp, secret: &[u8]) -> String {
    use domain::Clock;
    let now = app.clock.now_ms();
    (0..1_000_000u32)
        .map(|n| format!("{n:06}"))
        .find(|c| app::totp::matching_step(secret, now, c).is_none())
        .expect("a wrong code")
}

/// Sets up two-factor sign-in for the signed-in client: returns the secret
/// (read off the page as a person types it) and the recovery codes shown.
async fn set_up(app: &TestApp, c: &reqwest::Client) -> (Vec<u8>, Vec<String>) {
    let page = c.get(app.url("/settings/two-factor")).text_body().await;
    assert!(page.contains("Set up two-factor sign-in"), "{page}");
    let csrf = csrf_in(&page).expect("csrf");
    let r = c
        .post(app.url("/settings/two-factor/start"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("start");
    assert_eq!(r.status(), 303);
    let page = c.get(app.url("/settings/two-factor")).text_body().await;
    let marker = "id=\"two-factor-key\">";
    let at = page.find(marker).expect("key shown") + marker.len();
    let key: String = page[at..]
        .chars()
        .take_while(|c| *c != '<')
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(
        page.contains("otpauth://totp/statusdesk%20%28127.0.0.1")
            && page.contains(&format!("?secret={key}&#38;issuer=statusdesk")),
        "the otpauth address carries the same key: {page}"
    );
    let secret = app::totp::from_base32(&key).expect("base32 key");
    assert_eq!(secret.len(), 20, "160 bits, as RFC 4226 recommends");

    // A wrong code does not turn it on.
    let r = c
        .post(app.url("/settings/two-factor/confirm"))
        .form(&[("csrf", csrf.as_str()), ("code", &wrong_code(app, &secret))])
        .send()
        .await
        .expect("confirm");
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .expect("text")
            .contains("That code is not right")
    );

    let r = c
        .post(app.url("/settings/two-factor/confirm"))
        .form(&[("csrf", csrf.as_str()), ("code", &code_now(app, &secret))])
        .send()
        .await
        .expect("confirm");
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let page = r.text().await.expect("text");
    let codes: Vec<String> = page
        .split("<li><code>")
        .skip(1)
        .filter_map(|s| s.split('<').next())
        .map(str::to_string)
        .collect();
    assert_eq!(codes.len(), 10, "{page}");
    assert!(codes.iter().all(|c| c.len() == 19), "{codes:?}");
    (secret, codes)
}

/// The password step of a sign-in from a new browser.
async fn password_step(app: &TestApp, email: &str) -> (reqwest::Client, reqwest::Response) {
    let c = client();
    let r = app
        .sign_in_with(&c, email, statusdesk::demo::PASSWORD)
        .await;
    (c, r)
}

async fn code_step(app: &TestApp, c: &reqwest::Client, code: &str) -> reqwest::Response {
    let page = c
        .get(app.url("/login/two-factor?next=/settings"))
        .send()
        .await
        .expect("get");
    let page = page.text().await.expect("text");
    let csrf = csrf_in(&page).unwrap_or_default();
    c.post(app.url("/login/two-factor"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("code", code),
            ("next", "/settings"),
        ])
        .send()
        .await
        .expect("post code")
}

async fn app_codes_recovery_codes_and_tokens(db: Db) {
    let app = spawn(db).await;
    let ada = app.signed_in("admin@acme.test").await;
    let settings = ada.get(app.url("/settings")).text_body().await;
    assert!(settings.contains("Two-factor sign-in") && settings.contains(">Off<"));
    let (secret, codes) = set_up(&app, &ada).await;
    let settings = ada.get(app.url("/settings")).text_body().await;
    assert!(settings.contains(">On<"), "{settings}");

    // The password alone no longer signs in: it leads to the code step.
    let (c, r) = password_step(&app, "admin@acme.test").await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/login/two-factor?next=%2F");
    assert!(!sets_session(&r), "no session before the code");
    let r = c.get(app.url("/settings")).send().await.expect("get");
    assert_eq!(r.status(), 303, "not signed in yet");
    let form = c.get(app.url("/login/two-factor")).text_body().await;
    assert!(form.contains("autocomplete=\"one-time-code\""), "{form}");

    // The code that confirmed the setup does not sign in again (same
    // step), a wrong one neither; the next step's does.
    let r = code_step(&app, &c, &code_now(&app, &secret)).await;
    assert_eq!(r.status(), 401, "a code works once");
    assert!(!sets_session(&r));
    app.clock.advance(30_000);
    let r = code_step(&app, &c, &wrong_code(&app, &secret)).await;
    assert_eq!(r.status(), 401);
    assert!(
        r.text()
            .await
            .expect("text")
            .contains("That code is not right")
    );
    let code = code_now(&app, &secret);
    let spaced = format!("{} {}", &code[..3], &code[3..]);
    let r = code_step(&app, &c, &spaced).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/settings");
    assert!(sets_session(&r));
    let page = c.get(app.url("/settings")).text_body().await;
    assert!(page.contains("Ada Andersson"), "signed in");

    // A recovery code signs in once, however it is typed.
    let (c2, _) = password_step(&app, "admin@acme.test").await;
    let r = code_step(&app, &c2, &codes[0].to_uppercase().replace('-', " ")).await;
    assert_eq!(r.status(), 303, "a recovery code");
    let (c3, _) = password_step(&app, "admin@acme.test").await;
    let r = code_step(&app, &c3, &codes[0]).await;
    assert_eq!(r.status(), 401, "a spent recovery code");
    let manage = c2.get(app.url("/settings/two-factor")).text_body().await;
    assert!(manage.contains("9 unused recovery codes left"), "{manage}");

    // The code step is not a way around the password: without the
    // password's cookie it sends back to the start.
    let stranger = client();
    let r = stranger
        .get(app.url("/login/two-factor"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 303);
    assert!(location(&r).starts_with("/login?next="), "{}", location(&r));

    // Tokens: the code goes in `otp`.
    let r = app
        .client
        .post(app.url("/api/v1/tokens"))
        .json(&json!({"email": "admin@acme.test", "password": statusdesk::demo::PASSWORD}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["code"], "two_factor_required", "{body}");
    assert_eq!(body["field"], "otp", "{body}");
    let r = app
        .client
        .post(app.url("/api/v1/tokens"))
        .json(
            &json!({"email": "admin@acme.test", "password": statusdesk::demo::PASSWORD,
                      "otp": wrong_code(&app, &secret)}),
        )
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["code"], "two_factor_code_wrong", "{body}");
    app.clock.advance(30_000);
    let r = app
        .client
        .post(app.url("/api/v1/tokens"))
        .json(
            &json!({"email": "admin@acme.test", "password": statusdesk::demo::PASSWORD,
                      "otp": code_now(&app, &secret), "label": "ci"}),
        )
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 201);
    let token: Value = r.json().await.expect("json");
    let token = token["token"].as_str().expect("token").to_string();
    let me: Value = app
        .api_get(&token, "/api/v1/me")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["two_factor"], true, "{me}");
    assert_eq!(me["two_factor_setup_required"], false, "{me}");
    // A wrong password with a right code is still a wrong password.
    app.clock.advance(30_000);
    let r = app
        .client
        .post(app.url("/api/v1/tokens"))
        .json(
            &json!({"email": "admin@acme.test", "password": "not it at all",
                      "otp": code_now(&app, &secret)}),
        )
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["code"], "bad_credentials", "{body}");

    // New recovery codes replace the old ones.
    let csrf = app.csrf(&c, "/settings/two-factor").await;
    let r = c
        .post(app.url("/settings/two-factor/recovery"))
        .form(&[("csrf", csrf.as_str()), ("code", &code_now(&app, &secret))])
        .send()
        .await
        .expect("renew");
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .expect("text")
            .contains("Save your recovery codes")
    );
    let (c4, _) = password_step(&app, "admin@acme.test").await;
    assert_eq!(
        code_step(&app, &c4, &codes[1]).await.status(),
        401,
        "old codes are void"
    );

    // The code step lasts five minutes.
    let (c5, _) = password_step(&app, "admin@acme.test").await;
    let form = c5.get(app.url("/login/two-factor")).text_body().await;
    let csrf = csrf_in(&form).expect("csrf");
    app.clock.advance(6 * 60_000);
    let r = c5
        .post(app.url("/login/two-factor"))
        .form(&[("csrf", csrf.as_str()), ("code", &code_now(&app, &secret))])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    assert!(
        location(&r).starts_with("/login?next=")
            && location(&r).contains("done=two-factor-expired"),
        "{}",
        location(&r)
    );

    // Turning it off takes the password.
    let csrf = app.csrf(&c, "/settings/two-factor").await;
    let r = c
        .post(app.url("/settings/two-factor/disable"))
        .form(&[("csrf", csrf.as_str()), ("password", "not the password")])
        .send()
        .await
        .expect("disable");
    assert_eq!(r.status(), 422);
    let r = c
        .post(app.url("/settings/two-factor/disable"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("password", statusdesk::demo::PASSWORD),
        ])
        .send()
        .await
        .expect("disable");
    assert_eq!(r.status(), 303);
    let (_, r) = password_step(&app, "admin@acme.test").await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/", "the password alone signs in again");
    assert!(sets_session(&r));
}

/// Guessing codes: a few wrong ones are free, then each waits (doubling),
/// so six digits cannot be walked through.
async fn wrong_codes_are_throttled(db: Db) {
    let app = spawn(db).await;
    let ada = app.signed_in("admin@acme.test").await;
    let (secret, _) = set_up(&app, &ada).await;
    app.clock.advance(30_000);
    let (c, _) = password_step(&app, "admin@acme.test").await;
    let wrong = wrong_code(&app, &secret);
    for attempt in 1..=5 {
        assert_eq!(
            code_step(&app, &c, &wrong).await.status(),
            401,
            "attempt {attempt}"
        );
    }
    let r = code_step(&app, &c, &code_now(&app, &secret)).await;
    assert_eq!(r.status(), 429, "even the right code waits its turn");
    let wait: i64 = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!(wait >= 1, "Retry-After {wait}");
    // Tokens count against the same account.
    let r = app
        .client
        .post(app.url("/api/v1/tokens"))
        .json(
            &json!({"email": "admin@acme.test", "password": statusdesk::demo::PASSWORD,
                      "otp": code_now(&app, &secret)}),
        )
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 429);
    app.clock.advance(1_000);
    let r = code_step(&app, &c, &code_now(&app, &secret)).await;
    assert_eq!(r.status(), 303, "after the wait the right code works");
}

async fn support_admins_require_it_of_staff(db: Db) {
    let app = spawn(db).await;
    let alex = app.signed_in("agent@statusdesk.test").await;
    let alex_token = app.token("agent@statusdesk.test").await;
    let customer_token = app.token("admin@acme.test").await;
    assert_eq!(
        alex.get(app.url("/agent"))
            .send()
            .await
            .expect("get")
            .status(),
        200
    );

    // Agents may not switch the rule.
    let csrf = app.csrf(&alex, "/agent").await;
    let r = alex
        .post(app.url("/staff/two-factor"))
        .form(&[("csrf", csrf.as_str()), ("required", "on")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);

    let sam = app.signed_in("support@statusdesk.test").await;
    let staff = sam.get(app.url("/staff")).text_body().await;
    assert!(staff.contains("Require two-factor sign-in for all staff"));
    assert!(!staff.contains("id=\"two-factor-required\" checked"));
    let csrf = csrf_in(&staff).expect("csrf");
    let r = sam
        .post(app.url("/staff/two-factor"))
        .form(&[("csrf", csrf.as_str()), ("required", "on")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);

    // Staff without a second factor are sent to set one up; the API
    // refuses them with the reason; customers are not affected.
    for c in [&alex, &sam] {
        let r = c.get(app.url("/agent")).send().await.expect("get");
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), "/settings/two-factor");
    }
    let r = app.api_get(&alex_token, "/api/v1/requests").await;
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["code"], "two_factor_required", "{body}");
    let me: Value = app
        .api_get(&alex_token, "/api/v1/me")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["two_factor_setup_required"], true, "{me}");
    assert_eq!(
        app.api_get(&customer_token, "/api/v1/requests")
            .await
            .status(),
        200
    );
    let page = alex.get(app.url("/settings/two-factor")).text_body().await;
    assert!(page.contains("Support admins require staff"), "{page}");
    // The public status page stays open to them.
    assert_eq!(
        alex.get(app.url("/status"))
            .send()
            .await
            .expect("get")
            .status(),
        200
    );

    let _ = set_up(&app, &alex).await;
    assert_eq!(
        alex.get(app.url("/agent"))
            .send()
            .await
            .expect("get")
            .status(),
        200
    );
    assert_eq!(
        app.api_get(&alex_token, "/api/v1/requests").await.status(),
        200,
        "their token works again"
    );

    // Support admins reset a lost second factor (after setting up their
    // own); the agent is then asked to set it up again.
    let _ = set_up(&app, &sam).await;
    let (alex_user, _) = app
        .store
        .principal_by_email("agent@statusdesk.test")
        .await
        .expect("lookup")
        .expect("alex");
    let csrf = app.csrf(&sam, "/staff").await;
    let r = sam
        .post(app.url(&format!(
            "/staff/users/{}/two-factor/reset",
            alex_user.user.id
        )))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/staff?done=two-factor-reset");
    let r = alex.get(app.url("/agent")).send().await.expect("get");
    assert_eq!(location(&r), "/settings/two-factor");

    // Switched off again, staff work without it.
    let csrf = app.csrf(&sam, "/staff").await;
    let r = sam
        .post(app.url("/staff/two-factor"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    assert_eq!(
        alex.get(app.url("/agent"))
            .send()
            .await
            .expect("get")
            .status(),
        200
    );
}

on_both!(
    app_codes_recovery_codes_and_tokens,
    wrong_codes_are_throttled,
    support_admins_require_it_of_staff,
);
