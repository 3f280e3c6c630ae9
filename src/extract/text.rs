//! Plain text: finding paragraphs in lines.
//!
//! Real text files come in three layouts, often mixed in one file: one
//! paragraph per line, paragraphs separated by blank lines, and hard-wrapped
//! text (converted from PDF) where one paragraph runs over many short lines
//! with page numbers in between. Lines are joined into a paragraph when the
//! break looks like a wrap (no sentence end, next line lowercase, line as long
//! as the wrap width) and split where it looks like a paragraph end.

use std::ops::Range;

use super::{title, Block, BlockKind, Extracted, Markup, Offsets};

/// Extracts plain text; `offsets` says whether it is the file's own bytes.
/// Its title is its first line near the top that reads as one.
pub fn extract(text: String, offsets: Offsets) -> Extracted {
    let blocks = blocks(&text, 0..text.len(), None);
    let title = title::first_title_line(blocks.iter().map(|b| &text[b.range.clone()]));
    Extracted::new(text, offsets, Markup::None, blocks, title)
}

/// One line, trimmed, with what its shape says about it.
#[derive(Debug, Clone)]
struct Line {
    /// Trimmed content range.
    range: Range<usize>,
    kind: LineKind,
    chars: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Blank,
    PageNumber,
    Bullet,
    Text,
}

/// Finds the paragraph and list-item blocks in `text[range]`.
pub fn blocks(text: &str, range: Range<usize>, page: Option<u32>) -> Vec<Block> {
    let lines = lines(text, range);
    let wrap_width = wrap_width(&lines);
    let mut out: Vec<Block> = Vec::new();
    let mut current: Option<(BlockKind, Range<usize>)> = None;
    let mut prev: Option<&Line> = None;
    for line in &lines {
        crate::limits::check();
        match line.kind {
            LineKind::Blank | LineKind::PageNumber => {
                flush(&mut out, &mut current, page);
                prev = None;
                continue;
            }
            LineKind::Bullet => {
                flush(&mut out, &mut current, page);
                current = Some((BlockKind::ListItem, line.range.clone()));
            }
            LineKind::Text => {
                let joins = match (prev, current.as_ref()) {
                    (Some(p), Some(_)) => continues(text, p, line, wrap_width),
                    _ => false,
                };
                if joins {
                    if let Some((_, r)) = current.as_mut() {
                        r.end = line.range.end;
                    }
                } else {
                    flush(&mut out, &mut current, page);
                    current = Some((BlockKind::Paragraph, line.range.clone()));
                }
            }
        }
        prev = Some(line);
    }
    flush(&mut out, &mut current, page);
    out
}

fn flush(out: &mut Vec<Block>, current: &mut Option<(BlockKind, Range<usize>)>, page: Option<u32>) {
    if let Some((kind, range)) = current.take() {
        out.push(Block { kind, range, page });
    }
}

fn lines(text: &str, range: Range<usize>) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = range.start;
    let slice = &text[range.clone()];
    for (i, b) in slice.bytes().enumerate() {
        if b == b'\n' {
            out.push(classify(text, start..range.start + i));
            start = range.start + i + 1;
        }
    }
    if start < range.end {
        out.push(classify(text, start..range.end));
    }
    out
}

fn classify(text: &str, raw: Range<usize>) -> Line {
    let s = &text[raw.clone()];
    let lead = s.len() - s.trim_start().len();
    let trimmed = s.trim();
    let start = raw.start + lead;
    let range = start..start + trimmed.len();
    let kind = if trimmed.is_empty() || !trimmed.chars().any(char::is_alphanumeric) {
        LineKind::Blank
    } else if is_page_number(trimmed) || is_contents_entry(trimmed) {
        LineKind::PageNumber
    } else if bullet_marker_len(trimmed).is_some() {
        LineKind::Bullet
    } else {
        LineKind::Text
    };
    Line {
        range,
        kind,
        chars: trimmed.chars().count(),
    }
}

/// `12`, `- 12 -`, `Page 3`, `3 of 40`, `p. 7`: lines that only number pages.
fn is_page_number(line: &str) -> bool {
    let l = line.trim_matches(|c: char| c == '-' || c == '–' || c.is_whitespace());
    let lower = l.to_ascii_lowercase();
    let l = lower
        .strip_prefix("page")
        .or_else(|| lower.strip_prefix("p."))
        .unwrap_or(&lower)
        .trim();
    let mut parts = l
        .split(|c: char| c == '/' || c.is_whitespace())
        .filter(|p| !p.is_empty());
    let first = match parts.next() {
        Some(p) => p,
        None => return false,
    };
    if first.len() > 4 || !first.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    match (parts.next(), parts.next(), parts.next()) {
        (None, None, None) => true,
        (Some("of"), Some(n), None) | (Some(n), None, None) => {
            n.len() <= 4 && n.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

/// A table-of-contents entry: dot leaders running to a page number
/// ("Equality statement ........ 2"). Contents are navigation, not text.
fn is_contents_entry(line: &str) -> bool {
    let t = line.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_whitespace());
    t.len() < line.len() && (t.ends_with("....") || t.ends_with("…") || t.ends_with(". . ."))
}

/// Byte length of a list marker at the start of `line` (`•`, `-`, `1.`, `(a)`), if any.
pub fn bullet_marker_len(line: &str) -> Option<usize> {
    let mut chars = line.char_indices();
    let (_, first) = chars.next()?;
    let after = |n: usize| -> Option<usize> {
        let rest = &line[n..];
        let c = rest.chars().next()?;
        c.is_whitespace().then_some(n)
    };
    match first {
        '•' | '●' | '▪' | '◦' | '·' | '‣' | '○' | '■' | '□' | '➢' | '►' | '-' | '–' | '*' | '+' => {
            after(first.len_utf8())
        }
        '(' => {
            let close = line.find(')')?;
            let inner = &line[1..close];
            (close <= 5 && is_enumerator(inner)).then_some(())?;
            after(close + 1)
        }
        _ => {
            let end = line.find(['.', ')'])?;
            if end == 0 || end > 3 {
                return None;
            }
            is_enumerator(&line[..end]).then_some(())?;
            after(end + 1)
        }
    }
}

fn is_enumerator(s: &str) -> bool {
    !s.is_empty()
        && (s.bytes().all(|b| b.is_ascii_digit())
            || (s.len() == 1 && s.bytes().all(|b| b.is_ascii_lowercase()))
            || s.bytes().all(|b| matches!(b, b'i' | b'v' | b'x')))
}

/// The typical length of a full line in hard-wrapped text, if the text looks
/// hard-wrapped; `None` for one-paragraph-per-line text.
fn wrap_width(lines: &[Line]) -> Option<usize> {
    let mut lens: Vec<usize> = lines
        .iter()
        .filter(|l| l.kind == LineKind::Text)
        .map(|l| l.chars)
        .collect();
    if lens.len() < 8 {
        return None;
    }
    lens.sort_unstable();
    let p90 = lens[lens.len() * 9 / 10];
    // Wrapped text has most lines close to one width; a wrap width over
    // ~130 characters means the lines are paragraphs.
    let near = lens.iter().filter(|&&l| l * 4 >= p90 * 3).count();
    (p90 <= 130 && near * 2 >= lens.len()).then_some(p90)
}

const TERMINAL: &[char] = &['.', '!', '?', ':', '"', '”', '’', '\'', ')', ']'];
const SENTENCE_END: &[char] = &['.', '!', '?'];

/// Does `next` continue the paragraph that `prev` is part of?
fn continues(text: &str, prev: &Line, next: &Line, wrap_width: Option<usize>) -> bool {
    let p = &text[prev.range.clone()];
    let n = &text[next.range.clone()];
    let last = p.chars().next_back().unwrap_or(' ');
    let first = n.chars().next().unwrap_or(' ');
    if last == '-' || last == '\u{ad}' {
        return true;
    }
    if first.is_lowercase() || matches!(first, ')' | ',' | ';' | '%' | '…') {
        return true;
    }
    if matches!(last, ',' | ';' | '(' | '&' | '/' | '–' | '—') || ends_with_function_word(p) {
        return true;
    }
    if let Some(w) = wrap_width {
        if prev.chars * 4 >= w * 3 && !ends_sentence_and_short(p, prev.chars, w) {
            return true;
        }
    }
    if TERMINAL.contains(&last) {
        return false;
    }
    // No sentence end: a continuation unless the line looks like a heading.
    !looks_like_heading_line(p)
}

/// A line that ends a sentence well short of the wrap width ends its paragraph.
fn ends_sentence_and_short(p: &str, chars: usize, width: usize) -> bool {
    p.trim_end_matches(['"', '”', '’', ')'])
        .ends_with(SENTENCE_END)
        && chars * 10 < width * 9
}

fn ends_with_function_word(p: &str) -> bool {
    let last_word = p.rsplit(char::is_whitespace).next().unwrap_or("");
    matches!(
        last_word.to_ascii_lowercase().as_str(),
        "and"
            | "or"
            | "of"
            | "the"
            | "to"
            | "in"
            | "for"
            | "with"
            | "a"
            | "an"
            | "by"
            | "on"
            | "at"
            | "from"
            | "that"
            | "which"
            | "as"
            | "is"
            | "are"
            | "be"
            | "their"
            | "its"
    )
}

/// Short, unpunctuated: a heading or label rather than running text.
pub fn looks_like_heading_line(s: &str) -> bool {
    let words = s.split_whitespace().count();
    words <= 12 && s.chars().count() <= 100
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paragraphs(text: &str) -> Vec<&str> {
        blocks(text, 0..text.len(), None)
            .into_iter()
            .map(|b| &text[b.range])
            .collect()
    }

    #[test]
    fn one_paragraph_per_line() {
        let t = "First paragraph is here. It ends.\nA heading\nSecond paragraph here.\n";
        assert_eq!(
            paragraphs(t),
            vec![
                "First paragraph is here. It ends.",
                "A heading",
                "Second paragraph here."
            ]
        );
    }

    #[test]
    fn blank_line_paragraphs() {
        let t = "One para\nwrapped here.\n\nTwo para.\r\n\r\nThree.";
        assert_eq!(
            paragraphs(t),
            vec!["One para\nwrapped here.", "Two para.", "Three."]
        );
    }

    #[test]
    fn hard_wrapped_with_page_number() {
        let t = "The integrated care board will delegate budgets to the\n\
                 provider collaboratives and place-based partnerships in\n\
                 each system, and it will hold them to account for the\n\
                 outcomes they agree with local authorities and partners.\n\
                 12\n\
                 Commissioning will become more strategic over time as the\n\
                 boards mature and take on the functions of the former\n\
                 clinical commissioning groups across the whole country.\n";
        let p = paragraphs(t);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].starts_with("The integrated") && p[0].ends_with("partners."));
        assert!(p[1].starts_with("Commissioning"));
    }

    #[test]
    fn bullets_are_items() {
        let t = "Four aims:\n\n  • Improving health.\n  • Tackling unequal outcomes.\n";
        let b = blocks(t, 0..t.len(), None);
        assert_eq!(b.len(), 3);
        assert_eq!(b[1].kind, BlockKind::ListItem);
        assert_eq!(&t[b[1].range.clone()], "• Improving health.");
    }

    #[test]
    fn page_numbers() {
        assert!(is_page_number("12"));
        assert!(is_page_number("Page 3 of 40"));
        assert!(is_page_number("- 7 -"));
        assert!(!is_page_number("2022/23 plans"));
        assert!(!is_page_number("12 trusts"));
        assert!(is_contents_entry("Equality statement .......... 2"));
        assert!(is_contents_entry("3.1 Scope …… 14"));
        assert!(!is_contents_entry("It ended there.... 2 more"));
    }
}
