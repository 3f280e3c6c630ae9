//! An engine that stays open in a long-running process and follows the
//! index: when `index` commits (or the index's own glossary changes), the
//! next request is answered from a fresh snapshot, without a restart.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use super::{Engine, SearchOptions};
use crate::analysis::glossary::INDEX_GLOSSARY_FILE;
use crate::error::{Error, Result};
use crate::index::{PolicyIndex, META_FILE};

/// What identifies the index's last commit and glossary on disk: every
/// commit rewrites `meta.json` atomically (a new file), so its inode, size
/// and time change together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    meta: Option<FileStamp>,
    glossary: Option<FileStamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    inode: u64,
    len: u64,
    modified: Option<SystemTime>,
}

impl FileStamp {
    fn of(path: &Path) -> Option<Self> {
        let m = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&m);
        #[cfg(not(unix))]
        let inode = 0;
        Some(FileStamp {
            inode,
            len: m.len(),
            modified: m.modified().ok(),
        })
    }
}

impl Stamp {
    fn of(index: &PolicyIndex) -> Self {
        Stamp {
            meta: FileStamp::of(&index.path.join(META_FILE)),
            glossary: FileStamp::of(&index.path.join(INDEX_GLOSSARY_FILE)),
        }
    }
}

/// A resident engine over one index, reopened on the next request after a
/// commit. Cheap to share between threads: each request takes the current
/// engine (an `Arc`) and searches it while a newer one may replace it.
///
/// The index it opens stays open until the process ends (engines borrow
/// it for as long as the process serves): open one per process.
pub struct LiveEngine {
    index: &'static PolicyIndex,
    opts: SearchOptions,
    current: Mutex<(Stamp, Arc<Engine<'static>>)>,
}

impl LiveEngine {
    /// Opens the index in `dir` with the glossaries of `opts`.
    pub fn open(dir: &Path, opts: &SearchOptions) -> Result<Self> {
        let index: &'static PolicyIndex = Box::leak(Box::new(PolicyIndex::open(dir)?));
        let stamp = Stamp::of(index);
        let engine = Arc::new(Engine::new(index, opts)?);
        Ok(LiveEngine {
            index,
            opts: opts.clone(),
            current: Mutex::new((stamp, engine)),
        })
    }

    /// The index.
    pub fn index(&self) -> &PolicyIndex {
        self.index
    }

    /// The engine on the index's last commit: the one in use if nothing
    /// was committed since, else a new one. If the new commit cannot be
    /// opened (an index being rebuilt in another format, damage), the error
    /// is returned and the next call tries again.
    pub fn engine(&self) -> Result<Arc<Engine<'static>>> {
        let stamp = Stamp::of(self.index);
        let mut current = self
            .current
            .lock()
            .map_err(|_| Error::Internal("the engine lock was poisoned".into()))?;
        if current.0 != stamp {
            let engine = Arc::new(Engine::new(self.index, &self.opts)?);
            *current = (stamp, engine);
        }
        Ok(current.1.clone())
    }
}
