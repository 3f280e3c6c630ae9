//! Citations as Markdown blockquotes, ready to paste into a briefing.

use std::fmt::Write as _;

use super::place;
use crate::search::{Location, SearchResults};
use crate::terminal::visible;

/// Citations ready to paste into a briefing.
pub fn markdown(results: &SearchResults) -> String {
    let mut out = String::new();
    for h in &results.hits {
        for line in h.quote.lines() {
            let line = visible(line.trim_end());
            if line.is_empty() {
                out.push_str(">\n");
            } else {
                let _ = writeln!(out, "> {line}");
            }
        }
        let cite = |l: &Location| {
            let mut c = format!("*{}*", visible(&l.title));
            if let Some(d) = l.date {
                let _ = write!(c, " ({})", d.day.human());
            }
            let _ = write!(c, ", `{}`", visible(&l.source));
            if let Some(at) = place(l) {
                let _ = write!(c, ", {}", visible(&at));
            }
            c
        };
        let all: Vec<String> = h.sources.iter().map(|s| cite(&s.location)).collect();
        let _ = writeln!(out, ">\n> — {}\n", all.join("; also "));
    }
    out
}
