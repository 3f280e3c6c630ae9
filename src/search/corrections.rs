//! Corrections as shown: the corrected term as a word of the results.

use crate::analysis::Analyzer;
use crate::query::{Correction, QueryPlan};
use crate::search::Hit;

/// Corrections as words a reader recognises: the corrected term's form in
/// the results where it appears (`collabor` → "collaboratives").
pub fn shown_corrections(plan: &QueryPlan, hits: &[Hit], analyzer: &Analyzer) -> Vec<Correction> {
    let quotes: Vec<&str> = hits.iter().map(|h| h.quote.as_str()).collect();
    plan.corrections
        .iter()
        .map(|c| {
            let surface = c
                .to
                .split(' ')
                .map(|term| surface_of(term, &quotes, analyzer).unwrap_or_else(|| term.to_string()))
                .collect::<Vec<_>>()
                .join(" ");
            Correction {
                from: c.from.clone(),
                to: surface,
            }
        })
        .collect()
}

/// How `word` (a corrected term, or a word one edit from what was typed)
/// is written in the results: the word itself where a hit has it, else the
/// first form in a hit that stems alike. A word found by editing may be no
/// word at all, only one that stems alike: "microenviroment" is one edit
/// from "microenvironent", which stems as "microenvironment" does. And a
/// stem has many words: "ntegrated" is one edit from "integrated", which a
/// hit that says "integrator" first must not turn into.
fn surface_of(word: &str, quotes: &[&str], analyzer: &Analyzer) -> Option<String> {
    let stem = analyzer.terms(word);
    let term = match stem.as_slice() {
        [stem] => stem.as_str(),
        _ => word,
    };
    let mut first_alike = None;
    for quote in quotes {
        let mut as_written = false;
        analyzer.analyze(quote, |t| {
            if as_written || t.compound || t.term != term {
                return;
            }
            let surface = quote[t.start..t.end].to_lowercase();
            if surface == word {
                as_written = true;
            }
            first_alike.get_or_insert(surface);
        });
        if as_written {
            return Some(word.to_string());
        }
    }
    first_alike
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_edited_word_is_shown_where_the_results_have_it() {
        let a = Analyzer::english();
        let hits = [
            "An integrator role, for integrated neighbourhood teams.",
            "Integrated care boards.",
        ];
        assert_eq!(
            surface_of("integrated", &hits, &a).as_deref(),
            Some("integrated")
        );
        // Not a word the results have: the first form that stems alike.
        assert_eq!(
            surface_of("integrating", &hits, &a).as_deref(),
            Some("integrator")
        );
        assert_eq!(surface_of("zebra", &hits, &a), None);
    }
}
