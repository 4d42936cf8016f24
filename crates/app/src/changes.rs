//! Change events. A use case that changes what the public sees (components,
//! incidents, maintenance) publishes one event; everything that follows
//! from it hangs off here: the web layer's status snapshot rebuilds and its
//! open pages hear of it by SSE, and on PostgreSQL every other instance
//! hears of it by `NOTIFY` (see [`crate::jobs`] for the `LISTEN` side) and
//! does the same. Nobody refreshes anything by hand.
use crate::App;
use futures_util::future::BoxFuture;
use std::sync::{Arc, RwLock};

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// Components, incidents or maintenance: the public status.
    Status,
    /// Something in the live chat (a message stored, typing, the queue):
    /// the notification carries a [`crate::chat::Signal`] as JSON.
    Chat,
    /// A help article was written: the notification carries its id, and
    /// each instance re-reads it into its own search index.
    Help,
    /// Response targets, business hours or support teams: every instance
    /// forgets its cached copy.
    Targets,
}

impl Topic {
    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Status => "status",
            Topic::Chat => "chat",
            Topic::Help => "help",
            Topic::Targets => "targets",
        }
    }

    pub fn parse(s: &str) -> Option<Topic> {
        match s {
            "status" => Some(Topic::Status),
            "chat" => Some(Topic::Chat),
            "help" => Some(Topic::Help),
            "targets" => Some(Topic::Targets),
            _ => None,
        }
    }
}

/// Something to run on every change of a topic.
pub type Listener = Arc<dyn Fn(Topic) -> BoxFuture<'static, ()> + Send + Sync>;

/// The PostgreSQL channel on which instances announce changes.
pub const CHANNEL: &str = "statusdesk_changes";

pub struct Changes {
    listeners: RwLock<Vec<Listener>>,
    /// Whether other instances may share the database (PostgreSQL).
    shared: bool,
    /// Identifies this instance in notifications to the others.
    pub instance: String,
}

impl Changes {
    pub(crate) fn new(shared: bool) -> Self {
        Self {
            listeners: RwLock::new(Vec::new()),
            shared,
            instance: store::new_secret("").0[..16].to_string(),
        }
    }

    /// Whether other instances may be listening.
    pub(crate) fn shared(&self) -> bool {
        self.shared
    }

    /// Registers `listener` for every change from now on.
    pub fn subscribe(&self, listener: Listener) {
        if let Ok(mut l) = self.listeners.write() {
            l.push(listener);
        }
    }

    fn listeners(&self) -> Vec<Listener> {
        self.listeners.read().map(|l| l.clone()).unwrap_or_default()
    }

    /// The payload of a notification from this instance about `topic`,
    /// with what else it carries.
    pub(crate) fn payload(&self, topic: Topic, body: &str) -> String {
        format!("{} {} {body}", self.instance, topic.as_str())
    }

    /// Reads a notification: the topic and what it carries, unless it came
    /// from this instance.
    pub(crate) fn foreign<'a>(&self, payload: &'a str) -> Option<(Topic, &'a str)> {
        let (from, rest) = payload.split_once(' ')?;
        if from == self.instance {
            return None;
        }
        let (topic, body) = rest.split_once(' ').unwrap_or((rest, ""));
        Topic::parse(topic).map(|t| (t, body))
    }
}

impl App {
    /// Announces a change made here: runs the listeners, then tells the
    /// other instances. Logs instead of failing: the change itself has
    /// already been written.
    pub(crate) async fn publish(&self, topic: Topic) {
        self.run_listeners(topic).await;
        self.tell_others(topic, "").await;
    }

    /// Tells the other instances sharing the database of a change.
    pub(crate) async fn tell_others(&self, topic: Topic, body: &str) {
        if self.changes.shared
            && let Err(e) = self
                .store()
                .notify(CHANNEL, &self.changes.payload(topic, body))
                .await
        {
            tracing::warn!(error = %e, "other instances could not be told of a change");
        }
    }

    /// Runs the listeners of `topic`, for a change made here or elsewhere.
    pub async fn run_listeners(&self, topic: Topic) {
        for listener in self.changes.listeners() {
            listener(topic).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifications_from_this_instance_are_ignored() {
        let c = Changes::new(true);
        let own = c.payload(Topic::Status, "");
        assert_eq!(c.foreign(&own), None);
        let other = Changes::new(true);
        assert_eq!(
            c.foreign(&other.payload(Topic::Status, "")),
            Some((Topic::Status, ""))
        );
        assert_eq!(
            c.foreign(&other.payload(Topic::Chat, "{\"a\":1}")),
            Some((Topic::Chat, "{\"a\":1}"))
        );
        assert_eq!(c.foreign("garbage"), None);
        assert_eq!(c.foreign("abc nothing"), None);
    }
}
