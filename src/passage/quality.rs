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

/// Short words that make up a quarter or more of English prose and are
/// rare in references, tables and lists of names.
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "been", "by", "can", "for", "from", "has", "have",
    "in", "into", "is", "it", "its", "may", "must", "not", "of", "on", "or", "should", "that",
    "the", "their", "there", "these", "this", "to", "was", "we", "were", "which", "will", "with",
];

/// The quality of `text`, from 0 to [`FULL`].
pub fn quality(text: &str) -> u8 {
    let words: Vec<&str> = text.split_whitespace().collect();
    let n = words.len();
    if n < MIN_WORDS {
        return FULL;
    }
    let share = |count: usize| count as f32 / n as f32;
    let function = share(words.iter().filter(|w| is_function_word(w)).count());
    let numeric = share(
        words
            .iter()
            .filter(|w| w.bytes().any(|b| b.is_ascii_digit()))
            .count(),
    );
    let citations = share(citation_marks(&words));
    let mut q = 1.0f32;
    if function < 0.08 {
        q *= 0.5;
    } else if function < 0.15 {
        q *= 0.75;
    }
    if citations > 0.08 {
        q *= 0.5;
    }
    if numeric > 0.3 {
        q *= 0.6;
    }
    (q.max(FLOOR) * FULL as f32).round() as u8
}

fn is_function_word(word: &str) -> bool {
    let w = word.trim_matches(|c: char| !c.is_alphanumeric());
    if w.len() > 6 {
        return false;
    }
    if !w.is_ascii() {
        // Rare, and a few letters outside ASCII lowercase into it.
        return FUNCTION_WORDS.contains(&w.to_lowercase().as_str());
    }
    // Lowercased on the stack: this runs for every word indexed.
    let mut lower = [0u8; 6];
    let lower = &mut lower[..w.len()];
    lower.copy_from_slice(w.as_bytes());
    lower.make_ascii_lowercase();
    FUNCTION_WORDS.iter().any(|f| f.as_bytes() == lower)
}

/// Marks of a bibliographic entry: authors' initials ("Kodner DL,",
/// "Smith J."), "et al.", DOIs and links, and years as references give
/// them ("2002;", "(2019)").
fn citation_marks(words: &[&str]) -> usize {
    let mut marks = 0;
    for (i, w) in words.iter().enumerate() {
        let core = w.trim_end_matches([',', '.', ';', ':']);
        let initials = core.len() <= 3
            && core.len() < w.len()
            && core.bytes().all(|b| b.is_ascii_uppercase())
            && i > 0;
        let et_al = *w == "et" && words.get(i + 1).is_some_and(|n| n.starts_with("al"));
        let link = w.starts_with("doi") || w.starts_with("http") || w.starts_with("www.");
        let year = {
            let y = w.trim_matches(|c: char| matches!(c, '(' | ')' | ';' | ':' | ',' | '.'));
            y.len() == 4
                && y.starts_with(['1', '2'])
                && y.bytes().all(|b| b.is_ascii_digit())
                && (w.ends_with(';') || w.starts_with('('))
        };
        if initials || et_al || link || year {
            marks += 1;
        }
    }
    marks
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

    proptest::proptest! {
        /// The function-word check on the stack answers as lowercasing
        /// every word into a new string did.
        #[test]
        fn function_words_are_found_as_by_full_lowercasing(
            word in "[(\"'“]{0,2}(the|THE|And|of|wHich|thee|İn|\u{212A}|ünd|[A-Za-zéİK]{0,7})[.,;:)”'’]{0,2}"
        ) {
            let w = word.trim_matches(|c: char| !c.is_alphanumeric());
            let reference = w.len() <= 6 && FUNCTION_WORDS.contains(&w.to_lowercase().as_str());
            proptest::prop_assert_eq!(is_function_word(&word), reference);
        }
    }
}
