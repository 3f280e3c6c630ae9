//! From ranked documents to the passages a page shows.
//!
//! Documents are ranked whole (`documents`); a page shows passages. Each
//! ranked document contributes the passages of it that match the query,
//! best first by passage BM25 times the length prior, and its score
//! becomes the document's plus a little of its best passage's ([`fuse`]):
//! one paragraph that answers lifts its document. The document's best
//! passage carries that score, so the documents on a page come in the
//! order `--batch` and `eval` report; its other passages follow, each
//! weaker and later one further down, so a strong second paragraph can
//! come before the next document.

use std::collections::{HashMap, HashSet};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query};
use tantivy::schema::Field;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use super::collect::{length_prior, quality_factor};
use super::documents::RankedDoc;
use super::of_documents::OfDocuments;
use super::parallel;
use crate::error::Result;
use crate::index::schema::Fields;

/// Passages kept per document: more than a page ever shows of one.
const PER_DOCUMENT: usize = 8;
/// Each further passage of a document counts this much less than the one
/// before it, so one long document does not fill the page.
const LATER_PASSAGE: f32 = 0.8;
/// Documents re-ranked with their best passage: the leading ones, so the
/// order of a page does not depend on how deep ranking went.
pub const FUSED_DOCUMENTS: usize = 50;
/// Documents to rank so that the leading ones are known to be complete:
/// a few past them, so that one document more than them not tying with
/// the last of them shows that none deeper does.
pub const RANKED_FOR_FUSION: usize = FUSED_DOCUMENTS + 10;

/// Counts the passages a query matches and, if asked, the documents they
/// are in (the documents a query's filters, phrases and exclusions allow).
pub struct Matching {
    /// Also gather the documents' keys.
    pub keys: bool,
}

/// Number of matching passages, and their documents' keys if asked for.
pub type Matched = (usize, Option<HashSet<u64>>);

impl Collector for Matching {
    type Fruit = Matched;
    type Child = MatchingSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let keys = if self.keys {
            Some((segment.fast_fields().u64("doc_key")?, HashSet::new()))
        } else {
            None
        };
        Ok(MatchingSegment { count: 0, keys })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Matched>) -> tantivy::Result<Matched> {
        let mut count = 0;
        let mut keys: Option<HashSet<u64>> = self.keys.then(HashSet::new);
        for (n, k) in fruits {
            count += n;
            if let (Some(all), Some(k)) = (keys.as_mut(), k) {
                all.extend(k);
            }
        }
        Ok((count, keys))
    }
}

/// [`Matching`] over one segment.
pub struct MatchingSegment {
    count: usize,
    keys: Option<(Column<u64>, HashSet<u64>)>,
}

impl SegmentCollector for MatchingSegment {
    type Fruit = Matched;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.count += 1;
        if let Some((column, keys)) = &mut self.keys {
            if let Some(key) = column.first(doc) {
                keys.insert(key);
            }
        }
    }

    fn harvest(self) -> Matched {
        (self.count, self.keys.map(|(_, keys)| keys))
    }
}

/// A document's best passages, best first.
type PerDocument = HashMap<u64, Vec<(Score, DocAddress)>>;

/// Keeps each document's [`PER_DOCUMENT`] best passages by score times the
/// length prior and the passage's quality.
struct BestPerDocument {
    body: Field,
}

impl Collector for BestPerDocument {
    type Fruit = PerDocument;
    type Child = BestPerDocumentSegment;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(BestPerDocumentSegment {
            ord,
            keys: segment.fast_fields().u64("doc_key")?,
            quality: segment.fast_fields().u64("quality").ok(),
            norms: segment.get_fieldnorms_reader(self.body).ok(),
            best: PerDocument::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<PerDocument>) -> tantivy::Result<PerDocument> {
        let mut all = PerDocument::new();
        for fruit in fruits {
            for (key, passages) in fruit {
                all.entry(key).or_default().extend(passages);
            }
        }
        for passages in all.values_mut() {
            best_first(passages);
        }
        Ok(all)
    }
}

struct BestPerDocumentSegment {
    ord: SegmentOrdinal,
    keys: Column<u64>,
    quality: Option<Column<u64>>,
    norms: Option<FieldNormReader>,
    best: PerDocument,
}

impl SegmentCollector for BestPerDocumentSegment {
    type Fruit = PerDocument;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(key) = self.keys.first(doc) else {
            return;
        };
        let length = self
            .norms
            .as_ref()
            .map_or(1.0, |n| length_prior(n.fieldnorm(doc)));
        let quality = quality_factor(self.quality.as_ref().and_then(|c| c.first(doc)));
        let prior = length * quality;
        let passages = self.best.entry(key).or_default();
        passages.push((score * prior, DocAddress::new(self.ord, doc)));
        // Trim now and then rather than on every passage: a document of
        // thousands of matching passages stays small.
        if passages.len() >= PER_DOCUMENT * 4 {
            best_first(passages);
        }
    }

    fn harvest(self) -> PerDocument {
        let mut best = self.best;
        for passages in best.values_mut() {
            best_first(passages);
        }
        best
    }
}

/// Sorts passages best first (ties in index order) and keeps the best.
fn best_first(passages: &mut Vec<(Score, DocAddress)>) {
    passages.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    passages.truncate(PER_DOCUMENT);
}

/// A ranked document with the passages a page shows of it.
#[derive(Debug, Clone)]
pub struct Shown {
    /// The document's key.
    pub key: u64,
    /// Its score: its best passage's.
    pub score: Score,
    /// Its passages, best first, each scored for the page.
    pub passages: Vec<ShownPassage>,
}

/// A passage of a ranked document, scored for the page.
#[derive(Debug, Clone, Copy)]
pub struct ShownPassage {
    /// Where it is.
    pub address: DocAddress,
    /// Its score on the page.
    pub score: Score,
    /// What the score is made of (`--explain`).
    pub parts: ScoreParts,
}

/// What a passage's score on the page is made of:
/// `(document + passage_weight × passage) × later_passage`, plus
/// [`EVERY_WORD`] if it has every word of a short query.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ScoreParts {
    /// Its document's score, relative to the best document's (0-1).
    pub document: f32,
    /// Its own BM25, times its length prior and prose quality, relative to
    /// the best passage among the leading documents.
    pub passage: f32,
    /// Weight of the passage part (0 for documents past the leading ones).
    pub passage_weight: f32,
    /// 1 for its document's best passage, less for each later one.
    pub later_passage: f32,
    /// Has every word of a short query: such passages of the leading
    /// documents come first.
    pub every_word: bool,
}

/// Ranked documents with the passages a page shows of them.
pub struct Fused {
    /// The documents, best first.
    pub documents: Vec<Shown>,
    /// Whether the documents re-ranked with their passages reach the last
    /// one ranked: then documents ranked deeper may tie with them and
    /// belong among them.
    pub open: bool,
}

/// The `ranked` documents, each with the passages of it that `passages`
/// (the query's passage query, with its filters) matches; a document with
/// none (found through feedback terms alone) is left out, as there is
/// nothing in it to quote for the query. Leaving them out of SciFact and
/// Cranfield runs changed neither nDCG@10 nor recall@100.
///
/// The leading documents, the first [`FUSED_DOCUMENTS`] and any that tie
/// with the last of them, are re-ranked by the document's score relative
/// to the best document's plus `passage_weight` times its best passage's
/// relative to the best among them. Those after keep their order below
/// them: a passage only adds, so each leading document scores at least its
/// document part, which is at least any later document's. So the order
/// does not depend on how deep ranking went (`query` ranks a page's worth,
/// `--batch` a thousand), as long as it went past the ties.
pub fn fuse(
    searcher: &Searcher,
    fields: &Fields,
    passages: Box<dyn Query>,
    every_word: Option<Box<dyn Query>>,
    ranked: &[RankedDoc],
    passage_weight: f32,
    threads: usize,
) -> Result<Fused> {
    let query = within_documents(fields, passages, ranked);
    let best = BestPerDocument { body: fields.body };
    let mut of_document = parallel::search(searcher, &query, &best, threads)?;
    let best_document = ranked
        .first()
        .map_or(1.0, |d| d.score)
        .max(f32::MIN_POSITIVE);
    let leading = match ranked.get(FUSED_DOCUMENTS.saturating_sub(1)) {
        Some(last) => ranked.partition_point(|d| d.score >= last.score),
        None => ranked.len(),
    };
    let best_passage = ranked[..leading]
        .iter()
        .filter_map(|d| of_document.get(&d.key)?.first())
        .map(|p| p.0)
        .fold(f32::MIN_POSITIVE, f32::max);
    let complete = match every_word {
        Some(query) => passages_of(searcher, fields, query, &ranked[..leading], threads)?,
        None => HashSet::new(),
    };
    let mut shown: Vec<Shown> = Vec::with_capacity(ranked.len());
    for (rank, d) in ranked.iter().enumerate() {
        let Some(mut passages) = of_document.remove(&d.key).filter(|p| !p.is_empty()) else {
            continue;
        };
        let document = d.score / best_document;
        let weight = if rank < leading { passage_weight } else { 0.0 };
        let mut damping = 1.0;
        // Passages with every word first (stable: by score within each).
        passages.sort_by_key(|(_, address)| !complete.contains(address));
        let passages: Vec<ShownPassage> = passages
            .iter()
            .map(|&(score, address)| {
                let every_word = complete.contains(&address);
                let parts = ScoreParts {
                    document,
                    passage: score / best_passage,
                    passage_weight: weight,
                    later_passage: damping,
                    every_word,
                };
                let tier = if every_word { EVERY_WORD } else { 0.0 };
                let fused = tier + (document + weight * score / best_passage) * damping;
                damping *= LATER_PASSAGE;
                ShownPassage {
                    address,
                    score: fused,
                    parts,
                }
            })
            .collect();
        shown.push(Shown {
            key: d.key,
            score: passages[0].score,
            passages,
        });
    }
    // Stable: documents of equal score stay in the ranker's order.
    shown.sort_by(|a, b| b.score.total_cmp(&a.score));
    Ok(Fused {
        documents: shown,
        open: leading == ranked.len(),
    })
}

/// Added to the score of a leading document's passage that has every word
/// of a short query: above any score without it (at most `1 +
/// passage_weight`).
const EVERY_WORD: f32 = 10.0;

/// The passages among the `documents`' that `query` matches.
fn passages_of(
    searcher: &Searcher,
    fields: &Fields,
    query: Box<dyn Query>,
    documents: &[RankedDoc],
    threads: usize,
) -> Result<HashSet<DocAddress>> {
    let query = within_documents(fields, query, documents);
    let all = tantivy::collector::DocSetCollector;
    Ok(parallel::search(searcher, &query, &all, threads)?)
}

/// `query`, matching only passages of the `documents`.
fn within_documents(
    fields: &Fields,
    query: Box<dyn Query>,
    documents: &[RankedDoc],
) -> BooleanQuery {
    let keys = OfDocuments::new(fields.doc_key, documents.iter().map(|d| d.key));
    // Restricting to the documents adds nothing to a passage's score.
    let within: Box<dyn Query> = Box::new(ConstScoreQuery::new(Box::new(keys), 0.0));
    BooleanQuery::new(vec![(Occur::Must, query), (Occur::Must, within)])
}

/// The passages of `shown` documents in page order: each document's best
/// passage carries its score, so documents come in their order; its
/// others follow, each weaker and later one further down.
pub fn page_order(shown: &[Shown]) -> Vec<(Score, DocAddress)> {
    let mut order: Vec<(Score, DocAddress)> = shown
        .iter()
        .flat_map(|d| d.passages.iter().map(|p| (p.score, p.address)))
        .collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0));
    order
}
