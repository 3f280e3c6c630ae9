//! Text from documents, file names and queries made safe to print for
//! people. A file can hold terminal escape sequences (`ESC ] 52` writes the
//! clipboard, `ESC [ 2 J` clears the screen), C1 controls, backspaces,
//! carriage returns or bidirectional overrides that make text read
//! differently from what it is. Every human renderer passes such text
//! through [`visible`]; JSON output keeps it exact (serde escapes it).

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` with every control character shown as a visible escape, as
/// `\u{1b}` for ESC: C0 controls other than tab and newline (which layout
/// needs), DEL, C1 controls (U+0080–U+009F), and the bidirectional and
/// direction-mark format characters (U+061C, U+200E–U+200F,
/// U+202A–U+202E, U+2066–U+2069). Everything else is unchanged, so text
/// without them is borrowed as is.
pub fn visible(text: &str) -> Cow<'_, str> {
    let Some(first) = text.find(is_hazard) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if is_hazard(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether `c` must not reach a terminal as it is.
pub fn is_hazard(c: char) -> bool {
    match c {
        '\t' | '\n' => false,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible_and_layout_stays() {
        assert!(matches!(
            visible("plain\ttext\nhere – ok"),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            visible("a\u{1b}[2Jb\u{1b}]52;c;aGk=\u{7}c\u{9b}d\re\u{8}\u{7f}\u{202e}f"),
            "a\\u{1b}[2Jb\\u{1b}]52;c;aGk=\\u{7}c\\u{9b}d\\u{d}e\\u{8}\\u{7f}\\u{202e}f"
        );
        assert!(!visible("x\u{1b}\u{9b}\u{7}").chars().any(is_hazard));
    }
}
