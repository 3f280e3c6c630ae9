//! From a plan to the tantivy query that finds its passages: each concept's
//! alternatives matched in the passage text and, at a lower weight, in its
//! title and heading.

use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use crate::index::schema::Fields;
use crate::query::deadline::Deadline;
use crate::query::{Concept, Matcher, QueryPlan, Role, Scope};

/// How a plan becomes a query.
pub struct Compiler<'a> {
    /// The index's fields.
    pub fields: &'a Fields,
    /// Required clauses that restrict matches without scoring.
    pub filters: &'a [Box<dyn Query>],
    /// Whether excluded concepts exclude (under `--exact`, the word-for-word
    /// check excludes instead, so the stemmed candidates keep them).
    pub exclude: bool,
    /// Weight of a match in the title or heading, relative to the text.
    pub context_weight: f32,
    /// Phrases stop matching past it.
    pub deadline: &'a Deadline,
}

impl Compiler<'_> {
    /// The tantivy query for a plan; with `conjunctive`, every concept is
    /// required. Filters are separate required clauses, so they restrict
    /// matches without matching anything by themselves.
    pub fn build(&self, plan: &QueryPlan, conjunctive: bool) -> BooleanQuery {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for c in &plan.concepts {
            let occur = match c.role {
                Role::MustNot if !self.exclude => continue,
                Role::MustNot => Occur::MustNot,
                Role::Must => Occur::Must,
                Role::Should if conjunctive => Occur::Must,
                Role::Should => Occur::Should,
            };
            if occur == Occur::Should
                && (c.boost - 1.0).abs() <= f32::EPSILON
                && c.alternatives.len() == 1
            {
                // A disjunction of concepts sums its terms' scores whether nested
                // or flat; flat, tantivy can skip most postings (block-max WAND).
                for (_, q) in self.concept_clauses(c, conjunctive) {
                    clauses.push((Occur::Should, q));
                }
            } else {
                clauses.push((occur, self.concept_query(c, conjunctive)));
            }
        }
        let query = BooleanQuery::new(clauses);
        if self.filters.is_empty() {
            return query;
        }
        let mut all: Vec<(Occur, Box<dyn Query>)> = self
            .filters
            .iter()
            .map(|q| (Occur::Must, q.box_clone()))
            .collect();
        all.push((Occur::Must, Box::new(query)));
        BooleanQuery::new(all)
    }

    fn concept_query(&self, c: &Concept, conjunctive: bool) -> Box<dyn Query> {
        let q: Box<dyn Query> = if c.alternatives.len() > 1 {
            Box::new(DisjunctionMaxQuery::new(
                self.alternative_queries(c, conjunctive),
            ))
        } else {
            Box::new(BooleanQuery::new(self.concept_clauses(c, conjunctive)))
        };
        if (c.boost - 1.0).abs() > f32::EPSILON {
            Box::new(BoostQuery::new(q, c.boost))
        } else {
            q
        }
    }

    /// Each alternative of a concept as one query, scaled to the length of
    /// what was typed: a concept scores as its best form, so the three words
    /// of "integrated care board" found for `ICB` count as one word, as
    /// `ICB` would, and do not drown the query's other words.
    fn alternative_queries(&self, c: &Concept, conjunctive: bool) -> Vec<Box<dyn Query>> {
        let typed = c.alternatives.first().map_or(1, terms_of);
        c.alternatives
            .iter()
            .map(|m| {
                let one = Concept {
                    alternatives: vec![m.clone()],
                    ..c.clone()
                };
                let q: Box<dyn Query> =
                    Box::new(BooleanQuery::new(self.concept_clauses(&one, conjunctive)));
                let scale = (typed as f32 / terms_of(m) as f32).min(1.0);
                if scale < 1.0 {
                    Box::new(BoostQuery::new(q, scale))
                } else {
                    q
                }
            })
            .collect()
    }

    /// The alternatives of a concept, in the text and (weighted) in the title
    /// and heading.
    fn concept_clauses(&self, c: &Concept, conjunctive: bool) -> Vec<(Occur, Box<dyn Query>)> {
        let f = self.fields;
        let mut subs: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for m in &c.alternatives {
            if c.scope == Scope::All {
                subs.push((Occur::Should, self.matcher_query(m, f.body, conjunctive)));
            }
            subs.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    self.matcher_query(m, f.context, conjunctive),
                    self.context_weight,
                )),
            ));
        }
        subs
    }

    /// The tantivy query for one matcher. Phrases, whose matching costs the
    /// most per passage, stop at the deadline.
    fn matcher_query(&self, m: &Matcher, field: Field, conjunctive: bool) -> Box<dyn Query> {
        match m {
            Matcher::Term(t) => term_query(field, t),
            Matcher::Phrase { terms, slop } if terms.len() >= 2 => {
                let terms = terms
                    .iter()
                    .map(|(pos, t)| (*pos, Term::from_field_text(field, t)))
                    .collect();
                self.deadline
                    .guard(Box::new(PhraseQuery::new_with_offset_and_slop(
                        terms, *slop,
                    )))
            }
            Matcher::Phrase { terms, .. } => term_query(
                field,
                terms.first().map(|(_, t)| t.as_str()).unwrap_or_default(),
            ),
            Matcher::AllOf(terms) => {
                let occur = if conjunctive {
                    Occur::Must
                } else {
                    Occur::Should
                };
                Box::new(BooleanQuery::new(
                    terms
                        .iter()
                        .map(|t| (occur, term_query(field, t)))
                        .collect(),
                ))
            }
            Matcher::Prefix { terms, .. } => Box::new(BooleanQuery::new(
                terms
                    .iter()
                    .map(|t| (Occur::Should, term_query(field, t)))
                    .collect(),
            )),
        }
    }
}

/// The number of terms a matcher scores (at least one).
fn terms_of(m: &Matcher) -> usize {
    match m {
        Matcher::Term(_) | Matcher::Prefix { .. } => 1,
        Matcher::Phrase { terms, .. } => terms.len().max(1),
        Matcher::AllOf(terms) => terms.len().max(1),
    }
}

fn term_query(field: Field, term: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, term),
        IndexRecordOption::WithFreqs,
    ))
}
