//! The acronyms queries on an index understand, as the `glossary` command
//! lists them: built-in, user glossaries, and those defined in the
//! documents.

use std::path::{Path, PathBuf};

use crate::analysis::glossary::{self, Definition, Glossary};
use crate::analysis::Analyzer;
use crate::error::{Error, Result};
use crate::index::lexicon::IndexLexicon;
use crate::index::PolicyIndex;

/// Every acronym definition known: built-in, in the `extra` glossaries, and
/// (if `index_dir` holds an index) the index's user glossary and those mined
/// from its documents; with a warning for each glossary line skipped.
pub fn known(
    index_dir: &Path,
    extra: &[PathBuf],
    analyzer: &Analyzer,
) -> Result<(Vec<Definition>, Vec<String>)> {
    match PolicyIndex::open(index_dir) {
        Ok(index) => known_in(&index, extra, analyzer),
        Err(Error::NoIndex { .. }) => {
            let mut g = Glossary::builtin(analyzer);
            let mut warnings = Vec::new();
            for path in extra {
                warnings.extend(g.load_user(path, analyzer)?);
            }
            Ok((g.definitions().to_vec(), warnings))
        }
        Err(e) => Err(e),
    }
}

/// [`known`], for an open index.
pub fn known_in(
    index: &PolicyIndex,
    extra: &[PathBuf],
    analyzer: &Analyzer,
) -> Result<(Vec<Definition>, Vec<String>)> {
    let (g, warnings) = super::glossary(index, extra, analyzer)?;
    let mut definitions = g.definitions().to_vec();
    let reader = index.reader()?;
    let searcher = reader.searcher();
    definitions.extend(IndexLexicon::new(&searcher, index.fields).all_definitions());
    Ok((definitions, warnings))
}

/// The definitions matching `term` (its acronym, or words of its
/// expansion), if given, in the order the glossary lists them: by acronym,
/// then expansion, built-in first, then by where found.
pub fn lookup(
    mut definitions: Vec<Definition>,
    term: Option<&str>,
    analyzer: &Analyzer,
) -> Vec<Definition> {
    if let Some(term) = term {
        let key = glossary::acronym_key(term, analyzer);
        let needle = term.to_lowercase();
        definitions.retain(|d| {
            glossary::acronym_key(&d.acronym, analyzer) == key
                || d.acronym.to_lowercase() == needle
                || d.expansion.to_lowercase().contains(&needle)
        });
    }
    definitions.sort_by(|a, b| {
        a.acronym
            .to_lowercase()
            .cmp(&b.acronym.to_lowercase())
            .then_with(|| a.expansion.to_lowercase().cmp(&b.expansion.to_lowercase()))
            .then_with(|| a.origin.cmp(&b.origin))
    });
    definitions
}
