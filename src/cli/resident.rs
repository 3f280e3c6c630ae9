//! The long-running commands: `serve` (HTTP) and `mcp` (stdio). Each opens
//! the index once and answers until stopped; the library does the work.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;

use policy_search::error::{Error, Result};
use policy_search::search::{LiveEngine, SearchOptions};
use policy_search::serve::{Limits, ServeOptions, Server};
use policy_search::terminal::visible;

use super::commands::ExitStatus;
use super::progress::warn;

/// A `serve` command.
#[derive(Debug, Clone)]
pub struct ServeRequest {
    /// The index directory.
    pub index_dir: PathBuf,
    /// Address to bind.
    pub bind: IpAddr,
    /// Port (0: any free one).
    pub port: u16,
    /// Allow a non-loopback `bind`.
    pub allow_remote: bool,
    /// Extra host names requests may use.
    pub allowed_hosts: Vec<String>,
    /// Extra glossary files.
    pub glossaries: Vec<PathBuf>,
    /// Bounds on requests.
    pub limits: Limits,
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))
}

fn open(index_dir: &std::path::Path, glossaries: &[PathBuf]) -> Result<Arc<LiveEngine>> {
    let opts = SearchOptions {
        glossaries: glossaries.to_vec(),
        ..SearchOptions::default()
    };
    let engine = LiveEngine::open(index_dir, &opts)?;
    for w in engine.engine()?.warnings() {
        warn(w);
    }
    Ok(Arc::new(engine))
}

/// Runs `serve` until Ctrl-C. The first line on stderr names the address.
pub fn serve(req: &ServeRequest) -> Result<ExitStatus> {
    let engine = open(&req.index_dir, &req.glossaries)?;
    let opts = ServeOptions {
        bind: req.bind,
        port: req.port,
        allow_remote: req.allow_remote,
        allowed_hosts: req.allowed_hosts.clone(),
        limits: req.limits.clone(),
        search: SearchOptions {
            glossaries: req.glossaries.clone(),
            ..SearchOptions::default()
        },
    };
    runtime()?.block_on(async {
        let server = Server::bind(engine, &opts).await?;
        let addr = server.local_addr();
        eprintln!(
            "policy-search: serving {} at http://{addr}/ (Ctrl-C to stop)",
            visible(&req.index_dir.display().to_string())
        );
        if !addr.ip().is_loopback() {
            warn(&format!(
                "serving on {}, which is not loopback: anyone who can reach this address can search the index",
                addr.ip()
            ));
        }
        server
            .run(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await;
        Ok::<(), Error>(())
    })?;
    Ok(ExitStatus::Success)
}

/// Runs `mcp` until the client closes stdin. Nothing but protocol goes to
/// stdout; warnings go to stderr, which MCP hosts log.
pub fn mcp(index_dir: &std::path::Path, glossaries: &[PathBuf]) -> Result<ExitStatus> {
    let engine = open(index_dir, glossaries)?;
    runtime()?.block_on(policy_search::mcp::run_stdio(engine))?;
    Ok(ExitStatus::Success)
}
