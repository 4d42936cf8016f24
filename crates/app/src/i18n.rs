//! Swedish and English through Fluent. Templates never hold user-visible
//! text; they ask [`Tr`] for it by key.
use domain::Language;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};
use std::borrow::Cow;
use std::collections::HashMap;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static SV: LanguageIdentifier = langid!("sv");
static EN: LanguageIdentifier = langid!("en");

fn id(lang: Language) -> &'static LanguageIdentifier {
    match lang {
        Language::Sv => &SV,
        Language::En => &EN,
    }
}

/// Translation in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr(pub Language);

impl Tr {
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(id(self.0), key)
    }

    pub fn try_t(&self, key: &str) -> Option<String> {
        LOCALES.try_lookup(id(self.0), key)
    }

    /// A message with named arguments, if the key exists.
    pub fn try_ta(&self, key: &str, args: &[(&'static str, &str)]) -> Option<String> {
        let map: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.to_string())))
            .collect();
        LOCALES.try_lookup_with_args(id(self.0), key, &map)
    }

    /// A message with named arguments.
    pub fn ta(&self, key: &str, args: &[(&'static str, &str)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.to_string())))
            .collect();
        LOCALES.lookup_with_args(id(self.0), key, &map)
    }

    /// A message with one number argument (for plurals).
    pub fn tn(&self, key: &str, name: &'static str, n: i64) -> String {
        let mut map: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        map.insert(Cow::Borrowed(name), FluentValue::from(n));
        LOCALES.lookup_with_args(id(self.0), key, &map)
    }
}

tokio::task_local! {
    /// The time zone of the person a page is for, while it is made (see
    /// [`in_zone`]); outside, times are in UTC.
    static VIEWER_ZONE: std::cell::RefCell<Option<jiff::tz::TimeZone>>;
}

/// Runs `f` with times formatted in `zone` (`None`: UTC). The web layer
/// runs each request in its viewer's zone; what is made once for everybody
/// (the cached status page, feeds, transcripts) runs in UTC.
pub async fn in_zone<F: std::future::Future>(zone: Option<jiff::tz::TimeZone>, f: F) -> F::Output {
    VIEWER_ZONE.scope(std::cell::RefCell::new(zone), f).await
}

/// Changes the zone of the [`in_zone`] around this task (once the request
/// knows who is signed in and what they chose).
pub fn set_viewer_zone(zone: Option<jiff::tz::TimeZone>) {
    let _ = VIEWER_ZONE.try_with(|z| *z.borrow_mut() = zone);
}

/// A time zone by its IANA name (`Europe/Stockholm`), from the bundled
/// database.
pub fn time_zone(name: &str) -> Option<jiff::tz::TimeZone> {
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    jiff::tz::db().get(name).ok()
}

/// Every time zone name people may choose, sorted.
pub fn time_zone_names() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.to_string())
        .filter(|n| n.contains('/') && !n.starts_with("Etc/") && !n.starts_with("SystemV/"))
        .collect();
    names.sort();
    names.push("UTC".into());
    names
}

/// Formats UTC milliseconds as a readable date and time, in the viewer's
/// time zone (with its abbreviation, such as CET) or in UTC.
pub fn format_time(ms: i64, lang: Language) -> String {
    let zone = VIEWER_ZONE.try_with(|z| z.borrow().clone()).ok().flatten();
    if let Some(zone) = zone
        && let Ok(at) = jiff::Timestamp::from_millisecond(ms)
    {
        let zoned = at.to_zoned_datetime(zone);
        return match lang {
            Language::Sv => zoned.strftime("%Y-%m-%d %H:%M %Z").to_string(),
            Language::En => zoned.strftime("%-d %b %Y, %H:%M %Z").to_string(),
        };
    }
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) else {
        return String::new();
    };
    let format = match lang {
        Language::Sv => {
            time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC")
        }
        Language::En => time::macros::format_description!(
            "[day padding:none] [month repr:short] [year], [hour]:[minute] UTC"
        ),
    };
    t.format(&format).unwrap_or_default()
}

/// A share as a percentage with two decimals, as the language writes it:
/// "99.97%" in English, "99,97 %" in Swedish.
pub fn format_percent(share: f64, lang: Language) -> String {
    let n = share * 100.0;
    match lang {
        Language::Sv => format!("{n:.2} %").replace('.', ","),
        Language::En => format!("{n:.2}%"),
    }
}

/// How long something lasted, as people say it: "45 min", "2 h 15 min",
/// "3 days 4 h" (in the language's words).
pub fn format_duration(ms: i64, lang: Language) -> String {
    let minutes = (ms.max(0) + 59_999) / 60_000;
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let tr = Tr(lang);
    let n = |v: i64| v.to_string();
    if days > 0 {
        tr.ta("duration-days-hours", &[("d", &n(days)), ("h", &n(hours))])
    } else if hours > 0 {
        tr.ta(
            "duration-hours-minutes",
            &[("h", &n(hours)), ("m", &n(mins))],
        )
    } else {
        tr.ta("duration-minutes", &[("m", &n(mins.max(1)))])
    }
}

/// Reads a time as people and programs give it: RFC 3339
/// (`2026-12-01T22:00:00Z`, any offset), or a form's `datetime-local`
/// value (`2026-12-01T22:00`, with or without seconds), read as UTC. The
/// one parser of times in the product.
pub fn parse_time(field: &str, s: &str) -> crate::Result<i64> {
    use time::format_description::well_known::Rfc3339;
    let s = s.trim();
    let parsed = time::OffsetDateTime::parse(s, &Rfc3339).or_else(|_| {
        let local = time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute][optional [:[second]]]"
        );
        time::PrimitiveDateTime::parse(s, &local).map(|t| t.assume_utc())
    });
    match parsed {
        Ok(t) => Ok(i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(0)),
        Err(_) => Err(crate::Error::invalid_with(field, "time", &[("value", s)])),
    }
}

/// RFC 3339 with milliseconds, for JSON.
pub fn rfc3339(ms: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) else {
        return String::new();
    };
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    t.format(&format).unwrap_or_default()
}

/// The message keys of a Fluent file.
pub fn keys(text: &str) -> std::collections::BTreeSet<String> {
    text.lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && !l.starts_with('.'))
        .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_string()))
        .filter(|k| !k.is_empty())
        .collect()
}

/// The English messages, for checks that every key used exists.
pub const EN_SOURCE: &str = include_str!("../locales/en/main.ftl");

/// Every file under `dirs`, recursively, with its text.
pub fn read_tree(dirs: &[std::path::PathBuf]) -> Vec<(std::path::PathBuf, String)> {
    let mut out = Vec::new();
    let mut todo: Vec<std::path::PathBuf> = dirs.to_vec();
    while let Some(dir) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                todo.push(p);
            } else if let Ok(text) = std::fs::read_to_string(&p) {
                out.push((p, text));
            }
        }
    }
    out
}

/// Message keys used in the sources under `dirs` (as `t("key")`,
/// `ta("key"`, `tn("key"`, `t_name("key"`) that the locales lack; for the
/// tests of every crate that renders text.
pub fn missing_keys(dirs: &[std::path::PathBuf]) -> Vec<String> {
    let sources: String = read_tree(dirs).into_iter().map(|(_, t)| t).collect();
    let en = keys(EN_SOURCE);
    let mut missing = Vec::new();
    for marker in [".t(\"", ".ta(\"", ".tn(\"", ".t_name(\""] {
        for piece in sources.split(marker).skip(1) {
            let key: String = piece.chars().take_while(|c| *c != '"').collect();
            if !key.is_empty() && !key.contains('{') && !en.contains(&key) {
                missing.push(key);
            }
        }
    }
    missing.sort();
    missing.dedup();
    missing
}

/// Words outside markup, tags and expressions in the templates under
/// `dir`: templates hold no text of their own, only message keys.
pub fn plain_text_in_templates(dir: &std::path::Path) -> Vec<(std::path::PathBuf, String)> {
    let mut found = Vec::new();
    for (p, text) in read_tree(&[dir.to_path_buf()]) {
        let mut rest = text.as_str();
        let mut plain = String::new();
        while !rest.is_empty() {
            let next = ["{{", "{%", "{#", "<", "&"]
                .iter()
                .filter_map(|m| rest.find(m).map(|i| (i, *m)))
                .min();
            let Some((i, m)) = next else {
                plain.push_str(rest);
                break;
            };
            plain.push_str(&rest[..i]);
            let close = match m {
                "{{" => "}}",
                "{%" => "%}",
                "{#" => "#}",
                "&" => ";",
                _ => ">",
            };
            rest = match rest[i..].find(close) {
                Some(j) => &rest[i + j + close.len()..],
                None => "",
            };
        }
        let words: String = plain.chars().filter(|c| c.is_alphabetic()).collect();
        if !words.is_empty() {
            found.push((p, words));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_as_each_language_writes_them() {
        use super::format_percent;
        assert_eq!(format_percent(0.99971, Language::En), "99.97%");
        assert_eq!(format_percent(0.99971, Language::Sv), "99,97 %");
        assert_eq!(format_percent(1.0, Language::Sv), "100,00 %");
    }

    #[test]
    fn durations_read_as_people_say_them() {
        use super::format_duration;
        let min = 60_000;
        assert_eq!(format_duration(45 * min, Language::En), "45 min");
        assert_eq!(format_duration(30_000, Language::En), "1 min");
        assert_eq!(format_duration(135 * min, Language::En), "2 h 15 min");
        assert_eq!(format_duration(135 * min, Language::Sv), "2 tim 15 min");
        assert_eq!(
            format_duration((3 * 1440 + 4 * 60) * min, Language::En),
            "3 d 4 h"
        );
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let en = keys(include_str!("../locales/en/main.ftl"));
        let sv = keys(include_str!("../locales/sv/main.ftl"));
        let only_en: Vec<_> = en.difference(&sv).collect();
        let only_sv: Vec<_> = sv.difference(&en).collect();
        assert!(
            only_en.is_empty() && only_sv.is_empty(),
            "only en: {only_en:?}; only sv: {only_sv:?}"
        );
        assert!(en.len() > 50);
    }

    #[test]
    fn lookups_differ_by_language() {
        assert_eq!(Tr(Language::En).t("sign-in"), "Sign in");
        assert_eq!(Tr(Language::Sv).t("sign-in"), "Logga in");
        assert_eq!(
            Tr(Language::Sv).ta("hello-name", &[("name", "Ada")]),
            "Hej Ada"
        );
    }

    #[test]
    fn every_key_used_here_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let missing = missing_keys(&[root.join("src"), root.join("templates")]);
        assert!(
            missing.is_empty(),
            "keys missing from the locales: {missing:?}"
        );
    }

    #[test]
    fn times_parse_in_one_place() {
        assert_eq!(
            parse_time("t", "1970-01-02T00:00:00Z").ok(),
            Some(86_400_000)
        );
        assert_eq!(
            parse_time("t", "1970-01-02T01:00:00+01:00").ok(),
            Some(86_400_000)
        );
        assert_eq!(parse_time("t", "1970-01-02T00:00").ok(), Some(86_400_000));
        assert_eq!(
            parse_time("t", "1970-01-02T00:00:30").ok(),
            Some(86_430_000)
        );
        assert!(parse_time("t", "tomorrow").is_err());
    }

    #[test]
    fn templates_hold_no_plain_text() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        assert_eq!(plain_text_in_templates(&dir), Vec::new());
    }

    #[test]
    fn times_format() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            format_time(86_400_000, Language::Sv),
            "1970-01-02 00:00 UTC"
        );
        assert_eq!(
            format_time(86_400_000, Language::En),
            "2 Jan 1970, 00:00 UTC"
        );
    }

    #[tokio::test]
    async fn times_follow_the_viewers_zone() {
        let stockholm = time_zone("Europe/Stockholm");
        assert!(stockholm.is_some());
        assert!(time_zone("Mars/Olympus").is_none());
        // 2026-07-01 12:00 UTC is 14:00 summer time in Stockholm.
        let july = 1_782_907_200_000;
        let (sv, en) = in_zone(stockholm, async {
            (
                format_time(july, Language::Sv),
                format_time(july, Language::En),
            )
        })
        .await;
        assert_eq!(sv, "2026-07-01 14:00 CEST");
        assert_eq!(en, "1 Jul 2026, 14:00 CEST");
        assert_eq!(format_time(july, Language::Sv), "2026-07-01 12:00 UTC");
        assert!(time_zone_names().iter().any(|n| n == "America/New_York"));
    }
}
