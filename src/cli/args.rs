//! Command-line interface: clap definitions and their translation into the
//! library's options.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::commands::{self as app, BatchRequest, ExitStatus, QueryRequest};
use super::config;
use super::location::{self, IndexLocation};
use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};
use policy_search::extract::date::Day;
use policy_search::extract::ocr::{Ocr, TESSERACT_VAR};
use policy_search::extract::ExtractOptions;
use policy_search::index::integrity;
use policy_search::ingest::{self, isolate, IndexOptions};
use policy_search::render::{OutputFormat, ReferenceFormat, Style};
use policy_search::search::{SearchOptions, Sort};

/// Most passages one query shows (`-n`).
const MAX_PASSAGES: u64 = 10_000;
/// Most documents ranked per query in `--batch` and `eval` (`-n`, `-k`).
const MAX_DOCUMENTS: u64 = 100_000;
/// Most worker threads for `index`.
const MAX_THREADS: u64 = 64;
/// Longest duration any `SECS` option takes: one day.
const MAX_SECONDS: f64 = 86_400.0;

/// Query syntax by example, after `query --help`.
const QUERY_EXAMPLES: &str = "\
Query syntax:
  integrated care boards        any of the words, best first (all of them first)
  \"place-based partnerships\"    the phrase
  \"care board\"~2                the words within 2 positions of each other
  collab*                       words starting with collab
  +finance -Dorset              must contain finance, must not contain Dorset
  +1 nucleosome, -80 C          a sign before a number is part of it
  title:collaboratives          in a title or heading (also heading:, source:, path:)
  source:reports/*.pdf          only files whose path matches the glob
  workforce^2 retention         weigh a word double

Examples:
  policy-search query \"virtual wards\" -n 5
  policy-search query PCN --in icbs --source '*2025*' --json
  policy-search query \"CCG commissioning\" --since 2022 --sort date
  policy-search query \"Dorset Passport\" --format ris > refs.ris";

/// Search health-policy documents and get back citable, verbatim passages.
#[derive(Debug, Parser)]
#[command(name = "policy-search", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Configuration file [default: $POLICY_SEARCH_CONFIG, else ~/.config/policy-search/config.toml]
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
}

impl Cli {
    /// Whether the command indexes files (and so runs many threads that
    /// allocate at once).
    pub fn indexes(&self) -> bool {
        matches!(self.command, Command::Index(_))
    }

    /// Whether the command runs queries and ends (`query`, `eval`).
    pub fn queries(&self) -> bool {
        matches!(self.command, Command::Query(_) | Command::Eval(_))
    }
}

#[derive(Debug, clap::Args)]
struct IndexArg {
    /// Index directory [default: the configuration's `index`; else ./index beside seeds/; else the per-user data folder, e.g. ~/.local/share/policy-search/index]
    #[arg(long, env = "POLICY_SEARCH_INDEX", value_name = "DIR", global = true)]
    index: Option<PathBuf>,
}

impl IndexArg {
    /// `--index` (or POLICY_SEARCH_INDEX), else the configuration's, else
    /// the default ([`location::resolve`]).
    fn location(&self) -> IndexLocation {
        let chosen = self.index.as_ref().or(config::get().index.as_ref());
        location::resolve(chosen.map(PathBuf::as_path))
    }

    fn dir(&self) -> PathBuf {
        self.location().dir
    }
}

/// The OCR engine `--ocr` asks for, or why there is none.
fn ocr_engine() -> Result<Ocr> {
    Ocr::find().ok_or_else(|| {
        anyhow::anyhow!(
            "--ocr needs tesseract, which does not run here \
             (install it, e.g. apt install tesseract-ocr, or name it in {TESSERACT_VAR})"
        )
    })
}

/// The glossary files of the configuration, then those given with `--glossary`.
fn glossaries(given: Vec<PathBuf>) -> Vec<PathBuf> {
    config::get()
        .glossaries
        .iter()
        .cloned()
        .chain(given)
        .collect()
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Index files and folders recursively (.txt, .md, .pdf, .html, .docx, .pptx, .odt, .rtf, .epub, .xml, .jsonl)
    Index(IndexArgs),
    /// List the acronyms the search knows: built-in, user glossaries, and those defined in the documents
    Glossary(GlossaryArgs),
    /// Score the ranking on a test collection: nDCG@10, Recall@100, MAP, MRR@10
    Eval(EvalArgs),
    /// Show what the index holds and which files changed on disk since
    #[command(visible_alias = "stats")]
    Status(StatusArgs),
    /// Extract one file and print it as JSON (used internally to isolate extractors)
    #[command(name = "extract-worker", hide = true)]
    ExtractWorker(ExtractWorkerArgs),
    /// Search the index; prints ranked passages with source and verbatim quote
    #[command(after_help = QUERY_EXAMPLES)]
    Query(QueryArgs),
    /// Serve the index to a browser and to scripts: a search page and a JSON API (loopback only unless --allow-remote)
    Serve(ServeArgs),
    /// Answer an AI assistant's searches over the Model Context Protocol on stdin/stdout
    Mcp(McpArgs),
    /// Show one passage in its document: the paragraphs around it, its citation, where to open it
    Show(ShowArgs),
    /// Write every passage with its citation as JSON lines, for another search engine to ingest
    Export(ExportArgs),
    /// List the library: collections, and each file with its title and passages, or why it is not searchable
    List(ListArgs),
    /// Remove files, a folder or a collection from the index; the files on disk are not touched
    Forget(ForgetArgs),
    /// Print the shell completion script for SHELL (see the README for where to put it)
    Completions(CompletionsArgs),
    /// Print the manual page, or write one per command into a folder
    Man(ManArgs),
}

// The arguments of `index`.
#[derive(Debug, clap::Args)]
struct IndexArgs {
    /// Files or folders to index [default: the configuration's collections, else seeds/ where it is]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    index: IndexArg,
    /// Threads that read files, and as many that write the index, 1 to 64
    /// [default: one per core]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_THREADS))]
    threads: Option<u64>,
    /// Never show a progress bar
    #[arg(long)]
    no_progress: bool,
    /// Start over: drop everything indexed before
    #[arg(long)]
    rebuild: bool,
    /// Collection name for these paths [default: each folder's name]
    #[arg(long, value_name = "NAME")]
    collection: Option<String>,
    /// Commit at least every SECS seconds during a long run (up to 86400)
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = seconds)]
    commit_every: Duration,
    /// Give up on a file whose extraction takes longer than SECS seconds (up to 86400)
    #[arg(long, value_name = "SECS", default_value = "120", value_parser = seconds)]
    file_timeout: Duration,
    /// Skip files larger than SIZE (e.g. 500MB, 2GiB)
    #[arg(long, value_name = "SIZE", default_value = "4GiB", value_parser = parse_size)]
    max_file_size: u64,
    /// Give up on a PDF, DOCX, PPTX, ODT or EPUB whose extraction needs more memory than SIZE
    #[arg(long, value_name = "SIZE", default_value = "2GiB", value_parser = parse_size)]
    max_file_memory: u64,
    /// Also list every file not read because its format is not supported
    #[arg(short, long)]
    verbose: bool,
    /// Keep indexing as files change below the paths, until stopped (Ctrl-C)
    #[arg(long, conflicts_with = "rebuild")]
    watch: bool,
    /// Read scanned PDF pages (no text layer) with OCR; needs the tesseract program
    #[arg(long)]
    ocr: bool,
}

// The arguments of `glossary`.
#[derive(Debug, clap::Args)]
struct GlossaryArgs {
    /// Only acronyms or expansions matching TERM
    term: Option<String>,
    #[command(flatten)]
    index: IndexArg,
    /// Also list the acronyms in FILE (repeatable)
    #[arg(long = "glossary", value_name = "FILE")]
    glossaries: Vec<PathBuf>,
    /// Print a JSON array
    #[arg(long)]
    json: bool,
}

// The arguments of `eval`.
#[derive(Debug, clap::Args)]
struct EvalArgs {
    /// Queries (.jsonl with _id/text, or .tsv id<TAB>text)
    #[arg(long, value_name = "FILE")]
    queries: PathBuf,
    /// Judgements (BEIR qrels.tsv, or TREC qrels)
    #[arg(long, value_name = "FILE")]
    qrels: PathBuf,
    #[command(flatten)]
    index: IndexArg,
    /// Documents ranked per query, 1 to 100000
    #[arg(short = 'k', long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=MAX_DOCUMENTS))]
    depth: u64,
    /// Also write the run, in TREC format, to FILE
    #[arg(long, value_name = "FILE")]
    run: Option<PathBuf>,
    /// Print one JSON object
    #[arg(long)]
    json: bool,
    /// Give up on a query that takes longer than SECS seconds (it gets no results)
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = seconds)]
    timeout: Duration,
}

// The arguments of `status`.
#[derive(Debug, clap::Args)]
struct StatusArgs {
    #[command(flatten)]
    index: IndexArg,
    /// Print one JSON object
    #[arg(long)]
    json: bool,
    /// Check every file of the index (checksums, metadata) instead; exit 2 if one is damaged
    #[arg(long)]
    verify: bool,
}

// The arguments of `extract-worker`.
#[derive(Debug, clap::Args)]
struct ExtractWorkerArgs {
    #[arg(long)]
    format: String,
    /// Exit when stdin closes: the parent that holds its other end is gone
    #[arg(long)]
    exit_with_stdin: bool,
    /// Most memory to take, in bytes
    #[arg(long)]
    max_memory: Option<u64>,
    /// Read scanned pages with this OCR program
    #[arg(long)]
    ocr_program: Option<PathBuf>,
    path: PathBuf,
}

// The arguments of `query`.
#[derive(Debug, clap::Args)]
struct QueryArgs {
    /// The query: words, "phrases", +required, -excluded, title:word
    #[arg(required_unless_present = "batch", num_args = 1.., value_name = "TEXT")]
    text: Vec<String>,
    /// Run every query in FILE (.jsonl with _id/text, or .tsv id<TAB>text) and rank documents; use with --format trec
    #[arg(long, value_name = "FILE", conflicts_with = "text")]
    batch: Option<PathBuf>,
    /// Run tag for --format trec
    #[arg(long, default_value = "policy-search")]
    tag: String,
    /// Number of passages to show, 1 to 10000 [default: the configuration's, else 10] (with --batch: documents per query, up to 100000)
    #[arg(short = 'n', long = "limit", value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_DOCUMENTS))]
    limit: Option<u64>,
    #[command(flatten)]
    index: IndexArg,
    /// Only passages from this collection (repeatable)
    #[arg(long = "in", value_name = "NAME")]
    collections: Vec<String>,
    /// Only passages from files whose path matches GLOB (repeatable; `*`, `**`, `?`)
    #[arg(long = "source", value_name = "GLOB")]
    sources: Vec<String>,
    /// Match words exactly as written: no stemming, spelling variants, acronym expansion or correction
    #[arg(long)]
    exact: bool,
    /// Also use the acronyms in FILE (ACRONYM<TAB>expansion per line; repeatable)
    #[arg(long = "glossary", value_name = "FILE")]
    glossaries: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    format: FormatArg,
    /// Short for --format json
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// When to use colour and bold [default: the configuration's, else auto]
    #[arg(long, value_enum)]
    color: Option<ColorArg>,
    /// Give up on a query that takes longer than SECS seconds (with --batch: that query gets no results)
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = seconds)]
    timeout: Duration,
    /// Only documents dated on or after DATE (2024, 2024-05, 2024-05-12 or "May 2024"); undated ones are left out
    #[arg(long, value_name = "DATE", value_parser = date)]
    since: Option<Day>,
    /// Only documents dated on or before DATE; undated ones are left out
    #[arg(long, value_name = "DATE", value_parser = date)]
    until: Option<Day>,
    /// Order of hits: best match first, or (of the best matches) newest document first
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    sort: SortArg,
    /// Show copies and reworded versions of a paragraph in other documents as hits of their own
    #[arg(long)]
    no_fold: bool,
    /// Say for each hit why it ranked: the words it matched and how, and what its score is made of
    #[arg(long)]
    explain: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SortArg {
    Relevance,
    Date,
}

impl From<SortArg> for Sort {
    fn from(s: SortArg) -> Sort {
        match s {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Date => Sort::Date,
        }
    }
}

/// A `DATE` value: `2024`, `2024-05`, `2024-05-12`, or written out (`May 2024`, `12 May 2024`).
fn date(s: &str) -> std::result::Result<Day, String> {
    Day::from_user(s).ok_or_else(|| {
        format!("{s:?} is not a date; write e.g. 2024, 2024-05, 2024-05-12 or \"May 2024\"")
    })
}

// The arguments of `serve`.
#[derive(Debug, clap::Args)]
struct ServeArgs {
    #[command(flatten)]
    index: IndexArg,
    /// Address to listen on; one that is not loopback needs --allow-remote
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Port to listen on (0: any free port; the address is printed on stderr)
    #[arg(long, value_name = "PORT", default_value_t = policy_search::serve::DEFAULT_PORT)]
    port: u16,
    /// Allow --bind on an address other machines can reach (prints a warning)
    #[arg(long)]
    allow_remote: bool,
    /// Also accept requests naming this server HOST in their Host header (repeatable)
    #[arg(long = "allow-host", value_name = "HOST")]
    allowed_hosts: Vec<String>,
    /// Also use the acronyms in FILE (ACRONYM<TAB>expansion per line; repeatable)
    #[arg(long = "glossary", value_name = "FILE")]
    glossaries: Vec<PathBuf>,
    /// Answer 503 to a request that takes longer than SECS seconds, and close
    /// a connection that sends no whole request in that time
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = seconds)]
    timeout: Duration,
    /// Requests handled at once, 1 to 1024; more are answered 503 at once
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..=1024))]
    max_concurrent: u64,
}

// The arguments of `mcp`.
#[derive(Debug, clap::Args)]
struct McpArgs {
    #[command(flatten)]
    index: IndexArg,
    /// Also use the acronyms in FILE (ACRONYM<TAB>expansion per line; repeatable)
    #[arg(long = "glossary", value_name = "FILE")]
    glossaries: Vec<PathBuf>,
}

// The arguments of `show`.
#[derive(Debug, clap::Args)]
struct ShowArgs {
    /// The passage id: `passage_id` in --json, or SOURCE#N as results show it
    id: String,
    #[command(flatten)]
    index: IndexArg,
    /// Paragraphs to show before and after the passage, 0 to 10
    #[arg(short = 'C', long, value_name = "K", default_value_t = 2, value_parser = clap::value_parser!(u64).range(0..=policy_search::search::MAX_CONTEXT as u64))]
    context: u64,
    /// Mark these words in the passage, as a query would match them
    #[arg(long, value_name = "WORDS")]
    highlight: Option<String>,
    /// Output format: for people, JSON (the shape of GET /api/passage), or a reference-manager entry
    #[arg(long, value_enum, default_value_t = ShowFormat::Human)]
    format: ShowFormat,
    /// Short for --format json
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// Also open the passage's file (at its page, for a PDF) with the system's default application
    #[arg(long)]
    open: bool,
    /// When to use colour and bold [default: the configuration's, else auto]
    #[arg(long, value_enum)]
    color: Option<ColorArg>,
}

// The arguments of `export`.
#[derive(Debug, clap::Args)]
struct ExportArgs {
    #[command(flatten)]
    index: IndexArg,
    /// Record shape: one JSON object per passage per line (Quickwit's ingest format)
    #[arg(long, value_enum, default_value_t = ExportFormat::Ndjson)]
    format: ExportFormat,
    /// Only passages of this collection (repeatable)
    #[arg(long = "in", value_name = "NAME")]
    collections: Vec<String>,
}

// The arguments of `list`.
#[derive(Debug, clap::Args)]
struct ListArgs {
    #[command(flatten)]
    index: IndexArg,
    /// Only this collection (repeatable)
    #[arg(long = "in", value_name = "NAME")]
    collections: Vec<String>,
    /// Print one JSON object
    #[arg(long)]
    json: bool,
}

// The arguments of `forget`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["path", "collection"])))]
struct ForgetArgs {
    /// A file or folder indexed before (it need not exist on disk any more)
    path: Option<PathBuf>,
    #[command(flatten)]
    index: IndexArg,
    /// Every file of this collection instead
    #[arg(long, value_name = "NAME")]
    collection: Option<String>,
    /// Print one JSON object
    #[arg(long)]
    json: bool,
}

// The arguments of `completions`.
#[derive(Debug, clap::Args)]
struct CompletionsArgs {
    /// The shell
    shell: clap_complete::Shell,
}

// The arguments of `man`.
#[derive(Debug, clap::Args)]
struct ManArgs {
    /// Write policy-search.1 and a page per command (policy-search-query.1, …) into DIR
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ShowFormat {
    Human,
    Json,
    /// CSL-JSON, for Zotero and pandoc
    CslJson,
    /// RIS, for reference managers
    Ris,
    /// A BibTeX entry
    Bibtex,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ExportFormat {
    /// Newline-delimited JSON, one passage per line
    Ndjson,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    Human,
    Json,
    Markdown,
    /// CSL-JSON, for Zotero and pandoc
    CslJson,
    /// RIS, for reference managers
    Ris,
    /// BibTeX entries
    Bibtex,
    /// TREC run lines, for --batch
    Trec,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

/// A size such as `4GiB`, `500MB` or `1048576` (bytes).
fn parse_size(s: &str) -> Result<u64, String> {
    s.trim()
        .parse::<bytesize::ByteSize>()
        .map(|b| b.as_u64())
        .map_err(|_| format!("{s:?} is not a size; write e.g. 500MB, 2GiB or a number of bytes"))
}

/// A `SECS` value: a positive, finite number of seconds, at most a day.
fn seconds(s: &str) -> std::result::Result<Duration, String> {
    let value: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if !(value > 0.0 && value <= MAX_SECONDS) {
        return Err(format!(
            "{s} is not a number of seconds more than 0 and at most {MAX_SECONDS}"
        ));
    }
    Duration::try_from_secs_f64(value).map_err(|e| format!("{s}: {e}"))
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<ExitStatus> {
    config::load(cli.config.as_deref())?;
    // The resident commands write from other threads (`mcp` its protocol):
    // they must not run with stdout locked here.
    let cli = match cli.command {
        Command::Serve(args) => return args.run(),
        Command::Mcp(args) => {
            let dir = args.index.dir();
            let glossaries = glossaries(args.glossaries);
            return on_index(&dir, || super::resident::mcp(&dir, &glossaries));
        }
        command => Cli {
            command,
            config: None,
        },
    };
    let mut stdout = std::io::stdout().lock();
    match cli.command {
        Command::Index(args) => args.run(&mut stdout),
        Command::Glossary(args) => args.run(&mut stdout),
        Command::Eval(args) => args.run(&mut stdout),
        Command::Status(args) => args.run(&mut stdout),
        Command::ExtractWorker(args) => args.run(&mut stdout),
        Command::Query(args) => args.run(&mut stdout),
        Command::Show(args) => args.run(&mut stdout),
        Command::Export(args) => args.run(&mut stdout),
        Command::List(args) => args.run(&mut stdout),
        Command::Forget(args) => args.run(&mut stdout),
        Command::Completions(args) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(args.shell, &mut cmd, "policy-search", &mut stdout);
            Ok(ExitStatus::Success)
        }
        Command::Man(args) => {
            let cmd = <Cli as clap::CommandFactory>::command();
            match args.dir {
                Some(dir) => {
                    std::fs::create_dir_all(&dir)
                        .and_then(|()| clap_mangen::generate_to(cmd, &dir))
                        .map_err(|e| policy_search::Error::io(&dir, e))?;
                }
                None => clap_mangen::Man::new(cmd).render(&mut stdout)?,
            }
            Ok(ExitStatus::Success)
        }
        Command::Serve(_) | Command::Mcp(_) => unreachable!("run above"),
    }
}

impl ServeArgs {
    fn run(self) -> Result<ExitStatus> {
        let req = super::resident::ServeRequest {
            index_dir: self.index.dir(),
            bind: self.bind,
            port: self.port,
            allow_remote: self.allow_remote,
            allowed_hosts: self.allowed_hosts,
            glossaries: glossaries(self.glossaries),
            limits: policy_search::serve::Limits {
                timeout: self.timeout,
                max_concurrent: self.max_concurrent as usize,
            },
        };
        on_index(&req.index_dir, || super::resident::serve(&req))
    }
}

impl IndexArgs {
    fn run(self, out: &mut dyn Write) -> Result<ExitStatus> {
        let configured = &config::get().collections;
        if self.paths.is_empty() && self.collection.is_none() && !configured.is_empty() {
            return self.run_configured(configured, out);
        }
        let paths = if self.paths.is_empty() {
            location::default_paths().ok_or_else(|| {
                anyhow::anyhow!(
                    "nothing to index: give files or folders (policy-search index ~/reports), \
                     or list collections in the configuration file"
                )
            })?
        } else {
            self.paths.clone()
        };
        self.run_on(paths, self.collection.clone(), self.rebuild, out)
    }

    /// `index` with no paths: every collection of the configuration, each
    /// under its name (`--rebuild` starts over once, before the first).
    fn run_configured(
        &self,
        collections: &std::collections::BTreeMap<String, Vec<PathBuf>>,
        out: &mut dyn Write,
    ) -> Result<ExitStatus> {
        if self.watch {
            anyhow::bail!(
                "--watch needs the paths to watch: give them, with --collection NAME for each collection"
            );
        }
        for (i, (name, paths)) in collections.iter().enumerate() {
            self.run_on(
                paths.clone(),
                Some(name.clone()),
                self.rebuild && i == 0,
                out,
            )?;
        }
        Ok(ExitStatus::Success)
    }

    fn run_on(
        &self,
        paths: Vec<PathBuf>,
        collection: Option<String>,
        rebuild: bool,
        out: &mut dyn Write,
    ) -> Result<ExitStatus> {
        let opts = IndexOptions {
            collection,
            // 0: one per core.
            threads: self.threads.map_or(0, |n| n as usize),
            rebuild,
            commit_interval: self.commit_every,
            isolate: std::env::current_exe().ok(),
            file_timeout: self.file_timeout,
            max_file_size: self.max_file_size,
            max_file_memory: self.max_file_memory,
            extract: ExtractOptions {
                ocr: self.ocr.then(ocr_engine).transpose()?,
            },
            ..IndexOptions::new(paths, self.index.dir())
        };
        if self.watch {
            return Ok(super::watch::watch(&opts, !self.no_progress, out)?);
        }
        Ok(app::index(&opts, !self.no_progress, self.verbose, out)?)
    }
}

impl GlossaryArgs {
    fn run(self, out: &mut dyn Write) -> Result<ExitStatus> {
        let dir = self.index.dir();
        let term = self.term.as_deref();
        on_index(&dir, || {
            app::glossary(
                &dir,
                term,
                &glossaries(self.glossaries.clone()),
                self.json,
                out,
            )
        })
    }
}

impl EvalArgs {
    fn run(self, out: &mut dyn Write) -> Result<ExitStatus> {
        let req = BatchRequest {
            index_dir: self.index.dir(),
            queries: self.queries,
            limit: self.depth as usize,
            search: SearchOptions {
                timeout: Some(self.timeout),
                ..SearchOptions::default()
            },
            tag: "policy-search".to_string(),
        };
        let run = self.run.as_deref();
        on_index(&req.index_dir, || {
            app::eval(&req, &self.qrels, run, self.json, out)
        })
    }
}

impl StatusArgs {
    fn run(self, out: &mut dyn Write) -> Result<ExitStatus> {
        let dir = self.index.dir();
        if self.verify {
            on_index(&dir, || app::verify(&dir, self.json, out))
        } else {
            on_index(&dir, || app::status(&dir, self.json, out))
        }
    }
}

impl ShowArgs {
    fn run(self, out: &mut dyn Write) -> Result<ExitStatus> {
        let dir = self.index.dir();
        let style = style(self.color);
        let req = app::ShowRequest {
            id: &self.id,
            context: self.context as usize,
            highlight: self.highlight.as_deref(),
            format: match (self.json, self.format) {
                (true, _) | (_, ShowFormat::Json) => app::ShowFormat::Json,
                (_, ShowFormat::Human) => app::ShowFormat::Human,
                (_, ShowFormat::CslJson) => app::ShowFormat::References(ReferenceFormat::CslJson),
                (_, ShowFormat::Ris) => app::ShowFormat::References(ReferenceFormat::Ris),
                (_, ShowFormat::Bibtex) => app::ShowFormat::References(ReferenceFormat::Bibtex),
            },
            open: self.open,
            style,
        };
        on_index(&dir, || app::show(&dir, &req, out))
    }
}

impl ExportArgs {
    fn run(self, out: &mut dyn Write) -> Result<ExitStatus> {
        let dir = self.index.dir();
        match self.format {
            ExportFormat::Ndjson => on_index(&dir, || app::export(&dir, &self.collections, out)),
        }
    }
}

impl ListArgs {
    fn run(self, out: &mut dyn Write) -> Result<ExitStatus> {
        let dir = self.index.dir();
        on_index(&dir, || app::list(&dir, &self.collections, self.json, out))
    }
}

impl ForgetArgs {
    fn run(self, out: &mut dyn Write) -> Result<ExitStatus> {
        let dir = self.index.dir();
        let what = match (self.path, self.collection) {
            (Some(path), None) => ingest::forget::Forget::Path(path),
            (None, Some(name)) => ingest::forget::Forget::Collection(name),
            _ => unreachable!("clap requires exactly one"),
        };
        on_index(&dir, || app::forget(&dir, &what, self.json, out))
    }
}

impl ExtractWorkerArgs {
    fn run(self, out: &mut dyn Write) -> Result<ExitStatus> {
        if let Some(bytes) = self.max_memory {
            isolate::limit_memory(bytes)?;
        }
        let format = policy_search::extract::Format::from_name(&self.format)
            .ok_or_else(|| anyhow::anyhow!("unknown format {}", self.format))?;
        if self.exit_with_stdin {
            std::thread::spawn(|| {
                isolate::parent_gone();
                std::process::exit(ExitStatus::Error.code().into());
            });
        }
        let opts = ExtractOptions {
            ocr: self.ocr_program.map(Ocr::assumed),
        };
        isolate::worker_main(format, &self.path, &opts, out)?;
        Ok(ExitStatus::Success)
    }
}

impl QueryArgs {
    fn run(self, out: &mut dyn Write) -> Result<ExitStatus> {
        if let Some(queries) = self.batch.clone() {
            return self.run_batch(queries, out);
        }
        let limit = self.limit() as usize;
        if self.limit() > MAX_PASSAGES {
            anyhow::bail!(policy_search::Error::Usage(format!(
                "-n {limit} is more passages than one query shows (at most {MAX_PASSAGES}; \
                 up to {MAX_DOCUMENTS} documents per query with --batch)"
            )));
        }
        let format = match (self.json, self.format) {
            (true, _) | (_, FormatArg::Json) => OutputFormat::Json,
            (_, FormatArg::Human) => OutputFormat::Human,
            (_, FormatArg::Markdown) => OutputFormat::Markdown,
            (_, FormatArg::CslJson) => OutputFormat::References(ReferenceFormat::CslJson),
            (_, FormatArg::Ris) => OutputFormat::References(ReferenceFormat::Ris),
            (_, FormatArg::Bibtex) => OutputFormat::References(ReferenceFormat::Bibtex),
            (_, FormatArg::Trec) => anyhow::bail!("--format trec needs --batch FILE"),
        };
        let req = QueryRequest {
            text: self.text.join(" "),
            limit,
            build_if_missing: self
                .index
                .location()
                .seeded
                .then(location::default_paths)
                .flatten(),
            index_dir: self.index.dir(),
            collections: self.collections,
            sources: self.sources,
            exact: self.exact,
            glossaries: glossaries(self.glossaries),
            timeout: Some(self.timeout),
            since: self.since,
            until: self.until,
            sort: self.sort.into(),
            no_fold: self.no_fold,
            explain: self.explain,
            format,
            style: style(self.color),
        };
        on_index(&req.index_dir, || app::query(&req, out))
    }

    /// `-n`, else the configuration's, else 10.
    fn limit(&self) -> u64 {
        self.limit
            .or(config::get().query.limit)
            .unwrap_or(10)
            .clamp(1, MAX_DOCUMENTS)
    }

    /// `--batch FILE`: every query of the file, as a TREC run.
    fn run_batch(self, queries: PathBuf, out: &mut dyn Write) -> Result<ExitStatus> {
        if self.format != FormatArg::Trec {
            anyhow::bail!("--batch writes a TREC run: add --format trec");
        }
        let limit = self.limit() as usize;
        let req = BatchRequest {
            index_dir: self.index.dir(),
            queries,
            limit,
            search: SearchOptions {
                limit,
                collections: self.collections,
                sources: self.sources,
                exact: self.exact,
                glossaries: glossaries(self.glossaries),
                timeout: Some(self.timeout),
                since: self.since,
                until: self.until,
                sort: self.sort.into(),
                no_fold: self.no_fold,
                explain: false,
            },
            tag: self.tag,
        };
        on_index(&req.index_dir, || app::batch(&req, out))
    }
}

/// Runs a command that reads the index in `dir`: a damaged index is
/// reported as such (see [`integrity::guard`]).
fn on_index(
    dir: &Path,
    command: impl FnOnce() -> policy_search::Result<ExitStatus>,
) -> Result<ExitStatus> {
    Ok(integrity::guard(dir, command)?)
}

/// Styling of human output on stdout: colour as `--color` says (on a
/// terminal without NO_COLOR by default), lines as wide as the terminal.
fn style(color: Option<ColorArg>) -> Style {
    let color = color.unwrap_or_else(|| match config::get().query.color.as_deref() {
        Some("always") => ColorArg::Always,
        Some("never") => ColorArg::Never,
        _ => ColorArg::Auto,
    });
    let terminal = std::io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => terminal && !no_color,
    };
    let width = terminal
        .then(|| {
            console::Term::stdout()
                .size_checked()
                .map(|(_, w)| w as usize)
        })
        .flatten();
    Style { color, width }
}
