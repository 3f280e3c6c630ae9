//! Every indexed file's title, to see at a glance which titles are wrong.
//!
//! Usage: `cargo run --release --example titles -- INDEX`, after
//! `policy-search index FOLDER --index INDEX`. Prints one line per file:
//! its title, a tab, its source. Reads the file records' stored fields with
//! plain tantivy, so it measures any build's index of the same format.

use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Index, TantivyDocument, Term};

fn main() -> tantivy::Result<()> {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: titles INDEX");
        std::process::exit(2);
    };
    let index = Index::open_in_dir(&dir)?;
    let schema = index.schema();
    let field = |name: &str| schema.get_field(name);
    let (kind, title, source) = (field("kind")?, field("title")?, field("source")?);
    let searcher = index.reader()?.searcher();
    // `kind` 1 is a file record (src/index/schema.rs, KIND_FILE).
    let records = TermQuery::new(Term::from_field_u64(kind, 1), IndexRecordOption::Basic);
    let mut rows: Vec<(String, String)> = Vec::new();
    for addr in searcher.search(&records, &DocSetCollector)? {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let text = |f| {
            doc.get_first(f)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        rows.push((text(source), text(title)));
    }
    rows.sort();
    for (source, title) in rows {
        println!("{}\t{source}", title.replace(['\t', '\n'], " "));
    }
    Ok(())
}
