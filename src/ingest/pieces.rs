//! Large files read piece by piece, so memory stays bounded: text and
//! Markdown in chunks, web pages in passes (see [`PageStream`]). Each piece
//! has the time a file has, to be extracted, split and sent.

use std::fs::File;
use std::io::BufReader;
use std::time::Duration;

use crate::extract::html::{PageStream, Step};
use crate::extract::stream::ChunkReader;
use crate::extract::{self, Extracted, Format, Offsets};
use crate::limits::FileDeadline;

use super::file_error::FileError;
use super::walk::FileEntry;
use super::worker::open_file;

/// One piece of a file, extracted, with the deadline that runs on while it
/// is split and sent.
pub(super) struct Piece {
    pub extracted: Extracted,
    _deadline: FileDeadline,
}

/// A file read piece by piece.
pub(super) trait Pieces {
    /// The next piece, each with `timeout` to go; `None` at the end.
    fn next(&mut self, timeout: Duration) -> Result<Option<Piece>, FileError>;
    /// The content hash of what was read (all of the file, at the end).
    fn hash(&self) -> String;
    /// What the offsets of the passages sent mean.
    fn offsets(&self) -> Offsets;
    /// Does a piece without a title take the first piece's?
    fn inherits_title(&self) -> bool;
}

/// A large text or Markdown file, in chunks.
pub(super) struct TextChunks {
    reader: ChunkReader<BufReader<File>>,
    format: Format,
    /// Extracted offsets if any chunk's are.
    offsets: Offsets,
}

impl TextChunks {
    pub fn open(file: &FileEntry) -> Result<Self, FileError> {
        Ok(TextChunks {
            reader: ChunkReader::new(BufReader::new(open_file(&file.path)?)),
            format: file.format,
            offsets: Offsets::File,
        })
    }
}

impl Pieces for TextChunks {
    fn next(&mut self, timeout: Duration) -> Result<Option<Piece>, FileError> {
        let Some(chunk) = self.reader.next_chunk()? else {
            return Ok(None);
        };
        // Each chunk has the time a file has: a long file is not a hang.
        let deadline = FileDeadline::start(timeout);
        let mut extracted = match self.format {
            Format::Markdown => extract::markdown::extract(chunk.text, chunk.offsets),
            _ => extract::text::extract(chunk.text, chunk.offsets),
        };
        extracted.byte_base = chunk.byte_base;
        extracted.line_base = chunk.line_base;
        if extracted.offsets == Offsets::Extracted {
            self.offsets = Offsets::Extracted;
        }
        Ok(Some(Piece {
            extracted,
            _deadline: deadline,
        }))
    }

    fn hash(&self) -> String {
        self.reader.hash()
    }

    fn offsets(&self) -> Offsets {
        self.offsets
    }

    fn inherits_title(&self) -> bool {
        false
    }
}

/// A large web page, in the chunks of its passes.
pub(super) struct PageSteps {
    stream: PageStream<File>,
}

impl PageSteps {
    pub fn open(file: &FileEntry) -> Result<Self, FileError> {
        Ok(PageSteps {
            stream: PageStream::new(open_file(&file.path)?),
        })
    }
}

impl Pieces for PageSteps {
    fn next(&mut self, timeout: Duration) -> Result<Option<Piece>, FileError> {
        loop {
            // Each step reads a few MB of the page and has the time a file has.
            let deadline = FileDeadline::start(timeout);
            match self.stream.step()? {
                Some(Step::Chunk(extracted)) => {
                    return Ok(Some(Piece {
                        extracted,
                        _deadline: deadline,
                    }))
                }
                Some(Step::Read) => continue,
                None => return Ok(None),
            }
        }
    }

    fn hash(&self) -> String {
        self.stream.hash()
    }

    fn offsets(&self) -> Offsets {
        Offsets::Extracted
    }

    /// A page without a title is named by its first chunk, as a whole page
    /// is by its start; every chunk's passages carry that name.
    fn inherits_title(&self) -> bool {
        true
    }
}
