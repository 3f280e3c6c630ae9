//! The index directory: creating, opening and validating it, and committing.
//!
//! Every commit carries a small JSON payload ([`CommitInfo`]) in tantivy's own
//! `meta.json`, written atomically with the commit. It records the on-disk
//! format, so an index written by an incompatible version is recognised
//! before it is misread.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use std::sync::Arc;

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle,
    WritePtr, INDEX_WRITER_LOCK, META_LOCK,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyError};

use crate::analysis::{Analyzer, PolicyTokenizer, ANALYZER_NAME};
use crate::error::{Error, Result};
use crate::index::schema::{self, Fields, FORMAT_VERSION};

/// What each commit records about itself.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CommitInfo {
    /// On-disk format version (`FORMAT_VERSION`).
    pub format: u32,
    /// Version of policy-search that made the commit.
    pub version: String,
    /// Commit time, seconds since the Unix epoch.
    pub updated: u64,
    /// The paths indexed into this index so far (as given, normalized), so
    /// `status` can tell which files changed on disk since.
    #[serde(default)]
    pub roots: Vec<String>,
}

impl CommitInfo {
    fn now(roots: &[String]) -> Self {
        CommitInfo {
            format: FORMAT_VERSION,
            version: env!("CARGO_PKG_VERSION").to_string(),
            updated: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            roots: roots.to_vec(),
        }
    }
}

/// An open policy-search index.
pub struct PolicyIndex {
    /// The tantivy index.
    pub index: Index,
    /// Its fields.
    pub fields: Fields,
    /// Its directory.
    pub path: PathBuf,
}

/// tantivy's record of the last commit.
pub const META_FILE: &str = "meta.json";
/// tantivy's list of the files it wrote.
pub const MANAGED_FILE: &str = ".managed.json";

/// Does `dir` hold an index (of any version, whole or damaged)?
pub fn exists(dir: &Path) -> bool {
    dir.join(META_FILE).symlink_metadata().is_ok()
}

/// Checks that `dir` holds an index, whatever its state: [`Error::NoIndex`]
/// if it is absent or empty, [`Error::NotAnIndex`] if it holds other things.
pub fn locate(dir: &Path) -> Result<()> {
    if !dir.exists() {
        return Err(Error::NoIndex {
            path: dir.to_path_buf(),
        });
    }
    if !dir.is_dir() {
        return Err(Error::NotAnIndex {
            path: dir.to_path_buf(),
        });
    }
    if !exists(dir) {
        // tantivy's list of its files, without the commit that uses them.
        if dir.join(MANAGED_FILE).symlink_metadata().is_ok() {
            return Err(Error::Damaged {
                path: dir.to_path_buf(),
                reason: format!("{META_FILE} is missing"),
            });
        }
        return Err(if has_visible_entries(dir)? {
            Error::NotAnIndex {
                path: dir.to_path_buf(),
            }
        } else {
            Error::NoIndex {
                path: dir.to_path_buf(),
            }
        });
    }
    Ok(())
}

impl PolicyIndex {
    /// Opens the index in `dir`, checking that this version can read it.
    pub fn open(dir: &Path) -> Result<Self> {
        locate(dir)?;
        let damaged = |reason: String| Error::Damaged {
            path: dir.to_path_buf(),
            reason,
        };
        refuse_special_lock_files(dir)?;
        // Opening a FIFO for reading blocks until someone writes to it.
        for name in [META_FILE, MANAGED_FILE] {
            match std::fs::metadata(dir.join(name)) {
                Ok(m) if !m.is_file() => {
                    return Err(damaged(format!("{name} is not a regular file")))
                }
                Err(e) if name == META_FILE => return Err(Error::io(dir.join(name), e)),
                _ => {}
            }
        }
        let index = open_directory(dir)
            .and_then(Index::open)
            .map_err(|e| crate::index::integrity::from_tantivy(dir, e))?;
        let metas = index
            .load_metas()
            .map_err(|e| crate::index::integrity::from_tantivy(dir, e))?;
        let (fields, _) = check_format(dir, &index, &metas)?;
        register_analyzer(&index);
        Ok(PolicyIndex {
            index,
            fields,
            path: dir.to_path_buf(),
        })
    }

    /// Creates a new, empty index in `dir`, which must be absent or empty.
    pub fn create(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        if exists(dir) || has_visible_entries(dir)? {
            return Err(Error::NotAnIndex {
                path: dir.to_path_buf(),
            });
        }
        refuse_special_lock_files(dir)?;
        // tantivy writes a new index's meta.json before any commit can give
        // it our payload, and a reader in between would take it for another
        // version's. So the first commit is made in memory and its meta.json
        // is the first one written here.
        let (schema, _) = schema::build();
        let staged = Index::create_in_ram(schema);
        let mut writer: IndexWriter = staged.writer_with_num_threads(1, 15_000_000)?;
        let payload = serde_json::to_string(&CommitInfo::now(&[])).expect("CommitInfo serializes");
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        let meta = staged
            .directory()
            .atomic_read(Path::new(META_FILE))
            .map_err(TantivyError::from)?;
        open_directory(dir)
            .map_err(|e| crate::index::integrity::from_tantivy(dir, e))?
            .atomic_write(Path::new(META_FILE), &meta)
            .map_err(|e| Error::io(dir.join(META_FILE), e))?;
        Self::open(dir)
    }

    /// Opens the index in `dir`, creating it if there is none yet.
    pub fn open_or_create(dir: &Path) -> Result<Self> {
        match Self::open(dir) {
            Err(Error::NoIndex { .. }) => Self::create(dir),
            other => other,
        }
    }

    /// Opens the index in `dir` for a rebuild: a compatible index is opened
    /// as it is (the caller deletes its documents in the rebuild's commit, so
    /// a failed rebuild leaves the old index intact); an index of another
    /// format, or one too damaged to open, is removed and created anew.
    /// Anything that is not an index is left alone.
    pub fn open_for_rebuild(dir: &Path) -> Result<Self> {
        match Self::open(dir) {
            Err(Error::NoIndex { .. }) => Self::create(dir),
            Err(Error::IncompatibleIndex { .. } | Error::Damaged { .. }) => {
                remove_index_files(dir)?;
                Self::create(dir)
            }
            other => other,
        }
    }

    /// Takes the writer lock; fails at once with [`Error::Locked`] if another
    /// process holds it.
    pub fn writer(&self, threads: usize, memory_budget: usize) -> Result<IndexWriter> {
        let writer: IndexWriter = self
            .index
            .writer_with_num_threads(threads.max(1), memory_budget)
            .map_err(|e| match e {
                TantivyError::LockFailure(LockError::LockBusy, _) => Error::Locked {
                    path: self.path.clone(),
                },
                TantivyError::LockFailure(LockError::IoError(io), _) => {
                    Error::io(&self.path, std::io::Error::new(io.kind(), io.to_string()))
                }
                other => Error::from(other),
            })?;
        writer.set_merge_policy(Box::new(BoundedMerges::new(MAX_MERGE_DOCS)));
        self.remove_orphans(&writer)?;
        Ok(writer)
    }

    /// Removes the files of a run cut short (a full disk, a crash): segment
    /// files no commit uses, whether tantivy listed them in `.managed.json`
    /// or not yet, and half-written metadata. Runs while `writer` holds the
    /// writer lock, so nothing is being written; tantivy's meta lock keeps
    /// readers opening the last commit out of the way. Otherwise the next
    /// run would start on a disk still full of them.
    fn remove_orphans(&self, writer: &IndexWriter) -> Result<usize> {
        let mut removed = writer
            .garbage_collect_files()
            .wait()
            .map(|gc| gc.deleted_files.len())
            .map_err(|e| crate::index::integrity::from_tantivy(&self.path, e))?;
        let living = self.index.load_metas()?.list_segment_files();
        let _meta_lock = self.index.directory().acquire_lock(&META_LOCK).ok();
        let entries = std::fs::read_dir(&self.path).map_err(|e| Error::io(&self.path, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&self.path, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !is_orphan_candidate(&name) || living.contains(Path::new(&name)) {
                continue;
            }
            if entry.file_type().is_ok_and(|t| t.is_file()) {
                let path = entry.path();
                std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// `outcome` of writing with `writer`, with the cause of a failed write
    /// found: a write that failed in one of tantivy's indexing threads (a
    /// full disk) shows only as "writer killed" when the next document is
    /// added, while preparing a commit joins those threads and returns the
    /// failure itself.
    pub fn writer_failure(&self, writer: &mut IndexWriter, outcome: Result<()>) -> Result<()> {
        let Err(Error::Tantivy(TantivyError::ErrorInThread(text))) = outcome else {
            return outcome;
        };
        match writer.prepare_commit() {
            Err(cause) => Err(cause.into()),
            Ok(prepared) => {
                let _ = prepared.abort();
                Err(Error::Tantivy(TantivyError::ErrorInThread(text)))
            }
        }
    }

    /// Commits everything added so far, atomically, with a fresh
    /// [`CommitInfo`] listing `roots` as the paths indexed.
    pub fn commit(&self, writer: &mut IndexWriter, roots: &[String]) -> Result<()> {
        let payload =
            serde_json::to_string(&CommitInfo::now(roots)).expect("CommitInfo serializes");
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        Ok(())
    }

    /// A reader that sees the last commit.
    pub fn reader(&self) -> Result<IndexReader> {
        Ok(self
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?)
    }

    /// What the last commit recorded.
    pub fn commit_info(&self) -> Result<Option<CommitInfo>> {
        commit_info(&self.index)
    }
}

/// Checks that the last commit of `index` (in `dir`) is ours and of this
/// format, and returns its fields and commit record. A payload of another
/// format, or none, is an incompatible index; a payload that cannot be read,
/// or a schema other than our format's, is damage.
pub(crate) fn check_format(
    dir: &Path,
    index: &Index,
    metas: &tantivy::IndexMeta,
) -> Result<(Fields, CommitInfo)> {
    let damaged = |reason: String| Error::Damaged {
        path: dir.to_path_buf(),
        reason: format!("{META_FILE} {reason}"),
    };
    let incompatible = |found: String| Error::IncompatibleIndex {
        path: dir.to_path_buf(),
        found,
    };
    let no_marker = || incompatible("no policy-search format marker".to_string());
    let payload = metas.payload.as_deref().ok_or_else(no_marker)?;
    let value: serde_json::Value = serde_json::from_str(payload)
        .map_err(|_| damaged("holds an unreadable commit payload".to_string()))?;
    match value.get("format").and_then(|f| f.as_u64()) {
        Some(f) if f == u64::from(FORMAT_VERSION) => {}
        Some(f) => {
            let version = value.get("version").and_then(|v| v.as_str()).unwrap_or("?");
            return Err(incompatible(format!(
                "format {f} from policy-search {version}, this is format {FORMAT_VERSION}"
            )));
        }
        None => return Err(no_marker()),
    }
    let info: CommitInfo = serde_json::from_value(value)
        .map_err(|_| damaged("holds an unreadable commit payload".to_string()))?;
    // Our format fixes the schema: another schema under it is damage.
    let fields = schema::resolve(&index.schema()).ok_or_else(|| {
        damaged(format!(
            "holds a schema that is not that of format {FORMAT_VERSION}"
        ))
    })?;
    Ok((fields, info))
}

/// Reads a stored document, checking its bytes before tantivy decodes them
/// (see [`crate::index::integrity::check_stored_doc`]): damage is an error, never
/// an abort. For many documents, [`StoredDocs`] keeps the stores open.
pub fn stored_doc(
    searcher: &tantivy::Searcher,
    addr: tantivy::DocAddress,
) -> Result<tantivy::TantivyDocument> {
    let store = searcher
        .segment_reader(addr.segment_ord)
        .get_store_reader(1)
        .map_err(|e| TantivyError::IoError(Arc::new(e)))?;
    checked_doc(&store, addr.doc_id)
}

/// The stored documents of a searcher, read as [`stored_doc`] reads them,
/// each segment's store opened once with its recent blocks kept.
pub struct StoredDocs {
    stores: Vec<tantivy::store::StoreReader>,
}

impl StoredDocs {
    /// Blocks kept per segment: a document's passages sit side by side.
    const CACHED_BLOCKS: usize = 8;

    /// Opens the stores of `searcher`'s segments.
    pub fn new(searcher: &tantivy::Searcher) -> Result<Self> {
        let stores = searcher
            .segment_readers()
            .iter()
            .map(|s| s.get_store_reader(Self::CACHED_BLOCKS))
            .collect::<std::io::Result<_>>()
            .map_err(|e| TantivyError::IoError(Arc::new(e)))?;
        Ok(StoredDocs { stores })
    }

    /// The document at `addr`.
    pub fn get(&self, addr: tantivy::DocAddress) -> Result<tantivy::TantivyDocument> {
        let store = self.stores.get(addr.segment_ord as usize).ok_or_else(|| {
            Error::Internal(format!("no segment {} in this searcher", addr.segment_ord))
        })?;
        checked_doc(store, addr.doc_id)
    }
}

fn checked_doc(
    store: &tantivy::store::StoreReader,
    doc_id: tantivy::DocId,
) -> Result<tantivy::TantivyDocument> {
    let bytes = store.get_document_bytes(doc_id)?;
    crate::index::integrity::check_stored_doc(bytes.as_slice()).map_err(|why| {
        TantivyError::DataCorruption(tantivy::error::DataCorruption::comment_only(format!(
            "stored document {doc_id} {why}"
        )))
    })?;
    // The block is in the store reader's cache now.
    Ok(store.get(doc_id)?)
}

/// Is `name` a file tantivy or we write into an index and drop when done:
/// a segment file (`<32 hex digits>.<component>`, a delete file
/// `<id>.<opstamp>.del`, a temporary store) or a metadata file being
/// written (`.meta.json.<pid>-<n>.tmp` and the like, tantivy's `.tmpXXXXXX`)?
fn is_orphan_candidate(name: &str) -> bool {
    if let Some(rest) = name
        .strip_prefix(&format!(".{META_FILE}."))
        .or_else(|| name.strip_prefix(&format!(".{MANAGED_FILE}.")))
        .or_else(|| name.strip_prefix(&format!(".{}.", super::statistics::STATISTICS_FILE)))
    {
        return rest.ends_with(".tmp");
    }
    if let Some(random) = name.strip_prefix(".tmp") {
        return random.len() == 6 && random.bytes().all(|b| b.is_ascii_alphanumeric());
    }
    let Some((id, component)) = name.split_once('.') else {
        return false;
    };
    let segment_id = id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit());
    let component_ok = match component.rsplit_once('.') {
        Some((opstamp, "del")) => opstamp.bytes().all(|b| b.is_ascii_digit()),
        Some(("store", "temp")) => true,
        _ => matches!(
            component,
            "idx" | "pos" | "term" | "store" | "fast" | "fieldnorm"
        ),
    };
    segment_id && component_ok
}

/// Lock file that makes first-use builds of an index one at a time: held
/// exclusive by the process building, shared by those about to read.
const BUILD_LOCK: &str = ".policy-search-build.lock";
/// Present while a first-use build runs; left behind by one cut short.
const BUILD_MARK: &str = ".policy-search-building";

/// Makes sure `dir` holds an index, calling `build` to make one if it does
/// not, so that processes starting at once build it once: the others call
/// `on_wait` and wait for that build (up to `patience`, then
/// [`Error::Locked`]) and read what it made. A build that was cut short is
/// done again. Returns whether this call built the index.
pub fn build_once(
    dir: &Path,
    patience: std::time::Duration,
    on_wait: impl FnOnce(),
    build: impl FnOnce() -> Result<()>,
) -> Result<bool> {
    use fs4::fs_std::FileExt;
    let ready = || exists(dir) && !dir.join(BUILD_MARK).exists();
    // Files of a build under way (or cut short) are not someone else's:
    // that build is waited for (or done again) below.
    let building = dir.join(BUILD_MARK).exists();
    if dir.is_dir() && !exists(dir) && !building && has_visible_entries(dir)? {
        return Err(Error::NotAnIndex {
            path: dir.to_path_buf(),
        });
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let lock_path = dir.join(BUILD_LOCK);
    not_special(&lock_path).map_err(|e| Error::io(&lock_path, e))?;
    let lock = match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
    {
        Ok(file) => file,
        // An index nobody may write here cannot be being built.
        Err(_) if exists(dir) => return Ok(false),
        Err(e) => return Err(Error::io(&lock_path, e)),
    };
    let deadline = std::time::Instant::now() + patience;
    let mut on_wait = Some(on_wait);
    let mut take = |exclusive: bool| -> Result<()> {
        loop {
            let got = if exclusive {
                FileExt::try_lock_exclusive(&lock)
            } else {
                FileExt::try_lock_shared(&lock)
            }
            .map_err(|e| Error::io(&lock_path, e))?;
            if got {
                return Ok(());
            }
            if std::time::Instant::now() >= deadline {
                return Err(Error::Locked {
                    path: dir.to_path_buf(),
                });
            }
            if let Some(tell) = on_wait.take() {
                tell();
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    };
    let unlock = || FileExt::unlock(&lock).map_err(|e| Error::io(&lock_path, e));
    take(false)?;
    if ready() {
        unlock()?;
        return Ok(false);
    }
    unlock()?;
    take(true)?;
    if ready() {
        // Built by another process while this one waited.
        unlock()?;
        return Ok(false);
    }
    let mark = dir.join(BUILD_MARK);
    std::fs::write(&mark, b"").map_err(|e| Error::io(&mark, e))?;
    build()?;
    std::fs::remove_file(&mark).map_err(|e| Error::io(&mark, e))?;
    unlock()?;
    Ok(true)
}

/// The index directory as tantivy sees it.
pub(crate) fn open_directory(dir: &Path) -> tantivy::Result<ReadTolerantDirectory> {
    let inner = MmapDirectory::open(dir).map_err(TantivyError::OpenDirectoryError)?;
    Ok(ReadTolerantDirectory {
        inner,
        root: dir.to_path_buf(),
    })
}

/// tantivy's lock files: a FIFO (or anything but a file) in their place
/// would block a command forever, so it is refused, naming the path.
fn refuse_special_lock_files(dir: &Path) -> Result<()> {
    for lock in [&*INDEX_WRITER_LOCK, &*META_LOCK] {
        not_special(&dir.join(&lock.filepath))
            .map_err(|e| Error::io(dir.join(&lock.filepath), e))?;
    }
    Ok(())
}

/// An error if `path` exists and is not a regular file (or a link to one):
/// opening a FIFO blocks until another process opens its other end.
/// Writes `data` to `root/path` as a whole or not at all: a new file in the
/// same directory, synced, renamed over the old.
pub(crate) fn write_atomically(root: &Path, path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let target = root.join(path);
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = root.join(format!(
        ".{name}.{}-{}.tmp",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .and_then(|mut file| {
            file.write_all(data)?;
            file.sync_data()
        })
        .and_then(|()| std::fs::rename(&temp, &target));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// Reads `path` whole if it is a regular file (a FIFO in its place would
/// block the read).
pub(crate) fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    not_special(path)?;
    std::fs::read(path)
}

fn not_special(path: &Path) -> std::io::Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file; remove it",
        )),
        _ => Ok(()),
    }
}

/// An mmap directory that can be searched where it cannot be written (a
/// read-only disk or share): tantivy takes a lock file while opening readers,
/// to hold off garbage collection, which is moot when nobody can write. It
/// never opens anything but regular files, which cannot block.
#[derive(Debug, Clone)]
pub(crate) struct ReadTolerantDirectory {
    inner: MmapDirectory,
    root: PathBuf,
}

impl Directory for ReadTolerantDirectory {
    fn get_file_handle(
        &self,
        path: &Path,
    ) -> std::result::Result<Arc<dyn FileHandle>, OpenReadError> {
        not_special(&self.root.join(path))
            .map_err(|e| OpenReadError::wrap_io_error(e, path.to_path_buf()))?;
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> std::result::Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> std::result::Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> std::result::Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> std::result::Result<Vec<u8>, OpenReadError> {
        not_special(&self.root.join(path))
            .map_err(|e| OpenReadError::wrap_io_error(e, path.to_path_buf()))?;
        self.inner.atomic_read(path)
    }

    /// As tantivy's (a new file in the same directory, synced, renamed over
    /// the old), but the file takes the mode the umask gives: tantivy's are
    /// always 0600, so nobody but their owner could read the index.
    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        write_atomically(&self.root, path, data)
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> std::result::Result<DirectoryLock, LockError> {
        not_special(&self.root.join(&lock.filepath)).map_err(LockError::wrap_io_error)?;
        match self.inner.acquire_lock(lock) {
            Err(LockError::IoError(e))
                if lock.filepath == META_LOCK.filepath
                    && matches!(
                        e.kind(),
                        std::io::ErrorKind::ReadOnlyFilesystem
                            | std::io::ErrorKind::PermissionDenied
                    ) =>
            {
                Ok(DirectoryLock::from(Box::new(())))
            }
            other => other,
        }
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(callback)
    }
}

fn commit_info(index: &Index) -> Result<Option<CommitInfo>> {
    let metas = index.load_metas()?;
    Ok(metas
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok()))
}

fn register_analyzer(index: &Index) {
    index
        .tokenizers()
        .register(ANALYZER_NAME, PolicyTokenizer::new(Analyzer::english()));
}

/// Entries other than dotfiles (the repository keeps `index/.gitignore`).
fn has_visible_entries(dir: &Path) -> Result<bool> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        if !entry.file_name().to_string_lossy().starts_with('.') {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Removes the files tantivy writes (and only those) from `dir`, and the
/// statistics recorded of them.
fn remove_index_files(dir: &Path) -> Result<()> {
    const EXTENSIONS: &[&str] = &["idx", "pos", "term", "store", "fast", "fieldnorm", "del"];
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let managed = name == "meta.json"
            || name == ".managed.json"
            || name == super::statistics::STATISTICS_FILE
            || (name.starts_with(".tantivy-") && name.ends_with(".lock"))
            || EXTENSIONS.contains(&ext);
        // Whatever took an index file's name, short of a directory.
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if managed && !is_dir {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
    }
    Ok(())
}

/// Most documents (passages) one background merge may produce.
const MAX_MERGE_DOCS: u32 = 400_000;

/// Segments below half the merge cap that an index may keep after a run;
/// past that, the run merges them.
const UNSETTLED_SEGMENTS: usize = 4;

impl PolicyIndex {
    /// Merges the small segments a run leaves behind, in groups of at most
    /// [`MAX_MERGE_DOCS`] passages, one at a time; returns how many merges
    /// ran. Every query looks its words up in every segment, and the log
    /// merge policy leaves a large build with dozens of them (26 for 1 GB:
    /// each level waits for eight of a size). Memory stays within a
    /// background merge's bound; a run that adds a few files merges
    /// nothing until small segments pile up. Call it with no other writer
    /// open (it takes the writer lock).
    ///
    /// It also deletes the files of every segment merged away, by the run's
    /// background merges or its own: tantivy deletes them only when it next
    /// commits, and a 1 GB build left 517 MB of them (28% of the folder)
    /// until the next run.
    pub fn settle(&self) -> Result<usize> {
        let metas = self.index.searchable_segment_metas()?;
        let sizes: Vec<(tantivy::index::SegmentId, u32)> =
            metas.iter().map(|m| (m.id(), m.num_docs())).collect();
        let merges = settling_merges(&sizes, MAX_MERGE_DOCS, UNSETTLED_SEGMENTS);
        // Taking the writer removes what earlier merges left.
        let mut writer = match self.writer(1, 20_000_000) {
            // Another run has just started: it settles them when it ends.
            Err(Error::Locked { .. }) => return Ok(0),
            // Only that cleanup was asked: the next run does it.
            Err(_) if merges.is_empty() => return Ok(0),
            other => other?,
        };
        if merges.is_empty() {
            return Ok(0);
        }
        writer.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
        for ids in &merges {
            writer
                .merge(ids)
                .wait()
                .map_err(|e| crate::index::integrity::from_tantivy(&self.path, e))?;
        }
        // The merges are committed; files that cannot be deleted now (in
        // use elsewhere) go at the next run, as they did before.
        let _ = self.remove_orphans(&writer);
        writer.wait_merging_threads()?;
        Ok(merges.len())
    }
}

/// The merges that settle segments of the given sizes: if more than `most`
/// are below half of `cap`, those, smallest first, in groups of two or more
/// whose sizes add up to at most `cap`.
fn settling_merges<T: Clone>(sizes: &[(T, u32)], cap: u32, most: usize) -> Vec<Vec<T>> {
    let mut small: Vec<&(T, u32)> = sizes.iter().filter(|(_, n)| *n < cap / 2).collect();
    if small.len() <= most {
        return Vec::new();
    }
    small.sort_by_key(|(_, n)| *n);
    let mut merges = Vec::new();
    let (mut group, mut total) = (Vec::new(), 0u32);
    for (id, n) in small {
        if total.saturating_add(*n) > cap && !group.is_empty() {
            merges.push(std::mem::take(&mut group));
            total = 0;
        }
        group.push(id.clone());
        total = total.saturating_add(*n);
    }
    merges.push(group);
    merges.retain(|g| g.len() >= 2);
    merges
}

/// tantivy's log merge policy with a cap on the size of each merge. A merge
/// reads its segments through mmap, so its inputs count towards the
/// process's resident memory; uncapped, the last merges of a 1 GB corpus
/// take in most of the index. Capped, a large index keeps a few more
/// segments of up to [`MAX_MERGE_DOCS`] each.
#[derive(Debug)]
struct BoundedMerges {
    log: tantivy::merge_policy::LogMergePolicy,
    max_docs: u32,
}

impl BoundedMerges {
    fn new(max_docs: u32) -> Self {
        let mut log = tantivy::merge_policy::LogMergePolicy::default();
        // Segments past half the cap have nothing to merge with.
        log.set_max_docs_before_merge(max_docs as usize / 2);
        BoundedMerges { log, max_docs }
    }
}

impl tantivy::merge_policy::MergePolicy for BoundedMerges {
    fn compute_merge_candidates(
        &self,
        segments: &[tantivy::index::SegmentMeta],
    ) -> Vec<tantivy::merge_policy::MergeCandidate> {
        let docs = |id: &tantivy::index::SegmentId| {
            segments
                .iter()
                .find(|s| s.id() == *id)
                .map_or(0, |s| s.num_docs())
        };
        self.log
            .compute_merge_candidates(segments)
            .into_iter()
            .filter_map(|candidate| {
                let mut ids = candidate.0;
                ids.sort_by_key(|id| docs(id));
                let mut total = 0u32;
                let kept: Vec<tantivy::index::SegmentId> = ids
                    .into_iter()
                    .take_while(|id| {
                        total = total.saturating_add(docs(id));
                        total <= self.max_docs
                    })
                    .collect();
                (kept.len() >= 2).then_some(tantivy::merge_policy::MergeCandidate(kept))
            })
            .collect()
    }
}

/// `YYYY-MM-DD HH:MM:SS UTC` for seconds since the Unix epoch: how commit
/// times are shown.
pub fn format_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil-from-days (proleptic Gregorian), after Howard Hinnant's algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::index::SegmentId;
    use tantivy::merge_policy::MergePolicy;

    #[test]
    fn small_segments_settle_into_capped_merges_only_once_they_pile_up() {
        // A few small segments beside the large ones: nothing to do.
        let few = [("a", 300), ("b", 10), ("c", 20), ("d", 900)];
        assert!(settling_merges(&few, 1000, 4).is_empty());
        // More than four small ones: smallest first, up to the cap each.
        let many = [
            ("big", 900),
            ("a", 10),
            ("b", 20),
            ("c", 30),
            ("d", 400),
            ("e", 450),
            ("f", 120),
        ];
        assert_eq!(
            settling_merges(&many, 1000, 4),
            // "e" would be a group of one: left as it is.
            vec![vec!["a", "b", "c", "f", "d"]]
        );
        // Every small segment is merged at most once and no merge passes the cap.
        let sizes: Vec<(usize, u32)> = (0..40).map(|i| (i, 37 * i as u32 % 499)).collect();
        let merges = settling_merges(&sizes, 1000, 4);
        let mut seen = std::collections::HashSet::new();
        for m in &merges {
            assert!(m.len() >= 2);
            assert!(m.iter().map(|&i| sizes[i].1).sum::<u32>() <= 1000);
            assert!(m.iter().all(|i| seen.insert(*i)));
        }
        assert!(!merges.is_empty());
    }

    #[test]
    fn orphan_candidates_are_only_files_we_write() {
        for name in [
            "1f07ecabef8646789d7eda4285d4983d.idx",
            "1f07ecabef8646789d7eda4285d4983d.fieldnorm",
            "1f07ecabef8646789d7eda4285d4983d.12.del",
            "1f07ecabef8646789d7eda4285d4983d.store.temp",
            ".meta.json.4242-0.tmp",
            "..managed.json.4242-3.tmp",
            ".tmpAb12Cd",
        ] {
            assert!(is_orphan_candidate(name), "{name}");
        }
        for name in [
            "meta.json",
            ".managed.json",
            ".tantivy-writer.lock",
            ".policy-search-build.lock",
            ".gitignore",
            "notes.txt",
            "1f07ecabef8646789d7eda4285d4983d.txt",
            "1f07ecabef8646789d7eda4285d4983.idx",
            "1f07ecabef8646789d7eda4285d4983d.x.del",
            ".tmp",
            ".tmp-my-own-notes",
        ] {
            assert!(!is_orphan_candidate(name), "{name}");
        }
    }

    #[test]
    fn merges_stay_under_the_cap() {
        let (schema, _) = schema::build();
        let index = Index::create_in_ram(schema);
        let metas = |sizes: &[u32]| -> Vec<tantivy::index::SegmentMeta> {
            sizes
                .iter()
                .map(|&n| index.new_segment_meta(SegmentId::generate_random(), n))
                .collect()
        };
        let policy = BoundedMerges::new(400_000);
        // Eight segments of 100,000: the log policy would merge all eight.
        let segments = metas(&[100_000; 8]);
        let merges = policy.compute_merge_candidates(&segments);
        assert!(!merges.is_empty());
        for m in &merges {
            let docs: u32 =
                m.0.iter()
                    .map(|id| segments.iter().find(|s| s.id() == *id).unwrap().num_docs())
                    .sum();
            assert!(m.0.len() >= 2 && docs <= 400_000, "{docs}");
        }
        // Segments past half the cap are left alone.
        assert!(policy
            .compute_merge_candidates(&metas(&[250_000; 8]))
            .is_empty());
    }

    #[test]
    fn utc_dates() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(format_utc(1_795_345_793), "2026-11-22 11:09:53 UTC");
    }
}

#[cfg(test)]
mod build_once_tests {
    use super::*;

    #[test]
    fn a_build_under_way_is_not_someone_elses_directory() {
        let dir = tempfile::tempdir().unwrap();
        let idx = dir.path().join("idx");
        std::fs::create_dir(&idx).unwrap();
        // What another process's first-use build has written so far, or
        // left when cut short: its mark and a segment file, no meta.json.
        std::fs::write(idx.join(BUILD_MARK), b"").unwrap();
        std::fs::write(idx.join("0123456789abcdef0123456789abcdef.idx"), b"").unwrap();
        let mut built = false;
        let made = build_once(
            &idx,
            std::time::Duration::from_secs(5),
            || {},
            || {
                built = true;
                Ok(())
            },
        )
        .unwrap();
        assert!(made && built);
        assert!(!idx.join(BUILD_MARK).exists());

        // Without the mark, files that are not an index are refused.
        let other = dir.path().join("other");
        std::fs::create_dir(&other).unwrap();
        std::fs::write(other.join("notes.txt"), b"mine").unwrap();
        let refused = build_once(&other, std::time::Duration::from_secs(5), || {}, || Ok(()));
        assert!(
            matches!(refused, Err(Error::NotAnIndex { .. })),
            "{refused:?}"
        );
    }
}
