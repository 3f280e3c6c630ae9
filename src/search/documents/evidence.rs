//! The evidence a document's score is made of, read from the postings
//! segment by segment: term frequencies summed over its passages, title
//! matches, and how close the query's terms stand in its best passage.

use std::collections::{BTreeSet, HashMap};

use tantivy::columnar::Column;
use tantivy::fastfield::AliveBitSet;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, InvertedIndexReader, SegmentReader, Term, TERMINATED};

use super::ranker::RankedDoc;
use super::slots::{KeyHasher, SlotMap};
use super::terms::WeightedTerm;
use crate::error::Result;
use crate::index::schema::Fields;
use crate::query::deadline::Deadline;
use crate::search::DocParams;

/// Per passage: the positions of each typed term in it.
type Positions = HashMap<DocId, Vec<(usize, Vec<u32>)>, KeyHasher>;

/// No passage (yet): after every real one.
const NO_PASSAGE: (u32, DocId) = (u32::MAX, DocId::MAX);

/// Evidence per document: documents get slots, and their per-term evidence
/// lives in flat arrays, one cell per term and slot.
#[derive(Clone)]
pub struct Evidence {
    /// Number of query terms.
    n: usize,
    slots: HashMap<u64, usize, KeyHasher>,
    keys: Vec<u64>,
    /// Each document's first passage read ([`NO_PASSAGE`] while none is).
    first_passage: Vec<(u32, DocId)>,
    length: Vec<f32>,
    tf: Vec<f32>,
    title_tf: Vec<f32>,
    /// Each document's title length in terms (0 until read).
    title_len: Vec<f32>,
    proximity: Vec<f32>,
    doc_freq: Vec<f32>,
}

impl Evidence {
    /// No evidence yet, for `n` query terms.
    pub fn new(n: usize) -> Self {
        Evidence {
            n,
            slots: HashMap::default(),
            keys: Vec::new(),
            first_passage: Vec::new(),
            length: Vec::new(),
            tf: Vec::new(),
            title_tf: Vec::new(),
            title_len: Vec::new(),
            proximity: Vec::new(),
            doc_freq: vec![0f32; n],
        }
    }

    /// No evidence yet for `n` other terms, of the documents `keys` only
    /// (those not known are skipped); also each known slot's new slot
    /// (`u32::MAX` for a document left out).
    pub fn subset(&self, keys: &[u64], n: usize) -> (Self, Vec<u32>) {
        let mut out = Evidence::new(n);
        let mut remap = vec![u32::MAX; self.keys.len()];
        for key in keys {
            let Some(&old) = self.slots.get(key) else {
                continue;
            };
            if remap[old] != u32::MAX {
                continue;
            }
            let new = out.slot(*key, || self.length[old]);
            out.first_passage[new] = self.first_passage[old];
            out.title_len[new] = self.title_len[old];
            remap[old] = new as u32;
        }
        (out, remap)
    }

    /// Number of documents containing each term.
    pub fn doc_freq(&self) -> &[f32] {
        &self.doc_freq
    }

    /// The slot of document `key`, made when first seen.
    fn slot(&mut self, key: u64, length: impl FnOnce() -> f32) -> usize {
        *self.slots.entry(key).or_insert_with(|| {
            self.keys.push(key);
            self.first_passage.push(NO_PASSAGE);
            self.length.push(length());
            self.tf.resize(self.tf.len() + self.n, 0.0);
            self.title_tf.resize(self.title_tf.len() + self.n, 0.0);
            self.title_len.push(0.0);
            self.proximity.push(0.0);
            self.keys.len() - 1
        })
    }

    /// Adds to this evidence (of the segments before) `other`'s, of the
    /// segment `pass` read: the documents' counts summed, their titles'
    /// taken once; `pass`'s passages then map to slots here.
    pub fn absorb(&mut self, other: Evidence, pass: &mut SegmentPass) {
        if self.keys.is_empty() {
            // The first segment's evidence is the whole so far.
            *self = other;
            return;
        }
        let mut remap = Vec::with_capacity(other.keys.len());
        for (o, &key) in other.keys.iter().enumerate() {
            let slot = self.slot(key, || other.length[o]);
            remap.push(slot);
            self.merge(slot, &other, o);
            self.first_passage[slot] = self.first_passage[slot].min(other.first_passage[o]);
        }
        pass.slots.remap(&remap);
        for (_, slot) in &mut pass.titled {
            *slot = remap[*slot];
        }
    }

    /// Counts as read every passage with the query in its title of the
    /// documents found only through their titles: their passages answer
    /// alike, and which of them a segment holds, or was read first, must
    /// not decide where feedback counts their words.
    pub fn read_titles(&mut self, passes: &mut [SegmentPass]) {
        let untouched: Vec<bool> = self
            .first_passage
            .iter()
            .map(|&p| p == NO_PASSAGE)
            .collect();
        for pass in passes {
            for (doc, slot) in std::mem::take(&mut pass.titled) {
                if untouched[slot] {
                    pass.slots.insert(doc, slot);
                    let first = &mut self.first_passage[slot];
                    *first = (*first).min((pass.ord, doc));
                }
            }
        }
    }

    /// Takes in the proximity found per slot (by
    /// [`SegmentPass::proximity`]): a document counts its best passage's.
    pub fn add_proximity(&mut self, found: &[(usize, f32)]) {
        for &(slot, prox) in found {
            self.proximity[slot] = self.proximity[slot].max(prox);
        }
    }

    /// Adds `other`'s counts, read from other segments for the same slots
    /// (a copy of this evidence before it was read into): the same as if
    /// they had been read here, whichever is added first, since counts
    /// are whole numbers and titles are taken once.
    pub fn add_counts(&mut self, other: &Evidence) {
        debug_assert_eq!(self.keys, other.keys);
        for slot in 0..self.keys.len() {
            self.merge(slot, other, slot);
        }
    }

    /// Adds `other`'s evidence of its slot `from` to this `slot`: the
    /// passages' counts summed (a term's document counted once), the
    /// title's taken once.
    fn merge(&mut self, slot: usize, other: &Evidence, from: usize) {
        let n = self.n;
        for i in 0..n {
            let tf = other.tf[from * n + i];
            if tf > 0.0 {
                self.count(slot, i, tf);
            }
            let cell = &mut self.title_tf[slot * n + i];
            *cell = cell.max(other.title_tf[from * n + i]);
        }
        self.title_len[slot] = self.title_len[slot].max(other.title_len[from]);
    }

    /// Counts `tf` occurrences of term `i` in a passage of `slot`'s document.
    fn count(&mut self, slot: usize, i: usize, tf: f32) {
        let cell = &mut self.tf[slot * self.n + i];
        if *cell == 0.0 {
            self.doc_freq[i] += 1.0;
        }
        *cell += tf;
    }

    /// Each slot's score without proximity: per term, BM25 over the
    /// document's text and (weighted) over its title, with `weight` (the
    /// term's weight times its idf); per query unit, its best alternative.
    pub fn scores(
        &self,
        terms: &[WeightedTerm],
        weight: &[f32],
        p: &DocParams,
        average_length: f32,
        average_title: f32,
    ) -> Vec<f32> {
        let n = self.n;
        let alts = Alternatives::new(terms);
        let mut alt_sum = vec![0f32; alts.unit.len()];
        let mut unit_best = vec![0f32; alts.units];
        let mut scores = Vec::with_capacity(self.keys.len());
        for slot in 0..self.keys.len() {
            alt_sum.iter_mut().for_each(|v| *v = 0.0);
            unit_best.iter_mut().for_each(|v| *v = 0.0);
            let norm = p.k1 * (1.0 - p.b + p.b * self.length[slot] / average_length);
            for i in 0..n {
                let (t, tt) = (self.tf[slot * n + i], self.title_tf[slot * n + i]);
                let mut score = 0.0;
                if t > 0.0 {
                    score += weight[i] * t * (p.k1 + 1.0) / (t + norm);
                }
                if tt > 0.0 {
                    let length = self.title_len[slot] / average_title.max(1.0);
                    let title_norm = p.k1 * (1.0 - p.title_b + p.title_b * length);
                    score += p.title_weight * weight[i] * tt * (p.k1 + 1.0) / (tt + title_norm);
                }
                alt_sum[alts.of_term[i]] += score * terms[i].scale;
            }
            for (a, &sum) in alt_sum.iter().enumerate() {
                let best = &mut unit_best[alts.unit[a]];
                *best = best.max(sum);
            }
            scores.push(unit_best.iter().sum::<f32>());
        }
        scores
    }

    /// The `m` slots that score best without proximity, marked: the only
    /// documents whose proximity is worth reading. Equal scores are told
    /// apart by key, so which documents make the cut does not depend on the
    /// order they were found in.
    pub fn leading(&self, scores: &[f32], m: usize) -> Vec<bool> {
        let mut order: Vec<usize> = (0..scores.len()).collect();
        if order.len() > m {
            order.select_nth_unstable_by(m, |&a, &b| {
                scores[b]
                    .total_cmp(&scores[a])
                    .then_with(|| self.keys[a].cmp(&self.keys[b]))
            });
            order.truncate(m);
        }
        let mut marked = vec![false; scores.len()];
        for slot in order {
            marked[slot] = true;
        }
        marked
    }

    /// The documents scored, best first: `scores` (from [`Self::scores`])
    /// plus proximity.
    pub fn ranked(&self, scores: &[f32], p: &DocParams) -> Vec<RankedDoc> {
        self.ranked_top(scores, p, usize::MAX, |_| true)
    }

    /// The `depth` best documents whose key is `allowed`, best first, as
    /// [`Self::ranked`] orders them. Only they are sorted and made
    /// [`RankedDoc`]s: a common word's documents number tens of thousands
    /// on a large index, and sorting them all was a fifth of a query.
    pub fn ranked_top(
        &self,
        scores: &[f32],
        p: &DocParams,
        depth: usize,
        allowed: impl Fn(u64) -> bool,
    ) -> Vec<RankedDoc> {
        let score = |slot: usize| scores[slot] + p.proximity_weight * self.proximity[slot];
        let mut slots: Vec<(f32, u64, u32)> = (0..scores.len())
            .filter(|&slot| allowed(self.keys[slot]))
            .map(|slot| (score(slot), self.keys[slot], slot as u32))
            .collect();
        // Best first; among equal scores, by key: a total order, so the
        // leading `depth` are the same however many are sorted.
        let order = |a: &(f32, u64, u32), b: &(f32, u64, u32)| {
            b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1))
        };
        if depth < slots.len() {
            if depth == 0 {
                return Vec::new();
            }
            slots.select_nth_unstable_by(depth - 1, order);
            slots.truncate(depth);
        }
        slots.sort_unstable_by(order);
        slots
            .into_iter()
            .map(|(score, key, slot)| RankedDoc {
                key,
                score,
                passages: vec![self.first_passage[slot as usize]],
            })
            .collect()
    }
}

/// Units and alternatives as dense indices, for per-document sums.
struct Alternatives {
    /// Each term's alternative.
    of_term: Vec<usize>,
    /// Each alternative's unit.
    unit: Vec<usize>,
    /// Number of units.
    units: usize,
}

impl Alternatives {
    fn new(terms: &[WeightedTerm]) -> Self {
        let all = terms
            .iter()
            .map(|t| (t.unit, t.alt))
            .collect::<BTreeSet<_>>();
        let index: HashMap<(usize, usize), usize> =
            all.iter().enumerate().map(|(i, &ua)| (ua, i)).collect();
        Alternatives {
            of_term: terms.iter().map(|t| index[&(t.unit, t.alt)]).collect(),
            unit: all.iter().map(|&(u, _)| u).collect(),
            units: terms.iter().map(|t| t.unit + 1).max().unwrap_or(0),
        }
    }
}

/// The passages of one segment whose documents are kept in a subset of the
/// evidence: in passage order, and as a passage → new slot lookup.
pub struct Kept {
    list: Vec<(DocId, u32)>,
    /// Each document's first passage in `list`: where its title is read
    /// (it repeats in every passage).
    firsts: Vec<(DocId, u32)>,
    /// Each first-pass slot's kept slot, `u32::MAX` if not kept.
    remap: Vec<u32>,
}

/// Reading one segment's postings into the evidence.
pub struct SegmentPass<'s> {
    ord: u32,
    fields: Fields,
    keys: Column<u64>,
    lengths: Column<u64>,
    body: std::sync::Arc<InvertedIndexReader>,
    title: std::sync::Arc<InvertedIndexReader>,
    title_lengths: tantivy::fieldnorm::FieldNormReader,
    alive: Option<&'s AliveBitSet>,
    /// Per passage: its document's slot (looked up once per passage).
    slots: SlotMap,
    /// The document key and slot of the last passage given a slot.
    last: Option<(u64, usize)>,
    /// Passages matched through their title only so far, with their slots.
    titled: Vec<(DocId, usize)>,
}

impl<'s> SegmentPass<'s> {
    /// Prepares to read segment number `ord`.
    pub fn new(ord: u32, segment: &'s SegmentReader, fields: Fields) -> Result<Self> {
        Ok(SegmentPass {
            ord,
            fields,
            keys: segment.fast_fields().u64("doc_key")?,
            lengths: segment.fast_fields().u64("doc_len")?,
            body: segment.inverted_index(fields.body)?,
            title: segment.inverted_index(fields.title)?,
            title_lengths: segment.get_fieldnorms_reader(fields.title)?,
            alive: segment.alive_bitset(),
            slots: SlotMap::new(segment.max_doc()),
            last: None,
            titled: Vec::new(),
        })
    }

    /// Counts term `i` in every passage's text, giving new documents slots.
    pub fn read_text(&mut self, ev: &mut Evidence, i: usize, term: &str) -> Result<()> {
        let term = Term::from_field_text(self.fields.body, term);
        let Some(mut postings) = read_postings(&self.body, &term, IndexRecordOption::WithFreqs)?
        else {
            return Ok(());
        };
        let mut doc = postings.doc();
        while doc != TERMINATED {
            if let Some(slot) = self.slot(ev, doc) {
                ev.count(slot, i, postings.term_freq() as f32);
            }
            doc = postings.advance();
        }
        Ok(())
    }

    /// The passages read of the documents kept in `remap` (see
    /// [`Evidence::subset`]), each with its new slot.
    pub fn passages_kept(&self, remap: &[u32]) -> Kept {
        self.passages_where(remap.to_vec())
    }

    /// The passages read of the `marked` documents (by slot), each with
    /// its slot.
    fn passages_marked(&self, marked: &[bool]) -> Kept {
        let remap = (0..marked.len() as u32)
            .map(|s| if marked[s as usize] { s } else { u32::MAX })
            .collect();
        self.passages_where(remap)
    }

    /// The passages read whose slot `remap` maps to a slot (not
    /// `u32::MAX`), with it.
    fn passages_where(&self, remap: Vec<u32>) -> Kept {
        let mut list: Vec<(DocId, u32)> = Vec::new();
        self.slots.for_each(|doc, slot| {
            if let Some(&kept) = remap.get(slot).filter(|&&s| s != u32::MAX) {
                list.push((doc, kept));
            }
        });
        list.sort_unstable();
        let mut seen = vec![false; list.iter().map(|&(_, s)| s as usize + 1).max().unwrap_or(0)];
        let firsts = list
            .iter()
            .filter(|&&(_, slot)| !std::mem::replace(&mut seen[slot as usize], true))
            .copied()
            .collect();
        Kept {
            list,
            firsts,
            remap,
        }
    }

    /// The kept slot of passage `doc`, if it is one of `kept`'s.
    fn kept_slot(&self, kept: &Kept, doc: DocId) -> Option<u32> {
        let slot = self.slots.get(doc)?;
        kept.remap.get(slot).copied().filter(|&s| s != u32::MAX)
    }

    /// Counts term `i` in the text and title of the `kept` passages only.
    pub fn read_at(&self, ev: &mut Evidence, i: usize, term: &str, kept: &Kept) -> Result<()> {
        let text = Term::from_field_text(self.fields.body, term);
        let title = Term::from_field_text(self.fields.title, term);
        let option = IndexRecordOption::WithFreqs;
        visit_kept(
            &self.body,
            &text,
            option,
            &kept.list,
            |d| self.kept_slot(kept, d),
            |slot, postings| {
                ev.count(slot as usize, i, postings.term_freq() as f32);
            },
        )?;
        visit_kept(
            &self.title,
            &title,
            option,
            &kept.firsts,
            |d| self.kept_slot(kept, d),
            |slot, postings| {
                // The title repeats in every passage: count it once.
                let cell = &mut ev.title_tf[slot as usize * ev.n + i];
                *cell = cell.max(postings.term_freq() as f32);
                ev.title_len[slot as usize] = self.title_lengths.fieldnorm(postings.doc()) as f32;
            },
        )
    }

    /// The proximity of the typed terms in each passage read of the
    /// `marked` documents (by slot): each such document's best passage's,
    /// by slot.
    pub fn proximity(
        &self,
        marked: &[bool],
        terms: &[WeightedTerm],
        idf: &[f32],
        window: u32,
        deadline: &Deadline,
    ) -> Result<Vec<(usize, f32)>> {
        let kept = self.passages_marked(marked);
        let mut positions: Positions = HashMap::default();
        for (i, t) in terms.iter().enumerate().filter(|(_, t)| !t.feedback) {
            deadline.check()?;
            self.read_positions(i, &t.term, &kept, &mut positions)?;
        }
        let mut best: HashMap<usize, f32, KeyHasher> = HashMap::default();
        for (doc, term_positions) in positions {
            if term_positions.len() < 2 {
                continue;
            }
            if let Some(slot) = self.slots.get(doc) {
                let prox = proximity(&term_positions, terms, idf, window);
                let cell = best.entry(slot).or_insert(0.0);
                *cell = cell.max(prox);
            }
        }
        Ok(best.into_iter().collect())
    }

    /// Reads the positions of term `i` in the `kept` passages into
    /// `positions`.
    fn read_positions(
        &self,
        i: usize,
        term: &str,
        kept: &Kept,
        positions: &mut Positions,
    ) -> Result<()> {
        let term = Term::from_field_text(self.fields.body, term);
        let option = IndexRecordOption::WithFreqsAndPositions;
        visit_kept(
            &self.body,
            &term,
            option,
            &kept.list,
            |d| self.kept_slot(kept, d),
            |_, postings| {
                let mut pos = Vec::with_capacity(postings.term_freq() as usize);
                postings.positions(&mut pos);
                positions.entry(postings.doc()).or_default().push((i, pos));
            },
        )
    }

    /// Reads term `i` in the document's title (not its headings: a long
    /// report has a heading for most words, and each would count as if it
    /// were the title). A document whose title has the term is ranked even
    /// if its text writes it otherwise (a title's "p16INK4a-Luciferase",
    /// the text's "p16(INK4a)"): its passages match the query through the
    /// title, so it can be shown.
    pub fn read_title(&mut self, ev: &mut Evidence, i: usize, term: &str) -> Result<()> {
        let term = Term::from_field_text(self.fields.title, term);
        let Some(mut postings) = read_postings(&self.title, &term, IndexRecordOption::WithFreqs)?
        else {
            return Ok(());
        };
        let mut doc = postings.doc();
        while doc != TERMINATED {
            if let Some(slot) = self.title_slot(ev, doc) {
                // The title repeats in every passage: count it once.
                let cell = &mut ev.title_tf[slot * ev.n + i];
                *cell = cell.max(postings.term_freq() as f32);
                ev.title_len[slot] = self.title_lengths.fieldnorm(doc) as f32;
            }
            doc = postings.advance();
        }
        Ok(())
    }

    /// The slot of passage `doc`'s document, found through its title: a
    /// passage whose text matched has one; any other is not counted as
    /// read (its text has none of the query) unless its document is found
    /// only through its title (see [`Evidence::read_titles`]).
    fn title_slot(&mut self, ev: &mut Evidence, doc: DocId) -> Option<usize> {
        if let Some(slot) = self.slots.get(doc) {
            return Some(slot);
        }
        let key = self.key(doc)?;
        let slot = self.document(ev, doc, key);
        self.titled.push((doc, slot));
        Some(slot)
    }

    /// The document key of passage `doc`: none if it is deleted or has no
    /// document.
    fn key(&self, doc: DocId) -> Option<u64> {
        if !self.alive.is_none_or(|a| a.is_alive(doc)) {
            return None;
        }
        self.keys.first(doc)
    }

    /// The slot of passage `doc`'s document: none for a deleted passage or
    /// one without a document.
    fn slot(&mut self, ev: &mut Evidence, doc: DocId) -> Option<usize> {
        if let Some(slot) = self.slots.get(doc) {
            return Some(slot);
        }
        let key = self.key(doc)?;
        let slot = self.document(ev, doc, key);
        let first = &mut ev.first_passage[slot];
        *first = (*first).min((self.ord, doc));
        self.slots.insert(doc, slot);
        Some(slot)
    }

    /// The slot of document `key`, which passage `doc` is of.
    fn document(&mut self, ev: &mut Evidence, doc: DocId, key: u64) -> usize {
        // A document's passages are neighbours in a segment, so the last
        // document seen is the likeliest: no hash lookup for it.
        match self.last {
            Some((last, slot)) if last == key => slot,
            _ => {
                let lengths = &self.lengths;
                let slot = ev.slot(key, || lengths.first(doc).unwrap_or(1) as f32);
                self.last = Some((key, slot));
                slot
            }
        }
    }
}

/// Hands `each` the postings of `term` positioned at kept passages that
/// have it, with the passage's kept slot: walking the postings when they
/// are fewer than the `targets` (some or all kept passages, in order), at
/// every passage `kept_slot` knows; else skipping through them to each target
/// (a common word's postings are far longer than the passages of the
/// leading documents).
fn visit_kept(
    index: &InvertedIndexReader,
    term: &Term,
    option: IndexRecordOption,
    targets: &[(DocId, u32)],
    kept_slot: impl Fn(DocId) -> Option<u32>,
    mut each: impl FnMut(u32, &mut SegmentPostings),
) -> Result<()> {
    if targets.is_empty() {
        return Ok(());
    }
    let Some(info) = index
        .get_term_info(term)
        .map_err(tantivy::TantivyError::from)?
    else {
        return Ok(());
    };
    let mut postings = index
        .read_postings_from_terminfo(&info, option)
        .map_err(tantivy::TantivyError::from)?;
    if (info.doc_freq as usize) < targets.len() {
        let mut doc = postings.doc();
        while doc != TERMINATED {
            if let Some(slot) = kept_slot(doc) {
                each(slot, &mut postings);
            }
            doc = postings.advance();
        }
    } else {
        for &(doc, slot) in targets {
            let mut at = postings.doc();
            if at < doc {
                at = postings.seek(doc);
            }
            if at == TERMINATED {
                break;
            }
            if at == doc {
                each(slot, &mut postings);
            }
        }
    }
    Ok(())
}

fn read_postings(
    index: &InvertedIndexReader,
    term: &Term,
    option: IndexRecordOption,
) -> Result<Option<tantivy::postings::SegmentPostings>> {
    Ok(index
        .read_postings(term, option)
        .map_err(tantivy::TantivyError::from)?)
}

/// Proximity of query terms in one passage: for each pair of distinct terms,
/// how close their nearest occurrences are (1 when adjacent, falling with the
/// square of the distance, 0 beyond `window`).
fn proximity(
    term_positions: &[(usize, Vec<u32>)],
    terms: &[WeightedTerm],
    idf: &[f32],
    window: u32,
) -> f32 {
    let mut score = 0.0;
    for (a, (i, pa)) in term_positions.iter().enumerate() {
        for (j, pb) in &term_positions[a + 1..] {
            if i == j || terms[*i].unit == terms[*j].unit {
                continue;
            }
            let mut best = u32::MAX;
            let (mut x, mut y) = (0, 0);
            while x < pa.len() && y < pb.len() {
                let d = pa[x].abs_diff(pb[y]);
                best = best.min(d);
                if pa[x] < pb[y] {
                    x += 1;
                } else {
                    y += 1;
                }
            }
            if best >= 1 && best <= window {
                let w = terms[*i].weight.min(terms[*j].weight) * idf[*i].min(idf[*j]);
                score += w / (best * best) as f32;
            }
        }
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_apart_add_up_as_if_read_in_one() {
        let mut whole = Evidence::new(2);
        for key in [7, 8, 9] {
            whole.slot(key, || 10.0);
        }
        let (mut one, mut other) = (whole.clone(), whole.clone());
        // Document 7 has term 0 in both halves; 8 term 1 in one; 9 none.
        whole.count(0, 0, 2.0);
        one.count(0, 0, 2.0);
        whole.count(0, 0, 3.0);
        other.count(0, 0, 3.0);
        whole.count(1, 1, 1.0);
        other.count(1, 1, 1.0);
        other.title_tf[1] = 1.0;
        whole.title_tf[1] = 1.0;
        other.title_len[0] = 4.0;
        whole.title_len[0] = 4.0;
        let mut added = Evidence::new(2);
        for key in [7, 8, 9] {
            added.slot(key, || 10.0);
        }
        added.add_counts(&one);
        added.add_counts(&other);
        assert_eq!(added.tf, whole.tf);
        assert_eq!(added.doc_freq, [1.0, 1.0]);
        assert_eq!(added.doc_freq, whole.doc_freq);
        assert_eq!(added.title_tf, whole.title_tf);
        assert_eq!(added.title_len, whole.title_len);
    }

    #[test]
    fn only_the_leading_documents_are_marked_for_proximity() {
        let mut ev = Evidence::new(1);
        for key in [50, 40, 30, 20, 10] {
            ev.slot(key, || 1.0);
        }
        let scores = [0.5, 3.0, 1.0, 2.0, 0.1];
        assert_eq!(ev.leading(&scores, 2), [false, true, false, true, false]);
        assert_eq!(ev.leading(&scores, 9), [true; 5]);
        assert_eq!(ev.leading(&scores, 0), [false; 5]);
        // Among equal scores the smaller keys make the cut, wherever
        // their documents were found.
        let tied = [1.0; 5];
        assert_eq!(ev.leading(&tied, 2), [false, false, false, true, true]);
    }

    #[test]
    fn the_leading_documents_are_ranked_as_all_of_them_are() {
        let mut ev = Evidence::new(1);
        // Equal scores in pairs: the key breaks ties, however deep.
        let scores = [0.5, 3.0, 1.0, 3.0, 0.1, 1.0, 2.0];
        for key in 0..scores.len() as u64 {
            ev.slot(100 - key, || 1.0);
        }
        let p = DocParams::default();
        let all = ev.ranked(&scores, &p);
        let keys = |r: &[RankedDoc]| r.iter().map(|d| d.key).collect::<Vec<_>>();
        assert_eq!(keys(&all), [97, 99, 94, 95, 98, 100, 96]);
        for depth in 0..=scores.len() + 1 {
            let top = ev.ranked_top(&scores, &p, depth, |_| true);
            assert_eq!(top, all[..depth.min(all.len())], "depth {depth}");
        }
        let odd = ev.ranked_top(&scores, &p, 2, |k| k % 2 == 1);
        assert_eq!(keys(&odd), [97, 99]);
        let even = ev.ranked_top(&scores, &p, 2, |k| k % 2 == 0);
        assert_eq!(keys(&even), [94, 98]);
    }

    #[test]
    fn title_b_favours_a_match_in_a_short_title() {
        let mut ev = Evidence::new(1);
        for key in 0..2 {
            let slot = ev.slot(key, || 100.0);
            ev.title_tf[slot] = 1.0;
            ev.title_len[slot] = if key == 0 { 4.0 } else { 40.0 };
        }
        let term = WeightedTerm {
            term: "t".into(),
            weight: 1.0,
            unit: 0,
            alt: 0,
            scale: 1.0,
            feedback: false,
        };
        let flat = DocParams::default();
        let s = ev.scores(std::slice::from_ref(&term), &[1.0], &flat, 100.0, 10.0);
        assert_eq!(s[0], s[1]);
        let normalised = DocParams {
            title_b: 0.75,
            ..DocParams::default()
        };
        let s = ev.scores(
            std::slice::from_ref(&term),
            &[1.0],
            &normalised,
            100.0,
            10.0,
        );
        assert!(s[0] > s[1], "{s:?}");
    }

    #[test]
    fn proximity_rewards_adjacent_terms() {
        let term = |t: &str, unit| WeightedTerm {
            term: t.into(),
            weight: 1.0,
            unit,
            alt: 0,
            scale: 1.0,
            feedback: false,
        };
        let terms = vec![term("a", 0), term("b", 1)];
        let idf = [1.0, 1.0];
        let near = proximity(&[(0, vec![3]), (1, vec![4])], &terms, &idf, 5);
        let far = proximity(&[(0, vec![3]), (1, vec![7])], &terms, &idf, 5);
        let out = proximity(&[(0, vec![3]), (1, vec![20])], &terms, &idf, 5);
        assert!(near > far && far > out);
        assert_eq!(out, 0.0);
    }
}
