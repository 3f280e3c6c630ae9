//! Hits as entries for a reference manager (Zotero, pandoc): CSL-JSON, RIS
//! and BibTeX, one entry per hit, with its title, date, where to open it,
//! its page and the quote as a note.

use std::fmt::Write as _;

use serde::Serialize;

use crate::search::Location;

/// A reference-manager format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceFormat {
    /// CSL-JSON: an array of items (Zotero, pandoc `--citeproc`).
    CslJson,
    /// RIS tagged records.
    Ris,
    /// BibTeX `@misc` entries.
    Bibtex,
}

/// One entry: a passage's location and quote.
pub struct Reference<'a> {
    /// Where the passage is.
    pub location: &'a Location,
    /// The passage, verbatim.
    pub quote: &'a str,
}

/// The entries in `format`.
pub fn references(entries: &[Reference<'_>], format: ReferenceFormat) -> String {
    match format {
        ReferenceFormat::CslJson => csl_json(entries),
        ReferenceFormat::Ris => entries.iter().map(ris).collect(),
        ReferenceFormat::Bibtex => {
            let mut keys = Keys::default();
            entries
                .iter()
                .map(|e| bibtex(e, &keys.next(e.location)))
                .collect::<Vec<_>>()
                .join("\n")
        }
    }
}

/// What kind of work a file is, by its name: a PDF or Word file is a
/// report, a web page a web page, anything else a document.
fn kind(l: &Location) -> (&'static str, &'static str, &'static str) {
    let lower = l.path.to_ascii_lowercase();
    if lower.ends_with(".pdf") || lower.ends_with(".docx") {
        ("report", "RPRT", "techreport")
    } else if lower.ends_with(".html") || lower.ends_with(".htm") || lower.ends_with(".xhtml") {
        ("webpage", "ELEC", "misc")
    } else {
        ("document", "GEN", "misc")
    }
}

/// The `file://` URI that opens the passage (at its page, for a PDF).
fn uri(l: &Location) -> String {
    crate::search::OpenAt::of(l).uri
}

/// The page as the document prints it.
fn page(l: &Location) -> Option<String> {
    l.page_label
        .clone()
        .or_else(|| l.page.map(|p| p.to_string()))
}

/// The quote as a note, with where in the document it is when that is not
/// a page (its lines or heading).
fn note(e: &Reference<'_>) -> String {
    let mut note = format!("“{}”", e.quote.trim());
    if e.location.page.is_none() {
        if let Some(at) = super::place(e.location) {
            let _ = write!(note, " ({at})");
        }
    }
    note
}

#[derive(Serialize)]
struct CslItem<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    issued: Option<CslDate>,
    #[serde(rename = "URL")]
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<String>,
    source: &'a str,
    note: String,
}

#[derive(Serialize)]
struct CslDate {
    #[serde(rename = "date-parts")]
    parts: [Vec<u16>; 1],
}

fn csl_json(entries: &[Reference<'_>]) -> String {
    let items: Vec<CslItem<'_>> = entries
        .iter()
        .map(|e| {
            let l = e.location;
            let issued = l.date.map(|d| {
                let mut parts = vec![d.day.year];
                if d.day.month > 0 {
                    parts.push(u16::from(d.day.month));
                    if d.day.day > 0 {
                        parts.push(u16::from(d.day.day));
                    }
                }
                CslDate { parts: [parts] }
            });
            CslItem {
                id: &l.passage_id,
                kind: kind(l).0,
                title: &l.title,
                issued,
                url: uri(l),
                page: page(l),
                source: &l.path,
                note: note(e),
            }
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&items).expect("references serialize");
    s.push('\n');
    s
}

/// One RIS record. A value is one line: line breaks in it become spaces.
fn ris(e: &Reference<'_>) -> String {
    let l = e.location;
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::new();
    let _ = writeln!(out, "TY  - {}", kind(l).1);
    let _ = writeln!(out, "ID  - {}", one_line(&l.passage_id));
    let _ = writeln!(out, "TI  - {}", one_line(&l.title));
    if let Some(d) = l.date {
        let _ = writeln!(out, "PY  - {}", d.day.year);
        let part = |n: u8| {
            if n == 0 {
                String::new()
            } else {
                format!("{n:02}")
            }
        };
        let _ = writeln!(
            out,
            "DA  - {}/{}/{}/",
            d.day.year,
            part(d.day.month),
            part(d.day.day)
        );
    }
    if let Some(p) = page(l) {
        let _ = writeln!(out, "SP  - {}", one_line(&p));
    }
    let _ = writeln!(out, "UR  - {}", uri(l));
    let _ = writeln!(out, "N1  - {}", one_line(&note(e)));
    out.push_str("ER  - \n\n");
    out
}

/// Citation keys, unique within one output: the file's name and the
/// passage's number, in letters, digits and `-`.
#[derive(Default)]
struct Keys(std::collections::HashSet<String>);

impl Keys {
    fn next(&mut self, l: &Location) -> String {
        let name = l.path.rsplit(['/', '\\']).next().unwrap_or("passage");
        let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
        let mut key: String = stem
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        key = key.trim_matches('-').chars().take(40).collect();
        if key.is_empty() || !key.starts_with(|c: char| c.is_ascii_alphabetic()) {
            key.insert_str(0, "doc-");
        }
        let n = l.passage_id.rsplit('#').next().unwrap_or("0");
        let base = format!("{key}-{n}");
        let mut candidate = base.clone();
        let mut i = 2;
        while !self.0.insert(candidate.clone()) {
            candidate = format!("{base}-{i}");
            i += 1;
        }
        candidate
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// One BibTeX entry; values in braces, TeX's special characters escaped.
fn bibtex(e: &Reference<'_>, key: &str) -> String {
    let l = e.location;
    let mut fields: Vec<(&str, String)> = vec![("title", format!("{{{}}}", tex(&l.title)))];
    if let Some(d) = l.date {
        fields.push(("year", d.day.year.to_string()));
        if d.day.month > 0 {
            fields.push(("month", MONTHS[usize::from(d.day.month - 1)].to_string()));
        }
        fields.push(("date", format!("{{{}}}", d.day.iso())));
    }
    if let Some(p) = page(l) {
        fields.push(("pages", format!("{{{}}}", tex(&p))));
    }
    let url = uri(l);
    fields.push(("url", format!("{{{}}}", tex_url(&url))));
    fields.push(("howpublished", format!("{{\\url{{{}}}}}", tex_url(&url))));
    fields.push(("note", format!("{{{}}}", tex(&note(e)))));
    let mut out = format!("@{}{{{key},\n", kind(l).2);
    for (name, value) in fields {
        let _ = writeln!(out, "  {name} = {value},");
    }
    out.push_str("}\n");
    out
}

/// Text in a braced BibTeX value: TeX's special characters escaped, so
/// braces stay balanced and nothing is read as a command.
fn tex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.split_whitespace().collect::<Vec<_>>().join(" ").chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '%' | '&' | '#' | '$' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A URI in a braced value: already percent-encoded but for `#` and `%`,
/// which TeX would read.
fn tex_url(s: &str) -> String {
    s.replace('%', "\\%").replace('#', "\\#")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tex_escapes_keep_braces_balanced() {
        assert_eq!(tex("A&E {draft} 50% $x_1 \\ ~^"), "A\\&E \\{draft\\} 50\\% \\$x\\_1 \\textbackslash{} \\textasciitilde{}\\textasciicircum{}");
        let escaped = tex("}}}{{");
        let depth = escaped.replace("\\{", "").replace("\\}", "");
        assert!(!depth.contains('{') && !depth.contains('}'));
    }
}
