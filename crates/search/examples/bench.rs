//! Prints build time, query latency and memory for a generated corpus.
//!
//! `cargo run --release --example bench [ARTICLES POSTS QUERIES]`
//! (defaults: 5000 articles of ~600 words, 100000 posts of ~60 words,
//! 1000 queries).

#[path = "../tests/support/corpus.rs"]
mod corpus;

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>());
    let mut next = |default: usize| match args.next() {
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("bad number: {e}");
            std::process::exit(2);
        }
        None => default,
    };
    let (articles, posts, queries) = (next(5_000), next(100_000), next(1_000));
    print!("{}", corpus::run(articles, posts, queries));
}
