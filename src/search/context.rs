//! One passage by its id (`doc_id#n`, as `--json` gives it), with the
//! passages around it in its document and where to open it.

use std::path::Path;

use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use super::{Engine, Location};
use crate::error::{Error, Result};
use crate::extract::Format;
use crate::index::documents::read_passage;
use crate::index::schema::KIND_PASSAGE;
use crate::index::StoredDocs;
use crate::paths;

/// Most passages of context on each side of a passage.
pub const MAX_CONTEXT: usize = 10;

/// A passage with the passages around it.
#[derive(Debug, Clone, PartialEq)]
pub struct PassageInContext {
    /// Where the passage is.
    pub location: Location,
    /// The passage, verbatim.
    pub quote: String,
    /// Up to K passages before it in its document, in document order.
    pub before: Vec<Neighbour>,
    /// Up to K passages after it, in document order.
    pub after: Vec<Neighbour>,
    /// Where to open it.
    pub open: OpenAt,
}

/// A passage shown around another.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbour {
    /// Its location.
    pub location: Location,
    /// Its text, verbatim.
    pub quote: String,
}

/// Where a reader opens a passage: the file, and the line or page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAt {
    /// The file's absolute path.
    pub path: String,
    /// 1-based line, where the passage's lines are lines of the file.
    pub line: Option<u64>,
    /// 1-based page of the PDF (the PDF's own number, as `#page=` takes it).
    pub page: Option<u64>,
    /// A `file://` URI that opens there (`#page=N` for a PDF).
    pub uri: String,
}

impl OpenAt {
    /// Where to open the passage at `l`.
    pub fn of(l: &Location) -> Self {
        let mut uri = format!("file://{}", file_uri_path(&l.path));
        // `#page=` is a PDF viewer's; a presentation opens at its start.
        let pdf = Format::from_path(Path::new(&l.path)) == Some(Format::Pdf);
        if let Some(page) = l.page.filter(|_| pdf) {
            uri.push_str(&format!("#page={page}"));
        }
        OpenAt {
            path: l.path.clone(),
            line: l.line_start,
            page: l.page,
            uri,
        }
    }
}

/// A path as a URI path: every byte but unreserved characters and `/`
/// percent-encoded.
fn file_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    if !path.starts_with('/') {
        out.push('/');
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else if b == b'\\' {
            out.push('/');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Splits a passage id into its document id and passage number.
fn parse_id(id: &str) -> Result<(&str, u64)> {
    let bad = || {
        Error::Usage(format!(
            "{:?} is not a passage id (expected DOC_ID#N, as `passage_id` in the results)",
            crate::terminal::visible(&id.chars().take(200).collect::<String>())
        ))
    };
    let (doc, n) = id.rsplit_once('#').ok_or_else(bad)?;
    if doc.is_empty() {
        return Err(bad());
    }
    Ok((doc, n.parse().map_err(|_| bad())?))
}

impl Engine<'_> {
    /// Where the words of `query_text` (as a query understands them:
    /// stems, acronyms, spelling variants) occur in `text`, as sorted,
    /// disjoint byte ranges: `show --highlight`.
    pub fn highlight(&self, query_text: &str, text: &str) -> Result<Vec<(usize, usize)>> {
        let how = self.understanding(&super::SearchOptions::default());
        let plan = self.plan(query_text, &self.analyzer, how)?;
        Ok(super::highlight::highlights(&plan, &self.analyzer, text))
    }

    /// The passage `id` with up to `context` passages (at most
    /// [`MAX_CONTEXT`]) before and after it in its document; `None` if no
    /// passage has that id in this snapshot. Passage ids are stable: a file
    /// indexed again unchanged gives its passages the same ids.
    pub fn passage(&self, id: &str, context: usize) -> Result<Option<PassageInContext>> {
        let (doc_id, ordinal) = parse_id(id)?;
        let context = context.min(MAX_CONTEXT) as u64;
        let f = &self.index.fields;
        for stored in paths::stored_candidates(doc_id) {
            let query = BooleanQuery::new(vec![
                (
                    Occur::Must,
                    Box::new(TermQuery::new(
                        Term::from_field_u64(f.kind, KIND_PASSAGE),
                        IndexRecordOption::Basic,
                    )) as Box<dyn Query>,
                ),
                (
                    Occur::Must,
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.doc_id, &stored),
                        IndexRecordOption::Basic,
                    )),
                ),
            ]);
            let mut addrs: Vec<_> = self
                .searcher
                .search(&query, &DocSetCollector)?
                .into_iter()
                .collect();
            if addrs.is_empty() {
                continue;
            }
            addrs.sort();
            let docs = StoredDocs::new(&self.searcher)?;
            // (source, ordinal, location, quote) of every passage of the
            // document; two JSON Lines files may hold records of one id,
            // told apart by their source.
            let mut passages = Vec::with_capacity(addrs.len());
            for addr in addrs {
                let doc = docs.get(addr)?;
                let n = doc
                    .get_first(f.ordinal)
                    .and_then(|v| tantivy::schema::Value::as_u64(&v))
                    .unwrap_or(0);
                let (location, quote) = read_passage(f, &doc);
                passages.push((location.path.clone(), n, location, quote));
            }
            let Some(target) = passages.iter().position(|p| p.1 == ordinal) else {
                continue;
            };
            let source = passages[target].0.clone();
            let mut around: Vec<_> = passages
                .into_iter()
                .filter(|p| p.0 == source && p.1.abs_diff(ordinal) <= context)
                .collect();
            around.sort_by_key(|p| p.1);
            let mut before = Vec::new();
            let mut after = Vec::new();
            let mut found = None;
            for (_, n, location, quote) in around {
                if n < ordinal {
                    before.push(Neighbour { location, quote });
                } else if n > ordinal {
                    after.push(Neighbour { location, quote });
                } else if found.is_none() {
                    found = Some((location, quote));
                }
            }
            let Some((location, quote)) = found else {
                continue;
            };
            return Ok(Some(PassageInContext {
                open: OpenAt::of(&location),
                location,
                quote,
                before,
                after,
            }));
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_split_at_the_last_hash() {
        assert_eq!(parse_id("a/b.txt#3").unwrap(), ("a/b.txt", 3));
        assert_eq!(parse_id("a#b.txt#12").unwrap(), ("a#b.txt", 12));
        assert!(parse_id("a/b.txt").is_err());
        assert!(parse_id("#3").is_err());
        assert!(parse_id("a#x").is_err());
        assert!(parse_id("a#-1").is_err());
    }

    #[test]
    fn file_uris_encode_what_is_not_plain() {
        assert_eq!(file_uri_path("/a b/ç#.pdf"), "/a%20b/%C3%A7%23.pdf");
    }
}
