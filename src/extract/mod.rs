//! Extraction: from a file's bytes to text with block structure.
//!
//! Each format module turns a file into an [`Extracted`]: the text that quotes
//! are cut from, and the blocks (paragraphs, headings, list items, table rows)
//! found in it. Passage splitting (`crate::passage`) works on blocks only, so
//! it is the same for every format.
//!
//! Formats whose blocks come from markup (HTML, DOCX, PPTX, ODT, RTF, EPUB,
//! XML) join them into the text, and hold table rows back until they are
//! known to be data or layout, in one place: `blocks`. The zip-based ones
//! (DOCX, PPTX, ODT, EPUB) read their parts through `archive`, which bounds
//! every decompression.

mod archive;
mod blocks;
pub(crate) use blocks::collapse_whitespace;
pub mod date;
pub(crate) mod decode;
pub(crate) mod docx;
pub(crate) mod epub;
pub(crate) mod html;
pub(crate) mod jsonl;
pub(crate) mod markdown;
pub mod ocr;
pub(crate) mod odt;
pub mod pdf;
pub(crate) mod pptx;
pub(crate) mod rtf;
pub(crate) mod stream;
pub(crate) mod text;
pub(crate) mod title;
pub(crate) mod xml;
mod xml_text;

#[cfg(test)]
mod property_tests;
#[cfg(test)]
mod testing;

use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The file formats policy-search reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text (`.txt`).
    Text,
    /// Markdown (`.md`, `.markdown`).
    Markdown,
    /// PDF, with pages.
    Pdf,
    /// A web page (`.html`, `.htm`).
    Html,
    /// A Word document (`.docx`).
    Docx,
    /// JSON Lines, one document per line (`.jsonl`, `.ndjson`).
    Jsonl,
    /// A PowerPoint presentation (`.pptx`), with slides as pages.
    Pptx,
    /// An OpenDocument text (`.odt`).
    Odt,
    /// Rich Text Format (`.rtf`).
    Rtf,
    /// An e-book (`.epub`).
    Epub,
    /// XML (`.xml`), including MedQuAD question-and-answer files.
    Xml,
}

impl Format {
    /// Every format, for listing and lookup by name.
    pub const ALL: &'static [Format] = &[
        Format::Text,
        Format::Markdown,
        Format::Pdf,
        Format::Html,
        Format::Docx,
        Format::Jsonl,
        Format::Pptx,
        Format::Odt,
        Format::Rtf,
        Format::Epub,
        Format::Xml,
    ];

    /// The format of a path, from its extension; `None` for files we do not read.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" | "text" => Some(Format::Text),
            "md" | "markdown" => Some(Format::Markdown),
            "pdf" => Some(Format::Pdf),
            "html" | "htm" | "xhtml" => Some(Format::Html),
            "docx" => Some(Format::Docx),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "pptx" => Some(Format::Pptx),
            "odt" => Some(Format::Odt),
            "rtf" => Some(Format::Rtf),
            "epub" => Some(Format::Epub),
            "xml" => Some(Format::Xml),
            _ => None,
        }
    }

    /// Whether extraction runs in a child process when isolation is on:
    /// formats whose parsers are complex enough to crash or hang on a
    /// malicious or damaged file.
    pub fn isolated(self) -> bool {
        match self {
            // One linear pass over the bytes, no archive.
            Format::Text
            | Format::Markdown
            | Format::Html
            | Format::Jsonl
            | Format::Rtf
            | Format::Xml => false,
            Format::Pdf | Format::Docx | Format::Pptx | Format::Odt | Format::Epub => true,
        }
    }

    /// The format of a name as given by [`Format::name`].
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// Lowercase name, as shown in `status` and stored in the index.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Pdf => "pdf",
            Format::Html => "html",
            Format::Docx => "docx",
            Format::Jsonl => "jsonl",
            Format::Pptx => "pptx",
            Format::Odt => "odt",
            Format::Rtf => "rtf",
            Format::Epub => "epub",
            Format::Xml => "xml",
        }
    }

    /// How a citation names one of its pages: `"slide"` for a presentation,
    /// else `"p."`.
    pub fn page_name(self) -> &'static str {
        match self {
            Format::Pptx => "slide",
            _ => "p.",
        }
    }
}

/// What a passage's byte and line offsets refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Offsets {
    /// The source file's own bytes: `file[byte_start..byte_end]` is the quote.
    File,
    /// Text extracted from the file (PDF, HTML, DOCX and the other
    /// laid-out formats, transcoded text).
    Extracted,
}

impl Offsets {
    /// The name used in JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Offsets::File => "file",
            Offsets::Extracted => "extracted",
        }
    }
}

/// How the indexed words of a slice differ from its verbatim text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Markup {
    /// The slice is indexed as it is.
    None,
    /// Markdown syntax is stripped before indexing; quotes keep it.
    Markdown,
}

impl Markup {
    /// The words to index for a verbatim slice.
    pub fn index_text<'a>(self, slice: &'a str) -> std::borrow::Cow<'a, str> {
        match self {
            Markup::None => std::borrow::Cow::Borrowed(slice),
            Markup::Markdown => std::borrow::Cow::Owned(markdown::strip(slice)),
        }
    }
}

/// The structural role of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BlockKind {
    /// Running text; may still turn out to be a heading by its shape.
    Paragraph,
    /// An explicit heading (Markdown `#`, HTML `<h2>`, DOCX heading style).
    Heading,
    /// One item of a bulleted or numbered list.
    ListItem,
    /// One row of a table.
    TableRow,
}

/// A structural unit of extracted text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    /// Its role.
    pub kind: BlockKind,
    /// Byte range in [`Extracted::text`], trimmed of surrounding whitespace.
    pub range: Range<usize>,
    /// 1-based page, for paged formats.
    pub page: Option<u32>,
}

/// A file's text and structure, ready for passage splitting.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Extracted {
    /// The text quotes are cut from.
    pub text: String,
    /// What offsets into `text` mean.
    pub offsets: Offsets,
    /// How to derive indexed words from a slice of `text`.
    pub markup: Markup,
    /// Blocks in document order.
    pub blocks: Vec<Block>,
    /// A title given by the document itself (Markdown `# `, `<title>`), if any.
    pub title: Option<String>,
    /// Offset of `text[0]` in the whole document: non-zero for the later
    /// chunks of a file read in a stream.
    pub byte_base: u64,
    /// Number of lines before `text[0]` in the whole document.
    pub line_base: u32,
    /// Whether lines of `text` are lines of the file a reader can go to
    /// (text, Markdown, JSON Lines); not so for text laid out from a PDF,
    /// DOCX or HTML file.
    pub cites_lines: bool,
    /// The page labels a paged document prints (`iv`, `12`, `A-3`), one per
    /// page, when they differ from the physical page numbers; else empty.
    pub page_labels: Vec<String>,
    /// When the document was published, as far as it says (see [`date`]).
    pub date: Option<date::PubDate>,
    /// Pages (1-based) that are scans with no text layer, left unread.
    #[serde(default)]
    pub unread_pages: Vec<u32>,
    /// Scanned pages whose text OCR read.
    #[serde(default)]
    pub ocr_pages: Vec<u32>,
}

impl Extracted {
    /// An extraction of a whole document (not a chunk of one).
    pub fn new(
        text: String,
        offsets: Offsets,
        markup: Markup,
        blocks: Vec<Block>,
        title: Option<String>,
    ) -> Self {
        Extracted {
            text,
            offsets,
            markup,
            blocks,
            title,
            byte_base: 0,
            line_base: 0,
            cites_lines: true,
            page_labels: Vec::new(),
            date: None,
            unread_pages: Vec::new(),
            ocr_pages: Vec::new(),
        }
    }

    /// The printed label of 1-based `page`, if it is not its number.
    pub fn page_label(&self, page: u32) -> Option<&str> {
        let label = self.page_labels.get(page.checked_sub(1)? as usize)?;
        (!label.is_empty() && *label != page.to_string()).then_some(label.as_str())
    }
}

/// Why a file could not be extracted. Each is reported as one warning line
/// naming the file; the run goes on.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The file could not be read.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    /// The bytes are not text in an encoding we can read.
    #[error("not valid UTF-8 text")]
    Encoding,
    /// The file has a text extension but binary content.
    #[error("binary content, not text")]
    Binary,
    /// The file holds no text to index.
    #[error("no text to index")]
    Empty,
    /// The file is damaged or not in the format its extension claims.
    #[error("{0}")]
    Corrupt(String),
    /// The file is encrypted or password-protected.
    #[error("encrypted, cannot read its text")]
    Encrypted,
    /// The file exceeds a safety limit (size, nesting, decompression ratio).
    #[error("{0}")]
    Limit(String),
    /// Every page is a scan with no text layer (the message says how many,
    /// and whether OCR was tried).
    #[error("{0}")]
    Scanned(String),
}

impl ExtractError {
    /// A document whose `pages` pages are all scans with no text layer.
    pub fn scanned(pages: usize, ocr_tried: bool) -> ExtractError {
        let pages = match pages {
            1 => "1 page".to_string(),
            n => format!("{n} pages"),
        };
        ExtractError::Scanned(if ocr_tried {
            format!("scanned: {pages} with no text layer, and OCR read no text from them")
        } else {
            format!("scanned: {pages} with no text layer (index --ocr reads them with tesseract)")
        })
    }
}

/// How to extract: what the defaults leave out.
#[derive(Debug, Clone, Default)]
pub struct ExtractOptions {
    /// Read scanned PDF pages with this OCR engine.
    pub ocr: Option<ocr::Ocr>,
}

/// Extracts a file of known format from its bytes.
pub fn extract(format: Format, bytes: Vec<u8>) -> Result<Extracted, ExtractError> {
    extract_with(format, bytes, &ExtractOptions::default())
}

/// [`extract`] with options.
pub fn extract_with(
    format: Format,
    bytes: Vec<u8>,
    opts: &ExtractOptions,
) -> Result<Extracted, ExtractError> {
    let extracted = match format {
        Format::Text => {
            let (text, offsets) = decode::decode_text(bytes)?;
            text::extract(text, offsets)
        }
        Format::Markdown => {
            let (text, offsets) = decode::decode_text(bytes)?;
            markdown::extract(text, offsets)
        }
        Format::Pdf => pdf::extract(bytes, opts.ocr.as_ref())?,
        Format::Html => html::extract(&bytes)?,
        Format::Docx => docx::extract(&bytes)?,
        Format::Pptx => pptx::extract(&bytes)?,
        Format::Odt => odt::extract(&bytes)?,
        Format::Rtf => rtf::extract(&bytes)?,
        Format::Epub => epub::extract(&bytes)?,
        Format::Xml => xml::extract(&bytes)?,
        // Many documents per file: indexed record by record, see `jsonl`.
        Format::Jsonl => {
            return Err(ExtractError::Corrupt(
                "JSON Lines files hold many documents; read them with extract::jsonl".to_string(),
            ))
        }
    };
    if extracted.blocks.is_empty() {
        return Err(ExtractError::Empty);
    }
    let mut extracted = extracted;
    extracted.date = date::settle(extracted.date, extracted.title.as_deref(), &extracted.text);
    Ok(extracted)
}

/// Reads and extracts the file at `path`.
pub fn extract_file(
    format: Format,
    path: &Path,
    opts: &ExtractOptions,
) -> Result<Extracted, ExtractError> {
    extract_with(format, std::fs::read(path)?, opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_round_trip_by_name_and_extension() {
        for &f in Format::ALL {
            assert_eq!(Format::from_name(f.name()), Some(f));
        }
        assert_eq!(Format::from_path(Path::new("a/B.PDF")), Some(Format::Pdf));
        assert_eq!(
            Format::from_path(Path::new("notes.md")),
            Some(Format::Markdown)
        );
        assert_eq!(Format::from_path(Path::new("x.exe")), None);
        assert_eq!(Format::from_path(Path::new("page.htm")), Some(Format::Html));
        assert_eq!(
            Format::from_path(Path::new("board.docx")),
            Some(Format::Docx)
        );
        for (name, format) in [
            ("deck.PPTX", Format::Pptx),
            ("minutes.odt", Format::Odt),
            ("letter.rtf", Format::Rtf),
            ("book.epub", Format::Epub),
            ("0000001.xml", Format::Xml),
        ] {
            assert_eq!(Format::from_path(Path::new(name)), Some(format));
        }
        assert_eq!(Format::Pptx.page_name(), "slide");
        assert_eq!(Format::Pdf.page_name(), "p.");
    }
}
