"""Peak memory of `clean` at 100k documents against 1M: does anything grow with the corpus?

Run by hand (not in CI), on a quiet machine:

    python bench/bench_memory_scale.py                       # 100,000 and 1,000,000 documents
    python bench/bench_memory_scale.py --sizes 10000 100000  # a quicker look

The corpus is one small `.txt` file a document, 1,000 files a folder: the worst case for
anything kept per input file. Each document is made of paragraphs of the WCXB dev pages'
main text (../shared/data/wcxb-dev, CC-BY-4.0), drawn at random, so nearly every document is
kept and the dedup index grows with the corpus, plus one footer line repeated across its
folder (a source-repeated line). Documents are short (about 1.5 to 3 KB), so a million of
them take minutes, not hours; short documents make the fixed part of the memory smaller,
so the ratio between two sizes is, if anything, harsher than with long ones.

Each size runs `clean DIR --to parquet` with default settings (all cores) in a subprocess.
Two peaks are reported:
- largest process: the maximum resident set of any one process (ru_maxrss), as in
  bench_pipeline.py;
- whole tree: the sum of PSS (proportional set size, so pages shared between the parent
  and its forked workers count once) over the process tree, sampled every 0.25 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WCXB = Path(os.environ.get("CLEANER_WCXB_DIR", ROOT.parent / "shared" / "data" / "wcxb-dev"))
PER_FOLDER = 1000
MIN_DOC_CHARS = 1500


def paragraphs() -> list[str]:
    """Every main-text paragraph of 200 characters or more in WCXB dev, in a fixed order."""
    out = []
    for gold in sorted(WCXB.glob("*.txt")):
        out += [p.strip() for p in gold.read_text(encoding="utf-8").split("\n")
                if len(p.strip()) >= 200]
    return out


def build_corpus(work: Path, n: int, pool: list[str]) -> Path:
    """n one-document files (cached; deterministic for a given n)."""
    folder = work / f"docs-{n}"
    done = folder / ".complete"
    if done.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    rng = random.Random(n)
    for i in range(n):
        sub = folder / f"{i // PER_FOLDER:04d}"
        if i % PER_FOLDER == 0:
            sub.mkdir(parents=True)
        parts, size = [], 0
        while size < MIN_DOC_CHARS:
            p = pool[rng.randrange(len(pool))]
            parts.append(p)
            size += len(p)
        parts.append(f"Copyright {i // PER_FOLDER:04d} Example Media Group. All rights reserved.")
        (sub / f"{i:07d}.txt").write_text("\n".join(parts) + "\n", encoding="utf-8")
    done.touch()
    return folder


def tree_pss_kb(root_pid: int) -> int:
    """The summed PSS of a process and all its descendants, in KB (0 if it is gone)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
        except (OSError, StopIteration):
            continue
    return total


WRAP = """
import json, resource, subprocess, sys
r = subprocess.run(sys.argv[1:])
print("PEAK " + json.dumps(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss), flush=True)
sys.exit(r.returncode)
"""


def measure(corpus: Path, out: Path, n: int) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-c", WRAP, sys.executable, "-m", "cleaner", str(corpus),
           "--to", "parquet", "--out", str(out), "--quiet"]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_pss = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak_pss[0] = max(peak_pss[0], tree_pss_kb(proc.pid))
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    sampler.join()
    secs = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"clean failed on {corpus}:\n{stderr[-2000:]}")
    peak = next(int(x[5:]) for x in stdout.splitlines() if x.startswith("PEAK "))
    stats = json.loads(next(out.glob("*/stats.json")).read_text())
    return {"docs": n, "seconds": round(secs, 1), "docs_per_s": round(n / secs, 1),
            "largest_process_mb": round(peak / 1024, 1),
            "tree_pss_mb": round(peak_pss[0] / 1024, 1),
            "kept": stats["kept"],
            "input_mb": round(sum(f.stat().st_size for f in corpus.rglob("*.txt")) / 1e6, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--work", type=Path, default=Path("/tmp/cleaner-bench-memory"))
    args = ap.parse_args()
    if not WCXB.is_dir():
        raise SystemExit(f"needs the WCXB dev pages at {WCXB} (or set CLEANER_WCXB_DIR)")
    pool = paragraphs()
    rows = []
    for n in args.sizes:
        corpus = build_corpus(args.work, n, pool)
        rows.append(measure(corpus, args.work / f"out-{n}", n))
        print(json.dumps(rows[-1]), flush=True)
    base = rows[0]
    print(f"\n{'docs':>10s} {'input MB':>9s} {'kept':>9s} {'docs/s':>8s} "
          f"{'largest MB':>11s} {'ratio':>6s} {'tree PSS MB':>12s} {'ratio':>6s}")
    for r in rows:
        print(f"{r['docs']:>10,d} {r['input_mb']:>9.1f} {r['kept']!s:>9s} {r['docs_per_s']:>8.1f} "
              f"{r['largest_process_mb']:>11.1f} "
              f"{r['largest_process_mb'] / base['largest_process_mb']:>6.2f} "
              f"{r['tree_pss_mb']:>12.1f} {r['tree_pss_mb'] / base['tree_pss_mb']:>6.2f}")


if __name__ == "__main__":
    main()
