//! Character decoding of text files: UTF-8 as it is, everything else
//! (UTF-16, Windows-1252, Latin-1, …) detected and transcoded.
//!
//! Offsets of UTF-8 files are the file's own bytes; a transcoded file's
//! offsets refer to its UTF-8 text instead ([`Offsets::Extracted`]).

use encoding_rs::{Encoding, UTF_8};

use super::{ExtractError, Offsets};

/// Bytes inspected to tell text from binary content.
const SNIFF_BYTES: usize = 8192;

/// Is this the start of a binary file? NUL bytes, or many control
/// characters, as git and ripgrep judge it.
pub fn looks_binary(head: &[u8]) -> bool {
    let head = &head[..head.len().min(SNIFF_BYTES)];
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return false;
    }
    if head.contains(&0) {
        return true;
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x0b | 0x1b))
        .count();
    control * 20 > head.len()
}

/// The encoding of text that is not valid UTF-8: by BOM, else by detection.
pub fn detect(bytes: &[u8]) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return enc;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(&bytes[..bytes.len().min(1 << 20)], bytes.len() <= 1 << 20);
    detector.guess(None, chardetng::Utf8Detection::Allow)
}

/// Decodes a whole text file.
pub fn decode_text(bytes: Vec<u8>) -> Result<(String, Offsets), ExtractError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ExtractError::Empty);
    }
    if looks_binary(&bytes) {
        return Err(ExtractError::Binary);
    }
    let bytes = match String::from_utf8(bytes) {
        Ok(text) => return Ok((text, Offsets::File)),
        Err(e) => e.into_bytes(),
    };
    let encoding = detect(&bytes);
    let (text, _, _) = encoding.decode(&bytes);
    Ok((text.into_owned(), Offsets::Extracted))
}

/// True for encodings whose decoding is the identity on valid UTF-8 bytes.
pub fn is_utf8(encoding: &'static Encoding) -> bool {
    encoding == UTF_8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_kept_with_file_offsets() {
        let (t, o) = decode_text("café – “quoted”".as_bytes().to_vec()).unwrap();
        assert_eq!(t, "café – “quoted”");
        assert_eq!(o, Offsets::File);
    }

    #[test]
    fn windows_1252_is_transcoded() {
        // "The trust’s café – 10 €" in Windows-1252.
        let bytes =
            b"The trust\x92s caf\xe9 \x96 10 \x80 and more plain English text here.".to_vec();
        let (t, o) = decode_text(bytes).unwrap();
        assert!(t.starts_with("The trust’s café – 10 €"), "{t}");
        assert_eq!(o, Offsets::Extracted);
    }

    #[test]
    fn utf16_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "NHS England".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        let (t, _) = decode_text(bytes).unwrap();
        assert_eq!(t, "NHS England");
    }

    #[test]
    fn binary_and_empty_are_refused() {
        assert!(matches!(
            decode_text(vec![0x7f, b'E', b'L', b'F', 0, 0, 1]),
            Err(ExtractError::Binary)
        ));
        assert!(matches!(
            decode_text(b" \n\t\n".to_vec()),
            Err(ExtractError::Empty)
        ));
        assert!(matches!(decode_text(Vec::new()), Err(ExtractError::Empty)));
        let noise: Vec<u8> = (0..4000u32).map(|i| (i * 7919 % 251) as u8 + 1).collect();
        assert!(looks_binary(&noise));
    }
}
