//! Queries that could crash, hang or mislead: deep nesting, absurd numbers,
//! costly phrases, odd source globs, foreign glossaries, and text that would
//! drive the terminal. Each gets a clear answer or a one-line error.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use common::*;

const CARE: &str = "Integrated care boards plan care with providers of social care.\n\n\
Primary care networks bring general practices together to deliver care closer to home.\n\n\
The care quality commission inspects care homes and hospital care.\n";

/// A folder `docs/` with a few text files, indexed into `idx`.
fn indexed() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("care.txt"), CARE).unwrap();
    std::fs::write(
        docs.join("dorset.txt"),
        "The Dorset Passport scheme shares records between providers.\n",
    )
    .unwrap();
    index_into_idx(dir.path(), "docs");
    dir
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Exit 2 and exactly one line on stderr, `policy-search: error: ...`, no panic.
fn assert_one_line_error(out: &Output, expect: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "not one line: {err}");
    assert!(err.starts_with("policy-search: error: "), "{err}");
    assert!(err.contains(expect), "{err:?} lacks {expect:?}");
    assert!(!err.contains("panicked"), "{err}");
}

fn batch_file(dir: &Path, lines: &[(&str, &str)]) -> String {
    let text: String = lines.iter().map(|(id, q)| format!("{id}\t{q}\n")).collect();
    std::fs::write(dir.join("queries.tsv"), text).unwrap();
    "queries.tsv".to_string()
}

/// Query ids with at least one result in a TREC run.
fn answered(run: &[u8]) -> Vec<String> {
    let mut ids: Vec<String> = String::from_utf8_lossy(run)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    ids.dedup();
    ids
}

#[test]
fn deeply_nested_queries_are_refused_in_one_line() {
    let dir = indexed();
    // One argument holds at most 128 KiB, so the deepest cases leave their
    // groups unclosed, as the grammar allows.
    for q in [
        format!("{}care{}", "(".repeat(3_000), ")".repeat(3_000)),
        format!("{}care", "(".repeat(100_000)),
        format!("{}care", "NOT ".repeat(3_000)),
        format!("{}care", "NOT ".repeat(30_000)),
        // A slash before NOT is a separator, so these nest too.
        format!("{}care", "/NOT ".repeat(3_000)),
    ] {
        let out = run(dir.path(), &["query", &q, "--index", "idx"]);
        assert_one_line_error(&out, "deep");
    }
    let deep = format!("{}care", "(".repeat(3_000));
    let file = batch_file(
        dir.path(),
        &[
            ("q1", "care homes"),
            ("q2", &deep),
            ("q3", "Dorset Passport"),
        ],
    );
    let out = run(
        dir.path(),
        &[
            "query", "--batch", &file, "--format", "trec", "--index", "idx",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(answered(&out.stdout), vec!["q1", "q3"]);
    assert!(stderr(&out).contains("q2"), "{}", stderr(&out));
}

#[test]
fn absurd_numbers_are_refused_at_the_command_line() {
    let dir = indexed();
    let cwd = dir.path();
    let query = |extra: &[&str]| {
        let mut args = vec!["query", "care", "--index", "idx"];
        args.extend(extra);
        run(cwd, &args)
    };
    for n in [
        "0",
        "1000000000",
        "18446744073709551615",
        "99999999999999999999999",
        "-3",
        "ten",
    ] {
        assert_one_line_error(&query(&[&format!("--limit={n}")]), "--limit");
    }
    assert_one_line_error(&query(&["-n", "10001"]), "at most 10000");
    assert_eq!(query(&["-n", "10000"]).status.code(), Some(0));
    for t in ["0", "100000", "-1", "x"] {
        let out = run(
            cwd,
            &["index", "docs", "--index", "idx", &format!("--threads={t}")],
        );
        assert_one_line_error(&out, "threads");
    }
    for flag in ["--commit-every", "--file-timeout"] {
        for v in ["-1", "0", "NaN", "inf", "-inf", "1e300", "86401", "soon"] {
            let arg = format!("{flag}={v}");
            let out = run(cwd, &["index", "docs", "--index", "idx", &arg]);
            assert_one_line_error(&out, flag);
        }
    }
    let out = run(
        cwd,
        &[
            "index",
            "docs",
            "--index",
            "idx",
            "--threads",
            "2",
            "--commit-every",
            "0.5",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let file = batch_file(cwd, &[("q1", "care")]);
    for k in ["0", "100001", "18446744073709551615"] {
        let out = run(
            cwd,
            &[
                "eval",
                "--queries",
                &file,
                "--qrels",
                &file,
                "--index",
                "idx",
                "-k",
                k,
            ],
        );
        assert_one_line_error(&out, "--depth");
        let out = run(
            cwd,
            &[
                "query", "--batch", &file, "--format", "trec", "--index", "idx", "-n", k,
            ],
        );
        assert_one_line_error(&out, "--limit");
    }
    // Usage mistakes are one line too.
    assert_one_line_error(&run(cwd, &["query", "--index", "idx"]), "required");
    assert_one_line_error(&run(cwd, &["frobnicate"]), "frobnicate");
}

#[test]
fn a_windows_1252_glossary_works_and_a_bad_line_is_skipped_with_a_warning() {
    let dir = indexed();
    let cwd = dir.path();
    std::fs::write(
        cwd.join("gloss.tsv"),
        b"# caf\xe9 glossary \x96 Windows-1252\nDPS\tDorset Passport scheme\nthis line has no tab\n\xc4K\t\xc4rztekammer f\xfcr caf\xe9s\n",
    )
    .unwrap();
    let out = run(
        cwd,
        &[
            "query",
            "DPS",
            "--index",
            "idx",
            "--glossary",
            "gloss.tsv",
            "--json",
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning: ")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].contains("gloss.tsv:3:") && warnings[0].contains("skipped"),
        "{err}"
    );
    // And the expansion the glossary gave is said.
    assert!(
        err.contains("note: also searching \"Dorset Passport scheme\" for \"DPS\""),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["hits"][0]["quote"]
        .as_str()
        .unwrap()
        .contains("Dorset Passport"));
    assert!(
        v["warnings"][0].as_str().unwrap().contains("gloss.tsv:3:"),
        "{v}"
    );
    let out = run(
        cwd,
        &[
            "glossary",
            "ÄK",
            "--index",
            "idx",
            "--glossary",
            "gloss.tsv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Ärztekammer für cafés"));
}

#[test]
fn source_globs_take_any_punctuation_and_folders_and_warn_when_they_match_nothing() {
    let dir = indexed();
    let cwd = dir.path();
    let reports = cwd.join("docs").join("reports");
    std::fs::create_dir(&reports).unwrap();
    let text = "Virtual wards let patients receive hospital care at home.\n";
    std::fs::write(reports.join("“report” 2024.txt"), text).unwrap();
    std::fs::write(reports.join("‹x›.txt"), text).unwrap();
    std::fs::write(cwd.join("docs").join("(draft) v2+$.txt"), text).unwrap();
    index_into_idx(cwd, "docs");
    let sources = |glob: &str| -> (Option<i32>, Vec<String>, String, serde_json::Value) {
        let out = run(
            cwd,
            &[
                "query",
                "virtual wards",
                "--index",
                "idx",
                "--json",
                "--source",
                glob,
            ],
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{glob}: {}", stderr(&out)));
        let mut found: Vec<String> = v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|h| h["sources"].as_array().unwrap().iter())
            .map(|s| s["source"].as_str().unwrap().to_string())
            .collect();
        found.sort();
        (out.status.code(), found, stderr(&out), v)
    };
    let (code, found, err, _) = sources("“report”*");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(found, vec!["docs/reports/“report” 2024.txt"]);
    let (_, found, _, _) = sources("‹x›*");
    assert_eq!(found, vec!["docs/reports/‹x›.txt"]);
    let (_, found, _, _) = sources("(draft) v2+$.txt");
    assert_eq!(found, vec!["docs/(draft) v2+$.txt"]);
    for folder in [
        "reports/",
        "docs/reports/",
        "docs/reports",
        "./docs/reports/",
    ] {
        let (code, found, err, _) = sources(folder);
        assert_eq!(code, Some(0), "{folder}: {err}");
        assert_eq!(
            found,
            vec!["docs/reports/“report” 2024.txt", "docs/reports/‹x›.txt"],
            "{folder}"
        );
    }
    // A glob that matches no file: no hits, and a warning saying why.
    let (code, found, err, v) = sources("minutes/*.txt");
    assert_eq!(code, Some(1));
    assert!(found.is_empty());
    assert!(
        err.contains("\"minutes/*.txt\" matches no indexed file"),
        "{err}"
    );
    assert!(
        v["warnings"][0].as_str().unwrap().contains("minutes/*.txt"),
        "{v}"
    );
    // So does a `source:` in the query; a malformed glob is one error line.
    let out = run(cwd, &["query", "care source:nowhere/", "--index", "idx"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("\"nowhere/\" matches no indexed file"));
    let out = run(
        cwd,
        &["query", "care", "--index", "idx", "--source", "[abc"],
    );
    assert_one_line_error(&out, "bad source pattern");
}

/// A folder where "care" is in every paragraph, many times.
fn care_corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    let words = [
        "care", "home", "board", "quality", "service", "care", "provider", "health", "care",
        "social", "trust", "care", "local", "network",
    ];
    for f in 0..20 {
        let mut text = String::new();
        for p in 0..150 {
            let para: Vec<&str> = (0..60)
                .map(|i| words[(i * 7 + p * 13 + f * 3 + i * i) % words.len()])
                .collect();
            text.push_str(&para.join(" "));
            text.push_str(".\n\n");
        }
        std::fs::write(docs.join(format!("doc{f}.txt")), text).unwrap();
    }
    index_into_idx(dir.path(), "docs");
    dir
}

#[test]
fn a_costly_phrase_ends_in_time_and_a_deadline_stops_any_query() {
    let dir = care_corpus();
    let cwd = dir.path();
    let phrase = format!("\"{}\"~1000", vec!["care"; 30].join(" "));
    let started = Instant::now();
    let out = run(cwd, &["query", &phrase, "--index", "idx", "-n", "3"]);
    let took = started.elapsed();
    // A hang detector, not a speed test: unbounded, this takes minutes.
    assert!(took < Duration::from_secs(30), "took {took:?}");
    match out.status.code() {
        Some(0 | 1) => assert!(stderr(&out).is_empty(), "{}", stderr(&out)),
        _ => assert_one_line_error(&out, "took longer than"),
    }
    // No query outlives its --timeout; the message says what to do.
    let out = run(
        cwd,
        &[
            "query",
            "care home",
            "--index",
            "idx",
            "--timeout",
            "0.000001",
        ],
    );
    assert_one_line_error(&out, "the query took longer than 0.000001 s");
    assert!(stderr(&out).contains("raise --timeout"));
    assert!(out.stdout.is_empty());
    // In a batch, each query that runs out of time is a warning, and the run goes on.
    let file = batch_file(
        cwd,
        &[("q1", "care home"), ("q2", &phrase), ("q3", "quality")],
    );
    let out = run(
        cwd,
        &[
            "query",
            "--batch",
            &file,
            "--format",
            "trec",
            "--index",
            "idx",
            "--timeout",
            "0.000001",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    for q in ["q1", "q2", "q3"] {
        assert!(
            err.contains(&format!("query {q}: the query took longer than")),
            "{err}"
        );
    }
    let out = run(
        cwd,
        &[
            "query", "--batch", &file, "--format", "trec", "--index", "idx",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(answered(&out.stdout).contains(&"q1".to_string()));
    std::fs::write(
        cwd.join("qrels.tsv"),
        "query-id\tcorpus-id\tscore\nq1\tdocs/doc1.txt\t1\n",
    )
    .unwrap();
    let out = run(
        cwd,
        &[
            "eval",
            "--queries",
            &file,
            "--qrels",
            "qrels.tsv",
            "--index",
            "idx",
            "--timeout",
            "0.000001",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out).matches("took longer than").count(),
        3,
        "{}",
        stderr(&out)
    );
}

/// Bytes that must not reach a terminal: ESC, BEL, CR, backspace, DEL, and
/// C1 controls and bidi overrides (as their UTF-8 characters).
fn assert_inert(what: &str, bytes: &[u8]) {
    // Our own styling (bold, colours, reset) is the only escape allowed.
    let mut text = String::from_utf8_lossy(bytes).into_owned();
    for sgr in ["\x1b[1m", "\x1b[0m", "\x1b[35m", "\x1b[32m", "\x1b[2m"] {
        text = text.replace(sgr, "");
    }
    let bad: Vec<char> = text
        .chars()
        .filter(|&c| {
            (c < ' ' && c != '\n' && c != '\t')
                || ('\u{7f}'..='\u{9f}').contains(&c)
                || ('\u{202a}'..='\u{202e}').contains(&c)
        })
        .collect();
    assert!(bad.is_empty(), "{what}: raw {bad:?} in {text:?}");
}

#[test]
fn control_characters_from_files_are_shown_not_sent_to_the_terminal() {
    const HOSTILE: &str = "\u{1b}[2J\u{1b}]52;c;cHduZWQ=\u{7}\u{9b}31m\u{202e}";
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let docs = cwd.join("docs");
    std::fs::create_dir(&docs).unwrap();
    let name = format!("memo{HOSTILE}\r\u{8}\u{7f}.txt");
    let text = format!(
        "Hostile {HOSTILE} memo\n\nThe pilot of virtual wards {HOSTILE} let patients receive hospital care at home, \
         and the evaluation found that most of them preferred it.\u{7}\r\nThe trust will extend it next year.\n"
    );
    std::fs::write(docs.join(&name), &text).unwrap();
    // A file that cannot be indexed, so a warning names it.
    std::fs::write(
        docs.join(format!("bad{HOSTILE}.txt")),
        [0u8, 1, 2, 3, 0, 0x7f],
    )
    .unwrap();
    let out = run(cwd, &["index", "docs", "--index", "idx"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("\\u{1b}[2J"), "{}", stderr(&out));
    assert_inert("index", &out.stdout);
    assert_inert("index warnings", &out.stderr);
    for extra in [
        &["--color", "never"][..],
        &["--color", "always"][..],
        &["--format", "markdown"][..],
    ] {
        let mut args = vec!["query", "virtual wards", "--index", "idx"];
        args.extend(extra);
        let out = run(cwd, &args);
        assert_eq!(out.status.code(), Some(0), "{extra:?}: {}", stderr(&out));
        let shown = String::from_utf8_lossy(&out.stdout);
        assert!(
            shown.contains("\\u{1b}]52;c;cHduZWQ=\\u{7}\\u{9b}"),
            "{shown}"
        );
        assert_inert(&format!("{extra:?} stdout"), &out.stdout);
        assert_inert(&format!("{extra:?} stderr"), &out.stderr);
    }
    // JSON keeps every character exactly.
    let v = query_json(cwd, "virtual wards", 10);
    let hit = &v["hits"][0];
    assert!(hit["quote"].as_str().unwrap().contains(HOSTILE), "{hit}");
    assert!(hit["title"].as_str().unwrap().contains(HOSTILE), "{hit}");
    assert_eq!(hit["source"].as_str().unwrap(), format!("docs/{name}"));
    assert_hits_are_verbatim(cwd, &v);
    assert_eq!(highlighted(hit), vec!["virtual", "wards"]);
    // Status, a query term, and an error naming a path.
    std::fs::write(docs.join(format!("new{HOSTILE}.txt")), "New file.\n").unwrap();
    let out = run(cwd, &["status", "--index", "idx"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("new\\u{1b}[2J"));
    assert_inert("status", &out.stdout);
    let out = run(
        cwd,
        &["query", &format!("wards {HOSTILE}"), "--index", "idx"],
    );
    assert_inert("query echo", &out.stdout);
    assert_inert("query echo", &out.stderr);
    let missing = format!("nowhere{HOSTILE}");
    let out = run(cwd, &["query", "care", "--index", &missing]);
    assert_one_line_error(&out, "nowhere\\u{1b}[2J");
    assert_inert("error", &out.stderr);
    let out = run(
        cwd,
        &[
            "query",
            "care",
            "--index",
            "idx",
            &format!("--limit={HOSTILE}"),
        ],
    );
    assert_one_line_error(&out, "--limit");
    assert_inert("usage error", &out.stderr);
}

#[test]
fn long_queries_of_tabs_line_breaks_or_slashes_answer_promptly() {
    let dir = indexed();
    for (sep, word, n) in [
        ("\r", "0", 15_000),
        ("\t", "0", 15_000),
        ("\n", "0", 15_000),
        ("/", "", 40_000),
    ] {
        let q = format!("{}care", format!("{sep}{word}").repeat(n));
        let started = Instant::now();
        let out = run(
            dir.path(),
            &["query", &q, "--index", "idx", "--timeout", "600"],
        );
        let took = started.elapsed();
        // A hang detector: parsed as they were, these took minutes.
        assert!(took < Duration::from_secs(60), "{sep:?}: took {took:?}");
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{sep:?}: {}",
            stderr(&out)
        );
    }
}
