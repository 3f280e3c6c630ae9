//! The search page in a real browser: headless Chromium types a query,
//! reads the results, opens one in context, copies a citation and moves by
//! keyboard. Skips with a message where Chromium is not installed (`.ci/run`
//! installs it, and requires it on CI).

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{bin, index_seeds, workdir_with_seeds};
use headless_chrome::{Browser, LaunchOptions, Tab};
use serde_json::Value;

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(cwd: &std::path::Path) -> (Server, String) {
    let mut child = bin()
        .current_dir(cwd)
        .args(["serve", "--index", "idx", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    std::thread::spawn(move || for _ in lines {});
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap()
        .to_string();
    (Server(child), addr)
}

/// The value of a JavaScript expression on the page.
fn js(tab: &Tab, expression: &str) -> Value {
    tab.evaluate(expression, false)
        .unwrap_or_else(|e| panic!("{expression}: {e}"))
        .value
        .unwrap_or(Value::Null)
}

/// Waits (up to 60 s, to detect a hang) until `expression` is true.
fn wait_for(tab: &Tab, expression: &str) {
    let start = Instant::now();
    while js(tab, expression) != Value::Bool(true) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "still false after 60 s: {expression}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn text(tab: &Tab, selector: &str) -> String {
    js(
        tab,
        &format!("(document.querySelector({selector:?}) || {{}}).textContent || ''"),
    )
    .as_str()
    .unwrap_or_default()
    .to_string()
}

#[test]
fn search_open_a_result_and_copy_its_citation_in_chromium() {
    let Some(path) = chromium() else {
        assert!(
            std::env::var_os("POLICY_SEARCH_REQUIRE_CLIENTS").is_none(),
            "chromium is not installed, and this run requires it"
        );
        eprintln!("skipped: chromium is not installed (apt-get install chromium)");
        return;
    };
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let (_server, addr) = serve(dir.path());
    let profile = tempfile::tempdir().unwrap();
    let flags = [
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];
    let browser = Browser::new(
        LaunchOptions::default_builder()
            .path(Some(path))
            .headless(true)
            .sandbox(false)
            .user_data_dir(Some(profile.path().to_path_buf()))
            .args(flags.iter().map(std::ffi::OsStr::new).collect())
            .window_size(Some((1280, 900)))
            .idle_browser_timeout(Duration::from_secs(120))
            .build()
            .unwrap(),
    )
    .expect("start chromium");
    let tab = browser.new_tab().unwrap();
    tab.set_default_timeout(Duration::from_secs(60));
    tab.navigate_to(&format!(
        "http://localhost:{}/",
        addr.rsplit(':').next().unwrap()
    ))
    .unwrap()
    .wait_until_navigated()
    .unwrap();

    // The inline style and script run under the page's policy.
    wait_for(
        &tab,
        "document.querySelectorAll('#collection option').length === 2",
    );
    assert_eq!(
        js(
            &tab,
            "getComputedStyle(document.querySelector('header')).borderBottomStyle"
        ),
        "solid"
    );

    // As-you-type results, with the matched words marked.
    tab.wait_for_element("#q").unwrap().click().unwrap();
    tab.type_str("provider collaboratives ICBs").unwrap();
    wait_for(
        &tab,
        "document.querySelectorAll('#results .hit').length === 20",
    );
    let notes = text(&tab, "#notes");
    assert!(notes.contains("20 of 67 matching passages"), "{notes}");
    let marks: Vec<String> = serde_json::from_value(js(
        &tab,
        "JSON.stringify([...document.querySelectorAll('#results .hit:first-child mark')].map(m => m.textContent))",
    )
    .as_str()
    .map(|s| serde_json::from_str(s).unwrap())
    .unwrap())
    .unwrap();
    assert!(!marks.is_empty());
    for m in &marks {
        let lower = m.to_lowercase();
        assert!(
            lower.starts_with("provider")
                || lower.starts_with("collaborat")
                || lower.starts_with("icb"),
            "{m}"
        );
    }
    let first_title = text(&tab, "#results .hit:first-child .title");
    assert_eq!(first_title, "1. NHS Voices blogs");
    let where_ = text(&tab, "#results .hit:first-child .where");
    assert!(
        where_.contains("seeds/002_e1e7438b0e38e2f4.txt")
            && where_.contains("2022-03-10")
            && where_.contains("line 31"),
        "{where_}"
    );

    // A click shows the passage in context.
    tab.wait_for_element("#results .hit:first-child .show")
        .unwrap()
        .click()
        .unwrap();
    wait_for(
        &tab,
        "!!document.querySelector('#passage:not([hidden]) #target')",
    );
    let quote = text(&tab, "#results .hit:first-child .quote");
    assert_eq!(text(&tab, "#target"), quote);
    assert!(js(
        &tab,
        "document.querySelectorAll('#passage .context').length"
    )
    .as_u64()
    .is_some_and(|n| n >= 2));
    let citation = "NHS Voices blogs (10 March 2022), seeds/002_e1e7438b0e38e2f4.txt, line 31";
    assert!(text(&tab, "#passage").contains(citation));

    // Copy citation.
    tab.wait_for_element("#results .hit:first-child .copy")
        .unwrap()
        .click()
        .unwrap();
    wait_for(
        &tab,
        "document.querySelector('#status').textContent.length > 0",
    );
    let status = text(&tab, "#status");
    assert!(status.ends_with(citation), "{status}");
    assert!(status.starts_with("Copied: ") || status.starts_with("Copy this citation: "));

    // Keyboard alone: Escape closes, a new query, down to the second
    // result, Enter opens it.
    tab.press_key("Escape").unwrap();
    wait_for(&tab, "document.querySelector('#passage').hidden");
    tab.wait_for_element("#q").unwrap().focus().unwrap();
    js(&tab, "document.querySelector('#q').select()");
    tab.type_str("ICB").unwrap();
    tab.press_key("Enter").unwrap();
    wait_for(
        &tab,
        "document.querySelector('#notes').textContent.includes('Also searching')",
    );
    let notes = text(&tab, "#notes");
    assert!(notes.contains("integrated care board"), "{notes}");
    tab.press_key("ArrowDown").unwrap();
    tab.press_key("ArrowDown").unwrap();
    assert_eq!(
        js(&tab, "document.activeElement.getAttribute('aria-label')")
            .as_str()
            .map(|s| s.starts_with("2. ")),
        Some(true)
    );
    tab.press_key("Enter").unwrap();
    wait_for(&tab, "!document.querySelector('#passage').hidden");
    assert_eq!(
        js(&tab, "document.activeElement.id"),
        Value::String("passage".into())
    );

    // Document text is text: markup in a query is shown, never run.
    tab.wait_for_element("#q").unwrap().focus().unwrap();
    js(&tab, "document.querySelector('#q').select()");
    tab.type_str("<img src=x onerror=alert(1)>").unwrap();
    tab.press_key("Enter").unwrap();
    wait_for(
        &tab,
        "document.querySelector('#notes').textContent.length > 0",
    );
    assert_eq!(js(&tab, "document.querySelectorAll('img').length"), 0);
}
