//! Scanned PDF pages (no text layer): counted in the summary, warned about,
//! listed by `status` and `list`, and read by `index --ocr` when tesseract
//! is installed.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;
use serde_json::Value;

fn library(dir: &Path) {
    let lib = dir.join("lib");
    std::fs::create_dir_all(&lib).unwrap();
    let pdf = pdf_with_scans(&[
        PdfPage::Text(&["Discharge planning begins on the day of admission to the ward."]),
        PdfPage::Scan("SCANNED WARD REPORT"),
        PdfPage::Text(&["Community beds were commissioned by the integrated care board."]),
    ]);
    std::fs::write(lib.join("mixed.pdf"), pdf).unwrap();
    let all_scans = pdf_with_scans(&[PdfPage::Scan("SCANNED"), PdfPage::Scan("REPORT")]);
    std::fs::write(lib.join("all-scans.pdf"), all_scans).unwrap();
}

fn index(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["index", "lib", "--index", "idx", "--no-progress"];
    args.extend_from_slice(extra);
    run(dir, &args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn scanned_pages_are_counted_warned_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    library(dir.path());
    let out = index(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let (summary, warnings) = (text(&out.stdout), text(&out.stderr));
    assert!(
        summary.contains("1 scanned pages in 1 files not read (no text layer)"),
        "{summary}"
    );
    assert!(
        warnings.contains(
            "mixed.pdf: 1 scanned page with no text layer not read (page 2); index --ocr reads them with tesseract"
        ),
        "{warnings}"
    );
    assert!(
        warnings.contains("all-scans.pdf: scanned: 2 pages with no text layer (index --ocr reads them with tesseract)"),
        "{warnings}"
    );

    // The text pages are searchable, cited by their page.
    let hits = run_json(
        dir.path(),
        &["query", "community beds", "--index", "idx", "--json"],
    );
    assert_eq!(hits["hits"][0]["page"], 3, "{hits}");

    let status = run_ok(dir.path(), &["status", "--index", "idx"]);
    assert!(
        status.contains("scanned pages not read: 1 in 1 files"),
        "{status}"
    );
    assert!(status.contains("mixed.pdf: page 2"), "{status}");
    assert!(
        status.contains("all-scans.pdf: scanned: 2 pages"),
        "{status}"
    );

    let list = run_json(dir.path(), &["list", "--index", "idx", "--json"]);
    let mixed = list["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["source"].as_str().unwrap().ends_with("mixed.pdf"))
        .unwrap();
    assert_eq!(mixed["unread_pages"], serde_json::json!([2]), "{mixed}");
}

#[test]
fn ocr_without_tesseract_is_an_error_before_indexing() {
    let dir = tempfile::tempdir().unwrap();
    library(dir.path());
    let out = bin()
        .current_dir(dir.path())
        .env("POLICY_SEARCH_TESSERACT", "/nonexistent/tesseract")
        .args(["index", "lib", "--index", "idx", "--ocr"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("--ocr needs tesseract"), "{err}");
    assert!(!dir.path().join("idx").exists(), "an index was created");
}

/// Tesseract runs here, or the test should skip (unless clients are required).
fn tesseract() -> bool {
    let runs = std::process::Command::new("tesseract")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !runs {
        assert!(
            std::env::var_os("POLICY_SEARCH_REQUIRE_CLIENTS").is_none(),
            "tesseract is required here but does not run"
        );
        eprintln!("skipping: tesseract is not installed");
    }
    runs
}

#[test]
fn ocr_reads_scanned_pages_and_a_later_run_reads_what_was_left() {
    if !tesseract() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    library(dir.path());
    let first = index(dir.path(), &[]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));

    // The files are unchanged, but --ocr reads the pages left unread: one
    // page of the mixed file, and both of the one that failed.
    let out = index(dir.path(), &["--ocr"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let summary = text(&out.stdout);
    assert!(summary.contains("OCR read 3 scanned pages"), "{summary}");
    assert!(!summary.contains("not read (no text layer)"), "{summary}");

    let found: Value = run_json(
        dir.path(),
        &[
            "query",
            "scanned report",
            "--index",
            "idx",
            "--json",
            "-n",
            "5",
        ],
    );
    let hits = found["hits"].as_array().unwrap();
    let from = |name: &'static str| {
        hits.iter()
            .filter(move |h| h["source"].as_str().unwrap().ends_with(name))
    };
    // The file that was all scans is searchable now, each page's words
    // cited by its page.
    let report = from("all-scans.pdf")
        .find(|h| h["quote"].as_str().unwrap().contains("REPORT"))
        .unwrap_or_else(|| panic!("no OCR text from all-scans.pdf: {hits:?}"));
    assert_eq!(report["page"], 2, "{report}");
    // The mixed file's scanned page is text now (a heading, by its shape).
    assert!(
        from("mixed.pdf").any(|h| {
            let words = format!("{} {}", h["heading"].as_str().unwrap_or(""), h["quote"]);
            words.contains("SCANNED") && words.contains("REPORT")
        }),
        "no OCR text from mixed.pdf: {hits:?}"
    );

    let status = run_ok(dir.path(), &["status", "--index", "idx"]);
    assert!(!status.contains("scanned pages not read"), "{status}");
}
