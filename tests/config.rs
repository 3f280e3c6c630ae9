//! The configuration file: the default index, collections and their
//! folders, glossaries, and query defaults; `index` with no paths
//! re-indexes the configured collections.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;
use serde_json::Value;

/// Runs the binary in `cwd` with `XDG_CONFIG_HOME` at `home/.config`.
fn run_with(home: &Path, cwd: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(cwd)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("HOME", home)
        .env_remove("POLICY_SEARCH_CONFIG")
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn setup() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    for (rel, text) in [
        (
            "library/boards/a.txt",
            "The QIP board approved the winter plan.\n",
        ),
        (
            "library/boards/b.txt",
            "The winter plan adds virtual ward beds.\n",
        ),
        (
            "library/reports/c.txt",
            "Winter pressures peaked in January.\n",
        ),
        ("acronyms.tsv", "QIP\tquality improvement programme\n"),
    ] {
        let p = h.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let config = h.join(".config/policy-search/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        "index = \"~/policy-index\"\n\
         glossaries = [\"~/acronyms.tsv\"]\n\
         [collections]\n\
         boards = [\"~/library/boards\"]\n\
         papers = [\"~/library/reports\"]\n\
         [query]\n\
         limit = 1\n\
         color = \"never\"\n",
    )
    .unwrap();
    home
}

#[test]
fn index_with_no_paths_indexes_the_configured_collections_into_the_configured_index() {
    let home = setup();
    let h = home.path();
    let elsewhere = tempfile::tempdir().unwrap();
    let cwd = elsewhere.path();
    ok(run_with(h, cwd, &["index"]));
    assert!(h.join("policy-index").is_dir());
    assert!(
        !cwd.join("index").exists(),
        "nothing built where the command ran"
    );

    let status: Value = serde_json::from_str(&ok(run_with(h, cwd, &["status", "--json"]))).unwrap();
    let names: Vec<&str> = status["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["boards", "papers"]);

    // Query defaults: one passage, the configured glossary.
    let r: Value = serde_json::from_str(&ok(run_with(
        h,
        cwd,
        &["query", "quality improvement programme", "--json"],
    )))
    .unwrap();
    assert_eq!(r["hits"].as_array().unwrap().len(), 1);
    assert!(
        r["hits"][0]["quote"].as_str().unwrap().contains("QIP"),
        "{r}"
    );
    // The command line wins.
    let r: Value = serde_json::from_str(&ok(run_with(
        h,
        cwd,
        &["query", "winter", "--json", "-n", "5"],
    )))
    .unwrap();
    assert_eq!(r["hits"].as_array().unwrap().len(), 3);
    let other = cwd.join("other-index");
    ok(run_with(
        h,
        cwd,
        &[
            "index",
            h.join("library/reports").to_str().unwrap(),
            "--index",
            other.to_str().unwrap(),
        ],
    ));
    let r: Value = serde_json::from_str(&ok(run_with(
        h,
        cwd,
        &[
            "query",
            "winter",
            "--json",
            "-n",
            "5",
            "--index",
            other.to_str().unwrap(),
        ],
    )))
    .unwrap();
    assert_eq!(r["hits"].as_array().unwrap().len(), 1);
}

#[test]
fn a_named_file_wins_and_mistakes_are_named() {
    let home = setup();
    let h = home.path();
    let cwd = h;
    let named = h.join("other.toml");
    std::fs::write(&named, "index = \"named-index\"\n").unwrap();
    ok(run_with(
        h,
        cwd,
        &[
            "--config",
            named.to_str().unwrap(),
            "index",
            "library/boards",
        ],
    ));
    assert!(h.join("named-index").is_dir(), "relative to the file");
    assert!(!h.join("policy-index").exists());

    let bad = h.join("bad.toml");
    std::fs::write(&bad, "indx = \"x\"\n").unwrap();
    let out = run_with(h, cwd, &["--config", bad.to_str().unwrap(), "status"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml") && err.contains("indx"), "{err}");
    let out = run_with(
        h,
        cwd,
        &[
            "--config",
            h.join("missing.toml").to_str().unwrap(),
            "status",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.toml"));
}
