//! Parsed newtypes and enums shared by every layer.
use serde::{Deserialize, Serialize};
use std::fmt;

/// A value that failed to parse: what was expected, a stable `code` with
/// its arguments (which the use-case layer turns into a message in the
/// reader's language), and an English message for logs and the CLI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}: {message}")]
pub struct ParseError {
    pub what: &'static str,
    pub code: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub message: String,
}

impl ParseError {
    pub fn new(what: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            what,
            code,
            args: Vec::new(),
            message: message.into(),
        }
    }

    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }
}

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Result<Self, ParseError> {
                match s.trim().to_ascii_lowercase().as_str() {
                    $($text => Ok($name::$variant),)+
                    other => Err(ParseError::new(
                        $what,
                        "not_one_of",
                        format!(
                            "'{other}' is not one of {}",
                            [$($text),+].join(", ")
                        ),
                    )
                    .with("value", other)
                    .with("allowed", [$($text),+].join(", "))),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = ParseError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}

pub(crate) use string_enum;

string_enum!(
    /// The plan a customer organisation is on.
    Plan, "plan", { Core => "core", Advanced => "advanced", Enterprise => "enterprise" }
);

impl Plan {
    /// Only Advanced and Enterprise organisations get direct support.
    pub fn includes_direct_support(self) -> bool {
        matches!(self, Plan::Advanced | Plan::Enterprise)
    }
}

string_enum!(
    /// What a user is: a customer (member or admin of one organisation) or
    /// support staff (agent or support admin).
    Role, "role", { Member => "member", Admin => "admin", Agent => "agent", SupportAdmin => "support_admin" }
);

impl Role {
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Agent | Role::SupportAdmin)
    }
}

string_enum!(
    /// The languages the product speaks.
    Language, "language", { Sv => "sv", En => "en" }
);

impl Language {
    /// Picks the best supported language from an `Accept-Language` header,
    /// honouring q-values; `None` when nothing in it is supported.
    pub fn from_accept_language(header: &str) -> Option<Language> {
        let mut best: Option<(f32, usize, Language)> = None;
        for (index, part) in header.split(',').enumerate() {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let mut q = 1.0f32;
            for param in pieces {
                if let Some(v) = param.trim().strip_prefix("q=") {
                    q = v.trim().parse().unwrap_or(0.0);
                }
            }
            if q <= 0.0 {
                continue;
            }
            let primary = tag.split('-').next().unwrap_or("");
            let lang = match primary {
                "sv" => Language::Sv,
                "en" => Language::En,
                _ => continue,
            };
            // Higher q wins; on a tie the earlier entry wins.
            let better = match best {
                None => true,
                Some((bq, _, _)) => q > bq,
            };
            if better {
                best = Some((q, index, lang));
            }
        }
        best.map(|(_, _, l)| l)
    }
}

string_enum!(
    /// Whether chat is offered to an organisation: by the global percentage
    /// rollout, or switched on or off for it explicitly.
    ChatRollout, "chat rollout", { Default => "default", On => "on", Off => "off" }
);

/// Decides whether live chat is available to an organisation. With the
/// `Default` setting, an organisation falls into the rollout when its stable
/// bucket (0..100, derived from its id) is below the global percentage.
pub fn chat_available(org_id: &str, setting: ChatRollout, rollout_percent: u8) -> bool {
    match setting {
        ChatRollout::On => true,
        ChatRollout::Off => false,
        ChatRollout::Default => rollout_bucket(org_id) < u32::from(rollout_percent.min(100)),
    }
}

/// A stable bucket in 0..100 for an id (FNV-1a; stable across releases).
pub fn rollout_bucket(id: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in id.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash % 100
}

/// A syntactically plausible e-mail address, trimmed and with its domain
/// lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ParseError::new("email", "required", "must not be empty"));
        }
        if s.len() > 254 {
            return Err(ParseError::new(
                "email",
                "email",
                "is longer than 254 characters",
            ));
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err(ParseError::new("email", "email", "must contain '@'"));
        };
        if local.is_empty() || local.len() > 64 {
            return Err(ParseError::new(
                "email",
                "email",
                "the part before '@' must be 1 to 64 characters",
            ));
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) || local.contains('@') {
            return Err(ParseError::new(
                "email",
                "email",
                "must not contain spaces or a second '@'",
            ));
        }
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if !domain_ok {
            return Err(ParseError::new(
                "email",
                "email",
                "the part after '@' must be a domain such as example.com",
            ));
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A display name: 1 to 100 characters after trimming.
pub fn parse_display_name(input: &str) -> Result<String, ParseError> {
    crate::text::line("name", input, crate::text::limits::NAME)
}

pub fn check_password(input: &str) -> Result<(), ParseError> {
    let count = input.chars().count();
    if count < 10 {
        return Err(
            ParseError::new("password", "too_short", "must be at least 10 characters")
                .with("min", "10"),
        );
    }
    if count > 1024 {
        return Err(
            ParseError::new("password", "too_long", "must be at most 1024 characters")
                .with("max", "1024"),
        );
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRef {
    pub id: String,
    pub plan: Plan,
    pub chat: bool,
}

/// Who is asking: a signed-in user with their role and, for customers,
/// their organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub role: Role,
    pub org: Option<OrgRef>,
    /// Staff who must sign in with a second factor and have not set one up:
    /// they may only manage their own account (and read what is public).
    pub second_factor_missing: bool,
}

impl Actor {
    pub fn is_staff(&self) -> bool {
        self.role.is_staff()
    }

    /// The organisation the actor's customer data is confined to; `None` for
    /// staff, who see across organisations.
    pub fn org_scope(&self) -> Option<&str> {
        if self.is_staff() {
            None
        } else {
            self.org.as_ref().map(|o| o.id.as_str())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails_parse_and_normalise() {
        let e = EmailAddress::parse("  Admin@ACME.test ").expect("valid");
        assert_eq!(e.as_str(), "Admin@acme.test");
        for bad in [
            "", "a", "a@", "@b.c", "a@b", "a b@c.d", "a@b..c", "a@-b.c", "a@@b.c",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn enums_round_trip() {
        for p in Plan::ALL {
            assert_eq!(Plan::parse(p.as_str()), Ok(*p));
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(*r));
        }
        let err = Plan::parse("gold").expect_err("gold is no plan");
        assert!(err.to_string().contains("core, advanced, enterprise"));
    }

    #[test]
    fn accept_language_honours_q_values() {
        assert_eq!(
            Language::from_accept_language("sv-SE,sv;q=0.9,en;q=0.8"),
            Some(Language::Sv)
        );
        assert_eq!(
            Language::from_accept_language("de, en;q=0.5, sv;q=0.7"),
            Some(Language::Sv)
        );
        assert_eq!(
            Language::from_accept_language("en-GB,en;q=0.9"),
            Some(Language::En)
        );
        assert_eq!(Language::from_accept_language("de,fr"), None);
        assert_eq!(
            Language::from_accept_language("sv;q=0,en"),
            Some(Language::En)
        );
        assert_eq!(Language::from_accept_language(""), None);
    }

    #[test]
    fn chat_rollout_respects_overrides_and_percentage() {
        assert!(chat_available("x", ChatRollout::On, 0));
        assert!(!chat_available("x", ChatRollout::Off, 100));
        assert!(chat_available("x", ChatRollout::Default, 100));
        assert!(!chat_available("x", ChatRollout::Default, 0));
        // Roughly the chosen share of many ids falls into the rollout.
        let inside = (0..10_000)
            .filter(|i| chat_available(&format!("org-{i}"), ChatRollout::Default, 30))
            .count();
        assert!(
            (2_500..3_500).contains(&inside),
            "{inside} of 10000 at 30 %"
        );
    }

    proptest! {
        #[test]
        fn parsed_emails_reparse_to_themselves(s in "\\PC{0,80}") {
            if let Ok(e) = EmailAddress::parse(&s) {
                prop_assert_eq!(EmailAddress::parse(e.as_str()), Ok(e.clone()));
            }
        }

        #[test]
        fn accept_language_never_panics(s in "\\PC{0,120}") {
            let _ = Language::from_accept_language(&s);
        }

        #[test]
        fn rollout_is_monotonic(id in "[a-z0-9-]{1,40}", a in 0u8..=100, b in 0u8..=100) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            if chat_available(&id, ChatRollout::Default, lo) {
                prop_assert!(chat_available(&id, ChatRollout::Default, hi));
            }
        }
    }
}

string_enum!(
    /// The collections of the help center: how to use the product, best
    /// practices and rollout guides, and technical integration.
    Collection, "collection", { Help => "help", Resources => "resources", Developers => "developers" }
);

string_enum!(
    /// Why an article did not help, when the reader says.
    FeedbackReason, "reason", {
        Unclear => "unclear",
        Incorrect => "incorrect",
        Incomplete => "incomplete",
        NotRelevant => "not_relevant",
        Other => "other"
    }
);

string_enum!(
    /// Why a reader reports a community post.
    ReportReason, "reason", {
        Spam => "spam",
        Abusive => "abusive",
        OffTopic => "off_topic",
        Other => "other"
    }
);

string_enum!(
    /// What staff do with a post in the review queue: let a held post
    /// through, hide it, or (for a reported one) leave it as it is.
    ReviewAction, "action", { Approve => "approve", Hide => "hide", Dismiss => "dismiss" }
);
