//! What a run has to do: the walked files compared with the records of
//! what the index holds.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::index::documents::{file_key, FileRecord};

use super::walk::{self, Root, Walk};

/// What to do with a walked file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Plan {
    /// Not in the index (or moved to another collection): extract and add.
    Add,
    /// In the index with another size or mtime: hash, and re-index if the content changed.
    Verify,
}

/// The work of one run.
#[derive(Debug, Default)]
pub(super) struct Work {
    /// Files to read: their place in [`Walk::files`], and what to do.
    pub files: Vec<(usize, Plan)>,
    /// Files with the size and mtime indexed: not read at all.
    pub unchanged: u64,
    /// File keys (see [`file_key`]) of indexed files gone from disk, whose
    /// documents go.
    pub gone: Vec<u64>,
    /// Indexed files below folders the walk could not read, kept unchecked.
    pub kept_unchecked: u64,
}

/// Compares what the walk of `roots` `found` with the records of what is
/// indexed (`known`, by file key).
/// With `ocr`, files with scanned pages left unread are read again.
pub(super) fn plan(
    found: &Walk,
    known: &HashMap<Vec<u8>, FileRecord>,
    roots: &[Root],
    ocr: bool,
) -> Work {
    let mut work = Work::default();
    for (i, file) in found.files.iter().enumerate() {
        match known.get(&file.key) {
            None => work.files.push((i, Plan::Add)),
            // Failed last time: try again.
            Some(r) if r.error.is_some() => work.files.push((i, Plan::Add)),
            Some(r) if ocr && !r.unread_pages.is_empty() => work.files.push((i, Plan::Add)),
            Some(r) if r.collection != file.collection => work.files.push((i, Plan::Add)),
            Some(r) if r.size == file.size && r.mtime == file.mtime => work.unchanged += 1,
            Some(_) => work.files.push((i, Plan::Verify)),
        }
    }
    find_gone(&mut work, found, known, roots);
    work
}

/// Files this run would have walked but did not find. Deletion is scoped
/// to what was walked: files under other paths are not this run's to
/// judge, and files below a folder the walk could not read are kept.
fn find_gone(work: &mut Work, found: &Walk, known: &HashMap<Vec<u8>, FileRecord>, roots: &[Root]) {
    let seen: HashSet<&[u8]> = found.files.iter().map(|f| f.key.as_slice()).collect();
    for r in known.values() {
        let walked = roots.iter().any(|root| {
            walk::visits(&root.path, Path::new(&r.source)) || walk::visits(&root.path, &r.path)
        });
        if !walked || seen.contains(r.key().as_slice()) {
            continue;
        }
        if found.unchecked(Path::new(&r.source)) || found.unchecked(&r.path) {
            work.kept_unchecked += 1;
            continue;
        }
        work.gone.push(file_key(&r.key()));
    }
}
