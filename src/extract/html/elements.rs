//! What HTML says of elements by name: blocks, void elements, scopes.

/// Elements that stop the search for an implied or explicit end.
pub(super) const DEFAULT_SCOPE: &[&str] = &[
    "table", "td", "th", "caption", "html", "template", "object", "marquee", "applet",
];
pub(super) const BUTTON_SCOPE: &[&str] = &[
    "table", "td", "th", "caption", "html", "template", "object", "marquee", "applet", "button",
];
pub(super) const LIST_SCOPE: &[&str] = &[
    "table", "td", "th", "caption", "html", "template", "object", "marquee", "applet", "ul", "ol",
];
pub(super) const DL_SCOPE: &[&str] = &[
    "table", "td", "th", "caption", "html", "template", "object", "marquee", "applet", "dl",
];
pub(super) const TABLE_SCOPE: &[&str] = &["table", "html", "template"];
pub(super) const ROW_SCOPE: &[&str] = &["tr", "table", "html", "template"];

pub(super) fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

/// Elements whose start and end end the current block.
pub(super) fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "frameset"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "html"
            | "legend"
            | "li"
            | "listing"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "search"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "tfoot"
            | "th"
            | "thead"
            | "tr"
            | "ul"
    )
}

/// Start tags that close an open `<p>`.
pub(super) fn closes_p(name: &str) -> bool {
    is_block(name)
        && !matches!(
            name,
            "body"
                | "html"
                | "caption"
                | "td"
                | "th"
                | "tr"
                | "tbody"
                | "thead"
                | "tfoot"
                | "frameset"
        )
}

pub(super) fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "col"
            | "embed"
            | "frame"
            | "img"
            | "image"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}
