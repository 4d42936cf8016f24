//! Generated Swedish/English-looking help-center text for the benchmark
//! (shared by `tests/bench.rs` and `examples/bench.rs`).

#![allow(dead_code)]

use std::time::{Duration, Instant};

use statusdesk_search::{Doc, Index, Lang, Query};

/// Small deterministic PRNG (SplitMix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

#[rustfmt::skip]
const SV_REAL: &[&str] = &[
    "och", "att", "det", "som", "en", "på", "är", "av", "för", "med", "till", "den", "har", "inte",
    "om", "ett", "du", "vi", "kan", "när", "hur", "ditt", "din", "eller", "så", "ärende",
    "lösenord", "grupp", "konto", "support", "kund", "agent", "status", "sida", "tjänst",
    "störning", "inloggning", "inställning", "behörighet", "integration", "kanal", "meddelande",
    "svar", "fråga", "prioritet", "kö", "faktura", "abonnemang", "användare", "organisation",
    "säkerhet", "länk", "e-post", "telefon", "chatt", "webbplats", "rapport", "mall", "regel",
    "automatisering", "nyckel", "gräns", "fel", "lösning", "problem", "uppdatering", "version",
    "återställa", "skapa", "ändra", "ta", "bort", "visa", "skicka", "läsa", "välja", "spara",
    "koppla", "aktivera", "stänga", "öppna", "tilldela", "prenumerera", "logga", "hämta", "ny",
    "gammal", "snabb", "enkel", "viktig", "hög", "låg", "egen", "flera", "alla", "varje",
];

#[rustfmt::skip]
const EN_REAL: &[&str] = &[
    "the", "to", "and", "a", "of", "you", "your", "in", "is", "for", "it", "on", "can", "with",
    "this", "how", "when", "or", "be", "we", "ticket", "password", "group", "account", "support",
    "customer", "agent", "status", "page", "service", "incident", "login", "setting", "permission",
    "integration", "channel", "message", "reply", "question", "priority", "queue", "invoice",
    "subscription", "user", "organisation", "security", "link", "email", "phone", "chat",
    "website", "report", "template", "rule", "automation", "key", "limit", "error", "solution",
    "problem", "update", "version", "reset", "create", "change", "remove", "show", "send", "read",
    "choose", "save", "connect", "enable", "close", "open", "assign", "subscribe", "sign", "fetch",
    "new", "old", "fast", "simple", "important", "high", "low", "own", "several", "all", "every",
    "webhook", "token", "workspace", "dashboard", "export",
];

const SV_SYL: &[&str] = &[
    "ka", "lo", "ret", "sen", "ord", "ställ", "grupp", "tjän", "häm", "ning", "het", "sta", "bel",
    "mo", "vär", "dag", "för", "ut", "be", "kon", "takt", "sid", "fak", "tur", "prö", "vå", "gå",
    "lin", "ske", "drif", "rå", "da", "mät", "ar", "ör", "sko", "bok", "lag", "kal", "vis", "pen",
    "styr", "tid", "led", "nät", "verk", "hjälp", "syn", "rät", "fäl", "spår",
];
const EN_SYL: &[&str] = &[
    "con", "fig", "ur", "ate", "pro", "cess", "ment", "tion", "re", "set", "serv", "ice", "port",
    "ex", "per", "mit", "ac", "count", "sub", "scribe", "in", "te", "gra", "dis", "play", "man",
    "age", "com", "mand", "line", "work", "flow", "data", "base", "net", "load", "bal", "ance",
    "ver", "sion", "log", "ger", "track", "er", "up", "date", "al", "ly", "ous", "ness", "ful",
];
const SV_SUFFIX: &[&str] = &[
    "", "", "", "", "en", "er", "erna", "et", "ar", "arna", "s", "a", "ade", "ande", "or",
];
const EN_SUFFIX: &[&str] = &["", "", "", "", "s", "ed", "ing", "er", "s", "ly", "ation"];

fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Vocabulary of one language: base words, most frequent first.
pub struct Vocab {
    pub lang: Lang,
    pub words: Vec<String>,
    /// Cumulative Zipf weights over `words`.
    cum: Vec<f64>,
}

impl Vocab {
    pub fn new(lang: Lang, size: usize, rng: &mut Rng) -> Self {
        let (real, syl) = match lang {
            Lang::Sv => (SV_REAL, SV_SYL),
            Lang::En => (EN_REAL, EN_SYL),
        };
        let mut words: Vec<String> = real.iter().map(|s| s.to_string()).collect();
        let mut seen: std::collections::HashSet<String> = words.iter().cloned().collect();
        while words.len() < size {
            let n = 2 + rng.below(3);
            let w: String = (0..n).map(|_| *rng.pick(syl)).collect();
            if seen.insert(w.clone()) {
                words.push(w);
            }
        }
        let mut cum = Vec::with_capacity(words.len());
        let mut acc = 0.0;
        for r in 0..words.len() {
            acc += 1.0 / (r as f64 + 2.7);
            cum.push(acc);
        }
        Vocab { lang, words, cum }
    }

    /// A base word by Zipf rank.
    pub fn zipf(&self, rng: &mut Rng) -> &str {
        let total = self.cum.last().copied().unwrap_or(1.0);
        let x = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * total;
        let i = self
            .cum
            .partition_point(|&c| c < x)
            .min(self.words.len() - 1);
        &self.words[i]
    }

    /// An inflected (and, in Swedish, sometimes compounded) word.
    pub fn word(&self, rng: &mut Rng) -> String {
        let base = self.zipf(rng);
        let mut w = base.to_string();
        if self.lang == Lang::Sv && base.len() > 3 && rng.chance(0.06) {
            // Compounds: mostly established ones (a fixed set, itself
            // Zipf-distributed), sometimes a one-off.
            let other = if rng.chance(0.9) {
                w = self.compound_head(base);
                self.compound_tail(base)
            } else {
                self.zipf(rng).to_string()
            };
            if other.len() > 3 {
                w.push_str(&other);
            }
        }
        if base.len() > 3 {
            let suffixes = match self.lang {
                Lang::Sv => SV_SUFFIX,
                Lang::En => EN_SUFFIX,
            };
            let suffix: &str = rng.pick::<&str>(suffixes);
            w.push_str(suffix);
        }
        w
    }

    /// First part (with or without linking "s") of the established
    /// compound starting with `base`.
    fn compound_head(&self, base: &str) -> String {
        let h = hash(base);
        if h.is_multiple_of(2) {
            format!("{base}s")
        } else {
            base.to_string()
        }
    }

    /// Second part of the established compound starting with `base`: one
    /// of the 2000 most frequent words, chosen by `base`.
    fn compound_tail(&self, base: &str) -> String {
        let h = hash(base) >> 1;
        let n = self.words.len().min(2000);
        self.words[10 + (h as usize) % (n - 10)].clone()
    }

    pub fn text(&self, rng: &mut Rng, words: usize) -> String {
        let mut s = String::with_capacity(words * 8);
        let mut sentence = 0;
        for i in 0..words {
            let w = self.word(rng);
            if sentence == 0 {
                let mut cs = w.chars();
                if let Some(c) = cs.next() {
                    s.extend(c.to_uppercase());
                    s.push_str(cs.as_str());
                }
            } else {
                s.push_str(&w);
            }
            sentence += 1;
            if i + 1 == words || (sentence > 6 && rng.chance(0.15)) {
                s.push_str(". ");
                sentence = 0;
            } else if rng.chance(0.05) {
                s.push_str(", ");
            } else {
                s.push(' ');
            }
        }
        s
    }
}

pub struct Corpus {
    pub sv: Vocab,
    pub en: Vocab,
}

impl Corpus {
    pub fn new(seed: u64) -> (Self, Rng) {
        let mut rng = Rng::new(seed);
        let sv = Vocab::new(Lang::Sv, 30_000, &mut rng);
        let en = Vocab::new(Lang::En, 30_000, &mut rng);
        (Corpus { sv, en }, rng)
    }

    pub fn vocab(&self, lang: Lang) -> &Vocab {
        match lang {
            Lang::Sv => &self.sv,
            Lang::En => &self.en,
        }
    }

    /// `articles` documents of ~600 words and `posts` of ~60 words,
    /// alternating languages.
    pub fn docs(&self, rng: &mut Rng, articles: usize, posts: usize) -> Vec<Doc> {
        let mut out = Vec::with_capacity(articles + posts);
        for i in 0..articles + posts {
            let lang = if i % 2 == 0 { Lang::Sv } else { Lang::En };
            let v = self.vocab(lang);
            let article = i < articles;
            let (tw, bw) = if article {
                (4 + rng.below(5), 450 + rng.below(300))
            } else {
                (5 + rng.below(8), 30 + rng.below(60))
            };
            let title = v.text(rng, tw);
            let body = v.text(rng, bw);
            out.push(Doc {
                id: format!("{}-{i:06}", if article { "a" } else { "p" }),
                lang,
                title: title.trim_end_matches(". ").to_string(),
                body,
                tag: rng.next_u64() & 0b111,
            });
        }
        out
    }

    /// `n` varied queries: (kind, text, language filter).
    pub fn queries(&self, rng: &mut Rng, n: usize) -> Vec<(&'static str, String, Option<Lang>)> {
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let lang = if rng.chance(0.5) { Lang::Sv } else { Lang::En };
            let v = self.vocab(lang);
            let filter = if rng.chance(0.6) { None } else { Some(lang) };
            // Words of mid frequency: what people search for.
            let pick = |rng: &mut Rng| -> String {
                loop {
                    let w = &v.words[20 + rng.below(3000)];
                    if w.chars().count() >= 5 {
                        return w.clone();
                    }
                }
            };
            let kind = ["exact", "multi", "inflected", "typo", "prefix", "compound"][i % 6];
            let text = match kind {
                "exact" => pick(rng),
                "multi" => {
                    let k = 2 + rng.below(3);
                    let mut ws: Vec<String> = (0..k).map(|_| pick(rng)).collect();
                    if rng.chance(0.5) {
                        ws.insert(0, v.words[rng.below(10)].clone());
                    }
                    ws.join(" ") + " "
                }
                "inflected" => {
                    let s = match lang {
                        Lang::Sv => SV_SUFFIX,
                        Lang::En => EN_SUFFIX,
                    };
                    format!("{}{} ", pick(rng), rng.pick(&s[4..]))
                }
                "typo" => {
                    let mut cs: Vec<char> = pick(rng).chars().collect();
                    let p = 1 + rng.below(cs.len() - 2);
                    match rng.below(3) {
                        0 => cs.swap(p, p + 1),
                        1 => {
                            cs.remove(p);
                        }
                        _ => cs[p] = 'x',
                    }
                    cs.into_iter().collect::<String>() + " "
                }
                "prefix" => {
                    let w = pick(rng);
                    let cs: Vec<char> = w.chars().collect();
                    let k = 3 + rng.below(cs.len().saturating_sub(3).max(1));
                    let prefix: String = cs[..k.min(cs.len())].iter().collect();
                    if rng.chance(0.5) {
                        format!("{} {prefix}", pick(rng))
                    } else {
                        prefix
                    }
                }
                _ => {
                    if lang == Lang::Sv {
                        format!("{}s{}", pick(rng), pick(rng))
                    } else {
                        format!("{} {}", pick(rng), pick(rng))
                    }
                }
            };
            out.push((kind, text, filter));
        }
        out
    }
}

/// Resident set size of this process in bytes (Linux), if known.
pub fn rss_bytes() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = s.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

pub struct Report {
    pub docs: usize,
    pub build: Duration,
    pub rss_delta: Option<u64>,
    pub approx_bytes: usize,
    pub terms: usize,
    pub surfaces: usize,
    pub postings: u64,
    pub queries: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub mean: Duration,
    pub per_kind: Vec<(&'static str, Duration, Duration)>,
    pub avg_hits: f64,
    /// The slowest queries: (time, kind, text).
    pub slowest: Vec<(Duration, &'static str, String)>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mb = |b: u64| b as f64 / (1024.0 * 1024.0);
        writeln!(
            f,
            "indexed {} docs in {:.2?} ({} terms, {} surface forms, {} postings)",
            self.docs, self.build, self.terms, self.surfaces, self.postings
        )?;
        writeln!(
            f,
            "memory: RSS +{:.0} MiB (index incl. stored text), estimate {:.0} MiB",
            self.rss_delta.map_or(f64::NAN, mb),
            mb(self.approx_bytes as u64)
        )?;
        writeln!(
            f,
            "{} queries: p50 {:.2?}, p99 {:.2?}, max {:.2?}, mean {:.2?}, {:.1} hits/query",
            self.queries, self.p50, self.p99, self.max, self.mean, self.avg_hits
        )?;
        for (kind, p50, p99) in &self.per_kind {
            writeln!(f, "  {kind:<9} p50 {p50:.2?}  p99 {p99:.2?}")?;
        }
        writeln!(f, "slowest:")?;
        for (t, kind, text) in &self.slowest {
            writeln!(f, "  {t:>9.2?} {kind:<9} {text:?}")?;
        }
        Ok(())
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// Builds the index and runs the queries.
pub fn run(articles: usize, posts: usize, queries: usize) -> Report {
    let (corpus, mut rng) = Corpus::new(42);
    let qs = corpus.queries(&mut rng, queries);
    // Measured before the documents exist: their text ends up in the index.
    let before = rss_bytes();
    let docs = corpus.docs(&mut rng, articles, posts);
    let n = docs.len();

    let t = Instant::now();
    let mut idx = Index::new();
    for d in docs {
        idx.upsert(d);
    }
    let build = t.elapsed();
    let after = rss_bytes();
    let stats = idx.stats();

    let visible = |_: &str, tag: u64| tag != 0;
    let mut times = Vec::with_capacity(qs.len());
    let mut by_kind: Vec<(&'static str, Vec<Duration>)> = Vec::new();
    let mut hits = 0usize;
    let mut all: Vec<(Duration, &'static str, String)> = Vec::new();
    for (i, (kind, text, lang)) in qs.iter().enumerate() {
        let mut q = Query::new(text).limit(10);
        q.lang = *lang;
        if i % 3 == 0 {
            q.filter = Some(&visible);
        }
        let t = Instant::now();
        let h = idx.search(&q);
        let dt = t.elapsed();
        hits += h.len();
        times.push(dt);
        all.push((dt, kind, text.clone()));
        match by_kind.iter_mut().find(|(k, _)| k == kind) {
            Some((_, v)) => v.push(dt),
            None => by_kind.push((kind, vec![dt])),
        }
    }
    let mean = times.iter().sum::<Duration>() / times.len().max(1) as u32;
    times.sort();
    let per_kind = by_kind
        .into_iter()
        .map(|(k, mut v)| {
            v.sort();
            (k, percentile(&v, 0.5), percentile(&v, 0.99))
        })
        .collect();
    Report {
        docs: n,
        build,
        rss_delta: before.zip(after).map(|(b, a)| a.saturating_sub(b)),
        approx_bytes: stats.approx_bytes,
        terms: stats.terms,
        surfaces: stats.surfaces,
        postings: stats.postings,
        queries: times.len(),
        p50: percentile(&times, 0.5),
        p99: percentile(&times, 0.99),
        max: times.last().copied().unwrap_or_default(),
        mean,
        per_kind,
        avg_hits: hits as f64 / queries.max(1) as f64,
        slowest: {
            all.sort_by_key(|b| std::cmp::Reverse(b.0));
            all.truncate(5);
            all
        },
    }
}
