//! The knobs of a search: what the user asks for ([`SearchOptions`]) and how
//! results are ranked ([`Ranking`], [`DocParams`]). The ranking defaults are
//! the product's; `POLICY_SEARCH_RANKING` overrides them, to reproduce the
//! variants compared in `docs/ranking.md`.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::extract::date::Day;

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
    /// with [`Error::Timeout`] rather than returning partial results.
    pub timeout: Option<Duration>,
    /// Only documents dated on or after this day (a date that may fall on
    /// it counts: `2024` is on or after 2024-06-01); undated ones are left out.
    pub since: Option<Day>,
    /// Only documents dated on or before this day, likewise.
    pub until: Option<Day>,
    /// The order of hits.
    pub sort: Sort,
    /// Show copies and versions of one paragraph in other documents as
    /// separate hits (`--no-fold`) instead of as the sources of one.
    pub no_fold: bool,
    /// Say for each hit why it ranked (`--explain`).
    pub explain: bool,
}

/// The order of hits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Of the best matches, the newest document first (undated last).
    Date,
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
    /// Weight of a document's best passage (BM25 over the passage, relative
    /// to the best among the top documents) added to its document's score
    /// (relative to the best document's): how much one paragraph that
    /// answers counts beside the whole document.
    pub passage_weight: f32,
    /// Document ranking parameters.
    pub documents: DocParams,
}

impl Default for Ranking {
    fn default() -> Self {
        Ranking {
            context_weight: 0.5,
            expand: true,
            correct: true,
            passage_weight: 0.1,
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
    /// Length normalisation of the title's BM25 (BM25F's per-field b):
    /// 0 scores a match in a long title as in a short one.
    pub title_b: f32,
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
    /// Documents scored for the feedback terms: those the first pass ranks
    /// best (0: every document found).
    pub feedback_rescored: usize,
    /// Weight of a concept's other forms (compound parts, expansions) relative to what was typed.
    pub alternative_weight: f32,
}

impl Default for DocParams {
    fn default() -> Self {
        DocParams {
            k1: 1.2,
            b: 0.75,
            title_weight: 0.5,
            title_b: 0.0,
            proximity_weight: 0.4,
            window: 5,
            feedback_docs: 10,
            feedback_terms: 50,
            feedback_weight: 0.45,
            feedback_doc_weighting: 0,
            feedback_idf: 1.0,
            feedback_temperature: 1.0,
            feedback_title: false,
            feedback_rescored: 1000,
            alternative_weight: 1.0,
        }
    }
}

/// Sets one parameter from its value as written, or says what it expects.
type Setter = fn(&mut Ranking, &str) -> Result<(), &'static str>;

/// Every setting `POLICY_SEARCH_RANKING` may name, in the order listed to
/// the user.
const SETTINGS: &[(&str, Setter)] = &[
    ("context_weight", |r, v| {
        number(v).map(|x| r.context_weight = x)
    }),
    ("expand", |r, v| switch(v).map(|x| r.expand = x)),
    ("correct", |r, v| switch(v).map(|x| r.correct = x)),
    ("k1", |r, v| number(v).map(|x| r.documents.k1 = x)),
    ("b", |r, v| number(v).map(|x| r.documents.b = x)),
    ("title_weight", |r, v| {
        number(v).map(|x| r.documents.title_weight = x)
    }),
    ("title_b", |r, v| number(v).map(|x| r.documents.title_b = x)),
    ("proximity_weight", |r, v| {
        number(v).map(|x| r.documents.proximity_weight = x)
    }),
    ("window", |r, v| whole(v).map(|x| r.documents.window = x)),
    ("feedback_docs", |r, v| {
        whole(v).map(|x| r.documents.feedback_docs = x)
    }),
    ("feedback_terms", |r, v| {
        whole(v).map(|x| r.documents.feedback_terms = x)
    }),
    ("feedback_weight", |r, v| {
        number(v).map(|x| r.documents.feedback_weight = x)
    }),
    ("feedback_doc_weighting", |r, v| match v {
        "0" | "1" | "2" => whole(v).map(|x| r.documents.feedback_doc_weighting = x),
        _ => Err("0, 1 or 2"),
    }),
    ("feedback_idf", |r, v| {
        number(v).map(|x| r.documents.feedback_idf = x)
    }),
    ("feedback_temperature", |r, v| {
        number(v).map(|x| r.documents.feedback_temperature = x)
    }),
    ("feedback_title", |r, v| {
        switch(v).map(|x| r.documents.feedback_title = x)
    }),
    ("feedback_rescored", |r, v| {
        whole(v).map(|x| r.documents.feedback_rescored = x)
    }),
    ("alternative_weight", |r, v| {
        number(v).map(|x| r.documents.alternative_weight = x)
    }),
    ("passage_weight", |r, v| {
        number(v).map(|x| r.passage_weight = x)
    }),
];

fn number(v: &str) -> Result<f32, &'static str> {
    v.parse::<f32>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or("a number")
}

fn whole<T: std::str::FromStr>(v: &str) -> Result<T, &'static str> {
    v.parse().map_err(|_| "a whole number, 0 or more")
}

fn switch(v: &str) -> Result<bool, &'static str> {
    match v {
        "0" => Ok(false),
        "1" => Ok(true),
        _ => Err("0 (off) or 1 (on)"),
    }
}

/// The names `POLICY_SEARCH_RANKING` knows, for a hint.
/// A mistake in `POLICY_SEARCH_RANKING`.
fn bad(reason: String) -> Error {
    Error::Ranking {
        reason,
        known: setting_names(),
    }
}

fn setting_names() -> String {
    SETTINGS
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Ranking {
    /// The defaults, overridden by `POLICY_SEARCH_RANKING` if set.
    pub fn from_env() -> Result<Self> {
        match std::env::var(RANKING_VAR) {
            Ok(spec) => Ranking::parse(&spec),
            Err(std::env::VarError::NotPresent) => Ok(Ranking::default()),
            Err(std::env::VarError::NotUnicode(_)) => Err(bad("it is not valid UTF-8".to_string())),
        }
    }

    /// The defaults, overridden by `spec` (`name=value,...`): an unknown
    /// name, a missing value or one that is not of the setting's kind is an
    /// error, never a silent default.
    pub fn parse(spec: &str) -> Result<Self> {
        let mut r = Ranking::default();
        for pair in spec.split(',').filter(|p| !p.trim().is_empty()) {
            let Some((name, value)) = pair.split_once('=') else {
                let name = pair.trim();
                return Err(bad(format!(
                    "setting {name:?} has no value (write {name}=VALUE)"
                )));
            };
            let (name, value) = (name.trim(), value.trim());
            let Some((_, set)) = SETTINGS.iter().find(|(known, _)| *known == name) else {
                return Err(bad(format!("unknown setting {name:?}")));
            };
            set(&mut r, value).map_err(|expected| {
                bad(format!(
                    "setting {name:?} is {value:?}, which is not {expected}"
                ))
            })?;
        }
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(spec: &str) -> String {
        match Ranking::parse(spec) {
            Err(Error::Ranking { reason, .. }) => reason,
            other => panic!("{spec:?}: {other:?}"),
        }
    }

    #[test]
    fn settings_override_the_defaults() {
        assert_eq!(Ranking::parse("").unwrap(), Ranking::default());
        let r = Ranking::parse("k1=0.9, b = 0.4,expand=0,window=3,feedback_title=1,").unwrap();
        assert_eq!((r.documents.k1, r.documents.b), (0.9, 0.4));
        assert!(!r.expand && r.correct && r.documents.feedback_title);
        assert_eq!(r.documents.window, 3);
        let r = Ranking::parse("feedback_doc_weighting=2,context_weight=0").unwrap();
        assert_eq!(r.documents.feedback_doc_weighting, 2);
        assert_eq!(r.context_weight, 0.0);
    }

    #[test]
    fn every_setting_is_known_by_name() {
        let names = setting_names();
        for (name, _) in SETTINGS {
            assert!(names.contains(name));
            let value = if *name == "feedback_doc_weighting" {
                "1"
            } else {
                "0"
            };
            assert!(Ranking::parse(&format!("{name}={value}")).is_ok(), "{name}");
        }
    }

    #[test]
    fn a_mistake_is_an_error_naming_the_setting() {
        assert_eq!(reason("k1=0.9,kl=2"), "unknown setting \"kl\"");
        assert_eq!(
            reason("expand"),
            "setting \"expand\" has no value (write expand=VALUE)"
        );
        assert_eq!(
            reason("k1=abc"),
            "setting \"k1\" is \"abc\", which is not a number"
        );
        assert!(reason("k1=").contains("not a number"));
        assert!(reason("b=nan").contains("not a number"));
        assert!(reason("window=2.5").contains("not a whole number"));
        assert!(reason("feedback_docs=-1").contains("not a whole number"));
        assert!(reason("expand=2").contains("0 (off) or 1 (on)"));
        assert!(reason("feedback_doc_weighting=3").contains("0, 1 or 2"));
        // Settings that no longer exist are not taken silently either.
        assert!(reason("other_passages=0.5").starts_with("unknown setting"));
    }

    #[test]
    fn the_hint_lists_every_setting() {
        let hint = bad("unknown setting \"kl\"".into()).hint().unwrap();
        assert!(hint.contains("k1, b, title_weight"), "{hint}");
        assert!(hint.contains("alternative_weight"), "{hint}");
    }
}
