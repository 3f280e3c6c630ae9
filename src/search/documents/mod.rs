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

mod evidence;
mod feedback;
mod ranker;
mod slots;
mod terms;

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use tantivy::columnar::StrColumn;
use tantivy::Searcher;

use super::fold::{Fingerprint, Folder, Found};
use super::passages::Shown;
use crate::index::documents::read_passage;
use crate::index::StoredDocs;

use crate::error::Result;
use crate::index::statistics::{self, DocumentStats};
use crate::query::deadline::Deadline;
use crate::query::QueryPlan;
use crate::search::{filters, Engine, SearchOptions};
use ranker::DocumentRanker;
pub(crate) use ranker::RankedDoc;

/// Documents whose best passages are read at a time for folding: enough
/// that many share a block of the store, few enough that their
/// fingerprints stay small beside the ranking (`--batch -n 100000`).
const FOLD_CHUNK: usize = 1024;

impl Engine<'_> {
    /// The `k` best documents for `query_text`, as `(doc_id, score)`, best
    /// first.
    pub fn documents(
        &self,
        query_text: &str,
        k: usize,
        opts: &SearchOptions,
    ) -> Result<Vec<(String, f32)>> {
        let deadline = Deadline::after(opts.timeout);
        let plan = self.plan(query_text, &self.analyzer, self.understanding(opts))?;
        deadline.check()?;
        let (filters, _) = filters::filters(&self.searcher, &self.index.fields, &plan, opts)?;
        let compiler = self.compiler(&filters, true, &deadline);
        let constrained = !filters.is_empty() || plan.ranks_beyond_matches();
        let within = if constrained {
            self.matching(&compiler, &plan, true)?.1
        } else {
            None
        };
        // As deep as `query` ranks at least, so the leading documents are
        // re-ranked alike.
        let depth = k.max(super::passages::RANKED_FOR_FUSION);
        let (shown, _) = self.fused_documents(&compiler, &plan, within.as_ref(), depth)?;
        let shown = if opts.no_fold {
            shown
        } else {
            self.folded(shown)?
        };
        let ranked = shown
            .into_iter()
            .filter_map(|d| {
                let address = d.passages.first()?.address;
                Some(RankedDoc {
                    key: d.key,
                    score: d.score,
                    passages: vec![(address.segment_ord, address.doc_id)],
                })
            })
            .collect();
        let mut ranked: Vec<(String, f32)> = doc_ids(&self.searcher, ranked)?.into_iter().collect();
        trec_order(&mut ranked);
        ranked.truncate(k);
        Ok(ranked)
    }

    /// Ranked documents in the order `query` shows them: a document whose
    /// best passage is a copy or a version of an earlier one's (see
    /// `search::fold`) is shown as a source of that hit, so it comes right
    /// after it, as it does on the page; several such, newest first. Scores
    /// are nudged down just enough to keep that order.
    fn folded(&self, shown: Vec<Shown>) -> Result<Vec<Shown>> {
        let stored = StoredDocs::new(&self.searcher)?;
        let mut folder = Folder::new(true);
        // Each leading document, and those folded into it with their dates.
        let mut groups: Vec<(Shown, Vec<(Shown, u64)>)> = Vec::with_capacity(shown.len());
        let mut shown = shown.into_iter().peekable();
        while shown.peek().is_some() {
            let chunk: Vec<Shown> = shown.by_ref().take(FOLD_CHUNK).collect();
            // Read in the order of the store, so each block of it is
            // decompressed once, not once per document ranked in it; fold
            // in the order of rank.
            let mut order: Vec<usize> = (0..chunk.len())
                .filter(|&i| !chunk[i].passages.is_empty())
                .collect();
            order.sort_unstable_by_key(|&i| chunk[i].passages[0].address);
            let mut read: Vec<Option<(u64, Fingerprint)>> = Vec::new();
            read.resize_with(chunk.len(), || None);
            for i in order {
                let doc = stored.get(chunk[i].passages[0].address)?;
                let (location, quote) = read_passage(&self.index.fields, &doc);
                let date = location.date.map_or(0, |d| d.day.first_key());
                read[i] = Some((date, Fingerprint::of(&quote)));
            }
            for (d, read) in chunk.into_iter().zip(read) {
                let Some((date, print)) = read else {
                    continue;
                };
                match folder.find_print(&print) {
                    Some(Found::Copy((_, i)) | Found::Reworded((_, i), _)) => {
                        groups[i].1.push((d, date));
                    }
                    None => {
                        folder.insert_print(print, (false, groups.len()));
                        groups.push((d, Vec::new()));
                    }
                }
            }
        }
        let mut out = Vec::new();
        for (lead, mut followers) in groups {
            followers.sort_by_key(|f| std::cmp::Reverse(f.1));
            let mut score = lead.score;
            out.push(lead);
            for (mut f, _) in followers {
                score = score.next_down();
                f.score = score;
                out.push(f);
            }
        }
        Ok(out)
    }

    /// The `k` best documents for `plan`, best first, each with its key
    /// and a passage it was found in; only those `within` the given keys,
    /// if any are given.
    pub(crate) fn ranked_documents(
        &self,
        plan: &QueryPlan,
        k: usize,
        within: Option<&HashSet<u64>>,
        deadline: &Deadline,
        threads: usize,
    ) -> Result<Vec<RankedDoc>> {
        let r = &self.ranking;
        let stats = *self.document_stats.get_or_init(|| {
            statistics::document_stats(self.index, &self.searcher).unwrap_or(DocumentStats::EMPTY)
        });
        let ranker = DocumentRanker::new(
            &self.searcher,
            self.index.fields,
            stats,
            r.documents.clone(),
        )
        .with_deadline(deadline.clone())
        .with_threads(threads);
        let terms = terms::query_terms(plan, r.documents.alternative_weight);
        let ranked = ranker.rank(&terms, k, within)?;
        deadline.check()?;
        Ok(ranked)
    }
}

/// Documents' ids and scores (the best, for ids shared by several
/// documents): from the doc_id fast field of one passage each, resolved per
/// segment in ordinal order (one pass over the dictionary).
fn doc_ids(searcher: &Searcher, ranked: Vec<RankedDoc>) -> Result<HashMap<String, f32>> {
    let mut by_segment: HashMap<u32, Vec<(u64, f32)>> = HashMap::new();
    let mut columns: HashMap<u32, StrColumn> = HashMap::new();
    for RankedDoc {
        score, passages, ..
    } in ranked
    {
        let Some(&(segment, doc)) = passages.first() else {
            continue;
        };
        let column = match columns.entry(segment) {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => {
                let reader = searcher.segment_reader(segment);
                let Some(column) = reader.fast_fields().str("doc_id")? else {
                    continue;
                };
                v.insert(column)
            }
        };
        if let Some(ord) = column.term_ords(doc).next() {
            by_segment.entry(segment).or_default().push((ord, score));
        }
    }
    let mut docs: HashMap<String, f32> = HashMap::new();
    for (segment, mut ords) in by_segment {
        ords.sort_unstable_by_key(|&(ord, _)| ord);
        let sorted: Vec<u64> = ords.iter().map(|&(ord, _)| ord).collect();
        let mut scores = ords.iter().map(|&(_, score)| score);
        columns[&segment]
            .dictionary()
            .sorted_ords_to_term_cb(&sorted, |bytes| {
                let score = scores.next().unwrap_or(0.0);
                let id = crate::paths::shown(&String::from_utf8_lossy(bytes));
                let e = docs.entry(id).or_insert(score);
                *e = e.max(score);
            })
            .map_err(tantivy::TantivyError::from)?;
    }
    Ok(docs)
}
/// Orders a query's results as trec_eval does: score descending, then id descending.
pub(crate) fn trec_order(results: &mut [(String, f32)]) {
    results.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
}
