//! Worker threads: each takes the next file to read, extracts and splits
//! it and sends its documents to the writer. A file is read in one of three
//! ways (whole, JSON Lines record by record, or in pieces, see
//! [`super::pieces`]); all start by skipping content that is unchanged and
//! end with the file's record ([`FileOutput::finish`]).

use std::collections::HashMap;
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::error::{Error, Result};
use crate::extract::date::PubDate;
use crate::extract::stream::STREAM_THRESHOLD;
use crate::extract::{self, jsonl, title, ExtractError, Extracted, Format, Offsets};
use crate::index::documents::FileRecord;
use crate::index::integrity::{self, ScopedHook};
use crate::index::schema::Fields;
use crate::limits::{FileDeadline, OutOfTime};
use crate::passage::{self, Split};

use super::file_error::FileError;
use super::output::{self, FileOutput, Msg, Sent, BATCH};
use super::pieces::{PageSteps, Pieces, TextChunks};
use super::plan::Plan;
use super::walk::FileEntry;
use super::{isolate, IndexOptions};

/// What every worker shares: the files to read, and what is indexed of them.
pub(super) struct WorkerContext<'a> {
    pub fields: Fields,
    /// The files the walk found.
    pub files: &'a [FileEntry],
    /// The files to read, of [`WorkerContext::files`].
    pub work: &'a [(usize, Plan)],
    /// What is indexed, by file key.
    pub known: &'a HashMap<Vec<u8>, FileRecord>,
    pub opts: &'a IndexOptions,
    /// The next of `work` to take.
    pub next: AtomicUsize,
}

/// Name of the threads that extract files.
const WORKER_THREAD: &str = "policy-search-worker";

/// Runs `threads` workers over `ctx`'s work, and `write` on this thread
/// with the receiving end of their messages; returns what `write` returns.
pub(super) fn run_workers(
    ctx: &WorkerContext<'_>,
    threads: usize,
    write: impl FnOnce(mpsc::Receiver<Msg>) -> Result<()>,
) -> Result<()> {
    let _quiet = quiet_worker_panics();
    let (tx, rx) = mpsc::sync_channel::<Msg>(threads * 4);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            std::thread::Builder::new()
                .name(WORKER_THREAD.to_string())
                .spawn_scoped(scope, move || ctx.work(&tx))
                .map_err(|e| Error::io("<worker thread>", e))?;
        }
        drop(tx);
        write(rx)
    })
}

/// While alive, panics in worker threads print nothing: they are caught and
/// reported as one warning line naming the file. Other panics go to the
/// hook installed before, which is back when this is dropped.
fn quiet_worker_panics() -> ScopedHook {
    ScopedHook::install(|info, previous| {
        if std::thread::current().name() != Some(WORKER_THREAD) {
            previous(info);
        }
    })
}

/// One file for a worker to read.
struct Job<'a> {
    /// Its place in the walk.
    i: usize,
    file: &'a FileEntry,
    plan: Plan,
    /// To the writer.
    tx: &'a mpsc::SyncSender<Msg>,
}

/// How reading a file ended: its documents sent (an error only if the
/// writer is gone), or why it could not be indexed.
type Outcome = std::result::Result<Sent, FileError>;

impl WorkerContext<'_> {
    /// One worker: files until none is left or the writer is gone.
    fn work(&self, tx: &mpsc::SyncSender<Msg>) {
        loop {
            let n = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(&(i, plan)) = self.work.get(n) else {
                break;
            };
            let file = &self.files[i];
            if self.process(&Job { i, file, plan, tx }).is_err() {
                break; // the writer is gone
            }
        }
    }

    /// Processes one file, sending its outcome to the writer.
    fn process(&self, job: &Job<'_>) -> Sent {
        let file = job.file;
        let result = if file.size > self.opts.max_file_size {
            Err(FileError::TooLarge {
                size: file.size,
                limit: self.opts.max_file_size,
            })
        } else {
            // A panic anywhere in one file's processing costs that file only.
            guarded("internal error while indexing", || self.read(job)).and_then(|r| r)
        };
        match result {
            Ok(sent) => sent,
            Err(reason) => job.tx.send(Msg::Failed {
                file: job.i,
                record: output::failed_record(&self.fields, file, &reason.to_string()),
                reason,
            }),
        }
    }

    /// Reads one file the way its format and size call for.
    fn read(&self, job: &Job<'_>) -> Outcome {
        let large = job.file.size > STREAM_THRESHOLD;
        match job.file.format {
            Format::Jsonl => self.process_jsonl(job),
            Format::Text | Format::Markdown if large => self.process_pieces(job, TextChunks::open),
            Format::Html if large => self.process_pieces(job, PageSteps::open),
            _ => {
                let _deadline = FileDeadline::start(self.opts.file_timeout);
                self.process_whole(job)
            }
        }
    }

    /// A file read whole, extracted in-process or in a child process.
    fn process_whole(&self, job: &Job<'_>) -> Outcome {
        let file = job.file;
        // A child process reads the file itself: here it is only hashed, in
        // a stream, so a large PDF is never whole in this process.
        let (bytes, hash) = if self.in_child(file) {
            (None, hash_path(&file.path)?)
        } else {
            let bytes = std::fs::read(&file.path).map_err(FileError::Read)?;
            let hash = blake3::hash(&bytes).to_hex().to_string();
            (Some(bytes), hash)
        };
        if let Some(sent) = self.touch_if_unchanged(job, &hash) {
            return Ok(sent);
        }
        let mut extracted = match self.extract(file, bytes) {
            Ok(extracted) => extracted,
            Err(FileError::Extract(ExtractError::Empty)) => {
                return Ok(self.nothing_to_index(job, &hash))
            }
            Err(e) => return Err(e),
        };
        name_untitled(&mut extracted, file);
        let split = split_guarded(&extracted)?;
        let (read, unread) = (extracted.ocr_pages.len() as u64, &extracted.unread_pages);
        if read > 0 || !unread.is_empty() {
            let scanned = Msg::Scanned {
                file: job.i,
                read,
                unread: unread.clone(),
                ocr: self.opts.extract.ocr.is_some(),
            };
            if let Err(e) = job.tx.send(scanned) {
                return Ok(Err(e));
            }
        }
        let mut out = self.output(job);
        out.add(&file.source, &extracted, &split, 0);
        Ok(out.finish_with(
            &hash,
            &split.title,
            extracted.offsets,
            extracted.date,
            unread,
        ))
    }

    /// JSON Lines: one document per record, read in a stream and sent in
    /// batches; `doc_id` is the record's `_id`, lines are the record's line.
    fn process_jsonl(&self, job: &Job<'_>) -> Outcome {
        let file = job.file;
        let hash = hash_path(&file.path)?;
        if let Some(sent) = self.touch_if_unchanged(job, &hash) {
            return Ok(sent);
        }
        let mut out = self.output(job);
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
            out.add(&record.id, &extracted, &split, 0);
            if out.pending() >= BATCH {
                sent = out.flush();
            }
            sent.is_ok()
        })
        .map_err(FileError::Read)?;
        if let Err(e) = sent {
            return Ok(Err(e));
        }
        if stats.records == 0 {
            return Err(FileError::NoRecords);
        }
        if stats.bad_lines > 0 {
            let reason = FileError::BadLines {
                count: stats.bad_lines,
                first: stats.first_bad.unwrap_or(0),
            };
            if let Err(e) = job.tx.send(Msg::Partly {
                file: job.i,
                reason,
            }) {
                return Ok(Err(e));
            }
        }
        Ok(out.finish(&hash, &file_name(file), Offsets::Extracted, None))
    }

    /// A large file read piece by piece, so memory stays bounded: each
    /// piece is split and sent on its own, passages numbered on across them.
    /// The file is read twice: once to count its words, since every passage
    /// carries its whole document's length, and once to send its passages.
    fn process_pieces<P: Pieces>(
        &self,
        job: &Job<'_>,
        open: impl Fn(&FileEntry) -> std::result::Result<P, FileError>,
    ) -> Outcome {
        let file = job.file;
        // Pieces hash what they read; only a changed file is hashed first.
        if job.plan == Plan::Verify {
            if let Some(sent) = self.touch_if_unchanged(job, &hash_path(&file.path)?) {
                return Ok(sent);
            }
        }
        let mut words = 0;
        match self.split_pieces(&mut open(file)?, file, |_, split| {
            words += split.words();
            true
        }) {
            // The second reading meets the same end, and reports it.
            Ok(_) | Err(FileError::Extract(ExtractError::Empty)) => {}
            Err(e) => return Err(e),
        }
        let mut pieces = open(file)?;
        let mut out = self.output(job).with_length(words);
        let mut sent: Sent = Ok(());
        let read = self.split_pieces(&mut pieces, file, |extracted, split| {
            let ordinal_base = out.total() as u32;
            out.add(&file.source, extracted, split, ordinal_base);
            sent = out.flush();
            sent.is_ok()
        });
        if let Err(e) = sent {
            return Ok(Err(e));
        }
        match read {
            Ok(Some((title, date))) => {
                Ok(out.finish(&pieces.hash(), &title, pieces.offsets(), date))
            }
            Ok(None) | Err(FileError::Extract(ExtractError::Empty)) => {
                Ok(self.nothing_to_index(job, &pieces.hash()))
            }
            Err(e) => Err(e),
        }
    }

    /// Hands `each` every piece of `pieces` in turn, extracted and split,
    /// until it returns false. The pieces are titled and dated as one
    /// document: by the first piece (see [`Pieces::inherits_title`]).
    /// Returns that title and date, or `None` if there was no piece.
    fn split_pieces<P: Pieces>(
        &self,
        pieces: &mut P,
        file: &FileEntry,
        mut each: impl FnMut(&Extracted, &Split) -> bool,
    ) -> std::result::Result<Option<(String, Option<PubDate>)>, FileError> {
        let mut first: Option<(String, Option<PubDate>)> = None;
        while let Some(mut piece) = pieces.next(self.opts.file_timeout)? {
            match &first {
                None => {
                    // The date is the first piece's: a dateline is at the
                    // top. Settled before the file's name can title it, as
                    // a whole file's is.
                    let e = &piece.extracted;
                    piece.extracted.date =
                        extract::date::settle(e.date, e.title.as_deref(), &e.text);
                    name_untitled(&mut piece.extracted, file);
                }
                Some((title, date)) => {
                    if pieces.inherits_title() {
                        piece.extracted.title.get_or_insert_with(|| title.clone());
                    }
                    piece.extracted.date = *date;
                }
            }
            let split = split_guarded(&piece.extracted)?;
            let date = piece.extracted.date;
            first.get_or_insert_with(|| (split.title.clone(), date));
            if !each(&piece.extracted, &split) {
                break;
            }
        }
        Ok(first)
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
    ) -> std::result::Result<Extracted, FileError> {
        Ok(match (&self.opts.isolate, bytes) {
            (Some(exe), _) if file.format.isolated() => isolate::extract_in_child(
                exe,
                file.format,
                &file.path,
                self.opts.file_timeout,
                self.opts.max_file_memory,
                &self.opts.extract,
            )?,
            (_, Some(bytes)) => guarded("extractor failed", || {
                extract::extract_with(file.format, bytes, &self.opts.extract)
            })??,
            (_, None) => extract::extract_file(file.format, &file.path, &self.opts.extract)?,
        })
    }

    /// The shared start of every path: a file whose size or mtime changed
    /// but whose content (`hash`) is what was indexed only has its record
    /// renewed. `Some` if so, with the outcome of sending it.
    fn touch_if_unchanged(&self, job: &Job<'_>, hash: &str) -> Option<Sent> {
        let old = (job.plan == Plan::Verify)
            .then(|| self.known.get(&job.file.key))
            .flatten()
            .filter(|r| r.hash == hash)?;
        let record = output::renewed_record(&self.fields, job.file, old);
        Some(job.tx.send(Msg::Touch {
            file: job.i,
            record,
        }))
    }

    /// A file with no text: indexed with no passages (whatever it held
    /// before goes), with one warning.
    fn nothing_to_index(&self, job: &Job<'_>, hash: &str) -> Sent {
        job.tx.send(Msg::Partly {
            file: job.i,
            reason: ExtractError::Empty.into(),
        })?;
        self.output(job)
            .finish(hash, &file_name(job.file), Offsets::File, None)
    }

    fn output<'s>(&'s self, job: &Job<'s>) -> FileOutput<'s> {
        FileOutput::new(&self.fields, job.file, job.i, job.tx)
    }
}

/// The file's name: the title of a file with no title of its own.
fn file_name(file: &FileEntry) -> String {
    file.path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A document that names itself nowhere is called by its file's cleaned
/// name, which a reader recognises, not by its first sentence; unless the
/// name is a hash or a number (see [`title::from_file_name`]).
fn name_untitled(extracted: &mut Extracted, file: &FileEntry) {
    if extracted.title.is_none() {
        extracted.title = title::from_file_name(&file_name(file));
    }
}

fn split_guarded(extracted: &Extracted) -> std::result::Result<Split, FileError> {
    guarded("passage splitting failed", || passage::split(extracted))
}

/// Runs `f`, turning an unwind into the file's warning reason: a panic, or
/// the file's time running out (see [`crate::limits`]), costs that file only.
fn guarded<T>(stage: &'static str, f: impl FnOnce() -> T) -> std::result::Result<T, FileError> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| match payload.downcast_ref::<OutOfTime>() {
        Some(out) => FileError::OutOfTime(out.limit),
        None => FileError::Panicked {
            stage,
            message: panic_message(&payload),
        },
    })
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    integrity::panic_text(panic.as_ref()).unwrap_or_else(|| "unknown cause".to_string())
}

/// Opens a file to index.
pub(super) fn open_file(path: &Path) -> std::result::Result<std::fs::File, FileError> {
    std::fs::File::open(path).map_err(FileError::Read)
}

/// The content hash of the file at `path`, read in a stream.
fn hash_path(path: &Path) -> std::result::Result<String, FileError> {
    hash_file(open_file(path)?).map_err(FileError::Read)
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
