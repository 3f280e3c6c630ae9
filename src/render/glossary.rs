//! The `glossary` listing.

use std::fmt::Write as _;

use crate::analysis::glossary::{Definition, Origin};
use crate::terminal::visible;

/// The `glossary` listing: one line per acronym and expansion, with where
/// it comes from (documents that define it are listed, the first few by name).
pub fn glossary(definitions: &[Definition]) -> String {
    let mut rows: Vec<(String, String, Vec<String>)> = Vec::new();
    for d in definitions {
        let place = match &d.origin {
            Origin::BuiltIn => "built-in".to_string(),
            Origin::User { path } => visible(&path.display().to_string()).into_owned(),
            Origin::Document { source, line } => format!("{}:{line}", visible(source)),
        };
        let (acronym, expansion) = (visible(&d.acronym), visible(&d.expansion));
        match rows.last_mut() {
            Some((a, e, places)) if *a == acronym && e.eq_ignore_ascii_case(&expansion) => {
                places.push(place)
            }
            _ => rows.push((acronym.into_owned(), expansion.into_owned(), vec![place])),
        }
    }
    let width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let ewidth = rows
        .iter()
        .map(|r| r.1.chars().count())
        .max()
        .unwrap_or(0)
        .min(60);
    let mut out = String::new();
    for (acronym, expansion, places) in rows {
        let mut shown = places
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if places.len() > 3 {
            let _ = write!(shown, " (+{} more)", places.len() - 3);
        }
        let _ = writeln!(out, "{acronym:<width$}  {expansion:<ewidth$}  {shown}");
    }
    out
}
