//! `--explain`: why a hit ranked where it did. Which of the query's words
//! it matched, in what form and where, and what its score is made of, so
//! an analyst can defend why a search found what it found.

use serde::Serialize;

use super::highlight::concept_spans;
use super::passages::ScoreParts;
use crate::analysis::Analyzer;
use crate::query::{Correction, Matcher, QueryPlan, Role};

/// Why one hit ranked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The query's words and what they matched in the passage.
    pub matches: Vec<WordMatch>,
    /// What the score is made of, where the hit came from ranking whole
    /// documents; `None` for passages ranked on their own (`--exact`, or
    /// matching only in a heading).
    pub score: Option<ScoreParts>,
}

/// One query word (or phrase) and what it matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WordMatch {
    /// The word or phrase as the query wrote it.
    pub query: String,
    /// What it matched, as the document writes it.
    pub found: String,
    /// How.
    pub how: How,
    /// Where: the passage's own words, or its document's title or heading.
    pub field: Field,
}

/// How a query word matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum How {
    /// Word for word (ignoring case).
    Literal,
    /// Another form of the word: a plural, a stem, a UK or US spelling.
    Stem,
    /// A prefix (`collab*`).
    Prefix,
    /// An acronym's expansion, or the acronym of an expansion.
    Expansion,
    /// The word as corrected (it was found in no passage as typed).
    Correction,
}

/// Where a word matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The passage itself.
    Text,
    /// Its document's title or the heading above it.
    TitleOrHeading,
}

/// What each word of `plan` matched in `quote` and in `context` (the
/// title and heading), with how.
pub fn matches(
    plan: &QueryPlan,
    analyzer: &Analyzer,
    corrections: &[Correction],
    quote: &str,
    context: &str,
) -> Vec<WordMatch> {
    let mut out: Vec<WordMatch> = Vec::new();
    for concept in plan.concepts.iter().filter(|c| c.role != Role::MustNot) {
        let corrected = corrections.iter().any(|c| c.from == concept.surface);
        for (field, text) in [(Field::Text, quote), (Field::TitleOrHeading, context)] {
            for (alternative, spans) in concept_spans(analyzer, concept, text) {
                for (start, end) in spans {
                    let found = text[start..end].to_string();
                    let how = match &concept.alternatives[alternative] {
                        _ if corrected => How::Correction,
                        _ if alternative > 0 => How::Expansion,
                        Matcher::Prefix { .. } => How::Prefix,
                        _ if same_words(&found, &concept.surface) => How::Literal,
                        _ => How::Stem,
                    };
                    let m = WordMatch {
                        query: concept.surface.clone(),
                        found,
                        how,
                        field,
                    };
                    let seen = out.iter().any(|o| {
                        o.query == m.query
                            && o.how == m.how
                            && o.field == m.field
                            && o.found.to_lowercase() == m.found.to_lowercase()
                    });
                    if !seen {
                        out.push(m);
                    }
                }
            }
        }
    }
    out
}

/// The same words, ignoring case and punctuation between them.
fn same_words(a: &str, b: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric() && c != '&' && c != '/')
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    words(a) == words(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse;

    fn explain(query: &str, quote: &str, context: &str) -> Vec<(String, String, How, Field)> {
        let a = Analyzer::english();
        let plan = parse(query, &a).unwrap();
        matches(&plan, &a, &[], quote, context)
            .into_iter()
            .map(|m| (m.query, m.found, m.how, m.field))
            .collect()
    }

    #[test]
    fn literal_stem_and_field() {
        let got = explain(
            "provider board",
            "Providers and a provider collaborative met.",
            "Board papers",
        );
        let has = |q: &str, found: &str, how: How, field: Field| {
            got.contains(&(q.to_string(), found.to_string(), how, field))
        };
        assert!(
            has("provider", "provider", How::Literal, Field::Text),
            "{got:?}"
        );
        assert!(
            has("provider", "Providers", How::Stem, Field::Text),
            "{got:?}"
        );
        assert!(
            has("board", "Board", How::Literal, Field::TitleOrHeading),
            "{got:?}"
        );
        assert!(!got.iter().any(|g| g.0 == "board" && g.3 == Field::Text));
    }
}
