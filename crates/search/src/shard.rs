//! One language's half of the index: its term dictionary (with the sorted
//! and reversed views the query side needs), its surface forms (words as
//! written, lower-cased: the stemming cache, typo candidates and the
//! highlighter's lookup) and its postings.
//!
//! Everything the query side reads from here is either keyed by string or
//! sorted by string, never by term id, so results do not depend on the
//! order in which documents were inserted (term ids do).

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::Arc;

use rust_stemmers::Stemmer;

use crate::Lang;
use crate::analysis::{self, tokenize};
use crate::fuzzy;

pub(crate) type TermId = u32;

/// One document's occurrences of one term.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Posting {
    /// Slot of the document in [`crate::Index`].
    pub doc: u32,
    pub title_tf: u16,
    pub body_tf: u16,
}

struct Term {
    text: Arc<str>,
    /// Sorted by `doc`; never empty for a live term.
    postings: Vec<Posting>,
}

/// A word as written (normalised), with its stem's term id, so indexing
/// a known word costs one hash lookup and no stemming.
struct Surface {
    term: TermId,
    /// Number of documents containing this surface form.
    docs: u32,
    /// Last add/remove operation that counted this surface (per-document
    /// de-duplication without a second lookup).
    mark: u64,
}

pub(crate) struct Shard {
    pub lang: Lang,
    pub stemmer: Stemmer,
    terms: HashMap<Arc<str>, TermId>,
    term: Vec<Option<Term>>,
    free_terms: Vec<TermId>,
    sorted: BTreeMap<Arc<str>, TermId>,
    /// Terms spelled backwards (Swedish only), for compound heads.
    reversed: BTreeMap<Box<str>, TermId>,
    surfaces: HashMap<Key, Surface>,
    /// Counter of add/remove operations, for `Surface::mark`.
    op: u64,
    /// Number of documents of this language.
    pub docs: u32,
    pub title_tokens: u64,
    pub body_tokens: u64,
    pub postings: u64,
}

/// Per-document scratch used while (un)indexing.
#[derive(Default)]
struct DocTerms {
    /// (term, in title) per token
    terms: Vec<(TermId, bool)>,
    title_len: u32,
    body_len: u32,
}

impl Shard {
    pub fn new(lang: Lang) -> Self {
        Shard {
            lang,
            stemmer: analysis::stemmer(lang),
            terms: HashMap::new(),
            term: Vec::new(),
            free_terms: Vec::new(),
            sorted: BTreeMap::new(),
            reversed: BTreeMap::new(),
            surfaces: HashMap::new(),
            op: 0,
            docs: 0,
            title_tokens: 0,
            body_tokens: 0,
            postings: 0,
        }
    }

    // ----- read side -------------------------------------------------------

    /// Id of a live term.
    pub fn term_id(&self, text: &str) -> Option<TermId> {
        self.terms.get(text).copied()
    }

    fn term_ref(&self, id: TermId) -> Option<&Term> {
        self.term.get(id as usize).and_then(Option::as_ref)
    }

    pub fn term_text(&self, id: TermId) -> &str {
        self.term_ref(id).map_or("", |t| &t.text)
    }

    pub fn postings(&self, id: TermId) -> &[Posting] {
        self.term_ref(id).map_or(&[], |t| &t.postings)
    }

    pub fn df(&self, id: TermId) -> usize {
        self.postings(id).len()
    }

    /// Number of live terms.
    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    /// Number of live surface forms.
    pub fn surface_count(&self) -> usize {
        self.surfaces.len()
    }

    /// Live terms starting with `prefix`, in string order, at most `max`.
    pub fn terms_with_prefix<'a>(
        &'a self,
        prefix: &'a str,
        max: usize,
    ) -> impl Iterator<Item = (&'a str, TermId)> + 'a {
        self.sorted
            .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
            .take_while(move |(k, _)| k.starts_with(prefix))
            .take(max)
            .map(|(k, &v)| (&**k, v))
    }

    /// Live terms ending with `suffix` (given reversed), at most `max`.
    /// Only maintained for Swedish.
    pub fn terms_with_suffix<'a>(
        &'a self,
        reversed_suffix: &'a str,
        max: usize,
    ) -> impl Iterator<Item = TermId> + 'a {
        self.reversed
            .range::<str, _>((Bound::Included(reversed_suffix), Bound::Unbounded))
            .take_while(move |(k, _)| k.starts_with(reversed_suffix))
            .take(max)
            .map(|(_, &v)| v)
    }

    /// Term of a surface form (normalised word) seen in some document.
    pub fn surface_term(&self, surface: &str) -> Option<TermId> {
        self.surfaces.get(surface).map(|s| s.term)
    }

    /// Live terms one edit (Damerau-Levenshtein, optimal string alignment)
    /// away from the stem `stem`, or whose indexed surface forms are one
    /// edit away from the word `surface`, if given (which catches typos that defeat
    /// the stemmer, e.g. "intgration"). The exact stem is excluded; the
    /// result is unordered and may repeat.
    pub fn fuzzy(&self, stem: &str, surface: Option<&str>) -> Vec<TermId> {
        let mut out = Vec::new();
        fuzzy::for_each_variant(stem, &fuzzy::alphabet(stem), |v| {
            if let Some(t) = self.term_id(v) {
                out.push(t);
            }
        });
        if let Some(surface) = surface.filter(|&s| s != stem) {
            fuzzy::for_each_variant(surface, &fuzzy::alphabet(surface), |v| {
                if let Some(t) = self.surface_term(v) {
                    out.push(t);
                }
            });
        }
        if let Some(t) = self.term_id(stem) {
            out.retain(|&x| x != t);
        }
        out
    }

    /// Rough heap usage in bytes.
    pub fn approx_bytes(&self) -> usize {
        let mut n = 0usize;
        for t in self.term.iter().flatten() {
            n += t.text.len() * 2 + 80; // Arc'd text + map entries
            n += t.postings.capacity() * size_of::<Posting>() + 24;
        }
        n += self.reversed.len() * 64;
        n += self.surfaces.capacity() * (size_of::<(Key, Surface)>() + 1);
        n
    }

    // ----- write side ------------------------------------------------------

    /// Indexes a document stored in `slot`; returns its (title, body) lengths
    /// in tokens.
    pub fn add(&mut self, slot: u32, title: &str, body: &str) -> (u32, u32) {
        let mut dt = DocTerms::default();
        let lang = self.lang;
        self.op += 1;
        tokenize(title, lang, |_, _, w| {
            dt.terms.push((self.intern_surface(w), true));
            dt.title_len += 1;
        });
        tokenize(body, lang, |_, _, w| {
            dt.terms.push((self.intern_surface(w), false));
            dt.body_len += 1;
        });
        dt.terms.sort_unstable();
        let mut i = 0;
        while let Some(&(tid, _)) = dt.terms.get(i) {
            let mut p = Posting {
                doc: slot,
                title_tf: 0,
                body_tf: 0,
            };
            while let Some(&(t, in_title)) = dt.terms.get(i) {
                if t != tid {
                    break;
                }
                if in_title {
                    p.title_tf = p.title_tf.saturating_add(1);
                } else {
                    p.body_tf = p.body_tf.saturating_add(1);
                }
                i += 1;
            }
            if let Some(Some(term)) = self.term.get_mut(tid as usize) {
                // Slots mostly grow: append without searching.
                if term.postings.last().is_none_or(|q| q.doc < slot) {
                    term.postings.push(p);
                } else {
                    let pos = term.postings.partition_point(|q| q.doc < slot);
                    term.postings.insert(pos, p);
                }
                self.postings += 1;
            }
        }
        self.docs += 1;
        self.title_tokens += u64::from(dt.title_len);
        self.body_tokens += u64::from(dt.body_len);
        (dt.title_len, dt.body_len)
    }

    /// Un-indexes a document previously added with the same slot and text.
    pub fn remove(&mut self, slot: u32, title: &str, body: &str) {
        self.op += 1;
        let op = self.op;
        let mut terms: Vec<TermId> = Vec::new();
        let mut dead: Vec<String> = Vec::new();
        let (mut title_len, mut body_len) = (0u64, 0u64);
        for (text, len) in [(title, &mut title_len), (body, &mut body_len)] {
            tokenize(text, self.lang, |_, _, w| {
                *len += 1;
                let Some(s) = self.surfaces.get_mut(w) else {
                    return;
                };
                if s.mark == op {
                    return;
                }
                s.mark = op;
                terms.push(s.term);
                s.docs = s.docs.saturating_sub(1);
                if s.docs == 0 {
                    dead.push(w.to_owned());
                }
            });
        }
        for w in dead {
            self.surfaces.remove(w.as_str());
        }
        terms.sort_unstable();
        terms.dedup();
        for tid in terms {
            let Some(Some(term)) = self.term.get_mut(tid as usize) else {
                continue;
            };
            if let Ok(pos) = term.postings.binary_search_by_key(&slot, |p| p.doc) {
                term.postings.remove(pos);
                self.postings = self.postings.saturating_sub(1);
            }
            if term.postings.is_empty() {
                self.drop_term(tid);
            }
        }
        self.docs = self.docs.saturating_sub(1);
        self.title_tokens = self.title_tokens.saturating_sub(title_len);
        self.body_tokens = self.body_tokens.saturating_sub(body_len);
    }

    /// Term of the word `w`, counting `w` once for the current operation's
    /// document.
    fn intern_surface(&mut self, w: &str) -> TermId {
        let op = self.op;
        if let Some(s) = self.surfaces.get_mut(w) {
            if s.mark != op {
                s.mark = op;
                s.docs += 1;
            }
            return s.term;
        }
        let stem = analysis::stem(&self.stemmer, w);
        let term = self.intern_term(&stem);
        self.surfaces.insert(
            Key::new(w),
            Surface {
                term,
                docs: 1,
                mark: op,
            },
        );
        term
    }

    fn intern_term(&mut self, stem: &str) -> TermId {
        if let Some(&tid) = self.terms.get(stem) {
            return tid;
        }
        let text: Arc<str> = Arc::from(stem);
        let tid = match self.free_terms.pop() {
            Some(t) => t,
            None => {
                self.term.push(None);
                (self.term.len() - 1) as TermId
            }
        };
        self.term[tid as usize] = Some(Term {
            text: text.clone(),
            postings: Vec::new(),
        });
        self.terms.insert(text.clone(), tid);
        self.sorted.insert(text, tid);
        if self.lang == Lang::Sv {
            self.reversed.insert(stem.chars().rev().collect(), tid);
        }
        tid
    }

    fn drop_term(&mut self, tid: TermId) {
        let Some(term) = self.term.get_mut(tid as usize).and_then(Option::take) else {
            return;
        };
        let text = term.text;
        self.terms.remove(&*text);
        self.sorted.remove(&*text);
        if self.lang == Lang::Sv {
            let rev: String = text.chars().rev().collect();
            self.reversed.remove(rev.as_str());
        }
        self.free_terms.push(tid);
    }
}

/// A hash-map key holding short strings inline, so looking a word up
/// touches one cache line instead of chasing a pointer to its text.
#[derive(Clone)]
enum Key {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<str>),
}

const INLINE: usize = 22;

impl Key {
    fn new(s: &str) -> Self {
        if s.len() <= INLINE {
            let mut bytes = [0u8; INLINE];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            Key::Inline {
                len: s.len() as u8,
                bytes,
            }
        } else {
            Key::Heap(s.into())
        }
    }

    fn as_str(&self) -> &str {
        match self {
            // Always valid: built from a `&str`.
            Key::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..*len as usize]).unwrap_or("")
            }
            Key::Heap(s) => s,
        }
    }
}

impl std::borrow::Borrow<str> for Key {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Must hash exactly like `str` for `Borrow<str>` lookups.
        self.as_str().hash(state);
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Key {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_look_up_like_str() {
        let mut m: HashMap<Key, u32> = HashMap::new();
        let long = "x".repeat(INLINE + 1);
        for (i, k) in ["", "å", "lösenord", &"y".repeat(INLINE), &long]
            .iter()
            .enumerate()
        {
            m.insert(Key::new(k), i as u32);
        }
        assert_eq!(m.get("lösenord"), Some(&2));
        assert_eq!(m.get(long.as_str()), Some(&4));
        assert_eq!(m.get("y".repeat(INLINE).as_str()), Some(&3));
        assert_eq!(m.get(""), Some(&0));
        assert_eq!(m.get("losenord"), None);
        assert_eq!(size_of::<Key>(), 24);
    }

    #[test]
    fn remove_frees_dictionary_entries() {
        let mut s = Shard::new(Lang::Sv);
        s.add(0, "Grupper", "grupp lösenord");
        s.add(1, "Annat", "lösenord");
        assert!(s.term_id("grupp").is_some());
        s.remove(0, "Grupper", "grupp lösenord");
        assert!(s.term_id("grupp").is_none());
        assert!(s.surface_term("grupper").is_none());
        assert_eq!(
            s.postings(s.term_id("lösenord").unwrap_or(u32::MAX)).len(),
            1
        );
        assert!(s.fuzzy("grup", Some("grup")).is_empty());
        assert_eq!(s.terms_with_suffix("ppurg", 10).count(), 0);
        assert_eq!(s.docs, 1);
        // Reuses freed ids and keeps the buckets consistent.
        s.add(0, "Gruppen", "grupp");
        let g = s.term_id("grupp").unwrap_or(u32::MAX);
        assert!(s.fuzzy("grup", Some("grup")).iter().all(|&t| t == g));
        assert!(s.fuzzy("grup", Some("grup")).contains(&g));
    }
}
