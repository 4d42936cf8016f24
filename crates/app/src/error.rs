//! The one error of every use case. It knows what went wrong (a stable
//! `code`, the `field` at fault) and says it in the reader's language; the
//! web layer only decides between a page and JSON, and the HTTP status.
use crate::i18n::Tr;
use domain::{DenyReason, Language};

/// Bad input: which field, what rule (a code), and the values the message
/// names (`max`, `allowed`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub code: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Invalid {
    pub fn new(field: &str, code: &'static str) -> Self {
        Self {
            field: field.to_string(),
            code,
            args: Vec::new(),
        }
    }

    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Malformed or invalid input.
    #[error("{}", .0.code)]
    Invalid(Invalid),
    /// The request body is larger than the field or endpoint allows.
    #[error("too large")]
    TooLarge { max_bytes: u64 },
    #[error("sign-in required")]
    Unauthorized,
    #[error("wrong e-mail address or password")]
    BadCredentials,
    #[error("forbidden: {}", .0.code())]
    Denied(DenyReason),
    /// A form without its token, or with another session's.
    #[error("form expired")]
    FormExpired,
    #[error("not found")]
    NotFound,
    /// The action does not fit the object's current state (or it changed
    /// meanwhile); `code` says which.
    #[error("conflict: {}", .0.code)]
    Conflict(Invalid),
    /// The account has two-factor sign-in and the code is missing or
    /// wrong (`two_factor_required`, `two_factor_code_wrong`).
    #[error("{0}")]
    SecondFactor(&'static str),
    #[error("too many attempts")]
    TooMany { retry_after_secs: u64 },
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: &str, code: &'static str) -> Self {
        Error::Invalid(Invalid::new(field, code))
    }

    pub fn invalid_with(field: &str, code: &'static str, args: &[(&'static str, &str)]) -> Self {
        let mut i = Invalid::new(field, code);
        for (k, v) in args {
            i.args.push((k, v.to_string()));
        }
        Error::Invalid(i)
    }

    pub fn conflict(field: &str, code: &'static str) -> Self {
        Error::Conflict(Invalid::new(field, code))
    }

    pub fn conflict_with(field: &str, code: &'static str, args: &[(&'static str, &str)]) -> Self {
        let mut i = Invalid::new(field, code);
        for (k, v) in args {
            i.args.push((k, v.to_string()));
        }
        Error::Conflict(i)
    }

    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        Error::Internal(e.into())
    }

    /// A stable machine-readable code.
    pub fn code(&self) -> &str {
        match self {
            Error::Invalid(i) | Error::Conflict(i) => i.code,
            Error::TooLarge { .. } => "too_large",
            Error::Unauthorized => "unauthorized",
            Error::BadCredentials => "bad_credentials",
            Error::SecondFactor(code) => code,
            Error::Denied(r) => r.code(),
            Error::FormExpired => "form_expired",
            Error::NotFound => "not_found",
            Error::TooMany { .. } => "too_many_requests",
            Error::Internal(_) => "internal",
        }
    }

    /// The request field at fault, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid(i) | Error::Conflict(i) => Some(i.field.as_str()),
            Error::SecondFactor(_) => Some("otp"),
            _ => None,
        }
    }

    /// What went wrong and what to do, in `lang`.
    pub fn message(&self, lang: Language) -> String {
        let tr = Tr(lang);
        match self {
            Error::Invalid(i) | Error::Conflict(i) => {
                let field_key = i.field.replace('_', "-");
                let field = tr
                    .try_t(&format!("fieldname-{field_key}"))
                    .unwrap_or_else(|| i.field.clone());
                let mut args: Vec<(&'static str, &str)> = vec![("field", field.as_str())];
                for (k, v) in &i.args {
                    args.push((k, v.as_str()));
                }
                // A message for this rule on this field, else for the rule.
                let code = i.code.replace('_', "-");
                [format!("err-{code}-{field_key}"), format!("err-{code}")]
                    .into_iter()
                    .find_map(|k| tr.try_ta(&k, &args))
                    .unwrap_or_else(|| tr.ta("err-invalid", &args))
            }
            Error::TooLarge { max_bytes } => tr.ta(
                "err-too-large",
                &[("max", &(max_bytes / 1024).max(1).to_string())],
            ),
            Error::Unauthorized => tr.t("error-unauthorized"),
            Error::BadCredentials => tr.t("error-bad-credentials"),
            Error::SecondFactor(code) => tr.t(&format!("err-{}", code.replace('_', "-"))),
            Error::Denied(reason) => tr.t(&format!("deny-{}", reason.code().replace('_', "-"))),
            Error::FormExpired => tr.t("error-csrf"),
            Error::NotFound => tr.t("error-not-found"),
            Error::TooMany { retry_after_secs } => tr.ta(
                "error-too-many",
                &[("minutes", &retry_after_secs.div_ceil(60).max(1).to_string())],
            ),
            Error::Internal(_) => tr.t("error-internal"),
        }
    }
}

impl From<store::StoreError> for Error {
    fn from(e: store::StoreError) -> Self {
        match e {
            store::StoreError::Duplicate(_) => Error::conflict("input", "duplicate"),
            store::StoreError::BadCursor => Error::invalid("cursor", "cursor"),
            // Text PostgreSQL cannot store (a NUL character) that came in
            // some way the extractors do not check (a path, a multipart
            // field): the caller's input, not our failure.
            e if e.is_unstorable_text() => Error::invalid("input", "control_chars"),
            other => Error::Internal(other.into()),
        }
    }
}

impl From<domain::ParseError> for Error {
    fn from(e: domain::ParseError) -> Self {
        Error::Invalid(Invalid {
            field: e.what.replace(' ', "_"),
            code: e.code,
            args: e.args,
        })
    }
}

impl From<domain::Decision> for Error {
    fn from(d: domain::Decision) -> Self {
        match d {
            domain::Decision::Allow => {
                Error::Internal(anyhow::anyhow!("an allowed decision used as an error"))
            }
            domain::Decision::SignInRequired => Error::Unauthorized,
            domain::Decision::Forbidden(r) => Error::Denied(r),
            domain::Decision::NotFound => Error::NotFound,
        }
    }
}

impl From<domain::Refused> for Error {
    fn from(r: domain::Refused) -> Self {
        Error::conflict("status", r.code)
    }
}

impl From<domain::status::StatusRefused> for Error {
    fn from(r: domain::status::StatusRefused) -> Self {
        Error::conflict("status", r.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Language;

    /// Every code the use cases and the domain give out has its own
    /// message in both languages (not the generic fallback).
    #[test]
    fn every_code_has_a_message_in_both_languages() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut sources: String = crate::i18n::read_tree(&[
            root.join("src"),
            root.join("../domain/src"),
            root.join("../web/src"),
        ])
        .into_iter()
        .map(|(_, t)| t)
        .collect();
        sources.push_str(include_str!("../../domain/src/ticket.rs"));
        let mut codes = std::collections::BTreeSet::new();
        for marker in [
            "Error::invalid(\"",
            "Error::invalid_with(\"",
            "Error::conflict(\"",
            "refuse(\"",
            "code: \"",
            "ParseError::new(\"",
            "ParseError::new(what, \"",
        ] {
            for piece in sources.split(marker).skip(1) {
                // invalid("field", "code"): the code is the second string.
                let rest = if marker.starts_with("Error::") || marker.ends_with("new(\"") {
                    piece.split_once('"').map(|(_, r)| r).unwrap_or("")
                } else {
                    piece
                };
                let rest = rest.trim_start_matches([',', ' ', '\n', '"']);
                let code: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if code.len() > 2 {
                    codes.insert(code);
                }
            }
        }
        // Parsed enums and texts.
        codes.extend(["not_one_of", "too_long", "required", "control_chars"].map(String::from));
        assert!(codes.len() > 20, "{codes:?}");
        for lang in Language::ALL {
            let tr = Tr(*lang);
            let args = [
                ("field", "F"),
                ("max", "1"),
                ("min", "1"),
                ("value", "v"),
                ("allowed", "a"),
                ("name", "n"),
                ("reason", "r"),
                ("detail", "d"),
            ];
            for code in &codes {
                let key = format!("err-{}", code.replace('_', "-"));
                assert!(tr.try_ta(&key, &args).is_some(), "{key} in {lang}");
            }
        }
    }

    #[test]
    fn messages_name_the_field_and_fill_in_values() {
        let e = Error::invalid_with("subject", "too_long", &[("max", "200")]);
        assert_eq!(
            e.message(Language::En),
            "Subject: at most 200 characters, please shorten it."
        );
        assert_eq!(
            e.message(Language::Sv),
            "Ämne: högst 200 tecken, korta ner texten."
        );
        let e = Error::invalid_with("url", "target", &[("reason", "private address")]);
        assert_eq!(
            e.message(Language::En),
            "URL: this address cannot be used (private address)."
        );
        // A rule with its own wording for one field.
        let e = Error::from(domain::Plan::parse("platinum").expect_err("refused"));
        assert_eq!(e.field(), Some("plan"));
        assert!(e.message(Language::En).contains("platinum"));
        assert!(
            e.message(Language::En)
                .contains("Choose Core, Advanced or Enterprise.")
        );
    }
}
