//! `mcp`: the tools driven by real MCP clients over stdio (rmcp's client
//! always; the official Python client where it is installed).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::Duration;

use common::{bin, index_seeds, python_with, workdir_with_seeds};
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use rmcp::ServiceExt;
use serde_json::{json, Value};

fn text(result: &CallToolResult) -> Value {
    let t = result.content[0].as_text().expect("text content");
    serde_json::from_str(&t.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", t.text))
}

fn call(name: &'static str, args: Value) -> CallToolRequestParams {
    CallToolRequestParams::new(name).with_arguments(args.as_object().unwrap().clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_mcp_client_lists_the_tools_searches_and_reads_a_passage() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_policy-search")).configure(|c| {
        c.args(["mcp", "--index", "idx"]).current_dir(dir.path());
    });
    let session = async {
        let client = ().serve(TokioChildProcess::new(cmd).unwrap()).await.unwrap();
        let info = client.peer_info().expect("initialized");
        assert_eq!(info.server_info.as_ref().unwrap().name, "policy-search");

        let tools = client.list_all_tools().await.unwrap();
        let mut names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
        names.sort();
        assert_eq!(names, ["get_passage", "search", "status"]);
        for t in &tools {
            assert!(
                t.description.as_ref().is_some_and(|d| d.len() > 40),
                "{}",
                t.name
            );
        }
        let search = tools.iter().find(|t| t.name == "search").unwrap();
        let schema = serde_json::to_value(&*search.input_schema).unwrap();
        assert_eq!(schema["required"], json!(["query"]), "{schema}");
        for field in ["query", "n", "source", "collection"] {
            assert!(
                schema["properties"][field]["description"].is_string(),
                "{field}: {schema}"
            );
        }

        let found = client
            .call_tool(call(
                "search",
                json!({"query": "provider collaboratives", "n": 3}),
            ))
            .await
            .unwrap();
        assert_ne!(found.is_error, Some(true), "{found:?}");
        let data = text(&found);
        let passages = data["passages"].as_array().unwrap();
        assert_eq!(passages.len(), 3);
        assert!(data["total_hits"].as_u64().unwrap() >= 3);
        // Each quote is the file's bytes, and cited.
        for p in passages {
            let source = dir.path().join(p["source"].as_str().unwrap());
            let file = std::fs::read_to_string(source).unwrap();
            assert!(file.contains(p["quote"].as_str().unwrap()));
            assert!(p["citation"]
                .as_str()
                .unwrap()
                .contains(p["source"].as_str().unwrap()));
            assert_eq!(p["truncated"], false);
        }
        let id = passages[0]["passage_id"].as_str().unwrap();

        let passage = client
            .call_tool(call("get_passage", json!({"id": id, "context": 1})))
            .await
            .unwrap();
        assert_ne!(passage.is_error, Some(true), "{passage:?}");
        let p = text(&passage);
        assert_eq!(p["passage_id"], id);
        assert_eq!(p["quote"], passages[0]["quote"]);
        assert!(p["before"].as_array().unwrap().len() <= 1);
        assert_eq!(p["after"].as_array().unwrap().len(), 1);
        assert!(p["open"]["path"].as_str().unwrap().starts_with('/'));

        // Dated: only documents on or after the date, each with its date.
        let dated = client
            .call_tool(call(
                "search",
                json!({"query": "provider collaboratives", "n": 5, "since": "2022"}),
            ))
            .await
            .unwrap();
        let dated = text(&dated);
        let dated = dated["passages"].as_array().unwrap();
        assert!(!dated.is_empty());
        assert!(dated.iter().all(|p| p["date"]
            .as_str()
            .is_some_and(|d| d.get(..4).is_some_and(|y| y >= "2022"))));
        let none = client
            .call_tool(call("search", json!({"query": "care", "since": "2090"})))
            .await
            .unwrap();
        assert_eq!(text(&none)["passages"].as_array().unwrap().len(), 0);

        let status = client
            .call_tool(CallToolRequestParams::new("status"))
            .await
            .unwrap();
        assert_eq!(text(&status)["documents"], 5);

        // Mistakes come back as tool errors the model can read, not crashes.
        for (name, args) in [
            ("search", json!({"query": "care", "n": 21})),
            ("search", json!({"query": "   "})),
            ("search", json!({"query": "x".repeat(1001)})),
            ("search", json!({"query": "[a TO b]"})),
            ("search", json!({"query": "care", "until": "soon"})),
            ("get_passage", json!({"id": "nothing.txt#0"})),
            ("get_passage", json!({"id": "no id at all"})),
            ("get_passage", json!({"id": id, "context": 11})),
        ] {
            let r = client.call_tool(call(name, args.clone())).await.unwrap();
            assert_eq!(r.is_error, Some(true), "{name} {args}: {r:?}");
            let message = &r.content[0].as_text().unwrap().text;
            assert!(!message.is_empty());
        }
        // Still answering.
        let again = client
            .call_tool(call("search", json!({"query": "care", "n": 1})))
            .await
            .unwrap();
        assert_eq!(text(&again)["passages"].as_array().unwrap().len(), 1);
        client.cancel().await.unwrap();
    };
    tokio::time::timeout(Duration::from_secs(120), session)
        .await
        .expect("the MCP session ends within 120 s");
}

/// Stdout carries protocol messages only: every line is one JSON-RPC
/// message, also when the index's glossary has lines to warn about.
#[test]
fn stdout_holds_nothing_but_protocol() {
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    std::fs::write(dir.path().join("idx/glossary.tsv"), "not a definition\n").unwrap();
    let mut child = bin()
        .current_dir(dir.path())
        .args(["mcp", "--index", "idx"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let messages = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "raw", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
            "params": {"name": "search", "arguments": {"query": "ICB", "n": 2}}}),
        json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call",
            "params": {"name": "search", "arguments": {"n": 2}}}),
        json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call",
            "params": {"name": "no_such_tool", "arguments": {}}}),
    ];
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let _ = tx.send(line.unwrap());
        }
    });
    let mut answered = Vec::new();
    for m in &messages {
        writeln!(stdin, "{m}").unwrap();
        stdin.flush().unwrap();
        if m.get("id").is_none() {
            continue;
        }
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("an answer within 60 s");
        let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(v["jsonrpc"], "2.0", "{line}");
        answered.push(v);
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let ids: Vec<&Value> = answered.iter().map(|v| &v["id"]).collect();
    assert_eq!(ids, [&json!(1), &json!(2), &json!(3), &json!(4), &json!(5)]);
    assert!(answered[2]["result"]["content"][0]["text"].is_string());
    // A missing argument and an unknown tool are errors, not silence.
    assert!(answered[3].get("error").is_some() || answered[3]["result"]["isError"] == true);
    assert!(answered[4].get("error").is_some() || answered[4]["result"]["isError"] == true);
    // Warnings went to stderr.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning"), "{stderr}");
}

/// The official Python client (`pip install mcp`): `.ci/run` installs it
/// and points POLICY_SEARCH_PYTHON at its interpreter.
#[test]
fn the_python_mcp_client_drives_the_server() {
    let Some(python) = python_with("mcp.client.stdio", "mcp") else {
        return;
    };
    let dir = workdir_with_seeds();
    index_seeds(dir.path());
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mcp/client.py");
    let mut child = std::process::Command::new(&python)
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_policy-search"))
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_timeout::ChildExt::wait_timeout(&mut child, Duration::from_secs(120))
        .unwrap()
        .unwrap_or_else(|| {
            let _ = child.kill();
            panic!("the Python client did not finish within 120 s")
        });
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(status.success(), "{stdout}\n{stderr}");
    for step in [
        "initialize",
        "tools/list",
        "tools/call search",
        "tools/call get_passage",
    ] {
        assert!(stdout.contains(step), "{step}: {stdout}");
    }
    eprintln!("{stdout}");
}
