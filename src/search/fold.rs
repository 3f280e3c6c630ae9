//! Folding: the same paragraph found in several documents is one hit.
//!
//! A copy (the same words, whatever the spacing, case or punctuation) and a
//! rewording (a draft and its reissue, a paragraph quoted with small edits
//! in ten board papers) both fold into the hit that ranks first. Rewordings
//! are found by the resemblance of their three-word shingles (Jaccard
//! similarity, or one passage's words running inside a longer one's),
//! looked up through a MinHash sketch so a page of many hits is not
//! compared pairwise.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use rustc_hash::FxBuildHasher;

/// A passage's shingle hashes: already hashes, so hashed again cheaply.
type Shingles = HashSet<u64, FxBuildHasher>;

/// Where a hit is kept: set aside (matching only through its title) or
/// not, and its index in that list.
pub type Slot = (bool, usize);

/// Shingles two passages must share (Jaccard similarity) to be versions of
/// one paragraph: a 60-word paragraph with three words changed keeps ~0.75.
const NEAR: f32 = 0.6;
/// Share of a passage's shingles found in a longer one before checking
/// whether its words run inside that one's (see [`runs_inside`]).
const CONTAINED: f32 = 0.9;
/// Passages of fewer words are folded only when they are copies: a short
/// passage differs by a word and means something else, and templated lines
/// ("Paragraph 12 is about…", table rows) resemble each other by design.
const MIN_WORDS: usize = 25;
/// MinHash values kept per passage; any one shared makes a candidate.
const SKETCH: usize = 8;

/// How a passage relates to a hit already shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Found {
    /// The same words.
    Copy(Slot),
    /// Another version of the paragraph, this similar (0-1).
    Reworded(Slot, f32),
}

/// The paragraphs shown so far, to fold others into.
#[derive(Debug, Default)]
pub struct Folder {
    /// No folding at all (`--no-fold`).
    off: bool,
    by_text: HashMap<String, Slot, FxBuildHasher>,
    by_sketch: HashMap<u64, Vec<Slot>, FxBuildHasher>,
    /// Each hit's shingles and words (see [`Fingerprint`]).
    shingles: HashMap<Slot, (Shingles, String), FxBuildHasher>,
}

impl Folder {
    /// A folder that folds copies and rewordings, or (`fold` false) nothing.
    pub fn new(fold: bool) -> Self {
        Folder {
            off: !fold,
            ..Folder::default()
        }
    }

    /// The shown hit `quote` is a copy or a version of, if any.
    #[cfg(test)]
    fn find(&self, quote: &str) -> Option<Found> {
        self.find_print(&Fingerprint::of(quote))
    }

    /// The shown hit a passage of this fingerprint is a copy or a version
    /// of, if any.
    pub fn find_print(&self, print: &Fingerprint) -> Option<Found> {
        if self.off {
            return None;
        }
        if let Some(&slot) = self.by_text.get(&print.text) {
            return Some(Found::Copy(slot));
        }
        let (shingles, sketch) = print.shingles.as_ref()?;
        let mut best: Option<(Slot, f32)> = None;
        let mut seen: HashSet<Slot, FxBuildHasher> = HashSet::default();
        for &value in sketch {
            for &slot in self.by_sketch.get(&value).into_iter().flatten() {
                if !seen.insert(slot) {
                    continue;
                }
                let (shown, shown_text) = &self.shingles[&slot];
                let (similarity, contained) = resemblance(shingles, shown);
                let version = similarity >= NEAR
                    || (contained >= CONTAINED && runs_inside(&print.text, shown_text));
                if version && best.is_none_or(|(_, b)| similarity > b) {
                    best = Some((slot, similarity));
                }
            }
        }
        best.map(|(slot, similarity)| Found::Reworded(slot, similarity))
    }

    /// Remembers the hit at `slot`.
    pub fn insert(&mut self, quote: &str, slot: Slot) {
        self.insert_print(Fingerprint::of(quote), slot);
    }

    /// Remembers the hit at `slot`, by its fingerprint.
    pub fn insert_print(&mut self, print: Fingerprint, slot: Slot) {
        if self.off {
            return;
        }
        if let Some((shingles, sketch)) = print.shingles {
            for value in sketch {
                self.by_sketch.entry(value).or_default().push(slot);
            }
            self.shingles.insert(slot, (shingles, print.text.clone()));
        }
        self.by_text.insert(print.text, slot);
    }

    /// Forgets every hit (their slots are about to change).
    pub fn clear(&mut self) {
        self.by_text.clear();
        self.by_sketch.clear();
        self.shingles.clear();
    }
}

/// What folding compares of a passage, worked out once whether it is then
/// looked up, remembered or both.
#[derive(Debug)]
pub struct Fingerprint {
    /// Its words, lowercased, one space apart: what a copy shares, however
    /// it is spaced, cased or punctuated.
    text: String,
    /// Hashes of every three consecutive words, and their sketch; `None`
    /// for a passage too short to be matched by resemblance.
    shingles: Option<(Shingles, [u64; SKETCH])>,
}

impl Fingerprint {
    /// The fingerprint of `quote`.
    pub fn of(quote: &str) -> Self {
        let mut text = String::with_capacity(quote.len());
        let mut bounds: Vec<(usize, usize)> = Vec::new();
        for word in quote
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            if !text.is_empty() {
                text.push(' ');
            }
            let start = text.len();
            if word.is_ascii() {
                text.push_str(word);
                text[start..].make_ascii_lowercase();
            } else {
                // Word by word, as a word's lowercase may hold characters
                // that are not alphanumeric ("İ" → "i̇").
                text.extend(word.chars().flat_map(char::to_lowercase));
            }
            bounds.push((start, text.len()));
        }
        let shingles = (bounds.len() >= MIN_WORDS).then(|| {
            let words: Vec<&str> = bounds.iter().map(|&(a, b)| &text[a..b]).collect();
            let shingles: Shingles = words
                .windows(3)
                .map(|w| {
                    let mut h = rustc_hash::FxHasher::default();
                    w.hash(&mut h);
                    h.finish()
                })
                .collect();
            let sketch = sketch(&shingles);
            (shingles, sketch)
        });
        Fingerprint { text, shingles }
    }
}

/// The smallest value of [`SKETCH`] different mixes of the shingles: two
/// sets share each with probability equal to their Jaccard similarity.
fn sketch(shingles: &Shingles) -> [u64; SKETCH] {
    let seeds: [u64; SKETCH] =
        std::array::from_fn(|i| (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut min = [u64::MAX; SKETCH];
    for &s in shingles {
        for (m, seed) in min.iter_mut().zip(seeds) {
            *m = (*m).min(mix(s ^ seed));
        }
    }
    // The sketch index is part of the key: values of different mixes must
    // not meet.
    std::array::from_fn(|i| {
        let m = if shingles.is_empty() { 0 } else { min[i] };
        m.rotate_left(8) ^ i as u64
    })
}

/// A 64-bit finalizer (SplitMix64's): every input bit moves every output bit.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Whether the shorter of two fingerprint texts is the longer's words from
/// one word to another: a paragraph that a PDF's or a text file's
/// conversion ran together with the next is the same paragraph, with more
/// after it. Templated paragraphs that differ in a word ("Hemolytic anemia
/// is a type of anemia…", "Pernicious anemia is…") are not.
fn runs_inside(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    long.match_indices(short).any(|(at, _)| {
        let end = at + short.len();
        (at == 0 || long.as_bytes()[at - 1] == b' ')
            && (end == long.len() || long.as_bytes()[end] == b' ')
    })
}

/// How alike two passages are: the share of all their shingles they
/// share (Jaccard similarity), and the share of the smaller one's that the
/// larger has (containment).
fn resemblance(a: &Shingles, b: &Shingles) -> (f32, f32) {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let shared = small.iter().filter(|s| large.contains(s)).count();
    let union = a.len() + b.len() - shared;
    if union == 0 || small.is_empty() {
        (0.0, 0.0)
    } else {
        (
            shared as f32 / union as f32,
            shared as f32 / small.len() as f32,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARAGRAPH: &str = "Integrated care boards will take on delegated commissioning \
        of pharmacy, optometry and dental services from April 2023, with \
        support from NHS England regional teams during the first year of \
        the new arrangements.";

    #[test]
    fn copies_and_rewordings_fold_and_other_paragraphs_do_not() {
        let mut folder = Folder::new(true);
        folder.insert(PARAGRAPH, (false, 0));
        let copy = PARAGRAPH.to_uppercase().replace(',', " ;");
        assert_eq!(folder.find(&copy), Some(Found::Copy((false, 0))));
        let reworded = PARAGRAPH
            .replace("April 2023", "July 2023")
            .replace("first year", "first two years");
        match folder.find(&reworded) {
            Some(Found::Reworded((false, 0), s)) => assert!((NEAR..1.0).contains(&s), "{s}"),
            other => panic!("{other:?}"),
        }
        let other = "Virtual wards let patients who would otherwise be in hospital \
            receive acute care, monitoring and treatment at home, including \
            in their usual place of residence such as a care home.";
        assert_eq!(folder.find(other), None);
        // Short passages fold only as copies.
        folder.insert("Chapter 2 finance and performance", (false, 1));
        assert_eq!(folder.find("Chapter 3 finance and performance"), None);
        let templated = |i: u32| {
            format!("Paragraph {i} is about nursing in the community and the plans for it.")
        };
        folder.insert(&templated(1), (false, 2));
        assert_eq!(folder.find(&templated(2)), None);
        assert_eq!(
            folder.find("chapter 2: Finance and Performance"),
            Some(Found::Copy((false, 1)))
        );
    }

    #[test]
    fn a_paragraph_run_together_with_the_next_folds_and_a_templated_one_does_not() {
        let next = "Virtual wards let patients who would otherwise be in hospital \
            receive acute care, monitoring and treatment at home, including in \
            their usual place of residence such as a care home, and the evidence \
            for them is growing across several integrated care systems.";
        let glued = format!("{PARAGRAPH} {next}");
        // Too different as wholes to be versions of each other.
        let (similarity, _) = resemblance(
            &Fingerprint::of(PARAGRAPH).shingles.unwrap().0,
            &Fingerprint::of(&glued).shingles.unwrap().0,
        );
        assert!(similarity < NEAR, "{similarity}");
        // Either found first, the other folds into it.
        let mut folder = Folder::new(true);
        folder.insert(PARAGRAPH, (false, 0));
        assert!(matches!(
            folder.find(&glued),
            Some(Found::Reworded((false, 0), _))
        ));
        let mut folder = Folder::new(true);
        folder.insert(&glued, (false, 0));
        assert!(matches!(
            folder.find(PARAGRAPH),
            Some(Found::Reworded((false, 0), _))
        ));
        // A template filled in with another word is another paragraph, even
        // where nearly all of its shingles are in a longer one.
        let template = |what: &str| {
            format!(
                "{what} anemia is a type of anemia. The term anemia usually refers to a \
                 condition in which the blood has a lower than normal number of red blood \
                 cells. Anemia also can occur if your red blood cells don't contain enough \
                 hemoglobin."
            )
        };
        let mut folder = Folder::new(true);
        folder.insert(&format!("{} {next}", template("Pernicious")), (false, 0));
        assert_eq!(folder.find(&template("Hemolytic")), None);
        // A passage's words inside another's, but not from word to word.
        assert!(runs_inside("care boards", "integrated care boards will"));
        assert!(!runs_inside("care board", "integrated care boards will"));
    }

    #[test]
    fn a_fingerprint_is_the_words_lowercased_one_space_apart() {
        assert_eq!(
            Fingerprint::of("  The NHS,  in\tEngland. ").text,
            "the nhs in england"
        );
        // A word is lowercased whole, even where its lowercase is longer.
        assert_eq!(
            Fingerprint::of("İstanbul accord").text,
            "i\u{307}stanbul accord"
        );
        assert!(Fingerprint::of("too short").shingles.is_none());
        let long = Fingerprint::of(PARAGRAPH);
        let words = long.text.split(' ').count();
        assert_eq!(long.shingles.map(|(s, _)| s.len()), Some(words - 2));
    }

    #[test]
    fn folding_off_finds_nothing() {
        let mut folder = Folder::new(false);
        folder.insert(PARAGRAPH, (false, 0));
        assert_eq!(folder.find(PARAGRAPH), None);
    }
}
