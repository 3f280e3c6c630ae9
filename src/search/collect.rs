//! Collecting hits: candidates fetched best first, the same paragraph found
//! in several documents folded into one hit, and deeper fetches only when
//! the folding left too few for a page.

use std::collections::{HashMap, HashSet};

use tantivy::collector::TopDocs;
use tantivy::columnar::Column;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::{BooleanQuery, Query};
use tantivy::schema::Field;
use tantivy::{DocAddress, Score, Searcher, TantivyDocument};

use crate::analysis::Analyzer;
use crate::error::Result;
use crate::index::documents::{self, Location};
use crate::index::schema::Fields;
use crate::index::StoredDocs;
use crate::passage::quality;
use crate::query::deadline::Deadline;
use crate::query::QueryPlan;
use crate::search::fold::{Fingerprint, Folder, Found};
use crate::search::highlight::{highlights, satisfies};
use crate::search::{Hit, Source};

/// Passages of at least this many terms get no length penalty.
const FULL_LENGTH_TERMS: u32 = 24;
/// Candidates checked word for word under `--exact`.
const EXACT_CANDIDATES: usize = 2000;
/// Candidates ranked by BM25 before the length prior re-ranks them: enough
/// for a fragment's penalty to let the paragraphs below it through.
const PRIOR_POOL: usize = 100;

/// Most candidates fetched for one query, however many fold together.
const MAX_FETCH: usize = 8192;

/// Passages already read from the store, with where they are and their quote.
pub type Loaded = HashMap<DocAddress, (Location, String)>;

/// What collecting the hits of one search needs.
pub struct Gatherer<'a> {
    /// The index snapshot.
    pub searcher: &'a Searcher,
    /// Its fields.
    pub fields: &'a Fields,
    /// Hits wanted.
    pub limit: usize,
    /// The plan, and its analyzer, whose matches a hit highlights.
    pub shown: (&'a QueryPlan, &'a Analyzer),
    /// Under `--exact`, the plan that decides word for word which
    /// candidates are hits.
    pub exact: Option<(&'a QueryPlan, &'a Analyzer)>,
    /// Fold copies and versions of a paragraph into one hit.
    pub fold: bool,
    /// When to give up.
    pub deadline: &'a Deadline,
}

/// How one round of fetching ended.
struct Round {
    /// Some pass had no more candidates than fetched.
    exhausted: bool,
    /// The page is full, and only copies of its paragraphs could add to it.
    settled: bool,
}

impl Gatherer<'_> {
    /// The hits of `passes`, ranked queries strongest first: a pass's
    /// candidates are taken only once the passes before it run out.
    pub fn collect(&self, passes: &[BooleanQuery]) -> Result<Collected> {
        // Over-fetch: duplicates across documents fold into one hit, and exact
        // mode discards candidates. Fetch more only when that left too few.
        let mut fetch = if self.exact.is_some() {
            EXACT_CANDIDATES
        } else {
            (self.limit * 3).max(30)
        };
        // Deeper rounds see the same best candidates again; load each once.
        let mut loaded = Loaded::new();
        let stored = StoredDocs::new(self.searcher)?;
        loop {
            let (hits, round) = self.round(passes, fetch, &stored, &mut loaded)?;
            let enough = if hits.is_full() {
                round.settled
            } else {
                hits.has_a_page()
            };
            if enough || round.exhausted || fetch >= MAX_FETCH {
                return Ok(hits);
            }
            // Copies fold together: fetch as deep again as the hits still
            // missing suggest, with a margin.
            let found = hits.hits.len().max(1);
            fetch = (fetch * 2)
                .max(fetch * self.limit * 3 / (2 * found))
                .min(MAX_FETCH);
        }
    }

    /// The hits of candidates already in their order (each document's best
    /// passage, documents best first), and whether the page is settled:
    /// full, with a candidate left over that no copy of its last hit ties.
    /// Passages already in `loaded` are not read again.
    pub fn collect_ordered(
        &self,
        candidates: Vec<(Score, DocAddress)>,
        loaded: &mut Loaded,
    ) -> Result<(Collected, bool)> {
        let stored = StoredDocs::new(self.searcher)?;
        // The documents' order is the ranker's: a passage matching through
        // its title stays where its document ranks.
        let mut hits = Collected::new(self.limit, false, self.fold);
        let settled = self.offer(&mut hits, candidates, &stored, loaded)?;
        hits.close_phase();
        Ok((hits, settled))
    }

    /// One round: the passes in turn, each fetched `fetch` deep.
    fn round(
        &self,
        passes: &[BooleanQuery],
        fetch: usize,
        stored: &StoredDocs,
        loaded: &mut Loaded,
    ) -> Result<(Collected, Round)> {
        let mut hits = Collected::new(self.limit, true, self.fold);
        let mut round = Round {
            exhausted: true,
            settled: false,
        };
        for query in passes {
            if hits.has_a_page() || !round.exhausted {
                break;
            }
            let top = top_passages(self.searcher, query, fetch, self.fields.body)?;
            self.deadline.check()?;
            round.exhausted = top.len() < fetch;
            round.settled |= self.offer(&mut hits, top, stored, loaded)?;
            if round.exhausted {
                hits.close_phase();
            }
        }
        Ok((hits, round))
    }

    /// Offers ranked candidates to the hits; true if it stopped because
    /// only copies of the shown paragraphs (which score alike) could still
    /// add to them.
    fn offer(
        &self,
        hits: &mut Collected,
        top: Vec<(Score, DocAddress)>,
        stored: &StoredDocs,
        loaded: &mut Loaded,
    ) -> Result<bool> {
        let mut settled = false;
        for (score, addr) in top {
            self.deadline.check()?;
            if hits.is_full() && !hits.ties_last(score) {
                // Under --exact, the rest are still checked (not shown), so
                // the total can be told from what was checked.
                if self.exact.is_none() {
                    return Ok(true);
                }
                settled = true;
            }
            if !hits.first_visit(addr) {
                continue;
            }
            let (location, quote) = match loaded.get(&addr) {
                Some(doc) => doc.clone(),
                None => {
                    let doc = load(stored, self.fields, addr)?;
                    loaded.insert(addr, doc.clone());
                    doc
                }
            };
            if let Some(exact) = self.exact {
                hits.checked += 1;
                if !is_exact_match(exact, &location, &quote) {
                    continue;
                }
                hits.verified += 1;
                if settled {
                    continue;
                }
            }
            let (plan, analyzer) = self.shown;
            hits.add(score, location, quote, |q| highlights(plan, analyzer, q));
        }
        Ok(settled)
    }
}

/// Hits gathered from ranked candidates: a paragraph found in several
/// documents is one hit listing every source. Passages that match only
/// through their document's title or heading (nothing in the quote itself)
/// are set aside and shown after those whose own words match, unless the
/// candidates' order is already final.
pub struct Collected {
    limit: usize,
    set_aside: bool,
    hits: Vec<Hit>,
    aside: Vec<Hit>,
    /// The paragraphs of the hits so far, to fold copies and versions into.
    folder: Folder,
    visited: HashSet<DocAddress>,
    /// Candidates that passed `--exact` verification.
    verified: usize,
    /// Candidates checked under `--exact`.
    checked: usize,
}

impl Collected {
    fn new(limit: usize, set_aside: bool, fold: bool) -> Self {
        Collected {
            limit,
            set_aside,
            hits: Vec::new(),
            aside: Vec::new(),
            folder: Folder::new(fold),
            visited: HashSet::new(),
            verified: 0,
            checked: 0,
        }
    }

    /// A page of passages whose own words match.
    pub fn is_full(&self) -> bool {
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
        let print = Fingerprint::of(&quote);
        if let Some(found) = self.folder.find_print(&print) {
            let ((aside, i), similarity) = match found {
                Found::Copy(slot) => (slot, 1.0),
                Found::Reworded(slot, similarity) => (slot, similarity),
            };
            let list = if aside {
                &mut self.aside
            } else {
                &mut self.hits
            };
            list[i].sources.push(Source {
                location,
                quote,
                similarity,
            });
            return;
        }
        let highlights = highlight(&quote);
        let aside = self.set_aside && highlights.is_empty();
        let list = if aside {
            &mut self.aside
        } else {
            &mut self.hits
        };
        if list.len() >= self.limit {
            return;
        }
        self.folder.insert_print(print, (aside, list.len()));
        list.push(Hit {
            rank: 0,
            score,
            sources: vec![Source {
                location: location.clone(),
                quote: quote.clone(),
                similarity: 1.0,
            }],
            location,
            highlights,
            quote,
            explain: None,
        });
    }

    /// Ends a phase: what it set aside ranks after its own matching
    /// passages, but before anything a weaker phase finds.
    fn close_phase(&mut self) {
        let aside = std::mem::take(&mut self.aside);
        let room = self.limit.saturating_sub(self.hits.len());
        self.hits.extend(aside.into_iter().take(room));
        self.folder.clear();
        for (i, h) in self.hits.iter().enumerate() {
            self.folder.insert(&h.quote, (false, i));
        }
    }

    /// Adds `more`'s hits after these, but for passages already shown (or,
    /// when folding, copies and versions of them), up to a page.
    pub fn append(&mut self, more: Collected) {
        self.close_phase();
        let key = |l: &Location| (l.path.clone(), l.passage_id.clone());
        let mut shown: HashSet<(String, String)> = self
            .hits
            .iter()
            .flat_map(|h| h.sources.iter().map(|s| key(&s.location)))
            .collect();
        for hit in more.into_hits() {
            if self.hits.len() >= self.limit {
                break;
            }
            let print = Fingerprint::of(&hit.quote);
            if self.folder.find_print(&print).is_none() && shown.insert(key(&hit.location)) {
                self.folder.insert_print(print, (false, self.hits.len()));
                self.hits.push(hit);
            }
        }
    }

    /// Candidates that passed `--exact` verification.
    pub fn verified(&self) -> usize {
        self.verified
    }

    /// Candidates checked under `--exact`, whether they passed or not.
    pub fn checked(&self) -> usize {
        self.checked
    }

    /// The page: matching passages first, then those set aside.
    pub fn into_hits(self) -> Vec<Hit> {
        let mut hits = self.hits;
        hits.extend(self.aside);
        hits.truncate(self.limit);
        for (i, h) in hits.iter_mut().enumerate() {
            h.rank = i + 1;
            // The hit's own source first, then the newest; undated last.
            h.sources[1..].sort_by_key(|s| {
                std::cmp::Reverse(s.location.date.map_or(0, |d| d.day.first_key()))
            });
        }
        hits
    }
}

/// The `limit` best passages by BM25 times the length prior. BM25 alone
/// picks a pool (with tantivy's pruning, so cost does not grow with the
/// number of matches), the prior re-ranks it.
fn top_passages(
    searcher: &Searcher,
    query: &dyn Query,
    limit: usize,
    body: Field,
) -> Result<Vec<(Score, DocAddress)>> {
    let pool = searcher.search(
        query,
        &TopDocs::with_limit(limit.max(PRIOR_POOL)).order_by_score(),
    )?;
    let mut norms: HashMap<u32, Option<FieldNormReader>> = HashMap::new();
    let mut qualities: HashMap<u32, Option<Column<u64>>> = HashMap::new();
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
            let quality = qualities
                .entry(addr.segment_ord)
                .or_insert_with(|| {
                    searcher
                        .segment_reader(addr.segment_ord)
                        .fast_fields()
                        .u64("quality")
                        .ok()
                })
                .as_ref()
                .and_then(|c| c.first(addr.doc_id));
            (score * length_prior(terms) * quality_factor(quality), addr)
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    ranked.truncate(limit);
    Ok(ranked)
}

/// A passage's stored quality as a factor: 1 for prose, less for a
/// reference entry or a table (see `passage::quality`); 1 when unknown.
pub(crate) fn quality_factor(quality: Option<u64>) -> f32 {
    quality.map_or(1.0, |q| {
        (q as f32 / f32::from(quality::FULL)).clamp(0.0, 1.0)
    })
}

/// 1 for passages of [`FULL_LENGTH_TERMS`] or more, less for fragments.
pub(crate) fn length_prior(terms: u32) -> f32 {
    (terms.min(FULL_LENGTH_TERMS) as f32 / FULL_LENGTH_TERMS as f32).sqrt()
}

/// Whether a passage matches the `--exact` plan word for word, in its
/// quote or its title and heading.
fn is_exact_match(exact: (&QueryPlan, &Analyzer), location: &Location, quote: &str) -> bool {
    let context = format!(
        "{}\n{}",
        location.title,
        location.heading.as_deref().unwrap_or("")
    );
    satisfies(exact.0, exact.1, quote, &context)
}

fn load(stored: &StoredDocs, f: &Fields, addr: DocAddress) -> Result<(Location, String)> {
    let doc: TantivyDocument = stored.get(addr)?;
    Ok(documents::read_passage(f, &doc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_are_penalised() {
        assert!(length_prior(2) < 0.5);
        // A sentence of a dozen words is a fragment beside a paragraph.
        assert!(length_prior(12) < 0.75);
        assert_eq!(length_prior(24), 1.0);
        assert_eq!(length_prior(200), 1.0);
    }
}
