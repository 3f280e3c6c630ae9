//! Where the index lives when the command line does not say.
//!
//! In order: `--index DIR` (or `POLICY_SEARCH_INDEX`), the configuration's
//! `index`, then `./index` when the working folder is laid out as the
//! repository is (it holds `seeds/`, or `index/` is already an index), and
//! otherwise the per-user data folder: `$XDG_DATA_HOME/policy-search/index`
//! (`~/.local/share/…` on Linux, `~/Library/Application Support/…` on macOS,
//! `%APPDATA%\…` on Windows). So a query finds the same library from any
//! folder, and only the repository's own `./index` is ever filled from the
//! built-in seeds.

use std::path::{Path, PathBuf};

use policy_search::index;

/// The index of a folder laid out as the repository is.
const LOCAL_INDEX: &str = "index";
/// The built-in documents, beside [`LOCAL_INDEX`].
const SEEDS: &str = "seeds";

/// The index directory to use, and whether the built-in seeds may fill it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexLocation {
    /// The directory.
    pub dir: PathBuf,
    /// Whether a missing index here is built from `seeds/` on first query.
    pub seeded: bool,
}

/// Resolves the index directory from what the user chose, if anything.
pub fn resolve(chosen: Option<&Path>) -> IndexLocation {
    if let Some(dir) = chosen {
        return IndexLocation {
            dir: dir.to_path_buf(),
            seeded: false,
        };
    }
    let local = Path::new(LOCAL_INDEX);
    let repository = || Path::new(SEEDS).is_dir() || index::exists(local);
    match user_index() {
        Some(dir) if !repository() => IndexLocation { dir, seeded: false },
        // No home folder to keep a per-user index in: the working folder's.
        _ => IndexLocation {
            dir: local.to_path_buf(),
            seeded: true,
        },
    }
}

/// The per-user index: `policy-search/index` in the platform's data folder.
pub fn user_index() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("policy-search").join("index"))
}

/// The paths `index` reads when given none and no collections are
/// configured: the built-in seeds, where they are.
pub fn default_paths() -> Option<Vec<PathBuf>> {
    Path::new(SEEDS)
        .is_dir()
        .then(|| vec![PathBuf::from(SEEDS)])
}
