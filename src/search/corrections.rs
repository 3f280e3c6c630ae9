//! Corrections as shown: the corrected term as a word of the results.

use crate::analysis::Analyzer;
use crate::query::{Correction, QueryPlan};
use crate::search::Hit;

/// Corrections as words a reader recognises: the corrected term's form in
/// the results where it appears (`collabor` → "collaboratives").
pub fn shown_corrections(plan: &QueryPlan, hits: &[Hit], analyzer: &Analyzer) -> Vec<Correction> {
    plan.corrections
        .iter()
        .map(|c| {
            let surface = c
                .to
                .split(' ')
                .map(|term| surface_of(term, hits, analyzer).unwrap_or_else(|| term.to_string()))
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
/// is written in the first hit that has it. A word found by editing may
/// be no word at all, only one that stems alike: "microenviroment" is one
/// edit from "microenvironent", which stems as "microenvironment" does.
fn surface_of(word: &str, hits: &[Hit], analyzer: &Analyzer) -> Option<String> {
    let stem = analyzer.terms(word);
    let term = match stem.as_slice() {
        [stem] => stem.as_str(),
        _ => word,
    };
    for h in hits {
        let mut found = None;
        analyzer.analyze(&h.quote, |t| {
            if found.is_none() && !t.compound && t.term == term {
                found = Some(h.quote[t.start..t.end].to_lowercase());
            }
        });
        if found.is_some() {
            return found;
        }
    }
    None
}
