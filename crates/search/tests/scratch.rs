#![allow(clippy::unwrap_used)]
use statusdesk_search::*;
fn doc(id: &str, lang: Lang, title: &str, body: &str) -> Doc {
    Doc { id: id.to_owned(), lang, title: title.to_owned(), body: body.to_owned(), tag: 0 }
}
include!("/tmp/corpus_fn.rs");
#[test]
fn scratch() {
    let mut idx = Index::new();
    for d in corpus() { idx.upsert(d); }
    for q in ["lösenordsåterställning", "lösenord ", "lösen", "grupperna", "gruppärenden", "pasword", "intgration", "integr", "hur kontaktar jag supporten", "ärenden ", "reset your pass", "chat", "status"] {
        println!("== {q}");
        for h in idx.search(&Query::new(q).limit(5)) {
            println!("  {:14} m={:.2} s={:.3} | {} | {}", h.id, h.matched, h.score, h.title_html, h.snippet_html);
        }
    }
}
