//! Text out of XML events, shared by the XML-based formats (DOCX, PPTX,
//! ODT, EPUB packages, plain XML).

use quick_xml::events::{BytesRef, BytesStart};
use quick_xml::XmlVersion;

/// An attribute's unescaped value, matched by local name (`w:val` → `val`).
pub(super) fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local)
            .then(|| a.normalized_value(XmlVersion::Implicit1_0).ok())
            .flatten()
            .map(|v| v.into_owned())
    })
}

/// Appends the character an entity or character reference stands for.
pub(super) fn push_entity(out: &mut String, r: &BytesRef<'_>) {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        out.push(c);
    } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(r) {
        out.push_str(s);
    }
}

/// The local part of a qualified name (`text:p` → `p`).
pub(super) fn local(qname: &str) -> &str {
    qname.rsplit(':').next().unwrap_or(qname)
}
