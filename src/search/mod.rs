//! Searching: from query text to ranked, highlighted, de-duplicated hits.
//!
//! The query is parsed ([`crate::query`]) and expanded ([`crate::query::expand`])
//! into a plan. Ranking is BM25 over the passage text, plus BM25 over the
//! passage's title and heading at a lower weight, times a length prior that
//! keeps fragments of a few words from outranking the paragraphs that answer
//! the query. For a short query (2–4 words) the passages containing all its
//! words come first. The same paragraph found in several documents is one
//! hit that lists every source.

pub mod deadline;
pub mod highlight;
pub mod rank;

use std::collections::HashMap;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, Score, TantivyDocument, Term};

use crate::analysis::glossary::{Glossary, INDEX_GLOSSARY_FILE};
use crate::analysis::Analyzer;
use crate::error::{Error, Result};
use crate::index::documents;
pub use crate::index::documents::Location;
use crate::index::lexicon::IndexLexicon;
use crate::index::schema::Fields;
use crate::index::PolicyIndex;
use crate::query::expand;
use crate::query::{self, Concept, Correction, Expansion, Matcher, QueryPlan, Role, Scope};
use crate::search::deadline::Deadline;
use crate::search::highlight::{highlights, satisfies};

/// Ranking parameters. The defaults are the product's ranking; the
/// `POLICY_SEARCH_RANKING` environment variable (`name=value,...`) overrides
/// them, to reproduce the variants compared in `docs/ranking.md`.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    /// Weight of a match in a passage's title or heading, relative to its text.
    pub context_weight: f32,
    /// Weight of a document's other matching passages, after its best.
    pub other_passages: f32,
    /// Passages fetched per document wanted, when ranking documents.
    pub passages_per_document: usize,
    /// Acronym expansion when ranking documents.
    pub expand: bool,
    /// Typo correction when ranking documents.
    pub correct: bool,
    /// Document ranking parameters.
    pub documents: crate::search::rank::DocParams,
}

impl Default for Ranking {
    fn default() -> Self {
        Ranking {
            context_weight: 0.5,
            other_passages: 0.5,
            passages_per_document: 4,
            expand: true,
            correct: true,
            documents: crate::search::rank::DocParams::default(),
        }
    }
}

impl Ranking {
    /// The defaults, overridden by `POLICY_SEARCH_RANKING` if set.
    pub fn from_env() -> Self {
        let mut r = Ranking::default();
        let Ok(spec) = std::env::var("POLICY_SEARCH_RANKING") else {
            return r;
        };
        for pair in spec.split(',').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, "1"));
            let f = v.parse::<f32>().unwrap_or(0.0);
            match k.trim() {
                "context_weight" => r.context_weight = f,
                "other_passages" => r.other_passages = f,
                "passages_per_document" => r.passages_per_document = f.max(1.0) as usize,
                "expand" => r.expand = f != 0.0,
                "correct" => r.correct = f != 0.0,
                "k1" => r.documents.k1 = f,
                "b" => r.documents.b = f,
                "title_weight" => r.documents.title_weight = f,
                "proximity_weight" => r.documents.proximity_weight = f,
                "window" => r.documents.window = f as u32,
                "feedback_docs" => r.documents.feedback_docs = f as usize,
                "feedback_terms" => r.documents.feedback_terms = f as usize,
                "feedback_weight" => r.documents.feedback_weight = f,
                "feedback_doc_weighting" => r.documents.feedback_doc_weighting = f as u8,
                "feedback_idf" => r.documents.feedback_idf = f,
                "feedback_temperature" => r.documents.feedback_temperature = f,
                "feedback_title" => r.documents.feedback_title = f != 0.0,
                "alternative_weight" => r.documents.alternative_weight = f,
                _ => {}
            }
        }
        r
    }
}
/// Passages of at least this many terms get no length penalty.
const FULL_LENGTH_TERMS: u32 = 12;
/// Candidates checked word for word under `--exact`.
const EXACT_CANDIDATES: usize = 2000;

/// Options of one search.
#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    /// Number of hits to return (0 is taken as 10).
    pub limit: usize,
    /// Only passages from these collections (all if empty).
    pub collections: Vec<String>,
    /// Only passages from sources matching one of these globs.
    pub sources: Vec<String>,
    /// Words as written: no stemming, spelling variants, expansion or correction.
    pub exact: bool,
    /// Extra glossary files.
    pub glossaries: Vec<std::path::PathBuf>,
    /// Time limit of one query (none if unset): past it, the query fails
    /// with [`Error::Timeout`] rather than returning partial results.
    pub timeout: Option<std::time::Duration>,
}

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
    extra: &[std::path::PathBuf],
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

/// Required clauses that restrict a search without scoring.
type Filters = Vec<Box<dyn Query>>;

/// A prepared searcher: one index snapshot, glossary and analyzer, reused
/// across queries (a batch of a thousand queries opens the index once).
pub struct Engine<'a> {
    index: &'a PolicyIndex,
    searcher: tantivy::Searcher,
    glossary: Glossary,
    analyzer: Analyzer,
    ranking: Ranking,
    document_stats: std::sync::OnceLock<crate::search::rank::Stats>,
    warnings: Vec<String>,
}

impl<'a> Engine<'a> {
    /// Opens a snapshot of `index` with the glossaries in `opts`.
    pub fn new(index: &'a PolicyIndex, opts: &SearchOptions) -> Result<Self> {
        let analyzer = Analyzer::english();
        let reader = index.reader()?;
        let (glossary, warnings) = glossary(index, &opts.glossaries, &analyzer)?;
        Ok(Engine {
            glossary,
            warnings,
            searcher: reader.searcher(),
            index,
            analyzer,
            ranking: Ranking::from_env(),
            document_stats: std::sync::OnceLock::new(),
        })
    }

    /// Warnings from preparing the engine (glossary lines skipped).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Parses and expands a query.
    fn plan(&self, query_text: &str, understand: bool) -> Result<QueryPlan> {
        let mut plan = query::parse(query_text, &self.analyzer)?;
        let lexicon = IndexLexicon::new(&self.searcher, self.index.fields);
        let how = expand::Understanding {
            acronyms: understand,
            corrections: understand,
        };
        expand::expand(&mut plan, &self.glossary, &lexicon, &self.analyzer, how);
        Ok(plan)
    }

    /// Filters from the options and the query's own `source:` globs, and a
    /// warning for each glob that matches no indexed file.
    fn filters(&self, plan: &QueryPlan, opts: &SearchOptions) -> Result<(Filters, Vec<String>)> {
        let f = &self.index.fields;
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        if let Some(q) = collection_filter(&self.searcher, f, &opts.collections)? {
            filters.push(Box::new(q));
        }
        let globs: Vec<&str> = opts
            .sources
            .iter()
            .chain(&plan.source_globs)
            .map(String::as_str)
            .collect();
        let mut warnings = Vec::new();
        if !globs.is_empty() {
            let (filter, unmatched) = source_filter(&self.searcher, f, &globs)?;
            filters.push(filter);
            warnings.extend(
                unmatched
                    .into_iter()
                    .map(|g| format!("source pattern {g:?} matches no indexed file")),
            );
        }
        Ok((filters, warnings))
    }

    /// Ranked passages for `query_text`.
    pub fn search(&self, query_text: &str, opts: &SearchOptions) -> Result<SearchResults> {
        let f = &self.index.fields;
        let searcher = &self.searcher;
        let analyzer = &self.analyzer;
        let limit = if opts.limit == 0 { 10 } else { opts.limit };
        let deadline = Deadline::after(opts.timeout);
        let plan = self.plan(query_text, !opts.exact)?;
        deadline.check()?;
        // Under --exact, the stemmed plan finds candidates and the exact plan
        // decides, word for word.
        let exact = if opts.exact {
            let exact_analyzer = Analyzer::exact();
            let mut p = query::parse(query_text, &exact_analyzer)?;
            let lexicon = IndexLexicon::new(searcher, self.index.fields);
            expand::expand(
                &mut p,
                &self.glossary,
                &lexicon,
                &exact_analyzer,
                expand::Understanding::NONE,
            );
            Some((p, exact_analyzer))
        } else {
            None
        };
        let (filters, filter_warnings) = self.filters(&plan, opts)?;

        let cw = self.ranking.context_weight;
        let keep_out = exact.is_none();
        let any = build(&plan, f, false, &filters, keep_out, cw, &deadline);
        // Counting needs no scores, so it runs apart from the ranked search,
        // which can then skip most postings (block-max WAND).
        let counting = build(
            &plan.for_counting(),
            f,
            false,
            &filters,
            keep_out,
            cw,
            &deadline,
        );
        let mut total_hits = searcher.search(&counting, &Count)?;
        deadline.check()?;
        let all = (plan.prefers_all() && total_hits > 0)
            .then(|| build(&plan, f, true, &filters, keep_out, cw, &deadline));

        let (shown_plan, shown_analyzer) = match &exact {
            Some((p, a)) => (p, a),
            None => (&plan, analyzer),
        };
        // Over-fetch: duplicates across documents fold into one hit, and exact
        // mode discards candidates. Fetch more only when that left too few.
        let mut fetch = if exact.is_some() {
            EXACT_CANDIDATES
        } else {
            (limit * 3).max(30)
        };
        // Deeper rounds see the same best candidates again; load each once.
        let mut loaded: HashMap<DocAddress, (Location, String)> = HashMap::new();
        let stored = crate::index::StoredDocs::new(searcher)?;
        let collected = loop {
            let mut hits = Collected::new(limit);
            let mut exhausted = true;
            let mut settled = false;
            // Passages with every concept rank first, so the rest are
            // candidates only once those run out.
            for query in all.iter().chain(std::iter::once(&any)) {
                if hits.has_a_page() || !exhausted {
                    break;
                }
                let top = top_passages(searcher, query, fetch, f.body)?;
                deadline.check()?;
                exhausted = top.len() < fetch;
                for (score, addr) in top {
                    deadline.check()?;
                    if hits.is_full() && !hits.ties_last(score) {
                        // Only copies of the shown paragraphs (which score
                        // alike) could still add to the hits.
                        settled = true;
                        break;
                    }
                    if !hits.first_visit(addr) {
                        continue;
                    }
                    let (location, quote) = match loaded.get(&addr) {
                        Some(doc) => doc.clone(),
                        None => {
                            let doc = load(&stored, f, addr)?;
                            loaded.insert(addr, doc.clone());
                            doc
                        }
                    };
                    if let Some((p, a)) = &exact {
                        let context = format!(
                            "{}\n{}",
                            location.title,
                            location.heading.as_deref().unwrap_or("")
                        );
                        if !satisfies(p, a, &quote, &context) {
                            continue;
                        }
                        hits.verified += 1;
                    }
                    hits.add(score, location, quote, |q| {
                        highlights(shown_plan, shown_analyzer, q)
                    });
                }
                if exhausted {
                    hits.close_phase();
                }
            }
            let enough = if hits.is_full() {
                settled
            } else {
                hits.has_a_page()
            };
            if enough || exhausted || fetch >= MAX_FETCH {
                break hits;
            }
            // Copies fold together: fetch as deep again as the hits still
            // missing suggest, with a margin.
            let found = hits.hits.len().max(1);
            fetch = (fetch * 2)
                .max(fetch * limit * 3 / (2 * found))
                .min(MAX_FETCH);
        };
        if exact.is_some() {
            total_hits = collected.verified;
        }
        let hits = collected.into_hits();
        let corrections = shown_corrections(&plan, &hits, analyzer);
        Ok(SearchResults {
            query: query_text.to_string(),
            total_hits,
            hits,
            corrections,
            expansions: plan.expansions.clone(),
            warnings: self
                .warnings
                .iter()
                .cloned()
                .chain(filter_warnings)
                .collect(),
        })
    }

    /// The `k` best documents for `query_text`, as `(doc_id, score)`: each
    /// document scored from its passages (see [`document_score`]).
    pub fn documents(
        &self,
        query_text: &str,
        k: usize,
        opts: &SearchOptions,
    ) -> Result<Vec<(String, f32)>> {
        let r = &self.ranking;
        let deadline = Deadline::after(opts.timeout);
        let parsed = query::parse(query_text, &self.analyzer).map(|mut plan| {
            let lexicon = IndexLexicon::new(&self.searcher, self.index.fields);
            let how = expand::Understanding {
                acronyms: r.expand && !opts.exact,
                corrections: r.correct && !opts.exact,
            };
            expand::expand(&mut plan, &self.glossary, &lexicon, &self.analyzer, how);
            plan
        });
        let plan = parsed?;
        deadline.check()?;
        let stats = match self.document_stats.get() {
            Some(s) => *s,
            None => *self.document_stats.get_or_init(|| {
                crate::search::rank::stats(&self.searcher)
                    .unwrap_or(crate::search::rank::Stats::EMPTY)
            }),
        };
        let ranker = crate::search::rank::DocumentRanker::new(
            &self.searcher,
            self.index.fields,
            stats,
            r.documents.clone(),
        )
        .with_deadline(deadline.clone());
        let terms = crate::search::rank::query_terms(&plan, r.documents.alternative_weight);
        let ranked = ranker.rank(&terms, k)?;
        deadline.check()?;
        // Document ids from the doc_id fast field of one passage each,
        // resolved per segment in ordinal order (one pass over the dictionary).
        let mut by_segment: HashMap<u32, Vec<(u64, f32)>> = HashMap::new();
        let mut columns: HashMap<u32, tantivy::columnar::StrColumn> = HashMap::new();
        for crate::search::rank::RankedDoc {
            score, passages, ..
        } in ranked
        {
            let Some(&(segment, doc)) = passages.first() else {
                continue;
            };
            let column = match columns.entry(segment) {
                std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => {
                    let reader = self.searcher.segment_reader(segment);
                    let Some(column) = reader.fast_fields().str("doc_id")? else {
                        continue;
                    };
                    v.insert(column)
                }
            };
            if let Some(ord) = column.term_ords(doc).next() {
                by_segment.entry(segment).or_default().push((ord, score));
            }
        }
        let mut docs: HashMap<String, f32> = HashMap::new();
        for (segment, mut ords) in by_segment {
            ords.sort_unstable_by_key(|&(ord, _)| ord);
            let sorted: Vec<u64> = ords.iter().map(|&(ord, _)| ord).collect();
            let mut scores = ords.iter().map(|&(_, score)| score);
            columns[&segment]
                .dictionary()
                .sorted_ords_to_term_cb(&sorted, |bytes| {
                    let score = scores.next().unwrap_or(0.0);
                    let id = crate::paths::shown(&String::from_utf8_lossy(bytes));
                    let e = docs.entry(id).or_insert(score);
                    *e = e.max(score);
                })
                .map_err(tantivy::TantivyError::from)?;
        }
        let mut ranked: Vec<(String, f32)> = docs.into_iter().collect();
        crate::eval::trec_order(&mut ranked);
        ranked.truncate(k);
        Ok(ranked)
    }
}

/// A document's score from its passages' scores: the best passage, plus a
/// share of the others, so a document that answers the query in several
/// places ranks above one that mentions it once.
pub fn document_score(passages: &[f32], other_weight: f32) -> f32 {
    let max = passages.iter().copied().fold(0.0, f32::max);
    let rest: f32 = passages.iter().sum::<f32>() - max;
    max + other_weight * rest
}

/// Runs `query_text` against `index`.
pub fn search(
    index: &PolicyIndex,
    query_text: &str,
    opts: &SearchOptions,
) -> Result<SearchResults> {
    Engine::new(index, opts)?.search(query_text, opts)
}

/// Corrections as words a reader recognises: the corrected term's form in
/// the results where it appears (`collabor` → "collaboratives").
fn shown_corrections(plan: &QueryPlan, hits: &[Hit], analyzer: &Analyzer) -> Vec<Correction> {
    plan.corrections
        .iter()
        .map(|c| {
            let surface = c
                .to
                .split(' ')
                .map(|term| surface_of(term, hits, analyzer).unwrap_or_else(|| term.to_string()))
                .collect::<Vec<_>>()
                .join(" ");
            Correction {
                from: c.from.clone(),
                to: surface,
            }
        })
        .collect()
}

fn surface_of(term: &str, hits: &[Hit], analyzer: &Analyzer) -> Option<String> {
    for h in hits {
        let mut found = None;
        analyzer.analyze(&h.quote, |t| {
            if found.is_none() && !t.compound && t.term == term {
                found = Some(h.quote[t.start..t.end].to_lowercase());
            }
        });
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Lowercased words of a quote, for spotting the same paragraph twice.
fn normalized(quote: &str) -> String {
    quote
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Candidates ranked by BM25 before the length prior re-ranks them: enough
/// for a fragment's penalty to let the paragraphs below it through.
const PRIOR_POOL: usize = 100;

/// Most candidates fetched for one query, however many fold together.
const MAX_FETCH: usize = 8192;

/// Hits gathered from ranked candidates: a paragraph found in several
/// documents is one hit listing every source. Passages that match only
/// through their document's title or heading (nothing in the quote itself)
/// are set aside and shown after those whose own words match.
struct Collected {
    limit: usize,
    hits: Vec<Hit>,
    aside: Vec<Hit>,
    /// Normalized quote → (set aside?, index).
    by_text: HashMap<String, (bool, usize)>,
    visited: std::collections::HashSet<DocAddress>,
    /// Candidates that passed `--exact` verification.
    verified: usize,
}

impl Collected {
    fn new(limit: usize) -> Self {
        Collected {
            limit,
            hits: Vec::new(),
            aside: Vec::new(),
            by_text: HashMap::new(),
            visited: std::collections::HashSet::new(),
            verified: 0,
        }
    }

    /// A page of passages whose own words match.
    fn is_full(&self) -> bool {
        self.hits.len() >= self.limit
    }

    /// A page, counting passages set aside: no need to fetch deeper.
    fn has_a_page(&self) -> bool {
        self.hits.len() + self.aside.len() >= self.limit
    }

    /// Whether `score` equals the last shown hit's, as a copy of it would.
    fn ties_last(&self, score: Score) -> bool {
        self.hits
            .last()
            .is_some_and(|h| score >= h.score - h.score.abs() * 1e-5)
    }

    /// False for a passage an earlier phase already offered.
    fn first_visit(&mut self, addr: DocAddress) -> bool {
        self.visited.insert(addr)
    }

    fn add(
        &mut self,
        score: Score,
        location: Location,
        quote: String,
        highlight: impl FnOnce(&str) -> Vec<(usize, usize)>,
    ) {
        let key = normalized(&quote);
        if let Some(&(aside, i)) = self.by_text.get(&key) {
            let list = if aside {
                &mut self.aside
            } else {
                &mut self.hits
            };
            list[i].sources.push(location);
            return;
        }
        let highlights = highlight(&quote);
        let aside = highlights.is_empty();
        let list = if aside {
            &mut self.aside
        } else {
            &mut self.hits
        };
        if list.len() >= self.limit {
            return;
        }
        self.by_text.insert(key, (aside, list.len()));
        list.push(Hit {
            rank: 0,
            score,
            sources: vec![location.clone()],
            location,
            highlights,
            quote,
        });
    }

    /// Ends a phase: what it set aside ranks after its own matching
    /// passages, but before anything a weaker phase finds.
    fn close_phase(&mut self) {
        let aside = std::mem::take(&mut self.aside);
        let room = self.limit.saturating_sub(self.hits.len());
        self.hits.extend(aside.into_iter().take(room));
        self.by_text = self
            .hits
            .iter()
            .enumerate()
            .map(|(i, h)| (normalized(&h.quote), (false, i)))
            .collect();
    }

    /// The page: matching passages first, then those set aside.
    fn into_hits(self) -> Vec<Hit> {
        let mut hits = self.hits;
        hits.extend(self.aside);
        hits.truncate(self.limit);
        for (i, h) in hits.iter_mut().enumerate() {
            h.rank = i + 1;
        }
        hits
    }
}

/// The `limit` best passages by BM25 times the length prior. BM25 alone
/// picks a pool (with tantivy's pruning, so cost does not grow with the
/// number of matches), the prior re-ranks it.
fn top_passages(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    limit: usize,
    body: Field,
) -> Result<Vec<(Score, DocAddress)>> {
    let pool = searcher.search(
        query,
        &TopDocs::with_limit(limit.max(PRIOR_POOL)).order_by_score(),
    )?;
    let mut norms: HashMap<u32, Option<tantivy::fieldnorm::FieldNormReader>> = HashMap::new();
    let mut ranked: Vec<(Score, DocAddress)> = pool
        .into_iter()
        .map(|(score, addr)| {
            let reader = norms.entry(addr.segment_ord).or_insert_with(|| {
                searcher
                    .segment_reader(addr.segment_ord)
                    .get_fieldnorms_reader(body)
                    .ok()
            });
            let terms = reader
                .as_ref()
                .map_or(FULL_LENGTH_TERMS, |n| n.fieldnorm(addr.doc_id));
            (score * length_prior(terms), addr)
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    ranked.truncate(limit);
    Ok(ranked)
}

/// 1 for passages of [`FULL_LENGTH_TERMS`] or more, less for fragments.
fn length_prior(terms: u32) -> f32 {
    (terms.min(FULL_LENGTH_TERMS) as f32 / FULL_LENGTH_TERMS as f32).sqrt()
}

/// A filter to the named collections, checking that each exists.
fn collection_filter(
    searcher: &tantivy::Searcher,
    f: &Fields,
    names: &[String],
) -> Result<Option<BooleanQuery>> {
    if names.is_empty() {
        return Ok(None);
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for name in names {
        let term = Term::from_field_text(f.collection, name);
        if searcher.doc_freq(&term)? == 0 {
            return Err(Error::Usage(format!(
                "no collection named {name:?} in the index (see `policy-search status`)"
            )));
        }
        clauses.push((
            Occur::Should,
            Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
        ));
    }
    Ok(Some(BooleanQuery::new(clauses)))
}

/// A filter to sources matching any of the globs (see [`source_matcher`]),
/// and the globs that match no indexed file. The globs are matched here
/// against every indexed source, so the filter is a plain set of terms.
fn source_filter(
    searcher: &tantivy::Searcher,
    f: &Fields,
    globs: &[&str],
) -> Result<(Box<dyn Query>, Vec<String>)> {
    let matchers = globs
        .iter()
        .map(|g| source_matcher(g))
        .collect::<Result<Vec<_>>>()?;
    let mut used = vec![false; globs.len()];
    let mut terms: Vec<Term> = Vec::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(f.source)?;
        let mut stream = inverted
            .terms()
            .stream()
            .map_err(tantivy::TantivyError::from)?;
        while let Some((key, _)) = stream.next() {
            let Ok(source) = std::str::from_utf8(key) else {
                continue;
            };
            let mut any = false;
            for (m, used) in matchers.iter().zip(used.iter_mut()) {
                if m.is_match(source) {
                    *used = true;
                    any = true;
                }
            }
            if any {
                terms.push(Term::from_field_text(f.source, source));
            }
        }
    }
    terms.sort_unstable();
    terms.dedup();
    let unmatched = globs
        .iter()
        .zip(used)
        .filter(|(_, used)| !used)
        .map(|(g, _)| g.to_string())
        .collect();
    Ok((Box::new(TermSetQuery::new(terms)), unmatched))
}

/// Matches a `source` path (stored absolute) against a path glob: `*`
/// within a folder, `**` across folders, `?` one character, `[abc]`,
/// `{a,b}`; every other character stands for itself. A glob that does not
/// start with `/` matches from any folder down, so a file name matches in
/// any folder and `reports/*.pdf` wherever a `reports` folder is; a glob
/// that names a folder (with or without a trailing `/`) matches everything
/// under it. A leading `./` is ignored.
pub struct SourceMatcher(globset::GlobSet);

impl SourceMatcher {
    /// Whether `source` matches.
    pub fn is_match(&self, source: &str) -> bool {
        self.0.is_match(source.strip_prefix("./").unwrap_or(source))
    }
}

/// The matcher for one `--source` / `source:` glob.
pub fn source_matcher(glob: &str) -> Result<SourceMatcher> {
    let trimmed = glob.trim();
    let trimmed = trimmed.strip_prefix("./").unwrap_or(trimmed);
    let base = trimmed.trim_end_matches('/');
    if base.is_empty() {
        return Err(Error::Query(format!(
            "source pattern {glob:?} names no file or folder"
        )));
    }
    // Sources are absolute paths: a relative glob matches from any folder
    // down (`seeds/*.txt` matches `/home/a/seeds/x.txt`).
    let anchored = if base.starts_with('/') {
        base.to_string()
    } else {
        format!("**/{base}")
    };
    let mut set = globset::GlobSetBuilder::new();
    for pattern in [anchored.clone(), format!("{anchored}/**")] {
        let g = globset::GlobBuilder::new(&pattern)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|e| Error::Query(format!("bad source pattern {glob:?}: {}", e.kind())))?;
        set.add(g);
    }
    let set = set
        .build()
        .map_err(|e| Error::Query(format!("bad source pattern {glob:?}: {}", e.kind())))?;
    Ok(SourceMatcher(set))
}

/// The tantivy query for a plan; with `conjunctive`, every concept is
/// required. Filters are separate required clauses, so they restrict
/// matches without matching anything by themselves.
fn build(
    plan: &QueryPlan,
    f: &Fields,
    conjunctive: bool,
    filters: &[Box<dyn Query>],
    exclude: bool,
    context_weight: f32,
    deadline: &Deadline,
) -> BooleanQuery {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for c in &plan.concepts {
        let occur = match c.role {
            Role::MustNot if !exclude => continue,
            Role::MustNot => Occur::MustNot,
            Role::Must => Occur::Must,
            Role::Should if conjunctive => Occur::Must,
            Role::Should => Occur::Should,
        };
        if occur == Occur::Should && (c.boost - 1.0).abs() <= f32::EPSILON {
            // A disjunction of concepts sums its terms' scores whether nested
            // or flat; flat, tantivy can skip most postings (block-max WAND).
            for (_, q) in concept_clauses(c, f, conjunctive, context_weight, deadline) {
                clauses.push((Occur::Should, q));
            }
        } else {
            clauses.push((
                occur,
                concept_query(c, f, conjunctive, context_weight, deadline),
            ));
        }
    }
    let query = BooleanQuery::new(clauses);
    if filters.is_empty() {
        return query;
    }
    let mut all: Vec<(Occur, Box<dyn Query>)> = filters
        .iter()
        .map(|q| (Occur::Must, q.box_clone()))
        .collect();
    all.push((Occur::Must, Box::new(query)));
    BooleanQuery::new(all)
}

fn concept_query(
    c: &Concept,
    f: &Fields,
    conjunctive: bool,
    context_weight: f32,
    deadline: &Deadline,
) -> Box<dyn Query> {
    let q: Box<dyn Query> = Box::new(BooleanQuery::new(concept_clauses(
        c,
        f,
        conjunctive,
        context_weight,
        deadline,
    )));
    if (c.boost - 1.0).abs() > f32::EPSILON {
        Box::new(BoostQuery::new(q, c.boost))
    } else {
        q
    }
}

/// The alternatives of a concept, in the text and (weighted) in the title
/// and heading.
fn concept_clauses(
    c: &Concept,
    f: &Fields,
    conjunctive: bool,
    context_weight: f32,
    deadline: &Deadline,
) -> Vec<(Occur, Box<dyn Query>)> {
    let mut subs: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for m in &c.alternatives {
        if c.scope == Scope::All {
            subs.push((
                Occur::Should,
                matcher_query(m, f.body, conjunctive, deadline),
            ));
        }
        subs.push((
            Occur::Should,
            Box::new(BoostQuery::new(
                matcher_query(m, f.context, conjunctive, deadline),
                context_weight,
            )),
        ));
    }
    subs
}

fn term_query(field: Field, term: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, term),
        IndexRecordOption::WithFreqs,
    ))
}

/// The tantivy query for one matcher. Phrases, whose matching costs the
/// most per passage, stop at the deadline.
fn matcher_query(
    m: &Matcher,
    field: Field,
    conjunctive: bool,
    deadline: &Deadline,
) -> Box<dyn Query> {
    match m {
        Matcher::Term(t) => term_query(field, t),
        Matcher::Phrase { terms, slop } if terms.len() >= 2 => {
            let terms = terms
                .iter()
                .map(|(pos, t)| (*pos, Term::from_field_text(field, t)))
                .collect();
            deadline.guard(Box::new(PhraseQuery::new_with_offset_and_slop(
                terms, *slop,
            )))
        }
        Matcher::Phrase { terms, .. } => term_query(
            field,
            terms.first().map(|(_, t)| t.as_str()).unwrap_or_default(),
        ),
        Matcher::AllOf(terms) => {
            let occur = if conjunctive {
                Occur::Must
            } else {
                Occur::Should
            };
            Box::new(BooleanQuery::new(
                terms
                    .iter()
                    .map(|t| (occur, term_query(field, t)))
                    .collect(),
            ))
        }
        Matcher::Prefix { terms, .. } => Box::new(BooleanQuery::new(
            terms
                .iter()
                .map(|t| (Occur::Should, term_query(field, t)))
                .collect(),
        )),
    }
}

fn load(
    stored: &crate::index::StoredDocs,
    f: &Fields,
    addr: DocAddress,
) -> Result<(Location, String)> {
    let doc: TantivyDocument = stored.get(addr)?;
    Ok(documents::read_passage(f, &doc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_are_penalised() {
        assert!(length_prior(2) < 0.5);
        assert_eq!(length_prior(12), 1.0);
        assert_eq!(length_prior(200), 1.0);
    }

    #[test]
    fn globs() {
        let yes = |glob: &str, source: &str| source_matcher(glob).unwrap().is_match(source);
        assert!(yes("*.txt", "seeds/a.txt") && yes("*.txt", "a.txt"));
        assert!(!yes("*.txt", "seeds/a.md"));
        assert!(yes("seeds/", "seeds/a.txt") && yes("seeds/", "seeds/x/b.md"));
        assert!(yes("seeds", "corpus/seeds/x/b.md") && yes("./seeds/", "./seeds/a.txt"));
        assert!(!yes("seeds/", "other/seeds.txt") && !yes("seeds/*.txt", "seeds/x/a.txt"));
        assert!(
            yes("seeds/*.txt", "/home/a/seeds/x.txt") && !yes("/seeds/", "/home/a/seeds/x.txt")
        );
        assert!(yes("corpus/**/nhs*", "corpus/a/b/nhs-plan.md"));
        assert!(yes("a?c.txt", "abc.txt") && !yes("a?c.txt", "a/c.txt"));
        // Punctuation of any script is literal.
        assert!(yes("“report”*", "docs/“report” 2024.txt"));
        assert!(yes("‹x›", "‹x›") && yes("‹x›", "a/‹x›/b.txt"));
        assert!(yes("(draft) v2+$.md", "x/(draft) v2+$.md"));
        assert!(yes("\\[x\\].txt", "[x].txt"));
        assert!(source_matcher("[abc").is_err() && source_matcher("/").is_err());
    }
}
