//! Typo candidates: every string at Damerau-Levenshtein (optimal string
//! alignment) distance exactly 1 from a word — one deletion, one adjacent
//! transposition, one substitution or one insertion — generated and looked
//! up in the dictionary's hash maps. For a 10-letter word that is about 800
//! lookups, a few tens of microseconds, and needs no extra index structure.
//!
//! Substituted and inserted characters come from a fixed alphabet (`a`–`z`,
//! `å`, `ä`, `ö` and digits: analysis keeps the Swedish letters in both
//! languages) plus the characters of the word itself.

const ALPHABET: &str = "abcdefghijklmnopqrstuvwxyzåäö0123456789";

/// Characters tried for substitutions and insertions in `word`.
pub(crate) fn alphabet(word: &str) -> Vec<char> {
    let mut a: Vec<char> = ALPHABET.chars().collect();
    a.extend(word.chars());
    a.sort_unstable();
    a.dedup();
    a
}

/// Calls `f` with every string one edit away from `word` (possibly the same
/// string more than once, never `word` itself).
pub(crate) fn for_each_variant(word: &str, alphabet: &[char], mut f: impl FnMut(&str)) {
    let w: Vec<char> = word.chars().collect();
    let n = w.len();
    let mut buf = String::with_capacity(word.len() + 4);
    let mut emit = |parts: &[&[char]], mid: Option<char>, tail: &[char]| {
        buf.clear();
        for p in parts {
            buf.extend(p.iter());
        }
        buf.extend(mid);
        buf.extend(tail.iter());
        f(&buf);
    };
    for i in 0..n {
        // Deletion.
        emit(&[&w[..i]], None, &w[i + 1..]);
        // Transposition with the next character.
        if i + 1 < n && w[i] != w[i + 1] {
            emit(&[&w[..i], &w[i + 1..i + 2]], Some(w[i]), &w[i + 2..]);
        }
        // Substitution.
        for &c in alphabet {
            if c != w[i] {
                emit(&[&w[..i]], Some(c), &w[i + 1..]);
            }
        }
    }
    // Insertion.
    for i in 0..=n {
        for &c in alphabet {
            emit(&[&w[..i]], Some(c), &w[i..]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variants(word: &str) -> Vec<String> {
        let mut v = Vec::new();
        for_each_variant(word, &alphabet(word), |s| v.push(s.to_owned()));
        v
    }

    #[test]
    fn covers_all_single_edits() {
        let v = variants("lösenrod");
        for want in ["lösenord", "lösnrod", "lösenrodx", "låsenrod", "xlösenrod"] {
            assert!(v.iter().any(|s| s == want), "{want}");
        }
        assert!(!v.iter().any(|s| s == "lösenrod"));
        assert!(!v.iter().any(|s| s == "ölsenrdo"));
        let v = variants("pasword");
        assert!(v.iter().any(|s| s == "password"));
        // Substitutions include the Swedish letters: "losenord" is one edit
        // from "lösenord" (a typo, scored as one, not a folding).
        assert!(variants("losenord").iter().any(|s| s == "lösenord"));
        assert_eq!(variants("").len(), alphabet("").len());
    }
}
