//! How much a passage reads like prose a person would quote, rather than a
//! reference list, a table or a run of numbers that happens to hold the
//! query's words. Scored once, when the passage is indexed; ranking
//! multiplies a passage's score by it, so a paragraph that answers comes
//! before a reference entry that only names the topic.

/// The best quality: a passage that reads as prose.
pub const FULL: u8 = 100;
/// Passages shorter than this many words are judged by their length
/// (the length prior), not here.
const MIN_WORDS: usize = 8;
/// The lowest quality: even a reference entry stays findable.
const FLOOR: f32 = 0.2;

/// The quality of `text`, from 0 to [`FULL`].
pub fn quality(text: &str) -> u8 {
    // One pass, nothing collected: this runs on every passage indexed.
    let (mut n, mut function, mut numeric, mut citations) = (0usize, 0usize, 0usize, 0usize);
    let mut words = text.split_whitespace().peekable();
    while let Some(w) = words.next() {
        function += usize::from(is_function_word(w));
        numeric += usize::from(w.bytes().any(|b| b.is_ascii_digit()));
        citations += usize::from(is_citation_mark(w, n > 0, words.peek().copied()));
        n += 1;
    }
    from_counts(n, function, numeric, citations)
}

/// The quality of a passage of `n` words, of which `function` are function
/// words, `numeric` hold a digit and `citations` mark a reference.
fn from_counts(n: usize, function: usize, numeric: usize, citations: usize) -> u8 {
    if n < MIN_WORDS {
        return FULL;
    }
    let share = |count: usize| count as f32 / n as f32;
    let mut q = 1.0f32;
    if share(function) < 0.08 {
        q *= 0.5;
    } else if share(function) < 0.15 {
        q *= 0.75;
    }
    if share(citations) > 0.08 {
        q *= 0.5;
    }
    if share(numeric) > 0.3 {
        q *= 0.6;
    }
    (q.max(FLOOR) * FULL as f32).round() as u8
}

/// Whether `word` is one of the short words that make up a quarter or more
/// of English prose and are rare in references, tables and lists of names,
/// in any case and whatever punctuation clings to it.
fn is_function_word(word: &str) -> bool {
    let w = if word.is_ascii() {
        // Most words: trimmed byte by byte, no Unicode tables.
        word.trim_matches(|c: char| !c.is_ascii_alphanumeric())
    } else {
        word.trim_matches(|c: char| !c.is_alphanumeric())
    };
    if w.len() > 6 {
        return false;
    }
    if !w.is_ascii() {
        // Rare, and a few letters outside ASCII lowercase into it.
        return is_function_lowercase(w.to_lowercase().as_bytes());
    }
    // Lowercased on the stack.
    let mut lower = [0u8; 6];
    let lower = &mut lower[..w.len()];
    lower.copy_from_slice(w.as_bytes());
    lower.make_ascii_lowercase();
    is_function_lowercase(lower)
}

/// The function words, lowercase; a `match` on the bytes, which compiles to
/// a few comparisons rather than a scan of the list.
fn is_function_lowercase(w: &[u8]) -> bool {
    matches!(
        w,
        b"a" | b"an"
            | b"and"
            | b"are"
            | b"as"
            | b"at"
            | b"be"
            | b"been"
            | b"by"
            | b"can"
            | b"for"
            | b"from"
            | b"has"
            | b"have"
            | b"in"
            | b"into"
            | b"is"
            | b"it"
            | b"its"
            | b"may"
            | b"must"
            | b"not"
            | b"of"
            | b"on"
            | b"or"
            | b"should"
            | b"that"
            | b"the"
            | b"their"
            | b"there"
            | b"these"
            | b"this"
            | b"to"
            | b"was"
            | b"we"
            | b"were"
            | b"which"
            | b"will"
            | b"with"
    )
}

/// Whether `w` (followed by `next`, after a word when `after_word`) is a
/// mark of a bibliographic entry: authors' initials ("Kodner DL,",
/// "Smith J."), "et al.", DOIs and links, and years as references give
/// them ("2002;", "(2019)").
fn is_citation_mark(w: &str, after_word: bool, next: Option<&str>) -> bool {
    let core = w.trim_end_matches([',', '.', ';', ':']);
    let initials = core.len() <= 3
        && core.len() < w.len()
        && core.bytes().all(|b| b.is_ascii_uppercase())
        && after_word;
    let et_al = w == "et" && next.is_some_and(|n| n.starts_with("al"));
    let link = w.starts_with("doi") || w.starts_with("http") || w.starts_with("www.");
    let year = || {
        let y = w.trim_matches(|c: char| matches!(c, '(' | ')' | ';' | ':' | ',' | '.'));
        y.len() == 4
            && y.starts_with(['1', '2'])
            && y.bytes().all(|b| b.is_ascii_digit())
            && (w.ends_with(';') || w.starts_with('('))
    };
    initials || et_al || link || year()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_is_full_quality() {
        let p = "Integrated care boards will take on the commissioning of primary care \
                 services, and they should agree a plan with their partners by the end of the year.";
        assert_eq!(quality(p), FULL);
    }

    #[test]
    fn references_and_tables_are_lower() {
        let reference = "9 Kodner DL, Spreeuwenberg C. Integrated care: meaning, logic, \
                         applications, and implications. Int J Integr Care 2002;2:e12.";
        let table = "Characteristic | Community 2019 2020 2021 Tyler 109,510 4,206 25,312 \
                     Mathis 4,206 3,100 2,900 Paris 25,001 24,800";
        let prose = "Integrated care brings together the services people need, and it \
                     depends on the trust between the organisations that provide them.";
        assert!(quality(reference) < 50, "{}", quality(reference));
        assert!(quality(table) < 50, "{}", quality(table));
        assert!(quality(reference) < quality(prose));
    }

    #[test]
    fn function_words_are_known_in_any_case_and_punctuation() {
        for w in ["the", "The", "THE", "(which", "and,", "Should"] {
            assert!(is_function_word(w), "{w}");
        }
        for w in ["thee", "", "therefore", "Ünd", "\u{212A}"] {
            assert!(!is_function_word(w), "{w}");
        }
        // A letter outside ASCII that lowercases into it: "İn" is not "in".
        assert!(!is_function_word("\u{130}n"));
    }

    #[test]
    fn short_passages_are_left_to_the_length_prior() {
        assert_eq!(quality("Kodner DL, 2002;"), FULL);
    }

    /// The function words as a list, the way a reader checks them.
    const FUNCTION_WORDS: &[&str] = &[
        "a", "an", "and", "are", "as", "at", "be", "been", "by", "can", "for", "from", "has",
        "have", "in", "into", "is", "it", "its", "may", "must", "not", "of", "on", "or", "should",
        "that", "the", "their", "there", "these", "this", "to", "was", "we", "were", "which",
        "will", "with",
    ];

    /// Whether `word` is a function word, by lowercasing it into a new
    /// string and looking it up in the list.
    fn is_function_word_by_list(word: &str) -> bool {
        let w = word.trim_matches(|c: char| !c.is_alphanumeric());
        w.len() <= 6 && FUNCTION_WORDS.contains(&w.to_lowercase().as_str())
    }

    #[test]
    fn every_listed_function_word_is_known() {
        for w in FUNCTION_WORDS {
            assert!(is_function_word(w), "{w}");
            assert!(is_function_word(&w.to_uppercase()), "{w}");
        }
    }

    proptest::proptest! {
        /// The function-word check on the stack answers as lowercasing
        /// every word into a new string and scanning the list does.
        #[test]
        fn function_words_are_found_as_by_full_lowercasing(
            word in "[(\"'“]{0,2}(the|THE|And|of|wHich|thee|İn|\u{212A}|ünd|[A-Za-zéİK]{0,7})[.,;:)”'’]{0,2}"
        ) {
            proptest::prop_assert_eq!(is_function_word(&word), is_function_word_by_list(&word));
        }

        /// Quality read in one pass is the quality of the words collected
        /// first: every share counted over the same words, "et al." seen
        /// across two of them, initials only after a word.
        #[test]
        fn quality_is_that_of_the_words_collected(
            words in proptest::collection::vec(
                proptest::prop_oneof![
                    6 => "[A-Za-z]{1,9}",
                    2 => "(the|The|of|and,|İn|ünd|care|\\(which)",
                    1 => "(et al\\.|et|al\\.|al|DL,|J\\.|AB;|doi:10\\.1/x|https://x|www\\.x|\\(2019\\)|2002;|1999|12\\.5)",
                ],
                6..14,
            ),
            spaces in "[ \t\n\u{a0}\u{2003}]{1,2}",
        ) {
            let text = words.join(&spaces);
            let collected: Vec<&str> = text.split_whitespace().collect();
            let n = collected.len();
            let function = collected.iter().filter(|w| is_function_word_by_list(w)).count();
            let numeric = collected.iter().filter(|w| w.bytes().any(|b| b.is_ascii_digit())).count();
            let citations = (0..n)
                .filter(|&i| is_citation_mark(collected[i], i > 0, collected.get(i + 1).copied()))
                .count();
            let expected = from_counts(n, function, numeric, citations);
            proptest::prop_assert_eq!(quality(&text), expected);
        }
    }
}
