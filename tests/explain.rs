//! `--explain`: for each hit, the query words it matched and how (as
//! written, another form, prefix, acronym or expansion, corrected), where
//! (its text, or its title or heading), and what its score is made of.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

fn library(dir: &Path) {
    let lib = dir.join("lib");
    std::fs::create_dir_all(&lib).unwrap();
    std::fs::write(
        lib.join("boards.md"),
        "# Running costs\n\nIntegrated care boards must cut their running costs by 30% \
         while collaborating with providers across the system.\n\n\
         The second paragraph says the boards report costs every quarter.\n",
    )
    .unwrap();
    std::fs::write(
        lib.join("other.md"),
        "# Workforce\n\nThe workforce plan sets out recruitment and retention measures \
         for nurses and doctors in every region.\n",
    )
    .unwrap();
    index_into_idx(dir, "lib");
}

fn explained(dir: &Path, query: &str) -> Vec<Value> {
    let r = run_json(
        dir,
        &[
            "query",
            query,
            "--index",
            "idx",
            "--json",
            "-n",
            "5",
            "--explain",
        ],
    );
    r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["explain"].clone())
        .collect()
}

fn how_of(e: &Value) -> Vec<(String, String, String, String)> {
    e["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let s = |k: &str| m[k].as_str().unwrap().to_string();
            (s("query"), s("found"), s("how"), s("field"))
        })
        .collect()
}

#[test]
fn each_hit_says_what_it_matched_and_how() {
    let dir = tempfile::tempdir().unwrap();
    library(dir.path());
    let all = explained(dir.path(), "ICB running cost collab* retantion");
    let top = how_of(&all[0]);
    let has = |q: &str, found: &str, how: &str, field: &str| {
        top.contains(&(q.into(), found.into(), how.into(), field.into()))
    };
    assert!(
        has("ICB", "Integrated care boards", "expansion", "text"),
        "{top:?}"
    );
    assert!(has("cost", "costs", "stem", "text"), "{top:?}");
    assert!(has("running", "running", "literal", "text"), "{top:?}");
    assert!(
        has("running", "Running", "literal", "title_or_heading"),
        "{top:?}"
    );
    assert!(
        top.iter().any(|m| m.0 == "collab*" && m.2 == "prefix"),
        "{top:?}"
    );
    // The typo matched only as corrected, in the other document.
    let corrected: Vec<_> = all
        .iter()
        .flat_map(how_of)
        .filter(|m| m.2 == "correction")
        .collect();
    assert!(
        corrected
            .iter()
            .any(|m| m.0 == "retantion" && m.1 == "retention"),
        "{all:?}"
    );

    // The score's parts: the leading document's best passage.
    let score = &all[0]["score"];
    assert_eq!(score["document"], 1.0);
    assert_eq!(score["later_passage"], 1.0);
    assert!(score["passage"].as_f64().unwrap() > 0.0);
    // A later passage of the same document is damped.
    let later = all.iter().find(|e| {
        e["score"]["later_passage"]
            .as_f64()
            .is_some_and(|d| d < 1.0)
    });
    assert!(later.is_some(), "{all:?}");

    // For people, under each hit.
    let text = run_ok(
        dir.path(),
        &[
            "query",
            "ICB running costs",
            "--index",
            "idx",
            "-n",
            "1",
            "--explain",
        ],
    );
    assert!(
        text.contains("why \"ICB\" → \"Integrated care boards\" (acronym or expansion)"),
        "{text}"
    );
    assert!(text.contains("why score: (document 1.00 + "), "{text}");
    // Not asked for, not there.
    let r = query_json(dir.path(), "ICB running costs", 1);
    assert!(r["hits"][0].get("explain").is_none());
}
