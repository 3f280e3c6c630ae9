//! `show ID` (a passage in its document) and `export` (every passage with
//! its citation, for another engine), driven through the binary.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::process::Output;

use common::*;
use serde_json::Value;

const PARAGRAPHS: [&str; 5] = [
    "Winter planning starts in the summer for every acute trust.",
    "Discharge delays rose sharply over the winter months in the north.",
    "Integrated care boards agreed a shared discharge fund with councils.",
    "Virtual wards freed hospital beds for the most acutely ill patients.",
    "Community pharmacies took on minor illness consultations from GPs.",
];

/// A library of a text file, a Markdown file, an HTML page and a PDF, in
/// two collections, indexed into `dir/idx`.
fn library(dir: &Path) {
    let a = dir.join("briefings");
    let b = dir.join("reports");
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(a.join("winter.txt"), PARAGRAPHS.join("\n\n")).unwrap();
    std::fs::write(
        a.join("pharmacy.md"),
        "# Pharmacy First\n\nCommunity pharmacists now treat **seven** common conditions.\n\n\
         ## Funding\n\nThe scheme is funded from the \\(ICB\\) primary care budget.\n",
    )
    .unwrap();
    std::fs::write(
        b.join("ward.html"),
        "<html><head><title>Virtual wards review</title></head><body><main>\
         <h1>Virtual wards review</h1><p>Virtual wards supported 12,000 patients at home.</p>\
         <h2>Staffing</h2><p>Nurses led most virtual ward rounds by video.</p></main></body></html>",
    )
    .unwrap();
    std::fs::write(
        b.join("plan.pdf"),
        pdf_bytes(&[
            &["The elective recovery plan sets targets for waiting lists."],
            &["Diagnostic centres opened in community settings across England."],
        ]),
    )
    .unwrap();
    for folder in ["briefings", "reports"] {
        index_into_idx(dir, folder);
    }
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn show_gives_the_passage_with_its_neighbours_and_where_to_open_it() {
    let dir = tempfile::tempdir().unwrap();
    library(dir.path());
    let hit = query_json(dir.path(), "shared discharge fund", 1)["hits"][0].clone();
    let id = hit["passage_id"].as_str().unwrap();
    assert!(id.ends_with("winter.txt#2"), "{id}");

    let out = run(
        dir.path(),
        &["show", id, "--index", "idx", "-C", "1", "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["quote"], PARAGRAPHS[2]);
    assert_eq!(shown["before"][0]["quote"], PARAGRAPHS[1]);
    assert_eq!(shown["after"][0]["quote"], PARAGRAPHS[3]);
    assert_eq!(shown["before"].as_array().unwrap().len(), 1);
    assert_eq!(shown["open"]["line"], 5);

    // For people: citation, path:line to open, the passage marked, its
    // neighbours; the words asked for in bold when colour is on.
    let out = run(
        dir.path(),
        &[
            "show",
            id,
            "--index",
            "idx",
            "-C",
            "1",
            "--highlight",
            "discharge",
            "--color",
            "always",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("winter.txt:5"), "{text}");
    assert!(text.contains("\x1b[1mdischarge\x1b[0m"), "{text}");
    for p in &PARAGRAPHS[1..4] {
        assert!(text.contains(&p[..30]), "{p} missing from\n{text}");
    }
    assert!(!text.contains(&PARAGRAPHS[0][..30]), "{text}");

    // The id human results show is the one `show` takes.
    let out = run(
        dir.path(),
        &[
            "query",
            "shared discharge fund",
            "--index",
            "idx",
            "-n",
            "1",
        ],
    );
    let first = String::from_utf8(out.stdout).unwrap();
    let shown_id = first
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap()
        .to_string();
    assert_eq!(shown_id, id, "{first}");

    // A PDF passage opens at its page.
    let pdf = query_json(dir.path(), "diagnostic centres", 1)["hits"][0].clone();
    let out = run(
        dir.path(),
        &[
            "show",
            pdf["passage_id"].as_str().unwrap(),
            "--index",
            "idx",
            "--json",
        ],
    );
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["open"]["page"], 2);
    assert!(
        shown["open"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("plan.pdf#page=2"),
        "{shown}"
    );
}

#[test]
fn show_says_when_an_id_is_unknown_or_malformed() {
    let dir = tempfile::tempdir().unwrap();
    library(dir.path());
    let out = run(
        dir.path(),
        &["show", "briefings/nothing.txt#0", "--index", "idx"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no passage"), "{}", stderr(&out));
    let out = run(dir.path(), &["show", "no-number", "--index", "idx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a passage id"),
        "{}",
        stderr(&out)
    );
    let out = run(dir.path(), &["show", "x#1", "--index", "missing"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn export_round_trips_every_passage_and_citation() {
    let dir = tempfile::tempdir().unwrap();
    library(dir.path());
    let idx = dir.path().join("idx");
    let idx = idx.to_str().unwrap();
    let out = run(dir.path(), &["export", "--index", idx]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let records = lines(&out);

    let status = run(dir.path(), &["status", "--index", idx, "--json"]);
    let status: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(records.len() as u64, status["passages"].as_u64().unwrap());

    let ids: HashSet<&str> = records
        .iter()
        .map(|r| r["passage_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), records.len(), "passage ids are unique");
    let formats: HashSet<&str> = records
        .iter()
        .map(|r| r["path"].as_str().unwrap().rsplit('.').next().unwrap())
        .collect();
    assert_eq!(formats.len(), 4, "{formats:?}");

    for r in &records {
        // Self-contained: absolute paths, whatever folder export ran in.
        let path = r["path"].as_str().unwrap();
        assert!(Path::new(path).is_absolute(), "{r}");
        assert_eq!(r["source"], r["path"]);
        assert!(r["passage_id"].as_str().unwrap().starts_with(path), "{r}");
        let collection = r["collection"].as_str().unwrap();
        assert!(path.contains(&format!("/{collection}/")), "{r}");
        // Quotes of text files are their bytes.
        if r["offsets"] == "file" {
            let bytes = std::fs::read(path).unwrap();
            let (s, e) = (
                r["byte_start"].as_u64().unwrap() as usize,
                r["byte_end"].as_u64().unwrap() as usize,
            );
            assert_eq!(r["quote"].as_str().unwrap().as_bytes(), &bytes[s..e]);
        }
        // Each is the passage `show` gives for its id, with the same
        // citation but for the path, which `show` gives relative to the
        // working folder.
        let out = run(
            dir.path(),
            &[
                "show",
                r["passage_id"].as_str().unwrap(),
                "--index",
                idx,
                "-C",
                "0",
                "--json",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{r}: {}", stderr(&out));
        let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
        for field in [
            "quote",
            "title",
            "heading",
            "page",
            "page_label",
            "line_start",
            "line_end",
            "byte_start",
            "byte_end",
            "offsets",
        ] {
            assert_eq!(r[field], shown[field], "{field} of {r}");
        }
        let shown_source = shown["source"].as_str().unwrap();
        assert!(path.ends_with(shown_source), "{shown}");
        assert_eq!(
            r["citation"].as_str().unwrap(),
            shown["citation"]
                .as_str()
                .unwrap()
                .replace(shown_source, path)
        );
    }

    // One collection only.
    let out = run(dir.path(), &["export", "--index", idx, "--in", "reports"]);
    let reports = lines(&out);
    assert!(!reports.is_empty());
    assert!(reports.iter().all(|r| r["collection"] == "reports"));
    assert_eq!(
        reports.len(),
        records
            .iter()
            .filter(|r| r["collection"] == "reports")
            .count()
    );
    let out = run(dir.path(), &["export", "--index", idx, "--in", "nothing"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}
