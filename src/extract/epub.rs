//! EPUB: the book's XHTML chapters in reading order.
//!
//! `META-INF/container.xml` names the package document (OPF), whose spine
//! lists the chapters in reading order; each chapter is read whole (a small
//! part, under the package's budget) and its blocks found by the HTML
//! extractor, so chapters get the same headings, lists, tables and chrome
//! filtering as web pages. The title and date are the OPF's `dc:title`
//! and `dc:date`. Chapters of a book under DRM are ciphertext, listed in
//! `META-INF/encryption.xml`: such a book is reported as encrypted.

use quick_xml::events::Event;
use quick_xml::Reader;

use super::archive::{self, Kind, Package, MAX_PACKAGE_BYTES};
use super::blocks::{self, Plain};
use super::date::{DateSource, PubDate};
use super::xml_text::attr;
use super::{html, title, BlockKind, ExtractError, Extracted};

const EPUB: Kind = Kind {
    name: "EPUB",
    legacy: "an OLE (legacy Office) file",
    document: "an EPUB book",
};

/// Most chapters read from one book.
const MAX_CHAPTERS: usize = 10_000;

/// Extracts the chapters of an EPUB file.
pub fn extract(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    extract_with_limit(bytes, MAX_PACKAGE_BYTES)
}

fn extract_with_limit(bytes: &[u8], limit: u64) -> Result<Extracted, ExtractError> {
    let mut package = Package::open(bytes, EPUB, limit)?;
    let container = package.required_part("META-INF/container.xml")?;
    let opf_path = rootfile(&container).ok_or_else(|| {
        ExtractError::Corrupt("damaged EPUB: container.xml names no package document".into())
    })?;
    let opf = package.required_part(&opf_path)?;
    let chapters = spine(&opf, &opf_path);
    if chapters.is_empty() {
        return Err(ExtractError::Corrupt(
            "damaged EPUB: its spine lists no chapters".into(),
        ));
    }
    let encrypted = encrypted_parts(&mut package)?;
    let mut pieces = Vec::new();
    for chapter in chapters.iter().take(MAX_CHAPTERS) {
        if encrypted.contains(chapter) {
            return Err(ExtractError::Encrypted);
        }
        let Some(xhtml) = package.small_part(chapter)? else {
            continue;
        };
        match html::extract(&xhtml) {
            Ok(e) => pieces.extend(e.blocks.iter().map(|b| Plain {
                kind: b.kind,
                text: e.text[b.range.clone()].to_string(),
            })),
            // A cover or a page of images.
            Err(ExtractError::Empty) => {}
            Err(e) => return Err(e),
        }
    }
    if pieces.is_empty() {
        return Err(ExtractError::Empty);
    }
    let first_heading = pieces
        .iter()
        .find(|p| p.kind == BlockKind::Heading)
        .map(|p| p.text.clone());
    let title = [archive::property(&opf, "title"), first_heading]
        .into_iter()
        .flatten()
        .find_map(|t| title::plausible(&t));
    let mut extracted = blocks::assemble(pieces, title);
    extracted.date = archive::property(&opf, "date")
        .and_then(|d| super::date::parse_metadata(&d))
        .map(|day| PubDate {
            day,
            source: DateSource::Metadata,
        });
    Ok(extracted)
}

/// The package document's path, from `container.xml`.
fn rootfile(xml: &[u8]) -> Option<String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "rootfile" => {
                if let Some(path) = attr(&e, "full-path").and_then(|p| archive::resolve("", &p)) {
                    return Some(path);
                }
            }
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
        buf.clear();
    }
}

/// The chapters' part names in spine order: manifest items of (X)HTML,
/// leaving out the EPUB 3 navigation document, which repeats the headings.
fn spine(opf: &[u8], opf_path: &str) -> Vec<String> {
    let mut reader = Reader::from_reader(opf);
    let mut buf = Vec::new();
    // id → part name, for documents.
    let mut items: Vec<(String, String)> = Vec::new();
    let mut order: Vec<String> = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => match e.local_name().as_ref() {
                "item" => {
                    let media = attr(&e, "media-type").unwrap_or_default();
                    let nav = attr(&e, "properties")
                        .is_some_and(|p| p.split_whitespace().any(|p| p == "nav"));
                    let document = media == "application/xhtml+xml" || media == "text/html";
                    let href = attr(&e, "href").and_then(|h| archive::resolve(opf_path, &h));
                    if let (Some(id), Some(href), true, false) =
                        (attr(&e, "id"), href, document, nav)
                    {
                        items.push((id, href));
                    }
                }
                "itemref" => order.extend(attr(&e, "idref")),
                _ => {}
            },
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    let mut chapters: Vec<String> = Vec::new();
    for id in order {
        if let Some((_, href)) = items.iter().find(|(i, _)| *i == id) {
            if !chapters.contains(href) {
                chapters.push(href.clone());
            }
        }
    }
    chapters
}

/// The parts `META-INF/encryption.xml` says are encrypted (font
/// obfuscation lists fonts, which are not read).
fn encrypted_parts(package: &mut Package<'_>) -> Result<Vec<String>, ExtractError> {
    let Some(xml) = package.small_part("META-INF/encryption.xml")? else {
        return Ok(Vec::new());
    };
    let mut reader = Reader::from_reader(xml.as_slice());
    let mut buf = Vec::new();
    let mut parts = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e))
                if e.local_name().as_ref() == "CipherReference" =>
            {
                parts.extend(attr(&e, "URI").and_then(|u| archive::resolve("", &u)));
            }
            Ok(Event::Eof) | Err(_) => return Ok(parts),
            _ => {}
        }
        buf.clear();
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::extract::archive::tests::{declare_huge, package};
    use crate::extract::testing::blocks;

    const CONTAINER: &str = r#"<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>"#;

    /// An EPUB whose chapters (file name, XHTML body) are listed in the
    /// spine in reverse order of the manifest.
    pub(in crate::extract) fn epub(title: &str, chapters: &[(&str, &str)]) -> Vec<u8> {
        epub_with(title, chapters, &[])
    }

    /// [`epub`] with more parts.
    fn epub_with(title: &str, chapters: &[(&str, &str)], extra: &[(&str, &str)]) -> Vec<u8> {
        let mut manifest = String::from(
            r#"<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/><item id="css" href="style.css" media-type="text/css"/>"#,
        );
        let mut spine = String::from(r#"<itemref idref="nav"/>"#);
        let mut parts: Vec<(String, String)> = vec![
            ("mimetype".into(), "application/epub+zip".into()),
            ("META-INF/container.xml".into(), CONTAINER.into()),
            (
                "OEBPS/nav.xhtml".into(),
                "<html><body><nav><ol><li>Contents entry</li></ol></nav></body></html>".into(),
            ),
        ];
        for (i, (name, body)) in chapters.iter().enumerate().rev() {
            manifest.push_str(&format!(
                r#"<item id="c{i}" href="text/{}" media-type="application/xhtml+xml"/>"#,
                name.replace(' ', "%20")
            ));
            parts.push((
                format!("OEBPS/text/{name}"),
                format!(r#"<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>Chapter</title></head><body>{body}</body></html>"#),
            ));
        }
        parts.extend(extra.iter().map(|(n, c)| (n.to_string(), c.to_string())));
        for i in 0..chapters.len() {
            spine.push_str(&format!(r#"<itemref idref="c{i}"/>"#));
        }
        parts.push((
            "OEBPS/content.opf".into(),
            format!(r#"<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title><dc:date>2021-06-30</dc:date></metadata><manifest>{manifest}</manifest><spine>{spine}</spine></package>"#),
        ));
        let parts: Vec<(&str, &[u8])> = parts
            .iter()
            .map(|(n, c)| (n.as_str(), c.as_bytes()))
            .collect();
        package(&parts)
    }

    #[test]
    fn chapters_in_spine_order() {
        let e = extract(&epub(
            "Health &amp; care",
            &[
                ("cover.xhtml", r#"<div><img src="c.jpg"/></div>"#),
                ("chapter one.xhtml", "<h1>Chapter one</h1><p>Waiting lists grew.</p>"),
                ("two.xhtml", "<h2>Chapter two</h2><ul><li>Beds</li></ul><table><tr><td>a</td><td>b</td></tr></table>"),
            ],
        ))
        .unwrap();
        assert_eq!(
            blocks(&e),
            vec![
                (BlockKind::Heading, "Chapter one"),
                (BlockKind::Paragraph, "Waiting lists grew."),
                (BlockKind::Heading, "Chapter two"),
                (BlockKind::ListItem, "Beds"),
                (BlockKind::TableRow, "a | b"),
            ]
        );
        assert_eq!(e.title.as_deref(), Some("Health & care"));
        let date = e.date.unwrap();
        assert_eq!(
            (date.day.iso().as_str(), date.source),
            ("2021-06-30", DateSource::Metadata)
        );
        assert!(!e.text.contains("Contents entry"));
    }

    #[test]
    fn hostile_and_damaged_files_are_refused() {
        assert!(matches!(
            extract(b"not a zip"),
            Err(ExtractError::Corrupt(m)) if m.contains("not an EPUB")
        ));
        assert!(matches!(
            extract(&package(&[("mimetype", b"application/epub+zip")])),
            Err(ExtractError::Corrupt(m)) if m.contains("container.xml")
        ));
        let no_opf = package(&[("META-INF/container.xml", CONTAINER.as_bytes())]);
        assert!(
            matches!(extract(&no_opf), Err(ExtractError::Corrupt(m)) if m.contains("content.opf"))
        );
        let encryption = r#"<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><EncryptedData xmlns="http://www.w3.org/2001/04/xmlenc#"><CipherData><CipherReference URI="OEBPS/text/a.xhtml"/></CipherData></EncryptedData></encryption>"#;
        let drm = epub_with(
            "T",
            &[("a.xhtml", "<p>Secret text.</p>")],
            &[("META-INF/encryption.xml", encryption)],
        );
        assert!(matches!(extract(&drm), Err(ExtractError::Encrypted)));
        assert!(matches!(
            extract(&epub("T", &[("a.xhtml", "<img src=x>")])),
            Err(ExtractError::Empty)
        ));
        let whole = epub("T", &[("a.xhtml", "<p>Some text here.</p>")]);
        for cut in [10, whole.len() / 2, whole.len() - 10] {
            assert!(extract(&whole[..cut]).is_err());
        }
    }

    #[test]
    fn zip_bomb_is_refused() {
        let big = format!("<p>{}</p>", "A ".repeat(4 << 20));
        let bomb = epub("T", &[("a.xhtml", &big)]);
        assert!(bomb.len() < 100_000);
        assert!(matches!(
            extract_with_limit(&bomb, 1 << 20),
            Err(ExtractError::Limit(_))
        ));
        let mut declared = epub("T", &[("a.xhtml", "<p>small</p>")]);
        declare_huge(&mut declared, "OEBPS/text/a.xhtml");
        assert!(matches!(extract(&declared), Err(ExtractError::Limit(_))));
    }
}
