//! The performance benchmark: policy-search side by side with a plain tantivy
//! indexer and with ripgrep, on the same text, in one run.
//!
//! Run it with `bench/run.sh [CORPUS_DIR] [SCALE_MB]`, which builds everything
//! first. It prints one Markdown table:
//!
//! - indexing throughput (MB of input per second) with 1 and 2 threads, and
//!   peak resident memory, for policy-search and plain tantivy;
//! - index size relative to the input;
//! - query latency as whole processes (p50, p95) over `bench/queries.txt`,
//!   with a warm page cache, for policy-search, plain tantivy and `rg -i -w -n`;
//! - batch throughput (queries per second, documents ranked);
//! - the same at ~1 GB of distinct text generated from the corpus's
//!   sentences (`bench/corpus.rs`), so the dictionary and postings grow as
//!   a real collection's do.
//!
//! Measurements are taken side by side in one run and reported as ratios
//! too: these machines are shared and noisy, ratios travel better.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Tools {
    ours: PathBuf,
    plain: PathBuf,
    rg: Option<PathBuf>,
}

/// Wall time and peak resident memory of one child process.
struct RunStats {
    wall: Duration,
    peak_kib: i64,
    ok: bool,
}

fn run(cmd: &mut Command) -> RunStats {
    let started = Instant::now();
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: waits for our own child; `usage` is written by the call.
    let rc = unsafe { libc::wait4(pid, &mut status, 0, usage.as_mut_ptr()) };
    let wall = started.elapsed();
    assert_eq!(rc, pid, "wait4 failed");
    // SAFETY: initialised by the successful wait4 above.
    let usage = unsafe { usage.assume_init() };
    std::mem::forget(child); // already reaped
    RunStats {
        wall,
        peak_kib: usage.ru_maxrss,
        ok: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) <= 1,
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn percentile(v: &[Duration], p: f64) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn dir_bytes(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .sum()
}

fn is_text(p: &Path) -> bool {
    p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "txt" | "md" | "html" | "htm"
        )
    })
}

/// Copies the text files (.txt, .md, .html, .htm) of `src` into `dest`.
fn stage(src: &Path, dest: &Path) -> u64 {
    let mut bytes = 0;
    for e in walkdir::WalkDir::new(src).into_iter().flatten() {
        if e.file_type().is_file() && is_text(e.path()) {
            let rel = e.path().strip_prefix(src).unwrap();
            let to = dest.join(rel);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            bytes += std::fs::copy(e.path(), &to).unwrap();
        }
    }
    bytes
}

/// Writes a corpus of distinct text of `target` bytes into `dest`, made
/// from the sentences of `src` by `bench/corpus.rs` (seed 1), and returns
/// its size.
fn generate(corpus_tool: &Path, src: &Path, dest: &Path, target: u64) -> u64 {
    let status = Command::new(corpus_tool)
        .arg(src)
        .arg(dest)
        .arg(format!("{target}B"))
        .arg("1")
        .stdout(Stdio::null())
        .status()
        .expect("running the corpus generator");
    assert!(status.success(), "the corpus generator failed");
    dir_bytes(dest)
}

fn queries() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/queries.txt");
    std::fs::read_to_string(path)
        .expect("bench/queries.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

struct Scale {
    label: String,
    corpus: PathBuf,
    bytes: u64,
}

#[derive(Default)]
struct Row {
    label: String,
    mb: f64,
    ours_mbs: [f64; 2],
    plain_mbs: [f64; 2],
    ours_peak_mb: f64,
    plain_peak_mb: f64,
    ours_size: f64,
    plain_size: f64,
    ours_p: (f64, f64),
    plain_p: (f64, f64),
    rg_p: Option<(f64, f64)>,
    batch_qps: f64,
}

fn index_ours(tools: &Tools, corpus: &Path, index: &Path, threads: usize) -> RunStats {
    let _ = std::fs::remove_dir_all(index);
    run(Command::new(&tools.ours)
        .args([
            "index",
            "--no-progress",
            "--threads",
            &threads.to_string(),
            "--index",
        ])
        .arg(index)
        .arg(corpus))
}

fn index_plain(tools: &Tools, corpus: &Path, index: &Path, threads: usize) -> RunStats {
    let _ = std::fs::remove_dir_all(index);
    run(Command::new(&tools.plain)
        .arg("index")
        .arg(corpus)
        .arg(index)
        .arg(threads.to_string()))
}

fn measure(tools: &Tools, scale: &Scale, work: &Path, repeats: usize, qs: &[String]) -> Row {
    let mb = scale.bytes as f64 / 1e6;
    let mut row = Row {
        label: scale.label.clone(),
        mb,
        ..Default::default()
    };
    let ours_index = work.join(format!("ours-{}", scale.label));
    let plain_index = work.join(format!("plain-{}", scale.label));
    for (t, threads) in [1usize, 2].into_iter().enumerate() {
        let (mut ours, mut plain) = (Vec::new(), Vec::new());
        // Interleaved, so both see the same machine.
        for _ in 0..repeats {
            let o = index_ours(tools, &scale.corpus, &ours_index, threads);
            assert!(o.ok, "policy-search index failed");
            let p = index_plain(tools, &scale.corpus, &plain_index, threads);
            assert!(p.ok, "plain tantivy index failed");
            if threads == 2 {
                row.ours_peak_mb = row.ours_peak_mb.max(o.peak_kib as f64 / 1024.0);
                row.plain_peak_mb = row.plain_peak_mb.max(p.peak_kib as f64 / 1024.0);
            }
            ours.push(o.wall);
            plain.push(p.wall);
        }
        row.ours_mbs[t] = mb / median(ours).as_secs_f64();
        row.plain_mbs[t] = mb / median(plain).as_secs_f64();
    }
    row.ours_size = dir_bytes(&ours_index) as f64 / scale.bytes as f64;
    row.plain_size = dir_bytes(&plain_index) as f64 / scale.bytes as f64;

    // Query latency: whole processes, warm cache (one untimed run first).
    let rounds = 3;
    let (mut ours, mut plain, mut rg) = (Vec::new(), Vec::new(), Vec::new());
    for q in qs {
        let words = q.replace('"', "");
        let ours_cmd = || {
            let mut c = Command::new(&tools.ours);
            c.args(["query", "--json", "-n", "10", "--index"])
                .arg(&ours_index)
                .arg("--")
                .arg(q);
            c
        };
        let plain_cmd = || {
            let mut c = Command::new(&tools.plain);
            c.arg("query").arg(&plain_index).arg(q);
            c
        };
        run(&mut ours_cmd());
        run(&mut plain_cmd());
        for _ in 0..rounds {
            ours.push(run(&mut ours_cmd()).wall);
            plain.push(run(&mut plain_cmd()).wall);
        }
        if let Some(rg_bin) = &tools.rg {
            let rg_cmd = || {
                let mut c = Command::new(rg_bin);
                c.args(["-i", "-w", "-n", "--", &words]).arg(&scale.corpus);
                c
            };
            run(&mut rg_cmd());
            rg.push(run(&mut rg_cmd()).wall);
        }
    }
    row.ours_p = (ms(percentile(&ours, 0.5)), ms(percentile(&ours, 0.95)));
    row.plain_p = (ms(percentile(&plain, 0.5)), ms(percentile(&plain, 0.95)));
    if !rg.is_empty() {
        row.rg_p = Some((ms(percentile(&rg, 0.5)), ms(percentile(&rg, 0.95))));
    }

    // Batch: every query in one process, documents ranked.
    let tsv = work.join("queries.tsv");
    let lines: Vec<String> = qs
        .iter()
        .enumerate()
        .map(|(i, q)| format!("{i}\t{q}"))
        .collect();
    std::fs::write(&tsv, lines.join("\n")).unwrap();
    let b = run(Command::new(&tools.ours)
        .args(["query", "--format", "trec", "-n", "10", "--batch"])
        .arg(&tsv)
        .arg("--index")
        .arg(&ours_index));
    row.batch_qps = qs.len() as f64 / b.wall.as_secs_f64();
    row
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = args
        .get(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/corpus"));
    let scale_mb: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let corpus_tool = root.join("target/release/examples/corpus");
    if !src.is_dir() {
        eprintln!("skipping: corpus folder {} not found", src.display());
        return;
    }
    let target = root.join("target/release");
    let tools = Tools {
        ours: target.join("policy-search"),
        plain: target.join("examples/plain-tantivy"),
        rg: which("rg"),
    };
    for t in [&tools.ours, &tools.plain] {
        assert!(
            t.exists(),
            "{} missing: build with cargo build --release --examples",
            t.display()
        );
    }
    let work = std::env::var_os("BENCH_WORK")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("policy-search-bench"));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let qs = queries();

    let base = work.join("corpus");
    let bytes = stage(&src, &base);
    let mut scales = vec![Scale {
        label: format!("{:.0} MB", bytes as f64 / 1e6),
        corpus: base.clone(),
        bytes,
    }];
    if scale_mb > 0 {
        let big = work.join("corpus-big");
        let big_bytes = generate(&corpus_tool, &src, &big, scale_mb * 1_000_000);
        scales.push(Scale {
            label: format!("{:.2} GB", big_bytes as f64 / 1e9),
            corpus: big,
            bytes: big_bytes,
        });
    }
    let mut rows = Vec::new();
    for (i, s) in scales.iter().enumerate() {
        eprintln!("measuring {} ...", s.label);
        rows.push(measure(&tools, s, &work, if i == 0 { 3 } else { 1 }, &qs));
    }
    print_table(&rows, qs.len(), tools.rg.is_some());
    let _ = std::fs::remove_dir_all(&work);
}

fn print_table(rows: &[Row], queries: usize, rg: bool) {
    println!(
        "| measure | {} |",
        rows.iter()
            .map(|r| r.label.as_str())
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!("|---|{}", "--:|".repeat(rows.len()));
    let line = |name: &str, f: &dyn Fn(&Row) -> String| {
        println!(
            "| {name} | {} |",
            rows.iter().map(f).collect::<Vec<_>>().join(" | ")
        );
    };
    line("input (MB)", &|r| format!("{:.1}", r.mb));
    for (t, threads) in ["1 thread", "2 threads"].iter().enumerate() {
        line(&format!("indexing MB/s, policy-search, {threads}"), &|r| {
            format!("{:.1}", r.ours_mbs[t])
        });
        line(&format!("indexing MB/s, plain tantivy, {threads}"), &|r| {
            format!("{:.1}", r.plain_mbs[t])
        });
        line(
            &format!("**ratio policy-search / plain, {threads}**"),
            &|r| format!("**{:.2}×**", r.ours_mbs[t] / r.plain_mbs[t]),
        );
    }
    line("peak RSS indexing (MB), policy-search, 2 threads", &|r| {
        format!("{:.0}", r.ours_peak_mb)
    });
    line("peak RSS indexing (MB), plain tantivy, 2 threads", &|r| {
        format!("{:.0}", r.plain_peak_mb)
    });
    line("**index size / input, policy-search**", &|r| {
        format!("**{:.2}×**", r.ours_size)
    });
    line("index size / input, plain tantivy", &|r| {
        format!("{:.2}×", r.plain_size)
    });
    line(
        &format!("query p50 / p95 (ms), policy-search, {queries} queries"),
        &|r| format!("{:.1} / {:.1}", r.ours_p.0, r.ours_p.1),
    );
    line("query p50 / p95 (ms), plain tantivy", &|r| {
        format!("{:.1} / {:.1}", r.plain_p.0, r.plain_p.1)
    });
    if rg {
        line("query p50 / p95 (ms), rg -i -w -n", &|r| {
            r.rg_p
                .map_or("-".into(), |(a, b)| format!("{a:.1} / {b:.1}"))
        });
        line("**rg p50 / policy-search p50**", &|r| {
            r.rg_p
                .map_or("-".into(), |(a, _)| format!("**{:.0}×**", a / r.ours_p.0))
        });
    }
    line("batch throughput (queries/s, documents ranked)", &|r| {
        format!("{:.0}", r.batch_qps)
    });
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}
