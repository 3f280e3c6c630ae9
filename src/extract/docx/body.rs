//! The document body: paragraphs, runs and tables to blocks.

use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::styles::Styles;
use crate::extract::blocks::{collapse_whitespace, Plain, Tables};
use crate::extract::xml_text::{attr, push_entity};
use crate::extract::{BlockKind, ExtractError};

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const W_STRICT_NS: &str = "http://purl.oclc.org/ooxml/wordprocessingml/main";
const MC_NS: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";

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
pub(super) struct Body<'s> {
    styles: &'s Styles,
    /// The WordprocessingML namespace prefix, as the root element binds it.
    w: String,
    /// Whether the root element binds the WordprocessingML namespace at all.
    w_bound: bool,
    mc: String,
    paras: Vec<Para>,
    /// Open tables, and the blocks out.
    pub(super) tables: Tables<Plain>,
    /// Depth inside an element whose content is not text (`mc:Fallback`,
    /// tracked-change copies); 0 outside.
    skip: usize,
    runs: usize,
    in_text: bool,
    in_field_code: bool,
    /// The next `<w:sdtContent>` is a table of contents.
    toc_block: bool,
    pub(super) title_paragraph: Option<String>,
    pub(super) first_heading: Option<String>,
}

impl<'s> Body<'s> {
    pub(super) fn new(styles: &'s Styles) -> Self {
        Body {
            styles,
            w: "w".into(),
            w_bound: false,
            mc: "mc".into(),
            paras: Vec::new(),
            tables: Tables::default(),
            skip: 0,
            runs: 0,
            in_text: false,
            in_field_code: false,
            toc_block: false,
            title_paragraph: None,
            first_heading: None,
        }
    }

    /// Reads the document part into blocks.
    pub(super) fn parse<R: BufRead>(&mut self, input: R) -> Result<(), ExtractError> {
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
                Event::Eof => break,
                other => self.content(other),
            }
            buf.clear();
        }
        self.finish()
    }

    /// Text, character data and entity references: a paragraph's text, or
    /// a field code that marks a contents entry.
    fn content(&mut self, event: Event<'_>) {
        if self.skip > 0 {
            return;
        }
        match event {
            Event::Text(t) if self.in_field_code => {
                let code = t.xml10_content();
                if code.contains("PAGEREF") || code.trim_start().starts_with("TOC ") {
                    if let Some(p) = self.paras.last_mut() {
                        p.toc_link = true;
                    }
                }
            }
            Event::Text(t) if self.in_text => {
                let text = t.xml10_content();
                if let Some(p) = self.paras.last_mut() {
                    p.text.push_str(&text);
                }
            }
            Event::CData(t) if self.in_text => {
                if let Some(p) = self.paras.last_mut() {
                    p.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) if self.in_text => {
                if let Some(p) = self.paras.last_mut() {
                    push_entity(&mut p.text, &r);
                }
            }
            _ => {}
        }
    }

    /// After the last event: a part that is not WordprocessingML is refused,
    /// and a truncated one has what is open closed, so its text is not lost.
    fn finish(&mut self) -> Result<(), ExtractError> {
        if !self.w_bound {
            return Err(ExtractError::Corrupt(
                "not a Word document: its main part is not WordprocessingML".into(),
            ));
        }
        while !self.paras.is_empty() {
            self.end_paragraph();
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
            "hyperlink" | "docPartGallery" | "sdtContent" => self.start_contents(local, e, empty),
            "tbl" | "tr" | "tc" if !empty => self.start_table_part(local),
            _ => self.start_paragraph_part(local, e, empty),
        }
    }

    /// Paragraphs, their properties, runs and what runs hold.
    fn start_paragraph_part(&mut self, local: &str, e: &BytesStart<'_>, empty: bool) {
        match local {
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
            "t" if !empty => self.in_text = true,
            "tab" | "ptab" | "br" | "cr" | "noBreakHyphen" | "sym" if self.runs > 0 => {
                self.run_mark(local, e)
            }
            _ => {}
        }
    }

    /// A tab, break, hyphen or symbol in a run, as the character it shows.
    fn run_mark(&mut self, local: &str, e: &BytesStart<'_>) {
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

    /// What marks a table of contents: links to `_Toc` bookmarks and
    /// content controls of the contents gallery, which are skipped.
    fn start_contents(&mut self, local: &str, e: &BytesStart<'_>, empty: bool) {
        match local {
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
            _ => {}
        }
    }

    /// A table, row or cell opens.
    fn start_table_part(&mut self, local: &str) {
        match local {
            "tbl" => self.tables.start_table(),
            "tr" => self.tables.start_row(),
            "tc" => self.tables.start_cell(),
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
            "tr" => self.tables.end_row(),
            "tbl" => self.tables.end_table(),
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
        self.tables.emit(Plain {
            kind,
            text: text.to_string(),
        });
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

    #[test]
    fn symbols() {
        assert_eq!(symbol_char("Symbol", "F0B7"), Some('•'));
        assert_eq!(symbol_char("Symbol", "F061"), Some('α'));
        assert_eq!(symbol_char("Wingdings", "F0FC"), None);
        assert_eq!(symbol_char("Arial", "2013"), Some('–'));
        assert_eq!(symbol_char("Symbol", "zz"), None);
    }
}
