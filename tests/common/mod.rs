//! Helpers shared by the integration tests: run the built binary over
//! temporary directories.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The binary under test.
pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_policy-search"));
    cmd.env_remove("POLICY_SEARCH_INDEX").env_remove("NO_COLOR");
    cmd
}

/// The repository's seed documents.
pub fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds")
}

/// A temporary working directory with a copy of `seeds/` in it.
pub fn workdir_with_seeds() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("seeds");
    std::fs::create_dir(&dest).unwrap();
    for entry in std::fs::read_dir(seeds_dir()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dest.join(entry.file_name())).unwrap();
    }
    dir
}

/// Runs `policy-search ARGS` in `cwd`.
pub fn run(cwd: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("run binary")
}

/// Indexes `seeds/` of `cwd` into `cwd/idx`, asserting success.
pub fn index_seeds(cwd: &Path) {
    let out = run(cwd, &["index", "seeds", "--index", "idx"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "index failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs a JSON query against `cwd/idx` and parses the result.
pub fn query_json(cwd: &Path, query: &str, n: usize) -> Value {
    let out = run(
        cwd,
        &[
            "query",
            query,
            "--index",
            "idx",
            "--json",
            "-n",
            &n.to_string(),
        ],
    );
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "query {query:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

/// Asserts that every hit's quote is exactly the bytes of its source file at
/// `[byte_start, byte_end)`, and that its line numbers are those of those bytes.
pub fn assert_hits_are_verbatim(cwd: &Path, results: &Value) {
    for hit in results["hits"].as_array().unwrap() {
        let source = cwd.join(hit["source"].as_str().unwrap());
        let bytes = std::fs::read(&source).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
        let start = hit["byte_start"].as_u64().unwrap() as usize;
        let end = hit["byte_end"].as_u64().unwrap() as usize;
        let quote = hit["quote"].as_str().unwrap();
        assert_eq!(
            &bytes[start..end],
            quote.as_bytes(),
            "quote is not verbatim: {hit}"
        );
        let line_of =
            |offset: usize| bytes[..offset].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        assert_eq!(
            hit["line_start"].as_u64().unwrap(),
            line_of(start),
            "line_start: {hit}"
        );
        assert_eq!(
            hit["line_end"].as_u64().unwrap(),
            line_of(end - 1),
            "line_end: {hit}"
        );
        for h in hit["highlights"].as_array().unwrap() {
            let (s, e) = (
                h[0].as_u64().unwrap() as usize,
                h[1].as_u64().unwrap() as usize,
            );
            assert!(
                s < e && e <= quote.len() && quote.is_char_boundary(s) && quote.is_char_boundary(e)
            );
        }
    }
}

/// The quote text of each hit.
pub fn quotes(results: &Value) -> Vec<String> {
    results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["quote"].as_str().unwrap().to_string())
        .collect()
}

/// The highlighted substrings of a hit.
pub fn highlighted(hit: &Value) -> Vec<String> {
    let quote = hit["quote"].as_str().unwrap();
    hit["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            quote[h[0].as_u64().unwrap() as usize..h[1].as_u64().unwrap() as usize].to_string()
        })
        .collect()
}
