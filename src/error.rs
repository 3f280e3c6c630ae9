//! Errors that end a command, each with a one-line hint for the user.

use std::path::PathBuf;

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error that stops a command. Problems with single input files are not
/// errors: they are [`crate::ingest::FileError`]s, reported and skipped.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The index directory holds no index.
    #[error("no index at {}", .path.display())]
    NoIndex {
        /// Where the index was looked for.
        path: PathBuf,
    },
    /// The directory exists but holds something other than a policy-search index.
    #[error("{} is not a policy-search index", .path.display())]
    NotAnIndex {
        /// The directory.
        path: PathBuf,
    },
    /// The index was written by a version with a different on-disk format.
    #[error("the index at {} was written by an incompatible version of policy-search ({found})", .path.display())]
    IncompatibleIndex {
        /// The index directory.
        path: PathBuf,
        /// What was found instead of the expected format.
        found: String,
    },
    /// Another process holds the index writer lock.
    #[error("the index at {} is being updated by another process", .path.display())]
    Locked {
        /// The index directory.
        path: PathBuf,
    },
    /// An input path given on the command line does not exist.
    #[error("{}: no such file or directory", .path.display())]
    MissingInput {
        /// The path as given.
        path: PathBuf,
    },
    /// A file or directory could not be read or written.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The query cannot be answered as written.
    #[error("invalid query: {0}")]
    Query(String),
    /// A query ran out of time.
    #[error("the query took longer than {} s", .limit.as_secs_f64())]
    Timeout {
        /// The time limit.
        limit: std::time::Duration,
    },
    /// A command-line value is unusable.
    #[error("{0}")]
    Usage(String),
    /// The search engine failed.
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The index's files are damaged: missing, truncated, failing their
    /// checksums, or unreadable as written.
    #[error("index at {} is damaged: {reason}", .path.display())]
    Damaged {
        /// The index directory.
        path: PathBuf,
        /// What is wrong, in a few words, naming the file if known.
        reason: String,
    },
    /// A server could not listen on its address.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address asked for.
        addr: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A bug: something failed that cannot fail on any input.
    #[error("internal error: {0}")]
    Internal(String),
    /// `POLICY_SEARCH_RANKING` names an unknown setting or gives one an
    /// unusable value.
    #[error("POLICY_SEARCH_RANKING: {reason}")]
    Ranking {
        /// What is wrong with it.
        reason: String,
        /// The settings it may name, for the hint.
        known: String,
    },
}

impl Error {
    /// A short suggestion of what to do next, if there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::NoIndex { path } => Some(format!(
                "build one with `policy-search index PATH... --index {}`",
                path.display()
            )),
            Error::NotAnIndex { .. } => Some(
                "pass --index with an empty or new directory, or the directory of an existing index"
                    .to_string(),
            ),
            Error::IncompatibleIndex { path, .. } => Some(format!(
                "rebuild it with `policy-search index --rebuild PATH... --index {}`",
                path.display()
            )),
            Error::Locked { .. } => {
                Some("wait for the other `policy-search index` to finish, then try again".to_string())
            }
            Error::MissingInput { .. } => Some("check the path and try again".to_string()),
            Error::Damaged { path, .. } => Some(format!(
                "run `policy-search index --rebuild PATH... --index {}`",
                path.display()
            )),
            Error::Internal(_) => Some(
                "this is a bug in policy-search; please report it with the command that caused it"
                    .to_string(),
            ),
            Error::Query(_) => Some(
                "use words, \"phrases\", +required and -excluded terms; quote text that contains : or \""
                    .to_string(),
            ),
            Error::Timeout { .. } => Some(
                "narrow it (fewer words or prefixes, a smaller ~N) or raise --timeout".to_string(),
            ),
            Error::Ranking { known, .. } => Some(format!(
                "set it to name=value pairs separated by commas, or unset it; the names are {known}"
            )),
            Error::Listen { .. } => Some(
                "another program may be using that port: pass --port N (0 picks a free one)"
                    .to_string(),
            ),
            Error::Io { source, .. } => io_hint(source.kind()),
            Error::Tantivy(tantivy::TantivyError::IoError(e)) => io_hint(e.kind()),
            Error::Usage(_) | Error::Tantivy(_) => None,
        }
    }

    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

fn io_hint(kind: std::io::ErrorKind) -> Option<String> {
    use std::io::ErrorKind::*;
    match kind {
        StorageFull => Some(
            "the disk is full; free some space and run `policy-search index` again (the index keeps its last committed state)"
                .to_string(),
        ),
        QuotaExceeded => Some(
            "your disk quota is used up; free some space and run `policy-search index` again (the index keeps its last committed state)"
                .to_string(),
        ),
        FileTooLarge => Some(
            "a file would pass the largest size allowed here (see `ulimit -f`); the index keeps its last committed state"
                .to_string(),
        ),
        ReadOnlyFilesystem => Some(
            "the index directory cannot be written; queries still work, or pass --index with a writable directory"
                .to_string(),
        ),
        PermissionDenied => Some(
            "you lack permission for this file: queries need to read the index, `index` needs to write it; ask its owner, or pass --index with a directory of your own"
                .to_string(),
        ),
        _ => None,
    }
}
