//! Indexing time on pathological but plausible inputs: one 50 MB line, 100k
//! tiny paragraphs or list items, 10k-deep nesting, very long words, a
//! million lines without a full stop, many repeated paragraphs, and the like.
//! Each case is one generated file, indexed alone by the release binary; a
//! step that is super-linear in its input shows here as minutes, not seconds.
//!
//! Run it with `bench/pathological.sh [DIR]`, which builds first. Options:
//! `--bin PATH` (another build, to compare), `--dir DIR` (where the files go,
//! default /tmp/policy-search-pathological), `--timeout SECS` (per case,
//! default 300), `--only SUBSTRING` (run matching cases). Prints one
//! Markdown table: size, wall time, peak resident memory, passages.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MB: usize = 1 << 20;

const VOCABULARY: &[&str] = &[
    "care",
    "board",
    "health",
    "local",
    "trust",
    "plan",
    "service",
    "patient",
    "system",
    "budget",
    "partner",
    "integrated",
    "community",
    "primary",
    "hospital",
    "staff",
    "quality",
    "outcome",
    "funding",
    "people",
    "across",
    "within",
    "should",
    "agreed",
];

/// A small deterministic generator, so every run writes the same files.
struct Words(u64);

impl Words {
    fn next(&mut self) -> &'static str {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        VOCABULARY[(self.0 >> 33) as usize % VOCABULARY.len()]
    }

    /// `n` words separated by spaces.
    fn phrase(&mut self, n: usize) -> String {
        (0..n).map(|_| self.next()).collect::<Vec<_>>().join(" ")
    }
}

type Writer = BufWriter<File>;

struct Case {
    name: &'static str,
    what: &'static str,
    write: fn(&mut Writer) -> std::io::Result<()>,
}

fn fill(
    w: &mut Writer,
    bytes: usize,
    mut piece: impl FnMut(usize) -> String,
) -> std::io::Result<()> {
    let mut written = 0;
    let mut i = 0;
    while written < bytes {
        let s = piece(i);
        w.write_all(s.as_bytes())?;
        written += s.len();
        i += 1;
    }
    Ok(())
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "one-line-50mb.txt",
            what: "one 50 MB line of words, no full stop, no line break",
            write: |w| {
                let mut g = Words(1);
                fill(w, 50 * MB, |i| {
                    format!("{} {i}{}", g.phrase(8), if i % 3 == 0 { ", " } else { " " })
                })
            },
        },
        Case {
            name: "one-line-sentences-50mb.txt",
            what: "one 50 MB line of short sentences",
            write: |w| {
                let mut g = Words(2);
                fill(w, 50 * MB, |i| format!("The {} {i}. ", g.phrase(7)))
            },
        },
        Case {
            name: "paragraphs-100k.txt",
            what: "100k tiny distinct paragraphs",
            write: |w| {
                let mut g = Words(3);
                for i in 0..100_000 {
                    writeln!(w, "Paragraph {i} says the {}.\n", g.phrase(9))?;
                }
                Ok(())
            },
        },
        Case {
            name: "repeated-paragraphs-100k.txt",
            what: "100k paragraphs, 10 distinct ones repeated",
            write: |w| {
                let mut g = Words(4);
                let distinct: Vec<String> = (0..10)
                    .map(|i| format!("Repeated paragraph {i}: the {}.", g.phrase(20)))
                    .collect();
                for i in 0..100_000 {
                    writeln!(w, "{}\n", distinct[i % 10])?;
                }
                Ok(())
            },
        },
        Case {
            name: "shared-openings-100k.txt",
            what: "100k paragraphs opening with the same words, a pull quote every 10th",
            write: |w| {
                let mut g = Words(5);
                let mut last_middle = String::new();
                for i in 0..100_000 {
                    if i % 10 == 9 {
                        writeln!(w, "{last_middle}\n")?;
                        continue;
                    }
                    last_middle = format!("The integrated care board agreed {i} {}.", g.phrase(8));
                    writeln!(
                        w,
                        "The integrated care board agreed that {}. {last_middle} It {}.\n",
                        g.phrase(10),
                        g.phrase(6)
                    )?;
                }
                Ok(())
            },
        },
        Case {
            name: "list-items-100k.txt",
            what: "100k bulleted lines",
            write: |w| {
                let mut g = Words(6);
                for i in 0..100_000 {
                    writeln!(w, "• item {i} {}", g.phrase(6))?;
                }
                Ok(())
            },
        },
        Case {
            name: "list-items-100k.md",
            what: "100k Markdown list items",
            write: |w| {
                let mut g = Words(7);
                for i in 0..100_000 {
                    writeln!(w, "- item {i} {}", g.phrase(6))?;
                }
                Ok(())
            },
        },
        Case {
            name: "blockquote-10k-deep.md",
            what: "Markdown blockquote nested 10k deep",
            write: |w| {
                let mut g = Words(8);
                write!(w, "{}", "> ".repeat(10_000))?;
                for _ in 0..1000 {
                    writeln!(w, "{}", g.phrase(10))?;
                }
                Ok(())
            },
        },
        Case {
            name: "list-10k-deep.md",
            what: "Markdown list nested 10k deep on one line",
            write: |w| {
                let mut g = Words(9);
                writeln!(w, "{}{}", "- ".repeat(10_000), g.phrase(10))
            },
        },
        Case {
            name: "list-nested-lines-2k.md",
            what: "Markdown list nested 2k deep, one level a line",
            write: |w| {
                let mut g = Words(10);
                for d in 0..2000 {
                    writeln!(w, "{}- item {d} {}", "  ".repeat(d), g.phrase(5))?;
                }
                Ok(())
            },
        },
        Case {
            name: "mixed-nesting-10k.md",
            what: "Markdown `> - ` nested 10k deep, with text at every level",
            write: |w| {
                let mut g = Words(11);
                for d in 0..10_000 {
                    writeln!(w, "{}{}", "> ".repeat(d.min(50)), g.phrase(4))?;
                }
                write!(w, "{}", "> - ".repeat(10_000))?;
                writeln!(w, "{}", g.phrase(10))
            },
        },
        Case {
            name: "emphasis-1m.md",
            what: "Markdown paragraph of 1M unmatched emphasis and link openers",
            write: |w| {
                fill(w, 8 * MB, |i| match i % 4 {
                    0 => "*a ".to_string(),
                    1 => "[b ".to_string(),
                    2 => "_c ".to_string(),
                    _ => "`d ".to_string(),
                })
            },
        },
        Case {
            name: "long-word-20mb.txt",
            what: "one 20 MB word",
            write: |w| fill(w, 20 * MB, |_| "abcdefghij".repeat(100)),
        },
        Case {
            name: "long-words.txt",
            what: "1,000 words of 10 KB, each a sentence",
            write: |w| {
                for i in 0..1000 {
                    write!(w, "W{i}{}. ", "x".repeat(10_000))?;
                }
                Ok(())
            },
        },
        Case {
            name: "no-stops-1m-lines.txt",
            what: "1M wrapped lines of lowercase clauses, no full stop",
            write: |w| {
                let mut g = Words(12);
                for i in 0..1_000_000 {
                    writeln!(w, "and the {} {i}", g.phrase(6))?;
                }
                Ok(())
            },
        },
        Case {
            name: "abbreviations-1m.txt",
            what: "one paragraph of 1M abbreviations and initials (no sentence end)",
            write: |w| {
                fill(w, 8 * MB, |i| {
                    if i % 2 == 0 { "e.g. " } else { "J. " }.to_string()
                })
            },
        },
        Case {
            name: "paragraphs-100k.html",
            what: "HTML, 100k paragraphs",
            write: |w| {
                let mut g = Words(13);
                write!(w, "<html><body>")?;
                for i in 0..100_000 {
                    writeln!(w, "<p>Paragraph {i} says the {}.</p>", g.phrase(9))?;
                }
                write!(w, "</body></html>")
            },
        },
        Case {
            name: "list-items-100k.html",
            what: "HTML, 100k list items",
            write: |w| {
                let mut g = Words(14);
                write!(w, "<html><body><ul>")?;
                for i in 0..100_000 {
                    writeln!(w, "<li>item {i} {}", g.phrase(6))?;
                }
                write!(w, "</ul></body></html>")
            },
        },
        Case {
            name: "nested-10k.html",
            what: "HTML, div/blockquote/li nested 10k deep with text at each level",
            write: |w| {
                let mut g = Words(15);
                for d in 0..10_000 {
                    let tag = ["div", "blockquote", "ul><li"][d % 3];
                    write!(w, "<{tag}>{} ", g.phrase(4))?;
                }
                Ok(())
            },
        },
        Case {
            name: "one-text-50mb.html",
            what: "HTML, one 50 MB paragraph",
            write: |w| {
                let mut g = Words(16);
                write!(w, "<html><body><p>")?;
                fill(w, 50 * MB, |i| format!("{} {i} ", g.phrase(8)))?;
                write!(w, "</p></body></html>")
            },
        },
        Case {
            name: "title-1m-brackets.html",
            what: "HTML, a 1 MB <title> of `<` and `>` characters",
            write: |w| {
                write!(w, "<html><head><title>")?;
                fill(w, MB, |_| "<<<<<<<<<< ".to_string())?;
                write!(
                    w,
                    "></title></head><body><p>Some text here.</p></body></html>"
                )
            },
        },
    ]
}

/// Wall time and peak resident memory of one child process, or `None` on timeout.
fn run(cmd: &mut Command, timeout: Duration) -> Option<(Duration, i64, bool)> {
    let started = Instant::now();
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let pid = child.id() as libc::pid_t;
    std::mem::forget(child); // reaped below
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    loop {
        // SAFETY: waits for our own child; `usage` is written when it returns the pid.
        let rc = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, usage.as_mut_ptr()) };
        if rc == pid {
            break;
        }
        assert_eq!(rc, 0, "wait4 failed");
        if started.elapsed() > timeout {
            // SAFETY: our own child, not yet reaped.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::wait4(pid, &mut status, 0, std::ptr::null_mut());
            }
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: initialised by the successful wait4 above.
    let usage = unsafe { usage.assume_init() };
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) <= 1;
    Some((started.elapsed(), usage.ru_maxrss, ok))
}

fn passages(bin: &Path, index: &Path) -> Option<u64> {
    let out = Command::new(bin)
        .args(["status", "--json", "--index"])
        .arg(index)
        .output()
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    v["passages"].as_u64()
}

fn main() {
    let mut bin = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/target/release/policy-search"
    ));
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        bin = PathBuf::from(dir).join("release/policy-search");
    }
    let mut dir = PathBuf::from("/tmp/policy-search-pathological");
    let mut timeout = Duration::from_secs(300);
    let mut only: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--bin" => bin = PathBuf::from(value()),
            "--dir" => dir = PathBuf::from(value()),
            "--timeout" => timeout = Duration::from_secs(value().parse().expect("seconds")),
            "--only" => only = Some(value()),
            _ => panic!("unknown argument {a}"),
        }
    }
    let inputs = dir.join("inputs");
    std::fs::create_dir_all(&inputs).expect("create the input folder");
    println!("binary: {}", bin.display());
    println!();
    println!("| case | input | MB | index time (s) | peak RSS (MB) | passages |");
    println!("|---|---|--:|--:|--:|--:|");
    for case in cases() {
        if only.as_deref().is_some_and(|o| !case.name.contains(o)) {
            continue;
        }
        let path = inputs.join(case.name);
        if !path.exists() {
            let tmp = path.with_extension("partial");
            let mut w = BufWriter::new(File::create(&tmp).expect("create input"));
            (case.write)(&mut w).expect("write input");
            w.flush().expect("write input");
            drop(w);
            std::fs::rename(&tmp, &path).expect("rename input");
        }
        let mb = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
        let index = dir.join("index");
        let _ = std::fs::remove_dir_all(&index);
        let result = run(
            Command::new(&bin)
                .args(["index", "--no-progress", "--index"])
                .arg(&index)
                .arg(&path),
            timeout,
        );
        let (time, rss, n) = match result {
            Some((wall, peak_kib, ok)) => (
                format!(
                    "{:.2}{}",
                    wall.as_secs_f64(),
                    if ok { "" } else { " (failed)" }
                ),
                format!("{:.0}", peak_kib as f64 / 1024.0),
                passages(&bin, &index).map_or("?".to_string(), |n| n.to_string()),
            ),
            None => (
                format!("> {} (killed)", timeout.as_secs()),
                "-".to_string(),
                "-".to_string(),
            ),
        };
        println!(
            "| {} | {} | {mb:.1} | {time} | {rss} | {n} |",
            case.name, case.what
        );
    }
    let _ = std::fs::remove_dir_all(dir.join("index"));
}
