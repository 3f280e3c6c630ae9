//! Query understanding: [`parse`] the user's words into a plan, and
//! [`expand`] it with acronyms, spelling variants and corrections.

pub mod expand;
pub mod parse;

pub use parse::{
    parse, phrase, Concept, Correction, Expansion, Matcher, QueryPlan, Role, Scope, MAX_CONCEPTS,
    MAX_NESTING, MAX_PHRASE_WORDS, MAX_SLOP,
};
