//! Helpers shared by the integration tests: run the built binary over
//! temporary directories.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// A data folder no test may write to: a test that forgets `--index` in a
/// folder without `seeds/` fails instead of filling the user's own index.
pub const NO_DATA_HOME: &str = "/nonexistent/policy-search-tests/data";

/// The binary under test.
pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_policy-search"));
    cmd.env_remove("POLICY_SEARCH_INDEX")
        .env_remove("NO_COLOR")
        .env("XDG_DATA_HOME", NO_DATA_HOME);
    cmd
}

/// The binary as the unprivileged user `nobody` when the tests run as root,
/// so file modes mean what they mean to users (as another user, the binary
/// as it is). `None` if this process may not switch users. Run from a copy
/// in a folder open to everyone: the build's own folder may be closed to
/// other users (a clone in a private temporary folder is).
pub fn as_nobody(cwd: &Path) -> Option<Command> {
    use std::os::unix::process::CommandExt;
    const NOBODY: u32 = 65534;
    if unsafe { libc::geteuid() } != 0 {
        let mut cmd = bin();
        cmd.current_dir(cwd);
        return Some(cmd);
    }
    static COPY: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    let copy = COPY.get_or_init(|| {
        use std::os::unix::fs::PermissionsExt;
        let open = std::fs::Permissions::from_mode(0o755);
        // One copy per build, named by the build's time: runs of the same
        // build share it, and a copy is never rewritten while it may run.
        let built = env!("CARGO_BIN_EXE_policy-search");
        let stamp = std::fs::metadata(built)
            .and_then(|m| m.modified())
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos();
        let dir = std::env::temp_dir().join("policy-search-as-nobody");
        std::fs::create_dir_all(&dir).ok()?;
        std::fs::set_permissions(&dir, open.clone()).ok()?;
        let exe = dir.join(format!("policy-search-{stamp}"));
        if !exe.exists() {
            let partial = dir.join(format!("partial-{}", std::process::id()));
            std::fs::copy(built, &partial).ok()?;
            std::fs::set_permissions(&partial, open).ok()?;
            std::fs::rename(&partial, &exe).ok()?;
        }
        Some(exe)
    });
    let exe = copy.as_ref()?;
    let nobody = || {
        let mut cmd = Command::new(exe);
        cmd.env_remove("POLICY_SEARCH_INDEX")
            .env_remove("NO_COLOR")
            .env("XDG_DATA_HOME", NO_DATA_HOME)
            .uid(NOBODY)
            .gid(NOBODY);
        cmd
    };
    let mut probe = nobody();
    probe.arg("--version");
    if !probe.output().is_ok_and(|o| o.status.success()) {
        return None;
    }
    let mut cmd = nobody();
    cmd.current_dir(cwd);
    Some(cmd)
}

/// The repository's seed documents.
pub fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds")
}

/// A temporary working directory with a copy of `seeds/` in it.
pub fn workdir_with_seeds() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("seeds");
    std::fs::create_dir(&dest).unwrap();
    for entry in std::fs::read_dir(seeds_dir()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dest.join(entry.file_name())).unwrap();
    }
    dir
}

/// Runs `policy-search ARGS` in `cwd`.
pub fn run(cwd: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("run binary")
}

/// Runs `policy-search ARGS` in `cwd`, asserting it succeeded, and returns
/// its stdout.
pub fn run_ok(cwd: &Path, args: &[&str]) -> String {
    let out = run(cwd, args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Runs `policy-search ARGS` in `cwd`, asserting it found something or
/// nothing (exit 0 or 1), and parses its JSON output.
pub fn run_json(cwd: &Path, args: &[&str]) -> Value {
    let out = run(cwd, args);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

/// Indexes `seeds/` of `cwd` into `cwd/idx`, asserting success.
pub fn index_seeds(cwd: &Path) {
    index_into_idx(cwd, "seeds");
}

/// Indexes `path` (relative to `cwd`) into `cwd/idx`, asserting success.
pub fn index_into_idx(cwd: &Path, path: &str) {
    let out = run(cwd, &["index", path, "--index", "idx"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "index failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs a JSON query against `cwd/idx` and parses the result.
pub fn query_json(cwd: &Path, query: &str, n: usize) -> Value {
    let out = run(
        cwd,
        &[
            "query",
            query,
            "--index",
            "idx",
            "--json",
            "-n",
            &n.to_string(),
        ],
    );
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "query {query:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

/// Asserts that the index `idx` in `cwd` holds one document, whose length
/// (in the statistics recorded for ranking) is its `words`, within 2%: a
/// file read in pieces is as long as the whole of it, not as one piece.
pub fn assert_one_document_of(cwd: &Path, words: usize) {
    let path = cwd.join("idx/.document-statistics.json");
    let stats: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    assert_eq!(stats["documents"], 1, "{stats}");
    let length = stats["total_length"].as_f64().unwrap();
    assert!(
        (length / words as f64 - 1.0).abs() < 0.02,
        "length {length}, words {words}"
    );
}

/// Asserts that every hit's quote is exactly the bytes of its source file at
/// `[byte_start, byte_end)`, and that its line numbers are those of those bytes.
pub fn assert_hits_are_verbatim(cwd: &Path, results: &Value) {
    for hit in results["hits"].as_array().unwrap() {
        let source = cwd.join(hit["source"].as_str().unwrap());
        let bytes = std::fs::read(&source).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
        let start = hit["byte_start"].as_u64().unwrap() as usize;
        let end = hit["byte_end"].as_u64().unwrap() as usize;
        let quote = hit["quote"].as_str().unwrap();
        assert_eq!(
            &bytes[start..end],
            quote.as_bytes(),
            "quote is not verbatim: {hit}"
        );
        let line_of =
            |offset: usize| bytes[..offset].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        assert_eq!(
            hit["line_start"].as_u64().unwrap(),
            line_of(start),
            "line_start: {hit}"
        );
        assert_eq!(
            hit["line_end"].as_u64().unwrap(),
            line_of(end - 1),
            "line_end: {hit}"
        );
        for h in hit["highlights"].as_array().unwrap() {
            let (s, e) = (
                h[0].as_u64().unwrap() as usize,
                h[1].as_u64().unwrap() as usize,
            );
            assert!(
                s < e && e <= quote.len() && quote.is_char_boundary(s) && quote.is_char_boundary(e)
            );
        }
    }
}

/// The quote text of each hit.
pub fn quotes(results: &Value) -> Vec<String> {
    results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["quote"].as_str().unwrap().to_string())
        .collect()
}

/// The highlighted substrings of a hit.
pub fn highlighted(hit: &Value) -> Vec<String> {
    let quote = hit["quote"].as_str().unwrap();
    hit["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            quote[h[0].as_u64().unwrap() as usize..h[1].as_u64().unwrap() as usize].to_string()
        })
        .collect()
}

/// A minimal PDF whose pages hold the given lines (Helvetica, one text object per page).
pub fn pdf_bytes(pages: &[&[&str]]) -> Vec<u8> {
    pdf_with_trailer(pages, "")
}

/// A minimal PDF like [`pdf_bytes`] whose document information's `/Title`
/// is `title` (a PDF literal string: no unbalanced parentheses).
pub fn pdf_bytes_titled(pages: &[&[&str]], title: &str) -> Vec<u8> {
    pdf_with_trailer(pages, &format!("/Info << /Title ({title}) >>"))
}

/// A PDF that says it is encrypted, with a password we do not have.
pub fn encrypted_pdf() -> Vec<u8> {
    pdf_with_trailer(
        &[&["Secret text that cannot be read."]],
        "/Encrypt << /Filter /Standard /V 2 /R 3 /Length 128 /P -3904 \
         /O <8f3a5ac0f2b8e1d7c9a4b6e2f1d0c3b5a7e9f8d6c4b2a0e1f3d5c7b9a8e6f4d2> \
         /U <1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a> >> \
         /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]",
    )
}

/// A PDF whose pages print the labels `page_labels` defines (the
/// catalog's `/PageLabels` number tree, e.g. `<< /Nums [0 << /S /r >> 2
/// << /S /D >>] >>` for i, ii, 1, 2, …).
pub fn pdf_with_page_labels(pages: &[&[&str]], page_labels: &str) -> Vec<u8> {
    pdf_with(pages, &format!("/PageLabels {page_labels}"), "")
}

pub fn pdf_with_trailer(pages: &[&[&str]], trailer_extra: &str) -> Vec<u8> {
    pdf_with(pages, "", trailer_extra)
}

/// A minimal PDF like [`pdf_bytes`] whose catalog points at an XMP
/// metadata packet `xmp`.
pub fn pdf_with_xmp(pages: &[&[&str]], xmp: &str) -> Vec<u8> {
    let metadata = 4 + 2 * pages.len();
    let stream = format!(
        "<< /Type /Metadata /Subtype /XML /Length {} >>\nstream\n{xmp}\nendstream",
        xmp.len()
    );
    pdf_with_objects(pages, &format!("/Metadata {metadata} 0 R"), "", &[stream])
}

fn pdf_with(pages: &[&[&str]], catalog_extra: &str, trailer_extra: &str) -> Vec<u8> {
    pdf_with_objects(pages, catalog_extra, trailer_extra, &[])
}

/// One page of a test PDF.
pub enum PdfPage<'a> {
    /// Lines of text (Helvetica).
    Text(&'a [&'a str]),
    /// Lines of text, each in its own size (points), as a cover sets its
    /// title larger than the rest.
    Sized(&'a [(u32, &'a str)]),
    /// A scan: no text layer, only an image of these words (capitals from
    /// [`GLYPHS`]), large enough to be taken for a scanned page.
    Scan(&'a str),
}

/// The PDF of [`pdf_with`], with `extra` objects numbered after the font.
fn pdf_with_objects(
    pages: &[&[&str]],
    catalog_extra: &str,
    trailer_extra: &str,
    extra: &[String],
) -> Vec<u8> {
    let pages: Vec<PdfPage> = pages.iter().map(|lines| PdfPage::Text(lines)).collect();
    pdf_of_pages(&pages, catalog_extra, trailer_extra, extra)
}

/// A PDF of text and scanned pages.
pub fn pdf_with_scans(pages: &[PdfPage]) -> Vec<u8> {
    pdf_of_pages(pages, "", "", &[])
}

/// A PDF of pages in any of the [`PdfPage`] kinds.
pub fn pdf_of(pages: &[PdfPage]) -> Vec<u8> {
    pdf_of_pages(pages, "", "", &[])
}

/// The PDF of `pages`; `extra` objects are numbered after the font and the
/// scans' images.
fn pdf_of_pages(
    pages: &[PdfPage],
    catalog_extra: &str,
    trailer_extra: &str,
    extra: &[String],
) -> Vec<u8> {
    let n = pages.len();
    let mut objects: Vec<String> =
        vec![format!("<< /Type /Catalog /Pages 2 0 R {catalog_extra} >>")];
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 3 + 2 * i)).collect();
    objects.push(format!(
        "<< /Type /Pages /Kids [{}] /Count {n} >>",
        kids.join(" ")
    ));
    let font = 3 + 2 * n;
    let mut images = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        let (content, resources) = match page {
            PdfPage::Text(lines) => {
                let shown: Vec<String> = lines.iter().map(|l| format!("({l}) Tj T*")).collect();
                (
                    format!("BT /F1 11 Tf 72 720 Td 14 TL {} ET", shown.join(" ")),
                    format!("/Font << /F1 {font} 0 R >>"),
                )
            }
            PdfPage::Sized(lines) => {
                let mut y = 740;
                let shown: Vec<String> = lines
                    .iter()
                    .map(|(size, l)| {
                        y -= size * 3 / 2;
                        format!("BT /F1 {size} Tf 72 {y} Td ({l}) Tj ET")
                    })
                    .collect();
                (shown.join(" "), format!("/Font << /F1 {font} 0 R >>"))
            }
            PdfPage::Scan(words) => {
                images.push(bitmap_image(words));
                let image = font + images.len();
                (
                    "q 540 0 0 720 36 36 cm /Im1 Do Q".to_string(),
                    format!("/XObject << /Im1 {image} 0 R >>"),
                )
            }
        };
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {} 0 R /Resources << {resources} >> >>",
            4 + 2 * i
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ));
    }
    objects.push(
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_string(),
    );
    objects.extend(images);
    objects.extend(extra.iter().cloned());
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{o}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for o in offsets {
        out.push_str(&format!("{o:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R {trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    out.into_bytes()
}

/// 5×7 capitals, enough for words a test OCRs: seven rows of five dots
/// each, black where `#`.
pub const GLYPHS: &[(char, &str)] = &[
    ('A', ".###. #...# #...# ##### #...# #...# #...#"),
    ('C', ".#### #.... #.... #.... #.... #.... .####"),
    ('D', "###.. #..#. #...# #...# #...# #..#. ###.."),
    ('E', "##### #.... #.... ####. #.... #.... #####"),
    ('N', "#...# ##..# #.#.# #..## #...# #...# #...#"),
    ('O', ".###. #...# #...# #...# #...# #...# .###."),
    ('P', "####. #...# #...# ####. #.... #.... #...."),
    ('R', "####. #...# #...# ####. #.#.. #..#. #...#"),
    ('S', ".#### #.... #.... .###. ....# ....# ####."),
    ('T', "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#.."),
];

/// An 8-bit grey image XObject of `words` in [`GLYPHS`], 8 pixels to a
/// glyph's dot, on a white field the size of a scanned page's (hex-encoded,
/// so the PDF stays text).
fn bitmap_image(words: &str) -> String {
    const SCALE: usize = 8;
    let width = ((words.chars().count() * 6 + 4) * SCALE).max(400);
    let height = 400;
    let top = (height / SCALE - 7) / 2;
    let mut pixels = vec![255u8; width * height];
    for (i, ch) in words.chars().enumerate() {
        let Some((_, rows)) = GLYPHS.iter().find(|(c, _)| *c == ch) else {
            continue;
        };
        for (y, row) in rows.split(' ').enumerate() {
            for (x, dot) in row.chars().enumerate() {
                if dot != '#' {
                    continue;
                }
                for dy in 0..SCALE {
                    let line = (top + y) * SCALE + dy;
                    let start = line * width + (i * 6 + 2 + x) * SCALE;
                    pixels[start..start + SCALE].fill(0);
                }
            }
        }
    }
    let hex: String = pixels.iter().map(|p| format!("{p:02x}")).collect();
    format!(
        "<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /ASCIIHexDecode /Length {} >>\nstream\n{hex}>\nendstream",
        hex.len() + 1
    )
}

/// A DOCX with paragraphs `(style, text)`; style `Some("Heading1")` makes a heading.
pub fn docx_bytes(paragraphs: &[(Option<&str>, &str)]) -> Vec<u8> {
    let mut body = String::new();
    for (style, text) in paragraphs {
        let ppr = style
            .map(|s| format!("<w:pPr><w:pStyle w:val=\"{s}\"/></w:pPr>"))
            .unwrap_or_default();
        body.push_str(&format!(
            "<w:p>{ppr}<w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>"
        ));
    }
    let ns = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";
    let document = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document {ns}><w:body>{body}</w:body></w:document>");
    let styles = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:styles {ns}><w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/></w:style></w:styles>"
    );
    zip_bytes(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("word/document.xml", document.as_bytes()),
        ("word/styles.xml", styles.as_bytes()),
    ])
}

/// A DOCX whose document.xml inflates to `inflated` bytes (a zip bomb).
pub fn zip_bomb_docx(inflated: usize) -> Vec<u8> {
    zip_bomb(
        &[
            ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
            ("_rels/.rels", RELS.as_bytes()),
        ],
        "word/document.xml",
        inflated,
    )
}

/// A zip archive of `parts`, deflated.
pub fn zip_bytes(parts: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in parts {
        zip.start_file(*name, opts).unwrap();
        zip.write_all(content).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A zip archive of `parts` and then `bomb`, a part that inflates to
/// `inflated` bytes of spaces.
pub fn zip_bomb(parts: &[(&str, &[u8])], bomb: &str, inflated: usize) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(inflated > u32::MAX as usize);
    for (name, content) in parts {
        zip.start_file(*name, opts).unwrap();
        zip.write_all(content).unwrap();
    }
    zip.start_file(bomb, opts).unwrap();
    let chunk = vec![b' '; 1 << 20];
    let mut written = 0;
    while written < inflated {
        zip.write_all(&chunk).unwrap();
        written += chunk.len();
    }
    zip.finish().unwrap().into_inner()
}

/// The parts of a PPTX whose slides are `(title, body paragraphs, notes)`,
/// in that order; slide `i` (1-based) is `ppt/slides/slide{i}.xml`.
pub fn pptx_parts(slides: &[(&str, &[&str], Option<&str>)]) -> Vec<(String, String)> {
    const NS: &str = "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\"";
    const RELS_NS: &str = "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"";
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let shape = |ph: &str, paras: &[&str]| {
        let paras: String = paras
            .iter()
            .map(|t| format!("<a:p><a:r><a:t>{t}</a:t></a:r></a:p>"))
            .collect();
        format!("<p:sp><p:nvSpPr><p:cNvPr id=\"2\" name=\"s\"/><p:cNvSpPr/><p:nvPr>{ph}</p:nvPr></p:nvSpPr><p:txBody><a:bodyPr/>{paras}</p:txBody></p:sp>")
    };
    let mut parts = Vec::new();
    let (mut ids, mut rels) = (String::new(), String::new());
    for (i, (title, body, notes)) in slides.iter().enumerate() {
        let n = i + 1;
        ids.push_str(&format!("<p:sldId id=\"{}\" r:id=\"rId{n}\"/>", 255 + n));
        rels.push_str(&format!(
            "<Relationship Id=\"rId{n}\" Type=\"{REL}/slide\" Target=\"slides/slide{n}.xml\"/>"
        ));
        let shapes = shape("<p:ph type=\"title\"/>", &[title]) + &shape("", body);
        parts.push((
            format!("ppt/slides/slide{n}.xml"),
            format!("<p:sld {NS}><p:cSld><p:spTree>{shapes}</p:spTree></p:cSld></p:sld>"),
        ));
        if let Some(notes) = notes {
            parts.push((
                format!("ppt/slides/_rels/slide{n}.xml.rels"),
                format!("<Relationships {RELS_NS}><Relationship Id=\"rId9\" Type=\"{REL}/notesSlide\" Target=\"../notesSlides/notesSlide{n}.xml\"/></Relationships>"),
            ));
            let shapes = shape("<p:ph type=\"body\" idx=\"1\"/>", &[notes]);
            parts.push((
                format!("ppt/notesSlides/notesSlide{n}.xml"),
                format!("<p:notes {NS}><p:cSld><p:spTree>{shapes}</p:spTree></p:cSld></p:notes>"),
            ));
        }
    }
    parts.push((
        "ppt/presentation.xml".into(),
        format!("<p:presentation {NS}><p:sldIdLst>{ids}</p:sldIdLst></p:presentation>"),
    ));
    parts.push((
        "ppt/_rels/presentation.xml.rels".into(),
        format!("<Relationships {RELS_NS}>{rels}</Relationships>"),
    ));
    parts.push((
        "_rels/.rels".into(),
        format!("<Relationships {RELS_NS}><Relationship Id=\"rId1\" Type=\"{REL}/officeDocument\" Target=\"ppt/presentation.xml\"/></Relationships>"),
    ));
    parts
}

/// A PPTX whose slides are `(title, body paragraphs, notes)`.
pub fn pptx_bytes(slides: &[(&str, &[&str], Option<&str>)]) -> Vec<u8> {
    let parts = pptx_parts(slides);
    let parts: Vec<(&str, &[u8])> = parts
        .iter()
        .map(|(n, c)| (n.as_str(), c.as_bytes()))
        .collect();
    zip_bytes(&parts)
}

const ODT_MIMETYPE: &str = "application/vnd.oasis.opendocument.text";

/// An ODT whose `<office:text>` holds `body` (`text:` and `table:` elements).
pub fn odt_bytes(body: &str) -> Vec<u8> {
    let content = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\"><office:body><office:text>{body}</office:text></office:body></office:document-content>");
    zip_bytes(&[
        ("mimetype", ODT_MIMETYPE.as_bytes()),
        ("content.xml", content.as_bytes()),
    ])
}

/// An ODT whose content.xml inflates to `inflated` bytes (a zip bomb).
pub fn zip_bomb_odt(inflated: usize) -> Vec<u8> {
    zip_bomb(
        &[("mimetype", ODT_MIMETYPE.as_bytes())],
        "content.xml",
        inflated,
    )
}

const EPUB_CONTAINER: &str = "<?xml version=\"1.0\"?><container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\"><rootfiles><rootfile full-path=\"OEBPS/content.opf\" media-type=\"application/oebps-package+xml\"/></rootfiles></container>";

/// The package document of an EPUB titled `title` whose chapters are
/// `OEBPS/ch{i}.xhtml`, `chapters` of them, in order.
fn epub_opf(title: &str, chapters: usize) -> String {
    let manifest: String = (1..=chapters)
        .map(|i| {
            format!("<item id=\"c{i}\" href=\"ch{i}.xhtml\" media-type=\"application/xhtml+xml\"/>")
        })
        .collect();
    let spine: String = (1..=chapters)
        .map(|i| format!("<itemref idref=\"c{i}\"/>"))
        .collect();
    format!("<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\"><metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{title}</dc:title><dc:date>2022-09-14</dc:date></metadata><manifest>{manifest}</manifest><spine>{spine}</spine></package>")
}

/// An EPUB titled `title` whose chapters have the given XHTML bodies.
pub fn epub_bytes(title: &str, chapters: &[&str]) -> Vec<u8> {
    let mut parts = vec![
        ("mimetype".to_string(), "application/epub+zip".to_string()),
        (
            "META-INF/container.xml".to_string(),
            EPUB_CONTAINER.to_string(),
        ),
        (
            "OEBPS/content.opf".to_string(),
            epub_opf(title, chapters.len()),
        ),
    ];
    for (i, body) in chapters.iter().enumerate() {
        parts.push((
            format!("OEBPS/ch{}.xhtml", i + 1),
            format!("<?xml version=\"1.0\" encoding=\"utf-8\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>Chapter</title></head><body>{body}</body></html>"),
        ));
    }
    let parts: Vec<(&str, &[u8])> = parts
        .iter()
        .map(|(n, c)| (n.as_str(), c.as_bytes()))
        .collect();
    zip_bytes(&parts)
}

/// An EPUB whose one chapter inflates to `inflated` bytes (a zip bomb).
pub fn zip_bomb_epub(inflated: usize) -> Vec<u8> {
    let opf = epub_opf("Bomb", 1);
    zip_bomb(
        &[
            ("mimetype", b"application/epub+zip"),
            ("META-INF/container.xml", EPUB_CONTAINER.as_bytes()),
            ("OEBPS/content.opf", opf.as_bytes()),
        ],
        "OEBPS/ch1.xhtml",
        inflated,
    )
}

/// A PPTX whose one slide inflates to `inflated` bytes (a zip bomb).
pub fn zip_bomb_pptx(inflated: usize) -> Vec<u8> {
    let parts = pptx_parts(&[("Bomb", &[], None)]);
    let parts: Vec<(&str, &[u8])> = parts
        .iter()
        .filter(|(n, _)| n != "ppt/slides/slide1.xml")
        .map(|(n, c)| (n.as_str(), c.as_bytes()))
        .collect();
    zip_bomb(&parts, "ppt/slides/slide1.xml", inflated)
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>";
const RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>";

/// The Python interpreter that `.ci/run` prepares (POLICY_SEARCH_PYTHON,
/// else `python3`), if it can import `modules` (`"rispy, bibtexparser"`).
/// `None`, with a line saying the test skips, where it cannot; a run with
/// POLICY_SEARCH_REQUIRE_CLIENTS set (CI) fails instead.
pub fn python_with(modules: &str, install: &str) -> Option<String> {
    let python = std::env::var("POLICY_SEARCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args(["-c", &format!("import {modules}")])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return Some(python);
    }
    assert!(
        std::env::var_os("POLICY_SEARCH_REQUIRE_CLIENTS").is_none(),
        "{python} cannot import {modules}, and this run requires it"
    );
    eprintln!("skipped: {python} cannot import {modules} (pip install {install}, or set POLICY_SEARCH_PYTHON)");
    None
}
