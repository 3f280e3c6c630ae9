//! Page chrome: navigation, banners, menus and other boilerplate.

use html5ever::Attribute;

use super::piece::Piece;
use crate::extract::BlockKind;

/// Blocks of at most this many words that are mostly link text are chrome.
const LINK_BLOCK_MAX_WORDS: usize = 20;

impl Piece {
    /// Short link-dense blocks are menus and "Return to top" links; a
    /// heading with some plain text is kept, as it gives its section a name.
    pub(super) fn is_link_menu(&self) -> bool {
        let partly_linked = if self.kind == BlockKind::Heading {
            self.link_chars < self.chars
        } else {
            self.link_chars * 4 < self.chars * 3
        };
        !partly_linked && self.words() <= LINK_BLOCK_MAX_WORDS
    }
}

/// Why an element is skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Chrome {
    No,
    /// By its name, role or hidden state: certain.
    Yes,
    /// By a class or id word: a guess.
    ByClass,
}

/// Is this element page chrome or non-text, by its name, role or attributes?
pub(super) fn chrome(
    name: &str,
    attrs: &[Attribute],
    role: Option<&str>,
    in_scope: bool,
    top_level: bool,
    class_rules: bool,
) -> Chrome {
    match name {
        "nav" | "button" | "select" | "template" | "svg" | "math" | "object" | "canvas"
        | "video" | "audio" | "map" | "search" | "menu" => return Chrome::Yes,
        "form" if !top_level => return Chrome::Yes,
        // Inside an article or section these are its own header, footer and
        // side notes (as in the HTML spec's landmark rules), not the page's.
        "header" | "footer" | "aside" if !in_scope => return Chrome::Yes,
        // Whatever their classes say, these are the page or its content.
        "html" | "body" | "main" | "article" => return Chrome::No,
        _ => {}
    }
    if role.is_some_and(|role| chrome_role(role, in_scope)) || hidden(attrs) {
        return Chrome::Yes;
    }
    if !class_rules {
        return Chrome::No;
    }
    // Custom elements name themselves: <site-header>, <cookie-banner>.
    let by_class = (name.contains('-') && chrome_words(name, in_scope))
        || attrs.iter().any(|a| {
            matches!(&*a.name.local, "class" | "id")
                && a.value
                    .split_ascii_whitespace()
                    .any(|v| chrome_words(v, in_scope))
        });
    if by_class {
        Chrome::ByClass
    } else {
        Chrome::No
    }
}

/// Is an ARIA role that of page chrome?
fn chrome_role(role: &str, in_scope: bool) -> bool {
    matches!(
        role,
        "navigation"
            | "banner"
            | "contentinfo"
            | "search"
            | "menu"
            | "menubar"
            | "toolbar"
            | "alertdialog"
    ) || (role == "complementary" && !in_scope)
}

/// Is an element hidden by its attributes?
fn hidden(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        let value: &str = &a.value;
        match &*a.name.local {
            // `until-found` content is collapsed but meant to be found.
            "hidden" => !value.trim().eq_ignore_ascii_case("until-found"),
            "aria-hidden" => value.trim().eq_ignore_ascii_case("true"),
            "style" => {
                let style = value
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect::<String>()
                    .to_ascii_lowercase();
                style.contains("display:none") || style.contains("visibility:hidden")
            }
            _ => false,
        }
    })
}

/// Words that mark chrome wherever they are.
const CHROME_WORDS: &[&str] = &[
    "cookie",
    "consent",
    "gdpr",
    "nav",
    "menu",
    "breadcrumb",
    "sidebar",
    "share",
    "sharing",
    "social",
    "skip",
];
/// Words that mark chrome outside article and main content only.
const PAGE_CHROME_WORDS: &[&str] = &["header", "footer", "banner", "masthead"];
/// Words containing a chrome word that are not chrome.
const NOT_CHROME: &[&str] = &["shared", "navy", "unshared", "skipped"];

/// Does a class name or id (`site-nav`, `mainMenu`, `cookieBanner`) name
/// chrome? Each of its words (split at punctuation and camelCase humps) is
/// checked for starting or ending with a chrome word.
fn chrome_words(value: &str, in_scope: bool) -> bool {
    let lower = value.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "sr-only"
            | "visually-hidden"
            | "visuallyhidden"
            | "screen-reader-text"
            | "element-invisible"
    ) {
        return true;
    }
    let is_chrome = |word: &str| {
        let word = word.to_ascii_lowercase();
        let hit = |k: &&str| word.starts_with(*k) || word.ends_with(*k);
        !NOT_CHROME.contains(&word.as_str())
            && (CHROME_WORDS.iter().any(hit) || (!in_scope && PAGE_CHROME_WORDS.iter().any(hit)))
    };
    let bytes = value.as_bytes();
    let mut start = 0;
    for i in 0..=bytes.len() {
        let boundary = match bytes.get(i) {
            None => true,
            Some(b) if !b.is_ascii_alphanumeric() => true,
            Some(b) => b.is_ascii_uppercase() && i > 0 && bytes[i - 1].is_ascii_lowercase(),
        };
        if boundary {
            if i > start && is_chrome(&value[start..i]) {
                return true;
            }
            // A hump starts the next word; punctuation is dropped.
            start = if bytes.get(i).is_some_and(u8::is_ascii_alphanumeric) {
                i
            } else {
                i + 1
            };
        }
    }
    // Also the whole run of letters, for `mainnav`-style compounds whose
    // humps are lowercase.
    lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| !w.is_empty() && is_chrome(w))
}

/// Does a comment mark where the content begins (`<!-- content area -->`,
/// `<!-- BEGIN MAIN CONTENT -->`: `Some(true)`) or ends (`<!-- end content
/// area -->`: `Some(false)`)? Template-built pages that have no `<main>` mark
/// their editable region so.
pub(super) fn content_marker(comment: &str) -> Option<bool> {
    let closing = comment.trim_start().starts_with('/');
    let lower = comment.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut w = words.as_slice();
    let mut ends = closing;
    match w {
        ["end", "of", rest @ ..] | ["end", rest @ ..] => {
            ends = true;
            w = rest;
        }
        ["begin", rest @ ..] | ["start", "of", rest @ ..] | ["start", rest @ ..] => w = rest,
        _ => {}
    }
    if let ["main" | "page", rest @ ..] = w {
        w = rest;
    }
    match w {
        ["content"] | ["content", "area" | "region"] => Some(!ends),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chrome_words_match_whole_parts() {
        assert!(chrome_words("site-nav", false));
        assert!(chrome_words("mainNavigation", false));
        assert!(chrome_words("cookieBanner", true));
        assert!(chrome_words("page-header", false));
        assert!(!chrome_words("page-header", true));
        assert!(!chrome_words("shared-content", false));
        assert!(!chrome_words("canvas", false));
        assert!(!chrome_words("content", false));
        assert!(!chrome_words("café-ñandú", false));
        assert!(chrome_words("menü-nav", false));
    }

    #[test]
    fn template_comments_mark_the_content() {
        assert_eq!(content_marker(" content area "), Some(true));
        assert_eq!(content_marker("BEGIN MAIN CONTENT"), Some(true));
        assert_eq!(content_marker("end content area"), Some(false));
        assert_eq!(content_marker("/content"), Some(false));
        assert_eq!(content_marker("report header"), None);
        assert_eq!(content_marker("content area ends here"), None);
    }
}
