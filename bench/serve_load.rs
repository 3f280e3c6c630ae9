//! Load test of `policy-search serve`, beside the command line's whole-process
//! latency, in one run on one index.
//!
//! ```sh
//! cargo build --release
//! cargo run --release --example serve-load -- \
//!     --bin target/release/policy-search --index IDX --queries bench/queries.txt \
//!     [--concurrency 2] [--seconds 60] [--cli-runs 3]
//! ```
//!
//! Starts `serve --port 0` on the index, sends every query once to warm it,
//! then keeps `--concurrency` loopback connections busy (HTTP/1.1 keep-alive,
//! queries in turn) for `--seconds`. Reports queries/s, the latency a client
//! sees (p50, p99) and the server's own time per search (its `Server-Timing`
//! header), the server's resident memory sampled each second (first, last,
//! peak), and `policy-search query --json` run as a whole process over the
//! same queries `--cli-runs` times (p50, p99; 0 leaves it out). Only loopback
//! is used; the run stops by itself.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Options {
    bin: PathBuf,
    index: PathBuf,
    queries: PathBuf,
    concurrency: usize,
    seconds: u64,
    cli_runs: usize,
}

fn options() -> Options {
    let mut o = Options {
        bin: PathBuf::from("target/release/policy-search"),
        index: PathBuf::from("index"),
        queries: PathBuf::from("bench/queries.txt"),
        concurrency: 2,
        seconds: 30,
        cli_runs: 3,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!(
            "usage: serve-load [--bin BIN] [--index IDX] [--queries FILE] \
             [--concurrency N] [--seconds N] [--cli-runs N]"
        );
        std::process::exit(0);
    }
    if args.len() % 2 == 1 {
        panic!("option {} has no value", args[args.len() - 1]);
    }
    let mut i = 0;
    while i + 1 < args.len() {
        let v = &args[i + 1];
        match args[i].as_str() {
            "--bin" => o.bin = v.into(),
            "--index" => o.index = v.into(),
            "--queries" => o.queries = v.into(),
            "--concurrency" => o.concurrency = v.parse().expect("--concurrency N"),
            "--seconds" => o.seconds = v.parse().expect("--seconds N"),
            "--cli-runs" => o.cli_runs = v.parse().expect("--cli-runs N"),
            other => panic!("unknown option {other}"),
        }
        i += 2;
    }
    o
}

/// `s` percent-encoded for a query string.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// One keep-alive connection.
struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    host: String,
}

impl Client {
    fn connect(addr: &str) -> Client {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_nodelay(true).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        Client {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
            host: addr.to_string(),
        }
    }

    /// `GET path`: the status and the server's own time in ms, if said.
    fn get(&mut self, path: &str) -> (u16, Option<f64>) {
        write!(
            self.writer,
            "GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.host
        )
        .unwrap();
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut length = 0usize;
        let mut server_ms = None;
        loop {
            line.clear();
            self.reader.read_line(&mut line).unwrap();
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let (k, v) = l.split_once(':').unwrap_or((l, ""));
            match k.to_ascii_lowercase().as_str() {
                "content-length" => length = v.trim().parse().unwrap_or(0),
                "server-timing" => {
                    server_ms = v.split("dur=").nth(1).and_then(|d| d.trim().parse().ok())
                }
                _ => {}
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).unwrap();
        (status, server_ms)
    }
}

/// A `/proc/PID/status` figure in KiB: `VmRSS` (all resident memory) or
/// `RssAnon` (the heap and stacks, without the index files mapped in,
/// whose pages count as resident once read).
fn proc_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn rss_kib(pid: u32) -> Option<u64> {
    proc_kib(pid, "VmRSS")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let o = options();
    let queries: Vec<String> = std::fs::read_to_string(&o.queries)
        .expect("queries file")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    let paths: Arc<Vec<String>> = Arc::new(
        queries
            .iter()
            .map(|q| format!("/api/search?q={}&n=10", encode(q)))
            .collect(),
    );

    let mut server = Command::new(&o.bin)
        .args(["serve", "--port", "0", "--max-concurrent", "64", "--index"])
        .arg(&o.index)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start serve");
    let mut lines = BufReader::new(server.stderr.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    std::thread::spawn(move || for _ in lines {});
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("serve did not start: {first}"))
        .to_string();
    let pid = server.id();
    let rss_start = rss_kib(pid);

    // Warm: every query once.
    let mut warm = Client::connect(&addr);
    let mut failed = 0;
    for p in paths.iter() {
        if warm.get(p).0 != 200 {
            failed += 1;
        }
    }
    let rss_warm = rss_kib(pid);

    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let workers: Vec<_> = (0..o.concurrency)
        .map(|w| {
            let (paths, stop, addr) = (paths.clone(), stop.clone(), addr.clone());
            std::thread::spawn(move || {
                let mut client = Client::connect(&addr);
                let mut seen = Vec::new();
                let mut i = w * 7;
                while !stop.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    let (status, server_ms) = client.get(&paths[i % paths.len()]);
                    let ms = t.elapsed().as_secs_f64() * 1000.0;
                    seen.push((status, ms, server_ms));
                    i += 1;
                }
                seen
            })
        })
        .collect();
    let mut rss = Vec::new();
    let mut anon = Vec::new();
    while started.elapsed() < Duration::from_secs(o.seconds) {
        std::thread::sleep(Duration::from_secs(1));
        if let Some(k) = rss_kib(pid) {
            rss.push(k);
        }
        if let Some(k) = proc_kib(pid, "RssAnon") {
            anon.push(k);
        }
    }
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.join().unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    let _ = server.kill();
    let _ = server.wait();

    let errors = all.iter().filter(|r| r.0 != 200).count();
    let mut client_ms: Vec<f64> = all.iter().map(|r| r.1).collect();
    let mut server_ms: Vec<f64> = all.iter().filter_map(|r| r.2).collect();
    client_ms.sort_by(f64::total_cmp);
    server_ms.sort_by(f64::total_cmp);

    // The command line: a whole process per query.
    let mut cli_ms = Vec::new();
    for _ in 0..o.cli_runs {
        for q in &queries {
            let t = Instant::now();
            let status = Command::new(&o.bin)
                .args(["query", q, "--json", "--index"])
                .arg(&o.index)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("run query");
            if matches!(status.code(), Some(0 | 1)) {
                cli_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }
    cli_ms.sort_by(f64::total_cmp);

    let mib = |k: Option<u64>| k.map_or("?".to_string(), |k| format!("{:.1}", k as f64 / 1024.0));
    println!(
        "queries: {} ({} failed when warming); {} connections for {:.0} s",
        queries.len(),
        failed,
        o.concurrency,
        elapsed
    );
    println!("| measure | p50 ms | p99 ms | queries/s |");
    println!("|---|---|---|---|");
    println!(
        "| serve, server time per search (Server-Timing) | {:.2} | {:.2} | |",
        percentile(&server_ms, 0.5),
        percentile(&server_ms, 0.99)
    );
    println!(
        "| serve, request as the client sees it (loopback) | {:.2} | {:.2} | {:.0} |",
        percentile(&client_ms, 0.5),
        percentile(&client_ms, 0.99),
        all.len() as f64 / elapsed
    );
    // `--cli-runs 0` leaves the command line out.
    if !cli_ms.is_empty() {
        println!(
            "| query --json, whole process | {:.1} | {:.1} | {:.0} |",
            percentile(&cli_ms, 0.5),
            percentile(&cli_ms, 0.99),
            1000.0 * cli_ms.len() as f64 / cli_ms.iter().sum::<f64>()
        );
    }
    println!(
        "requests: {} ({} not 200); serve RSS MiB: start {}, warm {}, first sample {}, last {}, peak {}",
        all.len(),
        errors,
        mib(rss_start),
        mib(rss_warm),
        mib(rss.first().copied()),
        mib(rss.last().copied()),
        mib(rss.iter().max().copied())
    );
    let tenth = anon.len() / 10;
    println!(
        "serve anonymous memory (RssAnon) MiB: first sample {}, after a tenth of the run {}, last {}, peak {}",
        mib(anon.first().copied()),
        mib(anon.get(tenth).copied()),
        mib(anon.last().copied()),
        mib(anon.iter().max().copied())
    );
}
