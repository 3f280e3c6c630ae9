//! Ranked hits for a terminal: highlighted quotes, wrapped to its width,
//! and control characters from the files shown, never sent.

use std::fmt::Write as _;

use std::ops::Range;

use unicode_width::UnicodeWidthChar;

use super::{location, markup, Style};
use crate::search::explain::{Field as MatchField, How};
use crate::search::{Explanation, Location, PassageInContext, SearchResults};
use crate::terminal::visible;

const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";
const MAGENTA: &str = "\x1b[35m";
const GREEN: &str = "\x1b[32m";
const DIM: &str = "\x1b[2m";

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
    for h in &results.hits {
        let l = &h.location;
        // The rank, not the score: passages whose own words match come
        // before those matching only through their title, whatever the
        // scores, and a number that contradicts the order misleads.
        let _ = writeln!(
            out,
            "{} {}{}",
            paint(BOLD, &format!("[{}]", h.rank)),
            paint(MAGENTA, &visible(&shown_id(l))),
            at(l, paint),
        );
        let mut context = l.title.clone();
        if let Some(d) = l.date {
            let _ = write!(context, " ({})", d.day.human());
        }
        if let Some(heading) = &l.heading {
            if heading != &l.title {
                let _ = write!(context, " › {heading}");
            }
        }
        let markdown = is_markdown(&l.source);
        let hidden = |text: &str| {
            if markdown {
                markup::hidden(text)
            } else {
                Vec::new()
            }
        };
        let mut line = String::new();
        push_shown(&mut line, &context, 0..context.len(), &hidden(&context));
        let _ = writeln!(out, "    {}", paint(DIM, &line));
        let hide = hidden(&h.quote);
        let width = style.width.map(|w| w.saturating_sub(4).max(20));
        for line in wrap(&h.quote, width, &hide) {
            out.push_str("    ");
            push_highlighted(&mut out, &h.quote, line, &h.highlights, style.color, &hide);
            out.push('\n');
        }
        if let Some(e) = &h.explain {
            for line in explanation(e) {
                let _ = writeln!(out, "    {} {}", paint(DIM, "why"), visible(&line));
            }
        }
        for other in h.sources.iter().skip(1) {
            let l = &other.location;
            let label = if other.similarity < 1.0 {
                "also, reworded, in"
            } else {
                "also in"
            };
            let date = l
                .date
                .map(|d| format!(" ({})", d.day.human()))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "    {} {}{}{}",
                paint(DIM, label),
                paint(MAGENTA, &visible(&shown_id(l))),
                paint(DIM, &date),
                at(l, paint)
            );
        }
        out.push('\n');
    }
    let shown = results.hits.len();
    let about = if results.total_is_estimate {
        "about "
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "{shown} of {about}{} matching passages",
        results.total_hits
    );
    out
}

/// A passage in context for people (`show`): its citation, where to open
/// it and its id, then the passages before it (dim), the passage itself
/// (marked with a bar, `highlights` in bold), and the passages after it.
pub fn passage(p: &PassageInContext, highlights: &[(usize, usize)], style: Style) -> String {
    let paint = |code: &str, s: &str| {
        if style.color {
            format!("{code}{s}{RESET}")
        } else {
            s.to_string()
        }
    };
    let l = &p.location;
    let mut out = String::new();
    let _ = writeln!(out, "{}", paint(BOLD, &visible(&super::citation(l))));
    let open = match (p.open.page, p.open.line) {
        (Some(_), _) => p.open.uri.clone(),
        (None, Some(line)) => format!("{}:{line}", p.open.path),
        (None, None) => p.open.path.clone(),
    };
    let _ = writeln!(
        out,
        "{} {}",
        paint(DIM, "open"),
        paint(MAGENTA, &visible(&open))
    );
    let _ = writeln!(out, "{} {}", paint(DIM, "id  "), visible(&l.passage_id));
    let markdown = is_markdown(&l.source);
    let width = style.width.map(|w| w.saturating_sub(4).max(20));
    let block =
        |out: &mut String, quote: &str, spans: &[(usize, usize)], gutter: &str, dim: bool| {
            out.push('\n');
            let hide = if markdown {
                markup::hidden(quote)
            } else {
                Vec::new()
            };
            for line in wrap(quote, width, &hide) {
                let mut shown_line = String::new();
                push_highlighted(
                    &mut shown_line,
                    quote,
                    line,
                    spans,
                    style.color && !dim,
                    &hide,
                );
                let shown_line = if dim {
                    paint(DIM, &shown_line)
                } else {
                    shown_line
                };
                let _ = writeln!(out, "{gutter}{shown_line}");
            }
        };
    for n in &p.before {
        block(&mut out, &n.quote, &[], "    ", true);
    }
    block(
        &mut out,
        &p.quote,
        highlights,
        &format!("  {} ", paint(GREEN, "┃")),
        false,
    );
    for n in &p.after {
        block(&mut out, &n.quote, &[], "    ", true);
    }
    out
}

/// `--explain` for people: a line of the words matched, and one of the
/// score's parts.
fn explanation(e: &Explanation) -> Vec<String> {
    let mut lines = Vec::new();
    let words: Vec<String> = e
        .matches
        .iter()
        .map(|m| {
            let how = match m.how {
                How::Literal => "as written",
                How::Stem => "another form",
                How::Prefix => "prefix",
                How::Expansion => "acronym or expansion",
                How::Correction => "corrected",
            };
            let field = match m.field {
                MatchField::Text => "",
                MatchField::TitleOrHeading => ", in the title or heading",
            };
            format!("\"{}\" → \"{}\" ({how}{field})", m.query, m.found)
        })
        .collect();
    if words.is_empty() {
        lines.push("matched no query word in its text, title or heading".to_string());
    } else {
        lines.push(words.join("; "));
    }
    match e.score {
        Some(p) => lines.push(format!(
            "score: (document {:.2} + {:.2} × passage {:.2}) × {:.2}{}",
            p.document,
            p.passage_weight,
            p.passage,
            p.later_passage,
            match (p.every_word, p.later_passage < 1.0) {
                (true, true) => " + every word of the query (a later passage of its document)",
                (true, false) => " + every word of the query",
                (false, true) => " (a later passage of its document)",
                (false, false) => "",
            }
        )),
        None => {
            lines.push("score: the passage's own BM25, not ranked with its document".to_string())
        }
    }
    lines
}

/// A hit's source with the number of its passage: `report.pdf#12` is the
/// passage id `show` takes. Records of a JSON Lines file name their id.
fn shown_id(l: &Location) -> String {
    match l.passage_id.strip_prefix(l.source.as_str()) {
        Some(n) if n.starts_with('#') => l.passage_id.clone(),
        _ => format!("{} (id {})", l.source, l.passage_id),
    }
}

/// The location after a source, two spaces apart, if there is one.
fn at(l: &Location, paint: impl Fn(&str, &str) -> String) -> String {
    let at = location(l);
    if at.is_empty() {
        at
    } else {
        format!("  {}", paint(GREEN, &at))
    }
}

/// Whether a source is Markdown, whose syntax a reader does not see.
fn is_markdown(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

/// Splits `text` into display lines (byte ranges): at its own newlines, and
/// at spaces to fit `width` terminal columns if given (wide characters
/// count two; the bytes in `hide` none).
fn wrap(text: &str, width: Option<usize>, hide: &[Range<usize>]) -> Vec<Range<usize>> {
    let columns = |range: Range<usize>| -> usize {
        text[range.clone()]
            .char_indices()
            .filter(|(i, _)| !is_hidden(range.start + i, hide))
            .map(|(_, c)| c.width().unwrap_or(0))
            .sum()
    };
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
            if c == ' ' || c == '\t' {
                last_space = Some(at);
            }
            if !is_hidden(at, hide) {
                cols += c.width().unwrap_or(0);
            }
            if cols > width {
                if let Some(sp) = last_space.filter(|&sp| sp > line_start) {
                    lines.push(line_start..sp);
                    line_start = sp + 1;
                    cols = columns(line_start..at + c.len_utf8());
                    last_space = None;
                }
            }
        }
        lines.push(line_start..start + raw_trim.len());
    }
    lines
}

fn is_hidden(at: usize, hide: &[Range<usize>]) -> bool {
    let i = hide.partition_point(|r| r.end <= at);
    hide.get(i).is_some_and(|r| r.contains(&at))
}

fn push_highlighted(
    out: &mut String,
    quote: &str,
    line: Range<usize>,
    spans: &[(usize, usize)],
    color: bool,
    hide: &[Range<usize>],
) {
    // Offsets are the quote's; only what is printed is made visible.
    if !color {
        push_shown(out, quote, line, hide);
        return;
    }
    let mut at = line.start;
    for &(s, e) in spans {
        let (s, e) = (s.max(line.start), e.min(line.end));
        if s >= e {
            continue;
        }
        push_shown(out, quote, at..s, hide);
        out.push_str(BOLD);
        push_shown(out, quote, s..e, hide);
        out.push_str(RESET);
        at = e;
    }
    push_shown(out, quote, at..line.end, hide);
}

/// `quote[range]` as shown, without the bytes in `hide`.
fn push_shown(out: &mut String, quote: &str, range: Range<usize>, hide: &[Range<usize>]) {
    let mut at = range.start;
    for h in hide
        .iter()
        .filter(|h| h.end > range.start && h.start < range.end)
    {
        if h.start > at {
            out.push_str(&shown(&quote[at..h.start]));
        }
        at = at.max(h.end);
    }
    if at < range.end {
        out.push_str(&shown(&quote[at..range.end]));
    }
}

/// A piece of a quote as a reader expects it on screen: tabs as spaces
/// (a tab stop would break the indent and the wrapping), the private-use
/// bullets that Word's Symbol and Wingdings fonts leave in extracted text
/// as "•", and control characters as escapes. Tabs and bullets are replaced
/// char for char, so offsets and widths still hold.
fn shown(text: &str) -> String {
    let readable: String = text
        .chars()
        .map(|c| match c {
            '\t' => ' ',
            '\u{f0a7}' | '\u{f0b7}' | '\u{f06c}' | '\u{f06e}' | '\u{f076}' | '\u{f0d8}'
            | '\u{f0fc}' => '•',
            c => c,
        })
        .collect();
    visible(&readable).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_every_byte_in_order() {
        let text = "one two three four five six seven\neight nine";
        let lines = wrap(text, Some(10), &[]);
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
        push_highlighted(&mut out, quote, 0..quote.len(), &[(6, 10)], true, &[]);
        assert_eq!(out, format!("a\\u{{1b}}[2J {BOLD}care{RESET}\\u{{7}} home"));
    }

    #[test]
    fn highlight_spans_are_bold() {
        let mut out = String::new();
        push_highlighted(&mut out, "an A&E unit", 0..11, &[(3, 6)], true, &[]);
        assert_eq!(out, format!("an {BOLD}A&E{RESET} unit"));
    }

    #[test]
    fn tabs_and_symbol_font_bullets_read_as_text() {
        let quote = "\u{f0b7}\tIntegrated care\tboards";
        let mut out = String::new();
        push_highlighted(&mut out, quote, 0..quote.len(), &[(4, 14)], true, &[]);
        assert_eq!(out, format!("• {BOLD}Integrated{RESET} care boards"));
        // A tab is a place to wrap, as a space is.
        let lines = wrap("one\ttwothree", Some(8), &[]);
        assert_eq!(lines, vec![0..3, 4..12]);
    }

    #[test]
    fn markdown_syntax_is_hidden_and_highlights_still_land() {
        let quote = "Integrated care boards \\(ICBs\\) must **publish** plans";
        let hide = markup::hidden(quote);
        let start = quote.find("publish").unwrap();
        let mut out = String::new();
        let spans = [(start, start + 7)];
        push_highlighted(&mut out, quote, 0..quote.len(), &spans, true, &hide);
        assert_eq!(
            out,
            format!("Integrated care boards (ICBs) must {BOLD}publish{RESET} plans")
        );
        // Hidden bytes take no room on the line.
        let lines = wrap(quote, Some(29), &hide);
        assert_eq!(
            &quote[lines[0].clone()],
            "Integrated care boards \\(ICBs\\)"
        );
    }

    #[test]
    fn wide_characters_take_two_columns() {
        let text = "医疗 保健 服务 体系";
        let lines = wrap(text, Some(10), &[]);
        let joined: Vec<&str> = lines.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(joined, vec!["医疗 保健", "服务 体系"]);
    }
}
