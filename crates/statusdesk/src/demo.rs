//! The demo data behind `serve --demo`: organisations on every plan, their
//! admins and members, and the support team. Every password is
//! `statusdesk-demo`. Later features add their demo content here.
use anyhow::Result;
use domain::targets::{ResponseTargets, TargetClock, TargetEvent};
use domain::{Plan, Priority, Role, TicketEvent, TicketStatus, transition};
use store::{Change, NewEvent, NewRequest, NewUser, Store, TargetUpdate};

pub const PASSWORD: &str = "statusdesk-demo";

/// The demo's canned replies: (owner, name, body, shared).
const MACROS: &[(&str, &str, &str, bool)] = &[
    (
        "support",
        "Known incident: following it",
        "Hi {{requester.first_name}},\n\nthank you for reporting this. It is part of an incident we are working on right now; \
         you can follow it on the status page. We have linked {{request.number}} to it and will write here as soon as it is resolved.\n\n\
         Best regards,\n{{agent.name}}",
        true,
    ),
    (
        "support",
        "Need more details",
        "Hi {{requester.first_name}},\n\nto look into \"{{request.subject}}\" we need a little more: \
         which browser and device, the time it happened, and a screenshot if you have one.\n\n\
         Best regards,\n{{agent.name}}",
        true,
    ),
    (
        "support",
        "Svar: vi undersöker",
        "Hej {{requester.first_name}}!\n\nTack för att du hör av dig. Vi undersöker {{request.number}} och återkommer \
         så snart vi vet mer.\n\nVänliga hälsningar\n{{agent.name}}",
        true,
    ),
    (
        "agent",
        "My sign-off: solved",
        "I am marking {{request.number}} as solved. If anything is still not right, just reply and it opens again.\n\n{{agent.first_name}}",
        false,
    ),
];

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
    let mut user_ids: Vec<(&str, String)> = Vec::new();
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
        let hash = app::accounts::hash_password(PASSWORD.to_string())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let user = store
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
        user_ids.push((email, user.id));
        done += 1;
        tracing::debug!("demo: {done}/{total} user {email}");
    }
    let mut component_ids = Vec::new();
    for (i, name) in COMPONENTS.iter().enumerate() {
        let id = store
            .create_component(
                name,
                "",
                None,
                i64::try_from(i).unwrap_or(0),
                now - 120 * 24 * 3_600_000,
            )
            .await?;
        if let Some(sv_name) = COMPONENTS_SV.get(i) {
            let translations = sv("name", sv_name);
            let change = store::ComponentChange {
                translations: Some(&translations),
                ..Default::default()
            };
            store
                .update_component(&id, &change, now - 120 * 24 * 3_600_000)
                .await?;
        }
        component_ids.push((*name, id));
    }
    seed_status(store, &component_ids, now).await?;
    let articles = crate::demo_help::seed(store, now).await?;
    tracing::debug!("demo: {articles} help articles");
    // The demo's incident history is the past: nobody is notified of it.
    store.discard_pending("fanout").await?;
    let user = |email: &str| {
        user_ids
            .iter()
            .find(|(e, _)| *e == email)
            .map(|(_, id)| id.clone())
            .unwrap_or_default()
    };
    let org = |name: &str| {
        org_ids
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, id)| id.clone())
            .unwrap_or_default()
    };
    let component = |name: &str| {
        component_ids
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, id)| id.clone())
    };
    let agent = user("agent@statusdesk.test");
    let hour = 3_600_000;
    // Response targets (business minutes) for the plans with direct support.
    let mut targets = Vec::new();
    for (plan, scale) in [(Plan::Enterprise, 1), (Plan::Advanced, 2)] {
        for (priority, first) in [
            (Priority::High, 60),
            (Priority::Normal, 240),
            (Priority::Low, 480),
        ] {
            targets.push((
                plan,
                priority,
                ResponseTargets {
                    first_response: Some(first * scale),
                    next_response: Some(first * scale * 2),
                },
            ));
        }
    }
    store.set_response_targets(&targets).await?;
    // A support team serving Acme, in the default hours (so the demo's due
    // times read the same with or without it).
    let nordics = store
        .create_support_team(
            &store::TeamFields {
                name: "Nordics",
                time_zone: "Europe/Stockholm",
                days: "mon,tue,wed,thu,fri",
                opens: "08:00",
                closes: "17:00",
            },
            &[agent.clone(), user("support@statusdesk.test")],
            now,
        )
        .await?;
    store.set_org_team(&org("Acme"), Some(&nordics)).await?;
    let hours = app::targets::default_hours();
    let targets_of = |org_name: &str, priority: Priority| {
        let plan = ORGS
            .iter()
            .find(|(n, _)| *n == org_name)
            .map(|(_, p)| *p)
            .unwrap_or(Plan::Core);
        targets
            .iter()
            .find(|(p, q, _)| *p == plan && *q == priority)
            .map(|(_, _, t)| *t)
            .unwrap_or_default()
    };
    for (i, r) in REQUESTS.iter().enumerate() {
        let at = now - r.hours_ago * hour;
        let requester = user(r.by);
        let comp = r.component.and_then(component);
        let request_targets = targets_of(r.org, r.priority);
        let mut clock = TargetClock::default().after(
            TargetEvent::Filed,
            TicketStatus::New,
            &request_targets,
            &hours,
            at,
        );
        let id = store
            .create_request(
                &NewRequest {
                    org_id: &org(r.org),
                    requester_id: &requester,
                    subject: r.subject,
                    description: r.description,
                    priority: r.priority,
                    component: comp.as_deref(),
                    follow_up_of: None,
                    target: clock,
                    due_at: clock.due_at(&hours),
                },
                &[],
                &[],
                at,
            )
            .await?;
        let mut status = TicketStatus::New;
        for (step, (reply, then)) in r.agent_steps.iter().enumerate() {
            let step_at = at + (i64::try_from(step).unwrap_or(0) + 1) * hour / 2;
            let mut events = vec![NewEvent {
                kind: "replied",
                detail: "{}".into(),
                internal: false,
            }];
            let mut to = transition(status, TicketEvent::AgentReplied)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if to != status {
                events.push(status_event(status, to));
            }
            if let Some(then) = then {
                let next = transition(to, TicketEvent::AgentSetStatus(*then))
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                events.push(status_event(to, next));
                to = next;
            }
            let assign = (step == 0).then_some(Some(agent.as_str()));
            if assign.is_some() {
                events.push(NewEvent {
                    kind: "assigned",
                    detail: serde_json::json!({"to": agent, "name": "Alex Agent"}).to_string(),
                    internal: false,
                });
            }
            let missed = clock.missed_at(&hours, step_at);
            clock = clock.after(
                TargetEvent::AgentResponded,
                to,
                &request_targets,
                &hours,
                step_at,
            );
            store
                .apply_change(
                    &Change {
                        request_id: &id,
                        actor_id: Some(&agent),
                        expected_status: status,
                        new_status: to,
                        message: Some((reply, false)),
                        priority: None,
                        assignee: assign,
                        events,
                        attachments: Vec::new(),
                        outbox: Vec::new(),
                        follow: None,
                        target: Some(TargetUpdate {
                            clock,
                            due_at: clock.due_at(&hours),
                            first_response: true,
                            missed,
                        }),
                    },
                    step_at,
                )
                .await?;
            status = to;
        }
        tracing::debug!("demo: request {}/{}", i + 1, REQUESTS.len());
    }
    let support = user("support@statusdesk.test");
    for (owner, name, body, shared) in MACROS {
        let owner = if *owner == "agent" { &agent } else { &support };
        store.create_macro(owner, name, body, *shared, now).await?;
    }
    seed_chat(
        store,
        &org("Acme"),
        &org("Globex"),
        &user("admin@acme.test"),
        &agent,
        component("Chat"),
        now,
    )
    .await?;
    tracing::info!(
        "demo data created: {} organisations, {} users",
        ORGS.len(),
        USERS.len()
    );
    Ok(true)
}

/// Chat: on for Acme, off for Globex, and one finished chat in Acme's inbox.
async fn seed_chat(
    store: &Store,
    acme: &str,
    globex: &str,
    admin: &str,
    agent: &str,
    component: Option<String>,
    now: i64,
) -> Result<()> {
    use domain::ChatRollout;
    use domain::chat::ChatState;
    store.set_org_chat_rollout(acme, ChatRollout::On).await?;
    store.set_org_chat_rollout(globex, ChatRollout::Off).await?;
    let at = now - 26 * 3_600_000;
    let id = store
        .create_chat(
            &store::NewChat {
                org_id: acme,
                requester_id: admin,
                subject: "Group invitations",
                component: component.as_deref(),
                body: "Hi! Invitations to our *Sales* group do not seem to arrive. Is something wrong?",
                client_id: "demo-1",
            },
            at,
        )
        .await?;
    store
        .move_chat(
            &id,
            ChatState::Waiting,
            None,
            ChatState::Active,
            Some(agent),
            None,
            at + 60_000,
        )
        .await?;
    let lines: [(&str, &str, i64); 3] = [
        (
            "demo-2",
            "Hello Ada, I am looking at it. Invitations are sent from **noreply@** — could they be in a spam folder?",
            120_000,
        ),
        ("demo-3", "Found them in spam, thank you!", 240_000),
        (
            "demo-4",
            "Great. You can allow the sender in your mail filter so it does not happen again. Anything else?",
            300_000,
        ),
    ];
    let (Some(agent_p), Some(admin_p)) =
        (store.principal(agent).await?, store.principal(admin).await?)
    else {
        anyhow::bail!("the demo chat's agent or admin is missing");
    };
    for (i, (client, body, after)) in lines.iter().enumerate() {
        let author = if i % 2 == 0 {
            &agent_p.user
        } else {
            &admin_p.user
        };
        store
            .add_chat_message(&id, client, Some(author), body, at + after)
            .await?;
    }
    store
        .move_chat(
            &id,
            ChatState::Active,
            None,
            ChatState::Ended,
            None,
            Some(admin),
            at + 360_000,
        )
        .await?;
    store
        .rate_chat(&id, "good", Some("Quick and friendly."))
        .await?;
    store.mark_chat_read(&id, admin, 4).await?;
    Ok(())
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

fn status_event(from: TicketStatus, to: TicketStatus) -> NewEvent {
    NewEvent {
        kind: "status",
        detail: serde_json::json!({"from": from.as_str(), "to": to.as_str(), "auto": false})
            .to_string(),
        internal: false,
    }
}

/// The product's features, as listed on the status page.
pub const COMPONENTS: &[&str] = &[
    "Login",
    "Groups",
    "Chat",
    "Live video",
    "Mobile apps",
    "Integrations and API",
];

/// The features' names in Swedish, in the order of [`COMPONENTS`].
const COMPONENTS_SV: &[&str] = &[
    "Inloggning",
    "Grupper",
    "Chatt",
    "Livevideo",
    "Mobilappar",
    "Integrationer och API",
];

/// Translations JSON with one Swedish text.
fn sv(field: &str, text: &str) -> String {
    serde_json::json!({ "sv": { field: text } }).to_string()
}

struct DemoRequest {
    org: &'static str,
    by: &'static str,
    subject: &'static str,
    description: &'static str,
    priority: Priority,
    component: Option<&'static str>,
    hours_ago: i64,
    /// Agent replies, each optionally followed by a status change.
    agent_steps: &'static [(&'static str, Option<TicketStatus>)],
}

const REQUESTS: &[DemoRequest] = &[
    DemoRequest {
        org: "Acme",
        by: "admin@acme.test",
        subject: "Live broadcast fails for the CEO's town hall",
        description: "Our CEO starts a live broadcast to the **All staff** group every Monday at 09:00. Since this morning the broadcast stops after a few seconds with *Connection lost*.\n\n- Browser: Chrome 131 on Windows 11\n- Other users can start broadcasts in smaller groups\n\nThe town hall is in two hours.",
        priority: Priority::High,
        component: Some("Live video"),
        hours_ago: 3,
        agent_steps: &[(
            "Thanks Ada, we are on it. Could you send the time of the last failed attempt and the group's name exactly as it appears?",
            None,
        )],
    },
    DemoRequest {
        org: "Acme",
        by: "ops@acme.test",
        subject: "New employees loop back to the sign-in page",
        description: "Accounts created through SCIM since yesterday cannot sign in: after the identity provider they land on the sign-in page again. Older accounts work.",
        priority: Priority::High,
        component: Some("Login"),
        hours_ago: 1,
        agent_steps: &[],
    },
    DemoRequest {
        org: "Acme",
        by: "admin@acme.test",
        subject: "Mac users cannot download recorded videos",
        description: "Several colleagues on macOS get an empty file when they download a recording. Windows users are fine.",
        priority: Priority::Normal,
        component: Some("Live video"),
        hours_ago: 30,
        agent_steps: &[(
            "We could not reproduce this with Safari 18. Which browser and version do your colleagues use?",
            Some(TicketStatus::WaitingOnCustomer),
        )],
    },
    DemoRequest {
        org: "Acme",
        by: "ops@acme.test",
        subject: "Rate limits of the REST API",
        description: "How many requests per minute may our integration send to the REST API before it is throttled?",
        priority: Priority::Low,
        component: Some("Integrations and API"),
        hours_ago: 75,
        agent_steps: &[(
            "The REST API allows 600 requests per minute per token, and answers 429 with a Retry-After header above that.",
            Some(TicketStatus::Solved),
        )],
    },
    DemoRequest {
        org: "Globex",
        by: "admin@globex.test",
        subject: "Chat thread missing from a group now and then",
        description: "Sometimes a chat thread linked to our *Sales* group does not show up for one user. Reloading the page helps.",
        priority: Priority::Low,
        component: Some("Chat"),
        hours_ago: 20,
        agent_steps: &[],
    },
];

/// Status-page history: a resolved sign-in incident twelve days ago, an
/// ongoing problem with live video, and maintenance in three days.
async fn seed_status(store: &Store, components: &[(&str, String)], now: i64) -> Result<()> {
    use domain::status::ComponentStatus;
    use store::{NewIncident, NewIncidentUpdate};
    let id = |name: &str| {
        components
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, id)| id.clone())
            .unwrap_or_default()
    };
    let minute = 60_000;
    let day = 24 * 60 * minute;
    let login = id("Login");
    let t0 = now - 12 * day - 5 * 60 * minute;
    let past = store
        .create_incident(
            &NewIncident {
                kind: "incident",
                name: "Sign-in fails for some users",
                status: "investigating",
                impact: "major",
                body: "We are looking into reports of failed sign-ins.",
                translations: &sv("name", "Inloggningen misslyckas för en del användare"),
                body_translations: &sv(
                    "body",
                    "Vi undersöker rapporter om misslyckade inloggningar.",
                ),
                scheduled_for: None,
                scheduled_until: None,
                components: vec![(login.clone(), ComponentStatus::MajorOutage)],
                apply_statuses: true,
            },
            t0,
        )
        .await?;
    let steps = [
        (
            "investigating",
            "identified",
            "An expired certificate at our identity provider is the cause. We are replacing it.",
            "Orsaken är ett utgånget certifikat hos vår identitetsleverantör. Vi byter ut det.",
            15,
            None,
        ),
        (
            "identified",
            "monitoring",
            "The certificate is replaced and sign-ins work again. We are watching closely.",
            "Certifikatet är utbytt och inloggningen fungerar igen. Vi följer läget noga.",
            40,
            Some(ComponentStatus::Operational),
        ),
        (
            "monitoring",
            "resolved",
            "Sign-in has worked for everyone for 30 minutes. This incident is resolved.",
            "Inloggningen har fungerat för alla i 30 minuter. Händelsen är löst.",
            70,
            None,
        ),
    ];
    for (from, to, body, body_sv, after, status) in steps {
        store
            .post_incident_update(
                &NewIncidentUpdate {
                    incident_id: &past,
                    expected_status: from,
                    status: to,
                    body,
                    translations: &sv("body", body_sv),
                    components: status.map(|s| vec![(login.clone(), s)]).unwrap_or_default(),
                    resolved: to == "resolved",
                },
                t0 + after * minute,
            )
            .await?;
    }
    let video = id("Live video");
    let t1 = now - 4 * 60 * minute;
    let ongoing = store
        .create_incident(
            &NewIncident {
                kind: "incident",
                name: "Live broadcasts fail to start for some users",
                status: "investigating",
                impact: "minor",
                body: "Some live broadcasts stop a few seconds after they start. We are investigating.",
                translations: &sv("name", "Livesändningar startar inte för en del användare"),
                body_translations: &sv(
                    "body",
                    "En del livesändningar avbryts några sekunder efter start. Vi undersöker saken.",
                ),
                scheduled_for: None,
                scheduled_until: None,
                components: vec![(video.clone(), ComponentStatus::PartialOutage)],
                apply_statuses: true,
            },
            t1,
        )
        .await?;
    store
        .post_incident_update(
            &NewIncidentUpdate {
                incident_id: &ongoing,
                expected_status: "investigating",
                status: "identified",
                body: "A faulty media server in one region drops new streams. We are moving traffic away from it.",
                translations: &sv(
                    "body",
                    "En trasig medieserver i en region tappar nya strömmar. Vi flyttar trafiken därifrån.",
                ),
                components: Vec::new(),
                resolved: false,
            },
            t1 + 50 * minute,
        )
        .await?;
    let api = id("Integrations and API");
    let starts = (now / day + 3) * day + 22 * 60 * minute;
    store
        .create_incident(
            &NewIncident {
                kind: "maintenance",
                name: "Database upgrade for the REST API",
                status: "scheduled",
                impact: "maintenance",
                body: "We are upgrading the database behind the REST API. Requests may be slower or fail for up to 20 minutes during the window.",
                translations: &sv("name", "Databasuppgradering för REST-API:t"),
                body_translations: &sv(
                    "body",
                    "Vi uppgraderar databasen bakom REST-API:t. Anrop kan vara långsammare eller misslyckas i upp till 20 minuter under perioden.",
                ),
                scheduled_for: Some(starts),
                scheduled_until: Some(starts + 2 * 60 * minute),
                components: vec![(api, ComponentStatus::UnderMaintenance)],
                apply_statuses: false,
            },
            now - 60 * minute,
        )
        .await?;
    Ok(())
}
