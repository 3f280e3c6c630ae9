//! `index --watch`: keep the index fresh as files change.
//!
//! After a first run, the paths are watched (notify: inotify, FSEvents,
//! ReadDirectoryChangesW). A burst of changes (a folder copied in, an
//! editor saving) is gathered until the files have been quiet for
//! [`QUIET`], or for at most [`LONGEST_BATCH`], and then indexed by a normal
//! incremental run: the same guarantees, the same summary line. A watched
//! folder that disappears (an unmounted drive, a renamed folder) keeps what
//! was indexed from it, since a run only judges paths it can see, and is
//! watched again when it comes back.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};
use policy_search::error::{Error, Result};
use policy_search::ingest::IndexOptions;

use super::commands::{self, ExitStatus};
use super::progress::{note, warn};

/// Changes are indexed once the files have been quiet this long.
const QUIET: Duration = Duration::from_secs(1);
/// However busy the files, a batch is indexed after this long.
const LONGEST_BATCH: Duration = Duration::from_secs(10);
/// How often folders that are gone are looked for again.
const RECHECK: Duration = Duration::from_secs(5);

/// Indexes `opts.paths`, then again after every burst of changes below
/// them, until the process is stopped.
pub fn watch(opts: &IndexOptions, progress: bool, out: &mut dyn Write) -> Result<ExitStatus> {
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })
    .map_err(|e| Error::Internal(format!("cannot watch files: {e}")))?;
    let index_dir = absolute(&opts.index_dir);
    let mut watched: Vec<PathBuf> = Vec::new();
    let mut missing_said: Vec<PathBuf> = Vec::new();
    let mut run = |watched: &mut Vec<PathBuf>, missing_said: &mut Vec<PathBuf>| -> Result<()> {
        let present: Vec<PathBuf> = opts.paths.iter().filter(|p| p.exists()).cloned().collect();
        for p in &opts.paths {
            if !p.exists() && !missing_said.contains(p) {
                warn(&format!(
                    "{} is gone; what was indexed from it is kept, and it is watched for",
                    p.display()
                ));
                missing_said.push(p.clone());
            }
        }
        missing_said.retain(|p| !p.exists());
        for p in &present {
            let path = absolute(p);
            if !watched.contains(&path) {
                match watcher.watch(&path, RecursiveMode::Recursive) {
                    Ok(()) => watched.push(path),
                    Err(e) => warn(&format!("cannot watch {}: {e}", p.display())),
                }
            }
        }
        if present.is_empty() {
            return Ok(());
        }
        let batch = IndexOptions {
            paths: present,
            ..opts.clone()
        };
        match commands::index(&batch, progress, false, out) {
            Ok(_) => Ok(()),
            // Another process indexing: the next burst tries again.
            Err(e @ Error::Locked { .. }) => {
                warn(&format!("{e}; trying again after the next change"));
                Ok(())
            }
            Err(e) => Err(e),
        }
    };
    run(&mut watched, &mut missing_said)?;
    note("watching for changes (Ctrl-C to stop)");
    loop {
        // Wait for a change that matters, looking again for folders that
        // came back every so often.
        let first = Instant::now();
        let mut changed = false;
        let mut last_change = first;
        loop {
            let wait = if changed {
                QUIET.saturating_sub(last_change.elapsed())
            } else {
                RECHECK
            };
            match rx.recv_timeout(wait) {
                Ok(Ok(event)) => {
                    // Reading a file (as indexing does) is not a change,
                    // and the index's own files are not the library.
                    let matters = !matches!(event.kind, notify::EventKind::Access(_))
                        && event.paths.iter().any(|p| !p.starts_with(&index_dir));
                    if matters {
                        changed = true;
                        last_change = Instant::now();
                    }
                }
                Ok(Err(e)) => warn(&format!("watching: {e}")),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(Error::Internal("the file watcher stopped".into()));
                }
            }
            let quiet = changed && last_change.elapsed() >= QUIET;
            let returned = !changed
                && opts
                    .paths
                    .iter()
                    .any(|p| p.exists() && !watched.contains(&absolute(p)));
            if quiet || (changed && first.elapsed() >= LONGEST_BATCH) || returned {
                break;
            }
        }
        // A watched folder that was removed is watched afresh when it is back.
        watched.retain(|p| p.exists());
        run(&mut watched, &mut missing_said)?;
    }
}

/// `p` made absolute (and canonical where it exists), to compare with the
/// paths events name.
fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    })
}
