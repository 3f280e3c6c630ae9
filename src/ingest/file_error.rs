//! Why a file, or part of one, was not indexed: the reason after the file's
//! name in its warning line, and in its record for `status`.

use std::time::Duration;

use crate::extract::ExtractError;
use crate::limits;

/// Why a file, or part of one, was not indexed. The run goes on without it.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file could not be opened or read.
    #[error("cannot read: {0}")]
    Read(#[source] std::io::Error),
    /// Its text could not be extracted.
    #[error(transparent)]
    Extract(#[from] ExtractError),
    /// The file is larger than `--max-file-size`.
    #[error("{}", limits::too_large_reason(*.size, *.limit))]
    TooLarge {
        /// Its size in bytes.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Its time (`--file-timeout`) ran out.
    #[error("{}", limits::out_of_time_reason(*.0))]
    OutOfTime(Duration),
    /// Code handling it panicked.
    #[error("{stage}: {message}")]
    Panicked {
        /// What was failing, as "passage splitting failed".
        stage: &'static str,
        /// The panic's message.
        message: String,
    },
    /// A JSON Lines file without one record.
    #[error("not JSON Lines records with \"_id\" and \"text\"")]
    NoRecords,
    /// Lines of a JSON Lines file that are not records (the others were indexed).
    #[error(
        "{count} line{} not a JSON record with \"_id\" and \"text\" (first: line {first}); skipped",
        if *.count == 1 { " is" } else { "s are" }
    )]
    BadLines {
        /// How many.
        count: u64,
        /// The first of them.
        first: u32,
    },
    /// Pages that are scans with no text layer, not read (the rest was).
    #[error(
        "{} with no text layer not read (page{} {}){}",
        if .pages.len() == 1 { "1 scanned page".to_string() } else { format!("{} scanned pages", .pages.len()) },
        if .pages.len() == 1 { "" } else { "s" },
        crate::extract::ocr::page_ranges(.pages),
        if *.ocr { "; OCR found no text on them" } else { "; index --ocr reads them with tesseract" }
    )]
    UnreadPages {
        /// The pages, 1-based.
        pages: Vec<u32>,
        /// Whether OCR was tried.
        ocr: bool,
    },
}
