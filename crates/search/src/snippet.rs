//! HTML-safe highlighting and snippet windows.

use crate::Lang;
use crate::analysis::tokenize;

/// Snippet length in characters (before adding ellipses).
pub(crate) const SNIPPET_CHARS: usize = 160;
/// Most characters of context kept before the first match.
const MAX_LEAD: usize = 60;
/// A window starting this close to the text start starts at the start.
const SNAP_TO_START: usize = 24;
/// Matches considered when choosing the window.
const MAX_MATCHES: usize = 512;

/// Appends `s` to `out`, escaping `<`, `>`, `&`, `"` and `'`.
pub(crate) fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// A matched word: byte range and the bit set of query atoms it satisfies.
#[derive(Clone, Copy)]
struct Mark {
    start: usize,
    end: usize,
    mask: u64,
}

fn marks(text: &str, lang: Lang, is_match: &dyn Fn(&str) -> Option<u64>) -> Vec<Mark> {
    let mut v = Vec::new();
    tokenize(text, lang, |start, end, w| {
        if let Some(mask) = is_match(w) {
            v.push(Mark { start, end, mask });
        }
    });
    v
}

/// Escapes `text[from..to]`, wrapping the marks inside it in `<mark>`.
fn emit(out: &mut String, text: &str, from: usize, to: usize, marks: &[Mark]) {
    let mut pos = from;
    for m in marks {
        if m.start < pos || m.end > to {
            continue;
        }
        escape_into(out, &text[pos..m.start]);
        out.push_str("<mark>");
        escape_into(out, &text[m.start..m.end]);
        out.push_str("</mark>");
        pos = m.end;
    }
    escape_into(out, &text[pos..to]);
}

/// The whole text, escaped, with every matching word marked.
pub(crate) fn highlight(text: &str, lang: Lang, is_match: &dyn Fn(&str) -> Option<u64>) -> String {
    let marks = marks(text, lang, is_match);
    let mut out = String::with_capacity(text.len() + marks.len() * 13);
    emit(&mut out, text, 0, text.len(), &marks);
    out
}

/// A window of about [`SNIPPET_CHARS`] characters of `text` around the
/// densest cluster of matches (most distinct query atoms, then most
/// matches; the earliest such window wins), escaped and marked, with `…`
/// where text was cut. Without matches it is the start of the text.
pub(crate) fn snippet(text: &str, lang: Lang, is_match: &dyn Fn(&str) -> Option<u64>) -> String {
    let mut all = marks(text, lang, is_match);
    all.truncate(MAX_MATCHES);
    // Character positions: `bounds[k]` is the byte offset of character k.
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let nchars = bounds.len() - 1;
    let char_at = |byte: usize| bounds.partition_point(|&b| b < byte);
    let is_word = |k: usize| {
        text[bounds[k]..]
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric)
    };

    let (mut start, mut end, first, last) = if all.is_empty() {
        (0, nchars.min(SNIPPET_CHARS), 0, 0)
    } else {
        let cs: Vec<(usize, usize)> = all
            .iter()
            .map(|m| (char_at(m.start), char_at(m.end)))
            .collect();
        let mut best = (0usize, 0usize, 0u32, 0usize); // (i, j, distinct, count)
        let mut j = 0;
        for i in 0..cs.len() {
            j = j.max(i);
            while j + 1 < cs.len() && cs[j + 1].1 - cs[i].0 <= SNIPPET_CHARS {
                j += 1;
            }
            let mask = all[i..=j].iter().fold(0u64, |a, m| a | m.mask);
            let key = (mask.count_ones(), j - i + 1);
            if key > (best.2, best.3) {
                best = (i, j, key.0, key.1);
            }
        }
        let (i, j) = (best.0, best.1);
        let (first, last) = (cs[i].0, cs[j].1);
        let slack = SNIPPET_CHARS.saturating_sub(last - first);
        let lead = (slack / 2).min(MAX_LEAD).min(first);
        let mut start = first - lead;
        let end = (start + SNIPPET_CHARS).min(nchars).max(last);
        if end - start < SNIPPET_CHARS {
            start = end.saturating_sub(SNIPPET_CHARS).min(first);
        }
        if start <= SNAP_TO_START {
            // Rather a slightly longer snippet than a cut just after the start.
            start = 0;
        }
        (start, end, first, last)
    };
    // Do not start or end in the middle of a word.
    if start > 0 && is_word(start - 1) {
        while start < first && is_word(start) {
            start += 1;
        }
    }
    if end < nchars && end > 0 && is_word(end) && is_word(end - 1) {
        let mut k = end;
        while k > last.max(start) && is_word(k - 1) {
            k -= 1;
        }
        if k > start {
            end = k;
        }
    }
    let (mut sb, mut eb) = (bounds[start], bounds[end]);
    while sb < eb && text[sb..].starts_with(char::is_whitespace) {
        sb += text[sb..].chars().next().map_or(1, char::len_utf8);
    }
    while eb > sb && text[..eb].ends_with(char::is_whitespace) {
        eb -= text[..eb].chars().next_back().map_or(1, char::len_utf8);
    }
    let mut out = String::with_capacity(eb - sb + 64);
    if text[..sb].chars().any(|c| !c.is_whitespace()) {
        out.push('…');
    }
    emit(&mut out, text, sb, eb, &all);
    if text[eb..].chars().any(|c| !c.is_whitespace()) {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(words: &'static [&'static str]) -> impl Fn(&str) -> Option<u64> {
        move |w| words.iter().position(|x| *x == w).map(|i| 1u64 << i)
    }

    #[test]
    fn escapes_everything() {
        let mut s = String::new();
        escape_into(&mut s, r#"<a href="x">'&'</a>"#);
        assert_eq!(s, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }

    #[test]
    fn highlights_words() {
        let f = m(&["lösenord"]);
        assert_eq!(
            highlight("Byt <b>Lösenord</b>!", Lang::Sv, &f),
            "Byt &lt;b&gt;<mark>Lösenord</mark>&lt;/b&gt;!"
        );
    }

    #[test]
    fn window_around_matches() {
        let filler = "lorem ipsum dolor sit amet ".repeat(20);
        let text = format!("{filler}the password reset link {filler}");
        let f = m(&["password", "reset"]);
        let s = snippet(&text, Lang::En, &f);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(
            s.contains("<mark>password</mark> <mark>reset</mark>"),
            "{s}"
        );
        let visible = s.replace("<mark>", "").replace("</mark>", "");
        let n = visible.chars().count();
        assert!((100..=170).contains(&n), "{n}: {s}");
        // Cut at word boundaries.
        let inner = visible.trim_matches('…');
        assert!(inner.starts_with(|c: char| c.is_alphanumeric()));
        for w in inner.split_whitespace() {
            assert!(
                [
                    "lorem", "ipsum", "dolor", "sit", "amet", "the", "password", "reset", "link"
                ]
                .contains(&w),
                "{w}"
            );
        }
    }

    #[test]
    fn no_match_gives_start_of_text() {
        let text = "word ".repeat(100);
        let s = snippet(&text, Lang::En, &m(&["zzz"]));
        assert!(!s.starts_with('…') && s.ends_with('…'));
        assert!(s.chars().count() <= SNIPPET_CHARS + 1);
        assert_eq!(snippet("kort text", Lang::Sv, &m(&[])), "kort text");
    }
}
