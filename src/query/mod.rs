//! Query understanding: `parse` the user's words into a plan, `expand` it
//! with acronyms, spelling variants and corrections, and `compile` it into
//! the tantivy query that finds its passages.

pub(crate) mod compile;
pub(crate) mod deadline;
pub(crate) mod expand;
pub(crate) mod parse;

pub(crate) use parse::{parse, phrase, Concept, Matcher, QueryPlan, Role, Scope};
pub use parse::{Correction, Expansion};
