//! What the index knows about terms: how many passages use a term, which
//! indexed terms are close to a misspelt one or start with a prefix, and
//! which acronym definitions the documents themselves contain.
//!
//! Query rewriting (`query::expand`) asks these questions through the
//! [`Lexicon`] trait, so it can be tested without an index.

use std::collections::HashMap;

use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder, DFA};
use tantivy::collector::{DocSetCollector, TopDocs};
use tantivy::query::TermQuery;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, Order, Searcher, Term};

use super::documents;
use crate::analysis::glossary::Definition;
use crate::index::schema::{Fields, KIND_DEFINITION};

/// Questions about the indexed vocabulary.
pub trait Lexicon {
    /// Passages whose text, title or heading contain `term`.
    fn doc_freq(&self, term: &str) -> u64;
    /// Indexed terms within `max_distance` edits of `term`: `(term, doc_freq, distance)`.
    fn similar_terms(&self, term: &str, max_distance: u8) -> Vec<(String, u64, u8)>;
    /// Indexed terms starting with `prefix`, most frequent first, at most `limit`.
    fn terms_with_prefix(&self, prefix: &str, limit: usize) -> Vec<String>;
    /// Definitions found in the documents for an acronym key.
    fn defined_acronym(&self, acronym_key: &str) -> Vec<Definition>;
    /// Definitions found in the documents whose expansion has this key.
    fn defined_expansion(&self, expansion_key: &str) -> Vec<Definition>;
}

/// A [`Lexicon`] over an index snapshot.
pub struct IndexLexicon<'a> {
    searcher: &'a Searcher,
    fields: Fields,
}

impl<'a> IndexLexicon<'a> {
    /// Looks terms up in `searcher`'s snapshot.
    pub fn new(searcher: &'a Searcher, fields: Fields) -> Self {
        IndexLexicon { searcher, fields }
    }

    fn text_fields(&self) -> [Field; 2] {
        [self.fields.body, self.fields.context]
    }

    /// Every acronym definition found in the indexed documents.
    pub fn all_definitions(&self) -> Vec<Definition> {
        let kind = Term::from_field_u64(self.fields.kind, KIND_DEFINITION);
        let query = TermQuery::new(kind, IndexRecordOption::Basic);
        let Ok(addrs) = self.searcher.search(&query, &DocSetCollector) else {
            return Vec::new();
        };
        let mut defs = self.load(addrs.into_iter());
        defs.sort_by(|a, b| {
            a.acronym
                .cmp(&b.acronym)
                .then_with(|| a.expansion.cmp(&b.expansion))
        });
        defs
    }

    /// The definitions whose `field` is `key`: at most 50, those of the
    /// files first by key, each file's in the order it gives them. Their
    /// scores are all equal, and ties would fall by where the indexing
    /// threads happened to put them; the first of an expansion decides how
    /// it is written and searched.
    fn definitions(&self, field: Field, key: &str) -> Vec<Definition> {
        let query = TermQuery::new(Term::from_field_text(field, key), IndexRecordOption::Basic);
        let by_file = TopDocs::with_limit(50).order_by_u64_field("file_key", Order::Asc);
        let Ok(top) = self.searcher.search(&query, &by_file) else {
            return Vec::new();
        };
        let mut defs = self.load(top.into_iter().map(|(_, addr)| addr));
        defs.sort_by(|a, b| {
            a.origin
                .cmp(&b.origin)
                .then_with(|| a.acronym.cmp(&b.acronym))
                .then_with(|| a.expansion.cmp(&b.expansion))
        });
        defs
    }

    /// The definitions stored at `addrs`, those that still pass the miner's
    /// rule (an index built by an older one may hold laxer ones).
    fn load(&self, addrs: impl Iterator<Item = DocAddress>) -> Vec<Definition> {
        let f = &self.fields;
        addrs
            .filter_map(|addr| crate::index::stored_doc(self.searcher, addr).ok())
            .filter_map(|doc| documents::read_definition(f, &doc))
            .filter(|d| crate::analysis::glossary::spells(&d.acronym, &d.expansion))
            .collect()
    }
}

impl Lexicon for IndexLexicon<'_> {
    fn doc_freq(&self, term: &str) -> u64 {
        self.text_fields()
            .iter()
            .map(|&f| {
                self.searcher
                    .doc_freq(&Term::from_field_text(f, term))
                    .unwrap_or(0)
            })
            .sum()
    }

    fn similar_terms(&self, term: &str, max_distance: u8) -> Vec<(String, u64, u8)> {
        let builder = LevenshteinAutomatonBuilder::new(max_distance, true);
        let dfa = builder.build_dfa(term);
        let mut found: HashMap<String, u64> = HashMap::new();
        for segment in self.searcher.segment_readers() {
            let Ok(inverted) = segment.inverted_index(self.fields.body) else {
                continue;
            };
            let Ok(mut stream) = inverted.terms().search(DfaAutomaton(&dfa)).into_stream() else {
                continue;
            };
            while let Some((key, info)) = stream.next() {
                if let Ok(t) = std::str::from_utf8(key) {
                    *found.entry(t.to_string()).or_default() += u64::from(info.doc_freq);
                }
            }
        }
        found
            .into_iter()
            .filter(|(t, _)| t != term)
            .map(|(t, df)| {
                let d = match dfa.eval(t.as_bytes()) {
                    Distance::Exact(d) => d,
                    Distance::AtLeast(d) => d,
                };
                (t, df, d)
            })
            .collect()
    }

    fn terms_with_prefix(&self, prefix: &str, limit: usize) -> Vec<String> {
        let mut found: HashMap<String, u64> = HashMap::new();
        for segment in self.searcher.segment_readers() {
            let Ok(inverted) = segment.inverted_index(self.fields.body) else {
                continue;
            };
            let Ok(mut stream) = inverted.terms().range().ge(prefix.as_bytes()).into_stream()
            else {
                continue;
            };
            while let Some((key, info)) = stream.next() {
                if !key.starts_with(prefix.as_bytes()) {
                    break;
                }
                if let Ok(t) = std::str::from_utf8(key) {
                    *found.entry(t.to_string()).or_default() += u64::from(info.doc_freq);
                }
            }
        }
        let mut terms: Vec<(String, u64)> = found.into_iter().collect();
        terms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        terms.into_iter().take(limit).map(|(t, _)| t).collect()
    }

    fn defined_acronym(&self, acronym_key: &str) -> Vec<Definition> {
        self.definitions(self.fields.acronym, acronym_key)
    }

    fn defined_expansion(&self, expansion_key: &str) -> Vec<Definition> {
        self.definitions(self.fields.expansion_key, expansion_key)
    }
}

/// A Levenshtein DFA as an FST automaton, to walk a term dictionary.
struct DfaAutomaton<'a>(&'a DFA);

impl tantivy_fst::Automaton for DfaAutomaton<'_> {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != levenshtein_automata::SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}
