//! Passage splitting: from extracted blocks to the paragraphs people quote.
//!
//! A passage is a paragraph. Short heading-shaped blocks are not passages but
//! the `heading` of the passages below them; a list is one passage, joined to
//! the sentence that introduces it; a paragraph over [`MAX_WORDS`] is cut at
//! sentence boundaries into windows of similar size. A paragraph that repeats
//! inside one document — a pull quote, which repeats a sentence of the text
//! around it — is kept once, where it is longest.

use rustc_hash::FxHashMap;
use std::ops::Range;

use crate::extract::{Block, BlockKind, Extracted};

/// Paragraphs longer than this many words are split into windows.
pub const MAX_WORDS: usize = 150;
/// Heading-shaped blocks have at most this many words.
const HEADING_MAX_WORDS: usize = 16;
/// Shorter paragraphs are never treated as pull quotes: short phrases repeat by chance.
const PULL_QUOTE_MIN_WORDS: usize = 6;
/// Longer paragraphs are only dropped as exact repeats of an earlier one.
const PULL_QUOTE_MAX_WORDS: usize = 120;
/// Longest shown title, in characters.
const TITLE_MAX_CHARS: usize = 90;

/// A quotable unit of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// Position of the passage among its document's passages, from 0.
    pub ordinal: u32,
    /// Byte range of the verbatim quote in [`Extracted::text`].
    pub range: Range<usize>,
    /// The nearest heading above the passage.
    pub heading: Option<String>,
    /// 1-based page, for paged formats.
    pub page: Option<u32>,
    /// 1-based line of the first byte.
    pub line_start: u32,
    /// 1-based line of the last byte.
    pub line_end: u32,
    /// Number of words, for length-aware ranking.
    pub words: u32,
}

/// A document split into passages.
#[derive(Debug, Clone)]
pub struct Split {
    /// The document's title.
    pub title: String,
    /// Its passages, in document order.
    pub passages: Vec<Passage>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UnitKind {
    Heading,
    Paragraph,
    Item,
    Row,
}

#[derive(Debug, Clone)]
struct Unit {
    kind: UnitKind,
    range: Range<usize>,
    page: Option<u32>,
    words: usize,
}

/// Splits an extracted document into passages.
pub fn split(doc: &Extracted) -> Split {
    let text = doc.text.as_str();
    let mut units: Vec<Unit> = join_continuations(text, &doc.blocks)
        .iter()
        .map(|b| {
            let slice = &text[b.range.clone()];
            let words = count_words(slice);
            let kind = match b.kind {
                BlockKind::Heading => UnitKind::Heading,
                BlockKind::ListItem => UnitKind::Item,
                BlockKind::TableRow => UnitKind::Row,
                BlockKind::Paragraph if is_heading_shaped(slice, words) => UnitKind::Heading,
                BlockKind::Paragraph => UnitKind::Paragraph,
            };
            Unit {
                kind,
                range: b.range.clone(),
                page: b.page,
                words,
            }
        })
        .collect();
    remove_repeats(text, &mut units);

    let title = doc
        .title
        .clone()
        .or_else(|| title_from_units(doc, &units))
        .unwrap_or_default();
    let lines = LineIndex::new(text, doc.line_base);
    let mut out = Builder {
        doc,
        lines: &lines,
        passages: Vec::new(),
    };
    let mut heading: Option<String> = None;
    let mut i = 0;
    while i < units.len() {
        crate::limits::check();
        let unit = &units[i];
        match unit.kind {
            UnitKind::Heading => {
                heading = Some(clean_heading(doc, unit.range.clone()));
                i += 1;
            }
            UnitKind::Paragraph => {
                let windows = sentence_windows(text, unit.range.clone(), unit.words);
                for w in windows {
                    out.push(w.0, w.1, &heading, unit.page);
                }
                i += 1;
            }
            UnitKind::Item | UnitKind::Row => {
                let kind = unit.kind;
                // A list is one passage, but not across a page break: a
                // citation gives one page.
                let page = unit.page;
                let end = units[i..]
                    .iter()
                    .position(|u| u.kind != kind || u.page != page)
                    .map_or(units.len(), |n| i + n);
                let group = &units[i..end];
                let next_is_paragraph = units
                    .get(end)
                    .is_some_and(|u| u.kind == UnitKind::Paragraph);
                if group.len() == 1
                    && kind == UnitKind::Item
                    && next_is_paragraph
                    && is_heading_shaped(&text[group[0].range.clone()], group[0].words)
                {
                    // A lone short bullet over a paragraph works as its heading.
                    heading = Some(clean_heading(doc, group[0].range.clone()));
                } else {
                    out.push_group(
                        group,
                        &heading,
                        i > 0 && units[i - 1].kind == UnitKind::Paragraph,
                    );
                }
                i = end;
            }
        }
    }
    if out.passages.is_empty() {
        // A document of short lines only: its lines are all there is to find.
        for u in units.iter().filter(|u| u.kind == UnitKind::Heading) {
            out.push(u.range.clone(), u.words, &None, u.page);
        }
    }
    Split {
        title,
        passages: out.passages,
    }
}

struct Builder<'a> {
    doc: &'a Extracted,
    lines: &'a LineIndex,
    passages: Vec<Passage>,
}

impl Builder<'_> {
    fn push(
        &mut self,
        range: Range<usize>,
        words: usize,
        heading: &Option<String>,
        page: Option<u32>,
    ) {
        let words = words as u32;
        self.passages.push(Passage {
            ordinal: self.passages.len() as u32,
            line_start: self.lines.line_of(range.start),
            line_end: self
                .lines
                .line_of(range.end.saturating_sub(1).max(range.start)),
            range,
            heading: heading.clone(),
            page,
            words,
        });
    }

    /// Pushes a list or table as passages of whole items, joined to the
    /// paragraph just before it when that paragraph introduces it (ends in `:`).
    fn push_group(&mut self, group: &[Unit], heading: &Option<String>, after_paragraph: bool) {
        let text = self.doc.text.as_str();
        let mut start = group[0].range.start;
        let mut words = 0usize;
        let mut page = group[0].page;
        if after_paragraph {
            if let Some(last) = self.passages.last() {
                let intro = text[last.range.clone()].trim_end();
                if intro.ends_with(':')
                    && last.page == group[0].page
                    && last.words as usize + group_words(group) <= MAX_WORDS * 2
                {
                    let last = self.passages.pop().expect("checked above");
                    start = last.range.start;
                    words = last.words as usize;
                    page = last.page;
                }
            }
        }
        let mut end = start;
        for unit in group {
            if words > 0 && words + unit.words > MAX_WORDS {
                self.push(start..end, words, heading, page);
                start = unit.range.start;
                page = unit.page;
                words = 0;
            }
            if unit.words > MAX_WORDS {
                for w in sentence_windows(text, unit.range.clone(), unit.words) {
                    self.push(w.0, w.1, heading, unit.page);
                }
                start = unit.range.end;
                words = 0;
                end = start;
                continue;
            }
            words += unit.words;
            end = unit.range.end;
        }
        if words > 0 && end > start {
            self.push(start..end, words, heading, page);
        }
    }
}

/// Joins paragraphs that a blank line split mid-sentence, as text converted
/// from PDF often is: a paragraph that does not end a sentence, followed by
/// one that starts in lowercase or with a bracket, is one paragraph.
fn join_continuations(text: &str, blocks: &[Block]) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::with_capacity(blocks.len());
    for b in blocks {
        crate::limits::check();
        if let Some(prev) = out.last_mut() {
            if prev.kind == BlockKind::Paragraph
                && b.kind == BlockKind::Paragraph
                && b.page == prev.page
                && !ends_sentence(&text[prev.range.clone()])
                && starts_continuation(&text[b.range.clone()])
            {
                prev.range.end = b.range.end;
                continue;
            }
        }
        out.push(b.clone());
    }
    out
}

fn ends_sentence(s: &str) -> bool {
    s.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '*' | '_' | '"' | '”' | '’' | '\'')
    })
    .ends_with(['.', '!', '?', ':', ';', '…'])
}

fn starts_continuation(s: &str) -> bool {
    let t = s.trim_start_matches(['*', '_', '\\']);
    t.starts_with(|c: char| c.is_lowercase() || c == '(' || c == '[')
}

fn group_words(group: &[Unit]) -> usize {
    group.iter().map(|u| u.words).sum()
}

/// Words in a slice: whitespace-separated runs with a letter or digit.
pub fn count_words(s: &str) -> usize {
    s.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// A short block without sentence-ending punctuation reads as a heading.
fn is_heading_shaped(slice: &str, words: usize) -> bool {
    let t = slice.trim_end();
    if words == 0 || words > HEADING_MAX_WORDS || t.chars().count() > 160 {
        return false;
    }
    !t.ends_with(['.', ',', ';', ':', '!', '…', '"', '”'])
}

fn clean_heading(doc: &Extracted, range: Range<usize>) -> String {
    let raw = doc.markup.index_text(&doc.text[range]);
    let t = raw
        .trim_start_matches(|c: char| {
            !c.is_alphanumeric() && !matches!(c, '(' | '‘' | '\'' | '"' | '“')
        })
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '*' | '_' | '#' | '|'));
    collapse_whitespace(t)
}

fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn title_from_units(doc: &Extracted, units: &[Unit]) -> Option<String> {
    let first = doc.blocks.first()?;
    let first_unit = units.first()?;
    if first_unit.kind == UnitKind::Heading && first_unit.range == first.range {
        return Some(shorten(&clean_heading(doc, first_unit.range.clone())));
    }
    let body = doc.markup.index_text(&doc.text[first.range.clone()]);
    let sentence = sentences(&body).next().map_or(&body[..], |(_, s)| s);
    Some(shorten(&collapse_whitespace(sentence)))
}

/// Shortens to [`TITLE_MAX_CHARS`] at a word boundary.
fn shorten(s: &str) -> String {
    if s.chars().count() <= TITLE_MAX_CHARS {
        return s.to_string();
    }
    let cut: String = s.chars().take(TITLE_MAX_CHARS).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(i) if i > TITLE_MAX_CHARS / 2 => &cut[..i],
        _ => &cut[..],
    };
    format!("{}…", cut.trim_end_matches(|c: char| !c.is_alphanumeric()))
}

/// Drops paragraphs that repeat inside the document: exact repeats after
/// their first occurrence, and pull quotes contained in a longer paragraph.
///
/// A pull quote repeats a paragraph from the start of one of its sentences,
/// so only sentence starts are looked at: a candidate's first four words
/// (hashed) are compared with the four words at each sentence start of each
/// paragraph, and a hit is confirmed word by word.
fn remove_repeats(text: &str, units: &mut Vec<Unit>) {
    const K: usize = 4;
    let candidates: Vec<(usize, Vec<u64>)> = units
        .iter()
        .enumerate()
        .filter(|(_, u)| matches!(u.kind, UnitKind::Paragraph | UnitKind::Heading))
        .filter(|(_, u)| u.words >= PULL_QUOTE_MIN_WORDS && u.words <= PULL_QUOTE_MAX_WORDS)
        .map(|(i, u)| (i, word_hashes(&text[u.range.clone()], usize::MAX)))
        .filter(|(_, w)| w.len() >= PULL_QUOTE_MIN_WORDS)
        .collect();
    let mut firsts: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
    for (c, (_, w)) in candidates.iter().enumerate() {
        firsts.entry(shingle(&w[..K])).or_default().push(c);
    }
    let mut drop = vec![false; units.len()];
    for (j, unit) in units.iter().enumerate() {
        if unit.kind != UnitKind::Paragraph || unit.words < K {
            continue;
        }
        let para = &text[unit.range.clone()];
        for (offset, _) in sentences(para) {
            let head = word_hashes(&para[offset..], K);
            if head.len() < K {
                continue;
            }
            let Some(hits) = firsts.get(&shingle(&head)) else {
                continue;
            };
            for &c in hits {
                let (i, w) = &candidates[c];
                if *i == j {
                    continue;
                }
                let from_here = word_hashes(&para[offset..], w.len());
                // Equal paragraphs: keep the first; contained: keep the container.
                let longer = unit.words > units[*i].words || (offset > 0) || j < *i;
                if from_here == *w && longer {
                    drop[*i] = true;
                }
            }
        }
    }
    // Long paragraphs repeated word for word: keep the first.
    let mut seen: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
    for (i, u) in units.iter().enumerate() {
        if u.words > PULL_QUOTE_MAX_WORDS && !seen.insert(&text[u.range.clone()]) {
            drop[i] = true;
        }
    }
    let mut k = 0;
    units.retain(|_| {
        k += 1;
        !drop[k - 1]
    });
}

/// Hashes of the first `limit` words of `s` (runs of letters and digits, lowercased).
fn word_hashes(s: &str, limit: usize) -> Vec<u64> {
    let mut out = Vec::new();
    let mut h: u64 = 0;
    let mut in_word = false;
    for c in s.chars() {
        if out.len() >= limit {
            return out;
        }
        if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                h = (h.rotate_left(5) ^ u64::from(l)).wrapping_mul(0x517c_c1b7_2722_0a95);
            }
            in_word = true;
        } else if in_word {
            out.push(h);
            h = 0;
            in_word = false;
        }
    }
    if in_word {
        out.push(h);
    }
    out
}

fn shingle(words: &[u64]) -> u64 {
    words.iter().fold(0u64, |acc, &w| {
        (acc.rotate_left(13) ^ w).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    })
}

/// Cuts a long paragraph at sentence boundaries into windows of similar size,
/// none over [`MAX_WORDS`] unless a single sentence is.
fn sentence_windows(text: &str, range: Range<usize>, words: usize) -> Vec<(Range<usize>, usize)> {
    if words <= MAX_WORDS {
        return vec![(range, words)];
    }
    let n = words.div_ceil(MAX_WORDS);
    let target = words.div_ceil(n);
    let slice = &text[range.clone()];
    // Sentences, with any over the limit cut at word boundaries.
    let mut pieces: Vec<(Range<usize>, usize)> = Vec::new();
    for (off, sentence) in sentences(slice) {
        let start = range.start + off;
        let w = count_words(sentence);
        if w <= MAX_WORDS {
            pieces.push((start..start + sentence.len(), w));
            continue;
        }
        let mut chunk_start = start;
        let mut count = 0;
        for (wo, word) in words_with_offsets(sentence) {
            if word.chars().any(char::is_alphanumeric) {
                if count == target {
                    pieces.push((chunk_start..start + wo, count));
                    chunk_start = start + wo;
                    count = 0;
                }
                count += 1;
            }
        }
        pieces.push((chunk_start..start + sentence.len(), count));
    }
    let mut windows = Vec::new();
    let mut cur: Option<Range<usize>> = None;
    let mut cur_words = 0;
    for (r, w) in pieces {
        match cur.as_mut() {
            Some(c)
                if cur_words + w <= target
                    || (cur_words < target / 3 && cur_words + w <= MAX_WORDS) =>
            {
                c.end = r.end;
                cur_words += w;
            }
            _ => {
                if let Some(c) = cur.take() {
                    windows.push((c, cur_words));
                }
                cur = Some(r);
                cur_words = w;
            }
        }
    }
    windows.extend(cur.map(|c| (c, cur_words)));
    windows
        .into_iter()
        .map(|(r, w)| (trim(text, r), w))
        .filter(|(r, _)| !r.is_empty())
        .collect()
}

/// Words that end in a full stop without ending a sentence.
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "dr", "mr", "mrs", "ms", "st", "no", "vs", "prof", "fig", "al", "approx", "ref",
    "vol", "p", "pp", "cf", "ca", "inc", "ltd", "co", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec",
];

/// Sentences of `text` with their byte offsets. A sentence ends at `.`, `!`
/// or `?` (and any closing quotes or brackets) followed by white space and a
/// capital letter, digit or opening quote — but not after an abbreviation or
/// an initial. Every byte of `text` belongs to exactly one sentence.
pub fn sentences(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        while i < bytes.len() {
            let b = bytes[i];
            i += 1;
            if !matches!(b, b'.' | b'!' | b'?') {
                continue;
            }
            let mut end = i;
            // Closing quotes and brackets belong to the sentence they close.
            while let Some(c) = text[end..].chars().next() {
                if matches!(c, '"' | '\'' | '”' | '’' | ')' | ']') {
                    end += c.len_utf8();
                } else {
                    break;
                }
            }
            let rest = &text[end..];
            let after_space = rest.trim_start();
            if after_space.len() == rest.len() || after_space.is_empty() {
                continue;
            }
            let next = after_space.chars().next().unwrap_or(' ');
            let opens = next.is_uppercase()
                || next.is_ascii_digit()
                || matches!(next, '"' | '“' | '‘' | '(' | '[');
            if !opens {
                continue;
            }
            if b == b'.' {
                let word = text[..i - 1]
                    .rsplit(|c: char| c.is_whitespace() || c == '(')
                    .next()
                    .unwrap_or("");
                let lower = word.to_lowercase();
                let initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
                if initial || ABBREVIATIONS.contains(&lower.as_str()) {
                    continue;
                }
            }
            let sentence_end = text.len() - after_space.len();
            let s = start;
            start = sentence_end;
            i = sentence_end;
            return Some((s, &text[s..sentence_end]));
        }
        let s = start;
        start = text.len();
        Some((s, &text[s..]))
    })
}

/// Whitespace-separated words with their byte offsets.
fn words_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_whitespace()
        .map(move |w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
}

fn trim(text: &str, r: Range<usize>) -> Range<usize> {
    let s = &text[r.clone()];
    let start = r.start + (s.len() - s.trim_start().len());
    let end = r.start + s.trim_end().len();
    start..end.max(start)
}

/// Maps byte offsets to 1-based line numbers.
pub struct LineIndex {
    starts: Vec<usize>,
    base: u32,
}

impl LineIndex {
    /// Indexes the line starts of `text`, which follows `base` earlier lines.
    pub fn new(text: &str, base: u32) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts, base }
    }

    /// The 1-based line containing byte `offset`.
    pub fn line_of(&self, offset: usize) -> u32 {
        self.base + self.starts.partition_point(|&s| s <= offset) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::text;

    fn split_text(t: &str) -> (Split, String) {
        let e = text::extract(t.to_string(), crate::extract::Offsets::File);
        (split(&e), t.to_string())
    }

    #[test]
    fn headings_attach_to_following_passages() {
        let t = "Flexibility is key\nThe functions of place-based partnerships must be determined locally.\n";
        let (s, _) = split_text(t);
        assert_eq!(s.passages.len(), 1);
        assert_eq!(s.passages[0].heading.as_deref(), Some("Flexibility is key"));
        assert_eq!(s.title, "Flexibility is key");
        assert_eq!(s.passages[0].line_start, 2);
    }

    #[test]
    fn pull_quote_is_dropped() {
        let t = "Our contributors describe improvements in population health as the prime objective. As one said: quite so.\n\nOur contributors describe improvements in population health as the prime objective.\n";
        let (s, t) = split_text(t);
        assert_eq!(s.passages.len(), 1);
        assert!(t[s.passages[0].range.clone()].ends_with("quite so."));
    }

    #[test]
    fn pull_quote_before_its_paragraph_is_dropped() {
        let t = "The boards are stewards on the integration journey guiding partners\n\nThe boards are stewards on the integration journey guiding partners. They should catalyse improvement.\n";
        let (s, _) = split_text(t);
        assert_eq!(s.passages.len(), 1);
        assert_eq!(s.passages[0].heading, None);
    }

    #[test]
    fn list_joins_its_introduction() {
        let t = "The four core aims of ICSs:\n\n  • Improving population health.\n  • Tackling unequal outcomes.\n\nNext paragraph here.\n";
        let (s, t) = split_text(t);
        assert_eq!(s.passages.len(), 2);
        let q = &t[s.passages[0].range.clone()];
        assert!(q.starts_with("The four core aims") && q.ends_with("unequal outcomes."));
        assert_eq!((s.passages[0].line_start, s.passages[0].line_end), (1, 4));
    }

    #[test]
    fn long_paragraphs_are_windowed_at_sentences() {
        let sentence = "This sentence has exactly ten words in it, you see. ";
        let para = sentence.repeat(40);
        let (s, t) = split_text(&para);
        assert!(s.passages.len() >= 3);
        for p in &s.passages {
            assert!(p.words as usize <= MAX_WORDS);
            assert!(t[p.range.clone()].ends_with("see."));
        }
        let covered: usize = s.passages.iter().map(|p| p.words as usize).sum();
        assert_eq!(covered, 400);
    }

    #[test]
    fn paragraphs_split_mid_sentence_by_blank_lines_are_joined() {
        let t = "Intro sentence here.\n\nThe approach to teams has been defined in the Stocktake\n\n(https://example.org). Such teams bring\n\nexpertise together.\n\nNext one.\n";
        let (s, t) = split_text(t);
        let quotes: Vec<&str> = s.passages.iter().map(|p| &t[p.range.clone()]).collect();
        assert_eq!(quotes.len(), 3, "{quotes:?}");
        assert!(
            quotes[1].starts_with("The approach") && quotes[1].ends_with("expertise together.")
        );
        assert_eq!((s.passages[1].line_start, s.passages[1].line_end), (3, 7));
    }

    #[test]
    fn sentences_split_at_full_stops_not_abbreviations() {
        let t = "Dr. Smith met the ICB, e.g. its chair. Then (in 2022) it changed! \"Really?\" Yes. 5 trusts.";
        let got: Vec<&str> = sentences(t).map(|(_, s)| s).collect();
        assert_eq!(
            got,
            vec![
                "Dr. Smith met the ICB, e.g. its chair. ",
                "Then (in 2022) it changed! ",
                "\"Really?\" ",
                "Yes. ",
                "5 trusts."
            ]
        );
        let rebuilt: String = sentences(t).map(|(_, s)| s).collect();
        assert_eq!(rebuilt, t);
    }

    #[test]
    fn title_is_shortened_first_sentence() {
        let long = "The pendulum of NHS reform seems to be swinging between an ambition to empower local decision-making and plans to centralise power. More.";
        let (s, _) = split_text(long);
        assert!(s.title.ends_with('…'));
        assert!(s.title.chars().count() <= TITLE_MAX_CHARS + 1);
    }
}
