//! ODT (OpenDocument text): paragraphs, headings, list items and table
//! rows from `content.xml`.
//!
//! The content part is parsed as a stream under the package's budget, as
//! DOCX's is. Paragraphs nest (a footnote's or a text frame's paragraphs
//! sit inside the paragraph that anchors them) and so do tables; both are
//! kept on explicit stacks, and the inner paragraph comes out first.
//! Tables of contents, tracked changes and comments are left out.

use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::archive::{self, Kind, Package, MAX_PACKAGE_BYTES};
use super::blocks::{self, collapse_whitespace, Plain, Tables};
use super::xml_text::{attr, local, push_entity};
use super::{title, BlockKind, ExtractError, Extracted};

const ODT: Kind = Kind {
    name: "ODT",
    legacy: "an OLE (legacy Office) file",
    document: "an OpenDocument text",
};

/// Elements whose text is not the document's: generated indexes, old
/// versions of changed text, comments, footnote numbers.
const SKIPPED: &[&str] = &[
    "table-of-content",
    "alphabetical-index",
    "illustration-index",
    "object-index",
    "user-index",
    "bibliography",
    "tracked-changes",
    "annotation",
    "note-citation",
    "sequence-decls",
    "variable-decls",
    "user-field-decls",
];

/// Most spaces one `<text:s text:c="…"/>` stands for.
const MAX_SPACES: usize = 64;

/// Extracts the text of an ODT file.
pub fn extract(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    extract_with_limit(bytes, MAX_PACKAGE_BYTES)
}

fn extract_with_limit(bytes: &[u8], limit: u64) -> Result<Extracted, ExtractError> {
    let mut package = Package::open(bytes, ODT, limit)?;
    if let Some(mimetype) = package.small_part("mimetype")? {
        let mimetype = String::from_utf8_lossy(&mimetype);
        if !mimetype
            .trim()
            .starts_with("application/vnd.oasis.opendocument.text")
        {
            return Err(ExtractError::Corrupt(format!(
                "not OpenDocument text but {}",
                mimetype.trim()
            )));
        }
    }
    // An encrypted document's parts are ciphertext; its manifest says so.
    if let Some(manifest) = package.small_part("META-INF/manifest.xml")? {
        if manifest.windows(15).any(|w| w == b"encryption-data") {
            return Err(ExtractError::Encrypted);
        }
    }
    let meta = package.small_part("meta.xml")?;
    let meta_title = meta.as_deref().and_then(|m| archive::property(m, "title"));
    let created = meta
        .as_deref()
        .and_then(|m| archive::property(m, "creation-date"))
        .and_then(|d| super::date::parse_metadata(&d))
        .map(|day| super::date::PubDate {
            day,
            source: super::date::DateSource::Created,
        });
    let mut body = Body::default();
    package.stream("content.xml", |reader| body.parse(reader))?;
    let pieces = body.tables.finish();
    if pieces.is_empty() {
        return Err(ExtractError::Empty);
    }
    let title = [meta_title, body.title_paragraph, body.first_heading]
        .into_iter()
        .flatten()
        .find_map(|t| title::plausible(&t));
    let mut extracted = blocks::assemble(pieces, title);
    extracted.date = created;
    Ok(extracted)
}

/// An open `<text:p>` or `<text:h>`.
struct Para {
    text: String,
    heading: bool,
    /// Styled as the document's title.
    title: bool,
}

#[derive(Default)]
struct Body {
    paras: Vec<Para>,
    tables: Tables<Plain>,
    /// Open list items.
    items: usize,
    /// Depth inside a skipped element; 0 outside.
    skip: usize,
    /// Whether the root element is OpenDocument content.
    office: bool,
    title_paragraph: Option<String>,
    first_heading: Option<String>,
}

impl Body {
    fn parse(&mut self, input: &mut dyn BufRead) -> Result<(), ExtractError> {
        let mut reader = Reader::from_reader(input);
        let mut buf = Vec::new();
        let mut root = true;
        loop {
            let event = reader.read_event_into(&mut buf).map_err(|e| {
                ExtractError::Corrupt(format!(
                    "damaged ODT: malformed XML at byte {}: {e}",
                    reader.error_position()
                ))
            })?;
            match event {
                Event::Start(e) => {
                    if std::mem::take(&mut root) {
                        self.office = local(e.name().as_ref()) == "document-content";
                    }
                    self.start(&e, false);
                }
                Event::Empty(e) => self.start(&e, true),
                Event::End(e) => self.end(local(e.name().as_ref())),
                Event::Text(t) => self.push(&t.xml10_content()),
                Event::CData(t) => self.push(&t.xml10_content()),
                Event::GeneralRef(r) if self.skip == 0 => {
                    if let Some(p) = self.paras.last_mut() {
                        push_entity(&mut p.text, &r);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        if !self.office {
            return Err(ExtractError::Corrupt(
                "not OpenDocument text: content.xml is not document content".into(),
            ));
        }
        while !self.paras.is_empty() {
            self.end_paragraph();
        }
        Ok(())
    }

    fn push(&mut self, text: &str) {
        if self.skip > 0 {
            return;
        }
        if let Some(p) = self.paras.last_mut() {
            p.text.push_str(text);
        }
    }

    fn start(&mut self, e: &BytesStart<'_>, empty: bool) {
        let qname = e.name();
        let name = local(qname.as_ref());
        if self.skip > 0 || SKIPPED.contains(&name) {
            if !empty {
                self.skip += 1;
            }
            return;
        }
        match name {
            "p" | "h" if !empty => {
                let style = attr(e, "style-name").unwrap_or_default();
                self.paras.push(Para {
                    text: String::new(),
                    heading: name == "h",
                    title: style == "Title",
                })
            }
            "list-item" | "list-header" if !empty => self.items += 1,
            "table" if !empty => self.tables.start_table(),
            "table-row" if !empty => self.tables.start_row(),
            "table-cell" => self.tables.start_cell(),
            "s" => {
                let n = attr(e, "c")
                    .and_then(|c| c.parse::<usize>().ok())
                    .unwrap_or(1);
                self.push(&" ".repeat(n.min(MAX_SPACES)));
            }
            "tab" => self.push("\t"),
            "line-break" => self.push("\n"),
            _ => {}
        }
    }

    fn end(&mut self, name: &str) {
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        match name {
            "p" | "h" => self.end_paragraph(),
            "list-item" | "list-header" => self.items = self.items.saturating_sub(1),
            "table-row" => self.tables.end_row(),
            "table" => self.tables.end_table(),
            _ => {}
        }
    }

    fn end_paragraph(&mut self) {
        let Some(p) = self.paras.pop() else {
            return;
        };
        let text = p.text.trim();
        if !text.chars().any(char::is_alphanumeric) {
            return;
        }
        let kind = if p.heading || p.title {
            BlockKind::Heading
        } else if self.items > 0 {
            BlockKind::ListItem
        } else {
            BlockKind::Paragraph
        };
        if p.title && self.title_paragraph.is_none() {
            self.title_paragraph = Some(collapse_whitespace(text));
        }
        if p.heading && self.first_heading.is_none() {
            self.first_heading = Some(collapse_whitespace(text));
        }
        self.tables.emit(Plain {
            kind,
            text: text.to_string(),
        });
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::extract::archive::tests::{declare_huge, package};
    use crate::extract::testing::{assert_quick, blocks};
    use std::time::Instant;

    /// An ODT whose `<office:text>` holds `body`.
    pub(in crate::extract) fn odt(body: &str) -> Vec<u8> {
        let content = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:text>{body}</office:text></office:body></office:document-content>"#
        );
        let meta = r#"<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"><office:meta><meta:creation-date>2023-11-02T09:15:00</meta:creation-date></office:meta></office:document-meta>"#;
        package(&[
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", content.as_bytes()),
            ("meta.xml", meta.as_bytes()),
        ])
    }

    #[test]
    fn headings_paragraphs_lists_and_tables() {
        let body = r#"<text:sequence-decls><text:sequence-decl text:name="Table"/></text:sequence-decls>
<text:table-of-content><text:index-body><text:p>Contents entry 3</text:p></text:index-body></text:table-of-content>
<text:h text:outline-level="1">Community services</text:h>
<text:p text:style-name="P1">Nurses visit <text:span>at home</text:span> &amp;<text:s text:c="3"/>in clinics.<text:note><text:note-citation>1</text:note-citation><text:note-body><text:p>A footnote.</text:p></text:note-body></text:note></text:p>
<text:list><text:list-item><text:p>First item</text:p></text:list-item><text:list-item><text:list><text:list-item><text:p>Nested item</text:p></text:list-item></text:list></text:list-item></text:list>
<table:table><table:table-row><table:table-cell><text:p>Region</text:p></table:table-cell><table:covered-table-cell/><table:table-cell><text:p>Beds</text:p></table:table-cell></table:table-row></table:table>
<text:p>a<text:tab/>b<text:line-break/>c<office:annotation><text:p>A comment</text:p></office:annotation></text:p>
<text:tracked-changes><text:changed-region><text:deletion><text:p>Deleted</text:p></text:deletion></text:changed-region></text:tracked-changes>"#;
        let e = extract(&odt(body)).unwrap();
        assert_eq!(
            blocks(&e),
            vec![
                (BlockKind::Heading, "Community services"),
                (BlockKind::Paragraph, "A footnote."),
                (BlockKind::Paragraph, "Nurses visit at home &   in clinics."),
                (BlockKind::ListItem, "First item"),
                (BlockKind::ListItem, "Nested item"),
                (BlockKind::TableRow, "Region | Beds"),
                (BlockKind::Paragraph, "a\tb\nc"),
            ]
        );
        assert_eq!(e.title.as_deref(), Some("Community services"));
        assert_eq!(e.date.map(|d| d.day.iso()).as_deref(), Some("2023-11-02"));
    }

    #[test]
    fn title_from_metadata_or_title_style() {
        let e = extract(&odt(
            r#"<text:p text:style-name="Title">Annual report</text:p><text:p>Text.</text:p>"#,
        ))
        .unwrap();
        assert_eq!(e.title.as_deref(), Some("Annual report"));
        let meta = r#"<office:document-meta xmlns:office="o" xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta><dc:title>From  the metadata</dc:title></office:meta></office:document-meta>"#;
        let content = r#"<office:document-content xmlns:office="o" xmlns:text="t"><office:body><office:text><text:p>Text.</text:p></office:text></office:body></office:document-content>"#;
        let e = extract(&package(&[
            ("content.xml", content.as_bytes()),
            ("meta.xml", meta.as_bytes()),
        ]))
        .unwrap();
        assert_eq!(e.title.as_deref(), Some("From the metadata"));
    }

    #[test]
    fn hostile_and_damaged_files_are_refused() {
        assert!(matches!(
            extract(b"not a zip"),
            Err(ExtractError::Corrupt(m)) if m.contains("not an ODT")
        ));
        assert!(matches!(
            extract(&package(&[("mimetype", b"application/vnd.oasis.opendocument.spreadsheet")])),
            Err(ExtractError::Corrupt(m)) if m.contains("spreadsheet")
        ));
        assert!(matches!(
            extract(&package(&[("mimetype", b"application/vnd.oasis.opendocument.text")])),
            Err(ExtractError::Corrupt(m)) if m.contains("content.xml")
        ));
        let encrypted = package(&[
            ("content.xml", b"\x01\x02 ciphertext"),
            (
                "META-INF/manifest.xml",
                b"<manifest:file-entry><manifest:encryption-data/></manifest:file-entry>",
            ),
        ]);
        assert!(matches!(extract(&encrypted), Err(ExtractError::Encrypted)));
        let not_odf = package(&[("content.xml", b"<html><p>x</p></html>")]);
        assert!(
            matches!(extract(&not_odf), Err(ExtractError::Corrupt(m)) if m.contains("not OpenDocument"))
        );
        assert!(matches!(
            extract(&odt("<text:p> </text:p>")),
            Err(ExtractError::Empty)
        ));
        assert!(matches!(
            extract(&odt("<text:p>x</text:h>")),
            Err(ExtractError::Corrupt(m)) if m.contains("malformed")
        ));
        let whole = odt("<text:p>Some text here.</text:p>");
        for cut in [10, whole.len() / 2, whole.len() - 10] {
            assert!(extract(&whole[..cut]).is_err());
        }
    }

    #[test]
    fn zip_bomb_is_refused_and_nesting_is_linear() {
        let bomb = odt(&format!("<text:p>{}</text:p>", "A".repeat(8 << 20)));
        assert!(bomb.len() < 100_000);
        assert!(matches!(
            extract_with_limit(&bomb, 1 << 20),
            Err(ExtractError::Limit(_))
        ));
        let mut declared = odt("<text:p>small</text:p>");
        declare_huge(&mut declared, "content.xml");
        assert!(matches!(extract(&declared), Err(ExtractError::Limit(m)) if m.contains("256 MB")));

        let n = 100_000;
        let deep = format!(
            "{}<text:p>deep</text:p>{}",
            "<table:table><table:table-row><table:table-cell>".repeat(n),
            "</table:table-cell></table:table-row></table:table>".repeat(n)
        );
        let start = Instant::now();
        assert_eq!(
            blocks(&extract(&odt(&deep)).unwrap()),
            vec![(BlockKind::Paragraph, "deep")]
        );
        assert_quick(start);
    }
}
