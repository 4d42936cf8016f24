//! Text that people type: one set of rules for every form and API body.
//! A *line* (a name, a subject, a title) is trimmed and may not hold
//! control characters at all, so no CR, LF or NUL reaches a header, a log
//! line or a page title. A *block* (a message, an article) keeps its line
//! breaks and tabs, with CR LF made LF, and refuses every other control
//! character. Both have a maximum length in characters, listed in
//! [`limits`] so the documentation and the checks cannot disagree.
use crate::types::ParseError;

/// The longest text each kind of field accepts, in characters.
pub mod limits {
    /// A person's or an organisation's name.
    pub const NAME: usize = 100;
    /// The subject of a support request.
    pub const SUBJECT: usize = 200;
    /// A message, a request description, a note.
    pub const MESSAGE: usize = 20_000;
    /// A feature (component) or component group name.
    pub const COMPONENT_NAME: usize = 100;
    /// A feature's description, shown on the public page.
    pub const COMPONENT_DESCRIPTION: usize = 500;
    /// An incident's or maintenance's title.
    pub const INCIDENT_NAME: usize = 200;
    /// The text of an incident update or maintenance notice.
    pub const INCIDENT_BODY: usize = 10_000;
    /// An API token's label.
    pub const TOKEN_LABEL: usize = 100;
    /// An integration or push endpoint URL.
    pub const URL: usize = 2_000;
    /// A help article's title.
    pub const ARTICLE_TITLE: usize = 200;
    /// A help article's Markdown.
    pub const ARTICLE_BODY: usize = 100_000;
    /// A slug in a URL (lower-case letters, digits and dashes).
    pub const SLUG: usize = 100;
    /// What a reader writes under "Was this information helpful?".
    pub const FEEDBACK_COMMENT: usize = 2_000;
    /// A search query.
    pub const SEARCH_QUERY: usize = 200;
}

fn too_long(what: &'static str, max: usize) -> ParseError {
    ParseError::new(
        what,
        "too_long",
        format!("must be at most {max} characters"),
    )
    .with("max", max.to_string())
}

fn required(what: &'static str) -> ParseError {
    ParseError::new(what, "required", "must not be empty")
}

/// A required single line of at most `max` characters, trimmed.
pub fn line(what: &'static str, input: &str, max: usize) -> Result<String, ParseError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(required(what));
    }
    optional_line(what, s, max).map(|o| o.unwrap_or_default())
}

/// An optional single line: empty becomes `None`.
pub fn optional_line(
    what: &'static str,
    input: &str,
    max: usize,
) -> Result<Option<String>, ParseError> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.chars().any(char::is_control) {
        return Err(ParseError::new(
            what,
            "control_chars",
            "must be one line without control characters",
        ));
    }
    if s.chars().count() > max {
        return Err(too_long(what, max));
    }
    Ok(Some(s.to_string()))
}

/// A required block of text of at most `max` characters, trimmed, with
/// line breaks kept.
pub fn block(what: &'static str, input: &str, max: usize) -> Result<String, ParseError> {
    optional_block(what, input, max)?.ok_or_else(|| required(what))
}

/// An optional block of text: empty becomes `None`.
pub fn optional_block(
    what: &'static str,
    input: &str,
    max: usize,
) -> Result<Option<String>, ParseError> {
    let normalised = input.replace("\r\n", "\n");
    let s = normalised.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(ParseError::new(
            what,
            "control_chars",
            "must not contain control characters",
        ));
    }
    if s.chars().count() > max {
        return Err(too_long(what, max));
    }
    Ok(Some(s.to_string()))
}

#[cfg(test)]
mod tests {
    /// Every limit is in the API documentation's table, with its value,
    /// so the documented limits are the enforced ones.
    #[test]
    fn every_limit_is_documented() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let docs = std::fs::read_to_string(root.join("../../docs/api.md")).expect("docs/api.md");
        let code = include_str!("text.rs");
        let block = &code[code.find("pub mod limits {").expect("limits")..];
        let block = &block[..block.find("\n}\n").expect("end")];
        let mut n = 0;
        for line in block.lines().map(str::trim) {
            let Some(rest) = line.strip_prefix("pub const ") else {
                continue;
            };
            let (name, value) = rest.split_once(": usize = ").expect("a limit");
            let value = value.trim_end_matches(';').replace('_', "");
            let row = format!("| `{name}` | {value} |");
            assert!(docs.contains(&row), "docs/api.md lacks {row}");
            n += 1;
        }
        assert!(n >= 10, "{n} limits");
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lines_refuse_line_breaks_and_nul() {
        assert_eq!(line("name", "  Acme  ", 10).as_deref(), Ok("Acme"));
        for bad in ["a\rb", "a\nb", "a\0b", "a\u{1b}b"] {
            assert_eq!(
                line("name", bad, 10).map_err(|e| e.code),
                Err("control_chars")
            );
        }
        assert_eq!(line("name", "   ", 10).map_err(|e| e.code), Err("required"));
        assert_eq!(
            line("name", "abcdefghijk", 10).map_err(|e| (e.code, e.args)),
            Err(("too_long", vec![("max", "10".to_string())]))
        );
        assert_eq!(optional_line("group", " ", 10), Ok(None));
        // Characters, not bytes.
        assert!(line("name", "åäöåäöåäöå", 10).is_ok());
    }

    #[test]
    fn blocks_keep_line_breaks() {
        assert_eq!(
            block("body", "hej\r\n\tdå\n", 100).as_deref(),
            Ok("hej\n\tdå")
        );
        assert_eq!(
            block("body", "a\0b", 100).map_err(|e| e.code),
            Err("control_chars")
        );
        assert_eq!(
            block("body", "\n\n", 100).map_err(|e| e.code),
            Err("required")
        );
    }

    proptest! {
        #[test]
        fn an_accepted_line_is_trimmed_printable_and_short(s in "\\PC{0,40}", max in 1usize..30) {
            if let Ok(v) = line("x", &s, max) {
                prop_assert!(!v.is_empty() && v.chars().count() <= max);
                prop_assert!(!v.chars().any(char::is_control));
                prop_assert_eq!(v.trim(), v.as_str());
                // Idempotent: checking again changes nothing.
                prop_assert_eq!(line("x", &v, max), Ok(v.clone()));
            }
        }

        #[test]
        fn an_accepted_block_has_no_control_but_newline_and_tab(s in "(\\PC|\\n|\\r|\\t|\\x00){0,60}") {
            if let Ok(v) = block("x", &s, 1000) {
                prop_assert!(!v.contains('\r') && !v.contains('\0'));
                prop_assert!(v.chars().all(|c| !c.is_control() || c == '\n' || c == '\t'));
            }
        }
    }
}

/// A URL slug made from a title: lower-case ASCII letters and digits
/// separated by single dashes (`å`, `ä` → `a`, `ö` → `o`, accents
/// dropped), at most [`limits::SLUG`] characters.
pub fn slugify(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars().flat_map(char::to_lowercase) {
        let mapped = match c {
            'å' | 'ä' | 'à' | 'á' | 'â' | 'æ' => Some('a'),
            'ö' | 'ø' | 'ó' | 'ò' | 'ô' => Some('o'),
            'é' | 'è' | 'ê' | 'ë' => Some('e'),
            'ü' | 'ú' | 'ù' => Some('u'),
            'í' | 'ì' | 'ï' => Some('i'),
            c if c.is_ascii_alphanumeric() => Some(c),
            _ => None,
        };
        match mapped {
            Some(c) => out.push(c),
            None if !out.is_empty() && !out.ends_with('-') => out.push('-'),
            None => {}
        }
        if out.len() >= limits::SLUG {
            break;
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Checks a slug given by hand: the form [`slugify`] makes.
pub fn slug(what: &'static str, input: &str) -> Result<String, ParseError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(required(what));
    }
    if s.len() > limits::SLUG {
        return Err(too_long(what, limits::SLUG));
    }
    if slugify(s) != s {
        return Err(ParseError::new(
            what,
            "slug",
            "may hold only lower-case letters a–z, digits and single dashes",
        ));
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod slug_tests {
    use super::{slug, slugify};

    #[test]
    fn slugs_are_ascii_and_dashed() {
        assert_eq!(
            slugify("Återställ ditt lösenord!"),
            "aterstall-ditt-losenord"
        );
        assert_eq!(
            slugify("  Slack & Teams -- integration "),
            "slack-teams-integration"
        );
        assert_eq!(slugify("Café 2.0"), "cafe-2-0");
        assert!(slug("slug", "ok-slug-1").is_ok());
        assert_eq!(slug("slug", "Bad Slug").map_err(|e| e.code), Err("slug"));
        assert_eq!(slug("slug", "").map_err(|e| e.code), Err("required"));
    }
}
