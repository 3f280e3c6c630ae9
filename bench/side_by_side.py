#!/usr/bin/env python3
"""Whole-process query latency of several builds, side by side in one run:
each query of QUERIES is run as `BIN query --json -n 10 --index IDX Q` by
every build in turn, the order of the builds reversed every other round, so
a busy moment on a shared machine falls on all of them alike.

    bench/side_by_side.py ROUNDS BIN:IDX [BIN:IDX ...] [--queries FILE]

Prints each build's p50 and p95 in milliseconds over ROUNDS × queries runs,
and the median CPU time (user + system) of a run: on a shared machine a busy
neighbour stretches the wall-clock time but less so the CPU time, so the two
together tell a build's own cost from the machine's load.
"""
import argparse
import resource
import statistics
import subprocess
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("rounds", type=int)
    ap.add_argument("builds", nargs="+", metavar="BIN:IDX")
    ap.add_argument("--queries", default="bench/queries.txt")
    args = ap.parse_args()
    builds = [b.rsplit(":", 1) for b in args.builds]
    queries = [l.strip() for l in open(args.queries, encoding="utf-8") if l.strip()]
    took = [[] for _ in builds]
    cpu = [[] for _ in builds]
    for r in range(args.rounds):
        for q in queries:
            order = list(enumerate(builds))
            for i, (binary, index) in order if r % 2 == 0 else order[::-1]:
                before = children_cpu()
                start = time.perf_counter()
                subprocess.run(
                    [binary, "query", "--json", "-n", "10", "--index", index, q],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                took[i].append((time.perf_counter() - start) * 1000)
                cpu[i].append((children_cpu() - before) * 1000)
    for i, (binary, _) in enumerate(builds):
        v = sorted(took[i])
        p95 = v[min(len(v) - 1, int(len(v) * 0.95))]
        print(
            f"{binary}: p50 {statistics.median(v):.1f} ms  p95 {p95:.1f} ms  "
            f"CPU p50 {statistics.median(cpu[i]):.1f} ms  n={len(v)}"
        )


def children_cpu():
    """CPU seconds (user + system) of the children waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
