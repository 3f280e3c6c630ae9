//! Health-policy query understanding on the seeds: acronyms, compounds,
//! UK/US spelling, typos, phrases, filters, exact highlighting.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

fn seeded() -> tempfile::TempDir {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    dir
}

fn query(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["query"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--index", "idx", "--json"]);
    let out = run(dir, &all);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn hits(v: &Value) -> &Vec<Value> {
    v["hits"].as_array().unwrap()
}

fn lower_marks(hit: &Value) -> Vec<String> {
    highlighted(hit).iter().map(|s| s.to_lowercase()).collect()
}

#[test]
fn acronym_finds_its_expansion() {
    let dir = seeded();
    let r = query(dir.path(), &["PCN", "-n", "5"]);
    let top = &hits(&r)[0];
    let quote = top["quote"].as_str().unwrap().to_lowercase();
    assert!(quote.contains("primary care network"), "{quote}");
    assert!(
        lower_marks(top)
            .iter()
            .any(|m| m.starts_with("primary care network")),
        "{:?}",
        lower_marks(top)
    );
    assert_eq!(r["expansions"][0]["term"], "PCN");
    assert_eq!(r["expansions"][0]["also"][0], "primary care network");
    assert_hits_are_verbatim(dir.path(), &r);
}

#[test]
fn expansion_finds_its_acronym() {
    let dir = seeded();
    let r = query(dir.path(), &["integrated care partnership", "-n", "10"]);
    // A passage that only says "ICPs" is found, and "ICPs" is what is marked.
    let only_acronym = hits(&r)
        .iter()
        .find(|h| {
            let q = h["quote"].as_str().unwrap().to_lowercase();
            q.contains("icps") && !q.contains("integrated care partnership")
        })
        .expect("a passage that uses only the acronym");
    assert!(
        lower_marks(only_acronym).contains(&"icps".to_string()),
        "{:?}",
        lower_marks(only_acronym)
    );
    assert!(r["expansions"][0]["also"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "ICP"));
}

#[test]
fn compounds_are_units() {
    let dir = seeded();
    for (q, file) in [
        ("A&E", "004_3e4b89af7cfd2ffb.txt"),
        ("NHSE/I", "003_4b6de29c8b9f9378.txt"),
        ("COVID-19", "002_e1e7438b0e38e2f4.txt"),
        ("2022/23", "000_71aee3dbbd5e3e66.txt"),
    ] {
        let r = query(dir.path(), &[q, "-n", "5"]);
        let hit = hits(&r)
            .iter()
            .find(|h| h["quote"].as_str().unwrap().contains(q))
            .unwrap_or_else(|| panic!("{q}: no passage with it"));
        assert!(
            hit["source"].as_str().unwrap().ends_with(file),
            "{q}: {}",
            hit["source"]
        );
        assert!(
            highlighted(hit).contains(&q.to_string()),
            "{q}: {:?}",
            highlighted(hit)
        );
    }
    // "A&E" is not "a" and "e" anywhere.
    let r = query(dir.path(), &["A&E", "-n", "50"]);
    for h in hits(&r) {
        assert!(
            h["quote"].as_str().unwrap().contains("A&E")
                || h["quote"]
                    .as_str()
                    .unwrap()
                    .to_lowercase()
                    .contains("accident and emergency")
        );
    }
}

#[test]
fn uk_and_us_spellings_match() {
    let dir = seeded();
    let r = query(dir.path(), &["organizational silos", "-n", "3"]);
    let found = hits(&r).iter().find(|h| {
        h["quote"]
            .as_str()
            .unwrap()
            .contains("organisational silos")
    });
    let hit = found.expect("the passage about organisational silos");
    assert!(
        lower_marks(hit).contains(&"organisational".to_string()),
        "{:?}",
        lower_marks(hit)
    );

    // More variants, in a folder of their own.
    let lib = dir.path().join("variants");
    std::fs::create_dir(&lib).unwrap();
    std::fs::write(
        lib.join("uk.txt"),
        "The paediatric programme at the community centre changed staff behaviour.\n\nThe anaemia clinic was reorganised.\n",
    )
    .unwrap();
    let out = run(dir.path(), &["index", "variants", "--index", "vidx"]);
    assert_eq!(out.status.code(), Some(0));
    for (us, uk) in [
        ("pediatric", "paediatric"),
        ("program", "programme"),
        ("center", "centre"),
        ("behavior", "behaviour"),
        ("anemia", "anaemia"),
        ("reorganized", "reorganised"),
    ] {
        let out = run(dir.path(), &["query", us, "--index", "vidx", "--json"]);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            lower_marks(&v["hits"][0]),
            vec![uk.to_string()],
            "{us} did not find {uk}"
        );
    }
}

#[test]
fn typos_are_corrected_with_a_notice() {
    let dir = seeded();
    let r = query(dir.path(), &["colaboratives", "-n", "3"]);
    assert!(!hits(&r).is_empty());
    assert_eq!(r["corrections"][0]["from"], "colaboratives");
    let to = r["corrections"][0]["to"].as_str().unwrap();
    assert!(to.starts_with("collaborati"), "{to}");
    let human = run(
        dir.path(),
        &["query", "colaboratives", "--index", "idx", "-n", "1"],
    );
    // Said on stderr, in every format, and kept out of the results.
    let said = String::from_utf8(human.stderr).unwrap();
    assert!(said.starts_with("note: showing results for \""), "{said}");
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(text.starts_with("[1] "), "{text}");
    let json = run(
        dir.path(),
        &[
            "query",
            "colaboratives",
            "--index",
            "idx",
            "-n",
            "1",
            "--json",
        ],
    );
    let said = String::from_utf8(json.stderr).unwrap();
    assert!(said.starts_with("note: showing results for \""), "{said}");
    // --exact does not correct.
    let exact = run(
        dir.path(),
        &["query", "colaboratives", "--exact", "--index", "idx"],
    );
    assert_eq!(exact.status.code(), Some(1));
}

#[test]
fn phrases_are_highlighted_only_where_they_occur() {
    let dir = seeded();
    let r = query(dir.path(), &["\"provider collaboratives\"", "-n", "20"]);
    assert!(hits(&r).len() > 3);
    for h in hits(&r) {
        for m in lower_marks(h) {
            assert!(
                // Stemmed: "provider collaboration" is the phrase too; never a lone word.
                m.starts_with("provider collaborat"),
                "marked {m:?} in {}",
                h["quote"]
            );
        }
    }
    // Slop: words between.
    let r = query(dir.path(), &["\"integrated boards\"~1", "-n", "3"]);
    assert!(
        lower_marks(&hits(&r)[0])
            .iter()
            .any(|m| m == "integrated care boards"),
        "{:?}",
        lower_marks(&hits(&r)[0])
    );
}

#[test]
fn exact_switches_off_stemming_spelling_and_expansion() {
    let dir = seeded();
    let exact = run(
        dir.path(),
        &["query", "organization", "--exact", "--index", "idx"],
    );
    assert_eq!(exact.status.code(), Some(1), "exact matched a UK spelling");
    let r = query(dir.path(), &["collaboratives", "--exact", "-n", "50"]);
    assert!(!hits(&r).is_empty());
    for h in hits(&r) {
        for m in lower_marks(h) {
            assert_eq!(m, "collaboratives");
        }
    }
    let stemmed = query(dir.path(), &["collaboratives", "-n", "50"]);
    assert!(stemmed["total_hits"].as_u64() > r["total_hits"].as_u64());
    let r = query(dir.path(), &["PCN", "--exact"]);
    assert_eq!(r["total_hits"], 0);
}

#[test]
fn prefixes_fields_sources_and_exclusions() {
    let dir = seeded();
    let r = query(dir.path(), &["collab*", "-n", "10"]);
    assert!(hits(&r).len() == 10);
    for h in hits(&r) {
        assert!(
            lower_marks(h).iter().all(|m| m.starts_with("collab")),
            "{:?}",
            lower_marks(h)
        );
    }
    let r = query(dir.path(), &["title:Parity", "-n", "50"]);
    assert!(!hits(&r).is_empty());
    for h in hits(&r) {
        assert!(h["source"]
            .as_str()
            .unwrap()
            .ends_with("002_e1e7438b0e38e2f4.txt"));
    }
    let r = query(dir.path(), &["provider", "--source", "*004*", "-n", "50"]);
    assert!(!hits(&r).is_empty());
    assert!(hits(&r).iter().all(|h| h["source"]
        .as_str()
        .unwrap()
        .ends_with("004_3e4b89af7cfd2ffb.txt")));
    let r = query(dir.path(), &["provider source:seeds/000*", "-n", "50"]);
    assert!(!hits(&r).is_empty());
    assert!(hits(&r).iter().all(|h| h["source"]
        .as_str()
        .unwrap()
        .ends_with("000_71aee3dbbd5e3e66.txt")));
    let r = query(dir.path(), &["provider -collaboratives", "-n", "100"]);
    assert!(!hits(&r).is_empty());
    for h in hits(&r) {
        assert!(!h["quote"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("collaborative"));
    }
}

#[test]
fn a_remark_in_brackets_after_an_acronym_is_not_taken_for_its_expansion() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    std::fs::write(
        lib.join("drivers.txt"),
        "Under this interim arrangement, the NHSW (not more than 5 hours before the start of \
         the first journey and every 6 hours while driving) checks glucose.\n\n\
         The National Health Service Wales (NHSW) agreed its plan.\n",
    )
    .unwrap();
    index_into_idx(dir.path(), "lib");
    let g = run(dir.path(), &["glossary", "NHSW", "--index", "idx"]);
    let text = String::from_utf8(g.stdout).unwrap();
    assert!(text.contains("National Health Service Wales"), "{text}");
    assert!(!text.contains("while driving"), "{text}");
    let r = query(dir.path(), &["NHSW"]);
    let expansions = r["expansions"].to_string();
    assert!(
        expansions.contains("National Health Service Wales"),
        "{expansions}"
    );
    assert!(!expansions.contains("while driving"), "{expansions}");
}

#[test]
fn documents_define_their_own_acronyms_and_users_add_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    std::fs::write(
        lib.join("a.txt"),
        "Intro line of the paper.\n\nThe Wessex Integrated Neighbourhood Group (WING) met in March to agree its plan.\n",
    )
    .unwrap();
    std::fs::write(
        lib.join("b.txt"),
        "Later, WING agreed a budget for virtual wards.\n",
    )
    .unwrap();
    std::fs::write(
        lib.join("c.txt"),
        "The zebra quality exchange reported on staffing.\n",
    )
    .unwrap();
    index_into_idx(dir.path(), "lib");

    let r = query(dir.path(), &["Wessex Integrated Neighbourhood Group"]);
    let sources: Vec<&str> = hits(&r)
        .iter()
        .map(|h| h["source"].as_str().unwrap())
        .collect();
    assert!(sources.contains(&"lib/b.txt"), "{sources:?}");

    let g = run(dir.path(), &["glossary", "WING", "--index", "idx"]);
    assert_eq!(g.status.code(), Some(0));
    let text = String::from_utf8(g.stdout).unwrap();
    assert!(
        text.contains("Wessex Integrated Neighbourhood Group") && text.contains("lib/a.txt:3"),
        "{text}"
    );

    // A user glossary, given on the command line or kept with the index.
    let file = dir.path().join("mine.tsv");
    std::fs::write(&file, "# ours\nZQX\tzebra quality exchange\n").unwrap();
    let r = query(dir.path(), &["ZQX", "--glossary", file.to_str().unwrap()]);
    assert_eq!(hits(&r)[0]["source"], "lib/c.txt");
    std::fs::copy(&file, dir.path().join("idx/glossary.tsv")).unwrap();
    let r = query(dir.path(), &["ZQX"]);
    assert_eq!(hits(&r)[0]["source"], "lib/c.txt");
    let all = run(dir.path(), &["glossary", "--index", "idx"]);
    let text = String::from_utf8(all.stdout).unwrap();
    assert!(
        text.contains("PCN") && text.contains("built-in"),
        "built-in glossary missing"
    );
    assert!(text.contains("zebra quality exchange"));
    // A broken glossary line is one clear warning; the query still runs.
    std::fs::write(&file, "no tab here\n").unwrap();
    let bad = run(
        dir.path(),
        &[
            "query",
            "x",
            "--index",
            "idx",
            "--glossary",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("mine.tsv:1"));
}

#[test]
fn the_same_paragraph_in_two_documents_is_one_hit() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    let para = "Every integrated care board must publish a joint forward plan with its partner trusts before the start of each financial year.";
    std::fs::write(lib.join("one.txt"), format!("First document\n\n{para}\n")).unwrap();
    std::fs::write(
        lib.join("two.md"),
        format!("# Second document\n\nSomething else first.\n\n{para}\n"),
    )
    .unwrap();
    index_into_idx(dir.path(), "lib");
    let r = query(dir.path(), &["joint forward plan"]);
    assert_eq!(hits(&r).len(), 1, "{r}");
    let sources: Vec<&str> = hits(&r)[0]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources.len(), 2);
    assert!(sources.contains(&"lib/one.txt") && sources.contains(&"lib/two.md"));
    for s in hits(&r)[0]["sources"].as_array().unwrap() {
        let bytes = std::fs::read(dir.path().join(s["source"].as_str().unwrap())).unwrap();
        let (a, b) = (
            s["byte_start"].as_u64().unwrap() as usize,
            s["byte_end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&bytes[a..b], para.as_bytes());
    }
    let human = String::from_utf8(
        run(
            dir.path(),
            &["query", "joint forward plan", "--index", "idx"],
        )
        .stdout,
    )
    .unwrap();
    assert!(human.contains("also in"), "{human}");
}

#[test]
fn many_copies_still_fill_the_page_with_distinct_paragraphs() {
    // Twelve paragraphs, each copied into twenty files: the best-ranked
    // candidates are mostly copies, yet `-n 5` must show five different
    // paragraphs, each listing every file that holds it.
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    let paragraphs: Vec<String> = (0..12)
        .map(|i| {
            format!(
                "Paragraph number {i} says that the workforce plan for district nursing needs \
                 {} more staff by the end of the decade.",
                100 + i
            )
        })
        .collect();
    for copy in 0..20 {
        for (i, p) in paragraphs.iter().enumerate() {
            std::fs::write(
                lib.join(format!("copy{copy:02}-para{i:02}.txt")),
                format!("Copy {copy}\n\n{p}\n"),
            )
            .unwrap();
        }
    }
    index_into_idx(dir.path(), "lib");
    let r = query(dir.path(), &["district nursing workforce", "-n", "5"]);
    let shown = hits(&r);
    assert_eq!(shown.len(), 5, "{r}");
    let mut quotes: Vec<&str> = shown.iter().map(|h| h["quote"].as_str().unwrap()).collect();
    quotes.sort();
    quotes.dedup();
    assert_eq!(quotes.len(), 5);
    for h in shown {
        assert_eq!(h["sources"].as_array().unwrap().len(), 20, "{h}");
    }
}

#[test]
fn passages_that_say_it_come_before_passages_under_a_title_that_does() {
    // a.md's passages sit under a title with the phrase; only b.txt's long
    // paragraph says it in its own words, and the phrase's words are common
    // in other texts, so by score alone the title matches would come first.
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    let mut a = String::from("# Joint commissioning\n\n");
    for i in 0..3 {
        a.push_str(&format!(
            "Short note {i} on pooled budgets for community services.\n\n"
        ));
    }
    std::fs::write(lib.join("a.md"), a).unwrap();
    let filler = "The board reviewed its estates, its digital plans, its workforce, its \
                  finances and its patient experience surveys over several long meetings. ";
    std::fs::write(
        lib.join("b.txt"),
        format!(
            "Annual report\n\n{filler}{filler}{filler}It agreed that joint commissioning of \
             community services would start in April. {filler}{filler}\n"
        ),
    )
    .unwrap();
    for i in 0..8 {
        std::fs::write(
            lib.join(format!("c{i}.txt")),
            format!(
                "Paper {i}\n\nThe joint plan sets out commissioning intentions for year {i}.\n"
            ),
        )
        .unwrap();
    }
    index_into_idx(dir.path(), "lib");
    let r = query(dir.path(), &["\"joint commissioning\"", "-n", "5"]);
    let shown = hits(&r);
    assert_eq!(shown.len(), 4, "{r}");
    assert!(
        shown[0]["source"].as_str().unwrap().ends_with("b.txt"),
        "{}",
        shown[0]
    );
    // The passages under the title still follow, after it.
    assert!(shown[1..]
        .iter()
        .all(|h| h["source"].as_str().unwrap().ends_with("a.md")
            && h["highlights"].as_array().unwrap().is_empty()));
}

/// The one error line of a query that could not run, and its exit code.
fn query_error(dir: &Path, text: &str) -> (Option<i32>, String) {
    let out = run(dir, &["query", text, "--index", "idx"]);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_query_of_common_words_only_has_nothing_to_search_for() {
    let dir = seeded();
    let (code, err) = query_error(dir.path(), "the of and");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("nothing to search for"), "{err}");
    assert!(err.contains("(the, of, and)"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // A quoted phrase of them is meant, and an acronym is not a common word.
    assert!(!hits(&query(dir.path(), &["\"of the\""])).is_empty());
    let it = query(dir.path(), &["IT"]);
    assert_eq!(it["expansions"][0]["term"], "IT");
    // Common words beside a word with content are searched as before.
    assert!(!hits(&query(dir.path(), &["the ICB"])).is_empty());
}

#[test]
fn an_unknown_field_is_an_error_naming_the_fields() {
    let dir = seeded();
    let (code, err) = query_error(dir.path(), "foo:bar");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("\"foo\" in \"foo:bar\" is not a field"),
        "{err}"
    );
    assert!(err.contains("title:, heading:, source:, path:"), "{err}");
    // Colons that are text: after a word and a space, in a time, in a URL,
    // and inside quotes.
    for text in ["outcomes: place", "10:30 webinar", "\"foo:bar\" care"] {
        let out = run(dir.path(), &["query", text, "--index", "idx", "--json"]);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{text}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let url = run(
        dir.path(),
        &["query", "https://www.nhs.uk", "--index", "idx"],
    );
    assert!(matches!(url.status.code(), Some(0 | 1)));
    assert!(!hits(&query(dir.path(), &["title:collaboratives"])).is_empty());
}

/// An acronym's expansion is one way of saying the acronym, not three
/// extra words: `ICB running costs` finds the paragraph about running
/// costs, not the paragraph that spells out "integrated care boards" most.
#[test]
fn expansions_do_not_drown_the_other_words() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    std::fs::write(
        lib.join("guidance.md"),
        "# Operational planning guidance\n\n\
         Integrated care boards (ICBs) and integrated care boards' partners will agree \
         plans; integrated care boards lead integrated care systems with their boards.\n\n\
         Providers will review their workforce plans with their staff and their unions.\n\n\
         ICBs are similarly working to cut duplication, alongside reducing their running \
         costs by half over the next two years.\n",
    )
    .unwrap();
    std::fs::write(
        lib.join("other.md"),
        "# Board papers\n\nThe integrated care board met in public and approved the \
         minutes of the integrated care board's last meeting.\n",
    )
    .unwrap();
    index_into_idx(dir.path(), "lib");
    let r = query(dir.path(), &["ICB running costs", "-n", "3"]);
    let top = hits(&r)[0]["quote"].as_str().unwrap();
    assert!(top.contains("running costs"), "{top}");
}

/// An acronym finds its expansion as people write it: T2DM stands for
/// "type 2 diabetes mellitus", but most documents never write "mellitus".
#[test]
fn acronyms_find_their_expansion_without_its_last_qualifier() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    std::fs::write(
        lib.join("nice.txt"),
        "Adults with type 2 diabetes should be offered metformin as first-line treatment.\n\n\
         Diabetes services were reorganised across the region.\n",
    )
    .unwrap();
    index_into_idx(dir.path(), "lib");
    let r = query(dir.path(), &["T2DM", "-n", "3"]);
    let top = hits(&r)[0]["quote"].as_str().unwrap();
    assert!(top.starts_with("Adults with type 2 diabetes"), "{r}");
    assert!(
        highlighted(&hits(&r)[0]).contains(&"type 2 diabetes".to_string()),
        "{r}"
    );
    let also = &r["expansions"][0]["also"];
    assert!(
        also.as_array()
            .unwrap()
            .iter()
            .any(|a| a == "type 2 diabetes"),
        "{also}"
    );
}

/// A paragraph that answers comes before a reference-list entry or a table
/// row that only names the topic, however often the entry repeats it.
#[test]
fn prose_comes_before_references_and_tables() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    std::fs::write(
        lib.join("report.txt"),
        "Integrated care in neighbourhoods\n\n\
         We found that integrated care works best when the teams that provide it share \
         one budget, and when their leaders are given the time to build trust across \
         the organisations in the area.\n\n\
         References\n\n\
         1. Kodner DL, Spreeuwenberg C. Integrated care: meaning, logic, applications. \
         Int J Integr Care 2002;2:e12. doi:10.5334/ijic.67\n\n\
         2. Goodwin N, Smith J. Integrated care: integrated care pilots. Int J Integr Care \
         2011;11:e03. doi:10.5334/ijic.589\n\n\
         Integrated care | 2019 | 2020 | 2021 | 12,405 | 13,310 | 14,022 | 98.2 | 97.1 | 96.3 \
         | integrated care total 41,737\n",
    )
    .unwrap();
    index_into_idx(dir.path(), "lib");
    let r = query(dir.path(), &["integrated care", "-n", "4"]);
    let top = hits(&r)[0]["quote"].as_str().unwrap();
    assert!(
        top.starts_with("We found that integrated care works best"),
        "{r}"
    );
}

/// Under --exact the total is every passage with the words as written:
/// counted when the candidates are few enough to check them all, else
/// estimated from those checked, and said to be an estimate.
#[test]
fn exact_totals_count_or_estimate_every_match() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    let mut text = String::new();
    for i in 0..3000 {
        let word = if i % 2 == 0 { "nursing" } else { "nurses" };
        text.push_str(&format!(
            "Paragraph {i} is about {word} in the community and the plans for it.\n\n"
        ));
    }
    std::fs::write(lib.join("many.txt"), text).unwrap();
    std::fs::write(
        lib.join("few.txt"),
        "District nursing teams grew.\n\nThe nurses were hired.\n",
    )
    .unwrap();
    // One indexing thread, so one layout: the candidates checked are the
    // best ranked, which here all tie, and with two threads which of them
    // come first depends on how the threads took the passages (estimates
    // of 1,429 to 1,660 were seen, where one thread gives 1,501).
    run_ok(
        dir.path(),
        &["index", "lib", "--index", "idx", "--threads", "1"],
    );
    let r = query(dir.path(), &["nursing", "--exact", "-n", "3"]);
    assert_eq!(r["total_hits_estimated"], true, "{}", r["total_hits"]);
    let total = r["total_hits"].as_u64().unwrap();
    assert!((1450..=1550).contains(&total), "{total}");
    let r = query(
        dir.path(),
        &["nursing source:*few.txt", "--exact", "-n", "3"],
    );
    assert_eq!(r["total_hits_estimated"], false);
    assert_eq!(r["total_hits"], 1);
    let human = run(
        dir.path(),
        &["query", "nursing", "--exact", "--index", "idx", "-n", "1"],
    );
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(text.contains("1 of about "), "{text}");
}

/// A correction is announced as a word the results contain: the edit that
/// finds "microenvironment" for "microenviroment" also makes
/// "microenvironent", which stems alike but is no word.
#[test]
fn a_correction_is_shown_as_the_word_found() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("tumours.txt"),
        "The tumour microenvironment shapes how drugs reach the cells.\n",
    )
    .unwrap();
    index_into_idx(dir.path(), "tumours.txt");
    let r = query(dir.path(), &["microenviroment"]);
    assert_eq!(r["corrections"][0]["from"], "microenviroment");
    assert_eq!(r["corrections"][0]["to"], "microenvironment", "{r}");
}

#[test]
fn question_words_do_not_decide_the_ranking() {
    // "What is discharge?" asks about discharge: a passage that says
    // "what" four times and "discharge" once must not come before one about
    // discharge, as it did while only Lucene's short list was left out.
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    for (name, text) in [
        (
            "questions.txt",
            "What we did, what we found and what we learned: what next, and what for. \
             Discharge came up once.",
        ),
        (
            "discharge.txt",
            "Hospital discharge: the discharge to assess model sets out the steps before \
             a patient leaves a ward.",
        ),
        (
            "workforce.txt",
            "Workforce plans for community services set out recruitment and retention of nurses.",
        ),
        (
            "estates.txt",
            "Estates strategy: buildings, maintenance backlogs and capital budgets for the \
             coming years. What comes next is unclear.",
        ),
    ] {
        std::fs::write(docs.join(name), format!("{text}\n")).unwrap();
    }
    index_into_idx(dir.path(), "docs");
    for q in [
        "what is discharge",
        "how does discharge work",
        "what have they said about discharge",
    ] {
        let r = query(dir.path(), &[q, "-n", "2"]);
        let first = hits(&r)[0]["path"].as_str().unwrap();
        assert!(first.ends_with("discharge.txt"), "{q}: {first}");
    }
    // A passage with only "what" of the query is not counted as a match.
    let total = |q: &str| query(dir.path(), &[q, "-n", "1"])["total_hits"].as_u64();
    assert_eq!(total("what is discharge"), total("discharge"));
    assert_eq!(total("discharge"), Some(2));
    // Only common words is still nothing to search for.
    let out = run(dir.path(), &["query", "what have they", "--index", "idx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nothing to search for"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
