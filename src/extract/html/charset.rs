//! The encoding of a page: byte order mark, `<meta>` declaration, or a guess.

use encoding_rs::Encoding;

use crate::extract::decode;

/// Bytes searched for a `<meta>` charset declaration.
const PRESCAN_BYTES: usize = 4096;

/// Decodes the page: a byte order mark wins, then a `<meta>` declaration,
/// then UTF-8 if the bytes are valid UTF-8, then the detector's guess
/// ([`decode::detect`]).
/// Invalid sequences become U+FFFD; decoding never fails.
pub(super) fn decode(bytes: &[u8]) -> String {
    if let Some((encoding, skip)) = declared_encoding(bytes) {
        return decode_with(encoding, &bytes[skip..]);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_owned();
    }
    decode_with(decode::detect(bytes), bytes)
}

/// The encoding a page's first bytes declare, by a byte order mark (with its
/// length, to skip) or a `<meta>` declaration.
pub(super) fn declared_encoding(start: &[u8]) -> Option<(&'static Encoding, usize)> {
    if let Some(found) = Encoding::for_bom(start) {
        return Some(found);
    }
    let encoding = meta_charset(&start[..start.len().min(PRESCAN_BYTES)])?;
    // As in browsers: a page whose <meta> is readable as ASCII is not
    // UTF-16, and x-user-defined means windows-1252.
    let encoding = if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
        encoding_rs::UTF_8
    } else if encoding == encoding_rs::X_USER_DEFINED {
        encoding_rs::WINDOWS_1252
    } else {
        encoding
    };
    Some((encoding, 0))
}

fn decode_with(encoding: &'static Encoding, bytes: &[u8]) -> String {
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

/// The encoding named by a `<meta charset>` or `<meta http-equiv=
/// "Content-Type" content="…; charset=…">` in `head`, if any is known.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let mut at = 0;
    while let Some(found) = find_ascii_ci(&head[at..], b"<meta") {
        let mut i = at + found + 5;
        at = i;
        if !head
            .get(i)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/')
        {
            continue;
        }
        let (mut charset, mut content, mut content_type) = (None, None, false);
        while let Some((name, value, next)) = next_attribute(head, i) {
            i = next;
            if name.eq_ignore_ascii_case(b"charset") {
                charset = Some(value);
            } else if name.eq_ignore_ascii_case(b"content") {
                content = Some(value);
            } else if name.eq_ignore_ascii_case(b"http-equiv") {
                content_type = value.eq_ignore_ascii_case(b"content-type");
            }
        }
        let label = charset.or_else(|| {
            let content = content.filter(|_| content_type)?;
            let pos = find_ascii_ci(content, b"charset")?;
            let rest = content[pos + 7..].trim_ascii_start().strip_prefix(b"=")?;
            let rest = rest.trim_ascii_start();
            let rest = rest
                .strip_prefix(b"\"")
                .or_else(|| rest.strip_prefix(b"'"))
                .unwrap_or(rest);
            let end = rest
                .iter()
                .position(|&b| matches!(b, b';' | b'"' | b'\'') || b.is_ascii_whitespace())
                .unwrap_or(rest.len());
            Some(&rest[..end])
        });
        if let Some(encoding) = label.and_then(|l| Encoding::for_label(l.trim_ascii())) {
            return Some(encoding);
        }
    }
    None
}

/// Reads one attribute of a tag starting at `i`: `(name, value, next index)`,
/// or `None` at the end of the tag.
fn next_attribute(s: &[u8], mut i: usize) -> Option<(&[u8], &[u8], usize)> {
    while i < s.len() && (s[i].is_ascii_whitespace() || s[i] == b'/') {
        i += 1;
    }
    if i >= s.len() || s[i] == b'>' {
        return None;
    }
    let start = i;
    while i < s.len() && !matches!(s[i], b'=' | b'>' | b'/') && !s[i].is_ascii_whitespace() {
        i += 1;
    }
    let name = &s[start..i];
    while i < s.len() && s[i].is_ascii_whitespace() {
        i += 1;
    }
    if s.get(i) != Some(&b'=') {
        return Some((name, &[], i));
    }
    i += 1;
    while i < s.len() && s[i].is_ascii_whitespace() {
        i += 1;
    }
    match s.get(i) {
        Some(&q @ (b'"' | b'\'')) => {
            let end = s[i + 1..]
                .iter()
                .position(|&b| b == q)
                .map_or(s.len(), |p| i + 1 + p);
            Some((name, &s[i + 1..end], (end + 1).min(s.len())))
        }
        _ => {
            let start = i;
            while i < s.len() && s[i] != b'>' && !s[i].is_ascii_whitespace() {
                i += 1;
            }
            Some((name, &s[start..i], i))
        }
    }
}

fn find_ascii_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use crate::extract::html::extract;

    #[test]
    fn encodings() {
        // windows-1252 declared in an http-equiv meta, content first.
        let mut page =
            b"<meta content=\"text/html; charset=windows-1252\" http-equiv=\"Content-Type\"><p>caf"
                .to_vec();
        page.extend_from_slice(&[0xE9, 0x20, 0x93, b'q', 0x94]);
        let e = extract(&page).unwrap();
        assert_eq!(&e.text, "café “q”");
        // A UTF-16 byte order mark.
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("<p>Ünïcode</p>".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(extract(&utf16).unwrap().text, "Ünïcode");
        // Undeclared, not UTF-8: the detector's guess, no panic.
        let latin = [
            b"<p>Gesundheitsf".as_slice(),
            &[0xF6],
            b"rderung f",
            &[0xFC],
            b"r alle",
        ]
        .concat();
        assert_eq!(
            extract(&latin).unwrap().text,
            "Gesundheitsförderung für alle"
        );
        // A <meta charset> naming a legacy encoding.
        let koi = [b"<meta charset=koi8-r><p>".as_slice(), &[0xF0, 0xD2, 0xC9]].concat();
        assert_eq!(extract(&koi).unwrap().text, "При");
    }
}
