//! What an `index` run tells its caller as it goes. The library prints
//! nothing: the caller decides how to show progress and warnings.

/// Receives the progress and warnings of an `index` run, in order:
/// [`Progress::started`] once, then warnings and finished files as they
/// come, then the stages of saving ([`Progress::stage`]) with their
/// warnings, then [`Progress::finished`] once.
pub trait Progress {
    /// The work is known: `files` to read, `bytes` in all.
    fn started(&mut self, files: u64, bytes: u64);
    /// A file of `bytes` bytes is done; `done` files of `total` so far.
    fn file_done(&mut self, bytes: u64, done: u64, total: u64);
    /// A file or folder was skipped, wholly or in part: `path: reason`,
    /// with the path as people see it.
    fn warning(&mut self, message: &str);
    /// The files are read, and the run is now `what` ("saving", "merging
    /// small segments"): on a large index that takes seconds, which should
    /// not look like a hang.
    fn stage(&mut self, _what: &str) {}
    /// The run is done.
    fn finished(&mut self);
}
