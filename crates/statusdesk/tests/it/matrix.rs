//! The route matrix: every route of the router, pages and API, tried as
//! each kind of user against objects of one organisation (Acme), with the
//! outcome the policy promises for every cell.
//!
//! The routes come from the router itself: the page routes from the
//! `.route(…)` calls in `crates/web/src`, the API operations from the served
//! OpenAPI document (generated from the same handlers). A route without a
//! row below, or a row without a route, fails the test.
use crate::harness::{Db, TestApp, client, post_json, report_count};
use crate::on_both;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

on_both!(every_route_as_every_role);

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDRmatrix";

/// The kinds of user, in the order of the matrix's columns.
const ROLES: [&str; 8] = [
    "anonymous",
    "member",
    "core-admin",
    "advanced-admin",
    "other-org-admin",
    "enterprise-admin",
    "agent",
    "support-admin",
];

/// What a cell's answer means for access.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Outcome {
    /// Done: the page or the data, or a redirect elsewhere than the sign-in.
    Pass,
    /// A complaint about the input (400, 405, 409, 413, 422, 429): nothing
    /// was done.
    Invalid,
    /// Sign in first: 401, or a redirect to `/login`.
    Login,
    /// 403: signed in, not allowed.
    Forbidden,
    /// 404: another organisation's object is as absent as a missing one.
    Hidden,
}

impl Outcome {
    fn letter(self) -> char {
        match self {
            Outcome::Pass => 'P',
            Outcome::Invalid => 'I',
            Outcome::Login => 'L',
            Outcome::Forbidden => 'F',
            Outcome::Hidden => 'H',
        }
    }
}

/// Who may do what, in the policy's words; each class says the outcome for
/// every column of [`ROLES`].
#[derive(Clone, Copy, Debug)]
enum A {
    /// Everyone, signed in or not.
    Public,
    /// There only with its own secret (an unsubscribe link's token, the
    /// metrics token): a 404 for everyone without it.
    Unlisted,
    /// The code step of signing in: only after a password, so everyone
    /// here (no password just given) is sent to sign in.
    Challenge,
    /// Anyone signed in.
    SignedIn,
    /// Customer admins of any plan (not staff, not members).
    Admin,
    /// Admins of Advanced and Enterprise organisations (direct support);
    /// staff see the same lists and pages for every organisation.
    DirectSupport,
    /// Direct support for customers only (turning a community thread into
    /// one's own request).
    CustomerDirectSupport,
    /// Admins of an organisation with chat (Acme; Umbrella follows the
    /// rollout, which is at 0 %).
    ChatEnabled,
    /// The same, and staff, who are taken to their side of chat.
    ChatEnabledOrStaff,
    /// An Acme object for Acme's admins and staff; a 403 for members, a
    /// 404 for every other organisation.
    AcmeAdmins,
    /// An Acme object that Acme's members may read too.
    AcmeUsers,
    /// Agents and support admins.
    Staff,
    /// Support admins only.
    SupportAdmin,
    /// Only the object's owner (a token of Acme's admin).
    Own,
}

impl A {
    fn expected(self) -> [Outcome; 8] {
        use Outcome::{Forbidden as F, Hidden as H, Login as L, Pass as P};
        match self {
            A::Public => [P; 8],
            A::Unlisted => [H; 8],
            A::Challenge => [L; 8],
            A::SignedIn => [L, P, P, P, P, P, P, P],
            A::Admin => [L, F, P, P, P, P, F, F],
            A::DirectSupport => [L, F, F, P, P, P, P, P],
            A::CustomerDirectSupport => [L, F, F, P, P, P, F, F],
            A::ChatEnabled => [L, F, F, F, F, P, F, F],
            A::ChatEnabledOrStaff => [L, F, F, F, F, P, P, P],
            A::AcmeAdmins => [L, F, H, H, H, P, P, P],
            A::AcmeUsers => [L, P, H, H, H, P, P, P],
            A::Staff => [L, F, F, F, F, F, P, P],
            A::SupportAdmin => [L, F, F, F, F, F, F, P],
            A::Own => [L, H, H, H, H, P, H, H],
        }
    }
}

/// Every route, with who may use it. Reads (GET) must give exactly the
/// class's outcome for every role; writes are sent with an empty body (a
/// form with only the CSRF token, or `{}`), and must never succeed for a
/// role the class leaves out (whatever else they answer: a 401, 403, 404 or
/// a complaint about the input).
#[rustfmt::skip]
const ROUTES: &[(&str, &str, A)] = &[
    // (method, path as the router spells it, who may use it)
    ("GET", "/", A::Public),
    ("GET", "/admin", A::Admin),
    ("GET", "/admin/integrations", A::Admin),
    ("POST", "/admin/integrations", A::Admin),
    ("POST", "/admin/integrations/{id}/delete", A::Admin),
    ("POST", "/admin/integrations/{id}/test", A::Admin),
    ("POST", "/admin/people", A::Admin),
    ("POST", "/admin/people/{id}/remove", A::Admin),
    ("POST", "/admin/people/{id}/role", A::Admin),
    ("GET", "/agent", A::Staff),
    ("POST", "/agent/bulk", A::Staff),
    ("GET", "/agent/chats", A::Staff),
    ("GET", "/agent/chats/events", A::Staff),
    ("GET", "/agent/chats/{id}", A::AcmeAdmins),
    ("POST", "/agent/chats/{id}/accept", A::Staff),
    ("POST", "/agent/chats/{id}/end", A::AcmeAdmins),
    ("POST", "/agent/chats/{id}/link", A::Staff),
    ("POST", "/agent/chats/{id}/request", A::AcmeAdmins),
    ("POST", "/agent/chats/{id}/transfer", A::Staff),
    ("GET", "/agent/counts", A::Staff),
    ("GET", "/agent/macros", A::Staff),
    ("POST", "/agent/macros", A::Staff),
    ("GET", "/agent/macros/{id}", A::Staff),
    ("POST", "/agent/macros/{id}", A::Staff),
    ("POST", "/agent/macros/{id}/delete", A::Staff),
    ("POST", "/agent/presence", A::Staff),
    ("GET", "/agent/requests/{id}", A::AcmeAdmins),
    ("POST", "/agent/requests/{id}/link", A::Staff),
    ("GET", "/agent/requests/{id}/macros/{macro_id}", A::Staff),
    ("POST", "/agent/requests/{id}/presence", A::Staff),
    ("POST", "/agent/requests/{id}/reply", A::Staff),
    ("POST", "/agent/requests/{id}/update", A::Staff),
    ("POST", "/agent/views", A::Staff),
    ("POST", "/agent/views/{id}/delete", A::Staff),
    ("GET", "/api/v1/articles", A::Public),
    ("POST", "/api/v1/articles", A::SupportAdmin),
    ("GET", "/api/v1/articles/{slug}", A::Public),
    ("PATCH", "/api/v1/articles/{slug}", A::SupportAdmin),
    ("POST", "/api/v1/articles/{slug}/feedback", A::Public),
    ("GET", "/api/v1/chats", A::DirectSupport),
    ("POST", "/api/v1/chats", A::ChatEnabled),
    ("GET", "/api/v1/chats/availability", A::ChatEnabled),
    ("GET", "/api/v1/chats/{id}", A::AcmeAdmins),
    ("POST", "/api/v1/chats/{id}/accept", A::Staff),
    ("POST", "/api/v1/chats/{id}/end", A::AcmeAdmins),
    ("POST", "/api/v1/chats/{id}/link", A::Staff),
    ("POST", "/api/v1/chats/{id}/rating", A::AcmeAdmins),
    ("POST", "/api/v1/chats/{id}/request", A::AcmeAdmins),
    ("POST", "/api/v1/chats/{id}/transcript", A::AcmeAdmins),
    ("POST", "/api/v1/chats/{id}/transfer", A::Staff),
    ("GET", "/api/v1/chats/{id}/ws", A::AcmeAdmins),
    ("POST", "/api/v1/community/posts/{id}/moderate", A::Staff),
    ("POST", "/api/v1/community/posts/{id}/report", A::SignedIn),
    ("POST", "/api/v1/community/posts/{id}/review", A::Staff),
    ("POST", "/api/v1/community/posts/{id}/vote", A::SignedIn),
    ("GET", "/api/v1/community/queue", A::Staff),
    ("GET", "/api/v1/community/settings", A::Staff),
    ("PATCH", "/api/v1/community/settings", A::SupportAdmin),
    ("GET", "/api/v1/community/threads", A::Public),
    ("POST", "/api/v1/community/threads", A::SignedIn),
    ("GET", "/api/v1/community/threads/{id}", A::Public),
    ("POST", "/api/v1/community/threads/{id}/accept", A::SignedIn),
    ("POST", "/api/v1/community/threads/{id}/answers", A::SignedIn),
    ("POST", "/api/v1/community/threads/{id}/article", A::SupportAdmin),
    ("POST", "/api/v1/community/threads/{id}/merge", A::Staff),
    ("POST", "/api/v1/community/threads/{id}/moderate", A::Staff),
    ("POST", "/api/v1/community/threads/{id}/move", A::Staff),
    ("POST", "/api/v1/community/threads/{id}/request", A::CustomerDirectSupport),
    ("GET", "/api/v1/components", A::SignedIn),
    ("POST", "/api/v1/components", A::Staff),
    ("PATCH", "/api/v1/components/{id}", A::Staff),
    ("GET", "/api/v1/help/feedback-report", A::Staff),
    ("POST", "/api/v1/help/suggestions/opened", A::Public),
    ("POST", "/api/v1/incidents", A::Staff),
    ("POST", "/api/v1/incidents/{id}/reply", A::Staff),
    ("POST", "/api/v1/incidents/{id}/requests", A::Staff),
    ("POST", "/api/v1/incidents/{id}/updates", A::Staff),
    ("GET", "/api/v1/incidents/{id}", A::SignedIn),
    ("PATCH", "/api/v1/incidents/{id}", A::Staff),
    ("PATCH", "/api/v1/incidents/{id}/updates/{update_id}", A::Staff),
    ("GET", "/api/v1/incidents/{id}/edits", A::Staff),
    ("GET", "/api/v1/integrations", A::Admin),
    ("POST", "/api/v1/integrations", A::Admin),
    ("DELETE", "/api/v1/integrations/{id}", A::Admin),
    ("POST", "/api/v1/integrations/{id}/test", A::Admin),
    ("GET", "/api/v1/macros", A::Staff),
    ("POST", "/api/v1/macros", A::Staff),
    ("DELETE", "/api/v1/macros/{id}", A::Staff),
    ("GET", "/api/v1/macros/{id}", A::Staff),
    ("PATCH", "/api/v1/macros/{id}", A::Staff),
    ("POST", "/api/v1/maintenances", A::Staff),
    ("GET", "/api/v1/me", A::SignedIn),
    ("GET", "/api/v1/openapi.json", A::Public),
    ("GET", "/api/v1/org/people", A::Admin),
    ("POST", "/api/v1/org/people", A::Admin),
    ("DELETE", "/api/v1/org/people/{id}", A::Admin),
    ("PATCH", "/api/v1/org/people/{id}", A::Admin),
    ("GET", "/api/v1/organisations", A::SignedIn),
    ("POST", "/api/v1/organisations", A::SupportAdmin),
    ("GET", "/api/v1/organisations/{id}", A::AcmeUsers),
    ("PATCH", "/api/v1/organisations/{id}", A::SupportAdmin),
    ("GET", "/api/v1/organisations/{id}/users", A::AcmeAdmins),
    ("DELETE", "/api/v1/push-subscriptions", A::Public),
    ("POST", "/api/v1/push-subscriptions", A::Public),
    ("GET", "/api/v1/push/key", A::Public),
    ("GET", "/api/v1/reports/support", A::SupportAdmin),
    ("GET", "/api/v1/requests", A::DirectSupport),
    ("POST", "/api/v1/requests", A::DirectSupport),
    ("POST", "/api/v1/requests/bulk", A::Staff),
    ("GET", "/api/v1/requests/counts", A::Staff),
    ("GET", "/api/v1/requests/{id}", A::AcmeAdmins),
    ("PATCH", "/api/v1/requests/{id}", A::AcmeAdmins),
    ("GET", "/api/v1/requests/{id}/attachments/{file}", A::AcmeAdmins),
    ("POST", "/api/v1/requests/{id}/messages", A::AcmeAdmins),
    ("POST", "/api/v1/requests/{id}/rating", A::AcmeAdmins),
    ("GET", "/api/v1/response-targets", A::Staff),
    ("PUT", "/api/v1/response-targets", A::SupportAdmin),
    ("GET", "/api/v1/search", A::Public),
    ("POST", "/api/v1/subscriptions", A::Public),
    ("GET", "/api/v1/support-teams", A::Staff),
    ("POST", "/api/v1/support-teams", A::SupportAdmin),
    ("DELETE", "/api/v1/support-teams/{id}", A::SupportAdmin),
    ("GET", "/api/v1/support-teams/{id}", A::Staff),
    ("PATCH", "/api/v1/support-teams/{id}", A::SupportAdmin),
    ("GET", "/api/v1/tokens", A::SignedIn),
    ("POST", "/api/v1/tokens", A::Public),
    ("DELETE", "/api/v1/tokens/{id}", A::Own),
    ("POST", "/api/v1/users", A::SupportAdmin),
    ("POST", "/api/v1/users/{id}/revoke-access", A::SupportAdmin),
    ("GET", "/api/v2/{*doc}", A::Public),
    ("GET", "/assets/{file}", A::Public),
    ("GET", "/community", A::Public),
    ("POST", "/community", A::SignedIn),
    ("POST", "/community/posts/{id}/moderate", A::Staff),
    ("POST", "/community/posts/{id}/report", A::SignedIn),
    ("POST", "/community/posts/{id}/vote", A::SignedIn),
    ("GET", "/community/threads/{id}", A::Public),
    ("POST", "/community/threads/{id}/accept", A::SignedIn),
    ("POST", "/community/threads/{id}/answers", A::SignedIn),
    ("POST", "/community/threads/{id}/article", A::SupportAdmin),
    ("POST", "/community/threads/{id}/merge", A::Staff),
    ("POST", "/community/threads/{id}/moderate", A::Staff),
    ("POST", "/community/threads/{id}/move", A::Staff),
    ("POST", "/community/threads/{id}/request", A::CustomerDirectSupport),
    ("GET", "/healthz", A::Public),
    ("GET", "/help", A::Public),
    ("GET", "/help/articles/{slug}", A::Public),
    ("POST", "/help/articles/{slug}/feedback", A::Public),
    ("GET", "/help/images/{id}", A::Public),
    ("GET", "/help/search", A::Public),
    ("GET", "/history.atom", A::Public),
    ("GET", "/history.rss", A::Public),
    ("GET", "/language/{code}", A::Public),
    ("GET", "/login", A::Public),
    ("POST", "/login", A::Public),
    ("GET", "/login/two-factor", A::Challenge),
    ("POST", "/login/two-factor", A::Challenge),
    ("POST", "/logout", A::Public),
    ("GET", "/metrics", A::Unlisted),
    ("GET", "/nav", A::Public),
    ("GET", "/password/forgot", A::Public),
    ("POST", "/password/forgot", A::Public),
    ("GET", "/password/reset", A::Public),
    ("POST", "/password/reset", A::Public),
    ("GET", "/readyz", A::Public),
    ("GET", "/settings", A::SignedIn),
    ("POST", "/settings/language", A::SignedIn),
    ("POST", "/settings/time-zone", A::SignedIn),
    ("POST", "/settings/password", A::SignedIn),
    ("POST", "/settings/tokens", A::SignedIn),
    ("POST", "/settings/tokens/{id}/revoke", A::Own),
    ("GET", "/settings/two-factor", A::SignedIn),
    ("POST", "/settings/two-factor/confirm", A::SignedIn),
    ("POST", "/settings/two-factor/disable", A::SignedIn),
    ("POST", "/settings/two-factor/recovery", A::SignedIn),
    ("POST", "/settings/two-factor/start", A::SignedIn),
    ("GET", "/sitemap.xml", A::Public),
    ("GET", "/staff", A::SupportAdmin),
    ("POST", "/staff/chat-rollout", A::SupportAdmin),
    ("POST", "/staff/chat-settings", A::SupportAdmin),
    ("GET", "/staff/community", A::Staff),
    ("POST", "/staff/community/posts/{id}/review", A::Staff),
    ("POST", "/staff/community/settings", A::SupportAdmin),
    ("GET", "/staff/help", A::SupportAdmin),
    ("POST", "/staff/help/images", A::SupportAdmin),
    ("GET", "/staff/help/new", A::SupportAdmin),
    ("POST", "/staff/help/new", A::SupportAdmin),
    ("POST", "/staff/help/preview", A::SupportAdmin),
    ("GET", "/staff/help/report", A::Staff),
    ("POST", "/staff/help/sections", A::SupportAdmin),
    ("GET", "/staff/help/{slug}/edit", A::SupportAdmin),
    ("POST", "/staff/help/{slug}/edit", A::SupportAdmin),
    ("GET", "/staff/help/{slug}/revisions", A::SupportAdmin),
    ("POST", "/staff/organisations", A::SupportAdmin),
    ("GET", "/staff/organisations/{id}", A::SupportAdmin),
    ("POST", "/staff/organisations/{id}/chat", A::SupportAdmin),
    ("POST", "/staff/organisations/{id}/plan", A::SupportAdmin),
    ("POST", "/staff/organisations/{id}/team", A::SupportAdmin),
    ("POST", "/staff/organisations/{id}/users", A::SupportAdmin),
    ("GET", "/staff/outbox", A::SupportAdmin),
    ("GET", "/staff/branding", A::SupportAdmin),
    ("POST", "/staff/branding", A::SupportAdmin),
    ("POST", "/staff/branding/logo", A::SupportAdmin),
    ("GET", "/brand.css", A::Public),
    ("GET", "/favicon.svg", A::Public),
    ("GET", "/favicon.ico", A::Public),
    ("GET", "/api/v1/branding", A::SignedIn),
    ("PUT", "/api/v1/branding", A::SupportAdmin),
    ("POST", "/staff/outbox/{id}/retry", A::SupportAdmin),
    ("GET", "/staff/reports", A::SupportAdmin),
    ("GET", "/staff/status", A::Staff),
    ("POST", "/staff/status/components", A::Staff),
    ("POST", "/staff/status/components/{id}", A::Staff),
    ("POST", "/staff/status/incidents", A::Staff),
    ("POST", "/staff/status/incidents/{id}/reply", A::Staff),
    ("POST", "/staff/status/incidents/{id}/updates", A::Staff),
    ("GET", "/staff/status/incidents/{id}", A::Staff),
    ("POST", "/staff/status/incidents/{id}", A::Staff),
    ("POST", "/staff/status/incidents/{id}/updates/{update_id}", A::Staff),
    ("POST", "/staff/status/maintenances", A::Staff),
    ("GET", "/staff/targets", A::SupportAdmin),
    ("POST", "/staff/targets", A::SupportAdmin),
    ("GET", "/staff/teams", A::SupportAdmin),
    ("POST", "/staff/teams", A::SupportAdmin),
    ("GET", "/staff/teams/{id}", A::SupportAdmin),
    ("POST", "/staff/teams/{id}", A::SupportAdmin),
    ("POST", "/staff/teams/{id}/delete", A::SupportAdmin),
    ("POST", "/staff/two-factor", A::SupportAdmin),
    ("POST", "/staff/users", A::SupportAdmin),
    ("POST", "/staff/users/{id}/revoke-access", A::SupportAdmin),
    ("POST", "/staff/users/{id}/two-factor/reset", A::SupportAdmin),
    ("GET", "/status", A::Public),
    ("GET", "/status/events", A::Public),
    ("GET", "/status/incidents/{id}", A::Public),
    ("GET", "/status/subscribe", A::Public),
    ("POST", "/status/subscribe", A::Public),
    ("GET", "/subscriptions/confirm", A::Public),
    ("GET", "/subscriptions/unsubscribe", A::Unlisted),
    ("POST", "/subscriptions/unsubscribe", A::Public),
    ("GET", "/support", A::DirectSupport),
    ("GET", "/support/chat", A::ChatEnabledOrStaff),
    ("POST", "/support/chat", A::ChatEnabledOrStaff),
    ("GET", "/support/chats", A::DirectSupport),
    ("GET", "/support/chats/{id}", A::AcmeAdmins),
    ("POST", "/support/chats/{id}/end", A::AcmeAdmins),
    ("POST", "/support/chats/{id}/rating", A::AcmeAdmins),
    ("POST", "/support/chats/{id}/request", A::AcmeAdmins),
    ("POST", "/support/chats/{id}/transcript", A::AcmeAdmins),
    ("GET", "/support/new", A::DirectSupport),
    ("POST", "/support/new", A::DirectSupport),
    ("GET", "/support/requests/{id}", A::AcmeAdmins),
    ("GET", "/support/requests/{id}/attachments/{file}", A::AcmeAdmins),
    ("POST", "/support/requests/{id}/cc", A::AcmeAdmins),
    ("POST", "/support/requests/{id}/follow", A::AcmeAdmins),
    ("POST", "/support/requests/{id}/rate", A::AcmeAdmins),
    ("POST", "/support/requests/{id}/reopen", A::AcmeAdmins),
    ("POST", "/support/requests/{id}/reply", A::AcmeAdmins),
    ("POST", "/support/requests/{id}/solve", A::AcmeAdmins),
    ("GET", "/sw.js", A::Public),
];

/// The page routes as the router's source declares them.
fn page_routes() -> BTreeSet<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/src");
    let mut out = BTreeSet::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read web/src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read source");
                routes_in(&text, &mut out);
            }
        }
    }
    out
}

/// The `(METHOD, path)` pairs of the `.route("path", get(…).post(…))` calls
/// in one source file.
fn routes_in(text: &str, out: &mut BTreeSet<(String, String)>) {
    let mut rest = text;
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        let trimmed = rest.trim_start();
        let Some(after_quote) = trimmed.strip_prefix('"') else {
            continue;
        };
        let Some(end) = after_quote.find('"') else {
            continue;
        };
        let path = &after_quote[..end];
        // The handler expression: up to the `)` that closes `.route(`.
        let expr = &after_quote[end + 1..];
        let mut depth = 1;
        let mut close = expr.len();
        for (i, c) in expr.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let expr = &expr[..close];
        for method in ["get", "post", "put", "patch", "delete"] {
            let mut from = 0;
            while let Some(i) = expr[from..].find(&format!("{method}(")) {
                let at = from + i;
                let before = expr[..at].chars().next_back();
                if before.is_none_or(|c| !(c.is_alphanumeric() || c == '_')) {
                    out.insert((method.to_uppercase(), path.to_string()));
                }
                from = at + method.len();
            }
        }
    }
}

/// The API operations of the served OpenAPI document.
async fn api_routes(app: &TestApp) -> BTreeSet<(String, String)> {
    let doc: Value = app.public_json("/api/v1/openapi.json").await;
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                out.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

/// One user of the matrix: a browser session and a bearer token.
struct User {
    browser: reqwest::Client,
    token: Option<String>,
    /// The CSRF token of the browser's forms.
    csrf: String,
}

async fn user(app: &TestApp, email: Option<&str>) -> User {
    match email {
        None => {
            let browser = client();
            let csrf = app.csrf(&browser, "/login").await;
            User {
                browser,
                token: None,
                csrf,
            }
        }
        Some(email) => {
            let browser = app.signed_in(email).await;
            let csrf = app.csrf(&browser, "/settings").await;
            User {
                browser,
                token: Some(app.token(email).await),
                csrf,
            }
        }
    }
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> Value {
    app.api_get(token, path).await.json().await.expect("json")
}

/// Ids of Acme's objects (and of public ones) to fill in the paths.
pub(crate) async fn fixtures(
    app: &TestApp,
    support: &str,
    agent: &str,
    acme: &str,
) -> BTreeMap<&'static str, String> {
    let mut ids = BTreeMap::new();
    let first_id = |v: &Value, key: &str| -> String {
        let list = if v.is_array() {
            v.clone()
        } else {
            v[key].clone()
        };
        list[0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no id in {v}"))
            .to_string()
    };
    let orgs: Value = get_json(app, support, "/api/v1/organisations").await;
    let acme_org = orgs
        .as_array()
        .or_else(|| orgs["organisations"].as_array())
        .expect("organisations")
        .iter()
        .find(|o| o["name"] == "Acme")
        .expect("Acme")["id"]
        .as_str()
        .expect("id")
        .to_string();
    // A request of Acme's with an attachment, filed on the page.
    let admin = app.signed_in("admin@acme.test").await;
    let csrf = app.csrf(&admin, "/support/new").await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("subject", "Encoder drops frames")
        .text("description", "See the screenshot.")
        .text("priority", "normal")
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("shot.png"),
        );
    let r = admin
        .post(app.url("/support/new"))
        .multipart(form)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303, "filing with an attachment");
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location")
        .to_string();
    let request = location
        .trim_start_matches("/support/requests/")
        .split(['?', '/'])
        .next()
        .expect("id")
        .to_string();
    let html = admin
        .get(app.url(&location))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("text");
    let at = html.find("/attachments/").expect("attachment link") + "/attachments/".len();
    let file = html[at..]
        .split(['"', '?'])
        .next()
        .expect("file")
        .to_string();
    ids.insert("request", request);
    ids.insert("attachment", file);
    // An article image, uploaded by a support admin.
    let sam = app.signed_in("support@statusdesk.test").await;
    let csrf = app.csrf(&sam, "/staff/help/new").await;
    let form = reqwest::multipart::Form::new().text("csrf", csrf).part(
        "image",
        reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("screen.png"),
    );
    let r: Value = sam
        .post(app.url("/staff/help/images"))
        .header("accept", "application/json")
        .multipart(form)
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
    let url = r["url"].as_str().expect("image url");
    ids.insert("image", url.trim_start_matches("/help/images/").to_string());
    // A public incident, and the stylesheet's address.
    let incidents: Value = client()
        .get(app.url("/api/v2/incidents.json"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    ids.insert("incident", first_id(&incidents, "incidents"));
    ids.insert(
        "update",
        incidents["incidents"][0]["incident_updates"][0]["id"]
            .as_str()
            .expect("an update")
            .to_string(),
    );
    let home = client()
        .get(app.url("/help"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("text");
    let at = home.find("/assets/").expect("an asset") + "/assets/".len();
    ids.insert(
        "asset",
        home[at..]
            .split(['"', '?'])
            .next()
            .expect("asset")
            .to_string(),
    );
    let chat = post_json(
        app,
        acme,
        "/api/v1/chats",
        json!({"body": "Is the encoder up?"}),
    )
    .await;
    let chat: Value = chat.json().await.expect("json");
    ids.insert(
        "chat",
        chat["id"]
            .as_str()
            .unwrap_or_else(|| panic!("chat {chat}"))
            .to_string(),
    );
    let threads: Value = get_json(app, acme, "/api/v1/community/threads").await;
    ids.insert("thread", first_id(&threads, "threads"));
    let articles: Value = get_json(app, acme, "/api/v1/articles").await;
    let list = if articles.is_array() {
        articles.clone()
    } else {
        articles["articles"].clone()
    };
    ids.insert("slug", list[0]["slug"].as_str().expect("slug").to_string());
    let macros: Value = get_json(app, agent, "/api/v1/macros").await;
    ids.insert("macro", first_id(&macros, "macros"));
    let teams: Value = get_json(app, support, "/api/v1/support-teams").await;
    ids.insert("team", first_id(&teams, "teams"));
    // A third Acme user for the people routes to act on, a spare token
    // of Acme's admin for the token routes, a community post, a feature.
    let victim = post_json(
        app,
        support,
        "/api/v1/users",
        json!({"email": "vic@acme.test", "name": "Vic Acme", "role": "member",
               "organisation_id": acme_org, "password": statusdesk::demo::PASSWORD}),
    )
    .await;
    assert_eq!(victim.status(), 201);
    let victim: Value = victim.json().await.expect("json");
    ids.insert("user", victim["id"].as_str().expect("id").to_string());
    let spare: Value = app
        .client
        .post(app.url("/api/v1/tokens"))
        .json(&json!({"email": "admin@acme.test", "password": statusdesk::demo::PASSWORD, "label": "spare"}))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    ids.insert("token", spare["id"].as_str().expect("token id").to_string());
    let thread: Value = get_json(
        app,
        acme,
        &format!("/api/v1/community/threads/{}", ids["thread"]),
    )
    .await;
    ids.insert(
        "post",
        thread["question"]["id"].as_str().expect("post").to_string(),
    );
    let components: Value = get_json(app, acme, "/api/v1/components").await;
    ids.insert("component", first_id(&components, "components"));
    ids.insert("org", acme_org);
    eprintln!("fixtures: {ids:?}");
    ids
}

async fn every_route_as_every_role(db: Db) {
    let app = TestApp::spawn(db).await;
    let support_token = app.token("support@statusdesk.test").await;
    // An Enterprise organisation besides Acme, so "another organisation"
    // differs from Acme by nothing but tenancy.
    let other = post_json(
        &app,
        &support_token,
        "/api/v1/organisations",
        json!({"name": "Umbrella", "plan": "enterprise"}),
    )
    .await;
    assert_eq!(other.status(), 201);
    let other: Value = other.json().await.expect("json");
    let created = post_json(
        &app,
        &support_token,
        "/api/v1/users",
        json!({"email": "admin@umbrella.test", "name": "Una Umbrella", "role": "admin",
                "organisation_id": other["id"], "password": statusdesk::demo::PASSWORD}),
    )
    .await;
    assert_eq!(created.status(), 201);

    let emails = [
        None,
        Some("member@acme.test"),
        Some("admin@initech.test"),
        Some("admin@globex.test"),
        Some("admin@umbrella.test"),
        Some("admin@acme.test"),
        Some("agent@statusdesk.test"),
        Some("support@statusdesk.test"),
    ];
    let mut users = Vec::new();
    for email in emails {
        users.push(user(&app, email).await);
    }
    let acme_token = users[5].token.clone().expect("token");
    let agent_token = users[6].token.clone().expect("token");
    let ids = fixtures(&app, &support_token, &agent_token, &acme_token).await;

    // The router's routes and the table's rows, one for one.
    let mut routes: BTreeSet<(String, String)> = page_routes();
    routes.extend(api_routes(&app).await);
    let table: BTreeMap<(String, String), A> = ROUTES
        .iter()
        .map(|(m, p, a)| ((m.to_string(), p.to_string()), *a))
        .collect();
    assert_eq!(table.len(), ROUTES.len(), "a route is in the table twice");
    let missing: Vec<_> = routes.iter().filter(|r| !table.contains_key(*r)).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the matrix (say who may use them): {missing:?}"
    );
    let stale: Vec<_> = table.keys().filter(|r| !routes.contains(*r)).collect();
    assert!(
        stale.is_empty(),
        "rows for routes the router no longer has: {stale:?}"
    );

    // Reads first, then writes, deletions and signing out last, so that
    // what a write changes cannot change a read's answer.
    let order = |(m, p): &(String, String)| match (m.as_str(), p.as_str()) {
        ("GET", _) => 0,
        (_, "/logout") => 3,
        ("DELETE", _) => 2,
        _ => 1,
    };
    let mut rows: Vec<_> = table.iter().collect();
    rows.sort_by_key(|(r, _)| order(r));
    let mut wrong = Vec::new();
    let (mut cells, mut reads) = (0, 0);
    // Denied write cells, and those of them the policy itself refused
    // (the others were refused for their empty input first).
    let (mut denied_writes, mut refused_by_policy, mut shaped_retries) = (0, 0, 0);
    let doc = app.public_json("/api/v1/openapi.json").await;
    for ((method, pattern), access) in rows {
        let path = fill(pattern, &ids);
        let expected = access.expected();
        let mut got = String::new();
        let mut bad = false;
        for (u, want) in users.iter().zip(expected) {
            let mut outcome = call(&app, u, method, &path).await;
            // A denied API write refused for its empty body goes again with
            // a body of the right shape, so that the policy, not the input,
            // has to refuse it.
            if want != Outcome::Pass
                && outcome == Outcome::Invalid
                && let Some(body) = typed_body(&doc, method, pattern)
            {
                outcome = call_with(&app, u, method, &path, Some(&body)).await;
                if outcome != Outcome::Invalid {
                    shaped_retries += 1;
                }
            }
            got.push(outcome.letter());
            cells += 1;
            let fine = if method == "GET" {
                reads += 1;
                outcome == want || (want == Outcome::Pass && outcome == Outcome::Invalid)
            } else {
                if want != Outcome::Pass {
                    denied_writes += 1;
                    if outcome != Outcome::Invalid {
                        refused_by_policy += 1;
                    }
                }
                want == Outcome::Pass || outcome != Outcome::Pass
            };
            bad |= !fine;
        }
        if bad {
            let want: String = expected.iter().map(|o| o.letter()).collect();
            wrong.push(format!(
                "{method} {pattern}: {access:?} wants {want}, got {got}"
            ));
        }
    }
    report_count(&format!(
        "route matrix ({db:?}): {} routes × {} roles = {cells} cells: {reads} read cells exact; \
         {} write cells, {denied_writes} of them denied and none let through \
         ({refused_by_policy} refused by sign-in or policy, {shaped_retries} of those only once \
         their body had the right shape; the rest by their input first)",
        table.len(),
        ROLES.len(),
        cells - reads
    ));
    assert!(
        wrong.is_empty(),
        "columns: {}\n{}",
        ROLES.join(" "),
        wrong.join("\n")
    );
}

/// A JSON body of the shape the OpenAPI document gives `method pattern`
/// (every property, each a plain value of its type); `None` for an
/// operation without a JSON body.
fn typed_body(doc: &Value, method: &str, pattern: &str) -> Option<Value> {
    if !pattern.starts_with("/api/v1/") || method == "DELETE" {
        return None;
    }
    let schema = &doc["paths"][pattern][method.to_lowercase()]["requestBody"]["content"]["application/json"]
        ["schema"];
    (!schema.is_null()).then(|| typed(schema, doc, 0))
}

fn typed(schema: &Value, doc: &Value, depth: u32) -> Value {
    let schema = match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    };
    if let Some(first) = schema["enum"].as_array().and_then(|o| o.first()) {
        return first.clone();
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(first) = schema[key]
            .as_array()
            .and_then(|o| o.iter().find(|s| s["type"] != "null").or_else(|| o.first()))
        {
            return typed(first, doc, depth);
        }
    }
    let kind = match &schema["type"] {
        Value::String(t) => t.as_str(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("string"),
        _ if schema["properties"].is_object() => "object",
        _ => "string",
    };
    match kind {
        "object" if depth < 4 => Value::Object(
            schema["properties"]
                .as_object()
                .map(|props| {
                    props
                        .iter()
                        .map(|(k, v)| (k.clone(), typed(v, doc, depth + 1)))
                        .collect()
                })
                .unwrap_or_default(),
        ),
        "object" => json!({}),
        "array" => json!([]),
        "integer" | "number" => json!(1),
        "boolean" => json!(false),
        _ => match schema["format"].as_str() {
            Some("email") => json!("matrix@example.test"),
            Some("uri") => json!("https://example.test/matrix"),
            _ => json!("matrix"),
        },
    }
}

pub(crate) fn fill(pattern: &str, ids: &BTreeMap<&'static str, String>) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').expect("closing brace") + open;
        let name = &rest[open + 1..close];
        let value = match name {
            "id" => {
                let kind = if out.contains("/chats") {
                    "chat"
                } else if out.contains("/requests") {
                    "request"
                } else if out.contains("/threads") {
                    "thread"
                } else if out.contains("/macros") {
                    "macro"
                } else if out.contains("/teams") || out.contains("/support-teams") {
                    "team"
                } else if out.contains("/organisations") {
                    "org"
                } else if out.contains("/people/") || out.contains("/users/") {
                    "user"
                } else if out.contains("/tokens/") {
                    "token"
                } else if out.contains("/posts/") {
                    "post"
                } else if out.contains("/components/") {
                    "component"
                } else if out.contains("/incidents") {
                    "incident"
                } else if out.contains("/help/images") {
                    "image"
                } else {
                    "none"
                };
                ids.get(kind)
                    .cloned()
                    .unwrap_or_else(|| "no-such-id".to_string())
            }
            "slug" => ids["slug"].clone(),
            "macro_id" => ids["macro"].clone(),
            "update_id" => ids["update"].clone(),
            "code" => "sv".to_string(),
            "file" if out.contains("/attachments/") => ids["attachment"].clone(),
            "file" => ids["asset"].clone(),
            "*doc" => "summary.json".to_string(),
            other => panic!("no fixture for {{{other}}} in {pattern}"),
        };
        out.push_str(&value);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

async fn call(app: &TestApp, user: &User, method: &str, path: &str) -> Outcome {
    call_with(app, user, method, path, None).await
}

/// As [`call`], with `body` as the JSON body of an API write.
async fn call_with(
    app: &TestApp,
    user: &User,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Outcome {
    let api = path.starts_with("/api/v1/");
    let url = app.url(path);
    let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let request = if api {
        let r = app.client.request(m, &url);
        match &user.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    } else {
        user.browser.request(m, &url)
    };
    let request = match (method, api) {
        ("GET", _) => request,
        ("DELETE", true) => request,
        (_, true) => request.json(body.unwrap_or(&json!({}))),
        (_, false) => request.form(&[("csrf", user.csrf.as_str())]),
    };
    let request = if path.ends_with("/ws") {
        request
            .header("connection", "upgrade")
            .header("upgrade", "websocket")
            .header("sec-websocket-version", "13")
            .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
            .header("origin", app.base.clone())
    } else {
        request
    };
    let r = request.send().await.expect("send");
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(status < 500, "{method} {path}: {status}");
    match status {
        401 => Outcome::Login,
        403 => Outcome::Forbidden,
        404 => Outcome::Hidden,
        300..=399 if location.starts_with("/login") => Outcome::Login,
        101 | 200..=399 => Outcome::Pass,
        400 | 405 | 409 | 413 | 415 | 422 | 429 => Outcome::Invalid,
        other => panic!("{method} {path}: unexpected {other}"),
    }
}
