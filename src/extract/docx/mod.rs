//! DOCX: paragraphs, headings, list items and table rows from WordprocessingML.
//!
//! A DOCX file is a zip archive; the text is in `word/document.xml` and the
//! style names that say which paragraphs are headings or list items are in
//! `word/styles.xml`. The document part is parsed as a stream (quick-xml)
//! straight out of the decompressor, through a reader that stops at
//! [`MAX_DOCUMENT_BYTES`], so a zip bomb is refused without being inflated
//! into memory. Nesting (tables in cells, text boxes in paragraphs) is kept
//! on explicit stacks; nothing recurses.

mod body;
mod styles;

use std::cell::Cell;
use std::io::{BufReader, Cursor, Read};
use std::rc::Rc;

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use zip::result::ZipError;
use zip::ZipArchive;

use super::blocks::{self, collapse_whitespace};
use super::{title, ExtractError, Extracted};
use body::Body;
use styles::{parse_styles, Styles};

/// Most decompressed bytes read from the document part.
pub const MAX_DOCUMENT_BYTES: u64 = 256 << 20;
/// Most decompressed bytes read from a small part (styles, properties, relationships).
const MAX_SMALL_PART_BYTES: u64 = 32 << 20;
/// The start of an OLE compound file: encrypted OOXML or a legacy `.doc`.
const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

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
    let core = read_small_part(&mut zip, "docProps/core.xml")?;
    let core_title = core.as_deref().and_then(|xml| core_property(xml, "title"));
    let created = core
        .as_deref()
        .and_then(|xml| core_property(xml, "created"))
        .and_then(|d| super::date::parse_metadata(&d));

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
    let title = [core_title, body.title_paragraph, body.first_heading]
        .into_iter()
        .flatten()
        .find_map(|t| title::plausible(&t));
    if body.pieces.is_empty() {
        return Err(ExtractError::Empty);
    }
    let mut extracted = blocks::assemble(body.pieces, title);
    extracted.date = created.map(|day| super::date::PubDate {
        day,
        source: super::date::DateSource::Created,
    });
    Ok(extracted)
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

/// A property of `docProps/core.xml` by its local name (`dc:title`,
/// `dcterms:created`), if it says something.
fn core_property(xml: &[u8], name: &str) -> Option<String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut in_property = false;
    let mut value = String::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == name => in_property = true,
            Ok(Event::End(e)) if e.local_name().as_ref() == name => break,
            Ok(Event::Text(t)) if in_property => value.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) if in_property => push_entity(&mut value, &r),
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    let value = collapse_whitespace(&value);
    (!value.is_empty()).then_some(value)
}

/// Appends the character an entity or character reference stands for.
fn push_entity(out: &mut String, r: &quick_xml::events::BytesRef<'_>) {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        out.push(c);
    } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(r) {
        out.push_str(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::testing::{assert_quick, check_ranges};
    use crate::extract::BlockKind;
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
}
