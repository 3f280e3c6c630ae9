//! PDF with page numbers, HTML and DOCX, from fixtures built in code.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

fn index(dir: &Path, folder: &str) -> std::process::Output {
    let out = run(dir, &["index", folder, "--index", "idx"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn top(dir: &Path, q: &str) -> Value {
    let r = query_json(dir, q, 5);
    assert!(r["total_hits"].as_u64().unwrap() > 0, "{q}: no hits");
    r["hits"][0].clone()
}

#[test]
fn pdf_passages_carry_their_page() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    let body = [
        [
            "Integrated care boards hold the NHS budget for",
            "their population and agree plans with partners.",
        ],
        [
            "The Dorset Passport lets staff move between",
            "organisations without repeating induction.",
        ],
        [
            "Virtual wards care for patients at home with",
            "remote monitoring and daily reviews by clinicians.",
        ],
    ];
    let pages: Vec<Vec<String>> = body
        .iter()
        .enumerate()
        .map(|(i, lines)| {
            let mut p = vec!["Wessex Board Papers 2025".to_string()];
            p.extend(lines.iter().map(|l| l.to_string()));
            p.push(format!("Page {} of 3", i + 1));
            p
        })
        .collect();
    let refs: Vec<Vec<&str>> = pages
        .iter()
        .map(|p| p.iter().map(String::as_str).collect())
        .collect();
    let slices: Vec<&[&str]> = refs.iter().map(Vec::as_slice).collect();
    std::fs::write(lib.join("board.pdf"), pdf_bytes(&slices)).unwrap();
    index(dir.path(), "lib");

    for (q, page) in [
        ("Dorset Passport", 2),
        ("virtual wards", 3),
        ("integrated care boards budget", 1),
    ] {
        let hit = top(dir.path(), q);
        assert_eq!(hit["page"], page, "{q}: {hit}");
        assert_eq!(hit["offsets"], "extracted");
        let quote = hit["quote"].as_str().unwrap();
        assert!(
            !quote.contains("Wessex Board Papers") && !quote.contains("Page "),
            "{quote}"
        );
        assert!(
            !quote.contains('\n'),
            "lines of a paragraph are joined: {quote:?}"
        );
    }
    let hit = top(dir.path(), "Dorset Passport");
    assert_eq!(
        hit["quote"],
        "The Dorset Passport lets staff move between organisations without repeating induction."
    );
    let human = run(
        dir.path(),
        &["query", "Dorset Passport", "--index", "idx", "-n", "1"],
    );
    // A page, and no line: lines of text laid out from a PDF are nowhere
    // in the file.
    assert_eq!(hit["line_start"], Value::Null, "{hit}");
    let human = String::from_utf8(human.stdout).unwrap();
    let header = human.lines().next().unwrap();
    assert!(header.ends_with("p. 2"), "{header}");
}

/// A PDF that numbers its pages itself (roman front matter, then 1, 2, …)
/// is cited by the numbers it prints, with the PDF's own page beside it.
#[test]
fn pdf_pages_are_cited_by_their_printed_labels() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    let pages: [&[&str]; 4] = [
        &["Foreword by the chair of the board."],
        &["Contents and acknowledgements."],
        &["Chapter one sets out the waiting list recovery plan."],
        &["Chapter two describes the district nursing workforce."],
    ];
    std::fs::write(
        lib.join("report.pdf"),
        pdf_with_page_labels(&pages, "<< /Nums [0 << /S /r >> 2 << /S /D >>] >>"),
    )
    .unwrap();
    std::fs::write(lib.join("plain.pdf"), pdf_bytes(&pages)).unwrap();
    index_into_idx(dir.path(), "lib");
    for (query, label, page) in [
        ("foreword chair", "i", 1),
        ("district nursing workforce", "2", 4),
    ] {
        let r = query_json(dir.path(), &format!("{query} source:*report.pdf"), 1);
        let hit = &r["hits"][0];
        assert_eq!(hit["page"], page, "{hit}");
        assert_eq!(hit["page_label"], label, "{hit}");
        let shown = |extra: &[&str]| {
            let text = format!("{query} source:*report.pdf");
            let mut args = vec!["query", text.as_str(), "--index", "idx", "-n", "1"];
            args.extend_from_slice(extra);
            String::from_utf8(run(dir.path(), &args).stdout).unwrap()
        };
        let human = shown(&[]);
        let header = human.lines().next().unwrap();
        assert!(
            header.ends_with(&format!("p. {label} (PDF p. {page})")),
            "{header}"
        );
        let cite = shown(&["--format", "markdown"]);
        assert!(
            cite.contains(&format!("p. {label} (PDF p. {page})")),
            "{cite}"
        );
    }
    // Pages numbered as they fall carry no label.
    let r = query_json(dir.path(), "foreword chair source:*plain.pdf", 1);
    assert_eq!(r["hits"][0]["page"], 1);
    assert_eq!(r["hits"][0]["page_label"], Value::Null);
}

/// A PDF that defines no page labels but prints its page numbers from
/// the third page on is cited by the numbers it prints; its cover and
/// contents, which print none, by the PDF's own page only.
#[test]
fn pdf_pages_are_cited_by_the_numbers_they_print() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    let topics = [
        "waiting list recovery",
        "district nursing workforce",
        "urgent community response",
        "virtual ward capacity",
        "discharge to assess",
        "mental health crisis lines",
    ];
    let body: Vec<(String, String)> = topics
        .iter()
        .enumerate()
        .map(|(i, t)| {
            (
                format!("Chapter {i} sets out the {t} plan."),
                (i + 1).to_string(),
            )
        })
        .collect();
    let mut pages: Vec<Vec<&str>> = vec![
        vec!["Annual plan of the board"],
        vec!["Contents and acknowledgements for the foreword."],
    ];
    pages.extend(
        body.iter()
            .map(|(text, number)| vec![text.as_str(), "", number.as_str()]),
    );
    let pages: Vec<&[&str]> = pages.iter().map(Vec::as_slice).collect();
    std::fs::write(lib.join("plan.pdf"), pdf_bytes(&pages)).unwrap();
    // The same pages numbered as they fall: no label.
    let own: Vec<String> = (1..=pages.len()).map(|n| n.to_string()).collect();
    let numbered: Vec<Vec<&str>> = pages
        .iter()
        .zip(&own)
        .map(|(lines, n)| [&lines[..1], &["", n.as_str()]].concat())
        .collect();
    let numbered: Vec<&[&str]> = numbered.iter().map(Vec::as_slice).collect();
    std::fs::write(lib.join("own.pdf"), pdf_bytes(&numbered)).unwrap();
    index_into_idx(dir.path(), "lib");
    let hit = |query: &str, file: &str| {
        query_json(dir.path(), &format!("{query} source:*{file}"), 1)["hits"][0].clone()
    };
    let h = hit("virtual ward capacity", "plan.pdf");
    assert_eq!(
        (h["page"].clone(), h["page_label"].clone()),
        (6.into(), "4".into()),
        "{h}"
    );
    assert!(!h["quote"].as_str().unwrap().contains('4'), "{h}");
    let h = hit("contents acknowledgements", "plan.pdf");
    assert_eq!(
        (h["page"].clone(), h["page_label"].clone()),
        (2.into(), Value::Null),
        "{h}"
    );
    let h = hit("virtual ward capacity", "own.pdf");
    assert_eq!(
        (h["page"].clone(), h["page_label"].clone()),
        (6.into(), Value::Null),
        "{h}"
    );
}

#[test]
fn docx_paragraphs_and_headings() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    let docx = docx_bytes(&[
        (
            Some("Heading1"),
            "Constitution of the Integrated Care Board",
        ),
        (
            None,
            "The board shall meet in public at least six times a year and publish its papers.",
        ),
        (Some("Heading1"), "Committees"),
        (
            None,
            "The audit committee reports to the board on risk management &amp; internal controls.",
        ),
    ]);
    std::fs::write(lib.join("constitution.docx"), docx).unwrap();
    index(dir.path(), "lib");
    let hit = top(dir.path(), "audit committee");
    assert_eq!(hit["heading"], "Committees");
    assert_eq!(hit["offsets"], "extracted");
    assert_eq!(
        hit["quote"],
        "The audit committee reports to the board on risk management & internal controls."
    );
    let hit = top(dir.path(), "meet in public");
    assert_eq!(hit["heading"], "Constitution of the Integrated Care Board");
    assert_eq!(hit["page"], Value::Null);
}

#[test]
fn html_main_text_only() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    let html = r#"<!DOCTYPE html><html><head><title>Neighbourhood health | Example Trust</title>
<style>.x { color: red }</style><script>var tracking = "scriptword";</script></head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/about">Navword about us</a></li></ul></nav>
<div class="cookie-banner">We use cookies. Cookieword accept all.</div>
<main>
<h1>Neighbourhood health guidelines</h1>
<p>Integrated neighbourhood teams bring GPs, community nurses and social workers together &amp; share records.</p>
<h2>Funding</h2>
<p>Each team receives a budget from the integrated care board for &ldquo;proactive care&rdquo;.</p>
</main>
<footer>Footerword copyright 2025</footer>
</body></html>"#;
    std::fs::write(lib.join("page.html"), html).unwrap();
    index(dir.path(), "lib");
    let hit = top(dir.path(), "neighbourhood teams");
    assert_eq!(
        hit["quote"],
        "Integrated neighbourhood teams bring GPs, community nurses and social workers together & share records."
    );
    assert!(
        hit["title"]
            .as_str()
            .unwrap()
            .starts_with("Neighbourhood health"),
        "{}",
        hit["title"]
    );
    let hit = top(dir.path(), "proactive care");
    assert_eq!(hit["heading"], "Funding");
    assert!(hit["quote"].as_str().unwrap().contains("“proactive care”"));
    for junk in ["scriptword", "Navword", "Cookieword", "Footerword"] {
        let r = query_json(dir.path(), junk, 5);
        assert_eq!(r["total_hits"], 0, "{junk} was indexed");
    }
}

/// The title a hit from `name` (holding `content`) shows, found by `word`,
/// which only it holds.
fn title_of(name: &str, content: &[u8], word: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    std::fs::write(lib.join(name), content).unwrap();
    index(dir.path(), "lib");
    top(dir.path(), word)["title"].as_str().unwrap().to_string()
}

#[test]
fn markdown_title_is_its_first_heading_not_a_converters_outline() {
    // As PDF-to-Markdown converters write it: no `#` at the top, the
    // outline's `#` heading at the end.
    let md = "Survey report\n\nSeptember 2025\n\n## Health and wellbeing at work 2025\n\n\
              Employers report that sickness absence reached its highest level in a decade, \
              says the wellbeingword survey of employees.\n\n\
              # Document Outline\n\n- Health and wellbeing at work 2025\n- Foreword\n";
    assert_eq!(
        title_of("cipd-report.md", md.as_bytes(), "wellbeingword"),
        "Health and wellbeing at work 2025"
    );
}

#[test]
fn text_title_skips_web_page_chrome() {
    let txt = "Skip directly to site content\nSkip directly to page options\n\
               Skip directly to A-Z link\n\n\
               Persons using assistive technology might not be able to fully access information \
               in this file. For assistance, please send e-mail to: mmwrq@cdc.gov.\n\n\
               20 May 2024\n\n\
               Chronic Disease Reports: Deaths from Chronic Obstructive Pulmonary Disease\n\n\
               In 1986, 1.58 million people in the United States died from six major chronic \
               diseases, a chronicword figure.\n";
    assert_eq!(
        title_of("mmwr_0001.txt", txt.as_bytes(), "chronicword"),
        "Chronic Disease Reports: Deaths from Chronic Obstructive Pulmonary Disease"
    );
}

#[test]
fn pdf_title_is_its_metadata_only_when_that_names_the_document() {
    let body =
        "Adults with type 2 diabetes should be offered structured education, a metforminword step.";
    let word_title = pdf_bytes_titled(
        &[&["Type 2 diabetes in adults: management", "", body]],
        "Microsoft Word - NG28 final.docx",
    );
    assert_eq!(
        title_of("ng28.pdf", &word_title, "metforminword"),
        "Type 2 diabetes in adults: management"
    );
    let meaningful = pdf_bytes_titled(
        &[&[
            "Contents",
            "",
            "Infection prevention and control in outpatient settings, an ipcword guide.",
        ]],
        "Guide to Infection Prevention for Outpatient Settings",
    );
    assert_eq!(
        title_of("cdc-guide.pdf", &meaningful, "ipcword"),
        "Guide to Infection Prevention for Outpatient Settings"
    );
    // Neither metadata nor a title line: the file's cleaned name.
    let untitled = pdf_bytes(&[&[
        "20 May 2024",
        "",
        "The oversight framework sets out how an oversightword segmentation works.",
    ]]);
    assert_eq!(
        title_of(
            "nhs-oversight-framework_2025-26.pdf",
            &untitled,
            "oversightword"
        ),
        "nhs oversight framework 2025-26"
    );
}

/// A cover's title over several lines in large type is one title; a
/// subtitle in other type is not part of it.
#[test]
fn pdf_title_runs_over_the_lines_of_its_type() {
    let body: &[(u32, &str)] = &[
        (
            11,
            "The Government accepts the recommendation on resilience.",
        ),
        (
            11,
            "Each department will publish a plan, the coverword says.",
        ),
        (11, "Progress will be reported to Parliament every year."),
    ];
    let cover = pdf_of(&[
        PdfPage::Sized(&[
            (36, "UK Government"),
            (36, "Response to the Covid-19"),
            (36, "Inquiry Module 1 Report"),
            (12, "CP1240"),
        ]),
        PdfPage::Sized(body),
    ]);
    assert_eq!(
        title_of("response.pdf", &cover, "coverword"),
        "UK Government Response to the Covid-19 Inquiry Module 1 Report"
    );
    let subtitled = pdf_of(&[
        PdfPage::Sized(&[(36, "Annual report"), (20, "Workforce and finance")]),
        PdfPage::Sized(body),
    ]);
    assert_eq!(
        title_of("annual.pdf", &subtitled, "coverword"),
        "Annual report"
    );
}

/// Indexes `files` (name, bytes) in a fresh folder; the folder stays
/// alive as long as the returned directory.
fn indexed(files: &[(&str, Vec<u8>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    for (name, bytes) in files {
        std::fs::write(lib.join(name), bytes).unwrap();
    }
    index(dir.path(), "lib");
    dir
}

#[test]
fn pptx_slides_and_notes_are_cited_by_slide() {
    let deck = pptx_bytes(&[
        (
            "Winter resilience plan",
            &["Presented to the board in October."],
            None,
        ),
        (
            "Discharge targets",
            &["Patients leave hospital within seven days of being medically fit."],
            Some("Mention the Leeds pilot and its results."),
        ),
    ]);
    let dir = indexed(&[("winter.pptx", deck)]);
    let hit = top(dir.path(), "Leeds pilot");
    assert_eq!(hit["quote"], "Mention the Leeds pilot and its results.");
    assert_eq!(hit["heading"], "Discharge targets");
    assert_eq!(hit["page"], 2);
    assert_eq!(hit["title"], "Winter resilience plan");
    let hit = top(dir.path(), "medically fit");
    assert_eq!(hit["page"], 2);
    assert_eq!(hit["heading"], "Discharge targets");
    let hit = top(dir.path(), "October");
    assert_eq!(hit["page"], 1);
    // People cite a slide, not a page.
    let human = run_ok(
        dir.path(),
        &["query", "Leeds pilot", "--index", "idx", "--color", "never"],
    );
    assert!(human.contains("slide 2"), "{human}");
    assert!(!human.contains("p. 2"), "{human}");
}

#[test]
fn odt_headings_lists_and_tables() {
    let odt = odt_bytes(
        "<text:h text:outline-level=\"1\">Community nursing</text:h>\
         <text:p>District nurses visit <text:span>housebound</text:span> patients &amp; carers.</text:p>\
         <text:list><text:list-item><text:p>Wound care clinics open on Saturdays.</text:p></text:list-item></text:list>\
         <table:table><table:table-row><table:table-cell><text:p>Barnsley</text:p></table:table-cell>\
         <table:table-cell><text:p>42 nurses</text:p></table:table-cell></table:table-row></table:table>",
    );
    let dir = indexed(&[("nursing.odt", odt)]);
    let hit = top(dir.path(), "housebound");
    assert_eq!(
        hit["quote"],
        "District nurses visit housebound patients & carers."
    );
    assert_eq!(hit["heading"], "Community nursing");
    assert_eq!(hit["page"], Value::Null);
    assert_eq!(hit["offsets"], "extracted");
    let hit = top(dir.path(), "Barnsley");
    assert!(
        hit["quote"]
            .as_str()
            .unwrap()
            .contains("Barnsley | 42 nurses"),
        "{hit}"
    );
    assert!(top(dir.path(), "Saturdays")["quote"]
        .as_str()
        .unwrap()
        .contains("Wound care clinics"));
}

#[test]
fn rtf_paragraphs() {
    let rtf = br"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}}{\info{\title Letter to the trust}}
\pard\outlinelevel0 Maternity review\par
\pard The trust\rquote s midwives welcomed the \u8220?continuity of carer\u8221? model.\par
{\pict\pngblip 89504e470d0a1a0a}\pard Second paragraph about caf\'e9 staff.\par}";
    let dir = indexed(&[("letter.rtf", rtf.to_vec())]);
    let hit = top(dir.path(), "midwives");
    assert_eq!(
        hit["quote"],
        "The trust’s midwives welcomed the “continuity of carer” model."
    );
    assert_eq!(hit["heading"], "Maternity review");
    assert_eq!(hit["title"], "Letter to the trust");
    assert!(top(dir.path(), "café")["quote"]
        .as_str()
        .unwrap()
        .contains("café staff"));
    let r = query_json(dir.path(), "pngblip", 5);
    assert_eq!(r["total_hits"], 0);
}

#[test]
fn epub_chapters_in_spine_order() {
    let book = epub_bytes(
        "Public health in practice",
        &[
            "<h1>Screening</h1><p>Bowel cancer screening starts at fifty.</p>",
            "<h1>Vaccination</h1><p>Flu vaccination uptake fell among carers.</p>",
        ],
    );
    let dir = indexed(&[("practice.epub", book)]);
    let hit = top(dir.path(), "vaccination uptake");
    assert_eq!(hit["quote"], "Flu vaccination uptake fell among carers.");
    assert_eq!(hit["heading"], "Vaccination");
    assert_eq!(hit["title"], "Public health in practice");
    assert_eq!(hit["date"], "2022-09-14");
    assert_eq!(top(dir.path(), "bowel screening")["heading"], "Screening");
}

const MEDQUAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document id="0000001" source="NIDDK" url="http://example.org/acromegaly">
<Focus>Acromegaly</Focus>
<FocusAnnotations><UMLS><CUIs><CUI>C0001206</CUI></CUIs></UMLS></FocusAnnotations>
<QAPairs>
	<QAPair pid="1">
			<Question qid="0000001-1" qtype="information">What is (are) Acromegaly ?</Question>
			<Answer>Acromegaly is a hormonal disorder that results from too much growth hormone in the body.
                
Acromegaly is most often diagnosed in middle-aged adults.</Answer>
	</QAPair>
	<QAPair pid="2">
			<Question qid="0000001-2" qtype="treatment">What are the treatments for Acromegaly ?</Question>
			<Answer>Surgery to remove the pituitary tumor is the first choice of treatment.</Answer>
	</QAPair>
</QAPairs>
</Document>"#;

#[test]
fn xml_question_answer_files_and_plain_xml() {
    let plain = b"<?xml version=\"1.0\"?><catalogue><entry><title>Stroke units</title>\n<summary>Thrombectomy rates rose in hyperacute stroke units.</summary></entry></catalogue>";
    let dir = indexed(&[
        ("0000001.xml", MEDQUAD.as_bytes().to_vec()),
        ("catalogue.xml", plain.to_vec()),
    ]);
    let hit = top(dir.path(), "pituitary tumor surgery");
    assert_eq!(
        hit["quote"],
        "Surgery to remove the pituitary tumor is the first choice of treatment."
    );
    assert_eq!(hit["heading"], "What are the treatments for Acromegaly ?");
    assert_eq!(hit["title"], "Acromegaly");
    let hit = top(dir.path(), "hormonal disorder");
    assert_eq!(hit["heading"], "What is (are) Acromegaly ?");
    assert_eq!(
        query_json(dir.path(), "C0001206", 5)["total_hits"],
        0,
        "annotations are not indexed"
    );
    let hit = top(dir.path(), "thrombectomy");
    assert_eq!(
        hit["quote"],
        "Thrombectomy rates rose in hyperacute stroke units."
    );
    assert_eq!(hit["heading"], "Stroke units");
}

/// The MedQuAD collection, where a machine has it (`../shared`): every
/// file indexes, a known answer is found under its question, and a
/// question whose answer MedQuAD removed is not a hit of its own.
#[test]
#[ignore = "needs ../shared/corpus/medquad_xml"]
fn medquad_corpus() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/medquad_xml");
    if !corpus.is_dir() {
        eprintln!("skipped: no {}", corpus.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &["index", corpus.to_str().unwrap(), "--index", "idx"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains(".xml"), "{stdout}");
    let hit = top(dir.path(), "acromegaly growth hormone pituitary");
    assert!(hit["heading"].as_str().unwrap_or("").contains("?"), "{hit}");
    let hit = top(dir.path(), "what are the treatments for acromegaly");
    let quote = hit["quote"].as_str().unwrap();
    assert!(!quote.trim_end().ends_with('?'), "a question alone: {hit}");
    assert!(hit["heading"].as_str().unwrap_or("").contains("?"), "{hit}");
}
