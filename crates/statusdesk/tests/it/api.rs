//! The REST API: tokens, tenancy, errors, OpenAPI; health and metrics.
use crate::harness::Fetch;
use crate::harness::{Db, Options, TestApp, delete_as};
use crate::on_both;
use serde_json::{Value, json};

async fn tokens_are_issued_listed_and_revoked(db: Db) {
    let app = TestApp::spawn(db).await;
    let r = app
        .client
        .post(app.url("/api/v1/tokens"))
        .json(&json!({"email": "admin@acme.test", "password": "statusdesk-demo", "label": "deploy script"}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.expect("json");
    let token = created["token"].as_str().expect("token").to_string();
    assert!(token.starts_with("sd_") && token.len() > 40);
    assert_eq!(created["label"], "deploy script");

    let me: Value = app
        .api_get(&token, "/api/v1/me")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["user"]["email"], "admin@acme.test");
    assert_eq!(me["user"]["role"], "admin");
    assert_eq!(me["organisation"]["name"], "Acme");
    assert_eq!(me["organisation"]["plan"], "enterprise");
    assert_eq!(me["direct_support"], true);

    // Only the hash is kept.
    let pool = sqlx::AnyPool::connect(&app.database_url)
        .await
        .expect("pool");
    let hashes: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_all(&pool)
        .await
        .expect("hashes");
    assert!(!hashes.contains(&token));
    assert!(hashes.contains(&store::hash_secret(&token)));
    pool.close().await;

    // It shows on the settings page, by label, without the secret.
    let c = app.signed_in("admin@acme.test").await;
    let settings = c.get(app.url("/settings")).text_body().await;
    assert!(settings.contains("deploy script") && !settings.contains(&token));

    let list: Value = app
        .api_get(&token, "/api/v1/tokens")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["tokens"].as_array().map(Vec::len), Some(1));
    let id = list["tokens"][0]["id"].as_str().expect("id").to_string();
    assert!(list["tokens"][0]["last_used_at"].is_string());

    // Nobody else can revoke it.
    let other = app.token("ops@acme.test").await;
    assert_eq!(
        delete_as(&app, &other, &format!("/api/v1/tokens/{id}")).await,
        404
    );
    assert_eq!(
        delete_as(&app, &token, &format!("/api/v1/tokens/{id}")).await,
        204
    );
    let r = app.api_get(&token, "/api/v1/me").await;
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["code"], "unauthorized");
    assert_eq!(body["error"], "Sign in to continue.");

    // Revoking from the settings page works as well.
    let second = app.token("admin@acme.test").await;
    let list: Value = app
        .api_get(&second, "/api/v1/tokens")
        .await
        .json()
        .await
        .expect("json");
    let live = list["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .find(|t| t["revoked_at"].is_null())
        .expect("live token")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let csrf = app.csrf(&c, "/settings").await;
    let r = c
        .post(app.url(&format!("/settings/tokens/{live}/revoke")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    assert_eq!(app.api_get(&second, "/api/v1/me").await.status(), 401);

    // And a token made on the settings page is shown once and works.
    let r = c
        .post(app.url("/settings/tokens"))
        .form(&[("csrf", csrf.as_str()), ("label", "from the page")])
        .send()
        .await
        .expect("post");
    assert_eq!(
        r.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let html = r.text().await.expect("text");
    let at = html.find("id=\"new-token\">").expect("token shown") + "id=\"new-token\">".len();
    let shown: String = html[at..].chars().take_while(|c| *c != '<').collect();
    assert_eq!(app.api_get(&shown, "/api/v1/me").await.status(), 200);
}

async fn token_requests_get_clear_errors(db: Db) {
    let app = TestApp::spawn(db).await;
    let post = |body: &'static str| {
        app.client
            .post(app.url("/api/v1/tokens"))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let r = post(r#"{"email":"admin@acme.test","password":"nope nope nope"}"#)
        .await
        .expect("post");
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["code"], "bad_credentials");
    assert_eq!(v["error"], "Wrong e-mail address or password.");

    let r = post(r#"{"email":"admin@acme.test","#).await.expect("post");
    assert!(r.status().is_client_error(), "{}", r.status());
    let v: Value = r.json().await.expect("json");
    assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()));

    let r = post(r#"{"email":"admin@acme.test"}"#).await.expect("post");
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["field"], "password");

    let r = app
        .client
        .post(app.url("/api/v1/tokens"))
        .body("email=x")
        .send()
        .await
        .expect("post");
    assert!(r.status().is_client_error());
    let v: Value = r.json().await.expect("json");
    assert!(
        v["error"]
            .as_str()
            .is_some_and(|e| e.contains("Content-Type")),
        "{v}"
    );

    let r = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth("sd_forged")
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 401);
    let r = app
        .client
        .get(app.url("/api/v1/nothing-here"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 404);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["code"], "not_found");
}

async fn another_organisations_objects_are_not_found(db: Db) {
    let app = TestApp::spawn(db).await;
    let acme = app.token("admin@acme.test").await;
    let support = app.token("support@statusdesk.test").await;
    let all: Value = app
        .api_get(&support, "/api/v1/organisations")
        .await
        .json()
        .await
        .expect("json");
    let id_of = |name: &str| {
        all["organisations"]
            .as_array()
            .expect("orgs")
            .iter()
            .find(|o| o["name"] == name)
            .and_then(|o| o["id"].as_str())
            .expect("org id")
            .to_string()
    };
    let (acme_id, globex_id) = (id_of("Acme"), id_of("Globex"));
    assert_eq!(all["organisations"].as_array().map(Vec::len), Some(3));

    let mine: Value = app
        .api_get(&acme, "/api/v1/organisations")
        .await
        .json()
        .await
        .expect("json");
    let names: Vec<&str> = mine["organisations"]
        .as_array()
        .expect("orgs")
        .iter()
        .filter_map(|o| o["name"].as_str())
        .collect();
    assert_eq!(names, vec!["Acme"]);
    assert_eq!(
        app.api_get(&acme, &format!("/api/v1/organisations/{acme_id}"))
            .await
            .status(),
        200
    );
    for path in [
        format!("/api/v1/organisations/{globex_id}"),
        format!("/api/v1/organisations/{globex_id}/users"),
        "/api/v1/organisations/00000000-0000-0000-0000-000000000000".to_string(),
    ] {
        let r = app.api_get(&acme, &path).await;
        assert_eq!(r.status(), 404, "{path}");
        let v: Value = r.json().await.expect("json");
        assert_eq!(
            v,
            json!({"error": "There is nothing here. It may have moved, or you may not have access to it.", "field": null, "code": "not_found"}),
            "no hint that it exists"
        );
    }
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/organisations/{globex_id}")))
        .bearer_auth(&acme)
        .json(&json!({"plan": "core"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), 404);

    // Own organisation's people: admins yes, members no.
    let users: Value = app
        .api_get(&acme, &format!("/api/v1/organisations/{acme_id}/users"))
        .await
        .json()
        .await
        .expect("json");
    let emails: Vec<&str> = users["users"]
        .as_array()
        .expect("users")
        .iter()
        .filter_map(|u| u["email"].as_str())
        .collect();
    assert_eq!(emails.len(), 3);
    assert!(emails.contains(&"member@acme.test") && !emails.contains(&"admin@globex.test"));
    let member = app.token("member@acme.test").await;
    let r = app
        .api_get(&member, &format!("/api/v1/organisations/{acme_id}/users"))
        .await;
    assert_eq!(r.status(), 403);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["reason"], "admins_only");

    // Customers cannot change even their own plan; support admins can.
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/organisations/{acme_id}")))
        .bearer_auth(&acme)
        .json(&json!({"plan": "core"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), 403);
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/organisations/{globex_id}")))
        .bearer_auth(&support)
        .json(&json!({"plan": "enterprise", "chat_rollout": "off"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["plan"], "enterprise");
    assert_eq!(v["chat_rollout"], "off");
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/organisations/{globex_id}")))
        .bearer_auth(&support)
        .json(&json!({"plan": "diamond"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["field"], "plan");

    // An agent sees all organisations but cannot manage them.
    let agent = app.token("agent@statusdesk.test").await;
    assert_eq!(
        app.api_get(&agent, &format!("/api/v1/organisations/{globex_id}"))
            .await
            .status(),
        200
    );
    let r = app
        .client
        .post(app.url("/api/v1/organisations"))
        .bearer_auth(&agent)
        .json(&json!({"name": "Hooli", "plan": "core"}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
}

async fn support_admins_create_organisations_and_users(db: Db) {
    let app = TestApp::spawn(db).await;
    let support = app.token("support@statusdesk.test").await;
    let post = |path: &'static str, body: Value| {
        app.client
            .post(app.url(path))
            .bearer_auth(&support)
            .json(&body)
            .send()
    };
    let r = post(
        "/api/v1/organisations",
        json!({"name": "Hooli", "plan": "advanced"}),
    )
    .await
    .expect("post");
    assert_eq!(r.status(), 201);
    let org: Value = r.json().await.expect("json");
    let org_id = org["id"].as_str().expect("id").to_string();
    assert_eq!(org["plan"], "advanced");
    let r = post(
        "/api/v1/organisations",
        json!({"name": "HOOLI", "plan": "core"}),
    )
    .await
    .expect("post");
    assert_eq!(r.status(), 409);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["field"], "name");

    let r = post(
        "/api/v1/users",
        json!({"email": "gavin@hooli.test", "name": "Gavin", "role": "admin", "organisation_id": org_id, "password": "hooli-secret-1"}),
    )
    .await
    .expect("post");
    assert_eq!(r.status(), 201);
    let r = post(
        "/api/v1/users",
        json!({"email": "Gavin@hooli.test", "name": "Gavin 2", "role": "admin", "organisation_id": org_id, "password": "hooli-secret-1"}),
    )
    .await
    .expect("post");
    assert_eq!(
        r.status(),
        409,
        "e-mail addresses are unique regardless of case"
    );
    for (body, field) in [
        (
            json!({"email": "x@hooli.test", "name": "X", "role": "admin", "password": "hooli-secret-1"}),
            "role",
        ),
        (
            json!({"email": "not-an-email", "name": "X", "role": "agent", "password": "hooli-secret-1"}),
            "email",
        ),
        (
            json!({"email": "y@hooli.test", "name": "X", "role": "agent", "password": "short"}),
            "password",
        ),
        (
            json!({"email": "z@hooli.test", "name": "X", "role": "wizard", "password": "hooli-secret-1"}),
            "role",
        ),
        (
            json!({"email": "w@hooli.test", "name": "X", "role": "admin", "organisation_id": "nope", "password": "hooli-secret-1"}),
            "organisation_id",
        ),
    ] {
        let r = post("/api/v1/users", body.clone()).await.expect("post");
        assert_eq!(r.status(), 422, "{body}");
        let v: Value = r.json().await.expect("json");
        assert_eq!(v["field"], field, "{body}");
    }
    let gavin = app
        .client
        .post(app.url("/api/v1/tokens"))
        .json(&json!({"email": "gavin@hooli.test", "password": "hooli-secret-1"}))
        .send()
        .await
        .expect("post");
    assert_eq!(gavin.status(), 201);
}

async fn openapi_document_covers_the_api(db: Db) {
    let app = TestApp::spawn(db).await;
    let r = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200);
    let doc: Value = r.json().await.expect("json");
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().expect("paths");
    for (path, method) in [
        ("/api/v1/tokens", "post"),
        ("/api/v1/tokens", "get"),
        ("/api/v1/tokens/{id}", "delete"),
        ("/api/v1/me", "get"),
        ("/api/v1/organisations", "get"),
        ("/api/v1/organisations", "post"),
        ("/api/v1/organisations/{id}", "get"),
        ("/api/v1/organisations/{id}", "patch"),
        ("/api/v1/organisations/{id}/users", "get"),
        ("/api/v1/users", "post"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing"
        );
    }
    // Every documented operation answers (not 404/405) on the live server.
    for (path, ops) in paths {
        for method in ops.as_object().expect("ops").keys() {
            let url = app.url(
                &path
                    .replace("{id}", "x")
                    .replace("{slug}", "reset-your-password"),
            );
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let r = app.client.request(m, url).send().await.expect("send");
            assert!(
                r.status() != 404 || path.contains("{id}"),
                "{method} {path}: {}",
                r.status()
            );
            assert_ne!(r.status(), 405, "{method} {path}");
        }
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

/// HSTS with an https base URL (and not without), the bearer scheme in
/// any case (RFC 7235), and a bad query parameter as a JSON error.
async fn transport_and_query_details(db: Db) {
    let plain = TestApp::spawn(db).await;
    let r = plain.client.get(plain.url("/")).send().await.expect("get");
    assert!(r.headers().get("strict-transport-security").is_none());
    let token = plain.token("admin@acme.test").await;
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let r = plain
            .client
            .get(plain.url("/api/v1/requests"))
            .header("authorization", format!("{scheme} {token}"))
            .send()
            .await
            .expect("get");
        assert_eq!(r.status(), 200, "{scheme}");
    }
    let r = plain.api_get(&token, "/api/v1/requests?limit=abc").await;
    assert_eq!(r.status(), 422);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("application/json"))
    );
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["field"], "limit");
    drop(plain);
    let https = TestApp::spawn_with(
        db,
        Options {
            settings: vec![("base_url", "https://support.example.test".into())],
            ..Options::default()
        },
    )
    .await;
    let r = https.client.get(https.url("/")).send().await.expect("get");
    let hsts = r
        .headers()
        .get("strict-transport-security")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(hsts.contains("max-age="), "{hsts}");
}

async fn health_readiness_and_metrics(db: Db) {
    // Off unless the operator sets a token (or makes them public).
    let off = TestApp::spawn(db).await;
    let r = off
        .client
        .get(off.url("/metrics"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 404, "metrics are not public by default");
    drop(off);
    let token = "metrics-secret-0123456789";
    let app = TestApp::spawn_with(
        db,
        Options {
            settings: vec![("metrics_token", token.to_string())],
            ..Options::default()
        },
    )
    .await;
    for wrong in [None, Some("metrics-secret-wrong-guess")] {
        let mut req = app.client.get(app.url("/metrics"));
        if let Some(w) = wrong {
            req = req.bearer_auth(w);
        }
        let r = req.send().await.expect("get");
        assert_eq!(r.status(), 401, "{wrong:?}");
        assert!(r.headers().contains_key("www-authenticate"));
    }
    let r = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200);
    let r = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.expect("text"), "ready");
    let _ = app.client.get(app.url("/login")).send().await.expect("get");
    let _ = app.client.get(app.url("/nope")).send().await.expect("get");
    let text = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(token)
        .text_body()
        .await;
    assert!(
        text.contains(
            "statusdesk_http_requests_total{method=\"GET\",route=\"/login\",status=\"200\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains("route=\"unmatched\",status=\"404\""),
        "{text}"
    );
    assert!(text.contains(
        "statusdesk_http_request_duration_seconds_bucket{route=\"/login\",le=\"+Inf\"} 1"
    ));
    let backend = if db == Db::Sqlite {
        "sqlite"
    } else {
        "postgres"
    };
    assert!(
        text.contains(&format!(
            "statusdesk_db_pool_max{{backend=\"{backend}\"}} 8"
        )),
        "{text}"
    );
    // Not ready once the database is gone; requests that need it get a
    // generic 500 with a request id, never the cause.
    let token = app.token("admin@acme.test").await;
    let browser = app.signed_in("admin@acme.test").await;
    app.store.close().await;
    let r = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 503);
    let r = app.api_get(&token, "/api/v1/me").await;
    assert_eq!(r.status(), 500);
    let id = r
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("request id")
        .to_string();
    let v: serde_json::Value = r.json().await.expect("json");
    assert_eq!(v["error"], format!("internal error (request id {id})"));
    let r = browser.get(app.url("/settings")).send().await.expect("get");
    assert_eq!(r.status(), 500);
    let id = r
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("request id")
        .to_string();
    let html = r.text().await.expect("text");
    assert!(
        html.contains("Something went wrong on our side") && html.contains(&id),
        "{html}"
    );
    assert!(
        !html.to_lowercase().contains("pool"),
        "no internals in the page"
    );
}

on_both!(
    transport_and_query_details,
    tokens_are_issued_listed_and_revoked,
    token_requests_get_clear_errors,
    another_organisations_objects_are_not_found,
    support_admins_create_organisations_and_users,
    openapi_document_covers_the_api,
    health_readiness_and_metrics,
);
