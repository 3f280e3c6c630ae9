//! What workers send the writer: each file's passage and definition
//! documents in bounded batches, then its record (path, size, mtime, hash),
//! which completes it.

use std::collections::HashSet;
use std::sync::mpsc;

use tantivy::TantivyDocument;

use crate::analysis::glossary;
use crate::analysis::Analyzer;
use crate::extract::date::PubDate;
use crate::extract::{collapse_whitespace, Extracted, Offsets};
use crate::index::documents::{
    self, document_key, FileIdentity, FileRecord, NewDefinition, NewPassage, NewRecord,
};
use crate::index::schema::Fields;
use crate::passage::{quality, Split};

use super::file_error::FileError;
use super::walk::FileEntry;

/// Work handed from a worker to the writer; `file` is the file's place in
/// the walk.
pub(super) enum Msg {
    /// Documents of a file.
    Docs(Batch),
    /// Content unchanged; only the record (new mtime) is replaced.
    Touch {
        file: usize,
        record: TantivyDocument,
    },
    /// The file could not be indexed: whatever was indexed of it goes, and
    /// `record` (which holds the reason) marks it for another try.
    Failed {
        file: usize,
        reason: FileError,
        record: TantivyDocument,
    },
    /// The file was indexed, but part of it was not (one warning line).
    Partly { file: usize, reason: FileError },
    /// Pages of the file were scans: `read` of them by OCR, `unread` not.
    Scanned {
        file: usize,
        read: u64,
        unread: Vec<u32>,
        ocr: bool,
    },
}

/// Passages of a file; `first` deletes what was indexed of it before;
/// `record` (in the last batch of a file) completes it.
pub(super) struct Batch {
    pub file: usize,
    pub first: bool,
    /// Passage documents, then the file's acronym definitions.
    pub docs: Vec<TantivyDocument>,
    /// How many of `docs` are passages.
    pub passages: u64,
    pub record: Option<TantivyDocument>,
}

/// The outcome of sending: an error only if the writer is gone.
pub(super) type Sent = std::result::Result<(), mpsc::SendError<Msg>>;

/// Most documents in one message to the writer. The channel holds a few
/// messages per worker, so this bounds the memory waiting in it: one file of
/// 32 MB, or one chunk of a streamed file, is tens of thousands of passages.
pub(super) const BATCH: usize = 4096;

/// One file's documents on their way to the writer.
pub(super) struct FileOutput<'a> {
    fields: &'a Fields,
    entry: &'a FileEntry,
    file: usize,
    tx: &'a mpsc::SyncSender<Msg>,
    /// Nothing sent yet: the first message replaces what was indexed before.
    first: bool,
    /// Documents not sent yet: passages, then definitions, per piece added.
    docs: Vec<TantivyDocument>,
    /// How many of `docs` are passages.
    passages: u64,
    /// Passages added in all.
    total: u64,
    /// The document's length in words, if known before its passages are.
    length: Option<u64>,
}

impl<'a> FileOutput<'a> {
    /// The output of `entry`, the `file`th file of the walk.
    pub fn new(
        fields: &'a Fields,
        entry: &'a FileEntry,
        file: usize,
        tx: &'a mpsc::SyncSender<Msg>,
    ) -> Self {
        FileOutput {
            fields,
            entry,
            file,
            tx,
            first: true,
            docs: Vec::new(),
            passages: 0,
            total: 0,
            length: None,
        }
    }

    /// The same output, with every passage carrying `words` as its
    /// document's length: a file read in pieces is counted before any
    /// piece is added, since ranking normalises by the whole document's
    /// length, not a piece's. Without it, each [`FileOutput::add`] is a
    /// whole document, as long as its passages.
    pub fn with_length(self, words: u64) -> Self {
        FileOutput {
            length: Some(words),
            ..self
        }
    }

    /// Adds the passages of `split` (of the document `doc_id`, numbered on
    /// from `ordinal_base`) and the acronym definitions they contain.
    pub fn add(&mut self, doc_id: &str, extracted: &Extracted, split: &Split, ordinal_base: u32) {
        let doc_len = self.length.unwrap_or_else(|| split.words());
        let passages = passage_docs(
            self.fields,
            self.entry,
            doc_id,
            extracted,
            split,
            ordinal_base,
            doc_len,
        );
        self.passages += passages.len() as u64;
        self.total += passages.len() as u64;
        self.docs.extend(passages);
        self.docs
            .extend(definition_docs(self.fields, self.entry, extracted, split));
    }

    /// Documents added and not sent yet.
    pub fn pending(&self) -> usize {
        self.docs.len()
    }

    /// Passages added in all.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Sends what was added since the last send (even nothing).
    pub fn flush(&mut self) -> Sent {
        let docs = std::mem::take(&mut self.docs);
        let passages = std::mem::take(&mut self.passages);
        let sent = send_docs(self.tx, self.file, self.first, docs, passages, None);
        self.first = false;
        sent
    }

    /// Sends the rest, and the record that completes the file.
    pub fn finish(self, hash: &str, title: &str, offsets: Offsets, date: Option<PubDate>) -> Sent {
        self.finish_with(hash, title, offsets, date, &[])
    }

    /// [`FileOutput::finish`] for a file with scanned pages left unread.
    pub fn finish_with(
        self,
        hash: &str,
        title: &str,
        offsets: Offsets,
        date: Option<PubDate>,
        unread_pages: &[u32],
    ) -> Sent {
        let record = documents::file_record(
            self.fields,
            &NewRecord {
                hash,
                passages: self.total,
                title,
                offsets,
                date,
                unread_pages,
                ..record(self.entry)
            },
        );
        send_docs(
            self.tx,
            self.file,
            self.first,
            self.docs,
            self.passages,
            Some(record),
        )
    }
}

/// Sends a file's documents in batches of at most [`BATCH`]; `first` goes
/// with the first batch, `record` with the last. `passages` counts the
/// passage documents, which come before any others in `docs`.
fn send_docs(
    tx: &mpsc::SyncSender<Msg>,
    file: usize,
    first: bool,
    docs: Vec<TantivyDocument>,
    passages: u64,
    record: Option<TantivyDocument>,
) -> Sent {
    let mut first = first;
    let mut passages_left = passages;
    let mut rest = docs.into_iter().peekable();
    loop {
        let batch: Vec<TantivyDocument> = rest.by_ref().take(BATCH).collect();
        let counted = passages_left.min(batch.len() as u64);
        passages_left -= counted;
        if rest.peek().is_none() {
            return tx.send(Msg::Docs(Batch {
                file,
                first,
                docs: batch,
                passages: counted + passages_left,
                record,
            }));
        }
        tx.send(Msg::Docs(Batch {
            file,
            first,
            docs: batch,
            passages: counted,
            record: None,
        }))?;
        first = false;
    }
}

/// The record of a file whose content is what was indexed (`old`): as
/// before, with the file's new size and mtime.
pub(super) fn renewed_record(
    fields: &Fields,
    file: &FileEntry,
    old: &FileRecord,
) -> TantivyDocument {
    documents::file_record(
        fields,
        &NewRecord {
            hash: &old.hash,
            passages: old.passages,
            title: &old.title,
            offsets: old.offsets,
            date: old.date,
            unread_pages: &old.unread_pages,
            ..record(file)
        },
    )
}

/// The record of a file that could not be indexed: the next run tries
/// it again, and `status` lists it with the reason.
pub(super) fn failed_record(fields: &Fields, file: &FileEntry, reason: &str) -> TantivyDocument {
    documents::file_record(
        fields,
        &NewRecord {
            error: Some(reason),
            ..record(file)
        },
    )
}

/// A file's record, committed after its passages, as far as the walk
/// knows it: the callers add what was indexed of it, or why nothing was.
fn record(file: &FileEntry) -> NewRecord<'_> {
    NewRecord {
        file: identity(file),
        size: file.size,
        mtime: file.mtime,
        hash: "",
        passages: 0,
        format: file.format.name(),
        title: "",
        offsets: Offsets::File,
        error: None,
        date: None,
        unread_pages: &[],
    }
}

/// Acronym definitions the passages contain ("integrated care boards
/// (ICBs)"), one document per distinct definition in the file.
fn definition_docs(
    fields: &Fields,
    file: &FileEntry,
    extracted: &Extracted,
    split: &Split,
) -> Vec<TantivyDocument> {
    let analyzer = Analyzer::english();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut docs = Vec::new();
    for p in &split.passages {
        let quote = &extracted.text[p.range.clone()];
        for m in glossary::mine(quote) {
            let akey = glossary::acronym_key(&m.acronym, &analyzer);
            let ekey = glossary::expansion_key(&m.expansion, &analyzer);
            if akey.is_empty() || ekey.is_empty() || !seen.insert((akey.clone(), ekey.clone())) {
                continue;
            }
            let line = p.line_start as u64 + quote[..m.offset].matches('\n').count() as u64;
            let expansion = collapse_whitespace(&m.expansion);
            let doc = documents::definition(
                fields,
                identity(file),
                &NewDefinition {
                    acronym_key: &akey,
                    expansion_key: &ekey,
                    acronym: &m.acronym,
                    expansion: &expansion,
                    line,
                },
            );
            docs.push(doc);
        }
    }
    docs
}

fn passage_docs(
    fields: &Fields,
    file: &FileEntry,
    doc_id: &str,
    extracted: &Extracted,
    split: &Split,
    ordinal_base: u32,
    doc_len: u64,
) -> Vec<TantivyDocument> {
    let base = extracted.byte_base;
    let doc_key = document_key(&file.key, doc_id);
    split
        .passages
        .iter()
        .map(|p| {
            let quote = &extracted.text[p.range.clone()];
            let passage = NewPassage {
                doc_id,
                title: &split.title,
                heading: p.heading.as_deref(),
                body: &extracted.markup.index_text(quote),
                quote,
                ordinal: (ordinal_base + p.ordinal) as u64,
                bytes: base + p.range.start as u64..base + p.range.end as u64,
                lines: extracted
                    .cites_lines
                    .then_some((p.line_start as u64, p.line_end as u64)),
                page: p.page.map(|page| page as u64),
                page_label: p.page.and_then(|page| extracted.page_label(page)),
                offsets: extracted.offsets,
                doc_key,
                doc_len,
                quality: quality::quality(quote),
                date: extracted.date,
            };
            documents::passage(fields, identity(file), &passage)
        })
        .collect()
}

/// What every stored document of a walked file carries.
fn identity(file: &FileEntry) -> FileIdentity<'_> {
    FileIdentity {
        key: &file.key,
        collection: &file.collection,
        source: &file.source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_files_reach_the_writer_in_bounded_batches() {
        let (tx, rx) = mpsc::sync_channel::<Msg>(64);
        let docs = vec![TantivyDocument::default(); 2 * BATCH + 10];
        send_docs(
            &tx,
            7,
            true,
            docs,
            2 * BATCH as u64 + 5,
            Some(TantivyDocument::default()),
        )
        .unwrap();
        drop(tx);
        let batches: Vec<(bool, usize, u64, bool)> = rx
            .iter()
            .map(|m| match m {
                Msg::Docs(b) => {
                    assert_eq!(b.file, 7);
                    (b.first, b.docs.len(), b.passages, b.record.is_some())
                }
                _ => panic!("unexpected message"),
            })
            .collect();
        assert_eq!(
            batches,
            vec![
                (true, BATCH, BATCH as u64, false),
                (false, BATCH, BATCH as u64, false),
                (false, 10, 5, true),
            ]
        );
    }
}
