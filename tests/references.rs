//! Citation exports (`--format csl-json | ris | bibtex`) read back by the
//! parsers reference managers use: citeproc-py (CSL-JSON, rendered in a
//! style), rispy (RIS) and bibtexparser (BibTeX). `.ci/run` installs them.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

/// A PDF with printed page labels, a dated web page and a text file whose
/// title holds TeX's special characters.
fn library(dir: &Path) {
    let lib = dir.join("lib");
    std::fs::create_dir_all(&lib).unwrap();
    std::fs::write(
        lib.join("plan.pdf"),
        pdf_with_page_labels(
            &[
                &["Contents"],
                &["Discharge planning starts at admission for every patient."],
            ],
            "<< /Nums [0 << /S /r >> 1 << /S /D /St 12 >>] >>",
        ),
    )
    .unwrap();
    std::fs::write(
        lib.join("blog.html"),
        "<html><head><title>Discharge blog</title>\
         <meta name=\"citation_publication_date\" content=\"2024/05/12\"></head>\
         <body><main><h1>Discharge blog</h1><p>Discharge delays fell after the \
         discharge fund was agreed.</p></main></body></html>",
    )
    .unwrap();
    std::fs::write(
        lib.join("costs.txt"),
        "A&E costs {draft} 50% of $budget_2024\n\nMarch 2023\n\n\
         Discharge costs rose by 50% in A&E.\n",
    )
    .unwrap();
    index_into_idx(dir, "lib");
}

#[test]
fn reference_managers_read_every_hit() {
    let Some(python) = python_with(
        "rispy, bibtexparser, citeproc",
        "rispy bibtexparser citeproc-py",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    library(dir.path());
    let hits = query_json(dir.path(), "discharge", 10)["hits"].clone();
    let hits = hits.as_array().unwrap();
    assert_eq!(hits.len(), 3);
    let mut files = Vec::new();
    for format in ["csl-json", "ris", "bibtex"] {
        let out = run(
            dir.path(),
            &[
                "query",
                "discharge",
                "--index",
                "idx",
                "-n",
                "10",
                "--format",
                format,
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let path = dir.path().join(format!("refs.{format}"));
        std::fs::write(&path, &out.stdout).unwrap();
        files.push(path);
    }
    let out = std::process::Command::new(&python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/references/parse.py"))
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: Value = serde_json::from_slice(&out.stdout).unwrap();

    // CSL-JSON: every hit, rendered by a CSL processor with its title and year.
    assert_eq!(parsed["csl"]["count"], 3);
    let rendered = parsed["csl"]["rendered"].to_string();
    assert!(
        rendered.contains("Discharge blog") && rendered.contains("2024"),
        "{rendered}"
    );
    assert!(rendered.contains("2023"), "{rendered}");

    // RIS: one record a hit, in order, with the id, page and quote.
    let ris = parsed["ris"].as_array().unwrap();
    assert_eq!(ris.len(), 3);
    for (r, h) in ris.iter().zip(hits) {
        assert_eq!(r["id"], h["passage_id"]);
        assert_eq!(r["title"], h["title"]);
        let note = r["notes"][0].as_str().unwrap();
        assert!(note.contains(h["quote"].as_str().unwrap().trim()), "{note}");
        assert!(
            r["urls"][0].as_str().unwrap().starts_with("file:///"),
            "{r}"
        );
    }
    let pdf = ris
        .iter()
        .find(|r| r["type"] == "RPRT")
        .expect("the PDF is a report");
    // The page as printed (label 12), not the PDF's page 2.
    assert_eq!(pdf["start_page"], "12");
    assert!(pdf["urls"][0]
        .as_str()
        .unwrap()
        .ends_with("plan.pdf#page=2"));
    let blog = ris.iter().find(|r| r["type"] == "ELEC").unwrap();
    assert_eq!(blog["year"], "2024");

    // BibTeX: nothing the parser could not read, unique keys, braces balanced
    // however the title is written.
    assert_eq!(parsed["bibtex"]["failed"], 0, "{}", parsed["bibtex"]);
    let entries = parsed["bibtex"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    let keys: std::collections::HashSet<&str> =
        entries.iter().map(|e| e["key"].as_str().unwrap()).collect();
    assert_eq!(keys.len(), 3);
    let costs = entries
        .iter()
        .find(|e| e["fields"]["title"].as_str().unwrap().contains("costs"))
        .unwrap();
    assert_eq!(
        costs["fields"]["title"],
        "A\\&E costs \\{draft\\} 50\\% of \\$budget\\_2024"
    );
    assert_eq!(costs["fields"]["year"], "2023");

    // `show` gives the one passage's entry.
    let id = hits[0]["passage_id"].as_str().unwrap();
    let out = run(
        dir.path(),
        &["show", id, "--index", "idx", "--format", "ris"],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("TY  - ").count(), 1);
    assert!(text.contains(&format!("ID  - {id}")), "{text}");
}
