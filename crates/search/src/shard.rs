//! One language's half of the index: its term dictionary (with the sorted,
//! reversed and length-bucketed views the query side needs), its surface
//! forms and its postings.
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
use crate::fuzzy::{self, Buckets};

pub(crate) type TermId = u32;
type SurfId = u32;

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
    /// Place in `Shard::term_buckets`.
    fuzzy: fuzzy::Slot,
}

struct Surface {
    text: Arc<str>,
    term: TermId,
    /// Number of documents containing this surface form.
    docs: u32,
    /// Place in `Shard::surface_buckets`.
    fuzzy: fuzzy::Slot,
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
    term_buckets: Buckets,
    surface_buckets: Buckets,
    surfaces: HashMap<Arc<str>, SurfId>,
    surface: Vec<Option<Surface>>,
    free_surfaces: Vec<SurfId>,
    surfaces_sorted: BTreeMap<Arc<str>, SurfId>,
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
    surfaces: Vec<SurfId>,
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
            term_buckets: Buckets::default(),
            surface_buckets: Buckets::default(),
            surfaces: HashMap::new(),
            surface: Vec::new(),
            free_surfaces: Vec::new(),
            surfaces_sorted: BTreeMap::new(),
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

    /// Terms of the given surface-form prefix (deduplicated, unordered),
    /// scanning at most `max_scan` surface forms.
    pub fn surface_prefix_terms(&self, prefix: &str, max_scan: usize) -> Vec<TermId> {
        let mut out: Vec<TermId> = self
            .surfaces_sorted
            .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(prefix))
            .take(max_scan)
            .filter_map(|(_, &sid)| self.surface_ref(sid).map(|s| s.term))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Term of a surface form (normalised word) seen in some document.
    pub fn surface_term(&self, surface: &str) -> Option<TermId> {
        let sid = *self.surfaces.get(surface)?;
        self.surface_ref(sid).map(|s| s.term)
    }

    fn surface_ref(&self, id: SurfId) -> Option<&Surface> {
        self.surface.get(id as usize).and_then(Option::as_ref)
    }

    /// Live terms within Damerau-Levenshtein (optimal string alignment)
    /// distance 1 of the stem `stem`, or whose surface forms are within
    /// distance 1 of the word `surface` (which catches typos that defeat
    /// the stemmer, e.g. "intgration"). Exact matches excluded; unordered,
    /// may repeat.
    pub fn fuzzy(&self, stem: &str, surface: &str) -> Vec<TermId> {
        let mut out = self.term_buckets.near(stem);
        for sid in self.surface_buckets.near(surface) {
            if let Some(s) = self.surface_ref(sid) {
                out.push(s.term);
            }
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
        n += self.term_buckets.approx_bytes() + self.surface_buckets.approx_bytes();
        for s in self.surface.iter().flatten() {
            n += s.text.len() + 96;
        }
        n
    }

    // ----- write side ------------------------------------------------------

    /// Indexes a document stored in `slot`; returns its (title, body) lengths
    /// in tokens.
    pub fn add(&mut self, slot: u32, title: &str, body: &str) -> (u32, u32) {
        let mut dt = DocTerms::default();
        let lang = self.lang;
        tokenize(title, lang, |_, _, w| {
            let (sid, tid) = self.intern_surface(w);
            dt.surfaces.push(sid);
            dt.terms.push((tid, true));
            dt.title_len += 1;
        });
        tokenize(body, lang, |_, _, w| {
            let (sid, tid) = self.intern_surface(w);
            dt.surfaces.push(sid);
            dt.terms.push((tid, false));
            dt.body_len += 1;
        });
        dt.surfaces.sort_unstable();
        dt.surfaces.dedup();
        for &sid in &dt.surfaces {
            if let Some(Some(s)) = self.surface.get_mut(sid as usize) {
                s.docs += 1;
            }
        }
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
                let pos = term.postings.partition_point(|q| q.doc < slot);
                term.postings.insert(pos, p);
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
        let mut surfaces: Vec<SurfId> = Vec::new();
        let (mut title_len, mut body_len) = (0u64, 0u64);
        let mut collect = |text: &str, len: &mut u64| {
            tokenize(text, self.lang, |_, _, w| {
                if let Some(&sid) = self.surfaces.get(w) {
                    surfaces.push(sid);
                }
                *len += 1;
            });
        };
        collect(title, &mut title_len);
        collect(body, &mut body_len);
        surfaces.sort_unstable();
        surfaces.dedup();
        let mut terms: Vec<TermId> = Vec::with_capacity(surfaces.len());
        for sid in surfaces {
            let Some(Some(s)) = self.surface.get_mut(sid as usize) else {
                continue;
            };
            terms.push(s.term);
            s.docs = s.docs.saturating_sub(1);
            if s.docs == 0 {
                let (text, slot) = (s.text.clone(), s.fuzzy);
                self.surface[sid as usize] = None;
                self.surfaces.remove(&*text);
                self.surfaces_sorted.remove(&*text);
                if let Some((moved, slot)) = self.surface_buckets.remove(slot)
                    && let Some(Some(m)) = self.surface.get_mut(moved as usize)
                {
                    m.fuzzy = slot;
                }
                self.free_surfaces.push(sid);
            }
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

    fn intern_surface(&mut self, w: &str) -> (SurfId, TermId) {
        if let Some(&sid) = self.surfaces.get(w)
            && let Some(s) = self.surface_ref(sid)
        {
            return (sid, s.term);
        }
        let stem = analysis::stem(&self.stemmer, w);
        let tid = self.intern_term(&stem);
        let text: Arc<str> = Arc::from(w);
        let sid = match self.free_surfaces.pop() {
            Some(sid) => sid,
            None => {
                self.surface.push(None);
                (self.surface.len() - 1) as SurfId
            }
        };
        let fuzzy = self.surface_buckets.insert(sid, w);
        self.surface[sid as usize] = Some(Surface {
            text: text.clone(),
            term: tid,
            docs: 0,
            fuzzy,
        });
        self.surfaces.insert(text.clone(), sid);
        self.surfaces_sorted.insert(text, sid);
        (sid, tid)
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
        let fuzzy = self.term_buckets.insert(tid, stem);
        self.term[tid as usize] = Some(Term {
            text: text.clone(),
            postings: Vec::new(),
            fuzzy,
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
        if let Some((moved, slot)) = self.term_buckets.remove(term.fuzzy)
            && let Some(Some(m)) = self.term.get_mut(moved as usize)
        {
            m.fuzzy = slot;
        }
        self.free_terms.push(tid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remove_frees_dictionary_entries() {
        let mut s = Shard::new(Lang::Sv);
        s.add(0, "Grupper", "grupp lösenord");
        s.add(1, "Annat", "lösenord");
        assert!(s.term_id("grupp").is_some());
        s.remove(0, "Grupper", "grupp lösenord");
        assert!(s.term_id("grupp").is_none());
        assert!(s.surface_term("grupper").is_none());
        assert_eq!(s.postings(s.term_id("lösenord").unwrap_or(u32::MAX)).len(), 1);
        assert!(s.fuzzy("grup", "grup").is_empty());
        assert_eq!(s.terms_with_suffix("ppurg", 10).count(), 0);
        assert_eq!(s.docs, 1);
        // Reuses freed ids and keeps the buckets consistent.
        s.add(0, "Gruppen", "grupp");
        let g = s.term_id("grupp").unwrap_or(u32::MAX);
        assert!(s.fuzzy("grup", "grup").iter().all(|&t| t == g));
        assert!(s.fuzzy("grup", "grup").contains(&g));
    }
}
