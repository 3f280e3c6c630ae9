//! `mcp`: the index as tools for an AI assistant, over the Model Context
//! Protocol on stdin and stdout (the official `rmcp` SDK). Three tools:
//! `search` (ranked passages with citations, bounded in size), `get_passage`
//! (one passage with the passages around it) and `status`. Only protocol
//! messages are written to stdout.

mod tools;

use std::sync::Arc;

use rmcp::ServiceExt;

use crate::error::{Error, Result};
use crate::search::LiveEngine;
pub use tools::{PolicySearchTools, MAX_PASSAGES, MAX_QUOTE_CHARS};

/// Serves the tools over stdin and stdout until the client closes stdin.
pub async fn run_stdio(engine: Arc<LiveEngine>) -> Result<()> {
    let service = PolicySearchTools::new(engine)
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| Error::Internal(format!("MCP start-up failed: {e}")))?;
    service
        .waiting()
        .await
        .map_err(|e| Error::Internal(format!("MCP service failed: {e}")))?;
    Ok(())
}
