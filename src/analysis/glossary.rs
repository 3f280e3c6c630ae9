//! Acronyms and their expansions, from three sources: the built-in glossary
//! of UK health and care acronyms, a user glossary file, and definitions
//! mined from the documents themselves ("integrated care boards (ICBs)").
//!
//! A query for an acronym also finds its expansions, and the other way
//! round; the query planner (`crate::query`) asks the glossary for both.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::Analyzer;
use crate::error::{Error, Result};

/// The built-in glossary, a plain TSV file in the repository.
const BUILTIN: &str = include_str!("glossary/uk-health-and-care.tsv");
/// The user glossary kept with an index.
pub const INDEX_GLOSSARY_FILE: &str = "glossary.tsv";

/// Where a definition comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// The built-in glossary.
    BuiltIn,
    /// A user glossary file.
    User {
        /// The file.
        path: PathBuf,
    },
    /// Defined in an indexed document.
    Document {
        /// The document's source path.
        source: String,
        /// 1-based line of the definition.
        line: u64,
    },
}

/// One acronym with one expansion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Definition {
    /// The acronym as written (`ICB`, `NHSE/I`).
    pub acronym: String,
    /// Its expansion as written.
    pub expansion: String,
    /// Where it was defined.
    pub origin: Origin,
}

/// Acronym definitions, looked up by analyzed acronym or expansion.
#[derive(Debug, Default, Clone)]
pub struct Glossary {
    definitions: Vec<Definition>,
    by_acronym: HashMap<String, Vec<usize>>,
    by_expansion: HashMap<String, Vec<usize>>,
}

impl Glossary {
    /// The built-in glossary.
    pub fn builtin(analyzer: &Analyzer) -> Self {
        let mut g = Glossary::default();
        let (defs, problems) = parse(BUILTIN, &Origin::BuiltIn);
        debug_assert!(problems.is_empty(), "the built-in glossary parses");
        g.extend(defs, analyzer);
        g
    }

    /// Adds the definitions of a user glossary file, decoded as documents
    /// are (UTF-8, UTF-16 or a detected legacy encoding such as
    /// Windows-1252). Returns a warning for each line it skipped.
    pub fn load_user(&mut self, path: &Path, analyzer: &Analyzer) -> Result<Vec<String>> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let text = match crate::extract::decode::decode_text(bytes) {
            Ok((text, _)) => text,
            Err(crate::extract::ExtractError::Empty) => return Ok(Vec::new()),
            Err(e) => {
                return Err(Error::Usage(format!(
                    "{}: not a glossary file ({e})",
                    path.display()
                )))
            }
        };
        let (defs, problems) = parse(
            &text,
            &Origin::User {
                path: path.to_path_buf(),
            },
        );
        self.extend(defs, analyzer);
        Ok(problems
            .into_iter()
            .map(|(line, why)| format!("{}:{line}: {why}; line skipped", path.display()))
            .collect())
    }

    /// Adds definitions.
    pub fn extend(&mut self, defs: impl IntoIterator<Item = Definition>, analyzer: &Analyzer) {
        for d in defs {
            let i = self.definitions.len();
            self.by_acronym
                .entry(acronym_key(&d.acronym, analyzer))
                .or_default()
                .push(i);
            self.by_expansion
                .entry(expansion_key(&d.expansion, analyzer))
                .or_default()
                .push(i);
            self.definitions.push(d);
        }
    }

    /// Definitions of the acronym with this key.
    pub fn by_acronym(&self, key: &str) -> impl Iterator<Item = &Definition> {
        self.by_acronym
            .get(key)
            .into_iter()
            .flatten()
            .map(|&i| &self.definitions[i])
    }

    /// Definitions whose expansion has this key.
    pub fn by_expansion(&self, key: &str) -> impl Iterator<Item = &Definition> {
        self.by_expansion
            .get(key)
            .into_iter()
            .flatten()
            .map(|&i| &self.definitions[i])
    }

    /// All definitions, in the order added.
    pub fn definitions(&self) -> &[Definition] {
        &self.definitions
    }
}

/// Parses glossary TSV: `ACRONYM<TAB>expansion` per line, `#` comments.
/// Malformed lines are skipped and returned as (1-based line, what is wrong).
pub fn parse(text: &str, origin: &Origin) -> (Vec<Definition>, Vec<(usize, String)>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    // A byte-order mark is not part of the first acronym.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let Some((acronym, expansion)) = line.split_once('\t') else {
            problems.push((i + 1, "expected ACRONYM<TAB>expansion".to_string()));
            continue;
        };
        let (acronym, expansion) = (acronym.trim(), expansion.trim());
        if acronym.is_empty() || expansion.is_empty() {
            problems.push((i + 1, "empty acronym or expansion".to_string()));
            continue;
        }
        out.push(Definition {
            acronym: acronym.to_string(),
            expansion: expansion.to_string(),
            origin: origin.clone(),
        });
    }
    (out, problems)
}

/// The index term of an acronym: its compound term (`nhse/i`) or its one term.
pub fn acronym_key(acronym: &str, analyzer: &Analyzer) -> String {
    let mut compound = None;
    let mut parts = Vec::new();
    analyzer.analyze(acronym, |t| {
        if t.compound {
            compound.get_or_insert(t.term);
        } else {
            parts.push(t.term);
        }
    });
    compound.unwrap_or_else(|| parts.join(" "))
}

/// The analyzed terms of an expansion, joined by spaces.
pub fn expansion_key(expansion: &str, analyzer: &Analyzer) -> String {
    let mut parts = Vec::new();
    analyzer.analyze(expansion, |t| {
        if !t.compound {
            parts.push(t.term);
        }
    });
    parts.join(" ")
}

/// Is this how acronyms look? `ICB`, `ICBs`, `PbR`, `NHSE/I`, `A&E`, `COVID-19`.
pub fn is_acronym_shaped(word: &str) -> bool {
    let w = word
        .strip_suffix('s')
        .filter(|w| w.ends_with(|c: char| c.is_ascii_uppercase()))
        .unwrap_or(word);
    let letters = w.chars().filter(|c| c.is_alphabetic()).count();
    let upper = w.chars().filter(|c| c.is_uppercase()).count();
    let lower = letters - upper;
    (2..=12).contains(&w.chars().count())
        && w.starts_with(|c: char| c.is_alphabetic())
        && w.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '&' | '/' | '-'))
        && upper >= 2
        && lower <= 1
}

/// A definition found in text: `acronym` and `expansion` as written, at byte `offset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mined {
    /// The acronym, without a plural `s` (`ICBs` → `ICB`).
    pub acronym: String,
    /// The expansion as written.
    pub expansion: String,
    /// Byte offset of the definition in the text.
    pub offset: usize,
}

/// Finds acronym definitions in text: "long form (ACR)" and "ACR (long
/// form)", matched letter by letter from the end (Schwartz and Hearst's
/// algorithm), so only expansions that really spell the acronym are taken.
pub fn mine(text: &str) -> Vec<Mined> {
    let mut out = Vec::new();
    let mut search_from = 0;
    while let Some(open) = text[search_from..].find('(').map(|i| search_from + i) {
        search_from = open + 1;
        let Some(close) = text[open..].find(')').map(|i| open + i) else {
            break;
        };
        let inside = text[open + 1..close].trim();
        if inside.is_empty() || inside.len() > 120 {
            continue;
        }
        let before = sentence_tail(&text[..open]);
        if is_acronym_shaped(inside) {
            // long form (ACR)
            let acronym = singular(inside);
            let max_words = (letters(acronym) + 5).min(letters(acronym) * 2);
            let candidate = last_words(before, max_words);
            if let Some(long) = long_form(acronym, candidate) {
                out.push(Mined {
                    acronym: acronym.to_string(),
                    expansion: long.to_string(),
                    offset: open,
                });
            }
        } else if let Some(word) = before.split_whitespace().next_back() {
            // ACR (long form)
            let word = word.trim_matches(|c: char| !c.is_alphanumeric());
            if is_acronym_shaped(word) && inside.split_whitespace().count() >= 2 {
                let acronym = singular(word);
                if let Some(long) = long_form(acronym, inside) {
                    if long == inside {
                        out.push(Mined {
                            acronym: acronym.to_string(),
                            expansion: long.to_string(),
                            offset: open,
                        });
                    }
                }
            }
        }
    }
    out
}

fn singular(acronym: &str) -> &str {
    acronym
        .strip_suffix('s')
        .filter(|a| a.ends_with(|c: char| c.is_ascii_uppercase()))
        .unwrap_or(acronym)
}

fn letters(s: &str) -> usize {
    s.chars().filter(|c| c.is_alphanumeric()).count()
}

/// The part of `s` after its last sentence or clause break.
fn sentence_tail(s: &str) -> &str {
    match s.char_indices().rev().find(|&(_, c)| {
        matches!(
            c,
            '.' | ';' | ':' | '(' | ')' | '\n' | '!' | '?' | '"' | '“' | '”'
        )
    }) {
        Some((i, c)) => &s[i + c.len_utf8()..],
        None => s,
    }
}

/// The last `n` whitespace-separated words of `s` (as a slice of `s`).
fn last_words(s: &str, n: usize) -> &str {
    let s = s.trim_end();
    let mut count = 0;
    let mut start = s.len();
    let mut in_word = false;
    for (i, c) in s.char_indices().rev() {
        if c.is_whitespace() {
            if in_word {
                count += 1;
                if count == n {
                    break;
                }
            }
            in_word = false;
        } else {
            in_word = true;
            start = i;
        }
    }
    &s[start..]
}

/// Does `expansion` spell `acronym` as a mined definition must: its letters
/// in order, the first starting a word, within the word limit. Definitions
/// read from an index are checked again, so one mined by a laxer rule
/// (`NHS (not more than 5 hours before the start …)`) is not used.
pub fn spells(acronym: &str, expansion: &str) -> bool {
    let expansion = expansion.trim();
    long_form(singular(acronym), expansion) == Some(expansion)
}

/// Schwartz–Hearst: the shortest suffix of `candidate` whose letters spell
/// `acronym` in order, the acronym's first letter starting a word, and of
/// at most `min(|A| + 5, 2|A|)` words (a parenthesis after an acronym is
/// often a remark, not its expansion).
fn long_form<'a>(acronym: &str, candidate: &'a str) -> Option<&'a str> {
    let short: Vec<char> = acronym.chars().flat_map(char::to_lowercase).collect();
    let long: Vec<(usize, char)> = candidate
        .char_indices()
        .flat_map(|(i, c)| c.to_lowercase().map(move |l| (i, l)))
        .collect();
    if short.is_empty() || long.is_empty() {
        return None;
    }
    let mut s = short.len() as isize - 1;
    let mut l = long.len() as isize - 1;
    while s >= 0 {
        let c = short[s as usize];
        if !c.is_alphanumeric() {
            s -= 1;
            continue;
        }
        loop {
            if l < 0 {
                return None;
            }
            let (_, lc) = long[l as usize];
            let at_word_start = l == 0 || !long[l as usize - 1].1.is_alphanumeric();
            if lc == c && (s > 0 || at_word_start) {
                break;
            }
            l -= 1;
        }
        l -= 1;
        s -= 1;
    }
    let start_byte = long[(l + 1) as usize].0;
    let word_start = candidate[..start_byte]
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let long_form = candidate[word_start..].trim();
    let words = long_form.split_whitespace().count();
    let max_words = (letters(acronym) + 5).min(letters(acronym) * 2);
    (words >= 2 && words <= max_words && long_form.len() > acronym.len()).then_some(long_form)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mined(text: &str) -> Vec<(String, String)> {
        mine(text)
            .into_iter()
            .map(|m| (m.acronym, m.expansion))
            .collect()
    }

    #[test]
    fn a_remark_in_brackets_after_an_acronym_is_not_its_expansion() {
        let remark = "Under this arrangement, the NHS (not more than 5 hours before the start \
                      of the first journey and every 6 hours while driving) may ask";
        assert_eq!(mined(remark), vec![]);
        assert!(!spells(
            "NHS",
            "not more than 5 hours before the start of the first journey and every 6 hours while driving"
        ));
        assert_eq!(
            mined("funded by the ICB (integrated care board) this year"),
            vec![("ICB".into(), "integrated care board".into())]
        );
        assert!(spells("ICBs", "integrated care boards"));
        assert!(spells("NHSE/I", "NHS England and NHS Improvement"));
        assert!(!spells("PCN", "the primary care network"));
    }

    #[test]
    fn long_form_then_acronym() {
        assert_eq!(
            mined("The ability for integrated care boards (ICBs) to delegate budgets"),
            vec![("ICB".into(), "integrated care boards".into())]
        );
        assert_eq!(
            mined("between NHS England and NHS Improvement (NHSEI) and ICSs"),
            vec![("NHSEI".into(), "NHS England and NHS Improvement".into())]
        );
        assert_eq!(
            mined(
                "Tim Goodson, chief officer, Dorset Clinical Commissioning Group (CCG), similarly"
            ),
            vec![("CCG".into(), "Clinical Commissioning Group".into())]
        );
        assert_eq!(
            mined("the Department of Health and Social Care (DHSC) and NHS England"),
            vec![("DHSC".into(), "Department of Health and Social Care".into())]
        );
    }

    #[test]
    fn multibyte_punctuation_is_safe() {
        assert_eq!(
            mined("the\u{a0}integrated care boards (ICBs) met"),
            vec![("ICB".into(), "integrated care boards".into())]
        );
        assert!(mined("agreed: “The real strength (STP) is” here").is_empty());
        assert_eq!(
            mined("Sir said “clinical commissioning groups (CCGs)” then"),
            vec![("CCG".into(), "clinical commissioning groups".into())]
        );
    }

    #[test]
    fn acronym_then_long_form() {
        assert_eq!(
            mined("Each ICS (integrated care system) will"),
            vec![("ICS".into(), "integrated care system".into())]
        );
    }

    #[test]
    fn non_definitions_are_ignored() {
        assert!(mined("several ICSs (or indeed several ICSs) as provider").is_empty());
        assert!(mined("a figure (2022/23) and a note (see above)").is_empty());
        assert_eq!(
            mined("reduce health inequalities (HI)"),
            vec![("HI".into(), "health inequalities".into())]
        );
        assert!(mined("working with the public (CQC)").is_empty());
    }

    #[test]
    fn shapes() {
        for a in [
            "ICB", "ICBs", "PbR", "NHSE/I", "A&E", "COVID-19", "NHSEI", "DoH",
        ] {
            assert!(is_acronym_shaped(a), "{a}");
        }
        for w in ["Care", "it", "care", "Dorset", "I", "2022/23"] {
            assert!(!is_acronym_shaped(w), "{w}");
        }
    }

    #[test]
    fn builtin_glossary_parses_and_looks_up() {
        let a = Analyzer::english();
        let g = Glossary::builtin(&a);
        let pcn: Vec<&str> = g
            .by_acronym(&acronym_key("PCN", &a))
            .map(|d| d.expansion.as_str())
            .collect();
        assert_eq!(pcn, vec!["primary care network"]);
        let back: Vec<&str> = g
            .by_expansion(&expansion_key("primary care networks", &a))
            .map(|d| d.acronym.as_str())
            .collect();
        assert_eq!(back, vec!["PCN"]);
        assert!(g.by_acronym(&acronym_key("A&E", &a)).next().is_some());
        assert!(g.by_acronym(&acronym_key("NHSE/I", &a)).next().is_some());
    }

    #[test]
    fn user_glossary_skips_bad_lines_naming_them() {
        let (defs, problems) = parse(
            "ICB\tintegrated care board\nbroken line\nICS\t \nPCN\tprimary care network\n",
            &Origin::BuiltIn,
        );
        assert_eq!(defs.len(), 2);
        let lines: Vec<usize> = problems.iter().map(|p| p.0).collect();
        assert_eq!(lines, vec![2, 3]);
    }

    #[test]
    fn builtin_glossary_has_no_bad_lines() {
        assert!(parse(BUILTIN, &Origin::BuiltIn).1.is_empty());
    }

    #[test]
    fn user_glossary_in_windows_1252_is_decoded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp1252.tsv");
        // "ÄRZ<TAB>Ärztekammer für café", a bad line, then a good one, in Windows-1252.
        std::fs::write(
            &path,
            b"\xc4RZ\t\xc4rztekammer f\xfcr caf\xe9\nno tab here\nCQC\tCare Quality Commission\n",
        )
        .unwrap();
        let a = Analyzer::english();
        let mut g = Glossary::default();
        let warnings = g.load_user(&path, &a).unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("cp1252.tsv:2:"), "{warnings:?}");
        let expansions: Vec<&str> = g
            .definitions()
            .iter()
            .map(|d| d.expansion.as_str())
            .collect();
        assert_eq!(
            expansions,
            vec!["Ärztekammer für café", "Care Quality Commission"]
        );
    }
}
