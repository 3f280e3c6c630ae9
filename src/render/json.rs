//! The `--json` object: a stable interface, documented in the README.

use serde::Serialize;

use crate::index::export::ExportedPassage;
use crate::query::{Correction, Expansion};
use crate::search::{Explanation, Location, OpenAt, PassageInContext, SearchResults};

#[derive(Serialize)]
struct JsonResults<'a> {
    query: &'a str,
    total_hits: usize,
    total_hits_estimated: bool,
    hits: Vec<JsonHit<'a>>,
    corrections: &'a [Correction],
    expansions: &'a [Expansion],
    warnings: &'a [String],
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    doc_id: &'a str,
    passage_id: &'a str,
    source: &'a str,
    path: &'a str,
    title: &'a str,
    heading: Option<&'a str>,
    line_start: Option<u64>,
    line_end: Option<u64>,
    byte_start: u64,
    byte_end: u64,
    offsets: &'a str,
    page: Option<u64>,
    page_label: Option<&'a str>,
    date: Option<String>,
    date_source: Option<&'static str>,
}

impl<'a> From<&'a Location> for JsonLocation<'a> {
    fn from(l: &'a Location) -> Self {
        JsonLocation {
            doc_id: &l.doc_id,
            passage_id: &l.passage_id,
            source: &l.source,
            path: &l.path,
            title: &l.title,
            heading: l.heading.as_deref(),
            line_start: l.line_start,
            line_end: l.line_end,
            byte_start: l.byte_start,
            byte_end: l.byte_end,
            offsets: l.offsets,
            page: l.page,
            page_label: l.page_label.as_deref(),
            date: l.date.map(|d| d.day.iso()),
            date_source: l.date.map(|d| d.source.name()),
        }
    }
}

/// A hit: its rank and score, where it is (the same fields as each of its
/// `sources`), and the quote.
#[derive(Serialize)]
struct JsonHit<'a> {
    rank: usize,
    score: f32,
    #[serde(flatten)]
    location: JsonLocation<'a>,
    quote: &'a str,
    highlights: &'a [(usize, usize)],
    sources: Vec<JsonSource<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explain: Option<&'a Explanation>,
}

/// A document a hit's paragraph is in: where, its words there, and how
/// alike they are to the hit's (1 for a copy).
#[derive(Serialize)]
struct JsonSource<'a> {
    #[serde(flatten)]
    location: JsonLocation<'a>,
    quote: &'a str,
    similarity: f32,
}

/// The `--json` object.
pub fn json(results: &SearchResults) -> String {
    let out = JsonResults {
        query: &results.query,
        total_hits: results.total_hits,
        total_hits_estimated: results.total_is_estimate,
        hits: results
            .hits
            .iter()
            .map(|h| JsonHit {
                rank: h.rank,
                score: h.score,
                location: JsonLocation::from(&h.location),
                quote: &h.quote,
                highlights: &h.highlights,
                sources: h
                    .sources
                    .iter()
                    .map(|s| JsonSource {
                        location: JsonLocation::from(&s.location),
                        quote: &s.quote,
                        similarity: (s.similarity * 1000.0).round() / 1000.0,
                    })
                    .collect(),
                explain: h.explain.as_ref(),
            })
            .collect(),
        corrections: &results.corrections,
        expansions: &results.expansions,
        warnings: &results.warnings,
    };
    let mut s = serde_json::to_string(&out).expect("results serialize");
    s.push('\n');
    s
}

/// A passage of the context around another.
#[derive(Serialize)]
struct JsonNeighbour<'a> {
    #[serde(flatten)]
    location: JsonLocation<'a>,
    quote: &'a str,
}

/// Where to open a passage.
#[derive(Serialize)]
struct JsonOpen<'a> {
    path: &'a str,
    line: Option<u64>,
    page: Option<u64>,
    uri: &'a str,
}

/// A passage in context: the passage (its location fields, as a hit's, and
/// its quote), its citation, where to open it, and the passages around it.
#[derive(Serialize)]
struct JsonPassage<'a> {
    #[serde(flatten)]
    location: JsonLocation<'a>,
    quote: &'a str,
    citation: String,
    open: JsonOpen<'a>,
    before: Vec<JsonNeighbour<'a>>,
    after: Vec<JsonNeighbour<'a>>,
}

/// A passage in context as one line of JSON (`GET /api/passage`).
pub fn passage(p: &PassageInContext) -> String {
    let OpenAt {
        path,
        line,
        page,
        uri,
    } = &p.open;
    let out = JsonPassage {
        location: JsonLocation::from(&p.location),
        quote: &p.quote,
        citation: super::citation(&p.location),
        open: JsonOpen {
            path,
            line: *line,
            page: *page,
            uri,
        },
        before: neighbours(&p.before),
        after: neighbours(&p.after),
    };
    let mut s = serde_json::to_string(&out).expect("passage serializes");
    s.push('\n');
    s
}

fn neighbours(list: &[crate::search::Neighbour]) -> Vec<JsonNeighbour<'_>> {
    list.iter()
        .map(|n| JsonNeighbour {
            location: JsonLocation::from(&n.location),
            quote: &n.quote,
        })
        .collect()
}

/// A passage as `export --format ndjson` writes it: a hit's location
/// fields, its collection and number, the quote and its citation.
#[derive(Serialize)]
struct JsonExported<'a> {
    #[serde(flatten)]
    location: JsonLocation<'a>,
    collection: &'a str,
    ordinal: u64,
    quote: &'a str,
    citation: String,
}

/// One exported passage as a line of JSON (a Quickwit ingest document).
pub fn exported(p: &ExportedPassage) -> String {
    let out = JsonExported {
        location: JsonLocation::from(&p.location),
        collection: &p.collection,
        ordinal: p.ordinal,
        quote: &p.quote,
        citation: super::citation(&p.location),
    };
    let mut s = serde_json::to_string(&out).expect("passage serializes");
    s.push('\n');
    s
}
