//! Highlighting: the byte spans of a quote that the query matched.
//!
//! The quote is re-analyzed with the index's analyzer and matched against the
//! same [`QueryPlan`] the search ran, so a phrase is marked where the phrase
//! occurs — not each of its words wherever they appear.

use crate::analysis::{AnalyzedToken, Analyzer};
use crate::query::{Concept, Matcher, QueryPlan, Role, Scope};

/// A text analyzed for matching.
struct Analyzed {
    tokens: Vec<AnalyzedToken>,
}

impl Analyzed {
    fn new(analyzer: &Analyzer, text: &str) -> Self {
        let mut tokens = Vec::new();
        analyzer.analyze(text, |t| tokens.push(t));
        Analyzed { tokens }
    }

    /// Where any alternative of `concept` matches.
    fn spans(&self, concept: &Concept) -> Vec<(usize, usize)> {
        concept
            .alternatives
            .iter()
            .flat_map(|m| self.matcher_spans(m))
            .collect()
    }

    /// Where one alternative matches.
    fn matcher_spans(&self, matcher: &Matcher) -> Vec<(usize, usize)> {
        match matcher {
            Matcher::Term(term) => self
                .tokens
                .iter()
                .filter(|t| &t.term == term)
                .map(|t| (t.start, t.end))
                .collect(),
            Matcher::AllOf(terms) | Matcher::Prefix { terms, .. } => self
                .tokens
                .iter()
                .filter(|t| terms.contains(&t.term))
                .map(|t| (t.start, t.end))
                .collect(),
            Matcher::Phrase { terms, slop } => {
                // Parts have consecutive positions from 0, so `parts[p]` is at position `p`.
                let parts: Vec<&AnalyzedToken> =
                    self.tokens.iter().filter(|t| !t.compound).collect();
                (0..parts.len())
                    .filter_map(|first| {
                        phrase_at(&parts, first, terms, *slop)
                            .map(|last| (parts[first].start, parts[last].end))
                    })
                    .collect()
            }
        }
    }

    /// Does `concept` match here? (All of an `AllOf`, any other alternative.)
    fn matches(&self, concept: &Concept) -> bool {
        concept.alternatives.iter().any(|m| match m {
            Matcher::AllOf(terms) => terms
                .iter()
                .all(|t| self.tokens.iter().any(|k| &k.term == t)),
            other => {
                let single = Concept {
                    alternatives: vec![other.clone()],
                    ..concept.clone()
                };
                !self.spans(&single).is_empty()
            }
        })
    }
}

/// Where each alternative of `concept` matches in `text`: the
/// alternative's index, and its spans (alternatives that match nowhere
/// are left out).
pub fn concept_spans(
    analyzer: &Analyzer,
    concept: &Concept,
    text: &str,
) -> Vec<(usize, Vec<(usize, usize)>)> {
    let analyzed = Analyzed::new(analyzer, text);
    concept
        .alternatives
        .iter()
        .enumerate()
        .map(|(i, m)| (i, analyzed.matcher_spans(m)))
        .filter(|(_, spans)| !spans.is_empty())
        .collect()
}

/// Byte ranges `[start, end)` of `quote` that match the plan, sorted and disjoint.
pub fn highlights(plan: &QueryPlan, analyzer: &Analyzer, quote: &str) -> Vec<(usize, usize)> {
    let analyzed = Analyzed::new(analyzer, quote);
    let mut spans = Vec::new();
    for concept in plan
        .concepts
        .iter()
        .filter(|c| c.role != Role::MustNot && c.scope == Scope::All)
    {
        spans.extend(analyzed.spans(concept));
    }
    merge(spans)
}

/// Whether a passage (its quote, and its title and heading as `context`)
/// satisfies the plan's boolean structure: every required concept, no
/// excluded one, and at least one concept if none is required. Used to
/// check candidates word for word under `--exact`.
pub fn satisfies(plan: &QueryPlan, analyzer: &Analyzer, quote: &str, context: &str) -> bool {
    let body = Analyzed::new(analyzer, quote);
    let ctx = Analyzed::new(analyzer, context);
    let found = |c: &Concept| ctx.matches(c) || (c.scope == Scope::All && body.matches(c));
    let mut any = false;
    let mut required = false;
    for c in &plan.concepts {
        match c.role {
            Role::MustNot if found(c) => return false,
            Role::Must if !found(c) => return false,
            Role::Must => {
                required = true;
                any = true;
            }
            Role::Should => any |= found(c),
            Role::MustNot => {}
        }
    }
    any || required
}

/// If the phrase starts at `parts[first]`, the index of its last part.
fn phrase_at(
    parts: &[&AnalyzedToken],
    first: usize,
    terms: &[(usize, String)],
    slop: u32,
) -> Option<usize> {
    let (_, head) = terms.first()?;
    if &parts[first].term != head {
        return None;
    }
    let mut budget = slop as usize;
    let mut last = first;
    let mut prev_rel = 0;
    for (rel, term) in &terms[1..] {
        let expected = last + (rel - prev_rel);
        let found = (expected..=expected + budget)
            .take_while(|&p| p < parts.len())
            .find(|&p| &parts[p].term == term)?;
        budget -= found - expected;
        last = found;
        prev_rel = *rel;
    }
    Some(last)
}

fn merge(mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    spans.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse;

    fn marked(query: &str, quote: &str) -> Vec<String> {
        let a = Analyzer::english();
        let plan = parse(query, &a).unwrap();
        highlights(&plan, &a, quote)
            .into_iter()
            .map(|(s, e)| quote[s..e].to_string())
            .collect()
    }

    #[test]
    fn words_are_marked_with_stemming() {
        assert_eq!(
            marked("provider", "Provider collaboratives and other providers."),
            vec!["Provider", "providers"]
        );
    }

    #[test]
    fn phrases_are_marked_only_where_they_occur() {
        assert_eq!(
            marked(
                "\"provider collaboratives\"",
                "provider trusts; provider collaboratives; collaboratives"
            ),
            vec!["provider collaboratives"]
        );
    }

    #[test]
    fn phrase_with_slop() {
        assert_eq!(
            marked("\"care board\"~1", "care boards, care integrated board"),
            vec!["care boards", "care integrated board"]
        );
    }

    #[test]
    fn exact_matching_is_word_for_word() {
        let a = Analyzer::exact();
        let plan = parse("organisation -trust", &a).unwrap();
        assert!(satisfies(&plan, &a, "the organisation works", ""));
        assert!(!satisfies(&plan, &a, "the organisations work", ""));
        assert!(!satisfies(&plan, &a, "the organisation trust", ""));
        assert!(!satisfies(&plan, &a, "the organization works", ""));
    }

    #[test]
    fn compounds_and_exclusions() {
        assert_eq!(
            marked("A&E -trust", "an A&E under pressure at the trust"),
            vec!["A&E"]
        );
    }
}
