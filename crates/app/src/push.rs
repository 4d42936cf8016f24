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
        self.check_push_service(&endpoint)?;
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

    /// A push endpoint is a push service's: `https` on port 443 (unless
    /// the operator allows private targets, for testing), and one of the
    /// operator's push hosts when they name some. Anything else would be a
    /// blind outbound POST per incident to wherever a stranger points it.
    fn check_push_service(&self, endpoint: &str) -> Result<()> {
        if self.config.allow_private_targets {
            return Ok(());
        }
        let url = notify::http::check_url_shape(endpoint).map_err(|why| {
            tracing::info!(%why, "push endpoint refused");
            Error::invalid("endpoint", "push_endpoint")
        })?;
        if url.scheme() != "https" || url.port().is_some_and(|p| p != 443) {
            return Err(Error::invalid("endpoint", "push_endpoint"));
        }
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let listed = self.config.push_hosts.is_empty()
            || self
                .config
                .push_hosts
                .iter()
                .any(|h| host == *h || host.ends_with(&format!(".{h}")));
        if !listed {
            return Err(Error::invalid_with(
                "endpoint",
                "push_service",
                &[("host", &host)],
            ));
        }
        Ok(())
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
