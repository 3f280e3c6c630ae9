//! Passage splitting: from extracted blocks to the paragraphs people quote.
//!
//! A passage is a paragraph. Short heading-shaped blocks are not passages but
//! the `heading` of the passages below them; a list is one passage, joined to
//! the sentence that introduces it; a paragraph over [`MAX_WORDS`] is cut at
//! sentence boundaries into windows of similar size. A paragraph that repeats
//! inside one document — a pull quote, which repeats a sentence of the text
//! around it — is kept once, where it is longest.

pub mod quality;

use std::collections::VecDeque;
use std::ops::Range;

use rustc_hash::FxHashMap;

use crate::extract::{collapse_whitespace, Block, BlockKind, Extracted};

/// Paragraphs longer than this many words are split into windows.
pub const MAX_WORDS: usize = 150;
/// Heading-shaped blocks have at most this many words.
const HEADING_MAX_WORDS: usize = 16;
/// Shorter paragraphs are never treated as pull quotes: short phrases repeat by chance.
const PULL_QUOTE_MIN_WORDS: usize = 6;
/// Longer paragraphs are only dropped as exact repeats of an earlier one.
const PULL_QUOTE_MAX_WORDS: usize = 120;
/// Candidates whose text splits into more runs of letters and digits than
/// this (URLs, codes) are not compared: it bounds the work per sentence start.
const PULL_QUOTE_MAX_HASHED: usize = 4 * PULL_QUOTE_MAX_WORDS;
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

impl Split {
    /// The words of all its passages: the document's length, as ranking
    /// normalises by it.
    pub fn words(&self) -> u64 {
        self.passages.iter().map(|p| u64::from(p.words)).sum()
    }
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
    /// A heading the document marks as one (Markdown `#`, `<h2>`, a
    /// heading style, a question), not one known only by its shape.
    marked: bool,
}

/// Splits an extracted document into passages.
pub fn split(doc: &Extracted) -> Split {
    let text = doc.text.as_str();
    // Extractors promise ranges inside the text, on char boundaries; a block
    // that breaks the promise is left out rather than sliced.
    let mut blocks: Vec<Block> = doc
        .blocks
        .iter()
        .filter(|b| text.get(b.range.clone()).is_some())
        .cloned()
        .collect();
    // In text order (they are already, but for nested structures).
    blocks.sort_by_key(|b| b.range.start);
    let mut units = units(text, &blocks);
    remove_repeats(text, &mut units);

    let title = doc
        .title
        .clone()
        .or_else(|| title_from_units(doc, &blocks, &units))
        .unwrap_or_default();
    let lines = LineIndex::new(text, doc.line_base);
    let mut out = Builder {
        doc,
        lines: &lines,
        passages: Vec::new(),
    };
    out.push_units(&units);
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

/// Blocks as units, with their words counted and their kind settled.
fn units(text: &str, blocks: &[Block]) -> Vec<Unit> {
    join_continuations(text, blocks)
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
                marked: b.kind == BlockKind::Heading,
            }
        })
        .collect()
}

struct Builder<'a> {
    doc: &'a Extracted,
    lines: &'a LineIndex,
    passages: Vec<Passage>,
}

impl Builder<'_> {
    /// Units in order: headings set the context of what follows,
    /// paragraphs become passages (long ones windowed), runs of list items
    /// or table rows become one passage each.
    fn push_units(&mut self, units: &[Unit]) {
        let text = self.doc.text.as_str();
        let mut heading: Option<String> = None;
        // The last marked heading: a short line known as a heading only by
        // its shape ("Surgery" under a question, a bold line under a
        // section) is cited below it, so the citation keeps its context.
        let mut section: Option<String> = None;
        let mut i = 0;
        while i < units.len() {
            crate::limits::check();
            let unit = &units[i];
            match unit.kind {
                UnitKind::Heading => {
                    let this = clean_heading(self.doc, unit.range.clone());
                    heading = Some(match &section {
                        Some(above) if !unit.marked => format!("{above} › {this}"),
                        _ => this,
                    });
                    if unit.marked {
                        section.clone_from(&heading);
                    }
                    i += 1;
                }
                UnitKind::Paragraph => {
                    for w in sentence_windows(text, unit.range.clone(), unit.words) {
                        self.push(w.0, w.1, &heading, unit.page);
                    }
                    i += 1;
                }
                UnitKind::Item | UnitKind::Row => i = self.push_list(units, i, &mut heading),
            }
        }
    }

    /// The list (or table) starting at unit `i` as one passage, or, if it
    /// is a lone short bullet over a paragraph, as the heading of what
    /// follows. Returns the index after the list.
    fn push_list(&mut self, units: &[Unit], i: usize, heading: &mut Option<String>) -> usize {
        let text = self.doc.text.as_str();
        let kind = units[i].kind;
        // A list is one passage, but not across a page break: a citation
        // gives one page.
        let page = units[i].page;
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
            *heading = Some(clean_heading(self.doc, group[0].range.clone()));
        } else {
            self.push_group(
                group,
                heading,
                i > 0 && units[i - 1].kind == UnitKind::Paragraph,
            );
        }
        end
    }

    fn push(
        &mut self,
        range: Range<usize>,
        words: usize,
        heading: &Option<String>,
        page: Option<u32>,
    ) {
        // Only blocks nested in others (a table in a list item) could give
        // a range that ends before it starts; such a piece is no quote.
        if range.end < range.start {
            return;
        }
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
                && b.range.start >= prev.range.end
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

fn title_from_units(doc: &Extracted, blocks: &[Block], units: &[Unit]) -> Option<String> {
    let first = blocks.first()?;
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
/// so only sentence starts are looked at. Candidates with the same words are
/// grouped, and indexed by their first four words and by their length and
/// hash; at each sentence start, the words that follow are hashed once, each
/// candidate length present under its first four words is looked up, and a
/// hit is confirmed word by word. What a group's hits imply for each member
/// is kept as the best two hits by each rule, so a paragraph repeated
/// thousands of times costs no more than thousands of distinct ones.
fn remove_repeats(text: &str, units: &mut Vec<Unit>) {
    let mut candidates = Candidates::new(text, units);
    for (j, unit) in units.iter().enumerate() {
        if candidates.groups.is_empty() {
            break;
        }
        if unit.kind == UnitKind::Paragraph && unit.words >= SHINGLE_WORDS {
            candidates.look_in(text, j, unit);
        }
    }
    let mut drop = vec![false; units.len()];
    for group in &candidates.groups {
        for &i in &group.members {
            drop[i] = group.hits.drops(i, units[i].words);
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

/// Words a candidate is first looked up by.
const SHINGLE_WORDS: usize = 4;

/// The paragraphs that may be repeated elsewhere, indexed for lookup at
/// sentence starts.
struct Candidates {
    groups: Vec<Group>,
    /// (length, hash of all words) → groups with those.
    by_hash: FxHashMap<(usize, u64), Vec<usize>>,
    /// Hash of the first words → lengths of the candidates starting so.
    lengths: FxHashMap<u64, Vec<usize>>,
}

impl Candidates {
    fn new(text: &str, units: &[Unit]) -> Self {
        let mut c = Candidates {
            groups: Vec::new(),
            by_hash: FxHashMap::default(),
            lengths: FxHashMap::default(),
        };
        for (i, u) in units.iter().enumerate() {
            if !matches!(u.kind, UnitKind::Paragraph | UnitKind::Heading)
                || u.words < PULL_QUOTE_MIN_WORDS
                || u.words > PULL_QUOTE_MAX_WORDS
            {
                continue;
            }
            let words = word_hashes(&text[u.range.clone()], PULL_QUOTE_MAX_HASHED + 1);
            if words.len() >= PULL_QUOTE_MIN_WORDS && words.len() <= PULL_QUOTE_MAX_HASHED {
                c.add(i, words);
            }
        }
        c
    }

    fn add(&mut self, unit: usize, words: Vec<u64>) {
        let key = (words.len(), shingle(&words));
        let same = self.by_hash.entry(key).or_default();
        if let Some(&g) = same.iter().find(|&&g| self.groups[g].words == words) {
            self.groups[g].members.push(unit);
            return;
        }
        let l = self
            .lengths
            .entry(shingle(&words[..SHINGLE_WORDS]))
            .or_default();
        if !l.contains(&words.len()) {
            l.push(words.len());
            l.sort_unstable();
        }
        same.push(self.groups.len());
        self.groups.push(Group {
            words,
            members: vec![unit],
            hits: Hits::default(),
        });
    }

    /// Records every candidate that paragraph `j` repeats from the start of
    /// one of its sentences.
    fn look_in(&mut self, text: &str, j: usize, unit: &Unit) {
        let para = &text[unit.range.clone()];
        let mut stream = WordStream::new(para).peekable();
        let mut ahead: VecDeque<(usize, u64)> = VecDeque::new();
        for (offset, _) in sentences(para) {
            crate::limits::check();
            // The words from this sentence start on, read once for the paragraph.
            while ahead.front().is_some_and(|&(start, _)| start < offset) {
                ahead.pop_front();
            }
            if ahead.is_empty() {
                while stream.next_if(|&(start, _)| start < offset).is_some() {}
            }
            let mut fill = |ahead: &mut VecDeque<(usize, u64)>, n: usize| {
                while ahead.len() < n {
                    match stream.next() {
                        Some(w) => ahead.push_back(w),
                        None => break,
                    }
                }
            };
            fill(&mut ahead, SHINGLE_WORDS);
            if ahead.len() < SHINGLE_WORDS {
                continue;
            }
            let head: Vec<u64> = ahead.iter().take(SHINGLE_WORDS).map(|&(_, h)| h).collect();
            let Some(wanted) = self.lengths.get(&shingle(&head)) else {
                continue;
            };
            let longest = wanted.last().copied().unwrap_or(0);
            fill(&mut ahead, longest);
            for g in matches(&self.by_hash, &self.groups, &ahead, wanted) {
                self.groups[g].hits.add(j, offset > 0, unit.words);
            }
        }
    }
}

/// The candidate groups of each wanted length that the words
/// `ahead` start with, confirmed word by word.
fn matches(
    by_hash: &FxHashMap<(usize, u64), Vec<usize>>,
    groups: &[Group],
    ahead: &VecDeque<(usize, u64)>,
    wanted: &[usize],
) -> Vec<usize> {
    let longest = wanted.last().copied().unwrap_or(0);
    let mut found = Vec::new();
    let mut acc = 0u64;
    let mut next_len = wanted.iter().peekable();
    for (n, &(_, h)) in ahead.iter().enumerate().take(longest) {
        acc = shingle_step(acc, h);
        let len = n + 1;
        if next_len.next_if(|&&l| l == len).is_none() {
            continue;
        }
        let Some(same) = by_hash.get(&(len, acc)) else {
            continue;
        };
        for &g in same {
            let equal = ahead
                .iter()
                .take(len)
                .map(|&(_, h)| h)
                .eq(groups[g].words.iter().copied());
            if equal {
                found.push(g);
            }
        }
    }
    found
}

/// Candidate pull quotes with the same words.
struct Group {
    words: Vec<u64>,
    /// Their units, in document order.
    members: Vec<usize>,
    hits: Hits,
}

/// Where a group's words were found at a sentence start of paragraph `j`.
/// A member `i` is dropped if some hit from a paragraph other than itself
/// starts after that paragraph's first sentence, or comes earlier, or has
/// more words: for each rule the best two hits are enough to tell.
#[derive(Default)]
struct Hits {
    inside: Best2,
    earliest: Best2,
    longest: Best2,
}

impl Hits {
    fn add(&mut self, j: usize, inside: bool, words: usize) {
        if inside {
            self.inside.offer(0, j);
        } else {
            self.earliest.offer(usize::MAX - j, j);
            self.longest.offer(words, j);
        }
    }

    /// Is member `i`, of `words` words, a repeat of some other paragraph?
    fn drops(&self, i: usize, words: usize) -> bool {
        self.inside.best_except(i).is_some()
            || self
                .earliest
                .best_except(i)
                .is_some_and(|s| usize::MAX - s < i)
            || self.longest.best_except(i).is_some_and(|w| w > words)
    }
}

/// The two highest-scoring distinct paragraphs offered; a paragraph's score
/// is the same every time it is offered.
#[derive(Default, Clone, Copy)]
struct Best2 {
    first: Option<(usize, usize)>,
    second: Option<(usize, usize)>,
}

impl Best2 {
    fn offer(&mut self, score: usize, j: usize) {
        let known = |slot: Option<(usize, usize)>| slot.is_some_and(|(_, k)| k == j);
        if known(self.first) || known(self.second) {
            return;
        }
        if self.first.is_none_or(|(s, _)| score > s) {
            self.second = self.first;
            self.first = Some((score, j));
        } else if self.second.is_none_or(|(s, _)| score > s) {
            self.second = Some((score, j));
        }
    }

    /// The best score offered by a paragraph other than `i`.
    fn best_except(&self, i: usize) -> Option<usize> {
        match self.first {
            Some((_, j)) if j == i => self.second.map(|(s, _)| s),
            first => first.map(|(s, _)| s),
        }
    }
}

/// Words of `s` (runs of letters and digits, lowercased) as hashes, with the
/// byte offset where each starts.
struct WordStream<'a> {
    chars: std::str::CharIndices<'a>,
}

impl<'a> WordStream<'a> {
    fn new(s: &'a str) -> Self {
        WordStream {
            chars: s.char_indices(),
        }
    }
}

impl Iterator for WordStream<'_> {
    type Item = (usize, u64);

    fn next(&mut self) -> Option<(usize, u64)> {
        let mut h: u64 = 0;
        let mut start = None;
        for (at, c) in self.chars.by_ref() {
            if c.is_ascii_alphanumeric() {
                // Most text: no Unicode tables needed.
                h = hash_step(h, c.to_ascii_lowercase());
            } else if !c.is_ascii() && c.is_alphanumeric() {
                for l in c.to_lowercase() {
                    h = hash_step(h, l);
                }
            } else if let Some(start) = start {
                return Some((start, h));
            } else {
                continue;
            }
            start.get_or_insert(at);
        }
        start.map(|s| (s, h))
    }
}

/// Adds a (lowercased) character to a word's hash.
fn hash_step(h: u64, c: char) -> u64 {
    (h.rotate_left(5) ^ u64::from(c)).wrapping_mul(0x517c_c1b7_2722_0a95)
}

/// Hashes of the first `limit` words of `s`.
fn word_hashes(s: &str, limit: usize) -> Vec<u64> {
    WordStream::new(s).take(limit).map(|(_, h)| h).collect()
}

fn shingle(words: &[u64]) -> u64 {
    words.iter().fold(0u64, |acc, &w| shingle_step(acc, w))
}

fn shingle_step(acc: u64, w: u64) -> u64 {
    (acc.rotate_left(13) ^ w).wrapping_mul(0x9E37_79B9_7F4A_7C15)
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
    fn a_heading_known_by_its_shape_is_cited_under_the_marked_one_above() {
        let t = "# What are the treatments for acromegaly?\n\nSurgery\n\nSurgery removes the tumour through the nose in most patients.\n\n# Who is at risk?\n\nAdults in middle age are most often diagnosed with it.\n";
        let e = crate::extract::markdown::extract(t.to_string(), crate::extract::Offsets::File);
        let s = split(&e);
        let headings: Vec<_> = s.passages.iter().map(|p| p.heading.as_deref()).collect();
        assert_eq!(
            headings,
            [
                Some("What are the treatments for acromegaly? › Surgery"),
                Some("Who is at risk?"),
            ]
        );
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

    #[test]
    fn repeated_paragraphs_are_kept_once() {
        let para = "The integrated care board agreed the plan for primary care services.";
        let other = "A different paragraph about the community health budget for next year.";
        let mut t = String::new();
        for i in 0..2000 {
            t.push_str(if i % 2 == 0 { para } else { other });
            t.push_str("\n\n");
        }
        let (s, t) = split_text(&t);
        let quotes: Vec<&str> = s.passages.iter().map(|p| &t[p.range.clone()]).collect();
        assert_eq!(quotes, vec![para, other]);
        assert_eq!(s.passages[0].line_start, 1);
        assert_eq!(s.passages[1].line_start, 3);
    }

    #[test]
    fn pull_quotes_sharing_an_opening_are_told_apart() {
        // Many paragraphs open with the same words; only the one whose
        // sentence is repeated loses its pull quote.
        let mut t = String::new();
        for i in 0..300 {
            t.push_str(&format!(
                "The integrated care board agreed item {i} of the plan today. It said more.\n\n"
            ));
        }
        t.push_str("The integrated care board agreed item 7 of the plan today.\n\n");
        t.push_str("The integrated care board agreed item 7 of the plan tomorrow.\n");
        let (s, t) = split_text(&t);
        let quotes: Vec<&str> = s.passages.iter().map(|p| &t[p.range.clone()]).collect();
        assert_eq!(quotes.len(), 301);
        assert!(!quotes.contains(&"The integrated care board agreed item 7 of the plan today."));
        assert_eq!(
            quotes[300],
            "The integrated care board agreed item 7 of the plan tomorrow."
        );
    }

    #[test]
    fn blocks_outside_the_text_are_left_out() {
        let text = "Café policy. The board agreed the plan for the year ahead.".to_string();
        let block = |start: usize, end: usize| Block {
            kind: BlockKind::Paragraph,
            range: start..end,
            page: None,
        };
        let doc = Extracted::new(
            text.clone(),
            crate::extract::Offsets::Extracted,
            crate::extract::Markup::None,
            // Out of bounds, inside "é", reversed, and one good block.
            vec![
                block(5, 500),
                block(4, 9),
                block(20, 13),
                block(0, text.len()),
            ],
            None,
        );
        let s = split(&doc);
        assert_eq!(s.passages.len(), 1);
        assert_eq!(s.passages[0].range, 0..text.len());
    }

    /// The quadratic pull-quote removal this module had before repeats
    /// were grouped: the behaviour [`remove_repeats`] must keep.
    fn remove_repeats_reference(text: &str, units: &mut Vec<Unit>) {
        const K: usize = 4;
        let candidates: Vec<(usize, Vec<u64>)> = units
            .iter()
            .enumerate()
            .filter(|(_, u)| matches!(u.kind, UnitKind::Paragraph | UnitKind::Heading))
            .filter(|(_, u)| u.words >= PULL_QUOTE_MIN_WORDS && u.words <= PULL_QUOTE_MAX_WORDS)
            .map(|(i, u)| (i, word_hashes(&text[u.range.clone()], usize::MAX)))
            .filter(|(_, w)| w.len() >= PULL_QUOTE_MIN_WORDS && w.len() <= PULL_QUOTE_MAX_HASHED)
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
                    let longer = unit.words > units[*i].words || (offset > 0) || j < *i;
                    if from_here == *w && longer {
                        drop[*i] = true;
                    }
                }
            }
        }
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

    mod properties {
        use super::*;
        use proptest::prelude::*;

        const WORDS: &[&str] = &[
            "the", "board", "Care", "plan", "health", "trust", "local", "agreed", "café", "e.g.",
        ];

        /// A sentence of 1 to 9 words from a small vocabulary, so openings
        /// and whole sentences repeat often.
        fn sentence() -> impl Strategy<Value = String> {
            (prop::collection::vec(0..WORDS.len(), 1..10), 0..4usize).prop_map(|(w, end)| {
                let mut s = w.iter().map(|&i| WORDS[i]).collect::<Vec<_>>().join(" ");
                if let Some(c) = s.get(..1) {
                    let upper = c.to_uppercase();
                    s.replace_range(..1, &upper);
                }
                s.push_str(["", ".", ". ", "!"][end]);
                s
            })
        }

        /// Paragraphs drawn from a pool of sentences (repeats, pull quotes),
        /// with headings, bullets and blank lines between.
        fn document() -> impl Strategy<Value = String> {
            prop::collection::vec(sentence(), 1..8).prop_flat_map(|pool| {
                let n = pool.len();
                prop::collection::vec((prop::collection::vec(0..n, 1..5), 0..6usize), 1..25)
                    .prop_map(move |paras| {
                        let mut t = String::new();
                        for (sentences, shape) in paras {
                            let body: Vec<&str> =
                                sentences.iter().map(|&i| pool[i].trim_end()).collect();
                            match shape {
                                0 => t.push_str("- "),
                                1 => t.push_str("# "),
                                _ => {}
                            }
                            t.push_str(&body.join(" "));
                            t.push_str(if shape == 5 { "\n" } else { "\n\n" });
                        }
                        t
                    })
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig {
                cases: 1500,
                failure_persistence: None,
                ..ProptestConfig::default()
            })]

            /// Words hash as their lowercased characters, whatever the
            /// script: the ASCII shortcut changes no hash and no offset.
            #[test]
            fn word_hashes_fold_case_in_any_script(t in "[A-Za-z0-9 .,'’ÉéİıßΣσςK\u{212A}-]{0,60}") {
                let mut reference = Vec::new();
                let (mut h, mut start) = (0u64, None);
                for (at, c) in t.char_indices() {
                    if c.is_alphanumeric() {
                        c.to_lowercase().for_each(|l| h = hash_step(h, l));
                        start.get_or_insert(at);
                    } else if let Some(s) = start.take() {
                        reference.push((s, h));
                        h = 0;
                    }
                }
                reference.extend(start.map(|s| (s, h)));
                prop_assert_eq!(WordStream::new(&t).collect::<Vec<_>>(), reference);
            }

            /// Grouping repeats by length and hash drops exactly what
            /// comparing every pair of candidates dropped.
            #[test]
            fn remove_repeats_matches_the_pairwise_comparison(t in document()) {
                for e in [
                    text::extract(t.clone(), crate::extract::Offsets::File),
                    crate::extract::markdown::extract(t.clone(), crate::extract::Offsets::File),
                ] {
                    let units = units(&e.text, &e.blocks);
                    let mut fast = units.clone();
                    remove_repeats(&e.text, &mut fast);
                    let mut reference = units;
                    remove_repeats_reference(&e.text, &mut reference);
                    let ranges = |u: &[Unit]| u.iter().map(|u| u.range.clone()).collect::<Vec<_>>();
                    prop_assert_eq!(ranges(&fast), ranges(&reference));
                }
            }

            /// Any blocks over any text: passages lie inside the text, on
            /// char boundaries, in order, with sane lines.
            #[test]
            fn passages_lie_inside_the_text(
                t in "(\\PC|\n| |\\.|é){0,400}",
                blocks in prop::collection::vec((0usize..450, 0usize..450, 0..4usize, prop::option::of(1u32..4)), 0..20),
                markdown in any::<bool>(),
                line_base in 0u32..5,
            ) {
                let kinds = [BlockKind::Paragraph, BlockKind::Heading, BlockKind::ListItem, BlockKind::TableRow];
                let blocks = blocks
                    .into_iter()
                    .map(|(a, b, k, page)| Block { kind: kinds[k], range: a.min(b)..a.max(b), page })
                    .collect();
                let markup = if markdown { crate::extract::Markup::Markdown } else { crate::extract::Markup::None };
                let mut doc = Extracted::new(t.clone(), crate::extract::Offsets::Extracted, markup, blocks, None);
                doc.line_base = line_base;
                check_split(&doc)?;
                // And the blocks the text extractor itself finds.
                check_split(&text::extract(t, crate::extract::Offsets::File))?;
            }
        }

        /// The invariants of [`split`]'s output, for any input.
        pub fn check_split(doc: &Extracted) -> Result<(), TestCaseError> {
            let s = split(doc);
            let lines = doc.text.matches('\n').count() as u32 + 1 + doc.line_base;
            for (n, p) in s.passages.iter().enumerate() {
                prop_assert!(
                    doc.text.get(p.range.clone()).is_some(),
                    "{:?} outside {} bytes",
                    p.range,
                    doc.text.len()
                );
                prop_assert_eq!(p.ordinal as usize, n);
                prop_assert!(p.line_start <= p.line_end && p.line_end <= lines);
                prop_assert!(p.line_start > doc.line_base);
            }
            Ok(())
        }
    }
}
