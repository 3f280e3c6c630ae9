//! RTF: the text of paragraphs, list items and table rows.
//!
//! A small tokenizer of our own rather than a crate: the one RTF parser
//! on crates.io (`rtf-parser` 0.4) takes only valid UTF-8, lexes by
//! recursion (one stack frame per token), and unwraps `String::from_utf16`
//! on `\uN` sequences, so a lone surrogate panics; its default features
//! also pull in wasm-bindgen. Text extraction needs little of RTF: control
//! words, groups, `\par`, `\'hh` bytes in the document's code page, `\uN`
//! characters, and the destinations to skip (font and colour tables,
//! style sheet, document information, pictures, fields' instructions and
//! everything marked `\*`). The pass is one loop over the bytes; group
//! nesting is kept on a stack capped at [`MAX_DEPTH`], so nothing recurses
//! and hostile nesting costs no more than its bytes.

use encoding_rs::{Encoding, WINDOWS_1252};

use super::blocks::{self, collapse_whitespace, Plain, Row};
use super::date::{DateSource, Day, PubDate};
use super::{title, BlockKind, ExtractError, Extracted};

/// Groups nested deeper than this share the state of the deepest kept one.
const MAX_DEPTH: usize = 1024;
/// Longest control word; RTF's are at most 32 letters.
const MAX_WORD: usize = 32;

/// Destinations whose text is not the document's.
const SKIPPED: &[&str] = &[
    "fonttbl",
    "colortbl",
    "stylesheet",
    "info",
    "pict",
    "object",
    "shppict",
    "nonshppict",
    "fldinst",
    "header",
    "headerl",
    "headerr",
    "headerf",
    "footer",
    "footerl",
    "footerr",
    "footerf",
    "footnote",
    "annotation",
    "atnid",
    "atnauthor",
    "listtable",
    "listoverridetable",
    "revtbl",
    "rsidtbl",
    "filetbl",
    "themedata",
    "colorschememapping",
    "datastore",
    "latentstyles",
    "generator",
    "xmlnstbl",
    "sp",
    "bkmkstart",
    "bkmkend",
    "template",
];

/// Where a group's text goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dest {
    Text,
    Skip,
    /// `{\info{\title …}}`.
    Title,
    /// `{\info{\creatim\yr2024\mo5\dy12}}`.
    Created,
}

/// What a group sets and its inner groups inherit.
#[derive(Debug, Clone, Copy)]
struct Group {
    dest: Dest,
    /// Fallback characters after `\uN` (`\ucN`).
    uc: u32,
}

struct Parser {
    encoding: &'static Encoding,
    group: Group,
    stack: Vec<Group>,
    /// Groups opened beyond [`MAX_DEPTH`].
    overflow: usize,
    /// `\'hh` and raw 8-bit bytes not yet decoded.
    bytes: Vec<u8>,
    /// A high surrogate from `\uN`, waiting for its pair.
    high: Option<u16>,
    /// Fallback characters still to skip.
    skip: u32,
    para: String,
    /// Paragraph properties: `\outlinelevelN`, `\lsN`, `\intbl`.
    outline: bool,
    list: bool,
    in_table: bool,
    row: Option<Row<Plain>>,
    pieces: Vec<Plain>,
    title: String,
    created: [u16; 3],
}

/// Extracts the text of an RTF file.
pub fn extract(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let body = bytes[start..]
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&bytes[start..]);
    if !body.starts_with(b"{\\rtf") {
        return Err(ExtractError::Corrupt("not an RTF file".into()));
    }
    let mut p = Parser {
        encoding: WINDOWS_1252,
        group: Group {
            dest: Dest::Text,
            uc: 1,
        },
        stack: Vec::new(),
        overflow: 0,
        bytes: Vec::new(),
        high: None,
        skip: 0,
        para: String::new(),
        outline: false,
        list: false,
        in_table: false,
        row: None,
        pieces: Vec::new(),
        title: String::new(),
        created: [0; 3],
    };
    p.run(body);
    p.end_paragraph();
    p.end_row();
    if p.pieces.is_empty() {
        return Err(ExtractError::Empty);
    }
    let first_heading = p
        .pieces
        .iter()
        .find(|x| x.kind == BlockKind::Heading)
        .map(|x| collapse_whitespace(&x.text));
    let title = [Some(collapse_whitespace(&p.title)), first_heading]
        .into_iter()
        .flatten()
        .find_map(|t| title::plausible(&t));
    let [y, m, d] = p.created;
    let created = u8::try_from(m)
        .ok()
        .zip(u8::try_from(d).ok())
        .and_then(|(m, d)| Day::new(y, m, d))
        .map(|day| PubDate {
            day,
            source: DateSource::Created,
        });
    let mut extracted = blocks::assemble(p.pieces, title);
    extracted.date = created;
    Ok(extracted)
}

impl Parser {
    fn run(&mut self, s: &[u8]) {
        let mut i = 0;
        while i < s.len() {
            crate::limits::check();
            match s[i] {
                b'{' => {
                    self.flush();
                    if self.stack.len() < MAX_DEPTH {
                        self.stack.push(self.group);
                    } else {
                        self.overflow += 1;
                    }
                    self.skip = 0;
                    i += 1;
                }
                b'}' => {
                    self.flush();
                    if self.overflow > 0 {
                        self.overflow -= 1;
                    } else if let Some(g) = self.stack.pop() {
                        self.group = g;
                    }
                    self.skip = 0;
                    i += 1;
                }
                b'\\' => i = self.control(s, i + 1),
                b'\r' | b'\n' | 0 => i += 1,
                b => {
                    self.byte(b);
                    i += 1;
                }
            }
        }
        self.flush();
    }

    /// A control word or symbol starting at `s[i]` (after the backslash);
    /// returns where the next token starts.
    fn control(&mut self, s: &[u8], mut i: usize) -> usize {
        let Some(&c) = s.get(i) else {
            return i;
        };
        if !c.is_ascii_alphabetic() {
            i += 1;
            match c {
                b'\'' => {
                    let hex = s.get(i..i + 2).and_then(|h| std::str::from_utf8(h).ok());
                    if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                        self.byte(b);
                        return i + 2;
                    }
                }
                b'*' => self.group.dest = Dest::Skip,
                b'\\' | b'{' | b'}' => self.byte(c),
                b'~' => self.char(' '),
                b'_' => self.char('-'),
                b'\r' | b'\n' => self.end_paragraph(),
                _ => {}
            }
            return i;
        }
        let word_start = i;
        while i < s.len() && s[i].is_ascii_alphabetic() && i - word_start < MAX_WORD {
            i += 1;
        }
        let word = std::str::from_utf8(&s[word_start..i]).unwrap_or_default();
        let num_start = i;
        if s.get(i) == Some(&b'-') {
            i += 1;
        }
        while i < s.len() && s[i].is_ascii_digit() && i - num_start < 11 {
            i += 1;
        }
        let param = std::str::from_utf8(&s[num_start..i])
            .ok()
            .and_then(|n| n.parse::<i64>().ok());
        if s.get(i) == Some(&b' ') {
            i += 1;
        }
        if word == "bin" {
            // Binary data: skipped whole, whatever its bytes.
            let n = usize::try_from(param.unwrap_or(0)).unwrap_or(0);
            return i.saturating_add(n).min(s.len());
        }
        self.word(word, param);
        i
    }

    fn word(&mut self, word: &str, param: Option<i64>) {
        if SKIPPED.contains(&word) {
            self.flush();
            self.group.dest = Dest::Skip;
            return;
        }
        let n = param.unwrap_or(0);
        match word {
            "title" => self.group.dest = Dest::Title,
            "creatim" => self.group.dest = Dest::Created,
            "yr" | "mo" | "dy" if self.group.dest == Dest::Created => {
                let at = ["yr", "mo", "dy"]
                    .iter()
                    .position(|w| *w == word)
                    .unwrap_or(0);
                self.created[at] = u16::try_from(n).unwrap_or(0);
            }
            "listtext" | "pntext" => {
                self.list = true;
                self.group.dest = Dest::Skip;
            }
            "ansicpg" => self.encoding = code_page(n).unwrap_or(WINDOWS_1252),
            "mac" => self.encoding = encoding_rs::MACINTOSH,
            "uc" => self.group.uc = u32::try_from(n).unwrap_or(1).min(8),
            "u" => self.unicode(n),
            "par" | "sect" | "page" => self.end_paragraph(),
            "pard" => {
                self.outline = false;
                self.list = false;
                self.in_table = false;
            }
            "outlinelevel" => self.outline = (0..9).contains(&n),
            "ls" => self.list = true,
            "intbl" => self.in_table = true,
            "cell" => {
                self.in_table = true;
                self.end_paragraph();
                self.row.get_or_insert_with(Row::default).next_cell();
            }
            "nestcell" => self.end_paragraph(),
            "row" => {
                self.end_paragraph();
                self.end_row();
            }
            "line" => self.char('\n'),
            "tab" => self.char('\t'),
            "emdash" => self.char('—'),
            "endash" => self.char('–'),
            "bullet" => self.char('•'),
            "lquote" => self.char('‘'),
            "rquote" => self.char('’'),
            "ldblquote" => self.char('“'),
            "rdblquote" => self.char('”'),
            "emspace" | "enspace" | "qmspace" => self.char(' '),
            _ => {}
        }
    }

    /// `\uN`: a UTF-16 code unit as a signed 16-bit number; then the
    /// group's count of fallback characters is skipped.
    fn unicode(&mut self, n: i64) {
        let unit = (n.rem_euclid(65_536)) as u16;
        let c = match (self.high.take(), unit) {
            (_, 0xD800..=0xDBFF) => {
                self.high = Some(unit);
                None
            }
            (Some(high), 0xDC00..=0xDFFF) => {
                char::decode_utf16([high, unit]).next().and_then(Result::ok)
            }
            (_, unit) => char::from_u32(u32::from(unit)),
        };
        if let Some(c) = c.filter(|c| !c.is_control() || *c == '\t') {
            self.char(c);
        }
        self.skip = self.group.uc;
    }

    /// A byte of text in the document's code page.
    fn byte(&mut self, b: u8) {
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        self.bytes.push(b);
    }

    fn char(&mut self, c: char) {
        self.flush();
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        if let Some(out) = self.out() {
            out.push(c);
        }
    }

    /// Where the current group's text goes.
    fn out(&mut self) -> Option<&mut String> {
        match self.group.dest {
            Dest::Text => Some(&mut self.para),
            Dest::Title => Some(&mut self.title),
            Dest::Skip | Dest::Created => None,
        }
    }

    /// Decodes the bytes waiting.
    fn flush(&mut self) {
        if self.bytes.is_empty() {
            return;
        }
        let bytes = std::mem::take(&mut self.bytes);
        let (text, _) = self.encoding.decode_without_bom_handling(&bytes);
        if let Some(out) = self.out() {
            out.push_str(&text);
        }
    }

    fn end_paragraph(&mut self) {
        self.flush();
        let text = std::mem::take(&mut self.para);
        let text = text.trim();
        if !text.chars().any(char::is_alphanumeric) {
            return;
        }
        let kind = if self.outline {
            BlockKind::Heading
        } else if self.list {
            BlockKind::ListItem
        } else {
            BlockKind::Paragraph
        };
        let piece = Plain {
            kind,
            text: text.to_string(),
        };
        match self.row.as_mut().filter(|_| self.in_table) {
            Some(row) => {
                row.hold(piece);
            }
            None if self.in_table => {
                let mut row = Row::default();
                row.hold(piece);
                self.row = Some(row);
            }
            None => self.pieces.push(piece),
        }
    }

    fn end_row(&mut self) {
        if let Some(row) = self.row.take() {
            self.pieces
                .extend(blocks::row_blocks(row.into_cells(), false));
        }
    }
}

/// The encoding of a Windows code page number (`\ansicpgN`).
fn code_page(n: i64) -> Option<&'static Encoding> {
    let label = match n {
        932 => "shift_jis".to_string(),
        936 => "gbk".to_string(),
        949 => "euc-kr".to_string(),
        950 => "big5".to_string(),
        65001 => "utf-8".to_string(),
        10000 => "macintosh".to_string(),
        n => format!("windows-{n}"),
    };
    Encoding::for_label(label.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::testing::{self, assert_quick, check_ranges};
    use std::time::Instant;

    fn blocks(rtf: &str) -> Vec<(BlockKind, String)> {
        let e = extract(rtf.as_bytes()).expect("extracts");
        testing::blocks(&e)
            .into_iter()
            .map(|(kind, text)| (kind, text.to_string()))
            .collect()
    }

    #[test]
    fn paragraphs_headings_lists_tables_and_escapes() {
        let rtf = r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\froman Times New Roman;}}{\colortbl;\red0\green0\blue0;}
{\stylesheet{\s1 heading 1;}}{\info{\title Winter  plan}{\author Someone}{\creatim\yr2024\mo5\dy12\hr9}}
{\*\generator Riched20;}\viewkind4\uc1
\pard\s1\outlinelevel0\b Urgent care\b0\par
\pard The trust\rquote s caf\'e9 \endash  open \u8220?daily\u8221?.\line Second line.\par
{\pict\pngblip 89504e47}{\*\shppict{\pict 0a0b}}\par
{\listtext\f1\'b7\tab}\pard\ls1 First item\par
\pard\intbl Region\cell Beds\cell\row
\pard\intbl Only cell\cell\row
\pard {\field{\*\fldinst HYPERLINK x}{\fldrslt Linked text}}\par
Emoji \u-10179?\u-8704? and \u55357?.\par
}";
        assert_eq!(
            blocks(rtf),
            vec![
                (BlockKind::Heading, "Urgent care".into()),
                (
                    BlockKind::Paragraph,
                    "The trust’s café – open “daily”.\nSecond line.".into()
                ),
                (BlockKind::ListItem, "First item".into()),
                (BlockKind::TableRow, "Region | Beds".into()),
                (BlockKind::Paragraph, "Only cell".into()),
                (BlockKind::Paragraph, "Linked text".into()),
                (BlockKind::Paragraph, "Emoji 😀 and .".into()),
            ]
        );
        let e = extract(rtf.as_bytes()).unwrap();
        assert_eq!(e.title.as_deref(), Some("Winter plan"));
        assert_eq!(e.date.map(|d| d.day.iso()).as_deref(), Some("2024-05-12"));
    }

    #[test]
    fn code_pages() {
        let e = extract(br"{\rtf1\ansi\ansicpg1251 \'cf\'f0\'e8\'e2\'e5\'f2\par}").unwrap();
        assert_eq!(e.text, "Привет");
        let e = extract(br"{\rtf1\ansi\ansicpg932 \'93\'fa\'96\'7b\par}").unwrap();
        assert_eq!(e.text, "日本");
    }

    #[test]
    fn damaged_and_hostile_input() {
        assert!(matches!(
            extract(b"plain text"),
            Err(ExtractError::Corrupt(_))
        ));
        assert!(matches!(extract(b""), Err(ExtractError::Corrupt(_))));
        assert!(matches!(
            extract(br"{\rtf1 {\fonttbl x}}"),
            Err(ExtractError::Empty)
        ));
        for input in [
            &br"{\rtf1 text \'"[..],
            br"{\rtf1 text \'zz \u",
            br"{\rtf1 }}}}} text \bin99999999999 x",
            br"{\rtf1 \uc99999999999999999 \u-99999999999 x \",
            b"{\\rtf1 \xff\xfe caf\xe9",
        ] {
            if let Ok(e) = extract(input) {
                check_ranges(&e);
            }
        }
        let e = extract(br"{\rtf1 Unclosed group {\b bold").unwrap();
        assert_eq!(e.text, "Unclosed group bold");
        let n = 200_000;
        let deep = format!(r"{{\rtf1 {}deep text{}}}", "{".repeat(n), "}".repeat(n));
        let start = Instant::now();
        assert_eq!(extract(deep.as_bytes()).unwrap().text, "deep text");
        assert_quick(start);
    }
}
