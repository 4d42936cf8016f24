//! Customer organisations: their plans, the chat rollout, and who belongs
//! to them.
use crate::{App, Caller, Error, Result};
use domain::{Action, ChatRollout, Plan, Scope};
use store::{Organisation, OrganisationSummary, User};

impl App {
    /// The organisations the caller can see: every one for staff, their own
    /// for a customer.
    pub async fn organisations(&self, caller: &Caller) -> Result<Vec<Organisation>> {
        match Scope::of(&caller.actor) {
            Some(Scope::Staff) => Ok(self
                .store()
                .list_orgs()
                .await?
                .into_iter()
                .map(|s| s.org)
                .collect()),
            Some(scope @ Scope::Org(id)) => {
                Ok(self.store().org(scope, id).await?.into_iter().collect())
            }
            None => Ok(Vec::new()),
        }
    }

    /// Every organisation with its head counts (support admins).
    pub async fn organisation_summaries(
        &self,
        caller: &Caller,
    ) -> Result<Vec<OrganisationSummary>> {
        self.permit(caller, Action::ManageOrganisations)?;
        Ok(self.store().list_orgs().await?)
    }

    /// One organisation; another organisation's does not exist for a
    /// customer.
    pub async fn organisation(&self, caller: &Caller, id: &str) -> Result<Organisation> {
        let permit = self.permit(caller, Action::ViewOrganisation { org_id: id })?;
        let scope = permit.scope().ok_or(Error::NotFound)?;
        self.store().org(scope, id).await?.ok_or(Error::NotFound)
    }

    pub async fn create_organisation(
        &self,
        caller: &Caller,
        name: &str,
        plan: &str,
    ) -> Result<Organisation> {
        self.permit(caller, Action::ManageOrganisations)?;
        let name = domain::parse_display_name(name)?;
        let plan = Plan::parse(plan)?;
        self.store()
            .create_org(&name, plan, self.now())
            .await
            .map_err(|e| match e {
                store::StoreError::Duplicate(_) => Error::conflict("name", "duplicate"),
                other => other.into(),
            })
    }

    /// Changes an organisation's plan or chat rollout (support admins). A
    /// customer learns nothing of other organisations, not even that they
    /// exist; for their own they are told they may not change it.
    pub async fn update_organisation(
        &self,
        caller: &Caller,
        id: &str,
        plan: Option<&str>,
        chat_rollout: Option<&str>,
    ) -> Result<Organisation> {
        self.permit(caller, Action::ViewOrganisation { org_id: id })?;
        self.permit(caller, Action::ManageOrganisations)?;
        let plan = plan.map(Plan::parse).transpose()?;
        let chat = chat_rollout
            .map(|c| ChatRollout::parse(c).map_err(|e| Error::from(e).in_field("chat_rollout")))
            .transpose()?;
        if self.store().org(Scope::Staff, id).await?.is_none() {
            return Err(Error::NotFound);
        }
        if let Some(plan) = plan {
            self.store().set_org_plan(id, plan).await?;
        }
        if let Some(chat) = chat {
            self.store().set_org_chat_rollout(id, chat).await?;
        }
        self.store()
            .org(Scope::Staff, id)
            .await?
            .ok_or(Error::NotFound)
    }

    /// The people of an organisation (its admins, and staff).
    pub async fn organisation_users(&self, caller: &Caller, id: &str) -> Result<Vec<User>> {
        let permit = self.permit(caller, Action::ListOrganisationUsers { org_id: id })?;
        let scope = permit.scope().ok_or(Error::NotFound)?;
        if self.store().org(scope, id).await?.is_none() {
            return Err(Error::NotFound);
        }
        Ok(self.store().org_users(scope, id).await?)
    }

    /// The support team (support admins).
    pub async fn staff_users(&self, caller: &Caller) -> Result<Vec<User>> {
        self.permit(caller, Action::ManageUsers)?;
        Ok(self.store().staff_users().await?)
    }

    /// Sets the share of organisations (on the default rollout) that have
    /// chat, from a form's text.
    pub async fn set_chat_percent(&self, caller: &Caller, percent: &str) -> Result<()> {
        self.permit(caller, Action::ManageOrganisations)?;
        match percent.trim().parse::<u8>() {
            Ok(p) if p <= 100 => self.store_chat_percent(p).await,
            _ => Err(Error::invalid("percent", "percent")),
        }
    }
}

impl Error {
    /// The same error, naming `field` (for a value parsed under another
    /// name).
    pub fn in_field(self, field: &str) -> Self {
        match self {
            Error::Invalid(mut i) => {
                i.field = field.to_string();
                Error::Invalid(i)
            }
            other => other,
        }
    }
}
