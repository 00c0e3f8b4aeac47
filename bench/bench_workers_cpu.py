"""Where the CPU goes with workers: the parent's own CPU against the workers', for one run.

Runs `clean DIR --out OUT --workers N --quiet --overwrite` inside this process (so
`resource.getrusage` can tell the parent, which dedups, counts and writes the Parquet
shards, from its forked workers) and prints wall time, the parent's CPU and the workers'.
With one worker everything is the parent's. On a machine with as many cores as workers,
the parent's CPU is what the workers cannot share, and what keeps `--workers 2` from
running twice as fast as `--workers 1`.

    python bench/bench_workers_cpu.py /tmp/cleaner-bench/text-10000 --workers 2
    python bench/bench_workers_cpu.py /tmp/cleaner-bench/text-10000 --workers 1

(`bench/bench_pipeline.py` builds that corpus.)
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None, help="output folder (default: a temp one)")
    args = ap.parse_args()
    from cleaner.cli import main as clean

    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "out"
        t0 = time.perf_counter()
        try:
            clean([str(args.corpus), "--out", str(out), "--workers", str(args.workers),
                   "--quiet", "--overwrite"])
        except SystemExit as e:
            if e.code not in (0, None):
                raise
        wall = time.perf_counter() - t0
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    parent, workers = me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime
    print(f"{args.corpus} with {args.workers} worker(s): wall {wall:.1f} s, parent CPU "
          f"{parent:.1f} s, workers' CPU {workers:.1f} s, together {parent + workers:.1f} s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
