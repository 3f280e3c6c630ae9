//! Nothing indexed is lost and nothing stale is kept: relative roots run from
//! other folders, unreadable folders, files that change into nothing or into
//! something unreadable, names that are not UTF-8, rebuilds cut short, and
//! extraction children outliving their parent.

mod common;

use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

fn write(path: &Path, text: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn ok(out: Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn status(cwd: &Path, index: &str) -> Value {
    let out = run(cwd, &["status", "--index", index, "--json"]);
    serde_json::from_slice(&ok(out).into_bytes()).unwrap()
}

fn total_hits(cwd: &Path, index: &str, query: &str) -> u64 {
    let out = run(
        cwd,
        &["query", query, "--index", index, "--json", "-n", "50"],
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["total_hits"].as_u64().unwrap()
}

/// Indexing `docs` from one folder and `.` from another, into one index,
/// must not remove what the first run recorded.
#[test]
fn relative_roots_from_other_folders_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("idx");
    let idx = idx.to_str().unwrap();
    write(
        &dir.path().join("work/docs/a.txt"),
        b"The Dorset Passport joins up records.\n",
    );
    write(
        &dir.path().join("work/docs/sub/b.txt"),
        b"Virtual wards reduce admissions.\n",
    );
    write(
        &dir.path().join("other/c.txt"),
        b"Community diagnostic centres open late.\n",
    );
    let work = dir.path().join("work");
    let first = ok(run(&work, &["index", "docs", "--index", idx]));
    assert!(first.contains("2 added"), "{first}");
    // From another folder, index `.` there: nothing of docs/ may go.
    let second = ok(run(
        &dir.path().join("other"),
        &["index", ".", "--index", idx],
    ));
    assert!(
        second.contains("1 added") && second.contains("0 removed"),
        "{second}"
    );
    // From inside docs/sub, index `.`: the same files, under another name.
    let third = ok(run(&work.join("docs/sub"), &["index", ".", "--index", idx]));
    assert!(
        third.contains("0 added") && third.contains("0 removed"),
        "{third}"
    );
    assert_eq!(status(dir.path(), idx)["documents"], 3);
    for q in ["Dorset Passport", "virtual wards", "diagnostic centres"] {
        assert_eq!(total_hits(dir.path(), idx, q), 1, "{q}");
    }
    // Paths are shown relative to the working directory below it, and
    // absolute elsewhere.
    let out = ok(run(&work, &["query", "Dorset", "--index", idx, "--json"]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["hits"][0]["source"], "docs/a.txt");
    let abs = v["hits"][0]["path"].as_str().unwrap();
    assert!(
        Path::new(abs).is_absolute() && abs.ends_with("docs/a.txt"),
        "{abs}"
    );
    let out = ok(run(
        &dir.path().join("other"),
        &["query", "Dorset", "--index", idx, "--json"],
    ));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["hits"][0]["source"], abs);
    // A file deleted below a walked root still goes.
    std::fs::remove_file(work.join("docs/sub/b.txt")).unwrap();
    let fourth = ok(run(&work, &["index", "docs", "--index", idx]));
    assert!(fourth.contains("1 removed"), "{fourth}");
    assert_eq!(total_hits(dir.path(), idx, "virtual wards"), 0);
}

/// Runs the binary as `nobody` when the tests run as root (see
/// [`common::as_nobody`]); `None` if that cannot be done here.
fn unprivileged(cwd: &Path, args: &[&str]) -> Option<Output> {
    let mut cmd = as_nobody(cwd)?;
    Some(cmd.args(args).output().expect("run binary"))
}

fn open_up(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o777)).unwrap();
}

/// A folder the walk cannot read keeps what is indexed below it, with one
/// warning and a count in the summary.
#[test]
fn unreadable_folder_keeps_its_documents() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    open_up(dir.path());
    let corpus = dir.path().join("corpus");
    write(
        &corpus.join("top.txt"),
        b"The Dorset Passport joins up records.\n",
    );
    write(
        &corpus.join("locked/one.txt"),
        b"Virtual wards reduce admissions.\n",
    );
    write(
        &corpus.join("locked/two.txt"),
        b"Community diagnostic centres open late.\n",
    );
    for d in [
        dir.path().to_path_buf(),
        corpus.clone(),
        corpus.join("locked"),
    ] {
        open_up(&d);
    }
    std::fs::create_dir(dir.path().join("idx")).unwrap();
    open_up(&dir.path().join("idx"));
    let Some(first) = unprivileged(dir.path(), &["index", "corpus", "--index", "idx"]) else {
        eprintln!("skipping: this process may not run the binary as another user");
        return;
    };
    let first = ok(first);
    assert!(first.contains("3 added"), "{first}");

    std::fs::set_permissions(
        corpus.join("locked"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    let out = unprivileged(dir.path(), &["index", "corpus", "--index", "idx"]).unwrap();
    std::fs::set_permissions(
        corpus.join("locked"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let second = ok(out.clone());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        second.contains("0 removed") && second.contains("2 kept unchecked"),
        "{second}"
    );
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("locked")).collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(warnings[0].contains("ermission denied"), "{stderr}");
    assert_eq!(status(dir.path(), "idx")["documents"], 3);
    assert_eq!(total_hits(dir.path(), "idx", "virtual wards"), 1);

    // Readable again: checked, and deletions below it count again.
    std::fs::remove_file(corpus.join("locked/two.txt")).unwrap();
    let third = ok(unprivileged(dir.path(), &["index", "corpus", "--index", "idx"]).unwrap());
    assert!(
        third.contains("1 removed") && !third.contains("kept unchecked"),
        "{third}"
    );
}

/// A file that is emptied, or changes into something that cannot be read,
/// keeps none of its old passages; a failure is listed in `status` and
/// tried again by the next run.
#[test]
fn changed_files_never_keep_stale_passages() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    write(
        &corpus.join("emptied.txt"),
        b"Quokka staffing ratios in the emptied report.\n",
    );
    write(
        &corpus.join("report.pdf"),
        &pdf_bytes(&[&["Wombat discharge policy in the board paper."]]),
    );
    write(
        &corpus.join("minutes.docx"),
        &docx_bytes(&[(None, "Numbat governance in the trust minutes.")]),
    );
    let first = ok(run(dir.path(), &["index", "corpus", "--index", "idx"]));
    assert!(first.contains("3 added"), "{first}");
    for q in ["quokka", "wombat", "numbat"] {
        assert_eq!(total_hits(dir.path(), "idx", q), 1, "{q}");
    }

    // Later: emptied, corrupted, no longer a zip (sizes change, so do mtimes).
    write(&corpus.join("emptied.txt"), b"");
    write(
        &corpus.join("report.pdf"),
        b"%PDF-1.4\nthis is no longer a PDF",
    );
    write(
        &corpus.join("minutes.docx"),
        b"plain text where a Word document was",
    );
    let out = run(dir.path(), &["index", "corpus", "--index", "idx"]);
    let second = ok(out.clone());
    assert!(second.contains("2 skipped"), "{second}");
    for q in ["quokka", "wombat", "numbat"] {
        assert_eq!(total_hits(dir.path(), "idx", q), 0, "{q} is stale");
    }
    let st = status(dir.path(), "idx");
    let failed: Vec<String> = st["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {}", f["source"], f["reason"]))
        .collect();
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(
        failed.iter().any(|f| f.contains("report.pdf")),
        "{failed:?}"
    );
    assert!(
        failed
            .iter()
            .any(|f| f.contains("minutes.docx") && f.contains("DOCX")),
        "{failed:?}"
    );
    let human = ok(run(dir.path(), &["status", "--index", "idx"]));
    assert!(human.contains("could not be indexed: 2"), "{human}");

    // The next run tries the failed files again, even unchanged.
    let third = ok(run(dir.path(), &["index", "corpus", "--index", "idx"]));
    assert!(third.contains("2 skipped"), "{third}");
    // Mended: indexed again, no longer listed as failed.
    write(
        &corpus.join("report.pdf"),
        &pdf_bytes(&[&["Wombat discharge policy, second edition."]]),
    );
    let fourth = ok(run(dir.path(), &["index", "corpus", "--index", "idx"]));
    assert!(fourth.contains("1 skipped"), "{fourth}");
    assert_eq!(total_hits(dir.path(), "idx", "wombat"), 1);
    assert_eq!(
        status(dir.path(), "idx")["failed"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// Two names that differ only in bytes that are not UTF-8 are two documents.
#[test]
fn names_that_are_not_utf8_stay_apart() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let a = corpus.join(std::ffi::OsStr::from_bytes(b"board\xff.txt"));
    let b = corpus.join(std::ffi::OsStr::from_bytes(b"board\xfe.txt"));
    std::fs::write(&a, "The first paper is about axolotl clinics.\n").unwrap();
    std::fs::write(&b, "The second paper is about pangolin clinics.\n").unwrap();
    let first = ok(run(dir.path(), &["index", "corpus", "--index", "idx"]));
    assert!(first.contains("2 added"), "{first}");
    assert_eq!(status(dir.path(), "idx")["documents"], 2);
    assert_eq!(total_hits(dir.path(), "idx", "axolotl"), 1);
    assert_eq!(total_hits(dir.path(), "idx", "pangolin"), 1);
    // Unchanged on the next run; one deleted goes alone.
    let again = ok(run(dir.path(), &["index", "corpus", "--index", "idx"]));
    assert!(again.contains("2 unchanged"), "{again}");
    std::fs::remove_file(&b).unwrap();
    let third = ok(run(dir.path(), &["index", "corpus", "--index", "idx"]));
    assert!(
        third.contains("1 removed") && third.contains("1 unchanged"),
        "{third}"
    );
    assert_eq!(total_hits(dir.path(), "idx", "axolotl"), 1);
    assert_eq!(total_hits(dir.path(), "idx", "pangolin"), 0);
}

fn many_files(dir: &Path, n: usize, tag: &str) {
    let para = "Integrated care boards plan services with providers and local authorities. ";
    for i in 0..n {
        let mut text = String::new();
        for p in 0..20 {
            text.push_str(&format!("{tag}{i}X{p} {}\n\n", para.repeat(4)));
        }
        write(&dir.join(format!("f{i:05}.txt")), text.as_bytes());
    }
}

/// A rebuild killed at any point leaves the old index whole: queries answer
/// from it until the rebuild's single commit.
#[test]
fn killed_rebuild_leaves_the_old_index_whole() {
    let dir = tempfile::tempdir().unwrap();
    many_files(&dir.path().join("corpus"), 600, "OLD");
    let started = Instant::now();
    ok(run(dir.path(), &["index", "corpus", "--index", "idx"]));
    let build = started.elapsed();
    let want = status(dir.path(), "idx");
    // The folder changes completely; a rebuild starts and is killed.
    std::fs::remove_dir_all(dir.path().join("corpus")).unwrap();
    many_files(&dir.path().join("corpus"), 600, "NEW");
    let mut interrupted = 0;
    for fraction in [0.1, 0.4, 0.7] {
        let mut child = bin()
            .current_dir(dir.path())
            .args([
                "index",
                "corpus",
                "--index",
                "idx",
                "--rebuild",
                "--commit-every",
                "0.01",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(build.mul_f64(fraction));
        if child.try_wait().unwrap().is_some() {
            // The rebuild finished before its kill: nothing to check here.
            break;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        // (Not NEW0X0: file 0's title is its first line, so all its
        // passages match that.)
        if total_hits(dir.path(), "idx", "NEW599X19") == 1 {
            // It committed between the check and the kill: the new index
            // is whole instead, and there is no old one left to check.
            assert_eq!(total_hits(dir.path(), "idx", "OLD599X19"), 0);
            break;
        }
        interrupted += 1;
        let got = status(dir.path(), "idx");
        assert_eq!(
            got["documents"], want["documents"],
            "after a kill at {fraction}"
        );
        assert_eq!(
            got["passages"], want["passages"],
            "after a kill at {fraction}"
        );
        assert_eq!(total_hits(dir.path(), "idx", "OLD599X19"), 1);
        assert_eq!(total_hits(dir.path(), "idx", "NEW0X0"), 0);
    }
    assert!(interrupted >= 1, "every rebuild finished before its kill");
    ok(run(
        dir.path(),
        &["index", "corpus", "--index", "idx", "--rebuild"],
    ));
    assert_eq!(total_hits(dir.path(), "idx", "OLD0X0"), 0);
    assert_eq!(total_hits(dir.path(), "idx", "NEW599X19"), 1);
}

/// Processes whose command line mentions `needle`, other than this one.
fn processes_mentioning(needle: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            if String::from_utf8_lossy(&cmdline).contains(needle) && pid != std::process::id() {
                out.push(pid);
            }
        }
    }
    out
}

/// An extraction child dies with the `index` that started it, even one
/// killed with SIGKILL.
#[test]
fn extraction_children_die_with_their_parent() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    // Thousands of pages: seconds of extraction, in a child process.
    let line = "A long report about integrated care, page after page after page.";
    let page: Vec<&str> = vec![line; 40];
    let pages: Vec<&[&str]> = vec![page.as_slice(); 6000];
    let name = format!("slow-{}.pdf", std::process::id());
    write(&corpus.join(&name), &pdf_bytes(&pages));
    let mut parent: std::process::Child = bin()
        .current_dir(dir.path())
        .args(["index", "corpus", "--index", "idx", "--file-timeout", "600"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let children = loop {
        let found = processes_mentioning(&name);
        if !found.is_empty() {
            break found;
        }
        assert!(
            Instant::now() < deadline && parent.try_wait().unwrap().is_none(),
            "no extraction child seen"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    parent.kill().unwrap();
    parent.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while children
        .iter()
        .any(|pid| Path::new(&format!("/proc/{pid}")).exists() && !is_zombie(*pid))
    {
        assert!(
            Instant::now() < deadline,
            "extraction child outlived its parent by 10 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn is_zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            s.rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
        .unwrap_or(true)
}

/// Every format has the same time per file: text, Markdown and HTML, which
/// are read in this process, are cut off like PDF and DOCX, which are read
/// in a child; the run goes on.
#[test]
fn every_format_has_the_same_time_limit() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    write(
        &corpus.join("good.txt"),
        b"The Dorset Passport joins up records.\n",
    );
    // About 12 MB each: far more than a millisecond of work.
    let para = "Integrated care boards plan services with providers and councils. ";
    let mut text = String::new();
    let mut html = String::from("<html><body>");
    for i in 0..40_000 {
        let p = format!("Paragraph {i}. {}", para.repeat(4));
        text.push_str(&p);
        text.push_str("\n\n");
        html.push_str(&format!("<p>{p}</p>"));
    }
    html.push_str("</body></html>");
    write(&corpus.join("big.txt"), text.as_bytes());
    write(&corpus.join("big.md"), text.as_bytes());
    write(&corpus.join("big.html"), html.as_bytes());
    let out = run(
        dir.path(),
        &[
            "index",
            "corpus",
            "--index",
            "idx",
            "--file-timeout",
            "0.001",
        ],
    );
    let summary = ok(out.clone());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for name in ["big.txt", "big.md", "big.html"] {
        let lines: Vec<&str> = stderr.lines().filter(|l| l.contains(name)).collect();
        assert_eq!(lines.len(), 1, "{stderr}");
        assert!(lines[0].contains("took longer than"), "{stderr}");
    }
    assert!(
        summary.contains("1 added") && summary.contains("3 skipped"),
        "{summary}"
    );
    assert_eq!(total_hits(dir.path(), "idx", "Dorset Passport"), 1);
}

/// Files past --max-file-size are skipped with a warning naming the limit;
/// one that grows past it keeps none of its old passages.
#[test]
fn files_past_the_size_limit_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    write(
        &corpus.join("small.txt"),
        b"The Dorset Passport joins up records.\n",
    );
    write(&corpus.join("grows.txt"), b"Quokka staffing ratios.\n");
    let args = [
        "index",
        "corpus",
        "--index",
        "idx",
        "--max-file-size",
        "1KB",
    ];
    assert!(ok(run(dir.path(), &args)).contains("2 added"));
    write(
        &corpus.join("grows.txt"),
        "Quokka staffing ratios, at length. ".repeat(100).as_bytes(),
    );
    let out = run(dir.path(), &args);
    let summary = ok(out.clone());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(summary.contains("1 skipped"), "{summary}");
    assert!(
        stderr.contains("grows.txt") && stderr.contains("larger than --max-file-size (1000 B)"),
        "{stderr}"
    );
    assert_eq!(total_hits(dir.path(), "idx", "quokka"), 0);
    assert_eq!(total_hits(dir.path(), "idx", "Dorset"), 1);
    // A size that is not one is refused at the command line.
    let out = run(
        dir.path(),
        &[
            "index",
            "corpus",
            "--index",
            "idx",
            "--max-file-size",
            "lots",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
}

/// A PDF whose extraction needs more memory than --max-file-memory is
/// skipped with one warning; the run goes on.
#[test]
fn extraction_memory_is_capped() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    write(
        &corpus.join("good.txt"),
        b"The Dorset Passport joins up records.\n",
    );
    let line = "A long report about integrated care, page after page after page.";
    let page: Vec<&str> = vec![line; 40];
    let pages: Vec<&[&str]> = vec![page.as_slice(); 1500];
    write(&corpus.join("big.pdf"), &pdf_bytes(&pages));
    let out = run(
        dir.path(),
        &[
            "index",
            "corpus",
            "--index",
            "idx",
            "--max-file-memory",
            "24MB",
        ],
    );
    let summary = ok(out.clone());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(summary.contains("1 skipped"), "{summary}");
    assert!(
        stderr.contains("big.pdf") && stderr.contains("memory"),
        "{stderr}"
    );
    assert_eq!(total_hits(dir.path(), "idx", "Dorset"), 1);
}

/// A path that does not exist is one error line, and no index is created.
#[test]
fn a_missing_path_creates_no_index() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["index", "nowhere", "--index", "idx"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("nowhere: no such file or directory"),
        "{stderr}"
    );
    assert!(!dir.path().join("idx").exists());
}
