//! The one place that answers "may this actor do that". Every use case asks
//! [`authorize`] and gets back a [`Permit`], which nothing else can make;
//! the store additionally scopes customer data by organisation (the
//! permit's [`Scope`]) so a forgotten check cannot leak another
//! organisation's rows.
use crate::ticket::TicketStatus;
use crate::types::{Actor, Plan, Role};

/// What someone wants to do, with the object it concerns where that matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// Read the public status page, its feeds and JSON API.
    ReadStatusPage,
    /// Read help center articles, the community and the resource center.
    ReadHelp,
    /// Change one's own language, password and API tokens.
    ManageOwnAccount,
    /// Open a customer organisation's admin panel.
    ViewAdminPanel,
    /// See an organisation's name and plan.
    ViewOrganisation { org_id: &'a str },
    /// See who belongs to an organisation.
    ListOrganisationUsers { org_id: &'a str },
    /// Create organisations, change plans and chat rollout.
    ManageOrganisations,
    /// Create users, set roles and passwords of others.
    ManageUsers,
    /// File and follow support requests (the support inbox).
    UseDirectSupport,
    /// Chat with support.
    UseChat,
    /// Read and act on one support request of an organisation (as a
    /// customer: reply, mark solved, reopen, follow).
    ViewRequest { org_id: &'a str },
    /// Work the agents' queue across organisations.
    WorkSupportQueue,
    /// Post incidents and maintenance, edit components.
    ManageStatusPage,
    /// Add, test and remove an organisation's status integrations (Slack,
    /// Teams, Discord, webhooks): its admins, on every plan, since the
    /// status page is for everyone.
    ManageIntegrations { org_id: &'a str },
    /// See internal notes, and the events and files that belong to them.
    SeeInternalNotes,
    /// Write an internal note on a request.
    AddInternalNote,
    /// Change a request's priority or assignee, or link it to an incident.
    TriageRequest,
    /// Move a request of an organisation to the status `to` (the state
    /// machine then says whether that is possible from where it is).
    SetRequestStatus { org_id: &'a str, to: TicketStatus },
    /// Follow a request of an organisation (be e-mailed about it).
    FollowRequest { org_id: &'a str },
    /// The delivery outbox: what waits, what was given up, send again.
    ManageOutbox,
    /// Read (and, as a customer, end, rate, mail or turn into a request) a
    /// chat of an organisation: its admins with direct support, and staff.
    ViewChat { org_id: &'a str },
    /// Agents' capacity and how chats are routed: support admins.
    ManageChatSettings,
    /// Read one help article: a draft only staff; one restricted to some
    /// plans only customers on those plans, unless staff let others read it
    /// too. Anything else is `NotFound`, in pages, API, search and sitemap.
    ReadArticle {
        plans: &'a [Plan],
        others_may_read: bool,
        published: bool,
    },
    /// Write, publish and organise help articles: support admins.
    ManageHelpCenter,
    /// The help center report (helpfulness, comments, missed searches):
    /// support staff.
    ViewHelpReport,
    /// Ask and answer in the help community, and vote: anyone signed in.
    PostInCommunity,
    /// Hide, show, lock and unlock community threads and answers: staff.
    ModerateCommunity,
    /// Mark a thread's accepted answer: whoever asked (`asker` is their
    /// user id), and staff.
    AcceptAnswer { asker: &'a str },
    /// Rate a solved request of an organisation: the customers who may act
    /// on it (its admins with direct support), never staff.
    RateRequest { org_id: &'a str },
    /// Change or delete a canned reply: its owner (`owner` is their user
    /// id); a shared one also support admins.
    EditMacro { owner: &'a str, shared: bool },
    /// The support reports (volumes, response times, ratings): support
    /// admins.
    ViewSupportReports,
    /// Response targets and business hours: support admins.
    ManageSupportSettings,
    /// Invite, promote, demote and remove the people of an organisation:
    /// its admins, on every plan.
    ManagePeople { org_id: &'a str },
}

/// Why something was refused, so the caller can explain it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenyReason {
    /// Only an organisation's admins may do this.
    AdminsOnly,
    /// The organisation's plan does not include direct support.
    PlanExcludesDirectSupport,
    /// Chat has not been rolled out to this organisation yet.
    ChatNotEnabled,
    /// Only support staff may do this.
    StaffOnly,
    /// Only support admins may do this.
    SupportAdminsOnly,
    /// This is for customers; staff use their own tools.
    CustomersOnly,
    /// Only whoever asked the question may do this (or staff).
    AskerOnly,
    /// Only whoever made it may change it (a shared one also support
    /// admins).
    OwnerOnly,
    /// Support admins require staff to sign in with a second factor; this
    /// account has none set up yet.
    TwoFactorRequired,
}

impl DenyReason {
    /// A stable machine-readable code, used in API errors and message keys.
    pub fn code(self) -> &'static str {
        match self {
            DenyReason::AdminsOnly => "admins_only",
            DenyReason::PlanExcludesDirectSupport => "plan_excludes_direct_support",
            DenyReason::ChatNotEnabled => "chat_not_enabled",
            DenyReason::StaffOnly => "staff_only",
            DenyReason::SupportAdminsOnly => "support_admins_only",
            DenyReason::CustomersOnly => "customers_only",
            DenyReason::AskerOnly => "asker_only",
            DenyReason::OwnerOnly => "owner_only",
            DenyReason::TwoFactorRequired => "two_factor_required",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Nobody is signed in and this needs someone.
    SignInRequired,
    /// Signed in, but not allowed, for a reason worth telling.
    Forbidden(DenyReason),
    /// The object belongs to another organisation: it does not exist for
    /// this actor.
    NotFound,
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }
}

/// Whose data a read may return: staff see every organisation, customers
/// only their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    Staff,
    Org(&'a str),
}

impl<'a> Scope<'a> {
    pub fn of(actor: &'a Actor) -> Option<Scope<'a>> {
        if actor.is_staff() {
            Some(Scope::Staff)
        } else {
            actor.org.as_ref().map(|o| Scope::Org(o.id.as_str()))
        }
    }
}

/// Proof that the policy allowed an action. Its fields are private: the
/// only way to get one is [`authorize`], so code that needs a permit cannot
/// skip the question.
#[derive(Debug, Clone, Copy)]
pub struct Permit<'a> {
    actor: Option<&'a Actor>,
    action: Action<'a>,
}

impl<'a> Permit<'a> {
    pub fn action(&self) -> Action<'a> {
        self.action
    }

    pub fn actor(&self) -> Option<&'a Actor> {
        self.actor
    }

    /// Whose data the permitted action may read: staff every
    /// organisation's, a customer their own; `None` for a visitor.
    pub fn scope(&self) -> Option<Scope<'a>> {
        self.actor.and_then(Scope::of)
    }

    /// Whether the actor may also see internal notes (support staff).
    pub fn sees_internal(&self) -> bool {
        decide(self.actor, Action::SeeInternalNotes).is_allowed()
    }
}

/// Asks the policy; an allowed action comes back as a [`Permit`].
pub fn authorize<'a>(actor: Option<&'a Actor>, action: Action<'a>) -> Result<Permit<'a>, Decision> {
    match decide(actor, action) {
        Decision::Allow => Ok(Permit { actor, action }),
        refused => Err(refused),
    }
}

/// Decides whether `actor` (or an anonymous visitor, `None`) may do `action`.
pub fn decide(actor: Option<&Actor>, action: Action<'_>) -> Decision {
    use Action::*;
    use Decision::*;

    // Staff who must set up a second factor first may do that and what a
    // visitor may do, nothing more.
    if let Some(a) = actor
        && a.second_factor_missing
        && !matches!(action, ManageOwnAccount)
    {
        return match decide(None, action) {
            Allow => Allow,
            _ => Forbidden(DenyReason::TwoFactorRequired),
        };
    }
    // Public things first: they need no account.
    if matches!(action, ReadStatusPage | ReadHelp) {
        return Allow;
    }
    if let ReadArticle {
        plans,
        others_may_read,
        published,
    } = action
    {
        let staff = actor.is_some_and(Actor::is_staff);
        let plan = actor.and_then(|a| a.org.as_ref()).map(|o| o.plan);
        return if staff
            || (published
                && (plans.is_empty()
                    || others_may_read
                    || plan.is_some_and(|p| plans.contains(&p))))
        {
            Allow
        } else {
            NotFound
        };
    }
    let Some(actor) = actor else {
        return SignInRequired;
    };
    let own_org = |org_id: &str| actor.org.as_ref().is_some_and(|o| o.id == org_id);

    match action {
        ReadStatusPage | ReadHelp | ManageOwnAccount => Allow,
        ViewOrganisation { org_id } => {
            if actor.is_staff() || own_org(org_id) {
                Allow
            } else {
                NotFound
            }
        }
        ListOrganisationUsers { org_id } => {
            if actor.is_staff() {
                Allow
            } else if !own_org(org_id) {
                NotFound
            } else if actor.role == Role::Admin {
                Allow
            } else {
                Forbidden(DenyReason::AdminsOnly)
            }
        }
        ViewAdminPanel => match actor.role {
            Role::Admin => Allow,
            Role::Member => Forbidden(DenyReason::AdminsOnly),
            Role::Agent | Role::SupportAdmin => Forbidden(DenyReason::CustomersOnly),
        },
        ManageOrganisations | ManageUsers => match actor.role {
            Role::SupportAdmin => Allow,
            _ => Forbidden(DenyReason::SupportAdminsOnly),
        },
        WorkSupportQueue | ManageStatusPage | SeeInternalNotes | AddInternalNote
        | TriageRequest => {
            if actor.is_staff() {
                Allow
            } else {
                Forbidden(DenyReason::StaffOnly)
            }
        }
        // Answered before an actor is required.
        ReadArticle { .. } => NotFound,
        PostInCommunity => Allow,
        ModerateCommunity => {
            if actor.is_staff() {
                Allow
            } else {
                Forbidden(DenyReason::StaffOnly)
            }
        }
        AcceptAnswer { asker } => {
            if actor.is_staff() || actor.user_id == asker {
                Allow
            } else {
                Forbidden(DenyReason::AskerOnly)
            }
        }
        ViewHelpReport => {
            if actor.is_staff() {
                Allow
            } else {
                Forbidden(DenyReason::StaffOnly)
            }
        }
        RateRequest { org_id } => {
            if actor.is_staff() {
                Forbidden(DenyReason::CustomersOnly)
            } else {
                decide(Some(actor), ViewRequest { org_id })
            }
        }
        EditMacro { owner, shared } => {
            if !actor.is_staff() {
                Forbidden(DenyReason::StaffOnly)
            } else if actor.user_id == owner || (shared && actor.role == Role::SupportAdmin) {
                Allow
            } else {
                Forbidden(DenyReason::OwnerOnly)
            }
        }
        ManageOutbox
        | ManageChatSettings
        | ManageHelpCenter
        | ViewSupportReports
        | ManageSupportSettings => match actor.role {
            Role::SupportAdmin => Allow,
            _ => Forbidden(DenyReason::SupportAdminsOnly),
        },
        ViewChat { org_id } => decide(Some(actor), ViewRequest { org_id }),
        SetRequestStatus { org_id, to } => {
            if actor.is_staff() {
                return Allow;
            }
            match decide(Some(actor), ViewRequest { org_id }) {
                // Customers mark a request solved or reopen it; the rest
                // of the lifecycle is support's.
                Allow if matches!(to, TicketStatus::Solved | TicketStatus::Open) => Allow,
                Allow => Forbidden(DenyReason::StaffOnly),
                other => other,
            }
        }
        FollowRequest { org_id } => {
            if actor.is_staff() {
                Forbidden(DenyReason::CustomersOnly)
            } else {
                decide(Some(actor), ViewRequest { org_id })
            }
        }
        ManageIntegrations { org_id } | ManagePeople { org_id } => {
            if actor.is_staff() {
                Forbidden(DenyReason::CustomersOnly)
            } else if !own_org(org_id) {
                NotFound
            } else if actor.role == Role::Admin {
                Allow
            } else {
                Forbidden(DenyReason::AdminsOnly)
            }
        }
        ViewRequest { org_id } => {
            if actor.is_staff() {
                Allow
            } else if !own_org(org_id) {
                NotFound
            } else {
                decide(Some(actor), UseDirectSupport)
            }
        }
        UseDirectSupport | UseChat => {
            if actor.is_staff() {
                return Forbidden(DenyReason::CustomersOnly);
            }
            let Some(org) = &actor.org else {
                return Forbidden(DenyReason::CustomersOnly);
            };
            // The plan is the first thing to explain: a member of a Core
            // organisation would not get support even as an admin.
            if !org.plan.includes_direct_support() {
                return Forbidden(DenyReason::PlanExcludesDirectSupport);
            }
            if actor.role != Role::Admin {
                return Forbidden(DenyReason::AdminsOnly);
            }
            if action == UseChat && !org.chat {
                return Forbidden(DenyReason::ChatNotEnabled);
            }
            Allow
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::OrgRef;
    use Decision::*;
    use DenyReason::*;

    const OWN: &str = "org-own";
    const OTHER: &str = "org-other";

    fn actor(role: Role, plan: Plan, chat: bool) -> Actor {
        Actor {
            user_id: "u".into(),
            role,
            org: (!role.is_staff()).then(|| OrgRef {
                id: OWN.into(),
                plan,
                chat,
            }),
            second_factor_missing: false,
        }
    }

    fn actions() -> Vec<(&'static str, Action<'static>)> {
        vec![
            ("status", Action::ReadStatusPage),
            ("help", Action::ReadHelp),
            ("account", Action::ManageOwnAccount),
            ("admin_panel", Action::ViewAdminPanel),
            ("view_own_org", Action::ViewOrganisation { org_id: OWN }),
            ("view_other_org", Action::ViewOrganisation { org_id: OTHER }),
            (
                "users_own_org",
                Action::ListOrganisationUsers { org_id: OWN },
            ),
            (
                "users_other_org",
                Action::ListOrganisationUsers { org_id: OTHER },
            ),
            ("manage_orgs", Action::ManageOrganisations),
            ("manage_users", Action::ManageUsers),
            ("direct_support", Action::UseDirectSupport),
            ("chat", Action::UseChat),
            ("queue", Action::WorkSupportQueue),
            ("own_request", Action::ViewRequest { org_id: OWN }),
            ("other_request", Action::ViewRequest { org_id: OTHER }),
            ("status_admin", Action::ManageStatusPage),
            (
                "own_integrations",
                Action::ManageIntegrations { org_id: OWN },
            ),
            (
                "other_integrations",
                Action::ManageIntegrations { org_id: OTHER },
            ),
            ("see_internal", Action::SeeInternalNotes),
            ("add_note", Action::AddInternalNote),
            ("triage", Action::TriageRequest),
            ("outbox", Action::ManageOutbox),
            (
                "solve_own",
                Action::SetRequestStatus {
                    org_id: OWN,
                    to: TicketStatus::Solved,
                },
            ),
            (
                "reopen_own",
                Action::SetRequestStatus {
                    org_id: OWN,
                    to: TicketStatus::Open,
                },
            ),
            (
                "wait_own",
                Action::SetRequestStatus {
                    org_id: OWN,
                    to: TicketStatus::WaitingOnCustomer,
                },
            ),
            (
                "close_own",
                Action::SetRequestStatus {
                    org_id: OWN,
                    to: TicketStatus::Closed,
                },
            ),
            (
                "solve_other",
                Action::SetRequestStatus {
                    org_id: OTHER,
                    to: TicketStatus::Solved,
                },
            ),
            ("follow_own", Action::FollowRequest { org_id: OWN }),
            ("follow_other", Action::FollowRequest { org_id: OTHER }),
            ("chat_own", Action::ViewChat { org_id: OWN }),
            ("chat_other", Action::ViewChat { org_id: OTHER }),
            ("chat_settings", Action::ManageChatSettings),
            ("help_admin", Action::ManageHelpCenter),
            ("help_report", Action::ViewHelpReport),
            ("community_post", Action::PostInCommunity),
            ("community_moderate", Action::ModerateCommunity),
            ("accept_own", Action::AcceptAnswer { asker: "u" }),
            ("accept_other", Action::AcceptAnswer { asker: "someone" }),
            ("rate_own", Action::RateRequest { org_id: OWN }),
            ("rate_other", Action::RateRequest { org_id: OTHER }),
            (
                "macro_own",
                Action::EditMacro {
                    owner: "u",
                    shared: false,
                },
            ),
            (
                "macro_other_personal",
                Action::EditMacro {
                    owner: "someone",
                    shared: false,
                },
            ),
            (
                "macro_other_shared",
                Action::EditMacro {
                    owner: "someone",
                    shared: true,
                },
            ),
            ("support_reports", Action::ViewSupportReports),
            ("support_settings", Action::ManageSupportSettings),
            ("people_own", Action::ManagePeople { org_id: OWN }),
            ("people_other", Action::ManagePeople { org_id: OTHER }),
            (
                "article_public",
                Action::ReadArticle {
                    plans: &[],
                    others_may_read: false,
                    published: true,
                },
            ),
            (
                "article_draft",
                Action::ReadArticle {
                    plans: &[],
                    others_may_read: false,
                    published: false,
                },
            ),
            (
                "article_advanced",
                Action::ReadArticle {
                    plans: &[Plan::Advanced],
                    others_may_read: false,
                    published: true,
                },
            ),
            (
                "article_advanced_open",
                Action::ReadArticle {
                    plans: &[Plan::Advanced],
                    others_may_read: true,
                    published: true,
                },
            ),
        ]
    }

    /// The expected decision for every role × plan × chat × action, written
    /// out as a table rather than derived from the code under test.
    fn expected(role: Role, plan: Plan, chat: bool, action: &str) -> Decision {
        let paid = plan != Plan::Core;
        match (role, action) {
            (_, "status" | "help" | "account") => Allow,
            (Role::Agent | Role::SupportAdmin, "view_own_org" | "view_other_org") => Allow,
            (Role::Agent | Role::SupportAdmin, "users_own_org" | "users_other_org") => Allow,
            (_, "view_own_org") => Allow,
            (_, "view_other_org" | "users_other_org") => NotFound,
            (Role::Admin, "users_own_org") => Allow,
            (Role::Member, "users_own_org") => Forbidden(AdminsOnly),
            (Role::Admin, "admin_panel") => Allow,
            (Role::Member, "admin_panel") => Forbidden(AdminsOnly),
            (_, "admin_panel") => Forbidden(CustomersOnly),
            (Role::SupportAdmin, "manage_orgs" | "manage_users") => Allow,
            (_, "manage_orgs" | "manage_users") => Forbidden(SupportAdminsOnly),
            (Role::Agent | Role::SupportAdmin, "queue" | "status_admin") => Allow,
            (Role::Agent | Role::SupportAdmin, "own_request" | "other_request") => Allow,
            (_, "other_request") => NotFound,
            (_, "own_request") if !paid => Forbidden(PlanExcludesDirectSupport),
            (Role::Member, "own_request") => Forbidden(AdminsOnly),
            (Role::Admin, "own_request") => Allow,
            (_, "queue" | "status_admin") => Forbidden(StaffOnly),
            (Role::Agent | Role::SupportAdmin, "direct_support" | "chat") => {
                Forbidden(CustomersOnly)
            }
            (_, "direct_support" | "chat") if !paid => Forbidden(PlanExcludesDirectSupport),
            (Role::Member, "direct_support" | "chat") => Forbidden(AdminsOnly),
            (Role::Admin, "direct_support") => Allow,
            (Role::Admin, "chat") if chat => Allow,
            (Role::Admin, "chat") => Forbidden(ChatNotEnabled),
            (Role::Agent | Role::SupportAdmin, "own_integrations" | "other_integrations") => {
                Forbidden(CustomersOnly)
            }
            (_, "other_integrations") => NotFound,
            (Role::Admin, "own_integrations") => Allow,
            (Role::Member, "own_integrations") => Forbidden(AdminsOnly),
            (Role::Agent | Role::SupportAdmin, "see_internal" | "add_note" | "triage") => Allow,
            (_, "see_internal" | "add_note" | "triage") => Forbidden(StaffOnly),
            (Role::SupportAdmin, "outbox" | "chat_settings" | "help_admin") => Allow,
            (_, "outbox" | "chat_settings" | "help_admin") => Forbidden(SupportAdminsOnly),
            (_, "community_post") => Allow,
            (Role::Agent | Role::SupportAdmin, "community_moderate" | "accept_other") => Allow,
            (_, "community_moderate") => Forbidden(StaffOnly),
            (_, "accept_own") => Allow,
            (_, "accept_other") => Forbidden(AskerOnly),
            (Role::Agent | Role::SupportAdmin, "help_report") => Allow,
            (_, "help_report") => Forbidden(StaffOnly),
            // Staff read every article; customers the published ones for
            // their plan, and restricted ones staff opened to all.
            (Role::Agent | Role::SupportAdmin, a) if a.starts_with("article_") => Allow,
            (_, "article_public" | "article_advanced_open") => Allow,
            (_, "article_draft") => NotFound,
            (_, "article_advanced") if plan == Plan::Advanced => Allow,
            (_, "article_advanced") => NotFound,
            // Reading a chat is like reading a request: the chat rollout
            // only decides whether new chats can be opened.
            (Role::Agent | Role::SupportAdmin, "chat_own" | "chat_other") => Allow,
            (_, "chat_other") => NotFound,
            (_, "chat_own") if !paid => Forbidden(PlanExcludesDirectSupport),
            (Role::Member, "chat_own") => Forbidden(AdminsOnly),
            (Role::Admin, "chat_own") => Allow,
            // Staff move any request anywhere the state machine allows.
            (
                Role::Agent | Role::SupportAdmin,
                "solve_own" | "reopen_own" | "wait_own" | "close_own" | "solve_other",
            ) => Allow,
            (_, "solve_other") => NotFound,
            (_, "solve_own" | "reopen_own" | "wait_own" | "close_own") if !paid => {
                Forbidden(PlanExcludesDirectSupport)
            }
            (Role::Member, "solve_own" | "reopen_own" | "wait_own" | "close_own") => {
                Forbidden(AdminsOnly)
            }
            (Role::Admin, "solve_own" | "reopen_own") => Allow,
            (Role::Admin, "wait_own" | "close_own") => Forbidden(StaffOnly),
            (Role::Agent | Role::SupportAdmin, "follow_own" | "follow_other") => {
                Forbidden(CustomersOnly)
            }
            (_, "follow_other") => NotFound,
            (_, "follow_own") if !paid => Forbidden(PlanExcludesDirectSupport),
            (Role::Member, "follow_own") => Forbidden(AdminsOnly),
            (Role::Admin, "follow_own") => Allow,
            (Role::Agent | Role::SupportAdmin, "rate_own" | "rate_other") => {
                Forbidden(CustomersOnly)
            }
            (_, "rate_other") => NotFound,
            (_, "rate_own") if !paid => Forbidden(PlanExcludesDirectSupport),
            (Role::Member, "rate_own") => Forbidden(AdminsOnly),
            (Role::Admin, "rate_own") => Allow,
            (Role::Agent | Role::SupportAdmin, "macro_own") => Allow,
            (Role::SupportAdmin, "macro_other_shared") => Allow,
            (Role::Agent | Role::SupportAdmin, "macro_other_personal" | "macro_other_shared") => {
                Forbidden(OwnerOnly)
            }
            (_, "macro_own" | "macro_other_personal" | "macro_other_shared") => {
                Forbidden(StaffOnly)
            }
            (Role::Agent | Role::SupportAdmin, "people_own" | "people_other") => {
                Forbidden(CustomersOnly)
            }
            (_, "people_other") => NotFound,
            (Role::Admin, "people_own") => Allow,
            (Role::Member, "people_own") => Forbidden(AdminsOnly),
            (Role::SupportAdmin, "support_reports" | "support_settings") => Allow,
            (_, "support_reports" | "support_settings") => Forbidden(SupportAdminsOnly),
            other => panic!("table has no row for {other:?}"),
        }
    }

    #[test]
    fn full_role_plan_table() {
        let mut checked = 0;
        for role in Role::ALL {
            for plan in Plan::ALL {
                for chat in [false, true] {
                    let a = actor(*role, *plan, chat);
                    for (name, action) in actions() {
                        assert_eq!(
                            decide(Some(&a), action),
                            expected(*role, *plan, chat, name),
                            "{role} on {plan} (chat {chat}) doing {name}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 4 * 3 * 2 * 51);
    }

    #[test]
    fn visitors_only_read_public_things() {
        for (name, action) in actions() {
            let want = if matches!(
                name,
                "status" | "help" | "article_public" | "article_advanced_open"
            ) {
                Allow
            } else if name.starts_with("article_") {
                NotFound
            } else {
                SignInRequired
            };
            assert_eq!(decide(None, action), want, "visitor doing {name}");
        }
    }

    #[test]
    fn staff_without_a_required_second_factor_may_only_set_one_up() {
        for role in [Role::Agent, Role::SupportAdmin] {
            let mut a = actor(role, Plan::Enterprise, false);
            a.second_factor_missing = true;
            assert_eq!(decide(Some(&a), Action::ManageOwnAccount), Allow);
            assert_eq!(decide(Some(&a), Action::ReadStatusPage), Allow);
            for action in [
                Action::ManageUsers,
                Action::ManageOrganisations,
                Action::ViewOrganisation { org_id: OWN },
            ] {
                assert_eq!(
                    decide(Some(&a), action),
                    Forbidden(TwoFactorRequired),
                    "{role:?} doing {action:?}"
                );
            }
            a.second_factor_missing = false;
            assert_eq!(
                decide(Some(&a), Action::ManageUsers).is_allowed(),
                role == Role::SupportAdmin
            );
        }
    }

    #[test]
    fn a_customer_without_organisation_gets_nothing_of_an_organisation() {
        let lost = Actor {
            user_id: "u".into(),
            role: Role::Admin,
            org: None,
            second_factor_missing: false,
        };
        assert_eq!(
            decide(Some(&lost), Action::ViewOrganisation { org_id: OWN }),
            NotFound
        );
        assert_eq!(
            decide(Some(&lost), Action::UseDirectSupport),
            Forbidden(CustomersOnly)
        );
    }

    #[test]
    fn a_permit_comes_only_from_an_allowed_decision() {
        let admin = actor(Role::Admin, Plan::Advanced, false);
        let permit = authorize(Some(&admin), Action::ViewRequest { org_id: OWN }).expect("allowed");
        assert_eq!(permit.scope(), Some(Scope::Org(OWN)));
        assert!(!permit.sees_internal());
        assert_eq!(
            authorize(Some(&admin), Action::ViewRequest { org_id: OTHER }).err(),
            Some(NotFound)
        );
        let agent = actor(Role::Agent, Plan::Core, false);
        let permit = authorize(Some(&agent), Action::WorkSupportQueue).expect("allowed");
        assert_eq!(permit.scope(), Some(Scope::Staff));
        assert!(permit.sees_internal());
        assert_eq!(
            authorize(None, Action::WorkSupportQueue).err(),
            Some(SignInRequired)
        );
        assert!(
            authorize(None, Action::ReadStatusPage)
                .expect("public")
                .scope()
                .is_none()
        );
    }
}
