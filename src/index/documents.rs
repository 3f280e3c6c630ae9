//! The stored-document format: the one place that writes and reads the
//! documents of the index.
//!
//! Three kinds of documents share one schema ([`super::schema`]), told apart
//! by their `kind` field: a *passage* (what queries find), a *file record*
//! (what the next run compares with the disk) and an acronym *definition*
//! (what the glossary mines from the passages). Every document of a file
//! carries the file's key, so deleting one term removes them all.

use std::ops::Range;
use std::path::PathBuf;

use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use super::schema::{Fields, KIND_DEFINITION, KIND_FILE, KIND_PASSAGE};
use super::PolicyIndex;
use crate::analysis::glossary::{Definition, Origin};
use crate::error::Result;
use crate::extract::date::{DateSource, Day, PubDate};
use crate::extract::Offsets;
use crate::paths;

/// Stable 64-bit key of a file (its canonical path's bytes): the delete key
/// of the file's documents.
pub fn file_key(path: &[u8]) -> u64 {
    let hash = blake3::hash(path);
    u64::from_le_bytes(hash.as_bytes()[..8].try_into().expect("8 bytes"))
}

/// Stable 64-bit key of a document: its file and its id within the file.
pub fn document_key(path: &[u8], doc_id: &str) -> u64 {
    let mut h = blake3::Hasher::new();
    h.update(path);
    h.update(&[0]);
    h.update(doc_id.as_bytes());
    // Never 0, which marks documents that are not passages.
    u64::from_le_bytes(h.finalize().as_bytes()[..8].try_into().expect("8 bytes")).max(1)
}

/// What every document of one file carries.
#[derive(Debug, Clone, Copy)]
pub struct FileIdentity<'a> {
    /// Canonical absolute path as bytes: the file's identity.
    pub key: &'a [u8],
    /// Collection name.
    pub collection: &'a str,
    /// Absolute path as walked (lossy if not UTF-8).
    pub source: &'a str,
}

/// A file as recorded in the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRecord {
    /// Canonical absolute path: the file's identity.
    pub path: PathBuf,
    /// Absolute path as walked, lossy if not UTF-8.
    pub source: String,
    /// Collection name.
    pub collection: String,
    /// Size in bytes when indexed.
    pub size: u64,
    /// Modification time when indexed (ns since the epoch).
    pub mtime: u64,
    /// Content hash when indexed.
    pub hash: String,
    /// Passages indexed.
    pub passages: u64,
    /// Format name.
    pub format: String,
    /// Document title.
    pub title: String,
    /// What the file's offsets refer to.
    pub offsets: Offsets,
    /// Why the last attempt to index it failed; it has no passages then,
    /// and the next run tries again.
    pub error: Option<String>,
    /// The document's date, if it has one.
    pub date: Option<PubDate>,
    /// Pages that are scans with no text layer, not read.
    pub unread_pages: Vec<u32>,
}

impl FileRecord {
    /// The record's key: its canonical path as bytes.
    pub fn key(&self) -> Vec<u8> {
        paths::to_bytes(&self.path)
    }
}

/// A file record to write.
#[derive(Debug, Clone, Copy)]
pub struct NewRecord<'a> {
    /// The file.
    pub file: FileIdentity<'a>,
    /// Size in bytes.
    pub size: u64,
    /// Modification time (ns since the epoch).
    pub mtime: u64,
    /// Content hash (empty when the file failed).
    pub hash: &'a str,
    /// Passages indexed.
    pub passages: u64,
    /// Format name.
    pub format: &'a str,
    /// Document title.
    pub title: &'a str,
    /// What the file's offsets refer to.
    pub offsets: Offsets,
    /// Why the file could not be indexed.
    pub error: Option<&'a str>,
    /// The document's date.
    pub date: Option<PubDate>,
    /// Pages that are scans with no text layer, not read.
    pub unread_pages: &'a [u32],
}

/// The stored document of a file record.
pub fn file_record(f: &Fields, r: &NewRecord<'_>) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_u64(f.kind, KIND_FILE);
    doc.add_u64(f.file_key, file_key(r.file.key));
    doc.add_bytes(f.path, r.file.key);
    doc.add_text(f.collection, r.file.collection);
    doc.add_text(f.source, r.file.source);
    doc.add_text(f.doc_id, r.file.source);
    doc.add_text(f.title, r.title);
    doc.add_u64(f.offsets, offsets_code(r.offsets));
    doc.add_u64(f.size, r.size);
    doc.add_u64(f.mtime, r.mtime);
    doc.add_text(f.hash, r.hash);
    doc.add_text(f.format, r.format);
    doc.add_u64(f.passages, r.passages);
    // Every document has the ranking fast fields, so their columns are
    // dense (faster to read); 0 means "not a passage".
    doc.add_u64(f.doc_key, 0);
    doc.add_u64(f.doc_len, 0);
    if let Some(reason) = r.error {
        doc.add_text(f.error, reason);
    }
    add_date(f, &mut doc, r.date);
    for &page in r.unread_pages {
        doc.add_u64(f.unread_page, u64::from(page));
    }
    doc
}

/// The date fields of a passage or file record; every document has the
/// fast fields (0 when undated), so their columns are dense.
fn add_date(f: &Fields, doc: &mut TantivyDocument, date: Option<PubDate>) {
    match date {
        Some(d) => {
            doc.add_text(f.date, d.day.iso());
            doc.add_text(f.date_source, d.source.name());
            doc.add_u64(f.date_start, d.day.first_key());
            doc.add_u64(f.date_end, d.day.last_key());
        }
        None => {
            doc.add_u64(f.date_start, 0);
            doc.add_u64(f.date_end, 0);
        }
    }
}

/// The date a stored document carries.
fn read_date(f: &Fields, doc: &TantivyDocument) -> Option<PubDate> {
    Some(PubDate {
        day: Day::from_iso(&text(doc, f.date))?,
        source: DateSource::from_name(&text(doc, f.date_source))?,
    })
}

/// Reads a file record.
pub fn read_record(f: &Fields, doc: &TantivyDocument) -> FileRecord {
    let error = text(doc, f.error);
    FileRecord {
        path: paths::from_bytes(
            doc.get_first(f.path)
                .and_then(|v| v.as_bytes())
                .unwrap_or_default(),
        ),
        source: text(doc, f.source),
        collection: text(doc, f.collection),
        size: num(doc, f.size).unwrap_or(0),
        mtime: num(doc, f.mtime).unwrap_or(0),
        hash: text(doc, f.hash),
        passages: num(doc, f.passages).unwrap_or(0),
        format: text(doc, f.format),
        title: text(doc, f.title),
        offsets: offsets_from_code(num(doc, f.offsets)),
        error: (!error.is_empty()).then_some(error),
        date: read_date(f, doc),
        unread_pages: doc
            .get_all(f.unread_page)
            .filter_map(|v| v.as_u64())
            .filter_map(|p| u32::try_from(p).ok())
            .collect(),
    }
}

/// Reads every file record of the index's last commit, by source.
pub fn records(index: &PolicyIndex) -> Result<Vec<FileRecord>> {
    let f = &index.fields;
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let query = TermQuery::new(
        Term::from_field_u64(f.kind, KIND_FILE),
        IndexRecordOption::Basic,
    );
    let addrs = searcher.search(&query, &DocSetCollector)?;
    let stored = super::StoredDocs::new(&searcher)?;
    let mut out = Vec::with_capacity(addrs.len());
    for addr in addrs {
        out.push(read_record(f, &stored.get(addr)?));
    }
    out.sort_by(|a, b| a.source.cmp(&b.source));
    Ok(out)
}

/// A passage to write.
#[derive(Debug, Clone)]
pub struct NewPassage<'a> {
    /// Id of the document within the file (the file's source, or a
    /// record's id in a JSONL file).
    pub doc_id: &'a str,
    /// Document title.
    pub title: &'a str,
    /// Nearest heading above the passage.
    pub heading: Option<&'a str>,
    /// The text to index (the quote without markup).
    pub body: &'a str,
    /// The passage exactly as written.
    pub quote: &'a str,
    /// Position of the passage in its document.
    pub ordinal: u64,
    /// Byte range of the quote (see `offsets`).
    pub bytes: Range<u64>,
    /// 1-based first and last line, where they are lines of the file.
    pub lines: Option<(u64, u64)>,
    /// 1-based page, for paged formats.
    pub page: Option<u64>,
    /// The page's printed label, where it is not its number.
    pub page_label: Option<&'a str>,
    /// What the byte offsets refer to.
    pub offsets: Offsets,
    /// The document's key ([`document_key`]).
    pub doc_key: u64,
    /// The document's length in words (for document-level ranking).
    pub doc_len: u64,
    /// How much the passage reads like prose, 0-100.
    pub quality: u8,
    /// The document's date.
    pub date: Option<PubDate>,
}

/// The stored document of a passage.
pub fn passage(f: &Fields, file: FileIdentity<'_>, p: &NewPassage<'_>) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_u64(f.kind, KIND_PASSAGE);
    doc.add_u64(f.file_key, file_key(file.key));
    doc.add_text(f.collection, file.collection);
    doc.add_text(f.source, file.source);
    doc.add_text(f.doc_id, p.doc_id);
    doc.add_text(f.title, p.title);
    if let Some(h) = p.heading {
        doc.add_text(f.heading, h);
    }
    doc.add_text(f.body, p.body);
    let context = match p.heading {
        Some(h) => format!("{}\n{}", p.title, h),
        None => p.title.to_string(),
    };
    doc.add_text(f.context, context);
    doc.add_text(f.quote, p.quote);
    doc.add_u64(f.ordinal, p.ordinal);
    doc.add_u64(f.byte_start, p.bytes.start);
    doc.add_u64(f.byte_end, p.bytes.end);
    if let Some((start, end)) = p.lines {
        doc.add_u64(f.line_start, start);
        doc.add_u64(f.line_end, end);
    }
    if let Some(page) = p.page {
        doc.add_u64(f.page, page);
    }
    if let Some(label) = p.page_label {
        doc.add_text(f.page_label, label);
    }
    doc.add_u64(f.offsets, offsets_code(p.offsets));
    doc.add_u64(f.doc_key, p.doc_key);
    doc.add_u64(f.doc_len, p.doc_len);
    doc.add_u64(f.quality, u64::from(p.quality));
    add_date(f, &mut doc, p.date);
    doc
}

/// Where a passage is, in one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    /// The document's id.
    pub doc_id: String,
    /// `doc_id#ordinal`.
    pub passage_id: String,
    /// Path of the source file, as shown: relative to the working
    /// directory when below it.
    pub source: String,
    /// Absolute path of the source file (lossy if not UTF-8).
    pub path: String,
    /// Document title.
    pub title: String,
    /// Nearest heading above the passage.
    pub heading: Option<String>,
    /// 1-based first line, where the passage's lines are lines of its
    /// file (text, Markdown, JSON Lines; not PDF, DOCX or HTML).
    pub line_start: Option<u64>,
    /// 1-based last line, likewise.
    pub line_end: Option<u64>,
    /// Byte offset of the quote's first byte.
    pub byte_start: u64,
    /// Byte offset one past the quote.
    pub byte_end: u64,
    /// 1-based page, for paged formats.
    pub page: Option<u64>,
    /// The printed label of the page, where it is not its number (roman
    /// front matter, an offset).
    pub page_label: Option<String>,
    /// What the offsets refer to: `"file"` or `"extracted"`.
    pub offsets: &'static str,
    /// The document's date, if known.
    pub date: Option<PubDate>,
}

/// Reads a passage: where it is, and its quote.
pub fn read_passage(f: &Fields, doc: &TantivyDocument) -> (Location, String) {
    // A file's document id is its path: shown like one.
    let doc_id = paths::shown(&text(doc, f.doc_id));
    let ordinal = num(doc, f.ordinal).unwrap_or(0);
    let heading = text(doc, f.heading);
    let path = text(doc, f.source);
    let location = Location {
        passage_id: format!("{doc_id}#{ordinal}"),
        doc_id,
        source: paths::shown(&path),
        path,
        title: text(doc, f.title),
        heading: (!heading.is_empty()).then_some(heading),
        line_start: num(doc, f.line_start),
        line_end: num(doc, f.line_end),
        byte_start: num(doc, f.byte_start).unwrap_or(0),
        byte_end: num(doc, f.byte_end).unwrap_or(0),
        page: num(doc, f.page),
        page_label: Some(text(doc, f.page_label)).filter(|l| !l.is_empty()),
        offsets: match offsets_from_code(num(doc, f.offsets)) {
            Offsets::Extracted => "extracted",
            Offsets::File => "file",
        },
        date: read_date(f, doc),
    };
    (location, text(doc, f.quote))
}

/// The texts of a passage that document-level feedback reads: its quote,
/// and its document's title when `with_title`.
pub fn feedback_texts<'d>(
    f: &Fields,
    doc: &'d TantivyDocument,
    with_title: bool,
) -> impl Iterator<Item = &'d str> {
    let title = with_title.then(|| doc.get_first(f.title)).flatten();
    doc.get_all(f.quote).chain(title).filter_map(|v| v.as_str())
}

/// An acronym definition to write: found in one file at one line.
#[derive(Debug, Clone, Copy)]
pub struct NewDefinition<'a> {
    /// The acronym's index term ([`crate::analysis::glossary::acronym_key`]).
    pub acronym_key: &'a str,
    /// The expansion's index term.
    pub expansion_key: &'a str,
    /// The acronym as written.
    pub acronym: &'a str,
    /// The expansion, whitespace collapsed.
    pub expansion: &'a str,
    /// 1-based line of the definition.
    pub line: u64,
}

/// The stored document of an acronym definition.
pub fn definition(f: &Fields, file: FileIdentity<'_>, d: &NewDefinition<'_>) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_u64(f.kind, KIND_DEFINITION);
    doc.add_u64(f.file_key, file_key(file.key));
    doc.add_text(f.source, file.source);
    doc.add_text(f.acronym, d.acronym_key);
    doc.add_text(f.expansion_key, d.expansion_key);
    doc.add_text(f.definition, format!("{}\t{}", d.acronym, d.expansion));
    doc.add_u64(f.line_start, d.line);
    doc.add_u64(f.doc_key, 0);
    doc.add_u64(f.doc_len, 0);
    add_date(f, &mut doc, None);
    doc
}

/// Reads an acronym definition; `None` if the document is not one.
pub fn read_definition(f: &Fields, doc: &TantivyDocument) -> Option<Definition> {
    let text = doc.get_first(f.definition)?.as_str()?;
    let (acronym, expansion) = text.split_once('\t')?;
    Some(Definition {
        acronym: acronym.to_string(),
        expansion: expansion.to_string(),
        origin: Origin::Document {
            source: doc.get_first(f.source)?.as_str()?.to_string(),
            line: num(doc, f.line_start).unwrap_or(0),
        },
    })
}

fn offsets_code(o: Offsets) -> u64 {
    match o {
        Offsets::File => 0,
        Offsets::Extracted => 1,
    }
}

fn offsets_from_code(code: Option<u64>) -> Offsets {
    if code == Some(1) {
        Offsets::Extracted
    } else {
        Offsets::File
    }
}

fn text(doc: &TantivyDocument, field: Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn num(doc: &TantivyDocument, field: Field) -> Option<u64> {
    doc.get_first(field).and_then(|v| v.as_u64())
}
