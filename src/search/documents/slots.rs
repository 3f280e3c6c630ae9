//! Where a document's evidence lives: passages map to document slots, and
//! keys that are already hashes hash as themselves.

use std::collections::HashMap;

use tantivy::DocId;

/// Passage → document slot, for one segment: a map while few passages
/// have one, a dense array once many do (in segments of ordinary size);
/// with the passages given a slot, in the order they were.
pub struct SlotMap {
    cells: Cells,
    given: Vec<DocId>,
    max_doc: u32,
}

enum Cells {
    /// Per passage, its slot plus one (0: none). Zero for none lets the
    /// array come from zeroed memory, which the system maps lazily.
    Dense(Vec<u32>),
    Sparse(HashMap<DocId, usize, KeyHasher>),
}

impl SlotMap {
    /// Segments up to this many documents use the dense array.
    const DENSE_LIMIT: u32 = 1 << 21;

    /// One passage in this many given a slot and the map becomes an array.
    /// An array costs its segment's pages (a rare word's passages fall on
    /// most of them), a map a hash per passage; filling a segment's array
    /// for every query was a sixth of one that finds nothing, 1 GB indexed.
    const DENSE_SHARE: u32 = 32;

    pub fn new(max_doc: u32) -> Self {
        SlotMap {
            cells: Cells::Sparse(HashMap::default()),
            given: Vec::new(),
            max_doc,
        }
    }

    /// The map as an array, once it holds enough passages to be worth one.
    fn grow(&mut self) {
        let Cells::Sparse(m) = &self.cells else {
            return;
        };
        if self.max_doc > Self::DENSE_LIMIT || m.len() < (self.max_doc / Self::DENSE_SHARE) as usize
        {
            return;
        }
        let mut dense = vec![0u32; self.max_doc as usize];
        for (&doc, &slot) in m {
            dense[doc as usize] = slot as u32 + 1;
        }
        self.cells = Cells::Dense(dense);
    }

    pub fn get(&self, doc: DocId) -> Option<usize> {
        match &self.cells {
            Cells::Dense(v) => v
                .get(doc as usize)
                .filter(|&&s| s != 0)
                .map(|&s| s as usize - 1),
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

    /// Renumbers the slots: slot `s` becomes `to[s]`.
    pub fn remap(&mut self, to: &[usize]) {
        match &mut self.cells {
            Cells::Dense(v) => {
                for &doc in &self.given {
                    let cell = &mut v[doc as usize];
                    *cell = to[*cell as usize - 1] as u32 + 1;
                }
            }
            Cells::Sparse(m) => m.values_mut().for_each(|slot| *slot = to[*slot]),
        }
    }

    /// Gives passage `doc` a slot (once: a passage has one document).
    pub fn insert(&mut self, doc: DocId, slot: usize) {
        let fresh = match &mut self.cells {
            Cells::Dense(v) => {
                let cell = &mut v[doc as usize];
                let fresh = *cell == 0;
                *cell = slot as u32 + 1;
                fresh
            }
            Cells::Sparse(m) => m.insert(doc, slot).is_none(),
        };
        if fresh {
            self.given.push(doc);
            if self.given.len().is_multiple_of(1024) {
                self.grow();
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(mut map: SlotMap) -> SlotMap {
        map.insert(7, 0);
        map.insert(3, 2);
        map.insert(7, 0);
        map.insert(5, 1);
        map
    }

    #[test]
    fn dense_and_sparse_maps_agree_and_slot_zero_is_a_slot() {
        let sparse = filled(SlotMap::new(10));
        let mut dense = SlotMap::new(10);
        dense.cells = Cells::Dense(vec![0; 10]);
        let dense = filled(dense);
        for map in [&dense, &sparse] {
            assert_eq!(map.get(7), Some(0));
            assert_eq!(map.get(3), Some(2));
            assert_eq!(map.get(4), None);
            assert_eq!(map.get(0), None);
            let mut seen = Vec::new();
            map.for_each(|doc, slot| seen.push((doc, slot)));
            assert_eq!(seen, vec![(7, 0), (3, 2), (5, 1)]);
        }
        assert_eq!(dense.get(99), None);
    }

    #[test]
    fn a_map_given_many_passages_becomes_an_array_and_keeps_them() {
        let mut map = SlotMap::new(65_536);
        for doc in 0..4096u32 {
            map.insert(doc * 16, doc as usize);
        }
        assert!(matches!(map.cells, Cells::Dense(_)));
        for doc in 0..4096u32 {
            assert_eq!(map.get(doc * 16), Some(doc as usize));
            assert_eq!(map.get(doc * 16 + 1), None);
        }
        let mut count = 0;
        map.for_each(|doc, slot| {
            assert_eq!(doc, slot as u32 * 16);
            count += 1;
        });
        assert_eq!(count, 4096);
        let few = {
            let mut m = SlotMap::new(65_536);
            (0..100).for_each(|d| m.insert(d, 0));
            m
        };
        assert!(matches!(few.cells, Cells::Sparse(_)));
    }
}
