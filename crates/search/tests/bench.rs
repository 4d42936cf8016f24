//! Release-mode benchmark (ignored by default):
//! `cargo test --release --test bench -- --ignored --nocapture`

#![allow(clippy::unwrap_used)]

#[path = "support/corpus.rs"]
mod corpus;

#[test]
#[ignore = "benchmark: run in release with --ignored"]
fn bench() {
    let report = corpus::run(5_000, 100_000, 1_000);
    println!("{report}");
    if !cfg!(debug_assertions) {
        assert!(
            report.p99 < std::time::Duration::from_millis(20),
            "p99 {:?} over the 20 ms budget",
            report.p99
        );
    }
}
