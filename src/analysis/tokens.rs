//! Text analysis: how text becomes the terms that are indexed and searched.
//!
//! One analyzer serves indexing, query parsing and highlighting, so a word in a
//! query, the term in the index and the highlighted span in a quote always agree.
//!
//! Health-policy text is full of compounds that people search as units:
//! `A&E`, `NHSE/I`, `COVID-19`, `2022/23`, `place-based`. A compound is emitted
//! as one term *and* as its parts (the parts at consecutive positions, the
//! compound at the position of its first part), so `"A&E"` finds exactly `A&E`
//! while `"place based"` still finds `place-based`.

use std::sync::Arc;

use compact_str::CompactString;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Terms that carry no content in a query, as the analyzer stems them:
/// Lucene's English list, then the pronouns, determiners, question words,
/// auxiliaries and linking words that questions and claims are phrased
/// with ("what are the duties of…", "…does not have…"). Prepositions
/// (`from`, `about`, `under`, `between`) and comparatives (`more`) carry
/// meaning and stay; so do words that are also acronyms (`WHO`, `US`, `ME`,
/// `AM`). Documents are indexed with every word, so a quoted phrase still
/// finds them.
#[rustfmt::skip]
pub const STOP_WORDS: &[&str] = &[
    // Lucene's English list.
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
    // Pronouns.
    "i", "my", "myself", "we", "our", "ourselv", "you", "your", "yourself", "yourselv", "he",
    "him", "his", "himself", "she", "her", "herself", "itself", "them", "themselv",
    // Determiners and quantifiers.
    "those", "some", "each", "both", "all", "ani", "other", "own", "same",
    // Question words.
    "what", "which", "whom", "when", "where", "whi", "how",
    // Auxiliaries.
    "were", "been", "have", "has", "had", "do", "doe", "did", "would", "should", "could", "ought",
    "can",
    // Linking words and adverbs of degree.
    "becaus", "until", "while", "nor", "onli", "so", "than", "too", "veri", "here", "again", "onc",
];

/// Name under which the analyzer is registered with tantivy.
pub const ANALYZER_NAME: &str = "policy";

/// Parts longer than this are noise (URLs, base64, hashes), not words.
const MAX_PART_BYTES: usize = 40;
/// Compounds with more parts than this are paths or URLs, indexed by parts only.
const MAX_COMPOUND_PARTS: usize = 4;

/// One analyzed term with its byte span in the analyzed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzedToken {
    /// The normalized (and, unless exact, stemmed) term.
    pub term: String,
    /// Byte offset of the first byte of the surface form.
    pub start: usize,
    /// Byte offset one past the surface form.
    pub end: usize,
    /// Token position, for phrase matching.
    pub position: usize,
    /// True for the compound term of a compound word (`a&e`), false for simple words and parts.
    pub compound: bool,
}

/// Lowercases, folds accents, strips possessives and stems English words.
#[derive(Clone)]
pub struct Analyzer {
    stemmer: Option<Arc<frostem::Stemmer>>,
    spelling: bool,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("stemming", &self.stemmer.is_some())
            .finish()
    }
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::english()
    }
}

impl Analyzer {
    /// The analyzer used for the index: English stemming.
    pub fn english() -> Self {
        Analyzer {
            stemmer: Some(Arc::new(frostem::Stemmer::new(frostem::Algorithm::English))),
            spelling: true,
        }
    }

    /// Words as written (`--exact`): same tokens and case folding, but no
    /// stemming and no spelling folding.
    pub fn exact() -> Self {
        Analyzer {
            stemmer: None,
            spelling: false,
        }
    }

    /// Analyzes `text`, calling `emit` for each term in order.
    pub fn analyze(&self, text: &str, mut emit: impl FnMut(AnalyzedToken)) {
        self.analyze_into(text, None, &mut |term, start, end, position, compound| {
            emit(AnalyzedToken {
                term: term.to_string(),
                start,
                end,
                position,
                compound,
            })
        });
    }

    /// The analysis itself: `emit(term, start, end, position, compound)` for
    /// each term, normalizing words through `cache` when given (indexing
    /// sees the same words again and again; stemming them once is enough).
    pub fn analyze_into(
        &self,
        text: &str,
        mut cache: Option<&mut TermCache>,
        emit: &mut dyn FnMut(&str, usize, usize, usize, bool),
    ) {
        let mut position = 0usize;
        let mut parts: Vec<(usize, usize)> = Vec::new();
        let mut joiners: Vec<char> = Vec::new();
        // Normalized parts of the current word group, in reused buffers.
        let mut terms: Vec<String> = Vec::new();
        let mut present: Vec<bool> = Vec::new();
        let mut compound = String::new();
        for group in WordGroups::new(text) {
            parts.clear();
            joiners.clear();
            split_compound(text, group.clone(), &mut parts, &mut joiners);
            present.clear();
            for (k, &(s, e)) in parts.iter().enumerate() {
                if terms.len() <= k {
                    terms.push(String::new());
                }
                let surface = &text[s..e];
                let buf = &mut terms[k];
                buf.clear();
                let found = match cache.as_deref_mut() {
                    Some(c) => c.get_into(surface, buf, |w| self.normalize_part(w)),
                    None => match self.normalize_part(surface) {
                        Some(t) => {
                            buf.push_str(&t);
                            true
                        }
                        None => false,
                    },
                };
                present.push(found);
            }
            if parts.len() > 1 && parts.len() <= MAX_COMPOUND_PARTS && present.iter().all(|&p| p) {
                compound.clear();
                for (k, term) in terms.iter().take(parts.len()).enumerate() {
                    compound.push_str(term);
                    if let Some(&j) = joiners.get(k) {
                        compound.push(j);
                    }
                }
                emit(&compound, group.start, group.end, position, true);
            }
            for (k, &(s, e)) in parts.iter().enumerate() {
                if present[k] {
                    emit(&terms[k], s, e, position, false);
                    position += 1;
                }
            }
        }
    }

    /// Convenience: the terms of `text`, without offsets.
    pub fn terms(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.analyze(text, |t| out.push(t.term));
        out
    }

    /// Normalizes one word: lowercase, fold accents and ligatures, drop a
    /// possessive `'s` and apostrophes, fold US spelling to UK, stem. `None`
    /// for noise.
    pub fn normalize_part(&self, surface: &str) -> Option<String> {
        if surface.len() > MAX_PART_BYTES {
            return None;
        }
        if let Some(term) = acronym_term(surface) {
            return Some(term);
        }
        let mut word = String::with_capacity(surface.len());
        for c in surface.chars() {
            fold_char(c, &mut word);
        }
        if let Some(stripped) = word.strip_suffix("'s") {
            let len = stripped.len();
            word.truncate(len);
        }
        word.retain(|c| c != '\'');
        if word.is_empty() {
            return None;
        }
        if self.spelling {
            if let std::borrow::Cow::Owned(uk) = crate::analysis::spelling::to_uk(&word) {
                word = uk;
            }
        }
        match &self.stemmer {
            Some(stemmer) if word.chars().any(|c| c.is_alphabetic()) => {
                Some(stemmer.stem(&word).into_owned())
            }
            _ => Some(word),
        }
    }
}

/// The term of an acronym (`ICS`, `ICSs`, `PbR`, `CCGs`): lowercased, a
/// plural `s` dropped, never stemmed — a stemmer reads `ics` as a plural of
/// `ic`. Longer all-capital words (`INTRODUCTION`) are words, not acronyms.
pub fn acronym_term(surface: &str) -> Option<String> {
    let core = surface
        .strip_suffix('s')
        .filter(|c| c.ends_with(|ch: char| ch.is_ascii_uppercase()))
        .unwrap_or(surface);
    let (mut upper, mut lower, mut len) = (0, 0, 0);
    for c in core.chars() {
        len += 1;
        if c.is_uppercase() {
            upper += 1;
        } else if c.is_lowercase() {
            lower += 1;
        } else if !c.is_ascii_digit() {
            return None;
        }
    }
    let is_acronym = (2..=5).contains(&len)
        && upper >= 2
        && lower <= 1
        && core.starts_with(|c: char| c.is_uppercase());
    is_acronym.then(|| {
        let mut term = String::with_capacity(core.len());
        for c in core.chars() {
            fold_char(c, &mut term);
        }
        term
    })
}

/// Lowercases and folds one character into `out`.
fn fold_char(c: char, out: &mut String) {
    let folded: &str = match c {
        '’' | '‘' | '`' | '´' | 'ʼ' => "'",
        'À'..='Å' | 'à'..='å' | 'ā' | 'Ā' => "a",
        'Æ' | 'æ' => "ae",
        'Ç' | 'ç' => "c",
        'È'..='Ë' | 'è'..='ë' | 'ē' | 'Ē' => "e",
        'Ì'..='Ï' | 'ì'..='ï' => "i",
        'Ñ' | 'ñ' => "n",
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' => "o",
        'Ù'..='Ü' | 'ù'..='ü' => "u",
        'Ý' | 'ý' | 'ÿ' => "y",
        'ß' => "ss",
        'Œ' | 'œ' => "oe",
        'ﬁ' => "fi",
        'ﬂ' => "fl",
        'ﬀ' => "ff",
        'ﬃ' => "ffi",
        'ﬄ' => "ffl",
        _ => {
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
            return;
        }
    };
    out.push_str(folded);
}

/// Is `c` part of a word?
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Characters that join two words into a compound (`A&E`, `NHSE/I`, `COVID-19`).
fn compound_joiner(c: char) -> Option<char> {
    match c {
        '-' | '‐' | '‑' => Some('-'),
        '/' => Some('/'),
        '&' => Some('&'),
        _ => None,
    }
}

/// Characters that continue a word when flanked by word characters
/// (`don't`, `trust’s`, `3.5`).
fn word_internal(prev: char, c: char, next: char) -> bool {
    match c {
        '\'' | '’' => prev.is_alphabetic() && next.is_alphabetic(),
        '.' | ',' => prev.is_ascii_digit() && next.is_ascii_digit(),
        _ => false,
    }
}

/// Iterates over maximal groups of word characters, word-internal
/// punctuation and compound joiners, as byte ranges.
struct WordGroups<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> WordGroups<'a> {
    fn new(text: &'a str) -> Self {
        WordGroups { text, pos: 0 }
    }
}

impl Iterator for WordGroups<'_> {
    type Item = std::ops::Range<usize>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = &self.text[self.pos..];
        let offset = rest.find(is_word_char)?;
        let start = self.pos + offset;
        let mut end = start;
        let mut chars = self.text[start..].char_indices().peekable();
        let mut prev = '\0';
        while let Some((i, c)) = chars.next() {
            let at = start + i;
            if is_word_char(c) {
                end = at + c.len_utf8();
                prev = c;
                continue;
            }
            let next = chars.peek().map(|&(_, n)| n).unwrap_or('\0');
            let joins = is_word_char(prev)
                && (compound_joiner(c).is_some() || word_internal(prev, c, next));
            if joins && is_word_char(next) {
                prev = c;
                continue;
            }
            break;
        }
        self.pos = end;
        Some(start..end)
    }
}

/// Splits a word group at compound joiners into parts.
fn split_compound(
    text: &str,
    group: std::ops::Range<usize>,
    parts: &mut Vec<(usize, usize)>,
    joiners: &mut Vec<char>,
) {
    let mut part_start = group.start;
    for (i, c) in text[group.clone()].char_indices() {
        if let Some(j) = compound_joiner(c) {
            let at = group.start + i;
            parts.push((part_start, at));
            joiners.push(j);
            part_start = at + c.len_utf8();
        }
    }
    parts.push((part_start, group.end));
}

/// Normalized forms of words seen before: a cache for long analyses.
#[derive(Clone, Default)]
pub struct TermCache {
    /// Words and terms inline (up to 24 bytes, nearly every word): a
    /// lookup reads the table's own memory, not a string elsewhere on the
    /// heap, which for a large vocabulary was a cache miss per word.
    map: std::collections::HashMap<
        CompactString,
        Option<CompactString>,
        foldhash::fast::RandomState,
    >,
}

impl TermCache {
    /// More distinct words than this and the cache starts over, so memory stays bounded.
    const MAX_ENTRIES: usize = 200_000;

    /// Writes the normalized form of `surface` into `out` (computing it with
    /// `normalize` the first time); false if the word is noise.
    pub fn get_into(
        &mut self,
        surface: &str,
        out: &mut String,
        normalize: impl FnOnce(&str) -> Option<String>,
    ) -> bool {
        if let Some(hit) = self.map.get(surface) {
            return match hit {
                Some(t) => {
                    out.push_str(t);
                    true
                }
                None => false,
            };
        }
        if self.map.len() >= Self::MAX_ENTRIES {
            self.map.clear();
        }
        let term = normalize(surface);
        if let Some(t) = &term {
            out.push_str(t);
        }
        let found = term.is_some();
        self.map
            .insert(surface.into(), term.map(CompactString::from));
        found
    }
}

/// The analyzer as a tantivy tokenizer, registered under [`ANALYZER_NAME`].
#[derive(Clone, Default)]
pub struct PolicyTokenizer {
    analyzer: Analyzer,
    tokens: Vec<Token>,
    cache: TermCache,
}

impl PolicyTokenizer {
    /// Wraps an analyzer for tantivy.
    pub fn new(analyzer: Analyzer) -> Self {
        PolicyTokenizer {
            analyzer,
            tokens: Vec::new(),
            cache: TermCache::default(),
        }
    }
}

/// Token stream over a pre-analyzed buffer.
pub struct PolicyTokenStream<'a> {
    tokens: &'a mut [Token],
    index: usize,
}

impl Tokenizer for PolicyTokenizer {
    type TokenStream<'a> = PolicyTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PolicyTokenStream<'a> {
        // Tokens (and their text buffers) are reused from one field value to the next.
        let tokens = &mut self.tokens;
        let mut len = 0;
        self.analyzer.analyze_into(
            text,
            Some(&mut self.cache),
            &mut |term, start, end, position, _| {
                if len == tokens.len() {
                    tokens.push(Token::default());
                }
                let t = &mut tokens[len];
                t.offset_from = start;
                t.offset_to = end;
                t.position = position;
                t.position_length = 1;
                t.text.clear();
                t.text.push_str(term);
                len += 1;
            },
        );
        PolicyTokenStream {
            tokens: &mut self.tokens[..len],
            index: usize::MAX,
        }
    }
}

impl TokenStream for PolicyTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.index = self.index.wrapping_add(1);
        self.index < self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        Analyzer::english().analyze(text, |t| out.push((t.term, t.position)));
        out
    }

    #[test]
    fn stop_words_are_the_stems_of_the_words_they_stand_for() {
        // The list holds stems: each word it stands for must analyze to one.
        let words = "a the what which whom when where why how were been have has had do does \
                     did would should could ought can because until while nor only so than too \
                     very here again once i my myself we our ourselves you your yourself \
                     yourselves he him his himself she her herself itself them themselves \
                     those some each both all any other own same";
        for word in words.split_whitespace() {
            let stem = Analyzer::english().terms(word);
            assert!(
                stem.len() == 1 && STOP_WORDS.contains(&stem[0].as_str()),
                "{word} → {stem:?}"
            );
        }
        // Words with content, and words that are also acronyms, are searched.
        for word in [
            "WHO", "US", "ME", "AM", "from", "about", "between", "more", "care",
        ] {
            let stem = Analyzer::english().terms(word);
            assert!(!STOP_WORDS.contains(&stem[0].as_str()), "{word} → {stem:?}");
        }
    }

    #[test]
    fn compounds_are_units_and_parts() {
        let t = terms("A&E and NHSE/I in 2022/23");
        let words: Vec<&str> = t.iter().map(|(w, _)| w.as_str()).collect();
        assert!(words.contains(&"a&e"));
        assert!(words.contains(&"nhse/i"));
        assert!(words.contains(&"2022/23"));
        assert!(words.contains(&"nhse"));
        // compound shares the position of its first part
        let ae = t.iter().find(|(w, _)| w == "a&e").unwrap().1;
        let a = t.iter().find(|(w, _)| w == "a").unwrap().1;
        assert_eq!(ae, a);
    }

    #[test]
    fn stems_and_folds() {
        let t: Vec<String> = Analyzer::english().terms("Trust’s collaboratives Café");
        assert_eq!(t, vec!["trust", "collabor", "cafe"]);
    }

    #[test]
    fn offsets_cover_surface_forms() {
        let text = "see COVID-19, don’t panic";
        let mut spans = Vec::new();
        Analyzer::english().analyze(text, |t| spans.push(text[t.start..t.end].to_string()));
        assert_eq!(
            spans,
            vec!["see", "COVID-19", "COVID", "19", "don’t", "panic"]
        );
    }

    #[test]
    fn acronyms_are_not_stemmed() {
        let a = Analyzer::english();
        assert_eq!(
            a.terms("ICS ICSs ICBs PbR CCGs"),
            vec!["ics", "ics", "icb", "pbr", "ccg"]
        );
        // Long all-capital words are words.
        assert_eq!(a.terms("SERVICES"), a.terms("services"));
    }

    #[test]
    fn numbers_keep_decimal_points() {
        assert_eq!(
            Analyzer::english().terms("3.5 per cent"),
            vec!["3.5", "per", "cent"]
        );
    }

    #[test]
    fn trailing_punctuation_is_not_joined() {
        assert_eq!(
            Analyzer::exact().terms("services - and/ health-"),
            vec!["services", "and", "health"]
        );
    }

    proptest::proptest! {
        /// The tokenizer's word cache (kept across values, as indexing
        /// keeps it) never changes a term: words short enough to be kept
        /// inline and longer ones, accented, capitalised, compounds, noise.
        #[test]
        fn cached_analysis_is_the_analysis(
            values in proptest::collection::vec(
                "([A-Za-zÉéçœ'’]{1,30}|[0-9]{1,4}[.,]?[0-9]{0,3}|ICSs|NHSE/I|A&E|[ -/&]{1,2}){0,40}",
                1..6,
            )
        ) {
            // Words the cache must tell apart: by case alone (an acronym
            // and a word), and past the 24 bytes kept inline.
            const TRICKY: &str = "ICSs icss US us PbR pbr \
                counterrevolutionariesXYZa counterrevolutionariesXYZb";
            let analyzer = Analyzer::english();
            let mut tokenizer = PolicyTokenizer::new(analyzer.clone());
            for _ in 0..2 {
                for value in values.iter().map(String::as_str).chain([TRICKY]) {
                    let mut cached = Vec::new();
                    let mut stream = tokenizer.token_stream(value);
                    while stream.advance() {
                        let t = stream.token();
                        cached.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
                    }
                    let mut direct = Vec::new();
                    analyzer.analyze_into(value, None, &mut |term, start, end, position, _| {
                        direct.push((term.to_string(), start, end, position));
                    });
                    proptest::prop_assert_eq!(cached, direct);
                }
            }
        }
    }
}
