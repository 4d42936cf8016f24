//! Customer admins manage their own organisation's people: invite by
//! e-mail (a link to choose a password), make admin or member, remove.
//! Another organisation's user does not exist for them. An organisation
//! always keeps at least one admin, and has room for as many people as
//! its plan allows.
use crate::{App, Caller, Error, Result};
use domain::{Action, EmailAddress, Plan, Role, Scope};
use store::{NewUser, User};

/// How long an invitation link stays valid.
const INVITE_TTL_MS: i64 = 7 * 24 * 3_600_000;

/// How many people an organisation of a plan may have (`None`: no limit).
pub fn people_limit(plan: Plan) -> Option<usize> {
    match plan {
        Plan::Core => Some(25),
        Plan::Advanced => Some(250),
        Plan::Enterprise => None,
    }
}

fn customer_role(role: &str) -> Result<Role> {
    match Role::parse(role)? {
        r @ (Role::Admin | Role::Member) => Ok(r),
        _ => Err(Error::invalid_with(
            "role",
            "not_one_of",
            &[("value", role), ("allowed", "admin, member")],
        )),
    }
}

impl App {
    /// The caller's organisation, if they may manage its people.
    fn people_org<'a>(&self, caller: &'a Caller) -> Result<&'a str> {
        // Staff have no organisation: the policy tells them it is for
        // customers.
        let org_id = caller
            .actor
            .org
            .as_ref()
            .map(|o| o.id.as_str())
            .unwrap_or("");
        self.permit(caller, Action::ManagePeople { org_id })?;
        Ok(org_id)
    }

    /// The organisation's people, admins first.
    pub async fn org_people(&self, caller: &Caller) -> Result<Vec<User>> {
        let org = self.people_org(caller)?;
        Ok(self.store().org_users(Scope::Org(org), org).await?)
    }

    /// One person of the caller's organisation; anyone else is not found.
    async fn person(&self, caller: &Caller, id: &str) -> Result<(User, Vec<User>)> {
        let people = self.org_people(caller).await?;
        let person = people
            .iter()
            .find(|u| u.id == id)
            .cloned()
            .ok_or(Error::NotFound)?;
        Ok((person, people))
    }

    /// Invites someone by e-mail: their account, and a link (valid a week)
    /// to choose a password. A person removed earlier comes back.
    pub async fn invite_person(
        &self,
        caller: &Caller,
        name: &str,
        email: &str,
        role: &str,
    ) -> Result<User> {
        let org_id = self.people_org(caller)?.to_string();
        let plan = caller
            .actor
            .org
            .as_ref()
            .map(|o| o.plan)
            .ok_or(Error::NotFound)?;
        let name = domain::parse_display_name(name)?;
        let email = EmailAddress::parse(email)?;
        let role = customer_role(if role.trim().is_empty() {
            "member"
        } else {
            role
        })?;
        let people = self.store().org_users(Scope::Org(&org_id), &org_id).await?;
        if let Some(max) = people_limit(plan)
            && people.len() >= max
        {
            return Err(Error::conflict_with(
                "email",
                "plan_people_limit",
                &[("max", &max.to_string())],
            ));
        }
        let now = self.now();
        let user_id = match self.store().removed_user(&org_id, email.as_str()).await? {
            Some(id) => {
                self.store().restore_user(&id, &name, role).await?;
                id
            }
            None => {
                let secret = store::new_secret("inv_").0;
                let hash = crate::accounts::hash_password(secret).await?;
                self.store()
                    .create_user(
                        &NewUser {
                            email: email.as_str(),
                            name: &name,
                            role,
                            org_id: Some(&org_id),
                            password_hash: &hash,
                            language: None,
                        },
                        now,
                    )
                    .await
                    .map_err(|e| match e {
                        store::StoreError::Duplicate(_) => Error::conflict("email", "duplicate"),
                        other => other.into(),
                    })?
                    .id
            }
        };
        let lang = caller.language().unwrap_or(self.config.default_language);
        let tr = crate::i18n::Tr(lang);
        let org_name = caller
            .principal
            .org
            .as_ref()
            .map(|o| o.name.clone())
            .unwrap_or_default();
        let base = self.config.base_url.clone();
        let inviter = caller.principal.user.name.clone();
        let to = email.as_str().to_string();
        let brand = self.branding().await?;
        let brand_name = brand.name_in(lang);
        let raw = self
            .store()
            .create_password_reset(&user_id, now, INVITE_TTL_MS, |raw| {
                let link = format!("{base}/password/reset?token={raw}");
                crate::mail::message(
                    &brand,
                    lang,
                    &to,
                    tr.ta(
                        "mail-invite-subject",
                        &[("brand", &brand_name), ("org", &org_name)],
                    ),
                    tr.ta(
                        "mail-invite-body",
                        &[
                            ("brand", &brand_name),
                            ("name", &name),
                            ("inviter", &inviter),
                            ("org", &org_name),
                            ("link", &link),
                        ],
                    ),
                    format!("invite:{}", store::hash_secret(raw)),
                )
            })
            .await?;
        if self.config.demo {
            tracing::info!("demo: invitation link for {to}: {base}/password/reset?token={raw}");
        }
        let (person, _) = self.person(caller, &user_id).await?;
        Ok(person)
    }

    /// Makes someone of the organisation an admin or a member; the last
    /// admin stays one.
    pub async fn set_person_role(&self, caller: &Caller, id: &str, role: &str) -> Result<User> {
        let (person, people) = self.person(caller, id).await?;
        let role = customer_role(role)?;
        let admins = people.iter().filter(|u| u.role == Role::Admin).count();
        if person.role == Role::Admin && role == Role::Member && admins <= 1 {
            return Err(Error::conflict("role", "last_admin"));
        }
        let org = person.org_id.clone();
        self.store()
            .set_role(&person.id, role, org.as_deref())
            .await?;
        Ok(self.person(caller, id).await?.0)
    }

    /// Removes someone from the organisation: they can no longer sign in;
    /// what they wrote stays. Not oneself, and not the last admin.
    pub async fn remove_person(&self, caller: &Caller, id: &str) -> Result<()> {
        let (person, people) = self.person(caller, id).await?;
        if person.id == caller.user_id() {
            return Err(Error::conflict("id", "remove_self"));
        }
        let admins = people.iter().filter(|u| u.role == Role::Admin).count();
        if person.role == Role::Admin && admins <= 1 {
            return Err(Error::conflict("id", "last_admin"));
        }
        self.store().remove_user(&person.id, self.now()).await?;
        Ok(())
    }

    /// For a member: their organisation's admins by name, to ask (empty
    /// for everyone else).
    pub async fn admin_names_for_member(&self, caller: &Caller) -> Result<String> {
        if caller.actor.role != Role::Member {
            return Ok(String::new());
        }
        Ok(self
            .own_admins(caller)
            .await?
            .into_iter()
            .map(|u| u.name)
            .collect::<Vec<_>>()
            .join(", "))
    }

    /// The admins of the caller's own organisation (for members and Core
    /// admins told whom to ask).
    pub async fn own_admins(&self, caller: &Caller) -> Result<Vec<User>> {
        let Some(org) = caller.actor.org.as_ref() else {
            return Ok(Vec::new());
        };
        Ok(self
            .store()
            .org_users(Scope::Org(&org.id), &org.id)
            .await?
            .into_iter()
            .filter(|u| u.role == Role::Admin)
            .collect())
    }
}
