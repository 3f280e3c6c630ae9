//! Builds a corpus of distinct text at a chosen size, for measuring how
//! indexing and queries grow (100 MB, 1 GB, 10 GB) on text that is not a
//! copy of itself: replicating a folder repeats every paragraph and keeps
//! the dictionary and postings of the original, hiding how they grow.
//!
//! Usage:
//! `cargo run --release --example corpus -- SOURCE OUT SIZE [SEED]`,
//! e.g. `… -- ../shared/corpus /tmp/corpus-1g 1GB 1`.
//!
//! Every file under SOURCE that policy-search reads is extracted with the
//! library's own extractors; its paragraphs, list items and headings become
//! a pool of sentences and headings, and its length a sample of document
//! sizes. New documents (`.txt`, `.md` and `.html`, in the shares the
//! source has them, PDF and DOCX written as Markdown) are then made until
//! SIZE bytes are written: a title, sections under headings drawn from the
//! pool, paragraphs of 2–7 sentences drawn from anywhere in the source, so
//! paragraphs are new combinations; numbers are redrawn and some capitalised
//! words become invented names, so the dictionary keeps growing with the
//! corpus as a real collection's does (new places, people, figures). The
//! same SOURCE, SIZE and SEED give the same files.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use policy_search::extract::{extract_file, BlockKind, Format};

/// Files per folder: a realistic tree, and no directory of 100,000 entries.
const FILES_PER_FOLDER: usize = 500;

struct Pool {
    sentences: Vec<String>,
    headings: Vec<String>,
    /// Extracted sizes of the source documents, in bytes.
    sizes: Vec<usize>,
    /// How many source documents were of each output kind (txt, md, html).
    kinds: [usize; 3],
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: corpus SOURCE OUT SIZE [SEED]   (SIZE like 100MB, 1GB)");
        std::process::exit(2);
    }
    let source = PathBuf::from(&args[0]);
    let out = PathBuf::from(&args[1]);
    let size: u64 = match args[2].parse::<bytesize::ByteSize>() {
        Ok(s) => s.as_u64(),
        Err(e) => {
            eprintln!("corpus: bad SIZE {:?}: {e}", args[2]);
            std::process::exit(2);
        }
    };
    let seed: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let pool = read_pool(&source);
    if pool.sentences.len() < 100 || pool.sizes.is_empty() {
        eprintln!(
            "corpus: too little text under {} ({} sentences)",
            source.display(),
            pool.sentences.len()
        );
        std::process::exit(2);
    }
    eprintln!(
        "corpus: {} sentences, {} headings from {} documents",
        pool.sentences.len(),
        pool.headings.len(),
        pool.sizes.len()
    );
    let (files, bytes) = write_corpus(&pool, &out, size, seed);
    println!(
        "{files} files, {bytes} bytes ({:.2} GB) in {}",
        bytes as f64 / 1e9,
        out.display()
    );
}

/// Sentences, headings and sizes of every readable file under `source`.
fn read_pool(source: &Path) -> Pool {
    let mut pool = Pool {
        sentences: Vec::new(),
        headings: Vec::new(),
        sizes: Vec::new(),
        kinds: [0; 3],
    };
    let mut seen = std::collections::HashSet::new();
    let mut paths: Vec<PathBuf> = walkdir::WalkDir::new(source)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    paths.sort();
    for path in paths {
        let Some(format) = Format::from_path(&path) else {
            continue;
        };
        if format == Format::Jsonl {
            continue;
        }
        let Ok(extracted) = extract_file(format, &path, &Default::default()) else {
            continue;
        };
        pool.sizes.push(extracted.text.len());
        pool.kinds[match format {
            Format::Text => 0,
            Format::Html => 2,
            _ => 1,
        }] += 1;
        for block in &extracted.blocks {
            let text = extracted.text[block.range.clone()].trim();
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if block.kind == BlockKind::Heading {
                if (2..=80).contains(&text.len()) && seen.insert(text.clone()) {
                    pool.headings.push(text);
                }
                continue;
            }
            for sentence in sentences(&text) {
                let words = sentence.split_whitespace().count();
                if (4..=60).contains(&words) && seen.insert(sentence.to_string()) {
                    pool.sentences.push(sentence.to_string());
                }
            }
        }
    }
    pool
}

/// Sentences of a paragraph: split after `.`, `?` or `!` followed by a
/// space and a capital letter.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if matches!(b, b'.' | b'?' | b'!')
            && bytes.get(i + 1) == Some(&b' ')
            && bytes.get(i + 2).is_some_and(u8::is_ascii_uppercase)
        {
            out.push(text[start..=i].trim());
            start = i + 2;
        }
    }
    out.push(text[start..].trim());
    out.retain(|s| !s.is_empty());
    out
}

/// Writes documents into `out` until `size` bytes are written.
fn write_corpus(pool: &Pool, out: &Path, size: u64, seed: u64) -> (usize, u64) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut names = Names::default();
    let (mut files, mut bytes) = (0usize, 0u64);
    let kind_total: usize = pool.kinds.iter().sum();
    while bytes < size {
        let target = pool.sizes[rng.usize(..pool.sizes.len())].clamp(600, 400_000);
        let kind = {
            let mut pick = rng.usize(..kind_total.max(1));
            (0..3)
                .find(|&k| {
                    if pick < pool.kinds[k] {
                        true
                    } else {
                        pick -= pool.kinds[k];
                        false
                    }
                })
                .unwrap_or(0)
        };
        let doc = document(pool, &mut rng, &mut names, target, kind, bytes);
        let folder = out.join(format!("d{:05}", files / FILES_PER_FOLDER));
        if files % FILES_PER_FOLDER == 0 {
            std::fs::create_dir_all(&folder).expect("creating an output folder");
        }
        let ext = ["txt", "md", "html"][kind];
        let path = folder.join(format!("doc{files:07}.{ext}"));
        let mut file = std::fs::File::create(&path).expect("creating an output file");
        file.write_all(doc.as_bytes())
            .expect("writing an output file");
        files += 1;
        bytes += doc.len() as u64;
    }
    (files, bytes)
}

/// Invented names, more of them the more is written.
#[derive(Default)]
struct Names {
    made: Vec<String>,
}

impl Names {
    const SYLLABLES: &'static [&'static str] = &[
        "ald", "bar", "cas", "dun", "el", "fen", "gar", "hol", "ing", "kel", "lan", "mor", "nor",
        "ock", "pen", "ros", "sted", "thorn", "ven", "wick", "ham", "ley", "by", "ton",
    ];

    /// A name: a new one now and then (so their number grows like the
    /// square root of the text), else one made before.
    fn pick(&mut self, rng: &mut fastrand::Rng, written: u64) -> String {
        let wanted = ((written as f64).sqrt() / 8.0) as usize + 50;
        if self.made.len() < wanted || self.made.is_empty() {
            let n = rng.usize(2..=3);
            let mut name: String = (0..n)
                .map(|_| Self::SYLLABLES[rng.usize(..Self::SYLLABLES.len())])
                .collect();
            if let Some(first) = name.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            self.made.push(name);
        }
        self.made[rng.usize(..self.made.len())].clone()
    }
}

/// One sentence of the pool, with numbers redrawn and now and then a
/// capitalised word (not the first) replaced by an invented name.
fn sentence(pool: &Pool, rng: &mut fastrand::Rng, names: &mut Names, written: u64) -> String {
    let s = &pool.sentences[rng.usize(..pool.sentences.len())];
    let mut out = String::with_capacity(s.len() + 8);
    for (i, word) in s.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let digits = word.bytes().filter(u8::is_ascii_digit).count();
        if digits > 0 && digits == word.trim_end_matches(['.', ',', '%', ')']).len() {
            let tail = &word[digits..];
            let _ = write!(out, "{}{tail}", rng.u32(1..10u32.pow(digits.min(6) as u32)));
        } else if i > 0
            && word.len() > 3
            && word.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
            && word.bytes().skip(1).all(|b| b.is_ascii_lowercase())
            && rng.u8(..10) == 0
        {
            out.push_str(&names.pick(rng, written));
        } else {
            out.push_str(word);
        }
    }
    out
}

/// A document of about `target` bytes of text, as txt (0), md (1) or
/// html (2).
fn document(
    pool: &Pool,
    rng: &mut fastrand::Rng,
    names: &mut Names,
    target: usize,
    kind: usize,
    written: u64,
) -> String {
    let heading = |rng: &mut fastrand::Rng| {
        if pool.headings.is_empty() {
            "Section".to_string()
        } else {
            pool.headings[rng.usize(..pool.headings.len())].clone()
        }
    };
    let title = heading(rng);
    let mut body = String::with_capacity(target + 1024);
    let mut text_len = 0;
    match kind {
        1 => {
            let _ = writeln!(body, "# {title}\n");
        }
        2 => {
            let _ = writeln!(
                body,
                "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head><body>\n<h1>{}</h1>",
                escape(&title),
                escape(&title)
            );
        }
        _ => {
            let _ = writeln!(body, "{title}\n");
        }
    }
    while text_len < target {
        let h = heading(rng);
        match kind {
            1 => {
                let _ = writeln!(body, "## {h}\n");
            }
            2 => {
                let _ = writeln!(body, "<h2>{}</h2>", escape(&h));
            }
            _ => {
                let _ = writeln!(body, "{h}\n");
            }
        }
        for _ in 0..rng.usize(2..=6) {
            let n = rng.usize(2..=7);
            let paragraph: Vec<String> = (0..n)
                .map(|_| sentence(pool, rng, names, written + text_len as u64))
                .collect();
            let paragraph = paragraph.join(" ");
            text_len += paragraph.len();
            match kind {
                2 => {
                    let _ = writeln!(body, "<p>{}</p>", escape(&paragraph));
                }
                _ => {
                    let _ = writeln!(body, "{paragraph}\n");
                }
            }
        }
    }
    if kind == 2 {
        body.push_str("</body></html>\n");
    }
    body
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
