//! What an `index` run tells its caller as it goes. The library prints
//! nothing: the caller decides how to show progress and warnings.

/// Receives the progress and warnings of an `index` run, in order:
/// [`Progress::started`] once, then warnings and finished files as they
/// come, then [`Progress::finished`] once (before the last commit).
pub trait Progress {
    /// The work is known: `files` to read, `bytes` in all.
    fn started(&mut self, files: u64, bytes: u64);
    /// A file of `bytes` bytes is done; `done` files of `total` so far.
    fn file_done(&mut self, bytes: u64, done: u64, total: u64);
    /// A file or folder was skipped, wholly or in part: `path: reason`,
    /// with the path as people see it.
    fn warning(&mut self, message: &str);
    /// No more files will be read.
    fn finished(&mut self);
}
