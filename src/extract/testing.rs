//! Checks shared by the extractors' tests.

use std::time::{Duration, Instant};

use super::{BlockKind, Extracted, Markup, Offsets};

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

/// The blocks of a checked extraction ([`check_ranges`]), as kind and text.
pub(super) fn blocks(e: &Extracted) -> Vec<(BlockKind, &str)> {
    check_ranges(e);
    e.blocks
        .iter()
        .map(|b| (b.kind, &e.text[b.range.clone()]))
        .collect()
}

/// Property tests' settings: `cases` inputs, failures not written to files
/// in the source tree.
pub(super) fn proptest_config(cases: u32) -> proptest::prelude::ProptestConfig {
    proptest::prelude::ProptestConfig {
        cases,
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    }
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
