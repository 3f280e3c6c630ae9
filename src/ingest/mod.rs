//! The `index` command: walk → (skip unchanged) → extract → split → write.
//!
//! Worker threads extract and split files and build their tantivy documents;
//! one writer thread (the caller's) applies them, commits periodically so a
//! long run's progress survives a crash, and commits at the end. Each commit
//! holds files' passages together with their records (path, size, mtime,
//! hash), so the next run knows exactly what is indexed: files whose size and
//! mtime are unchanged are not read again, files whose content hash is
//! unchanged are not re-indexed, and files gone from disk are removed.
//!
//! A file that fails (unreadable, undecodable, damaged, an extractor panic or
//! hang) is reported and skipped; what was indexed of it before is kept.

pub mod isolate;
pub mod progress;
pub mod walk;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{IndexWriter, TantivyDocument, Term};

use crate::analysis::glossary;
use crate::analysis::Analyzer;
use crate::error::Result;
use crate::extract::html::{PageStream, Step};
use crate::extract::stream::{ChunkReader, STREAM_THRESHOLD};
use crate::extract::{self, jsonl, ExtractError, Extracted, Format, Offsets};
use crate::index::PolicyIndex;

use crate::index::documents::{
    self, document_key, file_key, FileIdentity, NewDefinition, NewPassage, NewRecord,
};
use crate::index::documents::{records, FileRecord};
use crate::index::schema::{Fields, KIND_FILE};
use crate::ingest::progress::Progress;
use crate::limits::{self, FileDeadline, OutOfTime};
use crate::passage::{self, Split};
use walk::{FileEntry, Root};

/// Options of one `index` run.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Files and folders to index.
    pub paths: Vec<PathBuf>,
    /// The index directory.
    pub index_dir: PathBuf,
    /// Collection name for all roots of this run (default: each root's folder name).
    pub collection: Option<String>,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Show a progress bar when stderr is a terminal.
    pub progress: bool,
    /// Start over: drop everything indexed before, in the same commit.
    pub rebuild: bool,
    /// Commit at least this often during a long run.
    pub commit_interval: Duration,
    /// Extract risky formats (PDF, DOCX) in a child process running this
    /// executable, so a crash or hang costs one file; in-process if `None`.
    pub isolate: Option<PathBuf>,
    /// Time allowed to extract and split one file (or one piece of a file
    /// read in a stream), in every format.
    pub file_timeout: Duration,
    /// Files larger than this are skipped.
    pub max_file_size: u64,
    /// Memory allowed to a child process extracting one file (PDF, DOCX);
    /// the other formats are read in a stream.
    pub max_file_memory: u64,
}

/// Default of [`IndexOptions::max_file_size`]: 4 GiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 4 << 30;
/// Default of [`IndexOptions::max_file_memory`]: 2 GiB.
pub const DEFAULT_MAX_FILE_MEMORY: u64 = 2 << 30;

impl IndexOptions {
    /// Options with defaults for everything but the paths and index.
    pub fn new(paths: Vec<PathBuf>, index_dir: PathBuf) -> Self {
        IndexOptions {
            paths,
            index_dir,
            collection: None,
            threads: 0,
            progress: true,
            rebuild: false,
            commit_interval: Duration::from_secs(10),
            isolate: None,
            file_timeout: Duration::from_secs(120),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            max_file_memory: DEFAULT_MAX_FILE_MEMORY,
        }
    }
}

/// What an `index` run did.
#[derive(Debug, Clone, Default)]
pub struct IndexSummary {
    /// Files (re)indexed in this run.
    pub files: u64,
    /// Passages written in this run.
    pub passages: u64,
    /// Bytes of input read and indexed.
    pub bytes: u64,
    /// Files new to the index.
    pub added: u64,
    /// Files whose content changed.
    pub updated: u64,
    /// Files gone from disk, removed from the index.
    pub removed: u64,
    /// Files found unchanged.
    pub unchanged: u64,
    /// Files skipped, with the reason.
    pub skipped: Vec<(String, String)>,
    /// Indexed files below folders the walk could not read, kept as they
    /// were without being checked.
    pub kept_unchecked: u64,
    /// Wall-clock time.
    pub elapsed: Duration,
}

impl fmt::Display for IndexSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mb = self.bytes as f64 / 1e6;
        let secs = self.elapsed.as_secs_f64();
        write!(
            f,
            "indexed {} files, {} passages, {:.2} MB in {:.2} s ({:.2} MB/s): {} added, {} updated, {} removed, {} unchanged",
            self.files,
            self.passages,
            mb,
            secs,
            if secs > 0.0 { mb / secs } else { 0.0 },
            self.added,
            self.updated,
            self.removed,
            self.unchanged,
        )?;
        if !self.skipped.is_empty() {
            write!(f, ", {} skipped", self.skipped.len())?;
        }
        if self.kept_unchecked > 0 {
            write!(
                f,
                ", {} kept unchecked (in folders that could not be read)",
                self.kept_unchecked
            )?;
        }
        Ok(())
    }
}

/// What to do with a walked file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// Not in the index (or moved to another collection): extract and add.
    Add,
    /// In the index with another size or mtime: hash, and re-index if the content changed.
    Verify,
}

/// Work handed from a worker to the writer.
enum Msg {
    /// Passages of a file; `first` deletes what was indexed of it before;
    /// `record` (the last message of a file) completes it.
    Docs {
        file: usize,
        first: bool,
        /// Passage documents, then the file's acronym definitions.
        docs: Vec<TantivyDocument>,
        /// How many of `docs` are passages.
        passages: u64,
        record: Option<TantivyDocument>,
    },
    /// Content unchanged; only the record (new mtime) is replaced.
    Touch {
        file: usize,
        record: TantivyDocument,
    },
    /// The file could not be indexed: whatever was indexed of it goes, and
    /// `record` (which holds the reason) marks it for another try.
    Failed {
        file: usize,
        reason: String,
        record: TantivyDocument,
    },
    /// The file was indexed, but part of it was not (one warning line).
    Partly { file: usize, reason: String },
}

/// Indexes `opts.paths` into the index at `opts.index_dir`, creating it if needed.
pub fn run(opts: &IndexOptions) -> Result<IndexSummary> {
    let started = Instant::now();
    // A path that does not exist is an error before anything is created.
    let roots: Vec<Root> = opts
        .paths
        .iter()
        .map(|p| Root::new(p, opts.collection.clone()))
        .collect::<Result<_>>()?;
    let index = if opts.rebuild {
        PolicyIndex::open_for_rebuild(&opts.index_dir)?
    } else {
        PolicyIndex::open_or_create(&opts.index_dir)?
    };
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        opts.threads
    };
    // Take the writer lock before anything slow, so a second `index` fails at once.
    let mut writer = index.writer(threads, 64_000_000 * threads)?;

    let found = walk::walk(&roots);
    let mut indexed_roots: Vec<String> = if opts.rebuild {
        Vec::new()
    } else {
        index.commit_info()?.map(|c| c.roots).unwrap_or_default()
    };
    for root in &roots {
        let r = root.path.to_string_lossy().into_owned();
        if !indexed_roots.contains(&r) {
            indexed_roots.push(r);
        }
    }
    let known: HashMap<Vec<u8>, FileRecord> = if opts.rebuild {
        HashMap::new()
    } else {
        records(&index)?.into_iter().map(|r| (r.key(), r)).collect()
    };
    if opts.rebuild {
        // Nothing is committed until the end (see `apply`), so until then
        // the old index stays whole and searchable.
        writer.delete_all_documents()?;
    }

    let mut summary = IndexSummary::default();
    let mut work: Vec<(usize, Plan)> = Vec::new();
    let mut seen: HashSet<&[u8]> = HashSet::new();
    for (i, file) in found.files.iter().enumerate() {
        seen.insert(&file.key);
        match known.get(&file.key) {
            None => work.push((i, Plan::Add)),
            // Failed last time: try again.
            Some(r) if r.error.is_some() => work.push((i, Plan::Add)),
            Some(r) if r.collection != file.collection => work.push((i, Plan::Add)),
            Some(r) if r.size == file.size && r.mtime == file.mtime => summary.unchanged += 1,
            Some(_) => work.push((i, Plan::Verify)),
        }
    }
    // Files this run would have walked but did not find. Deletion is scoped
    // to what was walked: files under other paths are not this run's to
    // judge, and files below a folder the walk could not read are kept.
    for r in known.values() {
        let walked = roots.iter().any(|root| {
            walk::visits(&root.path, Path::new(&r.source)) || walk::visits(&root.path, &r.path)
        });
        if !walked || seen.contains(r.key().as_slice()) {
            continue;
        }
        if found.unchecked(Path::new(&r.source)) || found.unchecked(&r.path) {
            summary.kept_unchecked += 1;
            continue;
        }
        writer.delete_term(Term::from_field_u64(
            index.fields.file_key,
            file_key(&r.key()),
        ));
        summary.removed += 1;
    }

    let total_bytes: u64 = work.iter().map(|&(i, _)| found.files[i].size).sum();
    let progress = Progress::new(work.len() as u64, total_bytes, opts.progress);
    for (path, reason) in &found.problems {
        let path = crate::paths::shown(path);
        progress.warn(&format!("{path}: {reason}"));
        summary.skipped.push((path, reason.clone()));
    }
    for file in &found.files {
        if file.lossy_name {
            progress.warn(&format!(
                "{}: file name is not valid UTF-8; shown with U+FFFD in its place",
                file.shown()
            ));
        }
    }

    let ctx = WorkerContext {
        fields: index.fields,
        files: &found.files,
        known: &known,
        opts,
    };
    let _quiet = QuietWorkerPanics::install();
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::sync_channel::<Msg>(threads * 4);
    let outcome = std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (ctx, work, next) = (&ctx, &work, &next);
            let worker = move || loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(&(file, plan)) = work.get(n) else {
                    break;
                };
                if ctx.process(file, plan, &tx).is_err() {
                    break; // the writer is gone
                }
            };
            std::thread::Builder::new()
                .name(WORKER_THREAD.to_string())
                .spawn_scoped(scope, worker)
                .map_err(|e| crate::error::Error::io("<worker thread>", e))?;
        }
        drop(tx);
        apply(
            &index,
            &mut writer,
            rx,
            &ctx,
            &progress,
            &mut summary,
            &indexed_roots,
        )
    });
    progress.finish();
    index.writer_failure(&mut writer, outcome)?;
    index.commit(&mut writer, &indexed_roots)?;
    writer.wait_merging_threads()?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Name of the threads that extract files.
const WORKER_THREAD: &str = "policy-search-worker";

/// While alive, panics in worker threads print nothing: they are caught and
/// reported as one warning line naming the file. Other panics still print.
struct QuietWorkerPanics;

impl QuietWorkerPanics {
    fn install() -> crate::index::integrity::ScopedHook {
        crate::index::integrity::ScopedHook::install(|info, previous| {
            if std::thread::current().name() != Some(WORKER_THREAD) {
                previous(info);
            }
        })
    }
}

/// The writer loop: applies workers' documents, commits now and then.
fn apply(
    index: &PolicyIndex,
    writer: &mut IndexWriter,
    rx: mpsc::Receiver<Msg>,
    ctx: &WorkerContext<'_>,
    progress: &Progress,
    summary: &mut IndexSummary,
    roots: &[String],
) -> Result<()> {
    // A rebuild commits once, at the end: until then the old index stays
    // whole, and a rebuild cut short leaves it as it was.
    let interval = if ctx.opts.rebuild {
        Duration::MAX
    } else {
        ctx.opts.commit_interval
    };
    let f = &index.fields;
    let mut last_commit = Instant::now();
    let mut open: HashSet<usize> = HashSet::new();
    let mut done = 0u64;
    let total = ctx.files.len() as u64;
    let mut finish = |file: &FileEntry, progress: &Progress| {
        done += 1;
        progress.file_done(file.size, done, total);
    };
    for msg in rx {
        match msg {
            Msg::Docs {
                file,
                first,
                docs,
                passages,
                record,
            } => {
                let entry = &ctx.files[file];
                if first {
                    writer.delete_term(Term::from_field_u64(f.file_key, file_key(&entry.key)));
                    open.insert(file);
                }
                summary.passages += passages;
                for doc in docs {
                    writer.add_document(doc)?;
                }
                if let Some(record) = record {
                    writer.add_document(record)?;
                    open.remove(&file);
                    summary.files += 1;
                    summary.bytes += entry.size;
                    if ctx.known.contains_key(&entry.key) {
                        summary.updated += 1;
                    } else {
                        summary.added += 1;
                    }
                    finish(entry, progress);
                }
            }
            Msg::Touch { file, record } => {
                let entry = &ctx.files[file];
                let key = Term::from_field_u64(f.file_key, file_key(&entry.key));
                let kind = Term::from_field_u64(f.kind, KIND_FILE);
                let old_record: Vec<(Occur, Box<dyn Query>)> = vec![
                    (
                        Occur::Must,
                        Box::new(TermQuery::new(key, IndexRecordOption::Basic)),
                    ),
                    (
                        Occur::Must,
                        Box::new(TermQuery::new(kind, IndexRecordOption::Basic)),
                    ),
                ];
                writer.delete_query(Box::new(BooleanQuery::new(old_record)))?;
                writer.add_document(record)?;
                summary.unchanged += 1;
                finish(entry, progress);
            }
            Msg::Partly { file, reason } => {
                progress.warn(&format!("{}: {reason}", ctx.files[file].shown()));
            }
            Msg::Failed {
                file,
                reason,
                record,
            } => {
                // Nothing of a file that changed and failed may stay: its
                // old passages would quote words no longer in it.
                let entry = &ctx.files[file];
                writer.delete_term(Term::from_field_u64(f.file_key, file_key(&entry.key)));
                writer.add_document(record)?;
                open.remove(&file);
                progress.warn(&format!("{}: {reason}", entry.shown()));
                summary.skipped.push((entry.shown(), reason));
                finish(entry, progress);
            }
        }
        // Commit between files; a file streamed in chunks may hold a commit
        // back, but not forever (its record comes last, so a crash mid-file
        // only leaves passages that the next run replaces).
        let due = last_commit.elapsed();
        if due >= interval && (open.is_empty() || due >= interval * 4) {
            index.commit(writer, roots)?;
            last_commit = Instant::now();
        }
    }
    Ok(())
}

/// Where a file read in pieces (chunks of a stream) has got to.
struct Pieces {
    /// No piece sent yet: the next one replaces what was indexed before.
    first: bool,
    /// Passages sent so far, so numbering runs on across pieces.
    ordinals: u32,
    /// The file's title, from its first piece.
    title: Option<String>,
}

impl Default for Pieces {
    fn default() -> Self {
        Pieces {
            first: true,
            ordinals: 0,
            title: None,
        }
    }
}

struct WorkerContext<'a> {
    fields: Fields,
    files: &'a [FileEntry],
    known: &'a HashMap<Vec<u8>, FileRecord>,
    opts: &'a IndexOptions,
}

type Sent = std::result::Result<(), mpsc::SendError<Msg>>;

/// Most documents in one message to the writer. The channel holds a few
/// messages per worker, so this bounds the memory waiting in it: one file of
/// 32 MB, or one chunk of a streamed file, is tens of thousands of passages.
const BATCH: usize = 4096;

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
            return tx.send(Msg::Docs {
                file,
                first,
                docs: batch,
                passages: counted + passages_left,
                record,
            });
        }
        tx.send(Msg::Docs {
            file,
            first,
            docs: batch,
            passages: counted,
            record: None,
        })?;
        first = false;
    }
}

impl WorkerContext<'_> {
    /// Processes one file, sending its outcome to the writer.
    fn process(&self, i: usize, plan: Plan, tx: &mpsc::SyncSender<Msg>) -> Sent {
        let file = &self.files[i];
        let streamed =
            file.size > STREAM_THRESHOLD && matches!(file.format, Format::Text | Format::Markdown);
        let html_streamed = file.size > STREAM_THRESHOLD && file.format == Format::Html;
        let jsonl = file.format == Format::Jsonl;
        let result = if file.size > self.opts.max_file_size {
            Err(limits::too_large_reason(file.size, self.opts.max_file_size))
        } else {
            // A panic anywhere in one file's processing costs that file only.
            guarded("internal error while indexing", || {
                if jsonl {
                    self.process_jsonl(i, plan, tx)
                } else if streamed {
                    self.process_stream(i, plan, tx)
                } else if html_streamed {
                    self.process_html_stream(i, plan, tx)
                } else {
                    let _deadline = FileDeadline::start(self.opts.file_timeout);
                    self.process_whole(i, plan, tx)
                }
            })
            .and_then(|r| r)
        };
        match result {
            Ok(sent) => sent,
            Err(reason) => tx.send(Msg::Failed {
                file: i,
                record: self.failed_record(file, &reason),
                reason,
            }),
        }
    }

    fn process_whole(
        &self,
        i: usize,
        plan: Plan,
        tx: &mpsc::SyncSender<Msg>,
    ) -> std::result::Result<Sent, String> {
        let file = &self.files[i];
        // A child process reads the file itself: here it is only hashed, in
        // a stream, so a large PDF is never whole in this process.
        let (bytes, hash) = if self.in_child(file) {
            (None, hash_path(&file.path)?)
        } else {
            let bytes = std::fs::read(&file.path).map_err(|e| format!("cannot read: {e}"))?;
            let hash = blake3::hash(&bytes).to_hex().to_string();
            (Some(bytes), hash)
        };
        if let Some(old) = self.unchanged_content(file, plan, &hash) {
            let record = self.record(file, &hash, old.passages, &old.title, old.offsets);
            return Ok(tx.send(Msg::Touch { file: i, record }));
        }
        let extracted = match self.extract(file, bytes) {
            Ok(extracted) => extracted,
            Err(ExtractError::Empty) => return Ok(self.nothing_to_index(i, &hash, tx)),
            Err(e) => return Err(e.to_string()),
        };
        let split = split_guarded(&extracted)?;
        let mut passages = self.passage_docs(file, &file.source, &extracted, &split, 0);
        let count = passages.len() as u64;
        passages.extend(self.definition_docs(file, &extracted, &split));
        let record = self.record(
            file,
            &hash,
            split.passages.len() as u64,
            &split.title,
            extracted.offsets,
        );
        Ok(send_docs(tx, i, true, passages, count, Some(record)))
    }

    /// JSON Lines: one document per record, read in a stream and sent in
    /// batches; `doc_id` is the record's `_id`, lines are the record's line.
    fn process_jsonl(
        &self,
        i: usize,
        plan: Plan,
        tx: &mpsc::SyncSender<Msg>,
    ) -> std::result::Result<Sent, String> {
        let file = &self.files[i];
        let hash = hash_path(&file.path)?;
        if let Some(old) = self.unchanged_content(file, plan, &hash) {
            let record = self.record(file, &hash, old.passages, &old.title, old.offsets);
            return Ok(tx.send(Msg::Touch { file: i, record }));
        }
        let mut first = true;
        let mut docs: Vec<TantivyDocument> = Vec::new();
        let mut count = 0u64;
        let mut total = 0u64;
        let mut sent: Sent = Ok(());
        let reader = std::io::BufReader::new(open_file(&file.path)?);
        let stats = jsonl::read(reader, |record| {
            // Each record has the time a file has.
            let _deadline = FileDeadline::start(self.opts.file_timeout);
            let extracted = jsonl::extract(&record);
            let Ok(mut split) = split_guarded(&extracted) else {
                return true;
            };
            for p in &mut split.passages {
                p.line_start = record.line;
                p.line_end = record.line;
            }
            let before = docs.len();
            docs.extend(self.passage_docs(file, &record.id, &extracted, &split, 0));
            count += (docs.len() - before) as u64;
            docs.extend(self.definition_docs(file, &extracted, &split));
            if docs.len() >= BATCH {
                total += count;
                sent = send_docs(
                    tx,
                    i,
                    first,
                    std::mem::take(&mut docs),
                    std::mem::take(&mut count),
                    None,
                );
                first = false;
            }
            sent.is_ok()
        })
        .map_err(|e| format!("cannot read: {e}"))?;
        if let Err(e) = sent {
            return Ok(Err(e));
        }
        if stats.records == 0 {
            return Err("not JSON Lines records with \"_id\" and \"text\"".to_string());
        }
        if stats.bad_lines > 0 {
            let reason = format!(
                "{} line{} not a JSON record with \"_id\" and \"text\" (first: line {}); skipped",
                stats.bad_lines,
                if stats.bad_lines == 1 { " is" } else { "s are" },
                stats.first_bad.unwrap_or(0)
            );
            if let Err(e) = tx.send(Msg::Partly { file: i, reason }) {
                return Ok(Err(e));
            }
        }
        total += count;
        let name = file
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let record = self.record(file, &hash, total, &name, Offsets::Extracted);
        Ok(send_docs(tx, i, first, docs, count, Some(record)))
    }

    /// Is `file` extracted in a child process (risky formats, when
    /// isolation is on)?
    fn in_child(&self, file: &FileEntry) -> bool {
        self.opts.isolate.is_some() && file.format.isolated()
    }

    /// Extracts in a child process for risky formats when isolation is on,
    /// else in-process (from `bytes`, the file's content) with panics caught.
    fn extract(
        &self,
        file: &FileEntry,
        bytes: Option<Vec<u8>>,
    ) -> std::result::Result<Extracted, ExtractError> {
        match (&self.opts.isolate, bytes) {
            (Some(exe), _) if file.format.isolated() => isolate::extract_in_child(
                exe,
                file.format,
                &file.path,
                self.opts.file_timeout,
                self.opts.max_file_memory,
            ),
            (_, Some(bytes)) => {
                guarded("extractor failed", || extract::extract(file.format, bytes))
                    .unwrap_or_else(|reason| Err(ExtractError::Corrupt(reason)))
            }
            (_, None) => extract::extract_file(file.format, &file.path),
        }
    }

    /// Large text files: chunk by chunk, so memory stays bounded.
    fn process_stream(
        &self,
        i: usize,
        plan: Plan,
        tx: &mpsc::SyncSender<Msg>,
    ) -> std::result::Result<Sent, String> {
        let file = &self.files[i];
        if let Some(sent) = self.touch_if_unchanged(i, plan, tx)? {
            return Ok(sent);
        }
        let mut reader = ChunkReader::new(std::io::BufReader::new(open_file(&file.path)?));
        let mut pieces = Pieces::default();
        let mut offsets = Offsets::File;
        while let Some(chunk) = reader.next_chunk().map_err(|e| e.to_string())? {
            // Each chunk has the time a file has: a long file is not a hang.
            let _deadline = FileDeadline::start(self.opts.file_timeout);
            let mut extracted = match file.format {
                Format::Markdown => extract::markdown::extract(chunk.text, chunk.offsets),
                _ => extract::text::extract(chunk.text, chunk.offsets),
            };
            extracted.byte_base = chunk.byte_base;
            extracted.line_base = chunk.line_base;
            if extracted.offsets == Offsets::Extracted {
                offsets = Offsets::Extracted;
            }
            if let Err(e) = self.send_piece(i, &mut pieces, &extracted, tx)? {
                return Ok(Err(e));
            }
        }
        Ok(self.finish_pieces(i, pieces, &reader.hash(), offsets, tx))
    }

    /// For a file whose size or mtime changed: if its content is what was
    /// indexed, only its record is renewed.
    fn touch_if_unchanged(
        &self,
        i: usize,
        plan: Plan,
        tx: &mpsc::SyncSender<Msg>,
    ) -> std::result::Result<Option<Sent>, String> {
        if plan != Plan::Verify {
            return Ok(None);
        }
        let file = &self.files[i];
        let hash = hash_path(&file.path)?;
        Ok(self.unchanged_content(file, plan, &hash).map(|old| {
            let record = self.record(file, &hash, old.passages, &old.title, old.offsets);
            tx.send(Msg::Touch { file: i, record })
        }))
    }

    /// Splits one piece of a file read in pieces and sends its passages.
    fn send_piece(
        &self,
        i: usize,
        pieces: &mut Pieces,
        extracted: &Extracted,
        tx: &mpsc::SyncSender<Msg>,
    ) -> std::result::Result<Sent, String> {
        let file = &self.files[i];
        let split = split_guarded(extracted)?;
        pieces.title.get_or_insert_with(|| split.title.clone());
        let mut passages =
            self.passage_docs(file, &file.source, extracted, &split, pieces.ordinals);
        let count = passages.len() as u64;
        passages.extend(self.definition_docs(file, extracted, &split));
        pieces.ordinals += split.passages.len() as u32;
        let sent = send_docs(tx, i, pieces.first, passages, count, None);
        pieces.first = false;
        Ok(sent)
    }

    /// Completes a file read in pieces with its record.
    fn finish_pieces(
        &self,
        i: usize,
        pieces: Pieces,
        hash: &str,
        offsets: Offsets,
        tx: &mpsc::SyncSender<Msg>,
    ) -> Sent {
        if pieces.first {
            return self.nothing_to_index(i, hash, tx);
        }
        let title = pieces.title.unwrap_or_default();
        let record = self.record(
            &self.files[i],
            hash,
            pieces.ordinals as u64,
            &title,
            offsets,
        );
        send_docs(tx, i, false, Vec::new(), 0, Some(record))
    }

    /// Large web pages: read in passes (see [`PageStream`]), indexed chunk
    /// by chunk like large text files.
    fn process_html_stream(
        &self,
        i: usize,
        plan: Plan,
        tx: &mpsc::SyncSender<Msg>,
    ) -> std::result::Result<Sent, String> {
        let file = &self.files[i];
        if let Some(sent) = self.touch_if_unchanged(i, plan, tx)? {
            return Ok(sent);
        }
        let mut stream = PageStream::new(open_file(&file.path)?);
        let mut pieces = Pieces::default();
        loop {
            // Each step reads a few MB of the page and has the time a file has.
            let _deadline = FileDeadline::start(self.opts.file_timeout);
            let mut extracted = match stream.step() {
                Ok(Some(Step::Chunk(extracted))) => extracted,
                Ok(Some(Step::Read)) => continue,
                Ok(None) => break,
                Err(ExtractError::Empty) => {
                    return Ok(self.nothing_to_index(i, &stream.hash(), tx))
                }
                Err(e) => return Err(e.to_string()),
            };
            // A page without a title is named by its first chunk, as a whole
            // page is by its start; every chunk's passages carry that name.
            if let Some(title) = &pieces.title {
                extracted.title.get_or_insert_with(|| title.clone());
            }
            if let Err(e) = self.send_piece(i, &mut pieces, &extracted, tx)? {
                return Ok(Err(e));
            }
        }
        Ok(self.finish_pieces(i, pieces, &stream.hash(), Offsets::Extracted, tx))
    }

    /// A file with no text: indexed with no passages (whatever it held
    /// before goes), with one warning.
    fn nothing_to_index(&self, i: usize, hash: &str, tx: &mpsc::SyncSender<Msg>) -> Sent {
        let file = &self.files[i];
        tx.send(Msg::Partly {
            file: i,
            reason: ExtractError::Empty.to_string(),
        })?;
        let title = file
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let record = self.record(file, hash, 0, &title, Offsets::File);
        send_docs(tx, i, true, Vec::new(), 0, Some(record))
    }

    /// The record of a file that could not be indexed: the next run tries
    /// it again, and `status` lists it with the reason.
    fn failed_record(&self, file: &FileEntry, reason: &str) -> TantivyDocument {
        self.new_record(file, "", 0, "", Offsets::File, Some(reason))
    }

    /// The old record, if a file whose size or mtime changed still has the
    /// content that was indexed.
    fn unchanged_content(&self, file: &FileEntry, plan: Plan, hash: &str) -> Option<&FileRecord> {
        (plan == Plan::Verify)
            .then(|| self.known.get(&file.key))
            .flatten()
            .filter(|r| r.hash == hash)
    }

    /// The file's record, committed with its passages.
    fn record(
        &self,
        file: &FileEntry,
        hash: &str,
        passages: u64,
        title: &str,
        offsets: Offsets,
    ) -> TantivyDocument {
        self.new_record(file, hash, passages, title, offsets, None)
    }

    fn new_record(
        &self,
        file: &FileEntry,
        hash: &str,
        passages: u64,
        title: &str,
        offsets: Offsets,
        error: Option<&str>,
    ) -> TantivyDocument {
        documents::file_record(
            &self.fields,
            &NewRecord {
                file: identity(file),
                size: file.size,
                mtime: file.mtime,
                hash,
                passages,
                format: file.format.name(),
                title,
                offsets,
                error,
            },
        )
    }

    /// Acronym definitions the passages contain ("integrated care boards
    /// (ICBs)"), one document per distinct definition in the file.
    fn definition_docs(
        &self,
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
                if akey.is_empty() || ekey.is_empty() || !seen.insert((akey.clone(), ekey.clone()))
                {
                    continue;
                }
                let line = p.line_start as u64 + quote[..m.offset].matches('\n').count() as u64;
                let expansion = m.expansion.split_whitespace().collect::<Vec<_>>().join(" ");
                let doc = documents::definition(
                    &self.fields,
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
        &self,
        file: &FileEntry,
        doc_id: &str,
        extracted: &Extracted,
        split: &Split,
        ordinal_base: u32,
    ) -> Vec<TantivyDocument> {
        let base = extracted.byte_base;
        let doc_key = document_key(&file.key, doc_id);
        let doc_len: u64 = split.passages.iter().map(|p| p.words as u64).sum();
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
                    lines: (p.line_start as u64, p.line_end as u64),
                    page: p.page.map(|page| page as u64),
                    offsets: extracted.offsets,
                    doc_key,
                    doc_len,
                };
                documents::passage(&self.fields, identity(file), &passage)
            })
            .collect()
    }
}

/// What every stored document of a walked file carries.
fn identity(file: &FileEntry) -> FileIdentity<'_> {
    FileIdentity {
        key: &file.key,
        collection: &file.collection,
        source: &file.source,
    }
}

fn split_guarded(extracted: &Extracted) -> std::result::Result<Split, String> {
    guarded("passage splitting failed", || passage::split(extracted))
}

/// Runs `f`, turning an unwind into the file's warning reason: a panic, or
/// the file's time running out (see [`crate::limits`]), costs that file only.
fn guarded<T>(what: &str, f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| match payload.downcast_ref::<OutOfTime>() {
        Some(out) => limits::out_of_time_reason(out.limit),
        None => format!("{what}: {}", panic_message(&payload)),
    })
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".to_string())
}

/// Opens a file to index; the error is the file's warning reason.
fn open_file(path: &Path) -> std::result::Result<std::fs::File, String> {
    std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))
}

/// The content hash of the file at `path`, read in a stream.
fn hash_path(path: &Path) -> std::result::Result<String, String> {
    hash_file(open_file(path)?).map_err(|e| format!("cannot read: {e}"))
}

fn hash_file(mut file: std::fs::File) -> std::io::Result<String> {
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().to_hex().to_string())
}

/// The default corpus: `seeds/` in the working directory.
pub fn default_paths() -> Vec<PathBuf> {
    vec![Path::new("seeds").to_path_buf()]
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
                Msg::Docs {
                    file,
                    first,
                    docs,
                    passages,
                    record,
                } => {
                    assert_eq!(file, 7);
                    (first, docs.len(), passages, record.is_some())
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
