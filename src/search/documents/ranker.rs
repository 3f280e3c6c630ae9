//! The document ranker: scores from the evidence, and a second pass with
//! the terms feedback adds.

use std::collections::{HashMap, HashSet};

use tantivy::{DocId, Searcher, Term};

use super::evidence::{Evidence, SegmentPass};
use super::slots::KeyHasher;
use super::terms::WeightedTerm;
use crate::error::Result;
use crate::index::schema::Fields;
use crate::index::statistics::DocumentStats;
use crate::query::deadline::Deadline;
use crate::search::{parallel, DocParams};

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

/// What the first pass read: its evidence, and where each segment's
/// passages put their documents.
struct FirstPass<'s> {
    evidence: Evidence,
    passes: Vec<SegmentPass<'s>>,
}

/// Documents whose proximity is read: those that score best without it.
const PROXIMITY_DOCUMENTS: usize = 1000;

/// Ranks documents over one index snapshot.
pub struct DocumentRanker<'a> {
    pub(super) searcher: &'a Searcher,
    pub(super) fields: Fields,
    stats: DocumentStats,
    pub(super) params: DocParams,
    deadline: Deadline,
    /// Threads one ranking may use.
    pub(super) threads: usize,
}

impl<'a> DocumentRanker<'a> {
    /// Prepares ranking over `searcher`'s snapshot, with its statistics
    /// (`index::statistics`: recorded by `index`, read once per snapshot).
    pub fn new(
        searcher: &'a Searcher,
        fields: Fields,
        stats: DocumentStats,
        params: DocParams,
    ) -> Self {
        DocumentRanker {
            searcher,
            fields,
            stats,
            params,
            deadline: Deadline::none(),
            threads: 1,
        }
    }

    /// The same ranker, reading the index's segments on up to `threads`
    /// threads at once.
    pub fn with_threads(self, threads: usize) -> Self {
        DocumentRanker { threads, ..self }
    }

    /// The same ranker, giving up with [`crate::error::Error::Timeout`] past `deadline`.
    pub fn with_deadline(self, deadline: Deadline) -> Self {
        DocumentRanker { deadline, ..self }
    }

    /// The `k` best documents for the terms, as `(doc_key, score)`, with the
    /// passages each was found in; only those `within` the given keys, if
    /// any are given (the documents a query's filters, phrases and
    /// exclusions allow).
    pub fn rank(
        &self,
        terms: &[WeightedTerm],
        k: usize,
        within: Option<&HashSet<u64>>,
    ) -> Result<Vec<RankedDoc>> {
        let allowed = |d: &RankedDoc| within.is_none_or(|w| w.contains(&d.key));
        // How deep the first pass's order is needed: the documents feedback
        // rescores, and below them as many as the page could take, since
        // the rest keep their order (scaled alike) after feedback.
        let p = &self.params;
        let depth = match (p.feedback_docs, p.feedback_rescored) {
            (0, _) => k,
            (_, 0) => usize::MAX,
            (docs, rescored) => rescored.max(docs).saturating_add(k),
        };
        let (mut ranked, first) =
            self.score(terms, depth, |key| within.is_none_or(|w| w.contains(&key)))?;
        if self.params.feedback_docs > 0 && !ranked.is_empty() {
            // Scores are linear in the query's weights, so the expanded
            // query's score is (1 − λ) × the first pass + the feedback
            // terms' own score: the typed terms are not read twice. The
            // feedback terms are counted in the passages where the first
            // pass found the query, of the documents it ranks best (see
            // `rescore`).
            self.deadline.check()?;
            let added = self.feedback(terms, &ranked)?;
            let extra = self.rescore(&added, &first, &ranked)?;
            let keep = 1.0 - self.params.feedback_weight;
            let mut by_key: HashMap<u64, usize, KeyHasher> = HashMap::default();
            for (i, d) in ranked.iter_mut().enumerate() {
                d.score *= keep;
                by_key.insert(d.key, i);
            }
            for d in extra.into_iter().filter(allowed) {
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

    /// Scores the leading documents of the first pass (`ranked`) for
    /// feedback terms, from the passages where the first pass found the
    /// query. Only the leading ones: the feedback terms are most of a
    /// query's postings, and on a large index reading them for every
    /// document that matched was most of its time, while a document far
    /// down is not lifted to the top by feedback.
    fn rescore(
        &self,
        added: &[WeightedTerm],
        first: &FirstPass<'a>,
        ranked: &[RankedDoc],
    ) -> Result<Vec<RankedDoc>> {
        let p = &self.params;
        let leading: Vec<u64> = ranked
            .iter()
            .take(match p.feedback_rescored {
                0 => usize::MAX,
                n => n,
            })
            .map(|d| d.key)
            .collect();
        let (mut evidence, remap) = first.evidence.subset(&leading, added.len());
        // Each thread reads its segments into a copy of its own.
        let read = parallel::shares_at_once(self.threads, &self.segment_sizes(), |share| {
            let mut found = evidence.clone();
            for &o in share {
                let pass = &first.passes[o];
                let passages = pass.passages_kept(&remap);
                for (i, t) in added.iter().enumerate() {
                    self.deadline.check()?;
                    pass.read_at(&mut found, i, &t.term, &passages)?;
                }
            }
            Ok::<_, crate::error::Error>(found)
        });
        for found in read {
            evidence.add_counts(&found?);
        }
        let words: Vec<&str> = added.iter().map(|t| t.term.as_str()).collect();
        let weight: Vec<f32> = added
            .iter()
            .zip(self.passage_idfs(&words)?)
            .map(|(t, idf)| t.weight * idf)
            .collect();
        let average_length = self.stats.average_length.max(1.0);
        let scores = evidence.scores(added, &weight, p, average_length, self.average_title());
        Ok(evidence.ranked(&scores, p))
    }

    /// Scores every document containing a term, and gives the `depth` best
    /// of those `allowed`, best first, with what the pass read (for
    /// feedback to score the same documents).
    fn score(
        &self,
        terms: &[WeightedTerm],
        depth: usize,
        allowed: impl Fn(u64) -> bool,
    ) -> Result<(Vec<RankedDoc>, FirstPass<'a>)> {
        let p = &self.params;
        let typed_units = terms.iter().filter(|t| !t.feedback).map(|t| t.unit).max();
        let want_positions = p.proximity_weight > 0.0 && typed_units.is_some_and(|u| u > 0);
        // Passage-level idf for proximity: known before the pass.
        let proximity_idf = if want_positions {
            let words: Vec<&str> = terms.iter().map(|t| t.term.as_str()).collect();
            Some(self.passage_idfs(&words)?)
        } else {
            None
        };
        let mut evidence = Evidence::new(terms.len());
        let mut passes: Vec<SegmentPass> = Vec::new();
        for read in self.read_segments(terms) {
            let (mut pass, found) = read?;
            evidence.absorb(found, &mut pass);
            passes.push(pass);
        }
        evidence.read_titles(&mut passes);
        let weight: Vec<f32> = terms
            .iter()
            .zip(evidence.doc_freq())
            .map(|(t, &df)| t.weight * self.idf(df))
            .collect();
        let average_length = self.stats.average_length.max(1.0);
        let scores = evidence.scores(terms, &weight, p, average_length, self.average_title());
        if let Some(idf) = &proximity_idf {
            // Proximity re-ranks the documents that lead without it: reading
            // positions of every passage with a common word costs seconds
            // on a large index, and a document far down is not lifted into
            // the first results by a phrase bonus.
            let marked = evidence.leading(&scores, PROXIMITY_DOCUMENTS);
            let found = parallel::parts_at_once(self.threads, &self.segment_sizes(), |o| {
                passes[o].proximity(&marked, terms, idf, p.window, &self.deadline)
            });
            for found in found {
                evidence.add_proximity(&found?);
            }
        }
        let ranked = evidence.ranked_top(&scores, p, depth, allowed);
        Ok((ranked, FirstPass { evidence, passes }))
    }

    /// Each segment's postings of the terms read into evidence of its
    /// own, in segment order: on as many threads as the ranker may use,
    /// each given segments of about equal size.
    fn read_segments(&self, terms: &[WeightedTerm]) -> Vec<Result<(SegmentPass<'a>, Evidence)>> {
        let segments = self.searcher.segment_readers();
        parallel::parts_at_once(self.threads, &self.segment_sizes(), |ord| {
            let mut pass = SegmentPass::new(ord as u32, &segments[ord], self.fields)?;
            let mut found = Evidence::new(terms.len());
            for (i, t) in terms.iter().enumerate() {
                self.deadline.check()?;
                pass.read_text(&mut found, i, &t.term)?;
                pass.read_title(&mut found, i, &t.term)?;
            }
            Ok((pass, found))
        })
    }

    /// Each segment's size in passages: how work per segment is shared out.
    fn segment_sizes(&self) -> Vec<u64> {
        self.searcher
            .segment_readers()
            .iter()
            .map(|s| u64::from(s.max_doc()))
            .collect()
    }

    /// The average title length in terms, over passages (each carries its
    /// document's title), for the title's length normalisation.
    fn average_title(&self) -> f32 {
        if self.params.title_b == 0.0 {
            return 1.0;
        }
        let (mut tokens, mut passages) = (0u64, 0u64);
        for segment in self.searcher.segment_readers() {
            if let Ok(index) = segment.inverted_index(self.fields.title) {
                tokens += index.total_num_tokens();
                passages += u64::from(segment.max_doc());
            }
        }
        if passages == 0 {
            1.0
        } else {
            tokens as f32 / passages as f32
        }
    }

    /// The idf over passages of each of `terms`: known without reading
    /// their postings, for weighing feedback terms and proximity. Each
    /// segment's dictionary is read on the ranker's threads, in term order
    /// (neighbours share its pages: a quarter less time than one term at a
    /// time through every segment), and the counts summed.
    pub(super) fn passage_idfs(&self, terms: &[&str]) -> Result<Vec<f32>> {
        let mut order: Vec<usize> = (0..terms.len()).collect();
        order.sort_unstable_by_key(|&i| terms[i]);
        let segments = self.searcher.segment_readers();
        let counts = parallel::parts_at_once(self.threads, &self.segment_sizes(), |s| {
            let index = segments[s].inverted_index(self.fields.body)?;
            let mut df = vec![0u64; terms.len()];
            for &i in &order {
                let term = Term::from_field_text(self.fields.body, terms[i]);
                df[i] = u64::from(index.doc_freq(&term).map_err(tantivy::TantivyError::from)?);
            }
            Ok::<_, crate::error::Error>(df)
        });
        let mut total = vec![0u64; terms.len()];
        for df in counts {
            total.iter_mut().zip(df?).for_each(|(t, d)| *t += d);
        }
        Ok(total
            .into_iter()
            .map(|df| self.passage_idf_of(df as f32))
            .collect())
    }

    /// The idf over passages of a term in `df` of them.
    pub(super) fn passage_idf_of(&self, df: f32) -> f32 {
        let n = self.stats.passages;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::TantivyDocument;

    use super::*;
    use crate::analysis::Analyzer;
    use crate::index::schema::KIND_PASSAGE;
    use crate::index::statistics::document_stats;
    use crate::search::documents::terms::query_terms;

    const WORDS: [&str; 10] = [
        "discharge",
        "funding",
        "beds",
        "community",
        "care",
        "virtual",
        "wards",
        "nurses",
        "delays",
        "winter",
    ];

    /// An index of 600 made-up passages of 60 documents in four segments
    /// (four commits): a document's passages in several.
    fn four_segments(dir: &std::path::Path) -> crate::index::PolicyIndex {
        let index = crate::index::PolicyIndex::create(dir).unwrap();
        let f = index.fields;
        let mut seed = 7u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..4 {
            let mut writer = index.writer(1, 50_000_000).unwrap();
            for _ in 0..150 {
                let key = next() % 60;
                let text: Vec<&str> = (0..12)
                    .map(|_| WORDS[(next() % WORDS.len() as u64) as usize])
                    .collect();
                let text = text.join(" ");
                let title = format!("Report {key} on {}", WORDS[(key % 10) as usize]);
                let mut d = TantivyDocument::new();
                d.add_u64(f.kind, KIND_PASSAGE);
                d.add_u64(f.doc_key, key);
                d.add_u64(f.doc_len, 100);
                d.add_text(f.title, &title);
                d.add_text(f.context, &title);
                d.add_text(f.body, &text);
                d.add_text(f.quote, &text);
                writer.add_document(d).unwrap();
            }
            index.commit(&mut writer, &[]).unwrap();
        }
        index
    }

    /// Every stage on several threads (the first pass, proximity, feedback
    /// and its second pass) ranks as on one: same documents, same scores.
    #[test]
    fn a_ranking_on_several_threads_is_the_ranking_on_one() {
        let dir = tempfile::tempdir().unwrap();
        let index = four_segments(dir.path());
        let f = index.fields;
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 4);
        let stats = document_stats(&index, &searcher).unwrap();
        let ranker = |threads| {
            DocumentRanker::new(&searcher, f, stats, DocParams::default()).with_threads(threads)
        };
        for query in [
            "discharge funding",
            "community care nurses",
            "winter delays",
        ] {
            let plan = crate::query::parse(query, &Analyzer::english()).unwrap();
            let terms = query_terms(&plan, 1.0);
            let one = ranker(1).rank(&terms, 40, None).unwrap();
            assert_eq!(one.len(), 40, "{query}");
            for threads in [2, 3] {
                let many = ranker(threads).rank(&terms, 40, None).unwrap();
                assert_eq!(one, many, "{query} on {threads} threads");
            }
        }
    }

    /// The idf of many terms looked up at once, segment by segment in term
    /// order, is each term's own over the whole index, in the order asked,
    /// on any number of threads: terms in every segment, in none, asked
    /// twice.
    #[test]
    fn idf_of_many_terms_is_each_terms_own() {
        let dir = tempfile::tempdir().unwrap();
        let index = four_segments(dir.path());
        let f = index.fields;
        let searcher = index.reader().unwrap().searcher();
        let stats = document_stats(&index, &searcher).unwrap();
        let analyzer = Analyzer::english();
        let mut asked: Vec<String> = Vec::new();
        for w in WORDS.iter().rev() {
            analyzer.analyze(w, |t| asked.push(t.term));
        }
        asked.extend(["report".into(), "zzz".into(), "beds".into(), "13".into()]);
        let asked: Vec<&str> = asked.iter().map(String::as_str).collect();
        let mut df_total = 0;
        for threads in [1, 2, 3] {
            let ranker = DocumentRanker::new(&searcher, f, stats, DocParams::default())
                .with_threads(threads);
            let idf = ranker.passage_idfs(&asked).unwrap();
            assert_eq!(idf.len(), asked.len());
            for (term, idf) in asked.iter().zip(&idf) {
                let df = searcher
                    .doc_freq(&Term::from_field_text(f.body, term))
                    .unwrap();
                df_total += df;
                assert_eq!(*idf, ranker.passage_idf_of(df as f32), "{term}");
            }
        }
        // The terms are in the index: most of them are counted.
        assert!(df_total > 1000, "{df_total}");
    }
}
