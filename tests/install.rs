//! What an install sets up beside the binary: shell completions and manual
//! pages, from the same definitions as `--help`.

mod common;

use common::*;

fn stdout(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    run_ok(dir.path(), args)
}

#[test]
fn completions_for_each_shell_know_the_commands() {
    let bash = stdout(&["completions", "bash"]);
    for command in ["query", "show", "export", "list", "forget", "serve"] {
        assert!(bash.contains(command), "bash completion lacks {command}");
    }
    assert!(stdout(&["completions", "zsh"]).starts_with("#compdef policy-search"));
    assert!(stdout(&["completions", "fish"]).contains("complete -c policy-search"));
    assert!(stdout(&["completions", "powershell"]).contains("Register-ArgumentCompleter"));
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));

    // Bash itself loads the script and registers it.
    let script = dir.path().join("policy-search.bash");
    std::fs::write(&script, &bash).unwrap();
    if let Ok(out) = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source '{}' && complete -p policy-search",
            script.display()
        ))
        .output()
    {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("policy-search"));
    }
}

#[test]
fn manual_pages_for_the_tool_and_each_command() {
    let page = stdout(&["man"]);
    assert!(
        page.contains(".TH policy-search"),
        "{}",
        &page[..page.len().min(200)]
    );
    assert!(page.contains("query"));
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["man", "--dir", "pages"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in [
        "policy-search.1",
        "policy-search-query.1",
        "policy-search-index.1",
    ] {
        let text = std::fs::read_to_string(dir.path().join("pages").join(name)).unwrap();
        assert!(text.starts_with(".ie") || text.contains(".TH"), "{name}");
    }
    let query = std::fs::read_to_string(dir.path().join("pages/policy-search-query.1")).unwrap();
    assert!(
        query.contains("since"),
        "the query page documents its options"
    );
}

#[test]
fn help_names_every_format_and_teaches_the_query_syntax() {
    let index = stdout(&["index", "--help"]);
    assert!(index.contains(".pdf, .html, .docx"), "{index}");
    let query = stdout(&["query", "--help"]);
    for example in [
        "\"place-based partnerships\"",
        "collab*",
        "+finance -Dorset",
        "title:",
        "--since",
    ] {
        assert!(query.contains(example), "query --help lacks {example}");
    }
}
