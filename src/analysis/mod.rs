//! Text analysis shared by indexing and querying: one analyzer
//! (`tokens`), British/American spelling variants (`spelling`) and the
//! acronym glossary ([`glossary`]).

pub mod glossary;
pub(crate) mod spelling;
pub(crate) mod tokens;

pub use tokens::{
    acronym_term, AnalyzedToken, Analyzer, PolicyTokenStream, PolicyTokenizer, TermCache,
    ANALYZER_NAME, STOP_WORDS,
};
