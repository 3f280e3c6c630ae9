//! The commands, as the binary runs them: options in, output and an exit
//! status out. Everything here is independent of the command-line parser.
//! The caller runs those that read an index under [`integrity::guard`], so
//! a damaged index is reported as such.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};

use policy_search::analysis::Analyzer;
use policy_search::error::{Error, Result};
use policy_search::index::integrity;
use policy_search::index::{self, PolicyIndex};
use policy_search::ingest::{self, IndexOptions};
use policy_search::render::{self, OutputFormat, Style};
use policy_search::search::{self, acronyms, SearchOptions};
use policy_search::terminal::visible;

use super::progress::{note, warn, Bar};

/// Exit status, as grep and ripgrep: 0 hits, 1 no hits, 2 error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// The command succeeded (and a query found something).
    Success,
    /// A query found nothing.
    NoHits,
    /// The command failed.
    Error,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::NoHits => 1,
            ExitStatus::Error => 2,
        }
    }
}

/// How long a first query waits for another process building the default
/// index before giving up.
const FIRST_BUILD_PATIENCE: std::time::Duration = std::time::Duration::from_secs(600);

/// A `query` command.
#[derive(Debug, Clone)]
pub struct QueryRequest {
    /// The query text.
    pub text: String,
    /// Number of hits to show.
    pub limit: usize,
    /// The index directory.
    pub index_dir: PathBuf,
    /// If there is no index, build one from these paths first (the default
    /// corpus, when the user did not choose an index).
    pub build_if_missing: Option<Vec<PathBuf>>,
    /// Only passages from these collections (all if empty).
    pub collections: Vec<String>,
    /// Only passages from sources matching these globs.
    pub sources: Vec<String>,
    /// Words as written: no stemming, spelling variants, expansion or correction.
    pub exact: bool,
    /// Extra glossary files.
    pub glossaries: Vec<PathBuf>,
    /// Time limit of the query.
    pub timeout: Option<std::time::Duration>,
    /// Only documents dated on or after this day.
    pub since: Option<policy_search::extract::date::Day>,
    /// Only documents dated on or before this day.
    pub until: Option<policy_search::extract::date::Day>,
    /// The order of hits.
    pub sort: search::Sort,
    /// Copies and versions of a paragraph as hits of their own.
    pub no_fold: bool,
    /// Say why each hit ranked.
    pub explain: bool,
    /// Output format.
    pub format: OutputFormat,
    /// Styling of human output.
    pub style: Style,
}

/// Runs a query and writes the results to `out`.
pub fn query(req: &QueryRequest, out: &mut dyn Write) -> Result<ExitStatus> {
    if let Some(paths) = &req.build_if_missing {
        if paths.iter().all(|p| p.exists()) {
            // Several first queries at once: one builds, the others wait for it.
            index::build_once(
                &req.index_dir,
                FIRST_BUILD_PATIENCE,
                || {
                    eprintln!(
                        "policy-search: {}/ is being built by another process; waiting for it",
                        visible(&req.index_dir.display().to_string())
                    )
                },
                || {
                    eprintln!(
                        "policy-search: no index in {}/ yet; building one from {}/ first",
                        visible(&req.index_dir.display().to_string()),
                        visible(
                            &paths
                                .iter()
                                .map(|p| p.display().to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    );
                    let opts = IndexOptions::new(paths.clone(), req.index_dir.clone());
                    ingest::run(&opts, &mut Bar::new(true)).map(drop)
                },
            )?;
        }
    }
    let index = PolicyIndex::open(&req.index_dir)?;
    let opts = SearchOptions {
        limit: req.limit,
        collections: req.collections.clone(),
        sources: req.sources.clone(),
        exact: req.exact,
        glossaries: req.glossaries.clone(),
        timeout: req.timeout,
        since: req.since,
        until: req.until,
        sort: req.sort,
        no_fold: req.no_fold,
        explain: req.explain,
    };
    let results = search::search(&index, &req.text, &opts)?;
    for w in &results.warnings {
        warn(w);
    }
    for n in render::notices(&results) {
        note(&n);
    }
    let rendered = render::render(&results, req.format, req.style);
    write_out(out, rendered.as_bytes())?;
    Ok(if results.hits.is_empty() {
        ExitStatus::NoHits
    } else {
        ExitStatus::Success
    })
}

/// Options of a batch of queries.
#[derive(Debug, Clone)]
pub struct BatchRequest {
    /// The index directory.
    pub index_dir: PathBuf,
    /// Queries file (`.jsonl` with `_id`/`text`, or `.tsv` `id<TAB>text`).
    pub queries: PathBuf,
    /// Documents per query.
    pub limit: usize,
    /// Search options (filters, exact, glossaries).
    pub search: SearchOptions,
    /// Run tag in TREC output.
    pub tag: String,
}

/// Runs a batch of queries and writes a TREC run (`qid Q0 docid rank score tag`).
pub fn batch(req: &BatchRequest, out: &mut dyn Write) -> Result<ExitStatus> {
    let index = PolicyIndex::open(&req.index_dir)?;
    let queries = policy_search::eval::load_queries(&req.queries)?;
    let run = run_queries(&index, &queries, req.limit, &req.search)?;
    write_out(
        out,
        policy_search::eval::trec_run(&queries, &run, &req.tag).as_bytes(),
    )?;
    Ok(if run.values().all(Vec::is_empty) {
        ExitStatus::NoHits
    } else {
        ExitStatus::Success
    })
}

/// One query's ranked documents, or why it has none.
type Answer = Result<Vec<(String, f32)>>;

/// Runs every query, on as many threads as there are cores (one engine,
/// shared: a query only reads the snapshot), and returns the run in query
/// order. A query that cannot run is warned about, in query order, and
/// gets no results; any other error stops the batch.
fn run_queries(
    index: &PolicyIndex,
    queries: &[policy_search::eval::Query],
    limit: usize,
    opts: &SearchOptions,
) -> Result<policy_search::eval::Run> {
    let engine = policy_search::search::Engine::new(index, opts)?;
    for w in engine.warnings() {
        warn(w);
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(queries.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let answers: Vec<Vec<(usize, Answer)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    while !stop.load(Relaxed) {
                        let i = next.fetch_add(1, Relaxed);
                        let Some(q) = queries.get(i) else {
                            break;
                        };
                        let answer = engine.documents(&q.text, limit, opts);
                        if matches!(
                            answer,
                            Err(ref e) if !matches!(
                                e,
                                Error::Query(_) | Error::Timeout { .. }
                            )
                        ) {
                            stop.store(true, Relaxed);
                        }
                        mine.push((i, answer));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut ordered: Vec<_> = answers.into_iter().flatten().collect();
    ordered.sort_by_key(|(i, _)| *i);
    let mut run = policy_search::eval::Run::new();
    for (i, answer) in ordered {
        let q = &queries[i];
        let ranked = match answer {
            Ok(ranked) => ranked,
            // One unusable query in a batch costs its results, not the run.
            Err(Error::Query(why)) => {
                warn(&format!("query {}: {why}; no results for it", q.id));
                Vec::new()
            }
            Err(e @ Error::Timeout { .. }) => {
                warn(&format!(
                    "query {}: {e}; no results for it (narrow it or raise --timeout)",
                    q.id
                ));
                Vec::new()
            }
            Err(e) => return Err(e),
        };
        run.insert(q.id.clone(), ranked);
    }
    Ok(run)
}

/// Runs `eval`: the queries against the index, scored against judgements.
pub fn eval(
    req: &BatchRequest,
    qrels: &std::path::Path,
    run_out: Option<&std::path::Path>,
    json: bool,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let index = PolicyIndex::open(&req.index_dir)?;
    let queries = policy_search::eval::load_queries(&req.queries)?;
    let judgements = policy_search::eval::load_qrels(qrels)?;
    let started = std::time::Instant::now();
    let run = run_queries(&index, &queries, req.limit, &req.search)?;
    let seconds = started.elapsed().as_secs_f64();
    if let Some(path) = run_out {
        std::fs::write(
            path,
            policy_search::eval::trec_run(&queries, &run, &req.tag),
        )
        .map_err(|e| Error::io(path, e))?;
    }
    let metrics = policy_search::eval::evaluate(&run, &judgements);
    let text = if json {
        json_line(&metrics)
    } else {
        format!(
            "{metrics}({} queries run at k={} in {seconds:.2} s, {:.0} queries/s)\n",
            queries.len(),
            req.limit,
            queries.len() as f64 / seconds.max(1e-9)
        )
    };
    write_out(out, text.as_bytes())?;
    Ok(ExitStatus::Success)
}

/// Runs `index`, with a progress bar on a terminal if `progress`, and
/// writes its summary line to `out`; `verbose` also names every file not
/// read (on stderr).
pub fn index(
    opts: &IndexOptions,
    progress: bool,
    verbose: bool,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let mut bar = Bar::new(progress);
    let summary = integrity::guard(&opts.index_dir, || ingest::run(opts, &mut bar))?;
    if verbose {
        for path in &summary.unsupported {
            note(&format!("not read (format not supported): {path}"));
        }
    }
    write_out(out, format!("{summary}\n").as_bytes())?;
    Ok(ExitStatus::Success)
}

/// Runs `status` and writes it to `out`, as text or JSON.
pub fn status(index_dir: &std::path::Path, json: bool, out: &mut dyn Write) -> Result<ExitStatus> {
    let index = PolicyIndex::open(index_dir)?;
    let status = policy_search::status::status(&index)?;
    let text = if json {
        json_line(&status)
    } else {
        status.to_string()
    };
    write_out(out, text.as_bytes())?;
    Ok(ExitStatus::Success)
}

/// Runs `status --verify`: checks every file of the index and writes what
/// was checked; [`Error::Damaged`] if something failed.
pub fn verify(index_dir: &std::path::Path, json: bool, out: &mut dyn Write) -> Result<ExitStatus> {
    let verification = integrity::verify(index_dir)?;
    let text = if json {
        json_line(&verification)
    } else {
        verification.to_string()
    };
    write_out(out, text.as_bytes())?;
    verification.into_result()?;
    Ok(ExitStatus::Success)
}

/// Runs `glossary`: the known acronyms (matching `term`, if given), with
/// where each mined one was defined.
pub fn glossary(
    index_dir: &std::path::Path,
    term: Option<&str>,
    extra: &[PathBuf],
    json: bool,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let analyzer = Analyzer::english();
    let (known, warnings) = acronyms::known(index_dir, extra, &analyzer)?;
    for w in warnings {
        warn(&w);
    }
    let definitions = acronyms::lookup(known, term, &analyzer);
    let text = if json {
        json_line(&definitions)
    } else {
        render::glossary(&definitions)
    };
    write_out(out, text.as_bytes())?;
    Ok(if definitions.is_empty() {
        ExitStatus::NoHits
    } else {
        ExitStatus::Success
    })
}

/// Runs `export`: every passage (of `collections`, if any) as one line of
/// JSON each, in the shape Quickwit's ingest API takes (`docs/scale.md`).
pub fn export(
    index_dir: &std::path::Path,
    collections: &[String],
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let index = PolicyIndex::open(index_dir)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let mut closed = false;
    let written = policy_search::index::export::for_each_passage(&index, collections, |p| {
        match out.write_all(render::exported_json(&p).as_bytes()) {
            // `| head`: the reader has what it wanted.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                closed = true;
                Err(Error::Io {
                    path: "<stdout>".into(),
                    source: e,
                })
            }
            Err(e) => Err(Error::io("<stdout>", e)),
            Ok(()) => Ok(()),
        }
    });
    let written = match written {
        Err(_) if closed => return Ok(ExitStatus::Success),
        Err(e) => return Err(e),
        Ok(n) => n,
    };
    write_out(&mut out, b"")?;
    Ok(if written == 0 {
        ExitStatus::NoHits
    } else {
        ExitStatus::Success
    })
}

/// What `show` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShowFormat {
    /// Text for people.
    Human,
    /// The JSON object of `GET /api/passage`.
    Json,
    /// A reference-manager entry.
    References(render::ReferenceFormat),
}

/// A `show` command.
#[derive(Debug, Clone, Copy)]
pub struct ShowRequest<'a> {
    /// The passage id.
    pub id: &'a str,
    /// Passages of context on each side.
    pub context: usize,
    /// Words to mark in the passage.
    pub highlight: Option<&'a str>,
    /// How to print it.
    pub format: ShowFormat,
    /// Also open the file with the system's default application.
    pub open: bool,
    /// Styling of text for people.
    pub style: Style,
}

/// Runs `show`: the passage with the passages around it, for people or as
/// JSON; [`ExitStatus::NoHits`] if no passage has that id.
pub fn show(
    index_dir: &std::path::Path,
    req: &ShowRequest,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let index = PolicyIndex::open(index_dir)?;
    let engine = search::Engine::new(&index, &SearchOptions::default())?;
    let Some(passage) = engine.passage(req.id, req.context)? else {
        warn(&format!(
            "no passage {} in the index; ids are SOURCE#N as results show them, or `passage_id` in --json",
            visible(req.id)
        ));
        return Ok(ExitStatus::NoHits);
    };
    let text = match req.format {
        ShowFormat::Json => render::passage_json(&passage),
        ShowFormat::References(format) => render::references(
            &[render::Reference {
                location: &passage.location,
                quote: &passage.quote,
            }],
            format,
        ),
        ShowFormat::Human => {
            let spans = match req.highlight {
                Some(words) => engine.highlight(words, &passage.quote)?,
                None => Vec::new(),
            };
            render::passage_human(&passage, &spans, req.style)
        }
    };
    write_out(out, text.as_bytes())?;
    if req.open {
        // A PDF viewer given `file:///…#page=N` opens at the page; others
        // open the file.
        let target = if passage.open.page.is_some() {
            passage.open.uri.as_str()
        } else {
            passage.open.path.as_str()
        };
        open::that_detached(target).map_err(|e| Error::io(&passage.open.path, e))?;
    }
    Ok(ExitStatus::Success)
}

/// Runs `list`: the collections and files of the index.
pub fn list(
    index_dir: &std::path::Path,
    collections: &[String],
    json: bool,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let index = PolicyIndex::open(index_dir)?;
    let library = policy_search::status::list(&index, collections)?;
    let text = if json {
        json_line(&library)
    } else {
        library.to_string()
    };
    write_out(out, text.as_bytes())?;
    Ok(if library.documents.is_empty() {
        ExitStatus::NoHits
    } else {
        ExitStatus::Success
    })
}

/// Runs `forget`: removes files from the index and says which.
pub fn forget(
    index_dir: &std::path::Path,
    what: &ingest::forget::Forget,
    json: bool,
    out: &mut dyn Write,
) -> Result<ExitStatus> {
    let forgotten = ingest::forget::forget(index_dir, what)?;
    if let Some(w) = &forgotten.warning {
        warn(w);
    }
    let text = if json {
        json_line(&forgotten)
    } else {
        format!("{forgotten}\n")
    };
    write_out(out, text.as_bytes())?;
    Ok(ExitStatus::Success)
}

/// `value` as one line of JSON.
fn json_line(value: &impl serde::Serialize) -> String {
    let mut line = serde_json::to_string(value).expect("plain data serializes");
    line.push('\n');
    line
}

/// Writes to stdout, treating a closed pipe (`| head`) as success.
fn write_out(out: &mut dyn Write, bytes: &[u8]) -> Result<()> {
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io("<stdout>", e)),
        Ok(()) => Ok(()),
    }
}
