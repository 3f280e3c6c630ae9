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

use tantivy::postings::Postings;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocId, DocSet, Searcher, TantivyDocument, Term, TERMINATED};

use crate::analysis::Analyzer;
use crate::error::Result;
use crate::schema::Fields;

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
    /// Weight of the first pass in the final score, after feedback (0: none).
    pub first_pass_weight: f32,
    /// Weight of a concept's other forms (compound parts, expansions) relative to what was typed.
    pub alternative_weight: f32,
}

impl Default for DocParams {
    fn default() -> Self {
        DocParams {
            k1: 0.9,
            b: 0.4,
            title_weight: 0.5,
            proximity_weight: 0.0,
            window: 5,
            feedback_docs: 0,
            feedback_terms: 10,
            feedback_weight: 0.3,
            feedback_doc_weighting: 0,
            feedback_idf: 1.0,
            feedback_temperature: 1.0,
            first_pass_weight: 0.0,
            alternative_weight: 1.0,
        }
    }
}

/// A ranked document: its key, score, and the passages it was found in.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedDoc {
    /// The document's key (`doc_key`).
    pub key: u64,
    /// Its score.
    pub score: f32,
    /// `(segment, doc)` of its matching passages.
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
}

/// Collection statistics at document level.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    documents: f32,
    average_length: f32,
}

impl Stats {
    /// No documents.
    pub const EMPTY: Stats = Stats {
        documents: 0.0,
        average_length: 1.0,
    };
}

/// Ranks documents over one index snapshot.
pub struct DocumentRanker<'a> {
    searcher: &'a Searcher,
    fields: Fields,
    stats: Stats,
    params: DocParams,
}

/// What is gathered for one document while reading postings.
#[derive(Debug, Default)]
struct DocEvidence {
    length: f32,
    tf: Vec<f32>,
    title_tf: Vec<f32>,
    proximity: f32,
    passages: Vec<(u32, DocId)>,
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
        }
    }

    /// The `k` best documents for the terms, as `(doc_key, score)`, with the
    /// passages each was found in.
    pub fn rank(&self, terms: &[WeightedTerm], k: usize) -> Result<Vec<RankedDoc>> {
        let mut ranked = self.score(terms)?;
        if self.params.feedback_docs > 0 && !ranked.is_empty() {
            let expanded = self.feedback(terms, &ranked)?;
            let second = self.score(&expanded)?;
            let keep = self.params.first_pass_weight;
            if keep > 0.0 {
                // Interpolate with the first pass, so feedback cannot drift far.
                let first: HashMap<u64, f32> = ranked.iter().map(|d| (d.key, d.score)).collect();
                let top1 = ranked.first().map_or(1.0, |d| d.score).max(1e-9);
                let top2 = second.first().map_or(1.0, |d| d.score).max(1e-9);
                ranked = second
                    .into_iter()
                    .map(|mut d| {
                        let a = first.get(&d.key).copied().unwrap_or(0.0) / top1;
                        d.score = keep * a + (1.0 - keep) * d.score / top2;
                        d
                    })
                    .collect();
                ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.key.cmp(&b.key)));
            } else {
                ranked = second;
            }
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
        let n_terms = terms.len();
        let mut docs: HashMap<u64, DocEvidence> = HashMap::new();
        let mut doc_freq = vec![0f32; n_terms];
        let want_positions = p.proximity_weight > 0.0 && n_terms > 1;
        let option = if want_positions {
            IndexRecordOption::WithFreqsAndPositions
        } else {
            IndexRecordOption::WithFreqs
        };
        for (segment_ord, segment) in self.searcher.segment_readers().iter().enumerate() {
            let keys = segment.fast_fields().u64("doc_key")?;
            let lengths = segment.fast_fields().u64("doc_len")?;
            let body = segment.inverted_index(f.body)?;
            let context = segment.inverted_index(f.context)?;
            let alive = segment.alive_bitset();
            // Per passage: positions of each term, for proximity.
            let mut positions: HashMap<DocId, Vec<(usize, Vec<u32>)>> = HashMap::new();
            for (i, t) in terms.iter().enumerate() {
                let term = Term::from_field_text(f.body, &t.term);
                if let Some(mut postings) = body
                    .read_postings(&term, option)
                    .map_err(tantivy::TantivyError::from)?
                {
                    let mut doc = postings.doc();
                    while doc != TERMINATED {
                        if alive.is_none_or(|a| a.is_alive(doc)) {
                            if let Some(key) = keys.first(doc) {
                                let e = docs.entry(key).or_insert_with(|| DocEvidence {
                                    length: lengths.first(doc).unwrap_or(1) as f32,
                                    tf: vec![0.0; n_terms],
                                    title_tf: vec![0.0; n_terms],
                                    ..Default::default()
                                });
                                if e.tf[i] == 0.0 {
                                    doc_freq[i] += 1.0;
                                }
                                e.tf[i] += postings.term_freq() as f32;
                                if !e.passages.contains(&(segment_ord as u32, doc)) {
                                    e.passages.push((segment_ord as u32, doc));
                                }
                                if want_positions {
                                    let mut pos = Vec::new();
                                    postings.positions(&mut pos);
                                    positions.entry(doc).or_default().push((i, pos));
                                }
                            }
                        }
                        doc = postings.advance();
                    }
                }
                let term = Term::from_field_text(f.context, &t.term);
                if let Some(mut postings) = context
                    .read_postings(&term, IndexRecordOption::WithFreqs)
                    .map_err(tantivy::TantivyError::from)?
                {
                    let mut doc = postings.doc();
                    while doc != TERMINATED {
                        if alive.is_none_or(|a| a.is_alive(doc)) {
                            if let Some(e) = keys.first(doc).and_then(|key| docs.get_mut(&key)) {
                                // The title repeats in every passage: count it once.
                                e.title_tf[i] = e.title_tf[i].max(postings.term_freq() as f32);
                            }
                        }
                        doc = postings.advance();
                    }
                }
            }
            if want_positions {
                let idf: Vec<f32> = terms.iter().map(|_| 1.0).collect();
                for (doc, term_positions) in positions {
                    if term_positions.len() < 2 {
                        continue;
                    }
                    let Some(key) = keys.first(doc) else { continue };
                    if let Some(e) = docs.get_mut(&key) {
                        let prox = proximity(&term_positions, terms, &idf, p.window);
                        e.proximity = e.proximity.max(prox);
                    }
                }
            }
        }
        let idf: Vec<f32> = doc_freq.iter().map(|&df| self.idf(df)).collect();
        let avg = self.stats.average_length.max(1.0);
        let mut ranked: Vec<RankedDoc> = docs
            .into_iter()
            .map(|(key, e)| {
                let norm = p.k1 * (1.0 - p.b + p.b * e.length / avg);
                // Per (unit, alternative): the summed scores of its terms.
                let mut alts: HashMap<(usize, usize), f32> = HashMap::new();
                for i in 0..n_terms {
                    let mut score = 0.0;
                    let w = terms[i].weight * idf[i];
                    let tf = e.tf[i];
                    if tf > 0.0 {
                        score += w * tf * (p.k1 + 1.0) / (tf + norm);
                    }
                    let tt = e.title_tf[i];
                    if tt > 0.0 {
                        score += p.title_weight * w * tt * (p.k1 + 1.0) / (tt + p.k1);
                    }
                    *alts.entry((terms[i].unit, terms[i].alt)).or_default() +=
                        score * terms[i].scale;
                }
                let mut units: HashMap<usize, f32> = HashMap::new();
                for ((unit, _), score) in alts {
                    let best = units.entry(unit).or_default();
                    *best = best.max(score);
                }
                let mut score: f32 = units.values().sum();
                score += p.proximity_weight * e.proximity;
                RankedDoc {
                    key,
                    score,
                    passages: e.passages,
                }
            })
            .collect();
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.key.cmp(&b.key)));
        Ok(ranked)
    }

    /// Pseudo-relevance feedback: the query plus the terms that weigh most
    /// in the top documents (relevance model RM3), interpolated.
    fn feedback(&self, terms: &[WeightedTerm], ranked: &[RankedDoc]) -> Result<Vec<WeightedTerm>> {
        let p = &self.params;
        let analyzer = Analyzer::english();
        let top = &ranked[..ranked.len().min(p.feedback_docs)];
        let max_score = top.iter().map(|d| d.score).fold(f32::MIN, f32::max);
        let mut model: HashMap<String, f32> = HashMap::new();
        let mut df: HashMap<String, f32> = HashMap::new();
        for RankedDoc {
            score, passages, ..
        } in top
        {
            let mut tf: HashMap<String, f32> = HashMap::new();
            let mut length: f32 = 0.0;
            for &(segment, doc) in passages {
                let d: TantivyDocument =
                    self.searcher.doc(tantivy::DocAddress::new(segment, doc))?;
                for v in d.get_all(self.fields.quote) {
                    if let Some(text) = v.as_str() {
                        analyzer.analyze(text, |t| {
                            if !t.compound
                                && t.term.chars().any(char::is_alphabetic)
                                && t.term.len() > 2
                            {
                                *tf.entry(t.term).or_default() += 1.0;
                                length += 1.0;
                            }
                        });
                    }
                }
            }
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
                let coll_df = self.collection_df(&t);
                let idf = self.idf(coll_df).max(0.0);
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
        let next_unit = terms.iter().map(|t| t.unit + 1).max().unwrap_or(0);
        let mut expanded: Vec<WeightedTerm> = terms
            .iter()
            .map(|t| WeightedTerm {
                weight: (1.0 - p.feedback_weight) * t.weight,
                ..t.clone()
            })
            .collect();
        for (n, (term, w)) in candidates.into_iter().enumerate() {
            expanded.push(WeightedTerm {
                term,
                weight: p.feedback_weight * total_q * w / total_fb,
                unit: next_unit + n,
                alt: 0,
                scale: 1.0,
            });
        }
        Ok(expanded)
    }

    /// Number of passages containing a term, as a stand-in for its document
    /// frequency when weighing feedback terms.
    fn collection_df(&self, term: &str) -> f32 {
        self.searcher
            .doc_freq(&Term::from_field_text(self.fields.body, term))
            .unwrap_or(0) as f32
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
            if i == j {
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
    for segment in searcher.segment_readers() {
        let keys = segment.fast_fields().u64("doc_key")?;
        let lens = segment.fast_fields().u64("doc_len")?;
        let alive = segment.alive_bitset();
        for doc in 0..segment.max_doc() {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                if let (Some(k), Some(l)) = (keys.first(doc), lens.first(doc)) {
                    lengths.insert(k, l);
                }
            }
        }
    }
    let documents = lengths.len().max(1) as f32;
    let total: u64 = lengths.values().sum();
    Ok(Stats {
        documents,
        average_length: total as f32 / documents,
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
}
