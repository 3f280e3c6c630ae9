//! Incremental, crash-safe indexing that stays searchable while it updates.

mod common;

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

fn summary(out: &std::process::Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn status(cwd: &Path, index: &str) -> Value {
    let out = run(cwd, &["status", "--index", index, "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn hits(cwd: &Path, index: &str, query: &str) -> u64 {
    let out = run(
        cwd,
        &["query", query, "--index", index, "--json", "-n", "100"],
    );
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["total_hits"].as_u64().unwrap()
}

/// A corpus of `n` generated documents, each with a unique code word.
fn corpus(dir: &Path, n: usize, paragraphs: usize) {
    for i in 0..n {
        let mut text = format!("Board paper {i}\n\n");
        for p in 0..paragraphs {
            text.push_str(&format!(
                "Paragraph {p} of paper {i} sets out how the integrated care board will work with provider collaboratives on finance, workforce and elective recovery. Reference DOC{i}X{p}.\n\n"
            ));
        }
        write(&dir.join(format!("sub{}/paper-{i:04}.txt", i % 7)), &text);
    }
}

#[test]
fn reindex_reflects_exactly_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("library");
    write(
        &root.join("a.txt"),
        "Alpha paper about the Dorset Passport for staff.\n",
    );
    write(
        &root.join("b.md"),
        "# Bravo\n\nBravo paper about primary care networks.\n",
    );
    write(
        &root.join("c.txt"),
        "Charlie paper about the Frimley example.\n",
    );
    write(
        &root.join("d.txt"),
        "Delta paper about mental health collaboratives.\n",
    );

    let first = summary(&run(dir.path(), &["index", "library", "--index", "idx"]));
    assert!(
        first.contains("4 added, 0 updated, 0 removed, 0 unchanged"),
        "{first}"
    );

    let again = summary(&run(dir.path(), &["index", "library", "--index", "idx"]));
    assert!(again.starts_with("indexed 0 files, 0 passages"), "{again}");
    assert!(
        again.contains("0 added, 0 updated, 0 removed, 4 unchanged"),
        "{again}"
    );

    std::thread::sleep(Duration::from_millis(20));
    write(
        &root.join("a.txt"),
        "Alpha paper, revised: about the Wessex scheme now.\n",
    );
    std::fs::remove_file(root.join("c.txt")).unwrap();
    write(
        &root.join("nested/e.txt"),
        "Echo paper about virtual wards.\n",
    );
    // Same content, new modification time: re-hashed, not re-indexed.
    let d = std::fs::read(root.join("d.txt")).unwrap();
    std::fs::write(root.join("d.txt"), d).unwrap();

    let st = status(dir.path(), "idx");
    let changes = &st["changes"];
    assert_eq!(changes["deleted"], serde_json::json!(["library/c.txt"]));
    assert_eq!(changes["new"], serde_json::json!(["library/nested/e.txt"]));
    let modified: Vec<&str> = changes["modified"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(modified.contains(&"library/a.txt"), "{modified:?}");

    let third = summary(&run(dir.path(), &["index", "library", "--index", "idx"]));
    assert!(
        third.contains("1 added, 1 updated, 1 removed, 2 unchanged"),
        "{third}"
    );
    assert!(third.starts_with("indexed 2 files"), "{third}");

    assert_eq!(
        hits(dir.path(), "idx", "Dorset Passport"),
        0,
        "old text of a.txt still found"
    );
    assert_eq!(hits(dir.path(), "idx", "Wessex"), 1);
    assert_eq!(
        hits(dir.path(), "idx", "Frimley"),
        0,
        "deleted file still found"
    );
    assert_eq!(hits(dir.path(), "idx", "virtual wards"), 1);
    assert_eq!(hits(dir.path(), "idx", "mental health collaboratives"), 1);
    assert_eq!(hits(dir.path(), "idx", "primary care networks"), 1);

    let st = status(dir.path(), "idx");
    assert_eq!(st["documents"], 4);
    assert_eq!(st["changes"]["modified"].as_array().unwrap().len(), 0);
    assert_eq!(st["changes"]["new"].as_array().unwrap().len(), 0);
    assert_eq!(st["changes"]["deleted"].as_array().unwrap().len(), 0);
}

#[test]
fn several_folders_collections_and_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("trusts/t.txt"),
        "Trust board paper on elective recovery.\n",
    );
    write(
        &dir.path().join("icbs/i.txt"),
        "ICB paper on elective recovery and finance.\n",
    );
    let s = summary(&run(
        dir.path(),
        &["index", "trusts", "./icbs/", "--index", "idx"],
    ));
    assert!(s.contains("2 added"), "{s}");
    let st = status(dir.path(), "idx");
    let names: Vec<&str> = st["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["icbs", "trusts"]);
    assert_eq!(hits(dir.path(), "idx", "elective recovery"), 2);
    let only = run(
        dir.path(),
        &[
            "query",
            "elective recovery",
            "--in",
            "icbs",
            "--index",
            "idx",
            "--json",
        ],
    );
    let v: Value = serde_json::from_slice(&only.stdout).unwrap();
    assert_eq!(v["total_hits"], 1);
    assert_eq!(v["hits"][0]["source"], "icbs/i.txt");

    // Indexing one folder again leaves the other alone.
    let s = summary(&run(dir.path(), &["index", "icbs", "--index", "idx"]));
    assert!(s.contains("0 removed, 1 unchanged"), "{s}");
    assert_eq!(hits(dir.path(), "idx", "elective recovery"), 2);

    // A named collection.
    write(
        &dir.path().join("misc/m.txt"),
        "Think tank note on elective recovery.\n",
    );
    summary(&run(
        dir.path(),
        &[
            "index",
            "misc",
            "--collection",
            "think-tanks",
            "--index",
            "idx",
        ],
    ));
    let only = run(
        dir.path(),
        &[
            "query",
            "elective",
            "--in",
            "think-tanks",
            "--index",
            "idx",
            "--json",
        ],
    );
    let v: Value = serde_json::from_slice(&only.stdout).unwrap();
    assert_eq!(v["hits"][0]["source"], "misc/m.txt");

    // --rebuild starts over with only what it is given.
    let s = summary(&run(
        dir.path(),
        &["index", "--rebuild", "trusts", "--index", "idx"],
    ));
    assert!(s.contains("1 added"), "{s}");
    assert_eq!(hits(dir.path(), "idx", "elective recovery"), 1);
    assert_eq!(status(dir.path(), "idx")["documents"], 1);
}

fn spawn_index(cwd: &Path, args: &[&str]) -> Child {
    bin()
        .current_dir(cwd)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Kills the indexer at many points of a run; after each kill the index
/// answers queries from its last commit, and a final run completes the job.
#[test]
fn kill_at_random_points_never_breaks_the_index() {
    let dir = tempfile::tempdir().unwrap();
    corpus(&dir.path().join("corpus"), 1200, 40);
    // A reference index built in one go; its time scales the kill times,
    // so kills land mid-run on fast and slow machines alike.
    let started = std::time::Instant::now();
    summary(&run(
        dir.path(),
        &["index", "corpus", "--index", "reference"],
    ));
    let build_ms = (started.elapsed().as_millis() as u64).max(50);
    let want = status(dir.path(), "reference");

    let args = [
        "index",
        "corpus",
        "--index",
        "idx",
        "--commit-every",
        "0.05",
        "--threads",
        "2",
    ];
    // Deterministic pseudo-random kill times between 5 ms and 75% of a full
    // build (less once rebuilds outrun their kills, below).
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut completed_before_kill = 0;
    // The reference build may have shared the machine with other tests; a
    // rebuild that finishes before its kill shows the runs are faster now,
    // so later kills come sooner.
    let mut scale_ms = build_ms;
    for round in 0..16 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = Duration::from_millis(5 + seed % (scale_ms * 3 / 4).max(1));
        // Odd rounds start over (--rebuild), so every round has work to be
        // killed in, and a killed rebuild must leave the old index intact.
        let mut round_args = args.to_vec();
        if round % 2 == 1 {
            round_args.push("--rebuild");
        }
        let mut child = spawn_index(dir.path(), &round_args);
        std::thread::sleep(delay);
        // A rebuild always has the whole job to do (it commits once, at the
        // end); a plain run after a complete one has little left, and may
        // finish before its kill.
        if child.try_wait().unwrap().is_some() && round % 2 == 1 {
            completed_before_kill += 1;
            scale_ms = (scale_ms / 2).max(20);
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        if dir.path().join("idx/meta.json").exists() {
            let out = run(
                dir.path(),
                &["query", "integrated care board", "--index", "idx", "--json"],
            );
            let code = out.status.code();
            assert!(
                matches!(code, Some(0 | 1)),
                "round {round}: query after kill at {delay:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let v: Value = serde_json::from_slice(&out.stdout).expect("valid JSON after a kill");
            assert_hits_are_verbatim(dir.path(), &v);
        }
    }
    // Most rebuilds must be interrupted mid-run.
    eprintln!(
        "full build {build_ms} ms; rebuilds interrupted in {} of 8 rounds",
        8 - completed_before_kill
    );
    assert!(
        completed_before_kill <= 3,
        "the rebuild was interrupted in only {} of 8 rounds",
        8 - completed_before_kill
    );
    let last = summary(&run(dir.path(), &["index", "corpus", "--index", "idx"]));
    assert!(last.contains("0 removed"), "{last}");
    let got = status(dir.path(), "idx");
    assert_eq!(got["documents"], want["documents"]);
    assert_eq!(got["passages"], want["passages"]);
    // Every document is there exactly once.
    for code in ["DOC0X0", "DOC599X29", "DOC1199X39"] {
        assert_eq!(hits(dir.path(), "idx", code), 1, "{code}");
    }
    let again = summary(&run(dir.path(), &["index", "corpus", "--index", "idx"]));
    assert!(
        again.contains("0 added, 0 updated, 0 removed, 1200 unchanged"),
        "{again}"
    );
}

#[test]
fn queries_answer_during_indexing_and_a_second_writer_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("small/s.txt"),
        "A small paper on the Dorset Passport.\n",
    );
    summary(&run(dir.path(), &["index", "small", "--index", "idx"]));
    corpus(&dir.path().join("big"), 1500, 40);

    let mut writer = spawn_index(
        dir.path(),
        &[
            "index",
            "big",
            "--index",
            "idx",
            "--threads",
            "1",
            "--commit-every",
            "0.05",
        ],
    );
    // A second writer started before the first holds the lock would take it
    // instead: wait for the first one's first commit.
    let start = Instant::now();
    while writer.try_wait().unwrap().is_none()
        && status(dir.path(), "idx")["documents"].as_u64().unwrap_or(0) <= 1
        && start.elapsed() < Duration::from_secs(60)
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut queried = 0;
    let mut refused = false;
    while writer.try_wait().unwrap().is_none() && start.elapsed() < Duration::from_secs(60) {
        let q = run(
            dir.path(),
            &["query", "Dorset Passport", "--index", "idx", "--json"],
        );
        assert_eq!(
            q.status.code(),
            Some(0),
            "query during indexing: {}",
            String::from_utf8_lossy(&q.stderr)
        );
        queried += 1;
        if !refused {
            let t = Instant::now();
            let second = run(dir.path(), &["index", "small", "--index", "idx"]);
            if writer.try_wait().unwrap().is_none() {
                assert_eq!(
                    second.status.code(),
                    Some(2),
                    "second writer was not refused"
                );
                let err = String::from_utf8_lossy(&second.stderr);
                assert!(err.contains("being updated by another process"), "{err}");
                assert_eq!(err.lines().count(), 1, "{err}");
                assert!(t.elapsed() < Duration::from_secs(5), "second writer waited");
                refused = true;
            }
        }
    }
    let out = writer.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(queried >= 2, "indexing finished before queries could run");
    assert!(
        refused,
        "could not observe a second writer while the first ran"
    );
    assert_eq!(hits(dir.path(), "idx", "DOC1499X39"), 1);
    assert_eq!(hits(dir.path(), "idx", "Dorset Passport"), 1);
}

/// Mounts a small tmpfs for the life of the value (needs root; tests skip otherwise).
struct TmpFs(std::path::PathBuf);

impl TmpFs {
    fn mount(path: &Path, size: &str) -> Option<TmpFs> {
        std::fs::create_dir_all(path).ok()?;
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(path)
            .stderr(Stdio::null())
            .status()
            .ok()?
            .success();
        ok.then(|| TmpFs(path.to_path_buf()))
    }

    fn remount_read_only(&self) -> bool {
        std::process::Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }
}

impl Drop for TmpFs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn full_or_read_only_disk_fails_cleanly_and_keeps_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let Some(fs) = TmpFs::mount(&dir.path().join("disk"), "4m") else {
        eprintln!("skipping: cannot mount a tmpfs here (needs root)");
        return;
    };
    write(
        &dir.path().join("small/s.txt"),
        "A small paper on the Dorset Passport.\n",
    );
    summary(&run(dir.path(), &["index", "small", "--index", "disk/idx"]));
    // Far more text than fits in 4 MB of index.
    corpus(&dir.path().join("big"), 300, 200);
    let out = run(
        dir.path(),
        &["index", "big", "--index", "disk/idx", "--threads", "1"],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        hits(dir.path(), "disk/idx", "Dorset Passport"),
        1,
        "index lost after a full disk"
    );

    std::fs::remove_dir_all(dir.path().join("big")).unwrap();
    write(
        &dir.path().join("small/t.txt"),
        "Another paper on virtual wards.\n",
    );
    assert!(fs.remount_read_only());
    let out = run(dir.path(), &["index", "small", "--index", "disk/idx"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(
        hits(dir.path(), "disk/idx", "Dorset Passport"),
        1,
        "index lost on a read-only disk"
    );
}

/// Segments in the index's latest commit (tantivy's `meta.json`).
fn segments(index: &Path) -> usize {
    let meta: Value =
        serde_json::from_slice(&std::fs::read(index.join("meta.json")).unwrap()).unwrap();
    meta["segments"].as_array().unwrap().len()
}

/// Files of segments the latest commit does not use (merged away, or left
/// by a run cut short), by name.
fn dead_segment_files(index: &Path) -> Vec<String> {
    let meta: Value =
        serde_json::from_slice(&std::fs::read(index.join("meta.json")).unwrap()).unwrap();
    let living: Vec<String> = meta["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["segment_id"].as_str().unwrap().replace('-', ""))
        .collect();
    let mut dead: Vec<String> = std::fs::read_dir(index)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| {
            let stem = name.split('.').next().unwrap_or("");
            stem.len() == 32
                && stem.chars().all(|c| c.is_ascii_hexdigit())
                && !living.iter().any(|l| l == stem)
        })
        .collect();
    dead.sort();
    dead
}

#[test]
fn small_runs_do_not_pile_up_segments() {
    // Each run that adds a file commits a segment of its own; every query
    // looks its words up in every segment, so a run merges them once more
    // than a few are left.
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let mut most = 0;
    for i in 0..12 {
        write(
            &cwd.join(format!("docs/note{i}.txt")),
            &format!("Briefing {i} on discharge delays and the community beds plan.\n"),
        );
        summary(&run(
            cwd,
            &["index", "docs", "--index", "idx", "--no-progress"],
        ));
        most = most.max(segments(&cwd.join("idx")));
        // What a run merged away is gone when it ends, not at the next run.
        let dead = dead_segment_files(&cwd.join("idx"));
        assert!(dead.is_empty(), "run {i} left {dead:?}");
    }
    assert!(most <= 5, "{most} segments after a run");
    assert_eq!(hits(cwd, "idx", "discharge"), 12);
}

#[test]
fn an_index_inside_the_folder_it_indexes_is_not_walked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("plan.txt"),
        "The integrated care board agreed its plan for the year ahead.\n",
    )
    .unwrap();
    // Another index below the folder is skipped as well.
    let other = dir.path().join("archive").join("old-index");
    std::fs::create_dir_all(&other).unwrap();
    run_ok(
        dir.path(),
        &["index", "plan.txt", "--index", "archive/old-index"],
    );
    let first = run_ok(dir.path(), &["index", ".", "--index", "./index"]);
    assert!(first.contains("1 added"), "{first}");
    assert!(!first.contains("not read"), "{first}");
    let again = run_ok(dir.path(), &["index", ".", "--index", "./index"]);
    assert!(again.contains("1 unchanged"), "{again}");
    assert!(!again.contains("not read"), "{again}");
    // A folder with a `meta.json` of its own is walked as any other.
    std::fs::create_dir(dir.path().join("notes")).unwrap();
    std::fs::write(dir.path().join("notes/meta.json"), "{\"title\": 1}").unwrap();
    let notes = run_ok(dir.path(), &["index", ".", "--index", "./index"]);
    assert!(
        notes.contains("not read (format not supported): 1 .json"),
        "{notes}"
    );
}
