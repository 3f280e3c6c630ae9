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
//! hang) is reported ([`FileError`]) and skipped; its record keeps the
//! reason, and the next run tries it again. The library prints nothing: the
//! caller hears of progress and warnings through [`Progress`].

mod file_error;
pub mod forget;
pub mod isolate;
mod output;
mod pieces;
mod plan;
mod progress;
pub(crate) mod walk;
mod worker;
mod writer;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicUsize;
use std::time::{Duration, Instant};

use tantivy::{IndexWriter, Term};

use crate::error::Result;
use crate::extract::ExtractOptions;
use crate::index::documents::{records, FileRecord};
use crate::index::{statistics, PolicyIndex};

pub use file_error::FileError;
pub use progress::Progress;
use walk::{Root, Walk};
use worker::WorkerContext;
use writer::Writer;

/// Options of one `index` run.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Files and folders to index.
    pub paths: Vec<PathBuf>,
    /// The index directory.
    pub index_dir: PathBuf,
    /// Collection name for all roots of this run (default: each root's folder name).
    pub collection: Option<String>,
    /// Worker threads, and as many tantivy indexing threads (0: one per
    /// core).
    pub threads: usize,
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
    /// How files are extracted (OCR of scanned pages).
    pub extract: ExtractOptions,
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
            rebuild: false,
            commit_interval: Duration::from_secs(10),
            isolate: None,
            file_timeout: Duration::from_secs(120),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            max_file_memory: DEFAULT_MAX_FILE_MEMORY,
            extract: ExtractOptions::default(),
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
    /// Files passed over because their format is not one we read, as shown.
    pub unsupported: Vec<String>,
    /// Scanned pages (no text layer) left unread, and the files they are in.
    pub unread_pages: u64,
    /// Files with scanned pages left unread.
    pub unread_files: u64,
    /// Scanned pages read by OCR.
    pub ocr_pages: u64,
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
        if !self.unsupported.is_empty() {
            let kinds: Vec<String> = walk::by_extension(&self.unsupported)
                .into_iter()
                .map(|(ext, n)| format!("{n} {ext}"))
                .collect();
            write!(f, "; not read (format not supported): {}", kinds.join(", "))?;
        }
        if self.ocr_pages > 0 {
            write!(f, "; OCR read {} scanned pages", self.ocr_pages)?;
        }
        if self.unread_pages > 0 {
            write!(
                f,
                "; {} scanned pages in {} files not read (no text layer)",
                self.unread_pages, self.unread_files,
            )?;
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

/// Indexes `opts.paths` into the index at `opts.index_dir`, creating it if
/// needed, telling `progress` how it goes.
pub fn run(opts: &IndexOptions, progress: &mut dyn Progress) -> Result<IndexSummary> {
    let started = Instant::now();
    // A path that does not exist is an error before anything is created.
    let mut roots: Vec<Root> = opts
        .paths
        .iter()
        .map(|p| Root::new(p, opts.collection.clone()))
        .collect::<Result<_>>()?;
    let index = if opts.rebuild {
        PolicyIndex::open_for_rebuild(&opts.index_dir)?
    } else {
        PolicyIndex::open_or_create(&opts.index_dir)?
    };
    let threads = match opts.threads {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    };
    // Take the writer lock before anything slow, so a second `index` fails at once.
    let mut writer = index.writer(threads, 64_000_000 * threads)?;
    let known = known_records(&index, opts.rebuild)?;
    if opts.collection.is_none() {
        let before = index.commit_info()?.map(|c| c.roots).unwrap_or_default();
        inherit_collections(&mut roots, &before, &known);
    }
    let found = walk::walk(&roots);
    let indexed_roots = indexed_roots(&index, &roots, opts.rebuild)?;
    if opts.rebuild {
        // Nothing is committed until the end (see `Writer::apply`), so
        // until then the old index stays whole and searchable.
        writer.delete_all_documents()?;
    }
    let work = plan::plan(&found, &known, &roots, opts.extract.ocr.is_some());
    let mut summary = start(&index, &mut writer, &found, &work, progress);
    let ctx = WorkerContext {
        fields: index.fields,
        files: &found.files,
        work: &work.files,
        known: &known,
        opts,
        next: AtomicUsize::new(0),
    };
    let outcome = worker::run_workers(&ctx, threads, |rx| {
        Writer::new(
            &index,
            &mut writer,
            &ctx,
            &indexed_roots,
            progress,
            &mut summary,
        )
        .apply(rx)
    });
    progress.stage("saving the index");
    index.writer_failure(&mut writer, outcome)?;
    index.commit(&mut writer, &indexed_roots)?;
    writer.wait_merging_threads()?;
    // Fewer segments make every query cheaper; failing to merge them (a
    // full disk) leaves the committed index as it is.
    progress.stage("merging small segments");
    if let Err(e) = index.settle() {
        progress.warning(&format!("could not merge the index's small segments: {e}"));
    }
    // Queries then need not count every passage to rank documents; failing
    // to record costs them speed, not answers.
    progress.stage("recording statistics");
    let searcher = index.reader()?.searcher();
    if let Err(e) = statistics::record(&index, &searcher) {
        progress.warning(&format!("could not record document statistics: {e}"));
    }
    progress.finished();
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// What is indexed, by file key; nothing if rebuilding.
fn known_records(index: &PolicyIndex, rebuild: bool) -> Result<HashMap<Vec<u8>, FileRecord>> {
    if rebuild {
        return Ok(HashMap::new());
    }
    Ok(records(index)?.into_iter().map(|r| (r.key(), r)).collect())
}

/// A folder below a folder indexed before keeps the collection its files
/// were indexed into (re-indexing `reports/2024` leaves its documents in
/// `reports`, not in a new collection `2024`): the collection most of the
/// indexed files below it have, else below the nearest indexed folder above
/// it. Roots named with `--collection` are not passed here.
fn inherit_collections(
    roots: &mut [Root],
    indexed_before: &[String],
    known: &HashMap<Vec<u8>, FileRecord>,
) {
    for root in roots {
        let Some(above) = indexed_before
            .iter()
            .map(Path::new)
            .filter(|p| root.path.starts_with(p) && root.path != *p)
            .max_by_key(|p| p.components().count())
        else {
            continue;
        };
        if let Some(c) = walk::collection_below(known.values(), &root.path)
            .or_else(|| walk::collection_below(known.values(), above))
        {
            root.collection = c;
        }
    }
}

/// The paths the index will hold after this run: those indexed before
/// (unless rebuilding), then this run's roots.
fn indexed_roots(index: &PolicyIndex, roots: &[Root], rebuild: bool) -> Result<Vec<String>> {
    let mut indexed: Vec<String> = if rebuild {
        Vec::new()
    } else {
        index.commit_info()?.map(|c| c.roots).unwrap_or_default()
    };
    for root in roots {
        let r = root.path.to_string_lossy().into_owned();
        if !indexed.contains(&r) {
            indexed.push(r);
        }
    }
    Ok(indexed)
}

/// Deletes the files gone from disk, reports the work and what the walk
/// could not read, and returns the summary so far.
fn start(
    index: &PolicyIndex,
    writer: &mut IndexWriter,
    found: &Walk,
    work: &plan::Work,
    progress: &mut dyn Progress,
) -> IndexSummary {
    for &key in &work.gone {
        writer.delete_term(Term::from_field_u64(index.fields.file_key, key));
    }
    let mut summary = IndexSummary {
        unsupported: found
            .unsupported
            .iter()
            .map(|s| crate::paths::shown(s))
            .collect(),
        unchanged: work.unchanged,
        removed: work.gone.len() as u64,
        kept_unchecked: work.kept_unchecked,
        ..IndexSummary::default()
    };
    let total_bytes: u64 = work.files.iter().map(|&(i, _)| found.files[i].size).sum();
    progress.started(work.files.len() as u64, total_bytes);
    for (path, reason) in &found.problems {
        let path = crate::paths::shown(path);
        progress.warning(&format!("{path}: {reason}"));
        summary.skipped.push((path, reason.clone()));
    }
    for file in &found.files {
        if file.lossy_name {
            progress.warning(&format!(
                "{}: file name is not valid UTF-8; shown with U+FFFD in its place",
                file.shown()
            ));
        }
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every call a run makes, in order.
    #[derive(Default)]
    struct Recorded(Vec<String>);

    impl Progress for Recorded {
        fn started(&mut self, files: u64, _: u64) {
            self.0.push(format!("started {files}"));
        }
        fn file_done(&mut self, _: u64, done: u64, total: u64) {
            self.0.push(format!("file {done}/{total}"));
        }
        fn warning(&mut self, message: &str) {
            self.0.push(format!("warning {message}"));
        }
        fn stage(&mut self, what: &str) {
            self.0.push(format!("stage {what}"));
        }
        fn finished(&mut self) {
            self.0.push("finished".into());
        }
    }

    #[test]
    fn a_run_says_what_it_is_doing_after_the_files_until_it_is_done() {
        let dir = tempfile::tempdir().unwrap();
        let docs = dir.path().join("docs");
        std::fs::create_dir(&docs).unwrap();
        std::fs::write(docs.join("a.txt"), "Virtual wards free beds.\n").unwrap();
        std::fs::write(docs.join("b.txt"), "Discharge delays grew.\n").unwrap();
        let opts = IndexOptions::new(vec![docs], dir.path().join("idx"));
        let mut seen = Recorded::default();
        run(&opts, &mut seen).unwrap();
        assert_eq!(
            seen.0,
            [
                "started 2",
                "file 1/2",
                "file 2/2",
                "stage saving the index",
                "stage merging small segments",
                "stage recording statistics",
                "finished",
            ]
        );
    }
}
