#!/usr/bin/env python3
"""Writes a corpus of distinct text of a given size by recombining the
sentences of a folder's .txt and .md files, so its dictionary grows as a real
collection's does (copies of the same files would not).

    bench/recombine.py SOURCE_DIR OUT_DIR [MB] [SEED]

Each output file is about 32 KB of paragraphs of 3-8 sentences drawn at random
(seeded, so a run is repeatable), under OUT_DIR/part-NNN/.
"""

import os
import random
import re
import sys


def sentences(root):
    out = []
    for folder, _, files in os.walk(root):
        for name in files:
            if not name.endswith((".txt", ".md")):
                continue
            with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
                text = f.read()
            for s in re.split(r"(?<=[.!?])\s+", text):
                s = " ".join(s.split())
                if 40 <= len(s) <= 400 and not s.startswith(("#", "|", "-", "*")):
                    out.append(s)
    return out


def main():
    src, dest = sys.argv[1], sys.argv[2]
    target = int(float(sys.argv[3]) * 1_000_000) if len(sys.argv) > 3 else 1_000_000_000
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 15)
    pool = sentences(src)
    if not pool:
        sys.exit(f"no sentences under {src}")
    written, n = 0, 0
    while written < target:
        folder = os.path.join(dest, f"part-{n // 1000:03d}")
        os.makedirs(folder, exist_ok=True)
        paragraphs, size = [], 0
        while size < 32_000:
            p = " ".join(rng.choice(pool) for _ in range(rng.randint(3, 8)))
            paragraphs.append(p)
            size += len(p) + 2
        body = "\n\n".join(paragraphs) + "\n"
        with open(os.path.join(folder, f"doc-{n:05d}.txt"), "w", encoding="utf-8") as f:
            f.write(body)
        written += len(body.encode("utf-8"))
        n += 1
    print(f"{n} files, {written / 1e6:.0f} MB from {len(pool)} sentences")


if __name__ == "__main__":
    main()
