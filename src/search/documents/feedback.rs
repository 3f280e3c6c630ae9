//! Pseudo-relevance feedback: terms frequent in the top documents, added to
//! the query with a small weight, read from a bounded part of each
//! document.

use std::collections::HashMap;

use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, TantivyDocument, Term};

use super::ranker::{DocumentRanker, RankedDoc};
use super::terms::WeightedTerm;
use crate::analysis::STOP_WORDS;
use crate::analysis::{Analyzer, TermCache};
use crate::error::Result;
use crate::index::documents::feedback_texts;
use crate::index::StoredDocs;
use crate::search::parallel;

/// Passages of one document that pseudo-relevance feedback reads at most:
/// every passage of a short document, the best-matching of a long one.
pub const FEEDBACK_PASSAGES: usize = 32;
/// Feedback terms whose idf is looked up at once (see `feedback`).
const IDF_CHUNK: usize = 64;
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

impl DocumentRanker<'_> {
    /// Pseudo-relevance feedback: the terms that weigh most in the top
    /// documents (relevance model RM3), weighted to make up `feedback_weight`
    /// of the expanded query.
    pub(super) fn feedback(
        &self,
        terms: &[WeightedTerm],
        ranked: &[RankedDoc],
    ) -> Result<Vec<WeightedTerm>> {
        let p = &self.params;
        let top = &ranked[..ranked.len().min(p.feedback_docs)];
        let max_score = top.iter().map(|d| d.score).fold(f32::MIN, f32::max);
        // The documents are read on the ranker's threads, each with its own
        // cache of normalized words (the same words recur across them), and
        // taken into the model in rank order, so it sums alike.
        let read = parallel::shares_at_once(self.threads, &vec![1; top.len()], |share| {
            let analyzer = Analyzer::english();
            let mut cache = TermCache::default();
            let mut read = Vec::with_capacity(share.len());
            for &d in share {
                let mut tf: HashMap<String, f32> = HashMap::new();
                let mut length: f32 = 0.0;
                self.feedback_text(top[d].key, terms, |text| {
                    analyzer.analyze_into(
                        text,
                        Some(&mut cache),
                        &mut |term, _, _, _, compound| {
                            if !compound && term.len() > 2 && term.chars().any(char::is_alphabetic)
                            {
                                match tf.get_mut(term) {
                                    Some(c) => *c += 1.0,
                                    None => {
                                        tf.insert(term.to_string(), 1.0);
                                    }
                                }
                                length += 1.0;
                            }
                        },
                    );
                })?;
                read.push((d, tf, length));
            }
            Ok::<_, crate::error::Error>(read)
        });
        let mut read = read.into_iter().collect::<Result<Vec<_>>>()?.concat();
        read.sort_unstable_by_key(|r| r.0);
        let mut model: HashMap<String, f32> = HashMap::new();
        let mut df: HashMap<String, f32> = HashMap::new();
        for (d, tf, length) in read {
            let score = top[d].score;
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
        // Looking up idf is most of feedback's cost, so terms are taken by
        // weight and idf is read only while a term could still make the
        // cut: no term's idf exceeds that of a term in no passage.
        let by_idf = |idf: f32| idf.max(0.0).powf(p.feedback_idf);
        let ceiling = by_idf(self.passage_idf_of(0.0));
        let mut by_weight: Vec<(String, f32)> = model
            .into_iter()
            .filter(|(t, _)| !STOP_WORDS.contains(&t.as_str()))
            .collect();
        by_weight.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let order =
            |a: &(String, f32), b: &(String, f32)| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0));
        let mut candidates: Vec<(String, f32)> = Vec::with_capacity(p.feedback_terms + 1);
        // Below the cut: past it, no later term (lighter) can make it.
        let below = |candidates: &[(String, f32)], w: f32| {
            candidates.len() >= p.feedback_terms
                && w * ceiling < candidates.last().map_or(f32::MIN, |c| c.1)
        };
        // The idf of a chunk of terms is read at once on the ranker's
        // threads; the lookups past the cut this wastes are fewer than a
        // chunk.
        'terms: for chunk in by_weight.chunks(IDF_CHUNK) {
            if below(&candidates, chunk[0].1) {
                break;
            }
            let words: Vec<&str> = chunk.iter().map(|c| c.0.as_str()).collect();
            let idf = self.passage_idfs(&words)?;
            for ((t, w), idf) in chunk.iter().zip(idf) {
                if below(&candidates, *w) {
                    break 'terms;
                }
                candidates.push((t.clone(), w * by_idf(idf)));
                candidates.sort_by(order);
                candidates.truncate(p.feedback_terms);
            }
        }
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
        let Some(addresses) = self.feedback_passages(key, terms)? else {
            return Ok(Examined::default());
        };
        let mut examined = Examined::default();
        let mut title_seen = false;
        let stored = StoredDocs::new(self.searcher)?;
        for address in addresses.into_iter().take(FEEDBACK_PASSAGES) {
            if examined.bytes >= FEEDBACK_BYTES {
                break;
            }
            let d: TantivyDocument = stored.get(address)?;
            examined.passages += 1;
            // The title is part of the document, once.
            let with_title = !title_seen && self.params.feedback_title;
            title_seen = true;
            for text in feedback_texts(f, &d, with_title) {
                let room = FEEDBACK_BYTES.saturating_sub(examined.bytes);
                let text = &text[..floor_char_boundary(text, room)];
                examined.bytes += text.len();
                each(text);
            }
        }
        Ok(examined)
    }

    /// The passages of document `key` that feedback reads: all of a short
    /// document's, in document order; the best-matching of a long one's,
    /// best first (none if no query term has weight).
    fn feedback_passages(
        &self,
        key: u64,
        terms: &[WeightedTerm],
    ) -> Result<Option<Vec<DocAddress>>> {
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
                return Ok(None);
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
        Ok(Some(addresses))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::statistics::document_stats;
    use crate::search::documents::terms::query_terms;
    use crate::search::DocParams;

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
            document_stats(&index, &searcher).unwrap(),
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
        let ranked = ranker.rank(&terms, 10, None).unwrap();
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
