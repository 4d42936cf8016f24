//! Status content in more than one language. Staff write an incident, its
//! updates, maintenance and features in the installation's default language
//! (`name`, `body`, …) and, optionally, in the others; a reader gets their
//! language where it was written and the default otherwise, with a note
//! saying so.
use crate::{Error, Result};
use domain::Language;
use domain::text;
use std::collections::BTreeMap;

/// One object's texts in languages other than its primary one, as typed:
/// field (`name`, `body`, `description`, `postmortem`) → text.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    pub name: Option<String>,
    pub body: Option<String>,
    pub description: Option<String>,
    pub postmortem: Option<String>,
}

impl Texts {
    /// Each field by its name, set or not.
    fn fields(&self) -> [(&'static str, &Option<String>); 4] {
        [
            ("name", &self.name),
            ("body", &self.body),
            ("description", &self.description),
            ("postmortem", &self.postmortem),
        ]
    }
}

/// Translations as they come in: language code → texts.
pub type TranslationsInput = BTreeMap<String, Texts>;

/// Which texts an object has, how each is checked and its longest length.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    Line(&'static str, usize),
    Block(&'static str, usize),
}

/// An object's translations: language code → field → text. Stored as JSON
/// (`{"sv": {"name": "…"}}`); only known languages and non-empty texts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Translations(BTreeMap<String, BTreeMap<String, String>>);

/// A text picked for a reader: the text and, when it is not in the
/// reader's language, the language it is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Localised<'a> {
    pub text: &'a str,
    pub fallback: Option<Language>,
}

impl Translations {
    /// Reads the stored JSON; anything unreadable counts as no translations
    /// (the primary text is always there).
    pub fn stored(json: &str) -> Self {
        let map: BTreeMap<String, BTreeMap<String, String>> =
            serde_json::from_str(json).unwrap_or_default();
        Self(
            map.into_iter()
                .filter(|(lang, _)| Language::parse(lang).is_ok())
                .map(|(lang, fields)| {
                    let fields = fields
                        .into_iter()
                        .filter(|(_, v)| !v.trim().is_empty())
                        .collect();
                    (lang, fields)
                })
                .filter(|(_, fields): &(String, BTreeMap<String, String>)| !fields.is_empty())
                .collect(),
        )
    }

    /// The JSON to store.
    pub fn to_stored(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_else(|_| "{}".into())
    }

    /// The API's `translations` object.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The text of `field` in `lang`, if one was written.
    pub fn get(&self, lang: Language, field: &str) -> Option<&str> {
        self.0
            .get(lang.as_str())
            .and_then(|f| f.get(field))
            .map(String::as_str)
    }

    /// The text a reader in `lang` gets for `field`: the translation, else
    /// `primary` (written in `primary_lang`), marked as a fallback when the
    /// reader reads another language and there is a text at all.
    pub fn pick<'a>(
        &'a self,
        lang: Language,
        field: &str,
        primary: &'a str,
        primary_lang: Language,
    ) -> Localised<'a> {
        if lang != primary_lang
            && let Some(t) = self.get(lang, field)
        {
            return Localised {
                text: t,
                fallback: None,
            };
        }
        Localised {
            text: primary,
            fallback: (lang != primary_lang && !primary.trim().is_empty()).then_some(primary_lang),
        }
    }

    /// Checks typed translations against the object's `shape`: known
    /// languages, known fields, each text by its rule. An empty text says
    /// "none" (it is dropped).
    pub fn parse(input: &TranslationsInput, shape: &[Shape]) -> Result<Self> {
        let mut out = BTreeMap::new();
        for (code, texts) in input {
            let lang = Language::parse(code.trim()).map_err(|_| {
                Error::invalid_with("translations", "unknown_language", &[("value", code)])
            })?;
            let mut fields = BTreeMap::new();
            for (field, value) in texts.fields() {
                let Some(value) = value else { continue };
                let rule = shape.iter().find(|s| match s {
                    Shape::Line(f, _) | Shape::Block(f, _) => *f == field,
                });
                let Some(rule) = rule else {
                    return Err(Error::invalid_with(
                        "translations",
                        "unknown_translation_field",
                        &[("value", field)],
                    ));
                };
                let checked = match *rule {
                    Shape::Line(_, max) => text::optional_line(field, value, max)?,
                    Shape::Block(_, max) => text::optional_block(field, value, max)?,
                };
                if let Some(t) = checked {
                    fields.insert(field.to_string(), t);
                }
            }
            if !fields.is_empty() {
                out.insert(lang.as_str().to_string(), fields);
            }
        }
        Ok(Self(out))
    }

    /// These translations with `other`'s laid over them, field by field;
    /// a field `other` names with an empty text is removed.
    pub fn merged(&self, input: &TranslationsInput, other: &Translations) -> Self {
        let mut out = self.0.clone();
        for (code, texts) in input {
            let Ok(lang) = Language::parse(code.trim()) else {
                continue;
            };
            let entry = out.entry(lang.as_str().to_string()).or_default();
            for (field, value) in texts.fields() {
                if value.is_none() {
                    continue;
                }
                match other.get(lang, field) {
                    Some(t) => entry.insert(field.to_string(), t.to_string()),
                    None => entry.remove(field),
                };
            }
        }
        out.retain(|_, f| !f.is_empty());
        Self(out)
    }

    /// A `PATCH`'s translations (`None`: leave them) checked against
    /// `shape` and laid over the stored JSON `current`: the JSON to store.
    pub fn patched(
        current: &str,
        given: Option<&TranslationsInput>,
        shape: &[Shape],
    ) -> Result<Option<String>> {
        let Some(given) = given else {
            return Ok(None);
        };
        let parsed = Self::parse(given, shape)?;
        Ok(Some(
            Self::stored(current).merged(given, &parsed).to_stored(),
        ))
    }

    /// Only the texts of `field`, e.g. the body of a new incident's first
    /// update out of the incident's translations.
    pub fn only(&self, fields: &[&str]) -> Self {
        Self(
            self.0
                .iter()
                .map(|(lang, f)| {
                    let kept: BTreeMap<String, String> = f
                        .iter()
                        .filter(|(k, _)| fields.contains(&k.as_str()))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    (lang.clone(), kept)
                })
                .filter(|(_, f)| !f.is_empty())
                .collect(),
        )
    }
}

impl crate::App {
    /// `field` of an object (its stored translations, its primary text) for
    /// a reader in `lang`: their language where it was written.
    pub fn localised(
        &self,
        translations: &str,
        lang: Language,
        field: &str,
        primary: &str,
    ) -> String {
        Translations::stored(translations)
            .pick(lang, field, primary, self.config.default_language)
            .text
            .to_string()
    }

    /// The language staff write primary texts in.
    pub fn content_language(&self) -> Language {
        self.config.default_language
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(lang: &str, name: Option<&str>, body: Option<&str>) -> TranslationsInput {
        let mut m = TranslationsInput::new();
        m.insert(
            lang.into(),
            Texts {
                name: name.map(Into::into),
                body: body.map(Into::into),
                ..Texts::default()
            },
        );
        m
    }

    const SHAPE: &[Shape] = &[Shape::Line("name", 20), Shape::Block("body", 100)];

    #[test]
    fn a_reader_gets_their_language_or_the_primary_with_a_note() {
        let t = Translations::parse(&input("sv", Some("Avbrott"), None), SHAPE).expect("parsed");
        let sv = t.pick(Language::Sv, "name", "Outage", Language::En);
        assert_eq!((sv.text, sv.fallback), ("Avbrott", None));
        let body = t.pick(Language::Sv, "body", "It broke", Language::En);
        assert_eq!((body.text, body.fallback), ("It broke", Some(Language::En)));
        let en = t.pick(Language::En, "name", "Outage", Language::En);
        assert_eq!((en.text, en.fallback), ("Outage", None));
    }

    #[test]
    fn unknown_languages_fields_and_long_texts_are_refused() {
        let e = Translations::parse(&input("de", Some("x"), None), SHAPE).expect_err("refused");
        assert_eq!(e.code(), "unknown_language");
        let mut m = input("sv", None, None);
        if let Some(t) = m.get_mut("sv") {
            t.postmortem = Some("x".into());
        }
        let e = Translations::parse(&m, SHAPE).expect_err("refused");
        assert_eq!(e.code(), "unknown_translation_field");
        let long = "x".repeat(21);
        let e = Translations::parse(&input("sv", Some(&long), None), SHAPE).expect_err("refused");
        assert_eq!(e.field(), Some("name"));
    }

    #[test]
    fn stored_json_round_trips_and_empty_texts_vanish() {
        let t =
            Translations::parse(&input("sv", Some("Avbrott"), Some("  ")), SHAPE).expect("parsed");
        assert_eq!(t.to_stored(), r#"{"sv":{"name":"Avbrott"}}"#);
        assert_eq!(Translations::stored(&t.to_stored()), t);
        assert!(Translations::stored("not json").is_empty());
        let patch = input("sv", Some(""), Some("Det gick sönder"));
        let parsed = Translations::parse(&patch, SHAPE).expect("parsed");
        let merged = t.merged(&patch, &parsed);
        assert_eq!(merged.to_stored(), r#"{"sv":{"body":"Det gick sönder"}}"#);
    }
}
