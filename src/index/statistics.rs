//! Document-level statistics of one index snapshot: how many documents it
//! holds, their average length and how many passages, which whole-document
//! ranking needs for idf and length normalisation.
//!
//! Counting them reads every live passage's fast fields: a few milliseconds
//! at 80 MB, tens at 1 GB, too slow to repeat for every query. So `index`
//! records them after its last commit, in [`STATISTICS_FILE`], with the
//! snapshot they describe (each segment's id and number of deleted
//! passages). A reader uses the record only if it describes the snapshot it
//! reads and its checksum holds; otherwise it counts (a commit since, a
//! merge, damage), so the record can be stale or lost but never wrong.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tantivy::Searcher;

use super::storage::{read_regular, write_atomically};
use super::PolicyIndex;
use crate::error::Result;

/// The record of the last snapshot's statistics, in the index directory.
pub const STATISTICS_FILE: &str = ".document-statistics.json";

/// Statistics of a snapshot's documents (a document is all the passages
/// that share a `doc_key`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DocumentStats {
    /// Number of documents (at least 1, so idf stays finite).
    pub documents: f32,
    /// Their average length in words.
    pub average_length: f32,
    /// Number of live passages.
    pub passages: f32,
}

impl DocumentStats {
    /// No documents.
    pub const EMPTY: DocumentStats = DocumentStats {
        documents: 0.0,
        average_length: 1.0,
        passages: 0.0,
    };
}

/// What is written: the totals, the snapshot they are of, and a checksum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Record {
    /// Each segment's id and number of deleted passages: deletions only
    /// grow, so equal counts mean the same live passages.
    snapshot: Vec<(String, u32)>,
    documents: u64,
    total_length: u64,
    passages: u64,
    checksum: String,
}

/// Totals as counted, before averaging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Totals {
    documents: u64,
    total_length: u64,
    passages: u64,
}

impl Totals {
    fn stats(self) -> DocumentStats {
        let documents = self.documents.max(1) as f32;
        DocumentStats {
            documents,
            average_length: self.total_length as f32 / documents,
            passages: self.passages as f32,
        }
    }

    fn checksum(self, snapshot: &[(String, u32)]) -> String {
        let mut h = blake3::Hasher::new();
        for (id, deleted) in snapshot {
            h.update(id.as_bytes());
            h.update(&deleted.to_le_bytes());
        }
        for n in [self.documents, self.total_length, self.passages] {
            h.update(&n.to_le_bytes());
        }
        h.finalize().to_hex()[..16].to_string()
    }
}

/// The snapshot `searcher` reads, as recorded.
fn snapshot(searcher: &Searcher) -> Vec<(String, u32)> {
    let mut s: Vec<(String, u32)> = searcher
        .segment_readers()
        .iter()
        .map(|r| (r.segment_id().uuid_string(), r.num_deleted_docs()))
        .collect();
    s.sort();
    s
}

/// Counts the statistics of `searcher`'s snapshot: every live passage with
/// a document key, its document's length read once per document.
fn count(searcher: &Searcher) -> Result<Totals> {
    let mut lengths: HashMap<u64, u64> = HashMap::new();
    let mut passages = 0u64;
    for segment in searcher.segment_readers() {
        let keys = segment.fast_fields().u64("doc_key")?;
        let lens = segment.fast_fields().u64("doc_len")?;
        let alive = segment.alive_bitset();
        for doc in 0..segment.max_doc() {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                if let (Some(k @ 1..), Some(l)) = (keys.first(doc), lens.first(doc)) {
                    lengths.insert(k, l);
                    passages += 1;
                }
            }
        }
    }
    Ok(Totals {
        documents: lengths.len() as u64,
        total_length: lengths.values().sum(),
        passages,
    })
}

/// The statistics of `searcher`'s snapshot of `index`: as recorded, if the
/// record is of this snapshot and intact, else counted.
pub fn document_stats(index: &PolicyIndex, searcher: &Searcher) -> Result<DocumentStats> {
    match read_record(&index.path, &snapshot(searcher)) {
        Recorded::Current(totals) => Ok(totals.stats()),
        _ => Ok(count(searcher)?.stats()),
    }
}

/// What the record in an index directory holds.
enum Recorded {
    Absent,
    Damaged,
    /// Of a snapshot other than the one read.
    Stale,
    Current(Totals),
}

/// Reads the record in `dir` and compares it with `snapshot`.
fn read_record(dir: &Path, snapshot: &[(String, u32)]) -> Recorded {
    let bytes = match read_regular(&dir.join(STATISTICS_FILE)) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Recorded::Absent,
        Err(_) => return Recorded::Damaged,
    };
    let Ok(r) = serde_json::from_slice::<Record>(&bytes) else {
        return Recorded::Damaged;
    };
    let totals = Totals {
        documents: r.documents,
        total_length: r.total_length,
        passages: r.passages,
    };
    if r.checksum != totals.checksum(&r.snapshot) {
        Recorded::Damaged
    } else if r.snapshot != snapshot {
        Recorded::Stale
    } else {
        Recorded::Current(totals)
    }
}

/// What `status --verify` says of the record in `dir`, for `searcher`'s
/// snapshot; `None` if there is none. Never a problem of the index: a
/// record that does not hold is counted again by the queries that need it.
pub fn describe(dir: &Path, searcher: &Searcher) -> Option<String> {
    Some(match read_record(dir, &snapshot(searcher)) {
        Recorded::Absent => return None,
        Recorded::Current(t) => format!(
            "document statistics of this commit ({} documents, {} passages)",
            t.documents, t.passages
        ),
        Recorded::Stale => {
            "document statistics of an earlier commit: queries count them (the next index run records them)"
                .to_string()
        }
        Recorded::Damaged => {
            "document statistics unreadable: queries count them (the next index run records them)"
                .to_string()
        }
    })
}

/// Counts the statistics of `searcher`'s snapshot and records them for
/// later readers of the same snapshot.
pub fn record(index: &PolicyIndex, searcher: &Searcher) -> Result<()> {
    let snapshot = snapshot(searcher);
    let totals = count(searcher)?;
    let record = Record {
        checksum: totals.checksum(&snapshot),
        snapshot,
        documents: totals.documents,
        total_length: totals.total_length,
        passages: totals.passages,
    };
    let json = serde_json::to_vec(&record).expect("the record serializes");
    write_atomically(&index.path, Path::new(STATISTICS_FILE), &json)
        .map_err(|e| crate::Error::io(index.path.join(STATISTICS_FILE), e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::schema::KIND_PASSAGE;
    use crate::index::PolicyIndex;
    use tantivy::{TantivyDocument, Term};

    fn passage(index: &PolicyIndex, key: u64, len: u64) -> TantivyDocument {
        let f = index.fields;
        let mut d = TantivyDocument::new();
        d.add_u64(f.kind, KIND_PASSAGE);
        d.add_u64(f.doc_key, key);
        d.add_u64(f.doc_len, len);
        d.add_text(f.body, "words");
        d
    }

    #[test]
    fn a_record_is_used_only_for_the_snapshot_it_describes() {
        let dir = tempfile::tempdir().unwrap();
        let index = PolicyIndex::create(dir.path()).unwrap();
        let mut writer = index.writer(1, 50_000_000).unwrap();
        for (key, len) in [(1, 100), (1, 100), (2, 300)] {
            writer.add_document(passage(&index, key, len)).unwrap();
        }
        index.commit(&mut writer, &[]).unwrap();
        let searcher = index.reader().unwrap().searcher();
        let expected = DocumentStats {
            documents: 2.0,
            average_length: 200.0,
            passages: 3.0,
        };
        assert_eq!(document_stats(&index, &searcher).unwrap(), expected);

        record(&index, &searcher).unwrap();
        let snap = snapshot(&searcher);
        assert!(matches!(
            read_record(&index.path, &snap),
            Recorded::Current(_)
        ));
        assert_eq!(document_stats(&index, &searcher).unwrap(), expected);

        // A deletion makes a new snapshot: the record no longer applies.
        writer.delete_term(Term::from_field_u64(index.fields.doc_key, 2));
        index.commit(&mut writer, &[]).unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert!(matches!(
            read_record(&index.path, &snapshot(&searcher)),
            Recorded::Stale
        ));
        let after = document_stats(&index, &searcher).unwrap();
        assert_eq!((after.documents, after.passages), (1.0, 2.0));
    }

    #[test]
    fn a_damaged_record_is_counted_again() {
        let dir = tempfile::tempdir().unwrap();
        let index = PolicyIndex::create(dir.path()).unwrap();
        let mut writer = index.writer(1, 50_000_000).unwrap();
        writer.add_document(passage(&index, 7, 40)).unwrap();
        index.commit(&mut writer, &[]).unwrap();
        let searcher = index.reader().unwrap().searcher();
        record(&index, &searcher).unwrap();
        let path = dir.path().join(STATISTICS_FILE);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("\"documents\":1", "\"documents\":9")).unwrap();
        assert!(matches!(
            read_record(&index.path, &snapshot(&searcher)),
            Recorded::Damaged
        ));
        std::fs::write(&path, b"\xff not json").unwrap();
        let stats = document_stats(&index, &searcher).unwrap();
        assert_eq!((stats.documents, stats.average_length), (1.0, 40.0));
    }
}
