//! Ranking whole documents, for batch runs and evaluation.
//!
//! The index holds passages; a document is the sum of its passages. Its score
//! combines three kinds of evidence, each computed here from tantivy's
//! postings, so BM25's parameters are ours to set (tantivy fixes them for
//! its own scorer):
//!
//! - **whole-document BM25**: term frequencies summed over the document's
//!   passages, normalised by the document's length (`doc_len`);
//! - **title BM25**: matches in the document's title, weighted;
//! - **proximity**: query terms close together in one passage (within a few
//!   words) count extra, as a phrase would;
//!
//! and optionally **pseudo-relevance feedback**: terms frequent in the top
//! documents are added with a small weight and the documents ranked again.
//! Every variant tried, with its scores, is in `docs/ranking.md`.

use std::collections::HashMap;

use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::postings::Postings;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, DocSet, Searcher, TantivyDocument, Term, TERMINATED};

use crate::analysis::Analyzer;
use crate::error::Result;
use crate::index::documents;
use crate::index::schema::Fields;

/// Passages of one document that pseudo-relevance feedback reads at most:
/// every passage of a short document, the best-matching of a long one.
pub const FEEDBACK_PASSAGES: usize = 32;
/// Bytes of text feedback reads from one document at most.
pub const FEEDBACK_BYTES: usize = 64 << 10;

/// What feedback read of one document.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Examined {
    passages: usize,
    bytes: usize,
}

/// The largest char boundary of `s` at or below `at`.
fn floor_char_boundary(s: &str, at: usize) -> usize {
    if at >= s.len() {
        return s.len();
    }
    (0..=at).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0)
}

/// Parameters of document ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct DocParams {
    /// BM25 term-frequency saturation.
    pub k1: f32,
    /// BM25 length normalisation.
    pub b: f32,
    /// Weight of title matches relative to text matches.
    pub title_weight: f32,
    /// Weight of proximity evidence.
    pub proximity_weight: f32,
    /// Largest distance (in words) at which two query terms count as close.
    pub window: u32,
    /// Documents used for feedback (0: no feedback).
    pub feedback_docs: usize,
    /// Terms added by feedback.
    pub feedback_terms: usize,
    /// Weight of the feedback terms, relative to the query's (0..1).
    pub feedback_weight: f32,
    /// How feedback documents are weighted: 0 by exp(score − best),
    /// 1 by score / best, 2 equally.
    pub feedback_doc_weighting: u8,
    /// Exponent of the idf that weighs feedback terms (0: none).
    pub feedback_idf: f32,
    /// Temperature of the exp(score − best) document weights: lower
    /// concentrates feedback on the very top documents.
    pub feedback_temperature: f32,
    /// Count the feedback documents' titles as part of their text.
    pub feedback_title: bool,
    /// Weight of a concept's other forms (compound parts, expansions) relative to what was typed.
    pub alternative_weight: f32,
}

impl Default for DocParams {
    fn default() -> Self {
        DocParams {
            k1: 1.2,
            b: 0.75,
            title_weight: 0.5,
            proximity_weight: 0.4,
            window: 5,
            feedback_docs: 10,
            feedback_terms: 20,
            feedback_weight: 0.3,
            feedback_doc_weighting: 0,
            feedback_idf: 1.0,
            feedback_temperature: 1.0,
            feedback_title: false,
            alternative_weight: 1.0,
        }
    }
}

/// A ranked document: its key, score, and a passage it was found in.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedDoc {
    /// The document's key (`doc_key`).
    pub key: u64,
    /// Its score.
    pub score: f32,
    /// `(segment, doc)` of one of its matching passages.
    pub passages: Vec<(u32, DocId)>,
}

/// A weighted query term, as part of one way (`alt`) of matching one query
/// unit (`unit`: a word or phrase as typed, with its other forms). A
/// document's score for a unit is its best alternative's score, so a word's
/// expansions and parts are alternatives, not extra words.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedTerm {
    /// The analyzed term.
    pub term: String,
    /// Its weight in the query.
    pub weight: f32,
    /// The query unit it belongs to.
    pub unit: usize,
    /// Which alternative of the unit.
    pub alt: usize,
    /// Scales the alternative's summed score to the typed form's length.
    pub scale: f32,
    /// Added by feedback (not typed): no proximity evidence.
    pub feedback: bool,
}

/// Collection statistics at document level.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    documents: f32,
    average_length: f32,
    passages: f32,
}

impl Stats {
    /// No documents.
    pub const EMPTY: Stats = Stats {
        documents: 0.0,
        average_length: 1.0,
        passages: 0.0,
    };
}

/// Ranks documents over one index snapshot.
pub struct DocumentRanker<'a> {
    searcher: &'a Searcher,
    fields: Fields,
    stats: Stats,
    params: DocParams,
    deadline: crate::search::deadline::Deadline,
}

/// Passage → document slot, for one segment: a dense array for segments of
/// ordinary size, a map for very large ones.
enum SlotMap {
    Dense(Vec<u32>),
    Sparse(HashMap<DocId, usize, KeyHasher>),
}

impl SlotMap {
    /// Segments up to this many documents use the dense array.
    const DENSE_LIMIT: u32 = 1 << 21;

    fn new(max_doc: u32) -> Self {
        if max_doc <= Self::DENSE_LIMIT {
            SlotMap::Dense(vec![u32::MAX; max_doc as usize])
        } else {
            SlotMap::Sparse(HashMap::default())
        }
    }

    fn get(&self, doc: DocId) -> Option<usize> {
        match self {
            SlotMap::Dense(v) => v
                .get(doc as usize)
                .filter(|&&s| s != u32::MAX)
                .map(|&s| s as usize),
            SlotMap::Sparse(m) => m.get(&doc).copied(),
        }
    }

    fn insert(&mut self, doc: DocId, slot: usize) {
        match self {
            SlotMap::Dense(v) => v[doc as usize] = slot as u32,
            SlotMap::Sparse(m) => {
                m.insert(doc, slot);
            }
        }
    }
}

/// Hashes keys that are already hashes (document keys, doc ids) by
/// themselves: the default hasher is a measurable share of ranking time.
#[derive(Default, Clone, Copy)]
struct KeyHasher;

impl std::hash::BuildHasher for KeyHasher {
    type Hasher = IdentityHasher;

    fn build_hasher(&self) -> IdentityHasher {
        IdentityHasher(0)
    }
}

/// See [`KeyHasher`].
struct IdentityHasher(u64);

impl std::hash::Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }

    fn write_u32(&mut self, v: u32) {
        // Document ids are small integers: spread them.
        self.0 = u64::from(v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

impl<'a> DocumentRanker<'a> {
    /// Prepares ranking over `searcher`'s snapshot, with its statistics
    /// from [`stats`] (computed once per snapshot, not per query).
    pub fn new(searcher: &'a Searcher, fields: Fields, stats: Stats, params: DocParams) -> Self {
        DocumentRanker {
            searcher,
            fields,
            stats,
            params,
            deadline: crate::search::deadline::Deadline::none(),
        }
    }

    /// The same ranker, giving up with [`crate::error::Error::Timeout`] past `deadline`.
    pub fn with_deadline(self, deadline: crate::search::deadline::Deadline) -> Self {
        DocumentRanker { deadline, ..self }
    }

    /// The `k` best documents for the terms, as `(doc_key, score)`, with the
    /// passages each was found in.
    pub fn rank(&self, terms: &[WeightedTerm], k: usize) -> Result<Vec<RankedDoc>> {
        let mut ranked = self.score(terms)?;
        if self.params.feedback_docs > 0 && !ranked.is_empty() {
            // Scores are linear in the query's weights, so the expanded
            // query's score is (1 − λ) × the first pass + the feedback
            // terms' own score: the typed terms are not read twice.
            self.deadline.check()?;
            let added = self.feedback(terms, &ranked)?;
            let extra = self.score(&added)?;
            let keep = 1.0 - self.params.feedback_weight;
            let mut by_key: HashMap<u64, usize, KeyHasher> = HashMap::default();
            for (i, d) in ranked.iter_mut().enumerate() {
                d.score *= keep;
                by_key.insert(d.key, i);
            }
            for d in extra {
                match by_key.get(&d.key) {
                    Some(&i) => ranked[i].score += d.score,
                    None => ranked.push(d),
                }
            }
            ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.key.cmp(&b.key)));
        }
        ranked.truncate(k);
        Ok(ranked)
    }

    fn idf(&self, df: f32) -> f32 {
        let n = self.stats.documents;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// Scores every document containing a term, best first.
    fn score(&self, terms: &[WeightedTerm]) -> Result<Vec<RankedDoc>> {
        let p = &self.params;
        let f = &self.fields;
        let n = terms.len();
        // Documents get slots; their evidence lives in flat arrays, n per slot.
        let mut slots: HashMap<u64, usize, KeyHasher> = HashMap::default();
        let mut keys_of: Vec<u64> = Vec::new();
        let mut first_passage: Vec<(u32, DocId)> = Vec::new();
        let mut length: Vec<f32> = Vec::new();
        let mut tf: Vec<f32> = Vec::new();
        let mut title_tf: Vec<f32> = Vec::new();
        let mut proximity_of: Vec<f32> = Vec::new();
        let mut doc_freq = vec![0f32; n];
        let typed_units = terms.iter().filter(|t| !t.feedback).map(|t| t.unit).max();
        let want_positions = p.proximity_weight > 0.0 && typed_units.is_some_and(|u| u > 0);
        // Passage-level idf for proximity: known before the pass.
        let proximity_idf: Vec<f32> = if want_positions {
            terms.iter().map(|t| self.passage_idf(&t.term)).collect()
        } else {
            Vec::new()
        };
        for (segment_ord, segment) in self.searcher.segment_readers().iter().enumerate() {
            let keys = segment.fast_fields().u64("doc_key")?;
            let lengths = segment.fast_fields().u64("doc_len")?;
            let body = segment.inverted_index(f.body)?;
            let context = segment.inverted_index(f.context)?;
            let alive = segment.alive_bitset();
            // Per passage: positions of each typed term, for proximity.
            let mut positions: HashMap<DocId, Vec<(usize, Vec<u32>)>, KeyHasher> =
                HashMap::default();
            // Per passage: its document's slot (looked up once per passage).
            let mut passage_slot = SlotMap::new(segment.max_doc());
            for (i, t) in terms.iter().enumerate() {
                self.deadline.check()?;
                let term = Term::from_field_text(f.body, &t.term);
                let with_positions = want_positions && !t.feedback;
                let option = if with_positions {
                    IndexRecordOption::WithFreqsAndPositions
                } else {
                    IndexRecordOption::WithFreqs
                };
                if let Some(mut postings) = body
                    .read_postings(&term, option)
                    .map_err(tantivy::TantivyError::from)?
                {
                    let mut doc = postings.doc();
                    while doc != TERMINATED {
                        let slot = match passage_slot.get(doc) {
                            Some(slot) => Some(slot),
                            None if alive.is_none_or(|a| a.is_alive(doc)) => {
                                keys.first(doc).map(|key| {
                                    let slot = *slots.entry(key).or_insert_with(|| {
                                        keys_of.push(key);
                                        first_passage.push((segment_ord as u32, doc));
                                        length.push(lengths.first(doc).unwrap_or(1) as f32);
                                        tf.resize(tf.len() + n, 0.0);
                                        title_tf.resize(title_tf.len() + n, 0.0);
                                        proximity_of.push(0.0);
                                        keys_of.len() - 1
                                    });
                                    passage_slot.insert(doc, slot);
                                    slot
                                })
                            }
                            None => None,
                        };
                        if let Some(slot) = slot {
                            if tf[slot * n + i] == 0.0 {
                                doc_freq[i] += 1.0;
                            }
                            tf[slot * n + i] += postings.term_freq() as f32;
                            if with_positions {
                                let mut pos = Vec::with_capacity(postings.term_freq() as usize);
                                postings.positions(&mut pos);
                                positions.entry(doc).or_default().push((i, pos));
                            }
                        }
                        doc = postings.advance();
                    }
                }
                let term = Term::from_field_text(f.context, &t.term);
                let postings = context
                    .read_postings(&term, IndexRecordOption::WithFreqs)
                    .map_err(tantivy::TantivyError::from)?;
                if let Some(mut postings) = postings {
                    let mut doc = postings.doc();
                    while doc != TERMINATED {
                        // Only documents whose text matched; the title repeats
                        // in every passage, so count it once.
                        if let Some(slot) = passage_slot.get(doc) {
                            let cell = &mut title_tf[slot * n + i];
                            *cell = cell.max(postings.term_freq() as f32);
                        }
                        doc = postings.advance();
                    }
                }
            }
            for (doc, term_positions) in positions {
                if term_positions.len() < 2 {
                    continue;
                }
                if let Some(slot) = passage_slot.get(doc) {
                    let prox = proximity(&term_positions, terms, &proximity_idf, p.window);
                    proximity_of[slot] = proximity_of[slot].max(prox);
                }
            }
        }

        // Units and alternatives as dense indices, for per-document sums.
        let n_alts = terms
            .iter()
            .map(|t| (t.unit, t.alt))
            .collect::<std::collections::BTreeSet<_>>();
        let alt_index: HashMap<(usize, usize), usize> =
            n_alts.iter().enumerate().map(|(i, &ua)| (ua, i)).collect();
        let alt_of: Vec<usize> = terms.iter().map(|t| alt_index[&(t.unit, t.alt)]).collect();
        let unit_of_alt: Vec<usize> = n_alts.iter().map(|&(u, _)| u).collect();
        let n_units = terms.iter().map(|t| t.unit + 1).max().unwrap_or(0);
        let weight: Vec<f32> = (0..n)
            .map(|i| terms[i].weight * self.idf(doc_freq[i]))
            .collect();
        let avg = self.stats.average_length.max(1.0);
        let mut alt_sum = vec![0f32; n_alts.len()];
        let mut unit_best = vec![0f32; n_units];
        let mut ranked: Vec<RankedDoc> = Vec::with_capacity(keys_of.len());
        for slot in 0..keys_of.len() {
            alt_sum.iter_mut().for_each(|v| *v = 0.0);
            unit_best.iter_mut().for_each(|v| *v = 0.0);
            let norm = p.k1 * (1.0 - p.b + p.b * length[slot] / avg);
            for i in 0..n {
                let (t, tt) = (tf[slot * n + i], title_tf[slot * n + i]);
                let mut score = 0.0;
                if t > 0.0 {
                    score += weight[i] * t * (p.k1 + 1.0) / (t + norm);
                }
                if tt > 0.0 {
                    score += p.title_weight * weight[i] * tt * (p.k1 + 1.0) / (tt + p.k1);
                }
                alt_sum[alt_of[i]] += score * terms[i].scale;
            }
            for (a, &sum) in alt_sum.iter().enumerate() {
                let best = &mut unit_best[unit_of_alt[a]];
                *best = best.max(sum);
            }
            let score = unit_best.iter().sum::<f32>() + p.proximity_weight * proximity_of[slot];
            ranked.push(RankedDoc {
                key: keys_of[slot],
                score,
                passages: vec![first_passage[slot]],
            });
        }
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.key.cmp(&b.key)));
        Ok(ranked)
    }

    /// Pseudo-relevance feedback: the terms that weigh most in the top
    /// documents (relevance model RM3), weighted to make up `feedback_weight`
    /// of the expanded query.
    fn feedback(&self, terms: &[WeightedTerm], ranked: &[RankedDoc]) -> Result<Vec<WeightedTerm>> {
        let p = &self.params;
        let analyzer = Analyzer::english();
        let top = &ranked[..ranked.len().min(p.feedback_docs)];
        let max_score = top.iter().map(|d| d.score).fold(f32::MIN, f32::max);
        let mut model: HashMap<String, f32> = HashMap::new();
        let mut df: HashMap<String, f32> = HashMap::new();
        for RankedDoc { key, score, .. } in top {
            let mut tf: HashMap<String, f32> = HashMap::new();
            let mut length: f32 = 0.0;
            self.feedback_text(*key, terms, |text| {
                analyzer.analyze(text, |t| {
                    if !t.compound && t.term.chars().any(char::is_alphabetic) && t.term.len() > 2 {
                        *tf.entry(t.term).or_default() += 1.0;
                        length += 1.0;
                    }
                });
            })?;
            let doc_weight = match p.feedback_doc_weighting {
                0 => ((score - max_score) / p.feedback_temperature.max(1e-3)).exp(),
                1 => score / max_score.max(1e-9),
                _ => 1.0,
            };
            for (t, c) in tf {
                *model.entry(t.clone()).or_default() += doc_weight * c / length.max(1.0);
                *df.entry(t).or_default() += 1.0;
            }
        }
        // Terms common across the collection carry no signal; weigh by idf.
        let mut candidates: Vec<(String, f32)> = model
            .into_iter()
            .filter(|(t, _)| !STOP_WORDS.contains(&t.as_str()))
            .map(|(t, w)| {
                let idf = self.passage_idf(&t).max(0.0);
                (t, w * idf.powf(p.feedback_idf))
            })
            .collect();
        candidates.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        candidates.truncate(p.feedback_terms);
        let total_fb: f32 = candidates.iter().map(|c| c.1).sum::<f32>().max(1e-9);
        let total_q: f32 = terms
            .iter()
            .map(|t| t.weight * t.scale)
            .sum::<f32>()
            .max(1e-9);
        Ok(candidates
            .into_iter()
            .enumerate()
            .map(|(unit, (term, w))| WeightedTerm {
                term,
                weight: p.feedback_weight * total_q * w / total_fb,
                unit,
                alt: 0,
                scale: 1.0,
                feedback: true,
            })
            .collect())
    }

    /// Hands the text of feedback document `key` to `each`: all of a short
    /// document's passages, or the [`FEEDBACK_PASSAGES`] that match the
    /// query best of a long one's, and at most [`FEEDBACK_BYTES`] of text
    /// either way, so a document's size does not bound the cost.
    fn feedback_text(
        &self,
        key: u64,
        terms: &[WeightedTerm],
        mut each: impl FnMut(&str),
    ) -> Result<Examined> {
        let f = &self.fields;
        let key_term = Term::from_field_u64(f.doc_key, key);
        let in_document = TermQuery::new(key_term.clone(), IndexRecordOption::Basic);
        // Counts deleted passages too: a bound, which is all this needs.
        let passages = self.searcher.doc_freq(&key_term)?;
        let addresses: Vec<DocAddress> = if passages <= FEEDBACK_PASSAGES as u64 {
            // In document order, so the title is read with the first.
            let mut all: Vec<DocAddress> = self
                .searcher
                .search(&in_document, &DocSetCollector)?
                .into_iter()
                .collect();
            all.sort();
            all
        } else {
            let matching: Vec<(Occur, Box<dyn Query>)> = terms
                .iter()
                .filter(|t| !t.feedback && t.weight > 0.0)
                .map(|t| {
                    let term = Term::from_field_text(f.body, &t.term);
                    let query = TermQuery::new(term, IndexRecordOption::WithFreqs);
                    let boosted: Box<dyn Query> =
                        Box::new(BoostQuery::new(Box::new(query), t.weight * t.scale));
                    (Occur::Should, boosted)
                })
                .collect();
            if matching.is_empty() {
                return Ok(Examined::default());
            }
            let query = BooleanQuery::new(vec![
                (
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(Box::new(in_document), 0.0)),
                ),
                (Occur::Must, Box::new(BooleanQuery::new(matching))),
            ]);
            // Best first, so the byte limit cuts the least relevant.
            let top = TopDocs::with_limit(FEEDBACK_PASSAGES).order_by_score();
            self.searcher
                .search(&query, &top)?
                .into_iter()
                .map(|(_, address)| address)
                .collect()
        };
        let mut examined = Examined::default();
        let mut title_seen = false;
        let stored = crate::index::StoredDocs::new(self.searcher)?;
        for address in addresses.into_iter().take(FEEDBACK_PASSAGES) {
            if examined.bytes >= FEEDBACK_BYTES {
                break;
            }
            let d: TantivyDocument = stored.get(address)?;
            examined.passages += 1;
            // The title is part of the document, once.
            let with_title = !title_seen && self.params.feedback_title;
            title_seen = true;
            for text in documents::feedback_texts(f, &d, with_title) {
                let room = FEEDBACK_BYTES.saturating_sub(examined.bytes);
                let text = &text[..floor_char_boundary(text, room)];
                examined.bytes += text.len();
                each(text);
            }
        }
        Ok(examined)
    }

    /// The idf of a term over passages: known without reading its postings,
    /// for weighing feedback terms and proximity.
    fn passage_idf(&self, term: &str) -> f32 {
        let df = self
            .searcher
            .doc_freq(&Term::from_field_text(self.fields.body, term))
            .unwrap_or(0) as f32;
        let n = self.stats.passages;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }
}

/// Proximity of query terms in one passage: for each pair of distinct terms,
/// how close their nearest occurrences are (1 when adjacent, falling with the
/// square of the distance, 0 beyond `window`).
fn proximity(
    term_positions: &[(usize, Vec<u32>)],
    terms: &[WeightedTerm],
    idf: &[f32],
    window: u32,
) -> f32 {
    let mut score = 0.0;
    for (a, (i, pa)) in term_positions.iter().enumerate() {
        for (j, pb) in &term_positions[a + 1..] {
            if i == j || terms[*i].unit == terms[*j].unit {
                continue;
            }
            let mut best = u32::MAX;
            let (mut x, mut y) = (0, 0);
            while x < pa.len() && y < pb.len() {
                let d = pa[x].abs_diff(pb[y]);
                best = best.min(d);
                if pa[x] < pb[y] {
                    x += 1;
                } else {
                    y += 1;
                }
            }
            if best >= 1 && best <= window {
                let w = terms[*i].weight.min(terms[*j].weight) * idf[*i].min(idf[*j]);
                score += w / (best * best) as f32;
            }
        }
    }
    score
}

/// Number of documents and their average length, over live passages.
pub fn stats(searcher: &Searcher) -> Result<Stats> {
    let mut lengths: HashMap<u64, u64> = HashMap::new();
    let mut passages = 0u64;
    for segment in searcher.segment_readers() {
        let keys = segment.fast_fields().u64("doc_key")?;
        let lens = segment.fast_fields().u64("doc_len")?;
        let alive = segment.alive_bitset();
        for doc in 0..segment.max_doc() {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                if let (Some(k @ 1..), Some(l)) = (keys.first(doc), lens.first(doc)) {
                    lengths.insert(k, l);
                    passages += 1;
                }
            }
        }
    }
    let documents = lengths.len().max(1) as f32;
    let total: u64 = lengths.values().sum();
    Ok(Stats {
        documents,
        average_length: total as f32 / documents,
        passages: passages as f32,
    })
}

/// Words that carry no content in a query (Lucene's English list).
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// The weighted terms of a query's positive concepts, stop words left out:
/// each concept is a unit, each of its alternatives scaled to the length of
/// the first (what was typed) at most, and counting `alternative_weight` as much.
pub fn query_terms(plan: &crate::query::QueryPlan, alternative_weight: f32) -> Vec<WeightedTerm> {
    use crate::query::{Matcher, Role};
    let mut out = Vec::new();
    let mut unit = 0;
    for c in plan.concepts.iter().filter(|c| c.role != Role::MustNot) {
        let alternatives: Vec<Vec<&str>> = c
            .alternatives
            .iter()
            .map(|m| {
                let terms: Vec<&str> = match m {
                    Matcher::Term(t) => vec![t.as_str()],
                    Matcher::Phrase { terms, .. } => {
                        terms.iter().map(|(_, t)| t.as_str()).collect()
                    }
                    Matcher::AllOf(terms) | Matcher::Prefix { terms, .. } => {
                        terms.iter().map(String::as_str).collect()
                    }
                };
                terms
                    .into_iter()
                    .filter(|t| !STOP_WORDS.contains(t))
                    .collect()
            })
            .collect();
        let typed_len = alternatives.first().map_or(0, Vec::len);
        if typed_len == 0 {
            continue;
        }
        for (alt, terms) in alternatives.iter().enumerate() {
            if terms.is_empty() {
                continue;
            }
            let weight = if alt == 0 {
                c.boost
            } else {
                c.boost * alternative_weight
            };
            // A prefix stands for any of its terms: each counts as the whole word.
            let is_prefix = matches!(c.alternatives[alt], Matcher::Prefix { .. });
            // Longer forms are averaged down to the typed length; shorter
            // ones (an acronym for a typed phrase) are not scaled up, since
            // an acronym may mean other things too.
            let scale = if is_prefix {
                1.0
            } else {
                (typed_len as f32 / terms.len() as f32).min(1.0)
            };
            for t in terms {
                out.push(WeightedTerm {
                    term: t.to_string(),
                    weight,
                    unit,
                    alt,
                    scale,
                    feedback: false,
                });
            }
        }
        unit += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proximity_rewards_adjacent_terms() {
        let term = |t: &str, unit| WeightedTerm {
            term: t.into(),
            weight: 1.0,
            unit,
            alt: 0,
            scale: 1.0,
            feedback: false,
        };
        let terms = vec![term("a", 0), term("b", 1)];
        let idf = [1.0, 1.0];
        let near = proximity(&[(0, vec![3]), (1, vec![4])], &terms, &idf, 5);
        let far = proximity(&[(0, vec![3]), (1, vec![7])], &terms, &idf, 5);
        let out = proximity(&[(0, vec![3]), (1, vec![20])], &terms, &idf, 5);
        assert!(near > far && far > out);
        assert_eq!(out, 0.0);
    }

    #[test]
    fn stop_words_are_left_out_of_query_terms() {
        let plan =
            crate::query::parse("what are the effects of the drug", &Analyzer::english()).unwrap();
        let terms: Vec<String> = query_terms(&plan, 1.0)
            .into_iter()
            .map(|t| t.term)
            .collect();
        assert_eq!(terms, vec!["what", "effect", "drug"]);
    }

    /// An index of one huge document (`HUGE_PASSAGES` passages) and a
    /// short one (three passages).
    fn feedback_index(dir: &std::path::Path) -> crate::index::PolicyIndex {
        use crate::index::schema::KIND_PASSAGE;
        let index = crate::index::PolicyIndex::create(dir).unwrap();
        let f = index.fields;
        let mut writer = index.writer(1, 50_000_000).unwrap();
        let passage = |key: u64, text: &str| {
            let mut d = TantivyDocument::new();
            d.add_u64(f.kind, KIND_PASSAGE);
            d.add_u64(f.doc_key, key);
            d.add_u64(f.doc_len, 1000);
            d.add_text(f.title, "Title");
            d.add_text(f.context, "Title");
            d.add_text(f.body, text);
            d.add_text(f.quote, text);
            d
        };
        for i in 0..HUGE_PASSAGES {
            let text = format!(
                "Passage {i} of the long report on discharge funding and hospital beds, {}",
                "with more words about community services ".repeat(10)
            );
            writer.add_document(passage(1, &text)).unwrap();
        }
        for text in ["Short discharge note.", "Second part.", "Third part."] {
            writer.add_document(passage(2, text)).unwrap();
        }
        index.commit(&mut writer, &[]).unwrap();
        index
    }

    const HUGE_PASSAGES: usize = 5000;

    #[test]
    fn feedback_reads_a_bounded_part_of_a_huge_document() {
        let dir = tempfile::tempdir().unwrap();
        let index = feedback_index(dir.path());
        let searcher = index.reader().unwrap().searcher();
        let ranker = DocumentRanker::new(
            &searcher,
            index.fields,
            stats(&searcher).unwrap(),
            DocParams::default(),
        );
        let plan = crate::query::parse("discharge funding", &Analyzer::english()).unwrap();
        let terms = query_terms(&plan, 1.0);

        let mut texts = 0;
        let huge = ranker.feedback_text(1, &terms, |_| texts += 1).unwrap();
        assert!(
            huge.passages <= FEEDBACK_PASSAGES && huge.passages > 0,
            "{huge:?}"
        );
        assert!(huge.bytes <= FEEDBACK_BYTES, "{huge:?}");
        assert_eq!(texts, huge.passages);

        // A short document is read whole.
        let mut read = String::new();
        let short = ranker
            .feedback_text(2, &terms, |t| read.push_str(t))
            .unwrap();
        assert_eq!(short.passages, 3);
        assert_eq!(read, "Short discharge note.Second part.Third part.");

        // And ranking with feedback over the huge document still works.
        let ranked = ranker.rank(&terms, 10).unwrap();
        assert_eq!(ranked.len(), 2);
    }

    #[test]
    fn feedback_text_is_cut_at_a_char_boundary() {
        let s = "aé";
        assert_eq!(floor_char_boundary(s, 2), 1);
        assert_eq!(floor_char_boundary(s, 3), 3);
        assert_eq!(floor_char_boundary(s, 99), 3);
    }
}
