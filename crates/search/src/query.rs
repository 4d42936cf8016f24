//! Query planning (turning query text into weighted term expansions) and
//! BM25F scoring.

use std::collections::HashMap;

use crate::Lang;
use crate::analysis::{self, tokenize};
use crate::compound::{MAX_FINAL_REST, MIN_PART};
use crate::shard::{Shard, TermId};

/// BM25 term-frequency saturation.
pub(crate) const K1: f32 = 1.2;
/// BM25 length normalisation.
pub(crate) const B: f32 = 0.75;
/// Weight of a title occurrence relative to a body occurrence.
pub(crate) const TITLE_BOOST: f32 = 2.5;

/// Most query words considered (after de-duplication).
pub(crate) const MAX_WORDS: usize = 12;
/// Most parts a query compound is split into.
const MAX_PARTS: usize = 4;
/// Query words whose stem is at least this long are split even when the
/// whole word is a known term.
const LONG_COMPOUND: usize = 12;
/// Coverage units of one query word (divisible by 2, 3 and 4, so the
/// parts of a split compound share it evenly).
const UNIT: u32 = 12;

/// Expansion weights, relative to an exact match (1.0).
const W_NEAR: f32 = 0.8; // Swedish stem truncation/extension ("lösenordet" ~ "lösenord")
const W_COMPOUND: f32 = 0.7; // dictionary compound containing the word
const W_PREFIX: f32 = 0.7; // completion of the word being typed
const W_FUZZY: f32 = 0.6; // one edit away
const W_PART: f32 = 0.8; // multiplier for the parts of a split query compound

/// Expansion caps (per query word), and scan limits.
const CAP_NEAR: usize = 8;
const CAP_COMPOUND: usize = 16;
const CAP_PREFIX: usize = 24;
const CAP_FUZZY: usize = 8;
const SCAN_TERMS: usize = 128;
/// Query words whose stem is in more documents than this get no typo
/// expansion.
const FUZZY_MAX_DF: usize = 2;
const SCAN_PREFIX: usize = 1024;
/// Most candidate compounds checked per query word.
const MAX_COMPOUND_CHECKS: usize = 48;

/// One unit of coverage: a query word, or one part of a split compound.
pub(crate) struct Atom {
    units: u32,
    /// Counts towards coverage (false for stop words, unless the query
    /// has nothing else).
    counts: bool,
}

/// A set of alternative terms, any of which satisfies `atoms`.
pub(crate) struct Matcher {
    atoms: Vec<usize>,
    exps: Vec<(TermId, f32)>,
}

pub(crate) struct Plan {
    atoms: Vec<Atom>,
    matchers: Vec<Matcher>,
    total_units: u32,
}

/// Expansion set with the best weight per term.
#[derive(Default)]
struct Exps(Vec<(TermId, f32)>);

impl Exps {
    fn add(&mut self, t: TermId, w: f32) {
        match self.0.iter_mut().find(|(x, _)| *x == t) {
            Some(e) => e.1 = e.1.max(w),
            None => self.0.push((t, w)),
        }
    }

    /// Adds the `cap` candidates with the highest document frequency (ties
    /// by term text), so the choice depends only on the dictionary.
    fn add_top(&mut self, shard: &Shard, mut cands: Vec<TermId>, cap: usize, w: f32) {
        cands.sort_unstable();
        cands.dedup();
        cands.sort_by(|&a, &b| {
            shard
                .df(b)
                .cmp(&shard.df(a))
                .then_with(|| shard.term_text(a).cmp(shard.term_text(b)))
        });
        for t in cands.into_iter().take(cap) {
            self.add(t, w);
        }
    }
}

struct Word {
    surface: String,
    stem: String,
    /// The last word of a query that does not end in a separator: the user
    /// may still be typing it.
    open: bool,
}

fn words(shard: &Shard, text: &str) -> Vec<Word> {
    let mut tokens: Vec<String> = Vec::new();
    tokenize(text, shard.lang, |_, _, w| tokens.push(w.to_owned()));
    let open_last = text.chars().next_back().is_some_and(char::is_alphanumeric);
    let n = tokens.len();
    let mut out: Vec<Word> = Vec::new();
    for (i, surface) in tokens.into_iter().enumerate() {
        let open = open_last && i + 1 == n;
        let stem = analysis::stem(&shard.stemmer, &surface);
        if let Some(w) = out.iter_mut().find(|w| w.stem == stem) {
            w.open |= open;
            continue;
        }
        if out.len() == MAX_WORDS {
            break;
        }
        out.push(Word {
            surface,
            stem,
            open,
        });
    }
    out
}

/// Turns query text into a plan for one shard.
pub(crate) fn plan(shard: &Shard, text: &str) -> Plan {
    let mut atoms: Vec<(u32, bool)> = Vec::new(); // (units, stop)
    let mut matchers = Vec::new();
    let sv = shard.lang == Lang::Sv;
    for w in words(shard, text) {
        let stop = analysis::is_stop(shard.lang, &w.surface);
        let exact = shard.term_id(&w.stem);
        let stem_chars = w.stem.chars().count();
        let mut exps = Exps::default();
        word_expansions(shard, &w, exact, &mut exps);
        let split = if sv && !stop && stem_chars >= 2 * MIN_PART {
            if exact.is_none() || stem_chars >= LONG_COMPOUND {
                shard.split_compound(&w.stem, MAX_PARTS)
            } else {
                None
            }
        } else {
            None
        };
        match split {
            Some(parts) => {
                let units = UNIT / parts.len() as u32;
                let first = atoms.len();
                for p in parts {
                    atoms.push((units, false));
                    let mut pe = Exps::default();
                    part_expansions(shard, p, &mut pe);
                    for e in &mut pe.0 {
                        e.1 *= W_PART;
                    }
                    matchers.push(Matcher {
                        atoms: vec![atoms.len() - 1],
                        exps: pe.0,
                    });
                }
                matchers.push(Matcher {
                    atoms: (first..atoms.len()).collect(),
                    exps: exps.0,
                });
            }
            None => {
                atoms.push((UNIT, stop));
                matchers.push(Matcher {
                    atoms: vec![atoms.len() - 1],
                    exps: exps.0,
                });
            }
        }
    }
    let only_stop = atoms.iter().all(|&(_, stop)| stop);
    let atoms: Vec<Atom> = atoms
        .into_iter()
        .map(|(units, stop)| Atom {
            units,
            counts: only_stop || !stop,
        })
        .collect();
    let total_units = atoms.iter().filter(|a| a.counts).map(|a| a.units).sum();
    Plan {
        atoms,
        matchers,
        total_units,
    }
}

fn word_expansions(shard: &Shard, w: &Word, exact: Option<TermId>, exps: &mut Exps) {
    let stem = w.stem.as_str();
    let stem_chars = stem.chars().count();
    let word_chars = w.surface.chars().count();
    let known_surface = shard.surface_term(&w.surface).is_some();
    if let Some(t) = exact {
        // A word still being typed that no document spells this way is more
        // likely the start of a longer word than a complete one
        // ("lösen" is not "lös"): its stem then competes with completions.
        let wt = if w.open && !known_surface {
            W_PREFIX
        } else {
            1.0
        };
        exps.add(t, wt);
    }
    if shard.lang == Lang::Sv {
        near_and_compounds(shard, stem, stem_chars, true, exps);
    }
    // Typos are looked for when the word is unknown or nearly so (a word
    // that many documents contain is taken as typed), among stems, and
    // among the words as written unless the query word itself occurs.
    let rare = exact.is_none_or(|t| shard.df(t) <= FUZZY_MAX_DF);
    if rare && word_chars >= 5 && stem_chars >= 4 {
        let surface = (!known_surface).then_some(w.surface.as_str());
        exps.add_top(shard, shard.fuzzy(stem, surface), CAP_FUZZY, W_FUZZY);
    }
    if w.open && word_chars >= 3 {
        let cands = shard
            .terms_with_prefix(&w.surface, SCAN_PREFIX)
            .map(|(_, t)| t)
            .collect();
        exps.add_top(shard, cands, CAP_PREFIX, W_PREFIX);
    }
}

fn part_expansions(shard: &Shard, part: &str, exps: &mut Exps) {
    if let Some(t) = shard.term_id(part) {
        exps.add(t, 1.0);
    }
    near_and_compounds(shard, part, part.chars().count(), false, exps);
}

/// Swedish-only expansions: the longest shorter stem ("lösenordet" →
/// "lösenord"), longer stems differing by at most a few letters
/// ("lösenord" → "lösenordet"), and (when `compounds`) dictionary
/// compounds that contain the word as their first or last part.
fn near_and_compounds(shard: &Shard, stem: &str, chars: usize, compounds: bool, exps: &mut Exps) {
    if chars >= 6
        && let Some(t) = shard.truncated(stem)
    {
        exps.add(t, W_NEAR);
    }
    if chars < 5 {
        return;
    }
    let mut near = Vec::new();
    let mut comp = Vec::new();
    let mut checks = 0;
    for (text, t) in shard.terms_with_prefix(stem, SCAN_TERMS) {
        let rest = &text[stem.len()..];
        if rest.is_empty() {
            continue;
        }
        if rest.chars().count() <= MAX_FINAL_REST {
            near.push(t);
        } else if compounds && checks < MAX_COMPOUND_CHECKS {
            checks += 1;
            if shard.is_compound_tail(rest, 2) {
                comp.push(t);
            }
        }
    }
    if compounds {
        let rev: String = stem.chars().rev().collect();
        for t in shard.terms_with_suffix(&rev, SCAN_TERMS) {
            let text = shard.term_text(t);
            let head = &text[..text.len() - stem.len()];
            if head.chars().count() >= MIN_PART && checks < 2 * MAX_COMPOUND_CHECKS {
                checks += 1;
                if shard.is_compound_head(head, 2) {
                    comp.push(t);
                }
            }
        }
    }
    exps.add_top(shard, near, CAP_NEAR, W_NEAR);
    exps.add_top(shard, comp, CAP_COMPOUND, W_COMPOUND);
}

impl Plan {
    /// Term → bit set of the atoms it satisfies (bit 63 stands for all
    /// atoms past 62), for highlighting.
    pub(crate) fn match_set(&self) -> HashMap<TermId, u64> {
        let mut m: HashMap<TermId, u64> = HashMap::new();
        for matcher in &self.matchers {
            let mask = matcher
                .atoms
                .iter()
                .fold(0u64, |acc, &a| acc | (1u64 << a.min(63)));
            for &(t, _) in &matcher.exps {
                *m.entry(t).or_default() |= mask;
            }
        }
        m
    }

    /// Whether any term can match at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.matchers.iter().all(|m| m.exps.is_empty())
    }
}

/// Scores every document of `shard` that matches `plan` and calls
/// `emit(slot, coverage, score)` for those covering at least one counted
/// atom. `lens[slot]` holds the (title, body) token counts.
pub(crate) fn score(
    shard: &Shard,
    plan: &Plan,
    lens: &[[u32; 2]],
    mut emit: impl FnMut(u32, f32, f32),
) {
    if shard.docs == 0 || plan.is_empty() || plan.total_units == 0 {
        return;
    }
    let n = shard.docs as f32;
    let inv_avg_t = 1.0 / (shard.title_tokens as f32 / n).max(1.0);
    let inv_avg_b = 1.0 / (shard.body_tokens as f32 / n).max(1.0);
    let slots = lens.len();
    let na = plan.atoms.len();
    let mut best = vec![0f32; slots];
    let mut touched: Vec<u32> = Vec::new();
    let mut row_of = vec![u32::MAX; slots];
    let mut rows: Vec<u32> = Vec::new();
    let mut cells: Vec<f32> = Vec::new();
    for m in &plan.matchers {
        for &(t, w) in &m.exps {
            let posts = shard.postings(t);
            let df = posts.len() as f32;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            let c = w * idf * (K1 + 1.0);
            for p in posts {
                let d = p.doc as usize;
                let [tl, bl] = lens[d];
                let nt = (1.0 - B) + B * tl as f32 * inv_avg_t;
                let nb = (1.0 - B) + B * bl as f32 * inv_avg_b;
                let tf = TITLE_BOOST * f32::from(p.title_tf) / nt + f32::from(p.body_tf) / nb;
                let s = c * tf / (tf + K1);
                let cell = &mut best[d];
                if *cell == 0.0 {
                    touched.push(p.doc);
                }
                if s > *cell {
                    *cell = s;
                }
            }
        }
        let share = 1.0 / m.atoms.len() as f32;
        for d in touched.drain(..) {
            let s = std::mem::take(&mut best[d as usize]) * share;
            let row = match row_of[d as usize] {
                u32::MAX => {
                    let r = rows.len() as u32;
                    row_of[d as usize] = r;
                    rows.push(d);
                    cells.resize(cells.len() + na, 0.0);
                    r
                }
                r => r,
            } as usize;
            for &a in &m.atoms {
                let cell = &mut cells[row * na + a];
                if s > *cell {
                    *cell = s;
                }
            }
        }
    }
    let total = plan.total_units as f32;
    for (r, &slot) in rows.iter().enumerate() {
        let mut units = 0u32;
        let mut score = 0f32;
        for (atom, &c) in plan.atoms.iter().zip(&cells[r * na..(r + 1) * na]) {
            if c > 0.0 {
                score += c;
                if atom.counts {
                    units += atom.units;
                }
            }
        }
        if units > 0 {
            emit(slot, units as f32 / total, score);
        }
    }
}
