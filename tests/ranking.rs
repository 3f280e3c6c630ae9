//! JSON Lines collections, batch runs in TREC format, and evaluation.

mod common;

use std::path::Path;

use common::*;

const CORPUS: &str = r#"{"_id": "d1", "title": "Virtual wards", "text": "Virtual wards let patients receive hospital-level care at home, with remote monitoring by clinicians."}
{"_id": "d2", "title": "Dorset workforce", "text": "The Dorset Passport lets staff move between organisations without repeating induction."}
this line is not a record
{"_id": "d3", "title": "Elective recovery", "text": "Elective recovery plans cut waiting lists through surgical hubs and extra theatre sessions."}
{"_id": 4, "title": "Provider collaboratives", "text": "Provider collaboratives bring trusts together to plan services at scale."}
"#;

fn collection(dir: &Path) {
    std::fs::write(dir.join("corpus.jsonl"), CORPUS).unwrap();
    std::fs::write(
        dir.join("queries.tsv"),
        "query-id\ttext\nq1\tvirtual wards at home\nq2\tDorset Passport staff\nq3\tsurgical hubs waiting lists\nq4\tunrelated zebra words\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("queries.jsonl"),
        "{\"_id\": \"q1\", \"text\": \"virtual wards at home\"}\n{\"_id\": \"q2\", \"text\": \"Dorset Passport staff\"}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("qrels.tsv"),
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t2\nq3\td3\t1\nq4\td9\t1\n",
    )
    .unwrap();
}

#[test]
fn jsonl_records_are_documents() {
    let dir = tempfile::tempdir().unwrap();
    collection(dir.path());
    let out = run(dir.path(), &["index", "corpus.jsonl", "--index", "idx"]);
    assert_eq!(out.status.code(), Some(0));
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("4 passages"), "{summary}");
    let warning = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        warning.trim(),
        "warning: corpus.jsonl: 1 line is not a JSON record with \"_id\" and \"text\" (first: line 3); skipped"
    );
    let r = query_json(dir.path(), "Dorset Passport", 1);
    let hit = &r["hits"][0];
    assert_eq!(hit["doc_id"], "d2");
    assert_eq!(hit["passage_id"], "d2#0");
    assert_eq!(hit["title"], "Dorset workforce");
    assert_eq!(hit["source"], "corpus.jsonl");
    assert_eq!(hit["line_start"], 2);
    assert_eq!(hit["offsets"], "extracted");
    assert_eq!(
        hit["quote"],
        "The Dorset Passport lets staff move between organisations without repeating induction."
    );
    let numeric = query_json(dir.path(), "provider collaboratives", 1);
    assert_eq!(numeric["hits"][0]["doc_id"], "4");
}

#[test]
fn batch_queries_write_a_trec_run() {
    let dir = tempfile::tempdir().unwrap();
    collection(dir.path());
    index_into_idx(dir.path(), "corpus.jsonl");
    for queries in ["queries.tsv", "queries.jsonl"] {
        let out = run(
            dir.path(),
            &[
                "query", "--batch", queries, "--format", "trec", "-n", "3", "--index", "idx",
                "--tag", "mine",
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let run_text = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<Vec<&str>> = run_text.lines().map(|l| l.split(' ').collect()).collect();
        assert!(!lines.is_empty());
        for l in &lines {
            assert_eq!(l.len(), 6, "{l:?}");
            assert_eq!(l[1], "Q0");
            assert_eq!(l[5], "mine");
            assert!(l[4].parse::<f32>().is_ok());
        }
        let first = |q: &str| {
            lines
                .iter()
                .find(|l| l[0] == q && l[3] == "1")
                .map(|l| l[2])
        };
        assert_eq!(first("q1"), Some("d1"));
        assert_eq!(first("q2"), Some("d2"));
        // Ranks count up from 1 and scores go down within a query.
        let q1: Vec<&Vec<&str>> = lines.iter().filter(|l| l[0] == "q1").collect();
        for (i, l) in q1.iter().enumerate() {
            assert_eq!(l[3], (i + 1).to_string());
        }
        assert!(q1
            .windows(2)
            .all(|w| w[0][4].parse::<f32>().unwrap() >= w[1][4].parse::<f32>().unwrap()));
    }
    let text = run(
        dir.path(),
        &["query", "--batch", "queries.tsv", "--index", "idx"],
    );
    assert_eq!(text.status.code(), Some(2), "--batch without --format trec");
}

#[test]
fn a_batch_warns_about_a_query_it_cannot_run_and_answers_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    collection(dir.path());
    std::fs::write(
        dir.path().join("odd.tsv"),
        "q1\tvirtual wards / at home\nq9\t!!! ???\n",
    )
    .unwrap();
    index_into_idx(dir.path(), "corpus.jsonl");
    let out = run(
        dir.path(),
        &[
            "query", "--batch", "odd.tsv", "--format", "trec", "--index", "idx",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("warning: query q9: "), "{err}");
    let first = String::from_utf8(out.stdout).unwrap();
    assert!(first.starts_with("q1 Q0 d1 1 "), "{first}");
}

#[test]
fn eval_prints_trec_eval_measures() {
    let dir = tempfile::tempdir().unwrap();
    collection(dir.path());
    index_into_idx(dir.path(), "corpus.jsonl");
    let out = run(
        dir.path(),
        &[
            "eval",
            "--queries",
            "queries.tsv",
            "--qrels",
            "qrels.tsv",
            "--index",
            "idx",
            "--json",
            "--run",
            "out.run",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // q1–q3 are answered first; q4's only relevant document does not exist,
    // so it scores 0 and the means over the 4 judged queries are 3/4.
    assert_eq!(m["queries"], 4);
    for key in ["ndcg_10", "recall_100", "map", "mrr_10"] {
        let v = m[key].as_f64().unwrap();
        assert!((v - 0.75).abs() < 1e-9, "{key} = {v}");
    }
    assert!(std::fs::read_to_string(dir.path().join("out.run"))
        .unwrap()
        .contains("q1 Q0 d1 1 "));
    let human = run(
        dir.path(),
        &[
            "eval",
            "--queries",
            "queries.tsv",
            "--qrels",
            "qrels.tsv",
            "--index",
            "idx",
        ],
    );
    let text = String::from_utf8(human.stdout).unwrap();
    for label in ["nDCG@10", "Recall@100", "MAP", "MRR@10"] {
        assert!(text.contains(label), "{text}");
    }
}

#[test]
fn seeds_documents_rank_as_their_passages_do() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    std::fs::write(
        dir.path().join("q.tsv"),
        "1\tDorset Passport\n2\tsix blended payment models\n",
    )
    .unwrap();
    let out = run(
        dir.path(),
        &[
            "query", "--batch", "q.tsv", "--format", "trec", "-n", "1", "--index", "idx",
        ],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("1 Q0 seeds/004_3e4b89af7cfd2ffb.txt 1 "),
        "{text}"
    );
    assert!(
        text.contains("2 Q0 seeds/003_4b6de29c8b9f9378.txt 1 "),
        "{text}"
    );
}

/// A collection of many documents of several paragraphs each, drawn from a
/// small vocabulary so that documents and passages score in many ways.
fn varied_collection(dir: &Path) {
    const WORDS: [&str; 24] = [
        "waiting",
        "lists",
        "elective",
        "recovery",
        "workforce",
        "nursing",
        "district",
        "integrated",
        "care",
        "boards",
        "funding",
        "capital",
        "primary",
        "community",
        "mental",
        "health",
        "discharge",
        "delays",
        "social",
        "winter",
        "pressures",
        "virtual",
        "wards",
        "prevention",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut corpus = String::new();
    for d in 0..150 {
        let paragraphs: Vec<String> = (0..1 + next(4))
            .map(|_| {
                let words: Vec<&str> = (0..8 + next(40))
                    .map(|_| WORDS[next(WORDS.len())])
                    .collect();
                format!("{}.", words.join(" "))
            })
            .collect();
        let title: Vec<&str> = (0..2).map(|_| WORDS[next(WORDS.len())]).collect();
        corpus.push_str(&format!(
            "{{\"_id\": \"d{d}\", \"title\": \"{}\", \"text\": \"{}\"}}\n",
            title.join(" "),
            paragraphs.join("\\n\\n")
        ));
    }
    std::fs::write(dir.join("corpus.jsonl"), corpus).unwrap();
}

/// What a user sees is what is measured: the documents of `query`'s
/// passages, in order of first appearance, are the documents `--batch`
/// (and so `eval`) ranks, in its order.
#[test]
fn query_shows_documents_in_the_order_batch_ranks_them() {
    let dir = tempfile::tempdir().unwrap();
    varied_collection(dir.path());
    index_into_idx(dir.path(), "corpus.jsonl");
    let queries = [
        "waiting lists",
        "elective recovery funding",
        "district nursing workforce",
        "integrated care boards capital",
        "mental health discharge delays",
        "winter pressures",
        "virtual wards community prevention",
        "\"social care\"",
        "health -winter",
        "primary care +funding",
    ];
    let lines: String = queries
        .iter()
        .enumerate()
        .map(|(i, q)| format!("q{i}\t{q}\n"))
        .collect();
    std::fs::write(dir.path().join("queries.tsv"), lines).unwrap();
    let out = run(
        dir.path(),
        &[
            "query",
            "--batch",
            "queries.tsv",
            "--format",
            "trec",
            "-n",
            "40",
            "--index",
            "idx",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let run_text = String::from_utf8(out.stdout).unwrap();
    for (i, q) in queries.iter().enumerate() {
        let batch: Vec<&str> = run_text
            .lines()
            .map(|l| l.split(' ').collect::<Vec<_>>())
            .filter(|l| l[0] == format!("q{i}"))
            .map(|l| l[2])
            .collect();
        let shown = query_json(dir.path(), q, 400);
        let mut seen = Vec::new();
        for hit in shown["hits"].as_array().unwrap() {
            for loc in std::iter::once(hit).chain(hit["sources"].as_array().unwrap()) {
                let id = loc["doc_id"].as_str().unwrap().to_string();
                if !seen.contains(&id) {
                    seen.push(id);
                }
            }
        }
        let m = seen.len().min(batch.len());
        assert!(m >= 10, "{q}: only {m} documents to compare");
        assert_eq!(seen[..m], batch[..m], "{q}");
    }
}

/// A document whose title names what is searched for is ranked even when
/// its text writes it another way: its passages match through the title,
/// so it must not wait behind every document whose text has the query's
/// other, commoner word.
#[test]
fn a_document_found_only_through_its_title_is_ranked() {
    let dir = tempfile::tempdir().unwrap();
    let mut corpus = String::from(
        "{\"_id\": \"luc\", \"title\": \"A p16INK4a-Luciferase model\", \"text\": \"A knock-in mouse reports the expression of p16(INK4a), a tumour suppressor, through luminescence.\"}\n",
    );
    for i in 0..12 {
        corpus.push_str(&format!(
            "{{\"_id\": \"s{i}\", \"title\": \"Cells {i}\", \"text\": \"Senescence of cells in culture number {i} was measured with a stain.\"}}\n"
        ));
    }
    std::fs::write(dir.path().join("corpus.jsonl"), corpus).unwrap();
    index_into_idx(dir.path(), "corpus.jsonl");
    std::fs::write(dir.path().join("queries.tsv"), "q1\tp16INK4a senescence\n").unwrap();
    let out = run_ok(
        dir.path(),
        &[
            "query",
            "--batch",
            "queries.tsv",
            "--format",
            "trec",
            "-n",
            "3",
            "--index",
            "idx",
        ],
    );
    let first = out.lines().next().unwrap_or_default();
    assert!(first.starts_with("q1 Q0 luc 1 "), "{out}");
    let shown = query_json(dir.path(), "p16INK4a senescence", 3);
    assert_eq!(shown["hits"][0]["doc_id"], "luc", "{shown}");
}

/// A batch runs its queries side by side on every core, yet writes them in
/// the order of the file, each ranked as it would be alone.
#[test]
fn a_batch_on_several_threads_answers_in_order_as_queries_alone() {
    let dir = tempfile::tempdir().unwrap();
    varied_collection(dir.path());
    index_into_idx(dir.path(), "corpus.jsonl");
    let words = [
        "waiting lists",
        "elective recovery",
        "district nursing",
        "integrated care boards",
        "mental health",
        "winter pressures",
        "virtual wards",
        "social care",
    ];
    let queries: Vec<String> = (0..40)
        .map(|i| {
            format!(
                "{} {}",
                words[i % words.len()],
                words[(i * 3 + 1) % words.len()]
            )
        })
        .collect();
    let file: String = queries
        .iter()
        .enumerate()
        .map(|(i, q)| format!("q{i}\t{q}\n"))
        .collect();
    std::fs::write(dir.path().join("all.tsv"), file).unwrap();
    let batch = |file: &str| {
        run_ok(
            dir.path(),
            &[
                "query", "--batch", file, "--format", "trec", "-n", "5", "--index", "idx",
            ],
        )
    };
    let all = batch("all.tsv");
    let ids: Vec<&str> = all.lines().map(|l| l.split(' ').next().unwrap()).collect();
    let mut in_order = ids.clone();
    in_order.dedup();
    let expected: Vec<String> = (0..40).map(|i| format!("q{i}")).collect();
    assert_eq!(in_order, expected, "{all}");
    for i in [0, 17, 39] {
        std::fs::write(
            dir.path().join("one.tsv"),
            format!("q{i}\t{}\n", queries[i]),
        )
        .unwrap();
        let alone = batch("one.tsv");
        let together: String = all
            .lines()
            .filter(|l| l.starts_with(&format!("q{i} ")))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(alone, together);
    }
}

/// For a query of a few words, the paragraph that has all of them comes
/// before paragraphs that repeat some of them, in `query` and `--batch`
/// alike, even when its document is long and about other things.
#[test]
fn a_passage_with_every_word_of_a_short_query_comes_first() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir_all(&lib).unwrap();
    std::fs::write(
        lib.join("access.txt"),
        "Dental access is poor in coastal towns, and dental access for children is worse \
         than dental access for adults.\n\n\
         Dental practices report that dental access depends on NHS contracts; dental access \
         varies by area.\n\n\
         Access to dental care: dental access surveys show dental waiting times growing.\n",
    )
    .unwrap();
    let mut board: String = (0..12)
        .map(|i| {
            format!(
                "Section {i}: the board reviewed estates, finance, workforce and governance \
                 reports for quarter {i}, with capital budgets and maintenance backlogs \
                 discussed at length.\n\n"
            )
        })
        .collect();
    board.push_str(
        "The dental access recovery plan commits the system to restoring routine check-ups \
         within two years.\n",
    );
    std::fs::write(lib.join("board.txt"), board).unwrap();
    std::fs::write(
        lib.join("elective.txt"),
        "Recovery of elective activity continues across acute trusts.\n",
    )
    .unwrap();
    index_into_idx(dir.path(), "lib");

    let shown = query_json(dir.path(), "dental access recovery", 3);
    let first = &shown["hits"][0];
    assert!(
        first["quote"]
            .as_str()
            .unwrap()
            .starts_with("The dental access recovery plan"),
        "{first}"
    );
    // The passages with only some of the words follow.
    assert!(shown["hits"][1]["doc_id"]
        .as_str()
        .unwrap()
        .ends_with("access.txt"));

    std::fs::write(dir.path().join("q.tsv"), "q1\tdental access recovery\n").unwrap();
    let out = run_ok(
        dir.path(),
        &[
            "query", "--batch", "q.tsv", "--format", "trec", "--index", "idx",
        ],
    );
    let first_ranked = out.lines().next().unwrap().split(' ').nth(2).unwrap();
    assert!(first_ranked.ends_with("board.txt"), "{out}");
}

/// Numbers below `n` from a fixed seed (xorshift64*): the same on every
/// machine.
fn next(state: &mut u64, n: u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
}

/// `n` made-up words, some far more common than others.
fn words(state: &mut u64, n: u64) -> String {
    (0..n)
        .map(|_| {
            let common = next(state, 10) < 3;
            format!("w{}", next(state, if common { 60 } else { 400 }))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// 300 files of made-up words, each a titled document of 3 to 25
/// paragraphs, under `docs/`; and 60 queries of one to three of the same
/// words, as `id<TAB>text` lines.
fn made_up_collection(dir: &Path) -> String {
    let state = &mut 7u64;
    let docs = dir.join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    for f in 0..300 {
        let mut text = format!("# {}\n\n", words(state, 4));
        for _ in 0..3 + next(state, 23) {
            let length = 30 + next(state, 50);
            text.push_str(&format!("{}.\n\n", words(state, length)));
        }
        // The same acronym defined in many files, written three ways.
        let written = ["Quiet ward zone", "quiet-ward zone", "Quiet Ward Zone area"];
        if f % 7 == 0 {
            let expansion = written[next(state, 3) as usize];
            text.push_str(&format!("The {expansion} (QWZ) {}.\n\n", words(state, 20)));
        }
        std::fs::write(docs.join(format!("d{f:03}.md")), text).unwrap();
    }
    (0..60)
        .map(|q| format!("q{q}\t{}\n", words(state, 1 + q % 3)))
        .collect()
}

#[test]
fn the_same_files_indexed_twice_rank_the_same() {
    // Indexing threads take a file's passages as they come, so where
    // they land differs from one build to the next: the ranking must not
    // depend on it.
    let dir = tempfile::tempdir().unwrap();
    let queries = made_up_collection(dir.path());
    std::fs::write(dir.path().join("q.tsv"), queries).unwrap();
    let runs: Vec<String> = ["a", "b", "c"]
        .iter()
        .map(|idx| {
            run_ok(
                dir.path(),
                &["index", "docs", "--index", idx, "--threads", "2"],
            );
            let run = run_ok(
                dir.path(),
                &[
                    "query", "--batch", "q.tsv", "--format", "trec", "-n", "100", "--index", idx,
                ],
            );
            // What an acronym is also searched as, and how it is written.
            let expanded = run_ok(dir.path(), &["query", "QWZ", "--json", "--index", idx]);
            let expanded: serde_json::Value = serde_json::from_str(&expanded).unwrap();
            format!("{run}{}", expanded["expansions"])
        })
        .collect();
    assert!(runs[0].contains("uiet"), "{}", runs[0]);
    assert!(runs[0].lines().count() > 1000, "{}", runs[0]);
    assert_eq!(runs[0], runs[1], "two builds of the same files rank apart");
    assert_eq!(runs[0], runs[2], "two builds of the same files rank apart");
}
