//! Rendering results: for people (`human`), for programs (`json`), and for
//! pasting into a briefing (`markdown`); and the `glossary` listing.
//! Renderers write to a buffer; the caller decides where it goes.
//!
//! The JSON shape is a stable interface: fields are added, never renamed.
//! It is documented in the README.

mod glossary;
mod human;
mod json;
mod markdown;

use std::fmt::Write as _;

use crate::search::{Location, SearchResults};
pub use glossary::glossary;

/// Output format of `query`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Ranked hits with highlighted quotes, for a terminal.
    Human,
    /// One JSON object.
    Json,
    /// Citations as Markdown blockquotes.
    Markdown,
}

/// How to style human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Use ANSI bold and colour.
    pub color: bool,
    /// Wrap quotes to this many columns, if set.
    pub width: Option<usize>,
}

/// Renders results in `format`.
pub fn render(results: &SearchResults, format: OutputFormat, style: Style) -> String {
    match format {
        OutputFormat::Human => human::human(results, style),
        OutputFormat::Json => json::json(results),
        OutputFormat::Markdown => markdown::markdown(results),
    }
}

/// Where a passage is in its file, as people cite it: page and lines.
fn location(h: &Location) -> String {
    let mut s = String::new();
    if let Some(p) = h.page {
        let _ = write!(s, "p. {p}, ");
    }
    if h.line_start == h.line_end {
        let _ = write!(s, "line {}", h.line_start);
    } else {
        let _ = write!(s, "lines {}-{}", h.line_start, h.line_end);
    }
    s
}
