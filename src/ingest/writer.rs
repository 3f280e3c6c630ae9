//! The writer: one thread (the caller's) applies the workers' documents to
//! the index in the order they come, and commits now and then so a long
//! run's progress survives a crash.

use std::collections::{HashMap, HashSet};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{IndexWriter, TantivyDocument, Term};

use crate::error::Result;
use crate::index::documents::{file_key, FileRecord};
use crate::index::schema::KIND_FILE;
use crate::index::PolicyIndex;

use super::file_error::FileError;
use super::output::{Batch, Msg};
use super::progress::Progress;
use super::walk::FileEntry;
use super::worker::WorkerContext;
use super::IndexSummary;

/// The writer's side of a run.
pub(super) struct Writer<'a> {
    index: &'a PolicyIndex,
    writer: &'a mut IndexWriter,
    /// The files the walk found.
    files: &'a [FileEntry],
    /// What was indexed before, by file key.
    known: &'a HashMap<Vec<u8>, FileRecord>,
    /// The paths indexed, recorded with each commit.
    roots: &'a [String],
    /// Commit at least this often.
    interval: Duration,
    progress: &'a mut dyn Progress,
    summary: &'a mut IndexSummary,
}

impl<'a> Writer<'a> {
    /// The writer of the run `ctx`, recording `roots` with each commit and
    /// what it does in `summary`.
    pub fn new(
        index: &'a PolicyIndex,
        writer: &'a mut IndexWriter,
        ctx: &'a WorkerContext<'a>,
        roots: &'a [String],
        progress: &'a mut dyn Progress,
        summary: &'a mut IndexSummary,
    ) -> Self {
        Writer {
            index,
            writer,
            files: ctx.files,
            known: ctx.known,
            roots,
            // A rebuild commits once, at the end: until then the old index
            // stays whole, and a rebuild cut short leaves it as it was.
            interval: if ctx.opts.rebuild {
                Duration::MAX
            } else {
                ctx.opts.commit_interval
            },
            progress,
            summary,
        }
    }

    /// Applies the workers' messages until they are all done.
    pub fn apply(mut self, rx: mpsc::Receiver<Msg>) -> Result<()> {
        let mut last_commit = Instant::now();
        // Files some of whose passages are added but not their record.
        let mut open: HashSet<usize> = HashSet::new();
        let mut done = 0u64;
        for msg in rx {
            let (file, finished) = match msg {
                Msg::Docs(batch) => (batch.file, self.docs(batch, &mut open)?),
                Msg::Touch { file, record } => (file, self.touch(file, record)?),
                Msg::Partly { file, reason } => {
                    self.warn(file, &reason);
                    (file, false)
                }
                Msg::Scanned {
                    file,
                    read,
                    unread,
                    ocr,
                } => {
                    self.summary.ocr_pages += read;
                    if !unread.is_empty() {
                        self.summary.unread_pages += unread.len() as u64;
                        self.summary.unread_files += 1;
                        self.warn(file, &FileError::UnreadPages { pages: unread, ocr });
                    }
                    (file, false)
                }
                Msg::Failed {
                    file,
                    reason,
                    record,
                } => {
                    open.remove(&file);
                    (file, self.failed(file, reason, record)?)
                }
            };
            if finished {
                done += 1;
                let total = self.files.len() as u64;
                self.progress.file_done(self.files[file].size, done, total);
            }
            // Commit between files; a file streamed in chunks may hold a
            // commit back, but not forever (its record comes last, so a
            // crash mid-file only leaves passages that the next run replaces).
            let due = last_commit.elapsed();
            if due >= self.interval && (open.is_empty() || due >= self.interval * 4) {
                self.index.commit(self.writer, self.roots)?;
                last_commit = Instant::now();
            }
        }
        Ok(())
    }

    /// Adds passages of a file; true if `record` came and finished it.
    fn docs(&mut self, batch: Batch, open: &mut HashSet<usize>) -> Result<bool> {
        let entry = &self.files[batch.file];
        if batch.first {
            self.writer.delete_term(self.file_term(entry));
            open.insert(batch.file);
        }
        self.summary.passages += batch.passages;
        for doc in batch.docs {
            self.writer.add_document(doc)?;
        }
        let Some(record) = batch.record else {
            return Ok(false);
        };
        self.writer.add_document(record)?;
        open.remove(&batch.file);
        self.summary.files += 1;
        self.summary.bytes += entry.size;
        if self.known.contains_key(&entry.key) {
            self.summary.updated += 1;
        } else {
            self.summary.added += 1;
        }
        Ok(true)
    }

    /// Replaces the record of a file whose content is unchanged.
    fn touch(&mut self, file: usize, record: TantivyDocument) -> Result<bool> {
        let entry = &self.files[file];
        let f = &self.index.fields;
        let kind = Term::from_field_u64(f.kind, KIND_FILE);
        let old_record: Vec<(Occur, Box<dyn Query>)> = vec![
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    self.file_term(entry),
                    IndexRecordOption::Basic,
                )),
            ),
            (
                Occur::Must,
                Box::new(TermQuery::new(kind, IndexRecordOption::Basic)),
            ),
        ];
        self.writer
            .delete_query(Box::new(BooleanQuery::new(old_record)))?;
        self.writer.add_document(record)?;
        self.summary.unchanged += 1;
        Ok(true)
    }

    /// Nothing of a file that changed and failed may stay: its old passages
    /// would quote words no longer in it. Its record keeps the reason.
    fn failed(&mut self, file: usize, reason: FileError, record: TantivyDocument) -> Result<bool> {
        let entry = &self.files[file];
        self.writer.delete_term(self.file_term(entry));
        self.writer.add_document(record)?;
        self.warn(file, &reason);
        self.summary
            .skipped
            .push((entry.shown(), reason.to_string()));
        Ok(true)
    }

    fn warn(&mut self, file: usize, reason: &FileError) {
        let message = format!("{}: {reason}", self.files[file].shown());
        self.progress.warning(&message);
    }

    /// The term every document of `entry` carries.
    fn file_term(&self, entry: &FileEntry) -> Term {
        Term::from_field_u64(self.index.fields.file_key, file_key(&entry.key))
    }
}
