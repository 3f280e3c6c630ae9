//! `serve`: the JSON API against the built binary, on a free loopback port.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{bin, index_seeds, run, workdir_with_seeds};
use serde_json::Value;

/// A running `serve`, stopped when dropped.
pub struct Served {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// The first line it wrote on stderr.
    pub first_line: String,
}

impl Served {
    /// Starts `serve --index idx --port 0 EXTRA...` in `cwd` and waits for
    /// the line that names its address.
    pub fn start(cwd: &Path, extra: &[&str]) -> Served {
        let mut child = bin()
            .current_dir(cwd)
            .args(["serve", "--index", "idx", "--port", "0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start serve");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stderr).lines();
            let first = lines.next().and_then(|l| l.ok()).unwrap_or_default();
            let _ = tx.send(first);
            // Keep reading so the server never blocks on a full pipe.
            for _ in lines {}
        });
        let first_line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("serve says where it listens within 60 s");
        let addr = first_line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {first_line:?}"))
            .to_string();
        Served {
            child,
            addr,
            first_line,
        }
    }

    /// `GET path` with the usual headers of a script on this machine.
    pub fn get(&self, path: &str) -> Reply {
        self.get_with(path, &[("Host", &self.addr)])
    }

    /// `GET path` with exactly `headers`.
    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        http_get(&self.addr, path, headers)
    }
}

#[cfg(unix)]
impl Served {
    /// Sends SIGINT, as Ctrl-C in its terminal would.
    pub fn interrupt(&self) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: kill(2) with a child's pid and a valid signal number.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    }

    /// Its exit status, if it exits within `within`.
    pub fn exit_within(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request on its own connection.
pub fn http_get(addr: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nConnection: close\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("an answer within 60 s");
    let text = String::from_utf8(raw).expect("UTF-8 answer");
    let (head, body) = text.split_once("\r\n\r\n").expect("a head and a body");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_string(),
    }
}

/// `s` percent-encoded for a URL's path or query.
pub fn encode(s: &str) -> String {
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

fn query_stdout(cwd: &Path, args: &[&str]) -> String {
    let out = run(cwd, args);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn search_answers_what_query_json_prints_byte_for_byte() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let served = Served::start(dir.path(), &[]);
    assert!(served.first_line.contains("http://127.0.0.1:"));
    let cases: &[(&str, &[&str], &str)] = &[
        ("provider collaboratives", &["-n", "3"], "&n=3"),
        ("ICB running costs", &[], ""),
        ("intergrated care", &["-n", "2"], "&n=2"),
        ("\"integrated care\"", &["--exact"], "&exact=true"),
        (
            "care",
            &["--source", "*002*", "-n", "5"],
            "&source=*002*&n=5",
        ),
        (
            "care",
            &["--in", "seeds", "-n", "1"],
            "&collection=seeds&n=1",
        ),
        (
            "provider collaboratives",
            &["--since", "2022", "--sort", "date", "-n", "4"],
            "&since=2022&sort=date&n=4",
        ),
        (
            "care",
            &["--until", "2021-12", "--no-fold"],
            "&until=2021-12&fold=false",
        ),
        ("zzzznotaword", &[], ""),
    ];
    for (q, flags, params) in cases {
        let mut args = vec!["query", q, "--index", "idx", "--json"];
        args.extend_from_slice(flags);
        let expected = query_stdout(dir.path(), &args);
        let reply = served.get(&format!("/api/search?q={}{params}", encode(q)));
        assert_eq!(reply.status, 200, "{q}: {}", reply.body);
        assert_eq!(
            reply.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(reply.body, expected, "{q} {params}");
    }
}

#[test]
fn a_passage_comes_by_its_id_with_context_citation_and_where_to_open() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let served = Served::start(dir.path(), &[]);
    let results = served
        .get("/api/search?q=provider+collaboratives&n=1")
        .json();
    let hit = &results["hits"][0];
    let id = hit["passage_id"].as_str().unwrap().to_string();
    let reply = served.get(&format!("/api/passage/{}?context=2", encode(&id)));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let p = reply.json();
    assert_eq!(p["passage_id"], hit["passage_id"]);
    assert_eq!(p["quote"], hit["quote"]);
    // Verbatim: the bytes of the file.
    let file = std::fs::read(dir.path().join(p["source"].as_str().unwrap())).unwrap();
    let (a, b) = (
        p["byte_start"].as_u64().unwrap() as usize,
        p["byte_end"].as_u64().unwrap() as usize,
    );
    assert_eq!(p["quote"].as_str().unwrap().as_bytes(), &file[a..b]);
    let n: u64 = id.rsplit('#').next().unwrap().parse().unwrap();
    let before = p["before"].as_array().unwrap();
    let after = p["after"].as_array().unwrap();
    assert!(before.len() <= 2 && after.len() <= 2 && !after.is_empty());
    assert_eq!(before.len() as u64, n.min(2));
    for (i, neighbour) in before.iter().chain(after).enumerate() {
        let m: u64 = neighbour["passage_id"]
            .as_str()
            .unwrap()
            .rsplit('#')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(m.abs_diff(n) <= 2 && m != n, "neighbour {i} is #{m}");
        let (a, b) = (
            neighbour["byte_start"].as_u64().unwrap() as usize,
            neighbour["byte_end"].as_u64().unwrap() as usize,
        );
        assert_eq!(neighbour["quote"].as_str().unwrap().as_bytes(), &file[a..b]);
    }
    // Where to open it and how to cite it.
    let line = hit["line_start"].as_u64().unwrap();
    assert_eq!(p["open"]["path"], hit["path"]);
    assert_eq!(p["open"]["line"], line);
    assert!(p["open"]["uri"].as_str().unwrap().starts_with("file:///"));
    let citation = p["citation"].as_str().unwrap();
    assert!(citation.contains(hit["title"].as_str().unwrap()));
    assert!(citation.ends_with(&format!("line {line}")), "{citation}");
    // No context asked for: none given.
    let bare = served
        .get(&format!("/api/passage/{}?context=0", encode(&id)))
        .json();
    assert_eq!(bare["before"].as_array().unwrap().len(), 0);
    assert_eq!(bare["after"].as_array().unwrap().len(), 0);
    // The slash may also be left as it is.
    let plain = served.get(&format!("/api/passage/{}", id.replace('#', "%23")));
    assert_eq!(plain.status, 200, "{}", plain.body);
}

#[test]
fn passage_ids_survive_indexing_again_unchanged_files() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let results = common::query_json(dir.path(), "integrated care", 10);
    let ids: Vec<(String, String)> = results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["passage_id"].as_str().unwrap().to_string(),
                h["quote"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(ids.len() >= 5);
    // Touched (checked again and found unchanged), then rebuilt from scratch.
    for entry in std::fs::read_dir(dir.path().join("seeds")).unwrap() {
        let path = entry.unwrap().path();
        let file = std::fs::File::options().append(true).open(&path).unwrap();
        file.set_modified(std::time::SystemTime::now() + Duration::from_secs(5))
            .unwrap();
    }
    common::index_into_idx(dir.path(), "seeds");
    let check = |when: &str| {
        let served = Served::start(dir.path(), &[]);
        for (id, quote) in &ids {
            let reply = served.get(&format!("/api/passage/{}?context=0", encode(id)));
            assert_eq!(reply.status, 200, "{when}: {id}: {}", reply.body);
            assert_eq!(reply.json()["quote"], quote.as_str(), "{when}: {id}");
        }
    };
    check("after a run over unchanged files");
    let out = run(
        dir.path(),
        &["index", "--rebuild", "seeds", "--index", "idx"],
    );
    assert_eq!(out.status.code(), Some(0));
    check("after --rebuild");
}

#[test]
fn new_commits_are_searched_without_a_restart() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let served = Served::start(dir.path(), &[]);
    let before = served.get("/api/search?q=zymotechnics").json();
    assert_eq!(before["total_hits"], 0);
    let extra = dir.path().join("more");
    std::fs::create_dir(&extra).unwrap();
    std::fs::write(
        extra.join("new.txt"),
        "Zymotechnics is the art of managing fermentation, said the report.\n",
    )
    .unwrap();
    common::index_into_idx(dir.path(), "more");
    let after = served.get("/api/search?q=zymotechnics").json();
    assert_eq!(after["total_hits"], 1, "{after}");
    assert_eq!(after["hits"][0]["source"], "more/new.txt");
    let status = served.get("/api/status").json();
    assert_eq!(status["documents"], 6);
}

#[test]
fn status_and_glossary_answer_what_their_commands_print() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let served = Served::start(dir.path(), &[]);
    let status = query_stdout(dir.path(), &["status", "--index", "idx", "--json"]);
    assert_eq!(served.get("/api/status").body, status);
    for term in ["ICB", "integrated care", "nothing like it"] {
        let expected = query_stdout(dir.path(), &["glossary", term, "--index", "idx", "--json"]);
        let reply = served.get(&format!("/api/glossary?term={}", encode(term)));
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body, expected, "{term}");
    }
    let all = query_stdout(dir.path(), &["glossary", "--index", "idx", "--json"]);
    assert_eq!(served.get("/api/glossary").body, all);
}

#[test]
fn bad_requests_are_400_with_one_line_of_json_and_the_server_goes_on() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let served = Served::start(dir.path(), &[]);
    let long = "a".repeat(1001);
    let nested = format!("{}care{}", "(".repeat(500), ")".repeat(500));
    let bad = [
        "/api/search".to_string(),
        "/api/search?q=".to_string(),
        "/api/search?q=%20%20".to_string(),
        format!("/api/search?q={long}"),
        "/api/search?q=care&n=0".to_string(),
        "/api/search?q=care&n=101".to_string(),
        "/api/search?q=care&n=-1".to_string(),
        "/api/search?q=care&n=abc".to_string(),
        "/api/search?q=care&n=99999999999999999999999".to_string(),
        "/api/search?q=care&exact=maybe".to_string(),
        "/api/search?q=care&color=red".to_string(),
        "/api/search?q=%5Ba%20TO%20b%5D".to_string(),
        format!("/api/search?q={}", encode(&nested)),
        "/api/search?q=the+of+and".to_string(),
        "/api/search?q=nosuchfield%3Aword".to_string(),
        "/api/passage/nohash".to_string(),
        "/api/passage/x%23y".to_string(),
        "/api/passage/x%230?context=11".to_string(),
        "/api/passage/x%230?context=-1".to_string(),
        "/api/passage/x%230?ctx=1".to_string(),
        "/api/status?verify=1".to_string(),
        format!("/api/glossary?term={}", "x".repeat(201)),
    ];
    for path in &bad {
        let reply = served.get(path);
        assert_eq!(reply.status, 400, "{path}: {}", reply.body);
        assert_eq!(reply.body.lines().count(), 1, "{path}");
        let v = reply.json();
        assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{path}");
        assert!(v["hint"].as_str().is_some(), "{path}: {v}");
    }
    // Odd bytes are words like others, never a crash.
    for q in [
        "%FF%FE",
        "%00",
        "%1B%5B31m",
        "%E2%80%AE",
        "%22unclosed",
        "*",
    ] {
        let reply = served.get(&format!("/api/search?q={q}"));
        assert!(
            [200, 400].contains(&reply.status),
            "{q}: {} {}",
            reply.status,
            reply.body
        );
        reply.json();
    }
    assert_eq!(served.get("/api/search?q=care").status, 200);
}

/// Reads `stream` to its end, failing if it is still open after 30 s.
fn read_until_closed(stream: &mut TcpStream, what: &str) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut raw = Vec::new();
    match stream.read_to_end(&mut raw) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("{what}: still open after 30 s ({e})"),
    }
    String::from_utf8_lossy(&raw).into_owned()
}

#[test]
fn a_connection_that_sends_no_whole_request_in_time_is_closed() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let served = Served::start(dir.path(), &["--timeout", "1"]);
    let started = Instant::now();
    let mut idle = TcpStream::connect(&served.addr).unwrap();
    let mut trickling = TcpStream::connect(&served.addr).unwrap();
    let head = format!("GET /api/status HTTP/1.1\r\nHost: {}\r\n", served.addr);
    trickling.write_all(head.as_bytes()).unwrap();
    let mut kept_alive = TcpStream::connect(&served.addr).unwrap();
    kept_alive
        .write_all(format!("{head}\r\n").as_bytes())
        .unwrap();
    read_until_closed(&mut idle, "a connection that sent nothing");
    read_until_closed(&mut trickling, "a connection that sent half a head");
    let answered = read_until_closed(&mut kept_alive, "an idle keep-alive connection");
    assert!(answered.starts_with("HTTP/1.1 200"), "{answered}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "closed only after {:?}",
        started.elapsed()
    );
    // Only those connections: the server goes on answering.
    assert_eq!(served.get("/api/status").status, 200);
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_server_while_a_client_is_halfway_through_a_request() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let mut served = Served::start(dir.path(), &[]);
    let mut trickling = TcpStream::connect(&served.addr).unwrap();
    let head = format!(
        "GET /api/status HTTP/1.1\r\nHost: {}\r\nX-Slow: a",
        served.addr
    );
    trickling.write_all(head.as_bytes()).unwrap();
    // Answered while that connection is open: it has been accepted.
    assert_eq!(served.get("/api/status").status, 200);
    served.interrupt();
    let status = served
        .exit_within(Duration::from_secs(30))
        .expect("serve exits within 30 s of Ctrl-C");
    assert!(status.success(), "{status:?}");
}

#[test]
fn nothing_but_the_index_passages_is_served() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    std::fs::write(dir.path().join("secret.txt"), "a secret not indexed\n").unwrap();
    let served = Served::start(dir.path(), &[]);
    for path in [
        "/api/passage/secret.txt%230".to_string(),
        format!(
            "/api/passage/{}",
            encode(&format!("{}#0", dir.path().join("secret.txt").display()))
        ),
        "/api/passage/%2Fetc%2Fpasswd%230".to_string(),
        "/api/passage/seeds%2F..%2Fsecret.txt%230".to_string(),
        "/api/passage/seeds/000_71aee3dbbd5e3e66.txt%23999999".to_string(),
    ] {
        let reply = served.get(&path);
        assert_eq!(reply.status, 404, "{path}: {}", reply.body);
        assert!(!reply.body.contains("a secret"));
        reply.json();
    }
    for path in [
        "/secret.txt",
        "/seeds/000_71aee3dbbd5e3e66.txt",
        "/idx/meta.json",
        "/api/index",
        "/api/../secret.txt",
    ] {
        let reply = served.get(path);
        assert_eq!(reply.status, 404, "{path}: {}", reply.body);
        assert!(!reply.body.contains("a secret"));
    }
}

#[test]
fn requests_from_other_hosts_and_origins_are_refused() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let served = Served::start(dir.path(), &[]);
    let port = served.addr.rsplit(':').next().unwrap().to_string();
    let localhost = format!("localhost:{port}");
    let path = "/api/search?q=care";
    // A DNS name pointed at 127.0.0.1 by another site (rebinding).
    let rebound = format!("rebind.example:{port}");
    let reply = served.get_with(path, &[("Host", &rebound)]);
    assert_eq!(reply.status, 421, "{}", reply.body);
    assert!(!reply.body.contains("hits"));
    assert_eq!(served.get_with(path, &[]).status, 421);
    let other_port = format!("localhost:{}", port.parse::<u16>().unwrap() ^ 1);
    assert_eq!(served.get_with(path, &[("Host", &other_port)]).status, 421);
    // Another origin's page, even with the right Host.
    let reply = served.get_with(
        path,
        &[("Host", &localhost), ("Origin", "http://evil.example")],
    );
    assert_eq!(reply.status, 403, "{}", reply.body);
    // This server's own page, and scripts: allowed.
    let own = format!("http://{localhost}");
    assert_eq!(
        served
            .get_with(path, &[("Host", &localhost), ("Origin", &own)])
            .status,
        200
    );
    assert_eq!(served.get_with(path, &[("Host", &localhost)]).status, 200);
    assert_eq!(served.get(path).status, 200);
}

#[test]
fn only_loopback_unless_allowed_and_then_with_a_warning() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let out = run(
        dir.path(),
        &[
            "serve", "--index", "idx", "--port", "0", "--bind", "0.0.0.0",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a loopback address"), "{err}");
    assert!(err.contains("--allow-remote"), "{err}");
    // Allowed: it says where it listens, then warns.
    let mut child = bin()
        .current_dir(dir.path())
        .args(["serve", "--index", "idx", "--port", "0"])
        .args(["--bind", "0.0.0.0", "--allow-remote"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let second = lines.next().unwrap().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(first.contains("http://0.0.0.0:"), "{first}");
    assert!(
        second.contains("warning") && second.contains("not loopback"),
        "{second}"
    );
}

#[test]
fn the_page_forbids_every_outside_source() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let served = Served::start(dir.path(), &[]);
    let page = served.get("/");
    assert_eq!(page.status, 200);
    assert!(page
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    let policy = page.header("content-security-policy").unwrap().to_string();
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
    assert!(policy.contains("connect-src 'self'"), "{policy}");
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .unwrap();
    assert!(page.body.contains(&format!("<script nonce=\"{nonce}\">")));
    assert!(!page.body.contains("__NONCE__"));
    assert!(!page.body.contains("http://") && !page.body.contains("https://"));
    // A fresh nonce each time.
    let again = served.get("/");
    assert_ne!(again.header("content-security-policy").unwrap(), policy);
    // The API's answers allow nothing at all.
    let api = served.get("/api/status");
    assert_eq!(
        api.header("content-security-policy"),
        Some("default-src 'none'; frame-ancestors 'none'")
    );
    assert_eq!(api.header("x-content-type-options"), Some("nosniff"));
}

#[test]
fn passages_of_pdf_pages_and_json_lines_records_say_where_to_open_them() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(
        docs.join("guide.pdf"),
        common::pdf_bytes(&[
            &["Commissioning guidance for integrated care boards."],
            &["Quarantine rules for imported parrots are set out in schedule four."],
        ]),
    )
    .unwrap();
    std::fs::write(
        docs.join("records.jsonl"),
        concat!(
            "{\"_id\": \"rec-1\", \"title\": \"First\", \"text\": \"Nothing about birds here.\"}\n",
            "{\"_id\": \"rec-2\", \"title\": \"Second\", \"text\": \"Parrots carry psittacosis, a notifiable disease.\"}\n",
        ),
    )
    .unwrap();
    common::index_into_idx(dir.path(), "docs");
    let served = Served::start(dir.path(), &[]);
    let hits = served.get("/api/search?q=parrots").json()["hits"].clone();
    let hits = hits.as_array().unwrap();
    assert_eq!(hits.len(), 2, "{hits:?}");
    for hit in hits {
        let id = hit["passage_id"].as_str().unwrap();
        let p = served
            .get(&format!("/api/passage/{}?context=1", encode(id)))
            .json();
        assert_eq!(p["quote"], hit["quote"], "{id}");
        if hit["source"] == "docs/guide.pdf" {
            assert_eq!(p["open"]["page"], 2);
            assert_eq!(p["open"]["line"], Value::Null);
            assert!(p["open"]["uri"]
                .as_str()
                .unwrap()
                .ends_with("/docs/guide.pdf#page=2"));
            assert!(p["citation"].as_str().unwrap().ends_with("p. 2"), "{p}");
            assert_eq!(p["before"].as_array().unwrap().len(), 1);
        } else {
            assert_eq!(id, "rec-2#0");
            assert_eq!(p["open"]["line"], 2);
            assert!(p["open"]["path"]
                .as_str()
                .unwrap()
                .ends_with("/docs/records.jsonl"));
        }
    }
}
