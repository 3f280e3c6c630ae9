//! A document's publication date: from its metadata where that says when
//! it was published, else from a dated line near the top of its text
//! ("Published 12 May 2024", "March 2023"), else from the end of its title
//! ("WHO guidelines for malaria, 16 October 2023"), else its metadata's
//! creation time (which is often only when the file was made).

use serde::{Deserialize, Serialize};

/// Where a date came from, weakest last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateSource {
    /// Metadata that names the publication date (HTML `article:published_time`,
    /// `citation_publication_date`, `DC.date`, XMP `dc:date`).
    Metadata,
    /// A dated line near the top of the text.
    Text,
    /// The date a title ends with.
    Title,
    /// The creation time in the file's metadata (PDF `/CreationDate`,
    /// DOCX `dcterms:created`).
    Created,
}

impl DateSource {
    /// The name shown in JSON (`date_source`).
    pub fn name(self) -> &'static str {
        match self {
            DateSource::Metadata => "metadata",
            DateSource::Text => "text",
            DateSource::Title => "title",
            DateSource::Created => "created",
        }
    }

    /// The source named `name`.
    pub fn from_name(name: &str) -> Option<DateSource> {
        [
            DateSource::Metadata,
            DateSource::Text,
            DateSource::Title,
            DateSource::Created,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }
}

/// A calendar date as precise as the document gives it: a year, a month
/// or a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Day {
    /// The year.
    pub year: u16,
    /// 1-12, or 0 when only the year is known.
    pub month: u8,
    /// 1-31, or 0 when only the month is known.
    pub day: u8,
}

/// A document's date and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PubDate {
    /// The date.
    pub day: Day,
    /// Its source.
    pub source: DateSource,
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Earliest year taken for a document's date: older "dates" are numbers.
const MIN_YEAR: u16 = 1900;
/// Latest year taken (a little past today, for documents dated ahead).
const MAX_YEAR: u16 = 2100;

impl Day {
    /// A day, checked: a plausible year, a month 0-12, a day 0-31 (0 only
    /// with a month 0 too, or when the day is not known).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Day> {
        let ok = (MIN_YEAR..=MAX_YEAR).contains(&year)
            && month <= 12
            && day <= days_in(year, month)
            && !(month == 0 && day != 0);
        ok.then_some(Day { year, month, day })
    }

    /// ISO 8601 as precise as known: `2024`, `2024-05`, `2024-05-12`.
    pub fn iso(self) -> String {
        match (self.month, self.day) {
            (0, _) => format!("{:04}", self.year),
            (m, 0) => format!("{:04}-{m:02}", self.year),
            (m, d) => format!("{:04}-{m:02}-{d:02}", self.year),
        }
    }

    /// As a reader writes it: `2024`, `May 2024`, `12 May 2024`.
    pub fn human(self) -> String {
        let month = |m: u8| {
            let name = MONTHS[usize::from(m - 1)];
            let mut c = name.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        };
        match (self.month, self.day) {
            (0, _) => self.year.to_string(),
            (m, 0) => format!("{} {}", month(m), self.year),
            (m, d) => format!("{d} {} {}", month(m), self.year),
        }
    }

    /// A date as a user writes it in a filter (`--since`, `since=`):
    /// `2024`, `2024-05`, `2024-05-12`, or written out (`May 2024`).
    pub fn from_user(s: &str) -> Option<Day> {
        Day::from_iso(s).or_else(|| parse_text(s))
    }

    /// Parses [`Day::iso`]'s forms back.
    pub fn from_iso(s: &str) -> Option<Day> {
        let mut parts = s.trim().splitn(3, '-');
        let year = parts.next()?;
        if year.len() != 4 {
            return None;
        }
        let year: u16 = year.parse().ok()?;
        let mut number = |max_len: usize| -> Option<Option<u8>> {
            match parts.next() {
                None => Some(None),
                Some(p) if !p.is_empty() && p.len() <= max_len => p.parse().ok().map(Some),
                Some(_) => None,
            }
        };
        let month = number(2)?.unwrap_or(0);
        let day = number(2)?.unwrap_or(0);
        // `2024-00` and `2024-00-05` are not dates.
        if month == 0 && (day != 0 || s.trim().len() > 4) {
            return None;
        }
        Day::new(year, month, day)
    }

    /// `yyyymmdd` of the first day it may be (`2024` → 20240101); sorts
    /// and compares dates of different precision.
    pub fn first_key(self) -> u64 {
        let month = self.month.max(1);
        let day = self.day.max(1);
        u64::from(self.year) * 10_000 + u64::from(month) * 100 + u64::from(day)
    }

    /// `yyyymmdd` of the last day it may be (`2024` → 20241231).
    pub fn last_key(self) -> u64 {
        let month = if self.month == 0 { 12 } else { self.month };
        let day = if self.day == 0 {
            days_in(self.year, month)
        } else {
            self.day
        };
        u64::from(self.year) * 10_000 + u64::from(month) * 100 + u64::from(day)
    }
}

fn days_in(year: u16, month: u8) -> u8 {
    match month {
        0 => 0,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A date in metadata: ISO 8601 (`2024-05-12T09:00:00Z`, `2024-05`,
/// `2024`), a PDF date (`D:20240512093000+01'00'`), or as text.
pub fn parse_metadata(value: &str) -> Option<Day> {
    let v = value.trim();
    if let Some(pdf) = v.strip_prefix("D:") {
        return compact(pdf);
    }
    let date_part = v.split(['T', ' ']).next().unwrap_or(v);
    // Highwire's `citation_publication_date` writes `2024/05/12`.
    let date_part = &date_part.replace('/', "-");
    if let Some(d) = Day::from_iso(date_part) {
        return Some(d);
    }
    if date_part.len() == 8 && date_part.bytes().all(|b| b.is_ascii_digit()) {
        return compact(date_part);
    }
    parse_text(v)
}

/// `yyyy[mm[dd]]…`, as PDF dates and some metadata write them.
fn compact(s: &str) -> Option<Day> {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    let num = |r: std::ops::Range<usize>| digits.get(r).and_then(|d| d.parse::<u16>().ok());
    let year = num(0..4)?;
    let month = num(4..6).unwrap_or(0) as u8;
    let day = if month == 0 {
        0
    } else {
        num(6..8).unwrap_or(0) as u8
    };
    Day::new(year, month, day)
}

/// A date written out in full as the whole of `s`: `12 May 2024`,
/// `12th May 2024`, `May 12, 2024`, `May 2024`, `Sept 2023`, `2024-05-12`,
/// `12/05/2024` (day first, as in the UK), `12.05.2024`.
pub fn parse_text(s: &str) -> Option<Day> {
    let cleaned: String = s
        .trim()
        .trim_end_matches('.')
        .chars()
        .map(|c| if c == ',' { ' ' } else { c })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    match words.as_slice() {
        [one] => Day::from_iso(one)
            .filter(|d| d.month > 0)
            .or_else(|| numeric(one)),
        [a, b] => {
            let month = month_of(a)?;
            Day::new(year_of(b)?, month, 0)
        }
        [a, b, c] => {
            if let Some(month) = month_of(b) {
                Day::new(year_of(c)?, month, day_of(a)?)
            } else {
                let month = month_of(a)?;
                Day::new(year_of(c)?, month, day_of(b)?)
            }
        }
        _ => None,
    }
}

/// `12/05/2024` or `12.05.2024`: day, month, year.
fn numeric(s: &str) -> Option<Day> {
    let parts: Vec<&str> = s.split(['/', '.']).collect();
    let [d, m, y] = parts.as_slice() else {
        return None;
    };
    if y.len() != 4 || d.is_empty() || d.len() > 2 || m.is_empty() || m.len() > 2 {
        return None;
    }
    let month: u8 = m.parse().ok()?;
    Day::new(y.parse().ok()?, month, d.parse().ok()?).filter(|d| d.month > 0 && d.day > 0)
}

fn month_of(word: &str) -> Option<u8> {
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    let w = if w == "sept" { "sep".to_string() } else { w };
    MONTHS
        .iter()
        .position(|m| *m == w || (w.len() == 3 && m.starts_with(&w)))
        .map(|i| i as u8 + 1)
}

fn year_of(word: &str) -> Option<u16> {
    (word.len() == 4).then(|| word.parse().ok()).flatten()
}

fn day_of(word: &str) -> Option<u8> {
    let digits = word
        .strip_suffix("st")
        .or_else(|| word.strip_suffix("nd"))
        .or_else(|| word.strip_suffix("rd"))
        .or_else(|| word.strip_suffix("th"))
        .unwrap_or(word);
    if digits.is_empty() || digits.len() > 2 {
        return None;
    }
    digits.parse().ok().filter(|&d| d > 0)
}

/// Words that can only introduce the date a document was published, so a
/// line that starts with one and a date says so whatever follows.
const PUBLISHED: &[&str] = &[
    "published on",
    "published",
    "first published",
    "date published",
    "publication date",
    "date of publication",
];
/// Words that introduce a publication date on a line of its own.
const DATED: &[&str] = &[
    "issued",
    "issue date",
    "date issued",
    "date",
    "released",
    "posted on",
    "posted",
];
/// Words that introduce a later date: taken only when nothing says
/// published.
const UPDATED: &[&str] = &[
    "last updated",
    "updated",
    "last reviewed",
    "reviewed",
    "page last reviewed",
];

/// Lines of a document's top looked at for a dated line.
const TOP_LINES: usize = 40;
/// Bytes of a document's top looked at.
const TOP_BYTES: usize = 4_000;
/// A line longer than this is a sentence, not a dateline.
const MAX_DATELINE: usize = 60;
/// Longest line read for a publication notice (see [`notice`]).
const MAX_NOTICE: usize = 200;

/// The date a line near the top of `text` gives: one that says when the
/// document was published ("Published 12 May 2024", "Date: March 2023"),
/// else one that is only a date ("20 May 2024"), else one that says when
/// it was updated.
pub fn from_text(text: &str) -> Option<Day> {
    let mut end = text.len().min(TOP_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let lines: Vec<&str> = text[..end]
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(TOP_LINES)
        .collect();
    let (mut bare, mut updated) = (None, None);
    // Lines from here on may give a bare date.
    let mut free_from = 0;
    for (i, &line) in lines.iter().enumerate() {
        if line.len() > MAX_DATELINE {
            if let Some(d) = notice(line) {
                return Some(d);
            }
            continue;
        }
        let line = unmarked(line);
        let lower = line.to_ascii_lowercase();
        if let Some(d) = after_label(line, &lower, PUBLISHED, parse_text)
            .or_else(|| after_label(line, &lower, DATED, parse_text))
        {
            return Some(d);
        }
        if updated.is_none() {
            updated = after_label(line, &lower, UPDATED, parse_text);
        }
        if lines.get(i + 1).is_some_and(|next| ends_a_period(next)) {
            // The period's start, "to", and its end: none is a dateline.
            free_from = i + 3;
        } else if bare.is_none() && i >= free_from {
            bare = parse_text(line);
        }
    }
    bare.or(updated)
}

/// `line` without the Markdown emphasis, heading or table marks around it.
fn unmarked(line: &str) -> &str {
    line.trim_matches(|c: char| c == '*' || c == '_' || c == '#' || c == '|')
        .trim()
}

/// Whether `line`, after a date, makes that date the start of a period:
/// "to", "until", or a dash and a date ("1 April 2024" / "to" / "31 March
/// 2025" on an annual report's cover). The period is what the document
/// covers, not when it was published.
fn ends_a_period(line: &str) -> bool {
    let lower = unmarked(line).to_ascii_lowercase();
    let word = lower.split_whitespace().next().unwrap_or("");
    if matches!(word, "to" | "until" | "till") {
        return true;
    }
    lower
        .strip_prefix(['-', '–', '—'])
        .is_some_and(|rest| leading_date(rest.trim()).is_some())
}

/// The date of a publication notice too long for a dateline: a line that
/// starts with a label only a publication date follows ("Published on 19
/// July 2011 by authority of the House of Commons"), or the printing notice
/// of a parliamentary paper ("Ordered to be printed 11 July 2011 and
/// published 19 July 2011"), which gives its publication date last.
fn notice(line: &str) -> Option<Day> {
    if line.len() > MAX_NOTICE {
        return None;
    }
    let lower = line.to_ascii_lowercase();
    if lower.contains("to be printed") {
        if let Some(at) = lower.rfind(" published ") {
            let rest = &line[at + " published ".len()..];
            return leading_date(rest.strip_prefix("on ").unwrap_or(rest));
        }
    }
    after_label(line, &lower, PUBLISHED, leading_date)
}

/// A date of at least a month that `s` starts with ("19 July 2011 by
/// authority of …").
fn leading_date(s: &str) -> Option<Day> {
    let words: Vec<&str> = s.split_whitespace().take(3).collect();
    (1..=words.len())
        .rev()
        .find_map(|n| parse_text(&words[..n].join(" ")))
        .filter(|d| d.month > 0)
}

/// What `date` reads after one of `labels` at the start of `line` (`lower`
/// is it in lowercase), with a `:` or `-` or nothing between.
fn after_label(
    line: &str,
    lower: &str,
    labels: &[&str],
    date: fn(&str) -> Option<Day>,
) -> Option<Day> {
    labels.iter().find_map(|label| {
        let rest = lower.strip_prefix(label)?;
        if !rest.starts_with([' ', ':', '-', '\u{a0}']) {
            return None;
        }
        let rest = &line[line.len() - rest.len()..];
        let rest = rest.trim_start_matches([' ', ':', '-', '\u{a0}']).trim();
        let rest = rest.strip_prefix("on ").unwrap_or(rest);
        date(rest)
    })
}

/// The date `title` ends with, at least a month ("…, 16 October 2023",
/// "… (March 2024)", "… 2023-10-16"): a title that dates itself names the
/// version it is, which a file's creation time often is not (a PDF made
/// days before, or a copy converted years after). A year alone is not
/// taken: "NHS Act 2006" is no date of the document.
pub fn from_title(title: &str) -> Option<Day> {
    let trimmed = title
        .trim_end()
        .trim_end_matches(|c: char| matches!(c, ')' | ']' | '.') || c.is_whitespace());
    let words: Vec<&str> = trimmed.split_whitespace().collect();
    (1..=3.min(words.len())).rev().find_map(|n| {
        let tail = words[words.len() - n..].join(" ");
        let tail = tail.trim_start_matches(['(', '[', ',', '-', '–', '—', '|', ':']);
        parse_text(tail).filter(|d| d.month > 0)
    })
}

/// Settles a document's date: metadata that names the publication date
/// stands; otherwise a dated line near the top of `text`, then a date
/// `title` ends with, win over a creation time.
pub fn settle(found: Option<PubDate>, title: Option<&str>, text: &str) -> Option<PubDate> {
    let dated = |day, source| PubDate { day, source };
    match found {
        Some(d) if d.source == DateSource::Metadata => Some(d),
        other => from_text(text)
            .map(|day| dated(day, DateSource::Text))
            .or_else(|| {
                title
                    .and_then(from_title)
                    .map(|day| dated(day, DateSource::Title))
            })
            .or(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_across_the_end_of_the_top_is_not_cut() {
        let mut text = "a".repeat(TOP_BYTES - 1);
        text.push('–');
        assert!(!text.is_char_boundary(TOP_BYTES));
        assert_eq!(from_text(&text), None);
    }

    fn d(y: u16, m: u8, day: u8) -> Day {
        Day::new(y, m, day).unwrap()
    }

    #[test]
    fn metadata_dates() {
        assert_eq!(parse_metadata("2024-05-12T09:00:00Z"), Some(d(2024, 5, 12)));
        assert_eq!(parse_metadata("2024-05"), Some(d(2024, 5, 0)));
        assert_eq!(parse_metadata("2024"), Some(d(2024, 0, 0)));
        assert_eq!(
            parse_metadata("D:20240512093000+01'00'"),
            Some(d(2024, 5, 12))
        );
        assert_eq!(parse_metadata("D:2019"), Some(d(2019, 0, 0)));
        assert_eq!(parse_metadata("20230301"), Some(d(2023, 3, 1)));
        assert_eq!(parse_metadata("2024/05/12"), Some(d(2024, 5, 12)));
        assert_eq!(parse_metadata("12/05/2024"), Some(d(2024, 5, 12)));
        assert_eq!(parse_metadata("12 May 2024"), Some(d(2024, 5, 12)));
        assert_eq!(parse_metadata("2024-02-30"), None);
        assert_eq!(parse_metadata("0000-00-00"), None);
        assert_eq!(parse_metadata("yesterday"), None);
    }

    #[test]
    fn written_dates() {
        assert_eq!(parse_text("12 May 2024"), Some(d(2024, 5, 12)));
        assert_eq!(parse_text("12th May 2024"), Some(d(2024, 5, 12)));
        assert_eq!(parse_text("May 12, 2024"), Some(d(2024, 5, 12)));
        assert_eq!(parse_text("March 2023"), Some(d(2023, 3, 0)));
        assert_eq!(parse_text("Sept 2023"), Some(d(2023, 9, 0)));
        assert_eq!(parse_text("12/05/2024"), Some(d(2024, 5, 12)));
        assert_eq!(parse_text("2024-05-12"), Some(d(2024, 5, 12)));
        assert_eq!(parse_text("May the force"), None);
        assert_eq!(parse_text("2024"), None, "a bare year in text is a number");
        assert_eq!(parse_text("31 June 2024"), None);
    }

    #[test]
    fn datelines_near_the_top() {
        let text = "Integrated care\n\nPublished: 20 May 2024\n\nLast updated 3 June 2025\n\nBody.";
        assert_eq!(from_text(text), Some(d(2024, 5, 20)));
        let text = "Board paper\nMarch 2023\nThe board agreed the plan in June 2021.";
        assert_eq!(from_text(text), Some(d(2023, 3, 0)));
        let text = "Guidance\nPage last reviewed: 12 January 2023\nText";
        assert_eq!(from_text(text), Some(d(2023, 1, 12)));
        let text = "The plan was agreed on 12 May 2024 after a long debate among members.";
        assert_eq!(
            from_text(text),
            None,
            "a date inside a sentence is not a dateline"
        );
        let text = "**Published 1 April 2022**\n\nText";
        assert_eq!(from_text(text), Some(d(2022, 4, 1)));
    }

    #[test]
    fn the_start_of_the_period_a_report_covers_is_no_dateline() {
        let cover = "**ANNUAL REPORT AND ACCOUNTS **\n\n**1 April 2024 **\n\n**to **\n\n\
                     **31 March 2025 **\n\n1\n\nLeeds Trust";
        assert_eq!(from_text(cover), None);
        let dashed = "Annual report\n1 April 2024\n– 31 March 2025\nPublished 20 July 2025";
        assert_eq!(from_text(dashed), Some(d(2025, 7, 20)));
        let listed = "Board paper\n12 May 2024\n- Item one\nBody";
        assert_eq!(from_text(listed), Some(d(2024, 5, 12)));
    }

    #[test]
    fn publication_notices_longer_than_a_dateline() {
        let lords = "HOUSE OF LORDS\nBehaviour Change\nReport\n \
                     Ordered to be printed 11 July 2011 and published 19 July 2011 \n\
                     Published by the Authority of the House of Lords";
        assert_eq!(from_text(lords), Some(d(2011, 7, 19)));
        let commons = "Health Committee\nSocial care\n\
                       Ordered by the House of Commons to be printed 10 January 2012\n\
                       Published on 19 January 2012 by authority of the House of Commons";
        assert_eq!(from_text(commons), Some(d(2012, 1, 19)));
        for not_a_notice in [
            "Published by the Authority of the House of Lords, London, The Stationery Office",
            "Published in 2019, the NHS Long Term Plan set out how the service would change",
            "Ordered to be printed in the usual way and laid before the House in due course",
            "The board noted that the report published 3 March 2020 had found several gaps in care",
        ] {
            assert_eq!(from_text(not_a_notice), None, "{not_a_notice}");
        }
    }

    #[test]
    fn keys_span_the_period() {
        assert_eq!(d(2024, 0, 0).first_key(), 20240101);
        assert_eq!(d(2024, 0, 0).last_key(), 20241231);
        assert_eq!(d(2024, 2, 0).last_key(), 20240229);
        assert_eq!(d(2023, 2, 0).last_key(), 20230228);
        assert_eq!(d(2024, 5, 12).first_key(), d(2024, 5, 12).last_key());
        for day in [d(2024, 0, 0), d(2024, 5, 0), d(2024, 5, 12)] {
            assert_eq!(Day::from_iso(&day.iso()), Some(day));
        }
        assert_eq!(d(2024, 5, 12).human(), "12 May 2024");
        assert_eq!(d(2024, 5, 0).human(), "May 2024");
    }

    #[test]
    fn metadata_beats_text_and_text_beats_creation_time() {
        let meta = PubDate {
            day: d(2020, 1, 1),
            source: DateSource::Metadata,
        };
        let created = PubDate {
            day: d(2020, 1, 1),
            source: DateSource::Created,
        };
        let text = "Title\nPublished 5 May 2021\n";
        let title = Some("Annual report, 16 October 2023");
        assert_eq!(settle(Some(meta), title, text), Some(meta));
        assert_eq!(
            settle(Some(created), title, text).unwrap().day,
            d(2021, 5, 5)
        );
        let undated = "No date here";
        let from_title = settle(Some(created), title, undated).unwrap();
        assert_eq!(from_title.day, d(2023, 10, 16));
        assert_eq!(from_title.source, DateSource::Title);
        assert_eq!(settle(Some(created), None, undated), Some(created));
        assert_eq!(
            settle(Some(created), Some("NHS Act 2006"), undated),
            Some(created)
        );
        assert_eq!(settle(None, None, undated), None);
    }

    proptest::proptest! {
        #![proptest_config(crate::extract::testing::proptest_config(2000))]

        /// Any title: no panic, and a date only with a month, which the
        /// title's last words give on their own.
        #[test]
        fn a_title_date_is_read_from_its_end(
            start in "\\PC{0,40}",
            end in proptest::sample::select(vec![
                "", " 16 October 2023", ", March 2024.", " (5 Sept 2024)", " 2023-10-16",
                " 2006", " of May", " [12/05/2024]", " May 12, 2022", " – 31 Feb 2023",
            ]),
        ) {
            let title = format!("{start}{end}");
            if let Some(day) = from_title(&title) {
                proptest::prop_assert!(day.month > 0, "{title}: {day:?}");
                let words: Vec<&str> = title.split_whitespace().collect();
                let tail = words[words.len().saturating_sub(3)..].join(" ");
                proptest::prop_assert_eq!(from_title(&tail), Some(day), "{}", title);
            }
        }
    }

    #[test]
    fn a_title_that_ends_with_a_date_dates_its_document() {
        for (title, day) in [
            (
                "WHO guidelines for malaria, 16 October 2023",
                d(2023, 10, 16),
            ),
            ("Board papers (March 2024)", d(2024, 3, 0)),
            ("Board papers – 5 Sept. 2024.", d(2024, 9, 5)),
            (
                "Minutes of the meeting held on May 12, 2022",
                d(2022, 5, 12),
            ),
            ("Winter plan 2023-10-16", d(2023, 10, 16)),
            ("Winter plan [12/05/2024]", d(2024, 5, 12)),
            ("June 2021", d(2021, 6, 0)),
        ] {
            assert_eq!(from_title(title), Some(day), "{title}");
        }
        for title in [
            "NHS Act 2006",
            "The NHS Long Term Plan",
            "Report of May",
            "Planning for 2024/25",
            "16 October",
            "",
            "  ",
            "2023 in review, part 2",
        ] {
            assert_eq!(from_title(title), None, "{title}");
        }
    }
}
