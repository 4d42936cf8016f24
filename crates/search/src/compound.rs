//! Swedish compound splitting against the term dictionary.
//!
//! A word is split into parts that are live terms of the Swedish
//! dictionary: every part but the last must be a term exactly, optionally
//! followed by a linking `s` or `e` ("lösenord|s|återställning"); the last
//! part may also be a term followed by at most [`MAX_FINAL_REST`] extra
//! letters, if that term is at least [`MIN_TRUNCATED`] letters long
//! ("återställning" ~ "återställ"). Parts are at least [`MIN_PART`] letters.
//! Among possible splits the one with the fewest parts wins, then the one
//! with the longest first part, so the outcome only depends on the
//! dictionary's contents.

use crate::shard::{Shard, TermId};

/// Shortest compound part, in characters.
pub(crate) const MIN_PART: usize = 3;
/// Shortest dictionary term a longer final part may be truncated to.
pub(crate) const MIN_TRUNCATED: usize = 5;
/// Most letters a final part may have beyond the term it is truncated to.
pub(crate) const MAX_FINAL_REST: usize = 4;

/// Byte offsets of the character boundaries of `s`, including `s.len()`.
fn boundaries(s: &str) -> Vec<usize> {
    s.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()))
        .collect()
}

impl Shard {
    /// The longest live term that is a proper prefix of `word`, at least
    /// [`MIN_TRUNCATED`] characters long and at most [`MAX_FINAL_REST`]
    /// characters shorter than `word`.
    pub(crate) fn truncated(&self, word: &str) -> Option<TermId> {
        let b = boundaries(word);
        let n = b.len() - 1;
        let lo = MIN_TRUNCATED.max(n.saturating_sub(MAX_FINAL_REST));
        (lo..n)
            .rev()
            .find_map(|k| b.get(k).and_then(|&end| self.term_id(&word[..end])))
    }

    fn final_part(&self, p: &str) -> bool {
        p.chars().count() >= MIN_PART && (self.term_id(p).is_some() || self.truncated(p).is_some())
    }

    fn inner_part(&self, p: &str) -> bool {
        p.chars().count() >= MIN_PART && self.term_id(p).is_some()
    }

    /// Splits `s` into exactly `n` parts (see the module docs); the last
    /// part follows the final-part rule when `last_final`, else the
    /// inner-part rule (and may then be followed by a linking letter).
    fn split_n<'a>(&self, s: &'a str, n: usize, last_final: bool) -> Option<Vec<&'a str>> {
        if n == 0 {
            return None;
        }
        if n == 1 {
            let ok = if last_final {
                self.final_part(s)
            } else {
                self.inner_part(s)
                    || (s.ends_with(['s', 'e']) && self.inner_part(&s[..s.len() - 1]))
            };
            return ok.then(|| vec![s]);
        }
        let b = boundaries(s);
        let chars = b.len() - 1;
        if chars < MIN_PART * n {
            return None;
        }
        // Longest first part first.
        for k in (MIN_PART..=chars - MIN_PART).rev() {
            let cut = b[k];
            let (head, rest) = s.split_at(cut);
            if !self.inner_part(head) {
                continue;
            }
            let tails = [Some(rest), rest.strip_prefix(['s', 'e'])];
            for tail in tails.into_iter().flatten() {
                if let Some(mut parts) = self.split_n(tail, n - 1, last_final) {
                    parts.insert(0, head);
                    return Some(parts);
                }
            }
        }
        None
    }

    /// Splits `s` into 2 to `max_parts` known parts, fewest parts first.
    pub(crate) fn split_compound<'a>(&self, s: &'a str, max_parts: usize) -> Option<Vec<&'a str>> {
        (2..=max_parts).find_map(|n| self.split_n(s, n, true))
    }

    /// Whether `rest` (what follows a query term inside a longer dictionary
    /// term) is made of 1 to `max_parts` known parts, possibly after a
    /// linking letter.
    pub(crate) fn is_compound_tail(&self, rest: &str, max_parts: usize) -> bool {
        let tails = [Some(rest), rest.strip_prefix(['s', 'e'])];
        tails
            .into_iter()
            .flatten()
            .any(|t| (1..=max_parts).any(|n| self.split_n(t, n, true).is_some()))
    }

    /// Whether `head` (what precedes a query term inside a longer
    /// dictionary term) is made of 1 to `max_parts` exact terms, the last
    /// possibly followed by a linking letter.
    pub(crate) fn is_compound_head(&self, head: &str, max_parts: usize) -> bool {
        (1..=max_parts).any(|n| self.split_n(head, n, false).is_some())
    }
}

#[cfg(test)]
mod tests {
    use crate::Lang;
    use crate::shard::Shard;

    fn shard(words: &str) -> Shard {
        let mut s = Shard::new(Lang::Sv);
        s.add(0, "", words);
        s
    }

    #[test]
    fn splits_with_linker_and_truncated_final_part() {
        let s = shard("lösenord återställa");
        assert_eq!(
            s.split_compound("lösenordsåterställning", 4),
            Some(vec!["lösenord", "återställning"])
        );
        assert!(s.is_compound_tail("såterställning", 3));
        assert!(!s.is_compound_tail("sxyzzy", 3));
    }

    #[test]
    fn needs_known_parts() {
        let s = shard("lösenord");
        assert_eq!(s.split_compound("lösenordsåterställning", 4), None);
        let s = shard("arbete grupp");
        // "arbete" stems to "arbet"; "arbets" = "arbet" + linking "s".
        assert_eq!(
            s.split_compound("arbetsgrupp", 4),
            Some(vec!["arbet", "grupp"])
        );
        assert!(s.is_compound_head("arbets", 3));
    }
}
