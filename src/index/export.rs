//! Every passage of the index, read back in full: what `export` writes for
//! another engine to ingest (see `docs/scale.md`).
//!
//! Passages are read segment by segment, in the order they were written (a
//! file's passages side by side), one stored document at a time, so memory
//! stays flat however large the index.

use tantivy::schema::Value;
use tantivy::DocAddress;

use super::documents::{read_passage, Location};
use super::schema::KIND_PASSAGE;
use super::{PolicyIndex, StoredDocs};
use crate::error::{Error, Result};

/// One passage with everything its citation needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportedPassage {
    /// Where it is; `source`, `doc_id` and `passage_id` as stored (absolute
    /// paths), so the record does not depend on the folder `export` ran in.
    pub location: Location,
    /// The collection its file was indexed into.
    pub collection: String,
    /// Its number within its document (the `N` of `passage_id`).
    pub ordinal: u64,
    /// The passage, verbatim.
    pub quote: String,
}

/// Calls `each` with every passage of the index's last commit, optionally
/// only those of `collections`, and returns how many it was given. Stops at
/// the first error `each` returns.
pub fn for_each_passage(
    index: &PolicyIndex,
    collections: &[String],
    mut each: impl FnMut(ExportedPassage) -> Result<()>,
) -> Result<u64> {
    let f = &index.fields;
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let stored = StoredDocs::new(&searcher)?;
    let mut count = 0;
    for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
        let kinds = segment.fast_fields().u64("kind")?;
        for doc_id in segment.doc_ids_alive() {
            if kinds.first(doc_id) != Some(KIND_PASSAGE) {
                continue;
            }
            let doc = stored.get(DocAddress::new(segment_ord as u32, doc_id))?;
            let collection = doc
                .get_first(f.collection)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            if !collections.is_empty() && !collections.contains(&collection) {
                continue;
            }
            let ordinal = doc
                .get_first(f.ordinal)
                .and_then(|v| v.as_u64())
                .ok_or_else(|| Error::Internal(format!("passage {doc_id} has no ordinal")))?;
            let (mut location, quote) = read_passage(f, &doc);
            // As stored, not as shown from the working directory.
            location.source.clone_from(&location.path);
            if let Some(id) = doc.get_first(f.doc_id).and_then(|v| v.as_str()) {
                location.doc_id = id.to_string();
                location.passage_id = format!("{id}#{ordinal}");
            }
            each(ExportedPassage {
                location,
                collection,
                ordinal,
                quote,
            })?;
            count += 1;
        }
    }
    Ok(count)
}
