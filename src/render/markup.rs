//! Markdown syntax in a quote that a reader does not see: the backslash of
//! an escape (`\(ICB\)`), emphasis delimiters (`**must**`, `_not_`) and code
//! backticks. The quote itself stays byte-exact (it is what `--json` and
//! Markdown citations carry); the terminal hides these bytes.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag};

/// The byte ranges of `quote` that are Markdown syntax to hide, in order
/// and not overlapping.
pub fn hidden(quote: &str) -> Vec<Range<usize>> {
    let bytes = quote.as_bytes();
    let mut out: Vec<Range<usize>> = Vec::new();
    for (event, range) in Parser::new(quote).into_offset_iter() {
        match event {
            // An escaped character is a text event of its own, starting
            // one byte after its backslash.
            Event::Text(text)
                if range.start > 0
                    && bytes[range.start - 1] == b'\\'
                    && text.starts_with(|c: char| c.is_ascii_punctuation()) =>
            {
                out.push(range.start - 1..range.start);
            }
            Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough) => {
                delimiters(bytes, range, b"*_~", &mut out);
            }
            Event::Code(_) => delimiters(bytes, range, b"`", &mut out),
            _ => {}
        }
    }
    out.extend(stray_strong_marks(bytes));
    out.sort_by_key(|r| r.start);
    out.dedup_by(|b, a| b.start < a.end);
    out
}

/// Runs of two or more `*` against a word on one side only: bold that a
/// conversion opened in one paragraph and closed in another (PDF to
/// Markdown does), so no parser pairs them, yet they are never words.
fn stray_strong_marks(bytes: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'*' {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i] == b'*' {
            i += 1;
        }
        let word = |b: Option<&u8>| b.is_some_and(|b| !b.is_ascii_whitespace());
        let before = word(start.checked_sub(1).and_then(|j| bytes.get(j)));
        let after = word(bytes.get(i));
        // Alone at the start or end of a line, it is a mark too.
        let line_edge = start == 0
            || bytes[start - 1] == b'\n'
            || bytes.get(i).is_none_or(|&b| b == b'\n' || b == b'\r');
        if i - start >= 2 && (before != after || line_edge) {
            out.push(start..i);
        }
    }
    out
}

/// The runs of `marks` at both ends of `range`.
fn delimiters(bytes: &[u8], range: Range<usize>, marks: &[u8], out: &mut Vec<Range<usize>>) {
    let Some(span) = bytes.get(range.clone()) else {
        return;
    };
    let lead = span.iter().take_while(|b| marks.contains(b)).count();
    let trail = span.iter().rev().take_while(|b| marks.contains(b)).count();
    if lead == 0 || trail == 0 || lead + trail >= span.len() {
        return;
    }
    out.push(range.start..range.start + lead);
    out.push(range.end - trail..range.end);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(quote: &str) -> String {
        let mut out = String::new();
        let mut at = 0;
        for r in hidden(quote) {
            out.push_str(&quote[at..r.start]);
            at = r.end;
        }
        out.push_str(&quote[at..]);
        out
    }

    #[test]
    fn escapes_emphasis_and_code_marks_are_hidden() {
        assert_eq!(
            shown("Integrated care boards \\(ICBs\\) must **publish** a *joint* plan by 2025\\."),
            "Integrated care boards (ICBs) must publish a joint plan by 2025."
        );
        assert_eq!(
            shown("run `policy-search` __now__"),
            "run policy-search now"
        );
    }

    #[test]
    fn bold_opened_in_one_paragraph_and_closed_in_another_is_hidden() {
        assert_eq!(
            shown("take a forensic look at **their workforce; NHS England is doing the same. **"),
            "take a forensic look at their workforce; NHS England is doing the same. "
        );
        assert_eq!(shown("Changes at** NHS England"), "Changes at NHS England");
        assert_eq!(shown("2 ** 3 and a**b"), "2 ** 3 and a**b");
    }

    #[test]
    fn words_and_lists_are_left_alone() {
        for text in [
            "plan_b and snake_case_names stay",
            "- item one\n- item two",
            "2 * 3 = 6 and a lone * star",
            "a \\ backslash before a space",
        ] {
            assert_eq!(shown(text), text);
        }
    }
}
