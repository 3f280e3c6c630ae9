//! Progress reporting for long runs: a bar on a terminal, nothing otherwise.
//! Warnings go through here so they never tear the bar.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Reports progress and warnings on stderr.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar over `total_bytes` if `enabled` and stderr is a terminal; silent otherwise.
    pub fn new(total_files: u64, total_bytes: u64, enabled: bool) -> Self {
        if !enabled || !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message(format!("0/{total_files} files"));
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { bar: Some(bar) }
    }

    /// A reporter that shows no bar (warnings still go to stderr).
    pub fn hidden() -> Self {
        Progress { bar: None }
    }

    /// Records one finished file of `bytes` bytes; `done` files of `total` so far.
    pub fn file_done(&self, bytes: u64, done: u64, total: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
            bar.set_message(format!("{done}/{total} files"));
        }
    }

    /// Prints a warning line on stderr without breaking the bar.
    pub fn warn(&self, message: &str) {
        // Warnings name files, whose names can hold control characters.
        let message = crate::terminal::visible(message);
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("warning: {message}")),
            None => eprintln!("warning: {message}"),
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
