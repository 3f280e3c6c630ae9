//! The index directory as users find it: damaged, locked, shared between
//! processes, unreadable, on a full disk. Every command answers or fails
//! with one clear line; none panics, aborts or hangs.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use wait_timeout::ChildExt;

/// Long enough for any command here on a slow machine; only a hang takes it.
const HANG: Duration = Duration::from_secs(60);

/// How a command ended.
#[derive(Debug)]
struct Ended {
    code: Option<i32>,
    signal: Option<i32>,
    stdout: String,
    stderr: String,
    hung: bool,
}

/// Runs `cmd` to its end, or kills it after `limit`.
fn bounded(mut cmd: Command, limit: Duration) -> Ended {
    use std::os::unix::process::ExitStatusExt;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out_pipe.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err_pipe.read_to_end(&mut s);
        s
    });
    let (status, hung) = match child.wait_timeout(limit).unwrap() {
        Some(status) => (status, false),
        None => {
            let _ = child.kill();
            (child.wait().unwrap(), true)
        }
    };
    Ended {
        code: status.code(),
        signal: status.signal(),
        stdout: String::from_utf8_lossy(&out_reader.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned(),
        hung,
    }
}

/// Runs `policy-search ARGS` in `cwd`, bounded by [`HANG`].
fn run_bounded(cwd: &Path, args: &[&str]) -> Ended {
    let mut cmd = bin();
    cmd.current_dir(cwd).args(args);
    bounded(cmd, HANG)
}

/// A small deterministic generator (xorshift), so a failing trial can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The files of an index directory, lock files aside, sorted.
fn index_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            p.is_file() && !name.ends_with(".lock")
        })
        .collect();
    files.sort();
    files
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// Writes `n` generated documents of `paragraphs` paragraphs each, with code words.
fn corpus(dir: &Path, n: usize, paragraphs: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        let mut text = format!("Board paper {i}\n\n");
        for p in 0..paragraphs {
            text.push_str(&format!(
                "Paragraph {p} of paper {i}: the integrated care board (ICB) will work with provider collaboratives on finance, workforce and elective recovery. Reference DOC{i}X{p}.\n\n"
            ));
        }
        std::fs::write(dir.join(format!("paper{i}.txt")), text).unwrap();
    }
}

/// Damages one file of the index in `dir` at random; says what it did.
fn damage(dir: &Path, rng: &mut Rng) -> String {
    let files = index_files(dir);
    let file = &files[rng.below(files.len() as u64) as usize];
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let mut bytes = std::fs::read(file).unwrap();
    match rng.below(10) {
        0..=4 if !bytes.is_empty() => {
            let flips = 1 + rng.below(4);
            for _ in 0..flips {
                let at = rng.below(bytes.len() as u64) as usize;
                bytes[at] ^= 1 << rng.below(8);
            }
            std::fs::write(file, &bytes).unwrap();
            format!("{flips} bit flips in {name}")
        }
        5..=7 => {
            let len = rng.below(bytes.len() as u64) as usize;
            bytes.truncate(len);
            std::fs::write(file, &bytes).unwrap();
            format!("{name} truncated to {len} bytes")
        }
        8 => {
            std::fs::remove_file(file).unwrap();
            format!("{name} deleted")
        }
        _ => {
            let len = rng.below(bytes.len() as u64 + 1) as usize;
            let start = rng.below((bytes.len() - len) as u64 + 1) as usize;
            for b in &mut bytes[start..start + len] {
                *b = rng.next() as u8;
            }
            std::fs::write(file, &bytes).unwrap();
            format!("{len} random bytes at {start} in {name}")
        }
    }
}

/// What a command did with a damaged index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    /// Answered (the damage was not in what it read).
    Answered,
    /// Failed with the one-line damaged-index error.
    Damaged,
    /// Failed with another one-line error.
    OtherError,
    /// Printed a panic, more than one line, or nothing on failure.
    Unclear,
    /// Killed by a signal (abort, segfault, bus error).
    Signal,
    /// Did not finish.
    Hung,
}

fn classify(e: &Ended) -> Class {
    if e.hung {
        return Class::Hung;
    }
    if e.signal.is_some() {
        return Class::Signal;
    }
    let lines = e.stderr.lines().count();
    let clean = !e.stderr.contains("panicked") && !e.stderr.contains("RUST_BACKTRACE");
    match e.code {
        Some(0 | 1) if clean => Class::Answered,
        Some(2) if clean && lines == 1 && e.stderr.contains(" is damaged: ") => Class::Damaged,
        Some(2) if clean && lines == 1 => Class::OtherError,
        _ => Class::Unclear,
    }
}

/// Randomly damaged indexes, many times: every command answers (the damage
/// was where it did not read) or fails with the one-line damaged-index
/// error; none panics, aborts or hangs. Prints the outcomes by class. `DAMAGE_TRIALS` sets the
/// number of trials (default 300), `DAMAGE_SEED` the first seed.
#[test]
#[ignore = "a few minutes; run with --ignored"]
fn random_damage_never_panics_aborts_or_hangs() {
    let trials: u64 = std::env::var("DAMAGE_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let seed: u64 = std::env::var("DAMAGE_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let dir = workdir_with_seeds();
    corpus(&dir.path().join("seeds/board"), 60, 30);
    index_seeds(dir.path());
    let pristine = dir.path().join("idx");
    std::fs::write(
        dir.path().join("queries.tsv"),
        "1\tintegrated care\n2\tDOC7X3 workforce\n3\t\"elective recovery\"\n",
    )
    .unwrap();
    let commands: &[&[&str]] = &[
        &[
            "query",
            "integrated care board",
            "--index",
            "t",
            "--json",
            "-n",
            "30",
        ],
        &["status", "--index", "t"],
        &["glossary", "--index", "t", "--json"],
        &[
            "query",
            "--batch",
            "queries.tsv",
            "--format",
            "trec",
            "--index",
            "t",
        ],
    ];
    let mut counts: std::collections::BTreeMap<(usize, Class), u64> = Default::default();
    let mut bad = Vec::new();
    for trial in 0..trials {
        let mut rng =
            Rng(0x9E37_79B9_7F4A_7C15 ^ (seed + trial).wrapping_mul(0x2545_F491_4F6C_DD1D));
        let t = dir.path().join("t");
        let _ = std::fs::remove_dir_all(&t);
        copy_dir(&pristine, &t);
        let what = damage(&t, &mut rng);
        for (i, args) in commands.iter().enumerate() {
            let ended = run_bounded(dir.path(), args);
            let class = classify(&ended);
            *counts.entry((i, class)).or_default() += 1;
            if class >= Class::OtherError {
                bad.push(format!(
                    "trial {} ({what}): {} -> {class:?} {:?} {}",
                    seed + trial,
                    args[0],
                    ended.code.or(ended.signal.map(|s| 128 + s)),
                    ended.stderr.lines().take(3).collect::<Vec<_>>().join(" | ")
                ));
            }
        }
    }
    for ((i, class), n) in &counts {
        let label = match commands[*i] {
            [first, "--batch", ..] => format!("{first} --batch"),
            [first, ..] => first.to_string(),
            [] => String::new(),
        };
        eprintln!("{label:<13} {class:?}: {n}");
    }
    for line in &bad {
        eprintln!("{line}");
    }
    assert!(
        bad.is_empty(),
        "{} of {} runs unclear",
        bad.len(),
        trials * commands.len() as u64
    );
}

/// Files of one segment of the index in `dir` with extension `ext`.
fn segment_file(dir: &Path, ext: &str) -> PathBuf {
    index_files(dir)
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == ext))
        .unwrap_or_else(|| panic!("no .{ext} file in {}", dir.display()))
}

/// Flips the top bit of the length of a composite file's table of fields
/// (the last four bytes before tantivy's footer): read by every command.
fn flip_table_length(file: &Path) {
    let mut bytes = std::fs::read(file).unwrap();
    let n = bytes.len();
    let footer = u32::from_le_bytes(bytes[n - 8..n - 4].try_into().unwrap()) as usize;
    let body_end = n - 8 - footer;
    bytes[body_end - 1] ^= 0x80;
    std::fs::write(file, bytes).unwrap();
}

/// The commands that read an index, against the index `t`.
fn reading_commands() -> Vec<Vec<&'static str>> {
    vec![
        vec!["query", "integrated care", "--index", "t"],
        vec![
            "query",
            "--batch",
            "queries.tsv",
            "--format",
            "trec",
            "--index",
            "t",
        ],
        vec!["status", "--index", "t"],
        vec!["status", "--index", "t", "--json"],
        vec!["glossary", "--index", "t"],
        vec![
            "eval",
            "--queries",
            "queries.tsv",
            "--qrels",
            "qrels.tsv",
            "--index",
            "t",
        ],
        vec!["index", "seeds", "--index", "t"],
    ]
}

fn assert_damaged(ended: &Ended, what: &str, names: &str) {
    assert_eq!(ended.code, Some(2), "{what}: {ended:?}");
    let err = ended.stderr.trim_end();
    assert_eq!(err.lines().count(), 1, "{what}: {err}");
    assert!(
        err.starts_with("policy-search: error: index at t is damaged: "),
        "{what}: {err}"
    );
    assert!(err.contains(names), "{what}: names {names:?}: {err}");
    assert!(
        err.ends_with("(hint: run `policy-search index --rebuild PATH... --index t`)"),
        "{what}: {err}"
    );
}

#[test]
fn a_damaged_index_is_one_clear_line_and_a_rebuild_replaces_it() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    std::fs::write(dir.path().join("queries.tsv"), "1\tintegrated care\n").unwrap();
    std::fs::write(
        dir.path().join("qrels.tsv"),
        "query-id\tcorpus-id\tscore\n1\tseeds/000_71aee3dbbd5e3e66.txt\t1\n",
    )
    .unwrap();
    let pristine = dir.path().join("idx");
    let t = dir.path().join("t");
    type Damage = fn(&Path) -> String;
    let damages: &[(&str, Damage)] = &[
        ("a bit flip", |t| {
            let f = segment_file(t, "term");
            flip_table_length(&f);
            format!("{} fails its checksum", name_of(&f))
        }),
        ("a truncated segment file", |t| {
            let f = segment_file(t, "store");
            let len = std::fs::metadata(&f).unwrap().len();
            std::fs::OpenOptions::new()
                .write(true)
                .open(&f)
                .unwrap()
                .set_len(len / 2)
                .unwrap();
            format!("{} is truncated", name_of(&f))
        }),
        ("a missing segment file", |t| {
            let f = segment_file(t, "fieldnorm");
            std::fs::remove_file(&f).unwrap();
            format!("{} is missing", name_of(&f))
        }),
        ("a missing meta.json", |t| {
            std::fs::remove_file(t.join("meta.json")).unwrap();
            "meta.json is missing".to_string()
        }),
        ("garbage in meta.json", |t| {
            std::fs::write(t.join("meta.json"), "{\"segments\": [garbage").unwrap();
            "meta.json is not valid index metadata".to_string()
        }),
        ("garbage in .managed.json", |t| {
            std::fs::write(t.join(".managed.json"), [0xff, 0x00, 0x7b]).unwrap();
            ".managed.json is not a valid list of files".to_string()
        }),
    ];
    for (what, damage) in damages {
        let _ = std::fs::remove_dir_all(&t);
        copy_dir(&pristine, &t);
        let names = damage(&t);
        for args in reading_commands() {
            let ended = run_bounded(dir.path(), &args);
            assert_damaged(&ended, &format!("{what}, {}", args.join(" ")), &names);
        }
        let verify = run_bounded(dir.path(), &["status", "--verify", "--index", "t"]);
        assert_damaged(&verify, &format!("{what}, status --verify"), &names);
        assert!(verify.stdout.contains("DAMAGED"), "{}", verify.stdout);
        let verify = run_bounded(
            dir.path(),
            &["status", "--verify", "--json", "--index", "t"],
        );
        assert_damaged(&verify, &format!("{what}, status --verify --json"), &names);
        let report: serde_json::Value = serde_json::from_str(&verify.stdout).unwrap();
        assert_eq!(report["sound"], false);

        let rebuilt = run_bounded(dir.path(), &["index", "--rebuild", "seeds", "--index", "t"]);
        assert_eq!(rebuilt.code, Some(0), "{what}: rebuild: {rebuilt:?}");
        let q = run_bounded(dir.path(), &["query", "Dorset Passport", "--index", "t"]);
        assert_eq!(q.code, Some(0), "{what}: after rebuild: {q:?}");
        let verify = run_bounded(dir.path(), &["status", "--verify", "--index", "t"]);
        assert_eq!(verify.code, Some(0), "{what}: after rebuild: {verify:?}");
        assert!(
            verify.stdout.contains("result:   sound"),
            "{}",
            verify.stdout
        );
    }
}

fn name_of(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn verify_reports_every_file_of_a_sound_index() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let out = run_bounded(
        dir.path(),
        &["status", "--verify", "--index", "idx", "--json"],
    );
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["sound"], true);
    let checked: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    for file in index_files(&dir.path().join("idx")) {
        let name = name_of(&file);
        assert!(checked.contains(&name.as_str()), "{name} not checked");
    }
    assert!(report["segments"].as_u64().unwrap() >= 1);
}

fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}

#[test]
fn fifos_and_directories_in_an_index_never_block_a_command() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let pristine = dir.path().join("idx");
    let t = dir.path().join("t");
    let store = name_of(&segment_file(&pristine, "store"));
    let names = [
        ".tantivy-writer.lock",
        ".tantivy-meta.lock",
        "meta.json",
        ".managed.json",
        store.as_str(),
    ];
    for name in names {
        for fifo in [true, false] {
            let _ = std::fs::remove_dir_all(&t);
            copy_dir(&pristine, &t);
            let path = t.join(name);
            let _ = std::fs::remove_file(&path);
            if fifo {
                mkfifo(&path);
            } else {
                std::fs::create_dir(&path).unwrap();
            }
            let expected = if name.ends_with(".lock") {
                format!("policy-search: error: t/{name}: not a regular file; remove it")
            } else {
                format!("policy-search: error: index at t is damaged: {name} is not a regular file")
            };
            for args in [
                &["query", "integrated care", "--index", "t"][..],
                &["status", "--index", "t"],
                &["glossary", "--index", "t"],
                &["index", "seeds", "--index", "t"],
            ] {
                let what = format!(
                    "{name} as a {}: {}",
                    if fifo { "FIFO" } else { "directory" },
                    args[0]
                );
                let ended = run_bounded(dir.path(), args);
                assert!(!ended.hung, "{what}: hung");
                assert_eq!(ended.code, Some(2), "{what}: {ended:?}");
                assert_eq!(ended.stderr.lines().count(), 1, "{what}: {}", ended.stderr);
                assert!(
                    ended.stderr.starts_with(&expected),
                    "{what}: {}",
                    ended.stderr
                );
            }
        }
    }
    // A FIFO in place of the writer lock of a new index.
    let fresh = dir.path().join("fresh");
    std::fs::create_dir(&fresh).unwrap();
    mkfifo(&fresh.join(".tantivy-writer.lock"));
    let ended = run_bounded(dir.path(), &["index", "seeds", "--index", "fresh"]);
    assert!(!ended.hung && ended.code == Some(2), "{ended:?}");
    assert!(
        ended
            .stderr
            .contains("fresh/.tantivy-writer.lock: not a regular file; remove it"),
        "{}",
        ended.stderr
    );
}

fn is_root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

/// Mode bits of a file.
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Another user can read an index as its files' modes say: its metadata
/// files take the umask's mode like the rest (tantivy writes them 0600).
/// As root the check runs the binary as `nobody`; otherwise it compares
/// the modes only.
#[test]
fn other_users_can_read_an_index_the_umask_lets_them_read() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let idx = dir.path().join("idx");
    let segment = mode(&segment_file(&idx, "store"));
    for name in ["meta.json", ".managed.json"] {
        assert_eq!(mode(&idx.join(name)), segment, "{name}");
    }
    if !is_root() {
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let Some(mut cmd) = as_nobody(dir.path()) else {
        eprintln!("skipping the run as another user: `nobody` cannot run the binary here");
        return;
    };
    cmd.args(["query", "Dorset Passport", "--index", "idx"]);
    let ended = bounded(cmd, HANG);
    assert_eq!(ended.code, Some(0), "{ended:?}");
}

/// An index another user cannot read (written under a restrictive umask)
/// is "permission denied" naming the file, not an "incompatible version".
/// Root reads any file, so as root this runs the binary as `nobody` (and
/// skips, saying so, if that is not possible); otherwise it makes the files
/// unreadable to their owner.
#[test]
fn an_unreadable_index_is_permission_denied_naming_the_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let idx = dir.path().join("idx");
    let private = if is_root() { 0o600 } else { 0o000 };
    for name in ["meta.json", ".managed.json"] {
        std::fs::set_permissions(idx.join(name), std::fs::Permissions::from_mode(private)).unwrap();
    }
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    for args in [
        &["query", "Dorset", "--index", "idx"][..],
        &["status", "--index", "idx"],
        &["status", "--verify", "--index", "idx"],
        &["glossary", "--index", "idx"],
        &["index", "seeds", "--index", "idx"],
    ] {
        let cmd = if is_root() {
            match as_nobody(dir.path()) {
                Some(cmd) => cmd,
                None => {
                    eprintln!("skipping: running as root, and `nobody` cannot run the binary here");
                    return;
                }
            }
        } else {
            let mut cmd = bin();
            cmd.current_dir(dir.path());
            cmd
        };
        let mut cmd = cmd;
        cmd.args(args);
        let ended = bounded(cmd, HANG);
        let what = args.join(" ");
        assert_eq!(ended.code, Some(2), "{what}: {ended:?}");
        let err = ended.stderr.trim_end();
        assert_eq!(err.lines().count(), 1, "{what}: {err}");
        assert!(
            err.starts_with("policy-search: error: idx/.managed.json: Permission denied")
                || err.starts_with("policy-search: error: idx/meta.json: Permission denied"),
            "{what}: {err}"
        );
        assert!(err.contains("(hint: you lack permission"), "{what}: {err}");
        assert!(!err.contains("incompatible"), "{what}: {err}");
    }
}

/// An empty `POLICY_SEARCH_INDEX` counts as unset (as `${VAR:-default}`):
/// the default index, built from `seeds/` on first use.
#[test]
fn an_empty_index_variable_counts_as_unset() {
    let dir = workdir_with_seeds();
    let mut cmd = bin();
    cmd.current_dir(dir.path())
        .env("POLICY_SEARCH_INDEX", "")
        .args(["query", "Dorset Passport", "--json"]);
    let ended = bounded(cmd, HANG);
    assert_eq!(ended.code, Some(0), "{ended:?}");
    assert!(dir.path().join("index/meta.json").exists());
    let mut cmd = bin();
    cmd.current_dir(dir.path())
        .env("POLICY_SEARCH_INDEX", "")
        .args(["status", "--json"]);
    let ended = bounded(cmd, HANG);
    assert_eq!(ended.code, Some(0), "{ended:?}");
    let status: serde_json::Value = serde_json::from_str(&ended.stdout).unwrap();
    assert_eq!(status["index"], "index");
}

/// Commands that read an index create nothing where there is none.
#[test]
fn reading_commands_never_create_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("queries.tsv"), "1\tcare\n").unwrap();
    std::fs::write(dir.path().join("qrels.tsv"), "1\t0\tdoc\t1\n").unwrap();
    for index in ["nowhere", "nowhere/deeper"] {
        for args in [
            &["query", "care", "--index", index][..],
            &[
                "query",
                "--batch",
                "queries.tsv",
                "--format",
                "trec",
                "--index",
                index,
            ],
            &["status", "--index", index],
            &["status", "--verify", "--index", index],
            &["glossary", "--index", index],
            &[
                "eval",
                "--queries",
                "queries.tsv",
                "--qrels",
                "qrels.tsv",
                "--index",
                index,
            ],
        ] {
            let ended = run_bounded(dir.path(), args);
            let what = args.join(" ");
            if args[0] == "glossary" {
                // The built-in glossary needs no index.
                assert_eq!(ended.code, Some(0), "{what}: {ended:?}");
            } else {
                assert_eq!(ended.code, Some(2), "{what}: {ended:?}");
                assert!(
                    ended.stderr.contains("no index at"),
                    "{what}: {}",
                    ended.stderr
                );
            }
            assert!(
                !dir.path().join("nowhere").exists(),
                "{what} created a directory"
            );
        }
    }
    // Without seeds/ beside it, the default index is not built either.
    let ended = run_bounded(dir.path(), &["query", "care"]);
    assert_eq!(ended.code, Some(2), "{ended:?}");
    assert!(!dir.path().join("index").exists(), "query created index/");
}

/// Runs `policy-search ARGS` in `cwd`, in the background.
fn spawn(cwd: &Path, args: &[&str]) -> std::process::Child {
    bin()
        .current_dir(cwd)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn")
}

/// Several first queries at once in a fresh project (seeds/, no index/):
/// one builds the default index, the others wait for it; all answer alike.
#[test]
fn first_queries_at_once_build_the_default_index_once_and_all_answer() {
    for round in 0..3 {
        let dir = workdir_with_seeds();
        let children: Vec<_> = (0..6)
            .map(|_| spawn(dir.path(), &["query", "Dorset Passport", "--json"]))
            .collect();
        let mut outputs = Vec::new();
        let mut builders = 0;
        for mut child in children {
            let status = child.wait_timeout(HANG).unwrap();
            if status.is_none() {
                let _ = child.kill();
                panic!("round {round}: a first query hung");
            }
            let out = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr).into_owned();
            assert_eq!(out.status.code(), Some(0), "round {round}: {err}");
            assert!(err.lines().count() <= 1, "round {round}: {err}");
            if err.contains("building one from seeds") {
                builders += 1;
            } else {
                assert!(err.is_empty() || err.contains("waiting for it"), "{err}");
            }
            outputs.push(out.stdout);
        }
        assert_eq!(
            builders, 1,
            "round {round}: the index was built {builders} times"
        );
        assert!(
            outputs.windows(2).all(|w| w[0] == w[1]),
            "round {round}: answers differ"
        );
        let r: serde_json::Value = serde_json::from_slice(&outputs[0]).unwrap();
        assert_eq!(r["hits"][0]["source"], "seeds/004_3e4b89af7cfd2ffb.txt");
    }
}

/// A first-use build that was cut short (the process killed) is done again
/// by the next query rather than read half-made.
#[test]
fn a_first_use_build_cut_short_is_done_again() {
    let dir = workdir_with_seeds();
    let first = run_bounded(dir.path(), &["query", "Dorset Passport"]);
    assert_eq!(first.code, Some(0), "{first:?}");
    // As a killed build leaves it: the mark, and only the empty first commit.
    std::fs::write(dir.path().join("index/.policy-search-building"), "").unwrap();
    let rebuilt = run_bounded(
        dir.path(),
        &["index", "--rebuild", "seeds/004_3e4b89af7cfd2ffb.txt"],
    );
    assert_eq!(rebuilt.code, Some(0), "{rebuilt:?}");
    let again = run_bounded(
        dir.path(),
        &["query", "integrated care", "--json", "-n", "50"],
    );
    assert_eq!(again.code, Some(0), "{again:?}");
    assert!(
        again.stderr.contains("building one from seeds"),
        "{}",
        again.stderr
    );
    let r: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    let sources: std::collections::BTreeSet<&str> = r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["source"].as_str().unwrap())
        .collect();
    assert!(
        sources.len() > 1,
        "only {sources:?}: the build was not redone"
    );
    assert!(!dir.path().join("index/.policy-search-building").exists());
}

/// Queries and status during a long `index` run into a new index, from the
/// moment its directory appears: each reads the last commit, none fails
/// because the writer is busy (or has not committed yet).
#[test]
fn reading_during_a_long_index_run_never_fails() {
    let dir = tempfile::tempdir().unwrap();
    corpus(&dir.path().join("big"), 400, 40);
    let mut writer = spawn(
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
    let start = std::time::Instant::now();
    let (mut queries, mut answered) = (0, 0);
    while writer.try_wait().unwrap().is_none() && start.elapsed() < Duration::from_secs(120) {
        if !dir.path().join("idx/meta.json").exists() {
            continue;
        }
        for args in [
            &["query", "DOC7X3", "--index", "idx", "--json"][..],
            &["status", "--index", "idx", "--json"],
        ] {
            let ended = run_bounded(dir.path(), args);
            assert!(
                matches!(ended.code, Some(0 | 1)) && ended.stderr.is_empty(),
                "{} during indexing: {ended:?}",
                args[0]
            );
            queries += 1;
            answered += usize::from(args[0] == "query" && ended.code == Some(0));
        }
    }
    let out = writer.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(queries >= 4, "indexing finished before commands could run");
    let last = run_bounded(dir.path(), &["query", "DOC399X39", "--index", "idx"]);
    assert_eq!(last.code, Some(0), "{last:?}");
    eprintln!("{queries} commands during indexing, {answered} queries with hits");
}

/// Segment files in an index directory that its last commit does not use.
fn orphans(dir: &Path) -> Vec<String> {
    let out = bin()
        .args(["status", "--verify", "--json", "--index"])
        .arg(dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let used: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    index_files(dir)
        .iter()
        .map(|p| name_of(p))
        .filter(|n| !n.starts_with('.') && n != "meta.json" && !used.contains(&n.as_str()))
        .collect()
}

fn total_hits(cwd: &Path, index: &str, query: &str) -> u64 {
    let ended = run_bounded(cwd, &["query", query, "--index", index, "--json"]);
    assert!(matches!(ended.code, Some(0 | 1)), "{ended:?}");
    let v: serde_json::Value = serde_json::from_str(&ended.stdout).unwrap();
    v["total_hits"].as_u64().unwrap()
}

/// A write that fails midway (here: files capped at 64 KB with
/// `RLIMIT_FSIZE`, which any user may set, so the write fails with EFBIG as
/// it would with ENOSPC on a full disk): one line naming the cause, the
/// index at its last commit, and the next run removes the segment files the
/// failed one left.
#[test]
fn a_failed_write_keeps_the_last_commit_and_the_next_run_removes_its_files() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("small")).unwrap();
    std::fs::write(
        dir.path().join("small/s.txt"),
        "A small paper on the Dorset Passport.\n",
    )
    .unwrap();
    index_into_idx(dir.path(), "small");
    corpus(&dir.path().join("big"), 200, 40);
    let mut cmd = bin();
    cmd.current_dir(dir.path())
        .args(["index", "big", "--index", "idx", "--threads", "1"]);
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 64 * 1024,
                rlim_max: 64 * 1024,
            };
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let ended = bounded(cmd, HANG);
    assert_eq!(ended.code, Some(2), "{ended:?}");
    let err = ended.stderr.trim_end();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("File too large"), "{err}");
    assert!(
        err.contains("(hint: a file would pass the largest size"),
        "{err}"
    );
    assert_eq!(total_hits(dir.path(), "idx", "Dorset Passport"), 1);
    assert_eq!(total_hits(dir.path(), "idx", "DOC7X3"), 0);
    let idx = dir.path().join("idx");
    assert!(
        !orphans(&idx).is_empty(),
        "the failed run left nothing to clean"
    );
    // As a crash between creating a file and listing it in .managed.json,
    // or while replacing meta.json, leaves them: tantivy never removes these.
    std::fs::write(idx.join("0123456789abcdef0123456789abcdef.store"), "half").unwrap();
    std::fs::write(idx.join(".meta.json.4242-0.tmp"), "{").unwrap();

    std::fs::write(dir.path().join("small/t.txt"), "Virtual wards.\n").unwrap();
    let again = run_bounded(dir.path(), &["index", "small", "--index", "idx"]);
    assert_eq!(again.code, Some(0), "{again:?}");
    assert_eq!(orphans(&idx), Vec::<String>::new());
    assert!(!idx.join(".meta.json.4242-0.tmp").exists());
    assert_eq!(total_hits(dir.path(), "idx", "virtual wards"), 1);
}

/// Mounts a small tmpfs for the life of the value (needs root; tests skip otherwise).
struct TmpFs(PathBuf);

impl TmpFs {
    fn mount(path: &Path, size: &str) -> Option<TmpFs> {
        std::fs::create_dir_all(path).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(path)
            .stderr(Stdio::null())
            .status()
            .ok()?
            .success();
        ok.then(|| TmpFs(path.to_path_buf()))
    }
}

impl Drop for TmpFs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A full disk during `index`: "No space left on device" naming the index,
/// the index at its last commit, and the next run, on the same disk, first
/// removes what the failed one left, so it has room. Needs a small tmpfs
/// (root); skips otherwise.
#[test]
fn a_full_disk_keeps_the_last_commit_and_the_next_run_has_room_again() {
    let dir = tempfile::tempdir().unwrap();
    let Some(_disk) = TmpFs::mount(&dir.path().join("disk"), "2m") else {
        eprintln!("skipping: cannot mount a tmpfs here (needs root)");
        return;
    };
    std::fs::create_dir(dir.path().join("small")).unwrap();
    std::fs::write(
        dir.path().join("small/s.txt"),
        "A small paper on the Dorset Passport.\n",
    )
    .unwrap();
    let first = run_bounded(dir.path(), &["index", "small", "--index", "disk/idx"]);
    assert_eq!(first.code, Some(0), "{first:?}");
    corpus(&dir.path().join("big"), 200, 100);
    let full = run_bounded(
        dir.path(),
        &["index", "big", "--index", "disk/idx", "--threads", "1"],
    );
    assert_eq!(full.code, Some(2), "{full:?}");
    let err = full.stderr.trim_end();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("policy-search: error: disk/idx")
            && err.contains("No space left on device"),
        "{err}"
    );
    assert!(err.contains("(hint: the disk is full"), "{err}");
    assert_eq!(total_hits(dir.path(), "disk/idx", "Dorset Passport"), 1);

    std::fs::write(dir.path().join("small/t.txt"), "Virtual wards.\n").unwrap();
    let again = run_bounded(dir.path(), &["index", "small", "--index", "disk/idx"]);
    assert_eq!(again.code, Some(0), "the next run had no room: {again:?}");
    assert_eq!(orphans(&dir.path().join("disk/idx")), Vec::<String>::new());
    assert_eq!(total_hits(dir.path(), "disk/idx", "virtual wards"), 1);
}
