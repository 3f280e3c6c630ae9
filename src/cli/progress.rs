//! How an `index` run looks on stderr: a progress bar on a terminal (unless
//! turned off), and one `warning: ...` line per file skipped, wholly or in
//! part, printed so they never tear the bar.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use policy_search::ingest::Progress;
use policy_search::terminal::visible;

/// Shows an `index` run's progress and warnings on stderr.
pub struct Bar {
    /// Show a bar when stderr is a terminal.
    enabled: bool,
    bar: Option<ProgressBar>,
}

impl Bar {
    /// A reporter with a bar if `enabled` and stderr is a terminal; warnings only otherwise.
    pub fn new(enabled: bool) -> Self {
        Bar { enabled, bar: None }
    }
}

impl Progress for Bar {
    fn started(&mut self, files: u64, bytes: u64) {
        if !self.enabled || !std::io::stderr().is_terminal() {
            return;
        }
        let bar = ProgressBar::with_draw_target(Some(bytes), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message(format!("0/{files} files"));
        bar.enable_steady_tick(Duration::from_millis(120));
        self.bar = Some(bar);
    }

    fn file_done(&mut self, bytes: u64, done: u64, total: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
            bar.set_message(format!("{done}/{total} files"));
        }
    }

    fn warning(&mut self, message: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| warn(message)),
            None => warn(message),
        }
    }

    fn stage(&mut self, what: &str) {
        if let Some(bar) = &self.bar {
            let style = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
            bar.set_style(style);
            bar.set_message(format!("{what}…"));
        }
    }

    fn finished(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Bar {
    /// A run that fails after reading its files leaves no bar behind its
    /// error.
    fn drop(&mut self) {
        self.finished();
    }
}

/// Prints a line on stderr about how a command understood the user (a
/// word corrected or also searched as an acronym), made visible as
/// warnings are.
pub fn note(message: &str) {
    eprintln!("note: {}", visible(message));
}

/// Prints a warning line on stderr. Warnings name files and quote queries,
/// which can hold control characters: they are made visible.
pub fn warn(message: &str) {
    eprintln!("warning: {}", visible(message));
}
