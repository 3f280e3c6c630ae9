//! Query understanding: from what the user typed to a [`QueryPlan`].
//!
//! The syntax is tantivy's, parsed leniently (words, `"phrases"`, `"…"~N`,
//! `+required`, `-excluded`, `title:`), so a malformed query still answers.
//! Each word or phrase becomes a [`Concept`]: the alternatives that satisfy it
//! (a compound's own term, or its parts as a phrase). Searching and
//! highlighting both work from the plan, so what is highlighted is exactly
//! what matched.

use tantivy::query_grammar::{
    parse_query_lenient, Delimiter, Occur, UserInputAst, UserInputLeaf, UserInputLiteral,
};

use crate::analysis::{AnalyzedToken, Analyzer};
use crate::error::{Error, Result};

/// One way to satisfy a concept.
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// A single analyzed term.
    Term(String),
    /// Terms at the given relative positions, within `slop` moves.
    Phrase {
        /// `(relative position, term)` pairs, in order.
        terms: Vec<(usize, String)>,
        /// Allowed position moves.
        slop: u32,
    },
}

/// Which fields a concept is searched in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The passage text, with its title and heading counting extra.
    All,
    /// The title and heading only (`title:`).
    Title,
}

/// How a concept constrains results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Counts toward the score; short queries prefer passages with all of these.
    Should,
    /// Must be present (`+word`).
    Must,
    /// Must be absent (`-word`).
    MustNot,
}

/// A word or phrase of the query, with the ways it can match.
#[derive(Debug, Clone, PartialEq)]
pub struct Concept {
    /// What the user wrote for it.
    pub surface: String,
    /// Any one of these satisfies the concept.
    pub alternatives: Vec<Matcher>,
    /// Where it is searched.
    pub scope: Scope,
    /// Its role.
    pub role: Role,
    /// Score multiplier (`word^2`).
    pub boost: f32,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryPlan {
    /// The query text as typed.
    pub text: String,
    /// Its concepts, in query order.
    pub concepts: Vec<Concept>,
}

impl QueryPlan {
    /// Concepts that find passages (not exclusions).
    pub fn positive(&self) -> impl Iterator<Item = &Concept> {
        self.concepts.iter().filter(|c| c.role != Role::MustNot)
    }

    /// Whether any concept can match at all.
    pub fn is_empty(&self) -> bool {
        self.positive().next().is_none()
    }
}

/// Parses `text` into a plan, analyzing words with `analyzer`.
pub fn parse(text: &str, analyzer: &Analyzer) -> Result<QueryPlan> {
    if text.trim().is_empty() {
        return Err(Error::Query("the query is empty".to_string()));
    }
    let (ast, _errors) = parse_query_lenient(text);
    let mut concepts = Vec::new();
    collect(&ast, Role::Should, 1.0, analyzer, &mut concepts)?;
    let plan = QueryPlan {
        text: text.to_string(),
        concepts,
    };
    if plan.is_empty() {
        return Err(Error::Query(if plan.concepts.is_empty() {
            format!("no searchable words in {text:?}")
        } else {
            "a query needs at least one word that is not excluded".to_string()
        }));
    }
    Ok(plan)
}

fn role_of(occur: Option<Occur>, outer: Role) -> Role {
    match (outer, occur) {
        (Role::MustNot, _) | (_, Some(Occur::MustNot)) => Role::MustNot,
        (Role::Must, _) | (_, Some(Occur::Must)) => Role::Must,
        _ => Role::Should,
    }
}

fn collect(
    ast: &UserInputAst,
    role: Role,
    boost: f32,
    analyzer: &Analyzer,
    out: &mut Vec<Concept>,
) -> Result<()> {
    match ast {
        UserInputAst::Clause(clauses) => {
            for (occur, sub) in clauses {
                collect(sub, role_of(*occur, role), boost, analyzer, out)?;
            }
        }
        UserInputAst::Boost(sub, factor) => {
            collect(sub, role, boost * factor.into_inner() as f32, analyzer, out)?;
        }
        UserInputAst::Leaf(leaf) => match leaf.as_ref() {
            UserInputLeaf::Literal(lit) => literal(lit, role, boost, analyzer, out),
            UserInputLeaf::All => {}
            UserInputLeaf::Range { .. } => {
                return Err(Error::Query(
                    "range queries ([a TO b]) are not supported".to_string(),
                ))
            }
            UserInputLeaf::Set { .. } => {
                return Err(Error::Query(
                    "set queries (IN [...]) are not supported".to_string(),
                ))
            }
            UserInputLeaf::Regex { .. } => {
                return Err(Error::Query(
                    "regular expressions are not supported".to_string(),
                ))
            }
            UserInputLeaf::Exists { .. } => {
                return Err(Error::Query(
                    "field existence queries are not supported".to_string(),
                ))
            }
        },
    }
    Ok(())
}

fn literal(
    lit: &UserInputLiteral,
    role: Role,
    boost: f32,
    analyzer: &Analyzer,
    out: &mut Vec<Concept>,
) {
    let scope = match lit.field_name.as_deref() {
        Some("title") | Some("heading") => Scope::Title,
        Some(other) => {
            // Not a field of ours: a stray colon (`outcomes: place`). Search the
            // word before it too, rather than silently dropping it.
            push_words(other, role, boost, Scope::All, analyzer, out);
            Scope::All
        }
        None => Scope::All,
    };
    let quoted = lit.delimiter != Delimiter::None;
    if quoted {
        if let Some(c) = phrase_concept(&lit.phrase, lit.slop, role, boost, scope, analyzer) {
            out.push(c);
        }
    } else {
        push_words(&lit.phrase, role, boost, scope, analyzer, out);
    }
}

fn push_words(
    text: &str,
    role: Role,
    boost: f32,
    scope: Scope,
    analyzer: &Analyzer,
    out: &mut Vec<Concept>,
) {
    let tokens = tokens(text, analyzer);
    if tokens.is_empty() {
        return;
    }
    if let Some(c) = word_concept(text, &tokens, role, boost, scope) {
        if !out
            .iter()
            .any(|o| o.alternatives == c.alternatives && o.scope == c.scope && o.role == c.role)
        {
            out.push(c);
        }
    }
}

fn tokens(text: &str, analyzer: &Analyzer) -> Vec<AnalyzedToken> {
    let mut v = Vec::new();
    analyzer.analyze(text, |t| v.push(t));
    v
}

/// An unquoted word: its term, or for a compound its own term (and, for
/// hyphenated words, its parts as a phrase: `place-based` = `place based`).
fn word_concept(
    surface: &str,
    tokens: &[AnalyzedToken],
    role: Role,
    boost: f32,
    scope: Scope,
) -> Option<Concept> {
    let parts: Vec<&AnalyzedToken> = tokens.iter().filter(|t| !t.compound).collect();
    let compounds: Vec<&AnalyzedToken> = tokens.iter().filter(|t| t.compound).collect();
    let mut alternatives = Vec::new();
    if compounds.len() == 1 && parts.len() > 1 && compounds[0].start == tokens[0].start {
        let c = &compounds[0].term;
        alternatives.push(Matcher::Term(c.clone()));
        if c.contains('-') {
            alternatives.push(phrase_of(&parts, 0));
        }
    } else if parts.len() == 1 {
        alternatives.push(Matcher::Term(parts[0].term.clone()));
    } else if !parts.is_empty() {
        alternatives.push(phrase_of(&parts, 0));
    }
    (!alternatives.is_empty()).then(|| Concept {
        surface: surface.to_string(),
        alternatives,
        scope,
        role,
        boost,
    })
}

/// A quoted phrase: its parts at their relative positions.
fn phrase_concept(
    text: &str,
    slop: u32,
    role: Role,
    boost: f32,
    scope: Scope,
    analyzer: &Analyzer,
) -> Option<Concept> {
    let tokens = tokens(text, analyzer);
    let parts: Vec<&AnalyzedToken> = tokens.iter().filter(|t| !t.compound).collect();
    if parts.is_empty() {
        return None;
    }
    // A quoted single word (`"A&E"`) is that word, compound and all.
    let single_word = !text.trim().contains(char::is_whitespace);
    if parts.len() == 1 || single_word {
        return word_concept(text, &tokens, role, boost, scope);
    }
    Some(Concept {
        surface: format!("\"{text}\""),
        alternatives: vec![phrase_of(&parts, slop)],
        scope,
        role,
        boost,
    })
}

fn phrase_of(parts: &[&AnalyzedToken], slop: u32) -> Matcher {
    let base = parts[0].position;
    Matcher::Phrase {
        terms: parts
            .iter()
            .map(|t| (t.position - base, t.term.clone()))
            .collect(),
        slop,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(q: &str) -> QueryPlan {
        parse(q, &Analyzer::english()).unwrap()
    }

    #[test]
    fn words_phrases_and_roles() {
        let p = plan("provider +collaboratives -finance \"place based\"~2");
        assert_eq!(p.concepts.len(), 4);
        assert_eq!(
            p.concepts[0].alternatives,
            vec![Matcher::Term("provid".into())]
        );
        assert_eq!(p.concepts[1].role, Role::Must);
        assert_eq!(p.concepts[2].role, Role::MustNot);
        assert_eq!(
            p.concepts[3].alternatives,
            vec![Matcher::Phrase {
                terms: vec![(0, "place".into()), (1, "base".into())],
                slop: 2
            }]
        );
    }

    #[test]
    fn compounds() {
        let p = plan("A&E place-based");
        assert_eq!(
            p.concepts[0].alternatives,
            vec![Matcher::Term("a&e".into())]
        );
        assert_eq!(p.concepts[1].alternatives.len(), 2);
        let q = plan("\"A&E\"");
        assert_eq!(
            q.concepts[0].alternatives,
            vec![Matcher::Term("a&e".into())]
        );
    }

    #[test]
    fn malformed_queries_do_not_fail() {
        for q in [
            "\"unbalanced quote",
            "outcomes: place",
            "title:",
            "((a",
            "a AND",
            "^^",
            "NHSE/I",
        ] {
            let _ = parse(q, &Analyzer::english());
        }
        let p = plan("outcomes: place");
        assert_eq!(p.concepts.len(), 2);
    }

    #[test]
    fn only_exclusions_is_an_error() {
        assert!(parse("-finance", &Analyzer::english()).is_err());
        assert!(parse("   ", &Analyzer::english()).is_err());
    }
}
