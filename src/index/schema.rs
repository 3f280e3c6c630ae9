//! The index schema: one tantivy document per passage, plus one record per file.
//!
//! Passages are what queries match and return; they carry their verbatim
//! quote and location, so a hit needs one stored-document fetch. File records
//! (`kind` = [`KIND_FILE`]) hold what incremental indexing and `status` need
//! (path, size, mtime, content hash) and are committed in the same commit as
//! the file's passages, so the two cannot drift apart. Acronym definitions
//! found in a file (`kind` = [`KIND_DEFINITION`]) live and die with it too.

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST,
    INDEXED, STORED, STRING,
};

use crate::analysis::ANALYZER_NAME;

/// Bumped whenever the schema or the analysis changes incompatibly.
pub const FORMAT_VERSION: u32 = 10;

/// `kind` of a passage document.
pub const KIND_PASSAGE: u64 = 0;
/// `kind` of a file record.
pub const KIND_FILE: u64 = 1;
/// `kind` of an acronym definition found in a document.
pub const KIND_DEFINITION: u64 = 2;

/// Handles to every field of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Passage or file record.
    pub kind: Field,
    /// Stable hash of the file's canonical path bytes: the delete key of a
    /// file's documents.
    pub file_key: Field,
    /// File record: the canonical absolute path, as bytes (lossless).
    pub path: Field,
    /// Collection (indexed root) name.
    pub collection: Field,
    /// Absolute path as walked (the canonical root joined with the path
    /// below it), lossy if not UTF-8: shown, and matched by `--source`.
    pub source: Field,
    /// Document id (the source path, or a record id for multi-document
    /// files); a fast field, so documents can be ranked from their passages.
    pub doc_id: Field,
    /// Document title, stored and searchable (for document ranking).
    pub title: Field,
    /// Nearest heading above a passage.
    pub heading: Field,
    /// Searchable passage text.
    pub body: Field,
    /// Searchable title and heading of a passage.
    pub context: Field,
    /// Verbatim passage text.
    pub quote: Field,
    /// Passage number within its document.
    pub ordinal: Field,
    /// Byte offset of the quote's first byte.
    pub byte_start: Field,
    /// Byte offset one past the quote.
    pub byte_end: Field,
    /// 1-based first line.
    pub line_start: Field,
    /// 1-based last line.
    pub line_end: Field,
    /// 1-based page, for paged formats.
    pub page: Field,
    /// The page's printed label, where it is not its number.
    pub page_label: Field,
    /// What offsets refer to: 0 the file, 1 extracted text.
    pub offsets: Field,
    /// File record: size in bytes.
    pub size: Field,
    /// File record: modification time, nanoseconds since the epoch.
    pub mtime: Field,
    /// File record: content hash (hex).
    pub hash: Field,
    /// File record: format name.
    pub format: Field,
    /// File record: number of passages.
    pub passages: Field,
    /// File record: why the file could not be indexed (absent if it was).
    pub error: Field,
    /// File record: each page (1-based) that is a scan with no text layer
    /// and was not read; `index --ocr` reads it again.
    pub unread_page: Field,
    /// Passage: key of its document (hash of source and doc id), for ranking documents.
    pub doc_key: Field,
    /// Passage: its document's length in words.
    pub doc_len: Field,
    /// Passage: how much it reads like prose, 0-100 (`passage::quality`).
    pub quality: Field,
    /// Definition: the acronym's index term (`icb`).
    pub acronym: Field,
    /// Definition: the expansion's index terms, space-separated.
    pub expansion_key: Field,
    /// Definition: `ACRONYM<TAB>expansion` as written.
    pub definition: Field,
    /// Passage and file record: the document's date, ISO 8601 as precise
    /// as known (`2024`, `2024-05`, `2024-05-12`).
    pub date: Field,
    /// Where the date came from (`metadata`, `text`, `created`).
    pub date_source: Field,
    /// First day the date may be, `yyyymmdd`; 0 when undated.
    pub date_start: Field,
    /// Last day the date may be, `yyyymmdd`; 0 when undated.
    pub date_end: Field,
}

/// Builds the schema and its field handles.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text_indexing = TextFieldIndexing::default()
        .set_tokenizer(ANALYZER_NAME)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let searchable = TextOptions::default().set_indexing_options(text_indexing);
    let stored_u64 = NumericOptions::default().set_stored();
    let fields = Fields {
        kind: b.add_u64_field("kind", INDEXED | FAST),
        file_key: b.add_u64_field("file_key", INDEXED | STORED | FAST),
        path: b.add_bytes_field("path", STORED),
        collection: b.add_text_field("collection", STRING | STORED),
        source: b.add_text_field("source", STRING | STORED),
        doc_id: b.add_text_field(
            "doc_id",
            TextOptions::default().set_stored().set_fast("raw"),
        ),
        title: b.add_text_field(
            "title",
            TextOptions::default().set_stored().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(ANALYZER_NAME)
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
        heading: b.add_text_field("heading", STORED),
        body: b.add_text_field("body", searchable.clone()),
        context: b.add_text_field("context", searchable),
        quote: b.add_text_field("quote", STORED),
        ordinal: b.add_u64_field("ordinal", stored_u64.clone()),
        byte_start: b.add_u64_field("byte_start", stored_u64.clone()),
        byte_end: b.add_u64_field("byte_end", stored_u64.clone()),
        line_start: b.add_u64_field("line_start", stored_u64.clone()),
        line_end: b.add_u64_field("line_end", stored_u64.clone()),
        page: b.add_u64_field("page", stored_u64.clone()),
        page_label: b.add_text_field("page_label", STORED),
        offsets: b.add_u64_field("offsets", stored_u64.clone()),
        size: b.add_u64_field("size", stored_u64.clone()),
        mtime: b.add_u64_field("mtime", stored_u64.clone()),
        hash: b.add_text_field("hash", STORED),
        format: b.add_text_field("format", STORED),
        passages: b.add_u64_field("passages", stored_u64),
        error: b.add_text_field("error", STORED),
        unread_page: b.add_u64_field("unread_page", STORED),
        doc_key: b.add_u64_field("doc_key", INDEXED | FAST),
        doc_len: b.add_u64_field("doc_len", FAST),
        quality: b.add_u64_field("quality", FAST),
        acronym: b.add_text_field("acronym", STRING),
        expansion_key: b.add_text_field("expansion_key", STRING),
        definition: b.add_text_field("definition", STORED),
        date: b.add_text_field("date", STORED),
        date_source: b.add_text_field("date_source", STORED),
        date_start: b.add_u64_field("date_start", FAST),
        date_end: b.add_u64_field("date_end", FAST),
    };
    (b.build(), fields)
}

/// Resolves the field handles of an opened index's schema; `None` if the
/// schema is not exactly ours (written by another version or program).
pub fn resolve(schema: &Schema) -> Option<Fields> {
    let (expected, fields) = build();
    (schema == &expected).then_some(fields)
}
