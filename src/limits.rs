//! Per-file limits: every file has the same time (`--file-timeout`), files
//! past `--max-file-size` are skipped, and memory is bounded per file.
//!
//! Formats extracted in a child process ([`crate::ingest::isolate`]: PDF,
//! DOCX, PPTX, ODT, EPUB) are bounded by killing the child, and its memory
//! by an rlimit. The others (text, Markdown, HTML, JSON Lines) are read in
//! a stream, so their memory does not grow with the file (RTF and XML are
//! read whole, in one linear pass), and they and passage splitting run on a
//! worker thread, which cannot be killed: their loops call [`check`], and
//! once the file's time is up the work unwinds to the file's boundary in
//! [`crate::ingest`], which reports the file as over the limit and goes on.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// The unwinding payload of a file whose time ran out. Raised with
/// [`std::panic::resume_unwind`], which runs no panic hook: nothing is
/// printed, and [`crate::ingest`] turns it into one warning line.
#[derive(Debug, Clone, Copy)]
pub struct OutOfTime {
    /// The limit that was passed.
    pub limit: Duration,
}

thread_local! {
    static DEADLINE: Cell<Option<(Instant, Duration)>> = const { Cell::new(None) };
    static TICKS: Cell<u32> = const { Cell::new(0) };
}

/// While alive, work on this thread must end within `limit` of its start.
pub struct FileDeadline {
    previous: Option<(Instant, Duration)>,
}

impl FileDeadline {
    /// Starts the clock for one file.
    pub fn start(limit: Duration) -> Self {
        let deadline = Instant::now().checked_add(limit).map(|at| (at, limit));
        FileDeadline {
            previous: DEADLINE.with(|d| d.replace(deadline)),
        }
    }
}

impl Drop for FileDeadline {
    fn drop(&mut self) {
        DEADLINE.with(|d| d.set(self.previous));
    }
}

/// How many calls of [`check`] go by between looks at the clock: a call is
/// then a counter increment, cheap enough for per-token loops.
const TICKS_PER_LOOK: u32 = 256;

/// Unwinds with [`OutOfTime`] if this thread's file deadline has passed.
/// Call it from loops whose length grows with the input.
#[inline]
pub fn check() {
    let tick = TICKS.with(|t| {
        let n = t.get().wrapping_add(1);
        t.set(n);
        n
    });
    if tick.is_multiple_of(TICKS_PER_LOOK) {
        check_now();
    }
}

#[cold]
fn check_now() {
    if let Some((at, limit)) = DEADLINE.with(Cell::get) {
        if Instant::now() >= at {
            std::panic::resume_unwind(Box::new(OutOfTime { limit }));
        }
    }
}

/// The warning for a file whose time ran out.
pub fn out_of_time_reason(limit: Duration) -> String {
    format!(
        "took longer than {:.1} s to extract (see --file-timeout); skipped",
        limit.as_secs_f64()
    )
}

/// The warning for a file whose extraction needed more memory than allowed.
pub fn out_of_memory_reason(limit: u64) -> String {
    format!(
        "needed more than {} of memory to extract (see --max-file-memory); skipped",
        bytesize::ByteSize(limit)
    )
}

/// The warning for a file larger than allowed.
pub fn too_large_reason(size: u64, limit: u64) -> String {
    format!(
        "{}, larger than --max-file-size ({}); skipped",
        bytesize::ByteSize(size),
        bytesize::ByteSize(limit)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_past_its_deadline_unwinds_with_the_limit() {
        let limit = Duration::from_millis(20);
        let result = std::panic::catch_unwind(|| {
            let _deadline = FileDeadline::start(limit);
            loop {
                check();
            }
        });
        let payload = result.unwrap_err();
        assert_eq!(payload.downcast_ref::<OutOfTime>().unwrap().limit, limit);
        // The deadline ends with its guard.
        for _ in 0..10_000 {
            check();
        }
    }

    #[test]
    fn no_deadline_no_unwinding() {
        for _ in 0..10_000 {
            check();
        }
        let _deadline = FileDeadline::start(Duration::MAX);
        for _ in 0..10_000 {
            check();
        }
    }
}
