//! Highlighting: the byte spans of a quote that the query matched.
//!
//! The quote is re-analyzed with the index's analyzer and matched against the
//! same [`QueryPlan`] the search ran, so a phrase is marked where the phrase
//! occurs — not each of its words wherever they appear.

use crate::analysis::{AnalyzedToken, Analyzer};
use crate::query::{Matcher, QueryPlan, Role, Scope};

/// Byte ranges `[start, end)` of `quote` that match the plan, sorted and disjoint.
pub fn highlights(plan: &QueryPlan, analyzer: &Analyzer, quote: &str) -> Vec<(usize, usize)> {
    let mut tokens: Vec<AnalyzedToken> = Vec::new();
    analyzer.analyze(quote, |t| tokens.push(t));
    // Parts have consecutive positions from 0, so `parts[p]` is at position `p`.
    let parts: Vec<&AnalyzedToken> = tokens.iter().filter(|t| !t.compound).collect();
    let mut spans = Vec::new();
    for concept in plan
        .concepts
        .iter()
        .filter(|c| c.role != Role::MustNot && c.scope == Scope::All)
    {
        for matcher in &concept.alternatives {
            match matcher {
                Matcher::Term(term) => {
                    spans.extend(
                        tokens
                            .iter()
                            .filter(|t| &t.term == term)
                            .map(|t| (t.start, t.end)),
                    );
                }
                Matcher::Phrase { terms, slop } => {
                    for first in 0..parts.len() {
                        if let Some(last) = phrase_at(&parts, first, terms, *slop) {
                            spans.push((parts[first].start, parts[last].end));
                        }
                    }
                }
            }
        }
    }
    merge(spans)
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
    fn compounds_and_exclusions() {
        assert_eq!(
            marked("A&E -trust", "an A&E under pressure at the trust"),
            vec!["A&E"]
        );
    }
}
