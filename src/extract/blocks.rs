//! Blocks to text, for extractors that find blocks in markup (HTML, DOCX)
//! rather than cut them from a text: table rows held back until it is known
//! whether they are data or layout, and the text the blocks are joined into.

use super::{Block, BlockKind, Extracted, Markup, Offsets};

/// A block an extractor found, before it is placed in the text.
pub(super) trait Piece: Sized {
    fn kind(&self) -> BlockKind;
    /// Its text, trimmed.
    fn text(&self) -> &str;
    /// The one block a data row becomes: `text` is its cells' text on one
    /// line ([`row_text`]), `cells` its cells' blocks.
    fn table_row(cells: &[Vec<Self>], text: String) -> Self;
}

/// A piece that is just its kind and text.
#[derive(Debug)]
pub(super) struct Plain {
    pub(super) kind: BlockKind,
    pub(super) text: String,
}

impl Piece for Plain {
    fn kind(&self) -> BlockKind {
        self.kind
    }

    fn text(&self) -> &str {
        &self.text
    }

    fn table_row(_: &[Vec<Plain>], text: String) -> Plain {
        Plain {
            kind: BlockKind::TableRow,
            text,
        }
    }
}

/// The text: blocks joined by blank lines, so each block starts a new line.
/// An empty title is none.
pub(super) fn assemble<P: Piece>(pieces: Vec<P>, title: Option<String>) -> Extracted {
    let mut text = String::with_capacity(pieces.iter().map(|p| p.text().len() + 2).sum());
    let mut blocks = Vec::with_capacity(pieces.len());
    for piece in pieces {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        let start = text.len();
        text.push_str(piece.text());
        blocks.push(Block {
            kind: piece.kind(),
            range: start..text.len(),
            page: None,
        });
    }
    Extracted {
        // Lines of laid-out text are nowhere in the file.
        cites_lines: false,
        ..Extracted::new(
            text,
            Offsets::Extracted,
            Markup::None,
            blocks,
            title.filter(|t| !t.is_empty()),
        )
    }
}

/// Runs of whitespace as one space, none at either end.
pub(crate) fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An open table row: its blocks are held back until the row ends and it
/// is known whether the row is data (one block) or layout (its blocks).
#[derive(Debug)]
pub(super) struct Row<P> {
    /// Blocks with the 1-based index of the cell they are in (0 before the
    /// first cell).
    pieces: Vec<(usize, P)>,
    /// Bytes of text in `pieces`.
    bytes: usize,
    cell: usize,
    layout: bool,
}

impl<P> Default for Row<P> {
    fn default() -> Self {
        Row {
            pieces: Vec::new(),
            bytes: 0,
            cell: 0,
            layout: false,
        }
    }
}

impl<P: Piece> Row<P> {
    /// A cell starts: blocks from now on are in it.
    pub(super) fn next_cell(&mut self) {
        self.cell += 1;
    }

    /// Holds a block back until the row ends; a layout row hands it back,
    /// to go out at once.
    pub(super) fn hold(&mut self, piece: P) -> Option<P> {
        if self.layout {
            return Some(piece);
        }
        self.bytes += piece.text().len();
        self.pieces.push((self.cell, piece));
        None
    }

    /// The blocks held back, and the bytes of their text.
    pub(super) fn held(&self) -> (usize, usize) {
        (self.pieces.len(), self.bytes)
    }

    /// Makes the row layout: the blocks it held back, in order, to go out
    /// now; later ones are not held.
    pub(super) fn make_layout(&mut self) -> Vec<P> {
        if self.layout {
            return Vec::new();
        }
        self.layout = true;
        std::mem::take(&mut self.pieces)
            .into_iter()
            .map(|(_, p)| p)
            .collect()
    }

    /// Ends the row: its filled cells, each with its blocks in order; none
    /// for a layout row, whose blocks went out as they came.
    pub(super) fn into_cells(self) -> Vec<Vec<P>> {
        let mut cells: Vec<(usize, Vec<P>)> = Vec::new();
        for (cell, piece) in self.pieces {
            match cells.last_mut() {
                Some((c, pieces)) if *c == cell => pieces.push(piece),
                _ => cells.push((cell, vec![piece])),
            }
        }
        cells.into_iter().map(|(_, p)| p).collect()
    }
}

/// The blocks of a document whose tables may nest: each open table's open
/// row holds its cells' blocks back (see [`Row`]) until it is known to be
/// data or layout; the rest go out in order.
#[derive(Debug)]
pub(super) struct Tables<P> {
    /// One entry per open table: its open row, if any.
    open: Vec<Option<Row<P>>>,
    /// The blocks out, in order.
    pub(super) pieces: Vec<P>,
}

impl<P> Default for Tables<P> {
    fn default() -> Self {
        Tables {
            open: Vec::new(),
            pieces: Vec::new(),
        }
    }
}

impl<P: Piece> Tables<P> {
    /// Sends a block to the open cell of the innermost table, or out.
    pub(super) fn emit(&mut self, piece: P) {
        let piece = match self.open.last_mut() {
            Some(Some(row)) => match row.hold(piece) {
                Some(piece) => piece,
                None => return,
            },
            _ => piece,
        };
        self.pieces.push(piece);
    }

    /// A table opens; one inside a cell makes the row around it layout.
    pub(super) fn start_table(&mut self) {
        if let Some(Some(row)) = self.open.last_mut() {
            let held = row.make_layout();
            self.pieces.extend(held);
        }
        self.open.push(None);
    }

    /// A row of the innermost table opens.
    pub(super) fn start_row(&mut self) {
        if let Some(table) = self.open.last_mut() {
            *table = Some(Row::default());
        }
    }

    /// A cell of the open row opens.
    pub(super) fn start_cell(&mut self) {
        if let Some(Some(row)) = self.open.last_mut() {
            row.next_cell();
        }
    }

    /// The open row ends: its blocks go out as [`row_blocks`] makes them.
    pub(super) fn end_row(&mut self) {
        let Some(Some(row)) = self.open.last_mut().map(Option::take) else {
            return;
        };
        for piece in row_blocks(row.into_cells(), false) {
            self.emit(piece);
        }
    }

    /// The innermost table ends.
    pub(super) fn end_table(&mut self) {
        if matches!(self.open.last(), Some(Some(_))) {
            self.end_row();
        }
        self.open.pop();
    }

    /// Closes what is still open (a truncated document), keeping its text.
    pub(super) fn finish(&mut self) -> Vec<P> {
        while !self.open.is_empty() {
            self.end_table();
        }
        std::mem::take(&mut self.pieces)
    }
}

/// What a finished row sends on: two or more filled cells are one
/// `TableRow` block, unless `layout` says the row is layout all the same; a
/// row of one filled cell is a box, and its blocks stay as they are.
pub(super) fn row_blocks<P: Piece>(cells: Vec<Vec<P>>, layout: bool) -> Vec<P> {
    if cells.len() == 1 || layout {
        return cells.into_iter().flatten().collect();
    }
    if cells.is_empty() {
        return Vec::new();
    }
    let text = row_text(&cells);
    vec![P::table_row(&cells, text)]
}

/// A data row's text: cells joined by `" | "`, a cell's blocks by spaces,
/// and line breaks in them as spaces, so the row is one line.
fn row_text<P: Piece>(cells: &[Vec<P>]) -> String {
    let mut text = String::new();
    for (i, pieces) in cells.iter().enumerate() {
        if i > 0 {
            text.push_str(" | ");
        }
        for (j, p) in pieces.iter().enumerate() {
            if j > 0 {
                text.push(' ');
            }
            text.extend(p.text().chars().map(|c| if c == '\n' { ' ' } else { c }));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> Plain {
        Plain {
            kind: BlockKind::Paragraph,
            text: text.to_string(),
        }
    }

    fn texts(pieces: &[Plain]) -> Vec<(BlockKind, &str)> {
        pieces.iter().map(|p| (p.kind, p.text.as_str())).collect()
    }

    #[test]
    fn rows_of_cells_are_one_block_and_boxes_stay_blocks() {
        let mut row = Row::default();
        row.next_cell();
        row.next_cell();
        assert!(row.hold(plain("Chair")).is_none());
        assert!(row.hold(plain("and\nvice")).is_none());
        row.next_cell();
        row.next_cell();
        assert!(row.hold(plain("Board")).is_none());
        assert_eq!(row.held(), (3, 18));
        let out = row_blocks(row.into_cells(), false);
        assert_eq!(
            texts(&out),
            vec![(BlockKind::TableRow, "Chair and vice | Board")]
        );
        // Layout all the same: the blocks as they are.
        let mut row = Row::default();
        row.next_cell();
        row.hold(plain("a"));
        row.next_cell();
        row.hold(plain("b"));
        let out = row_blocks(row.into_cells(), true);
        assert_eq!(texts(&out).len(), 2);
        // One filled cell is a box; no filled cell is nothing.
        let mut row = Row::default();
        row.next_cell();
        row.hold(plain("only"));
        row.next_cell();
        let out = row_blocks(row.into_cells(), false);
        assert_eq!(texts(&out), vec![(BlockKind::Paragraph, "only")]);
        assert!(row_blocks(Row::<Plain>::default().into_cells(), false).is_empty());
    }

    #[test]
    fn a_layout_row_releases_what_it_held_and_holds_no_more() {
        let mut row = Row::default();
        row.next_cell();
        row.hold(plain("first"));
        assert_eq!(
            texts(&row.make_layout()),
            vec![(BlockKind::Paragraph, "first")]
        );
        assert!(row.make_layout().is_empty());
        let back = row.hold(plain("later")).expect("not held");
        assert_eq!(back.text, "later");
        assert!(row.into_cells().is_empty());
    }

    #[test]
    fn assembled_text_is_the_blocks_joined_by_blank_lines() {
        let e = assemble(vec![plain("One"), plain("Two")], Some(String::new()));
        assert_eq!(e.text, "One\n\nTwo");
        assert_eq!(e.blocks[1].range, 5..8);
        assert_eq!(e.title, None);
        assert_eq!(collapse_whitespace("  a \n\t b "), "a b");
    }
}
