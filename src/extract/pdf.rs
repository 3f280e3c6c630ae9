//! PDF: text page by page, cleaned into paragraphs that carry their page.
//!
//! Text comes from `pdf_oxide`'s positioned spans, assembled into lines and
//! words here (measured against poppler's `pdftotext` on 23 real policy PDFs:
//! word F1 ≥ 0.99 on every file; see `docs/pdf.md`). Then, per document:
//! running headers and footers (lines repeated at the top or bottom of many
//! pages) and bare page numbers are dropped, words hyphenated at line ends
//! are rejoined, and each paragraph's lines are joined into one line. The
//! extracted text is those paragraphs, one per line-pair, so quotes read as
//! paragraphs and offsets refer to it ([`Offsets::Extracted`]).

use std::collections::{HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};

use pdf_oxide::extractors::page_labels::{PageLabelExtractor, PageLabelRange, PageLabelStyle};
use pdf_oxide::extractors::xmp::XmpExtractor;
use pdf_oxide::layout::TextSpan;
use pdf_oxide::PdfDocument;

use super::ocr::Ocr;
use super::{text, title, Block, ExtractError, Extracted, Markup, Offsets};

/// A horizontal gap wider than this fraction of the font size between two
/// spans on one line is a word break. Word F1 was flat between 0.1 and 0.2
/// on the evaluation PDFs; 0.3 starts merging words.
const WORD_GAP_EM: f32 = 0.15;
/// Two spans whose baselines differ by less than this fraction of the font
/// size are on the same line (tolerates sub/superscripts and rounding).
const SAME_LINE_EM: f32 = 0.5;
/// Spans tilted more than this (degrees) are not laid out along the x axis.
const ROTATION_TOLERANCE_DEG: f32 = 1.0;
/// Lines looked at for running headers and footers, at each end of a page.
const EDGE_LINES: usize = 3;

/// Is the `i`th of a page's `n` non-blank lines among its first or last
/// [`EDGE_LINES`], where running headers, footers and page numbers go?
fn is_edge_line(i: usize, n: usize) -> bool {
    i < EDGE_LINES || i + EDGE_LINES >= n
}
/// Fewest pages a line found away from the edges must repeat on to be
/// taken for a running header.
const MIN_PAGES_ANYWHERE: usize = 5;

/// Extracts a PDF. Its title is the metadata's when that names the
/// document (not "Microsoft Word - x.docx" or the file's name, and in the
/// words of its first page), else the first title line at the top of its
/// text, with the lines set in the same large type right after it.
///
/// Pages with no text layer but a page-sized image are scans: `ocr` reads
/// them when given; otherwise they are listed as unread.
pub fn extract(bytes: Vec<u8>, ocr: Option<&Ocr>) -> Result<Extracted, ExtractError> {
    let pages = extract_pages_with(bytes, ocr)?;
    if pages.texts.iter().all(|t| t.trim().is_empty()) && !pages.unread.is_empty() {
        return Err(ExtractError::scanned(pages.unread.len(), ocr.is_some()));
    }
    let mut extracted = assemble(&pages.texts);
    extracted.unread_pages = pages.unread;
    extracted.ocr_pages = pages.ocr_read;
    let first_page = pages.texts.iter().find(|p| !p.trim().is_empty());
    extracted.title = pages
        .title
        .as_deref()
        .and_then(title::plausible)
        .filter(|t| first_page.is_some_and(|page| title::is_borne_out_by(t, page)))
        .or_else(|| {
            title::first_title_line(
                extracted
                    .blocks
                    .iter()
                    .map(|b| &extracted.text[b.range.clone()]),
            )
            .map(|line| extended(line, &pages.large_type))
        });
    extracted.page_labels = pages.labels;
    extracted.date = pages.created.map(|day| super::date::PubDate {
        day,
        source: super::date::DateSource::Created,
    });
    Ok(extracted)
}

/// A PDF's pages.
pub struct Pages {
    /// The text of every page, in page order.
    pub texts: Vec<String>,
    /// The label each page prints, if the document defines labels that
    /// differ from the page numbers (roman front matter, an offset), or
    /// else prints numbers at an offset (see [`printed_numbers`]); else
    /// empty. An empty label is none.
    pub labels: Vec<String>,
    /// The document information's `/Title`, if any.
    pub title: Option<String>,
    /// The runs of text the first page with text sets in larger type than
    /// most of the text (see [`runs_by_size`]).
    pub large_type: Vec<String>,
    /// The document information's `/CreationDate`, else its XMP
    /// `xmp:CreateDate`, if readable.
    pub created: Option<super::date::Day>,
    /// Pages (1-based) with no text layer but an image the size of a scan,
    /// left unread.
    pub unread: Vec<u32>,
    /// Such pages whose text OCR read.
    pub ocr_read: Vec<u32>,
}

/// The text of every page, in page order; an unreadable page is empty, so
/// page numbers stay aligned and one damaged page does not lose the rest.
/// And the pages' labels and the document's title: unreadable ones are
/// none, not an error.
pub fn extract_pages(bytes: Vec<u8>) -> Result<Pages, ExtractError> {
    extract_pages_with(bytes, None)
}

/// [`extract_pages`], reading scanned pages with `ocr` when given.
pub fn extract_pages_with(bytes: Vec<u8>, ocr: Option<&Ocr>) -> Result<Pages, ExtractError> {
    if !bytes.starts_with(b"%PDF")
        && !bytes[..bytes.len().min(1024)]
            .windows(5)
            .any(|w| w == b"%PDF-")
    {
        return Err(ExtractError::Corrupt("not a PDF file".to_string()));
    }
    let (pages, (labels, (title, large_type), created, scans)) = guarded(|| {
        let doc = PdfDocument::from_bytes(bytes).map_err(|e| open_error(&e.to_string()))?;
        if doc.is_encrypted() && !doc.is_authenticated() {
            return Err(ExtractError::Encrypted);
        }
        let count = doc
            .page_count()
            .map_err(|e| ExtractError::Corrupt(format!("cannot read the page tree: {e}")))?;
        let mut texts = (0..count)
            .map(|i| guarded(|| page_text(&doc, i)))
            .collect::<Vec<_>>();
        let mut scans = Scans::default();
        for (i, text) in texts.iter_mut().enumerate() {
            let blank = text
                .as_ref()
                .is_ok_and(|t| !t.chars().any(char::is_alphanumeric));
            if blank {
                if let Some(read) = scans.look(&doc, i, ocr) {
                    *text = Ok(read);
                }
            }
        }
        let title = guarded(|| Ok(info_string(&doc, "Title"))).ok().flatten();
        // The first pages with text: a cover, its blank back, and an inner
        // title page may come before any page set mostly in the body's type.
        let with_text: Vec<usize> = (0..texts.len())
            .filter(|&i| {
                texts[i]
                    .as_ref()
                    .is_ok_and(|t| t.chars().any(char::is_alphanumeric))
            })
            .take(BODY_PAGES)
            .collect();
        let large_type = guarded(|| {
            let spans = with_text
                .iter()
                .map(|&i| doc.extract_spans(i).unwrap_or_default());
            Ok(runs_by_size(spans.collect()))
        })
        .unwrap_or_default();
        // The document information's creation date, else its XMP packet's.
        let created = guarded(|| Ok(info_string(&doc, "CreationDate")))
            .ok()
            .flatten()
            .and_then(|d| super::date::parse_metadata(&d))
            .or_else(|| {
                guarded(|| Ok(XmpExtractor::extract(&doc).ok().flatten()))
                    .ok()
                    .flatten()
                    .and_then(|x| x.xmp_create_date)
                    .and_then(|d| super::date::parse_metadata(&d))
            });
        let titles = (title, large_type);
        Ok((texts, (page_labels(&doc, count), titles, created, scans)))
    })?;
    if pages.is_empty() {
        return Err(ExtractError::Empty);
    }
    if pages.iter().all(Result::is_err) {
        let first = pages.into_iter().find_map(Result::err);
        return Err(first.unwrap_or(ExtractError::Empty));
    }
    let texts: Vec<String> = pages.into_iter().map(Result::unwrap_or_default).collect();
    let labels = if labels.is_empty() {
        printed_numbers(&texts)
    } else {
        labels
    };
    Ok(Pages {
        texts,
        labels,
        title,
        large_type,
        created,
        unread: scans.unread,
        ocr_read: scans.read,
    })
}

/// Smallest image, in pixels each way, that may be the scan of a page:
/// smaller ones are logos, rules and icons.
const MIN_SCAN_PIXELS: u32 = 300;

/// The scanned pages found so far: pages with no text layer whose content
/// is an image the size of a page.
#[derive(Default)]
struct Scans {
    unread: Vec<u32>,
    read: Vec<u32>,
}

impl Scans {
    /// Looks at page `index`, which has no text: if it is a scan, reads it
    /// with `ocr` (its text) or records it as unread (`None`).
    fn look(&mut self, doc: &PdfDocument, index: usize, ocr: Option<&Ocr>) -> Option<String> {
        let page = index as u32 + 1;
        // Finding the image reads only its dictionary; it is decoded (and
        // encoded as PNG for tesseract) only when OCR will read it.
        let png = guarded(|| {
            Ok(doc
                .page_image_handles(index)
                .ok()
                .and_then(|handles| {
                    handles
                        .into_iter()
                        .filter(|h| h.width >= MIN_SCAN_PIXELS && h.height >= MIN_SCAN_PIXELS)
                        .max_by_key(|h| u64::from(h.width) * u64::from(h.height))
                })
                .map(|h| {
                    ocr.is_some()
                        .then(|| h.decode().and_then(|image| image.to_png_bytes()).ok())
                        .flatten()
                }))
        })
        .ok()
        .flatten()?;
        let text = ocr.zip(png).and_then(|(ocr, png)| ocr.read_png(&png).ok());
        match text.filter(|t| t.chars().any(char::is_alphanumeric)) {
            Some(text) => {
                self.read.push(page);
                Some(normalize(&text))
            }
            None => {
                self.unread.push(page);
                None
            }
        }
    }
}

/// A label is as long as a printed page number gets; a longer prefix is
/// damage, and would otherwise be copied into every passage of its range.
const MAX_LABEL: usize = 32;
/// Highest page number a label may reach in digits, and in roman
/// numerals or letters.
const MAX_NUMBER: usize = 1_000_000;
const MAX_LETTERED: usize = 5_000;

/// The labels of `count` pages, from the document's `/PageLabels`, if any
/// differs from its page number.
fn page_labels(doc: &PdfDocument, count: usize) -> Vec<String> {
    let read = guarded(|| {
        PageLabelExtractor::extract(doc).map_err(|e| ExtractError::Corrupt(e.to_string()))
    });
    let ranges = match read {
        Ok(ranges) if !ranges.is_empty() => ranges,
        _ => return Vec::new(),
    };
    // Roman numerals and letters grow with the number (page 100,000 in
    // letters is thousands of them): numbers no printed book reaches are
    // damage too.
    let damaged = |r: &PageLabelRange| {
        let last = r.start_value as usize + count;
        let most = match r.style {
            PageLabelStyle::Decimal | PageLabelStyle::None => MAX_NUMBER,
            _ => MAX_LETTERED,
        };
        r.prefix.as_ref().is_some_and(|p| p.len() > MAX_LABEL) || last > most
    };
    if ranges.iter().any(damaged) {
        return Vec::new();
    }
    let Ok(labels) = guarded(|| Ok(PageLabelExtractor::get_all_labels(&ranges, count))) else {
        return Vec::new();
    };
    let differs = labels
        .iter()
        .enumerate()
        .any(|(i, label)| *label != (i + 1).to_string());
    if differs {
        labels
            .into_iter()
            .map(|l| l.chars().take(MAX_LABEL).collect())
            .collect()
    } else {
        Vec::new()
    }
}

/// Fewest pages that must print their number at the same offset from
/// their place in the file, and the least share of all pages they must be,
/// for those numbers to label the pages.
const MIN_NUMBERED_PAGES: usize = 3;
const MIN_NUMBERED_SHARE: usize = 3;

/// The numbers the pages print, as labels, for a PDF that defines none
/// (`/PageLabels`) but numbers its pages from other than its first: a
/// report whose cover and contents come before its page 1, so that the
/// page a reader finds by the printed number is three on from the file's.
/// A number is a line of only digits among the first or last lines of a
/// page; when enough pages print one at the same offset, every page from
/// the first to the last of them is labelled at that offset, and pages
/// before and after are not. Empty when the numbers are the pages' own,
/// too few, or disagree.
fn printed_numbers(texts: &[String]) -> Vec<String> {
    let printed: Vec<Option<i64>> = texts
        .iter()
        .map(|text| {
            let lines: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            let n = lines.len();
            lines
                .iter()
                .enumerate()
                .filter(|&(i, _)| is_edge_line(i, n))
                .find_map(|(_, l)| {
                    (l.len() <= 7 && l.bytes().all(|b| b.is_ascii_digit()))
                        .then(|| l.parse::<i64>().ok())
                        .flatten()
                        .filter(|&x| x >= 1 && x as usize <= MAX_NUMBER)
                })
        })
        .collect();
    let mut offsets: HashMap<i64, usize> = HashMap::new();
    for (i, number) in printed.iter().enumerate() {
        if let Some(number) = number {
            *offsets.entry(number - (i as i64 + 1)).or_default() += 1;
        }
    }
    let Some((offset, count)) = offsets
        .into_iter()
        .max_by_key(|&(offset, count)| (count, std::cmp::Reverse(offset.abs())))
    else {
        return Vec::new();
    };
    if offset == 0 || count < MIN_NUMBERED_PAGES || count * MIN_NUMBERED_SHARE < texts.len() {
        return Vec::new();
    }
    let at_offset = |i: usize| printed[i] == Some(i as i64 + 1 + offset);
    let (Some(first), Some(last)) = (
        (0..texts.len()).find(|&i| at_offset(i)),
        (0..texts.len()).rfind(|&i| at_offset(i)),
    ) else {
        return Vec::new();
    };
    (0..texts.len())
        .map(|i| {
            let number = i as i64 + 1 + offset;
            if (first..=last).contains(&i) && number >= 1 {
                number.to_string()
            } else {
                String::new()
            }
        })
        .collect()
}

/// An entry (`/Title`, `/CreationDate`) of the trailer's document
/// information dictionary, as text.
fn info_string(doc: &PdfDocument, key: &str) -> Option<String> {
    let info = doc.trailer().as_dict()?.get("Info")?;
    let info = doc.resolve_references(info, 1).ok()?;
    let value = info.as_dict()?.get(key)?;
    let value = doc.resolve_references(value, 1).ok()?;
    Some(text_string(value.as_string()?))
}

/// A PDF text string: UTF-16 after a byte-order mark, else UTF-8 when it
/// is valid, else PDFDocEncoding read as Latin-1 (they agree on letters).
fn text_string(bytes: &[u8]) -> String {
    let utf16 = |rest: &[u8], big_endian: bool| {
        let units = rest.chunks_exact(2).map(|c| {
            let pair = [c[0], c[1]];
            if big_endian {
                u16::from_be_bytes(pair)
            } else {
                u16::from_le_bytes(pair)
            }
        });
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect()
    };
    match bytes {
        [0xFE, 0xFF, rest @ ..] => utf16(rest, true),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, false),
        _ => match std::str::from_utf8(bytes) {
            Ok(s) => s.trim_start_matches('\u{feff}').to_string(),
            Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
        },
    }
}

fn open_error(message: &str) -> ExtractError {
    let lower = message.to_lowercase();
    if lower.contains("encrypt") || lower.contains("password") {
        ExtractError::Encrypted
    } else {
        ExtractError::Corrupt(format!("damaged PDF: {message}"))
    }
}

/// A title set in larger type stands out from the type most of the text
/// is set in by at least this factor.
const TITLE_SIZE_RATIO: f32 = 1.3;
/// Type within this fraction of a size is set in that size.
const SAME_SIZE: f32 = 0.05;
/// Runs of one size looked at from the top of a page, for a title.
const TITLE_RUNS: usize = 12;
/// Pages with text whose type is counted to tell the body's size.
const BODY_PAGES: usize = 5;

/// The runs of text the first pages with text (`spans` of each) set in
/// larger type than most of their text, first page first, in the order
/// they were painted; each run's lines joined with spaces. A cover's title
/// often runs over several lines ("UK Government / Response to the
/// Covid-19 / Inquiry Module 1 Report") that the text alone cannot tell
/// from a title line followed by a subtitle or a heading; the type can.
fn runs_by_size(pages: Vec<Vec<TextSpan>>) -> Vec<String> {
    let mut pages: Vec<Vec<TextSpan>> = pages
        .into_iter()
        .map(|mut spans| {
            // A size may be negative (mirrored type) or, in a damaged
            // file, not a number: sizes are compared as magnitudes, and a
            // span without one is left out.
            spans.retain(|s| s.font_size.is_finite() && s.text.chars().any(char::is_alphanumeric));
            for s in &mut spans {
                s.font_size = s.font_size.abs();
            }
            spans.sort_by_key(|span| span.sequence);
            spans
        })
        .collect();
    // The size most characters are set in, to the nearest half point.
    let mut chars_by_size: HashMap<u32, usize> = HashMap::new();
    for s in pages.iter().flatten() {
        *chars_by_size
            .entry((s.font_size * 2.0).round() as u32)
            .or_default() += s.text.len();
    }
    let Some(body) = chars_by_size
        .into_iter()
        .max_by_key(|&(size, n)| (n, std::cmp::Reverse(size)))
        .map(|(size, _)| size as f32 / 2.0)
    else {
        return Vec::new();
    };
    let Some(first) = pages.first_mut() else {
        return Vec::new();
    };
    let spans = std::mem::take(first);
    let mut runs = Vec::new();
    let mut rest = spans.as_slice();
    while let Some(head) = rest.first() {
        let size = head.font_size;
        // The head is in its own size whatever the arithmetic says: each
        // turn moves on.
        let len = 1 + rest[1..]
            .iter()
            .take_while(|s| (s.font_size - size).abs() <= size * SAME_SIZE)
            .count();
        if size >= body * TITLE_SIZE_RATIO {
            runs.push(normalize(&join_spans(&rest[..len])).replace('\n', " "));
        }
        rest = &rest[len..];
        if runs.len() == TITLE_RUNS {
            break;
        }
    }
    runs
}

/// `line`, the title line the text gives, with the lines set in the same
/// large type right after it (see [`runs_by_size`]), when those read as a
/// title with it.
fn extended(line: String, runs: &[String]) -> String {
    runs.iter()
        .filter_map(|run| title::first_title_line([run.as_str()]))
        .find(|run| {
            run.len() > line.len() && run.starts_with(&line) && run[line.len()..].starts_with(' ')
        })
        .unwrap_or(line)
}

fn page_text(doc: &PdfDocument, index: usize) -> Result<String, ExtractError> {
    let mut spans = doc
        .extract_spans(index)
        .map_err(|e| ExtractError::Corrupt(format!("page {}: {e}", index + 1)))?;
    // Spans come sorted row by row across the page, which interleaves
    // side-by-side columns; `sequence` is the order the content stream
    // painted them, which follows the columns in generated documents.
    spans.sort_by_key(|span| span.sequence);
    Ok(normalize(&join_spans(&spans)))
}

/// Joins spans: a newline where a new line starts, a space at a visible gap,
/// nothing where a word continues across a font change.
fn join_spans(spans: &[TextSpan]) -> String {
    let mut out = String::new();
    let mut prev: Option<&TextSpan> = None;
    for span in spans.iter().filter(|s| !s.text.is_empty()) {
        if let Some(prev) = prev {
            out.push_str(separator(prev, span));
        }
        out.push_str(&span.text);
        prev = Some(span);
    }
    out
}

fn separator(prev: &TextSpan, next: &TextSpan) -> &'static str {
    // Rotated text does not advance along x; a line break never glues words.
    let rotated = |s: &TextSpan| s.rotation_degrees.abs() > ROTATION_TOLERANCE_DEG;
    if rotated(prev) || rotated(next) {
        return "\n";
    }
    let em = prev.font_size.max(next.font_size).max(1.0);
    let same_line = (prev.bbox.y - next.bbox.y).abs() < SAME_LINE_EM * em;
    let gap = next.bbox.x - (prev.bbox.x + prev.bbox.width);
    // Back to the left on the same baseline: another block (a table cell).
    if !same_line || gap < -SAME_LINE_EM * em {
        return "\n";
    }
    let has_space =
        prev.text.ends_with(char::is_whitespace) || next.text.starts_with(char::is_whitespace);
    if !has_space && gap > WORD_GAP_EM * em {
        " "
    } else {
        ""
    }
}

/// Expands typographic ligatures (so "ﬁrst" is "first") and drops soft hyphens.
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{FB00}' => out.push_str("ff"),
            '\u{FB01}' => out.push_str("fi"),
            '\u{FB02}' => out.push_str("fl"),
            '\u{FB03}' => out.push_str("ffi"),
            '\u{FB04}' => out.push_str("ffl"),
            '\u{FB05}' | '\u{FB06}' => out.push_str("st"),
            '\u{00AD}' => {}
            _ => out.push(c),
        }
    }
    out
}

/// Runs `f`, turning a panic in the PDF library into an error.
fn guarded<T>(f: impl FnOnce() -> Result<T, ExtractError>) -> Result<T, ExtractError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".to_string());
        Err(ExtractError::Corrupt(format!(
            "PDF library failed: {message}"
        )))
    })
}

/// A line's shape for spotting running headers: digits masked, spaces collapsed.
fn line_shape(line: &str) -> String {
    line.split_whitespace()
        .map(|w| {
            w.chars()
                .map(|c| if c.is_ascii_digit() { '#' } else { c })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Lines that repeat on many pages: running headers and footers ("NHS
/// England » Planning guidance", "Page 3 of 40"). At a page's top or bottom,
/// a short line repeated on a third of the pages is one. Anywhere else on
/// the page a line must repeat on more pages still: a header or a side tab
/// that the layout places among the body's lines (a WHO guideline's
/// 20-word running title comes out between two lines of a paragraph), but
/// not a line of the document's own text.
fn running_lines(pages: &[Vec<&str>]) -> HashSet<String> {
    let mut at_edge: HashMap<String, usize> = HashMap::new();
    let mut anywhere: HashMap<String, usize> = HashMap::new();
    for lines in pages {
        let nonblank: Vec<&&str> = lines.iter().filter(|l| !l.trim().is_empty()).collect();
        let mut edge: HashSet<String> = HashSet::new();
        let mut all: HashSet<String> = HashSet::new();
        let n = nonblank.len();
        for (i, line) in nonblank.iter().enumerate() {
            let shape = line_shape(line);
            if is_edge_line(i, n) {
                edge.insert(shape.clone());
            }
            all.insert(shape);
        }
        for shape in edge {
            *at_edge.entry(shape).or_default() += 1;
        }
        for shape in all {
            *anywhere.entry(shape).or_default() += 1;
        }
    }
    let min = (pages.len() / 3).max(3);
    let min_anywhere = (pages.len() * 2 / 5).max(MIN_PAGES_ANYWHERE);
    // Headers and footers are short; a long line repeated at the edges of a
    // third of the pages is the document's own text (a recurring
    // sentence), kept.
    let edge = at_edge
        .into_iter()
        .filter(|(shape, count)| *count >= min && !shape.is_empty() && words(shape) <= 15)
        .map(|(shape, _)| shape);
    // Mid-page, a line of one word is a table's cell or a label as often
    // as a header.
    let mid = anywhere
        .into_iter()
        .filter(|(shape, count)| *count >= min_anywhere && words(shape) >= 2)
        .map(|(shape, _)| shape);
    edge.chain(mid).collect()
}

fn words(shape: &str) -> usize {
    shape.split(' ').filter(|w| !w.is_empty()).count()
}

/// Builds the document: cleaned paragraphs, one per line, blank lines between.
pub fn assemble(pages: &[String]) -> Extracted {
    let page_lines: Vec<Vec<&str>> = pages.iter().map(|p| p.lines().collect()).collect();
    let running = if pages.len() >= 3 {
        running_lines(&page_lines)
    } else {
        HashSet::new()
    };
    // Vocabulary for deciding how to rejoin a word split at a line end.
    let vocabulary: HashSet<String> = pages
        .iter()
        .flat_map(|p| p.split(|c: char| !c.is_alphanumeric() && c != '-'))
        .filter(|w| w.len() > 2)
        .map(str::to_lowercase)
        .collect();

    let mut text = String::new();
    let mut blocks = Vec::new();
    for (i, lines) in page_lines.iter().enumerate() {
        let page = Some(i as u32 + 1);
        let mut kept = String::new();
        for line in lines {
            // A running line is gone, not a break: one laid out inside a
            // paragraph must not split it.
            if line.trim().is_empty() || !running.contains(&line_shape(line)) {
                kept.push_str(line);
                kept.push('\n');
            }
        }
        for block in text::blocks(&kept, 0..kept.len(), page) {
            let paragraph = join_lines(&kept[block.range.clone()], &vocabulary);
            if paragraph.is_empty() {
                continue;
            }
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            let start = text.len();
            text.push_str(&paragraph);
            blocks.push(Block {
                kind: block.kind,
                range: start..text.len(),
                page,
            });
        }
    }
    Extracted {
        // Lines of laid-out text are nowhere in the file.
        cites_lines: false,
        ..Extracted::new(text, Offsets::Extracted, Markup::None, blocks, None)
    }
}

/// One paragraph's lines as one line: a word hyphenated at a line end is
/// rejoined ("infec-" + "tion" → "infection", but "evidence-" + "based" →
/// "evidence-based" when the document writes it so elsewhere).
fn join_lines(block: &str, vocabulary: &HashSet<String>) -> String {
    let mut out = String::with_capacity(block.len());
    for line in block.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if out.is_empty() {
            out.push_str(line);
            continue;
        }
        let ends_hyphen =
            out.ends_with('-') && out[..out.len() - 1].ends_with(|c: char| c.is_alphabetic());
        let next_lower = line.starts_with(|c: char| c.is_lowercase());
        if ends_hyphen && next_lower {
            let head_start = out[..out.len() - 1]
                .char_indices()
                .rev()
                .find(|&(_, c)| !c.is_alphanumeric())
                .map_or(0, |(i, c)| i + c.len_utf8());
            let head = out[head_start..out.len() - 1].to_lowercase();
            let tail: String = line
                .chars()
                .take_while(|c| c.is_alphanumeric())
                .collect::<String>()
                .to_lowercase();
            let joined = format!("{head}{tail}");
            let hyphenated = format!("{head}-{tail}");
            if vocabulary.contains(&hyphenated) && !vocabulary.contains(&joined) {
                out.push_str(line);
            } else {
                out.pop();
                out.push_str(line);
            }
        } else {
            out.push(' ');
            out.push_str(line);
        }
    }
    out.split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pages of body text, the `n`th printing `numbers[n]` after it (or
    /// nothing), a line of text after that when `mid` (so the number is
    /// off the page's edge).
    fn pages(numbers: &[Option<u32>], mid: bool) -> Vec<String> {
        numbers
            .iter()
            .map(|n| {
                let mut page = "Top line\nA paragraph of the report.\nAnother line.\n".repeat(2);
                if let Some(n) = n {
                    page.push_str(&format!("{n}\n"));
                }
                if mid {
                    page.push_str("More text.\nAnd more.\nAnd the end.\n");
                }
                page
            })
            .collect()
    }

    #[test]
    fn pages_are_labelled_by_the_numbers_they_print_at_one_offset() {
        let printed = [None, None, Some(1), Some(2), None, Some(4), Some(5), None];
        assert_eq!(
            printed_numbers(&pages(&printed, false)),
            ["", "", "1", "2", "3", "4", "5", ""]
        );
        // Numbers off the edges are a table's or a list's, not the page's.
        assert!(printed_numbers(&pages(&printed, true)).is_empty());
        // The pages' own numbers; too few; or no offset most pages share.
        let own = [Some(1), Some(2), Some(3), Some(4)];
        let few = [None, None, Some(1), Some(2), None, None, None, None];
        let mixed = [Some(7), Some(1), Some(12), Some(2), Some(40), Some(9)];
        for numbers in [&own[..], &few, &mixed] {
            assert!(
                printed_numbers(&pages(numbers, false)).is_empty(),
                "{numbers:?}"
            );
        }
    }

    /// A span of `text` in `size`, painted `sequence`th, on line `line`.
    fn span(text: &str, size: f32, sequence: usize, line: f32) -> TextSpan {
        TextSpan {
            text: text.to_string(),
            font_size: size,
            sequence,
            bbox: pdf_oxide::geometry::Rect::new(72.0, 700.0 - 40.0 * line, 200.0, size),
            ..TextSpan::default()
        }
    }

    #[test]
    fn runs_of_large_type_end_whatever_the_sizes() {
        let body: Vec<TextSpan> = (0..20)
            .map(|i| {
                span(
                    "Body text of the report goes on.",
                    11.0,
                    100 + i,
                    5.0 + i as f32,
                )
            })
            .collect();
        for sizes in [[36.0, 36.0], [-36.0, -36.0], [f32::NAN, 36.0], [0.0, 36.0]] {
            let mut first = vec![
                span("Annual", sizes[0], 0, 0.0),
                span("Report", sizes[1], 1, 1.0),
            ];
            first.extend(body.iter().cloned());
            let runs = runs_by_size(vec![first]);
            assert!(runs.len() <= 1, "{sizes:?}: {runs:?}");
        }
        let mut first = vec![span("Annual", 36.0, 0, 0.0), span("Report", 36.0, 1, 1.0)];
        first.extend(body);
        assert_eq!(runs_by_size(vec![first]), ["Annual Report"]);
    }

    #[test]
    fn not_a_pdf_is_refused() {
        assert!(matches!(
            extract(b"hello".to_vec(), None),
            Err(ExtractError::Corrupt(_))
        ));
        assert!(extract(Vec::new(), None).is_err());
        assert!(extract(b"%PDF-1.7\n%%EOF".to_vec(), None).is_err());
    }

    #[test]
    fn ligatures_and_soft_hyphens() {
        assert_eq!(
            normalize("\u{FB01}rst e\u{FB00}ect in\u{00AD}fection"),
            "first effect infection"
        );
    }

    #[test]
    fn hyphens_at_line_ends_are_rejoined() {
        let vocab: HashSet<String> = ["evidence-based".to_string()].into_iter().collect();
        assert_eq!(
            join_lines("control of infec-\ntion in wards", &vocab),
            "control of infection in wards"
        );
        assert_eq!(
            join_lines("an evidence-\nbased approach", &vocab),
            "an evidence-based approach"
        );
        assert_eq!(
            join_lines("the ‘elimi-\nnation’ goal", &vocab),
            "the ‘elimination’ goal"
        );
    }

    #[test]
    fn running_headers_footers_and_page_numbers_are_dropped() {
        let pages: Vec<String> = (1..=5)
            .map(|n| {
                let topic = ["finance", "workforce", "estates", "digital", "quality"][n - 1];
                format!(
                    "Planning guidance 2025/26\nThe {topic} paragraph starts here and it goes on for a while\nabout {topic} duties of integrated care boards.\n{n}\nNHS England | Page {n} of 5\n"
                )
            })
            .collect();
        let e = assemble(&pages);
        assert!(!e.text.contains("Planning guidance"), "{}", e.text);
        assert!(!e.text.contains("Page 3 of 5"));
        assert_eq!(e.blocks.len(), 5);
        assert_eq!(e.blocks[2].page, Some(3));
        assert_eq!(
            &e.text[e.blocks[2].range.clone()],
            "The estates paragraph starts here and it goes on for a while about estates duties of integrated care boards."
        );
    }

    #[test]
    fn a_long_running_title_laid_out_inside_a_paragraph_is_dropped() {
        let title = "Guidelines on Core Components of Infection Prevention and Control Programmes at the National and Acute Health Care Facility Level";
        let topics = [
            "finance",
            "workforce",
            "estates",
            "digital",
            "quality",
            "safety",
        ];
        let pages: Vec<String> = topics
            .iter()
            .enumerate()
            .map(|(n, topic)| {
                format!(
                    "{}\nThe {topic} chapter says there should be one preventionist\n{title}\nper hundred beds on every {topic} ward.\n",
                    n + 1
                )
            })
            .collect();
        let e = assemble(&pages);
        assert!(!e.text.contains("Guidelines on Core"), "{}", e.text);
        assert!(
            e.text.contains(
                "The digital chapter says there should be one preventionist per hundred beds on every digital ward."
            ),
            "{}",
            e.text
        );
    }
}
