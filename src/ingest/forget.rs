//! The `forget` command: files out of the index, files on disk untouched.
//!
//! A file's passages, record and acronym definitions share its key, so one
//! delete removes them together, in one commit: a reader sees the file
//! wholly there or wholly gone. Folders the index was built from that hold
//! nothing afterwards leave its list of indexed paths, so `status` does not
//! report their files as new.

use std::path::{Path, PathBuf};

use serde::Serialize;
use tantivy::Term;

use crate::error::{Error, Result};
use crate::index::documents::{file_key, records, FileRecord};
use crate::index::{statistics, PolicyIndex};
use crate::paths;

/// What to forget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forget {
    /// A file, or every file below a folder (as given; it need not exist
    /// any more).
    Path(PathBuf),
    /// Every file of a collection.
    Collection(String),
}

/// What `forget` removed.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Forgotten {
    /// The files, as shown.
    pub files: Vec<String>,
    /// Their passages.
    pub passages: u64,
    /// Indexed folders dropped from the index's list of paths.
    pub roots: Vec<String>,
    /// A warning that did not stop the command (statistics not recorded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

impl std::fmt::Display for Forgotten {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let files = self.files.len();
        let plural = |n: u64| if n == 1 { "" } else { "s" };
        write!(
            f,
            "forgot {files} file{}, {} passage{}",
            plural(files as u64),
            self.passages,
            plural(self.passages)
        )?;
        if !self.roots.is_empty() {
            write!(f, "; no longer indexing {}", self.roots.join(", "))?;
        }
        Ok(())
    }
}

/// Removes from the index at `dir` the files `what` names, in one commit.
/// Nothing matching is an [`Error::Usage`] naming what is indexed instead.
pub fn forget(dir: &Path, what: &Forget) -> Result<Forgotten> {
    let index = PolicyIndex::open(dir)?;
    let all = records(&index)?;
    let target = match what {
        Forget::Path(p) => Some(absolute(p)?),
        Forget::Collection(_) => None,
    };
    let matches = |r: &FileRecord| match (what, &target) {
        (Forget::Collection(name), _) => &r.collection == name,
        (Forget::Path(_), Some(t)) => r.path.starts_with(t) || Path::new(&r.source).starts_with(t),
        _ => false,
    };
    let (gone, kept): (Vec<&FileRecord>, Vec<&FileRecord>) = all.iter().partition(|r| matches(r));
    if gone.is_empty() {
        return Err(Error::Usage(match what {
            Forget::Path(p) => format!("nothing indexed at {}", p.display()),
            Forget::Collection(name) => {
                let mut names: Vec<&str> = all.iter().map(|r| r.collection.as_str()).collect();
                names.sort_unstable();
                names.dedup();
                format!(
                    "no collection {name:?} in the index (it has: {})",
                    names.join(", ")
                )
            }
        }));
    }
    let mut writer = index.writer(1, 15_000_000)?;
    for r in &gone {
        writer.delete_term(Term::from_field_u64(
            index.fields.file_key,
            file_key(&r.key()),
        ));
    }
    let before = index.commit_info()?.map(|c| c.roots).unwrap_or_default();
    // A folder goes from the list when this emptied it, not when it held
    // nothing indexed before.
    let below = |root: &Path, r: &&FileRecord| {
        r.path.starts_with(root) || Path::new(&r.source).starts_with(root)
    };
    let (dropped, roots): (Vec<String>, Vec<String>) = before.into_iter().partition(|root| {
        let root = Path::new(root);
        gone.iter().any(|r| below(root, r)) && !kept.iter().any(|r| below(root, r))
    });
    index.commit(&mut writer, &roots)?;
    writer.wait_merging_threads()?;
    let searcher = index.reader()?.searcher();
    let warning = statistics::record(&index, &searcher)
        .err()
        .map(|e| format!("could not record document statistics: {e}"));
    Ok(Forgotten {
        files: gone.iter().map(|r| paths::shown(&r.source)).collect(),
        passages: gone.iter().map(|r| r.passages).sum(),
        roots: dropped.iter().map(|r| paths::shown(r)).collect(),
        warning,
    })
}

/// `p` as the index names files: canonical if it exists, else made
/// absolute against the working directory (a file deleted from disk can
/// still be forgotten).
fn absolute(p: &Path) -> Result<PathBuf> {
    if let Ok(c) = std::fs::canonicalize(p) {
        return Ok(c);
    }
    if p.is_absolute() {
        return Ok(p.to_path_buf());
    }
    let cwd = std::env::current_dir().map_err(|e| Error::io(p, e))?;
    Ok(cwd.join(p))
}
