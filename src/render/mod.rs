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
mod markup;
mod references;

use crate::search::{Location, SearchResults};
pub use glossary::glossary;
pub use human::passage as passage_human;
pub use json::{exported as exported_json, json, passage as passage_json};
pub use references::{references, Reference, ReferenceFormat};

/// Output format of `query`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Ranked hits with highlighted quotes, for a terminal.
    Human,
    /// One JSON object.
    Json,
    /// Citations as Markdown blockquotes.
    Markdown,
    /// One reference-manager entry per hit.
    References(ReferenceFormat),
}

/// How to style human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Use ANSI bold and colour.
    pub color: bool,
    /// Wrap quotes to this many columns, if set.
    pub width: Option<usize>,
}

/// What the query was understood as, one line each: words corrected, and
/// words also searched in other forms. Said on stderr whatever the format
/// (in `--json` they are also fields), so a word changed is never silent.
pub fn notices(results: &SearchResults) -> Vec<String> {
    let mut out = Vec::new();
    for c in &results.corrections {
        out.push(format!(
            "showing results for \"{}\" (no passages contain \"{}\")",
            c.to, c.from
        ));
    }
    for e in &results.expansions {
        let also: Vec<String> = e.also.iter().map(|a| format!("\"{a}\"")).collect();
        out.push(format!(
            "also searching {} for \"{}\"",
            also.join(", "),
            e.term
        ));
    }
    out
}

/// Renders results in `format`.
pub fn render(results: &SearchResults, format: OutputFormat, style: Style) -> String {
    match format {
        OutputFormat::Human => human::human(results, style),
        OutputFormat::Json => json::json(results),
        OutputFormat::Markdown => markdown::markdown(results),
        OutputFormat::References(format) => {
            let entries: Vec<Reference<'_>> = results
                .hits
                .iter()
                .map(|h| Reference {
                    location: &h.location,
                    quote: &h.quote,
                })
                .collect();
            references(&entries, format)
        }
    }
}

/// Where a passage is, for a citation: its page or lines, else the
/// heading it sits under (when that is not the title).
fn place(l: &Location) -> Option<String> {
    let at = location(l);
    if !at.is_empty() {
        return Some(at);
    }
    l.heading
        .as_deref()
        .filter(|h| *h != l.title)
        .map(|h| format!("§ {h}"))
}

/// A passage's citation as plain text, to paste: title, date, source, and
/// page, lines or heading.
pub fn citation(l: &Location) -> String {
    let mut c = l.title.clone();
    if let Some(d) = l.date {
        c.push_str(&format!(" ({})", d.day.human()));
    }
    c.push_str(&format!(", {}", l.source));
    if let Some(at) = place(l) {
        c.push_str(", ");
        c.push_str(&at);
    }
    c
}

/// Where a passage is in its file, as people cite it: the page as printed
/// (and the PDF's own page number when that differs, which is what
/// `file.pdf#page=N` opens), or the slide of a presentation, and lines
/// where they are lines of the file.
/// Empty for laid-out formats without pages (HTML, DOCX): their heading
/// says where.
fn location(h: &Location) -> String {
    let mut parts = Vec::new();
    // A presentation's pages are its slides.
    let page = crate::extract::Format::from_path(std::path::Path::new(&h.path))
        .map_or("p.", crate::extract::Format::page_name);
    match (h.page, &h.page_label) {
        (Some(p), Some(label)) => parts.push(format!("p. {label} (PDF p. {p})")),
        (Some(p), None) => parts.push(format!("{page} {p}")),
        _ => {}
    }
    match (h.line_start, h.line_end) {
        (Some(a), Some(b)) if a != b => parts.push(format!("lines {a}-{b}")),
        (Some(a), _) => parts.push(format!("line {a}")),
        _ => {}
    }
    parts.join(", ")
}
