//! Memory: a web page over the streaming threshold (32 MiB) is read in
//! passes and indexed in chunks, in memory that does not grow with the page,
//! with the quotes, passages and page-level choices a whole page gets.

mod common;

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

/// Text of the page's paragraphs: two chunks of the stream (8 MiB each).
const PARAGRAPH_BYTES: usize = 12 << 20;
/// Bytes of script before the content (cheap to read, even in a debug
/// build); with the paragraphs, the page is well over the threshold.
const SCRIPT_BYTES: usize = 52 << 20;
/// Memory allowed to the indexing process (`RLIMIT_DATA`): streamed, the
/// page needs about 90 MiB; read whole, it needs three copies of itself and
/// more (some 200 MiB), and the process dies.
const DATA_LIMIT: u64 = 160 << 20;

fn paragraph(n: usize) -> String {
    format!(
        "Paragraph {n}: the integrated care board agreed item {n} of the plan for waiting \
         lists and the workforce.{}",
        " More words about the plan and the budget.".repeat(12)
    )
}

/// Writes the page; returns its paragraphs.
fn write_page(path: &Path) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let mut size = 0;
    while size < PARAGRAPH_BYTES {
        let p = paragraph(paragraphs.len());
        size += p.len() + 8;
        paragraphs.push(p);
    }
    let mut html = String::with_capacity(PARAGRAPH_BYTES + SCRIPT_BYTES + (1 << 20));
    html.push_str(
        "<!DOCTYPE html><html><head><title>Streamed board papers | NHS</title>\
         <script>",
    );
    let line = format!("var scriptpadding = [{}];\n", "1234,".repeat(600));
    html.push_str(&line.repeat(SCRIPT_BYTES / line.len()));
    // Chrome at the top, and text outside the main content before and after
    // it: only reading the whole page tells that the main content is real.
    html.push_str(
        "</script></head><body>\
         <div class=cookie-banner>We use cookiebannerword cookies on this site.</div>\
         <nav><ul><li><a href=/a>Navmenuword home</a></li><li><a href=/b>About</a></li></ul></nav>\
         <div>Outsidemainword strapline of the site, in a plain division that is not chrome.</div>\
         <main><h1>Board papers</h1>\n",
    );
    for p in &paragraphs {
        html.push_str("<p>");
        html.push_str(p);
        html.push_str("</p>\n");
    }
    html.push_str(
        "</main><div>Trailingoutsideword text after the main content.</div>\
         <footer>Footerword terms and privacy</footer></body></html>\n",
    );
    assert!(html.len() > 64 << 20);
    std::fs::write(path, html).unwrap();
    paragraphs
}

fn summary_passages(stdout: &[u8]) -> u64 {
    let out = String::from_utf8_lossy(stdout);
    let rest = out.split("files, ").nth(1).expect("summary line");
    rest.split(' ').next().unwrap().parse().unwrap()
}

fn hits(r: &Value) -> &Vec<Value> {
    r["hits"].as_array().unwrap()
}

#[test]
fn large_page_is_indexed_in_chunks_like_a_whole_page() {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    let paragraphs = write_page(&pages.join("board.html"));
    // The text a whole page's extraction gives: quotes are slices of it.
    let expected = format!("Board papers\n\n{}", paragraphs.join("\n\n"));

    let started = Instant::now();
    let mut index = bin();
    index
        .current_dir(dir.path())
        .args(["index", "pages", "--index", "idx", "--threads", "1"]);
    // SAFETY: setrlimit is async-signal-safe; the closure allocates nothing.
    unsafe {
        index.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: DATA_LIMIT as libc::rlim_t,
                rlim_max: DATA_LIMIT as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_DATA, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = index.output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(600), "hang?");
    assert_eq!(
        out.status.code(),
        Some(0),
        "indexing within {} MiB of data: {}",
        DATA_LIMIT >> 20,
        String::from_utf8_lossy(&out.stderr)
    );
    // Every paragraph is one passage: none lost or doubled between chunks.
    assert_eq!(summary_passages(&out.stdout), paragraphs.len() as u64);

    let n = paragraphs.len();
    for i in [0, 1, n / 3, n / 2, 2 * n / 3, n - 2, n - 1] {
        let r = query_json(dir.path(), &format!("\"agreed item {i} of\""), 3);
        assert_eq!(r["total_hits"], 1, "paragraph {i}: {r}");
        let hit = &hits(&r)[0];
        assert_eq!(hit["quote"], paragraphs[i], "{hit}");
        // Ordinals run on across chunks: none before it lost or doubled.
        assert_eq!(hit["passage_id"], format!("pages/board.html#{i}"), "{hit}");
        assert_eq!(hit["offsets"], "extracted");
        assert_eq!(hit["title"], "Streamed board papers");
        let (start, end) = (
            hit["byte_start"].as_u64().unwrap() as usize,
            hit["byte_end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&expected[start..end], paragraphs[i], "paragraph {i}");
        // Lines of text laid out from HTML are nowhere in the file: none.
        assert_eq!(hit["line_start"], serde_json::Value::Null, "{hit}");
    }

    // Chrome, scripts and text outside the main content are not indexed,
    // at the top of the page or at its end.
    for word in [
        "scriptpadding",
        "cookiebannerword",
        "navmenuword",
        "outsidemainword",
        "trailingoutsideword",
        "footerword",
    ] {
        let r = query_json(dir.path(), word, 1);
        assert_eq!(r["total_hits"], 0, "{word}: {r}");
    }

    // Ranking normalises by the whole page's length, not one chunk's.
    let words = paragraphs
        .iter()
        .map(|p| p.split_whitespace().count())
        .sum();
    assert_one_document_of(dir.path(), words);

    // Unchanged on a second run.
    let again = run(dir.path(), &["index", "pages", "--index", "idx"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&again.stdout).contains("1 unchanged"));
}
