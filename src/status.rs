//! The `status` command: what the index holds, and what changed on disk since.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::extract::ocr::page_ranges;
use crate::index::documents::{records, FileRecord};
use crate::index::{format_utc, PolicyIndex};
use crate::ingest::walk::{self, Root};
use crate::paths;
use crate::terminal::visible;

/// Documents and passages of one collection.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CollectionStats {
    /// Collection name.
    pub name: String,
    /// Files indexed in it.
    pub documents: u64,
    /// Passages indexed from them.
    pub passages: u64,
}

/// Files whose state on disk differs from the index.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Changes {
    /// Indexed files whose size or modification time changed.
    pub modified: Vec<String>,
    /// Files under indexed paths that are not in the index.
    pub new: Vec<String>,
    /// Indexed files no longer on disk.
    pub deleted: Vec<String>,
}

/// A file the last run could not index; the next run tries it again.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Failed {
    /// The file, as shown.
    pub source: String,
    /// Why.
    pub reason: String,
}

/// A file with scanned pages that were not read.
#[derive(Debug, Clone, Serialize)]
pub struct Unread {
    /// The file, as shown.
    pub source: String,
    /// The pages (1-based) with no text layer.
    pub pages: Vec<u32>,
}

/// The state of an index.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// The index directory.
    pub index: PathBuf,
    /// On-disk format version.
    pub format: u32,
    /// Files indexed.
    pub documents: u64,
    /// Passages indexed.
    pub passages: u64,
    /// Per-collection counts.
    pub collections: Vec<CollectionStats>,
    /// Bytes the index takes on disk.
    pub index_bytes: u64,
    /// Bytes of the source files when they were indexed.
    pub source_bytes: u64,
    /// Last commit, seconds since the Unix epoch.
    pub updated: u64,
    /// Paths indexed so far.
    pub roots: Vec<String>,
    /// What changed on disk since.
    pub changes: Changes,
    /// Files that could not be indexed, with the reason.
    pub failed: Vec<Failed>,
    /// Files indexed but for scanned pages with no text layer.
    pub unread: Vec<Unread>,
}

/// Gathers the status of `index`, comparing its records with the disk.
pub fn status(index: &PolicyIndex) -> Result<Status> {
    let info = index
        .commit_info()?
        .unwrap_or_else(|| crate::index::CommitInfo {
            format: crate::index::schema::FORMAT_VERSION,
            version: String::new(),
            updated: 0,
            roots: Vec::new(),
        });
    let all = records(index)?;
    let failed = all
        .iter()
        .filter_map(|r| {
            r.error.as_ref().map(|reason| Failed {
                source: paths::shown(&r.source),
                reason: reason.clone(),
            })
        })
        .collect();
    let unread = all
        .iter()
        .filter(|r| !r.unread_pages.is_empty())
        .map(|r| Unread {
            source: paths::shown(&r.source),
            pages: r.unread_pages.clone(),
        })
        .collect();
    let (records, failed_records): (Vec<FileRecord>, Vec<FileRecord>) =
        all.into_iter().partition(|r| r.error.is_none());
    let collections = tally(
        records
            .iter()
            .map(|r| (r.collection.as_str(), Some(r.passages))),
    );
    Ok(Status {
        index: index.path.clone(),
        format: info.format,
        documents: records.len() as u64,
        passages: records.iter().map(|r| r.passages).sum(),
        collections,
        index_bytes: dir_size(&index.path)?,
        source_bytes: records.iter().map(|r| r.size).sum(),
        updated: info.updated,
        changes: changes(&records, &failed_records, &info.roots),
        roots: info.roots,
        failed,
        unread,
    })
}

/// Per-collection counts of `(collection, passages)` pairs, one a file;
/// a file without passages (not indexed) names its collection, uncounted.
fn tally<'a>(files: impl Iterator<Item = (&'a str, Option<u64>)>) -> Vec<CollectionStats> {
    let mut counts: BTreeMap<&str, CollectionStats> = BTreeMap::new();
    for (name, passages) in files {
        let c = counts.entry(name).or_insert_with(|| CollectionStats {
            name: name.to_string(),
            documents: 0,
            passages: 0,
        });
        if let Some(p) = passages {
            c.documents += 1;
            c.passages += p;
        }
    }
    counts.into_values().collect()
}

fn changes(records: &[FileRecord], failed: &[FileRecord], roots: &[String]) -> Changes {
    let mut out = Changes::default();
    let known: HashSet<Vec<u8>> = records.iter().chain(failed).map(FileRecord::key).collect();
    for r in records {
        match std::fs::metadata(&r.path) {
            Err(_) => out.deleted.push(paths::shown(&r.source)),
            Ok(meta) => {
                if meta.len() != r.size || walk::mtime_nanos(&meta) != r.mtime {
                    out.modified.push(paths::shown(&r.source));
                }
            }
        }
    }
    let roots: Vec<Root> = roots
        .iter()
        .filter_map(|r| Root::new(Path::new(r), Some(String::new())).ok())
        .collect();
    out.new = walk::walk(&roots)
        .files
        .into_iter()
        .filter(|f| !known.contains(&f.key))
        .map(|f| f.shown())
        .collect();
    out
}

fn dir_size(dir: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        if let Ok(meta) = entry.metadata() {
            if meta.is_file() {
                total += meta.len();
            }
        }
    }
    Ok(total)
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mb = |b: u64| b as f64 / 1e6;
        writeln!(
            f,
            "index:        {} (format {})",
            visible(&self.index.display().to_string()),
            self.format
        )?;
        writeln!(f, "last update:  {}", format_utc(self.updated))?;
        writeln!(f, "documents:    {}", self.documents)?;
        writeln!(f, "passages:     {}", self.passages)?;
        writeln!(
            f,
            "size:         {:.2} MB on disk for {:.2} MB of source files",
            mb(self.index_bytes),
            mb(self.source_bytes)
        )?;
        writeln!(f, "collections:  {}", self.collections.len())?;
        for c in &self.collections {
            writeln!(
                f,
                "  {:<24} {:>7} documents {:>9} passages",
                visible(&c.name),
                c.documents,
                c.passages
            )?;
        }
        self.changes.fmt_lists(f)?;
        fmt_failed(f, &self.failed)?;
        fmt_unread(f, &self.unread)?;
        if !self.changes.is_empty() {
            writeln!(
                f,
                "run `policy-search index` on the same paths to bring the index up to date"
            )?;
        }
        Ok(())
    }
}

impl Changes {
    /// Nothing changed?
    fn is_empty(&self) -> bool {
        self.modified.len() + self.new.len() + self.deleted.len() == 0
    }

    /// The counts, then at most 20 paths of each kind.
    fn fmt_lists(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "changed on disk since: {} modified, {} new, {} deleted",
            self.modified.len(),
            self.new.len(),
            self.deleted.len()
        )?;
        for (label, list) in [
            ("modified", &self.modified),
            ("new", &self.new),
            ("deleted", &self.deleted),
        ] {
            for path in list.iter().take(20) {
                writeln!(f, "  {label:<9} {}", visible(path))?;
            }
            if list.len() > 20 {
                writeln!(f, "  … and {} more {label}", list.len() - 20)?;
            }
        }
        Ok(())
    }
}

/// The files that could not be indexed, at most 20 of them, if any.
fn fmt_failed(f: &mut fmt::Formatter<'_>, failed: &[Failed]) -> fmt::Result {
    if failed.is_empty() {
        return Ok(());
    }
    writeln!(
        f,
        "could not be indexed: {} (the next `policy-search index` tries again)",
        failed.len()
    )?;
    for file in failed.iter().take(20) {
        writeln!(f, "  {}: {}", visible(&file.source), visible(&file.reason))?;
    }
    if failed.len() > 20 {
        writeln!(f, "  … and {} more", failed.len() - 20)?;
    }
    Ok(())
}

/// The files with scanned pages not read, at most 20 of them, if any.
fn fmt_unread(f: &mut fmt::Formatter<'_>, unread: &[Unread]) -> fmt::Result {
    if unread.is_empty() {
        return Ok(());
    }
    let pages: usize = unread.iter().map(|u| u.pages.len()).sum();
    writeln!(
        f,
        "scanned pages not read: {pages} in {} files (no text layer; `policy-search index --ocr` reads them)",
        unread.len()
    )?;
    for file in unread.iter().take(20) {
        writeln!(
            f,
            "  {}: page{} {}",
            visible(&file.source),
            if file.pages.len() == 1 { "" } else { "s" },
            page_ranges(&file.pages)
        )?;
    }
    if unread.len() > 20 {
        writeln!(f, "  … and {} more", unread.len() - 20)?;
    }
    Ok(())
}

/// How a file of the library stands.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum FileState {
    /// Its passages are searchable.
    Indexed,
    /// It could not be indexed (`reason` says why); the next run tries again.
    Failed,
    /// Below an indexed folder, in a format policy-search does not read.
    Unsupported,
}

/// One file of the library, as `list` shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Listed {
    /// Its collection.
    pub collection: String,
    /// The file, as shown.
    pub source: String,
    /// Its title (empty unless indexed).
    pub title: String,
    /// Its format (`pdf`, `html`, …; empty if unsupported).
    pub format: String,
    /// Passages indexed from it.
    pub passages: u64,
    /// Indexed, failed or unsupported.
    pub status: FileState,
    /// Why it failed.
    pub reason: Option<String>,
    /// Its date, ISO 8601 as precise as known, if it has one.
    pub date: Option<String>,
    /// Where the date came from (`metadata`, `text`, `created`).
    pub date_source: Option<&'static str>,
    /// Pages (1-based) that are scans with no text layer, not read.
    pub unread_pages: Vec<u32>,
}

/// The library: every collection with its counts, and every file in it.
#[derive(Debug, Clone, Serialize)]
pub struct Library {
    /// Per-collection counts of indexed files and passages.
    pub collections: Vec<CollectionStats>,
    /// The files, by collection and path.
    pub documents: Vec<Listed>,
}

/// Lists what the index holds (of `collections`, if any are named):
/// indexed and failed files from their records, and files of formats not
/// read found below the indexed folders now.
pub fn list(index: &PolicyIndex, collections: &[String]) -> Result<Library> {
    let wanted = |c: &str| collections.is_empty() || collections.iter().any(|w| w == c);
    let all = records(index)?;
    let mut documents: Vec<Listed> = all
        .iter()
        .filter(|r| wanted(&r.collection))
        .map(|r| Listed {
            collection: r.collection.clone(),
            source: paths::shown(&r.source),
            title: r.title.clone(),
            format: r.format.clone(),
            passages: r.passages,
            status: if r.error.is_some() {
                FileState::Failed
            } else {
                FileState::Indexed
            },
            reason: r.error.clone(),
            date: r.date.map(|d| d.day.iso()),
            date_source: r.date.map(|d| d.source.name()),
            unread_pages: r.unread_pages.clone(),
        })
        .collect();
    let roots = index.commit_info()?.map(|c| c.roots).unwrap_or_default();
    for root in roots {
        let Ok(root) = Root::new(Path::new(&root), Some(String::new())) else {
            continue;
        };
        let collection = walk::collection_below(&all, &root.path)
            .unwrap_or_else(|| walk::collection_name(&root.path));
        if !wanted(&collection) {
            continue;
        }
        for source in walk::walk(std::slice::from_ref(&root)).unsupported {
            documents.push(Listed {
                collection: collection.clone(),
                source: paths::shown(&source),
                title: String::new(),
                format: String::new(),
                passages: 0,
                status: FileState::Unsupported,
                reason: None,
                date: None,
                date_source: None,
                unread_pages: Vec::new(),
            });
        }
    }
    documents.sort_by(|a, b| (&a.collection, &a.source).cmp(&(&b.collection, &b.source)));
    documents.dedup_by(|a, b| a.collection == b.collection && a.source == b.source);
    let collections = tally(documents.iter().map(|d| {
        let indexed = d.status == FileState::Indexed;
        (d.collection.as_str(), indexed.then_some(d.passages))
    }));
    Ok(Library {
        collections,
        documents,
    })
}

impl fmt::Display for Library {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.collections {
            writeln!(
                f,
                "{} ({} documents, {} passages)",
                visible(&c.name),
                c.documents,
                c.passages
            )?;
            for d in self.documents.iter().filter(|d| d.collection == c.name) {
                let source = visible(&d.source);
                match d.status {
                    FileState::Indexed => {
                        let date = d
                            .date
                            .as_deref()
                            .map(|iso| format!(" ({iso})"))
                            .unwrap_or_default();
                        let unread = match d.unread_pages.len() {
                            0 => String::new(),
                            n => format!(
                                " [{n} scanned page{} not read: {}]",
                                if n == 1 { "" } else { "s" },
                                page_ranges(&d.unread_pages)
                            ),
                        };
                        writeln!(
                            f,
                            "  {:>8}  {source}  {}{date}{unread}",
                            d.passages,
                            visible(&d.title)
                        )?
                    }
                    FileState::Failed => writeln!(
                        f,
                        "  {:>8}  {source}: {}",
                        "failed",
                        visible(d.reason.as_deref().unwrap_or_default())
                    )?,
                    FileState::Unsupported => {
                        writeln!(f, "  {:>8}  {source} (format not supported)", "not read")?
                    }
                }
            }
        }
        Ok(())
    }
}
