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

fn surface_of(term: &str, hits: &[Hit], analyzer: &Analyzer) -> Option<String> {
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
