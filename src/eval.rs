//! Relevance evaluation with trec_eval's semantics: queries, judgements
//! (qrels), runs, and the measures nDCG@10, Recall@100, MAP and MRR@10.
//!
//! A document is relevant when its grade is above 0; nDCG's gain is the
//! grade; documents with equal scores are ordered by descending id, as
//! trec_eval orders them; a judged query without results scores 0, and the
//! mean is over all judged queries.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::search::trec_order;

/// A query to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Its id.
    pub id: String,
    /// Its text.
    pub text: String,
}

/// Relevance judgements: query id → document id → grade.
pub type Qrels = HashMap<String, HashMap<String, i64>>;

/// A run: query id → ranked `(document id, score)`.
pub type Run = HashMap<String, Vec<(String, f32)>>;

/// Reads queries from `.jsonl` (`{"_id", "text"}` per line) or `.tsv`
/// (`id<TAB>text`, an optional header).
pub fn load_queries(path: &Path) -> Result<Vec<Query>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let bad = |n: usize, why: &str| Error::Usage(format!("{}:{n}: {why}", path.display()));
    let jsonl = path
        .extension()
        .is_some_and(|e| e == "jsonl" || e == "ndjson")
        || text.trim_start().starts_with('{');
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if jsonl {
            let v: serde_json::Value =
                serde_json::from_str(line).map_err(|e| bad(i + 1, &e.to_string()))?;
            let id = match &v["_id"] {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                _ => return Err(bad(i + 1, "no \"_id\"")),
            };
            let text = v["text"]
                .as_str()
                .ok_or_else(|| bad(i + 1, "no \"text\""))?;
            out.push(Query {
                id,
                text: text.to_string(),
            });
        } else {
            let Some((id, text)) = line.split_once('\t') else {
                return Err(bad(i + 1, "expected id<TAB>text"));
            };
            if i == 0 && matches!(id.trim(), "id" | "qid" | "query-id" | "query_id" | "_id") {
                continue;
            }
            out.push(Query {
                id: id.trim().to_string(),
                text: text.trim().to_string(),
            });
        }
    }
    Ok(out)
}

/// Reads judgements: BEIR TSV (`query-id corpus-id score`, with header) or
/// TREC qrels (`qid 0 docid grade`).
pub fn load_qrels(path: &Path) -> Result<Qrels> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut out: Qrels = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let (q, d, g) = match cols.as_slice() {
            [] => continue,
            [q, d, g] => (*q, *d, *g),
            [q, _, d, g] => (*q, *d, *g),
            _ => {
                return Err(Error::Usage(format!(
                    "{}:{}: expected `query-id corpus-id score` or `qid 0 docid grade`",
                    path.display(),
                    i + 1
                )))
            }
        };
        let Ok(grade) = g.parse::<i64>() else {
            if i == 0 {
                continue; // header
            }
            return Err(Error::Usage(format!(
                "{}:{}: grade {g:?} is not a number",
                path.display(),
                i + 1
            )));
        };
        out.entry(q.to_string())
            .or_default()
            .insert(d.to_string(), grade);
    }
    Ok(out)
}

/// Mean scores over the judged queries.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Metrics {
    /// Judged queries averaged over.
    pub queries: usize,
    /// nDCG at 10 (gain = grade).
    pub ndcg_10: f64,
    /// Recall at 100.
    pub recall_100: f64,
    /// Mean average precision over the whole run.
    pub map: f64,
    /// Mean reciprocal rank within the top 10.
    pub mrr_10: f64,
}

impl fmt::Display for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "queries     {}", self.queries)?;
        writeln!(f, "nDCG@10     {:.4}", self.ndcg_10)?;
        writeln!(f, "Recall@100  {:.4}", self.recall_100)?;
        writeln!(f, "MAP         {:.4}", self.map)?;
        writeln!(f, "MRR@10      {:.4}", self.mrr_10)
    }
}

/// Scores `run` against `qrels`.
pub fn evaluate(run: &Run, qrels: &Qrels) -> Metrics {
    let mut judged: Vec<(&String, &HashMap<String, i64>)> = qrels
        .iter()
        .filter(|(_, docs)| docs.values().any(|&g| g > 0))
        .collect();
    // Summed in query order, so the figures are the same from run to run.
    judged.sort_by(|a, b| a.0.cmp(b.0));
    let mut sums = [0.0f64; 4];
    for (qid, grades) in &judged {
        let mut results = run.get(*qid).cloned().unwrap_or_default();
        trec_order(&mut results);
        let grade = |d: &str| grades.get(d).copied().unwrap_or(0).max(0);
        let relevant = grades.values().filter(|&&g| g > 0).count();

        let dcg: f64 = results
            .iter()
            .take(10)
            .enumerate()
            .map(|(i, (d, _))| grade(d) as f64 / ((i + 2) as f64).log2())
            .sum();
        let mut ideal: Vec<i64> = grades.values().copied().filter(|&g| g > 0).collect();
        ideal.sort_unstable_by(|a, b| b.cmp(a));
        let idcg: f64 = ideal
            .iter()
            .take(10)
            .enumerate()
            .map(|(i, &g)| g as f64 / ((i + 2) as f64).log2())
            .sum();
        sums[0] += if idcg > 0.0 { dcg / idcg } else { 0.0 };

        let found_100 = results
            .iter()
            .take(100)
            .filter(|(d, _)| grade(d) > 0)
            .count();
        sums[1] += found_100 as f64 / relevant as f64;

        let mut hits = 0;
        let mut precision_sum = 0.0;
        for (i, (d, _)) in results.iter().enumerate() {
            if grade(d) > 0 {
                hits += 1;
                precision_sum += hits as f64 / (i + 1) as f64;
            }
        }
        sums[2] += precision_sum / relevant as f64;

        sums[3] += results
            .iter()
            .take(10)
            .position(|(d, _)| grade(d) > 0)
            .map_or(0.0, |i| 1.0 / (i + 1) as f64);
    }
    let n = judged.len().max(1) as f64;
    Metrics {
        queries: judged.len(),
        ndcg_10: sums[0] / n,
        recall_100: sums[1] / n,
        map: sums[2] / n,
        mrr_10: sums[3] / n,
    }
}

/// A run in TREC format: `qid Q0 docid rank score tag`, queries in the given order.
pub fn trec_run(queries: &[Query], run: &Run, tag: &str) -> String {
    let mut out = String::new();
    for q in queries {
        let mut results = run.get(&q.id).cloned().unwrap_or_default();
        trec_order(&mut results);
        for (i, (doc, score)) in results.iter().enumerate() {
            out.push_str(&format!("{} Q0 {doc} {} {score:.6} {tag}\n", q.id, i + 1));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qrels(entries: &[(&str, &str, i64)]) -> Qrels {
        let mut q: Qrels = HashMap::new();
        for (qid, d, g) in entries {
            q.entry(qid.to_string())
                .or_default()
                .insert(d.to_string(), *g);
        }
        q
    }

    fn run(entries: &[(&str, &[(&str, f32)])]) -> Run {
        entries
            .iter()
            .map(|(q, docs)| {
                (
                    q.to_string(),
                    docs.iter().map(|(d, s)| (d.to_string(), *s)).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn perfect_and_empty_runs() {
        let q = qrels(&[("1", "a", 2), ("1", "b", 1), ("2", "c", 1)]);
        let r = run(&[("1", &[("a", 3.0), ("b", 2.0)]), ("2", &[("c", 1.0)])]);
        let m = evaluate(&r, &q);
        assert_eq!(m.queries, 2);
        assert!((m.ndcg_10 - 1.0).abs() < 1e-9);
        assert!((m.map - 1.0).abs() < 1e-9);
        assert!((m.mrr_10 - 1.0).abs() < 1e-9);
        // A judged query without results scores 0.
        let r = run(&[("1", &[("a", 3.0), ("b", 2.0)])]);
        let m = evaluate(&r, &q);
        assert!((m.ndcg_10 - 0.5).abs() < 1e-9);
    }

    #[test]
    fn values_by_hand() {
        // Relevant: a (grade 1), c (grade 2). Run: x, a, c.
        let q = qrels(&[("1", "a", 1), ("1", "c", 2), ("1", "z", 0)]);
        let r = run(&[("1", &[("x", 3.0), ("a", 2.0), ("c", 1.0)])]);
        let m = evaluate(&r, &q);
        let dcg = 1.0 / 3f64.log2() + 2.0 / 4f64.log2();
        let idcg = 2.0 / 2f64.log2() + 1.0 / 3f64.log2();
        assert!((m.ndcg_10 - dcg / idcg).abs() < 1e-9);
        assert!((m.map - (0.5 + 2.0 / 3.0) / 2.0).abs() < 1e-9);
        assert!((m.mrr_10 - 0.5).abs() < 1e-9);
        assert!((m.recall_100 - 1.0).abs() < 1e-9);
    }

    #[test]
    fn ties_break_by_descending_id() {
        let mut r = vec![
            ("a".to_string(), 1.0),
            ("b".to_string(), 1.0),
            ("c".to_string(), 2.0),
        ];
        trec_order(&mut r);
        let ids: Vec<&str> = r.iter().map(|(d, _)| d.as_str()).collect();
        assert_eq!(ids, vec!["c", "b", "a"]);
    }
}
