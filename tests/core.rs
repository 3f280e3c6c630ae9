//! The core loop on the seed documents: index, query, quote, cite.

mod common;

use common::*;

/// Queries whose answers are known from reading the seeds: (query, source file, a phrase of the answer).
const KNOWN: &[(&str, &str, &str)] = &[
    (
        "Dorset Passport",
        "004_3e4b89af7cfd2ffb.txt",
        "'Dorset Passport' supports",
    ),
    (
        "six blended payment models",
        "003_4b6de29c8b9f9378.txt",
        "managing six blended payment models",
    ),
    (
        "anchor institutions",
        "000_71aee3dbbd5e3e66.txt",
        "\"anchor\" institutions",
    ),
    (
        "Integrating care engagement exercise",
        "001_84c42f2c11fb1892.txt",
        "engagement exercise on the future of system working",
    ),
    (
        "honest broker",
        "002_e1e7438b0e38e2f4.txt",
        "there is the need for an honest broker",
    ),
    (
        "Skipton Towers",
        "003_4b6de29c8b9f9378.txt",
        "without any current agreement within Skipton Towers",
    ),
];

#[test]
fn known_answers_come_first() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    for (query, file, phrase) in KNOWN {
        let r = query_json(dir.path(), query, 5);
        let top = &r["hits"][0];
        assert!(
            top["source"].as_str().unwrap().ends_with(file),
            "{query}: top hit from {}",
            top["source"]
        );
        assert!(
            top["quote"].as_str().unwrap().contains(phrase),
            "{query}: top quote {}",
            top["quote"]
        );
        assert_eq!(top["rank"], 1);
    }
}

#[test]
fn every_quote_is_verbatim_with_right_lines() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    for query in [
        "Dorset Passport",
        "provider collaboratives",
        "integrated care boards",
        "ICS",
        "A&E",
        "population health management",
        "\"place-based partnerships\"",
        "health -care",
        "Improving population health",
        "Chris Ham",
        "NHSE/I",
    ] {
        let r = query_json(dir.path(), query, 50);
        assert!(r["total_hits"].as_u64().unwrap() > 0, "{query}: no hits");
        assert_hits_are_verbatim(dir.path(), &r);
    }
}

#[test]
fn pull_quotes_appear_once() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    // Seed 004 repeats sentences of its paragraphs as pull quotes; seed 002
    // puts a pull quote before the paragraph it comes from.
    for (query, sentence) in [
        (
            "contributors describe improvements in population health management",
            "Our contributors describe improvements in population health management and outcomes as the prime objective",
        ),
        ("stewards on the integration journey", "The ICBs are stewards on the integration journey"),
        (
            "strong relationships universally described",
            "Strong relationships are almost universally described as one of the key drivers",
        ),
    ] {
        let r = query_json(dir.path(), query, 100);
        let containing = quotes(&r).iter().filter(|q| q.contains(sentence)).count();
        assert_eq!(containing, 1, "{sentence:?} appears in {containing} passages");
    }
    let all = quotes(&query_json(dir.path(), "health", 1000));
    let mut unique = all.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(all.len(), unique.len(), "duplicate passages returned");
}

#[test]
fn bullets_stay_with_their_introduction_and_headings_are_not_passages() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let r = query_json(dir.path(), "Tackling unequal outcomes and access", 3);
    let top = r["hits"][0]["quote"].as_str().unwrap();
    assert!(top.starts_with("Though the core founding members"), "{top}");
    assert!(top.contains("• Helping the NHS to support broader social and economic development."));
    // "Flexibility is key" is a heading: not a passage of its own, but the
    // label of the passages below it.
    let r = query_json(dir.path(), "flexibility is key", 10);
    for q in quotes(&r) {
        assert_ne!(q, "Flexibility is key");
    }
    let r = query_json(
        dir.path(),
        "functions of place-based partnerships determined locally",
        1,
    );
    let hit = &r["hits"][0];
    assert!(
        hit["quote"]
            .as_str()
            .unwrap()
            .starts_with("The functions of place-based partnerships"),
        "{hit}"
    );
    assert_eq!(hit["heading"], "Flexibility is key", "{hit}");
}

#[test]
fn short_queries_rank_passages_with_all_words_first() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let r = query_json(dir.path(), "pooled budgets Nottinghamshire", 10);
    let hits = r["hits"].as_array().unwrap();
    let has_all = |h: &serde_json::Value| {
        let q = h["quote"].as_str().unwrap().to_lowercase();
        q.contains("pooled budget") && q.contains("nottinghamshire")
    };
    let first_partial = hits.iter().position(|h| !has_all(h)).unwrap_or(hits.len());
    assert!(first_partial >= 1, "top hit lacks a word");
    assert!(
        hits[first_partial..].iter().all(|h| !has_all(h)),
        "a full match ranked below a partial one"
    );
}

#[test]
fn json_shape_is_stable() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let r = query_json(dir.path(), "provider collaboratives", 2);
    let top: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
    for key in ["query", "total_hits", "hits"] {
        assert!(top.contains(&key), "missing {key}");
    }
    assert_eq!(r["query"], "provider collaboratives");
    let hit = r["hits"][0].as_object().unwrap();
    for key in [
        "rank",
        "score",
        "doc_id",
        "passage_id",
        "source",
        "title",
        "heading",
        "line_start",
        "line_end",
        "byte_start",
        "byte_end",
        "quote",
        "highlights",
        "offsets",
    ] {
        assert!(hit.contains_key(key), "hit lacks {key}");
    }
    assert_eq!(hit["offsets"], "file");
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    assert!(hit["passage_id"]
        .as_str()
        .unwrap()
        .starts_with(hit["doc_id"].as_str().unwrap()));
    let marked: Vec<String> = highlighted(&r["hits"][0])
        .iter()
        .map(|s| s.to_lowercase())
        .collect();
    assert!(
        marked.iter().any(|m| m.starts_with("provider")),
        "{marked:?}"
    );
    assert!(
        marked.iter().any(|m| m.starts_with("collaborative")),
        "{marked:?}"
    );
    assert_eq!(r["hits"].as_array().unwrap().len(), 2);
}

#[test]
fn exit_codes() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let hit = run(dir.path(), &["query", "Dorset", "--index", "idx"]);
    assert_eq!(hit.status.code(), Some(0));
    let miss = run(dir.path(), &["query", "xylophonequartet", "--index", "idx"]);
    assert_eq!(miss.status.code(), Some(1));
    assert!(miss.stderr.is_empty());
    let bad = run(dir.path(), &["query", "-", "--index", "idx"]);
    assert_eq!(bad.status.code(), Some(2));
    let missing = run(dir.path(), &["query", "Dorset", "--index", "nowhere"]);
    assert_eq!(missing.status.code(), Some(2));
    let usage = run(dir.path(), &["query"]);
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn missing_index_is_one_line_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["query", "Dorset", "--index", "nowhere"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no index at nowhere"), "{err}");
    assert!(err.contains("policy-search index"), "{err}");
    // Without seeds/ nearby, the default index is not built either.
    let out = run(dir.path(), &["query", "Dorset"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no index"));
}

#[test]
fn a_directory_that_is_not_an_index_is_refused_and_left_alone() {
    let dir = workdir_with_seeds();
    let notes = dir.path().join("notes");
    std::fs::create_dir(&notes).unwrap();
    std::fs::write(notes.join("todo.txt"), "keep me").unwrap();
    for args in [
        vec!["index", "seeds", "--index", "notes"],
        vec!["query", "Dorset", "--index", "notes"],
    ] {
        let out = run(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains("is not a policy-search index"), "{err}");
    }
    assert_eq!(
        std::fs::read_to_string(notes.join("todo.txt")).unwrap(),
        "keep me"
    );
    assert_eq!(std::fs::read_dir(&notes).unwrap().count(), 1);
}

#[test]
fn first_query_builds_the_default_index_from_seeds() {
    let dir = workdir_with_seeds();
    let out = run(dir.path(), &["query", "Dorset Passport", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("building one from seeds"), "{err}");
    assert!(dir.path().join("index/meta.json").exists());
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["hits"][0]["source"], "seeds/004_3e4b89af7cfd2ffb.txt");
    // The second query uses the index quietly.
    let again = run(dir.path(), &["query", "Dorset Passport"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(again.stderr.is_empty());
}

#[test]
fn index_directory_from_the_environment() {
    let dir = workdir_with_seeds();
    let out = bin()
        .current_dir(dir.path())
        .env("POLICY_SEARCH_INDEX", "envidx")
        .args(["index", "seeds"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(dir.path().join("envidx/meta.json").exists());
    let q = bin()
        .current_dir(dir.path())
        .env("POLICY_SEARCH_INDEX", "envidx")
        .args(["query", "Dorset"])
        .output()
        .unwrap();
    assert_eq!(q.status.code(), Some(0));
    assert!(
        !dir.path().join("index").exists(),
        "default index built despite the environment"
    );
}

#[test]
fn summary_line_and_no_progress_bar_off_terminal() {
    let dir = workdir_with_seeds();
    let out = run(dir.path(), &["index", "seeds", "--index", "idx"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = String::from_utf8(out.stdout).unwrap();
    assert_eq!(summary.lines().count(), 1);
    assert!(summary.starts_with("indexed 5 files, "), "{summary}");
    for part in [" passages, ", " MB in ", " s (", " MB/s)"] {
        assert!(summary.contains(part), "{summary}");
    }
}

#[test]
fn empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let out = run(dir.path(), &["index", "empty", "--index", "idx"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("indexed 0 files, 0 passages"));
    let q = run(
        dir.path(),
        &["query", "anything", "--index", "idx", "--json"],
    );
    assert_eq!(q.status.code(), Some(1));
    let r: serde_json::Value = serde_json::from_slice(&q.stdout).unwrap();
    assert_eq!(r["total_hits"], 0);
    assert_eq!(r["hits"].as_array().unwrap().len(), 0);
}

#[test]
fn missing_input_path_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["index", "no-such-folder", "--index", "idx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-folder"));
}

#[test]
fn malformed_queries_answer_or_fail_cleanly() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    for q in [
        "\"unbalanced quote",
        "outcomes: place",
        "title:",
        "((provider",
        "provider AND",
        "^2",
        "[a TO b]",
        "*",
        "\"\"",
        ":::",
        "NHSE/I",
        "\u{1}\u{7f}",
        "provider~~",
    ] {
        let out = run(dir.path(), &["query", q, "--index", "idx"]);
        let code = out.status.code();
        assert!(matches!(code, Some(0..=2)), "{q:?}: {code:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{q:?} panicked: {err}");
        if code == Some(2) {
            assert_eq!(err.lines().count(), 1, "{q:?}: {err}");
        }
    }
    let stray = query_json(dir.path(), "outcomes: place", 5);
    assert!(stray["total_hits"].as_u64().unwrap() > 0);
    // A slash between spaced words is a separator, not a regular expression.
    for q in [
        "provider / collaboratives",
        "/collaboratives",
        "ICS / ICB / ICP",
    ] {
        let r = query_json(dir.path(), q, 3);
        assert!(r["total_hits"].as_u64().unwrap() > 0, "{q:?}: {r}");
    }
}

#[test]
fn markdown_citations() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let out = run(
        dir.path(),
        &[
            "query",
            "Dorset Passport",
            "--index",
            "idx",
            "--format",
            "markdown",
            "-n",
            "1",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.starts_with("> Many of our contributors also highlight"),
        "{md}"
    );
    assert!(
        md.contains("`seeds/004_3e4b89af7cfd2ffb.txt`, line 58"),
        "{md}"
    );
    assert!(!md.contains('\x1b'));
}

#[test]
fn human_output_and_colour() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let plain = run(
        dir.path(),
        &["query", "Dorset Passport", "--index", "idx", "-n", "1"],
    );
    let text = String::from_utf8(plain.stdout).unwrap();
    assert!(!text.contains('\x1b'), "colour when not a terminal");
    assert!(
        text.starts_with("[1] seeds/004_3e4b89af7cfd2ffb.txt#15  line 58\n"),
        "{text}"
    );
    assert!(text.contains("'Dorset Passport' supports"));
    assert!(text.contains("1 of 2 matching passages"));

    let forced = run(
        dir.path(),
        &[
            "query",
            "Dorset Passport",
            "--index",
            "idx",
            "-n",
            "1",
            "--color",
            "always",
        ],
    );
    let text = String::from_utf8(forced.stdout).unwrap();
    assert!(text.contains("\x1b[1mDorset\x1b[0m"), "{text}");
}

/// Runs a command under a pseudo-terminal (util-linux `script`), if available.
fn under_terminal(cwd: &std::path::Path, args: &str, no_color: bool) -> Option<String> {
    let script = std::process::Command::new("script")
        .arg("--version")
        .output()
        .ok()?;
    if !script.status.success() {
        return None;
    }
    let cmd = format!("{} {args}", env!("CARGO_BIN_EXE_policy-search"));
    let mut c = std::process::Command::new("script");
    c.current_dir(cwd)
        .args(["-qec", &cmd, "/dev/null"])
        .env_remove("NO_COLOR")
        .env("TERM", "xterm");
    if no_color {
        c.env("NO_COLOR", "1");
    }
    let out = c.output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn no_color_is_respected_on_a_terminal() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let args = "query 'Dorset Passport' --index idx -n 1";
    let Some(coloured) = under_terminal(dir.path(), args, false) else {
        eprintln!("skipping: `script` is not available to provide a terminal");
        return;
    };
    assert!(
        coloured.contains("\x1b[1m"),
        "no bold on a terminal: {coloured:?}"
    );
    let plain = under_terminal(dir.path(), args, true).unwrap();
    assert!(plain.contains("Dorset Passport"), "{plain:?}");
    assert!(
        !plain.contains("\x1b["),
        "colour despite NO_COLOR: {plain:?}"
    );
}

#[test]
fn an_index_from_an_incompatible_version_asks_for_a_rebuild() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let meta_path = dir.path().join("idx/meta.json");
    let meta = std::fs::read_to_string(&meta_path).unwrap();
    std::fs::write(&meta_path, with_format(&meta, 999)).unwrap();
    for args in [
        vec!["query", "Dorset", "--index", "idx"],
        vec!["index", "seeds", "--index", "idx"],
    ] {
        let out = run(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("incompatible version"), "{err}");
        assert!(err.contains("--rebuild"), "{err}");
    }
    // Nothing was overwritten.
    assert!(std::fs::read_to_string(&meta_path)
        .unwrap()
        .contains(r#"\"format\":999"#));
}

#[test]
fn rebuild_replaces_an_incompatible_index() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let meta_path = dir.path().join("idx/meta.json");
    let meta = std::fs::read_to_string(&meta_path).unwrap();
    std::fs::write(&meta_path, with_format(&meta, 999)).unwrap();
    let out = run(
        dir.path(),
        &["index", "--rebuild", "seeds", "--index", "idx"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = query_json(dir.path(), "Dorset Passport", 3);
    assert_eq!(r["total_hits"], 2);
}

/// `meta.json` with the format in its policy-search payload replaced.
fn with_format(meta: &str, format: u32) -> String {
    let key = r#"\"format\":"#;
    let at = meta.find(key).expect("format in payload") + key.len();
    let digits = meta[at..].chars().take_while(char::is_ascii_digit).count();
    format!("{}{format}{}", &meta[..at], &meta[at + digits..])
}
