//! The MCP tools, their input schemas and descriptions (written for a
//! model choosing and calling them), and the shape of what they return.

use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{tool, tool_handler, tool_router, ServerHandler};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::search::{Hit, LiveEngine, SearchOptions, SearchResults, MAX_CONTEXT};

/// Most passages one `search` call returns.
pub const MAX_PASSAGES: usize = 20;
/// Longest quote `search` returns, in characters; a longer one is cut and
/// marked `"truncated": true` (`get_passage` gives it whole).
pub const MAX_QUOTE_CHARS: usize = 2000;
/// Longest query, in bytes.
const MAX_QUERY_BYTES: usize = crate::serve::MAX_QUERY_BYTES;
/// Time one call may take.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

const INSTRUCTIONS: &str = "Searches a local library of health-policy documents (NHS and \
public-health reports, guidance, board papers, blogs) and returns verbatim passages with \
citations. Call `search` with a few keywords (not a question); quote passages exactly as \
returned and cite them with their `citation`. Call `get_passage` with a result's \
`passage_id` to read the paragraphs around it before relying on it. `status` says what \
the library holds.";

/// Arguments of `search`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SearchArgs {
    /// Keywords to search for, e.g. `integrated care boards running costs`. Supports
    /// "exact phrases", +required and -excluded words, and prefix* matching. Acronyms
    /// are expanded (ICB also finds "integrated care board") and typos corrected.
    pub query: String,
    /// Number of passages to return, 1 to 20 (default 5).
    #[serde(default)]
    pub n: Option<usize>,
    /// Only passages from files whose path matches this glob, e.g. `*nice*` or
    /// `reports/**/*.pdf`.
    #[serde(default)]
    pub source: Option<String>,
    /// Only passages from this collection (the name of an indexed folder; see `status`).
    #[serde(default)]
    pub collection: Option<String>,
    /// Only documents dated on or after this date (`2024`, `2024-05` or `2024-05-12`);
    /// undated documents are left out.
    #[serde(default)]
    pub since: Option<String>,
    /// Only documents dated on or before this date; undated documents are left out.
    #[serde(default)]
    pub until: Option<String>,
}

/// Arguments of `get_passage`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct PassageArgs {
    /// The `passage_id` of a search result, exactly as returned (e.g. `reports/x.pdf#12`).
    pub id: String,
    /// Passages of context to include before and after it, 0 to 10 (default 2).
    #[serde(default)]
    pub context: Option<usize>,
}

/// One passage as `search` returns it.
#[derive(Serialize)]
struct Found<'a> {
    rank: usize,
    passage_id: &'a str,
    citation: String,
    title: &'a str,
    source: &'a str,
    heading: Option<&'a str>,
    date: Option<String>,
    page: Option<u64>,
    page_label: Option<&'a str>,
    line_start: Option<u64>,
    line_end: Option<u64>,
    quote: String,
    truncated: bool,
    also_in: Vec<&'a str>,
}

/// What `search` returns.
#[derive(Serialize)]
struct Answer<'a> {
    query: &'a str,
    total_hits: usize,
    passages: Vec<Found<'a>>,
    corrections: &'a [crate::query::Correction],
    expansions: &'a [crate::query::Expansion],
}

fn found(hit: &Hit) -> Found<'_> {
    let l = &hit.location;
    let truncated = hit.quote.chars().count() > MAX_QUOTE_CHARS;
    let quote = if truncated {
        let mut q: String = hit.quote.chars().take(MAX_QUOTE_CHARS).collect();
        q.push('…');
        q
    } else {
        hit.quote.clone()
    };
    Found {
        rank: hit.rank,
        passage_id: &l.passage_id,
        citation: crate::render::citation(l),
        title: &l.title,
        source: &l.source,
        heading: l.heading.as_deref(),
        date: l.date.map(|d| d.day.iso()),
        page: l.page,
        page_label: l.page_label.as_deref(),
        line_start: l.line_start,
        line_end: l.line_end,
        quote,
        truncated,
        also_in: hit
            .sources
            .iter()
            .skip(1)
            .map(|s| s.location.source.as_str())
            .collect(),
    }
}

fn answer(results: &SearchResults) -> String {
    let a = Answer {
        query: &results.query,
        total_hits: results.total_hits,
        passages: results.hits.iter().map(found).collect(),
        corrections: &results.corrections,
        expansions: &results.expansions,
    };
    serde_json::to_string(&a).expect("results serialize")
}

/// A failure the model should read and act on (a tool error, not a
/// protocol error).
fn failed(e: &Error) -> CallToolResult {
    let mut text = e.to_string();
    if let Some(hint) = e.hint() {
        text.push_str(&format!(" (hint: {hint})"));
    }
    CallToolResult::error(vec![ContentBlock::text(text)])
}

fn refused(text: impl Into<String>) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(text.into())])
}

/// The tools over one resident engine.
#[derive(Clone)]
pub struct PolicySearchTools {
    engine: Arc<LiveEngine>,
    tool_router: ToolRouter<Self>,
}

impl PolicySearchTools {
    /// The tools over `engine`.
    pub fn new(engine: Arc<LiveEngine>) -> Self {
        PolicySearchTools {
            engine,
            tool_router: Self::tool_router(),
        }
    }

    /// Runs `work` on a blocking thread (searching is CPU work).
    async fn blocking(
        &self,
        work: impl FnOnce(&LiveEngine) -> CallToolResult + Send + 'static,
    ) -> CallToolResult {
        let engine = self.engine.clone();
        tokio::task::spawn_blocking(move || work(&engine))
            .await
            .unwrap_or_else(|e| failed(&Error::Internal(format!("the tool failed: {e}"))))
    }
}

#[tool_router]
impl PolicySearchTools {
    /// Ranked passages for a query.
    #[tool(
        description = "Search the health-policy library for passages about a topic. Returns up to \
        `n` (default 5, at most 20) ranked passages, each quoted verbatim (quotes over 2,000 \
        characters are cut and marked truncated) with its passage_id, a ready-made citation \
        (title, file, page or lines), title, heading and source; plus total_hits and how the \
        query was understood (acronym expansions, spelling corrections). Use keywords, not a \
        whole question."
    )]
    async fn search(&self, Parameters(args): Parameters<SearchArgs>) -> CallToolResult {
        let n = args.n.unwrap_or(5);
        if !(1..=MAX_PASSAGES).contains(&n) {
            return refused(format!("n must be from 1 to {MAX_PASSAGES}"));
        }
        if args.query.trim().is_empty() {
            return refused("query is empty: give a few keywords");
        }
        if args.query.len() > MAX_QUERY_BYTES {
            return refused(format!(
                "query is too long (at most {MAX_QUERY_BYTES} bytes): use a few keywords"
            ));
        }
        let day = |name: &str, value: &Option<String>| match value.as_deref() {
            None | Some("") => Ok(None),
            Some(v) => crate::extract::date::Day::from_user(v)
                .map(Some)
                .ok_or_else(|| {
                    format!("{name} {v:?} is not a date: use e.g. 2024, 2024-05 or 2024-05-12")
                }),
        };
        let (since, until) = match (day("since", &args.since), day("until", &args.until)) {
            (Ok(s), Ok(u)) => (s, u),
            (Err(e), _) | (_, Err(e)) => return refused(e),
        };
        let opts = SearchOptions {
            limit: n,
            since,
            until,
            sources: args.source.into_iter().collect(),
            collections: args.collection.into_iter().collect(),
            timeout: Some(TIMEOUT),
            ..SearchOptions::default()
        };
        self.blocking(move |live| {
            match live
                .engine()
                .and_then(|engine| engine.search(&args.query, &opts))
            {
                Ok(results) => CallToolResult::success(vec![ContentBlock::text(answer(&results))]),
                Err(e) => failed(&e),
            }
        })
        .await
    }

    /// A passage in context.
    #[tool(
        description = "Read one passage of the library by its passage_id (from `search`), with up \
        to `context` passages (default 2, at most 10) before and after it in its document, its \
        citation, and where to open it (file path, line or page). Use it to check what \
        surrounds a passage before quoting it."
    )]
    async fn get_passage(&self, Parameters(args): Parameters<PassageArgs>) -> CallToolResult {
        let context = args.context.unwrap_or(2);
        if context > MAX_CONTEXT {
            return refused(format!("context must be from 0 to {MAX_CONTEXT}"));
        }
        self.blocking(move |live| {
            match live
                .engine()
                .and_then(|engine| engine.passage(&args.id, context))
            {
                Ok(Some(p)) => {
                    CallToolResult::success(vec![ContentBlock::text(crate::render::passage_json(&p))])
                }
                Ok(None) => refused(format!(
                    "no passage {:?} in the library: pass a passage_id exactly as `search` returned it",
                    args.id
                )),
                Err(e) => failed(&e),
            }
        })
        .await
    }

    /// What the index holds.
    #[tool(
        description = "What the library holds: documents and passages, collections (usable as \
        `collection` in search), when it was last updated, files changed on disk since, and \
        files that could not be indexed."
    )]
    async fn status(&self) -> CallToolResult {
        self.blocking(|live| match crate::status::status(live.index()) {
            Ok(status) => CallToolResult::success(vec![ContentBlock::text(
                serde_json::to_string(&status).expect("status serializes"),
            )]),
            Err(e) => failed(&e),
        })
        .await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for PolicySearchTools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(
                "policy-search",
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(INSTRUCTIONS)
    }
}
