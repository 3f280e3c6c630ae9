//! HTML: the main text of a page, as blocks, without the page chrome.
//!
//! The page is read with html5ever's streaming tokenizer, not a tree builder:
//! a tree builder's algorithms (adoption agency, scope checks) and any
//! recursive walk over the tree cost time or stack in proportion to the
//! nesting depth, and hostile pages nest 100,000 levels deep. Instead the
//! walker (`walker.rs`) keeps an explicit stack of the open elements that
//! matter for structure (block elements, links, skipped chrome), with a depth
//! cap and a bounded search for end tags, so the whole pass is linear in the
//! input.
//!
//! What is dropped: script, style and other non-text elements; page chrome
//! found by element name (`nav`, page-level `header`/`footer`/`aside`,
//! `form`, …), by ARIA role, or by class/id words (cookie, consent, nav,
//! menu, breadcrumb, share, …); and short blocks that are mostly link text
//! (menus, "Return to top"). When the page marks its main content (`<main>`,
//! `<article>`, `role="main"`, or template comments such as `<!-- content
//! area -->` … `<!-- end content area -->`) and that holds real text, only
//! it is kept.
//!
//! Tables are the hard part of old pages, which lay out the whole page in
//! them: a row is one `TableRow` block (cells joined by `" | "`) only while it
//! looks like data; a row holding a nested table or a heading, a single
//! filled cell, or long multi-paragraph cells is layout, and its content
//! comes out as ordinary blocks.
//!
//! Indexing reads pages over 32 MB with [`PageStream`] instead of
//! [`extract`]: in passes over the file, so memory stays bounded, with the
//! same text and blocks, handed out in chunks.

mod charset;
mod chrome;
mod elements;
mod piece;
mod stream;
mod title;
mod walker;

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, Tokenizer, TokenizerOpts};

use super::{blocks, ExtractError, Extracted};
use charset::decode;
use piece::Piece;
use walker::{Sink, Walker};

pub use stream::{PageStream, Step};

/// Main content must hold at least this many words to replace the page.
const MIN_MAIN_WORDS: usize = 30;
/// Text is handed to the tokenizer in pieces of about this size.
const CHUNK_BYTES: usize = 1 << 20;

/// Extracts the main text of an HTML page.
///
/// The text is the blocks joined by blank lines; block ranges index into it.
/// Returns [`ExtractError::Empty`] when the page has no main text.
pub fn extract(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let text = decode(bytes);
    let mut page = walk(&text, true);
    // Class and id words are a guess; when they hid nearly everything (a
    // wrapper `<div class="has-sidebar">`), read the page again without them.
    if page.kept_words < MIN_MAIN_WORDS && page.class_skipped_chars > 4 * page.kept_chars + 200 {
        page = walk(&text, false);
    }
    if page.pieces.is_empty() {
        return Err(ExtractError::Empty);
    }
    let mut extracted = blocks::assemble(page.pieces, page.title);
    extracted.date = page.date;
    Ok(extracted)
}

/// Tokenizes the page and collects its blocks.
fn walk(text: &str, class_rules: bool) -> Page {
    let input = BufferQueue::default();
    let mut rest = text;
    while !rest.is_empty() {
        let mut cut = rest.len().min(CHUNK_BYTES);
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        input.push_back(StrTendril::from_slice(&rest[..cut]));
        rest = &rest[cut..];
    }
    let walker = Walker::new(class_rules, None);
    let tokenizer = Tokenizer::new(Sink(RefCell::new(walker)), TokenizerOpts::default());
    // The sink never blocks on scripts or encodings, so one feed runs to the end.
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.0.into_inner().finish()
}

/// A page's blocks after the filters, and what the class rules hid.
struct Page {
    pieces: Vec<Piece>,
    date: Option<super::date::PubDate>,
    title: Option<String>,
    kept_words: usize,
    kept_chars: usize,
    class_skipped_chars: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::testing::{assert_quick, check_ranges};
    use crate::extract::BlockKind;
    use std::time::Instant;

    fn blocks(html: &str) -> Vec<(BlockKind, String)> {
        let e = extract(html.as_bytes()).expect("extracts");
        check_ranges(&e);
        e.blocks
            .iter()
            .map(|b| (b.kind, e.text[b.range.clone()].to_string()))
            .collect()
    }

    fn texts(html: &str) -> Vec<String> {
        blocks(html).into_iter().map(|(_, t)| t).collect()
    }

    #[test]
    fn chrome_is_dropped_and_structure_kept() {
        let html = r##"<!DOCTYPE html><html><head><title>Integrated care | NHS</title>
            <style>body { color: red }</style><script>var nav = "menu text";</script></head>
            <body>
            <a class="skip-link" href="#main">Skip to main content</a>
            <div id="cookie-banner">We use cookies to improve this site. Accept all cookies?</div>
            <header><div class="logo">NHS England</div><ul><li>Home</li><li>About</li></ul></header>
            <nav class="breadcrumbs"><a href="/">Home</a> &gt; Policy</nav>
            <div class="content">
              <h1>Integrated care systems</h1>
              <p>Integrated care systems &amp; boards bring   together NHS organisations,
                 local&nbsp;authorities and <em>partners</em> to plan services.</p>
              <h2>Aims</h2>
              <ul><li>Improve outcomes in population health</li><li>Tackle inequalities</li></ul>
              <div class="share-buttons"><a href="#">Share on Twitter</a></div>
            </div>
            <aside><p>Related: something else entirely here.</p></aside>
            <footer><p>&copy; NHS England 2024. All rights reserved and terms apply.</p></footer>
            <noscript>Please enable JavaScript to view this page.</noscript>
            </body></html>"##;
        let e = extract(html.as_bytes()).unwrap();
        check_ranges(&e);
        assert_eq!(e.title.as_deref(), Some("Integrated care"));
        let got = blocks(html);
        assert_eq!(
            got,
            vec![
                (BlockKind::Heading, "Integrated care systems".to_string()),
                (
                    BlockKind::Paragraph,
                    "Integrated care systems & boards bring together NHS organisations, local authorities and partners to plan services."
                        .to_string()
                ),
                (BlockKind::Heading, "Aims".to_string()),
                (BlockKind::ListItem, "Improve outcomes in population health".to_string()),
                (BlockKind::ListItem, "Tackle inequalities".to_string()),
            ]
        );
        for junk in [
            "Skip",
            "cookies",
            "Home",
            "Twitter",
            "Related",
            "rights",
            "JavaScript",
            "menu text",
            "color",
        ] {
            assert!(!e.text.contains(junk), "{junk} in {:?}", e.text);
        }
    }

    #[test]
    fn main_element_replaces_the_page() {
        let html = "<body><div class=top>Site name and strapline words</div>\
            <main><h1>Report</h1><p>The board agreed the plan for the coming year after a long \
            discussion of the budget, the workforce and the waiting lists across all of the \
            hospitals in the system.</p></main><div>Unrelated trailing text block</div></body>";
        assert_eq!(
            texts(html),
            vec![
                "Report".to_string(),
                "The board agreed the plan for the coming year after a long discussion of the budget, the workforce and the waiting lists across all of the hospitals in the system.".to_string()
            ]
        );
    }

    #[test]
    fn article_header_and_aside_are_content() {
        let html = "<nav>Menu</nav><article><header><h2>1950 March 25</h2></header>\
            <p>Summary.</p><aside><p>The full story of the survey is told here at length.</p></aside>\
            <footer>Posted by the editor</footer></article>";
        let t = texts(html);
        assert_eq!(
            t,
            vec![
                "1950 March 25",
                "Summary.",
                "The full story of the survey is told here at length.",
                "Posted by the editor"
            ]
        );
    }

    #[test]
    fn a_number_and_a_word_in_adjacent_elements_are_two_words() {
        let got = texts(
            "<h2><span class=yyyy>1990</span><span class=mmmm>June</span></h2>\
             <p>H<sub>2</sub>O, the 1<sup>st</sup> step, <b>A</b>bc, 4<b>0</b>0.</p>",
        );
        assert_eq!(got, vec!["1990 June", "H2O, the 1st step, Abc, 400."]);
    }

    #[test]
    fn entities_and_whitespace() {
        let html = "<p>It&#8217;s  &lt;5%&gt;\n\t of &quot;A&amp;E&quot; visits&nbsp;&nbsp;today &#x2014; &eacute;t&eacute;</p>\
                    <pre>  line one\n    indented  two\n</pre>";
        assert_eq!(
            texts(html),
            vec![
                "It’s <5%> of \"A&E\" visits today — été",
                "line one\n    indented  two"
            ]
        );
    }

    #[test]
    fn inline_elements_do_not_break_blocks_and_br_does() {
        let html =
            "<p>One <b>bold</b><i>italic</i> <a href=x>link</a><sup>1</sup> end.<br>Next line.</p>\
                    <div>First para.<br><br>Second para.</div>";
        assert_eq!(
            texts(html),
            vec![
                "One bolditalic link1 end.\nNext line.",
                "First para.",
                "Second para."
            ]
        );
    }

    #[test]
    fn data_table_rows_and_layout_tables() {
        let html = "<table><tr><th>Region</th><th>Beds</th></tr>\
                    <tr><td>North <b>East</b></td><td>1,200</td></tr></table>\
                    <table><tr><td><h1>Article</h1><p>Body text of the article.</p></td>\
                    <td><table><tr><td>a</td><td>b</td></tr></table></td></tr></table>";
        assert_eq!(
            blocks(html),
            vec![
                (BlockKind::TableRow, "Region | Beds".to_string()),
                (BlockKind::TableRow, "North East | 1,200".to_string()),
                (BlockKind::Heading, "Article".to_string()),
                (
                    BlockKind::Paragraph,
                    "Body text of the article.".to_string()
                ),
                (BlockKind::TableRow, "a | b".to_string()),
            ]
        );
    }

    #[test]
    fn unclosed_tags_are_closed_implicitly() {
        let html = "<ul><li>one<li>two</ul><p>para one<p>para two<table><tr><td>x<td>y<tr><td>z<td>w</table>";
        assert_eq!(
            blocks(html),
            vec![
                (BlockKind::ListItem, "one".to_string()),
                (BlockKind::ListItem, "two".to_string()),
                (BlockKind::Paragraph, "para one".to_string()),
                (BlockKind::Paragraph, "para two".to_string()),
                (BlockKind::TableRow, "x | y".to_string()),
                (BlockKind::TableRow, "z | w".to_string()),
            ]
        );
    }

    #[test]
    fn link_lists_are_dropped() {
        let html = "<p>The plan sets out the aims of the new boards.</p>\
                    <p><a href=a>HOME</a> | <a href=b>ABOUT</a> | <a href=c>CONTACT</a></p>\
                    <p><a href=#top>Return to top.</a></p><h3><a href=#top>Top</a></h3>\
                    <h3>Linked <a href=x>heading</a></h3>";
        assert_eq!(
            texts(html),
            vec![
                "The plan sets out the aims of the new boards.",
                "Linked heading"
            ]
        );
    }

    #[test]
    fn title_falls_back_to_first_h1() {
        let e = extract(b"<title> </title><h2>Sub</h2><h1>Main  heading</h1><p>Text.</p>").unwrap();
        assert_eq!(e.title.as_deref(), Some("Main heading"));
        let e = extract(b"<svg><title>Icon</title></svg><p>Text.</p>").unwrap();
        assert_eq!(e.title, None);
    }

    #[test]
    fn deep_nesting_is_linear() {
        let n = 100_000;
        let html = format!("{}text{}", "<div>".repeat(n), "</div>".repeat(n));
        let start = Instant::now();
        assert_eq!(texts(&html), vec!["text"]);
        let garbage = format!("{}after", "<li><table><b><span class=nav>".repeat(n / 4));
        let _ = extract(garbage.as_bytes());
        let unclosed = format!("<ol>{}<li>item", "<div>".repeat(n));
        assert_eq!(texts(&unclosed), vec!["item"]);
        // Debug builds are slow; release runs this in tens of milliseconds.
        assert_quick(start);
    }

    #[test]
    fn garbage_does_not_panic() {
        let inputs: [&[u8]; 8] = [
            b"",
            b"<",
            b"</p></div></table></tr>",
            b"<table><td>cell</table></td>",
            b"<scr<script>ipt>alert(1)</script>",
            b"\xff\xfe\x00<\x00p",
            b"<p>&#0; &#xFFFFFFFF; &bogus; \x00 text",
            b"<svg><p>x</svg></p><math><mi>y</math><plaintext><b>raw</b>",
        ];
        for input in inputs {
            match extract(input) {
                Ok(e) => check_ranges(&e),
                Err(ExtractError::Empty) => {}
                Err(e) => panic!("{e}"),
            }
        }
        let e = extract(b"<p>before<plaintext><b>raw</b>").unwrap();
        assert_eq!(e.text, "before\n\n<b>raw</b>");
    }

    #[test]
    fn class_rules_that_hide_the_page_are_dropped() {
        let body = "<p>The board met in public and agreed the plan.</p>".repeat(10);
        let html = format!("<div class=\"page has-sidebar\">{body}</div><div class=nav>Home</div>");
        let t = texts(&html);
        assert_eq!(t.len(), 11, "{t:?}");
        assert_eq!(t[10], "Home");
    }

    #[test]
    fn template_comments_delimit_the_content() {
        let para = "<p>During 1999 outbreaks of dermatitis associated with hot tub use occurred in two states.</p>";
        let html = format!(
            "<table><tr><td>Centers for Disease Control</td><td><a href=/>Home</a></td></tr></table>\
             <!-- content area -->{}<!-- end content area -->\
             <table><tr><td>Page last reviewed 5/2/01</td></tr></table><div hidden=until-found></div>",
            para.repeat(3)
        );
        assert_eq!(texts(&html).len(), 3);
    }

    #[test]
    fn prose_in_layout_cells_stays_paragraphs() {
        let long = "word ".repeat(80);
        let html = format!(
            "<table><tr><td><p>{long}</p><p>{long}</p></td><td><p>Side note.</p></td></tr></table>\
             <p hidden=until-found>Collapsed answer text.</p>"
        );
        let b = blocks(&html);
        assert_eq!(b.len(), 4);
        assert!(b.iter().all(|(k, _)| *k == BlockKind::Paragraph));
        assert_eq!(b[3].1, "Collapsed answer text.");
    }

    #[test]
    fn empty_page_is_empty() {
        assert!(matches!(
            extract(b"<html><head><title>T</title></head><body><nav>Home</nav></body></html>"),
            Err(ExtractError::Empty)
        ));
    }
}
