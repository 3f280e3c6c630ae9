//! PPTX: the text of each slide and its speaker notes, slide by slide.
//!
//! Slides are read in the order `ppt/presentation.xml` lists them (not the
//! order of their part names: slide parts keep the name they were created
//! with when slides are moved). Every block of a slide and of its notes has
//! the slide's number as its page, so a citation names the slide. Text in a
//! title placeholder is a heading; footers, dates and slide numbers are
//! left out, as they repeat on every slide. Each slide is a small part,
//! read whole under the package's budget.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::archive::{self, Kind, Package, MAX_PACKAGE_BYTES};
use super::blocks::{self, collapse_whitespace, Plain, Tables};
use super::xml_text::{attr, local, push_entity};
use super::{title, BlockKind, ExtractError, Extracted};

const PPTX: Kind = Kind {
    name: "PPTX",
    legacy: "a PowerPoint 97–2003 (.ppt) file",
    document: "a PowerPoint presentation",
};

/// Most slides read from one presentation.
const MAX_SLIDES: usize = 10_000;

/// Placeholders whose text repeats on every slide or shows no content.
const CHROME_PLACEHOLDERS: &[&str] = &["sldNum", "dt", "ftr", "hdr", "sldImg"];

/// Extracts the slides and notes of a PPTX file.
pub fn extract(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    extract_with_limit(bytes, MAX_PACKAGE_BYTES)
}

fn extract_with_limit(bytes: &[u8], limit: u64) -> Result<Extracted, ExtractError> {
    let mut package = Package::open(bytes, PPTX, limit)?;
    let main = archive::main_part(&mut package, "ppt/presentation.xml")?;
    let slides = slide_parts(&mut package, &main)?;
    let (core_title, created) = archive::core_properties(&mut package)?;
    let mut pieces = Vec::new();
    let mut pages = Vec::new();
    let mut first_title = None;
    for (i, slide) in slides.iter().enumerate() {
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let Some(xml) = package.small_part(slide)? else {
            continue;
        };
        let mut found = parse(&xml, slide)?;
        if let Some(notes) = archive::relationships(&mut package, slide)?
            .into_iter()
            .find(|r| r.kind == "notesSlide")
        {
            if let Some(xml) = package.small_part(&notes.target)? {
                found.extend(parse(&xml, &notes.target)?);
            }
        }
        if first_title.is_none() {
            first_title = found
                .iter()
                .find(|p| p.kind == BlockKind::Heading)
                .map(|p| p.text.clone());
        }
        pages.extend(std::iter::repeat_n(number, found.len()));
        pieces.extend(found);
    }
    if pieces.is_empty() {
        return Err(ExtractError::Empty);
    }
    let title = [core_title, first_title]
        .into_iter()
        .flatten()
        .find_map(|t| title::plausible(&t));
    let mut extracted = blocks::assemble(pieces, title);
    for (block, page) in extracted.blocks.iter_mut().zip(pages) {
        block.page = Some(page);
    }
    extracted.date = created;
    Ok(extracted)
}

/// The slide parts in presentation order: from the slide list of the
/// presentation part, else (a package written without one) the parts named
/// `ppt/slides/slideN.xml` in order of N.
fn slide_parts(package: &mut Package<'_>, main: &str) -> Result<Vec<String>, ExtractError> {
    let Some(xml) = package.small_part(main)? else {
        return Err(package.zip_error(zip::result::ZipError::FileNotFound, main));
    };
    let ids = slide_ids(&xml);
    let rels = archive::relationships(package, main)?;
    let mut slides: Vec<String> = ids
        .iter()
        .filter_map(|id| rels.iter().find(|r| r.kind == "slide" && &r.id == id))
        .map(|r| r.target.clone())
        .take(MAX_SLIDES)
        .collect();
    if slides.is_empty() {
        let mut numbered: Vec<(u32, String)> = package
            .names()
            .into_iter()
            .filter_map(|n| {
                let number = n
                    .strip_prefix("ppt/slides/slide")?
                    .strip_suffix(".xml")?
                    .parse()
                    .ok()?;
                Some((number, n))
            })
            .collect();
        numbered.sort();
        slides = numbered
            .into_iter()
            .map(|(_, n)| n)
            .take(MAX_SLIDES)
            .collect();
    }
    Ok(slides)
}

/// The relationship ids (`r:id`) of the presentation's `<p:sldId>` entries.
fn slide_ids(xml: &[u8]) -> Vec<String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut ids = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "sldId" => {
                // `id` is the slide's number in the file; the prefixed
                // `r:id` names the relationship to its part.
                let rid = e.attributes().flatten().find_map(|a| {
                    let key = a.key.as_ref();
                    (key.contains(':') && local(key) == "id").then(|| a.value.into_owned())
                });
                ids.extend(rid);
            }
            Ok(Event::Eof) | Err(_) => return ids,
            _ => {}
        }
        buf.clear();
    }
}

/// The state of one slide's (or notes page's) parse.
#[derive(Default)]
struct Slide {
    tables: Tables<Plain>,
    /// The open shape's placeholder type (`title`, `body`, `sldNum`).
    placeholder: Option<String>,
    /// Lines of the open title placeholder.
    title: Vec<String>,
    para: Option<Para>,
    in_text: bool,
}

#[derive(Default)]
struct Para {
    text: String,
    bullet: bool,
}

/// The blocks of a slide or notes part.
fn parse(xml: &[u8], part: &str) -> Result<Vec<Plain>, ExtractError> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut s = Slide::default();
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            ExtractError::Corrupt(format!(
                "damaged PPTX: malformed XML in {part} at byte {}: {e}",
                reader.error_position()
            ))
        })?;
        match event {
            Event::Start(e) => s.start(&e, false),
            Event::Empty(e) => s.start(&e, true),
            Event::End(e) => s.end(local(e.name().as_ref())),
            Event::Text(t) if s.in_text => s.push_text(&t.xml10_content()),
            Event::CData(t) if s.in_text => s.push_text(&t.xml10_content()),
            Event::GeneralRef(r) if s.in_text => {
                if let Some(p) = s.para.as_mut() {
                    push_entity(&mut p.text, &r);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    s.end("p");
    s.end("sp");
    Ok(s.tables.finish())
}

impl Slide {
    fn start(&mut self, e: &BytesStart<'_>, empty: bool) {
        match local(e.name().as_ref()) {
            "sp" if !empty => {
                self.end("sp");
                self.placeholder = None;
            }
            "ph" => self.placeholder = Some(attr(e, "type").unwrap_or_else(|| "body".into())),
            "p" if !empty => {
                self.end("p");
                self.para = Some(Para::default());
            }
            "buChar" | "buAutoNum" | "buBlip" => {
                if let Some(p) = self.para.as_mut() {
                    p.bullet = true;
                }
            }
            "t" if !empty => self.in_text = true,
            "br" => self.push_text("\n"),
            "tbl" if !empty => self.tables.start_table(),
            "tr" if !empty => self.tables.start_row(),
            "tc" => self.tables.start_cell(),
            _ => {}
        }
    }

    fn push_text(&mut self, text: &str) {
        if let Some(p) = self.para.as_mut() {
            p.text.push_str(text);
        }
    }

    fn end(&mut self, local: &str) {
        match local {
            "t" => self.in_text = false,
            "p" => {
                if let Some(p) = self.para.take() {
                    self.end_paragraph(p);
                }
            }
            "tr" => self.tables.end_row(),
            "tbl" => self.tables.end_table(),
            "sp" => {
                let lines = std::mem::take(&mut self.title);
                let text = collapse_whitespace(&lines.join(" "));
                if !text.is_empty() {
                    self.tables.emit(Plain {
                        kind: BlockKind::Heading,
                        text,
                    });
                }
                self.placeholder = None;
            }
            _ => {}
        }
    }

    fn end_paragraph(&mut self, p: Para) {
        let text = p.text.trim();
        if !text.chars().any(char::is_alphanumeric) {
            return;
        }
        let placeholder = self.placeholder.as_deref().unwrap_or_default();
        if CHROME_PLACEHOLDERS.contains(&placeholder) {
            return;
        }
        if matches!(placeholder, "title" | "ctrTitle") {
            self.title.push(text.to_string());
            return;
        }
        self.tables.emit(Plain {
            kind: if p.bullet {
                BlockKind::ListItem
            } else {
                BlockKind::Paragraph
            },
            text: text.to_string(),
        });
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::extract::archive::tests::{declare_huge, package};
    use crate::extract::testing::check_ranges;

    const NS: &str = r#"xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main""#;

    /// A shape: an optional placeholder type and its paragraphs.
    pub(in crate::extract) fn shape(placeholder: Option<&str>, paras: &[&str]) -> String {
        let ph = placeholder
            .map(|t| format!(r#"<p:ph type="{t}"/>"#))
            .unwrap_or_default();
        let paras: String = paras
            .iter()
            .map(|t| format!("<a:p><a:r><a:t>{t}</a:t></a:r></a:p>"))
            .collect();
        format!(
            r#"<p:sp><p:nvSpPr><p:cNvPr id="2" name="x"/><p:cNvSpPr/><p:nvPr>{ph}</p:nvPr></p:nvSpPr><p:txBody><a:bodyPr/>{paras}</p:txBody></p:sp>"#
        )
    }

    /// A PPTX with slides (each its shapes' XML and optional notes text),
    /// listed in the presentation in the order given but stored under
    /// part names numbered in reverse, as after moving slides.
    pub(in crate::extract) fn pptx(slides: &[(String, Option<&str>)]) -> Vec<u8> {
        let n = slides.len();
        let mut parts: Vec<(String, String)> = Vec::new();
        let mut ids = String::new();
        let mut rels = String::new();
        for (i, (shapes, notes)) in slides.iter().enumerate() {
            let file = n - i;
            ids.push_str(&format!(r#"<p:sldId id="{}" r:id="rId{file}"/>"#, 256 + i));
            rels.push_str(&format!(r#"<Relationship Id="rId{file}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide{file}.xml"/>"#));
            parts.push((
                format!("ppt/slides/slide{file}.xml"),
                format!(r#"<?xml version="1.0" encoding="UTF-8"?><p:sld {NS}><p:cSld><p:spTree>{shapes}</p:spTree></p:cSld></p:sld>"#),
            ));
            if let Some(notes) = notes {
                parts.push((
                    format!("ppt/slides/_rels/slide{file}.xml.rels"),
                    format!(r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/notesSlide" Target="../notesSlides/notesSlide{file}.xml"/></Relationships>"#),
                ));
                let body = shape(Some("sldImg"), &[])
                    + &shape(Some("body"), &[notes])
                    + &shape(Some("sldNum"), &["7"]);
                parts.push((
                    format!("ppt/notesSlides/notesSlide{file}.xml"),
                    format!(
                        r#"<p:notes {NS}><p:cSld><p:spTree>{body}</p:spTree></p:cSld></p:notes>"#
                    ),
                ));
            }
        }
        parts.push((
            "ppt/presentation.xml".into(),
            format!(r#"<p:presentation {NS}><p:sldIdLst>{ids}</p:sldIdLst></p:presentation>"#),
        ));
        parts.push((
            "ppt/_rels/presentation.xml.rels".into(),
            format!(r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#),
        ));
        parts.push((
            "_rels/.rels".into(),
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="ppt/presentation.xml"/></Relationships>"#.into(),
        ));
        let parts: Vec<(&str, &[u8])> = parts
            .iter()
            .map(|(n, c)| (n.as_str(), c.as_bytes()))
            .collect();
        package(&parts)
    }

    fn blocks(e: &Extracted) -> Vec<(BlockKind, &str, Option<u32>)> {
        check_ranges(e);
        e.blocks
            .iter()
            .map(|b| (b.kind, &e.text[b.range.clone()], b.page))
            .collect()
    }

    #[test]
    fn slides_in_order_with_titles_notes_lists_and_tables() {
        let table = r#"<p:graphicFrame><a:graphic><a:graphicData><a:tbl><a:tr><a:tc><a:txBody><a:p><a:r><a:t>Region</a:t></a:r></a:p></a:txBody></a:tc><a:tc><a:txBody><a:p><a:r><a:t>Beds</a:t></a:r></a:p></a:txBody></a:tc></a:tr></a:tbl></a:graphicData></a:graphic></p:graphicFrame>"#;
        let bullets = r#"<p:sp><p:txBody><a:p><a:pPr><a:buChar char="•"/></a:pPr><a:r><a:t>First &amp; best</a:t></a:r></a:p><a:p><a:r><a:t>Line one</a:t></a:r><a:br/><a:r><a:t>line two</a:t></a:r></a:p></p:txBody></p:sp>"#;
        let e = extract(&pptx(&[
            (
                shape(Some("ctrTitle"), &["Winter plan", "2025"])
                    + &shape(Some("subTitle"), &["For the board"]),
                Some("Welcome everyone."),
            ),
            (
                shape(Some("title"), &["Capacity"])
                    + bullets
                    + table
                    + &shape(Some("ftr"), &["Confidential"])
                    + &shape(Some("sldNum"), &["2"]),
                None,
            ),
        ]))
        .unwrap();
        assert_eq!(
            blocks(&e),
            vec![
                (BlockKind::Heading, "Winter plan 2025", Some(1)),
                (BlockKind::Paragraph, "For the board", Some(1)),
                (BlockKind::Paragraph, "Welcome everyone.", Some(1)),
                (BlockKind::Heading, "Capacity", Some(2)),
                (BlockKind::ListItem, "First & best", Some(2)),
                (BlockKind::Paragraph, "Line one\nline two", Some(2)),
                (BlockKind::TableRow, "Region | Beds", Some(2)),
            ]
        );
        assert_eq!(e.title.as_deref(), Some("Winter plan 2025"));
        assert!(!e.cites_lines);
    }

    #[test]
    fn title_from_core_properties_and_slides_without_a_list() {
        let slide = format!(
            r#"<p:sld {NS}><p:cSld><p:spTree>{}</p:spTree></p:cSld></p:sld>"#,
            shape(None, &["Loose slide text"])
        );
        let core = r#"<cp:coreProperties xmlns:cp="x" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="y"><dc:title>Urgent care review</dc:title><dcterms:created>2024-03-05T10:00:00Z</dcterms:created></cp:coreProperties>"#;
        let e = extract(&package(&[
            (
                "ppt/slides/slide10.xml",
                slide.replace("Loose", "Tenth").as_bytes(),
            ),
            ("ppt/slides/slide2.xml", slide.as_bytes()),
            ("ppt/presentation.xml", b"<p:presentation/>"),
            ("docProps/core.xml", core.as_bytes()),
        ]))
        .unwrap();
        assert_eq!(
            blocks(&e),
            vec![
                (BlockKind::Paragraph, "Loose slide text", Some(1)),
                (BlockKind::Paragraph, "Tenth slide text", Some(2)),
            ]
        );
        assert_eq!(e.title.as_deref(), Some("Urgent care review"));
        assert_eq!(e.date.map(|d| d.day.iso()).as_deref(), Some("2024-03-05"));
    }

    #[test]
    fn hostile_and_damaged_files_are_refused() {
        assert!(matches!(
            extract(b"not a zip"),
            Err(ExtractError::Corrupt(m)) if m.contains("not a PPTX")
        ));
        assert!(matches!(
            extract(&package(&[("word/document.xml", b"<x/>")])),
            Err(ExtractError::Corrupt(m)) if m.contains("not a PowerPoint")
        ));
        let empty = pptx(&[(shape(Some("sldNum"), &["1"]), None)]);
        assert!(matches!(extract(&empty), Err(ExtractError::Empty)));
        let malformed = pptx(&[("<p:sp><a:p></p:sld>".to_string(), None)]);
        assert!(
            matches!(extract(&malformed), Err(ExtractError::Corrupt(m)) if m.contains("malformed"))
        );
        let whole = pptx(&[(shape(None, &["Some text here."]), Some("notes"))]);
        for cut in [10, whole.len() / 2, whole.len() - 10] {
            assert!(extract(&whole[..cut]).is_err());
        }
    }

    #[test]
    fn zip_bomb_is_refused() {
        let big = shape(None, &[&"A".repeat(8 << 20)]);
        let bomb = pptx(&[(big, None)]);
        assert!(bomb.len() < 100_000);
        assert!(extract(&bomb).is_ok());
        assert!(matches!(
            extract_with_limit(&bomb, 1 << 20),
            Err(ExtractError::Limit(_))
        ));
        let mut declared = pptx(&[(shape(None, &["small"]), None)]);
        declare_huge(&mut declared, "ppt/slides/slide1.xml");
        assert!(matches!(extract(&declared), Err(ExtractError::Limit(m)) if m.contains("32 MB")));
    }
}
