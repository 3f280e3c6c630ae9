//! `POLICY_SEARCH_RANKING` is read strictly: a setting it does not know, one
//! without a value or with a value of the wrong kind stops `query`,
//! `query --batch` and `eval` with one line naming the setting and listing
//! the known ones; good settings still rank.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;

const CORPUS: &str = r#"{"_id": "d1", "title": "Virtual wards", "text": "Virtual wards let patients receive hospital-level care at home, with remote monitoring by clinicians."}
{"_id": "d2", "title": "Dorset workforce", "text": "The Dorset Passport lets staff move between organisations without repeating induction."}
{"_id": "d3", "title": "Elective recovery", "text": "Elective recovery plans cut waiting lists through surgical hubs and extra theatre sessions."}
"#;

/// A small collection with queries and judgements, indexed into `idx`.
fn collection() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("corpus.jsonl"), CORPUS).unwrap();
    std::fs::write(
        d.join("queries.tsv"),
        "q1\tvirtual wards at home\nq2\tDorset Passport staff\n",
    )
    .unwrap();
    std::fs::write(d.join("qrels.tsv"), "q1\td1\t1\nq2\td2\t1\n").unwrap();
    index_into_idx(d, "corpus.jsonl");
    dir
}

const QUERY: &[&str] = &["query", "virtual wards", "--index", "idx"];
const BATCH: &[&str] = &[
    "query",
    "--batch",
    "queries.tsv",
    "--format",
    "trec",
    "--index",
    "idx",
];
const EVAL: &[&str] = &[
    "eval",
    "--queries",
    "queries.tsv",
    "--qrels",
    "qrels.tsv",
    "--index",
    "idx",
    "--json",
];

fn run_with(dir: &Path, ranking: &str, args: &[&str]) -> Output {
    bin()
        .current_dir(dir)
        .env("POLICY_SEARCH_RANKING", ranking)
        .args(args)
        .output()
        .expect("run binary")
}

/// Exit 2, one line on stderr saying `expect`, with the known names as hint.
fn assert_refused(out: &Output, expect: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "not one line: {err}");
    assert!(
        err.starts_with("policy-search: error: POLICY_SEARCH_RANKING: "),
        "{err}"
    );
    assert!(err.contains(expect), "{err:?} lacks {expect:?}");
    assert!(
        err.contains("(hint: ") && err.contains("context_weight, expand, correct, k1, b,"),
        "no list of names: {err}"
    );
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_mistaken_setting_stops_query_batch_and_eval() {
    let dir = collection();
    for args in [QUERY, BATCH, EVAL] {
        let out = run_with(dir.path(), "k1=0.9,kl=2", args);
        assert_refused(&out, "unknown setting \"kl\"");
    }
    let out = run_with(dir.path(), "expand", QUERY);
    assert_refused(&out, "setting \"expand\" has no value (write expand=VALUE)");
    let out = run_with(dir.path(), "k1=0.9x", BATCH);
    assert_refused(&out, "setting \"k1\" is \"0.9x\", which is not a number");
    let out = run_with(dir.path(), "feedback_docs=2.5", EVAL);
    assert_refused(&out, "setting \"feedback_docs\" is \"2.5\"");
}

#[test]
fn good_settings_still_rank() {
    let dir = collection();
    for ranking in [
        "",
        "k1=0.9,b=0.4,title_weight=0,feedback_docs=0,expand=0,correct=0",
    ] {
        let query = run_with(dir.path(), ranking, QUERY);
        assert_eq!(
            query.status.code(),
            Some(0),
            "{ranking:?}: {}",
            String::from_utf8_lossy(&query.stderr)
        );
        assert!(String::from_utf8_lossy(&query.stdout).contains("Virtual wards"));
        let batch = run_with(dir.path(), ranking, BATCH);
        assert_eq!(batch.status.code(), Some(0), "{ranking:?}");
        assert!(String::from_utf8_lossy(&batch.stdout).contains("q1 Q0 d1 1 "));
        let eval = run_with(dir.path(), ranking, EVAL);
        assert_eq!(eval.status.code(), Some(0), "{ranking:?}");
        let m: serde_json::Value = serde_json::from_slice(&eval.stdout).unwrap();
        assert_eq!(m["queries"], 2, "{ranking:?}");
    }
}
