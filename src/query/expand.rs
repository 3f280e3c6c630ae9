//! Query expansion: what makes a keyword search understand health policy.
//!
//! - An acronym also finds its expansions (`PCN` → "primary care network"),
//!   from the built-in glossary, a user glossary and the documents' own
//!   definitions; an expansion also finds its acronyms ("integrated care
//!   partnership" → `ICP`).
//! - A lowercase acronym (`ics`) also finds the unstemmed acronym.
//! - A prefix (`collab*`) becomes the indexed terms that start with it.
//! - A word that is in no passage is corrected to the closest indexed term.
//!
//! Every addition is an alternative of the concept it came from, so
//! highlighting marks exactly what matched, and is reported in the plan
//! ([`QueryPlan::expansions`], [`QueryPlan::corrections`]).

use std::collections::HashSet;

use crate::analysis::glossary::{
    acronym_key, expansion_key, is_acronym_shaped, Definition, Glossary,
};
use crate::analysis::{Analyzer, STOP_WORDS};
use crate::index::lexicon::Lexicon;
use crate::query::{phrase, Concept, Correction, Expansion, Matcher, QueryPlan, Role, Scope};

/// Most terms a prefix stands for.
const PREFIX_TERMS: usize = 64;
/// Most terms all the prefixes of a query stand for together.
const QUERY_PREFIX_TERMS: usize = 256;
/// Longest expansion matched against consecutive query words.
const MAX_EXPANSION_WORDS: usize = 6;

/// Which rewrites to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Understanding {
    /// Acronyms ↔ expansions, and lowercase acronyms.
    pub acronyms: bool,
    /// Spelling corrections.
    pub corrections: bool,
}

impl Understanding {
    /// Everything (what the tests check).
    #[cfg(test)]
    pub const ALL: Understanding = Understanding {
        acronyms: true,
        corrections: true,
    };
    /// Nothing but prefixes (`--exact`).
    pub const NONE: Understanding = Understanding {
        acronyms: false,
        corrections: false,
    };
}

/// Fills in prefixes, and applies the rewrites `how` asks for.
pub fn expand(
    plan: &mut QueryPlan,
    glossary: &Glossary,
    lexicon: &dyn Lexicon,
    analyzer: &Analyzer,
    how: Understanding,
) {
    fill_prefixes(plan, lexicon);
    if how.acronyms {
        expand_acronyms(plan, glossary, lexicon, analyzer);
        contract_expansions(plan, glossary, lexicon, analyzer);
    }
    if how.corrections {
        correct(plan, glossary, lexicon, analyzer);
    }
}

fn fill_prefixes(plan: &mut QueryPlan, lexicon: &dyn Lexicon) {
    let mut budget = QUERY_PREFIX_TERMS;
    for c in &mut plan.concepts {
        for m in &mut c.alternatives {
            if let Matcher::Prefix { prefix, terms } = m {
                // Stems can be shorter than the prefix (`collaborat*` → `collabor`).
                let mut found = if budget > 0 {
                    lexicon.terms_with_prefix(prefix, PREFIX_TERMS.min(budget))
                } else {
                    Vec::new()
                };
                budget = budget.saturating_sub(found.len());
                let shorter: Vec<String> = (3..prefix.len())
                    .rev()
                    .take(3)
                    .filter(|&n| prefix.is_char_boundary(n))
                    .map(|n| prefix[..n].to_string())
                    .filter(|t| lexicon.doc_freq(t) > 0)
                    .collect();
                found.extend(shorter.into_iter().take(1));
                *terms = found;
            }
        }
    }
}

fn definitions_for_acronym(
    glossary: &Glossary,
    lexicon: &dyn Lexicon,
    key: &str,
) -> Vec<Definition> {
    let mut defs: Vec<Definition> = glossary.by_acronym(key).cloned().collect();
    defs.extend(lexicon.defined_acronym(key));
    defs
}

fn definitions_for_expansion(
    glossary: &Glossary,
    lexicon: &dyn Lexicon,
    key: &str,
) -> Vec<Definition> {
    let mut defs: Vec<Definition> = glossary.by_expansion(key).cloned().collect();
    defs.extend(lexicon.defined_expansion(key));
    defs
}

fn folded_lowercase(word: &str) -> Option<String> {
    Analyzer::exact().normalize_part(word)
}

/// `PCN` → also "primary care network"; `ics` → also the acronym `ics`.
fn expand_acronyms(
    plan: &mut QueryPlan,
    glossary: &Glossary,
    lexicon: &dyn Lexicon,
    analyzer: &Analyzer,
) {
    for c in plan.concepts.iter_mut().filter(|c| c.word) {
        let surface = c.surface.trim_matches(|ch: char| !ch.is_alphanumeric());
        let lower = folded_lowercase(surface);
        let has_upper = surface.chars().any(char::is_uppercase);
        if !has_upper {
            // A lowercase `ics` is indexed as the acronym `ics` wherever the text says ICS.
            if let Some(l) = lower
                .as_ref()
                .filter(|l| !c.alternatives.contains(&Matcher::Term((*l).clone())))
            {
                if l.chars().all(char::is_alphanumeric) && lexicon.doc_freq(l) > 0 {
                    c.alternatives.push(Matcher::Term(l.clone()));
                }
            }
        }
        // Only what looks like an acronym is expanded: "All" and "mapping"
        // are words, however many acronyms ALL and MAP stand for.
        if !is_acronym_shaped(surface) {
            continue;
        }
        let keys = vec![acronym_key(surface, analyzer)];
        let mut seen: HashSet<String> = HashSet::new();
        let mut also = Vec::new();
        for key in &keys {
            for d in definitions_for_acronym(glossary, lexicon, key) {
                let ekey = expansion_key(&d.expansion, analyzer);
                if ekey.is_empty() || !seen.insert(ekey.clone()) {
                    continue;
                }
                let terms: Vec<String> = ekey.split(' ').map(str::to_string).collect();
                c.alternatives.push(phrase(&terms));
                also.push(d.expansion.clone());
                // Long expansions are often written without their last,
                // qualifying word ("type 2 diabetes" for T2DM, never
                // "mellitus"): that shorter phrase counts too, while enough
                // of it is left to mean the same thing.
                if let Some((shorter, surface)) = shortened(&terms, &d.expansion) {
                    if seen.insert(shorter.join(" ")) {
                        c.alternatives.push(phrase(&shorter));
                        also.push(surface);
                    }
                }
            }
        }
        if !also.is_empty() {
            plan.expansions.push(Expansion {
                term: surface.to_string(),
                also,
            });
        }
    }
}

/// An expansion without its last word, as terms and as written, when at
/// least three words that are not stop words remain.
fn shortened(terms: &[String], expansion: &str) -> Option<(Vec<String>, String)> {
    let words: Vec<&str> = expansion.split_whitespace().collect();
    if terms.len() < 4 || words.len() != terms.len() {
        return None;
    }
    let shorter = &terms[..terms.len() - 1];
    let meaningful = shorter
        .iter()
        .filter(|t| !STOP_WORDS.contains(&t.as_str()))
        .count();
    (meaningful >= 3).then(|| (shorter.to_vec(), words[..words.len() - 1].join(" ")))
}

/// The single term of a plain word concept.
fn single_term(c: &Concept) -> Option<&str> {
    match c.alternatives.as_slice() {
        [Matcher::Term(t)] if c.word && c.scope == Scope::All && c.role != Role::MustNot => Some(t),
        _ => None,
    }
}

/// "integrated care partnership" (typed as words or as a phrase) → also `ICP`.
fn contract_expansions(
    plan: &mut QueryPlan,
    glossary: &Glossary,
    lexicon: &dyn Lexicon,
    analyzer: &Analyzer,
) {
    contract_phrases(plan, glossary, lexicon, analyzer);
    contract_word_runs(plan, glossary, lexicon, analyzer);
}

/// A quoted phrase that is an acronym's expansion also matches the acronym.
fn contract_phrases(
    plan: &mut QueryPlan,
    glossary: &Glossary,
    lexicon: &dyn Lexicon,
    analyzer: &Analyzer,
) {
    for c in plan.concepts.iter_mut() {
        if let [Matcher::Phrase { terms, slop: 0 }] = c.alternatives.as_slice() {
            let key = terms
                .iter()
                .map(|(_, t)| t.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let acronyms = acronyms_of(&key, glossary, lexicon, analyzer);
            if !acronyms.is_empty() {
                plan.expansions.push(Expansion {
                    term: c.surface.trim_matches('"').to_string(),
                    also: acronyms
                        .iter()
                        .map(|(written, _)| written.clone())
                        .collect(),
                });
                c.alternatives
                    .extend(acronyms.into_iter().map(|(_, key)| Matcher::Term(key)));
            }
        }
    }
}

/// Runs of plain words that spell an acronym's expansion become one concept
/// that also matches the acronym; the longest run first.
fn contract_word_runs(
    plan: &mut QueryPlan,
    glossary: &Glossary,
    lexicon: &dyn Lexicon,
    analyzer: &Analyzer,
) {
    let mut i = 0;
    while i < plan.concepts.len() {
        let max = MAX_EXPANSION_WORDS.min(plan.concepts.len() - i);
        for len in (2..=max).rev() {
            let run = &plan.concepts[i..i + len];
            let role = run[0].role;
            let Some(terms) = run
                .iter()
                .map(|c| {
                    (c.role == role)
                        .then(|| single_term(c))
                        .flatten()
                        .map(str::to_string)
                })
                .collect::<Option<Vec<String>>>()
            else {
                continue;
            };
            let acronyms = acronyms_of(&terms.join(" "), glossary, lexicon, analyzer);
            if acronyms.is_empty() {
                continue;
            }
            let surface = run
                .iter()
                .map(|c| c.surface.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let mut alternatives = vec![phrase(&terms), Matcher::AllOf(terms)];
            alternatives.extend(acronyms.iter().map(|(_, key)| Matcher::Term(key.clone())));
            plan.expansions.push(Expansion {
                term: surface
                    .trim_matches(|ch: char| !ch.is_alphanumeric())
                    .to_string(),
                also: acronyms.into_iter().map(|(written, _)| written).collect(),
            });
            let concept = Concept {
                surface,
                alternatives,
                scope: Scope::All,
                role,
                boost: 1.0,
                word: false,
            };
            plan.concepts.splice(i..i + len, [concept]);
            break;
        }
        i += 1;
    }
}

/// Acronyms (as written, and as index terms) whose expansion has this key.
fn acronyms_of(
    key: &str,
    glossary: &Glossary,
    lexicon: &dyn Lexicon,
    analyzer: &Analyzer,
) -> Vec<(String, String)> {
    let mut seen = HashSet::new();
    definitions_for_expansion(glossary, lexicon, key)
        .into_iter()
        .filter_map(|d| {
            let k = acronym_key(&d.acronym, analyzer);
            (!k.is_empty() && seen.insert(k.clone())).then_some((d.acronym, k))
        })
        .collect()
}

/// A plain word (or phrase of words): letters only, lowercase but for a
/// capital first letter. Only such words are corrected.
fn looks_like_a_word(surface: &str) -> bool {
    surface
        .trim_matches(|c: char| !c.is_alphanumeric())
        .split(|c: char| c.is_whitespace() || c == '"')
        .filter(|w| !w.is_empty())
        .all(|w| {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            w.chars().all(char::is_alphabetic) && w.chars().skip(1).all(|c| !c.is_uppercase())
        })
}

/// Replaces terms found in no passage with the closest indexed term: first
/// a word one edit from the word as typed (a letter dropped, added,
/// changed or two swapped) whose stem is indexed, the most frequent; else
/// the closest indexed stem. Edits are tried on the word, not its stem:
/// "intergrated" stems to "intergrat", one edit from "interrat" (of
/// "interrater") but three from "integr", while the word is one edit from
/// "integrated".
fn correct(plan: &mut QueryPlan, glossary: &Glossary, lexicon: &dyn Lexicon, analyzer: &Analyzer) {
    let mut corrections = Vec::new();
    let starts_with_capital = |surface: &str| {
        surface
            .trim_start_matches(|ch: char| !ch.is_alphanumeric())
            .starts_with(char::is_uppercase)
    };
    // A query written as a sentence capitalises its first word; that word
    // is not a name for it.
    let sentence = plan.concepts.len() > 1
        && plan.concepts[1..]
            .iter()
            .filter(|c| c.word)
            .all(|c| !starts_with_capital(&c.surface));
    for (i, c) in plan
        .concepts
        .iter_mut()
        .enumerate()
        .filter(|(_, c)| c.role != Role::MustNot)
    {
        if c.alternatives.len() != 1 || !looks_like_a_word(&c.surface) {
            // Expanded or compound (something else can match), or a code,
            // name or acronym (`p150n`, `dLNs`) that no dictionary knows.
            continue;
        }
        let surface = c.surface.to_lowercase();
        // A capitalised word may be a name the index lacks ("Dorset" is one
        // edit from "Dorsey", two from "dose"): only a common word one edit
        // away replaces it.
        let capitalised = starts_with_capital(&c.surface) && !(i == 0 && sentence);
        let min_df = if capitalised { MIN_DF_FOR_A_NAME } else { 1 };
        // Corrects `term` in place; what to show the user for it: the word
        // when one was found, else the term (shown as a word of the hits).
        let fix = |term: &mut String| -> Option<String> {
            if term.chars().count() < 3
                || !term.chars().any(char::is_alphabetic)
                || lexicon.doc_freq(term) > 0
                || glossary.by_acronym(term).next().is_some()
            {
                return None;
            }
            // The word as typed, when the term is its stem.
            let typed = surface
                .split(|c: char| !c.is_alphabetic())
                .find(|w| analyzer.terms(w).first() == Some(term));
            if let Some((stem, word)) =
                typed.and_then(|w| one_edit_away(w, analyzer, lexicon, min_df))
            {
                *term = stem;
                return Some(word);
            }
            if capitalised {
                // Two edits from a name is anything.
                return None;
            }
            let max = if term.chars().count() <= 4 { 1 } else { 2 };
            let best = lexicon
                .similar_terms(term, max)
                .into_iter()
                .filter(|(_, df, _)| *df >= min_df)
                .min_by(|a, b| {
                    a.2.cmp(&b.2)
                        .then(b.1.cmp(&a.1))
                        .then_with(|| a.0.cmp(&b.0))
                });
            let (t, _, _) = best?;
            *term = t.clone();
            Some(t)
        };
        let changed = match &mut c.alternatives[0] {
            Matcher::Term(t) => fix(t).map(|shown| vec![shown]),
            Matcher::Phrase { terms, .. } => {
                let fixed: Vec<String> = terms.iter_mut().filter_map(|(_, t)| fix(t)).collect();
                (!fixed.is_empty()).then_some(fixed)
            }
            _ => None,
        };
        if let Some(to) = changed {
            corrections.push(Correction {
                from: c.surface.clone(),
                to: to.join(" "),
            });
        }
    }
    plan.corrections = corrections;
}

/// The indexed stem, most frequent, and the word, of a word one edit from
/// `word` found in at least `min_df` passages: a
/// letter deleted, swapped with the next, changed or inserted. Only
/// lowercase ASCII words (the typos this can fix) are tried; about 54
/// edits per letter, each stemmed and looked up.
fn one_edit_away(
    word: &str,
    analyzer: &Analyzer,
    lexicon: &dyn Lexicon,
    min_df: u64,
) -> Option<(String, String)> {
    if !word.bytes().all(|b| b.is_ascii_lowercase()) || word.len() > MAX_EDITED_WORD {
        return None;
    }
    let w = word.as_bytes();
    let mut variants: Vec<Vec<u8>> = Vec::new();
    for i in 0..=w.len() {
        if i < w.len() {
            variants.push([&w[..i], &w[i + 1..]].concat());
        }
        if i + 1 < w.len() {
            let mut v = w.to_vec();
            v.swap(i, i + 1);
            variants.push(v);
        }
        for c in b'a'..=b'z' {
            if i < w.len() && w[i] != c {
                let mut v = w.to_vec();
                v[i] = c;
                variants.push(v);
            }
            variants.push([&w[..i], &[c], &w[i..]].concat());
        }
    }
    let mut best: Option<(u64, String, String)> = None;
    for v in variants {
        let Ok(v) = String::from_utf8(v) else {
            continue;
        };
        let terms = analyzer.terms(&v);
        let [stem] = terms.as_slice() else {
            continue;
        };
        let df = lexicon.doc_freq(stem);
        let better = match &best {
            Some((d, t, _)) => df > *d || (df == *d && stem < t),
            None => df >= min_df.max(1),
        };
        if better {
            best = Some((df, stem.clone(), v));
        }
    }
    best.map(|(_, stem, word)| (stem, word))
}

/// Passages a correction of a capitalised word must be found in.
const MIN_DF_FOR_A_NAME: u64 = 20;

/// Longest word whose one-edit variants are tried.
const MAX_EDITED_WORD: usize = 30;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::glossary::Origin;
    use crate::query::parse;
    use std::collections::HashMap;

    /// A lexicon over a fixed vocabulary.
    struct Vocab(HashMap<&'static str, u64>, Vec<Definition>);

    impl Lexicon for Vocab {
        fn doc_freq(&self, term: &str) -> u64 {
            self.0.get(term).copied().unwrap_or(0)
        }
        fn similar_terms(&self, term: &str, max: u8) -> Vec<(String, u64, u8)> {
            self.0
                .iter()
                .filter_map(|(t, &df)| {
                    let d = edit_distance(term, t);
                    (d <= max as usize && *t != term).then(|| (t.to_string(), df, d as u8))
                })
                .collect()
        }
        fn terms_with_prefix(&self, prefix: &str, _: usize) -> Vec<String> {
            self.0
                .keys()
                .filter(|t| t.starts_with(prefix))
                .map(|t| t.to_string())
                .collect()
        }
        fn defined_acronym(&self, key: &str) -> Vec<Definition> {
            let a = Analyzer::english();
            self.1
                .iter()
                .filter(|d| acronym_key(&d.acronym, &a) == key)
                .cloned()
                .collect()
        }
        fn defined_expansion(&self, key: &str) -> Vec<Definition> {
            let a = Analyzer::english();
            self.1
                .iter()
                .filter(|d| expansion_key(&d.expansion, &a) == key)
                .cloned()
                .collect()
        }
    }

    fn edit_distance(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for i in 1..=a.len() {
            let mut cur = vec![i; b.len() + 1];
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            }
            prev = cur;
        }
        prev[b.len()]
    }

    fn vocab() -> Vocab {
        let terms = [
            "collabor",
            "provid",
            "integr",
            "care",
            "partnership",
            "icp",
            "ics",
            "primari",
            "network",
            "pcn",
        ];
        let defs = vec![Definition {
            acronym: "STP".into(),
            expansion: "sustainability and transformation partnership".into(),
            origin: Origin::Document {
                source: "x.txt".into(),
                line: 3,
            },
        }];
        Vocab(terms.iter().map(|t| (*t, 5)).collect(), defs)
    }

    /// `q` understood over `lexicon`, with the built-in glossary.
    fn expanded_over(q: &str, lexicon: &Vocab) -> QueryPlan {
        let a = Analyzer::english();
        let mut p = parse(q, &a).unwrap();
        expand(
            &mut p,
            &Glossary::builtin(&a),
            lexicon,
            &a,
            Understanding::ALL,
        );
        p
    }

    fn expanded(q: &str) -> QueryPlan {
        let a = Analyzer::english();
        let mut p = parse(q, &a).unwrap();
        expand(
            &mut p,
            &Glossary::builtin(&a),
            &vocab(),
            &a,
            Understanding::ALL,
        );
        p
    }

    #[test]
    fn acronym_finds_expansion() {
        let p = expanded("PCN");
        assert!(p.concepts[0].alternatives.contains(&Matcher::Phrase {
            terms: vec![
                (0, "primari".into()),
                (1, "care".into()),
                (2, "network".into())
            ],
            slop: 0
        }));
        assert_eq!(p.expansions[0].also, vec!["primary care network"]);
    }

    #[test]
    fn expansion_finds_acronym() {
        let p = expanded("integrated care partnership");
        assert_eq!(p.concepts.len(), 1);
        assert!(p.concepts[0]
            .alternatives
            .contains(&Matcher::Term("icp".into())));
        assert!(p.prefers_all());
    }

    #[test]
    fn mined_definitions_count() {
        let p = expanded("STP");
        assert!(p.expansions[0]
            .also
            .contains(&"sustainability and transformation partnership".to_string()));
    }

    #[test]
    fn lowercase_acronym_finds_the_acronym() {
        let p = expanded("ics");
        assert!(p.concepts[0]
            .alternatives
            .contains(&Matcher::Term("ics".into())));
    }

    #[test]
    fn typos_are_corrected_as_words_not_stems() {
        // "intergrated" stems to "intergrat", one edit from "interrat" and
        // three from "integr"; the word is one edit from "integrated".
        let lexicon = Vocab(
            [("integr", 50), ("interrat", 2), ("popul", 40), ("care", 90)].into(),
            Vec::new(),
        );
        for (typed, want) in [
            ("intergrated care", "integr"),
            ("populaton health", "popul"),
        ] {
            let p = expanded_over(typed, &lexicon);
            assert_eq!(
                p.concepts[0].alternatives,
                vec![Matcher::Term(want.into())],
                "{typed}"
            );
            assert_eq!(p.corrections.len(), 1, "{typed}");
        }
    }

    #[test]
    fn a_capitalised_word_is_a_name_unless_a_common_word_is_one_edit_away() {
        let lexicon = Vocab(
            [("dorsey", 4), ("dose", 50), ("passport", 9), ("integr", 50)].into(),
            Vec::new(),
        );
        let fixed = |typed: &str| expanded_over(typed, &lexicon).corrections;
        assert!(fixed("Dorset Passport").is_empty());
        assert!(fixed("Dorset").is_empty());
        assert_eq!(fixed("Intergrated care")[0].to, "integrated");
    }

    #[test]
    fn typos_are_corrected() {
        let p = expanded("colaboratives");
        assert_eq!(
            p.concepts[0].alternatives,
            vec![Matcher::Term("collabor".into())]
        );
        assert_eq!(p.corrections.len(), 1);
        assert_eq!(p.corrections[0].from, "colaboratives");
    }

    #[test]
    fn prefixes_are_filled() {
        let p = expanded("collab*");
        assert_eq!(
            p.concepts[0].alternatives,
            vec![Matcher::Prefix {
                prefix: "collab".into(),
                terms: vec!["collabor".into()]
            }]
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Expansion of whatever parses never panics, and keeps prefixes bounded.
        #[test]
        fn expansion_of_any_query_does_not_panic(
            q in r#"([A-Za-z]{1,8}[*]?|PCN|ICS|STP|"[a-z ]{1,20}"(~[0-9]{1,3})?|[-+()&/:^~*]| ){0,30}"#
        ) {
            let a = Analyzer::english();
            if let Ok(mut p) = parse(&q, &a) {
                expand(&mut p, &Glossary::builtin(&a), &vocab(), &a, Understanding::ALL);
                let prefix_terms: usize = p
                    .concepts
                    .iter()
                    .flat_map(|c| &c.alternatives)
                    .map(|m| match m {
                        Matcher::Prefix { terms, .. } => terms.len(),
                        _ => 0,
                    })
                    .sum();
                proptest::prop_assert!(prefix_terms <= QUERY_PREFIX_TERMS + p.concepts.len());
            }
        }
    }

    #[test]
    fn common_words_are_not_acronyms() {
        for q in ["it matters", "All staff", "mapping", "aged"] {
            assert!(expanded(q).expansions.is_empty(), "{q}");
        }
    }

    #[test]
    fn codes_and_names_are_not_corrected() {
        for q in ["dLNs", "p150n", "Src"] {
            assert!(expanded(q).corrections.is_empty(), "{q}");
        }
    }
}
