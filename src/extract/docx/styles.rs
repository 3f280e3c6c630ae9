//! Paragraph styles: which make headings, titles, list items or contents
//! entries.

use std::collections::HashMap;

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::extract::xml_text::attr;

/// Style inheritance (`basedOn`) is followed at most this far.
const MAX_STYLE_CHAIN: usize = 16;

/// What a paragraph style makes of its paragraphs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct StyleRole {
    pub(super) heading: bool,
    /// The document's title style.
    pub(super) title: bool,
    pub(super) list: bool,
    /// A table-of-contents entry: a copy of a heading with a page number.
    pub(super) toc: bool,
}

/// Paragraph styles by `styleId`, resolved through `basedOn`.
#[derive(Debug, Default)]
pub(super) struct Styles {
    roles: HashMap<String, StyleRole>,
}

impl Styles {
    /// A style's role; a style missing from `styles.xml` is judged by its id.
    pub(super) fn role(&self, id: &str) -> StyleRole {
        self.roles
            .get(id)
            .copied()
            .unwrap_or_else(|| role_from_name(&id.to_ascii_lowercase()).unwrap_or_default())
    }
}

/// A role from a built-in style name (`heading 2`, `Title`, `List Bullet`,
/// `toc 1`). Word writes these names in English whatever the UI language.
fn role_from_name(name: &str) -> Option<StyleRole> {
    let compact: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    let numbered = |prefix: &str| {
        compact
            .strip_prefix(prefix)
            .is_some_and(|n| n.len() == 1 && n.bytes().all(|b| b.is_ascii_digit()))
    };
    if numbered("heading") {
        Some(StyleRole {
            heading: true,
            ..StyleRole::default()
        })
    } else if compact == "title" {
        Some(StyleRole {
            heading: true,
            title: true,
            ..StyleRole::default()
        })
    } else if numbered("toc") || compact == "tocheading" {
        Some(StyleRole {
            toc: true,
            ..StyleRole::default()
        })
    } else if compact.starts_with("list") {
        Some(StyleRole {
            list: true,
            ..StyleRole::default()
        })
    } else {
        None
    }
}

/// One `<w:style>` as written.
#[derive(Debug, Default)]
struct RawStyle {
    name: Option<String>,
    based_on: Option<String>,
    outline: Option<u8>,
    numbered: Option<bool>,
}

pub(super) fn parse_styles(xml: &[u8]) -> Styles {
    let mut raw: HashMap<String, RawStyle> = HashMap::new();
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut current: Option<(String, RawStyle)> = None;
    loop {
        let event = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(e) => e,
        };
        match event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "style" => {
                    let paragraph = attr(&e, "type").is_none_or(|t| t == "paragraph");
                    current = attr(&e, "styleId")
                        .filter(|_| paragraph)
                        .map(|id| (id, RawStyle::default()));
                }
                "name" => {
                    if let Some((_, s)) = current.as_mut() {
                        s.name = attr(&e, "val").map(|v| v.to_ascii_lowercase());
                    }
                }
                "basedOn" => {
                    if let Some((_, s)) = current.as_mut() {
                        s.based_on = attr(&e, "val");
                    }
                }
                "outlineLvl" => {
                    if let Some((_, s)) = current.as_mut() {
                        s.outline = attr(&e, "val").and_then(|v| v.parse().ok());
                    }
                }
                "numId" => {
                    if let Some((_, s)) = current.as_mut() {
                        s.numbered = Some(attr(&e, "val").is_none_or(|v| v != "0"));
                    }
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "style" => {
                if let Some((id, s)) = current.take() {
                    raw.insert(id, s);
                }
            }
            _ => {}
        }
        buf.clear();
    }
    let roles = raw
        .keys()
        .map(|id| (id.clone(), resolve_style(&raw, id)))
        .collect();
    Styles { roles }
}

/// A style's role: from the first style up its `basedOn` chain with a
/// built-in name, and its outline level or numbering as the nearest style
/// that sets one says.
fn resolve_style(raw: &HashMap<String, RawStyle>, id: &str) -> StyleRole {
    let mut role = None;
    let mut outline = None;
    let mut numbered = None;
    let mut next = Some(id);
    for _ in 0..MAX_STYLE_CHAIN {
        let Some(style) = next.and_then(|id| raw.get(id)) else {
            break;
        };
        if role.is_none() {
            role = style.name.as_deref().and_then(role_from_name);
        }
        outline = outline.or(style.outline);
        numbered = numbered.or(style.numbered);
        next = style.based_on.as_deref();
    }
    let mut role = role.unwrap_or_default();
    if !role.toc {
        role.heading |= outline.is_some_and(|l| l < 9);
        role.list |= numbered == Some(true);
    }
    role
}
