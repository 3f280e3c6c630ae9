//! Where a document's evidence lives: passages map to document slots, and
//! keys that are already hashes hash as themselves.

use std::collections::HashMap;

use tantivy::DocId;

/// Passage → document slot, for one segment: a dense array for segments of
/// ordinary size, a map for very large ones; with the passages given a
/// slot, in the order they were.
pub struct SlotMap {
    cells: Cells,
    given: Vec<DocId>,
}

enum Cells {
    /// Per passage, its slot (`u32::MAX`: none).
    Dense(Vec<u32>),
    Sparse(HashMap<DocId, usize, KeyHasher>),
}

impl SlotMap {
    /// Segments up to this many documents use the dense array.
    const DENSE_LIMIT: u32 = 1 << 21;

    pub fn new(max_doc: u32) -> Self {
        let cells = if max_doc <= Self::DENSE_LIMIT {
            Cells::Dense(vec![u32::MAX; max_doc as usize])
        } else {
            Cells::Sparse(HashMap::default())
        };
        SlotMap {
            cells,
            given: Vec::new(),
        }
    }

    pub fn get(&self, doc: DocId) -> Option<usize> {
        match &self.cells {
            Cells::Dense(v) => v
                .get(doc as usize)
                .filter(|&&s| s != u32::MAX)
                .map(|&s| s as usize),
            Cells::Sparse(m) => m.get(&doc).copied(),
        }
    }

    /// Hands `each` every passage given a slot, with it, in the order they
    /// were given one: the passages read, not every passage of the segment.
    pub fn for_each(&self, mut each: impl FnMut(DocId, usize)) {
        for &doc in &self.given {
            if let Some(slot) = self.get(doc) {
                each(doc, slot);
            }
        }
    }

    /// Gives passage `doc` a slot (once: a passage has one document).
    pub fn insert(&mut self, doc: DocId, slot: usize) {
        let fresh = match &mut self.cells {
            Cells::Dense(v) => {
                let cell = &mut v[doc as usize];
                let fresh = *cell == u32::MAX;
                *cell = slot as u32;
                fresh
            }
            Cells::Sparse(m) => m.insert(doc, slot).is_none(),
        };
        if fresh {
            self.given.push(doc);
        }
    }
}

/// Hashes keys that are already hashes (document keys, doc ids) by
/// themselves: the default hasher is a measurable share of ranking time.
#[derive(Default, Clone, Copy)]
pub struct KeyHasher;

impl std::hash::BuildHasher for KeyHasher {
    type Hasher = IdentityHasher;

    fn build_hasher(&self) -> IdentityHasher {
        IdentityHasher(0)
    }
}

/// See [`KeyHasher`].
pub struct IdentityHasher(u64);

impl std::hash::Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }

    fn write_u32(&mut self, v: u32) {
        // Document ids are small integers: spread them.
        self.0 = u64::from(v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}
