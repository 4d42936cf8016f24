//! Notifications: the messages written to the outbox and, as the product
//! grows, the workers that deliver them (SMTP, webhooks, Web Push).
#![forbid(unsafe_code)]

pub mod http;
pub mod mail;
pub mod push;
pub mod smtp;
pub mod webhook;
pub mod worker;

use serde::{Deserialize, Serialize};

/// An e-mail as stored in the outbox payload.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    pub to: String,
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The same message as HTML, sent as `multipart/alternative` beside the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// Extra headers; only `List-Unsubscribe` and `List-Unsubscribe-Post`
    /// (RFC 8058) are sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
}

impl Email {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_string())
    }

    pub fn from_json(payload: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_payload_round_trips() {
        let e = Email {
            to: "a@b.test".into(),
            subject: "Återställ ditt lösenord".into(),
            text: "Hej \"Ada\"\nlänk".into(),
            headers: vec![("List-Unsubscribe".into(), "<https://x.test/u>".into())],
            html: Some("<p>Hej</p>".into()),
        };
        assert_eq!(Email::from_json(&e.to_json()).expect("parse"), e);
    }
}
