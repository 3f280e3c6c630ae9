//! A block found in a page.

use crate::extract::{blocks, BlockKind};

/// A finished block, before the chrome filters.
#[derive(Debug)]
pub(super) struct Piece {
    pub(super) kind: BlockKind,
    /// Heading level, 0 if not a heading.
    pub(super) level: u8,
    pub(super) text: String,
    pub(super) main: bool,
    /// Non-space characters, and how many of them are link text.
    pub(super) chars: usize,
    pub(super) link_chars: usize,
}

impl Piece {
    pub(super) fn words(&self) -> usize {
        self.text.split_whitespace().count()
    }
}

impl blocks::Piece for Piece {
    fn kind(&self) -> BlockKind {
        self.kind
    }

    fn text(&self) -> &str {
        &self.text
    }

    fn table_row(cells: &[Vec<Piece>], text: String) -> Piece {
        let pieces = cells.iter().flatten();
        Piece {
            kind: BlockKind::TableRow,
            level: 0,
            text,
            main: pieces.clone().any(|p| p.main),
            chars: pieces.clone().map(|p| p.chars).sum(),
            link_chars: pieces.map(|p| p.link_chars).sum(),
        }
    }
}
