"""Benchmark of the dedup state: memory and speed of the in-memory and on-disk indexes.

    python bench/bench_dedup_index.py [--docs 100000 1000000] [--stores memory disk]

The sequential stage of a run (`Job`) keeps two dedup indexes: exact keys and MinHash
signatures with their LSH bands. This feeds N documents through both, as a run does, in a
fresh process per (store, N), and reports docs/s and the process's peak RSS. The documents
are synthetic so that a million of them take minutes: random 112-value signatures and random
exact keys, with every fifth document a near copy of an earlier kept one (10 of its 112
values changed, so it is found through the LSH bands and verified) and every 50th an exact
copy. The rest of the pipeline does not grow with the corpus (rows stream to bounded shards),
so this growth is the run's growth.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = """
import json, resource, sys, time
from pathlib import Path
import numpy as np
sys.path.insert(0, sys.argv[4])
from cleaner.dedup.exact import ExactDedup
from cleaner.dedup.minhash import MinHashDedup
from cleaner.document import Document, KEPT

n, store, folder = int(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
near = MinHashDedup()
near.reset(folder / "minhash.sqlite" if store == "disk" else None)
exact = ExactDedup(folder / "exact.sqlite" if store == "disk" else None)
rng = np.random.default_rng(0)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kept_sigs = []  # a sample of kept signatures to copy from (bounded)
counts = {"near": 0, "exact": 0}
t = time.perf_counter()
for i in range(n):
    doc = Document(id=f"doc-{i:09d}", source_path="x", source_sha256="", source_bytes=0,
                   format="text")
    if i % 5 == 4 and kept_sigs:
        sig = kept_sigs[int(rng.integers(len(kept_sigs)))].copy()
        sig[rng.integers(0, 112, 10)] = rng.integers(0, 2**32, 10, dtype=np.uint32)
    else:
        sig = rng.integers(0, 2**32, 112, dtype=np.uint32)
    doc.signature = sig
    doc.exact_key = (i - 1 if i % 50 == 49 else i).to_bytes(8, "little")
    exact.apply(doc)
    near.apply(doc)
    if doc.status == KEPT:
        if len(kept_sigs) < 10000:
            kept_sigs.append(sig)
        else:
            kept_sigs[i % 10000] = sig
    else:
        counts["exact" if doc.reject_reason == "duplicate" else "near"] += 1
secs = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
disk = sum(p.stat().st_size for p in folder.glob("*.sqlite"))
near.close(); exact.close()
print(json.dumps({"docs": n, "store": store, "seconds": secs, "docs_per_s": n / secs,
                  "peak_rss_mb": peak / 1024, "rss_before_mb": base / 1024,
                  "file_mb": disk / 1e6, **counts}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--stores", nargs="+", default=["memory", "disk"])
    args = ap.parse_args()
    results = []
    for store in args.stores:
        for n in args.docs:
            with tempfile.TemporaryDirectory(dir=REPO.parent) as tmp:
                print(f"running {store} x {n} ...", file=sys.stderr, flush=True)
                r = subprocess.run([sys.executable, "-c", CHILD, str(n), store, tmp, str(REPO)],
                                   capture_output=True, text=True, check=True)
                results.append(json.loads(r.stdout.strip().splitlines()[-1]))
    print(f"{'store':8s} {'docs':>9s} {'docs/s':>9s} {'peak RSS MB':>12s} {'file MB':>8s} "
          f"{'near dups':>9s} {'exact':>7s}")
    for r in results:
        print(f"{r['store']:8s} {r['docs']:9d} {r['docs_per_s']:9.0f} {r['peak_rss_mb']:12.0f} "
              f"{r['file_mb']:8.0f} {r['near']:9d} {r['exact']:7d}")
    for store in args.stores:
        by_n = {r["docs"]: r for r in results if r["store"] == store}
        if len(by_n) >= 2:
            lo, hi = min(by_n), max(by_n)
            print(f"{store}: peak RSS at {hi:,} / at {lo:,} docs = "
                  f"{by_n[hi]['peak_rss_mb'] / by_n[lo]['peak_rss_mb']:.2f}")


if __name__ == "__main__":
    main()
