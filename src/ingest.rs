//! The `index` command: walk → extract → split → write, in parallel.
//!
//! Files are processed by a small pool of worker threads; each worker extracts
//! and splits one file and hands its documents to the tantivy writer, which
//! indexes on its own threads. A file that fails (unreadable, undecodable, or
//! an extractor panic) is reported and skipped; it never stops the run.

use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tantivy::indexer::UserOperation;
use tantivy::{TantivyDocument, Term};

use crate::error::Result;
use crate::extract::{self, Extracted, Offsets};
use crate::index::PolicyIndex;
use crate::passage::{self, Split};
use crate::progress::Progress;
use crate::schema::{Fields, KIND_FILE, KIND_PASSAGE};
use crate::walk::{self, FileEntry, Root};

/// Options of one `index` run.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Files and folders to index.
    pub paths: Vec<PathBuf>,
    /// The index directory.
    pub index_dir: PathBuf,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Show a progress bar when stderr is a terminal.
    pub progress: bool,
    /// Start over: drop everything indexed before, in the same commit.
    pub rebuild: bool,
}

/// What an `index` run did.
#[derive(Debug, Clone, Default)]
pub struct IndexSummary {
    /// Files indexed.
    pub files: u64,
    /// Passages written.
    pub passages: u64,
    /// Bytes of input read.
    pub bytes: u64,
    /// Files skipped, with the reason.
    pub skipped: Vec<(String, String)>,
    /// Wall-clock time.
    pub elapsed: Duration,
}

impl fmt::Display for IndexSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mb = self.bytes as f64 / 1e6;
        let secs = self.elapsed.as_secs_f64();
        write!(
            f,
            "indexed {} files, {} passages, {:.2} MB in {:.2} s ({:.2} MB/s)",
            self.files,
            self.passages,
            mb,
            secs,
            if secs > 0.0 { mb / secs } else { 0.0 }
        )?;
        if !self.skipped.is_empty() {
            write!(f, "; skipped {}", self.skipped.len())?;
        }
        Ok(())
    }
}

/// Stable 64-bit key of a source path: the delete key of a file's documents.
pub fn file_key(source: &str) -> u64 {
    let hash = blake3::hash(source.as_bytes());
    u64::from_le_bytes(hash.as_bytes()[..8].try_into().expect("8 bytes"))
}

/// Indexes `opts.paths` into the index at `opts.index_dir`, creating it if needed.
pub fn run(opts: &IndexOptions) -> Result<IndexSummary> {
    let started = Instant::now();
    let roots: Vec<Root> = opts
        .paths
        .iter()
        .map(|p| Root {
            path: p.clone(),
            collection: walk::collection_name(p),
        })
        .collect();
    let found = walk::walk(&roots)?;
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
    let mut writer = index.writer(threads, 64_000_000 * threads)?;
    if opts.rebuild {
        writer.delete_all_documents()?;
    }

    let total_bytes: u64 = found.files.iter().map(|f| f.size).sum();
    let progress = Progress::new(found.files.len() as u64, total_bytes, opts.progress);
    let mut skipped: Vec<(String, String)> = Vec::new();
    for (path, reason) in &found.problems {
        progress.warn(&format!("{path}: {reason}"));
        skipped.push((path.clone(), reason.clone()));
    }

    let next = AtomicUsize::new(0);
    let done = AtomicU64::new(0);
    let passages = AtomicU64::new(0);
    let bytes = AtomicU64::new(0);
    let failures: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
    let write_error: Mutex<Option<tantivy::TantivyError>> = Mutex::new(None);
    let files = &found.files;
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(file) = files.get(i) else { break };
                match process(file, &index.fields) {
                    Ok(ops) => {
                        let n = ops.len() as u64 - 2;
                        match writer.run(ops) {
                            Ok(_) => {
                                passages.fetch_add(n, Ordering::Relaxed);
                                bytes.fetch_add(file.size, Ordering::Relaxed);
                            }
                            Err(e) => {
                                *write_error.lock().expect("lock") = Some(e);
                                next.store(usize::MAX / 2, Ordering::Relaxed);
                            }
                        }
                    }
                    Err(reason) => {
                        progress.warn(&format!("{}: {reason}", file.source));
                        failures
                            .lock()
                            .expect("lock")
                            .push((file.source.clone(), reason));
                    }
                }
                let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                progress.file_done(file.size, d, files.len() as u64);
            });
        }
    });
    progress.finish();
    if let Some(e) = write_error.into_inner().expect("lock") {
        return Err(e.into());
    }
    index.commit(&mut writer)?;
    writer.wait_merging_threads()?;

    let failures = failures.into_inner().expect("lock");
    skipped.extend(failures);
    Ok(IndexSummary {
        files: files.len() as u64 - skipped.len().min(files.len()) as u64,
        passages: passages.into_inner(),
        bytes: bytes.into_inner(),
        skipped,
        elapsed: started.elapsed(),
    })
}

/// Extracts and splits one file into the operations that replace its
/// documents in the index: delete the old ones, add the record, add passages.
fn process(file: &FileEntry, fields: &Fields) -> std::result::Result<Vec<UserOperation>, String> {
    let bytes = std::fs::read(&file.path).map_err(|e| format!("cannot read: {e}"))?;
    let hash = blake3::hash(&bytes).to_hex().to_string();
    let format = file.format;
    let outcome = catch_unwind(AssertUnwindSafe(|| -> std::result::Result<_, String> {
        let extracted = extract::extract(format, bytes).map_err(|e| e.to_string())?;
        let split = passage::split(&extracted);
        Ok((extracted, split))
    }));
    let (extracted, split) = match outcome {
        Ok(result) => result?,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown cause".to_string());
            return Err(format!("extractor failed ({what})"));
        }
    };
    Ok(operations(file, fields, &hash, &extracted, &split))
}

fn operations(
    file: &FileEntry,
    f: &Fields,
    hash: &str,
    extracted: &Extracted,
    split: &Split,
) -> Vec<UserOperation> {
    let key = file_key(&file.source);
    let mut ops = Vec::with_capacity(split.passages.len() + 2);
    ops.push(UserOperation::Delete(Term::from_field_u64(f.file_key, key)));

    let offsets = match extracted.offsets {
        Offsets::File => 0,
        Offsets::Extracted => 1,
    };
    let mut record = TantivyDocument::new();
    record.add_u64(f.kind, KIND_FILE);
    record.add_u64(f.file_key, key);
    record.add_text(f.collection, &file.collection);
    record.add_text(f.source, &file.source);
    record.add_text(f.doc_id, &file.source);
    record.add_text(f.title, &split.title);
    record.add_u64(f.size, file.size);
    record.add_u64(f.mtime, file.mtime);
    record.add_text(f.hash, hash);
    record.add_text(f.format, file.format.name());
    record.add_u64(f.passages, split.passages.len() as u64);
    record.add_u64(f.offsets, offsets);
    ops.push(UserOperation::Add(record));

    for p in &split.passages {
        let quote = &extracted.text[p.range.clone()];
        let mut doc = TantivyDocument::new();
        doc.add_u64(f.kind, KIND_PASSAGE);
        doc.add_u64(f.file_key, key);
        doc.add_text(f.collection, &file.collection);
        doc.add_text(f.source, &file.source);
        doc.add_text(f.doc_id, &file.source);
        doc.add_text(f.title, &split.title);
        if let Some(h) = &p.heading {
            doc.add_text(f.heading, h);
        }
        doc.add_text(f.body, extracted.markup.index_text(quote));
        let context = match &p.heading {
            Some(h) => format!("{}\n{}", split.title, h),
            None => split.title.clone(),
        };
        doc.add_text(f.context, context);
        doc.add_text(f.quote, quote);
        doc.add_u64(f.ordinal, p.ordinal as u64);
        doc.add_u64(f.byte_start, p.range.start as u64);
        doc.add_u64(f.byte_end, p.range.end as u64);
        doc.add_u64(f.line_start, p.line_start as u64);
        doc.add_u64(f.line_end, p.line_end as u64);
        if let Some(page) = p.page {
            doc.add_u64(f.page, page as u64);
        }
        doc.add_u64(f.offsets, offsets);
        ops.push(UserOperation::Add(doc));
    }
    ops
}

/// The default corpus: `seeds/` in the working directory.
pub fn default_paths() -> Vec<PathBuf> {
    vec![Path::new("seeds").to_path_buf()]
}
