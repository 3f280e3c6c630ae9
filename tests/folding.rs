//! The same paragraph in several documents, copied or reworded a little
//! (drafts, reissues, board papers quoting each other), is one hit listing
//! every source, newest first; `--no-fold` shows them apart.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

const PARAGRAPH: &str = "The integrated care board will take on delegated commissioning of \
    pharmacy, optometry and dental services from April 2023, with support from the NHS \
    England regional team during the first year of the new arrangements.";

fn library(dir: &Path) {
    let lib = dir.join("lib");
    std::fs::create_dir_all(&lib).unwrap();
    let write = |name: &str, date: &str, text: &str| {
        std::fs::write(lib.join(name), format!("Board paper\n\n{date}\n\n{text}\n")).unwrap();
    };
    write("board-2022.txt", "March 2022", PARAGRAPH);
    // A reissue with small edits.
    write(
        "board-2024.txt",
        "January 2024",
        &PARAGRAPH
            .replace("April 2023", "July 2023")
            .replace("first year", "first two years"),
    );
    // A copy, spaced and punctuated differently.
    write(
        "minutes-2023.txt",
        "June 2023",
        &PARAGRAPH.replace(", ", " , "),
    );
    // Another paragraph on the same subject.
    write(
        "dental.txt",
        "May 2023",
        "Dental services remain under pressure, and the board will publish a recovery \
         plan for dental access across the system later in the year with local partners.",
    );
    index_into_idx(dir, "lib");
}

fn name(location: &Value) -> String {
    location["path"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn copies_and_versions_fold_into_one_hit_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    library(dir.path());
    let results = query_json(dir.path(), "delegated commissioning pharmacy dental", 10);
    let hits = results["hits"].as_array().unwrap();
    let folded: Vec<&Value> = hits
        .iter()
        .filter(|h| h["sources"].as_array().unwrap().len() > 1)
        .collect();
    assert_eq!(folded.len(), 1, "{results}");
    let hit = folded[0];
    let sources = hit["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 3, "{hit}");
    // Its own source first, then the others newest first.
    assert_eq!(name(&sources[0]), name(hit));
    let rest: Vec<String> = sources[1..].iter().map(name).collect();
    let mut expected: Vec<String> = ["board-2022.txt", "board-2024.txt", "minutes-2023.txt"]
        .into_iter()
        .filter(|n| *n != name(hit))
        .map(String::from)
        .collect();
    expected.sort_by_key(|n| std::cmp::Reverse(n.clone().replace("minutes-", "board-")));
    assert_eq!(rest, expected);
    // Each source keeps its own words, verbatim, and says how alike they are.
    for s in sources {
        let path = s["path"].as_str().unwrap();
        let bytes = std::fs::read(path).unwrap();
        let (a, b) = (
            s["byte_start"].as_u64().unwrap() as usize,
            s["byte_end"].as_u64().unwrap() as usize,
        );
        assert_eq!(s["quote"].as_str().unwrap().as_bytes(), &bytes[a..b]);
        let similarity = s["similarity"].as_f64().unwrap();
        let reworded = name(s) == "board-2024.txt" || name(hit) == "board-2024.txt";
        if reworded && name(s) != name(hit) {
            assert!((0.6..1.0).contains(&similarity), "{s}");
        } else {
            assert_eq!(similarity, 1.0, "{s}");
        }
    }
    // The other paragraph on the subject stays a hit of its own.
    assert!(hits.iter().any(|h| name(h) == "dental.txt"));

    let text = run(
        dir.path(),
        &[
            "query",
            "delegated commissioning pharmacy dental",
            "--index",
            "idx",
        ],
    );
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("also, reworded, in"), "{text}");

    // Apart.
    let apart = query_json_with(
        dir.path(),
        "delegated commissioning pharmacy dental",
        &["--no-fold"],
    );
    let apart = apart["hits"].as_array().unwrap();
    assert_eq!(apart.len(), 4, "{apart:?}");
    assert!(apart
        .iter()
        .all(|h| h["sources"].as_array().unwrap().len() == 1));
}

fn query_json_with(dir: &Path, q: &str, extra: &[&str]) -> Value {
    let mut args = vec!["query", q, "--index", "idx", "--json", "-n", "10"];
    args.extend_from_slice(extra);
    run_json(dir, &args)
}

#[test]
fn a_paragraph_run_together_with_the_next_folds_into_its_clean_copy() {
    // A report converted twice: as Markdown with its paragraphs apart, and
    // as text whose conversion put two of them on one line.
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir_all(&lib).unwrap();
    let next = "Dental access will be reviewed each quarter by the primary care \
        commissioning committee, which reports to the board on waiting times, \
        contract performance and the recovery plan agreed with local partners.";
    std::fs::write(
        lib.join("report.md"),
        format!("# Delegation\n\n{PARAGRAPH}\n\n{next}\n"),
    )
    .unwrap();
    std::fs::write(
        lib.join("report.txt"),
        format!("Delegation\n\n{PARAGRAPH} {next}\n"),
    )
    .unwrap();
    index_into_idx(dir.path(), "lib");
    let r = query_json_with(dir.path(), "delegated commissioning pharmacy", &[]);
    let hits = r["hits"].as_array().unwrap();
    let first = &hits[0];
    let sources: Vec<String> = first["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(name)
        .collect();
    assert_eq!(sources.len(), 2, "{first}");
    assert!(
        sources.contains(&"report.md".to_string()) && sources.contains(&"report.txt".to_string())
    );
    // Neither shows again as a hit of its own with the same words.
    assert!(
        hits[1..].iter().all(|h| !h["quote"]
            .as_str()
            .unwrap()
            .contains("delegated commissioning")),
        "{hits:?}"
    );
}
