//! Status integrations (Slack, Teams, Discord, signed webhooks) and Web Push,
//! delivered to a real HTTP receiver on loopback that checks signatures and
//! decrypts push payloads with the subscription's keys.
use crate::harness::{Db, Fetch, Options, TestApp, component_id, delete_as, post_json};
use crate::on_both;
use axum::http::HeaderMap;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Hit {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Hit {
    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("json body")
    }
}

/// An HTTP server on loopback that records every request by path and
/// answers with the status set for the path (200 unless told otherwise).
pub struct Receiver {
    pub base: String,
    hits: Arc<Mutex<HashMap<String, Vec<Hit>>>>,
    status: Arc<Mutex<HashMap<String, u16>>>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let hits: Arc<Mutex<HashMap<String, Vec<Hit>>>> = Arc::default();
        let status: Arc<Mutex<HashMap<String, u16>>> = Arc::default();
        let (h, s) = (hits.clone(), status.clone());
        let app = axum::Router::new().fallback(
            move |uri: axum::http::Uri, headers: HeaderMap, body: axum::body::Bytes| {
                let (h, s) = (h.clone(), s.clone());
                async move {
                    let path = uri.path().to_string();
                    if let Ok(mut hits) = h.lock() {
                        hits.entry(path.clone()).or_default().push(Hit {
                            headers,
                            body: body.to_vec(),
                        });
                    }
                    let code = s.lock().ok().and_then(|s| s.get(&path).copied());
                    axum::http::StatusCode::from_u16(code.unwrap_or(200))
                        .unwrap_or(axum::http::StatusCode::OK)
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver {
            base: format!("http://{addr}"),
            hits,
            status,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn answer(&self, path: &str, code: u16) {
        if let Ok(mut s) = self.status.lock() {
            s.insert(path.to_string(), code);
        }
    }

    pub fn hits(&self, path: &str) -> Vec<Hit> {
        self.hits
            .lock()
            .ok()
            .and_then(|h| h.get(path).cloned())
            .unwrap_or_default()
    }

    /// Waits until `path` has had `n` requests.
    pub async fn wait_for(&self, path: &str, n: usize) -> Vec<Hit> {
        for _ in 0..150 {
            let got = self.hits(path);
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{path} got {} of {n} requests", self.hits(path).len());
    }
}

fn allow_private() -> Options {
    Options {
        settings: vec![("webhooks_allow_private_targets", "true".into())],
        ..Options::default()
    }
}

/// The receiver's "now": the server's clock, which tests start at a fixed date.
fn now_secs(app: &TestApp) -> i64 {
    domain::Clock::now_ms(app.app.clock.as_ref()).div_euclid(1000)
}

fn verify(app: &TestApp, hit: &Hit, secret: &str) -> Result<(), &'static str> {
    notify::http::verify(
        secret,
        &hit.header("x-statusdesk-timestamp"),
        &hit.header("x-statusdesk-signature"),
        &hit.body,
        now_secs(app),
    )
}

async fn webhooks_are_signed_and_follow_the_incident(db: Db) {
    let rx = Receiver::start().await;
    let app = TestApp::spawn_with(db, allow_private()).await;
    let admin = app.token("admin@acme.test").await;
    let secret = "a-long-shared-secret-0123";
    let r = post_json(
        &app,
        &admin,
        "/api/v1/integrations",
        json!({"kind": "webhook", "url": rx.url("/hook"), "secret": secret}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let made: Value = r.json().await.expect("json");
    assert_eq!(made["signed"], true);
    assert!(
        made.get("secret").is_none(),
        "the caller's own secret is not echoed"
    );
    // Without a secret of its own, a webhook gets one, shown once.
    let r = post_json(
        &app,
        &admin,
        "/api/v1/integrations",
        json!({"kind": "webhook", "url": rx.url("/hook2")}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let generated = r.json::<Value>().await.expect("json")["secret"]
        .as_str()
        .expect("generated secret")
        .to_string();
    assert!(generated.starts_with("whsec_") && generated.len() > 30);
    // Only Chat: an incident on Login is not posted there.
    let chat = component_id(&app, "Chat").await;
    let login = component_id(&app, "Login").await;
    let r = post_json(
        &app,
        &admin,
        "/api/v1/integrations",
        json!({"kind": "slack", "url": rx.url("/slack"), "components": [chat]}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let list = app.api_get(&admin, "/api/v1/integrations").await;
    let list: Value = list.json().await.expect("json");
    assert_eq!(list["integrations"].as_array().map(Vec::len), Some(3));
    assert!(
        list.to_string().find("whsec_").is_none(),
        "secrets are never listed"
    );

    let agent = app.token("agent@statusdesk.test").await;
    let r = post_json(
        &app,
        &agent,
        "/api/v1/incidents",
        json!({"name": "Sign-in fails", "status": "investigating", "impact": "major", "body": "Users cannot sign in.", "components": {login.clone(): "major_outage"}}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let incident = r.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let hit = rx.wait_for("/hook", 1).await.remove(0);
    assert_eq!(verify(&app, &hit, secret), Ok(()));
    assert_eq!(
        verify(&app, &hit, "some-other-secret-value"),
        Err("bad signature")
    );
    // A replay after five minutes is rejected by the documented check.
    assert!(
        notify::http::verify(
            secret,
            &hit.header("x-statusdesk-timestamp"),
            &hit.header("x-statusdesk-signature"),
            &hit.body,
            now_secs(&app) + 301
        )
        .is_err()
    );
    let body = hit.json();
    assert_eq!(body["event"], "incident.created");
    assert_eq!(body["incident"]["id"], incident.as_str());
    assert_eq!(body["incident"]["name"], "Sign-in fails");
    assert_eq!(body["incident"]["impact"], "major");
    assert_eq!(body["incident"]["components"][0]["status"], "major_outage");
    assert_eq!(body["update"]["status"], "investigating");
    let first_key = hit.header("idempotency-key");
    assert!(first_key.starts_with("update:"), "{first_key}");
    let hit2 = rx.wait_for("/hook2", 1).await.remove(0);
    assert_eq!(verify(&app, &hit2, &generated), Ok(()));

    // More words without a status change: no post. A status change and the
    // resolution: one post each.
    let updates_path = format!("/api/v1/incidents/{incident}/updates");
    let update = |status: &'static str| {
        post_json(
            &app,
            &agent,
            &updates_path,
            json!({"status": status, "body": format!("Now {status}.")}),
        )
    };
    assert_eq!(update("investigating").await.status(), 201);
    assert_eq!(update("identified").await.status(), 201);
    let hits = rx.wait_for("/hook", 2).await;
    assert_eq!(hits[1].json()["event"], "incident.updated");
    assert_eq!(hits[1].json()["update"]["status"], "identified");
    assert_eq!(update("resolved").await.status(), 201);
    let hits = rx.wait_for("/hook", 3).await;
    assert_eq!(hits[2].json()["event"], "incident.resolved");
    assert_eq!(
        hits.len(),
        3,
        "the update without a status change was not posted"
    );
    let keys: std::collections::HashSet<String> =
        hits.iter().map(|h| h.header("idempotency-key")).collect();
    assert_eq!(keys.len(), 3, "one idempotency key per delivery");
    assert!(
        rx.hits("/slack").is_empty(),
        "the Chat-only integration heard nothing"
    );
}

async fn integrations_are_formatted_tested_and_owned(db: Db) {
    let rx = Receiver::start().await;
    let app = TestApp::spawn_with(db, allow_private()).await;
    let admin = app.token("admin@acme.test").await;
    let mut ids = HashMap::new();
    for kind in ["slack", "teams", "discord"] {
        let r = post_json(
            &app,
            &admin,
            "/api/v1/integrations",
            json!({"kind": kind, "url": rx.url(&format!("/{kind}"))}),
        )
        .await;
        assert_eq!(r.status(), 201, "{kind}");
        let v: Value = r.json().await.expect("json");
        assert_eq!(v["signed"], false);
        ids.insert(kind, v["id"].as_str().expect("id").to_string());
    }
    for kind in ["slack", "teams", "discord"] {
        let r = post_json(
            &app,
            &admin,
            &format!("/api/v1/integrations/{}/test", ids[kind]),
            json!({}),
        )
        .await;
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.expect("json");
        assert_eq!(v["delivered"], true, "{kind}: {v}");
    }
    let slack = rx.wait_for("/slack", 1).await[0].json();
    assert!(slack["text"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(slack["blocks"][0]["text"]["type"], "mrkdwn");
    let teams = rx.wait_for("/teams", 1).await[0].json();
    assert_eq!(teams["type"], "message");
    assert_eq!(
        teams["attachments"][0]["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(teams["attachments"][0]["content"]["type"], "AdaptiveCard");
    // An integration posts in its own language.
    let r = post_json(
        &app,
        &admin,
        "/api/v1/integrations",
        json!({"kind": "slack", "url": rx.url("/slack-sv"), "language": "sv"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["language"], "sv");
    let r = post_json(
        &app,
        &admin,
        &format!(
            "/api/v1/integrations/{}/test",
            v["id"].as_str().expect("id")
        ),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let swedish = rx.wait_for("/slack-sv", 1).await[0].json();
    assert!(
        swedish["text"]
            .as_str()
            .is_some_and(|t| t.contains("Test från statussidan")),
        "{swedish}"
    );
    assert!(
        !slack["text"]
            .as_str()
            .is_some_and(|t| t.contains("Test från statussidan"))
    );
    assert_eq!(
        delete_as(
            &app,
            &admin,
            &format!("/api/v1/integrations/{}", v["id"].as_str().expect("id"))
        )
        .await,
        204
    );
    let discord = rx.wait_for("/discord", 1).await[0].json();
    assert!(discord["embeds"][0]["title"].as_str().is_some());
    assert_eq!(discord["allowed_mentions"]["parse"], json!([]));

    // A target that fails: the test says so.
    rx.answer("/down", 500);
    let (_down, v) = add_and_test(
        &app,
        &admin,
        json!({"kind": "discord", "url": rx.url("/down")}),
    )
    .await;
    assert_eq!(v["delivered"], false);
    assert_eq!(v["error_code"], "status");
    assert!(
        v["error"]
            .as_str()
            .is_some_and(|e| e.contains("answered with HTTP 500")),
        "{v}"
    );
    // A TLS failure is said in the user's words; the detail stays in the log.
    let (tls, v) = add_and_test(
        &app,
        &admin,
        json!({"kind": "webhook", "url": rx.url("/tls").replacen("http://", "https://", 1)}),
    )
    .await;
    assert_eq!(v["delivered"], false);
    assert_eq!(v["error_code"], "tls", "{v}");
    let said = v["error"].as_str().unwrap_or_default();
    assert!(said.contains("certificate was not accepted"), "{v}");
    assert!(
        !said.to_lowercase().contains("rustls") && !said.contains("error sending request"),
        "no raw TLS error: {said}"
    );
    assert_eq!(
        delete_as(&app, &admin, &format!("/api/v1/integrations/{tls}")).await,
        204
    );

    // Bad input, with the field at fault.
    for (body, field) in [
        (json!({"kind": "irc", "url": rx.url("/x")}), "kind"),
        (json!({"kind": "slack", "url": "not a url"}), "url"),
        (
            json!({"kind": "slack", "url": "ftp://example.com/x"}),
            "url",
        ),
        (
            json!({"kind": "slack", "url": rx.url("/x"), "secret": "0123456789abcdef0"}),
            "secret",
        ),
        (
            json!({"kind": "webhook", "url": rx.url("/x"), "secret": "short"}),
            "secret",
        ),
        (
            json!({"kind": "slack", "url": rx.url("/x"), "components": ["nope"]}),
            "components",
        ),
        (
            json!({"kind": "slack", "url": rx.url("/x"), "language": "de"}),
            "language",
        ),
    ] {
        let r = post_json(&app, &admin, "/api/v1/integrations", body.clone()).await;
        assert_eq!(r.status(), 422, "{body}");
        let v: Value = r.json().await.expect("json");
        assert_eq!(v["field"], field, "{body}");
    }

    // Who may: admins of the organisation, on any plan; not members, not
    // staff; another organisation's integration does not exist for them.
    let member = app.token("member@acme.test").await;
    let r = post_json(
        &app,
        &member,
        "/api/v1/integrations",
        json!({"kind": "slack", "url": rx.url("/m")}),
    )
    .await;
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<Value>().await.expect("json")["reason"],
        "admins_only"
    );
    let agent = app.token("agent@statusdesk.test").await;
    let r = app.api_get(&agent, "/api/v1/integrations").await;
    assert_eq!(r.status(), 403);
    let core = app.token("admin@initech.test").await;
    let r = post_json(
        &app,
        &core,
        "/api/v1/integrations",
        json!({"kind": "slack", "url": rx.url("/core")}),
    )
    .await;
    assert_eq!(r.status(), 201, "the status page is for every plan");
    let globex = app.token("admin@globex.test").await;
    let r = post_json(
        &app,
        &globex,
        &format!("/api/v1/integrations/{}/test", ids["slack"]),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 404);
    assert_eq!(
        delete_as(
            &app,
            &globex,
            &format!("/api/v1/integrations/{}", ids["slack"])
        )
        .await,
        404
    );
    let list: Value = app
        .api_get(&globex, "/api/v1/integrations")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["integrations"], json!([]));
    assert_eq!(
        delete_as(
            &app,
            &admin,
            &format!("/api/v1/integrations/{}", ids["slack"])
        )
        .await,
        204
    );
    let list: Value = app
        .api_get(&admin, "/api/v1/integrations")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["integrations"].as_array().map(Vec::len), Some(3));

    // The admin page lists them and sends a test from a button.
    let web = app.signed_in("admin@acme.test").await;
    let page = web.get(app.url("/admin/integrations")).text_body().await;
    assert!(
        page.contains(&rx.url("/teams")),
        "the page lists the integrations"
    );
    let csrf = crate::harness::csrf_in(&page).expect("csrf");
    let r = web
        .post(app.url(&format!("/admin/integrations/{}/test", ids["teams"])))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert!(
        r.text()
            .await
            .expect("text")
            .contains("The test message was delivered.")
    );
    assert_eq!(rx.hits("/teams").len(), 2);
    let r = web
        .post(app.url("/admin/integrations"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("kind", "webhook"),
            ("url", &rx.url("/from-page")),
        ])
        .send()
        .await
        .expect("post");
    let page = r.text().await.expect("text");
    assert!(
        page.contains("whsec_"),
        "the generated secret is shown once"
    );
    let member_web = app.signed_in("member@acme.test").await;
    let r = member_web
        .get(app.url("/admin/integrations"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 403);
}

/// Adds an integration and sends it a test: (its id, the test's answer).
async fn add_and_test(app: &TestApp, token: &str, body: Value) -> (String, Value) {
    let r = post_json(app, token, "/api/v1/integrations", body).await;
    let id = r.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let v: Value = post_json(
        app,
        token,
        &format!("/api/v1/integrations/{id}/test"),
        json!({}),
    )
    .await
    .json()
    .await
    .expect("json");
    (id, v)
}

async fn private_targets_are_refused_unless_allowed(db: Db) {
    let rx = Receiver::start().await;
    let app = TestApp::spawn(db).await;
    let admin = app.token("admin@acme.test").await;
    for url in [
        rx.url("/hook"),
        "http://localhost/hook".to_string(),
        "http://10.1.2.3/hook".to_string(),
        "http://[::1]/hook".to_string(),
        "http://169.254.169.254/latest/meta-data".to_string(),
        // IPv6 that maps or translates to loopback, link-local or reserved.
        "http://[64:ff9b::a9fe:a9fe]/hook".to_string(),
        "http://[64:ff9b:1::7f00:1]/hook".to_string(),
        "http://[2002:7f00:1::1]/hook".to_string(),
        "http://[::127.0.0.1]/hook".to_string(),
        "http://[::ffff:0:7f00:1]/hook".to_string(),
        "http://[100::1]/hook".to_string(),
    ] {
        let r = post_json(
            &app,
            &admin,
            "/api/v1/integrations",
            json!({"kind": "webhook", "url": url}),
        )
        .await;
        assert_eq!(r.status(), 422, "{url}");
        let v: Value = r.json().await.expect("json");
        assert_eq!(v["field"], "url");
        assert!(
            v["error"].as_str().is_some_and(|e| e.contains("private")),
            "{v}"
        );
    }
    let (p256dh, auth, _) = browser_keys();
    let r = app
        .client
        .post(app.url("/api/v1/push-subscriptions"))
        .json(&json!({"endpoint": rx.url("/push"), "keys": {"p256dh": p256dh, "auth": auth}}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.expect("json")["field"], "endpoint");
    // The delivery client checks every connection too: a name that
    // resolves to loopback is refused when it is used.
    let strict = notify::http::client(false);
    let port = rx.base.rsplit(':').next().unwrap_or("0").to_string();
    let e = strict
        .post(format!("http://localhost:{port}/hook"))
        .send()
        .await
        .expect_err("refused");
    assert!(
        notify::webhook::error_chain(&e).contains("non-public"),
        "{e:?}"
    );
    assert!(rx.hits("/hook").is_empty());
}

async fn a_failing_target_trips_its_circuit_breaker(db: Db) {
    let rx = Receiver::start().await;
    rx.answer("/down", 503);
    let app = TestApp::spawn_with(
        db,
        Options {
            manual_clock: true,
            ..allow_private()
        },
    )
    .await;
    let admin = app.token("admin@acme.test").await;
    let r = post_json(
        &app,
        &admin,
        "/api/v1/integrations",
        json!({"kind": "webhook", "url": rx.url("/down")}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let agent = app.token("agent@statusdesk.test").await;
    let chat = component_id(&app, "Chat").await;
    let webhook_rows = || async {
        app.store
            .recent_outbox(500)
            .await
            .expect("outbox")
            .into_iter()
            .filter(|m| m.channel == "webhook")
            .collect::<Vec<_>>()
    };
    // Five failures in a row, one incident at a time.
    for i in 0..6 {
        let r = post_json(
            &app,
            &agent,
            "/api/v1/incidents",
            json!({"name": format!("Problem {i}"), "status": "investigating", "impact": "minor", "body": "Looking.", "components": {chat.clone(): "degraded_performance"}}),
        )
        .await;
        assert_eq!(r.status(), 201);
        let mut settled = false;
        for _ in 0..100 {
            let rows = webhook_rows().await;
            if rows.len() == i + 1 && rows.iter().all(|m| m.last_error.is_some()) {
                settled = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(settled, "delivery {i} was not attempted");
    }
    let rows = webhook_rows().await;
    let tried: Vec<_> = rows.iter().filter(|m| m.attempts == 1).collect();
    let held: Vec<_> = rows.iter().filter(|m| m.attempts == 0).collect();
    assert_eq!(tried.len(), 5, "{rows:#?}");
    assert!(
        tried
            .iter()
            .all(|m| m.last_error.as_deref().is_some_and(|e| e.contains("503")))
    );
    assert_eq!(held.len(), 1, "the sixth waits behind the open breaker");
    assert!(
        held[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("circuit open"))
    );
    assert_eq!(rx.hits("/down").len(), 5, "the target was left alone");
    // The target recovers; after the cool-down and the backoff everything
    // is delivered, nothing given up.
    rx.answer("/down", 200);
    app.clock.advance(2 * 3_600_000);
    let mut done = false;
    for _ in 0..100 {
        let rows = webhook_rows().await;
        if rows.iter().all(|m| m.state == "done") {
            done = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(done, "{:#?}", webhook_rows().await);
    assert_eq!(rx.hits("/down").len(), 11);
}

/// A browser's push keys: the P-256 public key and auth secret it would
/// give `pushManager.subscribe`, and the private key to decrypt with.
fn browser_keys() -> (String, String, web_push_native::p256::SecretKey) {
    use rand::RngCore;
    use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;
    let secret = loop {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        if let Ok(k) = web_push_native::p256::SecretKey::from_slice(&bytes) {
            break k;
        }
    };
    let public = secret.public_key().to_encoded_point(false);
    let mut auth = [0u8; 16];
    rand::rng().fill_bytes(&mut auth);
    (
        URL_SAFE_NO_PAD.encode(public.as_bytes()),
        URL_SAFE_NO_PAD.encode(auth),
        secret,
    )
}

async fn web_push_reaches_the_browser_encrypted(db: Db) {
    use web_push_native::jwt_simple::prelude::{
        ECDSAP256PublicKeyLike, ES256PublicKey, NoCustomClaims,
    };
    let rx = Receiver::start().await;
    rx.answer("/push/gone", 410);
    let app = TestApp::spawn_with(db, allow_private()).await;
    let key: Value = app.public_json("/api/v1/push/key").await;
    let vapid = key["public_key"].as_str().expect("key").to_string();
    assert_eq!(
        URL_SAFE_NO_PAD.decode(&vapid).map(|k| k.len()).ok(),
        Some(65)
    );
    // The status page offers the browser the same key.
    let page = app.client.get(app.url("/status")).text_body().await;
    assert!(page.contains(&format!("data-key=\"{vapid}\"")));
    let sw = app.client.get(app.url("/sw.js")).send().await.expect("sw");
    assert!(
        sw.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/javascript"))
    );
    assert!(sw.text().await.expect("text").contains("showNotification"));

    let (p256dh, auth, secret) = browser_keys();
    let subscribe = |endpoint: String, p256dh: String, auth: String| {
        app.client
            .post(app.url("/api/v1/push-subscriptions"))
            .json(&json!({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}, "language": "sv"}))
            .send()
    };
    let r = subscribe(rx.url("/push/ok"), p256dh.clone(), auth.clone())
        .await
        .expect("post");
    assert_eq!(r.status(), 201);
    let r = subscribe(rx.url("/push/bad"), "bm90IGEga2V5".into(), auth.clone())
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.expect("json")["field"], "keys");
    let (gone_p256dh, gone_auth, _) = browser_keys();
    let r = subscribe(rx.url("/push/gone"), gone_p256dh, gone_auth)
        .await
        .expect("post");
    let gone_id = r.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();

    let agent = app.token("agent@statusdesk.test").await;
    let login = component_id(&app, "Login").await;
    let r = post_json(
        &app,
        &agent,
        "/api/v1/incidents",
        json!({"name": "Inloggningen krånglar", "status": "investigating", "impact": "major", "body": "Vi undersöker.", "components": {login: "major_outage"}}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let hit = rx.wait_for("/push/ok", 1).await.remove(0);
    assert_eq!(hit.header("content-encoding"), "aes128gcm");
    assert!(!hit.header("ttl").is_empty());
    // Only the browser's private key opens it.
    let auth_bytes = URL_SAFE_NO_PAD.decode(&auth).expect("auth");
    let plain = web_push_native::decrypt(
        hit.body.clone(),
        &secret,
        &web_push_native::Auth::clone_from_slice(&auth_bytes),
    )
    .expect("decrypts with the subscription's keys");
    let note: Value = serde_json::from_slice(&plain).expect("json");
    assert_eq!(note["title"], "Inloggningen krånglar");
    assert!(
        note["body"]
            .as_str()
            .is_some_and(|b| b.contains("Vi undersöker.")),
        "{note}"
    );
    assert!(
        note["url"]
            .as_str()
            .is_some_and(|u| u.contains("/status/incidents/"))
    );
    let (_, other_secret) = (0, browser_keys().2);
    assert!(
        web_push_native::decrypt(
            hit.body.clone(),
            &other_secret,
            &web_push_native::Auth::clone_from_slice(&auth_bytes)
        )
        .is_err()
    );
    // RFC 8292: "vapid t=<JWT signed with our key>, k=<our public key>".
    let authz = hit.header("authorization");
    let rest = authz.strip_prefix("vapid t=").expect("vapid scheme");
    let (token, k) = rest.split_once(", k=").expect("k");
    assert_eq!(k, vapid);
    let public = ES256PublicKey::from_bytes(&URL_SAFE_NO_PAD.decode(k).expect("k")).expect("key");
    let claims = public
        .verify_token::<NoCustomClaims>(token, None)
        .expect("the VAPID token verifies with the server's key");
    assert!(claims.subject.is_some_and(|s| s.starts_with("mailto:")));
    assert!(
        claims
            .audiences
            .map(|a| a.contains(&std::collections::HashSet::from([
                "http://127.0.0.1".to_string()
            ])))
            .unwrap_or(false)
    );
    // A subscription its push service calls gone is forgotten.
    rx.wait_for("/push/gone", 1).await;
    let mut forgotten = false;
    for _ in 0..50 {
        if app
            .store
            .push_subscription(&gone_id)
            .await
            .expect("read")
            .is_none()
        {
            forgotten = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(forgotten);
    // The browser unsubscribes.
    let unsubscribe = || {
        app.client
            .delete(app.url("/api/v1/push-subscriptions"))
            .json(&json!({"endpoint": rx.url("/push/ok")}))
            .send()
    };
    assert_eq!(unsubscribe().await.expect("delete").status(), 204);
    assert_eq!(unsubscribe().await.expect("delete").status(), 404);
    // The keys are kept in the database: another instance uses the same.
    let second = TestApp::spawn_with(
        db,
        Options {
            database_url: Some(app.database_url.clone()),
            demo: false,
            ..Options::default()
        },
    )
    .await;
    let again: Value = second
        .client
        .get(second.url("/api/v1/push/key"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(again["public_key"], vapid.as_str());
}

/// A push endpoint is a push service's: https on port 443, and one of the
/// operator's push hosts when they name some.
async fn push_endpoints_must_be_push_services(db: Db) {
    let subscribe = |app: &TestApp, endpoint: &str| {
        let (p256dh, auth, _) = browser_keys();
        let req = app
            .client
            .post(app.url("/api/v1/push-subscriptions"))
            .json(&json!({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}));
        async move { req.send().await.expect("post") }
    };
    let app = TestApp::spawn(db).await;
    for endpoint in [
        "http://1.1.1.1/push/abc",
        "https://1.1.1.1:22/push/abc",
        "https://1.1.1.1:8443/push/abc",
    ] {
        let r = subscribe(&app, endpoint).await;
        assert_eq!(r.status(), 422, "{endpoint}");
        let v: Value = r.json().await.expect("json");
        assert_eq!(v["field"], "endpoint");
        assert!(
            v["error"].as_str().is_some_and(|e| e.contains("port 443")),
            "{v}"
        );
    }
    assert_eq!(
        subscribe(&app, "https://1.1.1.1/push/abc").await.status(),
        201
    );
    drop(app);
    let app = TestApp::spawn_with(
        db,
        Options {
            settings: vec![("push_hosts", "push.example.net, 1.0.0.1".to_string())],
            ..Options::default()
        },
    )
    .await;
    let r = subscribe(&app, "https://1.1.1.1/push/abc").await;
    assert_eq!(r.status(), 422);
    assert!(
        r.json::<Value>().await.expect("json")["error"]
            .as_str()
            .is_some_and(|e| e.contains("not one of the push services")),
    );
    assert_eq!(
        subscribe(&app, "https://1.0.0.1/push/abc").await.status(),
        201
    );
}

on_both!(
    push_endpoints_must_be_push_services,
    webhooks_are_signed_and_follow_the_incident,
    integrations_are_formatted_tested_and_owned,
    private_targets_are_refused_unless_allowed,
    a_failing_target_trips_its_circuit_breaker,
    web_push_reaches_the_browser_encrypted,
);
