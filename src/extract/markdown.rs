//! Markdown: blocks from the CommonMark structure, quotes from the source.
//!
//! Blocks keep their source byte ranges, so a quote is the Markdown exactly as
//! written (`**bold**` and all); the words indexed for it have the markup
//! stripped ([`strip`]), so link targets and emphasis markers are not searchable.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::{title, Block, BlockKind, Extracted, Markup, Offsets};

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
}

/// Extracts Markdown; `offsets` says whether it is the file's own bytes.
pub fn extract(text: String, offsets: Offsets) -> Extracted {
    let (blocks, title) = parse(&text);
    Extracted::new(text, offsets, Markup::Markdown, blocks, title)
}

/// The blocks of a Markdown text, and its title (see [`title_of`]).
fn parse(text: &str) -> (Vec<Block>, Option<String>) {
    let mut blocks: Vec<Block> = Vec::new();
    let mut headings: Vec<Heading> = Vec::new();
    let mut open_items: Vec<usize> = Vec::new();
    let mut in_table_row = false;
    let mut metadata = false;
    let push = |blocks: &mut Vec<Block>, kind, range: std::ops::Range<usize>| {
        blocks.push(Block {
            kind,
            range,
            page: None,
        });
        blocks.len() - 1
    };
    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        crate::limits::check();
        match event {
            Event::Start(Tag::MetadataBlock(_)) => metadata = true,
            Event::End(TagEnd::MetadataBlock(_)) => metadata = false,
            _ if metadata => {}
            Event::Start(Tag::Heading { level, .. }) if open_items.is_empty() => {
                push(&mut blocks, BlockKind::Heading, range.clone());
                headings.push(Heading {
                    start: range.start,
                    top_level: level == pulldown_cmark::HeadingLevel::H1,
                    text: strip(&text[range]),
                });
            }
            Event::Start(Tag::Paragraph | Tag::CodeBlock(_) | Tag::HtmlBlock)
                if open_items.is_empty() && !in_table_row =>
            {
                push(&mut blocks, BlockKind::Paragraph, range);
            }
            Event::Start(Tag::List(_)) => {
                // A nested list ends its parent item's own text.
                if let Some(&parent) = open_items.last() {
                    let r = &mut blocks[parent].range;
                    r.end = r.end.min(range.start).max(r.start);
                }
            }
            Event::Start(Tag::Item) => {
                let i = push(&mut blocks, BlockKind::ListItem, range);
                open_items.push(i);
            }
            Event::End(TagEnd::Item) => {
                open_items.pop();
            }
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                in_table_row = true;
                push(&mut blocks, BlockKind::TableRow, range);
            }
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => in_table_row = false,
            _ => {}
        }
    }
    tidy(text, &mut blocks);
    let title = title_of(text, &blocks, &headings);
    (blocks, title)
}

/// A heading as written: where it starts, whether it is `#`, its words.
struct Heading {
    start: usize,
    top_level: bool,
    text: String,
}

/// The first plausible level-1 heading in the first half of the text (a
/// title comes before the body; a converter's "# Document Outline" or an
/// index sits at the end), else the first heading of any level that reads
/// as a title among the first blocks.
fn title_of(text: &str, blocks: &[Block], headings: &[Heading]) -> Option<String> {
    let top_level = headings
        .iter()
        .filter(|h| h.top_level && h.start <= text.len() / 2)
        .find_map(|h| title::plausible(&h.text));
    top_level.or_else(|| {
        let top_end = blocks
            .get(title::NEAR_TOP)
            .map_or(text.len(), |b| b.range.start);
        title::first_title_line(
            headings
                .iter()
                .take_while(|h| h.start < top_end)
                .map(|h| h.text.as_str()),
        )
    })
}

/// Trims the blocks' ranges, drops those with no words, and puts them in
/// the order of the text.
fn tidy(text: &str, blocks: &mut Vec<Block>) {
    for b in blocks.iter_mut() {
        b.range = trim_range(text, b.range.clone());
    }
    blocks.retain(|b| {
        !b.range.is_empty()
            && strip(&text[b.range.clone()])
                .chars()
                .any(char::is_alphanumeric)
    });
    blocks.sort_by_key(|b| b.range.start);
}

fn trim_range(text: &str, r: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let s = &text[r.clone()];
    let start = r.start + (s.len() - s.trim_start().len());
    let end = r.start + s.trim_end().len();
    start..end.max(start)
}

/// The words of a Markdown fragment without its markup: link text but not
/// targets, code spans' contents, no HTML tags or emphasis markers.
pub fn strip(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_),
            ) => out.push('\n'),
            Event::Html(h) | Event::InlineHtml(h) => {
                // Keep text between tags (`<b>x</b>` → "x"), drop the tags.
                let mut in_tag = false;
                for c in h.chars() {
                    match c {
                        '<' => in_tag = true,
                        '>' => {
                            in_tag = false;
                            out.push(' ');
                        }
                        _ if !in_tag => out.push(c),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_keep_source_ranges() {
        let md = "# Title here\n\nSome **bold** text with a [link](http://x.org).\n\n- item one\n- item two\n\n| a | b |\n|---|---|\n| c | d |\n";
        let e = extract(md.to_string(), Offsets::File);
        assert_eq!(e.title.as_deref(), Some("Title here"));
        let slices: Vec<&str> = e.blocks.iter().map(|b| &md[b.range.clone()]).collect();
        assert_eq!(
            slices,
            vec![
                "# Title here",
                "Some **bold** text with a [link](http://x.org).",
                "- item one",
                "- item two",
                "| a | b |",
                "| c | d |"
            ]
        );
        assert_eq!(e.blocks[2].kind, BlockKind::ListItem);
        assert_eq!(e.blocks[4].kind, BlockKind::TableRow);
    }

    #[test]
    fn strip_removes_markup() {
        let s = strip("Some **bold** text with a [link](http://x.org).");
        assert_eq!(s.trim(), "Some bold text with a link.");
    }

    #[test]
    fn nested_list_item_ends_at_sublist() {
        let md = "- outer item\n  - inner item\n";
        let e = extract(md.to_string(), Offsets::File);
        let slices: Vec<&str> = e.blocks.iter().map(|b| &md[b.range.clone()]).collect();
        assert_eq!(slices, vec!["- outer item", "- inner item"]);
    }
}
