//! Checks shared by the extractors' tests.

use std::time::{Duration, Instant};

use super::{Extracted, Markup, Offsets};

/// Every block range slices `text` to a trimmed, non-empty block, and the
/// text is exactly the blocks joined by blank lines, as [`super::blocks::assemble`] makes it.
pub(super) fn check_ranges(e: &Extracted) {
    let joined: Vec<&str> = e.blocks.iter().map(|b| &e.text[b.range.clone()]).collect();
    assert_eq!(joined.join("\n\n"), e.text);
    for s in joined {
        assert!(!s.is_empty() && s.trim() == s, "{s:?}");
    }
    assert_eq!(e.offsets, Offsets::Extracted);
    assert_eq!(e.markup, Markup::None);
}

/// Work begun at `start` on a hostile input (deep nesting) took well under
/// the time a quadratic algorithm would; debug builds are slow, so the bound
/// is loose.
pub(super) fn assert_quick(start: Instant) {
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
}
