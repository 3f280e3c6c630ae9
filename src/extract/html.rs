//! HTML: the main text of a page, as blocks, without the page chrome.
//!
//! The page is read with html5ever's streaming tokenizer, not a tree builder:
//! a tree builder's algorithms (adoption agency, scope checks) and any
//! recursive walk over the tree cost time or stack in proportion to the
//! nesting depth, and hostile pages nest 100,000 levels deep. Instead
//! [`Walker`] keeps an explicit stack of the open elements that matter for
//! structure (block elements, links, skipped chrome), with a depth cap and a
//! bounded search for end tags, so the whole pass is linear in the input.
//!
//! What is dropped: script, style and other non-text elements; page chrome
//! found by element name (`nav`, page-level `header`/`footer`/`aside`,
//! `form`, …), by ARIA role, or by class/id words (cookie, consent, nav,
//! menu, breadcrumb, share, …); and short blocks that are mostly link text
//! (menus, "Return to top"). When the page marks its main content (`<main>`,
//! `<article>`, `role="main"`, or template comments such as `<!-- content
//! area -->` … `<!-- end content area -->`) and that holds real text, only
//! it is kept.
//!
//! Tables are the hard part of old pages, which lay out the whole page in
//! them: a row is one `TableRow` block (cells joined by `" | "`) only while it
//! looks like data; a row holding a nested table or a heading, a single
//! filled cell, or long multi-paragraph cells is layout, and its content
//! comes out as ordinary blocks.
//!
//! Indexing reads pages over 32 MB with [`PageStream`] instead of
//! [`extract`]: in passes over the file, so memory stays bounded, with the
//! same text and blocks, handed out in chunks.

use std::cell::RefCell;
use std::collections::HashMap;

use encoding_rs::Encoding;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::{Attribute, LocalName};

use super::blocks::{self, collapse_whitespace, Row};
use super::{BlockKind, ExtractError, Extracted};

/// Open elements tracked beyond this depth are only counted, not kept.
const MAX_DEPTH: usize = 2048;
/// How far down the open-element stack an end tag or implied end looks for
/// its element; bounds the work per tag on garbage nesting.
const SEARCH_LIMIT: usize = 256;
/// Bytes searched for a `<meta>` charset declaration.
const PRESCAN_BYTES: usize = 4096;
/// Main content must hold at least this many words to replace the page.
const MIN_MAIN_WORDS: usize = 30;
/// Blocks of at most this many words that are mostly link text are chrome.
const LINK_BLOCK_MAX_WORDS: usize = 20;
/// A table row buffering more blocks than this is layout, not data.
const MAX_ROW_BLOCKS: usize = 64;
/// Rows with multi-paragraph cells over this many words are layout.
const LAYOUT_ROW_WORDS: usize = 150;
/// Text is handed to the tokenizer in pieces of about this size.
const CHUNK_BYTES: usize = 1 << 20;

/// Extracts the main text of an HTML page.
///
/// The text is the blocks joined by blank lines; block ranges index into it.
/// Returns [`ExtractError::Empty`] when the page has no main text.
pub fn extract(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let text = decode(bytes);
    let mut page = walk(&text, true);
    // Class and id words are a guess; when they hid nearly everything (a
    // wrapper `<div class="has-sidebar">`), read the page again without them.
    if page.kept_words < MIN_MAIN_WORDS && page.class_skipped_chars > 4 * page.kept_chars + 200 {
        page = walk(&text, false);
    }
    if page.pieces.is_empty() {
        return Err(ExtractError::Empty);
    }
    Ok(blocks::assemble(page.pieces, page.title))
}

/// Tokenizes the page and collects its blocks.
fn walk(text: &str, class_rules: bool) -> Page {
    let input = BufferQueue::default();
    let mut rest = text;
    while !rest.is_empty() {
        let mut cut = rest.len().min(CHUNK_BYTES);
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        input.push_back(StrTendril::from_slice(&rest[..cut]));
        rest = &rest[cut..];
    }
    let walker = Walker {
        class_rules,
        ..Walker::default()
    };
    let tokenizer = Tokenizer::new(Sink(RefCell::new(walker)), TokenizerOpts::default());
    // The sink never blocks on scripts or encodings, so one feed runs to the end.
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.0.into_inner().finish()
}

/// A page's blocks after the filters, and what the class rules hid.
struct Page {
    pieces: Vec<Piece>,
    title: Option<String>,
    kept_words: usize,
    kept_chars: usize,
    class_skipped_chars: usize,
}

/// Bytes of the file a [`PageStream`] reads in one step.
const STEP_BYTES: usize = 8 << 20;
/// Text a [`PageStream`] gathers before handing out a chunk.
const CHUNK_TEXT_BYTES: usize = 8 << 20;
/// Most bytes of one block (or table row, or title) in a [`PageStream`].
const MAX_STREAM_BLOCK: usize = 1 << 20;
/// Bytes read at a time.
const READ_BYTES: usize = 1 << 20;
/// The start of an undeclared page the encoding detector looks at: one byte
/// more than it reads, so it knows the page goes on, as for a whole page.
const DETECT_BYTES: usize = (1 << 20) + 1;

/// What one [`PageStream::step`] did.
#[derive(Debug)]
pub enum Step {
    /// Read more of the page; nothing to index yet.
    Read,
    /// A chunk of the page's text, to split and index.
    Chunk(Extracted),
}

/// A large page read in passes, so memory stays bounded whatever its size.
///
/// [`extract`]'s page-level choices need the whole page: whether the class
/// and id rules hid nearly everything, whether marked main content holds real
/// text, the title. A first pass makes them from counts alone, dropping each
/// block once counted (and, when the class rules hid the page, a second
/// without them). The last pass applies them and hands out the kept blocks in
/// chunks of about [`CHUNK_TEXT_BYTES`]: joined by blank lines, the chunks
/// are the text [`extract`] gives for the whole page, and each chunk's
/// `byte_base` and `line_base` say where it starts in that text. Each pass
/// decodes as it reads, in the encoding [`extract`] would choose.
pub struct PageStream<R> {
    reader: R,
    buf: Vec<u8>,
    /// Hashes the file during the first pass.
    hasher: blake3::Hasher,
    hashed: bool,
    charset: Option<Charset>,
    stage: Stage,
    pass: Option<Pass>,
    /// The title, once the counting passes chose it.
    title: Option<String>,
    /// Kept blocks not handed out yet, and their text's length.
    pending: Vec<Piece>,
    pending_bytes: usize,
    byte_base: u64,
    line_base: u32,
    step_bytes: usize,
    chunk_bytes: usize,
    max_block: usize,
}

/// How a page is decoded.
struct Charset {
    encoding: &'static Encoding,
    /// Bytes of a byte order mark, not decoded.
    skip: u64,
    /// An undeclared page is read as UTF-8 first; if it turns out not to
    /// be, the detector decides from these first bytes of it.
    start: Option<Vec<u8>>,
}

enum Stage {
    /// Counting the blocks a walk with or without the class rules keeps.
    Count {
        class_rules: bool,
        tally: Tally,
    },
    /// Handing out the blocks kept by these choices.
    Emit {
        class_rules: bool,
        main_only: bool,
    },
    Done,
}

/// What the page-level choices need to know of a page's blocks.
#[derive(Debug, Default)]
struct Tally {
    first_h1: Option<String>,
    main_words: usize,
    /// Blocks past the link filter: all of them, and those in main content.
    all: Kept,
    main: Kept,
}

#[derive(Debug, Default, Clone, Copy)]
struct Kept {
    blocks: usize,
    words: usize,
    chars: usize,
}

impl Tally {
    fn add(&mut self, piece: &Piece) {
        if self.first_h1.is_none() && piece.level == 1 {
            self.first_h1 = Some(collapse_whitespace(&piece.text));
        }
        let words = piece.words();
        if piece.main {
            self.main_words += words;
        }
        if piece.is_link_menu() {
            return;
        }
        self.all.add(words, piece.chars);
        if piece.main {
            self.main.add(words, piece.chars);
        }
    }
}

impl Kept {
    fn add(&mut self, words: usize, chars: usize) {
        self.blocks += 1;
        self.words += words;
        self.chars += chars;
    }
}

/// One reading of the page, from its first byte to its last.
struct Pass {
    tokenizer: Tokenizer<Sink>,
    input: BufferQueue,
    decoder: encoding_rs::Decoder,
    /// Bytes read so far.
    read: u64,
    /// The decoder met bytes that are not in its encoding.
    malformed: bool,
}

impl Pass {
    fn new(encoding: &'static Encoding, walker: Walker) -> Self {
        Pass {
            tokenizer: Tokenizer::new(Sink(RefCell::new(walker)), TokenizerOpts::default()),
            input: BufferQueue::default(),
            decoder: encoding.new_decoder_without_bom_handling(),
            read: 0,
            malformed: false,
        }
    }

    /// Decodes `bytes` and runs the tokenizer over them.
    fn feed(&mut self, bytes: &[u8], last: bool) {
        let mut text = String::with_capacity(
            self.decoder
                .max_utf8_buffer_length(bytes.len())
                .unwrap_or(bytes.len()),
        );
        let mut rest = bytes;
        loop {
            let (result, read, malformed) = self.decoder.decode_to_string(rest, &mut text, last);
            self.malformed |= malformed;
            rest = &rest[read..];
            match result {
                encoding_rs::CoderResult::InputEmpty => break,
                encoding_rs::CoderResult::OutputFull => text.reserve(rest.len().max(16) * 3),
            }
        }
        if !text.is_empty() {
            self.input.push_back(StrTendril::from(text));
            // The sink never blocks on scripts or encodings.
            let _ = self.tokenizer.feed(&self.input);
        }
    }

    /// The blocks the walker finished since the last call.
    fn take_pieces(&self) -> Vec<Piece> {
        std::mem::take(&mut self.tokenizer.sink.0.borrow_mut().pieces)
    }
}

impl<R: std::io::Read + std::io::Seek> PageStream<R> {
    /// Starts reading a page.
    pub fn new(reader: R) -> Self {
        PageStream {
            reader,
            buf: Vec::new(),
            hasher: blake3::Hasher::new(),
            hashed: false,
            charset: None,
            stage: Stage::Count {
                class_rules: true,
                tally: Tally::default(),
            },
            pass: None,
            title: None,
            pending: Vec::new(),
            pending_bytes: 0,
            byte_base: 0,
            line_base: 0,
            step_bytes: STEP_BYTES,
            chunk_bytes: CHUNK_TEXT_BYTES,
            max_block: MAX_STREAM_BLOCK,
        }
    }

    /// The content hash of the file: complete once the first pass is, which
    /// is before the first chunk or [`ExtractError::Empty`].
    pub fn hash(&self) -> String {
        self.hasher.finalize().to_hex().to_string()
    }

    /// Reads at most a few MB of the page (a step's work is bounded, so a
    /// time limit can apply to each) and hands out a chunk when one is ready.
    /// `None` at the end; [`ExtractError::Empty`] when the page has no main
    /// text.
    pub fn step(&mut self) -> Result<Option<Step>, ExtractError> {
        if let Some(chunk) = self.take_chunk() {
            return Ok(Some(Step::Chunk(chunk)));
        }
        if matches!(self.stage, Stage::Done) {
            return Ok(None);
        }
        let mut pass = match self.pass.take() {
            Some(pass) => pass,
            None => self.start_pass()?,
        };
        let skip = self.charset.as_ref().map_or(0, |c| c.skip);
        let mut budget = self.step_bytes;
        let mut end = false;
        while budget > 0 {
            crate::limits::check();
            let want = self.buf.len().min(budget);
            let n = read_some(&mut self.reader, &mut self.buf[..want])?;
            if n == 0 {
                end = true;
                break;
            }
            let bytes = &self.buf[..n];
            if !self.hashed {
                self.hasher.update(bytes);
            }
            let from = skip.saturating_sub(pass.read).min(n as u64) as usize;
            pass.read += n as u64;
            budget -= n;
            pass.feed(&bytes[from..], false);
            self.take(pass.take_pieces());
        }
        if end {
            pass.feed(&[], true);
            pass.tokenizer.end();
            let mut walker = pass.tokenizer.sink.0.into_inner();
            walker.close();
            self.take(std::mem::take(&mut walker.pieces));
            self.end_pass(walker, pass.malformed)?;
        } else {
            self.pass = Some(pass);
        }
        Ok(Some(match self.take_chunk() {
            Some(chunk) => Step::Chunk(chunk),
            None => Step::Read,
        }))
    }

    /// Rewinds for the next pass; before the first, chooses the encoding.
    fn start_pass(&mut self) -> Result<Pass, ExtractError> {
        use std::io::{Read, SeekFrom};
        if self.buf.is_empty() {
            self.buf = vec![0; READ_BYTES.min(self.step_bytes).max(1)];
        }
        if self.charset.is_none() {
            self.reader.seek(SeekFrom::Start(0))?;
            let mut start = Vec::with_capacity(DETECT_BYTES);
            (&mut self.reader)
                .take(DETECT_BYTES as u64)
                .read_to_end(&mut start)?;
            self.charset = Some(match declared_encoding(&start) {
                Some((encoding, skip)) => Charset {
                    encoding,
                    skip: skip as u64,
                    start: None,
                },
                None => Charset {
                    encoding: encoding_rs::UTF_8,
                    skip: 0,
                    start: Some(start),
                },
            });
        }
        self.reader.seek(SeekFrom::Start(0))?;
        let class_rules = match self.stage {
            Stage::Count { class_rules, .. } | Stage::Emit { class_rules, .. } => class_rules,
            Stage::Done => true,
        };
        let walker = Walker {
            class_rules,
            max_block: Some(self.max_block),
            ..Walker::default()
        };
        let encoding = self
            .charset
            .as_ref()
            .map_or(encoding_rs::UTF_8, |c| c.encoding);
        Ok(Pass::new(encoding, walker))
    }

    /// Counts or keeps the blocks a pass finished.
    fn take(&mut self, pieces: Vec<Piece>) {
        match &mut self.stage {
            Stage::Count { tally, .. } => {
                for piece in &pieces {
                    crate::limits::check();
                    tally.add(piece);
                }
            }
            Stage::Emit { main_only, .. } => {
                let main_only = *main_only;
                for piece in pieces {
                    crate::limits::check();
                    if (piece.main || !main_only) && !piece.is_link_menu() {
                        self.pending_bytes += piece.text.len() + 2;
                        self.pending.push(piece);
                    }
                }
            }
            Stage::Done => {}
        }
    }

    /// After a pass: the choices [`extract`] makes, from its counts.
    fn end_pass(&mut self, walker: Walker, malformed: bool) -> Result<(), ExtractError> {
        self.hashed = true;
        if let Some(charset) = &mut self.charset {
            if let Some(start) = charset.start.take() {
                if malformed {
                    // Not UTF-8 after all: read it again in what the
                    // detector says, unless that is UTF-8 with errors.
                    charset.encoding = super::decode::detect(&start);
                    if charset.encoding != encoding_rs::UTF_8 {
                        if let Stage::Count { tally, .. } = &mut self.stage {
                            *tally = Tally::default();
                        }
                        return Ok(());
                    }
                }
            }
        }
        let (class_rules, tally) = match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Count { class_rules, tally } => (class_rules, tally),
            Stage::Emit { .. } | Stage::Done => return Ok(()),
        };
        let main_only = tally.main_words >= MIN_MAIN_WORDS;
        let kept = if main_only { tally.main } else { tally.all };
        if class_rules
            && kept.words < MIN_MAIN_WORDS
            && walker.class_skipped_chars > 4 * kept.chars + 200
        {
            self.stage = Stage::Count {
                class_rules: false,
                tally: Tally::default(),
            };
            return Ok(());
        }
        if kept.blocks == 0 {
            return Err(ExtractError::Empty);
        }
        self.title = walker.title.map(|t| clean_title(&t)).or(tally.first_h1);
        self.stage = Stage::Emit {
            class_rules,
            main_only,
        };
        Ok(())
    }

    /// The next chunk, once enough text is pending or the page has ended.
    fn take_chunk(&mut self) -> Option<Extracted> {
        let done = matches!(self.stage, Stage::Done);
        if self.pending.is_empty() || (self.pending_bytes < self.chunk_bytes && !done) {
            return None;
        }
        // The first blocks that reach the chunk size, or all that are left.
        let mut bytes = 0;
        let n = self
            .pending
            .iter()
            .position(|p| {
                bytes += p.text.len() + 2;
                bytes >= self.chunk_bytes
            })
            .map_or(self.pending.len(), |i| i + 1);
        let rest = self.pending.split_off(n);
        let pieces = std::mem::replace(&mut self.pending, rest);
        self.pending_bytes -= pieces.iter().map(|p| p.text.len() + 2).sum::<usize>();
        let mut chunk = blocks::assemble(pieces, self.title.clone());
        chunk.byte_base = self.byte_base;
        chunk.line_base = self.line_base;
        // The next chunk follows a blank line, as blocks do in `assemble`.
        self.byte_base += chunk.text.len() as u64 + 2;
        let lines = chunk.text.bytes().filter(|&b| b == b'\n').count() + 2;
        self.line_base = self
            .line_base
            .saturating_add(u32::try_from(lines).unwrap_or(u32::MAX));
        Some(chunk)
    }
}

/// Reads what is available into `buf`; 0 only at the end.
fn read_some(reader: &mut impl std::io::Read, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match reader.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Decodes the page: a byte order mark wins, then a `<meta>` declaration,
/// then UTF-8 if the bytes are valid UTF-8, then the detector's guess
/// ([`super::decode::detect`]).
/// Invalid sequences become U+FFFD; decoding never fails.
fn decode(bytes: &[u8]) -> String {
    if let Some((encoding, skip)) = declared_encoding(bytes) {
        return decode_with(encoding, &bytes[skip..]);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_owned();
    }
    decode_with(super::decode::detect(bytes), bytes)
}

/// The encoding a page's first bytes declare, by a byte order mark (with its
/// length, to skip) or a `<meta>` declaration.
fn declared_encoding(start: &[u8]) -> Option<(&'static Encoding, usize)> {
    if let Some(found) = Encoding::for_bom(start) {
        return Some(found);
    }
    let encoding = meta_charset(&start[..start.len().min(PRESCAN_BYTES)])?;
    // As in browsers: a page whose <meta> is readable as ASCII is not
    // UTF-16, and x-user-defined means windows-1252.
    let encoding = if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
        encoding_rs::UTF_8
    } else if encoding == encoding_rs::X_USER_DEFINED {
        encoding_rs::WINDOWS_1252
    } else {
        encoding
    };
    Some((encoding, 0))
}

fn decode_with(encoding: &'static Encoding, bytes: &[u8]) -> String {
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

/// The encoding named by a `<meta charset>` or `<meta http-equiv=
/// "Content-Type" content="…; charset=…">` in `head`, if any is known.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let mut at = 0;
    while let Some(found) = find_ascii_ci(&head[at..], b"<meta") {
        let mut i = at + found + 5;
        at = i;
        if !head
            .get(i)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/')
        {
            continue;
        }
        let (mut charset, mut content, mut content_type) = (None, None, false);
        while let Some((name, value, next)) = next_attribute(head, i) {
            i = next;
            if name.eq_ignore_ascii_case(b"charset") {
                charset = Some(value);
            } else if name.eq_ignore_ascii_case(b"content") {
                content = Some(value);
            } else if name.eq_ignore_ascii_case(b"http-equiv") {
                content_type = value.eq_ignore_ascii_case(b"content-type");
            }
        }
        let label = charset.or_else(|| {
            let content = content.filter(|_| content_type)?;
            let pos = find_ascii_ci(content, b"charset")?;
            let rest = content[pos + 7..].trim_ascii_start().strip_prefix(b"=")?;
            let rest = rest.trim_ascii_start();
            let rest = rest
                .strip_prefix(b"\"")
                .or_else(|| rest.strip_prefix(b"'"))
                .unwrap_or(rest);
            let end = rest
                .iter()
                .position(|&b| matches!(b, b';' | b'"' | b'\'') || b.is_ascii_whitespace())
                .unwrap_or(rest.len());
            Some(&rest[..end])
        });
        if let Some(encoding) = label.and_then(|l| Encoding::for_label(l.trim_ascii())) {
            return Some(encoding);
        }
    }
    None
}

/// Reads one attribute of a tag starting at `i`: `(name, value, next index)`,
/// or `None` at the end of the tag.
fn next_attribute(s: &[u8], mut i: usize) -> Option<(&[u8], &[u8], usize)> {
    while i < s.len() && (s[i].is_ascii_whitespace() || s[i] == b'/') {
        i += 1;
    }
    if i >= s.len() || s[i] == b'>' {
        return None;
    }
    let start = i;
    while i < s.len() && !matches!(s[i], b'=' | b'>' | b'/') && !s[i].is_ascii_whitespace() {
        i += 1;
    }
    let name = &s[start..i];
    while i < s.len() && s[i].is_ascii_whitespace() {
        i += 1;
    }
    if s.get(i) != Some(&b'=') {
        return Some((name, &[], i));
    }
    i += 1;
    while i < s.len() && s[i].is_ascii_whitespace() {
        i += 1;
    }
    match s.get(i) {
        Some(&q @ (b'"' | b'\'')) => {
            let end = s[i + 1..]
                .iter()
                .position(|&b| b == q)
                .map_or(s.len(), |p| i + 1 + p);
            Some((name, &s[i + 1..end], (end + 1).min(s.len())))
        }
        _ => {
            let start = i;
            while i < s.len() && s[i] != b'>' && !s[i].is_ascii_whitespace() {
                i += 1;
            }
            Some((name, &s[start..i], i))
        }
    }
}

fn find_ascii_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// Receives the tokenizer's tokens; the tokenizer only lends `&self`.
struct Sink(RefCell<Walker>);

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        crate::limits::check();
        let mut walker = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) => match tag.kind {
                TagKind::StartTag => walker.start(&tag),
                TagKind::EndTag => {
                    walker.end(&tag.name);
                    TokenSinkResult::Continue
                }
            },
            Token::CharacterTokens(text) => {
                walker.text(&text);
                TokenSinkResult::Continue
            }
            Token::CommentToken(comment) => {
                match content_marker(&comment) {
                    Some(begins) if walker.raw.is_none() => walker.comment_main = begins,
                    _ => {}
                }
                TokenSinkResult::Continue
            }
            _ => TokenSinkResult::Continue,
        }
    }
}

/// What an open element contributes to the text inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Paragraph,
    Item,
    Heading(u8),
}

/// Flags of an open element; counted in [`Walker`] while it is open.
#[derive(Debug, Clone, Copy, Default)]
struct Flags {
    /// Chrome or non-text: nothing inside is kept.
    skip: bool,
    /// Chrome by a class or id word only.
    class_skip: bool,
    /// `<main>`, `<article>` or `role="main"`.
    main: bool,
    /// Sectioning content: `header`/`footer` inside it belong to the content.
    scope: bool,
    pre: bool,
    link: bool,
    svg: bool,
    /// A table row, with a [`Row`] on [`Walker::rows`].
    row: bool,
}

#[derive(Debug)]
struct Open {
    name: LocalName,
    ctx: Ctx,
    flags: Flags,
}

/// A finished block, before the chrome filters.
#[derive(Debug)]
struct Piece {
    kind: BlockKind,
    /// Heading level, 0 if not a heading.
    level: u8,
    text: String,
    main: bool,
    /// Non-space characters, and how many of them are link text.
    chars: usize,
    link_chars: usize,
}

/// The block being filled.
#[derive(Debug)]
struct Current {
    text: String,
    ctx: Ctx,
    main: bool,
    chars: usize,
    link_chars: usize,
    /// Whitespace was seen since the last character.
    space: bool,
    /// The text ends with a `<br>` newline.
    after_br: bool,
    /// Where the text's last line (after a `<br>`) starts, and its counts.
    line_start: usize,
    line_chars: usize,
    line_link_chars: usize,
}

impl Default for Current {
    fn default() -> Self {
        Current {
            text: String::new(),
            ctx: Ctx::Paragraph,
            main: false,
            chars: 0,
            link_chars: 0,
            space: false,
            after_br: false,
            line_start: 0,
            line_chars: 0,
            line_link_chars: 0,
        }
    }
}

/// Inside an element whose content the tokenizer reads as raw text.
#[derive(Debug)]
enum Raw {
    Title,
    Skip,
}

/// The tokenizer-driven state machine that turns tags and text into blocks.
#[derive(Debug, Default)]
struct Walker {
    stack: Vec<Open>,
    /// How many elements of each name are on `stack`, so end tags of
    /// elements that are not open cost nothing.
    open_names: HashMap<LocalName, u32>,
    /// Structural elements opened beyond [`MAX_DEPTH`], not on the stack.
    overflow: usize,
    /// Whether class and id words mark chrome.
    class_rules: bool,
    /// In a stream: the most bytes a block, a table row held back or the
    /// title may hold. Longer ones are cut (a block at a space), so a page
    /// that is one endless paragraph still reads in bounded memory.
    max_block: Option<usize>,
    /// Characters hidden by class or id words.
    class_skipped_chars: usize,
    skip: u32,
    class_skip: u32,
    main: u32,
    /// Between `<!-- content area -->` and `<!-- end content area -->`.
    comment_main: bool,
    scope: u32,
    pre: u32,
    link: u32,
    svg: u32,
    raw: Option<Raw>,
    title: Option<String>,
    title_text: String,
    current: Current,
    rows: Vec<Row<Piece>>,
    pieces: Vec<Piece>,
}

impl Walker {
    fn start(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        let name: &str = &tag.name;
        match name {
            "br" => {
                if self.skip == 0 {
                    self.line_break();
                }
                return TokenSinkResult::Continue;
            }
            "hr" => {
                self.close_implied(&["p"], BUTTON_SCOPE);
                self.flush();
                return TokenSinkResult::Continue;
            }
            "script" | "style" | "noscript" | "xmp" | "iframe" | "noembed" | "noframes"
            | "textarea" | "title" => {
                // In SVG, `<script/>` and `<title/>` really are empty.
                if tag.self_closing && self.svg > 0 {
                    return TokenSinkResult::Continue;
                }
                let kind = match name {
                    "script" => RawKind::ScriptData,
                    "textarea" | "title" => RawKind::Rcdata,
                    _ => RawKind::Rawtext,
                };
                let page_title = name == "title" && self.svg == 0 && self.title.is_none();
                if page_title {
                    self.title_text.clear();
                }
                self.raw = Some(if page_title { Raw::Title } else { Raw::Skip });
                return TokenSinkResult::RawData(kind);
            }
            "plaintext" => {
                // Everything after it is text; it never ends.
                self.flush();
                self.pre += 1;
                return TokenSinkResult::Plaintext;
            }
            _ if is_void(name) => return TokenSinkResult::Continue,
            _ => {}
        }

        if closes_p(name) {
            self.close_implied(&["p"], BUTTON_SCOPE);
        }
        match name {
            "li" => self.close_implied(&["li"], LIST_SCOPE),
            "dt" | "dd" => self.close_implied(&["dt", "dd"], DL_SCOPE),
            "tr" => self.close_implied(&["tr"], TABLE_SCOPE),
            "td" | "th" => self.close_implied(&["td", "th"], ROW_SCOPE),
            "thead" | "tbody" | "tfoot" => {
                self.close_implied(&["thead", "tbody", "tfoot"], TABLE_SCOPE)
            }
            // A link inside a link ends the outer one, but never the blocks
            // opened inside it (`<a name=top><div>…<a href>`).
            "a" => {
                if let Some(depth) = self.find_open_inline("a") {
                    for _ in 0..depth {
                        self.pop();
                    }
                }
            }
            // A heading inside a heading ends the first.
            _ if heading_level(name).is_some()
                && self
                    .stack
                    .last()
                    .is_some_and(|o| heading_level(&o.name).is_some()) =>
            {
                self.pop();
            }
            _ => {}
        }

        let block = is_block(name);
        if block {
            self.flush();
            // A nested table or a heading in a cell: the row is layout.
            if name == "table" || heading_level(name).is_some() {
                self.make_row_layout();
            }
        }

        let in_scope = self.scope > 0 || self.main > 0;
        let role = attr(&tag.attrs, "role").map(|r| r.trim().to_ascii_lowercase());
        let chrome = if self.skip > 0 {
            Chrome::No
        } else {
            // A form around the whole page (ASP.NET) is not a page's form.
            let top_level = self.stack.is_empty();
            chrome(
                name,
                &tag.attrs,
                role.as_deref(),
                in_scope,
                top_level,
                self.class_rules,
            )
        };
        let flags = Flags {
            skip: chrome != Chrome::No,
            class_skip: chrome == Chrome::ByClass,
            main: matches!(name, "main" | "article") || role.as_deref() == Some("main"),
            scope: matches!(name, "article" | "section" | "aside" | "main"),
            pre: matches!(name, "pre" | "listing"),
            // `<a name=…>` anchors wrap content; only `href` makes a link.
            link: name == "a" && attr(&tag.attrs, "href").is_some(),
            svg: name == "svg",
            row: name == "tr",
        };
        let tracked = block || flags.skip || flags.main || name == "a" || flags.svg;
        if !tracked || matches!(name, "html" | "body") {
            return TokenSinkResult::Continue;
        }
        // Foreign (SVG) elements may be self-closing; HTML ones never are.
        if tag.self_closing && (self.svg > 0 || !block) {
            return TokenSinkResult::Continue;
        }
        if self.stack.len() >= MAX_DEPTH {
            self.overflow += 1;
            return TokenSinkResult::Continue;
        }
        let ctx = self.ctx_for(name, block);
        self.push(Open {
            name: tag.name.clone(),
            ctx,
            flags,
        });
        if name == "td" || name == "th" {
            if let Some(row) = self.rows.last_mut() {
                row.next_cell();
            }
        }
        TokenSinkResult::Continue
    }

    fn end(&mut self, name: &LocalName) {
        if let Some(raw) = self.raw.take() {
            if let Raw::Title = raw {
                let title = collapse_whitespace(&self.title_text);
                if !title.is_empty() {
                    self.title = Some(title);
                }
            }
            return;
        }
        let n: &str = name;
        if n == "br" {
            // `</br>` is a `<br>` to browsers.
            if self.skip == 0 {
                self.line_break();
            }
            return;
        }
        let block = is_block(n);
        if block {
            self.flush();
        }
        if self.overflow > 0 && (block || n == "a" || n == "svg") {
            self.overflow -= 1;
            return;
        }
        if self.open_names.get(name).copied().unwrap_or(0) == 0 {
            return;
        }
        let scope = match n {
            "td" | "th" | "tr" | "tbody" | "thead" | "tfoot" | "caption" => TABLE_SCOPE,
            "table" => &[][..],
            _ => DEFAULT_SCOPE,
        };
        if let Some(depth) = self.find_open(&[n], scope) {
            for _ in 0..depth {
                self.pop();
            }
        }
    }

    /// Closes the nearest open element named in `names`, with everything
    /// above it, unless an element of `scope` comes first.
    fn close_implied(&mut self, names: &[&str], scope: &[&str]) {
        if names.iter().all(|n| {
            self.open_names
                .get(&LocalName::from(*n))
                .copied()
                .unwrap_or(0)
                == 0
        }) {
            return;
        }
        if let Some(depth) = self.find_open(names, scope) {
            for _ in 0..depth {
                self.pop();
            }
        }
    }

    /// How many elements to pop to close the nearest element named in
    /// `names`, searching at most [`SEARCH_LIMIT`] elements down.
    fn find_open(&self, names: &[&str], scope: &[&str]) -> Option<usize> {
        for (i, open) in self.stack.iter().rev().take(SEARCH_LIMIT).enumerate() {
            let n: &str = &open.name;
            if names.contains(&n) {
                return Some(i + 1);
            }
            if scope.contains(&n) {
                return None;
            }
        }
        None
    }

    /// Like [`Walker::find_open`] for an inline element: blocks bound the search.
    fn find_open_inline(&self, name: &str) -> Option<usize> {
        for (i, open) in self.stack.iter().rev().take(SEARCH_LIMIT).enumerate() {
            if &*open.name == name {
                return Some(i + 1);
            }
            if is_block(&open.name) {
                return None;
            }
        }
        None
    }

    fn ctx_for(&self, name: &str, block: bool) -> Ctx {
        if let Some(level) = heading_level(name) {
            return Ctx::Heading(level);
        }
        if name == "li" {
            return Ctx::Item;
        }
        match self.stack.last() {
            Some(parent) => match parent.ctx {
                Ctx::Heading(l) => Ctx::Heading(l),
                // `<li><p>text</p></li>`: the paragraph is the item's text.
                Ctx::Item if !block || &*parent.name == "li" => Ctx::Item,
                Ctx::Item | Ctx::Paragraph => Ctx::Paragraph,
            },
            None => Ctx::Paragraph,
        }
    }

    fn push(&mut self, open: Open) {
        let f = open.flags;
        self.skip += u32::from(f.skip);
        self.class_skip += u32::from(f.class_skip);
        self.main += u32::from(f.main);
        self.scope += u32::from(f.scope);
        self.pre += u32::from(f.pre);
        self.link += u32::from(f.link);
        self.svg += u32::from(f.svg);
        if f.row {
            self.rows.push(Row::default());
        }
        *self.open_names.entry(open.name.clone()).or_insert(0) += 1;
        self.stack.push(open);
    }

    fn pop(&mut self) {
        let Some(open) = self.stack.pop() else {
            return;
        };
        if is_block(&open.name) {
            self.flush();
        }
        let f = open.flags;
        self.skip -= u32::from(f.skip);
        self.class_skip -= u32::from(f.class_skip);
        self.main -= u32::from(f.main);
        self.scope -= u32::from(f.scope);
        self.pre -= u32::from(f.pre);
        self.link -= u32::from(f.link);
        self.svg -= u32::from(f.svg);
        if let Some(count) = self.open_names.get_mut(&open.name) {
            *count -= 1;
        }
        if f.row {
            self.finish_row();
        }
    }

    fn text(&mut self, text: &str) {
        match self.raw {
            Some(Raw::Title) => {
                let room = self
                    .max_block
                    .map_or(text.len(), |max| max.saturating_sub(self.title_text.len()));
                let mut end = room.min(text.len());
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                self.title_text.push_str(&text[..end]);
                return;
            }
            Some(Raw::Skip) => return,
            None if self.skip > 0 => {
                if self.class_skip > 0 {
                    self.class_skipped_chars += text.chars().filter(|c| !c.is_whitespace()).count();
                }
                return;
            }
            None => {}
        }
        let pre = self.pre > 0;
        for c in text.chars() {
            if let Some(max) = self.max_block {
                let len = self.current.text.len();
                if len >= max && (c.is_whitespace() || len / 2 >= max) {
                    self.flush();
                }
            }
            if matches!(c, '\u{ad}' | '\u{200b}' | '\u{feff}') {
                continue; // invisible: soft hyphen, zero-width space, BOM
            }
            if pre && (c == '\n' || c == '\t') {
                if !self.current.text.is_empty() {
                    self.current.text.push(c);
                }
                continue;
            }
            if c.is_whitespace() {
                if pre && !self.current.text.is_empty() {
                    self.current.text.push(' ');
                } else {
                    self.current.space = true;
                }
                continue;
            }
            if c.is_control() {
                continue;
            }
            let cur = &mut self.current;
            if cur.text.is_empty() {
                cur.ctx = self.stack.last().map_or(Ctx::Paragraph, |o| o.ctx);
                cur.main = self.main > 0 || self.comment_main;
            } else if cur.space && !cur.after_br {
                cur.text.push(' ');
            }
            cur.space = false;
            cur.after_br = false;
            cur.text.push(c);
            cur.chars += 1;
            cur.line_chars += 1;
            if self.link > 0 {
                cur.link_chars += 1;
                cur.line_link_chars += 1;
            }
        }
    }

    /// `<br>`: a newline in the block; a second one in a row ends the block,
    /// as old pages separate paragraphs with `<br><br>`, and so does a line
    /// that is all link ("Return to top"), so the link filter can drop it.
    fn line_break(&mut self) {
        let cur = &mut self.current;
        if cur.text.is_empty() {
            return;
        }
        let link_line = cur.line_chars > 0 && cur.line_link_chars == cur.line_chars;
        if (cur.after_br || link_line) && self.pre == 0 {
            self.flush();
            return;
        }
        cur.text.push('\n');
        cur.after_br = true;
        cur.space = false;
        cur.line_start = cur.text.len();
        cur.line_chars = 0;
        cur.line_link_chars = 0;
    }

    /// Ends the current block. A last line that is all link becomes a block
    /// of its own.
    fn flush(&mut self) {
        let cur = &mut self.current;
        if cur.line_start > 0 && cur.line_chars > 0 && cur.line_link_chars == cur.line_chars {
            let line = Current {
                text: cur.text.split_off(cur.line_start),
                chars: cur.line_chars,
                link_chars: cur.line_link_chars,
                ..Current::default()
            };
            cur.chars -= line.chars;
            cur.link_chars -= line.link_chars;
            let (ctx, main) = (cur.ctx, cur.main);
            self.flush_current();
            self.current = Current { ctx, main, ..line };
        }
        self.flush_current();
    }

    fn flush_current(&mut self) {
        let cur = std::mem::take(&mut self.current);
        let text = cur.text.trim();
        if !text.chars().any(char::is_alphanumeric) {
            return;
        }
        let text = if text.len() == cur.text.len() {
            cur.text
        } else {
            text.to_owned()
        };
        let (kind, level) = match cur.ctx {
            Ctx::Paragraph => (BlockKind::Paragraph, 0),
            Ctx::Item => (BlockKind::ListItem, 0),
            Ctx::Heading(l) => (BlockKind::Heading, l),
        };
        self.emit(Piece {
            kind,
            level,
            text,
            main: cur.main,
            chars: cur.chars,
            link_chars: cur.link_chars,
        });
    }

    /// Sends a block to the innermost open row, or out.
    fn emit(&mut self, piece: Piece) {
        let max_bytes = self.max_block.unwrap_or(usize::MAX);
        let piece = match self.rows.last_mut() {
            Some(row) => match row.hold(piece) {
                Some(piece) => piece,
                None => {
                    let (blocks, bytes) = row.held();
                    if blocks > MAX_ROW_BLOCKS || bytes > max_bytes {
                        self.make_row_layout();
                    }
                    return;
                }
            },
            None => piece,
        };
        self.pieces.push(piece);
    }

    /// Releases the innermost row's blocks as they are; later ones follow.
    /// Rows around it are layout already: they hold the table it is in.
    fn make_row_layout(&mut self) {
        if let Some(row) = self.rows.last_mut() {
            let held = row.make_layout();
            self.pieces.extend(held);
        }
    }

    /// A row of long multi-paragraph cells is prose laid out in a table,
    /// not data.
    fn finish_row(&mut self) {
        self.flush();
        let Some(row) = self.rows.pop() else {
            return;
        };
        let cells = row.into_cells();
        let words: usize = cells.iter().flatten().map(Piece::words).sum();
        let prose = words > LAYOUT_ROW_WORDS && cells.iter().any(|p| p.len() > 1);
        for piece in blocks::row_blocks(cells, prose) {
            self.emit(piece);
        }
    }

    /// Closes everything still open: the last blocks come out.
    fn close(&mut self) {
        while !self.stack.is_empty() {
            self.pop();
        }
        self.flush();
    }

    /// Closes everything still open and applies the page-level filters.
    fn finish(mut self) -> Page {
        self.close();
        let mut pieces = self.pieces;
        let title = self.title.map(|t| clean_title(&t)).or_else(|| {
            pieces
                .iter()
                .find(|p| p.level == 1)
                .map(|p| collapse_whitespace(&p.text))
        });
        let main_words: usize = pieces.iter().filter(|p| p.main).map(Piece::words).sum();
        if main_words >= MIN_MAIN_WORDS {
            pieces.retain(|p| p.main);
        }
        pieces.retain(|p| !p.is_link_menu());
        Page {
            kept_words: pieces.iter().map(Piece::words).sum(),
            kept_chars: pieces.iter().map(|p| p.chars).sum(),
            class_skipped_chars: self.class_skipped_chars,
            pieces,
            title,
        }
    }
}

impl Piece {
    fn words(&self) -> usize {
        self.text.split_whitespace().count()
    }

    /// Short link-dense blocks are menus and "Return to top" links; a
    /// heading with some plain text is kept, as it gives its section a name.
    fn is_link_menu(&self) -> bool {
        let partly_linked = if self.kind == BlockKind::Heading {
            self.link_chars < self.chars
        } else {
            self.link_chars * 4 < self.chars * 3
        };
        !partly_linked && self.words() <= LINK_BLOCK_MAX_WORDS
    }
}

impl blocks::Piece for Piece {
    fn kind(&self) -> BlockKind {
        self.kind
    }

    fn text(&self) -> &str {
        &self.text
    }

    fn table_row(cells: &[Vec<Piece>], text: String) -> Piece {
        let pieces = cells.iter().flatten();
        Piece {
            kind: BlockKind::TableRow,
            level: 0,
            text,
            main: pieces.clone().any(|p| p.main),
            chars: pieces.clone().map(|p| p.chars).sum(),
            link_chars: pieces.map(|p| p.link_chars).sum(),
        }
    }
}

/// Does a comment mark where the content begins (`<!-- content area -->`,
/// `<!-- BEGIN MAIN CONTENT -->`: `Some(true)`) or ends (`<!-- end content
/// area -->`: `Some(false)`)? Template-built pages that have no `<main>` mark
/// their editable region so.
fn content_marker(comment: &str) -> Option<bool> {
    let closing = comment.trim_start().starts_with('/');
    let lower = comment.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut w = words.as_slice();
    let mut ends = closing;
    match w {
        ["end", "of", rest @ ..] | ["end", rest @ ..] => {
            ends = true;
            w = rest;
        }
        ["begin", rest @ ..] | ["start", "of", rest @ ..] | ["start", rest @ ..] => w = rest,
        _ => {}
    }
    if let ["main" | "page", rest @ ..] = w {
        w = rest;
    }
    match w {
        ["content"] | ["content", "area" | "region"] => Some(!ends),
        _ => None,
    }
}

/// Drops tags written into a `<title>` (`<i>Pseudomonas</i> dermatitis`,
/// which browsers show as typed) and a short ` | Site` suffix.
fn clean_title(title: &str) -> String {
    let mut untagged = String::with_capacity(title.len());
    let mut rest = title;
    while let Some(open) = rest.find('<') {
        // A tag is `<`, any `/`, 1 to 20 letters or digits, `>`: looked for
        // right there, not by searching on for a `>`, which made a title
        // of many `<` quadratic.
        let after = &rest[open + 1..];
        let name_at = after.len() - after.trim_start_matches('/').len();
        let name = &after.as_bytes()[name_at..];
        let n = name
            .iter()
            .take(21)
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if (1..=20).contains(&n) && name.get(n) == Some(&b'>') {
            untagged.push_str(&rest[..open]);
            untagged.push(' ');
            rest = &after[name_at + n + 1..];
        } else {
            untagged.push_str(&rest[..=open]);
            rest = after;
        }
    }
    untagged.push_str(rest);
    let title = collapse_whitespace(&untagged);
    if let Some(i) = title.rfind(" | ") {
        let (head, site) = (&title[..i], &title[i + 3..]);
        if site.split_whitespace().count() <= 3 && head.split_whitespace().count() >= 2 {
            return head.trim().to_owned();
        }
    }
    title
}

fn attr<'a>(attrs: &'a [Attribute], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|a| &*a.name.local == name)
        .map(|a| &*a.value)
}

/// Elements that stop the search for an implied or explicit end.
const DEFAULT_SCOPE: &[&str] = &[
    "table", "td", "th", "caption", "html", "template", "object", "marquee", "applet",
];
const BUTTON_SCOPE: &[&str] = &[
    "table", "td", "th", "caption", "html", "template", "object", "marquee", "applet", "button",
];
const LIST_SCOPE: &[&str] = &[
    "table", "td", "th", "caption", "html", "template", "object", "marquee", "applet", "ul", "ol",
];
const DL_SCOPE: &[&str] = &[
    "table", "td", "th", "caption", "html", "template", "object", "marquee", "applet", "dl",
];
const TABLE_SCOPE: &[&str] = &["table", "html", "template"];
const ROW_SCOPE: &[&str] = &["tr", "table", "html", "template"];

fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

/// Elements whose start and end end the current block.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "frameset"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "html"
            | "legend"
            | "li"
            | "listing"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "search"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "tfoot"
            | "th"
            | "thead"
            | "tr"
            | "ul"
    )
}

/// Start tags that close an open `<p>`.
fn closes_p(name: &str) -> bool {
    is_block(name)
        && !matches!(
            name,
            "body"
                | "html"
                | "caption"
                | "td"
                | "th"
                | "tr"
                | "tbody"
                | "thead"
                | "tfoot"
                | "frameset"
        )
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "col"
            | "embed"
            | "frame"
            | "img"
            | "image"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Why an element is skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chrome {
    No,
    /// By its name, role or hidden state: certain.
    Yes,
    /// By a class or id word: a guess.
    ByClass,
}

/// Is this element page chrome or non-text, by its name, role or attributes?
fn chrome(
    name: &str,
    attrs: &[Attribute],
    role: Option<&str>,
    in_scope: bool,
    top_level: bool,
    class_rules: bool,
) -> Chrome {
    match name {
        "nav" | "button" | "select" | "template" | "svg" | "math" | "object" | "canvas"
        | "video" | "audio" | "map" | "search" | "menu" => return Chrome::Yes,
        "form" if !top_level => return Chrome::Yes,
        // Inside an article or section these are its own header, footer and
        // side notes (as in the HTML spec's landmark rules), not the page's.
        "header" | "footer" | "aside" if !in_scope => return Chrome::Yes,
        // Whatever their classes say, these are the page or its content.
        "html" | "body" | "main" | "article" => return Chrome::No,
        _ => {}
    }
    if let Some(role) = role {
        let chrome_role = matches!(
            role,
            "navigation"
                | "banner"
                | "contentinfo"
                | "search"
                | "menu"
                | "menubar"
                | "toolbar"
                | "alertdialog"
        ) || (role == "complementary" && !in_scope);
        if chrome_role {
            return Chrome::Yes;
        }
    }
    let hidden = attrs.iter().any(|a| {
        let value: &str = &a.value;
        match &*a.name.local {
            // `until-found` content is collapsed but meant to be found.
            "hidden" => !value.trim().eq_ignore_ascii_case("until-found"),
            "aria-hidden" => value.trim().eq_ignore_ascii_case("true"),
            "style" => {
                let style = value
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect::<String>()
                    .to_ascii_lowercase();
                style.contains("display:none") || style.contains("visibility:hidden")
            }
            _ => false,
        }
    });
    if hidden {
        return Chrome::Yes;
    }
    if !class_rules {
        return Chrome::No;
    }
    // Custom elements name themselves: <site-header>, <cookie-banner>.
    let by_class = (name.contains('-') && chrome_words(name, in_scope))
        || attrs.iter().any(|a| {
            matches!(&*a.name.local, "class" | "id")
                && a.value
                    .split_ascii_whitespace()
                    .any(|v| chrome_words(v, in_scope))
        });
    if by_class {
        Chrome::ByClass
    } else {
        Chrome::No
    }
}

/// Words that mark chrome wherever they are.
const CHROME_WORDS: &[&str] = &[
    "cookie",
    "consent",
    "gdpr",
    "nav",
    "menu",
    "breadcrumb",
    "sidebar",
    "share",
    "sharing",
    "social",
    "skip",
];
/// Words that mark chrome outside article and main content only.
const PAGE_CHROME_WORDS: &[&str] = &["header", "footer", "banner", "masthead"];
/// Words containing a chrome word that are not chrome.
const NOT_CHROME: &[&str] = &["shared", "navy", "unshared", "skipped"];

/// Does a class name or id (`site-nav`, `mainMenu`, `cookieBanner`) name
/// chrome? Each of its words (split at punctuation and camelCase humps) is
/// checked for starting or ending with a chrome word.
fn chrome_words(value: &str, in_scope: bool) -> bool {
    let lower = value.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "sr-only"
            | "visually-hidden"
            | "visuallyhidden"
            | "screen-reader-text"
            | "element-invisible"
    ) {
        return true;
    }
    let is_chrome = |word: &str| {
        let word = word.to_ascii_lowercase();
        let hit = |k: &&str| word.starts_with(*k) || word.ends_with(*k);
        !NOT_CHROME.contains(&word.as_str())
            && (CHROME_WORDS.iter().any(hit) || (!in_scope && PAGE_CHROME_WORDS.iter().any(hit)))
    };
    let bytes = value.as_bytes();
    let mut start = 0;
    for i in 0..=bytes.len() {
        let boundary = match bytes.get(i) {
            None => true,
            Some(b) if !b.is_ascii_alphanumeric() => true,
            Some(b) => b.is_ascii_uppercase() && i > 0 && bytes[i - 1].is_ascii_lowercase(),
        };
        if boundary {
            if i > start && is_chrome(&value[start..i]) {
                return true;
            }
            // A hump starts the next word; punctuation is dropped.
            start = if bytes.get(i).is_some_and(u8::is_ascii_alphanumeric) {
                i
            } else {
                i + 1
            };
        }
    }
    // Also the whole run of letters, for `mainnav`-style compounds whose
    // humps are lowercase.
    lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| !w.is_empty() && is_chrome(w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{Block, Markup, Offsets};
    use std::time::{Duration, Instant};

    fn blocks(html: &str) -> Vec<(BlockKind, String)> {
        let e = extract(html.as_bytes()).expect("extracts");
        check_ranges(&e);
        e.blocks
            .iter()
            .map(|b| (b.kind, e.text[b.range.clone()].to_string()))
            .collect()
    }

    fn texts(html: &str) -> Vec<String> {
        blocks(html).into_iter().map(|(_, t)| t).collect()
    }

    /// Every block range slices `text` to a trimmed, non-empty block, and
    /// the text is exactly the blocks joined by blank lines.
    fn check_ranges(e: &Extracted) {
        let joined: Vec<&str> = e.blocks.iter().map(|b| &e.text[b.range.clone()]).collect();
        assert_eq!(joined.join("\n\n"), e.text);
        for s in joined {
            assert!(!s.is_empty() && s.trim() == s, "{s:?}");
        }
        assert_eq!(e.offsets, Offsets::Extracted);
        assert_eq!(e.markup, Markup::None);
    }

    #[test]
    fn chrome_is_dropped_and_structure_kept() {
        let html = r##"<!DOCTYPE html><html><head><title>Integrated care | NHS</title>
            <style>body { color: red }</style><script>var nav = "menu text";</script></head>
            <body>
            <a class="skip-link" href="#main">Skip to main content</a>
            <div id="cookie-banner">We use cookies to improve this site. Accept all cookies?</div>
            <header><div class="logo">NHS England</div><ul><li>Home</li><li>About</li></ul></header>
            <nav class="breadcrumbs"><a href="/">Home</a> &gt; Policy</nav>
            <div class="content">
              <h1>Integrated care systems</h1>
              <p>Integrated care systems &amp; boards bring   together NHS organisations,
                 local&nbsp;authorities and <em>partners</em> to plan services.</p>
              <h2>Aims</h2>
              <ul><li>Improve outcomes in population health</li><li>Tackle inequalities</li></ul>
              <div class="share-buttons"><a href="#">Share on Twitter</a></div>
            </div>
            <aside><p>Related: something else entirely here.</p></aside>
            <footer><p>&copy; NHS England 2024. All rights reserved and terms apply.</p></footer>
            <noscript>Please enable JavaScript to view this page.</noscript>
            </body></html>"##;
        let e = extract(html.as_bytes()).unwrap();
        check_ranges(&e);
        assert_eq!(e.title.as_deref(), Some("Integrated care"));
        let got = blocks(html);
        assert_eq!(
            got,
            vec![
                (BlockKind::Heading, "Integrated care systems".to_string()),
                (
                    BlockKind::Paragraph,
                    "Integrated care systems & boards bring together NHS organisations, local authorities and partners to plan services."
                        .to_string()
                ),
                (BlockKind::Heading, "Aims".to_string()),
                (BlockKind::ListItem, "Improve outcomes in population health".to_string()),
                (BlockKind::ListItem, "Tackle inequalities".to_string()),
            ]
        );
        for junk in [
            "Skip",
            "cookies",
            "Home",
            "Twitter",
            "Related",
            "rights",
            "JavaScript",
            "menu text",
            "color",
        ] {
            assert!(!e.text.contains(junk), "{junk} in {:?}", e.text);
        }
    }

    #[test]
    fn main_element_replaces_the_page() {
        let html = "<body><div class=top>Site name and strapline words</div>\
            <main><h1>Report</h1><p>The board agreed the plan for the coming year after a long \
            discussion of the budget, the workforce and the waiting lists across all of the \
            hospitals in the system.</p></main><div>Unrelated trailing text block</div></body>";
        assert_eq!(
            texts(html),
            vec![
                "Report".to_string(),
                "The board agreed the plan for the coming year after a long discussion of the budget, the workforce and the waiting lists across all of the hospitals in the system.".to_string()
            ]
        );
    }

    #[test]
    fn article_header_and_aside_are_content() {
        let html = "<nav>Menu</nav><article><header><h2>1950 March 25</h2></header>\
            <p>Summary.</p><aside><p>The full story of the survey is told here at length.</p></aside>\
            <footer>Posted by the editor</footer></article>";
        let t = texts(html);
        assert_eq!(
            t,
            vec![
                "1950 March 25",
                "Summary.",
                "The full story of the survey is told here at length.",
                "Posted by the editor"
            ]
        );
    }

    #[test]
    fn entities_and_whitespace() {
        let html = "<p>It&#8217;s  &lt;5%&gt;\n\t of &quot;A&amp;E&quot; visits&nbsp;&nbsp;today &#x2014; &eacute;t&eacute;</p>\
                    <pre>  line one\n    indented  two\n</pre>";
        assert_eq!(
            texts(html),
            vec![
                "It’s <5%> of \"A&E\" visits today — été",
                "line one\n    indented  two"
            ]
        );
    }

    #[test]
    fn inline_elements_do_not_break_blocks_and_br_does() {
        let html =
            "<p>One <b>bold</b><i>italic</i> <a href=x>link</a><sup>1</sup> end.<br>Next line.</p>\
                    <div>First para.<br><br>Second para.</div>";
        assert_eq!(
            texts(html),
            vec![
                "One bolditalic link1 end.\nNext line.",
                "First para.",
                "Second para."
            ]
        );
    }

    #[test]
    fn data_table_rows_and_layout_tables() {
        let html = "<table><tr><th>Region</th><th>Beds</th></tr>\
                    <tr><td>North <b>East</b></td><td>1,200</td></tr></table>\
                    <table><tr><td><h1>Article</h1><p>Body text of the article.</p></td>\
                    <td><table><tr><td>a</td><td>b</td></tr></table></td></tr></table>";
        assert_eq!(
            blocks(html),
            vec![
                (BlockKind::TableRow, "Region | Beds".to_string()),
                (BlockKind::TableRow, "North East | 1,200".to_string()),
                (BlockKind::Heading, "Article".to_string()),
                (
                    BlockKind::Paragraph,
                    "Body text of the article.".to_string()
                ),
                (BlockKind::TableRow, "a | b".to_string()),
            ]
        );
    }

    #[test]
    fn unclosed_tags_are_closed_implicitly() {
        let html = "<ul><li>one<li>two</ul><p>para one<p>para two<table><tr><td>x<td>y<tr><td>z<td>w</table>";
        assert_eq!(
            blocks(html),
            vec![
                (BlockKind::ListItem, "one".to_string()),
                (BlockKind::ListItem, "two".to_string()),
                (BlockKind::Paragraph, "para one".to_string()),
                (BlockKind::Paragraph, "para two".to_string()),
                (BlockKind::TableRow, "x | y".to_string()),
                (BlockKind::TableRow, "z | w".to_string()),
            ]
        );
    }

    #[test]
    fn link_lists_are_dropped() {
        let html = "<p>The plan sets out the aims of the new boards.</p>\
                    <p><a href=a>HOME</a> | <a href=b>ABOUT</a> | <a href=c>CONTACT</a></p>\
                    <p><a href=#top>Return to top.</a></p><h3><a href=#top>Top</a></h3>\
                    <h3>Linked <a href=x>heading</a></h3>";
        assert_eq!(
            texts(html),
            vec![
                "The plan sets out the aims of the new boards.",
                "Linked heading"
            ]
        );
    }

    #[test]
    fn encodings() {
        // windows-1252 declared in an http-equiv meta, content first.
        let mut page =
            b"<meta content=\"text/html; charset=windows-1252\" http-equiv=\"Content-Type\"><p>caf"
                .to_vec();
        page.extend_from_slice(&[0xE9, 0x20, 0x93, b'q', 0x94]);
        let e = extract(&page).unwrap();
        assert_eq!(&e.text, "café “q”");
        // A UTF-16 byte order mark.
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("<p>Ünïcode</p>".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(extract(&utf16).unwrap().text, "Ünïcode");
        // Undeclared, not UTF-8: the detector's guess, no panic.
        let latin = [
            b"<p>Gesundheitsf".as_slice(),
            &[0xF6],
            b"rderung f",
            &[0xFC],
            b"r alle",
        ]
        .concat();
        assert_eq!(
            extract(&latin).unwrap().text,
            "Gesundheitsförderung für alle"
        );
        // A <meta charset> naming a legacy encoding.
        let koi = [b"<meta charset=koi8-r><p>".as_slice(), &[0xF0, 0xD2, 0xC9]].concat();
        assert_eq!(extract(&koi).unwrap().text, "При");
    }

    #[test]
    fn title_falls_back_to_first_h1() {
        let e = extract(b"<title> </title><h2>Sub</h2><h1>Main  heading</h1><p>Text.</p>").unwrap();
        assert_eq!(e.title.as_deref(), Some("Main heading"));
        let e = extract(b"<svg><title>Icon</title></svg><p>Text.</p>").unwrap();
        assert_eq!(e.title, None);
    }

    /// `clean_title` as it was before tags were matched in place: the
    /// behaviour to keep.
    fn clean_title_reference(title: &str) -> String {
        let mut untagged = String::new();
        let mut rest = title;
        while let Some(open) = rest.find('<') {
            let tag_end = rest[open..].find('>').map(|e| open + e);
            let is_tag = tag_end.is_some_and(|e| {
                let inner = rest[open + 1..e].trim_start_matches('/');
                !inner.is_empty()
                    && inner.len() <= 20
                    && inner.bytes().all(|b| b.is_ascii_alphanumeric())
            });
            match tag_end {
                Some(e) if is_tag => {
                    untagged.push_str(&rest[..open]);
                    untagged.push(' ');
                    rest = &rest[e + 1..];
                }
                _ => {
                    untagged.push_str(&rest[..=open]);
                    rest = &rest[open + 1..];
                }
            }
        }
        untagged.push_str(rest);
        let title = collapse_whitespace(&untagged);
        if let Some(i) = title.rfind(" | ") {
            let (head, site) = (&title[..i], &title[i + 3..]);
            if site.split_whitespace().count() <= 3 && head.split_whitespace().count() >= 2 {
                return head.trim().to_owned();
            }
        }
        title
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 2000,
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]
        #[test]
        fn title_tags_are_dropped_as_before(t in "[<>/ai1é |]{0,60}") {
            proptest::prop_assert_eq!(clean_title(&t), clean_title_reference(&t));
        }
    }

    #[test]
    fn a_title_of_many_angle_brackets_is_read_in_one_pass() {
        // Searching on for a `>` from each `<` took minutes here.
        let title = format!("{}> Board <i>papers</i>", "<".repeat(1 << 20));
        let html = format!("<title>{}</title><p>Text.</p>", title.replace('<', "&lt;"));
        let e = extract(html.as_bytes()).unwrap();
        let got = e.title.unwrap();
        assert!(
            got.ends_with("> Board papers"),
            "{}",
            &got[got.len() - 20..]
        );
        assert_eq!(got.len(), (1 << 20) + "> Board papers".len());
    }

    #[test]
    fn deep_nesting_is_linear() {
        let n = 100_000;
        let html = format!("{}text{}", "<div>".repeat(n), "</div>".repeat(n));
        let start = Instant::now();
        assert_eq!(texts(&html), vec!["text"]);
        let garbage = format!("{}after", "<li><table><b><span class=nav>".repeat(n / 4));
        let _ = extract(garbage.as_bytes());
        let unclosed = format!("<ol>{}<li>item", "<div>".repeat(n));
        assert_eq!(texts(&unclosed), vec!["item"]);
        // Debug builds are slow; release runs this in tens of milliseconds.
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn garbage_does_not_panic() {
        let inputs: [&[u8]; 8] = [
            b"",
            b"<",
            b"</p></div></table></tr>",
            b"<table><td>cell</table></td>",
            b"<scr<script>ipt>alert(1)</script>",
            b"\xff\xfe\x00<\x00p",
            b"<p>&#0; &#xFFFFFFFF; &bogus; \x00 text",
            b"<svg><p>x</svg></p><math><mi>y</math><plaintext><b>raw</b>",
        ];
        for input in inputs {
            match extract(input) {
                Ok(e) => check_ranges(&e),
                Err(ExtractError::Empty) => {}
                Err(e) => panic!("{e}"),
            }
        }
        let e = extract(b"<p>before<plaintext><b>raw</b>").unwrap();
        assert_eq!(e.text, "before\n\n<b>raw</b>");
    }

    #[test]
    fn class_rules_that_hide_the_page_are_dropped() {
        let body = "<p>The board met in public and agreed the plan.</p>".repeat(10);
        let html = format!("<div class=\"page has-sidebar\">{body}</div><div class=nav>Home</div>");
        let t = texts(&html);
        assert_eq!(t.len(), 11, "{t:?}");
        assert_eq!(t[10], "Home");
    }

    #[test]
    fn template_comments_delimit_the_content() {
        let para = "<p>During 1999 outbreaks of dermatitis associated with hot tub use occurred in two states.</p>";
        let html = format!(
            "<table><tr><td>Centers for Disease Control</td><td><a href=/>Home</a></td></tr></table>\
             <!-- content area -->{}<!-- end content area -->\
             <table><tr><td>Page last reviewed 5/2/01</td></tr></table><div hidden=until-found></div>",
            para.repeat(3)
        );
        assert_eq!(texts(&html).len(), 3);
        assert_eq!(content_marker(" content area "), Some(true));
        assert_eq!(content_marker("BEGIN MAIN CONTENT"), Some(true));
        assert_eq!(content_marker("end content area"), Some(false));
        assert_eq!(content_marker("/content"), Some(false));
        assert_eq!(content_marker("report header"), None);
        assert_eq!(content_marker("content area ends here"), None);
    }

    #[test]
    fn prose_in_layout_cells_stays_paragraphs() {
        let long = "word ".repeat(80);
        let html = format!(
            "<table><tr><td><p>{long}</p><p>{long}</p></td><td><p>Side note.</p></td></tr></table>\
             <p hidden=until-found>Collapsed answer text.</p>"
        );
        let b = blocks(&html);
        assert_eq!(b.len(), 4);
        assert!(b.iter().all(|(k, _)| *k == BlockKind::Paragraph));
        assert_eq!(b[3].1, "Collapsed answer text.");
    }

    #[test]
    fn empty_page_is_empty() {
        assert!(matches!(
            extract(b"<html><head><title>T</title></head><body><nav>Home</nav></body></html>"),
            Err(ExtractError::Empty)
        ));
    }

    #[test]
    fn chrome_words_match_whole_parts() {
        assert!(chrome_words("site-nav", false));
        assert!(chrome_words("mainNavigation", false));
        assert!(chrome_words("cookieBanner", true));
        assert!(chrome_words("page-header", false));
        assert!(!chrome_words("page-header", true));
        assert!(!chrome_words("shared-content", false));
        assert!(!chrome_words("canvas", false));
        assert!(!chrome_words("content", false));
        assert!(!chrome_words("café-ñandú", false));
        assert!(chrome_words("menü-nav", false));
    }

    /// Reads `html` with a [`PageStream`] of the given step and chunk sizes.
    fn streamed(html: &[u8], step: usize, chunk: usize) -> Result<Vec<Extracted>, ExtractError> {
        let mut stream = PageStream::new(std::io::Cursor::new(html));
        stream.step_bytes = step;
        stream.chunk_bytes = chunk;
        let mut chunks = Vec::new();
        let result = loop {
            match stream.step() {
                Ok(Some(Step::Chunk(c))) => chunks.push(c),
                Ok(Some(Step::Read)) => {}
                Ok(None) => break Ok(chunks),
                Err(e) => break Err(e),
            }
        };
        assert_eq!(stream.hash(), blake3::hash(html).to_hex().to_string());
        result
    }

    /// Streamed with tiny and with real step and chunk sizes, the chunks
    /// joined by blank lines are the whole page's text and blocks, each
    /// chunk placed by its `byte_base` and `line_base`.
    fn assert_stream_matches(html: &[u8]) {
        let whole = extract(html);
        for (step, chunk) in [
            (1, 1),
            (7, 40),
            (64, 1 << 10),
            (STEP_BYTES, CHUNK_TEXT_BYTES),
        ] {
            let chunks = match (&whole, streamed(html, step, chunk)) {
                (Ok(_), Ok(chunks)) => chunks,
                (Err(ExtractError::Empty), Err(ExtractError::Empty)) => continue,
                (w, c) => panic!("step {step}: whole page {w:?}, streamed {c:?}"),
            };
            let whole = whole.as_ref().unwrap();
            let mut text = String::new();
            let mut blocks = Vec::new();
            for c in &chunks {
                check_ranges(c);
                if !text.is_empty() {
                    text.push_str("\n\n");
                }
                assert_eq!(c.byte_base as usize, text.len());
                assert_eq!(c.line_base as usize, text.matches('\n').count());
                assert_eq!(c.title, whole.title);
                let base = text.len();
                blocks.extend(c.blocks.iter().map(|b| Block {
                    range: base + b.range.start..base + b.range.end,
                    ..b.clone()
                }));
                text.push_str(&c.text);
            }
            assert_eq!(text, whole.text, "step {step}, chunk {chunk}");
            assert_eq!(blocks, whole.blocks, "step {step}, chunk {chunk}");
            if chunk == 1 {
                assert_eq!(chunks.len(), whole.blocks.len());
            }
        }
    }

    #[test]
    fn streamed_pages_match_whole_pages() {
        let words = "The board agreed the plan for the coming year after a long discussion \
                     of the budget, the workforce and the waiting lists in the system.";
        let pages: Vec<Vec<u8>> = [
            // Chrome by name, role, class; a title with a site suffix.
            "<!DOCTYPE html><html><head><title>Integrated care | NHS</title>\
                 <script>var nav = 'menu';</script></head><body>\
                 <div id=cookie-banner>We use cookies. Accept all?</div>\
                 <header><ul><li>Home</li><li>About</li></ul></header>\
                 <nav><a href=/>Home</a> &gt; Policy</nav><div class=content>\
                 <h1>Integrated care</h1><p>Boards &amp; partners\r\n plan&nbsp;services \
                 &eacute;t&eacute; &#8217;s &#x2014;.</p><ul><li>One</li><li>Two</li></ul>\
                 <div class=share-buttons><a href=#>Share</a></div></div>\
                 <aside><p>Related</p></aside><footer><p>&copy; 2024</p></footer></body></html>"
                .to_string(),
            // Main content replaces the page, wherever the rest is.
            format!(
                "<div>Site strapline words</div><main><h1>Report</h1><p>{words}</p></main>\
                 <div>Trailing text</div>"
            ),
            // Main content too short to replace the page.
            "<div>Before</div><article><p>Short article.</p></article><p>After.</p>".to_string(),
            // Class rules that hide the page are dropped.
            format!(
                "<div class=\"page has-sidebar\">{}</div><div class=nav>Home</div>",
                format!("<p>{words}</p>").repeat(5)
            ),
            // Template comments; tables, nested and unclosed; br and pre.
            format!(
                "<table><tr><td>Agency</td><td><a href=/>Home</a></td></tr></table>\
                 <!-- content area --><p>{words}</p><p>{words} Again.</p>\
                 <table><tr><th>Region</th><th>Beds</th></tr><tr><td>North<td>1,200\
                 <tr><td><h2>Layout</h2><table><tr><td>a<td>b</table></td></tr></table>\
                 <div>First.<br><br>Second.<br>Third.</div><pre>  one\n    two\n</pre>\
                 <!-- end content area --><p>Page last reviewed</p>"
            ),
            // No <title>: the first h1; link lists; plaintext to the end.
            "<h2>Sub</h2><h1>Main  heading</h1><p>Text.</p><p><a href=a>HOME</a> | \
             <a href=b>ABOUT</a></p><p>before<plaintext><b>raw</b>"
                .to_string(),
            // Nothing but chrome.
            "<html><head><title>T</title></head><body><nav>Home</nav></body></html>".to_string(),
        ]
        .into_iter()
        .map(String::into_bytes)
        .chain([
            // Declared windows-1252, a UTF-16 byte order mark, a UTF-8 one.
            [
                b"<meta http-equiv=Content-Type content=\"text/html; charset=windows-1252\"><p>caf"
                    .as_slice(),
                &[0xE9, 0x20, 0x93, b'q', 0x94],
            ]
            .concat(),
            [0xFF, 0xFE]
                .into_iter()
                .chain(
                    "<p>Ünïcode</p><p>more</p>"
                        .encode_utf16()
                        .flat_map(u16::to_le_bytes),
                )
                .collect(),
            [&[0xEF, 0xBB, 0xBF][..], "<p>café</p>".as_bytes()].concat(),
            // Undeclared and not UTF-8, found out late: read again.
            [
                "<p>Gesundheit für alle</p>".repeat(20).as_bytes(),
                b"<p>Gesundheitsf\xf6rderung f\xfcr alle</p>",
            ]
            .concat(),
            // Undeclared, invalid UTF-8 the detector still takes for UTF-8.
            [
                "<p>Gesundheit für alle, café, naïve, déjà vu</p>".as_bytes(),
                b"<p>broken \xff byte</p>",
            ]
            .concat(),
        ])
        .collect();
        for page in &pages {
            assert_stream_matches(page);
        }
        // A page of several chunks, read in steps of more than a chunk.
        let mut big = String::from("<title>Big</title><nav>Menu</nav><main>");
        let mut i = 0;
        while big.len() < 3 << 20 {
            big.push_str(&format!("<h2>Part {i}</h2><p>Paragraph {i}: {words}</p>"));
            i += 1;
        }
        big.push_str("</main><footer>Footer</footer>");
        let chunks = streamed(big.as_bytes(), 2 << 20, 1 << 19).unwrap();
        assert!(chunks.len() >= 5, "{}", chunks.len());
        assert!(chunks.iter().all(|c| c.text.len() < 1 << 20));
        let whole = extract(big.as_bytes()).unwrap();
        let joined: Vec<&str> = chunks.iter().map(|c| c.text.as_str()).collect();
        assert!(joined.join("\n\n") == whole.text);
        assert!(!whole.text.contains("Menu") && !whole.text.contains("Footer"));
    }

    #[test]
    fn streamed_blocks_are_bounded() {
        let long = "word ".repeat(1000);
        let html = format!(
            "<title>{long}</title><p>{long}</p><p>{}</p><table><tr><td>{long}</td><td>b</td></tr></table>",
            "x".repeat(1000)
        );
        let mut stream = PageStream::new(std::io::Cursor::new(html.as_bytes()));
        stream.max_block = 100;
        let mut chunks = Vec::new();
        while let Some(step) = stream.step().unwrap() {
            if let Step::Chunk(c) = step {
                chunks.push(c);
            }
        }
        let c = &chunks[0];
        assert!(c.title.as_ref().unwrap().len() <= 110);
        for b in &c.blocks {
            assert!(b.range.len() <= 200, "{}", b.range.len());
        }
        // Blocks are cut at spaces: every word is still there.
        let text = &chunks[0].text;
        assert_eq!(
            text.split_whitespace().filter(|w| *w == "word").count(),
            2000
        );
        assert_eq!(text.matches('x').count(), 1000);
    }

    #[test]
    fn streamed_page_out_of_time_unwinds() {
        let html = "<p>Some words of text.</p>".repeat(10_000);
        let limit = Duration::ZERO;
        let result = std::panic::catch_unwind(|| {
            let _deadline = crate::limits::FileDeadline::start(limit);
            let mut stream = PageStream::new(std::io::Cursor::new(html.as_bytes()));
            while stream.step().unwrap().is_some() {}
        });
        let payload = result.unwrap_err();
        assert!(payload.downcast_ref::<crate::limits::OutOfTime>().is_some());
    }
}
