//! What may be shown as a document's title, for every format.
//!
//! A title is cited with every hit, so a wrong one misleads more than a
//! plain one: metadata and first lines are taken only when they read as a
//! title, and a file's cleaned name is the last resort (see
//! `ingest::worker`). Documents converted from PDF or saved from the web
//! carry lines that look like titles and are not: a converter's "Document
//! Outline", "Microsoft Word - x.docx", a date, a page number, a stray
//! letter, "Skip directly to site content".

use super::blocks::collapse_whitespace;

/// Blocks from the top of a document searched for a title line: a title
/// comes before the body, after at most a few lines of chrome or labels.
pub const NEAR_TOP: usize = 10;

/// Longest title line, in words; a longer line is a sentence of the body.
const MAX_WORDS: usize = 30;

/// Lines of web pages saved as text that navigate or apologise, never name
/// the page (compared in lowercase, at the start of the line).
const CHROME: &[&str] = &[
    "skip directly to",
    "skip to main content",
    "skip to content",
    "skip navigation",
    "jump to navigation",
    "persons using assistive technology",
    "view suggested citation",
    "an official website of the",
];

/// Whole titles that name no document: application defaults and
/// converters' section names (compared in lowercase).
const PLACEHOLDERS: &[&str] = &[
    "untitled",
    "untitled document",
    "no title",
    "title",
    "document",
    "new document",
    "document outline",
    "outline",
    "contents",
    "table of contents",
    "presentation",
    "powerpoint presentation",
    "slide 1",
    "no title found",
];

/// Starts of titles an application wrote from the file's name.
const APPLICATION_PREFIXES: &[&str] = &[
    "microsoft word - ",
    "microsoft powerpoint - ",
    "microsoft excel - ",
    "untitled-",
    // A transcript tool's header: "# tactiq.io free youtube transcript".
    "tactiq.io ",
];

/// Extensions that make a title a file's name.
const FILE_EXTENSIONS: &[&str] = &[
    "doc", "docx", "dot", "dotx", "pdf", "ppt", "pptx", "xls", "xlsx", "rtf", "odt", "txt", "md",
    "htm", "html", "indd", "qxd", "pub", "tex",
];

/// Words of a line that only dates, numbers or labels a page: "20 May
/// 2024", "Page 3 of 40", "Version 1", "Date published: 8 September, 2025".
const LABEL_WORDS: &[&str] = &[
    "jan",
    "january",
    "feb",
    "february",
    "mar",
    "march",
    "apr",
    "april",
    "may",
    "jun",
    "june",
    "jul",
    "july",
    "aug",
    "august",
    "sep",
    "sept",
    "september",
    "oct",
    "october",
    "nov",
    "november",
    "dec",
    "december",
    "mon",
    "monday",
    "tue",
    "tuesday",
    "wed",
    "wednesday",
    "thu",
    "thursday",
    "fri",
    "friday",
    "sat",
    "saturday",
    "sun",
    "sunday",
    "st",
    "nd",
    "rd",
    "th",
    "page",
    "p",
    "of",
    "date",
    "dated",
    "published",
    "updated",
    "last",
    "revised",
    "issued",
    "version",
    "v",
    "draft",
    "final",
    "rev",
];

/// Is `s` something a reader would take for the document's title?
///
/// No for: no word of three letters ("n", "12", "HC 569-I"), dates and
/// page labels, web-page chrome, placeholders and
/// names an application made from the file's name, and file names.
pub fn is_plausible(s: &str) -> bool {
    let s = s.trim();
    // "n", "12", "HC 569-I": a title has a word.
    let has_word = s
        .split(|c: char| !c.is_alphabetic())
        .any(|w| w.chars().count() >= 3);
    if !has_word {
        return false;
    }
    let lower = s.to_lowercase();
    let bare = lower.trim_matches(|c: char| !c.is_alphanumeric());
    // Without markup before it: "# tactiq.io …".
    let lead = lower.trim_start_matches(|c: char| !c.is_alphanumeric());
    !is_label(&lower)
        && !is_chrome(&lower)
        && !PLACEHOLDERS.contains(&bare)
        && !APPLICATION_PREFIXES.iter().any(|p| lead.starts_with(p))
        && !is_file_name(&lower)
        && !is_address(lead)
}

/// A web address on its own ("https://www.youtube.com/watch/cSSF2crEX1Y"):
/// where a document came from, not what it is called.
fn is_address(lower: &str) -> bool {
    ["http://", "https://", "www."]
        .iter()
        .any(|p| lower.starts_with(p))
        && !lower.contains(char::is_whitespace)
}

/// Does `lower` (a line in lowercase) start as web-page chrome does?
fn is_chrome(lower: &str) -> bool {
    CHROME.iter().any(|p| lower.starts_with(p))
}

/// Is `line` a title when it stands alone near the top of a document?
/// A plausible title that is not a sentence of the body (short, no
/// sentence ending in or at the end of it), not a lone word (a section's
/// heading, "Introduction", or a page's "Top" and "LinkedIn" links) and not
/// a byline ("Robert D. Brewer, MD").
pub fn is_title_line(line: &str) -> bool {
    let t = tidy(line);
    let words = t.split_whitespace().count();
    is_plausible(&t)
        && (2..=MAX_WORDS).contains(&words)
        && !t.ends_with(['.', '!', ',', ';', ':'])
        && !has_sentence_break(&t)
        && !is_byline(&t)
        && !is_affiliation(&t)
        && !has_footnote_mark(&t)
        && !is_cue(&t)
}

/// A transcript's cue: a line that starts with the time it was said
/// ("00:17:58.000 Morning everyone").
fn is_cue(t: &str) -> bool {
    t.split_whitespace().next().is_some_and(|w| {
        w.contains(':')
            && w.chars().any(|c| c.is_ascii_digit())
            && w.chars()
                .all(|c| c.is_ascii_digit() || c == ':' || c == '.')
    })
}

/// The first of the `candidates` (in document order, from the top) that is
/// a title line, its whitespace collapsed; only the first [`NEAR_TOP`] are
/// looked at, and none after the body has begun (see [`is_body`]): a line
/// that looks like a title below the first paragraph is a heading, or a
/// fragment of a hard-wrapped sentence ("(3) and occupational safety and
/// health"), and a wrong title misleads more than the file's name.
pub fn first_title_line<'a>(candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    candidates
        .into_iter()
        .take(NEAR_TOP)
        .take_while(|c| !is_body(c))
        .find(|c| is_title_line(c))
        .map(tidy)
}

/// Words from which a block is a paragraph of the body when it also ends
/// a sentence.
const BODY_SENTENCE_WORDS: usize = 12;

/// Is `block` a paragraph of the body: more words than a title has, or a
/// sentence of [`BODY_SENTENCE_WORDS`] or more; not web-page chrome
/// ("Persons using assistive technology …"), which comes before a title.
fn is_body(block: &str) -> bool {
    let t = tidy(block);
    let words = t.split_whitespace().count();
    let lower = t.to_lowercase();
    (words > MAX_WORDS || (words >= BODY_SENTENCE_WORDS && t.ends_with(['.', '!', '?'])))
        && !is_chrome(&lower)
}

/// A line without the markup or bullets around it ("# Title #", "• Title"),
/// its whitespace collapsed.
fn tidy(line: &str) -> String {
    let t = line
        .trim_start_matches(|c: char| {
            !c.is_alphanumeric() && !matches!(c, '(' | '‘' | '\'' | '"' | '“')
        })
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '*' | '_' | '#' | '|'));
    collapse_whitespace(t)
}

/// A full stop after a word of two lowercase letters or more, then a
/// capital: one sentence ending and the next starting ("… persons. The"),
/// not an abbreviation ("U.S. Army", "Dr. Smith", "Vol. 49").
fn has_sentence_break(t: &str) -> bool {
    let chars: Vec<char> = t.chars().collect();
    chars.windows(5).any(|w| {
        w[0].is_lowercase()
            && w[1].is_lowercase()
            && w[2] == '.'
            && w[3] == ' '
            && w[4].is_uppercase()
    })
}

/// An author's affiliation: an organisation's unit, then its acronym
/// ("1National Center for Health Statistics, CDC").
fn is_affiliation(t: &str) -> bool {
    let unit = t
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .to_lowercase();
    let acronym = t.rsplit_once(", ").map_or("", |(_, last)| last);
    [
        "national center",
        "office of",
        "division of",
        "department of",
        "university of",
    ]
    .iter()
    .any(|p| unit.starts_with(p))
        && (2..=6).contains(&acronym.len())
        && acronym.chars().all(|c| c.is_ascii_uppercase())
}

/// A footnote number glued to the first or last word: authors and their
/// affiliations are marked so ("Anne Pollock3", "2SisterLove, Inc.");
/// titles are not ("COVID-19", "H1N1", "Module 1").
fn has_footnote_mark(t: &str) -> bool {
    let first = t.chars().take(2).collect::<Vec<_>>();
    let glued_before = matches!(first[..], [d, c] if d.is_ascii_digit() && c.is_uppercase());
    let last = t.chars().rev().take(2).collect::<Vec<_>>();
    let glued_after = matches!(last[..], [d, c] if d.is_ascii_digit() && c.is_lowercase());
    glued_before || glued_after
}

/// Degrees that follow an author's name.
const DEGREES: &[&str] = &[
    "md", "m.d", "phd", "ph.d", "mph", "msph", "drph", "ms", "msc", "ma", "mpa", "scd", "dvm",
    "rn", "jd", "mbbs", "mba", "pharmd", "dds", "frcp", "bsc",
];

/// A byline: a degree after a comma or at the end ("Stephanie Zaza, MD3",
/// "Megan C. Lindley MPH"), footnote digits and marks ignored.
fn is_byline(t: &str) -> bool {
    let words: Vec<&str> = t.split_whitespace().collect();
    words.iter().enumerate().any(|(i, w)| {
        let bare = w
            .trim_end_matches(|c: char| {
                c.is_ascii_digit() || matches!(c, '*' | ',' | ';' | '.' | '†')
            })
            .to_lowercase();
        let placed = i + 1 == words.len() || (i > 0 && words[i - 1].ends_with(','));
        placed && DEGREES.contains(&bare.as_str())
    })
}

/// A title from metadata or markup, its whitespace collapsed, if it is plausible.
pub fn plausible(raw: &str) -> Option<String> {
    let t = collapse_whitespace(raw);
    is_plausible(&t).then_some(t)
}

/// A file's name as a title: without its extension, `_` and `-` between
/// words as spaces, a `-` between digits kept ("nhs-oversight-framework_
/// 2025-26.pdf" → "nhs oversight framework 2025-26"). Letters are left as
/// they are, so the name stays recognisable. `None` for a name with no
/// word of three letters ("003_4b6de29c8b9f9378.txt", "12.pdf"): a hash or
/// a number tells a reader less than the document's first sentence.
pub fn from_file_name(name: &str) -> Option<String> {
    let stem = match name.rsplit_once('.') {
        Some((stem, ext))
            if !stem.trim().is_empty()
                && (1..=5).contains(&ext.len())
                && ext.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            stem
        }
        _ => name,
    };
    let chars: Vec<char> = stem.chars().collect();
    let mut out = String::with_capacity(stem.len());
    for (i, &c) in chars.iter().enumerate() {
        let between_digits = i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        match c {
            '_' | '+' => out.push(' '),
            '-' if !between_digits => out.push(' '),
            _ => out.push(c),
        }
    }
    let cleaned = collapse_whitespace(&out);
    let has_word = cleaned
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w.chars().count() >= 3 && w.chars().all(char::is_alphabetic));
    has_word.then_some(cleaned)
}

/// Only dates, numbers and page or version labels.
fn is_label(lower: &str) -> bool {
    let mut words = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .peekable();
    words.peek().is_some()
        && words.all(|w| {
            let digits = w.len() - w.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let rest = &w[digits..];
            (digits > 0 && (rest.is_empty() || ["st", "nd", "rd", "th"].contains(&rest)))
                || LABEL_WORDS.contains(&w)
        })
}

/// One word ending in a known document extension ("board_papers.pdf"), or
/// a name that starts with a date stamp ("20241216- Government response").
fn is_file_name(lower: &str) -> bool {
    let stamp = lower.bytes().take_while(u8::is_ascii_digit).count();
    let stamped =
        (6..=8).contains(&stamp) && matches!(lower.as_bytes().get(stamp), Some(b'-' | b'_'));
    stamped
        || !lower.contains(' ')
            && lower
                .rsplit_once('.')
                .is_some_and(|(stem, ext)| !stem.is_empty() && FILE_EXTENSIONS.contains(&ext))
}

/// Does `text` hold at least half of the words of `title` (those of three
/// letters or more, in any case), and every one of its numbers? A title
/// copied from a template or another document names little on the page it
/// heads: "Committee Report 4.3", a template's name, has two words every
/// committee report's cover has, but its version number is on none.
pub fn is_borne_out_by(title: &str, text: &str) -> bool {
    let words = |s: &str| -> std::collections::HashSet<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 3)
            .map(str::to_lowercase)
            .collect()
    };
    // Runs of digits, so "2020-2030" is borne out by "2020 – 2030".
    let numbers = |s: &str| -> std::collections::HashSet<String> {
        s.split(|c: char| !c.is_ascii_digit())
            .filter(|run| !run.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (wanted, present) = (words(title), words(text));
    let found = wanted.iter().filter(|w| present.contains(*w)).count();
    found * 2 >= wanted.len() && numbers(title).is_subset(&numbers(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junk_is_not_a_title() {
        for junk in [
            "",
            "n",
            "12",
            "A1",
            "20 May 2024",
            "May 2024",
            "2024-05-20",
            "Monday 20th May 2024",
            "Page 3 of 40",
            "Date published: 8 September, 2025",
            "Version 1",
            "Document Outline",
            "# Document Outline",
            "# tactiq.io free youtube transcript",
            "# No title found",
            "# https://www.youtube.com/watch/cSSF2crEX1Y",
            "www.england.nhs.uk/publication/board-papers",
            "Microsoft Word - Board papers.docx",
            "Microsoft PowerPoint - slides",
            "PowerPoint Presentation",
            "Untitled",
            "board_papers_v2.docx",
            "20241216- Government Response to Recommendations- FINAL",
            "HC 569-I",
            "Skip directly to site content",
            "Skip directly to A to Z list",
            "Persons using assistive technology might not be able to fully access information in this file.",
        ] {
            assert!(!is_plausible(junk), "{junk:?}");
        }
    }

    #[test]
    fn real_titles_are_titles() {
        for title in [
            "NHS Oversight Framework 2025/26",
            "Notifiable Diseases/Deaths in Selected Cities Weekly Information",
            "A&E waiting times",
            "May the best plan win",
            "Planning guidance 2025-26",
            "Version control policy",
            "NHS England v1.6",
        ] {
            assert!(is_plausible(title), "{title:?}");
            assert!(is_title_line(title), "{title:?}");
        }
    }

    #[test]
    fn bylines_lone_words_and_run_on_sentences_are_not_title_lines() {
        for line in [
            "Robert D. Brewer, MD",
            "Stephanie Zaza, MD3 Lydia Ogden, PhD4",
            "Megan C. Lindley MPH",
            "Trowbridge, M.D.***",
            "LinkedIn",
            "1National Center for Chronic Disease Prevention and Health Promotion, CDC",
            "Office of Minority Health and Health Equity, CDC",
            "Anne Pollock3",
            "2SisterLove, Inc., Atlanta, Georgia",
            "Introduction",
            "York (Figure 2); the rate was 81.2 cases per 100,000 persons. The geographic",
        ] {
            assert!(!is_title_line(line), "{line:?}");
        }
        for line in [
            "Influenza Activity --- United States, 2000--01 Season",
            "Guidance for U.S. Army health services",
            "MS services in Leeds",
            "Office of the Chief Nurse annual report",
            "H1N1 vaccination in 2009",
            "Update on COVID-19",
        ] {
            assert!(is_title_line(line), "{line:?}");
        }
    }

    #[test]
    fn title_lines_lose_their_markup() {
        assert_eq!(
            first_title_line(["# Neighbourhood health guidelines #"]).as_deref(),
            Some("Neighbourhood health guidelines")
        );
        assert_eq!(
            first_title_line(["**Planning framework**"]).as_deref(),
            Some("Planning framework")
        );
    }

    #[test]
    fn a_transcripts_cues_are_not_title_lines() {
        assert!(!is_title_line(
            "00:00:00.560 welcome to care delivery services annual 00:00:02.600 service plan"
        ));
        assert!(!is_title_line("12:30 Board meeting opens"));
        assert!(is_title_line("Board meeting: 12:30 to 14:00"));
        assert!(is_title_line("COVID-19: the first 100 days"));
    }

    #[test]
    fn a_sentence_is_not_a_title_line() {
        assert!(!is_title_line(
            "In 1986, 1.58 million people in the United States died from six chronic diseases."
        ));
        assert!(!is_title_line(&"word ".repeat(MAX_WORDS + 1)));
    }

    #[test]
    fn first_title_line_skips_chrome_and_stops_near_the_top() {
        let lines = [
            "Skip directly to site content",
            "Skip directly to page options",
            "20 May 2024",
            "Chronic Disease Reports",
            "Later heading",
        ];
        assert_eq!(
            first_title_line(lines).as_deref(),
            Some("Chronic Disease Reports")
        );
        let deep = std::iter::repeat_n("n", NEAR_TOP).chain(["Too deep"]);
        assert_eq!(first_title_line(deep), None);
    }

    #[test]
    fn no_title_line_is_taken_from_below_the_first_paragraph() {
        let chrome = "Persons using assistive technology might not be able to fully access \
                      information in this file. For assistance, please send e-mail to: \
                      mmwrq@cdc.gov.";
        let paragraph = "Although the history of CDC spans 60 years, only during the last \
                         2 decades did the agency come to recognize the behavioral sciences.";
        let long = "word ".repeat(MAX_WORDS + 1);
        for body in [paragraph, long.as_str()] {
            // A hard-wrapped sentence's tail, or a section's heading.
            let lines = [
                chrome,
                body,
                "(3) and occupational safety and health",
                "Data Source",
            ];
            assert_eq!(first_title_line(lines), None, "{body}");
        }
        // Chrome and a short sentence (a dateline, a strapline) come before
        // a title.
        let lines = [
            chrome,
            "Updated weekly.",
            "Behavioral Sciences at CDC",
            paragraph,
        ];
        assert_eq!(
            first_title_line(lines).as_deref(),
            Some("Behavioral Sciences at CDC")
        );
    }

    #[test]
    fn metadata_is_kept_only_when_plausible() {
        assert_eq!(
            plausible("  Type 2 diabetes\n in adults ").as_deref(),
            Some("Type 2 diabetes in adults")
        );
        assert_eq!(plausible("Microsoft Word - NG28.docx"), None);
        assert_eq!(plausible("NG28.pdf"), None);
        assert_eq!(plausible(""), None);
    }

    #[test]
    fn a_title_is_borne_out_by_the_text_it_heads() {
        let page = "Type 2 diabetes in adults: management. NICE guideline NG28.";
        assert!(is_borne_out_by("Type 2 Diabetes in Adults", page));
        assert!(!is_borne_out_by("Committee Report 4.3", page));
        assert!(is_borne_out_by("Type 2 diabetes (NG28)", page));
        let cover = "HOUSE OF LORDS\nScience and Technology Select Committee\n\
                     2nd Report of Session 2010–12\nBehaviour Change\nReport";
        assert!(!is_borne_out_by("Committee Report 4.3", cover));
        assert!(is_borne_out_by("Behaviour Change: Report, 2010–12", cover));
        let cover = "Shared research and\ninnovation strategy:\n2020 – 2030";
        assert!(is_borne_out_by(
            "Shared research and innovation strategy: 2020-2030",
            cover
        ));
    }

    #[test]
    fn file_names_are_cleaned() {
        for (name, title) in [
            (
                "nhs-oversight-framework_2025-26.pdf",
                "nhs oversight framework 2025-26",
            ),
            (
                "NHS England _ Planning framework.md",
                "NHS England Planning framework",
            ),
            (
                "Workforce-Strategy-2021-25-V1.0.md",
                "Workforce Strategy 2021-25 V1.0",
            ),
            ("README", "README"),
            (".profile", ".profile"),
        ] {
            assert_eq!(from_file_name(name).as_deref(), Some(title), "{name}");
        }
        for nameless in ["003_4b6de29c8b9f9378.txt", "12.pdf", "___.txt", "a-b.md"] {
            assert_eq!(from_file_name(nameless), None, "{nameless}");
        }
    }

    proptest::proptest! {
        #![proptest_config(crate::extract::testing::proptest_config(2000))]
        /// A name gives a title with no surrounding or doubled spaces, a
        /// word in it, and the name's digits in order.
        #[test]
        fn file_name_titles_are_tidy(name in "[a-zA-Z0-9 ._+é-]{0,40}") {
            if let Some(t) = from_file_name(&name) {
                proptest::prop_assert_eq!(t.trim(), t.as_str());
                proptest::prop_assert!(!t.contains("  "));
                proptest::prop_assert!(t.chars().filter(|c| c.is_alphabetic()).count() >= 3);
                let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
                proptest::prop_assert!(digits(&name).starts_with(&digits(&t)));
            }
        }

        /// The checks accept or refuse any text without panicking, and a
        /// title line is always a plausible title.
        #[test]
        fn checks_never_panic(s in "\\PC{0,60}") {
            if is_title_line(&s) {
                proptest::prop_assert!(is_plausible(&s));
            }
            let _ = plausible(&s);
        }
    }
}
