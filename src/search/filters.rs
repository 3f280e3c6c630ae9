//! Filters: required clauses that restrict a search to some collections
//! or sources without scoring.

use std::ops::Bound;

use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery, TermSetQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, Term};

use crate::error::{Error, Result};
use crate::index::schema::Fields;
use crate::query::QueryPlan;
use crate::search::SearchOptions;

/// Required clauses that restrict a search without scoring.
pub type Filters = Vec<Box<dyn Query>>;

/// Filters from the options and the query's own `source:` globs, and a
/// warning for each glob that matches no indexed file.
pub fn filters(
    searcher: &Searcher,
    f: &Fields,
    plan: &QueryPlan,
    opts: &SearchOptions,
) -> Result<(Filters, Vec<String>)> {
    let mut filters: Filters = Vec::new();
    if let Some(q) = collection_filter(searcher, f, &opts.collections)? {
        filters.push(Box::new(q));
    }
    let globs: Vec<&str> = opts
        .sources
        .iter()
        .chain(&plan.source_globs)
        .map(String::as_str)
        .collect();
    if let Some(q) = date_filter(f, opts) {
        filters.push(Box::new(q));
    }
    let mut warnings = Vec::new();
    if !globs.is_empty() {
        let (filter, unmatched) = source_filter(searcher, f, &globs)?;
        filters.push(filter);
        warnings.extend(
            unmatched
                .into_iter()
                .map(|g| format!("source pattern {g:?} matches no indexed file")),
        );
    }
    Ok((filters, warnings))
}

/// A filter to documents dated within `--since` and `--until`: a date
/// that may fall in the range counts (`May 2024` is on or after 12 May
/// 2024), an undated document does not.
fn date_filter(f: &Fields, opts: &SearchOptions) -> Option<BooleanQuery> {
    if opts.since.is_none() && opts.until.is_none() {
        return None;
    }
    let at_least = |field, key: u64| -> Box<dyn Query> {
        Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_u64(field, key)),
            Bound::Unbounded,
        ))
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, at_least(f.date_start, 1))];
    if let Some(since) = opts.since {
        clauses.push((Occur::Must, at_least(f.date_end, since.first_key())));
    }
    if let Some(until) = opts.until {
        clauses.push((
            Occur::Must,
            Box::new(RangeQuery::new(
                Bound::Unbounded,
                Bound::Included(Term::from_field_u64(f.date_start, until.last_key())),
            )),
        ));
    }
    Some(BooleanQuery::new(clauses))
}

/// A filter to the named collections, checking that each exists.
fn collection_filter(
    searcher: &Searcher,
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
    searcher: &Searcher,
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

#[cfg(test)]
mod tests {
    use super::*;

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
