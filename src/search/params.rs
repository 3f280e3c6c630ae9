//! The knobs of a search: what the user asks for ([`SearchOptions`]) and how
//! results are ranked ([`Ranking`], [`DocParams`]). The ranking defaults are
//! the product's; `POLICY_SEARCH_RANKING` overrides them, to reproduce the
//! variants compared in `docs/ranking.md`.

use std::path::PathBuf;
use std::time::Duration;

/// The environment variable that overrides ranking parameters.
pub const RANKING_VAR: &str = "POLICY_SEARCH_RANKING";

/// Options of one search.
#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    /// Number of hits to return (0 is taken as 10).
    pub limit: usize,
    /// Only passages from these collections (all if empty).
    pub collections: Vec<String>,
    /// Only passages from sources matching one of these globs.
    pub sources: Vec<String>,
    /// Words as written: no stemming, spelling variants, expansion or correction.
    pub exact: bool,
    /// Extra glossary files.
    pub glossaries: Vec<PathBuf>,
    /// Time limit of one query (none if unset): past it, the query fails
    /// with [`crate::error::Error::Timeout`] rather than returning partial results.
    pub timeout: Option<Duration>,
}

/// Ranking parameters: of passages, and of whole documents.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    /// Weight of a match in a passage's title or heading, relative to its text.
    pub context_weight: f32,
    /// Acronym expansion when ranking documents.
    pub expand: bool,
    /// Typo correction when ranking documents.
    pub correct: bool,
    /// Document ranking parameters.
    pub documents: DocParams,
}

impl Default for Ranking {
    fn default() -> Self {
        Ranking {
            context_weight: 0.5,
            expand: true,
            correct: true,
            documents: DocParams::default(),
        }
    }
}

/// Parameters of document ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct DocParams {
    /// BM25 term-frequency saturation.
    pub k1: f32,
    /// BM25 length normalisation.
    pub b: f32,
    /// Weight of title matches relative to text matches.
    pub title_weight: f32,
    /// Weight of proximity evidence.
    pub proximity_weight: f32,
    /// Largest distance (in words) at which two query terms count as close.
    pub window: u32,
    /// Documents used for feedback (0: no feedback).
    pub feedback_docs: usize,
    /// Terms added by feedback.
    pub feedback_terms: usize,
    /// Weight of the feedback terms, relative to the query's (0..1).
    pub feedback_weight: f32,
    /// How feedback documents are weighted: 0 by exp(score − best),
    /// 1 by score / best, 2 equally.
    pub feedback_doc_weighting: u8,
    /// Exponent of the idf that weighs feedback terms (0: none).
    pub feedback_idf: f32,
    /// Temperature of the exp(score − best) document weights: lower
    /// concentrates feedback on the very top documents.
    pub feedback_temperature: f32,
    /// Count the feedback documents' titles as part of their text.
    pub feedback_title: bool,
    /// Weight of a concept's other forms (compound parts, expansions) relative to what was typed.
    pub alternative_weight: f32,
}

impl Default for DocParams {
    fn default() -> Self {
        DocParams {
            k1: 1.2,
            b: 0.75,
            title_weight: 0.5,
            proximity_weight: 0.4,
            window: 5,
            feedback_docs: 10,
            feedback_terms: 20,
            feedback_weight: 0.3,
            feedback_doc_weighting: 0,
            feedback_idf: 1.0,
            feedback_temperature: 1.0,
            feedback_title: false,
            alternative_weight: 1.0,
        }
    }
}

impl Ranking {
    /// The defaults, overridden by `POLICY_SEARCH_RANKING` if set.
    pub fn from_env() -> Self {
        let mut r = Ranking::default();
        let Ok(spec) = std::env::var(RANKING_VAR) else {
            return r;
        };
        for pair in spec.split(',').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, "1"));
            let f = v.parse::<f32>().unwrap_or(0.0);
            match k.trim() {
                "context_weight" => r.context_weight = f,
                "expand" => r.expand = f != 0.0,
                "correct" => r.correct = f != 0.0,
                "k1" => r.documents.k1 = f,
                "b" => r.documents.b = f,
                "title_weight" => r.documents.title_weight = f,
                "proximity_weight" => r.documents.proximity_weight = f,
                "window" => r.documents.window = f as u32,
                "feedback_docs" => r.documents.feedback_docs = f as usize,
                "feedback_terms" => r.documents.feedback_terms = f as usize,
                "feedback_weight" => r.documents.feedback_weight = f,
                "feedback_doc_weighting" => r.documents.feedback_doc_weighting = f as u8,
                "feedback_idf" => r.documents.feedback_idf = f,
                "feedback_temperature" => r.documents.feedback_temperature = f,
                "feedback_title" => r.documents.feedback_title = f != 0.0,
                "alternative_weight" => r.documents.alternative_weight = f,
                _ => {}
            }
        }
        r
    }
}
