//! The page's `<title>`, as a browser shows it.

use crate::extract::blocks::collapse_whitespace;
use crate::extract::title;

/// The page's title: its `<title>` as shown when that names the page (not
/// empty, not a date or a file's name), else its first `<h1>` if that does.
pub(super) fn page_title(title: Option<String>, first_h1: Option<String>) -> Option<String> {
    title
        .and_then(|t| title::plausible(&clean_title(&t)))
        .or_else(|| first_h1.and_then(|h| title::plausible(&h)))
}

/// Drops tags written into a `<title>` (`<i>Pseudomonas</i> dermatitis`,
/// which browsers show as typed) and a short ` | Site` suffix.
pub(super) fn clean_title(title: &str) -> String {
    let mut untagged = String::with_capacity(title.len());
    let mut rest = title;
    while let Some(open) = rest.find('<') {
        // A tag is `<`, any `/`, 1 to 20 letters or digits, `>`: looked for
        // right there, not by searching on for a `>`, which made a title
        // of many `<` quadratic.
        let after = &rest[open + 1..];
        let name_at = after.len() - after.trim_start_matches('/').len();
        let name = &after.as_bytes()[name_at..];
        let n = name
            .iter()
            .take(21)
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if (1..=20).contains(&n) && name.get(n) == Some(&b'>') {
            untagged.push_str(&rest[..open]);
            untagged.push(' ');
            rest = &after[name_at + n + 1..];
        } else {
            untagged.push_str(&rest[..=open]);
            rest = after;
        }
    }
    untagged.push_str(rest);
    let title = collapse_whitespace(&untagged);
    if let Some(i) = title.rfind(" | ") {
        let (head, site) = (&title[..i], &title[i + 3..]);
        if site.split_whitespace().count() <= 3 && head.split_whitespace().count() >= 2 {
            return head.trim().to_owned();
        }
    }
    title
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::html::extract;

    /// `clean_title` as it was before tags were matched in place: the
    /// behaviour to keep.
    fn clean_title_reference(title: &str) -> String {
        let mut untagged = String::new();
        let mut rest = title;
        while let Some(open) = rest.find('<') {
            let tag_end = rest[open..].find('>').map(|e| open + e);
            let is_tag = tag_end.is_some_and(|e| {
                let inner = rest[open + 1..e].trim_start_matches('/');
                !inner.is_empty()
                    && inner.len() <= 20
                    && inner.bytes().all(|b| b.is_ascii_alphanumeric())
            });
            match tag_end {
                Some(e) if is_tag => {
                    untagged.push_str(&rest[..open]);
                    untagged.push(' ');
                    rest = &rest[e + 1..];
                }
                _ => {
                    untagged.push_str(&rest[..=open]);
                    rest = &rest[open + 1..];
                }
            }
        }
        untagged.push_str(rest);
        let title = collapse_whitespace(&untagged);
        if let Some(i) = title.rfind(" | ") {
            let (head, site) = (&title[..i], &title[i + 3..]);
            if site.split_whitespace().count() <= 3 && head.split_whitespace().count() >= 2 {
                return head.trim().to_owned();
            }
        }
        title
    }

    proptest::proptest! {
        #![proptest_config(crate::extract::testing::proptest_config(2000))]
        #[test]
        fn title_tags_are_dropped_as_before(t in "[<>/ai1é |]{0,60}") {
            proptest::prop_assert_eq!(clean_title(&t), clean_title_reference(&t));
        }
    }

    #[test]
    fn a_title_of_many_angle_brackets_is_read_in_one_pass() {
        // Searching on for a `>` from each `<` took minutes here.
        let title = format!("{}> Board <i>papers</i>", "<".repeat(1 << 20));
        let html = format!("<title>{}</title><p>Text.</p>", title.replace('<', "&lt;"));
        let e = extract(html.as_bytes()).unwrap();
        let got = e.title.unwrap();
        assert!(
            got.ends_with("> Board papers"),
            "{}",
            &got[got.len() - 20..]
        );
        assert_eq!(got.len(), (1 << 20) + "> Board papers".len());
    }
}
