//! Searching: from a [`QueryPlan`] to ranked, highlighted hits.
//!
//! Ranking is BM25 over the passage text, plus BM25 over the passage's title
//! and heading at a lower weight, times a length prior that keeps fragments
//! of a few words from outranking the paragraphs that answer the query. For a
//! short query (2–4 words) the passages containing all its words come first.

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, Score, SegmentReader, TantivyDocument, Term};

use crate::analysis::Analyzer;
use crate::error::{Error, Result};
use crate::highlight::highlights;
use crate::index::PolicyIndex;
use crate::query::{self, Concept, Matcher, QueryPlan, Role, Scope};
use crate::schema::Fields;

/// Weight of a match in a passage's title or heading, relative to its text.
const CONTEXT_WEIGHT: f32 = 0.5;
/// Passages of at least this many terms get no length penalty.
const FULL_LENGTH_TERMS: u32 = 12;
/// Queries with this many words (inclusive) rank passages with all of them first.
const SHORT_QUERY: std::ops::RangeInclusive<usize> = 2..=4;

/// Options of one search.
#[derive(Debug, Clone)]
pub struct SearchOptions {
    /// Number of hits to return.
    pub limit: usize,
    /// Only passages from these collections (all if empty).
    pub collections: Vec<String>,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            collections: Vec::new(),
        }
    }
}

/// One ranked passage.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// 1-based rank.
    pub rank: usize,
    /// Ranking score (higher is better).
    pub score: f32,
    /// The document's id.
    pub doc_id: String,
    /// `doc_id#ordinal`.
    pub passage_id: String,
    /// Path of the source file.
    pub source: String,
    /// Document title.
    pub title: String,
    /// Nearest heading above the passage.
    pub heading: Option<String>,
    /// 1-based first line.
    pub line_start: u64,
    /// 1-based last line.
    pub line_end: u64,
    /// Byte offset of the quote's first byte.
    pub byte_start: u64,
    /// Byte offset one past the quote.
    pub byte_end: u64,
    /// 1-based page, for paged formats.
    pub page: Option<u64>,
    /// What the offsets refer to: `"file"` or `"extracted"`.
    pub offsets: &'static str,
    /// The verbatim passage.
    pub quote: String,
    /// Byte ranges of `quote` that matched.
    pub highlights: Vec<(usize, usize)>,
}

/// The answer to a query.
#[derive(Debug, Clone)]
pub struct SearchResults {
    /// The query as typed.
    pub query: String,
    /// Number of passages that match.
    pub total_hits: usize,
    /// The best hits, best first.
    pub hits: Vec<Hit>,
}

/// Runs `query_text` against `index`.
pub fn search(
    index: &PolicyIndex,
    query_text: &str,
    opts: &SearchOptions,
) -> Result<SearchResults> {
    let analyzer = Analyzer::english();
    let plan = query::parse(query_text, &analyzer)?;
    let f = &index.fields;
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let limit = opts.limit.max(1);

    let filter = collection_filter(&searcher, f, &opts.collections)?;
    let any = build(&plan, f, false, &filter);
    let (total_hits, mut top) = searcher.search(&any, &(Count, top_docs(limit, f.body)))?;

    let should = plan
        .concepts
        .iter()
        .filter(|c| c.role == Role::Should)
        .count();
    if SHORT_QUERY.contains(&should) && total_hits > 0 {
        let all = build(&plan, f, true, &filter);
        let conjunctive = searcher.search(&all, &top_docs(limit, f.body))?;
        let mut merged = conjunctive;
        for hit in top {
            if merged.len() >= limit {
                break;
            }
            if !merged.iter().any(|(_, a)| *a == hit.1) {
                merged.push(hit);
            }
        }
        top = merged;
    }

    let mut hits = Vec::with_capacity(top.len());
    for (i, (score, addr)) in top.into_iter().enumerate() {
        hits.push(load_hit(
            &searcher,
            f,
            addr,
            i + 1,
            score,
            &plan,
            &analyzer,
        )?);
    }
    Ok(SearchResults {
        query: query_text.to_string(),
        total_hits,
        hits,
    })
}

/// Top passages by BM25 times the length prior.
fn top_docs(
    limit: usize,
    body: Field,
) -> impl tantivy::collector::Collector<Fruit = Vec<(Score, DocAddress)>> {
    TopDocs::with_limit(limit).tweak_score(move |segment: &SegmentReader| {
        let norms = segment.get_fieldnorms_reader(body).ok();
        move |doc, score: Score| {
            let terms = norms
                .as_ref()
                .map_or(FULL_LENGTH_TERMS, |n| n.fieldnorm(doc));
            score * length_prior(terms)
        }
    })
}

/// 1 for passages of [`FULL_LENGTH_TERMS`] or more, less for fragments.
fn length_prior(terms: u32) -> f32 {
    (terms.min(FULL_LENGTH_TERMS) as f32 / FULL_LENGTH_TERMS as f32).sqrt()
}

/// A filter to the named collections, checking that each exists.
fn collection_filter(
    searcher: &tantivy::Searcher,
    f: &Fields,
    names: &[String],
) -> Result<Option<BooleanQuery>> {
    if names.is_empty() {
        return Ok(None);
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for name in names {
        let term = Term::from_field_text(f.collection, name);
        if searcher.doc_freq(&term)? == 0 {
            return Err(Error::Usage(format!(
                "no collection named {name:?} in the index (see `policy-search status`)"
            )));
        }
        clauses.push((
            Occur::Should,
            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
        ));
    }
    Ok(Some(BooleanQuery::new(clauses)))
}

/// The tantivy query for a plan; with `conjunctive`, every concept is
/// required. A collection filter is a separate required clause, so it
/// restricts matches without matching anything by itself.
fn build(
    plan: &QueryPlan,
    f: &Fields,
    conjunctive: bool,
    filter: &Option<BooleanQuery>,
) -> BooleanQuery {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for c in &plan.concepts {
        let occur = match c.role {
            Role::MustNot => Occur::MustNot,
            Role::Must => Occur::Must,
            Role::Should if conjunctive => Occur::Must,
            Role::Should => Occur::Should,
        };
        clauses.push((occur, concept_query(c, f)));
    }
    let query = BooleanQuery::new(clauses);
    match filter {
        None => query,
        Some(filter) => BooleanQuery::new(vec![
            (Occur::Must, Box::new(filter.clone()) as Box<dyn Query>),
            (Occur::Must, Box::new(query)),
        ]),
    }
}

fn concept_query(c: &Concept, f: &Fields) -> Box<dyn Query> {
    let mut subs: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for m in &c.alternatives {
        if c.scope == Scope::All {
            subs.push((Occur::Should, matcher_query(m, f.body)));
        }
        subs.push((
            Occur::Should,
            Box::new(BoostQuery::new(matcher_query(m, f.context), CONTEXT_WEIGHT)),
        ));
    }
    let q: Box<dyn Query> = Box::new(BooleanQuery::new(subs));
    if (c.boost - 1.0).abs() > f32::EPSILON {
        Box::new(BoostQuery::new(q, c.boost))
    } else {
        q
    }
}

fn matcher_query(m: &Matcher, field: Field) -> Box<dyn Query> {
    match m {
        Matcher::Term(t) => Box::new(TermQuery::new(
            Term::from_field_text(field, t),
            IndexRecordOption::WithFreqs,
        )),
        Matcher::Phrase { terms, slop } if terms.len() >= 2 => {
            let terms = terms
                .iter()
                .map(|(pos, t)| (*pos, Term::from_field_text(field, t)))
                .collect();
            Box::new(PhraseQuery::new_with_offset_and_slop(terms, *slop))
        }
        Matcher::Phrase { terms, .. } => {
            let t = terms.first().map(|(_, t)| t.as_str()).unwrap_or_default();
            Box::new(TermQuery::new(
                Term::from_field_text(field, t),
                IndexRecordOption::WithFreqs,
            ))
        }
    }
}

fn load_hit(
    searcher: &tantivy::Searcher,
    f: &Fields,
    addr: DocAddress,
    rank: usize,
    score: f32,
    plan: &QueryPlan,
    analyzer: &Analyzer,
) -> Result<Hit> {
    let doc: TantivyDocument = searcher.doc(addr)?;
    let text = |field: Field| {
        doc.get_first(field)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let num = |field: Field| doc.get_first(field).and_then(|v| v.as_u64());
    let doc_id = text(f.doc_id);
    let quote = text(f.quote);
    let ordinal = num(f.ordinal).unwrap_or(0);
    let heading = text(f.heading);
    Ok(Hit {
        rank,
        score,
        passage_id: format!("{doc_id}#{ordinal}"),
        doc_id,
        source: text(f.source),
        title: text(f.title),
        heading: (!heading.is_empty()).then_some(heading),
        line_start: num(f.line_start).unwrap_or(0),
        line_end: num(f.line_end).unwrap_or(0),
        byte_start: num(f.byte_start).unwrap_or(0),
        byte_end: num(f.byte_end).unwrap_or(0),
        page: num(f.page),
        offsets: if num(f.offsets) == Some(1) {
            "extracted"
        } else {
            "file"
        },
        highlights: highlights(plan, analyzer, &quote),
        quote,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_are_penalised() {
        assert!(length_prior(2) < 0.5);
        assert_eq!(length_prior(12), 1.0);
        assert_eq!(length_prior(200), 1.0);
    }
}
