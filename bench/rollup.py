#!/usr/bin/env python3
"""Ranking as users see it: run every query through `query --json` (passages),
roll the passages up to documents by first appearance (a hit that folds the
same paragraph from several documents counts for each, in its order), and
score the document ranking with trec_eval's nDCG@10 and Recall@100.

    bench/rollup.py BINARY INDEX QUERIES.jsonl QRELS.tsv [-n PASSAGES]

Prints one JSON line: {"queries", "ndcg_10", "recall_100"}. Only queries with
a relevant document in the qrels count, as in `eval`.
"""
import argparse
import json
import math
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor


def qrels_of(path):
    out = {}
    with open(path) as f:
        for i, line in enumerate(f):
            parts = line.split()
            if len(parts) < 3 or (i == 0 and not parts[-1].lstrip("-").isdigit()):
                continue
            q, d, g = (parts[0], parts[1], parts[2]) if len(parts) == 3 else (parts[0], parts[2], parts[3])
            out.setdefault(q, {})[d] = int(g)
    return out


def documents(binary, index, text, n):
    run = subprocess.run(
        [binary, "query", "--index", index, "--json", "-n", str(n), "--", text],
        capture_output=True,
    )
    if run.returncode == 1:
        return []
    if run.returncode != 0:
        sys.exit(f"query {text!r} failed: {run.stderr.decode(errors='replace')}")
    seen, order = set(), []
    for hit in json.loads(run.stdout)["hits"]:
        for loc in [hit] + hit.get("sources", []):
            if loc["doc_id"] not in seen:
                seen.add(loc["doc_id"])
                order.append(loc["doc_id"])
    return order


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("index")
    ap.add_argument("queries")
    ap.add_argument("qrels")
    ap.add_argument("-n", type=int, default=1000)
    a = ap.parse_args()
    qrels = qrels_of(a.qrels)
    queries = [json.loads(l) for l in open(a.queries) if l.strip()]
    queries = [q for q in queries if any(g > 0 for g in qrels.get(str(q["_id"]), {}).values())]
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda q: documents(a.binary, a.index, q["text"], a.n), queries))
    ndcg = recall = 0.0
    for q, docs in zip(queries, runs):
        grades = qrels[str(q["_id"])]
        dcg = sum(max(grades.get(d, 0), 0) / math.log2(i + 2) for i, d in enumerate(docs[:10]))
        ideal = sorted((g for g in grades.values() if g > 0), reverse=True)[:10]
        idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
        ndcg += dcg / idcg if idcg else 0.0
        relevant = sum(1 for g in grades.values() if g > 0)
        recall += sum(1 for d in docs[:100] if grades.get(d, 0) > 0) / relevant
    n = len(queries)
    print(json.dumps({"queries": n, "ndcg_10": round(ndcg / n, 4), "recall_100": round(recall / n, 4)}))


if __name__ == "__main__":
    main()
