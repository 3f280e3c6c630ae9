//! A time limit for one query. Tantivy has no deadline of its own, so the
//! costly parts of a search check the clock: phrase matching (wrapped in
//! [`Deadline::guard`], which ends the matching early), and the steps
//! between tantivy searches ([`Deadline::check`]). Term queries are left
//! unwrapped, so tantivy keeps skipping postings (block-max WAND) for them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, Searcher, SeekDangerResult, SegmentReader, Term, TERMINATED};

use crate::error::{Error, Result};

/// When a query must be done by, shared by everything that works on it.
#[derive(Debug, Clone)]
pub struct Deadline {
    at: Option<Instant>,
    limit: Duration,
    /// Set once anything saw the time run out: its results are partial.
    passed: Arc<AtomicBool>,
}

impl Deadline {
    /// `limit` from now; no limit if `None`.
    pub fn after(limit: Option<Duration>) -> Self {
        Deadline {
            at: limit.and_then(|l| Instant::now().checked_add(l)),
            limit: limit.unwrap_or(Duration::MAX),
            passed: Arc::new(AtomicBool::new(false)),
        }
    }

    /// No limit.
    pub fn none() -> Self {
        Deadline::after(None)
    }

    /// Whether the time is up (and remembers it).
    pub fn is_past(&self) -> bool {
        if self.passed.load(Ordering::Relaxed) {
            return true;
        }
        let past = self.at.is_some_and(|at| Instant::now() >= at);
        if past {
            self.passed.store(true, Ordering::Relaxed);
        }
        past
    }

    /// An [`Error::Timeout`] if the time is up.
    pub fn check(&self) -> Result<()> {
        if self.is_past() {
            Err(Error::Timeout { limit: self.limit })
        } else {
            Ok(())
        }
    }

    /// `query`, made to stop matching once the time is up (then it matches
    /// nothing more, and [`Deadline::check`] reports the timeout).
    pub fn guard(&self, query: Box<dyn Query>) -> Box<dyn Query> {
        if self.at.is_none() {
            return query;
        }
        Box::new(Guarded {
            inner: query,
            deadline: self.clone(),
        })
    }
}

/// A query whose matching stops at a deadline.
#[derive(Debug)]
struct Guarded {
    inner: Box<dyn Query>,
    deadline: Deadline,
}

impl Clone for Guarded {
    fn clone(&self) -> Self {
        Guarded {
            inner: self.inner.box_clone(),
            deadline: self.deadline.clone(),
        }
    }
}

impl Query for Guarded {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(GuardedWeight {
            inner: self.inner.weight(enable_scoring)?,
            deadline: self.deadline.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }

    fn count(&self, searcher: &Searcher) -> tantivy::Result<usize> {
        let weight = self.weight(EnableScoring::disabled_from_searcher(searcher))?;
        let mut total = 0usize;
        for reader in searcher.segment_readers() {
            total += weight.count(reader)? as usize;
        }
        Ok(total)
    }
}

struct GuardedWeight {
    inner: Box<dyn Weight>,
    deadline: Deadline,
}

impl Weight for GuardedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(GuardedScorer {
            inner: self.inner.scorer(reader, boost)?,
            deadline: self.deadline.clone(),
            done: false,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.inner.explain(reader, doc)
    }
}

/// A scorer that ends (reports no more documents) once the time is up.
struct GuardedScorer {
    inner: Box<dyn Scorer>,
    deadline: Deadline,
    done: bool,
}

impl GuardedScorer {
    /// `doc`, or the end if the time is up.
    fn stop_if_late(&mut self, doc: DocId) -> DocId {
        if doc != TERMINATED && self.deadline.is_past() {
            self.done = true;
            return TERMINATED;
        }
        doc
    }
}

impl DocSet for GuardedScorer {
    fn advance(&mut self) -> DocId {
        if self.done {
            return TERMINATED;
        }
        let doc = self.inner.advance();
        self.stop_if_late(doc)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.done {
            return TERMINATED;
        }
        let doc = self.inner.seek(target);
        self.stop_if_late(doc)
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if self.done {
            return SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        // Phrases check positions lazily here: keep tantivy's own version.
        let found = self.inner.seek_danger(target);
        if self.deadline.is_past() {
            self.done = true;
            return SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        found
    }

    fn doc(&self) -> DocId {
        if self.done {
            TERMINATED
        } else {
            self.inner.doc()
        }
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }

    fn cost(&self) -> u64 {
        self.inner.cost()
    }
}

impl Scorer for GuardedScorer {
    fn score(&mut self) -> Score {
        self.inner.score()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::PhraseQuery;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{doc, Index};

    fn phrase_index() -> (Index, tantivy::schema::Field) {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        for i in 0..500 {
            writer
                .add_document(doc!(body => format!("care board {i} and care home")))
                .unwrap();
        }
        writer.commit().unwrap();
        (index, body)
    }

    fn phrase(body: tantivy::schema::Field) -> Box<dyn Query> {
        Box::new(PhraseQuery::new(vec![
            Term::from_field_text(body, "care"),
            Term::from_field_text(body, "board"),
        ]))
    }

    #[test]
    fn a_guarded_query_matches_as_before_in_time() {
        let (index, body) = phrase_index();
        let searcher = index.reader().unwrap().searcher();
        let deadline = Deadline::after(Some(Duration::from_secs(3600)));
        let q = deadline.guard(phrase(body));
        assert_eq!(searcher.search(&q, &Count).unwrap(), 500);
        let top = searcher
            .search(&q, &TopDocs::with_limit(3).order_by_score())
            .unwrap();
        assert_eq!(top.len(), 3);
        assert!(deadline.check().is_ok());
    }

    #[test]
    fn a_guarded_query_stops_once_the_time_is_up() {
        let (index, body) = phrase_index();
        let searcher = index.reader().unwrap().searcher();
        let deadline = Deadline::after(Some(Duration::from_nanos(1)));
        std::thread::sleep(Duration::from_millis(2));
        let q = deadline.guard(phrase(body));
        assert!(searcher.search(&q, &Count).unwrap() <= 1);
        assert!(matches!(deadline.check(), Err(Error::Timeout { .. })));
        assert_eq!(
            Deadline::none()
                .guard(phrase(body))
                .count(&searcher)
                .unwrap(),
            500
        );
    }
}
