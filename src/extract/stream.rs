//! Reading very large text files in chunks, so memory stays bounded
//! whatever the file's size (a 2 GB log is indexed in ~8 MB pieces).
//!
//! Chunks end at a paragraph break where possible, else a line break, so
//! paragraphs are rarely cut. Offsets continue across chunks: a chunk's
//! `byte_base` is where it starts in the decoded text, which is the file's own
//! bytes for as long as the file is valid UTF-8.

use std::io::Read;

use encoding_rs::Encoding;

use super::decode::{detect, is_utf8, looks_binary};
use super::{ExtractError, Offsets};

/// Files larger than this are read in chunks.
pub const STREAM_THRESHOLD: u64 = 32 << 20;
/// Target chunk size.
const CHUNK_BYTES: usize = 8 << 20;

/// One chunk of a large text file.
#[derive(Debug)]
pub struct Chunk {
    /// The decoded text.
    pub text: String,
    /// Where `text` starts in the whole decoded document.
    pub byte_base: u64,
    /// Lines before `text` in the whole document.
    pub line_base: u32,
    /// What the offsets mean for this chunk.
    pub offsets: Offsets,
}

/// Splits a reader into decoded chunks and hashes everything it reads.
pub struct ChunkReader<R> {
    reader: R,
    pending: Vec<u8>,
    eof: bool,
    encoding: Option<&'static Encoding>,
    decoded: u64,
    consumed: u64,
    lines: u32,
    hasher: blake3::Hasher,
}

impl<R: Read> ChunkReader<R> {
    /// Starts reading.
    pub fn new(reader: R) -> Self {
        ChunkReader {
            reader,
            pending: Vec::new(),
            eof: false,
            encoding: None,
            decoded: 0,
            consumed: 0,
            lines: 0,
            hasher: blake3::Hasher::new(),
        }
    }

    /// The content hash of everything read so far (all of it, at the end).
    pub fn hash(&self) -> String {
        self.hasher.finalize().to_hex().to_string()
    }

    fn fill(&mut self) -> std::io::Result<()> {
        let mut buf = vec![0u8; 1 << 20];
        while !self.eof && self.pending.len() < CHUNK_BYTES {
            let n = self.reader.read(&mut buf)?;
            if n == 0 {
                self.eof = true;
            } else {
                self.hasher.update(&buf[..n]);
                self.pending.extend_from_slice(&buf[..n]);
            }
        }
        Ok(())
    }

    /// Where to cut `pending`: after a blank line, else a newline, else at a
    /// character boundary.
    fn cut(&self) -> usize {
        let p = &self.pending;
        if self.eof {
            return p.len();
        }
        let tail = p.len() / 2;
        if let Some(i) = p[tail..].windows(2).rposition(|w| w == b"\n\n") {
            return tail + i + 2;
        }
        if let Some(i) = p[tail..].iter().rposition(|&b| b == b'\n') {
            return tail + i + 1;
        }
        // One enormous line: cut where a character starts.
        p[tail..]
            .iter()
            .rposition(|&b| b & 0xC0 != 0x80)
            .map_or(p.len(), |i| tail + i)
    }

    /// The next chunk, or `None` at the end.
    pub fn next_chunk(&mut self) -> Result<Option<Chunk>, ExtractError> {
        self.fill()?;
        if self.pending.is_empty() {
            return Ok(None);
        }
        let first = self.encoding.is_none();
        if first && looks_binary(&self.pending) {
            return Err(ExtractError::Binary);
        }
        let cut = self.cut();
        let raw: Vec<u8> = self.pending.drain(..cut).collect();
        let encoding = *self.encoding.get_or_insert_with(|| {
            if std::str::from_utf8(&raw).is_ok() {
                encoding_rs::UTF_8
            } else {
                detect(&raw)
            }
        });
        let (text, exact) = if is_utf8(encoding) {
            match String::from_utf8(raw) {
                Ok(t) => (t, true),
                Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), false),
            }
        } else {
            let (t, _) = encoding.decode_without_bom_handling(&raw);
            (t.into_owned(), false)
        };
        let offsets = if exact && self.decoded == self.consumed {
            Offsets::File
        } else {
            Offsets::Extracted
        };
        let chunk = Chunk {
            byte_base: self.decoded,
            line_base: self.lines,
            offsets,
            text,
        };
        self.consumed += cut as u64;
        self.decoded += chunk.text.len() as u64;
        self.lines += chunk.text.bytes().filter(|&b| b == b'\n').count() as u32;
        Ok(Some(chunk))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_file_exactly() {
        let para = "A paragraph of text that goes on for a while.\nSecond line.\n\n";
        let text = para.repeat((3 * CHUNK_BYTES) / para.len());
        let mut reader = ChunkReader::new(text.as_bytes());
        let mut rebuilt = String::new();
        let mut chunks = 0;
        while let Some(c) = reader.next_chunk().unwrap() {
            assert_eq!(c.byte_base as usize, rebuilt.len());
            assert_eq!(c.line_base as usize, rebuilt.matches('\n').count());
            assert_eq!(c.offsets, Offsets::File);
            assert!(c.text.ends_with("\n\n") || rebuilt.len() + c.text.len() == text.len());
            rebuilt.push_str(&c.text);
            chunks += 1;
        }
        assert!(chunks >= 3);
        assert_eq!(rebuilt, text);
        assert_eq!(
            reader.hash(),
            blake3::hash(text.as_bytes()).to_hex().to_string()
        );
    }

    #[test]
    fn binary_stream_is_refused() {
        let mut reader = ChunkReader::new(&[0u8, 1, 2, 3][..]);
        assert!(matches!(reader.next_chunk(), Err(ExtractError::Binary)));
    }
}
