//! Publication dates: found in metadata or a dateline, shown in citations
//! and JSON, and used by `--since`, `--until` and `--sort date`.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

/// Five documents about discharge: dated by HTML metadata (2024-05-12), a
/// Markdown dateline (March 2023), a PDF's creation time (2019-04-01), a
/// text file whose dateline beats nothing (2021), and one undated.
fn library(dir: &Path) {
    let lib = dir.join("lib");
    std::fs::create_dir_all(&lib).unwrap();
    std::fs::write(
        lib.join("blog.html"),
        "<html><head><title>Discharge blog</title>\
         <meta property=\"article:published_time\" content=\"2024-05-12T09:30:00+01:00\">\
         <meta property=\"article:modified_time\" content=\"2025-01-02\"></head>\
         <body><main><p>Discharge delays fell in the spring after the new discharge fund.</p>\
         </main></body></html>",
    )
    .unwrap();
    std::fs::write(
        lib.join("briefing.md"),
        "# Discharge briefing\n\nPublished: 3 March 2023\n\nDischarge delays rose over the winter.\n",
    )
    .unwrap();
    std::fs::write(
        lib.join("plan.pdf"),
        pdf_with_trailer(
            &[&["Discharge planning starts at admission for every patient."]],
            "/Info << /CreationDate (D:20190401120000Z) >>",
        ),
    )
    .unwrap();
    std::fs::write(
        lib.join("note.txt"),
        "Board note\n\nJune 2021\n\nDischarge to assess was adopted by the board.\n",
    )
    .unwrap();
    std::fs::write(
        lib.join("undated.txt"),
        "Discharge teams work across health and social care every day.\n",
    )
    .unwrap();
    index_into_idx(dir, "lib");
}

fn query(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["query", "discharge", "--index", "idx", "--json", "-n", "20"];
    args.extend_from_slice(extra);
    run_json(dir, &args)
}

/// (file name, date, date source) of each hit, in order.
fn dated(results: &Value) -> Vec<(String, Value, Value)> {
    results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let name = h["path"].as_str().unwrap().rsplit('/').next().unwrap();
            (
                name.to_string(),
                h["date"].clone(),
                h["date_source"].clone(),
            )
        })
        .collect()
}

fn date_of(results: &Value, name: &str) -> (Value, Value) {
    let (_, d, s) = dated(results)
        .into_iter()
        .find(|(n, _, _)| n == name)
        .unwrap_or_else(|| panic!("{name} not among {results}"));
    (d, s)
}

#[test]
fn dates_come_from_metadata_datelines_and_creation_times() {
    let dir = tempfile::tempdir().unwrap();
    library(dir.path());
    let all = query(dir.path(), &[]);
    assert_eq!(dated(&all).len(), 5, "{all}");
    // Published beats modified.
    assert_eq!(
        date_of(&all, "blog.html"),
        ("2024-05-12".into(), "metadata".into())
    );
    assert_eq!(
        date_of(&all, "briefing.md"),
        ("2023-03-03".into(), "text".into())
    );
    assert_eq!(
        date_of(&all, "plan.pdf"),
        ("2019-04-01".into(), "created".into())
    );
    assert_eq!(date_of(&all, "note.txt"), ("2021-06".into(), "text".into()));
    assert_eq!(date_of(&all, "undated.txt"), (Value::Null, Value::Null));

    // Citations carry the date.
    let id = all["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["path"].as_str().unwrap().ends_with("briefing.md"))
        .unwrap()["passage_id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = run(dir.path(), &["show", &id, "--index", "idx", "--json"]);
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        shown["citation"]
            .as_str()
            .unwrap()
            .starts_with("Discharge briefing (3 March 2023), "),
        "{shown}"
    );
    let text = run(
        dir.path(),
        &[
            "query",
            "discharge delays rose",
            "--index",
            "idx",
            "-n",
            "1",
        ],
    );
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("Discharge briefing (3 March 2023)"), "{text}");
    let list = run(dir.path(), &["list", "--index", "idx", "--json"]);
    let list: Value = serde_json::from_slice(&list.stdout).unwrap();
    assert!(list["documents"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["date"] == "2024-05-12" && d["date_source"] == "metadata"));
}

#[test]
fn since_and_until_keep_documents_whose_date_may_fall_in_range() {
    let dir = tempfile::tempdir().unwrap();
    library(dir.path());
    let names = |extra: &[&str]| {
        let mut n: Vec<String> = dated(&query(dir.path(), extra))
            .into_iter()
            .map(|(n, _, _)| n)
            .collect();
        n.sort();
        n
    };
    assert_eq!(names(&["--since", "2023"]), ["blog.html", "briefing.md"]);
    assert_eq!(names(&["--until", "2021-06-15"]), ["note.txt", "plan.pdf"]);
    // "June 2021" may be 30 June: on or after 2021-06-15.
    assert_eq!(
        names(&["--since", "2021-06-15", "--until", "March 2023"]),
        ["briefing.md", "note.txt"]
    );
    assert!(names(&["--since", "2030"]).is_empty());
    let out = run(
        dir.path(),
        &["query", "discharge", "--index", "idx", "--since", "2024-13"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sort_by_date_puts_the_newest_first_and_the_undated_last() {
    let dir = tempfile::tempdir().unwrap();
    library(dir.path());
    let order: Vec<String> = dated(&query(dir.path(), &["--sort", "date"]))
        .into_iter()
        .map(|(n, _, _)| n)
        .collect();
    assert_eq!(
        order,
        [
            "blog.html",
            "briefing.md",
            "note.txt",
            "plan.pdf",
            "undated.txt"
        ]
    );
    let ranks: Vec<u64> = query(dir.path(), &["--sort", "date"])["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["rank"].as_u64().unwrap())
        .collect();
    assert_eq!(ranks, [1, 2, 3, 4, 5]);
}

#[test]
fn a_pdf_without_a_creation_date_is_dated_by_its_xmp_packet() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir_all(&lib).unwrap();
    let xmp = "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF \
        xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description \
        rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\
        <xmp:CreateDate>2020-07-15T10:00:00Z</xmp:CreateDate></rdf:Description>\
        </rdf:RDF></x:xmpmeta>";
    std::fs::write(
        lib.join("xmp.pdf"),
        pdf_with_xmp(&[&["Discharge planning starts at admission."]], xmp),
    )
    .unwrap();
    index_into_idx(dir.path(), "lib");
    let r = query(dir.path(), &[]);
    assert_eq!(
        date_of(&r, "xmp.pdf"),
        ("2020-07-15".into(), "created".into())
    );
}

/// A title that ends with a date names the version a document is: it beats
/// the file's creation time (the WHO's malaria guidelines of 16 October
/// 2023 were made as a PDF on the 11th), but not a dateline in the text,
/// and a year alone is no date.
#[test]
fn a_title_that_ends_with_a_date_beats_the_creation_time() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir_all(&lib).unwrap();
    let pdf = |title: &str, lines: &[&str]| {
        pdf_with_trailer(
            &[lines],
            &format!("/Info << /Title ({title}) /CreationDate (D:20231011090000Z) >>"),
        )
    };
    let files = [
        (
            "guidelines.pdf",
            "Discharge guidelines, 16 October 2023",
            &[
                "Discharge guidelines, 16 October 2023",
                "Discharge planning starts at admission.",
            ][..],
        ),
        (
            "dateline.pdf",
            "Discharge update, March 2024",
            &[
                "Discharge update, March 2024",
                "Published 2 April 2024",
                "Discharge lounges opened.",
            ][..],
        ),
        (
            "act.pdf",
            "Discharge Act 2006",
            &["Discharge Act 2006", "Discharge duties of the trust."][..],
        ),
    ];
    for (name, title, lines) in files {
        std::fs::write(lib.join(name), pdf(title, lines)).unwrap();
    }
    index_into_idx(dir.path(), "lib");
    let r = query(dir.path(), &[]);
    assert_eq!(
        date_of(&r, "guidelines.pdf"),
        ("2023-10-16".into(), "title".into())
    );
    assert_eq!(
        date_of(&r, "dateline.pdf"),
        ("2024-04-02".into(), "text".into())
    );
    assert_eq!(
        date_of(&r, "act.pdf"),
        ("2023-10-11".into(), "created".into())
    );
    let text = run_ok(
        dir.path(),
        &["query", "discharge planning", "--index", "idx", "-n", "1"],
    );
    assert!(
        text.contains("Discharge guidelines, 16 October 2023 (16 October 2023)"),
        "{text}"
    );
}

#[test]
fn a_parliamentary_paper_is_dated_by_its_printing_notice_and_not_titled_by_its_template() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir_all(&lib).unwrap();
    let cover: &[&str] = &[
        "HOUSE OF LORDS",
        "Discharge Select Committee",
        "1st Report of Session 2023-24",
        "Ordered to be printed 11 July 2024 and published 19 July 2024",
        "Discharge planning starts at admission and involves the patient and carers.",
    ];
    let pdf = pdf_with_trailer(
        &[cover],
        "/Info << /Title (Committee Report 4.3) /CreationDate (D:20240712090000Z) >>",
    );
    std::fs::write(lib.join("report.pdf"), pdf).unwrap();
    index_into_idx(dir.path(), "lib");
    let r = query(dir.path(), &[]);
    assert_eq!(
        date_of(&r, "report.pdf"),
        ("2024-07-19".into(), "text".into())
    );
    // The template's name is refused; the title comes from the cover.
    let title = r["hits"][0]["title"].as_str().unwrap();
    assert!(cover.contains(&title), "{title}");
}
