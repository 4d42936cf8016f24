//! Embedded, in-memory full-text search for the statusdesk help center
//! (articles and community threads), with Swedish and English analysis.
//!
//! [`Index`] holds documents ([`Doc`]: id, language, title, body, and an
//! opaque `tag` for the caller's visibility bits) and answers [`Query`]s with
//! ranked [`Hit`]s carrying HTML-safe highlighted titles and snippets. It is
//! `Send + Sync` and has no interior mutability: wrap it in a `RwLock`,
//! `search` takes `&self`, `upsert`/`remove` take `&mut self`.
//!
//! # Analysis
//! Text is split into words: maximal runs of alphanumeric Unicode
//! characters, lower-cased, at most 48 characters (longer runs are ignored).
//! Both languages keep `å`, `ä`, `ö` distinct from `a`, `o` ("år" ≠ "ar",
//! "för" ≠ "for", also when a query is analysed as English) and fold other
//! accents (`é` → `e`; `æ`/`ø` → `ä`/`ö` in Swedish, `ae`/`o` in English).
//! Words are stemmed with the Snowball stemmer of the
//! document's language. Each language has its own dictionary, postings and
//! BM25 statistics; a query without a language is analysed both ways and
//! the results are merged. Stop words (a short list per language) are
//! indexed but do not count towards coverage (below) unless the query
//! consists of nothing else.
//!
//! # Matching a query word
//! Every query word (at most 12, duplicates by stem dropped) may match:
//! * its stem exactly (weight 1.0);
//! * Swedish only: the longest dictionary stem that is its prefix, at least
//!   5 letters and at most 4 shorter ("lösenordet" → "lösenord",
//!   "återställning" → "återställ"), and longer stems that extend it by at
//!   most 4 letters (0.8);
//! * Swedish only: dictionary compounds having it as first or last part, the
//!   rest being known parts (0.7): "lösenord" finds "lösenordsåterställning"
//!   when "återställ…" is a known term, "grupp" finds "arbetsgrupp";
//! * for words of 5+ letters whose stem is unknown or in at most 2
//!   documents (a common word is taken as typed): dictionary stems at
//!   Damerau-Levenshtein (OSA) distance 1 from its stem, and stems of
//!   indexed words at distance 1 from the word as typed, at most 8, the
//!   most frequent first (0.6): "lösenrod" → "lösenord", "pasword" →
//!   "password", "intgration" → "integration". A transposition is one edit;
//!   `o`→`ö` is one too (a typo, never a folding);
//! * for the last word when the query does not end in a separator (the user
//!   is typing) and has 3+ letters: stems of indexed words it is a prefix
//!   of, at most 24, the most frequent first (0.7): "lösen" → "lösenord",
//!   "integr" → "integration". If no document spells that last word exactly,
//!   its own stem only gets the prefix weight too ("lösen" is more likely
//!   "lösenord" than the verb "lösa").
//!
//! Swedish compound query words are split into known parts when the whole
//! word is not a known term or is 12+ letters long. Parts are dictionary
//! terms of 3+ letters; between parts a linking `s` or `e` may be dropped;
//! the last part may be a known stem of 5+ letters plus at most 4 letters
//! ("lösenordsåterställning" = "lösenord" + s + "återställ(ning)"). Fewest
//! parts win, then the longest first part. The parts become sub-words
//! (each worth 1/n of the word, weight ×0.8) and the whole word is still
//! tried as one term, so "lösenordsåterställning" finds both "Återställ
//! ditt lösenord" and documents containing the compound. Compound
//! relations are resolved against the dictionary at query time, not when a
//! document is inserted, so results never depend on insertion order.
//!
//! # Ranking
//! Each word's score in a document is the best weight × BM25F over its
//! alternatives (k1 = 1.2, b = 0.75, title occurrences count 2.5×, idf
//! `ln(1 + (N − df + 0.5)/(df + 0.5))`, all per language). Hits are ordered
//! by coverage (the share of query words matched, [`Hit::matched`]), then
//! by summed score, then by id, so a document matching more distinct query
//! words always ranks above one matching fewer, and results are
//! deterministic. The caller's filter runs before the top-k cut, so hidden
//! documents never take a slot.
//!
//! # Highlighting
//! Titles are returned whole, snippets are a ~160-character window of the
//! body around the densest cluster of matches (cut at word boundaries, `…`
//! marking cuts); matched words are wrapped in `<mark>…</mark>` and all
//! text is HTML-escaped (`<>&"'`).
//!
//! # Cost
//! Expansions are capped and chosen by frequency, typo candidates are the
//! few hundred strings one edit away looked up in hash maps (no scan of the
//! dictionary), postings are sorted `u32` slots with `u16` term
//! frequencies, and scoring accumulates into dense per-query arrays. `examples/bench.rs` (and the ignored `bench` test)
//! measure build time, query latency and memory on a generated corpus.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod analysis;
mod compound;
mod fuzzy;
mod query;
mod shard;
mod snippet;
#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::collections::{BinaryHeap, HashMap};

use shard::Shard;

/// Language of a document or query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Swedish.
    Sv,
    /// English.
    En,
}

/// A searchable document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Doc {
    /// Caller's identifier; `upsert` replaces by it; ties in ranking break by it.
    pub id: String,
    pub lang: Lang,
    /// Plain text (not HTML).
    pub title: String,
    /// Plain text (not HTML).
    pub body: String,
    /// Opaque caller data handed to [`Query::filter`], e.g. a bit set of
    /// collection/plan visibility.
    pub tag: u64,
}

/// A visibility check: called with a document's id and tag, returns whether
/// the caller may see it.
pub type Filter<'a> = &'a dyn Fn(&str, u64) -> bool;

/// A search request.
#[derive(Clone, Copy)]
pub struct Query<'a> {
    /// What the user typed.
    pub text: &'a str,
    /// Only documents of this language; `None` searches both (the text is
    /// then analysed as Swedish and as English).
    pub lang: Option<Lang>,
    /// Maximum number of hits.
    pub limit: usize,
    /// Visibility check, called with (id, tag) before the top-k cut: a
    /// document it rejects never appears and never takes a slot.
    pub filter: Option<Filter<'a>>,
}

impl<'a> Query<'a> {
    /// A query for `text` in both languages, 10 hits, no filter.
    pub fn new(text: &'a str) -> Self {
        Query {
            text,
            lang: None,
            limit: 10,
            filter: None,
        }
    }

    /// Restricts the query to one language.
    pub fn lang(mut self, lang: Lang) -> Self {
        self.lang = Some(lang);
        self
    }

    /// Sets the maximum number of hits.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Sets the visibility filter.
    pub fn filter(mut self, filter: Filter<'a>) -> Self {
        self.filter = Some(filter);
        self
    }
}

impl std::fmt::Debug for Query<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Query")
            .field("text", &self.text)
            .field("lang", &self.lang)
            .field("limit", &self.limit)
            .field("filter", &self.filter.map(|_| "…"))
            .finish()
    }
}

/// One search result.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub id: String,
    pub lang: Lang,
    /// Share of the query's words the document matches, in (0, 1]. Hits are
    /// ordered by this first.
    pub matched: f32,
    /// Relevance (summed weighted BM25F); orders hits of equal `matched`.
    pub score: f32,
    /// The title, HTML-escaped, matched words in `<mark>`.
    pub title_html: String,
    /// About 160 characters of the body around the best matches,
    /// HTML-escaped, matched words in `<mark>`, `…` where cut.
    pub snippet_html: String,
}

/// Size figures of an index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stats {
    pub docs: usize,
    /// Distinct stems, both languages.
    pub terms: usize,
    /// Distinct words as written (lower-cased), both languages.
    pub surfaces: usize,
    /// (term, document) pairs, both languages.
    pub postings: u64,
    /// Rough heap usage, stored text included.
    pub approx_bytes: usize,
}

/// The search index. See the crate documentation.
pub struct Index {
    docs: Vec<Option<Doc>>,
    /// (title, body) length in tokens, by slot.
    lens: Vec<[u32; 2]>,
    slots: HashMap<String, u32>,
    free: Vec<u32>,
    sv: Shard,
    en: Shard,
}

impl Default for Index {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("docs", &self.len())
            .finish_non_exhaustive()
    }
}

impl Index {
    /// An empty index.
    pub fn new() -> Self {
        Index {
            docs: Vec::new(),
            lens: Vec::new(),
            slots: HashMap::new(),
            free: Vec::new(),
            sv: Shard::new(Lang::Sv),
            en: Shard::new(Lang::En),
        }
    }

    fn shard(&self, lang: Lang) -> &Shard {
        match lang {
            Lang::Sv => &self.sv,
            Lang::En => &self.en,
        }
    }

    fn shard_mut(&mut self, lang: Lang) -> &mut Shard {
        match lang {
            Lang::Sv => &mut self.sv,
            Lang::En => &mut self.en,
        }
    }

    /// Inserts `doc`, replacing any document with the same id.
    pub fn upsert(&mut self, doc: Doc) {
        self.remove(&doc.id);
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.docs.push(None);
                self.lens.push([0, 0]);
                (self.docs.len() - 1) as u32
            }
        };
        let (tl, bl) = self.shard_mut(doc.lang).add(slot, &doc.title, &doc.body);
        self.lens[slot as usize] = [tl, bl];
        self.slots.insert(doc.id.clone(), slot);
        self.docs[slot as usize] = Some(doc);
    }

    /// Removes the document with this id; returns whether there was one.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(slot) = self.slots.remove(id) else {
            return false;
        };
        let Some(doc) = self.docs.get_mut(slot as usize).and_then(Option::take) else {
            return false;
        };
        self.shard_mut(doc.lang).remove(slot, &doc.title, &doc.body);
        self.lens[slot as usize] = [0, 0];
        self.free.push(slot);
        true
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether the index has no documents.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The stored document with this id.
    pub fn get(&self, id: &str) -> Option<&Doc> {
        let slot = *self.slots.get(id)?;
        self.docs.get(slot as usize)?.as_ref()
    }

    /// Size figures.
    pub fn stats(&self) -> Stats {
        let text: usize = self
            .docs
            .iter()
            .flatten()
            .map(|d| d.id.capacity() * 2 + d.title.capacity() + d.body.capacity() + 64)
            .sum();
        Stats {
            docs: self.len(),
            terms: self.sv.term_count() + self.en.term_count(),
            surfaces: self.sv.surface_count() + self.en.surface_count(),
            postings: self.sv.postings + self.en.postings,
            approx_bytes: text
                + self.docs.capacity() * size_of::<Option<Doc>>()
                + self.lens.capacity() * 8
                + self.sv.approx_bytes()
                + self.en.approx_bytes(),
        }
    }

    /// Ranked hits for `q`, best first (see the crate documentation).
    /// An empty query or a zero limit gives no hits.
    pub fn search(&self, q: &Query<'_>) -> Vec<Hit> {
        if q.limit == 0 {
            return Vec::new();
        }
        let langs: &[Lang] = match q.lang {
            Some(Lang::Sv) => &[Lang::Sv],
            Some(Lang::En) => &[Lang::En],
            None => &[Lang::Sv, Lang::En],
        };
        let mut heap: BinaryHeap<Cand<'_>> = BinaryHeap::new();
        let mut plans = Vec::with_capacity(2);
        for &lang in langs {
            let shard = self.shard(lang);
            let plan = query::plan(shard, q.text);
            query::score(shard, &plan, &self.lens, |slot, matched, score| {
                let Some(Some(doc)) = self.docs.get(slot as usize) else {
                    return;
                };
                let cand = Cand {
                    matched,
                    score,
                    id: &doc.id,
                    slot,
                };
                let visible = |d: &Doc| q.filter.is_none_or(|f| f(&d.id, d.tag));
                if heap.len() < q.limit {
                    if visible(doc) {
                        heap.push(cand);
                    }
                } else if heap.peek().is_some_and(|worst| cand < *worst) && visible(doc) {
                    heap.pop();
                    heap.push(cand);
                }
            });
            plans.push(Highlighter::new(shard, &plan));
        }
        heap.into_sorted_vec()
            .into_iter()
            .filter_map(|c| {
                let doc = self.docs.get(c.slot as usize)?.as_ref()?;
                let h = plans.iter().find(|h| h.shard.lang == doc.lang)?;
                let is_match = |w: &str| h.is_match(w);
                Some(Hit {
                    id: doc.id.clone(),
                    lang: doc.lang,
                    matched: c.matched,
                    score: c.score,
                    title_html: snippet::highlight(&doc.title, doc.lang, &is_match),
                    snippet_html: snippet::snippet(&doc.body, doc.lang, &is_match),
                })
            })
            .collect()
    }
}

/// Decides which words of a hit to mark: those whose term is one of the
/// query's expansions (with the bit set of query atoms it satisfies).
struct Highlighter<'a> {
    shard: &'a Shard,
    terms: HashMap<shard::TermId, u64>,
    /// First characters of those terms: stemming keeps a word's first
    /// character, so other words need no dictionary lookup.
    first: Vec<char>,
    /// Words already looked up for this query.
    memo: RefCell<HashMap<String, Option<u64>>>,
}

impl<'a> Highlighter<'a> {
    fn new(shard: &'a Shard, plan: &query::Plan) -> Self {
        let terms = plan.match_set();
        let mut first: Vec<char> = terms
            .keys()
            .filter_map(|&t| shard.term_text(t).chars().next())
            .collect();
        first.sort_unstable();
        first.dedup();
        Highlighter {
            shard,
            terms,
            first,
            memo: RefCell::new(HashMap::new()),
        }
    }

    fn is_match(&self, word: &str) -> Option<u64> {
        let c = word.chars().next()?;
        self.first.binary_search(&c).ok()?;
        if let Some(&r) = self.memo.borrow().get(word) {
            return r;
        }
        let r = self
            .shard
            .surface_term(word)
            .and_then(|t| self.terms.get(&t).copied());
        self.memo.borrow_mut().insert(word.to_owned(), r);
        r
    }
}

/// A candidate hit; orders best first (`a < b` when `a` ranks above `b`).
struct Cand<'a> {
    matched: f32,
    score: f32,
    id: &'a str,
    slot: u32,
}

impl Ord for Cand<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other
            .matched
            .total_cmp(&self.matched)
            .then_with(|| other.score.total_cmp(&self.score))
            .then_with(|| self.id.cmp(other.id))
    }
}

impl PartialOrd for Cand<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Cand<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Cand<'_> {}
