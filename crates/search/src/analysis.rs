//! Text analysis: tokenising, lower-casing, accent folding, stemming and
//! stop words. Pure functions of the text and the language: nothing here
//! depends on what is in the index, so a document always analyses the same
//! way (which is what lets `remove` re-analyse a stored document).

use rust_stemmers::{Algorithm, Stemmer};

use crate::Lang;

/// Tokens longer than this (in characters, after normalisation) are skipped:
/// they are hashes, URLs without separators or base64 junk, never words.
pub(crate) const MAX_TOKEN_CHARS: usize = 48;

/// Splits `text` into words and calls `f(start, end, normalised)` for each,
/// where `start..end` is the word's byte range in `text`.
///
/// A word is a maximal run of alphanumeric characters (`char::is_alphanumeric`,
/// so letters and digits of any script); everything else separates words.
/// The normalised form is lower-cased and accent-folded for `lang`
/// (see [`fold_into`]).
pub(crate) fn tokenize(text: &str, lang: Lang, mut f: impl FnMut(usize, usize, &str)) {
    let mut buf = String::with_capacity(32);
    let mut start: Option<usize> = None;
    let mut chars = 0usize;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
                buf.clear();
                chars = 0;
            }
            for lc in c.to_lowercase() {
                chars += fold_into(lc, lang, &mut buf);
            }
        } else if let Some(s) = start.take()
            && chars <= MAX_TOKEN_CHARS
        {
            f(s, i, &buf);
        }
    }
    if let Some(s) = start
        && chars <= MAX_TOKEN_CHARS
    {
        f(s, text.len(), &buf);
    }
}

/// Appends the folded form of the lower-case character `c` to `out` and
/// returns how many characters were appended.
///
/// Both languages fold the common Latin accents (`é` → `e`, `ñ` → `n`, …)
/// and both keep `å`, `ä`, `ö` as letters of their own, never `a`/`o`: a
/// query without a language is also analysed as English, and "för" must not
/// turn into "for" there. Swedish maps the Danish and Norwegian `æ`, `ø`
/// onto `ä`, `ö`; English folds them (`æ` → `ae`, `ø` → `o`).
pub(crate) fn fold_into(c: char, lang: Lang, out: &mut String) -> usize {
    let swedish = lang == Lang::Sv;
    let s: &str = match c {
        'å' | 'ä' | 'ö' => {
            out.push(c);
            return 1;
        }
        'æ' if swedish => "ä",
        'ø' if swedish => "ö",
        'æ' => "ae",
        'ø' => "o",
        'à' | 'á' | 'â' | 'ã' | 'ā' | 'ă' | 'ą' => "a",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ō' | 'ő' => "o",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'œ' => "oe",
        _ => {
            out.push(c);
            return 1;
        }
    };
    out.push_str(s);
    s.chars().count()
}

/// Snowball stemmer for a language.
pub(crate) fn stemmer(lang: Lang) -> Stemmer {
    Stemmer::create(match lang {
        Lang::Sv => Algorithm::Swedish,
        Lang::En => Algorithm::English,
    })
}

/// Stems an already normalised word; never returns an empty string.
pub(crate) fn stem(stemmer: &Stemmer, word: &str) -> String {
    let s = stemmer.stem(word);
    if s.is_empty() {
        word.to_owned()
    } else {
        s.into_owned()
    }
}

const STOP_SV: &[&str] = &[
    "alla", "att", "av", "bara", "blir", "då", "de", "dem", "den", "denna", "deras", "dess",
    "dessa", "det", "detta", "dig", "din", "dina", "ditt", "du", "där", "efter", "eller", "en",
    "er", "era", "ert", "ett", "finns", "från", "för", "genom", "hade", "han", "hans", "har",
    "henne", "hennes", "hon", "honom", "hos", "hur", "här", "i", "in", "inte", "ja", "jag", "kan",
    "man", "med", "mellan", "men", "mig", "min", "mina", "mitt", "mot", "mycket", "när", "nej",
    "ni", "nu", "någon", "något", "några", "och", "om", "oss", "på", "samt", "sedan", "sig", "sin",
    "sina", "sitt", "ska", "skall", "som", "så", "till", "under", "upp", "ut", "utan", "var",
    "vad", "vara", "varför", "vem", "vi", "vid", "vilka", "vilken", "vilket", "vill", "vår",
    "våra", "vårt", "än", "även", "över",
];

const STOP_EN: &[&str] = &[
    "a", "about", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "being",
    "but", "by", "can", "could", "did", "do", "does", "for", "from", "had", "has", "have", "he",
    "her", "here", "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "me", "my",
    "no", "not", "of", "on", "or", "our", "out", "she", "should", "so", "some", "than", "that",
    "the", "their", "them", "then", "there", "these", "they", "this", "those", "to", "up", "us",
    "was", "we", "were", "what", "when", "where", "which", "who", "why", "will", "with", "would",
    "you", "your",
];

/// Whether a normalised word is a stop word of `lang`. Stop words are
/// indexed and searchable; they only do not count towards a query's
/// coverage (see the crate documentation).
pub(crate) fn is_stop(lang: Lang, word: &str) -> bool {
    let list = match lang {
        Lang::Sv => STOP_SV,
        Lang::En => STOP_EN,
    };
    list.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str, lang: Lang) -> Vec<String> {
        let mut v = Vec::new();
        tokenize(text, lang, |_, _, w| v.push(w.to_owned()));
        v
    }

    #[test]
    fn tokenizes_and_folds() {
        assert_eq!(
            words("Återställ DITT lösenord, café-Ærø!", Lang::Sv),
            ["återställ", "ditt", "lösenord", "cafe", "ärö"]
        );
        assert_eq!(
            words("Återställ lösenord, café, Tromsø, Æsir", Lang::En),
            ["återställ", "lösenord", "cafe", "tromso", "aesir"]
        );
        assert_eq!(
            words("FÖR för for ÅR år ar", Lang::En),
            ["för", "för", "for", "år", "år", "ar"]
        );
        assert_eq!(
            words("REST-API v2 (404)", Lang::En),
            ["rest", "api", "v2", "404"]
        );
        let long = "x".repeat(MAX_TOKEN_CHARS + 1);
        assert_eq!(words(&format!("a {long} b"), Lang::En), ["a", "b"]);
    }

    #[test]
    fn byte_ranges_point_into_the_text() {
        let text = "Hej «världen» å";
        let mut v = Vec::new();
        tokenize(text, Lang::Sv, |s, e, _| v.push(&text[s..e]));
        assert_eq!(v, ["Hej", "världen", "å"]);
    }
}
