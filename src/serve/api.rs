//! The JSON API: `/api/search` (the `query --json` object, byte for byte),
//! `/api/passage/{id}` (a passage in context), `/api/status` and
//! `/api/glossary` (as `status --json` and `glossary --json`). Each runs
//! the library call its command runs, on a blocking thread.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, RawQuery, State as Shared};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::guards::{MAX_CONTEXT_PARAM, MAX_N, MAX_QUERY_BYTES, MAX_TERM_BYTES};
use super::reply::{self, Failure};
use crate::analysis::Analyzer;
use crate::error::Error;
use crate::search::{acronyms, LiveEngine, SearchOptions};

/// What every handler shares.
#[derive(Clone)]
pub struct State {
    /// The resident engine.
    pub engine: Arc<LiveEngine>,
    /// Glossaries given at start.
    pub search: SearchOptions,
    /// Each request's time limit, also given to the search so that it stops.
    pub timeout: Duration,
}

/// The API's routes.
pub fn routes(state: State) -> Router {
    Router::new()
        .route("/api/search", get(search))
        .route("/api/passage/{*id}", get(passage))
        .route("/api/status", get(status))
        .route("/api/glossary", get(glossary))
        .route("/api", get(not_found))
        .route("/api/{*rest}", get(not_found))
        .with_state(state)
}

/// The query string's parameters, in order (a name may repeat).
fn params(raw: Option<String>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// Refuses parameters other than `known`.
fn only(params: &[(String, String)], known: &[&str]) -> Result<(), Failure> {
    match params.iter().find(|(k, _)| !known.contains(&k.as_str())) {
        Some((k, _)) => Err(Failure::bad_request(
            format!("unknown parameter {k:?}"),
            format!("the parameters are {}", known.join(", ")),
        )),
        None => Ok(()),
    }
}

fn number(name: &str, value: &str, max: usize) -> Result<usize, Failure> {
    match value.trim().parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) || (name == "context" && n == 0) => Ok(n),
        _ => Err(Failure::bad_request(
            format!(
                "{name}={value:?} is not a number from {} to {max}",
                usize::from(name != "context")
            ),
            format!("give {name} a whole number up to {max}"),
        )),
    }
}

fn flag(name: &str, value: &str) -> Result<bool, Failure> {
    match value {
        "" | "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(Failure::bad_request(
            format!("{name}={value:?} is not true or false"),
            format!("use {name}=true or {name}=false"),
        )),
    }
}

/// Runs `work` on a blocking thread: searching is CPU work.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Failure> + Send + 'static,
) -> Result<T, Failure> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Failure::from(Error::Internal(format!("a request's worker failed: {e}"))))?
}

/// A `since=` or `until=` value: `2024`, `2024-05`, `2024-05-12` or written out.
fn date(name: &str, value: &str) -> Result<crate::extract::date::Day, Failure> {
    crate::extract::date::Day::from_user(value).ok_or_else(|| {
        Failure::bad_request(
            format!("{name}={value:?} is not a date"),
            format!("use e.g. {name}=2024, {name}=2024-05 or {name}=2024-05-12"),
        )
    })
}

/// `GET /api/search?q=&n=&source=&collection=&exact=&since=&until=&sort=&fold=`.
async fn search(Shared(state): Shared<State>, RawQuery(raw): RawQuery) -> Response {
    let params = params(raw);
    let run = || -> Result<(String, SearchOptions), Failure> {
        only(
            &params,
            &[
                "q",
                "n",
                "source",
                "collection",
                "exact",
                "since",
                "until",
                "sort",
                "fold",
            ],
        )?;
        let mut opts = SearchOptions {
            limit: 10,
            timeout: Some(state.timeout),
            ..state.search.clone()
        };
        let mut q = None;
        for (k, v) in &params {
            match k.as_str() {
                "q" => q = Some(v.clone()),
                "n" => opts.limit = number("n", v, MAX_N)?,
                "source" if !v.is_empty() => opts.sources.push(v.clone()),
                "collection" if !v.is_empty() => opts.collections.push(v.clone()),
                "exact" => opts.exact = flag("exact", v)?,
                "since" if !v.is_empty() => opts.since = Some(date("since", v)?),
                "until" if !v.is_empty() => opts.until = Some(date("until", v)?),
                "sort" => {
                    opts.sort = match v.as_str() {
                        "" | "relevance" => crate::search::Sort::Relevance,
                        "date" => crate::search::Sort::Date,
                        _ => {
                            return Err(Failure::bad_request(
                                format!("sort={v:?} is not an order"),
                                "use sort=relevance or sort=date",
                            ))
                        }
                    }
                }
                "fold" => opts.no_fold = !flag("fold", v)?,
                _ => {}
            }
        }
        let q = q.filter(|q| !q.trim().is_empty()).ok_or_else(|| {
            Failure::bad_request(
                "no query",
                "add q=WORDS, e.g. /api/search?q=integrated+care",
            )
        })?;
        if q.len() > MAX_QUERY_BYTES {
            return Err(Failure::bad_request(
                format!("the query is {} bytes long", q.len()),
                format!("a query may be at most {MAX_QUERY_BYTES} bytes"),
            ));
        }
        Ok((q, opts))
    };
    let (q, opts) = match run() {
        Ok(parsed) => parsed,
        Err(f) => return f.into(),
    };
    let engine = state.engine.clone();
    let answer = blocking(move || {
        let started = std::time::Instant::now();
        let results = engine.engine()?.search(&q, &opts)?;
        let body = crate::render::json(&results);
        Ok((body, started.elapsed()))
    })
    .await;
    match answer {
        Ok((body, took)) => reply::timed(reply::json(body), "search", took),
        Err(f) => f.into(),
    }
}

/// `GET /api/passage/{id}?context=K`.
async fn passage(
    Shared(state): Shared<State>,
    id: Result<Path<String>, axum::extract::rejection::PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    let params = params(raw);
    let parsed = (|| -> Result<(String, usize), Failure> {
        only(&params, &["context"])?;
        let Path(id) = id.map_err(|e| {
            Failure::bad_request(
                format!("unreadable passage id: {}", e.body_text()),
                "pass the passage_id of a result, percent-encoded",
            )
        })?;
        let mut context = 2;
        for (k, v) in &params {
            if k == "context" {
                context = number("context", v, MAX_CONTEXT_PARAM)?;
            }
        }
        Ok((id, context))
    })();
    let (id, context) = match parsed {
        Ok(p) => p,
        Err(f) => return f.into(),
    };
    let engine = state.engine.clone();
    blocking(move || match engine.engine()?.passage(&id, context)? {
        Some(p) => Ok(crate::render::passage_json(&p)),
        None => Err(Failure::new(
            StatusCode::NOT_FOUND,
            format!(
                "no passage {:?} in the index",
                id.chars().take(200).collect::<String>()
            ),
            "take a passage_id from /api/search; a file changed since gets new ids",
        )),
    })
    .await
    .map_or_else(Into::into, reply::json)
}

/// `GET /api/status`: what `status --json` prints.
async fn status(Shared(state): Shared<State>, RawQuery(raw): RawQuery) -> Response {
    if let Err(f) = only(&params(raw), &[]) {
        return f.into();
    }
    let engine = state.engine.clone();
    blocking(move || {
        let status = crate::status::status(engine.index())?;
        Ok(json_line(&status))
    })
    .await
    .map_or_else(Into::into, reply::json)
}

/// `GET /api/glossary?term=`: what `glossary [TERM] --json` prints.
async fn glossary(Shared(state): Shared<State>, RawQuery(raw): RawQuery) -> Response {
    let params = params(raw);
    if let Err(f) = only(&params, &["term"]) {
        return f.into();
    }
    let term = params
        .into_iter()
        .find(|(k, _)| k == "term")
        .map(|(_, v)| v)
        .filter(|v| !v.trim().is_empty());
    if term.as_ref().is_some_and(|t| t.len() > MAX_TERM_BYTES) {
        return Failure::bad_request(
            "the term is too long",
            format!("a term may be at most {MAX_TERM_BYTES} bytes"),
        )
        .into();
    }
    let engine = state.engine.clone();
    let extra = state.search.glossaries.clone();
    blocking(move || {
        let analyzer = Analyzer::english();
        let (known, _) = acronyms::known_in(engine.index(), &extra, &analyzer)?;
        Ok(json_line(&acronyms::lookup(
            known,
            term.as_deref(),
            &analyzer,
        )))
    })
    .await
    .map_or_else(Into::into, reply::json)
}

async fn not_found() -> Response {
    Failure::new(
        StatusCode::NOT_FOUND,
        "no such endpoint",
        "the endpoints are /api/search, /api/passage/{id}, /api/status and /api/glossary",
    )
    .into()
}

fn json_line(value: &impl serde::Serialize) -> String {
    let mut line = serde_json::to_string(value).expect("plain data serializes");
    line.push('\n');
    line
}

impl From<Failure> for Response {
    fn from(f: Failure) -> Self {
        axum::response::IntoResponse::into_response(f)
    }
}
