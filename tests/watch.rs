//! `index --watch`: changes below the paths are indexed as they happen,
//! and a folder that disappears keeps what was indexed from it until it
//! comes back.

mod common;

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Kills the watcher however the test ends.
struct Watching(Child);

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// How many passages `query` finds in `dir/idx` (0 while there is no index).
fn found(dir: &Path, query: &str) -> u64 {
    let out = run(
        dir,
        &["query", query, "--index", "idx", "--json", "--exact"],
    );
    if !matches!(out.status.code(), Some(0 | 1)) {
        return 0;
    }
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    r["total_hits"].as_u64().unwrap()
}

/// Waits up to 30 s for `check`.
fn eventually(what: &str, check: impl Fn() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < Duration::from_secs(30), "never: {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn changes_are_indexed_and_a_folder_that_comes_back_is_watched_again() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    std::fs::write(lib.join("a.txt"), "Virtual wards free hospital beds.\n").unwrap();
    let _watching = Watching(
        bin()
            .current_dir(dir.path())
            .args(["index", "lib", "--index", "idx", "--watch", "--no-progress"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    eventually("the first run", || found(dir.path(), "virtual wards") == 1);

    // A new file, and a changed one.
    std::fs::write(lib.join("b.txt"), "Discharge lounges speed patient flow.\n").unwrap();
    eventually("a new file", || found(dir.path(), "discharge lounges") == 1);
    std::fs::write(lib.join("a.txt"), "Virtual wards free beds in winter.\n").unwrap();
    eventually("a changed file", || {
        found(dir.path(), "beds in winter") == 1
    });

    // The folder goes: what was indexed from it stays.
    let away = dir.path().join("lib-away");
    std::fs::rename(&lib, &away).unwrap();
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(found(dir.path(), "discharge lounges"), 1);

    // It comes back, with one more file: watched and indexed again.
    std::fs::rename(&away, &lib).unwrap();
    std::fs::write(lib.join("c.txt"), "Pharmacy First launched nationally.\n").unwrap();
    eventually("a folder that came back", || {
        found(dir.path(), "pharmacy first") == 1
    });
    std::fs::write(lib.join("d.txt"), "Community diagnostic centres opened.\n").unwrap();
    eventually("a file in it after", || {
        found(dir.path(), "diagnostic centres") == 1
    });
    assert_eq!(found(dir.path(), "discharge lounges"), 1);
}
