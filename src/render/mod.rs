//! Rendering results: for people (human), for programs (JSON), and for
//! pasting into a briefing (Markdown). Renderers write to a buffer; the
//! caller decides where it goes.
//!
//! The JSON shape is a stable interface: fields are added, never renamed.
//! It is documented in the README.

use std::fmt::Write as _;

use serde::Serialize;

use crate::search::{Location, SearchResults};
use crate::terminal::visible;

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
        OutputFormat::Human => human(results, style),
        OutputFormat::Json => json(results),
        OutputFormat::Markdown => markdown(results),
    }
}

#[derive(Serialize)]
struct JsonResults<'a> {
    query: &'a str,
    total_hits: usize,
    hits: Vec<JsonHit<'a>>,
    corrections: &'a [crate::query::Correction],
    expansions: &'a [crate::query::Expansion],
    warnings: &'a [String],
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    doc_id: &'a str,
    passage_id: &'a str,
    source: &'a str,
    path: &'a str,
    title: &'a str,
    heading: Option<&'a str>,
    line_start: u64,
    line_end: u64,
    byte_start: u64,
    byte_end: u64,
    offsets: &'a str,
    page: Option<u64>,
}

impl<'a> From<&'a Location> for JsonLocation<'a> {
    fn from(l: &'a Location) -> Self {
        JsonLocation {
            doc_id: &l.doc_id,
            passage_id: &l.passage_id,
            source: &l.source,
            path: &l.path,
            title: &l.title,
            heading: l.heading.as_deref(),
            line_start: l.line_start,
            line_end: l.line_end,
            byte_start: l.byte_start,
            byte_end: l.byte_end,
            offsets: l.offsets,
            page: l.page,
        }
    }
}

#[derive(Serialize)]
struct JsonHit<'a> {
    rank: usize,
    score: f32,
    doc_id: &'a str,
    passage_id: &'a str,
    source: &'a str,
    path: &'a str,
    title: &'a str,
    heading: Option<&'a str>,
    line_start: u64,
    line_end: u64,
    byte_start: u64,
    byte_end: u64,
    quote: &'a str,
    highlights: &'a [(usize, usize)],
    offsets: &'a str,
    page: Option<u64>,
    sources: Vec<JsonLocation<'a>>,
}

/// The `--json` object.
pub fn json(results: &SearchResults) -> String {
    let out = JsonResults {
        query: &results.query,
        total_hits: results.total_hits,
        hits: results
            .hits
            .iter()
            .map(|h| {
                let l = &h.location;
                JsonHit {
                    rank: h.rank,
                    score: h.score,
                    doc_id: &l.doc_id,
                    passage_id: &l.passage_id,
                    source: &l.source,
                    path: &l.path,
                    title: &l.title,
                    heading: l.heading.as_deref(),
                    line_start: l.line_start,
                    line_end: l.line_end,
                    byte_start: l.byte_start,
                    byte_end: l.byte_end,
                    quote: &h.quote,
                    highlights: &h.highlights,
                    offsets: l.offsets,
                    page: l.page,
                    sources: h.sources.iter().map(JsonLocation::from).collect(),
                }
            })
            .collect(),
        corrections: &results.corrections,
        expansions: &results.expansions,
        warnings: &results.warnings,
    };
    let mut s = serde_json::to_string(&out).expect("results serialize");
    s.push('\n');
    s
}

const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";
const MAGENTA: &str = "\x1b[35m";
const GREEN: &str = "\x1b[32m";
const DIM: &str = "\x1b[2m";

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

/// What the query was understood as: corrections and expansions.
fn notices(results: &SearchResults) -> Vec<String> {
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

/// Ranked hits for people.
pub fn human(results: &SearchResults, style: Style) -> String {
    let paint = |code: &str, s: &str| {
        if style.color {
            format!("{code}{s}{RESET}")
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    for n in notices(results) {
        let _ = writeln!(out, "{}", paint(DIM, &visible(&n)));
    }
    if !out.is_empty() {
        out.push('\n');
    }
    for h in &results.hits {
        let l = &h.location;
        let _ = writeln!(
            out,
            "{} {}  {}  {}",
            paint(BOLD, &format!("[{}]", h.rank)),
            paint(MAGENTA, &visible(&l.source)),
            paint(GREEN, &location(l)),
            paint(DIM, &format!("score {:.2}", h.score)),
        );
        let mut context = l.title.clone();
        if let Some(heading) = &l.heading {
            if heading != &l.title {
                let _ = write!(context, " › {heading}");
            }
        }
        let _ = writeln!(out, "    {}", paint(DIM, &visible(&context)));
        for line in wrap(&h.quote, style.width.map(|w| w.saturating_sub(4).max(20))) {
            out.push_str("    ");
            push_highlighted(&mut out, &h.quote, line, &h.highlights, style.color);
            out.push('\n');
        }
        for other in h.sources.iter().skip(1) {
            let _ = writeln!(
                out,
                "    {} {}  {}",
                paint(DIM, "also in"),
                paint(MAGENTA, &visible(&other.source)),
                paint(GREEN, &location(other))
            );
        }
        out.push('\n');
    }
    let shown = results.hits.len();
    let _ = writeln!(out, "{shown} of {} matching passages", results.total_hits);
    out
}

/// Splits `text` into display lines (byte ranges): at its own newlines, and
/// at spaces to fit `width` columns if given.
fn wrap(text: &str, width: Option<usize>) -> Vec<std::ops::Range<usize>> {
    let mut lines = Vec::new();
    let mut offset = 0;
    for raw in text.split('\n') {
        let raw_trim = raw.trim_end_matches('\r');
        let start = offset;
        offset += raw.len() + 1;
        let Some(width) = width else {
            lines.push(start..start + raw_trim.len());
            continue;
        };
        let mut line_start = start;
        let mut cols = 0;
        let mut last_space: Option<usize> = None;
        for (i, c) in raw_trim.char_indices() {
            let at = start + i;
            if c == ' ' {
                last_space = Some(at);
            }
            cols += 1;
            if cols > width {
                if let Some(sp) = last_space.filter(|&sp| sp > line_start) {
                    lines.push(line_start..sp);
                    line_start = sp + 1;
                    cols = text[line_start..=at].chars().count();
                    last_space = None;
                }
            }
        }
        lines.push(line_start..start + raw_trim.len());
    }
    lines
}

fn push_highlighted(
    out: &mut String,
    quote: &str,
    line: std::ops::Range<usize>,
    spans: &[(usize, usize)],
    color: bool,
) {
    // Offsets are the quote's; only what is printed is made visible.
    if !color {
        out.push_str(&visible(&quote[line]));
        return;
    }
    let mut at = line.start;
    for &(s, e) in spans {
        let (s, e) = (s.max(line.start), e.min(line.end));
        if s >= e {
            continue;
        }
        out.push_str(&visible(&quote[at..s]));
        out.push_str(BOLD);
        out.push_str(&visible(&quote[s..e]));
        out.push_str(RESET);
        at = e;
    }
    out.push_str(&visible(&quote[at..line.end]));
}

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
            format!(
                "*{}*, `{}`, {}",
                visible(&l.title),
                visible(&l.source),
                location(l)
            )
        };
        let all: Vec<String> = h.sources.iter().map(cite).collect();
        let _ = writeln!(out, ">\n> — {}\n", all.join("; also "));
    }
    out
}

/// The `glossary` listing: one line per acronym and expansion, with where
/// it comes from (documents that define it are listed, the first few by name).
pub fn glossary(definitions: &[crate::analysis::glossary::Definition]) -> String {
    use crate::analysis::glossary::Origin;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_every_byte_in_order() {
        let text = "one two three four five six seven\neight nine";
        let lines = wrap(text, Some(10));
        let joined: Vec<&str> = lines.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(
            joined,
            vec!["one two", "three four", "five six", "seven", "eight nine"]
        );
    }

    #[test]
    fn control_characters_are_shown_not_sent() {
        let quote = "a\u{1b}[2J care\u{7} home";
        let mut out = String::new();
        push_highlighted(&mut out, quote, 0..quote.len(), &[(6, 10)], true);
        assert_eq!(out, format!("a\\u{{1b}}[2J {BOLD}care{RESET}\\u{{7}} home"));
    }

    #[test]
    fn highlight_spans_are_bold() {
        let mut out = String::new();
        push_highlighted(&mut out, "an A&E unit", 0..11, &[(3, 6)], true);
        assert_eq!(out, format!("an {BOLD}A&E{RESET} unit"));
    }
}
