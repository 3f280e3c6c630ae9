//! Walking the input paths: which files to index, and what to call them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use walkdir::WalkDir;

use crate::error::{Error, Result};
use crate::extract::Format;

/// A file to index.
#[derive(Debug, Clone)]
pub struct FileEntry {
    /// Path to open.
    pub path: PathBuf,
    /// The path as shown and stored: the root as given joined with the path below it.
    pub source: String,
    /// Its format.
    pub format: Format,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch (0 if unknown).
    pub mtime: u64,
    /// Name of the collection (indexed root) it belongs to.
    pub collection: String,
    /// The file name is not valid UTF-8; `source` shows it lossily.
    pub lossy_name: bool,
}

/// A root given on the command line, and the files found under it.
#[derive(Debug, Clone)]
pub struct Root {
    /// The path as given.
    pub path: PathBuf,
    /// The collection name: the root's folder name.
    pub collection: String,
}

/// What the walk found, and what it could not read.
#[derive(Debug, Default)]
pub struct Walk {
    /// Indexable files, in a stable order.
    pub files: Vec<FileEntry>,
    /// Entries that could not be walked: path and reason.
    pub problems: Vec<(String, String)>,
}

/// The collection name of a root: its last component (`seeds/` → `seeds`).
pub fn collection_name(root: &Path) -> String {
    let named = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
    named(root)
        .or_else(|| std::fs::canonicalize(root).ok().and_then(|p| named(&p)))
        .unwrap_or_else(|| "root".to_string())
}

/// Modification time in nanoseconds since the Unix epoch (0 if unknown).
pub fn mtime_nanos(meta: &std::fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// Walks `roots` recursively (following symlinks, skipping hidden entries)
/// and collects the files of formats we read. A root that does not exist is
/// an error; unreadable entries below a root are reported in [`Walk::problems`].
pub fn walk(roots: &[Root]) -> Result<Walk> {
    let mut out = Walk::default();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    for root in roots {
        if std::fs::metadata(&root.path).is_err() {
            return Err(Error::MissingInput {
                path: root.path.clone(),
            });
        }
        let walker = WalkDir::new(&root.path)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    let path = err
                        .path()
                        .map(|p| p.display().to_string())
                        .unwrap_or_else(|| root.path.display().to_string());
                    let reason = if err.loop_ancestor().is_some() {
                        "symbolic link loop".to_string()
                    } else {
                        err.io_error()
                            .map(|e| e.to_string())
                            .unwrap_or_else(|| err.to_string())
                    };
                    out.problems.push((path, reason));
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let Some(format) = Format::from_path(entry.path()) else {
                continue;
            };
            let canonical =
                std::fs::canonicalize(entry.path()).unwrap_or_else(|_| entry.path().to_path_buf());
            if !seen.insert(canonical) {
                continue;
            }
            let meta = match entry.metadata() {
                Ok(m) => m,
                Err(err) => {
                    out.problems
                        .push((entry.path().display().to_string(), err.to_string()));
                    continue;
                }
            };
            let mtime = mtime_nanos(&meta);
            // `index .` names files `a.txt`, not `./a.txt`.
            let shown = entry.path().strip_prefix("./").unwrap_or(entry.path());
            out.files.push(FileEntry {
                lossy_name: shown.to_str().is_none(),
                source: shown.to_string_lossy().into_owned(),
                path: entry.into_path(),
                format,
                size: meta.len(),
                mtime,
                collection: root.collection.clone(),
            });
        }
    }
    Ok(out)
}
