//! How fast the analyzer turns text into terms, as indexing runs it (one
//! tokenizer per field, its word cache warm across values): every text
//! file under DIR, split at blank lines, analyzed ROUNDS times.
//!
//! `cargo run --release --example analyzer -- DIR [ROUNDS]`

use std::time::Instant;

use policy_search::analysis::{Analyzer, PolicyTokenizer};
use tantivy::tokenizer::{TokenStream, Tokenizer};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: analyzer DIR [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(3);
    let texts: Vec<String> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    println!("{} files, {:.1} MB", texts.len(), bytes as f64 / 1e6);
    for round in 1..=rounds {
        let mut tokenizer = PolicyTokenizer::new(Analyzer::english());
        let (start, mut tokens) = (Instant::now(), 0usize);
        for paragraph in texts.iter().flat_map(|t| t.split("\n\n")) {
            let mut stream = tokenizer.token_stream(paragraph);
            while stream.advance() {
                tokens += 1;
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "round {round}: {tokens} tokens in {secs:.2} s: {:.1} MB/s, {:.0} ns/token",
            bytes as f64 / 1e6 / secs,
            secs * 1e9 / tokens.max(1) as f64
        );
    }
}
