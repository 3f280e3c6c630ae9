//! Walking the input paths: which files to index, and what to call them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use walkdir::{DirEntry, WalkDir};

use crate::error::{Error, Result};
use crate::extract::Format;

/// A file to index.
#[derive(Debug, Clone)]
pub struct FileEntry {
    /// Canonical absolute path: what is opened, and (as bytes) the file's
    /// identity in the index.
    pub path: PathBuf,
    /// [`FileEntry::path`] as bytes, losslessly.
    pub key: Vec<u8>,
    /// The path as walked (the canonical root joined with the path below
    /// it), shown and searched with `--source`; lossy if not UTF-8.
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

impl FileEntry {
    /// The path as people see it (see [`crate::paths::shown`]).
    pub fn shown(&self) -> String {
        crate::paths::shown(&self.source)
    }
}

/// A root given on the command line.
#[derive(Debug, Clone)]
pub struct Root {
    /// The path, canonical and absolute.
    pub path: PathBuf,
    /// The collection name: the root's folder name.
    pub collection: String,
}

impl Root {
    /// The root at `given` (as typed), made canonical; an error if it does
    /// not exist or cannot be resolved.
    pub fn new(given: &Path, collection: Option<String>) -> Result<Root> {
        let path = std::fs::canonicalize(given).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::MissingInput {
                path: given.to_path_buf(),
            },
            _ => Error::io(given, e),
        })?;
        let collection = collection.unwrap_or_else(|| collection_name(given));
        Ok(Root { path, collection })
    }
}

/// What the walk found, and what it could not read.
#[derive(Debug, Default)]
pub struct Walk {
    /// Indexable files, in a stable order.
    pub files: Vec<FileEntry>,
    /// Entries that could not be walked: path as shown, and reason.
    pub problems: Vec<(String, String)>,
    /// Files of formats we do not read, as walked (lossy if not UTF-8):
    /// never silently passed over.
    pub unsupported: Vec<String>,
    /// Paths whose contents the walk could not see (an unreadable folder,
    /// a file whose metadata failed): what is indexed below them is kept
    /// as it is, unchecked. Both the walked and the canonical form.
    pub unreadable: Vec<PathBuf>,
}

/// Walks `roots` recursively (following symlinks, skipping hidden entries
/// and index folders) and collects the files of formats we read.
/// Unreadable entries below a root are reported in [`Walk::problems`] and
/// [`Walk::unreadable`].
pub fn walk(roots: &[Root]) -> Walk {
    let mut out = Walk::default();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    for root in roots {
        let walker = WalkDir::new(&root.path)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_skipped(e));
        for entry in walker {
            match entry {
                Ok(entry) => out.entry(entry, root, &mut seen),
                Err(err) => out.walk_error(&err, root),
            }
        }
    }
    out
}

/// The collection name of a root: its last component (`seeds/` → `seeds`).
pub fn collection_name(root: &Path) -> String {
    let named = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
    named(root)
        .or_else(|| std::fs::canonicalize(root).ok().and_then(|p| named(&p)))
        .unwrap_or_else(|| "root".to_string())
}

/// The collection most of the indexed files below `dir` are in, if any
/// are (ties to the first name): where a folder's files belong.
pub fn collection_below<'r>(
    records: impl IntoIterator<Item = &'r crate::index::documents::FileRecord>,
    dir: &Path,
) -> Option<String> {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for r in records.into_iter().filter(|r| r.path.starts_with(dir)) {
        *counts.entry(r.collection.as_str()).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(c, _)| c.to_string())
}

/// How many files of each unsupported extension (`.csv`, or the name
/// for a file without one), most first: what a run passed over.
pub fn by_extension(files: &[String]) -> Vec<(String, u64)> {
    let mut counts: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for f in files {
        let ext = Path::new(f)
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy().to_lowercase()))
            .unwrap_or_else(|| "no extension".to_string());
        *counts.entry(ext).or_default() += 1;
    }
    let mut out: Vec<_> = counts.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// Modification time in nanoseconds since the Unix epoch (0 if unknown).
pub fn mtime_nanos(meta: &std::fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

impl Walk {
    /// Takes a walked entry if it is a file of a format we read, not seen
    /// before (by its canonical path).
    fn entry(&mut self, entry: DirEntry, root: &Root, seen: &mut HashSet<PathBuf>) {
        if !entry.file_type().is_file() {
            return;
        }
        let Some(format) = Format::from_path(entry.path()) else {
            self.unsupported
                .push(entry.path().to_string_lossy().into_owned());
            return;
        };
        let meta = entry.metadata();
        let canonical = std::fs::canonicalize(entry.path());
        let (meta, canonical) = match (meta, canonical) {
            (Ok(m), Ok(c)) => (m, c),
            (Err(err), _) => return self.problem(entry.into_path(), err.to_string()),
            (_, Err(err)) => return self.problem(entry.into_path(), err.to_string()),
        };
        if !seen.insert(canonical.clone()) {
            return;
        }
        let walked = entry.into_path();
        self.files.push(FileEntry {
            key: crate::paths::to_bytes(&canonical),
            lossy_name: walked.to_str().is_none(),
            source: walked.to_string_lossy().into_owned(),
            path: canonical,
            format,
            size: meta.len(),
            mtime: mtime_nanos(&meta),
            collection: root.collection.clone(),
        });
    }

    /// Notes an entry below `root` that could not be walked.
    fn walk_error(&mut self, err: &walkdir::Error, root: &Root) {
        let path = err.path().unwrap_or(&root.path).to_path_buf();
        if err.loop_ancestor().is_some() {
            // Its target is walked anyway: nothing goes unseen.
            let shown = path.to_string_lossy().into_owned();
            self.problems
                .push((shown, "symbolic link loop".to_string()));
        } else {
            let reason = err
                .io_error()
                .map(|e| e.to_string())
                .unwrap_or_else(|| err.to_string());
            self.problem(path, reason);
        }
    }

    /// Is `path` at or below a path the walk could not read?
    pub fn unchecked(&self, path: &Path) -> bool {
        self.unreadable.iter().any(|u| path.starts_with(u))
    }

    fn problem(&mut self, path: PathBuf, reason: String) {
        self.problems
            .push((path.to_string_lossy().into_owned(), reason));
        self.unreadable_at(path);
    }

    fn unreadable_at(&mut self, path: PathBuf) {
        if let Ok(canonical) = std::fs::canonicalize(&path) {
            if canonical != path {
                self.unreadable.push(canonical);
            }
        }
        self.unreadable.push(path);
    }
}

/// Entries below a root that are not walked: hidden ones and index folders.
fn is_skipped(e: &DirEntry) -> bool {
    is_hidden(e.file_name()) || e.file_type().is_dir() && is_index(e.path())
}

/// Is `dir` an index (tantivy's, this tool's or another's)? Its files are
/// no documents: an index kept inside the folder it indexes (`index .`
/// with the default `./index`) would otherwise be listed, file by file, as
/// formats not read on every run.
fn is_index(dir: &Path) -> bool {
    use std::io::Read;
    // tantivy's `meta.json` opens with its settings: a user's `meta.json`
    // does not make a folder an index.
    let mut head = [0u8; 64];
    let Ok(mut meta) = std::fs::File::open(dir.join(crate::index::storage::META_FILE)) else {
        return false;
    };
    let read = meta.read(&mut head).unwrap_or(0);
    head[..read]
        .windows(b"\"index_settings\"".len())
        .any(|w| w == b"\"index_settings\"")
}

/// Hidden entries (`.git`, `.cache`) are not walked below a root.
pub fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

/// Would a walk of `root` visit `path`: is it below the root, with no
/// hidden component in between?
pub fn visits(root: &Path, path: &Path) -> bool {
    match path.strip_prefix(root) {
        Ok(rest) => !rest.components().any(|c| is_hidden(c.as_os_str())),
        Err(_) => false,
    }
}
