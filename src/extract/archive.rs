//! Zip packages (DOCX, PPTX, ODT, EPUB): their parts, read with every
//! decompression bounded.
//!
//! A zip bomb is a small file whose parts inflate to gigabytes, or a
//! package of thousands of parts that each inflate to the per-part limit.
//! So each part is read through a reader that stops at its limit, a part
//! whose declared size is over the limit is refused before anything is
//! inflated, and a package has one budget for all the parts read from it.

use std::cell::Cell;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::rc::Rc;

use quick_xml::events::Event;
use quick_xml::Reader;
use zip::result::ZipError;
use zip::ZipArchive;

use super::blocks::collapse_whitespace;
use super::xml_text::{attr, push_entity};
use super::ExtractError;

/// Most decompressed bytes read from all the parts of one package.
pub const MAX_PACKAGE_BYTES: u64 = 256 << 20;
/// Most decompressed bytes read whole from one part (styles, a slide, a
/// chapter); the main part of a DOCX is streamed under the package budget.
pub(super) const MAX_SMALL_PART_BYTES: u64 = 32 << 20;
/// The start of an OLE compound file: encrypted OOXML or a legacy Office file.
const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// What a package format is called in messages.
#[derive(Debug, Clone, Copy)]
pub(super) struct Kind {
    /// `"DOCX"`.
    pub name: &'static str,
    /// The legacy binary format an OLE file of this extension is:
    /// `"a Word 97–2003 (.doc) file"`.
    pub legacy: &'static str,
    /// What the package holds: `"a Word document"`.
    pub document: &'static str,
}

impl Kind {
    /// The name with its article: "a DOCX", "an ODT".
    fn a_name(self) -> String {
        let article = if self.name.starts_with(['A', 'E', 'I', 'O', 'U']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {}", self.name)
    }
}

/// An open zip package and what may still be inflated from it.
pub(super) struct Package<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    kind: Kind,
    limit: u64,
    left: u64,
}

impl<'a> Package<'a> {
    /// Opens `bytes` as a zip package; at most `limit` bytes in all will be
    /// inflated from it.
    pub fn open(bytes: &'a [u8], kind: Kind, limit: u64) -> Result<Self, ExtractError> {
        if bytes.starts_with(&OLE_MAGIC) {
            // Office saves password-protected files as an OLE container
            // holding an `EncryptedPackage` stream.
            return Err(if contains_utf16(bytes, "EncryptedPackage") {
                ExtractError::Encrypted
            } else {
                ExtractError::Corrupt(format!("{}, not {}", kind.legacy, kind.name))
            });
        }
        let zip = ZipArchive::new(Cursor::new(bytes))
            .map_err(|_| ExtractError::Corrupt(format!("not {} (zip) file", kind.a_name())))?;
        Ok(Package {
            zip,
            kind,
            limit,
            left: limit,
        })
    }

    /// The names of the package's parts.
    pub fn names(&self) -> Vec<String> {
        self.zip
            .file_names()
            .filter_map(Result::ok)
            .map(|n| n.into_owned())
            .collect()
    }

    /// Reads a small part whole, if the package has it.
    pub fn small_part(&mut self, name: &str) -> Result<Option<Vec<u8>>, ExtractError> {
        match self.part(name) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(Missing::No) => Ok(None),
            Err(Missing::Error(e)) => Err(e),
        }
    }

    /// Reads a small part the document cannot do without.
    pub fn required_part(&mut self, name: &str) -> Result<Vec<u8>, ExtractError> {
        self.part(name).map_err(|m| match m {
            Missing::No => self.zip_error(ZipError::FileNotFound, name),
            Missing::Error(e) => e,
        })
    }

    fn part(&mut self, name: &str) -> Result<Vec<u8>, Missing> {
        let cap = self.left.min(MAX_SMALL_PART_BYTES);
        let shown = self.limit.min(MAX_SMALL_PART_BYTES);
        let file = match self.zip.by_name(name) {
            Ok(f) => f,
            Err(ZipError::FileNotFound) => return Err(Missing::No),
            Err(e) => return Err(Missing::Error(zip_error(self.kind, e, name))),
        };
        if file.size() > cap {
            return Err(Missing::Error(too_large(name, shown)));
        }
        let mut out = Vec::new();
        file.take(cap + 1).read_to_end(&mut out).map_err(|e| {
            Missing::Error(ExtractError::Corrupt(format!(
                "damaged {} ({name}): {e}",
                self.kind.name
            )))
        })?;
        if out.len() as u64 > cap {
            return Err(Missing::Error(too_large(name, shown)));
        }
        self.left -= out.len() as u64;
        Ok(out)
    }

    /// Hands the part `name`, as it inflates, to `parse`, which reads it
    /// as a stream; reading stops with [`ExtractError::Limit`] once the
    /// package's budget is spent.
    pub fn stream<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&mut dyn BufRead) -> Result<T, ExtractError>,
    ) -> Result<T, ExtractError> {
        let file = self
            .zip
            .by_name(name)
            .map_err(|e| zip_error(self.kind, e, name))?;
        if file.size() > self.left {
            return Err(too_large(name, self.limit));
        }
        let exceeded = Rc::new(Cell::new(false));
        let mut reader = BufReader::new(Capped {
            inner: file,
            left: self.left,
            exceeded: Rc::clone(&exceeded),
        });
        let result = parse(&mut reader);
        self.left = reader.get_ref().left;
        match result {
            Err(_) if exceeded.get() => Err(too_large(name, self.limit)),
            other => other,
        }
    }

    /// An error for `name` from the zip library, in this package's words.
    pub fn zip_error(&self, e: ZipError, name: &str) -> ExtractError {
        zip_error(self.kind, e, name)
    }
}

/// Why a part was not read.
enum Missing {
    No,
    Error(ExtractError),
}

fn too_large(part: &str, limit: u64) -> ExtractError {
    ExtractError::Limit(format!("{part} inflates to more than {} MB", limit >> 20))
}

fn zip_error(kind: Kind, e: ZipError, part: &str) -> ExtractError {
    match e {
        ZipError::UnsupportedArchive(ZipError::PASSWORD_REQUIRED) | ZipError::InvalidPassword => {
            ExtractError::Encrypted
        }
        ZipError::FileNotFound => {
            ExtractError::Corrupt(format!("no {part}: not {}", kind.document))
        }
        e => ExtractError::Corrupt(format!("damaged {} ({part}): {e}", kind.name)),
    }
}

/// Does `bytes` hold `name` in UTF-16LE, as OLE directory entries store names?
fn contains_utf16(bytes: &[u8], name: &str) -> bool {
    let needle: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}

/// Stops reading after `left` bytes, so a part cannot inflate without bound.
struct Capped<R> {
    inner: R,
    left: u64,
    exceeded: Rc<Cell<bool>>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // At the cap: more data means the part is too large.
            let n = self.inner.read(&mut [0u8; 1])?;
            if n > 0 {
                self.exceeded.set(true);
                return Err(std::io::Error::other("part exceeds the size limit"));
            }
            return Ok(0);
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// `target` (a relative reference, percent-encoded) as a part name, seen
/// from the part `base`: `("ppt/slides/slide1.xml", "../notesSlides/n.xml")`
/// → `ppt/notesSlides/n.xml`. A leading `/` is the package root. `None`
/// for references out of the package or to other sites.
pub(super) fn resolve(base: &str, target: &str) -> Option<String> {
    let target = target.split(['#', '?']).next().unwrap_or_default();
    if target.is_empty() || target.contains("://") {
        return None;
    }
    let target = percent_decode(target);
    let mut parts: Vec<&str> = Vec::new();
    if !target.starts_with('/') {
        parts.extend(base.split('/'));
        parts.pop();
    }
    for segment in target.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// `%20` and the like as the bytes they stand for (invalid escapes kept).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, ..) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An OOXML part's relationships (`_rels/x.xml.rels` beside it): each
/// relationship's id, the end of its type (`officeDocument`, `slide`,
/// `notesSlide`) and its target part.
pub(super) fn relationships(
    package: &mut Package<'_>,
    part: &str,
) -> Result<Vec<Relationship>, ExtractError> {
    let rels = match part.rfind('/') {
        Some(i) => format!("{}/_rels/{}.rels", &part[..i], &part[i + 1..]),
        None => format!("_rels/{part}.rels"),
    };
    let Some(xml) = package.small_part(&rels)? else {
        return Ok(Vec::new());
    };
    let mut reader = Reader::from_reader(xml.as_slice());
    let mut buf = Vec::new();
    let mut out = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "Relationship" => {
                let external = attr(&e, "TargetMode").is_some_and(|m| m == "External");
                let target = attr(&e, "Target").and_then(|t| resolve(part, &t));
                if let (false, Some(target)) = (external, target) {
                    out.push(Relationship {
                        id: attr(&e, "Id").unwrap_or_default(),
                        kind: attr(&e, "Type")
                            .and_then(|t| t.rsplit('/').next().map(str::to_string))
                            .unwrap_or_default(),
                        target,
                    });
                }
            }
            Ok(Event::Eof) | Err(_) => return Ok(out),
            _ => {}
        }
        buf.clear();
    }
}

/// One relationship of an OOXML part.
#[derive(Debug, Clone)]
pub(super) struct Relationship {
    pub id: String,
    pub kind: String,
    pub target: String,
}

/// The main part of an OOXML package, from the package relationships.
pub(super) fn main_part(package: &mut Package<'_>, default: &str) -> Result<String, ExtractError> {
    Ok(relationships(package, "")?
        .into_iter()
        .find(|r| r.kind == "officeDocument")
        .map_or_else(|| default.to_string(), |r| r.target))
}

/// The first element of `xml` with local name `name` (`dc:title`,
/// `dcterms:created`), as text with whitespace collapsed, if it says
/// something: document properties of OOXML, ODF and EPUB.
pub(super) fn property(xml: &[u8], name: &str) -> Option<String> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut value = String::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if depth > 0 => {
                depth += usize::from(e.local_name().as_ref() == name)
            }
            Ok(Event::Start(e)) if e.local_name().as_ref() == name => depth = 1,
            Ok(Event::End(e)) if depth > 0 && e.local_name().as_ref() == name => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            Ok(Event::Text(t)) if depth > 0 => value.push_str(&t.xml10_content()),
            Ok(Event::CData(t)) if depth > 0 => value.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) if depth > 0 => push_entity(&mut value, &r),
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    let value = collapse_whitespace(&value);
    (!value.is_empty()).then_some(value)
}

/// The title and creation date in an OOXML package's core properties.
pub(super) fn core_properties(
    package: &mut Package<'_>,
) -> Result<(Option<String>, Option<super::date::PubDate>), ExtractError> {
    let Some(core) = package.small_part("docProps/core.xml")? else {
        return Ok((None, None));
    };
    let title = property(&core, "title");
    let created = property(&core, "created")
        .and_then(|d| super::date::parse_metadata(&d))
        .map(|day| super::date::PubDate {
            day,
            source: super::date::DateSource::Created,
        });
    Ok((title, created))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipWriter};

    /// A zip package with the given parts, deflated; for every package
    /// format's tests.
    pub(in crate::extract) fn package(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        for (name, content) in parts {
            zip.start_file(*name, options).expect("zip in memory");
            zip.write_all(content).expect("zip in memory");
        }
        zip.finish().expect("zip in memory").into_inner()
    }

    /// Sets the declared uncompressed size of `name` in the central
    /// directory of `zip` to 2 GB, so the part claims to be a bomb.
    pub(in crate::extract) fn declare_huge(zip: &mut [u8], name: &str) {
        let central = zip
            .windows(4)
            .enumerate()
            .filter(|(_, w)| *w == [0x50, 0x4b, 0x01, 0x02])
            .map(|(i, _)| i)
            .find(|&i| zip[i + 46..].starts_with(name.as_bytes()))
            .expect("central directory entry");
        zip[central + 24..central + 28].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
    }

    const KIND: Kind = Kind {
        name: "TEST",
        legacy: "a legacy file",
        document: "a test document",
    };

    #[test]
    fn capped_reader_stops_at_the_cap() {
        let exceeded = Rc::new(Cell::new(false));
        let mut r = Capped {
            inner: Cursor::new(vec![7u8; 100]),
            left: 60,
            exceeded: Rc::clone(&exceeded),
        };
        let mut out = Vec::new();
        assert!(r.read_to_end(&mut out).is_err());
        assert_eq!(out.len(), 60);
        assert!(exceeded.get());
        let mut exact = Capped {
            inner: Cursor::new(vec![7u8; 60]),
            left: 60,
            exceeded: Rc::new(Cell::new(false)),
        };
        assert_eq!(exact.read_to_end(&mut Vec::new()).unwrap(), 60);
    }

    #[test]
    fn one_budget_for_all_parts() {
        let part = vec![b'a'; 600];
        let zip = package(&[("a", &part), ("b", &part)]);
        let mut p = Package::open(&zip, KIND, 1000).unwrap();
        assert_eq!(p.small_part("a").unwrap().unwrap().len(), 600);
        assert!(matches!(p.small_part("b"), Err(ExtractError::Limit(_))));
        assert!(p.small_part("c").unwrap().is_none());
        assert!(matches!(
            p.required_part("c"),
            Err(ExtractError::Corrupt(m)) if m.contains("not a test document")
        ));
        let mut p = Package::open(&zip, KIND, 1000).unwrap();
        let read = p.stream("a", |r| {
            let mut s = String::new();
            r.read_to_string(&mut s)?;
            Ok(s.len())
        });
        assert_eq!(read.unwrap(), 600);
        assert!(matches!(
            p.stream("b", |r| Ok(r.read_to_end(&mut Vec::new())?)),
            Err(ExtractError::Limit(_))
        ));
    }

    #[test]
    fn references_resolve_inside_the_package() {
        assert_eq!(
            resolve("ppt/slides/slide1.xml", "../notesSlides/notesSlide1.xml").as_deref(),
            Some("ppt/notesSlides/notesSlide1.xml")
        );
        assert_eq!(
            resolve("OEBPS/content.opf", "text/chapter%201.xhtml#x").as_deref(),
            Some("OEBPS/text/chapter 1.xhtml")
        );
        assert_eq!(
            resolve("", "/word/document.xml").as_deref(),
            Some("word/document.xml")
        );
        assert_eq!(resolve("a.xml", "../../etc/passwd"), None);
        assert_eq!(resolve("a.xml", "http://example.org/x"), None);
        assert_eq!(percent_decode("100%25 %zz %"), "100% %zz %");
    }
}
