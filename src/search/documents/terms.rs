//! A query as weighted terms: what document ranking scores.

use crate::analysis::STOP_WORDS;
use crate::query::{Matcher, QueryPlan, Role};

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

/// The weighted terms of a query's positive concepts, stop words left out:
/// each concept is a unit, each of its alternatives scaled to the length of
/// the first (what was typed) at most, and counting `alternative_weight` as much.
pub fn query_terms(plan: &QueryPlan, alternative_weight: f32) -> Vec<WeightedTerm> {
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
    use crate::analysis::Analyzer;

    #[test]
    fn stop_words_are_left_out_of_query_terms() {
        let plan =
            crate::query::parse("what are the effects of the drug", &Analyzer::english()).unwrap();
        let terms: Vec<String> = query_terms(&plan, 1.0)
            .into_iter()
            .map(|t| t.term)
            .collect();
        assert_eq!(terms, vec!["effect", "drug"]);
    }
}
