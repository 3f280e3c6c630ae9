//! Where the index lives by default: `./index` beside `seeds/` (the
//! repository's layout), else the per-user data folder, which the built-in
//! seeds never fill; the same library answers from any folder.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;

/// Runs the binary in `cwd` with its data folder at `data`.
fn run_in(data: &Path, cwd: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(cwd)
        .env("XDG_DATA_HOME", data)
        .env("XDG_CONFIG_HOME", data.with_file_name("config"))
        .env_remove("POLICY_SEARCH_CONFIG")
        .args(args)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn outside_the_repository_the_index_is_the_users_and_found_from_any_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, here, elsewhere) = (
        tmp.path().join("data"),
        tmp.path().join("work"),
        tmp.path().join("elsewhere"),
    );
    std::fs::create_dir_all(here.join("reports")).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(
        here.join("reports/discharge.txt"),
        "Delayed discharge cost the trust eleven thousand bed days last winter.\n",
    )
    .unwrap();

    let out = run_in(&data, &here, &["index", "reports", "--no-progress"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let user_index = data.join("policy-search").join("index");
    assert!(
        user_index.join("meta.json").is_file(),
        "index not in the data folder"
    );
    assert!(!here.join("index").exists(), "an ./index was created");

    let out = run_in(&data, &elsewhere, &["query", "delayed discharge", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let hits: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let quote = hits["hits"][0]["quote"].as_str().unwrap();
    assert!(quote.contains("eleven thousand bed days"), "{quote}");
    assert!(!elsewhere.join("index").exists());

    let status = run_in(&data, &elsewhere, &["status"]);
    assert!(
        String::from_utf8_lossy(&status.stdout).contains("policy-search/index"),
        "status does not name the index: {}",
        String::from_utf8_lossy(&status.stdout)
    );
}

#[test]
fn the_users_index_is_never_filled_from_seeds() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, cwd) = (tmp.path().join("data"), tmp.path().join("work"));
    std::fs::create_dir_all(&cwd).unwrap();

    // A first query with no library says how to make one and builds nothing.
    let out = run_in(&data, &cwd, &["query", "provider collaboratives"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("policy-search/index"), "{err}");
    assert!(!err.contains("seeds"), "{err}");
    assert!(!data.join("policy-search").exists(), "an index was created");

    // `index` with nothing to read says what to give it.
    let out = run_in(&data, &cwd, &["index"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("nothing to index"),
        "{}",
        stderr(&out)
    );
    assert!(!data.join("policy-search").exists());
}

#[test]
fn in_the_repository_layout_the_index_is_local_and_seeded() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let repo = workdir_with_seeds();

    let out = run_in(
        &data,
        repo.path(),
        &["query", "provider collaboratives", "-n", "1"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("building one from seeds"),
        "{}",
        stderr(&out)
    );
    assert!(repo.path().join("index/meta.json").is_file());
    assert!(!data.exists(), "the user's data folder was touched");

    // An existing ./index is still found once seeds/ is gone.
    std::fs::remove_dir_all(repo.path().join("seeds")).unwrap();
    let out = run_in(
        &data,
        repo.path(),
        &["query", "provider collaboratives", "-n", "1"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!data.exists());
}
