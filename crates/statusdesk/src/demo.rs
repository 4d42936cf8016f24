//! The demo data behind `serve --demo`: organisations on every plan, their
//! admins and members, and the support team. Every password is
//! `statusdesk-demo`. Later features add their demo content here.
use anyhow::Result;
use domain::{Plan, Role};
use store::{NewUser, Store};

pub const PASSWORD: &str = "statusdesk-demo";

/// Who the demo has: (e-mail, name, role, organisation).
pub const USERS: &[(&str, &str, Role, Option<&str>)] = &[
    (
        "support@statusdesk.test",
        "Sam Support",
        Role::SupportAdmin,
        None,
    ),
    ("agent@statusdesk.test", "Alex Agent", Role::Agent, None),
    (
        "admin@acme.test",
        "Ada Andersson",
        Role::Admin,
        Some("Acme"),
    ),
    ("ops@acme.test", "Olle Ops", Role::Admin, Some("Acme")),
    (
        "member@acme.test",
        "Maja Medlem",
        Role::Member,
        Some("Acme"),
    ),
    (
        "admin@globex.test",
        "Greta Globex",
        Role::Admin,
        Some("Globex"),
    ),
    (
        "admin@initech.test",
        "Ivan Initech",
        Role::Admin,
        Some("Initech"),
    ),
];

pub const ORGS: &[(&str, Plan)] = &[
    ("Acme", Plan::Enterprise),
    ("Globex", Plan::Advanced),
    ("Initech", Plan::Core),
];

/// Fills an empty database with the demo. Returns false (and changes
/// nothing) when the database already has users.
pub async fn seed(store: &Store, now: i64) -> Result<bool> {
    if store.user_count().await? > 0 {
        return Ok(false);
    }
    let total = ORGS.len() + USERS.len();
    let mut done = 0;
    let mut org_ids = Vec::new();
    for (name, plan) in ORGS {
        let org = store.create_org(name, *plan, now).await?;
        org_ids.push((*name, org.id));
        done += 1;
        tracing::debug!("demo: {done}/{total} organisation {name}");
    }
    for (email, name, role, org) in USERS {
        let org_id = org.and_then(|o| {
            org_ids
                .iter()
                .find(|(n, _)| *n == o)
                .map(|(_, id)| id.as_str())
        });
        let hash = web::ctx::hash_password(PASSWORD.to_string())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        store
            .create_user(
                &NewUser {
                    email,
                    name,
                    role: *role,
                    org_id,
                    password_hash: &hash,
                    language: None,
                },
                now,
            )
            .await?;
        done += 1;
        tracing::debug!("demo: {done}/{total} user {email}");
    }
    tracing::info!(
        "demo data created: {} organisations, {} users",
        ORGS.len(),
        USERS.len()
    );
    Ok(true)
}

/// The sign-in help printed at start-up in demo mode.
pub fn sign_in_help() -> String {
    let mut out = String::from("Demo accounts (password: statusdesk-demo):\n");
    for (email, _, role, org) in USERS {
        let org = org.map(|o| {
            let plan = ORGS
                .iter()
                .find(|(n, _)| *n == o)
                .map(|(_, p)| p.as_str())
                .unwrap_or("");
            format!(", {o} ({plan})")
        });
        out.push_str(&format!(
            "  {email:<26} {}{}\n",
            role.as_str(),
            org.unwrap_or_default()
        ));
    }
    out
}
