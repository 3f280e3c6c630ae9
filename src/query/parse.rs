//! Query syntax: from what the user typed to a [`QueryPlan`].
//!
//! The syntax is tantivy's, parsed leniently (words, `"phrases"`, `"…"~N`,
//! `collab*`, `+required`, `-excluded`, `title:`, `source:`), so a malformed
//! query still answers. Each word or phrase becomes a [`Concept`]: the
//! alternatives that satisfy it (a compound's own term, or its parts as a
//! phrase). [`crate::query::expand`] then adds acronym expansions and spelling
//! corrections. Searching and highlighting both work from the plan, so what
//! is highlighted is exactly what matched.

use serde::Serialize;
use tantivy::query_grammar::{
    parse_query_lenient, Delimiter, Occur, UserInputAst, UserInputLeaf, UserInputLiteral,
};

use crate::analysis::{AnalyzedToken, Analyzer, STOP_WORDS};
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
    /// All of these terms, anywhere in the passage (in a search that does
    /// not require every concept, any of them counts).
    AllOf(Vec<String>),
    /// Indexed terms starting with a prefix (`collab*`).
    Prefix {
        /// The prefix, normalized but not stemmed.
        prefix: String,
        /// The indexed terms it stands for, filled in by [`crate::query::expand`].
        terms: Vec<String>,
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
    /// A single word as typed (not a phrase), open to acronym expansion and correction.
    pub word: bool,
}

/// A misspelt word and the indexed term searched instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Correction {
    /// The word as typed.
    pub from: String,
    /// What was searched instead, as it appears in the results.
    pub to: String,
}

/// A word or phrase that was also searched in another form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expansion {
    /// The word or phrase as typed.
    pub term: String,
    /// The acronyms or expansions also searched.
    pub also: Vec<String>,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryPlan {
    /// The query text as typed.
    pub text: String,
    /// Its concepts, in query order.
    pub concepts: Vec<Concept>,
    /// `source:` globs in the query.
    pub source_globs: Vec<String>,
    /// Words corrected to indexed terms.
    pub corrections: Vec<Correction>,
    /// Words and phrases also searched as acronyms or expansions.
    pub expansions: Vec<Expansion>,
}

impl QueryPlan {
    /// Concepts that find passages (not exclusions).
    pub fn positive(&self) -> impl Iterator<Item = &Concept> {
        self.concepts.iter().filter(|c| c.role != Role::MustNot)
    }

    /// Whether the plan finds fewer passages than any of its words would:
    /// it requires or excludes a concept, searches one in titles only, or
    /// has a phrase that must match as a phrase.
    pub fn narrows(&self) -> bool {
        self.concepts.iter().any(|c| {
            c.role != Role::Should
                || c.scope != Scope::All
                || c.alternatives
                    .iter()
                    .all(|m| matches!(m, Matcher::Phrase { terms, .. } if terms.len() >= 2))
        })
    }

    /// Whether ranking documents, which reads a phrase's words one by one,
    /// also finds documents none of whose passages match: the plan narrows,
    /// or a concept has a phrase of two or more words among its
    /// alternatives (an acronym's expansion, say).
    pub fn ranks_beyond_matches(&self) -> bool {
        self.narrows()
            || self.concepts.iter().any(|c| {
                c.alternatives
                    .iter()
                    .any(|m| matches!(m, Matcher::Phrase { terms, .. } if terms.len() >= 2))
            })
    }

    /// Whether any concept can match at all.
    pub fn is_empty(&self) -> bool {
        self.positive().next().is_none()
    }

    /// The same plan for counting matches: a phrase alternative that an
    /// `AllOf` of its words in the same concept already covers is dropped.
    /// In a disjunction it matches nothing more, yet its position checks
    /// cost more than the rest of the count.
    pub fn for_counting(&self) -> QueryPlan {
        let mut plan = self.clone();
        for c in &mut plan.concepts {
            let covers: Vec<&Vec<String>> = c
                .alternatives
                .iter()
                .filter_map(|m| match m {
                    Matcher::AllOf(terms) => Some(terms),
                    _ => None,
                })
                .collect();
            let redundant: Vec<bool> = c
                .alternatives
                .iter()
                .map(|m| match m {
                    Matcher::Phrase { terms, .. } => covers
                        .iter()
                        .any(|all| terms.iter().all(|(_, t)| all.contains(t))),
                    _ => false,
                })
                .collect();
            let mut i = 0;
            c.alternatives.retain(|_| {
                i += 1;
                !redundant[i - 1]
            });
        }
        // A passage that has only `what` or `the` of the query is not a
        // match worth counting (`what are the duties of ICBs` matched three
        // passages in four), and counting them reads the longest postings.
        if plan.positive().any(|c| !is_common_word(c)) {
            plan.concepts.retain(|c| !is_common(c));
        }
        plan
    }

    /// The words of a short query (two to four, common words aside, or one
    /// phrase) as the plan to count them by, when a passage with all of
    /// them should come before passages with some: what a reader of a few
    /// words expects (`personal health budgets`).
    pub fn short_words(&self) -> Option<QueryPlan> {
        let words = self.for_counting();
        let should: Vec<&Concept> = words
            .concepts
            .iter()
            .filter(|c| c.role == Role::Should && !is_common_word(c))
            .collect();
        // One concept of several words (`personal health budgets`, known
        // with its acronym) can be matched by some of them too.
        let several = |c: &&Concept| {
            c.alternatives.iter().any(|m| match m {
                Matcher::AllOf(terms) => terms.len() >= 2,
                Matcher::Phrase { terms, .. } => terms.len() >= 2,
                _ => false,
            })
        };
        let short = (2..=4).contains(&should.len()) || (should.len() == 1 && several(&should[0]));
        short.then_some(words)
    }

    /// Whether passages matching every concept should rank first: queries
    /// of 2–4 words, or any query with a multi-word expansion unit.
    pub fn prefers_all(&self) -> bool {
        let should: Vec<&Concept> = self
            .concepts
            .iter()
            .filter(|c| c.role == Role::Should)
            .collect();
        (2..=4).contains(&should.len())
            || should.iter().any(|c| {
                c.alternatives
                    .iter()
                    .any(|m| matches!(m, Matcher::AllOf(_)))
            })
    }
}

/// Parses `text` into a plan, analyzing words with `analyzer`.
pub fn parse(text: &str, analyzer: &Analyzer) -> Result<QueryPlan> {
    if text.trim().is_empty() {
        return Err(Error::Query("the query is empty".to_string()));
    }
    // Checked on the text the grammar sees: `/NOT` becomes ` NOT`. Tabs and
    // line breaks become spaces: the grammar takes time quadratic in the
    // words they separate.
    let grammar_text = dangling_operators(&literal_slashes(text))
        .replace(['\t', '\n', '\r', '\u{b}', '\u{c}'], " ");
    check_nesting(&grammar_text)?;
    check_fields(&grammar_text)?;
    let (ast, _errors) = parse_query_lenient(&grammar_text);
    let mut plan = QueryPlan {
        text: text.to_string(),
        concepts: Vec::new(),
        source_globs: Vec::new(),
        corrections: Vec::new(),
        expansions: Vec::new(),
    };
    collect(&ast, Role::Should, 1.0, analyzer, &mut plan)?;
    check_size(&plan)?;
    if plan.is_empty() {
        return Err(Error::Query(if plan.concepts.is_empty() {
            format!("no searchable words in {text:?}")
        } else {
            "a query needs at least one word that is not excluded".to_string()
        }));
    }
    check_content(&plan)?;
    Ok(plan)
}

/// The fields a query may name (`title:care`).
const FIELDS: [&str; 4] = ["title", "heading", "source", "path"];

/// Refuses `name:word` where `name` is not a field, rather than searching
/// something else than was meant; a colon followed by a space
/// (`outcomes: place`), a number (`10:30`) or a `/` (a URL) is text.
fn check_fields(text: &str) -> Result<()> {
    let mut quoted = false;
    for token in text.split(' ') {
        let outside = !quoted;
        quoted ^= token.matches('"').count() % 2 == 1;
        if !outside {
            continue;
        }
        let token = token.trim_start_matches(['+', '-', '(']);
        let Some((name, rest)) = token.split_once(':') else {
            continue;
        };
        let is_name = name.chars().next().is_some_and(|c| c.is_alphabetic())
            && name.chars().all(|c| c.is_alphanumeric() || c == '_');
        if is_name
            && !rest.is_empty()
            && !rest.starts_with('/')
            && !FIELDS.contains(&name.to_lowercase().as_str())
        {
            return Err(Error::Query(format!(
                "{name:?} in {token:?} is not a field; the fields are {}",
                FIELDS.map(|f| format!("{f}:")).join(", ")
            )));
        }
    }
    Ok(())
}

/// A word of no content as typed (`what`, `the`), in no particular role:
/// required (`+the`), excluded and title-only words are kept.
fn is_common(c: &Concept) -> bool {
    c.role == Role::Should
        && c.scope == Scope::All
        && (c.boost - 1.0).abs() <= f32::EPSILON
        && is_common_word(c)
}

/// A concept that is one common word: an acronym (`IT`) is a word with
/// content, whatever its letters, and a quoted phrase is deliberate.
fn is_common_word(c: &Concept) -> bool {
    !crate::analysis::glossary::is_acronym_shaped(&c.surface)
        && c.alternatives.iter().all(|m| match m {
            Matcher::Term(t) => STOP_WORDS.contains(&t.as_str()),
            _ => false,
        })
}

/// Refuses a query whose words are all common words (`the of and`): it
/// would match nearly every passage, ranked by nothing the user meant. A
/// quoted phrase of them (`"of the"`) is deliberate and searched.
fn check_content(plan: &QueryPlan) -> Result<()> {
    if plan.positive().all(is_common_word) {
        let words: Vec<&str> = plan.positive().map(|c| c.surface.as_str()).collect();
        return Err(Error::Query(format!(
            "nothing to search for: {:?} has only common words ({}); add a word that says \
             what the passage is about, or quote a phrase",
            plan.text,
            words.join(", ")
        )));
    }
    Ok(())
}

/// Largest slop of a phrase (`"…"~N`); larger values are taken as this.
/// Matching a phrase costs more the larger its slop, and within a passage
/// a few dozen words is already "anywhere".
pub const MAX_SLOP: u32 = 50;
/// Most words in one phrase.
pub const MAX_PHRASE_WORDS: usize = 32;
/// Most words and phrases in one query.
pub const MAX_CONCEPTS: usize = 256;

/// Deepest nesting of groups a query may have. Tantivy's query grammar
/// recurses once per `(` and per `NOT `, so thousands of them would overflow
/// the stack; no one needs more than a few.
pub const MAX_NESTING: usize = 32;

/// Refuses a query too big to answer in reasonable time: too many words
/// and phrases, or too long a phrase.
fn check_size(plan: &QueryPlan) -> Result<()> {
    if plan.concepts.len() > MAX_CONCEPTS {
        return Err(Error::Query(format!(
            "the query has {} words and phrases, more than the {MAX_CONCEPTS} a query may have; \
             keep the words that matter",
            plan.concepts.len()
        )));
    }
    let longest = plan
        .concepts
        .iter()
        .flat_map(|c| &c.alternatives)
        .map(|m| match m {
            Matcher::Phrase { terms, .. } => terms.len(),
            _ => 1,
        })
        .max()
        .unwrap_or(0);
    if longest > MAX_PHRASE_WORDS {
        return Err(Error::Query(format!(
            "a phrase (or words joined by punctuation) has {longest} words, more than the \
             {MAX_PHRASE_WORDS} a phrase may have; shorten it"
        )));
    }
    Ok(())
}

/// Refuses a query whose groups nest deeper than [`MAX_NESTING`], before the
/// grammar (which recurses) sees it. Counted conservatively: every `(`
/// (quoted or not, as the grammar's idea of quoting is not ours to
/// second-guess) and every `NOT` followed by a space or a group.
fn check_nesting(text: &str) -> Result<()> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    // `NOT NOT NOT a` nests; `NOT a NOT b` does not: a run of NOTs ends at
    // a word (a letter or digit; punctuation may be skipped by the grammar).
    let mut nots = 0usize;
    let mut deepest = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'(' {
            depth += 1;
        } else if b == b')' {
            depth = depth.saturating_sub(1);
        } else if bytes[i..].starts_with(b"NOT")
            && bytes
                .get(i + 3)
                .is_none_or(|c| c.is_ascii_whitespace() || *c == b'(')
        {
            nots += 1;
            i += 3;
            deepest = deepest.max(depth + nots);
            continue;
        } else if b.is_ascii_alphanumeric() || !b.is_ascii() {
            nots = 0;
        }
        deepest = deepest.max(depth + nots);
        i += 1;
    }
    if deepest > MAX_NESTING {
        return Err(Error::Query(format!(
            "the query nests parentheses or NOTs more than {MAX_NESTING} deep; \
             remove the extra parentheses"
        )));
    }
    Ok(())
}

/// The query with every slash that would open a regular expression in
/// tantivy's grammar (one at the start of a word: `myelopathy / paraparesis`,
/// `/TSP`) made a space. People type those as separators, and regular
/// expressions are not part of our syntax; slashes inside a word
/// (`NHSE/I`, `2022/23`) and inside quotes stay.
fn literal_slashes(text: &str) -> std::borrow::Cow<'_, str> {
    spaced(text, |prev, c, _| {
        c == '/' && prev.is_none_or(|p| p.is_whitespace() || matches!(p, '(' | '+' | '-' | ':'))
    })
}

/// The query with every `+` or `-` that does not start a word made a
/// space: `G - quadruplex` and `alpha (+)- thalassemia` exclude and require
/// nothing, where the grammar would exclude the next word. Nor does a sign
/// before a number: `+1 nucleosomes` and `-80 °C` are numbers as written,
/// not a required or an excluded "1".
fn dangling_operators(text: &str) -> std::borrow::Cow<'_, str> {
    spaced(text, |prev, c, next| {
        let starts_word = prev.is_none_or(|p| p.is_whitespace() || p == '(');
        matches!(c, '+' | '-')
            && (next.is_none_or(|n| !(n.is_alphanumeric() || matches!(n, '"' | '(' | '_')))
                || (starts_word && next.is_some_and(|n| n.is_ascii_digit())))
    })
}

/// `text` with the characters outside quotes that `is_operator` picks (given
/// the character before, as the grammar sees it, and after) made spaces.
fn spaced(
    text: &str,
    is_operator: impl Fn(Option<char>, char, Option<char>) -> bool,
) -> std::borrow::Cow<'_, str> {
    let mut quoted = false;
    let mut prev: Option<char> = None;
    let mut out: Option<String> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '"' {
            quoted = !quoted;
        }
        let next = chars.peek().map(|&(_, n)| n);
        let operator = !quoted && is_operator(prev, c, next);
        if operator {
            out.get_or_insert_with(|| text[..i].to_string()).push(' ');
        } else if let Some(o) = out.as_mut() {
            o.push(c);
        }
        // What the grammar sees: a character after one made a space
        // follows a space.
        prev = Some(if operator { ' ' } else { c });
    }
    out.map_or(std::borrow::Cow::Borrowed(text), std::borrow::Cow::Owned)
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
    plan: &mut QueryPlan,
) -> Result<()> {
    match ast {
        UserInputAst::Clause(clauses) => {
            for (occur, sub) in clauses {
                collect(sub, role_of(*occur, role), boost, analyzer, plan)?;
            }
        }
        UserInputAst::Boost(sub, factor) => {
            collect(
                sub,
                role,
                boost * factor.into_inner() as f32,
                analyzer,
                plan,
            )?;
        }
        UserInputAst::Leaf(leaf) => match leaf.as_ref() {
            UserInputLeaf::Literal(lit) => literal(lit, role, boost, analyzer, plan),
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
    plan: &mut QueryPlan,
) {
    let scope = match lit.field_name.as_deref() {
        Some("title") | Some("heading") => Scope::Title,
        Some("source") | Some("path") => {
            if !lit.phrase.trim().is_empty() {
                plan.source_globs.push(lit.phrase.trim().to_string());
            }
            return;
        }
        Some(other) => {
            // Not a field of ours: a stray colon (`outcomes: place`). Search the
            // word before it too, rather than silently dropping it.
            push_words(other, false, role, boost, Scope::All, analyzer, plan);
            Scope::All
        }
        None => Scope::All,
    };
    let quoted = lit.delimiter != Delimiter::None;
    let text = lit.phrase.trim();
    // `collab*` reaches us as the word `collab*`; `"collab"*` as a prefix literal.
    let stem = text
        .strip_suffix('*')
        .filter(|s| !s.is_empty() && !s.contains('*'));
    if quoted && text.contains(char::is_whitespace) {
        let slop = lit.slop.min(MAX_SLOP);
        if let Some(c) = phrase_concept(text, slop, role, boost, scope, analyzer) {
            plan.concepts.push(c);
        }
    } else if let (Some(stem), false) = (stem, quoted) {
        push_words(stem, true, role, boost, scope, analyzer, plan);
    } else {
        push_words(text, lit.prefix, role, boost, scope, analyzer, plan);
    }
}

fn push_words(
    text: &str,
    prefix: bool,
    role: Role,
    boost: f32,
    scope: Scope,
    analyzer: &Analyzer,
    plan: &mut QueryPlan,
) {
    let concept = if prefix {
        prefix_concept(text, role, boost, scope)
    } else {
        word_concept(text, &tokens(text, analyzer), role, boost, scope)
    };
    if let Some(c) = concept {
        let duplicate = plan
            .concepts
            .iter()
            .any(|o| o.alternatives == c.alternatives && o.scope == c.scope && o.role == c.role);
        if !duplicate {
            plan.concepts.push(c);
        }
    }
}

fn tokens(text: &str, analyzer: &Analyzer) -> Vec<AnalyzedToken> {
    let mut v = Vec::new();
    analyzer.analyze(text, |t| v.push(t));
    v
}

/// `collab*`: indexed terms starting with the (unstemmed) prefix.
fn prefix_concept(text: &str, role: Role, boost: f32, scope: Scope) -> Option<Concept> {
    let prefix = Analyzer::exact().normalize_part(text.trim().trim_end_matches('*'))?;
    Some(Concept {
        surface: format!("{}*", text.trim().trim_end_matches('*')),
        alternatives: vec![Matcher::Prefix {
            prefix,
            terms: Vec::new(),
        }],
        scope,
        role,
        boost,
        word: false,
    })
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
        word: true,
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
    match parts.len() {
        0 => None,
        1 => word_concept(text, &tokens, role, boost, scope),
        _ => {
            // Sloppy matching of a phrase that repeats a word takes time
            // exponential in the repeats (`"care care … care"~50` runs for
            // minutes on one passage); such a phrase is matched exactly.
            let mut seen = std::collections::HashSet::new();
            let repeats = parts.iter().any(|t| !seen.insert(t.term.as_str()));
            let slop = if repeats { 0 } else { slop };
            Some(Concept {
                surface: format!("\"{text}\""),
                alternatives: vec![phrase_of(&parts, slop)],
                scope,
                role,
                boost,
                word: false,
            })
        }
    }
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

/// A phrase matcher over consecutive terms.
pub fn phrase(terms: &[String]) -> Matcher {
    match terms {
        [one] => Matcher::Term(one.clone()),
        _ => Matcher::Phrase {
            terms: terms.iter().cloned().enumerate().collect(),
            slop: 0,
        },
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
        assert!(p.concepts[0].word && !p.concepts[3].word);
    }

    #[test]
    fn an_expansion_phrase_makes_ranking_reach_past_the_matches() {
        // Plain words: every document ranked has a passage that matches.
        assert!(!plan("primary care").ranks_beyond_matches());
        // An acronym with its expansion: ranking reads the expansion's
        // words one by one, so it finds documents with only some of them.
        let mut p = plan("MHRA");
        assert!(!p.ranks_beyond_matches());
        p.concepts[0]
            .alternatives
            .push(phrase(&["medicin".into(), "regulatori".into()]));
        assert!(p.ranks_beyond_matches() && !p.narrows());
        // A quoted phrase narrows, and so reaches past the matches too.
        assert!(plan("\"place based\"").ranks_beyond_matches());
    }

    #[test]
    fn counting_drops_only_phrases_their_words_cover() {
        let mut p = plan("\"place based\" care");
        p.concepts[1].alternatives = vec![
            phrase(&["mental".into(), "health".into()]),
            Matcher::AllOf(vec!["mental".into(), "health".into()]),
            Matcher::Term("mh".into()),
        ];
        let counting = p.for_counting();
        // A quoted phrase has no words to fall back on: it stays.
        assert_eq!(counting.concepts[0], p.concepts[0]);
        assert_eq!(
            counting.concepts[1].alternatives,
            vec![
                Matcher::AllOf(vec!["mental".into(), "health".into()]),
                Matcher::Term("mh".into()),
            ]
        );
    }

    #[test]
    fn short_queries_rank_passages_with_every_word_first() {
        let short = |q: &str| plan(q).short_words().is_some();
        assert!(short("dental access recovery"));
        assert!(short("what are the duties of boards"));
        assert!(!short("care"));
        assert!(!short("what is discharge"));
        assert!(!short("dental access recovery plan for coastal towns"));
    }

    #[test]
    fn counting_leaves_out_common_words_beside_words_with_content() {
        let surfaces = |q: &str| -> Vec<String> {
            plan(q)
                .for_counting()
                .concepts
                .iter()
                .map(|c| c.surface.clone())
                .collect()
        };
        assert_eq!(surfaces("what are the duties of ICBs"), ["duties", "ICBs"]);
        // Required, excluded, quoted and acronym-shaped words stay.
        assert_eq!(surfaces("+what duties -the"), ["what", "duties", "the"]);
        assert_eq!(surfaces("IT systems"), ["IT", "systems"]);
        assert_eq!(surfaces("\"what works\" centre").len(), 2);
    }

    #[test]
    fn slashes_between_words_are_separators_not_regexes() {
        assert_eq!(literal_slashes("NHSE/I 2022/23"), "NHSE/I 2022/23");
        assert_eq!(literal_slashes("a ///b/"), "a    b/");
        assert_eq!(
            literal_slashes("myelopathy / paraparesis (HAM/TSP) /x \"a / b\""),
            "myelopathy   paraparesis (HAM/TSP)  x \"a / b\""
        );
        let p = plan("myelopathy / tropical spastic paraparesis (HAM/TSP) patients");
        assert!(p.concepts.len() >= 5, "{:?}", p.concepts);
    }

    #[test]
    fn a_sign_that_starts_no_word_is_not_an_operator() {
        assert_eq!(dangling_operators("G - quadruplex"), "G   quadruplex");
        assert_eq!(dangling_operators("alpha (+)- thal"), "alpha ( )  thal");
        assert_eq!(
            dangling_operators("-x +y long-term \"a - b\""),
            "-x +y long-term \"a - b\""
        );
        for text in [
            "Pyridostatin destabilizes the G - quadruplex",
            "alpha (+)- thalassemia",
        ] {
            let p = plan(text);
            assert!(
                p.concepts.iter().all(|c| c.role == Role::Should),
                "{text}: {:?}",
                p.concepts
            );
        }
        assert_eq!(plan("care -social").concepts[1].role, Role::MustNot);
        assert_eq!(
            dangling_operators("stabilizing +1 nucleosomes at -80 C, IL-6 +x"),
            "stabilizing  1 nucleosomes at  80 C, IL-6 +x"
        );
        let p = plan("stabilizing +1 nucleosomes");
        assert!(
            p.concepts.iter().all(|c| c.role == Role::Should),
            "{:?}",
            p.concepts
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
    fn prefixes_and_sources() {
        let p = plan("collab* source:seeds/*.txt");
        assert_eq!(
            p.concepts[0].alternatives,
            vec![Matcher::Prefix {
                prefix: "collab".into(),
                terms: vec![]
            }]
        );
        assert_eq!(p.source_globs, vec!["seeds/*.txt"]);
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
            "*",
            "a*b*",
        ] {
            let _ = parse(q, &Analyzer::english());
        }
        let p = plan("outcomes: place");
        assert_eq!(p.concepts.len(), 2);
    }

    #[test]
    fn deep_nesting_is_refused_before_the_grammar_recurses() {
        let a = Analyzer::english();
        let ok = format!("{}care{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        assert!(parse(&ok, &a).is_ok());
        let _ = parse(&format!("{}care", "NOT ".repeat(MAX_NESTING)), &a);
        assert!(parse(&format!("care {}", "NOT x ".repeat(500)), &a).is_ok());
        for q in [
            format!("{}care", "(".repeat(3000)),
            format!("{}care{}", "(".repeat(100_000), ")".repeat(100_000)),
            format!("care {}", "NOT ".repeat(5000)),
            format!("{}care", "NOT(".repeat(5000)),
            format!("\"{}\"", "(".repeat(5000)),
            "/NOT ".repeat(5000),
            "-NOT +NOT ".repeat(5000),
        ] {
            match parse(&q, &a) {
                Err(Error::Query(why)) => assert!(why.contains("deep"), "{why}"),
                other => panic!("{other:?}"),
            }
        }
        // Closed groups side by side are not nested.
        assert!(parse(&"(care) ".repeat(200), &a).is_ok());
    }

    #[test]
    fn costly_queries_are_bounded() {
        let a = Analyzer::english();
        let p = plan("\"integrated care board\"~1000");
        assert!(matches!(
            p.concepts[0].alternatives[0],
            Matcher::Phrase { slop: MAX_SLOP, .. }
        ));
        let care = vec!["care"; 30].join(" ");
        for q in [
            format!("\"{care}\"~1000"),
            "\"care homes give care\"~3".to_string(),
        ] {
            let p = plan(&q);
            assert!(matches!(
                p.concepts[0].alternatives[0],
                Matcher::Phrase { slop: 0, .. }
            ));
        }
        let long = (0..=MAX_PHRASE_WORDS)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>();
        assert!(parse(&format!("\"{}\"", long.join(" ")), &a).is_err());
        assert!(parse(&long.join("-"), &a).is_err());
        let many = (0..=MAX_CONCEPTS)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>();
        assert!(parse(&many.join(" "), &a).is_err());
        assert!(parse(&many[..MAX_CONCEPTS].join(" "), &a).is_ok());
    }

    /// Query text from syntax characters, operators, fields and words.
    fn syntax_soup() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            proptest::string::string_regex(r#"[()"~^+\-:*\\/\[\]{}!?&|<>=.,;'0-9 ]{1,4}"#).unwrap(),
            Just("AND ".to_string()),
            Just("OR ".to_string()),
            Just("NOT ".to_string()),
            Just(" TO ".to_string()),
            Just(" IN ".to_string()),
            Just("title:".to_string()),
            Just("source:".to_string()),
            Just("~1000".to_string()),
            Just("^0.5".to_string()),
            Just("NHSE/I".to_string()),
            Just("A&E".to_string()),
            Just("COVID-19".to_string()),
            Just("café".to_string()),
            proptest::string::string_regex("[a-zA-Z]{1,10}").unwrap(),
            any::<char>().prop_map(String::from),
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    fn check_plan(q: &str, a: &Analyzer) {
        let Ok(p) = parse(q, a) else { return };
        assert!(!p.is_empty());
        assert!(p.concepts.len() <= MAX_CONCEPTS);
        for m in p.concepts.iter().flat_map(|c| &c.alternatives) {
            if let Matcher::Phrase { terms, slop } = m {
                assert!(*slop <= MAX_SLOP && terms.len() <= MAX_PHRASE_WORDS);
            }
        }
        // Highlighting the query's own text with its plan stays on char boundaries.
        for (s, e) in crate::search::highlight::highlights(&p, a, q) {
            assert!(s < e && e <= q.len() && q.is_char_boundary(s) && q.is_char_boundary(e));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        #[test]
        fn any_text_parses_or_is_refused_without_panic(q in "\\PC{0,300}") {
            check_plan(&q, &Analyzer::english());
        }

        #[test]
        fn query_syntax_soup_parses_or_is_refused_without_panic(q in syntax_soup()) {
            check_plan(&q, &Analyzer::english());
            check_plan(&q, &Analyzer::exact());
        }
    }

    #[test]
    fn only_exclusions_is_an_error() {
        assert!(parse("-finance", &Analyzer::english()).is_err());
        assert!(parse("   ", &Analyzer::english()).is_err());
    }
}
