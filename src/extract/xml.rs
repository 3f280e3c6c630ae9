//! Plain XML: the text content of the elements as paragraphs, and
//! question-and-answer collections (MedQuAD) as questions and answers.
//!
//! Generic XML has no block structure we know of, so an element's own text
//! is a block: a block ends where the element that holds its first words
//! ends, or where a child element starts on a new line (pretty-printed
//! structure), so inline markup on one line (`Some <b>bold</b> text`) stays
//! in its block. Elements named like titles or headings are headings.
//!
//! A MedQuAD file (root `<Document>` holding `<QAPairs>`) is a set of
//! question-and-answer pairs about one topic, its `<Focus>`: each question
//! is a heading, and its answer's lines are paragraphs under it, so a hit
//! in an answer is cited with its question. The topic is the title; the
//! annotations (UMLS codes, synonyms) are left out.
//!
//! One pass over the events; nesting is only counted, never recursed, and
//! entities other than the predefined ones are not expanded.

use encoding_rs::{Encoding, UTF_8};
use quick_xml::events::Event;
use quick_xml::Reader;

use super::blocks::{self, collapse_whitespace, Plain};
use super::xml_text::{local, push_entity};
use super::{title, BlockKind, ExtractError, Extracted};

/// Element names kept for headings and titles only this deep.
const MAX_NAMES: usize = 256;

/// Extracts the text of an XML file.
pub fn extract(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let text = decode(bytes);
    let mut p = Parser {
        medquad: is_medquad(&text),
        root_seen: false,
        depth: 0,
        names: Vec::new(),
        buf: String::new(),
        owner: 0,
        role: Role::Paragraph,
        pieces: Vec::new(),
        title: None,
        question: None,
    };
    let mut reader = Reader::from_str(&text);
    loop {
        crate::limits::check();
        let event = reader.read_event().map_err(|e| {
            ExtractError::Corrupt(format!(
                "malformed XML at byte {}: {e}",
                reader.error_position()
            ))
        })?;
        match event {
            Event::Start(e) => p.start(local(e.name().as_ref())),
            Event::Empty(e) => {
                p.start(local(e.name().as_ref()));
                p.end();
            }
            Event::End(_) => p.end(),
            Event::Text(t) => p.text(&t.xml10_content()),
            Event::CData(t) => p.text(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let mut s = String::new();
                push_entity(&mut s, &r);
                p.text(&s);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !p.root_seen {
        return Err(ExtractError::Corrupt("not XML: no root element".into()));
    }
    p.flush();
    if p.pieces.is_empty() {
        return Err(ExtractError::Empty);
    }
    let first_heading = p
        .pieces
        .iter()
        .find(|x| x.kind == BlockKind::Heading)
        .map(|x| x.text.clone());
    let title = [p.title, first_heading]
        .into_iter()
        .flatten()
        .find_map(|t| title::plausible(&t));
    Ok(blocks::assemble(p.pieces, title))
}

/// The text of the file: in the encoding its byte order mark or XML
/// declaration names, else UTF-8; bytes that do not decode are replaced.
fn decode(bytes: &[u8]) -> String {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        return encoding
            .decode_without_bom_handling(&bytes[bom..])
            .0
            .into_owned();
    }
    let head = &bytes[..bytes.len().min(200)];
    let declared = head
        .starts_with(b"<?xml")
        .then(|| {
            let decl = &head[..head.iter().position(|&b| b == b'>').unwrap_or(head.len())];
            let at = decl.windows(9).position(|w| w == b"encoding=")? + 9;
            let quote = *decl.get(at)?;
            let rest = &decl[at + 1..];
            let end = rest.iter().position(|&b| b == quote)?;
            Encoding::for_label(&rest[..end])
        })
        .flatten()
        .unwrap_or(UTF_8);
    declared.decode_without_bom_handling(bytes).0.into_owned()
}

/// A MedQuAD question-and-answer file: root `<Document>` with `<QAPairs>`.
fn is_medquad(text: &str) -> bool {
    let root = text
        .match_indices('<')
        .map(|(i, _)| &text[i + 1..])
        .find(|tag| !tag.starts_with(['?', '!']));
    root.is_some_and(|tag| tag.starts_with("Document")) && text.contains("<QAPairs")
}

/// What the block being read is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Paragraph,
    Heading,
    /// A MedQuAD answer: a paragraph per line.
    Answer,
    /// The MedQuAD topic: the title, not a block.
    Focus,
}

struct Parser {
    medquad: bool,
    root_seen: bool,
    /// Open elements.
    depth: usize,
    /// Names of the open elements, up to [`MAX_NAMES`] deep.
    names: Vec<String>,
    /// The text of the block being read, and the depth of the element
    /// that holds its first words.
    buf: String,
    owner: usize,
    role: Role,
    pieces: Vec<Plain>,
    title: Option<String>,
    /// A MedQuAD question not yet followed by its answer: it heads the
    /// answer, and one with an empty answer (MedQuAD removed some for
    /// copyright) is dropped, since a question alone answers nothing.
    question: Option<String>,
}

impl Parser {
    fn start(&mut self, name: &str) {
        self.root_seen = true;
        if !self.medquad && self.buf.trim_end_matches([' ', '\t']).ends_with('\n') {
            self.flush();
        }
        self.depth += 1;
        if self.names.len() < MAX_NAMES {
            self.names.push(name.to_string());
        }
    }

    fn end(&mut self) {
        if self.depth <= self.owner && !self.buf.trim().is_empty() {
            self.flush();
        }
        if self.names.len() == self.depth {
            self.names.pop();
        }
        self.depth = self.depth.saturating_sub(1);
    }

    fn text(&mut self, text: &str) {
        let name = self
            .names
            .get(self.depth.wrapping_sub(1))
            .map_or("", String::as_str);
        if self.medquad && !matches!(name, "Focus" | "Question" | "Answer") {
            return;
        }
        if self.buf.trim().is_empty() {
            if text.trim().is_empty() {
                return;
            }
            self.buf.clear();
            self.owner = self.depth;
            self.role = match name {
                "Answer" if self.medquad => Role::Answer,
                "Focus" if self.medquad => Role::Focus,
                n if self.medquad || is_heading(n) => Role::Heading,
                _ => Role::Paragraph,
            };
        }
        self.buf.push_str(text);
    }

    /// Ends the block being read: a heading is one line; other text is a
    /// paragraph per line of an answer, or per blank-line-separated part.
    fn flush(&mut self) {
        let text = std::mem::take(&mut self.buf);
        match self.role {
            Role::Focus => {
                if self.title.is_none() {
                    self.title = Some(collapse_whitespace(&text));
                }
            }
            Role::Heading if self.medquad => self.question = Some(text),
            Role::Heading => self.push(BlockKind::Heading, &text),
            Role::Answer => {
                for line in text
                    .lines()
                    .filter(|l| l.chars().any(char::is_alphanumeric))
                {
                    if let Some(question) = self.question.take() {
                        self.push(BlockKind::Heading, &question);
                    }
                    self.push(BlockKind::Paragraph, line);
                }
            }
            Role::Paragraph => {
                for part in paragraphs(&text) {
                    self.push(BlockKind::Paragraph, part);
                }
            }
        }
        self.role = Role::Paragraph;
    }

    fn push(&mut self, kind: BlockKind, text: &str) {
        let text = collapse_whitespace(text);
        if text.chars().any(char::is_alphanumeric) {
            self.pieces.push(Plain { kind, text });
        }
    }
}

/// Parts of `text` between blank lines.
fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || loop {
        if rest.is_empty() {
            return None;
        }
        let end = blank_line(rest).unwrap_or(rest.len());
        let part = &rest[..end];
        rest = rest[end..].trim_start();
        if !part.trim().is_empty() {
            return Some(part);
        }
    })
}

/// Where the first blank line in `text` starts.
fn blank_line(text: &str) -> Option<usize> {
    let mut line_start = 0;
    for (i, c) in text.char_indices() {
        if c == '\n' {
            let line = &text[line_start..i];
            if line_start > 0 && line.trim().is_empty() {
                return Some(line_start);
            }
            line_start = i + 1;
        }
    }
    None
}

/// Element names that mark a title or heading.
fn is_heading(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "title" | "heading" | "head" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "subtitle"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::testing::{self, assert_quick, check_ranges};
    use std::time::Instant;

    fn blocks(xml: &str) -> Vec<(BlockKind, String)> {
        let e = extract(xml.as_bytes()).expect("extracts");
        testing::blocks(&e)
            .into_iter()
            .map(|(kind, text)| (kind, text.to_string()))
            .collect()
    }

    const MEDQUAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document id="0000001" source="NIDDK" url="http://example.org/acromegaly">
<Focus>Acromegaly</Focus>
<FocusAnnotations>
	<UMLS><CUIs><CUI>C0001206</CUI></CUIs></UMLS>
	<Synonyms><Synonym>Somatotroph adenoma</Synonym></Synonyms>
</FocusAnnotations>
<QAPairs>
	<QAPair pid="1">
			<Question qid="0000001-1" qtype="information">What is (are) Acromegaly ?</Question>
			<Answer>Acromegaly is a hormonal disorder that results from too much growth hormone (GH).
                
Acromegaly is most often diagnosed in middle-aged adults, with &quot;sneaky&quot; onset.</Answer>
	</QAPair>
	<QAPair pid="2">
			<Question qid="0000001-2" qtype="symptoms">What are the symptoms of Acromegaly ?</Question>
			<Answer></Answer>
	</QAPair>
</QAPairs>
</Document>"#;

    #[test]
    fn medquad_questions_head_their_answers_and_unanswered_ones_are_dropped() {
        assert_eq!(
            blocks(MEDQUAD),
            vec![
                (BlockKind::Heading, "What is (are) Acromegaly ?".into()),
                (
                    BlockKind::Paragraph,
                    "Acromegaly is a hormonal disorder that results from too much growth hormone (GH).".into()
                ),
                (
                    BlockKind::Paragraph,
                    "Acromegaly is most often diagnosed in middle-aged adults, with \"sneaky\" onset.".into()
                ),
            ]
        );
        let e = extract(MEDQUAD.as_bytes()).unwrap();
        assert_eq!(e.title.as_deref(), Some("Acromegaly"));
    }

    #[test]
    fn generic_xml_text_as_paragraphs() {
        let xml = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<report>\n  <title>Caf\u{e9} review</title>\n  <section>Intro words\n    <para>Some <b>bold</b> text &amp; more.</para>\n    <para>First part.\n\n    Second part.</para><empty/>\n  </section>\n  <![CDATA[Raw <data>]]>\n</report>";
        // Latin-1, as declared.
        let bytes: Vec<u8> = xml.chars().map(|c| c as u8).collect();
        let e = extract(&bytes).unwrap();
        check_ranges(&e);
        let got: Vec<(BlockKind, &str)> = e
            .blocks
            .iter()
            .map(|b| (b.kind, &e.text[b.range.clone()]))
            .collect();
        assert_eq!(
            got,
            vec![
                (BlockKind::Heading, "Café review"),
                (BlockKind::Paragraph, "Intro words"),
                (BlockKind::Paragraph, "Some bold text & more."),
                (BlockKind::Paragraph, "First part."),
                (BlockKind::Paragraph, "Second part."),
                (BlockKind::Paragraph, "Raw <data>"),
            ]
        );
        assert_eq!(e.title.as_deref(), Some("Café review"));
    }

    #[test]
    fn damaged_and_hostile_input() {
        assert!(matches!(
            extract(b"just text"),
            Err(ExtractError::Corrupt(_))
        ));
        assert!(
            matches!(extract(b"<a><b></a>"), Err(ExtractError::Corrupt(m)) if m.contains("malformed"))
        );
        assert!(matches!(extract(b"<a> </a>"), Err(ExtractError::Empty)));
        let lol = "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]><x>&b; text</x>";
        assert_eq!(
            blocks(lol),
            vec![(BlockKind::Paragraph, "text".to_string())]
        );
        let n = 100_000;
        let deep = format!("{}deep text{}", "<a>".repeat(n), "</a>".repeat(n));
        let start = Instant::now();
        assert_eq!(
            blocks(&deep),
            vec![(BlockKind::Paragraph, "deep text".to_string())]
        );
        assert_quick(start);
        let utf16: Vec<u8> = "\u{feff}<a>wide text</a>"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(extract(&utf16).unwrap().text, "wide text");
    }
}
