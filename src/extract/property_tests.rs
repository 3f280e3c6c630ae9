//! Property tests of every extractor: random bytes and mutated valid files
//! must give an error or blocks inside the text, never a panic, and the
//! passages split from them must lie inside the text on char boundaries.
//!
//! Case counts are set per test; `PROPTEST_CASES` overrides them all.

use std::io::Write;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::{epub, extract, jsonl, odt, pptx, Extracted, Format};
use crate::passage;

/// Checks an extraction: blocks and passages inside the text.
fn check(e: &Extracted) -> Result<(), TestCaseError> {
    for b in &e.blocks {
        prop_assert!(
            e.text.get(b.range.clone()).is_some(),
            "block {:?} outside the text ({} bytes)",
            b.range,
            e.text.len()
        );
    }
    let split = passage::split(e);
    for p in &split.passages {
        prop_assert!(
            e.text.get(p.range.clone()).is_some(),
            "passage {:?} outside the text ({} bytes)",
            p.range,
            e.text.len()
        );
        prop_assert!(p.line_start <= p.line_end);
    }
    Ok(())
}

/// Extracts `bytes` as `format` and checks the result if there is one.
fn check_format(format: Format, bytes: Vec<u8>) -> Result<(), TestCaseError> {
    if format == Format::Jsonl {
        return check_jsonl(&bytes);
    }
    match extract(format, bytes) {
        Ok(e) => check(&e),
        Err(_) => Ok(()),
    }
}

fn check_jsonl(bytes: &[u8]) -> Result<(), TestCaseError> {
    let mut result = Ok(());
    jsonl::read(bytes, |record| {
        result = check(&jsonl::extract(&record));
        result.is_ok()
    })
    .expect("reading from memory cannot fail");
    result
}

/// One edit of a file: what to do, where, and with what.
#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize, usize),
    Duplicate(usize, usize, usize),
    Truncate(usize),
    /// Insert a token of the format's syntax.
    Token(usize, usize),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Edit::Flip(p, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Edit::Insert(p, b)),
        (any::<usize>(), 0usize..64).prop_map(|(p, n)| Edit::Delete(p, n)),
        (any::<usize>(), 0usize..256, any::<usize>())
            .prop_map(|(p, n, to)| Edit::Duplicate(p, n, to)),
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), any::<usize>()).prop_map(|(p, t)| Edit::Token(p, t)),
        (any::<usize>(), any::<usize>()).prop_map(|(p, t)| Edit::Token(p, t)),
    ];
    prop::collection::vec(edit, 1..8)
}

fn apply(seed: &[u8], edits: &[Edit], tokens: &[&str]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for e in edits {
        let at = |p: usize, len: usize| if len == 0 { 0 } else { p % (len + 1) };
        match *e {
            Edit::Flip(p, x) if !b.is_empty() => {
                let i = p % b.len();
                b[i] ^= x | 1;
            }
            Edit::Flip(..) => {}
            Edit::Insert(p, x) => {
                let i = at(p, b.len());
                b.insert(i, x);
            }
            Edit::Delete(p, n) => {
                let i = at(p, b.len());
                let end = (i + n).min(b.len());
                b.drain(i..end);
            }
            Edit::Duplicate(p, n, to) => {
                let i = at(p, b.len());
                let end = (i + n).min(b.len());
                let piece = b[i..end].to_vec();
                let j = at(to, b.len());
                b.splice(j..j, piece);
            }
            Edit::Truncate(p) => {
                let i = at(p, b.len());
                // Keep at least half: a truncated file, not an empty one.
                b.truncate(i.max(b.len() / 2));
            }
            Edit::Token(p, t) => {
                let i = at(p, b.len());
                let token = tokens[t % tokens.len()].as_bytes();
                b.splice(i..i, token.iter().copied());
            }
        }
    }
    b
}

const TEXT_SEED: &str = "Integrated care systems\n\n\
The four core aims of ICSs:\n\n  • Improving population health.\n  • Tackling unequal outcomes.\n\n\
The integrated care board will delegate budgets to the\nprovider collaboratives and place-based partnerships in\n\
each system, and it will hold them to account for the\noutcomes they agree with local authorities.\n12\n\
Dr. Smith met the ICB, e.g. its chair. Then (in 2022) it changed! \"Really?\" Yes.\n\n\
Equality statement .......... 2\n(a) first item\n1. numbered item\n";

const TEXT_TOKENS: &[&str] = &[
    "\n", "\n\n", ". ", "• ", "- ", "(a) ", "12\n", "....", "\u{ad}", "é", "\r\n", "e.g. ",
    "\u{feff}", "…", "\"", "(", ")", ":", "\t", "\u{2028}",
];

const MARKDOWN_SEED: &str = "---\ntitle: x\n---\n# Title here\n\nSome **bold** text with a [link](http://x.org).\n\n\
- item one\n  - inner item\n- item two\n\n> quoted *text* here\n> more\n\n| a | b |\n|---|---|\n| c | d |\n\n\
```\ncode block\n```\n\nSetext heading\n===\n\nFootnote[^1].\n\n[^1]: The note.\n\n<div>html block</div>\n";

const MARKDOWN_TOKENS: &[&str] = &[
    "> ", "- ", "* ", "1. ", "[", "](", "`", "```", "|", "#", "\n", "    ", "<div>", "**", "_",
    "[^1]", "---\n", "\n\n", "![", "<!--", "\\", "&amp;", "|---|\n", "\u{0}",
];

const HTML_SEED: &str =
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Board <i>papers</i> | Site</title>\
<style>p{}</style></head><body><nav><a href=\"/\">Home</a></nav><main><h1>Integrated care</h1>\
<p>The board agreed the plan for <b>primary</b> care.<br>Second line.<br><br>New block.</p>\
<ul><li>First item<li>Second <a href=\"x\">item</a></ul><table><tr><td>a</td><td>b</td></tr>\
<tr><td><table><tr><td>nested</td></tr></table></td></tr></table><pre>pre\n text</pre>\
<!-- content area --><div class=\"cookie-banner\">Accept cookies</div><svg><title>t</title></svg>\
<!-- end content area --></main><footer>Footer text</footer></body></html>";

const HTML_TOKENS: &[&str] = &[
    "<",
    ">",
    "</p>",
    "<p>",
    "<table>",
    "<tr>",
    "<td>",
    "</td>",
    "<li>",
    "<ul>",
    "&amp;",
    "&#x",
    "<!--",
    "-->",
    "<title>",
    "</title>",
    "<script>",
    "<br>",
    "<h2>",
    "<a href=x>",
    "</a>",
    "<main>",
    "<plaintext>",
    "<svg>",
    "<pre>",
    "<meta charset=utf-16>",
    "\u{0}",
    "é",
];

const JSONL_SEED: &str = "{\"_id\": \"1\", \"title\": \"White matter\", \"text\": \"Alterations of the architecture.\\n\\nSecond paragraph.\"}\n\
{\"_id\": 7, \"text\": \"Numeric id. e.g. this\"}\n\
{\"id\": \"x\", \"title\": \"Only a title\"}\n\
not json\n";

const JSONL_TOKENS: &[&str] = &[
    "\"",
    "\\",
    "\\n",
    "\\u00e9",
    "\\ud800",
    "{",
    "}",
    ",",
    ":",
    "\n",
    "\"_id\":",
    "\"text\":",
    "null",
    "[]",
    "1e999",
];

const XML_TOKENS: &[&str] = &[
    "<w:p>",
    "</w:p>",
    "<w:r>",
    "</w:r>",
    "<w:t>",
    "</w:t>",
    "<w:tbl>",
    "<w:tr>",
    "<w:tc>",
    "</w:tc>",
    "</w:tr>",
    "</w:tbl>",
    "<w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr>",
    "<w:numPr><w:ilvl w:val=\"0\"/></w:numPr>",
    "&amp;",
    "&#0;",
    "<![CDATA[",
    "]]>",
    "<w:br/>",
    "<w:tab/>",
    "<mc:AlternateContent>",
    "<w:txbxContent>",
    "<",
    ">",
    "\"",
    "é",
];

const PDF_TOKENS: &[&str] = &[
    "obj",
    "endobj",
    "stream",
    "endstream",
    "<<",
    ">>",
    "/Length 99999",
    "xref",
    "trailer",
    "(",
    ")",
    "Tj",
    "TJ",
    "[",
    "]",
    "/Type /Page",
    "0 R",
    "-1",
    "startxref",
    "/Filter /FlateDecode",
    "\\",
    "BT",
    "ET",
    "Td",
    "/Encrypt",
    "%%EOF",
];

const NS: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";

fn document_xml() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document {NS}><w:body>\
<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr><w:r><w:t>Integrated care</w:t></w:r></w:p>\
<w:p><w:r><w:t xml:space=\"preserve\">The board agreed the plan. </w:t></w:r><w:r><w:t>It said more.</w:t></w:r></w:p>\
<w:p><w:pPr><w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"1\"/></w:numPr></w:pPr><w:r><w:t>A list item</w:t></w:r></w:p>\
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>cell a</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>cell b</w:t></w:r></w:p></w:tc></w:tr></w:tbl>\
</w:body></w:document>"
    )
}

/// A DOCX archive around `document` (the bytes of word/document.xml).
fn docx_zip(document: &[u8]) -> Vec<u8> {
    let styles = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:styles {NS}><w:style w:type=\"paragraph\" \
         w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/></w:style></w:styles>"
    );
    let content_types = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>";
    let rels = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>";
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, content) in [
        ("[Content_Types].xml", content_types.as_bytes()),
        ("_rels/.rels", rels.as_bytes()),
        ("word/document.xml", document),
        ("word/styles.xml", styles.as_bytes()),
    ] {
        zip.start_file(name, opts).expect("zip in memory");
        zip.write_all(content).expect("zip in memory");
    }
    zip.finish().expect("zip in memory").into_inner()
}

/// A PDF whose one page shows `content` as its content stream, with a
/// correct cross-reference table.
fn pdf(content: &[u8]) -> Vec<u8> {
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec(),
    ];
    let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    stream.extend_from_slice(content);
    stream.extend_from_slice(b"\nendstream");
    objects.push(stream);
    objects.push(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    );
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

const PDF_CONTENT: &str = "BT /F1 11 Tf 72 720 Td 14 TL (Integrated care) Tj T* \
(The board agreed the plan for primary care.) Tj T* (It said more about the budget.) Tj T* \
[(Kerned) -250 (text)] TJ ET";

/// PDF: a panic inside the PDF library is caught by the extractor and
/// reported as a damaged file (its message still goes to stderr).
fn check_pdf(bytes: Vec<u8>) -> Result<(), TestCaseError> {
    check_format(Format::Pdf, bytes)
}

fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        // Failures are reported with their input; no files are written.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn random_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..2048)
}

/// Random text with the characters that matter to the parsers made common.
fn random_text(tokens: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            "\\PC{0,12}".prop_map(String::into_bytes),
            prop::sample::select(tokens).prop_map(|t| t.as_bytes().to_vec()),
        ],
        0..120,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(config(1500))]

    #[test]
    fn text_random(bytes in random_bytes()) {
        check_format(Format::Text, bytes)?;
    }

    #[test]
    fn text_random_text(bytes in random_text(TEXT_TOKENS)) {
        check_format(Format::Text, bytes)?;
    }

    #[test]
    fn text_mutated(e in edits()) {
        check_format(Format::Text, apply(TEXT_SEED.as_bytes(), &e, TEXT_TOKENS))?;
    }

    #[test]
    fn markdown_random(bytes in random_bytes()) {
        check_format(Format::Markdown, bytes)?;
    }

    #[test]
    fn markdown_random_text(bytes in random_text(MARKDOWN_TOKENS)) {
        check_format(Format::Markdown, bytes)?;
    }

    #[test]
    fn markdown_mutated(e in edits()) {
        check_format(Format::Markdown, apply(MARKDOWN_SEED.as_bytes(), &e, MARKDOWN_TOKENS))?;
    }

    #[test]
    fn html_random(bytes in random_bytes()) {
        check_format(Format::Html, bytes)?;
    }

    #[test]
    fn html_random_text(bytes in random_text(HTML_TOKENS)) {
        check_format(Format::Html, bytes)?;
    }

    #[test]
    fn html_mutated(e in edits()) {
        check_format(Format::Html, apply(HTML_SEED.as_bytes(), &e, HTML_TOKENS))?;
    }

    #[test]
    fn jsonl_random(bytes in random_bytes()) {
        check_format(Format::Jsonl, bytes)?;
    }

    #[test]
    fn jsonl_mutated(e in edits()) {
        check_format(Format::Jsonl, apply(JSONL_SEED.as_bytes(), &e, JSONL_TOKENS))?;
    }
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn docx_random(bytes in random_bytes()) {
        check_format(Format::Docx, bytes)?;
    }

    #[test]
    fn docx_mutated_archive(e in edits()) {
        let seed = docx_zip(document_xml().as_bytes());
        check_format(Format::Docx, apply(&seed, &e, XML_TOKENS))?;
    }

    #[test]
    fn docx_mutated_document(e in edits()) {
        let xml = apply(document_xml().as_bytes(), &e, XML_TOKENS);
        check_format(Format::Docx, docx_zip(&xml))?;
    }
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn pdf_random(bytes in random_bytes()) {
        let mut b = b"%PDF-1.4\n".to_vec();
        b.extend(bytes);
        check_pdf(b)?;
    }

    #[test]
    fn pdf_mutated_file(e in edits()) {
        check_pdf(apply(&pdf(PDF_CONTENT.as_bytes()), &e, PDF_TOKENS))?;
    }

    #[test]
    fn pdf_mutated_content(e in edits()) {
        check_pdf(pdf(&apply(PDF_CONTENT.as_bytes(), &e, PDF_TOKENS)))?;
    }
}

const PPTX_TOKENS: &[&str] = &[
    "<a:p>",
    "</a:p>",
    "<a:r><a:t>",
    "</a:t></a:r>",
    "<a:br/>",
    "<p:sp>",
    "</p:sp>",
    "<p:ph type=\"title\"/>",
    "<a:tbl><a:tr><a:tc>",
    "</a:tc></a:tr></a:tbl>",
    "<a:buChar char=\"x\"/>",
    "&amp;",
    "<",
    ">",
    "é",
];

const ODT_TOKENS: &[&str] = &[
    "<text:p>",
    "</text:p>",
    "<text:h>",
    "</text:h>",
    "<text:list><text:list-item>",
    "</text:list-item></text:list>",
    "<table:table><table:table-row><table:table-cell>",
    "</table:table-cell></table:table-row></table:table>",
    "<text:s text:c=\"999999999999\"/>",
    "<text:note><text:note-body>",
    "</text:note-body></text:note>",
    "<office:annotation>",
    "&amp;",
    "<",
    ">",
];

const EPUB_TOKENS: &[&str] = &[
    "<p>", "</p>", "<h1>", "<table>", "<td>", "<li>", "&amp;", "<", ">", "<nav>",
];

const RTF_SEED: &str = r"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Times;}}{\info{\title Plan}{\creatim\yr2024\mo5\dy12}}
\pard\outlinelevel0 Urgent care\par
\pard The trust\rquote s caf\'e9 \u8220?daily\u8221?.\line Next.\par
{\listtext \'b7\tab}\pard\ls1 Item\par
\pard\intbl a\cell b\cell\row
{\*\fldinst HYPERLINK x}{\pict 0a0b}\par}";

const RTF_TOKENS: &[&str] = &[
    "{",
    "}",
    "\\par ",
    "\\",
    "\\'",
    "\\'e9",
    "\\u-10179?",
    "\\u",
    "\\uc2 ",
    "\\bin5 ",
    "\\*",
    "\\fonttbl ",
    "\\cell ",
    "\\row ",
    "\\intbl ",
    "\\outlinelevel1 ",
    "\\ansicpg932 ",
    "\\",
    "\u{0}",
];

const XML_SEED: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document id=\"1\">\n<Focus>Acromegaly</Focus>\n\
<FocusAnnotations><CUI>C1</CUI></FocusAnnotations>\n<QAPairs>\n<QAPair pid=\"1\">\n\
<Question qid=\"1-1\">What is (are) Acromegaly ?</Question>\n\
<Answer>A hormonal disorder.\n\nIt is &quot;sneaky&quot;.</Answer>\n</QAPair>\n</QAPairs>\n</Document>";

const GENERIC_XML_TOKENS: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "<a>",
    "</a>",
    "<title>",
    "</title>",
    "<![CDATA[",
    "]]>",
    "&amp;",
    "&#0;",
    "&#x1F600;",
    "&bogus;",
    "<!DOCTYPE x [<!ENTITY a \"b\">]>",
    "\n\n",
    "<?xml version=\"1.0\" encoding=\"utf-16\"?>",
    "<Question>",
    "</Question>",
    "<Answer>",
    "</Answer>",
    "<QAPairs>",
    "\u{feff}",
    "é",
];

/// A presentation of one slide whose shapes are `shapes`, with notes.
fn pptx_zip(shapes: &[u8]) -> Vec<u8> {
    pptx::tests::pptx(&[(
        String::from_utf8_lossy(shapes).into_owned(),
        Some("Notes here."),
    )])
}

fn pptx_shapes() -> String {
    pptx::tests::shape(Some("title"), &["Winter plan"])
        + &pptx::tests::shape(None, &["The board agreed.", "It said more."])
}

const ODT_BODY: &str = "<text:h text:outline-level=\"1\">Integrated care</text:h><text:p>The board agreed.</text:p>\
<text:list><text:list-item><text:p>An item</text:p></text:list-item></text:list>\
<table:table><table:table-row><table:table-cell><text:p>a</text:p></table:table-cell><table:table-cell><text:p>b</text:p></table:table-cell></table:table-row></table:table>";

const EPUB_CHAPTER: &str = "<h1>Integrated care</h1><p>The board agreed.</p><ul><li>Item</li></ul>";

fn epub_zip(chapter: &[u8]) -> Vec<u8> {
    epub::tests::epub("Book", &[("a.xhtml", &String::from_utf8_lossy(chapter))])
}

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn pptx_random(bytes in random_bytes()) {
        check_format(Format::Pptx, bytes)?;
    }

    #[test]
    fn pptx_mutated_archive(e in edits()) {
        check_format(Format::Pptx, apply(&pptx_zip(pptx_shapes().as_bytes()), &e, PPTX_TOKENS))?;
    }

    #[test]
    fn pptx_mutated_slide(e in edits()) {
        check_format(Format::Pptx, pptx_zip(&apply(pptx_shapes().as_bytes(), &e, PPTX_TOKENS)))?;
    }

    #[test]
    fn odt_random(bytes in random_bytes()) {
        check_format(Format::Odt, bytes)?;
    }

    #[test]
    fn odt_mutated_archive(e in edits()) {
        check_format(Format::Odt, apply(&odt::tests::odt(ODT_BODY), &e, ODT_TOKENS))?;
    }

    #[test]
    fn odt_mutated_content(e in edits()) {
        let body = apply(ODT_BODY.as_bytes(), &e, ODT_TOKENS);
        check_format(Format::Odt, odt::tests::odt(&String::from_utf8_lossy(&body)))?;
    }

    #[test]
    fn epub_random(bytes in random_bytes()) {
        check_format(Format::Epub, bytes)?;
    }

    #[test]
    fn epub_mutated_archive(e in edits()) {
        check_format(Format::Epub, apply(&epub_zip(EPUB_CHAPTER.as_bytes()), &e, EPUB_TOKENS))?;
    }

    #[test]
    fn epub_mutated_chapter(e in edits()) {
        check_format(Format::Epub, epub_zip(&apply(EPUB_CHAPTER.as_bytes(), &e, EPUB_TOKENS)))?;
    }
}

proptest! {
    #![proptest_config(config(1500))]

    #[test]
    fn rtf_random(bytes in random_bytes()) {
        check_format(Format::Rtf, bytes)?;
    }

    #[test]
    fn rtf_random_text(bytes in random_text(RTF_TOKENS)) {
        let mut b = b"{\\rtf1 ".to_vec();
        b.extend(bytes);
        check_format(Format::Rtf, b)?;
    }

    #[test]
    fn rtf_mutated(e in edits()) {
        check_format(Format::Rtf, apply(RTF_SEED.as_bytes(), &e, RTF_TOKENS))?;
    }

    #[test]
    fn xml_random(bytes in random_bytes()) {
        check_format(Format::Xml, bytes)?;
    }

    #[test]
    fn xml_random_text(bytes in random_text(GENERIC_XML_TOKENS)) {
        check_format(Format::Xml, bytes)?;
    }

    #[test]
    fn xml_mutated(e in edits()) {
        check_format(Format::Xml, apply(XML_SEED.as_bytes(), &e, GENERIC_XML_TOKENS))?;
    }
}

#[test]
fn seeds_are_valid() {
    for (format, bytes) in [
        (Format::Text, TEXT_SEED.as_bytes().to_vec()),
        (Format::Markdown, MARKDOWN_SEED.as_bytes().to_vec()),
        (Format::Html, HTML_SEED.as_bytes().to_vec()),
        (Format::Docx, docx_zip(document_xml().as_bytes())),
        (Format::Pdf, pdf(PDF_CONTENT.as_bytes())),
        (Format::Pptx, pptx_zip(pptx_shapes().as_bytes())),
        (Format::Odt, odt::tests::odt(ODT_BODY)),
        (Format::Rtf, RTF_SEED.as_bytes().to_vec()),
        (Format::Epub, epub_zip(EPUB_CHAPTER.as_bytes())),
        (Format::Xml, XML_SEED.as_bytes().to_vec()),
    ] {
        let e = extract(format, bytes).unwrap_or_else(|err| panic!("{format:?}: {err}"));
        assert!(e.blocks.len() >= 2, "{format:?}: {:?}", e.blocks);
        let split = passage::split(&e);
        assert!(!split.passages.is_empty(), "{format:?}");
    }
    let mut records = 0;
    jsonl::read(JSONL_SEED.as_bytes(), |_| {
        records += 1;
        true
    })
    .unwrap();
    assert_eq!(records, 3);
}
