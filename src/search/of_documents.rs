//! The passages of some documents, as a query: what page building uses to
//! read only the passages of the documents ranked.

use tantivy::query::{
    BitSetDocSet, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, TantivyError, Term, TERMINATED};

/// Matches every passage whose key in `field` (a `u64` field, indexed) is
/// one of `keys`, with a constant score.
///
/// Each key is looked up in each segment's dictionary. tantivy's
/// `TermSetQuery` matches the same passages by walking the dictionary with
/// an automaton of the keys, trying every branch of every node it enters;
/// with random 64-bit keys those nodes branch widely, and for the few
/// dozen documents a page ranks that walk cost more than a lookup each.
#[derive(Debug, Clone)]
pub struct OfDocuments {
    field: Field,
    keys: Vec<u64>,
}

impl OfDocuments {
    /// The passages of the documents `keys` (in any order, repeats
    /// allowed) by their key in `field`.
    pub fn new(field: Field, keys: impl IntoIterator<Item = u64>) -> Self {
        let mut keys: Vec<u64> = keys.into_iter().collect();
        // In the dictionary's order (big-endian bytes are the numbers'
        // order), so lookups move forward through it.
        keys.sort_unstable();
        keys.dedup();
        OfDocuments { field, keys }
    }
}

impl Query for OfDocuments {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for OfDocuments {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let index = reader.inverted_index(self.field)?;
        let mut passages = BitSet::with_max_value(reader.max_doc());
        for &key in &self.keys {
            let term = Term::from_field_u64(self.field, key);
            let Some(mut postings) = index.read_postings(&term, IndexRecordOption::Basic)? else {
                continue;
            };
            let mut doc = postings.doc();
            while doc != TERMINATED {
                passages.insert(doc);
                doc = postings.advance();
            }
        }
        Ok(Box::new(ConstScorer::new(
            BitSetDocSet::from(passages),
            boost,
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "passage {doc} is not of the documents"
            )));
        }
        Ok(Explanation::new("OfDocuments", scorer.score()))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use tantivy::collector::DocSetCollector;
    use tantivy::query::TermSetQuery;
    use tantivy::schema::{Schema, INDEXED};
    use tantivy::{doc, Index, IndexWriter};

    use super::*;

    /// The same passages as tantivy's `TermSetQuery` of the same keys, over
    /// several segments, for keys of every size (random 64-bit hashes and
    /// small numbers), asked in any order, with repeats and keys of no
    /// passage.
    fn same_as_term_set(passages: &[Vec<u64>], asked: &[u64]) {
        let mut schema = Schema::builder();
        let key = schema.add_u64_field("key", INDEXED);
        let index = Index::create_in_ram(schema.build());
        for segment in passages {
            let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
            for &k in segment {
                writer.add_document(doc!(key => k)).unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        let ours = searcher
            .search(
                &OfDocuments::new(key, asked.iter().copied()),
                &DocSetCollector,
            )
            .unwrap();
        let terms = asked.iter().map(|&k| Term::from_field_u64(key, k));
        let theirs = searcher
            .search(&TermSetQuery::new(terms), &DocSetCollector)
            .unwrap();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn matches_the_passages_of_the_keys_asked() {
        let big = [u64::MAX, 1 << 63, 0x9E37_79B9_7F4A_7C15, 0];
        let passages = vec![
            vec![3, 3, 5, big[0], big[2], 3],
            vec![5, 7, big[1], big[3]],
            vec![],
            vec![9],
        ];
        same_as_term_set(&passages, &[5, big[2], 3, 5, 42, big[1]]);
        same_as_term_set(&passages, &[]);
        same_as_term_set(&passages, &big);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn matches_as_a_term_set_does(
            passages in prop::collection::vec(
                prop::collection::vec(prop_oneof![0u64..20, any::<u64>()], 0..40),
                1..4,
            ),
            asked in prop::collection::vec(prop_oneof![0u64..20, any::<u64>()], 0..30),
            from_index in prop::collection::vec(any::<prop::sample::Index>(), 0..10),
        ) {
            // Some keys asked are keys of passages, some of none.
            let all: Vec<u64> = passages.iter().flatten().copied().collect();
            let mut asked = asked;
            if !all.is_empty() {
                asked.extend(from_index.iter().map(|i| all[i.index(all.len())]));
            }
            same_as_term_set(&passages, &asked);
        }
    }
}
