//! Passage splitting at scale: a document of 100,000 paragraphs with
//! repeats indexes in linear time, and a repeated paragraph is kept once.

mod common;

use std::fmt::Write as _;
use std::process::Stdio;
use std::time::Duration;

use common::{bin, query_json, quotes, run};
use wait_timeout::ChildExt;

/// Only a hang detector: the file indexes in seconds even in a debug build.
const HANG: Duration = Duration::from_secs(120);

const REPEATED: &str = "The sentinel paragraph on hospital discharge funding is repeated \
                        throughout this board report.";

#[test]
fn hundred_thousand_paragraphs_with_repeats_index_and_keep_one_copy() {
    let dir = tempfile::tempdir().unwrap();
    // Every paragraph opens with the same words, every tenth is the same
    // paragraph, and every tenth after that quotes a sentence of the one
    // before it: the shapes that made pull-quote removal quadratic.
    let mut text = String::new();
    let mut last = String::new();
    for i in 0..100_000 {
        match i % 10 {
            0 => text.push_str(REPEATED),
            5 => text.push_str(&last),
            _ => {
                last = format!("The integrated care board agreed item {i} of its plan.");
                write!(
                    text,
                    "The integrated care board agreed that paragraph {i} follows. {last} \
                     It noted {i} more."
                )
                .unwrap();
            }
        }
        text.push_str("\n\n");
    }
    std::fs::write(dir.path().join("report.txt"), &text).unwrap();

    let mut child = bin()
        .current_dir(dir.path())
        .args(["index", "report.txt", "--index", "idx", "--no-progress"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let Some(status) = child.wait_timeout(HANG).unwrap() else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("indexing 100,000 paragraphs took over {HANG:?}");
    };
    assert!(status.success());

    // 80,000 distinct paragraphs and one copy of the repeated one; the
    // 10,000 pull quotes are gone.
    let out = run(dir.path(), &["status", "--index", "idx", "--json"]);
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["passages"], 80_001, "{status}");

    // The title (the first paragraph) matches every passage's context, so
    // look at the quotes: the repeated paragraph is one of them, once.
    let results = query_json(dir.path(), "sentinel discharge funding", 50);
    let found = quotes(&results);
    assert_eq!(
        found.iter().filter(|q| *q == REPEATED).count(),
        1,
        "{found:?}"
    );
    assert_eq!(found[0], REPEATED);
    assert_eq!(results["hits"][0]["line_start"], 1);
    assert_eq!(results["hits"][0]["sources"].as_array().unwrap().len(), 1);

    // A pull quote is gone, the paragraph it came from is there.
    let results = query_json(dir.path(), "\"agreed item 4 of its plan\"", 10);
    let found = quotes(&results);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("The integrated care board agreed that paragraph 4 follows."));
}
