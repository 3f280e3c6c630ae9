//! The tokenizer's sink: tags and text to blocks.

use std::cell::RefCell;
use std::collections::HashMap;

use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{Tag, TagKind, Token, TokenSink, TokenSinkResult};
use html5ever::{Attribute, LocalName};

use super::chrome::{chrome, content_marker, Chrome};
use super::elements::{
    closes_p, heading_level, is_block, is_void, BUTTON_SCOPE, DEFAULT_SCOPE, DL_SCOPE, LIST_SCOPE,
    ROW_SCOPE, TABLE_SCOPE,
};
use super::piece::Piece;
use super::title::page_title;
use super::{Page, MIN_MAIN_WORDS};
use crate::extract::blocks::{self, collapse_whitespace, Row};
use crate::extract::BlockKind;

/// Open elements tracked beyond this depth are only counted, not kept.
const MAX_DEPTH: usize = 2048;
/// How far down the open-element stack an end tag or implied end looks for
/// its element; bounds the work per tag on garbage nesting.
const SEARCH_LIMIT: usize = 256;
/// A table row buffering more blocks than this is layout, not data.
const MAX_ROW_BLOCKS: usize = 64;
/// Rows with multi-paragraph cells over this many words are layout.
const LAYOUT_ROW_WORDS: usize = 150;

/// Receives the tokenizer's tokens; the tokenizer only lends `&self`.
pub(super) struct Sink(pub(super) RefCell<Walker>);

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        crate::limits::check();
        let mut walker = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) => match tag.kind {
                TagKind::StartTag => walker.start(&tag),
                TagKind::EndTag => {
                    walker.end(&tag.name);
                    TokenSinkResult::Continue
                }
            },
            Token::CharacterTokens(text) => {
                walker.text(&text);
                TokenSinkResult::Continue
            }
            Token::CommentToken(comment) => {
                match content_marker(&comment) {
                    Some(begins) if walker.raw.is_none() => walker.comment_main = begins,
                    _ => {}
                }
                TokenSinkResult::Continue
            }
            _ => TokenSinkResult::Continue,
        }
    }
}

/// What an open element contributes to the text inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Paragraph,
    Item,
    Heading(u8),
}

/// Flags of an open element; counted in [`Walker`] while it is open.
#[derive(Debug, Clone, Copy, Default)]
struct Flags {
    /// Chrome or non-text: nothing inside is kept.
    skip: bool,
    /// Chrome by a class or id word only.
    class_skip: bool,
    /// `<main>`, `<article>` or `role="main"`.
    main: bool,
    /// Sectioning content: `header`/`footer` inside it belong to the content.
    scope: bool,
    pre: bool,
    link: bool,
    svg: bool,
    /// A table row, with a [`Row`] on [`Walker::rows`].
    row: bool,
}

#[derive(Debug)]
struct Open {
    name: LocalName,
    ctx: Ctx,
    flags: Flags,
}

/// The block being filled.
#[derive(Debug)]
struct Current {
    text: String,
    ctx: Ctx,
    main: bool,
    chars: usize,
    link_chars: usize,
    /// Whitespace was seen since the last character.
    space: bool,
    /// The text ends with a `<br>` newline.
    after_br: bool,
    /// An element started or ended since the last character.
    tag_since: bool,
    /// Where the text's last line (after a `<br>`) starts, and its counts.
    line_start: usize,
    line_chars: usize,
    line_link_chars: usize,
}

impl Default for Current {
    fn default() -> Self {
        Current {
            text: String::new(),
            ctx: Ctx::Paragraph,
            main: false,
            chars: 0,
            link_chars: 0,
            space: false,
            after_br: false,
            tag_since: false,
            line_start: 0,
            line_chars: 0,
            line_link_chars: 0,
        }
    }
}

/// Inside an element whose content the tokenizer reads as raw text.
#[derive(Debug)]
enum Raw {
    Title,
    Skip,
}

/// The tokenizer-driven state machine that turns tags and text into blocks.
#[derive(Debug, Default)]
pub(super) struct Walker {
    stack: Vec<Open>,
    /// How many elements of each name are on `stack`, so end tags of
    /// elements that are not open cost nothing.
    open_names: HashMap<LocalName, u32>,
    /// Structural elements opened beyond [`MAX_DEPTH`], not on the stack.
    overflow: usize,
    /// Whether class and id words mark chrome.
    class_rules: bool,
    /// In a stream: the most bytes a block, a table row held back or the
    /// title may hold. Longer ones are cut (a block at a space), so a page
    /// that is one endless paragraph still reads in bounded memory.
    max_block: Option<usize>,
    /// Characters hidden by class or id words.
    pub(super) class_skipped_chars: usize,
    skip: u32,
    class_skip: u32,
    main: u32,
    /// Between `<!-- content area -->` and `<!-- end content area -->`.
    comment_main: bool,
    scope: u32,
    pre: u32,
    link: u32,
    svg: u32,
    raw: Option<Raw>,
    pub(super) title: Option<String>,
    /// The best publication date the page's `<meta>` tags give: its rank
    /// (lower is better, see [`meta_date_rank`]) and the date.
    meta_date: Option<(u8, crate::extract::date::Day)>,
    title_text: String,
    current: Current,
    rows: Vec<Row<Piece>>,
    pub(super) pieces: Vec<Piece>,
}

impl Walker {
    /// A walker that reads class and id words as chrome or not, and in a
    /// stream cuts blocks at `max_block` bytes.
    pub(super) fn new(class_rules: bool, max_block: Option<usize>) -> Self {
        Walker {
            class_rules,
            max_block,
            ..Walker::default()
        }
    }

    /// A start tag: the elements it ends close, and it opens if it matters
    /// for structure (blocks, links, chrome, main content).
    fn start(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        if let Some(result) = self.start_untracked(tag) {
            return result;
        }
        let name: &str = &tag.name;
        self.mark_element_boundary(name);
        self.close_implied_by(name);
        let block = is_block(name);
        if block {
            self.flush();
            // A nested table or a heading in a cell: the row is layout.
            if name == "table" || heading_level(name).is_some() {
                self.make_row_layout();
            }
        }
        let flags = self.flags(tag);
        let tracked = block || flags.skip || flags.main || name == "a" || flags.svg;
        if !tracked || matches!(name, "html" | "body") {
            return TokenSinkResult::Continue;
        }
        // Foreign (SVG) elements may be self-closing; HTML ones never are.
        if tag.self_closing && (self.svg > 0 || !block) {
            return TokenSinkResult::Continue;
        }
        if self.stack.len() >= MAX_DEPTH {
            self.overflow += 1;
            return TokenSinkResult::Continue;
        }
        let ctx = self.ctx_for(name, block);
        self.push(Open {
            name: tag.name.clone(),
            ctx,
            flags,
        });
        if name == "td" || name == "th" {
            if let Some(row) = self.rows.last_mut() {
                row.next_cell();
            }
        }
        TokenSinkResult::Continue
    }

    /// Start tags that open nothing to track: `<br>`, `<hr>`, elements whose
    /// content the tokenizer reads raw, `<plaintext>` and void elements.
    /// `None` for the others.
    fn start_untracked(&mut self, tag: &Tag) -> Option<TokenSinkResult<()>> {
        let name: &str = &tag.name;
        match name {
            "br" => {
                if self.skip == 0 {
                    self.line_break();
                }
            }
            "hr" => {
                self.close_implied(&["p"], BUTTON_SCOPE);
                self.flush();
            }
            "script" | "style" | "noscript" | "xmp" | "iframe" | "noembed" | "noframes"
            | "textarea" | "title" => {
                // In SVG, `<script/>` and `<title/>` really are empty.
                if tag.self_closing && self.svg > 0 {
                    return Some(TokenSinkResult::Continue);
                }
                let kind = match name {
                    "script" => RawKind::ScriptData,
                    "textarea" | "title" => RawKind::Rcdata,
                    _ => RawKind::Rawtext,
                };
                let page_title = name == "title" && self.svg == 0 && self.title.is_none();
                if page_title {
                    self.title_text.clear();
                }
                self.raw = Some(if page_title { Raw::Title } else { Raw::Skip });
                return Some(TokenSinkResult::RawData(kind));
            }
            "plaintext" => {
                // Everything after it is text; it never ends.
                self.flush();
                self.pre += 1;
                return Some(TokenSinkResult::Plaintext);
            }
            "meta" => self.meta(tag),
            _ if is_void(name) => {}
            _ => return None,
        }
        Some(TokenSinkResult::Continue)
    }

    /// Closes the open elements a start tag ends, as browsers do: an open
    /// `<p>` before a block, a list item before the next, and so on.
    fn close_implied_by(&mut self, name: &str) {
        if closes_p(name) {
            self.close_implied(&["p"], BUTTON_SCOPE);
        }
        match name {
            "li" => self.close_implied(&["li"], LIST_SCOPE),
            "dt" | "dd" => self.close_implied(&["dt", "dd"], DL_SCOPE),
            "tr" => self.close_implied(&["tr"], TABLE_SCOPE),
            "td" | "th" => self.close_implied(&["td", "th"], ROW_SCOPE),
            "thead" | "tbody" | "tfoot" => {
                self.close_implied(&["thead", "tbody", "tfoot"], TABLE_SCOPE)
            }
            // A link inside a link ends the outer one, but never the blocks
            // opened inside it (`<a name=top><div>…<a href>`).
            "a" => {
                if let Some(depth) = self.find_open_inline("a") {
                    for _ in 0..depth {
                        self.pop();
                    }
                }
            }
            // A heading inside a heading ends the first.
            _ if heading_level(name).is_some()
                && self
                    .stack
                    .last()
                    .is_some_and(|o| heading_level(&o.name).is_some()) =>
            {
                self.pop();
            }
            _ => {}
        }
    }

    /// What an element about to open is: chrome, main content, a link, ….
    fn flags(&self, tag: &Tag) -> Flags {
        let name: &str = &tag.name;
        let in_scope = self.scope > 0 || self.main > 0;
        let role = attr(&tag.attrs, "role").map(|r| r.trim().to_ascii_lowercase());
        let chrome = if self.skip > 0 {
            Chrome::No
        } else {
            // A form around the whole page (ASP.NET) is not a page's form.
            let top_level = self.stack.is_empty();
            chrome(
                name,
                &tag.attrs,
                role.as_deref(),
                in_scope,
                top_level,
                self.class_rules,
            )
        };
        Flags {
            skip: chrome != Chrome::No,
            class_skip: chrome == Chrome::ByClass,
            main: matches!(name, "main" | "article") || role.as_deref() == Some("main"),
            scope: matches!(name, "article" | "section" | "aside" | "main"),
            pre: matches!(name, "pre" | "listing"),
            // `<a name=…>` anchors wrap content; only `href` makes a link.
            link: name == "a" && attr(&tag.attrs, "href").is_some(),
            svg: name == "svg",
            row: name == "tr",
        }
    }

    /// An end tag: closes its element, if open within reach, with all
    /// opened inside it.
    fn end(&mut self, name: &LocalName) {
        if let Some(raw) = self.raw.take() {
            if let Raw::Title = raw {
                let title = collapse_whitespace(&self.title_text);
                if !title.is_empty() {
                    self.title = Some(title);
                }
            }
            return;
        }
        let n: &str = name;
        self.mark_element_boundary(n);
        if n == "br" {
            // `</br>` is a `<br>` to browsers.
            if self.skip == 0 {
                self.line_break();
            }
            return;
        }
        let block = is_block(n);
        if block {
            self.flush();
        }
        if self.overflow > 0 && (block || n == "a" || n == "svg") {
            self.overflow -= 1;
            return;
        }
        if self.open_names.get(name).copied().unwrap_or(0) == 0 {
            return;
        }
        let scope = match n {
            "td" | "th" | "tr" | "tbody" | "thead" | "tfoot" | "caption" => TABLE_SCOPE,
            "table" => &[][..],
            _ => DEFAULT_SCOPE,
        };
        if let Some(depth) = self.find_open(&[n], scope) {
            for _ in 0..depth {
                self.pop();
            }
        }
    }

    /// Closes the nearest open element named in `names`, with everything
    /// above it, unless an element of `scope` comes first.
    fn close_implied(&mut self, names: &[&str], scope: &[&str]) {
        if names.iter().all(|n| {
            self.open_names
                .get(&LocalName::from(*n))
                .copied()
                .unwrap_or(0)
                == 0
        }) {
            return;
        }
        if let Some(depth) = self.find_open(names, scope) {
            for _ in 0..depth {
                self.pop();
            }
        }
    }

    /// How many elements to pop to close the nearest element named in
    /// `names`, searching at most [`SEARCH_LIMIT`] elements down.
    fn find_open(&self, names: &[&str], scope: &[&str]) -> Option<usize> {
        for (i, open) in self.stack.iter().rev().take(SEARCH_LIMIT).enumerate() {
            let n: &str = &open.name;
            if names.contains(&n) {
                return Some(i + 1);
            }
            if scope.contains(&n) {
                return None;
            }
        }
        None
    }

    /// Like [`Walker::find_open`] for an inline element: blocks bound the search.
    fn find_open_inline(&self, name: &str) -> Option<usize> {
        for (i, open) in self.stack.iter().rev().take(SEARCH_LIMIT).enumerate() {
            if &*open.name == name {
                return Some(i + 1);
            }
            if is_block(&open.name) {
                return None;
            }
        }
        None
    }

    fn ctx_for(&self, name: &str, block: bool) -> Ctx {
        if let Some(level) = heading_level(name) {
            return Ctx::Heading(level);
        }
        if name == "li" {
            return Ctx::Item;
        }
        match self.stack.last() {
            Some(parent) => match parent.ctx {
                Ctx::Heading(l) => Ctx::Heading(l),
                // `<li><p>text</p></li>`: the paragraph is the item's text.
                Ctx::Item if !block || &*parent.name == "li" => Ctx::Item,
                Ctx::Item | Ctx::Paragraph => Ctx::Paragraph,
            },
            None => Ctx::Paragraph,
        }
    }

    fn push(&mut self, open: Open) {
        let f = open.flags;
        self.skip += u32::from(f.skip);
        self.class_skip += u32::from(f.class_skip);
        self.main += u32::from(f.main);
        self.scope += u32::from(f.scope);
        self.pre += u32::from(f.pre);
        self.link += u32::from(f.link);
        self.svg += u32::from(f.svg);
        if f.row {
            self.rows.push(Row::default());
        }
        *self.open_names.entry(open.name.clone()).or_insert(0) += 1;
        self.stack.push(open);
    }

    fn pop(&mut self) {
        let Some(open) = self.stack.pop() else {
            return;
        };
        if is_block(&open.name) {
            self.flush();
        }
        let f = open.flags;
        self.skip -= u32::from(f.skip);
        self.class_skip -= u32::from(f.class_skip);
        self.main -= u32::from(f.main);
        self.scope -= u32::from(f.scope);
        self.pre -= u32::from(f.pre);
        self.link -= u32::from(f.link);
        self.svg -= u32::from(f.svg);
        if let Some(count) = self.open_names.get_mut(&open.name) {
            *count -= 1;
        }
        if f.row {
            self.finish_row();
        }
    }

    /// Text: into the block being filled or the title, or skipped.
    fn text(&mut self, text: &str) {
        match self.raw {
            Some(Raw::Title) => return self.push_title(text),
            Some(Raw::Skip) => return,
            None if self.skip > 0 => {
                if self.class_skip > 0 {
                    self.class_skipped_chars += text.chars().filter(|c| !c.is_whitespace()).count();
                }
                return;
            }
            None => {}
        }
        let pre = self.pre > 0;
        for c in text.chars() {
            if let Some(max) = self.max_block {
                let len = self.current.text.len();
                if len >= max && (c.is_whitespace() || len / 2 >= max) {
                    self.flush();
                }
            }
            if matches!(c, '\u{ad}' | '\u{200b}' | '\u{feff}') {
                continue; // invisible: soft hyphen, zero-width space, BOM
            }
            if pre && (c == '\n' || c == '\t') {
                if !self.current.text.is_empty() {
                    self.current.text.push(c);
                }
                continue;
            }
            if c.is_whitespace() {
                if pre && !self.current.text.is_empty() {
                    self.current.text.push(' ');
                } else {
                    self.current.space = true;
                }
                continue;
            }
            if !c.is_control() {
                self.push_char(c);
            }
        }
    }

    /// The page title's text, up to the block size in a stream.
    fn push_title(&mut self, text: &str) {
        let room = self
            .max_block
            .map_or(text.len(), |max| max.saturating_sub(self.title_text.len()));
        let mut end = room.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        self.title_text.push_str(&text[..end]);
    }

    /// Adds a visible character to the block being filled, after the space
    /// that came before it; the first one sets what the block is.
    fn push_char(&mut self, c: char) {
        let cur = &mut self.current;
        if cur.text.is_empty() {
            cur.ctx = self.stack.last().map_or(Ctx::Paragraph, |o| o.ctx);
            cur.main = self.main > 0 || self.comment_main;
        } else if cur.space && !cur.after_br {
            cur.text.push(' ');
        } else if cur.tag_since
            && c.is_alphabetic()
            && cur.text.ends_with(|p: char| p.is_ascii_digit())
        {
            // Elements laid out apart with no space between them in the
            // source (`<span>1990</span><span>June</span>`): a number and
            // a word are two words, not one.
            cur.text.push(' ');
        }
        cur.space = false;
        cur.tag_since = false;
        cur.after_br = false;
        cur.text.push(c);
        cur.chars += 1;
        cur.line_chars += 1;
        if self.link > 0 {
            cur.link_chars += 1;
            cur.line_link_chars += 1;
        }
    }

    /// Notes that an element starts or ends between two characters. Sub-
    /// and superscripts belong to the word they follow (`CO<sub>2</sub>`,
    /// `1<sup>st</sup>`), so they are no boundary.
    fn mark_element_boundary(&mut self, name: &str) {
        if !matches!(name, "sub" | "sup") {
            self.current.tag_since = true;
        }
    }

    /// `<br>`: a newline in the block; a second one in a row ends the block,
    /// as old pages separate paragraphs with `<br><br>`, and so does a line
    /// that is all link ("Return to top"), so the link filter can drop it.
    fn line_break(&mut self) {
        let cur = &mut self.current;
        if cur.text.is_empty() {
            return;
        }
        let link_line = cur.line_chars > 0 && cur.line_link_chars == cur.line_chars;
        if (cur.after_br || link_line) && self.pre == 0 {
            self.flush();
            return;
        }
        cur.text.push('\n');
        cur.after_br = true;
        cur.space = false;
        cur.line_start = cur.text.len();
        cur.line_chars = 0;
        cur.line_link_chars = 0;
    }

    /// Ends the current block. A last line that is all link becomes a block
    /// of its own.
    fn flush(&mut self) {
        let cur = &mut self.current;
        if cur.line_start > 0 && cur.line_chars > 0 && cur.line_link_chars == cur.line_chars {
            let line = Current {
                text: cur.text.split_off(cur.line_start),
                chars: cur.line_chars,
                link_chars: cur.line_link_chars,
                ..Current::default()
            };
            cur.chars -= line.chars;
            cur.link_chars -= line.link_chars;
            let (ctx, main) = (cur.ctx, cur.main);
            self.flush_current();
            self.current = Current { ctx, main, ..line };
        }
        self.flush_current();
    }

    fn flush_current(&mut self) {
        let cur = std::mem::take(&mut self.current);
        let text = cur.text.trim();
        if !text.chars().any(char::is_alphanumeric) {
            return;
        }
        let text = if text.len() == cur.text.len() {
            cur.text
        } else {
            text.to_owned()
        };
        let (kind, level) = match cur.ctx {
            Ctx::Paragraph => (BlockKind::Paragraph, 0),
            Ctx::Item => (BlockKind::ListItem, 0),
            Ctx::Heading(l) => (BlockKind::Heading, l),
        };
        self.emit(Piece {
            kind,
            level,
            text,
            main: cur.main,
            chars: cur.chars,
            link_chars: cur.link_chars,
        });
    }

    /// Sends a block to the innermost open row, or out.
    fn emit(&mut self, piece: Piece) {
        let max_bytes = self.max_block.unwrap_or(usize::MAX);
        let piece = match self.rows.last_mut() {
            Some(row) => match row.hold(piece) {
                Some(piece) => piece,
                None => {
                    let (blocks, bytes) = row.held();
                    if blocks > MAX_ROW_BLOCKS || bytes > max_bytes {
                        self.make_row_layout();
                    }
                    return;
                }
            },
            None => piece,
        };
        self.pieces.push(piece);
    }

    /// Releases the innermost row's blocks as they are; later ones follow.
    /// Rows around it are layout already: they hold the table it is in.
    fn make_row_layout(&mut self) {
        if let Some(row) = self.rows.last_mut() {
            let held = row.make_layout();
            self.pieces.extend(held);
        }
    }

    /// A row of long multi-paragraph cells is prose laid out in a table,
    /// not data.
    fn finish_row(&mut self) {
        self.flush();
        let Some(row) = self.rows.pop() else {
            return;
        };
        let cells = row.into_cells();
        let words: usize = cells.iter().flatten().map(Piece::words).sum();
        let prose = words > LAYOUT_ROW_WORDS && cells.iter().any(|p| p.len() > 1);
        for piece in blocks::row_blocks(cells, prose) {
            self.emit(piece);
        }
    }

    /// A `<meta>` naming a date: kept if it ranks above what was found.
    fn meta(&mut self, tag: &Tag) {
        let name = ["name", "property", "itemprop"]
            .iter()
            .find_map(|a| attr(&tag.attrs, a));
        let (Some(name), Some(content)) = (name, attr(&tag.attrs, "content")) else {
            return;
        };
        let Some(rank) = meta_date_rank(&name.to_ascii_lowercase()) else {
            return;
        };
        if self.meta_date.is_some_and(|(r, _)| r <= rank) {
            return;
        }
        if let Some(day) = crate::extract::date::parse_metadata(content) {
            self.meta_date = Some((rank, day));
        }
    }

    /// Closes everything still open: the last blocks come out.
    pub(super) fn close(&mut self) {
        while !self.stack.is_empty() {
            self.pop();
        }
        self.flush();
    }

    /// Closes everything still open and applies the page-level filters.
    pub(super) fn finish(mut self) -> Page {
        self.close();
        let mut pieces = self.pieces;
        let first_h1 = pieces.iter().find(|p| p.level == 1).map(|p| p.text.clone());
        let title = page_title(self.title, first_h1);
        let main_words: usize = pieces.iter().filter(|p| p.main).map(Piece::words).sum();
        if main_words >= MIN_MAIN_WORDS {
            pieces.retain(|p| p.main);
        }
        pieces.retain(|p| !p.is_link_menu());
        let date = self
            .meta_date
            .map(|(rank, day)| crate::extract::date::PubDate {
                day,
                source: if rank < MODIFIED_RANK {
                    crate::extract::date::DateSource::Metadata
                } else {
                    crate::extract::date::DateSource::Created
                },
            });
        Page {
            date,
            kept_words: pieces.iter().map(Piece::words).sum(),
            kept_chars: pieces.iter().map(|p| p.chars).sum(),
            class_skipped_chars: self.class_skipped_chars,
            pieces,
            title,
        }
    }
}

/// Rank of a date-bearing `<meta>` name: publication dates first, then
/// generic dates, then modification times ([`MODIFIED_RANK`] and after,
/// which are not publication dates); `None` for other names.
fn meta_date_rank(name: &str) -> Option<u8> {
    Some(match name {
        "citation_publication_date"
        | "citation_date"
        | "article:published_time"
        | "datepublished"
        | "dc.date.issued"
        | "dcterms.issued"
        | "publication_date"
        | "og:published_time"
        | "pubdate" => 0,
        "dc.date" | "dcterms.date" | "date" | "dc.date.created" | "dcterms.created" => 1,
        "article:modified_time"
        | "datemodified"
        | "dcterms.modified"
        | "dc.date.modified"
        | "last-modified"
        | "og:updated_time" => MODIFIED_RANK,
        _ => return None,
    })
}

/// Rank from which a `<meta>` date is a modification time.
const MODIFIED_RANK: u8 = 2;

fn attr<'a>(attrs: &'a [Attribute], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|a| &*a.name.local == name)
        .map(|a| &*a.value)
}
