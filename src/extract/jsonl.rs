//! JSON Lines: one document per line, `{"_id", "title", "text"}` — the BEIR
//! layout, and the shape of most database and scraper exports.
//!
//! Each record becomes its own document: `doc_id` is its `_id`, its title is
//! its `title`, and its passages cite the line of the file it is on.

use std::io::BufRead;

use serde::Deserialize;

use super::{text, Extracted, Markup, Offsets};

/// One record of a JSON Lines file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The record's `_id` (or `id`).
    pub id: String,
    /// Its title, possibly empty.
    pub title: String,
    /// Its text.
    pub text: String,
    /// 1-based line of the file it is on.
    pub line: u32,
}

#[derive(Deserialize)]
struct Raw {
    #[serde(rename = "_id", alias = "id", alias = "doc_id")]
    id: serde_json::Value,
    #[serde(default)]
    title: Option<String>,
    #[serde(default, alias = "body", alias = "contents", alias = "abstract")]
    text: Option<String>,
}

/// Reads records from `reader`, calling `each` for every good record and
/// counting the lines that are not records. Stops early if `each` returns false.
pub fn read(
    reader: impl BufRead,
    mut each: impl FnMut(Record) -> bool,
) -> std::io::Result<ReadStats> {
    let mut stats = ReadStats::default();
    for (i, line) in reader.split(b'\n').enumerate() {
        let line = line?;
        let line_no = i as u32 + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let parsed = serde_json::from_slice::<Raw>(&line).ok().and_then(|raw| {
            let id = match raw.id {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                _ => return None,
            };
            let title = raw.title.unwrap_or_default().trim().to_string();
            let text = raw.text.unwrap_or_default();
            let empty = text.trim().is_empty() && title.is_empty();
            (!id.is_empty() && !empty).then_some(Record {
                id,
                title,
                text,
                line: line_no,
            })
        });
        match parsed {
            Some(record) => {
                stats.records += 1;
                if !each(record) {
                    break;
                }
            }
            None => {
                stats.bad_lines += 1;
                stats.first_bad.get_or_insert(line_no);
            }
        }
    }
    Ok(stats)
}

/// What [`read`] saw.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReadStats {
    /// Good records.
    pub records: u64,
    /// Lines that are not records.
    pub bad_lines: u64,
    /// The first of them.
    pub first_bad: Option<u32>,
}

/// A record as a document: its text (or, if it has none, its title) in blocks.
pub fn extract(record: &Record) -> Extracted {
    let body = if record.text.trim().is_empty() {
        record.title.clone()
    } else {
        record.text.clone()
    };
    let blocks = text::blocks(&body, 0..body.len(), None);
    let title = (!record.title.is_empty()).then(|| record.title.clone());
    Extracted::new(body, Offsets::Extracted, Markup::None, blocks, title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_beir_records_and_counts_bad_lines() {
        let input = "{\"_id\": \"4983\", \"title\": \"White matter\", \"text\": \"Alterations of the architecture.\"}\n\
                     not json\n\
                     {\"_id\": 7, \"text\": \"Numeric id.\"}\n\
                     \n\
                     {\"_id\": \"8\", \"title\": \"\", \"text\": \"\"}\n";
        let mut got = Vec::new();
        let stats = read(input.as_bytes(), |r| {
            got.push(r);
            true
        })
        .unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].id, "4983");
        assert_eq!(got[0].title, "White matter");
        assert_eq!(got[1].id, "7");
        assert_eq!(got[1].line, 3);
        assert_eq!(stats.bad_lines, 2);
        assert_eq!(stats.first_bad, Some(2));
    }

    #[test]
    fn a_record_without_text_is_its_title() {
        let r = Record {
            id: "1".into(),
            title: "Only a title".into(),
            text: String::new(),
            line: 1,
        };
        let e = extract(&r);
        assert_eq!(e.text, "Only a title");
        assert_eq!(e.blocks.len(), 1);
    }
}
