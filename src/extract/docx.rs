//! DOCX: paragraphs, headings, list items and table rows from WordprocessingML.
//!
//! A DOCX file is a zip archive; the text is in `word/document.xml` and the
//! style names that say which paragraphs are headings or list items are in
//! `word/styles.xml`. The document part is parsed as a stream (quick-xml)
//! straight out of the decompressor, through a reader that stops at
//! [`MAX_DOCUMENT_BYTES`], so a zip bomb is refused without being inflated
//! into memory. Nesting (tables in cells, text boxes in paragraphs) is kept
//! on explicit stacks; nothing recurses.

use std::cell::Cell;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::rc::Rc;

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use zip::result::ZipError;
use zip::ZipArchive;

use super::blocks::{self, collapse_whitespace, Plain, Row};
use super::{BlockKind, ExtractError, Extracted};

/// Most decompressed bytes read from the document part.
pub const MAX_DOCUMENT_BYTES: u64 = 256 << 20;
/// Most decompressed bytes read from a small part (styles, properties, relationships).
const MAX_SMALL_PART_BYTES: u64 = 32 << 20;
/// The start of an OLE compound file: encrypted OOXML or a legacy `.doc`.
const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
/// Style inheritance (`basedOn`) is followed at most this far.
const MAX_STYLE_CHAIN: usize = 16;

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const W_STRICT_NS: &str = "http://purl.oclc.org/ooxml/wordprocessingml/main";
const MC_NS: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";

/// Extracts the body text of a DOCX file.
///
/// The text is the blocks joined by blank lines; block ranges index into it.
pub fn extract(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    extract_with_limit(bytes, MAX_DOCUMENT_BYTES)
}

fn extract_with_limit(bytes: &[u8], limit: u64) -> Result<Extracted, ExtractError> {
    if bytes.starts_with(&OLE_MAGIC) {
        // Word saves password-protected files as an OLE container holding
        // an `EncryptedPackage` stream; any other OLE file is a `.doc`.
        return Err(if contains_utf16(bytes, "EncryptedPackage") {
            ExtractError::Encrypted
        } else {
            ExtractError::Corrupt("a Word 97–2003 (.doc) file, not DOCX".into())
        });
    }
    let mut zip = ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| ExtractError::Corrupt("not a DOCX (zip) file".into()))?;
    let main = main_part(&mut zip)?;
    let styles = match read_small_part(&mut zip, &sibling(&main, "styles.xml"))? {
        Some(xml) => parse_styles(&xml),
        None => Styles::default(),
    };
    let core_title =
        read_small_part(&mut zip, "docProps/core.xml")?.and_then(|xml| core_title(&xml));

    let file = zip.by_name(&main).map_err(|e| zip_error(e, &main))?;
    if file.size() > limit {
        return Err(too_large(&main, limit));
    }
    let exceeded = Rc::new(Cell::new(false));
    let capped = Capped {
        inner: file,
        left: limit,
        exceeded: Rc::clone(&exceeded),
    };
    let mut body = Body::new(&styles);
    if let Err(e) = body.parse(BufReader::new(capped)) {
        return Err(if exceeded.get() {
            too_large(&main, limit)
        } else {
            e
        });
    }
    let title = core_title.or(body.title_paragraph).or(body.first_heading);
    if body.pieces.is_empty() {
        return Err(ExtractError::Empty);
    }
    Ok(blocks::assemble(body.pieces, title))
}

fn too_large(part: &str, limit: u64) -> ExtractError {
    ExtractError::Limit(format!("{part} inflates to more than {} MB", limit >> 20))
}

fn zip_error(e: ZipError, part: &str) -> ExtractError {
    match e {
        ZipError::UnsupportedArchive(ZipError::PASSWORD_REQUIRED) | ZipError::InvalidPassword => {
            ExtractError::Encrypted
        }
        ZipError::FileNotFound => ExtractError::Corrupt(format!("no {part}: not a Word document")),
        e => ExtractError::Corrupt(format!("damaged DOCX ({part}): {e}")),
    }
}

/// Does `bytes` hold `name` in UTF-16LE, as OLE directory entries store names?
fn contains_utf16(bytes: &[u8], name: &str) -> bool {
    let needle: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}

/// Stops reading after `left` bytes, so a part cannot inflate without bound.
struct Capped<R> {
    inner: R,
    left: u64,
    exceeded: Rc<Cell<bool>>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // At the cap: more data means the part is too large.
            let n = self.inner.read(&mut [0u8; 1])?;
            if n > 0 {
                self.exceeded.set(true);
                return Err(std::io::Error::other("part exceeds the size limit"));
            }
            return Ok(0);
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// Reads a small part whole, if the archive has it.
fn read_small_part<R: Read + std::io::Seek>(
    zip: &mut ZipArchive<R>,
    name: &str,
) -> Result<Option<Vec<u8>>, ExtractError> {
    let file = match zip.by_name(name) {
        Ok(f) => f,
        Err(ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(zip_error(e, name)),
    };
    if file.size() > MAX_SMALL_PART_BYTES {
        return Err(too_large(name, MAX_SMALL_PART_BYTES));
    }
    let mut out = Vec::new();
    file.take(MAX_SMALL_PART_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| ExtractError::Corrupt(format!("damaged DOCX ({name}): {e}")))?;
    if out.len() as u64 > MAX_SMALL_PART_BYTES {
        return Err(too_large(name, MAX_SMALL_PART_BYTES));
    }
    Ok(Some(out))
}

/// The main document part's name, from the package relationships; Word
/// always calls it `word/document.xml`, other writers may not.
fn main_part<R: Read + std::io::Seek>(zip: &mut ZipArchive<R>) -> Result<String, ExtractError> {
    const DEFAULT: &str = "word/document.xml";
    let Some(rels) = read_small_part(zip, "_rels/.rels")? else {
        return Ok(DEFAULT.into());
    };
    let mut reader = Reader::from_reader(rels.as_slice());
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "Relationship" => {
                let is_main = attr(&e, "Type").is_some_and(|t| t.ends_with("/officeDocument"));
                if let Some(target) = attr(&e, "Target").filter(|_| is_main) {
                    return Ok(target.trim_start_matches('/').to_string());
                }
            }
            Ok(Event::Eof) | Err(_) => return Ok(DEFAULT.into()),
            _ => {}
        }
        buf.clear();
    }
}

/// `name` in the same folder as `part`.
fn sibling(part: &str, name: &str) -> String {
    match part.rfind('/') {
        Some(i) => format!("{}/{name}", &part[..i]),
        None => name.to_string(),
    }
}

/// An attribute's unescaped value, matched by local name (`w:val` → `val`).
fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local)
            .then(|| a.normalized_value(XmlVersion::Implicit1_0).ok())
            .flatten()
            .map(|v| v.into_owned())
    })
}

/// `dc:title` from `docProps/core.xml`, if it says something.
fn core_title(xml: &[u8]) -> Option<String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut in_title = false;
    let mut title = String::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "title" => in_title = true,
            Ok(Event::End(e)) if e.local_name().as_ref() == "title" => break,
            Ok(Event::Text(t)) if in_title => title.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) if in_title => push_entity(&mut title, &r),
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    let title = collapse_whitespace(&title);
    (!title.is_empty()).then_some(title)
}

/// Appends the character an entity or character reference stands for.
fn push_entity(out: &mut String, r: &quick_xml::events::BytesRef<'_>) {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        out.push(c);
    } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(r) {
        out.push_str(s);
    }
}

/// What a paragraph style makes of its paragraphs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct StyleRole {
    heading: bool,
    /// The document's title style.
    title: bool,
    list: bool,
    /// A table-of-contents entry: a copy of a heading with a page number.
    toc: bool,
}

/// Paragraph styles by `styleId`, resolved through `basedOn`.
#[derive(Debug, Default)]
struct Styles {
    roles: HashMap<String, StyleRole>,
}

impl Styles {
    /// A style's role; a style missing from `styles.xml` is judged by its id.
    fn role(&self, id: &str) -> StyleRole {
        self.roles
            .get(id)
            .copied()
            .unwrap_or_else(|| role_from_name(&id.to_ascii_lowercase()).unwrap_or_default())
    }
}

/// A role from a built-in style name (`heading 2`, `Title`, `List Bullet`,
/// `toc 1`). Word writes these names in English whatever the UI language.
fn role_from_name(name: &str) -> Option<StyleRole> {
    let compact: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    let numbered = |prefix: &str| {
        compact
            .strip_prefix(prefix)
            .is_some_and(|n| n.len() == 1 && n.bytes().all(|b| b.is_ascii_digit()))
    };
    if numbered("heading") {
        Some(StyleRole {
            heading: true,
            ..StyleRole::default()
        })
    } else if compact == "title" {
        Some(StyleRole {
            heading: true,
            title: true,
            ..StyleRole::default()
        })
    } else if numbered("toc") || compact == "tocheading" {
        Some(StyleRole {
            toc: true,
            ..StyleRole::default()
        })
    } else if compact.starts_with("list") {
        Some(StyleRole {
            list: true,
            ..StyleRole::default()
        })
    } else {
        None
    }
}

/// One `<w:style>` as written.
#[derive(Debug, Default)]
struct RawStyle {
    name: Option<String>,
    based_on: Option<String>,
    outline: Option<u8>,
    numbered: Option<bool>,
}

fn parse_styles(xml: &[u8]) -> Styles {
    let mut raw: HashMap<String, RawStyle> = HashMap::new();
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut current: Option<(String, RawStyle)> = None;
    loop {
        let event = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(e) => e,
        };
        match event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "style" => {
                    let paragraph = attr(&e, "type").is_none_or(|t| t == "paragraph");
                    current = attr(&e, "styleId")
                        .filter(|_| paragraph)
                        .map(|id| (id, RawStyle::default()));
                }
                "name" => {
                    if let Some((_, s)) = current.as_mut() {
                        s.name = attr(&e, "val").map(|v| v.to_ascii_lowercase());
                    }
                }
                "basedOn" => {
                    if let Some((_, s)) = current.as_mut() {
                        s.based_on = attr(&e, "val");
                    }
                }
                "outlineLvl" => {
                    if let Some((_, s)) = current.as_mut() {
                        s.outline = attr(&e, "val").and_then(|v| v.parse().ok());
                    }
                }
                "numId" => {
                    if let Some((_, s)) = current.as_mut() {
                        s.numbered = Some(attr(&e, "val").is_none_or(|v| v != "0"));
                    }
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "style" => {
                if let Some((id, s)) = current.take() {
                    raw.insert(id, s);
                }
            }
            _ => {}
        }
        buf.clear();
    }
    let roles = raw
        .keys()
        .map(|id| (id.clone(), resolve_style(&raw, id)))
        .collect();
    Styles { roles }
}

/// A style's role: from the first style up its `basedOn` chain with a
/// built-in name, and its outline level or numbering as the nearest style
/// that sets one says.
fn resolve_style(raw: &HashMap<String, RawStyle>, id: &str) -> StyleRole {
    let mut role = None;
    let mut outline = None;
    let mut numbered = None;
    let mut next = Some(id);
    for _ in 0..MAX_STYLE_CHAIN {
        let Some(style) = next.and_then(|id| raw.get(id)) else {
            break;
        };
        if role.is_none() {
            role = style.name.as_deref().and_then(role_from_name);
        }
        outline = outline.or(style.outline);
        numbered = numbered.or(style.numbered);
        next = style.based_on.as_deref();
    }
    let mut role = role.unwrap_or_default();
    if !role.toc {
        role.heading |= outline.is_some_and(|l| l < 9);
        role.list |= numbered == Some(true);
    }
    role
}

/// An open `<w:p>`.
#[derive(Debug, Default)]
struct Para {
    text: String,
    style: Option<String>,
    /// `<w:numPr>`: `Some(false)` when it switches numbering off (`numId` 0).
    numbered: Option<bool>,
    outline: Option<u8>,
    /// Inside this paragraph's own `<w:pPr>`.
    in_props: bool,
    /// Links to a `_Toc` bookmark or has a `PAGEREF` field: a table of
    /// contents entry, if it also ends in a page number.
    toc_link: bool,
}

/// The document body parser's state.
struct Body<'s> {
    styles: &'s Styles,
    /// The WordprocessingML namespace prefix, as the root element binds it.
    w: String,
    /// Whether the root element binds the WordprocessingML namespace at all.
    w_bound: bool,
    mc: String,
    paras: Vec<Para>,
    /// One entry per open `<w:tbl>`: its open row, if any.
    tables: Vec<Option<Row<Plain>>>,
    pieces: Vec<Plain>,
    /// Depth inside an element whose content is not text (`mc:Fallback`,
    /// tracked-change copies); 0 outside.
    skip: usize,
    runs: usize,
    in_text: bool,
    in_field_code: bool,
    /// The next `<w:sdtContent>` is a table of contents.
    toc_block: bool,
    title_paragraph: Option<String>,
    first_heading: Option<String>,
}

impl<'s> Body<'s> {
    fn new(styles: &'s Styles) -> Self {
        Body {
            styles,
            w: "w".into(),
            w_bound: false,
            mc: "mc".into(),
            paras: Vec::new(),
            tables: Vec::new(),
            pieces: Vec::new(),
            skip: 0,
            runs: 0,
            in_text: false,
            in_field_code: false,
            toc_block: false,
            title_paragraph: None,
            first_heading: None,
        }
    }

    fn parse<R: BufRead>(&mut self, input: R) -> Result<(), ExtractError> {
        let mut reader = Reader::from_reader(input);
        let mut buf = Vec::new();
        let mut root = true;
        loop {
            let event = reader.read_event_into(&mut buf).map_err(|e| {
                ExtractError::Corrupt(format!(
                    "damaged DOCX: malformed XML at byte {}: {e}",
                    reader.error_position()
                ))
            })?;
            match event {
                Event::Start(e) => {
                    if root {
                        self.bind_prefixes(&e);
                        root = false;
                    }
                    self.start(&e, false);
                }
                Event::Empty(e) => self.start(&e, true),
                Event::End(e) => self.end(e.name().as_ref()),
                Event::Text(t) if self.in_field_code && self.skip == 0 => {
                    let code = t.xml10_content();
                    if code.contains("PAGEREF") || code.trim_start().starts_with("TOC ") {
                        if let Some(p) = self.paras.last_mut() {
                            p.toc_link = true;
                        }
                    }
                }
                Event::Text(t) if self.in_text && self.skip == 0 => {
                    let text = t.xml10_content();
                    if let Some(p) = self.paras.last_mut() {
                        p.text.push_str(&text);
                    }
                }
                Event::CData(t) if self.in_text && self.skip == 0 => {
                    if let Some(p) = self.paras.last_mut() {
                        p.text.push_str(&t.xml10_content());
                    }
                }
                Event::GeneralRef(r) if self.in_text && self.skip == 0 => {
                    if let Some(p) = self.paras.last_mut() {
                        push_entity(&mut p.text, &r);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        if !self.w_bound {
            return Err(ExtractError::Corrupt(
                "not a Word document: its main part is not WordprocessingML".into(),
            ));
        }
        // A truncated part: close what is open so its text is not lost.
        while !self.paras.is_empty() {
            self.end_paragraph();
        }
        while !self.tables.is_empty() {
            self.end_table();
        }
        Ok(())
    }

    /// Finds the prefixes the root element binds to the WordprocessingML
    /// and markup-compatibility namespaces (`w` and `mc` in practice).
    fn bind_prefixes(&mut self, root: &BytesStart<'_>) {
        for a in root.attributes().flatten() {
            let key = a.key.as_ref();
            let prefix = if key == "xmlns" {
                Some("")
            } else {
                key.strip_prefix("xmlns:")
            };
            if let Some(prefix) = prefix {
                let value = a.value.trim();
                if value == W_NS || value == W_STRICT_NS {
                    self.w = prefix.to_string();
                    self.w_bound = true;
                } else if value == MC_NS {
                    self.mc = prefix.to_string();
                }
            }
        }
    }

    /// The local name of a WordprocessingML element, `None` for others.
    fn w_local<'n>(&self, qname: &'n str) -> Option<&'n str> {
        local_in(qname, &self.w)
    }

    fn start(&mut self, e: &BytesStart<'_>, empty: bool) {
        if self.skip > 0 {
            if !empty {
                self.skip += 1;
            }
            return;
        }
        let qname = e.name();
        if local_in(qname.as_ref(), &self.mc) == Some("Fallback") {
            // The same content again for old readers (VML text boxes).
            if !empty {
                self.skip = 1;
            }
            return;
        }
        let Some(local) = self.w_local(qname.as_ref()) else {
            return;
        };
        match local {
            // Old versions of moved text and of paragraph properties.
            "moveFrom" | "pPrChange" | "rPrChange" | "sectPrChange" | "tblPrChange" | "del"
                if !empty =>
            {
                self.skip = 1;
            }
            "p" if !empty => self.paras.push(Para::default()),
            "pPr" if !empty => {
                if let Some(p) = self.paras.last_mut() {
                    p.in_props = true;
                }
            }
            "pStyle" | "numId" | "outlineLvl" => {
                let Some(p) = self.paras.last_mut().filter(|p| p.in_props) else {
                    return;
                };
                let val = attr(e, "val");
                match local {
                    "pStyle" => p.style = val,
                    "numId" => p.numbered = Some(val.is_none_or(|v| v != "0")),
                    _ => p.outline = val.and_then(|v| v.parse().ok()),
                }
            }
            "r" if !empty => self.runs += 1,
            "instrText" if !empty => self.in_field_code = true,
            "hyperlink" => {
                let toc = attr(e, "anchor").is_some_and(|a| a.starts_with("_Toc"));
                if let Some(p) = self.paras.last_mut().filter(|_| toc) {
                    p.toc_link = true;
                }
            }
            "docPartGallery" => {
                self.toc_block = attr(e, "val").is_some_and(|v| v.contains("Table of Contents"));
            }
            "sdtContent" => {
                let toc = std::mem::take(&mut self.toc_block);
                if toc && !empty {
                    self.skip = 1;
                }
            }
            "t" if !empty => self.in_text = true,
            "tab" | "ptab" | "br" | "cr" | "noBreakHyphen" | "sym" if self.runs > 0 => {
                let Some(p) = self.paras.last_mut().filter(|p| !p.in_props) else {
                    return;
                };
                match local {
                    "tab" | "ptab" => p.text.push('\t'),
                    "br" | "cr" => p.text.push('\n'),
                    "noBreakHyphen" => p.text.push('-'),
                    _ => {
                        let font = attr(e, "font").unwrap_or_default();
                        if let Some(c) = attr(e, "char").and_then(|c| symbol_char(&font, &c)) {
                            p.text.push(c);
                        }
                    }
                }
            }
            "tbl" if !empty => {
                // A table inside a cell: the row around it is layout.
                self.make_row_layout();
                self.tables.push(None);
            }
            "tr" if !empty => {
                if let Some(table) = self.tables.last_mut() {
                    *table = Some(Row::default());
                }
            }
            "tc" if !empty => {
                if let Some(Some(row)) = self.tables.last_mut() {
                    row.next_cell();
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, qname: &str) {
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        let Some(local) = self.w_local(qname) else {
            return;
        };
        match local {
            "p" => self.end_paragraph(),
            "pPr" => {
                if let Some(p) = self.paras.last_mut() {
                    p.in_props = false;
                }
            }
            "r" => self.runs = self.runs.saturating_sub(1),
            "t" => self.in_text = false,
            "instrText" => self.in_field_code = false,
            "tr" => self.end_row(),
            "tbl" => self.end_table(),
            _ => {}
        }
    }

    fn end_paragraph(&mut self) {
        let Some(p) = self.paras.pop() else {
            return;
        };
        let role = p
            .style
            .as_deref()
            .map(|s| self.styles.role(s))
            .unwrap_or_default();
        let text = p.text.trim();
        if !text.chars().any(char::is_alphanumeric) {
            return;
        }
        // Contents entries repeat the headings with page numbers.
        let toc_entry =
            p.toc_link && text.contains('\t') && text.ends_with(|c: char| c.is_ascii_digit());
        if role.toc || toc_entry {
            return;
        }
        // Authors give whole numbered clauses a heading style or outline
        // level (for the navigation pane); a sentence is not a heading.
        let heading = (role.heading || p.outline.is_some_and(|l| l < 9)) && !reads_as_text(text);
        let kind = if heading {
            BlockKind::Heading
        } else if p.numbered.unwrap_or(role.list) {
            BlockKind::ListItem
        } else {
            BlockKind::Paragraph
        };
        if role.title && self.title_paragraph.is_none() {
            self.title_paragraph = Some(collapse_whitespace(text));
        }
        if heading && self.first_heading.is_none() {
            self.first_heading = Some(collapse_whitespace(text));
        }
        let piece = Plain {
            kind,
            text: text.to_string(),
        };
        self.emit(piece);
    }

    /// Sends a block to the open cell of the innermost table, or out.
    fn emit(&mut self, piece: Plain) {
        let piece = match self.tables.last_mut() {
            Some(Some(row)) => match row.hold(piece) {
                Some(piece) => piece,
                None => return,
            },
            _ => piece,
        };
        self.pieces.push(piece);
    }

    /// Releases the innermost open row's paragraphs in order, and sends its
    /// later ones out directly.
    fn make_row_layout(&mut self) {
        if let Some(Some(row)) = self.tables.last_mut() {
            let held = row.make_layout();
            self.pieces.extend(held);
        }
    }

    /// A row of two or more filled cells is one block, cells joined by
    /// `" | "`; a row with one filled cell is a box, and its paragraphs stay
    /// paragraphs.
    fn end_row(&mut self) {
        let Some(Some(row)) = self.tables.last_mut().map(Option::take) else {
            return;
        };
        for piece in blocks::row_blocks(row.into_cells(), false) {
            self.emit(piece);
        }
    }

    fn end_table(&mut self) {
        if matches!(self.tables.last(), Some(Some(_))) {
            self.end_row();
        }
        self.tables.pop();
    }
}

/// Running text rather than a heading: long, a sentence of some length, or
/// a clause that starts in lowercase (`describe the services …`).
fn reads_as_text(text: &str) -> bool {
    let words = text.split_whitespace().count();
    words > 24
        || (words > 12 && text.ends_with(['.', ';', ':', '!', '?']))
        || (words > 3 && text.starts_with(char::is_lowercase))
}

fn local_in<'n>(qname: &'n str, prefix: &str) -> Option<&'n str> {
    if prefix.is_empty() {
        return (!qname.contains(':')).then_some(qname);
    }
    qname.strip_prefix(prefix)?.strip_prefix(':')
}

/// The character a `<w:sym w:font=… w:char=…>` shows, best effort: symbol
/// fonts put their glyphs at U+F020–U+F0FF; for the Symbol font those are
/// mapped to Greek and common signs, other fonts' glyphs are left out.
fn symbol_char(font: &str, hex: &str) -> Option<char> {
    let code = u32::from_str_radix(hex.trim(), 16).ok()?;
    let code = if (0xF000..=0xF0FF).contains(&code) {
        code - 0xF000
    } else {
        return char::from_u32(code).filter(|c| !c.is_control());
    };
    if !font.eq_ignore_ascii_case("Symbol") {
        return None;
    }
    const GREEK_UPPER: &str = "ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ";
    const GREEK_LOWER: &str = "αβχδεφγηιϕκλμνοπθρστυϖωξψζ";
    let byte = u8::try_from(code).ok()?;
    match byte {
        b'A'..=b'Z' => GREEK_UPPER.chars().nth(usize::from(byte - b'A')),
        b'a'..=b'z' => GREEK_LOWER.chars().nth(usize::from(byte - b'a')),
        0xB7 => Some('•'),
        0xB0 => Some('°'),
        0xB1 => Some('±'),
        0xA3 => Some('≤'),
        0xB3 => Some('≥'),
        0xB4 => Some('×'),
        0xB8 => Some('÷'),
        0xAE => Some('→'),
        0xAC => Some('←'),
        0xB9 => Some('≠'),
        0xBB => Some('≈'),
        0x2D => Some('−'),
        0x20..=0x40 => Some(char::from(byte)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::testing::{assert_quick, check_ranges};
    use std::io::Write;
    use std::time::{Duration, Instant};
    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipWriter};

    const STYLES: &str = r#"<?xml version="1.0"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
  <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
  <w:style w:type="paragraph" w:styleId="berschrift1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/></w:style>
  <w:style w:type="paragraph" w:styleId="ICBHeading"><w:name w:val="ICB Heading"/><w:basedOn w:val="berschrift1"/></w:style>
  <w:style w:type="paragraph" w:styleId="Outlined"><w:name w:val="Outlined"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
  <w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style>
  <w:style w:type="paragraph" w:styleId="ListBullet"><w:name w:val="List Bullet"/></w:style>
  <w:style w:type="paragraph" w:styleId="Numbered"><w:name w:val="Numbered"/><w:pPr><w:numPr><w:numId w:val="4"/></w:numPr></w:pPr></w:style>
  <w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/></w:style>
</w:styles>"#;

    fn document(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>{body}<w:sectPr/></w:body></w:document>"#
        )
    }

    fn para(style: Option<&str>, text: &str) -> String {
        let props = style
            .map(|s| format!(r#"<w:pPr><w:pStyle w:val="{s}"/></w:pPr>"#))
            .unwrap_or_default();
        format!(r#"<w:p>{props}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
    }

    /// A DOCX package with the given parts, deflated.
    fn package(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        for (name, content) in parts {
            zip.start_file(*name, options).unwrap();
            zip.write_all(content.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn docx(body: &str) -> Vec<u8> {
        package(&[
            ("word/document.xml", &document(body)),
            ("word/styles.xml", STYLES),
        ])
    }

    fn blocks(e: &Extracted) -> Vec<(BlockKind, &str)> {
        check_ranges(e);
        e.blocks
            .iter()
            .map(|b| (b.kind, &e.text[b.range.clone()]))
            .collect()
    }

    #[test]
    fn structure_from_styles_numbering_and_tables() {
        let body = [
            para(Some("Title"), "Constitution of the Board"),
            para(Some("TOC1"), "1. Introduction\t3"),
            para(Some("berschrift1"), "1. Introduction"),
            para(None, "The board &amp; its <!-- c -->partners agree."),
            para(None, "   "),
            "<w:p/>".to_string(),
            para(Some("ICBHeading"), "2. Functions"),
            para(Some("Outlined"), "2.1 Duties"),
            r#"<w:p><w:pPr><w:outlineLvl w:val="2"/></w:pPr><w:r><w:t>Direct outline</w:t></w:r></w:p>"#.to_string(),
            para(Some("ListBullet"), "first item"),
            r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="7"/></w:numPr></w:pPr><w:r><w:t>second item</w:t></w:r></w:p>"#.to_string(),
            para(Some("Numbered"), "third item"),
            r#"<w:p><w:pPr><w:pStyle w:val="Numbered"/><w:numPr><w:numId w:val="0"/></w:numPr></w:pPr><w:r><w:t>not numbered</w:t></w:r></w:p>"#.to_string(),
            r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Role</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Chair</w:t></w:r></w:p><w:p><w:r><w:t>and vice</w:t></w:r></w:p></w:tc></w:tr>
               <w:tr><w:tc><w:p/></w:tc><w:tc><w:p><w:r><w:t>Only one filled cell</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#.to_string(),
            r#"<w:p><w:r><w:t>a</w:t><w:tab/><w:t>b</w:t><w:br/><w:t>c</w:t><w:noBreakHyphen/><w:t>d </w:t><w:sym w:font="Symbol" w:char="F062"/><w:instrText> PAGEREF _Toc1 </w:instrText></w:r>
               <w:del><w:r><w:delText>gone</w:delText></w:r></w:del><w:ins><w:r><w:t>+new</w:t></w:r></w:ins></w:p>"#.to_string(),
            r#"<w:p><w:r><w:t>Anchor</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r><w:t>Box text</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>Box text</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"#.to_string(),
        ]
        .concat();
        let e = extract(&docx(&body)).unwrap();
        assert_eq!(
            blocks(&e),
            vec![
                (BlockKind::Heading, "Constitution of the Board"),
                (BlockKind::Heading, "1. Introduction"),
                (BlockKind::Paragraph, "The board & its partners agree."),
                (BlockKind::Heading, "2. Functions"),
                (BlockKind::Heading, "2.1 Duties"),
                (BlockKind::Heading, "Direct outline"),
                (BlockKind::ListItem, "first item"),
                (BlockKind::ListItem, "second item"),
                (BlockKind::ListItem, "third item"),
                (BlockKind::Paragraph, "not numbered"),
                (BlockKind::TableRow, "Role | Chair and vice"),
                (BlockKind::Paragraph, "Only one filled cell"),
                (BlockKind::Paragraph, "a\tb\nc-d β+new"),
                (BlockKind::Paragraph, "Box text"),
                (BlockKind::Paragraph, "Anchor"),
            ]
        );
        assert_eq!(e.title.as_deref(), Some("Constitution of the Board"));
    }

    #[test]
    fn contents_entries_are_dropped_and_sentences_are_not_headings() {
        let body = [
            r#"<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/></w:docPartObj></w:sdtPr><w:sdtContent><w:p><w:r><w:t>Contents</w:t></w:r></w:p><w:p><w:r><w:t>Intro</w:t></w:r></w:p></w:sdtContent></w:sdt>"#.to_string(),
            r#"<w:p><w:hyperlink w:anchor="_Toc96931497"><w:r><w:t>1.1</w:t></w:r><w:r><w:tab/></w:r><w:r><w:t>Background</w:t></w:r><w:r><w:tab/></w:r><w:r><w:t>9</w:t></w:r></w:hyperlink></w:p>"#.to_string(),
            r#"<w:p><w:r><w:t>Name</w:t><w:tab/></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGEREF _Toc2 \h </w:instrText></w:r><w:r><w:t>10</w:t></w:r></w:p>"#.to_string(),
            para(Some("berschrift1"), "Background"),
            r#"<w:p><w:pPr><w:numPr><w:numId w:val="5"/></w:numPr><w:outlineLvl w:val="2"/></w:pPr><w:r><w:t>When a vacancy arises, every eligible organisation will be invited to make one nomination.</w:t></w:r></w:p>"#.to_string(),
            r#"<w:p><w:pPr><w:outlineLvl w:val="2"/></w:pPr><w:r><w:t>Joint Nomination:</w:t></w:r></w:p>"#.to_string(),
            para(Some("berschrift1"), "describe the health services the board will arrange"),
            r#"<w:p><w:hyperlink w:anchor="_Toc1"><w:r><w:t>See section 3 for the rules that apply</w:t></w:r></w:hyperlink></w:p>"#.to_string(),
        ]
        .concat();
        let e = extract(&docx(&body)).unwrap();
        assert_eq!(
            blocks(&e),
            vec![
                (BlockKind::Heading, "Background"),
                (
                    BlockKind::ListItem,
                    "When a vacancy arises, every eligible organisation will be invited to make one nomination."
                ),
                (BlockKind::Heading, "Joint Nomination:"),
                (BlockKind::Paragraph, "describe the health services the board will arrange"),
                (BlockKind::Paragraph, "See section 3 for the rules that apply"),
            ]
        );
    }

    #[test]
    fn title_sources() {
        let core = r#"<cp:coreProperties xmlns:cp="x" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>NHS  Cambridgeshire &amp; Peterborough</dc:title></cp:coreProperties>"#;
        let body = document(&(para(Some("Title"), "Styled title") + &para(None, "Text.")));
        let with_core = package(&[
            ("word/document.xml", &body),
            ("word/styles.xml", STYLES),
            ("docProps/core.xml", core),
        ]);
        let e = extract(&with_core).unwrap();
        assert_eq!(
            e.title.as_deref(),
            Some("NHS Cambridgeshire & Peterborough")
        );
        let empty_core = r#"<cp:coreProperties xmlns:cp="x" xmlns:dc="y"><dc:title> </dc:title></cp:coreProperties>"#;
        let e = extract(&package(&[
            ("word/document.xml", &body),
            ("word/styles.xml", STYLES),
            ("docProps/core.xml", empty_core),
        ]))
        .unwrap();
        assert_eq!(e.title.as_deref(), Some("Styled title"));
        // No styles part: style ids are judged by name.
        let body = document(&(para(None, "Text.") + &para(Some("Heading2"), "First heading")));
        let e = extract(&package(&[("word/document.xml", &body)])).unwrap();
        assert_eq!(e.title.as_deref(), Some("First heading"));
        assert_eq!(e.blocks[1].kind, BlockKind::Heading);
        let e = extract(&package(&[(
            "word/document.xml",
            &document(&para(None, "Text.")),
        )]))
        .unwrap();
        assert_eq!(e.title, None);
    }

    #[test]
    fn main_part_from_relationships_and_other_prefixes() {
        let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/content/main.xml"/></Relationships>"#;
        let body = r#"<doc xmlns="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><body><p><r><t>Default namespace text</t></r></p></body></doc>"#;
        let e = extract(&package(&[
            ("_rels/.rels", rels),
            ("content/main.xml", body),
        ]))
        .unwrap();
        assert_eq!(
            blocks(&e),
            vec![(BlockKind::Paragraph, "Default namespace text")]
        );
    }

    #[test]
    fn hostile_and_damaged_files_are_refused() {
        assert!(matches!(
            extract(b"plain text, not a zip"),
            Err(ExtractError::Corrupt(m)) if m.contains("not a DOCX")
        ));
        assert!(matches!(extract(b""), Err(ExtractError::Corrupt(_))));
        let mut ole = OLE_MAGIC.to_vec();
        ole.resize(512, 0);
        let encrypted: Vec<u8> = [
            ole.as_slice(),
            &"EncryptedPackage"
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect::<Vec<_>>(),
        ]
        .concat();
        assert!(matches!(extract(&encrypted), Err(ExtractError::Encrypted)));
        assert!(matches!(extract(&ole), Err(ExtractError::Corrupt(m)) if m.contains(".doc")));
        let no_document = package(&[("word/styles.xml", STYLES)]);
        assert!(matches!(
            extract(&no_document),
            Err(ExtractError::Corrupt(m)) if m.contains("word/document.xml")
        ));
        let malformed = package(&[(
            "word/document.xml",
            "<w:document xmlns:w=\"x\"><w:body><w:p></w:body>",
        )]);
        assert!(
            matches!(extract(&malformed), Err(ExtractError::Corrupt(m)) if m.contains("malformed"))
        );
        let spreadsheet = package(&[(
            "word/document.xml",
            "<worksheet xmlns=\"x\"><row/></worksheet>",
        )]);
        assert!(
            matches!(extract(&spreadsheet), Err(ExtractError::Corrupt(m)) if m.contains("not a Word"))
        );
        let empty = docx("<w:p/>");
        assert!(matches!(extract(&empty), Err(ExtractError::Empty)));
        // Truncated archive: no panic.
        let whole = docx(&para(None, "Some text here."));
        for cut in [10, whole.len() / 2, whole.len() - 10] {
            assert!(extract(&whole[..cut]).is_err());
        }
    }

    #[test]
    fn zip_bomb_is_refused() {
        // 8 MB of text deflates to a few KB; refused at a 1 MB cap as it inflates.
        let big = document(&para(None, &"A".repeat(8 << 20)));
        let bomb = package(&[("word/document.xml", &big)]);
        assert!(bomb.len() < 100_000);
        let start = Instant::now();
        assert!(matches!(
            extract_with_limit(&bomb, 1 << 20),
            Err(ExtractError::Limit(_))
        ));
        assert!(start.elapsed() < Duration::from_secs(5));

        // A declared size over the cap is refused before inflating anything.
        let mut declared = docx(&para(None, "small"));
        let name = b"word/document.xml";
        let central = declared
            .windows(4)
            .enumerate()
            .filter(|(_, w)| *w == [0x50, 0x4b, 0x01, 0x02])
            .map(|(i, _)| i)
            .find(|&i| declared[i + 46..].starts_with(name))
            .expect("central directory entry");
        declared[central + 24..central + 28].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
        assert!(matches!(extract(&declared), Err(ExtractError::Limit(m)) if m.contains("256 MB")));
    }

    #[test]
    fn capped_reader_stops_at_the_cap() {
        let exceeded = Rc::new(Cell::new(false));
        let mut r = Capped {
            inner: Cursor::new(vec![7u8; 100]),
            left: 60,
            exceeded: Rc::clone(&exceeded),
        };
        let mut out = Vec::new();
        assert!(r.read_to_end(&mut out).is_err());
        assert_eq!(out.len(), 60);
        assert!(exceeded.get());
        let mut exact = Capped {
            inner: Cursor::new(vec![7u8; 60]),
            left: 60,
            exceeded: Rc::new(Cell::new(false)),
        };
        assert_eq!(exact.read_to_end(&mut Vec::new()).unwrap(), 60);
    }

    #[test]
    fn deep_nesting_is_linear() {
        let n = 100_000;
        let tables = format!(
            "{}{}{}",
            "<w:tbl><w:tr><w:tc>".repeat(n),
            para(None, "deep cell"),
            "</w:tc></w:tr></w:tbl>".repeat(n)
        );
        let paras = format!(
            "{}<w:r><w:t>deep para</w:t></w:r>{}",
            "<w:p>".repeat(n),
            "</w:p>".repeat(n)
        );
        let start = Instant::now();
        let e = extract(&docx(&tables)).unwrap();
        assert_eq!(blocks(&e), vec![(BlockKind::Paragraph, "deep cell")]);
        let e = extract(&docx(&paras)).unwrap();
        assert_eq!(blocks(&e), vec![(BlockKind::Paragraph, "deep para")]);
        assert_quick(start);
    }

    #[test]
    fn symbols() {
        assert_eq!(symbol_char("Symbol", "F0B7"), Some('•'));
        assert_eq!(symbol_char("Symbol", "F061"), Some('α'));
        assert_eq!(symbol_char("Wingdings", "F0FC"), None);
        assert_eq!(symbol_char("Arial", "2013"), Some('–'));
        assert_eq!(symbol_char("Symbol", "zz"), None);
    }
}
