//! The one place that answers "may this actor do that". Every handler asks
//! [`decide`]; the store additionally scopes customer data by organisation so
//! a forgotten check cannot leak another organisation's rows.
use crate::types::{Actor, Role};

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

/// Decides whether `actor` (or an anonymous visitor, `None`) may do `action`.
pub fn decide(actor: Option<&Actor>, action: Action<'_>) -> Decision {
    use Action::*;
    use Decision::*;

    // Public things first: they need no account.
    if matches!(action, ReadStatusPage | ReadHelp) {
        return Allow;
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
        WorkSupportQueue | ManageStatusPage => {
            if actor.is_staff() {
                Allow
            } else {
                Forbidden(DenyReason::StaffOnly)
            }
        }
        ManageIntegrations { org_id } => {
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
    use crate::types::{OrgRef, Plan};
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
        assert_eq!(checked, 4 * 3 * 2 * 18);
    }

    #[test]
    fn visitors_only_read_public_things() {
        for (name, action) in actions() {
            let want = if matches!(name, "status" | "help") {
                Allow
            } else {
                SignInRequired
            };
            assert_eq!(decide(None, action), want, "visitor doing {name}");
        }
    }

    #[test]
    fn a_customer_without_organisation_gets_nothing_of_an_organisation() {
        let lost = Actor {
            user_id: "u".into(),
            role: Role::Admin,
            org: None,
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
}
