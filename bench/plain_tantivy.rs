//! The baseline policy-search is measured against: a few lines of plain
//! tantivy. Whole files as documents, the `en_stem` analyzer, the body
//! stored, a top-10 search with a snippet. No passages, quotes or locations.
//!
//! ```sh
//! cargo run --release --example plain-tantivy -- index DIR INDEX [THREADS]
//! cargo run --release --example plain-tantivy -- query INDEX "TEXT"
//! ```

use std::path::Path;

use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{
    IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{doc, Index, TantivyDocument};

fn main() -> tantivy::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("index") if args.len() >= 4 => {
            let threads = args.get(4).and_then(|t| t.parse().ok()).unwrap_or(2);
            index(Path::new(&args[2]), Path::new(&args[3]), threads)
        }
        Some("query") if args.len() >= 4 => query(Path::new(&args[2]), &args[3]),
        _ => {
            eprintln!("usage: plain-tantivy index DIR INDEX [THREADS] | query INDEX TEXT");
            std::process::exit(2);
        }
    }
}

fn index(dir: &Path, index_dir: &Path, threads: usize) -> tantivy::Result<()> {
    let mut builder = Schema::builder();
    let path = builder.add_text_field("path", STRING | STORED);
    let body = builder.add_text_field(
        "body",
        TextOptions::default()
            .set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer("en_stem")
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
            .set_stored(),
    );
    std::fs::create_dir_all(index_dir)?;
    let index = Index::create_in_dir(index_dir, builder.build())?;
    let writer = index.writer_with_num_threads(threads, 64_000_000 * threads)?;
    let mut bytes = 0u64;
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        let p = entry.path();
        let wanted = p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            matches!(
                e.to_ascii_lowercase().as_str(),
                "txt" | "md" | "html" | "htm"
            )
        });
        if !entry.file_type().is_file() || !wanted {
            continue;
        }
        let Ok(raw) = std::fs::read(p) else { continue };
        bytes += raw.len() as u64;
        let text = String::from_utf8_lossy(&raw).into_owned();
        writer.add_document(doc!(path => p.to_string_lossy().into_owned(), body => text))?;
    }
    let mut writer = writer;
    writer.commit()?;
    writer.wait_merging_threads()?;
    println!("indexed {bytes} bytes");
    Ok(())
}

fn query(index_dir: &Path, text: &str) -> tantivy::Result<()> {
    let index = Index::open_in_dir(index_dir)?;
    let schema = index.schema();
    let path = schema.get_field("path")?;
    let body = schema.get_field("body")?;
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let parser = QueryParser::for_index(&index, vec![body]);
    let (q, _) = parser.parse_query_lenient(text);
    let top = searcher.search(&q, &TopDocs::with_limit(10).order_by_score())?;
    let snippets = SnippetGenerator::create(&searcher, &*q, body)?;
    for (score, addr) in top {
        let d: TantivyDocument = searcher.doc(addr)?;
        let p = d.get_first(path).and_then(|v| v.as_str()).unwrap_or("");
        println!(
            "{score:.3} {p}\n  {}",
            snippets.snippet_from_doc(&d).to_html()
        );
    }
    Ok(())
}
