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

pub mod acronyms;
mod collect;
mod context;
mod corrections;
mod documents;
pub mod explain;
mod filters;
mod fold;
pub(crate) mod highlight;
mod live;
mod of_documents;
pub(crate) mod parallel;
mod params;
mod passages;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::OnceLock;

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
pub use context::{Neighbour, OpenAt, PassageInContext, MAX_CONTEXT};
pub(crate) use documents::trec_order;
pub use explain::{Explanation, WordMatch};
pub use live::LiveEngine;
use parallel::beside;
pub use params::{SearchOptions, Sort};
pub use passages::ScoreParts;

/// Documents ranked for a page, per hit wanted: enough that copies folded
/// together and documents without a matching passage still leave a page.
const DOCUMENTS_PER_HIT: usize = 2;
/// Most documents ranked for a page, however many copies fold together.
const MAX_DOCUMENTS: usize = 5000;
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
    /// Every document containing the same paragraph, this one first, then
    /// the others newest first: copies, and versions worded a little
    /// differently (see `fold`).
    pub sources: Vec<Source>,
    /// The verbatim passage.
    pub quote: String,
    /// Byte ranges of `quote` that matched.
    pub highlights: Vec<(usize, usize)>,
    /// Why it ranked (`--explain`).
    pub explain: Option<Explanation>,
}

/// A document a hit's paragraph is in.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// Where it is there.
    pub location: Location,
    /// Its words there, verbatim.
    pub quote: String,
    /// How alike its words are to the hit's: 1 for a copy, less for a
    /// version (the share of three-word runs they have in common).
    pub similarity: f32,
}

/// The answer to a query.
#[derive(Debug, Clone)]
pub struct SearchResults {
    /// The query as typed.
    pub query: String,
    /// Number of passages that match.
    pub total_hits: usize,
    /// Whether `total_hits` is estimated: under `--exact`, from the share
    /// of the candidates checked word for word that passed, when there were
    /// too many to check them all.
    pub total_is_estimate: bool,
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
    document_stats: OnceLock<crate::index::statistics::DocumentStats>,
    warnings: Vec<String>,
    /// Threads one query may use, when it runs alone.
    query_threads: usize,
    /// Rankings running now: they share the cores.
    rankings: parallel::Running,
}

/// `--sort date` orders this many times the hits asked for, best first.
const DATE_POOL: usize = 5;
/// And at least this many.
const MIN_DATE_POOL: usize = 50;

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
            query_threads: std::thread::available_parallelism().map_or(1, usize::from),
            rankings: parallel::Running::default(),
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

    /// How far a query is understood: acronyms and corrections unless
    /// `--exact`, and as the ranking settings allow.
    fn understanding(&self, opts: &SearchOptions) -> Understanding {
        Understanding {
            acronyms: self.ranking.expand && !opts.exact,
            corrections: self.ranking.correct && !opts.exact,
        }
    }

    /// Ranked passages for `query_text` (by date, newest first, under
    /// `--sort date`): the documents ranked whole, each
    /// shown by its passages that match (see `passages`), so the order of
    /// documents on the page is the order `--batch` and `eval` report.
    /// Under `--exact`, passages are ranked on their own and checked word
    /// for word.
    pub fn search(&self, query_text: &str, opts: &SearchOptions) -> Result<SearchResults> {
        match opts.sort {
            Sort::Relevance => self.search_ranked(query_text, opts),
            Sort::Date => self.search_by_date(query_text, opts),
        }
    }

    /// `--sort date`: of the best matches (five times as many as asked
    /// for, at least 50), the newest documents first, undated ones last;
    /// relevance orders hits of the same date. Sorting every match by date
    /// would put a passage that mentions a word once above the paragraph
    /// that answers.
    fn search_by_date(&self, query_text: &str, opts: &SearchOptions) -> Result<SearchResults> {
        let limit = if opts.limit == 0 { 10 } else { opts.limit };
        let pool = SearchOptions {
            limit: limit.saturating_mul(DATE_POOL).max(MIN_DATE_POOL),
            sort: Sort::Relevance,
            ..opts.clone()
        };
        let mut results = self.search_ranked(query_text, &pool)?;
        results
            .hits
            .sort_by_key(|h| std::cmp::Reverse(h.location.date.map_or(0, |d| d.day.first_key())));
        results.hits.truncate(limit);
        for (i, h) in results.hits.iter_mut().enumerate() {
            h.rank = i + 1;
        }
        Ok(results)
    }

    /// Ranked passages, best first (see [`Engine::search`]).
    fn search_ranked(&self, query_text: &str, opts: &SearchOptions) -> Result<SearchResults> {
        let limit = if opts.limit == 0 { 10 } else { opts.limit };
        let deadline = Deadline::after(opts.timeout);
        let plan = self.plan(query_text, &self.analyzer, self.understanding(opts))?;
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
        let compiler = self.compiler(&filters, exact.is_none(), &deadline);
        let exact = exact.as_ref().map(|p| (p, &exact_analyzer));
        let gatherer = Gatherer {
            searcher: &self.searcher,
            fields: &self.index.fields,
            limit,
            shown: exact.unwrap_or((&plan, &self.analyzer)),
            exact,
            fold: !opts.no_fold,
            deadline: &deadline,
        };
        let mut total_is_estimate = false;
        // What each passage read was, and what its score is made of: for
        // `--explain`.
        let mut loaded = collect::Loaded::new();
        let mut parts: HashMap<tantivy::DocAddress, ScoreParts> = HashMap::new();
        let (hits, total_hits) = if exact.is_some() {
            // Every candidate the words stemmed match, checked word for word
            // as far as a bounded number of them; past that the total is
            // the share that passed, scaled to all the candidates.
            let (candidates, collected) = beside(
                || self.matching(&compiler, &plan, false),
                || gatherer.collect(&Self::passes(&compiler, &plan)),
            );
            let (candidates, collected) = (candidates?.0, collected?);
            let (verified, checked) = (collected.verified(), collected.checked());
            let total = if checked >= candidates || checked == 0 {
                verified
            } else {
                total_is_estimate = true;
                (verified as f64 * candidates as f64 / checked as f64).round() as usize
            };
            (collected.into_hits(), total)
        } else {
            let constrained = !filters.is_empty() || plan.ranks_beyond_matches();
            // Copies of one paragraph fold into one hit: rank deeper while
            // that leaves the page short, or its last hit may have copies
            // not yet listed, and deeper documents exist.
            let mut ranked_page = |within: Option<&HashSet<u64>>| {
                let mut k = (limit * DOCUMENTS_PER_HIT).max(passages::RANKED_FOR_FUSION);
                loop {
                    let (shown, deeper) = self.fused_documents(&compiler, &plan, within, k)?;
                    if opts.explain {
                        parts = shown
                            .iter()
                            .flat_map(|d| d.passages.iter().map(|p| (p.address, p.parts)))
                            .collect();
                    }
                    let (collected, settled) =
                        gatherer.collect_ordered(passages::page_order(&shown), &mut loaded)?;
                    if settled || !deeper {
                        return Ok::<_, crate::error::Error>(collected);
                    }
                    k = (k * 4).min(MAX_DOCUMENTS);
                }
            };
            let (matched, collected) = if constrained {
                let matched = self.matching(&compiler, &plan, true)?;
                let collected = ranked_page(matched.1.as_ref());
                (matched, collected)
            } else {
                // Only the count is wanted: it needs no scores and none of
                // the ranking, so it runs beside it (a phrase's positions
                // checked in every passage are a third of some queries).
                let (matched, collected) = beside(
                    || self.matching(&compiler, &plan, false),
                    || ranked_page(None),
                );
                (matched?, collected)
            };
            let mut collected = collected?;
            if !collected.is_full() && matched.0 > 0 {
                // Passages the document ranker cannot see (matching only in
                // a heading, say) still answer, after the ranked ones.
                collected.append(gatherer.collect(&Self::passes(&compiler, &plan))?);
            }
            (collected.into_hits(), matched.0)
        };
        let mut results = self.results(query_text, &plan, total_hits, hits, filter_warnings);
        results.total_is_estimate = total_is_estimate;
        if opts.explain {
            let (plan, analyzer) = gatherer.shown;
            let address: HashMap<(&str, &str), tantivy::DocAddress> = loaded
                .iter()
                .map(|(&a, (l, _))| ((l.path.as_str(), l.passage_id.as_str()), a))
                .collect();
            let explained: Vec<Explanation> = results
                .hits
                .iter()
                .map(|h| {
                    let l = &h.location;
                    let context = format!("{}\n{}", l.title, l.heading.as_deref().unwrap_or(""));
                    Explanation {
                        matches: explain::matches(
                            plan,
                            analyzer,
                            &results.corrections,
                            &h.quote,
                            &context,
                        ),
                        score: address
                            .get(&(l.path.as_str(), l.passage_id.as_str()))
                            .and_then(|a| parts.get(a))
                            .copied(),
                    }
                })
                .collect();
            for (h, e) in results.hits.iter_mut().zip(explained) {
                h.explain = Some(e);
            }
        }
        Ok(results)
    }

    /// How a plan becomes a query here: with `filters`, and with `exclude`,
    /// excluded words exclude.
    fn compiler<'c>(
        &'c self,
        filters: &'c [Box<dyn tantivy::query::Query>],
        exclude: bool,
        deadline: &'c Deadline,
    ) -> Compiler<'c> {
        Compiler {
            fields: &self.index.fields,
            filters,
            exclude,
            context_weight: self.ranking.context_weight,
            deadline,
        }
    }

    /// The `k` best documents for `plan` (only those `within` the given
    /// keys, if given), each with its passages that match: ranked whole,
    /// then the leading ones re-ranked with their best passage (see
    /// [`passages::fuse`]), ranking deeper if that is what it takes for
    /// them to be complete. Also whether more documents could be ranked.
    fn fused_documents(
        &self,
        compiler: &Compiler,
        plan: &QueryPlan,
        within: Option<&HashSet<u64>>,
        k: usize,
    ) -> Result<(Vec<passages::Shown>, bool)> {
        let mut depth = k;
        let short_words = plan.short_words();
        // A query alone has every core; queries at once (`serve`,
        // `--batch`) share them.
        let running = self.rankings.enter();
        let threads = self.query_threads / running.count();
        loop {
            let ranked = self.ranked_documents(plan, depth, within, compiler.deadline, threads)?;
            let every_word = short_words.as_ref().map(|words| {
                Box::new(compiler.build(words, true)) as Box<dyn tantivy::query::Query>
            });
            let fused = passages::fuse(
                &self.searcher,
                &self.index.fields,
                Box::new(compiler.build(plan, false)),
                every_word,
                &ranked,
                self.ranking.passage_weight,
                threads,
            )?;
            compiler.deadline.check()?;
            let deeper = ranked.len() >= depth && depth < MAX_DOCUMENTS;
            if !(fused.open && deeper) {
                return Ok((fused.documents, deeper));
            }
            depth = (depth * 4).min(MAX_DOCUMENTS);
        }
    }

    /// The number of passages `plan` matches and, when `constrained`, the
    /// documents they are in: counting needs no scores, so it runs apart
    /// from ranking.
    fn matching(
        &self,
        compiler: &Compiler,
        plan: &QueryPlan,
        constrained: bool,
    ) -> Result<passages::Matched> {
        let counting = compiler.build(&plan.for_counting(), false);
        let matched = self
            .searcher
            .search(&counting, &passages::Matching { keys: constrained })?;
        compiler.deadline.check()?;
        Ok(matched)
    }

    /// The ranked queries to take passages from, strongest first: for a
    /// short query, passages with every concept rank first, so the rest are
    /// candidates only once those run out.
    fn passes(compiler: &Compiler, plan: &QueryPlan) -> Vec<BooleanQuery> {
        let mut passes = Vec::new();
        if plan.prefers_all() {
            passes.push(compiler.build(plan, true));
        }
        passes.push(compiler.build(plan, false));
        passes
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
            total_is_estimate: false,
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
