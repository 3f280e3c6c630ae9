//! DOCX: paragraphs, headings, list items and table rows from WordprocessingML.
//!
//! A DOCX file is a zip archive; the text is in `word/document.xml` and the
//! style names that say which paragraphs are headings or list items are in
//! `word/styles.xml`. The document part is parsed as a stream (quick-xml)
//! straight out of the decompressor, under the package's budget
//! (`archive`), so a zip bomb is refused without being inflated into
//! memory. Nesting (tables in cells, text boxes in paragraphs) is kept
//! on explicit stacks; nothing recurses.

mod body;
mod styles;

use super::archive::{self, Kind, Package, MAX_PACKAGE_BYTES};
use super::{blocks, title, ExtractError, Extracted};
use body::Body;
use styles::{parse_styles, Styles};

/// How DOCX packages are named in messages.
const DOCX: Kind = Kind {
    name: "DOCX",
    legacy: "a Word 97–2003 (.doc) file",
    document: "a Word document",
};

/// Extracts the body text of a DOCX file.
///
/// The text is the blocks joined by blank lines; block ranges index into it.
pub fn extract(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    extract_with_limit(bytes, MAX_PACKAGE_BYTES)
}

fn extract_with_limit(bytes: &[u8], limit: u64) -> Result<Extracted, ExtractError> {
    let mut package = Package::open(bytes, DOCX, limit)?;
    let main = archive::main_part(&mut package, "word/document.xml")?;
    let styles = match package.small_part(&sibling(&main, "styles.xml"))? {
        Some(xml) => parse_styles(&xml),
        None => Styles::default(),
    };
    let (core_title, created) = archive::core_properties(&mut package)?;
    let mut body = Body::new(&styles);
    package.stream(&main, |reader| body.parse(reader))?;
    let title = [core_title, body.title_paragraph, body.first_heading]
        .into_iter()
        .flatten()
        .find_map(|t| title::plausible(&t));
    let pieces = body.tables.finish();
    if pieces.is_empty() {
        return Err(ExtractError::Empty);
    }
    let mut extracted = blocks::assemble(pieces, title);
    extracted.date = created;
    Ok(extracted)
}

/// `name` in the same folder as `part`.
fn sibling(part: &str, name: &str) -> String {
    match part.rfind('/') {
        Some(i) => format!("{}/{name}", &part[..i]),
        None => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::archive::tests::declare_huge;
    use crate::extract::testing::{assert_quick, blocks};
    use crate::extract::BlockKind;
    use std::time::{Duration, Instant};

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
        let parts: Vec<(&str, &[u8])> = parts.iter().map(|(n, c)| (*n, c.as_bytes())).collect();
        archive::tests::package(&parts)
    }

    fn docx(body: &str) -> Vec<u8> {
        package(&[
            ("word/document.xml", &document(body)),
            ("word/styles.xml", STYLES),
        ])
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
        let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
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
        declare_huge(&mut declared, "word/document.xml");
        assert!(matches!(extract(&declared), Err(ExtractError::Limit(m)) if m.contains("256 MB")));
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
