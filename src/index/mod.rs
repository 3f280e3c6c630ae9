//! The index on disk: its `schema`, `storage` (open, lock, commit),
//! [`integrity`] checks and the [`lexicon`] of indexed words.

pub(crate) mod documents;
pub mod export;
pub mod integrity;
pub mod lexicon;
pub(crate) mod schema;
pub mod statistics;
pub(crate) mod storage;

pub use storage::{
    build_once, exists, format_utc, locate, stored_doc, CommitInfo, PolicyIndex, StoredDocs,
    MANAGED_FILE, META_FILE,
};
