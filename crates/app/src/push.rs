//! Web Push from the status page: browsers subscribe and unsubscribe; the
//! fan-out queues their notifications and `notify::push` delivers them.
use crate::{App, Error, Result};
use domain::Language;

/// A browser's subscription, as `PushSubscription.toJSON()` gives it.
#[derive(Debug, Default, Clone)]
pub struct PushInput {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub components: Vec<String>,
}

impl App {
    /// Subscribes a browser (public, rate-limited per address); returns the
    /// subscription's id.
    pub async fn subscribe_push(
        &self,
        input: PushInput,
        lang: Language,
        client: &str,
    ) -> Result<String> {
        self.throttle_public("push", client).await?;
        let endpoint = self.check_target_url("endpoint", &input.endpoint).await?;
        notify::push::parse_keys(&input.p256dh, &input.auth)
            .map_err(|why| Error::invalid_with("keys", "push_keys", &[("reason", &why)]))?;
        self.check_components("components", &input.components)
            .await?;
        Ok(self
            .store()
            .add_push_subscription(
                &endpoint,
                &input.p256dh,
                &input.auth,
                &input.components,
                lang.as_str(),
                self.now(),
            )
            .await?)
    }

    /// Unsubscribes a browser: the endpoint is the browser's own secret.
    pub async fn unsubscribe_push(&self, endpoint: &str) -> Result<()> {
        if self.store().remove_push_endpoint(endpoint.trim()).await? {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }
}
