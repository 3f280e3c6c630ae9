//! Pages too large to read whole, read in passes: [`PageStream`].

use std::cell::RefCell;

use encoding_rs::Encoding;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, Tokenizer, TokenizerOpts};

use super::charset::declared_encoding;
use super::piece::Piece;
use super::title::page_title;
use super::walker::{Sink, Walker};
use super::MIN_MAIN_WORDS;
use crate::extract::blocks::{self, collapse_whitespace};
use crate::extract::{decode, ExtractError, Extracted};

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
/// chunks of about `CHUNK_TEXT_BYTES`: joined by blank lines, the chunks
/// are the text [`extract`] gives for the whole page, and each chunk's
/// `byte_base` and `line_base` say where it starts in that text. Each pass
/// decodes as it reads, in the encoding [`extract`] would choose.
///
/// [`extract`]: super::extract
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
        let walker = Walker::new(class_rules, Some(self.max_block));
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

    /// After a pass: the choices [`super::extract`] makes, from its counts.
    fn end_pass(&mut self, walker: Walker, malformed: bool) -> Result<(), ExtractError> {
        self.hashed = true;
        if let Some(charset) = &mut self.charset {
            if let Some(start) = charset.start.take() {
                if malformed {
                    // Not UTF-8 after all: read it again in what the
                    // detector says, unless that is UTF-8 with errors.
                    charset.encoding = decode::detect(&start);
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
        self.title = page_title(walker.title, tally.first_h1);
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
        // The next chunk follows a blank line, as blocks do in `blocks::assemble`.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::html::extract;
    use crate::extract::testing::check_ranges;
    use crate::extract::Block;
    use std::time::Duration;

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
