//! PDF extraction quality and speed against poppler's `pdftotext`.
//!
//! Usage: `cargo run --release --example pdf-quality -- [FOLDER]`
//! (default `../shared/corpus/pdfs`; needs `pdftotext` from poppler-utils on
//! PATH as the reference — a yardstick for this benchmark only).
//!
//! For each PDF it prints pages, word F1 of our page texts against
//! `pdftotext` (whole document, and averaged over pages, which also checks
//! that text lands on the right page), the F1 after cleaning (headers,
//! footers and page numbers dropped, hyphens rejoined — what is indexed),
//! and extraction seconds.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use policy_search::extract::pdf;

fn main() {
    let folder = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/corpus/pdfs"));
    if !folder.is_dir() {
        eprintln!("skipping: {} is not a folder", folder.display());
        return;
    }
    if Command::new("pdftotext").arg("-v").output().is_err() {
        eprintln!("skipping: pdftotext (poppler-utils) is not installed");
        return;
    }
    let mut files = Vec::new();
    collect(&folder, &mut files);
    files.sort();
    println!("| file | pages | F1 raw | F1 per page | F1 indexed text | seconds |");
    println!("|---|--:|--:|--:|--:|--:|");
    let (mut total_s, mut min_f1) = (0.0, 1.0f64);
    for path in &files {
        let bytes = std::fs::read(path).expect("read");
        let started = Instant::now();
        let pages = match pdf::extract_pages(bytes) {
            Ok(p) => p.texts,
            Err(e) => {
                println!("| {} | - | failed: {e} | | | |", name(path));
                continue;
            }
        };
        let seconds = started.elapsed().as_secs_f64();
        let indexed = pdf::assemble(&pages);
        total_s += seconds;
        let reference = reference_pages(path, pages.len());
        let all_ours: String = pages.join("\n");
        let all_ref: String = reference.join("\n");
        let doc = f1(&all_ref, &all_ours);
        let per_page: f64 = pages
            .iter()
            .zip(&reference)
            .map(|(o, r)| f1(r, o))
            .sum::<f64>()
            / pages.len().max(1) as f64;
        let cleaned = f1(&all_ref, &indexed.text);
        min_f1 = min_f1.min(doc);
        println!(
            "| {} | {} | {doc:.4} | {per_page:.4} | {cleaned:.4} | {seconds:.2} |",
            name(path),
            pages.len()
        );
    }
    println!(
        "\n{} files, {total_s:.2} s extracting, minimum raw F1 {min_f1:.4}",
        files.len()
    );
}

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = entry.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")) {
            out.push(p);
        }
    }
}

/// `pdftotext`'s text, split into pages at form feeds.
fn reference_pages(path: &Path, pages: usize) -> Vec<String> {
    let out = Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut v: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    v.resize(pages, String::new());
    v
}

/// Lowercased words, with words hyphenated at line ends rejoined and
/// ligatures expanded, as a multiset.
fn words(text: &str) -> HashMap<String, usize> {
    let joined = text
        .replace("-\n", "")
        .replace(['\u{fb01}'], "fi")
        .replace(['\u{fb02}'], "fl");
    let mut bag = HashMap::new();
    for w in joined
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        *bag.entry(w.to_lowercase()).or_insert(0) += 1;
    }
    bag
}

/// Word-level F1 of `ours` against `reference`, as bags of words.
fn f1(reference: &str, ours: &str) -> f64 {
    let (r, o) = (words(reference), words(ours));
    let (nr, no): (usize, usize) = (r.values().sum(), o.values().sum());
    if nr == 0 && no == 0 {
        return 1.0;
    }
    let overlap: usize = o
        .iter()
        .map(|(w, c)| (*c).min(*r.get(w).unwrap_or(&0)))
        .sum();
    if overlap == 0 {
        return 0.0;
    }
    let (p, rc) = (overlap as f64 / no as f64, overlap as f64 / nr as f64);
    2.0 * p * rc / (p + rc)
}
