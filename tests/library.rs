//! Managing the library: `list`, `forget`, collections kept when a
//! subfolder is indexed again, and files of formats not read never passed
//! over in silence.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// `reports/` (with a subfolder, a damaged PDF and two files we do not
/// read) and `notes/`, indexed; returns the summary line of that run.
fn library(dir: &Path) -> String {
    write(
        dir,
        "reports/2024/winter.txt",
        "Winter pressures rose across acute trusts.\n",
    );
    write(
        dir,
        "reports/board.md",
        "# Board report\n\nThe board discussed discharge delays.\n",
    );
    write(dir, "reports/broken.pdf", "this is not a PDF");
    write(
        dir,
        "reports/data.csv",
        "question,answer\nWhat is a virtual ward?,care at home\n",
    );
    write(dir, "reports/scan.PNG", "png");
    write(
        dir,
        "notes/wards.txt",
        "Virtual wards freed hospital beds.\n",
    );
    run_ok(dir, &["index", "reports", "notes", "--index", "idx"])
}

fn list(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["list", "--index", "idx", "--json"];
    args.extend_from_slice(extra);
    run_json(dir, &args)
}

fn entry<'v>(listing: &'v Value, suffix: &str) -> &'v Value {
    listing["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["source"].as_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("{suffix} not listed in {listing}"))
}

#[test]
fn files_not_read_are_counted_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let summary = library(dir.path());
    assert!(
        summary.contains("not read (format not supported): 1 .csv, 1 .png"),
        "{summary}"
    );
    // --verbose names them.
    std::fs::write(dir.path().join("reports/more.csv"), "a,b\n").unwrap();
    let out = run(
        dir.path(),
        &["index", "reports", "--index", "idx", "--verbose"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    for name in ["reports/data.csv", "reports/more.csv", "reports/scan.PNG"] {
        assert!(
            stderr.contains(&format!("not read (format not supported): {name}")),
            "{stderr}"
        );
    }
}

#[test]
fn list_shows_every_file_and_how_it_stands() {
    let dir = tempfile::tempdir().unwrap();
    library(dir.path());
    let all = list(dir.path(), &[]);
    let board = entry(&all, "reports/board.md");
    assert_eq!(board["status"], "indexed");
    assert_eq!(board["collection"], "reports");
    assert_eq!(board["title"], "Board report");
    assert_eq!(board["passages"], 1);
    let broken = entry(&all, "reports/broken.pdf");
    assert_eq!(broken["status"], "failed");
    assert!(!broken["reason"].as_str().unwrap().is_empty());
    assert_eq!(entry(&all, "reports/data.csv")["status"], "unsupported");
    assert_eq!(entry(&all, "notes/wards.txt")["collection"], "notes");
    let collections: Vec<(&str, u64)> = all["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap(),
                c["documents"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(collections, vec![("notes", 1), ("reports", 2)]);

    let notes = list(dir.path(), &["--in", "notes"]);
    assert_eq!(notes["documents"].as_array().unwrap().len(), 1);

    let text = run(dir.path(), &["list", "--index", "idx"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("reports (2 documents, 2 passages)"), "{text}");
    assert!(
        text.contains("reports/data.csv (format not supported)"),
        "{text}"
    );
}

#[test]
fn a_subfolder_indexed_again_stays_in_its_collection() {
    let dir = tempfile::tempdir().unwrap();
    library(dir.path());
    write(
        dir.path(),
        "reports/2024/winter.txt",
        "Winter pressures rose sharply this year.\n",
    );
    write(
        dir.path(),
        "reports/2024/spring.txt",
        "Spring brought shorter waiting lists.\n",
    );
    let out = run(dir.path(), &["index", "reports/2024", "--index", "idx"]);
    assert_eq!(out.status.code(), Some(0));
    let all = list(dir.path(), &[]);
    assert_eq!(
        entry(&all, "reports/2024/winter.txt")["collection"],
        "reports"
    );
    assert_eq!(
        entry(&all, "reports/2024/spring.txt")["collection"],
        "reports"
    );
    let names: Vec<&str> = all["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["notes", "reports"]);
    // Named explicitly, a collection is what it is told.
    let out = run(
        dir.path(),
        &[
            "index",
            "reports/2024",
            "--index",
            "idx",
            "--collection",
            "y2024",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        entry(&list(dir.path(), &[]), "reports/2024/spring.txt")["collection"],
        "y2024"
    );
}

#[test]
fn forget_removes_from_the_index_and_leaves_the_files() {
    let dir = tempfile::tempdir().unwrap();
    library(dir.path());
    assert_eq!(
        query_json(dir.path(), "winter pressures", 5)["total_hits"],
        1
    );

    let out = run(
        dir.path(),
        &["forget", "reports/2024", "--index", "idx", "--json"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let forgotten: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(forgotten["files"].as_array().unwrap().len(), 1);
    assert_eq!(forgotten["passages"], 1);
    assert!(dir.path().join("reports/2024/winter.txt").exists());
    assert_eq!(
        query_json(dir.path(), "winter pressures", 5)["total_hits"],
        0
    );
    assert_eq!(
        query_json(dir.path(), "discharge delays", 5)["total_hits"],
        1
    );

    // A collection, and the folder it came from leaves the indexed paths.
    let out = run(
        dir.path(),
        &["forget", "--collection", "notes", "--index", "idx"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(query_json(dir.path(), "virtual wards", 5)["total_hits"], 0);
    let status = run(dir.path(), &["status", "--index", "idx", "--json"]);
    let status: Value = serde_json::from_slice(&status.stdout).unwrap();
    let roots: Vec<&str> = status["roots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(roots.iter().all(|r| !r.ends_with("/notes")), "{roots:?}");
    assert!(roots.iter().any(|r| r.ends_with("/reports")), "{roots:?}");
    assert_eq!(status["documents"], 1);

    // Nothing there: an error naming what is.
    let out = run(
        dir.path(),
        &["forget", "--collection", "nope", "--index", "idx"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("it has: reports"));
    let out = run(dir.path(), &["forget", "elsewhere", "--index", "idx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing indexed at"));

    // A file deleted from disk can still be forgotten.
    std::fs::remove_file(dir.path().join("reports/board.md")).unwrap();
    let out = run(
        dir.path(),
        &["forget", "reports/board.md", "--index", "idx"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        query_json(dir.path(), "discharge delays", 5)["total_hits"],
        0
    );
}
