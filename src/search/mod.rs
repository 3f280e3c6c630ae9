//! Searching: from query text to ranked, highlighted, de-duplicated hits.
//!
//! The query is parsed and expanded into a plan (`crate::query`). Ranking
//! is BM25 over the passage text, plus BM25 over the passage's title and
//! heading at a lower weight, times a length prior that keeps fragments of
//! a few words from outranking the paragraphs that answer the query. For a
//! short query (2–4 words) the passages containing all its words come
//! first. The same paragraph found in several documents is one hit that
//! lists every source. Whole documents, for `--batch` and `eval`, are
//! ranked apart (`documents`).

mod collect;
mod corrections;
mod documents;
mod filters;
pub(crate) mod highlight;
mod params;

use std::path::PathBuf;
use std::sync::OnceLock;

use tantivy::collector::Count;
use tantivy::query::BooleanQuery;

use crate::analysis::glossary::{Glossary, INDEX_GLOSSARY_FILE};
use crate::analysis::Analyzer;
use crate::error::Result;
pub use crate::index::documents::Location;
use crate::index::lexicon::IndexLexicon;
use crate::index::PolicyIndex;
use crate::query::compile::Compiler;
use crate::query::deadline::Deadline;
use crate::query::expand::{self, Understanding};
use crate::query::{self, Correction, Expansion, QueryPlan};
use collect::Gatherer;
pub(crate) use documents::trec_order;
pub use params::SearchOptions;
pub(crate) use params::{DocParams, Ranking};

/// One ranked passage.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// 1-based rank.
    pub rank: usize,
    /// Ranking score (higher is better).
    pub score: f32,
    /// Where it is (the best-ranked document containing it).
    pub location: Location,
    /// Every document containing the same paragraph, this one first.
    pub sources: Vec<Location>,
    /// The verbatim passage.
    pub quote: String,
    /// Byte ranges of `quote` that matched.
    pub highlights: Vec<(usize, usize)>,
}

/// The answer to a query.
#[derive(Debug, Clone)]
pub struct SearchResults {
    /// The query as typed.
    pub query: String,
    /// Number of passages that match.
    pub total_hits: usize,
    /// The best hits, best first.
    pub hits: Vec<Hit>,
    /// Words corrected to indexed terms.
    pub corrections: Vec<Correction>,
    /// Words and phrases also searched as acronyms or expansions.
    pub expansions: Vec<Expansion>,
    /// Things the user should know that did not stop the search: glossary
    /// lines skipped, source globs that match no indexed file.
    pub warnings: Vec<String>,
}

/// The glossary for queries on `index`: built-in, the index's own
/// `glossary.tsv` if present, and `extra` files; with a warning for each
/// glossary line skipped.
pub fn glossary(
    index: &PolicyIndex,
    extra: &[PathBuf],
    analyzer: &Analyzer,
) -> Result<(Glossary, Vec<String>)> {
    let mut g = Glossary::builtin(analyzer);
    let mut warnings = Vec::new();
    let kept = index.path.join(INDEX_GLOSSARY_FILE);
    if kept.is_file() {
        warnings.extend(g.load_user(&kept, analyzer)?);
    }
    for path in extra {
        warnings.extend(g.load_user(path, analyzer)?);
    }
    Ok((g, warnings))
}

/// A prepared searcher: one index snapshot, glossary and analyzer, reused
/// across queries (a batch of a thousand queries opens the index once).
pub struct Engine<'a> {
    index: &'a PolicyIndex,
    searcher: tantivy::Searcher,
    glossary: Glossary,
    analyzer: Analyzer,
    ranking: Ranking,
    document_stats: OnceLock<documents::Stats>,
    warnings: Vec<String>,
}

impl<'a> Engine<'a> {
    /// Opens a snapshot of `index` with the glossaries in `opts`, ranking
    /// as `POLICY_SEARCH_RANKING` says.
    pub fn new(index: &'a PolicyIndex, opts: &SearchOptions) -> Result<Self> {
        let ranking = Ranking::from_env()?;
        let analyzer = Analyzer::english();
        let reader = index.reader()?;
        let (glossary, warnings) = glossary(index, &opts.glossaries, &analyzer)?;
        Ok(Engine {
            glossary,
            warnings,
            searcher: reader.searcher(),
            index,
            analyzer,
            ranking,
            document_stats: OnceLock::new(),
        })
    }

    /// Warnings from preparing the engine (glossary lines skipped).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Parses a query with `analyzer` and expands it as `how` allows.
    fn plan(&self, query_text: &str, analyzer: &Analyzer, how: Understanding) -> Result<QueryPlan> {
        let mut plan = query::parse(query_text, analyzer)?;
        let lexicon = IndexLexicon::new(&self.searcher, self.index.fields);
        expand::expand(&mut plan, &self.glossary, &lexicon, analyzer, how);
        Ok(plan)
    }

    /// Ranked passages for `query_text`.
    pub fn search(&self, query_text: &str, opts: &SearchOptions) -> Result<SearchResults> {
        let limit = if opts.limit == 0 { 10 } else { opts.limit };
        let deadline = Deadline::after(opts.timeout);
        let understand = Understanding {
            acronyms: !opts.exact,
            corrections: !opts.exact,
        };
        let plan = self.plan(query_text, &self.analyzer, understand)?;
        deadline.check()?;
        // Under --exact, the stemmed plan finds candidates and the exact plan
        // decides, word for word.
        let exact_analyzer = Analyzer::exact();
        let exact = if opts.exact {
            Some(self.plan(query_text, &exact_analyzer, Understanding::NONE)?)
        } else {
            None
        };
        let (filters, filter_warnings) =
            filters::filters(&self.searcher, &self.index.fields, &plan, opts)?;
        let compiler = Compiler {
            fields: &self.index.fields,
            filters: &filters,
            exclude: exact.is_none(),
            context_weight: self.ranking.context_weight,
            deadline: &deadline,
        };
        let (passes, mut total_hits) = self.passes(&compiler, &plan)?;
        let exact = exact.as_ref().map(|p| (p, &exact_analyzer));
        let gatherer = Gatherer {
            searcher: &self.searcher,
            fields: &self.index.fields,
            limit,
            shown: exact.unwrap_or((&plan, &self.analyzer)),
            exact,
            deadline: &deadline,
        };
        let collected = gatherer.collect(&passes)?;
        if exact.is_some() {
            total_hits = collected.verified();
        }
        let hits = collected.into_hits();
        Ok(self.results(query_text, &plan, total_hits, hits, filter_warnings))
    }

    /// The ranked queries to take candidates from, strongest first, and the
    /// number of passages that match.
    fn passes(&self, compiler: &Compiler, plan: &QueryPlan) -> Result<(Vec<BooleanQuery>, usize)> {
        let any = compiler.build(plan, false);
        // Counting needs no scores, so it runs apart from the ranked search,
        // which can then skip most postings (block-max WAND).
        let counting = compiler.build(&plan.for_counting(), false);
        let total_hits = self.searcher.search(&counting, &Count)?;
        compiler.deadline.check()?;
        // Passages with every concept rank first, so the rest are
        // candidates only once those run out.
        let mut passes = Vec::new();
        if plan.prefers_all() && total_hits > 0 {
            passes.push(compiler.build(plan, true));
        }
        passes.push(any);
        Ok((passes, total_hits))
    }

    /// The answer, with corrections shown as words of the hits and the
    /// engine's warnings before the query's own.
    fn results(
        &self,
        query_text: &str,
        plan: &QueryPlan,
        total_hits: usize,
        hits: Vec<Hit>,
        query_warnings: Vec<String>,
    ) -> SearchResults {
        SearchResults {
            query: query_text.to_string(),
            total_hits,
            corrections: corrections::shown_corrections(plan, &hits, &self.analyzer),
            hits,
            expansions: plan.expansions.clone(),
            warnings: self
                .warnings
                .iter()
                .cloned()
                .chain(query_warnings)
                .collect(),
        }
    }
}

/// Runs `query_text` against `index`.
pub fn search(
    index: &PolicyIndex,
    query_text: &str,
    opts: &SearchOptions,
) -> Result<SearchResults> {
    Engine::new(index, opts)?.search(query_text, opts)
}
